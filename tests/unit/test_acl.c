/* test_acl.c — scope resolution and the scope predicate for each scope, the
 * widest-scope-wins merge of several roles, and field rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "acl/acl.h"
#include "auth/auth.h"
#include "modules/modules.h"
#include "record/record.h"

typedef struct Fixture {
    Arena arena;
    Db *db;
    Ctx c;
    char path[64];
} Fixture;

static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "/tmp/gx-test-acl-%d.db", (int)getpid());
    unlink(f->path);
    char *err = NULL;
    f->db = db_open(f->path, &err);
    assert_non_null(f->db);
    arena_init(&f->arena);
    ctx_init(&f->c, &f->arena, db_thread_conn(f->db));
    assert_int_equal(setup_database(&f->c, "Admin12345", NULL), GX_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    acl_cache_clear(); /* the next test's database reuses the same user ids */
    ctx_done(&f->c);
    arena_free(&f->arena);
    db_close(f->db);
    unlink(f->path);
    char wal[80];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", f->path);
    unlink(wal);
    free(f);
    return 0;
}

/* Create a department under parent (0 = none) as the system; returns its id. */
static int64_t dept(Fixture *f, const char *name, int64_t parent)
{
    json_t *in = json_pack("{s:s}", "name", name), *out;
    if (parent)
        json_object_set_new(in, "parent_id", json_integer(parent));
    assert_int_equal(record_create(&f->c, meta_entity("departments"), in, &out), GX_OK);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(out);
    return id;
}

static int64_t user(Fixture *f, const char *name, int64_t d, const char *role, const char *role2)
{
    const char *roles[] = {role, role2, NULL};
    int64_t id;
    assert_int_equal(setup_user(&f->c, name, name, "Password123", d, roles, &id), GX_OK);
    return id;
}

static const char *predicate(Fixture *f, const Principal *p, const char *entity, Action a)
{
    Ctx c = f->c;
    c.who = p;
    Sql q;
    sql_init(&q, &f->arena);
    acl_scope_predicate(&c, meta_entity(entity), a, &q);
    return q.text.data;
}

static void test_scopes_per_role(void **state)
{
    Fixture *f = *state;
    int64_t a = dept(f, "A", 0), a1 = dept(f, "A1", a), b = dept(f, "B", 0);
    (void)b;
    int64_t rep = user(f, "rep", a1, "sales_rep", NULL);
    int64_t mgr = user(f, "mgr", a, "sales_manager", NULL);
    int64_t both = user(f, "both", a1, "sales_rep", "sales_manager");

    Principal *pr = acl_load(&f->c, rep);
    assert_non_null(pr);
    Ctx c = f->c;
    c.who = pr;
    assert_int_equal(acl_scope(&c, meta_entity("customers"), ACT_READ), SCOPE_OWN);
    assert_int_equal(acl_scope(&c, meta_entity("customers"), ACT_ASSIGN), SCOPE_NONE);
    assert_int_equal(acl_scope(&c, meta_entity("roles"), ACT_READ), SCOPE_NONE);
    assert_int_equal(acl_scope(&c, meta_entity("users"), ACT_READ), SCOPE_ALL);
    assert_string_equal(predicate(f, pr, "customers", ACT_READ), " AND owner_id = $1");
    assert_string_equal(predicate(f, pr, "roles", ACT_EDIT), " AND 1=0");
    assert_false(pr->is_admin);
    assert_true(acl_row_in_scope(&c, meta_entity("customers"), ACT_READ, rep, a1));
    assert_false(acl_row_in_scope(&c, meta_entity("customers"), ACT_READ, mgr, a1));
    acl_release(pr);

    /* The manager of A sees A and A1 (department and below), not B. */
    pr = acl_load(&f->c, mgr);
    assert_int_equal(pr->ndept_tree, 2);
    assert_int_equal(pr->dept_tree[0], a);
    assert_int_equal(pr->dept_tree[1], a1);
    assert_string_equal(predicate(f, pr, "customers", ACT_READ), " AND department_id IN ($1, $2)");
    c.who = pr;
    assert_true(acl_row_in_scope(&c, meta_entity("customers"), ACT_READ, rep, a1));
    assert_false(acl_row_in_scope(&c, meta_entity("customers"), ACT_READ, rep, b));
    acl_release(pr);

    /* Two roles: the widest scope wins (manager's department-and-below over own). */
    pr = acl_load(&f->c, both);
    c.who = pr;
    assert_int_equal(acl_scope(&c, meta_entity("customers"), ACT_READ), SCOPE_DEPT_TREE);
    assert_int_equal(acl_scope(&c, meta_entity("customers"), ACT_ASSIGN), SCOPE_DEPT_TREE);
    acl_release(pr);

    /* The administrator: everything. */
    pr = acl_load(&f->c, 1);
    c.who = pr;
    assert_true(pr->is_admin);
    assert_int_equal(acl_scope(&c, meta_entity("roles"), ACT_DELETE), SCOPE_ALL);
    assert_string_equal(predicate(f, pr, "customers", ACT_READ), "");
    acl_release(pr);
}

/* The customer pool rule: members (by user, by a department above theirs, or
 * as pool administrators) also read unowned customers of their pools; for
 * reading only, and a pool change reaches the cached access at once. */
static void test_pool_members_read_pool_customers(void **state)
{
    Fixture *f = *state;
    int64_t a = dept(f, "PA", 0), a1 = dept(f, "PA1", a), b = dept(f, "PB", 0);
    int64_t rep = user(f, "prep", a1, "sales_rep", NULL);
    int64_t out = user(f, "pout", b, "sales_rep", NULL);
    Principal *pr = acl_load(&f->c, rep);
    assert_int_equal(pr->npools, 0);
    assert_string_equal(predicate(f, pr, "customers", ACT_READ), " AND owner_id = $1");
    acl_release(pr);

    json_t *in = json_pack("{s:s, s:[I]}", "name", "华东公海", "member_departments", (json_int_t)a), *pool;
    assert_int_equal(record_create(&f->c, meta_entity("pools"), in, &pool), GX_OK);
    json_decref(in);
    int64_t pid = json_integer_value(json_object_get(pool, "id"));
    json_decref(pool);

    pr = acl_load(&f->c, rep); /* member through the department above */
    assert_int_equal(pr->npools, 1);
    assert_int_equal(pr->pools[0], pid);
    assert_string_equal(predicate(f, pr, "customers", ACT_READ),
                        " AND ((owner_id = $1) OR (owner_id IS NULL AND pool_id IN ($2)))");
    assert_string_equal(predicate(f, pr, "customers", ACT_EDIT), " AND owner_id = $1");
    assert_string_equal(predicate(f, pr, "customers", ACT_EXPORT), " AND owner_id = $1");
    assert_string_equal(predicate(f, pr, "contacts", ACT_READ), " AND owner_id = $1"); /* no pool_id field */
    acl_release(pr);

    pr = acl_load(&f->c, out);
    assert_int_equal(pr->npools, 0);
    acl_release(pr);
}

/* acl_hidden_fields (the row writers' list) hides exactly the fields
 * acl_field answers FIELD_HIDDEN for, ruled entities included. */
static void hidden_agrees(const Ctx *c)
{
    for (const char *const *n = (const char *const[]){"customers", "contacts", "leads", "activities", "users", NULL};
         *n; n++) {
        const Entity *e = meta_entity(*n);
        if (!e)
            continue;
        bool *hidden = calloc((size_t)e->nfields + 1, sizeof *hidden);
        acl_hidden_fields(c, e, hidden);
        for (int i = 0; i < e->nfields; i++)
            assert_int_equal(hidden[i], acl_field(c, e, e->fields[i].name) == FIELD_HIDDEN);
        free(hidden);
    }
}

/* Where acl_fields_unruled says so, acl_field hides exactly the fields
 * metadata marks hidden (when a user acts): record.c's hidden_fields relies
 * on it for every entity. */
static void unruled_agrees(const Ctx *c)
{
    int checked = 0;
    for (const char *const *n = (const char *const[]){"customers", "contacts", "leads", "activities", "users", NULL};
         *n; n++) {
        const Entity *e = meta_entity(*n);
        if (!e || !acl_fields_unruled(c, e))
            continue;
        for (int i = 0; i < e->nfields; i++) {
            FieldAccess want = c->who && e->fields[i].hidden ? FIELD_HIDDEN : FIELD_RW;
            assert_int_equal(acl_field(c, e, e->fields[i].name), want);
            checked++;
        }
    }
    assert_true(checked > 0);
    hidden_agrees(c);
}

static void test_field_rules_and_disabled_user(void **state)
{
    Fixture *f = *state;
    int64_t d = dept(f, "D", 0);
    /* A role hiding customers.phone and making customers.level read-only. */
    json_t *role = json_pack("{s:s, s:s, s:{s:{s:s}}, s:{s:{s:s, s:s}}}", "code", "restricted", "name", "Restricted",
                             "permissions", "customers", "read", "all", "field_rules", "customers", "phone", "hidden",
                             "level", "readonly"),
           *out;
    assert_int_equal(record_create(&f->c, meta_entity("roles"), role, &out), GX_OK);
    json_decref(role);
    json_decref(out);
    int64_t u = user(f, "restricted_user", d, "restricted", NULL);
    Principal *pr = acl_load(&f->c, u);
    Ctx c = f->c;
    c.who = pr;
    const Entity *cust = meta_entity("customers");
    assert_int_equal(acl_field(&c, cust, "phone"), FIELD_HIDDEN);
    assert_int_equal(acl_field(&c, cust, "level"), FIELD_RO);
    assert_int_equal(acl_field(&c, cust, "name"), FIELD_RW);
    /* Rules on customers: the row writers must ask field by field; none on
     * contacts: acl_field answers what acl_fields_unruled promises. */
    assert_false(acl_fields_unruled(&c, cust));
    assert_true(acl_fields_unruled(&c, meta_entity("contacts")));
    unruled_agrees(&c);
    acl_release(pr);

    /* With a second role that does not restrict phone, phone becomes visible. */
    int64_t u2 = user(f, "restricted_rep", d, "restricted", "sales_rep");
    pr = acl_load(&f->c, u2);
    c.who = pr;
    assert_int_equal(acl_field(&c, cust, "phone"), FIELD_RW);
    unruled_agrees(&c);
    acl_release(pr);
    /* The system context and an administrator: no rules, metadata's hidden fields still hidden from users. */
    c.who = NULL;
    unruled_agrees(&c);
    pr = acl_load(&f->c, 1);
    c.who = pr;
    assert_true(pr->is_admin);
    unruled_agrees(&c);
    acl_release(pr);

    /* A disabled user cannot be loaded (their sessions end). */
    DbVal p[] = {dbv_int(u)};
    assert_int_equal(db_exec(f->c.db, "UPDATE users SET active = 0 WHERE id = $1", p, 1), DB_OK);
    assert_null(acl_load(&f->c, u));
    assert_int_equal(f->c.err, GX_EAUTH);
    ctx_clear(&f->c);
}

int main(void)
{
    if (!auth_init())
        return 1;
    meta_load();
    modules_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scopes_per_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool_members_read_pool_customers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_rules_and_disabled_user, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    meta_free();
    return rc;
}
