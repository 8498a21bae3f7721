/* test_pool_rules.c — the customer pool's recycle rules (pool_rule_eval):
 * N days per level from the later of the ownership start and the last event,
 * the earliest rule wins, rules needing absent entities are skipped,
 * exemptions (locked, closed, open opportunities), and days left counted in
 * company-zone calendar days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/util.h"
#include "modules/pool.h"

#define DAY 86400

static int64_t t(const char *rfc)
{
    int64_t s;
    assert_true(time_parse_rfc3339(rfc, &s));
    return s;
}

static PoolRule rule(void)
{
    PoolRule r = {.follow_up_days = {40, 20, 10}, .opportunity_days = {0, 0, 0}, .deal_days = {0, 0, 0}};
    return r;
}

static void test_days_per_level(void **state)
{
    (void)state;
    PoolRule r = rule();
    int64_t since = t("2026-11-01T02:00:00Z");
    PoolFacts f = {.level = POOL_LEVEL_A, .since = since};
    PoolVerdict v = pool_rule_eval(&r, &f);
    assert_false(v.exempt);
    assert_int_equal(v.due, since + 40 * DAY);
    assert_string_equal(v.reason, "no_follow_up");
    f.level = POOL_LEVEL_B;
    assert_int_equal(pool_rule_eval(&r, &f).due, since + 20 * DAY);
    f.level = POOL_LEVEL_C;
    assert_int_equal(pool_rule_eval(&r, &f).due, since + 10 * DAY);
    assert_int_equal(pool_level_of(NULL), POOL_LEVEL_C);
    assert_int_equal(pool_level_of("A"), POOL_LEVEL_A);
    assert_int_equal(pool_level_of("B"), POOL_LEVEL_B);
    assert_int_equal(pool_level_of("Z"), POOL_LEVEL_C);
}

static void test_last_follow_up_restarts_the_clock(void **state)
{
    (void)state;
    PoolRule r = rule();
    int64_t since = t("2026-11-01T02:00:00Z");
    PoolFacts f = {.level = POOL_LEVEL_C, .since = since, .last_follow_up = since + 5 * DAY};
    assert_int_equal(pool_rule_eval(&r, &f).due, since + 15 * DAY);
    /* A follow-up before the current ownership does not count. */
    f.last_follow_up = since - 30 * DAY;
    assert_int_equal(pool_rule_eval(&r, &f).due, since + 10 * DAY);
}

static void test_earliest_rule_wins_and_absent_entities_are_skipped(void **state)
{
    (void)state;
    PoolRule r = rule();
    r.opportunity_days[POOL_LEVEL_C] = 7;
    r.deal_days[POOL_LEVEL_C] = 5;
    int64_t since = t("2026-11-01T02:00:00Z");
    PoolFacts f = {.level = POOL_LEVEL_C, .since = since};
    /* Neither opportunities nor orders exist: only the follow-up rule applies. */
    PoolVerdict v = pool_rule_eval(&r, &f);
    assert_int_equal(v.due, since + 10 * DAY);
    f.has_opportunities = true;
    v = pool_rule_eval(&r, &f);
    assert_int_equal(v.due, since + 7 * DAY);
    assert_string_equal(v.reason, "no_opportunity");
    f.has_deals = true;
    v = pool_rule_eval(&r, &f);
    assert_int_equal(v.due, since + 5 * DAY);
    assert_string_equal(v.reason, "no_deal");
    f.last_deal = since + 4 * DAY; /* a deal: the deal rule moves to day 9, the opportunity rule (7) wins */
    v = pool_rule_eval(&r, &f);
    assert_int_equal(v.due, since + 7 * DAY);
}

static void test_exemptions(void **state)
{
    (void)state;
    PoolRule r = rule();
    PoolFacts f = {.level = POOL_LEVEL_C, .since = t("2026-11-01T02:00:00Z"), .locked = true};
    PoolVerdict v = pool_rule_eval(&r, &f);
    assert_true(v.exempt);
    assert_string_equal(v.reason, "locked");
    f.locked = false;
    f.closed = true;
    assert_false(pool_rule_eval(&r, &f).exempt); /* spare_closed off */
    r.spare_closed = true;
    assert_string_equal(pool_rule_eval(&r, &f).reason, "closed");
    f.closed = false;
    f.open_opportunities = true;
    assert_false(pool_rule_eval(&r, &f).exempt);
    r.spare_open_opportunities = true;
    assert_string_equal(pool_rule_eval(&r, &f).reason, "open_opportunity");
    /* Every rule off: never released. */
    PoolRule off = {0};
    PoolFacts g = {.level = POOL_LEVEL_A, .since = 1};
    assert_true(pool_rule_eval(&off, &g).exempt);
}

static void test_days_left_in_company_days(void **state)
{
    (void)state;
    /* Due 2026-11-11 01:00 Beijing (= 11-10 17:00 UTC); now 2026-11-10 23:00 Beijing: 1 day left. */
    assert_int_equal(pool_days_left(t("2026-11-10T17:00:00Z"), t("2026-11-10T15:00:00Z")), 1);
    /* Same Beijing day: 0. Past: 0. Ten days: 10. */
    assert_int_equal(pool_days_left(t("2026-11-10T15:30:00Z"), t("2026-11-10T15:00:00Z")), 0);
    assert_int_equal(pool_days_left(t("2026-11-01T00:00:00Z"), t("2026-11-10T15:00:00Z")), 0);
    assert_int_equal(pool_days_left(t("2026-11-20T03:00:00Z"), t("2026-11-10T03:00:00Z")), 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_per_level),
        cmocka_unit_test(test_last_follow_up_restarts_the_clock),
        cmocka_unit_test(test_earliest_rule_wins_and_absent_entities_are_skipped),
        cmocka_unit_test(test_exemptions),
        cmocka_unit_test(test_days_left_in_company_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
