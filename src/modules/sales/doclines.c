/* doclines.c — the priced lines of quotes and orders: reading the API's
 * "lines" (defaults from the product and the customer type, every line
 * checked and named in errors), storing them with the totals computed by
 * totals.c, and loading them back as JSON. See docs.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../base/util.h"
#include "docs.h"

const DocKind sd_quotes = {"quotes", "quote_lines", false};
const DocKind sd_orders = {"orders", "order_lines", true};

const char *sd_msg(const Ctx *c, const char *zh, const char *en)
{
    return c->lang && !strcmp(c->lang, "en") ? en : zh;
}

void sd_today(char out[11])
{
    time_t now = time(NULL) + 8 * 3600; /* business dates are in UTC+8 */
    struct tm tm;
    gmtime_r(&now, &tm);
    char buf[32];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    memcpy(out, buf, 10);
    out[10] = 0;
}

static void line_error(Ctx *c, size_t i, const char *key, const char *msg)
{
    ctx_field(c, arena_printf(c->arena, "lines[%zu].%s", i, key), "%s", msg);
}

/* Coerce v with the lines entity's field `name` (decimal/percent scale,
 * money) into *out; a failure is reported as lines[i].name. */
static bool line_value(Ctx *c, size_t i, const char *name, json_t *v, int64_t *out)
{
    const Field *f = meta_field(meta_entity("quote_lines"), name);
    Ctx w = *c; /* a scratch context: the message is re-filed under lines[i] */
    w.err = GX_OK;
    w.err_fields = NULL;
    w.err_msg = NULL;
    DbVal dv;
    bool ok = f && meta_coerce(&w, f, v, &dv) && dv.type == DBV_INT;
    if (!ok) {
        const char *m = json_string_value(json_object_get(w.err_fields, name));
        line_error(c, i, name, m ? arena_strdup(c->arena, m) : "must be a number");
    } else {
        *out = dv.i;
    }
    json_decref(w.err_fields);
    return ok;
}

/* The customer type's discount (hundredths of a percent) for customer_id. */
static int64_t customer_discount(Ctx *c, int64_t customer_id)
{
    if (!customer_id)
        return 0;
    int64_t d = 0;
    bool found = false;
    DbVal p[] = {dbv_int(customer_id)};
    if (db_query_int(c->db,
                     "SELECT t.discount_rate FROM customers cu JOIN customer_types t ON t.id = cu.customer_type_id"
                     " WHERE cu.id = $1 AND t.deleted_at IS NULL",
                     p, 1, &d, &found) != DB_OK ||
        !found || d < 0 || d > SALES_PCT_FULL)
        return 0;
    return d;
}

/* A product as lines need it. */
typedef struct Product {
    int64_t id;       /* 0: not found */
    const char *name; /* arena */
    int64_t price;    /* fen */
    bool active;
} Product;

/* Load the products the lines name (one query). */
static GxErr load_products(Ctx *c, json_t *lines, Product **out, size_t *nout)
{
    size_t n = json_array_size(lines), k = 0;
    Product *ps = arena_calloc(c->arena, n ? n : 1, sizeof *ps);
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT id, name, price, active FROM products WHERE deleted_at IS NULL AND id IN (");
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        json_t *pid = json_object_get(l, "product_id");
        if (!json_is_integer(pid) || json_integer_value(pid) <= 0)
            continue;
        sql_raw(&q, k ? ", " : "");
        sql_param(&q, dbv_int(json_integer_value(pid)));
        k++;
    }
    *out = ps;
    *nout = 0;
    if (!k)
        return GX_OK;
    sql_raw(&q, ")");
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the products");
    size_t m = 0;
    int s;
    while ((s = db_next(r)) == 1 && m < n) {
        ps[m].id = db_int(r, 0);
        ps[m].name = arena_strdup(c->arena, db_text(r, 1) ? db_text(r, 1) : "");
        ps[m].price = db_isnull(r, 2) ? 0 : db_int(r, 2);
        ps[m].active = db_isnull(r, 3) || db_int(r, 3) != 0;
        m++;
    }
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read the products");
    *nout = m;
    return GX_OK;
}

static const Product *find_product(const Product *ps, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ps[i].id == id)
            return &ps[i];
    return NULL;
}

GxErr sd_lines_parse(Ctx *c, json_t *lines, int64_t customer_id, bool allow_inactive, DocLine **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!json_is_array(lines)) {
        ctx_field(c, "lines", "%s", sd_msg(c, "必须是明细行的列表", "must be a list of line items"));
        return c->err;
    }
    size_t count = json_array_size(lines);
    if (count == 0) {
        ctx_field(c, "lines", "%s", sd_msg(c, "至少需要一行明细", "at least one line is required"));
        return c->err;
    }
    if (count > SALES_MAX_LINES) {
        ctx_field(c, "lines", "%s (%d)", sd_msg(c, "明细行太多", "has too many lines"), SALES_MAX_LINES);
        return c->err;
    }
    if (acl_scope(c, meta_entity("products"), ACT_READ) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not read products");
    Product *ps;
    size_t nps;
    GxErr rc = load_products(c, lines, &ps, &nps);
    if (rc)
        return rc;
    int64_t default_discount = customer_discount(c, customer_id);
    DocLine *dl = arena_calloc(c->arena, count, sizeof *dl);
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        DocLine *d = &dl[i];
        if (!json_is_object(l)) {
            line_error(c, i, "product_id", sd_msg(c, "每行必须是一个对象", "each line must be an object"));
            continue;
        }
        const char *k;
        json_t *v;
        json_object_foreach(l, k, v)
        {
            static const char *known[] = {"product_id", "description", "quantity", "unit_price", "discount_pct",
                                          "id", "position", "line_total", "delivered_qty", "returned_qty", NULL};
            bool ok = false;
            for (int j = 0; known[j]; j++)
                ok |= !strcmp(known[j], k);
            if (!ok)
                line_error(c, i, k, sd_msg(c, "不是明细行的字段", "is not a field of a line"));
        }
        json_t *pid = json_object_get(l, "product_id");
        const Product *p = NULL;
        if (pid && !json_is_null(pid)) {
            if (!json_is_integer(pid) || json_integer_value(pid) <= 0) {
                line_error(c, i, "product_id", sd_msg(c, "必须是产品编号", "must be a product id"));
                continue;
            }
            p = find_product(ps, nps, json_integer_value(pid));
            if (!p) {
                line_error(c, i, "product_id", sd_msg(c, "没有这个产品", "no such product"));
                continue;
            }
            if (!p->active && !allow_inactive) {
                line_error(c, i, "product_id",
                           sd_msg(c, "该产品已下架,不能加入新的明细", "this product is inactive and cannot be put on new lines"));
                continue;
            }
            d->product_id = p->id;
        }
        json_t *desc = json_object_get(l, "description");
        if (desc && !json_is_null(desc) && !json_is_string(desc)) {
            line_error(c, i, "description", sd_msg(c, "必须是文字", "must be text"));
            continue;
        }
        const char *text = json_string_value(desc);
        if (text && utf8_len(text) > 500) {
            line_error(c, i, "description", sd_msg(c, "太长(最多 500 字)", "is too long (at most 500 characters)"));
            continue;
        }
        if (!text || !*text)
            text = p ? p->name : NULL;
        if (!text) {
            line_error(c, i, "product_id",
                       sd_msg(c, "请选择产品或填写描述", "is required (or a description for a line without a product)"));
            continue;
        }
        d->description = arena_strdup(c->arena, text);
        json_t *q = json_object_get(l, "quantity");
        if (!q || json_is_null(q)) {
            line_error(c, i, "quantity", sd_msg(c, "必填", "is required"));
            continue;
        }
        if (!line_value(c, i, "quantity", q, &d->s.quantity))
            continue;
        json_t *up = json_object_get(l, "unit_price");
        if (up && !json_is_null(up)) {
            if (!line_value(c, i, "unit_price", up, &d->s.unit_price))
                continue;
        } else if (p) {
            d->s.unit_price = p->price;
        } else {
            line_error(c, i, "unit_price", sd_msg(c, "没有产品的明细必须填写单价", "is required for a line without a product"));
            continue;
        }
        json_t *dp = json_object_get(l, "discount_pct");
        if (dp && !json_is_null(dp)) {
            if (!line_value(c, i, "discount_pct", dp, &d->s.discount_pct))
                continue;
        } else {
            d->s.discount_pct = default_discount;
        }
        SalesTotalsErr e = sales_line_compute(&d->s);
        if (e == SALES_EQUANTITY)
            line_error(c, i, "quantity", sd_msg(c, "必须大于 0", "must be greater than 0"));
        else if (e == SALES_EPRICE)
            line_error(c, i, "unit_price", sd_msg(c, "不能为负数", "must not be negative"));
        else if (e == SALES_EDISCOUNT)
            line_error(c, i, "discount_pct", sd_msg(c, "必须在 0 到 100 之间", "must be between 0 and 100"));
        else if (e == SALES_EOVERFLOW)
            line_error(c, i, "quantity", sd_msg(c, "金额太大,无法计算", "the amount is too large to compute"));
    }
    if (c->err)
        return c->err;
    *out = dl;
    *n = count;
    return GX_OK;
}

json_t *sd_lines_to_input(const DocLine *l, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:I, s:s, s:I, s:I, s:I}", "p", (json_int_t)l[i].product_id, "t",
                                           l[i].description, "q", (json_int_t)l[i].s.quantity, "u",
                                           (json_int_t)l[i].s.unit_price, "d", (json_int_t)l[i].s.discount_pct));
    return json_pack("{s:o}", "canonical", a);
}

bool sd_lines_from_input(Ctx *c, json_t *in, DocLine **out, size_t *n)
{
    json_t *a = json_object_get(json_object_get(in, "lines"), "canonical");
    *out = NULL;
    *n = 0;
    if (!json_is_array(a))
        return false;
    size_t count = json_array_size(a);
    DocLine *dl = arena_calloc(c->arena, count ? count : 1, sizeof *dl);
    size_t i;
    json_t *o;
    json_array_foreach(a, i, o)
    {
        dl[i].product_id = json_integer_value(json_object_get(o, "p"));
        dl[i].description = arena_strdup(c->arena, json_string_value(json_object_get(o, "t")));
        dl[i].s.quantity = json_integer_value(json_object_get(o, "q"));
        dl[i].s.unit_price = json_integer_value(json_object_get(o, "u"));
        dl[i].s.discount_pct = json_integer_value(json_object_get(o, "d"));
    }
    *out = dl;
    *n = count;
    return true;
}

/* The stored tax rate of a document (hundredths of a percent). */
static GxErr doc_tax_rate(Ctx *c, const DocKind *k, int64_t id, int64_t *rate)
{
    bool found = false;
    DbVal p[] = {dbv_int(id)};
    const char *sql = k->delivery ? "SELECT tax_rate_pct FROM orders WHERE id = $1"
                                  : "SELECT tax_rate_pct FROM quotes WHERE id = $1";
    *rate = 0;
    if (db_query_int(c->db, sql, p, 1, rate, &found) != DB_OK || !found)
        return ctx_fail(c, GX_EDB, "cannot read the tax rate of %s %lld", k->entity, (long long)id);
    return GX_OK;
}

static json_t *scaled(int64_t v, int64_t scale);

/* Compute and store the totals of the lines on document id; into rec too. */
static GxErr store_totals(Ctx *c, const DocKind *k, int64_t id, DocLine *l, size_t n, json_t *rec)
{
    int64_t rate;
    GxErr rc = doc_tax_rate(c, k, id, &rate);
    if (rc)
        return rc;
    SalesLine *sl = arena_calloc(c->arena, n ? n : 1, sizeof *sl);
    for (size_t i = 0; i < n; i++)
        sl[i] = l[i].s;
    SalesTotals t;
    long bad;
    SalesTotalsErr e = sales_totals_compute(sl, n, rate, &t, &bad);
    if (e) {
        if (bad >= 0)
            line_error(c, (size_t)bad, sales_totals_err_field(e), sales_totals_err_text(e));
        else if (e == SALES_ETAX)
            ctx_field(c, "tax_rate_pct", "%s", sd_msg(c, "必须在 0 到 100 之间", "must be between 0 and 100"));
        else
            ctx_field(c, "lines", "%s", sd_msg(c, "合计金额太大,无法计算", "add up to too large an amount"));
        return c->err;
    }
    for (size_t i = 0; i < n; i++)
        l[i].s = sl[i];
    DbVal p[] = {dbv_int(t.subtotal), dbv_int(t.discount_total), dbv_int(t.tax_total), dbv_int(t.total), dbv_int(id)};
    const char *sql = k->delivery
                          ? "UPDATE orders SET subtotal = $1, discount_total = $2, tax_total = $3, total = $4 WHERE id = $5"
                          : "UPDATE quotes SET subtotal = $1, discount_total = $2, tax_total = $3, total = $4 WHERE id = $5";
    if (db_exec(c->db, sql, p, 5) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot store the totals of %s %lld", k->entity, (long long)id);
    if (rec) {
        json_object_set_new(rec, "subtotal", json_integer(t.subtotal));
        json_object_set_new(rec, "discount_total", json_integer(t.discount_total));
        json_object_set_new(rec, "tax_total", json_integer(t.tax_total));
        json_object_set_new(rec, "total", json_integer(t.total));
    }
    return GX_OK;
}

GxErr sd_lines_store(Ctx *c, const DocKind *k, int64_t id, DocLine *l, size_t n, json_t *rec)
{
    GxErr rc = store_totals(c, k, id, l, n, rec);
    if (rc)
        return rc;
    DbVal pd[] = {dbv_int(id)};
    if (db_exec(c->db,
                /* "deleted_at IS NULL": the only index on the document's id is partial
                 * (order_id, position, id) WHERE deleted_at IS NULL; without it SQLite
                 * scans the whole table (10,000,000 lines: seconds per order) */
                k->delivery ? "DELETE FROM order_lines WHERE order_id = $1 AND deleted_at IS NULL"
                            : "DELETE FROM quote_lines WHERE quote_id = $1 AND deleted_at IS NULL",
                pd, 1) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot replace the lines");
    if (!n) {
        if (rec)
            json_object_set_new(rec, "lines", json_array());
        return GX_OK;
    }
    /* One multi-row INSERT for all the lines: a statement per line cost
     * ~90 k instructions each (callgrind: statement journal, halt, index
     * seeks), the rows themselves far less. RETURNING's row order is not
     * defined (SQLite, PostgreSQL), so each id comes with its position. */
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, k->delivery ? "INSERT INTO order_lines(created_at, created_by, updated_at, updated_by, version, owner_id,"
                              " order_id, position, product_id, description, quantity, unit_price, discount_pct,"
                              " line_total, delivered_qty, returned_qty) VALUES "
                            : "INSERT INTO quote_lines(created_at, created_by, updated_at, updated_by, version, owner_id,"
                              " quote_id, position, product_id, description, quantity, unit_price, discount_pct,"
                              " line_total) VALUES ");
    sql_bind(&q, dbv_text(record_now(c)));                       /* $1 */
    sql_bind(&q, c->who ? dbv_int(c->who->user_id) : dbv_null()); /* $2 */
    sql_bind(&q, dbv_int(id));                                   /* $3 */
    for (size_t i = 0; i < n; i++) {
        sql_raw(&q, i ? ", ($1, $2, $1, $2, 1, $2, $3, " : "($1, $2, $1, $2, 1, $2, $3, ");
        sql_param(&q, dbv_int((int64_t)i + 1));
        sql_raw(&q, ", ");
        sql_param(&q, l[i].product_id ? dbv_int(l[i].product_id) : dbv_null());
        sql_raw(&q, ", ");
        sql_param(&q, dbv_text(l[i].description));
        sql_raw(&q, ", ");
        sql_param(&q, dbv_int(l[i].s.quantity));
        sql_raw(&q, ", ");
        sql_param(&q, dbv_int(l[i].s.unit_price));
        sql_raw(&q, ", ");
        sql_param(&q, dbv_int(l[i].s.discount_pct));
        sql_raw(&q, ", ");
        sql_param(&q, dbv_int(l[i].s.total));
        sql_raw(&q, k->delivery ? ", 0, 0)" : ")");
    }
    sql_raw(&q, " RETURNING id, position");
    int64_t *ids = arena_calloc(c->arena, n, sizeof *ids);
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot store the lines");
    size_t got = 0;
    int s;
    while ((s = db_next(r)) == 1) {
        int64_t pos = db_int(r, 1);
        if (pos >= 1 && (size_t)pos <= n && !ids[pos - 1]) {
            ids[pos - 1] = db_int(r, 0);
            got++;
        }
    }
    db_done(r);
    if (s < 0 || got != n)
        return ctx_fail(c, GX_EDB, "cannot store the lines");
    if (!rec)
        return GX_OK;
    /* the answer's lines are built from what was stored, without reading it back */
    json_t *lines = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:I, s:I, s:o, s:s, s:o, s:I, s:o, s:I}", "id", (json_int_t)ids[i], "position",
                              (json_int_t)i + 1, "product_id",
                              l[i].product_id ? json_integer(l[i].product_id) : json_null(), "description",
                              l[i].description, "quantity", scaled(l[i].s.quantity, SALES_QTY_SCALE), "unit_price",
                              (json_int_t)l[i].s.unit_price, "discount_pct", scaled(l[i].s.discount_pct, 100),
                              "line_total", (json_int_t)l[i].s.total);
        if (k->delivery) {
            json_object_set_new(o, "delivered_qty", json_real(0));
            json_object_set_new(o, "returned_qty", json_real(0));
        }
        json_array_append_new(lines, o);
    }
    if (lines)
        json_object_set_new(rec, "lines", lines);
    return GX_OK;
}

GxErr sd_totals_refresh(Ctx *c, const DocKind *k, int64_t id, json_t *rec)
{
    DbVal p[] = {dbv_int(id)};
    DbRes *r;
    const char *sql = k->delivery
                          ? "SELECT quantity, unit_price, discount_pct FROM order_lines WHERE order_id = $1 AND "
                            "deleted_at IS NULL ORDER BY position"
                          : "SELECT quantity, unit_price, discount_pct FROM quote_lines WHERE quote_id = $1 AND "
                            "deleted_at IS NULL ORDER BY position";
    if (db_query(c->db, sql, p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the lines");
    size_t n = 0, cap = 16;
    DocLine *l = arena_calloc(c->arena, cap, sizeof *l);
    int s;
    while ((s = db_next(r)) == 1) {
        if (n == cap) {
            DocLine *bigger = arena_calloc(c->arena, cap * 2, sizeof *l);
            memcpy(bigger, l, cap * sizeof *l);
            l = bigger;
            cap *= 2;
        }
        l[n].s = (SalesLine){.quantity = db_int(r, 0), .unit_price = db_int(r, 1), .discount_pct = db_int(r, 2)};
        n++;
    }
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read the lines");
    return store_totals(c, k, id, l, n, rec);
}

/* Scaled integer as a JSON number (quantities, percentages). */
static json_t *scaled(int64_t v, int64_t scale)
{
    /* IEEE division rounds correctly: the nearest double to v / scale, the
     * same as parsing its decimal text */
    return json_real((double)v / (double)scale);
}

bool sd_scaled_equal(json_t *v, int64_t want, int64_t scale)
{
    json_t *w = scaled(want, scale);
    bool same = json_is_number(v) && json_number_value(v) == json_real_value(w);
    json_decref(w);
    return same;
}

GxErr sd_lines_load(Ctx *c, const DocKind *k, int64_t id, json_t **out)
{
    *out = NULL;
    DbVal p[] = {dbv_int(id)};
    DbRes *r;
    const char *sql = k->delivery ? "SELECT id, position, product_id, description, quantity, unit_price, discount_pct,"
                                    " line_total, delivered_qty, returned_qty FROM order_lines WHERE order_id = $1"
                                    " AND deleted_at IS NULL ORDER BY position"
                                  : "SELECT id, position, product_id, description, quantity, unit_price, discount_pct,"
                                    " line_total FROM quote_lines WHERE quote_id = $1 AND deleted_at IS NULL"
                                    " ORDER BY position";
    if (db_query(c->db, sql, p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the lines");
    json_t *a = json_array();
    int s;
    while ((s = db_next(r)) == 1) {
        json_t *o = json_pack("{s:I, s:I, s:o, s:s, s:o, s:I, s:o, s:I}", "id", (json_int_t)db_int(r, 0), "position",
                              (json_int_t)db_int(r, 1), "product_id",
                              db_isnull(r, 2) ? json_null() : json_integer(db_int(r, 2)), "description",
                              db_text(r, 3) ? db_text(r, 3) : "", "quantity", scaled(db_int(r, 4), SALES_QTY_SCALE),
                              "unit_price", (json_int_t)db_int(r, 5), "discount_pct", scaled(db_int(r, 6), 100),
                              "line_total", (json_int_t)db_int(r, 7));
        if (k->delivery) {
            json_object_set_new(o, "delivered_qty", scaled(db_isnull(r, 8) ? 0 : db_int(r, 8), SALES_QTY_SCALE));
            json_object_set_new(o, "returned_qty", scaled(db_isnull(r, 9) ? 0 : db_int(r, 9), SALES_QTY_SCALE));
        }
        json_array_append_new(a, o);
    }
    db_done(r);
    if (s < 0) {
        json_decref(a);
        return ctx_fail(c, GX_EDB, "cannot read the lines");
    }
    *out = a;
    return GX_OK;
}

GxErr sd_customer_check(Ctx *c, json_t *in, int64_t *customer_id)
{
    *customer_id = 0;
    json_t *v = json_object_get(in, "customer_id");
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return GX_OK; /* missing or malformed: the engine says so */
    int64_t id = json_integer_value(v);
    if (c->elevated || !c->who) {
        *customer_id = id;
        return GX_OK;
    }
    /* visible = live and inside the user's read scope: the predicate
     * record_get applies, without reading the record and its computed values */
    const Entity *ce = meta_entity("customers");
    if (acl_scope(c, ce, ACT_READ) == SCOPE_NONE)
        return ctx_fail(c, GX_ENOTFOUND, "No such customer");
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT count(*) FROM customers WHERE deleted_at IS NULL AND id = ");
    sql_param(&q, dbv_int(id));
    acl_scope_predicate(c, ce, ACT_READ, &q);
    int64_t seen = 0;
    bool found = false;
    if (db_query_int(c->db, q.text.data, q.params, q.n, &seen, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the customer");
    bool visible = found && seen == 1;
    if (!visible) {
        ctx_fail(c, GX_ENOTFOUND, "%s",
                 sd_msg(c, "没有这个客户(不存在或不在您的范围内)", "No such customer (it does not exist or is outside your scope)"));
        if (!c->err_fields)
            c->err_fields = json_object();
        json_object_set_new(c->err_fields, "customer_id", json_string(sd_msg(c, "没有这个客户", "no such customer")));
        return GX_ENOTFOUND;
    }
    *customer_id = id;
    return GX_OK;
}

GxErr sd_status_logged(Ctx *c, const char *entity, int64_t id, const char *from, const char *to)
{
    json_t *diff = json_pack("{s:[s, s]}", "status", from, to);
    GxErr rc = audit_write(c, "update", entity, id, diff);
    json_decref(diff);
    if (rc)
        return rc;
    json_t *ov = json_string(from), *nv = json_string(to);
    rc = record_revision(c, entity, id, "status", ov, nv, NULL);
    json_decref(ov);
    json_decref(nv);
    return rc;
}

GxErr sales_lines_preview(Ctx *c, json_t *lines, int64_t customer_id, int64_t tax_rate_pct, json_t **out)
{
    *out = NULL;
    DocLine *l;
    size_t n;
    GxErr rc = sd_lines_parse(c, lines, customer_id, false, &l, &n);
    if (rc)
        return rc;
    SalesLine *sl = arena_calloc(c->arena, n, sizeof *sl);
    for (size_t i = 0; i < n; i++)
        sl[i] = l[i].s;
    SalesTotals t;
    long bad;
    SalesTotalsErr e = sales_totals_compute(sl, n, tax_rate_pct, &t, &bad);
    if (e) {
        if (e == SALES_ETAX)
            ctx_field(c, "tax_rate_pct", "%s", sd_msg(c, "必须在 0 到 100 之间", "must be between 0 and 100"));
        else
            ctx_field(c, "lines", "%s", sd_msg(c, "合计金额太大,无法计算", "add up to too large an amount"));
        return c->err;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            a, json_pack("{s:o, s:s, s:o, s:I, s:o, s:I}", "product_id",
                         l[i].product_id ? json_integer(l[i].product_id) : json_null(), "description", l[i].description,
                         "quantity", scaled(sl[i].quantity, SALES_QTY_SCALE), "unit_price", (json_int_t)sl[i].unit_price,
                         "discount_pct", scaled(sl[i].discount_pct, 100), "line_total", (json_int_t)sl[i].total));
    *out = json_pack("{s:o, s:I, s:I, s:I, s:I}", "lines", a, "subtotal", (json_int_t)t.subtotal, "discount_total",
                     (json_int_t)t.discount_total, "tax_total", (json_int_t)t.tax_total, "total", (json_int_t)t.total);
    return GX_OK;
}
