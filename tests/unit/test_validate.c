/* test_validate.c — meta_coerce / meta_coerce_text for every field type, on
 * synthetic Field structs: the stored value on success, the field message in
 * c.err_fields on failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "meta/meta.h"

typedef struct Fixture {
    Arena arena;
    Ctx c;
} Fixture;

static int setup(void **state)
{
    Fixture *fx = calloc(1, sizeof *fx);
    arena_init(&fx->arena);
    ctx_init(&fx->c, &fx->arena, NULL);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fixture *fx = *state;
    ctx_done(&fx->c);
    arena_free(&fx->arena);
    free(fx);
    return 0;
}

#define CTX(state) (&((Fixture *)*(state))->c)

/* Coerce v (taken) and expect success with a text value. */
static void ok_text(Ctx *c, const Field *f, json_t *v, const char *want)
{
    DbVal out = dbv_int(-1);
    bool ok = meta_coerce(c, f, v, &out);
    json_decref(v);
    if (!ok)
        fail_msg("%s: rejected: %s", f->name, json_string_value(json_object_get(c->err_fields, f->name)));
    assert_int_equal(c->err, GX_OK);
    assert_null(c->err_fields);
    assert_int_equal(out.type, DBV_TEXT);
    assert_string_equal(out.s, want);
}

/* Coerce v (taken) and expect success with an integer value. */
static void ok_int(Ctx *c, const Field *f, json_t *v, int64_t want)
{
    DbVal out = dbv_null();
    bool ok = meta_coerce(c, f, v, &out);
    json_decref(v);
    if (!ok)
        fail_msg("%s: rejected: %s", f->name, json_string_value(json_object_get(c->err_fields, f->name)));
    assert_int_equal(c->err, GX_OK);
    assert_int_equal(out.type, DBV_INT);
    assert_int_equal(out.i, want);
}

/* Coerce v (taken) and expect SQL NULL. */
static void ok_null(Ctx *c, const Field *f, json_t *v)
{
    DbVal out = dbv_int(-1);
    assert_true(meta_coerce(c, f, v, &out));
    json_decref(v);
    assert_int_equal(c->err, GX_OK);
    assert_int_equal(out.type, DBV_NULL);
}

/* Coerce v (taken) and expect the field error msg (then clear it). */
static void bad(Ctx *c, const Field *f, json_t *v, const char *msg)
{
    DbVal out;
    bool ok = meta_coerce(c, f, v, &out);
    json_decref(v);
    if (ok)
        fail_msg("%s: accepted a value that should fail with '%s'", f->name, msg);
    assert_int_equal(c->err, GX_EINVALID);
    assert_string_equal(c->err_code, "validation_failed");
    assert_int_equal(json_object_size(c->err_fields), 1);
    assert_string_equal(json_string_value(json_object_get(c->err_fields, f->name)), msg);
    ctx_clear(c);
}

static void test_string_length_counts_characters(void **state)
{
    Ctx *c = CTX(state);
    Field f = {.name = "name", .type = FT_STRING, .max_length = 4};
    ok_text(c, &f, json_string("客户名称"), "客户名称"); /* 4 characters, 12 bytes */
    ok_text(c, &f, json_string("abcd"), "abcd");
    ok_text(c, &f, json_string(""), "");
    bad(c, &f, json_string("客户名称A"), "is too long (5 characters, at most 4)");
    bad(c, &f, json_string("a\nb"), "must be a single line");
    bad(c, &f, json_string("a\rb"), "must be a single line");
    bad(c, &f, json_integer(5), "must be text");
    bad(c, &f, json_true(), "must be text");
    ok_null(c, &f, json_null());
    ok_null(c, &f, NULL);
}

static void test_text_allows_newlines(void **state)
{
    Ctx *c = CTX(state);
    Field f = {.name = "notes", .type = FT_TEXT, .max_length = 10};
    ok_text(c, &f, json_string("第一行\n第二行"), "第一行\n第二行");
    bad(c, &f, json_string("12345678901"), "is too long (11 characters, at most 10)");
}

static void test_email(void **state)
{
    Ctx *c = CTX(state);
    Field f = {.name = "email", .type = FT_EMAIL, .max_length = 254};
    ok_text(c, &f, json_string("li.lei@example.com.cn"), "li.lei@example.com.cn");
    ok_null(c, &f, json_string("")); /* empty = not set */
    static const char *bad_addresses[] = {"li.lei",   "@example.com", "a@b",   "a@b.c",   "a@@b.cn", "a@b@c.cn",
                                          "a b@c.cn", "a..b@c.cn",    "a@.cn", "a@b.cn;", "<a@b.cn>"};
    for (size_t i = 0; i < sizeof bad_addresses / sizeof bad_addresses[0]; i++)
        bad(c, &f, json_string(bad_addresses[i]), "is not a valid e-mail address");
    Field shortf = {.name = "email", .type = FT_EMAIL, .max_length = 5};
    bad(c, &shortf, json_string("a@b.cn"), "is too long (6 characters, at most 5)");
}

static void test_phone_is_normalised(void **state)
{
    Ctx *c = CTX(state);
    Field f = {.name = "phone", .type = FT_PHONE, .max_length = 32};
    ok_text(c, &f, json_string("138-1234-5678"), "+8613812345678");
    ok_text(c, &f, json_string("+86 (10) 6552.9988"), "+861065529988");
    ok_text(c, &f, json_string("  010 6552 9988"), "+861065529988");
    ok_text(c, &f, json_string("010-6552-9988 x123"), "+861065529988;ext=123");
    ok_null(c, &f, json_string(""));
    ok_null(c, &f, json_string("   "));
    bad(c, &f, json_string("1234"), "has too few digits for a mobile number (11)");
    bad(c, &f, json_string("123456789012345678901"), "has too many digits for a mobile number (11)");
    bad(c, &f, json_string("138-1234-567a"),
        "may contain only digits, spaces, dashes, brackets, a leading + and an extension (转 123)");
    bad(c, &f, json_string("6552 9988"), "needs the area code (e.g. 010 8888 6666)");
    bad(c, &f, json_string("13812345678x"), "has an extension that is not 1 to 6 digits");
    bad(c, &f, json_string("1+2345678"), "may have a + only at the start");
    bad(c, &f, json_integer(13812345678), "must be text");
}

static void test_url(void **state)
{
    Ctx *c = CTX(state);
    Field f = {.name = "website", .type = FT_URL, .max_length = 2000};
    ok_text(c, &f, json_string("https://example.com/a?b=c#d"), "https://example.com/a?b=c#d");
    ok_text(c, &f, json_string("HTTP://EXAMPLE.COM"), "HTTP://EXAMPLE.COM");
    ok_null(c, &f, json_string(""));
    const char *msg = "is not a valid web address (http:// or https://)";
    bad(c, &f, json_string("example.com"), msg);
    bad(c, &f, json_string("ftp://example.com"), msg);
    bad(c, &f, json_string("javascript:alert(1)"), msg);
    bad(c, &f, json_string("http://"), msg);
    bad(c, &f, json_string("https:///path"), msg);
    bad(c, &f, json_string("https://exa mple.com"), msg);
    bad(c, &f, json_string("https://example.com/\"><script>"), msg);
}

static void test_int_bounds(void **state)
{
    Ctx *c = CTX(state);
    Field f = {.name = "duration_min", .type = FT_INT, .has_min = true, .min = 0, .has_max = true, .max = 10080};
    ok_int(c, &f, json_integer(0), 0);
    ok_int(c, &f, json_integer(10080), 10080);
    bad(c, &f, json_integer(10081), "must be at most 10080");
    bad(c, &f, json_integer(-1), "must be at least 0");
    bad(c, &f, json_real(1.5), "must be an integer");
    bad(c, &f, json_real(2.0), "must be an integer");
    bad(c, &f, json_string("5"), "must be an integer");
    bad(c, &f, json_false(), "must be an integer");
    Field unbounded = {.name = "n", .type = FT_INT};
    ok_int(c, &unbounded, json_integer(INT64_MIN), INT64_MIN);
    ok_int(c, &unbounded, json_integer(INT64_MAX), INT64_MAX);
}

static void test_money_is_integer_fen(void **state)
{
    Ctx *c = CTX(state);
    Field f = {.name = "credit_limit", .type = FT_MONEY, .has_min = true, .min = 0};
    ok_int(c, &f, json_integer(12345), 12345);
    ok_int(c, &f, json_integer(0), 0);
    bad(c, &f, json_real(12.5), "must be an integer amount in minor units (fen)");
    bad(c, &f, json_string("123.45"), "must be an integer amount in minor units (fen)");
    bad(c, &f, json_integer(-1), "must be at least 0");
}

static void test_decimal_scale_and_bounds(void **state)
{
    Ctx *c = CTX(state);
    Field f = {.name = "rate", .type = FT_DECIMAL, .scale = 2, .has_max = true, .max = 10000};
    ok_int(c, &f, json_string("12.34"), 1234);
    ok_int(c, &f, json_string("12.340"), 1234); /* trailing zeros are not precision */
    ok_int(c, &f, json_string("12"), 1200);
    ok_int(c, &f, json_string("-0.5"), -50);
    ok_int(c, &f, json_string("+3.1"), 310);
    ok_int(c, &f, json_integer(12), 1200);
    ok_int(c, &f, json_real(12.34), 1234);
    ok_int(c, &f, json_real(0.1), 10);
    ok_int(c, &f, json_string("100.00"), 10000);
    const char *msg = "must be a number with at most 2 decimal places";
    bad(c, &f, json_string("12.345"), msg);
    bad(c, &f, json_string("12."), msg);
    bad(c, &f, json_string(".5"), msg);
    bad(c, &f, json_string("1e3"), msg);
    bad(c, &f, json_string("abc"), msg);
    bad(c, &f, json_string(""), msg);
    bad(c, &f, json_string("99999999999999999999"), msg); /* overflows int64 */
    bad(c, &f, json_real(12.345), "has more than 2 decimal places");
    bad(c, &f, json_real(1e300), "is out of range");
    bad(c, &f, json_string("100.01"), "must be at most 100.00");
    bad(c, &f, json_true(), "must be a number");
    Field pct = {
        .name = "probability", .type = FT_PERCENT, .scale = 1, .has_min = true, .min = 0, .has_max = true, .max = 1000};
    ok_int(c, &pct, json_real(12.5), 125);
    ok_int(c, &pct, json_integer(100), 1000);
    bad(c, &pct, json_string("-0.1"), "must be at least 0.0");
    bad(c, &pct, json_real(100.5), "must be at most 100.0");
    bad(c, &pct, json_string("12.55"), "must be a number with at most 1 decimal places");
}

static void test_bool(void **state)
{
    Ctx *c = CTX(state);
    Field f = {.name = "is_primary", .type = FT_BOOL};
    ok_int(c, &f, json_true(), 1);
    ok_int(c, &f, json_false(), 0);
    ok_null(c, &f, json_null());
    bad(c, &f, json_string("true"), "must be true or false");
    bad(c, &f, json_integer(1), "must be true or false");
}

static void test_date(void **state)
{
    Ctx *c = CTX(state);
    Field f = {.name = "birthday", .type = FT_DATE};
    ok_text(c, &f, json_string("2024-02-29"), "2024-02-29");
    ok_null(c, &f, json_string(""));
    bad(c, &f, json_string("2026-02-30"), "must be a date YYYY-MM-DD");
    bad(c, &f, json_string("2026-2-3"), "must be a date YYYY-MM-DD");
    bad(c, &f, json_string("2026-11-23T00:00:00Z"), "must be a date YYYY-MM-DD");
    bad(c, &f, json_integer(20260101), "must be text");
}

static void test_datetime_is_normalised_to_utc(void **state)
{
    Ctx *c = CTX(state);
    Field f = {.name = "next_follow_up", .type = FT_DATETIME};
    ok_text(c, &f, json_string("2026-11-23T09:30:00+08:00"), "2026-11-23T01:30:00Z");
    ok_text(c, &f, json_string("2026-11-22T20:00:00-05:30"), "2026-11-23T01:30:00Z");
    ok_text(c, &f, json_string("2026-11-23T01:30:00.789Z"), "2026-11-23T01:30:00Z");
    ok_text(c, &f, json_string("2026-01-01T07:00+08:00"), "2025-12-31T23:00:00Z");
    ok_null(c, &f, json_string(""));
    const char *msg = "must be a date-time in RFC 3339 form, e.g. 2026-11-23T09:30:00+08:00";
    bad(c, &f, json_string("2026-11-23"), msg);
    bad(c, &f, json_string("2026-02-30T10:00:00Z"), msg);
    bad(c, &f, json_string("tomorrow"), msg);
}

static EnumOption level_options[] = {
    {.value = "A", .label = {"A 重点客户", "A Key account"}},
    {.value = "B", .label = {"B 普通客户", "B Regular"}},
    {.value = "C", .label = {"C 非优先客户", "C Low priority"}},
};

static void test_enum(void **state)
{
    Ctx *c = CTX(state);
    Field f = {.name = "level", .type = FT_ENUM, .options = level_options, .noptions = 3};
    ok_text(c, &f, json_string("B"), "B");
    ok_null(c, &f, json_string(""));
    bad(c, &f, json_string("b"), "'b' is not one of the allowed values");
    bad(c, &f, json_string("D"), "'D' is not one of the allowed values");
    bad(c, &f, json_integer(1), "must be text");
}

static void test_multi_enum(void **state)
{
    Ctx *c = CTX(state);
    Field f = {.name = "levels", .type = FT_MULTI_ENUM, .options = level_options, .noptions = 3};
    ok_text(c, &f, json_pack("[s, s]", "C", "A"), "[\"C\",\"A\"]");
    ok_text(c, &f, json_array(), "[]");
    ok_null(c, &f, json_null());
    bad(c, &f, json_pack("[s, s, s]", "A", "B", "A"), "contains 'A' twice");
    bad(c, &f, json_pack("[s, s]", "A", "Z"), "contains a value that is not allowed");
    bad(c, &f, json_pack("[i]", 1), "contains a value that is not allowed");
    bad(c, &f, json_string("A"), "must be a list of values");
}

static void test_address(void **state)
{
    Ctx *c = CTX(state);
    Field f = {.name = "address", .type = FT_ADDRESS};
    ok_text(
        c, &f,
        json_pack("{s:s, s:s, s:s, s:n}", "street", "南京西路 1266 号", "province", "上海", "city", "上海", "postcode"),
        "{\"city\":\"上海市\",\"postcode\":null,\"province\":\"上海市\",\"street\":\"南京西路 1266 号\"}");
    /* checked against China's divisions (web/vendor/divisions.json) */
    ok_text(c, &f, json_pack("{s:s, s:s, s:s}", "province", "广东", "city", "东莞", "district", "虎门镇"),
            "{\"city\":\"东莞市\",\"district\":\"虎门镇\",\"province\":\"广东省\"}");
    ok_text(c, &f, json_pack("{s:s, s:s}", "province", "湖北省", "city", "仙桃市"),
            "{\"city\":\"仙桃市\",\"province\":\"湖北省\"}");
    bad(c, &f, json_pack("{s:s, s:s}", "province", "广东省", "city", "长沙市"),
        "has a city that is not in its province");
    bad(c, &f, json_pack("{s:s}", "city", "上海"), "needs the province of its city");
    bad(c, &f, json_pack("{s:s, s:s, s:s}", "province", "上海市", "city", "上海市", "district", "南山区"),
        "has a district that is not in its city");
    ok_text(c, &f, json_pack("{s:s, s:s}", "country", "日本", "city", "東京"),
            "{\"city\":\"東京\",\"country\":\"日本\"}");
    ok_text(c, &f, json_object(), "{}");
    bad(c, &f, json_pack("{s:s, s:s}", "street", "x", "planet", "Earth"), "has an unknown part 'planet'");
    bad(c, &f, json_pack("{s:i}", "postcode", 200040), "part 'postcode' must be text");
    bad(c, &f, json_string("上海市南京西路"), "must be an object with province, city, district, street, postcode");
    char long_street[202];
    memset(long_street, 'x', 201);
    long_street[201] = 0;
    bad(c, &f, json_pack("{s:s}", "street", long_street), "part 'street' is too long (at most 200 characters)");
}

static void test_link_and_json(void **state)
{
    Ctx *c = CTX(state);
    Field link = {.name = "customer_id", .type = FT_LINK, .target = "customers"};
    ok_int(c, &link, json_integer(42), 42);
    ok_null(c, &link, json_null());
    bad(c, &link, json_integer(0), "must be a record id (positive integer)");
    bad(c, &link, json_integer(-3), "must be a record id (positive integer)");
    bad(c, &link, json_string("42"), "must be a record id (integer)");
    Field js = {.name = "permissions", .type = FT_JSON};
    ok_text(c, &js, json_pack("{s:[i, i]}", "a", 1, 2), "{\"a\":[1,2]}");
    ok_text(c, &js, json_string("x"), "\"x\"");
    ok_text(c, &js, json_integer(3), "3");
}

static void test_computed_types_cannot_be_set(void **state)
{
    Ctx *c = CTX(state);
    Field auto_no = {.name = "code", .type = FT_AUTO_NUMBER, .pattern = "C{000000}"};
    Field formula = {.name = "total", .type = FT_FORMULA, .formula = "a + b"};
    Field multi = {.name = "role_ids", .type = FT_LINK_MULTIPLE, .target = "roles"};
    Field parent = {.name = "related", .type = FT_PARENT};
    bad(c, &auto_no, json_string("C000001"), "cannot be set directly");
    bad(c, &formula, json_integer(1), "cannot be set directly");
    bad(c, &multi, json_pack("[i]", 1), "cannot be set directly");
    bad(c, &parent, json_string("customers"), "cannot be set directly");
}

static void test_several_errors_accumulate_per_field(void **state)
{
    Ctx *c = CTX(state);
    Field a = {.name = "a", .type = FT_INT};
    Field b = {.name = "b", .type = FT_BOOL};
    DbVal out;
    json_t *va = json_string("x"), *vb = json_integer(2);
    assert_false(meta_coerce(c, &a, va, &out));
    assert_false(meta_coerce(c, &b, vb, &out));
    json_decref(va);
    json_decref(vb);
    assert_int_equal(c->err, GX_EINVALID);
    assert_string_equal(c->err_msg, "Validation failed");
    assert_int_equal(json_object_size(c->err_fields), 2);
    assert_string_equal(json_string_value(json_object_get(c->err_fields, "a")), "must be an integer");
    assert_string_equal(json_string_value(json_object_get(c->err_fields, "b")), "must be true or false");
}

/* meta_coerce_text: filter operands from a query string. */
static void test_coerce_text_for_filters(void **state)
{
    Ctx *c = CTX(state);
    DbVal out;
    Field i = {.name = "n", .type = FT_INT};
    assert_true(meta_coerce_text(c, &i, "-12", &out));
    assert_int_equal(out.type, DBV_INT);
    assert_int_equal(out.i, -12);
    assert_false(meta_coerce_text(c, &i, "12a", &out));
    assert_string_equal(json_string_value(json_object_get(c->err_fields, "n")), "'12a' is not an integer");
    ctx_clear(c);
    Field d = {.name = "rate", .type = FT_DECIMAL, .scale = 2};
    assert_true(meta_coerce_text(c, &d, "1.5", &out));
    assert_int_equal(out.i, 150);
    Field b = {.name = "ok", .type = FT_BOOL};
    assert_true(meta_coerce_text(c, &b, "1", &out));
    assert_int_equal(out.i, 1);
    assert_true(meta_coerce_text(c, &b, "false", &out));
    assert_int_equal(out.i, 0);
    assert_false(meta_coerce_text(c, &b, "yes", &out));
    assert_string_equal(json_string_value(json_object_get(c->err_fields, "ok")), "must be true or false");
    ctx_clear(c);
    Field dt = {.name = "at", .type = FT_DATETIME};
    assert_true(meta_coerce_text(c, &dt, "2026-11-23T09:30:00+08:00", &out));
    assert_string_equal(out.s, "2026-11-23T01:30:00Z");
    assert_true(meta_coerce_text(c, &dt, "2026-11-23", &out)); /* a date is its start, UTC */
    assert_string_equal(out.s, "2026-11-23T00:00:00Z");
    assert_false(meta_coerce_text(c, &dt, "2026-11-31", &out));
    assert_string_equal(json_string_value(json_object_get(c->err_fields, "at")),
                        "must be a date-time (RFC 3339) or a date");
    ctx_clear(c);
    Field s = {.name = "name", .type = FT_STRING};
    assert_true(meta_coerce_text(c, &s, "客户", &out));
    assert_int_equal(out.type, DBV_TEXT);
    assert_string_equal(out.s, "客户");
    Field js = {.name = "j", .type = FT_JSON};
    assert_false(meta_coerce_text(c, &js, "{}", &out));
    assert_string_equal(json_string_value(json_object_get(c->err_fields, "j")), "cannot be compared with text");
    ctx_clear(c);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_string_length_counts_characters),
        T(test_text_allows_newlines),
        T(test_email),
        T(test_phone_is_normalised),
        T(test_url),
        T(test_int_bounds),
        T(test_money_is_integer_fen),
        T(test_decimal_scale_and_bounds),
        T(test_bool),
        T(test_date),
        T(test_datetime_is_normalised_to_utc),
        T(test_enum),
        T(test_multi_enum),
        T(test_address),
        T(test_link_and_json),
        T(test_computed_types_cannot_be_set),
        T(test_several_errors_accumulate_per_field),
        T(test_coerce_text_for_filters),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
