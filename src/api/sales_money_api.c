/* sales_money_api.c — the API of contracts, payments and invoices beyond
 * CRUD (which the generic endpoints serve, with the module's hooks):
 * contract approval, the company profile and contract settings, and a
 * customer's money figures. */
#include <string.h>

#include "../modules/sales/sales.h"
#include "api.h"

/* POST /api/v1/contracts/{id}/approve and /reject */
static void decide(Req *r, int64_t id, bool approve)
{
    json_t *out;
    if (sales_contract_decide(&r->c, id, approve, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

static void act_approve(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    decide(r, id, true);
}

static void act_reject(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    decide(r, id, false);
}

/* GET/PATCH /api/v1/settings/company */
static void h_company(Req *r)
{
    json_t *out;
    if (!strcmp(r->method, "GET")) {
        sales_company_get(&r->c, &out);
        return http_json(r, 200, out);
    }
    json_t *b = api_body(r);
    if (!b)
        return;
    GxErr rc = sales_company_set(&r->c, b, &out);
    json_decref(b);
    if (rc)
        return api_fail(r);
    http_json(r, 200, out);
}

/* GET/PATCH /api/v1/settings/contracts */
static void h_contract_settings(Req *r)
{
    json_t *out;
    if (!strcmp(r->method, "GET")) {
        sales_contract_settings_get(&r->c, &out);
        return http_json(r, 200, out);
    }
    json_t *b = api_body(r);
    if (!b)
        return;
    GxErr rc = sales_contract_settings_set(&r->c, b, &out);
    json_decref(b);
    if (rc)
        return api_fail(r);
    http_json(r, 200, out);
}

void sales_money_api_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    api_action_register("contracts", "approve", act_approve,
                        "Approve a contract waiting for approval (status pending_approval → active; approved_by and"
                        " approved_at are recorded). No body. Managers of the contract's department and administrators;"
                        " 403 for others, 409 when the contract is not pending.");
    api_action_register("contracts", "reject", act_reject,
                        "Send a contract waiting for approval back to draft. No body. Same rights as approve.");
}

const Route sales_money_api_routes[] = {
    {"GET", "/api/v1/settings/company", h_company, 0, NULL},
    {"PATCH", "/api/v1/settings/company", h_company, ROUTE_MUTATES, NULL},
    {"GET", "/api/v1/settings/contracts", h_contract_settings, 0, NULL},
    {"PATCH", "/api/v1/settings/contracts", h_contract_settings, ROUTE_MUTATES, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
