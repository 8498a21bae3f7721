/* membership_pages.c — members (会员: list, member page with top-up,
 * renewal and ledger), member care (关怀), the front-desk reports (流水,
 * income, resources, consumption; charted, exported to Excel) and the
 * public availability page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "../base/util.h"
#include "../base/xlsxfile.h"
#include "../modules/membership.h"
#include "membership_ui.h"

static const char *sv(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static int64_t iv(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* ---------- members ---------- */

void ui_members_list(Req *r)
{
    const Entity *e = meta_entity("customers");
    if (acl_scope(&r->c, e, ACT_READ) == SCOPE_NONE ||
        acl_scope(&r->c, meta_entity("member_types"), ACT_READ) == SCOPE_NONE) {
        ctx_fail(&r->c, GX_EDENIED, "You may not see members");
        return ui_fail(r);
    }
    const char *q = http_query(r, "q");
    json_t *conds = json_array();
    record_filter_from_param(&r->c, e, "member_type_id[null]", "false", conds);
    ListQuery lq = {.sort = "-updated_at", .limit = 100, .action = ACT_READ, .count = true};
    if (q && *q) {
        /* a card number or phone first, else a name search */
        json_t *c2 = json_array();
        if (record_filter_from_param(&r->c, e, "card_no", q, c2))
            json_array_extend(conds, c2);
        json_decref(c2);
        ctx_clear(&r->c);
    }
    json_t *where = json_pack("{s:o}", "and", conds);
    lq.where = where;
    json_t *rows = NULL;
    int64_t total = 0;
    GxErr rc = record_list(&r->c, e, &lq, &rows, &total);
    if (!rc && json_array_size(rows) == 0 && q && *q) {
        json_decref(rows);
        json_array_clear(conds);
        record_filter_from_param(&r->c, e, "member_type_id[null]", "false", conds);
        lq.q = q;
        rc = record_list(&r->c, e, &lq, &rows, &total);
    }
    json_decref(where);
    if (rc)
        return ui_fail(r);
    json_t *names = ui_names_new();
    size_t i;
    json_t *m;
    json_array_foreach(rows, i, m) ui_names_want(names, "member_types", iv(m, "member_type_id"));
    ui_names_resolve(r, names);
    Page p = {.title = T(r, "Members"), .nav = "members"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(
        o,
        "<div class=\"page-head\"><h1>%s</h1><div class=\"actions\"><a class=\"btn\" href=\"/app/members/care\">%s</a>",
        T(r, "Members"), T(r, "Member care"));
    if (acl_scope(&r->c, e, ACT_CREATE) != SCOPE_NONE)
        buf_htmlf(o, "<a class=\"btn primary\" href=\"/app/customers/new?kind=individual\">%s</a>", T(r, "New member"));
    buf_raw(o, "</div></div>");
    buf_htmlf(o,
              "<form method=\"get\" action=\"/app/members\" class=\"list-tools\"><div class=\"quick-search\"><input "
              "type=\"search\" "
              "name=\"q\" value=\"%s\" placeholder=\"%s\" aria-label=\"%s\"><button class=\"btn\" "
              "type=\"submit\">%s</button></div></form>",
              q ? q : "", T(r, "card no., phone or name"), T(r, "Search"), T(r, "Search"));
    if (!json_array_size(rows)) {
        buf_htmlf(o, "<div class=\"empty\">%s</div>",
                  T(r, "No members yet — create a customer and give them a member type."));
    } else {
        buf_htmlf(o,
                  "<div class=\"table-wrap\"><table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th "
                  "class=\"num\">%s</th>"
                  "<th class=\"num\">%s</th><th>%s</th></tr></thead><tbody>",
                  T(r, "Name"), T(r, "Card no."), T(r, "Member type"), T(r, "Expires"), T(r, "Balance"), T(r, "Points"),
                  T(r, "Last visit"));
        char today[11];
        ms_today(today);
        json_array_foreach(rows, i, m)
        {
            const char *t = ui_names_get(names, "member_types", iv(m, "member_type_id"));
            bool expired = *sv(m, "expires_on") && strcmp(sv(m, "expires_on"), today) < 0;
            buf_htmlf(o,
                      "<tr><td><a class=\"title-link\" "
                      "href=\"/app/members/%lld\">%s</a></td><td>%s</td><td>%s</td><td%s>%s</td><td class=\"num\">",
                      (long long)iv(m, "id"), sv(m, "name"), sv(m, "card_no"), t ? t : "",
                      expired ? " class=\"danger-text\"" : "", sv(m, "expires_on"));
            ui_money(o, iv(m, "balance") + iv(m, "bonus_balance"));
            buf_raw(o, "</td><td class=\"num\">");
            ui_int(o, iv(m, "points"));
            buf_raw(o, "</td><td>");
            if (*sv(m, "last_visit_at"))
                ui_relative(r, o, sv(m, "last_visit_at"));
            buf_raw(o, "</td></tr>");
        }
        buf_raw(o, "</tbody></table></div>");
        buf_htmlf(o, "<p class=\"muted\">%s</p>", arena_printf(&r->arena, T(r, "%lld members"), (long long)total));
    }
    json_decref(rows);
    json_decref(names);
    ui_end(r, &p);
}

/* The member page; failed: an action's error to show, or NULL. */
static void member_page(Req *r, int64_t id, Buf *failed)
{
    const Entity *e = meta_entity("customers");
    json_t *cust;
    if (record_get(&r->c, e, id, &cust))
        return ui_fail(r);
    json_t *ledger = NULL, *checkouts = NULL;
    json_t *w = json_pack("{s:[{s:s, s:s, s:I}]}", "and", "field", "customer_id", "op", "eq", "value", (json_int_t)id);
    ListQuery lq = {.where = w, .sort = "-created_at", .limit = 100, .action = ACT_READ};
    if (record_list(&r->c, meta_entity("member_ledger"), &lq, &ledger, NULL))
        ledger = json_array();
    ctx_clear(&r->c);
    lq.limit = 20;
    if (record_list(&r->c, meta_entity("checkouts"), &lq, &checkouts, NULL))
        checkouts = json_array();
    ctx_clear(&r->c);
    json_decref(w);
    Page p = {.title = sv(cust, "name"), .nav = "members"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1><div class=\"actions\">", sv(cust, "name"));
    if (*sv(cust, "card_no"))
        buf_htmlf(o, "<a class=\"btn primary\" href=\"/app/checkouts/new?member=%s\">%s</a>", sv(cust, "card_no"),
                  T(r, "Check out"));
    buf_htmlf(o,
              "<a class=\"btn\" href=\"/app/bookings/day\">%s</a><a class=\"btn\" "
              "href=\"/app/customers/%lld\">%s</a></div></div>",
              T(r, "Book"), (long long)id, T(r, "Customer record"));
    if (failed)
        buf_raw(o, failed->data);
    ui_member_panel(r, cust);
    bool member = iv(cust, "member_type_id") > 0;
    bool may_edit = acl_row_in_scope(&r->c, e, ACT_EDIT, iv(cust, "owner_id"), iv(cust, "department_id"));
    if (member && may_edit) {
        buf_htmlf(o,
                  "<div class=\"dashboard\"><form class=\"card stack\" method=\"post\" "
                  "action=\"/app/members/%lld/top_up\"><h2>%s</h2>",
                  (long long)id, T(r, "Top up"));
        ui_csrf_field(r);
        buf_htmlf(o,
                  "<label class=\"field\"><span class=\"label\">%s</span><input name=\"amount\" inputmode=\"decimal\" "
                  "required placeholder=\"1000.00\"></label>"
                  "<label class=\"field\"><span class=\"label\">%s</span><select name=\"payment_method\"><option "
                  "value=\"cash\">%s</option>"
                  "<option value=\"card\">%s</option></select></label><div class=\"form-actions\"><button class=\"btn "
                  "primary\" type=\"submit\">%s</button></div></form>",
                  T(r, "Amount (¥)"), T(r, "Payment method"), T(r, "Cash"), T(r, "Card"), T(r, "Top up"));
        buf_htmlf(o, "<form class=\"card stack\" method=\"post\" action=\"/app/members/%lld/renew\"><h2>%s</h2>",
                  (long long)id, T(r, "Renew membership"));
        ui_csrf_field(r);
        buf_htmlf(o,
                  "<label class=\"field\"><span class=\"label\">%s</span><select name=\"payment_method\"><option "
                  "value=\"cash\">%s</option>"
                  "<option value=\"card\">%s</option><option value=\"stored_value\">%s</option></select></label>"
                  "<div class=\"form-actions\"><button class=\"btn\" type=\"submit\">%s</button></div></form>",
                  T(r, "Payment method"), T(r, "Cash"), T(r, "Card"), T(r, "Stored value"), T(r, "Renew"));
        buf_htmlf(o,
                  "<form class=\"card stack\" method=\"post\" action=\"/app/members/%lld/redeem_points\"><h2>%s</h2>",
                  (long long)id, T(r, "Redeem points"));
        ui_csrf_field(r);
        buf_htmlf(o,
                  "<label class=\"field\"><span class=\"label\">%s</span><input name=\"points\" inputmode=\"numeric\" "
                  "required></label><label class=\"field\"><span class=\"label\">%s</span><input name=\"reason\" "
                  "required maxlength=\"50\" placeholder=\"%s\"></label><div class=\"form-actions\"><button "
                  "class=\"btn\" type=\"submit\">%s</button></div></form></div>",
                  T(r, "Points"), T(r, "Exchanged for"), T(r, "e.g. a towel"), T(r, "Redeem"));
    }
    const Field *kf = meta_field(meta_entity("member_ledger"), "kind");
    buf_htmlf(o, "<section class=\"card\"><h2>%s</h2>", T(r, "Account history"));
    if (!json_array_size(ledger)) {
        buf_htmlf(o, "<p class=\"muted\">%s</p>", T(r, "No changes yet."));
    } else {
        buf_htmlf(o,
                  "<div class=\"table-wrap\"><table class=\"ledger\"><thead><tr><th>%s</th><th>%s</th><th "
                  "class=\"num\">%s</th>"
                  "<th class=\"num\">%s</th><th>%s</th></tr></thead><tbody>",
                  T(r, "When"), T(r, "Account"), T(r, "Change"), T(r, "After"), T(r, "Reason"));
        size_t i;
        json_t *l;
        json_array_foreach(ledger, i, l)
        {
            const EnumOption *opt = meta_option(kf, sv(l, "kind"));
            bool money =
                !strcmp(sv(l, "kind"), "balance") || !strcmp(sv(l, "kind"), "bonus") || !strcmp(sv(l, "kind"), "fee");
            buf_raw(o, "<tr><td>");
            ui_datetime(r, o, sv(l, "created_at"));
            buf_htmlf(o, "</td><td>%s</td><td class=\"num\">", opt ? ui_label(r, &opt->label) : sv(l, "kind"));
            if (money)
                ui_money(o, iv(l, "delta"));
            else
                buf_printf(o, "%+lld", (long long)iv(l, "delta"));
            buf_raw(o, "</td><td class=\"num\">");
            if (strcmp(sv(l, "kind"), "fee")) {
                if (money)
                    ui_money(o, iv(l, "after"));
                else
                    ui_int(o, iv(l, "after"));
            }
            buf_htmlf(o, "</td><td>%s</td></tr>", sv(l, "reason"));
        }
        buf_raw(o, "</tbody></table></div>");
    }
    buf_htmlf(o, "</section><section class=\"card\"><h2>%s</h2>", T(r, "Recent checkouts"));
    if (!json_array_size(checkouts)) {
        buf_htmlf(o, "<p class=\"muted\">%s</p>", T(r, "No checkouts yet."));
    } else {
        buf_raw(o, "<ul>");
        size_t i;
        json_t *c;
        json_array_foreach(checkouts, i, c)
        {
            buf_htmlf(o, "<li><a href=\"/app/checkouts/%lld/receipt\">%s</a> %s · ", (long long)iv(c, "id"),
                      sv(c, "number"), sv(c, "business_day"));
            ui_money(o, iv(c, "total"));
            buf_raw(o, "</li>");
        }
        buf_raw(o, "</ul>");
    }
    buf_raw(o, "</section>");
    json_decref(cust);
    json_decref(ledger);
    json_decref(checkouts);
    ui_end(r, &p);
}

void ui_member_page(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    member_page(r, id, NULL);
}

/* After a failed action: the member page again with the error, its status. */
static void member_action_failed(Req *r, int64_t id)
{
    int status = gx_http_status(r->c.err);
    Buf *errs = arena_alloc(&r->arena, sizeof *errs);
    buf_init(errs, &r->arena);
    ui_member_errors(r, errs);
    ctx_clear(&r->c);
    member_page(r, id, errs);
    if (r->status < 400)
        r->status = status;
}

void ui_member_top_up(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    json_t *form = http_form(r);
    int64_t fen = 0;
    const char *amount = json_string_value(json_object_get(form, "amount"));
    json_t *out = NULL;
    if (!amount || !ui_parse_money(amount, &fen))
        ctx_field(&r->c, "amount", "%s", T(r, "must be an amount like 12.50"));
    else
        membership_top_up(&r->c, id, fen, json_string_value(json_object_get(form, "payment_method")), &out);
    json_decref(form);
    json_decref(out);
    if (r->c.err)
        return member_action_failed(r, id);
    ui_flash(r, "saved");
    ui_redirect(r, arena_printf(&r->arena, "/app/members/%lld", (long long)id));
}

void ui_member_redeem_points(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    json_t *form = http_form(r);
    json_t *out = NULL;
    const char *points = json_string_value(json_object_get(form, "points"));
    char *end = NULL;
    long long n = points ? strtoll(points, &end, 10) : 0;
    if (!points || !*points || *end)
        ctx_field(&r->c, "points", "%s", T(r, "must be a whole number of points"));
    else
        membership_redeem_points(&r->c, id, n, json_string_value(json_object_get(form, "reason")), &out);
    json_decref(form);
    json_decref(out);
    if (r->c.err)
        return member_action_failed(r, id);
    ui_flash(r, "saved");
    ui_redirect(r, arena_printf(&r->arena, "/app/members/%lld", (long long)id));
}

void ui_member_renew(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    json_t *form = http_form(r);
    json_t *out = NULL;
    membership_renew(&r->c, id, json_string_value(json_object_get(form, "payment_method")), &out);
    json_decref(form);
    json_decref(out);
    if (r->c.err)
        return member_action_failed(r, id);
    ui_flash(r, "saved");
    ui_redirect(r, arena_printf(&r->arena, "/app/members/%lld", (long long)id));
}

/* ---------- member care ---------- */

static void care_table(Req *r, const char *title, json_t *rows, const char *col, const char *col_label)
{
    Buf *o = &r->out;
    buf_htmlf(o, "<section class=\"card\"><h2>%s <span class=\"muted\">%zu</span></h2>", title, json_array_size(rows));
    if (!json_array_size(rows)) {
        buf_htmlf(o, "<p class=\"muted\">%s</p></section>", T(r, "Nobody right now."));
        return;
    }
    buf_htmlf(
        o,
        "<div class=\"table-wrap\"><table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
        T(r, "Name"), T(r, "Card no."), T(r, "Phone"), col_label);
    size_t i;
    json_t *m;
    json_array_foreach(rows, i, m)
    {
        buf_htmlf(o, "<tr><td><a href=\"/app/members/%lld\">%s</a></td><td>%s</td><td>%s</td><td>",
                  (long long)iv(m, "id"), sv(m, "name"), sv(m, "card_no"), sv(m, "phone"));
        if (!strcmp(col, "last_visit_at") && *sv(m, col))
            ui_relative(r, o, sv(m, col));
        else if (!strcmp(col, "last_visit_at"))
            buf_html(o, T(r, "never"));
        else
            buf_html(o, sv(m, col));
        buf_raw(o, "</td></tr>");
    }
    buf_raw(o, "</tbody></table></div></section>");
}

void ui_members_care(Req *r)
{
    int64_t days = 30;
    const char *d = http_query(r, "days");
    if (d && *d && (!parse_i64(d, &days) || days < 0 || days > 366)) {
        ctx_fail(&r->c, GX_EBADREQ, "days must be between 0 and 366");
        return ui_fail(r);
    }
    json_t *care;
    if (membership_care(&r->c, (int)days, &care))
        return ui_fail(r);
    Page p = {.title = T(r, "Member care"), .nav = "members"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1></div>", T(r, "Member care"));
    buf_htmlf(o,
              "<form method=\"get\" action=\"/app/members/care\" class=\"inline-form list-tools\"><label>%s <input "
              "type=\"number\" "
              "name=\"days\" min=\"0\" max=\"366\" value=\"%lld\"></label><button class=\"btn\" "
              "type=\"submit\">%s</button></form>",
              T(r, "Expiring within (days)"), (long long)days, T(r, "Show"));
    buf_raw(o, "<div class=\"dashboard\">");
    care_table(r, T(r, "Membership expiring"), json_object_get(care, "expiring"), "expires_on", T(r, "Expires"));
    care_table(r, T(r, "Not seen for a month"), json_object_get(care, "absent"), "last_visit_at", T(r, "Last visit"));
    care_table(r, T(r, "Birthday within a week"), json_object_get(care, "birthdays"), "birthday", T(r, "Birthday"));
    buf_raw(o, "</div>");
    json_decref(care);
    ui_end(r, &p);
}

/* ---------- reports ---------- */

#define UI_JOURNAL_PAGE 100 /* journal lines on the reports page */

typedef struct Period {
    const char *from, *to, *date; /* YYYY-MM-DD; from/to may be "" (open) */
    const char *pm, *kind;        /* journal filters, NULL or "" = all */
    int64_t offset;               /* first journal line shown (?offset=) */
} Period;

static bool read_period(Req *r, Period *pd)
{
    pd->from = http_query(r, "from");
    pd->to = http_query(r, "to");
    pd->date = http_query(r, "date");
    pd->pm = http_query(r, "payment_method");
    pd->kind = http_query(r, "kind");
    int y, m, d;
    if (!pd->from && !pd->to) {
        /* first visit: the last twelve months */
        char today[11], *from = arena_alloc(&r->arena, 11);
        ms_today(today);
        ms_add_months(today, -12, from);
        pd->from = from;
    }
    if (!pd->from)
        pd->from = "";
    if (!pd->to)
        pd->to = "";
    if (!pd->date || !*pd->date) {
        char *t = arena_alloc(&r->arena, 11);
        ms_today(t);
        pd->date = t;
    }
    if ((*pd->from && !time_parse_date(pd->from, &y, &m, &d)) || (*pd->to && !time_parse_date(pd->to, &y, &m, &d)) ||
        !time_parse_date(pd->date, &y, &m, &d)) {
        ctx_fail(&r->c, GX_EBADREQ, "Dates must be YYYY-MM-DD");
        return false;
    }
    const char *off = http_query(r, "offset");
    pd->offset = 0;
    if (off && *off && (!parse_i64(off, &pd->offset) || pd->offset < 0)) {
        ctx_fail(&r->c, GX_EBADREQ, "The journal's offset must be a whole number, 0 or more");
        return false;
    }
    return true;
}

static void money_cell(Req *r, int64_t fen)
{
    buf_raw(&r->out, "<td class=\"num\">");
    ui_money(&r->out, fen);
    buf_raw(&r->out, "</td>");
}

/* Consumption, cash part, top-ups, fees and money received of an income row. */
static void income_cells(Req *r, json_t *x)
{
    static const char *const keys[] = {"total", "cash", "topups", "fees", "received", NULL};
    for (int k = 0; keys[k]; k++)
        money_cell(r, iv(x, keys[k]));
}

static const char *kind_label(Req *r, const char *kind)
{
    const EnumOption *o = meta_option(meta_field(meta_entity("resources"), "kind"), kind ? kind : "");
    return o ? ui_label(r, &o->label) : (kind ? kind : "");
}

void ui_front_desk_reports(Req *r)
{
    Period pd;
    if (!read_period(r, &pd))
        return ui_fail(r);
    json_t *income = NULL, *byres = NULL, *years = NULL;
    if (membership_income(&r->c, "month", pd.from, pd.to, &income) ||
        membership_income(&r->c, "year", pd.from, pd.to, &years) ||
        membership_by_resource(&r->c, pd.from, pd.to, &byres)) {
        json_decref(income);
        json_decref(years);
        json_decref(byres);
        return ui_fail(r);
    }
    Page p = {.title = T(r, "Front-desk reports"), .nav = "reports", .script = "vendor/echarts.simple.min.js"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    /* the period as a query string (plain '&': buf_htmlf escapes it) */
    const char *qs = arena_printf(&r->arena, "from=%s&to=%s&date=%s", pd.from, pd.to, pd.date);
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1></div>", T(r, "Front-desk reports"));
    buf_htmlf(o,
              "<form method=\"get\" action=\"/app/reports/front_desk\" class=\"inline-form list-tools\">"
              "<label>%s <input type=\"date\" name=\"from\" value=\"%s\"></label><label>%s <input type=\"date\" "
              "name=\"to\" value=\"%s\"></label><button class=\"btn\" type=\"submit\">%s</button></form>",
              T(r, "From"), pd.from, T(r, "To"), pd.to, T(r, "Show"));
    /* income by month, charted */
    json_t *labels = json_array(), *values = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(income, "rows"), i, x)
    {
        json_array_append_new(labels, json_string(sv(x, "period")));
        json_array_append_new(values, json_integer(iv(x, "total") / 100));
    }
    json_t *chart = json_pack("{s:s, s:o, s:o, s:s}", "type", "bar", "labels", labels, "values", values, "name",
                              T(r, "Income (¥)"));
    char *data = json_dumps(chart, JSON_COMPACT);
    json_decref(chart);
    buf_htmlf(o, "<div class=\"dashboard\"><section class=\"card full\"><h2>%s</h2>", T(r, "Income by month"));
    if (json_array_size(json_object_get(income, "rows")))
        buf_htmlf(o, "<div class=\"chart\" data-chart=\"%s\" role=\"img\" aria-label=\"%s\"></div>", data,
                  T(r, "Income by month"));
    free(data);
    buf_htmlf(o,
              "<div class=\"table-wrap\"><table><thead><tr><th>%s</th><th class=\"num\">%s</th><th "
              "class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th>"
              "<th class=\"num\">%s</th></tr></thead><tbody>",
              T(r, "Month"), T(r, "Checkouts"), T(r, "Consumption"), T(r, "of which cash or card"), T(r, "Top-ups"),
              T(r, "Membership fees"), T(r, "Money received"));
    json_array_foreach(json_object_get(income, "rows"), i, x)
    {
        buf_htmlf(o, "<tr><td>%s</td><td class=\"num\">%lld</td>", sv(x, "period"), (long long)iv(x, "count"));
        income_cells(r, x);
        buf_raw(o, "</tr>");
    }
    json_array_foreach(json_object_get(years, "rows"), i, x)
    {
        buf_htmlf(o, "<tr class=\"total\"><td>%s %s</td><td class=\"num\">%lld</td>", sv(x, "period"), T(r, "(year)"),
                  (long long)iv(x, "count"));
        income_cells(r, x);
        buf_raw(o, "</tr>");
    }
    buf_htmlf(o, "<tr class=\"total\"><td>%s</td><td></td>", T(r, "Total"));
    income_cells(r, income);
    buf_htmlf(o,
              "</tr></tbody></table></div><p><a "
              "href=\"/app/reports/front_desk/export?report=income&amp;%s\">%s</a></p></section>",
              qs, T(r, "Export to Excel"));
    /* by resource */
    buf_htmlf(o,
              "<section class=\"card\"><h2>%s</h2><div class=\"table-wrap\"><table><thead><tr><th>%s</th><th>%s</th>"
              "<th class=\"num\">%s</th><th class=\"num\">%s</th></tr></thead><tbody>",
              T(r, "By resource"), T(r, "Resource"), T(r, "Kind"), T(r, "Lines"), T(r, "Income"));
    json_array_foreach(json_object_get(byres, "rows"), i, x)
    {
        buf_htmlf(o, "<tr><td>%s</td><td>%s</td><td class=\"num\">%lld</td>", sv(x, "name"),
                  kind_label(r, sv(x, "kind")), (long long)iv(x, "count"));
        money_cell(r, iv(x, "total"));
        buf_raw(o, "</tr>");
    }
    buf_raw(o, "</tbody></table></div>");
    /* by kind */
    buf_htmlf(o,
              "<h3>%s</h3><div class=\"table-wrap\"><table><thead><tr><th>%s</th><th class=\"num\">%s</th>"
              "<th class=\"num\">%s</th></tr></thead><tbody>",
              T(r, "By kind"), T(r, "Kind"), T(r, "Lines"), T(r, "Income"));
    json_array_foreach(json_object_get(byres, "kinds"), i, x)
    {
        buf_htmlf(o, "<tr><td>%s</td><td class=\"num\">%lld</td>", kind_label(r, sv(x, "kind")),
                  (long long)iv(x, "count"));
        money_cell(r, iv(x, "total"));
        buf_raw(o, "</tr>");
    }
    buf_htmlf(o,
              "</tbody></table></div><p><a "
              "href=\"/app/reports/front_desk/export?report=resources&amp;%s\">%s</a></p></section>",
              qs, T(r, "Export to Excel"));
    /* member consumption: summed over every checkout of the period (a
     * second or more for a year of a busy club), so it is loaded after the
     * page, as its own request */
    buf_htmlf(o,
              "<section class=\"card\"><h2>%s</h2><div hx-get=\"/app/reports/front_desk/members?%s\" "
              "hx-trigger=\"load\" hx-swap=\"outerHTML\"><p class=\"muted\">%s</p></div><p><a "
              "href=\"/app/reports/front_desk/export?report=members&amp;%s\">%s</a></p></section></div>",
              T(r, "Member consumption"), qs, T(r, "Loading…"), qs, T(r, "Export to Excel"));
    /* the daily journal has its own page (a day, a page of lines at a time) */
    buf_htmlf(o,
              "<section class=\"card journal-link\"><h2>%s</h2><form method=\"get\" action=\"/app/reports/daily_journal\" "
              "class=\"inline-form\"><label>%s <input type=\"date\" name=\"date\" value=\"%s\"></label><button "
              "class=\"btn\" type=\"submit\">%s</button></form></section>",
              T(r, "Daily journal"), T(r, "Day"), pd.date, T(r, "Show"));
    json_decref(income);
    json_decref(years);
    json_decref(byres);
    ui_end(r, &p);
}

/* GET /app/reports/front_desk/members?from=&to= — the member consumption
 * table of the reports page (an htmx fragment): the 20 members who spent
 * most in the period. */
void ui_front_desk_members(Req *r)
{
    Period pd;
    if (!read_period(r, &pd))
        return ui_fail(r);
    json_t *cons;
    if (membership_consumption(&r->c, 0, pd.from, pd.to, &cons))
        return ui_fail(r);
    ui_html_headers(r);
    Buf *o = &r->out;
    buf_htmlf(o,
              "<div class=\"table-wrap\"><table><thead><tr><th>%s</th><th>%s</th><th class=\"num\">%s</th><th "
              "class=\"num\">%s</th></tr></thead><tbody>",
              T(r, "Member"), T(r, "Card no."), T(r, "Checkouts"), T(r, "Spent"));
    int shown = 0;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(cons, "rows"), i, x)
    {
        if (++shown > 20)
            break;
        buf_htmlf(o, "<tr><td><a href=\"/app/members/%lld\">%s</a></td><td>%s</td><td class=\"num\">%lld</td>",
                  (long long)iv(x, "customer_id"), sv(x, "name"), sv(x, "card_no"), (long long)iv(x, "count"));
        money_cell(r, iv(x, "total"));
        buf_raw(o, "</tr>");
    }
    buf_raw(o, "</tbody></table></div>");
    json_decref(cons);
}

/* GET /app/reports/daily_journal?date=&payment_method=&kind=&offset= — the
 * daily journal (流水) of one business day: a page of UI_JOURNAL_PAGE lines
 * with pager links, the whole day's count and total, the day's top-ups and
 * membership fees, and the export of every line. */
void ui_daily_journal_page(Req *r)
{
    Period pd;
    if (!read_period(r, &pd))
        return ui_fail(r);
    json_t *journal;
    if (membership_daily_journal(&r->c, pd.date, pd.pm, pd.kind, UI_JOURNAL_PAGE, pd.offset, &journal))
        return ui_fail(r);
    Page p = {.title = T(r, "Daily journal"), .nav = "reports"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    const char *qs = arena_printf(&r->arena, "date=%s", pd.date);
    size_t i;
    json_t *x;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1><a class=\"btn\" href=\"/app/reports/front_desk\">%s</a></div>",
              T(r, "Daily journal"), T(r, "Front-desk reports"));
    buf_htmlf(o,
              "<form method=\"get\" action=\"/app/reports/daily_journal\" class=\"inline-form list-tools\">"
              "<label>%s <input type=\"date\" name=\"date\" value=\"%s\"></label>",
              T(r, "Day"), pd.date);
    {
        static const char *const pms[] = {"cash", "card", "stored_value", "count_card", NULL};
        static const char *const kinds[] = {"coach", "venue", "facility", "consumable", NULL};
        const Field *pmf = meta_field(meta_entity("checkouts"), "payment_method");
        buf_htmlf(o, "<label>%s <select name=\"payment_method\"><option value=\"\">%s</option>", T(r, "Payment method"),
                  T(r, "All"));
        for (int k = 0; pms[k]; k++) {
            const EnumOption *opt = meta_option(pmf, pms[k]);
            buf_htmlf(o, "<option value=\"%s\"%s>%s</option>", pms[k],
                      pd.pm && !strcmp(pd.pm, pms[k]) ? " selected" : "", opt ? ui_label(r, &opt->label) : pms[k]);
        }
        buf_htmlf(o, "</select></label><label>%s <select name=\"kind\"><option value=\"\">%s</option>", T(r, "Kind"),
                  T(r, "All"));
        for (int k = 0; kinds[k]; k++)
            buf_htmlf(o, "<option value=\"%s\"%s>%s</option>", kinds[k],
                      pd.kind && !strcmp(pd.kind, kinds[k]) ? " selected" : "", kind_label(r, kinds[k]));
        buf_htmlf(o, "</select></label><button class=\"btn\" type=\"submit\">%s</button></form>", T(r, "Show"));
    }
    /* daily journal: a page of lines, the whole day's count and total */
    buf_htmlf(o, "<section class=\"card journal\" id=\"journal\"><h2>%s · %s</h2>", T(r, "Daily journal"), pd.date);
    json_t *lines = json_object_get(journal, "lines");
    int64_t count = iv(journal, "count");
    if (!json_array_size(lines)) {
        buf_htmlf(o, "<p class=\"muted\">%s</p>",
                  count ? T(r, "No lines on this page of the journal.") : T(r, "No checkouts on this day."));
    } else {
        buf_htmlf(o,
                  "<div class=\"table-wrap\"><table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th "
                  "class=\"num\">%s</th>"
                  "<th class=\"num\">%s</th><th class=\"num\">%s</th><th>%s</th></tr></thead><tbody>",
                  T(r, "No."), T(r, "Member"), T(r, "Item"), T(r, "Time"), T(r, "Amount"), T(r, "Discount"),
                  T(r, "Total"), T(r, "Payment method"));
        const Field *pmf = meta_field(meta_entity("checkouts"), "payment_method");
        json_array_foreach(lines, i, x)
        {
            const EnumOption *opt = meta_option(pmf, sv(x, "payment_method"));
            buf_htmlf(o, "<tr><td><a href=\"/app/checkouts/%lld/receipt\">%s</a></td><td>%s</td><td>%s</td><td>",
                      (long long)iv(x, "checkout_id"), sv(x, "number"),
                      *sv(x, "customer_name") ? sv(x, "customer_name") : T(r, "Walk-in guest"), sv(x, "description"));
            ui_datetime(r, o, sv(x, "created_at"));
            buf_raw(o, "</td>");
            money_cell(r, iv(x, "amount"));
            money_cell(r, iv(x, "discount"));
            money_cell(r, iv(x, "total"));
            buf_htmlf(o, "<td>%s</td></tr>", opt ? ui_label(r, &opt->label) : sv(x, "payment_method"));
        }
        buf_htmlf(o, "<tr class=\"total\"><td colspan=\"4\">%s</td>",
                  arena_printf(&r->arena, T(r, "Day total (%lld lines)"), (long long)count));
        money_cell(r, iv(journal, "amount"));
        buf_raw(o, "<td></td>");
        money_cell(r, iv(journal, "total"));
        buf_raw(o, "<td></td></tr></tbody></table></div>");
    }
    if (count > UI_JOURNAL_PAGE || pd.offset > 0) {
        /* the page's filters again, and the offset of another page */
        const char *fq = arena_printf(&r->arena, "%s&payment_method=%s&kind=%s", qs, pd.pm ? pd.pm : "",
                                      pd.kind ? pd.kind : "");
        int64_t shown = (int64_t)json_array_size(lines);
        buf_htmlf(o, "<nav class=\"pager pad\" aria-label=\"%s\">", T(r, "Pages of the journal"));
        if (shown)
            buf_htmlf(o, "<span class=\"muted\">%lld–%lld / %lld</span> ", (long long)pd.offset + 1,
                      (long long)(pd.offset + shown), (long long)count);
        if (pd.offset > 0)
            buf_htmlf(o, "<a class=\"btn small\" rel=\"prev\" href=\"/app/reports/daily_journal?%s&amp;offset=%lld\">%s</a> ",
                      fq, (long long)(pd.offset > UI_JOURNAL_PAGE ? pd.offset - UI_JOURNAL_PAGE : 0), T(r, "‹ Previous"));
        if (pd.offset + shown < count)
            buf_htmlf(o, "<a class=\"btn small\" rel=\"next\" href=\"/app/reports/daily_journal?%s&amp;offset=%lld\">%s</a>",
                      fq, (long long)(pd.offset + shown), T(r, "Next ›"));
        buf_raw(o, "</nav>");
    }
    json_t *money = json_object_get(journal, "money");
    if (json_array_size(money)) {
        const Field *kf = meta_field(meta_entity("member_ledger"), "kind");
        buf_htmlf(o,
                  "<h3>%s</h3><div class=\"table-wrap\"><table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                  "<th class=\"num\">%s</th><th>%s</th></tr></thead><tbody>",
                  T(r, "Top-ups and membership fees"), T(r, "Time"), T(r, "Member"), T(r, "Card no."), T(r, "Account"),
                  T(r, "Amount"), T(r, "Payment method"));
        json_array_foreach(money, i, x)
        {
            const EnumOption *opt = meta_option(kf, sv(x, "kind"));
            buf_raw(o, "<tr><td>");
            ui_datetime(r, o, sv(x, "created_at"));
            buf_htmlf(o, "</td><td><a href=\"/app/members/%lld\">%s</a></td><td>%s</td><td>%s</td>",
                      (long long)iv(x, "customer_id"), sv(x, "customer_name"), sv(x, "card_no"),
                      opt ? ui_label(r, &opt->label) : sv(x, "kind"));
            money_cell(r, iv(x, "amount"));
            const EnumOption *pm =
                meta_option(meta_field(meta_entity("checkouts"), "payment_method"), sv(x, "payment_method"));
            buf_htmlf(o, "<td>%s</td></tr>", pm ? ui_label(r, &pm->label) : sv(x, "payment_method"));
        }
        buf_htmlf(o, "<tr class=\"total\"><td colspan=\"4\">%s</td>", T(r, "Total"));
        money_cell(r, iv(journal, "money_total"));
        buf_raw(o, "<td></td></tr></tbody></table></div>");
    }
    buf_htmlf(o, "<p><a href=\"/app/reports/front_desk/export?report=journal&amp;%s&amp;payment_method=%s&amp;kind=%s\">%s</a></p></section>", qs,
              pd.pm ? pd.pm : "", pd.kind ? pd.kind : "",
              T(r, "Export to Excel"));
    json_decref(journal);
    ui_end(r, &p);
}

/* Rows of a report into a worksheet from row `first`: money as exact
 * decimal formulas from fen (=1234.56), like the list export. */
typedef struct Sheet {
    Req *r;
    lxw_worksheet *ws;
    lxw_format *money;
    const char *const *cols; /* keys; '#' integer, '$' money in fen */
    lxw_row_t next;          /* the next row to write */
} Sheet;

static void sheet_rows(Sheet *sh, json_t *rows)
{
    Req *r = sh->r;
    size_t i;
    json_t *x;
    json_array_foreach(rows, i, x)
    {
        lxw_row_t row = sh->next++;
        for (int k = 0; sh->cols[k]; k++) {
            const char *col = sh->cols[k];
            const char *key = col + (col[0] == '#' || col[0] == '$');
            if (col[0] == '#') {
                worksheet_write_number(sh->ws, row, (lxw_col_t)k, (double)iv(x, key), NULL);
            } else if (col[0] == '$') {
                int64_t f = iv(x, key);
                /* cached result for readers that do not recalculate (LibreOffice) */
                worksheet_write_formula_num(sh->ws, row, (lxw_col_t)k,
                                            arena_printf(&r->arena, "=%s%lld.%02lld", f < 0 ? "-" : "",
                                                         (long long)(llabs(f) / 100), (long long)(llabs(f) % 100)),
                                            sh->money, (double)f / 100.0);
            } else if (!strcmp(key, "kind")) {
                worksheet_write_string(sh->ws, row, (lxw_col_t)k, kind_label(r, sv(x, key)), NULL);
            } else {
                worksheet_write_string(sh->ws, row, (lxw_col_t)k, sv(x, key), NULL);
            }
        }
    }
}

/* membership_journal_each callback: a page of journal lines into the sheet. */
static GxErr sheet_journal_page(Ctx *c, json_t *lines, void *arg)
{
    (void)c;
    sheet_rows(arg, lines);
    return GX_OK;
}

/* Excel: one sheet of the chosen report. The journal is written a page of
 * lines at a time, every line of the day (the page shows 100). */
void ui_front_desk_export(Req *r)
{
    Period pd;
    if (!read_period(r, &pd))
        return ui_fail(r);
    const char *report = http_query(r, "report");
    static const char *income_cols[] = {"period", "#count", "$total", "$cash", "$topups", "$fees", "$received", NULL};
    static const char *res_cols[] = {"name", "kind", "#count", "#quantity", "$total", NULL};
    static const char *mem_cols[] = {"name", "card_no", "#count", "$discount", "$total", "#points", NULL};
    static const char *jour_cols[] = {"number", "customer_name",  "description", "kind",    "start_at",
                                      "end_at", "#quantity",      "$unit_price", "$amount", "$discount",
                                      "$total", "payment_method", "created_at",  NULL};
    const char *const *cols;
    bool journal = false;
    if (report && !strcmp(report, "income"))
        cols = income_cols;
    else if (report && !strcmp(report, "resources"))
        cols = res_cols;
    else if (report && !strcmp(report, "members"))
        cols = mem_cols;
    else if (report && !strcmp(report, "journal")) {
        cols = jour_cols;
        journal = true;
    } else {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such report");
        return ui_fail(r);
    }
    json_t *res = NULL;
    GxErr rc = GX_OK;
    if (cols == income_cols)
        rc = membership_income(&r->c, "month", pd.from, pd.to, &res);
    else if (cols == res_cols)
        rc = membership_by_resource(&r->c, pd.from, pd.to, &res);
    else if (cols == mem_cols)
        rc = membership_consumption(&r->c, 0, pd.from, pd.to, &res);
    else /* the journal's access and filters are checked before the file is made */
        rc = membership_daily_journal(&r->c, pd.date, pd.pm, pd.kind, 1, 0, &res);
    if (rc)
        return ui_fail(r);
    char path[] = "/tmp/guanxi-report-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        json_decref(res);
        ctx_fail(&r->c, GX_EINTERNAL, "cannot create a temporary file");
        return ui_fail(r);
    }
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, NULL) : NULL;
    if (!ws) {
        if (wb)
            workbook_close(wb);
        unlink(path);
        json_decref(res);
        ctx_fail(&r->c, GX_EINTERNAL, "cannot create the workbook");
        return ui_fail(r);
    }
    lxw_format *bold = workbook_add_format(wb);
    Sheet sh = {.r = r, .ws = ws, .money = workbook_add_format(wb), .cols = cols, .next = 1};
    format_set_bold(bold);
    format_set_num_format(sh.money, "#,##0.00");
    for (int k = 0; cols[k]; k++)
        worksheet_write_string(ws, 0, (lxw_col_t)k, cols[k] + (cols[k][0] == '#' || cols[k][0] == '$'), bold);
    if (journal)
        rc = membership_journal_each(&r->c, pd.date, pd.pm, pd.kind, sheet_journal_page, &sh);
    else
        sheet_rows(&sh, json_object_get(res, "rows"));
    json_decref(res);
    if (rc) {
        workbook_close(wb);
        unlink(path);
        return ui_fail(r);
    }
    if (xlsx_finish(&r->c, wb, path, &r->out)) {
        buf_clear(&r->out);
        return ui_fail(r);
    }
    r->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    http_add_header(r, "Content-Disposition",
                    arena_printf(&r->arena, "attachment; filename=\"%s-%s.xlsx\"", report, pd.date));
}

/* ---------- public availability (no login) ---------- */

void ui_public_availability(Req *r)
{
    const char *date = http_query(r, "date");
    char today[11];
    ms_today(today);
    if (!date || !*date)
        date = today;
    json_t *av;
    if (membership_availability(&r->c, date, true, &av))
        return ui_fail(r);
    json_t *res = json_object_get(av, "resources");
    if (!json_array_size(res)) {
        json_decref(av);
        ctx_fail(&r->c, GX_ENOTFOUND, "No such page");
        return ui_fail(r);
    }
    Page p = {.title = T(r, "Availability"), .bare = true};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"public-availability card\"><h1>%s · %s</h1>", T(r, "Availability"), date);
    buf_htmlf(o,
              "<form method=\"get\" action=\"/availability\" class=\"inline-form\"><input type=\"date\" name=\"date\" "
              "value=\"%s\">"
              "<button class=\"btn\" type=\"submit\">%s</button></form>",
              date, T(r, "Show"));
    buf_htmlf(o, "<div class=\"table-wrap\"><table><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
              T(r, "Resource"), T(r, "Open"), T(r, "Booked"));
    size_t i, k;
    json_t *x, *b;
    json_array_foreach(res, i, x)
    {
        buf_htmlf(o, "<tr><td>%s</td><td>%s–%s</td><td>", sv(x, "name"), sv(x, "opening_time"), sv(x, "closing_time"));
        json_t *booked = json_object_get(x, "booked");
        if (!json_array_size(booked))
            buf_html(o, T(r, "free all day"));
        json_array_foreach(booked, k, b)
        {
            int64_t s, e;
            if (!ui_parse_utc(sv(b, "start_at"), &s) || !ui_parse_utc(sv(b, "end_at"), &e))
                continue;
            s += MS_TZ_S;
            e += MS_TZ_S;
            buf_printf(o, "%s%02d:%02d–%02d:%02d", k ? ", " : "", (int)(s % 86400 / 3600), (int)(s % 3600 / 60),
                       (int)(e % 86400 / 3600), (int)(e % 3600 / 60));
        }
        buf_raw(o, "</td></tr>");
    }
    buf_raw(o, "</tbody></table></div></div>");
    json_decref(av);
    ui_end(r, &p);
}

#define H ROUTE_HTML
#define M (ROUTE_HTML | ROUTE_MUTATES)

const Route membership_ui_routes[] = {
    {"GET", "/app/bookings/day", ui_bookings_day, H, NULL},
    {"GET", "/app/bookings/slot", ui_bookings_slot, H, NULL},
    {"GET", "/app/bookings/slot/close", ui_bookings_slot_close, H, NULL},
    {"POST", "/app/bookings/book", ui_bookings_book, M, NULL},
    {"GET", "/app/checkouts/new", ui_checkout_page, H, NULL},
    {"POST", "/app/checkouts/new", ui_checkout_post, M, NULL},
    {"GET", "/app/checkouts/{id}/receipt", ui_checkout_receipt, H, NULL},
    {"GET", "/app/members", ui_members_list, H, NULL},
    {"GET", "/app/members/care", ui_members_care, H, NULL},
    {"GET", "/app/members/{id}", ui_member_page, H, NULL},
    {"POST", "/app/members/{id}/top_up", ui_member_top_up, M, NULL},
    {"POST", "/app/members/{id}/renew", ui_member_renew, M, NULL},
    {"POST", "/app/members/{id}/redeem_points", ui_member_redeem_points, M, NULL},
    {"GET", "/app/reports/front_desk", ui_front_desk_reports, H, NULL},
    {"GET", "/app/reports/front_desk/members", ui_front_desk_members, H, NULL},
    {"GET", "/app/reports/daily_journal", ui_daily_journal_page, H, NULL},
    {"GET", "/app/reports/front_desk/export", ui_front_desk_export, 0, NULL},
    {"GET", "/availability", ui_public_availability, ROUTE_PUBLIC | H, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
