#!/usr/bin/env bash
# pg_start.sh — start a throwaway PostgreSQL server for tests.
#
# Listens on 127.0.0.1:$GX_PG_PORT (default 55432), trust authentication,
# superuser "postgres", data in a fresh temporary directory whose path is
# stored in /tmp/guanxi-pg-$PORT (tests/pg_stop.sh stops the server and
# removes it). Creates database guanxi_test and prints its URL as the last
# line on stdout:
#     postgresql://postgres@127.0.0.1:PORT/guanxi_test
# Everything else goes to stderr. Run as root, the server runs as the
# "postgres" user (runuser); run as anyone else, it runs as that user.
# A previous instance on the same port started by this script is replaced.
set -euo pipefail

PORT="${GX_PG_PORT:-55432}"
STATE="/tmp/guanxi-pg-$PORT"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() { echo "pg_start: $*" >&2; exit 1; }

case "$PORT" in '' | *[!0-9]*) die "bad port '$PORT'" ;; esac

# Server binaries: Debian keeps them in /usr/lib/postgresql/<version>/bin,
# outside PATH. Take the newest version; fall back to PATH / pg_config.
BINDIR=""
for d in $(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then BINDIR="$d"; break; fi
done
if [ -z "$BINDIR" ] && command -v initdb >/dev/null 2>&1; then
    BINDIR="$(dirname "$(command -v initdb)")"
fi
if [ -z "$BINDIR" ] && command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    BINDIR="$(pg_config --bindir)"
fi
[ -n "$BINDIR" ] || die "initdb not found (install the postgresql package)"

# Clients: prefer the server's directory, else PATH.
PSQL="$BINDIR/psql"
[ -x "$PSQL" ] || PSQL="$(command -v psql || true)"
[ -n "$PSQL" ] || die "psql not found (install postgresql-client)"

if [ "$(id -u)" = 0 ]; then
    RUNAS=postgres
    id "$RUNAS" >/dev/null 2>&1 || die "running as root but there is no 'postgres' user"
    command -v runuser >/dev/null 2>&1 || die "running as root but runuser is missing"
    as_server() { runuser -u "$RUNAS" -- "$@"; }
else
    RUNAS="$(id -un)"
    as_server() { "$@"; }
fi

# Replace an earlier instance on this port.
if [ -f "$STATE" ]; then
    echo "pg_start: stopping the previous server on port $PORT" >&2
    GX_PG_PORT="$PORT" "$here/pg_stop.sh" >&2 || true
fi

DIR="$(mktemp -d /tmp/guanxi-pg.XXXXXXXX)"
echo "$DIR" > "$STATE"
[ "$RUNAS" = "$(id -un)" ] || chown "$RUNAS" "$DIR"
chmod 700 "$DIR"

fail() {
    echo "pg_start: $*" >&2
    [ -f "$DIR/log" ] && tail -n 20 "$DIR/log" >&2
    [ -f "$DIR/initdb.log" ] && tail -n 20 "$DIR/initdb.log" >&2
    exit 1
}

# C.UTF-8 exists on Debian 12 (glibc); fall back to C elsewhere.
LOCALE=C.UTF-8
if command -v locale >/dev/null 2>&1 && ! locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
    LOCALE=C
fi

as_server "$BINDIR/initdb" -D "$DIR/data" -A trust -U postgres --locale="$LOCALE" -E UTF8 -N \
    > "$DIR/initdb.log" 2>&1 || fail "initdb failed"

# Throwaway server: no durability, socket in our own directory (the default
# /var/run/postgresql is not writable for ordinary users).
cat >> "$DIR/data/postgresql.conf" <<EOF

# pg_start.sh
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF

as_server "$BINDIR/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 60 start >&2 ||
    fail "server did not start (is port $PORT in use?)"

"$PSQL" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE guanxi_test" >&2 || fail "cannot create database guanxi_test"

echo "postgresql://postgres@127.0.0.1:$PORT/guanxi_test"
