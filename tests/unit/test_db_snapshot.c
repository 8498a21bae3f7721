/* test_db_snapshot.c — db_read_begin/db_read_end on SQLite: the queries of
 * a read-only request see one snapshot (a write committed meanwhile by
 * another connection stays invisible until the snapshot ends), and a write
 * or db_begin inside a snapshot ends it and succeeds instead of failing to
 * upgrade the read transaction. Also db_optimize: statistics of an FTS5
 * index's shadow tables are removed, so segment deletes seek by rowid
 * on connections opened afterwards. And db_blob_read: a BLOB read piece by
 * piece (attachment downloads) gives back the exact bytes, 0 at the end,
 * DB_ERROR for a missing row, inside a snapshot too. */
#include <pthread.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
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

static char *plan(DbConn *c, const char *sql)
{
    static char out[512];
    out[0] = 0;
    DbRes *r = NULL;
    assert_int_equal(db_query(c, sql, NULL, 0, &r), DB_OK);
    while (db_next(r) == 1)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s;", db_text(r, 3));
    db_done(r);
    return out;
}

static void test_optimize_drops_statistics_of_search_shadow_tables(void **state)
{
    (void)state;
    DbConn *c = db_thread_conn(db);
    assert_int_equal(db_exec(c, "CREATE VIRTUAL TABLE s USING fts5(a)", NULL, 0), DB_OK);
    /* Statistics taken while the index is empty (an ANALYZE of a new
     * database, or before an index is filled) say s_data has 2 rows (the
     * averages and the structure record), and the planner scans s_data for
     * a rowid range. */
    assert_int_equal(db_exec(c, "ANALYZE", NULL, 0), DB_OK);
    assert_int_equal(db_exec(c, "INSERT INTO s(a) VALUES ('one two')", NULL, 0), DB_OK);
    const char *range = "EXPLAIN QUERY PLAN DELETE FROM s_data WHERE id >= 1 AND id <= 5";
    assert_non_null(strstr(plan(c, range), "SCAN"));
    db_optimize(c);
    int64_t n = -1;
    bool found;
    assert_int_equal(db_query_int(c, "SELECT count(*) FROM sqlite_stat1 WHERE tbl LIKE 's\\_%' ESCAPE '\\'", NULL,
                                  0, &n, &found),
                     DB_OK);
    assert_int_equal(n, 0);
    assert_int_equal(db_query_int(c, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 't'", NULL, 0, &n, &found),
                     DB_OK);
    assert_int_equal(n, 1); /* ordinary tables keep theirs */
    char *err = NULL;
    DbConn *fresh = db_connect(db, &err); /* plans with the statistics as they are now */
    assert_non_null(fresh);
    assert_non_null(strstr(plan(fresh, range), "SEARCH"));
    assert_null(strstr(plan(fresh, range), "SCAN"));
    db_disconnect(fresh);
}

static void test_blob_read_in_pieces(void **state)
{
    (void)state;
    DbConn *c = db_thread_conn(db);
    size_t n = ((size_t)1 << 20) + 3;
    unsigned char *data = malloc(n), *back = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)(i * 7 + i / 251);
    assert_int_equal(db_exec(c, "CREATE TABLE files(id INTEGER PRIMARY KEY, content BLOB NOT NULL)", NULL, 0), DB_OK);
    DbVal p[] = {dbv_int(42), dbv_blob(data, n)};
    assert_int_equal(db_exec(c, "INSERT INTO files(id, content) VALUES ($1, $2)", p, 2), DB_OK);
    for (int snap = 0; snap < 2; snap++) {
        if (snap)
            db_read_begin(c);
        memset(back, 0, n);
        size_t off = 0, got;
        while (off < n) {
            assert_int_equal(db_blob_read(c, "files", "id", "content", 42, off, back + off, 65536, &got), DB_OK);
            assert_true(got == 65536 || off + got == n);
            off += got;
        }
        assert_memory_equal(back, data, n);
        assert_int_equal(db_blob_read(c, "files", "id", "content", 42, n, back, 10, &got), DB_OK);
        assert_int_equal(got, 0);
        assert_int_equal(db_blob_read(c, "files", "id", "content", 42, n - 2, back, 10, &got), DB_OK);
        assert_int_equal(got, 2);
        assert_memory_equal(back, data + n - 2, 2);
        assert_int_equal(db_blob_read(c, "files", "id", "content", 43, 0, back, 10, &got), DB_ERROR);
        assert_int_equal(got, 0);
        if (snap)
            db_read_end(c);
    }
    free(data);
    free(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_share_one_snapshot),
        cmocka_unit_test(test_write_inside_a_snapshot_succeeds),
        cmocka_unit_test(test_begin_inside_a_snapshot_succeeds),
        cmocka_unit_test(test_optimize_drops_statistics_of_search_shadow_tables),
        cmocka_unit_test(test_blob_read_in_pieces),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
