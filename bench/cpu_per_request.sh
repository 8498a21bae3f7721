#!/usr/bin/env bash
# bench/cpu_per_request.sh BIN DB USER SCRIPT [ENV=VALUE...] — one wrk scenario
# against a fresh `BIN serve --db DB` (SERVER_THREADS threads, default the
# cores), logged in as USER (password Bench12345): wrk -t2 -c16, 2 s of warm-up, then 6 s with
# --latency. Prints req/s, p50, p99, the server's own CPU per request (user
# and system, from /proc/PID/stat over the 6 s, divided by the requests wrk
# completed: much less sensitive to the machine's load than latency), its
# RSS and the load average before and after. Run it under the bench lock:
#   flock /work/bench.lock bench/cpu_per_request.sh build/guanxi g100k-copy.db admin get.lua MAX_ID=100163
#   flock /work/bench.lock bench/cpu_per_request.sh build/guanxi g100k-copy.db u17 search.lua MODE=mix
# The SCRIPTs are bench/load/*.lua; TOKEN is set from the login.
set -uo pipefail
BIN=$1; DB=$2; WHO=$3; SCRIPT=$4; shift 4
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${PORT:-$((30000 + RANDOM % 5000))}; BASE=http://127.0.0.1:$PORT
export BENCH_LOAD_DIR=$ROOT/bench/load
LOG=$(mktemp)
"$BIN" serve --db "$DB" --quiet --listen 127.0.0.1:$PORT ${SERVER_THREADS:+--threads $SERVER_THREADS} >"$LOG" 2>&1 &
SP=$!
trap 'kill $SP 2>/dev/null; wait $SP 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 100); do curl -sf $BASE/healthz >/dev/null && break; sleep 0.1; done
TOK=$(curl -s -X POST -d "{\"username\":\"$WHO\",\"password\":\"Bench12345\"}" $BASE/api/v1/auth/login |
    python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])') || { echo "login failed:"; cat "$LOG"; exit 1; }
env TOKEN="$TOK" "$@" wrk -t2 -c16 -d2s -s "$BENCH_LOAD_DIR/$SCRIPT" $BASE >/dev/null 2>&1
read -r u0 s0 < <(awk '{print $14, $15}' /proc/$SP/stat)
L0=$(cut -d' ' -f1-3 /proc/loadavg)
OUT=$(env TOKEN="$TOK" "$@" wrk -t2 -c16 -d6s --latency -s "$BENCH_LOAD_DIR/$SCRIPT" $BASE 2>&1)
read -r u1 s1 < <(awk '{print $14, $15}' /proc/$SP/stat)
L1=$(cut -d' ' -f1-3 /proc/loadavg)
RSS=$(awk '/VmRSS/{print $2}' /proc/$SP/status)
N=$(echo "$OUT" | awk '/requests in/{print $1}')
HZ=$(getconf CLK_TCK)
RPS=$(echo "$OUT" | awk '/Requests\/sec/{print $2}')
P50=$(echo "$OUT" | awk '$1=="50%"{print $2}'); P99=$(echo "$OUT" | awk '$1=="99%"{print $2}')
echo "$SCRIPT $WHO $*: req/s $RPS p50 $P50 p99 $P99 | server CPU/req user $(( (u1-u0)*1000000000/HZ/N )) ns sys $(( (s1-s0)*1000000000/HZ/N )) ns | RSS ${RSS} kB | load $L0 -> $L1 | $(echo "$OUT" | grep -c Non-2xx) non-2xx lines"
