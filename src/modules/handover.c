/* handover.c — 离职交接: move everything a user owns to another user in one
 * transaction, with a revision row and an audit row per moved record so each
 * record's history shows the transfer. */
#include <string.h>

#include "../acl/acl.h"
#include "../record/record.h"
#include "modules.h"

/* Open work only: for entities with a status-like field, closed rows stay. */
static const char *open_condition(const Entity *e)
{
    const Field *st = meta_field(e, "status");
    if (!strcmp(e->name, "tasks") && st)
        return " AND (status IS NULL OR status NOT IN ('done', 'cancelled'))";
    return "";
}

GxErr handover_run(Ctx *c, int64_t from, int64_t to, json_t *entities, json_t **counts)
{
    *counts = NULL;
    if (!acl_is_admin(c))
        return ctx_fail(c, GX_EDENIED, "Only administrators may hand over a user's records");
    if (from == to) {
        ctx_field(c, "to_user_id", "must be another user");
        return c->err;
    }
    int64_t dept = 0;
    bool found = false;
    DbRes *r;
    DbVal pt[] = {dbv_int(to)};
    if (db_query(c->db, "SELECT department_id FROM users WHERE id = $1 AND active = 1 AND deleted_at IS NULL", pt, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read users");
    if (db_next(r) == 1) {
        found = true;
        dept = db_isnull(r, 0) ? 0 : db_int(r, 0);
    }
    db_done(r);
    if (!found) {
        ctx_field(c, "to_user_id", "is not an active user");
        return c->err;
    }
    int64_t one;
    DbVal pf[] = {dbv_int(from)};
    if (db_query_int(c->db, "SELECT 1 FROM users WHERE id = $1 AND deleted_at IS NULL", pf, 1, &one, &found) != DB_OK || !found)
        return ctx_fail(c, GX_ENOTFOUND, "No such user");
    /* Which entities: all owned ones, or the list given. */
    int n;
    const Entity *const *all = meta_entities(&n);
    if (entities && !json_is_array(entities)) {
        ctx_field(c, "entities", "must be a list of entity names");
        return c->err;
    }
    size_t i;
    json_t *item;
    json_array_foreach(entities, i, item)
    {
        const Entity *e = meta_entity(json_string_value(item));
        if (!e || !e->transferable) {
            ctx_field(c, "entities", "'%s' is not an entity with owners", json_string_value(item) ? json_string_value(item) : "?");
            return c->err;
        }
    }
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    json_t *out = json_object();
    const char *now = record_now(c);
    char *diff = arena_printf(c->arena, "{\"owner_id\":[%lld,%lld],\"reason\":\"handover\"}", (long long)from, (long long)to);
    for (int k = 0; k < n; k++) {
        const Entity *e = all[k];
        if (!e->transferable)
            continue;
        if (entities) {
            bool listed = false;
            json_array_foreach(entities, i, item) listed |= !strcmp(json_string_value(item), e->name);
            if (!listed)
                continue;
        }
        const char *cond = open_condition(e);
        DbVal who = c->who ? dbv_int(c->who->user_id) : dbv_null();
        /* History and audit first (they select the rows about to move). Casts
         * give PostgreSQL the parameter types it cannot infer in a select list. */
        const char *rev = arena_printf(c->arena,
                                       "INSERT INTO revisions(entity, record_id, field, old_value, new_value, at, user_id)"
                                       " SELECT CAST($1 AS TEXT), id, 'owner_id', CAST($5 AS TEXT), CAST($6 AS TEXT),"
                                       " CAST($3 AS TEXT), CAST($4 AS BIGINT) FROM %s WHERE owner_id = $2 AND deleted_at IS NULL%s",
                                       e->table, cond);
        DbVal pr[] = {dbv_text(e->name), dbv_int(from), dbv_text(now), who,
                      dbv_text(arena_printf(c->arena, "%lld", (long long)from)),
                      dbv_text(arena_printf(c->arena, "%lld", (long long)to))};
        const char *aud = arena_printf(c->arena,
                                       "INSERT INTO audit_log(at, user_id, ip, action, entity, record_id, diff)"
                                       " SELECT CAST($3 AS TEXT), CAST($4 AS BIGINT), CAST($5 AS TEXT), 'handover', CAST($1 AS TEXT),"
                                       " id, CAST($6 AS TEXT) FROM %s WHERE owner_id = $2 AND deleted_at IS NULL%s",
                                       e->table, cond);
        DbVal pa[] = {dbv_text(e->name), dbv_int(from), dbv_text(now), who, dbv_text(c->ip), dbv_text(diff)};
        const char *upd = arena_printf(c->arena,
                                       "UPDATE %s SET owner_id = $1, department_id = $2, version = version + 1, updated_at = $3,"
                                       " updated_by = $4 WHERE owner_id = $5 AND deleted_at IS NULL%s",
                                       e->table, cond);
        DbVal pu[] = {dbv_int(to), dept ? dbv_int(dept) : dbv_null(), dbv_text(now), who, dbv_int(from)};
        if (db_exec(c->db, rev, pr, 6) != DB_OK || db_exec(c->db, aud, pa, 6) != DB_OK || db_exec(c->db, upd, pu, 5) != DB_OK) {
            db_rollback(c->db);
            json_decref(out);
            return ctx_fail(c, GX_EDB, "cannot hand over %s", e->name);
        }
        json_object_set_new(out, e->name, json_integer(db_changes(c->db)));
    }
    if (db_commit(c->db) != DB_OK) {
        json_decref(out);
        return ctx_fail(c, GX_EDB, "cannot commit");
    }
    *counts = out;
    return GX_OK;
}
