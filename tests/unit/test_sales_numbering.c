/* test_sales_numbering.c — order and quote numbers (issue #6): the record
 * engine's auto_number as the sales documents use it, on a temporary SQLite
 * database. Numbers follow the pattern (SO-{YYYY}-{000000} by default, the
 * year of the business date in UTC+8) and each other without gaps; a number
 * drawn inside a transaction that is rolled back is drawn again by the next
 * create; an order refused before it is stored draws none; an administrator's
 * pattern with date parts starts its own sequence, and going back to the
 * default continues the old one; quotes count on their own. (Concurrent
 * creates: tests/api/test_sales_docs.py Numbering, 50 at once.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/auth.h"
#include "modules/modules.h"
#include "record/record.h"
#include "testdb.h"

static struct {
    TestDb t;
    int64_t customer, product;
} fx;

static int64_t create_id(const char *entity, json_t *in)
{
    json_t *out = NULL;
    GxErr rc = record_create(&fx.t.c, meta_entity(entity), in, &out);
    json_decref(in);
    int64_t id = rc ? 0 : json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    return id;
}

static int group_setup(void **state)
{
    (void)state;
    if (!auth_init())
        return -1;
    meta_load();
    if (testdb_open(&fx.t, "numbering", true))
        return -1;
    fx.customer = create_id("customers", json_pack("{s:s}", "name", "编号测试有限公司"));
    fx.product = create_id("products", json_pack("{s:s, s:s, s:i}", "code", "NUM-1", "name", "编号测试产品", "price", 100));
    return fx.customer && fx.product ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    testdb_close(&fx.t);
    meta_free();
    return 0;
}

/* Create a one-line document (quantity as given); its number into out (or
 * "" when refused); the engine's status. */
static GxErr create_doc(const char *entity, const char *quantity, char out[64])
{
    json_t *in = json_pack("{s:I, s:[{s:I, s:s}]}", "customer_id", (json_int_t)fx.customer, "lines", "product_id",
                           (json_int_t)fx.product, "quantity", quantity);
    json_t *rec = NULL;
    GxErr rc = record_create(&fx.t.c, meta_entity(entity), in, &rec);
    json_decref(in);
    snprintf(out, 64, "%s", rc ? "" : json_string_value(json_object_get(rec, "number")));
    json_decref(rec);
    if (rc)
        ctx_clear(&fx.t.c);
    return rc;
}

static void business_date(struct tm *tm)
{
    time_t now = time(NULL) + 8 * 3600;
    gmtime_r(&now, tm);
}

/* The counter at the end of a number ("SO-2026-000042" → 42). */
static long counter(const char *number)
{
    const char *s = number + strlen(number);
    while (s > number && s[-1] >= '0' && s[-1] <= '9')
        s--;
    return strtol(s, NULL, 10);
}

static void test_numbers_follow_the_pattern_and_each_other(void **state)
{
    (void)state;
    struct tm tm;
    business_date(&tm);
    char want[64], got[64];
    long first = 0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(create_doc("orders", "1", got), GX_OK);
        if (!i)
            first = counter(got);
        snprintf(want, sizeof want, "SO-%04d-%06ld", tm.tm_year + 1900, first + i);
        assert_string_equal(got, want);
    }
    assert_int_equal(first, 1); /* a fresh database starts at 1 */
}

static void test_a_rolled_back_create_returns_its_number(void **state)
{
    (void)state;
    char before[64], inside[64], again[64], next[64];
    assert_int_equal(create_doc("orders", "1", before), GX_OK);
    assert_int_equal(db_begin(fx.t.c.db), DB_OK);
    assert_int_equal(create_doc("orders", "2", inside), GX_OK);
    assert_int_equal(counter(inside), counter(before) + 1);
    assert_int_equal(db_rollback(fx.t.c.db), DB_OK);
    assert_int_equal(create_doc("orders", "3", again), GX_OK);
    assert_string_equal(again, inside); /* the rolled-back number is drawn again */
    assert_int_equal(create_doc("orders", "1", next), GX_OK);
    assert_int_equal(counter(next), counter(again) + 1);
}

static void test_a_refused_order_draws_no_number(void **state)
{
    (void)state;
    char a[64], refused[64], b[64];
    assert_int_equal(create_doc("orders", "1", a), GX_OK);
    assert_int_not_equal(create_doc("orders", "-1", refused), GX_OK);
    assert_string_equal(refused, "");
    assert_int_equal(create_doc("orders", "1", b), GX_OK);
    assert_int_equal(counter(b), counter(a) + 1);
}

static void set_pattern(const char *pattern)
{
    DbVal p[] = {dbv_text("number_pattern.orders.number"), dbv_text(pattern)};
    int rc = pattern ? db_exec(fx.t.c.db,
                               "INSERT INTO app_settings(key, value) VALUES ($1, $2) ON CONFLICT(key)"
                               " DO UPDATE SET value = excluded.value",
                               p, 2)
                     : db_exec(fx.t.c.db, "DELETE FROM app_settings WHERE key = $1", p, 1);
    assert_int_equal(rc, DB_OK);
}

static void test_a_dated_pattern_has_its_own_sequence(void **state)
{
    (void)state;
    struct tm tm;
    business_date(&tm);
    char so[64], d1[64], d2[64], back[64], want[64];
    assert_int_equal(create_doc("orders", "1", so), GX_OK);
    set_pattern("DD{YY}{MM}{DD}/{000}");
    assert_int_equal(create_doc("orders", "1", d1), GX_OK);
    assert_int_equal(create_doc("orders", "1", d2), GX_OK);
    snprintf(want, sizeof want, "DD%02d%02d%02d/001", tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday);
    assert_string_equal(d1, want);
    snprintf(want, sizeof want, "DD%02d%02d%02d/002", tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday);
    assert_string_equal(d2, want);
    set_pattern(NULL); /* back to SO-{YYYY}-{000000}: its sequence goes on */
    assert_int_equal(create_doc("orders", "1", back), GX_OK);
    snprintf(want, sizeof want, "SO-%04d-%06ld", tm.tm_year + 1900, counter(so) + 1);
    assert_string_equal(back, want);
}

static void test_quotes_count_on_their_own(void **state)
{
    (void)state;
    struct tm tm;
    business_date(&tm);
    char q1[64], q2[64], want[64];
    assert_int_equal(create_doc("quotes", "1", q1), GX_OK);
    assert_int_equal(create_doc("quotes", "1", q2), GX_OK);
    snprintf(want, sizeof want, "QT-%04d-000001", tm.tm_year + 1900);
    assert_string_equal(q1, want);
    snprintf(want, sizeof want, "QT-%04d-000002", tm.tm_year + 1900);
    assert_string_equal(q2, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_follow_the_pattern_and_each_other),
        cmocka_unit_test(test_a_rolled_back_create_returns_its_number),
        cmocka_unit_test(test_a_refused_order_draws_no_number),
        cmocka_unit_test(test_a_dated_pattern_has_its_own_sequence),
        cmocka_unit_test(test_quotes_count_on_their_own),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
