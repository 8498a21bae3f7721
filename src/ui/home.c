/* home.c — the home dashboard: today's follow-ups and reminders (activities
 * whose next_at falls on today in the user's zone), recently updated
 * records, and one chart (my records by a board field, e.g. customers by
 * level) drawn by app.js with ECharts from a data- attribute. */
#include <stdlib.h>
#include <string.h>

#include "ui.h"

/* Activities of mine with next_at today. */
static void today_card(Req *r)
{
    Buf *o = &r->out;
    const Entity *act = meta_entity("activities");
    buf_htmlf(o, "<section class=\"card\"><h2>%s</h2>", T(r, "Today's follow-ups"));
    if (!act || !meta_field(act, "next_at") || acl_scope(&r->c, act, ACT_READ) == SCOPE_NONE) {
        buf_htmlf(o, "<p class=\"muted\">%s</p></section>", T(r, "Nothing to do today."));
        return;
    }
    int y, m, d;
    ui_today(r, &y, &m, &d);
    int64_t start = ui_local_midnight(r, y, m, d);
    json_t *where =
        json_pack("{s:[{s:s, s:s, s:I}, {s:s, s:s, s:s}, {s:s, s:s, s:s}]}", "and", "field", "owner_id", "op", "eq",
                  "value", (json_int_t)r->c.who->user_id, "field", "next_at", "op", "ge", "value",
                  ui_utc_string(r, start), "field", "next_at", "op", "lt", "value", ui_utc_string(r, start + 86400));
    ListQuery lq = {.where = where, .sort = "id", .limit = 50, .action = ACT_READ};
    json_t *rows = NULL;
    if (record_list(&r->c, act, &lq, &rows, NULL)) {
        ctx_clear(&r->c);
        rows = json_array();
    }
    json_decref(where);
    if (!json_array_size(rows)) {
        buf_htmlf(o, "<p class=\"muted\">%s</p>", T(r, "Nothing to do today."));
    } else {
        Col cols[2];
        int nc = 0;
        if (ui_col(r, act, "parent", &cols[nc]))
            nc++;
        json_t *names = ui_names_new();
        ui_names_want_rows(names, act, cols, nc, rows);
        ui_names_resolve(r, names);
        Col kind, next;
        bool has_kind = ui_col(r, act, "kind", &kind), has_next = ui_col(r, act, "next_at", &next);
        buf_raw(o, "<ul class=\"tasks\">");
        size_t i;
        json_t *rec;
        json_array_foreach(rows, i, rec)
        {
            buf_raw(o, "<li><span class=\"time\">");
            if (has_next) {
                Buf t;
                buf_init(&t, &r->arena);
                ui_value(r, &t, &next, rec, names);
                buf_html(o, t.len > 11 ? t.data + 11 : t.data); /* HH:MM */
            }
            buf_raw(o, "</span> ");
            if (has_kind)
                ui_value(r, o, &kind, rec, names);
            buf_htmlf(o, " <a href=\"/app/activities/%lld\">%s</a>",
                      (long long)json_integer_value(json_object_get(rec, "id")), ui_title(r, act, rec));
            if (nc) {
                buf_raw(o, " <span class=\"muted\">");
                ui_value(r, o, &cols[0], rec, names);
                buf_raw(o, "</span>");
            }
            buf_raw(o, "</li>");
        }
        buf_raw(o, "</ul>");
        json_decref(names);
    }
    json_decref(rows);
    buf_raw(o, "</section>");
}

typedef struct Recent {
    const Entity *e; /* entity of the record */
    json_t *rec;     /* the record (borrowed from rows) */
} Recent;

static int recent_cmp(const void *a, const void *b)
{
    const char *x = json_string_value(json_object_get(((const Recent *)a)->rec, "updated_at"));
    const char *y = json_string_value(json_object_get(((const Recent *)b)->rec, "updated_at"));
    return strcmp(y ? y : "", x ? x : "");
}

/* Records of mine changed most recently, across the entities I may read.
 * (Owner, not updated_by: (owner_id, updated_at) is indexed on every owned
 * entity, so this is five short index walks, not scans.) */
static void recent_card(Req *r)
{
    static const char *const entities[] = {"customers", "contacts", "leads", "opportunities", "activities", NULL};
    Buf *o = &r->out;
    buf_htmlf(o, "<section class=\"card\"><h2>%s</h2>", T(r, "Recently updated"));
    json_t *keep = json_array();
    Recent items[40];
    int n = 0;
    for (int i = 0; entities[i]; i++) {
        const Entity *e = meta_entity(entities[i]);
        if (!e || !e->owned || !ui_entity_visible(r, e))
            continue;
        json_t *where =
            json_pack("{s:s, s:s, s:I}", "field", "owner_id", "op", "eq", "value", (json_int_t)r->c.who->user_id);
        ListQuery lq = {.where = where, .sort = "-updated_at", .limit = 5, .action = ACT_READ};
        json_t *rows = NULL;
        if (record_list(&r->c, e, &lq, &rows, NULL) == GX_OK) {
            size_t k;
            json_t *rec;
            json_array_foreach(rows, k, rec) if (n < 40) items[n++] = (Recent){e, rec};
            json_array_append_new(keep, rows);
        } else {
            ctx_clear(&r->c);
        }
        json_decref(where);
    }
    qsort(items, (size_t)n, sizeof *items, recent_cmp);
    if (!n)
        buf_htmlf(o, "<p class=\"muted\">%s</p>", T(r, "Records you create or change show up here."));
    else
        buf_raw(o, "<ul class=\"recent\">");
    for (int i = 0; i < n && i < 8; i++) {
        const Entity *e = items[i].e;
        buf_htmlf(o, "<li><a href=\"/app/%s/%lld\">%s</a> <span class=\"tag\">%s</span> <span class=\"muted\">",
                  e->name, (long long)json_integer_value(json_object_get(items[i].rec, "id")),
                  ui_title(r, e, items[i].rec), ui_label(r, &e->singular));
        ui_relative(r, o, json_string_value(json_object_get(items[i].rec, "updated_at")));
        buf_raw(o, "</span></li>");
    }
    if (n)
        buf_raw(o, "</ul>");
    json_decref(keep);
    buf_raw(o, "</section>");
}

/* My records by the first board field of the first entity that has one. */
static void chart_card(Req *r)
{
    static const char *const entities[] = {"customers", "opportunities", "leads", "activities", NULL};
    for (int i = 0; entities[i]; i++) {
        const Entity *e = meta_entity(entities[i]);
        if (!e || !ui_entity_visible(r, e))
            continue;
        const Field *f = NULL;
        for (int k = 0; k < e->nfields && !f; k++)
            if (e->fields[k].board && e->fields[k].type == FT_ENUM &&
                acl_field(&r->c, e, e->fields[k].name) != FIELD_HIDDEN)
                f = &e->fields[k];
        if (!f)
            continue;
        json_t *labels = json_array(), *values = json_array();
        json_t *where = e->owned ? json_pack("{s:s, s:s, s:I}", "field", "owner_id", "op", "eq", "value",
                                             (json_int_t)r->c.who->user_id)
                                 : NULL;
        ListQuery lq = {.where = where, .action = ACT_READ};
        json_t *counts = NULL;
        if (record_count_by(&r->c, e, &lq, f->name, &counts))
            ctx_clear(&r->c);
        json_decref(where);
        for (int k = 0; k < f->noptions; k++) {
            json_array_append_new(labels, json_string(ui_label(r, &f->options[k].label)));
            json_array_append_new(values,
                                  json_integer(json_integer_value(json_object_get(counts, f->options[k].value))));
        }
        json_decref(counts);
        const char *title =
            arena_printf(&r->arena, T(r, "My %s by %s"), ui_label(r, &e->label), ui_label(r, &f->label));
        int64_t all = 0;
        for (size_t k = 0; k < json_array_size(values); k++)
            all += json_integer_value(json_array_get(values, k));
        if (!all) {
            /* nothing to draw: say what to do instead of an empty chart */
            buf_htmlf(&r->out, "<section class=\"card\"><h2>%s</h2><p class=\"muted\">%s</p>", title,
                      arena_printf(&r->arena, T(r, "No %s yet — "), ui_label(r, &e->label)));
            if (acl_scope(&r->c, e, ACT_CREATE) != SCOPE_NONE)
                buf_htmlf(&r->out, "<a class=\"btn primary\" href=\"/app/%s/new\">%s</a>", e->name,
                          arena_printf(&r->arena, T(r, "New %s"), ui_label(r, &e->singular)));
            buf_raw(&r->out, "</section>");
            json_decref(labels);
            json_decref(values);
            return;
        }
        json_t *chart = json_pack("{s:s, s:o, s:o, s:s}", "type", "bar", "labels", labels, "values", values, "name",
                                  ui_label(r, &e->label));
        char *data = json_dumps(chart, JSON_COMPACT);
        json_decref(chart);
        buf_htmlf(&r->out,
                  "<section class=\"card\"><h2>%s</h2><div class=\"chart\" data-chart=\"%s\" role=\"img\" "
                  "aria-label=\"%s\"></div>"
                  "<p><a href=\"/app/%s/board/%s\">%s</a></p></section>",
                  title, data, title, e->name, f->name, T(r, "Open the board"));
        free(data);
        return;
    }
}

void ui_home(Req *r)
{
    Page p = {.title = T(r, "Home"), .nav = "home", .script = "vendor/echarts.simple.min.js"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    int y, m, d;
    ui_today(r, &y, &m, &d);
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1><p class=\"muted\">%04d-%02d-%02d</p></div>",
              arena_printf(&r->arena, T(r, "Hello, %s"), r->c.who->name ? r->c.who->name : ""), y, m, d);
    buf_raw(o, "<div class=\"dashboard\">");
    today_card(r);
    ui_reminders_card(r); /* reminders.c */
    chart_card(r);
    recent_card(r);
    buf_raw(o, "</div>");
    ui_end(r, &p);
}
