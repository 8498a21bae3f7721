/* targets_demo.c — demo data of territories and targets (called by demo.c
 * after the users exist): two assignment rules and monthly targets for
 * every sales rep and the departments they sit in, this month and the last, and the customers' value from the demo orders. System context. */
#include <string.h>

#include "../../base/clock.h"
#include "../../base/util.h"
#include "../../record/record.h"
#include "../modules.h"
#include "sales.h"

static GxErr create(Ctx *c, const char *entity, json_t *in)
{
    json_t *out = NULL;
    GxErr rc = record_create(c, meta_entity(entity), in, &out);
    json_decref(in);
    json_decref(out);
    return rc;
}

/* "YYYY-MM" of this month (back = 0) or the one before (back = 1), company zone. */
static const char *month_of(Ctx *c, int back)
{
    int64_t day = clock_local_day(clock_now_s());
    /* civil date from days since the epoch (Howard Hinnant's algorithm) */
    int64_t z = day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int y = (int)(yoe + era * 400 + (m <= 2));
    m -= back;
    if (m < 1) {
        m += 12;
        y--;
    }
    return arena_printf(c->arena, "%04d-%02d", y, m);
}

GxErr targets_demo(Ctx *c)
{
    GxErr rc = GX_OK;
    if (meta_entity("sales_targets")) {
        /* the sales reps, and the departments they sit in */
        DbRes *r;
        if (db_query(c->db,
                     "SELECT u.id, u.department_id FROM users u JOIN users_role_ids ur ON ur.record_id = u.id JOIN roles"
                     " ro ON ro.id = ur.target_id WHERE ro.code = 'sales_rep' AND u.active = 1 AND u.deleted_at IS NULL"
                     " AND u.department_id IS NOT NULL ORDER BY u.department_id, u.id",
                     NULL, 0, &r) != DB_OK)
            return ctx_fail(c, GX_EDB, "demo: cannot read users: %s", db_errmsg(c->db));
        int64_t users[256], depts[256];
        int n = 0;
        while (db_next(r) == 1 && n < 256) {
            users[n] = db_int(r, 0);
            depts[n] = db_int(r, 1);
            n++;
        }
        db_done(r);
        for (int back = 0; back < 2 && !rc; back++) {
            const char *month = month_of(c, back);
            int64_t dept = 0, sum = 0;
            for (int i = 0; i <= n && !rc; i++) {
                if (i == n || depts[i] != dept) {
                    if (dept && sum)
                        rc = create(c, "sales_targets",
                                    json_pack("{s:s, s:s, s:I, s:I}", "month", month, "scope", "department",
                                              "target_department_id", (json_int_t)dept, "amount", (json_int_t)sum));
                    if (i == n || rc)
                        break;
                    dept = depts[i];
                    sum = 0;
                }
                int64_t amount = (int64_t)(200000 + 50000 * (i % 4)) * 100; /* ¥200,000 … ¥350,000 */
                sum += amount;
                rc = create(c, "sales_targets",
                            json_pack("{s:s, s:s, s:I, s:I}", "month", month, "scope", "user", "user_id",
                                      (json_int_t)users[i], "amount", (json_int_t)amount));
                if (!rc && back == 0 && i % 2 == 0 && meta_entity("payments"))
                    rc = create(c, "sales_targets",
                                json_pack("{s:s, s:s, s:I, s:s, s:I}", "month", month, "scope", "user", "user_id",
                                          (json_int_t)users[i], "basis", "receipts", "amount",
                                          (json_int_t)(amount / 2)));
            }
        }
        if (rc)
            return rc;
    }
    if (meta_entity("assignment_rules")) {
        /* leads from trade shows take turns in the biggest sales department;
         * customers of 华东 go to its first rep */
        int64_t team = 0, rep = 0;
        bool found;
        if (db_query_int(c->db,
                         "SELECT department_id FROM users WHERE active = 1 AND deleted_at IS NULL AND department_id IS"
                         " NOT NULL GROUP BY department_id ORDER BY count(*) DESC, department_id LIMIT 1",
                         NULL, 0, &team, &found) != DB_OK)
            return ctx_fail(c, GX_EDB, "demo: cannot read users");
        DbVal p[] = {dbv_int(team)};
        if (team && db_query_int(c->db,
                                 "SELECT u.id FROM users u JOIN departments d ON d.id = u.department_id WHERE"
                                 " u.department_id = $1 AND u.active = 1 AND (d.manager_id IS NULL OR d.manager_id <>"
                                 " u.id) ORDER BY u.id LIMIT 1",
                                 p, 1, &rep, &found) != DB_OK)
            return ctx_fail(c, GX_EDB, "demo: cannot read users");
        int64_t fair = picklist_id(c, "customer_sources", "exhibition"), east = picklist_id(c, "regions", "east");
        if (team && fair)
            rc = create(c, "assignment_rules",
                        json_pack("{s:s, s:s, s:i, s:I, s:s, s:I, s:s}", "name", "展会线索轮流分配", "entity", "leads",
                                  "sort", 10, "source_id", (json_int_t)fair, "target", "round_robin",
                                  "team_department_id", (json_int_t)team, "notes",
                                  "展会收集的线索在销售部门内轮流分配"));
        if (!rc && rep && east)
            rc = create(c, "assignment_rules",
                        json_pack("{s:s, s:s, s:i, s:I, s:s, s:I}", "name", "华东区域新客户", "entity", "customers",
                                  "sort", 20, "region_id", (json_int_t)east, "target", "user", "user_id",
                                  (json_int_t)rep));
    }
    if (!rc && meta_entity("orders"))
        rc = customer_value_recompute(c, true, NULL);
    return rc;
}
