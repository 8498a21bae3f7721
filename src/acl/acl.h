/* acl.h — the one access model: roles give entity × action → scope, plus
 * field rules; every query the record engine builds carries the scope
 * predicate from here (ARCHITECTURE §5).
 *
 * A Principal is loaded per request (acl_load) into the request's arena. */
#ifndef GX_ACL_H
#define GX_ACL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../base/ctx.h"
#include "../db/db.h"
#include "../meta/meta.h"
#include "../auth/auth.h"

typedef enum Scope { SCOPE_NONE = 0, SCOPE_OWN, SCOPE_DEPT, SCOPE_DEPT_TREE, SCOPE_ALL } Scope;

typedef enum Action {
    ACT_READ, ACT_CREATE, ACT_EDIT, ACT_DELETE, ACT_EXPORT, ACT_IMPORT, ACT_ASSIGN, ACT__COUNT
} Action;

typedef enum FieldAccess { FIELD_RW = 0, FIELD_RO, FIELD_HIDDEN } FieldAccess;

struct Principal {
    int64_t user_id;        /* users.id */
    int64_t department_id;  /* the user's department, 0 if none */
    const char *username;   /* login name */
    const char *name;       /* display name */
    const char *lang;       /* preferred UI language, "zh" or "en" */
    bool lang_chosen;       /* users.lang is set; otherwise lang is the default "zh" and the browser's language applies */
    bool is_admin;          /* holds a role with is_admin: every scope is all, settings allowed */
    int64_t *dept_tree;     /* the user's department and all below it */
    int ndept_tree;
    int64_t *pools;         /* customer pools (公海) the user belongs to: member, member department (or one above), admin */
    int npools;
    json_t *perms;          /* merged {entity: {action: scope-number}}; owned by the principal */
    json_t *field_rules;    /* merged {entity: {field: "hidden"|"readonly"}} (most permissive wins) */
    const char *csrf;       /* CSRF token of the browser session, NULL for Bearer tokens */
    bool via_cookie;        /* authenticated by session cookie (CSRF applies) */
    const char *session_hash; /* hash of the session or API token used */
};

/* Names used in role matrices. */
const char *acl_action_name(Action a);
const char *acl_scope_name(Scope s);
/* Parse a scope/action name; false if unknown. */
bool acl_scope_parse(const char *s, Scope *out);
bool acl_action_parse(const char *s, Action *out);

/* Load the active user `user_id` with merged role permissions and the
 * department subtree. Returns NULL (GX_EAUTH in c) if the user does not exist
 * or is disabled. Memory: arena of c; perms/field_rules are released by
 * acl_release. */
Principal *acl_load(Ctx *c, int64_t user_id);
/* The same from the user's row as auth_lookup read it with the session
 * (AuthResult.user): no statement of its own unless the access cache is
 * stale. Fails like acl_load when u->found is false. */
Principal *acl_load_user(Ctx *c, const AuthUser *u);
void acl_release(Principal *p);

/* Record that roles, role assignments or departments changed (bumps the
 * "acl" sequence in the caller's transaction), so every app server reloads
 * the access it caches per user. */
GxErr acl_changed(Ctx *c);

/* Drop the in-process access cache (tests, shutdown). */
void acl_cache_clear(void);

/* Scope the acting user has for action on entity (system context: all). */
Scope acl_scope(const Ctx *c, const Entity *e, Action a);

/* Append " AND <predicate>" restricting rows of e (alias-free column names)
 * to the user's scope for action. Appends " AND 1=0" for SCOPE_NONE.
 *
 * Customer pools (公海): a record of an entity with a `pool_id` field that has
 * no owner and lies in a pool the user belongs to (Principal.pools) is also
 * readable — for ACT_READ only, and only when the role grants reading the
 * entity at all. This is the one rule by which pool members see pool
 * customers; claiming, assigning and editing go through the pool module,
 * which checks membership again. */
void acl_scope_predicate(Ctx *c, const Entity *e, Action a, Sql *q);

/* The user's scope for action on e as keys a search index can hold: a row
 * is in scope exactly when it matches one of them (kind 'o': owner_id = id,
 * 'd': department_id = id, 'p': owner_id IS NULL AND pool_id = id), the same
 * rows as acl_scope_predicate. Returns the number of keys written, 0 for no
 * rows, -1 when every row is in scope or the keys do not fit in max. */
typedef struct AclKey {
    char kind;
    int64_t id;
} AclKey;
int acl_scope_keys(const Ctx *c, const Entity *e, Action a, AclKey *keys, int max);

/* Is a row owned by owner_id in department_id within scope for action? */
bool acl_row_in_scope(const Ctx *c, const Entity *e, Action a, int64_t owner_id, int64_t department_id);

/* Field access for the acting user (system context: FIELD_RW). Fields that
 * metadata marks "hidden" (replaced by another field) are FIELD_HIDDEN for
 * every user, administrators included. */
FieldAccess acl_field(const Ctx *c, const Entity *e, const char *field);
/* hidden[i] = (acl_field(c, e, e->fields[i].name) == FIELD_HIDDEN) for
 * each of e's fields, computed from the rules rather than field by field.
 * hidden holds e->nfields entries, all false on entry. */
void acl_hidden_fields(const Ctx *c, const Entity *e, bool *hidden);
/* True when no field rule of the acting user's roles names a field of e:
 * acl_field then answers FIELD_HIDDEN for the fields metadata marks hidden
 * (when a user acts) and FIELD_RW for the others, so callers may skip
 * asking field by field. */
bool acl_fields_unruled(const Ctx *c, const Entity *e);

/* Administrator capability (settings, roles, purge, audit). */
bool acl_is_admin(const Ctx *c);

#endif
