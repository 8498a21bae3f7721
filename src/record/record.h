/* record.h — the generic record engine: CRUD, list, search, trash, audit,
 * history and hooks for every entity described by metadata.
 *
 * Records travel as JSON objects (jansson). Every function checks access
 * through the ACL for c->who, applies the data scope to every query, leaves
 * the database unchanged when it fails, and describes failures in c.
 * Returned JSON values are new references owned by the caller. */
#ifndef GX_RECORD_H
#define GX_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../acl/acl.h"
#include "../base/ctx.h"
#include "../meta/meta.h"

#define RECORD_LIMIT_DEFAULT 50
#define RECORD_LIMIT_MAX 500
/* count_limit of the list API: counting more rows than this costs more than
 * the page itself (a full count of 1M rows takes 0.25-0.5 s). */
#define RECORD_COUNT_LIMIT 10000

/* A list request. */
typedef struct ListQuery {
    json_t *where;      /* filter tree (borrowed) or NULL: {"and":[…]}, {"or":[…]}, {"field","op","value"} */
    const char *sort;   /* "name", "-updated_at", "a,-b"; NULL = -updated_at */
    const char *q;      /* text search, or NULL */
    int64_t limit;      /* rows, 1..RECORD_LIMIT_MAX */
    int64_t offset;     /* rows to skip */
    bool count;         /* compute total */
    int64_t count_limit; /* with count: stop counting past this many rows (0 = exact count); see record_list */
    bool *count_capped;  /* with count_limit: set to whether counting stopped early, or NULL */
    bool trash;         /* list deleted records instead of live ones */
    const char *fields; /* "name,phone": the keys each record of a list page has (and id), or NULL for all */
    Action action;      /* ACT_READ normally, ACT_EXPORT for exports */
    bool sort_unindexed; /* SQLite: no index serves the ORDER BY (record_scan of a whole result) */
} ListQuery;

/* A list's rows one by one, straight from the result (exports): lq's
 * filters, search, scope (lq->action) and sort, at most max rows (lq->limit
 * and lq->offset are not used). fn reads the row with db_int/db_text at
 * record_scan_col's columns (column 0 is the id) and returns false to stop;
 * fields hidden from the user are in the row: the caller leaves them out.
 * Not for entities with link_multiple fields (record_scannable). */
typedef bool (*RecordScanFn)(void *ud, DbRes *r);
GxErr record_scan(Ctx *c, const Entity *e, const ListQuery *lq, int64_t max, RecordScanFn fn, void *ud);
bool record_scannable(const Entity *e);

/* The result column of f in record_scan's rows (-1 for fields not stored
 * as one column: link_multiple, parent, write-only). */
int record_scan_col(const Entity *e, const Field *f);

/* Read one live record visible to the user. GX_ENOTFOUND otherwise. */
GxErr record_get(Ctx *c, const Entity *e, int64_t id, json_t **out);

/* Is c an import writing many records of e (c->bulk_entity)? Then record
 * writes leave e's search indexes out (the importer calls record_index_rows
 * and the search module's search_index_rows once per batch) and answer
 * without computed values (HOOK_AFTER_READ). */
bool record_bulk(const Ctx *c, const Entity *e);

/* Write the text-search rows (SQLite FTS5) of the given records of e in one
 * statement per index; fresh: the records have none yet (created), else
 * their old rows are replaced. */
GxErr record_index_rows(Ctx *c, const Entity *e, const int64_t *ids, int n, bool fresh);

/* record_get writing the record straight into out as a JSON object (the
 * same keys and values), without building it with jansson: the GET
 * endpoint's path. On failure out is as before. */
GxErr record_get_json(Ctx *c, const Entity *e, int64_t id, Buf *out);

/* Create from a JSON object of field values. On success *out is the stored
 * record (with id and version). */
GxErr record_create(Ctx *c, const Entity *e, json_t *in, json_t **out);

/* A row of record_create_many failed: c holds why (as record_create would
 * leave it: message, field errors). The callback reads it; the engine
 * clears c afterwards. */
typedef void (*RecordRowFail)(void *ud, int i, Ctx *c);

/* record_create for n records of e at once (imports): every rule of a
 * single create (scope, before-hooks, validation, defaults, owner, auto
 * numbers, audit rows, after-hooks) with one sequence update per auto-number
 * field, the rows' INSERT statement reused, the records read back in one
 * query and the audit rows written a few per statement. ins[i] NULL is
 * skipped. outs[i] is the stored record (as record_create answers it,
 * without computed values under record_bulk) or NULL when row i failed, for
 * which fail(ud, i, c) was called. undo (or outside a transaction): a row
 * failing while the batch is written undoes the batch (savepoint), which is
 * then written row by row with record_create — the same records and errors
 * as n single creates, in order. Without undo, inside the caller's
 * transaction, no savepoint is taken (each one makes SQLite copy every page
 * the batch touches once more into its in-memory statement journal, kept
 * until the transaction ends: +215 MB of RSS for 10,000 customers on the
 * 1M database) and such a failure returns GX_ECONFLICT with err_code
 * "batch_failed", the batch's writes left for the caller to roll back.
 * Otherwise returns non-GX_OK only for a database error. */
GxErr record_create_many(Ctx *c, const Entity *e, json_t **ins, int n, json_t **outs, RecordRowFail fail, void *ud,
                         bool undo);

/* Partial update; in must carry "version" equal to the stored one (else
 * GX_ECONFLICT). */
GxErr record_update(Ctx *c, const Entity *e, int64_t id, json_t *in, json_t **out);

/* Move to the trash. */
GxErr record_delete(Ctx *c, const Entity *e, int64_t id);

/* Bring back from the trash. */
GxErr record_restore(Ctx *c, const Entity *e, int64_t id, json_t **out);

/* Delete for good (administrators; only records already in the trash). */
GxErr record_purge(Ctx *c, const Entity *e, int64_t id);

/* List: *rows is a JSON array; *total the count of matching rows when
 * q->count (else -1). With q->count_limit > 0 the count stops after
 * max(count_limit, offset + rows on this page) rows: if more match, *total
 * is that bound and *q->count_capped is set ("more than *total"). Totals up
 * to the bound are always exact — except after a text search in the default
 * order with many matches (SQLite; record.c search_walks), whose page walks
 * the list's index: its count stops at the end of the page. */
GxErr record_list(Ctx *c, const Entity *e, const ListQuery *q, json_t **rows, int64_t *total);
/* A text search with more matches than the walk's threshold and at most max
 * holds their ids in a set while walking the list (default 50,000; tests
 * set 0 to walk testing the search rows of each row, as above max). */
void record_search_set_max(int64_t max);
/* Before reading every match, the newest `sample` (default 512; 0: all
 * at once) are read: when their density over the ids they span says there
 * are more than half the set's max, the list walks at once (record.c,
 * search_plan).
 * record_search_ids_read counts the matches' ids read so far (tests). */
void record_search_set_sample(int64_t sample);
/* Before the sample, up to n (default 1024; 0: none) matches are read
 * ascending: fewer than n are all there are, read once. */
void record_search_set_first_read(int64_t n);
int64_t record_search_ids_read(void);

/* record_list writing the page straight into out as a JSON array (the same
 * records and values, hidden fields absent), without building JSON objects:
 * the list endpoints' path. On failure out is as before. */
GxErr record_list_json(Ctx *c, const Entity *e, const ListQuery *q, Buf *out, int64_t *total);

/* Count the rows lq matches (scope, filter, search; limit and offset are
 * ignored) and, when field names a numeric field (money, int, decimal), the
 * sum of its stored values. (aggregate.c) */
GxErr record_sum(Ctx *c, const Entity *e, const ListQuery *lq, const char *field, int64_t *count, int64_t *sum);

/* Count the rows lq matches per value of the enum field (one GROUP BY
 * query): *out is {value: count}, rows without a value under "". (aggregate.c) */
GxErr record_count_by(Ctx *c, const Entity *e, const ListQuery *lq, const char *field, json_t **out);

/* Parse query-string style filters: key "field" or "field[op]" with a text
 * value, appended as conditions to the JSON and-list `conds`. Returns false
 * with GX_EBADREQ in c for unknown fields or operators. */
bool record_filter_from_param(Ctx *c, const Entity *e, const char *key, const char *value, json_t *conds);

/* Revision history of key fields, newest first. */
GxErr record_history(Ctx *c, const Entity *e, int64_t id, json_t **out);

/* --- filter compiler (filter.c) --- */

/* Append " AND (<where>)" for the JSON filter tree to q, checking every field
 * against metadata and the user's field access. GX_EBADREQ on bad input. */
GxErr record_filter_compile(Ctx *c, const Entity *e, json_t *where, Sql *q);

/* Append " ORDER BY …" for sort (validated against metadata). */
GxErr record_sort_compile(Ctx *c, const Entity *e, const char *sort, Sql *q);
/* The same; unindexed (SQLite): each sort term behind a unary + (the same
 * order and collation), so that no index can serve the ORDER BY and the
 * planner picks the filter's index and sorts the matches. */
GxErr record_sort_compile_ex(Ctx *c, const Entity *e, const char *sort, Sql *q, bool unindexed);

/* Append " AND <search predicate>" for the text query. */
GxErr record_search_compile(Ctx *c, const Entity *e, const char *text, Sql *q);

/* How a text query that the search indexes answer (SQLite) is put:
 * SEARCH_INDEX  "id IN (the index's matches)": every match is read, then
 *               filtered and sorted — cheap when matches are few;
 * SEARCH_PROBE  each row is tested (gx_fts_phrase on the index's own text):
 *               a list walking its sort index newest first stops after a
 *               page — cheap when matches are many;
 * SEARCH_COUNT  q becomes "SELECT 0 + <matches in each index, at most cap>"
 *               (*indexed false when the query does not use the indexes);
 * SEARCH_IDS    q becomes "SELECT rowid FROM <index> WHERE … MATCH …" (each
 *               index's, joined by UNION): the matching ids, each once, for
 *               a list to read its page and count from (record.c); empty
 *               and *indexed false when the indexes do not answer. */
typedef enum { SEARCH_INDEX, SEARCH_PROBE, SEARCH_COUNT, SEARCH_IDS } SearchMode;
GxErr record_search_compile_mode(Ctx *c, const Entity *e, const char *text, SearchMode mode, int64_t cap, Sql *q,
                                 bool *indexed);

/* --- remembered list totals (countcache.c) --- */

/* A count statement's result computed at the current write generation
 * (returned in *gen in any case, for count_cache_put). False when unknown. */
bool count_cache_get(Ctx *c, const Sql *q, int64_t *total, bool *capped, uint64_t *gen);

/* Remember a count read at generation gen. */
void count_cache_put(Ctx *c, const Sql *q, uint64_t gen, int64_t total, bool capped);

/* How many counts were answered from memory so far (tests). */
uint64_t count_cache_hits(void);
/* For tests under valgrind (30x slower): how long a total is remembered
 * (0: the default, 3 s). */
void count_cache_set_ttl_ms(int64_t ms);

/* Forget every count (tests). */
void count_cache_clear(void);

/* --- list rows as JSON text, remembered (rowcache.c) --- */

/* A row of a list page: its id and revision (the row_rev column). */
typedef struct RowRef {
    int64_t id, rev;
} RowRef;

/* Is the cache on (GUANXI_ROW_CACHE_MB is not 0)? */
bool row_cache_on(void);
/* The number of this set of hidden fields of e (e->nfields flags), the
 * same for the same set; -1 when too many sets are known (no caching). */
int row_cache_mask(const Entity *e, const bool *hidden);
/* For each of rows[0..n) whose text is remembered at that revision, a copy
 * of it in texts[i] (initialised in a; the others are left alone). Returns
 * how many were found. db is the database's db_serial. */
size_t row_cache_get(Arena *a, uint64_t db, const Entity *e, int mask, const RowRef *rows, size_t n, Buf *texts);
/* When every one of rows[0..n) is remembered at its revision: their texts
 * appended to out, joined by commas (one copy), and true; else false and
 * out as it was. a holds the lookup's scratch. */
bool row_cache_join(Arena *a, uint64_t db, const Entity *e, int mask, const RowRef *rows, size_t n, Buf *out);
/* Remember the text of a committed row at revision rev. */
void row_cache_put(uint64_t db, const Entity *e, int mask, int64_t id, int64_t rev, const char *text, size_t len);
/* Texts found and not found so far, and the bytes held (tests, the exit log). */
void row_cache_stats(uint64_t *hits, uint64_t *misses, size_t *bytes);
/* The budget in bytes (0: off), instead of GUANXI_ROW_CACHE_MB (tests). */
void row_cache_set_budget(size_t bytes);
/* Forget everything (tests: before meta_free). */
void row_cache_clear(void);

/* --- the list order and scope of live rows, remembered (sortkeys.c) --- */

/* For each ids[i] of e, its row's key in the default list order (-updated_at:
 * a larger key comes first; ties by id) in out[i], or 0 when no live row in
 * the scope of scope[0..nscope) (acl_scope_keys; NULL: every row) has that
 * id — as committed now, whoever wrote it. false when not available
 * (PostgreSQL, an entity without <table>_chg, inside a write transaction, an
 * updated_at that is not canonical text, an id too high, a database error):
 * read the table. */
bool sort_keys_lookup(Ctx *c, const Entity *e, const AclKey *scope, int nscope, const int64_t *ids, int64_t n,
                      int64_t *out);
/* updated_at's text "2026-12-08T01:55:00.123Z" as 20261208015500123 (the
 * same order); -1 for any other form. */
int64_t sort_key_of(const char *updated_at);
/* Switch the cache off or on (tests compare with reading the table). */
void sort_keys_enable(bool on);
/* The slots' budget in bytes instead of GUANXI_SORT_KEYS_MB; forgets
 * everything (tests). */
void sort_keys_set_budget(size_t bytes);
/* Lookups answered, builds from the table and the bytes of the slots held
 * (tests, the exit log). */
void sort_keys_stats(uint64_t *answered, uint64_t *builds, size_t *bytes);
/* Forget everything (tests: before meta_free). */
void sort_keys_clear(void);

/* --- hooks (hooks.c) --- */

typedef enum HookEvent {
    HOOK_BEFORE_CREATE, HOOK_AFTER_CREATE, HOOK_BEFORE_UPDATE, HOOK_AFTER_UPDATE,
    HOOK_BEFORE_DELETE, HOOK_AFTER_DELETE,
    /* record_get read a record the user may see (a->result, a->id): the hook
     * may add computed, read-only values to a->result (e.g. a customer's
     * balance due); a failure fails the read. It must not read the record's
     * fields from a->result: record_get_json passes an empty object there
     * and writes the stored columns around what the hook added. Also run on the record that
     * record_create, record_update and record_restore answer (after the
     * commit: a failure there only leaves the values out). Not for lists. */
    HOOK_AFTER_READ,
    /* record_restore brings a record back from the trash (a->old: the
     * deleted record; a->id): before (no transaction yet) and after (inside
     * it, a->result NULL). */
    HOOK_BEFORE_RESTORE, HOOK_AFTER_RESTORE,
    /* record_purge deleted a record from the trash for good (a->old: the
     * record as it was; a->id), inside its transaction: what belongs to the
     * record outside its entity's tables (attachments …) goes with it; a
     * failure undoes the purge. */
    HOOK_AFTER_PURGE,
    /* record_purge is about to delete a record from the trash (a->old: the
     * record as it is; a->id), inside its transaction, before the DELETE:
     * rows owned by the record that refer to it (a document's lines …) go
     * first, so the foreign keys let the record go. a->input is the purge's
     * audit diff ({"field": [null, value]}, as purges write it): a hook may add what it deleted
     * (e.g. "lines") to it. A failure undoes the purge. */
    HOOK_BEFORE_PURGE,
    HOOK__COUNT
} HookEvent;

typedef struct HookArgs {
    const Entity *e; /* the entity */
    int64_t id;      /* record id (0 before create) */
    json_t *old;     /* stored record before the change, or NULL on create */
    json_t *input;   /* incoming values: may be changed by before-hooks (create/update) */
    json_t *result;  /* stored record after the change (after-hooks), or NULL */
} HookArgs;

/* A hook runs inside the write transaction; returning non-GX_OK (with the
 * reason in c) rolls everything back. */
typedef GxErr (*RecordHook)(Ctx *c, HookArgs *a);

/* Register at start-up (not thread-safe; before serving). entity "*":
 * every entity (a module that keeps data on records of any kind). */
void record_hook_add(const char *entity, HookEvent ev, RecordHook fn);

/* Run the hooks for (entity, event). */
GxErr record_hooks_run(Ctx *c, HookEvent ev, HookArgs *a);

/* --- audit (audit.c) --- */

/* Write an audit row: action ("create", "login_failed" …), entity and record
 * (or NULL/0), diff (borrowed JSON, may be NULL). */
GxErr audit_write(Ctx *c, const char *action, const char *entity, int64_t record_id, json_t *diff);

/* Filters of an audit log listing; zero/NULL members do not filter. */
typedef struct AuditQuery {
    const char *entity;   /* entity name */
    int64_t record_id;    /* record */
    int64_t user_id;      /* acting user */
    const char *action;   /* "create", "login_failed" … */
    int64_t from, to;     /* period [from, to) in seconds since the epoch */
    bool has_from, has_to;
    int64_t limit, offset;
} AuditQuery;

/* An audit diff's text, in the arena: what json_dumps(diff, JSON_COMPACT |
 * JSON_SORT_KEYS) writes, but reals as buf_json_real writes them (6.6, not
 * 6.5999999999999996), without its per-character callbacks (an imported
 * customer's create diff: ~80 k instructions in jansson); jansson itself
 * for what this writer does not handle (invalid UTF-8). NULL for NULL. */
char *audit_diff_text(Arena *a, json_t *diff);

/* audit_write for n records at once (record_create_many): rows ids[k]
 * with diffs[k] (borrowed), a few rows per INSERT. */
GxErr audit_write_many(Ctx *c, const char *action, const char *entity, const int64_t *ids, json_t **diffs, int n);

/* List audit entries, newest first, as JSON objects {id, at, user_id,
 * user_name, ip, action, entity, record_id, diff}. Administrators see every
 * entry; other users only the entries of one record they may read (entity
 * and record_id given), with fields their role hides removed from diffs. */
GxErr audit_list(Ctx *c, const AuditQuery *q, json_t **rows);

/* Current time as stored ("…Z" with milliseconds). */
const char *record_now(Ctx *c);

/* A row of a record's revision history (操作记录): field of entity's record
 * id went from old to now (JSON values, as json_text_of writes them; a NULL
 * pointer is SQL NULL), at at (NULL: now), by the acting user. */
GxErr record_revision(Ctx *c, const char *entity, int64_t id, const char *field, const json_t *old,
                      const json_t *now, const char *at);

#endif
