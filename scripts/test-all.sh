#!/usr/bin/env bash
# test-all.sh — every test: install what is missing, build, then unit tests,
# the API suite on SQLite and on PostgreSQL, the upgrade and bench-generator
# tests, the OpenAPI lint, the browser suite, and the unit and API suites
# again under AddressSanitizer and UndefinedBehaviorSanitizer. Exits
# non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh

step() { printf '\n=== %s ===\n' "$*"; }

step "build (-Wall -Wextra -Werror)"
make -s

step "unit tests"
meson test -C build --suite unit --print-errorlogs

step "API tests on SQLite"
GUANXI=build/guanxi tests/api/run.sh

step "API tests on PostgreSQL"
GUANXI=build/guanxi tests/api/run.sh --pg

step "upgrade of databases of earlier releases"
GUANXI=build/guanxi tests/upgrade/run.sh

step "bench generator: a generated database served as it is"
GUANXI=build/guanxi tests/bench/run.sh

step "translations complete (zh_CN)"
./po/update.sh --check

step "OpenAPI document lint"
GUANXI=build/guanxi tests/openapi_lint.sh

step "browser tests (Chromium) on SQLite"
GUANXI=build/guanxi tests/e2e/run.sh
step "browser tests (Chromium) on PostgreSQL"
GUANXI=build/guanxi tests/e2e/run.sh --pg

step "AddressSanitizer + UndefinedBehaviorSanitizer build"
make -s asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp"  # third-party leaks only (see the file)
step "unit tests under ASan/UBSan"
meson test -C build-asan --suite unit --print-errorlogs
step "API tests on SQLite under ASan/UBSan"
GUANXI=build-asan/guanxi tests/api/run.sh

printf '\nAll tests passed.\n'
