/* calendar.c — /app/{entity}/calendar/{field} for date and date-time fields
 * marked "calendar": month and week views rendered on the server, days in
 * the user's time zone, weeks starting on Monday. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/util.h"
#include "list.h"

#define CAL_MAX_ROWS 500
#define MONTH_CELL_ITEMS 4

static const char *const weekdays[] = {N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun")};
static const char *const months[] = {N_("January"),   N_("February"), N_("March"),    N_("April"),
                                     N_("May"),       N_("June"),     N_("July"),     N_("August"),
                                     N_("September"), N_("October"),  N_("November"), N_("December")};

/* Civil date of a day number (days since 1970-01-01). */
static void civil(int64_t days, int *y, int *m, int *d)
{
    time_t t = (time_t)(days * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    *y = tm.tm_year + 1900;
    *m = tm.tm_mon + 1;
    *d = tm.tm_mday;
}

/* Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday). */
static int weekday(int64_t days)
{
    return (int)(((days % 7) + 7 + 3) % 7);
}

typedef struct CalItem {
    int64_t day; /* local day number */
    int minutes; /* local minutes after midnight (-1 for dates) */
    json_t *rec; /* record (borrowed) */
} CalItem;

static int item_cmp(const void *a, const void *b)
{
    const CalItem *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->minutes - y->minutes;
}

void ui_calendar(Req *r)
{
    const Entity *e = ui_entity(r);
    if (!e)
        return;
    const Field *f = meta_field(e, http_param(r, "field"));
    if (!f || !f->calendar || (f->type != FT_DATE && f->type != FT_DATETIME) ||
        acl_field(&r->c, e, f->name) == FIELD_HIDDEN) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such calendar");
        return ui_fail(r);
    }
    ListState s;
    if (!list_state_read(r, e, &s))
        return;
    bool week = str_eq(http_query(r, "view"), "week");
    int y, m, d;
    const char *date = http_query(r, "date");
    if (!date || !time_parse_date(date, &y, &m, &d))
        ui_today(r, &y, &m, &d);
    int ty, tm_, td;
    ui_today(r, &ty, &tm_, &td);
    int64_t today = time_days_from_civil(ty, tm_, td);
    int64_t anchor = time_days_from_civil(y, m, d);
    int64_t start, ndays;
    if (week) {
        start = anchor - weekday(anchor);
        ndays = 7;
    } else {
        int64_t first = time_days_from_civil(y, m, 1);
        start = first - weekday(first);
        ndays = 42;
    }
    /* the query: records whose field falls in [start, start + ndays) */
    const char *lo, *hi;
    if (f->type == FT_DATETIME) {
        int sy, sm, sd, ey, em, ed;
        civil(start, &sy, &sm, &sd);
        civil(start + ndays, &ey, &em, &ed);
        lo = ui_utc_string(r, ui_local_midnight(r, sy, sm, sd));
        hi = ui_utc_string(r, ui_local_midnight(r, ey, em, ed));
    } else {
        int sy, sm, sd, ey, em, ed;
        civil(start, &sy, &sm, &sd);
        civil(start + ndays, &ey, &em, &ed);
        lo = arena_printf(&r->arena, "%04d-%02d-%02d", sy, sm, sd);
        hi = arena_printf(&r->arena, "%04d-%02d-%02d", ey, em, ed);
    }
    json_t *base = list_where(r, &s);
    json_t *range = json_pack("{s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}]}", "and", "field", f->name, "op", "ge", "value",
                              lo, "field", f->name, "op", "lt", "value", hi);
    json_t *where = base ? json_pack("{s:[o, o]}", "and", base, range) : range;
    ListQuery lq = {.where = where, .q = s.search_q, .sort = "id", .limit = CAL_MAX_ROWS, .action = ACT_READ};
    json_t *rows = NULL;
    if (record_list(&r->c, e, &lq, &rows, NULL)) {
        json_decref(where);
        list_state_free(&s);
        return ui_fail(r);
    }
    json_decref(where);
    size_t n = json_array_size(rows);
    CalItem *items = arena_calloc(&r->arena, n ? n : 1, sizeof *items);
    size_t k = 0;
    size_t i;
    json_t *rec;
    json_array_foreach(rows, i, rec)
    {
        const char *v = json_string_value(json_object_get(rec, f->name));
        int iy, im, id, ih = 0, imi = 0;
        if (!v)
            continue;
        if (f->type == FT_DATETIME) {
            int64_t t;
            if (!ui_parse_utc(v, &t))
                continue;
            ui_local_parts(r, t, &iy, &im, &id, &ih, &imi);
        } else if (!time_parse_date(v, &iy, &im, &id)) {
            continue;
        }
        items[k++] = (CalItem){time_days_from_civil(iy, im, id), f->type == FT_DATETIME ? ih * 60 + imi : -1, rec};
    }
    qsort(items, k, sizeof *items, item_cmp);

    const char *title = week ? arena_printf(&r->arena, "%s · %s", ui_label(r, &e->label), ui_label(r, &f->label))
                             : arena_printf(&r->arena, "%s · %s", ui_label(r, &e->label), ui_label(r, &f->label));
    Page p = {.title = title, .nav = e->name};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o,
              "<div class=\"page-head\"><div><div class=\"crumbs muted\"><a "
              "href=\"/app/%s\">%s</a></div><h1>%s</h1></div><div class=\"actions\">",
              e->name, ui_label(r, &e->label), title);
    buf_htmlf(o, "<a class=\"btn\" href=\"/app/%s?scene=%s\">%s</a>", e->name, s.scene, T(r, "List"));
    buf_raw(o, "</div></div>");
    /* navigation: previous, today, next; month or week */
    const char *view = week ? "week" : "month";
    int py, pm, pd, ny, nm, nd;
    if (week) {
        civil(anchor - 7, &py, &pm, &pd);
        civil(anchor + 7, &ny, &nm, &nd);
    } else {
        py = m == 1 ? y - 1 : y;
        pm = m == 1 ? 12 : m - 1;
        ny = m == 12 ? y + 1 : y;
        nm = m == 12 ? 1 : m + 1;
        pd = nd = 1;
    }
    const char *base_url = arena_printf(&r->arena, "/app/%s/calendar/%s?scene=%s", e->name, f->name, s.scene);
    buf_htmlf(o,
              "<div class=\"cal-nav\"><a class=\"btn\" rel=\"prev\" href=\"%s&amp;view=%s&amp;date=%04d-%02d-%02d\" "
              "aria-label=\"%s\">‹</a>",
              base_url, view, py, pm, pd, T(r, "Previous"));
    buf_htmlf(o, "<a class=\"btn\" href=\"%s&amp;view=%s\">%s</a>", base_url, view, T(r, "Today"));
    buf_htmlf(o,
              "<a class=\"btn\" rel=\"next\" href=\"%s&amp;view=%s&amp;date=%04d-%02d-%02d\" aria-label=\"%s\">›</a>",
              base_url, view, ny, nm, nd, T(r, "Next"));
    if (ui_en(r))
        buf_htmlf(o, "<h2>%s %d</h2>", T(r, months[m - 1]), y);
    else
        buf_htmlf(o, "<h2>%d年%d月</h2>", y, m);
    buf_htmlf(o, "<a class=\"btn%s\" href=\"%s&amp;view=month&amp;date=%04d-%02d-%02d\">%s</a>", week ? "" : " active",
              base_url, y, m, d, T(r, "Month"));
    buf_htmlf(o, "<a class=\"btn%s\" href=\"%s&amp;view=week&amp;date=%04d-%02d-%02d\">%s</a>", week ? " active" : "",
              base_url, y, m, d, T(r, "Week"));
    static const struct {
        const char *id, *label;
    } scenes[] = {{"mine", N_("Mine")}, {"team", N_("My team's")}, {"all", N_("All")}};
    for (int q = 0; q < 3; q++) {
        if (!list_scene_allowed(r, e, scenes[q].id))
            continue;
        buf_htmlf(o,
                  "<a class=\"btn%s\" href=\"/app/%s/calendar/%s?scene=%s&amp;view=%s&amp;date=%04d-%02d-%02d\">%s</a>",
                  strcmp(s.scene, scenes[q].id) ? "" : " active", e->name, f->name, scenes[q].id, view, y, m, d,
                  T(r, scenes[q].label));
    }
    buf_raw(o, "</div>");
    if (n >= CAL_MAX_ROWS)
        buf_htmlf(o, "<div class=\"alert warn\">%s</div>",
                  T(r, "Only the first 500 entries are shown; narrow the scene or search."));

    buf_htmlf(o, "<div class=\"calendar %s\">", view);
    for (int w = 0; w < 7; w++)
        buf_htmlf(o, "<div class=\"dow\">%s</div>", T(r, weekdays[w]));
    size_t at = 0;
    for (int64_t day = start; day < start + ndays; day++) {
        int cy, cm, cd;
        civil(day, &cy, &cm, &cd);
        while (at < k && items[at].day < day)
            at++;
        size_t first = at, count = 0;
        while (first + count < k && items[first + count].day == day)
            count++;
        bool other = !week && cm != m;
        buf_htmlf(o, "<div class=\"day%s%s%s\">", other ? " other" : "", day == today ? " today" : "",
                  count ? "" : " none");
        if (week || cd == 1)
            buf_htmlf(o, "<span class=\"date\">%s %d-%02d</span>", T(r, weekdays[weekday(day)]), cm, cd);
        else
            buf_htmlf(o, "<span class=\"date\">%d</span>", cd);
        if (count) {
            buf_raw(o, "<ul>");
            size_t limit = week ? count : (count > MONTH_CELL_ITEMS ? MONTH_CELL_ITEMS - 1 : count);
            for (size_t j = 0; j < limit; j++) {
                CalItem *it = &items[first + j];
                buf_htmlf(o, "<li><a href=\"/app/%s/%lld\">", e->name,
                          (long long)json_integer_value(json_object_get(it->rec, "id")));
                if (it->minutes >= 0)
                    buf_printf(o, "<span class=\"t\">%02d:%02d</span>", it->minutes / 60, it->minutes % 60);
                buf_htmlf(o, "%s</a></li>", ui_title(r, e, it->rec));
            }
            buf_raw(o, "</ul>");
            if (limit < count)
                buf_htmlf(o, "<a class=\"more\" href=\"%s&amp;view=week&amp;date=%04d-%02d-%02d\">%s</a>", base_url, cy,
                          cm, cd, arena_printf(&r->arena, T(r, "+%lld more"), (long long)(count - limit)));
        }
        buf_raw(o, "</div>");
        at = first + count;
    }
    buf_raw(o, "</div>");
    ui_end(r, &p);
    json_decref(rows);
    list_state_free(&s);
}
