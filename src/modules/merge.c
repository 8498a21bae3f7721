/* merge.c — merge two records of one entity (customers): the related records
 * of `from` move to `into`, `into` keeps the richer values (a value beats an
 * empty one; in a conflict the side chosen per field wins, by default
 * `into`), `from` goes to the trash. One transaction; the audit log and the
 * history of both records tell what happened.
 *
 * The related records are found from metadata: every link field of any
 * entity whose target is the merged entity, every parent ("related to")
 * field, and every link_multiple table pointing at it — so entities added
 * later (orders, tickets …) follow without a change here. */
#include <string.h>

#include "../base/util.h"
#include "../record/record.h"
#include "attachments.h"
#include "modules.h"

static bool empty_json(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
           (json_is_array(v) && !json_array_size(v)) || (json_is_object(v) && !json_object_size(v));
}

/* May field f take part in a merge (a stored value the user may change)? */
static bool mergeable(Ctx *c, const Entity *e, const Field *f)
{
    return !f->readonly && !f->write_only && f->type != FT_FORMULA && f->type != FT_AUTO_NUMBER &&
           f->type != FT_PARENT && acl_field(c, e, f->name) == FIELD_RW;
}

GxErr merge_plan(Ctx *c, const Entity *e, json_t *into, json_t *from, json_t *choices, json_t **patch)
{
    *patch = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(choices, key, v)
    {
        const Field *f = meta_field(e, key);
        if (!f || !mergeable(c, e, f))
            ctx_field(c, key, "is not a field that can be merged");
        else if (!json_is_string(v) || (strcmp(json_string_value(v), "from") && strcmp(json_string_value(v), "into")))
            ctx_field(c, key, "must be \"from\" or \"into\"");
    }
    if (c->err) {
        json_decref(*patch);
        *patch = NULL;
        return c->err;
    }
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (!mergeable(c, e, f))
            continue;
        json_t *a = json_object_get(into, f->name), *b = json_object_get(from, f->name);
        if (empty_json(b) || json_equal(a, b))
            continue;
        const char *pick = json_string_value(json_object_get(choices, f->name));
        if (empty_json(a) || (pick && !strcmp(pick, "from")))
            json_object_set(*patch, f->name, b);
    }
    return GX_OK;
}

/* Ids of the rows of t matching a WHERE over one column (live and trashed). */
static GxErr ids_where(Ctx *c, const char *sql, DbVal *p, int np, json_t *into)
{
    DbRes *r;
    if (db_query(c->db, sql, p, np, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot find related records");
    while (db_next(r) == 1)
        json_array_append_new(into, json_integer(db_int(r, 0)));
    db_done(r);
    return GX_OK;
}

/* Move every record related to `from` over to `into`; *moved gets
 * {entity: [ids]}. Runs inside the caller's transaction. */
static GxErr move_related(Ctx *c, const Entity *e, int64_t into, int64_t from, json_t *moved)
{
    int n;
    const Entity *const *all = meta_entities(&n);
    const char *now = record_now(c);
    DbVal who = c->who ? dbv_int(c->who->user_id) : dbv_null();
    for (int i = 0; i < n; i++) {
        const Entity *t = all[i];
        for (int k = 0; k < t->nfields; k++) {
            const Field *f = &t->fields[k];
            json_t *ids = json_array();
            GxErr rc = GX_OK;
            const char *col = NULL;
            if (f->type == FT_LINK && !strcmp(f->target, e->name)) {
                col = f->name;
                DbVal p[] = {dbv_int(from)};
                rc = ids_where(c,
                               arena_printf(c->arena, "SELECT id FROM %s WHERE %s = $1 ORDER BY id", t->table, /* sql-ok: identifiers from metadata or a literal column list */
                                            f->name), /* sql-ok: names from metadata */
                               p, 1, ids);
                if (!rc && json_array_size(ids)) {
                    DbVal u[] = {dbv_int(into), dbv_text(now), who, dbv_int(from)};
                    if (db_exec(c->db,
                                arena_printf(c->arena, /* sql-ok: names from metadata */
                                             "UPDATE %s SET %s = $1, updated_at = $2, updated_by = $3, version = "
                                             "version + 1 WHERE %s = $4",
                                             t->table, f->name, f->name),
                                u, 4) != DB_OK)
                        rc = ctx_fail(c, GX_EDB, "cannot move %s", t->name);
                }
            } else if (f->type == FT_PARENT) {
                col = arena_printf(c->arena, "%s_id", f->name);
                DbVal p[] = {dbv_text(e->name), dbv_int(from)};
                rc = ids_where(
                    c,
                    arena_printf(c->arena,
                                 "SELECT id FROM %s WHERE %s_type = $1 AND %s_id = $2 ORDER BY id", /* sql-ok: names
                                                                                                       from metadata */
                                 t->table, f->name, f->name),
                    p, 2, ids);
                if (!rc && json_array_size(ids)) {
                    DbVal u[] = {dbv_int(into), dbv_text(now), who, dbv_text(e->name), dbv_int(from)};
                    if (db_exec(c->db,
                                arena_printf(
                                    c->arena, /* sql-ok: names from metadata */
                                    "UPDATE %s SET %s_id = $1, updated_at = $2, updated_by = $3, version = version + 1"
                                    " WHERE %s_type = $4 AND %s_id = $5",
                                    t->table, f->name, f->name, f->name),
                                u, 5) != DB_OK)
                        rc = ctx_fail(c, GX_EDB, "cannot move %s", t->name);
                }
            } else if (f->type == FT_LINK_MULTIPLE && !strcmp(f->target, e->name)) {
                col = f->name;
                const char *lt = arena_printf(c->arena, "%s_%s", t->table, f->name);
                DbVal p[] = {dbv_int(from)};
                rc =
                    ids_where(c,
                              arena_printf(c->arena, "SELECT record_id FROM %s WHERE target_id = $1 ORDER BY record_id", /* sql-ok: identifiers from metadata or a literal column list */
                                           lt), /* sql-ok: names from metadata */
                              p, 1, ids);
                DbVal u[] = {dbv_int(into), dbv_int(from)};
                if (!rc && json_array_size(ids) &&
                    (db_exec(
                         c->db,
                         arena_printf(
                             c->arena, /* sql-ok: names from metadata */
                             "INSERT INTO %s(record_id, target_id) SELECT record_id, $1 FROM %s WHERE target_id = $2"
                             " ON CONFLICT DO NOTHING",
                             lt, lt),
                         u, 2) != DB_OK ||
                     db_exec(c->db, arena_printf(c->arena, "DELETE FROM %s WHERE target_id = $1", lt), p, 1) != /* sql-ok: identifiers from metadata or a literal column list */
                         DB_OK)) /* sql-ok: names from metadata */
                    rc = ctx_fail(c, GX_EDB, "cannot move %s", t->name);
            }
            /* Each moved record's audit trail says where it went. */
            size_t j;
            json_t *id;
            json_array_foreach(ids, j, id)
            {
                if (rc)
                    break;
                json_t *d = json_pack("{s:[II]}", col, (json_int_t)from, (json_int_t)into);
                if (t->audited)
                    rc = audit_write(c, "merge_move", t->name, json_integer_value(id), d);
                json_decref(d);
            }
            if (!rc && json_array_size(ids)) {
                json_t *list = json_object_get(moved, t->name);
                if (!list)
                    json_object_set(moved, t->name, ids);
                else
                    json_array_extend(list, ids);
            }
            json_decref(ids);
            if (rc)
                return rc;
        }
    }
    return GX_OK;
}

GxErr merge_records(Ctx *c, const Entity *e, int64_t into_id, int64_t from_id, json_t *choices, json_t **out)
{
    *out = NULL;
    if (into_id == from_id) {
        ctx_fail(c, GX_EINVALID, "A record cannot be merged with itself");
        ctx_field(c, "from", "is the same record as the target");
        return GX_EINVALID;
    }
    json_t *into, *from;
    GxErr rc = record_get(c, e, into_id, &into);
    if (rc)
        return rc;
    if ((rc = record_get(c, e, from_id, &from))) {
        json_decref(into);
        return rc;
    }
    json_t *patch = NULL;
    if (!acl_row_in_scope(c, e, ACT_EDIT, json_integer_value(json_object_get(into, "owner_id")),
                          json_integer_value(json_object_get(into, "department_id"))) ||
        !acl_row_in_scope(c, e, ACT_EDIT, json_integer_value(json_object_get(from, "owner_id")),
                          json_integer_value(json_object_get(from, "department_id")))) {
        rc = ctx_fail(c, GX_EDENIED, "You may only merge %s records you may edit", e->name);
        goto out;
    }
    if ((rc = merge_plan(c, e, into, from, choices, &patch)))
        goto out;
    if (db_begin(c->db) != DB_OK) {
        rc = ctx_fail(c, GX_EDB, "cannot start a transaction");
        goto out;
    }
    json_t *moved = json_object();
    json_t *stored = NULL;
    json_object_set_new(patch, "version", json_incref(json_object_get(into, "version")));
    bool elevated = c->elevated;
    if ((rc = record_update(c, e, into_id, patch, &stored)) || (rc = move_related(c, e, into_id, from_id, moved)))
        goto fail;
    /* Files (附件) are not records: the attachments module moves them. */
    json_t *files = json_array();
    rc = attachments_move(c, e, from_id, into_id, files);
    if (!rc && json_array_size(files))
        json_object_set(moved, "attachments", files);
    json_decref(files);
    if (rc)
        goto fail;
    /* The other record goes to the trash as part of the merge (edit rights
     * on it suffice): the write is the module's, the audit names the user. */
    c->elevated = true;
    rc = record_delete(c, e, from_id);
    c->elevated = elevated;
    if (rc)
        goto fail;
    json_object_del(patch, "version");
    json_t *d_into = json_pack("{s:I, s:O, s:O}", "merged_from", (json_int_t)from_id, "fields", patch, "moved", moved);
    json_t *d_from = json_pack("{s:I, s:O}", "merged_into", (json_int_t)into_id, "moved", moved);
    json_t *jf = json_integer(from_id), *ji = json_integer(into_id);
    rc = audit_write(c, "merge", e->name, into_id, d_into);
    if (!rc)
        rc = audit_write(c, "merge", e->name, from_id, d_from);
    if (!rc)
        rc = record_revision(c, e->name, into_id, "merged_from", json_null(), jf, NULL);
    if (!rc)
        rc = record_revision(c, e->name, from_id, "merged_into", json_null(), ji, NULL);
    json_decref(d_into);
    json_decref(d_from);
    json_decref(jf);
    json_decref(ji);
    if (rc)
        goto fail;
    if (db_commit(c->db) != DB_OK) {
        rc = ctx_fail(c, GX_EDB, "cannot commit");
        json_decref(stored);
        json_decref(moved);
        goto out;
    }
    *out = json_pack("{s:o, s:o, s:I}", "record", stored, "moved", moved, "trashed", (json_int_t)from_id);
    goto out;
fail:
    c->elevated = elevated;
    db_rollback(c->db);
    json_decref(stored);
    json_decref(moved);
out:
    json_decref(patch);
    json_decref(into);
    json_decref(from);
    return rc;
}
