/* meta_api.c — metadata for clients, health, the audit log and global search. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../modules/modules.h"
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
        if (f->noptions && c && enum_labels_editable(e, f)) {
            /* an administrator's pick list: edited labels, their order, and
             * whether an option is still offered for new input */
            EnumLabel *el;
            int n = enum_labels_options(c, f, lang, &el);
            json_t *opts = json_array();
            for (int k = 0; k < n; k++) {
                const EnumOption *so = meta_option(f, el[k].value);
                json_t *o = json_pack("{s:s, s:s, s:{s:s, s:s}, s:b}", "value", el[k].value, "label", el[k].label,
                                      "labels", "zh", enum_labels_label(c, f, el[k].value, "zh"), "en",
                                      enum_labels_label(c, f, el[k].value, "en"), "active", el[k].active);
                if (so && so->number)
                    json_object_set_new(o, "number", json_integer(so->number));
                json_array_append_new(opts, o);
            }
            json_object_set_new(jf, "options", opts);
        } else if (f->noptions) {
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

/* GET /api/v1/audit?entity=&record_id=&user_id=&action=&from=&to=&limit=&offset=[&format=csv]
 * Administrators see everything; others see entries of records they may read. */
void api_audit_list(Req *r)
{
    AuditQuery aq = {.entity = http_query(r, "entity"), .action = http_query(r, "action"), .limit = 50};
    const char *rid = http_query(r, "record_id"), *uid = http_query(r, "user_id");
    const char *from = http_query(r, "from"), *to = http_query(r, "to");
    const char *ls = http_query(r, "limit"), *os = http_query(r, "offset");
    const char *fmt0 = http_query(r, "format");
    int64_t max = fmt0 && !strcmp(fmt0, "csv") ? 100000 : 500;
    if (fmt0 && !strcmp(fmt0, "csv") && !ls)
        aq.limit = max;
    if (rid && !parse_i64(rid, &aq.record_id)) {
        ctx_fail(&r->c, GX_EBADREQ, "record_id must be an integer");
        return api_fail(r);
    }
    if (uid && !parse_i64(uid, &aq.user_id)) {
        ctx_fail(&r->c, GX_EBADREQ, "user_id must be an integer");
        return api_fail(r);
    }
    if ((from && !time_parse_rfc3339(from, &aq.from)) || (to && !time_parse_rfc3339(to, &aq.to))) {
        ctx_fail(&r->c, GX_EBADREQ, "from and to must be RFC 3339 date-times");
        return api_fail(r);
    }
    aq.has_from = from != NULL;
    aq.has_to = to != NULL;
    if ((ls && (!parse_i64(ls, &aq.limit) || aq.limit < 1 || aq.limit > max)) ||
        (os && (!parse_i64(os, &aq.offset) || aq.offset < 0))) {
        ctx_fail(&r->c, GX_EBADREQ, "limit must be 1..%lld and offset not negative", (long long)max);
        return api_fail(r);
    }
    json_t *arr;
    if (audit_list(&r->c, &aq, &arr))
        return api_fail(r);
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

/* Global search over customers, contacts and leads (modules/search.c):
 * {"data": [{"entity", "id", "title", "subtitle"}]}, up to `limit` (1-50,
 * default 5) per entity, newest first, within the user's scope. */
void api_search(Req *r)
{
    const char *q = http_query(r, "q");
    const char *lim = http_query(r, "limit");
    int64_t limit = 5;
    if (!q || !*q) {
        ctx_fail(&r->c, GX_EBADREQ, "q is required");
        return api_fail(r);
    }
    if (lim && (!parse_i64(lim, &limit) || limit < 1 || limit > 50)) {
        ctx_fail(&r->c, GX_EBADREQ, "limit must be a whole number from 1 to 50");
        return api_fail(r);
    }
    json_t *rows = NULL;
    if (search_global(&r->c, q, (int)limit, &rows)) {
        json_decref(rows); /* search_global may have started the array before refusing q (ASan: leak) */
        return api_fail(r);
    }
    http_json(r, 200, json_pack("{s:o}", "data", rows));
}
