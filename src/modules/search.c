/* search.c — global search over customers, contacts and leads: by name
 * (any Chinese substring, two characters included), pinyin initials (every
 * reading: 长沙 is "cs" and "zs"), any part of a phone number, e-mail and
 * number, within the user's scope and without hidden fields.
 *
 * Each indexed entity has its own search rows, kept by the after-create and
 * after-update hooks (the texts are re-read from the row, so they do not
 * depend on what the acting user may see):
 *   SQLite      <table>_gs   FTS5 trigram: n name, o other text (numbers,
 *                            company …), d phone digits, e e-mails, p pinyin
 *                            initials (up to 8 letters from each character)
 *                            (phone digits written ⓪-⑨, textkey.h)
 *               <table>_gs2  FTS5 words: n, o Chinese characters and pairs,
 *                            p two-letter pinyin initials (textkey.h)
 *   PostgreSQL  <table>_gs   id, n, o, d, e, p as text, matched with ILIKE
 * A query is answered from the index, newest record first, joined to the
 * table with the scope predicate and deleted_at IS NULL, so a stale search
 * row (an owner changed by a handover) can never show a record out of scope.
 * The index is created and filled by a data step of migration 3. */
#include <string.h>

#include "../base/log.h"
#include "../base/phone.h"
#include "../base/textkey.h"
#include "../base/util.h"
#include "../record/record.h"
#include "modules.h"

/* Matches looked at under a scope narrower than "all" (see search_entity). */
#define SCOPED_CANDIDATES 3000

/* Entities of global search, in the order results are listed. */
static const char *const indexed[] = {"customers", "contacts", "leads", NULL};

/* Columns of the search rows. */
typedef enum GsCol { GS_N, GS_O, GS_D, GS_E, GS_P, GS__COUNT } GsCol;
static const char *const col_names[GS__COUNT] = {"n", "o", "d", "e", "p"};

bool search_indexed(const Entity *e)
{
    for (int i = 0; indexed[i]; i++)
        if (!strcmp(indexed[i], e->name))
            return true;
    return false;
}

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
        return GS_O;
    default:
        return -1;
    }
}

/* The texts of one record's search rows, built from its field values. */
typedef struct GsRow {
    Buf col[GS__COUNT]; /* trigram texts */
    Buf han_n, han_o;   /* Chinese characters and pairs of n and o */
    Buf py2;            /* two-letter pinyin initials */
} GsRow;

static void gs_row_init(GsRow *r, Arena *a)
{
    for (int i = 0; i < GS__COUNT; i++)
        buf_init(&r->col[i], a);
    buf_init(&r->han_n, a);
    buf_init(&r->han_o, a);
    buf_init(&r->py2, a);
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
            buf_printf(b, ", %s", e->fields[i].name);
}

/* Fill row from a result whose columns 1.. are field_list(e)'s. */
static void gs_row_from(GsRow *row, const Entity *e, DbRes *res)
{
    int col = 1;
    for (int i = 0; i < e->nfields; i++) {
        int c = field_col(e, &e->fields[i]);
        if (c < 0)
            continue;
        gs_row_add(row, c, db_text(res, col));
        col++;
    }
}

/* Replace the search rows of record id. */
static GxErr gs_write(Ctx *c, const Entity *e, int64_t id, GsRow *r)
{
    bool pg = db_dialect(c->db) == DB_PG;
    DbVal p[9] = {dbv_int(id)};
    for (int i = 0; i < GS__COUNT; i++)
        p[1 + i] = dbv_text(r->col[i].data);
    if (pg) {
        const char *sql = arena_printf(c->arena,
                                       "INSERT INTO %s_gs(id, n, o, d, e, p) VALUES ($1, $2, $3, $4, $5, $6)"
                                       " ON CONFLICT (id) DO UPDATE SET n = excluded.n, o = excluded.o,"
                                       " d = excluded.d, e = excluded.e, p = excluded.p",
                                       e->table); /* sql-ok: table name from metadata */
        return db_exec(c->db, sql, p, 6) == DB_OK ? GX_OK : ctx_fail(c, GX_EDB, "cannot update the search index");
    }
    const char *del =
        arena_printf(c->arena, "DELETE FROM %s_gs WHERE rowid = $1", e->table); /* sql-ok: table name from metadata */
    const char *del2 =
        arena_printf(c->arena, "DELETE FROM %s_gs2 WHERE rowid = $1", e->table); /* sql-ok: table name from metadata */
    const char *ins = arena_printf(c->arena, "INSERT INTO %s_gs(rowid, n, o, d, e, p) VALUES ($1, $2, $3, $4, $5, $6)", /* sql-ok: identifiers from metadata or a literal column list */
                                   e->table); /* sql-ok: table name from metadata */
    const char *ins2 = arena_printf(c->arena, "INSERT INTO %s_gs2(rowid, n, o, p) VALUES ($1, $2, $3, $4)", /* sql-ok: names from metadata */
                                    e->table); /* sql-ok: table name from metadata */
    DbVal p2[4] = {dbv_int(id), dbv_text(r->han_n.data), dbv_text(r->han_o.data), dbv_text(r->py2.data)};
    if (db_exec(c->db, del, p, 1) != DB_OK || db_exec(c->db, del2, p, 1) != DB_OK ||
        db_exec(c->db, ins, p, 6) != DB_OK || db_exec(c->db, ins2, p2, 4) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot update the search index");
    return GX_OK;
}

/* Re-read record id's searchable fields and rewrite its search rows. */
static GxErr gs_sync(Ctx *c, const Entity *e, int64_t id)
{
    Buf sql;
    buf_init(&sql, c->arena);
    buf_raw(&sql, "SELECT id");
    field_list(&sql, e);
    buf_printf(&sql, " FROM %s WHERE id = $1", e->table); /* sql-ok: names from metadata */
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
    return gs_write(c, e, id, &row);
}

static GxErr hook_sync(Ctx *c, HookArgs *a)
{
    return gs_sync(c, a->e, a->id ? a->id : json_integer_value(json_object_get(a->result, "id")));
}

/* Create the search tables of e (migration step). */
static GxErr gs_create(Ctx *c, const Entity *e)
{
    const char *sql[3] = {NULL, NULL, NULL};
    if (db_dialect(c->db) == DB_PG) {
        sql[0] = arena_printf(
            c->arena, "CREATE TABLE %s_gs (id BIGINT PRIMARY KEY, n TEXT, o TEXT, d TEXT, e TEXT, p TEXT)", e->table);
    } else {
        sql[0] = arena_printf(c->arena, "CREATE VIRTUAL TABLE %s_gs USING fts5(n, o, d, e, p, tokenize='trigram')",
                              e->table);
        sql[1] =
            arena_printf(c->arena, "CREATE VIRTUAL TABLE %s_gs2 USING fts5(n, o, p, tokenize='unicode61')", e->table);
    }
    for (int i = 0; sql[i]; i++)
        if (db_exec(c->db, sql[i], NULL, 0) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot create the search index of %s: %s", e->name, db_errmsg(c->db));
    return GX_OK;
}

/* Index every row of e, in batches by id. */
static GxErr gs_fill(Ctx *c, const Entity *e)
{
    Buf sql;
    buf_init(&sql, c->arena);
    buf_raw(&sql, "SELECT id");
    field_list(&sql, e);
    buf_printf(&sql, " FROM %s WHERE id > $1 ORDER BY id LIMIT 5000", e->table); /* sql-ok: names from metadata */
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
            err = gs_write(c, e, ids[i], &grows[i]);
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

/* Migration 3: the search tables of every indexed entity, filled. */
static GxErr gs_migrate(Ctx *c, bool fresh)
{
    (void)fresh;
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
typedef struct Alt {
    unsigned cols;    /* bit set of GsCol */
    const char *text; /* what to find */
    bool words;       /* SQLite: in the word table (_gs2), else trigram */
} Alt;

/* Plan the alternatives for q. Returns their number (0: nothing can match). */
static int plan(Ctx *c, const Entity *e, const char *q, Alt *alts)
{
    int n = 0;
    unsigned visible = 0;
    for (int i = 0; i < GS__COUNT; i++)
        if (col_visible(c, e, i))
            visible |= 1u << i;
    char *alt;
    char *digits = phone_search_digits(c->arena, q, &alt);
    size_t len = utf8_len(q);
    if (digits) {
        alts[n++] = (Alt){visible & (1u << GS_D), textkey_digits_query(c->arena, digits), false};
        if (alt)
            alts[n++] = (Alt){visible & (1u << GS_D), textkey_digits_query(c->arena, alt), false};
    } else if (len >= 3) {
        alts[n++] = (Alt){visible & (1u << GS_N | 1u << GS_O | 1u << GS_E), q, false};
        if (textkey_letters(q, 3, 100))
            alts[n++] = (Alt){visible & (1u << GS_P), arena_strndup(c->arena, q, PINYIN_SPAN), false};
    } else if (textkey_han_query(q)) {
        alts[n++] = (Alt){visible & (1u << GS_N | 1u << GS_O), q, true};
    } else if (textkey_letters(q, 2, 2)) {
        alts[n++] = (Alt){visible & (1u << GS_P), q, true};
    }
    int k = 0;
    for (int i = 0; i < n; i++)
        if (alts[i].cols)
            alts[k++] = alts[i];
    return k;
}

/* "{n o e} : \"text\"" for an alternative (the word table has n, o, p). */
static void fts_alt(Buf *b, const Alt *a, Arena *arena)
{
    buf_raw(b, "{");
    bool first = true;
    for (int i = 0; i < GS__COUNT; i++) {
        if (!(a->cols >> i & 1))
            continue;
        buf_printf(b, "%s%s", first ? "" : " ", col_names[i]);
        first = false;
    }
    buf_printf(b, "} : %s", textkey_phrase(arena, a->text));
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
        if (f->type == FT_STRING && f->type != FT_AUTO_NUMBER && strcmp(f->name, "company"))
            continue; /* codes, phones, e-mails and the company of a lead */
        if (shown++)
            buf_raw(&b, " · ");
        buf_raw(&b, f->type == FT_PHONE ? phone_display(c->arena, v, c->lang && c->lang[0] == 'e' ? "ext." : "转") : v);
    }
    return b.data;
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
    Sql s;
    sql_init(&s, c->arena);
    Buf cols;
    buf_init(&cols, c->arena);
    for (int i = 0; i < e->nfields; i++)
        if (field_col(e, &e->fields[i]) >= 0)
            buf_printf(&cols, ", t.%s", e->fields[i].name);
    const char *title = e->title_field ? e->title_field : "id";
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
        /* One MATCH per table: words and trigram alternatives never mix. */
        bool words = alts[0].words;
        const char *fts = arena_printf(c->arena, "%s_%s", e->table, words ? "gs2" : "gs");
        Buf m;
        buf_init(&m, c->arena);
        for (int i = 0; i < nalts; i++) {
            if (i)
                buf_raw(&m, " OR ");
            fts_alt(&m, &alts[i], c->arena);
        }
        if (acl_scope(c, e, ACT_READ) == SCOPE_ALL) {
            sql_raw(&s,
                    arena_printf(c->arena, "SELECT t.id, t.%s%s FROM %s JOIN %s t ON t.id = %s.rowid WHERE %s MATCH ", /* sql-ok: names from metadata; the MATCH text is bound */
                                 title, cols.data, fts, e->table, fts, fts)); /* sql-ok: names from metadata */
            sql_param(&s, dbv_text(m.data));
            sql_raw(&s, " AND t.deleted_at IS NULL");
            sql_raw(&s, arena_printf(c->arena, " ORDER BY %s.rowid DESC LIMIT ", fts)); /* sql-ok: name from metadata */
        } else {
            /* A narrow scope (a rep's own records) may hold few of the
             * matches: look at the newest SCOPED_CANDIDATES matches only, so
             * the cost stays bounded (type more to reach older records). */
            sql_raw(&s, arena_printf(c->arena, "SELECT t.id, t.%s%s FROM (SELECT rowid AS rid FROM %s WHERE %s MATCH ", /* sql-ok: names from metadata; the MATCH text is bound */
                                     title, cols.data, fts, fts)); /* sql-ok: names from metadata */
            sql_param(&s, dbv_text(m.data));
            sql_raw(&s, arena_printf(c->arena,
                                     " ORDER BY rowid DESC LIMIT %d) g JOIN %s t ON t.id = g.rid"
                                     " WHERE t.deleted_at IS NULL",
                                     SCOPED_CANDIDATES, e->table)); /* sql-ok: name from metadata */
            acl_scope_predicate(c, e, ACT_READ, &s);
            sql_raw(&s, " ORDER BY g.rid DESC LIMIT ");
        }
    }
    sql_param(&s, dbv_int(limit));
    DbRes *res;
    if (db_query(c->db, s.text.data, s.params, s.n, &res) != DB_OK)
        return ctx_fail(c, GX_EDB, "search failed: %s", db_errmsg(c->db));
    int rc;
    while ((rc = db_next(res)) == 1) {
        const char *t = db_text(res, 1);
        json_array_append_new(out,
                              json_pack("{s:s, s:I, s:s, s:s}", "entity", e->name, "id", (json_int_t)db_int(res, 0),
                                        "title", t ? t : "", "subtitle", subtitle(c, e, res, 2)));
    }
    db_done(res);
    if (rc < 0)
        return ctx_fail(c, GX_EDB, "search failed: %s", db_errmsg(c->db));
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
}
