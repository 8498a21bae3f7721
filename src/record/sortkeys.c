/* sortkeys.c — the list order of live rows by id, remembered (SQLite).
 *
 * A list's text search with a few thousand matches put each match's id
 * through <table>_sid_idx for its updated_at and deleted_at: a b-tree seek
 * of ~8,000 instructions a match, 55 % of a search for two Chinese
 * characters and 70 % of one for phone digits at 1M customers
 * (bench/README.md, stop 20). Here each entity of global search (the ones
 * with <table>_sid_idx) keeps, per id, the key of its row in the default
 * order: updated_at as the number its canonical text spells
 * (YYYYMMDDhhmmssmmm, in the same order as the text) or 0 for no live row
 * — 8 bytes an id, built on first use from <table>_sid_idx.
 *
 * It follows the table through what any connection commits:
 *   - new rows: ids above the highest read (ids are never reused);
 *   - changes of updated_at or deleted_at, and deletions: a trigger writes
 *     the id into <table>_chg (migration 12, modules/search.c), whose
 *     AUTOINCREMENT seq is read from where the last refresh stopped.
 * A refresh re-reads the changed rows' current values, so applying a change
 * twice or late does no harm; a log trimmed past the last seq read, or a
 * table whose updated_at is not canonical text, rebuilds or switches the
 * entity off (the list then reads the index as before). One mutex; a
 * refresh without changes is three small statements. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "../base/util.h"
#include "record.h"

#define MAX_ENTITIES 8

typedef struct Keys {
    const Entity *e;
    uint64_t db;    /* db_serial of what was read */
    int64_t *key;   /* by id: the sort key, 0 for no live row */
    int64_t cap;    /* ids 0 .. cap-1 have a slot */
    int64_t max_id; /* rows up to this id were read */
    int64_t seq;    /* the change log was read up to this seq */
    bool built;
    bool bad; /* an updated_at that is not canonical: not used */
} Keys;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Keys keys[MAX_ENTITIES];
static int nkeys;
static bool enabled = true;
static uint64_t rebuilds;

void sort_keys_enable(bool on)
{
    pthread_mutex_lock(&lock);
    enabled = on;
    pthread_mutex_unlock(&lock);
}

uint64_t sort_keys_rebuilds(void)
{
    return rebuilds;
}

void sort_keys_clear(void)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < nkeys; i++)
        free(keys[i].key);
    memset(keys, 0, sizeof keys);
    nkeys = 0;
    pthread_mutex_unlock(&lock);
}

/* "2026-12-08T01:55:00.123Z" as 20261208015500123; -1 when the text is not
 * in exactly that form (then its order as text may differ). */
int64_t sort_key_of(const char *s)
{
    static const char form[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (!s || strlen(s) != sizeof form - 1)
        return -1;
    int64_t k = 0;
    for (size_t i = 0; form[i]; i++) {
        if (form[i] == 'd') {
            if (s[i] < '0' || s[i] > '9')
                return -1;
            k = k * 10 + (s[i] - '0');
        } else if (s[i] != form[i]) {
            return -1;
        }
    }
    return k > 0 ? k : -1;
}

/* Under lock: room for ids up to id. */
static void reserve(Keys *k, int64_t id)
{
    if (id < k->cap)
        return;
    int64_t cap = k->cap ? k->cap : 1024;
    while (cap <= id)
        cap += cap / 2;
    k->key = xrealloc(k->key, (size_t)cap * sizeof *k->key);
    memset(k->key + k->cap, 0, (size_t)(cap - k->cap) * sizeof *k->key);
    k->cap = cap;
}

/* Under lock: set id's key from updated_at (NULL or deleted: 0). false when
 * updated_at is not canonical. */
static bool set_key(Keys *k, int64_t id, const char *updated_at, bool live)
{
    if (id <= 0)
        return true;
    int64_t key = 0;
    if (live) {
        key = sort_key_of(updated_at);
        if (key < 0) {
            k->bad = true;
            log_warn("list order of %s not remembered: updated_at of id %lld is '%s'", k->e->name, (long long)id,
                     updated_at ? updated_at : "NULL");
            return false;
        }
    }
    reserve(k, id);
    k->key[id] = key;
    return true;
}

/* Under lock: read rows with id > k->max_id (all rows when building). */
static bool read_new_rows(Ctx *c, Keys *k)
{
    DbVal p[] = {dbv_int(k->max_id)};
    DbRes *r;
    if (db_query(c->db,
                 arena_printf(c->arena,
                              "SELECT id, updated_at, deleted_at IS NULL FROM %s WHERE id > $1", /* sql-ok: table name
                                                                                                    from metadata */
                              k->e->table),
                 p, 1, &r) != DB_OK)
        return false;
    int s;
    while ((s = db_next(r)) == 1) {
        int64_t id = db_int(r, 0);
        if (!set_key(k, id, db_text(r, 1), db_int(r, 2) != 0))
            break;
        if (id > k->max_id)
            k->max_id = id;
    }
    db_done(r);
    return s >= 0 && !k->bad;
}

/* Under lock: build k from scratch. The log's end and the highest id are
 * read before the rows: whatever commits meanwhile is read again by the
 * next refresh. */
static bool build(Ctx *c, Keys *k)
{
    free(k->key);
    const Entity *e = k->e;
    *k = (Keys){.e = e, .db = db_serial(c->db)};
    rebuilds++;
    int64_t seq = 0, max_id = 0;
    bool found;
    if (db_query_int(c->db, arena_printf(c->arena, "SELECT coalesce(max(seq), 0) FROM %s_chg", e->table), NULL,
                     0, /* sql-ok: table name from metadata */
                     &seq, &found) != DB_OK ||
        db_query_int(c->db, arena_printf(c->arena, "SELECT coalesce(max(id), 0) FROM %s", e->table), NULL,
                     0, /* sql-ok: table name from metadata */
                     &max_id, &found) != DB_OK)
        return false;
    reserve(k, max_id);
    DbVal p[] = {dbv_int(max_id)};
    DbRes *r;
    if (db_query(
            c->db,
            arena_printf(c->arena, /* sql-ok: table name from metadata */
                         "SELECT id, updated_at FROM %s INDEXED BY %s_sid_idx WHERE deleted_at IS NULL AND id <= $1",
                         e->table, e->table),
            p, 1, &r) != DB_OK)
        return false;
    int s;
    while ((s = db_next(r)) == 1)
        if (!set_key(k, db_int(r, 0), db_text(r, 1), true))
            break;
    db_done(r);
    if (s < 0 || k->bad)
        return false;
    k->max_id = max_id;
    k->seq = seq;
    k->built = true;
    return true;
}

/* Under lock: bring k up to what the database holds now. */
static bool refresh(Ctx *c, Keys *k)
{
    if (!k->built || k->db != db_serial(c->db))
        return build(c, k);
    const char *t = k->e->table;
    int64_t first = 0;
    bool found;
    /* trimmed past what was read: changes may be lost */
    if (db_query_int(c->db, arena_printf(c->arena, "SELECT coalesce(min(seq), 0) FROM %s_chg", t), NULL, 0, &first,
                     &found) != /* sql-ok: table name from metadata */
        DB_OK)
        return false;
    if (found && first > k->seq + 1)
        return build(c, k);
    if (!read_new_rows(c, k))
        return false;
    DbVal p[] = {dbv_int(k->seq)};
    DbRes *r;
    if (db_query(c->db,
                 arena_printf(c->arena, /* sql-ok: table names from metadata */
                              "SELECT g.seq, g.id, t.updated_at, t.id IS NOT NULL AND t.deleted_at IS NULL"
                              " FROM %s_chg g LEFT JOIN %s t ON t.id = g.id WHERE g.seq > $1 ORDER BY g.seq",
                              t, t),
                 p, 1, &r) != DB_OK)
        return false;
    int s;
    while ((s = db_next(r)) == 1) {
        int64_t id = db_int(r, 1);
        if (!set_key(k, id, db_text(r, 2), db_int(r, 3) != 0))
            break;
        k->seq = db_int(r, 0);
    }
    db_done(r);
    return s >= 0 && !k->bad;
}

bool sort_keys_lookup(Ctx *c, const Entity *e, const int64_t *ids, int64_t n, int64_t *out)
{
    if (db_dialect(c->db) != DB_SQLITE || !meta_search_global(e) || db_in_tx(c->db))
        return false;
    pthread_mutex_lock(&lock);
    if (!enabled) {
        pthread_mutex_unlock(&lock);
        return false;
    }
    Keys *k = NULL;
    for (int i = 0; i < nkeys && !k; i++)
        if (keys[i].e == e)
            k = &keys[i];
    if (!k && nkeys < MAX_ENTITIES) {
        k = &keys[nkeys++];
        *k = (Keys){.e = e};
    }
    bool ok = k && !k->bad && refresh(c, k);
    if (ok)
        for (int64_t i = 0; i < n; i++)
            out[i] = ids[i] > 0 && ids[i] < k->cap ? k->key[ids[i]] : 0;
    else if (k && !k->bad)
        k->built = false; /* an error: read again next time */
    pthread_mutex_unlock(&lock);
    return ok;
}
