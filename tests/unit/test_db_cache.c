/* test_db_cache.c — the SQLite connection's prepared-statement cache when
 * full: a connection that has met more distinct statements than the cache
 * holds (a server's lists by every filter) still compiles a statement once
 * and reuses it, and a cursor open while the cache empties itself reads on
 * to its end and its statement is reused afterwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testdb.h"

static TestDb t;

static int setup(void **state)
{
    (void)state;
    if (testdb_open(&t, "dbcache", false))
        return -1;
    DbConn *c = db_thread_conn(t.db);
    if (db_exec_script(c, "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1), (2), (3), (4), (5);") != DB_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    testdb_close(&t);
    return 0;
}

/* n distinct statements, each run once; checks each answer. */
static void distinct_statements(DbConn *c, int from, int n)
{
    for (int i = from; i < from + n; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT %d + count(*) FROM t", i);
        int64_t v = -1;
        bool found = false;
        assert_int_equal(db_query_int(c, sql, NULL, 0, &v, &found), DB_OK);
        assert_true(found);
        assert_int_equal(v, i + 5);
    }
}

static int64_t sum_x(DbConn *c, int64_t above)
{
    int64_t v = -1;
    bool found = false;
    DbVal p[] = {dbv_int(above)};
    assert_int_equal(db_query_int(c, "SELECT sum(x) FROM t WHERE x > $1", p, 1, &v, &found), DB_OK);
    assert_true(found);
    return v;
}

static void test_a_statement_is_compiled_once_after_the_cache_filled(void **state)
{
    (void)state;
    DbConn *c = db_thread_conn(t.db);
    distinct_statements(c, 1000, 1000); /* several times the cache's 256 slots */
    int64_t before = db_prepares(c);
    for (int i = 0; i < 5; i++)
        assert_int_equal(sum_x(c, i), 15 - i * (i + 1) / 2);
    assert_int_equal(db_prepares(c) - before, 1);
    /* And it stays cached while other new statements come, until the next
     * time the cache fills (192 of them at most). */
    distinct_statements(c, 5000, 20);
    before = db_prepares(c);
    assert_int_equal(sum_x(c, 2), 12);
    assert_int_equal(db_prepares(c) - before, 0);
}

static void test_a_cursor_open_while_the_cache_empties_reads_on(void **state)
{
    (void)state;
    DbConn *c = db_thread_conn(t.db);
    const char *sql = "SELECT x FROM t ORDER BY x";
    DbRes *r;
    assert_int_equal(db_query(c, sql, NULL, 0, &r), DB_OK);
    assert_int_equal(db_next(r), 1);
    assert_int_equal(db_int(r, 0), 1);
    distinct_statements(c, 20000, 600); /* empties the cache at least twice */
    /* The same statement while its cached copy is busy: a copy of its own. */
    int64_t n = -1;
    bool found = false;
    assert_int_equal(db_query_int(c, sql, NULL, 0, &n, &found), DB_OK);
    assert_int_equal(n, 1);
    for (int64_t want = 2; want <= 5; want++) {
        assert_int_equal(db_next(r), 1);
        assert_int_equal(db_int(r, 0), want);
    }
    assert_int_equal(db_next(r), 0);
    db_done(r);
    /* Run twice more: compiled at most once between them. */
    int64_t before = db_prepares(c);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(db_query(c, sql, NULL, 0, &r), DB_OK);
        int64_t want = 1;
        while (db_next(r) == 1)
            assert_int_equal(db_int(r, 0), want++);
        assert_int_equal(want, 6);
        db_done(r);
    }
    assert_true(db_prepares(c) - before <= 1);
    before = db_prepares(c);
    assert_int_equal(db_query(c, sql, NULL, 0, &r), DB_OK);
    assert_int_equal(db_next(r), 1);
    db_done(r);
    assert_int_equal(db_prepares(c) - before, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_statement_is_compiled_once_after_the_cache_filled),
        cmocka_unit_test(test_a_cursor_open_while_the_cache_empties_reads_on),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
