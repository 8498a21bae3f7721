/* test_search_set.c — a list's text search with many matches (record.c,
 * PLAN_SET): the matches' ids held in a set while the list is walked in its
 * order give exactly the pages of the walk that tests each row's search
 * rows (record_search_set_max(0): PLAN_WALK) and of the same search read
 * through the index (sort "-updated_at,-id": never walked), page by page,
 * for a substring of the name (trigram table), a phone fragment (the digit
 * endings, with and without its trunk 0) and two Chinese characters (the
 * word table); a deleted record stays out; the walked total is the page's
 * end with count_capped set. And the page's pass over few matches
 * (PLAN_IDS, through <table>_sid_idx) counts them exactly. Runs on a
 * temporary SQLite database set up as a new installation (system context). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/auth.h"
#include "modules/modules.h"
#include "record/record.h"
#include "testdb.h"

#define N 120 /* matching customers; others: N / 2 */

static TestDb t;
static int64_t deleted_id;

static int group_setup(void **state)
{
    (void)state;
    if (testdb_open(&t, "search-set", true))
        return -1;
    int64_t ids[N];
    char name[96], phone[40];
    for (int i = 0; i < N; i++) {
        /* every third a landline of Shanghai (+86 21 …): "021 6688" finds it with its trunk 0 */
        snprintf(name, sizeof name, "集合测试 瀚曦%d 有限公司", i);
        if (i % 3)
            snprintf(phone, sizeof phone, "+86 139 7001 %04d", i);
        else
            snprintf(phone, sizeof phone, "+86 21 6688 %04d", i);
        if ((ids[i] = testdb_customer(&t, name, phone, 0)) < 0)
            return -1;
        if (i % 2 == 0) {
            snprintf(name, sizeof name, "其他客户 %d", i);
            snprintf(phone, sizeof phone, "+86 138 0000 %04d", i);
            if (testdb_customer(&t, name, phone, 0) < 0)
                return -1;
        }
    }
    /* Touch some older ones, so that the list's order is not the ids'. */
    for (int i = 3; i < 60; i += 7) {
        json_t *in = json_pack("{s:s, s:I}", "notes", "touched", "version", (json_int_t)1), *out = NULL;
        GxErr rc = record_update(&t.c, meta_entity("customers"), ids[i], in, &out);
        json_decref(in);
        json_decref(out);
        if (rc != GX_OK) {
            fprintf(stderr, "update: %s\n", t.c.err_msg ? t.c.err_msg : "?");
            return -1;
        }
    }
    deleted_id = ids[11];
    return record_delete(&t.c, meta_entity("customers"), deleted_id) == GX_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    record_search_set_max(50000);
    testdb_close(&t);
    return 0;
}

typedef struct Page {
    int64_t ids[N + 1];
    size_t n;
    int64_t total;
    bool capped;
} Page;

static Page list(const char *q, const char *sort, int64_t limit, int64_t offset)
{
    Page p = {.total = -1};
    ListQuery lq = {.q = q,
                    .sort = sort,
                    .limit = limit,
                    .offset = offset,
                    .count = true,
                    .count_limit = 10000,
                    .count_capped = &p.capped,
                    .action = ACT_READ};
    json_t *rows = NULL;
    assert_int_equal(record_list(&t.c, meta_entity("customers"), &lq, &rows, &p.total), GX_OK);
    p.n = json_array_size(rows);
    for (size_t i = 0; i < p.n; i++)
        p.ids[i] = json_integer_value(json_object_get(json_array_get(rows, i), "id"));
    json_decref(rows);
    return p;
}

static void same_pages(const char *q, size_t want)
{
    Page whole = list(q, "-updated_at,-id", N + 1, 0);
    assert_int_equal(whole.n, want);
    assert_int_equal(whole.total, (int64_t)want);
    for (size_t i = 0; i < whole.n; i++)
        assert_int_not_equal(whole.ids[i], deleted_id);
    const int64_t limits[] = {1, 7, 25};
    int walked_pages = 0;
    for (int l = 0; l < 3; l++)
        for (int64_t off = 0; off < (int64_t)want + 3; off += limits[l] * 2 + 1) {
            record_search_set_max(0);
            Page walked = list(q, NULL, limits[l], off);
            record_search_set_max(50000);
            Page set = list(q, NULL, limits[l], off);
            size_t expect = off >= (int64_t)want ? 0 : (size_t)(want - (size_t)off < (size_t)limits[l] ? want - (size_t)off : (size_t)limits[l]);
            assert_int_equal(set.n, expect);
            assert_int_equal(walked.n, expect);
            for (size_t i = 0; i < expect; i++) {
                assert_int_equal(set.ids[i], whole.ids[off + (int64_t)i]);
                assert_int_equal(walked.ids[i], whole.ids[off + (int64_t)i]);
            }
            assert_int_equal(set.total, walked.total);
            assert_int_equal(set.capped, walked.capped);
            if (set.capped) { /* walked (rows follow): not counted */
                assert_int_equal(set.total, off + (int64_t)expect);
                assert_true(off + (int64_t)expect < (int64_t)want);
                walked_pages++;
            } else {
                assert_int_equal(set.total, (int64_t)want);
            }
        }
    assert_true(walked_pages >= 3); /* the first pages of each size at least */
}

static void test_name_substring(void **state)
{
    (void)state;
    same_pages("集合测试", N - 1);
}

static void test_phone_fragment(void **state)
{
    (void)state;
    same_pages("139 7001", N - N / 3 - 1); /* ids[11] (a mobile) deleted */
}

static void test_phone_fragment_with_trunk_zero(void **state)
{
    (void)state;
    same_pages("021 6688", N / 3);
}

static void test_two_chinese_characters(void **state)
{
    (void)state;
    same_pages("瀚曦", N - 1);
}

static void test_few_matches_are_counted_exactly(void **state)
{
    (void)state;
    Page p = list("瀚曦10", NULL, 2, 0); /* 瀚曦10 and 瀚曦100..瀚曦109 */
    assert_int_equal(p.n, 2);
    assert_int_equal(p.total, 11);
    assert_false(p.capped);
    Page whole = list("瀚曦10", "-updated_at,-id", 50, 0);
    assert_int_equal(whole.n, 11);
    assert_int_equal(p.ids[0], whole.ids[0]);
    assert_int_equal(p.ids[1], whole.ids[1]);
}

/* The first len ids of the list page p equal those of whole from offset 0. */
static void same_start(const Page *p, const Page *whole, size_t len)
{
    assert_int_equal(p->n, len);
    for (size_t i = 0; i < len; i++)
        assert_int_equal(p->ids[i], whole->ids[i]);
}

static void test_a_dense_sample_walks_without_reading_every_match(void **state)
{
    (void)state;
    /* 瀚曦: 119 live matches among 180 ids — the eight newest span ~12 ids,
     * so ~120 estimated, more than half a set's max of 20: walk at once. */
    Page whole = list("瀚曦", "-updated_at,-id", N + 1, 0);
    record_search_set_max(20);
    record_search_set_sample(8);
    int64_t before = record_search_ids_read();
    Page p = list("瀚曦", NULL, 5, 0);
    int64_t read = record_search_ids_read() - before;
    record_search_set_sample(512);
    record_search_set_max(50000);
    assert_int_equal(read, 8);
    same_start(&p, &whole, 5);
    assert_true(p.capped); /* walked: counted to the page's end */
    assert_int_equal(p.total, 5);
}

/* The ids a list of q reads with the given sample and a set's max of 200. */
static int64_t ids_read_by(const char *q, int64_t sample, Page *p)
{
    record_search_set_max(200);
    record_search_set_sample(sample);
    int64_t before = record_search_ids_read();
    *p = list(q, NULL, 5, 0);
    int64_t read = record_search_ids_read() - before;
    record_search_set_sample(512);
    record_search_set_max(50000);
    return read;
}

static void test_a_sparse_full_sample_then_reads_every_match(void **state)
{
    (void)state;
    /* 021 6688: 40 matches, the newest eight span ~36 ids: ~40 estimated,
     * fewer than half a max of 200: then the rest is read, the ids below
     * the sample's — every match once, as without a sample. */
    Page whole = list("021 6688", "-updated_at,-id", N + 1, 0), p, q;
    int64_t sampled = ids_read_by("021 6688", 8, &p), plain = ids_read_by("021 6688", 0, &q);
    assert_true(plain >= N / 3);
    assert_int_equal(sampled, plain);
    same_start(&p, &whole, 5);
    same_start(&q, &whole, 5);
    assert_int_equal(p.total, q.total);
    assert_int_equal(p.capped, q.capped);
}

static void test_a_first_read_of_all_the_matches_reads_them_once(void **state)
{
    (void)state;
    /* 021 6688: 40 matches, more than a sample of 8 */
    Page whole = list("021 6688", "-updated_at,-id", N + 1, 0), p, q;
    record_search_set_first_read(64);
    int64_t read = ids_read_by("021 6688", 8, &p);
    /* fewer than the first read: not all of them, the sample decides */
    record_search_set_first_read(16);
    int64_t more = ids_read_by("021 6688", 8, &q);
    record_search_set_first_read(0);
    assert_int_equal(read, N / 3); /* once, no sample */
    assert_int_equal(more, 16 + N / 3); /* the first read in vain, then the sample and the rest below it */
    same_start(&p, &whole, 5);
    same_start(&q, &whole, 5);
}

static void test_matches_fewer_than_the_sample_are_read_once(void **state)
{
    (void)state;
    record_search_set_sample(64);
    int64_t before = record_search_ids_read();
    Page p = list("瀚曦10", NULL, 2, 0);
    int64_t read = record_search_ids_read() - before;
    record_search_set_sample(512);
    assert_int_equal(read, 11);
    assert_int_equal(p.total, 11);
    assert_false(p.capped);
}

int main(void)
{
    if (!auth_init())
        return 1;
    meta_load();
    modules_init();
    record_search_set_first_read(0); /* the sample first, but where a test sets it */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_substring),
        cmocka_unit_test(test_phone_fragment),
        cmocka_unit_test(test_phone_fragment_with_trunk_zero),
        cmocka_unit_test(test_two_chinese_characters),
        cmocka_unit_test(test_few_matches_are_counted_exactly),
        cmocka_unit_test(test_a_dense_sample_walks_without_reading_every_match),
        cmocka_unit_test(test_a_sparse_full_sample_then_reads_every_match),
        cmocka_unit_test(test_matches_fewer_than_the_sample_are_read_once),
        cmocka_unit_test(test_a_first_read_of_all_the_matches_reads_them_once),
    };
    int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    meta_free();
    return rc;
}
