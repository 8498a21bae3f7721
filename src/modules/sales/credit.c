/* credit.c — customers' credit limits (信用额度): who may set them (the
 * built-in sales rep role reads them only: a field rule), and
 * (with the orders of sales) the check that sends an order over the limit
 * to a manager for approval. Module registration of the "credit" area
 * (approvals, credit limit, deliveries, returns, quote PDF). */
#include <stdint.h>
#include <string.h>

#include "../../base/log.h"
#include "../../acl/acl.h"
#include "../../record/record.h"
#include "../modules.h"
#include "approvals.h"
#include "sales.h"

/* Migration 4: on an existing database the built-in sales rep role learns
 * that credit limits are not theirs to set (a new database gets the rule
 * with the role, setup.c). An administrator's own rule for the field is
 * kept. */
static GxErr rep_credit_limit_readonly(Ctx *c, bool fresh)
{
    if (fresh)
        return GX_OK;
    int64_t id = setup_role_id(c, "sales_rep");
    if (!id)
        return GX_OK;
    const Entity *roles = meta_entity("roles");
    json_t *cur = NULL;
    GxErr rc = record_get(c, roles, id, &cur);
    if (rc)
        return rc;
    json_t *rules = json_object_get(cur, "field_rules");
    rules = json_is_object(rules) ? json_deep_copy(rules) : json_object();
    json_t *cust = json_object_get(rules, "customers");
    if (!json_is_object(cust)) {
        cust = json_object();
        json_object_set_new(rules, "customers", cust);
    }
    if (json_object_get(cust, "credit_limit")) {
        json_decref(rules);
        json_decref(cur);
        return GX_OK;
    }
    json_object_set_new(cust, "credit_limit", json_string("readonly"));
    json_t *in = json_pack("{s:o, s:O}", "field_rules", rules, "version", json_object_get(cur, "version")), *out = NULL;
    rc = record_update(c, roles, id, in, &out);
    json_decref(in);
    json_decref(out);
    json_decref(cur);
    return rc;
}

/* ---------- the credit check of draft → approved ----------
 *
 * Exposure (敞口) of a customer when one of its draft orders is to be
 * approved, over ALL the customer's records (not the user's scope):
 *
 *   exposure = balance_due + this order's total
 *
 * where balance_due is the money area's figure (sales_customer_money):
 * Σ totals of the customer's approved, delivered, invoiced and closed
 * orders + active contracts without an order − credit of returns −
 * everything received. A customer with a credit_limit (null: no limit)
 * whose exposure would exceed it needs an approved "credit_limit" approval
 * of this order for at least its current total; without one the transition
 * is refused (409 credit_limit_exceeded) and a request goes to the
 * requester's manager. The request is written after the refused
 * transaction has rolled back (db_after_tx), so it survives the refusal. */

/* What the deferred request needs (request arena). */
typedef struct CreditRequest {
    Ctx *c;           /* the request's context (its error is the 409) */
    int64_t order_id; /* the order */
    int64_t total;    /* its total (the approval's amount) */
    const char *reason;
} CreditRequest;

static const char *cmsg(const Ctx *c, const char *zh, const char *en)
{
    return c->lang && !strcmp(c->lang, "en") ? en : zh;
}

/* After the refused transition rolled back: ask for the approval, and say
 * in the refusal's message who was asked. */
static void credit_request_after(void *arg)
{
    CreditRequest *q = arg;
    Ctx w = *q->c;
    w.err = GX_OK;
    w.err_code = NULL;
    w.err_msg = NULL;
    w.err_fields = NULL;
    int64_t id = 0;
    bool created = false;
    GxErr rc = approval_request(&w, "credit_limit", "orders", q->order_id, q->total, true, q->reason, &id, &created);
    if (rc) {
        log_error("credit limit: cannot request an approval for order %lld: %s", (long long)q->order_id,
                  w.err_msg ? w.err_msg : "?");
        json_decref(w.err_fields);
        return;
    }
    Approval a;
    if (approval_load(&w, id, &a) == GX_OK) {
        const char *who = cmsg(q->c, "系统管理员", "an administrator");
        if (a.approver_id) {
            char *name = NULL;
            DbVal p[] = {dbv_int(a.approver_id)};
            if (db_query_text(w.db, w.arena, "SELECT name FROM users WHERE id = $1", p, 1, &name) == DB_OK && name)
                who = name;
        }
        q->c->err_msg = arena_printf(q->c->arena, cmsg(q->c, "%s;已提交审批申请 #%lld,审批人:%s", "%s; approval request #%lld is waiting for %s"),
                                     q->c->err_msg ? q->c->err_msg : "", (long long)id, who);
    }
    json_decref(w.err_fields);
}

/* Money of fen as "¥1,234.56" in the arena. */
static const char *money(Ctx *c, int64_t fen)
{
    char t[64];
    sales_money_text(fen, t);
    return arena_strdup(c->arena, t);
}

static GxErr credit_check(Ctx *c, const SalesOrderTransition *t)
{
    /* the system itself (CLI, demo data, jobs) is not asking anyone */
    if (!c->who || strcmp(t->from, "draft") || strcmp(t->to, "approved"))
        return GX_OK;
    int64_t cust = json_integer_value(json_object_get(t->order, "customer_id"));
    int64_t total = json_integer_value(json_object_get(t->order, "total"));
    DbVal p[] = {dbv_int(cust)};
    DbRes *r;
    if (db_query(c->db, "SELECT credit_limit, name FROM customers WHERE id = $1", p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the customer");
    bool has_limit = false;
    int64_t limit = 0;
    const char *name = "";
    if (db_next(r) == 1 && !db_isnull(r, 0)) {
        has_limit = true;
        limit = db_int(r, 0);
        name = arena_strdup(c->arena, db_text(r, 1) ? db_text(r, 1) : "");
    }
    db_done(r);
    if (!has_limit)
        return GX_OK;
    /* the customer's whole balance, whoever may see which records */
    Ctx w = *c;
    w.elevated = true;
    w.err_fields = NULL;
    json_t *m = json_object();
    GxErr rc = sales_customer_money(&w, cust, m);
    int64_t due = json_integer_value(json_object_get(m, "balance_due"));
    json_decref(m);
    if (rc) {
        c->err = w.err;
        c->err_msg = w.err_msg;
        c->err_code = w.err_code;
        json_decref(w.err_fields);
        return rc;
    }
    int64_t exposure;
    if (__builtin_add_overflow(due, total, &exposure))
        exposure = INT64_MAX;
    if (exposure <= limit)
        return GX_OK;
    Approval a;
    bool found = false;
    if ((rc = approval_latest(c, "credit_limit", "orders", t->order_id, &a, &found)))
        return rc;
    if (found && !strcmp(a.status, "approved") && a.has_amount && a.amount >= total)
        return GX_OK;
    const char *reason =
        arena_printf(c->arena, cmsg(c, "客户「%s」信用额度 %s,未结金额 %s,本订单 %s,合计 %s,超出 %s",
                                    "Customer %s: credit limit %s, open amount %s, this order %s, together %s, %s over"),
                     name, money(c, limit), money(c, due), money(c, total), money(c, exposure), money(c, exposure - limit));
    ctx_fail(c, GX_ECONFLICT, "%s%s%s", reason,
             found && !strcmp(a.status, "rejected") ? cmsg(c, ";上次申请被驳回:", "; the last request was rejected: ") : "",
             found && !strcmp(a.status, "rejected") ? (a.comment ? a.comment : "-") : "");
    c->err_code = "credit_limit_exceeded";
    CreditRequest *q = arena_alloc(c->arena, sizeof *q);
    *q = (CreditRequest){.c = c, .order_id = t->order_id, .total = total, .reason = reason};
    db_after_tx(c->db, credit_request_after, q);
    return GX_ECONFLICT;
}

/* A decision on a credit-limit request: an approval lets the order through
 * at once (draft → approved, in the decision's transaction; when that is
 * refused for another reason the order stays a draft and its owner tries
 * again). A rejection leaves the order as it is. */
static GxErr credit_decided(Ctx *c, const Approval *a)
{
    if (strcmp(a->status, "approved") || strcmp(a->target_type, "orders"))
        return GX_OK;
    char *status = NULL;
    DbVal p[] = {dbv_int(a->target_id)};
    if (db_query_text(c->db, c->arena, "SELECT status FROM orders WHERE id = $1 AND deleted_at IS NULL", p, 1,
                      &status) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the order");
    if (!status || strcmp(status, "draft"))
        return GX_OK;
    Ctx w = *c;
    w.elevated = true;
    w.err = GX_OK;
    w.err_code = NULL;
    w.err_msg = NULL;
    w.err_fields = NULL;
    json_t *out = NULL;
    if (sales_order_transition(&w, a->target_id, "approved", 0, &out))
        log_info("credit limit: order %lld stays a draft after approval %lld: %s", (long long)a->target_id,
                 (long long)a->id, w.err_msg ? w.err_msg : "?");
    json_decref(out);
    json_decref(w.err_fields);
    return GX_OK;
}

void sales_credit_module_init(void)
{
    approvals_module_init();
    sales_deliveries_init();
    ddl_step_add(4, "sales rep: customers' credit limits read-only", rep_credit_limit_readonly);
    sales_order_transition_hook_add(credit_check);
    approvals_on_decide("credit_limit", credit_decided);
}
