/* membership_desk.c — the front desk's pages: the booking centre's day view
 * (资源 × 时段, book from a free slot with htmx), the checkout desk
 * (结账中心) and the printable receipt. Times on these pages are business
 * times (UTC+8, modules/membership.h). Everything is written through the
 * record engine (bookings, checkouts), so access, validation, conflicts and
 * the one-transaction checkout are the API's. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../modules/membership.h"
#include "membership_ui.h"

#define SLOT_S (30 * 60)
#define DESK_LINES 4

/* ---------- small helpers ---------- */

/* Business-time parts of t. */
static void biz_parts(int64_t t, int *h, int *mi)
{
    int64_t s = t + MS_TZ_S;
    int64_t in_day = ((s % 86400) + 86400) % 86400;
    *h = (int)(in_day / 3600);
    *mi = (int)(in_day % 3600 / 60);
}

/* "HH:MM" of a stored UTC time in business time (arena). */
static const char *hhmm(Req *r, const char *utc)
{
    int64_t t;
    if (!utc || !ui_parse_utc(utc, &t))
        return "";
    int h, mi;
    biz_parts(t, &h, &mi);
    return arena_printf(&r->arena, "%02d:%02d", h, mi);
}

/* RFC 3339 in business time for instant t (arena). */
static const char *biz_rfc3339(Req *r, int64_t t)
{
    char day[11];
    ms_business_day(t, day);
    int h, mi;
    biz_parts(t, &h, &mi);
    return arena_printf(&r->arena, "%sT%02d:%02d:00+08:00", day, h, mi);
}

/* The ?date= of the page, or today (business day); NULL when malformed. */
static const char *page_date(Req *r)
{
    const char *d = http_query(r, "date");
    int y, m, dd;
    if (d && *d)
        return time_parse_date(d, &y, &m, &dd) ? d : NULL;
    char *today = arena_alloc(&r->arena, 11);
    ms_today(today);
    return today;
}

/* The error in r->c as an alert with the field messages. */
void ui_member_errors(Req *r, Buf *o)
{
    buf_htmlf(o, "<div class=\"alert error\" role=\"alert\">%s",
              ui_engine_msg(r, r->c.err_msg ? r->c.err_msg : T(r, "Something went wrong")));
    if (r->c.err_fields && json_object_size(r->c.err_fields)) {
        buf_raw(o, "<ul>");
        const char *k;
        json_t *v;
        json_object_foreach(r->c.err_fields, k, v)
        {
            buf_htmlf(o, "<li><code>%s</code> %s</li>", k,
                      ui_engine_msg(r, json_string_value(v) ? json_string_value(v) : ""));
        }
        buf_raw(o, "</ul>");
    }
    buf_raw(o, "</div>");
}

/* Find a member by card number, then by phone (the user's scope applies). */
static int64_t find_member(Req *r, const char *text)
{
    const Entity *e = meta_entity("customers");
    static const char *fields[] = {"card_no", "phone"};
    for (int i = 0; i < 2; i++) {
        json_t *conds = json_array();
        if (!record_filter_from_param(&r->c, e, fields[i], text, conds)) {
            json_decref(conds);
            ctx_clear(&r->c);
            continue;
        }
        json_t *where = json_pack("{s:o}", "and", conds);
        ListQuery lq = {.where = where, .limit = 1, .action = ACT_READ};
        json_t *rows = NULL;
        GxErr rc = record_list(&r->c, e, &lq, &rows, NULL);
        json_decref(where);
        int64_t id = rc ? 0 : json_integer_value(json_object_get(json_array_get(rows, 0), "id"));
        json_decref(rows);
        ctx_clear(&r->c);
        if (id)
            return id;
    }
    return 0;
}

/* ---------- day view ---------- */

typedef struct Grid {
    int first, last; /* slot numbers shown: [first, last) of the day's 48 */
} Grid;

static void day_nav(Req *r, const char *date)
{
    int64_t t0;
    ms_day_start(date, &t0);
    char prev[11], next[11], today[11];
    ms_business_day(t0 - 3600, prev);
    ms_business_day(t0 + 86400 + 3600, next);
    ms_today(today);
    Buf *o = &r->out;
    buf_htmlf(o,
              "<div class=\"cal-nav\"><a class=\"btn\" href=\"/app/bookings/day?date=%s\">‹ %s</a>"
              "<a class=\"btn\" href=\"/app/bookings/day?date=%s\">%s</a>"
              "<a class=\"btn\" href=\"/app/bookings/day?date=%s\">%s ›</a>",
              prev, T(r, "Previous day"), today, T(r, "Today"), next, T(r, "Next day"));
    buf_htmlf(o,
              "<form method=\"get\" action=\"/app/bookings/day\" class=\"inline-form\"><label>%s "
              "<input type=\"date\" name=\"date\" value=\"%s\"></label><button class=\"btn\" "
              "type=\"submit\">%s</button></form>"
              "<a class=\"btn\" href=\"/app/bookings\">%s</a></div>",
              T(r, "Date"), date, T(r, "Go"), T(r, "All bookings"));
}

/* "HH:MM" of minutes after midnight, without printf (the day view writes
 * thousands). */
static void put_hhmm(Buf *o, int minutes)
{
    char t[5] = {(char)('0' + minutes / 600 % 10), (char)('0' + minutes / 60 % 10), ':',
                 (char)('0' + minutes % 60 / 10), (char)('0' + minutes % 10)};
    buf_raw_n(o, t, 5);
}

/* "HH:MM" (business time) of slot boundary s (half hours after midnight). */
static void slot_hhmm(Buf *o, int s)
{
    put_hhmm(o, s * 30);
}

/* "HH:MM" (business time) of instant t. */
static void time_hhmm(Buf *o, int64_t t)
{
    int h, mi;
    biz_parts(t, &h, &mi);
    put_hhmm(o, h * 60 + mi);
}

/* What a slot of a resource's row shows. */
enum { SLOT_FREE, SLOT_CLOSED, SLOT_PAST, SLOT_BOOKED };

/* One resource's row: a cell per booking across the slots it covers, and
 * one cell per run of free, closed or past slots. A free run is one button
 * (value "resource-first-end", slots) that opens the booking form for the
 * run; app.js adds the half hour that was clicked (?at=), and the form lets
 * the start be chosen within the run. 200 resources × 28 slots were 5,600
 * cells of one button each (409 KB with the bookings). */
static void day_row(Req *r, const MsDay *day, const MsDayResource *x, Grid g, int64_t now, const char *booked_label)
{
    Buf *o = &r->out;
    buf_raw(o, "<tr data-resource=\"");
    buf_int(o, x->id);
    buf_raw(o, "\"><th scope=\"row\" class=\"res-name\">");
    buf_html(o, x->name ? x->name : "");
    buf_raw(o, "</th>");
    int next = 0;
    for (int s = g.first; s < g.last;) {
        int64_t a = day->start + (int64_t)s * SLOT_S, z = a + SLOT_S;
        while (next < x->nbooked && x->booked[next].end <= a)
            next++;
        if (next < x->nbooked && x->booked[next].start < z) {
            const MsDayBooking *b = &x->booked[next];
            int span = 1; /* one cell across the slots the booking covers */
            while (s + span < g.last && day->start + (int64_t)(s + span) * SLOT_S < b->end)
                span++;
            const char *who = b->customer_id ? b->customer_name : b->guest_name;
            buf_raw(o, b->status && !strcmp(b->status, "completed") ? "<td class=\"slot booked done\" colspan=\""
                                                                    : "<td class=\"slot booked\" colspan=\"");
            buf_int(o, span);
            buf_raw(o, "\" title=\"");
            time_hhmm(o, b->start);
            buf_raw(o, "–");
            time_hhmm(o, b->end);
            buf_raw(o, "\">");
            if (b->id) {
                buf_raw(o, "<a href=\"/app/bookings/");
                buf_int(o, b->id);
                buf_raw(o, "\">");
                buf_html(o, who ? who : booked_label);
                buf_raw(o, "</a>");
            } else {
                buf_html(o, who ? who : booked_label);
            }
            buf_raw(o, "</td>");
            s += span;
            next++;
            continue;
        }
        /* a run of slots of one kind, up to the next booking */
        int64_t until = next < x->nbooked ? x->booked[next].start : INT64_MAX;
        int kind = 0, e = s;
        for (; e < g.last; e++) {
            int64_t ea = day->start + (int64_t)e * SLOT_S;
            if (e > s && ea + SLOT_S > until && ea < x->booked[next].end)
                break;
            int k = e * 30 < x->open || e * 30 + 30 > x->close ? SLOT_CLOSED : ea + SLOT_S <= now ? SLOT_PAST : SLOT_FREE;
            if (e == s)
                kind = k;
            else if (k != kind)
                break;
        }
        buf_raw(o, kind == SLOT_FREE ? "<td class=\"free\"" : kind == SLOT_CLOSED ? "<td class=\"slot closed\"" : "<td class=\"slot past\"");
        if (e - s > 1) {
            buf_raw(o, " colspan=\"");
            buf_int(o, e - s);
            buf_putc(o, '"');
        }
        if (kind == SLOT_FREE) {
            buf_raw(o, "><button type=\"submit\" form=\"slotf\" name=\"s\" value=\"");
            buf_int(o, x->id);
            buf_putc(o, '-');
            buf_int(o, s);
            buf_putc(o, '-');
            buf_int(o, e);
            buf_raw(o, "\" title=\"");
            slot_hhmm(o, s);
            buf_raw(o, "–");
            slot_hhmm(o, e);
            buf_raw(o, "\">+</button></td>");
        } else {
            buf_raw(o, "></td>");
        }
        s = e;
    }
    buf_raw(o, "</tr>");
}

void ui_bookings_day(Req *r)
{
    const char *date = page_date(r);
    if (!date) {
        ctx_fail(&r->c, GX_EBADREQ, "The date must be YYYY-MM-DD");
        return ui_fail(r);
    }
    MsDay day;
    if (membership_day_grid(&r->c, date, &day))
        return ui_fail(r);
    Grid g = {.first = 16, .last = 44}; /* 08:00–22:00 unless resources say otherwise */
    bool any = false;
    for (int i = 0; i < day.n; i++) {
        const MsDayResource *x = &day.res[i];
        int open, close;
        if (ms_parse_hhmm(x->opening_time, &open) && ms_parse_hhmm(x->closing_time, &close)) {
            if (!any || open / 30 < g.first)
                g.first = open / 30;
            if (!any || (close + 29) / 30 > g.last)
                g.last = (close + 29) / 30;
            any = true;
        }
    }
    if (g.last <= g.first)
        g.last = g.first + 1;
    Page p = {.title = T(r, "Booking centre"), .nav = "bookings"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1><p class=\"muted\">%s · %s</p></div>", T(r, "Booking centre"),
              date, T(r, "click a free slot to book it"));
    day_nav(r, date);
    buf_raw(o, "<div id=\"book-panel\" aria-live=\"polite\"></div>");
    if (day.n == 0) {
        buf_htmlf(o, "<div class=\"empty\">%s</div>",
                  T(r, "No bookable resources yet — an administrator adds them under Resources."));
        ui_end(r, &p);
        return;
    }
    int64_t now = time_now_ms() / 1000;
    /* Free runs are submit buttons of one form: keyboard reachable, and the
     * grid's markup stays small. */
    buf_htmlf(o,
              "<form id=\"slotf\" hx-get=\"/app/bookings/slot\" hx-target=\"#book-panel\"><input type=\"hidden\" "
              "name=\"date\" value=\"%s\"><input type=\"hidden\" name=\"at\" value=\"\"></form>",
              date);
    buf_htmlf(o,
              "<div class=\"table-wrap day-grid-wrap\"><table class=\"day-grid\" data-day=\"%s\"><thead><tr><th "
              "scope=\"col\">%s</th>",
              date, T(r, "Resource"));
    for (int s = g.first; s < g.last; s++)
        if (s % 2 == 0)
            buf_printf(o, "<th scope=\"col\" class=\"slot-h\">%02d:00</th>", s / 2);
        else
            buf_raw(o, "<th scope=\"col\" class=\"slot-h\"></th>");
    buf_raw(o, "</tr></thead><tbody>");
    const char *booked_label = T(r, "Booked");
    for (int i = 0; i < day.n; i++)
        day_row(r, &day, &day.res[i], g, now, booked_label);
    buf_raw(o, "</tbody></table></div>");
    buf_htmlf(
        o,
        "<p class=\"muted legend\"><span class=\"slot-key free\"></span> %s <span class=\"slot-key booked\"></span> %s "
        "<span class=\"slot-key done\"></span> %s <span class=\"slot-key closed\"></span> %s</p>",
        T(r, "free"), T(r, "booked"), T(r, "checked out"), T(r, "closed"));
    ui_end(r, &p);
}

/* The booking form for a free run [run_from, run_to) of a resource's day
 * (an htmx fragment), starting at `start`: the start can be moved within
 * the run, the end is any half hour after it up to the run's end (or the
 * closing time when the run is not known: run_to 0), at most 8 hours.
 * values: what was typed (after a failed attempt), or NULL. */
static void slot_form(Req *r, int64_t rid, int64_t start, int64_t run_from, int64_t run_to, json_t *values)
{
    const Entity *re = meta_entity("resources");
    json_t *res;
    if (record_get(&r->c, re, rid, &res))
        return ui_fail(r);
    const char *closing = json_string_value(json_object_get(res, "closing_time"));
    int close = 1440;
    ms_parse_hhmm(closing, &close);
    int64_t t0;
    char day[11];
    ms_business_day(start, day);
    ms_day_start(day, &t0);
    int64_t limit = t0 + (int64_t)close * 60;
    if (run_to <= run_from || start < run_from || start >= run_to)
        run_from = start, run_to = 0;
    if (run_to && run_to < limit)
        limit = run_to;
    ui_html_headers(r);
    Buf *o = &r->out;
    const char *sel_end = json_string_value(json_object_get(values, "end"));
    buf_htmlf(o,
              "<form class=\"card book-form\" hx-post=\"/app/bookings/book\" hx-target=\"#book-panel\">"
              "<h2>%s · %s %s</h2>",
              T(r, "New booking"),
              json_string_value(json_object_get(res, "name")) ? json_string_value(json_object_get(res, "name")) : "",
              day);
    if (values)
        ui_member_errors(r, o);
    ui_csrf_field(r);
    buf_htmlf(o,
              "<input type=\"hidden\" name=\"resource_id\" value=\"%lld\"><input type=\"hidden\" name=\"run_from\" "
              "value=\"%lld\"><input type=\"hidden\" name=\"run_to\" value=\"%lld\">",
              (long long)rid, (long long)run_from, (long long)run_to);
    buf_htmlf(o, "<div class=\"book-fields\"><label class=\"field\"><span class=\"label\">%s</span><select name=\"start\">",
              T(r, "Starting at"));
    for (int64_t t = run_from; t == run_from || (t < limit && t < run_from + 16 * 3600); t += SLOT_S) {
        buf_printf(o, "<option value=\"%lld\"%s>", (long long)t, t == start ? " selected" : "");
        time_hhmm(o, t);
        buf_raw(o, "</option>");
    }
    buf_htmlf(o, "</select></label><label class=\"field\"><span class=\"label\">%s</span><select name=\"end\">",
              T(r, "Until"));
    for (int64_t e = run_from + SLOT_S; e <= limit && e <= start + 8 * 3600; e += SLOT_S) {
        char v[24];
        snprintf(v, sizeof v, "%lld", (long long)e);
        bool sel = sel_end ? !strcmp(sel_end, v) : e == start + 2 * SLOT_S || (e == limit && e < start + 2 * SLOT_S);
        buf_htmlf(o, "<option value=\"%s\"%s>", v, sel ? " selected" : "");
        time_hhmm(o, e);
        buf_raw(o, "</option>");
    }
    const char *member = json_string_value(json_object_get(values, "member"));
    const char *guest = json_string_value(json_object_get(values, "guest_name"));
    buf_htmlf(o,
              "</select></label><label class=\"field\"><span class=\"label\">%s</span>"
              "<input name=\"member\" value=\"%s\" placeholder=\"%s\" autocomplete=\"off\"></label>"
              "<label class=\"field\"><span class=\"label\">%s</span><input name=\"guest_name\" value=\"%s\" "
              "maxlength=\"100\"></label></div>"
              "<div class=\"form-actions\"><button class=\"btn primary\" type=\"submit\">%s</button>"
              "<button class=\"btn\" type=\"button\" hx-get=\"/app/bookings/slot/close\" "
              "hx-target=\"#book-panel\">%s</button></div></form>",
              T(r, "Member card no. or phone"), member ? member : "", T(r, "card no. or phone"), T(r, "or guest name"),
              guest ? guest : "", T(r, "Book"), T(r, "Cancel"));
    json_decref(res);
}

/* GET /app/bookings/slot: the booking form, for s = "resource-first-end"
 * (a free run of the day view, half hours after midnight; ?at= the half
 * hour clicked in it) or "resource-slot", or for resource_id and start
 * (seconds). */
void ui_bookings_slot(Req *r)
{
    int64_t rid = 0, start = 0, run_from = 0, run_to = 0, t0;
    const char *sv = http_query(r, "s");
    if (sv && *sv) {
        long long part[3] = {0, 0, 0};
        int used = 0, n = sscanf(sv, "%lld-%lld-%lld%n", &part[0], &part[1], &part[2], &used);
        if (n != 3 || sv[used]) {
            used = 0;
            n = sscanf(sv, "%lld-%lld%n", &part[0], &part[1], &used) == 2 && !sv[used] ? 2 : 0;
        }
        int64_t first = part[1], end = n == 3 ? part[2] : part[1] + 1, at = first;
        const char *as = http_query(r, "at");
        if (as && *as && (!parse_i64(as, &at) || at < first || at >= end))
            at = first;
        if ((n == 2 || n == 3) && first >= 0 && end > first && end <= 48 && ms_day_start(http_query(r, "date"), &t0)) {
            rid = part[0];
            start = t0 + at * SLOT_S;
            run_from = t0 + first * SLOT_S;
            run_to = t0 + end * SLOT_S;
        }
    } else if (!parse_i64(http_query(r, "resource_id"), &rid) || !parse_i64(http_query(r, "start"), &start)) {
        rid = 0;
    }
    if (rid <= 0) {
        ctx_fail(&r->c, GX_EBADREQ, "Choose a slot on the day view");
        return ui_fail(r);
    }
    slot_form(r, rid, start, run_from, run_to, NULL);
}

void ui_bookings_slot_close(Req *r)
{
    ui_html_headers(r);
    buf_raw(&r->out, "");
}

void ui_bookings_book(Req *r)
{
    json_t *form = http_form(r);
    int64_t rid = 0, start = 0, end = 0;
    parse_i64(json_string_value(json_object_get(form, "resource_id")), &rid);
    parse_i64(json_string_value(json_object_get(form, "start")), &start);
    parse_i64(json_string_value(json_object_get(form, "end")), &end);
    int64_t run_from = 0, run_to = 0;
    parse_i64(json_string_value(json_object_get(form, "run_from")), &run_from);
    parse_i64(json_string_value(json_object_get(form, "run_to")), &run_to);
    const char *member = json_string_value(json_object_get(form, "member"));
    const char *guest = json_string_value(json_object_get(form, "guest_name"));
    json_t *in = json_pack("{s:I, s:s, s:s}", "resource_id", (json_int_t)rid, "start_at", biz_rfc3339(r, start),
                           "end_at", biz_rfc3339(r, end));
    if (member && *member) {
        int64_t cid = find_member(r, member);
        if (!cid) {
            json_decref(in);
            ctx_field(&r->c, "member", "%s", T(r, "no member has this card number or phone"));
            r->c.err_msg = T(r, "Member not found");
            r->status = 422;
            slot_form(r, rid, start, run_from, run_to, form);
            json_decref(form);
            return;
        }
        json_object_set_new(in, "customer_id", json_integer(cid));
    } else if (guest && *guest) {
        json_object_set_new(in, "guest_name", json_string(guest));
    }
    json_t *out;
    GxErr rc = record_create(&r->c, meta_entity("bookings"), in, &out);
    json_decref(in);
    if (rc) {
        r->status = gx_http_status(rc);
        GxErr keep = r->c.err;
        slot_form(r, rid, start, run_from, run_to, form);
        if (r->status < 400)
            r->status = gx_http_status(keep);
        json_decref(form);
        return;
    }
    char day[11];
    ms_business_day(start, day);
    json_decref(out);
    json_decref(form);
    ui_flash(r, "saved");
    ui_redirect(r, arena_printf(&r->arena, "/app/bookings/day?date=%s", day));
}

/* ---------- checkout desk ---------- */

/* Options of the resource picker: active resources, with their price. */
static void resource_options(Req *r, json_t *rows, const char *selected)
{
    Buf *o = &r->out;
    buf_htmlf(o, "<option value=\"\">%s</option>", T(r, "— resource —"));
    size_t i;
    json_t *x;
    json_array_foreach(rows, i, x)
    {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(x, "id")));
        bool cons =
            !strcmp(json_string_value(json_object_get(x, "kind")) ? json_string_value(json_object_get(x, "kind")) : "",
                    "consumable");
        Buf price;
        buf_init(&price, &r->arena);
        ui_money(&price, json_integer_value(json_object_get(x, cons ? "unit_price" : "price_per_hour")));
        buf_htmlf(o, "<option value=\"%s\"%s>%s · %s%s</option>", id,
                  selected && !strcmp(selected, id) ? " selected" : "",
                  json_string_value(json_object_get(x, "name")) ? json_string_value(json_object_get(x, "name")) : "",
                  price.data, cons ? T(r, "/unit") : T(r, "/hour"));
    }
}

static const char *fv(json_t *form, const char *key)
{
    const char *v = json_string_value(json_object_get(form, key));
    return v ? v : "";
}

/* The member panel: name, card, type, expiry (flagged), balances. */
void ui_member_panel(Req *r, json_t *cust)
{
    Buf *o = &r->out;
    char today[11];
    ms_today(today);
    const char *exp = json_string_value(json_object_get(cust, "expires_on"));
    bool expired = json_integer_value(json_object_get(cust, "member_type_id")) && exp && strcmp(exp, today) < 0;
    json_t *names = ui_names_new();
    if (json_integer_value(json_object_get(cust, "member_type_id")))
        ui_names_want(names, "member_types", json_integer_value(json_object_get(cust, "member_type_id")));
    ui_names_resolve(r, names);
    const char *tname =
        ui_names_get(names, "member_types", json_integer_value(json_object_get(cust, "member_type_id")));
    buf_htmlf(
        o, "<section class=\"card member-card\"><h2><a href=\"/app/members/%lld\">%s</a> <span class=\"tag\">%s</span>",
        (long long)json_integer_value(json_object_get(cust, "id")),
        json_string_value(json_object_get(cust, "name")) ? json_string_value(json_object_get(cust, "name")) : "",
        tname ? tname : T(r, "not a member"));
    if (expired)
        buf_htmlf(o, " <span class=\"tag danger\" data-expired>%s %s</span>", T(r, "membership expired"), exp);
    buf_raw(o, "</h2><dl class=\"keyfields\">");
    buf_htmlf(o, "<div><dt>%s</dt><dd>%s</dd></div>", T(r, "Card no."),
              json_string_value(json_object_get(cust, "card_no")) ? json_string_value(json_object_get(cust, "card_no"))
                                                                  : "—");
    buf_htmlf(o, "<div><dt>%s</dt><dd>%s</dd></div>", T(r, "Expires"), exp ? exp : "—");
    static const char *money[][2] = {{"balance", N_("Balance")}, {"bonus_balance", N_("Bonus balance")}};
    for (int i = 0; i < 2; i++) {
        buf_htmlf(o, "<div><dt>%s</dt><dd>", T(r, money[i][1]));
        ui_money(o, json_integer_value(json_object_get(cust, money[i][0])));
        buf_raw(o, "</dd></div>");
    }
    buf_htmlf(o, "<div><dt>%s</dt><dd>", T(r, "Points"));
    ui_int(o, json_integer_value(json_object_get(cust, "points")));
    buf_htmlf(o, "</dd></div><div><dt>%s</dt><dd>", T(r, "Uses left"));
    ui_int(o, json_integer_value(json_object_get(cust, "count_left")));
    buf_raw(o, "</dd></div></dl></section>");
    json_decref(names);
}

/* The checkout page: member lookup, the member's open bookings for today,
 * ad-hoc lines, payment. form: the values of a failed attempt, or NULL. */
static void checkout_page(Req *r, json_t *form)
{
    const Entity *ce = meta_entity("checkouts");
    if (acl_scope(&r->c, ce, ACT_CREATE) == SCOPE_NONE) {
        ctx_fail(&r->c, GX_EDENIED, "You may not create checkouts");
        return ui_fail(r);
    }
    GxErr failed = form ? r->c.err : GX_OK;
    int status = failed ? gx_http_status(failed) : 200;
    Buf errors;
    buf_init(&errors, &r->arena);
    if (failed)
        ui_member_errors(r, &errors);
    ctx_clear(&r->c);
    const char *member_q = form ? fv(form, "member") : http_query(r, "member");
    const char *booking_q = http_query(r, "booking_id");
    int64_t cid = 0, pre_booking = 0;
    if (form)
        parse_i64(fv(form, "customer_id"), &cid);
    if (booking_q && parse_i64(booking_q, &pre_booking) && pre_booking > 0) {
        json_t *bk;
        if (record_get(&r->c, meta_entity("bookings"), pre_booking, &bk) == GX_OK) {
            cid = json_integer_value(json_object_get(bk, "customer_id"));
            json_decref(bk);
        }
        ctx_clear(&r->c);
    }
    bool not_found = false;
    if (!cid && member_q && *member_q) {
        cid = find_member(r, member_q);
        not_found = !cid;
    }
    json_t *cust = NULL;
    if (cid && record_get(&r->c, meta_entity("customers"), cid, &cust)) {
        ctx_clear(&r->c);
        cid = 0;
    }
    json_t *resources = NULL, *bookings = NULL;
    json_t *rw = json_pack("{s:[{s:s, s:s, s:b}]}", "and", "field", "active", "op", "eq", "value", 1);
    ListQuery lq = {.where = rw, .sort = "name", .limit = RECORD_LIMIT_MAX, .action = ACT_READ};
    if (record_list(&r->c, meta_entity("resources"), &lq, &resources, NULL))
        resources = json_array();
    json_decref(rw);
    ctx_clear(&r->c);
    if (cid) {
        char today[11];
        ms_today(today);
        int64_t t0;
        ms_day_start(today, &t0);
        json_t *bw =
            json_pack("{s:[{s:s, s:s, s:I}, {s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}]}", "and", "field",
                      "customer_id", "op", "eq", "value", (json_int_t)cid, "field", "status", "op", "eq", "value",
                      "booked", "field", "start_at", "op", "ge", "value", ui_utc_string(r, t0 - 86400), "field",
                      "start_at", "op", "lt", "value", ui_utc_string(r, t0 + 2 * 86400));
        ListQuery bq = {.where = bw, .sort = "start_at", .limit = 50, .action = ACT_READ};
        if (record_list(&r->c, meta_entity("bookings"), &bq, &bookings, NULL))
            bookings = json_array();
        json_decref(bw);
        ctx_clear(&r->c);
    } else if (pre_booking) {
        json_t *bk;
        bookings = json_array();
        if (record_get(&r->c, meta_entity("bookings"), pre_booking, &bk) == GX_OK)
            json_array_append_new(bookings, bk);
        ctx_clear(&r->c);
    }
    Page p = {.title = T(r, "Checkout desk"), .nav = "checkouts"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(
        o,
        "<div class=\"page-head\"><h1>%s</h1><div class=\"actions\"><a class=\"btn\" href=\"/app/checkouts\">%s</a>"
        "<a class=\"btn\" href=\"/app/reports/front_desk\">%s</a></div></div>",
        T(r, "Checkout desk"), T(r, "All checkouts"), T(r, "Front-desk reports"));
    if (failed)
        buf_raw(o, errors.data);
    buf_htmlf(o,
              "<form method=\"get\" action=\"/app/checkouts/new\" class=\"card inline-form member-find\"><label>%s "
              "<input name=\"member\" value=\"%s\" placeholder=\"%s\" autofocus></label><button class=\"btn\" "
              "type=\"submit\">%s</button>"
              "<a class=\"btn\" href=\"/app/checkouts/new\">%s</a></form>",
              T(r, "Member"), member_q ? member_q : "", T(r, "card no. or phone"), T(r, "Find"), T(r, "Walk-in guest"));
    if (not_found)
        buf_htmlf(o, "<div class=\"alert\" role=\"alert\">%s</div>", T(r, "No member has this card number or phone."));
    if (cust)
        ui_member_panel(r, cust);
    buf_raw(o, "<form method=\"post\" action=\"/app/checkouts/new\" class=\"card record-form checkout-form\">");
    ui_csrf_field(r);
    buf_htmlf(o, "<input type=\"hidden\" name=\"member\" value=\"%s\">", member_q ? member_q : "");
    if (cust)
        buf_htmlf(o, "<input type=\"hidden\" name=\"customer_id\" value=\"%lld\">", (long long)cid);
    else
        buf_htmlf(o,
                  "<label class=\"field\"><span class=\"label\">%s</span><input name=\"guest_name\" value=\"%s\" "
                  "maxlength=\"100\" placeholder=\"%s\"></label>",
                  T(r, "Walk-in guest"), form ? fv(form, "guest_name") : "", T(r, "name (optional)"));
    if (json_array_size(bookings)) {
        buf_htmlf(o, "<fieldset><legend>%s</legend>", T(r, "Bookings to check out"));
        json_t *names = ui_names_new();
        size_t i;
        json_t *b;
        json_array_foreach(bookings, i, b)
            ui_names_want(names, "resources", json_integer_value(json_object_get(b, "resource_id")));
        ui_names_resolve(r, names);
        json_array_foreach(bookings, i, b)
        {
            int64_t bid = json_integer_value(json_object_get(b, "id"));
            const char *rn = ui_names_get(names, "resources", json_integer_value(json_object_get(b, "resource_id")));
            bool checked = pre_booking == bid || (!form && json_array_size(bookings) == 1);
            buf_htmlf(
                o,
                "<label class=\"check\"><input type=\"checkbox\" name=\"booking\" value=\"%lld\"%s> %s %s–%s</label>",
                (long long)bid, checked ? " checked" : "", rn ? rn : "",
                hhmm(r, json_string_value(json_object_get(b, "start_at"))),
                hhmm(r, json_string_value(json_object_get(b, "end_at"))));
        }
        json_decref(names);
        buf_raw(o, "</fieldset>");
    }
    buf_htmlf(o,
              "<fieldset><legend>%s</legend><div class=\"table-wrap\"><table "
              "class=\"lines\"><thead><tr><th>%s</th><th>%s</th>"
              "<th>%s</th><th>%s</th></tr></thead><tbody>",
              T(r, "Other items"), T(r, "Resource or item"), T(r, "Quantity / hours"), T(r, "From"), T(r, "To"));
    for (int i = 1; i <= DESK_LINES; i++) {
        char k[4][16];
        snprintf(k[0], 16, "res_%d", i);
        snprintf(k[1], 16, "qty_%d", i);
        snprintf(k[2], 16, "from_%d", i);
        snprintf(k[3], 16, "to_%d", i);
        buf_htmlf(o, "<tr><td><select name=\"%s\" aria-label=\"%s %d\">", k[0], T(r, "Resource or item"), i);
        resource_options(r, resources, form ? fv(form, k[0]) : NULL);
        buf_htmlf(o,
                  "</select></td><td><input name=\"%s\" type=\"number\" min=\"1\" step=\"1\" value=\"%s\" "
                  "aria-label=\"%s %d\" class=\"qty\"></td>"
                  "<td><input name=\"%s\" type=\"time\" step=\"900\" value=\"%s\" aria-label=\"%s %d\"></td>"
                  "<td><input name=\"%s\" type=\"time\" step=\"900\" value=\"%s\" aria-label=\"%s %d\"></td></tr>",
                  k[1], form ? fv(form, k[1]) : "", T(r, "Quantity / hours"), i, k[2], form ? fv(form, k[2]) : "",
                  T(r, "From"), i, k[3], form ? fv(form, k[3]) : "", T(r, "To"), i);
    }
    buf_raw(o, "</tbody></table></div></fieldset>");
    const char *pm = form ? fv(form, "payment_method") : "cash";
    static const char *methods[][2] = {{"cash", N_("Cash")},
                                       {"card", N_("Card")},
                                       {"stored_value", N_("Stored value")},
                                       {"count_card", N_("Count card")}};
    buf_htmlf(o,
              "<div class=\"book-fields\"><label class=\"field\"><span class=\"label\">%s</span><select "
              "name=\"payment_method\">",
              T(r, "Payment method"));
    for (int i = 0; i < 4; i++)
        if (cust || i < 2)
            buf_htmlf(o, "<option value=\"%s\"%s>%s</option>", methods[i][0],
                      !strcmp(pm, methods[i][0]) ? " selected" : "", T(r, methods[i][1]));
    buf_htmlf(o,
              "</select></label><label class=\"field\"><span class=\"label\">%s</span><input name=\"amount_paid\" "
              "inputmode=\"decimal\" "
              "value=\"%s\" placeholder=\"%s\"></label>"
              "<label class=\"field\"><span class=\"label\">%s</span><input name=\"extra_discount\" "
              "inputmode=\"decimal\" value=\"%s\" placeholder=\"0.00\"></label>"
              "<label class=\"field\"><span class=\"label\">%s</span><input name=\"notes\" value=\"%s\" "
              "maxlength=\"2000\"></label></div>",
              T(r, "Amount paid (¥)"), form ? fv(form, "amount_paid") : "", T(r, "= total"), T(r, "Extra discount (¥)"),
              form ? fv(form, "extra_discount") : "", T(r, "Notes"), form ? fv(form, "notes") : "");
    buf_htmlf(o, "<div class=\"form-actions\"><button class=\"btn primary\" type=\"submit\">%s</button></div></form>",
              T(r, "Check out"));
    ui_end(r, &p);
    r->status = status;
    json_decref(cust);
    json_decref(resources);
    json_decref(bookings);
}

void ui_checkout_page(Req *r)
{
    checkout_page(r, NULL);
}

/* Yuan as typed into fen; empty = absent. false (field error) when malformed. */
static bool form_money(Req *r, json_t *form, const char *key, json_t *in)
{
    const char *v = fv(form, key);
    if (!*v)
        return true;
    int64_t fen;
    if (!ui_parse_money(v, &fen)) {
        ctx_field(&r->c, key, "%s", T(r, "must be an amount like 12.50"));
        return false;
    }
    json_object_set_new(in, key, json_integer(fen));
    return true;
}

void ui_checkout_post(Req *r)
{
    json_t *form = http_form(r);
    json_t *in = json_object(), *lines = json_array();
    int64_t cid = 0;
    if (parse_i64(fv(form, "customer_id"), &cid) && cid > 0)
        json_object_set_new(in, "customer_id", json_integer(cid));
    else if (*fv(form, "guest_name"))
        json_object_set_new(in, "guest_name", json_string(fv(form, "guest_name")));
    json_t *bk = json_object_get(form, "booking");
    if (json_is_string(bk)) {
        json_t *one = json_array();
        json_array_append(one, bk);
        bk = one;
    } else {
        json_incref(bk);
    }
    size_t i;
    json_t *v;
    json_array_foreach(bk, i, v)
    {
        int64_t id;
        if (parse_i64(json_string_value(v), &id))
            json_array_append_new(lines, json_pack("{s:I}", "booking_id", (json_int_t)id));
    }
    json_decref(bk);
    char today[11];
    ms_today(today);
    for (int k = 1; k <= DESK_LINES; k++) {
        char key[16];
        snprintf(key, sizeof key, "res_%d", k);
        int64_t rid;
        if (!parse_i64(fv(form, key), &rid) || rid <= 0)
            continue;
        json_t *l = json_pack("{s:I}", "resource_id", (json_int_t)rid);
        char qk[16], fk[16], tk[16];
        snprintf(qk, sizeof qk, "qty_%d", k);
        snprintf(fk, sizeof fk, "from_%d", k);
        snprintf(tk, sizeof tk, "to_%d", k);
        const char *q = fv(form, qk), *from = fv(form, fk), *to = fv(form, tk);
        if (*from && *to) {
            json_object_set_new(l, "start_at", json_string(arena_printf(&r->arena, "%sT%s:00+08:00", today, from)));
            json_object_set_new(l, "end_at", json_string(arena_printf(&r->arena, "%sT%s:00+08:00", today, to)));
        } else if (*q) {
            int64_t n;
            json_object_set_new(l, "quantity", parse_i64(q, &n) ? json_integer(n) : json_string(q));
        }
        json_array_append_new(lines, l);
    }
    json_object_set_new(in, "lines", lines);
    json_object_set_new(in, "payment_method",
                        json_string(*fv(form, "payment_method") ? fv(form, "payment_method") : "cash"));
    if (*fv(form, "notes"))
        json_object_set_new(in, "notes", json_string(fv(form, "notes")));
    bool ok = form_money(r, form, "amount_paid", in) & form_money(r, form, "extra_discount", in);
    json_t *out = NULL;
    if (ok && record_create(&r->c, meta_entity("checkouts"), in, &out) == GX_OK) {
        int64_t id = json_integer_value(json_object_get(out, "id"));
        json_decref(out);
        json_decref(in);
        json_decref(form);
        ui_redirect(r, arena_printf(&r->arena, "/app/checkouts/%lld/receipt", (long long)id));
        return;
    }
    json_decref(in);
    checkout_page(r, form);
    json_decref(form);
}

/* ---------- receipt ---------- */

static void money_row(Req *r, const char *label, int64_t fen, bool strong)
{
    Buf *o = &r->out;
    buf_htmlf(o, "<tr%s><th scope=\"row\">%s</th><td class=\"num\">", strong ? " class=\"total\"" : "", label);
    ui_money(o, fen);
    buf_raw(o, "</td></tr>");
}

void ui_checkout_receipt(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    json_t *co;
    if (record_get(&r->c, meta_entity("checkouts"), id, &co))
        return ui_fail(r);
    json_t *cust = NULL;
    int64_t cid = json_integer_value(json_object_get(co, "customer_id"));
    if (cid && record_get(&r->c, meta_entity("customers"), cid, &cust))
        ctx_clear(&r->c);
    Page p = {.title = T(r, "Receipt"), .nav = "checkouts"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    const char *number = json_string_value(json_object_get(co, "number"));
    buf_htmlf(o,
              "<div class=\"page-head actions\"><h1>%s</h1><div><button class=\"btn primary\" type=\"button\" "
              "data-print>%s</button>"
              " <a class=\"btn\" href=\"/app/checkouts/new\">%s</a></div></div>",
              T(r, "Receipt"), T(r, "Print"), T(r, "Next checkout"));
    buf_htmlf(o, "<article class=\"card receipt\"><h2>%s</h2><p>%s <strong>%s</strong><br>", T(r, "Receipt"),
              T(r, "No."), number ? number : "");
    ui_datetime(r, o, json_string_value(json_object_get(co, "created_at")));
    buf_raw(o, "<br>");
    if (cust)
        buf_htmlf(
            o, "%s: %s · %s %s", T(r, "Member"),
            json_string_value(json_object_get(cust, "name")) ? json_string_value(json_object_get(cust, "name")) : "",
            T(r, "Card no."),
            json_string_value(json_object_get(cust, "card_no")) ? json_string_value(json_object_get(cust, "card_no"))
                                                                : "—");
    else
        buf_htmlf(o, "%s: %s", T(r, "Guest"),
                  json_string_value(json_object_get(co, "guest_name"))
                      ? json_string_value(json_object_get(co, "guest_name"))
                      : "");
    if (json_is_true(json_object_get(co, "member_expired")))
        buf_htmlf(o, " <span class=\"tag danger\">%s</span>", T(r, "membership expired"));
    buf_htmlf(o,
              "</p><table class=\"receipt-lines\"><thead><tr><th>%s</th><th>%s</th><th class=\"num\">%s</th>"
              "<th class=\"num\">%s</th><th class=\"num\">%s</th></tr></thead><tbody>",
              T(r, "Item"), T(r, "Time / quantity"), T(r, "Price"), T(r, "Discount"), T(r, "Amount"));
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(co, "lines"), i, l)
    {
        const char *s = json_string_value(json_object_get(l, "start_at"));
        buf_htmlf(o, "<tr><td>%s</td><td>",
                  json_string_value(json_object_get(l, "name")) ? json_string_value(json_object_get(l, "name")) : "");
        if (s)
            buf_htmlf(o, "%s–%s (%lld %s)", hhmm(r, s), hhmm(r, json_string_value(json_object_get(l, "end_at"))),
                      (long long)json_integer_value(json_object_get(l, "minutes")), T(r, "min"));
        else if (json_integer_value(json_object_get(l, "quantity")) % 60 == 0 &&
                 strcmp(json_string_value(json_object_get(l, "kind")) ? json_string_value(json_object_get(l, "kind"))
                                                                      : "",
                        "consumable"))
            buf_htmlf(o, "%lld %s", (long long)json_integer_value(json_object_get(l, "quantity")) / 60, T(r, "h"));
        else
            buf_htmlf(o, "× %lld", (long long)json_integer_value(json_object_get(l, "quantity")));
        buf_raw(o, "</td><td class=\"num\">");
        ui_money(o, json_integer_value(json_object_get(l, "unit_price")));
        buf_raw(o, "</td><td class=\"num\">");
        ui_money(o, json_integer_value(json_object_get(l, "discount")));
        buf_raw(o, "</td><td class=\"num\">");
        ui_money(o, json_integer_value(json_object_get(l, "total")));
        buf_raw(o, "</td></tr>");
    }
    buf_raw(o, "</tbody></table><table class=\"receipt-sum\"><tbody>");
    money_row(r, T(r, "Amount due"), json_integer_value(json_object_get(co, "amount_due")), false);
    money_row(r, T(r, "Member discount"), json_integer_value(json_object_get(co, "discount")), false);
    if (json_integer_value(json_object_get(co, "extra_discount")))
        money_row(r, T(r, "Extra discount"), json_integer_value(json_object_get(co, "extra_discount")), false);
    money_row(r, T(r, "Total"), json_integer_value(json_object_get(co, "total")), true);
    const Field *pmf = meta_field(meta_entity("checkouts"), "payment_method");
    const EnumOption *opt = meta_option(pmf, json_string_value(json_object_get(co, "payment_method"))
                                                 ? json_string_value(json_object_get(co, "payment_method"))
                                                 : "");
    buf_htmlf(o, "<tr><th scope=\"row\">%s</th><td class=\"num\">%s</td></tr>", T(r, "Payment method"),
              opt ? ui_label(r, &opt->label) : "");
    money_row(r, T(r, "Amount paid"), json_integer_value(json_object_get(co, "amount_paid")), false);
    if (json_integer_value(json_object_get(co, "change_given")))
        money_row(r, T(r, "Change"), json_integer_value(json_object_get(co, "change_given")), false);
    buf_htmlf(o, "<tr><th scope=\"row\">%s</th><td class=\"num\">%lld</td></tr>", T(r, "Points awarded"),
              (long long)json_integer_value(json_object_get(co, "points_awarded")));
    if (cust) {
        money_row(r, T(r, "Balance now"),
                  json_integer_value(json_object_get(cust, "balance")) +
                      json_integer_value(json_object_get(cust, "bonus_balance")),
                  false);
        buf_htmlf(o, "<tr><th scope=\"row\">%s</th><td class=\"num\">%lld</td></tr>", T(r, "Points now"),
                  (long long)json_integer_value(json_object_get(cust, "points")));
    }
    buf_htmlf(o, "</tbody></table><p class=\"muted\">%s</p></article>", T(r, "Thank you for your visit!"));
    json_decref(co);
    json_decref(cust);
    ui_end(r, &p);
}
