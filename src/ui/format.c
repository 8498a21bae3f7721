/* format.c — numbers, money and times as people read them: thousands
 * separators, ¥ with two decimals from integer fen (never floating point),
 * dates as YYYY-MM-DD, date-times in the user's time zone. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../base/util.h"
#include "ui.h"

void ui_int(Buf *b, int64_t v)
{
    char digits[32];
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)a);
    if (v < 0)
        buf_putc(b, '-');
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf_putc(b, ',');
        buf_putc(b, digits[i]);
    }
}

void ui_money(Buf *b, int64_t fen)
{
    uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    if (fen < 0)
        buf_putc(b, '-');
    buf_raw(b, "¥");
    ui_int(b, (int64_t)(a / 100));
    buf_printf(b, ".%02u", (unsigned)(a % 100));
}

void ui_money_input(Buf *b, int64_t fen)
{
    uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    buf_printf(b, "%s%llu.%02u", fen < 0 ? "-" : "", (unsigned long long)(a / 100), (unsigned)(a % 100));
}

bool ui_parse_money(const char *s, int64_t *fen)
{
    while (*s == ' ')
        s++;
    bool neg = false;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    if (!strncmp(s, "¥", strlen("¥")))
        s += strlen("¥");
    else if (!strncmp(s, "￥", strlen("￥")))
        s += strlen("￥");
    while (*s == ' ')
        s++;
    if (!isdigit((unsigned char)*s))
        return false;
    int64_t v = 0;
    for (; isdigit((unsigned char)*s) || (*s == ',' && isdigit((unsigned char)s[1])); s++) {
        if (*s == ',')
            continue;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *s - '0', &v))
            return false;
    }
    int frac = 0;
    if (*s == '.') {
        s++;
        for (; isdigit((unsigned char)*s); s++) {
            if (++frac > 2) {
                if (*s != '0')
                    return false;
                continue;
            }
            if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *s - '0', &v))
                return false;
        }
    }
    while (*s == ' ')
        s++;
    if (*s)
        return false;
    for (; frac < 2; frac++)
        if (__builtin_mul_overflow(v, 10, &v))
            return false;
    *fen = neg ? -v : v;
    return true;
}

/* ---------- time zones ---------- */

/* Zones without daylight saving time, seconds east of UTC. */
static const struct {
    const char *name;
    int offset;
} zones[] = {
    {"Asia/Shanghai", 8 * 3600},
    {"Asia/Chongqing", 8 * 3600},
    {"Asia/Harbin", 8 * 3600},
    {"Asia/Urumqi", 6 * 3600},
    {"Asia/Hong_Kong", 8 * 3600},
    {"Asia/Macau", 8 * 3600},
    {"Asia/Taipei", 8 * 3600},
    {"Asia/Singapore", 8 * 3600},
    {"Asia/Kuala_Lumpur", 8 * 3600},
    {"Asia/Manila", 8 * 3600},
    {"Asia/Tokyo", 9 * 3600},
    {"Asia/Seoul", 9 * 3600},
    {"Asia/Bangkok", 7 * 3600},
    {"Asia/Ho_Chi_Minh", 7 * 3600},
    {"Asia/Jakarta", 7 * 3600},
    {"Asia/Kolkata", 19800},
    {"Asia/Dubai", 4 * 3600},
    {"UTC", 0},
    {"Etc/UTC", 0},
    {"GMT", 0},
};

int ui_tz_offset(Req *r)
{
    UiState *st = ui_state(r);
    if (st->tz_loaded)
        return st->tz_offset;
    st->tz_loaded = true;
    st->tz_offset = 8 * 3600;
    if (!r->c.who)
        return st->tz_offset;
    Ctx sys = r->c; /* a user may always read their own settings */
    sys.who = NULL;
    sys.err_fields = NULL;
    json_t *u = NULL;
    if (record_get(&sys, meta_entity("users"), r->c.who->user_id, &u) == GX_OK) {
        const char *tz = json_string_value(json_object_get(u, "time_zone"));
        for (size_t i = 0; tz && i < sizeof zones / sizeof zones[0]; i++)
            if (!strcmp(zones[i].name, tz))
                st->tz_offset = zones[i].offset;
    }
    json_decref(u);
    json_decref(sys.err_fields);
    return st->tz_offset;
}

bool ui_parse_utc(const char *s, int64_t *t)
{
    return s && time_parse_rfc3339(s, t);
}

void ui_local_parts(Req *r, int64_t t, int *y, int *mo, int *d, int *h, int *mi)
{
    time_t lt = (time_t)(t + ui_tz_offset(r));
    struct tm tm;
    gmtime_r(&lt, &tm);
    *y = tm.tm_year + 1900;
    *mo = tm.tm_mon + 1;
    *d = tm.tm_mday;
    if (h)
        *h = tm.tm_hour;
    if (mi)
        *mi = tm.tm_min;
}

void ui_datetime(Req *r, Buf *b, const char *utc)
{
    int64_t t;
    if (!ui_parse_utc(utc, &t)) {
        buf_html(b, utc);
        return;
    }
    int y, mo, d, h, mi;
    ui_local_parts(r, t, &y, &mo, &d, &h, &mi);
    buf_printf(b, "%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi);
}

const char *ui_datetime_input(Req *r, const char *utc)
{
    int64_t t;
    if (!ui_parse_utc(utc, &t))
        return "";
    int y, mo, d, h, mi;
    ui_local_parts(r, t, &y, &mo, &d, &h, &mi);
    return arena_printf(&r->arena, "%04d-%02d-%02dT%02d:%02d", y, mo, d, h, mi);
}

const char *ui_datetime_from_input(Req *r, const char *local)
{
    int y, mo, d, h, mi, sec = 0, n = 0;
    if (!local || sscanf(local, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5)
        return NULL;
    if (local[n] == ':') {
        int m2 = 0;
        if (sscanf(local + n, ":%2d%n", &sec, &m2) != 1)
            return NULL;
        n += m2;
    }
    if (local[n])
        return NULL;
    int off = ui_tz_offset(r);
    int aoff = off < 0 ? -off : off;
    const char *s = arena_printf(&r->arena, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, mo, d, h, mi, sec,
                                 off < 0 ? '-' : '+', aoff / 3600, aoff % 3600 / 60);
    int64_t t;
    return time_parse_rfc3339(s, &t) ? s : NULL;
}

void ui_relative(Req *r, Buf *b, const char *utc)
{
    int64_t t;
    if (!ui_parse_utc(utc, &t)) {
        buf_html(b, utc);
        return;
    }
    int64_t now = time_now_ms() / 1000;
    int64_t diff = now - t;
    bool future = diff < 0;
    if (future)
        diff = -diff;
    long long n;
    const char *fmt;
    if (diff < 60) {
        buf_html(b, T(r, "just now"));
        return;
    } else if (diff < 3600) {
        n = diff / 60;
        fmt = future ? T(r, "in %lld min") : T(r, "%lld min ago");
    } else if (diff < 86400) {
        n = diff / 3600;
        fmt = future ? T(r, "in %lld h") : T(r, "%lld h ago");
    } else if (diff < 30 * 86400) {
        n = diff / 86400;
        fmt = future ? T(r, "in %lld days") : T(r, "%lld days ago");
    } else {
        int y, mo, d;
        ui_local_parts(r, t, &y, &mo, &d, NULL, NULL);
        buf_printf(b, "%04d-%02d-%02d", y, mo, d);
        return;
    }
    buf_htmlf(b, fmt, n);
}

int64_t ui_local_midnight(Req *r, int y, int m, int d)
{
    return time_days_from_civil(y, m, d) * 86400 - ui_tz_offset(r);
}

void ui_today(Req *r, int *y, int *m, int *d)
{
    ui_local_parts(r, time_now_ms() / 1000, y, m, d, NULL, NULL);
}

const char *ui_utc_string(Req *r, int64_t t)
{
    char tmp[64];
    time_format_s(t, tmp);
    return arena_strdup(&r->arena, tmp);
}
