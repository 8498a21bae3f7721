/* summary.c — per-day totals of the checkout desk, kept in the checkout's
 * own transaction so that income by month or year and use by resource read
 * a few hundred summary rows instead of millions of checkout lines:
 *
 *   checkout_days(business_day, checkouts, total, cash)
 *   checkout_day_resources(business_day, resource_id, lines, quantity, total)
 *
 * `cash` (migration 4) is the part of `total` paid in cash or by card, not
 * from stored value or a count card: money that came in that day. Money
 * that comes in at the desk without a checkout has its own table
 * (migration 4):
 *
 *   member_money_days(business_day, topups, fees, fees_cash)
 *
 * top-ups paid in (bonus money is not money received), membership fees, and
 * the part of the fees paid in cash or by card (not from stored value).
 *
 * and, per member and calendar month (migration 7), what member
 * consumption sums (checkouts, total, discount, points awarded):
 *
 *   checkout_member_months(month "YYYY-MM", customer_id, checkouts, total, discount, points)
 *
 * The tables are created by a data step of migration 3 (they are not
 * records: no owner, no history, no API of their own). Concurrent checkouts
 * of one day meet on the day's row; the upsert makes them wait their turn
 * (PostgreSQL row lock; SQLite writers are serialised anyway). */
#include <string.h>

#include "../../base/util.h"
#include "internal.h"

static const char *const summary_ddl[] = {
    "CREATE TABLE checkout_days (business_day TEXT PRIMARY KEY, checkouts BIGINT NOT NULL, total BIGINT NOT NULL)",
    "CREATE TABLE checkout_day_resources (business_day TEXT NOT NULL, resource_id BIGINT NOT NULL, lines BIGINT NOT "
    "NULL, quantity BIGINT NOT NULL, total BIGINT NOT NULL, PRIMARY KEY (business_day, resource_id))",
    NULL,
};

/* The day summaries (migration 4 rebuilds these: the member months came
 * with migration 7). */
static GxErr rebuild_days(Ctx *c);

static GxErr summary_step(Ctx *c, bool fresh)
{
    (void)fresh;
    for (int i = 0; summary_ddl[i]; i++)
        if (db_exec(c->db, summary_ddl[i], NULL, 0) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot create the checkout summary: %s", db_errmsg(c->db));
    /* Checkouts came with migration 3 itself: there are none to sum yet
     * (migration 4 rebuilds the summaries anyway). */
    return GX_OK;
}

/* Migration 4: the cash column, and the business day of ledger lines
 * written before member_ledger.business_day existed. */
static GxErr summary_step_4(Ctx *c, bool fresh)
{
    if (db_exec(c->db, "ALTER TABLE checkout_days ADD COLUMN cash BIGINT NOT NULL DEFAULT 0", NULL, 0) != DB_OK ||
        db_exec(c->db,
                "CREATE TABLE member_money_days (business_day TEXT PRIMARY KEY, topups BIGINT NOT NULL,"
                " fees BIGINT NOT NULL, fees_cash BIGINT NOT NULL)",
                NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot extend the checkout summary: %s", db_errmsg(c->db));
    if (fresh)
        return GX_OK;
    DbRes *r;
    if (db_query(c->db, "SELECT id, created_at FROM member_ledger WHERE business_day IS NULL ORDER BY id", NULL, 0,
                 &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the member ledger");
    int s, n = 0, cap = 0;
    struct Line {
        int64_t id;
        char day[11];
    } *v = NULL;
    while ((s = db_next(r)) == 1) {
        int64_t t;
        if (!time_parse_rfc3339(db_text(r, 1), &t))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            struct Line *nv = arena_alloc(c->arena, (size_t)cap * sizeof *nv);
            if (n)
                memcpy(nv, v, (size_t)n * sizeof *nv);
            v = nv;
        }
        v[n].id = db_int(r, 0);
        ms_business_day(t, v[n].day);
        n++;
    }
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read the member ledger");
    for (int i = 0; i < n; i++) {
        DbVal p[] = {dbv_text(v[i].day), dbv_int(v[i].id)};
        if (db_exec(c->db, "UPDATE member_ledger SET business_day = $1 WHERE id = $2", p, 2) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot update the member ledger");
    }
    return rebuild_days(c);
}

/* Migration 5: member consumption over a period (reports) reads a covering
 * index instead of the checkout rows, which carry their lines as JSON
 * (deleted_at is a column too: SQLite counts an index as covering only when
 * it holds every column the query names, the partial index's own included). */
static GxErr summary_step_5(Ctx *c, bool fresh)
{
    (void)fresh;
    if (db_exec(c->db,
                "CREATE INDEX checkouts_member_sums_idx ON checkouts(business_day, customer_id, total, discount,"
                " points_awarded, deleted_at) WHERE deleted_at IS NULL",
                NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot index the checkouts: %s", db_errmsg(c->db));
    return GX_OK;
}

#define MEMBER_MONTHS_FILL                                                                                             \
    "INSERT INTO checkout_member_months(month, customer_id, checkouts, total, discount, points)"                       \
    " SELECT substr(business_day, 1, 7), customer_id, count(*), coalesce(sum(total), 0), coalesce(sum(discount), 0),"  \
    " coalesce(sum(points_awarded), 0) FROM checkouts WHERE deleted_at IS NULL AND customer_id IS NOT NULL AND"        \
    " business_day IS NOT NULL GROUP BY substr(business_day, 1, 7), customer_id"

/* Migration 7: member consumption by month, filled from the checkouts. */
static GxErr member_months_step_7(Ctx *c, bool fresh)
{
    /* SQLite: the rows in the primary key's order (a month's rows are read
     * together, without a lookup of each row by rowid). */
#define MEMBER_MONTHS_TABLE                                                                                            \
    "CREATE TABLE checkout_member_months (month TEXT NOT NULL, customer_id BIGINT NOT NULL,"                           \
    " checkouts BIGINT NOT NULL, total BIGINT NOT NULL, discount BIGINT NOT NULL, points BIGINT NOT NULL,"             \
    " PRIMARY KEY (month, customer_id))"
    if (db_exec(c->db, db_dialect(c->db) == DB_SQLITE ? MEMBER_MONTHS_TABLE " WITHOUT ROWID" : MEMBER_MONTHS_TABLE,
                NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot create the member summary: %s", db_errmsg(c->db));
    if (!fresh && db_exec(c->db, MEMBER_MONTHS_FILL, NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot fill the member summary: %s", db_errmsg(c->db));
    return GX_OK;
}

/* Migration 7: covering indexes for the reads of the front desk (every
 * column the query names, deleted_at included, is in the index: SQLite then
 * reads no table row):
 *   - the day view's bookings of a day, in start order (membership_day);
 *   - the daily journal's pass over a day's lines, in id order, with the
 *     filters and the sums (membership_daily_journal);
 *   - member care (membership_care): members only (a partial index holds
 *     the few customers who are members; building it reads the customers
 *     table once). */
static GxErr indexes_step_7(Ctx *c, bool fresh)
{
    (void)fresh;
    static const char *const sql[] = {
        "CREATE INDEX bookings_day_idx ON bookings(start_at, resource_id, end_at, status, customer_id, guest_name,"
        " owner_id, department_id, deleted_at) WHERE deleted_at IS NULL",
        "CREATE INDEX checkout_lines_day_idx ON checkout_lines(business_day, id, payment_method, resource_kind,"
        " amount, total, deleted_at) WHERE deleted_at IS NULL",
        "CREATE INDEX customers_members_idx ON customers(expires_on, id, last_visit_at, created_at, birthday,"
        " owner_id, department_id, pool_id, name, card_no, phone, member_type_id, deleted_at)"
        " WHERE member_type_id IS NOT NULL AND deleted_at IS NULL",
        NULL,
    };
    for (int i = 0; sql[i]; i++)
        if (db_exec(c->db, sql[i], NULL, 0) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot index the front desk: %s", db_errmsg(c->db));
    /* SQLite: how small the members' index is (reads only that index), so
     * that member care reads it rather than a customers index of a scope. */
    if (db_dialect(c->db) == DB_SQLITE && db_exec(c->db, "ANALYZE customers_members_idx", NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot analyse the members' index: %s", db_errmsg(c->db));
    return GX_OK;
}

/* Migration 8: fewer index pages written per checkout (issue #7: a
 * checkout's commit wrote ~47 pages on the g100k desk copy). What each
 * change leaves to the reads:
 *   - checkouts_x0_idx (business_day, total, id): read by no request (income
 *     reads the day summaries, member consumption the covering
 *     checkouts_member_sums_idx, which starts with business_day too); its
 *     entry went first to the NULL run (the checkout is inserted before it
 *     is priced), then to a random leaf among the day's.
 *   - checkouts_x1_idx (customer_id, business_day, id): a second index by
 *     member next to checkouts_customer_id_idx (customer_id), which stays
 *     (a merge moves every checkout of a customer, and a member's page
 *     lists their checkouts by it already); one member's consumption reads
 *     that member's checkout rows (~100 a year) through it.
 *   - checkouts_member_sums_idx: the same, partial on business_day IS NOT
 *     NULL as well, so the unpriced row has no entry to move (its readers
 *     name a business_day range, which implies it).
 *   - checkout_lines_x0_idx (business_day, resource_id, id): read by no
 *     request (the journal reads checkout_lines_day_idx of migration 7, use
 *     by resource the summaries); a random leaf among the day's per line.
 *   - member_ledger_x1_idx (kind, expires_on, id): partial on expires_on IS
 *     NOT NULL: only points awards carry an expiry, and its one reader (the
 *     points expiry job) names expires_on < day; balance, bonus and count
 *     lines no longer write it. */
static GxErr indexes_step_8(Ctx *c, bool fresh)
{
    (void)fresh;
    static const char *const sql[] = {
        "DROP INDEX IF EXISTS checkouts_x0_idx",
        "DROP INDEX IF EXISTS checkouts_x1_idx",
        "DROP INDEX IF EXISTS checkout_lines_x0_idx",
        "DROP INDEX IF EXISTS checkouts_member_sums_idx",
        "CREATE INDEX checkouts_member_sums_idx ON checkouts(business_day, customer_id, total, discount,"
        " points_awarded, deleted_at) WHERE deleted_at IS NULL AND business_day IS NOT NULL",
        "DROP INDEX IF EXISTS member_ledger_x1_idx",
        "CREATE INDEX member_ledger_x1_idx ON member_ledger(kind, expires_on, id)"
        " WHERE deleted_at IS NULL AND expires_on IS NOT NULL",
        NULL,
    };
    for (int i = 0; sql[i]; i++)
        if (db_exec(c->db, sql[i], NULL, 0) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot index the front desk: %s", db_errmsg(c->db));
    /* SQLite: the dropped indexes took their sqlite_stat1 rows along. Where
     * the table's other indexes have statistics, the rebuilt ones get theirs
     * too (each ANALYZE reads only that index): without them the planner
     * guesses ten rows for kind = 'points' on member_ledger_x1_idx against
     * the measured rows per member of member_ledger_x0_idx. */
    if (db_dialect(c->db) != DB_SQLITE)
        return GX_OK;
    static const char *const tables[][2] = {{"checkouts", "ANALYZE checkouts_member_sums_idx"},
                                            {"member_ledger", "ANALYZE member_ledger_x1_idx"}};
    int64_t stat = 0;
    bool found = false;
    if (db_query_int(c->db, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'", NULL, 0, &stat,
                     &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the statistics: %s", db_errmsg(c->db));
    for (int i = 0; stat && i < 2; i++) {
        int64_t rows = 0;
        DbVal p[] = {dbv_text(tables[i][0])};
        if (db_query_int(c->db, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = $1", p, 1, &rows, &found) != DB_OK ||
            (rows && db_exec(c->db, tables[i][1], NULL, 0) != DB_OK))
            return ctx_fail(c, GX_EDB, "cannot analyse the front desk's indexes: %s", db_errmsg(c->db));
    }
    return GX_OK;
}

void ms_summary_init(void)
{
    ddl_step_add(3, "front desk: checkout summaries", summary_step);
    ddl_step_add(4, "front desk: cash per day, business day of ledger lines", summary_step_4);
    ddl_step_add(5, "front desk: checkouts indexed for member consumption", summary_step_5);
    ddl_step_add(7, "front desk: covering indexes for the day view, the daily journal and member care", indexes_step_7);
    ddl_step_add(7, "front desk: member consumption by month", member_months_step_7);
    ddl_step_add(8, "front desk: fewer indexes written per checkout", indexes_step_8);
}

GxErr ms_summary_member(Ctx *c, const char *day, int64_t customer_id, int64_t total, int64_t discount, int64_t points)
{
    char month[8];
    memcpy(month, day, 7);
    month[7] = 0;
    DbVal p[] = {dbv_text(month), dbv_int(customer_id), dbv_int(total), dbv_int(discount), dbv_int(points)};
    if (db_exec(c->db,
                "INSERT INTO checkout_member_months(month, customer_id, checkouts, total, discount, points)"
                " VALUES ($1, $2, 1, $3, $4, $5) ON CONFLICT(month, customer_id) DO UPDATE SET"
                " checkouts = checkout_member_months.checkouts + 1,"
                " total = checkout_member_months.total + excluded.total,"
                " discount = checkout_member_months.discount + excluded.discount,"
                " points = checkout_member_months.points + excluded.points",
                p, 5) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot update the member's month");
    return GX_OK;
}

GxErr ms_summary_add(Ctx *c, const char *day, int64_t total, int64_t cash)
{
    DbVal p[] = {dbv_text(day), dbv_int(total), dbv_int(cash)};
    if (db_exec(c->db,
                "INSERT INTO checkout_days(business_day, checkouts, total, cash) VALUES ($1, 1, $2, $3)"
                " ON CONFLICT(business_day) DO UPDATE SET checkouts = checkout_days.checkouts + 1,"
                " total = checkout_days.total + excluded.total, cash = checkout_days.cash + excluded.cash",
                p, 3) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot update the day's totals");
    return GX_OK;
}

GxErr ms_summary_money(Ctx *c, const char *day, int64_t topup, int64_t fee, int64_t fee_cash)
{
    DbVal p[] = {dbv_text(day), dbv_int(topup), dbv_int(fee), dbv_int(fee_cash)};
    if (db_exec(c->db,
                "INSERT INTO member_money_days(business_day, topups, fees, fees_cash) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT(business_day) DO UPDATE SET topups = member_money_days.topups + excluded.topups,"
                " fees = member_money_days.fees + excluded.fees,"
                " fees_cash = member_money_days.fees_cash + excluded.fees_cash",
                p, 4) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot update the day's totals");
    return GX_OK;
}

GxErr ms_summary_add_line(Ctx *c, const char *day, int64_t resource_id, int64_t quantity, int64_t total)
{
    DbVal p[] = {dbv_text(day), dbv_int(resource_id), dbv_int(quantity), dbv_int(total)};
    if (db_exec(c->db,
                "INSERT INTO checkout_day_resources(business_day, resource_id, lines, quantity, total)"
                " VALUES ($1, $2, 1, $3, $4) ON CONFLICT(business_day, resource_id) DO UPDATE SET"
                " lines = checkout_day_resources.lines + 1, quantity = checkout_day_resources.quantity +"
                " excluded.quantity, total = checkout_day_resources.total + excluded.total",
                p, 4) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot update the day's totals");
    return GX_OK;
}

GxErr ms_summary_rebuild(Ctx *c)
{
    GxErr rc = rebuild_days(c);
    if (rc)
        return rc;
    if (db_exec(c->db, "DELETE FROM checkout_member_months", NULL, 0) != DB_OK ||
        db_exec(c->db, MEMBER_MONTHS_FILL, NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot rebuild the member summary: %s", db_errmsg(c->db));
    return GX_OK;
}

static GxErr rebuild_days(Ctx *c)
{
    static const char *const sql[] = {
        "DELETE FROM checkout_days",
        "DELETE FROM checkout_day_resources",
        "DELETE FROM member_money_days",
        "INSERT INTO member_money_days(business_day, topups, fees, fees_cash) SELECT business_day,"
        " coalesce(sum(CASE WHEN kind = 'balance' THEN delta ELSE 0 END), 0),"
        " coalesce(sum(CASE WHEN kind = 'fee' THEN delta ELSE 0 END), 0),"
        " coalesce(sum(CASE WHEN kind = 'fee' AND payment_method IN ('cash', 'card') THEN delta ELSE 0 END), 0)"
        " FROM member_ledger WHERE deleted_at IS NULL AND business_day IS NOT NULL AND ((kind = 'balance' AND"
        " delta > 0 AND checkout_id IS NULL AND payment_method IN ('cash', 'card')) OR kind = 'fee')"
        " GROUP BY business_day",
        "INSERT INTO checkout_days(business_day, checkouts, total, cash) SELECT business_day, count(*),"
        " coalesce(sum(total), 0), coalesce(sum(CASE WHEN payment_method IN ('cash', 'card') THEN total ELSE 0 END), 0)"
        " FROM checkouts WHERE deleted_at IS NULL AND business_day IS NOT NULL GROUP BY business_day",
        "INSERT INTO checkout_day_resources(business_day, resource_id, lines, quantity, total) SELECT business_day,"
        " resource_id, count(*), coalesce(sum(quantity), 0), coalesce(sum(total), 0) FROM checkout_lines WHERE"
        " deleted_at IS NULL AND business_day IS NOT NULL AND resource_id IS NOT NULL GROUP BY business_day, "
        "resource_id",
        NULL,
    };
    for (int i = 0; sql[i]; i++)
        if (db_exec(c->db, sql[i], NULL, 0) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot rebuild the checkout summary: %s", db_errmsg(c->db));
    return GX_OK;
}
