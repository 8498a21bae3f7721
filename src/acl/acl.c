/* acl.c — see acl.h. */
#include "acl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *action_names[ACT__COUNT] = {"read", "create", "edit", "delete", "export", "import", "assign"};
static const char *scope_names[] = {"none", "own", "department", "department_and_below", "all"};

const char *acl_action_name(Action a) { return a < ACT__COUNT ? action_names[a] : "?"; }
const char *acl_scope_name(Scope s) { return s <= SCOPE_ALL ? scope_names[s] : "?"; }

bool acl_scope_parse(const char *s, Scope *out)
{
    for (int i = 0; i <= SCOPE_ALL; i++)
        if (s && !strcmp(s, scope_names[i])) {
            *out = (Scope)i;
            return true;
        }
    return false;
}

bool acl_action_parse(const char *s, Action *out)
{
    for (int i = 0; i < ACT__COUNT; i++)
        if (s && !strcmp(s, action_names[i])) {
            *out = (Action)i;
            return true;
        }
    return false;
}

/* Merge one role's matrix into the principal's: the widest scope wins. */
static void merge_perms(json_t *into, json_t *role)
{
    const char *ent;
    json_t *acts;
    json_object_foreach(role, ent, acts)
    {
        if (!json_is_object(acts))
            continue;
        json_t *dst = json_object_get(into, ent);
        if (!dst) {
            dst = json_object();
            json_object_set_new(into, ent, dst);
        }
        const char *act;
        json_t *sc;
        json_object_foreach(acts, act, sc)
        {
            Scope s;
            Action a;
            if (!acl_action_parse(act, &a) || !acl_scope_parse(json_string_value(sc), &s))
                continue;
            json_int_t cur = json_integer_value(json_object_get(dst, act));
            if (s > cur)
                json_object_set_new(dst, act, json_integer(s));
        }
    }
}

/* Field rules: a field stays restricted only if every role restricts it;
 * the least restrictive rule among the roles that mention it wins, and a role
 * that does not mention it grants full access. */
static void merge_rules(json_t *into, json_t *role, bool first)
{
    if (first) {
        if (role) /* (a temporary empty object here leaked on every request) */
            json_object_update(into, role);
        return;
    }
    const char *ent;
    json_t *fields;
    void *tmp;
    json_object_foreach_safe(into, tmp, ent, fields)
    {
        json_t *rf = json_object_get(role, ent);
        const char *fname;
        json_t *rule;
        void *tmp2;
        json_object_foreach_safe(fields, tmp2, fname, rule)
        {
            const char *other = json_string_value(json_object_get(rf, fname));
            if (!other)
                json_object_del(fields, fname);
            else if (!strcmp(other, "readonly") && !strcmp(json_string_value(rule), "hidden"))
                json_object_set_new(fields, fname, json_string("readonly"));
        }
    }
}

/* Access derived from a user's roles and department: immutable once built,
 * shared between requests through the cache below. */
typedef struct Access {
    int64_t user_id;     /* whose */
    int64_t version;     /* the "acl" sequence value it was built at */
    int64_t department;  /* the user's department it was built for */
    bool is_admin;       /* holds an administrator role */
    json_t *perms;       /* merged matrix (shared, never mutated) */
    json_t *field_rules; /* merged field rules (shared, never mutated) */
    int64_t *tree;       /* department subtree (malloc'ed) */
    int ntree;
    int64_t *pools;      /* customer pools the user belongs to (malloc'ed) */
    int npools;
} Access;

#define ACCESS_SLOTS 512
static Access access_cache[ACCESS_SLOTS]; /* direct-mapped by user id */
static pthread_mutex_t access_lock = PTHREAD_MUTEX_INITIALIZER;

/* The customer pools pr's user belongs to: listed as a member or an admin,
 * or through a member department (depts: the user's and those above it).
 * Without the pools tables (a database before migration 2) there are none. */
static bool load_pools(Ctx *c, Principal *pr, const int64_t *depts, int ndepts)
{
    if (!meta_entity("pools") || !db_table_exists(c->db, "pools_member_users"))
        return true;
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT p.id FROM pools p WHERE p.deleted_at IS NULL AND p.active = 1 AND (p.id IN (SELECT record_id FROM"
                " pools_member_users WHERE target_id = ");
    sql_param(&q, dbv_int(pr->user_id));
    sql_raw(&q, ") OR p.id IN (SELECT record_id FROM pools_admin_users WHERE target_id = ");
    sql_param(&q, dbv_int(pr->user_id));
    sql_raw(&q, ")");
    if (ndepts) {
        sql_raw(&q, " OR p.id IN (SELECT record_id FROM pools_member_departments WHERE target_id IN (");
        for (int i = 0; i < ndepts; i++) {
            if (i)
                sql_raw(&q, ", ");
            sql_param(&q, dbv_int(depts[i]));
        }
        sql_raw(&q, "))");
    }
    sql_raw(&q, ") ORDER BY p.id");
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK) {
        ctx_fail(c, GX_EDB, "cannot load pool memberships");
        return false;
    }
    int cap = 0;
    while (db_next(r) == 1) {
        if (pr->npools == cap) {
            int ncap = cap ? cap * 2 : 8;
            pr->pools = arena_realloc(c->arena, pr->pools, sizeof(int64_t) * (size_t)cap, sizeof(int64_t) * (size_t)ncap);
            cap = ncap;
        }
        pr->pools[pr->npools++] = db_int(r, 0);
    }
    db_done(r);
    return true;
}

/* Read roles and the department subtree of pr's user from the database into pr. */
static bool load_access(Ctx *c, Principal *pr)
{
    DbRes *r;
    DbVal p[] = {dbv_int(pr->user_id)};
    pr->perms = json_object();
    pr->field_rules = json_object();
    if (db_query(c->db,
                 "SELECT r.is_admin, r.permissions, r.field_rules FROM users_role_ids ur JOIN roles r ON r.id = ur.target_id"
                 " WHERE ur.record_id = $1 AND r.deleted_at IS NULL",
                 p, 1, &r) != DB_OK) {
        ctx_fail(c, GX_EDB, "cannot load roles");
        return false;
    }
    bool first = true;
    while (db_next(r) == 1) {
        if (db_int(r, 0))
            pr->is_admin = true;
        json_t *perm = db_text(r, 1) ? json_loads(db_text(r, 1), 0, NULL) : NULL;
        json_t *rules = db_text(r, 2) ? json_loads(db_text(r, 2), 0, NULL) : NULL;
        if (json_is_object(perm))
            merge_perms(pr->perms, perm);
        merge_rules(pr->field_rules, json_is_object(rules) ? rules : NULL, first);
        first = false;
        json_decref(perm);
        json_decref(rules);
    }
    db_done(r);

    /* Department subtree: read the (small) department table once and walk
     * it breadth-first from the user's department. */
    int64_t *ancestors = NULL;
    int nancestors = 0;
    if (pr->department_id) {
        int64_t *ids = NULL, *parents = NULL;
        int n = 0, cap = 0;
        if (db_query(c->db, "SELECT id, parent_id FROM departments WHERE deleted_at IS NULL", NULL, 0, &r) == DB_OK) {
            while (db_next(r) == 1) {
                if (n == cap) {
                    int ncap = cap ? cap * 2 : 64;
                    ids = arena_realloc(c->arena, ids, sizeof(int64_t) * (size_t)cap, sizeof(int64_t) * (size_t)ncap);
                    parents = arena_realloc(c->arena, parents, sizeof(int64_t) * (size_t)cap, sizeof(int64_t) * (size_t)ncap);
                    cap = ncap;
                }
                ids[n] = db_int(r, 0);
                parents[n] = db_isnull(r, 1) ? 0 : db_int(r, 1);
                n++;
            }
            db_done(r);
        }
        /* The user's department and those above it (pool membership by department). */
        ancestors = arena_alloc(c->arena, sizeof(int64_t) * (size_t)(n + 1));
        for (int64_t d = pr->department_id; d && nancestors <= n;) {
            ancestors[nancestors++] = d;
            int64_t up = 0;
            for (int k = 0; k < n; k++)
                if (ids[k] == d)
                    up = parents[k];
            d = up;
        }
        pr->dept_tree = arena_alloc(c->arena, sizeof(int64_t) * (size_t)(n + 1));
        pr->dept_tree[pr->ndept_tree++] = pr->department_id;
        for (int i = 0; i < pr->ndept_tree; i++)
            for (int k = 0; k < n; k++)
                if (parents[k] == pr->dept_tree[i] && ids[k] != pr->department_id && pr->ndept_tree <= n) {
                    bool seen = false; /* guard against cycles */
                    for (int m = 0; m < pr->ndept_tree; m++)
                        seen |= pr->dept_tree[m] == ids[k];
                    if (!seen)
                        pr->dept_tree[pr->ndept_tree++] = ids[k];
                }
    }
    return load_pools(c, pr, ancestors, nancestors);
}

/* Copy cached access into pr if it is current; false on a miss. */
static bool access_from_cache(Ctx *c, Principal *pr, int64_t version)
{
    bool hit = false;
    pthread_mutex_lock(&access_lock);
    Access *a = &access_cache[(uint64_t)pr->user_id % ACCESS_SLOTS];
    if (a->user_id == pr->user_id && a->version == version && a->department == pr->department_id) {
        pr->is_admin = a->is_admin;
        pr->perms = json_incref(a->perms);
        pr->field_rules = json_incref(a->field_rules);
        pr->ndept_tree = a->ntree;
        pr->dept_tree = arena_alloc(c->arena, sizeof(int64_t) * (size_t)(a->ntree + 1));
        memcpy(pr->dept_tree, a->tree, sizeof(int64_t) * (size_t)a->ntree);
        pr->npools = a->npools;
        pr->pools = arena_alloc(c->arena, sizeof(int64_t) * (size_t)(a->npools + 1));
        if (a->npools)
            memcpy(pr->pools, a->pools, sizeof(int64_t) * (size_t)a->npools);
        hit = true;
    }
    pthread_mutex_unlock(&access_lock);
    return hit;
}

static void access_to_cache(const Principal *pr, int64_t version)
{
    pthread_mutex_lock(&access_lock);
    Access *a = &access_cache[(uint64_t)pr->user_id % ACCESS_SLOTS];
    json_decref(a->perms);
    json_decref(a->field_rules);
    free(a->tree);
    a->user_id = pr->user_id;
    a->version = version;
    a->department = pr->department_id;
    a->is_admin = pr->is_admin;
    a->perms = json_incref(pr->perms);
    a->field_rules = json_incref(pr->field_rules);
    a->ntree = pr->ndept_tree;
    a->tree = xmalloc(sizeof(int64_t) * (size_t)(pr->ndept_tree + 1));
    if (pr->ndept_tree)
        memcpy(a->tree, pr->dept_tree, sizeof(int64_t) * (size_t)pr->ndept_tree);
    free(a->pools);
    a->npools = pr->npools;
    a->pools = xmalloc(sizeof(int64_t) * (size_t)(pr->npools + 1));
    if (pr->npools)
        memcpy(a->pools, pr->pools, sizeof(int64_t) * (size_t)pr->npools);
    pthread_mutex_unlock(&access_lock);
}

void acl_cache_clear(void)
{
    pthread_mutex_lock(&access_lock);
    for (int i = 0; i < ACCESS_SLOTS; i++) {
        json_decref(access_cache[i].perms);
        json_decref(access_cache[i].field_rules);
        free(access_cache[i].tree);
        free(access_cache[i].pools);
        memset(&access_cache[i], 0, sizeof access_cache[i]);
    }
    pthread_mutex_unlock(&access_lock);
}

GxErr acl_changed(Ctx *c)
{
    if (db_exec(c->db,
                "INSERT INTO sequences(name, value) VALUES ('acl', 1) ON CONFLICT(name) DO UPDATE SET value = sequences.value + 1",
                NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot record the access change");
    return GX_OK;
}

Principal *acl_load(Ctx *c, int64_t user_id)
{
    DbRes *r;
    DbVal p[] = {dbv_int(user_id)};
    /* One read for the user and the access version; roles and departments
     * come from the cache unless something changed them since. */
    if (db_query(c->db,
                 "SELECT id, department_id, username, name, lang, (SELECT value FROM sequences WHERE name = 'acl')"
                 " FROM users WHERE id = $1 AND active = 1 AND deleted_at IS NULL",
                 p, 1, &r) != DB_OK) {
        ctx_fail(c, GX_EDB, "cannot load user");
        return NULL;
    }
    AuthUser u = {0};
    if (db_next(r) == 1) {
        u.found = true;
        u.id = db_int(r, 0);
        u.department_id = db_isnull(r, 1) ? 0 : db_int(r, 1);
        u.username = arena_strdup(c->arena, db_text(r, 2));
        u.name = arena_strdup(c->arena, db_text(r, 3));
        u.lang = db_text(r, 4) ? arena_strdup(c->arena, db_text(r, 4)) : NULL;
        u.access_version = db_isnull(r, 5) ? 0 : db_int(r, 5);
    }
    db_done(r);
    return acl_load_user(c, &u);
}

Principal *acl_load_user(Ctx *c, const AuthUser *u)
{
    if (!u->found) {
        ctx_fail(c, GX_EAUTH, "Not logged in");
        return NULL;
    }
    Principal *pr = arena_alloc(c->arena, sizeof *pr);
    pr->user_id = u->id;
    pr->department_id = u->department_id;
    pr->username = u->username;
    pr->name = u->name;
    pr->lang = u->lang ? u->lang : "zh";
    pr->lang_chosen = u->lang != NULL;
    if (access_from_cache(c, pr, u->access_version))
        return pr;
    if (!load_access(c, pr)) {
        acl_release(pr);
        return NULL;
    }
    access_to_cache(pr, u->access_version);
    return pr;
}

void acl_release(Principal *p)
{
    if (!p)
        return;
    json_decref(p->perms);
    json_decref(p->field_rules);
    p->perms = p->field_rules = NULL;
}

bool acl_is_admin(const Ctx *c) { return !c->who || c->who->is_admin; }

Scope acl_scope(const Ctx *c, const Entity *e, Action a)
{
    if (!c->who || c->elevated || c->who->is_admin)
        return SCOPE_ALL;
    json_t *acts = json_object_get(c->who->perms, e->name);
    Scope s = (Scope)json_integer_value(json_object_get(acts, acl_action_name(a)));
    /* Records without owners have no own/department: any grant is all. */
    if (!e->owned && s != SCOPE_NONE)
        s = SCOPE_ALL;
    return s;
}

/* The scope condition itself (no leading AND). */
static void scope_condition(Ctx *c, Scope s, Sql *q)
{
    switch (s) {
    case SCOPE_ALL: sql_raw(q, "1=1"); return;
    case SCOPE_NONE: sql_raw(q, "1=0"); return;
    case SCOPE_OWN:
        sql_raw(q, "owner_id = ");
        sql_param(q, dbv_int(c->who->user_id));
        return;
    case SCOPE_DEPT:
        if (!c->who->department_id) {
            sql_raw(q, "owner_id = ");
            sql_param(q, dbv_int(c->who->user_id));
            return;
        }
        sql_raw(q, "department_id = ");
        sql_param(q, dbv_int(c->who->department_id));
        return;
    case SCOPE_DEPT_TREE:
        if (!c->who->ndept_tree) {
            sql_raw(q, "owner_id = ");
            sql_param(q, dbv_int(c->who->user_id));
            return;
        }
        sql_raw(q, "department_id IN (");
        for (int i = 0; i < c->who->ndept_tree; i++) {
            if (i)
                sql_raw(q, ", ");
            sql_param(q, dbv_int(c->who->dept_tree[i]));
        }
        sql_raw(q, ")");
        return;
    }
}

void acl_scope_predicate(Ctx *c, const Entity *e, Action a, Sql *q)
{
    Scope s = acl_scope(c, e, a);
    if (s == SCOPE_ALL)
        return;
    bool pool_rule = a == ACT_READ && s != SCOPE_NONE && c->who->npools > 0 && meta_field(e, "pool_id");
    if (!pool_rule) {
        sql_raw(q, " AND ");
        scope_condition(c, s, q);
        return;
    }
    sql_raw(q, " AND ((");
    scope_condition(c, s, q);
    sql_raw(q, ") OR (owner_id IS NULL AND pool_id IN (");
    for (int i = 0; i < c->who->npools; i++) {
        if (i)
            sql_raw(q, ", ");
        sql_param(q, dbv_int(c->who->pools[i]));
    }
    sql_raw(q, ")))");
}

int acl_scope_keys(const Ctx *c, const Entity *e, Action a, AclKey *keys, int max)
{
    Scope s = acl_scope(c, e, a);
    if (s == SCOPE_ALL)
        return -1;
    if (s == SCOPE_NONE)
        return 0;
    int n = 0;
#define KEY(k, v)                                                                                                      \
    do {                                                                                                               \
        if (n == max)                                                                                                  \
            return -1;                                                                                                 \
        keys[n++] = (AclKey){k, v};                                                                                    \
    } while (0)
    /* As scope_condition. */
    if (s == SCOPE_OWN || (s == SCOPE_DEPT && !c->who->department_id) || (s == SCOPE_DEPT_TREE && !c->who->ndept_tree))
        KEY('o', c->who->user_id);
    else if (s == SCOPE_DEPT)
        KEY('d', c->who->department_id);
    else
        for (int i = 0; i < c->who->ndept_tree; i++)
            KEY('d', c->who->dept_tree[i]);
    /* As acl_scope_predicate's pool rule. */
    if (a == ACT_READ && c->who->npools > 0 && meta_field(e, "pool_id"))
        for (int i = 0; i < c->who->npools; i++)
            KEY('p', c->who->pools[i]);
#undef KEY
    return n;
}

bool acl_row_in_scope(const Ctx *c, const Entity *e, Action a, int64_t owner_id, int64_t department_id)
{
    Scope s = acl_scope(c, e, a);
    switch (s) {
    case SCOPE_ALL: return true;
    case SCOPE_NONE: return false;
    case SCOPE_OWN: return owner_id == c->who->user_id;
    case SCOPE_DEPT:
        return c->who->department_id ? department_id == c->who->department_id : owner_id == c->who->user_id;
    case SCOPE_DEPT_TREE:
        if (!c->who->ndept_tree)
            return owner_id == c->who->user_id;
        for (int i = 0; i < c->who->ndept_tree; i++)
            if (c->who->dept_tree[i] == department_id)
                return true;
        return false;
    }
    return false;
}

bool acl_fields_unruled(const Ctx *c, const Entity *e)
{
    if (!c->who || c->elevated || c->who->is_admin)
        return true;
    return json_object_size(json_object_get(c->who->field_rules, e->name)) == 0;
}

void acl_hidden_fields(const Ctx *c, const Entity *e, bool *hidden)
{
    for (int i = 0; e->has_hidden && c->who && i < e->nfields; i++)
        hidden[i] = e->fields[i].hidden;
    if (!c->who || c->elevated || c->who->is_admin)
        return;
    /* The rules the user's roles set on e: a few names, looked up once
     * each, instead of each of e's fields looked up in them. */
    const char *name;
    json_t *rule;
    json_object_foreach(json_object_get(c->who->field_rules, e->name), name, rule)
    {
        const char *r = json_string_value(rule);
        const Field *f = r && !strcmp(r, "hidden") ? meta_field(e, name) : NULL;
        if (f)
            hidden[f - e->fields] = true;
    }
}

FieldAccess acl_field(const Ctx *c, const Entity *e, const char *field)
{
    /* A replaced field (metadata "hidden") is hidden from every user; only
     * system code (no user) still reads its column. */
    if (e->has_hidden && c->who) {
        const Field *f = meta_field(e, field);
        if (f && f->hidden)
            return FIELD_HIDDEN;
    }
    if (!c->who || c->elevated || c->who->is_admin)
        return FIELD_RW;
    const char *r = json_string_value(json_object_get(json_object_get(c->who->field_rules, e->name), field));
    if (!r)
        return FIELD_RW;
    if (!strcmp(r, "hidden"))
        return FIELD_HIDDEN;
    if (!strcmp(r, "readonly"))
        return FIELD_RO;
    return FIELD_RW;
}
