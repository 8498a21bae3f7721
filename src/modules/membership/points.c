/* points.c — spending and expiry of member points.
 *
 * Points are awarded at checkout with an expiry date (the member type's
 * points_valid_months; none when 0), each award a ledger line of kind
 * "points" with a positive delta and expires_on. Points leave by redemption
 * (兑换: a gift, a voucher — the front desk says what) and by expiry, each a
 * ledger line with a negative delta.
 *
 * Rule: points that expire soonest are spent first. Then the points still
 * owed to awards that have expired by day D are
 *     max(0, Σ awards with expires_on < D − Σ points that have left so far)
 * and the daily job takes exactly that many away (never more than the
 * member holds). Running it again the same day finds 0: it is idempotent,
 * as job handlers must be (jobs.h). Awards without expiry are spent last,
 * so they never expire. */
#include <stdlib.h>
#include <string.h>

#include "../../base/clock.h"
#include "../../base/log.h"
#include "../../jobs/jobs.h"
#include "internal.h"

/* Points of member `id` that have expired by business day `day` and are
 * still held. */
static GxErr expired_points(Ctx *c, int64_t id, const char *day, int64_t held, int64_t *out)
{
    DbVal p[] = {dbv_int(id), dbv_text(day)};
    DbRes *r;
    *out = 0;
    if (db_query(c->db,
                 "SELECT coalesce(sum(CASE WHEN delta > 0 AND expires_on < $2 THEN delta ELSE 0 END), 0),"
                 " coalesce(sum(CASE WHEN delta < 0 THEN -delta ELSE 0 END), 0)"
                 " FROM member_ledger WHERE customer_id = $1 AND kind = 'points' AND deleted_at IS NULL",
                 p, 2, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the points ledger");
    int s = db_next(r);
    int64_t expired = s == 1 ? db_int(r, 0) : 0, spent = s == 1 ? db_int(r, 1) : 0;
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read the points ledger");
    int64_t owed = expired - spent;
    *out = owed <= 0 ? 0 : owed < held ? owed : held;
    return GX_OK;
}

/* Inside a transaction, member row locked: take away what has expired. */
static GxErr expire_member(Ctx *c, Member *m, const char *day, int64_t *taken)
{
    int64_t n;
    GxErr rc = expired_points(c, m->id, day, m->points, &n);
    *taken = n;
    if (rc || !n)
        return rc;
    MemberDelta d = {.points = -n, .reason = "积分过期 Points expired"};
    return ms_member_apply(c, m, &d, "points");
}

/* Daily job: every member holding points with an expired award. The
 * members are read first, in one pass (a member done still matches: their
 * expired awards stay in the ledger and newer points keep them above 0), then
 * each is settled in a transaction of its own. */
static GxErr expire_job(Ctx *c, json_t *payload)
{
    (void)payload;
    char day[11];
    ms_business_day(clock_now_s(), day);
    DbVal p[] = {dbv_text(day)};
    DbRes *r;
    if (db_query(c->db,
                 "SELECT DISTINCT l.customer_id FROM member_ledger l JOIN customers cu ON cu.id = l.customer_id"
                 " WHERE l.kind = 'points' AND l.delta > 0 AND l.expires_on < $1 AND l.deleted_at IS NULL"
                 " AND cu.points > 0 AND cu.deleted_at IS NULL ORDER BY 1",
                 p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot find expired points");
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int s;
    while ((s = db_next(r)) == 1) {
        if (n == cap) {
            cap = cap ? 2 * cap : 512;
            ids = xrealloc(ids, cap * sizeof *ids);
        }
        ids[n++] = db_int(r, 0);
    }
    db_done(r);
    if (s < 0) {
        free(ids);
        return ctx_fail(c, GX_EDB, "cannot find expired points");
    }
    int64_t total = 0, members = 0;
    GxErr rc = GX_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        if (db_begin(c->db) != DB_OK) {
            rc = ctx_fail(c, GX_EDB, "cannot start a transaction");
            break;
        }
        Member m;
        int64_t taken = 0;
        rc = ms_member_load(c, ids[i], true, &m);
        if (!rc)
            rc = expire_member(c, &m, day, &taken);
        if (rc) {
            db_rollback(c->db);
            break;
        }
        if (db_commit(c->db) != DB_OK)
            rc = ctx_fail(c, GX_EDB, "cannot commit");
        total += taken;
        members += taken > 0;
    }
    free(ids);
    if (total)
        log_info("points: %lld points of %lld members expired", (long long)total, (long long)members);
    return rc;
}

typedef struct Redeem {
    int64_t points;
    const char *reason;
} Redeem;

static GxErr redeem_tx(Ctx *c, Member *m, void *arg)
{
    Redeem *rd = arg;
    char day[11];
    ms_today(day);
    int64_t gone;
    /* Expired points cannot be spent, even before tonight's job. */
    GxErr rc = expire_member(c, m, day, &gone);
    if (rc)
        return rc;
    MemberDelta d = {.points = -rd->points, .reason = rd->reason};
    return ms_member_apply(c, m, &d, "points");
}

GxErr membership_redeem_points(Ctx *c, int64_t customer_id, int64_t points, const char *reason, json_t **out)
{
    *out = NULL;
    MemberType t;
    GxErr rc = ms_member_for_write(c, customer_id, &t);
    if (rc)
        return rc;
    if (points <= 0)
        ctx_field(c, "points", "%s", ms_msg(c, "兑换积分必须是正整数", "must be a positive number of points"));
    if (!reason || !*reason)
        ctx_field(c, "reason", "%s", ms_msg(c, "请填写兑换内容", "say what the points are exchanged for"));
    else if (strlen(reason) > 150)
        ctx_field(c, "reason", "%s", ms_msg(c, "兑换内容太长(最多 150 字节)", "is too long (at most 150 bytes)"));
    if (c->err)
        return c->err;
    Redeem rd = {.points = points, .reason = arena_printf(c->arena, "积分兑换 Redeemed: %s", reason)};
    return ms_member_tx(c, customer_id, redeem_tx, &rd, out);
}

void ms_points_init(void)
{
    jobs_register("points_expire", expire_job);
    jobs_daily("points_expire", 0, 5);
}
