/* funnel.c — the sales funnel (销售漏斗) and the weighted forecast (加权预测)
 * over the opportunities the viewer may read.
 *
 * Both are one GROUP BY query each with the ACL scope predicate of
 * opportunities (a rep counts their own, a manager their departments'),
 * served from the covering indexes that migration 4 adds (opps.c).
 *
 * Funnel: the opportunities created in the period, per stage: count and
 * amount. Stages are in funnel order: the open ones by "sort", then the won
 * ones, then the lost ones, which stand apart. An
 * opportunity at a later stage has passed the earlier ones, so the number
 * that reached a stage is its count plus the counts of every later non-lost
 * stage, and the conversion from one stage to the next is reached(next) /
 * reached(this), in whole percent rounded half up. (Where a lost deal was
 * lost is not recorded, so lost deals count for no stage.)
 *
 * Forecast: open opportunities (stage kind open) whose expected close falls
 * in the period (without an expected close date an opportunity is in no
 * forecast), Σ amount × probability_pct / 100 per month of expected
 * close, per owner or per department; the weighted sum of a group is
 * rounded half up to the fen once, after summing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../base/clock.h"
#include "../../base/util.h"
#include "../../record/record.h"
#include "sales.h"

void sales_funnel_conversion(const int64_t *count, const bool *lost, int n, int64_t *reached, int *conversion_pct)
{
    int64_t after = 0;
    int next = -1; /* the next non-lost stage after i */
    for (int i = n - 1; i >= 0; i--) {
        conversion_pct[i] = -1;
        if (lost[i]) {
            reached[i] = count[i];
            continue;
        }
        after += count[i];
        reached[i] = after;
        if (next >= 0 && reached[i] > 0)
            conversion_pct[i] = (int)((reached[next] * 200 + reached[i]) / (2 * reached[i]));
        next = i;
    }
}

int64_t sales_weighted(int64_t amount_times_pct)
{
    /* half up for positive sums, half away from zero below (amounts are >= 0) */
    return amount_times_pct >= 0 ? (amount_times_pct + 50) / 100 : -((-amount_times_pct + 50) / 100);
}

/* UTC instant (stored form) of local midnight starting date "YYYY-MM-DD"
 * plus `plus_days`; NULL when the text is no date. */
static const char *midnight_utc(Ctx *c, const char *date, int plus_days)
{
    int y, m, d;
    if (!time_parse_date(date, &y, &m, &d))
        return NULL;
    char t[64];
    time_format_ms(clock_local_midnight(time_days_from_civil(y, m, d) + plus_days) * 1000, t);
    return arena_strdup(c->arena, t);
}

/* Check the query and append its filters (period on `date_col`, owner,
 * department) and the scope to q. */
static GxErr report_where(Ctx *c, const SalesReportQuery *rq, const char *date_col, bool datetime, Sql *q)
{
    const Entity *e = meta_entity("opportunities");
    int y, m, d;
    if (rq->from && !time_parse_date(rq->from, &y, &m, &d))
        ctx_field(c, "from", "must be a date, YYYY-MM-DD");
    if (rq->to && !time_parse_date(rq->to, &y, &m, &d))
        ctx_field(c, "to", "must be a date, YYYY-MM-DD");
    if (rq->from && rq->to && c->err == GX_OK && strcmp(rq->from, rq->to) > 0)
        ctx_field(c, "to", "must not be before from");
    if (c->err)
        return c->err;
    sql_raw(q, " WHERE o.deleted_at IS NULL");
    /* the scope predicate names bare columns; they are o's */
    acl_scope_predicate(c, e, ACT_READ, q);
    /* Always a lower bound ('' when there is none: every stored date is
     * above it, NULL is not): with it SQLite reads the covering index
     * (department or owner, date, stage, amount …) instead of an index on
     * department_id alone plus 250,000 row lookups for a region manager. */
    sql_raw(q, arena_printf(c->arena, " AND o.%s >= ", date_col)); /* sql-ok: column name from this file */
    sql_param(q, dbv_text(!rq->from ? "" : datetime ? midnight_utc(c, rq->from, 0) : rq->from));
    if (rq->to) {
        if (datetime) {
            sql_raw(q, arena_printf(c->arena, " AND o.%s < ", date_col)); /* sql-ok: column name from this file */
            sql_param(q, dbv_text(midnight_utc(c, rq->to, 1)));
        } else {
            sql_raw(q, arena_printf(c->arena, " AND o.%s <= ", date_col)); /* sql-ok: column name from this file */
            sql_param(q, dbv_text(rq->to));
        }
    }
    if (rq->owner_id) {
        sql_raw(q, " AND o.owner_id = ");
        sql_param(q, dbv_int(rq->owner_id));
    }
    if (rq->department_id) {
        sql_raw(q, " AND o.department_id = ");
        sql_param(q, dbv_int(rq->department_id));
    }
    return GX_OK;
}

/* A stage row of the funnel. */
typedef struct FunnelStage {
    int64_t id;          /* stage id */
    const char *name;    /* stage name */
    const char *code;    /* stage code */
    const char *kind;    /* open, won, lost */
    int64_t probability; /* percent */
    bool active;         /* still offered */
    int64_t count;       /* opportunities at this stage */
    int64_t amount;      /* their amounts, fen */
} FunnelStage;

GxErr sales_funnel(Ctx *c, const SalesReportQuery *rq, json_t **out)
{
    *out = NULL;
    const Entity *e = meta_entity("opportunities");
    if (acl_scope(c, e, ACT_READ) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not read opportunities");
    /* every live stage, in funnel order */
    DbRes *r;
    if (db_query(c->db,
                 "SELECT id, name, code, kind, probability_pct, active FROM opportunity_stages WHERE deleted_at IS NULL"
                 " ORDER BY CASE kind WHEN 'open' THEN 0 WHEN 'won' THEN 1 ELSE 2 END, sort, id",
                 NULL, 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the stages: %s", db_errmsg(c->db));
    int n = 0, cap = 16;
    FunnelStage *st = arena_calloc(c->arena, (size_t)cap, sizeof *st);
    while (db_next(r) == 1) {
        if (n == cap) {
            st = arena_realloc(c->arena, st, sizeof *st * (size_t)cap, sizeof *st * (size_t)cap * 2);
            cap *= 2;
        }
        st[n] = (FunnelStage){db_int(r, 0),
                              arena_strdup(c->arena, db_text(r, 1) ? db_text(r, 1) : ""),
                              arena_strdup(c->arena, db_text(r, 2) ? db_text(r, 2) : ""),
                              arena_strdup(c->arena, db_text(r, 3) ? db_text(r, 3) : "open"),
                              db_isnull(r, 4) ? 0 : db_int(r, 4),
                              !db_isnull(r, 5) && db_int(r, 5) != 0,
                              0,
                              0};
        n++;
    }
    db_done(r);

    int64_t total_count = 0, total_amount = 0;
    Scope scope = acl_scope(c, e, ACT_READ);
    if (!rq->owner_id && (rq->department_id || scope == SCOPE_DEPT || scope == SCOPE_DEPT_TREE)) {
        /* A department's funnel: one count per stage, each a range of the
         * (department_id, stage_id, created_at, amount) index (migration 5)
         * per department, instead of one GROUP BY that sorts every row of
         * the period in a temporary b-tree (a region manager's 243,671
         * opportunities: 0.12 s CPU grouped, 0.04 s by stage). Every stage
         * ever made (deleted ones too) and "no stage", so the totals are
         * those of all the rows. */
        GxErr rc = GX_OK;
        if (db_query(c->db, "SELECT id FROM opportunity_stages UNION ALL SELECT NULL", NULL, 0, &r) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read the stages: %s", db_errmsg(c->db));
        int nall = 0, acap = 16;
        int64_t *all = arena_calloc(c->arena, (size_t)acap, sizeof *all);
        while (db_next(r) == 1) {
            if (nall == acap) {
                all = arena_realloc(c->arena, all, sizeof *all * (size_t)acap, sizeof *all * (size_t)acap * 2);
                acap *= 2;
            }
            all[nall++] = db_isnull(r, 0) ? 0 : db_int(r, 0);
        }
        db_done(r);
        for (int k = 0; k < nall && !rc; k++) {
            Sql q;
            sql_init(&q, c->arena);
            sql_raw(&q, "SELECT count(*), coalesce(sum(o.amount), 0) FROM opportunities o");
            if ((rc = report_where(c, rq, "created_at", true, &q)))
                return rc;
            if (all[k]) {
                sql_raw(&q, " AND o.stage_id = ");
                sql_param(&q, dbv_int(all[k]));
            } else {
                sql_raw(&q, " AND o.stage_id IS NULL");
            }
            if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
                return ctx_fail(c, GX_EDB, "cannot count opportunities: %s", db_errmsg(c->db));
            int s = db_next(r);
            int64_t cnt = s == 1 ? db_int(r, 0) : 0, amount = s == 1 ? db_int(r, 1) : 0;
            db_done(r);
            if (s < 0)
                return ctx_fail(c, GX_EDB, "cannot count opportunities (the sum may be too large)");
            for (int i = 0; i < n; i++)
                if (st[i].id == all[k]) {
                    st[i].count = cnt;
                    st[i].amount = amount;
                }
            total_count += cnt;
            if (__builtin_add_overflow(total_amount, amount, &total_amount))
                return ctx_fail(c, GX_EDB, "cannot count opportunities (the sum is too large)");
        }
    } else {
        Sql q;
        sql_init(&q, c->arena);
        /* "+": grouping by the bare column would lead SQLite to walk the
         * stage_id index over every row of the table, out of the scope's index */
        sql_raw(&q, "SELECT +o.stage_id, count(*), coalesce(sum(o.amount), 0) FROM opportunities o");
        GxErr rc = report_where(c, rq, "created_at", true, &q);
        if (rc)
            return rc;
        sql_raw(&q, " GROUP BY 1");
        if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot count opportunities: %s", db_errmsg(c->db));
        int s;
        while ((s = db_next(r)) == 1) {
            int64_t sid = db_isnull(r, 0) ? 0 : db_int(r, 0);
            for (int i = 0; i < n; i++)
                if (st[i].id == sid) {
                    st[i].count = db_int(r, 1);
                    st[i].amount = db_int(r, 2);
                }
            total_count += db_int(r, 1);
            total_amount += db_int(r, 2);
        }
        db_done(r);
        if (s < 0)
            return ctx_fail(c, GX_EDB, "cannot count opportunities (the sum may be too large)");
    }

    /* inactive stages without opportunities are left out */
    int64_t *count = arena_calloc(c->arena, (size_t)n + 1, sizeof *count);
    int64_t *reached = arena_calloc(c->arena, (size_t)n + 1, sizeof *reached);
    bool *lost = arena_calloc(c->arena, (size_t)n + 1, sizeof *lost);
    int *conv = arena_calloc(c->arena, (size_t)n + 1, sizeof *conv);
    FunnelStage *shown = arena_calloc(c->arena, (size_t)n + 1, sizeof *shown);
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (!st[i].active && !st[i].count)
            continue;
        shown[m] = st[i];
        count[m] = st[i].count;
        lost[m] = !strcmp(st[i].kind, "lost");
        m++;
    }
    sales_funnel_conversion(count, lost, m, reached, conv);
    json_t *stages = json_array();
    int64_t won = 0, lost_n = 0;
    for (int i = 0; i < m; i++) {
        json_array_append_new(
            stages, json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o}", "stage_id", (json_int_t)shown[i].id,
                              "name", shown[i].name, "code", shown[i].code, "kind", shown[i].kind, "probability_pct",
                              (json_int_t)shown[i].probability, "count", (json_int_t)shown[i].count, "amount",
                              (json_int_t)shown[i].amount, "reached", (json_int_t)reached[i], "conversion_pct",
                              conv[i] >= 0 ? json_integer(conv[i]) : json_null()));
        if (!strcmp(shown[i].kind, "won"))
            won += shown[i].count;
        else if (lost[i])
            lost_n += shown[i].count;
    }
    if (acl_field(c, e, "amount") == FIELD_HIDDEN) { /* the role hides amounts: counts only */
        size_t i;
        json_t *row;
        json_array_foreach(stages, i, row) json_object_set_new(row, "amount", json_null());
        total_amount = 0;
    }
    *out = json_pack("{s:o, s:o, s:o, s:I, s:I, s:o}", "from", rq->from ? json_string(rq->from) : json_null(), "to",
                     rq->to ? json_string(rq->to) : json_null(), "stages", stages, "count", (json_int_t)total_count,
                     "amount", (json_int_t)total_amount, "win_rate_pct",
                     won + lost_n > 0 ? json_integer((won * 200 + won + lost_n) / (2 * (won + lost_n))) : json_null());
    return GX_OK;
}

/* One month's sums of the forecast. */
typedef struct MonthSum {
    char key[8]; /* YYYY-MM */
    int64_t count, amount, weighted_raw; /* weighted_raw: Σ amount × probability_pct */
} MonthSum;

static int month_cmp(const void *a, const void *b) { return strcmp(((const MonthSum *)a)->key, ((const MonthSum *)b)->key); }

GxErr sales_forecast(Ctx *c, const SalesReportQuery *rq, const char *group, json_t **out)
{
    *out = NULL;
    const Entity *e = meta_entity("opportunities");
    Scope scope = acl_scope(c, e, ACT_READ);
    if (scope == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not read opportunities");
    const char *key;
    bool by_month = !group || !strcmp(group, "month");
    if (by_month) {
        /* Grouped in the order of the covering index the rows come from
         * (department or owner, then expected_close: no sort of every row
         * in a temporary b-tree — 243,671 rows for a region manager, all
         * time), one group per day; the days are summed into months below. */
        key = scope == SCOPE_OWN || rq->owner_id ? "o.owner_id, o.expected_close" : "o.department_id, o.expected_close";
        group = "month";
    } else if (!strcmp(group, "owner"))
        key = "o.owner_id";
    else if (!strcmp(group, "department"))
        key = "o.department_id";
    else {
        ctx_field(c, "group", "must be month, owner or department");
        return c->err;
    }
    Sql q;
    sql_init(&q, c->arena);
    /* sql-ok: key is one of the literals above */
    sql_raw(&q, arena_printf(c->arena,
                             "SELECT %s, count(*), coalesce(sum(o.amount), 0), coalesce(sum(o.amount *"
                             " o.probability_pct), 0) FROM opportunities o",
                             by_month ? "o.expected_close" : key));
    GxErr rc = report_where(c, rq, "expected_close", false, &q);
    if (rc)
        return rc;
    sql_raw(&q, " AND o.stage_id IN (SELECT s.id FROM opportunity_stages s WHERE s.kind = 'open')");
    sql_raw(&q, arena_printf(c->arena, by_month ? " GROUP BY %s" : " GROUP BY %s ORDER BY %s", key, key)); /* sql-ok: literal key */
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot sum opportunities: %s", db_errmsg(c->db));
    json_t *rows = json_array();
    int64_t tc = 0, ta = 0, tw = 0;
    int s;
    size_t nm = 0, capm = 64;
    MonthSum *ms = by_month ? arena_calloc(c->arena, capm, sizeof *ms) : NULL;
    bool overflow = false;
    while ((s = db_next(r)) == 1) {
        int64_t cnt = db_int(r, 1), amount = db_int(r, 2);
        if (by_month) {
            const char *d = db_text(r, 0);
            if (!d)
                continue; /* no expected close: in no forecast (report_where leaves none) */
            /* the rows of one department or owner come in date order: their
             * month is usually the last one touched */
            size_t k = nm;
            for (size_t j = nm; j-- > 0;)
                if (!strncmp(ms[j].key, d, 7)) {
                    k = j;
                    break;
                }
            if (k == nm) {
                if (nm == capm) {
                    ms = arena_realloc(c->arena, ms, sizeof *ms * capm, sizeof *ms * capm * 2);
                    capm *= 2;
                }
                memset(&ms[nm], 0, sizeof ms[nm]);
                snprintf(ms[nm].key, sizeof ms[nm].key, "%.7s", d);
                nm++;
            }
            overflow |= __builtin_add_overflow(ms[k].count, cnt, &ms[k].count) ||
                        __builtin_add_overflow(ms[k].amount, amount, &ms[k].amount) ||
                        __builtin_add_overflow(ms[k].weighted_raw, db_int(r, 3), &ms[k].weighted_raw);
            continue;
        }
        int64_t weighted = sales_weighted(db_int(r, 3));
        json_t *k = db_isnull(r, 0) ? json_null() : json_integer(db_int(r, 0));
        json_array_append_new(rows, json_pack("{s:o, s:I, s:I, s:I}", "key", k, "count", (json_int_t)cnt, "amount",
                                              (json_int_t)amount, "weighted", (json_int_t)weighted));
        tc += cnt;
        ta += amount;
        tw += weighted;
    }
    db_done(r);
    if (s < 0 || overflow) {
        json_decref(rows);
        return ctx_fail(c, GX_EDB, "cannot sum opportunities (the sum may be too large)");
    }
    if (by_month) {
        qsort(ms, nm, sizeof *ms, month_cmp);
        for (size_t k = 0; k < nm; k++) {
            int64_t weighted = sales_weighted(ms[k].weighted_raw);
            json_array_append_new(rows, json_pack("{s:s, s:I, s:I, s:I}", "key", ms[k].key, "count",
                                                  (json_int_t)ms[k].count, "amount", (json_int_t)ms[k].amount,
                                                  "weighted", (json_int_t)weighted));
            tc += ms[k].count;
            ta += ms[k].amount;
            tw += weighted;
        }
    }
    /* by month over a period: every month of it, empty ones with zeros (a
     * chart without gaps); at most ten years are filled */
    if (!strcmp(group, "month") && rq->from && rq->to) {
        int fy, fm, ty, tm, dd;
        time_parse_date(rq->from, &fy, &fm, &dd);
        time_parse_date(rq->to, &ty, &tm, &dd);
        if ((ty - fy) * 12 + (tm - fm) < 120) {
            json_t *all = json_array();
            size_t k = 0;
            for (int y = fy, m = fm; y < ty || (y == ty && m <= tm); m = m == 12 ? 1 : m + 1, y += m == 1) {
                char key[16];
                snprintf(key, sizeof key, "%04d-%02d", y, m);
                json_t *row = json_array_get(rows, k);
                const char *rk = json_string_value(json_object_get(row, "key"));
                if (rk && !strcmp(rk, key)) {
                    json_array_append(all, row);
                    k++;
                } else {
                    json_array_append_new(all, json_pack("{s:s, s:i, s:i, s:i}", "key", key, "count", 0, "amount", 0,
                                                         "weighted", 0));
                }
            }
            json_decref(rows);
            rows = all;
        }
    }
    /* names of owners and departments (one query each, only the keys shown) */
    size_t i;
    json_t *row;
    if (strcmp(group, "month")) {
        const char *table = !strcmp(group, "owner") ? "users" : "departments";
        json_array_foreach(rows, i, row)
        {
            json_t *k = json_object_get(row, "key");
            if (!json_is_integer(k)) {
                json_object_set_new(row, "name", json_null());
                continue;
            }
            char *name = NULL;
            DbVal p[] = {dbv_int(json_integer_value(k))};
            const char *sql = arena_printf(c->arena, "SELECT name FROM %s WHERE id = $1", table); /* sql-ok: table is one of two literals */
            db_query_text(c->db, c->arena, sql, p, 1, &name);
            json_object_set_new(row, "name", name ? json_string(name) : json_null());
        }
    }
    if (acl_field(c, e, "amount") == FIELD_HIDDEN) { /* the role hides amounts: counts only */
        json_array_foreach(rows, i, row)
        {
            json_object_set_new(row, "amount", json_null());
            json_object_set_new(row, "weighted", json_null());
        }
        ta = tw = 0;
    }
    *out = json_pack("{s:s, s:o, s:o, s:o, s:I, s:I, s:I}", "group", group, "from",
                     rq->from ? json_string(rq->from) : json_null(), "to", rq->to ? json_string(rq->to) : json_null(),
                     "rows", rows, "count", (json_int_t)tc, "amount", (json_int_t)ta, "weighted", (json_int_t)tw);
    return GX_OK;
}
