/* sales_credit.c — pages of the credit area of sales: the approvals page
 * (待审批: the requests the user decides, with approve/reject forms), the
 * decision form on an approval's own page. */
#include <string.h>

#include "../base/util.h"
#include "../modules/sales/sales.h"
#include "ui.h"

/* An option label of an enum field of entity in the request's language. */
static const char *option_label(Req *r, const char *entity, const char *field, const char *value)
{
    const Entity *e = meta_entity(entity);
    const Field *f = e ? meta_field(e, field) : NULL;
    const EnumOption *o = f && value ? meta_option(f, value) : NULL;
    return o ? ui_label(r, &o->label) : (value ? value : "");
}

/* The approve/reject form of request id (comment, two buttons). */
static void decision_form(Req *r, int64_t id, const char *back)
{
    Buf *o = &r->out;
    buf_htmlf(o, "<form method=\"post\" action=\"/approvals/%lld/decide\" class=\"approval-form inline-form\">",
              (long long)id);
    ui_csrf_field(r);
    buf_htmlf(o, "<input type=\"hidden\" name=\"back\" value=\"%s\">", back);
    buf_htmlf(o,
              "<label class=\"visually-hidden\" for=\"comment-%lld\">%s</label>"
              "<input id=\"comment-%lld\" name=\"comment\" maxlength=\"2000\" placeholder=\"%s\">"
              "<button class=\"btn primary small\" type=\"submit\" name=\"decision\" value=\"approve\">%s</button>"
              "<button class=\"btn danger small\" type=\"submit\" name=\"decision\" value=\"reject\">%s</button></form>",
              (long long)id, T(r, "Comment"), (long long)id, T(r, "Comment (optional)"), T(r, "Approve"),
              T(r, "Reject"));
}

static void status_tag(Req *r, const char *status)
{
    buf_htmlf(&r->out, "<span class=\"tag status-%s\">%s</span>", status,
              option_label(r, "approvals", "status", status));
}

/* GET /approvals[?scene=decided] */
static void ui_approvals_page(Req *r)
{
    const char *scene = http_query(r, "scene");
    bool decided = scene && !strcmp(scene, "decided");
    json_t *rows;
    if (approvals_to_decide(&r->c, !decided, &rows))
        return ui_fail(r);
    Page p = {.title = T(r, "Approvals"), .nav = "approvals"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1></div>", T(r, "Approvals"));
    buf_htmlf(o, "<nav class=\"scenes\" aria-label=\"%s\">", T(r, "Scenes"));
    buf_htmlf(o, "<a href=\"/approvals\"%s>%s</a>", decided ? "" : " class=\"on\" aria-current=\"page\"",
              T(r, "Waiting for me"));
    buf_htmlf(o, "<a href=\"/approvals?scene=decided\"%s>%s</a></nav>",
              decided ? " class=\"on\" aria-current=\"page\"" : "", T(r, "Pending and decided (30 days)"));
    if (!json_array_size(rows)) {
        buf_htmlf(o, "<section class=\"card empty\"><p>%s</p></section>",
                  T(r, "No approval requests are waiting for you."));
        json_decref(rows);
        ui_end(r, &p);
        return;
    }
    buf_htmlf(o,
              "<section class=\"card\"><div class=\"table-wrap\"><table class=\"grid cards-sm approvals\"><thead><tr>"
              "<th>%s</th><th>%s</th><th>%s</th><th class=\"num\">%s</th><th>%s</th><th>%s</th><th>%s</th><th></th>"
              "</tr></thead><tbody>",
              T(r, "Kind"), T(r, "Record"), T(r, "Requested by"), T(r, "Amount"), T(r, "Reason"), T(r, "Requested"),
              T(r, "Status"));
    size_t i;
    json_t *a;
    json_array_foreach(rows, i, a)
    {
        long long id = (long long)json_integer_value(json_object_get(a, "id"));
        const char *tt = json_string_value(json_object_get(a, "target_type"));
        const char *status = json_string_value(json_object_get(a, "status"));
        const char *reason = json_string_value(json_object_get(a, "reason"));
        const char *comment = json_string_value(json_object_get(a, "comment"));
        json_t *amount = json_object_get(a, "amount");
        buf_htmlf(o, "<tr id=\"approval-%lld\" data-status=\"%s\"><td data-label=\"%s\"><a href=\"/app/approvals/%lld\">%s</a></td>", id,
                  status, T(r, "Kind"), id, option_label(r, "approvals", "kind", json_string_value(json_object_get(a, "kind"))));
        buf_htmlf(o, "<td data-label=\"%s\">", T(r, "Record"));
        if (tt && meta_entity(tt))
            buf_htmlf(o, "<a href=\"/app/%s/%lld\">%s</a>", tt, (long long)json_integer_value(json_object_get(a, "target_id")),
                      json_string_value(json_object_get(a, "target_title")));
        buf_htmlf(o, "</td><td data-label=\"%s\">%s</td><td class=\"num\" data-label=\"%s\">", T(r, "Requested by"),
                  json_string_value(json_object_get(a, "requested_by_name")), T(r, "Amount"));
        if (json_is_integer(amount))
            ui_money(o, json_integer_value(amount));
        buf_htmlf(o, "</td><td data-label=\"%s\">%s</td><td data-label=\"%s\">", T(r, "Reason"), reason ? reason : "",
                  T(r, "Requested"));
        const char *at = json_string_value(json_object_get(a, "created_at"));
        if (at)
            ui_datetime(r, o, at);
        buf_htmlf(o, "</td><td data-label=\"%s\">", T(r, "Status"));
        status_tag(r, status);
        if (comment && *comment)
            buf_htmlf(o, "<div class=\"muted\">%s</div>", comment);
        buf_raw(o, "</td><td class=\"row-actions\">");
        if (!strcmp(status, "pending"))
            decision_form(r, id, decided ? "/approvals?scene=decided" : "/approvals");
        buf_raw(o, "</td></tr>");
    }
    buf_raw(o, "</tbody></table></div></section>");
    json_decref(rows);
    ui_end(r, &p);
}

/* POST /approvals/{id}/decide (decision=approve|reject, comment, back) */
static void ui_approval_decide(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    json_t *form = http_form(r);
    const char *decision = json_string_value(json_object_get(form, "decision"));
    const char *comment = json_string_value(json_object_get(form, "comment"));
    const char *back = json_string_value(json_object_get(form, "back"));
    if (!decision || (strcmp(decision, "approve") && strcmp(decision, "reject"))) {
        json_decref(form);
        ctx_fail(&r->c, GX_EBADREQ, "Choose approve or reject");
        return ui_fail(r);
    }
    bool approve = !strcmp(decision, "approve");
    /* Only local pages: back must be a path of this site. */
    const char *to = back && back[0] == '/' && back[1] != '/' && !strchr(back, '\\')
                         ? arena_strdup(&r->arena, back)
                         : "/approvals";
    comment = comment ? arena_strdup(&r->arena, comment) : NULL;
    json_decref(form);
    if (approval_decide(&r->c, id, approve, comment, NULL))
        return ui_fail(r);
    ui_flash(r, approve ? "approval_approved" : "approval_rejected");
    ui_redirect(r, to);
}

void ui_approval_panel(Req *r, int64_t id)
{
    Approval a;
    if (approval_load(&r->c, id, &a)) {
        ctx_clear(&r->c);
        return;
    }
    if (strcmp(a.status, "pending") || !approval_may_decide(&r->c, &a))
        return;
    buf_htmlf(&r->out, "<section class=\"card\" id=\"approval-decision\"><h2>%s</h2>", T(r, "Your decision"));
    decision_form(r, id, arena_printf(&r->arena, "/app/approvals/%lld", (long long)id));
    buf_raw(&r->out, "</section>");
}

#define H ROUTE_HTML
#define M (ROUTE_HTML | ROUTE_MUTATES)

const Route sales_credit_ui_routes[] = {
    {"GET", "/approvals", ui_approvals_page, H, NULL},
    {"POST", "/approvals/{id}/decide", ui_approval_decide, M, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
