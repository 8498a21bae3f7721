/* bookings.c — the booking centre (预定中心): a resource is booked for a
 * member or a named guest for a time range within its opening hours, never
 * twice for the same time.
 *
 * Double bookings are prevented inside the write transaction of the engine
 * (after-create/after-update hooks): the resource row is locked (PostgreSQL
 * SELECT … FOR UPDATE; SQLite write transactions are serialised by BEGIN
 * IMMEDIATE), then any overlapping live booking refuses the write with 409
 * `resource_booked` and the whole transaction rolls back. */
#include <stdio.h>
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

GxErr membership_availability(Ctx *c, const char *date, bool public_view, json_t **out)
{
    *out = NULL;
    const Entity *be = meta_entity("bookings"), *re = meta_entity("resources");
    if (!public_view && (acl_scope(c, be, ACT_READ) == SCOPE_NONE || acl_scope(c, re, ACT_READ) == SCOPE_NONE))
        return ctx_fail(c, GX_EDENIED, "You may not read bookings");
    int64_t t0;
    if (!date || !ms_day_start(date, &t0)) {
        ctx_field(c, "date", "must be a date YYYY-MM-DD");
        return c->err;
    }
    char from[64], to[64];
    time_format_s(t0, from);
    time_format_s(t0 + 86400, to);
    json_t *list = json_array(), *byid = json_object();
    DbRes *r;
    const char *rsql =
        public_view
            ? "SELECT id, name, kind, opening_time, closing_time, capacity FROM resources WHERE deleted_at IS NULL"
              " AND active = 1 AND public = 1 AND kind <> 'consumable' ORDER BY kind, name, id"
            : "SELECT id, name, kind, opening_time, closing_time, capacity FROM resources WHERE deleted_at IS NULL"
              " AND active = 1 AND kind <> 'consumable' ORDER BY kind, name, id";
    if (db_query(c->db, rsql, NULL, 0, &r) != DB_OK)
        goto dberr;
    int s;
    while ((s = db_next(r)) == 1) {
        json_t *o = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:I, s:[]}", "id", (json_int_t)db_int(r, 0), "name",
                              db_text(r, 1), "kind", db_text(r, 2), "opening_time", db_text(r, 3), "closing_time",
                              db_text(r, 4), "capacity", (json_int_t)(db_isnull(r, 5) ? 0 : db_int(r, 5)), "booked");
        json_array_append_new(list, o);
        char k[24];
        snprintf(k, sizeof k, "%lld", (long long)db_int(r, 0));
        json_object_set(byid, k, o);
    }
    db_done(r);
    if (s < 0)
        goto dberr;
    /* A booking lies within one business day (opening hours), so the
     * bookings of the day are those starting in it: a range on the index. */
    DbVal p[] = {dbv_text(from), dbv_text(to)};
    if (db_query(c->db,
                 "SELECT id, resource_id, start_at, end_at, status, customer_id, guest_name, owner_id, department_id"
                 " FROM bookings WHERE deleted_at IS NULL AND start_at >= $1 AND start_at < $2"
                 " AND status IN ('booked', 'completed') ORDER BY resource_id, start_at",
                 p, 2, &r) != DB_OK)
        goto dberr;
    while ((s = db_next(r)) == 1) {
        char k[24];
        snprintf(k, sizeof k, "%lld", (long long)db_int(r, 1));
        json_t *o = json_object_get(byid, k);
        if (!o)
            continue;
        json_t *b = json_pack("{s:s?, s:s?}", "start_at", db_text(r, 2), "end_at", db_text(r, 3));
        /* Who booked is shown only to staff who may read that booking. */
        if (!public_view &&
            acl_row_in_scope(c, be, ACT_READ, db_isnull(r, 7) ? 0 : db_int(r, 7), db_isnull(r, 8) ? 0 : db_int(r, 8))) {
            json_object_set_new(b, "booking_id", json_integer(db_int(r, 0)));
            json_object_set_new(b, "status", json_string(db_text(r, 4) ? db_text(r, 4) : ""));
            json_object_set_new(b, "customer_id", db_isnull(r, 5) ? json_null() : json_integer(db_int(r, 5)));
            json_object_set_new(b, "guest_name", db_isnull(r, 6) ? json_null() : json_string(db_text(r, 6)));
        }
        json_array_append_new(json_object_get(o, "booked"), b);
    }
    db_done(r);
    if (s < 0)
        goto dberr;
    json_decref(byid);
    *out = json_pack("{s:s, s:o}", "date", date, "resources", list);
    return GX_OK;
dberr:
    json_decref(list);
    json_decref(byid);
    return ctx_fail(c, GX_EDB, "cannot read the availability");
}

void ms_bookings_init(void)
{
    record_hook_add("bookings", HOOK_BEFORE_CREATE, bookings_before_write);
    record_hook_add("bookings", HOOK_BEFORE_UPDATE, bookings_before_write);
    record_hook_add("bookings", HOOK_AFTER_CREATE, bookings_after_write);
    record_hook_add("bookings", HOOK_AFTER_UPDATE, bookings_after_write);
}
