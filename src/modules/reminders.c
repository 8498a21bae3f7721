/* reminders.c — the current user's reminders (待办), the daily job turning
 * them into in-app notifications (one per user, kind, record and date, even
 * across restarts and servers), and the reminder settings (see reminders.h). */
#include "reminders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../acl/acl.h"
#include "../base/clock.h"
#include "../base/log.h"
#include "../base/util.h"
#include "../jobs/jobs.h"
#include "../record/record.h"
#include "modules.h"
#include "pool.h"

#define BIRTHDAY_DAYS 4 /* today and the next 3 days */
#define OVERDUE_DAYS 30 /* overdue items older than this are not listed */
#define ASSIGNED_DAYS 7 /* "newly assigned" window */
#define PER_SOURCE_LIMIT 100
#define NO_CONTACT_DEFAULT 30

static BirthdaySourceFn birthday_sources[8];
static int nbirthday_sources;

static ReminderSourceFn sources[8];
static int nsources;

void reminders_source_add(ReminderSourceFn fn)
{
    if (nsources == (int)(sizeof sources / sizeof sources[0]))
        gx_die("too many reminder sources");
    sources[nsources++] = fn;
}

void reminders_birthday_source_add(BirthdaySourceFn fn)
{
    if (nbirthday_sources == (int)(sizeof birthday_sources / sizeof birthday_sources[0]))
        gx_die("too many birthday sources");
    birthday_sources[nbirthday_sources++] = fn;
}

/* "YYYY-MM-DD" of a local day number. */
static const char *day_text(Ctx *c, int64_t day)
{
    char t[64];
    time_format_s(day * 86400, t);
    return arena_strndup(c->arena, t, 10);
}

/* "YYYY-MM-DD" of the company-zone date of a stored UTC time. */
static const char *local_date_of(Ctx *c, const char *utc)
{
    int64_t t;
    if (!utc || !time_parse_rfc3339(utc, &t))
        return NULL;
    return day_text(c, clock_local_day(t));
}

static const char *utc_text(Ctx *c, int64_t s)
{
    char *t = arena_alloc(c->arena, 64);
    time_format_ms(s * 1000, t);
    return t;
}

static void add(json_t *out, const char *kind, const char *entity, int64_t id, const char *title, const char *date,
                const char *at, json_t *detail)
{
    json_t *o = json_pack("{s:s, s:s, s:I, s:s?, s:s?}", "kind", kind, "entity", entity, "id", (json_int_t)id, "title",
                          title, "date", date);
    if (at)
        json_object_set_new(o, "at", json_string(at));
    if (detail)
        json_object_set_new(o, "detail", detail);
    json_array_append_new(out, o);
}

/* Start "SELECT id, <title> …" over e's own live rows in the user's read scope. */
static void own_rows(Ctx *c, const Entity *e, Sql *q, const char *cols)
{
    sql_init(q, c->arena);
    /* sql-ok: table and column names come from metadata */
    sql_raw(q, arena_printf(c->arena, "SELECT id, %s%s FROM %s WHERE deleted_at IS NULL AND owner_id = ", /* sql-ok: identifiers from metadata or a literal column list */
                            e->title_field ? e->title_field : "id", cols, e->table));
    sql_param(q, dbv_int(c->who->user_id));
    acl_scope_predicate(c, e, ACT_READ, q);
}

static bool readable(Ctx *c, const Entity *e)
{
    return e && e->owned && acl_scope(c, e, ACT_READ) != SCOPE_NONE;
}

/* The built-in birthday source: solar `birthday` dates (month and day match). */
static GxErr solar_birthdays(Ctx *c, const Entity *e, int64_t day0, int ndays, json_t *out)
{
    const Field *f = meta_field(e, "birthday");
    if (!f || f->type != FT_DATE)
        return GX_OK;
    Sql q;
    own_rows(c, e, &q, ", birthday");
    if (meta_field(e, "birthday_lunar")) /* lunar birthdays: modules/china.c */
        sql_raw(&q, " AND (birthday_lunar IS NULL OR birthday_lunar = 0)");
    sql_raw(&q, " AND birthday IS NOT NULL AND substr(birthday, 6, 5) IN (");
    const char *md[BIRTHDAY_DAYS * 2];
    const char *dates[BIRTHDAY_DAYS * 2];
    int n = 0;
    for (int i = 0; i < ndays && n < BIRTHDAY_DAYS * 2 - 1; i++) {
        const char *d = day_text(c, day0 + i);
        dates[n] = d;
        md[n++] = d + 5;
        /* 29 February birthdays are remembered on the 28th in common years. */
        int y, m, dd;
        if (time_parse_date(d, &y, &m, &dd) && m == 2 && dd == 28 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) {
            dates[n] = d;
            md[n++] = "02-29";
        }
    }
    for (int i = 0; i < n; i++) {
        if (i)
            sql_raw(&q, ", ");
        sql_param(&q, dbv_text(md[i]));
    }
    sql_raw(&q, ") ORDER BY id LIMIT 100");
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read birthdays of %s: %s", e->name, db_errmsg(c->db));
    while (db_next(r) == 1) {
        const char *b = db_text(r, 2);
        for (int i = 0; i < n; i++)
            if (b && strlen(b) >= 10 && !strcmp(b + 5, md[i])) {
                add(out, "birthday", e->name, db_int(r, 0), db_text(r, 1), dates[i], NULL,
                    json_pack("{s:s}", "birthday", b));
                break;
            }
    }
    db_done(r);
    return GX_OK;
}

/* Items of e whose `field` falls before the end of today: due today or overdue
 * (within OVERDUE_DAYS). A date field compares local dates, a datetime field
 * UTC instants. extra: a literal condition (open items only). */
static GxErr due_items(Ctx *c, const Entity *e, const char *field, const char *extra, json_t *out)
{
    const Field *f = meta_field(e, field);
    if (!f || (f->type != FT_DATE && f->type != FT_DATETIME) || !readable(c, e))
        return GX_OK;
    int64_t today = clock_local_day(clock_now_s());
    bool is_date = f->type == FT_DATE;
    const char *from =
        is_date ? day_text(c, today - OVERDUE_DAYS) : utc_text(c, clock_local_midnight(today - OVERDUE_DAYS));
    const char *to = is_date ? day_text(c, today + 1) : utc_text(c, clock_local_midnight(today + 1));
    const char *start = is_date ? day_text(c, today) : utc_text(c, clock_local_midnight(today));
    Sql q;
    own_rows(c, e, &q, arena_printf(c->arena, ", %s", field));
    sql_raw(&q, arena_printf(c->arena, " AND %s >= ", field)); /* sql-ok: field name from metadata */
    sql_param(&q, dbv_text(from));
    sql_raw(&q, arena_printf(c->arena, " AND %s < ", field)); /* sql-ok: field name from metadata */
    sql_param(&q, dbv_text(to));
    if (extra)
        sql_raw(&q, extra);
    sql_raw(&q, arena_printf(c->arena, " ORDER BY %s LIMIT %d", field, PER_SOURCE_LIMIT)); /* sql-ok: metadata */
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read due %s: %s", e->name, db_errmsg(c->db));
    while (db_next(r) == 1) {
        const char *v = db_text(r, 2);
        bool overdue = strcmp(v, start) < 0;
        add(out, overdue ? "task_overdue" : "task_due", e->name, db_int(r, 0), db_text(r, 1),
            is_date ? arena_strndup(c->arena, v, 10) : local_date_of(c, v), is_date ? NULL : v,
            json_pack("{s:s}", "field", field));
    }
    db_done(r);
    return GX_OK;
}

static int64_t setting_int(Ctx *c, const char *key, int64_t dflt)
{
    char *v = NULL;
    DbVal p[] = {dbv_text(key)};
    if (!db_table_exists(c->db, "app_settings") ||
        db_query_text(c->db, c->arena, "SELECT value FROM app_settings WHERE key = $1", p, 1, &v) != DB_OK || !v)
        return dflt;
    int64_t n;
    return parse_i64(v, &n) ? n : dflt;
}

static GxErr no_contact(Ctx *c, json_t *out)
{
    const Entity *e = meta_entity("customers");
    if (!readable(c, e) || !meta_field(e, "last_follow_up_at"))
        return GX_OK;
    int64_t days = setting_int(c, "reminders.no_contact_days", NO_CONTACT_DEFAULT);
    if (days <= 0)
        return GX_OK;
    const char *cutoff = utc_text(c, clock_now_s() - days * 86400);
    Sql q;
    own_rows(c, e, &q, ", coalesce(last_follow_up_at, created_at)");
    sql_raw(&q, " AND coalesce(last_follow_up_at, created_at) < ");
    sql_param(&q, dbv_text(cutoff));
    sql_raw(&q, " ORDER BY coalesce(last_follow_up_at, created_at) LIMIT 100");
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read customers: %s", db_errmsg(c->db));
    int64_t now = clock_now_s();
    while (db_next(r) == 1) {
        int64_t t = 0;
        time_parse_rfc3339(db_text(r, 2), &t);
        add(out, "no_contact", "customers", db_int(r, 0), db_text(r, 1), local_date_of(c, db_text(r, 2)), db_text(r, 2),
            json_pack("{s:I, s:I}", "days", (json_int_t)((now - t) / 86400), "setting", (json_int_t)days));
    }
    db_done(r);
    return GX_OK;
}

static GxErr pool_release_soon(Ctx *c, json_t *out)
{
    const Entity *e = meta_entity("customers");
    if (!readable(c, e) || !meta_field(e, "release_due"))
        return GX_OK;
    int remind = pool_remind_days(c, c->who->user_id, c->who->department_id);
    if (remind < 0)
        return GX_OK;
    int64_t today = clock_local_day(clock_now_s());
    Sql q;
    own_rows(c, e, &q, ", release_due, days_left");
    sql_raw(&q, " AND release_due IS NOT NULL AND release_due < ");
    sql_param(&q, dbv_text(utc_text(c, clock_local_midnight(today + remind + 1))));
    sql_raw(&q, " ORDER BY release_due LIMIT 100");
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read customers: %s", db_errmsg(c->db));
    while (db_next(r) == 1)
        add(out, "pool_release", "customers", db_int(r, 0), db_text(r, 1), local_date_of(c, db_text(r, 2)),
            db_text(r, 2), json_pack("{s:I}", "days_left", (json_int_t)(db_isnull(r, 3) ? 0 : db_int(r, 3))));
    db_done(r);
    return GX_OK;
}

static GxErr assigned(Ctx *c, json_t *out)
{
    const Entity *ne = meta_entity("notifications");
    if (!ne || acl_scope(c, ne, ACT_READ) == SCOPE_NONE)
        return GX_OK;
    DbVal p[] = {dbv_int(c->who->user_id), dbv_text(utc_text(c, clock_now_s() - ASSIGNED_DAYS * 86400))};
    DbRes *r;
    if (db_query(
            c->db,
            "SELECT related_type, related_id, title, created_at FROM notifications WHERE owner_id = $1 AND"
            " kind = 'assignment' AND read = 0 AND deleted_at IS NULL AND created_at >= $2 ORDER BY created_at DESC"
            " LIMIT 100",
            p, 2, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read notifications: %s", db_errmsg(c->db));
    while (db_next(r) == 1)
        if (db_text(r, 0) && !db_isnull(r, 1))
            add(out, "assigned", db_text(r, 0), db_int(r, 1), db_text(r, 2), local_date_of(c, db_text(r, 3)),
                db_text(r, 3), NULL);
    db_done(r);
    return GX_OK;
}

GxErr reminders_list(Ctx *c, json_t **out)
{
    *out = NULL;
    if (!c->who)
        return ctx_fail(c, GX_EAUTH, "Not logged in");
    json_t *a = json_array();
    int64_t today = clock_local_day(clock_now_s());
    GxErr rc = GX_OK;
    static const char *bday_entities[] = {"customers", "contacts", NULL};
    for (int i = 0; !rc && bday_entities[i]; i++) {
        const Entity *e = meta_entity(bday_entities[i]);
        if (!readable(c, e))
            continue;
        rc = solar_birthdays(c, e, today, BIRTHDAY_DAYS, a);
        for (int k = 0; !rc && k < nbirthday_sources; k++)
            rc = birthday_sources[k](c, e, today, BIRTHDAY_DAYS, a);
    }
    const Entity *tasks = meta_entity("tasks");
    const char *open = tasks && meta_field(tasks, "status")
                           ? " AND coalesce(status, '') NOT IN ('done', 'completed', 'cancelled', 'canceled')"
                           : NULL;
    if (!rc)
        rc = due_items(c, meta_entity("customers"), "next_follow_up", NULL, a);
    if (!rc)
        rc = due_items(c, meta_entity("activities"), "next_at", NULL, a);
    if (!rc && tasks)
        rc = due_items(c, tasks, meta_field(tasks, "due_at") ? "due_at" : "due_date", open, a);
    if (!rc)
        rc = no_contact(c, a);
    if (!rc)
        rc = pool_release_soon(c, a);
    if (!rc)
        rc = assigned(c, a);
    for (int k = 0; !rc && k < nsources; k++)
        rc = sources[k](c, a);
    if (rc) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return GX_OK;
}

/* ---------- notifications ---------- */

/* s cut to at most n code points (arena copy). */
static const char *utf8_cut(Ctx *c, const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t i = 0, cp = 0;
    while (s[i] && cp < n) {
        i++;
        while ((s[i] & 0xC0) == 0x80)
            i++;
        cp++;
    }
    return arena_strndup(c->arena, s, i);
}

GxErr notify_user(Ctx *c, int64_t user, const char *kind, const char *title, const char *body, const char *related_type,
                  int64_t related_id, const char *dedupe_key)
{
    const char *now = record_now(c);
    DbVal v[] = {dbv_int(user),
                 dbv_text(now),
                 c->who ? dbv_int(c->who->user_id) : dbv_null(),
                 dbv_text(utf8_cut(c, title, 200)),
                 dbv_text(utf8_cut(c, body, 5000)),
                 dbv_text(kind),
                 dbv_text(related_type),
                 related_id ? dbv_int(related_id) : dbv_null(),
                 dbv_text(dedupe_key)};
    if (db_exec(c->db,
                "INSERT INTO notifications(owner_id, department_id, created_at, created_by, updated_at, updated_by, "
                "version,"
                " title, body, kind, related_type, related_id, read, dedupe_key) VALUES ($1, (SELECT department_id "
                "FROM users"
                " WHERE id = $1), $2, $3, $2, $3, 1, $4, $5, $6, $7, $8, 0, $9) ON CONFLICT DO NOTHING",
                v, 9) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot write a notification: %s", db_errmsg(c->db));
    return GX_OK;
}

/* The notification title of a reminder, in the user's language. */
static const char *reminder_title(Ctx *c, json_t *it, bool en)
{
    const char *kind = json_string_value(json_object_get(it, "kind"));
    const char *t = json_string_value(json_object_get(it, "title"));
    const char *d = json_string_value(json_object_get(it, "date"));
    if (!t)
        t = "";
    if (!strcmp(kind, "birthday"))
        return en ? arena_printf(c->arena, "Birthday of %s on %s", t, d)
                  : arena_printf(c->arena, "%s 的生日：%s", t, d);
    if (!strcmp(kind, "task_due"))
        return en ? arena_printf(c->arena, "Due today: %s", t) : arena_printf(c->arena, "今日待办：%s", t);
    if (!strcmp(kind, "no_contact"))
        return en ? arena_printf(c->arena, "Not contacted for a long time: %s", t)
                  : arena_printf(c->arena, "客户「%s」长时间未联系", t);
    if (!strcmp(kind, "pool_release"))
        return en ? arena_printf(c->arena, "%s goes back to the customer pool on %s unless followed up", t, d)
                  : arena_printf(c->arena, "客户「%s」将于 %s 退回公海，请及时跟进", t, d);
    return t;
}

/* Daily: every active user's reminders (birthday, due today, no contact,
 * pool release) become notifications, one per (kind, user, record, date). */
static GxErr notify_job(Ctx *c, json_t *payload)
{
    (void)payload;
    DbRes *r;
    if (db_query(c->db, "SELECT id FROM users WHERE active = 1 AND deleted_at IS NULL ORDER BY id", NULL, 0, &r) !=
        DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read users");
    int64_t *ids = NULL;
    int n = 0, cap = 0;
    while (db_next(r) == 1) {
        if (n == cap) {
            int ncap = cap ? cap * 2 : 64;
            ids = arena_realloc(c->arena, ids, sizeof(int64_t) * (size_t)cap, sizeof(int64_t) * (size_t)ncap);
            cap = ncap;
        }
        ids[n++] = db_int(r, 0);
    }
    db_done(r);
    int made = 0;
    for (int i = 0; i < n; i++) {
        Arena a;
        arena_init(&a);
        Ctx uc;
        ctx_init(&uc, &a, c->db);
        Principal *p = acl_load(&uc, ids[i]);
        GxErr rc = GX_OK;
        json_t *items = NULL;
        if (p) {
            uc.who = p;
            rc = reminders_list(&uc, &items);
        }
        bool en = p && p->lang && !strcmp(p->lang, "en");
        if (!rc && items && db_begin(c->db) == DB_OK) {
            size_t k;
            json_t *it;
            json_array_foreach(items, k, it)
            {
                const char *kind = json_string_value(json_object_get(it, "kind"));
                if (strcmp(kind, "birthday") && strcmp(kind, "task_due") && strcmp(kind, "no_contact") &&
                    strcmp(kind, "pool_release"))
                    continue;
                const char *entity = json_string_value(json_object_get(it, "entity"));
                int64_t id = json_integer_value(json_object_get(it, "id"));
                const char *date = json_string_value(json_object_get(it, "date"));
                const char *key = arena_printf(&a, "%s:%lld:%s:%lld:%s", kind, (long long)ids[i], entity, (long long)id,
                                               date ? date : "");
                Ctx wc = uc;
                wc.who = NULL;
                if ((rc = notify_user(&wc, ids[i], "reminder", reminder_title(&wc, it, en), NULL, entity, id, key))) {
                    c->err_msg = arena_strdup(c->arena, wc.err_msg);
                    break;
                }
                made += db_changes(c->db) > 0;
            }
            if (rc || db_commit(c->db) != DB_OK)
                db_rollback(c->db);
        }
        json_decref(items);
        acl_release(p);
        ctx_done(&uc);
        arena_free(&a);
        if (rc) {
            c->err = rc;
            return rc;
        }
    }
    if (made)
        log_info("reminders: %d notifications created", made);
    return GX_OK;
}

/* ---------- settings ---------- */

GxErr reminders_settings_get(Ctx *c, json_t **out)
{
    *out = json_pack("{s:I}", "no_contact_days",
                     (json_int_t)setting_int(c, "reminders.no_contact_days", NO_CONTACT_DEFAULT));
    return GX_OK;
}

GxErr reminders_settings_set(Ctx *c, json_t *in, json_t **out)
{
    *out = NULL;
    if (!acl_is_admin(c))
        return ctx_fail(c, GX_EDENIED, "Only administrators may change the reminder settings");
    json_t *v = json_object_get(in, "no_contact_days");
    const char *key;
    json_t *val;
    json_object_foreach(in, key, val) if (strcmp(key, "no_contact_days"))
        ctx_field(c, key, "is not a reminder setting");
    if (!v)
        ctx_field(c, "no_contact_days", "is required");
    else if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 3650)
        ctx_field(c, "no_contact_days", "must be a whole number of days from 0 (off) to 3650");
    if (c->err)
        return c->err;
    const char *text = arena_printf(c->arena, "%lld", (long long)json_integer_value(v));
    DbVal p[] = {dbv_text("reminders.no_contact_days"), dbv_text(text)};
    if (db_exec(c->db,
                "INSERT INTO app_settings(key, value) VALUES ($1, $2) ON CONFLICT(key) DO UPDATE SET value = "
                "excluded.value",
                p, 2) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot store the setting: %s", db_errmsg(c->db));
    json_t *d = json_pack("{s:O}", "no_contact_days", v);
    audit_write(c, "settings", "reminders", 0, d);
    json_decref(d);
    return reminders_settings_get(c, out);
}

/* ---------- hooks and registration ---------- */

/* A record given to someone by another user: tell the new owner. */
static GxErr on_owner_change(Ctx *c, HookArgs *a)
{
    json_t *o = json_object_get(a->old, "owner_id"), *n = json_object_get(a->result, "owner_id");
    if (!json_is_integer(n) || json_equal(o, n) || !c->who || json_integer_value(n) == c->who->user_id)
        return GX_OK;
    const char *t = a->e->title_field ? json_string_value(json_object_get(a->result, a->e->title_field)) : NULL;
    const char *title = arena_printf(c->arena, "%s 把%s「%s」转给了你", c->who->name ? c->who->name : "",
                                     a->e->singular.zh ? a->e->singular.zh : a->e->name, t ? t : "");
    return notify_user(c, json_integer_value(n), "assignment", title, NULL, a->e->name, a->id, NULL);
}

/* Created for someone else: also an assignment. */
static GxErr on_create_for_other(Ctx *c, HookArgs *a)
{
    HookArgs b = *a;
    b.old = NULL;
    return on_owner_change(c, &b);
}

static GxErr settings_table(Ctx *c, bool fresh)
{
    (void)fresh;
    if (db_exec(c->db, "CREATE TABLE app_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)", NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot create app_settings: %s", db_errmsg(c->db));
    return GX_OK;
}

void reminders_module_init(void)
{
    static const char *assignable[] = {"customers", "leads", NULL};
    for (int i = 0; assignable[i]; i++)
        if (meta_entity(assignable[i])) {
            record_hook_add(assignable[i], HOOK_AFTER_UPDATE, on_owner_change);
            record_hook_add(assignable[i], HOOK_AFTER_CREATE, on_create_for_other);
        }
    jobs_register("reminders_notify", notify_job);
    jobs_daily("reminders_notify", 8, 0);
    ddl_step_add(3, "app_settings table", settings_table);
}
