/* rmb_words.c — an amount of money in Chinese capitals (人民币大写), as
 * written on invoices, cheques and contracts (see sales.h for the rules). */
#include <string.h>

#include "sales.h"

static const char *const digits[] = {"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"};
/* Units of the four places inside a group of four digits, highest first. */
static const char *const places[] = {"仟", "佰", "拾", ""};
/* Units of the groups of four digits, from the lowest: 1, 10^4, 10^8, 10^12, 10^16. */
static const char *const groups[] = {"", "万", "亿", "万亿", "亿亿"};

typedef struct Out {
    char *s;    /* the caller's buffer */
    size_t n;   /* its size */
    size_t len; /* bytes written so far */
} Out;

static void put(Out *o, const char *t)
{
    size_t k = strlen(t);
    if (o->len + k >= o->n)
        return; /* RMB_WORDS_MAX is enough for any int64: never cut in practice */
    memcpy(o->s + o->len, t, k);
    o->len += k;
    o->s[o->len] = 0;
}

/* Write the words of yuan (> 0) without the 元. */
static void integer_words(Out *o, uint64_t yuan)
{
    unsigned g[5];
    int ng = 0;
    while (yuan) {
        g[ng++] = (unsigned)(yuan % 10000);
        yuan /= 10000;
    }
    bool written = false, zero = false; /* something written; a 零 is owed before the next digit */
    for (int k = ng - 1; k >= 0; k--) {
        unsigned v = g[k];
        if (!v) {
            zero = written;
            continue;
        }
        /* A group below 1000 after a higher group starts with 零 (壹万零伍). */
        if (written && v < 1000)
            zero = true;
        unsigned d[4] = {v / 1000, v / 100 % 10, v / 10 % 10, v % 10};
        for (int p = 0; p < 4; p++) {
            if (!d[p]) {
                zero = zero || written;
                continue;
            }
            if (zero)
                put(o, digits[0]);
            zero = false;
            put(o, digits[d[p]]);
            put(o, places[p]);
            written = true;
        }
        zero = false; /* zeros at the end of a group are not read */
        put(o, groups[k]);
    }
}

const char *rmb_words(int64_t fen, char *buf, size_t size)
{
    Out o = {buf, size, 0};
    if (!size)
        return buf;
    buf[0] = 0;
    uint64_t m = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    if (fen < 0)
        put(&o, "负");
    uint64_t yuan = m / 100;
    unsigned jiao = (unsigned)(m / 10 % 10), f = (unsigned)(m % 10);
    if (yuan) {
        integer_words(&o, yuan);
        put(&o, "元");
    } else if (!jiao && !f) {
        put(&o, "零元");
    }
    if (!jiao && !f) {
        put(&o, "整");
        return buf;
    }
    if (!jiao) {
        if (yuan)
            put(&o, digits[0]); /* 壹仟零伍元零柒分 */
    } else {
        put(&o, digits[jiao]);
        put(&o, "角");
    }
    if (f) {
        put(&o, digits[f]);
        put(&o, "分");
    } else {
        put(&o, "整");
    }
    return buf;
}
