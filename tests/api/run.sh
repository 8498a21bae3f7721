#!/usr/bin/env bash
# run.sh — the black-box API suite (tests/api/test_*.py) against a freshly
# started server on a temporary database.
#
#   tests/api/run.sh            SQLite (a file in a temporary directory)
#   tests/api/run.sh --pg       PostgreSQL started by tests/pg_start.sh
#
# Environment:
#   GUANXI      the binary (default build/guanxi; nothing is built here)
#   GX_PG_PORT  port for the throwaway PostgreSQL (default: a free port)
#   GX_API_TESTS  extra arguments for unittest (e.g. "-k Permissions")
#   GX_SERVER_WRAP  a command the server runs under (scripts/valgrind.sh:
#               valgrind …); its exit status counts like the server's
#
# Steps: `guanxi init --db … --admin-password …`, `guanxi serve … --quiet` on
# a free loopback port, wait for /healthz, run the suite with GX_BASE_URL and
# GX_ADMIN_PASSWORD in the environment, stop the server with SIGTERM and
# check that it exits 0 (graceful shutdown). Exits non-zero on any failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

PG=0
for arg in "$@"; do
    case "$arg" in
    --pg) PG=1 ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done

GUANXI="${GUANXI:-build/guanxi}"
if [ ! -x "$GUANXI" ] && [ -x "$root/$GUANXI" ]; then
    GUANXI="$root/$GUANXI"
fi
[ -x "$GUANXI" ] || { echo "run.sh: $GUANXI is not an executable (build it first, or set GUANXI)" >&2; exit 2; }
GUANXI="$(cd "$(dirname "$GUANXI")" && pwd)/$(basename "$GUANXI")"
command -v python3 >/dev/null 2>&1 || { echo "run.sh: python3 is required" >&2; exit 2; }

TMP="$(mktemp -d /tmp/guanxi-apitest.XXXXXXXX)"
SERVER_PID=""
PG_STARTED=0

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [ "$PG_STARTED" = 1 ]; then
        "$root/tests/pg_stop.sh" >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$PG" = 1 ]; then
    export GX_PG_PORT="${GX_PG_PORT:-$(free_port)}"
    PG_STARTED=1
    DB="$("$root/tests/pg_start.sh" | tail -n 1)" || { echo "run.sh: PostgreSQL did not start" >&2; exit 1; }
    case "$DB" in postgresql://*) ;; *) echo "run.sh: pg_start.sh printed no URL" >&2; exit 1 ;; esac
    BACKEND="PostgreSQL ($DB)"
    export GX_BACKEND=postgresql
else
    DB="$TMP/guanxi.db"
    BACKEND="SQLite ($DB)"
    export GX_BACKEND=sqlite
fi

ADMIN_PASSWORD="Adm1n-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
if ! "$GUANXI" init --db "$DB" --admin-password "$ADMIN_PASSWORD" >"$TMP/init.log" 2>&1; then
    echo "run.sh: guanxi init failed:" >&2
    cat "$TMP/init.log" >&2
    exit 1
fi

# Start the server on a free port (retry if another process takes it first).
BASE=""
for attempt in 1 2 3; do
    PORT="$(free_port)"
    # shellcheck disable=SC2086
    ${GX_SERVER_WRAP:-} "$GUANXI" serve --db "$DB" --listen "127.0.0.1:$PORT" --quiet >"$TMP/server.log" 2>&1 &
    SERVER_PID=$!
    if python3 - "$PORT" "$SERVER_PID" <<'EOF'
import os, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
deadline = time.time() + (300 if os.environ.get("GX_SERVER_WRAP") else 30)
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)  # the server died
    try:
        with urllib.request.urlopen("http://127.0.0.1:%s/healthz" % port, timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except Exception:
        pass
    time.sleep(0.05)
sys.exit(1)
EOF
    then
        BASE="http://127.0.0.1:$PORT"
        break
    fi
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
    fi
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=""
    echo "run.sh: the server did not come up on port $PORT (attempt $attempt):" >&2
    tail -n 20 "$TMP/server.log" >&2
done
[ -n "$BASE" ] || { echo "run.sh: cannot start the server" >&2; exit 1; }

echo "run.sh: $BACKEND, server $BASE (pid $SERVER_PID), binary $GUANXI" >&2
start=$(date +%s)
# shellcheck disable=SC2086
# GX_DB and GUANXI let tests run CLI commands on the same database (e.g.
# `guanxi jobs run` with a faked clock).
GX_DB="$DB" GUANXI="$GUANXI" GX_BASE_URL="$BASE" GX_ADMIN_PASSWORD="$ADMIN_PASSWORD" PYTHONDONTWRITEBYTECODE=1 \
    python3 -m unittest discover -s "$here" -t "$here" -p 'test_*.py' -v ${GX_API_TESTS:-}
TESTS_RC=$?
echo "run.sh: suite finished in $(( $(date +%s) - start )) s with status $TESTS_RC" >&2

# Graceful shutdown: SIGTERM, then the server must exit 0 within 15 s
# (120 s under a wrapper such as valgrind).
STOP_RC=0
STOP_TENTHS=150
[ -n "${GX_SERVER_WRAP:-}" ] && STOP_TENTHS=1200
if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    for _ in $(seq "$STOP_TENTHS"); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "run.sh: FAIL: the server did not stop within $((STOP_TENTHS / 10)) s of SIGTERM" >&2
        kill -KILL "$SERVER_PID" 2>/dev/null
        STOP_RC=1
    fi
    wait "$SERVER_PID"
    rc=$?
    if [ "$STOP_RC" = 0 ] && [ "$rc" != 0 ]; then
        echo "run.sh: FAIL: the server exited with status $rc after SIGTERM (want 0)" >&2
        STOP_RC=1
    fi
else
    wait "$SERVER_PID"
    echo "run.sh: FAIL: the server died during the suite (status $?)" >&2
    STOP_RC=1
fi
SERVER_PID=""

if [ "$TESTS_RC" != 0 ] || [ "$STOP_RC" != 0 ]; then
    echo "run.sh: server log (last 40 lines):" >&2
    tail -n 40 "$TMP/server.log" >&2
    echo "run.sh: FAILED ($BACKEND)" >&2
    exit 1
fi
echo "run.sh: OK ($BACKEND)" >&2
exit 0
