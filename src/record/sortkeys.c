/* sortkeys.c — the list order and scope of live rows by id, remembered
 * (SQLite).
 *
 * A list's text search with a few thousand matches put each match's id
 * through <table>_sid_idx for its updated_at, deleted_at and scope columns:
 * a b-tree seek of ~8,000 instructions a match, 55 % of a search for two
 * Chinese characters and 70 % of one for phone digits at 1M customers
 * (bench/README.md, stop 20). Here each entity of global search (the ones
 * with <table>_sid_idx) keeps, per id, the key of its row in the default
 * order — updated_at as the number its canonical text spells
 * (YYYYMMDDhhmmssmmm, in the same order as the text) or 0 for no live row —
 * and its scope columns (owner, department, the pool of an unowned row):
 * 16 bytes an id (a sixteenth more for new rows), built on first use from
 * <table>_sid_idx, which holds them all; all entities' slots within
 * GUANXI_SORT_KEYS_MB (default 32: a million customers take 17 MB; an
 * entity that does not fit is read from the index as before).
 *
 * It follows the table through what any connection commits:
 *   - new rows: ids above the highest read (ids are never reused);
 *   - changes of updated_at, deleted_at or a scope column, and deletions:
 *     a trigger writes the id into <table>_chg (migration 12,
 *     modules/search.c), whose AUTOINCREMENT seq is read from where the
 *     last refresh stopped.
 * A refresh re-reads the changed rows' current values, so applying a change
 * twice or late does no harm; a log trimmed past the last seq read
 * rebuilds; an updated_at that is not canonical text, an id too high for
 * a slot or the budget switches the entity off (the list then reads the index as
 * before). One mutex; a refresh without changes is three small statements. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "../base/util.h"
#include "record.h"

#define MAX_ENTITIES 8

/* Ids up to this have a slot (16 bytes each: 2 GB); a table with a higher
 * id is not remembered, nor one with a user, department or pool id above
 * INT32_MAX. */
#define MAX_ID (INT64_C(1) << 27)

/* A row: its sort key (0: no live row), its owner (> 0) or the pool of an
 * unowned row (< 0: -pool_id; 0: neither) and its department (0: none). */
typedef struct Slot {
    int64_t key;
    int32_t owner;
    int32_t dept;
} Slot;

typedef struct Keys {
    const Entity *e;
    uint64_t db;    /* db_serial of what was read */
    bool pool;      /* e has pool_id */
    Slot *slot;     /* by id */
    int64_t cap;    /* ids 0 .. cap-1 have a slot */
    int64_t max_id; /* rows up to this id were read */
    int64_t seq;    /* the change log was read up to this seq */
    bool built;
    bool bad; /* an updated_at not canonical, an id too high: not used */
} Keys;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Keys keys[MAX_ENTITIES];
static int nkeys;
static bool enabled = true;
static uint64_t rebuilds, answered;
static size_t budget_override; /* sort_keys_set_budget */
static bool overridden;

void sort_keys_enable(bool on)
{
    pthread_mutex_lock(&lock);
    enabled = on;
    pthread_mutex_unlock(&lock);
}

/* Under lock: the bytes of every entity's slots but except's. */
static size_t held(const Keys *except)
{
    size_t n = 0;
    for (int i = 0; i < nkeys; i++)
        if (&keys[i] != except)
            n += (size_t)keys[i].cap * sizeof(Slot);
    return n;
}

void sort_keys_stats(uint64_t *answered_out, uint64_t *builds, size_t *bytes)
{
    pthread_mutex_lock(&lock);
    *answered_out = answered;
    *builds = rebuilds;
    *bytes = held(NULL);
    pthread_mutex_unlock(&lock);
}

void sort_keys_clear(void)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < nkeys; i++)
        free(keys[i].slot);
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

/* The slots' budget in bytes for all entities (GUANXI_SORT_KEYS_MB, default
 * 32; 0 switches the cache off), read once. */
#define DEFAULT_MB 32
static size_t budget(void)
{
    static size_t bytes;
    static bool read;
    if (!read) {
        read = true;
        bytes = env_megabytes("GUANXI_SORT_KEYS_MB", DEFAULT_MB);
    }
    return bytes;
}

void sort_keys_set_budget(size_t bytes)
{
    pthread_mutex_lock(&lock);
    (void)budget();
    for (int i = 0; i < nkeys; i++)
        free(keys[i].slot);
    memset(keys, 0, sizeof keys);
    nkeys = 0;
    budget_override = bytes;
    overridden = true;
    pthread_mutex_unlock(&lock);
}

/* Under lock: room for ids up to id (<= MAX_ID), a sixteenth more; false when
 * that passes the budget with the other entities' slots. */
static bool reserve(Keys *k, int64_t id)
{
    if (id < k->cap)
        return true;
    int64_t cap = id + id / 16 + 1024;
    size_t others = held(k);
    size_t limit = overridden ? budget_override : budget();
    if (others + (size_t)cap * sizeof(Slot) > limit)
        return false;
    k->slot = xrealloc(k->slot, (size_t)cap * sizeof *k->slot);
    memset(k->slot + k->cap, 0, (size_t)(cap - k->cap) * sizeof *k->slot);
    k->cap = cap;
    return true;
}

/* Under lock: switch k off, saying why. Returns false. */
static bool refuse(Keys *k, int64_t id, const char *what)
{
    k->bad = true;
    log_warn("list order of %s not remembered (%s): id %lld", k->e->name, what, (long long)id);
    return false;
}

/* The columns set_slot reads, of table alias t ("t." or ""). */
static const char *row_columns(Ctx *c, const Keys *k, const char *t)
{
    return arena_printf(c->arena,
                        "%supdated_at, %sid IS NOT NULL AND %sdeleted_at IS NULL, %sowner_id, %sdepartment_id, %s", t,
                        t, t, t, t, k->pool ? arena_printf(c->arena, "%spool_id", t) : "NULL");
}

/* Under lock: set id's slot from the row_columns of r from column col on.
 * false when k is switched off (refuse). */
static bool set_slot(Keys *k, int64_t id, DbRes *r, int col)
{
    if (id <= 0)
        return true;
    if (id > MAX_ID)
        return refuse(k, id, "id too high");
    Slot s = {0};
    if (db_int(r, col + 1)) {
        s.key = sort_key_of(db_text(r, col));
        int64_t owner = db_int(r, col + 2), dept = db_int(r, col + 3), pool = db_int(r, col + 4);
        if (s.key < 0)
            return refuse(k, id, "updated_at not canonical");
        if (owner < 0 || owner > INT32_MAX || dept < 0 || dept > INT32_MAX || pool < 0 || pool > INT32_MAX)
            return refuse(k, id, "owner, department or pool id too high");
        s.owner = owner ? (int32_t)owner : -(int32_t)pool;
        s.dept = (int32_t)dept;
    }
    if (!reserve(k, id))
        return refuse(k, id, "over GUANXI_SORT_KEYS_MB");
    k->slot[id] = s;
    return true;
}

/* Under lock: read rows with id > k->max_id. */
static bool read_new_rows(Ctx *c, Keys *k)
{
    DbVal p[] = {dbv_int(k->max_id)};
    DbRes *r;
    if (db_query(c->db,
                 arena_printf(c->arena, "SELECT id, %s FROM %s WHERE id > $1", /* sql-ok: names from metadata */
                              row_columns(c, k, ""), k->e->table),
                 p, 1, &r) != DB_OK)
        return false;
    int s;
    while ((s = db_next(r)) == 1) {
        int64_t id = db_int(r, 0);
        if (!set_slot(k, id, r, 1))
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
    free(k->slot);
    const Entity *e = k->e;
    *k = (Keys){.e = e, .db = db_serial(c->db), .pool = meta_field(e, "pool_id") != NULL};
    rebuilds++;
    int64_t seq = 0, max_id = 0;
    bool found;
    const char *last_seq = arena_printf(c->arena, /* sql-ok: table name from metadata */
                                        "SELECT coalesce(max(seq), 0) FROM %s_chg", e->table);
    const char *last_id = arena_printf(c->arena, /* sql-ok: table name from metadata */
                                       "SELECT coalesce(max(id), 0) FROM %s", e->table);
    if (db_query_int(c->db, last_seq, NULL, 0, &seq, &found) != DB_OK ||
        db_query_int(c->db, last_id, NULL, 0, &max_id, &found) != DB_OK)
        return false;
    if (max_id > MAX_ID)
        return refuse(k, max_id, "id too high");
    if (!reserve(k, max_id))
        return refuse(k, max_id, "over GUANXI_SORT_KEYS_MB");
    DbVal p[] = {dbv_int(max_id)};
    DbRes *r;
    if (db_query(c->db,
                 arena_printf(c->arena, /* sql-ok: names from metadata */
                              "SELECT id, %s FROM %s INDEXED BY %s_sid_idx WHERE deleted_at IS NULL AND id <= $1",
                              row_columns(c, k, ""), e->table, e->table),
                 p, 1, &r) != DB_OK)
        return false;
    int s;
    while ((s = db_next(r)) == 1)
        if (!set_slot(k, db_int(r, 0), r, 1))
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
    const char *first_seq = arena_printf(c->arena, /* sql-ok: table name from metadata */
                                         "SELECT coalesce(min(seq), 0) FROM %s_chg", t);
    if (db_query_int(c->db, first_seq, NULL, 0, &first, &found) != DB_OK)
        return false;
    if (first > k->seq + 1)
        return build(c, k);
    if (!read_new_rows(c, k))
        return false;
    DbVal p[] = {dbv_int(k->seq)};
    DbRes *r;
    if (db_query(c->db,
                 arena_printf(c->arena, /* sql-ok: names from metadata */
                              "SELECT g.seq, g.id, %s FROM %s_chg g LEFT JOIN %s t ON t.id = g.id WHERE g.seq > $1"
                              " ORDER BY g.seq",
                              row_columns(c, k, "t."), t, t),
                 p, 1, &r) != DB_OK)
        return false;
    int s;
    while ((s = db_next(r)) == 1) {
        if (!set_slot(k, db_int(r, 1), r, 2))
            break;
        k->seq = db_int(r, 0);
    }
    db_done(r);
    return s >= 0 && !k->bad;
}

/* Is slot s in the scope of scope[0..n) (acl_scope_keys; NULL: all)? */
static bool in_scope(const Slot *s, const AclKey *scope, int n)
{
    if (!scope)
        return true;
    for (int i = 0; i < n; i++) {
        int64_t id = scope[i].id;
        if ((scope[i].kind == 'o' && s->owner > 0 && s->owner == id) ||
            (scope[i].kind == 'd' && s->dept > 0 && s->dept == id) ||
            (scope[i].kind == 'p' && s->owner < 0 && -(int64_t)s->owner == id))
            return true;
    }
    return false;
}

bool sort_keys_lookup(Ctx *c, const Entity *e, const AclKey *scope, int nscope, const int64_t *ids, int64_t n,
                      int64_t *out)
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
    if (ok) {
        answered++;
        for (int64_t i = 0; i < n; i++) {
            const Slot *s = ids[i] > 0 && ids[i] < k->cap ? &k->slot[ids[i]] : NULL;
            out[i] = s && s->key && in_scope(s, scope, nscope) ? s->key : 0;
        }
    } else if (k && !k->bad) {
        k->built = false; /* an error: read again next time */
    }
    pthread_mutex_unlock(&lock);
    return ok;
}
