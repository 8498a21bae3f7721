/* audit.c — the audit log writer and the engine's clock (see record.h). */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "record.h"

const char *record_now(Ctx *c)
{
    char buf[64];
    time_format_ms(time_now_ms(), buf);
    return arena_strdup(c->arena, buf);
}

GxErr record_revision(Ctx *c, const char *entity, int64_t id, const char *field, const json_t *old,
                      const json_t *now, const char *at)
{
    DbVal p[] = {dbv_text(entity),
                 dbv_int(id),
                 dbv_text(field),
                 old ? dbv_text(json_text_of(c->arena, old)) : dbv_null(),
                 now ? dbv_text(json_text_of(c->arena, now)) : dbv_null(),
                 dbv_text(at ? at : record_now(c)),
                 c->who ? dbv_int(c->who->user_id) : dbv_null()};
    if (db_exec(c->db,
                "INSERT INTO revisions(entity, record_id, field, old_value, new_value, at, user_id)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7)",
                p, 7) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot write the revision history: %s", db_errmsg(c->db));
    return GX_OK;
}

/* ---------- the diff's text ---------- */

static void text_string(Buf *b, const char *s, size_t n)
{
    buf_putc(b, '"');
    size_t run = 0; /* bytes copied as they are, pending */
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != '"' && ch != '\\') {
            run++;
            continue;
        }
        buf_raw_n(b, s + i - run, run);
        run = 0;
        switch (ch) {
        case '"': buf_raw(b, "\\\""); break;
        case '\\': buf_raw(b, "\\\\"); break;
        case '\b': buf_raw(b, "\\b"); break;
        case '\f': buf_raw(b, "\\f"); break;
        case '\n': buf_raw(b, "\\n"); break;
        case '\r': buf_raw(b, "\\r"); break;
        case '\t': buf_raw(b, "\\t"); break;
        default: buf_printf(b, "\\u%04X", ch); break;
        }
    }
    buf_raw_n(b, s + n - run, run);
    buf_putc(b, '"');
}

static int key_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* v as json_dumps(JSON_COMPACT | JSON_SORT_KEYS) writes it, but reals as
 * buf_json_real writes them (6.6, not 6.5999999999999996); false for what
 * it cannot write (invalid UTF-8 …: the caller asks jansson). */
static bool text_value(Arena *a, Buf *b, json_t *v, int depth)
{
    if (depth > 32)
        return false;
    switch (json_typeof(v)) {
    case JSON_NULL: buf_raw(b, "null"); return true;
    case JSON_TRUE: buf_raw(b, "true"); return true;
    case JSON_FALSE: buf_raw(b, "false"); return true;
    case JSON_INTEGER: buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); return true;
    case JSON_REAL: buf_json_real(b, json_real_value(v)); return true;
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (memchr(s, 0, n) || !utf8_valid(s, n))
            return false;
        text_string(b, s, n);
        return true;
    }
    case JSON_ARRAY: {
        buf_putc(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                buf_putc(b, ',');
            if (!text_value(a, b, json_array_get(v, i), depth + 1))
                return false;
        }
        buf_putc(b, ']');
        return true;
    }
    case JSON_OBJECT: {
        size_t n = json_object_size(v), k = 0;
        const char **keys = arena_alloc(a, sizeof(char *) * (n ? n : 1));
        const char *key;
        json_t *x;
        json_object_foreach(v, key, x)
        {
            if (k < n)
                keys[k++] = key;
        }
        qsort(keys, k, sizeof *keys, key_cmp);
        buf_putc(b, '{');
        for (size_t i = 0; i < k; i++) {
            if (i)
                buf_putc(b, ',');
            size_t kl = strlen(keys[i]);
            if (!utf8_valid(keys[i], kl))
                return false;
            text_string(b, keys[i], kl);
            buf_putc(b, ':');
            if (!text_value(a, b, json_object_get(v, keys[i]), depth + 1))
                return false;
        }
        buf_putc(b, '}');
        return true;
    }
    }
    return false;
}

char *audit_diff_text(Arena *a, json_t *diff)
{
    if (!diff)
        return NULL;
    Buf b;
    buf_init(&b, a);
    if (json_is_object(diff) && text_value(a, &b, diff, 0))
        return b.data ? b.data : arena_strdup(a, "{}");
    char *t = json_dumps(diff, JSON_COMPACT | JSON_SORT_KEYS);
    char *out = t ? arena_strdup(a, t) : NULL;
    free(t);
    return out;
}

GxErr audit_write(Ctx *c, const char *action, const char *entity, int64_t record_id, json_t *diff)
{
    char *text = audit_diff_text(c->arena, diff);
    DbVal p[] = {
        dbv_text(record_now(c)),
        c->who ? dbv_int(c->who->user_id) : dbv_null(),
        dbv_text(c->ip),
        dbv_text(action),
        dbv_text(entity),
        record_id ? dbv_int(record_id) : dbv_null(),
        dbv_text(text),
    };
    int rc = db_exec(c->db,
                     "INSERT INTO audit_log(at, user_id, ip, action, entity, record_id, diff) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                     p, 7);
    if (rc != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot write the audit log");
    return GX_OK;
}

/* Rows per INSERT of audit_write_many: the statement's text is the same
 * for every full group (one prepared statement). */
#define AUDIT_GROUP 32

GxErr audit_write_many(Ctx *c, const char *action, const char *entity, const int64_t *ids, json_t **diffs, int n)
{
    const char *now = record_now(c);
    DbVal who = c->who ? dbv_int(c->who->user_id) : dbv_null();
    for (int i0 = 0; i0 < n; i0 += AUDIT_GROUP) {
        int m = n - i0 < AUDIT_GROUP ? n - i0 : AUDIT_GROUP;
        /* $1 at, $2 user, $3 ip, $4 action, $5 entity; then record and diff per row */
        DbVal p[5 + 2 * AUDIT_GROUP];
        p[0] = dbv_text(now);
        p[1] = who;
        p[2] = dbv_text(c->ip);
        p[3] = dbv_text(action);
        p[4] = dbv_text(entity);
        Buf b;
        buf_init(&b, c->arena);
        buf_raw(&b, "INSERT INTO audit_log(at, user_id, ip, action, entity, record_id, diff) VALUES ");
        for (int k = 0; k < m; k++) {
            p[5 + 2 * k] = ids[i0 + k] ? dbv_int(ids[i0 + k]) : dbv_null();
            p[6 + 2 * k] = dbv_text(audit_diff_text(c->arena, diffs[i0 + k]));
            buf_printf(&b, "%s($1, $2, $3, $4, $5, $%d, $%d)", k ? ", " : "", 6 + 2 * k, 7 + 2 * k);
        }
        if (db_exec(c->db, b.data, p, 5 + 2 * m) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot write the audit log");
    }
    return GX_OK;
}

/* Drop from an audit diff the fields the user may not see (field rules):
 * hidden fields must not leak through the audit log. */
static void strip_hidden(Ctx *c, const char *entity, json_t *diff)
{
    const Entity *e = entity ? meta_entity(entity) : NULL;
    if (!e || !json_is_object(diff) || acl_is_admin(c))
        return;
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(diff, tmp, k, v)
    {
        const char *name = k, *us = strrchr(k, '_');
        if (!meta_field(e, k) && us && (!strcmp(us, "_type") || !strcmp(us, "_id")))
            name = arena_strndup(c->arena, k, (size_t)(us - k)); /* a parent field's half */
        if (acl_field(c, e, name) == FIELD_HIDDEN)
            json_object_del(diff, k);
    }
}

GxErr audit_list(Ctx *c, const AuditQuery *aq, json_t **rows)
{
    *rows = NULL;
    if (!acl_is_admin(c)) {
        const Entity *e = meta_entity(aq->entity);
        json_t *rec = NULL;
        if (!e || !aq->record_id || record_get(c, e, aq->record_id, &rec) != GX_OK) {
            json_decref(rec);
            ctx_clear(c);
            return ctx_fail(c, GX_EDENIED,
                            "Only administrators may read the whole audit log; give entity and record_id of a record you can see");
        }
        json_decref(rec);
    }
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT a.id, a.at, a.user_id, u.name, a.ip, a.action, a.entity, a.record_id, a.diff FROM audit_log a"
                " LEFT JOIN users u ON u.id = a.user_id WHERE 1=1");
    if (aq->entity) {
        sql_raw(&q, " AND a.entity = ");
        sql_param(&q, dbv_text(aq->entity));
    }
    if (aq->record_id) {
        sql_raw(&q, " AND a.record_id = ");
        sql_param(&q, dbv_int(aq->record_id));
    }
    if (aq->user_id) {
        sql_raw(&q, " AND a.user_id = ");
        sql_param(&q, dbv_int(aq->user_id));
    }
    if (aq->action && *aq->action) {
        sql_raw(&q, " AND a.action = ");
        sql_param(&q, dbv_text(aq->action));
    }
    char b[64];
    if (aq->has_from) {
        time_format_ms(aq->from * 1000, b);
        sql_raw(&q, " AND a.at >= ");
        sql_param(&q, dbv_text(arena_strdup(c->arena, b)));
    }
    if (aq->has_to) {
        time_format_ms(aq->to * 1000, b);
        sql_raw(&q, " AND a.at < ");
        sql_param(&q, dbv_text(arena_strdup(c->arena, b)));
    }
    sql_raw(&q, " ORDER BY a.id DESC LIMIT ");
    sql_param(&q, dbv_int(aq->limit > 0 ? aq->limit : 50));
    sql_raw(&q, " OFFSET ");
    sql_param(&q, dbv_int(aq->offset));
    DbRes *res;
    if (db_query(c->db, q.text.data, q.params, q.n, &res) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the audit log");
    json_t *arr = json_array();
    while (db_next(res) == 1) {
        json_t *diff = db_text(res, 8) ? json_loads(db_text(res, 8), 0, NULL) : NULL;
        strip_hidden(c, db_text(res, 6), diff);
        json_array_append_new(
            arr, json_pack("{s:I, s:s, s:o, s:s?, s:s?, s:s, s:s?, s:o, s:o}", "id", (json_int_t)db_int(res, 0), "at",
                           db_text(res, 1), "user_id", db_isnull(res, 2) ? json_null() : json_integer(db_int(res, 2)),
                           "user_name", db_text(res, 3), "ip", db_text(res, 4), "action", db_text(res, 5), "entity",
                           db_text(res, 6), "record_id", db_isnull(res, 7) ? json_null() : json_integer(db_int(res, 7)),
                           "diff", diff ? diff : json_null()));
    }
    db_done(res);
    *rows = arr;
    return GX_OK;
}
