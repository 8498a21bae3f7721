/* users.c — rules for users and roles on top of the generic engine:
 * passwords are write-only and hashed (Argon2id), usernames are well-formed,
 * only administrators hand out roles, disabling a user ends their sessions
 * and tokens at once, and role matrices are validated. */
#include <ctype.h>
#include <string.h>

#include "../acl/acl.h"
#include "../auth/auth.h"
#include "../record/record.h"
#include "modules.h"

static bool username_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 64)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-' && *s != '@')
            return false;
    return true;
}

static GxErr users_before_write(Ctx *c, HookArgs *a)
{
    json_t *in = a->input;
    const char *username = json_string_value(json_object_get(in, "username"));
    if (!username && a->old)
        username = json_string_value(json_object_get(a->old, "username"));
    json_t *u = json_object_get(in, "username");
    if (u && (!json_is_string(u) || !username_ok(json_string_value(u))))
        ctx_field(c, "username", "must be 2 to 64 letters, digits or _ . - @");
    json_t *pw = json_object_get(in, "password");
    if (!a->old && !pw)
        ctx_field(c, "password", "is required");
    if (pw) {
        const char *problem = json_is_string(pw) ? auth_password_problem(username, json_string_value(pw)) : "must be text";
        if (problem)
            ctx_field(c, "password", "%s", problem);
    }
    if (c->err)
        return c->err;
    if (json_object_get(in, "role_ids") && !acl_is_admin(c)) {
        bool same = a->old && json_equal(json_object_get(a->old, "role_ids"), json_object_get(in, "role_ids"));
        if (!same)
            return ctx_fail(c, GX_EDENIED, "Only administrators may change a user's roles");
    }
    if (a->old && c->who && c->who->user_id == a->id && json_is_false(json_object_get(in, "active")))
        return ctx_fail(c, GX_EDENIED, "You cannot disable your own account");
    return GX_OK;
}

static GxErr users_after_write(Ctx *c, HookArgs *a)
{
    json_t *pw = json_object_get(a->input, "password");
    if (json_is_string(pw)) {
        char *hash = auth_hash_password(c, json_string_value(pw));
        if (!hash)
            return ctx_fail(c, GX_EINTERNAL, "cannot hash the password");
        DbVal p[] = {dbv_text(hash), dbv_int(a->id)};
        if (db_exec(c->db, "UPDATE users SET password_hash = $1 WHERE id = $2", p, 2) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot store the password");
        if (a->old) {
            /* A new password ends the user's sessions. */
            DbVal q[] = {dbv_int(a->id)};
            if (db_exec(c->db, "DELETE FROM sessions WHERE user_id = $1", q, 1) != DB_OK)
                return ctx_fail(c, GX_EDB, "cannot end sessions");
        }
    }
    if (a->old && json_is_true(json_object_get(a->old, "active")) && json_is_false(json_object_get(a->result, "active")))
        return auth_end_all(c, a->id);
    return GX_OK;
}

static GxErr users_after_delete(Ctx *c, HookArgs *a) { return auth_end_all(c, a->id); }

/* permissions: {entity: {action: scope}}; field_rules: {entity: {field: rule}}. */
static GxErr roles_before_write(Ctx *c, HookArgs *a)
{
    json_t *perm = json_object_get(a->input, "permissions");
    if (perm && !json_is_null(perm)) {
        const char *ent;
        json_t *acts;
        if (!json_is_object(perm)) {
            ctx_field(c, "permissions", "must be an object {entity: {action: scope}}");
        } else {
            json_object_foreach(perm, ent, acts)
            {
                const char *act;
                json_t *sc;
                if (!meta_entity(ent) || !json_is_object(acts)) {
                    ctx_field(c, "permissions", "'%s' is not an entity with an {action: scope} object", ent);
                    break;
                }
                json_object_foreach(acts, act, sc)
                {
                    Action ac;
                    Scope s;
                    if (!acl_action_parse(act, &ac) || !acl_scope_parse(json_string_value(sc), &s))
                        ctx_field(c, "permissions", "%s.%s: action must be read/create/edit/delete/export/import/assign and scope none/own/department/department_and_below/all", ent, act);
                }
            }
        }
    }
    json_t *rules = json_object_get(a->input, "field_rules");
    if (rules && !json_is_null(rules)) {
        const char *ent;
        json_t *fields;
        if (!json_is_object(rules)) {
            ctx_field(c, "field_rules", "must be an object {entity: {field: \"hidden\"|\"readonly\"}}");
        } else {
            json_object_foreach(rules, ent, fields)
            {
                const Entity *e = meta_entity(ent);
                const char *fname;
                json_t *rule;
                if (!e || !json_is_object(fields)) {
                    ctx_field(c, "field_rules", "'%s' is not an entity with a {field: rule} object", ent);
                    break;
                }
                json_object_foreach(fields, fname, rule)
                {
                    const char *s = json_string_value(rule);
                    if (!meta_field(e, fname) || !s || (strcmp(s, "hidden") && strcmp(s, "readonly")))
                        ctx_field(c, "field_rules", "%s.%s: must be a field with rule \"hidden\" or \"readonly\"", ent, fname);
                }
            }
        }
    }
    if (c->err)
        return c->err;
    if (!acl_is_admin(c))
        return ctx_fail(c, GX_EDENIED, "Only administrators may change roles");
    return GX_OK;
}

/* A department may not become its own ancestor: walk up from the new parent. */
static GxErr departments_before_write(Ctx *c, HookArgs *a)
{
    json_t *parent = json_object_get(a->input, "parent_id");
    if (!json_is_integer(parent) || !a->id)
        return GX_OK; /* a new department cannot be anyone's ancestor yet */
    int64_t p = json_integer_value(parent);
    for (int depth = 0; p && depth < 1000; depth++) {
        if (p == a->id) {
            ctx_field(c, "parent_id", "would make the department its own parent (a loop in the tree)");
            return c->err;
        }
        DbVal v[] = {dbv_int(p)};
        int64_t next = 0;
        bool found = false;
        if (db_query_int(c->db, "SELECT coalesce(parent_id, 0) FROM departments WHERE id = $1", v, 1, &next, &found) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read departments");
        p = found ? next : 0;
    }
    return GX_OK;
}

void users_module_init(void)
{
    record_hook_add("departments", HOOK_BEFORE_UPDATE, departments_before_write);
    record_hook_add("users", HOOK_BEFORE_CREATE, users_before_write);
    record_hook_add("users", HOOK_BEFORE_UPDATE, users_before_write);
    record_hook_add("users", HOOK_AFTER_CREATE, users_after_write);
    record_hook_add("users", HOOK_AFTER_UPDATE, users_after_write);
    record_hook_add("users", HOOK_AFTER_DELETE, users_after_delete);
    record_hook_add("roles", HOOK_BEFORE_CREATE, roles_before_write);
    record_hook_add("roles", HOOK_BEFORE_UPDATE, roles_before_write);
}
