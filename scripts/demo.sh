#!/usr/bin/env bash
# demo.sh — install what is missing, build, create data/demo.db with demo
# data (first run only) and serve it on http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
make -s
mkdir -p data
DB=data/demo.db
if [ ! -f "$DB" ]; then
    build/guanxi init --db "$DB" --admin-password admin12345
    build/guanxi demo --db "$DB"
fi
cat <<MSG

  Guanxi is running: open http://127.0.0.1:8080
  Log in as admin / admin12345 (administrator),
  or as manager_a, rep_a1, rep_a2, rep_b1, rep_en, service1 with password demo12345.
  Stop with Ctrl-C.

MSG
exec build/guanxi serve --db "$DB" --listen "${GUANXI_LISTEN:-127.0.0.1:8080}"
