/* leads_api.c — lead conversion over the API:
 *   POST /api/v1/leads/{id}/convert {"create_opportunity": bool, "customer_id": optional}
 *   POST /api/v1/leads/convert {"ids": [...], "create_opportunity": bool} (bulk) */
#include <string.h>

#include "../modules/modules.h"
#include "api.h"

/* Read an optional boolean member; false with a field error if it is not one. */
static bool opt_bool(Req *r, json_t *b, const char *name, bool *out)
{
    json_t *v = json_object_get(b, name);
    *out = false;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_boolean(v)) {
        ctx_field(&r->c, name, "must be true or false");
        return false;
    }
    *out = json_is_true(v);
    return true;
}

static void act_convert(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    json_t *b = api_body(r);
    if (!b)
        return;
    bool opp;
    int64_t customer_id = 0;
    json_t *cv = json_object_get(b, "customer_id");
    bool ok = opt_bool(r, b, "create_opportunity", &opp);
    if (cv && !json_is_null(cv)) {
        if (!json_is_integer(cv) || json_integer_value(cv) <= 0) {
            ctx_field(&r->c, "customer_id", "must be a record id (positive integer)");
            ok = false;
        } else {
            customer_id = json_integer_value(cv);
        }
    }
    json_decref(b);
    if (!ok)
        return api_fail(r);
    json_t *out;
    if (leads_convert(&r->c, id, opp, customer_id, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

void api_leads_convert_many(Req *r)
{
    json_t *b = api_body(r);
    if (!b)
        return;
    bool opp;
    json_t *out = NULL;
    if (!opt_bool(r, b, "create_opportunity", &opp) ||
        leads_convert_many(&r->c, json_object_get(b, "ids"), opp, &out)) {
        json_decref(b);
        return api_fail(r);
    }
    json_decref(b);
    http_json(r, 200, out);
}

/* GET /api/v1/picklists: the enum fields whose options administrators edit,
 * with every option's code, labels, order and whether it is offered. */
void api_picklists(Req *r)
{
    const Entity *es[32];
    const Field *fs[32];
    int n = enum_labels_fields(es, fs, 32);
    json_t *data = json_array();
    for (int i = 0; i < n; i++) {
        if (acl_scope(&r->c, es[i], ACT_READ) == SCOPE_NONE)
            continue;
        EnumLabel *zh, *en;
        int k = enum_labels_options(&r->c, fs[i], "zh", &zh);
        enum_labels_options(&r->c, fs[i], "en", &en);
        json_t *opts = json_array();
        for (int j = 0; j < k; j++)
            json_array_append_new(opts, json_pack("{s:s, s:{s:s, s:s}, s:I, s:b}", "value", zh[j].value, "labels", "zh",
                                                  zh[j].label, "en", en[j].label, "sort", (json_int_t)zh[j].sort,
                                                  "active", zh[j].active));
        json_array_append_new(
            data, json_pack("{s:s, s:s, s:o}", "entity", es[i]->name, "field", fs[i]->name, "options", opts));
    }
    http_json(r, 200, json_pack("{s:o}", "data", data));
}

/* PATCH /api/v1/picklists/{entity_name}/{field} {value: {"zh", "en", "sort", "active"}} */
void api_picklist_update(Req *r)
{
    const Entity *e = meta_entity(http_param(r, "entity_name"));
    const Field *f = e ? meta_field(e, http_param(r, "field")) : NULL;
    if (!enum_labels_editable(e, f)) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such pick list");
        return api_fail(r);
    }
    json_t *b = api_body(r);
    if (!b)
        return;
    GxErr rc = enum_labels_save(&r->c, e, f, b);
    json_decref(b);
    if (rc)
        return api_fail(r);
    api_picklists(r);
}

void leads_api_init(void)
{
    api_action_register("leads", "convert", act_convert,
                        "Convert a lead (线索转化) into a customer — or attach it to an existing one with"
                        " \"customer_id\" — plus a contact and, with \"create_opportunity\": true, an opportunity, in"
                        " one transaction. Answers {\"customer_id\", \"contact_id\", \"opportunity_id\"}. The lead"
                        " is marked converted and its activities and tasks move to the customer. 409 if the lead was"
                        " converted before; 404 if it is outside your scope.");
}
