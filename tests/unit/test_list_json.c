/* test_list_json.c — record_list_json (the list endpoints' streaming path)
 * gives exactly what record_list gives: for every entity, as the system and
 * as a user whose role hides fields, the same records, values, absent keys,
 * totals and errors; and record_get_json (GET by id) what record_get gives,
 * computed values of the after-read hooks included. record_list_json takes
 * rows from remembered text (rowcache.c): compared cold, warm, after writes
 * that bypass the record engine, after a rolled-back write and with a tiny
 * budget. Runs on a temporary
 * SQLite database with demo data. */
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
#include "testdb.h"

typedef struct Fixture {
    TestDb t;
    const Principal *limited; /* a user whose role hides some fields */
    const Principal *admin;   /* the administrator (reads every computed value) */
} Fixture;

static Fixture fx;

static int group_setup(void **state)
{
    (void)state;
    if (!auth_init())
        return -1;
    meta_load();
    if (testdb_open(&fx.t, "listjson", true) || demo_fill(&fx.t.c, 30) != GX_OK)
        return -1;
    json_t *role = json_pack("{s:s, s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}, s:{s:{s:s, s:s}, s:{s:s}}}", "code",
                             "t_limited", "name", "Limited", "permissions", "customers", "read", "all", "contacts", "read",
                             "own", "activities", "read", "all", "users", "read", "all", "field_rules", "customers",
                             "phone", "hidden", "address", "hidden", "activities", "parent", "hidden");
    json_t *out = NULL;
    GxErr rc = record_create(&fx.t.c, meta_entity("roles"), role, &out);
    json_decref(role);
    json_decref(out);
    if (rc)
        return -1;
    const char *roles[] = {"t_limited", NULL};
    int64_t uid;
    if (setup_user(&fx.t.c, "t_limited", "Limited user", "Passw0rd-x", 0, roles, &uid))
        return -1;
    fx.limited = acl_load(&fx.t.c, uid);
    int64_t admin_id = 0;
    bool found = false;
    DbVal p[] = {dbv_text("admin")};
    if (db_query_int(fx.t.c.db, "SELECT id FROM users WHERE username = $1", p, 1, &admin_id, &found) != DB_OK || !found)
        return -1;
    fx.admin = acl_load(&fx.t.c, admin_id);
    return fx.limited && fx.admin ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    testdb_close(&fx.t);
    row_cache_clear();
    meta_free();
    return 0;
}

/* Both paths for one entity and page; returns how many rows matched. */
static size_t compare(const Entity *e, const Principal *who, int64_t limit, int64_t offset, bool trash)
{
    fx.t.c.who = who;
    bool capped1 = false, capped2 = false;
    ListQuery lq = {.sort = "id", .limit = limit, .offset = offset, .count = true, .count_limit = 7,
                    .count_capped = &capped1, .trash = trash, .action = ACT_READ};
    json_t *rows = NULL;
    int64_t t1 = -5, t2 = -6;
    GxErr r1 = record_list(&fx.t.c, e, &lq, &rows, &t1);
    ctx_clear(&fx.t.c);
    lq.count_capped = &capped2;
    Buf b;
    buf_init(&b, &fx.t.arena);
    buf_raw(&b, "x");
    GxErr r2 = record_list_json(&fx.t.c, e, &lq, &b, &t2);
    ctx_clear(&fx.t.c);
    fx.t.c.who = NULL;
    assert_int_equal(r1, r2);
    if (r1) {
        assert_string_equal(b.data, "x"); /* nothing written on failure */
        return 0;
    }
    assert_int_equal(t1, t2);
    assert_int_equal(capped1, capped2);
    json_error_t jerr;
    json_t *parsed = json_loads(b.data + 1, 0, &jerr);
    if (!parsed)
        fail_msg("%s: not JSON (%s): %.200s", e->name, jerr.text, b.data + 1);
    if (!json_equal(rows, parsed)) {
        char *a = json_dumps(rows, JSON_COMPACT), *p = json_dumps(parsed, JSON_COMPACT);
        fail_msg("%s differs:\n record_list:      %.600s\n record_list_json: %.600s", e->name, a, p);
    }
    size_t n = json_array_size(rows);
    json_decref(rows);
    json_decref(parsed);
    return n;
}

static void test_every_entity_as_the_system(void **state)
{
    (void)state;
    int n;
    const Entity *const *all = meta_entities(&n);
    size_t rows = 0;
    for (int i = 0; i < n; i++) {
        rows += compare(all[i], NULL, 50, 0, false);
        compare(all[i], NULL, 3, 2, false);
        compare(all[i], NULL, 10, 0, true);
    }
    assert_true(rows > 100); /* the demo data was really compared */
}

static void test_hidden_fields_and_scopes_as_a_user(void **state)
{
    (void)state;
    int n;
    const Entity *const *all = meta_entities(&n);
    for (int i = 0; i < n; i++)
        compare(all[i], fx.limited, 50, 0, false);
    /* The hidden fields really are absent from what was compared. */
    fx.t.c.who = fx.limited;
    ListQuery lq = {.sort = "id", .limit = 5, .action = ACT_READ};
    Buf b;
    buf_init(&b, &fx.t.arena);
    assert_int_equal(record_list_json(&fx.t.c, meta_entity("customers"), &lq, &b, NULL), GX_OK);
    fx.t.c.who = NULL;
    assert_non_null(strstr(b.data, "\"name\":"));
    assert_null(strstr(b.data, "\"phone\":"));
    assert_null(strstr(b.data, "\"address\":"));
}

/* Both read paths for one record; returns the record read (NULL when it
 * was refused or absent; the caller releases it). */
static json_t *compare_get(const Entity *e, const Principal *who, int64_t id)
{
    fx.t.c.who = who;
    json_t *rec = NULL;
    GxErr r1 = record_get(&fx.t.c, e, id, &rec);
    const char *m1 = arena_strdup(&fx.t.arena, fx.t.c.err_msg ? fx.t.c.err_msg : "");
    ctx_clear(&fx.t.c);
    Buf b;
    buf_init(&b, &fx.t.arena);
    buf_raw(&b, "x");
    GxErr r2 = record_get_json(&fx.t.c, e, id, &b);
    const char *m2 = arena_strdup(&fx.t.arena, fx.t.c.err_msg ? fx.t.c.err_msg : "");
    ctx_clear(&fx.t.c);
    fx.t.c.who = NULL;
    assert_int_equal(r1, r2);
    assert_string_equal(m1, m2);
    if (r1) {
        assert_string_equal(b.data, "x"); /* nothing written on failure */
        return NULL;
    }
    json_error_t jerr;
    json_t *parsed = json_loads(b.data + 1, JSON_REJECT_DUPLICATES, &jerr);
    if (!parsed)
        fail_msg("%s %lld: not JSON (%s): %.300s", e->name, (long long)id, jerr.text, b.data + 1);
    if (!json_equal(rec, parsed)) {
        char *a = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS), *p = json_dumps(parsed, JSON_COMPACT | JSON_SORT_KEYS);
        fail_msg("%s %lld differs:\n record_get:      %.900s\n record_get_json: %.900s", e->name, (long long)id, a, p);
    }
    json_decref(parsed);
    return rec;
}

static void test_get_of_every_entity(void **state)
{
    (void)state;
    int n;
    const Entity *const *all = meta_entities(&n);
    const Principal *who[] = {NULL, fx.admin, fx.limited};
    size_t read = 0, with_money = 0, with_lines = 0, refused = 0;
    for (int i = 0; i < n; i++)
        for (size_t w = 0; w < 3; w++)
            for (int64_t id = 1; id <= 40; id++) {
                json_t *rec = compare_get(all[i], who[w], id);
                if (!rec) {
                    refused += who[w] == fx.limited;
                    continue;
                }
                read++;
                with_money += json_object_get(rec, "balance_due") != NULL;
                with_lines += json_is_array(json_object_get(rec, "lines"));
                json_decref(rec);
            }
    /* The comparison covered records, the hooks' computed values (a
     * customer's money for the administrator, documents' lines) and
     * records out of the limited user's scope or entities it may not read. */
    assert_true(read > 500);
    assert_true(with_money >= 30);
    assert_true(with_lines > 0);
    assert_true(refused > 0);
    /* Hidden fields are absent from GET too. */
    fx.t.c.who = fx.limited;
    Buf b;
    buf_init(&b, &fx.t.arena);
    assert_int_equal(record_get_json(&fx.t.c, meta_entity("customers"), 1, &b), GX_OK);
    fx.t.c.who = NULL;
    assert_non_null(strstr(b.data, "\"name\":"));
    assert_null(strstr(b.data, "\"phone\":"));
}

/* One customer's notes as record_list_json gives them (the list sorted by
 * id, so the customer is on the first page). */
static const char *listed_notes(int64_t id)
{
    ListQuery lq = {.sort = "id", .limit = 50, .action = ACT_READ};
    Buf b;
    buf_init(&b, &fx.t.arena);
    assert_int_equal(record_list_json(&fx.t.c, meta_entity("customers"), &lq, &b, NULL), GX_OK);
    json_t *rows = json_loads(b.data, 0, NULL);
    assert_non_null(rows);
    const char *notes = NULL;
    size_t i;
    json_t *rec;
    json_array_foreach(rows, i, rec)
    {
        if (json_integer_value(json_object_get(rec, "id")) == id) {
            json_t *v = json_object_get(rec, "notes");
            notes = arena_strdup(&fx.t.arena, json_is_string(v) ? json_string_value(v) : "(null)");
        }
    }
    json_decref(rows);
    assert_non_null(notes);
    return notes;
}

static int64_t row_rev(int64_t id)
{
    int64_t rev = -1;
    bool found = false;
    DbVal p[] = {dbv_int(id)};
    assert_int_equal(db_query_int(fx.t.c.db, "SELECT row_rev FROM customers WHERE id = $1", p, 1, &rev, &found), DB_OK);
    assert_true(found);
    return rev;
}

static void test_remembered_rows(void **state)
{
    (void)state;
    int n;
    const Entity *const *all = meta_entities(&n);
    row_cache_clear();
    uint64_t hits0, hits1, misses;
    size_t bytes;
    for (int i = 0; i < n; i++)
        compare(all[i], NULL, 50, 0, false);
    row_cache_stats(&hits0, &misses, &bytes);
    assert_true(misses > 100 && bytes > 0); /* the cold pass wrote and remembered */
    for (int i = 0; i < n; i++) {
        compare(all[i], NULL, 50, 0, false);
        compare(all[i], fx.limited, 50, 0, false);
    }
    row_cache_stats(&hits1, NULL, NULL);
    assert_true(hits1 - hits0 > 100); /* the warm pass took remembered text */

    /* Any UPDATE raises the row's revision: a statement of a module (not
     * the record engine) changes what the list shows at once. */
    int64_t rev = row_rev(1);
    assert_int_equal(db_exec(fx.t.c.db, "UPDATE customers SET notes = 'set by a job' WHERE id = 1", NULL, 0), DB_OK);
    assert_int_equal(row_rev(1), rev + 1);
    assert_string_equal(listed_notes(1), "set by a job");
    /* Through the record engine too. */
    int64_t version = 0;
    bool found = false;
    assert_int_equal(db_query_int(fx.t.c.db, "SELECT version FROM customers WHERE id = 1", NULL, 0, &version, &found),
                     DB_OK);
    json_t *in = json_pack("{s:s, s:I}", "notes", "set by a user", "version", (json_int_t)version);
    json_t *out = NULL;
    if (record_update(&fx.t.c, meta_entity("customers"), 1, in, &out) != GX_OK)
        fail_msg("update: %s", fx.t.c.err_msg);
    json_decref(in);
    json_decref(out);
    assert_string_equal(listed_notes(1), "set by a user");

    /* A rolled-back write: what a list showed inside it is not remembered,
     * so the next committed write of the same revision shows its own values. */
    rev = row_rev(2);
    assert_int_equal(db_begin(fx.t.c.db), DB_OK);
    assert_int_equal(db_exec(fx.t.c.db, "UPDATE customers SET notes = 'rolled back' WHERE id = 2", NULL, 0), DB_OK);
    assert_string_equal(listed_notes(2), "rolled back");
    assert_int_equal(db_rollback(fx.t.c.db), DB_OK);
    assert_int_equal(row_rev(2), rev);
    assert_int_equal(db_exec(fx.t.c.db, "UPDATE customers SET notes = 'committed' WHERE id = 2", NULL, 0), DB_OK);
    assert_int_equal(row_rev(2), rev + 1);
    assert_string_equal(listed_notes(2), "committed");

    /* Every entity again after those writes, cold and warm, and with a
     * budget too small for a page (texts are evicted as they come). */
    for (int i = 0; i < n; i++)
        compare(all[i], fx.limited, 50, 0, false);
    row_cache_set_budget(4096);
    for (int i = 0; i < n; i++) {
        compare(all[i], NULL, 50, 0, false);
        compare(all[i], NULL, 3, 2, false);
    }
    row_cache_stats(NULL, NULL, &bytes);
    assert_true(bytes <= 4096);
    row_cache_set_budget(16u << 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_entity_as_the_system),
        cmocka_unit_test(test_hidden_fields_and_scopes_as_a_user),
        cmocka_unit_test(test_get_of_every_entity),
        cmocka_unit_test(test_remembered_rows),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
