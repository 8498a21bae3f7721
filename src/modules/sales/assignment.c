/* assignment.c — territories: assignment rules (分配规则) that give new
 * leads and customers an owner automatically.
 *
 * When the rules apply (the contract, also in sales.h):
 *   - a lead or customer is created WITHOUT an owner_id in its input (an
 *     explicit owner, whoever sends it, is always kept), and
 *   - the creator is someone who hands records out rather than works them:
 *     the system (no user: jobs, CLI), or a user whose role may assign the
 *     entity (assign scope other than none: administrators, sales managers,
 *     marketers). This covers the API, CSV imports and the form with the
 *     owner left empty. A sales rep (no assign permission) who creates a
 *     customer owns it, as before.
 * The active rules of the entity are tried by priority (sort, then id); the
 * first whose conditions all hold assigns. Conditions: region (the rule's
 * region or any region below it), industry, source; an empty condition
 * matches anything. A rule whose user is disabled, or whose round-robin
 * department has no active user, is skipped. No rule matches: the creator
 * stays the owner.
 *
 * Everything happens in the create's transaction (an after-create hook):
 * the owner change is a record_update (revision history, audit "update",
 * the new owner's "assignment" notification, pool clocks), plus an audit
 * row "assign_rule" naming the rule. Round robin keeps its state in the
 * rule's row (last_user_id): the row is locked by an UPDATE before it is
 * read, so concurrent creates — on one server or several on PostgreSQL —
 * queue on it and each takes the next user. */
#include <string.h>

#include "../../acl/acl.h"
#include "../../record/record.h"
#include "../modules.h"
#include "../reminders.h"
#include "sales.h"

/* One rule as read for matching. */
typedef struct Rule {
    int64_t id;                 /* assignment_rules.id */
    const char *name;           /* its name */
    int64_t region, industry, source; /* conditions, 0 = any */
    bool round_robin;           /* target round_robin (else user) */
    int64_t user;               /* target user */
    int64_t team;               /* round-robin department */
} Rule;

/* Does the rule's region contain region (itself or an ancestor of it)? */
static GxErr region_within(Ctx *c, int64_t region, int64_t rule_region, bool *yes)
{
    *yes = false;
    int64_t cur = region;
    for (int depth = 0; cur && depth < 32; depth++) { /* 32: regions are shallow; a cycle stops here */
        if (cur == rule_region) {
            *yes = true;
            return GX_OK;
        }
        DbVal p[] = {dbv_int(cur)};
        int64_t parent = 0;
        bool found = false;
        if (db_query_int(c->db, "SELECT parent_id FROM regions WHERE id = $1", p, 1, &parent, &found) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read regions: %s", db_errmsg(c->db));
        cur = found ? parent : 0;
    }
    return GX_OK;
}

static int64_t int_of(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* Is user an active, live user? */
static bool user_active(Ctx *c, int64_t user)
{
    DbVal p[] = {dbv_int(user)};
    int64_t one = 0;
    bool found = false;
    return db_query_int(c->db, "SELECT 1 FROM users WHERE id = $1 AND active = 1 AND deleted_at IS NULL", p, 1, &one,
                        &found) == DB_OK &&
           found;
}

/* The next user of a round robin over the active users of department team
 * after last (ids ascending, wrapping); 0 when the department has none. */
static GxErr next_in_team(Ctx *c, int64_t team, int64_t last, int64_t *user)
{
    *user = 0;
    bool found = false;
    DbVal p[] = {dbv_int(team), dbv_int(last)};
    if (db_query_int(c->db,
                     "SELECT min(id) FROM users WHERE department_id = $1 AND active = 1 AND deleted_at IS NULL AND"
                     " id > $2",
                     p, 2, user, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the team: %s", db_errmsg(c->db));
    if (found && *user)
        return GX_OK;
    if (db_query_int(c->db, "SELECT min(id) FROM users WHERE department_id = $1 AND active = 1 AND deleted_at IS NULL",
                     p, 1, user, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the team: %s", db_errmsg(c->db));
    if (!found)
        *user = 0;
    return GX_OK;
}

/* The active rules of entity in priority order; *out arena array, *n count. */
static GxErr rules_of(Ctx *c, const char *entity, Rule **out, int *n)
{
    *out = NULL;
    *n = 0;
    DbRes *r;
    DbVal p[] = {dbv_text(entity)};
    if (db_query(c->db,
                 "SELECT id, name, region_id, industry_id, source_id, target, user_id, team_department_id FROM"
                 " assignment_rules WHERE entity = $1 AND active = 1 AND deleted_at IS NULL ORDER BY sort, id",
                 p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the assignment rules: %s", db_errmsg(c->db));
    int cap = 0;
    int rc;
    while ((rc = db_next(r)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            Rule *grown = arena_alloc(c->arena, (size_t)cap * sizeof *grown);
            if (*n)
                memcpy(grown, *out, (size_t)*n * sizeof *grown);
            *out = grown;
        }
        Rule *x = &(*out)[(*n)++];
        x->id = db_int(r, 0);
        x->name = arena_strdup(c->arena, db_text(r, 1) ? db_text(r, 1) : "");
        x->region = db_isnull(r, 2) ? 0 : db_int(r, 2);
        x->industry = db_isnull(r, 3) ? 0 : db_int(r, 3);
        x->source = db_isnull(r, 4) ? 0 : db_int(r, 4);
        x->round_robin = db_text(r, 5) && !strcmp(db_text(r, 5), "round_robin");
        x->user = db_isnull(r, 6) ? 0 : db_int(r, 6);
        x->team = db_isnull(r, 7) ? 0 : db_int(r, 7);
    }
    db_done(r);
    if (rc < 0)
        return ctx_fail(c, GX_EDB, "cannot read the assignment rules: %s", db_errmsg(c->db));
    return GX_OK;
}

/* Do the rule's conditions hold for facts {region_id, industry_id, source_id}? */
static GxErr rule_matches(Ctx *c, const Rule *x, json_t *facts, bool *yes)
{
    *yes = false;
    if (x->industry && int_of(facts, "industry_id") != x->industry)
        return GX_OK;
    if (x->source && int_of(facts, "source_id") != x->source)
        return GX_OK;
    if (x->region) {
        int64_t region = int_of(facts, "region_id");
        if (!region)
            return GX_OK;
        return region_within(c, region, x->region, yes);
    }
    *yes = true;
    return GX_OK;
}

/* Find the rule for facts and its user. With advance, a round-robin rule
 * takes its turn (the row is locked and updated: call inside the write
 * transaction); without, *user is who would be next. *rule is NULL when no
 * rule assigns. */
static GxErr pick(Ctx *c, const char *entity, json_t *facts, bool advance, const Rule **rule, int64_t *user)
{
    *rule = NULL;
    *user = 0;
    Rule *rules;
    int n;
    GxErr rc = rules_of(c, entity, &rules, &n);
    if (rc)
        return rc;
    for (int i = 0; i < n; i++) {
        bool yes;
        if ((rc = rule_matches(c, &rules[i], facts, &yes)))
            return rc;
        if (!yes)
            continue;
        if (!rules[i].round_robin) {
            if (rules[i].user && user_active(c, rules[i].user)) {
                *rule = &rules[i];
                *user = rules[i].user;
                if (advance) {
                    DbVal p[] = {dbv_int(rules[i].id)};
                    if (db_exec(c->db, "UPDATE assignment_rules SET assigned_count = assigned_count + 1 WHERE id = $1",
                                p, 1) != DB_OK)
                        return ctx_fail(c, GX_EDB, "cannot count the assignment: %s", db_errmsg(c->db));
                }
                return GX_OK;
            }
            continue;
        }
        if (!rules[i].team)
            continue;
        DbVal p[] = {dbv_int(rules[i].id)};
        /* Lock the rule's row first (PostgreSQL: concurrent creates wait
         * here; SQLite: the create already holds the write lock), then read
         * the state the previous holder committed. */
        if (advance && db_exec(c->db, "UPDATE assignment_rules SET last_user_id = last_user_id WHERE id = $1", p, 1) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot lock the assignment rule: %s", db_errmsg(c->db));
        int64_t last = 0;
        bool found = false;
        if (db_query_int(c->db, "SELECT coalesce(last_user_id, 0) FROM assignment_rules WHERE id = $1", p, 1, &last,
                         &found) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read the assignment rule: %s", db_errmsg(c->db));
        int64_t next;
        if ((rc = next_in_team(c, rules[i].team, last, &next)))
            return rc;
        if (!next)
            continue;
        if (advance) {
            DbVal u[] = {dbv_int(next), dbv_int(rules[i].id)};
            if (db_exec(c->db,
                        "UPDATE assignment_rules SET last_user_id = $1, assigned_count = assigned_count + 1 WHERE id = $2",
                        u, 2) != DB_OK)
                return ctx_fail(c, GX_EDB, "cannot advance the round robin: %s", db_errmsg(c->db));
        }
        *rule = &rules[i];
        *user = next;
        return GX_OK;
    }
    return GX_OK;
}

/* Do the rules apply to this create? (see the file comment) */
static bool rules_apply(Ctx *c, const Entity *e, json_t *input)
{
    if (json_object_get(input, "owner_id"))
        return false;
    if (!c->who)
        return true;
    Ctx plain = *c; /* the user's own permission, not a module's elevation */
    plain.elevated = false;
    return acl_scope(&plain, e, ACT_ASSIGN) != SCOPE_NONE;
}

/* After a lead or customer is stored (same transaction): assign it. */
static GxErr on_create(Ctx *c, HookArgs *a)
{
    if (!meta_entity("assignment_rules") || !rules_apply(c, a->e, a->input))
        return GX_OK;
    const Rule *rule;
    int64_t user;
    GxErr rc = pick(c, a->e->name, a->result, true, &rule, &user);
    if (rc || !rule)
        return rc;
    int64_t old_owner = int_of(a->result, "owner_id");
    if (user != old_owner) {
        Ctx w = *c;
        w.elevated = true; /* the organisation's rule, not the creator's scope */
        json_t *in = json_pack("{s:I, s:O}", "owner_id", (json_int_t)user, "version", json_object_get(a->result, "version"));
        json_t *out = NULL;
        rc = record_update(&w, a->e, a->id, in, &out);
        json_decref(in);
        c->err = w.err;
        c->err_code = w.err_code;
        c->err_msg = w.err_msg;
        c->err_fields = w.err_fields;
        if (rc)
            return rc;
        json_object_update(a->result, out);
        json_decref(out);
    }
    json_t *d = json_pack("{s:I, s:s, s:[oI]}", "rule_id", (json_int_t)rule->id, "rule", rule->name, "owner_id",
                          old_owner ? json_integer(old_owner) : json_null(), (json_int_t)user);
    rc = audit_write(c, "assign_rule", a->e->name, a->id, d);
    json_decref(d);
    if (rc)
        return rc;
    /* A user creating it got the "assignment" notification from the owner
     * change (reminders.c); the system has no name to give, so say it here. */
    if (!c->who && user != old_owner) {
        const char *t = a->e->title_field ? json_string_value(json_object_get(a->result, a->e->title_field)) : NULL;
        const char *title = arena_printf(c->arena, "分配规则「%s」把%s「%s」分配给了你", rule->name,
                                         a->e->singular.zh ? a->e->singular.zh : a->e->name, t ? t : "");
        return notify_user(c, user, "assignment", title, NULL, a->e->name, a->id, NULL);
    }
    return GX_OK;
}

/* The merged value of field k: the input's if given, else the stored one. */
static json_t *merged(HookArgs *a, const char *k)
{
    json_t *v = json_object_get(a->input, k);
    return v ? v : json_object_get(a->old, k);
}

/* Before a rule is stored: the target must name who gets the records. */
static GxErr check_rule(Ctx *c, HookArgs *a)
{
    const char *target = json_string_value(merged(a, "target"));
    if (!target && !a->old)
        target = "user"; /* the default */
    json_t *user = merged(a, "user_id"), *team = merged(a, "team_department_id");
    if (target && !strcmp(target, "user") && !json_is_integer(user))
        ctx_field(c, "user_id", "is required when the rule assigns to a user");
    if (target && !strcmp(target, "round_robin") && !json_is_integer(team))
        ctx_field(c, "team_department_id", "is required for a round robin");
    return c->err;
}

GxErr assignment_preview(Ctx *c, const char *entity, json_t *facts, json_t **out)
{
    *out = NULL;
    if (!acl_is_admin(c))
        return ctx_fail(c, GX_EDENIED, "Only administrators may preview assignment rules");
    if (!entity || (strcmp(entity, "leads") && strcmp(entity, "customers"))) {
        ctx_field(c, "entity", "must be leads or customers");
        return c->err;
    }
    static const char *keys[] = {"region_id", "industry_id", "source_id"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *v = json_object_get(facts, keys[i]);
        if (v && !json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) <= 0))
            ctx_field(c, keys[i], "must be an id");
    }
    if (c->err)
        return c->err;
    const Rule *rule;
    int64_t user;
    GxErr rc = pick(c, entity, facts, false, &rule, &user);
    if (rc)
        return rc;
    if (!rule) {
        *out = json_pack("{s:n, s:n}", "rule", "user");
        return GX_OK;
    }
    char *name = NULL;
    DbVal p[] = {dbv_int(user)};
    if (db_query_text(c->db, c->arena, "SELECT name FROM users WHERE id = $1", p, 1, &name) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the user");
    *out = json_pack("{s:{s:I, s:s, s:s}, s:{s:I, s:s?}}", "rule", "id", (json_int_t)rule->id, "name", rule->name,
                     "target", rule->round_robin ? "round_robin" : "user", "user", "id", (json_int_t)user, "name", name);
    return GX_OK;
}

GxErr assignment_rule_move(Ctx *c, int64_t id, bool up)
{
    if (!acl_is_admin(c))
        return ctx_fail(c, GX_EDENIED, "Only administrators may reorder assignment rules");
    const Entity *e = meta_entity("assignment_rules");
    json_t *rule;
    GxErr rc = record_get(c, e, id, &rule);
    if (rc)
        return rc;
    DbVal p[] = {dbv_text(json_string_value(json_object_get(rule, "entity")))};
    json_decref(rule);
    DbRes *r;
    if (db_query(c->db,
                 "SELECT id, sort, version FROM assignment_rules WHERE entity = $1 AND deleted_at IS NULL ORDER BY"
                 " sort, id",
                 p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the assignment rules: %s", db_errmsg(c->db));
    int64_t ids[512], sorts[512], versions[512];
    int n = 0, at = -1;
    while (db_next(r) == 1 && n < 512) {
        ids[n] = db_int(r, 0);
        sorts[n] = db_isnull(r, 1) ? 0 : db_int(r, 1);
        versions[n] = db_int(r, 2);
        if (ids[n] == id)
            at = n;
        n++;
    }
    db_done(r);
    int other = up ? at - 1 : at + 1;
    if (at < 0 || other < 0 || other >= n)
        return GX_OK; /* already first / last */
    int64_t t = ids[at];
    ids[at] = ids[other];
    ids[other] = t;
    t = versions[at];
    versions[at] = versions[other];
    versions[other] = t;
    t = sorts[at];
    sorts[at] = sorts[other];
    sorts[other] = t;
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    for (int i = 0; i < n && !rc; i++) {
        if (sorts[i] == (i + 1) * 10)
            continue;
        json_t *in = json_pack("{s:I, s:I}", "sort", (json_int_t)(i + 1) * 10, "version", (json_int_t)versions[i]);
        json_t *out = NULL;
        rc = record_update(c, e, ids[i], in, &out);
        json_decref(in);
        json_decref(out);
    }
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    if (db_commit(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot commit");
    return GX_OK;
}

void assignment_module_init(void)
{
    if (!meta_entity("assignment_rules"))
        return;
    record_hook_add("leads", HOOK_AFTER_CREATE, on_create);
    record_hook_add("customers", HOOK_AFTER_CREATE, on_create);
    record_hook_add("assignment_rules", HOOK_BEFORE_CREATE, check_rule);
    record_hook_add("assignment_rules", HOOK_BEFORE_UPDATE, check_rule);
}
