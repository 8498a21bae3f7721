/* kanban.c — the board /app/{entity}/board/{field} for fields marked
 * "board": an enum (a column per option) or a link to a settings list (a
 * column per active row of the list, in its "sort" order — opportunities by
 * stage_id), each with its count (and the sum of the entity's first money
 * field); cards are dragged between columns with SortableJS and app.js posts
 * each move with the card's version to /board/{field}/move. A field with
 * "board_ask" names a field the board asks for when a card moves into a
 * column whose record matches "when" (the reason of a won or lost deal). */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../modules/modules.h"
#include "form.h"
#include "list.h"

#define CARDS_PER_COLUMN 50

/* One column of a board. */
typedef struct BoardCol {
    const char *value; /* the stored value as text: the enum option, or the linked record's id */
    const char *label; /* shown */
    bool ask;          /* a move here asks for the field's board_ask */
    int tag;           /* colour of the column's tag */
} BoardCol;

/* Is f a field a board can show? */
static bool board_kind_ok(const Field *f)
{
    return f && f->board && (f->type == FT_ENUM || (f->type == FT_LINK && f->target && meta_entity(f->target)));
}

/* Does a linked record match the field's board_when ({field: [values]})? */
static bool ask_matches(const Field *f, json_t *rec)
{
    if (!f->board_ask || !json_is_object(f->board_when))
        return false;
    const char *key;
    json_t *values;
    json_object_foreach(f->board_when, key, values)
    {
        json_t *v = json_object_get(rec, key);
        bool any = false;
        size_t i;
        json_t *x;
        json_array_foreach(values, i, x) any |= json_equal(x, v);
        if (!any)
            return false;
    }
    return true;
}

/* The columns of a board field: the options of an enum, or the active rows
 * of the linked settings list ordered by "sort" (at most 30). *n receives
 * the count; the array lives in the request arena. */
static BoardCol *board_columns(Req *r, const Field *f, int *n)
{
    *n = 0;
    if (f->type == FT_ENUM) {
        /* in the pick list's order, with the administrator's labels */
        EnumLabel *el;
        int nel = enum_labels_options(&r->c, f, ui_en(r) ? "en" : "zh", &el);
        BoardCol *cols = arena_calloc(&r->arena, (size_t)nel + 1, sizeof *cols);
        for (int i = 0; i < nel; i++)
            cols[(*n)++] = (BoardCol){el[i].value, el[i].label, false, el[i].index};
        return cols;
    }
    const Entity *t = meta_entity(f->target);
    json_t *where = meta_field(t, "active") ? json_pack("{s:s, s:s, s:b}", "field", "active", "op", "eq", "value", 1)
                                            : NULL;
    ListQuery lq = {.where = where, .sort = meta_field(t, "sort") ? "sort,id" : "id", .limit = 30, .action = ACT_READ};
    json_t *rows = NULL;
    if (record_list(&r->c, t, &lq, &rows, NULL)) {
        ctx_clear(&r->c);
        rows = json_array();
    }
    json_decref(where);
    BoardCol *cols = arena_calloc(&r->arena, json_array_size(rows) + 1, sizeof *cols);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        cols[*n].value = arena_printf(&r->arena, "%lld", (long long)json_integer_value(json_object_get(row, "id")));
        cols[*n].label = arena_strdup(&r->arena, ui_title(r, t, row));
        cols[*n].ask = ask_matches(f, row);
        cols[*n].tag = *n;
        (*n)++;
    }
    json_decref(rows);
    return cols;
}

/* The filter condition "f = value" (value as text; ids become integers). */
static json_t *board_cond(const Field *f, const char *value)
{
    if (!value)
        return json_pack("{s:s, s:s, s:b}", "field", f->name, "op", "null", "value", 1);
    int64_t id;
    if (f->type == FT_LINK && parse_i64(value, &id))
        return json_pack("{s:s, s:s, s:I}", "field", f->name, "op", "eq", "value", (json_int_t)id);
    return json_pack("{s:s, s:s, s:s}", "field", f->name, "op", "eq", "value", value);
}

/* The board field of the {field} capture; renders 404 when it is not one. */
static const Field *board_field(Req *r, const Entity *e)
{
    const Field *f = meta_field(e, http_param(r, "field"));
    if (!f || !board_kind_ok(f) || acl_field(&r->c, e, f->name) == FIELD_HIDDEN) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such board");
        ui_fail(r);
        return NULL;
    }
    return f;
}

/* The first money field the user may see, summed per column. */
static const Field *money_field(Req *r, const Entity *e)
{
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].type == FT_MONEY && acl_field(&r->c, e, e->fields[i].name) != FIELD_HIDDEN)
            return &e->fields[i];
    return NULL;
}

/* One column: option value (NULL for "not set"), its cards. */
static void column(Req *r, const ListState *s, const Field *f, const Field *money, const BoardCol *bc, int tag,
                   Col *cols, int ncols, bool can_move)
{
    const Entity *e = s->e;
    Buf *o = &r->out;
    const char *value = bc->value, *label = bc->label;
    json_t *base = list_where(r, s);
    json_t *cond = board_cond(f, value);
    json_t *where = base ? json_pack("{s:[o, o]}", "and", base, cond) : cond;
    ListQuery lq = {
        .where = where, .q = s->search_q, .sort = "-updated_at", .limit = CARDS_PER_COLUMN, .action = ACT_READ};
    json_t *rows = NULL;
    if (record_list(&r->c, e, &lq, &rows, NULL)) {
        ctx_clear(&r->c);
        rows = json_array();
    }
    json_decref(where);
    if (!value && !json_array_size(rows)) {
        json_decref(rows);
        return; /* no "not set" column unless it has cards */
    }
    json_t *names = ui_names_new();
    ui_names_want_rows(names, e, cols, ncols, rows);
    ui_names_resolve(r, names);
    /* The count and sum cover the whole column, not only the cards shown;
     * on big tables they cost a scan, so they are fetched after the page. */
    Buf totals;
    buf_init(&totals, &r->arena);
    buf_printf(&totals, "/app/%s/board/%s/totals?scene=", e->name, f->name);
    buf_url(&totals, s->scene);
    if (s->saved_id)
        buf_printf(&totals, "&saved=%lld", (long long)s->saved_id);
    if (value) {
        buf_raw(&totals, "&value=");
        buf_url(&totals, value);
    }
    if (s->q) {
        buf_raw(&totals, "&q=");
        buf_url(&totals, s->q);
    }
    if (s->filter_text) {
        buf_raw(&totals, "&filter=");
        buf_url(&totals, s->filter_text);
    }
    const Field *af = f->board_ask && bc->ask ? meta_field(e, f->board_ask) : NULL;
    if (af)
        buf_htmlf(o, "<section class=\"kanban-col\" data-ask=\"%s\" data-ask-label=\"%s\"", af->name,
                  arena_printf(&r->arena, T(r, "%s — required to move the card to %s:"), ui_label(r, &af->label), label));
    else
        buf_raw(o, "<section class=\"kanban-col\"");
    buf_htmlf(o,
              " data-value=\"%s\"><header><h2><span class=\"tag t%d\">%s</span>"
              "<span class=\"col-stats\" hx-get=\"%s\" hx-trigger=\"load\" hx-swap=\"outerHTML\"><span "
              "class=\"count\">…</span></span></h2>",
              value ? value : "", tag % 8, label, totals.data);
    if (money)
        buf_htmlf(o, "<div class=\"sum\">%s <span class=\"col-sum\" data-col-sum-for=\"%s\">…</span></div>",
                  ui_label(r, &money->label), value ? value : "");
    buf_raw(o, "</header>");
    buf_raw(o, can_move && value ? "<ul class=\"kanban-cards\" data-cards>" : "<ul class=\"kanban-cards\">");
    size_t i;
    json_t *rec;
    json_array_foreach(rows, i, rec)
    {
        long long id = (long long)json_integer_value(json_object_get(rec, "id"));
        long long amount = money ? (long long)json_integer_value(json_object_get(rec, money->name)) : 0;
        buf_htmlf(o,
                  "<li class=\"kanban-card\" data-id=\"%lld\" data-version=\"%lld\" data-amount=\"%lld\"><a "
                  "href=\"/app/%s/%lld\">%s</a><div class=\"meta\">",
                  id, (long long)json_integer_value(json_object_get(rec, "version")), amount, e->name, id,
                  ui_title(r, e, rec));
        for (int k = 0; k < ncols; k++) {
            Buf v;
            buf_init(&v, &r->arena);
            ui_value(r, &v, &cols[k], rec, names);
            if (v.len)
                buf_htmlf(o, "<span title=\"%s\">", ui_col_label(r, &cols[k]));
            if (v.len) {
                buf_raw(o, v.data);
                buf_raw(o, "</span>");
            }
        }
        buf_raw(o, "</div></li>");
    }
    buf_raw(o, "</ul>");
    if (json_array_size(rows) >= CARDS_PER_COLUMN)
        buf_htmlf(o, "<p class=\"kanban-more\">%s</p>",
                  arena_printf(&r->arena, T(r, "Showing the %d most recently updated."), CARDS_PER_COLUMN));
    buf_raw(o, "</section>");
    json_decref(names);
    json_decref(rows);
}

void ui_kanban(Req *r)
{
    const Entity *e = ui_entity(r);
    if (!e)
        return;
    const Field *f = board_field(r, e);
    if (!f)
        return;
    ListState s;
    if (!list_state_read(r, e, &s))
        return;
    const Field *money = money_field(r, e);
    /* up to three small facts per card: listed fields other than the title and the board field */
    Col cols[4];
    int nc = 0;
    for (int i = 0; i < e->nfields && nc < 3; i++) {
        const Field *x = &e->fields[i];
        if (!x->list || x == f || (e->title_field && !strcmp(x->name, e->title_field)) || x->type == FT_PARENT)
            continue;
        if (ui_col(r, e, x->name, &cols[nc]))
            nc++;
    }
    bool money_shown = false;
    for (int i = 0; i < nc; i++)
        money_shown |= money && cols[i].f == money;
    if (money && !money_shown && nc < 4 && ui_col(r, e, money->name, &cols[nc]))
        nc++;
    if (e->owned && nc < 4 && ui_col(r, e, "owner_id", &cols[nc]))
        nc++;
    bool can_move = acl_scope(&r->c, e, ACT_EDIT) != SCOPE_NONE && form_field_writable(r, e, f, false);

    const char *title = arena_printf(&r->arena, "%s · %s", ui_label(r, &e->label), ui_label(r, &f->label));
    Page p = {.title = title, .nav = e->name, .script = "vendor/Sortable.min.js"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o,
              "<div class=\"page-head\"><div><div class=\"crumbs muted\"><a "
              "href=\"/app/%s\">%s</a></div><h1>%s</h1></div><div class=\"actions\">",
              e->name, ui_label(r, &e->label), title);
    buf_htmlf(o, "<a class=\"btn\" href=\"/app/%s?scene=%s\">%s</a>", e->name, s.scene, T(r, "List"));
    if (acl_scope(&r->c, e, ACT_CREATE) != SCOPE_NONE)
        buf_htmlf(o, "<a class=\"btn primary\" href=\"/app/%s/new\">%s</a>", e->name,
                  arena_printf(&r->arena, T(r, "New %s"), ui_label(r, &e->singular)));
    buf_raw(o, "</div></div>");
    /* scenes */
    static const struct {
        const char *id, *label;
    } scenes[] = {{"mine", N_("Mine")}, {"team", N_("My team's")}, {"all", N_("All")}};
    buf_htmlf(o, "<nav class=\"scenes\" aria-label=\"%s\">", T(r, "Scenes"));
    for (int i = 0; i < 3; i++) {
        if (!list_scene_allowed(r, e, scenes[i].id))
            continue;
        buf_htmlf(o, "<a href=\"/app/%s/board/%s?scene=%s\"", e->name, f->name, scenes[i].id);
        buf_raw(o, !strcmp(s.scene, scenes[i].id) ? " class=\"on\" aria-current=\"true\">" : ">");
        buf_htmlf(o, "%s</a>", T(r, scenes[i].label));
    }
    buf_raw(o, "</nav>");
    buf_htmlf(o,
              "<div class=\"alert error kanban-error\" data-board-error hidden role=\"alert\">%s <span></span></div>",
              T(r, "The card could not be moved:"));
    buf_htmlf(o, "<div class=\"kanban\" data-kanban data-move-url=\"/app/%s/board/%s/move\">", e->name, f->name);
    int ncol;
    BoardCol *bcs = board_columns(r, f, &ncol);
    for (int i = 0; i < ncol; i++)
        column(r, &s, f, money, &bcs[i], bcs[i].tag, cols, nc, can_move);
    buf_raw(o, "</div>");
    /* Records without a value are listed, not boarded: finding the few of
     * them on a big table would scan it (no index on the board field). */
    json_t *none = json_pack("{s:s, s:s, s:b}", "field", f->name, "op", "null", "value", 1);
    char *nt = json_dumps(none, JSON_COMPACT);
    json_decref(none);
    Buf u;
    buf_init(&u, &r->arena);
    buf_printf(&u, "/app/%s?scene=%s&filter=", e->name, s.scene);
    buf_url(&u, nt);
    free(nt);
    buf_htmlf(o, "<p class=\"muted\"><a href=\"%s\">%s</a></p>", u.data,
              arena_printf(&r->arena, T(r, "Records without %s"), ui_label(r, &f->label)));
    ui_end(r, &p);
    list_state_free(&s);
}

/* GET /app/{entity}/board/{field}/totals?value=&scene=… — the count (and the
 * money sum) of one column: a fragment replacing the column's placeholder,
 * with the sum swapped out of band into the column header. */
void ui_kanban_totals(Req *r)
{
    const Entity *e = ui_entity(r);
    if (!e)
        return;
    const Field *f = board_field(r, e);
    if (!f)
        return;
    ListState s;
    if (!list_state_read(r, e, &s))
        return;
    const char *value = http_query(r, "value");
    int64_t vid;
    if (value && (f->type == FT_ENUM ? !meta_option(f, value) : !parse_i64(value, &vid)))
        value = NULL;
    const Field *money = money_field(r, e);
    json_t *base = list_where(r, &s);
    json_t *cond = board_cond(f, value);
    json_t *where = base ? json_pack("{s:[o, o]}", "and", base, cond) : cond;
    ListQuery lq = {.where = where, .q = s.search_q, .action = ACT_READ};
    int64_t count = 0, sum = 0;
    GxErr rc = record_sum(&r->c, e, &lq, money ? money->name : NULL, &count, &sum);
    json_decref(where);
    list_state_free(&s);
    ui_html_headers(r);
    if (rc) {
        ctx_clear(&r->c);
        buf_raw(&r->out, "<span class=\"count\">?</span>");
        return;
    }
    buf_printf(&r->out, "<span class=\"count\" data-col-count data-n=\"%lld\">%lld</span>", (long long)count,
               (long long)count);
    if (money) {
        buf_htmlf(&r->out,
                  "<span class=\"col-sum\" data-col-sum data-fen=\"%lld\" data-col-sum-for=\"%s\" "
                  "hx-swap-oob=\"outerHTML:[data-value='%s'] .col-sum\">",
                  (long long)sum, value ? value : "", value ? value : "");
        ui_money(&r->out, sum);
        buf_raw(&r->out, "</span>");
    }
}

/* POST /app/{entity}/board/{field}/move — id, version, value; answers JSON
 * {"id", "version"} or the API error (409 when the card is stale). */
void ui_kanban_move(Req *r)
{
    const Entity *e = meta_entity(http_param(r, "entity"));
    const Field *f = e ? meta_field(e, http_param(r, "field")) : NULL;
    if (!e || !board_kind_ok(f)) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such board");
        return api_error(r);
    }
    json_t *form = http_form(r);
    int64_t id, version, vid = 0;
    const char *value = json_string_value(json_object_get(form, "value"));
    if (!form || !parse_i64(json_string_value(json_object_get(form, "id")), &id) ||
        !parse_i64(json_string_value(json_object_get(form, "version")), &version) || !value ||
        (f->type == FT_LINK && !parse_i64(value, &vid))) {
        json_decref(form);
        ctx_fail(&r->c, GX_EBADREQ, "id, version and value are required");
        return api_error(r);
    }
    json_t *in = f->type == FT_LINK ? json_pack("{s:I, s:I}", f->name, (json_int_t)vid, "version", (json_int_t)version)
                                    : json_pack("{s:s, s:I}", f->name, value, "version", (json_int_t)version);
    json_t *out = NULL;
    /* The column asks for a field (the reason of a won or lost deal): it is
     * required for this move and written with it. */
    if (f->type == FT_LINK && f->board_ask && meta_field(e, f->board_ask)) {
        json_t *target = NULL;
        if (record_get(&r->c, meta_entity(f->target), vid, &target) == GX_OK && ask_matches(f, target)) {
            const char *said = json_string_value(json_object_get(form, "ask"));
            while (said && (*said == ' ' || *said == '\t' || *said == '\n' || *said == '\r'))
                said++;
            if (!said || !*said) {
                json_decref(target);
                json_decref(in);
                json_decref(form);
                const Field *af = meta_field(e, f->board_ask);
                ctx_field(&r->c, af->name, "is required");
                r->c.err_msg = arena_printf(&r->arena, T(r, "%s is required for this stage."), ui_label(r, &af->label));
                return api_error(r);
            }
            json_object_set_new(in, f->board_ask, json_string(said));
        }
        ctx_clear(&r->c);
        json_decref(target);
    }
    json_decref(form);
    GxErr rc = record_update(&r->c, e, id, in, &out);
    json_decref(in);
    if (rc) {
        if (rc == GX_ECONFLICT)
            r->c.err_msg = T(r, "Someone else changed this record. Reload the board.");
        else if (r->c.err_fields && json_object_get(r->c.err_fields, f->name))
            r->c.err_msg = ui_engine_msg(r, json_string_value(json_object_get(r->c.err_fields, f->name)));
        else
            r->c.err_msg = ui_engine_msg(r, r->c.err_msg);
        return api_error(r);
    }
    http_json(
        r, 200,
        json_pack("{s:I, s:I}", "id", (json_int_t)id, "version", json_integer_value(json_object_get(out, "version"))));
    json_decref(out);
}
