/* leads.c — customer-management pages beyond the generic ones: lead
 * conversion (the 转化 button and page on a lead, bulk conversion from the
 * leads list) and the org chart (组织架构) of a customer's contacts. */
#include <string.h>

#include "../base/util.h"
#include "../modules/modules.h"
#include "ui.h"

/* ---------- lead conversion ---------- */

/* Panel names of schema/leads.json, for the translation catalogue. */
static const char *const panel_msgids[] __attribute__((unused)) = {N_("Conversion")};

/* Messages of the conversion and pick-list modules shown through
 * ui_engine_msg, for the translation catalogue. */
static const char *const engine_msgids[] __attribute__((unused)) = {
    N_("This lead has already been converted"),
    N_("You may not convert this lead"),
    N_("You may not create the records a conversion needs"),
    N_("Only administrators may edit pick lists"),
    N_("needs a Chinese label of 1 to 60 characters"),
    N_("needs an English label of 1 to 60 characters"),
    N_("order must be a whole number from 0 to 100000"),
};

static bool lead_converted(json_t *lead)
{
    const char *st = json_string_value(json_object_get(lead, "status"));
    return (st && !strcmp(st, "converted")) || json_integer_value(json_object_get(lead, "customer_id")) > 0;
}

void ui_lead_record_actions(Req *r, json_t *lead, bool can_edit)
{
    if (!can_edit || lead_converted(lead))
        return;
    buf_htmlf(&r->out, "<a class=\"btn primary\" href=\"/app/leads/%lld/convert\">%s</a>",
              (long long)json_integer_value(json_object_get(lead, "id")), T(r, "Convert"));
}

/* The conversion form; error (may be NULL) is shown above it. */
static void convert_page(Req *r, json_t *lead, const char *error)
{
    const Entity *le = meta_entity("leads");
    int64_t id = json_integer_value(json_object_get(lead, "id"));
    const char *person = ui_title(r, le, lead);
    const char *company = json_string_value(json_object_get(lead, "company"));
    Page p = {.title = arena_printf(&r->arena, "%s — %s", T(r, "Convert lead"), person), .nav = "leads"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o,
              "<div class=\"page-head\"><div><div class=\"crumbs\"><a href=\"/app/leads\">%s</a> / <a "
              "href=\"/app/leads/%lld\">%s</a></div><h1>%s</h1></div></div>",
              ui_label(r, &le->label), (long long)id, person, T(r, "Convert lead"));
    if (error)
        buf_htmlf(o, "<div class=\"alert error\" role=\"alert\">%s</div>", error);
    buf_htmlf(o, "<form method=\"post\" action=\"/app/leads/%lld/convert\" class=\"card stack convert-form\">",
              (long long)id);
    ui_csrf_field(r);
    buf_htmlf(o, "<p>%s</p>",
              T(r, "The lead becomes a customer with a contact, and optionally an opportunity. They belong to the "
                   "lead's owner; the lead's follow-ups and tasks move to the customer."));
    buf_htmlf(o, "<fieldset><legend>%s</legend>", T(r, "Customer"));
    buf_htmlf(o,
              "<label class=\"check\"><input type=\"radio\" name=\"target\" value=\"new\" checked> %s "
              "<strong>%s</strong></label>",
              T(r, "Create a new customer:"), company && *company ? company : person);
    buf_htmlf(o, "<label class=\"check\"><input type=\"radio\" name=\"target\" value=\"existing\"> %s</label>",
              T(r, "Add to an existing customer:"));
    buf_htmlf(o,
              "<div class=\"link-search\" data-link-search><input type=\"hidden\" name=\"customer_id\" data-link-value>"
              "<input type=\"search\" autocomplete=\"off\" placeholder=\"%s\" aria-label=\"%s\" data-link-text"
              " name=\"q\" form=\"no-form\" hx-get=\"/app/customers/options\" hx-trigger=\"input changed delay:200ms, "
              "focus\" hx-target=\"next .link-options\" hx-sync=\"this:replace\"><div class=\"link-options\" "
              "role=\"listbox\"></div></div></fieldset>",
              T(r, "Search customers"), T(r, "Existing customer"));
    buf_htmlf(
        o,
        "<label class=\"check\"><input type=\"checkbox\" name=\"create_opportunity\" value=\"1\" checked> %s</label>",
        T(r, "Also create an opportunity"));
    buf_htmlf(o,
              "<div class=\"form-actions\"><a class=\"btn\" href=\"/app/leads/%lld\">%s</a><button class=\"btn "
              "primary\" type=\"submit\">%s</button></div></form>",
              (long long)id, T(r, "Cancel"), T(r, "Convert"));
    ui_end(r, &p);
}

/* The lead of the {id} capture, readable by the user; renders the error
 * page and returns NULL otherwise. */
static json_t *lead_of(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return NULL;
    const Entity *le = meta_entity("leads");
    json_t *lead = NULL;
    if (!le) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such page");
        ui_fail(r);
        return NULL;
    }
    if (record_get(&r->c, le, id, &lead)) {
        ui_fail(r);
        return NULL;
    }
    return lead;
}

/* GET /app/leads/{id}/convert */
void ui_lead_convert_page(Req *r)
{
    json_t *lead = lead_of(r);
    if (!lead)
        return;
    if (lead_converted(lead)) {
        int64_t cust = json_integer_value(json_object_get(lead, "customer_id"));
        json_decref(lead);
        ui_redirect(r, cust ? arena_printf(&r->arena, "/app/customers/%lld", (long long)cust) : "/app/leads");
        return;
    }
    convert_page(r, lead, NULL);
    json_decref(lead);
}

/* The error in r->c as one line in the user's language, field errors included. */
static const char *error_line(Req *r)
{
    Buf b;
    buf_init(&b, &r->arena);
    buf_raw(&b, ui_engine_msg(r, r->c.err_msg ? r->c.err_msg : "failed"));
    const char *k;
    json_t *v;
    json_object_foreach(r->c.err_fields, k, v)
    {
        buf_raw(&b, " ");
        buf_raw(&b, k);
        buf_raw(&b, ": ");
        buf_raw(&b, ui_engine_msg(r, json_string_value(v) ? json_string_value(v) : ""));
    }
    return b.data;
}

/* POST /app/leads/{id}/convert */
void ui_lead_convert_post(Req *r)
{
    json_t *lead = lead_of(r);
    if (!lead)
        return;
    json_t *form = http_form(r);
    if (!form) {
        json_decref(lead);
        ctx_fail(&r->c, GX_EBADREQ, "Malformed form");
        return ui_fail(r);
    }
    const char *target = json_string_value(json_object_get(form, "target"));
    const char *cid = json_string_value(json_object_get(form, "customer_id"));
    bool opp = json_object_get(form, "create_opportunity") != NULL;
    int64_t customer_id = 0;
    const char *problem = NULL;
    if (target && !strcmp(target, "existing") && (!parse_i64(cid, &customer_id) || customer_id <= 0))
        problem = T(r, "Choose the existing customer first.");
    int64_t id = json_integer_value(json_object_get(lead, "id"));
    json_t *out = NULL;
    if (!problem && leads_convert(&r->c, id, opp, customer_id, &out)) {
        if (r->c.err == GX_ENOTFOUND || r->c.err == GX_EDB) {
            json_decref(lead);
            json_decref(form);
            return ui_fail(r);
        }
        problem = error_line(r);
        r->status = r->c.err == GX_ECONFLICT ? 409 : r->c.err == GX_EDENIED ? 403 : 422;
        ctx_clear(&r->c);
    }
    json_decref(form);
    if (problem) {
        convert_page(r, lead, problem);
        json_decref(lead);
        return;
    }
    json_decref(lead);
    ui_flash(r, "lead_converted");
    ui_redirect(r, arena_printf(&r->arena, "/app/customers/%lld",
                                (long long)json_integer_value(json_object_get(out, "customer_id"))));
    json_decref(out);
}

/* POST /app/leads/convert — the bulk bar's 转化: the selected leads, each on its own. */
void ui_leads_convert_bulk(Req *r)
{
    json_t *form = http_form(r);
    if (!form) {
        ctx_fail(&r->c, GX_EBADREQ, "Malformed form");
        return ui_fail(r);
    }
    const char *back = json_string_value(json_object_get(form, "back"));
    back = back && back[0] == '/' && back[1] != '/' ? arena_strdup(&r->arena, back) : "/app/leads";
    bool opp = json_object_get(form, "create_opportunity") != NULL;
    json_t *given = json_object_get(form, "ids"), *ids = json_array();
    if (json_is_string(given))
        json_array_append(ids, given);
    else if (json_is_array(given))
        json_array_extend(ids, given);
    json_t *list = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        int64_t id;
        if (parse_i64(json_string_value(v), &id) && id > 0)
            json_array_append_new(list, json_integer(id));
    }
    json_decref(ids);
    json_decref(form);
    json_t *out = NULL;
    if (leads_convert_many(&r->c, list, opp, &out)) {
        json_decref(list);
        return ui_fail(r);
    }
    json_decref(list);
    long long ok = json_integer_value(json_object_get(out, "converted"));
    long long failed = json_integer_value(json_object_get(out, "failed"));
    json_decref(out);
    ui_flash(r, arena_printf(&r->arena, failed ? "leads_convert_partial.%lld" : "leads_converted.%lld", ok));
    ui_redirect(r, back);
}

/* The bulk bar's conversion menu on the leads list (list.c). */
void ui_leads_bulk_actions(Req *r)
{
    const Entity *ce = meta_entity("customers");
    if (!ce || acl_scope(&r->c, ce, ACT_CREATE) == SCOPE_NONE)
        return;
    Buf *o = &r->out;
    buf_htmlf(o, "<details class=\"menu\"><summary class=\"btn\">%s</summary><div class=\"menu-list pad stack\">",
              T(r, "Convert"));
    buf_htmlf(
        o,
        "<label class=\"check\"><input type=\"checkbox\" name=\"create_opportunity\" value=\"1\" checked> %s</label>",
        T(r, "Also create opportunities"));
    buf_htmlf(
        o,
        "<button class=\"btn primary\" formaction=\"/app/leads/convert\" data-bulk-convert>%s</button></div></details>",
        T(r, "Convert the selected leads"));
}

/* ---------- org chart ---------- */

/* One contact and, below it, those who report to it (depth-limited: a
 * cycle in superior_id must not loop). */
static void org_node(Req *r, json_t *contacts, size_t idx, json_t *names, const Col *cols, int ncols, int depth,
                     char *shown)
{
    const Entity *ke = meta_entity("contacts");
    json_t *c = json_array_get(contacts, idx);
    int64_t id = json_integer_value(json_object_get(c, "id"));
    Buf *o = &r->out;
    shown[idx] = 1;
    buf_htmlf(o, "<li><div class=\"org-node\"><a href=\"/app/contacts/%lld\">%s</a>", (long long)id,
              ui_title(r, ke, c));
    for (int k = 0; k < ncols; k++) {
        json_t *v = json_object_get(c, cols[k].name);
        if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
            continue;
        buf_htmlf(o, "<span class=\"org-%s\">", cols[k].name);
        ui_value(r, o, &cols[k], c, names);
        buf_raw(o, "</span>");
    }
    buf_raw(o, "</div>");
    bool open = false;
    size_t i;
    json_t *x;
    json_array_foreach(contacts, i, x)
    {
        if (shown[i] || depth > 12 || json_integer_value(json_object_get(x, "superior_id")) != id)
            continue;
        if (!open) {
            buf_raw(o, "<ul>");
            open = true;
        }
        org_node(r, contacts, i, names, cols, ncols, depth + 1, shown);
    }
    if (open)
        buf_raw(o, "</ul>");
    buf_raw(o, "</li>");
}

void ui_org_chart(Req *r, int64_t customer_id)
{
    const Entity *ke = meta_entity("contacts");
    if (!ke || !meta_field(ke, "superior_id") || !ui_entity_visible(r, ke))
        return;
    json_t *where = json_pack("{s:s, s:s, s:I}", "field", "customer_id", "op", "eq", "value", (json_int_t)customer_id);
    ListQuery lq = {.where = where, .sort = "id", .limit = RECORD_LIMIT_MAX, .action = ACT_READ};
    json_t *rows = NULL;
    GxErr rc = record_list(&r->c, ke, &lq, &rows, NULL);
    json_decref(where);
    if (rc) {
        ctx_clear(&r->c);
        return;
    }
    size_t n = json_array_size(rows);
    bool any_superior = false;
    size_t i;
    json_t *c;
    json_array_foreach(rows, i, c) any_superior |= json_integer_value(json_object_get(c, "superior_id")) > 0;
    if (n < 2 && !any_superior) {
        json_decref(rows);
        return; /* one person is not an organisation */
    }
    static const char *const names_of[] = {"title", "decision_role", "influence"};
    Col cols[3];
    int ncols = 0;
    for (int k = 0; k < 3; k++)
        if (ui_col(r, ke, names_of[k], &cols[ncols]))
            ncols++;
    json_t *names = ui_names_new();
    ui_names_want_rows(names, ke, cols, ncols, rows);
    ui_names_resolve(r, names);
    Buf *o = &r->out;
    buf_htmlf(o, "<section class=\"card\" id=\"org-chart\"><h2>%s</h2><ul class=\"org-chart\">", T(r, "Org chart"));
    char *shown = arena_alloc(&r->arena, n + 1);
    memset(shown, 0, n + 1);
    /* roots: no superior, or a superior outside this customer or out of sight */
    json_array_foreach(rows, i, c)
    {
        int64_t sup = json_integer_value(json_object_get(c, "superior_id"));
        bool root = sup <= 0;
        if (!root) {
            root = true;
            size_t k;
            json_t *y;
            json_array_foreach(rows, k, y) if (json_integer_value(json_object_get(y, "id")) == sup) root = false;
        }
        if (root && !shown[i])
            org_node(r, rows, i, names, cols, ncols, 0, shown);
    }
    /* anyone left sits on a cycle of superiors: list them flat */
    json_array_foreach(rows, i, c) if (!shown[i]) org_node(r, rows, i, names, cols, ncols, 12, shown);
    buf_raw(o, "</ul></section>");
    json_decref(names);
    json_decref(rows);
}
