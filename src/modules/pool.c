/* pool.c — the customer pool (公海): pools and their members, recomputing
 * release dates, the daily scan that releases due customers, and the claim /
 * assign / release / lock actions (see pool.h for the model). */
#include "pool.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../acl/acl.h"
#include "../base/clock.h"
#include "../base/log.h"
#include "../base/util.h"
#include "../jobs/jobs.h"
#include "../record/record.h"
#include "modules.h"
#include "reminders.h"

/* ---------- pools and membership ---------- */

typedef struct IdSet {
    int64_t *v; /* ids */
    int n, cap;
} IdSet;

static void set_add(Ctx *c, IdSet *s, int64_t id)
{
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 8;
        s->v = arena_realloc(c->arena, s->v, sizeof(int64_t) * (size_t)s->cap, sizeof(int64_t) * (size_t)cap);
        s->cap = cap;
    }
    s->v[s->n++] = id;
}

static bool set_has(const IdSet *s, int64_t id)
{
    for (int i = 0; i < s->n; i++)
        if (s->v[i] == id)
            return true;
    return false;
}

/* One active pool with its settings and members. */
typedef struct PoolDef {
    int64_t id;                 /* pools.id */
    const char *name;           /* its name */
    PoolRule rule;              /* recycle rules */
    int remind_days;            /* remind N days before release */
    int claim_daily_limit;      /* claims per person per day, 0 = no limit */
    int hold_cap;               /* customers held per person, 0 = no cap */
    int reclaim_wait_days;      /* former owner waits N days */
    int lock_quota;             /* locked customers per person */
    IdSet users, depts, admins; /* member users, member departments, administrators */
} PoolDef;

/* Active pools and the department tree, loaded for one operation. */
typedef struct PoolMap {
    PoolDef *pools; /* by id ascending */
    int n;
    IdSet dept_ids;     /* departments … */
    IdSet dept_parents; /* … and their parents (0 = none), same order */
} PoolMap;

static int col_int(DbRes *r, int i)
{
    return db_isnull(r, i) ? 0 : (int)db_int(r, i);
}

static GxErr load_links(Ctx *c, PoolMap *m, const char *table, size_t member)
{
    DbRes *r;
    if (db_query(c->db, table, NULL, 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read pool members: %s", db_errmsg(c->db));
    while (db_next(r) == 1) {
        int64_t pid = db_int(r, 0);
        for (int i = 0; i < m->n; i++)
            if (m->pools[i].id == pid)
                set_add(c, (IdSet *)((char *)&m->pools[i] + member), db_int(r, 1));
    }
    db_done(r);
    return GX_OK;
}

/* Load every active pool, its members and the department tree. */
static GxErr map_load(Ctx *c, PoolMap *m)
{
    memset(m, 0, sizeof *m);
    DbRes *r;
    if (db_query(c->db,
                 "SELECT id, name, follow_up_days_a, follow_up_days_b, follow_up_days_c, opportunity_days_a,"
                 " opportunity_days_b, opportunity_days_c, deal_days_a, deal_days_b, deal_days_c, remind_days,"
                 " spare_closed, spare_open_opportunities, claim_daily_limit, hold_cap, reclaim_wait_days, lock_quota"
                 " FROM pools WHERE deleted_at IS NULL AND active = 1 ORDER BY id",
                 NULL, 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read pools: %s", db_errmsg(c->db));
    int cap = 0;
    while (db_next(r) == 1) {
        if (m->n == cap) {
            int ncap = cap ? cap * 2 : 4;
            m->pools = arena_realloc(c->arena, m->pools, sizeof(PoolDef) * (size_t)cap, sizeof(PoolDef) * (size_t)ncap);
            cap = ncap;
        }
        PoolDef *p = &m->pools[m->n++];
        memset(p, 0, sizeof *p);
        p->id = db_int(r, 0);
        p->name = arena_strdup(c->arena, db_text(r, 1));
        for (int l = 0; l < POOL_LEVELS; l++) {
            p->rule.follow_up_days[l] = col_int(r, 2 + l);
            p->rule.opportunity_days[l] = col_int(r, 5 + l);
            p->rule.deal_days[l] = col_int(r, 8 + l);
        }
        p->remind_days = col_int(r, 11);
        p->rule.spare_closed = col_int(r, 12) != 0;
        p->rule.spare_open_opportunities = col_int(r, 13) != 0;
        p->claim_daily_limit = col_int(r, 14);
        p->hold_cap = col_int(r, 15);
        p->reclaim_wait_days = col_int(r, 16);
        p->lock_quota = col_int(r, 17);
    }
    db_done(r);
    if (!m->n)
        return GX_OK;
    GxErr rc;
    if ((rc = load_links(c, m, "SELECT record_id, target_id FROM pools_member_users", offsetof(PoolDef, users))) ||
        (rc =
             load_links(c, m, "SELECT record_id, target_id FROM pools_member_departments", offsetof(PoolDef, depts))) ||
        (rc = load_links(c, m, "SELECT record_id, target_id FROM pools_admin_users", offsetof(PoolDef, admins))))
        return rc;
    if (db_query(c->db, "SELECT id, parent_id FROM departments WHERE deleted_at IS NULL", NULL, 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read departments");
    while (db_next(r) == 1) {
        set_add(c, &m->dept_ids, db_int(r, 0));
        set_add(c, &m->dept_parents, db_isnull(r, 1) ? 0 : db_int(r, 1));
    }
    db_done(r);
    return GX_OK;
}

static const PoolDef *map_pool(const PoolMap *m, int64_t id)
{
    for (int i = 0; i < m->n; i++)
        if (m->pools[i].id == id)
            return &m->pools[i];
    return NULL;
}

/* Is dept, or a department above it, one of p's member departments? */
static bool dept_member(const PoolMap *m, const PoolDef *p, int64_t dept)
{
    for (int guard = 0; dept && guard < 64; guard++) {
        if (set_has(&p->depts, dept))
            return true;
        int64_t up = 0;
        for (int i = 0; i < m->dept_ids.n; i++)
            if (m->dept_ids.v[i] == dept)
                up = m->dept_parents.v[i];
        dept = up;
    }
    return false;
}

/* Member (by user or department), not counting administrators. */
static bool is_member(const PoolMap *m, const PoolDef *p, int64_t user, int64_t dept)
{
    return set_has(&p->users, user) || dept_member(m, p, dept);
}

static bool is_admin_of(const PoolDef *p, int64_t user)
{
    return set_has(&p->admins, user);
}

/* The pool governing customers owned by (user, dept): the first one they are a member of. */
static const PoolDef *pool_of_owner(const PoolMap *m, int64_t user, int64_t dept)
{
    for (int i = 0; i < m->n; i++)
        if (is_member(m, &m->pools[i], user, dept))
            return &m->pools[i];
    return NULL;
}

/* ---------- small writers ---------- */

static const char *now_text(Ctx *c, int64_t now_s)
{
    char *s = arena_alloc(c->arena, 64);
    time_format_ms(now_s * 1000, s);
    return s;
}

/* s as a JSON string literal (revision values are JSON texts). */
static const char *json_text(Ctx *c, const char *s)
{
    Buf b;
    buf_init(&b, c->arena);
    buf_json_str(&b, s);
    return b.data;
}

static const char *int_text(Ctx *c, int64_t v)
{
    return v ? arena_printf(c->arena, "%lld", (long long)v) : NULL;
}

/* A revision row (history of key fields) for customer id. */
static GxErr revision(Ctx *c, int64_t id, const char *field, const char *old_value, const char *new_value,
                      const char *at)
{
    DbVal v[] = {dbv_int(id),         dbv_text(field), dbv_text(old_value),
                 dbv_text(new_value), dbv_text(at),    c->who ? dbv_int(c->who->user_id) : dbv_null()};
    if (db_exec(c->db,
                "INSERT INTO revisions(entity, record_id, field, old_value, new_value, at, user_id)"
                " VALUES ('customers', $1, $2, $3, $4, $5, $6)",
                v, 6) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot write the history: %s", db_errmsg(c->db));
    return GX_OK;
}

/* Audit row "pool_<action>" with {owner_id: [old, new], pool_id: [old, new], reason}. */
static GxErr audit_pool(Ctx *c, const char *action, int64_t id, int64_t old_owner, int64_t new_owner, int64_t old_pool,
                        int64_t new_pool, const char *reason)
{
    json_t *d = json_object();
    json_object_set_new(d, "owner_id",
                        json_pack("[oo]", old_owner ? json_integer(old_owner) : json_null(),
                                  new_owner ? json_integer(new_owner) : json_null()));
    json_object_set_new(d, "pool_id",
                        json_pack("[oo]", old_pool ? json_integer(old_pool) : json_null(),
                                  new_pool ? json_integer(new_pool) : json_null()));
    if (reason)
        json_object_set_new(d, "reason", json_string(reason));
    GxErr rc = audit_write(c, arena_printf(c->arena, "pool_%s", action), "customers", id, d);
    json_decref(d);
    return rc;
}

/* ---------- facts and recomputation ---------- */

/* One owned customer as read for evaluation. */
typedef struct Row {
    int64_t id, owner, dept;
    PoolFacts f;
    bool had_due;     /* release_due was set */
    int64_t old_due;  /* its value */
    int64_t old_days; /* days_left, -1 when NULL */
    const char *name; /* customer name */
} Row;

static int64_t parse_time(const char *s)
{
    int64_t t;
    return s && time_parse_rfc3339(s, &t) ? t : 0;
}

/* "SELECT … FROM customers" with the facts of each row; the caller appends
 * the WHERE clause. Subqueries exist only for entities that exist. */
static void facts_select(Sql *q)
{
    const Entity *opp = meta_entity("opportunities");
    const Entity *ord = meta_entity("orders");
    const Entity *cu = meta_entity("customers");
    bool has_opp = opp && meta_field(opp, "customer_id");
    bool has_ord = ord && meta_field(ord, "customer_id");
    const Field *stage = has_opp ? meta_field(opp, "stage") : NULL;
    sql_raw(q, "SELECT id, owner_id, department_id, level, created_at, claimed_at, last_follow_up_at, locked, ");
    sql_raw(q, meta_field(cu, "lifecycle") ? "lifecycle" : "NULL");
    /* sql-ok: table names of optional entities come from metadata, values are bound elsewhere */
    sql_raw(q, has_opp ? ", (SELECT max(o.created_at) FROM opportunities o WHERE o.customer_id = customers.id AND"
                         " o.deleted_at IS NULL)"
                       : ", NULL");
    /* A deal: an order or a won opportunity, the later one. */
    if (has_ord && has_opp && stage)
        sql_raw(q, ", (SELECT max(t) FROM (SELECT max(d.created_at) AS t FROM orders d WHERE d.customer_id ="
                   " customers.id AND d.deleted_at IS NULL UNION ALL SELECT max(o.updated_at) FROM opportunities o"
                   " WHERE o.customer_id = customers.id AND o.deleted_at IS NULL AND o.stage = 'won') deals)");
    else if (has_ord)
        sql_raw(
            q,
            ", (SELECT max(d.created_at) FROM orders d WHERE d.customer_id = customers.id AND d.deleted_at IS NULL)");
    else if (has_opp && stage)
        sql_raw(q, ", (SELECT max(o.updated_at) FROM opportunities o WHERE o.customer_id = customers.id AND"
                   " o.deleted_at IS NULL AND o.stage = 'won')");
    else
        sql_raw(q, ", NULL");
    if (has_opp && stage)
        sql_raw(q, ", (SELECT count(*) FROM opportunities o WHERE o.customer_id = customers.id AND o.deleted_at IS NULL"
                   " AND coalesce(o.stage, '') NOT IN ('won', 'lost', 'closed_won', 'closed_lost'))");
    else if (has_opp)
        sql_raw(q,
                ", (SELECT count(*) FROM opportunities o WHERE o.customer_id = customers.id AND o.deleted_at IS NULL)");
    else
        sql_raw(q, ", 0");
    sql_raw(q, ", release_due, days_left, name FROM customers WHERE owner_id IS NOT NULL AND deleted_at IS NULL");
}

static Row read_row(Ctx *c, DbRes *r)
{
    Row w = {0};
    w.id = db_int(r, 0);
    w.owner = db_int(r, 1);
    w.dept = db_isnull(r, 2) ? 0 : db_int(r, 2);
    w.f.level = pool_level_of(db_text(r, 3));
    int64_t created = parse_time(db_text(r, 4)), claimed = parse_time(db_text(r, 5));
    w.f.since = claimed ? claimed : created;
    w.f.last_follow_up = parse_time(db_text(r, 6));
    w.f.locked = !db_isnull(r, 7) && db_int(r, 7) != 0;
    const char *life = db_text(r, 8);
    w.f.last_opportunity = parse_time(db_text(r, 9));
    w.f.last_deal = parse_time(db_text(r, 10));
    w.f.open_opportunities = !db_isnull(r, 11) && db_int(r, 11) > 0;
    const Entity *opp = meta_entity("opportunities"), *ord = meta_entity("orders");
    w.f.has_opportunities = opp && meta_field(opp, "customer_id");
    w.f.has_deals = (ord && meta_field(ord, "customer_id")) || (w.f.has_opportunities && meta_field(opp, "stage"));
    w.f.closed = w.f.last_deal > 0 ||
                 (life && (!strcmp(life, "first_deal") || !strcmp(life, "repeat") || !strcmp(life, "loyal")));
    w.had_due = !db_isnull(r, 12);
    w.old_due = parse_time(db_text(r, 12));
    w.old_days = db_isnull(r, 13) ? -1 : db_int(r, 13);
    w.name = arena_strdup(c->arena, db_text(r, 14));
    return w;
}

/* Move one owned customer to pool p (the caller holds the transaction).
 * Guarded by the owner it was read with: a concurrent change wins. */
static GxErr release_row(Ctx *c, const Row *w, const PoolDef *p, const char *reason, int64_t now, bool *moved)
{
    const char *at = now_text(c, now);
    DbVal v[] = {dbv_int(p->id),
                 dbv_text(at),
                 dbv_text(reason),
                 dbv_int(w->owner),
                 c->who ? dbv_int(c->who->user_id) : dbv_null(),
                 dbv_int(w->id)};
    if (db_exec(c->db,
                "UPDATE customers SET owner_id = NULL, department_id = NULL, pool_id = $1, released_at = $2,"
                " release_reason = $3, former_owner_id = $4, locked = 0, days_left = NULL, release_due = NULL,"
                " claimed_at = NULL, version = version + 1, updated_at = $2, updated_by = $5"
                " WHERE id = $6 AND owner_id = $4 AND deleted_at IS NULL",
                v, 6) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot release the customer: %s", db_errmsg(c->db));
    *moved = db_changes(c->db) > 0;
    if (!*moved)
        return GX_OK;
    GxErr rc;
    if ((rc = revision(c, w->id, "owner_id", int_text(c, w->owner), NULL, at)) ||
        (rc = revision(c, w->id, "pool_id", NULL, int_text(c, p->id), at)) ||
        (rc = revision(c, w->id, "release_reason", NULL, json_text(c, reason), at)) ||
        (rc = audit_pool(c, "release", w->id, w->owner, 0, 0, p->id, reason)))
        return rc;
    const char *title =
        arena_printf(c->arena, "客户「%s」已退回公海「%s」：%s", w->name ? w->name : "", p->name, reason);
    return notify_user(c, w->owner, "system", title, reason, "customers", w->id,
                       arena_printf(c->arena, "pool_release:%lld:%lld:%s", (long long)w->owner, (long long)w->id, at));
}

/* Evaluate the rows matched by q (facts_select plus conditions) and store
 * release_due / days_left; with release, move the due ones to their pool.
 * Without a transaction of the caller, the page is written in one
 * transaction of its own (one commit per page, not per row). *nreleased,
 * *last_id (the last row's id) and *nrows are filled when given. */
static GxErr evaluate(Ctx *c, const PoolMap *m, Sql *q, bool release, int64_t now, int *nreleased, int64_t *last_id,
                      int *nrows)
{
    DbRes *r;
    if (db_query(c->db, q->text.data, q->params, q->n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read customers: %s", db_errmsg(c->db));
    Row *rows = NULL;
    int n = 0, cap = 0;
    while (db_next(r) == 1) {
        if (n == cap) {
            int ncap = cap ? cap * 2 : 64;
            rows = arena_realloc(c->arena, rows, sizeof(Row) * (size_t)cap, sizeof(Row) * (size_t)ncap);
            cap = ncap;
        }
        rows[n++] = read_row(c, r);
    }
    db_done(r);
    if (nrows)
        *nrows = n;
    if (n && last_id)
        *last_id = rows[n - 1].id;
    bool own_tx = n > 0 && !db_in_tx(c->db);
    if (own_tx && db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    GxErr rc = GX_OK;
    int released = 0;
    for (int i = 0; i < n && !rc; i++) {
        Row *w = &rows[i];
        const PoolDef *p = pool_of_owner(m, w->owner, w->dept);
        PoolVerdict v = {.exempt = true};
        if (p)
            v = pool_rule_eval(&p->rule, &w->f);
        if (release && !v.exempt && v.due <= now) {
            int days = 0;
            if (!strcmp(v.reason, "no_follow_up"))
                days = p->rule.follow_up_days[w->f.level];
            else if (!strcmp(v.reason, "no_opportunity"))
                days = p->rule.opportunity_days[w->f.level];
            else
                days = p->rule.deal_days[w->f.level];
            bool moved = false;
            rc = release_row(c, w, p, pool_reason_text(c, v.reason, days), now, &moved);
            released += moved;
            continue;
        }
        int64_t days = v.exempt ? -1 : pool_days_left(v.due, now);
        if (v.exempt == !w->had_due && (v.exempt || v.due == w->old_due) && days == w->old_days)
            continue; /* unchanged */
        const char *due = v.exempt ? NULL : now_text(c, v.due);
        DbVal u[] = {dbv_text(due), days < 0 ? dbv_null() : dbv_int(days), dbv_int(w->id)};
        if (db_exec(c->db, "UPDATE customers SET release_due = $1, days_left = $2 WHERE id = $3", u, 3) != DB_OK)
            rc = ctx_fail(c, GX_EDB, "cannot store the release date: %s", db_errmsg(c->db));
    }
    if (own_tx) {
        if (rc || db_commit(c->db) != DB_OK) {
            db_rollback(c->db);
            return rc ? rc : ctx_fail(c, GX_EDB, "cannot commit the pool scan");
        }
    }
    if (!rc && nreleased)
        *nreleased += released;
    return rc;
}

GxErr pool_refresh(Ctx *c, int64_t id)
{
    PoolMap m;
    GxErr rc = map_load(c, &m);
    if (rc || !m.n)
        return rc; /* no pool: nothing governs it (the scan clears dates left by deleted pools) */
    Sql q;
    sql_init(&q, c->arena);
    facts_select(&q);
    sql_raw(&q, " AND id = ");
    sql_param(&q, dbv_int(id));
    return evaluate(c, &m, &q, false, clock_now_s(), NULL, NULL, NULL);
}

/* The daily scan: recompute every governed customer, release the due ones. */
static GxErr scan_job(Ctx *c, json_t *payload)
{
    (void)payload;
    PoolMap m;
    GxErr rc = map_load(c, &m);
    if (rc)
        return rc;
    int64_t now = clock_now_s();
    /* Owners governed by some pool. */
    IdSet owners = {0};
    DbRes *r;
    if (db_query(c->db, "SELECT id, department_id FROM users WHERE deleted_at IS NULL", NULL, 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read users");
    while (db_next(r) == 1)
        if (pool_of_owner(&m, db_int(r, 0), db_isnull(r, 1) ? 0 : db_int(r, 1)))
            set_add(c, &owners, db_int(r, 0));
    db_done(r);
    /* Customers of owners no pool governs lose a stale release date. */
    Sql z;
    sql_init(&z, c->arena);
    sql_raw(&z, "UPDATE customers SET release_due = NULL, days_left = NULL WHERE days_left IS NOT NULL");
    if (owners.n) {
        sql_raw(&z, " AND (owner_id IS NULL OR owner_id NOT IN (");
        for (int i = 0; i < owners.n; i++) {
            if (i)
                sql_raw(&z, ", ");
            sql_param(&z, dbv_int(owners.v[i]));
        }
        sql_raw(&z, "))");
    }
    if (db_exec(c->db, z.text.data, z.params, z.n) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot clear release dates: %s", db_errmsg(c->db));
    int released = 0;
    int64_t last = 0;
    for (int batch = 0; owners.n; batch++) {
        Arena a;
        arena_init(&a);
        Ctx bc = *c;
        bc.arena = &a;
        Sql q;
        sql_init(&q, &a);
        facts_select(&q);
        sql_raw(&q, " AND owner_id IN (");
        for (int i = 0; i < owners.n; i++) {
            if (i)
                sql_raw(&q, ", ");
            sql_param(&q, dbv_int(owners.v[i]));
        }
        sql_raw(&q, ") AND id > ");
        sql_param(&q, dbv_int(last));
        sql_raw(&q, " ORDER BY id LIMIT 500");
        int nrows = 0;
        rc = evaluate(&bc, &m, &q, true, now, &released, &last, &nrows);
        if (rc) {
            c->err = bc.err;
            c->err_msg = bc.err_msg ? arena_strdup(c->arena, bc.err_msg) : NULL;
        }
        arena_free(&a);
        if (rc || nrows < 500)
            break;
    }
    if (released)
        log_info("pool scan: %d customers released to their pools", released);
    return rc;
}

/* ---------- actions ---------- */

/* The customer row for an action, read without scope (the caller checks). */
typedef struct Cust {
    int64_t id, owner, dept, pool, former_owner;
    int64_t released_at;
    bool locked;
    const char *name;
} Cust;

static GxErr read_cust(Ctx *c, int64_t id, Cust *out)
{
    DbRes *r;
    DbVal p[] = {dbv_int(id)};
    if (db_query(
            c->db,
            "SELECT id, owner_id, department_id, pool_id, former_owner_id, released_at, locked, name FROM customers"
            " WHERE id = $1 AND deleted_at IS NULL",
            p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the customer");
    int s = db_next(r);
    if (s == 1) {
        out->id = db_int(r, 0);
        out->owner = db_isnull(r, 1) ? 0 : db_int(r, 1);
        out->dept = db_isnull(r, 2) ? 0 : db_int(r, 2);
        out->pool = db_isnull(r, 3) ? 0 : db_int(r, 3);
        out->former_owner = db_isnull(r, 4) ? 0 : db_int(r, 4);
        out->released_at = parse_time(db_text(r, 5));
        out->locked = !db_isnull(r, 6) && db_int(r, 6);
        out->name = arena_strdup(c->arena, db_text(r, 7));
    }
    db_done(r);
    if (s != 1)
        return ctx_fail(c, GX_ENOTFOUND, "No such customers record (id %lld)", (long long)id);
    return GX_OK;
}

/* Visible to the acting user (the ACL, including the pool rule)? 404 otherwise. */
static GxErr visible(Ctx *c, int64_t id)
{
    json_t *rec;
    GxErr rc = record_get(c, meta_entity("customers"), id, &rec);
    json_decref(rec);
    return rc;
}

/* The customer an action is about: visible to the acting user (else 404)
 * and then read as stored. */
static GxErr target(Ctx *c, int64_t id, Cust *k)
{
    GxErr rc = visible(c, id);
    return rc ? rc : read_cust(c, id, k);
}

/* The stored customer as JSON for the answer (read as the system: the caller
 * has just acted on it). */
static GxErr answer(Ctx *c, int64_t id, json_t **out)
{
    Ctx w = *c;
    w.elevated = true;
    GxErr rc = record_get(&w, meta_entity("customers"), id, out);
    if (rc) {
        c->err = w.err;
        c->err_msg = w.err_msg;
    }
    return rc;
}

static GxErr fail_tx(Ctx *c, GxErr rc)
{
    if (db_in_tx(c->db))
        db_rollback(c->db);
    return rc;
}

static int64_t user_department(Ctx *c, int64_t user, bool *active)
{
    DbRes *r;
    DbVal p[] = {dbv_int(user)};
    int64_t dept = 0;
    *active = false;
    if (db_query(c->db, "SELECT department_id FROM users WHERE id = $1 AND active = 1 AND deleted_at IS NULL", p, 1,
                 &r) == DB_OK) {
        if (db_next(r) == 1) {
            *active = true;
            dept = db_isnull(r, 0) ? 0 : db_int(r, 0);
        }
        db_done(r);
    }
    return dept;
}

static int64_t count_of(Ctx *c, const char *sql, DbVal *p, int n)
{
    int64_t v = 0;
    bool found;
    if (db_query_int(c->db, sql, p, n, &v, &found) != DB_OK)
        return -1;
    return v;
}

/* Give pool customer k to user `to` (claim or assign); caller holds the transaction. */
static GxErr take(Ctx *c, const Cust *k, int64_t to, int64_t dept, const char *action, const char *reason)
{
    const char *at = now_text(c, clock_now_s());
    DbVal v[] = {dbv_int(to), dept ? dbv_int(dept) : dbv_null(), dbv_text(at),
                 c->who ? dbv_int(c->who->user_id) : dbv_null(), dbv_int(k->id)};
    if (db_exec(c->db,
                "UPDATE customers SET owner_id = $1, department_id = $2, pool_id = NULL, claimed_at = $3,"
                " version = version + 1, updated_at = $3, updated_by = $4"
                " WHERE id = $5 AND owner_id IS NULL AND deleted_at IS NULL",
                v, 5) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot take the customer: %s", db_errmsg(c->db));
    if (db_changes(c->db) == 0)
        return ctx_fail(c, GX_ECONFLICT, "Someone else has just taken this customer");
    GxErr rc;
    if ((rc = revision(c, k->id, "owner_id", NULL, int_text(c, to), at)) ||
        (rc = revision(c, k->id, "pool_id", int_text(c, k->pool), NULL, at)) ||
        (rc = audit_pool(c, action, k->id, 0, to, k->pool, 0, reason)))
        return rc;
    return pool_refresh(c, k->id);
}

GxErr pool_claim(Ctx *c, int64_t id, json_t **out)
{
    *out = NULL;
    if (!c->who)
        return ctx_fail(c, GX_EAUTH, "Not logged in");
    Cust k;
    GxErr rc = target(c, id, &k);
    if (rc)
        return rc;
    if (k.owner || !k.pool)
        return ctx_fail(c, GX_ECONFLICT, "This customer is not in a customer pool (it has an owner)");
    PoolMap m;
    if ((rc = map_load(c, &m)))
        return rc;
    const PoolDef *p = map_pool(&m, k.pool);
    if (!p || !(is_member(&m, p, c->who->user_id, c->who->department_id) || is_admin_of(p, c->who->user_id)))
        return ctx_fail(c, GX_EDENIED, "You are not a member of this customer pool");
    int64_t now = clock_now_s();
    if (k.former_owner == c->who->user_id && p->reclaim_wait_days > 0 &&
        now < k.released_at + (int64_t)p->reclaim_wait_days * 86400) {
        int64_t day = clock_local_day(k.released_at + (int64_t)p->reclaim_wait_days * 86400);
        int64_t t = clock_local_midnight(day) + CLOCK_COMPANY_TZ_OFFSET;
        char when[64];
        time_format_s(t, when);
        when[10] = 0;
        rc = ctx_fail(c, GX_ECONFLICT,
                      "You released this customer; a former owner may claim it again only after %d days (from %s)",
                      p->reclaim_wait_days, when);
        c->err_code = "reclaim_wait";
        return rc;
    }
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    if (p->claim_daily_limit > 0) {
        const char *since = now_text(c, clock_local_midnight(clock_local_day(now)));
        DbVal q[] = {dbv_int(c->who->user_id), dbv_text(since)};
        int64_t n = count_of(
            c, "SELECT count(*) FROM audit_log WHERE user_id = $1 AND action = 'pool_claim' AND at >= $2", q, 2);
        if (n < 0)
            return fail_tx(c, ctx_fail(c, GX_EDB, "cannot count today's claims"));
        if (n >= p->claim_daily_limit) {
            fail_tx(c, ctx_fail(c, GX_ECONFLICT,
                                "Daily claim limit reached: you may claim %d customers a day from the pools",
                                p->claim_daily_limit));
            c->err_code = "claim_limit";
            return c->err;
        }
    }
    if (p->hold_cap > 0) {
        DbVal q[] = {dbv_int(c->who->user_id)};
        int64_t n = count_of(c, "SELECT count(*) FROM customers WHERE owner_id = $1 AND deleted_at IS NULL", q, 1);
        if (n < 0)
            return fail_tx(c, ctx_fail(c, GX_EDB, "cannot count your customers"));
        if (n >= p->hold_cap) {
            fail_tx(c, ctx_fail(c, GX_ECONFLICT, "You already hold %lld customers; the cap of this pool is %d",
                                (long long)n, p->hold_cap));
            c->err_code = "hold_cap";
            return c->err;
        }
    }
    if ((rc = take(c, &k, c->who->user_id, c->who->department_id, "claim", "领取 / claimed from the pool")))
        return fail_tx(c, rc);
    if (db_commit(c->db) != DB_OK)
        return fail_tx(c, ctx_fail(c, GX_EDB, "cannot commit"));
    return answer(c, id, out);
}

GxErr pool_assign(Ctx *c, int64_t id, int64_t owner_id, json_t **out)
{
    *out = NULL;
    if (!c->who)
        return ctx_fail(c, GX_EAUTH, "Not logged in");
    Cust k;
    GxErr rc = target(c, id, &k);
    if (rc)
        return rc;
    PoolMap m;
    if ((rc = map_load(c, &m)))
        return rc;
    const PoolDef *p = k.pool ? map_pool(&m, k.pool) : NULL;
    if (!k.owner && p && !is_admin_of(p, c->who->user_id) && !c->who->is_admin)
        return ctx_fail(c, GX_EDENIED, "Only the pool's administrators may assign its customers");
    if (k.owner || !p)
        return ctx_fail(c, GX_ECONFLICT, "This customer is not in a customer pool (it has an owner)");
    if (owner_id <= 0) {
        ctx_field(c, "owner_id", "is required (a user id)");
        return c->err;
    }
    bool active;
    int64_t dept = user_department(c, owner_id, &active);
    if (!active) {
        ctx_field(c, "owner_id", "is not an active user");
        return c->err;
    }
    if (!is_member(&m, p, owner_id, dept) && !is_admin_of(p, owner_id)) {
        ctx_field(c, "owner_id", "is not a member of the pool「%s」", p->name);
        return c->err;
    }
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    const char *reason = arena_printf(c->arena, "分配 / assigned by %s", c->who->name ? c->who->name : "?");
    if ((rc = take(c, &k, owner_id, dept, "assign", reason)))
        return fail_tx(c, rc);
    if (owner_id != c->who->user_id) {
        const char *title =
            arena_printf(c->arena, "%s 把公海客户「%s」分配给了你", c->who->name ? c->who->name : "", k.name);
        if ((rc = notify_user(c, owner_id, "assignment", title, NULL, "customers", id, NULL)))
            return fail_tx(c, rc);
    }
    if (db_commit(c->db) != DB_OK)
        return fail_tx(c, ctx_fail(c, GX_EDB, "cannot commit"));
    return answer(c, id, out);
}

GxErr pool_release(Ctx *c, int64_t id, int64_t pool_id, const char *reason, json_t **out)
{
    *out = NULL;
    const Entity *e = meta_entity("customers");
    Cust k;
    GxErr rc = target(c, id, &k);
    if (rc)
        return rc;
    if (!k.owner)
        return ctx_fail(c, GX_ECONFLICT, "This customer is already in a customer pool");
    if (acl_scope(c, e, ACT_EDIT) == SCOPE_NONE || !acl_row_in_scope(c, e, ACT_EDIT, k.owner, k.dept))
        return ctx_fail(c, GX_EDENIED, "You may not release this customer");
    if (!reason || !*reason) {
        ctx_field(c, "reason", "is required: say why the customer goes back to the pool");
        return c->err;
    }
    if (utf8_len(reason) > 500) {
        ctx_field(c, "reason", "is too long (at most 500 characters)");
        return c->err;
    }
    if (k.locked)
        return ctx_fail(c, GX_ECONFLICT, "This customer is locked; unlock it before releasing it");
    PoolMap m;
    if ((rc = map_load(c, &m)))
        return rc;
    const PoolDef *p = pool_id ? map_pool(&m, pool_id) : pool_of_owner(&m, k.owner, k.dept);
    if (!p) {
        ctx_field(c, "pool_id",
                  pool_id ? "is not an active customer pool" : "is required: the owner belongs to no customer pool");
        return c->err;
    }
    Row w = {.id = k.id, .owner = k.owner, .dept = k.dept, .name = k.name};
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    bool moved = false;
    const char *why = arena_printf(c->arena, "手动退回 / released by %s: %s", c->who ? c->who->name : "system", reason);
    rc = release_row(c, &w, p, why, clock_now_s(), &moved);
    if (!rc && !moved)
        rc = ctx_fail(c, GX_ECONFLICT, "The customer changed meanwhile; reload and try again");
    if (rc)
        return fail_tx(c, rc);
    if (db_commit(c->db) != DB_OK)
        return fail_tx(c, ctx_fail(c, GX_EDB, "cannot commit"));
    return answer(c, id, out);
}

GxErr pool_lock(Ctx *c, int64_t id, bool lock, json_t **out)
{
    *out = NULL;
    const Entity *e = meta_entity("customers");
    Cust k;
    GxErr rc = target(c, id, &k);
    if (rc)
        return rc;
    if (acl_scope(c, e, ACT_EDIT) == SCOPE_NONE || !acl_row_in_scope(c, e, ACT_EDIT, k.owner, k.dept) || !k.owner)
        return ctx_fail(c, GX_EDENIED,
                        k.owner ? "You may not lock or unlock this customer"
                                : "Customers in a pool cannot be locked; claim it first");
    if (k.locked == lock)
        return answer(c, id, out); /* already so: nothing to do */
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    if (lock) {
        PoolMap m;
        if ((rc = map_load(c, &m)))
            return fail_tx(c, rc);
        const PoolDef *p = pool_of_owner(&m, k.owner, k.dept);
        int quota = p ? p->lock_quota : 0;
        DbVal q[] = {dbv_int(k.owner)};
        int64_t n = count_of(
            c, "SELECT count(*) FROM customers WHERE owner_id = $1 AND locked = 1 AND deleted_at IS NULL", q, 1);
        if (p && n >= quota) {
            fail_tx(c, ctx_fail(c, GX_ECONFLICT, "Lock quota reached: at most %d locked customers per person", quota));
            c->err_code = "lock_quota";
            return c->err;
        }
    }
    const char *at = now_text(c, clock_now_s());
    DbVal v[] = {dbv_int(lock), dbv_text(at), c->who ? dbv_int(c->who->user_id) : dbv_null(), dbv_int(id)};
    if (db_exec(
            c->db,
            "UPDATE customers SET locked = $1, version = version + 1, updated_at = $2, updated_by = $3 WHERE id = $4",
            v, 4) != DB_OK)
        return fail_tx(c, ctx_fail(c, GX_EDB, "cannot lock the customer"));
    json_t *d = json_pack("{s:[bb]}", "locked", !lock, lock);
    rc = audit_write(c, lock ? "pool_lock" : "pool_unlock", "customers", id, d);
    json_decref(d);
    if (rc || (rc = revision(c, id, "locked", lock ? "false" : "true", lock ? "true" : "false", at)) ||
        (rc = pool_refresh(c, id)))
        return fail_tx(c, rc);
    if (db_commit(c->db) != DB_OK)
        return fail_tx(c, ctx_fail(c, GX_EDB, "cannot commit"));
    return answer(c, id, out);
}

GxErr pool_mine(Ctx *c, json_t **out)
{
    *out = json_array();
    if (!c->who)
        return GX_OK;
    PoolMap m;
    GxErr rc = map_load(c, &m);
    if (rc)
        return rc;
    for (int i = 0; i < m.n; i++) {
        const PoolDef *p = &m.pools[i];
        bool admin = is_admin_of(p, c->who->user_id) || c->who->is_admin;
        if (!is_member(&m, p, c->who->user_id, c->who->department_id) && !admin)
            continue;
        DbVal q[] = {dbv_int(p->id)};
        int64_t n = count_of(
            c, "SELECT count(*) FROM customers WHERE pool_id = $1 AND owner_id IS NULL AND deleted_at IS NULL", q, 1);
        json_array_append_new(*out, json_pack("{s:I, s:s, s:I, s:b, s:i, s:i, s:i}", "id", (json_int_t)p->id, "name",
                                              p->name, "count", (json_int_t)n, "admin", admin, "claim_daily_limit",
                                              p->claim_daily_limit, "hold_cap", p->hold_cap, "reclaim_wait_days",
                                              p->reclaim_wait_days));
    }
    return GX_OK;
}

GxErr pool_members(Ctx *c, int64_t pool_id, json_t **out)
{
    *out = json_array();
    PoolMap m;
    GxErr rc = map_load(c, &m);
    if (rc)
        return rc;
    const PoolDef *p = map_pool(&m, pool_id);
    if (!p)
        return GX_OK;
    DbRes *r;
    if (db_query(c->db,
                 "SELECT id, name, department_id FROM users WHERE active = 1 AND deleted_at IS NULL ORDER BY name, id",
                 NULL, 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read users");
    while (db_next(r) == 1) {
        int64_t id = db_int(r, 0), dept = db_isnull(r, 2) ? 0 : db_int(r, 2);
        if (is_member(&m, p, id, dept) || is_admin_of(p, id))
            json_array_append_new(
                *out, json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", db_text(r, 1) ? db_text(r, 1) : ""));
    }
    db_done(r);
    return GX_OK;
}

int pool_remind_days(Ctx *c, int64_t user, int64_t dept)
{
    PoolMap m;
    if (map_load(c, &m)) {
        ctx_clear(c);
        return -1;
    }
    const PoolDef *p = pool_of_owner(&m, user, dept);
    return p ? p->remind_days : -1;
}

/* ---------- hooks ---------- */

static GxErr on_customer_create(Ctx *c, HookArgs *a)
{
    return pool_refresh(c, a->id);
}

static GxErr on_customer_update(Ctx *c, HookArgs *a)
{
    json_t *o = json_object_get(a->old, "owner_id"), *n = json_object_get(a->result, "owner_id");
    bool owner_changed = !json_equal(o, n) && !(json_is_null(o) && json_is_null(n));
    if (owner_changed && json_is_integer(n)) {
        /* A transfer starts a new ownership period. */
        const char *at = now_text(c, clock_now_s());
        DbVal v[] = {dbv_text(at), dbv_int(a->id)};
        if (db_exec(c->db, "UPDATE customers SET claimed_at = $1, pool_id = NULL WHERE id = $2", v, 2) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot record the new owner's start");
    }
    if (owner_changed || !json_equal(json_object_get(a->old, "level"), json_object_get(a->result, "level")) ||
        !json_equal(json_object_get(a->old, "lifecycle"), json_object_get(a->result, "lifecycle")))
        return pool_refresh(c, a->id);
    return GX_OK;
}

/* A follow-up on a customer (or on one of its contacts) restarts its clock. */
static GxErr on_activity_create(Ctx *c, HookArgs *a)
{
    const char *type = json_string_value(json_object_get(a->result, "parent_type"));
    int64_t rid = json_integer_value(json_object_get(a->result, "parent_id"));
    int64_t customer = 0;
    if (type && !strcmp(type, "customers")) {
        customer = rid;
    } else if (type && !strcmp(type, "contacts")) {
        DbVal p[] = {dbv_int(rid)};
        bool found;
        if (db_query_int(c->db, "SELECT customer_id FROM contacts WHERE id = $1", p, 1, &customer, &found) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read the contact");
    }
    if (!customer)
        return GX_OK;
    const char *when = json_string_value(json_object_get(a->result, "occurred_at"));
    const char *now = now_text(c, clock_now_s());
    if (!when || strcmp(when, now) > 0)
        when = now; /* a follow-up planned in the future counts from today */
    DbVal v[] = {dbv_text(when), dbv_int(customer)};
    if (db_exec(c->db,
                "UPDATE customers SET last_follow_up_at = $1 WHERE id = $2 AND (last_follow_up_at IS NULL OR"
                " last_follow_up_at < $1)",
                v, 2) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot record the follow-up");
    return pool_refresh(c, customer);
}

/* An opportunity or order changed: its customer's release date may move
 * (new opportunity, open one, a deal). */
static GxErr on_deal_change(Ctx *c, HookArgs *a)
{
    int64_t now_id = json_integer_value(json_object_get(a->result ? a->result : a->old, "customer_id"));
    int64_t old_id = a->old ? json_integer_value(json_object_get(a->old, "customer_id")) : 0;
    GxErr rc = now_id ? pool_refresh(c, now_id) : GX_OK;
    if (!rc && old_id && old_id != now_id)
        rc = pool_refresh(c, old_id);
    return rc;
}

/* Rules or members changed: recompute at the start of the next minute (the
 * changes of one minute share one job, which runs after all of them). */
static GxErr on_pool_change(Ctx *c, HookArgs *a)
{
    (void)a;
    char key[128], at[64];
    int64_t next = (clock_now_s() / 60 + 1) * 60;
    time_format_s(next, at);
    snprintf(key, sizeof key, "pool_scan@change@%s", at);
    return jobs_enqueue(c, "pool_scan", NULL, next * 1000, key, NULL);
}

/* Migration 3 on an existing database: last follow-up from the activities. */
static GxErr migrate_last_follow_up(Ctx *c, bool fresh)
{
    if (fresh)
        return GX_OK;
    if (db_exec(c->db,
                "UPDATE customers SET last_follow_up_at = (SELECT max(a.occurred_at) FROM activities a WHERE"
                " a.parent_type = 'customers' AND a.parent_id = customers.id AND a.deleted_at IS NULL)",
                NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot fill last_follow_up_at: %s", db_errmsg(c->db));
    return GX_OK;
}

/* Migration 8 (issue #2, create p99): customers' indexes on optional
 * columns that a new customer usually leaves empty index their non-NULL
 * values only. Every create wrote a (NULL, id) entry into each of them: one
 * more b-tree insert and one more page into the WAL per index (~20 k
 * instructions, 4 KB). What reads them reads non-NULL values only: a pool's
 * members (pool_id = $1), a former owner's (former_owner_id = $1), members
 * (member_type_id IS NOT NULL, expires_on ranges), a card or credit code, a
 * source looked up (=, IN): any comparison implies IS NOT NULL, so SQLite
 * and PostgreSQL use a partial index for them. Not kept: an index for an
 * ORDER BY of these columns (none is a list column; an API sort on them
 * sorts the matching rows, as for every other unindexed field) and for an
 * IS NULL filter (no request leans on it: most rows are NULL). Linked
 * picklists shown in the list (customer type, industry, region) keep their
 * full indexes, which serve the list sorted by them. */
static const struct {
    const char *index, *column;
    bool unique;
} optional_indexes_v8[] = {
    {"customers_credit_code_idx", "credit_code", false},
    {"customers_source_id_idx", "source_id", false},
    {"customers_pool_id_idx", "pool_id", false},
    {"customers_former_owner_id_idx", "former_owner_id", false},
    {"customers_card_no_key", "card_no", true},
    {"customers_member_type_id_idx", "member_type_id", false},
    {"customers_expires_on_idx", "expires_on", false},
};

static GxErr optional_indexes_step_8(Ctx *c, bool fresh)
{
    const Entity *e = meta_entity("customers");
    int64_t n = 0;
    bool found = false;
    bool analyzed = !fresh && db_dialect(c->db) == DB_SQLITE && db_table_exists(c->db, "sqlite_stat1") &&
                    db_query_int(c->db, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'customers'", NULL, 0, &n,
                                 &found) == DB_OK &&
                    n > 0;
    for (size_t i = 0; i < sizeof optional_indexes_v8 / sizeof optional_indexes_v8[0]; i++) {
        if (!e || !meta_field(e, optional_indexes_v8[i].column))
            continue;
        char drop[128], create[256];
        snprintf(drop, sizeof drop, "DROP INDEX IF EXISTS %s", optional_indexes_v8[i].index); /* sql-ok: names above */
        snprintf(create, sizeof create, "CREATE %sINDEX %s ON customers(%s) WHERE %s IS NOT NULL", /* sql-ok: names above */
                 optional_indexes_v8[i].unique ? "UNIQUE " : "", optional_indexes_v8[i].index,
                 optional_indexes_v8[i].column, optional_indexes_v8[i].column);
        if (db_exec(c->db, drop, NULL, 0) != DB_OK || db_exec(c->db, create, NULL, 0) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot make %s partial: %s", optional_indexes_v8[i].index, db_errmsg(c->db));
        /* SQLite, a database analyzed before: statistics of the new index
         * (DROP INDEX took the old one's), read from the index alone;
         * without a row the planner takes the index for selective next to
         * the analyzed ones. PostgreSQL keeps statistics per table. */
        if (analyzed) {
            char analyze[128];
            snprintf(analyze, sizeof analyze, "ANALYZE %s", optional_indexes_v8[i].index); /* sql-ok: names above */
            if (db_exec(c->db, analyze, NULL, 0) != DB_OK)
                return ctx_fail(c, GX_EDB, "cannot analyze %s: %s", optional_indexes_v8[i].index, db_errmsg(c->db));
        }
    }
    return GX_OK;
}

void pool_module_init(void)
{
    ddl_step_add(8, "customers: optional columns' indexes hold their non-NULL values only", optional_indexes_step_8);
    record_hook_add("customers", HOOK_AFTER_CREATE, on_customer_create);
    record_hook_add("customers", HOOK_AFTER_UPDATE, on_customer_update);
    record_hook_add("activities", HOOK_AFTER_CREATE, on_activity_create);
    static const char *deals[] = {"opportunities", "orders", NULL};
    for (int i = 0; deals[i]; i++) {
        const Entity *d = meta_entity(deals[i]);
        if (!d || !meta_field(d, "customer_id"))
            continue;
        record_hook_add(deals[i], HOOK_AFTER_CREATE, on_deal_change);
        record_hook_add(deals[i], HOOK_AFTER_UPDATE, on_deal_change);
        record_hook_add(deals[i], HOOK_AFTER_DELETE, on_deal_change);
    }
    record_hook_add("pools", HOOK_AFTER_CREATE, on_pool_change);
    record_hook_add("pools", HOOK_AFTER_UPDATE, on_pool_change);
    record_hook_add("pools", HOOK_AFTER_DELETE, on_pool_change);
    jobs_register("pool_scan", scan_job);
    jobs_daily("pool_scan", 0, 30);
    ddl_step_add(3, "customers.last_follow_up_at from activities", migrate_last_follow_up);
}
