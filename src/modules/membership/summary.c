/* summary.c — per-day totals of the checkout desk, kept in the checkout's
 * own transaction so that income by month or year and use by resource read
 * a few hundred summary rows instead of millions of checkout lines:
 *
 *   checkout_days(business_day, checkouts, total)
 *   checkout_day_resources(business_day, resource_id, lines, quantity, total)
 *
 * The tables are created by a data step of migration 3 (they are not
 * records: no owner, no history, no API of their own). Concurrent checkouts
 * of one day meet on the day's row; the upsert makes them wait their turn
 * (PostgreSQL row lock; SQLite writers are serialised anyway). */
#include "internal.h"

static const char *const summary_ddl[] = {
    "CREATE TABLE checkout_days (business_day TEXT PRIMARY KEY, checkouts BIGINT NOT NULL, total BIGINT NOT NULL)",
    "CREATE TABLE checkout_day_resources (business_day TEXT NOT NULL, resource_id BIGINT NOT NULL, lines BIGINT NOT "
    "NULL, quantity BIGINT NOT NULL, total BIGINT NOT NULL, PRIMARY KEY (business_day, resource_id))",
    NULL,
};

static GxErr summary_step(Ctx *c, bool fresh)
{
    (void)fresh;
    for (int i = 0; summary_ddl[i]; i++)
        if (db_exec(c->db, summary_ddl[i], NULL, 0) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot create the checkout summary: %s", db_errmsg(c->db));
    return ms_summary_rebuild(c);
}

void ms_summary_init(void)
{
    ddl_step_add(3, "front desk: checkout summaries", summary_step);
}

GxErr ms_summary_add(Ctx *c, const char *day, int64_t total)
{
    DbVal p[] = {dbv_text(day), dbv_int(total)};
    if (db_exec(c->db,
                "INSERT INTO checkout_days(business_day, checkouts, total) VALUES ($1, 1, $2) ON CONFLICT(business_day)"
                " DO UPDATE SET checkouts = checkout_days.checkouts + 1, total = checkout_days.total + excluded.total",
                p, 2) != DB_OK)
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
    static const char *const sql[] = {
        "DELETE FROM checkout_days",
        "DELETE FROM checkout_day_resources",
        "INSERT INTO checkout_days(business_day, checkouts, total) SELECT business_day, count(*), coalesce(sum(total), "
        "0)"
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
