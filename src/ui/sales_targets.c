/* sales_targets.c — pages of territories, sales targets and customer value:
 * the administrators' assignment-rules page (order, conditions, preview),
 * the targets page (table + chart) and the value pyramid. Rules and targets
 * are records: they are created and edited with the generic forms. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../modules/sales/sales.h"
#include "ui.h"

/* Panel names of the schema files (translated by the generic form). */
static const char *const panel_msgids[] __attribute__((unused)) = {N_("Rule"), N_("Conditions"), N_("Assignment"),
                                                                   N_("Target")};

static bool admin_or_fail(Req *r)
{
    if (acl_is_admin(&r->c))
        return true;
    ctx_fail(&r->c, GX_EDENIED, "Only administrators may do this");
    ui_fail(r);
    return false;
}

static int64_t iv(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

static const char *sv(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* A <select name=name> of the live records of a small pick-list entity, by
 * title; selected 0 = the "any" option. */
static void picklist_select(Req *r, const char *entity, const char *name, const char *label, int64_t selected)
{
    const Entity *e = meta_entity(entity);
    Buf *o = &r->out;
    buf_htmlf(o, "<label>%s <select name=\"%s\"><option value=\"\">%s</option>", label, name, T(r, "(any)"));
    json_t *rows = NULL;
    ListQuery lq = {.limit = RECORD_LIMIT_MAX, .action = ACT_READ, .sort = "name"};
    if (e && !record_list(&r->c, e, &lq, &rows, NULL)) {
        size_t i;
        json_t *x;
        json_array_foreach(rows, i, x)
        {
            int64_t id = iv(x, "id");
            buf_htmlf(o, "<option value=\"%lld\"%s>%s</option>", (long long)id, id == selected ? " selected" : "",
                      ui_title(r, e, x));
        }
    }
    ctx_clear(&r->c);
    json_decref(rows);
    buf_raw(o, "</select></label>");
}

/* The name of (entity, id) from names, or "#id". */
static const char *name_of(Req *r, json_t *names, const char *entity, int64_t id)
{
    const char *n = ui_names_get(names, entity, id);
    return n ? n : arena_printf(&r->arena, "#%lld", (long long)id);
}

static const char *entity_label(Req *r, const char *name)
{
    const Entity *e = meta_entity(name);
    return e ? ui_label(r, &e->label) : name;
}

/* The preview part of the rules page (from the query string). */
static void rules_preview(Req *r)
{
    Buf *o = &r->out;
    const char *ent = http_query(r, "entity");
    int64_t region = 0, industry = 0, source = 0;
    parse_i64(http_query(r, "region_id") ? http_query(r, "region_id") : "", &region);
    parse_i64(http_query(r, "industry_id") ? http_query(r, "industry_id") : "", &industry);
    parse_i64(http_query(r, "source_id") ? http_query(r, "source_id") : "", &source);
    buf_htmlf(o, "<section class=\"card\" id=\"preview\"><h2>%s</h2><p class=\"muted\">%s</p>",
              T(r, "Which rule would match?"),
              T(r, "Describe a new record: the page shows the rule that would assign it and to whom."));
    buf_raw(o, "<form method=\"get\" action=\"/admin/assignment_rules\" class=\"inline-form list-tools\">");
    buf_htmlf(o, "<label>%s <select name=\"entity\">", T(r, "Applies to"));
    static const char *const ents[] = {"leads", "customers"};
    for (int i = 0; i < 2; i++)
        buf_htmlf(o, "<option value=\"%s\"%s>%s</option>", ents[i], ent && !strcmp(ent, ents[i]) ? " selected" : "",
                  entity_label(r, ents[i]));
    buf_raw(o, "</select></label>");
    picklist_select(r, "regions", "region_id", T(r, "Region"), region);
    picklist_select(r, "industries", "industry_id", T(r, "Industry"), industry);
    picklist_select(r, "customer_sources", "source_id", T(r, "Source"), source);
    buf_htmlf(o, "<button class=\"btn\" type=\"submit\" name=\"preview\" value=\"1\">%s</button></form>",
              T(r, "Preview"));
    if (ent) {
        json_t *facts = json_object(), *out = NULL;
        if (region)
            json_object_set_new(facts, "region_id", json_integer(region));
        if (industry)
            json_object_set_new(facts, "industry_id", json_integer(industry));
        if (source)
            json_object_set_new(facts, "source_id", json_integer(source));
        if (assignment_preview(&r->c, ent, facts, &out)) {
            buf_htmlf(o, "<div class=\"alert error\" role=\"alert\">%s</div>", ui_engine_msg(r, r->c.err_msg));
            ctx_clear(&r->c);
        } else if (json_is_null(json_object_get(out, "rule"))) {
            buf_htmlf(o, "<p class=\"preview-result\" role=\"status\">%s</p>",
                      T(r, "No rule matches: the creator stays the owner."));
        } else {
            json_t *rule = json_object_get(out, "rule"), *user = json_object_get(out, "user");
            buf_htmlf(o, "<p class=\"preview-result\" role=\"status\">%s <a href=\"/app/assignment_rules/%lld\">%s</a> → %s</p>",
                      T(r, "Matching rule:"), (long long)iv(rule, "id"), sv(rule, "name"), sv(user, "name"));
        }
        json_decref(out);
        json_decref(facts);
    }
    buf_raw(o, "</section>");
}

/* GET /admin/assignment_rules */
static void ui_assignment_rules_page(Req *r)
{
    if (!admin_or_fail(r))
        return;
    const Entity *e = meta_entity("assignment_rules");
    json_t *rows = NULL;
    ListQuery lq = {.limit = RECORD_LIMIT_MAX, .action = ACT_READ, .sort = "entity,sort,id"};
    if (record_list(&r->c, e, &lq, &rows, NULL))
        return ui_fail(r);
    json_t *names = ui_names_new();
    size_t i;
    json_t *x;
    json_array_foreach(rows, i, x)
    {
        ui_names_want(names, "regions", iv(x, "region_id"));
        ui_names_want(names, "industries", iv(x, "industry_id"));
        ui_names_want(names, "customer_sources", iv(x, "source_id"));
        ui_names_want(names, "users", iv(x, "user_id"));
        ui_names_want(names, "users", iv(x, "last_user_id"));
        ui_names_want(names, "departments", iv(x, "team_department_id"));
    }
    ui_names_resolve(r, names);
    Page p = {.title = T(r, "Assignment rules"), .nav = "assignment_rules"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o,
              "<div class=\"page-head\"><h1>%s</h1><div class=\"actions\"><a class=\"btn primary\" "
              "href=\"/app/assignment_rules/new\">%s</a></div></div>",
              T(r, "Assignment rules"), T(r, "New rule"));
    buf_htmlf(o, "<p class=\"muted\">%s</p>",
              T(r, "New leads and customers without an owner — created through the API, imported, or entered by a "
                   "manager with the owner left empty — get one from the first active rule that matches, in this "
                   "order. A sales rep who creates a customer keeps it."));
    buf_htmlf(o,
              "<section class=\"card\"><div class=\"table-wrap\"><table class=\"grid\" id=\"rules\"><thead><tr>"
              "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th class=\"num\">%s</th><th></th>"
              "</tr></thead><tbody>",
              T(r, "Applies to"), T(r, "Priority"), T(r, "Name"), T(r, "Conditions"), T(r, "Assign to"),
              T(r, "Active"), T(r, "Assigned"));
    if (!json_array_size(rows))
        buf_htmlf(o, "<tr><td colspan=\"8\" class=\"muted\">%s</td></tr>",
                  T(r, "No rules yet — every new record stays with its creator. Add a rule to route leads and "
                       "customers by region, industry or source."));
    json_array_foreach(rows, i, x)
    {
        int64_t id = iv(x, "id");
        buf_htmlf(o, "<tr data-rule=\"%lld\"><td>%s</td><td class=\"num\">%lld</td>", (long long)id,
                  entity_label(r, sv(x, "entity")), (long long)iv(x, "sort"));
        buf_htmlf(o, "<td><a href=\"/app/assignment_rules/%lld\">%s</a></td><td>", (long long)id, sv(x, "name"));
        bool any = false;
        if (iv(x, "region_id")) {
            buf_htmlf(o, "<span class=\"tag t0\">%s: %s</span> ", T(r, "Region"),
                      name_of(r, names, "regions", iv(x, "region_id")));
            any = true;
        }
        if (iv(x, "industry_id")) {
            buf_htmlf(o, "<span class=\"tag t1\">%s: %s</span> ", T(r, "Industry"),
                      name_of(r, names, "industries", iv(x, "industry_id")));
            any = true;
        }
        if (iv(x, "source_id")) {
            buf_htmlf(o, "<span class=\"tag t2\">%s: %s</span> ", T(r, "Source"),
                      name_of(r, names, "customer_sources", iv(x, "source_id")));
            any = true;
        }
        if (!any)
            buf_htmlf(o, "<span class=\"muted\">%s</span>", T(r, "every new record"));
        buf_raw(o, "</td><td>");
        if (!strcmp(sv(x, "target"), "round_robin")) {
            buf_htmlf(o, "%s: %s", T(r, "Round robin"), name_of(r, names, "departments", iv(x, "team_department_id")));
            if (iv(x, "last_user_id"))
                buf_htmlf(o, " <small class=\"muted\">(%s %s)</small>", T(r, "last:"),
                          name_of(r, names, "users", iv(x, "last_user_id")));
        } else {
            buf_htmlf(o, "%s", name_of(r, names, "users", iv(x, "user_id")));
        }
        buf_htmlf(o, "</td><td>%s</td><td class=\"num\">", json_is_true(json_object_get(x, "active")) ? T(r, "Yes") : T(r, "No"));
        ui_int(o, iv(x, "assigned_count"));
        buf_htmlf(o, "</td><td><form method=\"post\" action=\"/admin/assignment_rules/%lld/move\" class=\"inline-form\">",
                  (long long)id);
        ui_csrf_field(r);
        buf_htmlf(o,
                  "<button class=\"btn small\" name=\"dir\" value=\"up\" aria-label=\"%s\">↑</button> "
                  "<button class=\"btn small\" name=\"dir\" value=\"down\" aria-label=\"%s\">↓</button> "
                  "<a class=\"btn small\" href=\"/app/assignment_rules/%lld/edit\">%s</a></form></td></tr>",
                  T(r, "Move up"), T(r, "Move down"), (long long)id, T(r, "Edit"));
    }
    buf_raw(o, "</tbody></table></div></section>");
    rules_preview(r);
    json_decref(names);
    json_decref(rows);
    ui_end(r, &p);
}

/* POST /admin/assignment_rules/{id}/move (dir=up|down): swap places with the
 * neighbouring rule of the same entity; priorities are renumbered 10, 20 … */
static void ui_assignment_rule_move(Req *r)
{
    if (!admin_or_fail(r))
        return;
    int64_t id;
    if (!ui_id(r, &id))
        return;
    json_t *form = http_form(r);
    const char *dir = json_string_value(json_object_get(form, "dir"));
    bool up = dir && !strcmp(dir, "up");
    if (!dir || (!up && strcmp(dir, "down"))) {
        json_decref(form);
        ctx_field(&r->c, "dir", "must be up or down");
        return ui_fail(r);
    }
    json_decref(form);
    if (assignment_rule_move(&r->c, id, up))
        return ui_fail(r);
    ui_flash(r, "saved");
    ui_redirect(r, "/admin/assignment_rules");
}


/* ---------- sales targets ---------- */

/* The label of option value of field name of entity. */
static const char *option_label(Req *r, const char *entity, const char *field, const char *value)
{
    const EnumOption *o = meta_option(meta_field(meta_entity(entity), field), value ? value : "");
    return o ? ui_label(r, &o->label) : (value ? value : "");
}

/* The current month in the user's zone, "YYYY-MM" (arena). */
static const char *this_month(Req *r)
{
    int y, m, d;
    ui_today(r, &y, &m, &d);
    return arena_printf(&r->arena, "%04d-%02d", y, m);
}

/* Money in whole yuan for charts (fen / 100, rounded half-up). */
static json_t *yuan(int64_t fen) { return json_integer((fen + (fen >= 0 ? 50 : -50)) / 100); }

/* GET /app/reports/targets?month=YYYY-MM */
static void ui_targets_page(Req *r)
{
    const Entity *e = meta_entity("sales_targets");
    if (!e || acl_scope(&r->c, e, ACT_READ) == SCOPE_NONE) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such page");
        return ui_fail(r);
    }
    const char *month = http_query(r, "month");
    if (!month || !*month)
        month = this_month(r);
    json_t *rep = NULL;
    if (targets_report(&r->c, month, &rep))
        return ui_fail(r);
    Page p = {.title = T(r, "Sales targets"), .nav = "sales_targets", .script = "vendor/echarts.simple.min.js"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    bool can_create = acl_scope(&r->c, e, ACT_CREATE) != SCOPE_NONE;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1>", T(r, "Sales targets"));
    if (can_create)
        buf_htmlf(o, "<div class=\"actions\"><a class=\"btn primary\" href=\"/app/sales_targets/new?month=%s\">%s</a></div>",
                  month, T(r, "New target"));
    buf_raw(o, "</div>");
    buf_htmlf(o,
              "<form method=\"get\" action=\"/app/reports/targets\" class=\"inline-form list-tools\"><label>%s "
              "<input type=\"month\" name=\"month\" value=\"%s\" required></label><button class=\"btn\" "
              "type=\"submit\">%s</button><a href=\"/app/sales_targets\">%s</a></form>",
              T(r, "Month"), month, T(r, "Show"), T(r, "All targets"));
    json_t *data = json_object_get(rep, "data");
    if (!json_array_size(data)) {
        buf_htmlf(o, "<section class=\"card\"><p class=\"muted\">%s</p></section>",
                  can_create ? T(r, "No targets for this month yet — set one for a person, a department or a product line.")
                             : T(r, "No targets for this month."));
        json_decref(rep);
        ui_end(r, &p);
        return;
    }
    json_t *labels = json_array(), *tv = json_array(), *av = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(data, i, x)
    {
        json_array_append_new(labels, json_string(sv(x, "subject")));
        json_array_append_new(tv, yuan(iv(x, "target")));
        json_array_append_new(av, yuan(iv(x, "actual")));
    }
    json_t *chart = json_pack("{s:s, s:o, s:[{s:s, s:o}, {s:s, s:o}]}", "type", "bar", "labels", labels, "series",
                              "name", T(r, "Target (¥)"), "values", tv, "name", T(r, "Actual (¥)"), "values", av);
    char *cd = json_dumps(chart, JSON_COMPACT);
    json_decref(chart);
    buf_htmlf(o,
              "<section class=\"card\"><h2>%s</h2><div class=\"chart\" data-chart=\"%s\" role=\"img\" "
              "aria-label=\"%s\"></div>",
              T(r, "Target and actual"), cd, T(r, "Target and actual"));
    free(cd);
    buf_htmlf(o,
              "<p class=\"chart-legend\"><span class=\"swatch s0\"></span>%s <span class=\"swatch s1\"></span>%s</p>",
              T(r, "Target"), T(r, "Actual"));
    buf_htmlf(o,
              "<div class=\"table-wrap\"><table class=\"grid\" id=\"targets\"><thead><tr><th>%s</th><th>%s</th>"
              "<th>%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th><th></th></tr>"
              "</thead><tbody>",
              T(r, "Target for"), T(r, "Subject"), T(r, "Measured by"), T(r, "Target"), T(r, "Actual"),
              T(r, "Attainment"));
    json_array_foreach(data, i, x)
    {
        buf_htmlf(o, "<tr data-target=\"%lld\"><td>%s</td><td>%s</td><td>%s</td><td class=\"num\">", (long long)iv(x, "id"),
                  option_label(r, "sales_targets", "scope", sv(x, "scope")), sv(x, "subject"),
                  option_label(r, "sales_targets", "basis", sv(x, "basis")));
        ui_money(o, iv(x, "target"));
        buf_raw(o, "</td><td class=\"num\">");
        ui_money(o, iv(x, "actual"));
        buf_raw(o, "</td><td class=\"num\">");
        json_t *pct = json_object_get(x, "pct");
        if (json_is_number(pct)) {
            double v = json_number_value(pct);
            buf_htmlf(o, "<progress class=\"attainment\" max=\"100\" value=\"%.1f\"></progress> <span class=\"pct\">%.1f%%</span>",
                      v > 100 ? 100.0 : v, v);
        } else {
            buf_raw(o, "—");
        }
        buf_htmlf(o, "</td><td><a class=\"btn small\" href=\"/app/sales_targets/%lld\">%s</a></td></tr>",
                  (long long)iv(x, "id"), T(r, "Open"));
    }
    buf_htmlf(o, "</tbody></table></div><p class=\"muted\">%s</p></section>",
              T(r, "Orders count when approved or later (not cancelled or returned), by order date; receipts by the "
                   "date paid. A department's figure includes the departments below it."));
    json_decref(rep);
    ui_end(r, &p);
}

/* ---------- customer value ---------- */

static const struct {
    const char *code;  /* tier code of customer_value_report */
    const char *label; /* msgid */
    const char *share; /* msgid */
} tier_names[] = {
    {"vip", N_("VIP customers"), N_("top 5 %")},
    {"key", N_("Key customers"), N_("next 15 %")},
    {"ordinary", N_("Ordinary customers"), N_("next 30 %")},
    {"small", N_("Small customers"), N_("other 50 %")},
};

/* GET /app/reports/customer_value */
static void ui_customer_value_page(Req *r)
{
    json_t *rep = NULL;
    if (customer_value_report(&r->c, &rep))
        return ui_fail(r);
    Page p = {.title = T(r, "Customer value pyramid"), .nav = "customer_value",
              .script = "vendor/echarts.simple.min.js"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1></div>", T(r, "Customer value pyramid"));
    buf_htmlf(o, "<p class=\"muted\">%s</p>",
              T(r, "Customers you may see, ranked by their total purchases (orders approved or later, not cancelled "
                   "or returned)."));
    buf_raw(o, "<div class=\"dashboard\"><section class=\"card\"><div class=\"pyramid\" id=\"pyramid\">");
    json_t *tiers = json_object_get(rep, "tiers");
    json_t *labels = json_array(), *amounts = json_array();
    for (size_t t = 0; t < sizeof tier_names / sizeof tier_names[0]; t++) {
        json_t *x = json_array_get(tiers, t);
        buf_htmlf(o, "<div class=\"tier %s\" data-tier=\"%s\"><strong>%s</strong><span class=\"count\">%lld</span> · ",
                  tier_names[t].code, tier_names[t].code, T(r, tier_names[t].label), (long long)iv(x, "count"));
        ui_money(o, iv(x, "amount"));
        buf_htmlf(o, " <small>(%s)</small></div>", T(r, tier_names[t].share));
        json_array_append_new(labels, json_string(T(r, tier_names[t].label)));
        json_array_append_new(amounts, yuan(iv(x, "amount")));
    }
    buf_htmlf(o, "</div><p>%s <strong id=\"no-purchase\">%lld</strong> · %s ", T(r, "Without purchases yet:"),
              (long long)iv(rep, "no_purchase"), T(r, "total purchases"));
    ui_money(o, iv(rep, "amount"));
    buf_raw(o, "</p></section>");
    json_t *chart = json_pack("{s:s, s:o, s:o, s:s}", "type", "bar", "labels", labels, "values", amounts, "name",
                              T(r, "Purchases (¥)"));
    char *cd = json_dumps(chart, JSON_COMPACT);
    json_decref(chart);
    buf_htmlf(o,
              "<section class=\"card\"><h2>%s</h2><div class=\"chart\" data-chart=\"%s\" role=\"img\" "
              "aria-label=\"%s\"></div></section>",
              T(r, "Purchases per tier"), cd, T(r, "Purchases per tier"));
    free(cd);
    buf_htmlf(o,
              "<section class=\"card\"><h2>%s</h2><div class=\"table-wrap\"><table class=\"grid\" id=\"segments\"><thead>"
              "<tr><th>%s</th><th class=\"num\">%s</th><th class=\"num\">%s</th></tr></thead><tbody>",
              T(r, "RFM segments"), T(r, "Segment"), T(r, "Customers"), T(r, "Purchases"));
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(rep, "segments"), i, x)
    {
        buf_htmlf(o, "<tr><td><a href=\"/app/customers?rfm_segment=%s\">%s</a></td><td class=\"num\">", sv(x, "segment"),
                  ui_en(r) ? sv(x, "label_en") : sv(x, "label_zh"));
        ui_int(o, iv(x, "count"));
        buf_raw(o, "</td><td class=\"num\">");
        ui_money(o, iv(x, "amount"));
        buf_raw(o, "</td></tr>");
    }
    buf_htmlf(o, "</tbody></table></div><p class=\"muted\">%s</p></section></div>",
              T(r, "RFM: recency, frequency and money scored 1-5 by quintiles; a score of 3 or more counts as high. "
                   "Rescored every night and with each order."));
    json_decref(rep);
    ui_end(r, &p);
}

#define H ROUTE_HTML
#define M (ROUTE_HTML | ROUTE_MUTATES)

const Route sales_targets_ui_routes[] = {
    {"GET", "/admin/assignment_rules", ui_assignment_rules_page, H, NULL},
    {"POST", "/admin/assignment_rules/{id}/move", ui_assignment_rule_move, M, NULL},
    {"GET", "/app/reports/targets", ui_targets_page, H, NULL},
    {"GET", "/app/reports/customer_value", ui_customer_value_page, H, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
