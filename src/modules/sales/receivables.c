/* receivables.c — the receivables report (应收账款): per customer what is
 * receivable, received, the balance due and the overdue amount; per
 * customer the documents behind it. See sales.h.
 *
 * The figures are payments.c's (sales_customer_money), computed for every
 * customer at once: one grouped statement per source, each under its
 * entity's read scope exactly as the per-customer statement, so a row of
 * the report equals GET /customers/{id} for the same viewer:
 *   receivable_total = Σ orders.total (MN_RECEIVABLE_ORDERS)
 *                    + Σ contracts.amount (MN_RECEIVABLE_CONTRACTS)
 *                    − Σ returns.credit_amount
 *   received_total   = Σ payments.amount
 *   balance_due      = receivable_total − received_total
 *   overdue_amount   = Σ (amount − paid_amount) of payment plans not paid and
 *                      due before today
 * Customers the viewer may not read are left out, as are customers with
 * nothing receivable, received or overdue. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../base/pinyin.h"
#include "../../base/util.h"
#include "money.h"

/* One customer's figures while they are added up. */
typedef struct Recv {
    int64_t id;         /* customers.id */
    const char *name;   /* its name, once known readable */
    const char *key;    /* the name's sort key (pinyin initials for Chinese) */
    int64_t receivable; /* see the top */
    int64_t received;
    int64_t overdue;
    bool visible; /* readable by the viewer */
} Recv;

/* Customers by id: open addressing over an arena array. */
typedef struct RecvMap {
    Recv *v;       /* slots (id 0 = empty) */
    size_t cap, n; /* capacity (a power of two), used */
    Arena *a;
} RecvMap;

static Recv *map_get(RecvMap *m, int64_t id)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        Recv *v = arena_calloc(m->a, cap, sizeof *v);
        for (size_t i = 0; i < m->cap; i++)
            if (m->v[i].id) {
                size_t k = (size_t)m->v[i].id * 0x9E3779B97F4A7C15ull & (cap - 1);
                while (v[k].id)
                    k = (k + 1) & (cap - 1);
                v[k] = m->v[i];
            }
        m->v = v;
        m->cap = cap;
    }
    size_t k = (size_t)id * 0x9E3779B97F4A7C15ull & (m->cap - 1);
    while (m->v[k].id && m->v[k].id != id)
        k = (k + 1) & (m->cap - 1);
    if (!m->v[k].id) {
        m->v[k].id = id;
        m->n++;
    }
    return &m->v[k];
}

enum { F_RECEIVABLE, F_RECEIVED, F_OVERDUE };

/* Add "SELECT customer_id, sum(expr) FROM <entity> WHERE … GROUP BY
 * customer_id" into field `which` of the customers' figures, times sign. */
static GxErr grouped(Ctx *c, RecvMap *m, const char *entity, const char *expr, const char *extra, const char *today,
                     int which, int sign)
{
    const Entity *e = meta_entity(entity);
    if (!e || acl_scope(c, e, ACT_READ) == SCOPE_NONE)
        return GX_OK;
    Sql q;
    sql_init(&q, c->arena);
    /* clang-format off */
    const char *head = arena_printf(c->arena, "SELECT customer_id, coalesce(sum(%s), 0) FROM %s WHERE deleted_at IS NULL AND customer_id IS NOT NULL", expr, e->table); /* sql-ok: literal expression, table name from metadata */
    /* clang-format on */
    sql_raw(&q, head);
    sql_raw(&q, extra);
    if (today) {
        sql_raw(&q, " AND due_on < ");
        sql_param(&q, dbv_text(today));
    }
    acl_scope_predicate(c, e, ACT_READ, &q);
    sql_raw(&q, " GROUP BY customer_id");
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot add up the %s: %s", entity, db_errmsg(c->db));
    int s;
    while ((s = db_next(r)) == 1) {
        int64_t v = db_isnull(r, 1) ? 0 : db_int(r, 1) * sign;
        if (!v)
            continue;
        Recv *x = map_get(m, db_int(r, 0));
        int64_t *f = which == F_RECEIVABLE ? &x->receivable : which == F_RECEIVED ? &x->received : &x->overdue;
        if (__builtin_add_overflow(*f, v, f)) {
            db_done(r);
            return ctx_fail(c, GX_EINTERNAL, "receivables overflow");
        }
    }
    db_done(r);
    return s < 0 ? ctx_fail(c, GX_EDB, "cannot add up the %s", entity) : GX_OK;
}

/* A name's sort key: each Chinese character as the initial of its common
 * reading followed by the character (so 丁 < 甲 < 乙, as in d < j < y),
 * ASCII letters in lower case, the rest as is. */
static const char *sort_key(Ctx *c, const char *name)
{
    Buf b;
    buf_init(&b, c->arena);
    const unsigned char *p = (const unsigned char *)name;
    while (*p) {
        uint32_t cp = *p;
        int n = 1;
        if (*p >= 0xF0 && p[1] && p[2] && p[3])
            cp = (uint32_t)(*p & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 | (uint32_t)(p[2] & 0x3F) << 6 |
                 (p[3] & 0x3F),
            n = 4;
        else if (*p >= 0xE0 && p[1] && p[2])
            cp = (uint32_t)(*p & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F), n = 3;
        else if (*p >= 0xC0 && p[1])
            cp = (uint32_t)(*p & 0x1F) << 6 | (p[1] & 0x3F), n = 2;
        char initial = pinyin_primary(cp);
        if (initial)
            buf_putc(&b, initial);
        if (n == 1 && *p >= 'A' && *p <= 'Z')
            buf_putc(&b, (char)(*p - 'A' + 'a'));
        else
            buf_raw_n(&b, (const char *)p, (size_t)n);
        p += n;
    }
    return b.len ? b.data : "";
}

/* Mark the customers of m the viewer may read, with their names. */
static GxErr names(Ctx *c, RecvMap *m)
{
    const Entity *e = meta_entity("customers");
    size_t i = 0;
    while (i < m->cap) {
        Sql q;
        sql_init(&q, c->arena);
        sql_raw(&q, "SELECT id, name FROM customers WHERE deleted_at IS NULL AND id IN (");
        int n = 0;
        for (; i < m->cap && n < 500; i++)
            if (m->v[i].id) {
                if (n++)
                    sql_raw(&q, ", ");
                sql_param(&q, dbv_int(m->v[i].id));
            }
        if (!n)
            break;
        sql_raw(&q, ")");
        acl_scope_predicate(c, e, ACT_READ, &q);
        DbRes *r;
        if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read the customers: %s", db_errmsg(c->db));
        while (db_next(r) == 1) {
            Recv *x = map_get(m, db_int(r, 0));
            x->visible = true;
            x->name = arena_strdup(c->arena, db_text(r, 1) ? db_text(r, 1) : "");
            x->key = sort_key(c, x->name);
        }
        db_done(r);
    }
    return GX_OK;
}

static const char *const sort_keys[] = {"balance_due",    "overdue_amount", "receivable_total",
                                        "received_total", "customer_name",  NULL};

typedef struct SortBy {
    int key;   /* index in sort_keys */
    bool desc; /* descending */
} SortBy;

static int64_t key_value(const Recv *x, int key)
{
    switch (key) {
    case 0:
        return x->receivable - x->received;
    case 1:
        return x->overdue;
    case 2:
        return x->receivable;
    default:
        return x->received;
    }
}

/* qsort_r comparison of two rows by the SortBy in arg, then by id. */
static int compare(const void *pa, const void *pb, void *arg)
{
    const Recv *a = *(Recv *const *)pa, *b = *(Recv *const *)pb;
    const SortBy *sort_by = arg;
    int d = 0;
    if (sort_keys[sort_by->key][0] == 'c') {
        d = strcmp(a->key, b->key);
        if (!d)
            d = strcmp(a->name, b->name);
    } else {
        int64_t x = key_value(a, sort_by->key), y = key_value(b, sort_by->key);
        d = x < y ? -1 : x > y;
    }
    if (sort_by->desc)
        d = -d;
    return d ? d : (a->id < b->id ? -1 : a->id > b->id);
}

bool sales_receivables_sort_valid(const char *sort)
{
    for (int i = 0; sort_keys[i]; i++)
        if (!strcmp(sort, sort_keys[i]))
            return true;
    return false;
}

GxErr sales_receivables(Ctx *c, const ReceivablesQuery *rq, json_t **out)
{
    *out = NULL;
    const Entity *pe = meta_entity("payments"), *ce = meta_entity("customers");
    if (c->who && (!pe || !ce || acl_scope(c, pe, ACT_READ) == SCOPE_NONE || acl_scope(c, ce, ACT_READ) == SCOPE_NONE))
        return ctx_fail(c, GX_EDENIED, "%s",
                        mn_msg(c, "你没有查看回款的权限", "You may not see payments, so not the receivables either"));
    const char *sort = rq->sort && *rq->sort ? rq->sort : "balance_due";
    int key = -1;
    for (int i = 0; sort_keys[i]; i++)
        if (!strcmp(sort, sort_keys[i]))
            key = i;
    if (key < 0) {
        ctx_field(c, "sort", "%s %s", mn_msg(c, "可用的排序:", "one of:"),
                  "balance_due, overdue_amount, receivable_total, received_total, customer_name");
        return c->err;
    }
    RecvMap m = {.a = c->arena};
    const Entity *re = meta_entity("returns");
    const char *today = mn_today(c);
    GxErr rc;
    if ((rc = grouped(c, &m, "orders", "total", MN_RECEIVABLE_ORDERS, NULL, F_RECEIVABLE, 1)) ||
        (rc = grouped(c, &m, "contracts", "amount", MN_RECEIVABLE_CONTRACTS, NULL, F_RECEIVABLE, 1)) ||
        (re && meta_field(re, "credit_amount") && meta_field(re, "customer_id") &&
         (rc = grouped(c, &m, "returns", "credit_amount", "", NULL, F_RECEIVABLE, -1))) ||
        (rc = grouped(c, &m, "payments", "amount", "", NULL, F_RECEIVED, 1)) ||
        (rc = grouped(c, &m, "payment_plans", "amount - paid_amount", " AND status <> 'paid'", today, F_OVERDUE, 1)) ||
        (rc = names(c, &m)))
        return rc;
    Recv **rows = arena_calloc(c->arena, m.n ? m.n : 1, sizeof *rows);
    size_t n = 0;
    int64_t tot[4] = {0};
    for (size_t i = 0; i < m.cap; i++) {
        Recv *x = &m.v[i];
        if (!x->id || !x->visible || (!x->receivable && !x->received && !x->overdue))
            continue;
        if (rq->overdue_only && x->overdue <= 0)
            continue;
        if (rq->due_only && x->receivable - x->received <= 0)
            continue;
        if (rq->q && *rq->q && !strcasestr(x->name, rq->q))
            continue;
        rows[n++] = x;
        tot[0] += x->receivable;
        tot[1] += x->received;
        tot[2] += x->receivable - x->received;
        tot[3] += x->overdue;
    }
    SortBy by = {key, rq->desc};
    qsort_r(rows, n, sizeof *rows, compare, &by);
    json_t *data = json_array();
    int64_t limit = rq->limit > 0 ? rq->limit : 50, offset = rq->offset > 0 ? rq->offset : 0;
    for (size_t i = (size_t)offset; i < n && (int64_t)(i - (size_t)offset) < limit; i++) {
        Recv *x = rows[i];
        json_array_append_new(data, json_pack("{s:I, s:s, s:I, s:I, s:I, s:I}", "customer_id", (json_int_t)x->id,
                                              "customer_name", x->name, "receivable_total", (json_int_t)x->receivable,
                                              "received_total", (json_int_t)x->received, "balance_due",
                                              (json_int_t)(x->receivable - x->received), "overdue_amount",
                                              (json_int_t)x->overdue));
    }
    *out = json_pack("{s:o, s:I, s:{s:I, s:I, s:I, s:I}, s:s, s:s, s:s}", "data", data, "total", (json_int_t)n,
                     "totals", "receivable_total", (json_int_t)tot[0], "received_total", (json_int_t)tot[1],
                     "balance_due", (json_int_t)tot[2], "overdue_amount", (json_int_t)tot[3], "sort", sort_keys[key],
                     "dir", rq->desc ? "desc" : "asc", "as_of", today);
    return GX_OK;
}

/* The documents of kind entity of the customer that make up its receivable,
 * each with sales_doc_money's figures. */
static GxErr documents(Ctx *c, const char *entity, const char *cols, const char *extra, int64_t customer_id,
                       json_t *list)
{
    const Entity *e = meta_entity(entity);
    if (!e || acl_scope(c, e, ACT_READ) == SCOPE_NONE)
        return GX_OK;
    Sql q;
    sql_init(&q, c->arena);
    /* clang-format off */
    const char *head = arena_printf(c->arena, "SELECT id, %s FROM %s WHERE deleted_at IS NULL AND customer_id = ", cols, e->table); /* sql-ok: literal columns, table name from metadata */
    /* clang-format on */
    sql_raw(&q, head);
    sql_param(&q, dbv_int(customer_id));
    sql_raw(&q, extra);
    acl_scope_predicate(c, e, ACT_READ, &q);
    sql_raw(&q, " ORDER BY id DESC LIMIT 500");
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the %s: %s", entity, db_errmsg(c->db));
    int64_t ids[500];
    int n = 0;
    while (n < 500 && db_next(r) == 1) {
        ids[n] = db_int(r, 0);
        json_t *o = json_pack("{s:I, s:s?, s:s, s:s?, s:I}", "id", (json_int_t)ids[n], "number", db_text(r, 1),
                              "status", db_text(r, 2) ? db_text(r, 2) : "", "date", db_text(r, 3), "total",
                              (json_int_t)(db_isnull(r, 4) ? 0 : db_int(r, 4)));
        json_array_append_new(list, o);
        n++;
    }
    db_done(r);
    for (int i = 0; i < n; i++) {
        json_t *o = json_array_get(list, json_array_size(list) - (size_t)n + (size_t)i);
        GxErr rc = sales_doc_money(c, entity, ids[i], o);
        if (rc)
            return rc;
    }
    return GX_OK;
}

GxErr sales_receivable_customer(Ctx *c, int64_t customer_id, json_t **out)
{
    *out = NULL;
    const Entity *pe = meta_entity("payments");
    if (c->who && (!pe || acl_scope(c, pe, ACT_READ) == SCOPE_NONE))
        return ctx_fail(c, GX_EDENIED, "%s",
                        mn_msg(c, "你没有查看回款的权限", "You may not see payments, so not the receivables either"));
    GxErr rc = mn_customer_visible(c, customer_id);
    if (rc)
        return rc;
    char *name = NULL;
    DbVal p[] = {dbv_int(customer_id)};
    if (db_query_text(c->db, c->arena, "SELECT name FROM customers WHERE id = $1", p, 1, &name) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the customer");
    json_t *fig = json_pack("{s:I, s:s}", "customer_id", (json_int_t)customer_id, "customer_name", name ? name : "");
    json_t *orders = json_array(), *contracts = json_array();
    if ((rc = sales_customer_money(c, customer_id, fig)) ||
        (rc = documents(c, "orders", "number, status, order_date, total", MN_RECEIVABLE_ORDERS, customer_id, orders)) ||
        (rc = documents(c, "contracts", "number, status, end_on, amount", MN_RECEIVABLE_CONTRACTS, customer_id,
                        contracts))) {
        json_decref(fig);
        json_decref(orders);
        json_decref(contracts);
        return rc;
    }
    json_object_set_new(fig, "orders", orders);
    json_object_set_new(fig, "contracts", contracts);
    *out = fig;
    return GX_OK;
}
