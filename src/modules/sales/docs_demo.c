/* docs_demo.c — demo quotes and orders (`guanxi demo`): for the first demo
 * customers, quotes of one to four lines at the demo products' prices (some
 * revised, some sent, accepted or expired), half of them converted into
 * orders, and the orders moved along their status flow (draft, approved,
 * delivered, invoiced, closed, one cancelled). Everything goes through the
 * same functions as the API, in the system context, so totals, numbers and
 * history are real. A fixed-seed sequence makes two runs alike; dates are
 * spread over the last six months (UTC+8). Products are created here only
 * when the database has none (the product catalogue belongs to the products
 * module). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../base/log.h"
#include "docs.h"

#define DEMO_DOC_CUSTOMERS 24

/* A few products, when the catalogue is empty. */
static const struct {
    const char *code, *name, *unit;
    int64_t price; /* fen */
} demo_products[] = {
    {"GX-SRV-01", "机架式服务器 R740", "台", 3860000},  {"GX-NET-02", "千兆交换机 24 口", "台", 268000},
    {"GX-LIC-03", "CRM 软件年度许可(10 用户)", "套", 1200000}, {"GX-SVC-04", "上门安装调试", "次", 80000},
    {"GX-SVC-05", "年度运维服务", "年", 960000},       {"GX-CAB-06", "超六类网线(305 米)", "箱", 65000},
    {"GX-UPS-07", "UPS 不间断电源 3kVA", "台", 452000}, {"GX-TRN-08", "用户培训(半天)", "场", 150000},
};

/* Next value of a small deterministic sequence (xorshift). */
static uint64_t next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

static int range(uint64_t *s, int lo, int hi) { return lo + (int)(next(s) % (uint64_t)(hi - lo + 1)); }

/* The business date days ago (UTC+8), "YYYY-MM-DD" in buf. */
static void date_ago(int days, char buf[16])
{
    time_t t = time(NULL) + 8 * 3600 - (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 16, "%Y-%m-%d", &tm);
}

/* Ids of the live products (creating the demo ones when there are none). */
static GxErr products(Ctx *c, int64_t *ids, int max, int *n)
{
    *n = 0;
    DbRes *r;
    if (db_query(c->db, "SELECT id FROM products WHERE deleted_at IS NULL AND active = 1 ORDER BY id LIMIT 20", NULL,
                 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "demo: cannot read products");
    while (db_next(r) == 1 && *n < max)
        ids[(*n)++] = db_int(r, 0);
    db_done(r);
    if (*n)
        return GX_OK;
    for (size_t i = 0; i < sizeof demo_products / sizeof demo_products[0] && *n < max; i++) {
        json_t *in = json_pack("{s:s, s:s, s:s, s:I, s:b}", "code", demo_products[i].code, "name",
                               demo_products[i].name, "unit", demo_products[i].unit, "price",
                               (json_int_t)demo_products[i].price, "active", 1);
        json_t *out;
        GxErr rc = record_create(c, meta_entity("products"), in, &out);
        json_decref(in);
        if (rc)
            return rc;
        ids[(*n)++] = json_integer_value(json_object_get(out, "id"));
        json_decref(out);
    }
    return GX_OK;
}

/* Backdate a document (its date field) to `days` ago. */
static GxErr backdate(Ctx *c, const char *entity, int64_t id, int days)
{
    char d[16];
    date_ago(days, d);
    DbVal p[] = {dbv_text(d), dbv_int(id)};
    const char *sql = !strcmp(entity, "orders") ? "UPDATE orders SET order_date = $1 WHERE id = $2"
                                                : "UPDATE quotes SET quote_date = $1 WHERE id = $2";
    if (db_exec(c->db, sql, p, 2) != DB_OK)
        return ctx_fail(c, GX_EDB, "demo: cannot date %s", entity);
    return GX_OK;
}

/* One customer's quote (and maybe revision, order, status changes). */
static GxErr customer_docs(Ctx *c, uint64_t *seq, int64_t customer_id, int64_t owner_id, const int64_t *pids, int np,
                           int *nquotes, int *norders)
{
    int days = range(seq, 3, 180);
    char valid[16];
    date_ago(days - 30, valid);
    json_t *lines = json_array();
    int nl = range(seq, 1, 4);
    for (int k = 0; k < nl; k++) {
        int64_t pid = pids[(size_t)range(seq, 0, np - 1)];
        json_t *l = json_pack("{s:I, s:i}", "product_id", (json_int_t)pid, "quantity", range(seq, 1, 12));
        if (range(seq, 0, 3) == 0)
            json_object_set_new(l, "discount_pct", json_integer(range(seq, 1, 4) * 5));
        json_array_append_new(lines, l);
    }
    json_t *in = json_pack("{s:I, s:I, s:o, s:i, s:s}", "customer_id", (json_int_t)customer_id, "owner_id",
                           (json_int_t)owner_id, "lines", lines, "tax_rate_pct", 13, "valid_until", valid);
    json_t *q;
    GxErr rc = record_create(c, meta_entity("quotes"), in, &q);
    json_decref(in);
    if (rc)
        return rc;
    int64_t qid = json_integer_value(json_object_get(q, "id"));
    json_decref(q);
    (*nquotes)++;
    if ((rc = backdate(c, "quotes", qid, days)))
        return rc;
    int fate = range(seq, 0, 9);
    if (fate == 0) { /* revised: the customer asked for a better price */
        json_t *v2;
        if ((rc = sales_quote_revise(c, qid, &v2)))
            return rc;
        qid = json_integer_value(json_object_get(v2, "id"));
        json_decref(v2);
        (*nquotes)++;
        if ((rc = backdate(c, "quotes", qid, days > 5 ? days - 3 : days)))
            return rc;
    }
    if (fate >= 5 && days > 30) { /* converted into an order */
        int64_t oid;
        /* valid_until may have passed for an old quote: extend it first, as a rep would */
        char today[16];
        date_ago(-30, today);
        DbVal p[] = {dbv_text(today), dbv_int(qid)};
        if (db_exec(c->db, "UPDATE quotes SET valid_until = $1 WHERE id = $2", p, 2) != DB_OK)
            return ctx_fail(c, GX_EDB, "demo: cannot extend the quote");
        if ((rc = sales_quote_convert(c, qid, &oid)))
            return rc;
        (*norders)++;
        if ((rc = backdate(c, "orders", oid, days - range(seq, 0, 10))))
            return rc;
        static const char *const flow[] = {"approved", "delivered", "invoiced", "closed"};
        int steps = fate == 5 ? 0 : fate == 6 ? 1 : fate == 7 ? 2 : fate == 8 ? 3 : 4;
        if (fate == 9 && range(seq, 0, 2) == 0) {
            json_t *o;
            if ((rc = sales_order_transition(c, oid, "cancelled", 0, &o)))
                return rc;
            json_decref(o);
            return GX_OK;
        }
        for (int s = 0; s < steps; s++) {
            json_t *o;
            if ((rc = sales_order_transition(c, oid, flow[s], 0, &o)))
                return rc;
            json_decref(o);
        }
        return GX_OK;
    }
    const char *status = fate <= 2 ? "sent" : fate == 3 ? "rejected" : days > 40 ? "expired" : "draft";
    DbVal p[] = {dbv_text(status), dbv_int(qid)};
    if (db_exec(c->db, "UPDATE quotes SET status = $1 WHERE id = $2", p, 2) != DB_OK)
        return ctx_fail(c, GX_EDB, "demo: cannot set the quote status");
    return GX_OK;
}

GxErr sales_docs_demo(Ctx *c)
{
    if (!meta_entity("quotes") || !meta_entity("orders") || !meta_entity("products"))
        return GX_OK;
    int64_t pids[20];
    int np;
    GxErr rc = products(c, pids, 20, &np);
    if (rc || !np)
        return rc;
    DbRes *r;
    if (db_query(c->db,
                 "SELECT id, owner_id FROM customers WHERE deleted_at IS NULL AND owner_id IS NOT NULL ORDER BY id"
                 " LIMIT 24",
                 NULL, 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "demo: cannot read customers");
    int64_t cust[DEMO_DOC_CUSTOMERS][2];
    int n = 0;
    while (db_next(r) == 1 && n < DEMO_DOC_CUSTOMERS) {
        cust[n][0] = db_int(r, 0);
        cust[n][1] = db_int(r, 1);
        n++;
    }
    db_done(r);
    uint64_t seq = 0x71756f746573ULL; /* "quotes" */
    int nquotes = 0, norders = 0;
    for (int i = 0; i < n && !rc; i++) {
        int per = range(&seq, 1, 2);
        for (int k = 0; k < per && !rc; k++)
            rc = customer_docs(c, &seq, cust[i][0], cust[i][1], pids, np, &nquotes, &norders);
    }
    if (!rc)
        log_info("demo: added %d quotes and %d orders", nquotes, norders);
    return rc;
}
