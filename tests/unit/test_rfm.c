/* test_rfm.c — RFM scoring of customer value (modules/sales/customer_value.c):
 * quintile cuts, scores 1–5 in both directions, ties sharing a score, and
 * the eight standard segments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "modules/sales/sales.h"

static void test_cuts_of_five_distinct_values(void **state)
{
    (void)state;
    int64_t v[] = {10, 20, 30, 40, 50}, cuts[4];
    rfm_cuts(v, 5, cuts);
    assert_int_equal(cuts[0], 10);
    assert_int_equal(cuts[1], 20);
    assert_int_equal(cuts[2], 30);
    assert_int_equal(cuts[3], 40);
    /* bigger is better: each value its own quintile */
    assert_int_equal(rfm_score_higher(cuts, 10), 1);
    assert_int_equal(rfm_score_higher(cuts, 20), 2);
    assert_int_equal(rfm_score_higher(cuts, 30), 3);
    assert_int_equal(rfm_score_higher(cuts, 40), 4);
    assert_int_equal(rfm_score_higher(cuts, 50), 5);
    assert_int_equal(rfm_score_higher(cuts, 1000), 5);
    assert_int_equal(rfm_score_higher(cuts, 0), 1);
    /* fewer days is better */
    assert_int_equal(rfm_score_recency(cuts, 10), 5);
    assert_int_equal(rfm_score_recency(cuts, 25), 3);
    assert_int_equal(rfm_score_recency(cuts, 50), 1);
}

static void test_cuts_of_ten_values(void **state)
{
    (void)state;
    int64_t v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, cuts[4];
    rfm_cuts(v, 10, cuts);
    /* index ceil(k·10/5) − 1 = 1, 3, 5, 7 */
    assert_int_equal(cuts[0], 2);
    assert_int_equal(cuts[1], 4);
    assert_int_equal(cuts[2], 6);
    assert_int_equal(cuts[3], 8);
    assert_int_equal(rfm_score_higher(cuts, 1), 1);
    assert_int_equal(rfm_score_higher(cuts, 2), 1);
    assert_int_equal(rfm_score_higher(cuts, 3), 2);
    assert_int_equal(rfm_score_higher(cuts, 9), 5);
}

static void test_ties_share_the_lowest_score(void **state)
{
    (void)state;
    /* most customers bought once: they all score 1, repeat buyers above */
    int64_t v[] = {1, 1, 1, 1, 1, 1, 1, 2, 3, 5}, cuts[4];
    rfm_cuts(v, 10, cuts);
    assert_int_equal(rfm_score_higher(cuts, 1), 1);
    assert_int_equal(rfm_score_higher(cuts, 2), 4);
    assert_int_equal(rfm_score_higher(cuts, 3), 5);
    assert_int_equal(rfm_score_higher(cuts, 5), 5);
}

static void test_one_and_no_value(void **state)
{
    (void)state;
    int64_t v[] = {700}, cuts[4];
    rfm_cuts(v, 1, cuts);
    for (int k = 0; k < 4; k++)
        assert_int_equal(cuts[k], 700);
    assert_int_equal(rfm_score_higher(cuts, 700), 1);
    assert_int_equal(rfm_score_recency(cuts, 700), 5);
    rfm_cuts(NULL, 0, cuts);
    for (int k = 0; k < 4; k++)
        assert_int_equal(cuts[k], 0);
}

static void test_eight_segments(void **state)
{
    (void)state;
    assert_string_equal(rfm_segment(5, 5, 5), "important_value");
    assert_string_equal(rfm_segment(3, 3, 3), "important_value");
    assert_string_equal(rfm_segment(2, 4, 4), "important_keep");
    assert_string_equal(rfm_segment(4, 2, 4), "important_develop");
    assert_string_equal(rfm_segment(1, 1, 5), "important_retain");
    assert_string_equal(rfm_segment(5, 5, 2), "general_value");
    assert_string_equal(rfm_segment(2, 3, 1), "general_keep");
    assert_string_equal(rfm_segment(3, 2, 2), "general_develop");
    assert_string_equal(rfm_segment(1, 1, 1), "general_retain");
    assert_string_equal(rfm_segment(2, 2, 2), "general_retain");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cuts_of_five_distinct_values),
        cmocka_unit_test(test_cuts_of_ten_values),
        cmocka_unit_test(test_ties_share_the_lowest_score),
        cmocka_unit_test(test_one_and_no_value),
        cmocka_unit_test(test_eight_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
