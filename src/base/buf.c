/* buf.c — see buf.h. */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

void buf_init(Buf *b, Arena *a)
{
    b->arena = a;
    b->cap = 64;
    b->data = arena_alloc(a, b->cap);
    b->len = 0;
}

void buf_grow(Buf *b, size_t n)
{
    if (b->len + n + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1) {
        if (cap > SIZE_MAX / 2)
            gx_die("buffer too large");
        cap *= 2;
    }
    b->data = arena_grow(b->arena, b->data, b->cap, b->len + 1, cap);
    b->cap = cap;
}

void buf_raw(Buf *b, const char *s)
{
    if (s)
        buf_raw_n(b, s, strlen(s));
}

void buf_clear(Buf *b)
{
    b->len = 0;
    b->data[0] = 0;
}

void buf_vprintf(Buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        gx_die("buf_vprintf: bad format");
    if ((size_t)n >= b->cap - b->len) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    }
    b->len += (size_t)n;
}

void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_html(Buf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        buf_raw_n(b, run, (size_t)(s - run));
        buf_raw(b, rep);
        run = s + 1;
    }
    buf_raw_n(b, run, (size_t)(s - run));
}

void buf_htmlf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *p = fmt;
    while (*p) {
        const char *pct = strchr(p, '%');
        if (!pct) {
            buf_raw(b, p);
            break;
        }
        buf_raw_n(b, p, (size_t)(pct - p));
        /* Collect one conversion spec: flags, width, precision, length, conv. */
        const char *q = pct + 1;
        while (*q && strchr("-+ #0123456789.hlzjt", *q))
            q++;
        if (!*q)
            gx_die("buf_htmlf: truncated format");
        char spec[32];
        size_t sl = (size_t)(q - pct + 1);
        if (sl >= sizeof spec)
            gx_die("buf_htmlf: format spec too long");
        memcpy(spec, pct, sl);
        spec[sl] = 0;
        switch (*q) {
        case '%': buf_putc(b, '%'); break;
        case 's': buf_html(b, va_arg(ap, const char *)); break;
        case 'c': buf_printf(b, "%c", va_arg(ap, int)); break;
        case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
            if (strstr(spec, "ll") || strchr(spec, 'j'))
                buf_printf(b, spec, va_arg(ap, long long));
            else if (strchr(spec, 'l') || strchr(spec, 'z'))
                buf_printf(b, spec, va_arg(ap, long));
            else
                buf_printf(b, spec, va_arg(ap, int));
            break;
        case 'f': case 'g': case 'e': buf_printf(b, spec, va_arg(ap, double)); break;
        default: gx_die("buf_htmlf: unsupported conversion %s", spec);
        }
        p = q + 1;
    }
    va_end(ap);
}

void buf_url(Buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!s)
        return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            buf_putc(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_raw_n(b, e, 3);
        }
    }
}

void buf_int(Buf *b, int64_t v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    buf_raw_n(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* Bytes buf_json_str writes escaped: controls, '"', '\\', and < > & (as \u
 * escapes, so that JSON can sit inside HTML safely). One lookup a byte
 * instead of six comparisons (strings are most of a list page's bytes). */
static const unsigned char json_special[256] = {
    [0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, ['<'] = 1, ['>'] = 1, ['&'] = 1,
};

void buf_json_str(Buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    buf_putc(b, '"');
    if (s) {
        const char *run = s;
        for (;; s++) {
            unsigned char c = (unsigned char)*s;
            if (!json_special[c])
                continue;
            buf_raw_n(b, run, (size_t)(s - run));
            if (!c)
                break;
            switch (c) {
            case '"': buf_raw_n(b, "\\\"", 2); break;
            case '\\': buf_raw_n(b, "\\\\", 2); break;
            case '\n': buf_raw_n(b, "\\n", 2); break;
            case '\r': buf_raw_n(b, "\\r", 2); break;
            case '\t': buf_raw_n(b, "\\t", 2); break;
            default: {
                char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                buf_raw_n(b, e, 6);
            }
            }
            run = s + 1;
        }
    }
    buf_putc(b, '"');
}

void buf_csv(Buf *b, const char *s)
{
    if (!s)
        return;
    bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@';
    if (formula && (s[0] == '-' || s[0] == '+')) {
        /* A plain signed number is data, not a formula. */
        const char *p = s + 1;
        while ((*p >= '0' && *p <= '9') || *p == '.')
            p++;
        if (!*p && p > s + 1)
            formula = false;
    }
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        buf_raw(b, s);
        return;
    }
    buf_putc(b, '"');
    if (formula)
        buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(b, '"');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

void buf_json_real(Buf *b, double v)
{
    char s[40];
    for (int p = 15; p <= 17; p++) {
        snprintf(s, sizeof s, "%.*g", p, v);
        if (p == 17 || strtod(s, NULL) == v)
            break;
    }
    buf_raw(b, s);
    if (!strpbrk(s, ".eE"))
        buf_raw(b, ".0");
}

/* Compact JSON of v into b, as json_dump_callback(JSON_COMPACT) would
 * write it but without its per-number snprintf and per-key sorting work
 * (a record of sixty fields is most of a GET's time otherwise). Integers
 * through buf_int, strings through buf_json_str (which also escapes < > &),
 * reals through buf_json_real. false on nesting beyond 64 levels. */
static bool dump_json(Buf *b, const json_t *v, int depth)
{
    if (depth > 64)
        return false;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *x;
        bool first = true;
        buf_putc(b, '{');
        json_object_foreach((json_t *)v, key, x)
        {
            if (!first)
                buf_putc(b, ',');
            first = false;
            buf_json_str(b, key);
            buf_putc(b, ':');
            if (!dump_json(b, x, depth + 1))
                return false;
        }
        buf_putc(b, '}');
        return true;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *x;
        buf_putc(b, '[');
        json_array_foreach(v, i, x)
        {
            if (i)
                buf_putc(b, ',');
            if (!dump_json(b, x, depth + 1))
                return false;
        }
        buf_putc(b, ']');
        return true;
    }
    case JSON_STRING: buf_json_str(b, json_string_value(v)); return true;
    case JSON_INTEGER: buf_int(b, json_integer_value(v)); return true;
    case JSON_TRUE: buf_raw(b, "true"); return true;
    case JSON_FALSE: buf_raw(b, "false"); return true;
    case JSON_NULL: buf_raw(b, "null"); return true;
    case JSON_REAL: buf_json_real(b, json_real_value(v)); return true;
    }
    return false;
}

char *json_text_of(Arena *a, const json_t *v)
{
    if (!v)
        return NULL;
    Buf b;
    buf_init(&b, a);
    if (json_is_real(v)) {
        buf_json_real(&b, json_real_value(v));
        return b.data;
    }
    char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!t)
        return NULL;
    buf_raw(&b, t);
    free(t);
    return b.data;
}

bool buf_json(Buf *b, const json_t *v)
{
    return dump_json(b, v, 0);
}
