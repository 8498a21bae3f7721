/* gen_orders.c — guanxi-bench-orders: adds sales orders with their lines
 * (default 500,000 orders, ~10,000,000 lines) to a bench database made by
 * guanxi-bench-gen (and, for the funnel pages, guanxi-bench-opps), for the
 * order-creation benchmark at volume (issue #6).
 *
 * What the real code writes, row for row (src/modules/sales/doclines.c,
 * dochooks.c, orders.c, record.c):
 * - products: --products of them (default 2,000) through record_create
 *   (audit log, search index), codes BP00001…, prices ¥1–¥5,000, the last 5 % inactive
 *   (old lines keep them; the active ones are a range of ids for the benchmark); skipped when they are there already;
 * - orders: owned by the customer's owner (department_id = the customer's),
 *   created over the last three years in time order, numbered
 *   SO-<year>-<000000> gap-free per year of the order date (the sequences
 *   orders.number:<year> are set so later creates continue), order_date the
 *   business date (UTC+8) of created_at, status drawn from draft 8 %, approved
 *   12 %, delivered 15 %, invoiced 20 %, closed 40 %, cancelled 5 %, the
 *   customer's address as delivery address, tax 13 %, totals computed by
 *   totals.c (sales_totals_compute), in the search tables (orders_fts,
 *   orders_fts2) like fts_sync writes them, each merged into one segment;
 * - order_lines: 1–39 per order (uniform, 20 on average), owner_id the
 *   creator as sd_lines_store writes it, a random product with its name and
 *   price, quantity 1–100 units (one in ten with thousandths), discount 0, 5,
 *   10 or 15 %, line_total from sales_line_compute, delivered_qty = quantity
 *   for delivered, invoiced and closed orders;
 * - customers: total_purchases, purchase_count, last_purchase_on and the RFM
 *   score recomputed from the orders (customer_value_recompute).
 * Not written: audit entries of the orders, deliveries, invoices, payments,
 * returns, quotes (the pages measured do not read them).
 *
 * Loaded like gen_opps.c: one transaction, multi-row INSERTs with explicit
 * ids, the secondary indexes of orders and order_lines dropped first and
 * re-created from their own SQL, then ANALYZE and WAL.
 *
 * usage: guanxi-bench-orders --db FILE [--orders 500000] [--max-lines 39]
 *        [--products 2000] [--seed 1] */
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
#include "modules/sales/sales.h"
#include "modules/sales/totals.h"
#include "record/record.h"

#define ROWS_PER_STMT 32
#define ORDER_COLS 20
#define LINE_COLS 17
#define SPAN_DAYS (3 * 365)

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
        gx_die("bench-orders: %s: %s", sql, db_errmsg(db));
}

/* "INSERT INTO table(cols) VALUES (…), …" for `rows` rows of `ncols`. */
static char *insert_sql(const char *table, const char *cols, int ncols, int rows)
{
    Arena a;
    arena_init(&a);
    Buf b;
    buf_init(&b, &a);
    buf_printf(&b, "INSERT INTO %s(%s) VALUES ", table, cols);
    int n = 1;
    for (int r = 0; r < rows; r++) {
        buf_raw(&b, r ? ", (" : "(");
        for (int c = 0; c < ncols; c++)
            buf_printf(&b, c ? ", $%d" : "$%d", n++);
        buf_raw(&b, ")");
    }
    char *s = xstrdup(b.data);
    arena_free(&a);
    return s;
}

/* A batch of rows for one multi-row INSERT: parameters and their texts. */
typedef struct Batch {
    const char *table, *cols;
    int ncols, rows;
    char *sql_full;
    DbVal *p;
    char (*text)[4][512];
} Batch;

static void batch_init(Batch *b, const char *table, const char *cols, int ncols)
{
    *b = (Batch){.table = table, .cols = cols, .ncols = ncols};
    b->sql_full = insert_sql(table, cols, ncols, ROWS_PER_STMT);
    b->p = xcalloc((size_t)ROWS_PER_STMT * (size_t)ncols, sizeof *b->p);
    b->text = xcalloc(ROWS_PER_STMT, sizeof *b->text);
}

static void batch_flush(DbConn *db, Batch *b)
{
    if (!b->rows)
        return;
    char *sql = b->rows == ROWS_PER_STMT ? b->sql_full : insert_sql(b->table, b->cols, b->ncols, b->rows);
    if (db_exec(db, sql, b->p, b->rows * b->ncols) != DB_OK)
        gx_die("bench-orders: insert into %s: %s", b->table, db_errmsg(db));
    if (sql != b->sql_full)
        free(sql);
    b->rows = 0;
}

static void batch_free(Batch *b)
{
    free(b->sql_full);
    free(b->p);
    free(b->text);
}

/* Drop the secondary indexes of table; their SQL goes to sqls (re-created later). */
static int drop_indexes(DbConn *db, const char *table, char **sqls, int max)
{
    DbRes *r;
    char *names[64];
    int n = 0;
    DbVal p[] = {dbv_text(table)};
    if (db_query(db, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL",
                 p, 1, &r) != DB_OK)
        gx_die("bench-orders: cannot read indexes");
    while (db_next(r) == 1 && n < max && n < 64) {
        names[n] = xstrdup(db_text(r, 0));
        sqls[n] = xstrdup(db_text(r, 1));
        n++;
    }
    db_done(r);
    for (int i = 0; i < n; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP INDEX %s", names[i]); /* sql-ok: index names from sqlite_master */
        exec_or_die(db, sql);
        free(names[i]);
    }
    return n;
}

static const char *const product_words[] = {"智能", "工业", "商用", "精密", "节能", "高速", "数字", "便携",
                                            "无线", "环保", "重型", "家用", "医用", "光学", "液压", "模块化"};
static const char *const product_kinds[] = {"控制器", "传感器", "打印机", "服务器", "交换机", "显示屏", "电机",
                                            "水泵", "阀门", "机床", "仪表", "电源", "路由器", "摄像机", "扫描仪"};
#define NWORDS ((int)(sizeof product_words / sizeof product_words[0]))
#define NKINDS ((int)(sizeof product_kinds / sizeof product_kinds[0]))

typedef struct Product {
    int64_t id, price;
    char *name;
} Product;

/* The bench products (code BP…), made through record_create when missing. */
static Product *make_products(Ctx *c, int64_t want, int64_t *n)
{
    int64_t have = 0;
    bool found;
    db_query_int(c->db, "SELECT count(*) FROM products WHERE code GLOB 'BP[0-9]*'", NULL, 0, &have, &found);
    const Entity *pe = meta_entity("products");
    for (int64_t i = have + 1; i <= want; i++) {
        char code[32], name[128];
        snprintf(code, sizeof code, "BP%05lld", (long long)i);
        snprintf(name, sizeof name, "%s%s %c%lld", product_words[rng() % NWORDS], product_kinds[rng() % NKINDS],
                 'A' + (int)(rng() % 26), (long long)(100 + i));
        json_t *in = json_pack("{s:s, s:s, s:s, s:I, s:b}", "code", code, "name", name, "unit", "台", "price",
                               (json_int_t)((int64_t)(1 + rng() % 5000) * 100), "active", i <= want - want / 20),
               *out;
        if (record_create(c, pe, in, &out))
            gx_die("bench-orders: product %s: %s", code, c->err_msg ? c->err_msg : "?");
        json_decref(in);
        json_decref(out);
    }
    DbRes *r;
    if (db_query(c->db, "SELECT id, price, name FROM products WHERE code GLOB 'BP[0-9]*' ORDER BY id", NULL, 0, &r) !=
        DB_OK)
        gx_die("bench-orders: cannot read products");
    Product *ps = xcalloc((size_t)want, sizeof *ps);
    int64_t k = 0;
    while (db_next(r) == 1 && k < want) {
        ps[k].id = db_int(r, 0);
        ps[k].price = db_int(r, 1);
        ps[k].name = xstrdup(db_text(r, 2));
        k++;
    }
    db_done(r);
    *n = k;
    return ps;
}

static const struct {
    const char *status;
    int weight;
    bool delivered;
} statuses[] = {{"draft", 8, false},     {"approved", 12, false}, {"delivered", 15, true},
                {"invoiced", 20, true},  {"closed", 40, true},    {"cancelled", 5, false}};
#define NSTATUS ((int)(sizeof statuses / sizeof statuses[0]))

int main(int argc, char **argv)
{
    const char *path = NULL;
    int64_t count = 500000, max_lines = 39, nproducts = 2000, seed = 1;
    static struct option longopts[] = {{"db", required_argument, 0, 'd'},
                                       {"orders", required_argument, 0, 'n'},
                                       {"max-lines", required_argument, 0, 'l'},
                                       {"products", required_argument, 0, 'p'},
                                       {"seed", required_argument, 0, 's'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (ch == 'd')
            path = optarg;
        else if (ch == 'n' && parse_i64(optarg, &count) && count > 0 && count <= 100000000)
            continue;
        else if (ch == 'l' && parse_i64(optarg, &max_lines) && max_lines > 0 && max_lines <= SALES_MAX_LINES)
            continue;
        else if (ch == 'p' && parse_i64(optarg, &nproducts) && nproducts > 0 && nproducts <= 99999)
            continue;
        else if (ch == 's' && parse_i64(optarg, &seed))
            continue;
        else {
            fputs("usage: guanxi-bench-orders --db FILE [--orders 500000] [--max-lines 39] [--products 2000]"
                  " [--seed 1]\n"
                  "Adds products, orders and order lines (1..max-lines per order) to a database made by"
                  " guanxi-bench-gen.\n",
                  stderr);
            return 2;
        }
    }
    if (!path) {
        fputs("guanxi-bench-orders: --db FILE is required\n", stderr);
        return 2;
    }
    if (!auth_init())
        gx_die("bench-orders: libsodium failed to initialise");
    log_set_level(LOG_WARN);
    meta_load();
    modules_init();
    char *err = NULL;
    Db *dbh = db_open(path, &err);
    if (!dbh)
        gx_die("bench-orders: cannot open %s: %s", path, err ? err : "?");
    Arena arena;
    arena_init(&arena);
    Ctx c;
    ctx_init(&c, &arena, db_thread_conn(dbh));
    double t0 = now_s(), t;
    if (setup_database(&c, "Bench12345", NULL))
        gx_die("bench-orders: migrations: %s", c.err_msg ? c.err_msg : "?");
    printf("guanxi-bench-orders: %s — migrations %.1f s\n", path, now_s() - t0);
    rng_state = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)(seed + 7) * 0xBF58476D1CE4E5B9ULL);

    int64_t max_customer = 0, first_order = 0, first_line = 0;
    bool found;
    db_query_int(c.db, "SELECT coalesce(max(id), 0) FROM customers", NULL, 0, &max_customer, &found);
    if (max_customer <= 0)
        gx_die("bench-orders: make the database with guanxi-bench-gen first (no customers)");
    int64_t existing = 0;
    db_query_int(c.db, "SELECT count(*) FROM orders", NULL, 0, &existing, &found);
    if (existing)
        gx_die("bench-orders: %s already holds %lld orders", path, (long long)existing);
    db_query_int(c.db, "SELECT coalesce(max(id), 0) + 1 FROM order_lines", NULL, 0, &first_line, &found);
    db_query_int(c.db, "SELECT coalesce(max(id), 0) + 1 FROM orders", NULL, 0, &first_order, &found);

    exec_or_die(c.db, "PRAGMA synchronous=OFF");
    t = now_s();
    int64_t np;
    Product *products = make_products(&c, nproducts, &np);
    if (np <= 0)
        gx_die("bench-orders: no products");
    printf("  products       %10lld rows %7.1f s (record_create)\n", (long long)np, now_s() - t);

    exec_or_die(c.db, "PRAGMA foreign_keys=OFF; PRAGMA journal_mode=OFF; PRAGMA cache_size=-1048576");
    char *isql[128];
    int nidx = drop_indexes(c.db, "orders", isql, 64);
    nidx += drop_indexes(c.db, "order_lines", isql + nidx, 64);

    t = now_s();
    exec_or_die(c.db, "BEGIN");
    Batch ob, lb;
    batch_init(&ob, "orders", "id, owner_id, department_id, created_at, created_by, updated_at, updated_by, version,"
                              " number, customer_id, order_date, status, delivery_address, tax_rate_pct, subtotal,"
                              " discount_total, tax_total, total, quote_id, opportunity_id", ORDER_COLS);
    batch_init(&lb, "order_lines",
               "id, owner_id, created_at, created_by, updated_at, updated_by, version, order_id, position,"
               " product_id, description, quantity, unit_price, discount_pct, line_total, delivered_qty, returned_qty",
               LINE_COLS);
    int64_t now_ms = time_now_ms(), start_ms = now_ms - (int64_t)SPAN_DAYS * 86400000;
    int64_t seq[200] = {0}; /* order numbers per year since 1970 */
    int64_t line_id = first_line, nlines = 0;
    SalesLine sl[SALES_MAX_LINES];
    int prod[SALES_MAX_LINES];
    char *addr = NULL;
    for (int64_t i = 0; i < count; i++) {
        int64_t oid = first_order + i;
        int64_t cust = 1 + (int64_t)(rng() % (uint64_t)max_customer), owner = 0, dept = 0;
        DbRes *r;
        DbVal cp[] = {dbv_int(cust)};
        if (db_query(c.db, "SELECT owner_id, department_id, address FROM customers WHERE id = $1", cp, 1, &r) != DB_OK)
            gx_die("bench-orders: cannot read customer %lld", (long long)cust);
        free(addr);
        addr = NULL;
        if (db_next(r) == 1) {
            owner = db_isnull(r, 0) ? 0 : db_int(r, 0);
            dept = db_isnull(r, 1) ? 0 : db_int(r, 1);
            const char *a = db_text(r, 2);
            if (a && strcmp(a, "{}") && strlen(a) < sizeof ob.text[0][0])
                addr = xstrdup(a);
        }
        db_done(r);
        /* time order: the i-th of count spread evenly, a little jitter */
        int64_t created = start_ms + (int64_t)((double)i * (double)(now_ms - start_ms) / (double)count) +
                          (int64_t)(rng() % 1000);
        int w = (int)(rng() % 100), s = 0;
        for (int acc = statuses[0].weight; w >= acc && s < NSTATUS - 1; acc += statuses[++s].weight)
            ;
        int n = 1 + (int)(rng() % (uint64_t)max_lines);
        for (int k = 0; k < n; k++) {
            prod[k] = (int)(rng() % (uint64_t)np);
            int64_t units = 1 + (int64_t)(rng() % 100);
            sl[k] = (SalesLine){.quantity = units * SALES_QTY_SCALE + (rng() % 10 == 0 ? (int64_t)(rng() % 1000) : 0),
                                .unit_price = products[prod[k]].price,
                                .discount_pct = (int64_t)(rng() % 4) * 500};
        }
        SalesTotals tot;
        long bad;
        if (sales_totals_compute(sl, (size_t)n, 1300, &tot, &bad))
            gx_die("bench-orders: totals of order %lld", (long long)i);
        char ts[64], date[16], stamp[64];
        time_format_ms(created, stamp);
        time_format_ms(created + 8 * 3600 * 1000, ts);
        snprintf(date, sizeof date, "%.10s", ts);
        int year = atoi(date);
        if (year < 1970 || year >= 2170)
            gx_die("bench-orders: year %d", year);
        int64_t no = ++seq[year - 1970];

        int k0 = ob.rows;
        DbVal *p = ob.p + (size_t)k0 * ORDER_COLS;
        snprintf(ob.text[k0][0], 512, "%s", stamp);
        snprintf(ob.text[k0][1], 512, "SO-%04d-%06lld", year, (long long)no);
        snprintf(ob.text[k0][2], 512, "%s", date);
        snprintf(ob.text[k0][3], 512, "%s", addr ? addr : "");
        DbVal who = owner ? dbv_int(owner) : dbv_null();
        p[0] = dbv_int(oid);
        p[1] = who;
        p[2] = dept ? dbv_int(dept) : dbv_null();
        p[3] = dbv_text(ob.text[k0][0]);
        p[4] = who;
        p[5] = dbv_text(ob.text[k0][0]);
        p[6] = who;
        p[7] = dbv_int(1);
        p[8] = dbv_text(ob.text[k0][1]);
        p[9] = dbv_int(cust);
        p[10] = dbv_text(ob.text[k0][2]);
        p[11] = dbv_text(statuses[s].status);
        p[12] = addr ? dbv_text(ob.text[k0][3]) : dbv_null();
        p[13] = dbv_int(1300);
        p[14] = dbv_int(tot.subtotal);
        p[15] = dbv_int(tot.discount_total);
        p[16] = dbv_int(tot.tax_total);
        p[17] = dbv_int(tot.total);
        p[18] = dbv_null();
        p[19] = dbv_null();
        if (++ob.rows == ROWS_PER_STMT)
            batch_flush(c.db, &ob);

        for (int k = 0; k < n; k++) {
            int j = lb.rows;
            DbVal *q = lb.p + (size_t)j * LINE_COLS;
            snprintf(lb.text[j][0], 512, "%s", stamp);
            q[0] = dbv_int(line_id++);
            q[1] = who;
            q[2] = dbv_text(lb.text[j][0]);
            q[3] = who;
            q[4] = dbv_text(lb.text[j][0]);
            q[5] = who;
            q[6] = dbv_int(1);
            q[7] = dbv_int(oid);
            q[8] = dbv_int(k + 1);
            q[9] = dbv_int(products[prod[k]].id);
            q[10] = dbv_text(products[prod[k]].name);
            q[11] = dbv_int(sl[k].quantity);
            q[12] = dbv_int(sl[k].unit_price);
            q[13] = dbv_int(sl[k].discount_pct);
            q[14] = dbv_int(sl[k].total);
            q[15] = dbv_int(statuses[s].delivered ? sl[k].quantity : 0);
            q[16] = dbv_int(0);
            if (++lb.rows == ROWS_PER_STMT)
                batch_flush(c.db, &lb);
        }
        nlines += n;
        if ((i + 1) % 100000 == 0) {
            printf("  … %lld orders, %lld lines, %.0f s\n", (long long)(i + 1), (long long)nlines, now_s() - t);
            fflush(stdout);
        }
    }
    batch_flush(c.db, &ob);
    batch_flush(c.db, &lb);
    free(addr);
    /* order numbers continue where the data left off */
    for (int y = 0; y < 200; y++) {
        if (!seq[y])
            continue;
        char key[64];
        snprintf(key, sizeof key, "orders.number:%04d", 1970 + y);
        DbVal p[] = {dbv_text(key), dbv_int(seq[y])};
        if (db_exec(c.db,
                    "INSERT INTO sequences(name, value) VALUES ($1, $2)"
                    " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    p, 2) != DB_OK)
            gx_die("bench-orders: sequences: %s", db_errmsg(c.db));
    }
    exec_or_die(c.db, "COMMIT");
    double load = now_s() - t;
    printf("  orders         %10lld rows\n  order lines    %10lld rows %7.1f s %9.0f rows/s\n", (long long)count,
           (long long)nlines, load, (double)(count + nlines) / load);
    t = now_s();
    for (int i = 0; i < nidx; i++) {
        exec_or_die(c.db, isql[i]);
        free(isql[i]);
    }
    printf("  indexes (%d)             %7.1f s\n", nidx, now_s() - t);
    t = now_s();
    /* the search rows fts_sync writes (orders: number only), each index then
     * merged into one segment: a bulk INSERT leaves segments of every size
     * on the low levels with a merge in progress, which the creates of a
     * benchmark would then finish in 256-page steps (100-400 ms each, every
     * 64 orders) — an index grown by single creates keeps its big segments
     * on the top level, where merges reach them rarely */
    exec_or_die(c.db, "BEGIN;"
                      " INSERT INTO orders_fts(rowid, body) SELECT id, coalesce(number,'') FROM orders;"
                      " INSERT INTO orders_fts2(rowid, body) SELECT id, gx_cjk_split(coalesce(number,'')) FROM orders;"
                      " INSERT INTO orders_fts(orders_fts) VALUES ('optimize');"
                      " INSERT INTO orders_fts2(orders_fts2) VALUES ('optimize');"
                      " COMMIT");
    printf("  search rows              %7.1f s\n", now_s() - t);
    t = now_s();
    json_t *out = NULL;
    if (customer_value_recompute(&c, true, &out))
        gx_die("bench-orders: customer value: %s", c.err_msg ? c.err_msg : "?");
    json_decref(out);
    printf("  customer value           %7.1f s\n", now_s() - t);
    t = now_s();
    exec_or_die(c.db, "ANALYZE orders; ANALYZE order_lines; ANALYZE products; ANALYZE customers; PRAGMA optimize;"
                      " PRAGMA journal_mode=WAL; PRAGMA wal_checkpoint(TRUNCATE)");
    printf("  ANALYZE, WAL             %7.1f s\n", now_s() - t);
    printf("done in %.1f s\n", now_s() - t0);
    for (int64_t i = 0; i < np; i++)
        free(products[i].name);
    free(products);
    batch_free(&ob);
    batch_free(&lb);
    ctx_done(&c);
    arena_free(&arena);
    db_close(dbh);
    meta_free();
    return 0;
}
