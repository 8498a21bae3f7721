/* receivables.c — the receivables pages (应收账款): customers in the
 * viewer's scope with what is receivable, received, still due and overdue
 * (sortable, filterable, exported to Excel by the API), and one customer's
 * orders and contracts behind those figures. Figures: modules/sales/
 * receivables.c. */
#include <string.h>

#include "../base/util.h"
#include "../modules/sales/sales.h"
#include "ui.h"

static const struct {
    const char *key;   /* sort key and JSON field */
    const char *label; /* column heading */
} cols[] = {
    {"receivable_total", N_("Receivable")},
    {"received_total", N_("Received")},
    {"balance_due", N_("Balance due")},
    {"overdue_amount", N_("Overdue")},
};

/* The query string of the page with sort/dir/offset replaced. */
static const char *page_url(Req *r, const char *base, const ReceivablesQuery *q, const char *sort, bool desc,
                            int64_t offset)
{
    Buf b;
    buf_init(&b, &r->arena);
    buf_raw(&b, base);
    buf_raw(&b, "?sort=");
    buf_url(&b, sort);
    buf_printf(&b, "&dir=%s", desc ? "desc" : "asc");
    if (q->overdue_only)
        buf_raw(&b, "&overdue=1");
    if (q->due_only)
        buf_raw(&b, "&due=1");
    if (q->q && *q->q) {
        buf_raw(&b, "&q=");
        buf_url(&b, q->q);
    }
    if (offset)
        buf_printf(&b, "&offset=%lld", (long long)offset);
    return b.data;
}

/* A sortable column heading: a link that sorts by key (descending first,
 * then toggles), marked with the current direction. */
static void heading(Req *r, const ReceivablesQuery *q, const char *cur, const char *key, const char *label, bool num)
{
    bool active = !strcmp(cur, key);
    bool desc = active ? !q->desc : strcmp(key, "customer_name") != 0;
    buf_raw(&r->out, num ? "<th class=\"num\"" : "<th");
    if (active)
        buf_raw(&r->out, q->desc ? " aria-sort=\"descending\"" : " aria-sort=\"ascending\"");
    buf_htmlf(&r->out, "><a href=\"%s\" data-sort=\"%s\">%s%s</a></th>",
              page_url(r, "/app/reports/receivables", q, key, desc, 0), key, label,
              active ? (q->desc ? " ↓" : " ↑") : "");
}

static void money_td(Req *r, json_t *v, const char *key)
{
    buf_htmlf(&r->out, "<td class=\"num\" data-col=\"%s\">", key);
    ui_money(&r->out, json_integer_value(v));
    buf_raw(&r->out, "</td>");
}

static void h_page(Req *r)
{
    ReceivablesQuery q = {0};
    q.sort = http_query(r, "sort");
    if (q.sort && !sales_receivables_sort_valid(q.sort))
        q.sort = NULL;
    const char *dir = http_query(r, "dir");
    q.desc = !dir || strcmp(dir, "asc");
    const char *v = http_query(r, "overdue");
    q.overdue_only = v && !strcmp(v, "1");
    v = http_query(r, "due");
    q.due_only = v && !strcmp(v, "1");
    q.q = http_query(r, "q");
    q.limit = 50;
    if ((v = http_query(r, "offset")) && (!parse_i64(v, &q.offset) || q.offset < 0))
        q.offset = 0;
    json_t *rep;
    if (sales_receivables(&r->c, &q, &rep))
        return ui_fail(r);
    const char *sort = json_string_value(json_object_get(rep, "sort"));
    const char *title = T(r, "Accounts receivable");
    Page p = {.title = title, .nav = "receivables"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><div><h1>%s</h1><p class=\"muted\">%s %s</p></div><div class=\"actions\">",
              title, T(r, "Outstanding balances and overdue amounts per customer, as of"),
              json_string_value(json_object_get(rep, "as_of")));
    buf_htmlf(o, "<a class=\"btn\" data-export href=\"%s\">%s</a></div></div>",
              page_url(r, "/api/v1/reports/receivables/export", &q, sort, q.desc, 0), T(r, "Export to Excel"));
    /* filters */
    buf_htmlf(o,
              "<form class=\"card pad receivables-filters\" method=\"get\" action=\"/app/reports/receivables\">"
              "<input type=\"hidden\" name=\"sort\" value=\"%s\"><input type=\"hidden\" name=\"dir\" value=\"%s\">",
              sort, q.desc ? "desc" : "asc");
    buf_htmlf(o, "<label>%s <input type=\"search\" name=\"q\" value=\"%s\"></label>", T(r, "Customer"), q.q ? q.q : "");
    buf_htmlf(o, "<label class=\"check\"><input type=\"checkbox\" name=\"due\" value=\"1\"%s> %s</label>",
              q.due_only ? " checked" : "", T(r, "Only with a balance due"));
    buf_htmlf(o, "<label class=\"check\"><input type=\"checkbox\" name=\"overdue\" value=\"1\"%s> %s</label>",
              q.overdue_only ? " checked" : "", T(r, "Only overdue"));
    buf_htmlf(o, "<button class=\"btn primary\" type=\"submit\">%s</button></form>", T(r, "Filter"));
    /* totals */
    json_t *tot = json_object_get(rep, "totals");
    buf_raw(o, "<section class=\"card pad\"><div class=\"money-figs\">");
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
        buf_htmlf(o, "<div class=\"money-fig%s\" data-fig=\"%s\"><span class=\"label\">%s</span><strong class=\"num\">",
                  !strcmp(cols[k].key, "balance_due")      ? " due"
                  : !strcmp(cols[k].key, "overdue_amount") ? " overdue"
                                                           : "",
                  cols[k].key, T(r, cols[k].label));
        ui_money(o, json_integer_value(json_object_get(tot, cols[k].key)));
        buf_raw(o, "</strong></div>");
    }
    buf_raw(o, "</div></section>");
    json_t *data = json_object_get(rep, "data");
    int64_t total = json_integer_value(json_object_get(rep, "total"));
    buf_raw(o, "<section class=\"card\">");
    if (!json_array_size(data)) {
        buf_htmlf(o, "<p class=\"muted pad\">%s</p>",
                  T(r, "No customer owes anything — nothing receivable in your scope."));
    } else {
        buf_raw(o, "<div class=\"table-wrap\"><table class=\"grid\" data-receivables><thead><tr>");
        heading(r, &q, sort, "customer_name", T(r, "Customer"), false);
        for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
            heading(r, &q, sort, cols[k].key, T(r, cols[k].label), true);
        buf_raw(o, "</tr></thead><tbody>");
        size_t i;
        json_t *x;
        json_array_foreach(data, i, x)
        {
            long long cid = (long long)json_integer_value(json_object_get(x, "customer_id"));
            buf_htmlf(o,
                      "<tr data-customer=\"%lld\"><td data-label=\"%s\"><a "
                      "href=\"/app/reports/receivables/%lld\">%s</a></td>",
                      cid, T(r, "Customer"), cid, json_string_value(json_object_get(x, "customer_name")));
            for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
                money_td(r, json_object_get(x, cols[k].key), cols[k].key);
            buf_raw(o, "</tr>");
        }
        buf_raw(o, "</tbody></table></div>");
        buf_htmlf(o, "<nav class=\"pager pad\"><span class=\"muted\">%lld–%lld / %lld</span> ", (long long)q.offset + 1,
                  (long long)(q.offset + (int64_t)json_array_size(data)), (long long)total);
        if (q.offset > 0)
            buf_htmlf(o, "<a class=\"btn small\" href=\"%s\">%s</a> ",
                      page_url(r, "/app/reports/receivables", &q, sort, q.desc, q.offset > 50 ? q.offset - 50 : 0),
                      T(r, "Previous"));
        if (q.offset + 50 < total)
            buf_htmlf(o, "<a class=\"btn small\" href=\"%s\">%s</a>",
                      page_url(r, "/app/reports/receivables", &q, sort, q.desc, q.offset + 50), T(r, "Next"));
        buf_raw(o, "</nav>");
    }
    buf_raw(o, "</section>");
    json_decref(rep);
    ui_end(r, &p);
}

/* The label of an enum value of entity's status field. */
static const char *status_label(Req *r, const char *entity, const char *value)
{
    const Entity *e = meta_entity(entity);
    const Field *f = e ? meta_field(e, "status") : NULL;
    const EnumOption *opt = f && value ? meta_option(f, value) : NULL;
    return opt ? ui_label(r, &opt->label) : value ? value : "";
}

/* A table of the customer's documents (orders or contracts). */
static void documents(Req *r, const char *entity, const char *heading, const char *date_label, json_t *list)
{
    Buf *o = &r->out;
    buf_htmlf(o, "<section class=\"card\" data-docs=\"%s\"><h2>%s <span class=\"muted\">(%lld)</span></h2>", entity,
              heading, (long long)json_array_size(list));
    if (!json_array_size(list)) {
        buf_htmlf(o, "<p class=\"muted pad\">%s</p>", T(r, "None."));
        buf_raw(o, "</section>");
        return;
    }
    buf_htmlf(o,
              "<div class=\"table-wrap\"><table class=\"grid\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
              "<th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th>"
              "</tr></thead><tbody>",
              T(r, "Number"), T(r, "Status"), date_label, T(r, "Amount"), T(r, "Received"), T(r, "Outstanding"),
              T(r, "Overdue"));
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x)
    {
        long long id = (long long)json_integer_value(json_object_get(x, "id"));
        const char *num = json_string_value(json_object_get(x, "number"));
        const char *date = json_string_value(json_object_get(x, "date"));
        buf_htmlf(o, "<tr data-doc=\"%lld\"><td data-label=\"%s\"><a href=\"/app/%s/%lld\">%s</a></td>", id,
                  T(r, "Number"), entity, id, num ? num : "#");
        buf_htmlf(o, "<td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td>", T(r, "Status"),
                  status_label(r, entity, json_string_value(json_object_get(x, "status"))), date_label,
                  date ? date : "");
        money_td(r, json_object_get(x, "total"), "total");
        money_td(r, json_object_get(x, "received_amount"), "received_amount");
        money_td(r, json_object_get(x, "outstanding_amount"), "outstanding_amount");
        money_td(r, json_object_get(x, "overdue_amount"), "overdue_amount");
        buf_raw(o, "</tr>");
    }
    buf_raw(o, "</tbody></table></div></section>");
}

static void h_customer_page(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    json_t *rep;
    if (sales_receivable_customer(&r->c, id, &rep))
        return ui_fail(r);
    const char *name = json_string_value(json_object_get(rep, "customer_name"));
    const char *title = arena_printf(&r->arena, "%s · %s", T(r, "Accounts receivable"), name);
    Page p = {.title = title, .nav = "receivables"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(
        o,
        "<div class=\"page-head\"><div><div class=\"crumbs muted\"><a href=\"/app/reports/receivables\">%s</a></div>"
        "<h1><a href=\"/app/customers/%lld\">%s</a></h1></div></div>",
        T(r, "Accounts receivable"), (long long)id, name);
    buf_raw(o, "<section class=\"card pad\"><div class=\"money-figs\">");
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
        buf_htmlf(o, "<div class=\"money-fig%s\" data-fig=\"%s\"><span class=\"label\">%s</span><strong class=\"num\">",
                  !strcmp(cols[k].key, "balance_due")      ? " due"
                  : !strcmp(cols[k].key, "overdue_amount") ? " overdue"
                                                           : "",
                  cols[k].key, T(r, cols[k].label));
        ui_money(o, json_integer_value(json_object_get(rep, cols[k].key)));
        buf_raw(o, "</strong></div>");
    }
    buf_raw(o, "</div></section>");
    documents(r, "orders", T(r, "Orders"), T(r, "Order date"), json_object_get(rep, "orders"));
    documents(r, "contracts", T(r, "Contracts not tied to an order"), T(r, "Ends"), json_object_get(rep, "contracts"));
    json_decref(rep);
    ui_end(r, &p);
}

const Route receivables_ui_routes[] = {
    {"GET", "/app/reports/receivables", h_page, ROUTE_HTML, NULL},
    {"GET", "/app/reports/receivables/{id}", h_customer_page, ROUTE_HTML, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
