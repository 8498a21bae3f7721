/* pg.c — the PostgreSQL backend (libpq): one connection per thread, a
 * prepared-statement cache per connection keyed by SQL text, whole results
 * fetched in text format and walked row by row.
 *
 * Statements are prepared under per-connection names ("s1", "s2" …) and stay
 * prepared (a rollback does not drop them) until the cache is full: then,
 * outside a transaction, all are deallocated and the cache starts again
 * (cache_flush); inside one, statements run unnamed through PQexecParams
 * until it ends. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/log.h"
#include "../base/util.h"
#include "db_internal.h"

#define CACHE_SLOTS 256
#define STACK_PARAMS 16

typedef struct PgCacheEntry {
    char *sql;     /* SQL text (key), malloc'ed */
    uint64_t hash; /* FNV-1a of sql */
    char name[16]; /* server-side statement name */
    int nparams;   /* highest $n in sql */
    bool stale;    /* result type changed under it: deallocate and re-prepare */
} PgCacheEntry;

typedef struct PgConn {
    DbConnHead head;
    PGconn *pg;
    PgCacheEntry cache[CACHE_SLOTS]; /* open addressing; emptied when full (DEALLOCATE ALL) */
    int ncached;
    unsigned next_name;              /* counter for statement names */
    int64_t prepares;                /* statements parsed: named or unnamed (db_prepares) */
    int64_t changes;                 /* rows changed by the last INSERT/UPDATE/DELETE/MERGE */
    char *err;                       /* last error message, malloc'ed */
} PgConn;

typedef struct PgRes {
    DbConn *conn; /* must be first (see db.c) */
    PGresult *res;
    int row;      /* current row, -1 before the first db_next */
    int nrows;
} PgRes;


/* Highest $n placeholder outside string literals, quoted identifiers and
 * comments. PostgreSQL rejects a bind with more values than the statement
 * uses, while SQLite ignores extra ones; passing only this many keeps the
 * backends alike. */
static int max_param(const char *sql)
{
    int max = 0;
    const char *s = sql;
    while (*s) {
        if (*s == '\'' || *s == '"') {
            char q = *s++;
            while (*s && *s != q)
                s++;
            if (*s)
                s++;
        } else if (s[0] == '-' && s[1] == '-') {
            while (*s && *s != '\n')
                s++;
        } else if (s[0] == '/' && s[1] == '*') {
            s += 2;
            while (*s && !(s[0] == '*' && s[1] == '/'))
                s++;
            if (*s)
                s += 2;
        } else if (s[0] == '$' && s[1] >= '0' && s[1] <= '9') {
            int v = 0;
            for (s++; *s >= '0' && *s <= '9'; s++)
                if (v < 100000)
                    v = v * 10 + (*s - '0');
            if (v > max)
                max = v;
        } else {
            s++;
        }
    }
    return max;
}

/* Copy a libpq message as one line: newlines and the indentation after them
 * become single spaces, trailing whitespace is dropped. */
static char *flat_dup(const char *msg)
{
    if (!msg || !*msg)
        msg = "unknown error";
    char *s = xstrdup(msg);
    size_t n = 0;
    for (const char *p = msg; *p; p++) {
        if (*p == '\n' || *p == '\r') {
            while (p[1] == '\t' || p[1] == ' ' || p[1] == '\n' || p[1] == '\r')
                p++;
            s[n++] = ' ';
        } else {
            s[n++] = *p;
        }
    }
    while (n && s[n - 1] == ' ')
        n--;
    s[n] = 0;
    return s;
}

static void set_err(PgConn *c, const char *msg)
{
    free(c->err);
    c->err = flat_dup(msg);
}

/* The error of a failed result: "primary message (detail)" when the server
 * sent one, else libpq's message (connection problems). */
static void set_err_res(PgConn *c, const PGresult *res)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!primary) {
        const char *msg = res ? PQresultErrorMessage(res) : "";
        if (!*msg)
            msg = res && PQresultStatus(res) == PGRES_EMPTY_QUERY ? "empty query" : PQerrorMessage(c->pg);
        set_err(c, msg);
        return;
    }
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    if (!detail) {
        set_err(c, primary);
        return;
    }
    size_t n = strlen(primary) + strlen(detail) + 4;
    char *m = xmalloc(n);
    snprintf(m, n, "%s (%s)", primary, detail);
    set_err(c, m);
    free(m);
}

static int map_state(const char *state)
{
    if (!state)
        return DB_ERROR;
    if (!strncmp(state, "23", 2))
        return DB_CONSTRAINT;
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
        return DB_BUSY;
    return DB_ERROR;
}

/* Check a result: DB_OK for COMMAND_OK / TUPLES_OK, otherwise record the
 * message and map the SQLSTATE. Does not clear res. */
static int check(PgConn *c, PGresult *res, const char *what, const char *sql)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return DB_OK;
    set_err_res(c, res);
    int rc = res ? map_state(PQresultErrorField(res, PG_DIAG_SQLSTATE)) : DB_ERROR;
    if (rc != DB_CONSTRAINT)
        log_error("postgres %s failed: %s — in: %.200s", what, c->err, sql);
    return rc;
}

/* Count rows changed by data-modifying commands only, like sqlite3_changes. */
static void note_changes(PgConn *c, PGresult *res)
{
    const char *tag = PQcmdStatus(res);
    if (!strncmp(tag, "INSERT ", 7) || !strncmp(tag, "UPDATE ", 7) || !strncmp(tag, "DELETE ", 7) ||
        !strncmp(tag, "MERGE ", 6))
        c->changes = strtoll(PQcmdTuples(res), NULL, 10);
}

static void notice_processor(void *arg, const char *message)
{
    (void)arg;
    char *m = flat_dup(message);
    log_warn("postgres: %s", m);
    free(m);
}

/* Session settings, run after every (re)connect. */
static int setup_session(PGconn *pg)
{
    PQsetNoticeProcessor(pg, notice_processor, NULL);
    PGresult *res = PQexec(pg, "SET client_min_messages=warning; SET TIME ZONE 'UTC'");
    bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    return ok ? DB_OK : DB_ERROR;
}

static void cache_clear(PgConn *c)
{
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(c->cache[i].sql);
        c->cache[i].sql = NULL;
    }
    c->ncached = 0;
}

/* Reconnect a broken connection. Not inside a transaction: its work is lost
 * and later statements must not silently run in autocommit mode. */
static int ensure_conn(PgConn *c)
{
    if (PQstatus(c->pg) == CONNECTION_OK)
        return DB_OK;
    if (c->head.in_tx) {
        set_err(c, "connection to the database lost inside a transaction");
        return DB_ERROR;
    }
    PQreset(c->pg);
    cache_clear(c); /* the new session has no prepared statements */
    if (PQstatus(c->pg) != CONNECTION_OK || setup_session(c->pg) != DB_OK) {
        set_err(c, PQerrorMessage(c->pg));
        log_error("postgres reconnect failed: %s", c->err);
        return DB_ERROR;
    }
    log_warn("postgres: connection was lost and has been re-established");
    return DB_OK;
}

static DbConn *pg_connect(Db *db, const char *url, char **err)
{
    const char *keys[] = {"dbname", "fallback_application_name", NULL};
    const char *vals[] = {url, "guanxi", NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (!pg) {
        *err = xstrdup("cannot connect to PostgreSQL: out of memory");
        return NULL;
    }
    if (PQstatus(pg) != CONNECTION_OK || setup_session(pg) != DB_OK) {
        char *m = flat_dup(PQerrorMessage(pg));
        size_t n = strlen(m) + 64;
        *err = xmalloc(n);
        snprintf(*err, n, "cannot connect to PostgreSQL: %s", m);
        free(m);
        PQfinish(pg);
        return NULL;
    }
    PgConn *c = xcalloc(1, sizeof *c);
    c->head.db = db;
    c->head.be = &db_pg_backend;
    c->pg = pg;
    return (DbConn *)c;
}

static void pg_disconnect(DbConn *conn)
{
    PgConn *c = (PgConn *)conn;
    cache_clear(c);
    PQfinish(c->pg);
    free(c->err);
    free(c);
}

/* Deallocate a stale statement so its name can be prepared again. */
static int deallocate(PgConn *c, PgCacheEntry *e)
{
    char q[48];
    snprintf(q, sizeof q, "DEALLOCATE %s", e->name);
    PGresult *res = PQexec(c->pg, q);
    int rc = check(c, res, "deallocate", q);
    PQclear(res);
    if (rc == DB_OK)
        e->stale = false;
    return rc;
}

/* Find or prepare a cached statement for sql. *entry is NULL when the cache
 * is full (run unnamed) or on error. */
static int lookup(PgConn *c, const char *sql, PgCacheEntry **entry)
{
    *entry = NULL;
    uint64_t h = str_hash(sql);
    PgCacheEntry *slot = NULL;
    for (int probe = 0; probe < CACHE_SLOTS; probe++) {
        PgCacheEntry *e = &c->cache[(h + (uint64_t)probe) % CACHE_SLOTS];
        if (!e->sql) {
            slot = e;
            break;
        }
        if (e->hash == h && !strcmp(e->sql, sql)) {
            if (e->stale) {
                int rc = deallocate(c, e);
                if (rc)
                    return rc;
                c->prepares++;
                PGresult *res = PQprepare(c->pg, e->name, sql, 0, NULL);
                rc = check(c, res, "prepare", sql);
                PQclear(res);
                if (rc) {
                    /* The name is free now; keep the entry and prepare it next time. */
                    e->stale = false;
                    e->nparams = -1;
                    return rc;
                }
            } else if (e->nparams < 0) {
                c->prepares++;
                PGresult *res = PQprepare(c->pg, e->name, sql, 0, NULL);
                int rc = check(c, res, "prepare", sql);
                PQclear(res);
                if (rc)
                    return rc;
                e->nparams = max_param(sql);
            }
            *entry = e;
            return DB_OK;
        }
    }
    if (slot && c->ncached >= CACHE_SLOTS * 3 / 4 && !c->head.in_tx) {
        /* Full: a connection meets an unbounded number of distinct
         * statements (a list by each filter), and a cache that kept its
         * first ones ran every later statement unnamed — parsed and planned
         * at each use, the hot ones too. Start again (one round trip). */
        PGresult *res = PQexec(c->pg, "DEALLOCATE ALL");
        bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (ok) {
            cache_clear(c);
            for (int probe = 0; probe < CACHE_SLOTS; probe++) {
                PgCacheEntry *e = &c->cache[(h + (uint64_t)probe) % CACHE_SLOTS];
                if (!e->sql) {
                    slot = e;
                    break;
                }
            }
        }
    }
    if (!slot || c->ncached >= CACHE_SLOTS * 3 / 4)
        return DB_OK;
    char name[16];
    snprintf(name, sizeof name, "s%u", ++c->next_name);
    c->prepares++;
    PGresult *res = PQprepare(c->pg, name, sql, 0, NULL);
    int rc = check(c, res, "prepare", sql);
    PQclear(res);
    if (rc)
        return rc;
    slot->sql = xstrdup(sql);
    slot->hash = h;
    memcpy(slot->name, name, sizeof name);
    slot->nparams = max_param(sql);
    slot->stale = false;
    c->ncached++;
    *entry = slot;
    return DB_OK;
}

static bool is_tx_control(const char *sql, const char *word)
{
    return !strcasecmp(sql, word);
}

/* Run sql with parameters; on success *out is the result (caller clears).
 * rfmt: the result's format, 0 text (everything but db_blob_read), 1 binary. */
static int run_fmt(PgConn *c, const char *sql, const DbVal *p, int n, PGresult **out, int rfmt)
{
    *out = NULL;
    int rc = ensure_conn(c);
    if (rc)
        return rc;

    /* Transaction control from db.c goes through the simple protocol. */
    if (n == 0 && (is_tx_control(sql, "BEGIN") || is_tx_control(sql, "COMMIT") || is_tx_control(sql, "ROLLBACK"))) {
        if (is_tx_control(sql, "ROLLBACK") && PQtransactionStatus(c->pg) == PQTRANS_IDLE)
            return DB_OK; /* nothing to roll back (e.g. after a failed COMMIT) */
        PGresult *res = PQexec(c->pg, sql);
        rc = check(c, res, "exec", sql);
        if (rc == DB_OK && is_tx_control(sql, "COMMIT") && !strcmp(PQcmdStatus(res), "ROLLBACK")) {
            /* COMMIT of a transaction aborted by an earlier error succeeds
             * as a ROLLBACK: report that nothing was committed. */
            set_err(c, "transaction was aborted by an earlier error and has been rolled back");
            log_error("postgres commit failed: %s", c->err);
            rc = DB_ERROR;
        }
        if (rc)
            PQclear(res);
        else
            *out = res;
        return rc;
    }

    const char *vals_stack[STACK_PARAMS];
    char nums_stack[STACK_PARAMS][24];
    const char **vals = vals_stack;
    char(*nums)[24] = nums_stack;
    if (n > STACK_PARAMS) {
        vals = xmalloc(sizeof *vals * (size_t)n);
        nums = xmalloc(sizeof *nums * (size_t)n);
    }
    /* Blobs go in binary format (lengths and formats per parameter); the
     * rest as text. */
    int *lens = NULL, *fmts = NULL;
    for (int i = 0; i < n; i++) {
        switch (p[i].type) {
        case DBV_INT:
            snprintf(nums[i], sizeof nums[i], "%" PRId64, p[i].i);
            vals[i] = nums[i];
            break;
        case DBV_TEXT: vals[i] = p[i].s; break;
        case DBV_BLOB:
            if (!lens) {
                lens = xcalloc((size_t)n, sizeof *lens);
                fmts = xcalloc((size_t)n, sizeof *fmts);
            }
            if (p[i].len > INT32_MAX) {
                set_err(c, "a bound value is larger than 2 GiB");
                free(lens);
                free(fmts);
                if (vals != vals_stack) {
                    free(vals);
                    free(nums);
                }
                return DB_ERROR;
            }
            vals[i] = p[i].s;
            lens[i] = (int)p[i].len;
            fmts[i] = 1;
            break;
        default: vals[i] = NULL; break;
        }
    }

    PgCacheEntry *e = NULL;
    PGresult *res = NULL;
    for (int attempt = 0;; attempt++) {
        rc = lookup(c, sql, &e);
        if (rc)
            break;
        if (e) {
            int np = n < e->nparams ? n : e->nparams;
            res = PQexecPrepared(c->pg, e->name, np, vals, lens, fmts, rfmt);
        } else {
            int np = max_param(sql);
            if (n < np)
                np = n;
            c->prepares++;
            res = PQexecParams(c->pg, sql, np, NULL, vals, lens, fmts, rfmt);
        }
        ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (e && st == PGRES_FATAL_ERROR) {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            if (state && !strcmp(state, "0A000")) {
                /* "cached plan must not change result type": the table
                 * changed under a cached SELECT * / RETURNING *. Re-prepare;
                 * retry at once unless a transaction is now aborted. */
                e->stale = true;
                if (attempt == 0 && PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
                    PQclear(res);
                    res = NULL;
                    continue;
                }
            }
        }
        rc = check(c, res, "exec", sql);
        break;
    }
    free(lens);
    free(fmts);
    if (vals != vals_stack) {
        free(vals);
        free(nums);
    }
    if (rc) {
        PQclear(res);
        return rc;
    }
    note_changes(c, res);
    *out = res;
    return DB_OK;
}

static int run(PgConn *c, const char *sql, const DbVal *p, int n, PGresult **out)
{
    return run_fmt(c, sql, p, n, out, 0);
}

/* substring() of a bytea in binary format: no hex text twice the size, and
 * with STORAGE EXTERNAL the server reads only the TOAST chunks it covers. */
static int pg_blob_read(DbConn *conn, const char *table, const char *key, const char *col, int64_t id,
                        uint64_t offset, void *buf, size_t n, size_t *got)
{
    PgConn *c = (PgConn *)conn;
    if (offset >= INT32_MAX || n > INT32_MAX) {
        set_err(c, "blob offset or length past 2 GiB");
        return DB_ERROR;
    }
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT substring(%s FROM $2 FOR $3) FROM %s WHERE %s = $1", col, table, key); /* sql-ok: identifiers from the caller's code */
    DbVal p[] = {dbv_int(id), dbv_int((int64_t)offset + 1), dbv_int((int64_t)n)};
    PGresult *res;
    int rc = run_fmt(c, sql, p, 3, &res, 1);
    if (rc)
        return rc;
    if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
        PQclear(res);
        set_err(c, "no such row");
        return DB_ERROR;
    }
    size_t m = (size_t)PQgetlength(res, 0, 0);
    if (m > n)
        m = n;
    memcpy(buf, PQgetvalue(res, 0, 0), m);
    PQclear(res);
    *got = m;
    return DB_OK;
}

static int pg_exec(DbConn *conn, const char *sql, const DbVal *p, int n)
{
    PGresult *res;
    int rc = run((PgConn *)conn, sql, p, n, &res);
    PQclear(res);
    return rc;
}

static int pg_exec_script(DbConn *conn, const char *sql)
{
    PgConn *c = (PgConn *)conn;
    int rc = ensure_conn(c);
    if (rc)
        return rc;
    PGresult *res = PQexec(c->pg, sql);
    rc = check(c, res, "script", sql);
    PQclear(res);
    return rc;
}

static int pg_query(DbConn *conn, const char *sql, const DbVal *p, int n, DbRes **out)
{
    PGresult *res;
    *out = NULL;
    int rc = run((PgConn *)conn, sql, p, n, &res);
    if (rc)
        return rc;
    PgRes *r = xmalloc(sizeof *r);
    r->conn = conn;
    r->res = res;
    r->row = -1;
    r->nrows = PQresultStatus(res) == PGRES_TUPLES_OK ? PQntuples(res) : 0;
    *out = (DbRes *)r;
    return DB_OK;
}

static int pg_next(DbRes *res)
{
    PgRes *r = (PgRes *)res;
    if (r->row < r->nrows)
        r->row++;
    return r->row < r->nrows;
}

static bool valid(PgRes *r, int col)
{
    return r->row >= 0 && r->row < r->nrows && col >= 0 && col < PQnfields(r->res);
}

static int pg_ncols(DbRes *r) { return PQnfields(((PgRes *)r)->res); }
static const char *pg_colname(DbRes *r, int col) { return PQfname(((PgRes *)r)->res, col); }

static bool pg_isnull(DbRes *res, int col)
{
    PgRes *r = (PgRes *)res;
    return !valid(r, col) || PQgetisnull(r->res, r->row, col);
}

static const char *pg_text(DbRes *res, int col)
{
    PgRes *r = (PgRes *)res;
    if (pg_isnull(res, col))
        return NULL;
    return PQgetvalue(r->res, r->row, col);
}

/* bytea arrives as text in hex form ("\\x…"): decode it into the arena. */
static const void *pg_blob(DbRes *res, int col, Arena *a, size_t *len)
{
    const char *s = pg_text(res, col);
    if (!s)
        return NULL;
    size_t n = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)s, &n);
    if (!raw)
        return NULL;
    char *out = arena_alloc(a, n + 1);
    if (n)
        memcpy(out, raw, n);
    out[n] = 0;
    PQfreemem(raw);
    *len = n;
    return out;
}

static int64_t pg_int(DbRes *res, int col)
{
    const char *s = pg_text(res, col);
    if (!s)
        return 0;
    if (!strcmp(s, "t"))
        return 1;
    if (!strcmp(s, "f"))
        return 0;
    return strtoll(s, NULL, 10);
}

static void pg_done(DbRes *res)
{
    PgRes *r = (PgRes *)res;
    PQclear(r->res);
    free(r);
}

static int64_t pg_changes(DbConn *c) { return ((PgConn *)c)->changes; }
static int64_t pg_prepares(DbConn *c) { return ((PgConn *)c)->prepares; }

static const char *pg_errmsg(DbConn *conn)
{
    PgConn *c = (PgConn *)conn;
    if (c->err)
        return c->err;
    const char *m = PQerrorMessage(c->pg);
    return m && *m ? m : "not an error";
}

static bool pg_table_exists(DbConn *c, const char *table)
{
    int64_t v = 0;
    bool found = false;
    DbVal p[] = {dbv_text(table)};
    db_query_int(c,
                 "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1",
                 p, 1, &v, &found);
    return found;
}

static bool pg_column_exists(DbConn *c, const char *table, const char *column)
{
    int64_t v = 0;
    bool found = false;
    DbVal p[] = {dbv_text(table), dbv_text(column)};
    db_query_int(c,
                 "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                 "AND table_name = $1 AND column_name = $2",
                 p, 2, &v, &found);
    return found;
}

static void pg_optimize(DbConn *c) { pg_exec_script(c, "ANALYZE"); }

const DbBackend db_pg_backend = {
    .name = "postgresql",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .exec = pg_exec,
    .exec_script = pg_exec_script,
    .query = pg_query,
    .next = pg_next,
    .ncols = pg_ncols,
    .colname = pg_colname,
    .isnull = pg_isnull,
    .get_int = pg_int,
    .get_text = pg_text,
    .get_blob = pg_blob,
    .blob_read = pg_blob_read,
    .done = pg_done,
    .changes = pg_changes,
    .prepares = pg_prepares,
    .errmsg = pg_errmsg,
    .table_exists = pg_table_exists,
    .column_exists = pg_column_exists,
    .optimize = pg_optimize,
    .backup = NULL,
};
