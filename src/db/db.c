/* db.c — dispatch from db.h to the backend, the Sql builder, and helpers
 * shared by both backends. */
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/log.h"

#define HEAD(c) ((DbConnHead *)(c))

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
    buf_printf(&q->text, "$%d", n);
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
    Db *db = xcalloc(1, sizeof *db);
    db->write_gen = 1; /* 0 means "no generation" to callers */
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
    /* Connect once now so a bad URL fails at start-up, not on first request. */
    DbConn *c = db->be->connect(db, db->url, err);
    if (!c) {
        pthread_key_delete(db->key);
        pthread_mutex_destroy(&db->lock);
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
    pthread_mutex_lock(&db->lock);
    DbConn *c = db->conns;
    while (c) {
        DbConn *next = HEAD(c)->next_all;
        db->be->disconnect(c);
        c = next;
    }
    db->conns = NULL;
    pthread_mutex_unlock(&db->lock);
    forget_tables(db);
    pthread_key_delete(db->key);
    pthread_mutex_destroy(&db->lock);
    free(db->url);
    free(db);
}

DbDialect db_dialect_of(const Db *db) { return db->dialect; }
DbDialect db_dialect(const DbConn *c) { return ((const DbConnHead *)c)->db->dialect; }

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
void db_disconnect(DbConn *c) { HEAD(c)->be->disconnect(c); }

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

/* Does statement sql drop or alter something? */
static bool changes_tables(const char *sql)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '\t')
        sql++;
    return !strncasecmp(sql, "DROP", 4) || !strncasecmp(sql, "ALTER", 5);
}

int db_exec(DbConn *c, const char *sql, const DbVal *p, int n)
{
    if (changes_tables(sql))
        forget_tables(HEAD(c)->db);
    int rc = HEAD(c)->be->exec(c, sql, p, n);
    if (!HEAD(c)->in_tx && !reads_only(sql))
        bump(c); /* autocommit write (in a transaction: at commit) */
    return rc;
}
int db_exec_script(DbConn *c, const char *sql)
{
    if (strcasestr(sql, "DROP ") || strcasestr(sql, "ALTER "))
        forget_tables(HEAD(c)->db);
    return HEAD(c)->be->exec_script(c, sql);
}
int db_query(DbConn *c, const char *sql, const DbVal *p, int n, DbRes **res)
{
    if (!HEAD(c)->in_tx && !reads_only(sql))
        HEAD(c)->write_pending = true; /* INSERT … RETURNING: bumped once done */
    return HEAD(c)->be->query(c, sql, p, n, res);
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
    RBE(r)->done(r);
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
    int rc = h->be->exec(c, h->db->dialect == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN", NULL, 0);
    if (rc == DB_OK) {
        h->in_tx = true;
        h->depth = 1;
        h->failed = false;
    }
    return rc;
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
    h->in_tx = false;
    h->depth = 0;
    int rc = h->be->exec(c, "ROLLBACK", NULL, 0);
    run_after_tx(h);
    return rc;
}

bool db_in_tx(const DbConn *c) { return ((const DbConnHead *)c)->in_tx; }
int64_t db_changes(DbConn *c) { return HEAD(c)->be->changes(c); }
const char *db_errmsg(DbConn *c) { return HEAD(c)->be->errmsg(c); }
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
    if (!HEAD(c)->be->table_exists(c, t))
        return false;
    pthread_mutex_lock(&db->lock);
    if (db->nknown < (int)(sizeof db->known_tables / sizeof db->known_tables[0]))
        db->known_tables[db->nknown++] = xstrdup(t);
    pthread_mutex_unlock(&db->lock);
    return true;
}
bool db_column_exists(DbConn *c, const char *t, const char *col) { return HEAD(c)->be->column_exists(c, t, col); }
void db_optimize(DbConn *c) { HEAD(c)->be->optimize(c); }

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
