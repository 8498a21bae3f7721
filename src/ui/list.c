/* list.c — the generic list page /app/{entity}: scenes (mine, my team's,
 * all, saved queries), quick search, the AND/OR filter builder (rendered by
 * app.js from metadata in data- attributes), sortable headers, pagination,
 * row selection with the bulk bar, and the lazy row count. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../modules/modules.h"
#include "../modules/pool.h"
#include "list.h"

/* ---------- state ---------- */

bool list_scene_allowed(Req *r, const Entity *e, const char *scene)
{
    if (!strcmp(scene, "all"))
        return true;
    if (!e->owned || !r->c.who)
        return false;
    Scope s = acl_scope(&r->c, e, ACT_READ);
    if (!strcmp(scene, "mine"))
        return s != SCOPE_NONE;
    if (!strcmp(scene, "team"))
        return s >= SCOPE_DEPT && r->c.who->ndept_tree > 0;
    return false;
}

const char *list_scene_default(Req *r, const Entity *e)
{
    if (!e->owned || !r->c.who)
        return "all";
    Scope s = acl_scope(&r->c, e, ACT_READ);
    if (s == SCOPE_OWN)
        return "mine";
    if ((s == SCOPE_DEPT || s == SCOPE_DEPT_TREE) && list_scene_allowed(r, e, "team"))
        return "team";
    return "all";
}

/* Default columns: the title, the fields marked "list", the owner. */
static void default_cols(Req *r, ListState *s)
{
    const Entity *e = s->e;
    if (e->title_field && ui_col(r, e, e->title_field, &s->cols[s->ncols]))
        s->ncols++;
    for (int i = 0; i < e->nfields && s->ncols < LIST_MAX_COLS - 2; i++) {
        const Field *f = &e->fields[i];
        if (!f->list || (e->title_field && !strcmp(f->name, e->title_field)))
            continue;
        if (ui_col(r, e, f->name, &s->cols[s->ncols]))
            s->ncols++;
    }
    if (e->owned && ui_col(r, e, "owner_id", &s->cols[s->ncols]))
        s->ncols++;
    if (ui_col(r, e, "updated_at", &s->cols[s->ncols]))
        s->ncols++;
}

/* Columns from "a,b,c" (unknown or hidden names are skipped); the title first. */
static void chosen_cols(Req *r, ListState *s, const char *text)
{
    const Entity *e = s->e;
    if (e->title_field && ui_col(r, e, e->title_field, &s->cols[s->ncols]))
        s->ncols++;
    const char *p = text;
    while (*p && s->ncols < LIST_MAX_COLS) {
        const char *comma = strchrnul(p, ',');
        char *name = arena_strndup(&r->arena, p, (size_t)(comma - p));
        Col c;
        bool dup = false;
        for (int i = 0; i < s->ncols; i++)
            dup |= !strcmp(s->cols[i].name, name);
        if (!dup && ui_col(r, e, name, &c) && (!c.f || c.f->type != FT_JSON))
            s->cols[s->ncols++] = c;
        p = *comma ? comma + 1 : comma;
    }
    if (s->ncols <= 1) {
        s->ncols = 0;
        default_cols(r, s);
    }
}

typedef struct ColParams {
    Req *r;
    Buf b; /* repeated col= values joined with commas */
} ColParams;

static void collect_col(void *ud, const char *key, const char *value)
{
    ColParams *cp = ud;
    if (strcmp(key, "col") || !value || !ident_ok(value))
        return;
    if (cp->b.len)
        buf_putc(&cp->b, ',');
    buf_raw(&cp->b, value);
}

bool list_state_read(Req *r, const Entity *e, ListState *s)
{
    *s = (ListState){.e = e, .limit = RECORD_LIMIT_DEFAULT};
    const char *v;
    int64_t n;
    if ((v = http_query(r, "limit")) && parse_i64(v, &n) && n >= 10 && n <= 200)
        s->limit = n;
    if ((v = http_query(r, "offset")) && parse_i64(v, &n) && n >= 0)
        s->offset = n;
    s->q = http_query(r, "q");
    if (s->q && !*s->q)
        s->q = NULL;
    s->sort = http_query(r, "sort");
    if (s->sort && !*s->sort)
        s->sort = NULL;
    s->scene = http_query(r, "scene");
    if ((v = http_query(r, "saved")) && parse_i64(v, &n) && n > 0) {
        s->saved = saved_query_get(r, e, n);
        if (!s->saved) {
            ctx_fail(&r->c, GX_ENOTFOUND, "No such saved query");
            ui_fail(r);
            return false;
        }
        s->saved_id = n;
        s->scene = "saved";
    } else if (!s->scene || !list_scene_allowed(r, e, s->scene)) {
        s->scene = list_scene_default(r, e);
    }
    s->filter_text = http_query(r, "filter");
    if (s->filter_text && !*s->filter_text)
        s->filter_text = NULL;
    if (!s->filter_text && s->saved) {
        json_t *f = json_object_get(s->saved, "filter");
        if (f && !json_is_null(f)) {
            char *t = json_dumps(f, JSON_COMPACT);
            s->filter_text = arena_strdup(&r->arena, t);
            free(t);
        }
    }
    if (!s->sort && s->saved) {
        const char *ss = json_string_value(json_object_get(s->saved, "sort"));
        if (ss && *ss)
            s->sort = ss;
    }
    if (s->filter_text) {
        json_error_t jerr;
        s->filter = json_loads(s->filter_text, 0, &jerr);
        if (!s->filter || !json_is_object(s->filter)) {
            json_decref(s->filter);
            s->filter = NULL;
            ctx_fail(&r->c, GX_EBADREQ, "The filter is not valid");
            ui_fail(r);
            return false;
        }
    }
    ColParams cp = {r};
    buf_init(&cp.b, &r->arena);
    http_query_each(r, collect_col, &cp);
    s->cols_text = cp.b.len ? cp.b.data : http_query(r, "cols");
    if (!s->cols_text && s->saved) {
        json_t *c = json_object_get(s->saved, "columns");
        if (json_is_array(c) && json_array_size(c)) {
            Buf b;
            buf_init(&b, &r->arena);
            size_t i;
            json_t *item;
            json_array_foreach(c, i, item)
            {
                if (!json_is_string(item))
                    continue;
                if (b.len)
                    buf_putc(&b, ',');
                buf_raw(&b, json_string_value(item));
            }
            s->cols_text = b.data;
        }
    }
    if (s->cols_text && *s->cols_text)
        chosen_cols(r, s, s->cols_text);
    else {
        s->cols_text = NULL;
        default_cols(r, s);
    }
    if (s->q && !ui_search_plan(e, s->q, &(ListQuery){0}, &s->search_where))
        s->search_q = s->q; /* no fast way for a short text here: the engine's substring search */
    else if (s->q && !s->search_where)
        s->search_q = s->q;
    return true;
}

void list_state_free(ListState *s)
{
    json_decref(s->filter);
    json_decref(s->saved);
    json_decref(s->search_where);
    s->filter = s->saved = s->search_where = NULL;
}

json_t *list_where(Req *r, const ListState *s)
{
    json_t *and = json_array();
    if (!strcmp(s->scene, "mine")) {
        json_array_append_new(
            and, json_pack("{s:s, s:s, s:I}", "field", "owner_id", "op", "eq", "value", (json_int_t)r->c.who->user_id));
    } else if (!strcmp(s->scene, "team")) {
        json_t *depts = json_array();
        for (int i = 0; i < r->c.who->ndept_tree; i++)
            json_array_append_new(depts, json_integer(r->c.who->dept_tree[i]));
        if (json_array_size(depts))
            json_array_append_new(and,
                                  json_pack("{s:s, s:s, s:o}", "field", "department_id", "op", "in", "value", depts));
        else {
            json_decref(depts);
            json_array_append_new(and, json_pack("{s:[]}", "or"));
        }
        json_array_append_new(
            and, json_pack("{s:s, s:s, s:I}", "field", "owner_id", "op", "ne", "value", (json_int_t)r->c.who->user_id));
    }
    if (s->filter)
        json_array_append(and, s->filter);
    if (s->search_where)
        json_array_append(and, s->search_where);
    if (!json_array_size(and)) {
        json_decref(and);
        return NULL;
    }
    return json_pack("{s:o}", "and", and);
}

const char *list_href(Req *r, const ListState *s, const char *key, const char *value)
{
    struct {
        const char *k, *v;
    } p[] = {
        {"scene", s->saved_id ? NULL : s->scene},
        {"saved", s->saved_id ? arena_printf(&r->arena, "%lld", (long long)s->saved_id) : NULL},
        {"q", s->q},
        {"filter", s->filter_text},
        {"sort", s->sort},
        {"cols", s->cols_text},
        {"limit", s->limit != RECORD_LIMIT_DEFAULT ? arena_printf(&r->arena, "%lld", (long long)s->limit) : NULL},
        {"offset", s->offset ? arena_printf(&r->arena, "%lld", (long long)s->offset) : NULL},
    };
    size_t np = sizeof p / sizeof p[0];
    if (key && strcmp(key, "offset"))
        p[np - 1].v = NULL;
    if (key && !strcmp(key, "scene")) {
        /* a scene replaces the saved query and its filter */
        p[1].v = NULL;
        p[3].v = NULL;
        p[4].v = NULL;
        p[5].v = NULL;
    }
    if (key && !strcmp(key, "saved")) {
        p[0].v = NULL;
        p[3].v = NULL;
        p[4].v = NULL;
        p[5].v = NULL;
    }
    Buf b;
    buf_init(&b, &r->arena);
    buf_printf(&b, "/app/%s", s->e->name);
    char sep = '?';
    for (size_t i = 0; i < np; i++) {
        const char *v = key && !strcmp(key, p[i].k) ? value : p[i].v;
        if (!v)
            continue;
        buf_putc(&b, sep);
        buf_raw(&b, p[i].k);
        buf_putc(&b, '=');
        buf_url(&b, v);
        sep = '&';
    }
    return b.data;
}

/* ---------- page parts ---------- */

static void page_head(Req *r, const ListState *s)
{
    const Entity *e = s->e;
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1><div class=\"actions\">", ui_label(r, &e->label));
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (f->board && (f->type == FT_ENUM || f->type == FT_LINK) && acl_field(&r->c, e, f->name) != FIELD_HIDDEN)
            buf_htmlf(o, "<a class=\"btn\" href=\"/app/%s/board/%s\">%s · %s</a>", e->name, f->name, T(r, "Board"),
                      ui_label(r, &f->label));
    }
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (f->calendar && (f->type == FT_DATE || f->type == FT_DATETIME) &&
            acl_field(&r->c, e, f->name) != FIELD_HIDDEN)
            buf_htmlf(o, "<a class=\"btn hide-sm\" href=\"/app/%s/calendar/%s\">%s · %s</a>", e->name, f->name,
                      T(r, "Calendar"), ui_label(r, &f->label));
    }
    if (acl_scope(&r->c, e, ACT_EXPORT) != SCOPE_NONE) {
        Buf u;
        buf_init(&u, &r->arena);
        buf_printf(&u, "/api/v1/%s/export?format=csv", e->name);
        json_t *where = list_where(r, s);
        if (where) {
            char *t = json_dumps(where, JSON_COMPACT);
            buf_raw(&u, "&filter=");
            buf_url(&u, t);
            free(t);
            json_decref(where);
        }
        if (s->search_q) {
            buf_raw(&u, "&q=");
            buf_url(&u, s->search_q);
        }
        if (s->sort) {
            buf_raw(&u, "&sort=");
            buf_url(&u, s->sort);
        }
        buf_htmlf(o, "<a class=\"btn\" href=\"%s\" download>%s</a>", u.data, T(r, "Export CSV"));
        /* The same list as an Excel workbook: only the format differs. */
        const char *xlsx = arena_printf(&r->arena, "/api/v1/%s/export?format=xlsx%s", e->name,
                                        u.data + strlen("/api/v1/") + strlen(e->name) + strlen("/export?format=csv"));
        buf_htmlf(o, "<a class=\"btn hide-sm\" href=\"%s\" download>%s</a>", xlsx, T(r, "Export Excel"));
    }
    if (acl_scope(&r->c, e, ACT_IMPORT) != SCOPE_NONE && !e->system) /* dupes_ui.c */
        buf_htmlf(o, "<a class=\"btn hide-sm\" href=\"/app/%s/import\">%s</a>", e->name, T(r, "Import"));
    if (acl_scope(&r->c, e, ACT_CREATE) != SCOPE_NONE)
        buf_htmlf(o, "<a class=\"btn primary\" href=\"/app/%s/new\">%s</a>", e->name,
                  arena_printf(&r->arena, T(r, "New %s"), ui_label(r, &e->singular)));
    buf_raw(o, "</div></div>");
}

static void scenes(Req *r, const ListState *s, json_t *saved)
{
    Buf *o = &r->out;
    static const struct {
        const char *id, *label;
    } all[] = {{"mine", N_("Mine")}, {"team", N_("My team's")}, {"all", N_("All")}};
    buf_htmlf(o, "<nav class=\"scenes\" aria-label=\"%s\">", T(r, "Scenes"));
    for (size_t i = 0; i < 3; i++) {
        if (!list_scene_allowed(r, s->e, all[i].id))
            continue;
        bool on = !s->saved_id && !strcmp(s->scene, all[i].id);
        buf_htmlf(o, "<a href=\"%s\"", list_href(r, s, "scene", all[i].id));
        buf_raw(o, on ? " class=\"on\" aria-current=\"true\">" : ">");
        buf_htmlf(o, "%s</a>", T(r, all[i].label));
    }
    size_t i;
    json_t *q;
    json_array_foreach(saved, i, q)
    {
        int64_t id = json_integer_value(json_object_get(q, "id"));
        bool fav = json_is_true(json_object_get(q, "favourite"));
        bool shared = json_is_true(json_object_get(q, "shared"));
        bool on = s->saved_id == id;
        buf_htmlf(o, "<a href=\"%s\" class=\"saved%s\"",
                  list_href(r, s, "saved", arena_printf(&r->arena, "%lld", (long long)id)), on ? " on" : "");
        buf_raw(o, on ? " aria-current=\"true\">" : ">");
        buf_htmlf(o, "%s%s%s</a>", fav ? "★ " : "", json_string_value(json_object_get(q, "name")),
                  shared ? T(r, " (shared)") : "");
    }
    buf_raw(o, "</nav>");
}

/* Hidden inputs carrying the state a GET form does not edit. */
static void state_inputs(Req *r, const ListState *s, bool with_filter, bool with_q)
{
    Buf *o = &r->out;
    if (s->saved_id)
        buf_htmlf(o, "<input type=\"hidden\" name=\"saved\" value=\"%lld\">", (long long)s->saved_id);
    else
        buf_htmlf(o, "<input type=\"hidden\" name=\"scene\" value=\"%s\">", s->scene);
    if (with_q && s->q)
        buf_htmlf(o, "<input type=\"hidden\" name=\"q\" value=\"%s\">", s->q);
    if (with_filter && s->filter_text)
        buf_htmlf(o, "<input type=\"hidden\" name=\"filter\" value=\"%s\">", s->filter_text);
    if (s->sort)
        buf_htmlf(o, "<input type=\"hidden\" name=\"sort\" value=\"%s\">", s->sort);
    if (s->cols_text)
        buf_htmlf(o, "<input type=\"hidden\" name=\"cols\" value=\"%s\">", s->cols_text);
    if (s->limit != RECORD_LIMIT_DEFAULT)
        buf_htmlf(o, "<input type=\"hidden\" name=\"limit\" value=\"%lld\">", (long long)s->limit);
}

/* Metadata the filter builder needs, as JSON for a data- attribute. */
static char *filter_fields_json(Req *r, const Entity *e)
{
    json_t *arr = json_array();
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (!f->filterable || f->write_only || f->type == FT_PARENT || f->type == FT_LINK_MULTIPLE ||
            f->type == FT_JSON || f->type == FT_ADDRESS || acl_field(&r->c, e, f->name) == FIELD_HIDDEN)
            continue;
        json_t *o = json_pack("{s:s, s:s, s:s}", "name", f->name, "label", ui_label(r, &f->label), "type",
                              meta_type_name(f->type));
        if (f->noptions) {
            json_t *opts = json_array();
            EnumLabel *el;
            int nel = enum_labels_options(&r->c, f, ui_en(r) ? "en" : "zh", &el);
            for (int k = 0; k < nel; k++)
                json_array_append_new(opts, json_pack("{s:s, s:s}", "value", el[k].value, "label", el[k].label));
            json_object_set_new(o, "options", opts);
        }
        if (f->target)
            json_object_set_new(o, "target", json_string(f->target));
        json_array_append_new(arr, o);
    }
    static const struct {
        const char *name, *type, *target;
    } common[] = {{"owner_id", "link", "users"}, {"created_at", "datetime", NULL}, {"updated_at", "datetime", NULL}};
    for (size_t i = 0; i < 3; i++) {
        Col c;
        if (!ui_col(r, e, common[i].name, &c))
            continue;
        json_t *o = json_pack("{s:s, s:s, s:s}", "name", c.name, "label", ui_col_label(r, &c), "type", common[i].type);
        if (common[i].target)
            json_object_set_new(o, "target", json_string(common[i].target));
        json_array_append_new(arr, o);
    }
    char *s = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    char *out = arena_strdup(&r->arena, s);
    free(s);
    return out;
}

/* Texts the builder shows, in the user's language. */
static char *filter_i18n_json(Req *r)
{
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
                  "s:s, s:s, s:s}",
                  "and", T(r, "All of"), "or", T(r, "Any of"), "add", T(r, "+ Condition"), "group", T(r, "+ Group"),
                  "remove", T(r, "Remove"), "eq", T(r, "equals"), "ne", T(r, "does not equal"), "lt", T(r, "less than"),
                  "le", T(r, "at most"), "gt", T(r, "greater than"), "ge", T(r, "at least"), "like", T(r, "contains"),
                  "in", T(r, "is one of"), "null", T(r, "is empty"), "empty", T(r, "empty"), "notempty",
                  T(r, "not empty"), "yes", T(r, "Yes"), "no", T(r, "No"), "me", T(r, "Me"), "search",
                  T(r, "Type to search…"), "value", T(r, "Value"), "comma", T(r, "Separate values with commas"));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    char *out = arena_strdup(&r->arena, s);
    free(s);
    return out;
}

static void tools(Req *r, const ListState *s)
{
    const Entity *e = s->e;
    Buf *o = &r->out;
    buf_htmlf(
        o, "<div class=\"list-tools\"><form method=\"get\" action=\"/app/%s\" class=\"quick-search\" role=\"search\">",
        e->name);
    state_inputs(r, s, true, false);
    buf_htmlf(o,
              "<input type=\"search\" name=\"q\" value=\"%s\" placeholder=\"%s\" aria-label=\"%s\" maxlength=\"100\">"
              "<button class=\"btn\" type=\"submit\">%s</button></form>",
              s->q ? s->q : "", T(r, "Search this list"), T(r, "Search this list"), T(r, "Search"));
    buf_htmlf(o,
              "<button type=\"button\" class=\"btn%s\" data-toggle=\"filter-panel\" aria-expanded=\"%s\">%s</button>",
              s->filter ? " active" : "", s->filter ? "true" : "false",
              s->filter ? T(r, "Filter (on)") : T(r, "Advanced filter"));
    /* column chooser */
    buf_htmlf(o,
              "<details class=\"menu cols-menu\"><summary class=\"btn\">%s</summary><form method=\"get\" "
              "action=\"/app/%s\" class=\"menu-list cols-form\">",
              T(r, "Columns"), e->name);
    state_inputs(r, s, true, true);
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        Col c;
        if ((e->title_field && !strcmp(f->name, e->title_field)) || f->type == FT_JSON || !ui_col(r, e, f->name, &c))
            continue;
        bool on = false;
        for (int k = 0; k < s->ncols; k++)
            on |= !strcmp(s->cols[k].name, f->name);
        buf_htmlf(o, "<label class=\"check\"><input type=\"checkbox\" name=\"col\" value=\"%s\"%s> %s</label>", f->name,
                  on ? " checked" : "", ui_label(r, &f->label));
    }
    static const char *common[] = {"owner_id", "created_at", "updated_at", NULL};
    for (int i = 0; common[i]; i++) {
        Col c;
        if (!ui_col(r, e, common[i], &c))
            continue;
        bool on = false;
        for (int k = 0; k < s->ncols; k++)
            on |= !strcmp(s->cols[k].name, common[i]);
        buf_htmlf(o, "<label class=\"check\"><input type=\"checkbox\" name=\"col\" value=\"%s\"%s> %s</label>",
                  common[i], on ? " checked" : "", ui_col_label(r, &c));
    }
    buf_htmlf(o, "<button class=\"btn primary\" type=\"submit\">%s</button></form></details></div>", T(r, "Apply"));

    /* the filter builder: app.js renders it from the data- attributes */
    buf_htmlf(o, "<section class=\"filter-panel card\" id=\"filter-panel\"%s>", s->filter ? "" : " hidden");
    buf_htmlf(o, "<form method=\"get\" action=\"/app/%s\" class=\"filter-form\" data-filter-form>", e->name);
    state_inputs(r, s, false, true);
    buf_htmlf(o, "<input type=\"hidden\" name=\"filter\" value=\"%s\">", s->filter_text ? s->filter_text : "");
    buf_htmlf(o,
              "<div class=\"filter-builder\" data-filter-builder data-entity=\"%s\" data-fields=\"%s\" "
              "data-i18n=\"%s\" data-me=\"%lld\" data-tz=\"%d\">",
              e->name, filter_fields_json(r, e), filter_i18n_json(r), (long long)r->c.who->user_id, ui_tz_offset(r));
    buf_htmlf(o, "<noscript>%s</noscript></div>", T(r, "The filter builder needs JavaScript."));
    buf_htmlf(o, "<div class=\"form-actions\"><button class=\"btn primary\" type=\"submit\">%s</button>",
              T(r, "Apply filter"));
    if (s->filter)
        buf_htmlf(o, "<a class=\"btn\" href=\"%s\">%s</a>", list_href(r, s, "filter", NULL), T(r, "Clear filter"));
    buf_raw(o, "</div></form>");
    /* save the current view as a query */
    buf_htmlf(o, "<form method=\"post\" action=\"/app/%s/saved\" class=\"save-query\">", e->name);
    ui_csrf_field(r);
    if (s->filter_text)
        buf_htmlf(o, "<input type=\"hidden\" name=\"filter\" value=\"%s\">", s->filter_text);
    if (s->sort)
        buf_htmlf(o, "<input type=\"hidden\" name=\"sort\" value=\"%s\">", s->sort);
    if (s->cols_text)
        buf_htmlf(o, "<input type=\"hidden\" name=\"cols\" value=\"%s\">", s->cols_text);
    buf_htmlf(o,
              "<label class=\"field inline\"><span>%s</span><input name=\"name\" maxlength=\"60\" required "
              "placeholder=\"%s\"></label>"
              "<label class=\"check\"><input type=\"checkbox\" name=\"shared\" value=\"true\"> %s</label>"
              "<label class=\"check\"><input type=\"checkbox\" name=\"favourite\" value=\"true\"> %s</label>"
              "<button class=\"btn\" type=\"submit\">%s</button></form>",
              T(r, "Save as query"), T(r, "Query name"), T(r, "Share with everyone"), T(r, "Favourite"),
              T(r, "Save query"));
    if (s->saved && json_integer_value(json_object_get(s->saved, "owner_id")) == r->c.who->user_id) {
        bool fav = json_is_true(json_object_get(s->saved, "favourite"));
        buf_htmlf(o, "<div class=\"saved-actions\"><form method=\"post\" action=\"/app/saved/%lld/favourite\">",
                  (long long)s->saved_id);
        ui_csrf_field(r);
        buf_htmlf(o, "<button class=\"btn\" type=\"submit\">%s</button></form>",
                  fav ? T(r, "Remove from favourites") : T(r, "Add to favourites"));
        buf_htmlf(o, "<form method=\"post\" action=\"/app/saved/%lld/delete\" data-confirm=\"%s\">",
                  (long long)s->saved_id, T(r, "Delete this saved query?"));
        ui_csrf_field(r);
        buf_htmlf(o, "<button class=\"btn danger\" type=\"submit\">%s</button></form></div>", T(r, "Delete query"));
    }
    buf_raw(o, "</section>");
}

/* The bulk bar shown when rows are selected (app.js). */
static void bulk_bar(Req *r, const ListState *s, const char *back)
{
    const Entity *e = s->e;
    Buf *o = &r->out;
    buf_htmlf(o, "<form method=\"post\" action=\"/app/%s/bulk\" id=\"bulk-form\" class=\"bulkbar\" hidden data-bulk>",
              e->name);
    ui_csrf_field(r);
    buf_htmlf(o, "<input type=\"hidden\" name=\"back\" value=\"%s\">", back);
    buf_htmlf(o, "<span class=\"bulk-count\" data-bulk-count data-template=\"%s\"></span>", T(r, "%n selected"));
    if (e->owned && acl_scope(&r->c, e, ACT_ASSIGN) != SCOPE_NONE) {
        buf_htmlf(o, "<details class=\"menu\"><summary class=\"btn\">%s</summary><div class=\"menu-list pad\">",
                  T(r, "Transfer"));
        buf_htmlf(
            o,
            "<div class=\"link-search\" data-link-search><input type=\"hidden\" name=\"owner_id\" data-link-value>"
            "<input type=\"search\" autocomplete=\"off\" placeholder=\"%s\" aria-label=\"%s\" data-link-text"
            " name=\"q\" form=\"no-form\" hx-get=\"/app/users/options\" hx-trigger=\"input changed delay:200ms, focus\""
            " hx-target=\"next .link-options\" hx-sync=\"this:replace\"><div class=\"link-options\" "
            "role=\"listbox\"></div></div>",
            T(r, "New owner"), T(r, "New owner"));
        buf_htmlf(o, "<button class=\"btn primary\" name=\"action\" value=\"assign\">%s</button></div></details>",
                  T(r, "Transfer"));
    }
    if (!strcmp(e->name, "customers") && meta_entity("pools") && acl_scope(&r->c, e, ACT_EDIT) != SCOPE_NONE) {
        /* 放入公海 (ui/pool.c does one; the module checks each record) */
        buf_htmlf(o,
                  "<details class=\"menu\"><summary class=\"btn\">%s</summary><div class=\"menu-list pad stack\">"
                  "<label>%s<input name=\"reason\" maxlength=\"500\"></label>"
                  "<button class=\"btn primary\" name=\"action\" value=\"release\">%s</button></div></details>",
                  T(r, "Release to pool"), T(r, "Reason"), T(r, "Release to pool"));
    }
    if (!strcmp(e->name, "leads"))
        ui_leads_bulk_actions(r); /* 转化 (leads.c) */
    if (acl_scope(&r->c, e, ACT_DELETE) != SCOPE_NONE)
        buf_htmlf(o, "<button class=\"btn danger\" name=\"action\" value=\"delete\" data-confirm=\"%s\">%s</button>",
                  T(r, "Delete the selected records?"), T(r, "Delete"));
    if (acl_scope(&r->c, e, ACT_EXPORT) != SCOPE_NONE)
        buf_htmlf(o, "<a class=\"btn\" data-export-selected href=\"/api/v1/%s/export?format=csv\" download>%s</a>",
                  e->name, T(r, "Export selected"));
    buf_htmlf(o, "<button type=\"button\" class=\"btn\" data-bulk-clear>%s</button></form>", T(r, "Clear selection"));
}

static void table(Req *r, const ListState *s, json_t *rows, json_t *names)
{
    const Entity *e = s->e;
    Buf *o = &r->out;
    buf_htmlf(o,
              "<div class=\"table-wrap\"><table class=\"grid cards-sm\"><thead><tr><th class=\"sel\"><input "
              "type=\"checkbox\" data-select-all aria-label=\"%s\"></th>",
              T(r, "Select all"));
    for (int i = 0; i < s->ncols; i++) {
        const Col *c = &s->cols[i];
        bool num = ui_col_numeric(c);
        if (!ui_col_sortable(c)) {
            buf_raw(o, num ? "<th class=\"num\">" : "<th>");
            buf_htmlf(o, "%s</th>", ui_col_label(r, c));
            continue;
        }
        const char *cur = s->sort ? s->sort : "-updated_at";
        bool asc = !strcmp(cur, c->name), desc = cur[0] == '-' && !strcmp(cur + 1, c->name);
        const char *next = asc ? arena_printf(&r->arena, "-%s", c->name) : c->name;
        buf_htmlf(o,
                  "<th class=\"sortable%s\" aria-sort=\"%s\"><a href=\"%s\">%s<span class=\"arrow\" "
                  "aria-hidden=\"true\">%s</span></a></th>",
                  num ? " num" : "",
                  asc    ? "ascending"
                  : desc ? "descending"
                         : "none",
                  list_href(r, s, "sort", next), ui_col_label(r, c),
                  asc    ? "▲"
                  : desc ? "▼"
                         : "");
    }
    buf_raw(o, "</tr></thead><tbody>");
    size_t i;
    json_t *rec;
    json_array_foreach(rows, i, rec)
    {
        if ((int64_t)i >= s->limit)
            break;
        long long id = (long long)json_integer_value(json_object_get(rec, "id"));
        buf_htmlf(o,
                  "<tr><td class=\"sel\"><input type=\"checkbox\" name=\"ids\" value=\"%lld\" form=\"bulk-form\" "
                  "aria-label=\"%s\"></td>",
                  id, T(r, "Select"));
        for (int k = 0; k < s->ncols; k++) {
            const Col *c = &s->cols[k];
            buf_htmlf(o, "<td data-label=\"%s\"", ui_col_label(r, c));
            buf_raw(o, ui_col_numeric(c) ? " class=\"num\">" : ">");
            if (k == 0 && e->title_field && !strcmp(c->name, e->title_field))
                buf_htmlf(o, "<a class=\"title-link\" href=\"/app/%s/%lld\">%s</a>", e->name, id, ui_title(r, e, rec));
            else
                ui_value(r, o, c, rec, names);
            buf_raw(o, "</td>");
        }
        buf_raw(o, "</tr>");
    }
    buf_raw(o, "</tbody></table></div>");
}

static void empty_state(Req *r, const ListState *s)
{
    const Entity *e = s->e;
    Buf *o = &r->out;
    const char *label = ui_label(r, &e->label);
    buf_raw(o, "<div class=\"empty\">");
    if (s->filter || s->q) {
        buf_htmlf(o, "<p>%s</p>", arena_printf(&r->arena, T(r, "No %s match — "), label));
        buf_htmlf(o, "<a href=\"%s\">%s</a>", arena_printf(&r->arena, "/app/%s?scene=%s", e->name, s->scene),
                  T(r, "clear the search and filter"));
    } else {
        buf_htmlf(o, "<p>%s</p>", arena_printf(&r->arena, T(r, "No %s yet — "), label));
        if (acl_scope(&r->c, e, ACT_CREATE) != SCOPE_NONE)
            buf_htmlf(o, "<a class=\"btn primary\" href=\"/app/%s/new\">%s</a>", e->name,
                      arena_printf(&r->arena, T(r, "New %s"), ui_label(r, &e->singular)));
        if (!strcmp(s->scene, "mine") && list_scene_allowed(r, e, "all"))
            buf_htmlf(o, " <a href=\"%s\">%s</a>", list_href(r, s, "scene", "all"), T(r, "or see all"));
    }
    buf_raw(o, "</div>");
}

static void pager(Req *r, const ListState *s, size_t got)
{
    Buf *o = &r->out;
    bool more = (int64_t)got > s->limit;
    int64_t shown = more ? s->limit : (int64_t)got;
    buf_raw(o, "<nav class=\"pager\">");
    if (shown) {
        buf_raw(o, "<span class=\"range\">");
        ui_int(o, s->offset + 1);
        buf_raw(o, "–");
        ui_int(o, s->offset + shown);
        buf_raw(o, "</span>");
    }
    /* The total costs a count over the whole result: fetched after the page. */
    if (s->offset == 0 && !more)
        buf_htmlf(o, " <span class=\"total\">%s</span>", arena_printf(&r->arena, T(r, "of %lld"), (long long)shown));
    else {
        const char *qs = strchr(list_href(r, s, NULL, NULL), '?');
        buf_htmlf(o, " <span class=\"total\" hx-get=\"%s\" hx-trigger=\"load\" hx-swap=\"innerHTML\"></span>",
                  arena_printf(&r->arena, "/app/%s/count%s", s->e->name, qs ? qs : ""));
    }
    buf_raw(o, "<span class=\"pages\">");
    if (s->offset > 0) {
        int64_t prev = s->offset - s->limit < 0 ? 0 : s->offset - s->limit;
        buf_htmlf(o, "<a class=\"btn\" rel=\"prev\" href=\"%s\">%s</a>",
                  list_href(r, s, "offset", prev ? arena_printf(&r->arena, "%lld", (long long)prev) : NULL),
                  T(r, "‹ Previous"));
    }
    if (more)
        buf_htmlf(o, "<a class=\"btn\" rel=\"next\" href=\"%s\">%s</a>",
                  list_href(r, s, "offset", arena_printf(&r->arena, "%lld", (long long)(s->offset + s->limit))),
                  T(r, "Next ›"));
    buf_raw(o, "</span>");
    static const int sizes[] = {20, 50, 100};
    buf_raw(o, "<span class=\"sizes\">");
    for (int i = 0; i < 3; i++) {
        if (sizes[i] == s->limit)
            buf_htmlf(o, "<b>%d</b>", sizes[i]);
        else
            buf_htmlf(o, "<a href=\"%s\">%d</a>", list_href(r, s, "limit", arena_printf(&r->arena, "%d", sizes[i])),
                      sizes[i]);
    }
    buf_htmlf(o, " %s</span></nav>", T(r, "per page"));
}

/* The query for the rows of s (limit + 1 to know whether a next page exists). */
static GxErr list_rows(Req *r, const ListState *s, json_t **rows, json_t **where)
{
    *where = list_where(r, s);
    ListQuery lq = {.where = *where,
                    .sort = s->sort,
                    .q = s->search_q,
                    .limit = s->limit + 1,
                    .offset = s->offset,
                    .action = ACT_READ};
    return record_list(&r->c, s->e, &lq, rows, NULL);
}

void ui_list_page(Req *r)
{
    const Entity *e = ui_entity(r);
    if (!e)
        return;
    ListState s;
    if (!list_state_read(r, e, &s))
        return;
    json_t *rows = NULL, *where = NULL;
    GxErr rc = list_rows(r, &s, &rows, &where);
    json_decref(where);
    const char *problem = NULL;
    if (rc == GX_EBADREQ) {
        /* a bad filter or sort: show the page with the message, no rows */
        problem = r->c.err_msg;
        ctx_clear(&r->c);
        rows = json_array();
    } else if (rc) {
        list_state_free(&s);
        return ui_fail(r);
    }
    json_t *names = ui_names_new();
    ui_names_want_rows(names, e, s.cols, s.ncols, rows);
    ui_names_resolve(r, names);
    json_t *saved = saved_queries_for(r, e);

    Page p = {.title = ui_label(r, &e->label), .nav = e->name};
    ui_begin(r, &p);
    page_head(r, &s);
    scenes(r, &s, saved);
    tools(r, &s);
    if (problem)
        buf_htmlf(&r->out, "<div class=\"alert error\" role=\"alert\">%s %s</div>",
                  T(r, "The filter could not be used:"), problem);
    if (s.search_where)
        buf_htmlf(&r->out, "<p class=\"hint\">%s</p>",
                  T(r, "Short searches match the beginning of names; type three characters to search everywhere."));
    if (json_array_size(rows)) {
        bulk_bar(r, &s, list_href(r, &s, NULL, NULL));
        table(r, &s, rows, names);
        pager(r, &s, json_array_size(rows));
    } else if (!problem) {
        empty_state(r, &s);
    }
    ui_end(r, &p);
    json_decref(saved);
    json_decref(names);
    json_decref(rows);
    list_state_free(&s);
}

/* GET /app/{entity}/count — "of 1,234", loaded after the list page. */
void ui_list_count(Req *r)
{
    const Entity *e = ui_entity(r);
    if (!e)
        return;
    ListState s;
    if (!list_state_read(r, e, &s))
        return;
    json_t *where = list_where(r, &s);
    ListQuery lq = {.where = where, .q = s.search_q, .limit = 1, .count = true, .action = ACT_READ};
    json_t *rows = NULL;
    int64_t total = -1;
    GxErr rc = record_list(&r->c, e, &lq, &rows, &total);
    json_decref(rows);
    json_decref(where);
    list_state_free(&s);
    ui_html_headers(r);
    if (rc) {
        ctx_clear(&r->c);
        return;
    }
    Buf num;
    buf_init(&num, &r->arena);
    ui_int(&num, total);
    buf_htmlf(&r->out, T(r, "of %s"), num.data);
}

/* POST /app/{entity}/bulk — delete or transfer the selected rows. */
void ui_list_bulk(Req *r)
{
    const Entity *e = ui_entity(r);
    if (!e)
        return;
    json_t *form = http_form(r);
    if (!form) {
        ctx_fail(&r->c, GX_EBADREQ, "Malformed form");
        return ui_fail(r);
    }
    const char *action = json_string_value(json_object_get(form, "action"));
    action = action ? arena_strdup(&r->arena, action) : NULL; /* outlives form */
    const char *back = json_string_value(json_object_get(form, "back"));
    back = back && back[0] == '/' && back[1] != '/' ? arena_strdup(&r->arena, back)
                                                    : arena_printf(&r->arena, "/app/%s", e->name);
    json_t *ids = json_object_get(form, "ids");
    json_t *list = json_array();
    if (json_is_string(ids))
        json_array_append(list, ids);
    else if (json_is_array(ids))
        json_array_extend(list, ids);
    int64_t owner = 0;
    if (action && !strcmp(action, "assign") &&
        !parse_i64(json_string_value(json_object_get(form, "owner_id")), &owner)) {
        json_decref(list);
        json_decref(form);
        ctx_fail(&r->c, GX_EBADREQ, "Choose the new owner first");
        return ui_fail(r);
    }
    const char *reason = json_string_value(json_object_get(form, "reason"));
    reason = reason ? arena_strdup(&r->arena, reason) : NULL;
    if (action && !strcmp(action, "release") && (!reason || !*reason)) {
        json_decref(list);
        json_decref(form);
        ctx_fail(&r->c, GX_EINVALID, "%s", T(r, "Say why the customers go back to the pool"));
        return ui_fail(r);
    }
    if (!action || (strcmp(action, "delete") && strcmp(action, "assign") && strcmp(action, "release"))) {
        json_decref(list);
        json_decref(form);
        ctx_fail(&r->c, GX_EBADREQ, "Unknown action");
        return ui_fail(r);
    }
    long long done = 0;
    size_t total = json_array_size(list);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        int64_t id;
        if (!parse_i64(json_string_value(v), &id) || id <= 0)
            continue;
        GxErr rc;
        if (!strcmp(action, "delete")) {
            rc = record_delete(&r->c, e, id);
        } else if (!strcmp(action, "release")) {
            json_t *out = NULL;
            rc = pool_release(&r->c, id, 0, reason, &out);
            json_decref(out);
        } else {
            json_t *old = NULL, *out = NULL;
            rc = record_get(&r->c, e, id, &old);
            if (!rc) {
                json_t *in =
                    json_pack("{s:I, s:O}", "owner_id", (json_int_t)owner, "version", json_object_get(old, "version"));
                rc = record_update(&r->c, e, id, in, &out);
                json_decref(in);
            }
            json_decref(old);
            json_decref(out);
        }
        if (!rc)
            done++;
        ctx_clear(&r->c);
    }
    json_decref(list);
    json_decref(form);
    if ((size_t)done < total)
        ui_flash(r, arena_printf(&r->arena, "bulk_partial.%lld", done));
    else
        ui_flash(
            r, arena_printf(&r->arena, "%s.%lld",
                            !strcmp(action, "delete")    ? "bulk_deleted"
                            : !strcmp(action, "release") ? "bulk_released"
                                                         : "bulk_assigned",
                            done));
    ui_redirect(r, back);
}
