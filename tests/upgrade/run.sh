#!/usr/bin/env bash
# run.sh — upgrade test: databases written by earlier releases
# (tests/upgrade/release-2.db and release-3.db; how each was made is in
# test_upgrade.py) are migrated by the current binary and checked through
# the API.
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
