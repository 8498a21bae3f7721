/* sales_docs.c — the pages of quotes and orders beyond the generic ones:
 * the line editor inside the generic record form (rows added and removed
 * with htmx; line and document totals recomputed by the server on every
 * change, never in JS), the lines and totals on the record page, its actions
 * (convert to order, revise, print; order status transitions) and the
 * printable quote. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../modules/sales/sales.h"
#include "form.h"

#define EDITOR_ROWS_MAX 200

static bool is_doc(const Entity *e)
{
    return e && (!strcmp(e->name, "quotes") || !strcmp(e->name, "orders"));
}

bool ui_sales_lines_field(const Entity *e, const Field *f)
{
    return is_doc(e) && !strcmp(f->name, "lines");
}

/* ---------- the line editor ---------- */

/* One row as the form shows it: texts as typed (or as stored). */
typedef struct Row {
    const char *product_id, *product_label, *description, *quantity, *unit_price, *discount;
    int64_t line_total; /* fen, when computed */
    bool computed;      /* line_total is valid */
} Row;

/* The i-th value of a possibly repeated form key ("" when absent). */
static const char *nth(json_t *form, const char *key, size_t i)
{
    json_t *v = json_object_get(form, key);
    if (json_is_array(v))
        v = json_array_get(v, i);
    else if (i > 0)
        v = NULL;
    return json_is_string(v) ? json_string_value(v) : "";
}

static size_t count_of(json_t *form, const char *key)
{
    json_t *v = json_object_get(form, key);
    return json_is_array(v) ? json_array_size(v) : v ? 1 : 0;
}

static bool row_empty(const Row *w)
{
    return !*w->product_id && !*w->description && !*w->quantity && !*w->unit_price && !*w->discount;
}

/* Rows from a submitted form (line_* keys). */
static size_t rows_from_form(Req *r, json_t *form, Row **out)
{
    static const char *keys[] = {"line_product_id", "line_description", "line_quantity", "line_unit_price",
                                 "line_discount_pct", NULL};
    size_t n = 0;
    for (int k = 0; keys[k]; k++)
        if (count_of(form, keys[k]) > n)
            n = count_of(form, keys[k]);
    if (n > EDITOR_ROWS_MAX)
        n = EDITOR_ROWS_MAX;
    Row *rows = arena_calloc(&r->arena, n + 1, sizeof *rows);
    for (size_t i = 0; i < n; i++)
        rows[i] = (Row){nth(form, "line_product_id", i),   nth(form, "line_product_id__label", i),
                        nth(form, "line_description", i),  nth(form, "line_quantity", i),
                        nth(form, "line_unit_price", i),   nth(form, "line_discount_pct", i)};
    *out = rows;
    return n;
}

/* A JSON number with up to `digits` decimals, trailing zeros dropped. */
static const char *number_text(Req *r, json_t *v, int digits)
{
    if (!json_is_number(v))
        return "";
    char *s = arena_printf(&r->arena, "%.*f", digits, json_number_value(v));
    char *dot = strchr(s, '.');
    if (dot) {
        char *end = s + strlen(s) - 1;
        while (end > dot && *end == '0')
            *end-- = 0;
        if (end == dot)
            *end = 0;
    }
    return s;
}

static const char *money_text(Req *r, int64_t fen)
{
    Buf b;
    buf_init(&b, &r->arena);
    ui_money_input(&b, fen);
    return b.data;
}

/* Rows from stored (or previewed) lines; names resolve product labels. */
static size_t rows_from_lines(Req *r, json_t *lines, json_t *names, Row **out)
{
    size_t n = json_array_size(lines);
    Row *rows = arena_calloc(&r->arena, n + 1, sizeof *rows);
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        int64_t pid = json_integer_value(json_object_get(l, "product_id"));
        const char *label = pid ? ui_names_get(names, "products", pid) : NULL;
        const char *desc = json_string_value(json_object_get(l, "description"));
        rows[i] = (Row){pid ? arena_printf(&r->arena, "%lld", (long long)pid) : "",
                        label ? label : pid ? arena_printf(&r->arena, "#%lld", (long long)pid) : "",
                        desc ? desc : "",
                        number_text(r, json_object_get(l, "quantity"), 3),
                        money_text(r, json_integer_value(json_object_get(l, "unit_price"))),
                        number_text(r, json_object_get(l, "discount_pct"), 2),
                        json_integer_value(json_object_get(l, "line_total")),
                        true};
    }
    *out = rows;
    return n;
}

/* The lines of rows 0..n-1 as API input (trailing empty rows left out);
 * a unit price that is not an amount is an error under lines[i].unit_price. */
static json_t *rows_input(Req *r, const Row *rows, size_t n, json_t *errors)
{
    while (n > 0 && row_empty(&rows[n - 1]))
        n--;
    json_t *lines = json_array();
    for (size_t i = 0; i < n; i++) {
        const Row *w = &rows[i];
        json_t *o = json_object();
        int64_t v;
        if (*w->product_id && parse_i64(w->product_id, &v))
            json_object_set_new(o, "product_id", json_integer(v));
        if (*w->description)
            json_object_set_new(o, "description", json_string(w->description));
        if (*w->quantity)
            json_object_set_new(o, "quantity", json_string(w->quantity));
        if (*w->unit_price) {
            if (ui_parse_money(w->unit_price, &v))
                json_object_set_new(o, "unit_price", json_integer(v));
            else
                json_object_set_new(errors, arena_printf(&r->arena, "lines[%zu].unit_price", i),
                                    json_string(T(r, "Enter an amount like 1234.50")));
        }
        if (*w->discount)
            json_object_set_new(o, "discount_pct", json_string(w->discount));
        json_array_append_new(lines, o);
    }
    return lines;
}

void ui_sales_lines_input(Req *r, json_t *form, json_t *in, json_t *errors)
{
    Row *rows;
    size_t n = rows_from_form(r, form, &rows);
    json_object_set_new(in, "lines", rows_input(r, rows, n, errors));
}

/* The message of field error key (e.g. "lines[2].quantity"), or NULL. */
static const char *row_error(Req *r, json_t *errors, size_t i, const char *field)
{
    const char *m = json_string_value(json_object_get(errors, arena_printf(&r->arena, "lines[%zu].%s", i, field)));
    return m ? ui_engine_msg(r, m) : NULL;
}

static void cell_input(Req *r, size_t i, const char *name, const char *value, const char *err, const char *extra,
                       const char *label)
{
    Buf *o = &r->out;
    buf_htmlf(o, "<td class=\"%s\"><input name=\"line_%s\" id=\"line-%zu-%s\" value=\"%s\" aria-label=\"%s\"",
              err ? "has-error" : "", name, i, name, value, label);
    buf_raw(o, extra);
    buf_raw(o, ">");
    if (err)
        buf_htmlf(o, "<small class=\"field-error\" role=\"alert\">%s</small>", err);
    buf_raw(o, "</td>");
}

/* The product picker of row i (the link widget of form.c, with row names). */
static void product_cell(Req *r, size_t i, const Row *w, const char *err)
{
    Buf *o = &r->out;
    buf_htmlf(o,
              "<td class=\"%s\"><div class=\"link-search\" data-link-search><input type=\"hidden\" "
              "name=\"line_product_id\" value=\"%s\" data-link-value><input type=\"hidden\" "
              "name=\"line_product_id__label\" value=\"%s\" data-link-label>",
              err ? "has-error" : "", w->product_id, w->product_label);
    buf_htmlf(o,
              "<input type=\"search\" id=\"line-%zu-product\" value=\"%s\" autocomplete=\"off\" placeholder=\"%s\" "
              "aria-label=\"%s\" data-link-text name=\"q\" form=\"no-form\" hx-get=\"/app/products/options\" "
              "hx-trigger=\"input changed delay:200ms, focus\" hx-target=\"next .link-options\" "
              "hx-sync=\"this:replace\"><div class=\"link-options\" role=\"listbox\"></div></div>",
              i, w->product_label, T(r, "Type to search…"), T(r, "Product"));
    if (err)
        buf_htmlf(o, "<small class=\"field-error\" role=\"alert\">%s</small>", err);
    buf_raw(o, "</td>");
}

/* The document totals under the lines (empty when not computed); a change
 * of the tax rate recomputes them alone, leaving the rows being typed in. */
static void totals_foot(Req *r, const Entity *e, json_t *totals)
{
    Buf *o = &r->out;
    static const struct {
        const char *key, *label;
    } rows_t[] = {{"subtotal", N_("Subtotal")}, {"discount_total", N_("Discount")}, {"tax_total", N_("Tax")},
                  {"total", N_("Total")}};
    buf_htmlf(o,
              "<tfoot id=\"lines-totals\" hx-post=\"/app/sales/%s/lines?totals=1\" hx-trigger=\"change from:#f-tax_rate_pct\""
              " hx-include=\"closest form\" hx-target=\"this\" hx-swap=\"outerHTML\">",
              e->name);
    for (int k = 0; totals && k < 4; k++) {
        buf_htmlf(o, "<tr class=\"total-row\"><td colspan=\"6\" class=\"num\">%s</td><td class=\"num\" id=\"doc-%s\">",
                  T(r, rows_t[k].label), rows_t[k].key);
        ui_money(o, json_integer_value(json_object_get(totals, rows_t[k].key)));
        buf_raw(o, "</td><td></td></tr>");
    }
    buf_raw(o, "</tfoot>");
}

/* The editor: rows, computed totals (totals may be NULL: not computed). */
static void editor(Req *r, const Entity *e, const Row *rows, size_t n, json_t *totals, json_t *errors)
{
    Buf *o = &r->out;
    const char *lines_err = json_string_value(json_object_get(errors, "lines"));
    buf_htmlf(o,
              "<div class=\"field wide lines-editor%s\" id=\"lines-editor\" hx-post=\"/app/sales/%s/lines\""
              " hx-trigger=\"change\""
              " hx-include=\"closest form\" hx-target=\"this\" hx-swap=\"outerHTML\" hx-sync=\"this:replace\""
              " hx-disinherit=\"*\">",
              lines_err ? " has-error" : "", e->name);
    buf_htmlf(o, "<span class=\"label\">%s <abbr class=\"req\" title=\"%s\">*</abbr></span><div class=\"control\">",
              T(r, "Line items"), T(r, "required"));
    buf_htmlf(o,
              "<div class=\"table-wrap\"><table class=\"grid lines\"><thead><tr><th class=\"num\">#</th><th>%s</th>"
              "<th>%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th>"
              "<th class=\"num\">%s</th><th><span class=\"skip\">%s</span></th></tr></thead><tbody>",
              T(r, "Product"), T(r, "Description"), T(r, "Quantity"), T(r, "Unit price (¥)"), T(r, "Discount (%)"),
              T(r, "Amount"), T(r, "Remove"));
    for (size_t i = 0; i < n; i++) {
        const Row *w = &rows[i];
        buf_htmlf(o, "<tr data-line=\"%zu\"><td class=\"num\">%zu</td>", i, i + 1);
        product_cell(r, i, w, row_error(r, errors, i, "product_id"));
        cell_input(r, i, "description", w->description, row_error(r, errors, i, "description"), "",
                   T(r, "Description"));
        cell_input(r, i, "quantity", w->quantity, row_error(r, errors, i, "quantity"),
                   " inputmode=\"decimal\" class=\"num\" size=\"6\"", T(r, "Quantity"));
        cell_input(r, i, "unit_price", w->unit_price, row_error(r, errors, i, "unit_price"),
                   " inputmode=\"decimal\" class=\"num\" size=\"8\"", T(r, "Unit price (¥)"));
        cell_input(r, i, "discount_pct", w->discount, row_error(r, errors, i, "discount_pct"),
                   " inputmode=\"decimal\" class=\"num\" size=\"4\"", T(r, "Discount (%)"));
        buf_raw(o, "<td class=\"num line-total\">");
        if (w->computed)
            ui_money(o, w->line_total);
        buf_htmlf(o,
                  "</td><td><button type=\"button\" class=\"btn small\" title=\"%s\" aria-label=\"%s\""
                  " hx-post=\"/app/sales/%s/lines?remove=%zu\" hx-include=\"closest form\""
                  " hx-target=\"#lines-editor\" hx-swap=\"outerHTML\">×</button></td></tr>",
                  T(r, "Remove"), T(r, "Remove"), e->name, i);
    }
    buf_raw(o, "</tbody>");
    totals_foot(r, e, totals);
    buf_raw(o, "</table></div>");
    if (lines_err)
        buf_htmlf(o, "<small class=\"field-error\" role=\"alert\">%s</small>", ui_engine_msg(r, lines_err));
    buf_htmlf(o,
              "<div><button type=\"button\" class=\"btn small\" id=\"add-line\" hx-post=\"/app/sales/%s/lines?add=1\""
              " hx-include=\"closest form\" hx-target=\"#lines-editor\" hx-swap=\"outerHTML\">+ %s</button>"
              " <small class=\"muted\">%s</small></div></div></div>",
              e->name, T(r, "Add a line"),
              T(r, "Totals are computed by the server: each line rounded half-up to the fen, tax on the discounted subtotal."));
}

/* Price the rows (no writing): fills line totals and empty prices and
 * discounts from the defaults. *totals is NULL when something is wrong;
 * the errors go to errors. */
static void price_rows(Req *r, Row *rows, size_t n, int64_t customer_id, const char *tax_text, json_t *errors,
                       json_t **totals)
{
    *totals = NULL;
    json_t *lines = rows_input(r, rows, n, errors);
    int64_t tax = 0;
    DbVal dv;
    const Field *tf = meta_field(meta_entity("quotes"), "tax_rate_pct");
    if (tax_text && *tax_text) {
        if (!meta_coerce_text(&r->c, tf, tax_text, &dv) || dv.type != DBV_INT) {
            ctx_clear(&r->c);
            json_decref(lines);
            return;
        }
        tax = dv.i;
    }
    if (json_object_size(errors) || !json_array_size(lines)) {
        json_decref(lines);
        return;
    }
    /* a row without a quantity yet is priced as one unit for its defaults,
     * and counts in no total */
    bool complete = true;
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        if (!json_object_get(l, "quantity")) {
            json_object_set_new(l, "quantity", json_string("1"));
            complete = false;
        }
    }
    json_t *out = NULL;
    if (sales_lines_preview(&r->c, lines, customer_id, tax, &out)) {
        const char *k;
        json_t *m;
        json_object_foreach(r->c.err_fields, k, m) json_object_set(errors, k, m);
        ctx_clear(&r->c);
        json_decref(lines);
        return;
    }
    json_array_foreach(json_object_get(out, "lines"), i, l)
    {
        if (i >= n)
            break;
        rows[i].line_total = json_integer_value(json_object_get(l, "line_total"));
        rows[i].computed = *rows[i].quantity != 0;
        if (!*rows[i].unit_price)
            rows[i].unit_price = money_text(r, json_integer_value(json_object_get(l, "unit_price")));
        if (!*rows[i].discount)
            rows[i].discount = number_text(r, json_object_get(l, "discount_pct"), 2);
        if (!*rows[i].description)
            rows[i].description = arena_strdup(&r->arena, json_string_value(json_object_get(l, "description")));
    }
    json_decref(lines);
    if (complete) {
        *totals = out;
    } else {
        json_decref(out);
    }
}

void ui_sales_lines_editor(Req *r, const Entity *e, json_t *rec, json_t *vals, json_t *errors)
{
    Row *rows;
    size_t n;
    json_t *names = NULL;
    json_t *totals = NULL;
    if (json_object_get(vals, "line_quantity") || json_object_get(vals, "line_product_id")) {
        n = rows_from_form(r, vals, &rows); /* a failed save: what was typed */
    } else if (rec && json_is_array(json_object_get(rec, "lines"))) {
        names = ui_names_new();
        size_t i;
        json_t *l;
        json_array_foreach(json_object_get(rec, "lines"), i, l)
        {
            int64_t pid = json_integer_value(json_object_get(l, "product_id"));
            if (pid)
                ui_names_want(names, "products", pid);
        }
        ui_names_resolve(r, names);
        n = rows_from_lines(r, json_object_get(rec, "lines"), names, &rows);
        totals = json_pack("{s:O, s:O, s:O, s:O}", "subtotal", json_object_get(rec, "subtotal"), "discount_total",
                           json_object_get(rec, "discount_total"), "tax_total", json_object_get(rec, "tax_total"),
                           "total", json_object_get(rec, "total"));
    } else {
        n = 0;
        rows = arena_calloc(&r->arena, 1, sizeof *rows);
    }
    if (n == 0) {
        rows[0] = (Row){"", "", "", "", "", ""};
        n = 1;
    }
    editor(r, e, rows, n, totals, errors);
    json_decref(totals);
    json_decref(names);
}

/* POST /app/sales/{entity}/lines[?add=1|?remove=i] — the editor again, priced. */
void ui_sales_lines_preview(Req *r)
{
    const Entity *e = meta_entity(http_param(r, "entity"));
    if (!is_doc(e) || acl_scope(&r->c, e, ACT_READ) == SCOPE_NONE) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such page");
        return ui_fail(r);
    }
    json_t *form = http_form(r);
    if (!form) {
        ctx_fail(&r->c, GX_EBADREQ, "Malformed form");
        return ui_fail(r);
    }
    Row *rows;
    size_t n = rows_from_form(r, form, &rows);
    int64_t rm;
    if (http_query(r, "remove") && parse_i64(http_query(r, "remove"), &rm) && rm >= 0 && (size_t)rm < n) {
        memmove(&rows[rm], &rows[rm + 1], (n - (size_t)rm - 1) * sizeof *rows);
        n--;
    }
    if (http_query(r, "add") && n < EDITOR_ROWS_MAX) {
        Row *more = arena_calloc(&r->arena, n + 2, sizeof *more);
        memcpy(more, rows, n * sizeof *rows);
        more[n] = (Row){"", "", "", "", "", ""};
        rows = more;
        n++;
    }
    if (n == 0) {
        rows = arena_calloc(&r->arena, 1, sizeof *rows);
        rows[0] = (Row){"", "", "", "", "", ""};
        n = 1;
    }
    int64_t cid = 0;
    const char *cs = form_str(form, "customer_id");
    if (cs && !parse_i64(cs, &cid))
        cid = 0;
    json_t *errors = json_object(), *totals = NULL;
    price_rows(r, rows, n, cid, form_str(form, "tax_rate_pct"), errors, &totals);
    /* while typing, only the rows already filled in are judged */
    json_t *shown = json_object();
    const char *k;
    json_t *m;
    json_object_foreach(errors, k, m)
    {
        size_t i;
        if (sscanf(k, "lines[%zu]", &i) == 1 && i < n && !row_empty(&rows[i]) && *rows[i].quantity)
            json_object_set(shown, k, m);
    }
    ui_html_headers(r);
    buf_clear(&r->out);
    if (http_query(r, "totals"))
        totals_foot(r, e, totals);
    else
        editor(r, e, rows, n, totals, shown);
    r->status = 200;
    json_decref(shown);
    json_decref(errors);
    json_decref(totals);
    json_decref(form);
}

/* ---------- the record page ---------- */

/* The order statuses a transition button leads to, with their verbs. */
static const struct {
    const char *to, *verb;
} verbs[] = {{"approved", N_("Approve order")},         {"delivered", N_("Mark delivered")},
             {"invoiced", N_("Mark invoiced")},   {"closed", N_("Close")},
             {"returned", N_("Mark returned")},   {"cancelled", N_("Cancel order")}};

static void post_button(Req *r, const char *action, const char *label, bool primary, const char *to, int64_t version)
{
    Buf *o = &r->out;
    buf_htmlf(o, "<form method=\"post\" action=\"%s\" class=\"inline\">", action);
    ui_csrf_field(r);
    if (to)
        buf_htmlf(o, "<input type=\"hidden\" name=\"to\" value=\"%s\">", to);
    buf_htmlf(o, "<input type=\"hidden\" name=\"version\" value=\"%lld\">", (long long)version);
    buf_htmlf(o, "<button class=\"btn%s\" type=\"submit\">%s</button></form>", primary ? " primary" : "", label);
}

void ui_sales_doc_actions(Req *r, const Entity *e, json_t *rec, bool can_edit)
{
    if (!is_doc(e))
        return;
    Buf *o = &r->out;
    long long id = (long long)json_integer_value(json_object_get(rec, "id"));
    int64_t version = json_integer_value(json_object_get(rec, "version"));
    const char *st = json_string_value(json_object_get(rec, "status"));
    if (!st)
        st = "";
    if (!strcmp(e->name, "quotes")) {
        buf_htmlf(o, "<a class=\"btn\" href=\"/quotes/%lld/print\" target=\"_blank\" rel=\"noopener\">%s</a>", id,
                  T(r, "Print"));
        int64_t oid = json_integer_value(json_object_get(rec, "order_id"));
        if (oid) {
            buf_htmlf(o, "<a class=\"btn\" href=\"/app/orders/%lld\">%s</a>", (long long)oid, T(r, "View order"));
        } else if (can_edit && strcmp(st, "rejected") && strcmp(st, "expired") &&
                   acl_scope(&r->c, meta_entity("orders"), ACT_CREATE) != SCOPE_NONE) {
            post_button(r, arena_printf(&r->arena, "/app/quotes/%lld/convert", id), T(r, "Convert to order"), true,
                        NULL, version);
        }
        if (acl_scope(&r->c, e, ACT_CREATE) != SCOPE_NONE)
            post_button(r, arena_printf(&r->arena, "/app/quotes/%lld/revise", id), T(r, "Revise"), false, NULL,
                        version);
        return;
    }
    int64_t qid = json_integer_value(json_object_get(rec, "quote_id"));
    if (qid)
        buf_htmlf(o, "<a class=\"btn\" href=\"/app/quotes/%lld\">%s</a>", (long long)qid, T(r, "View quote"));
    if (!can_edit)
        return;
    bool first = true;
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        if (!sales_order_transition_allowed(st, verbs[i].to))
            continue;
        post_button(r, arena_printf(&r->arena, "/app/orders/%lld/transition", id), T(r, verbs[i].verb), first,
                    verbs[i].to, version);
        first = false;
    }
}

void ui_sales_doc_lines(Req *r, const Entity *e, json_t *rec)
{
    if (!is_doc(e))
        return;
    Buf *o = &r->out;
    bool delivery = !strcmp(e->name, "orders");
    json_t *lines = json_object_get(rec, "lines");
    json_t *names = ui_names_new();
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        int64_t pid = json_integer_value(json_object_get(l, "product_id"));
        if (pid)
            ui_names_want(names, "products", pid);
    }
    ui_names_resolve(r, names);
    buf_htmlf(o,
              "<section class=\"card\" id=\"lines\"><h2>%s</h2><div class=\"table-wrap\"><table class=\"grid "
              "lines\"><thead><tr><th class=\"num\">#</th><th>%s</th><th class=\"num\">%s</th>"
              "<th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th>",
              T(r, "Line items"), T(r, "Product"), T(r, "Quantity"), T(r, "Unit price"), T(r, "Discount (%)"),
              T(r, "Amount"));
    if (delivery)
        buf_htmlf(o, "<th class=\"num\">%s</th><th class=\"num\">%s</th>", T(r, "Delivered"), T(r, "Returned"));
    buf_raw(o, "</tr></thead><tbody>");
    json_array_foreach(lines, i, l)
    {
        int64_t pid = json_integer_value(json_object_get(l, "product_id"));
        const char *pname = pid ? ui_names_get(names, "products", pid) : NULL;
        buf_htmlf(o, "<tr><td class=\"num\">%zu</td><td>", i + 1);
        const char *desc = json_string_value(json_object_get(l, "description"));
        if (pid)
            buf_htmlf(o, "<a href=\"/app/products/%lld\">%s</a>", (long long)pid,
                      pname ? pname : arena_printf(&r->arena, "#%lld", (long long)pid));
        /* the description under the product when it says more than its name */
        bool more = desc && *desc && (!pname || strcmp(desc, pname));
        if (more && pid)
            buf_htmlf(o, "<br><small class=\"muted\">%s</small>", desc);
        else if (more)
            buf_html(o, desc);
        buf_htmlf(o, "</td><td class=\"num\">%s</td><td class=\"num\">",
                  number_text(r, json_object_get(l, "quantity"), 3));
        ui_money(o, json_integer_value(json_object_get(l, "unit_price")));
        buf_htmlf(o, "</td><td class=\"num\">%s</td><td class=\"num\">",
                  number_text(r, json_object_get(l, "discount_pct"), 2));
        ui_money(o, json_integer_value(json_object_get(l, "line_total")));
        buf_raw(o, "</td>");
        if (delivery)
            buf_htmlf(o, "<td class=\"num\">%s</td><td class=\"num\">%s</td>",
                      number_text(r, json_object_get(l, "delivered_qty"), 3),
                      number_text(r, json_object_get(l, "returned_qty"), 3));
        buf_raw(o, "</tr>");
    }
    buf_raw(o, "</tbody><tfoot>");
    static const struct {
        const char *key, *label;
    } sums[] = {{"subtotal", N_("Subtotal")}, {"discount_total", N_("Discount")}, {"tax_total", N_("Tax")},
                {"total", N_("Total")}};
    for (int k = 0; k < 4; k++) {
        buf_htmlf(o, "<tr class=\"total-row\"><td colspan=\"5\" class=\"num\">%s", T(r, sums[k].label));
        if (!strcmp(sums[k].key, "tax_total"))
            buf_htmlf(o, " (%s%%)", number_text(r, json_object_get(rec, "tax_rate_pct"), 2));
        buf_htmlf(o, "</td><td class=\"num\" id=\"doc-%s\">", sums[k].key);
        ui_money(o, json_integer_value(json_object_get(rec, sums[k].key)));
        buf_raw(o, delivery ? "</td><td></td><td></td></tr>" : "</td></tr>");
    }
    buf_raw(o, "</tfoot></table></div></section>");
    json_decref(names);
}

/* ---------- actions ---------- */

static bool form_version(json_t *form, int64_t *version)
{
    *version = 0;
    const char *v = form_str(form, "version");
    return !v || !*v || parse_i64(v, version);
}

/* POST /app/quotes/{id}/convert */
void ui_sales_quote_convert(Req *r)
{
    int64_t id, oid;
    if (!ui_id(r, &id))
        return;
    if (sales_quote_convert(&r->c, id, &oid))
        return ui_fail(r);
    ui_flash(r, "created");
    ui_redirect(r, arena_printf(&r->arena, "/app/orders/%lld", (long long)oid));
}

/* POST /app/quotes/{id}/revise */
void ui_sales_quote_revise(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    json_t *out;
    if (sales_quote_revise(&r->c, id, &out))
        return ui_fail(r);
    ui_flash(r, "created");
    ui_redirect(r, arena_printf(&r->arena, "/app/quotes/%lld/edit",
                                (long long)json_integer_value(json_object_get(out, "id"))));
    json_decref(out);
}

/* POST /app/orders/{id}/transition (to, version) */
void ui_sales_order_transition(Req *r)
{
    int64_t id, version;
    if (!ui_id(r, &id))
        return;
    json_t *form = http_form(r);
    if (!form || !form_version(form, &version)) {
        json_decref(form);
        ctx_fail(&r->c, GX_EBADREQ, "Malformed form");
        return ui_fail(r);
    }
    json_t *out = NULL;
    GxErr rc = sales_order_transition(&r->c, id, form_str(form, "to"), version, &out);
    json_decref(form);
    json_decref(out);
    if (rc)
        return ui_fail(r);
    ui_flash(r, "saved");
    ui_redirect(r, arena_printf(&r->arena, "/app/orders/%lld", (long long)id));
}

/* ---------- the printable quote ---------- */

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* GET /quotes/{id}/print — the quote as a printable page (also the layout the
 * PDF follows). */
void ui_sales_quote_print(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    json_t *q;
    if (sales_quote_load(&r->c, id, &q))
        return ui_fail(r);
    Page p = {.title = arena_printf(&r->arena, "%s %s", T(r, "Quotation"), str(q, "number")), .bare = true};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o,
              "<article class=\"card quote-print\"><div class=\"page-head\"><h1>%s</h1><div><button class=\"btn "
              "primary\" type=\"button\" data-print>%s</button></div></div>",
              T(r, "Quotation"), T(r, "Print"));
    buf_htmlf(o, "<dl class=\"fields\"><div><dt>%s</dt><dd>%s (%s %lld)</dd></div>", T(r, "Quote no."),
              str(q, "number"), T(r, "revision"), (long long)json_integer_value(json_object_get(q, "revision")));
    buf_htmlf(o, "<div><dt>%s</dt><dd>%s</dd></div>", T(r, "Customer"), str(q, "customer_name"));
    if (*str(q, "contact_name"))
        buf_htmlf(o, "<div><dt>%s</dt><dd>%s</dd></div>", T(r, "Contact"), str(q, "contact_name"));
    buf_htmlf(o, "<div><dt>%s</dt><dd>%s</dd></div>", T(r, "Quote date"), str(q, "quote_date"));
    if (*str(q, "valid_until"))
        buf_htmlf(o, "<div><dt>%s</dt><dd>%s</dd></div>", T(r, "Valid until"), str(q, "valid_until"));
    buf_htmlf(o, "<div><dt>%s</dt><dd>%s</dd></div></dl>", T(r, "Sales rep"), str(q, "owner_name"));
    buf_htmlf(o,
              "<table class=\"grid lines\"><thead><tr><th class=\"num\">#</th><th>%s</th><th>%s</th><th>%s</th>"
              "<th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th><th "
              "class=\"num\">%s</th></tr></thead><tbody>",
              T(r, "Code"), T(r, "Description"), T(r, "Unit"), T(r, "Quantity"), T(r, "Unit price"),
              T(r, "Discount (%)"), T(r, "Amount"));
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(q, "lines"), i, l)
    {
        buf_htmlf(o, "<tr><td class=\"num\">%zu</td><td>%s</td><td>%s</td><td>%s</td><td class=\"num\">%s</td><td "
                     "class=\"num\">",
                  i + 1, str(l, "product_code"), str(l, "description"), str(l, "unit"),
                  number_text(r, json_object_get(l, "quantity"), 3));
        ui_money(o, json_integer_value(json_object_get(l, "unit_price")));
        buf_htmlf(o, "</td><td class=\"num\">%s</td><td class=\"num\">",
                  number_text(r, json_object_get(l, "discount_pct"), 2));
        ui_money(o, json_integer_value(json_object_get(l, "line_total")));
        buf_raw(o, "</td></tr>");
    }
    buf_raw(o, "</tbody><tfoot>");
    static const struct {
        const char *key, *label;
    } sums[] = {{"subtotal", N_("Subtotal")}, {"discount_total", N_("Discount")}, {"tax_total", N_("Tax")},
                {"total", N_("Total")}};
    for (int k = 0; k < 4; k++) {
        buf_htmlf(o, "<tr class=\"total-row\"><td colspan=\"7\" class=\"num\">%s", T(r, sums[k].label));
        if (!strcmp(sums[k].key, "tax_total"))
            buf_htmlf(o, " (%s%%)", number_text(r, json_object_get(q, "tax_rate_pct"), 2));
        buf_raw(o, "</td><td class=\"num\">");
        ui_money(o, json_integer_value(json_object_get(q, sums[k].key)));
        buf_raw(o, "</td></tr>");
    }
    buf_raw(o, "</tfoot></table>");
    if (*str(q, "notes"))
        buf_htmlf(o, "<p class=\"notes\">%s</p>", str(q, "notes"));
    buf_htmlf(o, "<p class=\"muted\">%s</p></article>",
              T(r, "Prices in yuan, excluding tax. Each line is rounded half-up to the fen; tax is charged once on the "
                   "discounted subtotal."));
    ui_end(r, &p);
    json_decref(q);
}

#define H ROUTE_HTML
#define M (ROUTE_HTML | ROUTE_MUTATES)

const Route sales_docs_ui_routes[] = {
    {"POST", "/app/sales/{entity}/lines", ui_sales_lines_preview, M, NULL},
    {"POST", "/app/quotes/{id}/convert", ui_sales_quote_convert, M, NULL},
    {"POST", "/app/quotes/{id}/revise", ui_sales_quote_revise, M, NULL},
    {"POST", "/app/orders/{id}/transition", ui_sales_order_transition, M, NULL},
    {"GET", "/quotes/{id}/print", ui_sales_quote_print, H, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
