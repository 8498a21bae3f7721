/* test_rmb_words.c — amounts in Chinese capitals (人民币大写, rmb_words). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "modules/sales/sales.h"

static void expect(int64_t fen, const char *want)
{
    char buf[RMB_WORDS_MAX];
    const char *got = rmb_words(fen, buf, sizeof buf);
    if (strcmp(got, want))
        fail_msg("%lld fen: got %s, want %s", (long long)fen, got, want);
}

static void test_zero_and_whole_amounts_end_in_zheng(void **state)
{
    (void)state;
    expect(0, "零元整");
    expect(100, "壹元整");
    expect(1000, "壹拾元整");
    expect(1100, "壹拾壹元整");
    expect(10000, "壹佰元整");
    expect(11000, "壹佰壹拾元整");
    expect(10000000000LL, "壹亿元整");
    expect(100000000000000LL, "壹万亿元整");
    expect(1000000000000000LL, "壹拾万亿元整");
}

static void test_the_examples_of_the_brief(void **state)
{
    (void)state;
    expect(100507, "壹仟零伍元零柒分");
    expect(10000000000LL, "壹亿元整");
    expect(0, "零元整");
}

static void test_jiao_and_fen(void **state)
{
    (void)state;
    expect(7, "柒分");
    expect(50, "伍角整");
    expect(57, "伍角柒分");
    expect(150, "壹元伍角整");
    expect(1640902, "壹万陆仟肆佰零玖元零贰分");
    expect(32504, "叁佰贰拾伍元零肆分");
    expect(168032, "壹仟陆佰捌拾元叁角贰分");
}

static void test_zeros_inside_the_number(void **state)
{
    (void)state;
    expect(105000, "壹仟零伍拾元整");
    expect(1000500, "壹万零伍元整");
    expect(10700053, "壹拾万柒仟元伍角叁分");
    expect(10001000000LL, "壹亿零壹万元整");
    expect(10000000100LL, "壹亿零壹元整");
    expect(10000100000LL, "壹亿零壹仟元整");
    expect(1000010000LL, "壹仟万零壹佰元整");
    expect(2000000000LL, "贰仟万元整");
    expect(1234567890123LL, "壹佰贰拾叁亿肆仟伍佰陆拾柒万捌仟玖佰零壹元贰角叁分");
    expect(20304050607LL, "贰亿零叁佰零肆万零伍佰零陆元零柒分");
}

static void test_negative_amounts_for_red_letter_invoices(void **state)
{
    (void)state;
    expect(-100507, "负壹仟零伍元零柒分");
    expect(-7, "负柒分");
    expect(-10000, "负壹佰元整");
}

static void test_the_largest_and_smallest_money_values(void **state)
{
    (void)state;
    expect(INT64_MAX, "玖亿亿贰仟贰佰叁拾叁万亿柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零柒分");
    expect(INT64_MIN, "负玖亿亿贰仟贰佰叁拾叁万亿柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零捌分");
    char buf[RMB_WORDS_MAX];
    assert_true(strlen(rmb_words(INT64_MIN, buf, sizeof buf)) < RMB_WORDS_MAX - 1);
}

static void test_a_small_buffer_is_never_overrun(void **state)
{
    (void)state;
    char buf[10];
    memset(buf, 'x', sizeof buf);
    rmb_words(100507, buf, 8);
    assert_true(strlen(buf) < 8);
    assert_int_equal(buf[9], 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_and_whole_amounts_end_in_zheng),
        cmocka_unit_test(test_the_examples_of_the_brief),
        cmocka_unit_test(test_jiao_and_fen),
        cmocka_unit_test(test_zeros_inside_the_number),
        cmocka_unit_test(test_negative_amounts_for_red_letter_invoices),
        cmocka_unit_test(test_the_largest_and_smallest_money_values),
        cmocka_unit_test(test_a_small_buffer_is_never_overrun),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
