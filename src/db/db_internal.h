/* db_internal.h — the backend interface behind db.h. Only db.c, sqlite.c and
 * pg.c include this file. */
#ifndef GX_DB_INTERNAL_H
#define GX_DB_INTERNAL_H

#include <pthread.h>

#include "db.h"

typedef struct DbBackend {
    const char *name;
    /* Open a connection to url; NULL and *err (malloc'ed) on failure. */
    DbConn *(*connect)(Db *db, const char *url, char **err);
    void (*disconnect)(DbConn *c);
    int (*exec)(DbConn *c, const char *sql, const DbVal *p, int n);
    int (*exec_script)(DbConn *c, const char *sql);
    int (*query)(DbConn *c, const char *sql, const DbVal *p, int n, DbRes **res);
    int (*next)(DbRes *r);
    int (*ncols)(DbRes *r);
    const char *(*colname)(DbRes *r, int col);
    bool (*isnull)(DbRes *r, int col);
    int64_t (*get_int)(DbRes *r, int col);
    const char *(*get_text)(DbRes *r, int col);
    const void *(*get_blob)(DbRes *r, int col, Arena *a, size_t *len);
    void (*done)(DbRes *r);
    int (*blob_read)(DbConn *c, const char *table, const char *key, const char *col, int64_t id, uint64_t offset,
                     void *buf, size_t n, size_t *got);
    int64_t (*changes)(DbConn *c);
    /* Rowid of the last row inserted on the connection; NULL if the
     * backend has none (PostgreSQL: RETURNING). */
    int64_t (*last_insert_id)(DbConn *c);
    int64_t (*prepares)(DbConn *c);
    const char *(*errmsg)(DbConn *c);
    bool (*table_exists)(DbConn *c, const char *table);
    bool (*column_exists)(DbConn *c, const char *table, const char *column);
    void (*optimize)(DbConn *c);
    int (*backup)(DbConn *c, const char *path, char **err); /* NULL if unsupported */
    /* Has anyone (another connection or process) committed since this
     * connection last asked? NULL if the backend cannot tell. */
    bool (*changed_elsewhere)(DbConn *c);
    /* Is a transaction open on the connection (SQLite: not in autocommit)?
     * NULL if the backend cannot tell. */
    bool (*in_transaction)(DbConn *c);
    /* Group commit's writer connection: checkpoints are left to
     * checkpoint() on another thread instead of running inside a COMMIT,
     * and wal_pages() tells the WAL's size after the last COMMIT. NULL if
     * the backend has no WAL to checkpoint. checkpoint() copies what the
     * WAL holds into the database (without waiting for anyone) and answers
     * the WAL's frames when it copied all of them, else -1 (a reader still
     * needs some, another checkpoint was running, an error). */
    void (*writer_setup)(DbConn *c);
    int64_t (*wal_pages)(DbConn *c);
    int64_t (*checkpoint)(DbConn *c);
} DbBackend;

/* Every backend's connection struct starts with this header. */
/* Work queued by db_before_commit: fn(writer, arg, id) just before the
 * COMMIT of the group that holds the unit. */
typedef struct DbPre {
    int (*fn)(DbConn *w, const void *arg, int64_t id);
    const void *arg;
    int64_t id;
} DbPre;

typedef struct DbConnHead {
    Db *db;               /* owning database */
    const DbBackend *be;  /* its backend */
    bool in_tx;           /* inside db_begin … commit/rollback */
    bool in_read;         /* inside db_read_begin … db_read_end (SQLite) */
    int depth;            /* db_begin nesting: 1 = the transaction, more = savepoints */
    bool flat;            /* nested db_begin only counts (no savepoint), see db_set_flat_nesting */
    bool failed;          /* flat: a nested unit rolled back; the transaction must not commit */
    bool write_pending;   /* a writing db_query outside a transaction: bump at db_done */
    uint64_t snap_gen;    /* write generation when the read snapshot began */
    int64_t data_version; /* last PRAGMA data_version seen (SQLite) */
    struct DbConn *next_all; /* list of thread connections, for db_close */
    struct {
        void (*fn)(void *);   /* run once the transaction has ended (db_after_tx) */
        void *arg;
    } after[4];
    int nafter;
    /* Group commit (db_set_group_commit): while this connection runs a
     * write transaction (a "unit"), its statements go to the Db's shared
     * writer connection. */
    struct DbConn *route;   /* the writer during a unit, else NULL */
    bool alone;             /* the unit is the writer's transaction by itself (db_begin_alone) */
    DbRes *implicit_res;    /* a writing db_query outside a transaction: its unit ends at db_done */
    bool saved;             /* an implicit unit ended: db_changes / db_errmsg answer from below */
    DbPre *pre;             /* this unit's db_before_commit work (see db.c) */
    int npre, cap_pre;
    int64_t unit_t0, unit_cpu0; /* when this unit took the writer (wall, thread CPU; ns) */
    int64_t saved_changes;
    char saved_err[200];
} DbConnHead;

struct Db {
    char *url;
    DbDialect dialect;
    const DbBackend *be;
    pthread_key_t key;      /* thread -> DbConn */
    pthread_mutex_t lock;   /* guards conns */
    struct DbConn *conns;   /* all thread connections */
    uint64_t write_gen;     /* bumped after every committed write (atomic) */
    uint64_t serial;        /* this opening's number in the process (db_serial) */
    /* Tables known to exist (db_table_exists; guarded by lock): asked on
     * request paths, and the catalogue query costs more than the request.
     * Forgotten on any rollback or DROP/ALTER, which could undo a table. */
    char *known_tables[64];
    int nknown;
    /* Group commit (SQLite): the write transactions of all threads run one
     * after the other as savepoints ("units") inside one transaction of the
     * writer connection, committed together (see db.c). Guarded by glock. */
    bool group;
    struct DbConn *writer;  /* the shared writer connection */
    pthread_mutex_t glock;
    pthread_cond_t gcond;
    struct DbConn *owner;   /* connection whose unit runs on the writer, or NULL */
    int wanting;            /* connections waiting to start a unit */
    bool w_open;            /* the writer's transaction is open */
    bool committing;        /* its COMMIT is running (glock not held) */
    int pending;            /* units released into the open transaction */
    uint64_t batch;         /* number of the open (or next) transaction */
    uint64_t durable;       /* transactions up to this number have ended */
    uint64_t failed[16];    /* numbers of the last transactions whose COMMIT failed */
    int nfailed;
    uint64_t stat_units, stat_commits;
    DbPre *pre;             /* db_before_commit work of the units released into the open transaction */
    int npre, cap_pre;
    uint64_t stat_pre;      /* before-commit calls run */
    /* The checkpointer thread (group commit on SQLite), guarded by glock. */
    pthread_t ckpt_thread;
    pthread_cond_t ckpt_cond;
    bool ckpt_started, ckpt_due, ckpt_stop;
    bool ckpt_running;      /* the checkpointer is copying now */
    int64_t ckpt_mark;      /* WAL pages when the checkpointer was last called (writer's thread only) */
    int64_t ckpt_last;      /* WAL pages after the last COMMIT */
    uint64_t ckpt_gen;      /* the WAL's generation: one more each time it started over */
    int64_t ckpt_copied;    /* frames of WAL generation ckpt_copied_gen in the database */
    uint64_t ckpt_copied_gen;
    uint64_t stat_checkpoints, stat_restarts;
    /* Where the units' time goes (ns, guarded by glock; db_group_stats). */
    uint64_t stat_wait_ns;                   /* waiting to take the writer */
    uint64_t stat_hold_ns, stat_hold_cpu_ns; /* holding it (wall, the thread's CPU) */
    uint64_t stat_after_ns;                  /* from ending the unit to returning (its COMMIT) */
    uint64_t stat_commit_ns, stat_commit_cpu_ns; /* lead_commit, before-commit work and COMMIT */
    uint64_t stat_pre_ns;                    /* of which the before-commit work */
};

extern const DbBackend db_sqlite_backend;
extern const DbBackend db_pg_backend;

#endif
