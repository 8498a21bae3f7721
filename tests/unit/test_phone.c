/* test_phone.c — phone numbers as people type them in China: E.164 storage,
 * 3-4-4 display, rejects with a message, and the digits global search looks
 * for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/phone.h"

static Arena arena;

static void e164(const char *in, const char *want)
{
    const char *why = "unset";
    char *got = phone_to_e164(&arena, in, &why);
    if (!got)
        fail_msg("'%s' rejected: %s", in, why ? why : "(empty)");
    if (strcmp(got, want))
        fail_msg("'%s' -> '%s', want '%s'", in, got, want);
    assert_null(why);
}

static void reject(const char *in, const char *want_why)
{
    const char *why = NULL;
    char *got = phone_to_e164(&arena, in, &why);
    if (got)
        fail_msg("'%s' accepted as '%s'", in, got);
    assert_non_null(why);
    if (strcmp(why, want_why))
        fail_msg("'%s': '%s', want '%s'", in, why, want_why);
}

static void test_mobiles_in_every_common_form(void **state)
{
    (void)state;
    static const char *const forms[] = {
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "138.1234.5678",
        "(138)1234-5678",
        "+8613812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "0086 138 1234 5678",
        "008613812345678",
        "8613812345678",
        "86 138 1234 5678",
        "  13812345678  ",
        "+86 (138) 1234 5678",
        "\xEF\xBC\x91\xEF\xBC\x93\xEF\xBC\x98 1234 5678", /* full-width 138 */
        "\xEF\xBC\x8B"
        "86 13812345678", /* full-width + */
        "138\xE2\x80\x94"
        "1234\xE2\x80\x94"
        "5678", /* em dashes */
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        e164(forms[i], "+8613812345678");
    e164("199 0000 0001", "+8619900000001");
    e164("+86 166 0000 0001", "+8616600000001");
}

static void test_landlines_with_area_codes(void **state)
{
    (void)state;
    e164("010-88886666", "+861088886666");
    e164("010 8888 6666", "+861088886666");
    e164("(010) 8888-6666", "+861088886666");
    e164("+86 10 8888 6666", "+861088886666");
    e164("+86 (0)10 8888 6666", "+861088886666");
    e164("0086 10 88886666", "+861088886666");
    e164("86-10-88886666", "+861088886666");
    e164("021-62345678", "+862162345678");
    e164("0755-26781234", "+8675526781234");
    e164("0571 8765 4321", "+8657187654321");
    e164("0951-5012345", "+869515012345");       /* 3-digit area code, 7-digit number */
    e164("（0755）2678 1234", "+8675526781234"); /* full-width brackets */
}

static void test_extensions_kept(void **state)
{
    (void)state;
    e164("010-88886666-123", "+861088886666;ext=123");
    e164("010-88886666 转 123", "+861088886666;ext=123");
    e164("010 8888 6666转8001", "+861088886666;ext=8001");
    e164("010-88886666 分机 12", "+861088886666;ext=12");
    e164("010-88886666 ext. 45", "+861088886666;ext=45");
    e164("010-88886666 ext 45", "+861088886666;ext=45");
    e164("010-88886666x45", "+861088886666;ext=45");
    e164("010-88886666#45", "+861088886666;ext=45");
    e164("+861088886666;ext=123", "+861088886666;ext=123"); /* stored form reads back */
}

static void test_service_numbers(void **state)
{
    (void)state;
    e164("400-123-4567", "+864001234567");
    e164("400 123 4567", "+864001234567");
    e164("4001234567", "+864001234567");
    e164("800-820-8820", "+868008208820");
    e164("+86 400 123 4567", "+864001234567");
    e164("95588", "+8695588");
    e164("10086", "+8610086");
    e164("12345", "+8612345");
}

static void test_foreign_numbers(void **state)
{
    (void)state;
    e164("+1 415 555 0123", "+14155550123");
    e164("+852 2123 4567", "+85221234567");
    e164("00852 2123 4567", "+85221234567");
    e164("+44 20 7946 0958", "+442079460958");
}

static void test_rejects_name_the_problem(void **state)
{
    (void)state;
    reject("abc", "may contain only digits, spaces, dashes, brackets, a leading + and an extension (转 123)");
    reject("138 1234 567a", "may contain only digits, spaces, dashes, brackets, a leading + and an extension (转 123)");
    reject("call me", "may contain only digits, spaces, dashes, brackets, a leading + and an extension (转 123)");
    reject("12", "is too short to be a phone number");
    reject("1381234567", "has too few digits for a mobile number (11)");
    reject("138123456789", "has too many digits for a mobile number (11)");
    reject("12012345678", "is not a valid mobile number (mobile numbers start with 13 to 19)");
    reject("88886666", "needs the area code (e.g. 010 8888 6666)");
    reject("010-888866", "has too few digits for a landline (7 or 8 after the area code)");
    reject("0755-2678123456", "has too many digits for a landline (7 or 8 after the area code)");
    reject("400-123-456", "has too few digits for a 400/800 number (10)");
    reject("++8613812345678", "may have a + only at the start");
    reject("138+12345678", "may have a + only at the start");
    reject("13812345678 ext", "has an extension that is not 1 to 6 digits");
    reject("010-88886666 转 1234567", "has an extension that is not 1 to 6 digits");
    reject("+1 555", "is too short for an international number");
    reject("+1234567890123456", "is too long for an international number (at most 15 digits)");
    reject("111111111111111111111", "has too many digits for a mobile number (11)");
    const char *why = "unset";
    assert_null(phone_to_e164(&arena, "", &why));
    assert_null(why); /* empty is "not set", not an error */
    assert_null(phone_to_e164(&arena, "   ", &why));
    assert_null(why);
}

static void test_display_groups_digits(void **state)
{
    (void)state;
    assert_string_equal(phone_display(&arena, "+8613812345678", "转"), "138 1234 5678");
    assert_string_equal(phone_display(&arena, "+861088886666", "转"), "010 8888 6666");
    assert_string_equal(phone_display(&arena, "+8675526781234", "转"), "0755 2678 1234");
    assert_string_equal(phone_display(&arena, "+869515012345", "转"), "0951 501 2345");
    assert_string_equal(phone_display(&arena, "+861088886666;ext=123", "转"), "010 8888 6666 转 123");
    assert_string_equal(phone_display(&arena, "+861088886666;ext=123", "ext."), "010 8888 6666 ext. 123");
    assert_string_equal(phone_display(&arena, "+864001234567", "转"), "400-123-4567");
    assert_string_equal(phone_display(&arena, "+868008208820", "转"), "800-820-8820");
    assert_string_equal(phone_display(&arena, "+8695588", "转"), "95588");
    assert_string_equal(phone_display(&arena, "+14155550123", "转"), "+14155550123");
    /* Values written before numbers were normalised are shown as stored. */
    assert_string_equal(phone_display(&arena, "65529988x12", "转"), "65529988x12");
    assert_string_equal(phone_display(&arena, "+86abc", "转"), "+86abc");
}

/* The digits searched for, and the trunk-0 reading when there is one. */
static void search(const char *q, const char *want, const char *want_alt)
{
    char *alt = (char *)"unset";
    char *got = phone_search_digits(&arena, q, &alt);
    if (!want) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
    if (want_alt)
        assert_string_equal(alt, want_alt);
    else
        assert_null(alt);
}

static void test_search_digits(void **state)
{
    (void)state;
    search("1234 5678", "12345678", NULL);
    search("1234-5678", "12345678", NULL);
    search("+86 138", "86138", NULL);
    search("0086 138", "86138", NULL);
    search("010 8888", "0108888", "86108888");
    search("(0755) 2678", "07552678", "867552678");
    search("0123", "0123", "86123"); /* or the middle of 138 0123 4567 */
    search("0054", "0054", "86054"); /* not +54: too few digits after 00 */
    search("00 20", "0020", "86020");
    search("00541", "541", NULL);
    search("5678", "5678", NULL);
    search("56", NULL, NULL); /* too few digits */
    search("长沙", NULL, NULL);
    search("abc123", NULL, NULL);
    search("1+23", NULL, NULL);
}

int main(void)
{
    arena_init(&arena);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mobiles_in_every_common_form),
        cmocka_unit_test(test_landlines_with_area_codes),
        cmocka_unit_test(test_extensions_kept),
        cmocka_unit_test(test_service_numbers),
        cmocka_unit_test(test_foreign_numbers),
        cmocka_unit_test(test_rejects_name_the_problem),
        cmocka_unit_test(test_display_groups_digits),
        cmocka_unit_test(test_search_digits),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    arena_free(&arena);
    return rc;
}
