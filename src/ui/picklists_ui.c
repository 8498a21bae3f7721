/* picklists_ui.c — 选项设置, the administrators' page for pick lists:
 * the pick lists that are records (customer types with their discount,
 * sources, industries, regions — edited on their own list pages) and the
 * options of enum fields (level, lifecycle stage, contact category, lead
 * quality …), whose labels, order and availability are edited here. Stored
 * records keep the option's code, so a new label never changes them. */
#include <string.h>

#include "../base/util.h"
#include "../modules/modules.h"
#include "ui.h"

static bool admin_or_fail(Req *r)
{
    if (acl_is_admin(&r->c))
        return true;
    ctx_fail(&r->c, GX_EDENIED, "Only administrators may do this");
    ui_fail(r);
    return false;
}

/* GET /admin/picklists */
void ui_picklists_page(Req *r)
{
    if (!admin_or_fail(r))
        return;
    Page p = {.title = T(r, "Pick lists"), .nav = "picklists"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1></div>", T(r, "Pick lists"));
    buf_htmlf(o, "<section class=\"card\"><h2>%s</h2><p class=\"muted\">%s</p><ul class=\"picklist-index\">",
              T(r, "Lists with their own records"),
              T(r, "Records refer to these entries by id: renaming an entry renames it everywhere at once."));
    static const char *const lists[] = {"customer_types", "customer_sources", "industries", "regions"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        const Entity *e = meta_entity(lists[i]);
        if (!e)
            continue;
        ListQuery lq = {.limit = 1, .count = true, .action = ACT_READ};
        json_t *rows = NULL;
        int64_t total = 0;
        if (record_list(&r->c, e, &lq, &rows, &total))
            ctx_clear(&r->c);
        json_decref(rows);
        buf_htmlf(
            o,
            "<li><a href=\"/app/%s\">%s</a> <span class=\"muted\">(%lld)</span> · <a href=\"/app/%s/new\">%s</a></li>",
            e->name, ui_label(r, &e->label), (long long)total, e->name, T(r, "New"));
    }
    buf_raw(o, "</ul></section>");
    buf_htmlf(o, "<section class=\"card\"><h2>%s</h2><p class=\"muted\">%s</p><table class=\"grid\"><tbody>",
              T(r, "Options of fields"),
              T(r, "Records store the option's code; labels, order and which options are offered can change."));
    const Entity *es[32];
    const Field *fs[32];
    int n = enum_labels_fields(es, fs, 32);
    for (int i = 0; i < n; i++) {
        EnumLabel *opts;
        int k = enum_labels_options(&r->c, fs[i], ui_en(r) ? "en" : "zh", &opts);
        buf_htmlf(o, "<tr><th><a href=\"/admin/picklists/%s/%s\">%s · %s</a></th><td>", es[i]->name, fs[i]->name,
                  ui_label(r, &es[i]->singular), ui_label(r, &fs[i]->label));
        for (int j = 0; j < k; j++)
            buf_htmlf(o, "<span class=\"tag%s\">%s</span> ", opts[j].active ? "" : " muted", opts[j].label);
        buf_raw(o, "</td></tr>");
    }
    buf_raw(o, "</tbody></table></section>");
    ui_end(r, &p);
}

/* The entity and field of the {entity}/{field} captures if editable;
 * renders 404 otherwise. */
static bool target_of(Req *r, const Entity **e, const Field **f)
{
    *e = meta_entity(http_param(r, "entity"));
    *f = *e ? meta_field(*e, http_param(r, "field")) : NULL;
    if (!enum_labels_editable(*e, *f)) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such pick list");
        ui_fail(r);
        return false;
    }
    return true;
}

static void edit_page(Req *r, const Entity *e, const Field *f, json_t *given)
{
    const char *title = arena_printf(&r->arena, "%s · %s", ui_label(r, &e->singular), ui_label(r, &f->label));
    Page p = {.title = title, .nav = "picklists"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o,
              "<div class=\"page-head\"><div><div class=\"crumbs\"><a "
              "href=\"/admin/picklists\">%s</a></div><h1>%s</h1></div></div>",
              T(r, "Pick lists"), title);
    if (r->c.err) {
        buf_htmlf(o, "<div class=\"alert error\" role=\"alert\">%s<ul>", ui_engine_msg(r, r->c.err_msg));
        const char *k;
        json_t *v;
        json_object_foreach(r->c.err_fields, k, v)
            buf_htmlf(o, "<li>%s: %s</li>", k, ui_engine_msg(r, json_string_value(v) ? json_string_value(v) : ""));
        buf_raw(o, "</ul></div>");
    }
    buf_htmlf(o, "<form method=\"post\" action=\"/admin/picklists/%s/%s\" class=\"card\">", e->name, f->name);
    ui_csrf_field(r);
    buf_htmlf(
        o,
        "<div class=\"table-wrap\"><table class=\"grid picklist-edit\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
        "<th>%s</th><th>%s</th></tr></thead><tbody>",
        T(r, "Code"), T(r, "Chinese label"), T(r, "English label"), T(r, "Order"), T(r, "Offered"));
    EnumLabel *zh, *en;
    int n = enum_labels_options(&r->c, f, "zh", &zh);
    enum_labels_options(&r->c, f, "en", &en); /* same order */
    for (int i = 0; i < n; i++) {
        const char *v = zh[i].value;
        json_t *g = json_object_get(given, v);
        const char *lz = g ? json_string_value(json_object_get(g, "zh")) : zh[i].label;
        const char *le = g ? json_string_value(json_object_get(g, "en")) : en[i].label;
        buf_htmlf(o, "<tr><td><code>%s</code></td>", v);
        buf_htmlf(o, "<td><input name=\"zh.%s\" value=\"%s\" maxlength=\"60\" required aria-label=\"%s %s\"></td>", v,
                  lz ? lz : "", T(r, "Chinese label"), v);
        buf_htmlf(o, "<td><input name=\"en.%s\" value=\"%s\" maxlength=\"60\" required aria-label=\"%s %s\"></td>", v,
                  le ? le : "", T(r, "English label"), v);
        buf_htmlf(
            o, "<td><input name=\"sort.%s\" value=\"%lld\" inputmode=\"numeric\" size=\"5\" aria-label=\"%s %s\"></td>",
            v, (long long)zh[i].sort, T(r, "Order"), v);
        buf_htmlf(o, "<td><input type=\"checkbox\" name=\"active.%s\" value=\"1\"%s aria-label=\"%s %s\"></td></tr>", v,
                  zh[i].active ? " checked" : "", T(r, "Offered"), v);
    }
    buf_htmlf(o,
              "</tbody></table></div><p class=\"muted\">%s</p><div class=\"form-actions\"><a class=\"btn\" "
              "href=\"/admin/picklists\">%s</a><button class=\"btn primary\" type=\"submit\">%s</button></div></form>",
              T(r, "An option that is not offered stays on the records that have it and can still be searched for."),
              T(r, "Cancel"), T(r, "Save"));
    ui_end(r, &p);
}

/* GET /admin/picklists/{entity}/{field} */
void ui_picklist_edit(Req *r)
{
    const Entity *e;
    const Field *f;
    if (!admin_or_fail(r) || !target_of(r, &e, &f))
        return;
    edit_page(r, e, f, NULL);
}

/* POST /admin/picklists/{entity}/{field} */
void ui_picklist_save(Req *r)
{
    const Entity *e;
    const Field *f;
    if (!admin_or_fail(r) || !target_of(r, &e, &f))
        return;
    json_t *form = http_form(r);
    if (!form) {
        ctx_fail(&r->c, GX_EBADREQ, "Malformed form");
        return ui_fail(r);
    }
    json_t *rows = json_object();
    for (int i = 0; i < f->noptions; i++) {
        const char *v = f->options[i].value;
        const char *zh = json_string_value(json_object_get(form, arena_printf(&r->arena, "zh.%s", v)));
        const char *en = json_string_value(json_object_get(form, arena_printf(&r->arena, "en.%s", v)));
        const char *sort = json_string_value(json_object_get(form, arena_printf(&r->arena, "sort.%s", v)));
        if (!zh && !en)
            continue; /* not on the form */
        json_t *row = json_pack("{s:s, s:s, s:b}", "zh", zh ? zh : "", "en", en ? en : "", "active",
                                json_object_get(form, arena_printf(&r->arena, "active.%s", v)) != NULL);
        int64_t s;
        if (sort && *sort) {
            if (parse_i64(sort, &s))
                json_object_set_new(row, "sort", json_integer(s));
            else
                json_object_set_new(row, "sort", json_string(sort)); /* reported as not a number */
        }
        json_object_set_new(rows, v, row);
    }
    json_decref(form);
    if (enum_labels_save(&r->c, e, f, rows)) {
        if (r->c.err != GX_EINVALID) {
            json_decref(rows);
            return ui_fail(r);
        }
        r->status = 422;
        edit_page(r, e, f, rows); /* what was typed stays */
        json_decref(rows);
        return;
    }
    json_decref(rows);
    ui_flash(r, "saved");
    ui_redirect(r, arena_printf(&r->arena, "/admin/picklists/%s/%s", e->name, f->name));
}
