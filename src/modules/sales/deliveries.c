/* deliveries.c — deliveries (发货) and returns (退货) of an order's lines.
 *
 * Both are record-engine entities with a nested "lines" array
 * [{order_line_id, quantity}] stored in delivery_lines / return_lines:
 *
 *   a delivery ships part or all of what is left of an approved order:
 *     quantity ≤ ordered − delivered, else 422 naming lines[i].quantity;
 *     order_lines.delivered_qty grows; when every line is fully delivered
 *     the order moves to "delivered" (same transaction).
 *   a return takes back delivered goods: quantity ≤ delivered − returned;
 *     order_lines.returned_qty grows; it credits the customer credit_amount
 *     (tax included, see schema/returns.json) which the money area's
 *     balance subtracts; when everything delivered has come back the order
 *     moves to "returned" (when its status allows it).
 *
 * The before-create hook checks the request (order visible and editable,
 * status, lines) without a transaction; the after-create hook, inside the
 * engine's transaction, locks the order, checks the quantities again
 * against the stored ones, and writes. Deliveries and returns are not
 * edited in their lines or order, nor deleted (a mistake is corrected by a
 * return, or by an administrator in the database). */
#include <math.h>
#include <string.h>

#include "../../acl/acl.h"
#include "../../base/util.h"
#include "../../record/record.h"
#include "sales.h"

/* One of the two kinds. */
typedef struct MoveKind {
    const char *entity;      /* "deliveries" / "returns" */
    const char *lines_table; /* "delivery_lines" / "return_lines" */
    const char *parent_col;  /* "delivery_id" / "return_id" */
    const char *date_field;  /* "shipped_on" / "returned_on" */
    bool is_return;
} MoveKind;

static const MoveKind k_deliveries = {"deliveries", "delivery_lines", "delivery_id", "shipped_on", false};
static const MoveKind k_returns = {"returns", "return_lines", "return_id", "returned_on", true};

/* A line of an order as stored. */
typedef struct OrderLine {
    int64_t id, product_id;
    const char *description;
    int64_t quantity, delivered, returned; /* thousandths */
    int64_t line_total;                    /* fen, tax excluded */
} OrderLine;

/* A requested line. */
typedef struct MoveLine {
    int64_t order_line_id;
    int64_t quantity; /* thousandths */
} MoveLine;

static const char *mmsg(const Ctx *c, const char *zh, const char *en)
{
    return c->lang && !strcmp(c->lang, "en") ? en : zh;
}

static void line_error(Ctx *c, size_t i, const char *key, const char *msg)
{
    ctx_field(c, arena_printf(c->arena, "lines[%zu].%s", i, key), "%s", msg);
}

/* Thousandths as a decimal text: 2500 → "2.5". Arena. */
static const char *qty_text(Ctx *c, int64_t q)
{
    const char *s = arena_printf(c->arena, "%lld.%03lld", (long long)(q / 1000), (long long)(q % 1000));
    char *t = arena_strdup(c->arena, s);
    size_t n = strlen(t);
    while (n > 0 && t[n - 1] == '0')
        t[--n] = 0;
    if (n > 0 && t[n - 1] == '.')
        t[--n] = 0;
    return t;
}

/* A JSON quantity (number, > 0, at most 3 decimals) in thousandths. */
static bool parse_qty(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i <= 0 || i > INT64_C(1000000000000))
            return false;
        *out = (int64_t)i * 1000;
        return true;
    }
    if (!json_is_real(v))
        return false;
    double d = json_real_value(v);
    if (!(d > 0) || d > 1e12)
        return false;
    double scaled = d * 1000.0;
    double r = floor(scaled + 0.5);
    if (fabs(scaled - r) > 1e-6 || r < 1)
        return false;
    *out = (int64_t)r;
    return true;
}

/* The lines of order id (at most 200). lock: PostgreSQL row locks. */
static GxErr order_lines_load(Ctx *c, int64_t order_id, bool lock, OrderLine **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    DbVal p[] = {dbv_int(order_id)};
    DbRes *r;
    const char *sql = lock && db_dialect(c->db) == DB_PG
                          ? "SELECT id, product_id, description, quantity, delivered_qty, returned_qty, line_total FROM"
                            " order_lines WHERE order_id = $1 AND deleted_at IS NULL ORDER BY position, id FOR UPDATE"
                          : "SELECT id, product_id, description, quantity, delivered_qty, returned_qty, line_total FROM"
                            " order_lines WHERE order_id = $1 AND deleted_at IS NULL ORDER BY position, id";
    if (db_query(c->db, sql, p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the order's lines");
    OrderLine *l = arena_alloc(c->arena, sizeof *l * (SALES_MAX_LINES + 1));
    size_t k = 0;
    while (k <= SALES_MAX_LINES && db_next(r) == 1) {
        l[k].id = db_int(r, 0);
        l[k].product_id = db_isnull(r, 1) ? 0 : db_int(r, 1);
        l[k].description = arena_strdup(c->arena, db_text(r, 2) ? db_text(r, 2) : "");
        l[k].quantity = db_isnull(r, 3) ? 0 : db_int(r, 3);
        l[k].delivered = db_isnull(r, 4) ? 0 : db_int(r, 4);
        l[k].returned = db_isnull(r, 5) ? 0 : db_int(r, 5);
        l[k].line_total = db_isnull(r, 6) ? 0 : db_int(r, 6);
        k++;
    }
    db_done(r);
    *out = l;
    *n = k;
    return GX_OK;
}

static OrderLine *find_line(OrderLine *l, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (l[i].id == id)
            return &l[i];
    return NULL;
}

/* What may still move on a line: to deliver (ordered − delivered) or to
 * return (delivered − returned). */
static int64_t room(const MoveKind *k, const OrderLine *ol)
{
    return k->is_return ? ol->delivered - ol->returned : ol->quantity - ol->delivered;
}

/* Check the requested lines against the order's stored lines; errors name
 * lines[i].field (422). */
static GxErr check_lines(Ctx *c, const MoveKind *k, int64_t order_id, MoveLine *ml, size_t n, OrderLine *ol, size_t noll)
{
    for (size_t i = 0; i < n; i++) {
        OrderLine *o = find_line(ol, noll, ml[i].order_line_id);
        if (!o) {
            line_error(c, i, "order_line_id",
                       arena_printf(c->arena, mmsg(c, "不是订单 %lld 的明细", "is not a line of order %lld"),
                                    (long long)order_id));
            continue;
        }
        int64_t left = room(k, o);
        if (ml[i].quantity > left)
            line_error(c, i, "quantity",
                       arena_printf(c->arena,
                                    k->is_return ? mmsg(c, "最多可退 %s(已发货 %s,已退 %s)",
                                                        "at most %s can be returned (delivered %s, returned %s)")
                                                 : mmsg(c, "最多可发 %s(订购 %s,已发 %s)",
                                                        "at most %s is left to deliver (ordered %s, delivered %s)"),
                                    qty_text(c, left), qty_text(c, k->is_return ? o->delivered : o->quantity),
                                    qty_text(c, k->is_return ? o->returned : o->delivered)));
    }
    return c->err;
}

/* Parse the request's lines: a non-empty array of {order_line_id,
 * quantity}, each line once. Errors name lines[i].field. */
static GxErr parse_lines(Ctx *c, json_t *lines, MoveLine **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!json_is_array(lines) || json_array_size(lines) == 0) {
        ctx_field(c, "lines", "%s", mmsg(c, "至少需要一行明细", "at least one line is required"));
        return c->err;
    }
    if (json_array_size(lines) > SALES_MAX_LINES) {
        ctx_field(c, "lines", "has more than %d lines", SALES_MAX_LINES);
        return c->err;
    }
    size_t cnt = json_array_size(lines);
    MoveLine *ml = arena_alloc(c->arena, sizeof *ml * cnt);
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        ml[i] = (MoveLine){0};
        if (!json_is_object(l)) {
            line_error(c, i, "order_line_id", mmsg(c, "必须是对象", "must be an object"));
            continue;
        }
        json_t *id = json_object_get(l, "order_line_id");
        if (!json_is_integer(id) || json_integer_value(id) <= 0) {
            line_error(c, i, "order_line_id", mmsg(c, "请选择订单明细", "is required (an order line id)"));
            continue;
        }
        ml[i].order_line_id = json_integer_value(id);
        for (size_t j = 0; j < i; j++)
            if (ml[j].order_line_id == ml[i].order_line_id)
                line_error(c, i, "order_line_id", mmsg(c, "同一明细出现了两次", "appears twice"));
        if (!parse_qty(json_object_get(l, "quantity"), &ml[i].quantity))
            line_error(c, i, "quantity",
                       mmsg(c, "必须是大于 0 的数量(最多 3 位小数)", "must be a number above 0 with at most 3 decimals"));
    }
    *out = ml;
    *n = cnt;
    return c->err;
}

/* The order of the request, checked: visible (404), editable (403), in a
 * status that allows the kind (409). *order is a new reference. */
static GxErr order_check(Ctx *c, const MoveKind *k, int64_t order_id, json_t **order)
{
    *order = NULL;
    const Entity *oe = meta_entity("orders");
    json_t *o;
    GxErr rc = record_get(c, oe, order_id, &o);
    if (rc) {
        if (rc == GX_ENOTFOUND) {
            ctx_clear(c);
            ctx_fail(c, GX_ENOTFOUND, "%s", mmsg(c, "没有这个订单", "No such order"));
            if (!c->err_fields)
                c->err_fields = json_object();
            json_object_set_new(c->err_fields, "order_id", json_string("does not exist"));
        }
        return c->err;
    }
    if (!c->elevated && !acl_row_in_scope(c, oe, ACT_EDIT, json_integer_value(json_object_get(o, "owner_id")),
                                          json_integer_value(json_object_get(o, "department_id")))) {
        json_decref(o);
        return ctx_fail(c, GX_EDENIED, "%s", mmsg(c, "你不能修改这个订单", "You may not change this order"));
    }
    const char *st = json_string_value(json_object_get(o, "status"));
    bool ok = st && (k->is_return ? (!strcmp(st, "approved") || !strcmp(st, "delivered") || !strcmp(st, "invoiced") ||
                                     !strcmp(st, "closed"))
                                  : !strcmp(st, "approved"));
    if (!ok) {
        ctx_fail(c, GX_ECONFLICT, "%s (%s)",
                 k->is_return ? mmsg(c, "只能对已发货的订单退货", "Only an order with deliveries can take returns")
                              : mmsg(c, "只有已审核且未发完货的订单可以发货",
                                     "Only an approved order that is not fully delivered can be delivered"),
                 st ? st : "?");
        c->err_code = "order_status";
        json_decref(o);
        return c->err;
    }
    *order = o;
    return GX_OK;
}

static GxErr move_before_create(Ctx *c, HookArgs *a, const MoveKind *k)
{
    json_t *in = a->input;
    json_t *oid = json_object_get(in, "order_id");
    if (!json_is_integer(oid) || json_integer_value(oid) <= 0) {
        ctx_field(c, "order_id", "%s", mmsg(c, "请选择订单", "is required (an order id)"));
        return c->err;
    }
    MoveLine *ml;
    size_t n;
    if (parse_lines(c, json_object_get(in, "lines"), &ml, &n))
        return c->err;
    json_t *order;
    GxErr rc = order_check(c, k, json_integer_value(oid), &order);
    if (rc)
        return rc;
    json_decref(order);
    OrderLine *ol;
    size_t noll;
    if ((rc = order_lines_load(c, json_integer_value(oid), false, &ol, &noll)))
        return rc;
    if ((rc = check_lines(c, k, json_integer_value(oid), ml, n, ol, noll)))
        return rc;
    json_t *canon = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(canon, json_pack("{s:I, s:I}", "order_line_id", (json_int_t)ml[i].order_line_id,
                                               "quantity", (json_int_t)ml[i].quantity));
    json_object_set_new(in, "lines", canon);
    json_t *d = json_object_get(in, k->date_field);
    if (!d || json_is_null(d)) {
        char now[64];
        time_format_s(time_now_ms() / 1000 + 8 * 3600, now); /* the company's day (UTC+8) */
        now[10] = 0;
        json_object_set_new(in, k->date_field, json_string(now));
    }
    return GX_OK;
}

/* Credit of a line's cumulative returned quantity (fen, tax excluded). */
static GxErr line_credit(Ctx *c, const OrderLine *o, int64_t returned, int64_t *out)
{
    if (o->quantity <= 0) {
        *out = 0;
        return GX_OK;
    }
    if (!sales_div_half_up((__int128)returned * o->line_total, o->quantity, out))
        return ctx_fail(c, GX_EINVALID, "the credit does not fit");
    return GX_OK;
}

/* The lines of record id as JSON (with description, product_id and, for
 * returns, credit). New reference. */
static GxErr move_lines_json(Ctx *c, const MoveKind *k, int64_t id, json_t **out)
{
    *out = json_array();
    const char *sql = arena_printf(c->arena,
                                   "SELECT id, order_line_id, product_id, description, quantity%s FROM %s WHERE %s = $1"
                                   " ORDER BY id",
                                   k->is_return ? ", credit" : "", k->lines_table,
                                   k->parent_col); /* sql-ok: literal names of the two kinds */
    DbVal p[] = {dbv_int(id)};
    DbRes *r;
    if (db_query(c->db, sql, p, 1, &r) != DB_OK) {
        json_decref(*out);
        *out = NULL;
        return ctx_fail(c, GX_EDB, "cannot read the lines");
    }
    while (db_next(r) == 1) {
        json_t *l = json_pack("{s:I, s:I, s:o, s:s, s:f}", "id", (json_int_t)db_int(r, 0), "order_line_id",
                              (json_int_t)db_int(r, 1), "product_id",
                              db_isnull(r, 2) ? json_null() : json_integer(db_int(r, 2)), "description",
                              db_text(r, 3) ? db_text(r, 3) : "", "quantity", (double)db_int(r, 4) / 1000.0);
        if (k->is_return)
            json_object_set_new(l, "credit", json_integer(db_isnull(r, 5) ? 0 : db_int(r, 5)));
        json_array_append_new(*out, l);
    }
    db_done(r);
    return GX_OK;
}

/* Move the order on when every line is done: delivered (deliveries) or
 * returned (returns). Inside the caller's transaction. */
static GxErr maybe_transition(Ctx *c, const MoveKind *k, int64_t order_id, const char *status, const OrderLine *ol,
                              size_t n)
{
    bool done = n > 0;
    for (size_t i = 0; i < n && done; i++)
        done = k->is_return ? ol[i].returned >= ol[i].delivered : ol[i].delivered >= ol[i].quantity;
    if (!done)
        return GX_OK;
    const char *to = k->is_return ? "returned" : "delivered";
    if (!sales_order_transition_allowed(status, to))
        return GX_OK;
    Ctx w = *c;
    w.elevated = true;
    w.err_fields = NULL;
    json_t *out = NULL;
    GxErr rc = sales_order_transition(&w, order_id, to, 0, &out);
    json_decref(out);
    if (rc) {
        c->err = w.err;
        c->err_code = w.err_code;
        c->err_msg = w.err_msg;
        c->err_fields = w.err_fields;
    }
    return rc;
}

static GxErr move_after_create(Ctx *c, HookArgs *a, const MoveKind *k)
{
    int64_t order_id = json_integer_value(json_object_get(a->input, "order_id"));
    json_t *lines = json_object_get(a->input, "lines");
    size_t n = json_array_size(lines);
    MoveLine *ml = arena_alloc(c->arena, sizeof *ml * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        json_t *l = json_array_get(lines, i);
        ml[i].order_line_id = json_integer_value(json_object_get(l, "order_line_id"));
        ml[i].quantity = json_integer_value(json_object_get(l, "quantity"));
    }
    /* Lock the order and read it again: another delivery may have been
     * recorded since the request was checked. */
    DbVal p[] = {dbv_int(order_id)};
    DbRes *r;
    const char *osql = db_dialect(c->db) == DB_PG
                           ? "SELECT status, customer_id, tax_rate_pct FROM orders WHERE id = $1 AND deleted_at IS NULL"
                             " FOR UPDATE"
                           : "SELECT status, customer_id, tax_rate_pct FROM orders WHERE id = $1 AND deleted_at IS NULL";
    if (db_query(c->db, osql, p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the order");
    const char *status = NULL;
    int64_t customer_id = 0, tax_rate = 0;
    if (db_next(r) == 1) {
        status = arena_strdup(c->arena, db_text(r, 0) ? db_text(r, 0) : "");
        customer_id = db_isnull(r, 1) ? 0 : db_int(r, 1);
        tax_rate = db_isnull(r, 2) ? 0 : db_int(r, 2);
    }
    db_done(r);
    if (!status)
        return ctx_fail(c, GX_ENOTFOUND, "%s", mmsg(c, "没有这个订单", "No such order"));
    OrderLine *ol;
    size_t noll;
    GxErr rc = order_lines_load(c, order_id, true, &ol, &noll);
    if (rc || (rc = check_lines(c, k, order_id, ml, n, ol, noll)))
        return rc;
    const char *now = record_now(c);
    int64_t net_before = 0, net_after = 0;
    if (k->is_return)
        for (size_t j = 0; j < noll; j++) {
            int64_t v;
            if ((rc = line_credit(c, &ol[j], ol[j].returned, &v)))
                return rc;
            net_before += v;
        }
    const char *ins = arena_printf(c->arena,
                                   "INSERT INTO %s(created_at, created_by, updated_at, updated_by, version, %s,"
                                   " order_line_id, product_id, description, quantity%s) VALUES ($1, $2, $1, $2, 1, $3,"
                                   " $4, $5, $6, $7%s)",
                                   k->lines_table, k->parent_col, k->is_return ? ", credit" : "",
                                   k->is_return ? ", $8" : ""); /* sql-ok: literal names of the two kinds */
    const char *upd = k->is_return ? "UPDATE order_lines SET returned_qty = returned_qty + $1 WHERE id = $2 AND"
                                     " returned_qty + $1 <= delivered_qty"
                                   : "UPDATE order_lines SET delivered_qty = delivered_qty + $1 WHERE id = $2 AND"
                                     " delivered_qty + $1 <= quantity";
    for (size_t i = 0; i < n; i++) {
        OrderLine *o = find_line(ol, noll, ml[i].order_line_id);
        int64_t credit = 0;
        if (k->is_return) {
            int64_t before, after;
            if ((rc = line_credit(c, o, o->returned, &before)) ||
                (rc = line_credit(c, o, o->returned + ml[i].quantity, &after)))
                return rc;
            credit = after - before;
        }
        DbVal v[] = {dbv_text(now),
                     c->who ? dbv_int(c->who->user_id) : dbv_null(),
                     dbv_int(a->id),
                     dbv_int(o->id),
                     o->product_id ? dbv_int(o->product_id) : dbv_null(),
                     dbv_text(o->description),
                     dbv_int(ml[i].quantity),
                     dbv_int(credit)};
        if (db_exec(c->db, ins, v, k->is_return ? 8 : 7) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot store the lines: %s", db_errmsg(c->db));
        DbVal u[] = {dbv_int(ml[i].quantity), dbv_int(o->id)};
        if (db_exec(c->db, upd, u, 2) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot update the order's lines");
        if (db_changes(c->db) != 1)
            return ctx_fail(c, GX_ECONFLICT, "%s",
                            mmsg(c, "订单明细刚被修改,请重试", "The order's lines changed meanwhile; try again"));
        if (k->is_return)
            o->returned += ml[i].quantity;
        else
            o->delivered += ml[i].quantity;
    }
    int64_t credit_amount = 0;
    if (k->is_return) {
        for (size_t j = 0; j < noll; j++) {
            int64_t v;
            if ((rc = line_credit(c, &ol[j], ol[j].returned, &v)))
                return rc;
            net_after += v;
        }
        /* tax on the cumulative credited net, so that returning everything
         * credits exactly the order's total */
        int64_t tax_before, tax_after;
        if (!sales_div_half_up((__int128)net_before * tax_rate, SALES_PCT_FULL, &tax_before) ||
            !sales_div_half_up((__int128)net_after * tax_rate, SALES_PCT_FULL, &tax_after))
            return ctx_fail(c, GX_EINVALID, "the credit does not fit");
        credit_amount = (net_after - net_before) + (tax_after - tax_before);
    }
    const char *set = k->is_return ? "UPDATE returns SET customer_id = $1, credit_amount = $3 WHERE id = $2"
                                   : "UPDATE deliveries SET customer_id = $1 WHERE id = $2";
    DbVal s[] = {customer_id ? dbv_int(customer_id) : dbv_null(), dbv_int(a->id), dbv_int(credit_amount)};
    if (db_exec(c->db, set, s, k->is_return ? 3 : 2) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot store the record");
    if (a->result) {
        json_object_set_new(a->result, "customer_id", customer_id ? json_integer(customer_id) : json_null());
        if (k->is_return)
            json_object_set_new(a->result, "credit_amount", json_integer(credit_amount));
    }
    return maybe_transition(c, k, order_id, status, ol, noll);
}

static GxErr move_after_read(Ctx *c, HookArgs *a, const MoveKind *k)
{
    json_t *lines;
    GxErr rc = move_lines_json(c, k, a->id, &lines);
    if (rc)
        return rc;
    json_object_set_new(a->result, "lines", lines);
    return GX_OK;
}

/* The order and the lines of a delivery or return do not change. */
static GxErr move_before_update(Ctx *c, HookArgs *a, const MoveKind *k)
{
    (void)k;
    if (json_object_get(a->input, "lines"))
        ctx_field(c, "lines", "%s",
                  mmsg(c, "明细不能修改;多发的货请登记退货", "cannot change; record a return for what came back"));
    json_t *oid = json_object_get(a->input, "order_id");
    if (oid && !json_equal(oid, json_object_get(a->old, "order_id")))
        ctx_field(c, "order_id", "%s", mmsg(c, "不能修改", "cannot change"));
    return c->err;
}

static GxErr move_before_delete(Ctx *c, HookArgs *a, const MoveKind *k)
{
    (void)a;
    ctx_fail(c, GX_ECONFLICT, "%s",
             k->is_return ? mmsg(c, "退货单不能删除", "A return cannot be deleted")
                          : mmsg(c, "发货单不能删除;退回的货请登记退货", "A delivery cannot be deleted; record a return for what came back"));
    c->err_code = "not_deletable";
    return c->err;
}

#define KIND_HOOKS(name, kind)                                                                                         \
    static GxErr name##_before_create(Ctx *c, HookArgs *a) { return move_before_create(c, a, &kind); }               \
    static GxErr name##_after_create(Ctx *c, HookArgs *a) { return move_after_create(c, a, &kind); }                 \
    static GxErr name##_after_read(Ctx *c, HookArgs *a) { return move_after_read(c, a, &kind); }                     \
    static GxErr name##_before_update(Ctx *c, HookArgs *a) { return move_before_update(c, a, &kind); }               \
    static GxErr name##_before_delete(Ctx *c, HookArgs *a) { return move_before_delete(c, a, &kind); }

KIND_HOOKS(deliveries, k_deliveries)
KIND_HOOKS(returns, k_returns)

GxErr sales_order_moves(Ctx *c, int64_t order_id, const char *entity, json_t **rows)
{
    *rows = NULL;
    const MoveKind *k = !strcmp(entity, "returns") ? &k_returns : &k_deliveries;
    const char *sql = arena_printf(c->arena,
                                   "SELECT id FROM %s WHERE order_id = $1 AND deleted_at IS NULL ORDER BY id",
                                   k->entity); /* sql-ok: literal names of the two kinds */
    DbVal p[] = {dbv_int(order_id)};
    DbRes *r;
    if (db_query(c->db, sql, p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read %s", k->entity);
    int64_t ids[200];
    int nids = 0;
    while (nids < 200 && db_next(r) == 1)
        ids[nids++] = db_int(r, 0);
    db_done(r);
    *rows = json_array();
    Ctx w = *c;
    w.elevated = true; /* visible because the order is */
    w.err_fields = NULL;
    for (int i = 0; i < nids; i++) {
        json_t *rec;
        if (record_get(&w, meta_entity(k->entity), ids[i], &rec) == GX_OK)
            json_array_append_new(*rows, rec);
    }
    json_decref(w.err_fields);
    return GX_OK;
}

void sales_deliveries_init(void)
{
    record_hook_add("deliveries", HOOK_BEFORE_CREATE, deliveries_before_create);
    record_hook_add("deliveries", HOOK_AFTER_CREATE, deliveries_after_create);
    record_hook_add("deliveries", HOOK_AFTER_READ, deliveries_after_read);
    record_hook_add("deliveries", HOOK_BEFORE_UPDATE, deliveries_before_update);
    record_hook_add("deliveries", HOOK_BEFORE_DELETE, deliveries_before_delete);
    record_hook_add("returns", HOOK_BEFORE_CREATE, returns_before_create);
    record_hook_add("returns", HOOK_AFTER_CREATE, returns_after_create);
    record_hook_add("returns", HOOK_AFTER_READ, returns_after_read);
    record_hook_add("returns", HOOK_BEFORE_UPDATE, returns_before_update);
    record_hook_add("returns", HOOK_BEFORE_DELETE, returns_before_delete);
}
