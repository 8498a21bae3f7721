/* test_sortkeys.c — a list's text search with the matches' order from
 * memory (record/sortkeys.c) gives exactly the pages and totals of the
 * pass through <table>_sid_idx (sort_keys_enable(false)), page by page, and
 * keeps doing so after what another connection commits with plain SQL: a
 * changed updated_at, a row deleted to the trash and restored, a row
 * removed, new rows; after the change log was trimmed past what it read (it
 * builds again), and when an updated_at is not canonical text or an id is
 * too high for a slot (it stops remembering and the table is read). Runs on a temporary SQLite database
 * set up as a new installation; as the system context (every row) and as a
 * manager of a department tree and two sales reps (their scope: also after
 * a handover and a department move made with plain SQL elsewhere). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acl/acl.h"
#include "auth/auth.h"
#include "modules/modules.h"
#include "record/record.h"
#include "testdb.h"

#define N 60 /* customers matching 排序测试; as many others */

static TestDb t;
static int64_t ids[N];
static Db *other; /* a second connection to the same file */
/* Users: a manager of 华东 (华东 and 华东一组 below it), a rep in 华东一组,
 * a rep in 华北; each customer i owned by owners[i % 3]. */
static int64_t dept_east, dept_east1, dept_north, owners[3];
static Principal *principals[3];

static int group_setup(void **state)
{
    (void)state;
    if (testdb_open(&t, "sortkeys", true))
        return -1;
    dept_east = testdb_department(&t, "华东", 0);
    dept_east1 = testdb_department(&t, "华东一组", dept_east);
    dept_north = testdb_department(&t, "华北", 0);
    owners[0] = testdb_user(&t, "sk_mgr", dept_east, "sales_manager");
    owners[1] = testdb_user(&t, "sk_rep_east", dept_east1, "sales_rep");
    owners[2] = testdb_user(&t, "sk_rep_north", dept_north, "sales_rep");
    for (int i = 0; i < 3; i++)
        if (owners[i] < 0 || !(principals[i] = acl_load(&t.c, owners[i])))
            return -1;
    char name[96], phone[40];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "排序测试 星澜%d 有限公司", i);
        snprintf(phone, sizeof phone, "+86 137 5502 %04d", i);
        if ((ids[i] = testdb_customer(&t, name, phone, owners[i % 3])) < 0)
            return -1;
        snprintf(name, sizeof name, "别的客户 %d", i);
        snprintf(phone, sizeof phone, "+86 186 0000 %04d", i);
        if (testdb_customer(&t, name, phone, 0) < 0)
            return -1;
    }
    /* older ones touched: the order is not the ids' */
    for (int i = 2; i < N; i += 9) {
        json_t *in = json_pack("{s:s, s:I}", "notes", "touched", "version", (json_int_t)1), *out = NULL;
        GxErr rc = record_update(&t.c, meta_entity("customers"), ids[i], in, &out);
        json_decref(in);
        json_decref(out);
        if (rc != GX_OK)
            return -1;
    }
    char *err = NULL;
    other = db_open(t.path, &err);
    if (!other) {
        fprintf(stderr, "db_open: %s\n", err ? err : "?");
        free(err);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    sort_keys_enable(true);
    sort_keys_clear();
    db_close(other);
    testdb_close(&t);
    return 0;
}

typedef struct Page {
    int64_t ids[2 * N + 8];
    size_t n;
    int64_t total;
    bool capped;
} Page;

static Page list(const char *q, int64_t limit, int64_t offset, bool remembered)
{
    Page p = {.total = -1};
    ListQuery lq = {.q = q,
                    .limit = limit,
                    .offset = offset,
                    .count = true,
                    .count_limit = 10000,
                    .count_capped = &p.capped,
                    .action = ACT_READ};
    sort_keys_enable(remembered);
    json_t *rows = NULL;
    assert_int_equal(record_list(&t.c, meta_entity("customers"), &lq, &rows, &p.total), GX_OK);
    sort_keys_enable(true);
    p.n = json_array_size(rows);
    for (size_t i = 0; i < p.n; i++)
        p.ids[i] = json_integer_value(json_object_get(json_array_get(rows, i), "id"));
    json_decref(rows);
    return p;
}

/* Every page of q (a few sizes) the same either way; returns the total. */
static int64_t same_pages(const char *q)
{
    Page whole = list(q, 2 * N + 8, 0, false);
    Page mem = list(q, 2 * N + 8, 0, true);
    assert_int_equal(mem.n, whole.n);
    assert_int_equal(mem.total, whole.total);
    for (size_t i = 0; i < whole.n; i++)
        assert_int_equal(mem.ids[i], whole.ids[i]);
    const int64_t limits[] = {1, 7, 25};
    for (int l = 0; l < 3; l++)
        for (int64_t off = 0; off < (int64_t)whole.n + 3; off += limits[l] * 2 + 1) {
            Page a = list(q, limits[l], off, false), b = list(q, limits[l], off, true);
            assert_int_equal(b.n, a.n);
            for (size_t i = 0; i < a.n; i++)
                assert_int_equal(b.ids[i], a.ids[i]);
            assert_int_equal(b.total, a.total);
            assert_int_equal(b.capped, a.capped);
        }
    return whole.total;
}

static uint64_t builds(void)
{
    uint64_t a, b;
    size_t bytes;
    sort_keys_stats(&a, &b, &bytes);
    return b;
}

static uint64_t lookups_answered(void)
{
    uint64_t a, b;
    size_t bytes;
    sort_keys_stats(&a, &b, &bytes);
    return a;
}

static void sql(const char *stmt)
{
    DbConn *c = db_thread_conn(other);
    if (db_exec(c, stmt, NULL, 0) != DB_OK)
        fail_msg("%s: %s", stmt, db_errmsg(c));
}

static void test_sort_key_of(void **state)
{
    (void)state;
    assert_int_equal(sort_key_of("2026-12-08T01:55:00.123Z"), 20261208015500123LL);
    assert_true(sort_key_of("2026-12-08T01:55:00.124Z") > sort_key_of("2026-12-08T01:55:00.123Z"));
    assert_true(sort_key_of("2027-01-01T00:00:00.000Z") > sort_key_of("2026-12-31T23:59:59.999Z"));
    assert_int_equal(sort_key_of("2026-12-08T01:55:00Z"), -1);
    assert_int_equal(sort_key_of("2026-12-08 01:55:00.123Z"), -1);
    assert_int_equal(sort_key_of("2026-12-08T01:55:00.123+08:00"), -1);
    assert_int_equal(sort_key_of("2026-12-08T01:55:0x.123Z"), -1);
    assert_int_equal(sort_key_of(""), -1);
    assert_int_equal(sort_key_of(NULL), -1);
}

static void test_pages_are_the_same(void **state)
{
    (void)state;
    uint64_t before = builds(), answered = lookups_answered();
    assert_int_equal(same_pages("排序测试"), N);
    assert_true(lookups_answered() > answered); /* the remembered pages were of memory */
    assert_int_equal(same_pages("137 5502"), N);
    assert_int_equal(same_pages("星澜1"), 11); /* 星澜1, 星澜10..19 */
    assert_int_equal(builds(), before + 1);    /* built once, then followed */
}

static void test_changes_by_another_connection(void **state)
{
    (void)state;
    uint64_t before = builds();
    char s[256];
    /* an old row updated (by a statement the record engine never saw) */
    snprintf(s, sizeof s, "UPDATE customers SET updated_at = '2099-01-01T00:00:00.000Z' WHERE id = %lld",
             (long long)ids[1]);
    sql(s);
    Page p = list("排序测试", 3, 0, true);
    assert_int_equal(p.ids[0], ids[1]);
    same_pages("排序测试");
    /* to the trash, then back */
    snprintf(s, sizeof s, "UPDATE customers SET deleted_at = '2026-12-08T00:00:00.000Z' WHERE id = %lld",
             (long long)ids[1]);
    sql(s);
    p = list("排序测试", 3, 0, true);
    assert_int_not_equal(p.ids[0], ids[1]);
    assert_int_equal(same_pages("排序测试"), N - 1);
    snprintf(s, sizeof s, "UPDATE customers SET deleted_at = NULL WHERE id = %lld", (long long)ids[1]);
    sql(s);
    assert_int_equal(list("排序测试", 3, 0, true).ids[0], ids[1]);
    assert_int_equal(same_pages("排序测试"), N);
    /* removed for good (its search rows stay behind) */
    snprintf(s, sizeof s, "DELETE FROM customers WHERE id = %lld", (long long)ids[5]);
    sql(s);
    assert_int_equal(same_pages("排序测试"), N - 1);
    /* new rows: found by their ids */
    int64_t fresh = testdb_customer(&t, "排序测试 新来的", "+86 137 5502 9999", 0);
    assert_true(fresh > 0);
    p = list("排序测试", 3, 0, true);
    assert_int_equal(p.ids[1], fresh); /* after the one of 2099 */
    assert_int_equal(same_pages("排序测试"), N);
    assert_int_equal(builds(), before); /* followed, never built again */
}

/* same_pages as each user: the page and total of their scope. */
static void same_pages_as(int u, const char *q, int64_t want)
{
    t.c.who = principals[u];
    int64_t total = same_pages(q);
    t.c.who = NULL;
    if (want >= 0)
        assert_int_equal(total, want);
}

static void test_scoped_users(void **state)
{
    (void)state;
    uint64_t before = builds();
    /* ids[1] (deleted above and restored), ids[5] (removed): of the east rep and the north rep */
    int64_t mine[3] = {0};
    for (int i = 0; i < N; i++)
        if (i != 5)
            mine[i % 3]++;
    uint64_t answered = lookups_answered();
    same_pages_as(1, "排序测试", mine[1]);
    assert_true(lookups_answered() > answered);
    same_pages_as(2, "排序测试", mine[2]);
    same_pages_as(0, "排序测试", mine[0] + mine[1]); /* 华东 and below */
    same_pages_as(2, "137 5502", mine[2]);
    /* handed over and moved by plain statements elsewhere */
    char s[256];
    snprintf(s, sizeof s, "UPDATE customers SET owner_id = %lld, department_id = %lld WHERE id = %lld",
             (long long)owners[2], (long long)dept_north, (long long)ids[3]); /* the manager's, to the north rep */
    sql(s);
    snprintf(s, sizeof s, "UPDATE customers SET department_id = %lld WHERE id = %lld", (long long)dept_north,
             (long long)ids[4]); /* the east rep keeps it: owner; the manager loses it: department */
    sql(s);
    same_pages_as(2, "排序测试", mine[2] + 1);
    same_pages_as(1, "排序测试", mine[1]);
    same_pages_as(0, "排序测试", mine[0] + mine[1] - 2);
    assert_int_equal(builds(), before);
}

static void test_a_trimmed_log_builds_again(void **state)
{
    (void)state;
    char s[256];
    for (int i = 10; i < 20; i++) {
        snprintf(s, sizeof s, "UPDATE customers SET updated_at = '2098-01-01T00:00:%02d.000Z' WHERE id = %lld", i,
                 (long long)ids[i]);
        sql(s);
    }
    sql("DELETE FROM customers_chg WHERE seq < (SELECT max(seq) FROM customers_chg)"); /* nine changes lost */
    uint64_t before = builds();
    Page p = list("排序测试", 2 * N + 8, 0, true); /* all: read by their ids, not walked */
    assert_int_equal(builds(), before + 1);
    assert_int_equal(p.ids[1], ids[19]); /* 2098-…:19, after the one of 2099 */
    assert_int_equal(p.ids[2], ids[18]);
    same_pages("排序测试");
}

static void test_text_not_canonical_reads_the_table(void **state)
{
    (void)state;
    char s[256];
    snprintf(s, sizeof s, "UPDATE customers SET updated_at = '2097-01-01 00:00:00' WHERE id = %lld",
             (long long)ids[30]);
    sql(s);
    /* as text it sorts before '2097-01-01T…' would: the table decides */
    same_pages("排序测试");
    same_pages("137 5502");
}

static void test_an_id_too_high_reads_the_table(void **state)
{
    (void)state;
    sort_keys_clear(); /* the previous test switched the entity off */
    char s[256];
    snprintf(s, sizeof s, "UPDATE customers SET updated_at = '2097-01-01T00:00:00.000Z' WHERE id = %lld",
             (long long)ids[30]);
    sql(s);
    uint64_t before = builds();
    same_pages("排序测试");
    assert_int_equal(builds(), before + 1);
    /* 2^40: a slot for it would be 8 TB */
    sql("INSERT INTO customers(id, name, created_at, updated_at) VALUES (1099511627776, '很大的编号',"
        " '2026-12-08T00:00:00.000Z', '2026-12-08T00:00:00.000Z')");
    same_pages("排序测试");
    same_pages("137 5502");
    sort_keys_clear();
    assert_int_equal(same_pages("排序测试"), N); /* built again: refused at once, the table read */
}

static void test_a_budget_too_small_reads_the_table(void **state)
{
    (void)state;
    sql("DELETE FROM customers WHERE id = 1099511627776"); /* the previous test's */
    sort_keys_set_budget(16 * 1024);                       /* fewer slots than ids */
    uint64_t answered = lookups_answered();
    assert_int_equal(same_pages("排序测试"), N);
    assert_int_equal(lookups_answered(), answered); /* refused: the table every time */
    sort_keys_set_budget((size_t)32 << 20);
    assert_int_equal(same_pages("排序测试"), N);
    assert_true(lookups_answered() > answered);
}

int main(void)
{
    if (!auth_init())
        return 1;
    meta_load();
    modules_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sort_key_of),
        cmocka_unit_test(test_pages_are_the_same),
        cmocka_unit_test(test_changes_by_another_connection),
        cmocka_unit_test(test_scoped_users),
        cmocka_unit_test(test_a_trimmed_log_builds_again),
        cmocka_unit_test(test_text_not_canonical_reads_the_table),
        cmocka_unit_test(test_an_id_too_high_reads_the_table),
        cmocka_unit_test(test_a_budget_too_small_reads_the_table),
    };
    int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    meta_free();
    return rc;
}
