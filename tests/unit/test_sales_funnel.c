/* test_sales_funnel.c — the funnel's arithmetic (modules/sales/funnel.c):
 * how many opportunities reached each stage, the conversion between
 * consecutive stages, and the half-up rounding of the weighted forecast. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "modules/sales/sales.h"

static void test_reached_counts_every_later_stage_except_lost(void **state)
{
    (void)state;
    /* initial 2, needs 1, proposal 1, negotiation 1, won 1, lost 1 */
    int64_t count[] = {2, 1, 1, 1, 1, 1};
    bool lost[] = {false, false, false, false, false, true};
    int64_t reached[6];
    int conv[6];
    sales_funnel_conversion(count, lost, 6, reached, conv);
    int64_t want_reached[] = {6, 4, 3, 2, 1, 1};
    int want_conv[] = {67, 75, 67, 50, -1, -1}; /* 4/6 = 66.7 → 67; 2/3 → 67; 1/2 → 50 */
    for (int i = 0; i < 6; i++) {
        assert_int_equal(reached[i], want_reached[i]);
        assert_int_equal(conv[i], want_conv[i]);
    }
}

static void test_empty_stages_and_a_lost_stage_in_the_middle(void **state)
{
    (void)state;
    int64_t count[] = {0, 0, 3, 5, 1};
    bool lost[] = {false, false, true, false, false};
    int64_t reached[5];
    int conv[5];
    sales_funnel_conversion(count, lost, 5, reached, conv);
    /* the lost stage keeps its own count and is skipped by the conversion */
    assert_int_equal(reached[0], 6);
    assert_int_equal(reached[1], 6);
    assert_int_equal(reached[2], 3);
    assert_int_equal(reached[3], 6);
    assert_int_equal(reached[4], 1);
    assert_int_equal(conv[0], 100);
    assert_int_equal(conv[1], 100); /* needs → the next non-lost stage */
    assert_int_equal(conv[2], -1);
    assert_int_equal(conv[3], 17); /* 1/6 = 16.7 → 17 */
    assert_int_equal(conv[4], -1);
    int64_t none[] = {0, 0};
    bool nl[] = {false, false};
    sales_funnel_conversion(none, nl, 2, reached, conv);
    assert_int_equal(conv[0], -1); /* nothing reached: no rate, not 0 % */
    sales_funnel_conversion(none, nl, 0, reached, conv);
}

static void test_half_way_rounds_up(void **state)
{
    (void)state;
    assert_int_equal(sales_weighted(0), 0);
    assert_int_equal(sales_weighted(49), 0);
    assert_int_equal(sales_weighted(50), 1);
    assert_int_equal(sales_weighted(7000050), 70001); /* 70000.5 fen */
    assert_int_equal(sales_weighted(7000049), 70000);
    assert_int_equal(sales_weighted(INT64_C(99999999999900)), INT64_C(999999999999));
    assert_int_equal(sales_weighted(-150), -2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reached_counts_every_later_stage_except_lost),
        cmocka_unit_test(test_empty_stages_and_a_lost_stage_in_the_middle),
        cmocka_unit_test(test_half_way_rounds_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
