/* test_dupes.c — duplicate keys (names without company suffixes, brackets
 * and full-width forms; phones; e-mails), CSV and vCard parsing of the
 * import, and vCard writing (folding, escaping). modules/dupes.c,
 * import.c, vcard.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/ctx.h"
#include "meta/meta.h"
#include "modules/modules.h"

static Arena arena;

static int setup(void **state)
{
    (void)state;
    arena_init(&arena);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(&arena);
    return 0;
}

static void test_name_key_ignores_suffix_brackets_width_case_and_place(void **state)
{
    (void)state;
    static const char *same[] = {"华为技术有限公司",
                                 "华为技术（北京）有限公司",
                                 "北京华为技术股份有限公司",
                                 "华为技术(深圳)集团",
                                 " 华为 技术 ",
                                 "深圳市华为技术有限责任公司",
                                 "华为技术分公司"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        assert_string_equal(dupes_name_key(&arena, same[i]), "华为技术");
    assert_string_equal(dupes_name_key(&arena, "ＡＢＣ Trading Co., Ltd."), "abctrading");
    assert_string_equal(dupes_name_key(&arena, "abc trading limited"), "abctrading");
    assert_string_equal(dupes_name_key(&arena, "【重要】星辰科技"), "星辰科技");
    /* a suffix alone is not stripped to nothing; an empty name has no key */
    assert_non_null(dupes_name_key(&arena, "有限公司"));
    assert_null(dupes_name_key(&arena, "  "));
    assert_null(dupes_name_key(&arena, "(北京)"));
    /* different companies stay different */
    assert_string_not_equal(dupes_name_key(&arena, "华为技术有限公司"), dupes_name_key(&arena, "华为终端有限公司"));
}

static void test_phone_key_is_e164_without_extension(void **state)
{
    (void)state;
    static const char *mobile[] = {"13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "86 13812345678",
                                   "138-1234-5678"};
    for (size_t i = 0; i < sizeof mobile / sizeof mobile[0]; i++)
        assert_string_equal(dupes_phone_key(&arena, mobile[i]), "+8613812345678");
    assert_string_equal(dupes_phone_key(&arena, "010-8888 6666"), dupes_phone_key(&arena, "+86 10 8888 6666"));
    assert_string_equal(dupes_phone_key(&arena, "010-88886666 转 123"), dupes_phone_key(&arena, "01088886666"));
    assert_null(dupes_phone_key(&arena, "12"));
    assert_null(dupes_phone_key(&arena, NULL));
}

static void test_email_and_code_keys(void **state)
{
    (void)state;
    assert_string_equal(dupes_email_key(&arena, "  Sales@Example.COM "), "sales@example.com");
    assert_null(dupes_email_key(&arena, "not an e-mail"));
    assert_string_equal(dupes_code_key(&arena, "91350100 m000100y43"), "91350100M000100Y43");
}

static json_t *parse(const char *text, const char *format, GxErr *rc)
{
    Ctx c;
    ctx_init(&c, &arena, NULL);
    json_t *rows = NULL;
    *rc = import_parse(&c, text, strlen(text), format, &rows);
    ctx_done(&c);
    return rows;
}

static void test_csv_quotes_newlines_tabs_and_errors(void **state)
{
    (void)state;
    GxErr rc;
    json_t *rows = parse("a,b,c\r\n\"x, y\",\"line1\nline2\",\"say \"\"hi\"\"\"\r\n1,,3\n", NULL, &rc);
    assert_int_equal(rc, GX_OK);
    assert_int_equal(json_array_size(rows), 3);
    assert_string_equal(json_string_value(json_array_get(json_array_get(rows, 1), 0)), "x, y");
    assert_string_equal(json_string_value(json_array_get(json_array_get(rows, 1), 1)), "line1\nline2");
    assert_string_equal(json_string_value(json_array_get(json_array_get(rows, 1), 2)), "say \"hi\"");
    assert_string_equal(json_string_value(json_array_get(json_array_get(rows, 2), 1)), "");
    json_decref(rows);
    rows = parse("名称\t电话\n张三\t138\n", NULL, &rc);
    assert_int_equal(rc, GX_OK);
    assert_string_equal(json_string_value(json_array_get(json_array_get(rows, 1), 1)), "138");
    json_decref(rows);
    /* an unclosed quote on the 3rd row */
    rows = parse("a,b\n1,2\n3,\"open\n4,5\n", NULL, &rc);
    assert_int_equal(rc, GX_EINVALID);
    assert_null(rows);
    /* a quote inside an unquoted field */
    rows = parse("a,b\n1,x\"y\n", NULL, &rc);
    assert_int_equal(rc, GX_EINVALID);
}

static void test_vcard_read_folding_and_quoted_printable(void **state)
{
    (void)state;
    GxErr rc;
    json_t *rows =
        parse("BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0;=E4=B8=\r\n"
              "=89\r\nTEL;CELL:139 1234 5678\r\nEND:VCARD\r\n"
              "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Li\r\n  Lei\r\nNOTE:a\\, b\\nc\r\nBDAY:19800203\r\nEND:VCARD\r\n",
              "vcf", &rc);
    assert_int_equal(rc, GX_OK);
    assert_int_equal(json_array_size(rows), 3);
    json_t *a = json_array_get(rows, 1), *b = json_array_get(rows, 2);
    assert_string_equal(json_string_value(json_array_get(a, 0)), "张三");
    assert_string_equal(json_string_value(json_array_get(a, 1)), "139 1234 5678");
    assert_string_equal(json_string_value(json_array_get(b, 0)), "Li Lei");
    assert_string_equal(json_string_value(json_array_get(b, 5)), "1980-02-03");
    assert_string_equal(json_string_value(json_array_get(b, 6)), "a, b\nc");
    json_decref(rows);
}

static void test_vcard_write_folds_at_75_octets_and_escapes(void **state)
{
    (void)state;
    meta_load();
    const Entity *e = meta_entity("contacts");
    assert_non_null(e);
    json_t *rec = json_pack(
        "{s:I, s:s, s:s, s:s}", "id", (json_int_t)7, "name", "王五", "notes",
        "备注, "
        "很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长\n第二行",
        "mobile", "+8613800138000");
    Buf b;
    buf_init(&b, &arena);
    vcard_write(&b, e, rec, 3);
    json_decref(rec);
    assert_non_null(strstr(b.data, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:王五\r\n"));
    assert_non_null(strstr(b.data, "NOTE:备注\\, 很长"));
    assert_non_null(strstr(b.data, "TEL;TYPE=CELL:+8613800138000\r\n"));
    /* every physical line is at most 75 octets; unfolding restores the note */
    Buf unfolded;
    buf_init(&unfolded, &arena);
    for (char *line = b.data; *line;) {
        char *end = strstr(line, "\r\n");
        assert_non_null(end);
        assert_true(end - line <= 75);
        if (*line == ' ')
            buf_raw_n(&unfolded, line + 1, (size_t)(end - line - 1));
        else {
            if (unfolded.len)
                buf_putc(&unfolded, '\n');
            buf_raw_n(&unfolded, line, (size_t)(end - line));
        }
        line = end + 2;
    }
    assert_non_null(strstr(
        unfolded.data,
        "很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长\\n第二行"));
    meta_free();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_key_ignores_suffix_brackets_width_case_and_place),
        cmocka_unit_test(test_phone_key_is_e164_without_extension),
        cmocka_unit_test(test_email_and_code_keys),
        cmocka_unit_test(test_csv_quotes_newlines_tabs_and_errors),
        cmocka_unit_test(test_vcard_read_folding_and_quoted_printable),
        cmocka_unit_test(test_vcard_write_folds_at_75_octets_and_escapes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
