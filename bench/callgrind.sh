#!/usr/bin/env bash
# callgrind.sh BINARY N PATH — instructions a server spends serving N GETs of
# PATH (as admin) on a fresh demo database, counted by callgrind inside the
# API handler only (--toggle-collect=h_get for /api/v1/{entity}/{id}). Load
# on the machine does not change the count, so it compares builds fairly
# while wall-clock benchmarks cannot (see bench/README.md).
#
#   bench/callgrind.sh build/guanxi 500 /api/v1/customers/5
#   FN=h_list bench/callgrind.sh build/guanxi 200 '/api/v1/customers?limit=20'
#   FN=h_create BODY='{"name": "客户{n}", "phone": "1380013{n:04d}"}' \
#       bench/callgrind.sh build/guanxi 200 /api/v1/customers    # POST; {n} numbers the requests
#   callgrind_annotate /tmp/guanxi-callgrind/cg.out | head -40
# CG_DIR (default /tmp/guanxi-callgrind) is the scratch directory: give each
# concurrent run its own.
# CONC=K sends the N requests over K connections at once (K client threads,
# N/K requests each), THREADS=T gives the server --threads T: with group
# commit, concurrent writes share COMMITs (and their before-commit work).
# DB=FILE uses that database as it is instead of a fresh demo (writes stay
# in it: use a copy), LOGIN=user:password who logs in (default admin):
#   DB=/tmp/desk.db LOGIN=desk1:Bench12345 FN=ui_bookings_day \
#       bench/callgrind.sh build/guanxi 3 '/app/bookings/day?date=2026-12-07'
set -euo pipefail
BIN=$(readlink -f "$1"); N=$2; P=$3; FN=${FN:-h_get}
D=${CG_DIR:-/tmp/guanxi-callgrind}; rm -rf "$D"; mkdir -p "$D"
LOGIN=${LOGIN:-admin:Admin12345}
if [ -n "${DB:-}" ]; then
    ln -s "$(readlink -f "$DB")" "$D/db"
else
    "$BIN" init --db "$D/db" --admin-password Admin12345 >/dev/null 2>&1
    "$BIN" demo --db "$D/db" --customers 300 >/dev/null 2>&1
fi
PORT=$((20000 + RANDOM % 10000))
valgrind --tool=callgrind --toggle-collect="$FN" --callgrind-out-file="$D/cg.out" \
    "$BIN" serve --db "$D/db" --listen 127.0.0.1:$PORT --quiet ${THREADS:+--threads $THREADS} >"$D/log" 2>&1 &
VP=$!
for _ in $(seq 100); do curl -s -o /dev/null "localhost:$PORT/healthz" && break; sleep 0.5; done
LOGIN="$LOGIN" BODY="${BODY:-}" CONC="${CONC:-1}" python3 - "$PORT" "$N" "$P" <<'PY'
import http.client, json, os, re, sys, threading
port, n, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
body = os.environ["BODY"]
conc = int(os.environ["CONC"])
c = http.client.HTTPConnection("127.0.0.1", port)
user, password = os.environ["LOGIN"].split(":", 1)
c.request("POST", "/api/v1/auth/login", json.dumps({"username": user, "password": password}))
tok = json.loads(c.getresponse().read())["token"]
errors = []
def run(first, count):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    for i in range(first, first + count):
        if body:
            text = re.sub(r"\{n(?::0(\d+)d)?\}", lambda m: str(i).zfill(int(m.group(1) or 0)), body)
            c.request("POST", path, text.encode(),
                      headers={"Authorization": "Bearer " + tok, "Content-Type": "application/json"})
        else:
            c.request("GET", path, headers={"Authorization": "Bearer " + tok})
        r = c.getresponse(); data = r.read()
        if r.status not in (200, 201):
            errors.append((r.status, data[:300]))
ts = [threading.Thread(target=run, args=(k * (n // conc), n // conc)) for k in range(conc)]
for t in ts: t.start()
for t in ts: t.join()
assert not errors, errors[:3]
PY
kill -TERM $VP; wait $VP || true
total=$(grep -E "^summary:" "$D/cg.out" | awk '{print $2}')
echo "$FN: $total instructions for $N requests: $((total / N)) per request"
