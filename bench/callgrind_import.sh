#!/usr/bin/env bash
# callgrind_import.sh BINARY ROWS [FN] — instructions one CSV import of ROWS
# customers costs (callgrind, --toggle-collect=import_run) on a fresh demo
# database (300 customers): the same CSV as bench/import.sh (name, phone,
# e-mail, level, credit limit, notes), on_duplicate=skip (ON_DUPLICATE),
# EXTRA appended to the URL (e.g. '&partial=1'). Independent of machine load.
#
#   bench/callgrind_import.sh build/guanxi 1000
#   DB=/work/data-import/g100k.db bench/callgrind_import.sh build/guanxi 1000
# DB: import into a copy of this database instead (migrated; admin's
# password ADMIN_PASSWORD, default Bench12345); OUT: the directory (default
# /tmp/guanxi-callgrind-import), to run two at once.
#   callgrind_annotate --inclusive=yes /tmp/guanxi-callgrind-import/cg.out | head -60
set -euo pipefail
BIN=$(readlink -f "$1"); N=$2; FN=${3:-import_run}
D=${OUT:-/tmp/guanxi-callgrind-import}; rm -rf "$D"; mkdir -p "$D"
if [ -n "${DB:-}" ]; then
    cp "$DB" "$D/db"; PASS=${ADMIN_PASSWORD:-Bench12345}
else
    "$BIN" init --db "$D/db" --admin-password Admin12345 >/dev/null 2>&1
    "$BIN" demo --db "$D/db" --customers 300 >/dev/null 2>&1
    PASS=Admin12345
fi
python3 - "$N" "$D/in.csv" <<'PY'
import random, sys
rows, out = int(sys.argv[1]), sys.argv[2]
random.seed(7)
with open(out, "w", encoding="utf-8") as f:
    f.write("客户名称,电话,邮箱,客户级别,信用额度,备注\n")
    for i in range(rows):
        f.write("导入测试%07d 贸易有限公司,15%09d,imp%07d.%d@example.com,%s,%d.%02d,\"第 %d 行, \"\"批量\"\"\"\n"
                % (i, random.randrange(10**9), i, random.randrange(10**6), "ABC"[i % 3], random.randrange(10**5), i % 100, i))
PY
PORT=$((20000 + RANDOM % 10000))
valgrind --tool=callgrind --toggle-collect="$FN" --callgrind-out-file="$D/cg.out" \
    "$BIN" serve --db "$D/db" --listen 127.0.0.1:$PORT --quiet >"$D/log" 2>&1 &
VP=$!
for _ in $(seq 600); do curl -s -o /dev/null "localhost:$PORT/healthz" && break; sleep 0.5; done
TOKEN=$(curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$PASS\"}" \
    "http://127.0.0.1:$PORT/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' --data-binary @"$D/in.csv" \
    "http://127.0.0.1:$PORT/api/v1/customers/import?on_duplicate=${ON_DUPLICATE:-skip}&filename=cg.csv${EXTRA:-}" > "$D/rep.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print({k:r.get(k) for k in ("created","updated","skipped","failed","committed")}, r.get("errors",[])[:3])' "$D/rep.json"
kill -TERM $VP; wait $VP || true
total=$(grep -E "^summary:" "$D/cg.out" | awk '{print $2}')
echo "$FN: $total instructions for $N rows: $((total / N)) per row"
