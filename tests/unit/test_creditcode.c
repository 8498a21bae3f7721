/* test_creditcode.c — the GB 32100-2015 check character of unified social
 * credit codes, normalisation, and malformed codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/creditcode.h"

static CreditCodeStatus check(const char *in, char *normalised, char *expected)
{
    static char buf[64];
    snprintf(buf, sizeof buf, "%s", in);
    CreditCodeStatus st = credit_code_check(buf, expected);
    if (normalised)
        strcpy(normalised, buf);
    return st;
}

static void test_published_codes_pass(void **state)
{
    (void)state;
    static const char *const good[] = {
        "91350100M000100Y43", /* the example in GB 32100-2015 */
        "91110108551385082Q", /* check character a letter */
        "914403001922038216",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(check(good[i], NULL, NULL), CREDIT_OK);
}

static void test_wrong_check_character_names_the_right_one(void **state)
{
    (void)state;
    char expected = 0;
    assert_int_equal(check("91350100M000100Y44", NULL, &expected), CREDIT_BAD_CHECK);
    assert_int_equal(expected, '3');
    assert_int_equal(check("91110108551385082R", NULL, &expected), CREDIT_BAD_CHECK);
    assert_int_equal(expected, 'Q');
    /* one changed digit in the body */
    assert_int_equal(check("91350100M000101Y43", NULL, &expected), CREDIT_BAD_CHECK);
}

static void test_normalised_to_upper_case_without_separators(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(check("91350100m000100y43", out, NULL), CREDIT_OK);
    assert_string_equal(out, "91350100M000100Y43");
    assert_int_equal(check(" 9135-0100 M000 100Y 43 ", out, NULL), CREDIT_OK);
    assert_string_equal(out, "91350100M000100Y43");
}

static void test_malformed_codes(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "91350100M000100Y4",   /* 17 characters */
        "91350100M000100Y433", /* 19 */
        "91350100M000100I43",  /* I is not used */
        "91350100M00010OY43",  /* nor O */
        "91350100M000100S43",  /* nor S */
        "91350100M000100V43",  /* nor V */
        "91350100M000100Z43",  /* nor Z */
        "91350100M000100Y4_",
        "统一社会信用代码",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(check(bad[i], NULL, NULL), CREDIT_BAD_FORM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_codes_pass),
        cmocka_unit_test(test_wrong_check_character_names_the_right_one),
        cmocka_unit_test(test_normalised_to_upper_case_without_separators),
        cmocka_unit_test(test_malformed_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
