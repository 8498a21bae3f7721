#!/usr/bin/env bash
# bench/run.sh — load-test a Guanxi server on a bench database with wrk.
#
# usage: bench/run.sh [DB]            (default data/bench-1m.db)
#
# Builds build-bench/ if needed, generates DB with guanxi-bench-gen if it
# does not exist, starts `guanxi serve` on it, logs in as admin, a sales rep
# (u17, scope own) and a region manager (m3, scope department_and_below), and
# runs every scenario with `wrk -t2 -c16 -d10s --latency`, sampling the
# server's memory meanwhile. Prints a summary table (median of ROUNDS runs)
# and writes it with the raw wrk output to bench/out/<timestamp>/.
#
# Environment:
#   SCENARIOS   which to run (default: all, in the order below)
#   ROUNDS      runs per scenario, the median is reported (default 1; use 3)
#   DURATION    wrk duration per run (default 10s)
#   CONNECTIONS wrk connections (default 16)     WRK_THREADS wrk threads (2)
#   WARMUP      seconds of unmeasured load before each scenario (default 2)
#   PORT        server port (default 18480)      SERVER_THREADS (default: cores)
#   CUSTOMERS   customers to generate when DB is missing (default 1000000)
#   REP, MANAGER  usernames for the scoped lists (default u17, m3)
#   LIST_FIELDS the fields= of the *_fields list scenarios (not in the default set)
#   GUANXI      the server binary to run (default build-bench/guanxi; e.g. the
#               build of another commit, for figures before and after a change)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DB=${1:-data/bench-1m.db}
BUILD=build-bench
PORT=${PORT:-18480}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
WRK_THREADS=${WRK_THREADS:-2}
ROUNDS=${ROUNDS:-1}
WARMUP=${WARMUP:-2}
REP=${REP:-u17}
LIST_FIELDS=${LIST_FIELDS:-name,code,phone,status,owner_id,updated_at}
MANAGER=${MANAGER:-m3}
PASSWORD=Bench12345
ALL="get list_owner list_rep list_manager list_all deep search search_cjk3 search_phone search_cjk2 search_rep search_manager global global_cjk2 global_cjk3 global_phone global_pinyin global_rep global_manager create"
SCENARIOS=${SCENARIOS:-$ALL}
BASE=http://127.0.0.1:$PORT
export BENCH_LOAD_DIR=$ROOT/bench/load

need() { command -v "$1" >/dev/null || { echo "run.sh: $1 is required" >&2; exit 1; }; }
need wrk
need curl
need python3
need sqlite3

# Build only our two programs: the rest of the tree may be mid-edit.
make -s BUILD=$BUILD $BUILD/.filelist >/dev/null
ninja -C $BUILD guanxi guanxi-bench-gen >/dev/null
SERVER_BIN=${GUANXI:-$BUILD/guanxi}

if [ ! -f "$DB" ]; then
    mkdir -p "$(dirname "$DB")"
    echo "== generating $DB"
    $BUILD/guanxi-bench-gen --db "$DB" --customers "${CUSTOMERS:-1000000}"
fi

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=bench/out/$STAMP
mkdir -p "$OUT"

"$SERVER_BIN" serve --db "$DB" --quiet --listen 127.0.0.1:$PORT ${SERVER_THREADS:+--threads $SERVER_THREADS} \
    >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -sf $BASE/healthz >/dev/null 2>&1 && break
    kill -0 $SERVER 2>/dev/null || { echo "run.sh: the server did not start:" >&2; cat "$OUT/server.log" >&2; exit 1; }
    sleep 0.1
done

# login USER → "token user_id"
login() {
    curl -sf -X POST -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$PASSWORD\"}" $BASE/api/v1/auth/login |
        python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["token"], j["user"]["id"])'
}
read -r ADMIN_TOKEN _ < <(login admin)
read -r REP_TOKEN REP_ID < <(login "$REP")
read -r MANAGER_TOKEN MANAGER_ID < <(login "$MANAGER")
MAX_ID=$(sqlite3 "$DB" "SELECT max(id) FROM customers")
read -r OWNER_MIN OWNER_MAX < <(sqlite3 -separator ' ' "$DB" \
    "SELECT min(id), max(id) FROM users WHERE username GLOB 'u[0-9]*'")
echo "server pid $SERVER on :$PORT; $MAX_ID customers; rep $REP=$REP_ID, manager $MANAGER=$MANAGER_ID," \
    "reps $OWNER_MIN..$OWNER_MAX; output in $OUT"

# scenario NAME → "description|script|environment assignments"
scenario() {
    case $1 in
    get) echo "GET /customers/{random id} (admin)|get.lua|TOKEN=$ADMIN_TOKEN MAX_ID=$MAX_ID" ;;
    list_owner) echo "list owner_id=<rep>&sort=-updated_at&limit=50 (admin)|list.lua|TOKEN=$ADMIN_TOKEN OWNER_MIN=$OWNER_MIN OWNER_MAX=$OWNER_MAX" ;;
    list_rep) echo "list sort=-updated_at&limit=50 as rep $REP (own)|list.lua|TOKEN=$REP_TOKEN" ;;
    list_manager) echo "list sort=-updated_at&limit=50 as manager $MANAGER (dept tree)|list.lua|TOKEN=$MANAGER_TOKEN" ;;
    list_owner_fields) echo "list owner_id=<rep>, fields= 6 of ~60 (admin)|list.lua|TOKEN=$ADMIN_TOKEN OWNER_MIN=$OWNER_MIN OWNER_MAX=$OWNER_MAX FIELDS=$LIST_FIELDS" ;;
    list_rep_fields) echo "list as rep $REP, fields= 6 of ~60|list.lua|TOKEN=$REP_TOKEN FIELDS=$LIST_FIELDS" ;;
    list_manager_fields) echo "list as manager $MANAGER, fields= 6 of ~60|list.lua|TOKEN=$MANAGER_TOKEN FIELDS=$LIST_FIELDS" ;;
    list_all) echo "list sort=-updated_at&limit=50, no filter (admin: total over all rows)|list.lua|TOKEN=$ADMIN_TOKEN" ;;
    search) echo "search q= mix of cjk3/cjk2/phone (admin)|search.lua|TOKEN=$ADMIN_TOKEN MODE=mix" ;;
    search_cjk3) echo "search q=3 Chinese chars (trigram)|search.lua|TOKEN=$ADMIN_TOKEN MODE=cjk3" ;;
    search_cjk2) echo "search q=2 Chinese chars (LIKE)|search.lua|TOKEN=$ADMIN_TOKEN MODE=cjk2" ;;
    search_phone) echo "search q=4-7 phone digits (trigram)|search.lua|TOKEN=$ADMIN_TOKEN MODE=phone" ;;
    search_rep) echo "search q= mix as rep $REP (own)|search.lua|TOKEN=$REP_TOKEN MODE=mix" ;;
    search_manager) echo "search q= mix as manager $MANAGER (dept tree)|search.lua|TOKEN=$MANAGER_TOKEN MODE=mix" ;;
    global) echo "global search /search?q= mix of cjk2/cjk3/phone/pinyin (admin)|global.lua|TOKEN=$ADMIN_TOKEN MODE=mix" ;;
    global_cjk2) echo "global search q=2 Chinese chars (admin)|global.lua|TOKEN=$ADMIN_TOKEN MODE=cjk2" ;;
    global_cjk3) echo "global search q=3 Chinese chars (admin)|global.lua|TOKEN=$ADMIN_TOKEN MODE=cjk3" ;;
    global_phone) echo "global search q=4-7 phone digits (admin)|global.lua|TOKEN=$ADMIN_TOKEN MODE=phone" ;;
    global_pinyin) echo "global search q=2-4 pinyin initials (admin)|global.lua|TOKEN=$ADMIN_TOKEN MODE=pinyin" ;;
    global_rep) echo "global search mix as rep $REP (own)|global.lua|TOKEN=$REP_TOKEN MODE=mix" ;;
    global_manager) echo "global search mix as manager $MANAGER (dept tree)|global.lua|TOKEN=$MANAGER_TOKEN MODE=mix" ;;
    deep) echo "list offset=100000 sort=-updated_at (admin)|list.lua|TOKEN=$ADMIN_TOKEN OFFSET=100000" ;;
    create) echo "POST /customers (durable commit)|create.lua|TOKEN=$ADMIN_TOKEN" ;;
    # Sales reports (need opportunities: build-bench/guanxi-bench-opps --db DB); not in ALL.
    funnel_page) echo "funnel page /app/reports/funnel (this year) as manager $MANAGER|report.lua|TOKEN=$MANAGER_TOKEN PATHS=/app/reports/funnel" ;;
    forecast_page) echo "forecast page /app/reports/forecast (6 months, by month/person/department) as manager $MANAGER|report.lua|TOKEN=$MANAGER_TOKEN PATHS=/app/reports/forecast,/app/reports/forecast?group=owner,/app/reports/forecast?group=department" ;;
    funnel_all) echo "GET /api/v1/reports/funnel (all time) as manager $MANAGER|report.lua|TOKEN=$MANAGER_TOKEN PATHS=/api/v1/reports/funnel" ;;
    forecast_all) echo "GET /api/v1/reports/forecast (all time, by month) as manager $MANAGER|report.lua|TOKEN=$MANAGER_TOKEN PATHS=/api/v1/reports/forecast" ;;
    *) echo "run.sh: unknown scenario $1" >&2; exit 2 ;;
    esac
}

# wrk latency like "1.23ms", "850.00us", "1.02s", "2.00m" → milliseconds
to_ms() {
    python3 -c 'import re,sys
m=re.match(r"([\d.]+)(us|ms|s|m)$", sys.argv[1])
print("%.2f" % (float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[m.group(2)]) if m else "nan")' "$1"
}

# The server's peak RSS during a run, without sampling it: VmHWM after
# resetting it to VmRSS (/proc/PID/clear_refs) before the run. A sampler
# forking awk every 0.2 s took a core for ~1-2 ms five times a second, which
# is the 99th percentile of a 0.5 ms request (GET p99 3.2-4.4 ms with it,
# see bench/README.md stop 19). The anonymous part is read at the end.
reset_peak() { echo 5 >/proc/$SERVER/clear_refs 2>/dev/null || true; }
read_peak() { awk '/^VmHWM/ {r=$2} /^RssAnon/ {a=$2} END {print r, a}' /proc/$SERVER/status 2>/dev/null; }

# run_once NAME ROUND → "req_s p50_ms p99_ms rss_max_kb anon_max_kb errors load1"
run_once() {
    local name=$1 round=$2 desc script envs
    IFS='|' read -r desc script envs < <(scenario "$name")
    local raw=$OUT/$name.$round.txt rss=$OUT/$name.$round.rss
    local load1
    load1=$(cut -d' ' -f1 /proc/loadavg)
    if [ "$WARMUP" != 0 ]; then
        env $envs wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 10s -s "bench/load/$script" $BASE \
            >/dev/null 2>&1 || true
        wait_idle
    fi
    reset_peak
    env $envs wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s "bench/load/$script" $BASE \
        >"$raw" 2>&1 || true
    read_peak >"$rss"
    wait_idle
    local rps p50 p99 errors rss_max anon_max
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$raw")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$raw")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$raw")")
    errors=$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {n += 1} END {print n + 0}' "$raw")
    rss_max=$(awk 'BEGIN {m = 0} $1 > m {m = $1} END {print m}' "$rss")
    anon_max=$(awk 'BEGIN {m = 0} $2 > m {m = $2} END {print m}' "$rss")
    echo "${rps:-0} $p50 $p99 $rss_max $anon_max $errors $load1"
}

# Requests wrk left in flight keep the server busy after it stops (slow
# searches take seconds): wait until /healthz answers promptly again.
wait_idle() {
    for _ in $(seq 1 300); do
        curl -sf -m 0.5 $BASE/healthz >/dev/null 2>&1 && return 0
    done
    echo "run.sh: the server stays busy" >&2
}

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

SUMMARY=$OUT/summary.md
{
    echo "# Guanxi bench $STAMP"
    echo
    echo "- database: $DB ($MAX_ID customers), $(du -h "$DB" | cut -f1)"
    echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo); git $(git rev-parse --short HEAD 2>/dev/null || echo '?'), server $SERVER_BIN"
    echo "- wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency, median of $ROUNDS run(s), ${WARMUP}s warm-up each"
    echo
    echo "| scenario | req/s | p50 ms | p99 ms | peak RSS MB (anon at the end) | errors | load avg |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
} >"$SUMMARY"

for name in $SCENARIOS; do
    IFS='|' read -r desc _ _ < <(scenario "$name")
    results=()
    for round in $(seq 1 "$ROUNDS"); do
        results+=("$(run_once "$name" "$round")")
    done
    col() { printf '%s\n' "${results[@]}" | awk -v c="$1" '{print $c}' | median; }
    rps=$(col 1) p50=$(col 2) p99=$(col 3) rss=$(col 4) anon=$(col 5) loads=$(printf '%s\n' "${results[@]}" | awk '{print $7}' | paste -sd/)
    errs=$(printf '%s\n' "${results[@]}" | awk '{n += $6} END {print n}')
    line=$(printf '| %s | %.0f | %s | %s | %.0f (%.0f) | %s | %s |' "$desc" "$rps" "$p50" "$p99" \
        "$(echo "$rss / 1024" | bc -l)" "$(echo "$anon / 1024" | bc -l)" "$errs" "$loads")
    echo "$line" >>"$SUMMARY"
    echo "$line"
done

echo
cat "$SUMMARY"
cp "$SUMMARY" bench/out/latest.md
