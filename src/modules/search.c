/* search.c — global search over customers, contacts and leads: by name
 * (any Chinese substring, two characters included), pinyin initials (every
 * reading of today's Mandarin: 长沙 is "cs" and "zs"), any part of a phone
 * number, e-mail and number, within the user's scope and without hidden
 * fields.
 *
 * Each indexed entity has its own search rows, kept by the after-create and
 * after-update hooks (the texts are re-read from the row, so they do not
 * depend on what the acting user may see):
 *   SQLite      <table>_gt   FTS5 trigram: n name, o other text (numbers,
 *                            company …), e e-mails — any substring of 3 or
 *                            more characters; so, sd, sp the scope keys
 *                            (owner, department, pool of an unowned row),
 *                            each one trigram (scope_code)
 *               <table>_gw   FTS5 words with prefix indexes of 3, 4 and 5
 *                            characters: n, o Chinese characters and pairs;
 *                            p pinyin initials from each character on (up to
 *                            8 letters, a prefix query finds 3 or more), p2
 *                            two-letter initials; d every ending of 3 or more
 *                            digits of each phone number (a prefix query
 *                            finds any part, textkey.h); s the scope keys as
 *                            words (o17 d5 p3)
 *   PostgreSQL  <table>_gs   id, n, o, d, e, p as text, matched with ILIKE
 * A query is answered from the index, newest record first. On SQLite the
 * user's scope is part of the FTS5 query (acl_scope_keys), so a sales rep's
 * search reads only the rep's own matches instead of filtering everyone's.
 * The scope keys follow owner, department and pool changes made by any
 * UPDATE (handovers, pools) through a trigger. Results are still joined to
 * the table with the scope predicate and deleted_at IS NULL, so a stale
 * search row can never show a record out of scope.
 * A scope the FTS5 query does not narrow (a manager's department tree: a
 * quarter of the rows at 1M) tests each candidate in <table>_sid_idx
 * (migration 8: id, updated_at, scope columns, deleted_at of live rows),
 * which the list's text search reads as well (record.c).
 * The PostgreSQL table is created and filled by a data step of migration 3,
 * the SQLite tables by one of migration 5 (which drops migration 3's). */
#include <string.h>

#include "../base/log.h"
#include "../base/phone.h"
#include "../base/textkey.h"
#include "../base/util.h"
#include "../jobs/jobs.h"
#include "../record/record.h"
#include "modules.h"

/* Entities of global search, in the order results are listed (the same
 * as meta_search_global). */
static const char *const indexed[] = {"customers", "contacts", "leads", NULL};

/* What a field feeds (for hidden fields and the subtitle). The pinyin
 * initials follow the name. */
typedef enum GsCol { GS_N, GS_O, GS_D, GS_E, GS_P, GS__COUNT } GsCol;
static const char *const col_names[GS__COUNT] = {"n", "o", "d", "e", "p"};

bool search_indexed(const Entity *e) { return meta_search_global(e); }

/* Which column a field feeds, or -1. The pinyin column follows the name. */
static int field_col(const Entity *e, const Field *f)
{
    if (e->title_field && !strcmp(f->name, e->title_field))
        return GS_N;
    if (!f->search)
        return -1;
    switch (f->type) {
    case FT_PHONE:
        return GS_D;
    case FT_EMAIL:
        return GS_E;
    case FT_STRING:
    case FT_AUTO_NUMBER:
    case FT_TEXT: /* notes: since migration 6 (the list's search reads these tables) */
        return GS_O;
    default:
        return -1;
    }
}

/* ---------- scope keys ---------- */

/* The scope key of an id in the trigram table: three characters of the
 * supplementary private use area (16 bits of the id each), so that the key
 * is exactly one trigram and never part of a text. */
#define CODE_BASE 0xF0000

static void put_cp4(Buf *b, uint32_t cp)
{
    char u[4] = {(char)(0xF0 | cp >> 18), (char)(0x80 | (cp >> 12 & 0x3F)), (char)(0x80 | (cp >> 6 & 0x3F)),
                 (char)(0x80 | (cp & 0x3F))};
    buf_raw_n(b, u, 4);
}

static void scope_code(Buf *b, int64_t id)
{
    put_cp4(b, CODE_BASE + (uint32_t)((uint64_t)id >> 32 & 0xFFFF));
    put_cp4(b, CODE_BASE + (uint32_t)((uint64_t)id >> 16 & 0xFFFF));
    put_cp4(b, CODE_BASE + (uint32_t)((uint64_t)id & 0xFFFF));
}

/* The same as SQL over column x (for the trigger). */
static const char *scope_code_sql(Arena *a, const char *x)
{
    return arena_printf(a, /* sql-ok: a column name from this file, numbers */
                        "CASE WHEN %s IS NULL THEN '' ELSE char(%d + ((%s >> 32) & 65535), %d + ((%s >> 16) & 65535),"
                        " %d + (%s & 65535)) END",
                        x, CODE_BASE, x, CODE_BASE, x, CODE_BASE, x);
}

/* Owner, department and pool of a row (0: none). */
typedef struct GsScope {
    int64_t owner, dept, pool;
} GsScope;

/* " o17 d5" or " p3": the scope keys of a row as words. */
static void scope_words(Buf *b, GsScope s)
{
    if (s.owner)
        buf_printf(b, " o%lld", (long long)s.owner);
    if (s.dept)
        buf_printf(b, " d%lld", (long long)s.dept);
    if (!s.owner && s.pool)
        buf_printf(b, " p%lld", (long long)s.pool);
}

/* The columns of e holding the scope, for SELECT lists (NULL if none). */
static const char *scope_cols(Arena *a, const Entity *e, const char *prefix)
{
    const char *names[3] = {"owner_id", "department_id", "pool_id"};
    Buf b;
    buf_init(&b, a);
    for (int i = 0; i < 3; i++) {
        if (i < 2 ? e->owned : meta_field(e, names[i]) != NULL)
            buf_printf(&b, ", %s%s", prefix, names[i]); /* sql-ok: fixed column names */
        else
            buf_raw(&b, ", NULL");
    }
    return b.data;
}

/* ---------- search rows ---------- */

/* The texts of one record's search rows, built from its field values. */
typedef struct GsRow {
    Buf col[GS__COUNT]; /* n, o, e as they are; d phone digits (⓪-⑨, PostgreSQL); p pinyin initials */
    Buf han_n, han_o;   /* Chinese characters and pairs of n and o (SQLite) */
    Buf py2;            /* two-letter pinyin initials (SQLite) */
    Buf dsuf;           /* endings of the phone digits (SQLite) */
    GsScope scope;
} GsRow;

static void gs_row_init(GsRow *r, Arena *a)
{
    for (int i = 0; i < GS__COUNT; i++)
        buf_init(&r->col[i], a);
    buf_init(&r->han_n, a);
    buf_init(&r->han_o, a);
    buf_init(&r->py2, a);
    buf_init(&r->dsuf, a);
    r->scope = (GsScope){0, 0, 0};
}

/* Add the value v of field f (column col) to the row texts. */
static void gs_row_add(GsRow *r, int col, const char *v)
{
    if (!v || !*v)
        return;
    switch (col) {
    case GS_N:
        if (r->col[GS_N].len)
            buf_putc(&r->col[GS_N], '\n');
        buf_raw(&r->col[GS_N], v);
        textkey_pinyin(&r->col[GS_P], v, PINYIN_SPAN);
        textkey_pinyin(&r->py2, v, 2);
        textkey_han(&r->han_n, v);
        break;
    case GS_O:
        if (r->col[GS_O].len)
            buf_putc(&r->col[GS_O], '\n');
        buf_raw(&r->col[GS_O], v);
        textkey_han(&r->han_o, v);
        break;
    case GS_D:
        textkey_digits(&r->col[GS_D], v);
        textkey_digit_suffixes(&r->dsuf, v);
        break;
    case GS_E:
        buf_putc(&r->col[GS_E], ' ');
        buf_raw(&r->col[GS_E], v);
        break;
    }
}

/* " a, b, c" — the columns of e that feed the index, for SELECT lists. */
static void field_list(Buf *b, const Entity *e)
{
    for (int i = 0; i < e->nfields; i++)
        if (field_col(e, &e->fields[i]) >= 0)
            buf_printf(b, ", %s", e->fields[i].name); /* sql-ok: field names from metadata */
}

/* "SELECT id, owner_id, department_id, pool_id, <field_list> FROM table" */
#define ROW_FIELDS 4 /* the first field_list column */
static void row_select(Buf *b, const Entity *e)
{
    buf_printf(b, "SELECT id%s", scope_cols(b->arena, e, "")); /* sql-ok: column names from metadata */
    field_list(b, e);
    buf_printf(b, " FROM %s", e->table); /* sql-ok: names from metadata */
}

/* Fill row from a result of row_select. */
static void gs_row_from(GsRow *row, const Entity *e, DbRes *res)
{
    row->scope = (GsScope){db_int(res, 1), db_int(res, 2), db_int(res, 3)};
    int col = ROW_FIELDS;
    for (int i = 0; i < e->nfields; i++) {
        int c = field_col(e, &e->fields[i]);
        if (c < 0)
            continue;
        gs_row_add(row, c, db_text(res, col));
        col++;
    }
}

/* Write the search rows of record id (fresh: no old rows to replace). */
static GxErr gs_write(Ctx *c, const Entity *e, int64_t id, GsRow *r, bool fresh)
{
    if (db_dialect(c->db) == DB_PG) {
        DbVal p[6] = {dbv_int(id)};
        for (int i = 0; i < GS__COUNT; i++)
            p[1 + i] = dbv_text(r->col[i].data);
        const char *sql = arena_printf(c->arena,
                                       "INSERT INTO %s_gs(id, n, o, d, e, p) VALUES ($1, $2, $3, $4, $5, $6)"
                                       " ON CONFLICT (id) DO UPDATE SET n = excluded.n, o = excluded.o,"
                                       " d = excluded.d, e = excluded.e, p = excluded.p",
                                       e->table); /* sql-ok: table name from metadata */
        return db_exec(c->db, sql, p, 6) == DB_OK ? GX_OK : ctx_fail(c, GX_EDB, "cannot update the search index");
    }
    Buf so, sd, sp, words;
    buf_init(&so, c->arena);
    buf_init(&sd, c->arena);
    buf_init(&sp, c->arena);
    buf_init(&words, c->arena);
    if (r->scope.owner)
        scope_code(&so, r->scope.owner);
    if (r->scope.dept)
        scope_code(&sd, r->scope.dept);
    if (!r->scope.owner && r->scope.pool)
        scope_code(&sp, r->scope.pool);
    scope_words(&words, r->scope);
    DbVal pt[7] = {dbv_int(id),         dbv_text(r->col[GS_N].data), dbv_text(r->col[GS_O].data),
                   dbv_text(r->col[GS_E].data), dbv_text(so.data), dbv_text(sd.data),
                   dbv_text(sp.data)};
    DbVal pw[7] = {dbv_int(id),           dbv_text(r->han_n.data), dbv_text(r->han_o.data), dbv_text(r->col[GS_P].data),
                   dbv_text(r->py2.data), dbv_text(r->dsuf.data),  dbv_text(words.data)};
    const char *t = e->table;
    if (!fresh) {
        const char *del = arena_printf(c->arena, "DELETE FROM %s_gt WHERE rowid = $1", t); /* sql-ok: table name from metadata */
        const char *del2 = arena_printf(c->arena, "DELETE FROM %s_gw WHERE rowid = $1", t); /* sql-ok: table name from metadata */
        if (db_exec(c->db, del, pt, 1) != DB_OK || db_exec(c->db, del2, pt, 1) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot update the search index");
    }
    const char *ins = arena_printf(c->arena, "INSERT INTO %s_gt(rowid, n, o, e, so, sd, sp) VALUES ($1, $2, $3, $4, $5, $6, $7)", t); /* sql-ok: table name from metadata */
    const char *ins2 = arena_printf(c->arena, "INSERT INTO %s_gw(rowid, n, o, p, p2, d, s) VALUES ($1, $2, $3, $4, $5, $6, $7)", t); /* sql-ok: table name from metadata */
    if (db_exec(c->db, ins, pt, 7) != DB_OK || db_exec(c->db, ins2, pw, 7) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot update the search index");
    return GX_OK;
}

/* Re-read record id's searchable fields and rewrite its search rows. */
static GxErr gs_sync(Ctx *c, const Entity *e, int64_t id)
{
    Buf sql;
    buf_init(&sql, c->arena);
    row_select(&sql, e);
    buf_raw(&sql, " WHERE id = $1");
    DbVal p = dbv_int(id);
    DbRes *res;
    if (db_query(c->db, sql.data, &p, 1, &res) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the record for the search index");
    GsRow row;
    gs_row_init(&row, c->arena);
    int rc = db_next(res);
    if (rc == 1)
        gs_row_from(&row, e, res);
    db_done(res);
    if (rc < 0)
        return ctx_fail(c, GX_EDB, "cannot read the record for the search index");
    if (rc == 0)
        return GX_OK;
    return gs_write(c, e, id, &row, false);
}

/* gs_sync just before the group's COMMIT (db_before_commit). */
static int gs_sync_before_commit(DbConn *w, const void *arg, int64_t id)
{
    Arena a;
    arena_init(&a);
    Ctx c;
    ctx_init(&c, &a, w);
    GxErr err = gs_sync(&c, arg, id);
    if (err)
        log_error("search: cannot index %s %lld: %s", ((const Entity *)arg)->name, (long long)id,
                  c.err_msg ? c.err_msg : "?");
    ctx_done(&c);
    arena_free(&a);
    return err ? -1 : 0;
}

static GxErr hook_sync(Ctx *c, HookArgs *a)
{
    if (record_bulk(c, a->e))
        return GX_OK; /* the importer calls search_index_rows per batch */
    int64_t id = a->id ? a->id : json_integer_value(json_object_get(a->result, "id"));
    /* Under group commit the rows are written once for all units of the
     * COMMIT, outside their savepoints: FTS5 writes a new segment (and
     * merges) at every savepoint, one per table and unit before. */
    if (db_before_commit(c->db, gs_sync_before_commit, a->e, id))
        return GX_OK;
    return gs_sync(c, a->e, id);
}

GxErr search_index_rows(Ctx *c, const Entity *e, const int64_t *ids, int n, bool fresh)
{
    if (!search_indexed(e) || n <= 0)
        return GX_OK;
    Sql q;
    sql_init(&q, c->arena);
    Buf sel;
    buf_init(&sel, c->arena);
    row_select(&sel, e);
    buf_raw(&sel, " WHERE id IN (");
    sql_raw(&q, sel.data);
    for (int i = 0; i < n; i++) {
        if (i)
            sql_raw(&q, ", ");
        sql_param(&q, dbv_int(ids[i]));
    }
    sql_raw(&q, ")");
    /* Read the batch first: PostgreSQL cannot write while a result is open. */
    DbRes *res;
    if (db_query(c->db, q.text.data, q.params, q.n, &res) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read %s for the search index", e->name);
    int64_t *got = arena_alloc(c->arena, sizeof *got * (size_t)n);
    GsRow *rows = arena_alloc(c->arena, sizeof *rows * (size_t)n);
    int k = 0, rc = 0;
    while (k < n && (rc = db_next(res)) == 1) {
        got[k] = db_int(res, 0);
        gs_row_init(&rows[k], c->arena);
        gs_row_from(&rows[k], e, res);
        k++;
    }
    db_done(res);
    if (rc < 0)
        return ctx_fail(c, GX_EDB, "cannot read %s for the search index", e->name);
    for (int i = 0; i < k; i++)
        if (gs_write(c, e, got[i], &rows[i], fresh))
            return c->err;
    return GX_OK;
}

int search_row_fields(const Entity *e, const char **names, int cap)
{
    int n = 0;
    for (int i = 0; i < e->nfields; i++)
        if (field_col(e, &e->fields[i]) >= 0) {
            if (n == cap)
                return -1;
            names[n++] = e->fields[i].name;
        }
    return n;
}

GxErr search_row_write(Ctx *c, const Entity *e, int64_t id, int64_t owner, int64_t dept, int64_t pool,
                       const char *const *vals)
{
    if (!search_indexed(e) || db_dialect(c->db) != DB_SQLITE)
        return ctx_fail(c, GX_EDB, "search_row_write: SQLite and global-search entities only");
    GsRow row;
    gs_row_init(&row, c->arena);
    row.scope = (GsScope){owner, dept, pool};
    int k = 0;
    for (int i = 0; i < e->nfields; i++) {
        int col = field_col(e, &e->fields[i]);
        if (col >= 0)
            gs_row_add(&row, col, vals[k++]);
    }
    return gs_write(c, e, id, &row, true);
}

/* Create the search tables of e (migration steps): PostgreSQL's table
 * (migration 3), SQLite's two FTS5 tables and the trigger that keeps their
 * scope keys (migration 5). */
static GxErr gs_create(Ctx *c, const Entity *e)
{
    const char *sql[8] = {NULL};
    const char *t = e->table;
    if (db_dialect(c->db) == DB_PG) {
        sql[0] = arena_printf(c->arena, "CREATE TABLE %s_gs (id BIGINT PRIMARY KEY, n TEXT, o TEXT, d TEXT, e TEXT, p TEXT)", /* sql-ok: table name from metadata */
                              t);
    } else {
        if (!e->owned)
            return ctx_fail(c, GX_EDB, "the search index of %s needs owners", e->name);
        bool pool = meta_field(e, "pool_id") != NULL;
        const char *pool_sql = pool ? "new.pool_id" : "NULL";
        const char *words = arena_printf( /* sql-ok: column names and a fixed expression */
            c->arena,
            "CASE WHEN new.owner_id IS NULL THEN '' ELSE ' o' || new.owner_id END ||"
            " CASE WHEN new.department_id IS NULL THEN '' ELSE ' d' || new.department_id END ||"
            " CASE WHEN new.owner_id IS NULL AND %s IS NOT NULL THEN ' p' || %s ELSE '' END",
            pool_sql, pool_sql);
        const char *sp = arena_printf(c->arena, "CASE WHEN new.owner_id IS NULL THEN %s ELSE '' END", /* sql-ok: a fixed expression */
                                      scope_code_sql(c->arena, pool_sql));
        sql[0] = arena_printf(c->arena, "DROP TABLE IF EXISTS %s_gs", t); /* sql-ok: table name from metadata */
        sql[1] = arena_printf(c->arena, "DROP TABLE IF EXISTS %s_gs2", t); /* sql-ok: table name from metadata */
        sql[2] = arena_printf(c->arena, "CREATE VIRTUAL TABLE %s_gt USING fts5(n, o, e, so, sd, sp, tokenize='trigram')", t); /* sql-ok: table name from metadata */
        sql[3] = arena_printf(c->arena, /* sql-ok: table name from metadata */
                              "CREATE VIRTUAL TABLE %s_gw USING fts5(n, o, p, p2, d, s, tokenize='unicode61', prefix='3 4 5')",
                              t);
        sql[4] = arena_printf( /* sql-ok: table and column names from metadata, fixed expressions */
            c->arena,
            "CREATE TRIGGER %s_gs_scope AFTER UPDATE OF owner_id, department_id%s ON %s"
            " WHEN old.owner_id IS NOT new.owner_id OR old.department_id IS NOT new.department_id%s BEGIN"
            " UPDATE %s_gt SET so = %s, sd = %s, sp = %s WHERE rowid = new.id;"
            " UPDATE %s_gw SET s = %s WHERE rowid = new.id; END",
            t, pool ? ", pool_id" : "", t, pool ? " OR old.pool_id IS NOT new.pool_id" : "", t,
            scope_code_sql(c->arena, "new.owner_id"), scope_code_sql(c->arena, "new.department_id"), sp, t, words);
    }
    for (int i = 0; sql[i]; i++)
        if (db_exec(c->db, sql[i], NULL, 0) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot create the search index of %s: %s", e->name, db_errmsg(c->db));
    if (db_dialect(c->db) == DB_SQLITE && (ddl_fts_tune(c, arena_printf(c->arena, "%s_gt", t)) ||
                                           ddl_fts_tune(c, arena_printf(c->arena, "%s_gw", t))))
        return c->err;
    return GX_OK;
}

/* Migration 9: every FTS5 table merges as meta.h's DDL_FTS_AUTOMERGE and
 * DDL_FTS_CRISISMERGE say (the ones created from now on are created so). */
static GxErr fts_automerge_9(Ctx *c, bool fresh)
{
    (void)fresh;
    if (db_dialect(c->db) != DB_SQLITE)
        return GX_OK;
    DbRes *r;
    if (db_query(c->db, "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE % USING fts5(%'"
                        " ORDER BY name",
                 NULL, 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot list the FTS5 tables: %s", db_errmsg(c->db));
    const char *names[512];
    int n = 0, s;
    while ((s = db_next(r)) == 1 && n < 512)
        names[n++] = arena_strdup(c->arena, db_text(r, 0));
    db_done(r);
    if (s < 0 || n == 512)
        return ctx_fail(c, GX_EDB, "cannot list the FTS5 tables");
    for (int i = 0; i < n; i++)
        if (ddl_fts_tune(c, names[i]))
            return c->err;
    return GX_OK;
}

/* Index every row of e, in batches by id. */
static GxErr gs_fill(Ctx *c, const Entity *e)
{
    Buf sql;
    buf_init(&sql, c->arena);
    row_select(&sql, e);
    buf_raw(&sql, " WHERE id > $1 ORDER BY id LIMIT 5000");
    int64_t last = 0, rows = 0;
    for (;;) {
        /* Read a batch into memory first: PostgreSQL cannot write while a
         * result is open on the same connection. */
        Arena batch;
        arena_init(&batch);
        Arena *saved = c->arena;
        c->arena = &batch;
        DbVal p = dbv_int(last);
        DbRes *res;
        if (db_query(c->db, sql.data, &p, 1, &res) != DB_OK) {
            c->arena = saved;
            arena_free(&batch);
            return ctx_fail(c, GX_EDB, "cannot read %s for the search index", e->name);
        }
        int64_t ids[5000];
        GsRow *grows = arena_alloc(&batch, sizeof *grows * 5000);
        int n = 0, rc;
        while ((rc = db_next(res)) == 1) {
            ids[n] = db_int(res, 0);
            gs_row_init(&grows[n], &batch);
            gs_row_from(&grows[n], e, res);
            n++;
        }
        db_done(res);
        GxErr err = rc < 0 ? ctx_fail(c, GX_EDB, "cannot read %s for the search index", e->name) : GX_OK;
        for (int i = 0; i < n && !err; i++)
            err = gs_write(c, e, ids[i], &grows[i], true);
        c->arena = saved;
        arena_free(&batch);
        if (err)
            return err;
        rows += n;
        if (n < 5000)
            break;
        last = ids[n - 1];
    }
    if (rows)
        log_info("search index: %lld %s", (long long)rows, e->name);
    return GX_OK;
}

/* Migration 3: PostgreSQL's search table of every indexed entity, filled.
 * (SQLite's tables come with migration 5.) */
static GxErr gs_migrate(Ctx *c, bool fresh)
{
    (void)fresh;
    if (db_dialect(c->db) != DB_PG)
        return GX_OK;
    for (int i = 0; indexed[i]; i++) {
        const Entity *e = meta_entity(indexed[i]);
        if (!e || e->since > 3)
            continue;
        GxErr rc = gs_create(c, e);
        if (!rc)
            rc = gs_fill(c, e);
        if (rc)
            return rc;
    }
    return GX_OK;
}

/* Migration 5 (SQLite): migration 3's search tables replaced by the ones
 * above (phone endings, prefix indexes, scope keys), filled, and merged
 * into one segment each (FTS5 'optimize': fewer b-trees per query). */
static GxErr gs_migrate5(Ctx *c, bool fresh)
{
    if (db_dialect(c->db) == DB_PG)
        return GX_OK;
    for (int i = 0; indexed[i]; i++) {
        const Entity *e = meta_entity(indexed[i]);
        if (!e)
            continue;
        GxErr rc = gs_create(c, e);
        if (rc)
            return rc;
    }
    return fresh ? GX_OK : search_fill(c);
}

/* Rewrite the search rows of e's records that have text in a searchable
 * field of type text (notes), which migration 6 added to the rows. */
static GxErr gs_refresh_text(Ctx *c, const Entity *e)
{
    Buf where;
    buf_init(&where, c->arena);
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].search && e->fields[i].type == FT_TEXT)
            buf_printf(&where, "%s(%s IS NOT NULL AND %s <> '')", where.len ? " OR " : "", e->fields[i].name, /* sql-ok: field names from metadata */
                       e->fields[i].name);
    if (!where.len)
        return GX_OK;
    const char *sql = arena_printf(c->arena, "SELECT id FROM %s WHERE id > $1 AND (%s) ORDER BY id LIMIT 5000", e->table, /* sql-ok: names from metadata */
                                   where.data);
    int64_t last = 0, rows = 0;
    Arena *saved = c->arena;
    for (;;) {
        Arena batch;
        arena_init(&batch);
        c->arena = &batch;
        int64_t *ids = arena_alloc(&batch, sizeof *ids * 5000);
        int n = 0, rc;
        DbVal p = dbv_int(last);
        DbRes *res;
        if (db_query(c->db, sql, &p, 1, &res) != DB_OK) {
            c->arena = saved;
            arena_free(&batch);
            return ctx_fail(c, GX_EDB, "cannot read %s for the search index", e->name);
        }
        while ((rc = db_next(res)) == 1)
            ids[n++] = db_int(res, 0);
        db_done(res);
        GxErr err = rc < 0 ? ctx_fail(c, GX_EDB, "cannot read %s for the search index", e->name)
                           : search_index_rows(c, e, ids, n, false);
        c->arena = saved;
        if (!err && n)
            last = ids[n - 1];
        arena_free(&batch);
        if (err)
            return err;
        rows += n;
        if (n < 5000)
            break;
    }
    if (rows)
        log_info("search index: %lld %s with notes", (long long)rows, e->name);
    return GX_OK;
}

/* Migration 6: the search rows of customers, contacts and leads hold their
 * searchable text fields too (notes), so that they answer the list's text
 * search as well; SQLite drops the entities' own trigram and per-character
 * tables (<table>_fts, <table>_fts2), which held the same texts again: a
 * create wrote four FTS5 tables, now two. */
static GxErr gs_migrate6(Ctx *c, bool fresh)
{
    for (int i = 0; indexed[i]; i++) {
        const Entity *e = meta_entity(indexed[i]);
        if (!e)
            continue;
        if (db_dialect(c->db) == DB_SQLITE)
            for (int k = 0; k < 2; k++) {
                const char *drop = arena_printf(c->arena, "DROP TABLE IF EXISTS %s_%s", e->table, k ? "fts2" : "fts"); /* sql-ok: table name from metadata */
                if (db_exec(c->db, drop, NULL, 0) != DB_OK)
                    return ctx_fail(c, GX_EDB, "cannot drop the search table of %s: %s", e->name, db_errmsg(c->db));
            }
        GxErr rc = fresh ? GX_OK : gs_refresh_text(c, e);
        if (rc)
            return rc;
    }
    return GX_OK;
}

/* Merge the SQLite search tables of e into one segment each (FTS5
 * 'optimize'). */
static GxErr gs_optimize_entity(Ctx *c, const Entity *e)
{
    for (int k = 0; k < 2; k++) {
        const char *fts = arena_printf(c->arena, "%s_%s", e->table, k ? "gw" : "gt");
        const char *opt = arena_printf(c->arena, "INSERT INTO %s(%s) VALUES ('optimize')", fts, fts); /* sql-ok: names from metadata */
        if (db_exec(c->db, opt, NULL, 0) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot optimize the search index of %s: %s", e->name, db_errmsg(c->db));
    }
    return GX_OK;
}

/* The same for every indexed entity. */
static GxErr gs_optimize(Ctx *c)
{
    for (int i = 0; indexed[i]; i++) {
        const Entity *e = meta_entity(indexed[i]);
        GxErr rc = e ? gs_optimize_entity(c, e) : GX_OK;
        if (rc)
            return rc;
    }
    return GX_OK;
}

/* Migration 7 (SQLite): the search tables merged into one segment again.
 * Migration 6 rewrote the rows of every record with notes (a delete and an
 * insert each), which left the tables in many segments: on the 1M bench
 * database customers' word table in 15 and its trigram table in 10, so that
 * every term of a query was looked up, and its leaf pages read, 10-15 times
 * (bench/README.md, stop 13). */
static GxErr gs_migrate7(Ctx *c, bool fresh)
{
    if (fresh || db_dialect(c->db) == DB_PG)
        return GX_OK;
    return gs_optimize(c);
}

/* Migration 8 (SQLite): <table>_sid_idx, each indexed entity's live rows
 * by id with what a scope, the liveness test and the list's default order
 * read (updated_at, owner, department, pool, deleted_at): global search
 * tests its candidates there (search_entity) and the list's text search
 * sorts and counts its matches there (record.c, list_ids), so that neither
 * reads a table row for a match it does not show. At 1M customers the
 * index is ~40 MB and stays cached, where every candidate cost a random
 * page of a multi-GB table before (bench/README.md, stop 14). */
static GxErr gs_migrate8(Ctx *c, bool fresh)
{
    (void)fresh;
    if (db_dialect(c->db) == DB_PG)
        return GX_OK;
    for (int i = 0; indexed[i]; i++) {
        const Entity *e = meta_entity(indexed[i]);
        if (!e)
            continue;
        const char *t = e->table;
        const char *sql[] = {
            arena_printf(c->arena, /* sql-ok: names from metadata */
                         "CREATE INDEX %s_sid_idx ON %s(id, updated_at, owner_id, department_id%s, deleted_at)"
                         " WHERE deleted_at IS NULL",
                         t, t, meta_field(e, "pool_id") ? ", pool_id" : ""),
            /* its size for the planner (INDEXED BY names it where it is read) */
            arena_printf(c->arena, "ANALYZE %s_sid_idx", t), /* sql-ok: name from metadata */
        };
        for (int k = 0; k < 2; k++)
            if (db_exec(c->db, sql[k], NULL, 0) != DB_OK)
                return ctx_fail(c, GX_EDB, "cannot index %s for search: %s", e->name, db_errmsg(c->db));
    }
    return GX_OK;
}

/* Migration 12 (SQLite): <table>_chg, the ids whose updated_at, deleted_at
 * or scope columns (owner, department, pool) changed or whose row was
 * deleted, in the order committed, written by triggers whatever the
 * statement; record/sortkeys.c follows the list order and scope of the live
 * rows in memory with it (new rows it finds by id). AUTOINCREMENT: a seq is
 * never used twice, also after trimming (trim_changes). */
static GxErr gs_migrate12(Ctx *c, bool fresh)
{
    (void)fresh;
    if (db_dialect(c->db) == DB_PG)
        return GX_OK;
    for (int i = 0; indexed[i]; i++) {
        const Entity *e = meta_entity(indexed[i]);
        if (!e)
            continue;
        const char *t = e->table;
        bool pool = meta_field(e, "pool_id") != NULL;
        const char *sql[] = {
            arena_printf(c->arena, /* sql-ok: names from metadata */
                         "CREATE TABLE %s_chg (seq INTEGER PRIMARY KEY AUTOINCREMENT, id INTEGER NOT NULL)", t),
            arena_printf(c->arena, /* sql-ok: names from metadata */
                         "CREATE TRIGGER %s_chg_update AFTER UPDATE OF updated_at, deleted_at, owner_id, department_id%s"
                         " ON %s FOR EACH ROW WHEN new.updated_at IS NOT old.updated_at"
                         " OR new.deleted_at IS NOT old.deleted_at OR new.owner_id IS NOT old.owner_id"
                         " OR new.department_id IS NOT old.department_id%s"
                         " BEGIN INSERT INTO %s_chg(id) VALUES (new.id); END",
                         t, pool ? ", pool_id" : "", t, pool ? " OR new.pool_id IS NOT old.pool_id" : "", t),
            arena_printf(c->arena, /* sql-ok: names from metadata */
                         "CREATE TRIGGER %s_chg_delete AFTER DELETE ON %s FOR EACH ROW"
                         " BEGIN INSERT INTO %s_chg(id) VALUES (old.id); END",
                         t, t, t),
        };
        for (int k = 0; k < 3; k++)
            if (db_exec(c->db, sql[k], NULL, 0) != DB_OK)
                return ctx_fail(c, GX_EDB, "cannot log %s's changes: %s", e->name, db_errmsg(c->db));
    }
    return GX_OK;
}

/* Keep the newest CHANGES_KEPT rows of each <table>_chg (a server that has
 * read less than that builds its list order again, sortkeys.c). Daily. */
#define CHANGES_KEPT 100000
static GxErr trim_changes(Ctx *c, json_t *payload)
{
    (void)payload;
    if (db_dialect(c->db) == DB_PG)
        return GX_OK;
    for (int i = 0; indexed[i]; i++) {
        const Entity *e = meta_entity(indexed[i]);
        if (!e)
            continue;
        DbVal p[] = {dbv_int(CHANGES_KEPT)};
        const char *sql = arena_printf(c->arena, /* sql-ok: names from metadata */
                                       "DELETE FROM %s_chg WHERE seq <= (SELECT max(seq) FROM %s_chg) - $1", e->table,
                                       e->table);
        if (db_exec(c->db, sql, p, 1) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot trim %s's change log: %s", e->name, db_errmsg(c->db));
    }
    return GX_OK;
}

GxErr search_fill(Ctx *c)
{
    if (db_dialect(c->db) == DB_PG)
        return GX_OK;
    for (int i = 0; indexed[i]; i++) {
        const Entity *e = meta_entity(indexed[i]);
        if (!e)
            continue;
        GxErr rc = gs_fill(c, e);
        if (!rc)
            rc = gs_optimize_entity(c, e);
        if (rc)
            return rc;
    }
    return GX_OK;
}

/* ---------- queries ---------- */

/* May the user see every field feeding column col of e? */
static bool col_visible(Ctx *c, const Entity *e, int col)
{
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        int fc = field_col(e, f);
        if ((fc == col || (col == GS_P && fc == GS_N)) && acl_field(c, e, f->name) == FIELD_HIDDEN)
            return false;
    }
    return true;
}

/* One alternative of a query: text matched in a set of columns. */
typedef enum AltKind {
    ALT_TRIGRAM, /* SQLite: a substring, in the trigram table */
    ALT_WORD,    /* SQLite: a word (a Chinese character or pair, two pinyin initials) */
    ALT_PREFIX,  /* SQLite: the beginning of a word (phone endings, pinyin initials) */
} AltKind;
typedef struct Alt {
    unsigned cols;    /* bit set of GsCol (PostgreSQL's columns; visibility) */
    const char *text; /* what to find (PostgreSQL: as stored in its columns) */
    AltKind kind;
    const char *fts_cols; /* SQLite: the FTS5 columns searched */
    const char *fts_text; /* SQLite: what to find there */
} Alt;

/* Plan the alternatives for q. Returns their number (0: nothing can match). */
static int plan(Ctx *c, const Entity *e, const char *q, Alt *alts)
{
    int n = 0;
    unsigned visible = 0;
    for (int i = 0; i < GS__COUNT; i++)
        if (col_visible(c, e, i))
            visible |= 1u << i;
    const unsigned D = 1u << GS_D, P = 1u << GS_P, NO = 1u << GS_N | 1u << GS_O, NOE = NO | 1u << GS_E;
    char *alt;
    char *digits = phone_search_digits(c->arena, q, &alt);
    size_t len = utf8_len(q);
    if (digits) {
        alts[n++] = (Alt){visible & D, textkey_digits_query(c->arena, digits), ALT_PREFIX, "d", digits};
        if (alt)
            alts[n++] = (Alt){visible & D, textkey_digits_query(c->arena, alt), ALT_PREFIX, "d", alt};
    } else if (len >= 3) {
        unsigned cols = visible & NOE;
        Buf fc;
        buf_init(&fc, c->arena);
        for (int i = 0; i < GS__COUNT; i++)
            if (cols >> i & 1)
                buf_printf(&fc, "%s%s", fc.len ? " " : "", col_names[i]);
        alts[n++] = (Alt){cols, q, ALT_TRIGRAM, fc.data, q};
        if (textkey_letters(q, 3, 100)) {
            const char *py = arena_strndup(c->arena, q, strnlen(q, PINYIN_SPAN)); /* (copies n bytes, whatever q's length) */
            alts[n++] = (Alt){visible & P, py, ALT_PREFIX, "p", py};
        }
    } else if (textkey_han_query(q)) {
        unsigned cols = visible & NO;
        alts[n++] = (Alt){cols, q, ALT_WORD, cols == NO ? "n o" : cols >> GS_N & 1 ? "n" : "o", q};
    } else if (textkey_letters(q, 2, 2)) {
        alts[n++] = (Alt){visible & P, q, ALT_WORD, "p2", q};
    }
    int k = 0;
    for (int i = 0; i < n; i++)
        if (alts[i].cols)
            alts[k++] = alts[i];
    return k;
}

/* "({cols} : \"text\")" or "({cols} : \"text\" *)" for an alternative. */
static void fts_alt(Buf *b, const Alt *a, Arena *arena)
{
    buf_printf(b, "({%s} : %s%s)", a->fts_cols, textkey_phrase(arena, a->fts_text), a->kind == ALT_PREFIX ? " *" : "");
}

/* " AND (<scope keys>)" in the words (gw) or trigram (gt) table, "" when
 * the scope is every row or has too many keys to list, or (unless trees)
 * a department tree. */
static const char *fts_scope(Ctx *c, const Entity *e, bool words, bool trees)
{
    AclKey keys[64];
    int n = acl_scope_keys(c, e, ACT_READ, keys, 64);
    if (n <= 0)
        return ""; /* all rows (no scope: search_entity returned already) */
    /* A department tree (a manager's) holds a good share of the rows: its
     * matches are dense among the newest, and an OR of many department keys
     * costs more than the join's predicate (bench: manager m3, 100k
     * customers, p99 38 ms with the keys). */
    int depts = 0;
    for (int i = 0; i < n; i++)
        depts += keys[i].kind == 'd';
    if (depts > 1 && !trees)
        return "";
    Buf b;
    buf_init(&b, c->arena);
    buf_raw(&b, " AND (");
    for (int i = 0; i < n; i++) {
        if (i)
            buf_raw(&b, " OR ");
        if (words) {
            buf_printf(&b, "(s : %c%lld)", keys[i].kind, (long long)keys[i].id);
        } else {
            buf_printf(&b, "({s%c} : \"", keys[i].kind);
            scope_code(&b, keys[i].id);
            buf_raw(&b, "\")");
        }
    }
    buf_raw(&b, ")");
    return b.data;
}

/* LIKE pattern for a substring, with % _ \ escaped. */
static char *like_of(Arena *a, const char *s)
{
    Buf b;
    buf_init(&b, a);
    buf_putc(&b, '%');
    for (const char *p = s; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            buf_putc(&b, '\\');
        buf_putc(&b, *p);
    }
    buf_putc(&b, '%');
    return b.data;
}

/* The subtitle of a result: its number, phone and e-mail (those the user
 * may see), at most two, phones as shown everywhere. */
static const char *subtitle(Ctx *c, const Entity *e, DbRes *res, int first_col)
{
    Buf b;
    buf_init(&b, c->arena);
    int col = first_col, shown = 0;
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        int fc = field_col(e, f);
        if (fc < 0)
            continue;
        const char *v = db_text(res, col++);
        if (fc == GS_N || !v || !*v || shown == 2 || acl_field(c, e, f->name) == FIELD_HIDDEN)
            continue;
        if (f->type == FT_TEXT || (f->type == FT_STRING && strcmp(f->name, "company")))
            continue; /* codes, phones, e-mails and the company of a lead */
        if (shown++)
            buf_raw(&b, " · ");
        buf_raw(&b, f->type == FT_PHONE ? phone_display(c->arena, v, c->lang && c->lang[0] == 'e' ? "ext." : "转") : v);
    }
    return b.data;
}

/* One result row: its id and the object listed. */
typedef struct Hit {
    int64_t id;
    json_t *obj;
} Hit;

/* Run a search query (columns: id, title, field_list) and append its rows
 * to hits. */
static GxErr run_query(Ctx *c, const Entity *e, Sql *s, Hit *hits, int *nhits, int limit)
{
    DbRes *res;
    if (db_query(c->db, s->text.data, s->params, s->n, &res) != DB_OK)
        return ctx_fail(c, GX_EDB, "search failed: %s", db_errmsg(c->db));
    int rc;
    while ((rc = db_next(res)) == 1 && *nhits < limit) {
        const char *t = db_text(res, 1);
        hits[*nhits].id = db_int(res, 0);
        hits[*nhits].obj = json_pack("{s:s, s:I, s:s, s:s}", "entity", e->name, "id", (json_int_t)db_int(res, 0),
                                     "title", t ? t : "", "subtitle", subtitle(c, e, res, 2));
        (*nhits)++;
    }
    db_done(res);
    if (rc < 0) {
        for (int i = 0; i < *nhits; i++)
            json_decref(hits[i].obj);
        *nhits = 0;
        return ctx_fail(c, GX_EDB, "search failed: %s", db_errmsg(c->db));
    }
    return GX_OK;
}

/* A department tree's search (SQLite), first way: the newest matches of
 * match in fts, each tested against the scope in <table>_sid_idx
 * (migration 8: id, updated_at, scope columns and deleted_at of live rows;
 * ~40 bytes a row, cached), up to tree_probe (TREE_PROBE) of them, ~0.7 us
 * each at 1M. A manager's tree holds a good share of the rows, so its
 * matches are usually among the first few; then *ids (up to limit, newest
 * first) is the answer and *capped false. When that many matches held
 * fewer than limit in scope, *capped: the matches are sparse in the tree,
 * and testing every one of them costs a probe each (28 ms for two pinyin
 * initials with 14,000 matches, none in the tree, bench/README.md stop
 * 19) — the caller asks FTS5 with the tree's department keys instead (2-6
 * ms, whatever the number of matches: FTS5 reads the departments'
 * doclists; too slow to be the first way: the dense case is 0.4 ms). A
 * manager's mix at 16 connections, 1M: p99 26.7 ms testing every match,
 * 13.9 ms with 1,024, 12.3 with 256 (but 5 % more CPU a search). */
#define TREE_PROBE 1024
static int tree_probe = TREE_PROBE;
void search_set_tree_probe(int n) { tree_probe = n > 0 ? n : TREE_PROBE; }

static GxErr tree_candidates(Ctx *c, const Entity *e, const char *fts, const char *match, int limit, int64_t *ids,
                             int *nids, bool *capped)
{
    Sql s;
    sql_init(&s, c->arena);
    sql_raw(&s, "SELECT x.id, CASE WHEN 1");
    acl_scope_predicate(c, e, ACT_READ, &s); /* " AND (…)" over x's columns, unqualified */
    sql_raw(&s, arena_printf(c->arena, /* sql-ok: names from metadata; the MATCH text is bound */
                             " THEN 1 ELSE 0 END FROM %s JOIN %s x INDEXED BY %s_sid_idx ON x.id = %s.rowid WHERE %s MATCH ",
                             fts, e->table, e->table, fts, fts));
    sql_param(&s, dbv_text(match));
    sql_raw(&s, arena_printf(c->arena, " AND x.deleted_at IS NULL ORDER BY %s.rowid DESC", fts)); /* sql-ok: name from metadata */
    DbRes *res;
    if (db_query(c->db, s.text.data, s.params, s.n, &res) != DB_OK)
        return ctx_fail(c, GX_EDB, "search failed: %s", db_errmsg(c->db));
    int rc = 0, seen = 0;
    *nids = 0;
    *capped = false;
    while (*nids < limit && (rc = db_next(res)) == 1) {
        if (db_int(res, 1))
            ids[(*nids)++] = db_int(res, 0);
        if (++seen == tree_probe && *nids < limit) {
            *capped = true;
            break;
        }
    }
    db_done(res);
    if (*nids < limit && !*capped && rc < 0)
        return ctx_fail(c, GX_EDB, "search failed: %s", db_errmsg(c->db));
    return GX_OK;
}

GxErr search_entity(Ctx *c, const Entity *e, const char *q, int limit, json_t *out)
{
    if (!search_indexed(e) || acl_scope(c, e, ACT_READ) == SCOPE_NONE)
        return GX_OK;
    Alt alts[4];
    int nalts = plan(c, e, q, alts);
    if (!nalts)
        return GX_OK;
    bool pg = db_dialect(c->db) == DB_PG;
    Buf cols;
    buf_init(&cols, c->arena);
    for (int i = 0; i < e->nfields; i++)
        if (field_col(e, &e->fields[i]) >= 0)
            buf_printf(&cols, ", t.%s", e->fields[i].name); /* sql-ok: field names from metadata */
    const char *title = e->title_field ? e->title_field : "id";
    /* Up to two queries (SQLite: one per FTS5 table), each newest first;
     * their rows are merged by id. */
    Hit *hits[2];
    int nhits[2] = {0, 0}, nq = 0;
    for (int tab = 0; tab < 2; tab++) {
        bool words = tab == 1;
        if (pg && words)
            break;
        Sql s;
        sql_init(&s, c->arena);
        if (pg) {
            sql_raw(&s, arena_printf(c->arena, "SELECT t.id, t.%s%s FROM %s_gs g JOIN %s t ON t.id = g.id WHERE (", title, /* sql-ok: names from metadata */
                                     cols.data, e->table, e->table)); /* sql-ok: names from metadata */
            bool first = true;
            for (int i = 0; i < nalts; i++)
                for (int k = 0; k < GS__COUNT; k++) {
                    if (!(alts[i].cols >> k & 1))
                        continue;
                    sql_raw(&s, first ? "" : " OR ");
                    sql_raw(&s, arena_printf(c->arena, "g.%s ILIKE ", col_names[k])); /* sql-ok: fixed column names */
                    sql_param(&s, dbv_text(like_of(c->arena, alts[i].text)));
                    sql_raw(&s, " ESCAPE '\\'");
                    first = false;
                }
            sql_raw(&s, ") AND t.deleted_at IS NULL");
            acl_scope_predicate(c, e, ACT_READ, &s);
            sql_raw(&s, " ORDER BY g.id DESC LIMIT ");
        } else {
            Buf m;
            buf_init(&m, c->arena);
            for (int i = 0; i < nalts; i++) {
                if ((alts[i].kind != ALT_TRIGRAM) != words)
                    continue;
                buf_raw(&m, m.len ? " OR " : "(");
                fts_alt(&m, &alts[i], c->arena);
            }
            if (!m.len)
                continue;
            buf_raw(&m, ")");
            const char *keys = fts_scope(c, e, words, false);
            const char *fts = arena_printf(c->arena, "%s_%s", e->table, words ? "gw" : "gt");
            bool written = false; /* the statement is written (else: MATCH joined to the table) */
            if (!*keys && acl_scope(c, e, ACT_READ) != SCOPE_ALL) {
                /* A scope the match does not narrow (a manager's department
                 * tree): the newest matches tested one by one while they
                 * are dense in it, else FTS5 with the tree's keys. */
                int64_t *ids = arena_alloc(c->arena, sizeof *ids * (size_t)limit);
                int nids = 0;
                bool capped = false;
                GxErr rc = tree_candidates(c, e, fts, m.data, limit, ids, &nids, &capped);
                if (rc) {
                    for (int k = 0; k < nq; k++)
                        for (int i = 0; i < nhits[k]; i++)
                            json_decref(hits[k][i].obj);
                    return rc;
                }
                if (capped)
                    keys = fts_scope(c, e, words, true);
                if (!capped || !*keys) {
                    if (!nids && !capped)
                        continue; /* no match in scope */
                    if (capped) {
                        /* Too many keys to list: every match tested (the first way, uncapped). */
                        sql_raw(&s, arena_printf(c->arena, "SELECT t.id, t.%s%s FROM %s t WHERE t.id IN (SELECT x.id FROM %s JOIN %s x" /* sql-ok: names from metadata */
                                                 " INDEXED BY %s_sid_idx ON x.id = %s.rowid WHERE %s MATCH ", /* sql-ok: names from metadata; the MATCH text is bound */
                                                 title, cols.data, e->table, fts, e->table, e->table, fts, fts));
                        sql_param(&s, dbv_text(m.data));
                        sql_raw(&s, " AND x.deleted_at IS NULL");
                        acl_scope_predicate(c, e, ACT_READ, &s); /* (unqualified: x's columns) */
                        sql_raw(&s, arena_printf(c->arena, " ORDER BY %s.rowid DESC LIMIT ", fts)); /* sql-ok: name from metadata */
                        sql_param(&s, dbv_int(limit));
                        sql_raw(&s, ") ORDER BY t.id DESC LIMIT ");
                    } else {
                        /* The rows found, read by id (still in scope: the predicate again). */
                        sql_raw(&s, arena_printf(c->arena, "SELECT t.id, t.%s%s FROM %s t WHERE t.id IN (", title, /* sql-ok: names from metadata */
                                                 cols.data, e->table));
                        for (int i = 0; i < nids; i++) {
                            if (i)
                                sql_raw(&s, ", ");
                            sql_param(&s, dbv_int(ids[i]));
                        }
                        sql_raw(&s, ") AND t.deleted_at IS NULL");
                        acl_scope_predicate(c, e, ACT_READ, &s);
                        sql_raw(&s, " ORDER BY t.id DESC LIMIT ");
                    }
                    written = true;
                }
            }
            if (!written) {
                buf_raw(&m, keys);
                sql_raw(&s, arena_printf(c->arena, "SELECT t.id, t.%s%s FROM %s JOIN %s t ON t.id = %s.rowid WHERE %s MATCH ", /* sql-ok: names from metadata; the MATCH text is bound */
                                         title, cols.data, fts, e->table, fts, fts)); /* sql-ok: names from metadata */
                sql_param(&s, dbv_text(m.data));
                sql_raw(&s, " AND t.deleted_at IS NULL");
                acl_scope_predicate(c, e, ACT_READ, &s);
                sql_raw(&s, arena_printf(c->arena, " ORDER BY %s.rowid DESC LIMIT ", fts)); /* sql-ok: name from metadata */
            }
        }
        sql_param(&s, dbv_int(limit));
        hits[nq] = arena_alloc(c->arena, sizeof(Hit) * (size_t)limit);
        GxErr rc = run_query(c, e, &s, hits[nq], &nhits[nq], limit);
        if (rc) {
            for (int k = 0; k < nq; k++)
                for (int i = 0; i < nhits[k]; i++)
                    json_decref(hits[k][i].obj);
            return rc;
        }
        nq++;
    }
    /* Merge newest first; a record found by both queries once. */
    int i = 0, k = 0, listed = 0;
    Hit *a = hits[0], *b = nq > 1 ? hits[1] : NULL;
    int na = nq > 0 ? nhits[0] : 0, nb = nq > 1 ? nhits[1] : 0;
    while (i < na || k < nb) {
        Hit *h;
        if (k >= nb || (i < na && a[i].id >= b[k].id)) {
            h = &a[i++];
            if (k < nb && b[k].id == h->id)
                json_decref(b[k++].obj);
        } else {
            h = &b[k++];
        }
        if (listed++ < limit)
            json_array_append_new(out, h->obj);
        else
            json_decref(h->obj);
    }
    return GX_OK;
}

GxErr search_global(Ctx *c, const char *q, int limit, json_t **out)
{
    *out = json_array();
    if (!q || !utf8_valid(q, strlen(q)))
        return ctx_fail(c, GX_EBADREQ, "Search text is not valid UTF-8");
    while (*q == ' ')
        q++;
    size_t n = strlen(q);
    while (n && q[n - 1] == ' ')
        n--;
    q = arena_strndup(c->arena, q, n);
    if (!*q)
        return ctx_fail(c, GX_EBADREQ, "q is required");
    if (utf8_len(q) > 100)
        return ctx_fail(c, GX_EBADREQ, "Search text is too long (at most 100 characters)");
    for (int i = 0; indexed[i]; i++) {
        const Entity *e = meta_entity(indexed[i]);
        GxErr rc = e ? search_entity(c, e, q, limit, *out) : GX_OK;
        if (rc) {
            json_decref(*out);
            *out = NULL;
            return rc;
        }
    }
    return GX_OK;
}

void search_module_init(void)
{
    for (int i = 0; indexed[i]; i++) {
        record_hook_add(indexed[i], HOOK_AFTER_CREATE, hook_sync);
        record_hook_add(indexed[i], HOOK_AFTER_UPDATE, hook_sync);
    }
    ddl_step_add(3, "global search index", gs_migrate);
    ddl_step_add(5, "global search index: phone endings, prefix indexes, scope keys", gs_migrate5);
    ddl_step_add(6, "global search index: notes; it answers the list search of customers, contacts and leads",
                 gs_migrate6);
    ddl_step_add(7, "global search index: merged into one segment per table", gs_migrate7);
    ddl_step_add(8, "global search: live rows by id with their scope and order columns", gs_migrate8);
    ddl_step_add(9, "FTS5 tables: automerge 16, crisismerge 64", fts_automerge_9);
    ddl_step_add(12, "global search entities: a log of changes to their list order and scope", gs_migrate12);
    jobs_register("list_order_trim", trim_changes);
    jobs_daily("list_order_trim", 3, 40);
}
