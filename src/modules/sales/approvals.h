/* approvals.h — generic approvals (审批): a record that needs someone's
 * consent (an order over the customer's credit limit, a contract above an
 * amount …) gets an approval request; the approver decides with a comment;
 * the module that asked reacts in the same transaction.
 *
 * The rows live in the `approvals` entity (schema/approvals.json): target
 * (target_type, target_id: the record), kind, reason, amount (fen), status
 * pending | approved | rejected | cancelled, requested_by, approver_id,
 * decided_at, decided_by, comment. Every field is read-only through the
 * generic API: only these functions write them. The row belongs to the
 * requester (owner_id), so reps see their own requests and managers those
 * of their department through the usual read scope.
 *
 * Who decides: the requester's department manager; when that department
 * has none (or it is the requester), the manager of the department above,
 * and so on; when nobody is found, approver_id stays empty and any
 * administrator decides. Administrators may always decide.
 *
 * How a module uses it (e.g. "money" for contracts):
 *
 *     approvals_on_decide("contract", contract_approval_decided);   // at start-up
 *     ...
 *     int64_t aid; bool created;
 *     approval_request(c, "contract", "contracts", id, amount, true, "合同金额超过 100 万", &aid, &created);
 *
 * and, to let something through, look at the latest request:
 *
 *     Approval a; bool found;
 *     approval_latest(c, "contract", "contracts", id, &a, &found);
 *     if (found && !strcmp(a.status, "approved")) …
 *
 * API: POST /api/v1/approvals/{id}/approve {"comment"} and …/reject
 * {"comment"} → 200 with the approval; only the approver or an
 * administrator (403 otherwise; 404 when the user cannot see the request at
 * all); deciding a request that is no longer pending → 409.
 * GET /api/v1/approvals/mine → {"data": [...]} the pending requests the
 * user may decide. The generic GET /api/v1/approvals lists them under the
 * user's read scope (filters target_type, target_id, kind, status …).
 * Page: /approvals (待审批), with approve/reject forms. */
#ifndef GX_SALES_APPROVALS_H
#define GX_SALES_APPROVALS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../base/ctx.h"

/* One approval request as stored (strings in the context's arena). */
typedef struct Approval {
    int64_t id;              /* approvals.id */
    const char *kind;        /* "credit_limit", "contract", "other" */
    const char *target_type; /* entity of the record, e.g. "orders" */
    int64_t target_id;       /* the record */
    const char *reason;      /* why it was asked, or NULL */
    int64_t amount;          /* fen, when has_amount */
    bool has_amount;         /* amount is set */
    const char *status;      /* "pending", "approved", "rejected", "cancelled" */
    int64_t requested_by;    /* user who asked (0: the system) */
    int64_t approver_id;     /* user who decides (0: any administrator) */
    int64_t decided_by;      /* user who decided (0 while pending) */
    const char *decided_at;  /* "…Z" or NULL */
    const char *comment;     /* the decision's comment, or NULL */
    int64_t owner_id, department_id; /* the requester and their department (scope) */
    const char *created_at;  /* when it was asked ("…Z") */
} Approval;

/* Called inside the decision's transaction, after the status is stored (a
 * is the request as decided: status "approved" or "rejected", comment set).
 * c is the decider's context, elevated. Returning non-GX_OK (reason in c)
 * rolls the decision back. */
typedef GxErr (*ApprovalDecidedFn)(Ctx *c, const Approval *a);

/* Register the reaction to decisions of one kind (at start-up, before
 * serving; one per kind). */
void approvals_on_decide(const char *kind, ApprovalDecidedFn fn);

/* Ask for an approval of kind about record (target_type, target_id) on
 * behalf of c->who: creates the pending request and notifies the approver
 * (or every active administrator) in-app, in the caller's transaction (or a
 * transaction of its own). When a request of that kind for that record is
 * already pending, it is reused (amount and reason updated, nobody notified
 * again): *created is false. *id is the request. The caller has checked the
 * user's access to the record. amount is ignored unless has_amount. */
GxErr approval_request(Ctx *c, const char *kind, const char *target_type, int64_t target_id, int64_t amount,
                       bool has_amount, const char *reason, int64_t *id, bool *created);

/* Decide request id as c->who: approve or reject with an optional comment
 * (at most 2000 characters). Runs the kind's ApprovalDecidedFn and notifies
 * the requester, all in one transaction. GX_ENOTFOUND when the user may not
 * see the request, GX_EDENIED when they may see it but are neither its
 * approver nor an administrator, GX_ECONFLICT when it is no longer pending,
 * GX_EINVALID for a bad comment. *out (may be NULL) is the stored request
 * as JSON. */
GxErr approval_decide(Ctx *c, int64_t id, bool approve, const char *comment, json_t **out);

/* Withdraw a pending request (its requester or an administrator; system
 * context: anyone), e.g. when the record it is about is cancelled. */
GxErr approval_cancel(Ctx *c, int64_t id);

/* The newest request of kind (any kind when NULL) for the record, whatever
 * its status; *found false when there is none. No scope check: the caller
 * has checked the record. */
GxErr approval_latest(Ctx *c, const char *kind, const char *target_type, int64_t target_id, Approval *out, bool *found);

/* Every request for the record, newest first, as JSON objects (the fields
 * of the entity plus requested_by_name, approver_name). No scope check: the
 * caller has checked the record. *rows is a new array. */
GxErr approvals_for_record(Ctx *c, const char *target_type, int64_t target_id, json_t **rows);

/* Requests c->who may decide, newest first: pending only, or with
 * pending_only false also those decided in the last 30 days. As JSON
 * objects like approvals_for_record, plus target_title. *rows new array. */
GxErr approvals_to_decide(Ctx *c, bool pending_only, json_t **rows);

/* May c->who decide a? (the approver, or an administrator) */
bool approval_may_decide(const Ctx *c, const Approval *a);

/* Read one request by id without a scope check; GX_ENOTFOUND if none. */
GxErr approval_load(Ctx *c, int64_t id, Approval *out);

/* Register the module (hooks refusing generic writes). Called by
 * sales_credit_module_init. */
void approvals_module_init(void);

#endif
