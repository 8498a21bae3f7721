/* credit_demo.c — demo deliveries and returns (helper "credit"): of the
 * demo's approved orders, every third is delivered in full (it becomes
 * "delivered"), the next one in part, the third not yet; the first order
 * delivered in full gets a return of one unit. Through the record engine,
 * as the system, on behalf of each order's owner. */
#include <stdio.h>
#include <string.h>

#include "../../record/record.h"
#include "sales.h"

#define DEMO_MOVE_ORDERS 12

/* Create a delivery or return of order (owner) with the given lines. */
static GxErr demo_move(Ctx *c, const char *entity, int64_t order, int64_t owner, json_t *lines, json_t *extra)
{
    json_t *in = json_pack("{s:I, s:o}", "order_id", (json_int_t)order, "lines", lines);
    if (owner)
        json_object_set_new(in, "owner_id", json_integer(owner));
    if (extra)
        json_object_update(in, extra);
    json_t *out = NULL;
    GxErr rc = record_create(c, meta_entity(entity), in, &out);
    json_decref(in);
    json_decref(out);
    return rc;
}

GxErr sales_credit_demo(Ctx *c)
{
    if (!meta_entity("deliveries") || !meta_entity("returns") || !meta_entity("orders"))
        return GX_OK;
    DbRes *r;
    if (db_query(c->db,
                 "SELECT id, owner_id FROM orders WHERE status = 'approved' AND deleted_at IS NULL ORDER BY id LIMIT 12",
                 NULL, 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "demo: cannot read orders");
    int64_t orders[DEMO_MOVE_ORDERS][2];
    int n = 0;
    while (n < DEMO_MOVE_ORDERS && db_next(r) == 1) {
        orders[n][0] = db_int(r, 0);
        orders[n][1] = db_isnull(r, 1) ? 0 : db_int(r, 1);
        n++;
    }
    db_done(r);
    static const char *const carriers[] = {"顺丰速运", "京东物流", "德邦快递"};
    static const char *const prefixes[] = {"SF", "JD", "DPK"};
    bool returned = false;
    GxErr rc = GX_OK;
    for (int i = 0; i < n && !rc; i++) {
        if (i % 3 == 2)
            continue; /* not shipped yet */
        DbVal p[] = {dbv_int(orders[i][0])};
        if (db_query(c->db, "SELECT id, quantity FROM order_lines WHERE order_id = $1 ORDER BY position, id", p, 1, &r) !=
            DB_OK)
            return ctx_fail(c, GX_EDB, "demo: cannot read order lines");
        json_t *lines = json_array();
        int64_t first_line = 0, first_qty = 0;
        while (db_next(r) == 1) {
            int64_t id = db_int(r, 0), q = db_isnull(r, 1) ? 0 : db_int(r, 1);
            if (!first_line) {
                first_line = id;
                first_qty = q;
            }
            if (i % 3 == 1 && json_array_size(lines) > 0)
                continue; /* a partial delivery: half of the first line */
            int64_t ship = i % 3 == 1 ? q / 2 : q;
            if (ship > 0)
                json_array_append_new(lines, json_pack("{s:I, s:f}", "order_line_id", (json_int_t)id, "quantity",
                                                       (double)ship / 1000.0));
        }
        db_done(r);
        if (!json_array_size(lines)) {
            json_decref(lines);
            continue;
        }
        char track[32];
        snprintf(track, sizeof track, "%s%010lld", prefixes[i % 3], (long long)(orders[i][0] * 7919 % 10000000000LL));
        json_t *extra = json_pack("{s:s, s:s}", "carrier", carriers[i % 3], "tracking_no", track);
        rc = demo_move(c, "deliveries", orders[i][0], orders[i][1], lines, extra);
        json_decref(extra);
        if (!rc && i % 3 == 0 && !returned && first_qty >= 1000) {
            json_t *back = json_pack("[{s:I, s:f}]", "order_line_id", (json_int_t)first_line, "quantity", 1.0);
            json_t *why = json_pack("{s:s}", "reason", "包装破损,客户退回一台");
            rc = demo_move(c, "returns", orders[i][0], orders[i][1], back, why);
            json_decref(why);
            returned = true;
        }
    }
    return rc;
}
