/* sales_money.c — pages of contracts, payments and invoices beyond the
 * generic ones: the money card on customer, order, contract and invoice
 * pages (amount, invoiced, received side by side; "record payment", "add
 * plan", "issue invoice"; approve/reject a pending contract; an invoice's
 * lines with the total in Chinese capitals), the printable invoice, and the
 * invoice form with its line table. Figures come from the record engine's
 * read hooks (payments.c); nothing is computed here. */
#include <string.h>

#include "../base/util.h"
#include "../modules/sales/sales.h"
#include "ui.h"

/* Panel names of the money entities' schema (translated by the detail page). */
static const char *const panel_names[] __attribute__((unused)) = {N_("Approval"), N_("Money"), N_("Buyer"), N_("Seller")};

static bool can(Req *r, const char *entity, Action a)
{
    const Entity *e = meta_entity(entity);
    return e && acl_scope(&r->c, e, a) != SCOPE_NONE;
}

static int64_t num(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* The user's today, "YYYY-MM-DD" (arena). */
static const char *today(Req *r)
{
    int y, m, d;
    ui_today(r, &y, &m, &d);
    return arena_printf(&r->arena, "%04d-%02d-%02d", y, m, d);
}

/* One figure of the money card. */
static void figure(Req *r, const char *key, const char *label, int64_t fen, const char *cls)
{
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"money-fig%s%s\" data-fig=\"%s\"><span class=\"label\">%s</span><strong class=\"num\">",
              cls ? " " : "", cls ? cls : "", key, label);
    ui_money(o, fen);
    buf_raw(o, "</strong></div>");
}

static void customer_card(Req *r, int64_t id, json_t *rec)
{
    if (!json_object_get(rec, "balance_due"))
        return; /* not for users who may not read payments */
    Buf *o = &r->out;
    buf_htmlf(o, "<section class=\"card money-card\" id=\"money\"><h2>%s</h2><div class=\"money-figs\">",
              T(r, "Receivables"));
    figure(r, "receivable_total", T(r, "Receivable"), num(rec, "receivable_total"), NULL);
    figure(r, "received_total", T(r, "Received"), num(rec, "received_total"), NULL);
    figure(r, "balance_due", T(r, "Balance due"), num(rec, "balance_due"), num(rec, "balance_due") > 0 ? "due" : NULL);
    figure(r, "invoiced_total", T(r, "Invoiced"), num(rec, "invoiced_total"), NULL);
    figure(r, "overdue_amount", T(r, "Overdue"), num(rec, "overdue_amount"), num(rec, "overdue_amount") > 0 ? "overdue" : NULL);
    figure(r, "prepayment_total", T(r, "Prepaid"), num(rec, "prepayment_total"), NULL);
    buf_raw(o, "</div>");
    if (can(r, "payments", ACT_CREATE))
        buf_htmlf(o, "<div class=\"actions\"><a class=\"btn primary\" data-record-payment href=\"/app/payments/new?customer_id=%lld&amp;paid_on=%s\">%s</a></div>",
                  (long long)id, today(r), T(r, "Record payment"));
    buf_raw(o, "</section>");
}

/* Orders and contracts: amount, invoiced, received side by side. */
static void doc_card(Req *r, const char *entity, int64_t id, json_t *rec)
{
    json_t *fig = json_object();
    if (sales_doc_money(&r->c, entity, id, fig)) {
        json_decref(fig);
        ctx_clear(&r->c);
        return;
    }
    bool order = !strcmp(entity, "orders");
    int64_t total = num(rec, order ? "total" : "amount"), outstanding = num(fig, "outstanding_amount");
    const char *status = json_string_value(json_object_get(rec, "status"));
    Buf *o = &r->out;
    buf_htmlf(o, "<section class=\"card money-card\" id=\"money\"><h2>%s</h2><div class=\"money-figs\">",
              T(r, "Invoicing and payments"));
    figure(r, "total", order ? T(r, "Order total") : T(r, "Contract amount"), total, NULL);
    figure(r, "invoiced_amount", T(r, "Invoiced"), num(fig, "invoiced_amount"), NULL);
    figure(r, "received_amount", T(r, "Received"), num(fig, "received_amount"), NULL);
    figure(r, "outstanding_amount", T(r, "Outstanding"), outstanding, outstanding > 0 ? "due" : NULL);
    figure(r, "plans_total", T(r, "Planned"), num(fig, "plans_total"), NULL);
    figure(r, "overdue_amount", T(r, "Overdue"), num(fig, "overdue_amount"), num(fig, "overdue_amount") > 0 ? "overdue" : NULL);
    buf_raw(o, "</div><div class=\"actions\">");
    int64_t cust = num(rec, "customer_id");
    bool payable = order ? status && strcmp(status, "cancelled") && strcmp(status, "returned")
                         : status && (!strcmp(status, "active") || !strcmp(status, "expired"));
    const char *key = order ? "order_id" : "contract_id";
    if (payable && outstanding > 0 && can(r, "payments", ACT_CREATE)) {
        buf_htmlf(o, "<a class=\"btn primary\" data-record-payment href=\"/app/payments/new?customer_id=%lld&amp;%s=%lld&amp;amount=%lld&amp;paid_on=%s\">%s</a>",
                  (long long)cust, key, (long long)id, (long long)outstanding, today(r), T(r, "Record payment"));
    }
    if (can(r, "payment_plans", ACT_CREATE) && num(fig, "plans_total") < total)
        buf_htmlf(o, "<a class=\"btn\" href=\"/app/payment_plans/new?%s=%lld&amp;amount=%lld\">%s</a>", key, (long long)id,
                  (long long)(total - num(fig, "plans_total")), T(r, "Add payment plan"));
    if (can(r, "invoices", ACT_CREATE) && num(fig, "uninvoiced_amount") > 0)
        buf_htmlf(o, "<a class=\"btn\" href=\"/app/invoices/new?%s=%lld\">%s</a>", key, (long long)id, T(r, "Issue invoice"));
    if (!order && status && !strcmp(status, "pending_approval") && sales_contract_approver(&r->c, rec)) {
        buf_htmlf(o, "<form method=\"post\" action=\"/app/contracts/%lld/approve\" class=\"inline-form\">", (long long)id);
        ui_csrf_field(r);
        buf_htmlf(o, "<button class=\"btn primary\" type=\"submit\">%s</button></form>", T(r, "Approve"));
        buf_htmlf(o, "<form method=\"post\" action=\"/app/contracts/%lld/reject\" class=\"inline-form\">", (long long)id);
        ui_csrf_field(r);
        buf_htmlf(o, "<button class=\"btn\" type=\"submit\">%s</button></form>", T(r, "Reject"));
    } else if (!order && status && !strcmp(status, "pending_approval")) {
        buf_htmlf(o, "<span class=\"muted\">%s</span>", T(r, "Waiting for a manager's approval; payments can be recorded once it is approved."));
    }
    buf_raw(o, "</div></section>");
    json_decref(fig);
}

/* A quantity or rate as sent (3 or 2 decimals at most). */
static void number(Buf *o, json_t *v)
{
    if (json_is_integer(v))
        ui_int(o, json_integer_value(v));
    else if (json_is_real(v)) {
        char *t = arena_printf(o->arena, "%.3f", json_real_value(v));
        size_t n = strlen(t);
        while (n > 1 && t[n - 1] == '0')
            t[--n] = 0;
        if (n && t[n - 1] == '.')
            t[--n] = 0;
        buf_html(o, t);
    }
}

/* The invoice's lines and totals (also on the printable page). */
static void invoice_table(Req *r, json_t *rec)
{
    Buf *o = &r->out;
    buf_htmlf(o,
              "<div class=\"table-wrap\"><table class=\"invoice-lines\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
              "<th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th>"
              "<th class=\"num\">%s</th></tr></thead><tbody>",
              T(r, "Goods or services"), T(r, "Model"), T(r, "Unit"), T(r, "Quantity"), T(r, "Unit price"),
              T(r, "Amount"), T(r, "Tax rate"), T(r, "Tax"));
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(rec, "lines"), i, l)
    {
        const char *code = json_string_value(json_object_get(l, "tax_code"));
        const char *model = json_string_value(json_object_get(l, "model"));
        const char *unit = json_string_value(json_object_get(l, "unit"));
        buf_htmlf(o, "<tr><td>%s", json_string_value(json_object_get(l, "name")) ? json_string_value(json_object_get(l, "name")) : "");
        if (code)
            buf_htmlf(o, "<br><small class=\"muted\">%s</small>", code);
        buf_htmlf(o, "</td><td>%s</td><td>%s</td><td class=\"num\">", model ? model : "", unit ? unit : "");
        number(o, json_object_get(l, "quantity"));
        buf_raw(o, "</td><td class=\"num\">");
        ui_money(o, num(l, "unit_price"));
        buf_raw(o, "</td><td class=\"num\">");
        ui_money(o, num(l, "amount"));
        buf_raw(o, "</td><td class=\"num\">");
        number(o, json_object_get(l, "tax_rate_pct"));
        buf_raw(o, "%</td><td class=\"num\">");
        ui_money(o, num(l, "tax"));
        buf_raw(o, "</td></tr>");
    }
    buf_htmlf(o, "</tbody><tfoot><tr><th colspan=\"5\">%s</th><td class=\"num\">", T(r, "Total"));
    ui_money(o, num(rec, "amount_total"));
    buf_raw(o, "</td><td></td><td class=\"num\">");
    ui_money(o, num(rec, "tax_total"));
    buf_htmlf(o, "</td></tr><tr><th colspan=\"2\">%s</th><td colspan=\"4\" class=\"words\" data-total-words>%s</td>"
                 "<td colspan=\"2\" class=\"num\"><strong>",
              T(r, "Total incl. tax (in words)"),
              json_string_value(json_object_get(rec, "total_words")) ? json_string_value(json_object_get(rec, "total_words")) : "");
    ui_money(o, num(rec, "total"));
    buf_raw(o, "</strong></td></tr></tfoot></table></div>");
}

static void invoice_card(Req *r, int64_t id, json_t *rec)
{
    Buf *o = &r->out;
    buf_htmlf(o, "<section class=\"card\" id=\"invoice-lines\"><h2>%s</h2>", T(r, "Invoice lines"));
    invoice_table(r, rec);
    buf_htmlf(o, "<div class=\"actions\"><a class=\"btn\" href=\"/app/invoices/%lld/print\" data-print-page>%s</a>",
              (long long)id, T(r, "Printable page"));
    const char *st = json_string_value(json_object_get(rec, "status"));
    if (st && !strcmp(st, "issued") && !num(rec, "red_of") && can(r, "invoices", ACT_CREATE))
        buf_htmlf(o, "<a class=\"btn\" href=\"/app/invoices/new?red_of=%lld\">%s</a>", (long long)id,
                  T(r, "Red-letter invoice"));
    buf_raw(o, "</div></section>");
}

void ui_sales_money_card(Req *r, const Entity *e, int64_t id, json_t *rec)
{
    if (!strcmp(e->name, "customers"))
        customer_card(r, id, rec);
    else if (!strcmp(e->name, "orders") || !strcmp(e->name, "contracts"))
        doc_card(r, e->name, id, rec);
    else if (!strcmp(e->name, "invoices"))
        invoice_card(r, id, rec);
}

/* ---------- contract approval ---------- */

static void decide(Req *r, bool approve)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    json_t *out;
    if (sales_contract_decide(&r->c, id, approve, &out))
        return ui_fail(r);
    json_decref(out);
    ui_flash(r, "saved");
    ui_redirect(r, arena_printf(&r->arena, "/app/contracts/%lld", (long long)id));
}

static void ui_contract_approve(Req *r) { decide(r, true); }
static void ui_contract_reject(Req *r) { decide(r, false); }

/* ---------- printable invoice ---------- */

static void party(Req *r, json_t *rec, const char *who, const char *title)
{
    Buf *o = &r->out;
    static const char *keys[] = {"name", "tax_id", "address_phone", "bank_account"};
    static const char *labels[] = {N_("Name"), N_("Taxpayer ID"), N_("Address and phone"), N_("Bank and account")};
    buf_htmlf(o, "<div class=\"invoice-party\"><h3>%s</h3><dl>", title);
    for (int i = 0; i < 4; i++) {
        const char *v = json_string_value(json_object_get(rec, arena_printf(&r->arena, "%s_%s", who, keys[i])));
        buf_htmlf(o, "<dt>%s</dt><dd>%s</dd>", T(r, labels[i]), v ? v : "");
    }
    buf_raw(o, "</dl></div>");
}

static void ui_invoice_print(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    const Entity *e = meta_entity("invoices");
    json_t *rec;
    if (record_get(&r->c, e, id, &rec))
        return ui_fail(r);
    const char *kind = json_string_value(json_object_get(rec, "kind"));
    const char *number = json_string_value(json_object_get(rec, "number"));
    const char *date = json_string_value(json_object_get(rec, "issued_on"));
    const char *st = json_string_value(json_object_get(rec, "status"));
    bool red = num(rec, "red_of") != 0;
    const char *title = kind && !strcmp(kind, "special") ? T(r, "VAT special invoice") : T(r, "VAT invoice");
    Page p = {.title = arena_printf(&r->arena, "%s %s", title, number ? number : ""), .nav = "invoices"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><div><div class=\"crumbs\"><a href=\"/app/invoices\">%s</a> / <a href=\"/app/invoices/%lld\">%s</a></div></div>"
                 "<button class=\"btn primary\" type=\"button\" data-print>%s</button></div>",
              ui_label(r, &e->label), (long long)id, number ? number : "", T(r, "Print"));
    buf_htmlf(o, "<article class=\"card invoice-print%s\"><header><h1>%s%s</h1><dl class=\"invoice-meta\"><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd></dl>",
              red ? " red" : "", title, red ? T(r, " (red-letter)") : "", T(r, "Invoice no."), number ? number : "",
              T(r, "Issued on"), date ? date : "");
    if (st && !strcmp(st, "void"))
        buf_htmlf(o, "<p class=\"void-mark\">%s</p>", T(r, "VOID"));
    buf_raw(o, "</header><div class=\"invoice-parties\">");
    party(r, rec, "buyer", T(r, "Buyer"));
    party(r, rec, "seller", T(r, "Seller"));
    buf_raw(o, "</div>");
    invoice_table(r, rec);
    const char *notes = json_string_value(json_object_get(rec, "notes"));
    if (notes && *notes)
        buf_htmlf(o, "<p class=\"invoice-notes\">%s: %s</p>", T(r, "Notes"), notes);
    buf_raw(o, "</article>");
    ui_end(r, &p);
    json_decref(rec);
}

/* ---------- the invoice form ---------- */

#define FORM_LINES 6

static const char *const head_fields[] = {"number", "kind", "issued_on", "buyer_name", "buyer_tax_id",
                                          "buyer_address_phone", "buyer_bank_account", "notes", NULL};
static const char *const line_keys[] = {"name", "tax_code", "model", "unit", "quantity", "unit_price", "tax_rate_pct",
                                        NULL};

static const char *form_text(json_t *form, const char *k)
{
    const char *v = json_string_value(json_object_get(form, k));
    return v ? v : "";
}

/* The form (values: what was typed, or defaults). */
static void invoice_form(Req *r, json_t *vals, const char *error)
{
    const Entity *e = meta_entity("invoices");
    int64_t red_of = 0, oid = 0, kid = 0;
    parse_i64(form_text(vals, "red_of"), &red_of);
    parse_i64(form_text(vals, "order_id"), &oid);
    parse_i64(form_text(vals, "contract_id"), &kid);
    Page p = {.title = red_of ? T(r, "Red-letter invoice") : T(r, "Issue invoice"), .nav = "invoices"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><div><div class=\"crumbs\"><a href=\"/app/invoices\">%s</a></div><h1>%s</h1></div></div>",
              ui_label(r, &e->label), p.title);
    if (error)
        buf_htmlf(o, "<div class=\"alert error\" role=\"alert\">%s</div>", error);
    buf_raw(o, "<form method=\"post\" action=\"/app/invoices/new\" class=\"card stack invoice-form\">");
    ui_csrf_field(r);
    if (red_of)
        buf_htmlf(o, "<input type=\"hidden\" name=\"red_of\" value=\"%lld\"><p>%s</p>", (long long)red_of,
                  T(r, "Leave the lines empty to negate the whole original invoice, or enter the lines to credit with negative quantities."));
    if (oid)
        buf_htmlf(o, "<input type=\"hidden\" name=\"order_id\" value=\"%lld\">", (long long)oid);
    if (kid)
        buf_htmlf(o, "<input type=\"hidden\" name=\"contract_id\" value=\"%lld\">", (long long)kid);
    buf_raw(o, "<div class=\"form-grid\">");
    for (int i = 0; head_fields[i]; i++) {
        const Field *f = meta_field(e, head_fields[i]);
        if (red_of && strncmp(head_fields[i], "number", 6) && strcmp(head_fields[i], "issued_on") && strcmp(head_fields[i], "notes"))
            continue; /* a red-letter invoice copies the original's parties */
        const char *v = form_text(vals, f->name);
        buf_htmlf(o, "<label class=\"field\"><span class=\"label\">%s%s</span>", ui_label(r, &f->label),
                  f->required ? " *" : "");
        if (f->type == FT_ENUM) {
            buf_htmlf(o, "<select name=\"%s\">", f->name);
            for (int k = 0; k < f->noptions; k++)
                buf_htmlf(o, "<option value=\"%s\"%s>%s</option>", f->options[k].value,
                          !strcmp(v, f->options[k].value) ? " selected" : "", ui_label(r, &f->options[k].label));
            buf_raw(o, "</select>");
        } else {
            buf_htmlf(o, "<input name=\"%s\" type=\"%s\" value=\"%s\"%s>", f->name, f->type == FT_DATE ? "date" : "text",
                      v, f->required ? " required" : "");
        }
        buf_raw(o, "</label>");
    }
    buf_htmlf(o, "</div><div class=\"table-wrap\"><table class=\"invoice-lines edit\"><thead><tr><th>%s *</th><th>%s</th>"
                 "<th>%s</th><th>%s</th><th>%s *</th><th>%s *</th><th>%s *</th></tr></thead><tbody>",
              T(r, "Goods or services"), T(r, "Tax classification code"), T(r, "Model"), T(r, "Unit"), T(r, "Quantity"),
              T(r, "Unit price excl. tax (¥)"), T(r, "Tax rate (%)"));
    for (int i = 0; i < FORM_LINES; i++) {
        buf_raw(o, "<tr>");
        for (int k = 0; line_keys[k]; k++) {
            const char *name = arena_printf(&r->arena, "l%d_%s", i, line_keys[k]);
            const char *v = form_text(vals, name);
            if (!*v && !strcmp(line_keys[k], "tax_rate_pct") && !red_of)
                v = "13";
            buf_htmlf(o, "<td><input name=\"%s\" value=\"%s\" aria-label=\"%s %d\"%s></td>", name, v, line_keys[k], i + 1,
                      k >= 4 ? " inputmode=\"decimal\" class=\"num\"" : "");
        }
        buf_raw(o, "</tr>");
    }
    buf_htmlf(o, "</tbody></table></div><p class=\"hint\">%s</p>",
              T(r, "The server computes each line's amount and tax half-up to the fen, the totals and the total in Chinese capitals."));
    buf_htmlf(o, "<div class=\"form-actions\"><a class=\"btn\" href=\"/app/invoices\">%s</a><button class=\"btn primary\" type=\"submit\">%s</button></div></form>",
              T(r, "Cancel"), T(r, "Save"));
    ui_end(r, &p);
}

/* GET /app/invoices/new?order_id=…|contract_id=…|red_of=… */
static void ui_invoice_new(Req *r)
{
    if (!can(r, "invoices", ACT_CREATE)) {
        ctx_fail(&r->c, GX_EDENIED, "You may not create invoices");
        return ui_fail(r);
    }
    json_t *vals = json_object();
    static const char *pass[] = {"order_id", "contract_id", "red_of", NULL};
    for (int i = 0; pass[i]; i++)
        if (http_query(r, pass[i]))
            json_object_set_new(vals, pass[i], json_string(http_query(r, pass[i])));
    json_object_set_new(vals, "kind", json_string("normal"));
    int y, m, d;
    ui_today(r, &y, &m, &d);
    json_object_set_new(vals, "issued_on", json_string(arena_printf(&r->arena, "%04d-%02d-%02d", y, m, d)));
    invoice_form(r, vals, NULL);
    json_decref(vals);
}

/* A typed number as JSON (integer when whole, else real); NULL if not a number. */
static json_t *typed_number(const char *s)
{
    char *end;
    double d = strtod(s, &end);
    if (!*s || *end)
        return NULL;
    int64_t n;
    if (parse_i64(s, &n))
        return json_integer(n);
    return json_real(d);
}

/* POST /app/invoices/new */
static void ui_invoice_create(Req *r)
{
    json_t *form = http_form(r);
    if (!form) {
        ctx_fail(&r->c, GX_EBADREQ, "The form could not be read");
        return ui_fail(r);
    }
    json_t *in = json_object();
    for (int i = 0; head_fields[i]; i++) {
        const char *v = form_text(form, head_fields[i]);
        if (*v)
            json_object_set_new(in, head_fields[i], json_string(v));
    }
    static const char *links[] = {"order_id", "contract_id", "red_of", NULL};
    for (int i = 0; links[i]; i++) {
        int64_t n;
        if (parse_i64(form_text(form, links[i]), &n) && n > 0)
            json_object_set_new(in, links[i], json_integer(n));
    }
    json_t *lines = json_array();
    Buf err;
    buf_init(&err, &r->arena);
    for (int i = 0; i < FORM_LINES; i++) {
        json_t *l = json_object();
        bool any = false;
        for (int k = 0; line_keys[k]; k++) {
            const char *v = form_text(form, arena_printf(&r->arena, "l%d_%s", i, line_keys[k]));
            if (!*v || (!strcmp(line_keys[k], "tax_rate_pct") && !any))
                continue;
            any = true;
            if (!strcmp(line_keys[k], "unit_price")) {
                int64_t fen;
                json_object_set_new(l, "unit_price", ui_parse_money(v, &fen) ? json_integer(fen) : json_string(v));
            } else if (!strcmp(line_keys[k], "quantity")) {
                json_t *n = typed_number(v);
                json_object_set_new(l, "quantity", n ? n : json_string(v));
            } else {
                json_object_set_new(l, line_keys[k], json_string(v));
            }
        }
        const char *rate = form_text(form, arena_printf(&r->arena, "l%d_tax_rate_pct", i));
        if (any) {
            json_t *n = typed_number(rate);
            json_object_set_new(l, "tax_rate_pct", n ? n : json_string(rate));
            json_array_append(lines, l);
        }
        json_decref(l);
    }
    if (json_array_size(lines) || !json_object_get(in, "red_of"))
        json_object_set(in, "lines", lines);
    json_decref(lines);
    json_t *out;
    GxErr rc = record_create(&r->c, meta_entity("invoices"), in, &out);
    json_decref(in);
    if (rc) {
        buf_raw(&err, ui_engine_msg(r, r->c.err_msg ? r->c.err_msg : "failed"));
        const char *k;
        json_t *v;
        json_object_foreach(r->c.err_fields, k, v)
        {
            buf_raw(&err, " · ");
            buf_raw(&err, k);
            buf_raw(&err, ": ");
            buf_raw(&err, ui_engine_msg(r, json_string_value(v) ? json_string_value(v) : ""));
        }
        if (rc == GX_EINVALID || rc == GX_ECONFLICT) {
            ctx_clear(&r->c);
            r->status = 422;
            invoice_form(r, form, err.data);
        } else {
            ui_fail(r);
        }
        json_decref(form);
        return;
    }
    json_decref(form);
    int64_t id = num(out, "id");
    json_decref(out);
    ui_flash(r, "saved");
    ui_redirect(r, arena_printf(&r->arena, "/app/invoices/%lld", (long long)id));
}

/* ---------- company profile and contract approval (administrators) ---------- */

static void settings_page(Req *r, json_t *company, const char *threshold, const char *error)
{
    Page p = {.title = T(r, "Company profile"), .nav = "company"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><div><h1>%s</h1></div></div>", p.title);
    if (error)
        buf_htmlf(o, "<div class=\"alert error\" role=\"alert\">%s</div>", error);
    buf_raw(o, "<form method=\"post\" action=\"/admin/company\" class=\"card stack\">");
    ui_csrf_field(r);
    buf_htmlf(o, "<p>%s</p><div class=\"form-grid\">", T(r, "The seller on invoices (filled in on every new invoice)."));
    static const char *keys[] = {"name", "tax_id", "address_phone", "bank_account"};
    static const char *labels[] = {N_("Name"), N_("Taxpayer ID"), N_("Address and phone"), N_("Bank and account")};
    for (int i = 0; i < 4; i++) {
        const char *v = json_string_value(json_object_get(company, keys[i]));
        buf_htmlf(o, "<label class=\"field\"><span class=\"label\">%s</span><input name=\"%s\" value=\"%s\"></label>",
                  T(r, labels[i]), keys[i], v ? v : "");
    }
    buf_htmlf(o, "</div><label class=\"field\"><span class=\"label\">%s</span><input name=\"approval_above\" inputmode=\"decimal\" value=\"%s\"></label>"
                 "<p class=\"hint\">%s</p>",
              T(r, "Contracts above this amount (¥) need a manager's approval"), threshold ? threshold : "",
              T(r, "Leave empty: contracts need no approval."));
    buf_htmlf(o, "<div class=\"form-actions\"><button class=\"btn primary\" type=\"submit\">%s</button></div></form>", T(r, "Save"));
    ui_end(r, &p);
}

static const char *threshold_text(Req *r)
{
    json_t *s;
    sales_contract_settings_get(&r->c, &s);
    json_t *v = json_object_get(s, "approval_above");
    const char *t = NULL;
    if (json_is_integer(v)) {
        Buf b;
        buf_init(&b, &r->arena);
        ui_money_input(&b, json_integer_value(v));
        t = b.data;
    }
    json_decref(s);
    return t;
}

static void ui_company_page(Req *r)
{
    if (!acl_is_admin(&r->c)) {
        ctx_fail(&r->c, GX_EDENIED, "Only administrators may change the company profile");
        return ui_fail(r);
    }
    json_t *company;
    sales_company_get(&r->c, &company);
    settings_page(r, company, threshold_text(r), NULL);
    json_decref(company);
}

static void ui_company_post(Req *r)
{
    json_t *form = http_form(r);
    if (!form) {
        ctx_fail(&r->c, GX_EBADREQ, "The form could not be read");
        return ui_fail(r);
    }
    json_t *in = json_object();
    static const char *keys[] = {"name", "tax_id", "address_phone", "bank_account", NULL};
    for (int i = 0; keys[i]; i++)
        json_object_set_new(in, keys[i], json_string(form_text(form, keys[i])));
    const char *th = form_text(form, "approval_above");
    int64_t fen = 0;
    json_t *out = NULL;
    GxErr rc = GX_OK;
    if (*th && (!ui_parse_money(th, &fen) || fen < 0)) {
        ctx_field(&r->c, "approval_above", "must be an amount");
        rc = GX_EINVALID;
    }
    if (!rc)
        rc = sales_company_set(&r->c, in, &out);
    json_decref(out);
    out = NULL;
    if (!rc) {
        json_t *s = json_pack("{s:o}", "approval_above", *th ? json_integer(fen) : json_null());
        rc = sales_contract_settings_set(&r->c, s, &out);
        json_decref(s);
        json_decref(out);
    }
    json_decref(in);
    if (rc) {
        Buf err;
        buf_init(&err, &r->arena);
        buf_raw(&err, ui_engine_msg(r, r->c.err_msg ? r->c.err_msg : "failed"));
        const char *k;
        json_t *v;
        json_object_foreach(r->c.err_fields, k, v)
        {
            buf_raw(&err, " · ");
            buf_raw(&err, k);
            buf_raw(&err, ": ");
            buf_raw(&err, ui_engine_msg(r, json_string_value(v) ? json_string_value(v) : ""));
        }
        bool denied = rc == GX_EDENIED;
        if (denied) {
            json_decref(form);
            return ui_fail(r);
        }
        ctx_clear(&r->c);
        r->status = 422;
        settings_page(r, form, th, err.data);
        json_decref(form);
        return;
    }
    json_decref(form);
    ui_flash(r, "saved");
    ui_redirect(r, "/admin/company");
}

#define H ROUTE_HTML
#define M (ROUTE_HTML | ROUTE_MUTATES)

const Route sales_money_ui_routes[] = {
    {"POST", "/app/contracts/{id}/approve", ui_contract_approve, M, NULL},
    {"POST", "/app/contracts/{id}/reject", ui_contract_reject, M, NULL},
    {"GET", "/app/invoices/{id}/print", ui_invoice_print, H, NULL},
    {"GET", "/app/invoices/new", ui_invoice_new, H, NULL},
    {"POST", "/app/invoices/new", ui_invoice_create, M, NULL},
    {"GET", "/admin/company", ui_company_page, H, NULL},
    {"POST", "/admin/company", ui_company_post, M, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
