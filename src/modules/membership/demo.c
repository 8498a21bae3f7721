/* demo.c — a living front desk for `guanxi demo`: member types, resources
 * (courts, coaches, a pool, drinks), a dozen of the demo's individual
 * customers made members (one expired, some expiring soon, gold members
 * topped up), today's bookings, and checkouts spread over the last three
 * months so the reports have something to show.
 *
 * Everything goes through the record engine and the module's own actions in
 * the caller's context (the system), like the rest of the demo. Checkouts
 * are priced and booked as at the desk, then dated back (business_day and
 * created_at) by one UPDATE each: demo data only. */
#include <stdio.h>
#include <string.h>

#include "../../base/util.h"
#include "internal.h"

#define DEMO_MEMBERS 12

/* clang-format off */
static const char *const demo_types[] = {
    "{\"name\": \"金卡会员\", \"card_kind\": \"stored_value\", \"discount_pct\": 10, \"annual_fee\": 200000, \"valid_months\": 12,"
    " \"topup_threshold\": 100000, \"topup_bonus\": 10000, \"points_per_yuan\": 2, \"points_valid_months\": 12,"
    " \"benefits\": \"全场九折;充 1,000 送 100;积分双倍\"}",
    "{\"name\": \"银卡会员\", \"card_kind\": \"discount\", \"discount_pct\": 5, \"annual_fee\": 80000, \"valid_months\": 12,"
    " \"points_per_yuan\": 1, \"points_valid_months\": 12, \"benefits\": \"全场九五折\"}",
    "{\"name\": \"私教十次卡\", \"card_kind\": \"count\", \"count_uses\": 10, \"count_kind\": \"coach\", \"annual_fee\": 300000,"
    " \"valid_months\": 6, \"points_per_yuan\": 1, \"benefits\": \"私教课 10 次,6 个月内有效\"}",
};

static const char *const demo_resources[] = {
    "{\"name\": \"1号羽毛球场\", \"kind\": \"venue\", \"capacity\": 4, \"price_per_hour\": 6000, \"opening_time\": \"08:00\", \"closing_time\": \"22:00\", \"public\": true}",
    "{\"name\": \"2号羽毛球场\", \"kind\": \"venue\", \"capacity\": 4, \"price_per_hour\": 6000, \"opening_time\": \"08:00\", \"closing_time\": \"22:00\", \"public\": true}",
    "{\"name\": \"3号羽毛球场\", \"kind\": \"venue\", \"capacity\": 4, \"price_per_hour\": 6000, \"opening_time\": \"08:00\", \"closing_time\": \"22:00\", \"public\": true}",
    "{\"name\": \"网球场\", \"kind\": \"venue\", \"capacity\": 4, \"price_per_hour\": 12000, \"opening_time\": \"07:00\", \"closing_time\": \"21:00\", \"public\": true}",
    "{\"name\": \"瑜伽室\", \"kind\": \"facility\", \"capacity\": 15, \"price_per_hour\": 10000, \"opening_time\": \"09:00\", \"closing_time\": \"21:00\"}",
    "{\"name\": \"恒温泳池\", \"kind\": \"facility\", \"capacity\": 30, \"price_per_hour\": 4000, \"opening_time\": \"06:00\", \"closing_time\": \"22:00\"}",
    "{\"name\": \"王教练(羽毛球)\", \"kind\": \"coach\", \"capacity\": 1, \"price_per_hour\": 30000, \"opening_time\": \"09:00\", \"closing_time\": \"21:00\", \"points\": 20}",
    "{\"name\": \"李教练(网球)\", \"kind\": \"coach\", \"capacity\": 1, \"price_per_hour\": 26000, \"opening_time\": \"09:00\", \"closing_time\": \"21:00\", \"points\": 20}",
    "{\"name\": \"矿泉水\", \"kind\": \"consumable\", \"unit_price\": 500}",
    "{\"name\": \"运动饮料\", \"kind\": \"consumable\", \"unit_price\": 800, \"points\": 1}",
    "{\"name\": \"羽毛球(一筒)\", \"kind\": \"consumable\", \"unit_price\": 6000, \"points\": 5}",
    "{\"name\": \"毛巾租用\", \"kind\": \"consumable\", \"unit_price\": 1500}",
};
/* clang-format on */

#define NRES ((int)(sizeof demo_resources / sizeof demo_resources[0]))
#define NTYPES ((int)(sizeof demo_types / sizeof demo_types[0]))

static GxErr create_from(Ctx *c, const char *entity, const char *text, int64_t *id)
{
    json_t *in = json_loads(text, 0, NULL), *out;
    if (!in)
        return ctx_fail(c, GX_EINTERNAL, "demo: bad JSON for %s", entity);
    GxErr rc = record_create(c, meta_entity(entity), in, &out);
    json_decref(in);
    if (rc)
        return rc;
    *id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    return GX_OK;
}

/* A small deterministic sequence (no need for the demo's PRNG here). */
static unsigned next(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

static GxErr checkout(Ctx *c, int64_t cid, json_t *lines, const char *pm, int days_ago)
{
    json_t *in = json_pack("{s:o, s:s}", "lines", lines, "payment_method", pm), *out;
    if (cid)
        json_object_set_new(in, "customer_id", json_integer(cid));
    GxErr rc = record_create(c, meta_entity("checkouts"), in, &out);
    json_decref(in);
    if (rc)
        return rc;
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    if (!days_ago)
        return GX_OK;
    int64_t t = time_now_ms() / 1000 - (int64_t)days_ago * 86400;
    char day[11], at[64];
    ms_business_day(t, day);
    time_format_s(t, at);
    DbVal p[] = {dbv_text(day), dbv_text(at), dbv_int(id)};
    if (db_exec(c->db, "UPDATE checkouts SET business_day = $1, created_at = $2, updated_at = $2 WHERE id = $3", p,
                3) != DB_OK ||
        db_exec(c->db,
                "UPDATE checkout_lines SET business_day = $1, created_at = $2, updated_at = $2 WHERE checkout_id = $3",
                p, 3) != DB_OK)
        return ctx_fail(c, GX_EDB, "demo: cannot date the checkout");
    return GX_OK;
}

GxErr membership_demo(Ctx *c)
{
    int64_t types[NTYPES], res[NRES];
    GxErr rc;
    for (int i = 0; i < NTYPES; i++)
        if ((rc = create_from(c, "member_types", demo_types[i], &types[i])))
            return rc;
    for (int i = 0; i < NRES; i++)
        if ((rc = create_from(c, "resources", demo_resources[i], &res[i])))
            return rc;
    /* members: individual demo customers */
    DbRes *r;
    int64_t members[DEMO_MEMBERS];
    int nm = 0;
    if (db_query(c->db,
                 "SELECT id FROM customers WHERE kind = 'individual' AND deleted_at IS NULL ORDER BY id LIMIT 12", NULL,
                 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "demo: cannot read customers");
    while (nm < DEMO_MEMBERS && db_next(r) == 1)
        members[nm++] = db_int(r, 0);
    db_done(r);
    unsigned seed = 7;
    char today[11];
    ms_today(today);
    int64_t now = time_now_ms() / 1000;
    for (int i = 0; i < nm; i++) {
        json_t *cur, *out;
        if ((rc = record_get(c, meta_entity("customers"), members[i], &cur)))
            return rc;
        int t = i % NTYPES;
        char joined[11], expires[11];
        int months_ago = 1 + (int)(next(&seed) % (t == 2 ? 5 : 11)); /* count cards last 6 months */
        ms_add_months(today, -months_ago, joined);
        ms_add_months(joined, t == 2 ? 6 : 12, expires);
        if (i == 3)
            ms_add_months(today, -1, expires); /* one expired member */
        if (i == 1 || i == 4)
            ms_business_day(now + (int64_t)(3 + i) * 86400, expires); /* expiring soon */
        json_t *in = json_pack("{s:I, s:s, s:s, s:s, s:O}", "member_type_id", (json_int_t)types[t], "joined_on", joined,
                               "expires_on", expires, "gender", i % 2 ? "female" : "male", "version",
                               json_object_get(cur, "version"));
        json_decref(cur);
        rc = record_update(c, meta_entity("customers"), members[i], in, &out);
        json_decref(in);
        json_decref(out);
        if (rc)
            return rc;
        if (t == 0 &&
            (rc = membership_top_up(c, members[i], 100000 * (1 + (int)(next(&seed) % 3)), "card", &out)) == GX_OK)
            json_decref(out);
        if (rc)
            return rc;
    }
    /* checkouts over the last 90 days: a court or the pool, a drink or two */
    static const char *pms[] = {"cash", "card", "stored_value"};
    for (int k = 0; k < 60 && nm; k++) {
        int mi = (int)(next(&seed) % (unsigned)nm);
        int t = mi % NTYPES;
        json_t *lines = json_array();
        int venue = (int)(next(&seed) % 6);
        json_array_append_new(lines, json_pack("{s:I, s:i}", "resource_id", (json_int_t)res[venue], "quantity",
                                               1 + (int)(next(&seed) % 2)));
        json_array_append_new(lines, json_pack("{s:I, s:i}", "resource_id", (json_int_t)res[8 + (int)(next(&seed) % 4)],
                                               "quantity", 1 + (int)(next(&seed) % 3)));
        bool guest = next(&seed) % 5 == 0;
        const char *pm = t == 0 && !guest ? pms[next(&seed) % 3] : pms[next(&seed) % 2];
        if (mi == 3 || guest)
            pm = "cash";
        if ((rc = checkout(c, guest ? 0 : members[mi], lines, pm, 1 + (int)(next(&seed) % 90))))
            return rc;
    }
    /* the checkouts were dated back: the day totals follow them */
    if ((rc = ms_summary_rebuild(c)))
        return rc;
    /* today's bookings: on the courts, the coaches and the yoga room */
    int64_t t0;
    ms_day_start(today, &t0);
    static const int slots[][3] = {{0, 9, 2},  {0, 14, 1}, {0, 19, 2}, {1, 10, 1}, {1, 18, 2}, {2, 20, 1}, {3, 8, 2},
                                   {3, 16, 2}, {4, 10, 1}, {4, 19, 1}, {5, 7, 1},  {6, 15, 1}, {6, 19, 1}, {7, 10, 2}};
    for (size_t k = 0; k < sizeof slots / sizeof slots[0]; k++) {
        int64_t s = t0 + (int64_t)slots[k][1] * 3600, e = s + (int64_t)slots[k][2] * 3600;
        char sa[64], ea[64];
        time_format_s(s, sa);
        time_format_s(e, ea);
        json_t *in = json_pack("{s:I, s:s, s:s, s:b}", "resource_id", (json_int_t)res[slots[k][0]], "start_at", sa,
                               "end_at", ea, "late_entry", 1),
               *out;
        int mi = nm ? (int)(k * 5 % (size_t)nm) : -1;
        if (mi >= 0 && mi != 3 && k % 3)
            json_object_set_new(in, "customer_id", json_integer(members[mi]));
        else
            json_object_set_new(in, "guest_name", json_string(k % 2 ? "散客 张先生" : "散客 刘女士"));
        rc = record_create(c, meta_entity("bookings"), in, &out);
        json_decref(in);
        if (rc)
            return rc;
        int64_t bid = json_integer_value(json_object_get(out, "id"));
        int64_t cid = json_integer_value(json_object_get(out, "customer_id"));
        json_decref(out);
        /* the morning's bookings have been checked out already */
        if (e <= now && k % 2 == 0) {
            json_t *lines = json_pack("[{s:I}, {s:I, s:i}]", "booking_id", (json_int_t)bid, "resource_id",
                                      (json_int_t)res[9], "quantity", 2);
            if ((rc = checkout(c, cid, lines, "cash", 0)))
                return rc;
        }
    }
    return GX_OK;
}
