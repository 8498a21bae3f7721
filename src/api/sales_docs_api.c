/* sales_docs_api.c — the actions of quotes and orders beyond CRUD:
 *   POST /api/v1/quotes/{id}/revise            → 201 the new revision
 *   POST /api/v1/quotes/{id}/convert           → 201 {"order_id"}
 *   POST /api/v1/orders/{id}/transition {"to"} → 200 the order
 * Create, read, update and delete go through the generic endpoints (the
 * module's record hooks handle "lines"). */
#include <string.h>

#include "../modules/sales/sales.h"
#include "api.h"

static void act_revise(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    json_t *out;
    if (sales_quote_revise(&r->c, id, &out))
        return api_fail(r);
    char loc[96];
    snprintf(loc, sizeof loc, "/api/v1/quotes/%lld", (long long)json_integer_value(json_object_get(out, "id")));
    http_add_header(r, "Location", loc);
    http_json(r, 201, out);
}

static void act_convert(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    int64_t order_id;
    if (sales_quote_convert(&r->c, id, &order_id))
        return api_fail(r);
    char loc[96];
    snprintf(loc, sizeof loc, "/api/v1/orders/%lld", (long long)order_id);
    http_add_header(r, "Location", loc);
    http_json(r, 201, json_pack("{s:I}", "order_id", (json_int_t)order_id));
}

static void act_transition(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    json_t *b = api_body(r);
    if (!b)
        return;
    json_t *to = json_object_get(b, "to"), *ver = json_object_get(b, "version");
    if (!json_is_string(to)) {
        json_decref(b);
        ctx_field(&r->c, "to", "is required: the status to move to, e.g. \"approved\"");
        return api_fail(r);
    }
    if (ver && !json_is_integer(ver)) {
        json_decref(b);
        ctx_field(&r->c, "version", "must be the version you read (an integer)");
        return api_fail(r);
    }
    json_t *out;
    GxErr rc = sales_order_transition(&r->c, id, json_string_value(to), json_integer_value(ver), &out);
    json_decref(b);
    if (rc)
        return api_fail(r);
    http_json(r, 200, out);
}

/* GET/PATCH /api/v1/settings/number_patterns {"quotes", "orders"} */
static void h_number_patterns(Req *r)
{
    json_t *out = NULL;
    if (!strcmp(r->method, "GET")) {
        if (sales_number_patterns_get(&r->c, &out))
            return api_fail(r);
        return http_json(r, 200, out);
    }
    json_t *b = api_body(r);
    if (!b)
        return;
    GxErr rc = sales_number_patterns_set(&r->c, b, &out);
    json_decref(b);
    if (rc)
        return api_fail(r);
    http_json(r, 200, out);
}

const Route sales_docs_api_routes[] = {
    {"GET", "/api/v1/settings/number_patterns", h_number_patterns, 0, NULL},
    {"PATCH", "/api/v1/settings/number_patterns", h_number_patterns, ROUTE_MUTATES, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

void sales_docs_api_init(void)
{
    if (!meta_entity("quotes") || !meta_entity("orders"))
        return;
    api_action_register(
        "quotes", "revise", act_revise,
        "Revise a quote (报价修订): answers 201 with a new draft quote — revision + 1, previous_id the quote revised —"
        " with the same customer, terms and lines (prices and discounts as quoted). The earlier revision stays as it"
        " was and readable. No body. 404 outside your scope; 422 naming lines[i].product_id when a product has become"
        " inactive since.");
    api_action_register(
        "quotes", "convert", act_convert,
        "Convert a quote into a draft order (报价转订单): answers 201 {\"order_id\"}; the order gets the quote's"
        " customer, contact, opportunity, tax rate and lines (same products, quantities, prices and discounts, so the"
        " same totals: every line rounded half-up to the fen, tax once on the discounted subtotal), and quote_id; the"
        " quote becomes accepted with order_id. A quote converts once: converting it again, or converting a rejected"
        " or expired one (status expired or valid_until past), is 409. No body.");
    api_action_register(
        "orders", "transition", act_transition,
        "Move an order through its status flow (订单状态): body {\"to\": status, \"version\": optional, the version"
        " read}; answers 200 with the order. Allowed: draft → approved | cancelled; approved → delivered | cancelled;"
        " delivered → invoiced | returned; invoiced → closed | returned. Anything else (e.g. closed → draft) is 409"
        " naming from and to, as is a stale version; status cannot be changed by PATCH. Other modules may refuse a"
        " transition (e.g. approval above the credit limit) with their own 409.");
}
