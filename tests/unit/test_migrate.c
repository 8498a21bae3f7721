/* test_migrate.c — numbered migrations derived from metadata: a later
 * migration adds a searchable column, renames a plain and a parent column
 * (rename_from) and runs a module's data step; the same metadata on an empty
 * database creates the final columns at once. Runs on temporary SQLite files
 * with a small test schema (meta_load_texts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"
#include "meta/meta.h"

#define USERS "{\"name\": \"users\", \"owned\": false, \"system\": true, \"fields\": [{\"name\": \"username\", \"type\": \"string\"}]}"
#define DEPTS "{\"name\": \"departments\", \"owned\": false, \"system\": true, \"fields\": [{\"name\": \"name\", \"type\": \"string\"}]}"

/* Version 1 of "things". */
static const char *const schema_v1[] = {
    USERS, DEPTS,
    "{\"name\": \"things\", \"fields\": ["
    " {\"name\": \"note\", \"type\": \"text\", \"search\": true},"
    " {\"name\": \"rel\", \"type\": \"parent\"},"
    " {\"name\": \"title\", \"type\": \"string\", \"index\": true}]}",
    NULL,
};

/* Version 2: note → body, rel → parent, a new searchable field. */
static const char *const schema_v2[] = {
    USERS, DEPTS,
    "{\"name\": \"things\", \"fields\": ["
    " {\"name\": \"body\", \"type\": \"text\", \"search\": true, \"since\": 2, \"rename_from\": \"note\"},"
    " {\"name\": \"parent\", \"type\": \"parent\", \"since\": 2, \"rename_from\": \"rel\"},"
    " {\"name\": \"title\", \"type\": \"string\", \"index\": true},"
    " {\"name\": \"extra\", \"type\": \"string\", \"search\": true, \"since\": 2}]}",
    NULL,
};

static int step_calls;
static bool step_fresh;

/* Migration 2's data step: fills the new column from an old one. */
static GxErr copy_title(Ctx *c, bool fresh)
{
    step_calls++;
    step_fresh = fresh;
    if (db_exec(c->db, "UPDATE things SET extra = 'x-' || title", NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "%s", db_errmsg(c->db));
    return GX_OK;
}

typedef struct Fx {
    Arena arena;
    Db *db;
    Ctx c;
    char path[64];
} Fx;

static void fx_open(Fx *f, const char *tag)
{
    snprintf(f->path, sizeof f->path, "/tmp/gx-test-migrate-%s-%d.db", tag, (int)getpid());
    unlink(f->path);
    char *err = NULL;
    f->db = db_open(f->path, &err);
    assert_non_null(f->db);
    arena_init(&f->arena);
    ctx_init(&f->c, &f->arena, db_thread_conn(f->db));
}

static void fx_close(Fx *f)
{
    ctx_done(&f->c);
    arena_free(&f->arena);
    db_close(f->db);
    char side[96];
    unlink(f->path);
    snprintf(side, sizeof side, "%s-wal", f->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", f->path);
    unlink(side);
}

static int64_t count(Fx *f, const char *sql)
{
    int64_t n = -1;
    bool found = false;
    assert_int_equal(db_query_int(f->c.db, sql, NULL, 0, &n, &found), DB_OK);
    assert_true(found);
    return n;
}

static void test_upgrade_renames_keeps_data_and_runs_the_step(void **state)
{
    (void)state;
    Fx f;
    fx_open(&f, "up");
    meta_load_texts(schema_v1);
    ddl_steps_reset();
    step_calls = 0;
    assert_int_equal(meta_migrate(&f.c), GX_OK);
    assert_int_equal(db_exec(f.c.db,
                             "INSERT INTO things(created_at, updated_at, note, rel_type, rel_id, title)"
                             " VALUES ('2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '老客户回访记录', 'customers', 5, 'abc')",
                             NULL, 0),
                     DB_OK);

    meta_load_texts(schema_v2);
    ddl_step_add(2, "copy title", copy_title);
    assert_int_equal(meta_migrate(&f.c), GX_OK);
    assert_int_equal(step_calls, 1);
    assert_false(step_fresh);
    assert_int_equal(count(&f, "SELECT count(*) FROM schema_migrations"), 2);
    /* Renamed columns keep their values; the step ran after the DDL. */
    assert_int_equal(count(&f, "SELECT count(*) FROM things WHERE body = '老客户回访记录' AND parent_type = 'customers'"
                               " AND parent_id = 5 AND extra = 'x-abc'"),
                     1);
    assert_int_not_equal(db_exec(f.c.db, "SELECT note FROM things", NULL, 0), DB_OK);
    /* The search index was rebuilt over the renamed and the new column. */
    assert_int_equal(count(&f, "SELECT count(*) FROM things_fts WHERE things_fts MATCH '客户回访'"), 1);
    assert_int_equal(count(&f, "SELECT count(*) FROM things_fts WHERE things_fts MATCH '\"x-abc\"'"), 1);
    /* Applying again does nothing. */
    assert_int_equal(meta_migrate(&f.c), GX_OK);
    assert_int_equal(step_calls, 1);
    fx_close(&f);
}

static void test_fresh_database_gets_the_final_columns(void **state)
{
    (void)state;
    Fx f;
    fx_open(&f, "fresh");
    meta_load_texts(schema_v2);
    ddl_steps_reset();
    ddl_step_add(2, "copy title", copy_title);
    step_calls = 0;
    assert_int_equal(meta_migrate(&f.c), GX_OK);
    assert_int_equal(step_calls, 1);
    assert_true(step_fresh);
    assert_int_equal(count(&f, "SELECT count(*) FROM schema_migrations"), 2);
    assert_int_equal(db_exec(f.c.db, "SELECT body, parent_type, parent_id, extra, title FROM things", NULL, 0), DB_OK);
    assert_int_not_equal(db_exec(f.c.db, "SELECT note FROM things", NULL, 0), DB_OK);
    assert_int_not_equal(db_exec(f.c.db, "SELECT rel_type FROM things", NULL, 0), DB_OK);
    fx_close(&f);
}

/* A failing step rolls its migration back: nothing of migration 2 remains. */
static GxErr failing_step(Ctx *c, bool fresh)
{
    (void)fresh;
    return ctx_fail(c, GX_EDB, "refused");
}

static void test_failing_step_rolls_the_migration_back(void **state)
{
    (void)state;
    Fx f;
    fx_open(&f, "fail");
    meta_load_texts(schema_v1);
    ddl_steps_reset();
    assert_int_equal(meta_migrate(&f.c), GX_OK);
    meta_load_texts(schema_v2);
    ddl_step_add(2, "refuse", failing_step);
    assert_int_not_equal(meta_migrate(&f.c), GX_OK);
    assert_int_equal(count(&f, "SELECT count(*) FROM schema_migrations"), 1);
    assert_int_equal(db_exec(f.c.db, "SELECT note, rel_type FROM things", NULL, 0), DB_OK);
    fx_close(&f);
}

/* row_rev (migration ROW_REV_SINCE): an older table gets it from the step,
 * a table of a later migration with its CREATE TABLE; the trigger raises it
 * on every UPDATE; the scoped-list index holds it (index-only reads). */
static const char *const schema_rev[] = {
    USERS, DEPTS,
    "{\"name\": \"things\", \"indexes\": [[\"owner_id\", \"updated_at\"]], \"fields\": ["
    " {\"name\": \"title\", \"type\": \"string\"}]}",
    "{\"name\": \"later\", \"since\": 11, \"indexes\": [[\"owner_id\", \"updated_at\"]], \"fields\": ["
    " {\"name\": \"title\", \"type\": \"string\"}]}",
    NULL,
};

static void test_row_rev_on_old_and_new_tables(void **state)
{
    (void)state;
    Fx f;
    fx_open(&f, "rev");
    meta_load_texts(schema_rev);
    ddl_steps_reset();
    ddl_step_add(ROW_REV_SINCE, "row_rev", ddl_row_rev_step);
    assert_int_equal(meta_migrate(&f.c), GX_OK);
    const char *tables[] = {"things", "later"};
    for (int i = 0; i < 2; i++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "INSERT INTO %s(created_at, updated_at, owner_id, title) VALUES ('2026-01-01T00:00:00Z',"
                 " '2026-01-01T00:00:00Z', NULL, 'a')",
                 tables[i]);
        assert_int_equal(db_exec(f.c.db, sql, NULL, 0), DB_OK);
        snprintf(sql, sizeof sql, "UPDATE %s SET title = 'b'", tables[i]);
        assert_int_equal(db_exec(f.c.db, sql, NULL, 0), DB_OK);
        assert_int_equal(db_exec(f.c.db, sql, NULL, 0), DB_OK);
        snprintf(sql, sizeof sql, "SELECT row_rev FROM %s", tables[i]);
        assert_int_equal(count(&f, sql), 2);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM pragma_index_info('%s_x0_idx') WHERE name IN ('row_rev', 'deleted_at', 'id')",
                 tables[i]);
        assert_int_equal(count(&f, sql), 3);
    }
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_upgrade_renames_keeps_data_and_runs_the_step),
        cmocka_unit_test(test_fresh_database_gets_the_final_columns),
        cmocka_unit_test(test_failing_step_rolls_the_migration_back),
        cmocka_unit_test(test_row_rev_on_old_and_new_tables),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    meta_free();
    return rc;
}
