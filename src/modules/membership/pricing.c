/* pricing.c — the arithmetic of the front desk: amounts, discounts, points,
 * top-up bonuses, overlaps, opening hours and business days. Pure functions
 * over integers (fen, seconds), no database. */
#include <stdio.h>
#include <string.h>

#include "../../base/util.h"
#include "../membership.h"

bool ms_time_amount(int64_t price_per_hour, int64_t minutes, int64_t *out)
{
    int64_t p;
    if (price_per_hour < 0 || minutes < 0 || __builtin_mul_overflow(price_per_hour, minutes, &p) ||
        __builtin_add_overflow(p, 30, &p))
        return false;
    *out = p / 60;
    return true;
}

bool ms_unit_amount(int64_t unit_price, int64_t quantity, int64_t *out)
{
    if (unit_price < 0 || quantity < 0)
        return false;
    return !__builtin_mul_overflow(unit_price, quantity, out);
}

int64_t ms_discount(int64_t amount, int64_t pct)
{
    if (amount <= 0 || pct <= 0)
        return 0;
    if (pct >= 100)
        return amount;
    /* amount < 2^63 / 100 for any real bill; split to stay exact anyway. */
    return (amount / 100) * pct + ((amount % 100) * pct + 50) / 100;
}

void ms_spread(const int64_t *amounts, int n, int64_t discount, int64_t *parts)
{
    int64_t sum = 0, given = 0;
    int last = -1;
    for (int i = 0; i < n; i++) {
        parts[i] = 0;
        if (amounts[i] > 0) {
            sum += amounts[i];
            last = i;
        }
    }
    if (last < 0 || discount <= 0)
        return;
    for (int i = 0; i < n; i++) {
        if (amounts[i] <= 0 || i == last)
            continue;
        /* floor(discount × amount / sum) in 128 bits: no overflow. */
        parts[i] = (int64_t)((__int128)discount * amounts[i] / sum);
        given += parts[i];
    }
    parts[last] = discount - given;
}

int64_t ms_points_for(int64_t total, int64_t points_per_yuan)
{
    if (total <= 0 || points_per_yuan <= 0)
        return 0;
    return total / 100 * points_per_yuan;
}

int64_t ms_topup_bonus(int64_t amount, int64_t threshold, int64_t bonus)
{
    if (amount <= 0 || threshold <= 0 || bonus <= 0)
        return 0;
    return amount / threshold * bonus;
}

bool ms_overlaps(int64_t a0, int64_t a1, int64_t b0, int64_t b1)
{
    return a0 < b1 && b0 < a1;
}

bool ms_parse_hhmm(const char *s, int *minutes)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return false;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return false;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return false;
    *minutes = h * 60 + m;
    return true;
}

/* Floor division for possibly negative instants. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool ms_within_hours(int64_t start, int64_t end, int open_min, int close_min)
{
    if (end <= start)
        return false;
    int64_t day = floor_div(start + MS_TZ_S, 86400);
    int64_t midnight = day * 86400 - MS_TZ_S;
    return start >= midnight + (int64_t)open_min * 60 && end <= midnight + (int64_t)close_min * 60;
}

void ms_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    /* Howard Hinnant's days-to-civil algorithm. */
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

/* "YYYY-MM-DD" into out (11 bytes). */
static void fmt_date(char out[11], int y, int m, int d)
{
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    memcpy(out, tmp, 10);
    out[10] = 0;
}

void ms_business_day(int64_t t, char out[11])
{
    int y, m, d;
    ms_civil_from_days(floor_div(t + MS_TZ_S, 86400), &y, &m, &d);
    fmt_date(out, y, m, d);
}

bool ms_add_months(const char *date, int months, char out[11])
{
    int y, m, d;
    if (!date || !time_parse_date(date, &y, &m, &d))
        return false;
    int64_t idx = (int64_t)y * 12 + (m - 1) + months;
    y = (int)(idx / 12);
    m = (int)(idx % 12) + 1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    if (d > last)
        d = last;
    if (y < 1 || y > 9999)
        return false;
    fmt_date(out, y, m, d);
    return true;
}

bool ms_day_start(const char *date, int64_t *t)
{
    int y, m, d;
    if (!date || !time_parse_date(date, &y, &m, &d))
        return false;
    *t = time_days_from_civil(y, m, d) * 86400 - MS_TZ_S;
    return true;
}
