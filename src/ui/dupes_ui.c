/* dupes_ui.c — the pages of duplicates, merge and import:
 *
 *   GET  /app/{entity}/duplicates     live warning in the record form (htmx fragment)
 *   GET  /app/customers/{id}/merge    pick the other customer, compare side by side
 *   POST /app/customers/{id}/merge    merge (radio per differing field)
 *   GET  /app/{entity}/import         the import wizard: upload, options
 *   POST /app/{entity}/import         preview (mapping, report, first rows) or run (result with undo)
 *   POST /app/imports/{id}/undo       undo a whole import
 *
 * The work is done by the modules (dupes.c, merge.c, import.c); these pages
 * only ask and show. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/util.h"
#include "../modules/modules.h"
#include "ui.h"

/* ---------- duplicate warning ---------- */

void ui_dupes_warning(Req *r, const Entity *e, int64_t id)
{
    if (!dupes_supported(e))
        return;
    Buf *o = &r->out;
    buf_htmlf(o,
              "<div id=\"dupes-warning\" class=\"dupes-warning\" aria-live=\"polite\" "
              "hx-get=\"/app/%s/duplicates?exclude=%lld\""
              " hx-trigger=\"input changed delay:400ms from:closest form\" hx-include=\"closest form\""
              " hx-sync=\"this:replace\"></div>",
              e->name, (long long)id);
}

static const char *kind_label(Req *r, const char *kind)
{
    if (!strcmp(kind, "name"))
        return T(r, "similar name");
    if (!strcmp(kind, "phone"))
        return T(r, "same phone");
    if (!strcmp(kind, "email"))
        return T(r, "same e-mail");
    return T(r, "same credit code");
}

void ui_dupes_fragment(Req *r)
{
    const Entity *e = ui_entity(r);
    if (!e)
        return;
    ui_html_headers(r);
    json_t *probe = json_object();
    static const char *const keys[] = {"name", "phone", "mobile", "email", "credit_code"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = http_query(r, keys[i]);
        if (v && *v)
            json_object_set_new(probe, keys[i], json_string(v));
    }
    int64_t exclude = 0;
    const char *ex = http_query(r, "exclude");
    if (ex)
        parse_i64(ex, &exclude);
    json_t *rows = NULL;
    GxErr rc = dupes_supported(e) ? dupes_find(&r->c, e, probe, exclude, &rows) : GX_OK;
    json_decref(probe);
    if (rc) {
        ctx_clear(&r->c);
        return;
    }
    Buf *o = &r->out;
    if (!json_array_size(rows)) {
        json_decref(rows);
        return;
    }
    buf_htmlf(o, "<div class=\"alert warn\" role=\"status\"><strong>%s</strong><ul>",
              T(r, "Possible duplicates — you may still save:"));
    size_t i;
    json_t *m;
    json_array_foreach(rows, i, m)
    {
        if (i == 10)
            break;
        buf_raw(o, "<li>");
        const char *owner = json_string_value(json_object_get(m, "owner_name"));
        if (json_is_true(json_object_get(m, "visible"))) {
            const char *title = json_string_value(json_object_get(m, "title"));
            buf_htmlf(o, "<a href=\"/app/%s/%lld\" target=\"_blank\">%s</a>", e->name,
                      (long long)json_integer_value(json_object_get(m, "id")), title ? title : "#");
            if (owner)
                buf_htmlf(o, " · %s %s", T(r, "owner"), owner);
        } else {
            /* Outside the user's scope: only that it exists and whose it is. */
            buf_htmlf(o, T(r, "A record owned by %s exists"), owner ? owner : "?");
        }
        buf_raw(o, " <span class=\"muted\">(");
        size_t k;
        json_t *kind;
        json_array_foreach(json_object_get(m, "match"), k, kind)
        {
            if (k)
                buf_raw(o, ", ");
            buf_html(o, kind_label(r, json_string_value(kind)));
        }
        buf_raw(o, ")</span></li>");
    }
    buf_raw(o, "</ul></div>");
    json_decref(rows);
}

/* ---------- merge ---------- */

/* The value of field f of rec as shown on a page. */
static void show_value(Req *r, const Entity *e, const Field *f, json_t *rec, json_t *names)
{
    Col c = {.name = f->name, .f = f};
    (void)e;
    ui_value(r, &r->out, &c, rec, names);
}

static bool empty_json(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
           (json_is_array(v) && !json_array_size(v)) || (json_is_object(v) && !json_object_size(v));
}

void ui_merge_page(Req *r)
{
    const Entity *e = ui_entity(r);
    int64_t id;
    if (!e || !ui_id(r, &id))
        return;
    if (strcmp(e->name, "customers")) {
        ctx_fail(&r->c, GX_ENOTFOUND, "Only customers can be merged");
        return ui_fail(r);
    }
    json_t *into;
    if (record_get(&r->c, e, id, &into))
        return ui_fail(r);
    int64_t from_id = 0;
    const char *fq = http_query(r, "from");
    json_t *from = NULL;
    if (fq && *fq && parse_i64(fq, &from_id) && from_id > 0 && from_id != id) {
        if (record_get(&r->c, e, from_id, &from)) {
            ctx_clear(&r->c);
            from = NULL;
        }
    }
    const char *title = arena_printf(&r->arena, T(r, "Merge into %s"), ui_title(r, e, into));
    Page p = {.title = title, .nav = e->name};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o,
              "<div class=\"page-head\"><div><div class=\"crumbs muted\"><a href=\"/app/%s\">%s</a> / <a "
              "href=\"/app/%s/%lld\">%s</a></div><h1>%s</h1></div></div>",
              e->name, ui_label(r, &e->label), e->name, (long long)id, ui_title(r, e, into), title);
    /* Step 1: the other customer (suggested duplicates first). */
    buf_htmlf(
        o, "<section class=\"card pad\"><h2>%s</h2><form method=\"get\" action=\"/app/%s/%lld/merge\" class=\"stack\">",
        T(r, "Customer to merge into this one"), e->name, (long long)id);
    buf_htmlf(
        o,
        "<div class=\"link-search\" data-link-search><input type=\"hidden\" name=\"from\" data-link-value value=\"%s\">"
        "<input type=\"search\" autocomplete=\"off\" placeholder=\"%s\" aria-label=\"%s\" data-link-text name=\"q\""
        " form=\"no-form\" hx-get=\"/app/customers/options\" hx-trigger=\"input changed delay:200ms, focus\""
        " hx-target=\"next .link-options\" hx-sync=\"this:replace\" value=\"%s\">"
        "<div class=\"link-options\" role=\"listbox\"></div></div>",
        from ? arena_printf(&r->arena, "%lld", (long long)from_id) : "", T(r, "Search customers"),
        T(r, "Search customers"), from ? ui_title(r, e, from) : "");
    buf_htmlf(o, "<div><button class=\"btn\" type=\"submit\">%s</button></div></form>", T(r, "Compare"));
    json_t *probe = json_pack("{s:O?, s:O?, s:O?, s:O?}", "name", json_object_get(into, "name"), "phone",
                              json_object_get(into, "phone"), "email", json_object_get(into, "email"), "credit_code",
                              json_object_get(into, "credit_code"));
    json_t *sugg = NULL;
    if (dupes_find(&r->c, e, probe, id, &sugg) == GX_OK && json_array_size(sugg)) {
        buf_htmlf(o, "<p class=\"muted\">%s</p><ul>", T(r, "Possible duplicates:"));
        size_t i;
        json_t *m;
        json_array_foreach(sugg, i, m)
        {
            if (!json_is_true(json_object_get(m, "visible")))
                continue;
            buf_htmlf(o, "<li><a href=\"/app/%s/%lld/merge?from=%lld\">%s</a></li>", e->name, (long long)id,
                      (long long)json_integer_value(json_object_get(m, "id")),
                      json_string_value(json_object_get(m, "title")) ? json_string_value(json_object_get(m, "title"))
                                                                     : "#");
        }
        buf_raw(o, "</ul>");
    }
    ctx_clear(&r->c);
    json_decref(sugg);
    json_decref(probe);
    buf_raw(o, "</section>");
    if (from) {
        /* Step 2: side by side, a choice where both have a different value. */
        json_t *names = ui_names_new();
        for (int i = 0; i < e->nfields; i++) {
            const Field *f = &e->fields[i];
            if (f->type == FT_LINK) {
                json_t *a = json_object_get(into, f->name), *b = json_object_get(from, f->name);
                if (json_is_integer(a))
                    ui_names_want(names, f->target, json_integer_value(a));
                if (json_is_integer(b))
                    ui_names_want(names, f->target, json_integer_value(b));
            }
        }
        ui_names_resolve(r, names);
        buf_htmlf(o, "<form method=\"post\" action=\"/app/%s/%lld/merge\" class=\"card pad\" data-merge-form>", e->name,
                  (long long)id);
        ui_csrf_field(r);
        buf_htmlf(o, "<input type=\"hidden\" name=\"from\" value=\"%lld\">", (long long)from_id);
        buf_htmlf(o,
                  "<h2>%s</h2><p class=\"muted\">%s</p><div class=\"table-wrap\"><table "
                  "class=\"merge-table\"><thead><tr><th>%s</th>"
                  "<th>%s</th><th>%s</th></tr></thead><tbody>",
                  T(r, "Compare and choose"),
                  T(r, "Empty fields take the other customer's value. Where both differ, choose the value to keep. "
                       "Contacts, follow-ups and every other related record move to this customer; the other goes "
                       "to the trash."),
                  T(r, "Field"), ui_title(r, e, into), ui_title(r, e, from));
        int differing = 0;
        for (int i = 0; i < e->nfields; i++) {
            const Field *f = &e->fields[i];
            if (f->readonly || f->write_only || f->type == FT_PARENT || acl_field(&r->c, e, f->name) != FIELD_RW)
                continue;
            json_t *a = json_object_get(into, f->name), *b = json_object_get(from, f->name);
            if (empty_json(a) && empty_json(b))
                continue;
            bool conflict = !empty_json(a) && !empty_json(b) && !json_equal(a, b);
            differing += conflict;
            buf_raw(o, conflict ? "<tr class=\"conflict\">" : "<tr>");
            buf_htmlf(o, "<th scope=\"row\">%s</th><td>", ui_label(r, &f->label));
            if (conflict)
                buf_htmlf(o, "<label><input type=\"radio\" name=\"f_%s\" value=\"into\" checked> ", f->name);
            show_value(r, e, f, into, names);
            buf_raw(o, conflict ? "</label></td><td>" : "</td><td>");
            if (conflict)
                buf_htmlf(o, "<label><input type=\"radio\" name=\"f_%s\" value=\"from\"> ", f->name);
            show_value(r, e, f, from, names);
            buf_raw(o, conflict ? "</label></td></tr>" : "</td></tr>");
        }
        json_decref(names);
        buf_raw(o, "</tbody></table></div>");
        if (!differing)
            buf_htmlf(o, "<p class=\"muted\">%s</p>", T(r, "No conflicting values."));
        buf_htmlf(o,
                  "<div class=\"actions\"><button class=\"btn primary\" type=\"submit\">%s</button> <a class=\"btn\" "
                  "href=\"/app/%s/%lld\">%s</a></div></form>",
                  T(r, "Merge"), e->name, (long long)id, T(r, "Cancel"));
        json_decref(from);
    }
    json_decref(into);
    ui_end(r, &p);
}

void ui_merge_post(Req *r)
{
    const Entity *e = ui_entity(r);
    int64_t id;
    if (!e || !ui_id(r, &id))
        return;
    json_t *form = http_form(r);
    int64_t from_id = 0;
    const char *fs = json_string_value(json_object_get(form, "from"));
    if (!fs || !parse_i64(fs, &from_id) || from_id <= 0) {
        json_decref(form);
        ctx_fail(&r->c, GX_EINVALID, "Choose the customer to merge");
        return ui_fail(r);
    }
    json_t *choices = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(form, k, v)
    {
        if (!strncmp(k, "f_", 2) && json_is_string(v))
            json_object_set(choices, k + 2, v);
    }
    json_decref(form);
    json_t *out;
    GxErr rc = merge_records(&r->c, e, id, from_id, choices, &out);
    json_decref(choices);
    if (rc)
        return ui_fail(r);
    json_decref(out);
    ui_flash(r, "merged");
    ui_redirect(r, arena_printf(&r->arena, "/app/%s/%lld", e->name, (long long)id));
}

/* ---------- import ---------- */

/* Fields a column can be mapped to (what the import accepts). */
static bool importable(Req *r, const Entity *e, const Field *f)
{
    return !f->readonly && !f->write_only && f->type != FT_AUTO_NUMBER && f->type != FT_FORMULA &&
           f->type != FT_PARENT && f->type != FT_LINK_MULTIPLE && f->type != FT_JSON &&
           acl_field(&r->c, e, f->name) == FIELD_RW;
}

static void import_list_html(Req *r, const Entity *e)
{
    json_t *rows;
    if (import_list(&r->c, &rows)) {
        ctx_clear(&r->c);
        return;
    }
    Buf *o = &r->out;
    buf_htmlf(o, "<section class=\"card pad\" id=\"import-history\"><h2>%s</h2>", T(r, "Recent imports"));
    size_t i;
    json_t *imp;
    int shown = 0;
    json_array_foreach(rows, i, imp)
    {
        if (strcmp(json_string_value(json_object_get(imp, "entity")), e->name))
            continue;
        if (!shown++)
            buf_htmlf(o,
                      "<div class=\"table-wrap\"><table><thead><tr><th>%s</th><th>%s</th><th class=\"num\">%s</th><th "
                      "class=\"num\">%s</th><th class=\"num\">%s</th><th>%s</th><th></th></tr></thead><tbody>",
                      T(r, "When"), T(r, "File"), T(r, "Created"), T(r, "Updated"), T(r, "Skipped"), T(r, "Status"));
        int64_t iid = json_integer_value(json_object_get(imp, "id"));
        bool done = !strcmp(json_string_value(json_object_get(imp, "status")), "done");
        buf_raw(o, "<tr><td>");
        ui_datetime(r, o, json_string_value(json_object_get(imp, "created_at")));
        buf_htmlf(o,
                  "</td><td>%s</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td><td "
                  "class=\"num\">%lld</td><td>%s</td><td>",
                  json_string_value(json_object_get(imp, "filename")),
                  (long long)json_integer_value(json_object_get(imp, "created")),
                  (long long)json_integer_value(json_object_get(imp, "updated")),
                  (long long)json_integer_value(json_object_get(imp, "skipped")),
                  done ? T(r, "Imported") : T(r, "Undone"));
        if (done)
            buf_htmlf(
                o,
                "<button class=\"btn\" type=\"button\" hx-post=\"/app/imports/%lld/undo\" hx-target=\"#import-history\""
                " hx-swap=\"outerHTML\" hx-confirm=\"%s\" data-undo-import=\"%lld\">%s</button>",
                (long long)iid, T(r, "Undo this whole import?"), (long long)iid, T(r, "Undo"));
        buf_raw(o, "</td></tr>");
    }
    if (shown)
        buf_raw(o, "</tbody></table></div>");
    else
        buf_htmlf(o, "<p class=\"muted\">%s</p>", T(r, "No imports yet."));
    buf_raw(o, "</section>");
    json_decref(rows);
}

void ui_import_page(Req *r)
{
    const Entity *e = ui_entity(r);
    if (!e)
        return;
    if (acl_scope(&r->c, e, ACT_IMPORT) == SCOPE_NONE) {
        ctx_fail(&r->c, GX_EDENIED, "You may not import %s", e->name);
        return ui_fail(r);
    }
    const char *title = arena_printf(&r->arena, T(r, "Import %s"), ui_label(r, &e->label));
    Page p = {.title = title, .nav = e->name};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o,
              "<div class=\"page-head\"><div><div class=\"crumbs muted\"><a "
              "href=\"/app/%s\">%s</a></div><h1>%s</h1></div></div>",
              e->name, ui_label(r, &e->label), title);
    buf_htmlf(o,
              "<form class=\"card pad stack\" id=\"import-form\" hx-post=\"/app/%s/import\" "
              "hx-encoding=\"multipart/form-data\""
              " hx-target=\"#import-result\">",
              e->name);
    buf_htmlf(o,
              "<p class=\"muted\">%s</p><label>%s <input type=\"file\" name=\"file\" required "
              "accept=\".csv,.txt,.tsv%s\"></label>",
              T(r, "A CSV file whose first row names the columns (field names or labels, Chinese or English). Excel: "
                   "save as CSV (UTF-8) — GB18030 files from older Excel versions are recognised too."),
              T(r, "File"), strcmp(e->name, "contacts") ? "" : ",.vcf");
    buf_htmlf(
        o,
        "<div class=\"form-fields\"><label>%s <select name=\"encoding\"><option value=\"auto\">%s</option><option "
        "value=\"utf-8\">UTF-8</option><option value=\"gb18030\">GB18030 / GBK</option></select></label>",
        T(r, "Encoding"), T(r, "Detect"));
    buf_htmlf(o,
              "<label>%s <select name=\"delimiter\"><option value=\"auto\">%s</option><option "
              "value=\"comma\">%s</option><option value=\"tab\">%s</option></select></label>",
              T(r, "Separator"), T(r, "Detect"), T(r, "Comma"), T(r, "Tab"));
    buf_htmlf(o,
              "<label>%s <select name=\"on_duplicate\"><option value=\"skip\">%s</option><option "
              "value=\"update\">%s</option><option value=\"create\">%s</option></select></label>",
              T(r, "Existing records (same phone, e-mail, credit code or name)"), T(r, "Skip"), T(r, "Update"),
              T(r, "Create anyway"));
    buf_htmlf(o, "<label><input type=\"checkbox\" name=\"partial\" value=\"1\"> %s</label></div>",
              T(r, "Import the valid rows even if some rows have errors"));
    buf_htmlf(o,
              "<div id=\"import-result\"></div><div class=\"actions\"><button class=\"btn\" type=\"submit\" "
              "name=\"step\" value=\"preview\">%s</button></div></form>",
              T(r, "Preview"));
    import_list_html(r, e);
    ui_end(r, &p);
}

/* The report of an import as HTML: counts, errors, (preview) the mapping and the first rows. */
static void report_html(Req *r, const Entity *e, json_t *rep, bool preview)
{
    Buf *o = &r->out;
    json_t *errors = json_object_get(rep, "errors");
    bool committed = json_is_true(json_object_get(rep, "committed"));
    if (r->c.err_msg)
        buf_htmlf(o, "<div class=\"alert error\" role=\"alert\">%s</div>", ui_engine_msg(r, r->c.err_msg));
    if (committed) {
        buf_htmlf(o, "<div class=\"alert ok\" role=\"status\" data-import-done=\"%lld\">",
                  (long long)json_integer_value(json_object_get(rep, "import_id")));
        buf_htmlf(o, T(r, "Imported: %lld created, %lld updated, %lld skipped, %lld with errors."),
                  (long long)json_integer_value(json_object_get(rep, "created")),
                  (long long)json_integer_value(json_object_get(rep, "updated")),
                  (long long)json_integer_value(json_object_get(rep, "skipped")),
                  (long long)json_integer_value(json_object_get(rep, "failed")));
        buf_htmlf(o,
                  " <button class=\"btn\" type=\"button\" hx-post=\"/app/imports/%lld/undo\" "
                  "hx-target=\"#import-result\" hx-confirm=\"%s\">%s</button>"
                  " <a class=\"btn\" href=\"/app/%s\">%s</a></div>",
                  (long long)json_integer_value(json_object_get(rep, "import_id")), T(r, "Undo this whole import?"),
                  T(r, "Undo import"), e->name, T(r, "Go to the list"));
    } else if (json_object_get(rep, "created")) {
        buf_htmlf(o, "<p data-import-preview>");
        buf_htmlf(o, T(r, "%lld rows: %lld would be created, %lld updated, %lld skipped, %lld have errors."),
                  (long long)json_integer_value(json_object_get(rep, "rows")),
                  (long long)json_integer_value(json_object_get(rep, "created")),
                  (long long)json_integer_value(json_object_get(rep, "updated")),
                  (long long)json_integer_value(json_object_get(rep, "skipped")),
                  (long long)json_integer_value(json_object_get(rep, "failed")));
        buf_raw(o, "</p>");
    }
    if (json_array_size(errors)) {
        buf_htmlf(o,
                  "<h3>%s</h3><div class=\"table-wrap\"><table class=\"import-errors\"><thead><tr><th "
                  "class=\"num\">%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
                  T(r, "Problems"), T(r, "Row"), T(r, "Field"), T(r, "Message"));
        size_t i;
        json_t *er;
        json_array_foreach(errors, i, er)
        {
            const char *fname = json_string_value(json_object_get(er, "field"));
            const Field *f = fname ? meta_field(e, fname) : NULL;
            buf_htmlf(o, "<tr><td class=\"num\">%lld</td><td>%s</td><td>%s</td></tr>",
                      (long long)json_integer_value(json_object_get(er, "row")),
                      f       ? ui_label(r, &f->label)
                      : fname ? fname
                              : "",
                      ui_engine_msg(r, json_string_value(json_object_get(er, "message"))));
        }
        buf_raw(o, "</tbody></table></div>");
    }
    json_t *columns = json_object_get(rep, "columns");
    if (preview && json_array_size(columns)) {
        buf_htmlf(o,
                  "<h3>%s</h3><div class=\"table-wrap\"><table "
                  "class=\"import-mapping\"><thead><tr><th>%s</th><th>%s</th></tr></thead><tbody>",
                  T(r, "Columns"), T(r, "Column in the file"), T(r, "Field"));
        size_t i;
        json_t *col;
        json_array_foreach(columns, i, col)
        {
            const char *h = json_string_value(json_object_get(col, "header"));
            const char *mapped = json_string_value(json_object_get(col, "field"));
            buf_htmlf(o,
                      "<tr><td>%s<input type=\"hidden\" name=\"hdr_%zu\" value=\"%s\"></td><td><select "
                      "name=\"map_%zu\" aria-label=\"%s\"><option value=\"\">%s</option>",
                      h, i, h, i, h, T(r, "(ignore)"));
            if (!strcmp(e->name, "customers") || e->owned)
                buf_htmlf(o, "<option value=\"owner_id\"%s>%s</option>",
                          mapped && !strcmp(mapped, "owner_id") ? " selected" : "", T(r, "Owner (user id)"));
            for (int k = 0; k < e->nfields; k++) {
                const Field *f = &e->fields[k];
                if (!importable(r, e, f))
                    continue;
                buf_htmlf(o, "<option value=\"%s\"%s>%s</option>", f->name,
                          mapped && !strcmp(mapped, f->name) ? " selected" : "", ui_label(r, &f->label));
            }
            buf_raw(o, "</select></td></tr>");
        }
        buf_raw(o, "</tbody></table></div>");
    }
    json_t *prev = json_object_get(rep, "preview");
    if (preview && json_array_size(prev) && json_array_size(columns)) {
        buf_htmlf(
            o,
            "<h3>%s</h3><div class=\"table-wrap\"><table class=\"import-preview\"><thead><tr><th class=\"num\">%s</th>",
            T(r, "First rows"), T(r, "Row"));
        size_t i;
        json_t *col;
        json_array_foreach(columns, i, col)
        {
            const char *fname = json_string_value(json_object_get(col, "field"));
            const Field *f = fname ? meta_field(e, fname) : NULL;
            if (fname)
                buf_htmlf(o, "<th>%s</th>", f ? ui_label(r, &f->label) : fname);
        }
        buf_raw(o, "</tr></thead><tbody>");
        json_t *row;
        json_array_foreach(prev, i, row)
        {
            buf_htmlf(o, "<tr><td class=\"num\">%lld</td>", (long long)json_integer_value(json_object_get(row, "row")));
            size_t k;
            json_array_foreach(columns, k, col)
            {
                const char *fname = json_string_value(json_object_get(col, "field"));
                if (!fname)
                    continue;
                json_t *v = json_object_get(json_object_get(row, "values"), fname);
                const char *text = json_is_string(v) ? json_string_value(v) : NULL;
                const char *dump = (!text && v) ? json_text_of(r->c.arena, v) : NULL;
                buf_htmlf(o, "<td>%s</td>", text ? text : dump ? dump : "");
            }
            buf_raw(o, "</tr>");
        }
        buf_raw(o, "</tbody></table></div>");
    }
    if (preview && !json_object_get(rep, "error_only"))
        buf_htmlf(o,
                  "<div class=\"actions\"><button class=\"btn primary\" type=\"submit\" name=\"step\" value=\"run\" "
                  "hx-post=\"/app/%s/import?step=run\">%s</button></div>",
                  e->name, T(r, "Import"));
}

void ui_import_post(Req *r)
{
    const Entity *e = ui_entity(r);
    if (!e)
        return;
    ui_html_headers(r);
    HttpPart *parts = NULL;
    int nparts = http_multipart(r, &parts);
    const char *data = NULL;
    size_t len = 0;
    const char *fname = NULL;
    const char *step = http_query(r, "step");
    json_t *mapping = json_object();
    bool any_map = false;
    for (int i = 0; i < nparts; i++) {
        if (!strcmp(parts[i].name, "file")) {
            data = parts[i].data;
            len = parts[i].len;
            fname = parts[i].filename;
        } else if (!strcmp(parts[i].name, "step") && !step) {
            step = parts[i].data;
        } else if (!strncmp(parts[i].name, "map_", 4)) {
            const char *hk = arena_printf(&r->arena, "hdr_%s", parts[i].name + 4);
            for (int k = 0; k < nparts; k++)
                if (!strcmp(parts[k].name, hk)) {
                    json_object_set_new(mapping, parts[k].data, json_string(parts[i].data));
                    any_map = true;
                }
        }
    }
    Buf *o = &r->out;
    if (!data || !len) {
        json_decref(mapping);
        buf_htmlf(o, "<div class=\"alert error\" role=\"alert\">%s</div>", T(r, "Choose a file first."));
        return;
    }
    ImportOptions opt = {0};
    for (int i = 0; i < nparts; i++) {
        const char *n = parts[i].name, *v = parts[i].data;
        if (!strcmp(n, "encoding"))
            opt.encoding = v;
        else if (!strcmp(n, "on_duplicate"))
            opt.on_duplicate = v;
        else if (!strcmp(n, "partial"))
            opt.partial = !strcmp(v, "1");
        else if (!strcmp(n, "delimiter"))
            opt.delimiter = !strcmp(v, "tab") ? '\t' : !strcmp(v, "comma") ? ',' : 0;
    }
    opt.mapping = any_map ? mapping : NULL;
    opt.filename = fname;
    if (fname && strlen(fname) > 4 && !strcasecmp(fname + strlen(fname) - 4, ".vcf"))
        opt.format = "vcf";
    bool run = step && !strcmp(step, "run");
    opt.dry_run = !run;
    json_t *rep = NULL;
    GxErr rc = import_run(&r->c, e, data, len, &opt, &rep);
    json_decref(mapping);
    if (!rep) {
        buf_htmlf(o, "<div class=\"alert error\" role=\"alert\">%s</div>",
                  ui_engine_msg(r, r->c.err_msg ? r->c.err_msg : "Error"));
        ctx_clear(&r->c);
        return;
    }
    (void)rc;
    report_html(r, e, rep, !json_is_true(json_object_get(rep, "committed")));
    ctx_clear(&r->c);
    json_decref(rep);
}

void ui_import_undo(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    ui_html_headers(r);
    json_t *imp;
    if (import_undo(&r->c, id, &imp))
        return ui_fail(r);
    const Entity *e = meta_entity(json_string_value(json_object_get(imp, "entity")));
    json_decref(imp);
    buf_htmlf(
        &r->out, "<div class=\"alert ok\" role=\"status\" data-import-undone=\"%lld\">%s</div>", (long long)id,
        T(r, "The import was undone: the records it created are in the trash, updated records have their old values."));
    if (e)
        import_list_html(r, e);
}
