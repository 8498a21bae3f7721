/* checkouts.c — the checkout desk (结账中心): what a member or a walk-in
 * guest used (booked or ad-hoc resource time, consumables) is priced on the
 * server, the member type's discount applied, paid in cash, by card, from
 * stored value or with a count card, points awarded, and written as one
 * transaction: the checkout, its lines, the member's accounts and ledger,
 * and the bookings marked checked out — or nothing at all.
 *
 * POST /api/v1/checkouts goes through the record engine: the before-create
 * hook checks the request's shape (no transaction yet), the after-create
 * hook, inside the engine's transaction, prices and books everything; any
 * failure there rolls the whole checkout back. */
#include <stdio.h>
#include <string.h>

#include "../../base/util.h"
#include "internal.h"

#define MS_MAX_LINES 200

/* A priced line. */
typedef struct Line {
    int64_t resource_id, booking_id;
    const char *name, *kind;
    const char *start_at, *end_at; /* time-based lines, or NULL */
    int64_t quantity;              /* units, or minutes for time-based lines */
    int64_t unit_price;            /* per unit, or per hour */
    int64_t amount, discount, total;
    int64_t points; /* resource's points per unit × units (or per line for time) */
} Line;

static void line_error(Ctx *c, size_t i, const char *key, const char *msg)
{
    ctx_field(c, arena_printf(c->arena, "lines[%zu].%s", i, key), "%s", msg);
}

/* Shape of the request, before the transaction: member by card number,
 * lines well formed, quantities positive, payment possible. */
static GxErr checkouts_before_create(Ctx *c, HookArgs *a)
{
    json_t *in = a->input;
    json_t *card = json_object_get(in, "card_no");
    if (card) {
        if (!json_is_string(card) || !*json_string_value(card)) {
            ctx_field(c, "card_no", "must be a card number");
            return c->err;
        }
        json_t *where =
            json_pack("{s:[{s:s, s:s, s:s}]}", "and", "field", "card_no", "op", "eq", "value", json_string_value(card));
        ListQuery lq = {.where = where, .limit = 1, .action = ACT_READ};
        json_t *rows;
        GxErr rc = record_list(c, meta_entity("customers"), &lq, &rows, NULL);
        json_decref(where);
        if (rc)
            return rc;
        if (json_array_size(rows) == 0) {
            json_decref(rows);
            ctx_field(c, "card_no", "%s", ms_msg(c, "没有这个卡号的会员", "no member has this card number"));
            return c->err;
        }
        json_object_set(in, "customer_id", json_object_get(json_array_get(rows, 0), "id"));
        json_decref(rows);
        json_object_del(in, "card_no");
    }
    json_t *cust = json_object_get(in, "customer_id");
    bool member = json_is_integer(cust) && json_integer_value(cust) > 0;
    json_t *guest = json_object_get(in, "guest_name");
    if (!member && !(json_is_string(guest) && *json_string_value(guest)) &&
        !json_object_get(c->err_fields, "customer_id"))
        json_object_set_new(in, "guest_name", json_string(ms_msg(c, "散客", "Walk-in guest")));
    const char *pm = json_string_value(json_object_get(in, "payment_method"));
    if (!member && pm && (!strcmp(pm, "stored_value") || !strcmp(pm, "count_card")))
        ctx_field(c, "payment_method", "%s",
                  ms_msg(c, "散客不能使用储值卡或次卡", "a walk-in guest cannot pay with a member card"));
    json_t *lines = json_object_get(in, "lines");
    if (!json_is_array(lines) || json_array_size(lines) == 0) {
        ctx_field(c, "lines", "%s", ms_msg(c, "至少需要一项消费", "at least one line is required"));
        return c->err;
    }
    if (json_array_size(lines) > MS_MAX_LINES) {
        ctx_field(c, "lines", "has more than %d lines", MS_MAX_LINES);
        return c->err;
    }
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        if (!json_is_object(l)) {
            line_error(c, i, "resource_id", "must be an object");
            continue;
        }
        json_t *bk = json_object_get(l, "booking_id"), *res = json_object_get(l, "resource_id");
        json_t *q = json_object_get(l, "quantity"), *s = json_object_get(l, "start_at"),
               *e = json_object_get(l, "end_at");
        if (bk && !json_is_null(bk)) {
            if (!json_is_integer(bk) || json_integer_value(bk) <= 0)
                line_error(c, i, "booking_id", "must be a booking id");
            continue;
        }
        if (!json_is_integer(res) || json_integer_value(res) <= 0) {
            line_error(c, i, "resource_id", ms_msg(c, "请选择资源", "is required (a resource id)"));
            continue;
        }
        if (q && !json_is_null(q)) {
            if (!json_is_integer(q) || json_integer_value(q) <= 0)
                line_error(c, i, "quantity", ms_msg(c, "数量必须是正整数", "must be a positive whole number"));
            else if (json_integer_value(q) > 100000)
                line_error(c, i, "quantity", "is too large");
            continue;
        }
        int64_t t0, t1;
        if (!json_is_string(s) || !time_parse_rfc3339(json_string_value(s), &t0))
            line_error(c, i, "start_at",
                       ms_msg(c, "需要开始时间(RFC 3339)或数量", "needs a start time (RFC 3339) or a quantity"));
        else if (!json_is_string(e) || !time_parse_rfc3339(json_string_value(e), &t1))
            line_error(c, i, "end_at", ms_msg(c, "需要结束时间(RFC 3339)", "needs an end time (RFC 3339)"));
        else if (t1 <= t0)
            line_error(c, i, "end_at", ms_msg(c, "结束时间必须晚于开始时间", "must be after the start"));
        else if (t1 - t0 > 7 * 86400)
            line_error(c, i, "end_at", "is more than a week after the start");
    }
    return c->err;
}

/* Price one line (inside the transaction). Errors name lines[i]. */
static GxErr price_line(Ctx *c, size_t i, json_t *l, int64_t customer_id, Line *out)
{
    memset(out, 0, sizeof *out);
    const Entity *be = meta_entity("bookings");
    json_t *bk = json_object_get(l, "booking_id");
    int64_t rid = json_integer_value(json_object_get(l, "resource_id"));
    if (json_is_integer(bk)) {
        DbVal p[] = {dbv_int(json_integer_value(bk))};
        DbRes *r;
        if (db_query(c->db,
                     "SELECT resource_id, start_at, end_at, status, customer_id, owner_id, department_id FROM bookings"
                     " WHERE id = $1 AND deleted_at IS NULL",
                     p, 1, &r) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read the booking");
        int s = db_next(r);
        bool visible = false;
        const char *status = "";
        int64_t bcust = 0;
        if (s == 1) {
            visible = acl_row_in_scope(c, be, ACT_READ, db_isnull(r, 5) ? 0 : db_int(r, 5),
                                       db_isnull(r, 6) ? 0 : db_int(r, 6));
            rid = db_int(r, 0);
            out->start_at = arena_strdup(c->arena, db_text(r, 1));
            out->end_at = arena_strdup(c->arena, db_text(r, 2));
            status = arena_strdup(c->arena, db_text(r, 3) ? db_text(r, 3) : "");
            bcust = db_isnull(r, 4) ? 0 : db_int(r, 4);
        }
        db_done(r);
        if (s < 0)
            return ctx_fail(c, GX_EDB, "cannot read the booking");
        if (s == 0 || !visible) {
            line_error(c, i, "booking_id", ms_msg(c, "没有这个预定", "no such booking"));
            return c->err;
        }
        if (strcmp(status, "booked")) {
            line_error(c, i, "booking_id",
                       ms_msg(c, "该预定已结账或已取消", "this booking is already checked out or cancelled"));
            return c->err;
        }
        if (bcust && bcust != customer_id) {
            line_error(c, i, "booking_id", ms_msg(c, "该预定属于另一位会员", "this booking belongs to another member"));
            return c->err;
        }
        out->booking_id = json_integer_value(bk);
        DbVal u[] = {dbv_text(record_now(c)), c->who ? dbv_int(c->who->user_id) : dbv_null(), dbv_int(out->booking_id)};
        if (db_exec(c->db,
                    "UPDATE bookings SET status = 'completed', updated_at = $1, updated_by = $2, version = version + 1"
                    " WHERE id = $3 AND status = 'booked' AND deleted_at IS NULL",
                    u, 3) != DB_OK ||
            db_changes(c->db) != 1) {
            ctx_fail(c, GX_ECONFLICT, "%s",
                     ms_msg(c, "该预定刚被修改,请重试", "The booking changed meanwhile; try again"));
            return c->err;
        }
        json_t *diff = json_pack("{s:[s, s]}", "status", "booked", "completed");
        GxErr rc = audit_write(c, "update", "bookings", out->booking_id, diff);
        json_decref(diff);
        if (rc)
            return rc;
    } else {
        const char *s = json_string_value(json_object_get(l, "start_at"));
        const char *e = json_string_value(json_object_get(l, "end_at"));
        int64_t t;
        char buf[64];
        if (s && time_parse_rfc3339(s, &t)) {
            time_format_s(t, buf);
            out->start_at = arena_strdup(c->arena, buf);
        }
        if (e && time_parse_rfc3339(e, &t)) {
            time_format_s(t, buf);
            out->end_at = arena_strdup(c->arena, buf);
        }
    }
    if (acl_scope(c, meta_entity("resources"), ACT_READ) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not read resources");
    DbVal p[] = {dbv_int(rid)};
    DbRes *r;
    if (db_query(c->db,
                 "SELECT name, kind, price_per_hour, unit_price, points, active FROM resources WHERE id = $1 AND "
                 "deleted_at IS NULL",
                 p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the resource");
    int s = db_next(r);
    int64_t per_hour = 0, per_unit = 0;
    bool active = true;
    if (s == 1) {
        out->name = arena_strdup(c->arena, db_text(r, 0) ? db_text(r, 0) : "");
        out->kind = arena_strdup(c->arena, db_text(r, 1) ? db_text(r, 1) : "venue");
        per_hour = db_isnull(r, 2) ? 0 : db_int(r, 2);
        per_unit = db_isnull(r, 3) ? 0 : db_int(r, 3);
        out->points = db_isnull(r, 4) ? 0 : db_int(r, 4);
        active = db_isnull(r, 5) || db_int(r, 5) != 0;
    }
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read the resource");
    if (s == 0) {
        line_error(c, i, "resource_id", ms_msg(c, "没有这个资源", "no such resource"));
        return c->err;
    }
    if (!active && !out->booking_id) {
        line_error(c, i, "resource_id", ms_msg(c, "该资源已停用", "this resource is disabled"));
        return c->err;
    }
    out->resource_id = rid;
    json_t *q = json_object_get(l, "quantity");
    bool consumable = !strcmp(out->kind, "consumable");
    if (consumable) {
        if (!json_is_integer(q)) {
            line_error(c, i, "quantity", ms_msg(c, "消费品需要数量", "a consumable needs a quantity"));
            return c->err;
        }
        out->quantity = json_integer_value(q);
        out->unit_price = per_unit;
        out->start_at = out->end_at = NULL;
        if (!ms_unit_amount(per_unit, out->quantity, &out->amount))
            goto too_large;
        if (__builtin_mul_overflow(out->points, out->quantity, &out->points))
            goto too_large;
        return GX_OK;
    }
    out->unit_price = per_hour;
    if (out->start_at && out->end_at && !json_is_integer(q)) {
        int64_t t0, t1;
        time_parse_rfc3339(out->start_at, &t0);
        time_parse_rfc3339(out->end_at, &t1);
        out->quantity = (t1 - t0) / 60;
    } else {
        out->quantity = json_integer_value(q) * 60; /* hours */
        out->start_at = out->end_at = NULL;
    }
    if (!ms_time_amount(per_hour, out->quantity, &out->amount))
        goto too_large;
    return GX_OK;
too_large:
    line_error(c, i, "quantity", "is too large");
    return c->err;
}

static json_t *line_json(const Line *l)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "resource_id", (json_int_t)l->resource_id, "name",
                          l->name, "kind", l->kind, "quantity", (json_int_t)l->quantity, "unit_price",
                          (json_int_t)l->unit_price, "amount", (json_int_t)l->amount, "discount",
                          (json_int_t)l->discount, "total", (json_int_t)l->total);
    if (l->booking_id)
        json_object_set_new(o, "booking_id", json_integer(l->booking_id));
    if (l->start_at) {
        json_object_set_new(o, "start_at", json_string(l->start_at));
        json_object_set_new(o, "end_at", json_string(l->end_at));
        json_object_set_new(o, "minutes", json_integer(l->quantity));
    }
    return o;
}

static GxErr insert_line(Ctx *c, int64_t checkout_id, int64_t customer_id, const char *day, const char *pm,
                         const Line *l)
{
    const char *now = record_now(c);
    DbVal who = c->who ? dbv_int(c->who->user_id) : dbv_null();
    const char *desc = l->start_at ? l->name : arena_printf(c->arena, "%s × %lld", l->name, (long long)l->quantity);
    DbVal p[] = {dbv_text(now),
                 who,
                 dbv_int(checkout_id),
                 dbv_text(day),
                 customer_id ? dbv_int(customer_id) : dbv_null(),
                 dbv_int(l->resource_id),
                 dbv_text(l->kind),
                 l->booking_id ? dbv_int(l->booking_id) : dbv_null(),
                 dbv_text(desc),
                 dbv_text(l->start_at),
                 dbv_text(l->end_at),
                 dbv_int(l->quantity),
                 dbv_int(l->unit_price),
                 dbv_int(l->amount),
                 dbv_int(l->discount),
                 dbv_int(l->total),
                 dbv_text(pm)};
    if (db_exec(
            c->db,
            "INSERT INTO checkout_lines(created_at, created_by, updated_at, updated_by, version, owner_id, checkout_id,"
            " business_day, customer_id, resource_id, resource_kind, booking_id, description, start_at, end_at, "
            "quantity,"
            " unit_price, amount, discount, total, payment_method)"
            " VALUES ($1, $2, $1, $2, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            p, 17) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot store the checkout lines");
    return GX_OK;
}

/* Inside the engine's transaction: price, pay, book. */
static GxErr checkouts_after_create(Ctx *c, HookArgs *a)
{
    json_t *rec = a->result;
    json_t *lines_in = json_object_get(a->input, "lines");
    size_t n = json_array_size(lines_in);
    int64_t cid = json_integer_value(json_object_get(rec, "customer_id"));
    const char *pm = json_string_value(json_object_get(rec, "payment_method"));
    if (!pm)
        pm = "cash";
    char today[11];
    ms_today(today);
    Member m = {0};
    MemberType t = {0};
    bool member = false, expired = false;
    GxErr rc;
    if (cid) {
        if ((rc = ms_member_load(c, cid, true, &m)))
            return rc;
        if (m.member_type_id && (rc = ms_type_load(c, m.member_type_id, &t)))
            return rc;
        member = m.member_type_id != 0;
        expired = ms_expired_on(&m, today);
    }
    Line *lines = arena_alloc(c->arena, (n ? n : 1) * sizeof *lines);
    int64_t due = 0, points_extra = 0;
    for (size_t i = 0; i < n; i++) {
        if ((rc = price_line(c, i, json_array_get(lines_in, i), cid, &lines[i])))
            return rc;
        if (__builtin_add_overflow(due, lines[i].amount, &due) ||
            __builtin_add_overflow(points_extra, lines[i].points, &points_extra)) {
            ctx_field(c, "lines", "add up to too large an amount");
            return c->err;
        }
    }
    /* Member benefits apply while the membership is valid. */
    int64_t discount = member && !expired ? ms_discount(due, t.discount_pct) : 0;
    int64_t extra = json_integer_value(json_object_get(rec, "extra_discount"));
    if (extra > due - discount) {
        ctx_field(c, "extra_discount", "%s", ms_msg(c, "优惠不能使合计为负", "would make the total negative"));
        return c->err;
    }
    int64_t total = due - discount - extra;
    MemberDelta d = {.payment_method = pm, .visit_at = record_now(c)};
    if (!strcmp(pm, "count_card")) {
        if (!member || strcmp(t.card_kind, "count")) {
            ctx_field(c, "payment_method", "%s", ms_msg(c, "该会员没有次卡", "this member has no count card"));
            return c->err;
        }
        if (expired) {
            ctx_field(c, "payment_method", "%s", ms_msg(c, "次卡已过期", "the count card has expired"));
            return c->err;
        }
        for (size_t i = 0; i < n; i++)
            if (!t.count_kind || strcmp(lines[i].kind, t.count_kind)) {
                line_error(c, i, "resource_id",
                           ms_msg(c, "次卡不适用于该资源", "the count card does not cover this resource"));
                return c->err;
            }
        d.count = -(int64_t)n;
        discount = due - extra; /* the card covers the rest */
        total = 0;
    }
    int64_t parts_in[MS_MAX_LINES], parts[MS_MAX_LINES];
    for (size_t i = 0; i < n; i++)
        parts_in[i] = lines[i].amount;
    ms_spread(parts_in, (int)n, discount + extra, parts);
    for (size_t i = 0; i < n; i++) {
        lines[i].discount = parts[i];
        lines[i].total = lines[i].amount - parts[i];
    }
    json_t *paid_j = json_object_get(rec, "amount_paid");
    int64_t paid = json_is_integer(paid_j) ? json_integer_value(paid_j) : total;
    int64_t change = 0, from_balance = 0, from_bonus = 0;
    if (!strcmp(pm, "stored_value")) {
        if (m.balance + m.bonus < total) {
            char have[32], want[32];
            snprintf(have, sizeof have, "%lld.%02lld", (long long)((m.balance + m.bonus) / 100),
                     (long long)((m.balance + m.bonus) % 100));
            snprintf(want, sizeof want, "%lld.%02lld", (long long)(total / 100), (long long)(total % 100));
            ctx_field(c, "payment_method", "%s",
                      arena_printf(c->arena, "%s ¥%s < ¥%s",
                                   ms_msg(c, "储值余额不足:", "the stored value is not enough:"), have, want));
            return c->err;
        }
        from_balance = total < m.balance ? total : m.balance;
        from_bonus = total - from_balance;
        d.balance = -from_balance;
        d.bonus = -from_bonus;
        paid = total;
    } else if (!strcmp(pm, "count_card")) {
        paid = 0;
    } else {
        if (paid < total) {
            ctx_field(c, "amount_paid", "%s", ms_msg(c, "实收金额少于合计", "is less than the total"));
            return c->err;
        }
        change = paid - total;
    }
    int64_t points = 0;
    char pexp[11] = "";
    if (member && !expired) {
        points = ms_points_for(total, t.points_per_yuan) + points_extra;
        if (t.points_valid_months > 0)
            ms_add_months(today, (int)t.points_valid_months, pexp);
    }
    const char *number = json_string_value(json_object_get(rec, "number"));
    d.points = points;
    d.points_expire_on = *pexp ? pexp : NULL;
    d.checkout_id = a->id;
    d.reason = arena_printf(c->arena, "消费 Checkout %s", number ? number : "");
    if (cid) {
        if ((rc = ms_member_apply(c, &m, &d, "payment_method")))
            return rc;
    }
    json_t *out_lines = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(out_lines, line_json(&lines[i]));
        if ((rc = insert_line(c, a->id, cid, today, pm, &lines[i])) ||
            (rc = ms_summary_add_line(c, today, lines[i].resource_id, lines[i].quantity, lines[i].total))) {
            json_decref(out_lines);
            return rc;
        }
    }
    if ((rc = ms_summary_add(c, today, total, !strcmp(pm, "cash") || !strcmp(pm, "card") ? total : 0)) ||
        (cid && (rc = ms_summary_member(c, today, cid, total, discount, points)))) {
        json_decref(out_lines);
        return rc;
    }
    char *lines_text = json_dumps(out_lines, JSON_COMPACT);
    DbVal p[] = {dbv_text(lines_text), dbv_int(due),          dbv_int(discount),   dbv_int(total),
                 dbv_int(change),      dbv_int(from_balance), dbv_int(from_bonus), dbv_int(points),
                 dbv_int(expired),     dbv_text(today),       dbv_int(paid),       dbv_int(a->id)};
    int dbrc =
        db_exec(c->db,
                "UPDATE checkouts SET lines = $1, amount_due = $2, discount = $3, total = $4, change_given = $5,"
                " balance_used = $6, bonus_used = $7, points_awarded = $8, member_expired = $9, business_day = $10,"
                " amount_paid = $11 WHERE id = $12",
                p, 12);
    free(lines_text);
    if (dbrc != DB_OK) {
        json_decref(out_lines);
        return ctx_fail(c, GX_EDB, "cannot store the checkout");
    }
    json_object_set_new(rec, "lines", out_lines);
    json_object_set_new(rec, "amount_due", json_integer(due));
    json_object_set_new(rec, "discount", json_integer(discount));
    json_object_set_new(rec, "total", json_integer(total));
    json_object_set_new(rec, "change_given", json_integer(change));
    json_object_set_new(rec, "balance_used", json_integer(from_balance));
    json_object_set_new(rec, "bonus_used", json_integer(from_bonus));
    json_object_set_new(rec, "points_awarded", json_integer(points));
    json_object_set_new(rec, "member_expired", json_boolean(expired));
    json_object_set_new(rec, "business_day", json_string(today));
    json_object_set_new(rec, "amount_paid", json_integer(paid));
    return GX_OK;
}

/* Checkouts are records of money taken: they are not edited or deleted. */
static GxErr checkouts_before_change(Ctx *c, HookArgs *a)
{
    (void)a;
    return ctx_fail(
        c, GX_ECONFLICT, "%s",
        ms_msg(c, "结账单不能修改或删除", "A checkout cannot be changed or deleted; record a new one instead"));
}

void ms_checkouts_init(void)
{
    record_hook_add("checkouts", HOOK_BEFORE_CREATE, checkouts_before_create);
    record_hook_add("checkouts", HOOK_AFTER_CREATE, checkouts_after_create);
    record_hook_add("checkouts", HOOK_BEFORE_UPDATE, checkouts_before_change);
    record_hook_add("checkouts", HOOK_BEFORE_DELETE, checkouts_before_change);
}
