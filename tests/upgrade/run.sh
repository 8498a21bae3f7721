#!/usr/bin/env bash
# run.sh — upgrade test: a database written by the last release
# (tests/upgrade/release-2.db: migrations 1-2, `guanxi init` + `guanxi demo
# --customers 40` by commit 2392180, admin password Admin12345, demo users
# demo12345) is migrated by the current binary and checked through the API.
#
#   GUANXI=build/guanxi tests/upgrade/run.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
GUANXI="${GUANXI:-build/guanxi}"
[ -x "$GUANXI" ] || GUANXI="$root/$GUANXI"
[ -x "$GUANXI" ] || { echo "run.sh: $GUANXI is not an executable" >&2; exit 2; }
export GUANXI="$(cd "$(dirname "$GUANXI")" && pwd)/$(basename "$GUANXI")"
PYTHONDONTWRITEBYTECODE=1 python3 -m unittest discover -s "$here" -t "$here" -p 'test_*.py' -v
