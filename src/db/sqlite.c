/* sqlite.c — the SQLite backend: one connection per thread (NOMUTEX), WAL,
 * synchronous=FULL, foreign keys, a prepared-statement cache per connection,
 * and "$n" placeholders rewritten to "?n". */
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "../base/util.h"
#include "db_internal.h"

#define CACHE_SLOTS 256

typedef struct CacheEntry {
    char *sql;          /* original SQL text (key), malloc'ed */
    uint64_t hash;      /* FNV-1a of sql */
    sqlite3_stmt *st;   /* prepared statement */
    bool busy;          /* handed out to an unfinished DbRes */
} CacheEntry;

typedef struct SqliteConn {
    DbConnHead head;
    sqlite3 *h;
    CacheEntry cache[CACHE_SLOTS]; /* open addressing; emptied when full (cache_flush) */
    int ncached;
    int64_t prepares; /* statements compiled on this connection (db_prepares) */
    int wal_pages; /* frames in the WAL after this connection's last commit (writer_setup) */
} SqliteConn;

typedef struct SqliteRes {
    DbConn *conn;      /* must be first (see db.c) */
    sqlite3_stmt *st;
    CacheEntry *entry; /* cache slot, or NULL if st is owned by this result */
    int last;          /* last sqlite3_step result */
} SqliteRes;


/* Rewrite $n placeholders to ?n outside string literals and quoted identifiers. */
static char *rewrite_params(const char *sql)
{
    size_t n = strlen(sql);
    char *out = xmalloc(n + 1);
    char quote = 0;
    for (size_t i = 0; i <= n; i++) {
        char ch = sql[i];
        if (quote) {
            if (ch == quote)
                quote = 0;
        } else if (ch == '\'' || ch == '"') {
            quote = ch;
        } else if (ch == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            ch = '?';
        }
        out[i] = ch;
    }
    return out;
}

static int map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW: return DB_OK;
    case SQLITE_CONSTRAINT: return DB_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return DB_BUSY;
    default: return DB_ERROR;
    }
}


/* Is cp a CJK ideograph (or a CJK symbol/kana/hangul block)? */
static bool cjk_cp(uint32_t cp)
{
    return (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFF00 && cp <= 0xFFEF) || (cp >= 0x20000 && cp <= 0x2FFFF);
}

/* gx_cjk_split(text): the text with every CJK character set apart by spaces,
 * so FTS5's unicode61 tokenizer indexes each one as a token and a 1–2
 * character query becomes a phrase query (the trigram index cannot answer
 * those; MEASURED.md pitfall 4). Other text is unchanged. */
static void fn_cjk_split(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *s = sqlite3_value_text(argv[0]);
    if (!s) {
        sqlite3_result_null(ctx);
        return;
    }
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    char *out = sqlite3_malloc64(n * 3 + 1);
    if (!out) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        if (i + len > n)
            len = n - i;
        uint32_t cp = c < 0x80 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        for (size_t k = 1; k < len; k++)
            cp = (cp << 6) | (s[i + k] & 0x3F);
        bool sep = cjk_cp(cp);
        if (sep)
            out[o++] = ' ';
        memcpy(out + o, s + i, len);
        o += len;
        if (sep)
            out[o++] = ' ';
        i += len;
    }
    sqlite3_result_text(ctx, out, (int)o, sqlite3_free);
}

/* gx_fts_phrase(body, kind, text): does text, as a phrase, match body the
 * way `<fts table> MATCH '"text"'` matches that row? kind 0 is the trigram
 * index (x_fts), 1 the per-character unicode61 one (x_fts2, text already
 * split like its body by gx_cjk_split). body is the row's indexed text,
 * read from the FTS table's own content table, and both are cut into
 * tokens by the FTS5 tokenizers themselves, so folding and separators are
 * exactly the index's: the phrase matches when its tokens follow one
 * another in the body's. A list walking its sort index newest first tests
 * rows with it instead of reading every match of a common word (filter.c,
 * SEARCH_PROBE). */
typedef struct PhraseTokenizers {
    fts5_tokenizer api[2]; /* trigram, unicode61 */
    Fts5Tokenizer *tok[2];
} PhraseTokenizers;

/* A phrase's tokens (aux data of the text argument: once per statement). */
typedef struct PhraseQuery {
    int n;
    int len[100];
    char *tok[100];
    bool fold_free; /* only characters no folding produces or changes (ASCII non-letters, CJK ideographs) */
} PhraseQuery;

static void phrase_query_free(void *p)
{
    PhraseQuery *q = p;
    for (int i = 0; i < q->n; i++)
        sqlite3_free(q->tok[i]);
    sqlite3_free(q);
}

static int phrase_query_token(void *ctx, int flags, const char *t, int n, int start, int end)
{
    (void)flags, (void)start, (void)end;
    PhraseQuery *q = ctx;
    if (q->n == (int)(sizeof q->tok / sizeof q->tok[0]))
        return SQLITE_TOOBIG;
    char *copy = sqlite3_malloc(n + 1);
    if (!copy)
        return SQLITE_NOMEM;
    memcpy(copy, t, (size_t)n);
    copy[n] = 0;
    q->tok[q->n] = copy;
    q->len[q->n++] = n;
    return SQLITE_OK;
}

/* Matching state while the body's tokens stream by: at[j] is set when the
 * tokens so far end with the phrase's first j+1 (before: the same at the
 * previous position, for tokens sharing a position). */
typedef struct PhraseScan {
    const PhraseQuery *q;
    bool at[100], before[100];
    bool found;
} PhraseScan;

static int phrase_body_token(void *ctx, int flags, const char *t, int n, int start, int end)
{
    (void)start, (void)end;
    PhraseScan *s = ctx;
    const PhraseQuery *q = s->q;
    if (!(flags & FTS5_TOKEN_COLOCATED))
        memcpy(s->before, s->at, (size_t)q->n * sizeof s->at[0]);
    for (int j = q->n - 1; j >= 0; j--) {
        bool m = (j == 0 || s->before[j - 1]) && q->len[j] == n && !memcmp(q->tok[j], t, (size_t)n);
        if (flags & FTS5_TOKEN_COLOCATED)
            s->at[j] = s->at[j] || m;
        else
            s->at[j] = m;
    }
    if (s->at[q->n - 1]) {
        s->found = true;
        return SQLITE_DONE; /* stops the tokenizer */
    }
    return SQLITE_OK;
}

/* Characters that case folding (the trigram tokenizer's only change) never
 * produces nor alters: ASCII other than letters, and CJK ideographs. */
static bool fold_free(const unsigned char *p)
{
    while (*p) {
        unsigned char ch = *p;
        if (ch < 0x80) {
            if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')
                return false;
            p++;
            continue;
        }
        if ((ch & 0xF0) != 0xE0 || !p[1] || !p[2])
            return false;
        uint32_t cp = ((ch & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
        if (cp < 0x4E00 || cp > 0x9FFF)
            return false;
        p += 3;
    }
    return true;
}

static void fn_fts_phrase(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    PhraseTokenizers *pt = sqlite3_user_data(ctx);
    int kind = sqlite3_value_int(argv[1]);
    const char *body = (const char *)sqlite3_value_text(argv[0]);
    const char *text = (const char *)sqlite3_value_text(argv[2]);
    if (kind < 0 || kind > 1 || !pt->tok[kind]) {
        sqlite3_result_error(ctx, "gx_fts_phrase: no such tokenizer", -1);
        return;
    }
    if (!body || !text) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    int nbody = sqlite3_value_bytes(argv[0]);
    PhraseQuery *q = sqlite3_get_auxdata(ctx, 2);
    if (!q) {
        q = sqlite3_malloc(sizeof *q);
        if (!q) {
            sqlite3_result_error_nomem(ctx);
            return;
        }
        q->n = 0;
        q->fold_free = fold_free((const unsigned char *)text);
        int rc = pt->api[kind].xTokenize(pt->tok[kind], q, FTS5_TOKENIZE_QUERY, text, (int)strlen(text),
                                         phrase_query_token);
        if (rc != SQLITE_OK) {
            phrase_query_free(q);
            sqlite3_result_error_code(ctx, rc);
            return;
        }
        sqlite3_set_auxdata(ctx, 2, q, phrase_query_free);
        q = sqlite3_get_auxdata(ctx, 2); /* NULL if it could not be kept: then it is freed already */
        if (!q) {
            sqlite3_result_error_nomem(ctx);
            return;
        }
    }
    if (!q->n) { /* an empty phrase matches nothing */
        sqlite3_result_int(ctx, 0);
        return;
    }
    if (kind == 0) {
        /* The body as stored holds the text as typed: its trigrams follow
         * one another. Without folding in play, nothing else can match. */
        if (memmem(body, (size_t)nbody, text, strlen(text))) {
            sqlite3_result_int(ctx, 1);
            return;
        }
        if (q->fold_free) {
            sqlite3_result_int(ctx, 0);
            return;
        }
    } else if (q->fold_free) {
        /* Each token (a CJK character, a run of digits) is in the body as it is. */
        for (int j = 0; j < q->n; j++)
            if (!memmem(body, (size_t)nbody, q->tok[j], (size_t)q->len[j])) {
                sqlite3_result_int(ctx, 0);
                return;
            }
    }
    PhraseScan s = {.q = q};
    int rc = pt->api[kind].xTokenize(pt->tok[kind], &s, FTS5_TOKENIZE_DOCUMENT, body, nbody, phrase_body_token);
    if (rc != SQLITE_OK && !(rc == SQLITE_DONE && s.found)) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    sqlite3_result_int(ctx, s.found);
}

static void phrase_tokenizers_free(void *p)
{
    PhraseTokenizers *pt = p;
    for (int k = 0; k < 2; k++)
        if (pt->tok[k])
            pt->api[k].xDelete(pt->tok[k]);
    free(pt);
}

/* The trigram and unicode61 tokenizers with the search tables' (default)
 * options, for gx_fts_phrase. */
static void register_fts_phrase(sqlite3 *h)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (!api)
        return;
    PhraseTokenizers *pt = xcalloc(1, sizeof *pt);
    static const char *const names[2] = {"trigram", "unicode61"};
    for (int k = 0; k < 2; k++) {
        void *ud = NULL;
        if (api->xFindTokenizer(api, names[k], &ud, &pt->api[k]) != SQLITE_OK ||
            pt->api[k].xCreate(ud, NULL, 0, &pt->tok[k]) != SQLITE_OK)
            pt->tok[k] = NULL;
    }
    sqlite3_create_function_v2(h, "gx_fts_phrase", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, pt,
                               fn_fts_phrase, NULL, NULL, phrase_tokenizers_free);
}

/* GUANXI_SLOW_SQL_MS=N logs every statement that ran N ms or longer,
 * with its text (no values), so an operator can find the query behind a
 * slow request without a debugger. */
static int64_t slow_sql_ns = -1;

static int slow_sql_trace(unsigned type, void *arg, void *p, void *x)
{
    (void)arg;
    if (type != SQLITE_TRACE_PROFILE)
        return 0;
    int64_t ns = *(const int64_t *)x;
    if (ns >= slow_sql_ns)
        log_warn("slow sql %.1f ms: %.300s", (double)ns / 1e6, sqlite3_sql((sqlite3_stmt *)p));
    return 0;
}

/* Before SQLite's first use: no memory statistics. With them on (the
 * default) every sqlite3_malloc and sqlite3_free takes the global malloc
 * mutex to count bytes, ~150 times per GET of a customer (callgrind: ~12 k
 * of its ~137 k instructions in the mutex and the counting); nothing here
 * reads sqlite3_memory_used or sqlite3_status. It fails harmlessly
 * (SQLITE_MISUSE) when SQLite is already initialised. */
static void sqlite_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static DbConn *sq_connect(Db *db, const char *url, char **err)
{
    static pthread_once_t configured = PTHREAD_ONCE_INIT;
    pthread_once(&configured, sqlite_configure);
    const char *path = url;
    if (!strncmp(path, "sqlite://", 9))
        path += 9;
    else if (!strncmp(path, "file:", 5))
        path += 5;
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "cannot open %s: %s", path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        *err = xstrdup(msg);
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_busy_timeout(h, 10000);
    sqlite3_extended_result_codes(h, 0);
    static const char *pragmas =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=FULL;"
        "PRAGMA foreign_keys=ON;"
        /* 16 MB of page cache per connection and no mmap: the server stays
         * within ~50 MB RSS with a thread pool of 2 on a multi-GB database
         * (bench/README.md measured no throughput loss on get and list). */
        "PRAGMA cache_size=-16384;"
        "PRAGMA mmap_size=0;"
        "PRAGMA temp_store=MEMORY;";
    char *emsg = NULL;
    if (sqlite3_exec(h, pragmas, NULL, NULL, &emsg) != SQLITE_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "cannot configure %s: %s", path, emsg ? emsg : "?");
        sqlite3_free(emsg);
        sqlite3_close(h);
        *err = xstrdup(msg);
        return NULL;
    }
    sqlite3_create_function(h, "gx_cjk_split", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                            fn_cjk_split, NULL, NULL);
    register_fts_phrase(h);
    if (slow_sql_ns < 0) {
        const char *ms = getenv("GUANXI_SLOW_SQL_MS");
        slow_sql_ns = ms && *ms ? (int64_t)atoll(ms) * 1000000 : 0;
    }
    if (slow_sql_ns > 0)
        sqlite3_trace_v2(h, SQLITE_TRACE_PROFILE, slow_sql_trace, NULL);
    SqliteConn *c = xcalloc(1, sizeof *c);
    c->head.db = db;
    c->head.be = &db_sqlite_backend;
    c->h = h;
    return (DbConn *)c;
}

static void sq_disconnect(DbConn *conn)
{
    SqliteConn *c = (SqliteConn *)conn;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (c->cache[i].sql) {
            sqlite3_finalize(c->cache[i].st);
            free(c->cache[i].sql);
        }
    }
    sqlite3_close_v2(c->h);
    free(c);
}

/* The cache is full: finalize every statement not handed out. A server's
 * connection meets an unbounded number of distinct statements (a list by
 * each filter, an id list of each length), and a full cache that kept its
 * first ones compiled every later statement again at each use, the hot
 * ones too. Emptying it is cheaper to get right than a per-entry LRU (open
 * addressing has no deletion) and costs one compile of each statement in
 * use per flush. Busy entries stay where they are, their cursors point at
 * them: a lookup whose probe no longer reaches one prepares a cached copy,
 * and the stranded entry goes at the next flush or at close. */
static void cache_flush(SqliteConn *c)
{
    c->ncached = 0;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        CacheEntry *e = &c->cache[i];
        if (!e->sql)
            continue;
        if (e->busy) {
            c->ncached++;
            continue;
        }
        sqlite3_finalize(e->st);
        free(e->sql);
        *e = (CacheEntry){0};
    }
}

/* The first empty slot of hash h's probe sequence, or NULL. */
static CacheEntry *free_slot(SqliteConn *c, uint64_t h)
{
    for (int probe = 0; probe < CACHE_SLOTS; probe++) {
        CacheEntry *e = &c->cache[(h + (uint64_t)probe) % CACHE_SLOTS];
        if (!e->sql)
            return e;
    }
    return NULL;
}

/* Find or prepare a statement for sql. *entry is set when it came from the
 * cache (and is marked busy). */
static int prepare(SqliteConn *c, const char *sql, sqlite3_stmt **st, CacheEntry **entry)
{
    uint64_t h = str_hash(sql);
    CacheEntry *slot = NULL;
    for (int probe = 0; probe < CACHE_SLOTS; probe++) {
        CacheEntry *e = &c->cache[(h + (uint64_t)probe) % CACHE_SLOTS];
        if (!e->sql) {
            slot = e;
            break;
        }
        if (e->hash == h && !strcmp(e->sql, sql)) {
            if (e->busy)
                break; /* in use by an outer cursor: prepare a private copy */
            e->busy = true;
            *st = e->st;
            *entry = e;
            return DB_OK;
        }
    }
    if (slot && c->ncached >= CACHE_SLOTS * 3 / 4) {
        cache_flush(c);
        slot = free_slot(c, h);
    }
    char *text = rewrite_params(sql);
    int rc = sqlite3_prepare_v3(c->h, text, -1, slot ? SQLITE_PREPARE_PERSISTENT : 0, st, NULL);
    free(text);
    c->prepares++;
    if (rc != SQLITE_OK) {
        log_error("sqlite prepare failed: %s — in: %.200s", sqlite3_errmsg(c->h), sql);
        return map_rc(rc);
    }
    if (slot && c->ncached < CACHE_SLOTS * 3 / 4) {
        slot->sql = xstrdup(sql);
        slot->hash = h;
        slot->st = *st;
        slot->busy = true;
        c->ncached++;
        *entry = slot;
    } else {
        *entry = NULL;
    }
    return DB_OK;
}

static int bind_all(SqliteConn *c, sqlite3_stmt *st, const DbVal *p, int n)
{
    for (int i = 0; i < n; i++) {
        int rc;
        switch (p[i].type) {
        case DBV_INT: rc = sqlite3_bind_int64(st, i + 1, p[i].i); break;
        case DBV_TEXT: rc = sqlite3_bind_text(st, i + 1, p[i].s, -1, SQLITE_STATIC); break;
        case DBV_BLOB: rc = sqlite3_bind_blob64(st, i + 1, p[i].s, p[i].len, SQLITE_STATIC); break;
        default: rc = sqlite3_bind_null(st, i + 1); break;
        }
        if (rc != SQLITE_OK && rc != SQLITE_RANGE) {
            log_error("sqlite bind %d failed: %s", i + 1, sqlite3_errmsg(c->h));
            return map_rc(rc);
        }
    }
    return DB_OK;
}

static void release(sqlite3_stmt *st, CacheEntry *e)
{
    if (e) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        e->busy = false;
    } else {
        sqlite3_finalize(st);
    }
}

/* A writing statement inside a read snapshot (db_read_begin): end the
 * snapshot first, so the write runs in its own transaction as it would
 * without one (a deferred read transaction cannot always be upgraded). */
static void leave_read(SqliteConn *c, sqlite3_stmt *st)
{
    if (c->head.in_read && !sqlite3_stmt_readonly(st)) {
        c->head.in_read = false;
        if (sqlite3_exec(c->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            sqlite3_exec(c->h, "ROLLBACK", NULL, NULL, NULL);
    }
}

static int sq_exec(DbConn *conn, const char *sql, const DbVal *p, int n)
{
    SqliteConn *c = (SqliteConn *)conn;
    sqlite3_stmt *st;
    CacheEntry *e;
    int rc = prepare(c, sql, &st, &e);
    if (rc)
        return rc;
    leave_read(c, st);
    rc = bind_all(c, st, p, n);
    if (rc == DB_OK) {
        int s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW)
            ;
        if (s != SQLITE_DONE) {
            rc = map_rc(s);
            if (rc == DB_OK)
                rc = DB_ERROR;
            if (rc != DB_CONSTRAINT)
                log_error("sqlite exec failed: %s — in: %.200s", sqlite3_errmsg(c->h), sql);
        }
    }
    release(st, e);
    return rc;
}

static int sq_exec_script(DbConn *conn, const char *sql)
{
    SqliteConn *c = (SqliteConn *)conn;
    char *emsg = NULL;
    int rc = sqlite3_exec(c->h, sql, NULL, NULL, &emsg);
    if (rc != SQLITE_OK) {
        log_error("sqlite script failed: %s", emsg ? emsg : "?");
        sqlite3_free(emsg);
        return map_rc(rc) ? map_rc(rc) : DB_ERROR;
    }
    return DB_OK;
}

static int sq_query(DbConn *conn, const char *sql, const DbVal *p, int n, DbRes **res)
{
    SqliteConn *c = (SqliteConn *)conn;
    sqlite3_stmt *st;
    CacheEntry *e;
    *res = NULL;
    int rc = prepare(c, sql, &st, &e);
    if (rc)
        return rc;
    leave_read(c, st);
    rc = bind_all(c, st, p, n);
    if (rc) {
        release(st, e);
        return rc;
    }
    SqliteRes *r = xmalloc(sizeof *r);
    r->conn = conn;
    r->st = st;
    r->entry = e;
    r->last = SQLITE_OK;
    *res = (DbRes *)r;
    return DB_OK;
}

static int sq_next(DbRes *res)
{
    SqliteRes *r = (SqliteRes *)res;
    if (r->last == SQLITE_DONE)
        return 0;
    r->last = sqlite3_step(r->st);
    if (r->last == SQLITE_ROW)
        return 1;
    if (r->last == SQLITE_DONE)
        return 0;
    int rc = map_rc(r->last);
    if (rc != DB_CONSTRAINT) /* constraint violations are answered as conflicts, not logged */
        log_error("sqlite step failed: %s", sqlite3_errmsg(((SqliteConn *)r->conn)->h));
    return rc ? rc : DB_ERROR;
}

static int sq_ncols(DbRes *r) { return sqlite3_column_count(((SqliteRes *)r)->st); }
static const char *sq_colname(DbRes *r, int i) { return sqlite3_column_name(((SqliteRes *)r)->st, i); }
static bool sq_isnull(DbRes *r, int i) { return sqlite3_column_type(((SqliteRes *)r)->st, i) == SQLITE_NULL; }
static int64_t sq_int(DbRes *r, int i) { return sqlite3_column_int64(((SqliteRes *)r)->st, i); }
static const char *sq_text(DbRes *r, int i)
{
    /* NULL for a NULL value (no separate type check: one call per cell of a list page) */
    return (const char *)sqlite3_column_text(((SqliteRes *)r)->st, i);
}

static const void *sq_blob(DbRes *r, int i, Arena *a, size_t *len)
{
    SqliteRes *s = (SqliteRes *)r;
    if (sqlite3_column_type(s->st, i) == SQLITE_NULL)
        return NULL;
    const void *p = sqlite3_column_blob(s->st, i);
    size_t n = (size_t)sqlite3_column_bytes(s->st, i);
    char *out = arena_alloc(a, n + 1);
    if (n)
        memcpy(out, p, n);
    out[n] = 0;
    *len = n;
    return out;
}

static void sq_done(DbRes *res)
{
    SqliteRes *r = (SqliteRes *)res;
    release(r->st, r->entry);
    free(r);
}

/* Incremental blob I/O: SQLite reads only the overflow pages the range
 * covers. The handle is opened per call: one held open between calls would
 * keep a read transaction (and the WAL) pinned while a download waits on a
 * slow client. */
static int sq_blob_read(DbConn *conn, const char *table, const char *key, const char *col, int64_t id,
                        uint64_t offset, void *buf, size_t n, size_t *got)
{
    SqliteConn *c = (SqliteConn *)conn;
    (void)key; /* the rowid */
    sqlite3_blob *b = NULL;
    int rc = sqlite3_blob_open(c->h, "main", table, col, id, 0, &b);
    if (rc != SQLITE_OK) {
        sqlite3_blob_close(b);
        return map_rc(rc);
    }
    uint64_t size = (uint64_t)sqlite3_blob_bytes(b);
    if (offset > INT_MAX) {
        sqlite3_blob_close(b);
        return offset >= size ? DB_OK : DB_ERROR;
    }
    size_t m = offset >= size ? 0 : (size - offset < n ? (size_t)(size - offset) : n);
    if (m > INT_MAX)
        m = INT_MAX;
    rc = m ? sqlite3_blob_read(b, buf, (int)m, (int)offset) : SQLITE_OK;
    if (rc != SQLITE_OK) {
        /* Keep the read's error: closing resets it. */
        int keep = map_rc(rc);
        sqlite3_blob_close(b);
        return keep;
    }
    sqlite3_blob_close(b);
    *got = m;
    return DB_OK;
}

static int64_t sq_changes(DbConn *c) { return sqlite3_changes64(((SqliteConn *)c)->h); }
static int64_t sq_last_insert_id(DbConn *c) { return sqlite3_last_insert_rowid(((SqliteConn *)c)->h); }
static int64_t sq_prepares(DbConn *c) { return ((SqliteConn *)c)->prepares; }
static const char *sq_errmsg(DbConn *c) { return sqlite3_errmsg(((SqliteConn *)c)->h); }

static bool sq_table_exists(DbConn *c, const char *table)
{
    int64_t v = 0;
    bool found = false;
    DbVal p[] = {dbv_text(table)};
    db_query_int(c, "SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name = $1", p, 1, &v, &found);
    return found;
}

static bool sq_column_exists(DbConn *c, const char *table, const char *column)
{
    int64_t v = 0;
    bool found = false;
    DbVal p[] = {dbv_text(table), dbv_text(column)};
    db_query_int(c, "SELECT 1 FROM pragma_table_info($1) WHERE name = $2", p, 2, &v, &found);
    return found;
}

/* No statistics for FTS5's shadow tables (x_data, x_idx, ...): FTS5 reads
 * them only by rowid or primary key (its five shadow tables are
 * NAME_data, _idx, _content, _docsize and _config), and a sqlite_stat1 row taken while a
 * search index was small (an ANALYZE of a new database, or of one whose
 * index was about to be filled) makes the planner believe the table holds
 * a couple of rows; it then deletes a merged segment's pages with a full
 * scan (`DELETE FROM x_data WHERE id>=? AND id<=?` read the whole 140 MB
 * index of 100,000 customers, 0.1 s per segment, up to 16 s per create).
 * Without a row SQLite assumes a big table and seeks. */
static void sq_optimize(DbConn *c)
{
    sq_exec_script(c, "PRAGMA analysis_limit=1000; PRAGMA optimize;");
    if (!sq_table_exists(c, "sqlite_stat1"))
        return;
    /* Connections opened afterwards plan without them (`serve` calls this
     * before its request threads connect). */
    sq_exec(c,
            "DELETE FROM sqlite_stat1 WHERE tbl IN (SELECT v.name || s.suffix FROM sqlite_master v,"
            " (SELECT '_data' AS suffix UNION ALL SELECT '_idx' UNION ALL SELECT '_content'"
            " UNION ALL SELECT '_docsize' UNION ALL SELECT '_config') s"
            " WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%')",
            NULL, 0);
}

static bool sq_changed_elsewhere(DbConn *conn)
{
    SqliteConn *c = (SqliteConn *)conn;
    sqlite3_stmt *st;
    CacheEntry *e;
    if (prepare(c, "PRAGMA data_version", &st, &e))
        return true; /* cannot tell: assume it changed */
    bool changed = true;
    if (sqlite3_step(st) == SQLITE_ROW) {
        int64_t v = sqlite3_column_int64(st, 0);
        changed = v != c->head.data_version;
        c->head.data_version = v;
    }
    release(st, e);
    return changed;
}

static bool sq_in_transaction(DbConn *conn) { return !sqlite3_get_autocommit(((SqliteConn *)conn)->h); }

/* After each commit on the writer: remember the WAL's size (replaces the
 * automatic checkpoint, which would run inside the COMMIT). */
static int wal_hook(void *arg, sqlite3 *h, const char *name, int pages)
{
    (void)h;
    (void)name;
    ((SqliteConn *)arg)->wal_pages = pages;
    return SQLITE_OK;
}

static void sq_writer_setup(DbConn *conn)
{
    SqliteConn *c = (SqliteConn *)conn;
    sqlite3_wal_hook(c->h, wal_hook, c);
}

static int64_t sq_wal_pages(DbConn *conn) { return ((SqliteConn *)conn)->wal_pages; }

static int64_t sq_checkpoint(DbConn *conn)
{
    SqliteConn *c = (SqliteConn *)conn;
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(c->h, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        log_warn("sqlite checkpoint failed: %s", sqlite3_errmsg(c->h));
    return rc == SQLITE_OK && log >= 0 && done == log ? log : -1;
}

static int sq_backup(DbConn *conn, const char *path, char **err)
{
    SqliteConn *c = (SqliteConn *)conn;
    sqlite3 *dst = NULL;
    int rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(dst, "main", c->h, "main");
        if (b) {
            /* Copy in steps so writers are not blocked for the whole copy. */
            do {
                rc = sqlite3_backup_step(b, 1024);
                if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                    sqlite3_sleep(20);
            } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
            sqlite3_backup_finish(b);
        }
        rc = sqlite3_errcode(dst);
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        char msg[512];
        snprintf(msg, sizeof msg, "backup to %s failed: %s", path, dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
        *err = xstrdup(msg);
        sqlite3_close(dst);
        return DB_ERROR;
    }
    sqlite3_close(dst);
    return DB_OK;
}

const DbBackend db_sqlite_backend = {
    .name = "sqlite",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .exec = sq_exec,
    .exec_script = sq_exec_script,
    .query = sq_query,
    .next = sq_next,
    .ncols = sq_ncols,
    .colname = sq_colname,
    .isnull = sq_isnull,
    .get_int = sq_int,
    .get_text = sq_text,
    .get_blob = sq_blob,
    .blob_read = sq_blob_read,
    .done = sq_done,
    .changes = sq_changes,
    .last_insert_id = sq_last_insert_id,
    .prepares = sq_prepares,
    .errmsg = sq_errmsg,
    .table_exists = sq_table_exists,
    .column_exists = sq_column_exists,
    .optimize = sq_optimize,
    .backup = sq_backup,
    .changed_elsewhere = sq_changed_elsewhere,
    .in_transaction = sq_in_transaction,
    .writer_setup = sq_writer_setup,
    .wal_pages = sq_wal_pages,
    .checkpoint = sq_checkpoint,
};
