/* test_audit_text.c — audit_diff_text writes an audit diff byte for byte
 * as json_dumps(JSON_COMPACT | JSON_SORT_KEYS) did: escapes, Chinese text,
 * key order, nesting, integers; reals as buf_json_real writes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "record/record.h"

static void same_as_jansson(json_t *v)
{
    Arena a;
    arena_init(&a);
    char *want = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    char *got = audit_diff_text(&a, v);
    assert_non_null(want);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(want);
    arena_free(&a);
    json_decref(v);
}

static void test_a_create_diff(void **state)
{
    (void)state;
    same_as_jansson(json_pack(
        "{s:[n,s], s:[n,s], s:[n,I], s:[n,s], s:[n,{s:s}], s:[n,b], s:[n,n], s:[n,[i,i]], s:[n,s]}", "name",
        "导入测试0000001 贸易有限公司", "phone", "+8615012345678", "credit_limit", (json_int_t)-1234567890123LL,
        "notes", "第 1 行, \"批量\"", "address", "street", "上海市 浦东新区", "active", 1, "email", "tags", 1, 2,
        "code", "C2026000001"));
}

static void test_escapes(void **state)
{
    (void)state;
    same_as_jansson(json_pack("{s:s}", "k", "a\"b\\c/d\b\f\n\r\t\x01\x1f\x7f end"));
    same_as_jansson(json_pack("{s:s, s:s}", "", "", "\xE5\x90\x8D\"", "😀 U+1F600, U+2028:\xE2\x80\xA8"));
    same_as_jansson(json_pack("{s:[s,s]}", "notes", "line 1\nline 2", "<script>&amp;</script>"));
}

static void test_key_order_and_nesting(void **state)
{
    (void)state;
    same_as_jansson(json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "b", 1, "a", 2, "ab", 3, "a_b", 4, "B", 5, "名", 6));
    same_as_jansson(json_pack("{s:{s:{s:[{s:i, s:i}]}}, s:{}, s:[]}", "z", "y", "x", "d", 1, "c", 2, "e", "f"));
    same_as_jansson(json_object());
}

/* Reals: the shortest text that reads back as the same double (jansson's
 * "%.17g" wrote a changed tax rate 6.6 as 6.5999999999999996). */
static void test_reals_are_the_shortest_exact_text(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a);
    json_t *v = json_pack("{s:[f,f], s:i, s:[f,f]}", "rate", 0.1, 1e300, "n", 3, "tax_rate_pct", 13.0, 6.6);
    assert_string_equal(audit_diff_text(&a, v), "{\"n\":3,\"rate\":[0.1,1e+300],\"tax_rate_pct\":[13.0,6.6]}");
    json_decref(v);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_create_diff),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_key_order_and_nesting),
        cmocka_unit_test(test_reals_are_the_shortest_exact_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
