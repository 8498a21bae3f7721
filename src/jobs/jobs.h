/* jobs.h — the persistent job queue and the scheduler (ARCHITECTURE §7).
 *
 * HOW TO USE IT FROM A MODULE
 *
 *   static GxErr send_greetings(Ctx *c, json_t *payload) { ... return GX_OK; }
 *
 *   void mymodule_init(void)            // called from modules_init()
 *   {
 *       jobs_register("member_care", send_greetings);   // the handler
 *       jobs_daily("member_care", 8, 0);                // every day at 08:00 (company zone)
 *       // or jobs_every("member_care", 60);            // every minute
 *   }
 *
 *   // one-off work, e.g. from a hook (inside the caller's transaction: the job
 *   // exists exactly when the caller's change commits):
 *   jobs_enqueue(c, "send_mail", payload, 0, NULL);
 *
 * Contract of a handler: it runs in the system context (c->who == NULL, its
 * own arena and connection, no transaction open); it may be run more than
 * once for the same job (a server dying mid-job, a retry after an error), so
 * it must be idempotent — e.g. write rows with a unique key and ON CONFLICT DO
 * NOTHING. It returns GX_OK (job done) or an error (message in c): the job is
 * retried with backoff (30 s, 2 min, 8 min, 32 min …, at most 1 h apart) up
 * to max attempts (5), then marked failed with the last error kept.
 * "Now" inside handlers is clock_now_ms() (base/clock.h: faked in tests).
 *
 * Storage: one table `jobs` (both backends). A job is queued, running (under
 * a lease: another worker takes it over when the lease expires), done or
 * failed; nothing is lost on restart. Claiming is one transaction: on
 * PostgreSQL `SELECT … FOR UPDATE SKIP LOCKED`, so several app servers share
 * the queue without running a job twice; on SQLite BEGIN IMMEDIATE makes the
 * claim a single writer. Periodic jobs are rows too: each period ("slot")
 * is enqueued with the unique key "kind@slot-time", so however many servers
 * (or `guanxi jobs run` from cron) schedule the same slot, it runs once.
 *
 * Threads: register at start-up only (before jobs_start / serving). */
#ifndef GX_JOBS_H
#define GX_JOBS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../base/ctx.h"
#include "../db/db.h"

/* A job handler; payload is the JSON given at enqueue, borrowed. A periodic
 * job's payload is {"slot_s": N}: the slot it was queued for (Unix seconds),
 * the time it stands for whichever worker runs it and whatever that
 * worker's clock says (a `guanxi jobs run` with a test clock queues slots
 * that a serving process may claim). See the contract above. */
typedef GxErr (*JobFn)(Ctx *c, json_t *payload);

/* Register the handler of a job kind ([a-z0-9_], at most 60 characters). */
void jobs_register(const char *kind, JobFn fn);

/* Run kind every `seconds` (>= 10), aligned to multiples of it since the epoch. */
void jobs_every(const char *kind, int seconds);

/* Run kind once a day at hour:minute in the company zone (clock.h). A day
 * missed while no server ran is caught up once when one starts. */
void jobs_daily(const char *kind, int hour, int minute);

/* Queue one job of kind to run at run_at_ms (0 = now). With unique_key, a
 * second job with the same key is silently not added (*added false). Uses
 * c->db: inside the caller's transaction if one is open. */
GxErr jobs_enqueue(Ctx *c, const char *kind, json_t *payload, int64_t run_at_ms, const char *unique_key, bool *added);

/* Create the jobs table (also used by unit tests). */
GxErr jobs_schema(Ctx *c);

/* The same as a migration data step (DdlStepFn, registered for migration 3
 * by modules_init). */
GxErr jobs_migration_step(Ctx *c, bool fresh);

/* --- running --- */

/* What jobs_run_due did. */
typedef struct JobStats {
    int scheduled; /* periodic slots newly queued */
    int ran;       /* jobs run */
    int failed;    /* of which failed this time (retried later or given up) */
} JobStats;

/* Queue the current slot of every periodic job, then claim and run due jobs
 * one at a time until none is due or max_jobs have run (0 = no limit).
 * worker names the caller in the table (host:pid). Uses the calling thread's
 * connection of db. */
GxErr jobs_run_due(Db *db, const char *worker, int max_jobs, JobStats *stats);

/* Queue the current slot of every periodic job (part of jobs_run_due). */
GxErr jobs_schedule_periodic(Ctx *c, int64_t now_ms, int *added);

/* Claim one due job for worker: *id > 0 and kind/payload/attempts filled
 * (arena of c), or *id == 0 when nothing is due. */
GxErr jobs_claim(Ctx *c, const char *worker, int64_t now_ms, int64_t *id, const char **kind, const char **payload,
                 int *attempts);

/* Record the outcome of a claimed job: done when error is NULL; otherwise
 * retried with backoff or, after max attempts, failed. */
GxErr jobs_finish(Ctx *c, int64_t id, int attempts, const char *error, int64_t now_ms);

/* Delay before retry number `attempts` (1-based), in seconds. */
int64_t jobs_backoff_s(int attempts);

/* Slot start (ms) of a periodic job for now_ms: every `seconds`, or daily at
 * minute-of-day `daily_minute` (company zone) when seconds == 0. */
int64_t jobs_slot_ms(int seconds, int daily_minute, int64_t now_ms);

/* The scheduler thread of `guanxi serve`. */
typedef struct JobScheduler JobScheduler;

/* Start polling every poll_s seconds (1..3600). NULL if the thread cannot start. */
JobScheduler *jobs_start(Db *db, int poll_s);

/* Stop: wake the thread, let a running job finish, join. Call before db_close. */
void jobs_stop(JobScheduler *s);

#endif
