#!/usr/bin/env bash
# valgrind.sh — memcheck over the unit tests and over the server while a
# part of the API suite runs against it (SQLite). Any invalid read or write,
# use of uninitialised memory, or definitely lost block fails it. Slow
# (everything runs ~30x slower), so it is not part of test-all.sh: run it
# before a release or after touching memory handling.
#
#   scripts/valgrind.sh                       unit tests + API subset
#   GX_API_TESTS="-k test_pool" scripts/valgrind.sh    another API subset
#
# Needs: valgrind (apt), a build (make).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind.sh: apt install valgrind" >&2; exit 2; }
make -s

VG=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite --suppressions="$PWD/tests/valgrind.supp" --quiet)

printf '\n=== unit tests under valgrind ===\n'
meson test -C build --suite unit --print-errorlogs --timeout-multiplier 30 --wrap="${VG[*]}"

printf '\n=== API tests against a server under valgrind (SQLite) ===\n'
# Records, lists and their search, bad input, scopes, attachments: the
# engine's paths. The whole suite would take about an hour under valgrind.
GX_API_TESTS="${GX_API_TESTS:--k test_crud -k test_list. -k test_bad_input -k test_scopes -k test_attachments}" \
GX_SERVER_WRAP="${VG[*]}" GUANXI=build/guanxi tests/api/run.sh
printf '\nvalgrind: clean.\n'
