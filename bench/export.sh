#!/usr/bin/env bash
# export.sh — time an export of customers (the 100,000-row cap of
# GET /api/v1/{entity}/export) on a bench database, as admin.
#
#   bench/export.sh [DB] [FORMAT] [QUERY]   default data/bench-1m.db, xlsx
#
# QUERY is added to the URL (filters, e.g. 'owner_id=17'). Starts `guanxi
# serve` on DB (read-only use, but the export writes its audit row), warms
# the page cache with one CSV export of 1,000 rows, then prints the wall time
# of the request, the server's CPU time for it (utime+stime from /proc),
# the bytes and the rows of the file, and the load average.
# Environment: GUANXI (default build-bench/guanxi or build/guanxi), PORT
# (default 18482), ADMIN_PASSWORD (Bench12345).
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${1:-data/bench-1m.db}
FORMAT=${2:-xlsx}
QUERY=${3:-}
PORT=${PORT:-18482}
PASS=${ADMIN_PASSWORD:-Bench12345}
GUANXI=${GUANXI:-$( [ -x build-bench/guanxi ] && echo build-bench/guanxi || echo build/guanxi )}
[ -f "$DB" ] || { echo "export.sh: $DB not found (bench/README.md)" >&2; exit 2; }
TMP=$(mktemp -d /tmp/guanxi-export-bench.XXXXXX)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

"$GUANXI" serve --db "$DB" --listen "127.0.0.1:$PORT" --quiet 2>"$TMP/server.log" &
PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
TOKEN=$(curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$PASS\"}" \
    "http://127.0.0.1:$PORT/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
URL="http://127.0.0.1:$PORT/api/v1/customers/export?format=$FORMAT${QUERY:+&$QUERY}"
curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/customers?limit=500"
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
ticks=$(getconf CLK_TCK)
c0=$(cpu)
start=$(date +%s.%N)
curl -sf -H "Authorization: Bearer $TOKEN" -o "$TMP/out.$FORMAT" "$URL" ||
    { echo "export.sh: the export failed" >&2; tail "$TMP/server.log" >&2; exit 1; }
end=$(date +%s.%N)
c1=$(cpu)
python3 - "$TMP/out.$FORMAT" "$FORMAT" "$start" "$end" "$c0" "$c1" "$ticks" <<'PY'
import sys, zipfile, re
path, fmt, start, end, c0, c1, ticks = sys.argv[1:]
if fmt == "xlsx":
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    rows = len(re.findall(rb"<row ", sheet)) - 1
else:
    rows = open(path, "rb").read().count(b"\r\n") - 1
import os
print("export.sh: %s, %d rows, %.1f MB in %.2f s wall, %.2f s server CPU"
      % (fmt, rows, os.path.getsize(path) / 1e6, float(end) - float(start), (float(c1) - float(c0)) / float(ticks)))
PY
echo "export.sh: $(uptime)"
