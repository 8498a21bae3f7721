/* test_util.c — time parsing and formatting, UTF-8 checks and integer parsing
 * (base/util.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/util.h"

/* 2026-11-23T01:30:00Z */
#define T_2026_11_23_0130Z INT64_C(1795397400)

/* ---------------------------------------------------------------------------
 * time_parse_rfc3339 */

static void test_rfc3339_utc_and_offsets_give_the_same_instant(void **state)
{
    (void)state;
    static const char *same[] = {
        "2026-11-23T01:30:00Z",      "2026-11-23T09:30:00+08:00",     "2026-11-22T20:00:00-05:30",
        "2026-11-23t01:30:00z",      "2026-11-23 01:30:00Z",          "2026-11-23T01:30:00",
        "2026-11-23T01:30:00+00:00", "2026-11-23T01:30:00-00:00",     "2026-11-23T01:30Z",
        "2026-11-23T09:30+08:00",    "2026-11-23T01:30:00.123Z",      "2026-11-23T09:30:00.999999999+08:00",
        "2026-11-23T01:30:00.5",     "2026-11-23T00:30:00.000-01:00",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        int64_t t = -1;
        if (!time_parse_rfc3339(same[i], &t))
            fail_msg("rejected %s", same[i]);
        if (t != T_2026_11_23_0130Z)
            fail_msg("%s gave %lld", same[i], (long long)t);
    }
}

static void test_rfc3339_calendar_edges(void **state)
{
    (void)state;
    int64_t t;
    assert_true(time_parse_rfc3339("2024-02-29T12:00:00Z", &t));
    assert_int_equal(t, 1709208000);
    assert_true(time_parse_rfc3339("1970-01-01T00:00:00Z", &t));
    assert_int_equal(t, 0);
    assert_true(time_parse_rfc3339("1969-12-31T23:59:59Z", &t));
    assert_int_equal(t, -1);
    assert_true(time_parse_rfc3339("1970-01-01T08:00:00+08:00", &t));
    assert_int_equal(t, 0);
    assert_true(time_parse_rfc3339("1900-01-01T00:00:00Z", &t));
    assert_int_equal(t, INT64_C(-2208988800));
    assert_true(time_parse_rfc3339("2027-01-01T07:59:59+08:00", &t));
    assert_int_equal(t, INT64_C(1798761599));
    /* A leap second is clamped to :59. */
    assert_true(time_parse_rfc3339("2026-12-31T23:59:60Z", &t));
    assert_int_equal(t, INT64_C(1798761599));
}

static void test_rfc3339_rejects_impossible_and_malformed_input(void **state)
{
    (void)state;
    static const char *bad[] = {
        "2026-02-30T10:00:00Z",  /* no such day */
        "2023-02-29T10:00:00Z",  /* not a leap year */
        "1900-02-29T10:00:00Z",  /* century, not a leap year */
        "2026-13-01T10:00:00Z",  /* month 13 */
        "2026-00-10T10:00:00Z",  /* month 0 */
        "2026-04-31T10:00:00Z",  /* April has 30 days */
        "2026-11-00T10:00:00Z",  /* day 0 */
        "2026-11-23T24:00:00Z",  /* hour 24 */
        "2026-11-23T10:60:00Z",  /* minute 60 */
        "2026-11-23T10:00:61Z",  /* second 61 */
        "2026-11-23",            /* a date only */
        "2026-11-23T10",         /* no minutes */
        "2026-11-23T10:00:0Z",   /* one-digit seconds */
        "2026-11-23T10:00:00.Z", /* empty fraction */
        "2026-11-23T10:00:00+8:00",
        "2026-11-23T10:00:00+08",
        "2026-11-23T10:00:00+0800",
        "2026-11-23T10:00:00+24:00",
        "2026-11-23T10:00:00ZZ",
        "2026-11-23T10:00:00Z ",
        "2026-11-23X10:00:00Z",
        "26-11-23T10:00:00Z",
        "garbage garbage garbage",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 12345;
        if (time_parse_rfc3339(bad[i], &t))
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(t, 12345);
    }
    int64_t t;
    assert_false(time_parse_rfc3339(NULL, &t));
}

/* ---------------------------------------------------------------------------
 * formatting, dates */

static void test_time_format_seconds_and_milliseconds(void **state)
{
    (void)state;
    char out[64];
    time_format_s(T_2026_11_23_0130Z, out);
    assert_string_equal(out, "2026-11-23T01:30:00Z");
    time_format_s(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    time_format_s(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59Z");
    time_format_ms(T_2026_11_23_0130Z * 1000 + 7, out);
    assert_string_equal(out, "2026-11-23T01:30:00.007Z");
    time_format_ms(T_2026_11_23_0130Z * 1000 + 999, out);
    assert_string_equal(out, "2026-11-23T01:30:00.999Z");
    time_format_ms(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
}

static void test_time_format_ms_before_1970_rounds_down(void **state)
{
    (void)state;
    char out[64];
    time_format_ms(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999Z");
    time_format_ms(-1500, out);
    assert_string_equal(out, "1969-12-31T23:59:58.500Z");
    time_format_ms(-2000, out);
    assert_string_equal(out, "1969-12-31T23:59:58.000Z");
}

static void test_time_parse_then_format_round_trips(void **state)
{
    (void)state;
    int64_t t;
    char out[64];
    assert_true(time_parse_rfc3339("2026-11-23T09:30:00+08:00", &t));
    time_format_s(t, out);
    assert_string_equal(out, "2026-11-23T01:30:00Z");
    assert_true(time_parse_rfc3339("2000-01-01T00:00:00-05:30", &t));
    time_format_s(t, out);
    assert_string_equal(out, "2000-01-01T05:30:00Z");
}

static void test_time_parse_date_is_strict(void **state)
{
    (void)state;
    int y = 0, m = 0, d = 0;
    assert_true(time_parse_date("2024-02-29", &y, &m, &d));
    assert_int_equal(y, 2024);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
    assert_true(time_parse_date("2000-02-29", &y, &m, &d));
    assert_true(time_parse_date("0001-01-01", &y, &m, &d));
    assert_true(time_parse_date("9999-12-31", &y, &m, &d));
    static const char *bad[] = {"2023-02-29",  "1900-02-29",     "2026-02-30", "2026-13-01",
                                "2026-00-01",  "2026-01-00",     "2026-01-32", "0000-01-01",
                                "2026-1-01",   "2026-01-1",      "2026/01/01", "2026-01-01x",
                                " 2026-01-01", "２０２６-01-01", "",           "abcd-ef-gh"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (time_parse_date(bad[i], &y, &m, &d))
            fail_msg("accepted %s", bad[i]);
    assert_false(time_parse_date(NULL, &y, &m, &d));
}

static void test_days_from_civil(void **state)
{
    (void)state;
    assert_int_equal(time_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(time_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(time_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(time_days_from_civil(2026, 11, 23), T_2026_11_23_0130Z / 86400);
}

/* ---------------------------------------------------------------------------
 * UTF-8 */

static bool valid(const char *s)
{
    return utf8_valid(s, strlen(s));
}

static void test_utf8_valid_accepts_well_formed_text(void **state)
{
    (void)state;
    assert_true(valid(""));
    assert_true(valid("plain ASCII ~"));
    assert_true(valid("客户名称"));
    assert_true(valid("é"));                /* 2 bytes */
    assert_true(valid("\xE2\x82\xAC"));     /* € */
    assert_true(valid("😀"));                /* 4 bytes, U+1F600 */
    assert_true(valid("\xF4\x8F\xBF\xBF")); /* U+10FFFF, the last code point */
    assert_true(valid("\xEF\xBF\xBF"));     /* U+FFFF */
    assert_true(valid("\xED\x9F\xBF"));     /* U+D7FF, just below the surrogates */
    assert_true(valid("\xEE\x80\x80"));     /* U+E000, just above */
    assert_true(utf8_valid("abc\0def", 3)); /* only n bytes are looked at */
}

static void test_utf8_valid_rejects_overlongs_surrogates_truncation_and_nul(void **state)
{
    (void)state;
    assert_false(valid("\xC0\xAF"));             /* overlong '/' */
    assert_false(valid("\xC1\xBF"));             /* overlong */
    assert_false(valid("\xE0\x80\xAF"));         /* overlong, 3 bytes */
    assert_false(valid("\xE0\x9F\xBF"));         /* overlong U+07FF */
    assert_false(valid("\xF0\x80\x80\xAF"));     /* overlong, 4 bytes */
    assert_false(valid("\xF0\x8F\xBF\xBF"));     /* overlong U+FFFF */
    assert_false(valid("\xED\xA0\x80"));         /* U+D800 surrogate */
    assert_false(valid("\xED\xBF\xBF"));         /* U+DFFF surrogate */
    assert_false(valid("\xF4\x90\x80\x80"));     /* U+110000 */
    assert_false(valid("\xF8\x88\x80\x80\x80")); /* 5-byte form */
    assert_false(valid("\xFF"));
    assert_false(valid("\x80"));      /* lone continuation */
    assert_false(valid("a\xE4\xB8")); /* truncated 中 */
    assert_false(utf8_valid("\xE4\xB8\xAD", 2));
    assert_false(valid("\xE4\x41\xAD")); /* bad continuation */
    assert_false(utf8_valid("a\0b", 3)); /* NUL inside */
    assert_false(utf8_valid("\0", 1));
}

static void test_utf8_len_counts_code_points(void **state)
{
    (void)state;
    assert_int_equal(utf8_len(""), 0);
    assert_int_equal(utf8_len("abc"), 3);
    assert_int_equal(utf8_len("客户名称"), 4);
    assert_int_equal(strlen("客户名称"), 12);
    assert_int_equal(utf8_len("中文abc"), 5);
    assert_int_equal(utf8_len("😀"), 1);
    assert_int_equal(utf8_len("a😀b客"), 4);
    assert_int_equal(utf8_len("é€"), 2);
}

/* ---------------------------------------------------------------------------
 * integers and identifiers */

static void test_parse_i64_bounds_and_garbage(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_true(parse_i64("0", &v));
    assert_int_equal(v, 0);
    assert_true(parse_i64("-42", &v));
    assert_int_equal(v, -42);
    assert_true(parse_i64("+7", &v));
    assert_int_equal(v, 7);
    assert_true(parse_i64("007", &v));
    assert_int_equal(v, 7);
    assert_true(parse_i64("9223372036854775807", &v));
    assert_int_equal(v, INT64_MAX);
    assert_true(parse_i64("-9223372036854775808", &v));
    assert_int_equal(v, INT64_MIN);
    v = 99;
    static const char *bad[] = {"9223372036854775808",
                                "-9223372036854775809",
                                "99999999999999999999",
                                "",
                                " 1",
                                "1 ",
                                "\t1",
                                "12a",
                                "0x10",
                                "1.5",
                                "1e3",
                                "-",
                                "+",
                                "--1",
                                "١"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (parse_i64(bad[i], &v))
            fail_msg("accepted '%s'", bad[i]);
    assert_int_equal(v, 99);
    assert_false(parse_i64(NULL, &v));
}

static void test_str_eq_and_ident_ok(void **state)
{
    (void)state;
    assert_true(str_eq(NULL, NULL));
    assert_false(str_eq("a", NULL));
    assert_false(str_eq(NULL, "a"));
    assert_true(str_eq("客户", "客户"));
    assert_false(str_eq("a", "A"));
    assert_true(ident_ok("customers"));
    assert_true(ident_ok("a1_b2"));
    assert_false(ident_ok("1abc"));
    assert_false(ident_ok("_abc"));
    assert_false(ident_ok("Abc"));
    assert_false(ident_ok("a-b"));
    assert_false(ident_ok("a b"));
    assert_false(ident_ok(""));
    assert_false(ident_ok(NULL));
    assert_false(ident_ok("name;drop"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339_utc_and_offsets_give_the_same_instant),
        cmocka_unit_test(test_rfc3339_calendar_edges),
        cmocka_unit_test(test_rfc3339_rejects_impossible_and_malformed_input),
        cmocka_unit_test(test_time_format_seconds_and_milliseconds),
        cmocka_unit_test(test_time_format_ms_before_1970_rounds_down),
        cmocka_unit_test(test_time_parse_then_format_round_trips),
        cmocka_unit_test(test_time_parse_date_is_strict),
        cmocka_unit_test(test_days_from_civil),
        cmocka_unit_test(test_utf8_valid_accepts_well_formed_text),
        cmocka_unit_test(test_utf8_valid_rejects_overlongs_surrogates_truncation_and_nul),
        cmocka_unit_test(test_utf8_len_counts_code_points),
        cmocka_unit_test(test_parse_i64_bounds_and_garbage),
        cmocka_unit_test(test_str_eq_and_ident_ok),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
