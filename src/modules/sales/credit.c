/* credit.c — customers' credit limits (信用额度): who may set them (the
 * built-in sales rep role reads them only: a field rule), and
 * (with the orders of sales) the check that sends an order over the limit
 * to a manager for approval. Module registration of the "credit" area
 * (approvals, credit limit, deliveries, returns, quote PDF). */
#include <string.h>

#include "../../acl/acl.h"
#include "../../record/record.h"
#include "../modules.h"
#include "approvals.h"
#include "sales.h"

/* Migration 4: on an existing database the built-in sales rep role learns
 * that credit limits are not theirs to set (a new database gets the rule
 * with the role, setup.c). An administrator's own rule for the field is
 * kept. */
static GxErr rep_credit_limit_readonly(Ctx *c, bool fresh)
{
    if (fresh)
        return GX_OK;
    int64_t id = setup_role_id(c, "sales_rep");
    if (!id)
        return GX_OK;
    const Entity *roles = meta_entity("roles");
    json_t *cur = NULL;
    GxErr rc = record_get(c, roles, id, &cur);
    if (rc)
        return rc;
    json_t *rules = json_object_get(cur, "field_rules");
    rules = json_is_object(rules) ? json_deep_copy(rules) : json_object();
    json_t *cust = json_object_get(rules, "customers");
    if (!json_is_object(cust)) {
        cust = json_object();
        json_object_set_new(rules, "customers", cust);
    }
    if (json_object_get(cust, "credit_limit")) {
        json_decref(rules);
        json_decref(cur);
        return GX_OK;
    }
    json_object_set_new(cust, "credit_limit", json_string("readonly"));
    json_t *in = json_pack("{s:o, s:O}", "field_rules", rules, "version", json_object_get(cur, "version")), *out = NULL;
    rc = record_update(c, roles, id, in, &out);
    json_decref(in);
    json_decref(out);
    json_decref(cur);
    return rc;
}

void sales_credit_module_init(void)
{
    approvals_module_init();
    ddl_step_add(4, "sales rep: customers' credit limits read-only", rep_credit_limit_readonly);
}
