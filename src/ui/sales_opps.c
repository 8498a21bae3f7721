/* sales_opps.c — the sales funnel (销售漏斗) and the weighted forecast
 * (加权预测) pages, under Opportunities in the menu:
 *
 *   GET /app/reports/funnel?from=&to=&scene=mine|all
 *   GET /app/reports/forecast?group=month|owner|department&from=&to=&scene=
 *
 * Each is a filter form, an ECharts bar chart and the table of figures,
 * computed by modules/sales/funnel.c over the opportunities the user may
 * read ("mine" narrows them to the user's own). */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../modules/sales/sales.h"
#include "ui.h"

/* The filters of both pages, checked. */
typedef struct ReportForm {
    SalesReportQuery q; /* for funnel.c */
    const char *scene;  /* "mine" or "all" */
    const char *group;  /* forecast: month, owner or department */
} ReportForm;

/* Read the form; dates that are not dates are left out (the page shows the
 * fields empty rather than failing). */
static void read_form(Req *r, ReportForm *f, bool forecast)
{
    memset(f, 0, sizeof *f);
    int y, m, d;
    const char *from = http_query(r, "from"), *to = http_query(r, "to");
    if (from && time_parse_date(from, &y, &m, &d))
        f->q.from = from;
    if (to && time_parse_date(to, &y, &m, &d))
        f->q.to = to;
    if (!forecast && !from && !to) {
        /* the funnel of this year so far */
        ui_today(r, &y, &m, &d);
        f->q.from = arena_printf(&r->arena, "%04d-01-01", y);
        f->q.to = arena_printf(&r->arena, "%04d-%02d-%02d", y, m, d);
    }
    if (forecast && !from && !to) {
        /* the forecast looks ahead: this month and the five after it */
        ui_today(r, &y, &m, &d);
        f->q.from = arena_printf(&r->arena, "%04d-%02d-01", y, m);
        int ey = y + (m + 4) / 12, em = (m + 4) % 12 + 1;
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int last = mdays[em - 1] + (em == 2 && ((ey % 4 == 0 && ey % 100 != 0) || ey % 400 == 0));
        f->q.to = arena_printf(&r->arena, "%04d-%02d-%02d", ey, em, last);
    }
    const char *scene = http_query(r, "scene");
    f->scene = scene && !strcmp(scene, "mine") ? "mine" : "all";
    if (!strcmp(f->scene, "mine"))
        f->q.owner_id = r->c.who->user_id;
    const char *group = http_query(r, "group");
    f->group = group && (!strcmp(group, "owner") || !strcmp(group, "department")) ? group : "month";
}

static void money_cell(Req *r, json_t *v)
{
    buf_raw(&r->out, "<td class=\"num\">");
    if (json_is_integer(v))
        ui_money(&r->out, json_integer_value(v));
    else
        buf_raw(&r->out, "—");
    buf_raw(&r->out, "</td>");
}

/* The filter form shared by both pages. */
static void filter_form(Req *r, const ReportForm *f, const char *action, bool forecast)
{
    Buf *o = &r->out;
    buf_htmlf(o,
              "<form method=\"get\" action=\"%s\" class=\"inline-form list-tools\">"
              "<label>%s <input type=\"date\" name=\"from\" value=\"%s\"></label>"
              "<label>%s <input type=\"date\" name=\"to\" value=\"%s\"></label>",
              action, forecast ? T(r, "Expected close from") : T(r, "Created from"), f->q.from ? f->q.from : "",
              T(r, "To"), f->q.to ? f->q.to : "");
    buf_htmlf(o, "<label>%s <select name=\"scene\">", T(r, "Whose"));
    buf_htmlf(o, "<option value=\"all\"%s>%s</option>", strcmp(f->scene, "mine") ? " selected" : "",
              T(r, "All I may see"));
    buf_htmlf(o, "<option value=\"mine\"%s>%s</option></select></label>", strcmp(f->scene, "mine") ? "" : " selected",
              T(r, "Mine"));
    if (forecast) {
        static const struct {
            const char *value, *label;
        } groups[] = {{"month", N_("By month")}, {"owner", N_("By person")}, {"department", N_("By department")}};
        buf_htmlf(o, "<label>%s <select name=\"group\">", T(r, "Group"));
        for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
            buf_htmlf(o, "<option value=\"%s\"%s>%s</option>", groups[i].value,
                      strcmp(f->group, groups[i].value) ? "" : " selected", T(r, groups[i].label));
        buf_raw(o, "</select></label>");
    }
    buf_htmlf(o, "<button class=\"btn\" type=\"submit\">%s</button></form>", T(r, "Show"));
}

/* A bar chart for app.js (initChart). Values are whole numbers. */
static void chart(Req *r, json_t *labels, json_t *values, const char *name, const char *title)
{
    json_t *c = json_pack("{s:s, s:o, s:o, s:s}", "type", "bar", "labels", labels, "values", values, "name", name);
    char *data = json_dumps(c, JSON_COMPACT);
    json_decref(c);
    buf_htmlf(&r->out, "<div class=\"chart\" data-chart=\"%s\" role=\"img\" aria-label=\"%s\"></div>", data, title);
    free(data);
}

/* Sales links under the page title. */
static void sales_tabs(Req *r, const char *on)
{
    static const struct {
        const char *id, *href, *label;
    } tabs[] = {{"board", "/app/opportunities/board/stage_id", N_("Opportunity board")},
                {"funnel", "/app/reports/funnel", N_("Sales funnel")},
                {"forecast", "/app/reports/forecast", N_("Weighted forecast")}};
    buf_htmlf(&r->out, "<nav class=\"scenes\" aria-label=\"%s\">", T(r, "Sales"));
    for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++) {
        buf_htmlf(&r->out, "<a href=\"%s\"", tabs[i].href);
        buf_raw(&r->out, !strcmp(on, tabs[i].id) ? " class=\"on\" aria-current=\"true\">" : ">");
        buf_htmlf(&r->out, "%s</a>", T(r, tabs[i].label));
    }
    buf_raw(&r->out, "</nav>");
}

static void h_funnel_page(Req *r)
{
    ReportForm f;
    read_form(r, &f, false);
    json_t *fun = NULL;
    if (sales_funnel(&r->c, &f.q, &fun))
        return ui_fail(r);
    const char *title = T(r, "Sales funnel");
    Page p = {.title = title, .nav = "funnel", .script = "vendor/echarts.simple.min.js"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1></div>", title);
    sales_tabs(r, "funnel");
    filter_form(r, &f, "/app/reports/funnel", false);
    json_t *stages = json_object_get(fun, "stages");
    json_t *labels = json_array(), *values = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(stages, i, x)
    {
        if (!strcmp(json_string_value(json_object_get(x, "kind")), "lost"))
            continue;
        json_array_append_new(labels, json_string(json_string_value(json_object_get(x, "name"))));
        json_array_append_new(values, json_integer(json_integer_value(json_object_get(x, "reached"))));
    }
    buf_raw(o, "<div class=\"dashboard\"><section class=\"card\" data-funnel>");
    buf_htmlf(o, "<h2>%s</h2>", T(r, "Opportunities that reached each stage"));
    if (json_integer_value(json_object_get(fun, "count")) > 0)
        chart(r, labels, values, T(r, "Reached"), title);
    else {
        json_decref(labels);
        json_decref(values);
        buf_htmlf(o, "<p class=\"muted\">%s <a href=\"/app/opportunities/new\">%s</a></p>",
                  T(r, "No opportunities in this period —"), T(r, "New opportunity"));
    }
    buf_htmlf(o,
              "<div class=\"table-wrap\"><table class=\"grid\"><thead><tr><th>%s</th><th class=\"num\">%s</th><th "
              "class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th>"
              "</tr></thead><tbody>",
              T(r, "Stage"), T(r, "Win probability %"), T(r, "Opportunities"), T(r, "Amount"), T(r, "Reached"),
              T(r, "Conversion to next stage"));
    json_array_foreach(stages, i, x)
    {
        json_t *conv = json_object_get(x, "conversion_pct");
        buf_htmlf(o, "<tr data-stage=\"%s\"><td>%s</td><td class=\"num\">%lld%%</td><td class=\"num\" data-count>%lld</td>",
                  json_string_value(json_object_get(x, "code")), json_string_value(json_object_get(x, "name")),
                  (long long)json_integer_value(json_object_get(x, "probability_pct")),
                  (long long)json_integer_value(json_object_get(x, "count")));
        money_cell(r, json_object_get(x, "amount"));
        buf_printf(o, "<td class=\"num\">%lld</td>", (long long)json_integer_value(json_object_get(x, "reached")));
        if (json_is_integer(conv))
            buf_printf(o, "<td class=\"num\">%lld%%</td></tr>", (long long)json_integer_value(conv));
        else
            buf_raw(o, "<td class=\"num\">—</td></tr>");
    }
    buf_htmlf(o, "<tr class=\"total\"><td>%s</td><td></td><td class=\"num\" data-total>%lld</td>", T(r, "Total"),
              (long long)json_integer_value(json_object_get(fun, "count")));
    money_cell(r, json_object_get(fun, "amount"));
    buf_raw(o, "<td></td><td></td></tr></tbody></table></div>");
    json_t *wr = json_object_get(fun, "win_rate_pct");
    if (json_is_integer(wr))
        buf_htmlf(o, "<p data-win-rate>%s: <strong>%lld%%</strong> (%s)</p>", T(r, "Win rate"),
                  (long long)json_integer_value(wr), T(r, "won / (won + lost)"));
    buf_htmlf(o, "<p class=\"muted\">%s</p></section></div>",
              T(r, "Opportunities created in the period, by their current stage. An opportunity at a later stage has "
                   "passed the earlier ones; lost deals count for no stage."));
    json_decref(fun);
    ui_end(r, &p);
}

static void h_forecast_page(Req *r)
{
    ReportForm f;
    read_form(r, &f, true);
    json_t *fc = NULL;
    if (sales_forecast(&r->c, &f.q, f.group, &fc))
        return ui_fail(r);
    const char *title = T(r, "Weighted forecast");
    Page p = {.title = title, .nav = "forecast", .script = "vendor/echarts.simple.min.js"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1></div>", title);
    sales_tabs(r, "forecast");
    filter_form(r, &f, "/app/reports/forecast", true);
    json_t *rows = json_object_get(fc, "rows");
    bool month = !strcmp(f.group, "month");
    json_t *labels = json_array(), *values = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(rows, i, x)
    {
        json_t *k = json_object_get(x, month ? "key" : "name");
        json_array_append_new(labels, json_string(json_is_string(k) ? json_string_value(k) : T(r, "(none)")));
        json_array_append_new(values, json_integer(json_integer_value(json_object_get(x, "weighted")) / 100));
    }
    buf_raw(o, "<div class=\"dashboard\"><section class=\"card\" data-forecast>");
    buf_htmlf(o, "<h2>%s</h2>", T(r, "Σ amount × win probability of open opportunities (¥)"));
    if (json_array_size(rows))
        chart(r, labels, values, T(r, "Weighted (¥)"), title);
    else {
        json_decref(labels);
        json_decref(values);
        buf_htmlf(o, "<p class=\"muted\">%s</p>", T(r, "No open opportunities expected to close in this period."));
    }
    const char *head = month ? T(r, "Month of expected close") : !strcmp(f.group, "owner") ? T(r, "Owner")
                                                                                           : T(r, "Department");
    buf_htmlf(o,
              "<div class=\"table-wrap\"><table class=\"grid\"><thead><tr><th>%s</th><th class=\"num\">%s</th><th "
              "class=\"num\">%s</th><th class=\"num\">%s</th></tr></thead><tbody>",
              head, T(r, "Opportunities"), T(r, "Amount"), T(r, "Weighted amount"));
    json_array_foreach(rows, i, x)
    {
        json_t *k = json_object_get(x, month ? "key" : "name");
        buf_htmlf(o, "<tr><td>%s</td><td class=\"num\">%lld</td>", json_is_string(k) ? json_string_value(k) : T(r, "(none)"),
                  (long long)json_integer_value(json_object_get(x, "count")));
        money_cell(r, json_object_get(x, "amount"));
        money_cell(r, json_object_get(x, "weighted"));
        buf_raw(o, "</tr>");
    }
    buf_htmlf(o, "<tr class=\"total\"><td>%s</td><td class=\"num\">%lld</td>", T(r, "Total"),
              (long long)json_integer_value(json_object_get(fc, "count")));
    money_cell(r, json_object_get(fc, "amount"));
    money_cell(r, json_object_get(fc, "weighted"));
    buf_htmlf(o, "</tr></tbody></table></div><p class=\"muted\">%s</p></section></div>",
              T(r, "Open opportunities whose expected close date falls in the period; each counts its amount times "
                   "the win probability of its stage."));
    json_decref(fc);
    ui_end(r, &p);
}

const Route sales_opps_ui_routes[] = {
    {"GET", "/app/reports/funnel", h_funnel_page, ROUTE_HTML, NULL},
    {"GET", "/app/reports/forecast", h_forecast_page, ROUTE_HTML, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
