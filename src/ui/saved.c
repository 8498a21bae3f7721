/* saved.c — saved queries (personal or shared) and favourites of list pages,
 * stored in the saved_queries entity.
 *
 * Saved queries are everyone's own preferences, not business data that role
 * matrices grant: they are read and written in the system context, and this
 * file enforces the rule itself — a user sees their own and the shared ones,
 * and changes only their own. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "list.h"

/* A context acting as the system, with its own error state. */
static Ctx system_ctx(Req *r)
{
    Ctx c = r->c;
    c.who = NULL;
    c.err = GX_OK;
    c.err_fields = NULL;
    c.ndeferred = 0;
    return c;
}

json_t *saved_queries_for(Req *r, const Entity *e)
{
    const Entity *sq = meta_entity("saved_queries");
    json_t *out = json_array();
    if (!sq || !r->c.who)
        return out;
    Ctx c = system_ctx(r);
    json_t *where = json_pack("{s:[{s:s, s:s, s:s}, {s:[{s:s, s:s, s:I}, {s:s, s:s, s:b}]}]}", "and", "field", "entity",
                              "op", "eq", "value", e->name, "or", "field", "owner_id", "op", "eq", "value",
                              (json_int_t)r->c.who->user_id, "field", "shared", "op", "eq", "value", 1);
    ListQuery lq = {.where = where, .sort = "id", .limit = 50, .action = ACT_READ};
    json_t *rows = NULL;
    if (record_list(&c, sq, &lq, &rows, NULL) == GX_OK) {
        /* favourites first, each group in creation order */
        for (int pass = 0; pass < 2; pass++) {
            size_t i;
            json_t *q;
            json_array_foreach(rows, i, q) if (json_is_true(json_object_get(q, "favourite")) == (pass == 0))
                json_array_append(out, q);
        }
    }
    json_decref(rows);
    json_decref(where);
    json_decref(c.err_fields);
    return out;
}

json_t *saved_query_get(Req *r, const Entity *e, int64_t id)
{
    const Entity *sq = meta_entity("saved_queries");
    if (!sq || !r->c.who)
        return NULL;
    Ctx c = system_ctx(r);
    json_t *q = NULL;
    if (record_get(&c, sq, id, &q) != GX_OK) {
        json_decref(c.err_fields);
        return NULL;
    }
    json_decref(c.err_fields);
    bool mine = json_integer_value(json_object_get(q, "owner_id")) == r->c.who->user_id;
    if ((!mine && !json_is_true(json_object_get(q, "shared"))) ||
        (e && !str_eq(json_string_value(json_object_get(q, "entity")), e->name))) {
        json_decref(q);
        return NULL;
    }
    return q;
}

/* POST /app/{entity}/saved — save the current filter, sort and columns. */
void ui_saved_create(Req *r)
{
    const Entity *e = ui_entity(r);
    if (!e)
        return;
    json_t *form = http_form(r);
    if (!form) {
        ctx_fail(&r->c, GX_EBADREQ, "Malformed form");
        return ui_fail(r);
    }
    const char *name = json_string_value(json_object_get(form, "name"));
    const char *filter = json_string_value(json_object_get(form, "filter"));
    const char *sort = json_string_value(json_object_get(form, "sort"));
    const char *cols = json_string_value(json_object_get(form, "cols"));
    json_t *in = json_object();
    json_object_set_new(in, "name", json_string(name ? name : ""));
    json_object_set_new(in, "entity", json_string(e->name));
    json_object_set_new(in, "owner_id", json_integer(r->c.who->user_id));
    json_object_set_new(in, "shared", json_boolean(json_object_get(form, "shared") != NULL));
    json_object_set_new(in, "favourite", json_boolean(json_object_get(form, "favourite") != NULL));
    if (sort && *sort)
        json_object_set_new(in, "sort", json_string(sort));
    if (filter && *filter) {
        json_t *f = json_loads(filter, 0, NULL);
        if (!json_is_object(f)) {
            json_decref(f);
            json_decref(in);
            json_decref(form);
            ctx_fail(&r->c, GX_EBADREQ, "The filter is not valid");
            return ui_fail(r);
        }
        /* Check it compiles for this user before keeping it. */
        ListQuery lq = {.where = f, .sort = sort && *sort ? sort : NULL, .limit = 1, .action = ACT_READ};
        json_t *rows = NULL;
        GxErr rc = record_list(&r->c, e, &lq, &rows, NULL);
        json_decref(rows);
        if (rc) {
            json_decref(f);
            json_decref(in);
            json_decref(form);
            return ui_fail(r);
        }
        json_object_set_new(in, "filter", f);
    }
    if (cols && *cols) {
        json_t *arr = json_array();
        const char *p = cols;
        while (*p) {
            const char *comma = strchrnul(p, ',');
            char *one = arena_strndup(&r->arena, p, (size_t)(comma - p));
            if (ident_ok(one))
                json_array_append_new(arr, json_string(one));
            p = *comma ? comma + 1 : comma;
        }
        json_object_set_new(in, "columns", arr);
    }
    json_decref(form);
    Ctx c = system_ctx(r);
    json_t *out = NULL;
    GxErr rc = record_create(&c, meta_entity("saved_queries"), in, &out);
    json_decref(in);
    if (rc) {
        r->c.err = c.err;
        r->c.err_msg = c.err_msg;
        if (c.err_fields && json_object_get(c.err_fields, "name"))
            r->c.err_msg = T(r, "Give the query a name (at most 60 characters).");
        json_decref(c.err_fields);
        return ui_fail(r);
    }
    long long id = (long long)json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    ui_flash(r, "query_saved");
    ui_redirect(r, arena_printf(&r->arena, "/app/%s?saved=%lld", e->name, id));
}

/* The saved query {id} if it is the user's own; renders 404 otherwise. */
static json_t *own_query(Req *r, int64_t *id)
{
    if (!ui_id(r, id))
        return NULL;
    json_t *q = saved_query_get(r, NULL, *id);
    if (!q || json_integer_value(json_object_get(q, "owner_id")) != r->c.who->user_id) {
        json_decref(q);
        ctx_fail(&r->c, GX_ENOTFOUND, "No such saved query");
        ui_fail(r);
        return NULL;
    }
    return q;
}

/* POST /app/saved/{id}/favourite — toggle the favourite mark. */
void ui_saved_favourite(Req *r)
{
    int64_t id;
    json_t *q = own_query(r, &id);
    if (!q)
        return;
    json_t *in = json_pack("{s:b, s:O}", "favourite", !json_is_true(json_object_get(q, "favourite")), "version",
                           json_object_get(q, "version"));
    const char *entity = arena_strdup(&r->arena, json_string_value(json_object_get(q, "entity")));
    json_decref(q);
    Ctx c = system_ctx(r);
    json_t *out = NULL;
    GxErr rc = record_update(&c, meta_entity("saved_queries"), id, in, &out);
    json_decref(in);
    json_decref(out);
    json_decref(c.err_fields);
    if (rc) {
        r->c.err = c.err;
        r->c.err_msg = c.err_msg;
        return ui_fail(r);
    }
    ui_flash(r, "saved");
    ui_redirect(r, arena_printf(&r->arena, "/app/%s?saved=%lld", entity, (long long)id));
}

/* POST /app/saved/{id}/delete */
void ui_saved_delete(Req *r)
{
    int64_t id;
    json_t *q = own_query(r, &id);
    if (!q)
        return;
    const char *entity = arena_strdup(&r->arena, json_string_value(json_object_get(q, "entity")));
    json_decref(q);
    Ctx c = system_ctx(r);
    GxErr rc = record_delete(&c, meta_entity("saved_queries"), id);
    json_decref(c.err_fields);
    if (rc) {
        r->c.err = c.err;
        r->c.err_msg = c.err_msg;
        return ui_fail(r);
    }
    ui_flash(r, "query_deleted");
    ui_redirect(r, arena_printf(&r->arena, "/app/%s", entity));
}
