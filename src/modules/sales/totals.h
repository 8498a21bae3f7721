/* totals.h — the line-totals library of sales documents (quotes, orders, and
 * whatever else carries priced lines: invoices, contracts, credit checks).
 * Pure integer arithmetic, no database, no allocation.
 *
 * Units (the stored integers; the API shows the decimal values):
 *   quantity      thousandths of a unit (scale 3): 1.5 units = 1500
 *   unit_price    fen (分), tax excluded
 *   discount_pct  hundredths of a percent (scale 2): 12.5 % = 1250, 0..10000
 *   tax_rate_pct  hundredths of a percent (scale 2): 13 % = 1300, 0..10000
 *
 * The rounding rule (every figure exact to the fen, half-up):
 *   line gross     = round_half_up(quantity × unit_price / 1000)
 *   line total     = round_half_up(quantity × unit_price × (10000 − discount) / 10^7)
 *   line discount  = line gross − line total
 *   subtotal       = Σ line gross                (before discounts)
 *   discount_total = Σ line discount
 *   net            = subtotal − discount_total = Σ line total
 *   tax_total      = round_half_up(net × tax_rate / 10000) — once per document,
 *                    on the discounted subtotal (not per line)
 *   total          = net + tax_total
 * Each line is rounded once, from the exact product: a discount is never
 * rounded separately from its line. Half-up means 0.5 fen goes up (all values
 * are non-negative). Intermediate products are 128-bit; a result that does not
 * fit in 64 bits is an overflow, reported, never wrapped. */
#ifndef GX_SALES_TOTALS_H
#define GX_SALES_TOTALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SALES_QTY_SCALE 1000     /* quantity: thousandths of a unit */
#define SALES_PCT_FULL 10000     /* 100 % in hundredths of a percent */
#define SALES_MAX_LINES 200      /* lines on one document */

/* One priced line: the inputs, and the results sales_line_compute fills. */
typedef struct SalesLine {
    int64_t quantity;     /* in: thousandths of a unit, > 0 */
    int64_t unit_price;   /* in: fen, >= 0 */
    int64_t discount_pct; /* in: hundredths of a percent, 0..SALES_PCT_FULL */
    int64_t gross;        /* out: quantity × unit_price, fen */
    int64_t discount;     /* out: gross − total, fen */
    int64_t total;        /* out: the line total after discount, fen */
} SalesLine;

/* A document's totals (fen). */
typedef struct SalesTotals {
    int64_t subtotal;       /* Σ line gross */
    int64_t discount_total; /* Σ line discount */
    int64_t tax_total;      /* on subtotal − discount_total */
    int64_t total;          /* subtotal − discount_total + tax_total */
} SalesTotals;

/* What is wrong with an input (SALES_OK when nothing). */
typedef enum SalesTotalsErr {
    SALES_OK = 0,
    SALES_EQUANTITY,  /* quantity <= 0 */
    SALES_EPRICE,     /* unit_price < 0 */
    SALES_EDISCOUNT,  /* discount_pct outside 0..100 % */
    SALES_ETAX,       /* tax_rate_pct outside 0..100 % */
    SALES_EOVERFLOW,  /* a result does not fit (the amounts are too large) */
    SALES_ELINES      /* more than SALES_MAX_LINES lines */
} SalesTotalsErr;

/* Round num / den half-up for num >= 0, den > 0 into *out; false when the
 * quotient does not fit in int64. */
bool sales_div_half_up(__int128 num, int64_t den, int64_t *out);

/* Compute gross, discount and total of one line from its inputs. */
SalesTotalsErr sales_line_compute(SalesLine *l);

/* Compute every line and the document totals for tax_rate_pct (hundredths of
 * a percent). On failure *bad_line is the index of the offending line, or -1
 * when the error concerns the document (tax rate, line count, the sum), and
 * *out is zeroed. */
SalesTotalsErr sales_totals_compute(SalesLine *lines, size_t n, int64_t tax_rate_pct, SalesTotals *out,
                                    long *bad_line);

/* The input field an error names: "quantity", "unit_price", "discount_pct",
 * "tax_rate_pct", "lines" (static strings). */
const char *sales_totals_err_field(SalesTotalsErr e);

/* A plain English description of an error (static string). */
const char *sales_totals_err_text(SalesTotalsErr e);

#endif
