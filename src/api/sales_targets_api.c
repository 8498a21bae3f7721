/* sales_targets_api.c — endpoints of territories, sales targets and
 * customer value (modules/sales/assignment.c, targets.c, customer_value.c).
 * Rules and targets themselves are records: the generic
 * /api/v1/assignment_rules and /api/v1/sales_targets endpoints. */
#include <string.h>

#include "../modules/sales/sales.h"
#include "api.h"

/* POST /api/v1/assignment_rules/preview {"entity", "region_id",
 * "industry_id", "source_id"} → {"rule", "user"} */
static void h_assignment_preview(Req *r)
{
    json_t *b = api_body(r);
    if (!b)
        return;
    json_t *ent = json_object_get(b, "entity");
    if (ent && !json_is_string(ent)) {
        json_decref(b);
        ctx_field(&r->c, "entity", "must be leads or customers");
        return api_fail(r);
    }
    json_t *out;
    GxErr rc = assignment_preview(&r->c, json_string_value(ent), b, &out);
    json_decref(b);
    if (rc)
        return api_fail(r);
    http_json(r, 200, out);
}

/* GET /api/v1/reports/targets?month=YYYY-MM → target, actual, pct per target */
static void h_targets(Req *r)
{
    json_t *out;
    if (targets_report(&r->c, http_query(r, "month"), &out))
        return api_fail(r);
    http_json(r, 200, out);
}

/* GET /api/v1/reports/customer_value → the value pyramid and RFM segments */
static void h_customer_value(Req *r)
{
    json_t *out;
    if (customer_value_report(&r->c, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

/* POST /api/v1/reports/customer_value/recompute {"aggregates": bool} */
static void h_customer_value_recompute(Req *r)
{
    json_t *b = r->body && r->body_len ? api_body(r) : json_object();
    if (!b)
        return;
    json_t *agg = json_object_get(b, "aggregates");
    if (agg && !json_is_boolean(agg)) {
        json_decref(b);
        ctx_field(&r->c, "aggregates", "must be true or false");
        return api_fail(r);
    }
    json_t *out;
    GxErr rc = customer_value_recompute(&r->c, json_is_true(agg), &out);
    json_decref(b);
    if (rc)
        return api_fail(r);
    http_json(r, 200, out);
}

const Route sales_targets_api_routes[] = {
    {"GET", "/api/v1/reports/targets", h_targets, 0, NULL},
    {"GET", "/api/v1/reports/customer_value", h_customer_value, 0, NULL},
    {"POST", "/api/v1/reports/customer_value/recompute", h_customer_value_recompute, ROUTE_MUTATES, NULL},
    {"POST", "/api/v1/assignment_rules/preview", h_assignment_preview, 0, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
