/* db.h — one database interface, two backends (SQLite and PostgreSQL).
 *
 * The db layer knows SQL and connections, nothing about entities. SQL text
 * uses PostgreSQL-style numbered parameters ($1, $2 …) on both backends (the
 * SQLite backend rewrites them to ?1, ?2 …). Values are always bound; SQL
 * text is a literal or assembled from metadata identifiers only.
 *
 * Threads: a Db is shared; each thread uses its own DbConn (db_thread_conn). */
#ifndef GX_DB_H
#define GX_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../base/buf.h"

typedef enum DbDialect { DB_SQLITE, DB_PG } DbDialect;

typedef struct Db Db;
typedef struct DbConn DbConn;
typedef struct DbRes DbRes;

typedef enum DbValType { DBV_NULL, DBV_INT, DBV_TEXT, DBV_BLOB } DbValType;

/* One bound parameter. Text and bytes are not copied: they must outlive the call. */
typedef struct DbVal {
    DbValType type;
    int64_t i;     /* DBV_INT */
    const char *s; /* DBV_TEXT, NUL-terminated UTF-8; DBV_BLOB, the bytes */
    size_t len;    /* DBV_BLOB: number of bytes at s */
} DbVal;

static inline DbVal dbv_null(void) { return (DbVal){.type = DBV_NULL}; }
static inline DbVal dbv_int(int64_t i) { return (DbVal){.type = DBV_INT, .i = i}; }
static inline DbVal dbv_text(const char *s) { return s ? (DbVal){.type = DBV_TEXT, .s = s} : dbv_null(); }
/* Binary data (SQLite BLOB, PostgreSQL bytea, sent in binary format). */
static inline DbVal dbv_blob(const void *p, size_t n) { return (DbVal){.type = DBV_BLOB, .s = p ? p : "", .len = n}; }

/* A statement being assembled: SQL text plus its parameters, both in an arena.
 * sql_param() appends a value and writes its placeholder ("$n") to the text. */
typedef struct Sql {
    Buf text;      /* SQL text with $n placeholders */
    DbVal *params; /* parameters, params[0] is $1 */
    int n;         /* number of parameters */
    int cap;       /* capacity of params */
} Sql;

void sql_init(Sql *q, Arena *a);
/* Append trusted SQL text (literals and metadata identifiers only). */
void sql_raw(Sql *q, const char *text);
/* Append a parameter's placeholder and bind v to it. Returns its number. */
int sql_param(Sql *q, DbVal v);
/* Add a parameter without writing a placeholder. Returns its number. */
int sql_bind(Sql *q, DbVal v);

/* Result codes (same numbering as GxErr for the overlapping ones). */
enum {
    DB_OK = 0,
    DB_ERROR = -1,      /* any failure; see db_errmsg */
    DB_CONSTRAINT = -2, /* unique / foreign key / check violation */
    DB_BUSY = -3,       /* lock timeout or serialization failure */
};

/* Open a database. url is a file path (SQLite) or "postgresql://…" /
 * "postgres://…" (PostgreSQL). On failure returns NULL and stores a message
 * in *err (malloc'ed; caller frees). Creates the SQLite file if missing. */
Db *db_open(const char *url, char **err);

/* Close all connections made by db_thread_conn and free the Db. */
void db_close(Db *db);

DbDialect db_dialect_of(const Db *db);
DbDialect db_dialect(const DbConn *c);

/* The calling thread's connection, opened on first use and closed by
 * db_close (or when the thread exits). NULL if it cannot connect. */
DbConn *db_thread_conn(Db *db);

/* A fresh connection not tied to a thread (closed with db_disconnect). */
DbConn *db_connect(Db *db, char **err);
void db_disconnect(DbConn *c);

/* Run a statement that returns no rows. Returns DB_OK, DB_CONSTRAINT,
 * DB_BUSY or DB_ERROR. */
int db_exec(DbConn *c, const char *sql, const DbVal *params, int nparams);

/* Run several ;-separated statements without parameters (migrations, DDL). */
int db_exec_script(DbConn *c, const char *sql);

/* Start a query; *res is a cursor positioned before the first row.
 * Always pair with db_done (also on error paths). */
int db_query(DbConn *c, const char *sql, const DbVal *params, int nparams, DbRes **res);

/* Advance: 1 = a row is available, 0 = no more rows, <0 = error code. */
int db_next(DbRes *r);

int db_ncols(DbRes *r);
const char *db_colname(DbRes *r, int col);
bool db_isnull(DbRes *r, int col);
int64_t db_int(DbRes *r, int col);
/* Text of a column (NULL for SQL NULL). Valid until the next db_next/db_done. */
const char *db_text(DbRes *r, int col);
/* Bytes of a BLOB / bytea column, copied into arena a (NUL-terminated for
 * convenience, the NUL not counted in *len); NULL for SQL NULL. */
const void *db_blob(DbRes *r, int col, Arena *a, size_t *len);
void db_done(DbRes *r);

/* Read up to n bytes at offset of one BLOB / bytea value without loading
 * the whole value: column col of the row of table whose integer key column
 * key equals id. SQLite: incremental blob I/O (key must be the table's
 * INTEGER PRIMARY KEY, its rowid). PostgreSQL: substring() of the value in
 * binary format, which fetches only the TOAST chunks it covers when the
 * column is stored uncompressed (STORAGE EXTERNAL); offsets below 2 GiB.
 * *got is the number of bytes read: fewer than n only at the end of the
 * value, 0 at or past it. DB_OK, or DB_ERROR (no such row, or a failure; see
 * db_errmsg). table, key and col are trusted identifiers. */
int db_blob_read(DbConn *c, const char *table, const char *key, const char *col, int64_t id, uint64_t offset,
                 void *buf, size_t n, size_t *got);

/* Convenience: run a query expected to yield one integer (first column of the
 * first row). Returns DB_OK and *out, 0 rows -> DB_OK with *found false. */
int db_query_int(DbConn *c, const char *sql, const DbVal *params, int nparams, int64_t *out, bool *found);

/* Same for a text value, copied into arena a. */
int db_query_text(DbConn *c, Arena *a, const char *sql, const DbVal *params, int nparams, char **out);

/* Transactions. db_begin takes the write lock at once on SQLite (BEGIN
 * IMMEDIATE) so that concurrent writers queue instead of failing. Inside a
 * transaction db_begin opens a savepoint instead: the matching db_commit
 * releases it and db_rollback undoes only the work since it (so a record
 * write can run inside a module's larger transaction, e.g. a merge or an
 * import). Each db_begin is paired with one db_commit or db_rollback. */
int db_begin(DbConn *c);

/* Bulk work that is all or nothing (an import): nested db_begin/db_commit
 * only count, without savepoints (SQLite's FTS5 tables flush their pending
 * index at every savepoint, which makes row-by-row savepoints ~5x slower),
 * and a nested db_rollback only marks the transaction failed
 * (db_tx_failed): the caller then rolls the whole transaction back. */
/* db_begin for a big write (an import): with group commit the unit does
 * not run as the savepoint gx_unit inside the writer's shared transaction
 * but as that transaction by itself (the units gathered so far are
 * committed first; later units may join it before its COMMIT). Inside a
 * savepoint SQLite keeps the original of every page the unit changes in an
 * in-memory statement journal, which every statement that needs a
 * statement journal of its own walks from its start when it ends: 10,000
 * customers imported into the 1M database spent 81 % of their CPU there
 * (bench/README.md stop 13). Otherwise as db_begin. */
int db_begin_alone(DbConn *c);
void db_set_flat_nesting(DbConn *c, bool on);
bool db_tx_failed(const DbConn *c);
int db_commit(DbConn *c);
int db_rollback(DbConn *c);
bool db_in_tx(const DbConn *c);
/* The number of c's database among those this process opened (1, 2 …):
 * what was read from one database is never taken for another's. */
uint64_t db_serial(const DbConn *c);

/* Run fn(arg) once the current transaction has ended, committed or rolled
 * back (at once when none is open), on this connection and thread, outside
 * any transaction. For work that must survive the rollback it causes: a
 * hook refusing a change can still record why (e.g. an approval request)
 * in a transaction of its own. At most 4 per transaction; arg must live
 * until then (the request's arena). */
void db_after_tx(DbConn *c, void (*fn)(void *), void *arg);

/* Group commit (SQLite serve): queue fn(w, arg, id) to run on the shared
 * writer connection w just before the COMMIT of the transaction that holds
 * c's unit — once for all units of that COMMIT, outside their savepoints —
 * if the unit commits; it is dropped if the unit rolls back. fn runs with
 * no unit open (its db_* calls on w go straight to w) and must be
 * idempotent and read what it needs at that time (a later unit of the same
 * COMMIT may have changed it; a savepoint rolled back inside the unit
 * leaves its queued work, which then finds the state without it). If fn
 * fails, the whole COMMIT fails and every unit in it answers DB_ERROR.
 * The same (fn, arg, id) queued twice by a unit runs once. For derived
 * rows whose tables cost most per flush (FTS5 writes a new segment at every
 * savepoint: one for the group instead of one per unit). Returns false,
 * queueing nothing, when c runs no such unit (PostgreSQL, no group commit,
 * outside a transaction): the caller does the work itself, now. */
bool db_before_commit(DbConn *c, int (*fn)(DbConn *w, const void *arg, int64_t id), const void *arg,
                      int64_t id);

/* One read snapshot for several queries (a read-only request): on SQLite a
 * deferred transaction, so the queries share one WAL snapshot and one set of
 * locks instead of taking them per statement, and see consistent data. A
 * writing statement or db_begin inside it ends the snapshot first (the write
 * then runs on its own, as outside). PostgreSQL: nothing (autocommit).
 * db_read_end is safe to call when no snapshot is open. */
void db_read_begin(DbConn *c);
void db_read_end(DbConn *c);

/* Write generation of this process's database: it grows after every write
 * made through any connection of this Db commits. For caches of derived
 * values (counts): a value computed from data read at generation g is
 * current while the generation is still g. Inside a read snapshot this is
 * the generation when the snapshot began. Writes by other processes are not
 * seen: such caches must also expire by time. */
uint64_t db_write_generation(DbConn *c);

/* Advance the write generation if some other connection or process has
 * committed since this connection last asked (SQLite: PRAGMA data_version).
 * False when the backend cannot tell (PostgreSQL): a cache keyed by the
 * generation is then not safe across app servers. */
bool db_sync_generation(DbConn *c);

/* Group commit (SQLite; see db.c): from now on the write transactions of
 * all connections of db run one after the other on one shared writer
 * connection, and several of them share one COMMIT (one fsync). db_commit
 * still returns only once the transaction is durable; a failing one still
 * undoes only its own writes. Turn on before connections are in use (the
 * server does at start). False when the backend has no such mode
 * (PostgreSQL: one commit per transaction; see its commit_delay). */
bool db_set_group_commit(Db *db, bool on);

typedef struct DbGroupStats {
    uint64_t units;   /* write transactions committed through the writer */
    uint64_t commits; /* COMMITs that made them durable */
    int wanting;      /* connections waiting now to start one */
    bool busy;        /* one is running now */
    uint64_t checkpoints; /* WAL checkpoints run by the checkpointer thread */
    uint64_t restarts;    /* times the WAL started over from its beginning */
    bool checkpointing;   /* the checkpointer is copying or called to */
    /* Sums over all units and COMMITs, in ns: waiting for the writer,
     * holding it (wall clock and the thread's CPU: the difference is time
     * the thread was not running while every other unit waited), from the
     * unit's end to db_commit's return, and the COMMITs (wall, CPU, and the
     * db_before_commit work inside them). */
    uint64_t wait_ns, hold_ns, hold_cpu_ns, after_ns, commit_ns, commit_cpu_ns, pre_ns;
} DbGroupStats;
void db_group_stats(Db *db, DbGroupStats *out);

/* Rows changed by the last db_exec. */
int64_t db_changes(DbConn *c);

/* The id (rowid) of the row the last INSERT stored, inside a transaction
 * (db_begin …), on SQLite; false elsewhere (PostgreSQL: use RETURNING).
 * An INSERT … RETURNING costs SQLite a statement journal (RETURNING runs
 * as a trigger): every page the statement changes is copied to it first,
 * and every virtual table in the transaction (FTS5) is asked to flush. */
bool db_last_insert_id(DbConn *c, int64_t *id);

/* Statements compiled on this connection so far (the statement cache's
 * misses; tests). */
int64_t db_prepares(DbConn *c);

/* Last error message on this connection. */
const char *db_errmsg(DbConn *c);

/* SQLite online backup of this database to path (SQLite only). */
int db_backup(Db *db, const char *path, char **err);

/* Does table exist? */
bool db_table_exists(DbConn *c, const char *table);

/* Does column exist in table? */
bool db_column_exists(DbConn *c, const char *table, const char *column);

/* Quick ANALYZE / PRAGMA optimize (SQLite) or ANALYZE (PostgreSQL). */
void db_optimize(DbConn *c);

#endif
