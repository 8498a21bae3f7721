#!/bin/bash
# bench/desk_mixed.sh BIN DB — the booking centre's day view (wrk -t1 -c2) and checkouts
# (wrk -t1 -c2) at the same time for 10 s on DB (a copy: the checkouts stay
# in it), as desk.sh picks its members, coaches and drinks; prints p50, p90,
# p99 and requests/s of each. See bench/README.md, "Stop 17".
set -euo pipefail
BIN=$1; DB=$2
cd "$(dirname "$0")/.."
export BENCH_LOAD_DIR=$PWD/bench/load
TMP=$(mktemp -d /tmp/guanxi-desk-mixed.XXXXXX)
Q() { sqlite3 -readonly "$DB" "$1" | paste -sd, -; }
TODAY=$(TZ=Asia/Shanghai date +%F)
export MEMBERS=$(Q "SELECT c.id FROM customers c JOIN member_types t ON t.id = c.member_type_id WHERE t.card_kind = 'stored_value' AND c.balance + c.bonus_balance >= 300000 AND c.expires_on >= '$TODAY' AND c.deleted_at IS NULL ORDER BY c.id LIMIT 3000")
export COACHES=$(Q "SELECT id FROM resources WHERE kind = 'coach' AND active = 1 AND deleted_at IS NULL")
export DRINKS=$(Q "SELECT id FROM resources WHERE kind = 'consumable' AND active = 1 AND deleted_at IS NULL")
$BIN serve --db $DB --quiet --listen 127.0.0.1:18556 > $TMP/mixed.log 2>&1 &
S=$!
trap 'kill $S 2>/dev/null || true; rm -rf "$TMP"' EXIT
until curl -sf http://127.0.0.1:18556/healthz >/dev/null; do sleep 0.1; done
export TOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"username":"desk1","password":"Bench12345"}' http://127.0.0.1:18556/api/v1/auth/login | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
wrk -t1 -c2 -d2s -s bench/load/checkout.lua http://127.0.0.1:18556 >/dev/null 2>&1
PATHS="/app/bookings/day?date=$TODAY" wrk -t1 -c2 -d10s --latency -s bench/load/report.lua http://127.0.0.1:18556 > $TMP/mixed.day 2>&1 &
W=$!
wrk -t1 -c2 -d10s --latency -s bench/load/checkout.lua http://127.0.0.1:18556 > $TMP/mixed.ck 2>&1
wait $W
kill $S; wait $S || true
for f in day ck; do echo "$f (p50 p90 p99 req/s): $(grep -E '^ +(50|90|99)%|Requests/sec' $TMP/mixed.$f | awk '{print $2}' | tr '\n' ' ')"; done
