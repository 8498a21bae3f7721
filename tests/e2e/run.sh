#!/bin/sh
# Browser tests of the web UI: a temporary database with an administrator, a
# server on a free port, the flows in tests/e2e/*.test.js run by node:test in
# Debian's Chromium (playwright-core), then the server is stopped.
# Screenshots of every step go to tests/e2e/artifacts/.
#
# usage: tests/e2e/run.sh [--pg] [path/to/guanxi]     (default: build/guanxi)
#        --pg: on a throwaway PostgreSQL (tests/pg_start.sh) instead of SQLite
# needs: node >= 18, npm ci (playwright-core), apt: chromium, fonts-wqy-microhei
#        (CJK glyphs in the screenshots)
set -eu
cd "$(dirname "$0")/../.."
PG=
if [ "${1:-}" = "--pg" ]; then PG=1; shift; fi
BIN=${1:-${GUANXI:-build/guanxi}}
[ -x "$BIN" ] || { echo "e2e: $BIN not found; build first (make)" >&2; exit 2; }
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "e2e: $CHROMIUM not found (apt install chromium)" >&2; exit 2; }
TMP=$(mktemp -d)
PID=
PGPORT=
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    if [ -n "$PGPORT" ]; then GX_PG_PORT=$PGPORT tests/pg_stop.sh >/dev/null 2>&1 || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
PASS='E2e-admin-pass-1'
DB="$TMP/e2e.db"
if [ -n "$PG" ]; then
    PGPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    DB=$(GX_PG_PORT=$PGPORT tests/pg_start.sh | tail -n 1)
fi
"$BIN" init --db "$DB" --admin-password "$PASS" >/dev/null
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" --quiet 2>"$TMP/server.log" &
PID=$!
i=0
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 100 ]; then echo "e2e: the server did not start" >&2; cat "$TMP/server.log" >&2; exit 1; fi
    sleep 0.1
done
mkdir -p tests/e2e/artifacts
rc=0
GX_BASE="http://127.0.0.1:$PORT" GX_USER=admin GX_PASS="$PASS" CHROMIUM="$CHROMIUM" \
    node --test ${GX_E2E_FILES:-tests/e2e/*.test.js} || rc=$?
kill "$PID" 2>/dev/null || true
wait "$PID" 2>/dev/null || true
PID=
# a sanitizer build reports memory errors and leaks in the server log
if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$TMP/server.log"; then
    echo "e2e: the server reported memory errors:" >&2
    grep -A 30 -E "ERROR: (Address|Leak)Sanitizer|runtime error:" "$TMP/server.log" | head -n 120 >&2
    rc=1
fi
if [ $rc -ne 0 ]; then echo "--- server log ---" >&2; tail -n 50 "$TMP/server.log" >&2; fi
exit $rc
