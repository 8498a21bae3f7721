/* record.c — generic CRUD, list, trash and history over metadata (see record.h).
 *
 * Write path: check the action's scope → validate and coerce every value →
 * before-hooks → one transaction (auto numbers, row, link tables, search
 * index, audit, revisions, after-hooks) → commit. Anything failing rolls the
 * whole transaction back, so a failed request leaves the database as it was. */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/log.h"
#include "../base/util.h"

/* Common columns, in select order. department_id may be a declared field
 * (users); it is selected once either way. */
static const char *common_cols[] = {"id", "owner_id", "department_id", "created_at", "created_by",
                                    "updated_at", "updated_by", "version", "deleted_at"};
#define NCOMMON 9

/* The common columns' keys in streamed JSON (record_list_json): the id
 * opens the object. */
#define KEY(s) {s, sizeof s - 1}
static const struct {
    const char *s;
    size_t n;
} common_keys[NCOMMON] = {KEY("{\"id\":"),         KEY(",\"owner_id\":"),   KEY(",\"department_id\":"),
                          KEY(",\"created_at\":"), KEY(",\"created_by\":"), KEY(",\"updated_at\":"),
                          KEY(",\"updated_by\":"), KEY(",\"version\":"),    KEY(",\"deleted_at\":")};
#undef KEY

static bool stored(const Field *f)
{
    /* (the first letter before strcmp: this runs for every field of every listed row) */
    return f->type != FT_LINK_MULTIPLE && !f->write_only && !(f->name[0] == 'd' && !strcmp(f->name, "department_id"));
}

/* The select list of e: the common columns, then every stored field (a
 * parent as its two columns, a formula as its expression). Built once per
 * entity and kept on it (metadata does not change after meta_load): the
 * text was rebuilt with a printf per field on every read before, 40 k
 * instructions of a GET. */
static const char *select_cols(const Entity *e)
{
    char **slot = &((Entity *)e)->select_cols; /* cache slot owned by the record layer */
    char *have = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (have)
        return have;
    Arena a;
    arena_init(&a);
    Buf b;
    buf_init(&b, &a);
    for (int i = 0; i < NCOMMON; i++) {
        if (i)
            buf_raw(&b, ", ");
        buf_raw(&b, common_cols[i]);
    }
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (!stored(f))
            continue;
        if (f->type == FT_PARENT)
            buf_printf(&b, ", %s_type, %s_id", f->name, f->name); /* sql-ok: column names from metadata */
        else if (f->type == FT_FORMULA)
            buf_printf(&b, ", (%s)", f->formula); /* sql-ok: built-in formula from metadata */
        else
            buf_printf(&b, ", %s", f->name); /* sql-ok: column name from metadata */
    }
    char *text = xstrdup(b.data);
    arena_free(&a);
    char *expected = NULL;
    if (!__atomic_compare_exchange_n(slot, &expected, text, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        free(text); /* another thread built it first */
        return expected;
    }
    return text;
}

/* The columns a list page asked for (ListQuery.fields): common[i] for the
 * common columns, field[i] for e->fields[i]. */
typedef struct Wanted {
    bool common[NCOMMON];
    bool *field;
    bool rev;    /* and the row's revision (row_rev) after all the others */
    bool narrow; /* only the id and row_rev, as columns 0 and 1 */
} Wanted;

/* Parse lq->fields ("name,phone,owner_id") into *w: names of common columns
 * and of stored fields the user may see (a parent as name, name_type or
 * name_id); the id always. NULL fields: *w says every column. */
static GxErr wanted_parse(Ctx *c, const Entity *e, const char *fields, Wanted *w)
{
    w->field = arena_calloc(c->arena, (size_t)e->nfields + 1, sizeof *w->field);
    w->rev = w->narrow = false;
    bool all = !fields;
    for (int i = 0; i < NCOMMON; i++)
        w->common[i] = all || i == 0;
    for (int i = 0; i < e->nfields; i++)
        w->field[i] = all;
    if (all)
        return GX_OK;
    for (const char *s = fields; *s;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        char *name = arena_strndup(c->arena, s, len);
        bool found = false;
        for (int i = 0; i < NCOMMON && !found; i++)
            if (!strcmp(name, common_cols[i]) && (e->owned || i != 1) &&
                (i != 2 || e->owned || meta_field(e, "department_id"))) {
                w->common[i] = true;
                found = true;
            }
        for (int i = 0; i < e->nfields && !found; i++) {
            const Field *f = &e->fields[i];
            size_t n = strlen(f->name);
            bool match = !strcmp(name, f->name) ||
                         (f->type == FT_PARENT && !strncmp(name, f->name, n) &&
                          (!strcmp(name + n, "_type") || !strcmp(name + n, "_id")));
            if (match && (stored(f) || f->type == FT_LINK_MULTIPLE) && acl_field(c, e, f->name) != FIELD_HIDDEN) {
                w->field[i] = true;
                found = true;
            }
        }
        if (!found)
            return ctx_fail(c, GX_EBADREQ, "Unknown field '%s' in fields", name);
        s += len;
        if (*s == ',')
            s++;
    }
    return GX_OK;
}

/* Is key (of a record as JSON) one of the columns w asks for? */
static bool wanted_key(const Entity *e, const Wanted *w, const char *key)
{
    for (int i = 0; i < NCOMMON; i++)
        if (!strcmp(key, common_cols[i]))
            return w->common[i];
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        size_t n = strlen(f->name);
        if (!strcmp(key, f->name) ||
            (f->type == FT_PARENT && !strncmp(key, f->name, n) && (!strcmp(key + n, "_type") || !strcmp(key + n, "_id"))))
            return w->field[i];
    }
    return false;
}

/* Append the select list for e: every column, or with w those asked for
 * and NULL in the place of the others (the row writer skips them; SQLite
 * then decodes only what is sent). */
static void select_list(Ctx *c, const Entity *e, const Wanted *w, Sql *q)
{
    if (!w) {
        sql_raw(q, select_cols(e));
        return;
    }
    if (w->narrow) {
        sql_raw(q, "id, row_rev");
        return;
    }
    Buf b;
    buf_init(&b, c->arena);
    for (int i = 0; i < NCOMMON; i++) {
        if (i)
            buf_raw(&b, ", ");
        buf_raw(&b, w->common[i] ? common_cols[i] : "NULL");
    }
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (!stored(f))
            continue;
        buf_raw(&b, ", ");
        if (!w->field[i]) {
            buf_raw(&b, f->type == FT_PARENT ? "NULL, NULL" : "NULL");
        } else if (f->type == FT_PARENT) {
            buf_raw(&b, f->name);
            buf_raw(&b, "_type, ");
            buf_raw(&b, f->name);
            buf_raw(&b, "_id");
        } else if (f->type == FT_FORMULA) {
            buf_putc(&b, '(');
            buf_raw(&b, f->formula);
            buf_putc(&b, ')');
        } else {
            buf_raw(&b, f->name);
        }
    }
    if (w->rev)
        buf_raw(&b, ", row_rev");
    sql_raw(q, b.data); /* sql-ok: column names and built-in formulas from metadata */
}

/* The number of columns of e's select list (without row_rev). */
static int select_ncols(const Entity *e)
{
    int n = NCOMMON;
    for (int i = 0; i < e->nfields; i++)
        if (stored(&e->fields[i]))
            n += e->fields[i].type == FT_PARENT ? 2 : 1;
    return n;
}

/* Build a JSON record from the current row (all stored fields, unfiltered). */
static json_t *row_to_json(const Entity *e, DbRes *r)
{
    json_t *o = json_object();
    for (int i = 0; i < NCOMMON; i++) {
        if (db_isnull(r, i))
            json_object_set_new(o, common_cols[i], json_null());
        else if (i == 3 || i == 5 || i == 8)
            json_object_set_new(o, common_cols[i], json_string(db_text(r, i)));
        else
            json_object_set_new(o, common_cols[i], json_integer(db_int(r, i)));
    }
    int col = NCOMMON;
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (!stored(f))
            continue;
        if (f->type == FT_PARENT) {
            char k[128];
            snprintf(k, sizeof k, "%s_type", f->name);
            json_object_set_new(o, k, db_isnull(r, col) ? json_null() : json_string(db_text(r, col)));
            snprintf(k, sizeof k, "%s_id", f->name);
            json_object_set_new(o, k, db_isnull(r, col + 1) ? json_null() : json_integer(db_int(r, col + 1)));
            col += 2;
            continue;
        }
        json_object_set_new(o, f->name, meta_to_json(f, r, col));
        col++;
    }
    return o;
}

/* Load the link_multiple values of the given records (array of JSON objects). */
static GxErr load_link_multiple(Ctx *c, const Entity *e, json_t *recs)
{
    size_t n = json_array_size(recs);
    if (!n)
        return GX_OK;
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (f->type != FT_LINK_MULTIPLE)
            continue;
        Sql q;
        sql_init(&q, c->arena);
        sql_raw(&q, arena_printf(c->arena, "SELECT record_id, target_id FROM %s_%s WHERE record_id IN (", e->table, f->name)); /* sql-ok: table names from metadata */
        size_t k;
        json_t *rec;
        json_array_foreach(recs, k, rec)
        {
            json_object_set_new(rec, f->name, json_array());
            if (k)
                sql_raw(&q, ", ");
            sql_param(&q, dbv_int(json_integer_value(json_object_get(rec, "id"))));
        }
        sql_raw(&q, ") ORDER BY record_id, target_id");
        DbRes *r;
        if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read %s", f->name);
        while (db_next(r) == 1) {
            int64_t rid = db_int(r, 0);
            json_array_foreach(recs, k, rec)
            {
                if (json_integer_value(json_object_get(rec, "id")) == rid) {
                    json_array_append_new(json_object_get(rec, f->name), json_integer(db_int(r, 1)));
                    break;
                }
            }
        }
        db_done(r);
    }
    return GX_OK;
}

/* Remove what the user may not see from a record (hidden fields). */
static void present(Ctx *c, const Entity *e, json_t *rec)
{
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (acl_field(c, e, f->name) != FIELD_HIDDEN)
            continue;
        if (f->type == FT_PARENT) {
            json_object_del(rec, arena_printf(c->arena, "%s_type", f->name));
            json_object_del(rec, arena_printf(c->arena, "%s_id", f->name));
        } else {
            json_object_del(rec, f->name);
        }
    }
    if (!e->owned) {
        json_object_del(rec, "owner_id");
        if (!meta_field(e, "department_id"))
            json_object_del(rec, "department_id");
    }
}

/* Fetch one record. trash selects deleted rows; action < 0 skips the scope
 * (internal reads). */
static GxErr fetch(Ctx *c, const Entity *e, int64_t id, bool trash, int action, json_t **out)
{
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT ");
    select_list(c, e, NULL, &q);
    sql_raw(&q, arena_printf(c->arena, " FROM %s WHERE id = ", e->table)); /* sql-ok: table name from metadata */
    sql_param(&q, dbv_int(id));
    sql_raw(&q, trash ? " AND deleted_at IS NOT NULL" : " AND deleted_at IS NULL");
    if (action >= 0)
        acl_scope_predicate(c, e, (Action)action, &q);
    DbRes *r;
    *out = NULL;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read %s", e->name);
    int s = db_next(r);
    if (s == 1)
        *out = row_to_json(e, r);
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read %s", e->name);
    if (s == 0)
        return ctx_fail(c, GX_ENOTFOUND, "No such %s record (id %lld)", e->name, (long long)id);
    json_t *one = json_array();
    json_array_append(one, *out);
    GxErr rc = load_link_multiple(c, e, one);
    json_decref(one);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* After a write has committed: the computed values every read of the
 * record carries (HOOK_AFTER_READ), so that what POST/PATCH/restore answer
 * equals what GET answers. The write stands whatever happens here: a
 * failing hook leaves its values out of this answer only. */
static void computed_values(Ctx *c, const Entity *e, int64_t id, json_t *rec)
{
    if (record_bulk(c, e))
        return; /* an import keeps only the id */
    HookArgs ha = {.e = e, .id = id, .result = rec};
    if (record_hooks_run(c, HOOK_AFTER_READ, &ha))
        ctx_clear(c);
}

GxErr record_get(Ctx *c, const Entity *e, int64_t id, json_t **out)
{
    if (acl_scope(c, e, ACT_READ) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not read %s", e->name);
    GxErr rc = fetch(c, e, id, false, ACT_READ, out);
    if (rc)
        return rc;
    present(c, e, *out);
    HookArgs ha = {.e = e, .id = id, .result = *out};
    if ((rc = record_hooks_run(c, HOOK_AFTER_READ, &ha))) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    return GX_OK;
}

/* ---------- writing ---------- */

/* A value ready to be written to one column. */
typedef struct Assign {
    const char *col; /* column name */
    DbVal val;       /* coerced value */
} Assign;

typedef struct WriteSet {
    Assign *a;      /* column assignments */
    int n, cap;
    json_t *multi;  /* {field: [ids]} for link_multiple fields being set */
} WriteSet;

static void ws_add(Ctx *c, WriteSet *w, const char *col, DbVal v)
{
    if (w->n == w->cap) {
        int cap = w->cap ? w->cap * 2 : 16;
        w->a = arena_realloc(c->arena, w->a, sizeof(Assign) * (size_t)w->cap, sizeof(Assign) * (size_t)cap);
        w->cap = cap;
    }
    w->a[w->n].col = col;
    w->a[w->n].val = v;
    w->n++;
}

static bool empty_value(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

/* Does a live, visible record of entity t with this id exist? */
static bool link_visible(Ctx *c, const Entity *t, int64_t id)
{
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, arena_printf(c->arena, "SELECT 1 FROM %s WHERE id = ", t->table)); /* sql-ok: table names from metadata */
    sql_param(&q, dbv_int(id));
    sql_raw(&q, " AND deleted_at IS NULL");
    acl_scope_predicate(c, t, ACT_READ, &q);
    int64_t one;
    bool found = false;
    if (db_query_int(c->db, q.text.data, q.params, q.n, &one, &found) != DB_OK)
        return false;
    return found;
}

/* The department of an active user, for owner_id; false if no such user. */
static bool owner_department(Ctx *c, int64_t user_id, DbVal *dept)
{
    DbRes *r;
    DbVal p[] = {dbv_int(user_id)};
    if (db_query(c->db, "SELECT department_id FROM users WHERE id = $1 AND active = 1 AND deleted_at IS NULL", p, 1, &r) != DB_OK)
        return false;
    bool ok = db_next(r) == 1;
    if (ok)
        *dept = db_isnull(r, 0) ? dbv_null() : dbv_int(db_int(r, 0));
    db_done(r);
    return ok;
}

/* Are two JSON values the same stored value? */
static bool same_value(json_t *a, json_t *b)
{
    if (empty_value(a) && empty_value(b))
        return true;
    if (!a || !b)
        return false;
    return json_equal(a, b);
}

/* Validate the incoming object for create (old == NULL) or update and fill w.
 * Field errors accumulate in c (422); access violations fail with 403. */
static GxErr validate(Ctx *c, const Entity *e, json_t *in, json_t *old, WriteSet *w)
{
    const char *key;
    json_t *v;
    bool create = old == NULL;
    w->multi = json_object();
    json_object_foreach(in, key, v)
    {
        if (!strcmp(key, "version") && !create)
            continue;
        if (!strcmp(key, "confirm"))
            continue; /* warnings the user overrides, read by module hooks (e.g. modules/china.c) */
        FieldType ct;
        const Field *f = meta_field(e, key);
        if (!f && meta_common_column(key, &ct)) {
            if (!strcmp(key, "owner_id") && e->owned) {
                if (!json_is_integer(v) || json_integer_value(v) <= 0) {
                    ctx_field(c, key, "must be a user id");
                    continue;
                }
                int64_t uid = json_integer_value(v);
                if (!create && json_integer_value(json_object_get(old, "owner_id")) == uid)
                    continue;
                if (c->who && uid != c->who->user_id && acl_scope(c, e, ACT_ASSIGN) == SCOPE_NONE)
                    return ctx_fail(c, GX_EDENIED, "You may not assign %s to other users", e->name);
                DbVal dept;
                if (!owner_department(c, uid, &dept)) {
                    ctx_field(c, key, "is not an active user");
                    continue;
                }
                ws_add(c, w, "owner_id", dbv_int(uid));
                ws_add(c, w, "department_id", dept);
                continue;
            }
            /* System columns: sending back the stored value is harmless. */
            if (!create && same_value(json_object_get(old, key), v))
                continue;
            ctx_field(c, key, "is read-only");
            continue;
        }
        /* parent sub-fields arrive as name_type / name_id */
        const Field *parent = NULL;
        bool is_type = false;
        if (!f) {
            const char *us = strrchr(key, '_');
            if (us && (!strcmp(us, "_type") || !strcmp(us, "_id"))) {
                const Field *pf = meta_field(e, arena_strndup(c->arena, key, (size_t)(us - key)));
                if (pf && pf->type == FT_PARENT) {
                    parent = pf;
                    is_type = !strcmp(us, "_type");
                }
            }
            if (!parent) {
                ctx_field(c, key, "is not a field of %s", e->name);
                continue;
            }
        }
        const Field *acl_f = parent ? parent : f;
        if (acl_f->hidden) {
            ctx_field(c, key, "is no longer used; write %s instead", acl_f->replaced_by ? acl_f->replaced_by : "its replacement");
            continue;
        }
        FieldAccess fa = acl_field(c, e, acl_f->name);
        if (fa == FIELD_HIDDEN || (fa == FIELD_RO && (create || !same_value(json_object_get(old, key), v)))) {
            /* Writing a field one's role hides or makes read-only: 403 naming
             * it, and nothing is written. */
            ctx_fail(c, GX_EDENIED, "You may not change the field '%s'", key);
            if (!c->err_fields)
                c->err_fields = json_object();
            json_object_set_new(c->err_fields, key,
                                json_string(fa == FIELD_HIDDEN ? "is hidden for your role" : "is read-only for your role"));
            return GX_EDENIED;
        }
        if (fa == FIELD_RO)
            continue; /* the unchanged value sent back */
        if (parent) {
            if (empty_value(v)) {
                ws_add(c, w, key, dbv_null());
            } else if (is_type) {
                if (!json_is_string(v) || !meta_entity(json_string_value(v)))
                    ctx_field(c, key, "must name an entity, e.g. \"customers\"");
                else
                    ws_add(c, w, key, dbv_text(arena_strdup(c->arena, json_string_value(v))));
            } else {
                if (!json_is_integer(v) || json_integer_value(v) <= 0)
                    ctx_field(c, key, "must be a record id (positive integer)");
                else
                    ws_add(c, w, key, dbv_int(json_integer_value(v)));
            }
            continue;
        }
        if (f->readonly) {
            if (!create && same_value(json_object_get(old, key), v))
                continue;
            ctx_field(c, key, "is read-only");
            continue;
        }
        if (f->required && empty_value(v)) {
            ctx_field(c, key, "is required");
            continue;
        }
        if (f->type == FT_LINK_MULTIPLE) {
            if (!json_is_array(v)) {
                ctx_field(c, key, "must be a list of record ids");
                continue;
            }
            const Entity *t = meta_entity(f->target);
            size_t i;
            json_t *item;
            bool ok = true;
            json_array_foreach(v, i, item)
            {
                if (!json_is_integer(item) || json_integer_value(item) <= 0) {
                    ctx_field(c, key, "must be a list of record ids");
                    ok = false;
                    break;
                }
                if (!link_visible(c, t, json_integer_value(item))) {
                    ctx_field(c, key, "refers to %s record %lld, which does not exist", t->name,
                              (long long)json_integer_value(item));
                    ok = false;
                    break;
                }
            }
            if (ok)
                json_object_set(w->multi, key, v);
            continue;
        }
        /* a write-only JSON value belongs to the hooks, which read and check
         * it; coercing it would only serialise it (a 20-line order's lines:
         * ~100 k instructions) to be thrown away */
        if (f->write_only && f->type == FT_JSON)
            continue;
        DbVal dv;
        if (!meta_coerce(c, f, v, &dv))
            continue;
        if (f->type == FT_LINK && dv.type == DBV_INT) {
            const Entity *t = meta_entity(f->target);
            bool unchanged = !create && json_integer_value(json_object_get(old, key)) == dv.i;
            if (!unchanged && !link_visible(c, t, dv.i)) {
                ctx_field(c, key, "refers to %s record %lld, which does not exist", t->name, (long long)dv.i);
                continue;
            }
        }
        if (f->write_only)
            continue; /* handled by hooks, never stored */
        ws_add(c, w, f->name, dv);
    }
    if (create) {
        for (int i = 0; i < e->nfields; i++) {
            const Field *f = &e->fields[i];
            json_t *given = json_object_get(in, f->name);
            /* Left out, a field with a default gets it (apply_defaults); sent empty, it is missing. */
            if (f->required && empty_value(given) && !(f->dflt && !given) && !json_object_get(c->err_fields, f->name))
                ctx_field(c, f->name, "is required");
        }
    }
    /* A parent link needs both halves, naming a visible record. */
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (f->type != FT_PARENT)
            continue;
        const char *tk = arena_printf(c->arena, "%s_type", f->name);
        const char *ik = arena_printf(c->arena, "%s_id", f->name);
        json_t *tv = json_object_get(in, tk), *iv = json_object_get(in, ik);
        if (!tv && !iv)
            continue;
        if (!tv && !create)
            tv = json_object_get(old, tk);
        if (!iv && !create)
            iv = json_object_get(old, ik);
        if (empty_value(tv) != empty_value(iv)) {
            ctx_field(c, empty_value(tv) ? tk : ik, "is required together with %s", empty_value(tv) ? ik : tk);
            continue;
        }
        if (!empty_value(tv) && json_is_string(tv) && json_is_integer(iv)) {
            const Entity *t = meta_entity(json_string_value(tv));
            if (t && !link_visible(c, t, json_integer_value(iv)))
                ctx_field(c, ik, "refers to %s record %lld, which does not exist", t->name,
                          (long long)json_integer_value(iv));
        }
    }
    return c->err;
}

/* The numbering pattern of an auto_number field: the administrators' choice
 * (app setting "number_pattern.<entity>.<field>", e.g. for orders.number)
 * when there is one, else the schema's. */
static const char *number_pattern(Ctx *c, const Entity *e, const Field *f)
{
    char *v = NULL;
    DbVal p[] = {dbv_text(arena_printf(c->arena, "number_pattern.%s.%s", e->name, f->name))};
    if (!db_table_exists(c->db, "app_settings") || /* before migration 3 */
        db_query_text(c->db, c->arena, "SELECT value FROM app_settings WHERE key = $1", p, 1, &v) != DB_OK || !v || !*v)
        return f->pattern;
    return v;
}

/* The next k numbers of an auto_number field (out[0..k-1], consecutive),
 * inside the caller's transaction (so a rollback returns them and numbers
 * stay gap-free): one sequence update for all k. */
static GxErr auto_numbers(Ctx *c, const Entity *e, const Field *f, int k, DbVal *out)
{
    /* Business dates are in the company's zone (Asia/Shanghai, UTC+8). */
    time_t now = time(NULL) + 8 * 3600;
    struct tm tm;
    gmtime_r(&now, &tm);
    /* One pass over the pattern writes the sequence key (entity, field and
     * the date parts that restart numbering) and the number's text with a
     * marker byte where the counter goes. */
    Buf key, num;
    buf_init(&key, c->arena);
    buf_init(&num, c->arena);
    buf_printf(&key, "%s.%s", e->table, f->name);
    int width = 0;
    for (const char *s = number_pattern(c, e, f); *s; s++) {
        if (!strncmp(s, "{YYYY}", 6)) {
            buf_printf(&key, ":%04d", tm.tm_year + 1900);
            buf_printf(&num, "%04d", tm.tm_year + 1900);
            s += 5;
        } else if (!strncmp(s, "{YY}", 4)) {
            buf_printf(&key, ":%02d", tm.tm_year % 100);
            buf_printf(&num, "%02d", tm.tm_year % 100);
            s += 3;
        } else if (!strncmp(s, "{MM}", 4)) {
            buf_printf(&key, "-%02d", tm.tm_mon + 1);
            buf_printf(&num, "%02d", tm.tm_mon + 1);
            s += 3;
        } else if (!strncmp(s, "{DD}", 4)) {
            buf_printf(&key, "-%02d", tm.tm_mday);
            buf_printf(&num, "%02d", tm.tm_mday);
            s += 3;
        } else if (*s == '{' && s[1] == '0' && !width) {
            for (s++; *s == '0'; s++)
                width++;
            buf_raw(&num, "\x01"); /* where the counter goes */
        } else {
            buf_putc(&num, *s);
        }
    }
    int64_t n;
    bool found;
    if (k == 1) {
        DbVal pk[] = {dbv_text(key.data)};
        if (db_query_int(c->db,
                         "INSERT INTO sequences(name, value) VALUES ($1, 1) ON CONFLICT(name) DO UPDATE SET value = sequences.value + 1"
                         " RETURNING value",
                         pk, 1, &n, &found) != DB_OK ||
            !found)
            return ctx_fail(c, GX_EDB, "cannot allocate a number for %s", f->name);
    } else {
        DbVal pk[] = {dbv_text(key.data), dbv_int(k)};
        if (db_query_int(c->db,
                         "INSERT INTO sequences(name, value) VALUES ($1, $2) ON CONFLICT(name) DO UPDATE SET value = sequences.value + $2"
                         " RETURNING value",
                         pk, 2, &n, &found) != DB_OK ||
            !found)
            return ctx_fail(c, GX_EDB, "cannot allocate a number for %s", f->name);
    }
    char *mark = strchr(num.data ? num.data : "", '\x01');
    if (mark)
        *mark = 0;
    for (int i = 0; i < k; i++) {
        const char *digits = arena_printf(c->arena, "%0*lld", width, (long long)(n - k + 1 + i));
        out[i] = dbv_text(mark ? arena_printf(c->arena, "%s%s%s", num.data, digits, mark + 1)
                               : arena_printf(c->arena, "%s%s", num.data ? num.data : "", digits));
    }
    return GX_OK;
}

/* Does e have its own SQLite search tables (<table>_fts, <table>_fts2)?
 * Entities of global search are found through its tables instead. */
static bool own_fts(const Ctx *c, const Entity *e)
{
    return e->has_search && db_dialect(c->db) == DB_SQLITE && !meta_search_global(e);
}

/* Write row id's search rows as the row is now (none when it is gone). A
 * fresh row (just inserted: AUTOINCREMENT never hands out an id twice) has
 * no search rows to delete: the two DELETEs were a third of a create's
 * search cost. */
static GxErr fts_write(Ctx *c, const Entity *e, int64_t id, bool remove_only, bool fresh)
{
    DbVal p[] = {dbv_int(id)};
    /* The trigram index (3+ characters) and the per-character one (1–2 CJK characters). */
    static const char *const tables[] = {"fts", "fts2"};
    for (int t = 0; t < 2; t++) {
        const char *fts = arena_printf(c->arena, "%s_%s", e->table, tables[t]);
        if (!fresh && db_exec(c->db, arena_printf(c->arena, "DELETE FROM %s WHERE rowid = $1", fts), p, 1) != DB_OK) /* sql-ok: table names from metadata */
            return ctx_fail(c, GX_EDB, "cannot update the search index");
        if (remove_only)
            continue;
        Buf b;
        buf_init(&b, c->arena);
        buf_printf(&b, "INSERT INTO %s(rowid, body) SELECT id, %s", fts, t ? "gx_cjk_split(" : ""); /* sql-ok: table names from metadata */
        bool first = true;
        for (int i = 0; i < e->nfields; i++) {
            if (!e->fields[i].search)
                continue;
            if (!first)
                buf_raw(&b, " || ' ' || ");
            buf_printf(&b, "coalesce(%s,'')", e->fields[i].name);
            first = false;
        }
        buf_printf(&b, "%s FROM %s WHERE id = $1", t ? ")" : "", e->table); /* sql-ok: table name from metadata */
        if (db_exec(c->db, b.data, p, 1) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot update the search index");
    }
    return GX_OK;
}

/* fts_write just before the group's COMMIT (db_before_commit): a fresh
 * row's rows, or a changed or purged row's rows rewritten. */
static int fts_before_commit(DbConn *w, const Entity *e, int64_t id, bool fresh)
{
    Arena a;
    arena_init(&a);
    Ctx c;
    ctx_init(&c, &a, w);
    GxErr err = fts_write(&c, e, id, false, fresh);
    if (err)
        log_error("search: cannot index %s %lld: %s", e->name, (long long)id, c.err_msg ? c.err_msg : "?");
    ctx_done(&c);
    arena_free(&a);
    return err ? -1 : 0;
}

static int fts_fresh_before_commit(DbConn *w, const void *arg, int64_t id)
{
    return fts_before_commit(w, arg, id, true);
}

static int fts_sync_before_commit(DbConn *w, const void *arg, int64_t id)
{
    return fts_before_commit(w, arg, id, false);
}

/* Keep the text-search index in step with row id. Under group commit the
 * rows are written once for all units of the COMMIT, outside their
 * savepoints (db_before_commit), as global search does: FTS5 flushes a new
 * segment of each table (and does its merge work) at every savepoint's
 * RELEASE, once per unit before — a checkout's number and guest name were
 * two segments per checkout. The queued work reads the row at the COMMIT:
 * a fresh row's rows are inserted; a changed or purged row's are deleted
 * and written again from the row as it is then (none when it is gone).
 * Queued in order, so a row created by one unit and changed by a later one
 * of the same COMMIT ends with the later text. */
static GxErr fts_sync(Ctx *c, const Entity *e, int64_t id, bool remove_only, bool fresh)
{
    if (!own_fts(c, e) || (!remove_only && record_bulk(c, e)))
        return GX_OK;
    if (db_before_commit(c->db, fresh ? fts_fresh_before_commit : fts_sync_before_commit, e, id))
        return GX_OK;
    return fts_write(c, e, id, remove_only, fresh);
}

bool record_bulk(const Ctx *c, const Entity *e)
{
    return c->bulk_entity && !strcmp(c->bulk_entity, e->name);
}

/* " IN ($k, …)" over ids, as parameters of q. */
static void id_list(Sql *q, const int64_t *ids, int n)
{
    sql_raw(q, " IN (");
    for (int i = 0; i < n; i++) {
        if (i)
            sql_raw(q, ", ");
        sql_param(q, dbv_int(ids[i]));
    }
    sql_raw(q, ")");
}

GxErr record_index_rows(Ctx *c, const Entity *e, const int64_t *ids, int n, bool fresh)
{
    if (!own_fts(c, e) || n <= 0)
        return GX_OK;
    /* One statement per index for the whole batch: FTS5 keeps the new terms
     * in memory until the next savepoint or commit and writes them as one
     * segment, where a statement per record wrote (and merged) one each. */
    static const char *const tables[] = {"fts", "fts2"};
    for (int t = 0; t < 2; t++) {
        const char *fts = arena_printf(c->arena, "%s_%s", e->table, tables[t]);
        Sql q;
        if (!fresh) {
            sql_init(&q, c->arena);
            sql_raw(&q, arena_printf(c->arena, "DELETE FROM %s WHERE rowid", fts)); /* sql-ok: table names from metadata */
            id_list(&q, ids, n);
            if (db_exec(c->db, q.text.data, q.params, q.n) != DB_OK)
                return ctx_fail(c, GX_EDB, "cannot update the search index");
        }
        sql_init(&q, c->arena);
        sql_raw(&q, arena_printf(c->arena, "INSERT INTO %s(rowid, body) SELECT id, %s", fts, t ? "gx_cjk_split(" : "")); /* sql-ok: table names from metadata */
        bool first = true;
        for (int i = 0; i < e->nfields; i++) {
            if (!e->fields[i].search)
                continue;
            if (!first)
                sql_raw(&q, " || ' ' || ");
            sql_raw(&q, arena_printf(c->arena, "coalesce(%s,'')", e->fields[i].name)); /* sql-ok: column from metadata */
            first = false;
        }
        sql_raw(&q, arena_printf(c->arena, "%s FROM %s WHERE id", t ? ")" : "", e->table)); /* sql-ok: table name from metadata */
        id_list(&q, ids, n);
        if (db_exec(c->db, q.text.data, q.params, q.n) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot update the search index");
    }
    return GX_OK;
}

/* Replace the link table rows of every link_multiple field in w->multi. */
static GxErr write_multi(Ctx *c, const Entity *e, int64_t id, json_t *multi)
{
    const char *key;
    json_t *v;
    json_object_foreach(multi, key, v)
    {
        const char *tbl = arena_printf(c->arena, "%s_%s", e->table, key);
        DbVal p[] = {dbv_int(id), dbv_null()};
        if (db_exec(c->db, arena_printf(c->arena, "DELETE FROM %s WHERE record_id = $1", tbl), p, 1) != DB_OK) /* sql-ok: table names from metadata */
            return ctx_fail(c, GX_EDB, "cannot write %s", key);
        size_t i;
        json_t *item;
        const char *ins = arena_printf(c->arena, "INSERT INTO %s(record_id, target_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", tbl); /* sql-ok: table names from metadata */
        json_array_foreach(v, i, item)
        {
            p[1] = dbv_int(json_integer_value(item));
            if (db_exec(c->db, ins, p, 2) != DB_OK)
                return ctx_fail(c, GX_EDB, "cannot write %s", key);
        }
    }
    return GX_OK;
}

/* Field-level diff between two stored records: {field: [old, new]}. */
static json_t *diff_of(const Entity *e, json_t *old, json_t *now)
{
    json_t *d = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(now, k, v)
    {
        if (!strcmp(k, "version") || !strcmp(k, "updated_at") || !strcmp(k, "updated_by") ||
            !strcmp(k, "created_at") || !strcmp(k, "created_by") || !strcmp(k, "id"))
            continue;
        const Field *f = meta_field(e, k);
        if (f && f->write_only)
            continue;
        json_t *o = old ? json_object_get(old, k) : NULL;
        if (same_value(o, v))
            continue;
        json_object_set_new(d, k, json_pack("[OO]", o ? o : json_null(), v));
    }
    return d;
}

/* Revision rows for key fields in a diff. */
static GxErr write_revisions(Ctx *c, const Entity *e, int64_t id, json_t *diff)
{
    const char *k;
    json_t *pair;
    const char *now = record_now(c);
    json_object_foreach(diff, k, pair)
    {
        const Field *f = meta_field(e, k);
        bool key = (f && f->key) || !strcmp(k, "owner_id") || !strcmp(k, "deleted_at");
        if (!key) {
            /* parent halves count when the parent is a key field */
            const char *us = strrchr(k, '_');
            if (us) {
                const Field *pf = meta_field(e, arena_strndup(c->arena, k, (size_t)(us - k)));
                key = pf && pf->type == FT_PARENT && pf->key;
            }
        }
        if (!key)
            continue;
        GxErr rc = record_revision(c, e->name, id, k, json_array_get(pair, 0), json_array_get(pair, 1), now);
        if (rc)
            return rc;
    }
    return GX_OK;
}

/* Turn a constraint failure into a conflict naming the unique field. */
static GxErr constraint_error(Ctx *c, const Entity *e)
{
    const char *msg = db_errmsg(c->db);
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (!f->unique)
            continue;
        char pat[160];
        snprintf(pat, sizeof pat, "%s.%s", e->table, f->name);
        char pat2[160];
        snprintf(pat2, sizeof pat2, "%s_%s_key", e->table, f->name);
        if (strstr(msg, pat) || strstr(msg, pat2)) {
            ctx_fail(c, GX_ECONFLICT, "A %s record with this %s already exists", e->name, f->name);
            if (!c->err_fields)
                c->err_fields = json_object();
            json_object_set_new(c->err_fields, f->name, json_string("already exists"));
            return GX_ECONFLICT;
        }
    }
    return ctx_fail(c, GX_ECONFLICT, "The change conflicts with other records (%s)", msg);
}

static GxErr fail_tx(Ctx *c, GxErr rc)
{
    db_rollback(c->db);
    return rc;
}

/* Apply defaults for fields not given on create. */
static void apply_defaults(Ctx *c, const Entity *e, json_t *in, WriteSet *w)
{
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (!f->dflt || json_object_get(in, f->name) || f->write_only)
            continue;
        DbVal v;
        if (meta_coerce(c, f, f->dflt, &v))
            ws_add(c, w, f->name, v);
    }
}

GxErr record_create(Ctx *c, const Entity *e, json_t *in, json_t **out)
{
    *out = NULL;
    if (acl_scope(c, e, ACT_CREATE) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not create %s", e->name);
    if (!json_is_object(in))
        return ctx_fail(c, GX_EBADREQ, "The body must be a JSON object");
    HookArgs ha = {.e = e, .input = in};
    GxErr rc = record_hooks_run(c, HOOK_BEFORE_CREATE, &ha);
    if (rc)
        return rc;
    WriteSet w = {0};
    rc = validate(c, e, in, NULL, &w);
    if (rc) {
        json_decref(w.multi);
        return rc;
    }
    apply_defaults(c, e, in, &w);
    /* Owner: the creator unless given. */
    if (e->owned && !json_object_get(in, "owner_id") && c->who) {
        DbVal dept;
        if (!owner_department(c, c->who->user_id, &dept))
            dept = dbv_null();
        ws_add(c, &w, "owner_id", dbv_int(c->who->user_id));
        ws_add(c, &w, "department_id", dept);
    }
    const char *now = record_now(c);
    DbVal who = c->who ? dbv_int(c->who->user_id) : dbv_null();
    if (db_begin(c->db) != DB_OK) {
        json_decref(w.multi);
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    }
    for (int i = 0; i < e->nfields; i++) {
        if (e->fields[i].type != FT_AUTO_NUMBER)
            continue;
        DbVal num;
        if ((rc = auto_numbers(c, e, &e->fields[i], 1, &num))) {
            json_decref(w.multi);
            return fail_tx(c, rc);
        }
        ws_add(c, &w, e->fields[i].name, num);
    }
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, arena_printf(c->arena, "INSERT INTO %s(created_at, created_by, updated_at, updated_by, version", e->table)); /* sql-ok: table names from metadata */
    for (int i = 0; i < w.n; i++)
        sql_raw(&q, arena_printf(c->arena, ", %s", w.a[i].col));
    sql_raw(&q, ") VALUES (");
    sql_param(&q, dbv_text(now));
    sql_raw(&q, ", ");
    sql_param(&q, who);
    sql_raw(&q, ", ");
    sql_param(&q, dbv_text(now));
    sql_raw(&q, ", ");
    sql_param(&q, who);
    sql_raw(&q, ", 1");
    for (int i = 0; i < w.n; i++) {
        sql_raw(&q, ", ");
        sql_param(&q, w.a[i].val);
    }
    sql_raw(&q, ") RETURNING id");
    int64_t id = 0;
    bool found = false;
    int dbrc = db_query_int(c->db, q.text.data, q.params, q.n, &id, &found);
    if (dbrc != DB_OK || !found) {
        json_decref(w.multi);
        rc = dbrc == DB_CONSTRAINT ? constraint_error(c, e) : ctx_fail(c, GX_EDB, "cannot store the %s record", e->name);
        return fail_tx(c, rc);
    }
    json_t *rec = NULL;
    if ((rc = write_multi(c, e, id, w.multi)) || (rc = fts_sync(c, e, id, false, true)) ||
        (rc = fetch(c, e, id, false, -1, &rec))) {
        json_decref(w.multi);
        return fail_tx(c, rc);
    }
    json_decref(w.multi);
    json_t *diff = diff_of(e, NULL, rec);
    ha.id = id;
    ha.result = rec;
    if ((e->audited && (rc = audit_write(c, "create", e->name, id, diff))) ||
        (e->acl_source && (rc = acl_changed(c))) || (rc = record_hooks_run(c, HOOK_AFTER_CREATE, &ha))) {
        json_decref(diff);
        json_decref(rec);
        return fail_tx(c, rc);
    }
    json_decref(diff);
    if (db_commit(c->db) != DB_OK) {
        json_decref(rec);
        return ctx_fail(c, GX_EDB, "cannot commit");
    }
    present(c, e, rec);
    computed_values(c, e, id, rec);
    *out = rec;
    return GX_OK;
}

/* ---------- many creates at once (imports) ---------- */

/* A row of record_create_many that passed validation. */
typedef struct Prep {
    int i;       /* index into ins/outs */
    WriteSet w;  /* its columns */
    int64_t id;  /* once inserted */
    json_t *rec; /* the stored record, once read back */
} Prep;

/* Row i failed: hand c's failure to the caller's callback, which clears c. */
static void many_fail(Ctx *c, RecordRowFail fail, void *ud, int i)
{
    fail(ud, i, c);
    ctx_clear(c);
}

/* The batch's writes, inside the savepoint gx_many: numbers, rows, link
 * tables, the records read back in one query, audit rows, after-hooks. A
 * failure of any row leaves c's error set (the caller undoes the batch). */
static GxErr many_write(Ctx *c, const Entity *e, json_t **ins, Prep *p, int np)
{
    GxErr rc;
    for (int f = 0; f < e->nfields; f++) {
        if (e->fields[f].type != FT_AUTO_NUMBER)
            continue;
        DbVal *nums = arena_alloc(c->arena, sizeof(DbVal) * (size_t)np);
        if ((rc = auto_numbers(c, e, &e->fields[f], np, nums)))
            return rc;
        for (int k = 0; k < np; k++)
            ws_add(c, &p[k].w, e->fields[f].name, nums[k]);
    }
    const char *now = record_now(c);
    DbVal who = c->who ? dbv_int(c->who->user_id) : dbv_null();
    /* The INSERT's text is the same for rows with the same columns (the
     * prepared statement is then reused): built once per column set. */
    const char *text = NULL;
    const WriteSet *shape = NULL;
    int64_t probe;
    bool rowid = db_last_insert_id(c->db, &probe);
    DbVal *params = NULL;
    int pcap = 0;
    for (int k = 0; k < np; k++) {
        const WriteSet *w = &p[k].w;
        bool same = shape && shape->n == w->n;
        for (int j = 0; same && j < w->n; j++)
            same = shape->a[j].col == w->a[j].col || !strcmp(shape->a[j].col, w->a[j].col);
        if (!same) {
            Buf b;
            buf_init(&b, c->arena);
            buf_printf(&b, "INSERT INTO %s(created_at, created_by, updated_at, updated_by, version", e->table); /* sql-ok: table and columns from metadata */
            for (int j = 0; j < w->n; j++)
                buf_printf(&b, ", %s", w->a[j].col);
            buf_raw(&b, ") VALUES ($1, $2, $3, $4, 1");
            for (int j = 0; j < w->n; j++)
                buf_printf(&b, ", $%d", j + 5);
            /* SQLite: the rowid afterwards, not RETURNING (a statement
             * journal per row: db_last_insert_id). */
            if (!rowid)
                buf_raw(&b, ") RETURNING id");
            else
                buf_raw(&b, ")");
            text = b.data;
            shape = w;
        }
        if (pcap < w->n + 4) {
            pcap = w->n + 4;
            params = arena_alloc(c->arena, sizeof(DbVal) * (size_t)pcap);
        }
        params[0] = dbv_text(now);
        params[1] = who;
        params[2] = dbv_text(now);
        params[3] = who;
        for (int j = 0; j < w->n; j++)
            params[j + 4] = w->a[j].val;
        bool found = false;
        int dbrc = rowid ? db_exec(c->db, text, params, w->n + 4)
                         : db_query_int(c->db, text, params, w->n + 4, &p[k].id, &found);
        if (rowid && dbrc == DB_OK)
            found = db_changes(c->db) == 1 && db_last_insert_id(c->db, &p[k].id);
        if (dbrc != DB_OK || !found)
            return dbrc == DB_CONSTRAINT ? constraint_error(c, e) : ctx_fail(c, GX_EDB, "cannot store the %s record", e->name);
        if ((rc = write_multi(c, e, p[k].id, w->multi)) || (rc = fts_sync(c, e, p[k].id, false, true)))
            return rc;
    }
    /* The records as stored, in one query. */
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT ");
    select_list(c, e, NULL, &q);
    sql_raw(&q, arena_printf(c->arena, " FROM %s WHERE id", e->table)); /* sql-ok: table name from metadata */
    int64_t *ids = arena_alloc(c->arena, sizeof(int64_t) * (size_t)np);
    for (int k = 0; k < np; k++)
        ids[k] = p[k].id;
    id_list(&q, ids, np);
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read %s", e->name);
    json_t *all = json_array();
    int s, k = 0;
    while ((s = db_next(r)) == 1) {
        json_t *rec = row_to_json(e, r);
        int64_t id = json_integer_value(json_object_get(rec, "id"));
        /* ids ascend with k (AUTOINCREMENT / identity), rows come in any order */
        int at = k < np && p[k].id == id ? k : -1;
        for (int j = 0; at < 0 && j < np; j++)
            if (p[j].id == id)
                at = j;
        k = at + 1;
        if (at < 0 || p[at].rec) {
            json_decref(rec);
            continue;
        }
        p[at].rec = rec;
        json_array_append(all, rec);
    }
    db_done(r);
    rc = s < 0 ? ctx_fail(c, GX_EDB, "cannot read %s", e->name) : load_link_multiple(c, e, all);
    json_decref(all);
    if (rc)
        return rc;
    for (k = 0; k < np; k++)
        if (!p[k].rec)
            return ctx_fail(c, GX_EDB, "cannot read %s", e->name);
    if (e->audited) {
        json_t **diffs = arena_alloc(c->arena, sizeof(json_t *) * (size_t)np);
        for (k = 0; k < np; k++)
            diffs[k] = diff_of(e, NULL, p[k].rec);
        rc = audit_write_many(c, "create", e->name, ids, diffs, np);
        for (k = 0; k < np; k++)
            json_decref(diffs[k]);
        if (rc)
            return rc;
    }
    if (e->acl_source && (rc = acl_changed(c)))
        return rc;
    for (k = 0; k < np; k++) {
        HookArgs ha = {.e = e, .id = p[k].id, .input = ins[p[k].i], .result = p[k].rec};
        if ((rc = record_hooks_run(c, HOOK_AFTER_CREATE, &ha)))
            return rc;
    }
    return GX_OK;
}

GxErr record_create_many(Ctx *c, const Entity *e, json_t **ins, int n, json_t **outs, RecordRowFail fail, void *ud,
                         bool undo)
{
    for (int i = 0; i < n; i++)
        outs[i] = NULL;
    if (n <= 0)
        return GX_OK;
    if (acl_scope(c, e, ACT_CREATE) == SCOPE_NONE) {
        for (int i = 0; i < n; i++) {
            if (!ins[i])
                continue;
            ctx_fail(c, GX_EDENIED, "You may not create %s", e->name);
            many_fail(c, fail, ud, i);
        }
        return GX_OK;
    }
    /* Each row as record_create checks it, nothing written yet. */
    Prep *p = arena_calloc(c->arena, (size_t)n, sizeof *p);
    int np = 0;
    DbVal mydept = dbv_null();
    bool have_dept = false;
    for (int i = 0; i < n; i++) {
        json_t *in = ins[i];
        if (!in)
            continue;
        if (!json_is_object(in)) {
            ctx_fail(c, GX_EBADREQ, "The body must be a JSON object");
            many_fail(c, fail, ud, i);
            continue;
        }
        HookArgs ha = {.e = e, .input = in};
        Prep *x = &p[np];
        x->i = i;
        if (record_hooks_run(c, HOOK_BEFORE_CREATE, &ha) || validate(c, e, in, NULL, &x->w)) {
            json_decref(x->w.multi);
            x->w = (WriteSet){0};
            if (c->err == GX_EDB) {
                for (int k = 0; k < np; k++)
                    json_decref(p[k].w.multi);
                return c->err;
            }
            many_fail(c, fail, ud, i);
            continue;
        }
        apply_defaults(c, e, in, &x->w);
        if (e->owned && !json_object_get(in, "owner_id") && c->who) {
            if (!have_dept && !owner_department(c, c->who->user_id, &mydept))
                mydept = dbv_null();
            have_dept = true;
            ws_add(c, &x->w, "owner_id", dbv_int(c->who->user_id));
            ws_add(c, &x->w, "department_id", mydept);
        }
        np++;
    }
    if (!np)
        return GX_OK;
    /* The batch in a savepoint of its own (undo): a row failing while
     * written (a constraint, an after-hook's check) undoes the batch, which
     * is then written row by row with record_create, so that only that row
     * fails — the same records, errors and audit rows as single creates.
     * Without undo, inside the caller's transaction, the failure is the
     * caller's (GX_ECONFLICT "batch_failed"; the batch's writes stay until
     * it rolls back). */
    bool own = !db_in_tx(c->db);
    bool sp = undo && !own;
    if ((own ? db_begin(c->db) : sp ? db_exec(c->db, "SAVEPOINT gx_many", NULL, 0) : DB_OK) != DB_OK) {
        for (int k = 0; k < np; k++)
            json_decref(p[k].w.multi);
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    }
    GxErr rc = many_write(c, e, ins, p, np);
    for (int k = 0; k < np; k++)
        json_decref(p[k].w.multi);
    if (!rc && (own ? db_commit(c->db) : sp ? db_exec(c->db, "RELEASE SAVEPOINT gx_many", NULL, 0) : DB_OK) != DB_OK)
        rc = ctx_fail(c, GX_EDB, "cannot commit");
    if (!rc) {
        for (int k = 0; k < np; k++) {
            present(c, e, p[k].rec);
            outs[p[k].i] = p[k].rec;
        }
        return GX_OK;
    }
    for (int k = 0; k < np; k++)
        json_decref(p[k].rec);
    if (!own && !sp) {
        if (c->err == GX_EDB)
            return c->err;
        ctx_clear(c);
        ctx_fail(c, GX_ECONFLICT, "a row of the batch failed while written");
        c->err_code = "batch_failed";
        return GX_ECONFLICT;
    }
    if (own) {
        db_rollback(c->db);
    } else if (db_exec(c->db, "ROLLBACK TO SAVEPOINT gx_many", NULL, 0) != DB_OK ||
               db_exec(c->db, "RELEASE SAVEPOINT gx_many", NULL, 0) != DB_OK) {
        return ctx_fail(c, GX_EDB, "cannot undo a batch of %s", e->name);
    }
    ctx_clear(c);
    for (int k = 0; k < np; k++) {
        int i = p[k].i;
        if (record_create(c, e, ins[i], &outs[i]) == GX_OK)
            continue;
        if (c->err == GX_EDB)
            return c->err;
        many_fail(c, fail, ud, i);
    }
    return GX_OK;
}

GxErr record_update(Ctx *c, const Entity *e, int64_t id, json_t *in, json_t **out)
{
    *out = NULL;
    if (acl_scope(c, e, ACT_EDIT) == SCOPE_NONE && acl_scope(c, e, ACT_READ) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not change %s", e->name);
    if (!json_is_object(in))
        return ctx_fail(c, GX_EBADREQ, "The body must be a JSON object");
    json_t *old;
    GxErr rc = fetch(c, e, id, false, ACT_READ, &old);
    if (rc)
        return rc;
    if (!acl_row_in_scope(c, e, ACT_EDIT, json_integer_value(json_object_get(old, "owner_id")),
                          json_integer_value(json_object_get(old, "department_id")))) {
        json_decref(old);
        return ctx_fail(c, GX_EDENIED, "You may not change this %s record", e->name);
    }
    json_t *ver = json_object_get(in, "version");
    if (!json_is_integer(ver)) {
        json_decref(old);
        ctx_field(c, "version", "is required: send the version you read, to detect concurrent changes");
        return c->err;
    }
    int64_t version = json_integer_value(ver);
    int64_t current = json_integer_value(json_object_get(old, "version"));
    if (version != current) {
        json_decref(old);
        return ctx_fail(c, GX_ECONFLICT, "Someone else changed this record (version %lld is now %lld); reload and try again",
                        (long long)version, (long long)current);
    }
    HookArgs ha = {.e = e, .id = id, .old = old, .input = in};
    if ((rc = record_hooks_run(c, HOOK_BEFORE_UPDATE, &ha))) {
        json_decref(old);
        return rc;
    }
    WriteSet w = {0};
    rc = validate(c, e, in, old, &w);
    if (rc) {
        json_decref(w.multi);
        json_decref(old);
        return rc;
    }
    const char *now = record_now(c);
    if (db_begin(c->db) != DB_OK) {
        json_decref(w.multi);
        json_decref(old);
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    }
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, arena_printf(c->arena, "UPDATE %s SET version = version + 1, updated_at = ", e->table)); /* sql-ok: table names from metadata */
    sql_param(&q, dbv_text(now));
    sql_raw(&q, ", updated_by = ");
    sql_param(&q, c->who ? dbv_int(c->who->user_id) : dbv_null());
    for (int i = 0; i < w.n; i++) {
        sql_raw(&q, arena_printf(c->arena, ", %s = ", w.a[i].col));
        sql_param(&q, w.a[i].val);
    }
    sql_raw(&q, " WHERE id = ");
    sql_param(&q, dbv_int(id));
    sql_raw(&q, " AND version = ");
    sql_param(&q, dbv_int(version));
    sql_raw(&q, " AND deleted_at IS NULL");
    int dbrc = db_exec(c->db, q.text.data, q.params, q.n);
    if (dbrc != DB_OK) {
        json_decref(w.multi);
        json_decref(old);
        rc = dbrc == DB_CONSTRAINT ? constraint_error(c, e) : ctx_fail(c, GX_EDB, "cannot store the %s record", e->name);
        return fail_tx(c, rc);
    }
    if (db_changes(c->db) != 1) {
        json_decref(w.multi);
        json_decref(old);
        return fail_tx(c, ctx_fail(c, GX_ECONFLICT, "Someone else changed this record; reload and try again"));
    }
    json_t *rec = NULL;
    if ((rc = write_multi(c, e, id, w.multi)) || (rc = fts_sync(c, e, id, false, false)) ||
        (rc = fetch(c, e, id, false, -1, &rec))) {
        json_decref(w.multi);
        json_decref(old);
        return fail_tx(c, rc);
    }
    json_decref(w.multi);
    json_t *diff = diff_of(e, old, rec);
    ha.result = rec;
    if ((e->audited && json_object_size(diff) && (rc = audit_write(c, "update", e->name, id, diff))) ||
        (rc = write_revisions(c, e, id, diff)) || (e->acl_source && (rc = acl_changed(c))) ||
        (rc = record_hooks_run(c, HOOK_AFTER_UPDATE, &ha))) {
        json_decref(diff);
        json_decref(rec);
        json_decref(old);
        return fail_tx(c, rc);
    }
    json_decref(diff);
    json_decref(old);
    if (db_commit(c->db) != DB_OK) {
        json_decref(rec);
        return ctx_fail(c, GX_EDB, "cannot commit");
    }
    present(c, e, rec);
    computed_values(c, e, id, rec);
    *out = rec;
    return GX_OK;
}

/* Shared by delete and restore: flip deleted_at. */
static GxErr set_deleted(Ctx *c, const Entity *e, int64_t id, bool del, json_t **out)
{
    json_t *old;
    GxErr rc = fetch(c, e, id, !del, ACT_READ, &old);
    if (rc)
        return rc;
    if (!acl_row_in_scope(c, e, ACT_DELETE, json_integer_value(json_object_get(old, "owner_id")),
                          json_integer_value(json_object_get(old, "department_id")))) {
        json_decref(old);
        return ctx_fail(c, GX_EDENIED, "You may not %s this %s record", del ? "delete" : "restore", e->name);
    }
    HookArgs ha = {.e = e, .id = id, .old = old};
    if ((rc = record_hooks_run(c, del ? HOOK_BEFORE_DELETE : HOOK_BEFORE_RESTORE, &ha))) {
        json_decref(old);
        return rc;
    }
    if (db_begin(c->db) != DB_OK) {
        json_decref(old);
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    }
    const char *now = record_now(c);
    DbVal p[] = {del ? dbv_text(now) : dbv_null(), dbv_text(now), c->who ? dbv_int(c->who->user_id) : dbv_null(),
                 dbv_int(id)};
    const char *sql = arena_printf(c->arena,
                                   "UPDATE %s SET deleted_at = $1, updated_at = $2, updated_by = $3, version = version + 1"
                                   " WHERE id = $4 AND deleted_at IS %s",
                                   e->table, del ? "NULL" : "NOT NULL");
    if (db_exec(c->db, sql, p, 4) != DB_OK || db_changes(c->db) != 1) {
        json_decref(old);
        return fail_tx(c, ctx_fail(c, GX_ECONFLICT, "The record changed meanwhile; reload and try again"));
    }
    json_t *pair = json_array();
    json_array_append_new(pair, del ? json_null() : json_incref(json_object_get(old, "deleted_at")));
    json_array_append_new(pair, del ? json_string(now) : json_null());
    json_t *diff = json_object();
    json_object_set_new(diff, "deleted_at", pair);
    if ((e->audited && (rc = audit_write(c, del ? "delete" : "restore", e->name, id, diff))) ||
        (rc = write_revisions(c, e, id, diff)) || (e->acl_source && (rc = acl_changed(c))) ||
        (rc = record_hooks_run(c, del ? HOOK_AFTER_DELETE : HOOK_AFTER_RESTORE, &ha))) {
        json_decref(diff);
        json_decref(old);
        return fail_tx(c, rc);
    }
    json_decref(diff);
    json_decref(old);
    if (db_commit(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot commit");
    if (out) {
        rc = fetch(c, e, id, false, -1, out);
        if (rc == GX_OK) {
            present(c, e, *out);
            computed_values(c, e, id, *out);
        }
        return rc;
    }
    return GX_OK;
}

GxErr record_delete(Ctx *c, const Entity *e, int64_t id)
{
    if (acl_scope(c, e, ACT_DELETE) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not delete %s", e->name);
    return set_deleted(c, e, id, true, NULL);
}

GxErr record_restore(Ctx *c, const Entity *e, int64_t id, json_t **out)
{
    *out = NULL;
    if (acl_scope(c, e, ACT_DELETE) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not restore %s", e->name);
    return set_deleted(c, e, id, false, out);
}

/* After a purge's DELETE failed on a foreign key: which live or deleted
 * records of another kind still refer to record id of e ("Deliveries"), in
 * the context's language; NULL when none is found. */
static const char *purge_blocker(Ctx *c, const Entity *e, int64_t id)
{
    int n;
    const Entity *const *all = meta_entities(&n);
    DbVal p[] = {dbv_int(id)};
    for (int i = 0; i < n; i++)
        for (int j = 0; j < all[i]->nfields; j++) {
            const Field *f = &all[i]->fields[j];
            if (f->type != FT_LINK || !f->target || strcmp(f->target, e->name))
                continue;
            bool found = false;
            int64_t one = 0;
            const char *sql = arena_printf(c->arena, "SELECT 1 FROM %s WHERE %s = $1 LIMIT 1", all[i]->table, f->name); /* sql-ok: table and column names from metadata */
            if (db_query_int(c->db, sql, p, 1, &one, &found) == DB_OK && found)
                return meta_label(&all[i]->label, c->lang);
        }
    return NULL;
}

GxErr record_purge(Ctx *c, const Entity *e, int64_t id)
{
    if (!acl_is_admin(c))
        return ctx_fail(c, GX_EDENIED, "Only administrators may purge records");
    json_t *old;
    GxErr rc = fetch(c, e, id, true, -1, &old);
    if (rc)
        return rc;
    if (db_begin(c->db) != DB_OK) {
        json_decref(old);
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    }
    json_t *diff = diff_of(e, NULL, old);
    HookArgs ha = {.e = e, .id = id, .old = old, .input = diff};
    DbVal p[] = {dbv_int(id)};
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].type == FT_LINK_MULTIPLE &&
            db_exec(c->db, arena_printf(c->arena, "DELETE FROM %s_%s WHERE record_id = $1", e->table, e->fields[i].name), p, 1) != DB_OK) { /* sql-ok: table names from metadata */
            json_decref(diff);
            json_decref(old);
            return fail_tx(c, ctx_fail(c, GX_EDB, "cannot purge"));
        }
    /* what the record owns (a document's lines) goes before it */
    if ((rc = record_hooks_run(c, HOOK_BEFORE_PURGE, &ha))) {
        json_decref(diff);
        json_decref(old);
        return fail_tx(c, rc);
    }
    /* the DELETE in a savepoint of its own: on a foreign key's refusal the
     * transaction stays usable (PostgreSQL aborts it otherwise) to find
     * what still refers to the record, the hooks' deletions included */
    int dbrc = db_begin(c->db);
    if (dbrc == DB_OK) {
        dbrc = db_exec(c->db, arena_printf(c->arena, "DELETE FROM %s WHERE id = $1 AND deleted_at IS NOT NULL", e->table), p, 1); /* sql-ok: table names from metadata */
        if (dbrc == DB_OK)
            dbrc = db_commit(c->db);
        else
            db_rollback(c->db);
    }
    if (dbrc != DB_OK) {
        json_decref(diff);
        json_decref(old);
        if (dbrc != DB_CONSTRAINT)
            return fail_tx(c, ctx_fail(c, GX_EDB, "cannot purge"));
        const char *who = purge_blocker(c, e, id);
        if (who)
            return fail_tx(c, ctx_fail(c, GX_ECONFLICT, "Other records still refer to this one (%s); purge them first", who));
        return fail_tx(c, ctx_fail(c, GX_ECONFLICT, "Other records still refer to this one; it cannot be purged"));
    }
    if ((rc = fts_sync(c, e, id, true, false)) || (rc = audit_write(c, "purge", e->name, id, diff)) ||
        (e->acl_source && (rc = acl_changed(c))) || (rc = record_hooks_run(c, HOOK_AFTER_PURGE, &ha))) {
        json_decref(diff);
        json_decref(old);
        return fail_tx(c, rc);
    }
    json_decref(diff);
    json_decref(old);
    if (db_commit(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot commit");
    return GX_OK;
}

/* ---------- reading lists ---------- */

static GxErr where_clause(Ctx *c, const Entity *e, const ListQuery *lq, SearchMode search, Sql *q)
{
    sql_raw(q, arena_printf(c->arena, " FROM %s WHERE deleted_at IS %s", e->table, lq->trash ? "NOT NULL" : "NULL")); /* sql-ok: table names from metadata */
    acl_scope_predicate(c, e, lq->action, q);
    GxErr rc = record_filter_compile(c, e, lq->where, q);
    if (rc)
        return rc;
    return record_search_compile_mode(c, e, lq->q, search, 0, q, NULL);
}

static int64_t isqrt(int64_t n)
{
    if (n < 2)
        return n;
    int64_t x = n, y = (x + 1) / 2;
    while (y < x) {
        x = y;
        y = (x + n / x) / 2;
    }
    return x;
}

/* How a page of a list is read. */
typedef struct ListPlan {
    bool walked;     /* a text search tests rows on the way (SEARCH_PROBE) */
    bool counted;    /* total (and capped) known already: the id pass counted */
    int64_t total;
    bool capped;
    /* The page query's rows come in no particular order (no ORDER BY: a
     * sort of whole rows cost more than reading them); the page is these
     * ids in this order (rows deleted meanwhile are left out). */
    const int64_t *order;
    int64_t norder;
    /* A narrow page (Wanted.narrow) from list_merge: the rows' revisions,
     * parallel to order, and no query to read (its DbRes is NULL). */
    const int64_t *revs;
} ListPlan;

typedef enum { PLAN_INDEX, PLAN_WALK, PLAN_IDS, PLAN_SET } SearchPlan;

/* PLAN_SET reads at most this many matches' ids (beyond: PLAN_WALK);
 * record_search_set_max changes it (tests: 0 walks as before). */
static int64_t set_max = 50000;
void record_search_set_max(int64_t max) { set_max = max; }
static int64_t sample_size = 512;
void record_search_set_sample(int64_t sample) { sample_size = sample; }
/* The first read of a search's matches (search_plan); 0: none, the sample
 * first (tests). */
static int64_t first_read = 1024;
void record_search_set_first_read(int64_t n) { first_read = n; }
static _Atomic int64_t ids_read;
int64_t record_search_ids_read(void) { return ids_read; }

/* Append to *v (*got, room *room) the ids of base (a SEARCH_IDS statement)
 * up to limit rows, only those below `below` if it is > 0 (each FTS5 MATCH
 * takes the bound: it reads its doclists from there); desc: newest first —
 * each FTS5 MATCH of the UNION ALL gives its rowids descending and SQLite
 * merges the arms without sorting,
 * but the wrapping subquery and FTS5's backward reading of a doclist cost
 * ~200 instructions more per id, so only a sample is read so. 0, or -1 on
 * error. */
static int read_ids(Ctx *c, const Sql *base, bool desc, int64_t below, int64_t limit, int64_t **v, int64_t *got,
                    int64_t *room)
{
    Sql q;
    sql_init(&q, c->arena);
    bool wrapped = desc || below > 0;
    if (wrapped)
        sql_raw(&q, "SELECT rowid FROM (");
    sql_raw(&q, base->text.data);
    for (int i = 0; i < base->n; i++)
        sql_bind(&q, base->params[i]);
    if (wrapped)
        sql_raw(&q, ")");
    if (below > 0) {
        sql_raw(&q, " WHERE rowid < ");
        sql_param(&q, dbv_int(below));
    }
    sql_raw(&q, desc ? " ORDER BY 1 DESC LIMIT " : " LIMIT ");
    sql_param(&q, dbv_int(limit));
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return -1;
    int64_t n = *got, first = *got;
    int s;
    while ((s = db_next(r)) == 1) {
        if (n == *room) {
            *v = arena_grow(c->arena, *v, (size_t)*room * sizeof **v, (size_t)n * sizeof **v,
                            (size_t)*room * 2 * sizeof **v);
            *room *= 2;
        }
        (*v)[n++] = db_int(r, 0);
    }
    db_done(r);
    ids_read += n - first;
    *got = n;
    return s < 0 ? -1 : 0;
}

/* How should a page of a text search be read?
 * PLAN_WALK: walk the list's sort index newest first and test each row
 * (SEARCH_PROBE) instead of reading every match of the search index and
 * sorting them. Reading matches costs a row lookup each; the walk costs
 * about one test per row of the table it passes, rows / density of the
 * matches. With N rows and M matches the two cost the same at
 * M = sqrt(rows * N): the search index's matches are read up to that many
 * (an FTS5 doclist read, no row lookups), and the walk is taken when they
 * reach it.
 * PLAN_IDS: fewer matches — their ids, read once here (*ids, *n), give the
 * page and the count (list_ids): the phrase is evaluated once, where the
 * page and its count evaluated it again each.
 * PLAN_SET: as many as the walk's threshold up to set_max: their ids, read
 * here (up to set_max), are a set the walk tests each row against (list_set) instead of
 * evaluating the phrase on the row's search rows — a random row of the
 * search tables' content each, mostly uncached at 1M rows (0.5 s for a
 * page of a phone fragment, bench/README.md stop 14). More than set_max
 * matches are dense: PLAN_WALK passes few rows per match.
 * Only for the default order (-updated_at), which the (updated_at, id) and
 * scope indexes serve without sorting; other sorts and the trash read the
 * matches as before (PLAN_INDEX), as does text the indexes do not answer. */
static SearchPlan search_plan(Ctx *c, const Entity *e, const ListQuery *lq, int64_t rows, int64_t **ids, int64_t *n)
{
    *ids = NULL;
    *n = 0;
    if (!lq->q || !*lq->q || lq->trash || db_dialect(c->db) != DB_SQLITE || !e->has_search)
        return PLAN_INDEX;
    if (lq->sort && *lq->sort && strcmp(lq->sort, "-updated_at"))
        return PLAN_INDEX;
    int64_t last = 0;
    bool found = false, indexed = false;
    if (db_query_int(c->db, arena_printf(c->arena, "SELECT max(id) FROM %s", e->table), NULL, 0, &last, &found) != /* sql-ok: table name from metadata */
            DB_OK ||
        !found || last <= 0)
        return PLAN_INDEX;
    int64_t cap = isqrt(rows * last) + 1;
    int64_t max = cap > set_max ? cap : set_max; /* ids read: up to cap (PLAN_IDS) or set_max (PLAN_SET) */
    Sql q;
    sql_init(&q, c->arena);
    if (record_search_compile_mode(c, e, lq->q, SEARCH_IDS, 0, &q, &indexed) || !indexed)
        return PLAN_INDEX;
    /* The newest matches first, a sample of them: if it is all there is,
     * those are the ids; if its density over the ids it spans says there
     * are more than max / 2, the list walks without reading them (the walk
     * starts at the newest rows, where the sample measured; at 1M a page of
     * 50 costs the same either way at ~30,000 matches: reading an id ~800
     * instructions, a walk's test of a row ~15,000); else every match is
     * read as before (the sample's again: cheaper than reading the rest
     * below it through a subquery). callgrind, admin, 1M, bench/README.md
     * stop 16: 科技 (110,000 matches) 66.9 -> 27.6 M instructions, 1385
     * (3,400; the newest rows dense) 35.1 -> 10.6 M, sparse words +0.1 M. */
    int64_t room = 256, got = 0;
    int64_t *v = arena_alloc(c->arena, (size_t)room * sizeof *v);
    bool sample = sample_size > 0 && sample_size <= max;
    /* Most searches have fewer matches than first_read: read them at once,
     * ascending (a phone fragment's ~450 matches at 1M: 0.44 ms, the
     * sample read newest first 0.58 ms, more for the trigram table's
     * common digit trigrams; bench/README.md, stop 20); only when there are
     * more does the sample decide (for the dense ones, those ids were read
     * in vain: ~1 M instructions). */
    if (sample && first_read > 0 && first_read <= max) {
        if (read_ids(c, &q, false, 0, first_read, &v, &got, &room))
            return PLAN_INDEX;
        if (got < first_read) {
            *ids = v;
            *n = got;
            return got >= cap ? PLAN_SET : PLAN_IDS;
        }
        got = 0;
    }
    if (read_ids(c, &q, sample, 0, sample ? sample_size : max + 1, &v, &got, &room))
        return PLAN_INDEX;
    if (sample && got == sample_size) {
        /* ids spanned (search rows of ids above max(id), left by records
         * purged meanwhile, would make it < 1) */
        int64_t span = last - v[got - 1] + 1;
        if (got * last / (span > 0 ? span : 1) > max / 2)
            return PLAN_WALK;
        /* the rest: the ids below the sample's (a phone fragment's 2,817
         * at 1M: 1.35 ms for all of them again, 0.64 ms for the 2,305 below;
         * bench/README.md, stop 20) */
        if (read_ids(c, &q, false, v[got - 1], max + 1 - got, &v, &got, &room))
            return PLAN_INDEX;
    }
    if (got > max)
        return PLAN_WALK;
    *ids = v;
    *n = got;
    return got >= cap ? PLAN_SET : PLAN_IDS;
}

/* lq's conditions without its text search: " FROM t WHERE …" (" FROM t
 * INDEXED BY t_<index> WHERE …" with an index). */
static GxErr where_no_search(Ctx *c, const Entity *e, const ListQuery *lq, const char *index, Sql *q)
{
    sql_raw(q, arena_printf(c->arena, " FROM %s%s%s%s WHERE deleted_at IS %s", e->table, index ? " INDEXED BY " : "", /* sql-ok: names from metadata */
                            index ? e->table : "", index ? index : "", lq->trash ? "NOT NULL" : "NULL"));
    acl_scope_predicate(c, e, lq->action, q);
    return record_filter_compile(c, e, lq->where, q);
}

static GxErr page_rows(Ctx *c, const Entity *e, const ListQuery *lq, const Wanted *w, const int64_t *page, int64_t got,
                       DbRes **out);

/* A match and its key in the default order (sortkeys.c). */
typedef struct KeyedId {
    int64_t key, id;
} KeyedId;

static int keyed_newest_first(const void *a, const void *b)
{
    const KeyedId *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? 1 : -1;
    return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/* Is where no condition at all (the API's {"and": []} included)? */
static bool no_filters(json_t *where)
{
    if (!where || json_is_null(where))
        return true;
    json_t *and = json_object_get(where, "and");
    return json_object_size(where) == 1 && json_is_array(and) && json_array_size(and) == 0;
}

/* list_ids without filters: the matches' keys in the default order and
 * whether they are in the user's scope come from memory (sortkeys.c)
 * instead of a <table>_sid_idx seek each (~8,000 instructions a match;
 * 1,000 matches of a phone fragment at 1M: ~2 ms). Sorted here, the page
 * and the count (with list_ids's bound) as list_ids gives them. false: not
 * available. */
static bool list_ids_remembered(Ctx *c, const Entity *e, const ListQuery *lq, const int64_t *ids, int64_t n,
                                bool counting, int64_t limit, ListPlan *plan)
{
    if (!meta_search_global(e) || lq->trash || !no_filters(lq->where))
        return false;
    AclKey scope[64];
    int nscope = 0;
    if (acl_scope(c, e, lq->action) != SCOPE_ALL && (nscope = acl_scope_keys(c, e, lq->action, scope, 64)) <= 0)
        return false; /* more departments than that: the index */
    int64_t *keys = arena_alloc(c->arena, (size_t)(n > 0 ? n : 1) * sizeof *keys);
    if (!sort_keys_lookup(c, e, nscope ? scope : NULL, nscope, ids, n, keys))
        return false;
    KeyedId *v = arena_alloc(c->arena, (size_t)(n > 0 ? n : 1) * sizeof *v);
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++)
        if (keys[i] > 0)
            v[m++] = (KeyedId){keys[i], ids[i]};
    qsort(v, (size_t)m, sizeof *v, keyed_newest_first);
    int64_t *page = arena_alloc(c->arena, (size_t)(limit > 0 ? limit : 1) * sizeof *page);
    int64_t seen = 0, got = 0;
    for (int64_t i = 0; i < m; i++) {
        if (i && v[i].id == v[i - 1].id)
            continue; /* an id matched twice (UNION ALL): same key, adjacent */
        if (seen >= lq->offset && got < limit)
            page[got++] = v[i].id;
        seen++;
    }
    if (counting) {
        int64_t bound = 0;
        if (lq->count_limit > 0)
            bound = lq->offset + limit > lq->count_limit ? lq->offset + limit : lq->count_limit;
        plan->counted = true;
        plan->capped = bound && seen > bound;
        plan->total = plan->capped ? bound : seen;
    }
    plan->order = page;
    plan->norder = got;
    return true;
}

/* Read a list page from the ids of its text search's matches (PLAN_IDS):
 * one pass over them in the list's order (from memory without filters,
 * list_ids_remembered; else a row lookup each for the scope, filters and
 * sort key, no phrase evaluated) gives the page's ids and the count; then
 * the page's `limit` rows by id. The count stops one row past the capped
 * count's bound, as list_total's does. */
static GxErr list_ids(Ctx *c, const Entity *e, const ListQuery *lq, const Wanted *w, const int64_t *ids, int64_t n,
                      bool counting, int64_t limit, ListPlan *plan, DbRes **out)
{
    if (list_ids_remembered(c, e, lq, ids, n, counting, limit, plan))
        return page_rows(c, e, lq, w, plan->order, plan->norder, out);
    Buf list; /* the ids as a JSON array, for json_each */
    buf_init(&list, c->arena);
    buf_putc(&list, '[');
    for (int64_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&list, ',');
        buf_int(&list, ids[i]);
    }
    buf_putc(&list, ']');
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT id");
    /* Global search's entities: the pass reads <table>_sid_idx (migration 8
     * of modules/search.c: id, updated_at, the scope columns and deleted_at
     * of the live rows; cached), not a table row per match (list_ids never
     * lists the trash). */
    GxErr rc = where_no_search(c, e, lq, meta_search_global(e) && !lq->trash ? "_sid_idx" : NULL, &q);
    if (rc)
        return rc;
    sql_raw(&q, " AND id IN (SELECT value FROM json_each(");
    sql_param(&q, dbv_text(list.data));
    sql_raw(&q, "))");
    if ((rc = record_sort_compile(c, e, lq->sort, &q)))
        return rc;
    int64_t bound = 0; /* counting stops past it (0: exact) */
    if (counting && lq->count_limit > 0)
        bound = lq->offset + limit > lq->count_limit ? lq->offset + limit : lq->count_limit;
    if (!counting) {
        sql_raw(&q, " LIMIT ");
        sql_param(&q, dbv_int(lq->offset + limit));
    }
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot list %s", e->name);
    int64_t *page = arena_alloc(c->arena, (size_t)(limit > 0 ? limit : 1) * sizeof *page);
    int64_t seen = 0, got = 0;
    int s;
    while ((s = db_next(r)) == 1) {
        if (seen >= lq->offset && got < limit)
            page[got++] = db_int(r, 0);
        seen++;
        if (bound && seen > bound)
            break;
    }
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot list %s", e->name);
    if (counting) {
        plan->counted = true;
        plan->capped = bound && seen > bound;
        plan->total = plan->capped ? bound : seen;
    }
    plan->order = page;
    plan->norder = got;
    return page_rows(c, e, lq, w, page, got, out);
}

/* Read a list page of a text search with many matches (PLAN_SET): walk
 * the list in its order (its sort and scope indexes: no table row without
 * filters on other columns) and take the rows whose ids are among the
 * matches' (a hash set of ids), up to the page's end; then the page's rows
 * by id. As PLAN_WALK, the total is not counted (list_total). */
static GxErr list_set(Ctx *c, const Entity *e, const ListQuery *lq, const Wanted *w, const int64_t *ids, int64_t n,
                      int64_t limit, ListPlan *plan, DbRes **out)
{
    uint64_t size = 64;
    while (size < (uint64_t)n * 2)
        size *= 2;
    int64_t *set = arena_alloc(c->arena, (size_t)size * sizeof *set); /* 0: empty (ids are > 0) */
    memset(set, 0, (size_t)size * sizeof *set);
    int64_t distinct = 0;
    for (int64_t i = 0; i < n; i++) {
        uint64_t h = (uint64_t)ids[i] * 0x9E3779B97F4A7C15u;
        for (h >>= 20;; h++) {
            int64_t *slot = &set[h & (size - 1)];
            if (!*slot || *slot == ids[i]) {
                distinct += !*slot;
                *slot = ids[i];
                break;
            }
        }
    }
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT id");
    GxErr rc = where_no_search(c, e, lq, NULL, &q);
    if (rc || (rc = record_sort_compile(c, e, lq->sort, &q)))
        return rc;
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot list %s", e->name);
    int64_t *page = arena_alloc(c->arena, (size_t)(limit > 0 ? limit : 1) * sizeof *page);
    int64_t seen = 0, got = 0;
    int st = 0;
    /* (stops too when every match has passed: the rest of the list holds none) */
    while (got < limit && seen < distinct && (st = db_next(r)) == 1) {
        int64_t id = db_int(r, 0);
        bool hit = false;
        for (uint64_t h = ((uint64_t)id * 0x9E3779B97F4A7C15u) >> 20;; h++) {
            int64_t v = set[h & (size - 1)];
            if (!v || v == id) {
                hit = v == id;
                break;
            }
        }
        if (!hit)
            continue;
        if (seen++ >= lq->offset)
            page[got++] = id;
    }
    db_done(r);
    if (got < limit && st < 0)
        return ctx_fail(c, GX_EDB, "cannot list %s", e->name);
    plan->walked = true;
    plan->order = page;
    plan->norder = got;
    return page_rows(c, e, lq, w, page, got, out);
}

/* The rows of a page by their ids (got of them), in no particular order:
 * the caller puts them in the page's (ListPlan.order). Sorting whole rows
 * cost SQLite ~600 k instructions for a page of 51 customers, more than
 * reading them. */
static GxErr page_rows(Ctx *c, const Entity *e, const ListQuery *lq, const Wanted *w, const int64_t *page, int64_t got,
                       DbRes **out)
{
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT ");
    select_list(c, e, w, &q);
    sql_raw(&q, arena_printf(c->arena, " FROM %s WHERE id", e->table)); /* sql-ok: table name from metadata */
    if (got)
        id_list(&q, page, (int)got);
    else
        sql_raw(&q, " IS NULL");
    if (!lq->trash)
        sql_raw(&q, " AND deleted_at IS NULL"); /* a row deleted since its id was picked */
    acl_scope_predicate(c, e, lq->action, &q);
    if (db_query(c->db, q.text.data, q.params, q.n, out) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot list %s", e->name);
    return GX_OK;
}

/* PLAN_MERGE: the default order (-updated_at) of a list without text
 * search whose scope is several departments (a manager's department
 * tree; acl_scope_keys). SQLite reads `department_id IN (…)
 * ORDER BY updated_at DESC` by walking the (updated_at, id, …) index and
 * testing each row's department: cheap while the scope's rows are dense
 * among the newest, but the walk passes every newer row of other
 * departments (54,260 customers imported by the administrator at 1M: a
 * manager's page 3,000 -> 79-212 req/s, p99 8 -> 105-210 ms). Instead
 * each department's rows in the (department_id, updated_at, id) index give
 * its newest offset + rows, and a merge of those sorted runs (in C) gives
 * the page: reads are bounded by the page, not by what lies between the
 * scope's rows (the departments' rows are disjoint). Not for deep pages
 * (offset + rows past MERGE_DEPTH), pool rules (their index is not in
 * updated_at order), other sorts or the trash. On PostgreSQL too (its
 * planner cannot merge an IN list's index ranges either); updated_at is
 * text of one fixed format, so strcmp orders it as both databases do. */
enum { MERGE_KEYS = 32, MERGE_DEPTH = 1000 };

/* Does e have an index on (department_id, updated_at, …)? */
static bool dept_time_index(const Entity *e)
{
    for (int i = 0; i < e->nindexes; i++)
        if (e->indexes[i][0] && !strcmp(e->indexes[i][0], "department_id") && e->indexes[i][1] &&
            !strcmp(e->indexes[i][1], "updated_at"))
            return true;
    return false;
}

/* The departments of a list PLAN_MERGE reads (2..MERGE_KEYS), or 0. */
static int merge_keys(Ctx *c, const Entity *e, const ListQuery *lq, int64_t rows, AclKey *keys)
{
    if ((lq->q && *lq->q) || lq->trash || lq->offset + rows > MERGE_DEPTH)
        return 0;
    if (lq->sort && *lq->sort && strcmp(lq->sort, "-updated_at"))
        return 0;
    int n = acl_scope_keys(c, e, lq->action, keys, MERGE_KEYS);
    if (n < 2 || !dept_time_index(e))
        return 0;
    for (int i = 0; i < n; i++)
        if (keys[i].kind != 'd') /* an owner comes alone; a pool's rows are not in updated_at order */
            return 0;
    return n;
}

/* One key's rows, newest first, during the merge. */
typedef struct MergeRun {
    DbRes *r;
    bool live;      /* id, at hold its current row */
    int64_t id;
    const char *at; /* updated_at (text, compared as SQLite's BINARY collation) */
    int64_t rev;    /* row_rev, for a narrow page */
} MergeRun;

static int merge_step(Ctx *c, MergeRun *m, bool narrow)
{
    int s = db_next(m->r);
    m->live = s == 1;
    if (m->live) {
        const char *at = db_text(m->r, 1);
        m->id = db_int(m->r, 0);
        m->rev = narrow ? db_int(m->r, 2) : 0;
        m->at = arena_strdup(c->arena, at ? at : "");
    }
    return s;
}

static GxErr list_merge(Ctx *c, const Entity *e, const ListQuery *lq, const Wanted *w, const AclKey *keys, int nkeys,
                        int64_t rows, ListPlan *plan, DbRes **out)
{
    MergeRun run[MERGE_KEYS] = {{0}};
    GxErr rc = GX_OK;
    int opened = 0;
    bool narrow = w && w->narrow;
    for (int k = 0; k < nkeys && !rc; k++) {
        Sql q;
        sql_init(&q, c->arena);
        sql_raw(&q, arena_printf(c->arena, "SELECT id, updated_at%s FROM %s WHERE deleted_at IS NULL AND department_id = ", /* sql-ok: table name from metadata */
                                 narrow ? ", row_rev" : "", e->table));
        sql_param(&q, dbv_int(keys[k].id));
        if ((rc = record_filter_compile(c, e, lq->where, &q)))
            break;
        /* LIMIT: PostgreSQL's results arrive whole. The comment gives each
         * run its own statement text, so all stay in the statement cache
         * while the others are open. */
        sql_raw(&q, " ORDER BY updated_at DESC, id DESC LIMIT ");
        sql_param(&q, dbv_int(lq->offset + rows));
        sql_raw(&q, arena_printf(c->arena, " /* run %d */", k)); /* sql-ok: a number */
        if (db_query(c->db, q.text.data, q.params, q.n, &run[k].r) != DB_OK) {
            rc = ctx_fail(c, GX_EDB, "cannot list %s", e->name);
            break;
        }
        opened++;
        if (merge_step(c, &run[k], narrow) < 0)
            rc = ctx_fail(c, GX_EDB, "cannot list %s", e->name);
    }
    int64_t *page = arena_alloc(c->arena, (size_t)(rows > 0 ? rows : 1) * sizeof *page);
    int64_t *revs = arena_alloc(c->arena, (size_t)(rows > 0 ? rows : 1) * sizeof *revs);
    int64_t got = 0, seen = 0;
    while (!rc && got < rows) {
        MergeRun *top = NULL;
        for (int k = 0; k < nkeys; k++) {
            MergeRun *m = &run[k];
            if (!m->live)
                continue;
            int d = top ? strcmp(m->at, top->at) : 1;
            if (!top || d > 0 || (d == 0 && m->id > top->id))
                top = m;
        }
        if (!top)
            break;
        if (seen++ >= lq->offset) {
            revs[got] = top->rev;
            page[got++] = top->id;
        }
        if (merge_step(c, top, narrow) < 0)
            rc = ctx_fail(c, GX_EDB, "cannot list %s", e->name);
    }
    for (int k = 0; k < opened; k++)
        db_done(run[k].r);
    if (rc)
        return rc;
    plan->order = page;
    plan->norder = got;
    if (narrow) {
        /* The runs hold the ids and revisions (from the covering index,
         * ddl.c's scope_list_index), all in scope: nothing more to read. */
        plan->revs = revs;
        *out = NULL;
        return GX_OK;
    }
    return page_rows(c, e, lq, w, page, got, out);
}

/* Start the query of a list's rows: lq's filters, search, scope and sort,
 * `limit` rows from `offset`. */
static GxErr list_query(Ctx *c, const Entity *e, const ListQuery *lq, const Wanted *w, SearchMode search, int64_t limit,
                        int64_t offset, DbRes **r)
{
    if (acl_scope(c, e, lq->action) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not %s %s", lq->action == ACT_EXPORT ? "export" : "read", e->name);
    if (lq->trash && !acl_is_admin(c) && acl_scope(c, e, ACT_DELETE) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not see deleted %s", e->name);
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT ");
    select_list(c, e, w, &q);
    GxErr rc = where_clause(c, e, lq, search, &q);
    if (rc)
        return rc;
    if ((rc = record_sort_compile_ex(c, e, lq->sort, &q, lq->sort_unindexed)))
        return rc;
    sql_raw(&q, " LIMIT ");
    sql_param(&q, dbv_int(limit));
    sql_raw(&q, " OFFSET ");
    sql_param(&q, dbv_int(offset));
    if (db_query(c->db, q.text.data, q.params, q.n, r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot list %s", e->name);
    return GX_OK;
}

/* Check a list request and start its page query (one row more than the page
 * when counting, which tells whether rows follow), planned by search_plan. */
static GxErr list_open(Ctx *c, const Entity *e, const ListQuery *lq, const Wanted *w, bool counting, DbRes **r,
                       ListPlan *plan)
{
    *plan = (ListPlan){0};
    if (lq->limit < 1 || lq->limit > RECORD_LIMIT_MAX)
        return ctx_fail(c, GX_EBADREQ, "limit must be between 1 and %d", RECORD_LIMIT_MAX);
    if (lq->offset < 0)
        return ctx_fail(c, GX_EBADREQ, "offset must not be negative");
    int64_t rows = lq->limit + (counting ? 1 : 0);
    if (acl_scope(c, e, lq->action) == SCOPE_NONE)
        return list_query(c, e, lq, w, SEARCH_INDEX, rows, lq->offset, r); /* refuses */
    AclKey keys[MERGE_KEYS];
    int nkeys = merge_keys(c, e, lq, rows, keys);
    if (nkeys)
        return list_merge(c, e, lq, w, keys, nkeys, rows, plan, r);
    int64_t *ids, n;
    switch (search_plan(c, e, lq, lq->offset + rows, &ids, &n)) {
    case PLAN_WALK:
        plan->walked = true;
        return list_query(c, e, lq, w, SEARCH_PROBE, rows, lq->offset, r);
    case PLAN_IDS: /* (never for the trash) */
        return list_ids(c, e, lq, w, ids, n, counting, rows, plan, r);
    case PLAN_SET:
        return list_set(c, e, lq, w, ids, n, rows, plan, r);
    default:
        return list_query(c, e, lq, w, SEARCH_INDEX, rows, lq->offset, r);
    }
}

bool record_scannable(const Entity *e)
{
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].type == FT_LINK_MULTIPLE)
            return false;
    return true;
}

int record_scan_col(const Entity *e, const Field *f)
{
    if (!strcmp(f->name, "department_id"))
        return 2; /* a declared department_id is the common column */
    int col = NCOMMON;
    for (int i = 0; i < e->nfields; i++) {
        const Field *g = &e->fields[i];
        if (!stored(g))
            continue;
        if (g == f)
            return g->type == FT_PARENT ? -1 : col;
        col += g->type == FT_PARENT ? 2 : 1;
    }
    return -1;
}

GxErr record_scan(Ctx *c, const Entity *e, const ListQuery *lq, int64_t max, RecordScanFn fn, void *ud)
{
    if (!record_scannable(e))
        return ctx_fail(c, GX_EINTERNAL, "%s cannot be scanned (link_multiple fields)", e->name);
    /* SQLite walks an index in the sort's order and tests each row's
     * filters in the table (1M customers: 42 s for the 91,317 of one source)
     * rather than reading a filter's index and sorting. When all the
     * matches are wanted (at most max), reading them by the filter's index
     * and sorting them costs their number, not the table's: count them
     * first (bounded, one index) and keep indexes off the ORDER BY. */
    ListQuery whole = *lq;
    if (db_dialect(c->db) == DB_SQLITE && !lq->sort_unindexed && max > 0) {
        Sql cq;
        sql_init(&cq, c->arena);
        sql_raw(&cq, "SELECT count(*) FROM (SELECT 1");
        GxErr rc = where_clause(c, e, lq, SEARCH_INDEX, &cq);
        if (rc)
            return rc;
        sql_raw(&cq, " LIMIT ");
        sql_param(&cq, dbv_int(max + 1));
        sql_raw(&cq, ")");
        int64_t n = 0;
        bool found;
        if (db_query_int(c->db, cq.text.data, cq.params, cq.n, &n, &found) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot count %s", e->name);
        whole.sort_unindexed = found && n <= max;
    }
    DbRes *r;
    GxErr rc = list_query(c, e, &whole, NULL, SEARCH_INDEX, max, 0, &r);
    if (rc)
        return rc;
    int s;
    while ((s = db_next(r)) == 1)
        if (!fn(ud, r))
            break;
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot list %s", e->name);
    return c->err;
}

/* The total of a list whose page held `got` rows (`more`: rows follow).
 * After a walked text search (many matches) a capped count stops at the
 * page: counting would test row after row. */
static GxErr list_total(Ctx *c, const Entity *e, const ListQuery *lq, int64_t got, bool more, const ListPlan *plan,
                        int64_t *total)
{
    if (lq->count_capped)
        *lq->count_capped = false;
    if (!more && (got > 0 || lq->offset == 0)) {
        *total = lq->offset + got; /* this page holds the last rows */
        return GX_OK;
    }
    if (more && lq->count_limit > 0 && (plan->walked || lq->offset + got >= lq->count_limit)) {
        *total = lq->offset + got; /* rows follow, beyond the limit: no count */
        if (lq->count_capped)
            *lq->count_capped = true;
        return GX_OK;
    }
    if (plan->counted) { /* the pass over the search's matches counted them */
        *total = plan->total;
        if (lq->count_capped)
            *lq->count_capped = plan->capped;
        return GX_OK;
    }
    /* A count visits every matching row; with count_limit it stops one row
     * past the bound (never below what the client has seen). */
    int64_t bound = 0;
    if (lq->count_limit > 0)
        bound = lq->offset + got > lq->count_limit ? lq->offset + got : lq->count_limit;
    Sql cq;
    sql_init(&cq, c->arena);
    sql_raw(&cq, bound ? "SELECT count(*) FROM (SELECT 1" : "SELECT count(*)");
    GxErr rc = where_clause(c, e, lq, SEARCH_INDEX, &cq);
    if (rc)
        return rc;
    if (bound) {
        sql_raw(&cq, " LIMIT ");
        sql_param(&cq, dbv_int(bound + 1));
        sql_raw(&cq, ") AS bounded"); /* PostgreSQL needs the alias */
    }
    bool capped = false, found;
    uint64_t gen;
    if (count_cache_get(c, &cq, total, &capped, &gen)) {
        if (lq->count_capped)
            *lq->count_capped = capped;
        return GX_OK;
    }
    if (db_query_int(c->db, cq.text.data, cq.params, cq.n, total, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot count %s", e->name);
    if (bound && *total > bound) {
        *total = bound;
        capped = true;
        if (lq->count_capped)
            *lq->count_capped = true;
    }
    count_cache_put(c, &cq, gen, *total, capped);
    return GX_OK;
}

/* Where id is in a page read unordered (ListPlan.order), or -1. */
static int64_t order_index(const ListPlan *p, int64_t id)
{
    for (int64_t k = 0; k < p->norder; k++)
        if (p->order[k] == id)
            return k;
    return -1;
}

/* rows (read unordered) in the page's order, at most limit of them (*more:
 * others follow). Takes rows. */
static json_t *rows_in_order(json_t *rows, const ListPlan *p, int64_t limit, bool *more, Arena *a)
{
    json_t **slot = arena_calloc(a, (size_t)(p->norder > 0 ? p->norder : 1), sizeof *slot);
    size_t i;
    json_t *rec;
    json_array_foreach(rows, i, rec)
    {
        int64_t k = order_index(p, json_integer_value(json_object_get(rec, "id")));
        if (k >= 0 && !slot[k])
            slot[k] = rec;
    }
    json_t *out = json_array();
    *more = false;
    for (int64_t k = 0; k < p->norder; k++) {
        if (!slot[k])
            continue;
        if ((int64_t)json_array_size(out) == limit) {
            *more = true;
            break;
        }
        json_array_append(out, slot[k]);
    }
    json_decref(rows);
    return out;
}

GxErr record_list(Ctx *c, const Entity *e, const ListQuery *lq, json_t **rows, int64_t *total)
{
    *rows = NULL;
    if (total)
        *total = -1;
    bool counting = lq->count && total;
    DbRes *r;
    ListPlan plan;
    Wanted w;
    GxErr rc = wanted_parse(c, e, lq->fields, &w);
    if (rc || (rc = list_open(c, e, lq, NULL, counting, &r, &plan)))
        return rc;
    json_t *arr = json_array();
    int s;
    bool more = false; /* rows follow this page */
    while ((s = db_next(r)) == 1) {
        if (!plan.order && (int64_t)json_array_size(arr) == lq->limit) {
            more = true;
            s = 0;
            break;
        }
        json_array_append_new(arr, row_to_json(e, r));
    }
    db_done(r);
    if (s < 0) {
        json_decref(arr);
        return ctx_fail(c, GX_EDB, "cannot list %s", e->name);
    }
    if (plan.order)
        arr = rows_in_order(arr, &plan, lq->limit, &more, c->arena);
    if ((rc = load_link_multiple(c, e, arr))) {
        json_decref(arr);
        return rc;
    }
    size_t i;
    json_t *rec;
    json_array_foreach(arr, i, rec)
    {
        present(c, e, rec);
        if (lq->fields) {
            const char *key;
            void *it = json_object_iter(rec);
            while (it) {
                key = json_object_iter_key(it);
                void *next = json_object_iter_next(rec, it);
                if (!wanted_key(e, &w, key))
                    json_object_del(rec, key);
                it = next;
            }
        }
    }
    if (counting && (rc = list_total(c, e, lq, (int64_t)json_array_size(arr), more, &plan, total))) {
        json_decref(arr);
        return rc;
    }
    *rows = arr;
    return GX_OK;
}

static int json_to_buf(const char *text, size_t size, void *data)
{
    buf_raw_n(data, text, size);
    return 0;
}

/* One stored value as JSON text: the same value meta_to_json gives. Text
 * values are read once (db_text is NULL for NULL) instead of a null check
 * and then the text. */
static void value_text(Buf *b, const Field *f, DbRes *r, int col)
{
    switch (f->type) {
    case FT_INT:
    case FT_MONEY:
    case FT_LINK:
    case FT_FILE:
        if (db_isnull(r, col))
            buf_raw_n(b, "null", 4);
        else
            buf_int(b, db_int(r, col));
        return;
    case FT_BOOL:
        if (db_isnull(r, col))
            buf_raw_n(b, "null", 4);
        else
            buf_raw(b, db_int(r, col) ? "true" : "false");
        return;
    case FT_MULTI_ENUM:
    case FT_ADDRESS:
    case FT_JSON: {
        /* Stored as compact JSON text by meta_coerce: copied as it is when it
         * looks like JSON, else through jansson (which yields null for
         * anything unreadable), as meta_to_json. */
        const char *t = db_text(r, col);
        if (!t) {
            buf_raw_n(b, "null", 4);
            return;
        }
        if (t[0] == '{' || t[0] == '[') {
            buf_raw(b, t);
            return;
        }
    }
    /* fall through */
    case FT_DECIMAL:
    case FT_PERCENT:
    case FT_FORMULA: {
        if (db_isnull(r, col)) {
            buf_raw_n(b, "null", 4);
            return;
        }
        /* Rare types: through jansson, exactly as meta_to_json. */
        json_t *v = meta_to_json(f, r, col);
        json_dump_callback(v, json_to_buf, b, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(v);
        return;
    }
    default: {
        const char *t = db_text(r, col);
        if (t)
            buf_json_str(b, t);
        else
            buf_raw_n(b, "null", 4);
        return;
    }
    }
}

/* The fields the user may not see (present()'s rule), by field index. */
static bool *hidden_fields(Ctx *c, const Entity *e)
{
    bool *hidden = arena_calloc(c->arena, (size_t)e->nfields + 1, sizeof *hidden);
    /* (an acl_field per field was 8 k instructions of a GET, 24 k of a rep's
     * list page) */
    acl_hidden_fields(c, e, hidden);
    return hidden;
}

/* The current row as the members of a JSON object — "{" and every visible
 * column, without the closing "}" — with what present() leaves of
 * row_to_json. Keys present in skip (values computed on read, which replace
 * stored ones) are left out. */
static void row_text(Buf *out, const Entity *e, DbRes *r, const bool *hidden, json_t *skip_json, const bool *common)
{
    bool own_dept = !e->owned && meta_field(e, "department_id") != NULL;
    /* The few keys to skip (an after-read hook's values: six for a
     * customer) marked by field index once, instead of a JSON lookup for
     * each of ~60 columns. */
    bool skip_common[NCOMMON] = {false};
    bool *skip = NULL;
    if (skip_json) {
        skip = calloc((size_t)e->nfields + 1, sizeof *skip);
        if (!skip)
            gx_die("out of memory");
        const char *k;
        json_t *v;
        json_object_foreach(skip_json, k, v)
        {
            const Field *f = meta_field(e, k);
            if (f)
                skip[f - e->fields] = true;
            for (int i = 1; i < NCOMMON; i++)
                if (!strcmp(common_cols[i], k))
                    skip_common[i] = true;
        }
    }
    for (int i = 0; i < NCOMMON; i++) {
        if (!e->owned && (i == 1 || (i == 2 && !own_dept)))
            continue; /* owner_id and department_id of records without owners */
        if (common && !common[i])
            continue; /* not asked for (the id always is) */
        if (skip_common[i])
            continue;
        /* "{" and the id first, then ,"column": */
        buf_raw_n(out, common_keys[i].s, common_keys[i].n);
        if (i == 3 || i == 5 || i == 8) {
            const char *t = db_text(r, i);
            if (t)
                buf_json_str(out, t);
            else
                buf_raw_n(out, "null", 4);
        } else if (i && db_isnull(r, i)) { /* the id is never NULL */
            buf_raw_n(out, "null", 4);
        } else {
            buf_int(out, db_int(r, i));
        }
    }
    int col = NCOMMON;
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (!stored(f))
            continue;
        if (f->type == FT_PARENT) {
            if (!hidden[i]) {
                buf_printf(out, ",\"%s_type\":", f->name);
                if (db_isnull(r, col))
                    buf_raw(out, "null");
                else
                    buf_json_str(out, db_text(r, col));
                buf_printf(out, ",\"%s_id\":", f->name);
                if (db_isnull(r, col + 1))
                    buf_raw(out, "null");
                else
                    buf_printf(out, "%lld", (long long)db_int(r, col + 1));
            }
            col += 2;
            continue;
        }
        if (!hidden[i] && !(skip && skip[i])) {
            buf_raw_n(out, f->json_key, f->json_key_len);
            value_text(out, f, r, col);
        }
        col++;
    }
    free(skip);
}

static bool has_link_multiple(const Entity *e)
{
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].type == FT_LINK_MULTIPLE)
            return true;
    return false;
}

GxErr record_get_json(Ctx *c, const Entity *e, int64_t id, Buf *out)
{
    size_t start = out->len;
    if (has_link_multiple(e)) {
        /* Values from a second query: the JSON path assembles them. */
        json_t *rec;
        GxErr rc = record_get(c, e, id, &rec);
        if (rc)
            return rc;
        bool ok = buf_json(out, rec);
        json_decref(rec);
        if (!ok) {
            out->len = start;
            out->data[start] = 0;
            return ctx_fail(c, GX_EINTERNAL, "cannot encode %s", e->name);
        }
        return GX_OK;
    }
    if (acl_scope(c, e, ACT_READ) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not read %s", e->name);
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT ");
    select_list(c, e, NULL, &q);
    sql_raw(&q, " FROM ");
    sql_raw(&q, e->table); /* sql-ok: table name from metadata */
    sql_raw(&q, " WHERE id = ");
    sql_param(&q, dbv_int(id));
    sql_raw(&q, " AND deleted_at IS NULL");
    acl_scope_predicate(c, e, ACT_READ, &q);
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read %s", e->name);
    int s = db_next(r);
    if (s != 1) {
        db_done(r);
        if (s < 0)
            return ctx_fail(c, GX_EDB, "cannot read %s", e->name);
        return ctx_fail(c, GX_ENOTFOUND, "No such %s record (id %lld)", e->name, (long long)id);
    }
    /* The computed values first (their hooks read other tables; the row
     * stays current meanwhile), so that stored columns they replace are
     * left out of the text. */
    json_t *extra = json_object();
    HookArgs ha = {.e = e, .id = id, .result = extra};
    GxErr rc = record_hooks_run(c, HOOK_AFTER_READ, &ha);
    if (rc) {
        db_done(r);
        json_decref(extra);
        return rc;
    }
    row_text(out, e, r, hidden_fields(c, e), json_object_size(extra) ? extra : NULL, NULL);
    db_done(r);
    const char *k;
    json_t *v;
    bool ok = true;
    json_object_foreach(extra, k, v)
    {
        buf_putc(out, ',');
        buf_json_str(out, k);
        buf_putc(out, ':');
        ok = ok && buf_json(out, v);
    }
    json_decref(extra);
    buf_putc(out, '}');
    if (!ok) {
        out->len = start;
        out->data[start] = 0;
        return ctx_fail(c, GX_EINTERNAL, "cannot encode %s", e->name);
    }
    return GX_OK;
}

/* record_list_json's rows as remembered text (rowcache.c): the page's ids
 * and revisions first (list_open with a select list of the id and
 * row_rev only), then in full only the rows not remembered at that revision
 * (page_rows: by id, in the user's scope), each written and remembered.
 * The same page, `more` and total as the direct path (test_list_json
 * compares them, cold and warm, after writes of every kind). */
static GxErr list_json_cached(Ctx *c, const Entity *e, const ListQuery *lq, const bool *hidden, int mask, bool counting,
                              Buf *out, int64_t *total)
{
    Wanted narrow = {.rev = true, .narrow = true};
    narrow.common[0] = true;
    narrow.field = arena_calloc(c->arena, (size_t)e->nfields + 1, sizeof *narrow.field);
    DbRes *r;
    ListPlan plan;
    GxErr rc = list_open(c, e, lq, &narrow, counting, &r, &plan);
    if (rc)
        return rc;
    RowRef *refs = arena_alloc(c->arena, (size_t)(lq->limit > 0 ? lq->limit : 1) * sizeof *refs);
    int64_t n = 0;
    bool more = false;
    int s = 0;
    if (!r) {
        /* list_merge's page: ids and revisions in order. */
        for (int64_t k = 0; k < plan.norder; k++) {
            if (n == lq->limit) {
                more = true;
                break;
            }
            refs[n++] = (RowRef){plan.order[k], plan.revs[k]};
        }
    } else if (plan.order) {
        /* Rows unordered: placed by the page's order (ids are never 0). */
        RowRef *slot = arena_calloc(c->arena, (size_t)(plan.norder > 0 ? plan.norder : 1), sizeof *slot);
        while ((s = db_next(r)) == 1) {
            int64_t k = order_index(&plan, db_int(r, 0));
            if (k >= 0 && !slot[k].id)
                slot[k] = (RowRef){db_int(r, 0), db_int(r, 1)};
        }
        for (int64_t k = 0; s == 0 && k < plan.norder; k++) {
            if (!slot[k].id)
                continue;
            if (n == lq->limit) {
                more = true;
                break;
            }
            refs[n++] = slot[k];
        }
    } else {
        while ((s = db_next(r)) == 1) {
            if (n == lq->limit) {
                more = true;
                s = 0;
                break;
            }
            refs[n++] = (RowRef){db_int(r, 0), db_int(r, 1)};
        }
    }
    if (r)
        db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot list %s", e->name);
    Buf *texts = arena_calloc(c->arena, (size_t)(n > 0 ? n : 1), sizeof *texts);
    uint64_t dbs = db_serial(c->db);
    /* A text search's rows are taken when remembered but not added: random
     * matches would push out the rows lists show again and again. */
    bool keep = !(lq->q && *lq->q);
    size_t start = out->len;
    buf_putc(out, '[');
    if (row_cache_join(c->arena, dbs, e, mask, refs, (size_t)n, out)) {
        /* Every row remembered (the usual case): copied once, in order. */
        buf_putc(out, ']');
        if (counting && (rc = list_total(c, e, lq, n, more, &plan, total))) {
            out->len = start;
            return rc;
        }
        return GX_OK;
    }
    out->len = start;
    size_t found = row_cache_get(c->arena, dbs, e, mask, refs, (size_t)n, texts);
    if ((int64_t)found < n) {
        int64_t *ids = arena_alloc(c->arena, (size_t)n * sizeof *ids);
        int64_t nids = 0;
        for (int64_t i = 0; i < n; i++)
            if (!texts[i].len)
                ids[nids++] = refs[i].id;
        Wanted all;
        if ((rc = wanted_parse(c, e, NULL, &all)))
            return rc;
        all.rev = true;
        int revcol = select_ncols(e);
        if ((rc = page_rows(c, e, lq, &all, ids, nids, &r)))
            return rc;
        while ((s = db_next(r)) == 1) {
            int64_t id = db_int(r, 0), i = 0;
            while (i < n && (refs[i].id != id || texts[i].len))
                i++;
            if (i == n)
                continue;
            buf_init(&texts[i], c->arena);
            buf_reserve(&texts[i], 1280);
            row_text(&texts[i], e, r, hidden, NULL, NULL);
            buf_putc(&texts[i], '}');
            if (keep)
                row_cache_put(dbs, e, mask, id, db_int(r, revcol), texts[i].data, texts[i].len);
        }
        db_done(r);
        if (s < 0)
            return ctx_fail(c, GX_EDB, "cannot list %s", e->name);
    }
    size_t bytes = 2;
    for (int64_t i = 0; i < n; i++)
        bytes += texts[i].len + 1;
    buf_reserve(out, bytes);
    buf_putc(out, '[');
    int64_t got = 0;
    for (int64_t i = 0; i < n; i++) {
        if (!texts[i].len)
            continue; /* gone between the two reads (out of scope) */
        if (got++)
            buf_putc(out, ',');
        buf_raw_n(out, texts[i].data, texts[i].len);
    }
    buf_putc(out, ']');
    if (counting && (rc = list_total(c, e, lq, got, more, &plan, total))) {
        out->len = start;
        return rc;
    }
    return GX_OK;
}

GxErr record_list_json(Ctx *c, const Entity *e, const ListQuery *lq, Buf *out, int64_t *total)
{
    if (total)
        *total = -1;
    if (has_link_multiple(e)) {
        /* Values from a second query per page: the JSON path assembles them. */
        json_t *rows;
        GxErr rc = record_list(c, e, lq, &rows, total);
        if (rc)
            return rc;
        int bad = json_dump_callback(rows, json_to_buf, out, JSON_COMPACT);
        json_decref(rows);
        return bad ? ctx_fail(c, GX_EINTERNAL, "cannot encode %s", e->name) : GX_OK;
    }
    bool counting = lq->count && total;
    /* Whole rows outside a write transaction: from remembered text. */
    if (!lq->fields && !db_in_tx(c->db) && row_cache_on()) {
        bool *hidden = hidden_fields(c, e);
        int mask = row_cache_mask(e, hidden);
        if (mask >= 0)
            return list_json_cached(c, e, lq, hidden, mask, counting, out, total);
    }
    DbRes *r;
    ListPlan plan;
    Wanted w;
    GxErr rc = wanted_parse(c, e, lq->fields, &w);
    if (rc || (rc = list_open(c, e, lq, lq->fields ? &w : NULL, counting, &r, &plan)))
        return rc;
    /* What the user may see (present() per row) and asked for, decided once for the page. */
    bool *hidden = hidden_fields(c, e);
    if (lq->fields)
        for (int i = 0; i < e->nfields; i++)
            hidden[i] = hidden[i] || !w.field[i];
    size_t start = out->len;
    /* Room for the page at once (a whole customer is ~1.2 KB of JSON): the
     * buffer doubling from 64 bytes copied a 60 KB page ~10 times. */
    int64_t rows = lq->limit < 200 ? lq->limit : 200;
    if (rows > 0)
        buf_reserve(out, (size_t)rows * (lq->fields ? 256 : 1280));
    buf_putc(out, '[');
    int64_t got = 0;
    int s;
    bool more = false;
    if (plan.order) {
        /* Rows unordered: each written aside, then in the page's order. */
        Buf *slot = arena_calloc(c->arena, (size_t)(plan.norder > 0 ? plan.norder : 1), sizeof *slot);
        while ((s = db_next(r)) == 1) {
            int64_t k = order_index(&plan, db_int(r, 0));
            if (k < 0 || slot[k].data)
                continue;
            buf_init(&slot[k], c->arena);
            buf_reserve(&slot[k], lq->fields ? 256 : 1280);
            row_text(&slot[k], e, r, hidden, NULL, lq->fields ? w.common : NULL);
            buf_putc(&slot[k], '}');
        }
        for (int64_t k = 0; s == 0 && k < plan.norder; k++) {
            if (!slot[k].data)
                continue;
            if (got == lq->limit) {
                more = true;
                break;
            }
            if (got++)
                buf_putc(out, ',');
            buf_raw_n(out, slot[k].data, slot[k].len);
        }
    } else {
        while ((s = db_next(r)) == 1) {
            if (got == lq->limit) {
                more = true;
                s = 0;
                break;
            }
            if (got++)
                buf_putc(out, ',');
            row_text(out, e, r, hidden, NULL, lq->fields ? w.common : NULL);
            buf_putc(out, '}');
        }
    }
    db_done(r);
    if (s < 0) {
        out->len = start;
        return ctx_fail(c, GX_EDB, "cannot list %s", e->name);
    }
    buf_putc(out, ']');
    if (counting && (rc = list_total(c, e, lq, got, more, &plan, total))) {
        out->len = start;
        return rc;
    }
    return GX_OK;
}

GxErr record_history(Ctx *c, const Entity *e, int64_t id, json_t **out)
{
    json_t *rec;
    GxErr rc = record_get(c, e, id, &rec);
    if (rc)
        return rc;
    json_decref(rec);
    DbRes *r;
    DbVal p[] = {dbv_text(e->name), dbv_int(id)};
    if (db_query(c->db,
                 "SELECT r.id, r.field, r.old_value, r.new_value, r.at, r.user_id, u.name FROM revisions r"
                 " LEFT JOIN users u ON u.id = r.user_id WHERE r.entity = $1 AND r.record_id = $2 ORDER BY r.id DESC LIMIT 500",
                 p, 2, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the history");
    json_t *arr = json_array();
    while (db_next(r) == 1) {
        const char *field = db_text(r, 1);
        const Field *f = meta_field(e, field);
        if (f && acl_field(c, e, field) == FIELD_HIDDEN)
            continue;
        json_t *ov = json_loads(db_text(r, 2) ? db_text(r, 2) : "null", JSON_DECODE_ANY, NULL);
        json_t *nv = json_loads(db_text(r, 3) ? db_text(r, 3) : "null", JSON_DECODE_ANY, NULL);
        json_array_append_new(arr, json_pack("{s:I, s:s, s:o, s:o, s:s, s:o, s:o}", "id", (json_int_t)db_int(r, 0),
                                             "field", field, "old", ov ? ov : json_null(), "new",
                                             nv ? nv : json_null(), "at", db_text(r, 4), "user_id",
                                             db_isnull(r, 5) ? json_null() : json_integer(db_int(r, 5)), "user_name",
                                             db_text(r, 6) ? json_string(db_text(r, 6)) : json_null()));
    }
    db_done(r);
    *out = arr;
    return GX_OK;
}
