/* filter.c — the filter compiler: JSON filter trees, sort specs and text
 * search turned into parameterised SQL. Field names are checked against
 * metadata (and the user's field access) and only metadata identifiers reach
 * the SQL text; every value is a bound parameter. */
#include <string.h>

#include "../base/phone.h"
#include "../base/util.h"
#include "record.h"

#define MAX_DEPTH 8
#define MAX_CONDITIONS 100
#define MAX_IN 500

typedef enum Op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_LIKE, OP_IN, OP_NULL, OP__COUNT } Op;
static const char *op_names[OP__COUNT] = {"eq", "ne", "lt", "le", "gt", "ge", "like", "in", "null"};
static const char *op_sql[OP__COUNT] = {" = ", " <> ", " < ", " <= ", " > ", " >= ", "", "", ""};

static bool op_parse(const char *s, Op *out)
{
    for (int i = 0; i < OP__COUNT; i++)
        if (s && !strcmp(s, op_names[i])) {
            *out = (Op)i;
            return true;
        }
    return false;
}

/* Resolve a filterable name: a declared field, a common column, or a parent
 * field's "_type"/"_id" column. *col is the SQL column; *f the field used for
 * value coercion (a synthetic one for common columns). */
static bool resolve(Ctx *c, const Entity *e, const char *name, const char **col, Field *tmp, const Field **f)
{
    FieldType t;
    if (meta_common_column(name, &t) && strcmp(name, "deleted_at")) {
        const Field *decl = meta_field(e, name);
        if (decl) {
            *f = decl;
        } else {
            memset(tmp, 0, sizeof *tmp);
            tmp->name = name;
            tmp->type = t == FT_LINK ? FT_INT : t;
            *f = tmp;
        }
        *col = name;
        return true;
    }
    const Field *fd = meta_field(e, name);
    if (fd) {
        if (!fd->filterable || fd->type == FT_PARENT || fd->type == FT_LINK_MULTIPLE ||
            acl_field(c, e, name) == FIELD_HIDDEN)
            return false;
        *f = fd;
        *col = fd->type == FT_FORMULA ? arena_printf(c->arena, "(%s)", fd->formula) : fd->name;
        return true;
    }
    /* parts of an address: "address.province", "address.city", "address.district" */
    const char *dot = strchr(name, '.');
    if (dot) {
        char *base = arena_strndup(c->arena, name, (size_t)(dot - name));
        const char *part = dot + 1;
        const Field *af = meta_field(e, base);
        if (af && af->type == FT_ADDRESS && af->filterable && acl_field(c, e, base) != FIELD_HIDDEN &&
            (!strcmp(part, "province") || !strcmp(part, "city") || !strcmp(part, "district"))) {
            memset(tmp, 0, sizeof *tmp);
            tmp->name = name;
            tmp->type = FT_STRING;
            *f = tmp;
            /* sql-ok: column name from metadata, part from the fixed list above */
            *col = db_dialect(c->db) == DB_PG ? arena_printf(c->arena, "(%s::json->>'%s')", af->name, part)
                                              : arena_printf(c->arena, "json_extract(%s, '$.%s')", af->name, part);
            return true;
        }
        return false;
    }
    /* parent sub-columns */
    const char *us = strrchr(name, '_');
    if (us && (!strcmp(us, "_type") || !strcmp(us, "_id"))) {
        char *base = arena_strndup(c->arena, name, (size_t)(us - name));
        const Field *pf = meta_field(e, base);
        if (pf && pf->type == FT_PARENT && acl_field(c, e, base) != FIELD_HIDDEN) {
            memset(tmp, 0, sizeof *tmp);
            tmp->name = name;
            tmp->type = !strcmp(us, "_id") ? FT_INT : FT_STRING;
            *f = tmp;
            *col = name;
            return true;
        }
    }
    return false;
}

/* Escape LIKE metacharacters so the user's text matches literally. */
static char *like_pattern(Ctx *c, const char *s)
{
    Buf b;
    buf_init(&b, c->arena);
    buf_putc(&b, '%');
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            buf_putc(&b, '\\');
        buf_putc(&b, *s);
    }
    buf_putc(&b, '%');
    return b.data;
}

/* Coerce one operand (JSON scalar from a query body, or text from a query
 * string) for field f. */
static bool operand(Ctx *c, const Field *f, json_t *v, DbVal *out)
{
    if (json_is_string(v))
        return meta_coerce_text(c, f, json_string_value(v), out);
    if (json_is_integer(v) || json_is_real(v) || json_is_boolean(v)) {
        if (f->type == FT_LINK || f->type == FT_INT || f->type == FT_MONEY || f->type == FT_FILE ||
            f->type == FT_DECIMAL || f->type == FT_PERCENT || f->type == FT_BOOL) {
            Field tmp = *f;
            tmp.has_min = tmp.has_max = false;
            tmp.type = f->type == FT_LINK || f->type == FT_FILE ? FT_INT : f->type;
            return meta_coerce(c, &tmp, v, out);
        }
    }
    ctx_field(c, f->name, "has a filter value of the wrong type");
    return false;
}

static GxErr cond(Ctx *c, const Entity *e, json_t *j, Sql *q)
{
    const char *name = json_string_value(json_object_get(j, "field"));
    const char *opname = json_string_value(json_object_get(j, "op"));
    json_t *value = json_object_get(j, "value");
    Op op = OP_EQ;
    if (!name)
        return ctx_fail(c, GX_EBADREQ, "A filter condition needs \"field\"");
    if (opname && !op_parse(opname, &op))
        return ctx_fail(c, GX_EBADREQ, "Unknown filter operator '%s' (use eq, ne, lt, le, gt, ge, like, in, null)",
                        opname);
    const char *col;
    Field tmp;
    const Field *f;
    if (!resolve(c, e, name, &col, &tmp, &f))
        return ctx_fail(c, GX_EBADREQ, "Cannot filter on unknown field '%s'", name);
    Ctx probe = *c; /* coercion errors are reported as 400 with the field named */
    probe.err = GX_OK;
    probe.err_fields = NULL;
    switch (op) {
    case OP_NULL: {
        bool is_null = true;
        if (json_is_boolean(value))
            is_null = json_is_true(value);
        else if (json_is_string(value) &&
                 (!strcmp(json_string_value(value), "false") || !strcmp(json_string_value(value), "0")))
            is_null = false;
        else if (value && !json_is_null(value) &&
                 !(json_is_string(value) &&
                   (!strcmp(json_string_value(value), "true") || !strcmp(json_string_value(value), "1"))))
            return ctx_fail(c, GX_EBADREQ, "Filter '%s' null: value must be true or false", name);
        sql_raw(q, col);
        sql_raw(q, is_null ? " IS NULL" : " IS NOT NULL");
        return GX_OK;
    }
    case OP_LIKE: {
        if (!json_is_string(value))
            return ctx_fail(c, GX_EBADREQ, "Filter '%s' like: value must be text", name);
        sql_raw(q, col);
        sql_raw(q, db_dialect(c->db) == DB_PG ? " ILIKE " : " LIKE ");
        sql_param(q, dbv_text(like_pattern(c, json_string_value(value))));
        sql_raw(q, " ESCAPE '\\'");
        return GX_OK;
    }
    case OP_IN: {
        json_t *list = value;
        json_t *owned = NULL;
        if (json_is_string(value)) {
            /* "a,b,c" from a query string */
            owned = json_array();
            const char *s = json_string_value(value);
            while (1) {
                const char *comma = strchr(s, ',');
                size_t n = comma ? (size_t)(comma - s) : strlen(s);
                json_array_append_new(owned, json_stringn(s, n));
                if (!comma)
                    break;
                s = comma + 1;
            }
            list = owned;
        }
        if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > MAX_IN) {
            json_decref(owned);
            return ctx_fail(c, GX_EBADREQ, "Filter '%s' in: value must be a list of 1 to %d values", name, MAX_IN);
        }
        sql_raw(q, col);
        sql_raw(q, " IN (");
        size_t i;
        json_t *item;
        json_array_foreach(list, i, item)
        {
            DbVal v;
            if (!operand(&probe, f, item, &v)) {
                json_decref(owned);
                GxErr rc = ctx_fail(c, GX_EBADREQ, "Filter '%s': %s", name,
                                    json_string_value(json_object_get(probe.err_fields, f->name)));
                json_decref(probe.err_fields);
                return rc;
            }
            if (i)
                sql_raw(q, ", ");
            sql_param(q, v);
        }
        sql_raw(q, ")");
        json_decref(owned);
        return GX_OK;
    }
    default: {
        if (!value || json_is_null(value) || json_is_array(value) || json_is_object(value))
            return ctx_fail(c, GX_EBADREQ, "Filter '%s' %s: needs a single value", name, op_names[op]);
        DbVal v;
        if (!operand(&probe, f, value, &v)) {
            GxErr rc = ctx_fail(c, GX_EBADREQ, "Filter '%s': %s", name,
                                json_string_value(json_object_get(probe.err_fields, f->name)));
            json_decref(probe.err_fields);
            return rc;
        }
        sql_raw(q, col);
        sql_raw(q, op_sql[op]);
        sql_param(q, v);
        return GX_OK;
    }
    }
}

static GxErr node(Ctx *c, const Entity *e, json_t *j, Sql *q, int depth, int *count)
{
    if (depth > MAX_DEPTH)
        return ctx_fail(c, GX_EBADREQ, "Filter is nested too deeply (at most %d levels)", MAX_DEPTH);
    if (++*count > MAX_CONDITIONS)
        return ctx_fail(c, GX_EBADREQ, "Filter has too many conditions (at most %d)", MAX_CONDITIONS);
    if (!json_is_object(j))
        return ctx_fail(
            c, GX_EBADREQ,
            "A filter must be an object: {\"and\": [...]}, {\"or\": [...]} or {\"field\", \"op\", \"value\"}");
    json_t *and = json_object_get(j, "and"), * or = json_object_get(j, "or");
    if (and || or) {
        if (json_object_size(j) != 1)
            return ctx_fail(c, GX_EBADREQ, "A filter group has exactly one key, \"and\" or \"or\"");
        json_t *list = and? and : or ;
        if (!json_is_array(list))
            return ctx_fail(c, GX_EBADREQ, "\"%s\" must be a list of conditions", and? "and" : "or");
        if (json_array_size(list) == 0) {
            sql_raw(q, and? "1=1" : "1=0");
            return GX_OK;
        }
        sql_raw(q, "(");
        size_t i;
        json_t *item;
        json_array_foreach(list, i, item)
        {
            if (i)
                sql_raw(q, and? " AND " : " OR ");
            GxErr rc = node(c, e, item, q, depth + 1, count);
            if (rc)
                return rc;
        }
        sql_raw(q, ")");
        return GX_OK;
    }
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        if (strcmp(k, "field") && strcmp(k, "op") && strcmp(k, "value"))
            return ctx_fail(c, GX_EBADREQ, "Unknown key '%s' in a filter condition", k);
    }
    return cond(c, e, j, q);
}

GxErr record_filter_compile(Ctx *c, const Entity *e, json_t *where, Sql *q)
{
    if (!where || json_is_null(where))
        return GX_OK;
    int count = 0;
    sql_raw(q, " AND ");
    return node(c, e, where, q, 0, &count);
}

bool record_filter_from_param(Ctx *c, const Entity *e, const char *key, const char *value, json_t *conds)
{
    const char *br = strchr(key, '[');
    const char *name = key, *op = "eq";
    if (br) {
        size_t n = strlen(key);
        if (key[n - 1] != ']' || br == key) {
            ctx_fail(c, GX_EBADREQ, "Bad filter parameter '%s' (use field=value or field[op]=value)", key);
            return false;
        }
        name = arena_strndup(c->arena, key, (size_t)(br - key));
        op = arena_strndup(c->arena, br + 1, n - (size_t)(br - key) - 2);
    }
    Op o;
    if (!op_parse(op, &o)) {
        ctx_fail(c, GX_EBADREQ, "Unknown filter operator '%s' (use eq, ne, lt, le, gt, ge, like, in, null)", op);
        return false;
    }
    const char *col;
    Field tmp;
    const Field *f;
    if (!resolve(c, e, name, &col, &tmp, &f)) {
        ctx_fail(c, GX_EBADREQ, "Unknown parameter or field '%s'", name);
        return false;
    }
    json_array_append_new(conds, json_pack("{s:s, s:s, s:s}", "field", name, "op", op, "value", value));
    return true;
}

GxErr record_sort_compile(Ctx *c, const Entity *e, const char *sort, Sql *q)
{
    return record_sort_compile_ex(c, e, sort, q, false);
}

GxErr record_sort_compile_ex(Ctx *c, const Entity *e, const char *sort, Sql *q, bool unindexed)
{
    if (!sort || !*sort)
        sort = "-updated_at";
    sql_raw(q, " ORDER BY ");
    const char *s = sort;
    int n = 0;
    bool has_id = false;
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        bool desc = false;
        if (len && (*s == '-' || *s == '+')) {
            desc = *s == '-';
            s++;
            len--;
        }
        char *name = arena_strndup(c->arena, s, len);
        const char *col;
        Field tmp;
        const Field *f;
        if (!len || !resolve(c, e, name, &col, &tmp, &f) || (f != &tmp && !f->sortable))
            return ctx_fail(c, GX_EBADREQ, "Cannot sort on '%s'", name);
        if (++n > 4)
            return ctx_fail(c, GX_EBADREQ, "Sort on at most 4 fields");
        if (n > 1)
            sql_raw(q, ", ");
        if (unindexed)
            sql_raw(q, "+");
        sql_raw(q, col);
        sql_raw(q, desc ? " DESC" : " ASC");
        /* Blanks last on both backends (SQLite would put NULL first, PostgreSQL
         * last). Required fields and system columns are never NULL and keep
         * their plain order so indexes still serve the sort. */
        if (f != &tmp && !f->required)
            sql_raw(q, " NULLS LAST");
        has_id |= !strcmp(name, "id");
        s += len;
        if (*s == ',')
            s++;
    }
    /* A stable order for pagination: ties broken by id in the same direction. */
    if (!has_id)
        sql_raw(q, sort[0] == '-' ? (unindexed ? ", +id DESC" : ", id DESC") : (unindexed ? ", +id ASC" : ", id ASC"));
    return GX_OK;
}

/* Is text made only of CJK characters (the per-character index answers it)? */
static bool cjk_only(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    if (!*p)
        return false;
    while (*p) {
        unsigned char ch = *p;
        size_t len = ch < 0x80 ? 1 : (ch & 0xE0) == 0xC0 ? 2 : (ch & 0xF0) == 0xE0 ? 3 : 4;
        uint32_t cp = ch < 0x80 ? ch : len == 2 ? (ch & 0x1Fu) : len == 3 ? (ch & 0x0Fu) : (ch & 0x07u);
        for (size_t k = 1; k < len; k++)
            cp = (cp << 6) | (p[k] & 0x3Fu);
        if (!((cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
              (cp >= 0x20000 && cp <= 0x2FFFF)))
            return false;
        p += len;
    }
    return true;
}

typedef struct SearchHow {
    SearchMode mode;
    int64_t cap;   /* SEARCH_COUNT: matches counted per index */
    bool indexed;  /* set when an index answers the text */
    bool any;      /* SEARCH_IDS: a SELECT is written (the next one joins with UNION) */
} SearchHow;

/* SEARCH_IDS: start the next SELECT of matching ids (" UNION ALL " after
 * one). The ids may repeat: their reader (record.c, search_plan) puts them
 * in a set or an IN list, and a UNION's temporary b-tree of every id read
 * cost ~13 M instructions for a phone fragment's 50,000 (bench/README.md,
 * stop 15). */
static void ids_union(SearchHow *how, Sql *q)
{
    if (how->any)
        sql_raw(q, " UNION ALL ");
    how->any = true;
}

static GxErr search_predicate(Ctx *c, const Entity *e, const char *text, SearchHow *how, Sql *q);

/* text as an FTS5 string ("…" with quotes doubled). */
static const char *fts_string(Arena *a, const char *text)
{
    Buf b;
    buf_init(&b, a);
    buf_putc(&b, '"');
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            buf_putc(&b, '"');
        buf_putc(&b, *p);
    }
    buf_putc(&b, '"');
    return b.data;
}

/* search_predicate for an entity of global search (SQLite, text the index
 * answers): its search tables (modules/search.c) hold every searchable
 * field — the title and other text in n and o, e-mails in e, phone numbers
 * as the endings of their digits in d — so they answer the list's search
 * too (migration 6 dropped the entity's own trigram and per-character
 * tables).
 *   3+ characters   a substring of n, o or e: the trigram table <t>_gt;
 *                   only digits: also any part of a phone number, a prefix
 *                   of a digit ending in the word table <t>_gw
 *   1-2 Chinese     a character or pair of n or o: the word table <t>_gw
 * SEARCH_PROBE tests a row the same way on the tables' own content rows
 * (gx_fts_phrase with the tables' tokenizers; a phone part as the start of
 * one of the endings). */
static GxErr global_predicate(Ctx *c, const Entity *e, const char *text, SearchHow *how, Sql *q)
{
    const char *t = e->table;
    bool trigram = utf8_len(text) >= 3;
    bool digits = trigram && strspn(text, "0123456789") == strlen(text);
    how->indexed = true;
    if (how->mode == SEARCH_PROBE) {
        int p = sql_bind(q, dbv_text(text));
        if (trigram)
            sql_raw(q, arena_printf(c->arena, /* sql-ok: table names from metadata, parameter numbers */
                                    " AND ((SELECT gx_fts_phrase(c0, 0, $%d) OR gx_fts_phrase(c1, 0, $%d) OR gx_fts_phrase(c2, 0, $%d)"
                                    " FROM %s_gt_content WHERE id = %s.id)",
                                    p, p, p, t, t));
        else
            sql_raw(q, arena_printf(c->arena, /* sql-ok: table names from metadata, parameter numbers */
                                    " AND ((SELECT gx_fts_phrase(c0, 1, $%d) OR gx_fts_phrase(c1, 1, $%d) FROM %s_gw_content WHERE id = %s.id)",
                                    p, p, t, t));
        if (digits)
            sql_raw(q, arena_printf(c->arena, /* sql-ok: table names from metadata, parameter numbers */
                                    " OR (SELECT instr(' ' || c4, ' ' || $%d) > 0 FROM %s_gw_content WHERE id = %s.id)", p, t, t));
        sql_raw(q, ")");
        return GX_OK;
    }
    /* The set of matching ids: one query, or two joined by UNION. */
    if (how->mode == SEARCH_COUNT)
        sql_raw(q, " + (SELECT count(*) FROM (");
    else if (how->mode == SEARCH_INDEX)
        sql_raw(q, " AND id IN (");
    else if (how->mode == SEARCH_IDS)
        ids_union(how, q);
    if (trigram) {
        sql_raw(q, arena_printf(c->arena, "SELECT rowid FROM %s_gt WHERE %s_gt MATCH ", t, t)); /* sql-ok: table names from metadata */
        sql_param(q, dbv_text(arena_printf(c->arena, "{n o e} : %s", fts_string(c->arena, text))));
        if (digits) {
            sql_raw(q, arena_printf(c->arena, /* sql-ok: table names from metadata */
                                    how->mode == SEARCH_IDS ? " UNION ALL SELECT rowid FROM %s_gw WHERE %s_gw MATCH "
                                                            : " UNION SELECT rowid FROM %s_gw WHERE %s_gw MATCH ",
                                    t, t));
            sql_param(q, dbv_text(arena_printf(c->arena, "{d} : %s *", fts_string(c->arena, text))));
        }
    } else {
        sql_raw(q, arena_printf(c->arena, "SELECT rowid FROM %s_gw WHERE %s_gw MATCH ", t, t)); /* sql-ok: table names from metadata */
        sql_param(q, dbv_text(arena_printf(c->arena, "{n o} : %s", fts_string(c->arena, text))));
    }
    if (how->mode == SEARCH_COUNT) {
        sql_raw(q, " LIMIT ");
        sql_param(q, dbv_int(how->cap));
        sql_raw(q, "))");
    } else if (how->mode == SEARCH_INDEX) {
        sql_raw(q, ")");
    }
    return GX_OK;
}

/* Are e's searchable fields all visible to the user (the search indexes
 * hold them all: else the LIKE path searches the visible ones)? */
static bool search_all_visible(Ctx *c, const Entity *e)
{
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].search && acl_field(c, e, e->fields[i].name) == FIELD_HIDDEN)
            return false;
    return true;
}

/* Does a search index answer text (search_predicate's rule)? */
static bool search_indexed(Ctx *c, const Entity *e, const char *text)
{
    return db_dialect(c->db) == DB_SQLITE && e->has_search && search_all_visible(c, e) &&
           (utf8_len(text) >= 3 || cjk_only(text));
}

GxErr record_search_compile(Ctx *c, const Entity *e, const char *text, Sql *q)
{
    return record_search_compile_mode(c, e, text, SEARCH_INDEX, 0, q, NULL);
}

GxErr record_search_compile_mode(Ctx *c, const Entity *e, const char *text, SearchMode mode, int64_t cap, Sql *q,
                                 bool *indexed)
{
    SearchHow how = {mode, cap, false, false};
    if (indexed)
        *indexed = false;
    if (mode == SEARCH_COUNT)
        sql_raw(q, "SELECT 0");
    if (!text || !*text)
        return GX_OK;
    if (!utf8_valid(text, strlen(text)))
        return ctx_fail(c, GX_EBADREQ, "Search text is not valid UTF-8");
    if (utf8_len(text) > 100)
        return ctx_fail(c, GX_EBADREQ, "Search text is too long (at most 100 characters)");
    /* Part of a phone number as typed ("138 1234", "+86 10 8888", "010-8888"):
     * look for its digits in the stored E.164 form (base/phone.h); with a
     * leading 0, either as typed or as a trunk 0 (then "+86" follows). */
    char *alt;
    char *digits = phone_search_digits(c->arena, text, &alt);
    GxErr rc;
    if (digits && alt) {
        /* " AND (1=1 AND <plain> OR 1=1 AND <trunk>)" */
        bool both = true;
        if (mode != SEARCH_COUNT && mode != SEARCH_IDS)
            sql_raw(q, " AND (1=1");
        if ((rc = search_predicate(c, e, digits, &how, q)))
            return rc;
        both = how.indexed;
        if (mode != SEARCH_COUNT && mode != SEARCH_IDS)
            sql_raw(q, " OR 1=1");
        how.indexed = false;
        if ((rc = search_predicate(c, e, alt, &how, q)))
            return rc;
        how.indexed = how.indexed && both;
        if (mode != SEARCH_COUNT && mode != SEARCH_IDS)
            sql_raw(q, ")");
    } else if ((rc = search_predicate(c, e, digits ? digits : text, &how, q))) {
        return rc;
    }
    if (indexed)
        *indexed = how.indexed;
    return GX_OK;
}

/* Append " AND <predicate>" matching text (already checked) in e's
 * searchable fields (SEARCH_COUNT: " + <matches in the index>"). */
static GxErr search_predicate(Ctx *c, const Entity *e, const char *text, SearchHow *how, Sql *q)
{
    /* Fields the user may see that take part in search. */
    const Field *fields[64];
    int nf = 0;
    for (int i = 0; i < e->nfields && nf < 64; i++)
        if (e->fields[i].search && acl_field(c, e, e->fields[i].name) != FIELD_HIDDEN)
            fields[nf++] = &e->fields[i];
    if (!nf && e->title_field)
        fields[nf++] = meta_field(e, e->title_field);
    if (!nf)
        return ctx_fail(c, GX_EBADREQ, "%s cannot be searched", e->name);
    bool all_visible = search_all_visible(c, e);
    bool trigram = utf8_len(text) >= 3;
    if (search_indexed(c, e, text) && meta_search_global(e))
        return global_predicate(c, e, text, how, q);
    if (search_indexed(c, e, text)) {
        /* The trigram index (a quoted string matches as a substring), or for
         * 1–2 CJK characters a phrase of single-character tokens in the
         * per-character index (gx_cjk_split, ddl.c). */
        const char *fts = arena_printf(c->arena, "%s_%s", e->table, trigram ? "fts" : "fts2");
        Buf phrase; /* the tokens as gx_fts_phrase takes them */
        buf_init(&phrase, c->arena);
        if (trigram) {
            buf_raw(&phrase, text);
        } else {
            for (const unsigned char *p = (const unsigned char *)text; *p;) {
                size_t len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
                if (phrase.len)
                    buf_putc(&phrase, ' ');
                buf_raw_n(&phrase, (const char *)p, len);
                p += len;
            }
        }
        how->indexed = true;
        if (how->mode == SEARCH_PROBE) {
            sql_raw(q, arena_printf(c->arena, " AND gx_fts_phrase((SELECT c0 FROM %s_content WHERE id = %s.id), %d, ", /* sql-ok: names from metadata */
                                    fts, e->table, trigram ? 0 : 1));
            sql_param(q, dbv_text(phrase.data));
            sql_raw(q, ")");
            return GX_OK;
        }
        Buf b; /* the FTS5 string: the phrase in double quotes */
        buf_init(&b, c->arena);
        buf_putc(&b, '"');
        for (const char *p = phrase.data; *p; p++) {
            if (*p == '"')
                buf_putc(&b, '"');
            buf_putc(&b, *p);
        }
        buf_putc(&b, '"');
        if (how->mode == SEARCH_IDS) {
            ids_union(how, q);
            sql_raw(q, arena_printf(c->arena, "SELECT rowid FROM %s WHERE %s MATCH ", fts, fts)); /* sql-ok: table names from metadata */
            sql_param(q, dbv_text(b.data));
            return GX_OK;
        }
        if (how->mode == SEARCH_COUNT) {
            sql_raw(q, arena_printf(c->arena, " + (SELECT count(*) FROM (SELECT 1 FROM %s WHERE %s MATCH ", fts, fts)); /* sql-ok: table names from metadata */
            sql_param(q, dbv_text(b.data));
            sql_raw(q, " LIMIT ");
            sql_param(q, dbv_int(how->cap));
            sql_raw(q, "))");
            return GX_OK;
        }
        sql_raw(q, arena_printf(c->arena, " AND id IN (SELECT rowid FROM %s WHERE %s MATCH ", fts, fts)); /* sql-ok: table names from metadata */
        sql_param(q, dbv_text(b.data));
        sql_raw(q, ")");
        return GX_OK;
    }
    if (how->mode == SEARCH_COUNT || how->mode == SEARCH_IDS)
        return GX_OK; /* not indexed */
    /* Other short text (the trigram index cannot answer it, see MEASURED.md)
     * or PostgreSQL: a substring match over the searchable columns. */
    int p = sql_bind(q, dbv_text(like_pattern(c, text)));
    const char *op = db_dialect(c->db) == DB_PG ? " ILIKE " : " LIKE ";
    sql_raw(q, " AND (");
    if (db_dialect(c->db) == DB_PG && e->has_search && all_visible) {
        /* The same expression as the trigram GIN index (ddl.c). */
        bool first = true;
        for (int i = 0; i < e->nfields; i++) {
            if (!e->fields[i].search)
                continue;
            if (!first)
                sql_raw(q, " || ' ' || ");
            sql_raw(q, arena_printf(c->arena, "coalesce(%s,'')", e->fields[i].name));
            first = false;
        }
        sql_raw(q, arena_printf(c->arena, ")%s$%d ESCAPE '\\'", op, p));
        return GX_OK;
    }
    for (int i = 0; i < nf; i++) {
        if (i)
            sql_raw(q, " OR ");
        sql_raw(q, arena_printf(c->arena, "%s%s$%d ESCAPE '\\'", fields[i]->name, op, p));
    }
    sql_raw(q, ")");
    return GX_OK;
}
