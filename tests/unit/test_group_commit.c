/* test_group_commit.c — group commit on SQLite (db_set_group_commit, db.c):
 * write transactions of many threads share COMMITs on one writer
 * connection; numbers drawn from a counter stay unique and gap-free; a
 * failing transaction undoes only its own writes while the others of the
 * same COMMIT are kept; db_commit returns only after the COMMIT (no answer
 * before the writes are durable), then the write generation has moved and
 * db_after_tx callbacks run; writes outside transactions (db_exec, INSERT …
 * RETURNING) are committed too and report their changed rows; the WAL is
 * checkpointed by the checkpointer thread, not inside the COMMITs; work
 * queued with db_before_commit runs once per COMMIT, before it, for the
 * units kept only, and fails the COMMIT when it fails. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"

static Db *db;
static char path[64];

/* Rows of t with tag, seen by a connection of its own that is not part of
 * the group (what another process would see: committed data only). */
static int64_t committed_rows(const char *tag)
{
    char *err = NULL;
    DbConn *c = db_connect(db, &err);
    assert_non_null(c);
    int64_t n = -1;
    bool found;
    DbVal p[] = {dbv_text(tag)};
    assert_int_equal(db_query_int(c, "SELECT count(*) FROM t WHERE tag = $1", p, 1, &n, &found), DB_OK);
    db_disconnect(c);
    return n;
}

static int64_t rows_on(DbConn *c, const char *tag)
{
    int64_t n = -1;
    bool found;
    DbVal p[] = {dbv_text(tag)};
    assert_int_equal(db_query_int(c, "SELECT count(*) FROM t WHERE tag = $1", p, 1, &n, &found), DB_OK);
    return n;
}

static DbGroupStats stats(void)
{
    DbGroupStats s;
    db_group_stats(db, &s);
    return s;
}

/* Wait (up to 5 s) until n connections wait to start a unit. */
static void wait_wanting(int n)
{
    for (int i = 0; i < 5000 && stats().wanting != n; i++)
        usleep(1000);
    assert_int_equal(stats().wanting, n);
}

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/gx-test-group-%d.db", (int)getpid());
    unlink(path);
    char *err = NULL;
    db = db_open(path, &err);
    if (!db)
        return -1;
    DbConn *c = db_thread_conn(db);
    if (db_exec(c, "CREATE TABLE t(id INTEGER PRIMARY KEY, tag TEXT NOT NULL, n INTEGER UNIQUE)", NULL, 0) ||
        db_exec(c, "CREATE TABLE seq(v INTEGER NOT NULL)", NULL, 0) ||
        db_exec(c, "INSERT INTO seq(v) VALUES (0)", NULL, 0) ||
        db_exec(c, "CREATE TABLE derived(tag TEXT NOT NULL, rows_seen INTEGER, committed_seen INTEGER)", NULL, 0))
        return -1;
    return db_set_group_commit(db, true) ? 0 : -1;
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

/* --- many writers: unique, gap-free numbers ----------------------------- */

#define WRITERS 8
#define UNITS 60

static void *numbering_writer(void *arg)
{
    (void)arg;
    DbConn *c = db_thread_conn(db);
    int bad = 0;
    for (int i = 0; i < UNITS; i++) {
        int64_t n = 0;
        bool found = false;
        if (db_begin(c) != DB_OK) {
            bad++;
            continue;
        }
        /* like auto_number: the counter moves inside the transaction */
        if (db_query_int(c, "UPDATE seq SET v = v + 1 RETURNING v", NULL, 0, &n, &found) != DB_OK || !found) {
            db_rollback(c);
            bad++;
            continue;
        }
        DbVal p[] = {dbv_text("num"), dbv_int(n)};
        if (db_exec(c, "INSERT INTO t(tag, n) VALUES ($1, $2)", p, 2) != DB_OK) {
            db_rollback(c);
            bad++;
            continue;
        }
        /* every third one changes its mind: its number goes back */
        if (i % 3 == 2) {
            db_rollback(c);
            continue;
        }
        int crc = db_commit(c);
        if (crc != DB_OK) {
            fprintf(stderr, "commit failed %d: %s\n", crc, db_errmsg(c));
            bad++;
            continue;
        }
        /* read after write, on this thread's own connection */
        DbVal q[] = {dbv_int(n)};
        int64_t seen = 0;
        if (db_query_int(c, "SELECT count(*) FROM t WHERE n = $1", q, 1, &seen, &found) != DB_OK || seen != 1) {
            fprintf(stderr, "read after write: %lld rows of n=%lld\n", (long long)seen, (long long)n);
            bad++;
        }
    }
    return (void *)(intptr_t)bad;
}

static void test_concurrent_writers_number_without_gaps(void **state)
{
    (void)state;
    DbGroupStats before = stats();
    pthread_t th[WRITERS];
    for (int i = 0; i < WRITERS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, numbering_writer, NULL), 0);
    for (int i = 0; i < WRITERS; i++) {
        void *bad;
        pthread_join(th[i], &bad);
        assert_int_equal((int)(intptr_t)bad, 0);
    }
    int kept = WRITERS * (UNITS - UNITS / 3);
    DbConn *c = db_thread_conn(db);
    int64_t count = 0, max = 0, distinct = 0, v = 0;
    bool found;
    assert_int_equal(db_query_int(c, "SELECT count(*) FROM t WHERE tag = 'num'", NULL, 0, &count, &found), DB_OK);
    assert_int_equal(db_query_int(c, "SELECT max(n) FROM t WHERE tag = 'num'", NULL, 0, &max, &found), DB_OK);
    assert_int_equal(db_query_int(c, "SELECT count(DISTINCT n) FROM t WHERE tag = 'num'", NULL, 0, &distinct, &found),
                     DB_OK);
    assert_int_equal(db_query_int(c, "SELECT v FROM seq", NULL, 0, &v, &found), DB_OK);
    assert_int_equal(count, kept);
    assert_int_equal(distinct, kept);
    assert_int_equal(max, kept); /* 1..kept: no gaps */
    assert_int_equal(v, kept);
    assert_int_equal(committed_rows("num"), kept);
    DbGroupStats after = stats();
    assert_int_equal(after.units - before.units, (uint64_t)kept);
    assert_true(after.commits - before.commits <= after.units - before.units);
    assert_true(after.commits > before.commits);
}

/* --- one failing among several, and no answer before the COMMIT --------- */

typedef struct Unit {
    const char *tag;
    bool fail;          /* write a duplicate n: a constraint violation, rolled back */
    int hold_ms;        /* keep the unit open this long after starting it */
    bool defer;         /* queue derive() with db_before_commit (twice: it runs once) */
    bool defer_fail;    /* queue failing_derive() too */
    atomic_bool started; /* db_begin returned */
    atomic_bool returned; /* db_commit / db_rollback returned */
    int rc;             /* db_commit's */
    int64_t seen_by_after; /* committed rows of tag when the db_after_tx callback ran */
    uint64_t gen_before, gen_after;
} Unit;

static atomic_int derive_calls;

/* Before-commit work: a derived row from what the writer's transaction
 * holds now, and what an outside connection sees (nothing: not committed). */
static int derive(DbConn *w, const void *arg, int64_t id)
{
    const char *tag = arg;
    atomic_fetch_add(&derive_calls, 1);
    DbVal p[] = {dbv_text(tag), dbv_int(rows_on(w, tag)), dbv_int(committed_rows(tag) + id - 7)};
    return db_exec(w, "INSERT INTO derived(tag, rows_seen, committed_seen) VALUES ($1, $2, $3)", p, 3) == DB_OK ? 0 : -1;
}

static int failing_derive(DbConn *w, const void *arg, int64_t id)
{
    (void)w, (void)arg, (void)id;
    return -1;
}

static void after_cb(void *arg)
{
    Unit *u = arg;
    u->seen_by_after = committed_rows(u->tag);
}

static void *unit_thread(void *arg)
{
    Unit *u = arg;
    DbConn *c = db_thread_conn(db);
    u->gen_before = db_write_generation(c);
    assert_int_equal(db_begin(c), DB_OK);
    atomic_store(&u->started, true);
    DbVal p[] = {dbv_text(u->tag)};
    assert_int_equal(db_exec(c, "INSERT INTO t(tag) VALUES ($1)", p, 1), DB_OK);
    /* its own write is visible inside its transaction */
    assert_int_equal(rows_on(c, u->tag), 1);
    if (u->defer) {
        assert_true(db_before_commit(c, derive, u->tag, 7));
        assert_true(db_before_commit(c, derive, u->tag, 7)); /* the same again: runs once */
    }
    if (u->defer_fail)
        assert_true(db_before_commit(c, failing_derive, u->tag, 7));
    if (u->hold_ms)
        usleep((useconds_t)u->hold_ms * 1000);
    if (u->fail) {
        /* n = 1 exists since the numbering test ran */
        DbVal q[] = {dbv_text(u->tag), dbv_int(1)};
        assert_int_equal(db_exec(c, "INSERT INTO t(tag, n) VALUES ($1, $2)", q, 2), DB_CONSTRAINT);
        db_after_tx(c, after_cb, u);
        u->rc = db_rollback(c);
    } else {
        db_after_tx(c, after_cb, u);
        u->rc = db_commit(c);
    }
    u->gen_after = db_write_generation(c);
    atomic_store(&u->returned, true);
    return NULL;
}

/* Start the units' threads while this thread holds the writer, so that
 * all of them queue; then let them go. */
static void run_queued(Unit *u, int n, pthread_t *th)
{
    DbConn *c = db_thread_conn(db);
    assert_int_equal(db_begin(c), DB_OK);
    for (int i = 0; i < n; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, unit_thread, &u[i]), 0);
        wait_wanting(i + 1);
    }
    assert_int_equal(db_rollback(c), DB_OK); /* nothing of its own to keep */
}

/* run_queued, then wait for every unit's thread to end. */
static void run_units(Unit *u, int n)
{
    pthread_t th[8];
    assert_true(n <= 8);
    run_queued(u, n, th);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
}

static void test_a_failing_unit_undoes_only_its_own_writes(void **state)
{
    (void)state;
    Unit u[3] = {{.tag = "a"}, {.tag = "b", .fail = true}, {.tag = "c"}};
    DbGroupStats before = stats();
    run_units(u, 3);
    assert_int_equal(u[0].rc, DB_OK);
    assert_int_equal(u[2].rc, DB_OK);
    assert_int_equal(committed_rows("a"), 1);
    assert_int_equal(committed_rows("b"), 0);
    assert_int_equal(committed_rows("c"), 1);
    DbGroupStats after = stats();
    assert_int_equal(after.units - before.units, 2);
    assert_int_equal(after.commits - before.commits, 1); /* one COMMIT for a and c */
    /* db_after_tx ran after the COMMIT: the rows were already there */
    assert_int_equal(u[0].seen_by_after, 1);
    assert_int_equal(u[2].seen_by_after, 1);
    assert_int_equal(u[1].seen_by_after, 0);
    assert_true(u[0].gen_after > u[0].gen_before);
    assert_true(u[2].gen_after > u[2].gen_before);
}

static void test_no_commit_returns_before_the_writes_are_durable(void **state)
{
    (void)state;
    /* Both keep their unit open 300 ms. Whichever runs first ends its unit
     * while the other waits to start: its db_commit must not return while
     * the other's unit is still open, since their COMMIT is shared. */
    Unit u[2] = {{.tag = "early", .hold_ms = 300}, {.tag = "late", .hold_ms = 300}};
    pthread_t th[2];
    DbGroupStats before = stats();
    run_queued(u, 2, th);
    while (!(atomic_load(&u[0].started) && atomic_load(&u[1].started)))
        usleep(1000);
    /* the second has just started: the first has ended its unit */
    for (int check = 0; check < 2; check++) {
        assert_false(atomic_load(&u[0].returned));
        assert_false(atomic_load(&u[1].returned));
        assert_int_equal(committed_rows("early"), 0);
        assert_int_equal(committed_rows("late"), 0);
        usleep(100 * 1000);
    }
    pthread_join(th[0], NULL);
    pthread_join(th[1], NULL);
    assert_int_equal(u[0].rc, DB_OK);
    assert_int_equal(u[1].rc, DB_OK);
    assert_int_equal(committed_rows("early"), 1);
    assert_int_equal(committed_rows("late"), 1);
    assert_int_equal(u[0].seen_by_after, 1);
    assert_int_equal(u[1].seen_by_after, 1);
    DbGroupStats after = stats();
    assert_int_equal(after.units - before.units, 2);
    assert_int_equal(after.commits - before.commits, 1);
    /* where the time went: both held the writer 300 ms (sleeping, so
     * little CPU), the second waited for the first, the first waited
     * after its unit for the second's and the shared COMMIT */
    assert_true(after.hold_ns - before.hold_ns >= 2 * 290 * 1000000ull);
    assert_true(after.hold_cpu_ns - before.hold_cpu_ns < after.hold_ns - before.hold_ns);
    assert_true(after.wait_ns - before.wait_ns >= 250 * 1000000ull);
    assert_true(after.after_ns - before.after_ns >= 250 * 1000000ull);
    assert_true(after.commit_ns > before.commit_ns);
}

/* --- db_before_commit ---------------------------------------------------- */

static int64_t derived_rows(const char *tag, int64_t *rows_seen, int64_t *committed_seen)
{
    DbConn *c = db_thread_conn(db);
    DbVal p[] = {dbv_text(tag)};
    DbRes *r;
    assert_int_equal(db_query(c, "SELECT rows_seen, committed_seen FROM derived WHERE tag = $1", p, 1, &r), DB_OK);
    int64_t n = 0;
    while (db_next(r) == 1) {
        *rows_seen = db_int(r, 0);
        *committed_seen = db_int(r, 1);
        n++;
    }
    db_done(r);
    return n;
}

static void test_before_commit_work_runs_once_for_the_kept_units(void **state)
{
    (void)state;
    /* Outside a unit nothing is queued: the caller does the work itself. */
    DbConn *c = db_thread_conn(db);
    assert_false(db_before_commit(c, derive, "none", 7));

    atomic_store(&derive_calls, 0);
    Unit u[3] = {{.tag = "d1", .defer = true}, {.tag = "d2", .defer = true, .fail = true}, {.tag = "d3", .defer = true}};
    DbGroupStats before = stats();
    run_units(u, 3);
    assert_int_equal(u[0].rc, DB_OK);
    assert_int_equal(u[2].rc, DB_OK);
    DbGroupStats after = stats();
    assert_int_equal(after.commits - before.commits, 1);
    /* once per kept unit (queued twice each), none for the failed one */
    assert_int_equal(atomic_load(&derive_calls), 2);
    const char *kept[] = {"d1", "d3"};
    for (int i = 0; i < 2; i++) {
        int64_t seen = -1, outside = -1;
        assert_int_equal(derived_rows(kept[i], &seen, &outside), 1);
        assert_int_equal(seen, 1);    /* the unit's own row, on the writer */
        assert_int_equal(outside, 0); /* before the COMMIT */
        assert_int_equal(committed_rows(kept[i]), 1);
    }
    int64_t seen, outside;
    assert_int_equal(derived_rows("d2", &seen, &outside), 0);
    assert_int_equal(committed_rows("d2"), 0);
    /* db_after_tx ran after the COMMIT, derived rows included */
    assert_int_equal(u[0].seen_by_after, 1);
}

static void test_failing_before_commit_work_fails_the_commit(void **state)
{
    (void)state;
    atomic_store(&derive_calls, 0);
    Unit u[2] = {{.tag = "e1", .defer = true}, {.tag = "e2", .defer_fail = true}};
    run_units(u, 2);
    /* one COMMIT for both: it fails, so both do, and nothing is kept */
    assert_int_equal(u[0].rc, DB_ERROR);
    assert_int_equal(u[1].rc, DB_ERROR);
    assert_int_equal(committed_rows("e1"), 0);
    assert_int_equal(committed_rows("e2"), 0);
    int64_t seen, outside;
    assert_int_equal(derived_rows("e1", &seen, &outside), 0);
    /* the writer goes on */
    Unit v[1] = {{.tag = "e3", .defer = true}};
    run_units(v, 1);
    assert_int_equal(v[0].rc, DB_OK);
    assert_int_equal(committed_rows("e3"), 1);
    assert_int_equal(derived_rows("e3", &seen, &outside), 1);
}

/* --- writes outside a transaction ---------------------------------------- */

static void test_writes_outside_transactions(void **state)
{
    (void)state;
    DbConn *c = db_thread_conn(db);
    DbGroupStats before = stats();
    DbVal p[] = {dbv_text("solo")};
    assert_int_equal(db_exec(c, "INSERT INTO t(tag) VALUES ($1)", p, 1), DB_OK);
    assert_int_equal(db_exec(c, "INSERT INTO t(tag) VALUES ($1)", p, 1), DB_OK);
    assert_int_equal(committed_rows("solo"), 2);
    DbVal q[] = {dbv_text("solo2"), dbv_text("solo")};
    assert_int_equal(db_exec(c, "UPDATE t SET tag = $1 WHERE tag = $2", q, 2), DB_OK);
    assert_int_equal(db_changes(c), 2);
    int64_t id = 0;
    bool found = false;
    DbVal r[] = {dbv_text("returning")};
    assert_int_equal(db_query_int(c, "INSERT INTO t(tag) VALUES ($1) RETURNING id", r, 1, &id, &found), DB_OK);
    assert_true(found && id > 0);
    assert_false(db_in_tx(c));
    assert_int_equal(committed_rows("returning"), 1);
    assert_int_equal(committed_rows("solo2"), 2);
    /* a failing one: the error is still there to read */
    DbVal s[] = {dbv_text("dup"), dbv_int(1)};
    assert_int_equal(db_exec(c, "INSERT INTO t(tag, n) VALUES ($1, $2)", s, 2), DB_CONSTRAINT);
    assert_non_null(strstr(db_errmsg(c), "UNIQUE"));
    assert_int_equal(committed_rows("dup"), 0);
    DbGroupStats after = stats();
    assert_int_equal(after.units - before.units, 4);
    assert_false(after.busy);
}

/* A unit begun with db_begin_alone (imports) is the writer's transaction by
 * itself: its writes are durable when db_commit returns and not visible
 * before, a savepoint inside it can be undone alone, a rollback undoes the
 * whole unit without an error, and group commit goes on afterwards. */
static void test_a_unit_alone(void **state)
{
    (void)state;
    DbConn *c = db_thread_conn(db);
    DbVal a[] = {dbv_text("alone")};
    assert_int_equal(db_begin_alone(c), DB_OK);
    assert_int_equal(db_exec(c, "INSERT INTO t(tag) VALUES ($1)", a, 1), DB_OK);
    assert_int_equal(committed_rows("alone"), 0);
    assert_int_equal(db_commit(c), DB_OK);
    assert_int_equal(committed_rows("alone"), 1);
    DbVal b[] = {dbv_text("alone-undone")}, n[] = {dbv_text("alone-inner")};
    assert_int_equal(db_begin_alone(c), DB_OK);
    assert_int_equal(db_begin(c), DB_OK); /* a savepoint inside it, undone alone */
    assert_int_equal(db_exec(c, "INSERT INTO t(tag) VALUES ($1)", n, 1), DB_OK);
    assert_int_equal(db_rollback(c), DB_OK);
    assert_int_equal(db_exec(c, "INSERT INTO t(tag) VALUES ($1)", a, 1), DB_OK);
    assert_int_equal(db_commit(c), DB_OK);
    assert_int_equal(committed_rows("alone"), 2);
    assert_int_equal(committed_rows("alone-inner"), 0);
    assert_int_equal(db_begin_alone(c), DB_OK);
    assert_int_equal(db_exec(c, "INSERT INTO t(tag) VALUES ($1)", b, 1), DB_OK);
    assert_int_equal(db_rollback(c), DB_OK);
    assert_false(db_in_tx(c));
    assert_int_equal(committed_rows("alone-undone"), 0);
    Unit u[2] = {{.tag = "after-alone-1"}, {.tag = "after-alone-2"}};
    run_units(u, 2);
    assert_int_equal(u[0].rc, DB_OK);
    assert_int_equal(u[1].rc, DB_OK);
    assert_int_equal(committed_rows("after-alone-1"), 1);
    assert_int_equal(committed_rows("after-alone-2"), 1);
    assert_false(stats().busy);
}

/* --- checkpoints ---------------------------------------------------------- */

static void test_the_wal_is_checkpointed_by_the_checkpointer(void **state)
{
    (void)state;
    DbConn *c = db_thread_conn(db);
    assert_int_equal(db_exec(c, "CREATE TABLE IF NOT EXISTS big(b BLOB)", NULL, 0), DB_OK);
    uint64_t before = stats().checkpoints;
    /* ~1,500 pages of 4 KB in 15 transactions */
    for (int i = 0; i < 15; i++) {
        assert_int_equal(db_begin(c), DB_OK);
        for (int j = 0; j < 100; j++)
            assert_int_equal(db_exec(c, "INSERT INTO big(b) VALUES (randomblob(4000))", NULL, 0), DB_OK);
        assert_int_equal(db_commit(c), DB_OK);
    }
    for (int i = 0; i < 5000 && stats().checkpoints == before; i++)
        usleep(1000);
    assert_true(stats().checkpoints > before);
    int64_t n = 0;
    bool found;
    assert_int_equal(db_query_int(c, "SELECT count(*) FROM big", NULL, 0, &n, &found), DB_OK);
    assert_int_equal(n, 1500);
}

/* Small write transactions, each begun before the checkpointer has copied
 * the ones before it (as under load: the writer is never idle), at a pace
 * it keeps up with (each waits, inside its transaction, until it is idle
 * again): the WAL starts over once it has ~1,000 pages instead of growing
 * to the 4,000 at which a COMMIT copies everything left. Before stop 17
 * the WAL started over only at 4,000 pages: no transaction began with
 * every frame copied, so only the COMMIT's own copy at 4,000 made the WAL
 * start over. */
static void test_the_wal_starts_over_while_writes_go_on(void **state)
{
    (void)state;
    char own[80], wal[96];
    snprintf(own, sizeof own, "/tmp/gx-test-group-restart-%d.db", (int)getpid());
    snprintf(wal, sizeof wal, "%s-wal", own);
    unlink(own);
    unlink(wal);
    char *err = NULL;
    Db *d = db_open(own, &err);
    assert_non_null(d);
    DbConn *c = db_thread_conn(d);
    assert_int_equal(db_exec(c, "CREATE TABLE big(b BLOB)", NULL, 0), DB_OK);
    assert_true(db_set_group_commit(d, true));
    /* 600 transactions of ~10 pages: ~6,000 pages through the WAL */
    for (int i = 0; i < 600; i++) {
        assert_int_equal(db_begin(c), DB_OK);
        for (int j = 0; j < 10; j++)
            assert_int_equal(db_exec(c, "INSERT INTO big(b) VALUES (randomblob(4000))", NULL, 0), DB_OK);
        DbGroupStats s;
        for (int k = 0; k < 5000; k++) {
            db_group_stats(d, &s);
            if (!s.checkpointing)
                break;
            usleep(1000);
        }
        assert_false(s.checkpointing);
        assert_int_equal(db_commit(c), DB_OK);
    }
    DbGroupStats s;
    db_group_stats(d, &s);
    assert_true(s.restarts >= 3);
    /* The WAL file keeps the largest size it had: ~1,000 pages and the
     * transaction after them (4 KB + 24 bytes a page), far from 4,000. */
    struct stat st;
    assert_int_equal(stat(wal, &st), 0);
    assert_true(st.st_size < 1500 * (4096 + 24));
    int64_t n = 0;
    bool found;
    assert_int_equal(db_query_int(c, "SELECT count(*) FROM big", NULL, 0, &n, &found), DB_OK);
    assert_int_equal(n, 6000);
    db_close(d);
    unlink(own);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", own);
    unlink(wal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_writers_number_without_gaps),
        cmocka_unit_test(test_a_failing_unit_undoes_only_its_own_writes),
        cmocka_unit_test(test_no_commit_returns_before_the_writes_are_durable),
        cmocka_unit_test(test_before_commit_work_runs_once_for_the_kept_units),
        cmocka_unit_test(test_failing_before_commit_work_fails_the_commit),
        cmocka_unit_test(test_writes_outside_transactions),
        cmocka_unit_test(test_a_unit_alone),
        cmocka_unit_test(test_the_wal_is_checkpointed_by_the_checkpointer),
        cmocka_unit_test(test_the_wal_starts_over_while_writes_go_on),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
