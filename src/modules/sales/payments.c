/* payments.c — receipts (回款), payment plans (回款计划) and the balances
 * derived from them.
 *
 * A payment is for an order, a contract (which must be active or expired:
 * otherwise 409), both, or neither (then it is a prepayment, 预收款, and
 * must say "prepayment": true). It may not be larger than what the order or
 * contract still owes (total − received) unless "prepayment": true: the
 * excess is then stored as prepayment_amount, the customer's money on
 * account. The check runs inside the write transaction with the order or
 * contract row locked (PostgreSQL) / the database write lock (SQLite), so
 * two concurrent payments cannot both take the last yuan. The amount and
 * the links of a recorded payment do not change (delete it — managers — and
 * record it again); the rest (method, date, payer, handler, notes) may.
 *
 * Payment plans are instalments of one order or one contract; together they
 * may not exceed its total (422). What the document received is applied to
 * its plans by due date, earliest first (paid_amount, status open|partial|
 * paid); plans due before today and not paid are "overdue" (reminder kind
 * payment_overdue for the plan's owner, who is the document's owner).
 *
 * Per order (GET /orders/{id}, computed on read): received_amount,
 * invoiced_amount, returned_amount (Σ credit_amount of its returns),
 * outstanding_amount = total − returned_amount − received_amount (what a
 * payment may still cover),
 * overdue_amount = Σ unpaid parts of plans due before today.
 *
 * Per customer (GET /customers/{id}, computed on read) — over the records
 * the viewer may read (the read scope of each entity, as every list):
 *   receivable       = Σ total of the customer's orders in status approved,
 *                      delivered, invoiced, closed or returned (not draft
 *                      or cancelled; what came back is the returns'
 *                      credit below, so a fully returned order nets to 0)
 *                    + Σ amount of its active or expired contracts that are
 *                      not tied to an order (a contract with order_id is
 *                      that order's paperwork, not a second debt)
 *                    − Σ credit_amount of its returns (helper "credit")
 *   received_total   = Σ amount of all its payments (prepayments included)
 *   balance_due      = receivable − received_total (negative: the customer
 *                      has money on account)
 *   prepayment_total = Σ prepayment_amount of its payments
 *   invoiced_total   = Σ total of its issued invoices (red ones negative)
 *   overdue_amount   = Σ unpaid parts of its plans due before today */
#include <string.h>

#include "../../base/clock.h"
#include "../../base/util.h"
#include "../reminders.h"
#include "money.h"

/* ---------- payments ---------- */

static const char *const fixed_payment_fields[] = {"customer_id", "order_id", "contract_id", "amount", "prepayment",
                                                   NULL};

/* The order and contract a payment names, checked visible (404) and payable
 * (409); fills customer_id from them when absent. No transaction. */
static GxErr payment_targets(Ctx *c, json_t *in)
{
    MnDoc o = {0}, k = {0};
    int64_t oid = mn_int(in, "order_id"), kid = mn_int(in, "contract_id"), cust = mn_int(in, "customer_id");
    GxErr rc;
    if (oid) {
        if ((rc = mn_doc_visible(c, meta_entity("orders"), oid, "order_id", &o)))
            return rc;
        if (!strcmp(o.status, "cancelled") || !strcmp(o.status, "returned"))
            return ctx_fail(c, GX_ECONFLICT, "%s",
                            mn_msg(c, "该订单已取消或已退货，不能回款", "The order is cancelled or returned: it takes no payments"));
    }
    if (kid) {
        if ((rc = mn_doc_visible(c, meta_entity("contracts"), kid, "contract_id", &k)))
            return rc;
        if (strcmp(k.status, "active") && strcmp(k.status, "expired"))
            return ctx_fail(c, GX_ECONFLICT, "%s",
                            !strcmp(k.status, "pending_approval")
                                ? mn_msg(c, "合同待审批，审批通过后才能回款",
                                         "The contract is waiting for approval: payments can be recorded once it is approved")
                                : mn_msg(c, "合同未生效(或已终止)，不能回款",
                                         "The contract is not active: payments can be recorded only against an active contract"));
    }
    int64_t from = oid ? o.customer_id : kid ? k.customer_id : 0;
    if (oid && kid && o.customer_id != k.customer_id) {
        ctx_field(c, "contract_id", "%s", mn_msg(c, "合同与订单不属于同一客户", "belongs to another customer than the order"));
        return c->err;
    }
    if (!cust && from)
        json_object_set_new(in, "customer_id", json_integer(cust = from));
    if (cust && from && cust != from) {
        ctx_field(c, "customer_id", "%s",
                  mn_msg(c, "与订单/合同的客户不一致", "is not the customer of the order or contract"));
        return c->err;
    }
    if (cust && (rc = mn_customer_visible(c, cust)))
        return rc;
    return GX_OK;
}

static GxErr payments_before_create(Ctx *c, HookArgs *a)
{
    json_t *in = a->input;
    json_t *amt = json_object_get(in, "amount");
    if (json_is_integer(amt) && json_integer_value(amt) <= 0) {
        ctx_field(c, "amount", "%s", mn_msg(c, "回款金额必须大于零", "must be more than zero"));
        return c->err;
    }
    GxErr rc = payment_targets(c, in);
    if (rc)
        return rc;
    if (!mn_int(in, "order_id") && !mn_int(in, "contract_id") && !json_is_true(json_object_get(in, "prepayment"))) {
        ctx_field(c, "order_id", "%s",
                  mn_msg(c, "请选择订单或合同；没有订单的预收款请勾选“允许预收”",
                         "choose the order or contract paid; money on account needs \"prepayment\": true"));
        return c->err;
    }
    if (!json_object_get(in, "handler_id") && c->who)
        json_object_set_new(in, "handler_id", json_integer(c->who->user_id));
    return GX_OK;
}

/* Inside the transaction: the part of payment `id` (amount) above what its
 * order and contract still owe. Fails with 422 when there is such a part and
 * prepayment is not allowed. */
static GxErr payment_excess(Ctx *c, int64_t id, json_t *rec, bool allow_prepayment, int64_t *excess)
{
    int64_t amount = mn_int(rec, "amount");
    *excess = 0;
    const char *fields[] = {"order_id", "contract_id"}, *ents[] = {"orders", "contracts"};
    bool any = false;
    for (int i = 0; i < 2; i++) {
        int64_t did = mn_int(rec, fields[i]);
        if (!did)
            continue;
        any = true;
        MnDoc d;
        int64_t received;
        GxErr rc;
        if ((rc = mn_doc_load(c, meta_entity(ents[i]), did, true, &d)) || (rc = mn_received(c, &d, id, &received)))
            return rc;
        int64_t owed = mn_payable(&d) - received;
        if (owed < 0)
            owed = 0;
        if (amount - owed > *excess)
            *excess = amount - owed;
        if (amount > owed && !allow_prepayment) {
            ctx_field(c, "amount", "%s",
                      arena_printf(c->arena, "%s %s%s", mn_msg(c, "超过未回款金额", "is more than what is still owed:"),
                                   mn_yuan(c, owed),
                                   mn_msg(c, "(多出部分作为预收款请发送 prepayment: true)",
                                          " (send \"prepayment\": true to keep the rest as a prepayment)")));
            return c->err;
        }
    }
    if (!any)
        *excess = amount; /* all of it is on account */
    return GX_OK;
}

/* Refresh the plans (and a contract's figures) of the documents of a payment. */
static GxErr refresh_docs_of(Ctx *c, json_t *rec)
{
    const char *fields[] = {"order_id", "contract_id"}, *ents[] = {"orders", "contracts"};
    for (int i = 0; i < 2; i++) {
        int64_t did = mn_int(rec, fields[i]);
        if (!did)
            continue;
        MnDoc d;
        GxErr rc;
        if ((rc = mn_doc_load(c, meta_entity(ents[i]), did, false, &d)) || (rc = mn_doc_refresh(c, &d))) {
            if (rc != GX_ENOTFOUND)
                return rc;
            ctx_clear(c); /* the order or contract is in the trash: nothing to refresh (its 404 is not ours) */
        }
    }
    return GX_OK;
}

static GxErr store_excess(Ctx *c, int64_t id, json_t *rec, bool allow)
{
    int64_t excess;
    GxErr rc = payment_excess(c, id, rec, allow, &excess);
    if (rc)
        return rc;
    DbVal p[] = {dbv_int(excess), dbv_int(id)};
    if (db_exec(c->db, "UPDATE payments SET prepayment_amount = $1 WHERE id = $2", p, 2) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot store the payment");
    json_object_set_new(rec, "prepayment_amount", json_integer(excess));
    return refresh_docs_of(c, rec);
}

static GxErr payments_after_create(Ctx *c, HookArgs *a)
{
    return store_excess(c, a->id, a->result, json_is_true(json_object_get(a->result, "prepayment")));
}

static GxErr payments_before_update(Ctx *c, HookArgs *a)
{
    for (int i = 0; fixed_payment_fields[i]; i++) {
        json_t *v = json_object_get(a->input, fixed_payment_fields[i]);
        if (v && !json_equal(v, json_object_get(a->old, fixed_payment_fields[i])))
            ctx_field(c, fixed_payment_fields[i], "%s",
                      mn_msg(c, "回款登记后不能修改此项；请删除后重新登记",
                             "cannot change on a recorded payment; delete it and record it again"));
    }
    if (c->err) {
        c->err = GX_ECONFLICT;
        c->err_code = "conflict";
        c->err_msg = mn_msg(c, "回款的金额和关联单据不能修改", "The amount and links of a recorded payment cannot change");
    }
    return c->err;
}

static GxErr payments_after_delete(Ctx *c, HookArgs *a) { return refresh_docs_of(c, a->old); }

/* Restoring a payment from the trash checks the amounts again. */
static GxErr payments_after_restore(Ctx *c, HookArgs *a)
{
    GxErr rc = store_excess(c, a->id, a->old, json_is_true(json_object_get(a->old, "prepayment")));
    if (rc == GX_EINVALID)
        c->err = GX_ECONFLICT;
    return rc;
}

/* ---------- payment plans ---------- */

/* The plan's document (exactly one of order_id, contract_id), visible. */
static GxErr plan_doc(Ctx *c, json_t *vals, MnDoc *d)
{
    int64_t oid = mn_int(vals, "order_id"), kid = mn_int(vals, "contract_id");
    if ((oid != 0) == (kid != 0)) {
        ctx_field(c, oid ? "contract_id" : "order_id", "%s",
                  mn_msg(c, "回款计划属于一个订单或一个合同(二选一)",
                         "a plan belongs to one order or one contract (give exactly one)"));
        return c->err;
    }
    return oid ? mn_doc_visible(c, meta_entity("orders"), oid, "order_id", d)
               : mn_doc_visible(c, meta_entity("contracts"), kid, "contract_id", d);
}

static GxErr plans_before_create(Ctx *c, HookArgs *a)
{
    MnDoc d;
    GxErr rc = plan_doc(c, a->input, &d);
    if (rc)
        return rc;
    json_t *amt = json_object_get(a->input, "amount");
    if (json_is_integer(amt) && json_integer_value(amt) <= 0) {
        ctx_field(c, "amount", "%s", mn_msg(c, "计划金额必须大于零", "must be more than zero"));
        return c->err;
    }
    return GX_OK;
}

/* Inside the transaction: the plans of the document fit in its total; the
 * plan takes the document's customer and owner. */
static GxErr plan_fits(Ctx *c, int64_t id, json_t *rec, bool adopt_owner)
{
    MnDoc d;
    int64_t oid = mn_int(rec, "order_id");
    GxErr rc = mn_doc_load(c, meta_entity(oid ? "orders" : "contracts"), oid ? oid : mn_int(rec, "contract_id"), true, &d);
    int64_t others;
    if (rc || (rc = mn_planned(c, &d, id, &others)))
        return rc;
    int64_t amount = mn_int(rec, "amount");
    if (others + amount > d.total) {
        ctx_field(c, "amount", "%s",
                  arena_printf(c->arena, "%s %s + %s > %s", mn_msg(c, "回款计划合计超过了单据金额:", "the plans would exceed the total:"),
                               mn_yuan(c, others), mn_yuan(c, amount), mn_yuan(c, d.total)));
        return c->err;
    }
    DbVal p[] = {d.customer_id ? dbv_int(d.customer_id) : dbv_null(), dbv_int(id)};
    if (db_exec(c->db, "UPDATE payment_plans SET customer_id = $1 WHERE id = $2", p, 2) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot store the plan");
    json_object_set_new(rec, "customer_id", d.customer_id ? json_integer(d.customer_id) : json_null());
    if (adopt_owner && d.owner_id) {
        DbVal q[] = {dbv_int(d.owner_id), d.department_id ? dbv_int(d.department_id) : dbv_null(), dbv_int(id)};
        if (db_exec(c->db, "UPDATE payment_plans SET owner_id = $1, department_id = $2 WHERE id = $3", q, 3) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot store the plan");
        json_object_set_new(rec, "owner_id", json_integer(d.owner_id));
    }
    if ((rc = mn_doc_refresh(c, &d)))
        return rc;
    /* paid_amount/status as settled just now */
    DbVal p2[] = {dbv_int(id)};
    DbRes *r;
    if (db_query(c->db, "SELECT paid_amount, status FROM payment_plans WHERE id = $1", p2, 1, &r) == DB_OK) {
        if (db_next(r) == 1) {
            json_object_set_new(rec, "paid_amount", json_integer(db_int(r, 0)));
            json_object_set_new(rec, "status", json_string(db_text(r, 1)));
        }
        db_done(r);
    }
    return GX_OK;
}

static GxErr plans_after_create(Ctx *c, HookArgs *a) { return plan_fits(c, a->id, a->result, true); }

static GxErr plans_before_update(Ctx *c, HookArgs *a)
{
    static const char *fixed[] = {"order_id", "contract_id", NULL};
    for (int i = 0; fixed[i]; i++) {
        json_t *v = json_object_get(a->input, fixed[i]);
        if (v && !json_equal(v, json_object_get(a->old, fixed[i]))) {
            ctx_field(c, fixed[i], "%s", mn_msg(c, "不能改到另一张单据；请新建计划", "cannot move to another document; create a new plan"));
            return c->err;
        }
    }
    json_t *amt = json_object_get(a->input, "amount");
    if (json_is_integer(amt) && json_integer_value(amt) <= 0) {
        ctx_field(c, "amount", "%s", mn_msg(c, "计划金额必须大于零", "must be more than zero"));
        return c->err;
    }
    return GX_OK;
}

static GxErr plans_after_update(Ctx *c, HookArgs *a) { return plan_fits(c, a->id, a->result, false); }

static GxErr plans_after_delete(Ctx *c, HookArgs *a) { return refresh_docs_of(c, a->old); }

static GxErr plans_after_restore(Ctx *c, HookArgs *a)
{
    GxErr rc = plan_fits(c, a->id, a->old, false);
    if (rc == GX_EINVALID)
        c->err = GX_ECONFLICT;
    return rc;
}

/* ---------- figures computed on read ---------- */

/* Customers with money documents (customer_docs). Adding up a customer's
 * figures takes seven subqueries, each opening a cursor on its table: a
 * third of a GET of a customer's instructions, and most customers of a CRM
 * have no order, contract, return, payment, invoice or payment plan. The
 * table holds the id of every customer that has (or had) one of them, kept
 * by triggers on those tables' inserts and customer_id updates (so every
 * path — the record engine, imports, merges — keeps it); a customer not
 * in it has every figure 0 without the figures' statement. A row is never removed: one that is
 * stale only means the figures are added up (and are 0). */
static const char *const money_docs[] = {"orders", "contracts", "returns", "payments", "invoices", "payment_plans",
                                         NULL};

/* Migration 9: the table, its triggers, and the customers of existing documents. */
static GxErr customer_docs_step_9(Ctx *c, bool fresh)
{
    bool pg = db_dialect(c->db) == DB_PG;
    if (db_exec(c->db, pg ? "CREATE TABLE customer_docs (customer_id BIGINT PRIMARY KEY)"
                          : "CREATE TABLE customer_docs (customer_id INTEGER PRIMARY KEY)",
                NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot create customer_docs: %s", db_errmsg(c->db));
    if (pg && db_exec(c->db,
                      "CREATE FUNCTION customer_docs_add() RETURNS trigger LANGUAGE plpgsql AS"
                      " 'BEGIN IF NEW.customer_id IS NOT NULL THEN"
                      " INSERT INTO customer_docs(customer_id) VALUES (NEW.customer_id) ON CONFLICT DO NOTHING;"
                      " END IF; RETURN NULL; END'",
                      NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot create customer_docs_add: %s", db_errmsg(c->db));
    for (int i = 0; money_docs[i]; i++) {
        const Entity *e = meta_entity(money_docs[i]);
        if (!e || !meta_field(e, "customer_id"))
            continue;
        const char *t = e->table;
        const char *sql[3];
        if (pg) {
            sql[0] = arena_printf(c->arena, /* sql-ok: table name from metadata */
                                  "CREATE TRIGGER %s_customer_docs AFTER INSERT OR UPDATE OF customer_id ON %s"
                                  " FOR EACH ROW EXECUTE FUNCTION customer_docs_add()",
                                  t, t);
            sql[1] = NULL;
        } else {
            sql[0] = arena_printf(c->arena, /* sql-ok: table name from metadata */
                                  "CREATE TRIGGER %s_customer_docs_i AFTER INSERT ON %s WHEN new.customer_id IS NOT NULL"
                                  " BEGIN INSERT OR IGNORE INTO customer_docs(customer_id) VALUES (new.customer_id); END",
                                  t, t);
            sql[1] = arena_printf(c->arena, /* sql-ok: table name from metadata */
                                  "CREATE TRIGGER %s_customer_docs_u AFTER UPDATE OF customer_id ON %s"
                                  " WHEN new.customer_id IS NOT NULL BEGIN"
                                  " INSERT OR IGNORE INTO customer_docs(customer_id) VALUES (new.customer_id); END",
                                  t, t);
        }
        sql[2] = fresh ? NULL
                       : arena_printf(c->arena, /* sql-ok: table name from metadata */
                                      "INSERT INTO customer_docs(customer_id) SELECT DISTINCT customer_id FROM %s"
                                      " WHERE customer_id IS NOT NULL ON CONFLICT DO NOTHING",
                                      t);
        for (int k = 0; k < 3; k++)
            if (sql[k] && db_exec(c->db, sql[k], NULL, 0) != DB_OK)
                return ctx_fail(c, GX_EDB, "cannot keep customer_docs from %s: %s", t, db_errmsg(c->db));
    }
    return GX_OK;
}

/* Append ", (SELECT coalesce(sum(expr), 0) FROM <entity> WHERE deleted_at IS
 * NULL AND customer_id = <id><extra> <read scope>)" to q, or ", 0" when the
 * entity does not exist (a module not built) or lacks the field. */
static void scoped_sum(Ctx *c, Sql *q, const char *entity, const char *expr, const char *extra, int64_t id)
{
    const Entity *e = meta_entity(entity);
    if (!e) {
        sql_raw(q, ", 0");
        return;
    }
    /* pieces rather than a printf: this runs six times on every GET of a customer */
    sql_raw(q, ", (SELECT coalesce(sum(");
    sql_raw(q, expr); /* sql-ok: a literal expression */
    sql_raw(q, "), 0) FROM ");
    sql_raw(q, e->table); /* sql-ok: table name from metadata */
    sql_raw(q, " WHERE deleted_at IS NULL AND customer_id = ");
    sql_param(q, dbv_int(id));
    sql_raw(q, extra);
    acl_scope_predicate(c, e, ACT_READ, q);
    sql_raw(q, ")");
}

/* The six figures into out. */
static void money_json(json_t *out, const int64_t v[8])
{
    int64_t orders = v[1], contracts = v[2], returns = v[3], received = v[4], prepaid = v[5], invoiced = v[6],
            overdue = v[7];
    int64_t receivable = orders + contracts - returns;
    json_object_set_new(out, "receivable_total", json_integer(receivable));
    json_object_set_new(out, "received_total", json_integer(received));
    json_object_set_new(out, "balance_due", json_integer(receivable - received));
    json_object_set_new(out, "prepayment_total", json_integer(prepaid));
    json_object_set_new(out, "invoiced_total", json_integer(invoiced));
    json_object_set_new(out, "overdue_amount", json_integer(overdue));
}

GxErr sales_customer_money(Ctx *c, int64_t customer_id, json_t *out)
{
    int64_t v[8] = {0};
    /* Most customers have no documents: one short statement says so before
     * the long one is written (its text, ~1 KB, is also hashed to find it in
     * the statement cache). */
    int64_t one;
    bool found;
    DbVal id = dbv_int(customer_id);
    if (db_query_int(c->db, "SELECT 1 FROM customer_docs WHERE customer_id = $1", &id, 1, &one, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot add up the customer's money: %s", db_errmsg(c->db));
    if (!found) {
        money_json(out, v);
        return GX_OK;
    }
    const Entity *re = meta_entity("returns");
    bool has_returns = re && meta_field(re, "credit_amount") && meta_field(re, "customer_id");
    /* One statement: a subquery per figure, each under its entity's read scope. */
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT 0");
    scoped_sum(c, &q, "orders", "total", MN_RECEIVABLE_ORDERS_EQ, customer_id);
    scoped_sum(c, &q, "contracts", "amount", MN_RECEIVABLE_CONTRACTS_EQ, customer_id);
    if (has_returns)
        scoped_sum(c, &q, "returns", "credit_amount", "", customer_id);
    else
        sql_raw(&q, ", 0");
    scoped_sum(c, &q, "payments", "amount", "", customer_id);
    scoped_sum(c, &q, "payments", "prepayment_amount", "", customer_id);
    scoped_sum(c, &q, "invoices", "total", " AND status = 'issued'", customer_id);
    sql_raw(&q, ", (SELECT coalesce(sum(amount - paid_amount), 0) FROM payment_plans WHERE deleted_at IS NULL"
                " AND customer_id = ");
    sql_param(&q, dbv_int(customer_id));
    sql_raw(&q, " AND status <> 'paid' AND due_on < ");
    sql_param(&q, dbv_text(mn_today(c)));
    acl_scope_predicate(c, meta_entity("payment_plans"), ACT_READ, &q);
    sql_raw(&q, ")");
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot add up the customer's money: %s", db_errmsg(c->db));
    int s = db_next(r);
    for (int i = 1; s == 1 && i < 8; i++)
        v[i] = db_isnull(r, i) ? 0 : db_int(r, i);
    db_done(r);
    if (s != 1)
        return ctx_fail(c, GX_EDB, "cannot add up the customer's money");
    money_json(out, v);
    return GX_OK;
}

GxErr sales_doc_money(Ctx *c, const char *entity, int64_t id, json_t *out)
{
    MnDoc d;
    GxErr rc = mn_doc_load(c, meta_entity(entity), id, false, &d);
    int64_t received, invoiced, planned, overdue;
    if (rc || (rc = mn_received(c, &d, 0, &received)) || (rc = mn_invoiced(c, &d, 0, &invoiced)) ||
        (rc = mn_planned(c, &d, 0, &planned)))
        return rc;
    const char *sql = arena_printf(c->arena,
                                   "SELECT coalesce(sum(amount - paid_amount), 0) FROM payment_plans WHERE %s = $1 AND "
                                   "deleted_at IS NULL AND status <> 'paid' AND due_on < $2",
                                   !strcmp(entity, "orders") ? "order_id" : "contract_id"); /* sql-ok: literal names */
    DbVal p[] = {dbv_int(id), dbv_text(mn_today(c))};
    bool found;
    if (db_query_int(c->db, sql, p, 2, &overdue, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot add up the payment plans");
    json_object_set_new(out, "received_amount", json_integer(received));
    json_object_set_new(out, "invoiced_amount", json_integer(invoiced));
    json_object_set_new(out, "returned_amount", json_integer(d.returned));
    json_object_set_new(out, "outstanding_amount", json_integer(mn_payable(&d) - received));
    json_object_set_new(out, "uninvoiced_amount", json_integer(d.total - invoiced));
    json_object_set_new(out, "plans_total", json_integer(planned));
    json_object_set_new(out, "overdue_amount", json_integer(overdue));
    return GX_OK;
}

/* GET /customers/{id} carries the balance when the reader may read payments. */
static GxErr customers_after_read(Ctx *c, HookArgs *a)
{
    const Entity *pe = meta_entity("payments");
    if (!c->who || !pe || acl_scope(c, pe, ACT_READ) == SCOPE_NONE)
        return GX_OK;
    return sales_customer_money(c, a->id, a->result);
}

static GxErr orders_after_read(Ctx *c, HookArgs *a)
{
    const Entity *pe = meta_entity("payments");
    if (!c->who || !pe || acl_scope(c, pe, ACT_READ) == SCOPE_NONE)
        return GX_OK;
    return sales_doc_money(c, "orders", a->id, a->result);
}

/* ---------- reminders ---------- */

/* payment_overdue: my plans due before today and not fully paid. */
static GxErr overdue_reminders(Ctx *c, json_t *out)
{
    const Entity *e = meta_entity("payment_plans");
    if (!c->who || acl_scope(c, e, ACT_READ) == SCOPE_NONE)
        return GX_OK;
    const char *today = mn_today(c);
    DbVal p[] = {dbv_int(c->who->user_id), dbv_text(today)};
    DbRes *r;
    if (db_query(c->db,
                 "SELECT p.id, p.title, p.due_on, p.amount - p.paid_amount, p.order_id, p.contract_id, p.customer_id,"
                 " cu.name FROM payment_plans p LEFT JOIN customers cu ON cu.id = p.customer_id"
                 " WHERE p.owner_id = $1 AND p.deleted_at IS NULL AND p.status <> 'paid' AND p.due_on < $2"
                 " ORDER BY p.due_on, p.id LIMIT 100",
                 p, 2, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the payment plans: %s", db_errmsg(c->db));
    int64_t today_day = clock_local_day(clock_now_s());
    while (db_next(r) == 1) {
        const char *due = db_text(r, 2);
        int y, m, d;
        int64_t days = 0;
        if (due && time_parse_date(due, &y, &m, &d))
            days = today_day - time_days_from_civil(y, m, d);
        const char *cust = db_text(r, 7);
        const char *title = arena_printf(c->arena, "%s%s%s", cust ? cust : "", cust && db_text(r, 1) ? " · " : "",
                                         db_text(r, 1) ? db_text(r, 1) : "");
        json_t *it = json_pack("{s:s, s:s, s:I, s:s, s:s, s:{s:I, s:I}}", "kind", "payment_overdue", "entity",
                               "payment_plans", "id", (json_int_t)db_int(r, 0), "title", title, "date", due ? due : "",
                               "detail", "amount_due", (json_int_t)db_int(r, 3), "days_overdue", (json_int_t)days);
        json_t *det = json_object_get(it, "detail");
        if (!db_isnull(r, 4))
            json_object_set_new(det, "order_id", json_integer(db_int(r, 4)));
        if (!db_isnull(r, 5))
            json_object_set_new(det, "contract_id", json_integer(db_int(r, 5)));
        if (!db_isnull(r, 6))
            json_object_set_new(det, "customer_id", json_integer(db_int(r, 6)));
        json_array_append_new(out, it);
    }
    db_done(r);
    return GX_OK;
}

void mn_payments_init(void)
{
    record_hook_add("payments", HOOK_BEFORE_CREATE, payments_before_create);
    record_hook_add("payments", HOOK_AFTER_CREATE, payments_after_create);
    record_hook_add("payments", HOOK_BEFORE_UPDATE, payments_before_update);
    record_hook_add("payments", HOOK_AFTER_DELETE, payments_after_delete);
    record_hook_add("payments", HOOK_AFTER_RESTORE, payments_after_restore);
    record_hook_add("payment_plans", HOOK_BEFORE_CREATE, plans_before_create);
    record_hook_add("payment_plans", HOOK_AFTER_CREATE, plans_after_create);
    record_hook_add("payment_plans", HOOK_BEFORE_UPDATE, plans_before_update);
    record_hook_add("payment_plans", HOOK_AFTER_UPDATE, plans_after_update);
    record_hook_add("payment_plans", HOOK_AFTER_DELETE, plans_after_delete);
    record_hook_add("payment_plans", HOOK_AFTER_RESTORE, plans_after_restore);
    record_hook_add("customers", HOOK_AFTER_READ, customers_after_read);
    record_hook_add("orders", HOOK_AFTER_READ, orders_after_read);
    reminders_source_add(overdue_reminders);
    ddl_step_add(9, "customers: which have money documents (customer_docs)", customer_docs_step_9);
}
