/* test_sales_pdf.c — the PDF renderer of sales documents (modules/sales/pdf.c)
 * and the money text it prints. When poppler's pdftotext is installed the
 * text of the PDF is extracted and checked too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/sales/sales.h"

static void test_money_text_groups_thousands_and_keeps_fen(void **state)
{
    (void)state;
    char t[64];
    sales_money_text(0, t);
    assert_string_equal(t, "¥0.00");
    sales_money_text(5, t);
    assert_string_equal(t, "¥0.05");
    sales_money_text(123456789, t);
    assert_string_equal(t, "¥1,234,567.89");
    sales_money_text(-100000, t);
    assert_string_equal(t, "-¥1,000.00");
    sales_money_text(INT64_MIN, t);
    assert_string_equal(t, "-¥92,233,720,368,547,758.08");
}

/* Count occurrences of needle in the len bytes of hay. */
static int count_in(const char *hay, size_t len, const char *needle)
{
    int n = 0;
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= len; i++)
        if (!memcmp(hay + i, needle, k))
            n++;
    return n;
}

static void test_quote_renders_on_several_pages_with_chinese_text(void **state)
{
    (void)state;
    Arena a;
    arena_init(&a);
    Ctx c;
    ctx_init(&c, &a, NULL);
    SalesPdfLine lines[60];
    for (int i = 0; i < 60; i++)
        lines[i] = (SalesPdfLine){.name = "工业路由器 GX-200", .description = i % 3 ? NULL : "含三年质保与上门安装服务",
                                  .quantity = "2", .unit = "台", .unit_price = 150000, .discount = "10%",
                                  .line_total = 270000};
    SalesPdfDoc d = {.lang = "zh", .title = "报价单", .number = "QT-2026-000001", .date = "2026-11-23",
                     .valid_until = "2026-12-31", .seller_name = "关系软件有限公司",
                     .seller_lines = {"上海市浦东新区世纪大道 100 号", "电话 021-12345678"},
                     .customer_name = "杭州西湖茶业有限公司", .customer_lines = {"联系人:王芳"},
                     .lines = lines, .nlines = 60, .subtotal = 18000000, .discount_total = 1800000,
                     .tax_total = 2106000, .total = 18306000, .tax_rate = "13%",
                     .total_words = "壹拾捌万叁仟零陆拾元整", .notes = "付款方式:预付 30%,发货前付清。"};
    Buf out;
    buf_init(&out, &a);
    assert_int_equal(sales_pdf_render(&c, &d, &out), GX_OK);
    assert_true(out.len > 1000);
    assert_memory_equal(out.data, "%PDF-", 5);
    assert_true(count_in(out.data, out.len, "%%EOF") >= 1);
    /* 60 lines do not fit on one A4 page */
    assert_true(count_in(out.data, out.len, "/Type /Page\n") + count_in(out.data, out.len, "/Type /Page ") +
                    count_in(out.data, out.len, "/Type /Page>") >=
                2);
    if (access("/usr/bin/pdftotext", X_OK) == 0) {
        char path[] = "/tmp/gx-test-pdf-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, out.data, out.len), (ssize_t)out.len);
        close(fd);
        char cmd[256];
        snprintf(cmd, sizeof cmd, "/usr/bin/pdftotext -enc UTF-8 %s -", path);
        FILE *f = popen(cmd, "r");
        assert_non_null(f);
        static char text[1 << 20];
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = 0;
        pclose(f);
        unlink(path);
        assert_non_null(strstr(text, "杭州西湖茶业有限公司"));
        assert_non_null(strstr(text, "¥183,060.00"));
        assert_non_null(strstr(text, "壹拾捌万叁仟零陆拾元整"));
        /* the footer of page 2 ("第 2 页"; pdftotext may drop the spaces) */
        assert_true(strstr(text, "第 2 页") || strstr(text, "第2页"));
    }
    ctx_done(&c);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_text_groups_thousands_and_keeps_fen),
        cmocka_unit_test(test_quote_renders_on_several_pages_with_chinese_text),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    sales_pdf_shutdown();
    return failed;
}
