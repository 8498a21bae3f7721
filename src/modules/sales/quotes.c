/* quotes.c — quotes (报价): created and edited through the record engine
 * with their lines (dochooks.c), revised into new versions that keep the
 * earlier ones, converted into orders, and loaded with everything a printed
 * quote shows. See sales.h. */
#include <string.h>

#include "docs.h"

/* Lines, tax rate and customer of a quote may change while it is a draft or
 * sent and not converted. */
static bool quote_editable(Ctx *c, json_t *old)
{
    const char *st = json_string_value(json_object_get(old, "status"));
    if (json_integer_value(json_object_get(old, "order_id")) > 0) {
        ctx_fail(c, GX_ECONFLICT, "%s",
                 sd_msg(c, "报价已转成订单,不能再修改明细;请修订出新版本",
                        "The quote was converted into an order; revise it to change its lines"));
        return false;
    }
    if (st && strcmp(st, "draft") && strcmp(st, "sent")) {
        ctx_fail(c, GX_ECONFLICT, "%s",
                 sd_msg(c, "只有草稿或已发送的报价可以修改明细;请修订出新版本",
                        "Only a draft or sent quote can change its lines; revise it instead"));
        return false;
    }
    return true;
}

static GxErr quotes_before_create(Ctx *c, HookArgs *a) { return sd_before_create(c, a, &sd_quotes, "quote_date"); }
static GxErr quotes_after_create(Ctx *c, HookArgs *a) { return sd_after_create(c, a, &sd_quotes); }
static GxErr quotes_before_update(Ctx *c, HookArgs *a) { return sd_before_update(c, a, &sd_quotes, quote_editable); }
static GxErr quotes_after_update(Ctx *c, HookArgs *a) { return sd_after_update(c, a, &sd_quotes); }
static GxErr quotes_after_read(Ctx *c, HookArgs *a) { return sd_after_read(c, a, &sd_quotes); }

/* The stored lines of a read document as API input lines (same products,
 * texts, quantities, prices and discounts). New reference. */
static json_t *lines_as_input(json_t *rec)
{
    json_t *out = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(rec, "lines"), i, l)
    {
        json_t *o = json_pack("{s:O, s:O, s:O, s:O, s:O}", "product_id", json_object_get(l, "product_id"),
                              "description", json_object_get(l, "description"), "quantity",
                              json_object_get(l, "quantity"), "unit_price", json_object_get(l, "unit_price"),
                              "discount_pct", json_object_get(l, "discount_pct"));
        json_array_append_new(out, o);
    }
    return out;
}

/* Copy the listed fields of rec (when set) into in. */
static void copy_fields(json_t *in, json_t *rec, const char *const *names)
{
    for (int i = 0; names[i]; i++) {
        json_t *v = json_object_get(rec, names[i]);
        if (v && !json_is_null(v))
            json_object_set(in, names[i], v);
    }
}

GxErr sales_quote_revise(Ctx *c, int64_t id, json_t **out)
{
    *out = NULL;
    const Entity *qe = meta_entity("quotes");
    json_t *q;
    GxErr rc = record_get(c, qe, id, &q);
    if (rc)
        return rc;
    static const char *const copied[] = {"customer_id", "contact_id", "opportunity_id", "valid_until", "tax_rate_pct",
                                         "notes", NULL};
    json_t *in = json_object();
    copy_fields(in, q, copied);
    json_object_set_new(in, "lines", lines_as_input(q));
    int64_t revision = json_integer_value(json_object_get(q, "revision"));
    json_decref(q);
    if (db_begin(c->db) != DB_OK) {
        json_decref(in);
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    }
    json_t *nq = NULL;
    rc = record_create(c, qe, in, &nq);
    json_decref(in);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    int64_t nid = json_integer_value(json_object_get(nq, "id"));
    json_decref(nq);
    DbVal p[] = {dbv_int(revision + 1), dbv_int(id), dbv_int(nid)};
    if (db_exec(c->db, "UPDATE quotes SET revision = $1, previous_id = $2 WHERE id = $3", p, 3) != DB_OK) {
        db_rollback(c->db);
        return ctx_fail(c, GX_EDB, "cannot store the revision");
    }
    if (db_commit(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot commit");
    return record_get(c, qe, nid, out);
}

GxErr sales_quote_convert(Ctx *c, int64_t id, int64_t *order_id)
{
    *order_id = 0;
    const Entity *qe = meta_entity("quotes");
    json_t *q;
    GxErr rc = record_get(c, qe, id, &q);
    if (rc)
        return rc;
    if (!c->elevated && !acl_row_in_scope(c, qe, ACT_EDIT, json_integer_value(json_object_get(q, "owner_id")),
                                          json_integer_value(json_object_get(q, "department_id")))) {
        json_decref(q);
        return ctx_fail(c, GX_EDENIED, "You may not change this quote");
    }
    const char *st = json_string_value(json_object_get(q, "status"));
    const char *valid = json_string_value(json_object_get(q, "valid_until"));
    char today[11];
    sd_today(today);
    int64_t existing = json_integer_value(json_object_get(q, "order_id"));
    if (existing > 0) {
        json_decref(q);
        return ctx_fail(c, GX_ECONFLICT, "%s %lld",
                        sd_msg(c, "该报价已转成订单,订单 id", "The quote was already converted into order"),
                        (long long)existing);
    }
    if ((st && (!strcmp(st, "rejected") || !strcmp(st, "expired"))) || (valid && strcmp(valid, today) < 0)) {
        bool rejected = st && !strcmp(st, "rejected");
        json_decref(q);
        return ctx_fail(c, GX_ECONFLICT, "%s",
                        rejected ? sd_msg(c, "已拒绝的报价不能转成订单", "A rejected quote cannot be converted into an order")
                                 : sd_msg(c, "已过期的报价不能转成订单;请修订出新版本",
                                          "An expired quote cannot be converted into an order; revise it first"));
    }
    static const char *const copied[] = {"customer_id", "contact_id", "opportunity_id", "tax_rate_pct", "notes", NULL};
    json_t *in = json_object();
    copy_fields(in, q, copied);
    json_object_set_new(in, "lines", lines_as_input(q));
    const char *old_status = st ? arena_strdup(c->arena, st) : "draft";
    json_decref(q);
    if (db_begin(c->db) != DB_OK) {
        json_decref(in);
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    }
    json_t *order = NULL;
    rc = record_create(c, meta_entity("orders"), in, &order);
    json_decref(in);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    int64_t oid = json_integer_value(json_object_get(order, "id"));
    json_decref(order);
    DbVal po[] = {dbv_int(id), dbv_int(oid)};
    DbVal pq[] = {dbv_int(oid), dbv_text(record_now(c)), c->who ? dbv_int(c->who->user_id) : dbv_null(), dbv_int(id)};
    if (db_exec(c->db, "UPDATE orders SET quote_id = $1 WHERE id = $2", po, 2) != DB_OK ||
        db_exec(c->db,
                "UPDATE quotes SET order_id = $1, status = 'accepted', version = version + 1, updated_at = $2,"
                " updated_by = $3 WHERE id = $4 AND order_id IS NULL AND deleted_at IS NULL",
                pq, 4) != DB_OK) {
        db_rollback(c->db);
        return ctx_fail(c, GX_EDB, "cannot link the quote and the order");
    }
    if (db_changes(c->db) != 1) {
        db_rollback(c->db);
        return ctx_fail(c, GX_ECONFLICT, "%s",
                        sd_msg(c, "该报价刚被转成订单", "The quote was converted meanwhile; reload it"));
    }
    if (strcmp(old_status, "accepted") && (rc = sd_status_logged(c, "quotes", id, old_status, "accepted"))) {
        db_rollback(c->db);
        return rc;
    }
    json_t *diff = json_pack("{s:[n, I]}", "order_id", (json_int_t)oid);
    rc = audit_write(c, "update", "quotes", id, diff);
    json_decref(diff);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    if (db_commit(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot commit");
    *order_id = oid;
    return GX_OK;
}

/* Name of a linked record (its title field) or NULL, read without a scope:
 * the caller has read the quote that links to it. */
static json_t *link_name(Ctx *c, const char *sql, json_t *id)
{
    if (!json_is_integer(id))
        return json_null();
    char *v = NULL;
    DbVal p[] = {dbv_int(json_integer_value(id))};
    if (db_query_text(c->db, c->arena, sql, p, 1, &v) != DB_OK || !v)
        return json_null();
    return json_string(v);
}

GxErr sales_quote_load(Ctx *c, int64_t id, json_t **out)
{
    json_t *q;
    GxErr rc = record_get(c, meta_entity("quotes"), id, &q);
    if (rc)
        return rc;
    json_object_set_new(q, "customer_name",
                        link_name(c, "SELECT name FROM customers WHERE id = $1", json_object_get(q, "customer_id")));
    json_object_set_new(q, "contact_name",
                        link_name(c, "SELECT name FROM contacts WHERE id = $1", json_object_get(q, "contact_id")));
    json_object_set_new(q, "owner_name",
                        link_name(c, "SELECT name FROM users WHERE id = $1", json_object_get(q, "owner_id")));
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(q, "lines"), i, l)
    {
        json_object_set_new(l, "product_code",
                            link_name(c, "SELECT code FROM products WHERE id = $1", json_object_get(l, "product_id")));
        json_object_set_new(l, "unit",
                            link_name(c, "SELECT unit FROM products WHERE id = $1", json_object_get(l, "product_id")));
    }
    *out = q;
    return GX_OK;
}

static GxErr quotes_before_purge(Ctx *c, HookArgs *a) { return sd_purge_lines(c, a, "quote_lines", "quote_id"); }

void sd_quotes_init(void)
{
    record_hook_add("quotes", HOOK_BEFORE_PURGE, quotes_before_purge);
    record_hook_add("quotes", HOOK_BEFORE_CREATE, quotes_before_create);
    record_hook_add("quotes", HOOK_AFTER_CREATE, quotes_after_create);
    record_hook_add("quotes", HOOK_BEFORE_UPDATE, quotes_before_update);
    record_hook_add("quotes", HOOK_AFTER_UPDATE, quotes_after_update);
    record_hook_add("quotes", HOOK_AFTER_READ, quotes_after_read);
}
