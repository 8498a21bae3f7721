/* money_demo.c — contracts, payment plans, payments and invoices for
 * `guanxi demo`: the company profile; for the first demo companies a
 * contract each (one ending within its renewal notice, one waiting for
 * approval above the demo's threshold) with instalments, one of them
 * overdue; receipts against contracts and against the approved orders the
 * quotes/orders demo made (when there are any), some in full, some in part,
 * one with a prepayment; VAT invoices for some of them and a red-letter one.
 *
 * Everything goes through the record engine (the module's hooks check and
 * settle every amount) in the system context; records belong to the
 * customer's owner. */
#include <stdio.h>
#include <string.h>

#include "../../base/clock.h"
#include "../../base/log.h"
#include "../../base/util.h"
#include "money.h"

#define DEMO_CONTRACTS 8

static const char *const contract_names[] = {"年度软件服务合同", "设备采购合同", "系统集成项目合同", "运维服务框架协议",
                                             "云资源采购合同", "培训服务合同", "数据迁移项目合同", "渠道合作协议"};

/* "YYYY-MM-DD" offset days from today (company zone). */
static const char *day(Ctx *c, int offset)
{
    char t[64];
    time_format_s((clock_local_day(clock_now_s()) + offset) * 86400, t);
    return arena_strndup(c->arena, t, 10);
}

static GxErr create(Ctx *c, const char *entity, json_t *in, json_t **out)
{
    json_t *o = NULL;
    GxErr rc = record_create(c, meta_entity(entity), in, &o);
    json_decref(in);
    if (out)
        *out = o;
    else
        json_decref(o);
    return rc;
}

/* The first n company customers with an owner: ids, owners and credit codes. */
typedef struct DemoCust {
    int64_t id, owner;
    const char *credit_code;
} DemoCust;

static int companies(Ctx *c, DemoCust *out, int n)
{
    DbVal p[] = {dbv_int(n)};
    DbRes *r;
    int k = 0;
    if (db_query(c->db,
                 "SELECT id, owner_id, credit_code FROM customers WHERE deleted_at IS NULL AND owner_id IS NOT NULL AND"
                 " kind = 'company' ORDER BY id LIMIT $1",
                 p, 1, &r) != DB_OK)
        return 0;
    while (k < n && db_next(r) == 1) {
        out[k].id = db_int(r, 0);
        out[k].owner = db_int(r, 1);
        out[k].credit_code = db_text(r, 2) ? arena_strdup(c->arena, db_text(r, 2)) : NULL;
        k++;
    }
    db_done(r);
    return k;
}

static json_t *invoice_lines(int64_t net, int rate)
{
    /* One service line and one goods line adding up to about net. */
    int64_t a = net * 7 / 10 / 100 * 100, b = (net - a) / 2 / 100 * 100;
    return json_pack("[{s:s, s:s, s:s, s:I, s:I, s:i}, {s:s, s:s, s:s, s:s, s:I, s:I, s:i}]", "tax_code",
                     "3040201990000000000", "name", "*信息技术服务*软件服务费", "unit", "项", "quantity", (json_int_t)1,
                     "unit_price", (json_int_t)a, "tax_rate_pct", rate, "tax_code", "1090511990000000000", "name",
                     "*计算机外部设备*服务器配件", "model", "GX-2U", "unit", "套", "quantity", (json_int_t)2,
                     "unit_price", (json_int_t)b, "tax_rate_pct", rate);
}

static GxErr contracts_demo(Ctx *c, int *ncontracts, int *npayments, int *ninvoices)
{
    DemoCust cu[DEMO_CONTRACTS];
    int n = companies(c, cu, DEMO_CONTRACTS);
    GxErr rc = GX_OK;
    for (int i = 0; !rc && i < n; i++) {
        int64_t amount = (int64_t)(i + 1) * 3650000 + 1200000; /* ¥48,500 … ¥304,000 */
        bool pending = i == 5;                                 /* above the demo threshold, waiting */
        int end = i == 1 ? 20 : i == 3 ? 9 : 180 + 30 * i;     /* two come up for renewal */
        json_t *in = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "name", contract_names[i], "customer_id",
                               (json_int_t)cu[i].id, "owner_id", (json_int_t)cu[i].owner, "amount", (json_int_t)amount,
                               "status", pending ? "pending_approval" : "active", "signed_on", day(c, -200 + 10 * i),
                               "start_on", day(c, -190 + 10 * i), "end_on", day(c, end), "terms",
                               "1. 乙方按附件交付。\n2. 甲方按回款计划付款，逾期按日万分之五计违约金。\n3. 本合同一式两份。");
        json_t *k;
        if ((rc = create(c, "contracts", in, &k)))
            break;
        int64_t kid = json_integer_value(json_object_get(k, "id"));
        json_decref(k);
        (*ncontracts)++;
        if (pending)
            continue;
        /* Three instalments: 30 % signed, 40 % on delivery (overdue for some), 30 % at acceptance. */
        int64_t parts[3] = {amount * 3 / 10, amount * 4 / 10, 0};
        parts[2] = amount - parts[0] - parts[1];
        int due[3] = {-150, i % 3 == 0 ? -12 : 25, 90};
        static const char *titles[] = {"首付款(30%)", "到货款(40%)", "验收款(30%)"};
        for (int s = 0; !rc && s < 3; s++)
            rc = create(c, "payment_plans",
                        json_pack("{s:I, s:s, s:s, s:I}", "contract_id", (json_int_t)kid, "title", titles[s], "due_on",
                                  day(c, due[s]), "amount", (json_int_t)parts[s]),
                        NULL);
        if (rc)
            break;
        /* The first instalment is paid; every other contract also part of the second. */
        int64_t paid = parts[0] + (i % 2 ? parts[1] / 2 : 0);
        static const char *methods[] = {"transfer", "transfer", "alipay", "wechat", "card", "transfer", "cash", "other"};
        rc = create(c, "payments",
                    json_pack("{s:I, s:I, s:I, s:I, s:s, s:s, s:s}", "customer_id", (json_int_t)cu[i].id, "contract_id",
                              (json_int_t)kid, "owner_id", (json_int_t)cu[i].owner, "amount", (json_int_t)paid, "method",
                              methods[i], "paid_on", day(c, -140 + i), "payer", "财务部"),
                    NULL);
        if (rc)
            break;
        (*npayments)++;
        if (i % 2 == 0) {
            json_t *inv = json_pack("{s:s, s:I, s:s, s:o}", "number", arena_printf(c->arena, "%08d", 24350100 + i),
                                    "contract_id", (json_int_t)kid, "issued_on", day(c, -139 + i), "lines",
                                    invoice_lines(parts[0] * 100 / 113, 13));
            if (cu[i].credit_code)
                json_object_set_new(inv, "confirm", json_pack("[s]", "buyer_tax_id"));
            if ((rc = create(c, "invoices", inv, NULL)))
                break;
            (*ninvoices)++;
        }
    }
    return rc;
}

/* Receipts and invoices for approved (or later) orders of the orders demo. */
static GxErr orders_demo(Ctx *c, int *npayments, int *ninvoices)
{
    if (!meta_entity("orders"))
        return GX_OK;
    DbRes *r;
    if (db_query(c->db,
                 "SELECT id, customer_id, owner_id, total FROM orders WHERE deleted_at IS NULL AND status IN ('approved',"
                 " 'delivered', 'invoiced', 'closed') AND total > 0 ORDER BY id LIMIT 40",
                 NULL, 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "demo: cannot read orders");
    int64_t ids[40][4];
    int n = 0;
    while (n < 40 && db_next(r) == 1) {
        for (int k = 0; k < 4; k++)
            ids[n][k] = db_isnull(r, k) ? 0 : db_int(r, k);
        n++;
    }
    db_done(r);
    GxErr rc = GX_OK;
    for (int i = 0; !rc && i < n; i++) {
        int64_t oid = ids[i][0], cust = ids[i][1], owner = ids[i][2], total = ids[i][3];
        int64_t amount = i % 3 == 0 ? total : i % 3 == 1 ? total / 2 : 0;
        bool prepay = i == 4;
        if (prepay)
            amount = total + 500000;
        if (amount > 0) {
            json_t *in = json_pack("{s:I, s:I, s:I, s:s, s:s, s:b}", "customer_id", (json_int_t)cust, "order_id",
                                   (json_int_t)oid, "amount", (json_int_t)amount, "method", i % 2 ? "transfer" : "wechat",
                                   "paid_on", day(c, -20 + i % 15), "prepayment", prepay);
            if (owner)
                json_object_set_new(in, "owner_id", json_integer(owner));
            if ((rc = create(c, "payments", in, NULL)))
                break;
            (*npayments)++;
        } else if (total >= 100) {
            /* Unpaid: a plan that is already due. */
            json_t *in = json_pack("{s:I, s:s, s:s, s:I}", "order_id", (json_int_t)oid, "title", "全款", "due_on",
                                   day(c, -5 - i % 7), "amount", (json_int_t)total);
            if ((rc = create(c, "payment_plans", in, NULL)))
                break;
        }
        if (i % 4 == 0 && total >= 113) {
            int64_t net = total * 100 / 113; /* 13 % VAT on top; the invoice stays within the order */
            json_t *inv = json_pack("{s:s, s:I, s:s, s:[{s:s, s:s, s:I, s:I, s:i}]}", "number",
                                    arena_printf(c->arena, "%08d", 24360100 + i), "order_id", (json_int_t)oid, "issued_on",
                                    day(c, -10), "lines", "name", "*软件*订单货款", "unit", "批", "quantity",
                                    (json_int_t)1, "unit_price", (json_int_t)net, "tax_rate_pct", 13);
            json_object_set_new(inv, "confirm", json_pack("[s]", "buyer_tax_id"));
            json_t *out = NULL;
            if ((rc = create(c, "invoices", inv, &out)))
                break;
            (*ninvoices)++;
            if (i == 8) { /* a red-letter invoice for half of it */
                json_t *red = json_pack("{s:s, s:I, s:s, s:[{s:s, s:s, s:f, s:I, s:i}]}", "number",
                                        arena_printf(c->arena, "%08d", 24369900 + i), "red_of",
                                        (json_int_t)json_integer_value(json_object_get(out, "id")), "issued_on",
                                        day(c, -3), "lines", "name", "*软件*订单货款", "unit", "批", "quantity", -0.5,
                                        "unit_price", (json_int_t)net, "tax_rate_pct", 13);
                rc = create(c, "invoices", red, NULL);
                (*ninvoices)++;
            }
            json_decref(out);
        }
    }
    return rc;
}

GxErr sales_money_demo(Ctx *c)
{
    if (!meta_entity("payments") || !meta_entity("contracts"))
        return GX_OK;
    GxErr rc;
    if (!mn_setting_text(c, "company.name")) {
        json_t *out = NULL;
        json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "name", "关系软件(福州)有限公司", "tax_id", "91350100M000100Y43",
                               "address_phone", "福州市鼓楼区软件大道89号 0591-87654321", "bank_account",
                               "招商银行福州分行营业部 591900000010101");
        rc = sales_company_set(c, in, &out);
        json_decref(in);
        json_decref(out);
        if (rc)
            return rc;
    }
    /* Contracts above ¥200,000 need a manager's approval in the demo. */
    if (mn_contract_threshold(c) < 0 && (rc = mn_setting_put(c, "contracts.approval_above", "20000000")))
        return rc;
    int ncontracts = 0, npayments = 0, ninvoices = 0;
    if ((rc = contracts_demo(c, &ncontracts, &npayments, &ninvoices)) ||
        (rc = orders_demo(c, &npayments, &ninvoices)))
        return rc;
    log_info("demo: added %d contracts, %d payments, %d invoices", ncontracts, npayments, ninvoices);
    return GX_OK;
}
