/* test_membership.c — the front desk's arithmetic (modules/membership/
 * pricing.c): amounts, discounts and their spread over lines exact to the
 * fen, points, top-up bonuses, booking overlaps, opening hours and business
 * days in UTC+8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/util.h"
#include "modules/membership.h"

static void test_time_amount_rounds_half_up_to_the_fen(void **state)
{
    (void)state;
    int64_t v;
    assert_true(ms_time_amount(8000, 90, &v));
    assert_int_equal(v, 12000); /* 1.5 h × ¥80 */
    assert_true(ms_time_amount(33333, 20, &v));
    assert_int_equal(v, 11111); /* 333.33 / 3 = 111.11 */
    assert_true(ms_time_amount(1, 30, &v));
    assert_int_equal(v, 1); /* 0.5 fen rounds up */
    assert_true(ms_time_amount(1, 29, &v));
    assert_int_equal(v, 0);
    assert_true(ms_time_amount(0, 600, &v));
    assert_int_equal(v, 0);
    assert_false(ms_time_amount(-1, 60, &v));
    assert_false(ms_time_amount(INT64_MAX / 2, 60, &v));
}

static void test_unit_amount(void **state)
{
    (void)state;
    int64_t v;
    assert_true(ms_unit_amount(650, 3, &v));
    assert_int_equal(v, 1950);
    assert_false(ms_unit_amount(650, -1, &v));
    assert_false(ms_unit_amount(INT64_MAX, 2, &v));
}

static void test_discount_exact(void **state)
{
    (void)state;
    assert_int_equal(ms_discount(47283, 12), 5674); /* 5673.96 */
    assert_int_equal(ms_discount(650, 12), 78);
    assert_int_equal(ms_discount(11111, 12), 1333); /* 1333.32 */
    assert_int_equal(ms_discount(50, 1), 1);        /* 0.5 rounds up */
    assert_int_equal(ms_discount(49, 1), 0);        /* 0.49 */
    assert_int_equal(ms_discount(1000, 0), 0);
    assert_int_equal(ms_discount(1000, 100), 1000);
    assert_int_equal(ms_discount(-5, 10), 0);
    assert_int_equal(ms_discount(INT64_MAX, 10), INT64_MAX / 10 + 1); /* no overflow */
}

static void test_spread_adds_up_exactly(void **state)
{
    (void)state;
    int64_t amounts[] = {12000, 1950, 0, 33333}, parts[4];
    ms_spread(amounts, 4, 5674, parts);
    assert_int_equal(parts[0] + parts[1] + parts[2] + parts[3], 5674);
    assert_int_equal(parts[2], 0);
    assert_int_equal(parts[0], 1440); /* floor(5674 × 12000 / 47283) */
    assert_int_equal(parts[1], 234);
    assert_int_equal(parts[3], 5674 - 1440 - 234);
    int64_t none[] = {0, 0};
    ms_spread(none, 2, 100, parts);
    assert_int_equal(parts[0] + parts[1], 0);
}

static void test_points_and_bonus(void **state)
{
    (void)state;
    assert_int_equal(ms_points_for(41609, 2), 832); /* 416 whole yuan × 2 */
    assert_int_equal(ms_points_for(99, 5), 0);
    assert_int_equal(ms_points_for(1000, 0), 0);
    assert_int_equal(ms_topup_bonus(100000, 100000, 10000), 10000); /* 充 1,000 送 100 */
    assert_int_equal(ms_topup_bonus(250000, 100000, 10000), 20000);
    assert_int_equal(ms_topup_bonus(99999, 100000, 10000), 0);
    assert_int_equal(ms_topup_bonus(250000, 0, 10000), 0);
}

static void test_overlaps_half_open(void **state)
{
    (void)state;
    assert_true(ms_overlaps(10, 20, 15, 25));
    assert_true(ms_overlaps(10, 20, 10, 20));
    assert_true(ms_overlaps(10, 20, 12, 13));
    assert_true(ms_overlaps(12, 13, 10, 20));
    assert_false(ms_overlaps(10, 20, 20, 30)); /* touching */
    assert_false(ms_overlaps(20, 30, 10, 20));
}

static void test_opening_hours_in_business_time(void **state)
{
    (void)state;
    int open, close;
    assert_true(ms_parse_hhmm("08:00", &open));
    assert_true(ms_parse_hhmm("22:00", &close));
    assert_int_equal(open, 480);
    assert_true(ms_parse_hhmm("24:00", &close));
    assert_int_equal(close, 1440);
    assert_false(ms_parse_hhmm("24:30", &close));
    assert_false(ms_parse_hhmm("8:00", &close));
    assert_false(ms_parse_hhmm("08:60", &close));
    ms_parse_hhmm("22:00", &close);
    int64_t t;
    assert_true(time_parse_rfc3339("2026-11-23T08:00:00+08:00", &t));
    assert_true(ms_within_hours(t, t + 3600, open, close));
    assert_false(ms_within_hours(t - 60, t + 3600, open, close));
    assert_true(time_parse_rfc3339("2026-11-23T21:00:00+08:00", &t));
    assert_true(ms_within_hours(t, t + 3600, open, close));
    assert_false(ms_within_hours(t, t + 3660, open, close));
    assert_false(ms_within_hours(t, t, open, close));
    /* across midnight never fits one day */
    assert_false(ms_within_hours(t, t + 4 * 3600, 0, 1440));
}

static void test_business_days_and_months(void **state)
{
    (void)state;
    int64_t t;
    char d[11];
    assert_true(time_parse_rfc3339("2026-11-23T16:30:00Z", &t)); /* 00:30 on the 24th in Shanghai */
    ms_business_day(t, d);
    assert_string_equal(d, "2026-11-24");
    assert_true(time_parse_rfc3339("2026-11-23T15:59:59Z", &t));
    ms_business_day(t, d);
    assert_string_equal(d, "2026-11-23");
    assert_true(ms_add_months("2026-01-31", 1, d));
    assert_string_equal(d, "2026-02-28");
    assert_true(ms_add_months("2028-01-31", 1, d));
    assert_string_equal(d, "2028-02-29");
    assert_true(ms_add_months("2026-11-23", 12, d));
    assert_string_equal(d, "2027-11-23");
    assert_false(ms_add_months("soon", 1, d));
    assert_true(ms_day_start("2026-11-24", &t));
    char s[64];
    time_format_s(t, s);
    assert_string_equal(s, "2026-11-23T16:00:00Z");
    int y, m, dd;
    ms_civil_from_days(0, &y, &m, &dd);
    assert_int_equal(y * 10000 + m * 100 + dd, 19700101);
    ms_civil_from_days(time_days_from_civil(2000, 2, 29), &y, &m, &dd);
    assert_int_equal(y * 10000 + m * 100 + dd, 20000229);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_amount_rounds_half_up_to_the_fen),
        cmocka_unit_test(test_unit_amount),
        cmocka_unit_test(test_discount_exact),
        cmocka_unit_test(test_spread_adds_up_exactly),
        cmocka_unit_test(test_points_and_bonus),
        cmocka_unit_test(test_overlaps_half_open),
        cmocka_unit_test(test_opening_hours_in_business_time),
        cmocka_unit_test(test_business_days_and_months),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
