/* money.c — what contracts, payments and invoices share: the order or
 * contract a money record belongs to, the sums received, invoiced and
 * planned on it, the plans' settlement, and the module's settings
 * (app_settings). */
#include <stdio.h>
#include <string.h>

#include "../../base/clock.h"
#include "../../base/util.h"
#include "money.h"

const char *mn_msg(const Ctx *c, const char *zh, const char *en)
{
    return c->lang && !strcmp(c->lang, "en") ? en : zh;
}

const char *mn_yuan(Ctx *c, int64_t fen)
{
    uint64_t m = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    char digits[32], grouped[48];
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)(m / 100));
    size_t n = strlen(digits), k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            grouped[k++] = ',';
        grouped[k++] = digits[i];
    }
    grouped[k] = 0;
    return arena_printf(c->arena, "%s¥%s.%02u", fen < 0 ? "-" : "", grouped, (unsigned)(m % 100));
}

int64_t mn_int(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

const char *mn_today(Ctx *c)
{
    /* Formatted once per day and thread: every GET of a customer asks. */
    static _Thread_local int64_t day = INT64_MIN;
    static _Thread_local char text[11];
    int64_t d = clock_local_day(clock_now_s());
    if (d != day) {
        char t[64];
        time_format_s(d * 86400, t);
        memcpy(text, t, 10);
        text[10] = 0;
        day = d;
    }
    return arena_strndup(c->arena, text, 10);
}

GxErr mn_doc_load(Ctx *c, const Entity *e, int64_t id, bool lock, MnDoc *d)
{
    memset(d, 0, sizeof *d);
    bool order = !strcmp(e->name, "orders");
    const char *sql =
        order ? "SELECT customer_id, owner_id, department_id, status, total FROM orders WHERE id = $1 AND deleted_at IS NULL"
              : "SELECT customer_id, owner_id, department_id, status, amount FROM contracts WHERE id = $1 AND deleted_at "
                "IS NULL";
    if (lock && db_dialect(c->db) == DB_PG)
        sql = arena_printf(c->arena, "%s FOR UPDATE", sql); /* sql-ok: literal text only */
    DbVal p[] = {dbv_int(id)};
    DbRes *r;
    if (db_query(c->db, sql, p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read %s: %s", e->name, db_errmsg(c->db));
    int s = db_next(r);
    if (s == 1) {
        d->e = e;
        d->id = id;
        d->customer_id = db_isnull(r, 0) ? 0 : db_int(r, 0);
        d->owner_id = db_isnull(r, 1) ? 0 : db_int(r, 1);
        d->department_id = db_isnull(r, 2) ? 0 : db_int(r, 2);
        d->status = arena_strdup(c->arena, db_text(r, 3) ? db_text(r, 3) : "");
        d->total = db_isnull(r, 4) ? 0 : db_int(r, 4);
    }
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read %s", e->name);
    if (s == 0)
        return ctx_fail(c, GX_ENOTFOUND, "No such %s record (id %lld)", e->name, (long long)id);
    const Entity *re = meta_entity("returns");
    if (order && re && meta_field(re, "credit_amount") && meta_field(re, "order_id")) {
        bool found;
        if (db_query_int(c->db,
                         "SELECT coalesce(sum(credit_amount), 0) FROM returns WHERE order_id = $1 AND deleted_at IS NULL",
                         p, 1, &d->returned, &found) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read the order's returns");
    }
    return GX_OK;
}

GxErr mn_doc_visible(Ctx *c, const Entity *e, int64_t id, const char *field, MnDoc *d)
{
    GxErr rc = mn_doc_load(c, e, id, false, d);
    if (rc == GX_OK && !acl_row_in_scope(c, e, ACT_READ, d->owner_id, d->department_id))
        rc = ctx_fail(c, GX_ENOTFOUND, "No such %s record (id %lld)", e->name, (long long)id);
    if (rc == GX_ENOTFOUND)
        ctx_field(c, field, "%s", mn_msg(c, "没有这条记录(或无权查看)", "no such record (or not yours to see)"));
    return rc;
}

GxErr mn_customer_visible(Ctx *c, int64_t id)
{
    const Entity *e = meta_entity("customers");
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT 1 FROM customers WHERE id = ");
    sql_param(&q, dbv_int(id));
    sql_raw(&q, " AND deleted_at IS NULL");
    acl_scope_predicate(c, e, ACT_READ, &q);
    int64_t one;
    bool found = false;
    if (db_query_int(c->db, q.text.data, q.params, q.n, &one, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the customer");
    if (!found) {
        ctx_fail(c, GX_ENOTFOUND, "No such customers record (id %lld)", (long long)id);
        ctx_field(c, "customer_id", "%s", mn_msg(c, "没有这个客户(或无权查看)", "no such customer (or not yours to see)"));
        return GX_ENOTFOUND;
    }
    return GX_OK;
}

/* The column naming the document in payments, plans and invoices. */
static const char *doc_column(const MnDoc *d) { return !strcmp(d->e->name, "orders") ? "order_id" : "contract_id"; }

/* One sum over a money table for the document, except one row. */
static GxErr doc_sum(Ctx *c, const char *expr, const char *table, const char *extra, const MnDoc *d, int64_t except,
                     int64_t *out)
{
    const char *sql = arena_printf(c->arena,
                                   "SELECT coalesce(sum(%s), 0) FROM %s WHERE %s = $1 AND id <> $2 AND deleted_at IS NULL%s",
                                   expr, table, doc_column(d), extra); /* sql-ok: literal column and table names */
    DbVal p[] = {dbv_int(d->id), dbv_int(except)};
    bool found;
    *out = 0;
    if (db_query_int(c->db, sql, p, 2, out, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot add up %s: %s", table, db_errmsg(c->db));
    return GX_OK;
}

GxErr mn_received(Ctx *c, const MnDoc *d, int64_t except, int64_t *out)
{
    return doc_sum(c, "amount - prepayment_amount", "payments", "", d, except, out);
}

GxErr mn_invoiced(Ctx *c, const MnDoc *d, int64_t except, int64_t *out)
{
    return doc_sum(c, "total", "invoices", " AND status = 'issued'", d, except, out);
}

GxErr mn_planned(Ctx *c, const MnDoc *d, int64_t except, int64_t *out)
{
    return doc_sum(c, "amount", "payment_plans", "", d, except, out);
}

GxErr mn_doc_refresh(Ctx *c, const MnDoc *d)
{
    int64_t received, invoiced, planned;
    GxErr rc;
    if ((rc = mn_received(c, d, 0, &received)) || (rc = mn_invoiced(c, d, 0, &invoiced)) ||
        (rc = mn_planned(c, d, 0, &planned)))
        return rc;
    /* Plans, earliest due first, take what was received. */
    const char *sel = arena_printf(c->arena,
                                   "SELECT id, amount, paid_amount, status FROM payment_plans WHERE %s = $1 AND "
                                   "deleted_at IS NULL ORDER BY due_on, id",
                                   doc_column(d)); /* sql-ok: literal column name */
    DbVal p[] = {dbv_int(d->id)};
    DbRes *r;
    if (db_query(c->db, sel, p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the payment plans");
    typedef struct Upd {
        int64_t id, paid;
        const char *status;
    } Upd;
    Upd *u = NULL;
    int n = 0, cap = 0;
    int64_t left = received;
    while (db_next(r) == 1) {
        int64_t amount = db_int(r, 1), paid = left < amount ? (left > 0 ? left : 0) : amount;
        left -= paid;
        const char *st = paid == amount ? "paid" : paid > 0 ? "partial" : "open";
        const char *old = db_text(r, 3);
        if (db_int(r, 2) == paid && old && !strcmp(old, st))
            continue;
        if (n == cap) {
            int ncap = cap ? cap * 2 : 16;
            u = arena_realloc(c->arena, u, sizeof *u * (size_t)cap, sizeof *u * (size_t)ncap);
            cap = ncap;
        }
        u[n++] = (Upd){db_int(r, 0), paid, st};
    }
    db_done(r);
    for (int i = 0; i < n; i++) {
        DbVal q[] = {dbv_int(u[i].paid), dbv_text(u[i].status), dbv_int(u[i].id)};
        if (db_exec(c->db, "UPDATE payment_plans SET paid_amount = $1, status = $2 WHERE id = $3", q, 3) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot update the payment plans");
    }
    if (!strcmp(d->e->name, "contracts")) {
        DbVal q[] = {dbv_int(received), dbv_int(invoiced), dbv_int(planned), dbv_int(d->id)};
        if (db_exec(c->db,
                    "UPDATE contracts SET received_amount = $1, invoiced_amount = $2, plans_total = $3 WHERE id = $4", q,
                    4) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot update the contract's figures");
    }
    return GX_OK;
}

/* ---------- settings ---------- */

const char *mn_setting_text(Ctx *c, const char *key)
{
    char *v = NULL;
    DbVal p[] = {dbv_text(key)};
    if (db_query_text(c->db, c->arena, "SELECT value FROM app_settings WHERE key = $1", p, 1, &v) != DB_OK)
        return NULL;
    return v;
}

int64_t mn_setting_int(Ctx *c, const char *key, int64_t dflt, bool *set)
{
    const char *v = mn_setting_text(c, key);
    int64_t n;
    bool ok = v && parse_i64(v, &n);
    if (set)
        *set = ok;
    return ok ? n : dflt;
}

GxErr mn_setting_put(Ctx *c, const char *key, const char *value)
{
    DbVal p[] = {dbv_text(key), dbv_text(value)};
    int rc = value ? db_exec(c->db,
                             "INSERT INTO app_settings(key, value) VALUES ($1, $2) ON CONFLICT(key) DO UPDATE SET value = "
                             "excluded.value",
                             p, 2)
                   : db_exec(c->db, "DELETE FROM app_settings WHERE key = $1", p, 1);
    if (rc != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot store the setting: %s", db_errmsg(c->db));
    return GX_OK;
}

int64_t mn_contract_threshold(Ctx *c)
{
    bool set;
    int64_t v = mn_setting_int(c, "contracts.approval_above", -1, &set);
    return set && v >= 0 ? v : -1;
}

void sales_money_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    mn_contracts_init();
    mn_payments_init();
    mn_invoices_init();
}
