/* pool_api.c — the customer pool (公海) actions and the reminders endpoints:
 *   POST /api/v1/customers/{id}/claim                 {}            领取
 *   POST /api/v1/customers/{id}/assign                {"owner_id"}  分配 (pool administrators)
 *   POST /api/v1/customers/{id}/release               {"reason", "pool_id"?}  退回公海
 *   POST /api/v1/customers/{id}/lock | /unlock        {}
 *   GET  /api/v1/reminders                            the current user's reminders (待办)
 *   GET  /api/v1/reminders/settings, PATCH (administrators)
 * Pools themselves are records: /api/v1/pools (generic CRUD, settings). */
#include <string.h>

#include "../modules/pool.h"
#include "../modules/reminders.h"
#include "api.h"

/* An optional JSON body: empty is {}, anything else must be an object. */
static json_t *optional_body(Req *r)
{
    if (!r->body || !r->body_len)
        return json_object();
    return api_body(r);
}

static void reply(Req *r, GxErr rc, json_t *out)
{
    if (rc)
        return api_fail(r);
    http_json(r, 200, out);
}

static void act_claim(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    json_t *b = optional_body(r), *out = NULL;
    if (!b)
        return;
    json_decref(b);
    GxErr rc = pool_claim(&r->c, id, &out);
    reply(r, rc, out);
}

static void act_assign(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    json_t *b = api_body(r), *out = NULL;
    if (!b)
        return;
    json_t *owner = json_object_get(b, "owner_id");
    if (!json_is_integer(owner) || json_integer_value(owner) <= 0) {
        json_decref(b);
        ctx_field(&r->c, "owner_id", "is required (a user id)");
        return api_fail(r);
    }
    int64_t owner_id = json_integer_value(owner);
    json_decref(b);
    GxErr rc = pool_assign(&r->c, id, owner_id, &out);
    reply(r, rc, out);
}

static void act_release(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    json_t *b = api_body(r), *out = NULL;
    if (!b)
        return;
    json_t *reason = json_object_get(b, "reason"), *pool = json_object_get(b, "pool_id");
    if (reason && !json_is_string(reason))
        ctx_field(&r->c, "reason", "must be text");
    if (pool && !json_is_null(pool) && (!json_is_integer(pool) || json_integer_value(pool) <= 0))
        ctx_field(&r->c, "pool_id", "must be a pool id");
    if (r->c.err) {
        json_decref(b);
        return api_fail(r);
    }
    GxErr rc = pool_release(&r->c, id, json_integer_value(pool), json_string_value(reason), &out);
    json_decref(b);
    reply(r, rc, out);
}

static void lock_or_unlock(Req *r, int64_t id, bool lock)
{
    json_t *b = optional_body(r), *out = NULL;
    if (!b)
        return;
    json_decref(b);
    GxErr rc = pool_lock(&r->c, id, lock, &out);
    reply(r, rc, out);
}

static void act_lock(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    lock_or_unlock(r, id, true);
}

static void act_unlock(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    lock_or_unlock(r, id, false);
}

void api_reminders(Req *r)
{
    json_t *rows;
    if (reminders_list(&r->c, &rows))
        return api_fail(r);
    http_json(r, 200, json_pack("{s:o}", "data", rows));
}

void api_reminder_settings(Req *r)
{
    json_t *out;
    if (!strcmp(r->method, "GET")) {
        reminders_settings_get(&r->c, &out);
        return http_json(r, 200, out);
    }
    json_t *b = api_body(r);
    if (!b)
        return;
    GxErr rc = reminders_settings_set(&r->c, b, &out);
    json_decref(b);
    reply(r, rc, out);
}

void pool_api_init(void)
{
    api_action_register("customers", "claim", act_claim,
                        "Claim (领取) a customer from a pool the caller belongs to. Body {} (optional). Answers the "
                        "customer, now owned by the caller. 404 when the caller cannot see it (not a member of its "
                        "pool); 409 with code claim_limit (daily claim limit), hold_cap (cap on customers held) or "
                        "reclaim_wait (a former owner within the pool's waiting days), or when it has an owner.");
    api_action_register("customers", "assign", act_assign,
                        "Assign (分配) a pool customer to a member of its pool. Body {\"owner_id\": user id}. Pool "
                        "administrators and system administrators only (403 otherwise); 422 when owner_id is not an "
                        "active member of the pool.");
    api_action_register("customers", "release", act_release,
                        "Release (退回公海) a customer to a pool. Body {\"reason\": text (required), \"pool_id\": id "
                        "(optional; default the owner's pool)}. Needs edit access to the customer; 409 when it is "
                        "locked or already in a pool. The release is in the customer's history with the reason.");
    api_action_register("customers", "lock", act_lock,
                        "Lock a customer so the pool never takes it back. Body {} (optional). 409 with code "
                        "lock_quota when the owner has reached the pool's lock quota.");
    api_action_register("customers", "unlock", act_unlock,
                        "Unlock a customer (the pool's recycle rules apply again). Body {} (optional).");
}
