#!/usr/bin/env bash
# run.sh — the bench generator's database served as it is: test_gen.py
# generates a small database with guanxi-bench-gen --verify, starts the
# server on it and checks counts, global search, list search, duplicate
# checks and codes against the generated rows.
#
#   GUANXI=build/guanxi tests/bench/run.sh   (guanxi-bench-gen next to it,
#                                             or GUANXI_BENCH_GEN)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
GUANXI="${GUANXI:-build/guanxi}"
[ -x "$GUANXI" ] || GUANXI="$root/$GUANXI"
[ -x "$GUANXI" ] || { echo "run.sh: $GUANXI is not an executable" >&2; exit 2; }
export GUANXI="$(cd "$(dirname "$GUANXI")" && pwd)/$(basename "$GUANXI")"
PYTHONDONTWRITEBYTECODE=1 python3 -m unittest discover -s "$here" -t "$here" -p 'test_*.py' -v
