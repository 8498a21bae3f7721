/* test_list_count.c — the `total` of record_list: exact by default; with
 * count_limit, exact up to max(count_limit, offset + rows on the page) and
 * otherwise that bound with count_capped set; the last page's total (also a
 * full one) needs no count at all. Runs on a temporary SQLite database holding the head office
 * plus 11 departments (12 rows), listed as the system. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/auth.h"
#include "modules/modules.h"
#include "record/record.h"

#define NDEPTS 12 /* the head office from setup_database and 11 more */

typedef struct Fixture {
    Arena arena;
    Db *db;
    Ctx c;
    char path[64];
} Fixture;

static Fixture fx;

static int group_setup(void **state)
{
    (void)state;
    snprintf(fx.path, sizeof fx.path, "/tmp/gx-test-list-count-%d.db", (int)getpid());
    unlink(fx.path);
    char *err = NULL;
    fx.db = db_open(fx.path, &err);
    if (!fx.db)
        return -1;
    arena_init(&fx.arena);
    ctx_init(&fx.c, &fx.arena, db_thread_conn(fx.db));
    if (setup_database(&fx.c, "Admin12345", NULL) != GX_OK)
        return -1;
    for (int i = 1; i < NDEPTS; i++) {
        char name[32];
        snprintf(name, sizeof name, "部门 %02d", i);
        json_t *in = json_pack("{s:s}", "name", name), *out = NULL;
        GxErr rc = record_create(&fx.c, meta_entity("departments"), in, &out);
        json_decref(in);
        json_decref(out);
        if (rc != GX_OK)
            return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    ctx_done(&fx.c);
    arena_free(&fx.arena);
    db_close(fx.db);
    char side[96];
    unlink(fx.path);
    snprintf(side, sizeof side, "%s-wal", fx.path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", fx.path);
    unlink(side);
    return 0;
}

typedef struct Count {
    int64_t total; /* *total from record_list */
    bool capped;   /* *count_capped */
    size_t rows;   /* rows on the page */
} Count;

/* List departments with the given page and count_limit (0 = exact). */
static Count list(int64_t limit, int64_t offset, int64_t count_limit, json_t *where)
{
    Count r = {.total = -99, .capped = true};
    ListQuery lq = {.where = where,
                    .sort = "id",
                    .limit = limit,
                    .offset = offset,
                    .count = true,
                    .count_limit = count_limit,
                    .count_capped = &r.capped,
                    .action = ACT_READ};
    json_t *rows = NULL;
    assert_int_equal(record_list(&fx.c, meta_entity("departments"), &lq, &rows, &r.total), GX_OK);
    r.rows = json_array_size(rows);
    json_decref(rows);
    return r;
}

static void test_exact_without_count_limit(void **state)
{
    (void)state;
    Count r = list(5, 0, 0, NULL);
    assert_int_equal(r.total, NDEPTS);
    assert_false(r.capped);
    assert_int_equal(r.rows, 5);
}

static void test_exact_when_the_limit_is_not_reached(void **state)
{
    (void)state;
    Count r = list(5, 0, NDEPTS, NULL);
    assert_int_equal(r.total, NDEPTS);
    assert_false(r.capped);
}

static void test_capped_count_reports_the_bound(void **state)
{
    (void)state;
    Count r = list(2, 0, 5, NULL);
    assert_int_equal(r.total, 5);
    assert_true(r.capped);
    assert_int_equal(r.rows, 2);
    r = list(2, 0, NDEPTS - 1, NULL); /* one row more than the bound */
    assert_int_equal(r.total, NDEPTS - 1);
    assert_true(r.capped);
}

static void test_bound_never_below_the_rows_seen(void **state)
{
    (void)state;
    /* Page 5..6 of 12 with count_limit 3: counting goes on to offset + page = 7. */
    Count r = list(2, 5, 3, NULL);
    assert_int_equal(r.total, 7);
    assert_true(r.capped);
    /* Page 10..11 reaches the end: the bound (12) is not exceeded, exact. */
    r = list(2, 10, 3, NULL);
    assert_int_equal(r.total, NDEPTS);
    assert_false(r.capped);
}

static void test_last_page_total_is_exact_without_counting(void **state)
{
    (void)state;
    Count r = list(5, 10, 3, NULL);
    assert_int_equal(r.rows, 2);
    assert_int_equal(r.total, NDEPTS);
    assert_false(r.capped);
}

static void test_full_last_page_is_exact(void **state)
{
    (void)state;
    Count r = list(4, 8, 0, NULL); /* rows 9..12: a full page, nothing after */
    assert_int_equal(r.rows, 4);
    assert_int_equal(r.total, NDEPTS);
    assert_false(r.capped);
    r = list(NDEPTS, 0, 3, NULL);
    assert_int_equal(r.total, NDEPTS);
    assert_false(r.capped);
}

static void test_offset_past_the_end(void **state)
{
    (void)state;
    Count r = list(5, 40, 3, NULL);
    assert_int_equal(r.rows, 0);
    assert_int_equal(r.total, NDEPTS);
    assert_false(r.capped);
    json_t *where = json_pack("{s:s, s:s}", "field", "name", "value", "no such department");
    r = list(5, 0, 3, where);
    assert_int_equal(r.rows, 0);
    assert_int_equal(r.total, 0);
    assert_false(r.capped);
    json_decref(where);
}

static void test_filtered_count_is_exact_under_the_bound(void **state)
{
    (void)state;
    json_t *where = json_pack("{s:s, s:s, s:s}", "field", "name", "op", "like", "value", "部门 0");
    Count r = list(2, 0, 5, where); /* 部门 01 … 09 */
    assert_int_equal(r.total, 5);
    assert_true(r.capped);
    r = list(2, 0, 9, where);
    assert_int_equal(r.total, 9);
    assert_false(r.capped);
    json_decref(where);
}

/* Many different lists' totals are remembered side by side: 200 filters
 * (an administrator paging through 180 reps' customers) counted once, then
 * asked again, are nearly all remembered (direct-mapped slots lost about a
 * third of them to collisions). */
static void test_many_totals_are_remembered(void **state)
{
    (void)state;
    enum { N = 200 };
    json_t *where[N];
    count_cache_set_ttl_ms(600000); /* 400 lists take longer than 3 s under valgrind */
    for (int i = 0; i < N; i++)
        where[i] = json_pack("{s:s, s:s, s:I}", "field", "id", "op", "ne", "value", (json_int_t)(1000 + i));
    for (int i = 0; i < N; i++)
        assert_int_equal(list(2, 0, 0, where[i]).total, NDEPTS);
    uint64_t hits = count_cache_hits();
    for (int i = 0; i < N; i++)
        assert_int_equal(list(2, 0, 0, where[i]).total, NDEPTS);
    uint64_t again = count_cache_hits() - hits;
    for (int i = 0; i < N; i++)
        json_decref(where[i]);
    count_cache_set_ttl_ms(0);
    assert_true(again >= N * 95 / 100);
}

/* Totals are remembered (countcache.c) only while nothing was written
 * through this process: every kind of write is seen at once. Runs last: it
 * adds departments. */
static void test_remembered_totals_follow_every_write(void **state)
{
    (void)state;
    int64_t n = list(2, 0, 0, NULL).total;
    uint64_t hits = count_cache_hits();
    assert_int_equal(list(2, 0, 0, NULL).total, n); /* asked again: remembered */
    assert_int_equal(count_cache_hits(), hits + 1);
    /* Through the record engine. */
    json_t *in = json_pack("{s:s}", "name", "部门 新"), *out = NULL;
    assert_int_equal(record_create(&fx.c, meta_entity("departments"), in, &out), GX_OK);
    json_decref(in);
    json_decref(out);
    assert_int_equal(list(2, 0, 0, NULL).total, n + 1);
    /* A plain autocommit statement. */
    assert_int_equal(db_exec(fx.c.db,
                             "INSERT INTO departments(name, created_at, updated_at) VALUES ('部门 SQL', '2026-01-01T00:00:00Z',"
                             " '2026-01-01T00:00:00Z')",
                             NULL, 0),
                     DB_OK);
    assert_int_equal(list(2, 0, 0, NULL).total, n + 2);
    /* INSERT … RETURNING through db_query. */
    DbRes *r;
    assert_int_equal(db_query(fx.c.db,
                              "INSERT INTO departments(name, created_at, updated_at) VALUES ('部门 R', '2026-01-01T00:00:00Z',"
                              " '2026-01-01T00:00:00Z') RETURNING id",
                              NULL, 0, &r),
                     DB_OK);
    assert_int_equal(db_next(r), 1);
    db_done(r);
    assert_int_equal(list(2, 0, 0, NULL).total, n + 3);
    /* Inside a transaction the count sees the uncommitted row and is not
     * remembered: after the rollback the total is back. */
    assert_int_equal(db_begin(fx.c.db), DB_OK);
    assert_int_equal(db_exec(fx.c.db,
                             "INSERT INTO departments(name, created_at, updated_at) VALUES ('部门 T', '2026-01-01T00:00:00Z',"
                             " '2026-01-01T00:00:00Z')",
                             NULL, 0),
                     DB_OK);
    assert_int_equal(list(2, 0, 0, NULL).total, n + 4);
    assert_int_equal(db_rollback(fx.c.db), DB_OK);
    assert_int_equal(list(2, 0, 0, NULL).total, n + 3);
    /* Another process's write (here: another Db handle on the same file,
     * with its own generation) is seen too (PRAGMA data_version). */
    char *err = NULL;
    Db *other = db_open(fx.path, &err);
    assert_non_null(other);
    assert_int_equal(db_exec(db_thread_conn(other),
                             "INSERT INTO departments(name, created_at, updated_at) VALUES ('部门 X', '2026-01-01T00:00:00Z',"
                             " '2026-01-01T00:00:00Z')",
                             NULL, 0),
                     DB_OK);
    db_close(other);
    assert_int_equal(list(2, 0, 0, NULL).total, n + 4);
    hits = count_cache_hits();
    assert_int_equal(list(2, 0, 0, NULL).total, n + 4);
    assert_int_equal(count_cache_hits(), hits + 1);
}

int main(void)
{
    if (!auth_init())
        return 1;
    meta_load();
    modules_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_without_count_limit),
        cmocka_unit_test(test_exact_when_the_limit_is_not_reached),
        cmocka_unit_test(test_capped_count_reports_the_bound),
        cmocka_unit_test(test_bound_never_below_the_rows_seen),
        cmocka_unit_test(test_last_page_total_is_exact_without_counting),
        cmocka_unit_test(test_full_last_page_is_exact),
        cmocka_unit_test(test_offset_past_the_end),
        cmocka_unit_test(test_filtered_count_is_exact_under_the_bound),
        cmocka_unit_test(test_many_totals_are_remembered),
        cmocka_unit_test(test_remembered_totals_follow_every_write),
    };
    int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    meta_free();
    return rc;
}
