/* docs.h — what the sales document files (doclines.c, quotes.c, orders.c,
 * docs_demo.c) share among themselves: the two kinds of priced documents and
 * their lines. Other areas use sales.h. */
#ifndef GX_SALES_DOCS_H
#define GX_SALES_DOCS_H

#include "../../record/record.h"
#include "sales.h"

/* A kind of priced document: quotes or orders. */
typedef struct DocKind {
    const char *entity;      /* "quotes" / "orders" */
    const char *lines_table; /* "quote_lines" / "order_lines" */
    bool delivery;           /* lines carry delivered_qty and returned_qty (orders) */
} DocKind;

extern const DocKind sd_quotes, sd_orders;

/* One line as stored: what the user gave (defaults filled in) and the
 * computed amounts. */
typedef struct DocLine {
    int64_t product_id;      /* 0 for a line without a product */
    const char *description; /* arena text, never NULL */
    SalesLine s;             /* quantity, unit_price, discount_pct in; gross, discount, total out */
} DocLine;

/* The message in the context's language. */
const char *sd_msg(const Ctx *c, const char *zh, const char *en);

/* Read lines (the API's "lines" array) for a document of customer_id:
 * defaults filled in (unit price from the product, discount from the
 * customer type, description from the product name), every line checked
 * (product exists and is active unless allow_inactive, quantity > 0, price
 * >= 0, discount 0..100 %, decimals within scale). Errors are field errors
 * named "lines[i].field" (422). On success *out (arena) holds n lines. */
GxErr sd_lines_parse(Ctx *c, json_t *lines, int64_t customer_id, bool allow_inactive, DocLine **out, size_t *n);

/* Lines as canonical JSON (integers in stored units), to carry them from a
 * before-hook to the after-hook through the input object; and back. */
json_t *sd_lines_to_input(const DocLine *l, size_t n);
bool sd_lines_from_input(Ctx *c, json_t *in, DocLine **out, size_t *n);

/* Inside the caller's transaction: replace the lines of document id by l,
 * compute the totals with the document's stored tax rate, store them on the
 * document and put them, and the lines, into rec (when not NULL). Totals
 * that do not fit are a 422 naming the lines. */
GxErr sd_lines_store(Ctx *c, const DocKind *k, int64_t id, DocLine *l, size_t n, json_t *rec);

/* Recompute the totals of document id from its stored lines (after a tax
 * rate change), storing them and updating rec. */
GxErr sd_totals_refresh(Ctx *c, const DocKind *k, int64_t id, json_t *rec);

/* Is the JSON number v (as sd_lines_load writes it) equal to the scaled
 * integer want (scale 1000 or 100)? */
bool sd_scaled_equal(json_t *v, int64_t want, int64_t scale);

/* The stored lines of document id as a JSON array (new reference), in
 * order. No access check: the caller has read the document. */
GxErr sd_lines_load(Ctx *c, const DocKind *k, int64_t id, json_t **out);

/* The customer id of a document's input, after checking that the user may
 * see that customer: GX_ENOTFOUND (404) naming customer_id otherwise. 0 when
 * the input carries none (the engine reports a missing required field). */
GxErr sd_customer_check(Ctx *c, json_t *in, int64_t *customer_id);

/* Today's date in the company's zone (UTC+8), "YYYY-MM-DD". */
void sd_today(char out[11]);

/* Write the revision row and audit entry of a status change made outside
 * record_update (status is read-only to it). */
GxErr sd_status_logged(Ctx *c, const char *entity, int64_t id, const char *from, const char *to);

/* The record hooks both kinds share (dochooks.c). editable(c, old) says
 * whether the stored document's lines, tax rate and customer may change
 * (409 with the reason in c otherwise); date_field is filled with today when
 * left out on create. */
typedef bool (*SdEditable)(Ctx *c, json_t *old);
GxErr sd_before_create(Ctx *c, HookArgs *a, const DocKind *k, const char *date_field);
GxErr sd_after_create(Ctx *c, HookArgs *a, const DocKind *k);
GxErr sd_before_update(Ctx *c, HookArgs *a, const DocKind *k, SdEditable editable);
GxErr sd_after_update(Ctx *c, HookArgs *a, const DocKind *k);
GxErr sd_after_read(Ctx *c, HookArgs *a, const DocKind *k);

/* HOOK_BEFORE_PURGE of a document with lines (quotes, orders, deliveries,
 * returns, invoices): delete every row of lines_entity whose doc_col is the
 * purged record's id, inside the purge's transaction, and add them to the
 * purge's audit diff as "lines". Lines another record still refers to (a
 * delivery's line to an order line): 409, nothing purged. */
GxErr sd_purge_lines(Ctx *c, HookArgs *a, const char *lines_entity, const char *doc_col);

/* Hook registration of each file (called by sales_docs_init). */
void sd_quotes_init(void);
void sd_orders_init(void);

#endif
