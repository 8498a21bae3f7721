/* totals.c — line totals and document totals of sales documents; the
 * rounding rule is stated in totals.h. */
#include "totals.h"

bool sales_div_half_up(__int128 num, int64_t den, int64_t *out)
{
    if (num < 0 || den <= 0)
        return false;
    __int128 q = num / den, rem = num % den;
    if (2 * rem >= den)
        q++; /* half a unit or more goes up */
    if (q > INT64_MAX)
        return false;
    *out = (int64_t)q;
    return true;
}

SalesTotalsErr sales_line_compute(SalesLine *l)
{
    l->gross = l->discount = l->total = 0;
    if (l->quantity <= 0)
        return SALES_EQUANTITY;
    if (l->unit_price < 0)
        return SALES_EPRICE;
    if (l->discount_pct < 0 || l->discount_pct > SALES_PCT_FULL)
        return SALES_EDISCOUNT;
    __int128 amount = (__int128)l->quantity * l->unit_price; /* < 2^126: cannot overflow */
    __int128 net;
    if (__builtin_mul_overflow(amount, (__int128)(SALES_PCT_FULL - l->discount_pct), &net))
        return SALES_EOVERFLOW;
    int64_t gross, total;
    if (!sales_div_half_up(amount, SALES_QTY_SCALE, &gross) ||
        !sales_div_half_up(net, (int64_t)SALES_QTY_SCALE * SALES_PCT_FULL, &total))
        return SALES_EOVERFLOW;
    l->gross = gross;
    l->total = total;
    l->discount = gross - total; /* total <= gross: the discount is never negative */
    return SALES_OK;
}

SalesTotalsErr sales_totals_compute(SalesLine *lines, size_t n, int64_t tax_rate_pct, SalesTotals *out,
                                    long *bad_line)
{
    *out = (SalesTotals){0};
    *bad_line = -1;
    if (tax_rate_pct < 0 || tax_rate_pct > SALES_PCT_FULL)
        return SALES_ETAX;
    if (n > SALES_MAX_LINES)
        return SALES_ELINES;
    int64_t subtotal = 0, discount = 0;
    for (size_t i = 0; i < n; i++) {
        SalesTotalsErr e = sales_line_compute(&lines[i]);
        if (e) {
            *bad_line = (long)i;
            return e;
        }
        if (__builtin_add_overflow(subtotal, lines[i].gross, &subtotal) ||
            __builtin_add_overflow(discount, lines[i].discount, &discount))
            return SALES_EOVERFLOW;
    }
    int64_t net = subtotal - discount, tax, total;
    if (!sales_div_half_up((__int128)net * tax_rate_pct, SALES_PCT_FULL, &tax) ||
        __builtin_add_overflow(net, tax, &total))
        return SALES_EOVERFLOW;
    *out = (SalesTotals){.subtotal = subtotal, .discount_total = discount, .tax_total = tax, .total = total};
    return SALES_OK;
}

const char *sales_totals_err_field(SalesTotalsErr e)
{
    switch (e) {
    case SALES_EQUANTITY:
        return "quantity";
    case SALES_EPRICE:
        return "unit_price";
    case SALES_EDISCOUNT:
        return "discount_pct";
    case SALES_ETAX:
        return "tax_rate_pct";
    default:
        return "lines";
    }
}

const char *sales_totals_err_text(SalesTotalsErr e)
{
    switch (e) {
    case SALES_OK:
        return "is fine";
    case SALES_EQUANTITY:
        return "must be greater than 0";
    case SALES_EPRICE:
        return "must not be negative";
    case SALES_EDISCOUNT:
    case SALES_ETAX:
        return "must be between 0 and 100 (percent)";
    case SALES_EOVERFLOW:
        return "the amounts are too large to compute";
    case SALES_ELINES:
        return "has too many lines";
    }
    return "is invalid";
}
