#!/usr/bin/env bash
# bench/explain.sh — query plans and timings of the SQL behind the list
# endpoint on a bench database, written out as the record engine builds it
# (record_list: the page query, then count(*) unless the page shows the end
# of the result; the list API caps that count at 10,000 rows).
#
# usage: bench/explain.sh [DB]        (default data/bench-1m.db)
# Each query runs three times in one sqlite3 session with the server's
# connection settings; the last "Run Time" is the warm figure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DB=${1:-$ROOT/data/bench-1m.db}

REP=$(sqlite3 "$DB" "SELECT id FROM users WHERE username = 'u17'")
TREE=$(sqlite3 "$DB" "SELECT group_concat(id, ', ') FROM departments
    WHERE id = (SELECT department_id FROM users WHERE username = 'm3')
       OR parent_id = (SELECT department_id FROM users WHERE username = 'm3')")
COLS="id, owner_id, department_id, created_at, created_by, updated_at, updated_by, version, deleted_at, name, code,
 kind, customer_type, level, source, industry, region, status, lifecycle, credit_code, phone, email, website, address,
 credit_limit, tags, next_follow_up, notes"
LIKE="(name LIKE '%恒通%' ESCAPE '\\' OR code LIKE '%恒通%' ESCAPE '\\' OR credit_code LIKE '%恒通%' ESCAPE '\\'
 OR phone LIKE '%恒通%' ESCAPE '\\' OR email LIKE '%恒通%' ESCAPE '\\' OR notes LIKE '%恒通%' ESCAPE '\\')"

declare -a NAMES QUERIES
add() { NAMES+=("$1"); QUERIES+=("$2"); }
add "admin, owner_id filter: page" "SELECT $COLS FROM customers WHERE deleted_at IS NULL AND (owner_id = $REP) ORDER BY updated_at DESC, id DESC LIMIT 50 OFFSET 0"
add "admin, owner_id filter: count" "SELECT count(*) FROM customers WHERE deleted_at IS NULL AND (owner_id = $REP)"
add "rep (own): page" "SELECT $COLS FROM customers WHERE deleted_at IS NULL AND owner_id = $REP AND 1=1 ORDER BY updated_at DESC, id DESC LIMIT 50 OFFSET 0"
add "manager (dept tree): page" "SELECT $COLS FROM customers WHERE deleted_at IS NULL AND department_id IN ($TREE) AND 1=1 ORDER BY updated_at DESC, id DESC LIMIT 50 OFFSET 0"
add "manager (dept tree): count" "SELECT count(*) FROM customers WHERE deleted_at IS NULL AND department_id IN ($TREE) AND 1=1"
add "manager (dept tree): count capped at 10001 (API)" "SELECT count(*) FROM (SELECT 1 FROM customers WHERE deleted_at IS NULL AND department_id IN ($TREE) AND 1=1 LIMIT 10001)"
add "admin, all: page" "SELECT $COLS FROM customers WHERE deleted_at IS NULL AND 1=1 ORDER BY updated_at DESC, id DESC LIMIT 50 OFFSET 0"
add "admin, all: count" "SELECT count(*) FROM customers WHERE deleted_at IS NULL AND 1=1"
add "admin, all: count capped at 10001 (API)" "SELECT count(*) FROM (SELECT 1 FROM customers WHERE deleted_at IS NULL AND 1=1 LIMIT 10001)"
add "admin, offset 100000: page" "SELECT $COLS FROM customers WHERE deleted_at IS NULL AND 1=1 ORDER BY updated_at DESC, id DESC LIMIT 50 OFFSET 100000"
add "search 3 chars (trigram): page" "SELECT $COLS FROM customers WHERE deleted_at IS NULL AND 1=1 AND id IN (SELECT rowid FROM customers_gt WHERE customers_gt MATCH '{n o e} : \"恒通贸\"') ORDER BY updated_at DESC, id DESC LIMIT 50 OFFSET 0"
add "search common 3 chars 有限公: page" "SELECT $COLS FROM customers WHERE deleted_at IS NULL AND 1=1 AND id IN (SELECT rowid FROM customers_gt WHERE customers_gt MATCH '{n o e} : \"有限公\"') ORDER BY updated_at DESC, id DESC LIMIT 50 OFFSET 0"
add "search common 3 chars 有限公: count" "SELECT count(*) FROM customers WHERE deleted_at IS NULL AND 1=1 AND id IN (SELECT rowid FROM customers_gt WHERE customers_gt MATCH '{n o e} : \"有限公\"')"
add "search 2 chars (LIKE): page" "SELECT $COLS FROM customers WHERE deleted_at IS NULL AND 1=1 AND $LIKE ORDER BY updated_at DESC, id DESC LIMIT 50 OFFSET 0"
add "search common 3 chars 有限公: count capped at 10001 (API)" "SELECT count(*) FROM (SELECT 1 FROM customers WHERE deleted_at IS NULL AND 1=1 AND id IN (SELECT rowid FROM customers_gt WHERE customers_gt MATCH '{n o e} : \"有限公\"') LIMIT 10001)"
add "search 2 chars (LIKE): count" "SELECT count(*) FROM customers WHERE deleted_at IS NULL AND 1=1 AND $LIKE"

PRAGMAS="PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"
for i in "${!NAMES[@]}"; do
    echo "== ${NAMES[$i]}"
    sqlite3 "$DB" "$PRAGMAS" "EXPLAIN QUERY PLAN ${QUERIES[$i]}" | grep -v '^[0-9]*$'
    # Three runs, output discarded; the last "Run Time" is the warm one.
    printf '%s\n.output /dev/null\n.timer on\n%s;\n%s;\n%s;\n' "$PRAGMAS" "${QUERIES[$i]}" "${QUERIES[$i]}" \
        "${QUERIES[$i]}" | sqlite3 "$DB" 2>&1 | grep 'Run Time' | tail -1
done
