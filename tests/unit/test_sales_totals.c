/* test_sales_totals.c — the line-totals library (modules/sales/totals.c):
 * per-line half-up rounding to the fen from the exact product, 100 %
 * discounts, decimal quantities, tax once per document on the discounted
 * subtotal, bad inputs named, and overflow reported instead of wrapped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "modules/sales/totals.h"

static SalesLine line(int64_t qty_milli, int64_t price, int64_t disc)
{
    return (SalesLine){.quantity = qty_milli, .unit_price = price, .discount_pct = disc};
}

static void test_half_up_division(void **state)
{
    (void)state;
    int64_t v;
    assert_true(sales_div_half_up(5, 10, &v));
    assert_int_equal(v, 1); /* exactly one half goes up */
    assert_true(sales_div_half_up(4, 10, &v));
    assert_int_equal(v, 0);
    assert_true(sales_div_half_up(15, 10, &v));
    assert_int_equal(v, 2);
    assert_true(sales_div_half_up(1, 3, &v));
    assert_int_equal(v, 0);
    assert_true(sales_div_half_up(2, 3, &v));
    assert_int_equal(v, 1);
    assert_true(sales_div_half_up(0, 7, &v));
    assert_int_equal(v, 0);
    assert_false(sales_div_half_up(-1, 10, &v));
    assert_false(sales_div_half_up(1, 0, &v));
    assert_false(sales_div_half_up((__int128)INT64_MAX * 4, 2, &v));
}

static void test_whole_quantity_without_discount(void **state)
{
    (void)state;
    SalesLine l = line(3000, 1999, 0); /* 3 × ¥19.99 */
    assert_int_equal(sales_line_compute(&l), SALES_OK);
    assert_int_equal(l.gross, 5997);
    assert_int_equal(l.discount, 0);
    assert_int_equal(l.total, 5997);
}

static void test_half_fen_rounds_up(void **state)
{
    (void)state;
    /* 0.5 × 1 fen = 0.5 fen → 1 fen */
    SalesLine l = line(500, 1, 0);
    assert_int_equal(sales_line_compute(&l), SALES_OK);
    assert_int_equal(l.gross, 1);
    assert_int_equal(l.total, 1);
    /* 1 × 15 fen at 10 % off = 13.5 fen → 14; the discount is 15 − 14 = 1 */
    l = line(1000, 15, 1000);
    assert_int_equal(sales_line_compute(&l), SALES_OK);
    assert_int_equal(l.gross, 15);
    assert_int_equal(l.total, 14);
    assert_int_equal(l.discount, 1);
    /* 0.499 fen rounds down: 0.499 × 1 fen */
    l = line(499, 1, 0);
    assert_int_equal(sales_line_compute(&l), SALES_OK);
    assert_int_equal(l.total, 0);
}

static void test_decimal_quantity_and_fractional_discount(void **state)
{
    (void)state;
    /* 2.345 × ¥123.45 = 289.49025 yuan → 28949 fen; at 12.5 % off:
     * 28949.025 × 0.875 = 25330.396875 fen → 25330 */
    SalesLine l = line(2345, 12345, 1250);
    assert_int_equal(sales_line_compute(&l), SALES_OK);
    assert_int_equal(l.gross, 28949);
    assert_int_equal(l.total, 25330);
    assert_int_equal(l.discount, 3619);
    /* 0.001 × ¥10,000 = ¥10 exactly */
    l = line(1, 1000000, 0);
    assert_int_equal(sales_line_compute(&l), SALES_OK);
    assert_int_equal(l.total, 1000);
}

static void test_full_discount_makes_zero(void **state)
{
    (void)state;
    SalesLine l = line(7000, 99999, 10000);
    assert_int_equal(sales_line_compute(&l), SALES_OK);
    assert_int_equal(l.gross, 699993);
    assert_int_equal(l.total, 0);
    assert_int_equal(l.discount, 699993);
    l = line(1000, 0, 0); /* a free item is allowed */
    assert_int_equal(sales_line_compute(&l), SALES_OK);
    assert_int_equal(l.total, 0);
}

static void test_bad_line_inputs(void **state)
{
    (void)state;
    SalesLine l = line(0, 100, 0);
    assert_int_equal(sales_line_compute(&l), SALES_EQUANTITY);
    l = line(-1000, 100, 0);
    assert_int_equal(sales_line_compute(&l), SALES_EQUANTITY);
    l = line(1000, -1, 0);
    assert_int_equal(sales_line_compute(&l), SALES_EPRICE);
    l = line(1000, 100, 10001);
    assert_int_equal(sales_line_compute(&l), SALES_EDISCOUNT);
    l = line(1000, 100, -1);
    assert_int_equal(sales_line_compute(&l), SALES_EDISCOUNT);
    assert_string_equal(sales_totals_err_field(SALES_EDISCOUNT), "discount_pct");
    assert_string_equal(sales_totals_err_field(SALES_EQUANTITY), "quantity");
    assert_string_equal(sales_totals_err_field(SALES_EPRICE), "unit_price");
    assert_string_equal(sales_totals_err_field(SALES_ETAX), "tax_rate_pct");
}

static void test_large_values_overflow_instead_of_wrapping(void **state)
{
    (void)state;
    /* INT64_MAX thousandths × INT64_MAX fen: the product needs 126 bits and
     * the result cannot be stored */
    SalesLine l = line(INT64_MAX, INT64_MAX, 0);
    assert_int_equal(sales_line_compute(&l), SALES_EOVERFLOW);
    assert_int_equal(l.total, 0);
    /* the largest line that fits: 9,223,372,036,854,775 fen × 1 unit */
    l = line(1000, INT64_MAX / 1000, 0);
    assert_int_equal(sales_line_compute(&l), SALES_OK);
    assert_int_equal(l.total, INT64_MAX / 1000);
    /* 10^9 units × ¥10^9: 10^20 fen does not fit in 64 bits */
    l = line(1000000000000LL, 100000000000LL, 0);
    assert_int_equal(sales_line_compute(&l), SALES_EOVERFLOW);
    /* two lines that fit alone but not together */
    SalesLine two[2] = {line(1000, INT64_MAX / 2 + 1, 0), line(1000, INT64_MAX / 2 + 1, 0)};
    SalesTotals t;
    long bad;
    assert_int_equal(sales_totals_compute(two, 2, 0, &t, &bad), SALES_EOVERFLOW);
    assert_int_equal(bad, -1);
    assert_int_equal(t.total, 0);
    /* a net that fits whose tax pushes the total over */
    SalesLine one[1] = {line(1000, INT64_MAX - 10, 0)};
    assert_int_equal(sales_totals_compute(one, 1, 1300, &t, &bad), SALES_EOVERFLOW);
}

static void test_document_totals_mixed_lines(void **state)
{
    (void)state;
    SalesLine ls[] = {
        line(3000, 1999, 0),     /* 5997, no discount */
        line(2345, 12345, 1250), /* gross 28949, total 25330 */
        line(1000, 15, 1000),    /* gross 15, total 14 */
        line(7000, 99999, 10000) /* gross 699993, total 0 */
    };
    SalesTotals t;
    long bad;
    assert_int_equal(sales_totals_compute(ls, 4, 1300, &t, &bad), SALES_OK);
    assert_int_equal(t.subtotal, 5997 + 28949 + 15 + 699993);      /* 734954 */
    assert_int_equal(t.discount_total, 0 + 3619 + 1 + 699993);      /* 703613 */
    /* net 31341 × 13 % = 4074.33 → 4074 */
    assert_int_equal(t.tax_total, 4074);
    assert_int_equal(t.total, 31341 + 4074);
    assert_int_equal(t.subtotal - t.discount_total, ls[0].total + ls[1].total + ls[2].total + ls[3].total);
}

static void test_tax_once_on_the_discounted_subtotal(void **state)
{
    (void)state;
    /* three lines of 5 fen at 10 %: per line 0.5 → 1 each (3), per document
     * 15 × 10 % = 1.5 → 2. The document rule gives 2. */
    SalesLine ls[] = {line(1000, 5, 0), line(1000, 5, 0), line(1000, 5, 0)};
    SalesTotals t;
    long bad;
    assert_int_equal(sales_totals_compute(ls, 3, 1000, &t, &bad), SALES_OK);
    assert_int_equal(t.tax_total, 2);
    assert_int_equal(t.total, 17);
    /* 6 % of ¥0.25 = 1.5 fen → 2 (half up) */
    SalesLine one[] = {line(1000, 25, 0)};
    assert_int_equal(sales_totals_compute(one, 1, 600, &t, &bad), SALES_OK);
    assert_int_equal(t.tax_total, 2);
    /* no lines: all zero */
    assert_int_equal(sales_totals_compute(NULL, 0, 1300, &t, &bad), SALES_OK);
    assert_int_equal(t.total, 0);
}

static void test_bad_document_inputs_name_the_line(void **state)
{
    (void)state;
    SalesLine ls[] = {line(1000, 100, 0), line(1000, 100, 0), line(1000, 100, 12000)};
    SalesTotals t;
    long bad;
    assert_int_equal(sales_totals_compute(ls, 3, 1300, &t, &bad), SALES_EDISCOUNT);
    assert_int_equal(bad, 2);
    assert_int_equal(sales_totals_compute(ls, 2, 10001, &t, &bad), SALES_ETAX);
    assert_int_equal(bad, -1);
    assert_int_equal(sales_totals_compute(ls, 2, -1, &t, &bad), SALES_ETAX);
    assert_int_equal(sales_totals_compute(ls, SALES_MAX_LINES + 1, 0, &t, &bad), SALES_ELINES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_up_division),
        cmocka_unit_test(test_whole_quantity_without_discount),
        cmocka_unit_test(test_half_fen_rounds_up),
        cmocka_unit_test(test_decimal_quantity_and_fractional_discount),
        cmocka_unit_test(test_full_discount_makes_zero),
        cmocka_unit_test(test_bad_line_inputs),
        cmocka_unit_test(test_large_values_overflow_instead_of_wrapping),
        cmocka_unit_test(test_document_totals_mixed_lines),
        cmocka_unit_test(test_tax_once_on_the_discounted_subtotal),
        cmocka_unit_test(test_bad_document_inputs_name_the_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
