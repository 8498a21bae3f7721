/* membership_api.c — the front desk's endpoints beyond CRUD: availability,
 * reports, member care, and the actions cancel / no_show on bookings and
 * top_up / renew on members. Bookings and checkouts themselves are created
 * through the generic POST /api/v1/{entity} (modules/membership). */
#include <string.h>

#include "../base/util.h"
#include "../modules/membership.h"
#include "api.h"

/* GET /api/v1/bookings/availability?date=YYYY-MM-DD */
static void h_availability(Req *r)
{
    json_t *out;
    if (membership_availability(&r->c, http_query(r, "date"), false, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

/* GET /api/v1/public/availability?date= — no login; resources marked public
 * only, no names or ids of bookings. 404 when no resource is public. */
static void h_public_availability(Req *r)
{
    json_t *out;
    if (membership_availability(&r->c, http_query(r, "date"), true, &out))
        return api_fail(r);
    if (json_array_size(json_object_get(out, "resources")) == 0) {
        json_decref(out);
        ctx_fail(&r->c, GX_ENOTFOUND, "The availability page is not enabled");
        return api_fail(r);
    }
    http_json(r, 200, out);
}

/* GET /api/v1/reports/daily_journal?date=&payment_method=&kind=&limit=&offset=
 * — one page of the day's lines (limit 1..1000, default 100) with the whole
 * day's count and sums. A malformed number is a field error, like the
 * module's range checks. */
static void h_journal(Req *r)
{
    int64_t limit = MS_JOURNAL_PAGE, offset = 0;
    const char *v;
    if ((v = http_query(r, "limit")) && *v && !parse_i64(v, &limit))
        ctx_field(&r->c, "limit", "must be a number from 1 to %d", MS_JOURNAL_PAGE_MAX);
    if ((v = http_query(r, "offset")) && *v && !parse_i64(v, &offset))
        ctx_field(&r->c, "offset", "must be 0 or more");
    if (r->c.err)
        return api_fail(r);
    json_t *out;
    if (membership_daily_journal(&r->c, http_query(r, "date"), http_query(r, "payment_method"), http_query(r, "kind"),
                                 limit, offset, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

static void h_income(Req *r)
{
    json_t *out;
    if (membership_income(&r->c, http_query(r, "period"), http_query(r, "from"), http_query(r, "to"), &out))
        return api_fail(r);
    http_json(r, 200, out);
}

static void h_consumption(Req *r)
{
    int64_t cid = 0;
    const char *s = http_query(r, "customer_id");
    if (s && *s && (!parse_i64(s, &cid) || cid <= 0)) {
        ctx_field(&r->c, "customer_id", "must be a record id");
        return api_fail(r);
    }
    json_t *out;
    if (membership_consumption(&r->c, cid, http_query(r, "from"), http_query(r, "to"), &out))
        return api_fail(r);
    http_json(r, 200, out);
}

static void h_by_resource(Req *r)
{
    json_t *out;
    if (membership_by_resource(&r->c, http_query(r, "from"), http_query(r, "to"), &out))
        return api_fail(r);
    http_json(r, 200, out);
}

/* GET /api/v1/members/care?days=N (default 30) */
static void h_care(Req *r)
{
    int64_t days = 30;
    const char *s = http_query(r, "days");
    if (s && *s && !parse_i64(s, &days)) {
        ctx_field(&r->c, "days", "must be a whole number");
        return api_fail(r);
    }
    json_t *out;
    if (membership_care(&r->c, (int)days, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

static void act_status(Req *r, int64_t id, const char *status)
{
    json_t *out;
    if (membership_booking_status(&r->c, id, status, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

static void act_cancel(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    act_status(r, id, "cancelled");
}

static void act_no_show(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    act_status(r, id, "no_show");
}

/* Optional string member of the body; false (422) when present and not text. */
static bool body_text(Req *r, json_t *b, const char *key, const char **out)
{
    json_t *v = json_object_get(b, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v)) {
        ctx_field(&r->c, key, "must be text");
        return false;
    }
    *out = arena_strdup(&r->arena, json_string_value(v));
    return true;
}

/* POST /api/v1/customers/{id}/top_up {"amount": fen, "payment_method": "cash"|"card"} */
static void act_top_up(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    json_t *b = api_body(r);
    if (!b)
        return;
    json_t *amount = json_object_get(b, "amount");
    const char *pm;
    if (!body_text(r, b, "payment_method", &pm) || !json_is_integer(amount)) {
        if (!json_is_integer(amount))
            ctx_field(&r->c, "amount", "is required (an amount in fen)");
        json_decref(b);
        return api_fail(r);
    }
    json_t *out;
    GxErr rc = membership_top_up(&r->c, id, json_integer_value(amount), pm, &out);
    json_decref(b);
    if (rc)
        return api_fail(r);
    http_json(r, 200, out);
}

/* POST /api/v1/customers/{id}/renew {"payment_method"} */
static void act_renew(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    json_t *b = r->body && r->body_len ? api_body(r) : json_object();
    if (!b)
        return;
    const char *pm;
    if (!body_text(r, b, "payment_method", &pm)) {
        json_decref(b);
        return api_fail(r);
    }
    json_t *out;
    GxErr rc = membership_renew(&r->c, id, pm, &out);
    json_decref(b);
    if (rc)
        return api_fail(r);
    http_json(r, 200, out);
}

/* POST /api/v1/customers/{id}/redeem_points {"points": n, "reason": "..."} */
static void act_redeem_points(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    json_t *b = api_body(r);
    if (!b)
        return;
    json_t *points = json_object_get(b, "points");
    const char *reason;
    if (!body_text(r, b, "reason", &reason) || !json_is_integer(points)) {
        if (!json_is_integer(points))
            ctx_field(&r->c, "points", "is required (a whole number of points)");
        json_decref(b);
        return api_fail(r);
    }
    json_t *out;
    GxErr rc = membership_redeem_points(&r->c, id, json_integer_value(points), reason, &out);
    json_decref(b);
    if (rc)
        return api_fail(r);
    http_json(r, 200, out);
}

void membership_api_init(void)
{
    api_action_register("bookings", "cancel", act_cancel,
                        "Cancel a booking that is still booked (status becomes cancelled; the time is free again)."
                        " No body; answers the booking. 409 when it is checked out, cancelled or a no-show.");
    api_action_register("bookings", "no_show", act_no_show,
                        "Mark a booking that is still booked as a no-show (未到); the time is free again."
                        " No body; answers the booking.");
    api_action_register("customers", "top_up", act_top_up,
                        "Top up a member's stored value. Body {\"amount\": fen, \"payment_method\": \"cash\"|\"card\"};"
                        " the member type's bonus rule (充 1,000 送 100) adds bonus money, kept apart. Answers the"
                        " customer; each change is a member_ledger line.");
    api_action_register("customers", "renew", act_renew,
                        "Renew a membership: expires_on moves on by the member type's validity (from today when"
                        " expired); the annual fee is recorded in the member ledger. Body {\"payment_method\":"
                        " \"cash\"|\"card\"|\"stored_value\"} (optional). Answers the customer.");
    api_action_register("customers", "redeem_points", act_redeem_points,
                        "Redeem (spend) a member's points. Body {\"points\": n, \"reason\": \"what for\"}; 422 when the"
                        " member holds fewer (expired points do not count). Points expiring soonest are spent first;"
                        " a daily job takes expired points away. Each change is a member_ledger line.");
}

const Route membership_api_routes[] = {
    {"GET", "/api/v1/bookings/availability", h_availability, 0, NULL},
    {"GET", "/api/v1/public/availability", h_public_availability, ROUTE_PUBLIC, NULL},
    {"GET", "/api/v1/reports/daily_journal", h_journal, 0, NULL},
    {"GET", "/api/v1/reports/income", h_income, 0, NULL},
    {"GET", "/api/v1/reports/member_consumption", h_consumption, 0, NULL},
    {"GET", "/api/v1/reports/by_resource", h_by_resource, 0, NULL},
    {"GET", "/api/v1/members/care", h_care, 0, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
