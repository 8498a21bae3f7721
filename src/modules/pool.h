/* pool.h — the customer pool (公海): recycle rules, release, claim, assign,
 * lock; and the rule evaluation shared by the scheduler, the hooks and the
 * tests.
 *
 * Model
 * - A pool (entity `pools`, settings) has members (users, departments — a
 *   department includes the ones below it), administrators and rules.
 * - An OWNED customer is governed by the first active pool (lowest id) its
 *   owner is a member of; owners in no pool are never released.
 * - A customer IN a pool has no owner and pool_id set. Members of that pool
 *   read it through the one ACL rule in acl_scope_predicate (acl.h); they
 *   claim it (pool_claim), pool administrators assign it (pool_assign).
 * - customers.release_due / days_left are kept by this module: recomputed
 *   when the customer is created, changes owner, gets a follow-up (activity)
 *   or is locked/unlocked, and by the daily pool_scan job, which also
 *   releases the customers that are due.
 * - Every release, claim, assignment and lock writes a revision row
 *   (owner_id / pool_id / locked) and an audit row with the reason, in the
 *   same transaction as the change.
 *
 * Rules that need other modules degrade as follows: "no new opportunity for
 * N days" and "spare customers with open opportunities" need the
 * `opportunities` entity with a `customer_id` link (ignored without it);
 * "no deal for N days" counts orders (`orders` with `customer_id`) or, until
 * orders exist, opportunities whose stage is `won` (their updated_at), and is
 * ignored when neither exists. "Closed" (spare_closed) is a customer with a
 * deal or whose lifecycle is first_deal, repeat or loyal. */
#ifndef GX_POOL_H
#define GX_POOL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../base/ctx.h"

/* Customer levels A, B, C; a customer without a level uses C's numbers. */
enum { POOL_LEVEL_A, POOL_LEVEL_B, POOL_LEVEL_C, POOL_LEVELS };

/* One pool's recycle rules (days per level; 0 = rule off). */
typedef struct PoolRule {
    int follow_up_days[POOL_LEVELS];   /* no follow-up (activity) for N days */
    int opportunity_days[POOL_LEVELS]; /* no new opportunity for N days */
    int deal_days[POOL_LEVELS];        /* no deal (order) for N days */
    bool spare_closed;                 /* customers with a deal are never released */
    bool spare_open_opportunities;     /* nor those with an open opportunity */
} PoolRule;

/* What is known about one owned customer (times in seconds, 0 = never). */
typedef struct PoolFacts {
    int level;                /* POOL_LEVEL_* */
    int64_t since;            /* start of the current ownership (claimed_at, else created_at) */
    int64_t last_follow_up;   /* latest follow-up */
    int64_t last_opportunity; /* latest new opportunity */
    int64_t last_deal;        /* latest deal */
    bool locked;              /* locked by its owner */
    bool closed;              /* has a deal (for spare_closed) */
    bool open_opportunities;  /* has an open opportunity */
    bool has_opportunities;   /* the opportunities rule can be evaluated */
    bool has_deals;           /* the deals rule can be evaluated */
} PoolFacts;

/* The outcome for one customer. */
typedef struct PoolVerdict {
    bool exempt;        /* never released under these rules (locked, spared, no rule on) */
    int64_t due;        /* release time (seconds) when not exempt */
    const char *reason; /* "no_follow_up", "no_opportunity", "no_deal" (static), or the exemption */
} PoolVerdict;

/* Evaluate rule r for facts f: each rule that is on gives
 * max(since, last event) + N days; the earliest is the release time. */
PoolVerdict pool_rule_eval(const PoolRule *r, const PoolFacts *f);

/* Days left until due, counted in company-zone calendar days from now
 * (0 when due today or past). */
int pool_days_left(int64_t due, int64_t now);

/* Level letter ("A", "B", "C" or NULL) to POOL_LEVEL_*. */
int pool_level_of(const char *level);

/* A human reason for the audit log and the notification ("15 天未跟进 / no
 * follow-up for 15 days"), arena string. */
const char *pool_reason_text(Ctx *c, const char *reason, int days);

/* --- actions (checks access; one transaction each) --- */

/* Claim (领取) customer id from a pool the acting user belongs to. */
GxErr pool_claim(Ctx *c, int64_t id, json_t **out);

/* Assign (分配) pool customer id to owner_id: pool administrators (and
 * system administrators) only; the new owner must belong to the pool. */
GxErr pool_assign(Ctx *c, int64_t id, int64_t owner_id, json_t **out);

/* Release (退回公海) customer id with a reason, into pool_id or (0) the
 * owner's pool. The acting user must be allowed to edit the customer. */
GxErr pool_release(Ctx *c, int64_t id, int64_t pool_id, const char *reason, json_t **out);

/* Lock or unlock an owned customer (the owner's lock quota applies). */
GxErr pool_lock(Ctx *c, int64_t id, bool lock, json_t **out);

/* Recompute release_due/days_left of one customer (hooks); releases nothing. */
GxErr pool_refresh(Ctx *c, int64_t id);

/* The pools the acting user belongs to, as JSON [{id, name, count, admin}]. */
GxErr pool_mine(Ctx *c, json_t **out);

/* The active users who belong to pool pool_id (members and administrators),
 * as JSON [{id, name}] by name, for the assign form. */
GxErr pool_members(Ctx *c, int64_t pool_id, json_t **out);

/* Remind days of the pool governing customers of (user, department), or -1
 * when no pool governs them. */
int pool_remind_days(Ctx *c, int64_t user, int64_t dept);

/* Register hooks, actions' jobs and the migration step (modules_init). */
void pool_module_init(void);

#endif
