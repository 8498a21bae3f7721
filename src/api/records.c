/* records.c — the generic REST endpoints every entity gets:
 * list, query, create, get, update, delete, trash, restore, purge, history,
 * export, and the dispatcher of module actions. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "api.h"

json_t *api_body(Req *r)
{
    if (!r->body || !r->body_len) {
        ctx_fail(&r->c, GX_EBADREQ, "The request body is empty; send a JSON object");
        api_fail(r);
        return NULL;
    }
    json_error_t jerr;
    json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        ctx_fail(&r->c, GX_EBADREQ, "Malformed JSON at line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
        api_fail(r);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        ctx_fail(&r->c, GX_EBADREQ, "The request body must be a JSON object");
        api_fail(r);
        return NULL;
    }
    return j;
}

void api_fail(Req *r) { api_error(r); }

const Entity *api_entity(Req *r)
{
    const Entity *e = meta_entity(http_param(r, "entity"));
    if (!e) {
        ctx_fail(&r->c, GX_ENOTFOUND, "Unknown entity '%s'", http_param(r, "entity"));
        api_fail(r);
    }
    return e;
}

bool api_id(Req *r, int64_t *id)
{
    if (!parse_i64(http_param(r, "id"), id) || *id <= 0) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such record");
        api_fail(r);
        return false;
    }
    return true;
}

typedef struct ParamState {
    Req *r;
    const Entity *e;
    ListQuery *lq;
    json_t *conds;
    bool ok;
} ParamState;

static bool parse_nonneg(Req *r, const char *name, const char *v, int64_t *out)
{
    if (!parse_i64(v, out) || *out < 0) {
        ctx_fail(&r->c, GX_EBADREQ, "%s must be a non-negative integer", name);
        return false;
    }
    return true;
}

static void each_param(void *ud, const char *key, const char *value)
{
    ParamState *s = ud;
    if (!s->ok)
        return;
    if (!value)
        value = "";
    if (!strcmp(key, "limit")) {
        s->ok = parse_nonneg(s->r, "limit", value, &s->lq->limit);
        if (s->ok && (s->lq->limit < 1 || s->lq->limit > RECORD_LIMIT_MAX)) {
            ctx_fail(&s->r->c, GX_EBADREQ, "limit must be between 1 and %d", RECORD_LIMIT_MAX);
            s->ok = false;
        }
    } else if (!strcmp(key, "offset")) {
        s->ok = parse_nonneg(s->r, "offset", value, &s->lq->offset);
    } else if (!strcmp(key, "sort")) {
        s->lq->sort = value;
    } else if (!strcmp(key, "q")) {
        s->lq->q = value;
    } else if (!strcmp(key, "fields")) {
        s->lq->fields = value; /* checked by record_list */
    } else if (!strcmp(key, "filter")) {
        /* a JSON filter tree ({"and": […]}, {"or": […]}, a condition), ANDed
         * with the other parameters; the web UI's list pages export with it */
        json_t *tree = json_loads(value, 0, NULL);
        if (!json_is_object(tree)) {
            json_decref(tree);
            ctx_fail(&s->r->c, GX_EBADREQ, "filter must be a JSON filter tree");
            s->ok = false;
        } else {
            json_array_append_new(s->conds, tree);
        }
    } else if (!strcmp(key, "format") || !strcmp(key, "vcard_version") || !strcmp(key, "_")) {
        /* export format; cache-buster */
    } else {
        s->ok = record_filter_from_param(&s->r->c, s->e, key, value, s->conds);
    }
}

bool api_list_query(Req *r, const Entity *e, ListQuery *lq, json_t **where)
{
    *lq = (ListQuery){.limit = RECORD_LIMIT_DEFAULT, .count = true, .action = ACT_READ};
    json_t *conds = json_array();
    ParamState s = {r, e, lq, conds, true};
    http_query_each(r, each_param, &s);
    if (!s.ok) {
        json_decref(conds);
        *where = NULL;
        return false;
    }
    *where = json_pack("{s:o}", "and", conds);
    lq->where = *where;
    return true;
}

/* The count behind "total" stops at RECORD_COUNT_LIMIT (or the end of the
 * page asked for): the reply then carries "total_exact": false, meaning more
 * than "total" match. Exact totals come without the key. */
static void count_capped(ListQuery *lq, bool *capped)
{
    lq->count_limit = RECORD_COUNT_LIMIT;
    lq->count_capped = capped;
    *capped = false;
}

/* Answer a list: the page's JSON array written by record_list_json into
 * r->out, inside the envelope {"data", "total", "limit", "offset"}. */
static void list_reply(Req *r, const Entity *e, const ListQuery *lq)
{
    int64_t total;
    buf_clear(&r->out);
    r->out_static = NULL;
    r->out_static_len = 0;
    buf_raw(&r->out, "{\"data\":");
    if (record_list_json(&r->c, e, lq, &r->out, &total)) {
        buf_clear(&r->out);
        return api_fail(r);
    }
    buf_printf(&r->out, ",\"total\":%lld,\"limit\":%lld,\"offset\":%lld", (long long)total, (long long)lq->limit,
               (long long)lq->offset);
    if (lq->count_capped && *lq->count_capped)
        buf_raw(&r->out, ",\"total_exact\":false");
    buf_putc(&r->out, '}');
    r->status = 200;
    r->content_type = "application/json; charset=utf-8";
}

/* List live records, or the trash: the same query with deleted rows. */
static void list_records(Req *r, bool trash)
{
    const Entity *e = api_entity(r);
    if (!e)
        return;
    ListQuery lq;
    json_t *where;
    if (!api_list_query(r, e, &lq, &where))
        return api_fail(r);
    lq.trash = trash;
    bool capped;
    count_capped(&lq, &capped);
    list_reply(r, e, &lq);
    json_decref(where);
}

static void h_list(Req *r) { list_records(r, false); }
static void h_trash(Req *r) { list_records(r, true); }

static void h_query(Req *r)
{
    const Entity *e = api_entity(r);
    if (!e)
        return;
    json_t *b = api_body(r);
    if (!b)
        return;
    ListQuery lq = {.limit = RECORD_LIMIT_DEFAULT, .count = true, .action = ACT_READ};
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v)
    {
        if (!strcmp(k, "where")) {
            lq.where = v;
        } else if (!strcmp(k, "sort") && json_is_string(v)) {
            lq.sort = json_string_value(v);
        } else if (!strcmp(k, "q") && (json_is_string(v) || json_is_null(v))) {
            lq.q = json_string_value(v);
        } else if (!strcmp(k, "fields") && (json_is_string(v) || json_is_null(v))) {
            lq.fields = json_string_value(v);
        } else if (!strcmp(k, "limit") && json_is_integer(v)) {
            lq.limit = json_integer_value(v);
        } else if (!strcmp(k, "offset") && json_is_integer(v)) {
            lq.offset = json_integer_value(v);
        } else {
            ctx_fail(&r->c, GX_EBADREQ, "Unknown or malformed query key '%s' (use where, sort, q, fields, limit, offset)", k);
            json_decref(b);
            return api_fail(r);
        }
    }
    bool capped;
    count_capped(&lq, &capped);
    list_reply(r, e, &lq);
    json_decref(b);
}

static void h_create(Req *r)
{
    const Entity *e = api_entity(r);
    if (!e)
        return;
    json_t *b = api_body(r);
    if (!b)
        return;
    json_t *rec;
    GxErr rc = record_create(&r->c, e, b, &rec);
    json_decref(b);
    if (rc)
        return api_fail(r);
    char loc[160];
    snprintf(loc, sizeof loc, "/api/v1/%s/%lld", e->name, (long long)json_integer_value(json_object_get(rec, "id")));
    http_add_header(r, "Location", loc);
    http_json(r, 201, rec);
}

static void h_get(Req *r)
{
    const Entity *e = api_entity(r);
    int64_t id;
    if (!e || !api_id(r, &id))
        return;
    buf_clear(&r->out);
    r->out_static = NULL;
    r->out_static_len = 0;
    if (record_get_json(&r->c, e, id, &r->out)) {
        buf_clear(&r->out);
        return api_fail(r);
    }
    r->status = 200;
    r->content_type = "application/json; charset=utf-8";
}

static void h_update(Req *r)
{
    const Entity *e = api_entity(r);
    int64_t id;
    if (!e || !api_id(r, &id))
        return;
    json_t *b = api_body(r);
    if (!b)
        return;
    json_t *rec;
    GxErr rc = record_update(&r->c, e, id, b, &rec);
    json_decref(b);
    if (rc)
        return api_fail(r);
    http_json(r, 200, rec);
}

static void h_delete(Req *r)
{
    const Entity *e = api_entity(r);
    int64_t id;
    if (!e || !api_id(r, &id))
        return;
    if (record_delete(&r->c, e, id))
        return api_fail(r);
    r->status = 204;
    r->content_type = "text/plain";
}

static void h_restore(Req *r)
{
    const Entity *e = api_entity(r);
    int64_t id;
    if (!e || !api_id(r, &id))
        return;
    json_t *rec;
    if (record_restore(&r->c, e, id, &rec))
        return api_fail(r);
    http_json(r, 200, rec);
}

static void h_purge(Req *r)
{
    const Entity *e = api_entity(r);
    int64_t id;
    if (!e || !api_id(r, &id))
        return;
    if (record_purge(&r->c, e, id))
        return api_fail(r);
    r->status = 204;
    r->content_type = "text/plain";
}

static void h_history(Req *r)
{
    const Entity *e = api_entity(r);
    int64_t id;
    if (!e || !api_id(r, &id))
        return;
    json_t *rows;
    if (record_history(&r->c, e, id, &rows))
        return api_fail(r);
    http_json(r, 200, json_pack("{s:o}", "data", rows));
}

/* ---------- module actions ---------- */

#define MAX_ACTIONS 64
static struct {
    const char *entity, *action, *summary;
    ApiAction fn;
} actions[MAX_ACTIONS];
static int nactions;

void api_action_register(const char *entity, const char *action, ApiAction fn, const char *summary)
{
    if (nactions == MAX_ACTIONS)
        gx_die("too many API actions");
    actions[nactions].entity = entity;
    actions[nactions].action = action;
    actions[nactions].summary = summary;
    actions[nactions].fn = fn;
    nactions++;
}

bool api_action_at(int i, const char **entity, const char **action, const char **summary)
{
    if (i < 0 || i >= nactions)
        return false;
    *entity = actions[i].entity;
    *action = actions[i].action;
    *summary = actions[i].summary;
    return true;
}

static void h_action(Req *r)
{
    const Entity *e = api_entity(r);
    int64_t id;
    if (!e || !api_id(r, &id))
        return;
    const char *name = http_param(r, "action");
    if (!strcmp(name, "restore"))
        return h_restore(r);
    if (!strcmp(name, "purge"))
        return h_purge(r);
    for (int i = 0; i < nactions; i++)
        if (!strcmp(actions[i].entity, e->name) && !strcmp(actions[i].action, name))
            return actions[i].fn(r, e, id);
    ctx_fail(&r->c, GX_ENOTFOUND, "%s has no action '%s'", e->name, name);
    api_fail(r);
}

/* ---------- route table ---------- */

void api_auth_login(Req *r);
void api_auth_logout(Req *r);
void api_auth_me(Req *r);
void api_auth_logout_all(Req *r);
void api_auth_password(Req *r);
void api_tokens_list(Req *r);
void api_tokens_create(Req *r);
void api_tokens_revoke(Req *r);
void api_meta_entities(Req *r);
void api_leads_convert_many(Req *r);
void api_picklists(Req *r);
void api_picklist_update(Req *r);
void api_meta_entity(Req *r);
void api_openapi_doc(Req *r);
void api_healthz(Req *r);
void api_audit_list(Req *r);
void api_search(Req *r);
void api_export(Req *r);
void api_record_comments(Req *r);
void api_duplicates(Req *r);
void api_import(Req *r);
void api_imports_list(Req *r);
void api_import_get(Req *r);
void api_import_undo(Req *r);
void api_vcard(Req *r);

const Route api_routes[] = {
    {"GET", "/healthz", api_healthz, ROUTE_PUBLIC, NULL},
    {"POST", "/api/v1/auth/login", api_auth_login, ROUTE_PUBLIC, NULL},
    {"POST", "/api/v1/auth/logout", api_auth_logout, ROUTE_MUTATES, NULL},
    {"POST", "/api/v1/auth/logout-all", api_auth_logout_all, ROUTE_MUTATES, NULL},
    {"GET", "/api/v1/auth/me", api_auth_me, 0, NULL},
    {"POST", "/api/v1/auth/password", api_auth_password, ROUTE_MUTATES, NULL},
    {"GET", "/api/v1/auth/tokens", api_tokens_list, 0, NULL},
    {"POST", "/api/v1/auth/tokens", api_tokens_create, ROUTE_MUTATES, NULL},
    {"DELETE", "/api/v1/auth/tokens/{id}", api_tokens_revoke, ROUTE_MUTATES, NULL},
    {"GET", "/api/v1/openapi.json", api_openapi_doc, ROUTE_PUBLIC, NULL},
    {"GET", "/api/v1/meta/entities", api_meta_entities, 0, NULL},
    {"GET", "/api/v1/meta/entities/{name}", api_meta_entity, 0, NULL},
    {"GET", "/api/v1/audit", api_audit_list, 0, NULL},
    {"GET", "/api/v1/search", api_search, 0, NULL},
    {"GET", "/api/v1/reminders", api_reminders, 0, NULL},
    {"GET", "/api/v1/reminders/settings", api_reminder_settings, 0, NULL},
    {"PATCH", "/api/v1/reminders/settings", api_reminder_settings, ROUTE_MUTATES, NULL},
    {"POST", "/api/v1/leads/convert", api_leads_convert_many, ROUTE_MUTATES, NULL},
    {"GET", "/api/v1/picklists", api_picklists, 0, NULL},
    {"PATCH", "/api/v1/picklists/{entity_name}/{field}", api_picklist_update, ROUTE_MUTATES, NULL},
    {"GET", "/api/v1/{entity}", h_list, 0, NULL},
    {"POST", "/api/v1/{entity}", h_create, ROUTE_MUTATES, NULL},
    {"POST", "/api/v1/{entity}/query", h_query, 0, NULL},
    {"GET", "/api/v1/{entity}/export", api_export, 0, NULL},
    {"GET", "/api/v1/{entity}/duplicates", api_duplicates, 0, NULL},
    {"POST", "/api/v1/{entity}/import", api_import, ROUTE_MUTATES | ROUTE_LARGE_BODY, NULL},
    {"GET", "/api/v1/imports", api_imports_list, 0, NULL},
    {"GET", "/api/v1/imports/{id}", api_import_get, 0, NULL},
    {"POST", "/api/v1/imports/{id}/undo", api_import_undo, ROUTE_MUTATES, NULL},
    {"GET", "/api/v1/contacts/{id}/vcard", api_vcard, 0, NULL},
    {"GET", "/api/v1/{entity}/trash", h_trash, 0, NULL},
    {"GET", "/api/v1/{entity}/{id}", h_get, 0, NULL},
    {"PATCH", "/api/v1/{entity}/{id}", h_update, ROUTE_MUTATES, NULL},
    {"DELETE", "/api/v1/{entity}/{id}", h_delete, ROUTE_MUTATES, NULL},
    {"GET", "/api/v1/{entity}/{id}/history", h_history, 0, NULL},
    {"GET", "/api/v1/{entity}/{id}/comments", api_record_comments, 0, NULL},
    {"POST", "/api/v1/{entity}/{id}/{action}", h_action, ROUTE_MUTATES, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
