#!/usr/bin/env bash
# bench/orders.sh — order creation with 20 lines: a fresh SQLite database
# with 50 products and 200 customers, `guanxi serve`, then
# `wrk -t2 -c$CONNECTIONS -d$DURATION --latency` (one thread for one connection) posting orders of $LINES
# lines (bench/load/order_create.lua). Prints wrk's latency distribution
# (p50/p75/p90/p99) and checks afterwards that the order numbers are
# distinct and gap-free.
#
# usage: bench/orders.sh [path/to/guanxi]     (default build/guanxi)
# Environment: LINES (20), CONNECTIONS (4), DURATION (10s), PORT (18490),
#              PG=postgresql://… to run on PostgreSQL instead of SQLite,
#              DB=FILE to post into an existing bench database instead (made
#              by guanxi-bench-gen + guanxi-bench-orders: the active BP…
#              products, any customer, an explicit delivery address since
#              the generated customer addresses are not real divisions; the
#              orders stay in FILE)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN=${1:-build/guanxi}
LINES=${LINES:-20}
CONNECTIONS=${CONNECTIONS:-4}
DURATION=${DURATION:-10s}
PORT=${PORT:-18490}
BASE=http://127.0.0.1:$PORT
TMP=$(mktemp -d /tmp/guanxi-bench-orders.XXXXXX)
PID=
cleanup() { if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi; rm -rf "$TMP"; }
trap cleanup EXIT
BENCH_DB=${DB:-}
DB=${PG:-${BENCH_DB:-$TMP/orders.db}}
[ -n "$BENCH_DB" ] || "$BIN" init --db "$DB" --admin-password Bench12345 >/dev/null
"$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" --quiet 2>"$TMP/server.log" &
PID=$!
until curl -sf "$BASE/healthz" >/dev/null 2>&1; do sleep 0.1; done
TOKEN=$(curl -sf -H 'Content-Type: application/json' -d '{"username":"admin","password":"Bench12345"}' \
    "$BASE/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
export TOKEN BENCH_LOAD_DIR=$ROOT/bench/load LINES
if [ -n "$BENCH_DB" ]; then
    read -r PMIN PMAX < <(sqlite3 -separator ' ' "$DB" \
        "SELECT min(id), max(id) FROM products WHERE code GLOB 'BP[0-9]*' AND active AND deleted_at IS NULL")
    read -r CMIN CMAX < <(sqlite3 -separator ' ' "$DB" "SELECT min(id), max(id) FROM customers")
    FIRST=$(sqlite3 "$DB" "SELECT coalesce(max(id), 0) + 1 FROM orders")
    export ADDRESS='{"province":"广东省","city":"深圳市","district":"南山区","street":"科技园路 1 号"}'
    echo "== $DB: $(sqlite3 "$DB" "SELECT count(*) FROM orders") orders, $(sqlite3 "$DB" "SELECT max(id) FROM order_lines") order lines"
else
read -r PMIN PMAX CMIN CMAX < <(python3 - "$BASE" "$TOKEN" <<'PY'
import json, sys, urllib.request
base, token = sys.argv[1], sys.argv[2]
def post(path, body):
    r = urllib.request.Request(base + "/api/v1/" + path, json.dumps(body).encode(),
                               {"Content-Type": "application/json", "Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(r))["id"]
ps = [post("products", {"code": "B%03d" % i, "name": "压测产品 %d" % i, "price": 100 + 997 * i}) for i in range(50)]
cs = [post("customers", {"name": "压测客户 %d 有限公司" % i}) for i in range(200)]
print(min(ps), max(ps), min(cs), max(cs))
PY
)
fi
export PRODUCT_MIN=$PMIN PRODUCT_MAX=$PMAX CUSTOMER_MIN=$CMIN CUSTOMER_MAX=$CMAX
THREADS=$((CONNECTIONS < 2 ? CONNECTIONS : 2)) # wrk needs a connection per thread
echo "== $LINES-line orders: wrk -t$THREADS -c$CONNECTIONS -d$DURATION ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
# the server's CPU (user, system; clock ticks) around the run: per order
# below, which waiting for a core or the disk does not inflate
ticks() { awk '{print $14, $15}' /proc/$PID/stat; }
read -r U0 S0 < <(ticks)
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/load/order_create.lua "$BASE" 2>"$TMP/wrk.err" |
    sed -n '/Latency Distribution/,/Requests\/sec/p' | tee "$TMP/wrk.out"
read -r U1 S1 < <(ticks)
N=$(awk '/requests in/ {print $1}' "$TMP/wrk.out")
awk -v u=$((U1 - U0)) -v s=$((S1 - S0)) -v n="${N:-0}" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { if (n > 0) printf "server CPU per order: %.2f ms user + %.2f ms system\n", u * 1000 / hz / n, s * 1000 / hz / n }'
if [ -s "$TMP/wrk.err" ]; then echo "errors:"; sort "$TMP/wrk.err" | uniq -c | head; fi
if [ -n "$BENCH_DB" ]; then
    # the numbers of this run's orders: distinct and consecutive
    sqlite3 "$DB" "SELECT count(*), count(DISTINCT number),
        count(*) = 0 OR max(CAST(substr(number, 9) AS INTEGER)) - min(CAST(substr(number, 9) AS INTEGER)) + 1 = count(*)
        FROM orders WHERE id >= $FIRST" | awk -F'|' '{printf "orders created: %d, numbers distinct and gap-free: %s\n", $1, ($1 == $2 && $3 == 1) ? "yes" : "NO"}'
    exit 0
fi
python3 - "$BASE" "$TOKEN" <<'PY'
import json, sys, urllib.request
base, token = sys.argv[1], sys.argv[2]
nums, offset = [], 0
while True:
    r = urllib.request.Request(base + "/api/v1/orders?limit=500&sort=number&offset=%d" % offset, headers={"Authorization": "Bearer " + token})
    page = json.load(urllib.request.urlopen(r))
    nums += [int(o["number"].rsplit("-", 1)[1]) for o in page["data"]]
    offset += 500
    if offset >= page["total"]:
        break
ok = nums == list(range(1, len(nums) + 1))
print("orders created: %d, numbers distinct and gap-free: %s" % (len(nums), "yes" if ok else "NO"))
PY
