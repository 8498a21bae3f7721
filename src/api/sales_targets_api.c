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

const Route sales_targets_api_routes[] = {
    {"POST", "/api/v1/assignment_rules/preview", h_assignment_preview, 0, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
