/* setup.c — a new database: migrations, built-in roles, the head office and
 * the administrator; module registration. */
#include <stdio.h>
#include <string.h>

#include "../auth/auth.h"
#include "../jobs/jobs.h"
#include "../record/record.h"
#include "attachments.h"
#include "modules.h"
#include "sales/sales.h"

void users_module_init(void);
void supervision_module_init(void);
void pool_module_init(void);
void reminders_module_init(void);
void dupes_module_init(void);
void import_module_init(void);
void tasks_module_init(void);
void enum_labels_module_init(void);
void membership_module_init(void);
void search_module_init(void);
void china_module_init(void);
void opps_module_init(void);
void sales_money_init(void);
void sales_credit_module_init(void);

static GxErr grants_v3(Ctx *c, bool fresh);
static GxErr grants_v4(Ctx *c, bool fresh);

void modules_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    users_module_init();
    supervision_module_init();
    ddl_step_add(3, "jobs queue", jobs_migration_step);
    /* Sales (migration 4) before the pool: the pool's opportunity hooks
     * read the stage that the opportunity hooks of sales/opps.c set. */
    opps_module_init();
    pool_module_init();
    reminders_module_init();
    dupes_module_init();
    import_module_init();
    tasks_module_init();
    enum_labels_module_init();
    ddl_step_add(3, "customers: pick lists and links", picklists_migrate);
    membership_module_init();
    china_module_init();
    search_module_init();
    assignment_module_init();
    sales_docs_init(); /* quotes and orders (sales/orders.c) */
    sales_money_init(); /* contracts, payments, invoices */
    customer_value_module_init();
    targets_module_init();
    sales_credit_module_init();
    /* Modules of migration 4 (sales) register here, above this line. */
    attachments_module_init(); /* migration 5: files of records */
    /* Keep last: the built-in roles learn the entities a migration adds. */
    ddl_step_add(3, "built-in roles: grants for new entities", grants_v3);
    ddl_step_add(4, "built-in roles: grants for new entities", grants_v4);
    ddl_step_add(ROW_REV_SINCE, "every entity table: row_rev, raised by a trigger on each update", ddl_row_rev_step);
    ddl_step_add(11, "sessions and tokens: the auth version, raised by triggers (auth_lookup remembers)", auth_epoch_step);
}

/* Built-in roles with stable codes (issue #4's contract). Scopes per entity. */
static const char *sales_entities[] = {"customers", "contacts", "leads", "opportunities", "activities", "quotes",
                                       "orders", "contracts", "payments", "tasks", NULL};

/* Products, their categories, competitors and the opportunity stages
 * (sales/opps.c): every sales role reads them, sales managers edit them. */
static const char *sales_catalogue[] = {"products", "product_categories", "competitors", "competitor_products",
                                        "opportunity_stages", NULL};

static json_t *matrix(const char *const *entities, const char *read, const char *write, const char *extra)
{
    json_t *m = json_object();
    for (int i = 0; entities[i]; i++)
        if (meta_entity(entities[i])) /* entities of modules not built yet are left out */
        json_object_set_new(m, entities[i],
                            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "read", read, "create", write, "edit", write,
                                      "delete", write, "export", extra, "import", extra, "assign", extra));
    return m;
}

static void grant(json_t *m, const char *entity, const char *action, const char *scope)
{
    if (!meta_entity(entity))
        return;
    json_t *e = json_object_get(m, entity);
    if (!e) {
        e = json_object();
        json_object_set_new(m, entity, e);
    }
    json_object_set_new(e, action, json_string(scope));
}

/* Payment plans, invoices and their lines (helper "money"): managers keep
 * plans and invoices of their departments; reps keep the plans of their own
 * orders and contracts and read the invoices of them (an invoice is owned by
 * its order's or contract's owner) but do not issue, void or change
 * invoices — that is finance work, done by managers and administrators.
 * Contracts and payments follow sales_entities (reps: their own). */
static void money_grants(json_t *m, const char *scope, bool issue_invoices)
{
    static const char *acts[] = {"read", "create", "edit", "delete", "export", NULL};
    for (int i = 0; acts[i]; i++) {
        grant(m, "payment_plans", acts[i], scope);
        grant(m, "invoices", acts[i], issue_invoices || !strcmp(acts[i], "read") ? scope : "none");
    }
    grant(m, "invoice_lines", "read", scope);
}

/* Deliveries and returns (helper "credit"): read, create, edit (carrier,
 * tracking, notes) and, for managers, export. */
static const char *const credit_moves[] = {"deliveries", "returns", NULL};
static const char *const move_actions[] = {"read", "create", "edit", "export"};

static json_t *builtin_roles(void)
{
    json_t *roles = json_array();
    json_t *m;

    json_array_append_new(roles, json_pack("{s:s, s:s, s:b, s:s}", "code", "admin", "name", "系统管理员 Administrator",
                                           "is_admin", 1, "description", "Everything, including settings and roles."));

    m = matrix(sales_entities, "department_and_below", "department_and_below", "department_and_below");
    /* The catalogue and the stages: sales managers maintain them, reps read them. */
    for (int i = 0; sales_catalogue[i]; i++) {
        static const char *acts[] = {"read", "create", "edit", "delete", "export", "import", NULL};
        for (int k = 0; acts[k]; k++)
            grant(m, sales_catalogue[i], acts[k], "all");
    }
    /* Sales targets: managers set them for their people and departments. */
    {
        static const char *acts[] = {"read", "create", "edit", "delete", "export", "assign", NULL};
        for (int k = 0; acts[k]; k++)
            grant(m, "sales_targets", acts[k], "department_and_below");
    }
    grant(m, "users", "read", "all");
    grant(m, "departments", "read", "all");
    money_grants(m, "department_and_below", true);
    grant(m, "approvals", "read", "department_and_below"); /* approvals.c: decided on /approvals */
    for (int i = 0; credit_moves[i]; i++) /* deliveries and returns (sales/deliveries.c): never deleted */
        for (int k = 0; k < 4; k++)
            grant(m, credit_moves[i], move_actions[k], "department_and_below");
    json_array_append_new(roles, json_pack("{s:s, s:s, s:o, s:s}", "code", "sales_manager", "name", "销售经理 Sales manager",
                                           "permissions", m, "description", "Sales work of their department and below."));

    m = matrix(sales_entities, "own", "own", "own");
    for (int i = 0; sales_entities[i]; i++)
        grant(m, sales_entities[i], "assign", "none");
    for (int i = 0; sales_catalogue[i]; i++)
        grant(m, sales_catalogue[i], "read", "all");
    money_grants(m, "own", false);
    grant(m, "sales_targets", "read", "own"); /* their own targets */
    grant(m, "users", "read", "all");
    grant(m, "departments", "read", "all");
    grant(m, "approvals", "read", "own"); /* their own requests */
    for (int i = 0; credit_moves[i]; i++)
        for (int k = 0; k < 3; k++)
            grant(m, credit_moves[i], move_actions[k], "own");
    json_array_append_new(roles, json_pack("{s:s, s:s, s:o, s:s, s:{s:{s:s}}}", "code", "sales_rep", "name", "销售代表 Sales rep",
                                           "permissions", m, "description", "Their own customers, contacts, leads, opportunities and activities.",
                                           "field_rules", "customers", "credit_limit", "readonly"));

    static const char *service[] = {"tickets", "activities", "knowledge_articles", NULL};
    m = matrix(service, "all", "all", "none");
    grant(m, "customers", "read", "all");
    grant(m, "contacts", "read", "all");
    grant(m, "products", "read", "all");
    grant(m, "product_categories", "read", "all");
    grant(m, "users", "read", "all");
    grant(m, "departments", "read", "all");
    json_array_append_new(roles, json_pack("{s:s, s:s, s:o, s:s}", "code", "service_agent", "name", "客服专员 Service agent",
                                           "permissions", m, "description", "Tickets and the knowledge base; reads customers."));

    static const char *desk[] = {"members", "bookings", "checkouts", "resources", NULL};
    m = matrix(desk, "all", "all", "none");
    /* Administrators manage resources and member types; the desk reads them. */
    grant(m, "resources", "create", "none");
    grant(m, "resources", "edit", "none");
    grant(m, "resources", "delete", "none");
    grant(m, "member_types", "read", "all");
    grant(m, "checkout_lines", "read", "all");
    grant(m, "member_ledger", "read", "all");
    grant(m, "checkouts", "export", "all");
    grant(m, "customers", "read", "all");
    grant(m, "customers", "create", "all");
    grant(m, "customers", "edit", "all");
    grant(m, "users", "read", "all");
    grant(m, "departments", "read", "all");
    json_array_append_new(roles, json_pack("{s:s, s:s, s:o, s:s}", "code", "front_desk", "name", "前台 Front desk",
                                           "permissions", m, "description", "Members, bookings and checkout."));

    static const char *mkt[] = {"campaigns", "leads", NULL};
    m = matrix(mkt, "all", "all", "all");
    grant(m, "customers", "read", "all");
    grant(m, "customers", "export", "all");
    grant(m, "contacts", "read", "all");
    grant(m, "contacts", "export", "all");
    grant(m, "users", "read", "all");
    grant(m, "departments", "read", "all");
    json_array_append_new(roles, json_pack("{s:s, s:s, s:o, s:s}", "code", "marketer", "name", "市场专员 Marketer",
                                           "permissions", m, "description", "Campaigns and leads; reads and exports customers."));
    /* Everyone reads and marks their own notifications. */
    size_t i;
    json_t *role;
    json_array_foreach(roles, i, role)
    {
        json_t *perm = json_object_get(role, "permissions");
        if (!perm)
            continue;
        grant(perm, "notifications", "read", "own");
        /* Pick lists: everyone reads them (link pickers, labels); only
         * administrators change them. */
        static const char *picklists[] = {"customer_types", "customer_sources", "industries", "regions", NULL};
        for (int k = 0; picklists[k]; k++)
            grant(perm, picklists[k], "read", "all");
        grant(perm, "notifications", "edit", "own");
        grant(perm, "notifications", "delete", "own");
        /* Managers list the comments of their people; others read comments
         * through the records they can see. */
        const char *act_read = json_string_value(json_object_get(json_object_get(perm, "activities"), "read"));
        if (act_read && !strcmp(act_read, "department_and_below"))
            grant(perm, "comments", "read", "department_and_below");
    }
    return roles;
}

/* An existing database gains entities in migration v: give the built-in
 * roles that still exist (by code) their built-in grants for those entities,
 * leaving every entity they already have rules for as the administrator set
 * it. A new database gets the full roles after its migrations instead. */
static GxErr grant_new_entities(Ctx *c, int v)
{
    json_t *roles = builtin_roles();
    GxErr rc = GX_OK;
    size_t i;
    json_t *role;
    json_array_foreach(roles, i, role)
    {
        json_t *want = json_object_get(role, "permissions");
        int64_t id = setup_role_id(c, json_string_value(json_object_get(role, "code")));
        if (!want || !id)
            continue;
        json_t *cur = NULL;
        if ((rc = record_get(c, meta_entity("roles"), id, &cur)))
            break;
        json_t *perm = json_object_get(cur, "permissions");
        perm = json_is_object(perm) ? json_deep_copy(perm) : json_object();
        bool changed = false;
        const char *ent;
        json_t *grants;
        json_object_foreach(want, ent, grants)
        {
            const Entity *e = meta_entity(ent);
            if (e && e->since == v && !json_object_get(perm, ent)) {
                json_object_set(perm, ent, grants);
                changed = true;
            }
        }
        if (changed) {
            json_t *in = json_pack("{s:o, s:O}", "permissions", perm, "version", json_object_get(cur, "version")), *out = NULL;
            rc = record_update(c, meta_entity("roles"), id, in, &out);
            json_decref(in);
            json_decref(out);
        } else {
            json_decref(perm);
        }
        json_decref(cur);
        if (rc)
            break;
    }
    json_decref(roles);
    return rc;
}

static GxErr grants_v3(Ctx *c, bool fresh) { return fresh ? GX_OK : grant_new_entities(c, 3); }
static GxErr grants_v4(Ctx *c, bool fresh) { return fresh ? GX_OK : grant_new_entities(c, 4); }

int64_t setup_role_id(Ctx *c, const char *code)
{
    int64_t id = 0;
    bool found = false;
    DbVal p[] = {dbv_text(code)};
    db_query_int(c->db, "SELECT id FROM roles WHERE code = $1 AND deleted_at IS NULL", p, 1, &id, &found);
    return found ? id : 0;
}

GxErr setup_user(Ctx *c, const char *username, const char *name, const char *password, int64_t department_id,
                 const char *const *role_codes, int64_t *id)
{
    json_t *roles = json_array();
    for (int i = 0; role_codes && role_codes[i]; i++) {
        int64_t rid = setup_role_id(c, role_codes[i]);
        if (!rid) {
            json_decref(roles);
            return ctx_fail(c, GX_EINVALID, "unknown role '%s'", role_codes[i]);
        }
        json_array_append_new(roles, json_integer(rid));
    }
    json_t *in = json_pack("{s:s, s:s, s:s, s:o}", "username", username, "name", name, "password", password, "role_ids", roles);
    if (department_id)
        json_object_set_new(in, "department_id", json_integer(department_id));
    json_t *out;
    GxErr rc = record_create(c, meta_entity("users"), in, &out);
    json_decref(in);
    if (rc)
        return rc;
    if (id)
        *id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    return GX_OK;
}

GxErr setup_database(Ctx *c, const char *admin_password, char **generated)
{
    modules_init();
    GxErr rc = meta_migrate(c);
    if (rc)
        return rc;
    if (generated)
        *generated = NULL;
    int64_t n = 0;
    bool found;
    if (db_query_int(c->db, "SELECT count(*) FROM roles", NULL, 0, &n, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read roles");
    if (n > 0)
        return GX_OK; /* already set up */
    json_t *roles = builtin_roles();
    size_t i;
    json_t *role;
    json_array_foreach(roles, i, role)
    {
        json_t *out;
        if ((rc = record_create(c, meta_entity("roles"), role, &out))) {
            json_decref(roles);
            return rc;
        }
        json_decref(out);
    }
    json_decref(roles);
    json_t *dept = json_pack("{s:s, s:s}", "name", "总公司", "code", "HQ"), *out;
    rc = record_create(c, meta_entity("departments"), dept, &out);
    json_decref(dept);
    if (rc)
        return rc;
    int64_t hq = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    const char *pw = admin_password;
    if (!pw) {
        char *t = auth_new_token(c, NULL);
        t[16] = 0;
        pw = t;
        if (generated)
            *generated = t;
    }
    static const char *admin_roles[] = {"admin", NULL};
    int64_t admin_id;
    if ((rc = setup_user(c, "admin", "系统管理员", pw, hq, admin_roles, &admin_id)))
        return rc;
    DbVal p[] = {dbv_int(admin_id), dbv_int(hq)};
    if (db_exec(c->db, "UPDATE departments SET manager_id = $1 WHERE id = $2", p, 2) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot set the head office manager");
    return GX_OK;
}
