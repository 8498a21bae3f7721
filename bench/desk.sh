#!/usr/bin/env bash
# bench/desk.sh — the front desk under load (issue #7's speed clause) on a
# bench database with guanxi-bench-desk's data (members, 200 bookable
# resources, today's bookings, 2,000,000 checkout lines).
#
# usage: bench/desk.sh [DB]       (default /work/data-desk/bench-1m.db)
#
# Starts `guanxi serve` on DB, logs in as the front-desk user desk1 and as
# admin, and runs each scenario with `wrk -t2 -c$CONNECTIONS -d$DURATION
# --latency` after a $WARMUP s warm-up, printing the load average and the
# server's CPU time per request (from /proc/PID/stat) next to each figure:
#   dayview_desk / dayview_admin   GET /app/bookings/day?date=<today> (200 resources)
#   avail_desk / avail_admin       GET /api/v1/bookings/availability?date=<today>
#   checkout_desk                  POST /api/v1/checkouts: a stored-value member, a coach
#                                  hour and a drink (bench/load/checkout.lua)
#   journal_desk / journal_admin   GET /api/v1/reports/daily_journal?date=<yesterday> (first page, 200 lines)
#   journal_page                   GET /app/reports/daily_journal?date=<yesterday> (100 lines, the day's total)
#   income_desk / income_admin     GET /api/v1/reports/income?period=month&from=<2 years ago>&to=<today>
#   income_year / income_total     the same by year and in total (admin)
#   reports_page                   GET /app/reports/front_desk (last 12 months, chart data)
#   members_part                   its member consumption table (loaded after the page)
# Checkouts write to DB (a copy: see bench/README.md, "Stop 11").
#
# Environment: SCENARIOS (default: all above), DURATION (10s), CONNECTIONS
# (4), WARMUP (2), PORT (18495), BIN (build/guanxi), SERVER_THREADS.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DB=${1:-/work/data-desk/bench-1m.db}
BIN=${BIN:-build/guanxi}
PORT=${PORT:-18495}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-4}
WARMUP=${WARMUP:-2}
THREADS=$((CONNECTIONS < 2 ? CONNECTIONS : 2)) # wrk refuses more threads than connections
ALL="dayview_desk dayview_admin avail_desk avail_admin checkout_desk journal_desk journal_admin journal_page income_desk income_admin income_year income_total reports_page members_part"
SCENARIOS=${SCENARIOS:-$ALL}
BASE=http://127.0.0.1:$PORT
export BENCH_LOAD_DIR=$ROOT/bench/load
for t in wrk curl python3 sqlite3; do command -v $t >/dev/null || { echo "desk.sh: $t is required" >&2; exit 1; }; done
[ -f "$DB" ] || { echo "desk.sh: $DB missing (make it with guanxi-bench-desk, bench/README.md)" >&2; exit 1; }

# Business days are UTC+8.
TODAY=$(TZ=Asia/Shanghai date +%F)
YESTERDAY=$(TZ=Asia/Shanghai date -d yesterday +%F)
FROM=$(TZ=Asia/Shanghai date -d '2 years ago' +%Y-%m-01)
# Members whose stored value covers many checkouts, coaches, drinks.
Q() { sqlite3 -readonly "$DB" "$1" | paste -sd, -; }
export MEMBERS=$(Q "SELECT c.id FROM customers c JOIN member_types t ON t.id = c.member_type_id WHERE t.card_kind = 'stored_value' AND c.balance + c.bonus_balance >= 300000 AND c.expires_on >= '$TODAY' AND c.deleted_at IS NULL ORDER BY c.id LIMIT 3000")
export COACHES=$(Q "SELECT id FROM resources WHERE kind = 'coach' AND active = 1 AND deleted_at IS NULL")
export DRINKS=$(Q "SELECT id FROM resources WHERE kind = 'consumable' AND active = 1 AND deleted_at IS NULL")
[ -n "$MEMBERS" ] && [ -n "$COACHES" ] && [ -n "$DRINKS" ] || { echo "desk.sh: no front-desk data in $DB" >&2; exit 1; }

TMP=$(mktemp -d /tmp/guanxi-bench-desk.XXXXXX)
"$BIN" serve --db "$DB" --quiet --listen 127.0.0.1:$PORT ${SERVER_THREADS:+--threads $SERVER_THREADS} \
    >"$TMP/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true; rm -rf "$TMP"' EXIT
until curl -sf $BASE/healthz >/dev/null 2>&1; do
    kill -0 $SERVER 2>/dev/null || { cat "$TMP/server.log" >&2; exit 1; }
    sleep 0.1
done
login() {
    curl -sf -X POST -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"Bench12345\"}" \
        $BASE/api/v1/auth/login | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
DESK=$(login desk1)
ADMIN=$(login admin)

# CPU time (user + system, clock ticks) the server has used so far: divided
# by the requests of a run, the CPU a request costs, which waiting behind
# other processes on a loaded machine does not inflate (the wall-clock
# percentiles it does).
cpu_ticks() { awk '{print $14 + $15}' /proc/$SERVER/stat; }

# one scenario: name token script [PATHS]
run() {
    local name=$1 token=$2 script=$3
    export TOKEN=$token PATHS=${4:-}
    local size
    if [ -n "${4:-}" ]; then
        size=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' -H "Authorization: Bearer $token" "$BASE$4")
    else
        size=-
    fi
    wrk -t$THREADS -c"$CONNECTIONS" -d"${WARMUP}s" -s "bench/load/$script" $BASE >/dev/null 2>&1 || true
    local load cpu0 cpu1
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    cpu0=$(cpu_ticks)
    wrk -t$THREADS -c"$CONNECTIONS" -d"$DURATION" --latency -s "bench/load/$script" $BASE >"$TMP/$name.out" 2>"$TMP/$name.err"
    cpu1=$(cpu_ticks)
    python3 - "$name" "$TMP/$name.out" "$load" "$size" $((cpu1 - cpu0)) "$(getconf CLK_TCK)" <<'PY'
import re, sys
name, path, load, size, ticks, hz = sys.argv[1:7]
t = open(path).read()
def ms(v):
    n, u = re.match(r"([\d.]+)(\w+)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[u]
p = {k: ms(v) for k, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", t, re.M)}
rps = re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)
n = re.search(r"(\d+) requests in", t).group(1)
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
cpu = int(ticks) * 1000.0 / int(hz) / max(int(n), 1)
print("| %-14s | %7s | %6s | %7.1f | %7.1f | %7.1f | %5.1f | %s | %s |" % (name, rps, n, p.get("50", 0), p.get("90", 0),
      p.get("99", 0), cpu, bad.group(1) if bad else 0, load + ("; HTTP, bytes " + size if size != "-" else "")))
PY
    if [ -s "$TMP/$name.err" ]; then sort "$TMP/$name.err" | uniq -c | sort -rn | head -3; fi
}

echo "front desk on $DB — $(git rev-parse --short HEAD), $(date -u '+%F %H:%M UTC'), $(nproc) cores,"
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency after ${WARMUP}s warm-up; today $TODAY (UTC+8)"
echo
echo "| scenario       |   req/s |      n | p50 ms  | p90 ms  | p99 ms  | server CPU ms/req | non-2xx | load average (1, 5, 15 min) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
INCOME="/api/v1/reports/income?period=month&from=$FROM&to=$TODAY"
for s in $SCENARIOS; do
    case $s in
    dayview_desk) run $s "$DESK" report.lua "/app/bookings/day?date=$TODAY" ;;
    dayview_admin) run $s "$ADMIN" report.lua "/app/bookings/day?date=$TODAY" ;;
    avail_desk) run $s "$DESK" report.lua "/api/v1/bookings/availability?date=$TODAY" ;;
    avail_admin) run $s "$ADMIN" report.lua "/api/v1/bookings/availability?date=$TODAY" ;;
    checkout_desk) run $s "$DESK" checkout.lua ;;
    journal_desk) run $s "$DESK" report.lua "/api/v1/reports/daily_journal?date=$YESTERDAY" ;;
    journal_admin) run $s "$ADMIN" report.lua "/api/v1/reports/daily_journal?date=$YESTERDAY" ;;
    journal_page) run $s "$DESK" report.lua "/app/reports/daily_journal?date=$YESTERDAY" ;;
    income_desk) run $s "$DESK" report.lua "$INCOME" ;;
    income_admin) run $s "$ADMIN" report.lua "$INCOME" ;;
    income_year) run $s "$ADMIN" report.lua "/api/v1/reports/income?period=year" ;;
    income_total) run $s "$ADMIN" report.lua "/api/v1/reports/income?period=total" ;;
    reports_page) run $s "$DESK" report.lua "/app/reports/front_desk" ;;
    members_part) run $s "$DESK" report.lua "/app/reports/front_desk/members?from=$(TZ=Asia/Shanghai date -d '12 months ago' +%F)&to=" ;;
    *) echo "desk.sh: unknown scenario $s" >&2; exit 1 ;;
    esac
done
