/* test_jobs.c — the persistent job queue: enqueue with unique keys, claim
 * order and leases, retries with backoff up to failure, periodic slots (every
 * N seconds, daily at a company-zone time) queued once however often they are
 * scheduled, and jobs_run_due running each due job exactly once. Runs on a
 * temporary SQLite database holding only the jobs table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/clock.h"
#include "base/util.h"
#include "jobs/jobs.h"

static Arena arena;
static Db *db;
static Ctx c;
static char path[64];
static int runs_ok, runs_fail;

static GxErr job_ok(Ctx *cx, json_t *payload)
{
    (void)cx;
    runs_ok += (int)json_integer_value(json_object_get(payload, "n")) ?: 1;
    return GX_OK;
}

static GxErr job_fail(Ctx *cx, json_t *payload)
{
    (void)payload;
    runs_fail++;
    return ctx_fail(cx, GX_EINTERNAL, "gateway down");
}

static int64_t ms(const char *rfc)
{
    int64_t s;
    assert_true(time_parse_rfc3339(rfc, &s));
    return s * 1000;
}

static int64_t count(const char *where_state)
{
    int64_t n = 0;
    bool found;
    DbVal p[] = {dbv_text(where_state)};
    assert_int_equal(db_query_int(c.db, "SELECT count(*) FROM jobs WHERE state = $1", p, 1, &n, &found), DB_OK);
    return n;
}

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/gx-test-jobs-%d.db", (int)getpid());
    unlink(path);
    char *err = NULL;
    db = db_open(path, &err);
    if (!db)
        return -1;
    arena_init(&arena);
    ctx_init(&c, &arena, db_thread_conn(db));
    if (jobs_schema(&c) != GX_OK)
        return -1;
    jobs_register("t_ok", job_ok);
    jobs_register("t_fail", job_fail);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ctx_done(&c);
    arena_free(&arena);
    db_close(db);
    unlink(path);
    return 0;
}

static void clear(void)
{
    assert_int_equal(db_exec(c.db, "DELETE FROM jobs", NULL, 0), DB_OK);
    runs_ok = runs_fail = 0;
}

static void test_unique_key_adds_once(void **state)
{
    (void)state;
    clear();
    bool added;
    assert_int_equal(jobs_enqueue(&c, "t_ok", NULL, 0, "k1", &added), GX_OK);
    assert_true(added);
    assert_int_equal(jobs_enqueue(&c, "t_ok", NULL, 0, "k1", &added), GX_OK);
    assert_false(added);
    assert_int_equal(jobs_enqueue(&c, "t_ok", NULL, 0, NULL, &added), GX_OK);
    assert_int_equal(jobs_enqueue(&c, "t_ok", NULL, 0, NULL, &added), GX_OK);
    assert_int_equal(count("queued"), 3); /* NULL keys never collide */
    assert_int_not_equal(jobs_enqueue(&c, "no_such_kind", NULL, 0, NULL, &added), GX_OK);
    ctx_clear(&c);
}

static void test_claim_due_in_order_with_lease(void **state)
{
    (void)state;
    clear();
    int64_t t0 = ms("2026-11-23T10:00:00Z");
    assert_int_equal(jobs_enqueue(&c, "t_ok", NULL, t0 + 60000, "later", NULL), GX_OK);
    assert_int_equal(jobs_enqueue(&c, "t_ok", NULL, t0 - 1000, "first", NULL), GX_OK);
    int64_t id;
    const char *kind, *payload;
    int attempts;
    assert_int_equal(jobs_claim(&c, "w1", t0, &id, &kind, &payload, &attempts), GX_OK);
    assert_true(id > 0);
    assert_string_equal(kind, "t_ok");
    assert_int_equal(attempts, 1);
    int64_t first = id;
    /* The other is not due yet; the claimed one is leased. */
    assert_int_equal(jobs_claim(&c, "w2", t0 + 1000, &id, &kind, &payload, &attempts), GX_OK);
    assert_int_equal(id, 0);
    /* Its worker died: after the lease (10 min) another worker takes it over. */
    assert_int_equal(jobs_claim(&c, "w2", t0 + 11 * 60000, &id, &kind, &payload, &attempts), GX_OK);
    assert_int_equal(id, first);
    assert_int_equal(attempts, 2);
    assert_int_equal(jobs_finish(&c, id, attempts, NULL, t0 + 11 * 60000), GX_OK);
    assert_int_equal(count("done"), 1);
    assert_int_equal(count("queued"), 1);
}

static void test_retry_backoff_then_failed(void **state)
{
    (void)state;
    clear();
    assert_int_equal(jobs_backoff_s(1), 30);
    assert_int_equal(jobs_backoff_s(2), 120);
    assert_int_equal(jobs_backoff_s(3), 480);
    assert_int_equal(jobs_backoff_s(4), 1920);
    assert_int_equal(jobs_backoff_s(5), 3600);
    assert_int_equal(jobs_backoff_s(9), 3600);
    int64_t t = ms("2026-11-23T10:00:00Z");
    assert_int_equal(jobs_enqueue(&c, "t_fail", NULL, t, NULL, NULL), GX_OK);
    for (int attempt = 1; attempt <= 5; attempt++) {
        int64_t id;
        const char *kind, *payload;
        int attempts;
        assert_int_equal(jobs_claim(&c, "w", t, &id, &kind, &payload, &attempts), GX_OK);
        assert_true(id > 0);
        assert_int_equal(attempts, attempt);
        assert_int_equal(jobs_finish(&c, id, attempts, "gateway down", t), GX_OK);
        /* Not due again before the backoff has passed. */
        assert_int_equal(
            jobs_claim(&c, "w", t + jobs_backoff_s(attempt) * 1000 - 1000, &id, &kind, &payload, &attempts), GX_OK);
        assert_int_equal(id, 0);
        t += jobs_backoff_s(attempt) * 1000;
    }
    assert_int_equal(count("failed"), 1);
    char *err = NULL;
    assert_int_equal(db_query_text(c.db, &arena, "SELECT last_error FROM jobs", NULL, 0, &err), DB_OK);
    assert_string_equal(err, "gateway down");
}

static void test_periodic_slots(void **state)
{
    (void)state;
    /* Every 60 s: aligned to the minute. */
    assert_int_equal(jobs_slot_ms(60, 0, ms("2026-11-23T10:00:59Z") + 500), ms("2026-11-23T10:00:00Z"));
    /* Daily at 08:00 Beijing time = 00:00 UTC: before it, yesterday's slot. */
    assert_int_equal(jobs_slot_ms(0, 8 * 60, ms("2026-11-23T23:59:00Z")), ms("2026-11-23T00:00:00Z"));
    assert_int_equal(jobs_slot_ms(0, 8 * 60, ms("2026-11-24T00:00:00Z")), ms("2026-11-24T00:00:00Z"));
    /* 02:00 Beijing on the 24th is 18:00 UTC on the 23rd. */
    assert_int_equal(jobs_slot_ms(0, 2 * 60, ms("2026-11-23T17:59:59Z")), ms("2026-11-22T18:00:00Z"));
    assert_int_equal(jobs_slot_ms(0, 2 * 60, ms("2026-11-23T18:00:00Z")), ms("2026-11-23T18:00:00Z"));
}

static void test_run_due_runs_each_once(void **state)
{
    (void)state;
    clear();
    jobs_every("t_ok", 60);
    setenv("GX_TEST_CLOCK", "1", 1);
    setenv("GX_NOW", "2026-11-23T10:00:30Z", 1);
    json_t *p = json_pack("{s:i}", "n", 10);
    assert_int_equal(jobs_enqueue(&c, "t_ok", p, 0, NULL, NULL), GX_OK);
    json_decref(p);
    JobStats st;
    assert_int_equal(jobs_run_due(db, "w", 0, &st), GX_OK);
    /* The one-off job (n=10) and this minute's slot of t_ok (1), plus the daily cleanup slot. */
    assert_int_equal(runs_ok, 11);
    assert_int_equal(st.failed, 0);
    int first = st.scheduled;
    assert_true(first >= 2);
    /* Run again in the same minute (another server, or cron): nothing new. */
    assert_int_equal(jobs_run_due(db, "w2", 0, &st), GX_OK);
    assert_int_equal(st.scheduled, 0);
    assert_int_equal(st.ran, 0);
    assert_int_equal(runs_ok, 11);
    /* The next minute: one more slot. */
    setenv("GX_NOW", "2026-11-23T10:01:05Z", 1);
    assert_int_equal(jobs_run_due(db, "w", 0, &st), GX_OK);
    assert_int_equal(st.scheduled, 1);
    assert_int_equal(runs_ok, 12);
    assert_int_equal(count("queued") + count("running"), 0);
    unsetenv("GX_NOW");
    unsetenv("GX_TEST_CLOCK");
}

static void test_clock_needs_both_variables(void **state)
{
    (void)state;
    setenv("GX_NOW", "2001-01-01T00:00:00Z", 1);
    unsetenv("GX_TEST_CLOCK");
    assert_true(clock_now_ms() > ms("2020-01-01T00:00:00Z"));
    setenv("GX_TEST_CLOCK", "1", 1);
    assert_int_equal(clock_now_ms(), ms("2001-01-01T00:00:00Z"));
    unsetenv("GX_NOW");
    unsetenv("GX_TEST_CLOCK");
    /* Company-zone days: 2026-11-23 16:00 UTC is already the 24th in Beijing. */
    assert_int_equal(clock_local_day(ms("2026-11-23T16:00:00Z") / 1000), time_days_from_civil(2026, 11, 24));
    assert_int_equal(clock_local_midnight(time_days_from_civil(2026, 11, 24)), ms("2026-11-23T16:00:00Z") / 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unique_key_adds_once),      cmocka_unit_test(test_claim_due_in_order_with_lease),
        cmocka_unit_test(test_retry_backoff_then_failed), cmocka_unit_test(test_periodic_slots),
        cmocka_unit_test(test_run_due_runs_each_once),    cmocka_unit_test(test_clock_needs_both_variables),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
