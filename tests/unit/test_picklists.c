/* test_picklists.c — the migration-3 data step of customer management
 * (picklists_migrate): default pick lists are seeded once, and customers
 * written with the old enum/text columns get the matching links.
 *
 * The set-up initialises a temporary database (all migrations, as `guanxi
 * init` does); each test writes rows the way a migration-1 database held
 * them (old columns only, links empty) with plain SQL, runs the step again
 * and checks the result with plain SQL. */
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

static TestDb fx;

static int64_t count_of(const char *sql)
{
    int64_t n = -1;
    bool found = false;
    assert_int_equal(db_query_int(fx.c.db, sql, NULL, 0, &n, &found), DB_OK);
    assert_true(found);
    return n;
}

static void exec(const char *sql)
{
    assert_int_equal(db_exec(fx.c.db, sql, NULL, 0), DB_OK);
}

static int group_setup(void **state)
{
    (void)state;
    if (!auth_init())
        return -1;
    meta_load();
    return testdb_open(&fx, "pick", true);
}

static int group_teardown(void **state)
{
    (void)state;
    testdb_close(&fx);
    meta_free();
    return 0;
}

static void test_a_new_database_has_the_default_pick_lists(void **state)
{
    (void)state;
    assert_int_equal(count_of("SELECT count(*) FROM customer_types"), 4);
    assert_int_equal(count_of("SELECT count(*) FROM customer_sources"), 11);
    assert_int_equal(count_of("SELECT count(*) FROM industries"), 11);
    assert_int_equal(count_of("SELECT count(*) FROM regions"), 7);
    assert_int_equal(count_of("SELECT discount_rate FROM customer_types WHERE code = 'distributor'"), 1500);
    assert_int_equal(count_of("SELECT count(*) FROM industries WHERE code = 'trade' AND name = '贸易/批发/零售'"), 1);
}

static void test_old_enum_values_become_links(void **state)
{
    (void)state;
    exec("INSERT INTO customers(name, created_at, updated_at, version, customer_type, source, industry, region)"
         " VALUES ('老客户甲', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 1, 'vip', 'exhibition', 'finance', "
         "'华南'),"
         " ('老客户乙', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 1, 'partner', NULL, NULL, '港澳')");
    assert_int_equal(picklists_migrate(&fx.c, false), GX_OK);
    assert_int_equal(count_of("SELECT count(*) FROM customers c JOIN customer_types t ON t.id = c.customer_type_id"
                              " WHERE c.name = '老客户甲' AND t.code = 'vip'"),
                     1);
    assert_int_equal(count_of("SELECT count(*) FROM customers c JOIN customer_sources s ON s.id = c.source_id"
                              " WHERE c.name = '老客户甲' AND s.code = 'exhibition'"),
                     1);
    assert_int_equal(count_of("SELECT count(*) FROM customers c JOIN industries i ON i.id = c.industry_id"
                              " WHERE c.name = '老客户甲' AND i.code = 'finance'"),
                     1);
    assert_int_equal(count_of("SELECT count(*) FROM customers c JOIN regions r ON r.id = c.region_id"
                              " WHERE c.name = '老客户甲' AND r.code = 'south'"),
                     1);
    /* A free-text region nobody seeded becomes a region of its own. */
    assert_int_equal(count_of("SELECT count(*) FROM customers c JOIN regions r ON r.id = c.region_id"
                              " WHERE c.name = '老客户乙' AND r.name = '港澳' AND r.code LIKE 'legacy_%'"),
                     1);
    assert_int_equal(count_of("SELECT count(*) FROM customers WHERE name = '老客户乙' AND source_id IS NULL"
                              " AND industry_id IS NULL"),
                     1);
}

static void test_running_the_step_again_changes_nothing(void **state)
{
    (void)state;
    int64_t regions = count_of("SELECT count(*) FROM regions");
    exec("UPDATE customers SET customer_type_id = (SELECT id FROM customer_types WHERE code = 'end_user')"
         " WHERE name = '老客户甲'");
    assert_int_equal(picklists_migrate(&fx.c, false), GX_OK);
    assert_int_equal(count_of("SELECT count(*) FROM customer_types"), 4);
    assert_int_equal(count_of("SELECT count(*) FROM regions"), regions);
    /* a link already set is not overwritten from the old column */
    assert_int_equal(count_of("SELECT count(*) FROM customers c JOIN customer_types t ON t.id = c.customer_type_id"
                              " WHERE c.name = '老客户甲' AND t.code = 'end_user'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_new_database_has_the_default_pick_lists),
        cmocka_unit_test(test_old_enum_values_become_links),
        cmocka_unit_test(test_running_the_step_again_changes_nothing),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
