/* detail.c — the record page /app/{entity}/{id}: a header with the title,
 * key fields and actions; fields in panels with inline edit (htmx, version
 * checked); related lists (every entity linking here); the activity timeline
 * with its composer; the revision history tab. Also the actions it posts:
 * delete, transfer owner, add an activity, save one field. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../modules/modules.h"
#include "form.h"

#define RELATED_ROWS 5
#define TIMELINE_ROWS 20

/* Everything the page shows about one record. */
typedef struct Detail {
    const Entity *e; /* entity */
    int64_t id;      /* record id */
    json_t *rec;     /* the record */
    json_t *names;   /* link display names */
    bool can_edit;   /* edit scope covers this row */
} Detail;

static bool row_allows(Req *r, const Entity *e, json_t *rec, Action a)
{
    return acl_scope(&r->c, e, a) != SCOPE_NONE &&
           acl_row_in_scope(&r->c, e, a, json_integer_value(json_object_get(rec, "owner_id")),
                            json_integer_value(json_object_get(rec, "department_id")));
}

/* Every column of e the page shows (declared fields and common columns). */
static int all_cols(Req *r, const Entity *e, Col *cols, int max)
{
    int n = 0;
    for (int i = 0; i < e->nfields && n < max; i++)
        if (ui_col(r, e, e->fields[i].name, &cols[n]))
            n++;
    static const char *common[] = {"owner_id", "department_id", "created_by", "updated_by", NULL};
    for (int i = 0; common[i] && n < max; i++)
        if (ui_col(r, e, common[i], &cols[n]))
            n++;
    return n;
}

/* Load the record {id} of the {entity} capture; renders the error and
 * returns false when it cannot. */
static bool detail_load(Req *r, Detail *d)
{
    memset(d, 0, sizeof *d);
    d->e = ui_entity(r);
    if (!d->e || !ui_id(r, &d->id))
        return false;
    if (record_get(&r->c, d->e, d->id, &d->rec)) {
        ui_fail(r);
        return false;
    }
    d->can_edit = row_allows(r, d->e, d->rec, ACT_EDIT);
    return true;
}

static void detail_free(Detail *d)
{
    json_decref(d->rec);
    json_decref(d->names);
}

/* ---------- field values and inline edit ---------- */

/* Field types edited in place (others use the full form). */
static bool inline_type(const Field *f)
{
    switch (f->type) {
    case FT_LINK_MULTIPLE:
    case FT_PARENT:
    case FT_ADDRESS:
    case FT_JSON:
    case FT_MULTI_ENUM:
        return false;
    default:
        return true;
    }
}

static bool inline_editable(Req *r, const Detail *d, const Field *f)
{
    return d->can_edit && inline_type(f) && !f->write_only && form_field_writable(r, d->e, f, false);
}

/* The <dd> of one field: its value, clickable when it may be edited. */
static void field_dd(Req *r, const Detail *d, const Field *f)
{
    Buf *o = &r->out;
    Col c = {f->name, f};
    if (inline_editable(r, d, f)) {
        buf_htmlf(o,
                  "<dd id=\"fv-%s\" class=\"editable\" tabindex=\"0\" role=\"button\" title=\"%s\" "
                  "hx-get=\"/app/%s/%lld/field/%s\""
                  " hx-include=\"#rec-version\" hx-trigger=\"click\" hx-target=\"this\" hx-swap=\"outerHTML\">",
                  f->name, T(r, "Click to edit"), d->e->name, (long long)d->id, f->name);
    } else {
        buf_htmlf(o, "<dd id=\"fv-%s\"%s>", f->name,
                  form_field_writable(r, d->e, f, false) || f->type == FT_PARENT ? "" : " class=\"readonly\"");
    }
    ui_value(r, o, &c, d->rec, d->names);
    buf_raw(o, "</dd>");
}

static void version_input(Req *r, const Detail *d, bool oob)
{
    buf_htmlf(&r->out, "<input type=\"hidden\" id=\"rec-version\" name=\"version\" value=\"%lld\"%s>",
              (long long)json_integer_value(json_object_get(d->rec, "version")), oob ? " hx-swap-oob=\"true\"" : "");
}

/* ---------- page parts ---------- */

static void header(Req *r, const Detail *d)
{
    const Entity *e = d->e;
    Buf *o = &r->out;
    buf_htmlf(o,
              "<div class=\"record-head\"><div><div class=\"crumbs\"><a href=\"/app/%s\">%s</a></div><h1>%s</h1><dl "
              "class=\"keyfields\">",
              e->name, ui_label(r, &e->label), ui_title(r, e, d->rec));
    int shown = 0;
    for (int i = 0; i < e->nfields && shown < 3; i++) {
        const Field *f = &e->fields[i];
        Col c;
        if (!f->list || (e->title_field && !strcmp(f->name, e->title_field)) || !ui_col(r, e, f->name, &c))
            continue;
        json_t *v = f->type == FT_PARENT ? json_object_get(d->rec, arena_printf(&r->arena, "%s_id", f->name))
                                         : json_object_get(d->rec, f->name);
        if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
            continue;
        buf_htmlf(o, "<div><dt>%s</dt><dd>", ui_col_label(r, &c));
        ui_value(r, o, &c, d->rec, d->names);
        buf_raw(o, "</dd></div>");
        shown++;
    }
    Col owner;
    if (ui_col(r, e, "owner_id", &owner)) {
        buf_htmlf(o, "<div><dt>%s</dt><dd>", ui_col_label(r, &owner));
        ui_value(r, o, &owner, d->rec, d->names);
        buf_raw(o, "</dd></div>");
    }
    buf_raw(o, "</dl></div><div class=\"actions\">");
    if (d->can_edit)
        buf_htmlf(o, "<a class=\"btn\" href=\"/app/%s/%lld/edit\">%s</a>", e->name, (long long)d->id, T(r, "Edit"));
    if (e->owned && e->transferable && d->can_edit && acl_scope(&r->c, e, ACT_ASSIGN) != SCOPE_NONE) {
        buf_htmlf(o,
                  "<details class=\"menu\"><summary class=\"btn\">%s</summary><form method=\"post\" "
                  "action=\"/app/%s/%lld/transfer\" class=\"menu-list pad stack\">",
                  T(r, "Transfer"), e->name, (long long)d->id);
        ui_csrf_field(r);
        buf_htmlf(o, "<input type=\"hidden\" name=\"version\" value=\"%lld\">",
                  (long long)json_integer_value(json_object_get(d->rec, "version")));
        buf_htmlf(
            o,
            "<div class=\"link-search\" data-link-search><input type=\"hidden\" name=\"owner_id\" data-link-value>"
            "<input type=\"search\" autocomplete=\"off\" placeholder=\"%s\" aria-label=\"%s\" data-link-text "
            "name=\"q\" form=\"no-form\""
            " hx-get=\"/app/users/options\" hx-trigger=\"input changed delay:200ms, focus\" hx-target=\"next "
            ".link-options\""
            " hx-sync=\"this:replace\">"
            "<div class=\"link-options\" role=\"listbox\"></div></div>",
            T(r, "New owner"), T(r, "New owner"));
        buf_htmlf(o, "<button class=\"btn primary\" type=\"submit\">%s</button></form></details>", T(r, "Transfer"));
    }
    if (!strcmp(e->name, "customers") && d->can_edit) /* dupes_ui.c */
        buf_htmlf(o, "<a class=\"btn\" href=\"/app/%s/%lld/merge\">%s</a>", e->name, (long long)d->id, T(r, "Merge"));
    if (!strcmp(e->name, "contacts"))
        buf_htmlf(o, "<a class=\"btn hide-sm\" href=\"/api/v1/contacts/%lld/vcard\" download>vCard</a>", (long long)d->id);
    if (!strcmp(e->name, "customers"))
        ui_pool_record_actions(r, d->rec, d->can_edit); /* lock, release to pool, claim (pool.c) */
    if (!strcmp(e->name, "leads"))
        ui_lead_record_actions(r, d->rec, d->can_edit); /* 转化 (leads.c) */
    ui_sales_doc_actions(r, e, d->rec, d->can_edit); /* quotes and orders (sales_docs.c) */
    if (!strcmp(e->name, "quotes")) /* the PDF (api/sales_credit_api.c) */
        buf_htmlf(o, "<a class=\"btn\" id=\"quote-pdf\" href=\"/api/v1/quotes/%lld/pdf\" target=\"_blank\">PDF</a>",
                  (long long)d->id);
    /* Access administration (admin.c): a role's matrix, a user's handover. */
    if (acl_is_admin(&r->c) && !strcmp(e->name, "roles"))
        buf_htmlf(o, "<a class=\"btn\" href=\"/admin/roles/%lld/matrix\">%s</a>", (long long)d->id, T(r, "Permission matrix"));
    if (acl_is_admin(&r->c) && !strcmp(e->name, "users"))
        buf_htmlf(o, "<a class=\"btn\" href=\"/admin/users/%lld/handover\">%s</a>", (long long)d->id, T(r, "Handover"));
    const Entity *act = meta_entity("activities");
    if (act && e != act && acl_scope(&r->c, act, ACT_CREATE) != SCOPE_NONE)
        buf_htmlf(o, "<a class=\"btn primary\" href=\"#composer\">%s</a>", T(r, "Write follow-up"));
    if (row_allows(r, e, d->rec, ACT_DELETE)) {
        buf_htmlf(
            o, "<details class=\"menu\"><summary class=\"btn\" aria-label=\"%s\">⋯</summary><div class=\"menu-list\">",
            T(r, "More"));
        buf_htmlf(o, "<a href=\"/app/%s/%lld?tab=history\">%s</a>", e->name, (long long)d->id, T(r, "History"));
        buf_htmlf(o, "<form method=\"post\" action=\"/app/%s/%lld/delete\" data-confirm=\"%s\">", e->name,
                  (long long)d->id, T(r, "Delete this record? It goes to the trash."));
        ui_csrf_field(r);
        buf_htmlf(o, "<button type=\"submit\" class=\"linklike danger-text\">%s</button></form></div></details>",
                  T(r, "Delete"));
    }
    buf_raw(o, "</div></div>");
}

/* Entities (and their link field) that point at e: related lists. */
typedef struct Related {
    const Entity *e; /* the entity that links here */
    const Field *f;  /* its link field */
} Related;

static int related_of(Req *r, const Entity *e, Related *out, int max)
{
    int n = 0, ne;
    const Entity *const *all = meta_entities(&ne);
    for (int i = 0; i < ne && n < max; i++) {
        const Entity *x = all[i];
        if (!ui_entity_visible(r, x) || (x->module && !strcmp(x->module, "home")))
            continue;
        for (int k = 0; k < x->nfields && n < max; k++) {
            const Field *f = &x->fields[k];
            if (f->type == FT_LINK && f->target && !strcmp(f->target, e->name) &&
                acl_field(&r->c, x, f->name) != FIELD_HIDDEN)
                out[n++] = (Related){x, f};
        }
    }
    return n;
}

/* Entities with a parent ("related to") field, other than activities: shown
 * as related lists filtered on <field>_type/<field>_id. */
static int parent_related(Req *r, const Entity *e, Related *out, int max)
{
    int n = 0, ne;
    const Entity *const *all = meta_entities(&ne);
    for (int i = 0; i < ne && n < max; i++) {
        const Entity *x = all[i];
        if (!strcmp(x->name, "activities") || x == e || !ui_entity_visible(r, x) ||
            (x->module && !strcmp(x->module, "home")))
            continue;
        for (int k = 0; k < x->nfields && n < max; k++)
            if (x->fields[k].type == FT_PARENT && acl_field(&r->c, x, x->fields[k].name) != FIELD_HIDDEN)
                out[n++] = (Related){x, &x->fields[k]};
    }
    return n;
}

/* The filter selecting the rows of rel that belong to this record. */
static json_t *related_where(Req *r, const Detail *d, const Related *rel)
{
    if (rel->f->type == FT_PARENT)
        return json_pack("{s:[{s:s, s:s, s:s}, {s:s, s:s, s:I}]}", "and", "field",
                         arena_printf(&r->arena, "%s_type", rel->f->name), "op", "eq", "value", d->e->name, "field",
                         arena_printf(&r->arena, "%s_id", rel->f->name), "op", "eq", "value", (json_int_t)d->id);
    return json_pack("{s:s, s:s, s:I}", "field", rel->f->name, "op", "eq", "value", (json_int_t)d->id);
}

static void related_list(Req *r, const Detail *d, const Related *rel)
{
    const Entity *x = rel->e;
    Buf *o = &r->out;
    json_t *where = related_where(r, d, rel);
    ListQuery lq = {.where = where, .limit = RELATED_ROWS, .count = true, .action = ACT_READ};
    json_t *rows = NULL;
    int64_t total = 0;
    if (record_list(&r->c, x, &lq, &rows, &total)) {
        ctx_clear(&r->c);
        json_decref(where);
        return;
    }
    const char *anchor = arena_printf(&r->arena, "rel-%s-%s", x->name, rel->f->name);
    buf_htmlf(o, "<section class=\"card related\" id=\"%s\"><div class=\"related-head\"><h2>%s", anchor,
              ui_label(r, &x->label));
    if (rel->f->type == FT_LINK && strcmp(x->name, d->e->name) == 0)
        buf_htmlf(o, " · %s", ui_label(r, &rel->f->label));
    buf_htmlf(o, " <span class=\"muted\">(%lld)</span></h2>", (long long)total);
    if (acl_scope(&r->c, x, ACT_CREATE) != SCOPE_NONE) {
        if (rel->f->type == FT_PARENT)
            buf_htmlf(o, "<a class=\"btn small\" href=\"/app/%s/new?%s_type=%s&amp;%s_id=%lld\">%s</a>", x->name,
                      rel->f->name, d->e->name, rel->f->name, (long long)d->id, T(r, "New"));
        else
            buf_htmlf(o, "<a class=\"btn small\" href=\"/app/%s/new?%s=%lld\">%s</a>", x->name, rel->f->name,
                      (long long)d->id, T(r, "New"));
    }
    buf_raw(o, "</div>");
    if (json_array_size(rows)) {
        Col cols[4];
        int nc = 0;
        for (int i = 0; i < x->nfields && nc < 4; i++) {
            const Field *f = &x->fields[i];
            if (f == rel->f || !f->list || f->type == FT_PARENT)
                continue;
            if (ui_col(r, x, f->name, &cols[nc]))
                nc++;
        }
        json_t *names = ui_names_new();
        ui_names_want_rows(names, x, cols, nc, rows);
        ui_names_resolve(r, names);
        buf_raw(o, "<div class=\"table-wrap\"><table class=\"grid\"><thead><tr>");
        for (int i = 0; i < nc; i++) {
            buf_raw(o, ui_col_numeric(&cols[i]) ? "<th class=\"num\">" : "<th>");
            buf_htmlf(o, "%s</th>", ui_col_label(r, &cols[i]));
        }
        buf_raw(o, "</tr></thead><tbody>");
        size_t i;
        json_t *rec;
        json_array_foreach(rows, i, rec)
        {
            buf_raw(o, "<tr>");
            for (int k = 0; k < nc; k++) {
                buf_raw(o, ui_col_numeric(&cols[k]) ? "<td class=\"num\">" : "<td>");
                if (k == 0)
                    buf_htmlf(o, "<a href=\"/app/%s/%lld\">%s</a>", x->name,
                              (long long)json_integer_value(json_object_get(rec, "id")), ui_title(r, x, rec));
                else
                    ui_value(r, o, &cols[k], rec, names);
                buf_raw(o, "</td>");
            }
            buf_raw(o, "</tr>");
        }
        buf_raw(o, "</tbody></table></div>");
        json_decref(names);
        if (total > RELATED_ROWS) {
            char *t = json_dumps(where, JSON_COMPACT);
            Buf u;
            buf_init(&u, &r->arena);
            buf_printf(&u, "/app/%s?scene=all&filter=", x->name);
            buf_url(&u, t);
            free(t);
            buf_htmlf(o, "<a class=\"more\" href=\"%s\">%s</a>", u.data,
                      arena_printf(&r->arena, T(r, "Show all %lld"), (long long)total));
        }
    } else {
        buf_htmlf(o, "<p class=\"muted\">%s</p>", T(r, "None yet."));
    }
    buf_raw(o, "</section>");
    json_decref(rows);
    json_decref(where);
}

/* The composer and the latest activities related to this record. */
static void timeline(Req *r, const Detail *d, const Related *rels, int nrel)
{
    const Entity *act = meta_entity("activities");
    if (!act || d->e == act || !ui_entity_visible(r, act))
        return;
    Buf *o = &r->out;
    buf_htmlf(o, "<section class=\"card\" id=\"timeline\"><h2>%s</h2>", T(r, "Follow-ups"));
    const Field *kind = meta_field(act, "kind");
    if (acl_scope(&r->c, act, ACT_CREATE) != SCOPE_NONE) {
        buf_htmlf(o, "<form method=\"post\" action=\"/app/%s/%lld/activity\" class=\"composer\" id=\"composer\">",
                  d->e->name, (long long)d->id);
        ui_csrf_field(r);
        buf_raw(o, "<div class=\"row\">");
        if (kind && kind->type == FT_ENUM) {
            buf_htmlf(o, "<select name=\"kind\" aria-label=\"%s\">", ui_label(r, &kind->label));
            EnumLabel *kinds;
            int nkinds = enum_labels_options(&r->c, kind, ui_en(r) ? "en" : "zh", &kinds);
            for (int i = 0; i < nkinds; i++)
                if (kinds[i].active)
                    buf_htmlf(o, "<option value=\"%s\">%s</option>", kinds[i].value, kinds[i].label);
            buf_raw(o, "</select>");
        }
        /* a contact of this record, when contacts link here */
        const Entity *contacts = meta_entity("contacts");
        for (int i = 0; i < nrel && contacts && meta_field(act, "contact_id"); i++) {
            if (rels[i].e != contacts || rels[i].f->type != FT_LINK)
                continue;
            json_t *where = related_where(r, d, &rels[i]);
            ListQuery lq = {.where = where, .limit = 50, .sort = "id", .action = ACT_READ};
            json_t *rows = NULL;
            if (record_list(&r->c, contacts, &lq, &rows, NULL) == GX_OK && json_array_size(rows)) {
                buf_htmlf(o, "<select name=\"contact_id\" aria-label=\"%s\"><option value=\"\">%s</option>",
                          ui_label(r, &contacts->singular), T(r, "— contact —"));
                size_t k;
                json_t *c;
                json_array_foreach(rows, k, c)
                    buf_htmlf(o, "<option value=\"%lld\">%s</option>",
                              (long long)json_integer_value(json_object_get(c, "id")), ui_title(r, contacts, c));
                buf_raw(o, "</select>");
            }
            ctx_clear(&r->c);
            json_decref(rows);
            json_decref(where);
            break;
        }
        buf_raw(o, "</div>");
        buf_htmlf(o,
                  "<textarea name=\"body\" rows=\"3\" maxlength=\"20000\" required aria-label=\"%s\" "
                  "placeholder=\"%s\"></textarea>",
                  T(r, "What happened?"), T(r, "What happened? What was agreed?"));
        buf_htmlf(
            o,
            "<div class=\"row\"><label class=\"field\"><span class=\"muted\">%s</span><input type=\"datetime-local\" "
            "name=\"next_at\"></label>"
            "<div class=\"form-actions\"><button class=\"btn primary\" type=\"submit\">%s</button></div></div></form>",
            T(r, "Next follow-up"), T(r, "Save follow-up"));
    }
    json_t *where = json_pack("{s:[{s:s, s:s, s:s}, {s:s, s:s, s:I}]}", "and", "field", "parent_type", "op", "eq",
                              "value", d->e->name, "field", "parent_id", "op", "eq", "value", (json_int_t)d->id);
    ListQuery lq = {.where = where, .sort = "-occurred_at,-created_at", .limit = TIMELINE_ROWS, .action = ACT_READ};
    json_t *rows = NULL;
    if (record_list(&r->c, act, &lq, &rows, NULL)) {
        ctx_clear(&r->c);
        rows = json_array();
    }
    json_decref(where);
    if (!json_array_size(rows)) {
        buf_htmlf(o, "<p class=\"muted\">%s</p>", T(r, "No follow-ups yet. Record the first call or visit above."));
    } else {
        Col cols[4];
        int nc = 0;
        static const char *names_of[] = {"kind", "owner_id", "contact_id", "next_at"};
        bool has[4];
        for (int i = 0; i < 4; i++) {
            has[i] = ui_col(r, act, names_of[i], &cols[i]);
            if (!has[i])
                cols[i] = (Col){"id", NULL};
        }
        nc = 4;
        json_t *names = ui_names_new();
        ui_names_want_rows(names, act, cols, nc, rows);
        ui_names_resolve(r, names);
        buf_raw(o, "<ol class=\"timeline\">");
        size_t i;
        json_t *a;
        json_array_foreach(rows, i, a)
        {
            buf_raw(o, "<li><div class=\"meta\">");
            if (has[0])
                ui_value(r, o, &cols[0], a, names);
            const char *when = json_string_value(json_object_get(a, "occurred_at"));
            if (!when)
                when = json_string_value(json_object_get(a, "created_at"));
            buf_raw(o, "<span>");
            ui_datetime(r, o, when);
            buf_raw(o, "</span>");
            if (has[1]) {
                buf_raw(o, "<span>");
                ui_value(r, o, &cols[1], a, names);
                buf_raw(o, "</span>");
            }
            if (has[2] && !json_is_null(json_object_get(a, "contact_id")) && json_object_get(a, "contact_id")) {
                buf_raw(o, "<span>");
                ui_value(r, o, &cols[2], a, names);
                buf_raw(o, "</span>");
            }
            buf_htmlf(o, "<a href=\"/app/activities/%lld\">%s</a></div>",
                      (long long)json_integer_value(json_object_get(a, "id")), T(r, "Open"));
            const char *body = json_string_value(json_object_get(a, "body"));
            buf_htmlf(o, "<div class=\"body\">%s</div>", body && *body ? body : ui_title(r, act, a));
            if (has[3] && json_is_string(json_object_get(a, "next_at"))) {
                buf_htmlf(o, "<div class=\"meta\">%s ", T(r, "Next follow-up:"));
                ui_value(r, o, &cols[3], a, names);
                buf_raw(o, "</div>");
            }
            buf_raw(o, "</li>");
        }
        buf_raw(o, "</ol>");
        json_decref(names);
    }
    json_decref(rows);
    buf_raw(o, "</section>");
}

static void panels(Req *r, const Detail *d)
{
    const Entity *e = d->e;
    Buf *o = &r->out;
    const char *pn[16];
    int np = 0;
    for (int i = 0; i < e->nfields && np < 16; i++) {
        const char *p = e->fields[i].panel ? e->fields[i].panel : "";
        bool seen = false;
        for (int k = 0; k < np; k++)
            seen |= !strcmp(pn[k], p);
        if (!seen)
            pn[np++] = p;
    }
    for (int k = 0; k < np; k++) {
        buf_htmlf(o, "<section class=\"card panel\" %s><h2>%s</h2><dl class=\"fields\">", k == 0 ? "id=\"fields\"" : "",
                  *pn[k] ? T(r, pn[k]) : T(r, "Details"));
        for (int i = 0; i < e->nfields; i++) {
            const Field *f = &e->fields[i];
            Col c;
            if (strcmp(f->panel ? f->panel : "", pn[k]) || !ui_col(r, e, f->name, &c))
                continue;
            buf_htmlf(o, "<div><dt>%s</dt>", ui_label(r, &f->label));
            field_dd(r, d, f);
            buf_raw(o, "</div>");
        }
        buf_raw(o, "</dl></section>");
    }
    /* system information */
    buf_htmlf(o, "<section class=\"card panel\"><h2>%s</h2><dl class=\"fields\">", T(r, "System information"));
    static const char *sys[] = {"owner_id",   "department_id", "created_by", "created_at",
                                "updated_by", "updated_at",    NULL};
    for (int i = 0; sys[i]; i++) {
        Col c;
        if (!ui_col(r, e, sys[i], &c))
            continue;
        buf_htmlf(o, "<div><dt>%s</dt><dd>", ui_col_label(r, &c));
        ui_value(r, o, &c, d->rec, d->names);
        buf_raw(o, "</dd></div>");
    }
    buf_raw(o, "</dl></section>");
}

static void history(Req *r, const Detail *d)
{
    Buf *o = &r->out;
    json_t *rows = NULL;
    if (record_history(&r->c, d->e, d->id, &rows)) {
        ctx_clear(&r->c);
        rows = json_array();
    }
    buf_htmlf(o, "<section class=\"card\" id=\"history\"><h2>%s</h2>", T(r, "History"));
    if (!json_array_size(rows)) {
        buf_htmlf(o, "<p class=\"muted\">%s</p></section>", T(r, "No recorded changes yet."));
        json_decref(rows);
        return;
    }
    /* old and new values are shown like the fields; resolve their links at once */
    json_t *names = ui_names_new();
    size_t i;
    json_t *h;
    json_array_foreach(rows, i, h)
    {
        const char *field = json_string_value(json_object_get(h, "field"));
        Col c;
        if (!field || !ui_col(r, d->e, field, &c))
            continue;
        json_t *pair = json_array();
        json_array_append_new(pair, json_pack("{s:O}", field, json_object_get(h, "old")));
        json_array_append_new(pair, json_pack("{s:O}", field, json_object_get(h, "new")));
        ui_names_want_rows(names, d->e, &c, 1, pair);
        json_decref(pair);
    }
    ui_names_resolve(r, names);
    buf_htmlf(o,
              "<div class=\"table-wrap\"><table class=\"grid "
              "history\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
              T(r, "When"), T(r, "Who"), T(r, "Field"), T(r, "Change"));
    json_array_foreach(rows, i, h)
    {
        const char *field = json_string_value(json_object_get(h, "field"));
        buf_raw(o, "<tr><td>");
        ui_datetime(r, o, json_string_value(json_object_get(h, "at")));
        const char *who = json_string_value(json_object_get(h, "user_name"));
        buf_htmlf(o, "</td><td>%s</td>", who ? who : T(r, "System"));
        Col c;
        bool known = field && ui_col(r, d->e, field, &c);
        if (field && !strcmp(field, "attachments")) { /* a file added or removed (ui/attachments.c) */
            json_t *nv = json_object_get(h, "new"), *ov = json_object_get(h, "old");
            buf_htmlf(o, "<td>%s</td><td>%s %s</td></tr>", T(r, "Attachments"),
                      json_is_string(nv) ? T(r, "Added") : T(r, "Removed"),
                      json_string_value(json_is_string(nv) ? nv : ov));
            continue;
        }
        if (field && !strcmp(field, "deleted_at")) {
            buf_htmlf(o, "<td>%s</td><td>%s</td></tr>", T(r, "Trash"),
                      json_is_null(json_object_get(h, "new")) ? T(r, "Restored") : T(r, "Deleted"));
            continue;
        }
        buf_htmlf(o, "<td>%s</td><td><span class=\"old\">", known ? ui_col_label(r, &c) : field ? field : "");
        json_t *ov = json_pack("{s:O}", field ? field : "x", json_object_get(h, "old"));
        json_t *nv = json_pack("{s:O}", field ? field : "x", json_object_get(h, "new"));
        if (known) {
            ui_value(r, o, &c, ov, names);
            buf_raw(o, "</span> → <span>");
            ui_value(r, o, &c, nv, names);
        } else {
            buf_raw(o, "</span> → <span>");
        }
        buf_raw(o, "</span></td></tr>");
        json_decref(ov);
        json_decref(nv);
    }
    buf_raw(o, "</tbody></table></div></section>");
    json_decref(names);
    json_decref(rows);
}

void ui_detail(Req *r)
{
    Detail d;
    if (!detail_load(r, &d))
        return;
    const Entity *e = d.e;
    d.names = ui_names_new();
    Col cols[80];
    int nc = all_cols(r, e, cols, 80);
    json_t *one = json_array();
    json_array_append(one, d.rec);
    ui_names_want_rows(d.names, e, cols, nc, one);
    json_decref(one);
    ui_names_resolve(r, d.names);

    const char *tab = http_query(r, "tab");
    bool show_history = tab && !strcmp(tab, "history");
    Related rels[24];
    int nrel = related_of(r, e, rels, 24);
    nrel += parent_related(r, e, rels + nrel, 24 - nrel);

    Page p = {.title = ui_title(r, e, d.rec), .nav = e->name};
    ui_begin(r, &p);
    Buf *o = &r->out;
    version_input(r, &d, false);
    header(r, &d);
    buf_htmlf(o, "<nav class=\"tabs\" aria-label=\"%s\">", T(r, "Sections"));
    buf_htmlf(o, "<a href=\"/app/%s/%lld\"%s>%s</a>", e->name, (long long)d.id, "", T(r, "Details"));
    const Entity *act = meta_entity("activities");
    if (!show_history) {
        if (act && act != e && ui_entity_visible(r, act))
            buf_htmlf(o, "<a href=\"#timeline\">%s</a>", T(r, "Follow-ups"));
        for (int i = 0; i < nrel; i++)
            buf_htmlf(o, "<a href=\"#rel-%s-%s\">%s</a>", rels[i].e->name, rels[i].f->name,
                      ui_label(r, &rels[i].e->label));
        if (ui_attachments_tab(e))
            buf_htmlf(o, "<a href=\"#attachments\">%s</a>", T(r, "Attachments"));
    }
    buf_htmlf(o, "<a href=\"/app/%s/%lld?tab=history\">%s</a></nav>", e->name, (long long)d.id, T(r, "History"));
    if (show_history) {
        history(r, &d);
    } else {
        buf_raw(o, "<div class=\"detail-grid\"><div class=\"detail-main\">");
        ui_sales_doc_lines(r, e, d.rec); /* quotes and orders: lines and totals (sales_docs.c) */
        panels(r, &d);
        if (!strcmp(e->name, "activities"))
            /* Managers' comments (批示) on a work record, loaded from admin.c. */
            buf_htmlf(o, "<section class=\"card\"><h2>%s</h2><div hx-get=\"/app/activities/%lld/comments\" hx-trigger=\"load\"></div></section>",
                      T(r, "Comments"), (long long)d.id);
        if (!strcmp(e->name, "customers"))
            ui_org_chart(r, d.id); /* contacts by superior (leads.c) */
        ui_sales_money_card(r, e, d.id, d.rec); /* balances, invoice lines (sales_money.c) */
        if (!strcmp(e->name, "approvals"))
            ui_approval_panel(r, d.id); /* approve / reject (sales_credit.c) */
        if (!strcmp(e->name, "orders"))
            ui_order_credit_panels(r, d.id, d.rec); /* approvals, deliveries, returns (sales_credit.c) */
        for (int i = 0; i < nrel; i++)
            related_list(r, &d, &rels[i]);
        ui_attachments_panel(r, e, d.id); /* files of the record (attachments.c) */
        buf_raw(o, "</div><div class=\"detail-side\">");
        timeline(r, &d, rels, nrel);
        buf_raw(o, "</div></div>");
    }
    ui_end(r, &p);
    detail_free(&d);
}

/* ---------- actions ---------- */

void ui_detail_delete(Req *r)
{
    Detail d;
    if (!detail_load(r, &d))
        return;
    if (record_delete(&r->c, d.e, d.id)) {
        detail_free(&d);
        return ui_fail(r);
    }
    ui_flash(r, "deleted");
    ui_redirect(r, arena_printf(&r->arena, "/app/%s", d.e->name));
    detail_free(&d);
}

void ui_detail_transfer(Req *r)
{
    Detail d;
    if (!detail_load(r, &d))
        return;
    json_t *form = http_form(r);
    int64_t owner, version;
    if (!form || !parse_i64(form_str(form, "owner_id"), &owner) || !parse_i64(form_str(form, "version"), &version)) {
        json_decref(form);
        detail_free(&d);
        ctx_fail(&r->c, GX_EBADREQ, "Choose the new owner first");
        return ui_fail(r);
    }
    json_decref(form);
    json_t *in = json_pack("{s:I, s:I}", "owner_id", (json_int_t)owner, "version", (json_int_t)version), *out = NULL;
    GxErr rc = record_update(&r->c, d.e, d.id, in, &out);
    json_decref(in);
    json_decref(out);
    if (rc) {
        detail_free(&d);
        return ui_fail(r);
    }
    ui_flash(r, "transferred");
    ui_redirect(r, arena_printf(&r->arena, "/app/%s/%lld", d.e->name, (long long)d.id));
    detail_free(&d);
}

/* POST /app/{entity}/{id}/activity — the composer: an activity related to this record. */
void ui_detail_activity(Req *r)
{
    Detail d;
    if (!detail_load(r, &d))
        return;
    const Entity *act = meta_entity("activities");
    json_t *form = http_form(r);
    if (!act || !form) {
        json_decref(form);
        detail_free(&d);
        ctx_fail(&r->c, GX_EBADREQ, "Malformed form");
        return ui_fail(r);
    }
    const char *content = form_str(form, "body");
    const char *kind = form_str(form, "kind");
    json_t *in = json_object();
    json_object_set_new(in, "parent_type", json_string(d.e->name));
    json_object_set_new(in, "parent_id", json_integer(d.id));
    if (kind && *kind)
        json_object_set_new(in, "kind", json_string(kind));
    json_object_set_new(in, "body", json_string(content ? content : ""));
    /* the subject: the first line of the content, shortened */
    const char *subject = content && *content ? content : "";
    size_t cut = strcspn(subject, "\r\n");
    const char *p = subject;
    size_t chars = 0;
    while (p < subject + cut && chars < 40) {
        p++;
        while (p < subject + cut && ((unsigned char)*p & 0xC0) == 0x80)
            p++;
        chars++;
    }
    json_object_set_new(in, "subject", json_string(arena_strndup(&r->arena, subject, (size_t)(p - subject))));
    json_object_set_new(in, "occurred_at", json_string(ui_utc_string(r, time_now_ms() / 1000)));
    const char *contact = form_str(form, "contact_id");
    int64_t cid;
    if (contact && parse_i64(contact, &cid) && cid > 0)
        json_object_set_new(in, "contact_id", json_integer(cid));
    const char *next = form_str(form, "next_at");
    GxErr rc = GX_OK;
    if (next && *next) {
        const char *s = ui_datetime_from_input(r, next);
        if (s)
            json_object_set_new(in, "next_at", json_string(s));
        else
            rc = ctx_fail(&r->c, GX_EINVALID, "The next follow-up time is not valid");
    }
    json_t *out = NULL;
    if (!rc && (!content || !*content))
        rc = ctx_fail(&r->c, GX_EINVALID, "Write what happened before saving the follow-up");
    if (!rc)
        rc = record_create(&r->c, act, in, &out);
    json_decref(in);
    json_decref(out);
    json_decref(form);
    if (rc) {
        detail_free(&d);
        return ui_fail(r);
    }
    ui_flash(r, "activity");
    ui_redirect(r, arena_printf(&r->arena, "/app/%s/%lld#timeline", d.e->name, (long long)d.id));
    detail_free(&d);
}

/* ---------- inline edit ---------- */

/* The field {field} of the record, if it may be edited in place. */
static const Field *inline_field(Req *r, Detail *d)
{
    const Field *f = meta_field(d->e, http_param(r, "field"));
    if (!f || acl_field(&r->c, d->e, f->name) == FIELD_HIDDEN) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such field");
        ui_fail(r);
        return NULL;
    }
    return f;
}

/* The editing form of one field, with an optional message above it. */
static void inline_form(Req *r, Detail *d, const Field *f, json_t *vals, const char *version, const char *alert,
                        bool conflict, const char *field_error)
{
    Buf *o = &r->out;
    ui_html_headers(r);
    buf_htmlf(o,
              "<dd id=\"fv-%s\" class=\"editing\"><form class=\"inline-form\" hx-post=\"/app/%s/%lld/field/%s\" "
              "hx-target=\"#fv-%s\""
              " hx-swap=\"outerHTML\"><input type=\"hidden\" name=\"version\" value=\"%s\">",
              f->name, d->e->name, (long long)d->id, f->name, f->name, version ? version : "");
    if (alert) {
        buf_htmlf(o, "<div class=\"alert %s\" role=\"alert\">%s", conflict ? "warn" : "error", alert);
        if (conflict)
            buf_htmlf(o, " <a href=\"/app/%s/%lld\">%s</a>", d->e->name, (long long)d->id, T(r, "Reload"));
        buf_raw(o, "</div>");
    }
    form_control(r, d->e, f, vals, "in-");
    buf_htmlf(o, "<button class=\"btn primary small\" type=\"submit\">%s</button>", T(r, "Save"));
    buf_htmlf(o,
              "<button class=\"btn small\" type=\"button\" hx-get=\"/app/%s/%lld/field/%s?view=1\" hx-target=\"#fv-%s\""
              " hx-swap=\"outerHTML\">%s</button>",
              d->e->name, (long long)d->id, f->name, f->name, T(r, "Cancel"));
    if (field_error)
        buf_htmlf(o, "<small class=\"field-error\" role=\"alert\">%s</small>", ui_engine_msg(r, field_error));
    buf_raw(o, "</form></dd>");
}

/* Resolve the names a single record's links need. */
static void names_for(Req *r, Detail *d)
{
    d->names = ui_names_new();
    Col cols[80];
    int nc = all_cols(r, d->e, cols, 80);
    json_t *one = json_array();
    json_array_append(one, d->rec);
    ui_names_want_rows(d->names, d->e, cols, nc, one);
    json_decref(one);
    ui_names_resolve(r, d->names);
}

/* GET /app/{entity}/{id}/field/{field} — the editor (or, with ?view=1, the value). */
void ui_inline_get(Req *r)
{
    Detail d;
    if (!detail_load(r, &d))
        return;
    const Field *f = inline_field(r, &d);
    if (!f) {
        detail_free(&d);
        return;
    }
    names_for(r, &d);
    if (http_query(r, "view") || !inline_editable(r, &d, f)) {
        ui_html_headers(r);
        field_dd(r, &d, f);
        detail_free(&d);
        return;
    }
    json_t *vals = form_values_of(r, d.e, d.rec, d.names);
    /* the version the page was rendered with (hx-include of #rec-version) */
    const char *version = http_query(r, "version");
    inline_form(r, &d, f, vals,
                version
                    ? version
                    : arena_printf(&r->arena, "%lld", (long long)json_integer_value(json_object_get(d.rec, "version"))),
                NULL, false, NULL);
    json_decref(vals);
    detail_free(&d);
}

/* POST /app/{entity}/{id}/field/{field} — save one field with the version read. */
void ui_inline_post(Req *r)
{
    Detail d;
    if (!detail_load(r, &d))
        return;
    const Field *f = inline_field(r, &d);
    if (!f) {
        detail_free(&d);
        return;
    }
    json_t *form = http_form(r);
    if (!form || !inline_editable(r, &d, f)) {
        json_decref(form);
        detail_free(&d);
        ctx_fail(&r->c, GX_EDENIED, "You may not change this field");
        return ui_fail(r);
    }
    const char *version = form_str(form, "version");
    int64_t v;
    json_t *in = json_object(), *errors = json_object(), *out = NULL;
    GxErr rc = GX_OK;
    if (!parse_i64(version, &v))
        rc = ctx_fail(&r->c, GX_ECONFLICT, "Reload the page");
    else if (!form_field_input(r, f, form, in, errors))
        rc = ctx_fail(&r->c, GX_EINVALID, "Please correct the value");
    else {
        json_object_set_new(in, "version", json_integer(v));
        rc = record_update(&r->c, d.e, d.id, in, &out);
    }
    if (rc) {
        /* keep what was typed */
        const char *ferr = json_string_value(json_object_get(errors, f->name));
        if (!ferr)
            ferr = json_string_value(json_object_get(r->c.err_fields, f->name));
        if (!ferr && f->type == FT_PARENT)
            ferr = json_string_value(json_object_get(r->c.err_fields, arena_printf(&r->arena, "%s_id", f->name)));
        bool conflict = rc == GX_ECONFLICT && !ferr;
        const char *alert = conflict ? T(r, "Someone else changed this record. Reload to see the latest version.")
                            : ferr   ? NULL
                                     : ui_engine_msg(r, r->c.err_msg);
        ferr = ferr ? arena_strdup(&r->arena, ferr) : NULL;
        ctx_clear(&r->c);
        inline_form(r, &d, f, form, version, alert, conflict, ferr);
    } else {
        json_decref(d.rec);
        d.rec = out;
        out = NULL;
        names_for(r, &d);
        ui_html_headers(r);
        field_dd(r, &d, f);
        version_input(r, &d, true);
    }
    json_decref(out);
    json_decref(in);
    json_decref(errors);
    json_decref(form);
    detail_free(&d);
}
