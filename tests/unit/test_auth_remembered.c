/* test_auth_remembered.c — auth_lookup's remembered sessions and tokens:
 * a second lookup of the same session is answered from memory (counted),
 * with the same answer; and whatever ends a session or token or changes
 * its user — written as raw SQL here, as another server, the command line
 * or a module's own UPDATE would — is seen by the very next lookup,
 * through the "auth" version that migration 11's triggers raise, or the
 * "acl" version that acl_changed raises. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "acl/acl.h"
#include "auth/auth.h"
#include "meta/meta.h"
#include "testdb.h"

static TestDb t;
static int64_t admin_id;

static int setup(void **state)
{
    (void)state;
    if (!auth_init())
        return -1;
    meta_load();
    if (testdb_open(&t, "authmem", true))
        return -1;
    bool found = false;
    if (db_query_int(t.c.db, "SELECT id FROM users WHERE username = 'admin'", NULL, 0, &admin_id, &found) != DB_OK ||
        !found)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    auth_forget_all();
    testdb_close(&t);
    meta_free();
    return 0;
}

static void exec(const char *sql, int64_t id)
{
    DbVal p[] = {dbv_int(id)};
    assert_int_equal(db_exec(t.c.db, sql, p, strchr(sql, '$') ? 1 : 0), DB_OK);
}

static uint64_t hits(void)
{
    uint64_t h, m;
    auth_remembered_stats(&h, &m);
    return h;
}

/* A new session of the administrator, looked up twice: the second lookup
 * is answered from memory. Returns its token; *a is the second answer. */
static char *remembered_session(AuthResult *a)
{
    char *token, *csrf;
    assert_int_equal(auth_session_create(&t.c, admin_id, "test", &token, &csrf), GX_OK);
    assert_int_equal(auth_lookup(&t.c, token, a), GX_OK);
    uint64_t h0 = hits();
    assert_int_equal(auth_lookup(&t.c, token, a), GX_OK);
    assert_int_equal(hits(), h0 + 1);
    assert_int_equal(a->user_id, admin_id);
    return token;
}

/* A session's second lookup comes from memory, the same in every part. */
static void test_session_remembered(void **state)
{
    (void)state;
    char *token, *csrf;
    assert_int_equal(auth_session_create(&t.c, admin_id, "test", &token, &csrf), GX_OK);
    AuthResult a, b;
    uint64_t h0 = hits();
    assert_int_equal(auth_lookup(&t.c, token, &a), GX_OK);
    assert_int_equal(a.user_id, admin_id);
    assert_int_equal(hits(), h0); /* the first one read the database */
    assert_int_equal(auth_lookup(&t.c, token, &b), GX_OK);
    assert_int_equal(hits(), h0 + 1);
    assert_int_equal(b.user_id, admin_id);
    assert_string_equal(b.csrf, csrf);
    assert_string_equal(b.hash, a.hash);
    assert_false(b.api_token);
    assert_true(b.user.found);
    assert_int_equal(b.user.id, admin_id);
    assert_string_equal(b.user.username, "admin");
    assert_string_equal(b.user.name, a.user.name);
    assert_int_equal(b.user.department_id, a.user.department_id);
    assert_int_equal(b.user.access_version, a.user.access_version);
    /* Unknown tokens are never found, whatever was remembered. */
    assert_int_equal(auth_lookup(&t.c, "not-a-token-of-anybody-at-all", &b), GX_OK);
    assert_int_equal(b.user_id, 0);
}

/* A session deleted by a raw statement (a logout on another server) is
 * not found by the next lookup. */
static void test_session_deleted_elsewhere(void **state)
{
    (void)state;
    AuthResult a;
    char *token = remembered_session(&a);
    DbVal p[] = {dbv_text(a.hash)};
    assert_int_equal(db_exec(t.c.db, "DELETE FROM sessions WHERE token_hash = $1", p, 1), DB_OK);
    assert_int_equal(auth_lookup(&t.c, token, &a), GX_OK);
    assert_int_equal(a.user_id, 0);
}

/* The user's name, department and state as they are now, not as they were
 * remembered. */
static void test_user_changes_seen_at_once(void **state)
{
    (void)state;
    AuthResult a;
    char *token = remembered_session(&a);
    exec("UPDATE users SET name = '新名字' WHERE id = $1", admin_id);
    assert_int_equal(auth_lookup(&t.c, token, &a), GX_OK);
    assert_string_equal(a.user.name, "新名字");
    assert_int_equal(auth_lookup(&t.c, token, &a), GX_OK); /* remembered again, as it is now */
    assert_string_equal(a.user.name, "新名字");
    exec("UPDATE users SET lang = 'en' WHERE id = $1", admin_id);
    assert_int_equal(auth_lookup(&t.c, token, &a), GX_OK);
    assert_string_equal(a.user.lang, "en");
    exec("UPDATE users SET active = 0 WHERE id = $1", admin_id);
    assert_int_equal(auth_lookup(&t.c, token, &a), GX_OK);
    assert_false(a.user.found); /* disabled: no principal */
    exec("UPDATE users SET active = 1, lang = NULL WHERE id = $1", admin_id);
    assert_int_equal(auth_lookup(&t.c, token, &a), GX_OK);
    assert_true(a.user.found);
    assert_null(a.user.lang);
}

/* Roles and departments: acl_changed moves the access version, which the
 * next lookup carries (acl_load_user rebuilds the principal from it). */
static void test_access_change_seen_at_once(void **state)
{
    (void)state;
    AuthResult a;
    char *token = remembered_session(&a);
    int64_t v = a.user.access_version;
    uint64_t h0 = hits();
    assert_int_equal(acl_changed(&t.c), GX_OK);
    assert_int_equal(auth_lookup(&t.c, token, &a), GX_OK);
    assert_int_equal(hits(), h0); /* not from memory */
    assert_int_equal(a.user.access_version, v + 1);
}

/* An API token: remembered, and revoked by a raw UPDATE it is gone. */
static void test_token_revoked_elsewhere(void **state)
{
    (void)state;
    char *token;
    int64_t id;
    assert_int_equal(auth_token_create(&t.c, admin_id, "script", &token, &id), GX_OK);
    AuthResult a;
    assert_int_equal(auth_lookup(&t.c, token, &a), GX_OK);
    assert_true(a.api_token);
    uint64_t h0 = hits();
    assert_int_equal(auth_lookup(&t.c, token, &a), GX_OK);
    assert_int_equal(hits(), h0 + 1);
    assert_true(a.api_token);
    assert_int_equal(a.user_id, admin_id);
    assert_null(a.csrf);
    exec("UPDATE api_tokens SET revoked_at = '2026-01-01T00:00:00Z' WHERE id = $1", id);
    assert_int_equal(auth_lookup(&t.c, token, &a), GX_OK);
    assert_int_equal(a.user_id, 0);
}

/* Ending every session of a user (a password change, disabling). */
static void test_end_all(void **state)
{
    (void)state;
    char *token, *csrf, *api;
    int64_t id;
    assert_int_equal(auth_session_create(&t.c, admin_id, "test", &token, &csrf), GX_OK);
    assert_int_equal(auth_token_create(&t.c, admin_id, "script 2", &api, &id), GX_OK);
    AuthResult a;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(auth_lookup(&t.c, token, &a), GX_OK);
        assert_int_equal(auth_lookup(&t.c, api, &a), GX_OK);
        assert_int_equal(a.user_id, admin_id);
    }
    assert_int_equal(auth_end_all(&t.c, admin_id), GX_OK);
    assert_int_equal(auth_lookup(&t.c, token, &a), GX_OK);
    assert_int_equal(a.user_id, 0);
    assert_int_equal(auth_lookup(&t.c, api, &a), GX_OK);
    assert_int_equal(a.user_id, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_remembered),   cmocka_unit_test(test_session_deleted_elsewhere),
        cmocka_unit_test(test_user_changes_seen_at_once), cmocka_unit_test(test_access_change_seen_at_once),
        cmocka_unit_test(test_token_revoked_elsewhere), cmocka_unit_test(test_end_all),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
