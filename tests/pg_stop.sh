#!/usr/bin/env bash
# pg_stop.sh — stop the server started by tests/pg_start.sh on port
# $GX_PG_PORT (default 55432) and remove its directory.
set -uo pipefail

PORT="${GX_PG_PORT:-55432}"
STATE="/tmp/guanxi-pg-$PORT"

if [ ! -f "$STATE" ]; then
    echo "pg_stop: no server recorded for port $PORT ($STATE missing)" >&2
    exit 0
fi
DIR="$(cat "$STATE")"
case "$DIR" in
/tmp/guanxi-pg.*) ;;
*) echo "pg_stop: refusing to remove unexpected directory '$DIR'" >&2; exit 1 ;;
esac

if [ -f "$DIR/data/postmaster.pid" ]; then
    BINDIR=""
    # Use the pg_ctl of the version that created the cluster.
    if [ -f "$DIR/data/PG_VERSION" ] && [ -x "/usr/lib/postgresql/$(cat "$DIR/data/PG_VERSION")/bin/pg_ctl" ]; then
        BINDIR="/usr/lib/postgresql/$(cat "$DIR/data/PG_VERSION")/bin"
    fi
    if [ -z "$BINDIR" ]; then
        for d in $(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V -r); do
            if [ -x "$d/pg_ctl" ]; then BINDIR="$d"; break; fi
        done
    fi
    if [ -z "$BINDIR" ] && command -v pg_ctl >/dev/null 2>&1; then
        BINDIR="$(dirname "$(command -v pg_ctl)")"
    fi
    OWNER="$(stat -c %U "$DIR/data")"
    if [ -n "$BINDIR" ]; then
        if [ "$(id -u)" = 0 ] && [ "$OWNER" != root ]; then
            runuser -u "$OWNER" -- "$BINDIR/pg_ctl" -D "$DIR/data" -m fast -w -t 60 stop >&2
        else
            "$BINDIR/pg_ctl" -D "$DIR/data" -m fast -w -t 60 stop >&2
        fi
    fi
    # Last resort: signal the postmaster directly.
    if [ -f "$DIR/data/postmaster.pid" ]; then
        pid="$(head -n 1 "$DIR/data/postmaster.pid")"
        case "$pid" in '' | *[!0-9]*) ;; *)
            kill -QUIT "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            ;;
        esac
    fi
fi

rm -rf "$DIR"
rm -f "$STATE"
