#!/usr/bin/env bash
# bench/desk_pages.sh BIN DB [N] — the pages a checkout writes: N checkouts
# (default 5; a stored-value member, a coach hour and a drink) one at a time
# on DB (a copy: they stay in it), then the server is killed (kill -9, so
# its WAL is not checkpointed) and bench/wal_pages.py names every page of
# the last N commits by b-tree. See bench/README.md, "Stop 13 — front desk".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$1 DB=$2 N=${3:-5}
PORT=${PORT:-18496}
TODAY=$(TZ=Asia/Shanghai date +%F)
rm -f "$DB-wal" "$DB-shm"
"$BIN" serve --db "$DB" --quiet --listen 127.0.0.1:$PORT >/dev/null 2>&1 &
S=$!
trap 'kill -9 $S 2>/dev/null || true' EXIT
until curl -sf http://127.0.0.1:$PORT/healthz >/dev/null 2>&1; do kill -0 $S; sleep 0.2; done
T=$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"username":"desk1","password":"Bench12345"}' \
    http://127.0.0.1:$PORT/api/v1/auth/login | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
M=($(sqlite3 -readonly "$DB" "SELECT c.id FROM customers c JOIN member_types t ON t.id = c.member_type_id WHERE
      t.card_kind = 'stored_value' AND c.balance >= 300000 AND c.expires_on > '$TODAY' AND c.deleted_at IS NULL
      ORDER BY c.id LIMIT 50"))
COACH=$(sqlite3 -readonly "$DB" "SELECT id FROM resources WHERE kind = 'coach' AND active = 1 LIMIT 1")
DRINK=$(sqlite3 -readonly "$DB" "SELECT id FROM resources WHERE kind = 'consumable' AND active = 1 LIMIT 1")
H=$(date -u -d '1 hour ago' +%Y-%m-%dT%H:00:00Z) H1=$(date -u +%Y-%m-%dT%H:00:00Z)
sleep 2 # the server's start-up writes commit first
for i in $(seq 1 "$N"); do
    curl -s -o /dev/null -w '%{http_code} ' -H "Authorization: Bearer $T" -H 'Content-Type: application/json' \
        -d "{\"customer_id\":${M[$((i * 7 % ${#M[@]}))]},\"payment_method\":\"stored_value\",\"lines\":[{\"resource_id\":$COACH,\"start_at\":\"$H\",\"end_at\":\"$H1\"},{\"resource_id\":$DRINK,\"quantity\":1}]}" \
        http://127.0.0.1:$PORT/api/v1/checkouts
    sleep 0.3
done
echo
kill -9 $S
wait $S 2>/dev/null || true
python3 "$ROOT/bench/wal_pages.py" "$DB" "$N"
