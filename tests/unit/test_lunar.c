/* test_lunar.c — the lunar calendar (农历) 1900-2100 against known dates,
 * leap months, day 30 in 29-day months, and next birthdays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/lunar.h"

static void solar_of(int ly, int lm, int ld, bool leap, int y, int m, int d)
{
    LunarDate l = {ly, lm, ld, leap};
    int gy, gm, gd;
    if (lunar_to_solar(&l, &gy, &gm, &gd))
        fail_msg("lunar %d-%d-%d%s does not exist", ly, lm, ld, leap ? " (leap)" : "");
    if (gy != y || gm != m || gd != d)
        fail_msg("lunar %d-%d-%d%s -> %04d-%02d-%02d, want %04d-%02d-%02d", ly, lm, ld, leap ? " (leap)" : "", gy, gm,
                 gd, y, m, d);
}

static void test_spring_festivals(void **state)
{
    (void)state;
    solar_of(1900, 1, 1, false, 1900, 1, 31);
    solar_of(1949, 1, 1, false, 1949, 1, 29);
    solar_of(2000, 1, 1, false, 2000, 2, 5);
    solar_of(2024, 1, 1, false, 2024, 2, 10);
    solar_of(2025, 1, 1, false, 2025, 1, 29);
    solar_of(2026, 1, 1, false, 2026, 2, 17);
    solar_of(2027, 1, 1, false, 2027, 2, 6);
    solar_of(2100, 1, 1, false, 2100, 2, 9);
}

static void test_festivals_and_leap_months(void **state)
{
    (void)state;
    solar_of(2025, 8, 15, false, 2025, 10, 6); /* 中秋 2025 */
    solar_of(2024, 5, 5, false, 2024, 6, 10);  /* 端午 2024 */
    solar_of(2023, 2, 1, true, 2023, 3, 22);   /* 闰二月初一 2023 */
    solar_of(2025, 6, 1, true, 2025, 7, 25);   /* 闰六月初一 2025 */
    solar_of(2020, 4, 1, true, 2020, 5, 23);   /* 闰四月初一 2020 */
    LunarDate no_leap = {2026, 6, 1, true};
    int y, m, d;
    assert_int_equal(lunar_to_solar(&no_leap, &y, &m, &d), -1); /* 2026 has no leap month */
    LunarDate day30 = {2025, 2, 30, false};                     /* 二月 2025 has 29 days */
    assert_int_equal(lunar_to_solar(&day30, &y, &m, &d), -1);
    LunarDate early = {1899, 1, 1, false};
    assert_int_equal(lunar_to_solar(&early, &y, &m, &d), -1);
}

static void test_solar_to_lunar_round_trip(void **state)
{
    (void)state;
    LunarDate l;
    assert_int_equal(solar_to_lunar(2026, 2, 16, &l), 0); /* 除夕 */
    assert_int_equal(l.year, 2025);
    assert_int_equal(l.month, 12);
    assert_int_equal(l.day, 29);
    assert_false(l.leap);
    assert_int_equal(solar_to_lunar(2023, 3, 22, &l), 0);
    assert_int_equal(l.month, 2);
    assert_int_equal(l.day, 1);
    assert_true(l.leap);
    assert_int_equal(solar_to_lunar(1900, 1, 30, &l), -1);
    /* every day of 1950-2060 maps back to itself */
    for (int y = 1950; y <= 2060; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= 28; d += 3) {
                int gy, gm, gd;
                assert_int_equal(solar_to_lunar(y, m, d, &l), 0);
                assert_int_equal(lunar_to_solar(&l, &gy, &gm, &gd), 0);
                assert_true(gy == y && gm == m && gd == d);
            }
}

static void next(int by, int bm, int bd, bool lunar, int fy, int fm, int fd, int y, int m, int d)
{
    int gy, gm, gd;
    assert_int_equal(birthday_next(by, bm, bd, lunar, fy, fm, fd, &gy, &gm, &gd), 0);
    if (gy != y || gm != m || gd != d)
        fail_msg("born %04d-%02d-%02d%s, from %04d-%02d-%02d -> %04d-%02d-%02d, want %04d-%02d-%02d", by, bm, bd,
                 lunar ? " (lunar)" : "", fy, fm, fd, gy, gm, gd, y, m, d);
}

static void test_birthdays(void **state)
{
    (void)state;
    /* solar */
    next(1990, 5, 20, false, 2026, 5, 20, 2026, 5, 20);
    next(1990, 5, 20, false, 2026, 5, 21, 2027, 5, 20);
    next(1992, 2, 29, false, 2026, 1, 1, 2026, 2, 28);
    next(1992, 2, 29, false, 2028, 1, 1, 2028, 2, 29);
    /* lunar: born 1990-02-27 = 庚午年 二月初三 */
    next(1990, 2, 27, true, 2026, 1, 1, 2026, 3, 21);  /* 2026 二月初三 */
    next(1990, 2, 27, true, 2026, 3, 22, 2027, 3, 10); /* 2027 二月初三 */
    /* born on 正月初一 1990 (1990-01-27): next is 春节 */
    next(1990, 1, 27, true, 2025, 12, 1, 2026, 2, 17);
    /* born in a leap month: 2023-03-22 = 闰二月初一; 2024 has no leap 二月 -> 二月初一 */
    next(2023, 3, 22, true, 2024, 1, 1, 2024, 3, 10);
    /* born on day 30: 2025-09-21 = 七月三十; 七月 2026 has 29 days -> 七月廿九 */
    next(2025, 9, 21, true, 2026, 1, 1, 2026, 9, 10);
    next(2025, 9, 21, true, 2026, 9, 11, 2027, 8, 31); /* 七月 2027 has 30 days */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spring_festivals),
        cmocka_unit_test(test_festivals_and_leap_months),
        cmocka_unit_test(test_solar_to_lunar_round_trip),
        cmocka_unit_test(test_birthdays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
