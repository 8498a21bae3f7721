/* picklists.c — the pick lists of customer management (客户类型, 客户来源,
 * 行业, 区域) as records of their own, and the migration-3 data step that
 * seeds them and turns the old enum columns of customers into links.
 *
 * Records refer to pick-list rows by id, so renaming a row ("name") never
 * touches the records that use it; the stable "code" is what imports and
 * integrations match on. */
#include <string.h>

#include "../base/util.h"
#include "../record/record.h"
#include "modules.h"

/* One default row of a pick list. */
typedef struct Seed {
    const char *code; /* stable code; for lists that replace an enum, the old enum value */
    const char *name; /* Chinese name shown */
    int64_t number;   /* customer_types: discount rate in hundredths of a percent */
} Seed;

/* clang-format off */
static const Seed customer_type_seeds[] = {
    {"distributor", "经销商", 1500}, {"end_user", "终端客户", 0}, {"partner", "合作伙伴", 1000}, {"vip", "VIP 客户", 500},
    {NULL, NULL, 0},
};
static const Seed source_seeds[] = {
    {"promotion", "促销活动", 0}, {"search", "搜索引擎", 0}, {"ads", "广告", 0}, {"referral", "客户介绍", 0},
    {"signup", "线上注册", 0}, {"inquiry", "线上询价", 0}, {"appointment", "预约上门", 0}, {"cold_call", "陌拜", 0},
    {"phone", "电话咨询", 0}, {"email", "邮件咨询", 0}, {"exhibition", "展会", 0},
    {NULL, NULL, 0},
};
static const Seed industry_seeds[] = {
    {"it", "IT/通信/电子/互联网", 0}, {"finance", "金融业", 0}, {"real_estate", "房地产", 0}, {"services", "商业服务", 0},
    {"trade", "贸易/批发/零售", 0}, {"manufacturing", "生产/制造", 0}, {"logistics", "交通/运输/物流", 0},
    {"media", "文化/传媒", 0}, {"education", "教育", 0}, {"health", "医疗", 0}, {"government", "政府/非营利", 0},
    {NULL, NULL, 0},
};
static const Seed region_seeds[] = {
    {"north", "华北", 0}, {"northeast", "东北", 0}, {"east", "华东", 0}, {"central", "华中", 0},
    {"south", "华南", 0}, {"southwest", "西南", 0}, {"northwest", "西北", 0},
    {NULL, NULL, 0},
};
/* clang-format on */

/* Insert the seed rows of table (system columns filled in, sort = position).
 * Rows whose code already exists are left alone. */
static GxErr seed_rows(Ctx *c, const char *table, const Seed *seeds, bool with_rate)
{
    const char *now = record_now(c);
    for (int i = 0; seeds[i].code; i++) {
        int64_t one;
        bool found = false;
        DbVal pc[] = {dbv_text(seeds[i].code)};
        const char *probe =
            arena_printf(c->arena, "SELECT 1 FROM %s WHERE code = $1", table); /* sql-ok: table name from this file */
        if (db_query_int(c->db, probe, pc, 1, &one, &found) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read %s: %s", table, db_errmsg(c->db));
        if (found)
            continue;
        const char *sql =
            with_rate ? arena_printf(
                            c->arena, /* sql-ok: table name from this file */
                            "INSERT INTO %s(name, code, sort, active, discount_rate, created_at, updated_at, version)"
                            " VALUES ($1, $2, $3, 1, $4, $5, $5, 1)",
                            table)
                      : arena_printf(c->arena, /* sql-ok: table name from this file */
                                     "INSERT INTO %s(name, code, sort, active, created_at, updated_at, version)"
                                     " VALUES ($1, $2, $3, 1, $4, $4, 1)",
                                     table);
        DbVal p5[] = {dbv_text(seeds[i].name), dbv_text(seeds[i].code), dbv_int((i + 1) * 10), dbv_int(seeds[i].number),
                      dbv_text(now)};
        DbVal p4[] = {dbv_text(seeds[i].name), dbv_text(seeds[i].code), dbv_int((i + 1) * 10), dbv_text(now)};
        if (db_exec(c->db, sql, with_rate ? p5 : p4, with_rate ? 5 : 4) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot seed %s: %s", table, db_errmsg(c->db));
    }
    return GX_OK;
}

/* Point customers.<link> at the row of table whose code equals the old enum
 * column <old>. */
static GxErr link_by_code(Ctx *c, const char *old, const char *link, const char *table)
{
    const char *sql = arena_printf(c->arena, /* sql-ok: column and table names from this file */
                                   "UPDATE customers SET %s = (SELECT t.id FROM %s t WHERE t.code = customers.%s)"
                                   " WHERE %s IS NOT NULL AND %s IS NULL",
                                   link, table, old, old, link);
    if (db_exec(c->db, sql, NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot convert customers.%s: %s", old, db_errmsg(c->db));
    return GX_OK;
}

/* The old free-text region: every distinct value becomes a region (matched
 * by name; new ones get codes legacy_1, legacy_2 …), then the link is set. */
static GxErr regions_from_text(Ctx *c)
{
    DbRes *res;
    if (db_query(c->db,
                 "SELECT DISTINCT region FROM customers WHERE region IS NOT NULL AND region <> ''"
                 " AND region NOT IN (SELECT name FROM regions) ORDER BY region",
                 NULL, 0, &res) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read customers.region: %s", db_errmsg(c->db));
    const char *names[256];
    int n = 0;
    while (db_next(res) == 1 && n < 256)
        names[n++] = arena_strdup(c->arena, db_text(res, 0));
    db_done(res);
    const char *now = record_now(c);
    for (int i = 0; i < n; i++) {
        DbVal p[] = {dbv_text(names[i]), dbv_text(arena_printf(c->arena, "legacy_%d", i + 1)), dbv_int(1000 + i),
                     dbv_text(now)};
        if (db_exec(c->db,
                    "INSERT INTO regions(name, code, sort, active, created_at, updated_at, version)"
                    " VALUES ($1, $2, $3, 1, $4, $4, 1)",
                    p, 4) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot add region %s: %s", names[i], db_errmsg(c->db));
    }
    if (db_exec(c->db,
                "UPDATE customers SET region_id = (SELECT min(r.id) FROM regions r WHERE r.name = customers.region)"
                " WHERE region IS NOT NULL AND region <> '' AND region_id IS NULL",
                NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot convert customers.region: %s", db_errmsg(c->db));
    return GX_OK;
}

GxErr picklists_migrate(Ctx *c, bool fresh)
{
    (void)fresh; /* seeds are wanted on a new database too; the conversions then find nothing */
    GxErr rc;
    if ((rc = seed_rows(c, "customer_types", customer_type_seeds, true)) ||
        (rc = seed_rows(c, "customer_sources", source_seeds, false)) ||
        (rc = seed_rows(c, "industries", industry_seeds, false)) || (rc = seed_rows(c, "regions", region_seeds, false)))
        return rc;
    if ((rc = link_by_code(c, "customer_type", "customer_type_id", "customer_types")) ||
        (rc = link_by_code(c, "source", "source_id", "customer_sources")) ||
        (rc = link_by_code(c, "industry", "industry_id", "industries")) || (rc = regions_from_text(c)))
        return rc;
    return GX_OK;
}

int64_t picklist_id(Ctx *c, const char *entity, const char *code)
{
    const Entity *e = meta_entity(entity);
    if (!e || !code || !meta_field(e, "code"))
        return 0;
    int64_t id = 0;
    bool found = false;
    DbVal p[] = {dbv_text(code)};
    const char *sql = arena_printf(
        c->arena,
        "SELECT id FROM %s WHERE (code = $1 OR name = $1) AND deleted_at IS NULL ORDER BY id", /* sql-ok: table name
                                                                                                  from metadata */
        e->table);
    if (db_query_int(c->db, sql, p, 1, &id, &found) != DB_OK || !found)
        return 0;
    return id;
}
