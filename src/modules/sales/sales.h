/* sales.h — what the sales modules (issue #6) share with each other and
 * with the rest of the program: products and opportunity stages, the
 * line-totals library, quotes and orders, approvals, payments and balances,
 * targets and customer value. Each area keeps its own file under
 * src/modules/sales/ and declares here only what other areas call. */
#ifndef GX_SALES_H
#define GX_SALES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../../base/buf.h"
#include "../../base/ctx.h"
#include "totals.h" /* line totals and the rounding rule (docs) */

/* ---------- money in words (rmb_words.c, helper "money") ---------- */

/* Bytes enough for rmb_words of any int64 amount (with the terminating NUL). */
#define RMB_WORDS_MAX 256

/* The amount fen (分) in Chinese capitals (人民币大写) as written on invoices
 * and cheques, into buf (size bytes, RMB_WORDS_MAX is always enough);
 * returns buf. Rules (中国人民银行《支付结算办法》附件一):
 *   digits 零壹贰叁肆伍陆柒捌玖, places 拾佰仟, groups 万 亿 万亿 亿亿;
 *   a whole amount ends in 整 (0 → 零元整, 100000000.00 → 壹亿元整), so
 *   does an amount with 角 and no 分 (1.50 → 壹元伍角整); one 零 stands for
 *   a run of zeros inside the number (1005.07 → 壹仟零伍元零柒分,
 *   100010000 → 壹亿零壹万元整) and for a zero 角 before the 分; the 零 of a
 *   zero 万 or 元 place before a non-zero 仟 or 角 is left out (the rules
 *   allow either); 10 is 壹拾元整 (never 拾元整); below one yuan there is no
 *   元 (0.07 → 柒分); negative amounts (red-letter invoices) start with 负. */
const char *rmb_words(int64_t fen, char *buf, size_t size);

/* ---------- contracts, invoices, payments (helper "money") ---------- */

/* Register the hooks, reminder sources and actions of contracts, payment
 * plans, payments and invoices (payments.c documents the figures). */
void sales_money_init(void);

/* Add a customer's money figures to out (the viewer's read scope applies to
 * every sum): receivable_total, received_total, balance_due,
 * prepayment_total, invoiced_total, overdue_amount (fen; payments.c defines
 * each). GET /customers/{id} carries them for users who may read payments. */
GxErr sales_customer_money(Ctx *c, int64_t customer_id, json_t *out);

/* Add an order's or contract's figures to out (all its payments and
 * invoices): received_amount, invoiced_amount, returned_amount (orders: the
 * credit of their returns), outstanding_amount (total − returned −
 * received), uninvoiced_amount, plans_total, overdue_amount. entity is
 * "orders" or "contracts". GET /orders/{id} carries them. */
GxErr sales_doc_money(Ctx *c, const char *entity, int64_t id, json_t *out);

/* The receivables report (应收账款, receivables.c): what each customer the
 * viewer may read owes — the same figures as sales_customer_money, for all
 * customers at once. */
typedef struct ReceivablesQuery {
    const char *sort;  /* balance_due (default), overdue_amount, receivable_total, received_total, customer_name */
    bool desc;         /* descending */
    bool overdue_only; /* only customers with an overdue amount */
    bool due_only;     /* only customers with a positive balance due */
    const char *q;     /* part of the customer's name, or NULL */
    int64_t limit;     /* rows (default 50; the export passes a large one) */
    int64_t offset;    /* rows skipped */
} ReceivablesQuery;
/* *out = {"data": [{customer_id, customer_name, receivable_total,
 * received_total, balance_due, overdue_amount}], "total": rows in all,
 * "totals": {the four sums over all rows}, "sort", "dir", "as_of": today}.
 * GX_EDENIED without read access to payments; GX_EINVALID for an unknown
 * sort (field "sort"). */
GxErr sales_receivables(Ctx *c, const ReceivablesQuery *q, json_t **out);
/* Is sort a key sales_receivables accepts? */
bool sales_receivables_sort_valid(const char *sort);
/* One customer: its figures (sales_customer_money) and the orders and
 * contracts behind them, each with sales_doc_money's figures ({id, number,
 * status, date, total, received_amount, outstanding_amount,
 * overdue_amount …}), newest first, at most 500 of each. 404 when the
 * customer is not readable. */
GxErr sales_receivable_customer(Ctx *c, int64_t customer_id, json_t **out);

/* May the acting user approve this contract (JSON record)? Administrators,
 * and users who may edit contracts of a whole department that holds it. */
bool sales_contract_approver(Ctx *c, json_t *contract);

/* Approve (→ active) or reject (→ draft) a contract waiting for approval:
 * 404 out of scope, 403 not an approver, 409 not pending. *out: the record. */
GxErr sales_contract_decide(Ctx *c, int64_t id, bool approve, json_t **out);

/* The company profile (seller on invoices): {name, tax_id, address_phone,
 * bank_account}; set: administrators only, 422 on a bad taxpayer ID. */
GxErr sales_company_get(Ctx *c, json_t **out);
GxErr sales_company_set(Ctx *c, json_t *in, json_t **out);

/* Contract settings {approval_above: fen or null (no approval)}. */
GxErr sales_contract_settings_get(Ctx *c, json_t **out);
GxErr sales_contract_settings_set(Ctx *c, json_t *in, json_t **out);

/* --- targets: territories, sales targets, customer value (helper "targets") --- */

/* Assignment rules (assignment.c): register the hooks that give new leads
 * and customers created without an owner_id, by the system or by a user who
 * may assign them, the owner named by the first matching active rule (in
 * the create's transaction; see assignment.c for the exact contract). */
void assignment_module_init(void);

/* Which rule would assign a new record of entity ("leads"|"customers") with
 * facts {region_id, industry_id, source_id} (ids or absent), and to whom
 * (for a round robin: the next user, without taking the turn). *out is
 * {"rule": {id, name, target} | null, "user": {id, name} | null}.
 * Administrators only (GX_EDENIED); bad facts are field errors (422). */
GxErr assignment_preview(Ctx *c, const char *entity, json_t *facts, json_t **out);

/* Swap assignment rule id with its neighbour above (up) or below among the
 * rules of its entity and renumber their priorities 10, 20 … (audited
 * record updates, one transaction). Administrators only; 404 for no rule. */
GxErr assignment_rule_move(Ctx *c, int64_t id, bool up);

/* Customer value (customer_value.c): purchases, RFM and the value pyramid.
 * Register the order hooks, the daily RFM job and the migration step. */
void customer_value_module_init(void);

/* Rewrite customer_id's total_purchases, purchase_count, last_purchase_on,
 * rfm_score and rfm_segment from its orders (inside the caller's
 * transaction). A purchase is an order approved or later, not cancelled or
 * returned, not deleted. With order_id and order_status, that order counts
 * as having order_status (an order transition about to be written). */
GxErr customer_value_refresh(Ctx *c, int64_t customer_id, int64_t order_id, const char *order_status);

/* Recompute the RFM cuts (quintiles of the purchasing customers) and every
 * customer's score and segment — with aggregates, first the purchases of
 * every customer from the orders. One transaction; administrators or the
 * system only. *out (may be NULL) is {"rescored": n}. */
GxErr customer_value_recompute(Ctx *c, bool aggregates, json_t **out);

/* The value pyramid of the customers the user may read: {customers,
 * purchasing, no_purchase, amount, tiers: [{tier: vip|key|ordinary|small,
 * count, amount, min_purchases, upto_pct}], segments: [{segment, label_zh,
 * label_en, count, amount}]} (see customer_value.c for the tiers). */
GxErr customer_value_report(Ctx *c, json_t **out);

/* Pure RFM scoring (unit-tested): the four quintile cuts of n values sorted
 * ascending (cut k = the value at index ceil(k·n/5) − 1; zeros when n is
 * 0); a score 1–5 where bigger values score higher (frequency, monetary);
 * a score 1–5 where fewer days score higher (recency); the segment code of
 * three scores (a score of 3 or more is "high"). */
void rfm_cuts(const int64_t *sorted, size_t n, int64_t cuts[4]);
int rfm_score_higher(const int64_t cuts[4], int64_t value);
int rfm_score_recency(const int64_t cuts[4], int64_t days);
const char *rfm_segment(int r, int f, int m);

/* Sales targets (targets.c): register the hooks that keep a target's owner
 * and department on its subject, check the user may set it, and allow one
 * live target per (month, scope, subject, basis). */
void targets_module_init(void);

/* Is month a month written YYYY-MM (1900-9999, 01-12)? */
bool targets_month_valid(const char *month);

/* Attainment of the targets of month (YYYY-MM) the user may read: *out is
 * {month, from, to, data: [{id, month, scope, basis, subject, user_id,
 * target_department_id, category_id, owner_id, department_id, target,
 * actual, pct, version}]} with target and actual in fen and pct the
 * percentage with one decimal (null for a zero target); departments first,
 * then people, then product lines. Actual sums run under the user's read
 * scope of orders/payments (see targets.c). 422 naming month when it is
 * missing or malformed. */
GxErr targets_report(Ctx *c, const char *month, json_t **out);

/* Demo data (targets_demo.c, called by demo_fill after the users, orders and
 * payments exist): this and last month's targets of every sales rep and
 * of their departments, two assignment rules (trade-show leads in
 * turns, 华东 customers to a rep) and the customers' value. */
GxErr targets_demo(Ctx *c);

/* ---------- quotes and orders (helper "docs": quotes.c, orders.c) ----------
 *
 * Quotes and orders are record-engine entities with a nested "lines" array
 * (stored in quote_lines / order_lines, returned on every read); their
 * subtotal, discount_total, tax_total and total are computed by totals.c.
 * Orders change status only through sales_order_transition. */

/* Register the hooks of quotes and orders (modules_init). */
void sales_docs_init(void);

/* A quote the user may read, with its lines (product code and unit added)
 * and the display names of its customer, contact and owner
 * ("customer_name", "contact_name", "owner_name") — what a printed quote or
 * its PDF shows. GX_ENOTFOUND outside the user's scope. New reference. */
GxErr sales_quote_load(Ctx *c, int64_t id, json_t **out);

/* Revise a quote the user may read: a new quote (revision + 1, previous_id =
 * id) with the same customer, terms and lines; the earlier one is kept as it
 * is. *out is the new quote. */
GxErr sales_quote_revise(Ctx *c, int64_t id, json_t **out);

/* Convert a quote the user may edit into a new draft order with the same
 * customer, tax rate and lines; the quote becomes accepted and remembers the
 * order (order_id). GX_ECONFLICT when the quote is rejected, expired (by
 * status or valid_until) or already converted. *order_id is the new order. */
GxErr sales_quote_convert(Ctx *c, int64_t id, int64_t *order_id);

/* Is the order status transition from → to allowed? draft → approved |
 * cancelled; approved → delivered | cancelled; delivered → invoiced |
 * returned; invoiced → closed | returned. */
bool sales_order_transition_allowed(const char *from, const char *to);

/* What a transition hook sees. */
typedef struct SalesOrderTransition {
    int64_t order_id; /* the order */
    const char *from; /* its status now */
    const char *to;   /* the status asked for */
    json_t *order;    /* the order as read (with lines; borrowed) */
} SalesOrderTransition;

/* Called inside the transition's transaction, before the status changes:
 * return non-GX_OK with the reason in c (e.g. ctx_fail(c, GX_ECONFLICT, …)
 * for "needs a manager's approval") to refuse it; everything rolls back. */
typedef GxErr (*SalesOrderTransitionHook)(Ctx *c, const SalesOrderTransition *t);

/* Register a transition hook at start-up (module init; not thread-safe). */
void sales_order_transition_hook_add(SalesOrderTransitionHook fn);

/* Move an order the user may edit to status `to` (one transaction: hooks,
 * status, audit, revision). version > 0 must equal the stored version.
 * GX_EINVALID for an unknown status, GX_ENOTFOUND outside the scope,
 * GX_ECONFLICT for an illegal transition (the message names from and to) or
 * a stale version. *out is the order after the change (with lines). With
 * c->elevated (module-internal, e.g. after an approval) the scope is not
 * checked. */
GxErr sales_order_transition(Ctx *c, int64_t id, const char *to, int64_t version, json_t **out);

/* Price lines without storing anything (a form's live totals): lines as in
 * the API, for customer_id (0: none; its type gives the default discount)
 * at tax_rate_pct (hundredths of a percent). *out is {"lines": [{"product_id",
 * "description", "quantity", "unit_price", "discount_pct", "line_total"}],
 * "subtotal", "discount_total", "tax_total", "total"} with the defaults
 * filled in; bad lines are field errors named lines[i].field, as on save. */
GxErr sales_lines_preview(Ctx *c, json_t *lines, int64_t customer_id, int64_t tax_rate_pct, json_t **out);

/* Numbering patterns of quotes and orders: {"quotes": pattern, "orders":
 * pattern}, the administrators' choice (app setting
 * number_pattern.<entity>.number, read by the record engine's auto_number)
 * or the schema's. Set: administrators only (GX_EDENIED); a pattern holds
 * one counter {000…} of 3 to 12 digits, optional {YYYY} {YY} {MM} {DD}
 * (the counter restarts when they change), other text of letters, digits
 * and - _ / . only, at most 40 characters; null restores the default. A
 * field error names the entity otherwise. */
GxErr sales_number_patterns_get(Ctx *c, json_t **out);
GxErr sales_number_patterns_set(Ctx *c, json_t *in, json_t **out);

/* Demo quotes and orders for the demo customers (docs_demo.c). */
GxErr sales_docs_demo(Ctx *c);
/* --- products and opportunity stages (opps.c, products.c; helper "opps") --- */

/* A product as a document line needs it. */
typedef struct SalesProduct {
    int64_t id;          /* products.id */
    const char *code;    /* product code (arena) */
    const char *name;    /* product name (arena) */
    const char *unit;    /* unit, "" if none (arena) */
    int64_t price;       /* list price, fen */
    int64_t category_id; /* 0 if none */
    bool active;         /* may go on new lines */
} SalesProduct;

/* Read a live product for a new document line. GX_OK with *out filled;
 * otherwise a field error on `field` (e.g. "lines[2].product_id") in c and
 * GX_EINVALID: "refers to no product" or "is an inactive product". Products
 * are readable by every sales role, so no scope applies. */
GxErr sales_product_for_line(Ctx *c, int64_t product_id, const char *field, SalesProduct *out);

/* What a stage decides on an opportunity. */
typedef enum SalesStageKind { STAGE_OPEN, STAGE_WON, STAGE_LOST } SalesStageKind;

typedef struct SalesStage {
    int64_t id;              /* opportunity_stages.id */
    const char *code;        /* stable code (arena) */
    int64_t probability_pct; /* 0..100 */
    SalesStageKind kind;     /* open, won or lost */
    bool active;             /* may be chosen */
} SalesStage;

/* Read a live stage by id; false when there is none. */
bool sales_stage_read(Ctx *c, int64_t id, SalesStage *out);

/* The stage of a new opportunity: the first active open stage by sort (0
 * if there is none). */
int64_t sales_default_stage(Ctx *c);

/* Demo data (opps_demo.c, called by demo_fill): product lines, categories
 * and products, competitors and their products, and an opportunity for
 * each of the first max_opportunities customers. System context. */
GxErr sales_opps_demo(Ctx *c, int max_opportunities);

/* --- the funnel and the weighted forecast (funnel.c) --- */

/* Filters of the funnel and the forecast; NULL/0 members do not filter. */
typedef struct SalesReportQuery {
    const char *from;      /* first day, YYYY-MM-DD (company zone): created (funnel) / expected close (forecast) */
    const char *to;        /* last day, inclusive */
    int64_t owner_id;      /* one owner */
    int64_t department_id; /* one department (its own rows, not the ones below) */
} SalesReportQuery;

/* The funnel of the opportunities created in the period that c->who may
 * read: {from, to, count, amount, win_rate_pct, stages: [{stage_id, name,
 * code, kind, probability_pct, count, amount, reached, conversion_pct}]}.
 * Bad dates: GX_EINVALID naming "from"/"to". New reference in *out. */
GxErr sales_funnel(Ctx *c, const SalesReportQuery *q, json_t **out);

/* The weighted forecast of open opportunities by expected close in the
 * period, grouped by "month" (YYYY-MM), "owner" or "department": {group,
 * from, to, count, amount, weighted, rows: [{key, name?, count, amount,
 * weighted}]}; weighted = Σ amount × probability_pct / 100, half up per
 * group. By month with from and to: every month of the period, empty ones
 * with zeros. Bad group or dates: GX_EINVALID naming the parameter. */
GxErr sales_forecast(Ctx *c, const SalesReportQuery *q, const char *group, json_t **out);

/* The funnel's arithmetic: given the counts of n stages in funnel order and
 * which of them are lost stages, reached[i] = count[i] + the counts of the
 * later non-lost stages (lost: its own count), conversion_pct[i] = reached of
 * the next non-lost stage / reached[i] in whole percent, half up (-1 for the
 * last non-lost stage, lost stages and reached 0). */
void sales_funnel_conversion(const int64_t *count, const bool *lost, int n, int64_t *reached, int *conversion_pct);

/* Σ amount × percent → fen: divide by 100, half up. */
int64_t sales_weighted(int64_t amount_times_pct);
/* --- credit (approvals, credit limit, deliveries, returns, quote PDF;
 * credit.c, approvals.c, deliveries.c, pdf.c, quote_pdf.c; helper "credit") --- */

/* Generic approval requests: see approvals.h. */
#include "approvals.h"

/* Register the credit area's hooks and actions (setup.c). */
void sales_credit_module_init(void);

/* A line of a printable sales document (pdf.c). Strings may be NULL. */
typedef struct SalesPdfLine {
    const char *name;        /* product name (or the line's description) */
    const char *description; /* smaller text under the name */
    const char *quantity;    /* as shown, e.g. "2.5" */
    const char *unit;        /* e.g. "台" */
    int64_t unit_price;      /* fen */
    const char *discount;    /* as shown, e.g. "10%" */
    int64_t line_total;      /* fen */
} SalesPdfLine;

/* A printable sales document: a quote (the renderer knows no more). */
typedef struct SalesPdfDoc {
    const char *lang;              /* "zh" or "en": labels */
    const char *title;             /* "报价单" */
    const char *number, *date, *valid_until; /* shown top right */
    const char *seller_name;       /* the company */
    const char *seller_lines[4];   /* address, phone, taxpayer id … */
    const char *customer_name;
    const char *customer_lines[4]; /* contact, address, phone … */
    const SalesPdfLine *lines;
    int nlines;
    int64_t subtotal, discount_total, tax_total, total; /* fen */
    const char *tax_rate;          /* as shown, e.g. "13%" */
    const char *total_words;       /* the total in Chinese capitals, or NULL */
    const char *notes;
} SalesPdfDoc;

/* Render d as an A4 PDF (cairo + pango, Noto Sans CJK) and append its bytes
 * to out. GX_EINTERNAL when cairo fails. */
GxErr sales_pdf_render(Ctx *c, const SalesPdfDoc *d, Buf *out);

/* Release cairo's and fontconfig's process-wide caches (at shutdown, when
 * no rendering is running: leak checkers see them otherwise). */
void sales_pdf_shutdown(void);

/* "¥1,234.56" (or "-¥…") of fen. */
void sales_money_text(int64_t fen, char out[64]);

/* The quote the user may read as an A4 PDF (quote_pdf.c), appended to out;
 * *filename (arena) is "<number>.pdf". GX_ENOTFOUND outside the scope. */
GxErr sales_quote_pdf(Ctx *c, int64_t id, Buf *out, const char **filename);

/* Deliveries (发货) and returns (退货) of an order's lines (deliveries.c):
 * record-engine entities "deliveries" and "returns" with nested "lines"
 * [{order_line_id, quantity}]; see schema/deliveries.json, returns.json.
 * A return's credit_amount (fen, tax included) lowers the customer's
 * balance. Register their hooks (sales_credit_module_init). */
void sales_deliveries_init(void);

/* Demo deliveries and returns of the demo's approved orders (credit_demo.c;
 * after sales_docs_demo). */
GxErr sales_credit_demo(Ctx *c);

/* The deliveries or returns (entity "deliveries" / "returns") of an order
 * the caller has read, oldest first, with their lines. *rows new array. */
GxErr sales_order_moves(Ctx *c, int64_t order_id, const char *entity, json_t **rows);

/* Demo contracts, plans, payments and invoices (money_demo.c), after the
 * demo's customers and orders; system context. */
GxErr sales_money_demo(Ctx *c);

#endif
