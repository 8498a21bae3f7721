/* validate.c — coercion of API values to column values and back, per field
 * type (see meta.h). Messages name the problem in plain words; the caller
 * reports them under the field's name. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/divisions.h"
#include "../base/phone.h"
#include "../base/util.h"
#include "meta.h"

static const int64_t pow10_tab[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

/* Parse "123.45" / "-1" exactly into an integer scaled by 10^scale. */
static bool parse_scaled(const char *s, int scale, int64_t *out)
{
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (!isdigit((unsigned char)*p))
        return false;
    int64_t v = 0;
    for (; isdigit((unsigned char)*p); p++)
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *p - '0', &v))
            return false;
    int frac = 0;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        for (; isdigit((unsigned char)*p); p++) {
            if (frac == scale) {
                if (*p != '0')
                    return false; /* more precision than the field keeps */
                continue;
            }
            if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *p - '0', &v))
                return false;
            frac++;
        }
    }
    if (*p)
        return false;
    for (; frac < scale; frac++)
        if (__builtin_mul_overflow(v, 10, &v))
            return false;
    *out = neg ? -v : v;
    return true;
}

/* Format an integer scaled by 10^scale as a decimal string. */
static void format_scaled(int64_t v, int scale, char *out, size_t n)
{
    if (!scale) {
        snprintf(out, n, "%lld", (long long)v);
        return;
    }
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t p = (uint64_t)pow10_tab[scale];
    snprintf(out, n, "%s%llu.%0*llu", v < 0 ? "-" : "", (unsigned long long)(a / p), scale,
             (unsigned long long)(a % p));
}

static bool email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@'))
        return false;
    const char *dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || !dot[1] || !dot[2])
        return false;
    for (const char *p = s; *p; p++)
        if (isspace((unsigned char)*p) || *p == ',' || *p == ';' || *p == '<' || *p == '>' || *p == '"')
            return false;
    if (strstr(s, ".."))
        return false;
    return true;
}

static bool url_ok(const char *s)
{
    if (strncasecmp(s, "http://", 7) && strncasecmp(s, "https://", 8))
        return false;
    const char *host = strstr(s, "://") + 3;
    if (!*host || *host == '/')
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>')
            return false;
    return true;
}

/* Check an address in China against the division list (base/divisions.h)
 * and replace its province, city and district by their full names. */
static bool address_divisions(Ctx *c, const Field *f, json_t *v)
{
    const char *country = json_string_value(json_object_get(v, "country"));
    if (country && *country && strcmp(country, "中国") && strcasecmp(country, "China") && strcasecmp(country, "CN"))
        return true; /* abroad: not checked */
    const char *given[3], *canon[3], *part = NULL;
    static const char *const keys[3] = {"province", "city", "district"};
    for (int i = 0; i < 3; i++)
        given[i] = json_string_value(json_object_get(v, keys[i]));
    if (!divisions_check(given[0], given[1], given[2], &canon[0], &canon[1], &canon[2], &part)) {
        bool missing = !given[0] || !*given[0] || (!strcmp(part, "city") && (!given[1] || !*given[1]));
        if (missing)
            ctx_field(c, f->name,
                      !strcmp(part, "province") ? "needs the province of its city" : "needs the city of its district");
        else if (!strcmp(part, "province"))
            ctx_field(c, f->name, "has a province that is not a province of China");
        else if (!strcmp(part, "city"))
            ctx_field(c, f->name, "has a city that is not in its province");
        else
            ctx_field(c, f->name, "has a district that is not in its city");
        return false;
    }
    for (int i = 0; i < 3; i++)
        if (canon[i])
            json_object_set_new(v, keys[i], json_string(canon[i]));
    return true;
}

static bool string_like(FieldType t)
{
    return t == FT_STRING || t == FT_TEXT || t == FT_EMAIL || t == FT_PHONE || t == FT_URL || t == FT_ENUM ||
           t == FT_DATE || t == FT_DATETIME;
}

static bool check_bounds(Ctx *c, const Field *f, int64_t v)
{
    char lo[48], hi[48];
    int scale = (f->type == FT_DECIMAL || f->type == FT_PERCENT) ? f->scale : 0;
    if (f->has_min && v < f->min) {
        format_scaled(f->min, scale, lo, sizeof lo);
        ctx_field(c, f->name, "must be at least %s", lo);
        return false;
    }
    if (f->has_max && v > f->max) {
        format_scaled(f->max, scale, hi, sizeof hi);
        ctx_field(c, f->name, "must be at most %s", hi);
        return false;
    }
    return true;
}

/* Common text checks: length in characters. */
static bool check_text(Ctx *c, const Field *f, const char *s)
{
    size_t n = utf8_len(s);
    if (f->max_length && (int64_t)n > f->max_length) {
        ctx_field(c, f->name, "is too long (%zu characters, at most %lld)", n, (long long)f->max_length);
        return false;
    }
    return true;
}

bool meta_coerce(Ctx *c, const Field *f, json_t *v, DbVal *out)
{
    *out = dbv_null();
    if (!v || json_is_null(v))
        return true;
    switch (f->type) {
    case FT_STRING:
    case FT_TEXT:
        if (!json_is_string(v))
            goto want_string;
        if (!check_text(c, f, json_string_value(v)))
            return false;
        if (f->type == FT_STRING && strpbrk(json_string_value(v), "\r\n")) {
            ctx_field(c, f->name, "must be a single line");
            return false;
        }
        *out = dbv_text(arena_strdup(c->arena, json_string_value(v)));
        return true;
    case FT_EMAIL:
        if (!json_is_string(v))
            goto want_string;
        if (!*json_string_value(v))
            return true; /* empty = not set */
        if (!check_text(c, f, json_string_value(v)))
            return false;
        if (!email_ok(json_string_value(v))) {
            ctx_field(c, f->name, "is not a valid e-mail address");
            return false;
        }
        *out = dbv_text(arena_strdup(c->arena, json_string_value(v)));
        return true;
    case FT_PHONE: {
        if (!json_is_string(v))
            goto want_string;
        if (!*json_string_value(v))
            return true;
        if (!check_text(c, f, json_string_value(v)))
            return false;
        const char *why;
        char *p = phone_to_e164(c->arena, json_string_value(v), &why);
        if (!p && why) {
            ctx_field(c, f->name, "%s", why);
            return false;
        }
        if (p)
            *out = dbv_text(p); /* only spaces: not set */
        return true;
    }
    case FT_URL:
        if (!json_is_string(v))
            goto want_string;
        if (!*json_string_value(v))
            return true;
        if (!check_text(c, f, json_string_value(v)))
            return false;
        if (!url_ok(json_string_value(v))) {
            ctx_field(c, f->name, "is not a valid web address (http:// or https://)");
            return false;
        }
        *out = dbv_text(arena_strdup(c->arena, json_string_value(v)));
        return true;
    case FT_INT:
    case FT_MONEY:
    case FT_LINK:
    case FT_FILE:
        if (!json_is_integer(v)) {
            if (f->type == FT_MONEY)
                ctx_field(c, f->name, "must be an integer amount in minor units (fen)");
            else if (f->type == FT_LINK || f->type == FT_FILE)
                ctx_field(c, f->name, "must be a record id (integer)");
            else
                ctx_field(c, f->name, "must be an integer");
            return false;
        }
        if ((f->type == FT_LINK || f->type == FT_FILE) && json_integer_value(v) <= 0) {
            ctx_field(c, f->name, "must be a record id (positive integer)");
            return false;
        }
        if (!check_bounds(c, f, json_integer_value(v)))
            return false;
        *out = dbv_int(json_integer_value(v));
        return true;
    case FT_DECIMAL:
    case FT_PERCENT: {
        int64_t s;
        char tmp[64];
        const char *text = NULL;
        if (json_is_integer(v)) {
            snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
            text = tmp;
        } else if (json_is_real(v)) {
            double d = json_real_value(v);
            if (!isfinite(d) || fabs(d) > 9e15 / (double)pow10_tab[f->scale]) {
                ctx_field(c, f->name, "is out of range");
                return false;
            }
            snprintf(tmp, sizeof tmp, "%.*f", f->scale, d);
            /* Reject values with more precision than the field keeps. */
            if (fabs(strtod(tmp, NULL) - d) > 1e-9 * (fabs(d) + 1)) {
                ctx_field(c, f->name, "has more than %d decimal places", f->scale);
                return false;
            }
            text = tmp;
        } else if (json_is_string(v)) {
            text = json_string_value(v);
        } else {
            ctx_field(c, f->name, "must be a number");
            return false;
        }
        if (!parse_scaled(text, f->scale, &s)) {
            ctx_field(c, f->name, "must be a number with at most %d decimal places", f->scale);
            return false;
        }
        if (!check_bounds(c, f, s))
            return false;
        *out = dbv_int(s);
        return true;
    }
    case FT_BOOL:
        if (!json_is_boolean(v)) {
            ctx_field(c, f->name, "must be true or false");
            return false;
        }
        *out = dbv_int(json_is_true(v) ? 1 : 0);
        return true;
    case FT_DATE: {
        int y, m, d;
        if (!json_is_string(v))
            goto want_string;
        if (!*json_string_value(v))
            return true;
        if (!time_parse_date(json_string_value(v), &y, &m, &d)) {
            ctx_field(c, f->name, "must be a date YYYY-MM-DD");
            return false;
        }
        *out = dbv_text(arena_strdup(c->arena, json_string_value(v)));
        return true;
    }
    case FT_DATETIME: {
        int64_t t;
        if (!json_is_string(v))
            goto want_string;
        if (!*json_string_value(v))
            return true;
        if (!time_parse_rfc3339(json_string_value(v), &t)) {
            ctx_field(c, f->name, "must be a date-time in RFC 3339 form, e.g. 2026-11-23T09:30:00+08:00");
            return false;
        }
        char buf[64];
        time_format_s(t, buf);
        *out = dbv_text(arena_strdup(c->arena, buf));
        return true;
    }
    case FT_ENUM:
        if (!json_is_string(v))
            goto want_string;
        if (!*json_string_value(v))
            return true;
        if (!meta_option(f, json_string_value(v))) {
            ctx_field(c, f->name, "'%s' is not one of the allowed values", json_string_value(v));
            return false;
        }
        *out = dbv_text(arena_strdup(c->arena, json_string_value(v)));
        return true;
    case FT_MULTI_ENUM: {
        if (!json_is_array(v)) {
            ctx_field(c, f->name, "must be a list of values");
            return false;
        }
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (!json_is_string(item) || !meta_option(f, json_string_value(item))) {
                ctx_field(c, f->name, "contains a value that is not allowed");
                return false;
            }
            for (size_t k = 0; k < i; k++)
                if (json_equal(json_array_get(v, k), item)) {
                    ctx_field(c, f->name, "contains '%s' twice", json_string_value(item));
                    return false;
                }
        }
        char *s = json_dumps(v, JSON_COMPACT);
        *out = dbv_text(arena_strdup(c->arena, s));
        free(s);
        return true;
    }
    case FT_ADDRESS: {
        static const char *parts[] = {"country", "province", "city", "district", "street", "postcode", NULL};
        if (!json_is_object(v)) {
            ctx_field(c, f->name, "must be an object with province, city, district, street, postcode");
            return false;
        }
        const char *k;
        json_t *item;
        json_object_foreach(v, k, item)
        {
            bool known = false;
            for (int i = 0; parts[i]; i++)
                known |= !strcmp(parts[i], k);
            if (!known) {
                ctx_field(c, f->name, "has an unknown part '%s'", k);
                return false;
            }
            if (!json_is_string(item) && !json_is_null(item)) {
                ctx_field(c, f->name, "part '%s' must be text", k);
                return false;
            }
            if (json_is_string(item) && utf8_len(json_string_value(item)) > 200) {
                ctx_field(c, f->name, "part '%s' is too long (at most 200 characters)", k);
                return false;
            }
        }
        if (!address_divisions(c, f, v))
            return false;
        char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
        *out = dbv_text(arena_strdup(c->arena, s));
        free(s);
        return true;
    }
    case FT_JSON: {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (strlen(s) > 1000000) {
            free(s);
            ctx_field(c, f->name, "is too large");
            return false;
        }
        *out = dbv_text(arena_strdup(c->arena, s));
        free(s);
        return true;
    }
    case FT_AUTO_NUMBER:
    case FT_FORMULA:
    case FT_LINK_MULTIPLE:
    case FT_PARENT:
    case FT__COUNT:
        ctx_field(c, f->name, "cannot be set directly");
        return false;
    }
    return false;
want_string:
    ctx_field(c, f->name, "must be text");
    return false;
}

bool meta_coerce_text(Ctx *c, const Field *f, const char *text, DbVal *out)
{
    switch (f->type) {
    case FT_INT:
    case FT_MONEY:
    case FT_LINK:
    case FT_FILE: {
        int64_t v;
        if (!parse_i64(text, &v)) {
            ctx_field(c, f->name, "'%s' is not an integer", text);
            return false;
        }
        *out = dbv_int(v);
        return true;
    }
    case FT_DECIMAL:
    case FT_PERCENT: {
        int64_t v;
        if (!parse_scaled(text, f->scale, &v)) {
            ctx_field(c, f->name, "'%s' is not a number", text);
            return false;
        }
        *out = dbv_int(v);
        return true;
    }
    case FT_BOOL:
        if (!strcmp(text, "true") || !strcmp(text, "1"))
            *out = dbv_int(1);
        else if (!strcmp(text, "false") || !strcmp(text, "0"))
            *out = dbv_int(0);
        else {
            ctx_field(c, f->name, "must be true or false");
            return false;
        }
        return true;
    case FT_DATE: {
        int y, m, d;
        if (!time_parse_date(text, &y, &m, &d)) {
            ctx_field(c, f->name, "must be a date YYYY-MM-DD");
            return false;
        }
        *out = dbv_text(arena_strdup(c->arena, text)); /* text may not outlive the call (filter.c "in" lists) */
        return true;
    }
    case FT_DATETIME: {
        int64_t t;
        if (!time_parse_rfc3339(text, &t)) {
            /* A bare date compares as the start of that day (UTC). */
            int y, m, d;
            if (!time_parse_date(text, &y, &m, &d)) {
                ctx_field(c, f->name, "must be a date-time (RFC 3339) or a date");
                return false;
            }
            t = time_days_from_civil(y, m, d) * 86400;
        }
        char buf[64];
        time_format_s(t, buf);
        *out = dbv_text(arena_strdup(c->arena, buf));
        return true;
    }
    default:
        if (!string_like(f->type) && f->type != FT_AUTO_NUMBER && f->type != FT_MULTI_ENUM) {
            ctx_field(c, f->name, "cannot be compared with text");
            return false;
        }
        *out = dbv_text(arena_strdup(c->arena, text));
        return true;
    }
}

json_t *meta_to_json(const Field *f, DbRes *res, int col)
{
    if (db_isnull(res, col))
        return json_null();
    switch (f->type) {
    case FT_INT:
    case FT_MONEY:
    case FT_LINK:
    case FT_FILE:
        return json_integer(db_int(res, col));
    case FT_BOOL:
        return json_boolean(db_int(res, col) != 0);
    case FT_DECIMAL:
    case FT_PERCENT: {
        char tmp[64];
        format_scaled(db_int(res, col), f->scale, tmp, sizeof tmp);
        return json_real(strtod(tmp, NULL));
    }
    case FT_FORMULA: {
        const char *t = db_text(res, col);
        int64_t i;
        if (t && parse_i64(t, &i))
            return json_integer(i);
        return t ? json_string(t) : json_null();
    }
    case FT_MULTI_ENUM:
    case FT_ADDRESS:
    case FT_JSON: {
        const char *t = db_text(res, col);
        json_t *v = t ? json_loads(t, JSON_DECODE_ANY, NULL) : NULL;
        return v ? v : json_null();
    }
    default: {
        const char *t = db_text(res, col);
        return t ? json_string(t) : json_null();
    }
    }
}
