/* sales_credit_api.c — endpoints of the credit area of sales: deciding
 * approval requests (POST /api/v1/approvals/{id}/approve|reject), the
 * requests waiting for the user (GET /api/v1/approvals/mine). */
#include <string.h>

#include "../modules/sales/sales.h"
#include "api.h"

/* The optional "comment" of a decision body; false (422 in r->c) when it
 * is there and not text. */
static bool body_comment(Req *r, json_t *b, const char **out)
{
    json_t *v = json_object_get(b, "comment");
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v)) {
        ctx_field(&r->c, "comment", "must be text");
        return false;
    }
    *out = arena_strdup(&r->arena, json_string_value(v));
    return true;
}

static void decide(Req *r, int64_t id, bool approve)
{
    /* The body is optional: no body is a decision without a comment. */
    json_t *b = r->body_len ? api_body(r) : json_object();
    if (!b)
        return;
    const char *comment;
    bool ok = body_comment(r, b, &comment);
    json_decref(b);
    if (!ok)
        return api_fail(r);
    json_t *out;
    if (approval_decide(&r->c, id, approve, comment, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

/* POST /api/v1/approvals/{id}/approve {"comment"} */
static void act_approve(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    decide(r, id, true);
}

/* POST /api/v1/approvals/{id}/reject {"comment"} */
static void act_reject(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    decide(r, id, false);
}

/* GET /api/v1/approvals/mine[?all=1] */
static void h_mine(Req *r)
{
    const char *all = http_query(r, "all");
    json_t *rows;
    if (approvals_to_decide(&r->c, !(all && !strcmp(all, "1")), &rows))
        return api_fail(r);
    http_json(r, 200, json_pack("{s:o}", "data", rows));
}

void sales_credit_api_init(void)
{
    api_action_register("approvals", "approve", act_approve,
                        "Approve a pending approval request (审批). Body {\"comment\": text (optional)}; answers the"
                        " request with status \"approved\"; the requester is notified and the module that asked reacts"
                        " (e.g. a credit-limit order may now be approved). Only the approver (the requester's"
                        " department manager, else an administrator) or an administrator: 403; not visible: 404;"
                        " already decided: 409.");
    api_action_register("approvals", "reject", act_reject,
                        "Reject a pending approval request (审批). Body {\"comment\": text (optional)}; answers the"
                        " request with status \"rejected\"; the requester is notified. Same rules as approve.");
}

const Route sales_credit_api_routes[] = {
    {"GET", "/api/v1/approvals/mine", h_mine, 0, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
