/* clock.c — see clock.h. */
#include "clock.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

int64_t clock_now_ms(void)
{
    const char *flag = getenv("GX_TEST_CLOCK");
    const char *now = getenv("GX_NOW");
    int64_t s;
    if (flag && !strcmp(flag, "1") && now && time_parse_rfc3339(now, &s))
        return s * 1000;
    return time_now_ms();
}

int64_t clock_now_s(void)
{
    return clock_now_ms() / 1000;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

int64_t clock_local_day(int64_t t)
{
    return floor_div(t + CLOCK_COMPANY_TZ_OFFSET, 86400);
}

int64_t clock_local_midnight(int64_t day)
{
    return day * 86400 - CLOCK_COMPANY_TZ_OFFSET;
}
