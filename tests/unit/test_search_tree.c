/* test_search_tree.c — global search for a manager whose scope is a
 * department tree (modules/search.c): the newest matches tested one by one
 * up to a number of them (search_set_tree_probe), then — when they are
 * sparse in the tree — FTS5 asked with the tree's department keys. Both
 * ways give the same answer: the newest `limit` matches in the tree, none
 * outside it, none deleted, for two Chinese characters (the words table),
 * three or more (the trigram table), pinyin initials and a phone fragment,
 * and nothing when no match is in the tree. Runs on a temporary SQLite
 * database set up as a new installation. */
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
#include "meta/meta.h"
#include "modules/modules.h"
#include "record/record.h"
#include "testdb.h"

static TestDb t;
static Principal *manager;
static int64_t tree_ids[64], deleted_id; /* customers in the tree, oldest first */
static int ntree;

static int64_t customer(int i, int64_t owner, const char *where)
{
    char name[96], phone[40];
    snprintf(name, sizeof name, "瀚曦树形%s客户%d", where, i);
    snprintf(phone, sizeof phone, "+86 139 7733 %04d", i);
    return testdb_customer(&t, name, phone, owner);
}

static int group_setup(void **state)
{
    (void)state;
    if (!auth_init())
        return -1;
    meta_load();
    if (testdb_open(&t, "search-tree", true))
        return -1;
    int64_t a = testdb_department(&t, "华南大区", 0), a1 = testdb_department(&t, "华南一组", a),
            a2 = testdb_department(&t, "华南二组", a), b = testdb_department(&t, "华北大区", 0);
    int64_t m = testdb_user(&t, "tree_mgr", a, "sales_manager"), r1 = testdb_user(&t, "tree_r1", a1, "sales_rep"),
            r2 = testdb_user(&t, "tree_r2", a2, "sales_rep"), rb = testdb_user(&t, "tree_rb", b, "sales_rep");
    if (a < 0 || a1 < 0 || a2 < 0 || b < 0 || m < 0 || r1 < 0 || r2 < 0 || rb < 0)
        return -1;
    /* In the tree: some old ones, then many outside it, a few newer in
     * it, many more outside: the newest matches are sparse in the tree. */
    int n = 0;
    for (int i = 0; i < 4; i++)
        if ((tree_ids[ntree++] = customer(n++, i % 2 ? r1 : m, "南")) < 0)
            return -1;
    for (int i = 0; i < 40; i++)
        if (customer(n++, rb, "北") < 0)
            return -1;
    for (int i = 0; i < 3; i++)
        if ((tree_ids[ntree++] = customer(n++, r2, "南")) < 0)
            return -1;
    for (int i = 0; i < 40; i++)
        if (customer(n++, rb, "北") < 0)
            return -1;
    deleted_id = tree_ids[--ntree];
    if (record_delete(&t.c, meta_entity("customers"), deleted_id) != GX_OK)
        return -1;
    manager = acl_load(&t.c, m);
    return manager ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    search_set_tree_probe(0);
    testdb_close(&t);
    meta_free();
    return 0;
}

/* The ids search_entity lists for the manager (customers, limit 5). */
static int found(const char *q, int64_t *ids)
{
    json_t *out = json_array();
    t.c.who = manager;
    GxErr rc = search_entity(&t.c, meta_entity("customers"), q, 5, out);
    t.c.who = NULL;
    assert_int_equal(rc, GX_OK);
    size_t i;
    json_t *v;
    json_array_foreach(out, i, v) ids[i] = json_integer_value(json_object_get(v, "id"));
    int n = (int)json_array_size(out);
    json_decref(out);
    return n;
}

/* Each way (every match tested; a few tested, then the keys) lists the
 * newest five of the tree. */
static void expect_tree(const char *q)
{
    int probes[] = {100000, 3, 1};
    for (size_t k = 0; k < sizeof probes / sizeof probes[0]; k++) {
        search_set_tree_probe(probes[k]);
        int64_t ids[8];
        int n = found(q, ids);
        assert_int_equal(n, 5);
        for (int i = 0; i < n; i++)
            assert_int_equal(ids[i], tree_ids[ntree - 1 - i]); /* newest first, the deleted one left out */
    }
}

static void test_two_characters(void **state)
{
    (void)state;
    expect_tree("瀚曦");
}

static void test_three_characters(void **state)
{
    (void)state;
    expect_tree("瀚曦树");
}

static void test_pinyin_initials(void **state)
{
    (void)state;
    expect_tree("hxs"); /* 瀚曦树 */
}

static void test_phone_fragment(void **state)
{
    (void)state;
    expect_tree("7733");
}

/* Nothing of the tree matches: nothing, either way. */
static void test_no_match_in_the_tree(void **state)
{
    (void)state;
    int probes[] = {100000, 3};
    for (size_t k = 0; k < 2; k++) {
        search_set_tree_probe(probes[k]);
        int64_t ids[8];
        assert_int_equal(found("瀚曦树形北", ids), 0);
        assert_int_equal(found("瀚曦树形南", ids), 5);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_characters),   cmocka_unit_test(test_three_characters),
        cmocka_unit_test(test_pinyin_initials),  cmocka_unit_test(test_phone_fragment),
        cmocka_unit_test(test_no_match_in_the_tree),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
