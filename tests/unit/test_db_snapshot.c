/* test_db_snapshot.c — db_read_begin/db_read_end on SQLite: the queries of
 * a read-only request see one snapshot (a write committed meanwhile by
 * another connection stays invisible until the snapshot ends), and a write
 * or db_begin inside a snapshot ends it and succeeds instead of failing to
 * upgrade the read transaction. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"

static Db *db;
static char path[64];

static int64_t rows(DbConn *c)
{
    int64_t n = -1;
    bool found;
    assert_int_equal(db_query_int(c, "SELECT count(*) FROM t", NULL, 0, &n, &found), DB_OK);
    return n;
}

/* Another thread = another connection: insert one row and commit. */
static void *writer(void *arg)
{
    (void)arg;
    DbConn *c = db_thread_conn(db); /* closed when the thread exits */
    int rc = db_exec(c, "INSERT INTO t(x) VALUES (2)", NULL, 0);
    return (void *)(intptr_t)rc;
}

static void insert_elsewhere(void)
{
    pthread_t th;
    void *rc;
    assert_int_equal(pthread_create(&th, NULL, writer, NULL), 0);
    pthread_join(th, &rc);
    assert_int_equal((int)(intptr_t)rc, DB_OK);
}

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/gx-test-snapshot-%d.db", (int)getpid());
    unlink(path);
    char *err = NULL;
    db = db_open(path, &err);
    if (!db)
        return -1;
    DbConn *c = db_thread_conn(db);
    return db_exec(c, "CREATE TABLE t(x INTEGER)", NULL, 0) || db_exec(c, "INSERT INTO t(x) VALUES (1)", NULL, 0);
}

static int teardown(void **state)
{
    (void)state;
    db_close(db);
    char side[96];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    return 0;
}

static void test_reads_share_one_snapshot(void **state)
{
    (void)state;
    DbConn *c = db_thread_conn(db);
    int64_t before = rows(c);
    db_read_begin(c);
    assert_int_equal(rows(c), before);
    insert_elsewhere();
    assert_int_equal(rows(c), before); /* not yet visible */
    db_read_end(c);
    assert_int_equal(rows(c), before + 1);
    db_read_end(c); /* harmless without a snapshot */
}

static void test_write_inside_a_snapshot_succeeds(void **state)
{
    (void)state;
    DbConn *c = db_thread_conn(db);
    db_read_begin(c);
    int64_t before = rows(c);
    insert_elsewhere(); /* the snapshot is now stale: it could not be upgraded */
    assert_int_equal(db_exec(c, "INSERT INTO t(x) VALUES (3)", NULL, 0), DB_OK);
    assert_int_equal(rows(c), before + 2);
    db_read_end(c);
    assert_false(db_in_tx(c));
}

static void test_begin_inside_a_snapshot_succeeds(void **state)
{
    (void)state;
    DbConn *c = db_thread_conn(db);
    db_read_begin(c);
    int64_t before = rows(c);
    insert_elsewhere();
    assert_int_equal(db_begin(c), DB_OK);
    assert_int_equal(db_exec(c, "INSERT INTO t(x) VALUES (4)", NULL, 0), DB_OK);
    assert_int_equal(db_commit(c), DB_OK);
    db_read_end(c);
    assert_int_equal(rows(c), before + 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_share_one_snapshot),
        cmocka_unit_test(test_write_inside_a_snapshot_succeeds),
        cmocka_unit_test(test_begin_inside_a_snapshot_succeeds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
