/* pool_rules.c — evaluation of a pool's recycle rules for one customer (pure
 * functions, see pool.h). */
#include <string.h>

#include "../base/arena.h"
#include "../base/clock.h"
#include "pool.h"

#define DAY 86400

static int64_t later(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

PoolVerdict pool_rule_eval(const PoolRule *r, const PoolFacts *f)
{
    PoolVerdict v = {.exempt = true, .due = 0, .reason = "no_rule"};
    if (f->locked) {
        v.reason = "locked";
        return v;
    }
    if (r->spare_closed && f->closed) {
        v.reason = "closed";
        return v;
    }
    if (r->spare_open_opportunities && f->open_opportunities) {
        v.reason = "open_opportunity";
        return v;
    }
    int lv = f->level >= 0 && f->level < POOL_LEVELS ? f->level : POOL_LEVEL_C;
    struct {
        int days;
        int64_t last;
        bool usable;
        const char *reason;
    } rules[] = {
        {r->follow_up_days[lv], f->last_follow_up, true, "no_follow_up"},
        {r->opportunity_days[lv], f->last_opportunity, f->has_opportunities, "no_opportunity"},
        {r->deal_days[lv], f->last_deal, f->has_deals, "no_deal"},
    };
    for (int i = 0; i < 3; i++) {
        if (rules[i].days <= 0 || !rules[i].usable)
            continue;
        int64_t due = later(f->since, rules[i].last) + (int64_t)rules[i].days * DAY;
        if (v.exempt || due < v.due) {
            v.exempt = false;
            v.due = due;
            v.reason = rules[i].reason;
        }
    }
    return v;
}

int pool_days_left(int64_t due, int64_t now)
{
    if (due <= now)
        return 0;
    int64_t d = clock_local_day(due) - clock_local_day(now);
    return d < 0 ? 0 : (int)d;
}

int pool_level_of(const char *level)
{
    if (level && !strcmp(level, "A"))
        return POOL_LEVEL_A;
    if (level && !strcmp(level, "B"))
        return POOL_LEVEL_B;
    return POOL_LEVEL_C;
}

const char *pool_reason_text(Ctx *c, const char *reason, int days)
{
    if (!strcmp(reason, "no_follow_up"))
        return arena_printf(c->arena, "%d 天未跟进 / no follow-up for %d days", days, days);
    if (!strcmp(reason, "no_opportunity"))
        return arena_printf(c->arena, "%d 天无新商机 / no new opportunity for %d days", days, days);
    if (!strcmp(reason, "no_deal"))
        return arena_printf(c->arena, "%d 天未成交 / no deal for %d days", days, days);
    return reason;
}
