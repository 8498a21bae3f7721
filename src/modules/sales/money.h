/* money.h — what the money files of the sales module (contracts.c,
 * payments.c, invoices.c, money_settings.c, money_demo.c) share with each
 * other. Declarations other modules use are in sales.h. */
#ifndef GX_SALES_MONEY_H
#define GX_SALES_MONEY_H

#include "../../acl/acl.h"
#include "../../record/record.h"
#include "sales.h"

/* The message in the request's language. */
const char *mn_msg(const Ctx *c, const char *zh, const char *en);

/* "¥1,234.56" for messages (arena). */
const char *mn_yuan(Ctx *c, int64_t fen);

/* The document a payment, plan or invoice is for: an order or a contract. */
typedef struct MnDoc {
    const Entity *e;     /* orders or contracts */
    int64_t id;          /* its id */
    int64_t customer_id; /* its customer */
    int64_t owner_id;    /* its owner (0 if none) */
    int64_t department_id;
    const char *status;  /* its status */
    int64_t total;       /* order total or contract amount, fen */
    int64_t returned;    /* orders: Σ credit_amount of its returns (helper "credit"), else 0 */
} MnDoc;

/* What a document can still be paid: total − returned (never below 0 is
 * the caller's business). */
static inline int64_t mn_payable(const MnDoc *d) { return d->total - d->returned; }

/* Read order/contract id of entity e (no scope check). lock: inside a
 * transaction, lock the row against concurrent payments and invoices
 * (PostgreSQL FOR UPDATE; SQLite write transactions are serialised).
 * GX_ENOTFOUND when there is no live record. */
GxErr mn_doc_load(Ctx *c, const Entity *e, int64_t id, bool lock, MnDoc *d);

/* mn_doc_load plus the acting user's read scope: out of scope is
 * GX_ENOTFOUND naming the field (a 404, as for every record one may not see). */
GxErr mn_doc_visible(Ctx *c, const Entity *e, int64_t id, const char *field, MnDoc *d);

/* Is the customer live and readable by the acting user? 404 otherwise. */
GxErr mn_customer_visible(Ctx *c, int64_t id);

/* Money received on a document: Σ (amount − prepayment_amount) of its live
 * payments, leaving out payment `except` (0: none). */
GxErr mn_received(Ctx *c, const MnDoc *d, int64_t except, int64_t *out);

/* Money invoiced on a document: Σ total of its live issued invoices (red
 * ones negative), leaving out invoice `except`. */
GxErr mn_invoiced(Ctx *c, const MnDoc *d, int64_t except, int64_t *out);

/* Σ amount of the document's live payment plans, leaving out plan `except`. */
GxErr mn_planned(Ctx *c, const MnDoc *d, int64_t except, int64_t *out);

/* Inside a transaction: apply what the document received to its plans
 * (earliest due first: paid_amount, status) and, for a contract, store
 * received_amount, invoiced_amount and plans_total. */
GxErr mn_doc_refresh(Ctx *c, const MnDoc *d);

/* The integer value of a JSON member, or 0. */
int64_t mn_int(json_t *o, const char *key);

/* app_settings: read an integer (dflt when unset), write one (NULL: unset). */
int64_t mn_setting_int(Ctx *c, const char *key, int64_t dflt, bool *set);
GxErr mn_setting_put(Ctx *c, const char *key, const char *value);
const char *mn_setting_text(Ctx *c, const char *key);

/* Today in the company's zone, "YYYY-MM-DD" (arena). */
const char *mn_today(Ctx *c);

/* What a customer owes (payments.c's definition, shared with the
 * receivables report): orders in these statuses, contracts in these
 * statuses not tied to an order. SQL conditions on the entity's table. */
#define MN_RECEIVABLE_ORDERS " AND status IN ('approved', 'delivered', 'invoiced', 'closed', 'returned')"
#define MN_RECEIVABLE_CONTRACTS " AND status IN ('active', 'expired') AND order_id IS NULL"
/* The same sets for one customer's few rows (a GET of the customer), as
 * comparisons: SQLite builds an in-memory b-tree for an IN list of more
 * than two values, or for one searched through an index, on every run of
 * the statement — a third of the figures' cost (callgrind). coalesce()
 * keeps the contract statuses from becoming an IN searched on the
 * (customer_id, status) index; customer_id alone finds the rows. Keep in
 * step with the two above. */
#define MN_RECEIVABLE_ORDERS_EQ                                                                                        \
    " AND (status = 'approved' OR status = 'delivered' OR status = 'invoiced' OR status = 'closed' OR status = "         \
    "'returned')"
#define MN_RECEIVABLE_CONTRACTS_EQ " AND coalesce(status, '') IN ('active', 'expired') AND order_id IS NULL"

/* The contract approval threshold in fen; -1 when contracts need no approval. */
int64_t mn_contract_threshold(Ctx *c);

/* Registration of each file. */
void mn_contracts_init(void);
void mn_payments_init(void);
void mn_invoices_init(void);

#endif
