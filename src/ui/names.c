/* names.c — display names of linked records for a whole page at once: the
 * ids a page shows are collected first and resolved with one list query per
 * target entity (id IN (…)), never one query per row. */
#include <stdio.h>
#include <string.h>

#include "ui.h"

json_t *ui_names_new(void)
{
    return json_object();
}

void ui_names_want(json_t *names, const char *entity, int64_t id)
{
    if (!entity || id <= 0)
        return;
    json_t *m = json_object_get(names, entity);
    if (!m) {
        m = json_object();
        json_object_set_new(names, entity, m);
    }
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)id);
    if (!json_object_get(m, key))
        json_object_set_new(m, key, json_null());
}

void ui_names_want_rows(json_t *names, const Entity *e, const Col *cols, int ncols, json_t *rows)
{
    size_t i;
    json_t *rec;
    json_array_foreach(rows, i, rec)
    {
        for (int k = 0; k < ncols; k++) {
            const Field *f = cols[k].f;
            if (!f) {
                const char *n = cols[k].name;
                const char *target = !strcmp(n, "department_id") ? "departments"
                                     : (!strcmp(n, "owner_id") || !strcmp(n, "created_by") || !strcmp(n, "updated_by"))
                                         ? "users"
                                         : NULL;
                if (target)
                    ui_names_want(names, target, json_integer_value(json_object_get(rec, n)));
                continue;
            }
            if (f->type == FT_LINK) {
                ui_names_want(names, f->target, json_integer_value(json_object_get(rec, f->name)));
            } else if (f->type == FT_LINK_MULTIPLE) {
                size_t j;
                json_t *item;
                json_array_foreach(json_object_get(rec, f->name), j, item)
                    ui_names_want(names, f->target, json_integer_value(item));
            } else if (f->type == FT_PARENT) {
                char tk[80], ik[80];
                snprintf(tk, sizeof tk, "%s_type", f->name);
                snprintf(ik, sizeof ik, "%s_id", f->name);
                const char *type = json_string_value(json_object_get(rec, tk));
                if (type && meta_entity(type))
                    ui_names_want(names, type, json_integer_value(json_object_get(rec, ik)));
            }
        }
    }
    (void)e;
}

/* A title that is a stored column the user may see is read straight from
 * the table (id and title only, the read scope as predicate): a page of
 * 1,000 names then costs one small query instead of 1,000 whole records
 * (the day view of 200 resources spent two thirds of its instructions
 * building customer records for their names). */
static bool title_plain(Req *r, const Entity *t)
{
    const Field *f = meta_field(t, t->title_field);
    return f && f->type != FT_FORMULA && f->type != FT_JSON && f->type != FT_LINK_MULTIPLE && f->type != FT_PARENT &&
           f->type != FT_ADDRESS && f->type != FT_MULTI_ENUM && f->type != FT_FILE &&
           acl_field(&r->c, t, t->title_field) != FIELD_HIDDEN;
}

static void resolve_plain(Req *r, const Entity *t, json_t *m, json_t *ids)
{
    size_t n = json_array_size(ids);
    for (size_t off = 0; off < n; off += RECORD_LIMIT_MAX) {
        Sql q;
        sql_init(&q, &r->arena);
        sql_raw(&q, arena_printf(
                        &r->arena,
                        "SELECT id, %s FROM %s WHERE deleted_at IS NULL AND id IN (", /* sql-ok: metadata identifiers */
                        t->title_field, t->table));
        for (size_t i = off; i < n && i < off + RECORD_LIMIT_MAX; i++) {
            if (i > off)
                sql_raw(&q, ", ");
            sql_param(&q, dbv_int(json_integer_value(json_array_get(ids, i))));
        }
        sql_raw(&q, ")");
        Ctx c = r->c; /* a failure here only leaves names unresolved */
        c.err = GX_OK;
        c.err_fields = NULL;
        acl_scope_predicate(&c, t, ACT_READ, &q);
        DbRes *res;
        if (db_query(c.db, q.text.data, q.params, q.n, &res) != DB_OK) {
            json_decref(c.err_fields);
            continue;
        }
        while (db_next(res) == 1) {
            if (db_isnull(res, 1))
                continue;
            char k[24];
            snprintf(k, sizeof k, "%lld", (long long)db_int(res, 0));
            json_object_set_new(m, k, json_string(db_text(res, 1)));
        }
        db_done(res);
        json_decref(c.err_fields);
    }
}

/* Resolve the pending ids of one target entity (at most RECORD_LIMIT_MAX per query). */
static void resolve_entity(Req *r, const Entity *t, json_t *m)
{
    if (!t->title_field || acl_scope(&r->c, t, ACT_READ) == SCOPE_NONE)
        return;
    json_t *ids = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(m, key, v)
    {
        int64_t id;
        if (json_is_null(v) && sscanf(key, "%lld", (long long *)&id) == 1)
            json_array_append_new(ids, json_integer(id));
    }
    size_t n = json_array_size(ids);
    if (title_plain(r, t)) {
        resolve_plain(r, t, m, ids);
        json_decref(ids);
        return;
    }
    for (size_t off = 0; off < n; off += RECORD_LIMIT_MAX) {
        json_t *chunk = json_array();
        for (size_t i = off; i < n && i < off + RECORD_LIMIT_MAX; i++)
            json_array_append(chunk, json_array_get(ids, i));
        json_t *where = json_pack("{s:s, s:s, s:o}", "field", "id", "op", "in", "value", chunk);
        ListQuery lq = {.where = where, .limit = (int64_t)json_array_size(chunk), .action = ACT_READ, .sort = "id"};
        json_t *rows = NULL;
        Ctx c = r->c; /* a failure here only leaves names unresolved */
        c.err = GX_OK;
        c.err_fields = NULL;
        if (record_list(&c, t, &lq, &rows, NULL) == GX_OK) {
            size_t i;
            json_t *rec;
            json_array_foreach(rows, i, rec)
            {
                const char *title = json_string_value(json_object_get(rec, t->title_field));
                char k[24];
                snprintf(k, sizeof k, "%lld", (long long)json_integer_value(json_object_get(rec, "id")));
                if (title)
                    json_object_set_new(m, k, json_string(title));
            }
        }
        json_decref(c.err_fields);
        json_decref(rows);
        json_decref(where);
    }
    json_decref(ids);
}

void ui_names_resolve(Req *r, json_t *names)
{
    const char *entity;
    json_t *m;
    json_object_foreach(names, entity, m)
    {
        const Entity *t = meta_entity(entity);
        if (t)
            resolve_entity(r, t, m);
    }
}

const char *ui_names_get(json_t *names, const char *entity, int64_t id)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)id);
    return json_string_value(json_object_get(json_object_get(names, entity), key));
}
