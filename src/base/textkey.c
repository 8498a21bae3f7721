/* textkey.c — search keys and their queries (see textkey.h). */
#include <string.h>

#include "phone.h"
#include "pinyin.h"
#include "textkey.h"

/* Character classes of the word cutter. */
enum { CL_SEP, CL_WORD, CL_HAN };

/* Decode one UTF-8 code point at *p (assumed valid), advancing *p. */
static uint32_t next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t cp;
    size_t len;
    if (s[0] < 0x80)
        cp = s[0], len = 1;
    else if ((s[0] & 0xE0) == 0xC0 && s[1])
        cp = s[0] & 0x1Fu, len = 2;
    else if ((s[0] & 0xF0) == 0xE0 && s[1] && s[2])
        cp = s[0] & 0x0Fu, len = 3;
    else if ((s[0] & 0xF8) == 0xF0 && s[1] && s[2] && s[3])
        cp = s[0] & 0x07u, len = 4;
    else
        cp = 0xFFFD, len = 1; /* stray byte */
    for (size_t k = 1; k < len; k++)
        cp = (cp << 6) | (s[k] & 0x3Fu);
    *p = s + len;
    return cp;
}

static void put_cp(Buf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80)
        u[0] = (char)cp, n = 1;
    else if (cp < 0x800)
        u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
        u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[2] = (char)(0x80 | (cp & 0x3F)),
        n = 3;
    else
        u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    buf_raw_n(b, u, n);
}

/* Full-width ASCII to ASCII, ASCII letters to lower case. */
static uint32_t fold(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        cp -= 0xFEE0;
    if (cp >= 'A' && cp <= 'Z')
        cp += 32;
    return cp;
}

static int cp_class(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ? CL_WORD : CL_SEP;
    if ((cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0x20000 && cp <= 0x2FFFF) || (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7AF))
        return CL_HAN;
    if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
        (cp >= 0xFF00 && cp <= 0xFF65) || cp == 0xFFFD || (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7)
        return CL_SEP;
    return CL_WORD;
}

/* Cut text into tokens: calls emit(ctx, token) for each run of letters or
 * digits and each pair of neighbouring Chinese characters; with index, also
 * for each Chinese character alone (a lone one is always emitted). */
typedef void (*EmitFn)(void *ctx, const char *token);

#define MAX_CPS 512

static void cut_words(Arena *a, const char *text, bool index, EmitFn emit, void *ctx)
{
    uint32_t cps[MAX_CPS];
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && n < MAX_CPS;)
        cps[n++] = fold(next_cp(&p));
    Buf t;
    buf_init(&t, a);
    for (int i = 0; i < n;) {
        int cl = cp_class(cps[i]);
        int j = i;
        while (j < n && cp_class(cps[j]) == cl)
            j++;
        if (cl == CL_WORD) {
            buf_clear(&t);
            for (int k = i; k < j; k++)
                put_cp(&t, cps[k]);
            emit(ctx, t.data);
        } else if (cl == CL_HAN) {
            for (int k = i; k < j; k++) {
                if (index || j - i == 1) {
                    buf_clear(&t);
                    put_cp(&t, cps[k]);
                    emit(ctx, t.data);
                }
                if (k + 1 < j) {
                    buf_clear(&t);
                    put_cp(&t, cps[k]);
                    put_cp(&t, cps[k + 1]);
                    emit(ctx, t.data);
                }
            }
        }
        i = j;
    }
}

/* Emitting Chinese tokens only, space-separated, into a buffer. */
static void emit_han(void *ctx, const char *token)
{
    Buf *b = ctx;
    if ((unsigned char)token[0] < 0x80)
        return; /* letters and digits are found through the trigram index */
    buf_putc(b, ' ');
    buf_raw(b, token);
}

void textkey_han(Buf *out, const char *text)
{
    if (text)
        cut_words(out->arena, text, true, emit_han, out);
}

void textkey_pinyin(Buf *out, const char *text, int span)
{
    if (!text)
        return;
    uint32_t masks[MAX_CPS];
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && n < MAX_CPS;)
        masks[n++] = pinyin_initials(next_cp(&p));
    enum { MAX_COMBOS = 16 };
    for (int i = 0; i < n; i++) {
        if (!masks[i] || (span == 2 && (i + 1 >= n || !masks[i + 1])))
            continue;
        /* Combinations of initials of masks[i..], breadth first; stop
         * lengthening rather than drop combinations past MAX_COMBOS. */
        char combos[MAX_COMBOS][PINYIN_SPAN + 1];
        int nc = 1, len = 0;
        combos[0][0] = 0;
        for (int k = i; k < n && masks[k] && len < span && len < PINYIN_SPAN; k++, len++) {
            if (nc * __builtin_popcount(masks[k]) > MAX_COMBOS)
                break;
            char next[MAX_COMBOS][PINYIN_SPAN + 1];
            int nn = 0;
            for (int c = 0; c < nc; c++)
                for (int l = 0; l < 26; l++)
                    if (masks[k] >> l & 1) {
                        memcpy(next[nn], combos[c], (size_t)len);
                        next[nn][len] = (char)('a' + l);
                        next[nn][len + 1] = 0;
                        nn++;
                    }
            memcpy(combos, next, sizeof next[0] * (size_t)nn);
            nc = nn;
        }
        if (span == 2 && len < 2)
            continue;
        for (int c = 0; c < nc; c++)
            buf_printf(out, " %s", combos[c]);
    }
}

/* A digit of a phone number as stored in the search text: ⓪ ① … ⑨. Their
 * trigrams occur nowhere else (customer numbers, credit codes, names), so a
 * phone query reads only the lists of phone numbers. */
static void put_digit(Buf *b, char digit)
{
    put_cp(b, digit == '0' ? 0x24EA : 0x2460 + (uint32_t)(digit - '1'));
}

void textkey_digits(Buf *out, const char *phone)
{
    if (!phone || !*phone)
        return;
    buf_putc(out, ' ');
    for (const char *p = phone; *p && *p != ';'; p++)
        if (*p >= '0' && *p <= '9')
            put_digit(out, *p);
}

void textkey_digit_suffixes(Buf *out, const char *phone)
{
    if (!phone || !*phone)
        return;
    char d[64];
    size_t n = 0;
    for (const char *p = phone; *p && *p != ';' && n < sizeof d - 1; p++)
        if (*p >= '0' && *p <= '9')
            d[n++] = *p;
    for (size_t i = 0; i + 3 <= n; i++) {
        buf_putc(out, ' ');
        buf_raw_n(out, d + i, n - i);
    }
}

char *textkey_digits_query(Arena *a, const char *digits)
{
    Buf b;
    buf_init(&b, a);
    for (const char *p = digits; *p; p++)
        if (*p >= '0' && *p <= '9')
            put_digit(&b, *p);
    return b.data;
}

bool textkey_han_query(const char *q)
{
    const unsigned char *p = (const unsigned char *)q;
    int n = 0;
    while (*p) {
        if (cp_class(fold(next_cp(&p))) != CL_HAN)
            return false;
        n++;
    }
    return n >= 1 && n <= 2;
}

bool textkey_letters(const char *q, size_t min, size_t max)
{
    size_t n = 0;
    for (const char *p = q; *p; p++, n++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            return false;
    return n >= min && n <= max;
}

char *textkey_phrase(Arena *a, const char *q)
{
    Buf b;
    buf_init(&b, a);
    buf_putc(&b, '"');
    for (const char *p = q; *p; p++) {
        char ch = *p;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch + 32);
        if (ch == '"')
            buf_putc(&b, '"');
        buf_putc(&b, ch);
    }
    buf_putc(&b, '"');
    return b.data;
}
