/* customer_value.c — customer value (客户价值, issue #5): accumulated
 * purchases, RFM segments and the value pyramid.
 *
 * What counts as a purchase: an order of the customer that is approved or
 * later (approved, delivered, invoiced, closed) — not a draft, not cancelled,
 * not returned — and not in the trash. customers.total_purchases (Σ order
 * total, fen), purchase_count and last_purchase_on (latest order_date) are
 * rewritten from the orders in the same transaction as every order change
 * that can alter them: record hooks on orders (create, update, delete; an
 * order that neither was nor is a purchase changes nothing and is skipped)
 * and the order-transition hook of sales.h (which runs before the status is
 * written, so the order being moved is counted with its new status).
 *
 * RFM (stored as rfm_score "RFM", e.g. "545", and rfm_segment):
 *   - the population is every live customer with at least one purchase;
 *   - R = days since last_purchase_on (today in the company zone), F =
 *     purchase_count, M = total_purchases;
 *   - each is scored 1–5 by quintiles of the population: with the values
 *     sorted ascending, cut k (k = 1..4) is the largest value of the k-th
 *     fifth (index ceil(k·n/5) − 1); F and M score 1 + #(cuts below the
 *     value), R scores 5 − #(cuts below the days), so equal values always
 *     share a score and the most recent / most frequent / biggest score 5;
 *   - a dimension is "high" when its score is 3 or more; the three highs
 *     and lows give the eight standard segments (重要价值 = R, F, M high;
 *     重要保持 = F, M high, R low; 重要发展 = R, M high, F low; 重要挽留 = M
 *     high only; 一般价值 = R, F high, M low; 一般保持 = F high only; 一般发展
 *     = R high only; 一般挽留 = all low).
 * The cuts are recomputed for the whole population by a daily job (recency
 * moves with the calendar) and by customer_value_recompute; an order
 * change rescores its customer at once against the stored cuts (the very
 * first purchase, when there are no cuts yet, queues the job for a minute
 * later). Customers
 * without purchases have no score and no segment.
 *
 * The value pyramid ranks the purchasing customers the viewer may read by
 * total_purchases (equal totals are interchangeable, so ties do not change a
 * tier's count or amount): VIP = the top 5 %, key (重要客户) = the rest
 * of the top 20 %, ordinary (普通客户) = the rest of the top 50 %, small
 * (小客户) = the other half; each boundary is rounded up (ceil), so a single
 * purchasing customer is a VIP. */
#include <stdlib.h>
#include <string.h>

#include "../../acl/acl.h"
#include "../../base/clock.h"
#include "../../base/util.h"
#include "../../jobs/jobs.h"
#include "../../record/record.h"
#include "../modules.h"
#include "sales.h"

#define CUTS_KEY "customer_value.rfm_cuts"

/* The statuses that count as a purchase, as an SQL list (a literal). */
#define PURCHASE_STATUSES "('approved', 'delivered', 'invoiced', 'closed')"

/* ---------- pure RFM scoring ---------- */

void rfm_cuts(const int64_t *sorted, size_t n, int64_t cuts[4])
{
    for (int k = 1; k <= 4; k++) {
        if (!n) {
            cuts[k - 1] = 0;
            continue;
        }
        size_t idx = ((size_t)k * n + 4) / 5; /* ceil(k·n/5) */
        cuts[k - 1] = sorted[idx ? idx - 1 : 0];
    }
}

int rfm_score_higher(const int64_t cuts[4], int64_t value)
{
    int s = 1;
    for (int k = 0; k < 4; k++)
        if (value > cuts[k])
            s++;
    return s;
}

int rfm_score_recency(const int64_t cuts[4], int64_t days)
{
    int s = 5;
    for (int k = 0; k < 4; k++)
        if (days > cuts[k])
            s--;
    return s;
}

const char *rfm_segment(int r, int f, int m)
{
    bool hr = r >= 3, hf = f >= 3, hm = m >= 3;
    if (hm)
        return hr && hf ? "important_value" : hf ? "important_keep" : hr ? "important_develop" : "important_retain";
    return hr && hf ? "general_value" : hf ? "general_keep" : hr ? "general_develop" : "general_retain";
}

/* ---------- stored cuts ---------- */

/* The cuts in force: {"r": [4], "f": [4], "m": [4], "n", "at"}; *have false
 * when none were computed yet or they came from no customer at all. */
static GxErr cuts_load(Ctx *c, int64_t r[4], int64_t f[4], int64_t m[4], bool *have)
{
    *have = false;
    char *text = NULL;
    DbVal p[] = {dbv_text(CUTS_KEY)};
    if (db_query_text(c->db, c->arena, "SELECT value FROM app_settings WHERE key = $1", p, 1, &text) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the RFM cuts: %s", db_errmsg(c->db));
    if (!text)
        return GX_OK;
    json_t *j = json_loads(text, 0, NULL);
    json_t *jr = json_object_get(j, "r"), *jf = json_object_get(j, "f"), *jm = json_object_get(j, "m");
    /* Cuts of an empty population (no purchases yet) score nothing. */
    if (json_integer_value(json_object_get(j, "n")) > 0 && json_array_size(jr) == 4 && json_array_size(jf) == 4 &&
        json_array_size(jm) == 4) {
        for (size_t k = 0; k < 4; k++) {
            r[k] = json_integer_value(json_array_get(jr, k));
            f[k] = json_integer_value(json_array_get(jf, k));
            m[k] = json_integer_value(json_array_get(jm, k));
        }
        *have = true;
    }
    json_decref(j);
    return GX_OK;
}

static GxErr cuts_store(Ctx *c, const int64_t r[4], const int64_t f[4], const int64_t m[4], size_t n)
{
    json_t *j = json_pack("{s:[IIII], s:[IIII], s:[IIII], s:I, s:s}", "r", (json_int_t)r[0], (json_int_t)r[1],
                          (json_int_t)r[2], (json_int_t)r[3], "f", (json_int_t)f[0], (json_int_t)f[1], (json_int_t)f[2],
                          (json_int_t)f[3], "m", (json_int_t)m[0], (json_int_t)m[1], (json_int_t)m[2], (json_int_t)m[3],
                          "n", (json_int_t)n, "at", record_now(c));
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    DbVal p[] = {dbv_text(CUTS_KEY), dbv_text(text)};
    int rc = db_exec(c->db,
                     "INSERT INTO app_settings(key, value) VALUES ($1, $2) ON CONFLICT(key) DO UPDATE SET value ="
                     " excluded.value",
                     p, 2);
    free(text);
    if (rc != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot store the RFM cuts: %s", db_errmsg(c->db));
    return GX_OK;
}

/* Today (company zone) as days since 1970-01-01. */
static int64_t today_days(void) { return clock_local_day(clock_now_s()); }

/* Days since the date "YYYY-MM-DD" (0 for a date in the future). */
static int64_t days_since(const char *date, int64_t today)
{
    int y, m, d;
    if (!date || !time_parse_date(date, &y, &m, &d))
        return 0;
    int64_t n = today - time_days_from_civil(y, m, d);
    return n > 0 ? n : 0;
}

/* ---------- one customer ---------- */

GxErr customer_value_refresh(Ctx *c, int64_t customer_id, int64_t order_id, const char *order_status)
{
    if (!customer_id || !meta_entity("orders"))
        return GX_OK;
    /* The order being moved counts with the status it is about to get. */
    DbVal p[] = {dbv_int(customer_id), dbv_int(order_id), dbv_text(order_status ? order_status : "")};
    DbRes *r;
    if (db_query(c->db,
                 "SELECT count(*), coalesce(sum(total), 0), max(order_date) FROM orders WHERE customer_id = $1 AND"
                 " deleted_at IS NULL AND (CASE WHEN id = $2 AND $3 <> '' THEN $3 ELSE status END) IN"
                 " " PURCHASE_STATUSES,
                 p, 3, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot sum the customer's orders: %s", db_errmsg(c->db));
    int64_t count = 0, total = 0;
    const char *last = NULL;
    if (db_next(r) == 1) {
        count = db_int(r, 0);
        total = db_int(r, 1);
        last = db_isnull(r, 2) ? NULL : arena_strdup(c->arena, db_text(r, 2));
    }
    db_done(r);
    int64_t cr[4], cf[4], cm[4];
    bool have;
    GxErr rc = cuts_load(c, cr, cf, cm, &have);
    if (rc)
        return rc;
    const char *score = NULL, *segment = NULL;
    if (count > 0 && !have) {
        /* The first purchase ever: score everyone within a minute rather
         * than at the next night's run. */
        rc = jobs_enqueue(c, "customer_value_rfm", NULL, clock_now_ms() + 60000, "customer_value_rfm@first-cuts", NULL);
        if (rc)
            return rc;
    }
    if (count > 0 && have) {
        int rs = rfm_score_recency(cr, days_since(last, today_days()));
        int fs = rfm_score_higher(cf, count), ms = rfm_score_higher(cm, total);
        score = arena_printf(c->arena, "%d%d%d", rs, fs, ms);
        segment = rfm_segment(rs, fs, ms);
    }
    DbVal u[] = {dbv_int(total), dbv_int(count), dbv_text(last), dbv_text(score), dbv_text(segment),
                 dbv_int(customer_id)};
    if (db_exec(c->db,
                "UPDATE customers SET total_purchases = $1, purchase_count = $2, last_purchase_on = $3, rfm_score = $4,"
                " rfm_segment = $5 WHERE id = $6",
                u, 6) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot store the customer's value: %s", db_errmsg(c->db));
    return GX_OK;
}

/* ---------- everyone ---------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* One purchasing customer as read for scoring. */
typedef struct Scored {
    int64_t id, days, count, total;
    char *score;   /* stored rfm_score (malloc'ed) or NULL */
} Scored;

/* Rewrite the aggregates of every customer from the orders: one grouped
 * pass over the orders, then only the rows that differ. */
static GxErr recompute_aggregates(Ctx *c)
{
    if (db_exec(c->db,
                "UPDATE customers SET total_purchases = a.t, purchase_count = a.n, last_purchase_on = a.d FROM (SELECT"
                " customer_id, sum(total) AS t, count(*) AS n, max(order_date) AS d FROM orders WHERE deleted_at IS"
                " NULL AND status IN " PURCHASE_STATUSES " GROUP BY customer_id) a WHERE a.customer_id = customers.id"
                " AND (customers.total_purchases IS DISTINCT FROM a.t OR customers.purchase_count IS DISTINCT FROM a.n"
                " OR customers.last_purchase_on IS DISTINCT FROM a.d)",
                NULL, 0) != DB_OK ||
        db_exec(c->db,
                "UPDATE customers SET total_purchases = 0, purchase_count = 0, last_purchase_on = NULL WHERE"
                " (purchase_count <> 0 OR total_purchases <> 0 OR last_purchase_on IS NOT NULL) AND NOT EXISTS"
                " (SELECT 1 FROM orders o WHERE o.customer_id = customers.id AND o.deleted_at IS NULL AND o.status IN"
                " " PURCHASE_STATUSES ")",
                NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot sum the orders: %s", db_errmsg(c->db));
    return GX_OK;
}

/* New cuts from the purchasing customers, then every score and segment. */
static GxErr recompute_rfm(Ctx *c, int64_t *changed)
{
    *changed = 0;
    DbRes *r;
    if (db_query(c->db,
                 "SELECT id, last_purchase_on, purchase_count, total_purchases, rfm_score FROM customers WHERE"
                 " deleted_at IS NULL AND purchase_count > 0",
                 NULL, 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the customers: %s", db_errmsg(c->db));
    size_t n = 0, cap = 0;
    Scored *s = NULL;
    int64_t today = today_days();
    int step;
    while ((step = db_next(r)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            s = xrealloc(s, cap * sizeof *s);
        }
        s[n].id = db_int(r, 0);
        s[n].days = days_since(db_text(r, 1), today);
        s[n].count = db_int(r, 2);
        s[n].total = db_int(r, 3);
        s[n].score = db_isnull(r, 4) ? NULL : xstrdup(db_text(r, 4));
        n++;
    }
    db_done(r);
    GxErr rc = GX_OK;
    if (step < 0) {
        rc = ctx_fail(c, GX_EDB, "cannot read the customers: %s", db_errmsg(c->db));
        goto out;
    }
    int64_t cr[4], cf[4], cm[4];
    int64_t *v = xcalloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = s[i].days;
    qsort(v, n, sizeof *v, cmp_i64);
    rfm_cuts(v, n, cr);
    for (size_t i = 0; i < n; i++)
        v[i] = s[i].count;
    qsort(v, n, sizeof *v, cmp_i64);
    rfm_cuts(v, n, cf);
    for (size_t i = 0; i < n; i++)
        v[i] = s[i].total;
    qsort(v, n, sizeof *v, cmp_i64);
    rfm_cuts(v, n, cm);
    free(v);
    if ((rc = cuts_store(c, cr, cf, cm, n)))
        goto out;
    for (size_t i = 0; i < n && !rc; i++) {
        int rs = rfm_score_recency(cr, s[i].days), fs = rfm_score_higher(cf, s[i].count),
            ms = rfm_score_higher(cm, s[i].total);
        char score[8];
        snprintf(score, sizeof score, "%d%d%d", rs, fs, ms);
        if (s[i].score && !strcmp(s[i].score, score))
            continue;
        DbVal u[] = {dbv_text(score), dbv_text(rfm_segment(rs, fs, ms)), dbv_int(s[i].id)};
        if (db_exec(c->db, "UPDATE customers SET rfm_score = $1, rfm_segment = $2 WHERE id = $3", u, 3) != DB_OK)
            rc = ctx_fail(c, GX_EDB, "cannot store the RFM segment: %s", db_errmsg(c->db));
        (*changed)++;
    }
    /* Customers that stopped buying (every order cancelled) lose their segment. */
    if (!rc && db_exec(c->db,
                       "UPDATE customers SET rfm_score = NULL, rfm_segment = NULL WHERE purchase_count = 0 AND"
                       " rfm_segment IS NOT NULL",
                       NULL, 0) != DB_OK)
        rc = ctx_fail(c, GX_EDB, "cannot clear the RFM segments: %s", db_errmsg(c->db));
out:
    for (size_t i = 0; i < n; i++)
        free(s[i].score);
    free(s);
    return rc;
}

GxErr customer_value_recompute(Ctx *c, bool aggregates, json_t **out)
{
    if (out)
        *out = NULL;
    if (c->who && !acl_is_admin(c))
        return ctx_fail(c, GX_EDENIED, "Only administrators may recompute customer value");
    if (!meta_entity("orders"))
        return ctx_fail(c, GX_ENOTFOUND, "There are no orders to compute customer value from");
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    int64_t changed = 0;
    GxErr rc = aggregates ? recompute_aggregates(c) : GX_OK;
    if (!rc)
        rc = recompute_rfm(c, &changed);
    if (!rc && c->who) {
        json_t *d = json_pack("{s:b, s:I}", "aggregates", aggregates, "rescored", (json_int_t)changed);
        rc = audit_write(c, "customer_value_recompute", "customers", 0, d);
        json_decref(d);
    }
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    if (db_commit(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot commit");
    if (out)
        *out = json_pack("{s:I}", "rescored", (json_int_t)changed);
    return GX_OK;
}

/* ---------- the pyramid ---------- */

/* Tiers of the pyramid: share of the ranked customers up to the tier's end (percent). */
static const struct {
    const char *code; /* tier code */
    int upto_pct;     /* cumulative share of the ranked customers */
} tiers[] = {{"vip", 5}, {"key", 20}, {"ordinary", 50}, {"small", 100}};

static int cmp_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x < y) - (x > y);
}

GxErr customer_value_report(Ctx *c, json_t **out)
{
    *out = NULL;
    const Entity *ce = meta_entity("customers");
    if (acl_scope(c, ce, ACT_READ) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not read customers");
    if (acl_field(c, ce, "total_purchases") == FIELD_HIDDEN)
        return ctx_fail(c, GX_EDENIED, "Your role hides customers' purchases");
    /* Every customer in scope (for "no purchase yet"). */
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT count(*) FROM customers WHERE deleted_at IS NULL");
    acl_scope_predicate(c, ce, ACT_READ, &q);
    int64_t all = 0;
    bool found;
    if (db_query_int(c->db, q.text.data, q.params, q.n, &all, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot count the customers: %s", db_errmsg(c->db));
    /* One pass over the buyers in scope (the covering index customers_value_idx). */
    const Field *sf = meta_field(ce, "rfm_segment");
    int nseg = sf ? sf->noptions : 0;
    int64_t seg_count[16] = {0}, seg_amount[16] = {0};
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT total_purchases, rfm_segment FROM customers WHERE deleted_at IS NULL AND purchase_count > 0");
    acl_scope_predicate(c, ce, ACT_READ, &q);
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the customers: %s", db_errmsg(c->db));
    size_t n = 0, cap = 0;
    int64_t *totals = NULL, amount = 0;
    int step;
    while ((step = db_next(r)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            totals = xrealloc(totals, cap * sizeof *totals);
        }
        int64_t t = db_int(r, 0);
        totals[n++] = t;
        amount += t;
        const char *seg = db_text(r, 1);
        for (int i = 0; seg && i < nseg && i < 16; i++)
            if (!strcmp(sf->options[i].value, seg)) {
                seg_count[i]++;
                seg_amount[i] += t;
                break;
            }
    }
    db_done(r);
    if (step < 0) {
        free(totals);
        return ctx_fail(c, GX_EDB, "cannot read the customers: %s", db_errmsg(c->db));
    }
    if (n > 1)
        qsort(totals, n, sizeof *totals, cmp_desc);
    json_t *tl = json_array();
    size_t start = 0;
    for (size_t t = 0; t < sizeof tiers / sizeof tiers[0]; t++) {
        size_t end = (n * (size_t)tiers[t].upto_pct + 99) / 100; /* ceil */
        if (end > n)
            end = n;
        int64_t sum = 0;
        for (size_t i = start; i < end; i++)
            sum += totals[i];
        json_array_append_new(tl, json_pack("{s:s, s:I, s:I, s:I, s:i}", "tier", tiers[t].code, "count",
                                            (json_int_t)(end > start ? end - start : 0), "amount", (json_int_t)sum,
                                            "min_purchases", (json_int_t)(end > start ? totals[end - 1] : 0),
                                            "upto_pct", tiers[t].upto_pct));
        if (end > start)
            start = end;
    }
    free(totals);
    json_t *segs = json_array();
    for (int i = 0; i < nseg && i < 16; i++)
        json_array_append_new(segs, json_pack("{s:s, s:s, s:s, s:I, s:I}", "segment", sf->options[i].value, "label_zh",
                                              sf->options[i].label.zh, "label_en", sf->options[i].label.en, "count",
                                              (json_int_t)seg_count[i], "amount", (json_int_t)seg_amount[i]));
    *out = json_pack("{s:I, s:I, s:I, s:I, s:o, s:o}", "customers", (json_int_t)all, "purchasing", (json_int_t)n,
                     "no_purchase", (json_int_t)(all - (int64_t)n), "amount", (json_int_t)amount, "tiers", tl,
                     "segments", segs);
    return GX_OK;
}

/* ---------- hooks, job, migration step ---------- */

/* Does an order with this status count as a purchase (PURCHASE_STATUSES)? */
static bool purchase_status(const char *st)
{
    static const char *const counted[] = {"approved", "delivered", "invoiced", "closed", NULL};
    for (int i = 0; st && counted[i]; i++)
        if (!strcmp(st, counted[i]))
            return true;
    return false;
}

/* An order was created, changed or deleted: its customer(s) again — unless
 * the order neither was nor is a purchase (a draft created, edited or
 * deleted, a cancelled order deleted): then no customer's figures change,
 * and a 20-line order spared the customer's orders sum and the rewrite of
 * its row (status moves go through on_order_transition, not here). */
static GxErr on_order_change(Ctx *c, HookArgs *a)
{
    if (!purchase_status(json_string_value(json_object_get(a->result, "status"))) &&
        !purchase_status(json_string_value(json_object_get(a->old, "status"))))
        return GX_OK;
    int64_t now_id = json_integer_value(json_object_get(a->result ? a->result : a->old, "customer_id"));
    int64_t old_id = a->old ? json_integer_value(json_object_get(a->old, "customer_id")) : 0;
    GxErr rc = customer_value_refresh(c, now_id, 0, NULL);
    if (!rc && old_id && old_id != now_id)
        rc = customer_value_refresh(c, old_id, 0, NULL);
    return rc;
}

/* An order is about to change status (inside the transition's transaction):
 * its customer counts it with the new status. */
static GxErr on_order_transition(Ctx *c, const SalesOrderTransition *t)
{
    int64_t customer = json_integer_value(json_object_get(t->order, "customer_id"));
    return customer_value_refresh(c, customer, t->order_id, t->to);
}

/* The daily rescoring (recency moves with the calendar). */
static GxErr rfm_job(Ctx *c, json_t *payload)
{
    (void)payload;
    if (!meta_entity("orders"))
        return GX_OK;
    return customer_value_recompute(c, false, NULL);
}

/* Migration 4: the pyramid's covering index (buyers by purchases, with what
 * the read scopes filter on), and on an existing database the values of the
 * orders there are. */
static GxErr migrate_values(Ctx *c, bool fresh)
{
    if (db_exec(c->db,
                "CREATE INDEX customers_value_idx ON customers(purchase_count, total_purchases, rfm_segment,"
                " department_id, owner_id) WHERE deleted_at IS NULL",
                NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot index the customers' value: %s", db_errmsg(c->db));
    if (fresh || !meta_entity("orders"))
        return GX_OK;
    int64_t changed;
    GxErr rc = recompute_aggregates(c);
    return rc ? rc : recompute_rfm(c, &changed);
}

void customer_value_module_init(void)
{
    const Entity *ce = meta_entity("customers");
    if (!ce || !meta_field(ce, "total_purchases"))
        return;
    if (meta_entity("orders")) {
        record_hook_add("orders", HOOK_AFTER_CREATE, on_order_change);
        record_hook_add("orders", HOOK_AFTER_UPDATE, on_order_change);
        record_hook_add("orders", HOOK_AFTER_DELETE, on_order_change);
        sales_order_transition_hook_add(on_order_transition);
    }
    jobs_register("customer_value_rfm", rfm_job);
    jobs_daily("customer_value_rfm", 2, 15);
    ddl_step_add(4, "customers: purchases and RFM from orders", migrate_values);
}
