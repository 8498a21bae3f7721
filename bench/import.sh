#!/usr/bin/env bash
# import.sh — time a CSV import of customers (with duplicate checks by phone
# and e-mail) through POST /api/v1/customers/import on a bench database.
#
#   bench/import.sh [DB] [ROWS]      default data/bench-1m.db, 100000 rows
#
# Works on a COPY of the database (the import adds ROWS customers): copy
# data/bench-1m.db first and run `guanxi migrate --db COPY` once. Generates a
# CSV (name, phone, email, level, credit limit, notes; 1 row in 20 repeats a
# phone of the 1M database, so that on_duplicate=skip has work), starts
# `guanxi serve` on it, logs in as admin and posts the file; prints rows/s.
# Environment: GUANXI (default build-bench/guanxi or build/guanxi), PORT
# (default 18481), ON_DUPLICATE (skip), ADMIN_PASSWORD (Bench12345), EXTRA
# appended to the URL (e.g. '&partial=1': commit the valid rows; without it
# the file's few same-phone rows fail the whole import, which is then rolled
# back and the database stays as it was). Also prints the server's CPU
# seconds for the request (user + system), which the load average does not
# change as much as the wall clock, and its peak RSS. UNIQUE=1: no phone of
# the database is repeated twice in the file (nothing fails: an
# all-or-nothing import commits too). SEED (default 7): another seed writes
# other names and e-mails, for committed runs one after the other on one
# copy (the same file again would be skipped as duplicates).
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${1:-data/bench-1m.db}
ROWS=${2:-100000}
PORT=${PORT:-18481}
PASS=${ADMIN_PASSWORD:-Bench12345}
GUANXI=${GUANXI:-$( [ -x build-bench/guanxi ] && echo build-bench/guanxi || echo build/guanxi )}
[ -f "$DB" ] || { echo "import.sh: $DB not found (bench/README.md)" >&2; exit 2; }
TMP=$(mktemp -d /tmp/guanxi-import-bench.XXXXXX)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

# Existing phones to collide with (1 in 20 rows).
python3 - "$DB" "$ROWS" "$TMP/import.csv" <<'PY'
import os, random, sqlite3, sys
db, rows, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
old = [r[0] for r in con.execute("SELECT phone FROM customers WHERE phone IS NOT NULL ORDER BY id DESC LIMIT 20000")]
seed = int(os.environ.get("SEED") or 7)
random.seed(seed)
tag = "" if seed == 7 else "%d-" % seed  # another seed: other names and e-mails (a committed run's rows are skipped as duplicates by the next)
unique = os.environ.get("UNIQUE") == "1"
if unique:  # no phone twice in the file: nothing fails, an all-or-nothing import commits
    random.shuffle(old)
with open(out, "w", encoding="utf-8") as f:
    f.write("客户名称,电话,邮箱,客户级别,信用额度,备注\n")
    for i in range(rows):
        phone = (old[(i // 20) % len(old)] if unique else random.choice(old)) if old and i % 20 == 0 else "15%09d" % random.randrange(10**9)
        f.write("导入测试%s%07d 贸易有限公司,%s,imp%s%07d.%d@example.com,%s,%d.%02d,\"第 %d 行, \"\"批量\"\"\"\n"
                % (tag, i, phone, tag, i, random.randrange(10**6), "ABC"[i % 3], random.randrange(10**5), i % 100, i))
PY
echo "import.sh: $(wc -l < "$TMP/import.csv") lines, $(du -h "$TMP/import.csv" | cut -f1) in $TMP/import.csv"

"$GUANXI" serve --db "$DB" --listen "127.0.0.1:$PORT" --quiet 2>"$TMP/server.log" &
PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
TOKEN=$(curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$PASS\"}" \
    "http://127.0.0.1:$PORT/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
# On-CPU and run-queue waiting nanoseconds of the server's threads
# (schedstat; sampled every 0.2 s, as the thread serving the request may end
# with it), and the bytes it wrote: the wall clock minus both is the time
# it spent blocked (disk reads and writes, fsync, locks).
sample() { while kill -0 "$PID" 2>/dev/null; do
    for f in /proc/$PID/task/*/schedstat; do t=${f%/schedstat}; echo "${t##*/} $(cat "$f" 2>/dev/null)"; done
    sleep 0.2; done; }
sched() { awk '{c[$1] = $2; w[$1] = $3} END {for (t in c) {sc += c[t]; sw += w[t]}; printf "%.0f %.0f", sc, sw}' "$1"; }
wbytes() { awk '/^write_bytes/ {print $2}' /proc/$PID/io; }
for f in /proc/$PID/task/*/schedstat; do t=${f%/schedstat}; echo "${t##*/} $(cat "$f")"; done >"$TMP/sched0"
read -r on0 wait0 <<<"$(sched "$TMP/sched0")"; wb0=$(wbytes)
sample >"$TMP/sched1" & SAMPLER=$!
cpu0=$(cpu); ut0=$(awk '{print $14}' /proc/$PID/stat); st0=$(awk '{print $15}' /proc/$PID/stat)
start=$(date +%s.%N)
curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' --data-binary @"$TMP/import.csv" \
    "http://127.0.0.1:$PORT/api/v1/customers/import?on_duplicate=${ON_DUPLICATE:-skip}&filename=bench.csv${EXTRA:-}" >"$TMP/report.json" ||
    { echo "import.sh: the import failed" >&2; cat "$TMP/report.json" >&2; echo >&2; tail "$TMP/server.log" >&2; exit 1; }
end=$(date +%s.%N)
cpu1=$(cpu)
kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true
for f in /proc/$PID/task/*/schedstat; do t=${f%/schedstat}; echo "${t##*/} $(cat "$f")"; done >>"$TMP/sched1"
cat "$TMP/sched0" "$TMP/sched1" >"$TMP/sched2"
read -r on1 wait1 <<<"$(sched "$TMP/sched2")"; wb1=$(wbytes)
awk -v s="$start" -v e="$end" -v c=$((on1 - on0)) -v w=$((wait1 - wait0)) -v b=$((wb1 - wb0)) 'BEGIN {
    wall = e - s; printf "import.sh: wall %.1f s = on CPU %.1f s + waiting for a CPU %.1f s + blocked %.1f s; %.0f MB written\n",
    wall, c / 1e9, w / 1e9, wall - c / 1e9 - w / 1e9, b / 1e6 }'
echo "import.sh: server user $(awk -v a="$ut0" '{printf "%.2f", ($14 - a) / '"$(getconf CLK_TCK)"'}' /proc/$PID/stat) s, system $(awk -v a="$st0" '{printf "%.2f", ($15 - a) / '"$(getconf CLK_TCK)"'}' /proc/$PID/stat) s"
echo "import.sh: server peak RSS $(awk '/VmHWM/ {print $2, $3}' /proc/$PID/status)"
cp "$TMP/report.json" /tmp/import-bench-report.json
python3 - "$TMP/report.json" "$start" "$end" "$ROWS" "$cpu0" "$cpu1" "$(getconf CLK_TCK)" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
secs = float(sys.argv[3]) - float(sys.argv[2])
rows = int(sys.argv[4])
cpu = (float(sys.argv[6]) - float(sys.argv[5])) / float(sys.argv[7])
print("import.sh: %d rows in %.2f s = %.0f rows/s (created %d, skipped %d, failed %d, committed %s);"
      " server CPU %.2f s = %.0f rows per CPU-second"
      % (rows, secs, rows / secs, rep["created"], rep["skipped"], rep["failed"], rep.get("committed"),
         cpu, rows / cpu if cpu else 0))
PY
