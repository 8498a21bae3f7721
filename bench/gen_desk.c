/* gen_desk.c — guanxi-bench-desk: adds a club's front desk to a bench
 * database made by guanxi-bench-gen, for the booking centre, checkout and
 * report scenarios (bench/desk.sh):
 *
 * - four member types through the record engine (gold stored-value 10 %
 *   off with 充 1,000 送 100, silver 5 % off, a coach count card of 10 uses,
 *   a plain card), front-desk users desk1..desk4 (role front_desk, password
 *   Bench12345, head office);
 * - 200 bookable resources (60 coaches, 100 courts, 40 facilities, with
 *   opening hours) and 20 consumables, through the record engine;
 * - --members (50,000) of the generator's individual customers made members
 *   (card VIP000001…, type, join date over the last three years, expiry,
 *   gender, birthday), renewed at expiry (85 %) with a fee ledger line;
 *   stored-value members top up at joining and whenever their balance runs
 *   short (balance and bonus ledger lines), count cards start with their
 *   uses (开卡 line);
 * - bookings of every bookable resource for the past year and today (one or
 *   two hours each, never overlapping, within opening hours), of members or
 *   named guests; past ones mostly checked out (status completed), some
 *   cancelled, no-shows, a few never checked out; today's all booked;
 * - exactly --lines (2,000,000) checkout lines over the --days (730) days
 *   up to yesterday: a checkout for every completed booking (the booking's
 *   line and 0–2 consumables), then ad-hoc checkouts (an hour or two of a
 *   resource and/or consumables) until the day has its share of lines.
 *
 * Checkouts are priced like checkouts.c (pricing.c's functions: time ×
 * rate rounded to the fen, member discount spread over the lines, points
 * per yuan plus the resources' points, expired members without benefits,
 * stored value never below zero, count cards covering one coach line), and
 * written with the rows the real code writes: the checkout (lines JSON,
 * amounts, business day), its lines, the member's ledger lines (balance,
 * bonus, points, count) and accounts, the booking marked completed. The day
 * summaries are then rebuilt by the module's own ms_summary_rebuild.
 * Not written: audit history, the text search tables, and the points
 * expiry job's lines (members keep every point awarded).
 *
 * Loaded like gen_opps.c: one transaction, the four tables' secondary
 * indexes dropped first and re-created from their own SQL, then ANALYZE and
 * WAL. Sequences (card numbers, JZ/BK numbers per year) continue where the
 * data leaves off.
 *
 * usage: guanxi-bench-desk --db FILE [--members 50000] [--lines 2000000]
 *                          [--days 730] [--seed 1] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "base/log.h"
#include "base/util.h"
#include "db/db.h"
#include "meta/meta.h"
#include "modules/membership.h"
#include "modules/membership/internal.h" /* ms_summary_rebuild */
#include "modules/modules.h"
#include "record/record.h"

#define NTYPES 4
#define NCOACH 60
#define NVENUE 100
#define NFACIL 40
#define NBOOKABLE (NCOACH + NVENUE + NFACIL)
#define NCONS 20
#define NRES (NBOOKABLE + NCONS)
#define MAXL 8
#define NDESK 4
#define BOOKING_DAYS 365

typedef struct Type {
    const char *json;
    int64_t id, discount_pct, annual_fee, valid_months, topup_threshold, topup_bonus, count_uses;
    int64_t points_per_yuan, points_valid_months;
    int card; /* 0 stored value, 1 discount, 2 count */
    int share;
} Type;

/* clang-format off */
static Type types[NTYPES] = {
    {"{\"name\": \"金卡会员\", \"card_kind\": \"stored_value\", \"discount_pct\": 10, \"annual_fee\": 200000, \"valid_months\": 12,"
     " \"topup_threshold\": 100000, \"topup_bonus\": 10000, \"points_per_yuan\": 2, \"points_valid_months\": 12,"
     " \"benefits\": \"全场九折;充 1,000 送 100;积分双倍\"}", 0, 10, 200000, 12, 100000, 10000, 0, 2, 12, 0, 30},
    {"{\"name\": \"银卡会员\", \"card_kind\": \"discount\", \"discount_pct\": 5, \"annual_fee\": 80000, \"valid_months\": 12,"
     " \"points_per_yuan\": 1, \"points_valid_months\": 12, \"benefits\": \"全场九五折\"}", 0, 5, 80000, 12, 0, 0, 0, 1, 12, 1, 40},
    {"{\"name\": \"私教十次卡\", \"card_kind\": \"count\", \"count_uses\": 10, \"count_kind\": \"coach\", \"annual_fee\": 300000,"
     " \"valid_months\": 6, \"points_per_yuan\": 1, \"benefits\": \"私教课 10 次,6 个月内有效\"}", 0, 0, 300000, 6, 0, 0, 10, 1, 12, 2, 10},
    {"{\"name\": \"普通会员\", \"card_kind\": \"discount\", \"discount_pct\": 0, \"annual_fee\": 20000, \"valid_months\": 12,"
     " \"points_per_yuan\": 1, \"points_valid_months\": 0, \"benefits\": \"积分永久有效\"}", 0, 0, 20000, 12, 0, 0, 0, 1, 0, 1, 20},
};
/* clang-format on */

typedef struct Res {
    int64_t id, price_per_hour, unit_price, points;
    const char *kind;
    char name[64];
    int open_min, close_min;
} Res;

typedef struct Mem {
    int64_t id;
    int type;
    int join, expires; /* day numbers */
    int64_t balance, bonus, points, count;
    int64_t last_visit; /* seconds, 0 = never */
    char card[16];
} Mem;

typedef struct GLine {
    int res;
    int64_t booking_id;
    int64_t t0, t1, qty; /* time lines: t0 < t1; consumables: qty */
} GLine;

typedef struct G {
    Ctx c;
    uint64_t rng;
    Res res[NRES];
    Mem *mem;
    int nmem;
    int64_t desk[NDESK], desk_dept;
    int64_t next_checkout, next_line, next_ledger, next_booking;
    int64_t seq_jz[200], seq_bk[200]; /* per year since 1970 */
    int64_t nlines, ncheckouts, nledger, nbookings;
    int64_t now;
} G;

static uint64_t rng(G *g)
{
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 7;
    g->rng ^= g->rng << 17;
    return g->rng;
}

static int64_t rnd(G *g, int64_t n)
{
    return n > 0 ? (int64_t)(rng(g) % (uint64_t)n) : 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void exec_or_die(DbConn *db, const char *sql)
{
    if (db_exec_script(db, sql) != DB_OK)
        gx_die("bench-desk: %s: %s", sql, db_errmsg(db));
}

static void exec_p(G *g, const char *sql, DbVal *p, int n)
{
    if (db_exec(g->c.db, sql, p, n) != DB_OK)
        gx_die("bench-desk: %.60s…: %s", sql, db_errmsg(g->c.db));
}

/* Business day number (days since 1970-01-01 in UTC+8) of instant t. */
static int day_of(int64_t t)
{
    int64_t s = t + MS_TZ_S;
    return (int)(s >= 0 ? s / 86400 : (s - 86399) / 86400);
}

static int64_t day_start(int d)
{
    return (int64_t)d * 86400 - MS_TZ_S;
}

static void day_str(int d, char out[11])
{
    int y, m, dd;
    ms_civil_from_days(d, &y, &m, &dd);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, dd);
}

static int add_months(int d, int months)
{
    char a[11], b[11];
    day_str(d, a);
    int y, m, dd;
    if (!ms_add_months(a, months, b) || !time_parse_date(b, &y, &m, &dd))
        gx_die("bench-desk: date arithmetic");
    return (int)time_days_from_civil(y, m, dd);
}

static int year_of(int64_t t)
{
    int y, m, d;
    ms_civil_from_days(day_of(t), &y, &m, &d);
    return y;
}

static void ts_ms(int64_t t, G *g, char out[64])
{
    time_format_ms(t * 1000 + rnd(g, 1000), out);
}

static int64_t create(G *g, const char *entity, const char *text)
{
    json_t *in = json_loads(text, 0, NULL), *out;
    if (!in)
        gx_die("bench-desk: bad JSON for %s", entity);
    if (record_create(&g->c, meta_entity(entity), in, &out))
        gx_die("bench-desk: create %s: %s", entity, g->c.err_msg ? g->c.err_msg : "?");
    json_decref(in);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    return id;
}

static const char *const coach_names[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"};
static const char *const coach_sports[] = {"羽毛球", "网球", "游泳", "健身", "瑜伽", "乒乓球"};
static const char *const venue_kinds[] = {"羽毛球场", "网球场", "乒乓球台", "篮球半场", "壁球室"};
static const char *const facil_kinds[] = {"瑜伽室", "动感单车房", "恒温泳池泳道", "桑拿房", "体能训练区"};
static const char *const cons_names[] = {"矿泉水",   "运动饮料", "羽毛球(一筒)", "毛巾租用", "网球(一筒)",
                                         "能量棒",   "椰子水",   "球拍租用",     "护腕",     "咖啡",
                                         "蛋白奶昔", "柠檬茶",   "拖鞋",         "泳帽",     "储物柜",
                                         "绿茶",     "香蕉",     "球拍穿线",     "运动袜",   "冰毛巾"};

static void make_catalogue(G *g)
{
    for (int i = 0; i < NTYPES; i++)
        types[i].id = create(g, "member_types", types[i].json);
    for (int i = 0; i < NRES; i++) {
        Res *r = &g->res[i];
        char json[512];
        if (i < NCOACH) {
            r->kind = "coach";
            snprintf(r->name, sizeof r->name, "%s教练%d号(%s)", coach_names[i % 12], i + 1, coach_sports[i % 6]);
            r->price_per_hour = 20000 + 2000 * rnd(g, 11);
            r->points = 20;
            r->open_min = 9 * 60;
            r->close_min = 21 * 60;
        } else if (i < NCOACH + NVENUE) {
            r->kind = "venue";
            snprintf(r->name, sizeof r->name, "%d号%s", i - NCOACH + 1, venue_kinds[(i - NCOACH) % 5]);
            r->price_per_hour = 4000 + 1000 * rnd(g, 12);
            r->open_min = (7 + (int)rnd(g, 2)) * 60;
            r->close_min = 22 * 60;
        } else if (i < NBOOKABLE) {
            r->kind = "facility";
            snprintf(r->name, sizeof r->name, "%s%d", facil_kinds[(i - NCOACH - NVENUE) % 5], i - NCOACH - NVENUE + 1);
            r->price_per_hour = 3000 + 500 * rnd(g, 15);
            r->open_min = 6 * 60;
            r->close_min = 22 * 60;
        } else {
            r->kind = "consumable";
            snprintf(r->name, sizeof r->name, "%s", cons_names[i - NBOOKABLE]);
            r->unit_price = 300 + 100 * rnd(g, 58);
            r->points = rnd(g, 3) == 0 ? 1 + rnd(g, 5) : 0;
        }
        if (r->unit_price)
            snprintf(json, sizeof json,
                     "{\"name\": \"%s\", \"kind\": \"consumable\", \"unit_price\": %lld, \"points\": %lld}", r->name,
                     (long long)r->unit_price, (long long)r->points);
        else
            snprintf(json, sizeof json,
                     "{\"name\": \"%s\", \"kind\": \"%s\", \"capacity\": %d, \"price_per_hour\": %lld,"
                     " \"opening_time\": \"%02d:%02d\", \"closing_time\": \"%02d:%02d\", \"points\": %lld,"
                     " \"public\": %s}",
                     r->name, r->kind, i < NCOACH ? 1 : 4, (long long)r->price_per_hour, r->open_min / 60,
                     r->open_min % 60, r->close_min / 60, r->close_min % 60, (long long)r->points,
                     !strcmp(r->kind, "venue") ? "true" : "false");
        r->id = create(g, "resources", json);
    }
}

static void make_desk_users(G *g)
{
    char *hash = auth_hash_password(&g->c, "Bench12345");
    int64_t role = setup_role_id(&g->c, "front_desk");
    bool found;
    if (!hash || !role)
        gx_die("bench-desk: no password hash or front_desk role");
    if (db_query_int(g->c.db, "SELECT id FROM departments WHERE parent_id IS NULL ORDER BY id LIMIT 1", NULL, 0,
                     &g->desk_dept, &found) != DB_OK ||
        !found)
        gx_die("bench-desk: no head office");
    char now[64];
    time_format_ms(g->now * 1000, now);
    for (int i = 0; i < NDESK; i++) {
        char username[16], email[64], name[32];
        snprintf(username, sizeof username, "desk%d", i + 1);
        snprintf(email, sizeof email, "desk%d@guanxi-bench.cn", i + 1);
        snprintf(name, sizeof name, "前台%d", i + 1);
        DbVal p[] = {dbv_text(now),         dbv_text(username), dbv_text(name),
                     dbv_int(g->desk_dept), dbv_text(email),    dbv_text(hash)};
        if (db_query_int(g->c.db,
                         "INSERT INTO users(created_at, updated_at, version, username, name, department_id, position,"
                         " staff_type, email, active, lang, time_zone, password_hash)"
                         " VALUES ($1, $1, 1, $2, $3, $4, '前台', 'full_time', $5, 1, 'zh', 'Asia/Shanghai', $6)"
                         " RETURNING id",
                         p, 6, &g->desk[i], &found) != DB_OK ||
            !found)
            gx_die("bench-desk: user %s: %s", username, db_errmsg(g->c.db));
        DbVal q[] = {dbv_int(g->desk[i]), dbv_int(role)};
        exec_p(g, "INSERT INTO users_role_ids(record_id, target_id) VALUES ($1, $2)", q, 2);
    }
}

/* ---------- ledger and member accounts ---------- */

static void ledger(G *g, Mem *m, const char *kind, int64_t delta, int64_t after, const char *reason,
                   int64_t checkout_id, const char *pm, const char *expires_on, int d, int64_t at, int64_t who)
{
    char ts[64], day[11];
    ts_ms(at, g, ts);
    day_str(d, day);
    DbVal p[] = {dbv_int(g->next_ledger++),
                 dbv_text(ts),
                 dbv_int(who),
                 dbv_int(m->id),
                 dbv_text(kind),
                 dbv_int(delta),
                 dbv_int(after),
                 dbv_text(reason),
                 checkout_id ? dbv_int(checkout_id) : dbv_null(),
                 dbv_text(pm),
                 dbv_text(expires_on),
                 dbv_text(day)};
    exec_p(g,
           "INSERT INTO member_ledger(id, created_at, created_by, updated_at, updated_by, version, owner_id,"
           " customer_id, kind, delta, after, reason, checkout_id, payment_method, expires_on, business_day)"
           " VALUES ($1, $2, $3, $2, $3, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
           p, 12);
    g->nledger++;
}

static void top_up(G *g, Mem *m, int d, int64_t at, int64_t amount)
{
    const Type *t = &types[m->type];
    int64_t bonus = ms_topup_bonus(amount, t->topup_threshold, t->topup_bonus);
    int64_t who = g->desk[rnd(g, NDESK)];
    const char *pm = rnd(g, 2) ? "card" : "cash";
    m->balance += amount;
    ledger(g, m, "balance", amount, m->balance, "充值 Top-up", 0, pm, NULL, d, at, who);
    if (bonus) {
        m->bonus += bonus;
        ledger(g, m, "bonus", bonus, m->bonus, "充值 Top-up", 0, pm, NULL, d, at, who);
    }
}

/* Joining and renewals due on day d (at the desk's opening). */
static void member_events(G *g, int d)
{
    int64_t at = day_start(d) + 9 * 3600 + rnd(g, 600);
    for (int i = 0; i < g->nmem; i++) {
        Mem *m = &g->mem[i];
        const Type *t = &types[m->type];
        if (m->join == d) {
            if (t->card == 2) {
                m->count = t->count_uses;
                ledger(g, m, "count", t->count_uses, m->count, "开卡 New card", 0, NULL, NULL, d, at,
                       g->desk[rnd(g, NDESK)]);
            } else if (t->card == 0) {
                top_up(g, m, d, at, 100000 * (1 + rnd(g, 5)));
            }
        } else if (m->expires == d && m->join < d && rnd(g, 100) < 85) {
            int until = add_months(m->expires, (int)t->valid_months);
            char u[11], reason[96];
            day_str(until, u);
            snprintf(reason, sizeof reason, "续费至 %s Renewed until %s", u, u);
            const char *pm = rnd(g, 2) ? "card" : "cash";
            ledger(g, m, "fee", t->annual_fee, 0, reason, 0, pm, u, d, at, g->desk[rnd(g, NDESK)]);
            if (t->card == 2) {
                m->count += t->count_uses;
                ledger(g, m, "count", t->count_uses, m->count, reason, 0, pm, NULL, d, at, g->desk[rnd(g, NDESK)]);
            }
            m->expires = until;
        }
    }
}

/* A member who has joined by day d, or -1. */
static int pick_member(G *g, int d)
{
    for (int k = 0; k < 4; k++) {
        int i = (int)rnd(g, g->nmem);
        if (g->mem[i].join <= d)
            return i;
    }
    return -1;
}

static const char *const guests[] = {"散客 张先生", "散客 刘女士", "散客 王先生", "散客 陈女士", "散客 李同学"};

/* ---------- checkouts ---------- */

static void checkout(G *g, int d, int64_t at, int mi, const char *guest, GLine *ls, int n)
{
    char day[11], now[64], number[32];
    day_str(d, day);
    ts_ms(at, g, now);
    int y = year_of(at);
    snprintf(number, sizeof number, "JZ%04d%06lld", y, (long long)++g->seq_jz[y - 1970]);
    int64_t id = g->next_checkout++, who = g->desk[rnd(g, NDESK)];
    Mem *m = mi >= 0 ? &g->mem[mi] : NULL;
    const Type *t = m ? &types[m->type] : NULL;
    bool expired = m && m->expires < d;
    int64_t amount[MAXL], parts[MAXL], pts[MAXL], qty[MAXL], due = 0, points_extra = 0;
    for (int i = 0; i < n; i++) {
        const Res *r = &g->res[ls[i].res];
        if (r->unit_price) {
            qty[i] = ls[i].qty;
            ms_unit_amount(r->unit_price, qty[i], &amount[i]);
            pts[i] = r->points * qty[i];
        } else {
            qty[i] = (ls[i].t1 - ls[i].t0) / 60;
            ms_time_amount(r->price_per_hour, qty[i], &amount[i]);
            pts[i] = r->points;
        }
        due += amount[i];
        points_extra += pts[i];
    }
    const char *pm;
    int64_t discount = m && !expired ? ms_discount(due, t->discount_pct) : 0, total = due - discount;
    bool count_card = m && t->card == 2 && !expired && m->count > 0 && n == 1 && ls[0].res < NCOACH;
    if (count_card) {
        pm = "count_card";
        discount = due;
        total = 0;
    } else if (m && t->card == 0 && !expired && rnd(g, 10) < 7) {
        pm = "stored_value";
        if (m->balance + m->bonus < total)
            top_up(g, m, d, at - 60, 100000 * (1 + rnd(g, 3) + total / 100000));
    } else {
        pm = rnd(g, 2) ? "card" : "cash";
    }
    ms_spread(amount, n, discount, parts);
    int64_t paid = total, change = 0, from_balance = 0, from_bonus = 0;
    if (!strcmp(pm, "cash")) {
        paid = (total + 9999) / 10000 * 10000; /* rounded up to ¥100 */
        change = paid - total;
    } else if (!strcmp(pm, "stored_value")) {
        from_balance = total < m->balance ? total : m->balance;
        from_bonus = total - from_balance;
    } else if (count_card) {
        paid = 0;
    }
    int64_t points = 0;
    char pexp[11] = "";
    if (m && !expired) {
        points = ms_points_for(total, t->points_per_yuan) + points_extra;
        if (t->points_valid_months > 0)
            day_str(add_months(d, (int)t->points_valid_months), pexp);
    }
    /* the member's accounts and ledger (ms_member_apply's order) */
    if (m) {
        char reason[64];
        snprintf(reason, sizeof reason, "消费 Checkout %s", number);
        if (from_balance) {
            m->balance -= from_balance;
            ledger(g, m, "balance", -from_balance, m->balance, reason, id, pm, NULL, d, at, who);
        }
        if (from_bonus) {
            m->bonus -= from_bonus;
            ledger(g, m, "bonus", -from_bonus, m->bonus, reason, id, pm, NULL, d, at, who);
        }
        if (points) {
            m->points += points;
            ledger(g, m, "points", points, m->points, reason, id, pm, *pexp ? pexp : NULL, d, at, who);
        }
        if (count_card) {
            m->count -= 1;
            ledger(g, m, "count", -1, m->count, reason, id, pm, NULL, d, at, who);
        }
        m->last_visit = at;
    }
    /* lines */
    json_t *lj = json_array();
    for (int i = 0; i < n; i++) {
        const Res *r = &g->res[ls[i].res];
        char s[64] = "", e[64] = "", desc[96];
        int64_t line_total = amount[i] - parts[i];
        json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "resource_id", (json_int_t)r->id, "name",
                              r->name, "kind", r->kind, "quantity", (json_int_t)qty[i], "unit_price",
                              (json_int_t)(r->unit_price ? r->unit_price : r->price_per_hour), "amount",
                              (json_int_t)amount[i], "discount", (json_int_t)parts[i], "total", (json_int_t)line_total);
        if (ls[i].booking_id)
            json_object_set_new(o, "booking_id", json_integer(ls[i].booking_id));
        if (!r->unit_price) {
            time_format_s(ls[i].t0, s);
            time_format_s(ls[i].t1, e);
            json_object_set_new(o, "start_at", json_string(s));
            json_object_set_new(o, "end_at", json_string(e));
            json_object_set_new(o, "minutes", json_integer(qty[i]));
            snprintf(desc, sizeof desc, "%s", r->name);
        } else {
            snprintf(desc, sizeof desc, "%s × %lld", r->name, (long long)qty[i]);
        }
        json_array_append_new(lj, o);
        DbVal p[] = {dbv_int(g->next_line++),
                     dbv_text(now),
                     dbv_int(who),
                     dbv_int(id),
                     dbv_text(day),
                     m ? dbv_int(m->id) : dbv_null(),
                     dbv_int(r->id),
                     dbv_text(r->kind),
                     ls[i].booking_id ? dbv_int(ls[i].booking_id) : dbv_null(),
                     dbv_text(desc),
                     *s ? dbv_text(s) : dbv_null(),
                     *e ? dbv_text(e) : dbv_null(),
                     dbv_int(qty[i]),
                     dbv_int(r->unit_price ? r->unit_price : r->price_per_hour),
                     dbv_int(amount[i]),
                     dbv_int(parts[i]),
                     dbv_int(line_total),
                     dbv_text(pm)};
        exec_p(g,
               "INSERT INTO checkout_lines(id, created_at, created_by, updated_at, updated_by, version, owner_id,"
               " checkout_id, business_day, customer_id, resource_id, resource_kind, booking_id, description,"
               " start_at, end_at, quantity, unit_price, amount, discount, total, payment_method)"
               " VALUES ($1, $2, $3, $2, $3, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
               " $18)",
               p, 18);
        g->nlines++;
    }
    char *lines_text = json_dumps(lj, JSON_COMPACT);
    json_decref(lj);
    DbVal p[] = {dbv_int(id),
                 dbv_int(who),
                 dbv_int(g->desk_dept),
                 dbv_text(now),
                 dbv_text(number),
                 m ? dbv_int(m->id) : dbv_null(),
                 m ? dbv_null() : dbv_text(guest ? guest : "散客"),
                 dbv_text(lines_text),
                 dbv_text(pm),
                 dbv_int(paid),
                 dbv_int(due),
                 dbv_int(discount),
                 dbv_int(total),
                 dbv_int(change),
                 dbv_int(from_balance),
                 dbv_int(from_bonus),
                 dbv_int(points),
                 dbv_int(expired),
                 dbv_text(day)};
    exec_p(g,
           "INSERT INTO checkouts(id, owner_id, department_id, created_at, created_by, updated_at, updated_by, version,"
           " number, customer_id, guest_name, lines, payment_method, extra_discount, amount_paid, amount_due,"
           " discount, total, change_given, balance_used, bonus_used, points_awarded, member_expired, business_day)"
           " VALUES ($1, $2, $3, $4, $2, $4, $2, 1, $5, $6, $7, $8, $9, 0, $10, $11, $12, $13, $14, $15, $16, $17,"
           " $18, $19)",
           p, 19);
    free(lines_text);
    g->ncheckouts++;
}

/* ---------- bookings ---------- */

typedef struct Pending {
    int64_t at; /* checkout time */
    int mi;
    const char *guest;
    GLine line;
    bool single; /* a count-card member's coach hour: no extras */
    int extras;  /* consumables added */
} Pending;

static int cmp_pending(const void *a, const void *b)
{
    int64_t x = ((const Pending *)a)->at, y = ((const Pending *)b)->at;
    return x < y ? -1 : x > y;
}

/* The bookings of day d; completed ones are queued for checkout. */
static int bookings_of_day(G *g, int d, bool today, Pending *out, int cap)
{
    int np = 0;
    int64_t t0 = day_start(d);
    for (int ri = 0; ri < NBOOKABLE; ri++) {
        const Res *r = &g->res[ri];
        int slot = r->open_min;
        while (slot + 60 <= r->close_min) {
            int len = rnd(g, 3) ? 60 : 120;
            if (slot + len > r->close_min)
                len = 60;
            if (rnd(g, 100) >= (today ? 55 : 40)) {
                slot += 60;
                continue;
            }
            int64_t s = t0 + slot * 60, e = s + len * 60;
            slot += len;
            int mi = pick_member(g, d);
            if (mi >= 0 && (g->mem[mi].expires < d || rnd(g, 4) == 0))
                mi = -1;
            const char *guest = mi < 0 ? guests[rnd(g, 5)] : NULL;
            const char *status = "booked";
            int st = (int)rnd(g, 100);
            if (!today)
                status = st < 85 ? "completed" : st < 93 ? "cancelled" : st < 98 ? "no_show" : "booked";
            int64_t created = s - 3600 - rnd(g, 3 * 86400);
            if (created > g->now)
                created = g->now - rnd(g, 3600);
            int64_t updated = !strcmp(status, "completed") ? e + 60 + rnd(g, 600) : created;
            char cs[64], us[64], ss[64], es[64], number[32];
            ts_ms(created, g, cs);
            ts_ms(updated, g, us);
            time_format_s(s, ss);
            time_format_s(e, es);
            int y = year_of(created);
            snprintf(number, sizeof number, "BK%04d%06lld", y, (long long)++g->seq_bk[y - 1970]);
            int64_t id = g->next_booking++, who = g->desk[rnd(g, NDESK)];
            DbVal p[] = {dbv_int(id),
                         dbv_int(who),
                         dbv_int(g->desk_dept),
                         dbv_text(cs),
                         dbv_text(us),
                         dbv_int(strcmp(status, "booked") ? 2 : 1),
                         dbv_text(number),
                         dbv_int(r->id),
                         mi >= 0 ? dbv_int(g->mem[mi].id) : dbv_null(),
                         guest ? dbv_text(guest) : dbv_null(),
                         dbv_text(ss),
                         dbv_text(es),
                         dbv_text(status)};
            exec_p(g,
                   "INSERT INTO bookings(id, owner_id, department_id, created_at, created_by, updated_at, updated_by,"
                   " version, number, resource_id, customer_id, guest_name, start_at, end_at, status, late_entry)"
                   " VALUES ($1, $2, $3, $4, $2, $5, $2, $6, $7, $8, $9, $10, $11, $12, $13, 0)",
                   p, 13);
            g->nbookings++;
            if (!strcmp(status, "completed") && np < cap)
                out[np++] = (Pending){
                    .at = updated, .mi = mi, .guest = guest, .line = {.res = ri, .booking_id = id, .t0 = s, .t1 = e}};
        }
    }
    return np;
}

/* ---------- members ---------- */

static void make_members(G *g, int nmem, int today)
{
    DbRes *r;
    DbVal lp[] = {dbv_int(nmem)};
    if (db_query(g->c.db,
                 "SELECT id FROM customers WHERE kind = 'individual' AND deleted_at IS NULL AND member_type_id IS NULL"
                 " ORDER BY id LIMIT $1",
                 lp, 1, &r) != DB_OK)
        gx_die("bench-desk: cannot read customers");
    g->mem = xcalloc((size_t)nmem, sizeof *g->mem);
    while (g->nmem < nmem && db_next(r) == 1)
        g->mem[g->nmem++].id = db_int(r, 0);
    db_done(r);
    if (g->nmem < nmem)
        gx_die("bench-desk: only %d individual customers", g->nmem);
    for (int i = 0; i < g->nmem; i++) {
        Mem *m = &g->mem[i];
        int w = (int)rnd(g, 100), k = 0;
        for (int acc = types[0].share; w >= acc && k < NTYPES - 1; acc += types[++k].share)
            ;
        m->type = k;
        m->join = today - 1 - (int)rnd(g, 3 * 365);
        m->expires = add_months(m->join, (int)types[k].valid_months);
        snprintf(m->card, sizeof m->card, "VIP%06d", i + 1);
    }
}

static void store_members(G *g)
{
    for (int i = 0; i < g->nmem; i++) {
        Mem *m = &g->mem[i];
        char joined[11], expires[11], birthday[11], visit[64] = "";
        day_str(m->join, joined);
        day_str(m->expires, expires);
        int y, mo, d;
        ms_civil_from_days(m->join - 365 * (18 + (int)rnd(g, 45)) - (int)rnd(g, 365), &y, &mo, &d);
        snprintf(birthday, sizeof birthday, "%04d-%02d-%02d", y, mo, d);
        if (m->last_visit)
            time_format_s(m->last_visit, visit);
        DbVal p[] = {dbv_text(m->card),
                     dbv_int(types[m->type].id),
                     dbv_text(joined),
                     dbv_text(expires),
                     dbv_int(m->balance),
                     dbv_int(m->bonus),
                     dbv_int(m->points),
                     dbv_int(m->count),
                     dbv_text(i % 2 ? "female" : "male"),
                     dbv_text(birthday),
                     *visit ? dbv_text(visit) : dbv_null(),
                     dbv_int(m->id)};
        exec_p(g,
               "UPDATE customers SET card_no = $1, member_type_id = $2, joined_on = $3, expires_on = $4,"
               " balance = $5, bonus_balance = $6, points = $7, count_left = $8, gender = $9, birthday = $10,"
               " last_visit_at = $11, version = version + 1 WHERE id = $12",
               p, 12);
    }
}

/* ---------- main ---------- */

static void drop_indexes(G *g, const char *table, char **names, char **sqls, int *n)
{
    DbRes *r;
    DbVal p[] = {dbv_text(table)};
    if (db_query(g->c.db,
                 "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL", p, 1,
                 &r) != DB_OK)
        gx_die("bench-desk: cannot read indexes");
    int first = *n;
    while (db_next(r) == 1 && *n < 64) {
        names[*n] = xstrdup(db_text(r, 0));
        sqls[*n] = xstrdup(db_text(r, 1));
        (*n)++;
    }
    db_done(r);
    for (int i = first; i < *n; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP INDEX %s", names[i]); /* sql-ok: names from sqlite_master */
        exec_or_die(g->c.db, sql);
    }
}

static int64_t max_id(G *g, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM %s", table); /* sql-ok: our table names */
    int64_t v = 0;
    bool found;
    if (db_query_int(g->c.db, sql, NULL, 0, &v, &found) != DB_OK)
        gx_die("bench-desk: %s: %s", sql, db_errmsg(g->c.db));
    return v;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int64_t nmem = 50000, nlines = 2000000, ndays = 730, seed = 1;
    static struct option longopts[] = {{"db", required_argument, 0, 'd'},
                                       {"members", required_argument, 0, 'm'},
                                       {"lines", required_argument, 0, 'l'},
                                       {"days", required_argument, 0, 'n'},
                                       {"seed", required_argument, 0, 's'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (ch == 'd')
            path = optarg;
        else if (ch == 'm' && parse_i64(optarg, &nmem) && nmem > 0 && nmem <= 10000000)
            continue;
        else if (ch == 'l' && parse_i64(optarg, &nlines) && nlines > 0 && nlines <= 100000000)
            continue;
        else if (ch == 'n' && parse_i64(optarg, &ndays) && ndays >= BOOKING_DAYS && ndays <= 3650)
            continue;
        else if (ch == 's' && parse_i64(optarg, &seed))
            continue;
        else {
            fputs("usage: guanxi-bench-desk --db FILE [--members 50000] [--lines 2000000] [--days 730] [--seed 1]\n"
                  "Adds member types, members, resources, bookings and checkouts to a database made by\n"
                  "guanxi-bench-gen.\n",
                  stderr);
            return 2;
        }
    }
    if (!path) {
        fputs("guanxi-bench-desk: --db FILE is required\n", stderr);
        return 2;
    }
    if (!auth_init())
        gx_die("bench-desk: libsodium failed to initialise");
    log_set_level(LOG_WARN);
    meta_load();
    modules_init();
    char *err = NULL;
    Db *dbh = db_open(path, &err);
    if (!dbh)
        gx_die("bench-desk: cannot open %s: %s", path, err ? err : "?");
    Arena arena;
    arena_init(&arena);
    static G g;
    ctx_init(&g.c, &arena, db_thread_conn(dbh));
    g.rng = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)seed * 0xBF58476D1CE4E5B9ULL);
    g.now = time_now_ms() / 1000;
    double t0 = now_s(), t;
    if (setup_database(&g.c, "Bench12345", NULL))
        gx_die("bench-desk: migrations: %s", g.c.err_msg ? g.c.err_msg : "?");
    int64_t have = 0;
    bool found;
    db_query_int(g.c.db, "SELECT count(*) FROM member_types", NULL, 0, &have, &found);
    if (have)
        gx_die("bench-desk: %s has member types already (run it once, on a copy of the bench database)", path);
    printf("guanxi-bench-desk: %s — migrations %.1f s\n", path, now_s() - t0);

    t = now_s();
    make_catalogue(&g);
    make_desk_users(&g);
    printf("  member types, %d resources, %d desk users %7.1f s\n", NRES, NDESK, now_s() - t);

    exec_or_die(g.c.db, "PRAGMA foreign_keys=OFF; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                        " PRAGMA cache_size=-1048576");
    char *names[64], *sqls[64];
    int nidx = 0;
    static const char *const tables[] = {"checkouts", "checkout_lines", "member_ledger", "bookings"};
    for (int i = 0; i < 4; i++)
        drop_indexes(&g, tables[i], names, sqls, &nidx);
    g.next_checkout = max_id(&g, "checkouts") + 1;
    g.next_line = max_id(&g, "checkout_lines") + 1;
    g.next_ledger = max_id(&g, "member_ledger") + 1;
    g.next_booking = max_id(&g, "bookings") + 1;

    t = now_s();
    exec_or_die(g.c.db, "BEGIN");
    int today = day_of(g.now);
    make_members(&g, (int)nmem, today);
    int first = today - (int)ndays;
    size_t cap = NBOOKABLE * 16;
    Pending *pend = xcalloc(cap + 8192, sizeof *pend);
    for (int d = first - 3 * 365; d <= today; d++) {
        member_events(&g, d);
        if (d < first && d != today)
            continue;
        bool is_today = d == today;
        int np = d >= today - BOOKING_DAYS ? bookings_of_day(&g, d, is_today, pend, (int)cap) : 0;
        if (is_today)
            break;
        /* this day's share of the lines still to write: a checkout for every
         * completed booking, ad-hoc checkouts, then consumables spread at
         * random over the checkouts until the day has exactly its share */
        int64_t left_days = today - d, want = (nlines - g.nlines) / left_days;
        int64_t t0d = day_start(d);
        int nadhoc = (int)((want - 2 * np) / 2);
        for (int k = 0; k < nadhoc && np < (int)cap + 8192; k++) {
            int64_t at = t0d + 8 * 3600 + rnd(&g, 14 * 3600);
            int mi = rnd(&g, 10) < 7 ? pick_member(&g, d) : -1;
            Pending *p = &pend[np++];
            *p = (Pending){.at = at, .mi = mi};
            if (mi >= 0 && types[g.mem[mi].type].card == 2 && rnd(&g, 10) < 6)
                p->single = true, p->line = (GLine){.res = (int)rnd(&g, NCOACH), .t0 = at - 3600, .t1 = at};
            else if (rnd(&g, 2))
                p->line = (GLine){.res = (int)rnd(&g, NBOOKABLE), .t0 = at - 3600 * (1 + rnd(&g, 2)), .t1 = at};
            else
                p->line = (GLine){.res = NBOOKABLE + (int)rnd(&g, NCONS), .qty = 1 + rnd(&g, 3)};
        }
        qsort(pend, (size_t)np, sizeof *pend, cmp_pending);
        int eligible = 0;
        for (int i = 0; i < np; i++)
            eligible += !pend[i].single;
        int64_t extra = want - np;
        for (int64_t tries = 0; extra > 0 && eligible > 0 && tries < 100 * want; tries++) {
            int i = (int)rnd(&g, np);
            if (pend[i].single || pend[i].extras >= MAXL - 1)
                continue;
            pend[i].extras++;
            extra--;
        }
        for (int i = 0; i < np; i++) {
            GLine ls[MAXL];
            int n = 0;
            ls[n++] = pend[i].line;
            for (int j = 0; j < pend[i].extras; j++)
                ls[n++] = (GLine){.res = NBOOKABLE + (int)rnd(&g, NCONS), .qty = 1 + rnd(&g, 3)};
            checkout(&g, d, pend[i].at, pend[i].mi, pend[i].guest, ls, n);
        }
    }
    store_members(&g);
    /* sequences continue where the data leaves off */
    for (int y = 0; y < 200; y++) {
        for (int k = 0; k < 2; k++) {
            int64_t v = k ? g.seq_bk[y] : g.seq_jz[y];
            if (!v)
                continue;
            char key[64];
            snprintf(key, sizeof key, "%s.number:%04d", k ? "bookings" : "checkouts", 1970 + y);
            DbVal p[] = {dbv_text(key), dbv_int(v)};
            exec_p(&g,
                   "INSERT INTO sequences(name, value) VALUES ($1, $2)"
                   " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                   p, 2);
        }
    }
    DbVal sp[] = {dbv_text("member_card_no"), dbv_int(g.nmem)};
    exec_p(&g,
           "INSERT INTO sequences(name, value) VALUES ($1, $2) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
           sp, 2);
    exec_or_die(g.c.db, "COMMIT");
    double load = now_s() - t;
    int64_t rows = g.ncheckouts + g.nlines + g.nledger + g.nbookings + g.nmem;
    printf("  %d members, %lld bookings, %lld checkouts, %lld lines, %lld ledger lines: %lld rows %7.1f s %9.0f "
           "rows/s\n",
           g.nmem, (long long)g.nbookings, (long long)g.ncheckouts, (long long)g.nlines, (long long)g.nledger,
           (long long)rows, load, (double)rows / load);
    t = now_s();
    for (int i = 0; i < nidx; i++) {
        exec_or_die(g.c.db, sqls[i]);
        free(names[i]);
        free(sqls[i]);
    }
    printf("  indexes (%d)             %7.1f s\n", nidx, now_s() - t);
    t = now_s();
    if (ms_summary_rebuild(&g.c))
        gx_die("bench-desk: summaries: %s", g.c.err_msg ? g.c.err_msg : "?");
    printf("  day summaries (ms_summary_rebuild) %7.1f s\n", now_s() - t);
    t = now_s();
    exec_or_die(g.c.db, "ANALYZE checkouts; ANALYZE checkout_lines; ANALYZE member_ledger; ANALYZE bookings;"
                        " ANALYZE customers; ANALYZE resources; ANALYZE member_types; PRAGMA optimize; PRAGMA "
                        "journal_mode=WAL; PRAGMA wal_checkpoint(TRUNCATE)");
    printf("  ANALYZE, WAL             %7.1f s\n", now_s() - t);
    printf("done in %.1f s\n", now_s() - t0);
    free(pend);
    free(g.mem);
    ctx_done(&g.c);
    arena_free(&arena);
    db_close(dbh);
    meta_free();
    return 0;
}
