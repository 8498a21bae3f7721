/* reminders.c — the reminder centre (/reminders: the user's reminders grouped
 * by kind; administrators also set the "not contacted for N days" threshold)
 * and the reminders card of the home page. */
#include <string.h>

#include "../base/util.h"
#include "../modules/reminders.h"
#include "ui.h"

/* Kinds in display order, with their headings. */
static const struct {
    const char *kind;
    const char *label;
} kinds[] = {
    {"task_overdue", N_("Overdue")},
    {"task_due", N_("Due today")},
    {"birthday", N_("Birthdays in the next 3 days")},
    {"pool_release", N_("Going back to the customer pool soon")},
    {"no_contact", N_("Not contacted for a long time")},
    {"assigned", N_("Newly assigned to me")},
    {"member_expiring", N_("Memberships expiring within 30 days")},
    {"member_absent", N_("Members not seen for a month")},
    {"payment_overdue", N_("Overdue payments")},
    {"contract_renewal", N_("Contracts up for renewal")},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* One reminder as a list item. */
static void item(Req *r, json_t *it)
{
    Buf *o = &r->out;
    const char *entity = json_string_value(json_object_get(it, "entity"));
    const Entity *e = meta_entity(entity ? entity : "");
    const char *kind = json_string_value(json_object_get(it, "kind"));
    const char *title = json_string_value(json_object_get(it, "title"));
    buf_htmlf(o, "<li><a href=\"/app/%s/%lld\">%s</a>", entity ? entity : "",
              (long long)json_integer_value(json_object_get(it, "id")), title && *title ? title : "—");
    if (e)
        buf_htmlf(o, " <span class=\"tag\">%s</span>", ui_label(r, &e->singular));
    const char *date = json_string_value(json_object_get(it, "date"));
    const char *at = json_string_value(json_object_get(it, "at"));
    buf_raw(o, " <span class=\"muted\">");
    json_t *detail = json_object_get(it, "detail");
    if (!strcmp(kind, "pool_release"))
        buf_html(o, arena_printf(&r->arena, T(r, "%lld days left"),
                                 (long long)json_integer_value(json_object_get(detail, "days_left"))));
    else if (!strcmp(kind, "payment_overdue")) { /* sales money (modules/sales/payments.c) */
        ui_money(o, json_integer_value(json_object_get(detail, "amount_due")));
        buf_html(o, arena_printf(&r->arena, T(r, ", due %s (%lld days ago)"), date ? date : "",
                                 (long long)json_integer_value(json_object_get(detail, "days_overdue"))));
    } else if (!strcmp(kind, "contract_renewal"))
        buf_html(o, arena_printf(&r->arena, T(r, "ends %s, %lld days left"), date ? date : "",
                                 (long long)json_integer_value(json_object_get(detail, "days_left"))));
    else if (!strcmp(kind, "no_contact"))
        buf_html(o, arena_printf(&r->arena, T(r, "no follow-up for %lld days"),
                                 (long long)json_integer_value(json_object_get(detail, "days"))));
    else if (at && (!strcmp(kind, "task_due") || !strcmp(kind, "task_overdue") || !strcmp(kind, "assigned")))
        ui_datetime(r, o, at);
    else if (date)
        buf_html(o, date);
    buf_raw(o, "</span></li>");
}

/* Count of reminders of one kind. */
static int count_kind(json_t *items, const char *kind)
{
    int n = 0;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) n += !strcmp(json_string_value(json_object_get(it, "kind")), kind);
    return n;
}

/* GET /reminders */
void ui_reminders_page(Req *r)
{
    json_t *items = NULL;
    if (reminders_list(&r->c, &items))
        return ui_fail(r);
    Page p = {.title = T(r, "Reminders"), .nav = "reminders"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(
        o, "<div class=\"page-head\"><h1>%s</h1><a class=\"btn\" href=\"/app/notifications?scene=mine\">%s</a></div>",
        T(r, "Reminders"), T(r, "Notifications"));
    if (!json_array_size(items))
        buf_htmlf(o, "<section class=\"card empty\"><p>%s</p></section>", T(r, "Nothing to remind you of right now."));
    buf_raw(o, "<div class=\"dashboard reminders\">");
    for (size_t k = 0; k < NKINDS; k++) {
        int n = count_kind(items, kinds[k].kind);
        if (!n)
            continue;
        buf_htmlf(o,
                  "<section class=\"card\" data-kind=\"%s\"><h2>%s <span class=\"badge muted\">%d</span></h2><ul "
                  "class=\"recent\">",
                  kinds[k].kind, T(r, kinds[k].label), n);
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it) if (!strcmp(json_string_value(json_object_get(it, "kind")), kinds[k].kind))
            item(r, it);
        buf_raw(o, "</ul></section>");
    }
    buf_raw(o, "</div>");
    if (acl_is_admin(&r->c)) {
        json_t *st = NULL;
        reminders_settings_get(&r->c, &st);
        buf_htmlf(o,
                  "<section class=\"card\"><h2>%s</h2><form method=\"post\" action=\"/reminders/settings\" "
                  "class=\"inline-form\">",
                  T(r, "Reminder settings"));
        ui_csrf_field(r);
        buf_htmlf(
            o,
            "<label for=\"no-contact-days\">%s</label><input id=\"no-contact-days\" name=\"no_contact_days\" "
            "type=\"number\" min=\"0\" max=\"3650\" value=\"%lld\"><button class=\"btn\" type=\"submit\">%s</button>"
            "</form><p class=\"muted\">%s</p></section>",
            T(r, "Remind about customers not contacted for (days)"),
            (long long)json_integer_value(json_object_get(st, "no_contact_days")), T(r, "Save"),
            T(r, "0 turns it off."));
        json_decref(st);
    }
    json_decref(items);
    ui_end(r, &p);
}

/* POST /reminders/settings (administrators) */
void ui_reminders_settings_post(Req *r)
{
    json_t *form = http_form(r);
    const char *v = json_string_value(json_object_get(form, "no_contact_days"));
    int64_t n;
    json_t *in = json_object();
    if (v && parse_i64(v, &n))
        json_object_set_new(in, "no_contact_days", json_integer(n));
    else
        json_object_set_new(in, "no_contact_days", json_string(v ? v : ""));
    json_decref(form);
    json_t *out = NULL;
    GxErr rc = reminders_settings_set(&r->c, in, &out);
    json_decref(in);
    json_decref(out);
    if (rc)
        return ui_fail(r);
    ui_flash(r, "saved");
    ui_redirect(r, "/reminders");
}

/* The home page card: counts per kind and the first reminders. */
void ui_reminders_card(Req *r)
{
    Buf *o = &r->out;
    json_t *items = NULL;
    if (reminders_list(&r->c, &items)) {
        ctx_clear(&r->c);
        return;
    }
    buf_htmlf(o, "<section class=\"card\" id=\"reminders-card\"><h2>%s</h2>", T(r, "Reminders"));
    if (!json_array_size(items)) {
        buf_htmlf(o, "<p class=\"muted\">%s</p>", T(r, "Nothing to remind you of right now."));
    } else {
        buf_raw(o, "<p class=\"reminder-counts\">");
        for (size_t k = 0; k < NKINDS; k++) {
            int n = count_kind(items, kinds[k].kind);
            if (n)
                buf_htmlf(o, "<span class=\"tag\">%s %d</span> ", T(r, kinds[k].label), n);
        }
        buf_raw(o, "</p><ul class=\"recent\">");
        int shown = 0;
        for (size_t k = 0; k < NKINDS && shown < 6; k++) {
            size_t i;
            json_t *it;
            json_array_foreach(items, i, it)
            {
                if (shown >= 6)
                    break;
                if (!strcmp(json_string_value(json_object_get(it, "kind")), kinds[k].kind)) {
                    item(r, it);
                    shown++;
                }
            }
        }
        buf_raw(o, "</ul>");
    }
    buf_htmlf(o, "<p><a href=\"/reminders\">%s</a></p></section>", T(r, "All reminders"));
    json_decref(items);
}
