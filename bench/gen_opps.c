/* gen_opps.c — guanxi-bench-opps: adds opportunities (default 1,000,000) to
 * a bench database made by guanxi-bench-gen, for the funnel and forecast
 * scenarios (bench/load/funnel.lua).
 *
 * The database is brought up to date first (setup_database: migration 4
 * seeds the opportunity stages and adds the funnel/forecast indexes). Each
 * opportunity belongs to a random sales rep (u1..uN, department_id = the
 * rep's), names a random existing customer, and is at a stage drawn from a
 * fixed mix (initial 30 %, needs 20 %, proposal 15 %, negotiation 10 %, won
 * 15 %, lost 10 %) with the stage's probability and the old enum column in
 * step, an amount of ¥10,000–¥5,000,000, created over the last three years
 * and expected to close 0–180 days after creation (closed ones have
 * closed_on). Loaded like gen.c: one transaction, multi-row INSERTs, the
 * opportunities' secondary indexes dropped first and re-created from their
 * own SQL, then ANALYZE and WAL. Opportunities are not put in the text
 * search tables (the funnel and forecast do not search).
 *
 * usage: guanxi-bench-opps --db FILE [--opportunities 1000000] [--seed 1] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "base/log.h"
#include "base/util.h"
#include "db/db.h"
#include "meta/meta.h"
#include "modules/modules.h"
#include "record/record.h"

#define ROWS_PER_STMT 32
#define NCOLS 15
#define SPAN_DAYS (3 * 365)

/* A stage of the mix. */
typedef struct MixStage {
    const char *code; /* stage code (seeded by migration 4) */
    int weight;       /* percent of the opportunities */
    int64_t id;       /* its id, read from the database */
    int64_t pct;      /* its probability */
    bool closed;      /* won or lost */
} MixStage;

static MixStage mix[] = {
    {"initial", 30, 0, 0, false}, {"needs", 20, 0, 0, false}, {"proposal", 15, 0, 0, false},
    {"negotiation", 10, 0, 0, false}, {"won", 15, 0, 0, true}, {"lost", 10, 0, 0, true},
};
#define NMIX ((int)(sizeof mix / sizeof mix[0]))

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void exec_or_die(DbConn *db, const char *sql)
{
    if (db_exec_script(db, sql) != DB_OK)
        gx_die("bench-opps: %s: %s", sql, db_errmsg(db));
}

/* "INSERT INTO opportunities(cols) VALUES (…), …" for `rows` rows. */
static char *insert_sql(const char *cols, int rows)
{
    Arena a;
    arena_init(&a);
    Buf b;
    buf_init(&b, &a);
    buf_printf(&b, "INSERT INTO opportunities(%s) VALUES ", cols);
    int n = 1;
    for (int r = 0; r < rows; r++) {
        buf_raw(&b, r ? ", (" : "(");
        for (int c = 0; c < NCOLS; c++)
            buf_printf(&b, c ? ", $%d" : "$%d", n++);
        buf_raw(&b, ")");
    }
    char *s = xstrdup(b.data);
    arena_free(&a);
    return s;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int64_t count = 1000000, seed = 1;
    static struct option longopts[] = {{"db", required_argument, 0, 'd'},
                                       {"opportunities", required_argument, 0, 'n'},
                                       {"seed", required_argument, 0, 's'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (ch == 'd')
            path = optarg;
        else if (ch == 'n' && parse_i64(optarg, &count) && count > 0 && count <= 100000000)
            continue;
        else if (ch == 's' && parse_i64(optarg, &seed))
            continue;
        else {
            fputs("usage: guanxi-bench-opps --db FILE [--opportunities 1000000] [--seed 1]\n"
                  "Adds opportunities to a database made by guanxi-bench-gen.\n",
                  stderr);
            return 2;
        }
    }
    if (!path) {
        fputs("guanxi-bench-opps: --db FILE is required\n", stderr);
        return 2;
    }
    if (!auth_init())
        gx_die("bench-opps: libsodium failed to initialise");
    log_set_level(LOG_WARN);
    meta_load();
    modules_init();
    char *err = NULL;
    Db *dbh = db_open(path, &err);
    if (!dbh)
        gx_die("bench-opps: cannot open %s: %s", path, err ? err : "?");
    Arena arena;
    arena_init(&arena);
    Ctx c;
    ctx_init(&c, &arena, db_thread_conn(dbh));
    double t0 = now_s(), t;
    if (setup_database(&c, "Bench12345", NULL))
        gx_die("bench-opps: migrations: %s", c.err_msg ? c.err_msg : "?");
    printf("guanxi-bench-opps: %s — migrations %.1f s\n", path, now_s() - t0);

    for (int i = 0; i < NMIX; i++) {
        DbRes *r;
        DbVal p[] = {dbv_text(mix[i].code)};
        if (db_query(c.db, "SELECT id, probability_pct FROM opportunity_stages WHERE code = $1", p, 1, &r) != DB_OK ||
            db_next(r) != 1)
            gx_die("bench-opps: no stage %s", mix[i].code);
        mix[i].id = db_int(r, 0);
        mix[i].pct = db_int(r, 1);
        db_done(r);
    }
    /* the reps (username u<n>) and their departments; the customer ids */
    int64_t nreps = 0, max_customer = 0;
    bool found;
    db_query_int(c.db, "SELECT count(*) FROM users WHERE username GLOB 'u[0-9]*'", NULL, 0, &nreps, &found);
    db_query_int(c.db, "SELECT coalesce(max(id), 0) FROM customers", NULL, 0, &max_customer, &found);
    if (nreps <= 0 || max_customer <= 0)
        gx_die("bench-opps: make the database with guanxi-bench-gen first (no reps or customers)");
    int64_t *rep = xcalloc((size_t)nreps, sizeof *rep), *dept = xcalloc((size_t)nreps, sizeof *dept);
    DbRes *r;
    if (db_query(c.db, "SELECT id, department_id FROM users WHERE username GLOB 'u[0-9]*' ORDER BY id", NULL, 0, &r) !=
        DB_OK)
        gx_die("bench-opps: cannot read users");
    int64_t n = 0;
    while (db_next(r) == 1 && n < nreps) {
        rep[n] = db_int(r, 0);
        dept[n] = db_int(r, 1);
        n++;
    }
    db_done(r);
    rng_state = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)seed * 0xBF58476D1CE4E5B9ULL);

    exec_or_die(c.db, "PRAGMA foreign_keys=OFF; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                      " PRAGMA cache_size=-1048576");
    /* drop the secondary indexes; re-created below from their own SQL */
    char *names[64], *sqls[64];
    int nidx = 0;
    if (db_query(c.db,
                 "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'opportunities'"
                 " AND sql IS NOT NULL",
                 NULL, 0, &r) != DB_OK)
        gx_die("bench-opps: cannot read indexes");
    while (db_next(r) == 1 && nidx < 64) {
        names[nidx] = xstrdup(db_text(r, 0));
        sqls[nidx] = xstrdup(db_text(r, 1));
        nidx++;
    }
    db_done(r);
    for (int i = 0; i < nidx; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP INDEX %s", names[i]);
        exec_or_die(c.db, sql);
    }

    t = now_s();
    exec_or_die(c.db, "BEGIN");
    const char *cols = "name, customer_id, amount, stage, stage_id, probability_pct, expected_close, closed_on,"
                       " owner_id, department_id, created_at, created_by, updated_at, updated_by, version";
    char *sql_full = insert_sql(cols, ROWS_PER_STMT);
    int64_t now_ms = time_now_ms();
    int64_t done = 0;
    DbVal *params = xcalloc((size_t)ROWS_PER_STMT * NCOLS, sizeof *params);
    char (*text)[4][64] = xcalloc(ROWS_PER_STMT, sizeof *text);
    while (done < count) {
        int rows = count - done >= ROWS_PER_STMT ? ROWS_PER_STMT : (int)(count - done);
        char *sql = rows == ROWS_PER_STMT ? sql_full : insert_sql(cols, rows);
        for (int k = 0; k < rows; k++) {
            int64_t i = done + k + 1;
            int w = (int)(rng() % 100), s = 0;
            for (int acc = mix[0].weight; w >= acc && s < NMIX - 1; acc += mix[++s].weight)
                ;
            int64_t u = (int64_t)(rng() % (uint64_t)nreps);
            int64_t created = now_ms - (int64_t)(rng() % ((uint64_t)SPAN_DAYS * 86400000));
            int64_t close = created / 1000 + (int64_t)(rng() % 181) * 86400;
            char ts[64];
            time_format_ms(created, ts);
            snprintf(text[k][0], 64, "%s", ts);
            time_format_s(close + 8 * 3600, ts);
            snprintf(text[k][1], 64, "%.10s", ts);
            snprintf(text[k][2], 64, "商机 %lld", (long long)i);
            DbVal *p = params + (size_t)k * NCOLS;
            p[0] = dbv_text(text[k][2]);
            p[1] = dbv_int(1 + (int64_t)(rng() % (uint64_t)max_customer));
            p[2] = dbv_int((int64_t)(10 + rng() % 4991) * 100000); /* ¥10,000 – ¥5,000,000 */
            p[3] = dbv_text(mix[s].code);
            p[4] = dbv_int(mix[s].id);
            p[5] = dbv_int(mix[s].pct);
            p[6] = dbv_text(text[k][1]);
            p[7] = mix[s].closed ? dbv_text(text[k][1]) : dbv_null();
            p[8] = dbv_int(rep[u]);
            p[9] = dbv_int(dept[u]);
            p[10] = dbv_text(text[k][0]);
            p[11] = dbv_int(rep[u]);
            p[12] = dbv_text(text[k][0]);
            p[13] = dbv_int(rep[u]);
            p[14] = dbv_int(1);
        }
        if (db_exec(c.db, sql, params, rows * NCOLS) != DB_OK)
            gx_die("bench-opps: insert: %s", db_errmsg(c.db));
        if (sql != sql_full)
            free(sql);
        done += rows;
    }
    exec_or_die(c.db, "COMMIT");
    double load = now_s() - t;
    printf("  opportunities  %10lld rows %7.1f s %9.0f rows/s\n", (long long)count, load, (double)count / load);
    t = now_s();
    for (int i = 0; i < nidx; i++) {
        exec_or_die(c.db, sqls[i]);
        free(names[i]);
        free(sqls[i]);
    }
    printf("  indexes (%d)             %7.1f s\n", nidx, now_s() - t);
    t = now_s();
    exec_or_die(c.db, "ANALYZE opportunities; ANALYZE opportunity_stages; PRAGMA optimize; PRAGMA journal_mode=WAL;"
                      " PRAGMA wal_checkpoint(TRUNCATE)");
    printf("  ANALYZE, WAL             %7.1f s\n", now_s() - t);
    printf("done in %.1f s\n", now_s() - t0);
    free(sql_full);
    free(params);
    free(text);
    free(rep);
    free(dept);
    ctx_done(&c);
    arena_free(&arena);
    db_close(dbh);
    meta_free();
    return 0;
}
