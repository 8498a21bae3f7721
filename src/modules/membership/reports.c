/* reports.c — front-desk reports (daily journal 流水, income by month, year
 * and in total, member consumption, use by resource) and member care lists.
 *
 * Reports add up every checkout, so they need the checkouts read scope
 * "all" (front desk, administrators). Business days are stored on each
 * checkout and line, so a day or a month is an index range. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../base/util.h"
#include "../reminders.h"
#include "internal.h"

#define MS_JOURNAL_MONEY_MAX 5000 /* top-ups and fees of a day shown */

static GxErr may_report(Ctx *c)
{
    if (acl_scope(c, meta_entity("checkouts"), ACT_READ) != SCOPE_ALL)
        return ctx_fail(c, GX_EDENIED, "You may not read the front-desk reports");
    return GX_OK;
}

/* Period bounds: given dates must be YYYY-MM-DD; absent ones are open. */
static GxErr bounds(Ctx *c, const char **from, const char **to)
{
    int y, m, d;
    if (*from && **from && !time_parse_date(*from, &y, &m, &d))
        ctx_field(c, "from", "must be a date YYYY-MM-DD");
    if (*to && **to && !time_parse_date(*to, &y, &m, &d))
        ctx_field(c, "to", "must be a date YYYY-MM-DD");
    if (c->err)
        return c->err;
    if (!*from || !**from)
        *from = "0000-01-01";
    if (!*to || !**to)
        *to = "9999-12-31";
    return GX_OK;
}

static json_t *col_json(DbRes *r, int i, bool integer)
{
    if (db_isnull(r, i))
        return json_null();
    return integer ? json_integer(db_int(r, i)) : json_string(db_text(r, i));
}

/* Run sql and turn each row into an object with the given keys; keys
 * starting with '#' are integers (the '#' is dropped). */
static GxErr rows_of(Ctx *c, const char *sql, const DbVal *p, int np, const char *const *keys, json_t **out)
{
    DbRes *r;
    if (db_query(c->db, sql, p, np, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the report");
    json_t *rows = json_array();
    int s;
    while ((s = db_next(r)) == 1) {
        json_t *o = json_object();
        for (int i = 0; keys[i]; i++) {
            bool integer = keys[i][0] == '#';
            json_object_set_new(o, keys[i] + integer, col_json(r, i, integer));
        }
        json_array_append_new(rows, o);
    }
    db_done(r);
    if (s < 0) {
        json_decref(rows);
        return ctx_fail(c, GX_EDB, "cannot read the report");
    }
    *out = rows;
    return GX_OK;
}

static int64_t sum_key(json_t *rows, const char *key)
{
    int64_t t = 0;
    size_t i;
    json_t *o;
    json_array_foreach(rows, i, o) t += json_integer_value(json_object_get(o, key));
    return t;
}

static bool one_of(const char *s, const char *const *set)
{
    for (int i = 0; set[i]; i++)
        if (!strcmp(s, set[i]))
            return true;
    return false;
}

/* The journal's filters, checked: NULL or "" = all. */
static GxErr journal_args(Ctx *c, const char *date, const char *payment_method, const char *kind)
{
    int y, m, d;
    if (!date || !time_parse_date(date, &y, &m, &d))
        ctx_field(c, "date", "must be a date YYYY-MM-DD");
    static const char *const methods[] = {"cash", "card", "stored_value", "count_card", NULL};
    static const char *const kinds[] = {"coach", "venue", "facility", "consumable", NULL};
    if (payment_method && *payment_method && !one_of(payment_method, methods))
        ctx_field(c, "payment_method", "must be cash, card, stored_value or count_card");
    if (kind && *kind && !one_of(kind, kinds))
        ctx_field(c, "kind", "must be coach, venue, facility or consumable");
    return c->err;
}

/* The lines of a day in id (time) order: the page's ids first, from the
 * day's index range, then only those rows joined to their checkout and
 * customer (joining every line of the day before sorting cost ~10 ms at
 * 2,740 lines). */
static GxErr journal_lines(Ctx *c, const char *date, const char *pm, const char *kind, int64_t limit, int64_t offset,
                           json_t **out)
{
    static const char *keys[] = {
        "#id",         "#checkout_id", "number",   "#customer_id",   "customer_name", "#resource_id",
        "description", "kind",         "start_at", "end_at",         "#quantity",     "#unit_price",
        "#amount",     "#discount",    "#total",   "payment_method", "created_at",    NULL};
    DbVal p[] = {dbv_text(date), dbv_int(limit), dbv_text(pm && *pm ? pm : ""), dbv_text(kind && *kind ? kind : ""),
                 dbv_int(offset)};
    return rows_of(c,
                   "SELECT l.id, l.checkout_id, k.number, l.customer_id, cu.name, l.resource_id, l.description,"
                   " l.resource_kind, l.start_at, l.end_at, l.quantity, l.unit_price, l.amount, l.discount, l.total,"
                   " l.payment_method, l.created_at"
                   " FROM (SELECT id FROM checkout_lines WHERE business_day = $1 AND deleted_at IS NULL"
                   " AND ($3 = '' OR payment_method = $3) AND ($4 = '' OR resource_kind = $4)"
                   " ORDER BY id LIMIT $2 OFFSET $5) pg"
                   " JOIN checkout_lines l ON l.id = pg.id JOIN checkouts k ON k.id = l.checkout_id"
                   " LEFT JOIN customers cu ON cu.id = l.customer_id ORDER BY l.id",
                   p, 5, keys, out);
}

GxErr membership_daily_journal(Ctx *c, const char *date, const char *payment_method, const char *kind, int64_t limit,
                               int64_t offset, json_t **out)
{
    *out = NULL;
    GxErr rc = may_report(c);
    if (rc)
        return rc;
    if (limit < 1 || limit > MS_JOURNAL_PAGE_MAX)
        ctx_field(c, "limit", "must be a number from 1 to %d", MS_JOURNAL_PAGE_MAX);
    if (offset < 0)
        ctx_field(c, "offset", "must be 0 or more");
    if ((rc = journal_args(c, date, payment_method, kind)))
        return rc;
    DbVal p[] = {dbv_text(date), dbv_int(MS_JOURNAL_MONEY_MAX),
                 dbv_text(payment_method && *payment_method ? payment_method : ""),
                 dbv_text(kind && *kind ? kind : "")};
    /* One pass over the day's lines (the range of the day on the covering
     * index of migration 7, checkout_lines_day_idx, in id order: no table
     * row is read and nothing sorted): the count and sums of all of them,
     * whatever page is shown, and their ids for the page's bounds. The page's rows are then a range
     * of ids with the same conditions, joined to their checkout and
     * customer (a second pass sorting the day's ids in SQL cost as much as
     * the sums). */
    DbRes *res;
    if (db_query(c->db,
                 "SELECT id, amount, total FROM checkout_lines WHERE business_day = $1 AND deleted_at IS NULL"
                 " AND ($2 = '' OR payment_method = $2) AND ($3 = '' OR resource_kind = $3) ORDER BY id",
                 (DbVal[]){p[0], p[2], p[3]}, 3, &res) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the report");
    int64_t count = 0, amount = 0, total = 0, cap = 0, *ids = NULL;
    int st;
    while ((st = db_next(res)) == 1) {
        if (count == cap) {
            cap = cap ? 2 * cap : 1024;
            int64_t *more = arena_alloc(c->arena, (size_t)cap * sizeof *more);
            if (count)
                memcpy(more, ids, (size_t)count * sizeof *more);
            ids = more;
        }
        ids[count++] = db_int(res, 0);
        amount += db_isnull(res, 1) ? 0 : db_int(res, 1);
        total += db_isnull(res, 2) ? 0 : db_int(res, 2);
    }
    db_done(res);
    if (st < 0)
        return ctx_fail(c, GX_EDB, "cannot read the report");
    json_t *rows, *money;
    if (offset >= count) {
        rows = json_array();
    } else {
        int64_t last = offset + limit < count ? offset + limit - 1 : count - 1;
        static const char *keys[] = {
            "#id",         "#checkout_id", "number",   "#customer_id",   "customer_name", "#resource_id",
            "description", "kind",         "start_at", "end_at",         "#quantity",     "#unit_price",
            "#amount",     "#discount",    "#total",   "payment_method", "created_at",    NULL};
        DbVal q[] = {p[0], p[2], p[3], dbv_int(ids[offset]), dbv_int(ids[last])};
        if ((rc = rows_of(c,
                          "SELECT l.id, l.checkout_id, k.number, l.customer_id, cu.name, l.resource_id, l.description,"
                          " l.resource_kind, l.start_at, l.end_at, l.quantity, l.unit_price, l.amount, l.discount,"
                          " l.total, l.payment_method, l.created_at"
                          " FROM checkout_lines l JOIN checkouts k ON k.id = l.checkout_id"
                          " LEFT JOIN customers cu ON cu.id = l.customer_id"
                          " WHERE l.id >= $4 AND l.id <= $5 AND l.business_day = $1 AND l.deleted_at IS NULL"
                          " AND ($2 = '' OR l.payment_method = $2) AND ($3 = '' OR l.resource_kind = $3) ORDER BY l.id",
                          q, 5, keys, &rows)))
            return rc;
    }
    /* Money in without a checkout: top-ups paid in and membership fees. */
    static const char *mkeys[] = {"#id",     "#customer_id",   "customer_name", "card_no",    "kind",
                                  "#amount", "payment_method", "reason",        "created_at", NULL};
    if ((rc = rows_of(c,
                      "SELECT g.id, g.customer_id, cu.name, cu.card_no, g.kind, g.delta, g.payment_method, g.reason,"
                      " g.created_at FROM member_ledger g LEFT JOIN customers cu ON cu.id = g.customer_id"
                      " WHERE g.business_day = $1 AND g.deleted_at IS NULL AND ((g.kind = 'balance' AND g.delta > 0"
                      " AND g.checkout_id IS NULL AND g.payment_method IN ('cash', 'card')) OR g.kind = 'fee')"
                      " AND ($3 = '' OR g.payment_method = $3) AND $4 = '' ORDER BY g.id LIMIT $2",
                      p, 4, mkeys, &money))) {
        json_decref(rows);
        return rc;
    }
    *out = json_pack("{s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:b}", "date", date, "lines", rows, "count",
                     (json_int_t)count, "limit", (json_int_t)limit, "offset", (json_int_t)offset, "total",
                     (json_int_t)total, "amount", (json_int_t)amount, "money", money, "money_total",
                     (json_int_t)sum_key(money, "amount"), "truncated",
                     offset + (int64_t)json_array_size(rows) < count);
    return GX_OK;
}

GxErr membership_journal_each(Ctx *c, const char *date, const char *payment_method, const char *kind,
                              GxErr (*each)(Ctx *c, json_t *lines, void *arg), void *arg)
{
    GxErr rc = may_report(c);
    if (rc || (rc = journal_args(c, date, payment_method, kind)))
        return rc;
    for (int64_t offset = 0;; offset += MS_JOURNAL_PAGE_MAX) {
        json_t *rows;
        if ((rc = journal_lines(c, date, payment_method, kind, MS_JOURNAL_PAGE_MAX, offset, &rows)))
            return rc;
        size_t n = json_array_size(rows);
        rc = n ? each(c, rows, arg) : GX_OK;
        json_decref(rows);
        if (rc || n < MS_JOURNAL_PAGE_MAX)
            return rc;
    }
}

GxErr membership_income(Ctx *c, const char *period, const char *from, const char *to, json_t **out)
{
    *out = NULL;
    GxErr rc = may_report(c);
    if (rc)
        return rc;
    if (!period || !*period)
        period = "month";
    /* Checkouts by day, and money in without a checkout (top-ups, fees). */
    const char *days = " FROM (SELECT business_day d, checkouts n, total, cash, 0 topups, 0 fees, 0 fees_cash"
                       " FROM checkout_days WHERE business_day >= $1 AND business_day <= $2 UNION ALL"
                       " SELECT business_day, 0, 0, 0, topups, fees, fees_cash FROM member_money_days"
                       " WHERE business_day >= $1 AND business_day <= $2) x";
    const char *sums =
        ", coalesce(sum(n), 0), coalesce(sum(total), 0), coalesce(sum(cash), 0), coalesce(sum(topups), 0),"
        " coalesce(sum(fees), 0), coalesce(sum(cash), 0) + coalesce(sum(topups), 0) +"
        " coalesce(sum(fees_cash), 0)";
    const char *sql;
    const char *by = "substr(d, 1, 7)";
    if (!strcmp(period, "month") || !strcmp(period, "year")) {
        if (period[0] == 'y')
            by = "substr(d, 1, 4)";
        sql = arena_printf(c->arena, "SELECT %s%s%s GROUP BY %s ORDER BY 1", by, sums, days, by); /* sql-ok: constant fragments above */
    } else if (!strcmp(period, "total"))
        sql = arena_printf(c->arena, "SELECT 'total'%s%s", sums, days); /* sql-ok: constant fragments above */
    else {
        ctx_field(c, "period", "must be month, year or total");
        return c->err;
    }
    if ((rc = bounds(c, &from, &to)))
        return rc;
    static const char *keys[] = {"period", "#count", "#total", "#cash", "#topups", "#fees", "#received", NULL};
    DbVal p[] = {dbv_text(from), dbv_text(to)};
    json_t *rows;
    if ((rc = rows_of(c, sql, p, 2, keys, &rows)))
        return rc;
    *out = json_pack("{s:s, s:o, s:I, s:I, s:I, s:I, s:I}", "period", period, "rows", rows, "total",
                     (json_int_t)sum_key(rows, "total"), "cash", (json_int_t)sum_key(rows, "cash"), "topups",
                     (json_int_t)sum_key(rows, "topups"), "fees", (json_int_t)sum_key(rows, "fees"), "received",
                     (json_int_t)sum_key(rows, "received"));
    return GX_OK;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : d[m - 1];
}

/* A period from..to (business days, both included, as bounds() leaves
 * them: 0000-01-01 and 9999-12-31 for open ends) as its whole months
 * mlo..mhi ("YYYY-MM") and the days around them: from..r1 before and
 * r2..to after (each empty when its bounds cross). Without a whole month,
 * mlo > mhi and from..r1 is the whole period. */
static void period_split(const char *from, const char *to, char mlo[32], char mhi[32], char r1[32], char r2[32])
{
    int fy = 0, fm = 1, fd = 1, ty = 9999, tm = 12, td = 31;
    time_parse_date(from, &fy, &fm, &fd);
    time_parse_date(to, &ty, &tm, &td);
    int lo = fy * 12 + (fm - 1) + (fd == 1 ? 0 : 1); /* months since year 0 */
    int hi = ty * 12 + (tm - 1) - (td >= days_in_month(ty, tm) ? 0 : 1);
    if (lo > hi) {
        snprintf(mlo, 32, "9999-99");
        snprintf(mhi, 32, "0000-00");
        snprintf(r1, 32, "%s", to);
        snprintf(r2, 32, "9999-99-99");
        return;
    }
    snprintf(mlo, 32, "%04d-%02d", lo / 12 % 10000, lo % 12 + 1);
    snprintf(mhi, 32, "%04d-%02d", hi / 12 % 10000, hi % 12 + 1);
    if (lo == 0) {
        snprintf(r1, 32, "0000-00-00");
    } else {
        int py = (lo - 1) / 12, pm = (lo - 1) % 12 + 1;
        snprintf(r1, 32, "%04d-%02d-%02d", py % 10000, pm, days_in_month(py, pm));
    }
    if (hi >= 9999 * 12 + 11)
        snprintf(r2, 32, "9999-99-99");
    else
        snprintf(r2, 32, "%04d-%02d-01", (hi + 1) / 12 % 10000, (hi + 1) % 12 + 1);
}

/* Member consumption of all members, summed in C: customer id -> sums, an
 * open-addressing table (ids are > 0; 0 marks a free slot). */
typedef struct MemberSum {
    int64_t id, n, total, discount, points;
} MemberSum;

typedef struct MemberSums {
    MemberSum *slot;
    size_t cap, used; /* cap a power of two */
} MemberSums;

static MemberSum *sums_at(MemberSums *m, int64_t id)
{
    if (2 * (m->used + 1) > m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 16384;
        MemberSum *old = m->slot, *nv = xmalloc(cap * sizeof *nv);
        memset(nv, 0, cap * sizeof *nv);
        for (size_t i = 0; i < m->cap; i++)
            if (old[i].id) {
                size_t h = ((uint64_t)old[i].id * 0x9E3779B97F4A7C15u) >> 20 & (cap - 1);
                while (nv[h].id)
                    h = (h + 1) & (cap - 1);
                nv[h] = old[i];
            }
        free(old);
        m->slot = nv;
        m->cap = cap;
    }
    size_t h = ((uint64_t)id * 0x9E3779B97F4A7C15u) >> 20 & (m->cap - 1);
    while (m->slot[h].id && m->slot[h].id != id)
        h = (h + 1) & (m->cap - 1);
    if (!m->slot[h].id) {
        m->slot[h].id = id;
        m->used++;
    }
    return &m->slot[h];
}

/* The days outside whole months: checkouts of members, from the covering
 * checkouts_member_sums_idx (business_day first). */
#define CONSUMPTION_DAYS                                                                                               \
    "SELECT customer_id, 1, total, discount, points_awarded FROM checkouts WHERE deleted_at IS NULL AND"               \
    " customer_id IS NOT NULL AND business_day >= $1 AND business_day <= $2"

/* Add the rows of sql (customer_id, count, total, discount, points; two
 * parameters) to m. */
static GxErr sums_add(Ctx *c, MemberSums *m, const char *sql, const DbVal *p)
{
    DbRes *r;
    if (db_query(c->db, sql, p, 2, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the report");
    int s;
    while ((s = db_next(r)) == 1) {
        if (db_isnull(r, 0))
            continue;
        MemberSum *x = sums_at(m, db_int(r, 0));
        x->n += db_isnull(r, 1) ? 0 : db_int(r, 1);
        x->total += db_isnull(r, 2) ? 0 : db_int(r, 2);
        x->discount += db_isnull(r, 3) ? 0 : db_int(r, 3);
        x->points += db_isnull(r, 4) ? 0 : db_int(r, 4);
    }
    db_done(r);
    return s < 0 ? ctx_fail(c, GX_EDB, "cannot read the report") : GX_OK;
}

/* Larger total first, then smaller id (the SQL's ORDER BY sum(total) DESC,
 * customer_id). */
static int sum_cmp(const void *a, const void *b)
{
    const MemberSum *x = a, *y = b;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The `limit` members of m with the largest totals, named (name, card_no:
 * the customer row of each), in that order, as the report's rows; members
 * no longer in customers (purged) are left out, as the join left them. */
static GxErr sums_top(Ctx *c, MemberSums *m, int limit, json_t **out)
{
    *out = NULL;
    MemberSum *all = m->used ? xmalloc(m->used * sizeof *all) : NULL;
    size_t n = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slot[i].id)
            all[n++] = m->slot[i];
    if (n > 1)
        qsort(all, n, sizeof *all, sum_cmp);
    if (n > (size_t)limit)
        n = (size_t)limit;
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++) {
        DbVal p[] = {dbv_int(all[i].id)};
        DbRes *r;
        if (db_query(c->db, "SELECT name, card_no FROM customers WHERE id = $1", p, 1, &r) != DB_OK) {
            free(all);
            json_decref(rows);
            return ctx_fail(c, GX_EDB, "cannot read the report");
        }
        int s = db_next(r);
        if (s == 1)
            json_array_append_new(
                rows, json_pack("{s:I, s:o, s:o, s:I, s:I, s:I, s:I}", "customer_id", (json_int_t)all[i].id, "name",
                                col_json(r, 0, false), "card_no", col_json(r, 1, false), "count",
                                (json_int_t)all[i].n, "total", (json_int_t)all[i].total, "discount",
                                (json_int_t)all[i].discount, "points", (json_int_t)all[i].points));
        db_done(r);
        if (s < 0) {
            free(all);
            json_decref(rows);
            return ctx_fail(c, GX_EDB, "cannot read the report");
        }
    }
    free(all);
    *out = rows;
    return GX_OK;
}

GxErr membership_consumption(Ctx *c, int64_t customer_id, const char *from, const char *to, json_t **out)
{
    *out = NULL;
    GxErr rc = may_report(c);
    if (rc)
        return rc;
    if ((rc = bounds(c, &from, &to)))
        return rc;
    static const char *keys[] = {"#customer_id", "name", "card_no", "#count", "#total", "#discount", "#points", NULL};
    DbVal p[] = {dbv_text(from), dbv_text(to), dbv_int(customer_id)};
    json_t *rows;
    if (!customer_id) {
        /* All members: the whole months of the period from the per-member
         * month summary (migration 7), the days before the first and after
         * the last whole month from the covering index of migration 5, a
         * range each (their OR was read as a scan of the whole index),
         * summed per member here (SQLite's GROUP BY sorted the ~110,000 rows
         * of a year in a temporary b-tree first: about half the report's
         * CPU), then the 500 largest named. (Summing the index over the
         * period cost 1.7 G instructions for 12 months of 500,000 checkouts
         * and 9,000 members.) */
        char mlo[32], mhi[32], r1[32], r2[32];
        period_split(from, to, mlo, mhi, r1, r2);
        MemberSums ms = {0};
        DbVal q[] = {dbv_text(mlo), dbv_text(mhi)};
        DbVal d1[] = {dbv_text(from), dbv_text(r1)}, d2[] = {dbv_text(r2), dbv_text(to)};
        if ((rc = sums_add(c, &ms,
                           "SELECT customer_id, checkouts, total, discount, points FROM checkout_member_months"
                           " WHERE month >= $1 AND month <= $2",
                           q)) ||
            (rc = sums_add(c, &ms, CONSUMPTION_DAYS, d1)) || (rc = sums_add(c, &ms, CONSUMPTION_DAYS, d2))) {
            free(ms.slot);
            return rc;
        }
        rc = sums_top(c, &ms, 500, &rows);
        free(ms.slot);
        if (rc)
            return rc;
        *out = json_pack("{s:o, s:I}", "rows", rows, "total", (json_int_t)sum_key(rows, "total"));
        return GX_OK;
    }
    /* Sum per member first, names for the 500 shown. All members: the
     * covering (business_day, customer_id, total, …) index of migration 5,
     * grouped by customer_id + 0 — grouped by the bare column, SQLite chose
     * the (customer_id, business_day) index for its order and read every
     * checkout row of the period (8 s for a year of 1M checkouts and 9,000
     * members; 0.4 s now). One member: that member's index range. */
    const char *sql =
        customer_id
            ? "SELECT s.customer_id, cu.name, cu.card_no, s.n, s.total, s.discount, s.points FROM"
              " (SELECT customer_id, count(*) n, sum(total) total, sum(discount) discount, sum(points_awarded) points"
              " FROM checkouts WHERE deleted_at IS NULL AND customer_id = $3 AND business_day >= $1"
              " AND business_day <= $2 GROUP BY customer_id) s"
              " JOIN customers cu ON cu.id = s.customer_id ORDER BY s.total DESC, s.customer_id"
            : "SELECT s.customer_id, cu.name, cu.card_no, s.n, s.total, s.discount, s.points FROM"
              " (SELECT customer_id + 0 customer_id, count(*) n, sum(total) total, sum(discount) discount,"
              " sum(points_awarded) points FROM checkouts WHERE deleted_at IS NULL AND customer_id IS NOT NULL"
              " AND business_day >= $1 AND business_day <= $2 AND $3 = 0"
              " GROUP BY customer_id + 0 ORDER BY sum(total) DESC, customer_id + 0 LIMIT 500) s"
              " JOIN customers cu ON cu.id = s.customer_id ORDER BY s.total DESC, s.customer_id";
    if ((rc = rows_of(c, sql, p, 3, keys, &rows)))
        return rc;
    *out = json_pack("{s:o, s:I}", "rows", rows, "total", (json_int_t)sum_key(rows, "total"));
    if (customer_id) {
        static const char *ck[] = {"#id",    "number",         "business_day",    "#amount_due", "#discount",
                                   "#total", "payment_method", "#points_awarded", NULL};
        json_t *list;
        if ((rc = rows_of(c,
                          "SELECT id, number, business_day, amount_due, discount, total, payment_method, points_awarded"
                          " FROM checkouts WHERE deleted_at IS NULL AND customer_id = $3 AND business_day >= $1"
                          " AND business_day <= $2 ORDER BY business_day DESC, id DESC LIMIT 500",
                          p, 3, ck, &list))) {
            json_decref(*out);
            *out = NULL;
            return rc;
        }
        json_object_set_new(*out, "checkouts", list);
    }
    return GX_OK;
}

GxErr membership_by_resource(Ctx *c, const char *from, const char *to, json_t **out)
{
    *out = NULL;
    GxErr rc = may_report(c);
    if (rc)
        return rc;
    if ((rc = bounds(c, &from, &to)))
        return rc;
    static const char *keys[] = {"#resource_id", "name", "kind", "#count", "#quantity", "#total", NULL};
    DbVal p[] = {dbv_text(from), dbv_text(to)};
    json_t *rows;
    if ((rc = rows_of(c,
                      /* summed per resource first, then named (not a join per day row) */
                      "SELECT s.resource_id, r.name, r.kind, s.lines, s.quantity, s.total FROM"
                      " (SELECT resource_id, sum(lines) lines, sum(quantity) quantity, sum(total) total"
                      " FROM checkout_day_resources WHERE business_day >= $1 AND business_day <= $2"
                      " GROUP BY resource_id) s JOIN resources r ON r.id = s.resource_id"
                      " ORDER BY s.total DESC, s.resource_id",
                      p, 2, keys, &rows)))
        return rc;
    /* the same by resource kind (statistics by type), kinds in a fixed order */
    static const char *const kinds[] = {"coach", "venue", "facility", "consumable", NULL};
    json_t *by_kind = json_array();
    for (int k = 0; kinds[k]; k++) {
        int64_t n = 0, q = 0, t = 0;
        bool any = false;
        size_t i;
        json_t *o;
        json_array_foreach(rows, i, o)
        {
            const char *kind = json_string_value(json_object_get(o, "kind"));
            if (!kind || strcmp(kind, kinds[k]))
                continue;
            any = true;
            n += json_integer_value(json_object_get(o, "count"));
            q += json_integer_value(json_object_get(o, "quantity"));
            t += json_integer_value(json_object_get(o, "total"));
        }
        if (any)
            json_array_append_new(by_kind, json_pack("{s:s, s:I, s:I, s:I}", "kind", kinds[k], "count", (json_int_t)n,
                                                     "quantity", (json_int_t)q, "total", (json_int_t)t));
    }
    *out = json_pack("{s:o, s:o, s:I}", "rows", rows, "kinds", by_kind, "total", (json_int_t)sum_key(rows, "total"));
    return GX_OK;
}

/* The care lists; birthdays only when asked (the reminder centre has its
 * own birthday source). */
static GxErr care_lists(Ctx *c, int days, bool birthdays, json_t **out)
{
    *out = NULL;
    const Entity *e = meta_entity("customers");
    if (acl_scope(c, e, ACT_READ) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not read customers");
    if (days < 0 || days > 366) {
        ctx_field(c, "days", "must be between 0 and 366");
        return c->err;
    }
    char today[11], until[11], month_ago[64];
    ms_today(today);
    int64_t t0;
    ms_day_start(today, &t0);
    ms_business_day(t0 + (int64_t)days * 86400 + 3600, until);
    time_format_s(time_now_ms() / 1000 - 30 * 86400, month_ago);
    bool has_birthday = birthdays && meta_field(e, "birthday") != NULL;
    static const char *keys[] = {"#id", "name", "card_no", "phone", "expires_on", "last_visit_at", NULL};
    const char *cols =
        "SELECT id, name, card_no, phone, expires_on, last_visit_at FROM customers WHERE deleted_at IS NULL"
        " AND member_type_id IS NOT NULL";
    json_t *res = json_object();
    GxErr rc;
    for (int k = 0; k < 3; k++) {
        Sql q;
        sql_init(&q, c->arena);
        sql_raw(&q, cols);
        const char *name;
        if (k == 0) {
            name = "expiring";
            sql_raw(&q, " AND expires_on >= ");
            sql_param(&q, dbv_text(today));
            sql_raw(&q, " AND expires_on <= ");
            sql_param(&q, dbv_text(until));
        } else if (k == 1) {
            name = "absent";
            /* coalesce, not "IS NULL OR": SQLite read the OR from the
             * expires_on index, whose NULLs are every customer who is no
             * member */
            sql_raw(&q, " AND coalesce(expires_on, '9999-12-31') >= ");
            sql_param(&q, dbv_text(today));
            sql_raw(&q, " AND coalesce(last_visit_at, created_at) < ");
            sql_param(&q, dbv_text(month_ago));
        } else {
            name = "birthdays";
            if (!has_birthday) {
                if (birthdays)
                    json_object_set_new(res, name, json_array());
                continue;
            }
            sql_raw(&q, " AND substr(birthday, 6, 5) IN (");
            for (int i = 0; i < 8; i++) {
                char day[11];
                ms_business_day(t0 + (int64_t)i * 86400 + 3600, day);
                if (i)
                    sql_raw(&q, ", ");
                sql_param(&q, dbv_text(arena_strdup(c->arena, day + 5)));
            }
            sql_raw(&q, ")");
        }
        acl_scope_predicate(c, e, ACT_READ, &q);
        /* Members only: the partial covering index of migration 7
         * (customers_members_idx, in expires_on order). By "ORDER BY id"
         * SQLite walked the whole customers table in id order looking for
         * members; id + 0 sorts the few members found in the index. */
        sql_raw(&q, k == 0 ? " ORDER BY expires_on, id LIMIT 200" : " ORDER BY id + 0 LIMIT 200");
        json_t *rows;
        if ((rc = rows_of(c, q.text.data, q.params, q.n, keys, &rows))) {
            json_decref(res);
            return rc;
        }
        json_object_set_new(res, name, rows);
    }
    *out = res;
    return GX_OK;
}

GxErr membership_care(Ctx *c, int days, json_t **out)
{
    return care_lists(c, days, true, out);
}

/* Reminder source (modules/reminders.h): for users who work the front desk
 * (read member types and customers), members whose membership expires in
 * the next 30 days and members not seen for a month, within the user's
 * customers read scope. Birthdays come from the built-in birthday source. */
static GxErr member_reminders(Ctx *c, json_t *out)
{
    const Entity *mt = meta_entity("member_types"), *cu = meta_entity("customers");
    if (!c->who || acl_scope(c, mt, ACT_READ) == SCOPE_NONE || acl_scope(c, cu, ACT_READ) == SCOPE_NONE)
        return GX_OK;
    json_t *care;
    GxErr rc = care_lists(c, 30, false, &care);
    if (rc)
        return rc;
    static const char *kinds[][3] = {{"expiring", "member_expiring", "expires_on"},
                                     {"absent", "member_absent", "last_visit_at"}};
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(care, kinds[k][0]), i, m)
        {
            const char *v = json_string_value(json_object_get(m, kinds[k][2]));
            char day[11] = "";
            int64_t t;
            if (v && k == 1 && time_parse_rfc3339(v, &t))
                ms_business_day(t, day);
            json_t *o = json_pack("{s:s, s:s, s:O, s:O}", "kind", kinds[k][1], "entity", "customers", "id",
                                  json_object_get(m, "id"), "title", json_object_get(m, "name"));
            if (k == 0 && v)
                json_object_set_new(o, "date", json_string(v));
            else if (*day)
                json_object_set_new(o, "date", json_string(day));
            json_object_set_new(o, "detail", json_pack("{s:O}", "card_no", json_object_get(m, "card_no")));
            json_array_append_new(out, o);
        }
    }
    json_decref(care);
    return GX_OK;
}

void ms_reminders_init(void)
{
    reminders_source_add(member_reminders);
}
