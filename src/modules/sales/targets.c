/* targets.c — monthly sales targets (销售目标) and their attainment.
 *
 * A target is a record (schema/sales_targets.json): month YYYY-MM, scope
 * user | department | product_line with its subject (user_id,
 * target_department_id, category_id), basis orders | receipts, amount (fen).
 * Who sees and sets it is the ordinary record ACL, made to mean the right
 * thing by the hooks here:
 *   - a person's target is owned by that person (a rep with the "own" scope
 *     sees exactly their own targets) and lies in their department;
 *   - a department's target is owned by the department's manager (else its
 *     creator) and lies in that department;
 *   - a product line's target is owned by its creator and lies in
 *     target_department_id when given (else the creator's department);
 *   - the creator's create (or edit) scope must cover the subject: a sales
 *     manager (department and below) sets targets for the people and
 *     departments under them, and nobody else's (403);
 *   - one live target per (month, scope, subject, basis): 409 otherwise.
 * Attainment (targets_report) for the month [M-01, next month-01):
 *   orders   Σ total of orders approved or later (approved, delivered,
 *            invoiced, closed) by order_date — owned by the user, or in the
 *            department or any department below it; for a product line Σ
 *            line_total of their lines whose product's category is the line
 *            or below it (and, with a department, of that department's
 *            orders);
 *   receipts Σ amount of payments by paid_on — owned by the user, or in the
 *            department subtree (product lines count orders only: 422).
 * Every sum runs under the viewer's read scope of orders / payments, so a
 * figure never reveals records the viewer may not see. */
#include <stdlib.h>
#include <string.h>

#include "../../acl/acl.h"
#include "../../base/clock.h"
#include "../../base/util.h"
#include "../../record/record.h"
#include "../modules.h"
#include "sales.h"

#define PURCHASE_STATUSES "('approved', 'delivered', 'invoiced', 'closed')"

bool targets_month_valid(const char *month)
{
    if (!month || strlen(month) != 7 || month[4] != '-')
        return false;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (month[i] < '0' || month[i] > '9'))
            return false;
    int y = atoi(month), m = atoi(month + 5);
    return y >= 1900 && y <= 9999 && m >= 1 && m <= 12;
}

/* The first day of month and of the month after ("YYYY-MM-01"), arena strings. */
static void month_bounds(Ctx *c, const char *month, const char **from, const char **to)
{
    int y = atoi(month), m = atoi(month + 5);
    *from = arena_printf(c->arena, "%04d-%02d-01", y, m);
    if (++m > 12) {
        m = 1;
        y++;
    }
    *to = arena_printf(c->arena, "%04d-%02d-01", y, m);
}

static int64_t int_of(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* The value of k after the change: the input's if given, else the stored one. */
static json_t *merged(HookArgs *a, const char *k)
{
    json_t *v = json_object_get(a->input, k);
    return v ? v : json_object_get(a->old, k);
}

static int64_t merged_id(HookArgs *a, const char *k)
{
    json_t *v = merged(a, k);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* An active user's department (0 if none); false if no such active user. */
static bool user_dept(Ctx *c, int64_t user, int64_t *dept)
{
    DbRes *r;
    DbVal p[] = {dbv_int(user)};
    *dept = 0;
    if (db_query(c->db, "SELECT department_id FROM users WHERE id = $1 AND active = 1 AND deleted_at IS NULL", p, 1,
                 &r) != DB_OK)
        return false;
    bool ok = db_next(r) == 1;
    if (ok && !db_isnull(r, 0))
        *dept = db_int(r, 0);
    db_done(r);
    return ok;
}

/* Before a target is stored: the subject fits the scope, the user may set
 * it, and the owner follows the subject. */
static GxErr check_target(Ctx *c, HookArgs *a)
{
    const Entity *e = a->e;
    const char *month = json_string_value(merged(a, "month"));
    if (json_object_get(a->input, "month") && !targets_month_valid(month))
        ctx_field(c, "month", "must be a month as YYYY-MM (e.g. 2026-11)");
    const char *scope = json_string_value(merged(a, "scope"));
    if (!scope && !a->old)
        scope = "user";
    const char *basis = json_string_value(merged(a, "basis"));
    if (!basis && !a->old)
        basis = "orders";
    if (!scope || !meta_option(meta_field(e, "scope"), scope))
        return c->err; /* the engine reports the bad or missing enum */
    int64_t user = merged_id(a, "user_id"), dept = merged_id(a, "target_department_id"),
            cat = merged_id(a, "category_id");
    bool is_user = !strcmp(scope, "user"), is_dept = !strcmp(scope, "department"), is_line = !strcmp(scope, "product_line");
    if (is_user && !user)
        ctx_field(c, "user_id", "is required for a person's target");
    if (!is_user && user)
        ctx_field(c, "user_id", "is only for a person's target");
    if (is_dept && !dept)
        ctx_field(c, "target_department_id", "is required for a department's target");
    if (is_user && dept)
        ctx_field(c, "target_department_id", "is not used for a person's target");
    if (is_line && !cat)
        ctx_field(c, "category_id", "is required for a product line's target");
    if (!is_line && cat)
        ctx_field(c, "category_id", "is only for a product line's target");
    if (is_line && basis && !strcmp(basis, "receipts"))
        ctx_field(c, "basis", "a product line's target counts orders (receipts are not split by product)");
    int64_t owner = 0, owner_dept = 0;
    if (is_user && user && !user_dept(c, user, &owner_dept))
        ctx_field(c, "user_id", "is not an active user");
    if (c->err)
        return c->err;
    if (is_user) {
        owner = user;
    } else {
        int64_t mgr = 0;
        bool found = false;
        DbVal p[] = {dbv_int(dept)};
        if (is_dept &&
            db_query_int(c->db, "SELECT manager_id FROM departments WHERE id = $1 AND deleted_at IS NULL", p, 1, &mgr,
                         &found) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read the department");
        int64_t md;
        if (is_dept && found && mgr && user_dept(c, mgr, &md))
            owner = mgr;
        else
            owner = a->old ? int_of(a->old, "owner_id") : (c->who ? c->who->user_id : 0);
        owner_dept = dept;
        if (!owner_dept && owner)
            user_dept(c, owner, &owner_dept);
    }
    Ctx plain = *c;
    plain.elevated = false;
    if (!acl_row_in_scope(&plain, e, a->old ? ACT_EDIT : ACT_CREATE, owner, owner_dept)) {
        ctx_fail(c, GX_EDENIED, "You may not set targets for this %s",
                 is_user ? "person" : is_dept ? "department" : "department's product line");
        if (!c->err_fields)
            c->err_fields = json_object();
        json_object_set_new(c->err_fields, is_user ? "user_id" : "target_department_id",
                            json_string("is outside the people and departments you manage"));
        return GX_EDENIED;
    }
    if (owner && owner != int_of(a->old, "owner_id"))
        json_object_set_new(a->input, "owner_id", json_integer(owner));
    return GX_OK;
}

/* After a target is stored (same transaction): its department follows the
 * subject, and it is the only live target of its kind. */
static GxErr place_target(Ctx *c, HookArgs *a)
{
    json_t *t = a->result;
    int64_t dept = int_of(t, "target_department_id");
    if (dept && dept != int_of(t, "department_id")) {
        DbVal p[] = {dbv_int(dept), dbv_int(a->id)};
        if (db_exec(c->db, "UPDATE sales_targets SET department_id = $1 WHERE id = $2", p, 2) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot place the target: %s", db_errmsg(c->db));
        json_object_set_new(t, "department_id", json_integer(dept));
    }
    DbVal q[] = {dbv_text(json_string_value(json_object_get(t, "month"))),
                 dbv_text(json_string_value(json_object_get(t, "scope"))),
                 dbv_text(json_string_value(json_object_get(t, "basis"))),
                 dbv_int(int_of(t, "user_id")),
                 dbv_int(dept),
                 dbv_int(int_of(t, "category_id")),
                 dbv_int(a->id)};
    int64_t n = 0;
    bool found;
    if (db_query_int(c->db,
                     "SELECT count(*) FROM sales_targets WHERE month = $1 AND scope = $2 AND basis = $3 AND"
                     " coalesce(user_id, 0) = $4 AND coalesce(target_department_id, 0) = $5 AND coalesce(category_id, 0)"
                     " = $6 AND id <> $7 AND deleted_at IS NULL",
                     q, 7, &n, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot check for a duplicate target: %s", db_errmsg(c->db));
    if (n > 0) {
        ctx_fail(c, GX_ECONFLICT, "There is already a target for this month, subject and basis; change that one");
        if (!c->err_fields)
            c->err_fields = json_object();
        json_object_set_new(c->err_fields, "month", json_string("already has a target for this subject and basis"));
        return GX_ECONFLICT;
    }
    return GX_OK;
}

/* ---------- attainment ---------- */

/* id and every descendant of id in a parent_id tree table (departments,
 * product_categories), appended as bound parameters "$a, $b …" to q. */
static GxErr subtree_params(Ctx *c, const char *table, int64_t id, Sql *q)
{
    /* Read the whole (small) tree once, then walk it. */
    DbRes *r;
    const char *sql = !strcmp(table, "departments") ? "SELECT id, parent_id FROM departments WHERE deleted_at IS NULL"
                                                    : "SELECT id, parent_id FROM product_categories WHERE deleted_at IS NULL";
    if (db_query(c->db, sql, NULL, 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read %s: %s", table, db_errmsg(c->db));
    size_t n = 0, cap = 0;
    int64_t *ids = NULL, *parents = NULL;
    while (db_next(r) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            ids = xrealloc(ids, cap * sizeof *ids);
            parents = xrealloc(parents, cap * sizeof *parents);
        }
        ids[n] = db_int(r, 0);
        parents[n] = db_isnull(r, 1) ? 0 : db_int(r, 1);
        n++;
    }
    db_done(r);
    int64_t *tree = xcalloc(n + 1, sizeof *tree);
    size_t nt = 0;
    tree[nt++] = id;
    for (size_t i = 0; i < nt; i++)
        for (size_t k = 0; k < n; k++) {
            if (parents[k] != tree[i])
                continue;
            bool seen = false;
            for (size_t m = 0; m < nt; m++)
                seen |= tree[m] == ids[k];
            if (!seen && nt <= n)
                tree[nt++] = ids[k];
        }
    for (size_t i = 0; i < nt; i++) {
        if (i)
            sql_raw(q, ", ");
        sql_param(q, dbv_int(tree[i]));
    }
    free(tree);
    free(ids);
    free(parents);
    return GX_OK;
}

/* The actual amount of target t in [from, to) under the viewer's scope. */
static GxErr actual_of(Ctx *c, json_t *t, const char *from, const char *to, int64_t *actual)
{
    *actual = 0;
    const char *scope = json_string_value(json_object_get(t, "scope"));
    const char *basis = json_string_value(json_object_get(t, "basis"));
    bool receipts = basis && !strcmp(basis, "receipts");
    const Entity *oe = meta_entity("orders"), *pe = meta_entity("payments");
    if (receipts ? !pe : !oe)
        return GX_OK;
    Sql q;
    sql_init(&q, c->arena);
    if (scope && !strcmp(scope, "product_line")) {
        if (!meta_entity("order_lines") || !meta_entity("products"))
            return GX_OK;
        sql_raw(&q, "SELECT coalesce(sum(l.line_total), 0) FROM order_lines l JOIN products p ON p.id = l.product_id"
                    " WHERE l.deleted_at IS NULL AND p.category_id IN (");
        GxErr rc = subtree_params(c, "product_categories", int_of(t, "category_id"), &q);
        if (rc)
            return rc;
        sql_raw(&q, ") AND l.order_id IN (SELECT id FROM orders WHERE deleted_at IS NULL AND status IN "
                    PURCHASE_STATUSES " AND order_date >= ");
        sql_param(&q, dbv_text(from));
        sql_raw(&q, " AND order_date < ");
        sql_param(&q, dbv_text(to));
        if (int_of(t, "target_department_id")) {
            sql_raw(&q, " AND department_id IN (");
            if ((rc = subtree_params(c, "departments", int_of(t, "target_department_id"), &q)))
                return rc;
            sql_raw(&q, ")");
        }
        acl_scope_predicate(c, oe, ACT_READ, &q);
        sql_raw(&q, ")");
    } else {
        if (receipts) {
            sql_raw(&q, "SELECT coalesce(sum(amount), 0) FROM payments WHERE deleted_at IS NULL AND paid_on >= ");
        } else {
            sql_raw(&q, "SELECT coalesce(sum(total), 0) FROM orders WHERE deleted_at IS NULL AND status IN "
                        PURCHASE_STATUSES " AND order_date >= ");
        }
        sql_param(&q, dbv_text(from));
        sql_raw(&q, receipts ? " AND paid_on < " : " AND order_date < ");
        sql_param(&q, dbv_text(to));
        if (scope && !strcmp(scope, "user")) {
            sql_raw(&q, " AND owner_id = ");
            sql_param(&q, dbv_int(int_of(t, "user_id")));
        } else {
            sql_raw(&q, " AND department_id IN (");
            GxErr rc = subtree_params(c, "departments", int_of(t, "target_department_id"), &q);
            if (rc)
                return rc;
            sql_raw(&q, ")");
        }
        acl_scope_predicate(c, receipts ? pe : oe, ACT_READ, &q);
    }
    bool found;
    if (db_query_int(c->db, q.text.data, q.params, q.n, actual, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot sum the %s: %s", receipts ? "payments" : "orders", db_errmsg(c->db));
    return GX_OK;
}

/* The display name of the target's subject (arena string). */
static const char *subject_name(Ctx *c, json_t *t)
{
    const char *scope = json_string_value(json_object_get(t, "scope"));
    const char *sql = "SELECT name FROM users WHERE id = $1";
    int64_t id = int_of(t, "user_id");
    if (scope && !strcmp(scope, "department")) {
        sql = "SELECT name FROM departments WHERE id = $1";
        id = int_of(t, "target_department_id");
    } else if (scope && !strcmp(scope, "product_line")) {
        sql = "SELECT name FROM product_categories WHERE id = $1";
        id = int_of(t, "category_id");
    }
    char *name = NULL;
    DbVal p[] = {dbv_int(id)};
    if (db_query_text(c->db, c->arena, sql, p, 1, &name) != DB_OK)
        ctx_clear(c);
    return name ? name : arena_printf(c->arena, "#%lld", (long long)id);
}

static int scope_rank(const char *scope)
{
    return !scope ? 3 : !strcmp(scope, "department") ? 0 : !strcmp(scope, "user") ? 1 : 2;
}

static int cmp_rows(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int d = scope_rank(json_string_value(json_object_get(x, "scope"))) -
            scope_rank(json_string_value(json_object_get(y, "scope")));
    if (d)
        return d;
    d = strcmp(json_string_value(json_object_get(x, "subject")), json_string_value(json_object_get(y, "subject")));
    if (d)
        return d;
    return (int)(int_of(x, "id") - int_of(y, "id"));
}

GxErr targets_report(Ctx *c, const char *month, json_t **out)
{
    *out = NULL;
    const Entity *e = meta_entity("sales_targets");
    if (!month || !*month) {
        ctx_field(c, "month", "is required (YYYY-MM)");
        return c->err;
    }
    if (!targets_month_valid(month)) {
        ctx_field(c, "month", "must be a month as YYYY-MM (e.g. 2026-11)");
        return c->err;
    }
    if (acl_scope(c, e, ACT_READ) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not read sales targets");
    json_t *where = json_pack("{s:[{s:s, s:s, s:s}]}", "and", "field", "month", "op", "eq", "value", month);
    ListQuery lq = {.where = where, .limit = RECORD_LIMIT_MAX, .action = ACT_READ, .sort = "month"};
    json_t *rows = NULL;
    GxErr rc = record_list(c, e, &lq, &rows, NULL);
    json_decref(where);
    if (rc)
        return rc;
    const char *from, *to;
    month_bounds(c, month, &from, &to);
    size_t n = json_array_size(rows);
    json_t **list = xcalloc(n ? n : 1, sizeof *list);
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *t = json_array_get(rows, i);
        int64_t actual = 0, amount = int_of(t, "amount");
        if ((rc = actual_of(c, t, from, to, &actual)))
            break;
        json_t *row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I}", "id", (json_int_t)int_of(t, "id"), "month",
                                month, "scope", json_string_value(json_object_get(t, "scope")), "basis",
                                json_string_value(json_object_get(t, "basis")), "subject", subject_name(c, t),
                                "target", (json_int_t)amount, "actual", (json_int_t)actual);
        static const char *links[] = {"user_id", "target_department_id", "category_id", "owner_id", "department_id"};
        for (size_t k = 0; k < sizeof links / sizeof links[0]; k++)
            json_object_set(row, links[k], json_object_get(t, links[k]) ? json_object_get(t, links[k]) : json_null());
        /* Attainment: a ratio, not money — percent with one decimal, from an
         * exact integer count of tenths rounded half-up; none for a zero target. */
        if (amount > 0) {
            int64_t tenths = (actual * 1000 + amount / 2) / amount;
            json_object_set_new(row, "pct", json_real((double)tenths / 10.0));
        }
        else
            json_object_set_new(row, "pct", json_null());
        json_object_set_new(row, "version", json_integer(int_of(t, "version")));
        list[i] = row;
    }
    json_decref(rows);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            json_decref(list[i]);
        free(list);
        return rc;
    }
    qsort(list, n, sizeof *list, cmp_rows);
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(data, list[i]);
    free(list);
    *out = json_pack("{s:s, s:s, s:s, s:o}", "month", month, "from", from, "to", to, "data", data);
    return GX_OK;
}

void targets_module_init(void)
{
    if (!meta_entity("sales_targets"))
        return;
    record_hook_add("sales_targets", HOOK_BEFORE_CREATE, check_target);
    record_hook_add("sales_targets", HOOK_BEFORE_UPDATE, check_target);
    record_hook_add("sales_targets", HOOK_AFTER_CREATE, place_target);
    record_hook_add("sales_targets", HOOK_AFTER_UPDATE, place_target);
}
