/* contracts.c — contracts (合同): approval, renewal reminders and the
 * money figures stored on them.
 *
 * Approval. The setting contracts.approval_above (fen; unset = off, see
 * GET/PATCH /api/v1/settings/contracts) makes a contract of a larger amount
 * wait for approval: when someone who is not an approver sets such a
 * contract "active" (on create or later, or raises the amount of an active
 * contract), it is stored as "pending_approval" instead, and the manager of
 * the owner's department is notified. An approver is an administrator or a
 * user whose role may edit contracts of a whole department (scope
 * department or wider — the built-in sales manager) and may edit this one:
 * their own "active" counts as approved. POST /contracts/{id}/approve
 * (approvers; 403 for others, 409 unless pending) activates it and records
 * approved_by/approved_at; /reject sends it back to draft. Payments can be
 * recorded only against active (or expired) contracts (payments.c: 409).
 *
 * The amount may not fall below the contract's payment plans (422).
 * received_amount, invoiced_amount and plans_total are kept by payments.c
 * and invoices.c (mn_doc_refresh).
 *
 * With the approvals module (approvals.h, helper "credit") the wait is an
 * approval request of kind "contract" for the contract, addressed to the
 * requester's department manager (or an administrator), who decides it on
 * the approvals page or through /approvals/{id}/approve|reject, or through
 * /contracts/{id}/approve|reject (which decide that request): the decision
 * sets the contract active (approved) or back to draft (rejected) in the
 * same transaction. A contract taken out of pending_approval otherwise
 * (edited back to draft, activated by an approver) withdraws its request.
 *
 * Renewal: the owner's reminders list each active contract whose end_on is
 * today or within its renewal_notice_days (kind contract_renewal).
 *
 * Expiry: the daily job contracts_expire (00:10, company zone) moves every
 * active contract whose end_on is before today to "expired" through the
 * record engine (system user: the status change is in the audit log and the
 * contract's history like any other). A contract ending today is still
 * active today. Run twice, it finds nothing left to do. */
#include <string.h>

#include "../../base/clock.h"
#include "../../base/log.h"
#include "../../base/util.h"
#include "../../jobs/jobs.h"
#include "../reminders.h"
#include "money.h"
#if __has_include("approvals.h")
/* helper "credit"'s generic approvals: a contract waiting for approval is an
 * approval request of kind "contract" (approvals.h) */
#include "approvals.h"
#define MN_APPROVALS 1
#endif

static const Entity *contracts(void) { return meta_entity("contracts"); }

/* May the acting user approve a contract owned by owner in department dept
 * (owner 0: one they are creating)? */
static bool approver(Ctx *c, int64_t owner, int64_t dept)
{
    if (!c->who || acl_is_admin(c))
        return true;
    const Entity *e = contracts();
    if (acl_scope(c, e, ACT_EDIT) < SCOPE_DEPT)
        return false;
    return owner ? acl_row_in_scope(c, e, ACT_EDIT, owner, dept) : true;
}

bool sales_contract_approver(Ctx *c, json_t *contract)
{
    return approver(c, mn_int(contract, "owner_id"), mn_int(contract, "department_id"));
}

/* Before create/update: a contract above the threshold set active by a
 * non-approver waits for approval instead. */
static void status_rule(Ctx *c, json_t *in, json_t *old)
{
    json_t *sv = json_object_get(in, "status");
    const char *old_status = old ? json_string_value(json_object_get(old, "status")) : NULL;
    const char *want = json_is_string(sv) ? json_string_value(sv) : old_status ? old_status : "draft";
    if (strcmp(want, "active"))
        return;
    json_t *av = json_object_get(in, "amount");
    int64_t amount = json_is_integer(av) ? json_integer_value(av) : mn_int(old, "amount");
    int64_t limit = mn_contract_threshold(c);
    if (limit < 0 || amount <= limit)
        return;
    if (old && old_status && !strcmp(old_status, "active") && amount <= mn_int(old, "amount"))
        return; /* approved before, not raised */
    if (approver(c, old ? mn_int(old, "owner_id") : 0, old ? mn_int(old, "department_id") : 0))
        return;
    json_object_set_new(in, "status", json_string("pending_approval"));
}

static GxErr contracts_before_create(Ctx *c, HookArgs *a)
{
    int64_t cust = mn_int(a->input, "customer_id");
    GxErr rc;
    if (cust && (rc = mn_customer_visible(c, cust)))
        return rc;
    int64_t oid = mn_int(a->input, "order_id");
    MnDoc o;
    if (oid && (rc = mn_doc_visible(c, meta_entity("orders"), oid, "order_id", &o)))
        return rc;
    if (oid && cust && o.customer_id != cust) {
        ctx_field(c, "order_id", "%s", mn_msg(c, "订单属于另一个客户", "belongs to another customer"));
        return c->err;
    }
    status_rule(c, a->input, NULL);
    return GX_OK;
}

static GxErr contracts_before_update(Ctx *c, HookArgs *a)
{
    json_t *cv = json_object_get(a->input, "customer_id");
    GxErr rc;
    if (json_is_integer(cv) && json_integer_value(cv) != mn_int(a->old, "customer_id") &&
        (rc = mn_customer_visible(c, json_integer_value(cv))))
        return rc;
    status_rule(c, a->input, a->old);
    return GX_OK;
}

#ifndef MN_APPROVALS
/* Tell the manager of the owner's department (or, without one, nobody: the
 * administrators see pending contracts in the list) that a contract waits. */
static GxErr notify_pending(Ctx *c, int64_t id, json_t *rec)
{
    int64_t dept = mn_int(rec, "department_id"), manager = 0;
    bool found = false;
    DbVal p[] = {dbv_int(dept)};
    if (dept && db_query_int(c->db, "SELECT manager_id FROM departments WHERE id = $1 AND deleted_at IS NULL", p, 1,
                             &manager, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the department");
    if (!found || !manager || (c->who && manager == c->who->user_id))
        return GX_OK;
    const char *name = json_string_value(json_object_get(rec, "name"));
    const char *title = arena_printf(c->arena, "合同「%s」金额 %s，待审批", name ? name : "", mn_yuan(c, mn_int(rec, "amount")));
    return notify_user(c, manager, "system", title, NULL, "contracts", id, NULL);
}
#endif

/* Inside the transaction: plans fit, approval recorded, approver told. */
static GxErr contract_after_write(Ctx *c, HookArgs *a)
{
    json_t *rec = a->result;
    const char *st = json_string_value(json_object_get(rec, "status"));
    const char *old_st = a->old ? json_string_value(json_object_get(a->old, "status")) : NULL;
    MnDoc d;
    GxErr rc;
    int64_t planned;
    if ((rc = mn_doc_load(c, contracts(), a->id, true, &d)) || (rc = mn_planned(c, &d, 0, &planned)))
        return rc;
    if (mn_int(rec, "amount") < planned) {
        ctx_field(c, "amount", "%s",
                  arena_printf(c->arena, "%s %s", mn_msg(c, "不能低于回款计划合计", "cannot be less than its payment plans:"),
                               mn_yuan(c, planned)));
        return c->err;
    }
    bool changed = !old_st || strcmp(old_st, st ? st : "");
    if (st && !strcmp(st, "active") && changed && mn_contract_threshold(c) >= 0 && c->who) {
        const char *now = record_now(c);
        DbVal p[] = {dbv_int(c->who->user_id), dbv_text(now), dbv_int(a->id)};
        if (db_exec(c->db, "UPDATE contracts SET approved_by = $1, approved_at = $2 WHERE id = $3", p, 3) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot record the approval");
        json_object_set_new(rec, "approved_by", json_integer(c->who->user_id));
        json_object_set_new(rec, "approved_at", json_string(now));
    }
#ifdef MN_APPROVALS
    if (st && !strcmp(st, "pending_approval") && changed) {
        const char *name = json_string_value(json_object_get(rec, "name"));
        const char *reason = arena_printf(c->arena, "合同「%s」金额 %s 超过审批线 %s", name ? name : "",
                                          mn_yuan(c, mn_int(rec, "amount")), mn_yuan(c, mn_contract_threshold(c)));
        int64_t aid;
        bool created;
        if ((rc = approval_request(c, "contract", "contracts", a->id, mn_int(rec, "amount"), true, reason, &aid, &created)))
            return rc;
    } else if (old_st && !strcmp(old_st, "pending_approval") && changed) {
        Approval ap;
        bool found;
        if ((rc = approval_latest(c, "contract", "contracts", a->id, &ap, &found)))
            return rc;
        if (found && !strcmp(ap.status, "pending")) {
            Ctx w = *c; /* withdrawn by the system: whoever took the contract out of the wait */
            w.who = NULL;
            if ((rc = approval_cancel(&w, ap.id))) {
                c->err = w.err, c->err_code = w.err_code, c->err_msg = w.err_msg;
                return rc;
            }
        }
    }
#else
    if (st && !strcmp(st, "pending_approval") && changed && (rc = notify_pending(c, a->id, rec)))
        return rc;
#endif
    return mn_doc_refresh(c, &d);
}

/* ---------- approve / reject ---------- */

GxErr sales_contract_decide(Ctx *c, int64_t id, bool approve, json_t **out)
{
    *out = NULL;
    json_t *cur;
    GxErr rc = record_get(c, contracts(), id, &cur);
    if (rc)
        return rc;
    if (!sales_contract_approver(c, cur)) {
        json_decref(cur);
        return ctx_fail(c, GX_EDENIED, "%s",
                        mn_msg(c, "只有部门经理或管理员可以审批合同", "Only a manager or an administrator may approve contracts"));
    }
    const char *st = json_string_value(json_object_get(cur, "status"));
    if (!st || strcmp(st, "pending_approval")) {
        rc = ctx_fail(c, GX_ECONFLICT, "%s %s", mn_msg(c, "合同不在待审批状态:", "The contract is not waiting for approval:"),
                      st ? st : "");
        json_decref(cur);
        return rc;
    }
#ifdef MN_APPROVALS
    Approval ap;
    bool found;
    if ((rc = approval_latest(c, "contract", "contracts", id, &ap, &found))) {
        json_decref(cur);
        return rc;
    }
    if (found && !strcmp(ap.status, "pending")) {
        json_decref(cur);
        if ((rc = approval_decide(c, ap.id, approve, NULL, NULL)))
            return rc;
        return record_get(c, contracts(), id, out);
    }
#endif
    json_t *in = json_pack("{s:s, s:O}", "status", approve ? "active" : "draft", "version", json_object_get(cur, "version"));
    rc = record_update(c, contracts(), id, in, out);
    json_decref(in);
    json_decref(cur);
    return rc;
}

#ifdef MN_APPROVALS
/* A decision on a contract's approval request (inside its transaction, c
 * elevated): approved → active, rejected → draft, unless the contract left
 * pending_approval meanwhile. */
static GxErr contract_approval_decided(Ctx *c, const Approval *ap)
{
    json_t *cur, *out = NULL;
    GxErr rc = record_get(c, contracts(), ap->target_id, &cur);
    if (rc)
        return rc == GX_ENOTFOUND ? (ctx_clear(c), GX_OK) : rc;
    const char *st = json_string_value(json_object_get(cur, "status"));
    if (st && !strcmp(st, "pending_approval")) {
        json_t *in = json_pack("{s:s, s:O}", "status", !strcmp(ap->status, "approved") ? "active" : "draft", "version",
                               json_object_get(cur, "version"));
        rc = record_update(c, contracts(), ap->target_id, in, &out);
        json_decref(in);
        json_decref(out);
    }
    json_decref(cur);
    return rc;
}
#endif

/* ---------- renewal reminders ---------- */

static GxErr renewal_reminders(Ctx *c, json_t *out)
{
    const Entity *e = contracts();
    if (!c->who || acl_scope(c, e, ACT_READ) == SCOPE_NONE)
        return GX_OK;
    int64_t today = clock_local_day(clock_now_s());
    char t0[64], t1[64];
    time_format_s(today * 86400, t0);
    time_format_s((today + 3650) * 86400, t1);
    t0[10] = t1[10] = 0;
    DbVal p[] = {dbv_int(c->who->user_id), dbv_text(t0), dbv_text(t1)};
    DbRes *r;
    if (db_query(c->db,
                 "SELECT id, name, end_on, renewal_notice_days, amount FROM contracts WHERE owner_id = $1 AND"
                 " deleted_at IS NULL AND status = 'active' AND end_on >= $2 AND end_on <= $3 ORDER BY end_on, id LIMIT 500",
                 p, 3, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the contracts: %s", db_errmsg(c->db));
    while (db_next(r) == 1) {
        int y, m, d;
        if (!db_text(r, 2) || !time_parse_date(db_text(r, 2), &y, &m, &d))
            continue;
        int64_t left = time_days_from_civil(y, m, d) - today;
        int64_t notice = db_isnull(r, 3) ? 30 : db_int(r, 3);
        if (left > notice)
            continue;
        json_array_append_new(out, json_pack("{s:s, s:s, s:I, s:s, s:s, s:{s:I, s:I}}", "kind", "contract_renewal",
                                             "entity", "contracts", "id", (json_int_t)db_int(r, 0), "title",
                                             db_text(r, 1) ? db_text(r, 1) : "", "date", db_text(r, 2), "detail",
                                             "days_left", (json_int_t)left, "amount",
                                             (json_int_t)(db_isnull(r, 4) ? 0 : db_int(r, 4))));
    }
    db_done(r);
    return GX_OK;
}

/* ---------- expiry ---------- */

/* Expire contract id (read at version): through record_update, so the
 * status change is audited and in the history. A version conflict (a user
 * saved the contract meanwhile) is not the end of it: the contract is read
 * again and, still active and past its end, expired on top of the user's
 * change (the job writes the status alone) — at most three tries. Returns
 * GX_OK with *done false when it no longer needs expiring. */
static GxErr expire_one(Ctx *c, const Entity *e, const char *today, int64_t id, int64_t version, bool *done)
{
    *done = false;
    for (int attempt = 0; attempt < 3; attempt++) {
        json_t *in = json_pack("{s:s, s:I}", "status", "expired", "version", (json_int_t)version), *out = NULL;
        GxErr rc = record_update(c, e, id, in, &out);
        json_decref(in);
        json_decref(out);
        if (rc != GX_ECONFLICT) {
            *done = rc == GX_OK;
            return rc;
        }
        ctx_clear(c);
        DbVal p[] = {dbv_int(id), dbv_text(today)};
        bool found = false;
        if (db_query_int(c->db,
                         "SELECT version FROM contracts WHERE id = $1 AND deleted_at IS NULL AND status = 'active'"
                         " AND end_on < $2",
                         p, 2, &version, &found) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read contract %lld: %s", (long long)id, db_errmsg(c->db));
        if (!found)
            return GX_OK; /* the user's change took it out of the job's hands */
    }
    return ctx_fail(c, GX_ECONFLICT, "changed meanwhile at each of three tries");
}

/* The job: active contracts past their end date become expired, in batches
 * of 200 (each contract in its own transaction, through record_update). The
 * day is the job's slot's (payload slot_s, jobs.h) — the worker's clock when
 * the job was queued without one. */
static GxErr expire_job(Ctx *c, json_t *payload)
{
    const Entity *e = contracts();
    json_t *slot = json_object_get(payload, "slot_s");
    const char *today = mn_today(c);
    if (json_is_integer(slot)) {
        char t[64];
        time_format_s(clock_local_day(json_integer_value(slot)) * 86400, t);
        today = arena_strndup(c->arena, t, 10);
    }
    int expired = 0;
    int64_t last = 0;
    for (;;) {
        int64_t ids[200], versions[200];
        int n = 0;
        DbVal p[] = {dbv_text(today), dbv_int(last)};
        DbRes *r;
        if (db_query(c->db,
                     "SELECT id, version FROM contracts WHERE deleted_at IS NULL AND status = 'active' AND end_on < $1"
                     " AND id > $2 ORDER BY id LIMIT 200",
                     p, 2, &r) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read the contracts: %s", db_errmsg(c->db));
        while (n < 200 && db_next(r) == 1) {
            ids[n] = db_int(r, 0);
            versions[n] = db_int(r, 1);
            n++;
        }
        db_done(r);
        for (int i = 0; i < n; i++) {
            bool done = false;
            GxErr rc = expire_one(c, e, today, ids[i], versions[i], &done);
            if (rc == GX_EDB)
                return rc;
            if (rc) {
                /* refused by a rule, or changed three times meanwhile: the
                 * others go on, the next run looks again */
                log_warn("contracts_expire: contract %lld: %s", (long long)ids[i], c->err_msg ? c->err_msg : "?");
                ctx_clear(c);
                continue;
            }
            expired += done;
        }
        if (n < 200)
            break;
        last = ids[n - 1];
    }
    if (expired)
        log_info("contracts_expire: %d contract(s) expired", expired);
    return GX_OK;
}

void mn_contracts_init(void)
{
    jobs_register("contracts_expire", expire_job);
    jobs_daily("contracts_expire", 0, 10);
    record_hook_add("contracts", HOOK_BEFORE_CREATE, contracts_before_create);
    record_hook_add("contracts", HOOK_BEFORE_UPDATE, contracts_before_update);
    record_hook_add("contracts", HOOK_AFTER_CREATE, contract_after_write);
    record_hook_add("contracts", HOOK_AFTER_UPDATE, contract_after_write);
    reminders_source_add(renewal_reminders);
#ifdef MN_APPROVALS
    approvals_on_decide("contract", contract_approval_decided);
#endif
}
