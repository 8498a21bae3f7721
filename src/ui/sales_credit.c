/* sales_credit.c — pages of the credit area of sales: the approvals page
 * (待审批: the requests the user decides, with approve/reject forms), the
 * decision form on an approval's own page, and on an order's page its
 * credit-limit approvals and the deliveries and returns panels with their
 * forms (htmx: a failed form comes back with the errors by its lines). */
#include <stdio.h>
#include <stdlib.h>
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
              "<input id=\"comment-%lld\" name=\"comment\" maxlength=\"2000\" aria-label=\"%s\" placeholder=\"%s\">"
              "<button class=\"btn primary small\" type=\"submit\" name=\"decision\" value=\"approve\">%s</button>"
              "<button class=\"btn danger small\" type=\"submit\" name=\"decision\" value=\"reject\">%s</button></form>",
              (long long)id, T(r, "Comment"), T(r, "Comment (optional)"), T(r, "Approve"),
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
        buf_htmlf(o, "</td><td class=\"reason\" data-label=\"%s\">%s</td><td data-label=\"%s\">", T(r, "Reason"), reason ? reason : "",
                  T(r, "Requested"));
        const char *at = json_string_value(json_object_get(a, "created_at"));
        if (at)
            ui_datetime(r, o, at);
        buf_htmlf(o, "</td><td data-label=\"%s\">", T(r, "Status"));
        status_tag(r, status);
        if (comment && *comment)
            buf_htmlf(o, "<div class=\"approval-comment\">%s</div>", comment);
        buf_raw(o, "</td><td class=\"decide\">");
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

/* ---------- an order's approvals, deliveries and returns ---------- */

/* A decimal quantity of the API (a JSON number) as text: 2.0 → "2". */
static const char *qty(Req *r, json_t *v)
{
    double d = json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
    char t[48];
    snprintf(t, sizeof t, "%.3f", d);
    char *s = arena_strdup(&r->arena, t);
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '0')
        s[--n] = 0;
    if (n > 0 && s[n - 1] == '.')
        s[--n] = 0;
    return s;
}

/* A quantity in thousandths as text, exact: 2000 → "2", 1500 → "1.5". */
static const char *milli_text(Req *r, int64_t m)
{
    char *s = arena_printf(&r->arena, "%lld.%03lld", (long long)(m / 1000), (long long)(m % 1000));
    size_t n = strlen(s);
    while (s[n - 1] == '0')
        s[--n] = 0;
    if (s[n - 1] == '.')
        s[--n] = 0;
    return s;
}

/* Thousandths of a JSON quantity (rounded), for comparisons. */
static int64_t milli(json_t *v)
{
    double d = json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
    return (int64_t)(d * 1000.0 + (d >= 0 ? 0.5 : -0.5));
}

/* The credit-limit requests of the order, newest first (nothing when none). */
static void order_approvals(Req *r, int64_t id)
{
    json_t *rows = NULL;
    if (approvals_for_record(&r->c, "orders", id, &rows) || !json_array_size(rows)) {
        ctx_clear(&r->c);
        json_decref(rows);
        return;
    }
    Buf *o = &r->out;
    buf_htmlf(o, "<section class=\"card\" id=\"order-approvals\"><h2>%s</h2><ul class=\"recent\">", T(r, "Approvals"));
    size_t i;
    json_t *a;
    json_array_foreach(rows, i, a)
    {
        const char *status = json_string_value(json_object_get(a, "status"));
        const char *comment = json_string_value(json_object_get(a, "comment"));
        buf_htmlf(o, "<li data-status=\"%s\"><a href=\"/app/approvals/%lld\">#%lld</a> ", status,
                  (long long)json_integer_value(json_object_get(a, "id")),
                  (long long)json_integer_value(json_object_get(a, "id")));
        status_tag(r, status);
        buf_htmlf(o, " %s", option_label(r, "approvals", "kind", json_string_value(json_object_get(a, "kind"))));
        json_t *amount = json_object_get(a, "amount");
        if (json_is_integer(amount)) {
            buf_raw(o, " ");
            ui_money(o, json_integer_value(amount));
        }
        const char *approver = json_string_value(json_object_get(a, "approver_name"));
        buf_htmlf(o, " · %s: %s", T(r, "Approver"), approver && *approver ? approver : T(r, "Administrators"));
        if (comment && *comment)
            buf_htmlf(o, "<div class=\"approval-comment\">%s: %s</div>", T(r, "Comment"), comment);
        buf_raw(o, "</li>");
    }
    buf_raw(o, "</ul></section>");
    json_decref(rows);
}

/* Which panel: deliveries or returns. */
typedef struct MovePanel {
    const char *entity;     /* "deliveries" / "returns" */
    const char *title;      /* msgid */
    const char *date_field; /* shipped_on / returned_on */
    bool is_return;
} MovePanel;

static const MovePanel p_deliveries = {"deliveries", N_("Deliveries"), "shipped_on", false};
static const MovePanel p_returns = {"returns", N_("Returns"), "returned_on", true};

/* What may still move on an order line (thousandths). */
static int64_t line_room(const MovePanel *k, json_t *l)
{
    int64_t ordered = milli(json_object_get(l, "quantity")), delivered = milli(json_object_get(l, "delivered_qty")),
            returned = milli(json_object_get(l, "returned_qty"));
    return k->is_return ? delivered - returned : ordered - delivered;
}

/* May the user record one now? (status, grant, editable order) */
static bool move_allowed(Req *r, const MovePanel *k, json_t *order)
{
    const Entity *me = meta_entity(k->entity), *oe = meta_entity("orders");
    if (!me || acl_scope(&r->c, me, ACT_CREATE) == SCOPE_NONE)
        return false;
    if (!acl_row_in_scope(&r->c, oe, ACT_EDIT, json_integer_value(json_object_get(order, "owner_id")),
                          json_integer_value(json_object_get(order, "department_id"))))
        return false;
    const char *st = json_string_value(json_object_get(order, "status"));
    if (!st)
        return false;
    if (!k->is_return)
        return !strcmp(st, "approved");
    return !strcmp(st, "approved") || !strcmp(st, "delivered") || !strcmp(st, "invoiced") || !strcmp(st, "closed");
}

/* The panel of one kind: what was recorded, and the form (values and
 * errors of a failed attempt when form is not NULL). */
static void move_panel(Req *r, const MovePanel *k, int64_t id, json_t *order, json_t *form, json_t *errors,
                       const char *message)
{
    Buf *o = &r->out;
    json_t *rows = NULL;
    if (sales_order_moves(&r->c, id, k->entity, &rows))
        ctx_clear(&r->c);
    json_t *lines = json_object_get(order, "lines");
    bool can = move_allowed(r, k, order);
    if (!json_array_size(rows) && !can) {
        json_decref(rows);
        buf_htmlf(o, "<div id=\"order-%s\"></div>", k->entity);
        return;
    }
    buf_htmlf(o, "<section class=\"card\" id=\"order-%s\"><h2>%s</h2>", k->entity, T(r, k->title));
    if (json_array_size(rows)) {
        buf_htmlf(o, "<div class=\"table-wrap\"><table class=\"grid cards-sm\"><thead><tr><th>%s</th><th>%s</th>",
                  T(r, "Number"), T(r, "Date"));
        if (k->is_return)
            buf_htmlf(o, "<th>%s</th><th class=\"num\">%s</th>", T(r, "Reason"), T(r, "Credit"));
        else
            buf_htmlf(o, "<th>%s</th><th>%s</th>", T(r, "Carrier"), T(r, "Tracking no."));
        buf_htmlf(o, "<th>%s</th></tr></thead><tbody>", T(r, "Lines"));
        size_t i;
        json_t *m;
        json_array_foreach(rows, i, m)
        {
            long long mid = (long long)json_integer_value(json_object_get(m, "id"));
            const char *num = json_string_value(json_object_get(m, "number"));
            const char *date = json_string_value(json_object_get(m, k->date_field));
            buf_htmlf(o, "<tr><td data-label=\"%s\"><a href=\"/app/%s/%lld\">%s</a></td><td data-label=\"%s\">%s</td>",
                      T(r, "Number"), k->entity, mid, num ? num : "", T(r, "Date"), date ? date : "");
            if (k->is_return) {
                const char *reason = json_string_value(json_object_get(m, "reason"));
                buf_htmlf(o, "<td data-label=\"%s\">%s</td><td class=\"num\" data-label=\"%s\">", T(r, "Reason"),
                          reason ? reason : "", T(r, "Credit"));
                ui_money(o, json_integer_value(json_object_get(m, "credit_amount")));
                buf_raw(o, "</td>");
            } else {
                const char *carrier = json_string_value(json_object_get(m, "carrier"));
                const char *track = json_string_value(json_object_get(m, "tracking_no"));
                buf_htmlf(o, "<td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td>", T(r, "Carrier"),
                          carrier ? carrier : "", T(r, "Tracking no."), track ? track : "");
            }
            buf_htmlf(o, "<td data-label=\"%s\">", T(r, "Lines"));
            size_t j;
            json_t *l;
            json_array_foreach(json_object_get(m, "lines"), j, l)
                buf_htmlf(o, "%s%s × %s", j ? "; " : "", json_string_value(json_object_get(l, "description")),
                          qty(r, json_object_get(l, "quantity")));
            buf_raw(o, "</td></tr>");
        }
        buf_raw(o, "</tbody></table></div>");
    }
    json_decref(rows);
    bool any_room = false;
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l) if (line_room(k, l) > 0) any_room = true;
    if (can && any_room) {
        buf_htmlf(o,
                  "<form class=\"stack move-form\" hx-post=\"/app/orders/%lld/%s\" hx-target=\"#order-%s\""
                  " hx-swap=\"outerHTML\" method=\"post\" action=\"/app/orders/%lld/%s\">",
                  (long long)id, k->entity, k->entity, (long long)id, k->entity);
        ui_csrf_field(r);
        if (message)
            buf_htmlf(o, "<div class=\"alert error\" role=\"alert\">%s</div>", message);
        buf_htmlf(o,
                  "<div class=\"table-wrap\"><table class=\"grid\"><thead><tr><th>%s</th><th class=\"num\">%s</th>"
                  "<th class=\"num\">%s</th><th class=\"num\">%s</th><th>%s</th></tr></thead><tbody>",
                  T(r, "Product"), T(r, "Ordered"), T(r, "Delivered"), T(r, "Returned"),
                  k->is_return ? T(r, "Quantity to return") : T(r, "Quantity to ship"));
        json_array_foreach(lines, i, l)
        {
            int64_t left = line_room(k, l);
            if (left <= 0)
                continue;
            long long lid = (long long)json_integer_value(json_object_get(l, "id"));
            const char *key = arena_printf(&r->arena, "q_%lld", lid);
            const char *typed = form ? json_string_value(json_object_get(form, key)) : NULL;
            const char *err = errors ? json_string_value(json_object_get(errors, key)) : NULL;
            buf_htmlf(o, "<tr><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td>",
                      json_string_value(json_object_get(l, "description")), qty(r, json_object_get(l, "quantity")),
                      qty(r, json_object_get(l, "delivered_qty")), qty(r, json_object_get(l, "returned_qty")));
            buf_htmlf(o,
                      "<td><input type=\"number\" name=\"%s\" id=\"%s-%s\" step=\"0.001\" min=\"0\" inputmode=\"decimal\""
                      " aria-label=\"%s\" placeholder=\"≤ %s\" value=\"%s\"%s>",
                      key, k->entity, key, json_string_value(json_object_get(l, "description")),
                      milli_text(r, left),
                      typed ? typed : "", err ? " aria-invalid=\"true\"" : "");
            if (err)
                buf_htmlf(o, "<small class=\"field-error\" role=\"alert\">%s</small>", ui_engine_msg(r, err));
            buf_raw(o, "</td></tr>");
        }
        buf_raw(o, "</tbody></table></div><div class=\"inline-form\">");
        const char *date = form ? json_string_value(json_object_get(form, k->date_field)) : NULL;
        buf_htmlf(o, "<label for=\"%s-date\">%s</label><input type=\"date\" id=\"%s-date\" name=\"%s\" value=\"%s\">",
                  k->entity, k->is_return ? T(r, "Returned on") : T(r, "Shipped on"), k->entity, k->date_field,
                  date ? date : "");
        if (k->is_return) {
            const char *reason = form ? json_string_value(json_object_get(form, "reason")) : NULL;
            buf_htmlf(o, "<label for=\"returns-reason\">%s</label><input id=\"returns-reason\" name=\"reason\" maxlength=\"2000\" value=\"%s\">",
                      T(r, "Reason"), reason ? reason : "");
        } else {
            const char *carrier = form ? json_string_value(json_object_get(form, "carrier")) : NULL;
            const char *track = form ? json_string_value(json_object_get(form, "tracking_no")) : NULL;
            buf_htmlf(o,
                      "<label for=\"deliveries-carrier\">%s</label><input id=\"deliveries-carrier\" name=\"carrier\" maxlength=\"100\" value=\"%s\">"
                      "<label for=\"deliveries-tracking\">%s</label><input id=\"deliveries-tracking\" name=\"tracking_no\" maxlength=\"100\" value=\"%s\">",
                      T(r, "Carrier"), carrier ? carrier : "", T(r, "Tracking no."), track ? track : "");
        }
        buf_htmlf(o, "<button class=\"btn primary\" type=\"submit\">%s</button></div></form>",
                  k->is_return ? T(r, "Record return") : T(r, "Record delivery"));
    }
    buf_raw(o, "</section>");
}

void ui_order_credit_panels(Req *r, int64_t id, json_t *order)
{
    order_approvals(r, id);
    move_panel(r, &p_deliveries, id, order, NULL, NULL, NULL);
    move_panel(r, &p_returns, id, order, NULL, NULL, NULL);
}

/* POST /app/orders/{id}/deliveries and /app/orders/{id}/returns: the form
 * of the panel; on success back to the order, else the panel again with
 * what was typed and the errors next to the lines. */
static void move_post(Req *r, const MovePanel *k)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    const Entity *oe = meta_entity("orders");
    json_t *order;
    if (record_get(&r->c, oe, id, &order))
        return ui_fail(r);
    json_t *form = http_form(r);
    if (!form)
        form = json_object();
    json_t *in = json_object(), *lines = json_array();
    json_object_set_new(in, "order_id", json_integer(id));
    const char *keys[SALES_MAX_LINES];
    size_t nkeys = 0;
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(order, "lines"), i, l)
    {
        long long lid = (long long)json_integer_value(json_object_get(l, "id"));
        const char *key = arena_printf(&r->arena, "q_%lld", lid);
        const char *v = json_string_value(json_object_get(form, key));
        if (!v || !*v || nkeys >= SALES_MAX_LINES)
            continue;
        char *end = NULL;
        double d = strtod(v, &end);
        json_t *q = end && end != v && !*end ? json_real(d) : json_string(v);
        json_array_append_new(lines, json_pack("{s:I, s:o}", "order_line_id", (json_int_t)lid, "quantity", q));
        keys[nkeys++] = key;
    }
    json_object_set_new(in, "lines", lines);
    const char *date = json_string_value(json_object_get(form, k->date_field));
    if (date && *date)
        json_object_set_new(in, k->date_field, json_string(date));
    const char *extra[] = {"carrier", "tracking_no", "reason", NULL};
    for (int e = 0; extra[e]; e++) {
        const char *v = json_string_value(json_object_get(form, extra[e]));
        if (v && *v && (k->is_return ? !strcmp(extra[e], "reason") : strcmp(extra[e], "reason") != 0))
            json_object_set_new(in, extra[e], json_string(v));
    }
    json_t *out = NULL;
    GxErr rc = record_create(&r->c, meta_entity(k->entity), in, &out);
    json_decref(in);
    json_decref(out);
    if (!rc) {
        json_decref(form);
        json_decref(order);
        ui_flash(r, k->is_return ? "return_recorded" : "delivery_recorded");
        ui_redirect(r, arena_printf(&r->arena, "/app/orders/%lld", (long long)id));
        return;
    }
    if (!ui_htmx(r) || r->c.err == GX_EDB || r->c.err == GX_EINTERNAL) {
        json_decref(form);
        json_decref(order);
        return ui_fail(r);
    }
    /* errors of lines[i].field go next to the line's input; the rest on top */
    json_t *errors = json_object();
    Buf msg;
    buf_init(&msg, &r->arena);
    if (r->c.err_fields) {
        const char *f;
        json_t *v;
        json_object_foreach(r->c.err_fields, f, v)
        {
            size_t idx;
            char rest[32];
            if (sscanf(f, "lines[%zu].%31s", &idx, rest) == 2 && idx < nkeys)
                json_object_set(errors, keys[idx], v);
            else
                buf_printf(&msg, "%s%s", msg.len ? "; " : "", ui_engine_msg(r, json_string_value(v)));
        }
    }
    const char *message = msg.len ? arena_strdup(&r->arena, msg.data)
                                   : ui_engine_msg(r, r->c.err_msg ? r->c.err_msg : "Something went wrong");
    if (json_object_size(errors) && !msg.len)
        message = T(r, "Please correct the quantities below.");
    int status = gx_http_status(r->c.err);
    ctx_clear(&r->c);
    ui_html_headers(r);
    r->status = status;
    move_panel(r, k, id, order, form, errors, message);
    json_decref(errors);
    json_decref(form);
    json_decref(order);
}

static void ui_order_deliveries_post(Req *r) { move_post(r, &p_deliveries); }
static void ui_order_returns_post(Req *r) { move_post(r, &p_returns); }

#define H ROUTE_HTML
#define M (ROUTE_HTML | ROUTE_MUTATES)

const Route sales_credit_ui_routes[] = {
    {"GET", "/approvals", ui_approvals_page, H, NULL},
    {"POST", "/approvals/{id}/decide", ui_approval_decide, M, NULL},
    {"POST", "/app/orders/{id}/deliveries", ui_order_deliveries_post, M, NULL},
    {"POST", "/app/orders/{id}/returns", ui_order_returns_post, M, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
