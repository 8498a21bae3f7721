/* db.c — dispatch from db.h to the backend, the Sql builder, and helpers
 * shared by both backends. */
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../base/log.h"

#define HEAD(c) ((DbConnHead *)(c))

/* The connection a statement runs on: during a unit of group commit, the
 * shared writer (see "Group commit" below), else c itself. */
static inline DbConn *RT(DbConn *c)
{
    DbConn *w = HEAD(c)->route;
    return w ? w : c;
}

static int unit_begin(DbConn *c);
static int unit_begin_as(DbConn *c, bool alone);
static int unit_end(DbConn *c, bool commit);
static void checkpointer_stop(Db *db);

static void forget_tables(Db *db)
{
    pthread_mutex_lock(&db->lock);
    for (int i = 0; i < db->nknown; i++)
        free(db->known_tables[i]);
    db->nknown = 0;
    pthread_mutex_unlock(&db->lock);
}


void sql_init(Sql *q, Arena *a)
{
    buf_init(&q->text, a);
    q->params = NULL;
    q->n = 0;
    q->cap = 0;
}

void sql_raw(Sql *q, const char *text) { buf_raw(&q->text, text); }

int sql_bind(Sql *q, DbVal v)
{
    if (q->n == q->cap) {
        int cap = q->cap ? q->cap * 2 : 8;
        q->params = arena_realloc(q->text.arena, q->params, sizeof(DbVal) * (size_t)q->cap,
                                  sizeof(DbVal) * (size_t)cap);
        q->cap = cap;
    }
    q->params[q->n++] = v;
    return q->n;
}

int sql_param(Sql *q, DbVal v)
{
    int n = sql_bind(q, v);
    /* "$n" without printf (~700 instructions a call; a GET of a customer
     * writes a dozen) */
    char t[16];
    int i = (int)sizeof t;
    unsigned u = (unsigned)n;
    do {
        t[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    t[--i] = '$';
    buf_raw_n(&q->text, t + i, sizeof t - (size_t)i);
    return n;
}

static void thread_conn_forget(void *p)
{
    /* The thread ended; its connection stays on the Db's list and is closed
     * by db_close. Nothing to do here. */
    (void)p;
}

Db *db_open(const char *url, char **err)
{
    static uint64_t opened;
    Db *db = xcalloc(1, sizeof *db);
    db->serial = __atomic_add_fetch(&opened, 1, __ATOMIC_RELAXED);
    db->write_gen = 1; /* 0 means "no generation" to callers */
    db->batch = 1;     /* group commit: transactions up to durable (0) have ended */
    db->url = xstrdup(url);
    if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11)) {
        db->dialect = DB_PG;
        db->be = &db_pg_backend;
    } else {
        db->dialect = DB_SQLITE;
        db->be = &db_sqlite_backend;
    }
    pthread_key_create(&db->key, thread_conn_forget);
    pthread_mutex_init(&db->lock, NULL);
    pthread_mutex_init(&db->glock, NULL);
    pthread_cond_init(&db->gcond, NULL);
    pthread_cond_init(&db->ckpt_cond, NULL);
    /* Connect once now so a bad URL fails at start-up, not on first request. */
    DbConn *c = db->be->connect(db, db->url, err);
    if (!c) {
        pthread_key_delete(db->key);
        pthread_mutex_destroy(&db->lock);
        pthread_mutex_destroy(&db->glock);
        pthread_cond_destroy(&db->gcond);
        pthread_cond_destroy(&db->ckpt_cond);
        free(db->url);
        free(db);
        return NULL;
    }
    HEAD(c)->next_all = db->conns;
    db->conns = c;
    pthread_setspecific(db->key, c);
    return db;
}

void db_close(Db *db)
{
    if (!db)
        return;
    checkpointer_stop(db);
    pthread_mutex_lock(&db->lock);
    DbConn *c = db->conns;
    while (c) {
        DbConn *next = HEAD(c)->next_all;
        free(HEAD(c)->pre);
        db->be->disconnect(c);
        c = next;
    }
    db->conns = NULL;
    pthread_mutex_unlock(&db->lock);
    forget_tables(db);
    free(db->pre);
    pthread_key_delete(db->key);
    pthread_mutex_destroy(&db->lock);
    pthread_mutex_destroy(&db->glock);
    pthread_cond_destroy(&db->gcond);
    pthread_cond_destroy(&db->ckpt_cond);
    free(db->url);
    free(db);
}

DbDialect db_dialect_of(const Db *db) { return db->dialect; }
DbDialect db_dialect(const DbConn *c) { return ((const DbConnHead *)c)->db->dialect; }

uint64_t db_serial(const DbConn *c) { return ((const DbConnHead *)c)->db->serial; }

DbConn *db_thread_conn(Db *db)
{
    DbConn *c = pthread_getspecific(db->key);
    if (c)
        return c;
    char *err = NULL;
    c = db->be->connect(db, db->url, &err);
    if (!c) {
        log_error("database connection failed: %s", err ? err : "?");
        free(err);
        return NULL;
    }
    pthread_mutex_lock(&db->lock);
    HEAD(c)->next_all = db->conns;
    db->conns = c;
    pthread_mutex_unlock(&db->lock);
    pthread_setspecific(db->key, c);
    return c;
}

DbConn *db_connect(Db *db, char **err) { return db->be->connect(db, db->url, err); }
void db_disconnect(DbConn *c)
{
    free(HEAD(c)->pre);
    HEAD(c)->be->disconnect(c);
}

static void bump(DbConn *c) { __atomic_add_fetch(&HEAD(c)->db->write_gen, 1, __ATOMIC_SEQ_CST); }

uint64_t db_write_generation(DbConn *c)
{
    return HEAD(c)->in_read ? HEAD(c)->snap_gen : __atomic_load_n(&HEAD(c)->db->write_gen, __ATOMIC_SEQ_CST);
}

bool db_sync_generation(DbConn *c)
{
    if (!HEAD(c)->be->changed_elsewhere)
        return false;
    if (HEAD(c)->be->changed_elsewhere(c))
        bump(c);
    return true;
}

/* Does the statement only read? (A conservative guess from its first word.) */
static bool reads_only(const char *sql)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '(')
        sql++;
    return !strncasecmp(sql, "SELECT", 6);
}

/* Is sql a statement about the connection or its transaction rather than
 * data (PRAGMA, BEGIN, COMMIT …)? Such statements run on the connection
 * they are given, never in a unit of group commit. */
static bool connection_statement(const char *sql)
{
    static const char *const words[] = {"PRAGMA", "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE",
                                        "VACUUM", "ANALYZE", "ATTACH", "DETACH"};
    while (*sql == ' ' || *sql == '\n' || *sql == '\t')
        sql++;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i]);
        if (!strncasecmp(sql, words[i], n) && !((sql[n] >= 'A' && sql[n] <= 'Z') || (sql[n] >= 'a' && sql[n] <= 'z') || sql[n] == '_'))
            return true;
    }
    return false;
}

/* Does statement sql drop or alter something? */
static bool changes_tables(const char *sql)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '\t')
        sql++;
    return !strncasecmp(sql, "DROP", 4) || !strncasecmp(sql, "ALTER", 5);
}

/* An implicit unit has ended: keep what db_changes and db_errmsg answer. */
static void save_result(DbConnHead *h, int64_t changes, const char *err)
{
    h->saved = true;
    h->saved_changes = changes;
    snprintf(h->saved_err, sizeof h->saved_err, "%s", err ? err : "");
}

int db_exec(DbConn *c, const char *sql, const DbVal *p, int n)
{
    DbConnHead *h = HEAD(c);
    if (changes_tables(sql))
        forget_tables(h->db);
    h->saved = false;
    if (h->db->group && !h->in_tx && !reads_only(sql) && !connection_statement(sql)) {
        /* A write outside a transaction: a unit of its own, committed with
         * the others (it would otherwise wait for the writer's lock). */
        int rc = db_begin(c);
        if (rc != DB_OK)
            return rc;
        rc = h->be->exec(h->route, sql, p, n);
        int64_t changes = h->be->changes(h->route);
        char err[sizeof h->saved_err];
        snprintf(err, sizeof err, "%s", h->be->errmsg(h->route));
        if (rc == DB_OK)
            rc = db_commit(c);
        else
            db_rollback(c);
        save_result(h, changes, err);
        return rc;
    }
    int rc = h->be->exec(RT(c), sql, p, n);
    if (!h->in_tx && !reads_only(sql))
        bump(c); /* autocommit write (in a transaction: at commit) */
    return rc;
}
int db_exec_script(DbConn *c, const char *sql)
{
    if (strcasestr(sql, "DROP ") || strcasestr(sql, "ALTER "))
        forget_tables(HEAD(c)->db);
    return HEAD(c)->be->exec_script(RT(c), sql);
}
int db_query(DbConn *c, const char *sql, const DbVal *p, int n, DbRes **res)
{
    DbConnHead *h = HEAD(c);
    h->saved = false;
    if (!h->in_tx && !reads_only(sql)) {
        if (h->db->group && !connection_statement(sql)) {
            /* INSERT … RETURNING outside a transaction: a unit of its own,
             * ended by db_done. */
            *res = NULL;
            int rc = db_begin(c);
            if (rc != DB_OK)
                return rc;
            rc = h->be->query(h->route, sql, p, n, res);
            if (rc != DB_OK) {
                char err[sizeof h->saved_err];
                snprintf(err, sizeof err, "%s", h->be->errmsg(h->route));
                db_rollback(c);
                save_result(h, 0, err);
                return rc;
            }
            h->implicit_res = *res;
            return DB_OK;
        }
        h->write_pending = true; /* INSERT … RETURNING: bumped once done */
    }
    return h->be->query(RT(c), sql, p, n, res);
}

/* A DbRes starts with a pointer to its connection so dispatch can find the backend. */
typedef struct DbResHead {
    DbConn *conn;
} DbResHead;
#define RBE(r) (HEAD(((DbResHead *)(r))->conn)->be)

int db_next(DbRes *r) { return RBE(r)->next(r); }
int db_ncols(DbRes *r) { return RBE(r)->ncols(r); }
const char *db_colname(DbRes *r, int col) { return RBE(r)->colname(r, col); }
bool db_isnull(DbRes *r, int col) { return RBE(r)->isnull(r, col); }
int64_t db_int(DbRes *r, int col) { return RBE(r)->get_int(r, col); }
const char *db_text(DbRes *r, int col) { return RBE(r)->get_text(r, col); }
const void *db_blob(DbRes *r, int col, Arena *a, size_t *len)
{
    *len = 0;
    return RBE(r)->get_blob(r, col, a, len);
}
void db_done(DbRes *r)
{
    if (!r)
        return;
    DbConn *c = ((DbResHead *)r)->conn;
    Db *db = HEAD(c)->db;
    /* A result on the writer belongs to the unit running there: only its
     * owner's thread uses the writer, so owner is stable here. */
    DbConn *owner = db->group && c == db->writer ? db->owner : NULL;
    RBE(r)->done(r);
    if (owner && HEAD(owner)->implicit_res == r) {
        DbConnHead *oh = HEAD(owner);
        oh->implicit_res = NULL;
        int64_t changes = oh->be->changes(c);
        if (db_commit(owner) != DB_OK)
            log_error("database: a write outside a transaction failed to commit: %s", db_errmsg(c));
        save_result(oh, changes, "");
        return;
    }
    if (HEAD(c)->write_pending) {
        HEAD(c)->write_pending = false;
        bump(c);
    }
}

int db_query_int(DbConn *c, const char *sql, const DbVal *p, int n, int64_t *out, bool *found)
{
    DbRes *r;
    int rc = db_query(c, sql, p, n, &r);
    if (rc)
        return rc;
    int s = db_next(r);
    if (found)
        *found = s == 1;
    if (s == 1)
        *out = db_int(r, 0);
    db_done(r);
    return s < 0 ? s : DB_OK;
}

int db_query_text(DbConn *c, Arena *a, const char *sql, const DbVal *p, int n, char **out)
{
    DbRes *r;
    *out = NULL;
    int rc = db_query(c, sql, p, n, &r);
    if (rc)
        return rc;
    int s = db_next(r);
    if (s == 1)
        *out = arena_strdup(a, db_text(r, 0));
    db_done(r);
    return s < 0 ? s : DB_OK;
}

void db_read_begin(DbConn *c)
{
    if (HEAD(c)->db->dialect != DB_SQLITE || HEAD(c)->in_tx || HEAD(c)->in_read)
        return;
    /* The generation is taken before the snapshot exists (the first read
     * makes it): whatever commits later bumps past it. */
    uint64_t g = __atomic_load_n(&HEAD(c)->db->write_gen, __ATOMIC_SEQ_CST);
    if (HEAD(c)->be->exec(c, "BEGIN", NULL, 0) == DB_OK) {
        HEAD(c)->in_read = true;
        HEAD(c)->snap_gen = g;
    }
}

void db_read_end(DbConn *c)
{
    if (!HEAD(c)->in_read)
        return;
    HEAD(c)->in_read = false;
    if (HEAD(c)->be->exec(c, "COMMIT", NULL, 0) != DB_OK)
        HEAD(c)->be->exec(c, "ROLLBACK", NULL, 0);
}

int db_begin(DbConn *c)
{
    DbConnHead *h = HEAD(c);
    db_read_end(c);
    if (h->in_tx && h->flat) {
        h->depth++;
        return DB_OK;
    }
    if (h->in_tx) {
        /* Nested: a savepoint, so the inner unit can fail alone. */
        char sql[48];
        snprintf(sql, sizeof sql, "SAVEPOINT gx_sp%d", h->depth);
        int rc = db_exec(c, sql, NULL, 0);
        if (rc == DB_OK)
            h->depth++;
        return rc;
    }
    if (h->db->group)
        return unit_begin(c);
    int rc = h->be->exec(c, h->db->dialect == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN", NULL, 0);
    if (rc == DB_OK) {
        h->in_tx = true;
        h->depth = 1;
        h->failed = false;
    }
    return rc;
}

int db_begin_alone(DbConn *c)
{
    DbConnHead *h = HEAD(c);
    if (h->in_tx || !h->db->group)
        return db_begin(c);
    db_read_end(c);
    return unit_begin_as(c, true);
}

void db_set_flat_nesting(DbConn *c, bool on) { HEAD(c)->flat = on; }
bool db_tx_failed(const DbConn *c) { return ((const DbConnHead *)c)->failed; }

/* Run the db_after_tx work of the transaction that has just ended. */
static void run_after_tx(DbConnHead *h)
{
    int n = h->nafter;
    h->nafter = 0;
    for (int i = 0; i < n; i++)
        h->after[i].fn(h->after[i].arg);
}

void db_after_tx(DbConn *c, void (*fn)(void *), void *arg)
{
    DbConnHead *h = HEAD(c);
    if (!h->in_tx) {
        fn(arg);
        return;
    }
    if (h->nafter >= (int)(sizeof h->after / sizeof h->after[0]))
        gx_die("db_after_tx: too many callbacks in one transaction");
    h->after[h->nafter].fn = fn;
    h->after[h->nafter].arg = arg;
    h->nafter++;
}

int db_commit(DbConn *c)
{
    DbConnHead *h = HEAD(c);
    if (h->depth > 1 && h->flat) {
        h->depth--;
        return DB_OK;
    }
    if (h->depth > 1) {
        char sql[48];
        h->depth--;
        snprintf(sql, sizeof sql, "RELEASE SAVEPOINT gx_sp%d", h->depth);
        return db_exec(c, sql, NULL, 0);
    }
    if (h->route) {
        int rc = unit_end(c, true);
        run_after_tx(h);
        return rc;
    }
    int rc = h->be->exec(c, "COMMIT", NULL, 0);
    if (rc != DB_OK)
        h->be->exec(c, "ROLLBACK", NULL, 0);
    h->in_tx = false;
    h->depth = 0;
    bump(c); /* after the commit: see db_write_generation */
    run_after_tx(h);
    return rc;
}

int db_rollback(DbConn *c)
{
    DbConnHead *h = HEAD(c);
    forget_tables(h->db); /* a table created in what is undone is gone again */
    if (h->depth > 1 && h->flat) {
        h->depth--;
        h->failed = true; /* its writes stay: the caller must roll the whole transaction back */
        return DB_OK;
    }
    if (h->depth > 1) {
        char sql[80];
        h->depth--;
        snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT gx_sp%d", h->depth);
        int rc = db_exec(c, sql, NULL, 0);
        snprintf(sql, sizeof sql, "RELEASE SAVEPOINT gx_sp%d", h->depth);
        if (db_exec(c, sql, NULL, 0) != DB_OK)
            rc = DB_ERROR;
        return rc;
    }
    if (h->route) {
        int rc = unit_end(c, false);
        run_after_tx(h);
        return rc;
    }
    h->in_tx = false;
    h->depth = 0;
    int rc = h->be->exec(c, "ROLLBACK", NULL, 0);
    run_after_tx(h);
    return rc;
}

bool db_in_tx(const DbConn *c) { return ((const DbConnHead *)c)->in_tx; }
int64_t db_changes(DbConn *c)
{
    if (HEAD(c)->saved && !HEAD(c)->route)
        return HEAD(c)->saved_changes;
    return HEAD(c)->be->changes(RT(c));
}
bool db_last_insert_id(DbConn *c, int64_t *id)
{
    if (!HEAD(c)->in_tx || !HEAD(c)->be->last_insert_id)
        return false;
    *id = HEAD(c)->be->last_insert_id(RT(c));
    return true;
}
int64_t db_prepares(DbConn *c)
{
    return HEAD(c)->be->prepares(RT(c));
}
const char *db_errmsg(DbConn *c)
{
    if (HEAD(c)->saved && !HEAD(c)->route)
        return HEAD(c)->saved_err;
    return HEAD(c)->be->errmsg(RT(c));
}
bool db_table_exists(DbConn *c, const char *t)
{
    Db *db = HEAD(c)->db;
    bool known = false;
    pthread_mutex_lock(&db->lock);
    for (int i = 0; i < db->nknown && !known; i++)
        known = !strcmp(db->known_tables[i], t);
    pthread_mutex_unlock(&db->lock);
    if (known)
        return true;
    if (!HEAD(c)->be->table_exists(RT(c), t))
        return false;
    pthread_mutex_lock(&db->lock);
    if (db->nknown < (int)(sizeof db->known_tables / sizeof db->known_tables[0]))
        db->known_tables[db->nknown++] = xstrdup(t);
    pthread_mutex_unlock(&db->lock);
    return true;
}
int db_blob_read(DbConn *c, const char *table, const char *key, const char *col, int64_t id, uint64_t offset,
                 void *buf, size_t n, size_t *got)
{
    *got = 0;
    HEAD(c)->saved = false;
    return HEAD(c)->be->blob_read(RT(c), table, key, col, id, offset, buf, n, got);
}
bool db_column_exists(DbConn *c, const char *t, const char *col) { return HEAD(c)->be->column_exists(RT(c), t, col); }
void db_optimize(DbConn *c) { HEAD(c)->be->optimize(RT(c)); }

int db_backup(Db *db, const char *path, char **err)
{
    if (!db->be->backup) {
        *err = xstrdup("backup is only built in for SQLite; use pg_dump for PostgreSQL");
        return DB_ERROR;
    }
    DbConn *c = db_thread_conn(db);
    if (!c) {
        *err = xstrdup("cannot connect");
        return DB_ERROR;
    }
    return db->be->backup(c, path, err);
}

/* ---------------------------------------------------------------------------
 * Group commit (SQLite)
 *
 * SQLite has one writer, and with synchronous=FULL every COMMIT waits for an
 * fsync of the WAL. One transaction per request serialises the requests on
 * that fsync (and, across connections, on the busy handler's sleeps). With
 * group commit every connection's write transaction — a "unit": the
 * outermost db_begin … db_commit/db_rollback, or one write outside a
 * transaction — runs on one shared writer connection, one unit at a time,
 * as the savepoint gx_unit inside the writer's open transaction:
 *
 *   - the first unit opens it (BEGIN IMMEDIATE); a unit that fails rolls
 *     back to its savepoint, which undoes only its own writes;
 *   - when a unit ends and no other connection waits to start one (or
 *     GC_MAX_UNITS units have gathered), the ending thread commits the
 *     transaction for all units in it: one fsync for all. A connection
 *     waits for that COMMIT before it can start another unit, so a
 *     transaction holds at most one unit per thread: the wait for a
 *     COMMIT is bounded by the other threads' units (no timer needed);
 *   - db_commit of a unit returns only once the transaction holding it has
 *     committed (durably), so a request answers after its writes are on
 *     disk, and its later reads on its own connection see them. If that
 *     COMMIT fails, every unit in it fails (DB_ERROR);
 *   - the write generation is bumped after the COMMIT, before any of the
 *     waiting threads returns; db_after_tx callbacks run after that, on the
 *     unit's own thread and connection, outside any transaction.
 *
 * A unit sees the writes of the units before it in the same transaction
 * (they commit or fail together with it). Statements of a unit, also
 * reads, go to the writer; other reads stay on each thread's connection. */

#define GC_MAX_UNITS 64
/* Checkpoints: how the WAL gets into the database file and starts over.
 *
 * A checkpoint copies the WAL's pages into the database and fsyncs it; a
 * COMMIT fsyncs the WAL. Both go to the same disk, so a COMMIT that meets
 * a checkpoint's fsync waits for it. The checkpointer thread therefore
 * copies often and little: once the WAL has CHECKPOINT_PAGES pages, and
 * again after every CHECKPOINT_PAGES / 2 more (a copy of ~100 pages and
 * its fsync take 1–3 ms on the bench machine; copies of 500 pages took
 * 5–20 ms, and the COMMITs meeting them were the checkouts' and orders'
 * p99, bench/README.md "Stop 17").
 *
 * The WAL starts over only in a write transaction that began when every
 * frame was already in the database. The writer is hardly ever idle under
 * load, so the checkpointer alone never gets there: the writer itself
 * copies the rest right after a COMMIT (no unit runs then), which makes
 * the next transaction start the WAL over. It does so once the WAL has
 * RESTART_PAGES and the checkpointer has copied all but RESTART_LEFT of
 * them (a short copy: ~1–6 ms, mostly the fsync), and in any case at
 * CHECKPOINT_FORCE_PAGES (the checkpointer fell behind: bulk writes). */
#define CHECKPOINT_PAGES 200
#define RESTART_PAGES 1000
#define RESTART_LEFT 128
#define CHECKPOINT_FORCE_PAGES 4000
/* Passes of one call: another while the last one found new frames. */
#define CHECKPOINT_PASSES 5

static void *checkpointer(void *arg)
{
    Db *db = arg;
    char *err = NULL;
    DbConn *c = db->be->connect(db, db->url, &err);
    if (!c) {
        log_error("database: the checkpointer cannot connect: %s", err ? err : "?");
        free(err);
    }
    pthread_mutex_lock(&db->glock);
    while (!db->ckpt_stop) {
        if (!db->ckpt_due || !c) {
            pthread_cond_wait(&db->ckpt_cond, &db->glock);
            continue;
        }
        db->ckpt_due = false;
        db->ckpt_running = true;
        uint64_t gen = db->ckpt_gen;
        pthread_mutex_unlock(&db->glock);
        /* Copy until a pass finds no new frame (the writer appended none
         * meanwhile) or the passes are used up. */
        int64_t copied = db->be->checkpoint(c);
        for (int i = 1; i < CHECKPOINT_PASSES && copied > 0; i++) {
            int64_t again = db->be->checkpoint(c);
            if (again == copied || again < 0)
                break;
            copied = again;
        }
        pthread_mutex_lock(&db->glock);
        db->ckpt_running = false;
        if (copied > 0 && gen == db->ckpt_gen) {
            db->ckpt_copied = copied;
            db->ckpt_copied_gen = gen;
        }
        db->stat_checkpoints++;
    }
    pthread_mutex_unlock(&db->glock);
    if (c)
        db->be->disconnect(c);
    return NULL;
}

static void checkpointer_stop(Db *db)
{
    pthread_mutex_lock(&db->glock);
    bool started = db->ckpt_started;
    db->ckpt_stop = true;
    pthread_cond_signal(&db->ckpt_cond);
    pthread_mutex_unlock(&db->glock);
    if (started)
        pthread_join(db->ckpt_thread, NULL);
}

bool db_set_group_commit(Db *db, bool on)
{
    if (db->dialect != DB_SQLITE || !db->be->in_transaction)
        return false;
    db->group = on;
    return true;
}

void db_group_stats(Db *db, DbGroupStats *out)
{
    pthread_mutex_lock(&db->glock);
    out->units = db->stat_units;
    out->commits = db->stat_commits;
    out->wanting = db->wanting;
    out->busy = db->owner != NULL;
    out->checkpoints = db->stat_checkpoints;
    out->restarts = db->stat_restarts;
    out->checkpointing = db->ckpt_running || db->ckpt_due;
    out->wait_ns = db->stat_wait_ns;
    out->hold_ns = db->stat_hold_ns;
    out->hold_cpu_ns = db->stat_hold_cpu_ns;
    out->after_ns = db->stat_after_ns;
    out->commit_ns = db->stat_commit_ns;
    out->commit_cpu_ns = db->stat_commit_cpu_ns;
    out->pre_ns = db->stat_pre_ns;
    pthread_mutex_unlock(&db->glock);
}

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool batch_failed(const Db *db, uint64_t b)
{
    int n = db->nfailed < 16 ? db->nfailed : 16;
    for (int i = 0; i < n; i++)
        if (db->failed[i] == b)
            return true;
    return false;
}

/* The writer's transaction has ended (committed if ok): wake everyone.
 * glock held. */
static void batch_ended(Db *db, uint64_t b, bool ok)
{
    if (!ok)
        db->failed[db->nfailed++ % 16] = b;
    else if (db->pending)
        db->stat_commits++;
    db->w_open = false;
    db->pending = 0;
    db->npre = 0; /* run before the COMMIT, or dropped with the transaction */
    db->durable = b;
    db->batch = b + 1;
    pthread_cond_broadcast(&db->gcond);
}

/* Run the db_before_commit work of the units in the writer's transaction,
 * in the order queued, on the writer (no unit runs: committing is set, so
 * db->pre is ours without glock). Its db_* calls must reach the writer
 * itself, not start units of their own: the writer counts as in its
 * transaction meanwhile. */
static int run_before_commit(Db *db, DbConn *w, int npre)
{
    DbConnHead *wh = HEAD(w);
    wh->in_tx = true;
    wh->depth = 1;
    int rc = DB_OK;
    for (int i = 0; i < npre && rc == DB_OK; i++)
        rc = db->pre[i].fn(w, db->pre[i].arg, db->pre[i].id) == 0 ? DB_OK : DB_ERROR;
    wh->in_tx = false;
    wh->depth = 0;
    db->stat_pre += (uint64_t)npre;
    if (rc != DB_OK)
        log_error("database: work before a group commit failed: %s", db->be->errmsg(w));
    return rc;
}

static void pre_push(DbPre **v, int *n, int *cap, DbPre p)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *v = xrealloc(*v, sizeof **v * (size_t)*cap);
    }
    (*v)[(*n)++] = p;
}

bool db_before_commit(DbConn *c, int (*fn)(DbConn *w, const void *arg, int64_t id), const void *arg,
                      int64_t id)
{
    DbConnHead *h = HEAD(c);
    if (!h->route || !h->in_tx)
        return false;
    /* A record written twice by one request (a create and its hooks'
     * update) is synced once; look back a little only. */
    for (int i = h->npre - 1; i >= 0 && i >= h->npre - 8; i--)
        if (h->pre[i].fn == fn && h->pre[i].arg == arg && h->pre[i].id == id)
            return true;
    pre_push(&h->pre, &h->npre, &h->cap_pre, (DbPre){fn, arg, id});
    return true;
}

/* Commit the writer's transaction for every unit in it. glock held on
 * entry and exit (released during the COMMIT); no unit is running. */
static void lead_commit(Db *db)
{
    DbConn *w = db->writer;
    uint64_t b = db->batch;
    int n = db->pending;
    int npre = db->npre;
    db->committing = true;
    pthread_mutex_unlock(&db->glock);
    int64_t t0 = clock_ns(CLOCK_MONOTONIC), cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    int rc = npre ? run_before_commit(db, w, npre) : DB_OK;
    int64_t t_pre = clock_ns(CLOCK_MONOTONIC) - t0;
    if (rc == DB_OK)
        rc = db->be->exec(w, "COMMIT", NULL, 0);
    if (rc != DB_OK) {
        log_error("database: group commit of %d writes failed: %s", n, db->be->errmsg(w));
        db->be->exec(w, "ROLLBACK", NULL, 0);
    }
    if (n)
        bump(w); /* after the commit, before anyone waiting returns */
    if (rc == DB_OK && db->ckpt_started) {
        int64_t pages = db->be->wal_pages(w);
        pthread_mutex_lock(&db->glock);
        if (pages < db->ckpt_last) {
            db->ckpt_gen++; /* the WAL started over in this transaction */
            db->stat_restarts++;
        }
        db->ckpt_last = pages;
        bool rest = pages >= RESTART_PAGES && !db->ckpt_running && db->ckpt_copied_gen == db->ckpt_gen &&
                    pages - db->ckpt_copied <= RESTART_LEFT;
        pthread_mutex_unlock(&db->glock);
        if (rest || pages >= CHECKPOINT_FORCE_PAGES) {
            /* the rest, so that the next transaction starts the WAL over
             * (see CHECKPOINT_PAGES) */
            db->be->checkpoint(w);
        } else if (pages >= CHECKPOINT_PAGES && (pages < db->ckpt_mark || pages >= db->ckpt_mark + CHECKPOINT_PAGES / 2)) {
            pthread_mutex_lock(&db->glock);
            db->ckpt_mark = pages;
            db->ckpt_due = true;
            pthread_cond_signal(&db->ckpt_cond);
            pthread_mutex_unlock(&db->glock);
        }
    }
    pthread_mutex_lock(&db->glock);
    db->committing = false;
    db->stat_commit_ns += (uint64_t)(clock_ns(CLOCK_MONOTONIC) - t0);
    db->stat_commit_cpu_ns += (uint64_t)(clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0);
    db->stat_pre_ns += (uint64_t)t_pre;
    batch_ended(db, b, rc == DB_OK);
}

static int unit_begin(DbConn *c) { return unit_begin_as(c, false); }

/* alone: the unit is the writer's transaction by itself, without the
 * savepoint gx_unit (see db_begin_alone): the units gathered so far are
 * committed first. */
static int unit_begin_as(DbConn *c, bool alone)
{
    DbConnHead *h = HEAD(c);
    Db *db = h->db;
    int64_t t_want = clock_ns(CLOCK_MONOTONIC);
    pthread_mutex_lock(&db->glock);
    if (!db->writer) {
        char *err = NULL;
        DbConn *w = db->be->connect(db, db->url, &err);
        if (!w) {
            pthread_mutex_unlock(&db->glock);
            log_error("database: cannot open the writer connection: %s", err ? err : "?");
            free(err);
            return DB_ERROR;
        }
        pthread_mutex_lock(&db->lock);
        HEAD(w)->next_all = db->conns;
        db->conns = w;
        pthread_mutex_unlock(&db->lock);
        db->writer = w;
        /* Without the thread the writer keeps SQLite's own checkpoints. */
        if (db->be->writer_setup && pthread_create(&db->ckpt_thread, NULL, checkpointer, db) == 0) {
            db->ckpt_started = true;
            db->be->writer_setup(w);
        }
    }
    db->wanting++;
    while (db->owner || db->committing)
        pthread_cond_wait(&db->gcond, &db->glock);
    db->wanting--;
    db->owner = c;
    h->unit_t0 = clock_ns(CLOCK_MONOTONIC);
    h->unit_cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    db->stat_wait_ns += (uint64_t)(h->unit_t0 - t_want);
    if (alone && db->w_open)
        lead_commit(db); /* glock held on entry and exit; nobody else starts meanwhile (owner) */
    bool open = db->w_open;
    pthread_mutex_unlock(&db->glock);

    DbConn *w = db->writer;
    int rc = DB_OK;
    if (!open) {
        rc = db->be->exec(w, "BEGIN IMMEDIATE", NULL, 0);
        if (rc != DB_OK) {
            pthread_mutex_lock(&db->glock);
            db->owner = NULL;
            pthread_cond_broadcast(&db->gcond);
            pthread_mutex_unlock(&db->glock);
            return rc;
        }
        pthread_mutex_lock(&db->glock);
        db->w_open = true;
        pthread_mutex_unlock(&db->glock);
    }
    h->route = w;
    h->in_tx = true;
    h->depth = 1;
    h->failed = false;
    h->npre = 0;
    h->alone = alone;
    if (alone)
        return DB_OK;
    rc = db->be->exec(w, "SAVEPOINT gx_unit", NULL, 0);
    if (rc != DB_OK) {
        unit_end(c, false);
        return rc;
    }
    return DB_OK;
}

/* End c's unit: keep its writes (commit) or undo them, then wait until the
 * transaction holding them has committed, committing it when this thread
 * is the last one around. Returns DB_OK once the writes are durable. */
static int unit_end(DbConn *c, bool commit)
{
    DbConnHead *h = HEAD(c);
    Db *db = h->db;
    DbConn *w = h->route;
    int rc = DB_OK;
    bool alone = h->alone, undone_alone = false;
    h->alone = false;
    if (alone) {
        /* the transaction is this unit's alone: kept for the commit below
         * (later units may join it), or rolled back whole */
        if (!commit) {
            db->be->exec(w, "ROLLBACK", NULL, 0);
            undone_alone = !db->be->in_transaction(w);
        }
    } else {
        if (commit && (rc = db->be->exec(w, "RELEASE gx_unit", NULL, 0)) != DB_OK)
            commit = false;
        if (!commit) {
            db->be->exec(w, "ROLLBACK TO gx_unit", NULL, 0);
            db->be->exec(w, "RELEASE gx_unit", NULL, 0);
        }
    }
    /* SQLite rolls a whole transaction back on some errors (I/O, disk full):
     * then the units released into it are gone too. */
    bool alive = db->be->in_transaction(w);
    h->route = NULL;
    h->in_tx = false;
    h->depth = 0;

    int64_t t_end = clock_ns(CLOCK_MONOTONIC), cpu_end = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    pthread_mutex_lock(&db->glock);
    db->owner = NULL;
    db->stat_hold_ns += (uint64_t)(t_end - h->unit_t0);
    db->stat_hold_cpu_ns += (uint64_t)(cpu_end - h->unit_cpu0);
    uint64_t mine = db->batch;
    if (!alive) {
        if (!undone_alone)
            log_error("database: the shared write transaction ended on an error: %s", db->be->errmsg(w));
        batch_ended(db, mine, undone_alone); /* undone alone: nothing else was in it */
    } else if (commit) {
        db->pending++;
        db->stat_units++;
        for (int i = 0; i < h->npre; i++)
            pre_push(&db->pre, &db->npre, &db->cap_pre, h->pre[i]);
    }
    h->npre = 0;
    pthread_cond_broadcast(&db->gcond); /* a connection waiting to start its unit may go */
    for (;;) {
        if (db->w_open && !db->owner && !db->committing &&
            (db->wanting == 0 || db->pending >= GC_MAX_UNITS)) {
            lead_commit(db);
            continue;
        }
        if (!commit || db->durable >= mine)
            break;
        /* The unit ending last (or lead_commit's end) wakes us. */
        pthread_cond_wait(&db->gcond, &db->glock);
    }
    db->stat_after_ns += (uint64_t)(clock_ns(CLOCK_MONOTONIC) - t_end);
    if (commit && (batch_failed(db, mine) || !alive))
        rc = DB_ERROR;
    else if (!commit && rc == DB_OK && !alive && !undone_alone)
        rc = DB_ERROR;
    pthread_mutex_unlock(&db->glock);
    return rc;
}
