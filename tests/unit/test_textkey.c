/* test_textkey.c — the texts global search indexes: pinyin initials with
 * every reading (generated from Unihan), Chinese characters and pairs,
 * phone digits, and the query classifiers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/pinyin.h"
#include "base/textkey.h"

static Arena arena;

static const char *pinyin(const char *text, int span)
{
    Buf b;
    buf_init(&b, &arena);
    textkey_pinyin(&b, text, span);
    return b.data;
}

static const char *han(const char *text)
{
    Buf b;
    buf_init(&b, &arena);
    textkey_han(&b, text);
    return b.data;
}

/* The initials of one character as a string of letters, a to z. */
static const char *initials(const char *ch)
{
    const unsigned char *p = (const unsigned char *)ch;
    uint32_t cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    uint32_t m = pinyin_initials(cp);
    char *s = arena_alloc(&arena, 27);
    int n = 0;
    for (int i = 0; i < 26; i++)
        if (m >> i & 1)
            s[n++] = (char)('a' + i);
    s[n] = 0;
    return s;
}

static void test_table_has_every_reading(void **state)
{
    (void)state;
    assert_string_equal(initials("长"), "cz"); /* cháng, zhǎng */
    assert_string_equal(initials("沙"), "s");
    assert_string_equal(initials("重"), "cz"); /* chóng, zhòng */
    assert_string_equal(initials("行"), "hx");  /* háng, xíng */
    assert_string_equal(initials("乐"), "ly");  /* lè, yuè */
    assert_string_equal(initials("银"), "y");
    /* Today's readings only: the Hanyu Da Zidian's classical ones (重 tóng,
     * 有 wěi, 限 wěn, 司 cí, 团 qiú) are not what anyone types. */
    assert_string_equal(initials("有"), "y");
    assert_string_equal(initials("限"), "x");
    assert_string_equal(initials("司"), "s");
    assert_string_equal(initials("团"), "t");
    assert_int_equal(pinyin_primary(0x957F), 'z'); /* 长: kMandarin zhǎng */
    assert_int_equal(pinyin_initials('a'), 0);
    assert_int_equal(pinyin_initials(0x3002), 0); /* 。 */
}

static void test_pinyin_combinations_from_each_character(void **state)
{
    (void)state;
    assert_string_equal(pinyin("长沙", 8), " cs zs s");
    assert_string_equal(pinyin("长沙", 2), " cs zs");
    assert_string_equal(pinyin("长沙银行", 8), " csyh csyx zsyh zsyx syh syx yh yx h x");
    assert_string_equal(pinyin("ABC长沙", 8), " cs zs s"); /* letters carry no initials */
    assert_string_equal(pinyin("长 沙", 2), "");           /* not neighbours */
    assert_string_equal(pinyin("", 8), "");
}

static void test_pinyin_stops_rather_than_dropping_readings(void **state)
{
    (void)state;
    /* 重行乐长 has 2 x 2 x 2 x 2 = 16 readings, 重行乐长传 32 (> 16): the key
     * from 重 stops at four letters, every combination kept. */
    const char *k = pinyin("重行乐长传", 8);
    assert_non_null(strstr(k, " chlc "));
    assert_non_null(strstr(k, " zxyz "));
    assert_null(strstr(k, " chlcc"));
    assert_non_null(strstr(k, " hlcc ")); /* from 行 on: 2 x 2 x 2 x 2 */
    assert_non_null(strstr(k, " xyzz "));
}

static void test_chinese_characters_and_pairs(void **state)
{
    (void)state;
    assert_string_equal(han("贸易有限"), " 贸 贸易 易 易有 有 有限 限");
    assert_string_equal(han("华为ABC公司"), " 华 华为 为 公 公司 司");
    assert_string_equal(han("A、B"), "");
    assert_string_equal(han("王"), " 王");
}

static void test_phone_digits(void **state)
{
    (void)state;
    Buf b;
    buf_init(&b, &arena);
    textkey_digits(&b, "+861088886666;ext=123");
    textkey_digits(&b, "+8613812345678");
    assert_string_equal(b.data, " ⑧⑥①⓪⑧⑧⑧⑧⑥⑥⑥⑥ ⑧⑥①③⑧①②③④⑤⑥⑦⑧");
    assert_string_equal(textkey_digits_query(&arena, "0138"), "⓪①③⑧");
}

static void test_query_classes(void **state)
{
    (void)state;
    assert_true(textkey_han_query("贸易"));
    assert_true(textkey_han_query("王"));
    assert_false(textkey_han_query("贸易有"));
    assert_false(textkey_han_query("A贸"));
    assert_false(textkey_han_query(""));
    assert_true(textkey_letters("cs", 2, 2));
    assert_false(textkey_letters("c1", 2, 2));
    assert_string_equal(textkey_phrase(&arena, "Ab\"c"), "\"ab\"\"c\"");
}

int main(void)
{
    arena_init(&arena);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_has_every_reading),
        cmocka_unit_test(test_pinyin_combinations_from_each_character),
        cmocka_unit_test(test_pinyin_stops_rather_than_dropping_readings),
        cmocka_unit_test(test_chinese_characters_and_pairs),
        cmocka_unit_test(test_phone_digits),
        cmocka_unit_test(test_query_classes),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    arena_free(&arena);
    return rc;
}
