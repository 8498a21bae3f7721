/* members.c — members are customers with a card: numbering, join and expiry
 * dates, top-ups with bonus money, renewals, and the ledger (会员账户流水)
 * that records every change of balance, bonus, points and uses. Accounts
 * change only here (the fields are read-only to the generic API). */
#include <stdio.h>
#include <string.h>

#include "../../base/util.h"
#include "internal.h"

const char *ms_msg(const Ctx *c, const char *zh, const char *en)
{
    return c->lang && !strcmp(c->lang, "en") ? en : zh;
}

void ms_copy_err(Ctx *c, const Ctx *w)
{
    c->err = w->err;
    c->err_code = w->err_code;
    c->err_msg = w->err_msg;
    c->err_fields = w->err_fields;
}

void ms_today(char out[11])
{
    ms_business_day(time_now_ms() / 1000, out);
}

bool ms_expired_on(const Member *m, const char *day)
{
    return m->member_type_id && m->expires_on && strcmp(m->expires_on, day) < 0;
}

static const char *text_or_null(Ctx *c, DbRes *r, int col)
{
    return db_isnull(r, col) ? NULL : arena_strdup(c->arena, db_text(r, col));
}

GxErr ms_member_load(Ctx *c, int64_t id, bool lock, Member *m)
{
    memset(m, 0, sizeof *m);
    const char *sql =
        lock && db_dialect(c->db) == DB_PG
            ? "SELECT id, member_type_id, balance, bonus_balance, points, count_left, expires_on, name, card_no"
              " FROM customers WHERE id = $1 AND deleted_at IS NULL FOR UPDATE"
            : "SELECT id, member_type_id, balance, bonus_balance, points, count_left, expires_on, name, card_no"
              " FROM customers WHERE id = $1 AND deleted_at IS NULL";
    DbVal p[] = {dbv_int(id)};
    DbRes *r;
    if (db_query(c->db, sql, p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the member");
    int s = db_next(r);
    if (s == 1) {
        m->id = db_int(r, 0);
        m->member_type_id = db_isnull(r, 1) ? 0 : db_int(r, 1);
        m->balance = db_int(r, 2);
        m->bonus = db_int(r, 3);
        m->points = db_int(r, 4);
        m->count_left = db_int(r, 5);
        m->expires_on = text_or_null(c, r, 6);
        m->name = text_or_null(c, r, 7);
        m->card_no = text_or_null(c, r, 8);
    }
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read the member");
    if (s == 0)
        return ctx_fail(c, GX_ENOTFOUND, "No such customers record (id %lld)", (long long)id);
    return GX_OK;
}

GxErr ms_type_load(Ctx *c, int64_t id, MemberType *t)
{
    memset(t, 0, sizeof *t);
    DbVal p[] = {dbv_int(id)};
    DbRes *r;
    if (db_query(c->db,
                 "SELECT id, name, card_kind, count_kind, discount_pct, annual_fee, valid_months, topup_threshold,"
                 " topup_bonus, count_uses, points_per_yuan, points_valid_months, active"
                 " FROM member_types WHERE id = $1 AND deleted_at IS NULL",
                 p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the member type");
    int s = db_next(r);
    if (s == 1) {
        t->id = db_int(r, 0);
        t->name = text_or_null(c, r, 1);
        t->card_kind = text_or_null(c, r, 2);
        t->count_kind = text_or_null(c, r, 3);
        int64_t *nums[] = {&t->discount_pct, &t->annual_fee, &t->valid_months,    &t->topup_threshold,
                           &t->topup_bonus,  &t->count_uses, &t->points_per_yuan, &t->points_valid_months};
        for (int i = 0; i < 8; i++)
            *nums[i] = db_isnull(r, 4 + i) ? 0 : db_int(r, 4 + i);
        t->active = db_isnull(r, 12) || db_int(r, 12) != 0;
    }
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read the member type");
    if (s == 0)
        return ctx_fail(c, GX_ENOTFOUND, "No such member_types record (id %lld)", (long long)id);
    if (!t->card_kind)
        t->card_kind = "discount";
    return GX_OK;
}

static GxErr ledger_add(Ctx *c, const Member *m, const char *kind, int64_t delta, int64_t after, const MemberDelta *d,
                        const char *expires_on)
{
    const char *now = record_now(c);
    DbVal who = c->who ? dbv_int(c->who->user_id) : dbv_null();
    DbVal p[] = {dbv_text(now),
                 who,
                 dbv_int(m->id),
                 dbv_text(kind),
                 dbv_int(delta),
                 dbv_int(after),
                 dbv_text(d->reason),
                 d->checkout_id ? dbv_int(d->checkout_id) : dbv_null(),
                 dbv_text(d->payment_method),
                 dbv_text(expires_on),
                 dbv_text(ms_ledger_day(c))};
    if (db_exec(
            c->db,
            "INSERT INTO member_ledger(created_at, created_by, updated_at, updated_by, version, owner_id, customer_id,"
            " kind, delta, after, reason, checkout_id, payment_method, expires_on, business_day)"
            " VALUES ($1, $2, $1, $2, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            p, 11) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot write the member ledger");
    return GX_OK;
}

const char *ms_ledger_day(Ctx *c)
{
    int64_t t;
    char *day = arena_alloc(c->arena, 11);
    if (!time_parse_rfc3339(record_now(c), &t))
        t = time_now_ms() / 1000;
    ms_business_day(t, day);
    return day;
}

static void diff_pair(json_t *diff, const char *field, int64_t before, int64_t after)
{
    if (before != after)
        json_object_set_new(diff, field, json_pack("[I, I]", (json_int_t)before, (json_int_t)after));
}

GxErr ms_member_apply(Ctx *c, Member *m, const MemberDelta *d, const char *field)
{
    Member n = *m;
    if (__builtin_add_overflow(m->balance, d->balance, &n.balance) ||
        __builtin_add_overflow(m->bonus, d->bonus, &n.bonus) ||
        __builtin_add_overflow(m->points, d->points, &n.points) ||
        __builtin_add_overflow(m->count_left, d->count, &n.count_left)) {
        ctx_field(c, field, "is too large");
        return c->err;
    }
    if (n.balance < 0 || n.bonus < 0) {
        ctx_field(c, field, "%s", ms_msg(c, "储值余额不足", "the stored value is not enough"));
        return c->err;
    }
    if (n.points < 0) {
        ctx_field(c, field, "%s", ms_msg(c, "积分不足", "not enough points"));
        return c->err;
    }
    if (n.count_left < 0) {
        ctx_field(c, field, "%s", ms_msg(c, "次卡次数不足", "no uses left on the count card"));
        return c->err;
    }
    /* The accounts are the desk's, kept like a customer's purchases (sales'
     * customer value): moving them does not make the customer "updated" —
     * updated_at/updated_by stay, so the three customer indexes that hold
     * updated_at are not rewritten at every checkout (two leaf pages each,
     * scattered over the index); the ledger lines and the audit entry below
     * say who, when and why. The version still moves (a changed record). */
    DbVal p[] = {dbv_int(n.balance),    dbv_int(n.bonus), dbv_int(n.points),
                 dbv_int(n.count_left), dbv_int(m->id),   dbv_text(d->visit_at)};
    if (db_exec(c->db,
                "UPDATE customers SET balance = $1, bonus_balance = $2, points = $3, count_left = $4,"
                " last_visit_at = coalesce($6, last_visit_at), version = version + 1"
                " WHERE id = $5 AND deleted_at IS NULL",
                p, 6) != DB_OK ||
        db_changes(c->db) != 1)
        return ctx_fail(c, GX_EDB, "cannot update the member's accounts");
    GxErr rc;
    if ((d->balance && (rc = ledger_add(c, m, "balance", d->balance, n.balance, d, NULL))) ||
        (d->bonus && (rc = ledger_add(c, m, "bonus", d->bonus, n.bonus, d, NULL))) ||
        (d->points &&
         (rc = ledger_add(c, m, "points", d->points, n.points, d, d->points > 0 ? d->points_expire_on : NULL))) ||
        (d->count && (rc = ledger_add(c, m, "count", d->count, n.count_left, d, NULL))))
        return rc;
    json_t *diff = json_object();
    diff_pair(diff, "balance", m->balance, n.balance);
    diff_pair(diff, "bonus_balance", m->bonus, n.bonus);
    diff_pair(diff, "points", m->points, n.points);
    diff_pair(diff, "count_left", m->count_left, n.count_left);
    rc = json_object_size(diff) ? audit_write(c, "update", "customers", m->id, diff) : GX_OK;
    json_decref(diff);
    *m = n;
    return rc;
}

/* ---------- customers hooks: card numbers and dates ---------- */

/* Card numbers: "VIP" and six digits from a counter (gaps are harmless). */
static GxErr next_card_no(Ctx *c, const char **out)
{
    int64_t n;
    bool found;
    DbVal pk[] = {dbv_text("member_card_no")};
    if (db_query_int(c->db,
                     "INSERT INTO sequences(name, value) VALUES ($1, 1) ON CONFLICT(name) DO UPDATE SET value = "
                     "sequences.value + 1"
                     " RETURNING value",
                     pk, 1, &n, &found) != DB_OK ||
        !found)
        return ctx_fail(c, GX_EDB, "cannot allocate a card number");
    *out = arena_printf(c->arena, "VIP%06lld", (long long)n);
    return GX_OK;
}

/* Is the value absent, null or ""? */
static bool blank(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v));
}

/* Becoming a member (member_type_id set where there was none): a card
 * number, the join date (today) and the expiry (join + validity) unless given. */
static GxErr customers_before_write(Ctx *c, HookArgs *a)
{
    json_t *mt = json_object_get(a->input, "member_type_id");
    if (!json_is_integer(mt) || json_integer_value(mt) <= 0)
        return GX_OK;
    if (a->old && json_integer_value(json_object_get(a->old, "member_type_id")) > 0)
        return GX_OK; /* a change of type keeps the card and dates */
    MemberType t;
    Ctx w = *c;
    if (ms_type_load(&w, json_integer_value(mt), &t))
        return GX_OK; /* the engine reports the bad link */
    if (!t.active) {
        ctx_field(c, "member_type_id", "%s", ms_msg(c, "该会员类型已停用", "this member type is disabled"));
        return c->err;
    }
    bool no_card =
        blank(json_object_get(a->input, "card_no")) && (!a->old || blank(json_object_get(a->old, "card_no")));
    if (no_card) {
        const char *card = NULL;
        GxErr rc = next_card_no(c, &card);
        if (rc)
            return rc;
        json_object_set_new(a->input, "card_no", json_string(card));
    }
    const char *joined = json_string_value(json_object_get(a->input, "joined_on"));
    char today[11];
    ms_today(today);
    if (blank(json_object_get(a->input, "joined_on"))) {
        joined = today;
        json_object_set_new(a->input, "joined_on", json_string(today));
    }
    char exp[11];
    if (blank(json_object_get(a->input, "expires_on")) && joined && ms_add_months(joined, (int)t.valid_months, exp))
        json_object_set_new(a->input, "expires_on", json_string(exp));
    return GX_OK;
}

/* A count card starts with its uses (a ledger line says so). */
static GxErr customers_after_write(Ctx *c, HookArgs *a)
{
    int64_t mt = json_integer_value(json_object_get(a->result, "member_type_id"));
    if (mt <= 0 || (a->old && json_integer_value(json_object_get(a->old, "member_type_id")) > 0))
        return GX_OK;
    MemberType t;
    GxErr rc = ms_type_load(c, mt, &t);
    if (rc)
        return rc;
    if (strcmp(t.card_kind, "count") || t.count_uses <= 0)
        return GX_OK;
    Member m;
    if ((rc = ms_member_load(c, a->id, true, &m)))
        return rc;
    MemberDelta d = {.count = t.count_uses, .reason = "开卡 New card"};
    if ((rc = ms_member_apply(c, &m, &d, "member_type_id")))
        return rc;
    json_object_set_new(a->result, "count_left", json_integer(m.count_left));
    json_object_set_new(a->result, "version",
                        json_integer(json_integer_value(json_object_get(a->result, "version")) + 1));
    return GX_OK;
}

/* ---------- actions ---------- */

/* The customer as a member the user may change: read in scope (404 beyond),
 * edit in scope (403), with a member type (422). */
GxErr ms_member_for_write(Ctx *c, int64_t id, MemberType *t)
{
    const Entity *e = meta_entity("customers");
    json_t *rec;
    GxErr rc = record_get(c, e, id, &rec);
    if (rc)
        return rc;
    bool ok = acl_row_in_scope(c, e, ACT_EDIT, json_integer_value(json_object_get(rec, "owner_id")),
                               json_integer_value(json_object_get(rec, "department_id")));
    int64_t mt = json_integer_value(json_object_get(rec, "member_type_id"));
    json_decref(rec);
    if (!ok)
        return ctx_fail(c, GX_EDENIED, "You may not change this customers record");
    if (mt <= 0) {
        ctx_field(c, "member_type_id", "%s", ms_msg(c, "该客户还不是会员", "this customer is not a member"));
        return c->err;
    }
    return ms_type_load(c, mt, t);
}

static bool payment_ok(const char *pm)
{
    return pm && (!strcmp(pm, "cash") || !strcmp(pm, "card"));
}

/* Run fn in one transaction on the locked member; *out is the customer after. */
GxErr ms_member_tx(Ctx *c, int64_t id, GxErr (*fn)(Ctx *, Member *, void *), void *arg, json_t **out)
{
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    Member m;
    GxErr rc = ms_member_load(c, id, true, &m);
    if (!rc)
        rc = fn(c, &m, arg);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    if (db_commit(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot commit");
    return record_get(c, meta_entity("customers"), id, out);
}

typedef struct TopUp {
    int64_t amount, bonus;
    const char *pm;
} TopUp;

static GxErr top_up_tx(Ctx *c, Member *m, void *arg)
{
    TopUp *t = arg;
    MemberDelta d = {.balance = t->amount, .bonus = t->bonus, .payment_method = t->pm, .reason = "充值 Top-up"};
    GxErr rc = ms_member_apply(c, m, &d, "amount");
    return rc ? rc : ms_summary_money(c, ms_ledger_day(c), t->amount, 0, 0);
}

GxErr membership_top_up(Ctx *c, int64_t customer_id, int64_t amount, const char *payment_method, json_t **out)
{
    *out = NULL;
    MemberType t;
    GxErr rc = ms_member_for_write(c, customer_id, &t);
    if (rc)
        return rc;
    if (amount <= 0) {
        ctx_field(c, "amount", "must be a positive amount in fen");
        return c->err;
    }
    if (!payment_method)
        payment_method = "cash";
    if (!payment_ok(payment_method)) {
        ctx_field(c, "payment_method", "must be cash or card");
        return c->err;
    }
    TopUp tu = {
        .amount = amount, .bonus = ms_topup_bonus(amount, t.topup_threshold, t.topup_bonus), .pm = payment_method};
    return ms_member_tx(c, customer_id, top_up_tx, &tu, out);
}

typedef struct Renewal {
    const MemberType *t;
    const char *pm;
} Renewal;

static GxErr renew_tx(Ctx *c, Member *m, void *arg)
{
    Renewal *rn = arg;
    char today[11], until[11];
    ms_today(today);
    const char *base = m->expires_on && strcmp(m->expires_on, today) >= 0 ? m->expires_on : today;
    if (!ms_add_months(base, (int)rn->t->valid_months, until)) {
        ctx_field(c, "expires_on", "cannot be extended");
        return c->err;
    }
    DbVal p[] = {dbv_text(until), dbv_int(m->id)};
    if (db_exec(c->db, "UPDATE customers SET expires_on = $1 WHERE id = $2", p, 2) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot renew");
    json_t *diff = json_pack("{s:[s?, s]}", "expires_on", m->expires_on, until);
    GxErr rc = audit_write(c, "renew", "customers", m->id, diff);
    json_decref(diff);
    if (rc)
        return rc;
    const char *reason = arena_printf(c->arena, "续费至 %s Renewed until %s", until, until);
    MemberDelta d = {.reason = reason, .payment_method = rn->pm};
    if (!strcmp(rn->t->card_kind, "count"))
        d.count = rn->t->count_uses;
    if (!strcmp(rn->pm, "stored_value")) {
        /* Paid-in money first, then bonus money. */
        int64_t from_balance = rn->t->annual_fee < m->balance ? rn->t->annual_fee : m->balance;
        d.balance = -from_balance;
        d.bonus = -(rn->t->annual_fee - from_balance);
    }
    /* The fee itself: a ledger line of its own. */
    const char *now = record_now(c);
    DbVal who = c->who ? dbv_int(c->who->user_id) : dbv_null();
    DbVal q[] = {dbv_text(now),    who, dbv_int(m->id), dbv_int(rn->t->annual_fee), dbv_text(reason), dbv_text(rn->pm),
                 dbv_text(until), dbv_text(ms_ledger_day(c))};
    if (db_exec(
            c->db,
            "INSERT INTO member_ledger(created_at, created_by, updated_at, updated_by, version, owner_id, customer_id,"
            " kind, delta, after, reason, payment_method, expires_on, business_day)"
            " VALUES ($1, $2, $1, $2, 1, $2, $3, 'fee', $4, 0, $5, $6, $7, $8)",
            q, 8) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot write the member ledger");
    if ((rc = ms_summary_money(c, ms_ledger_day(c), 0, rn->t->annual_fee,
                               strcmp(rn->pm, "stored_value") ? rn->t->annual_fee : 0)))
        return rc;
    return d.count || d.balance || d.bonus ? ms_member_apply(c, m, &d, "payment_method") : GX_OK;
}

GxErr membership_renew(Ctx *c, int64_t customer_id, const char *payment_method, json_t **out)
{
    *out = NULL;
    MemberType t;
    GxErr rc = ms_member_for_write(c, customer_id, &t);
    if (rc)
        return rc;
    if (!payment_method)
        payment_method = "cash";
    if (!payment_ok(payment_method) && strcmp(payment_method, "stored_value")) {
        ctx_field(c, "payment_method", "must be cash, card or stored_value");
        return c->err;
    }
    Renewal rn = {.t = &t, .pm = payment_method};
    return ms_member_tx(c, customer_id, renew_tx, &rn, out);
}

void ms_members_init(void)
{
    record_hook_add("customers", HOOK_BEFORE_CREATE, customers_before_write);
    record_hook_add("customers", HOOK_BEFORE_UPDATE, customers_before_write);
    record_hook_add("customers", HOOK_AFTER_CREATE, customers_after_write);
    record_hook_add("customers", HOOK_AFTER_UPDATE, customers_after_write);
}
