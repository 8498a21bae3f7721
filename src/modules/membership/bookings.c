/* bookings.c — the booking centre (预定中心): a resource is booked for a
 * member or a named guest for a time range within its opening hours, never
 * twice for the same time.
 *
 * Double bookings are prevented inside the write transaction of the engine
 * (after-create/after-update hooks): the resource row is locked (PostgreSQL
 * SELECT … FOR UPDATE; SQLite write transactions are serialised by BEGIN
 * IMMEDIATE), then any overlapping live booking refuses the write with 409
 * `resource_booked` and the whole transaction rolls back. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../base/util.h"
#include "internal.h"

/* A bookable resource as the checks need it. */
typedef struct Resource {
    int64_t id;
    const char *name, *kind, *opening, *closing;
    bool active;
} Resource;

static GxErr resource_load(Ctx *c, int64_t id, Resource *res)
{
    memset(res, 0, sizeof *res);
    DbVal p[] = {dbv_int(id)};
    DbRes *r;
    if (db_query(c->db,
                 "SELECT id, name, kind, opening_time, closing_time, active FROM resources WHERE id = $1 AND "
                 "deleted_at IS NULL",
                 p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the resource");
    int s = db_next(r);
    if (s == 1) {
        res->id = db_int(r, 0);
        res->name = arena_strdup(c->arena, db_text(r, 1) ? db_text(r, 1) : "");
        res->kind = arena_strdup(c->arena, db_text(r, 2) ? db_text(r, 2) : "venue");
        res->opening = arena_strdup(c->arena, db_text(r, 3) ? db_text(r, 3) : "00:00");
        res->closing = arena_strdup(c->arena, db_text(r, 4) ? db_text(r, 4) : "24:00");
        res->active = db_isnull(r, 5) || db_int(r, 5) != 0;
    }
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read the resource");
    return s == 1 ? GX_OK : GX_ENOTFOUND;
}

/* The value a write leaves: the input's, else the stored one. */
static json_t *merged(HookArgs *a, const char *key)
{
    json_t *v = json_object_get(a->input, key);
    return v ? v : (a->old ? json_object_get(a->old, key) : NULL);
}

/* Does the write touch what a booking's validity depends on? */
static bool touches_slot(HookArgs *a)
{
    if (!a->old)
        return true;
    static const char *keys[] = {"resource_id", "start_at", "end_at", "customer_id", "status", NULL};
    for (int i = 0; keys[i]; i++) {
        json_t *v = json_object_get(a->input, keys[i]);
        if (v && !json_equal(v, json_object_get(a->old, keys[i])))
            return true;
    }
    return false;
}

static bool active_status(const char *s)
{
    return !s || !*s || !strcmp(s, "booked") || !strcmp(s, "completed");
}

static bool parse_time(json_t *v, int64_t *t)
{
    return json_is_string(v) && time_parse_rfc3339(json_string_value(v), t);
}

/* Validate a booking as it will be stored: times, resource, hours, past,
 * member. Malformed values are left to the engine's validation. */
static GxErr bookings_before_write(Ctx *c, HookArgs *a)
{
    if (!touches_slot(a))
        return GX_OK;
    json_t *st = merged(a, "status");
    const char *status = json_string_value(st);
    if (a->old && !active_status(status))
        return GX_OK; /* cancelling or marking a no-show needs no checks */
    int64_t start = 0, end = 0;
    bool times = parse_time(merged(a, "start_at"), &start) && parse_time(merged(a, "end_at"), &end);
    if (times && end <= start)
        ctx_field(c, "end_at", "%s", ms_msg(c, "结束时间必须晚于开始时间", "must be after the start"));
    json_t *rid = merged(a, "resource_id");
    Resource res;
    bool have_res = json_is_integer(rid) && resource_load(c, json_integer_value(rid), &res) == GX_OK;
    if (c->err == GX_EDB)
        return c->err;
    if (have_res) {
        if (!strcmp(res.kind, "consumable"))
            ctx_field(c, "resource_id", "%s", ms_msg(c, "消费品不能预定", "a consumable cannot be booked"));
        else if (!res.active)
            ctx_field(c, "resource_id", "%s", ms_msg(c, "该资源已停用", "this resource is disabled"));
        int open = 0, close = 24 * 60;
        ms_parse_hhmm(res.opening, &open);
        ms_parse_hhmm(res.closing, &close);
        if (times && end > start && !ms_within_hours(start, end, open, close))
            ctx_field(c, "start_at", "%s",
                      arena_printf(c->arena, "%s %s–%s", ms_msg(c, "不在开放时间内", "is outside the opening hours"),
                                   res.opening, res.closing));
    }
    bool time_changed = !a->old || json_object_get(a->input, "start_at") || json_object_get(a->input, "end_at");
    if (times && time_changed && !json_is_true(merged(a, "late_entry")) &&
        start < time_now_ms() / 1000 - MS_PAST_GRACE_S && !json_object_get(c->err_fields, "start_at"))
        ctx_field(
            c, "start_at", "%s",
            ms_msg(c, "不能预定过去的时间(补录请勾选“补录”)", "is in the past (tick late entry to record it anyway)"));
    json_t *cust = merged(a, "customer_id");
    json_t *guest = merged(a, "guest_name");
    bool has_cust = json_is_integer(cust) && json_integer_value(cust) > 0;
    if (!has_cust && !(json_is_string(guest) && *json_string_value(guest)))
        ctx_field(c, "customer_id", "%s",
                  ms_msg(c, "请选择会员或填写客人姓名", "a member or a guest name is required"));
    if (has_cust && times) {
        Member m;
        if (ms_member_load(c, json_integer_value(cust), false, &m) == GX_OK) {
            char day[11];
            ms_business_day(start, day);
            if (ms_expired_on(&m, day))
                ctx_field(
                    c, "customer_id", "%s",
                    arena_printf(c->arena, "%s %s", ms_msg(c, "会员已过期:", "membership expired on"), m.expires_on));
        } else if (c->err == GX_EDB) {
            return c->err;
        } else {
            ctx_clear(c); /* the engine reports the bad link */
        }
    }
    return c->err;
}

/* Inside the write transaction: refuse an overlap with another live booking. */
static GxErr bookings_after_write(Ctx *c, HookArgs *a)
{
    json_t *rec = a->result;
    if (!active_status(json_string_value(json_object_get(rec, "status"))) || !touches_slot(a))
        return GX_OK;
    int64_t rid = json_integer_value(json_object_get(rec, "resource_id"));
    const char *start = json_string_value(json_object_get(rec, "start_at"));
    const char *end = json_string_value(json_object_get(rec, "end_at"));
    if (!rid || !start || !end)
        return GX_OK;
    DbVal lk[] = {dbv_int(rid)};
    if (db_dialect(c->db) == DB_PG) {
        DbRes *r;
        if (db_query(c->db, "SELECT id FROM resources WHERE id = $1 FOR UPDATE", lk, 1, &r) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot lock the resource");
        int s = db_next(r);
        db_done(r);
        if (s < 0)
            return ctx_fail(c, GX_EDB, "cannot lock the resource");
    }
    DbVal p[] = {dbv_int(rid), dbv_int(a->id), dbv_text(end), dbv_text(start)};
    int64_t other = 0;
    bool found = false;
    if (db_query_int(c->db,
                     "SELECT id FROM bookings WHERE resource_id = $1 AND id <> $2 AND deleted_at IS NULL"
                     " AND status IN ('booked', 'completed') AND start_at < $3 AND end_at > $4 LIMIT 1",
                     p, 4, &other, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot check the resource's bookings");
    if (found) {
        ctx_fail(c, GX_ECONFLICT, "%s", ms_msg(c, "资源已被预定", "Resource already booked"));
        c->err_code = "resource_booked";
        return c->err;
    }
    return GX_OK;
}

GxErr membership_booking_status(Ctx *c, int64_t booking_id, const char *status, json_t **out)
{
    *out = NULL;
    const Entity *e = meta_entity("bookings");
    json_t *rec;
    GxErr rc = record_get(c, e, booking_id, &rec);
    if (rc)
        return rc;
    const char *now = json_string_value(json_object_get(rec, "status"));
    if (now && strcmp(now, "booked")) {
        json_decref(rec);
        ctx_fail(c, GX_ECONFLICT, "%s",
                 ms_msg(c, "只有“已预定”状态的预定可以取消或标记未到",
                        "Only a booking still booked can be cancelled or marked a no-show"));
        c->err_code = "invalid_transition";
        return c->err;
    }
    json_t *in = json_pack("{s:s, s:O}", "status", status, "version", json_object_get(rec, "version"));
    json_decref(rec);
    rc = record_update(c, e, booking_id, in, out);
    json_decref(in);
    return rc;
}

/* Is a customer row readable by the user, as acl_scope_predicate's read
 * scope decides: the row's owner and department, or no owner and one of the
 * user's customer pools (公海)? */
static bool customer_readable(const Ctx *c, const Entity *ce, bool pools, int64_t owner, int64_t dept, int64_t pool)
{
    if (acl_row_in_scope(c, ce, ACT_READ, owner, dept))
        return true;
    if (!pools || owner || !pool || !c->who)
        return false;
    for (int i = 0; i < c->who->npools; i++)
        if (c->who->pools[i] == pool)
            return true;
    return false;
}

static int64_t col_int(DbRes *r, int i)
{
    return db_isnull(r, i) ? 0 : db_int(r, i);
}

static const char *col_dup(Ctx *c, DbRes *r, int i)
{
    const char *v = db_text(r, i);
    return v ? arena_strdup(c->arena, v) : NULL;
}

/* The UTC dates a business day's bookings are stored under (a business
 * day spans two: 16:00Z to 16:00Z) and the instant each starts. */
typedef struct UtcDates {
    char date[2][11];
    int64_t midnight[2];
} UtcDates;

static void utc_dates(int64_t t0, UtcDates *u)
{
    for (int i = 0; i < 2; i++) {
        int64_t t = t0 + i * 86400;
        u->midnight[i] = t - ((t % 86400) + 86400) % 86400;
        char buf[64];
        time_format_s(u->midnight[i], buf);
        memcpy(u->date[i], buf, 10);
        u->date[i][10] = 0;
    }
}

/* A stored UTC time in seconds: "YYYY-MM-DDTHH:MM:SSZ" as the engine writes
 * it on one of u's dates read from its time of day; anything else through
 * time_parse_rfc3339. The day view reads two per booking (2,700 a page:
 * 0.8 M instructions in the general parser). */
static bool parse_stored(const char *s, const UtcDates *u, int64_t *out)
{
    if (!s)
        return false;
    for (int i = 0; i < 2; i++) {
        if (memcmp(s, u->date[i], 10))
            continue;
        const unsigned char *t = (const unsigned char *)s + 11;
        if (s[10] != 'T' || t[2] != ':' || t[5] != ':' || t[8] != 'Z' || t[9])
            break;
        unsigned h0 = t[0] - '0', h1 = t[1] - '0', m0 = t[3] - '0', m1 = t[4] - '0', s0 = t[6] - '0', s1 = t[7] - '0';
        if (h0 > 2 || h1 > 9 || m0 > 5 || m1 > 9 || s0 > 5 || s1 > 9 || h0 * 10 + h1 > 23)
            break;
        *out = u->midnight[i] + (h0 * 10 + h1) * 3600 + (m0 * 10 + m1) * 60 + s0 * 10 + s1;
        return true;
    }
    return time_parse_rfc3339(s, out);
}

/* membership_day; texts: also the stored start_at/end_at strings and every
 * guest name (the availability API answers them; the grid shows the times
 * from start/end and a guest's name only for guests). */
static GxErr day_read(Ctx *c, const char *date, bool public_view, bool texts, MsDay *out)
{
    memset(out, 0, sizeof *out);
    const Entity *be = meta_entity("bookings"), *re = meta_entity("resources"), *ce = meta_entity("customers");
    if (!public_view && (acl_scope(c, be, ACT_READ) == SCOPE_NONE || acl_scope(c, re, ACT_READ) == SCOPE_NONE))
        return ctx_fail(c, GX_EDENIED, "You may not read bookings");
    int64_t t0;
    if (!date || !ms_day_start(date, &t0)) {
        ctx_field(c, "date", "must be a date YYYY-MM-DD");
        return c->err;
    }
    out->date = arena_strdup(c->arena, date);
    out->start = t0;
    char from[64], to[64];
    time_format_s(t0, from);
    time_format_s(t0 + 86400, to);
    DbRes *r;
    const char *rsql =
        public_view
            ? "SELECT id, name, kind, opening_time, closing_time, capacity FROM resources WHERE deleted_at IS NULL"
              " AND active = 1 AND public = 1 AND kind <> 'consumable' ORDER BY kind, name, id"
            : "SELECT id, name, kind, opening_time, closing_time, capacity FROM resources WHERE deleted_at IS NULL"
              " AND active = 1 AND kind <> 'consumable' ORDER BY kind, name, id";
    if (db_query(c->db, rsql, NULL, 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the availability");
    int s, cap = 0;
    while ((s = db_next(r)) == 1) {
        if (out->n == cap) {
            cap = cap ? 2 * cap : 64;
            MsDayResource *bigger = arena_alloc(c->arena, (size_t)cap * sizeof *bigger);
            if (out->n)
                memcpy(bigger, out->res, (size_t)out->n * sizeof *bigger);
            out->res = bigger;
        }
        MsDayResource *x = &out->res[out->n++];
        memset(x, 0, sizeof *x);
        x->id = db_int(r, 0);
        x->name = col_dup(c, r, 1);
        x->kind = col_dup(c, r, 2);
        x->opening_time = col_dup(c, r, 3);
        x->closing_time = col_dup(c, r, 4);
        x->capacity = col_int(r, 5);
        x->open = 0;
        x->close = 24 * 60;
        ms_parse_hhmm(x->opening_time, &x->open);
        ms_parse_hhmm(x->closing_time, &x->close);
    }
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read the availability");
    /* Who booked: shown only to staff who may read the booking; a member's
     * name only when they may also read that customer (its read scope, pool
     * rule included, and its title field), as ui_names would resolve it. */
    bool names = !public_view && ce && ce->title_field && acl_scope(c, ce, ACT_READ) != SCOPE_NONE &&
                 acl_field(c, ce, ce->title_field) != FIELD_HIDDEN;
    bool pools = names && meta_field(ce, "pool_id");
    bool all_bookings = !public_view && acl_scope(c, be, ACT_READ) == SCOPE_ALL;
    bool all_customers = names && acl_scope(c, ce, ACT_READ) == SCOPE_ALL;
    /* A booking lies within one business day (opening hours), so the
     * bookings of the day are those starting in it: a range on the covering
     * index of migration 7 (bookings_day_idx: every booking column named
     * here, so no table row is read), in start order — each resource's
     * bookings are then in start order too, with no sort. Resources come in
     * (kind, name) order; a booking finds its resource by a binary search
     * over ids sorted here. */
    int n = out->n;
    int *by_id = arena_alloc(c->arena, (size_t)(n + 1) * sizeof *by_id);
    for (int i = 0; i < n; i++)
        by_id[i] = i;
    for (int i = 1; i < n; i++) /* insertion sort: resources are few */
        for (int j = i; j > 0 && out->res[by_id[j - 1]].id > out->res[by_id[j]].id; j--) {
            int t = by_id[j];
            by_id[j] = by_id[j - 1];
            by_id[j - 1] = t;
        }
    DbVal p[] = {dbv_text(from), dbv_text(to)};
    UtcDates dates;
    utc_dates(t0, &dates);
    /* The member's name from a join (reading each customer once instead, in
     * chunks of ids, cost more: SQLite builds an ephemeral table of each IN
     * list). The booking's and the customer's scope columns only when the
     * scope needs them (fewer columns decoded from each wide customer row). */
    static const char day_sql[] =
        "SELECT b.id, b.resource_id, b.start_at, b.end_at, b.status, b.customer_id, b.guest_name, %s,"
        " cu.%s, %s FROM bookings b"
        " LEFT JOIN customers cu ON cu.id = b.customer_id AND cu.deleted_at IS NULL"
        " WHERE b.deleted_at IS NULL AND b.start_at >= $1 AND b.start_at < $2"
        " AND b.status IN ('booked', 'completed') ORDER BY b.start_at";
    static const char day_sql_no_names[] =
        "SELECT b.id, b.resource_id, b.start_at, b.end_at, b.status, b.customer_id, b.guest_name, %s"
        " FROM bookings b WHERE b.deleted_at IS NULL AND b.start_at >= $1 AND b.start_at < $2"
        " AND b.status IN ('booked', 'completed') ORDER BY b.start_at";
    const char *bscope = all_bookings || public_view ? "NULL, NULL" : "b.owner_id, b.department_id";
    const char *title = names ? ce->title_field : "name",
               *scope = all_customers ? "NULL, NULL, NULL"
                        : pools       ? "cu.owner_id, cu.department_id, cu.pool_id"
                                      : "cu.owner_id, cu.department_id, NULL";
    const char *bsql = names ? arena_printf(c->arena, day_sql, bscope, title, scope) /* sql-ok: columns from metadata and literals */
                             : arena_printf(c->arena, day_sql_no_names, bscope); /* sql-ok: literal columns */
    if (db_query(c->db, bsql, p, 2, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the availability");
    while ((s = db_next(r)) == 1) {
        int64_t rid = db_int(r, 1);
        int lo = 0, hi = n;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (out->res[by_id[mid]].id < rid)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == n || out->res[by_id[lo]].id != rid)
            continue;
        MsDayResource *x = &out->res[by_id[lo]];
        if (x->nbooked == x->cap) {
            x->cap = x->cap ? 2 * x->cap : 8;
            MsDayBooking *bigger = arena_alloc(c->arena, (size_t)x->cap * sizeof *bigger);
            if (x->nbooked)
                memcpy(bigger, x->booked, (size_t)x->nbooked * sizeof *bigger);
            x->booked = bigger;
        }
        MsDayBooking *b = &x->booked[x->nbooked++];
        memset(b, 0, sizeof *b);
        const char *sa = db_text(r, 2), *ea = db_text(r, 3);
        if (texts) {
            b->start_at = sa ? arena_strdup(c->arena, sa) : NULL;
            b->end_at = ea ? arena_strdup(c->arena, ea) : NULL;
        }
        if (!parse_stored(sa, &dates, &b->start) || !parse_stored(ea, &dates, &b->end))
            b->start = b->end = 0;
        if (public_view || (!all_bookings && !acl_row_in_scope(c, be, ACT_READ, col_int(r, 7), col_int(r, 8))))
            continue;
        b->id = db_int(r, 0);
        const char *st = db_text(r, 4);
        b->status = st && !strcmp(st, "completed") ? "completed"
                    : st && !strcmp(st, "booked")  ? "booked"
                                                   : col_dup(c, r, 4);
        b->customer_id = col_int(r, 5);
        if (texts || !b->customer_id)
            b->guest_name = col_dup(c, r, 6);
        if (names && b->customer_id && !db_isnull(r, 9) &&
            (all_customers || customer_readable(c, ce, pools, col_int(r, 10), col_int(r, 11), col_int(r, 12))))
            b->customer_name = col_dup(c, r, 9);
    }
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read the availability");
    return GX_OK;
}

GxErr membership_day(Ctx *c, const char *date, bool public_view, MsDay *out)
{
    return day_read(c, date, public_view, true, out);
}

/* ---------- the booking centre's day, remembered ----------
 *
 * The grid of a day is read again and again (every desk refreshing it,
 * every booking made from it) while nothing changes: reading it (1,346
 * bookings and their members' names) was 7.4 M of the page's 10.3 M
 * instructions. The rows as read — every booking of the day with the scope
 * columns of the booking and of its customer, and the customer's name — are
 * kept with the database's write generation they were read at, like list
 * totals (record/countcache.c): used only while nothing has been written
 * since by this process (db_write_generation) or another one (SQLite's
 * PRAGMA data_version, db_sync_generation), and for at most DAY_TTL_MS; not
 * at all on PostgreSQL (other app servers' writes cannot be seen) or inside
 * a transaction. Each request applies its own user's access to the rows
 * (which bookings it may read, which members' names), as when read. */
typedef struct RawBooking {
    int64_t id, resource_id, start, end, customer_id, owner_id, department_id, cu_owner, cu_dept, cu_pool;
    const char *status, *guest_name, *cu_name; /* cu_name NULL: no live customer */
} RawBooking;

typedef struct RawDay {
    Arena arena;
    char date[11];
    uint64_t gen;
    int64_t at_ms;
    int refs;           /* requests using it, and 1 while cached */
    MsDayResource *res; /* in (kind, name, id) order, no bookings */
    int nres;
    RawBooking *b; /* in start order */
    int nb;
} RawDay;

#define DAY_SLOTS 4
#define DAY_TTL_MS 3000
static RawDay *day_slots[DAY_SLOTS];
static pthread_mutex_t day_lock = PTHREAD_MUTEX_INITIALIZER;

static void raw_release(void *arg)
{
    RawDay *d = arg;
    pthread_mutex_lock(&day_lock);
    bool last = --d->refs == 0;
    pthread_mutex_unlock(&day_lock);
    if (last) {
        arena_free(&d->arena);
        free(d);
    }
}

/* Read business day [from, to) into d (its arena). */
static GxErr raw_read(Ctx *c, const Entity *ce, const char *from, const char *to, int64_t t0, RawDay *d)
{
    Arena *a = &d->arena;
    DbRes *r;
    if (db_query(c->db,
                 "SELECT id, name, kind, opening_time, closing_time, capacity FROM resources WHERE deleted_at IS NULL"
                 " AND active = 1 AND kind <> 'consumable' ORDER BY kind, name, id",
                 NULL, 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the availability");
    int s, cap = 0;
    while ((s = db_next(r)) == 1) {
        if (d->nres == cap) {
            cap = cap ? 2 * cap : 64;
            d->res = arena_realloc(a, d->res, (size_t)d->nres * sizeof *d->res, (size_t)cap * sizeof *d->res);
        }
        MsDayResource *x = &d->res[d->nres++];
        memset(x, 0, sizeof *x);
        x->id = db_int(r, 0);
        x->name = db_text(r, 1) ? arena_strdup(a, db_text(r, 1)) : NULL;
        x->kind = db_text(r, 2) ? arena_strdup(a, db_text(r, 2)) : NULL;
        x->opening_time = db_text(r, 3) ? arena_strdup(a, db_text(r, 3)) : NULL;
        x->closing_time = db_text(r, 4) ? arena_strdup(a, db_text(r, 4)) : NULL;
        x->capacity = col_int(r, 5);
        x->open = 0;
        x->close = 24 * 60;
        ms_parse_hhmm(x->opening_time, &x->open);
        ms_parse_hhmm(x->closing_time, &x->close);
    }
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read the availability");
    bool title = ce && ce->title_field, pools = ce && meta_field(ce, "pool_id");
    const char *bsql = arena_printf(
        c->arena,
        "SELECT b.id, b.resource_id, b.start_at, b.end_at, b.status, b.customer_id, b.guest_name, b.owner_id,"
        " b.department_id, %s%s, cu.owner_id, cu.department_id, %s FROM bookings b"
        " LEFT JOIN customers cu ON cu.id = b.customer_id AND cu.deleted_at IS NULL"
        " WHERE b.deleted_at IS NULL AND b.start_at >= $1 AND b.start_at < $2"
        " AND b.status IN ('booked', 'completed') ORDER BY b.start_at", /* sql-ok: title column from metadata */
        title ? "cu." : "NULL", title ? ce->title_field : "",
        /* the pool decides only for a customer without owner (customer_readable); pool_id lies far into
         * the wide customer row (often on an overflow page): read only then */
        pools ? "CASE WHEN cu.owner_id IS NULL THEN cu.pool_id END" : "NULL");
    DbVal p[] = {dbv_text(from), dbv_text(to)};
    if (db_query(c->db, bsql, p, 2, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the availability");
    UtcDates dates;
    utc_dates(t0, &dates);
    cap = 0;
    while ((s = db_next(r)) == 1) {
        if (d->nb == cap) {
            cap = cap ? 2 * cap : 256;
            d->b = arena_realloc(a, d->b, (size_t)d->nb * sizeof *d->b, (size_t)cap * sizeof *d->b);
        }
        RawBooking *b = &d->b[d->nb++];
        memset(b, 0, sizeof *b);
        b->id = db_int(r, 0);
        b->resource_id = col_int(r, 1);
        if (!parse_stored(db_text(r, 2), &dates, &b->start) || !parse_stored(db_text(r, 3), &dates, &b->end))
            b->start = b->end = 0;
        const char *st = db_text(r, 4);
        b->status = st && !strcmp(st, "completed") ? "completed"
                    : st && !strcmp(st, "booked")  ? "booked"
                                                   : (st ? arena_strdup(a, st) : NULL);
        b->customer_id = col_int(r, 5);
        b->guest_name = db_text(r, 6) ? arena_strdup(a, db_text(r, 6)) : NULL;
        b->owner_id = col_int(r, 7);
        b->department_id = col_int(r, 8);
        b->cu_name = db_text(r, 9) ? arena_strdup(a, db_text(r, 9)) : NULL;
        b->cu_owner = col_int(r, 10);
        b->cu_dept = col_int(r, 11);
        b->cu_pool = col_int(r, 12);
    }
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read the availability");
    return GX_OK;
}

GxErr membership_day_grid(Ctx *c, const char *date, MsDay *out)
{
    memset(out, 0, sizeof *out);
    const Entity *be = meta_entity("bookings"), *re = meta_entity("resources"), *ce = meta_entity("customers");
    if (acl_scope(c, be, ACT_READ) == SCOPE_NONE || acl_scope(c, re, ACT_READ) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not read bookings");
    int64_t t0;
    if (!date || !ms_day_start(date, &t0) || strlen(date) != 10) {
        ctx_field(c, "date", "must be a date YYYY-MM-DD");
        return c->err;
    }
    char from[64], to[64];
    time_format_s(t0, from);
    time_format_s(t0 + 86400, to);
    /* the day's rows: remembered, or read now */
    bool cacheable = !db_in_tx(c->db) && db_sync_generation(c->db);
    uint64_t gen = cacheable ? db_write_generation(c->db) : 0;
    int64_t now = time_now_ms();
    RawDay *d = NULL;
    if (cacheable) {
        pthread_mutex_lock(&day_lock);
        for (int i = 0; i < DAY_SLOTS && !d; i++) {
            RawDay *x = day_slots[i];
            if (x && x->gen == gen && !strcmp(x->date, date) && now - x->at_ms < DAY_TTL_MS && now >= x->at_ms) {
                d = x;
                d->refs++;
            }
        }
        pthread_mutex_unlock(&day_lock);
    }
    if (!d) {
        d = xcalloc(1, sizeof *d);
        arena_init(&d->arena);
        snprintf(d->date, sizeof d->date, "%s", date);
        d->gen = gen;
        d->at_ms = now;
        d->refs = 1;
        if (raw_read(c, ce, from, to, t0, d)) {
            arena_free(&d->arena);
            free(d);
            return c->err;
        }
        if (cacheable) {
            /* into the slot of the same day, else an empty one, else the oldest */
            RawDay *old = NULL;
            pthread_mutex_lock(&day_lock);
            int k = -1;
            for (int i = 0; i < DAY_SLOTS && k < 0; i++)
                if (day_slots[i] && !strcmp(day_slots[i]->date, date))
                    k = i;
            for (int i = 0; i < DAY_SLOTS && k < 0; i++)
                if (!day_slots[i])
                    k = i;
            if (k < 0) {
                k = 0;
                for (int i = 1; i < DAY_SLOTS; i++)
                    if (day_slots[i]->at_ms < day_slots[k]->at_ms)
                        k = i;
            }
            old = day_slots[k];
            day_slots[k] = d;
            d->refs++;
            pthread_mutex_unlock(&day_lock);
            if (old)
                raw_release(old);
        }
    }
    ctx_defer(c, raw_release, d);
    /* this user's view of the rows */
    out->date = arena_strdup(c->arena, date);
    out->start = t0;
    int n = d->nres;
    out->n = n;
    out->res = arena_alloc(c->arena, (size_t)(n ? n : 1) * sizeof *out->res);
    if (n)
        memcpy(out->res, d->res, (size_t)n * sizeof *out->res);
    bool names = ce && ce->title_field && acl_scope(c, ce, ACT_READ) != SCOPE_NONE &&
                 acl_field(c, ce, ce->title_field) != FIELD_HIDDEN;
    bool pools = names && meta_field(ce, "pool_id");
    bool all_bookings = acl_scope(c, be, ACT_READ) == SCOPE_ALL;
    bool all_customers = names && acl_scope(c, ce, ACT_READ) == SCOPE_ALL;
    int *by_id = arena_alloc(c->arena, (size_t)(n + 1) * sizeof *by_id);
    for (int i = 0; i < n; i++)
        by_id[i] = i;
    for (int i = 1; i < n; i++) /* insertion sort: resources are few */
        for (int j = i; j > 0 && out->res[by_id[j - 1]].id > out->res[by_id[j]].id; j--) {
            int t = by_id[j];
            by_id[j] = by_id[j - 1];
            by_id[j - 1] = t;
        }
    for (int k = 0; k < d->nb; k++) {
        const RawBooking *rb = &d->b[k];
        int lo = 0, hi = n;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (out->res[by_id[mid]].id < rb->resource_id)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == n || out->res[by_id[lo]].id != rb->resource_id)
            continue;
        MsDayResource *x = &out->res[by_id[lo]];
        if (x->nbooked == x->cap) {
            int cap = x->cap ? 2 * x->cap : 8;
            MsDayBooking *bigger = arena_alloc(c->arena, (size_t)cap * sizeof *bigger);
            if (x->nbooked)
                memcpy(bigger, x->booked, (size_t)x->nbooked * sizeof *bigger);
            x->booked = bigger;
            x->cap = cap;
        }
        MsDayBooking *b = &x->booked[x->nbooked++];
        memset(b, 0, sizeof *b);
        b->start = rb->start;
        b->end = rb->end;
        if (!all_bookings && !acl_row_in_scope(c, be, ACT_READ, rb->owner_id, rb->department_id))
            continue;
        b->id = rb->id;
        b->status = rb->status;
        b->customer_id = rb->customer_id;
        if (!b->customer_id)
            b->guest_name = rb->guest_name;
        if (names && b->customer_id && rb->cu_name &&
            (all_customers || customer_readable(c, ce, pools, rb->cu_owner, rb->cu_dept, rb->cu_pool)))
            b->customer_name = rb->cu_name;
    }
    return GX_OK;
}

GxErr membership_availability(Ctx *c, const char *date, bool public_view, json_t **out)
{
    *out = NULL;
    MsDay day;
    GxErr rc = membership_day(c, date, public_view, &day);
    if (rc)
        return rc;
    json_t *list = json_array();
    for (int i = 0; i < day.n; i++) {
        const MsDayResource *x = &day.res[i];
        json_t *booked = json_array();
        for (int k = 0; k < x->nbooked; k++) {
            const MsDayBooking *b = &x->booked[k];
            json_t *o = json_pack("{s:s?, s:s?}", "start_at", b->start_at, "end_at", b->end_at);
            if (b->id) {
                json_object_set_new(o, "booking_id", json_integer(b->id));
                json_object_set_new(o, "status", json_string(b->status ? b->status : ""));
                json_object_set_new(o, "customer_id", b->customer_id ? json_integer(b->customer_id) : json_null());
                json_object_set_new(o, "guest_name", b->guest_name ? json_string(b->guest_name) : json_null());
            }
            json_array_append_new(booked, o);
        }
        json_array_append_new(list, json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:I, s:o}", "id", (json_int_t)x->id,
                                              "name", x->name, "kind", x->kind, "opening_time", x->opening_time,
                                              "closing_time", x->closing_time, "capacity", (json_int_t)x->capacity,
                                              "booked", booked));
    }
    *out = json_pack("{s:s, s:o}", "date", date, "resources", list);
    return GX_OK;
}

void ms_bookings_init(void)
{
    record_hook_add("bookings", HOOK_BEFORE_CREATE, bookings_before_write);
    record_hook_add("bookings", HOOK_BEFORE_UPDATE, bookings_before_write);
    record_hook_add("bookings", HOOK_AFTER_CREATE, bookings_after_write);
    record_hook_add("bookings", HOOK_AFTER_UPDATE, bookings_after_write);
}
