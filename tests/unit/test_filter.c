/* test_filter.c — the filter compiler (record/filter.c) against the real
 * built-in metadata: the exact SQL text and bound parameters produced for
 * filter trees, query-string filters, sort specs and text search, and the
 * 400s for what it must refuse.
 *
 * The context acts as the system (who = NULL: every field visible) on a real
 * SQLite connection to a temporary file, because the compiler asks the
 * connection for its dialect. No tables are needed: nothing is executed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/record.h"

typedef struct Fixture {
    char dir[64];   /* temporary directory */
    char path[128]; /* database file in it */
    Db *db;         /* the database */
    DbConn *conn;   /* this thread's connection */
    Arena arena;    /* per-test memory */
    Ctx c;          /* the context under test */
    Sql q;          /* statement being compiled */
    json_t *keep;   /* filter trees of the test: bound values may point into them */
    const Entity *customers;
    const Entity *activities;
} Fixture;

static Fixture fx;

static int group_setup(void **state)
{
    (void)state;
    meta_load();
    snprintf(fx.dir, sizeof fx.dir, "/tmp/guanxi-test-filter.XXXXXX");
    if (!mkdtemp(fx.dir))
        return -1;
    snprintf(fx.path, sizeof fx.path, "%s/filter.db", fx.dir);
    char *err = NULL;
    fx.db = db_open(fx.path, &err);
    if (!fx.db) {
        fprintf(stderr, "db_open: %s\n", err ? err : "?");
        free(err);
        return -1;
    }
    fx.conn = db_thread_conn(fx.db);
    fx.customers = meta_entity("customers");
    fx.activities = meta_entity("activities");
    return fx.conn && fx.customers && fx.activities ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    db_close(fx.db);
    unlink(fx.path);
    char wal[160];
    snprintf(wal, sizeof wal, "%s-wal", fx.path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", fx.path);
    unlink(wal);
    rmdir(fx.dir);
    meta_free();
    return 0;
}

static int setup(void **state)
{
    (void)state;
    arena_init(&fx.arena);
    ctx_init(&fx.c, &fx.arena, fx.conn);
    sql_init(&fx.q, &fx.arena);
    fx.keep = json_array();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ctx_done(&fx.c);
    arena_free(&fx.arena);
    json_decref(fx.keep);
    return 0;
}

/* Compile a filter given as JSON text for e. Like a request, the tree lives
 * until the test ends (bound text values may point into it); values the
 * compiler derives itself must not point into memory it frees. */
static GxErr compile_on(const Entity *e, const char *json)
{
    json_error_t jerr;
    json_t *where = json_loads(json, 0, &jerr);
    if (!where)
        fail_msg("bad test JSON %s: %s", json, jerr.text);
    json_array_append_new(fx.keep, where);
    return record_filter_compile(&fx.c, e, where, &fx.q);
}

static GxErr compile(const char *json)
{
    return compile_on(fx.customers, json);
}

static void assert_sql(const char *want)
{
    assert_string_equal(fx.q.text.data, want);
}

static void assert_text_param(int n, const char *want)
{
    assert_true(n <= fx.q.n);
    assert_int_equal(fx.q.params[n - 1].type, DBV_TEXT);
    assert_string_equal(fx.q.params[n - 1].s, want);
}

static void assert_int_param(int n, int64_t want)
{
    assert_true(n <= fx.q.n);
    assert_int_equal(fx.q.params[n - 1].type, DBV_INT);
    assert_int_equal(fx.q.params[n - 1].i, want);
}

/* Expect a 400 with this message. */
static void assert_bad_request(GxErr rc, const char *msg)
{
    assert_int_equal(rc, GX_EBADREQ);
    assert_int_equal(fx.c.err, GX_EBADREQ);
    assert_string_equal(fx.c.err_code, "bad_request");
    assert_string_equal(fx.c.err_msg, msg);
}

/* ---------------------------------------------------------------------------
 * filter trees */

static void test_no_filter_adds_nothing(void **state)
{
    (void)state;
    assert_int_equal(record_filter_compile(&fx.c, fx.customers, NULL, &fx.q), GX_OK);
    json_t *null = json_null();
    assert_int_equal(record_filter_compile(&fx.c, fx.customers, null, &fx.q), GX_OK);
    assert_sql("");
    assert_int_equal(fx.q.n, 0);
}

static void test_eq_binds_the_value(void **state)
{
    (void)state;
    assert_int_equal(compile("{\"field\": \"name\", \"op\": \"eq\", \"value\": \"上海贸易\"}"), GX_OK);
    assert_sql(" AND name = $1");
    assert_int_equal(fx.q.n, 1);
    assert_text_param(1, "上海贸易");
}

static void test_op_defaults_to_eq(void **state)
{
    (void)state;
    assert_int_equal(compile("{\"field\": \"level\", \"value\": \"A\"}"), GX_OK);
    assert_sql(" AND level = $1");
    assert_text_param(1, "A");
}

static void test_ne(void **state)
{
    (void)state;
    assert_int_equal(compile("{\"field\": \"status\", \"op\": \"ne\", \"value\": \"inactive\"}"), GX_OK);
    assert_sql(" AND status <> $1");
    assert_text_param(1, "inactive");
}

static void test_comparisons_on_money_bind_integers(void **state)
{
    (void)state;
    assert_int_equal(compile("{\"and\": [{\"field\": \"credit_limit\", \"op\": \"lt\", \"value\": 100000},"
                             " {\"field\": \"credit_limit\", \"op\": \"le\", \"value\": \"99999\"},"
                             " {\"field\": \"credit_limit\", \"op\": \"gt\", \"value\": -5},"
                             " {\"field\": \"credit_limit\", \"op\": \"ge\", \"value\": \"0\"}]}"),
                     GX_OK);
    assert_sql(" AND (credit_limit < $1 AND credit_limit <= $2 AND credit_limit > $3 AND credit_limit >= $4)");
    assert_int_equal(fx.q.n, 4);
    assert_int_param(1, 100000);
    assert_int_param(2, 99999);
    assert_int_param(3, -5); /* the field's min 0 bounds stored values, not filter operands */
    assert_int_param(4, 0);
}

static void test_money_filter_rejects_fractions(void **state)
{
    (void)state;
    assert_bad_request(compile("{\"field\": \"credit_limit\", \"op\": \"gt\", \"value\": 12.5}"),
                       "Filter 'credit_limit': must be an integer amount in minor units (fen)");
    assert_null(fx.c.err_fields);
}

static void test_money_filter_rejects_non_numeric_text(void **state)
{
    (void)state;
    assert_bad_request(compile("{\"field\": \"credit_limit\", \"op\": \"gt\", \"value\": \"12.50\"}"),
                       "Filter 'credit_limit': '12.50' is not an integer");
}

static void test_like_escapes_wildcards(void **state)
{
    (void)state;
    assert_int_equal(compile("{\"field\": \"name\", \"op\": \"like\", \"value\": \"50%\"}"), GX_OK);
    assert_sql(" AND name LIKE $1 ESCAPE '\\'");
    assert_text_param(1, "%50\\%%");
    sql_init(&fx.q, &fx.arena);
    assert_int_equal(compile("{\"field\": \"notes\", \"op\": \"like\", \"value\": \"a_b\\\\c 客户\"}"), GX_OK);
    assert_sql(" AND notes LIKE $1 ESCAPE '\\'");
    assert_text_param(1, "%a\\_b\\\\c 客户%");
}

static void test_like_needs_text(void **state)
{
    (void)state;
    assert_bad_request(compile("{\"field\": \"name\", \"op\": \"like\", \"value\": 5}"),
                       "Filter 'name' like: value must be text");
}

static void test_in_with_a_list(void **state)
{
    (void)state;
    assert_int_equal(compile("{\"field\": \"level\", \"op\": \"in\", \"value\": [\"A\", \"B\"]}"), GX_OK);
    assert_sql(" AND level IN ($1, $2)");
    assert_int_equal(fx.q.n, 2);
    assert_text_param(1, "A");
    assert_text_param(2, "B");
}

static void test_in_with_a_comma_separated_string(void **state)
{
    (void)state;
    /* The string form comes from the query string (level[in]=A,B); the
     * compiler splits it into a temporary list, so the bound values must be
     * copies that outlive it. */
    assert_int_equal(compile("{\"field\": \"level\", \"op\": \"in\", \"value\": \"A,B,C\"}"), GX_OK);
    assert_sql(" AND level IN ($1, $2, $3)");
    assert_text_param(1, "A");
    assert_text_param(2, "B");
    assert_text_param(3, "C");
    sql_init(&fx.q, &fx.arena);
    assert_int_equal(compile("{\"field\": \"id\", \"op\": \"in\", \"value\": \"3,1,2\"}"), GX_OK);
    assert_sql(" AND id IN ($1, $2, $3)");
    assert_int_param(1, 3);
    assert_int_param(2, 1);
    assert_int_param(3, 2);
}

static void test_in_limits(void **state)
{
    (void)state;
    assert_bad_request(compile("{\"field\": \"level\", \"op\": \"in\", \"value\": []}"),
                       "Filter 'level' in: value must be a list of 1 to 500 values");
    ctx_clear(&fx.c);
    Buf b;
    buf_init(&b, &fx.arena);
    buf_raw(&b, "{\"field\": \"id\", \"op\": \"in\", \"value\": [1");
    for (int i = 2; i <= 501; i++)
        buf_printf(&b, ", %d", i);
    buf_raw(&b, "]}");
    assert_bad_request(compile(b.data), "Filter 'id' in: value must be a list of 1 to 500 values");
    ctx_clear(&fx.c);
    assert_bad_request(compile("{\"field\": \"id\", \"op\": \"in\", \"value\": \"1,x\"}"),
                       "Filter 'id': 'x' is not an integer");
}

static void test_null_true_and_false(void **state)
{
    (void)state;
    assert_int_equal(compile("{\"or\": [{\"field\": \"email\", \"op\": \"null\", \"value\": true},"
                             " {\"field\": \"email\", \"op\": \"null\", \"value\": false},"
                             " {\"field\": \"phone\", \"op\": \"null\", \"value\": \"false\"},"
                             " {\"field\": \"phone\", \"op\": \"null\", \"value\": \"1\"},"
                             " {\"field\": \"website\", \"op\": \"null\"}]}"),
                     GX_OK);
    assert_sql(" AND (email IS NULL OR email IS NOT NULL OR phone IS NOT NULL OR phone IS NULL OR website IS NULL)");
    assert_int_equal(fx.q.n, 0);
    ctx_clear(&fx.c);
    assert_bad_request(compile("{\"field\": \"email\", \"op\": \"null\", \"value\": \"maybe\"}"),
                       "Filter 'email' null: value must be true or false");
}

static void test_nested_and_or(void **state)
{
    (void)state;
    assert_int_equal(compile("{\"or\": [{\"and\": [{\"field\": \"level\", \"value\": \"A\"},"
                             " {\"field\": \"credit_limit\", \"op\": \"ge\", \"value\": 500000}]},"
                             " {\"field\": \"name\", \"op\": \"like\", \"value\": \"集团\"},"
                             " {\"and\": []}, {\"or\": []}]}"),
                     GX_OK);
    assert_sql(" AND ((level = $1 AND credit_limit >= $2) OR name LIKE $3 ESCAPE '\\' OR 1=1 OR 1=0)");
    assert_int_equal(fx.q.n, 3);
    assert_text_param(1, "A");
    assert_int_param(2, 500000);
    assert_text_param(3, "%集团%");
}

static void test_common_columns_and_parent_columns(void **state)
{
    (void)state;
    assert_int_equal(
        compile("{\"and\": [{\"field\": \"id\", \"value\": 7},"
                " {\"field\": \"owner_id\", \"op\": \"in\", \"value\": [1, 2]},"
                " {\"field\": \"created_at\", \"op\": \"ge\", \"value\": \"2026-11-23\"},"
                " {\"field\": \"updated_at\", \"op\": \"lt\", \"value\": \"2026-11-23T09:30:00+08:00\"}]}"),
        GX_OK);
    assert_sql(" AND (id = $1 AND owner_id IN ($2, $3) AND created_at >= $4 AND updated_at < $5)");
    assert_int_param(1, 7);
    assert_int_param(2, 1);
    assert_int_param(3, 2);
    assert_text_param(4, "2026-11-23T00:00:00Z");
    assert_text_param(5, "2026-11-23T01:30:00Z");
    sql_init(&fx.q, &fx.arena);
    assert_int_equal(compile_on(fx.activities, "{\"and\": [{\"field\": \"parent_type\", \"value\": \"customers\"},"
                                               " {\"field\": \"parent_id\", \"value\": \"42\"}]}"),
                     GX_OK);
    assert_sql(" AND (parent_type = $1 AND parent_id = $2)");
    assert_text_param(1, "customers");
    assert_int_param(2, 42);
}

static void test_unknown_field_is_bad_request(void **state)
{
    (void)state;
    assert_bad_request(compile("{\"field\": \"nosuch\", \"value\": 1}"), "Cannot filter on unknown field 'nosuch'");
    ctx_clear(&fx.c);
    /* deleted_at is the trash's business, not a filter */
    assert_bad_request(compile("{\"field\": \"deleted_at\", \"op\": \"null\"}"),
                       "Cannot filter on unknown field 'deleted_at'");
    ctx_clear(&fx.c);
    /* a parent field is filtered through its _type / _id columns */
    assert_bad_request(compile_on(fx.activities, "{\"field\": \"parent\", \"value\": 1}"),
                       "Cannot filter on unknown field 'parent'");
    ctx_clear(&fx.c);
    assert_bad_request(compile("{\"field\": \"name; DROP TABLE customers\", \"value\": 1}"),
                       "Cannot filter on unknown field 'name; DROP TABLE customers'");
}

static void test_unknown_op_is_bad_request(void **state)
{
    (void)state;
    assert_bad_request(compile("{\"field\": \"name\", \"op\": \"contains\", \"value\": \"x\"}"),
                       "Unknown filter operator 'contains' (use eq, ne, lt, le, gt, ge, like, in, null)");
}

static void test_malformed_trees_are_bad_requests(void **state)
{
    (void)state;
    assert_bad_request(compile("{\"value\": 1}"), "A filter condition needs \"field\"");
    ctx_clear(&fx.c);
    assert_bad_request(compile("{\"field\": \"name\", \"value\": \"x\", \"extra\": 1}"),
                       "Unknown key 'extra' in a filter condition");
    ctx_clear(&fx.c);
    assert_bad_request(compile("{\"and\": [], \"or\": []}"), "A filter group has exactly one key, \"and\" or \"or\"");
    ctx_clear(&fx.c);
    assert_bad_request(compile("{\"or\": {\"field\": \"name\"}}"), "\"or\" must be a list of conditions");
    ctx_clear(&fx.c);
    assert_bad_request(
        compile("{\"and\": [1]}"),
        "A filter must be an object: {\"and\": [...]}, {\"or\": [...]} or {\"field\", \"op\", \"value\"}");
    ctx_clear(&fx.c);
    assert_bad_request(compile("{\"field\": \"name\", \"value\": [\"a\"]}"), "Filter 'name' eq: needs a single value");
    ctx_clear(&fx.c);
    assert_bad_request(compile("{\"field\": \"name\", \"value\": true}"),
                       "Filter 'name': has a filter value of the wrong type");
}

/* A condition wrapped in `levels` and-groups. */
static const char *nested(int levels)
{
    Buf b;
    buf_init(&b, &fx.arena);
    for (int i = 0; i < levels; i++)
        buf_raw(&b, "{\"and\": [");
    buf_raw(&b, "{\"field\": \"id\", \"value\": 1}");
    for (int i = 0; i < levels; i++)
        buf_raw(&b, "]}");
    return b.data;
}

static void test_nesting_depth_is_limited(void **state)
{
    (void)state;
    assert_int_equal(compile(nested(8)), GX_OK);
    assert_sql(" AND ((((((((id = $1))))))))");
    sql_init(&fx.q, &fx.arena);
    assert_bad_request(compile(nested(9)), "Filter is nested too deeply (at most 8 levels)");
    ctx_clear(&fx.c);
    sql_init(&fx.q, &fx.arena);
    assert_bad_request(compile(nested(50)), "Filter is nested too deeply (at most 8 levels)");
}

static void test_condition_count_is_limited(void **state)
{
    (void)state;
    Buf b;
    buf_init(&b, &fx.arena);
    buf_raw(&b, "{\"or\": [");
    for (int i = 0; i < 100; i++)
        buf_printf(&b, "%s{\"field\": \"id\", \"value\": %d}", i ? ", " : "", i);
    buf_raw(&b, "]}");
    /* the group counts too: 101 nodes */
    assert_bad_request(compile(b.data), "Filter has too many conditions (at most 100)");
}

/* ---------------------------------------------------------------------------
 * query-string filters */

static void test_query_string_filters_become_conditions(void **state)
{
    (void)state;
    json_t *conds = json_array();
    assert_true(record_filter_from_param(&fx.c, fx.customers, "name", "客户", conds));
    assert_true(record_filter_from_param(&fx.c, fx.customers, "level[in]", "A,B", conds));
    assert_true(record_filter_from_param(&fx.c, fx.customers, "credit_limit[ge]", "100", conds));
    assert_true(record_filter_from_param(&fx.c, fx.customers, "email[null]", "false", conds));
    char *text = json_dumps(conds, JSON_COMPACT);
    assert_string_equal(text, "[{\"field\":\"name\",\"op\":\"eq\",\"value\":\"客户\"},"
                              "{\"field\":\"level\",\"op\":\"in\",\"value\":\"A,B\"},"
                              "{\"field\":\"credit_limit\",\"op\":\"ge\",\"value\":\"100\"},"
                              "{\"field\":\"email\",\"op\":\"null\",\"value\":\"false\"}]");
    free(text);
    json_t *where = json_pack("{s:o}", "and", conds);
    json_array_append_new(fx.keep, where);
    assert_int_equal(record_filter_compile(&fx.c, fx.customers, where, &fx.q), GX_OK);
    assert_sql(" AND (name = $1 AND level IN ($2, $3) AND credit_limit >= $4 AND email IS NOT NULL)");
    assert_text_param(1, "客户");
    assert_text_param(2, "A");
    assert_text_param(3, "B");
    assert_int_param(4, 100);
}

static void test_query_string_filter_errors(void **state)
{
    (void)state;
    json_t *conds = json_array();
    assert_false(record_filter_from_param(&fx.c, fx.customers, "nosuch", "1", conds));
    assert_int_equal(fx.c.err, GX_EBADREQ);
    assert_string_equal(fx.c.err_msg, "Unknown parameter or field 'nosuch'");
    ctx_clear(&fx.c);
    assert_false(record_filter_from_param(&fx.c, fx.customers, "name[contains]", "x", conds));
    assert_string_equal(fx.c.err_msg,
                        "Unknown filter operator 'contains' (use eq, ne, lt, le, gt, ge, like, in, null)");
    ctx_clear(&fx.c);
    assert_false(record_filter_from_param(&fx.c, fx.customers, "name[like", "x", conds));
    assert_string_equal(fx.c.err_msg, "Bad filter parameter 'name[like' (use field=value or field[op]=value)");
    ctx_clear(&fx.c);
    assert_false(record_filter_from_param(&fx.c, fx.customers, "[eq]", "x", conds));
    assert_string_equal(fx.c.err_msg, "Bad filter parameter '[eq]' (use field=value or field[op]=value)");
    ctx_clear(&fx.c);
    assert_false(record_filter_from_param(&fx.c, fx.customers, "name[]", "x", conds));
    assert_string_equal(fx.c.err_msg, "Unknown filter operator '' (use eq, ne, lt, le, gt, ge, like, in, null)");
    assert_int_equal(json_array_size(conds), 0);
    json_decref(conds);
}

/* ---------------------------------------------------------------------------
 * sort */

static void test_sort_descending_then_id(void **state)
{
    (void)state;
    assert_int_equal(record_sort_compile(&fx.c, fx.customers, "-name,id", &fx.q), GX_OK);
    assert_sql(" ORDER BY name DESC, id ASC");
    assert_int_equal(fx.q.n, 0);
}

static void test_sort_adds_id_as_tie_breaker_in_the_first_direction(void **state)
{
    (void)state;
    assert_int_equal(record_sort_compile(&fx.c, fx.customers, "name", &fx.q), GX_OK);
    assert_sql(" ORDER BY name ASC, id ASC");
    sql_init(&fx.q, &fx.arena);
    assert_int_equal(record_sort_compile(&fx.c, fx.customers, "-level,+credit_limit", &fx.q), GX_OK);
    assert_sql(" ORDER BY level DESC NULLS LAST, credit_limit ASC NULLS LAST, id DESC");
    sql_init(&fx.q, &fx.arena);
    assert_int_equal(record_sort_compile(&fx.c, fx.customers, NULL, &fx.q), GX_OK);
    assert_sql(" ORDER BY updated_at DESC, id DESC");
    sql_init(&fx.q, &fx.arena);
    assert_int_equal(record_sort_compile(&fx.c, fx.customers, "", &fx.q), GX_OK);
    assert_sql(" ORDER BY updated_at DESC, id DESC");
    sql_init(&fx.q, &fx.arena);
    assert_int_equal(record_sort_compile(&fx.c, fx.activities, "parent_type,-occurred_at", &fx.q), GX_OK);
    assert_sql(" ORDER BY parent_type ASC, occurred_at DESC NULLS LAST, id ASC");
}

static void test_sort_refuses_unknown_and_unsortable_fields(void **state)
{
    (void)state;
    assert_bad_request(record_sort_compile(&fx.c, fx.customers, "nosuch", &fx.q), "Cannot sort on 'nosuch'");
    ctx_clear(&fx.c);
    assert_bad_request(record_sort_compile(&fx.c, fx.customers, "-name,nosuch", &fx.q), "Cannot sort on 'nosuch'");
    ctx_clear(&fx.c);
    assert_bad_request(record_sort_compile(&fx.c, fx.customers, "notes", &fx.q), "Cannot sort on 'notes'"); /* text */
    ctx_clear(&fx.c);
    assert_bad_request(record_sort_compile(&fx.c, fx.customers, "address", &fx.q), "Cannot sort on 'address'");
    ctx_clear(&fx.c);
    assert_bad_request(record_sort_compile(&fx.c, fx.customers, "name,,id", &fx.q), "Cannot sort on ''");
    ctx_clear(&fx.c);
    assert_bad_request(record_sort_compile(&fx.c, fx.customers, "name desc", &fx.q), "Cannot sort on 'name desc'");
    ctx_clear(&fx.c);
    assert_bad_request(record_sort_compile(&fx.c, fx.customers, "name,level,region,status,id", &fx.q),
                       "Sort on at most 4 fields");
}

/* ---------------------------------------------------------------------------
 * text search */

static void test_short_search_uses_like_over_the_search_fields(void **state)
{
    (void)state;
    /* 1–2 Chinese characters: a phrase of single-character tokens in the per-character index. */
    assert_int_equal(record_search_compile(&fx.c, fx.activities, "上海", &fx.q), GX_OK);
    assert_sql(" AND id IN (SELECT rowid FROM activities_fts2 WHERE activities_fts2 MATCH $1)");
    assert_int_equal(fx.q.n, 1);
    assert_text_param(1, "\"上 海\"");
    /* Other short text: a substring match over the search fields. */
    sql_init(&fx.q, &fx.arena);
    assert_int_equal(record_search_compile(&fx.c, fx.customers, "5%", &fx.q), GX_OK);
    assert_sql(" AND (name LIKE $1 ESCAPE '\\' OR code LIKE $1 ESCAPE '\\' OR credit_code LIKE $1 ESCAPE '\\'"
               " OR phone LIKE $1 ESCAPE '\\' OR email LIKE $1 ESCAPE '\\' OR notes LIKE $1 ESCAPE '\\')");
    assert_text_param(1, "%5\\%%");
}

static void test_search_of_three_characters_uses_the_trigram_index(void **state)
{
    (void)state;
    assert_int_equal(record_search_compile(&fx.c, fx.activities, "上海市", &fx.q), GX_OK);
    assert_sql(" AND id IN (SELECT rowid FROM activities_fts WHERE activities_fts MATCH $1)");
    assert_int_equal(fx.q.n, 1);
    assert_text_param(1, "\"上海市\"");
    sql_init(&fx.q, &fx.arena);
    assert_int_equal(record_search_compile(&fx.c, fx.activities, "say \"hi\" OR x", &fx.q), GX_OK);
    assert_sql(" AND id IN (SELECT rowid FROM activities_fts WHERE activities_fts MATCH $1)");
    assert_text_param(1, "\"say \"\"hi\"\" OR x\"");
}

/* Customers, contacts and leads: global search's tables answer (migration 6
 * dropped their own): the trigram table's text columns for 3+ characters,
 * with digits also the phone endings, the word table for 1–2 Chinese. */
static void test_search_of_global_entities_uses_the_global_tables(void **state)
{
    (void)state;
    assert_int_equal(record_search_compile(&fx.c, fx.customers, "say \"hi\" OR x", &fx.q), GX_OK);
    assert_sql(" AND id IN (SELECT rowid FROM customers_gt WHERE customers_gt MATCH $1)");
    assert_int_equal(fx.q.n, 1);
    assert_text_param(1, "{n o e} : \"say \"\"hi\"\" OR x\"");
    sql_init(&fx.q, &fx.arena);
    assert_int_equal(record_search_compile(&fx.c, fx.customers, "1380013", &fx.q), GX_OK);
    assert_sql(" AND id IN (SELECT rowid FROM customers_gt WHERE customers_gt MATCH $1"
               " UNION SELECT rowid FROM customers_gw WHERE customers_gw MATCH $2)");
    assert_int_equal(fx.q.n, 2);
    assert_text_param(1, "{n o e} : \"1380013\"");
    assert_text_param(2, "{d} : \"1380013\" *");
    sql_init(&fx.q, &fx.arena);
    assert_int_equal(record_search_compile(&fx.c, fx.customers, "上海", &fx.q), GX_OK);
    assert_sql(" AND id IN (SELECT rowid FROM customers_gw WHERE customers_gw MATCH $1)");
    assert_int_equal(fx.q.n, 1);
    assert_text_param(1, "{n o} : \"上海\"");
}

static void test_search_limits(void **state)
{
    (void)state;
    assert_int_equal(record_search_compile(&fx.c, fx.customers, "", &fx.q), GX_OK);
    assert_int_equal(record_search_compile(&fx.c, fx.customers, NULL, &fx.q), GX_OK);
    assert_sql("");
    assert_bad_request(record_search_compile(&fx.c, fx.customers, "\xC0\xAF", &fx.q), "Search text is not valid UTF-8");
    ctx_clear(&fx.c);
    char long_text[101 * 3 + 1] = "";
    for (int i = 0; i < 101; i++)
        strcat(long_text, "客");
    assert_bad_request(record_search_compile(&fx.c, fx.customers, long_text, &fx.q),
                       "Search text is too long (at most 100 characters)");
    ctx_clear(&fx.c);
    long_text[100 * 3] = 0; /* exactly 100 characters */
    assert_int_equal(record_search_compile(&fx.c, fx.customers, long_text, &fx.q), GX_OK);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_no_filter_adds_nothing),
        T(test_eq_binds_the_value),
        T(test_op_defaults_to_eq),
        T(test_ne),
        T(test_comparisons_on_money_bind_integers),
        T(test_money_filter_rejects_fractions),
        T(test_money_filter_rejects_non_numeric_text),
        T(test_like_escapes_wildcards),
        T(test_like_needs_text),
        T(test_in_with_a_list),
        T(test_in_with_a_comma_separated_string),
        T(test_in_limits),
        T(test_null_true_and_false),
        T(test_nested_and_or),
        T(test_common_columns_and_parent_columns),
        T(test_unknown_field_is_bad_request),
        T(test_unknown_op_is_bad_request),
        T(test_malformed_trees_are_bad_requests),
        T(test_nesting_depth_is_limited),
        T(test_condition_count_is_limited),
        T(test_query_string_filters_become_conditions),
        T(test_query_string_filter_errors),
        T(test_sort_descending_then_id),
        T(test_sort_adds_id_as_tie_breaker_in_the_first_direction),
        T(test_sort_refuses_unknown_and_unsortable_fields),
        T(test_short_search_uses_like_over_the_search_fields),
        T(test_search_of_three_characters_uses_the_trigram_index),
        T(test_search_of_global_entities_uses_the_global_tables),
        T(test_search_limits),
    };
#undef T
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
