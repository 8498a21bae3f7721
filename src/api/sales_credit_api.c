/* sales_credit_api.c — endpoints of the credit area of sales: deciding
 * approval requests (POST /api/v1/approvals/{id}/approve|reject), the
 * requests waiting for the user (GET /api/v1/approvals/mine), a quote as a
 * PDF (GET /api/v1/quotes/{id}/pdf). Deliveries and returns are created
 * through the generic POST /api/v1/{deliveries,returns}. */
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

/* GET /api/v1/quotes/{id}/pdf — the quote as a PDF (application/pdf). */
static void h_quote_pdf(Req *r)
{
    int64_t id;
    if (!api_id(r, &id))
        return;
    const char *filename = NULL;
    buf_clear(&r->out);
    if (sales_quote_pdf(&r->c, id, &r->out, &filename)) {
        buf_clear(&r->out);
        return api_fail(r);
    }
    r->status = 200;
    r->content_type = "application/pdf";
    /* the quote number is [A-Z0-9-] by its pattern; anything else is dropped */
    char safe[80];
    size_t k = 0;
    for (const char *p = filename; p && *p && k < sizeof safe - 1; p++)
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
            *p == '.' || *p == '_')
            safe[k++] = *p;
    safe[k] = 0;
    http_add_header(r, "Content-Disposition",
                    arena_printf(&r->arena, "inline; filename=\"%s\"", k ? safe : "quote.pdf"));
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
    {"GET", "/api/v1/quotes/{id}/pdf", h_quote_pdf, 0, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
