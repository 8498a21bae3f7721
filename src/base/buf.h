/* buf.h — the one string builder (arena-backed) and its escaping writers.
 *
 * A Buf grows inside an Arena; its text is always NUL-terminated. Output to
 * HTML goes through buf_html()/buf_htmlf(): "%s" arguments of buf_htmlf are
 * escaped, raw text needs buf_raw() and is only for trusted literals. */
#ifndef GX_BUF_H
#define GX_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"

typedef struct Buf {
    Arena *arena; /* where the bytes live */
    char *data;   /* NUL-terminated text, never NULL after buf_init */
    size_t len;   /* bytes used, without the NUL */
    size_t cap;   /* bytes available in data, including room for the NUL */
} Buf;

/* Start an empty buffer in arena a. */
void buf_init(Buf *b, Arena *a);

/* Make room for n more bytes (the slow part of buf_reserve). */
void buf_grow(Buf *b, size_t n);

/* Make room for n more bytes. Inline with the appends below: a list page
 * makes some ten thousand of them. */
static inline void buf_reserve(Buf *b, size_t n)
{
    if (b->len + n + 1 > b->cap)
        buf_grow(b, n);
}

/* Append n bytes / a string / one byte verbatim. Only for trusted text when
 * the buffer is HTML. */
static inline void buf_raw_n(Buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}
void buf_raw(Buf *b, const char *s);
static inline void buf_putc(Buf *b, char c)
{
    buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = 0;
}

/* Decimal digits of v (no printf). */
void buf_int(Buf *b, int64_t v);

/* printf verbatim (no escaping): for SQL assembled from metadata identifiers,
 * numbers, logs. */
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* HTML text/attribute escaping of s (& < > " ' are escaped). NULL writes nothing. */
void buf_html(Buf *b, const char *s);

/* printf for HTML: every %s argument is HTML-escaped; %d etc. are numbers and
 * safe. Use buf_raw for markup. */
void buf_htmlf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Percent-encode s for a URL query component. */
void buf_url(Buf *b, const char *s);

/* Write s as a JSON string literal, quotes included. */
void buf_json_str(Buf *b, const char *s);

/* A JSON real as the shortest decimal that reads back as the same double
 * (what JavaScript's JSON.stringify writes): a decimal field's 2.037 is
 * "2.037", not jansson's "%.17g" "2.0369999999999999". Always with a '.'
 * or an exponent, as jansson writes it, so it stays a real. v is finite
 * (json_real holds no infinities or NaN). */
void buf_json_real(Buf *b, double v);

/* Write a jansson value as compact JSON (strings as buf_json_str writes
 * them, reals as buf_json_real). false on nesting beyond 64 levels. */
struct json_t;
bool buf_json(Buf *b, const struct json_t *v);

/* Text of a jansson value for people (audit and history pages, stored
 * revisions): as json_dumps(JSON_COMPACT | JSON_ENCODE_ANY) writes it,
 * reals as buf_json_real; in a's memory. NULL for NULL. */
char *json_text_of(Arena *a, const struct json_t *v);

/* CSV field (RFC 4180): quoted when it contains , " CR or LF; a leading
 * = + - @ gets a ' so spreadsheets do not run it as a formula. */
void buf_csv(Buf *b, const char *s);

/* Reset length to zero (keeps capacity). */
void buf_clear(Buf *b);

/* Detach: returns data (arena-owned). */
static inline const char *buf_str(const Buf *b) { return b->data; }

#endif
