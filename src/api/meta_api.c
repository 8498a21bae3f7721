/* meta_api.c — metadata for clients, health, the audit log and global search. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "api.h"

json_t *api_entity_json(const Entity *e, const char *lang, Ctx *c)
{
    json_t *fields = json_array();
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (c && acl_field(c, e, f->name) == FIELD_HIDDEN)
            continue;
        json_t *jf = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:b, s:b, s:b, s:b, s:b, s:b}", "name", f->name, "type",
                               meta_type_name(f->type), "labels", "zh", f->label.zh, "en", f->label.en, "label",
                               meta_label(&f->label, lang), "required", f->required, "readonly",
                               f->readonly || (c && acl_field(c, e, f->name) == FIELD_RO), "sortable", f->sortable,
                               "filterable", f->filterable, "search", f->search, "list", f->list);
        if (f->write_only)
            json_object_set_new(jf, "write_only", json_true());
        if (f->max_length && (f->type == FT_STRING || f->type == FT_TEXT || f->type == FT_EMAIL || f->type == FT_PHONE || f->type == FT_URL))
            json_object_set_new(jf, "max_length", json_integer(f->max_length));
        if (f->has_min)
            json_object_set_new(jf, "min", json_integer(f->min));
        if (f->has_max)
            json_object_set_new(jf, "max", json_integer(f->max));
        if (f->type == FT_DECIMAL || f->type == FT_PERCENT)
            json_object_set_new(jf, "scale", json_integer(f->scale));
        if (f->target)
            json_object_set_new(jf, "target", json_string(f->target));
        if (f->pattern)
            json_object_set_new(jf, "pattern", json_string(f->pattern));
        if (f->key)
            json_object_set_new(jf, "key", json_true());
        if (f->board)
            json_object_set_new(jf, "board", json_true());
        if (f->calendar)
            json_object_set_new(jf, "calendar", json_true());
        if (f->dflt)
            json_object_set(jf, "default", f->dflt);
        if (f->noptions) {
            json_t *opts = json_array();
            for (int k = 0; k < f->noptions; k++) {
                json_t *o = json_pack("{s:s, s:s, s:{s:s, s:s}}", "value", f->options[k].value, "label",
                                      meta_label(&f->options[k].label, lang), "labels", "zh", f->options[k].label.zh,
                                      "en", f->options[k].label.en);
                if (f->options[k].number)
                    json_object_set_new(o, "number", json_integer(f->options[k].number));
                json_array_append_new(opts, o);
            }
            json_object_set_new(jf, "options", opts);
        }
        json_array_append_new(fields, jf);
    }
    json_t *o = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:b, s:o}", "name", e->name, "label", meta_label(&e->label, lang),
                          "labels", "zh", e->label.zh, "en", e->label.en, "singular", meta_label(&e->singular, lang),
                          "owned", e->owned, "fields", fields);
    if (e->title_field)
        json_object_set_new(o, "title_field", json_string(e->title_field));
    if (e->module)
        json_object_set_new(o, "module", json_string(e->module));
    if (c) {
        json_t *perm = json_object();
        for (int a = 0; a < ACT__COUNT; a++)
            json_object_set_new(perm, acl_action_name((Action)a), json_string(acl_scope_name(acl_scope(c, e, (Action)a))));
        json_object_set_new(o, "access", perm);
    }
    return o;
}

void api_meta_entities(Req *r)
{
    int n;
    const Entity *const *all = meta_entities(&n);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        if (acl_scope(&r->c, all[i], ACT_READ) != SCOPE_NONE)
            json_array_append_new(arr, api_entity_json(all[i], r->c.lang, &r->c));
    http_json(r, 200, json_pack("{s:o}", "data", arr));
}

void api_meta_entity(Req *r)
{
    const Entity *e = meta_entity(http_param(r, "name"));
    if (!e || acl_scope(&r->c, e, ACT_READ) == SCOPE_NONE) {
        ctx_fail(&r->c, GX_ENOTFOUND, "Unknown entity '%s'", http_param(r, "name"));
        return api_fail(r);
    }
    http_json(r, 200, api_entity_json(e, r->c.lang, &r->c));
}

void api_openapi_doc(Req *r) { http_json(r, 200, api_openapi()); }

void api_healthz(Req *r)
{
    int64_t one = 0;
    bool found = false;
    if (db_query_int(r->c.db, "SELECT 1", NULL, 0, &one, &found) != DB_OK || one != 1) {
        ctx_fail(&r->c, GX_EDB, "database unavailable");
        return api_fail(r);
    }
    http_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

/* Drop from an audit diff the fields the user may not see (field rules):
 * hidden fields must not leak through the audit log. */
static void audit_strip_hidden(Req *r, const char *entity, json_t *diff)
{
    const Entity *e = entity ? meta_entity(entity) : NULL;
    if (!e || !json_is_object(diff) || acl_is_admin(&r->c))
        return;
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(diff, tmp, k, v)
    {
        const char *name = k, *us = strrchr(k, '_');
        if (!meta_field(e, k) && us && (!strcmp(us, "_type") || !strcmp(us, "_id")))
            name = arena_strndup(&r->arena, k, (size_t)(us - k)); /* a parent field's half */
        if (acl_field(&r->c, e, name) == FIELD_HIDDEN)
            json_object_del(diff, k);
    }
}

/* GET /api/v1/audit?entity=&record_id=&user_id=&action=&from=&to=&limit=&offset=
 * Administrators see everything; others see entries of records they may read. */
void api_audit_list(Req *r)
{
    Sql q;
    sql_init(&q, &r->arena);
    sql_raw(&q, "SELECT a.id, a.at, a.user_id, u.name, a.ip, a.action, a.entity, a.record_id, a.diff FROM audit_log a"
                " LEFT JOIN users u ON u.id = a.user_id WHERE 1=1");
    const char *entity = http_query(r, "entity");
    const char *rid = http_query(r, "record_id");
    const char *uid = http_query(r, "user_id");
    const char *action = http_query(r, "action");
    const char *from = http_query(r, "from");
    const char *to = http_query(r, "to");
    int64_t v, limit = 50, offset = 0;
    if (!acl_is_admin(&r->c)) {
        /* Non-administrators: the history of one record they can see. */
        const Entity *e = meta_entity(entity);
        json_t *rec = NULL;
        if (!e || !rid || !parse_i64(rid, &v) || record_get(&r->c, e, v, &rec) != GX_OK) {
            json_decref(rec);
            ctx_clear(&r->c);
            ctx_fail(&r->c, GX_EDENIED, "Only administrators may read the whole audit log; give entity and record_id of a record you can see");
            return api_fail(r);
        }
        json_decref(rec);
    }
    if (entity) {
        sql_raw(&q, " AND a.entity = ");
        sql_param(&q, dbv_text(entity));
    }
    if (rid) {
        if (!parse_i64(rid, &v)) {
            ctx_fail(&r->c, GX_EBADREQ, "record_id must be an integer");
            return api_fail(r);
        }
        sql_raw(&q, " AND a.record_id = ");
        sql_param(&q, dbv_int(v));
    }
    if (uid) {
        if (!parse_i64(uid, &v)) {
            ctx_fail(&r->c, GX_EBADREQ, "user_id must be an integer");
            return api_fail(r);
        }
        sql_raw(&q, " AND a.user_id = ");
        sql_param(&q, dbv_int(v));
    }
    if (action) {
        sql_raw(&q, " AND a.action = ");
        sql_param(&q, dbv_text(action));
    }
    int64_t t;
    if (from) {
        if (!time_parse_rfc3339(from, &t)) {
            ctx_fail(&r->c, GX_EBADREQ, "from must be an RFC 3339 date-time");
            return api_fail(r);
        }
        char b[64];
        time_format_ms(t * 1000, b);
        sql_raw(&q, " AND a.at >= ");
        sql_param(&q, dbv_text(arena_strdup(&r->arena, b)));
    }
    if (to) {
        if (!time_parse_rfc3339(to, &t)) {
            ctx_fail(&r->c, GX_EBADREQ, "to must be an RFC 3339 date-time");
            return api_fail(r);
        }
        char b[64];
        time_format_ms(t * 1000, b);
        sql_raw(&q, " AND a.at < ");
        sql_param(&q, dbv_text(arena_strdup(&r->arena, b)));
    }
    const char *ls = http_query(r, "limit"), *os = http_query(r, "offset");
    const char *fmt0 = http_query(r, "format");
    int64_t max = fmt0 && !strcmp(fmt0, "csv") ? 100000 : 500;
    if (fmt0 && !strcmp(fmt0, "csv") && !ls)
        limit = max;
    if ((ls && (!parse_i64(ls, &limit) || limit < 1 || limit > max)) || (os && (!parse_i64(os, &offset) || offset < 0))) {
        ctx_fail(&r->c, GX_EBADREQ, "limit must be 1..%lld and offset not negative", (long long)max);
        return api_fail(r);
    }
    sql_raw(&q, " ORDER BY a.id DESC LIMIT ");
    sql_param(&q, dbv_int(limit));
    sql_raw(&q, " OFFSET ");
    sql_param(&q, dbv_int(offset));
    DbRes *res;
    if (db_query(r->c.db, q.text.data, q.params, q.n, &res) != DB_OK) {
        ctx_fail(&r->c, GX_EDB, "cannot read the audit log");
        return api_fail(r);
    }
    json_t *arr = json_array();
    while (db_next(res) == 1) {
        json_t *diff = db_text(res, 8) ? json_loads(db_text(res, 8), 0, NULL) : NULL;
        audit_strip_hidden(r, db_text(res, 6), diff);
        json_array_append_new(
            arr, json_pack("{s:I, s:s, s:o, s:s?, s:s?, s:s, s:s?, s:o, s:o}", "id", (json_int_t)db_int(res, 0), "at",
                           db_text(res, 1), "user_id", db_isnull(res, 2) ? json_null() : json_integer(db_int(res, 2)),
                           "user_name", db_text(res, 3), "ip", db_text(res, 4), "action", db_text(res, 5), "entity",
                           db_text(res, 6), "record_id", db_isnull(res, 7) ? json_null() : json_integer(db_int(res, 7)),
                           "diff", diff ? diff : json_null()));
    }
    db_done(res);
    const char *fmt = http_query(r, "format");
    if (fmt && !strcmp(fmt, "csv")) {
        /* The same rows as CSV (administrators' audit export). */
        Buf *o = &r->out;
        buf_raw(o, "\xEF\xBB\xBFid,at,user_id,user_name,ip,action,entity,record_id,diff\r\n");
        size_t i;
        json_t *row;
        json_array_foreach(arr, i, row)
        {
            static const char *cols[] = {"id", "at", "user_id", "user_name", "ip", "action", "entity", "record_id", "diff"};
            for (int k = 0; k < 9; k++) {
                json_t *v = json_object_get(row, cols[k]);
                if (k)
                    buf_putc(o, ',');
                if (json_is_string(v)) {
                    buf_csv(o, json_string_value(v));
                } else if (v && !json_is_null(v)) {
                    char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
                    buf_csv(o, t);
                    free(t);
                }
            }
            buf_raw(o, "\r\n");
        }
        json_decref(arr);
        json_t *d = json_pack("{s:s}", "format", "csv");
        audit_write(&r->c, "export", "audit_log", 0, d);
        json_decref(d);
        r->content_type = "text/csv; charset=utf-8";
        http_add_header(r, "Content-Disposition", "attachment; filename=\"audit.csv\"");
        return;
    }
    if (fmt && strcmp(fmt, "json")) {
        json_decref(arr);
        ctx_fail(&r->c, GX_EBADREQ, "Unsupported format '%s' (use json or csv)", fmt);
        return api_fail(r);
    }
    http_json(r, 200, json_pack("{s:o}", "data", arr));
}

/* Global search: the first matches per searchable entity the user may read. */
void api_search(Req *r)
{
    const char *q = http_query(r, "q");
    if (!q || !*q) {
        ctx_fail(&r->c, GX_EBADREQ, "q is required");
        return api_fail(r);
    }
    static const char *order[] = {"customers", "contacts", "leads", "opportunities", "tickets", "users", NULL};
    json_t *groups = json_array();
    for (int i = 0; order[i]; i++) {
        const Entity *e = meta_entity(order[i]);
        if (!e || !e->has_search || acl_scope(&r->c, e, ACT_READ) == SCOPE_NONE)
            continue;
        ListQuery lq = {.q = q, .limit = 5, .action = ACT_READ};
        json_t *rows;
        if (record_list(&r->c, e, &lq, &rows, NULL)) {
            json_decref(groups);
            return api_fail(r);
        }
        if (json_array_size(rows))
            json_array_append_new(groups, json_pack("{s:s, s:s, s:o}", "entity", e->name, "label",
                                                    meta_label(&e->label, r->c.lang), "data", rows));
        else
            json_decref(rows);
    }
    http_json(r, 200, json_pack("{s:o}", "data", groups));
}
