/* test_demo.c — the demo generator on a fresh SQLite database.
 *
 * The group set-up initialises a temporary database (setup_database, as
 * `guanxi init` does) and runs demo_fill(c, 30) once; each test then checks
 * one property of what was written, with plain SQL so the record engine is
 * not trusted to check itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "base/ctx.h"
#include "db/db.h"
#include "meta/meta.h"
#include "modules/modules.h"
#include "testdb.h"

GxErr demo_fill(Ctx *c, int customers);

/* The database shared by the tests of this file. */
static TestDb fx;

/* One integer from SQL without parameters; fails the test on a db error. */
static int64_t count_of(const char *sql)
{
    int64_t n = -1;
    bool found = false;
    assert_int_equal(db_query_int(fx.c.db, sql, NULL, 0, &n, &found), DB_OK);
    assert_true(found);
    return n;
}

static int group_setup(void **state)
{
    (void)state;
    if (!auth_init())
        return -1;
    meta_load();
    if (testdb_open(&fx, "demo", true))
        return -1;
    if (demo_fill(&fx.c, 30) != GX_OK) {
        fprintf(stderr, "demo_fill: %s\n", fx.c.err_msg ? fx.c.err_msg : "?");
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    testdb_close(&fx);
    meta_free();
    return 0;
}

/* GB 32100-2015: 18 characters from the 31-character alphabet, the last one
 * the check character over the first 17. */
static bool credit_code_valid(const char *code)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    if (strlen(code) != 18)
        return false;
    int sum = 0;
    for (int i = 0; i < 18; i++) {
        const char *p = code[i] ? strchr(alphabet, code[i]) : NULL;
        if (!p)
            return false;
        if (i < 17)
            sum += (int)(p - alphabet) * weights[i];
    }
    int check = 31 - sum % 31;
    return code[17] == alphabet[check == 31 ? 0 : check];
}

/* Customers that came from converting a demo lead are counted apart. */
#define DEMO_CUSTOMERS_SQL                                                                                             \
    "SELECT count(*) FROM customers WHERE deleted_at IS NULL AND id NOT IN"                                            \
    " (SELECT customer_id FROM leads WHERE customer_id IS NOT NULL)"

static void test_demo_creates_exactly_30_customers(void **state)
{
    (void)state;
    assert_int_equal(count_of(DEMO_CUSTOMERS_SQL), 30);
    assert_int_equal(count_of("SELECT count(*) FROM customers") - 30,
                     count_of("SELECT count(*) FROM leads WHERE status = 'converted'"));
}

static void test_demo_adds_4_departments_to_the_head_office(void **state)
{
    (void)state;
    assert_int_equal(count_of("SELECT count(*) FROM departments"), 5);
    /* 华东组 (A1) sits under 销售一部 (A), which sits under HQ. */
    assert_int_equal(count_of("SELECT count(*) FROM departments a1 JOIN departments a ON a1.parent_id = a.id"
                              " JOIN departments hq ON a.parent_id = hq.id"
                              " WHERE a1.code = 'A1' AND a.code = 'A' AND hq.code = 'HQ'"),
                     1);
}

static void test_demo_adds_6_users_to_the_administrator(void **state)
{
    (void)state;
    assert_int_equal(count_of("SELECT count(*) FROM users"), 7);
    /* manager_a manages 销售一部. */
    assert_int_equal(count_of("SELECT count(*) FROM departments d JOIN users u ON d.manager_id = u.id"
                              " WHERE d.code = 'A' AND u.username = 'manager_a'"),
                     1);
}

static void test_demo_users_can_log_in_with_demo12345(void **state)
{
    (void)state;
    char *hash = NULL;
    assert_int_equal(
        db_query_text(fx.c.db, fx.c.arena, "SELECT password_hash FROM users WHERE username = 'rep_a1'", NULL, 0, &hash),
        DB_OK);
    assert_non_null(hash);
    assert_true(auth_verify_password(hash, "demo12345"));
}

static void test_every_contact_belongs_to_an_existing_customer(void **state)
{
    (void)state;
    assert_true(count_of("SELECT count(*) FROM contacts") > 0);
    assert_int_equal(count_of("SELECT count(*) FROM contacts ct WHERE NOT EXISTS (SELECT 1 FROM customers cu"
                              " WHERE cu.id = ct.customer_id AND cu.deleted_at IS NULL)"),
                     0);
}

static void test_every_company_has_exactly_one_primary_contact(void **state)
{
    (void)state;
    assert_int_equal(count_of("SELECT count(*) FROM customers cu WHERE cu.kind = 'company' AND (SELECT count(*)"
                              " FROM contacts ct WHERE ct.customer_id = cu.id AND ct.is_primary = 1) <> 1"),
                     0);
}

static void test_every_activity_refers_to_an_existing_customer_or_lead(void **state)
{
    (void)state;
    assert_true(count_of("SELECT count(*) FROM activities WHERE parent_type = 'customers'") >= 60); /* 2+ per customer */
    assert_int_equal(count_of("SELECT count(*) FROM activities a WHERE NOT EXISTS"
                              " (SELECT 1 FROM customers cu WHERE a.parent_type = 'customers' AND cu.id = a.parent_id)"
                              " AND NOT EXISTS (SELECT 1 FROM leads l WHERE a.parent_type = 'leads' AND l.id = a.parent_id)"),
                     0);
}

static void test_demo_leads_and_the_tasks_of_next_steps(void **state)
{
    (void)state;
    assert_int_equal(count_of("SELECT count(*) FROM leads"), 10);
    /* every converted lead points at the customer and contact it became */
    assert_int_equal(count_of("SELECT count(*) FROM leads l WHERE l.status = 'converted' AND NOT EXISTS"
                              " (SELECT 1 FROM contacts ct WHERE ct.id = l.contact_id AND ct.customer_id = l.customer_id)"),
                     0);
    /* every activity with a next step has an open task for its owner */
    assert_true(count_of("SELECT count(*) FROM activities WHERE next_at IS NOT NULL") > 0);
    assert_int_equal(count_of("SELECT count(*) FROM activities a WHERE a.next_at IS NOT NULL AND NOT EXISTS"
                              " (SELECT 1 FROM tasks t WHERE t.activity_id = a.id AND t.owner_id = a.owner_id"
                              " AND t.due_at = a.next_at AND t.status = 'open')"),
                     0);
}

static void test_every_credit_code_passes_the_check_character(void **state)
{
    (void)state;
    DbRes *r;
    assert_int_equal(db_query(fx.c.db, "SELECT credit_code FROM customers WHERE credit_code IS NOT NULL", NULL, 0, &r),
                     DB_OK);
    int checked = 0;
    while (db_next(r) == 1) {
        const char *code = db_text(r, 0);
        if (!credit_code_valid(code))
            fprintf(stderr, "invalid credit code %s\n", code);
        assert_true(credit_code_valid(code));
        checked++;
    }
    db_done(r);
    assert_true(checked > 0);
}

static void test_the_check_character_rejects_a_changed_code(void **state)
{
    (void)state;
    /* Guards the test's own validator: a valid code, then one digit changed. */
    assert_true(credit_code_valid("91350100M000100Y43"));
    assert_false(credit_code_valid("91350100M000100Y44"));
}

static void test_a_second_demo_run_is_refused(void **state)
{
    (void)state;
    assert_int_equal(demo_fill(&fx.c, 5), GX_ECONFLICT);
    ctx_clear(&fx.c);
    assert_int_equal(count_of(DEMO_CUSTOMERS_SQL), 30);
    assert_int_equal(count_of("SELECT count(*) FROM leads"), 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_creates_exactly_30_customers),
        cmocka_unit_test(test_demo_adds_4_departments_to_the_head_office),
        cmocka_unit_test(test_demo_adds_6_users_to_the_administrator),
        cmocka_unit_test(test_demo_users_can_log_in_with_demo12345),
        cmocka_unit_test(test_every_contact_belongs_to_an_existing_customer),
        cmocka_unit_test(test_every_company_has_exactly_one_primary_contact),
        cmocka_unit_test(test_every_activity_refers_to_an_existing_customer_or_lead),
        cmocka_unit_test(test_demo_leads_and_the_tasks_of_next_steps),
        cmocka_unit_test(test_every_credit_code_passes_the_check_character),
        cmocka_unit_test(test_the_check_character_rejects_a_changed_code),
        cmocka_unit_test(test_a_second_demo_run_is_refused),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
