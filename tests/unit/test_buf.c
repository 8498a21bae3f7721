/* test_buf.c — the arena allocator and the Buf string builder with its
 * escaping writers (HTML, URL, JSON, CSV). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/buf.h"

/* ---------------------------------------------------------------------------
 * Arena */

static void test_arena_allocations_are_16_aligned_and_zeroed(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a);
    static const size_t sizes[] = {1, 3, 7, 15, 16, 17, 31, 100, 1000, 4095, 4097};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = arena_alloc(&a, sizes[i]);
        assert_int_equal((uintptr_t)p % 16, 0);
        for (size_t k = 0; k < sizes[i]; k++)
            assert_int_equal(p[k], 0);
        memset(p, 0xAB, sizes[i]);
    }
    arena_free(&a);
    assert_null(a.head);
    assert_int_equal(a.total, 0);
}

static void test_arena_small_allocations_are_packed_in_one_block(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a);
    char *p1 = arena_alloc(&a, 10);
    char *p2 = arena_alloc(&a, 10);
    char *p3 = arena_alloc(&a, 17);
    char *p4 = arena_alloc(&a, 1);
    assert_ptr_equal(p2, p1 + 16);
    assert_ptr_equal(p3, p2 + 16);
    assert_ptr_equal(p4, p3 + 32);
    arena_free(&a);
}

static void test_arena_big_allocation_gets_its_own_block_and_small_ones_continue(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a);
    char *s1 = arena_alloc(&a, 24);
    size_t before = a.total;
    unsigned char *big = arena_alloc(&a, 1 << 20);
    assert_int_equal((uintptr_t)big % 16, 0);
    for (size_t k = 0; k < (1u << 20); k += 4093)
        assert_int_equal(big[k], 0);
    assert_int_equal(big[(1 << 20) - 1], 0);
    memset(big, 0x5A, 1 << 20);
    assert_true(a.total >= before + (1 << 20));
    /* The current block keeps serving small requests right after s1. */
    char *s2 = arena_alloc(&a, 8);
    assert_ptr_equal(s2, s1 + 32);
    /* Many big allocations interleaved with small ones stay usable. */
    char *bigs[8];
    for (int i = 0; i < 8; i++) {
        bigs[i] = arena_alloc(&a, 50000 + (size_t)i);
        memset(bigs[i], 'a' + i, 50000 + (size_t)i);
        (void)arena_alloc(&a, 5);
    }
    for (int i = 0; i < 8; i++)
        assert_int_equal(bigs[i][50000 + i - 1], 'a' + i);
    arena_free(&a);
}

static void test_arena_first_allocation_big_then_small(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a);
    char *big = arena_alloc(&a, 200000);
    memset(big, 1, 200000);
    char *small = arena_alloc(&a, 3);
    assert_non_null(small);
    assert_int_equal(small[0], 0);
    assert_true(small < big || small >= big + 200000);
    arena_free(&a);
}

static void test_arena_block_size_is_configurable(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a);
    assert_int_equal(a.block_size, 16 * 1024);
    a.block_size = 256;
    char *p = arena_alloc(&a, 48);
    char *q = arena_alloc(&a, 48);
    assert_ptr_equal(q, p + 48);
    char *fits = arena_alloc(&a, 65); /* over block_size / 4, but the current block has room */
    assert_ptr_equal(fits, q + 48);
    char *big = arena_alloc(&a, 200); /* no room left: a block of its own, behind the current one */
    memset(big, 'x', 200);
    char *r = arena_alloc(&a, 16);
    assert_ptr_equal(r, fits + 80);
    arena_free(&a);
}

static void test_arena_realloc_copies_and_never_shrinks(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a);
    char *p = arena_alloc(&a, 6);
    memcpy(p, "hello", 6);
    char *other = arena_alloc(&a, 8); /* p is no longer the latest allocation */
    char *q = arena_realloc(&a, p, 6, 100);
    assert_ptr_not_equal(q, p);
    assert_ptr_not_equal(q, other);
    assert_string_equal(q, "hello");
    for (int i = 6; i < 100; i++)
        assert_int_equal(q[i], 0);
    assert_ptr_equal(arena_realloc(&a, q, 100, 50), q);
    assert_ptr_equal(arena_realloc(&a, q, 100, 100), q);
    char *fresh = arena_realloc(&a, NULL, 0, 32);
    assert_non_null(fresh);
    assert_int_equal(fresh[31], 0);
    char *huge = arena_realloc(&a, q, 100, 300000);
    assert_string_equal(huge, "hello");
    arena_free(&a);
}

static void test_arena_grows_the_latest_allocation_in_place(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a);
    char *p = arena_alloc(&a, 64);
    memcpy(p, "grow", 5);
    memset(p + 64 - 1, 'x', 1);
    char *q = arena_realloc(&a, p, 64, 256);
    assert_ptr_equal(q, p); /* latest allocation, room in the block: in place */
    assert_string_equal(q, "grow");
    for (int i = 64; i < 256; i++)
        assert_int_equal(q[i], 0); /* arena_realloc still zero-fills the new part */
    char *next = arena_alloc(&a, 16);
    assert_true(next >= q + 256); /* the next allocation comes after the grown one */
    /* arena_grow keeps only `keep` bytes and moves when p is not the latest */
    char *g = arena_grow(&a, q, 256, 5, 512);
    assert_ptr_not_equal(g, q);
    assert_string_equal(g, "grow");
    /* growing past the block moves it, keeping the content */
    char *big = arena_grow(&a, g, 512, 5, 64 * 1024);
    assert_ptr_not_equal(big, g);
    assert_string_equal(big, "grow");
    arena_free(&a);
}

static void test_arena_strings_and_printf(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a);
    assert_null(arena_strdup(&a, NULL));
    assert_string_equal(arena_strdup(&a, "客户"), "客户");
    assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
    assert_string_equal(arena_printf(&a, "%s-%d-%05.1f-%lld", "ab", 42, 3.25, -9000000000LL),
                        "ab-42-003.2--9000000000");
    assert_string_equal(arena_printf(&a, "%s", ""), "");
    /* Longer than a block. */
    char *long_s = arena_alloc(&a, 40001);
    memset(long_s, 'z', 40000);
    char *out = arena_printf(&a, "<%s>", long_s);
    assert_int_equal(strlen(out), 40002);
    assert_int_equal(out[0], '<');
    assert_int_equal(out[40000], 'z');
    assert_int_equal(out[40001], '>');
    int *n = arena_calloc(&a, 1000, sizeof(int));
    for (int i = 0; i < 1000; i++)
        assert_int_equal(n[i], 0);
    arena_free(&a);
}

/* ---------------------------------------------------------------------------
 * Buf */

typedef struct Fixture {
    Arena arena;
    Buf b;
} Fixture;

static int buf_setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    arena_init(&f->arena);
    buf_init(&f->b, &f->arena);
    *state = f;
    return 0;
}

static int buf_teardown(void **state)
{
    Fixture *f = *state;
    arena_free(&f->arena);
    free(f);
    return 0;
}

#define BUF(state) (&((Fixture *)*(state))->b)

static void test_buf_starts_empty_and_terminated(void **state)
{
    Buf *b = BUF(state);
    assert_int_equal(b->len, 0);
    assert_string_equal(b->data, "");
    assert_string_equal(buf_str(b), "");
}

static void test_buf_grows_by_doubling_and_keeps_content(void **state)
{
    Buf *b = BUF(state);
    size_t caps_seen = 0, last_cap = b->cap;
    for (int i = 0; i < 10000; i++) {
        buf_putc(b, (char)('a' + i % 26));
        if (b->cap != last_cap) {
            assert_int_equal(b->cap, last_cap * 2);
            last_cap = b->cap;
            caps_seen++;
        }
    }
    assert_int_equal(b->len, 10000);
    assert_int_equal(b->cap, 16384);
    assert_int_equal(caps_seen, 8); /* 64 -> 16384 */
    assert_int_equal(strlen(b->data), 10000);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(b->data[i], 'a' + i % 26);
    buf_raw(b, NULL);
    assert_int_equal(b->len, 10000);
    buf_raw_n(b, "xyz", 2);
    assert_int_equal(b->len, 10002);
    assert_string_equal(b->data + 9998, "opxy");
    buf_clear(b);
    assert_int_equal(b->len, 0);
    assert_string_equal(b->data, "");
    assert_int_equal(b->cap, 16384);
}

static void test_buf_printf_grows_when_the_text_does_not_fit(void **state)
{
    Buf *b = BUF(state);
    buf_printf(b, "%d:", 7);
    char big[1000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = 0;
    buf_printf(b, "[%s]%lld", big, 123456789012LL);
    assert_int_equal(b->len, 2 + 1 + 999 + 1 + 12);
    assert_memory_equal(b->data, "7:[qqq", 6);
    assert_string_equal(b->data + 2 + 1 + 999, "]123456789012");
}

static void test_buf_html_escapes_the_five_characters(void **state)
{
    Buf *b = BUF(state);
    buf_html(b, "<a href=\"x\">Tom & 'Jerry'</a> 客户");
    assert_string_equal(b->data, "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt; 客户");
    buf_clear(b);
    buf_html(b, NULL);
    buf_html(b, "");
    buf_html(b, "plain");
    buf_html(b, "&&");
    assert_string_equal(b->data, "plain&amp;&amp;");
}

static void test_buf_htmlf_escapes_strings_but_not_numbers(void **state)
{
    Buf *b = BUF(state);
    buf_htmlf(b, "<td class=\"%s\">%s</td>", "x\" onclick=\"y", "<script>&");
    assert_string_equal(b->data, "<td class=\"x&quot; onclick=&quot;y\">&lt;script&gt;&amp;</td>");
    buf_clear(b);
    buf_htmlf(b, "%d|%5d|%-3d|%u|%ld|%lld|%zu|%x|%.2f|%c|%%", -5, 42, 7, 3000000000u, -123456789L, -9007199254740993LL,
              (size_t)17, 255, 1.005, 'Z');
    assert_string_equal(b->data, "-5|   42|7  |3000000000|-123456789|-9007199254740993|17|ff|1.00|Z|%");
    buf_clear(b);
    buf_htmlf(b, "no conversions <b>");
    assert_string_equal(b->data, "no conversions <b>");
}

static void test_buf_url_percent_encodes_all_but_unreserved(void **state)
{
    Buf *b = BUF(state);
    buf_url(b, "a b&c=d/é~-_.+%?#");
    assert_string_equal(b->data, "a%20b%26c%3Dd%2F%C3%A9~-_.%2B%25%3F%23");
    buf_clear(b);
    buf_url(b, NULL);
    buf_url(b, "AZaz09");
    assert_string_equal(b->data, "AZaz09");
}

static void test_buf_json_str_escapes_quotes_controls_and_html(void **state)
{
    Buf *b = BUF(state);
    buf_json_str(b, "say \"hi\"\\ \n\r\t\x01\x1f</script>&客");
    assert_string_equal(b->data, "\"say \\\"hi\\\"\\\\ \\n\\r\\t\\u0001\\u001f\\u003c/script\\u003e\\u0026客\"");
    buf_clear(b);
    buf_json_str(b, NULL);
    buf_json_str(b, "");
    assert_string_equal(b->data, "\"\"\"\"");
}

/* Reals: the shortest text that reads back as the same double, always
 * recognisable as a real. */
static void test_buf_json_reals_are_the_shortest_exact_text(void **state)
{
    Buf *b = BUF(state);
    static const struct {
        double v;
        const char *text;
    } cases[] = {
        {2.037, "2.037"}, {4.111, "4.111"}, {0.1, "0.1"}, {1.0, "1.0"}, {-3.5, "-3.5"}, {13.0, "13.0"},
        {0.1 + 0.2, "0.30000000000000004"}, {1e300, "1e+300"}, {-0.0, "-0.0"}, {123456789012.345, "123456789012.345"},
        {1.0 / 3.0, "0.3333333333333333"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf_clear(b);
        json_t *r = json_real(cases[i].v);
        assert_true(buf_json(b, r));
        json_decref(r);
        assert_string_equal(b->data, cases[i].text);
    }
    /* any double: reads back exactly, as a real (jansson too) */
    srand(17);
    for (int i = 0; i < 20000; i++) {
        union {
            uint64_t u;
            double d;
        } x;
        x.u = ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^ (uint64_t)rand();
        if (x.d != x.d || x.d - x.d != 0) /* NaN, infinities: json_real refuses them */
            continue;
        buf_clear(b);
        json_t *r = json_real(x.d);
        assert_true(buf_json(b, r));
        json_decref(r);
        assert_true(strtod(b->data, NULL) == x.d);
        json_t *back = json_loads(b->data, JSON_DECODE_ANY, NULL);
        assert_true(json_is_real(back)); /* a real, not an integer */
        assert_true(json_real_value(back) == x.d);
        json_decref(back);
    }
}

static void test_buf_csv_quotes_only_when_needed(void **state)
{
    Buf *b = BUF(state);
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"客户 A", "客户 A"},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"two\nlines", "\"two\nlines\""},
        {"cr\rhere", "\"cr\rhere\""},
        {"", ""},
        {"1-2", "1-2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf_clear(b);
        buf_csv(b, cases[i].in);
        assert_string_equal(b->data, cases[i].out);
    }
    buf_clear(b);
    buf_csv(b, NULL);
    assert_string_equal(b->data, "");
}

static void test_buf_csv_guards_formulas_but_not_signed_numbers(void **state)
{
    Buf *b = BUF(state);
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"=1+1", "\"'=1+1\""},
        {"+1+1", "\"'+1+1\""},
        {"@SUM(A1)", "\"'@SUM(A1)\""},
        {"-2+3", "\"'-2+3\""},
        {"=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""},
        {"-", "\"'-\""},
        {"+", "\"'+\""},
        {"-5", "-5"},
        {"+5", "+5"},
        {"-12.50", "-12.50"},
        {"-0.5", "-0.5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf_clear(b);
        buf_csv(b, cases[i].in);
        assert_string_equal(b->data, cases[i].out);
    }
}

static void test_buf_int_writes_every_int64(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a);
    Buf b;
    buf_init(&b, &a);
    buf_int(&b, 0);
    buf_putc(&b, ' ');
    buf_int(&b, -7);
    buf_putc(&b, ' ');
    buf_int(&b, 1234567890123LL);
    buf_putc(&b, ' ');
    buf_int(&b, INT64_MIN);
    buf_putc(&b, ' ');
    buf_int(&b, INT64_MAX);
    assert_string_equal(b.data, "0 -7 1234567890123 -9223372036854775808 9223372036854775807");
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_int_writes_every_int64),
        cmocka_unit_test(test_arena_allocations_are_16_aligned_and_zeroed),
        cmocka_unit_test(test_arena_small_allocations_are_packed_in_one_block),
        cmocka_unit_test(test_arena_big_allocation_gets_its_own_block_and_small_ones_continue),
        cmocka_unit_test(test_arena_first_allocation_big_then_small),
        cmocka_unit_test(test_arena_block_size_is_configurable),
        cmocka_unit_test(test_arena_realloc_copies_and_never_shrinks),
        cmocka_unit_test(test_arena_grows_the_latest_allocation_in_place),
        cmocka_unit_test(test_arena_strings_and_printf),
        cmocka_unit_test_setup_teardown(test_buf_starts_empty_and_terminated, buf_setup, buf_teardown),
        cmocka_unit_test_setup_teardown(test_buf_grows_by_doubling_and_keeps_content, buf_setup, buf_teardown),
        cmocka_unit_test_setup_teardown(test_buf_printf_grows_when_the_text_does_not_fit, buf_setup, buf_teardown),
        cmocka_unit_test_setup_teardown(test_buf_html_escapes_the_five_characters, buf_setup, buf_teardown),
        cmocka_unit_test_setup_teardown(test_buf_htmlf_escapes_strings_but_not_numbers, buf_setup, buf_teardown),
        cmocka_unit_test_setup_teardown(test_buf_url_percent_encodes_all_but_unreserved, buf_setup, buf_teardown),
        cmocka_unit_test_setup_teardown(test_buf_json_str_escapes_quotes_controls_and_html, buf_setup, buf_teardown),
        cmocka_unit_test_setup_teardown(test_buf_json_reals_are_the_shortest_exact_text, buf_setup, buf_teardown),
        cmocka_unit_test_setup_teardown(test_buf_csv_quotes_only_when_needed, buf_setup, buf_teardown),
        cmocka_unit_test_setup_teardown(test_buf_csv_guards_formulas_but_not_signed_numbers, buf_setup, buf_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
