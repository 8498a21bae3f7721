/* orders.c — sales orders (订单): created and edited through the record
 * engine with their lines (dochooks.c) while they are drafts, numbered
 * gap-free by the engine's auto_number (pattern overridable in settings),
 * and moved through their status flow only by sales_order_transition, which
 * runs the other modules' transition hooks (credit limits, money) inside its
 * transaction. See sales.h. */
#include <string.h>

#include "docs.h"

/* ---------- status flow ---------- */

static const struct {
    const char *from, *to;
} flow[] = {
    {"draft", "approved"},    {"draft", "cancelled"},   {"approved", "delivered"}, {"approved", "cancelled"},
    {"delivered", "invoiced"}, {"delivered", "returned"}, {"invoiced", "closed"},    {"invoiced", "returned"},
};

bool sales_order_transition_allowed(const char *from, const char *to)
{
    if (!from || !to)
        return false;
    for (size_t i = 0; i < sizeof flow / sizeof flow[0]; i++)
        if (!strcmp(flow[i].from, from) && !strcmp(flow[i].to, to))
            return true;
    return false;
}

#define MAX_TRANSITION_HOOKS 16
static SalesOrderTransitionHook transition_hooks[MAX_TRANSITION_HOOKS];
static int ntransition_hooks;

void sales_order_transition_hook_add(SalesOrderTransitionHook fn)
{
    for (int i = 0; i < ntransition_hooks; i++)
        if (transition_hooks[i] == fn)
            return;
    if (ntransition_hooks == MAX_TRANSITION_HOOKS)
        gx_die("too many order transition hooks");
    transition_hooks[ntransition_hooks++] = fn;
}

/* The label of a status in the context's language. */
static const char *status_label(Ctx *c, const char *value)
{
    const Field *f = meta_field(meta_entity("orders"), "status");
    const EnumOption *o = f ? meta_option(f, value) : NULL;
    return o ? meta_label(&o->label, c->lang && !strcmp(c->lang, "en") ? "en" : "zh") : value;
}

GxErr sales_order_transition(Ctx *c, int64_t id, const char *to, int64_t version, json_t **out)
{
    *out = NULL;
    const Entity *oe = meta_entity("orders");
    const Field *sf = meta_field(oe, "status");
    if (!to || !*to || !meta_option(sf, to)) {
        ctx_field(c, "to", "%s",
                  sd_msg(c, "必须是订单状态之一:draft, approved, delivered, invoiced, closed, cancelled, returned",
                         "must be one of draft, approved, delivered, invoiced, closed, cancelled, returned"));
        return c->err;
    }
    json_t *o;
    GxErr rc = record_get(c, oe, id, &o);
    if (rc)
        return rc;
    if (!c->elevated && !acl_row_in_scope(c, oe, ACT_EDIT, json_integer_value(json_object_get(o, "owner_id")),
                                          json_integer_value(json_object_get(o, "department_id")))) {
        json_decref(o);
        return ctx_fail(c, GX_EDENIED, "You may not change this order");
    }
    const char *from = arena_strdup(c->arena, json_string_value(json_object_get(o, "status")));
    int64_t stored = json_integer_value(json_object_get(o, "version"));
    if (version > 0 && version != stored) {
        json_decref(o);
        return ctx_fail(c, GX_ECONFLICT,
                        "Someone else changed this record (version %lld is now %lld); reload and try again",
                        (long long)version, (long long)stored);
    }
    if (!sales_order_transition_allowed(from, to)) {
        json_decref(o);
        ctx_fail(c, GX_ECONFLICT, "%s %s → %s (%s → %s)",
                 sd_msg(c, "订单状态不能这样变更:", "An order cannot move from"), from, to, status_label(c, from),
                 status_label(c, to));
        c->err_code = "illegal_transition";
        if (!c->err_fields)
            c->err_fields = json_object();
        json_object_set_new(c->err_fields, "to",
                            json_string(arena_printf(c->arena, "%s → %s is not allowed", from, to)));
        return GX_ECONFLICT;
    }
    if (db_begin(c->db) != DB_OK) {
        json_decref(o);
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    }
    SalesOrderTransition t = {.order_id = id, .from = from, .to = to, .order = o};
    for (int i = 0; i < ntransition_hooks; i++) {
        if ((rc = transition_hooks[i](c, &t)) || (rc = c->err)) {
            json_decref(o);
            db_rollback(c->db);
            return rc;
        }
    }
    json_decref(o);
    DbVal p[] = {dbv_text(to), dbv_text(record_now(c)), c->who ? dbv_int(c->who->user_id) : dbv_null(), dbv_int(id),
                 dbv_text(from), dbv_int(stored)};
    if (db_exec(c->db,
                "UPDATE orders SET status = $1, version = version + 1, updated_at = $2, updated_by = $3"
                " WHERE id = $4 AND status = $5 AND version = $6 AND deleted_at IS NULL",
                p, 6) != DB_OK) {
        db_rollback(c->db);
        return ctx_fail(c, GX_EDB, "cannot change the order's status");
    }
    if (db_changes(c->db) != 1) {
        db_rollback(c->db);
        return ctx_fail(c, GX_ECONFLICT, "%s", sd_msg(c, "订单刚被别人修改,请刷新后重试", "Someone else changed this order; reload and try again"));
    }
    if ((rc = sd_status_logged(c, "orders", id, from, to))) {
        db_rollback(c->db);
        return rc;
    }
    if (db_commit(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot commit");
    return record_get(c, oe, id, out);
}

/* ---------- numbering patterns ---------- */

static const char *const numbered[] = {"quotes", "orders", NULL};

/* Is p a pattern auto_number understands and we allow? */
static bool pattern_ok(const char *p)
{
    size_t len = strlen(p);
    int counters = 0;
    if (len == 0 || len > 40)
        return false;
    for (const char *s = p; *s; s++) {
        if (*s == '{') {
            static const char *const dates[] = {"{YYYY}", "{YY}", "{MM}", "{DD}", NULL};
            bool date = false;
            for (int i = 0; dates[i]; i++)
                if (!strncmp(s, dates[i], strlen(dates[i]))) {
                    s += strlen(dates[i]) - 1;
                    date = true;
                    break;
                }
            if (date)
                continue;
            int zeros = 0;
            for (s++; *s == '0'; s++)
                zeros++;
            if (*s != '}' || zeros < 3 || zeros > 12 || ++counters > 1)
                return false;
            continue;
        }
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr("-_/.", *s)))
            return false;
    }
    return counters == 1;
}

GxErr sales_number_patterns_get(Ctx *c, json_t **out)
{
    *out = json_object();
    for (int i = 0; numbered[i]; i++) {
        const Field *f = meta_field(meta_entity(numbered[i]), "number");
        char *v = NULL;
        DbVal p[] = {dbv_text(arena_printf(c->arena, "number_pattern.%s.number", numbered[i]))};
        if (db_query_text(c->db, c->arena, "SELECT value FROM app_settings WHERE key = $1", p, 1, &v) != DB_OK) {
            json_decref(*out);
            *out = NULL;
            return ctx_fail(c, GX_EDB, "cannot read the settings");
        }
        json_object_set_new(*out, numbered[i], json_string(v && *v ? v : f->pattern));
    }
    return GX_OK;
}

GxErr sales_number_patterns_set(Ctx *c, json_t *in, json_t **out)
{
    *out = NULL;
    if (!acl_is_admin(c))
        return ctx_fail(c, GX_EDENIED, "Only administrators may change numbering patterns");
    const char *k;
    json_t *v;
    json_object_foreach(in, k, v)
    {
        bool known = false;
        for (int i = 0; numbered[i]; i++)
            known |= !strcmp(numbered[i], k);
        if (!known)
            ctx_field(c, k, "is not a numbered document (quotes, orders)");
        else if (!json_is_null(v) && (!json_is_string(v) || !pattern_ok(json_string_value(v))))
            ctx_field(c, k, "%s",
                      sd_msg(c, "编号规则须含一个 {000} 至 {000000000000} 的计数器,可含 {YYYY} {YY} {MM} {DD},其余为字母、数字或 - _ / .,最长 40 字符",
                             "must hold one counter {000} to {000000000000}, may hold {YYYY} {YY} {MM} {DD}, other "
                             "characters letters, digits or - _ / ., at most 40 characters"));
    }
    if (c->err)
        return c->err;
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    json_object_foreach(in, k, v)
    {
        DbVal p[] = {dbv_text(arena_printf(c->arena, "number_pattern.%s.number", k)),
                     dbv_text(json_string_value(v))};
        int rc = json_is_null(v) ? db_exec(c->db, "DELETE FROM app_settings WHERE key = $1", p, 1)
                                 : db_exec(c->db,
                                           "INSERT INTO app_settings(key, value) VALUES ($1, $2) ON CONFLICT(key)"
                                           " DO UPDATE SET value = excluded.value",
                                           p, 2);
        if (rc != DB_OK) {
            db_rollback(c->db);
            return ctx_fail(c, GX_EDB, "cannot store the settings");
        }
    }
    GxErr rc = audit_write(c, "settings", "number_patterns", 0, in);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    if (db_commit(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot commit");
    return sales_number_patterns_get(c, out);
}

/* ---------- hooks ---------- */

/* Lines, tax rate and customer of an order change only while it is a draft. */
static bool order_editable(Ctx *c, json_t *old)
{
    const char *st = json_string_value(json_object_get(old, "status"));
    if (st && strcmp(st, "draft")) {
        ctx_fail(c, GX_ECONFLICT, "%s (%s)",
                 sd_msg(c, "只有草稿订单可以修改明细、税率或客户", "Only a draft order can change its lines, tax rate or customer"),
                 status_label(c, st));
        return false;
    }
    return true;
}

/* The customer's address as the delivery address when none is given. */
static void default_address(Ctx *c, json_t *in)
{
    json_t *a = json_object_get(in, "delivery_address");
    json_t *cid = json_object_get(in, "customer_id");
    if ((a && !json_is_null(a)) || !json_is_integer(cid))
        return;
    char *v = NULL;
    DbVal p[] = {dbv_int(json_integer_value(cid))};
    if (db_query_text(c->db, c->arena, "SELECT address FROM customers WHERE id = $1", p, 1, &v) != DB_OK || !v)
        return;
    json_t *addr = json_loads(v, 0, NULL);
    if (json_is_object(addr) && json_object_size(addr))
        json_object_set_new(in, "delivery_address", addr);
    else
        json_decref(addr);
}

static GxErr orders_before_create(Ctx *c, HookArgs *a)
{
    GxErr rc = sd_before_create(c, a, &sd_orders, "order_date");
    if (rc)
        return rc;
    default_address(c, a->input);
    return GX_OK;
}

static GxErr orders_after_create(Ctx *c, HookArgs *a) { return sd_after_create(c, a, &sd_orders); }
static GxErr orders_before_update(Ctx *c, HookArgs *a) { return sd_before_update(c, a, &sd_orders, order_editable); }
static GxErr orders_after_update(Ctx *c, HookArgs *a) { return sd_after_update(c, a, &sd_orders); }
static GxErr orders_after_read(Ctx *c, HookArgs *a) { return sd_after_read(c, a, &sd_orders); }

/* Only drafts and cancelled orders go to the trash. */
static GxErr orders_before_delete(Ctx *c, HookArgs *a)
{
    const char *st = json_string_value(json_object_get(a->old, "status"));
    if (st && strcmp(st, "draft") && strcmp(st, "cancelled"))
        return ctx_fail(c, GX_ECONFLICT, "%s (%s)",
                        sd_msg(c, "只有草稿或已取消的订单可以删除", "Only a draft or cancelled order can be deleted"),
                        status_label(c, st));
    return GX_OK;
}

/* Migration 7: two indexes fewer to write per order (issue #6, a 20-line
 * order at 10M lines wrote ~60 pages, ~20 of them leaves of the lines'
 * product index).
 * - order_lines_product_id_idx (product_id): one random leaf per line. No
 *   request reads lines by product: a product-line target sums the lines of
 *   the period's orders (targets.c, through order_lines_x0_idx), and a
 *   document names its lines by order. What it leaves without an index:
 *   the foreign-key check when an administrator purges a product (a scan
 *   of the lines), and an API filter of order_lines on product_id.
 * - orders_x0_idx (customer_id, order_date, id) WHERE deleted_at IS NULL:
 *   a second index by customer next to orders_customer_id_idx (customer_id),
 *   which stays because it also serves statements without the deleted_at
 *   predicate (a merge moves deleted orders too, merge.c); a customer's
 *   orders are few, sorting them by date costs nothing. */
static GxErr order_indexes_v7(Ctx *c, bool fresh)
{
    (void)fresh;
    if (db_exec(c->db, "DROP INDEX IF EXISTS order_lines_product_id_idx", NULL, 0) != DB_OK ||
        db_exec(c->db, "DROP INDEX IF EXISTS orders_x0_idx", NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot drop the orders' indexes: %s", db_errmsg(c->db));
    return GX_OK;
}

/* Migration 8: purging an order or a quote from the trash (issue #6). The
 * purge deletes the document's lines, then the document; the database
 * checks each foreign key to them by looking for rows that still refer, and
 * neither SQLite nor PostgreSQL can use a partial index (… WHERE deleted_at
 * IS NULL) for that: at 10,000,000 order lines every purged order scanned
 * the whole table, and every purged line scanned delivery_lines and
 * return_lines. The partial indexes that lead with those columns become
 * full indexes of the same columns — the same entries (lines are never
 * soft-deleted on their own; deliveries and returns cannot be deleted), so
 * an order writes no more pages, and the lists and lines that read them
 * ("… = $1 AND deleted_at IS NULL") use the full index as they did the
 * partial one. */
static GxErr doc_line_indexes_v8(Ctx *c, bool fresh)
{
    static const struct {
        const char *table, *index, *create, *drop;
    } steps[] = {
        {"order_lines", "order_lines_order_id_idx",
         "CREATE INDEX IF NOT EXISTS order_lines_order_id_idx ON order_lines(order_id, position)", "order_lines_x0_idx"},
        {"quote_lines", "quote_lines_quote_id_idx",
         "CREATE INDEX IF NOT EXISTS quote_lines_quote_id_idx ON quote_lines(quote_id, position)", "quote_lines_x0_idx"},
        {"deliveries", "deliveries_order_id_idx",
         "CREATE INDEX IF NOT EXISTS deliveries_order_id_idx ON deliveries(order_id, shipped_on)", "deliveries_x0_idx"},
        {"returns", "returns_order_id_idx",
         "CREATE INDEX IF NOT EXISTS returns_order_id_idx ON returns(order_id, returned_on)", "returns_x0_idx"},
        {"delivery_lines", "delivery_lines_order_line_id_idx",
         "CREATE INDEX IF NOT EXISTS delivery_lines_order_line_id_idx ON delivery_lines(order_line_id)",
         "delivery_lines_x1_idx"},
        {"return_lines", "return_lines_order_line_id_idx",
         "CREATE INDEX IF NOT EXISTS return_lines_order_line_id_idx ON return_lines(order_line_id)",
         "return_lines_x1_idx"},
    };
    bool stats = !fresh && db_dialect(c->db) == DB_SQLITE && db_table_exists(c->db, "sqlite_stat1");
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        /* SQLite: the dropped index's statistics go with it; a table analyzed
         * before gets its new index analyzed (PostgreSQL keeps statistics
         * per table) */
        int64_t analyzed = 0;
        bool found = false;
        DbVal t[] = {dbv_text(steps[i].table)};
        if (stats && db_query_int(c->db, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = $1", t, 1, &analyzed, &found) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read the statistics of %s: %s", steps[i].table, db_errmsg(c->db));
        const char *drop = arena_printf(c->arena, "DROP INDEX IF EXISTS %s", steps[i].drop); /* sql-ok: names above */
        const char *analyze = arena_printf(c->arena, "ANALYZE %s", steps[i].index);      /* sql-ok: names above */
        if (db_exec(c->db, steps[i].create, NULL, 0) != DB_OK || db_exec(c->db, drop, NULL, 0) != DB_OK ||
            (analyzed > 0 && db_exec(c->db, analyze, NULL, 0) != DB_OK))
            return ctx_fail(c, GX_EDB, "cannot index %s for purging: %s", steps[i].table, db_errmsg(c->db));
    }
    return GX_OK;
}

/* An order purged from the trash takes its lines with it; a quote it was
 * converted from no longer names it (order_id back to null, audited on the
 * quote: the accepted quote may be converted again). Payment plans,
 * payments, deliveries, returns, invoices and contracts of the order are
 * records of their own: while one is left the purge is a 409 naming them. */
static GxErr orders_before_purge(Ctx *c, HookArgs *a)
{
    GxErr rc = sd_purge_lines(c, a, "order_lines", "order_id");
    if (rc)
        return rc;
    DbVal p[] = {dbv_int(a->id)};
    DbRes *r;
    if (db_query(c->db, "SELECT id FROM quotes WHERE order_id = $1", p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the order's quote");
    int64_t quotes[8];
    int nq = 0, s;
    while ((s = db_next(r)) == 1)
        if (nq < 8)
            quotes[nq++] = db_int(r, 0);
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read the order's quote");
    for (int i = 0; i < nq; i++) {
        DbVal u[] = {dbv_text(record_now(c)), c->who ? dbv_int(c->who->user_id) : dbv_null(), dbv_int(quotes[i])};
        if (db_exec(c->db,
                    "UPDATE quotes SET order_id = NULL, version = version + 1, updated_at = $1, updated_by = $2"
                    " WHERE id = $3",
                    u, 3) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot update the order's quote");
        json_t *diff = json_pack("{s:[I, n]}", "order_id", (json_int_t)a->id);
        rc = audit_write(c, "update", "quotes", quotes[i], diff);
        json_decref(diff);
        if (rc)
            return rc;
    }
    return GX_OK;
}

void sd_orders_init(void)
{
    ddl_step_add(8, "orders and quotes: full indexes on their lines' document ids, for purging", doc_line_indexes_v8);
    record_hook_add("orders", HOOK_BEFORE_PURGE, orders_before_purge);
    ddl_step_add(7, "orders: no index of order lines by product, one index of orders by customer", order_indexes_v7);
    record_hook_add("orders", HOOK_BEFORE_CREATE, orders_before_create);
    record_hook_add("orders", HOOK_AFTER_CREATE, orders_after_create);
    record_hook_add("orders", HOOK_BEFORE_UPDATE, orders_before_update);
    record_hook_add("orders", HOOK_AFTER_UPDATE, orders_after_update);
    record_hook_add("orders", HOOK_AFTER_READ, orders_after_read);
    record_hook_add("orders", HOOK_BEFORE_DELETE, orders_before_delete);
}

void sales_docs_init(void)
{
    if (!meta_entity("orders") || !meta_entity("quotes"))
        return;
    sd_quotes_init();
    sd_orders_init();
}
