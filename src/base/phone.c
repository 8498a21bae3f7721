/* phone.c — Chinese phone numbers to E.164 and back (see phone.h).
 *
 * Numbering plan used (MIIT): mobiles are 11 digits 1[3-9]xxxxxxxxx;
 * landlines are a trunk 0, an area code of 2 digits (10, 2x) or 3 digits
 * (3xx-9xx) and a local number of 7 or 8 digits; 400/800
 * numbers have 10 digits; 95xxx/96xxx and 1xxxx are short service numbers. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "phone.h"

/* Longest input looked at (bytes): longer text is not a phone number. */
#define PHONE_INPUT_MAX 120

/* Full-width and other look-alike characters, mapped to ASCII. */
static const struct {
    const char *utf8;
    char ascii;
} lookalikes[] = {
    {"\xEF\xBC\x8B", '+'},             /* ＋ */
    {"\xEF\xBC\x88", '('},             /* （ */
    {"\xEF\xBC\x89", ')'},             /* ） */
    {"\xEF\xBC\x8D", '-'},             /* － */
    {"\xE2\x80\x94", '-'},             /* — */
    {"\xE2\x80\x93", '-'},             /* – */
    {"\xE3\x80\x80", ' '},             /* ideographic space */
    {"\xEF\xBC\x8C", 'x'},             /* ， (extension) */
    {"\xEF\xBC\x83", 'x'},             /* ＃ (extension) */
    {"\xE8\xBD\xAC", 'x'},             /* 转 (extension) */
    {"\xE5\x88\x86\xE6\x9C\xBA", 'x'}, /* 分机 (extension) */
};

/* Map s to a plain ASCII string of digits, '+', ' ' (separators) and 'x'
 * (extension marker) in out (size n). Returns false on a character that
 * has no place in a phone number. */
static bool phone_ascii(const char *s, char *out, size_t n)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (o + 2 >= n)
            return false;
        char ch = 0;
        size_t used = 1;
        if (*p >= '0' && *p <= '9') {
            ch = (char)*p;
        } else if (*p == ' ' || *p == '\t' || *p == '-' || *p == '.' || *p == '(' || *p == ')' || *p == '/') {
            ch = ' ';
        } else if (*p == '+') {
            ch = '+';
        } else if (*p == 'x' || *p == 'X' || *p == '#' || *p == ',') {
            ch = 'x';
        } else if (!strncasecmp((const char *)p, ";ext=", 5)) {
            ch = 'x', used = 5;
        } else if (!strncasecmp((const char *)p, "ext.", 4)) {
            ch = 'x', used = 4;
        } else if (!strncasecmp((const char *)p, "ext", 3)) {
            ch = 'x', used = 3;
        } else if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
            ch = (char)('0' + (p[2] - 0x90)), used = 3; /* full-width digit */
        } else {
            for (size_t i = 0; i < sizeof lookalikes / sizeof lookalikes[0]; i++) {
                size_t len = strlen(lookalikes[i].utf8);
                if (!strncmp((const char *)p, lookalikes[i].utf8, len)) {
                    ch = lookalikes[i].ascii, used = len;
                    break;
                }
            }
            if (!ch)
                return false;
        }
        if (ch == '(' || ch == ')' || ch == '-')
            ch = ' ';
        out[o++] = ch;
        p += used;
    }
    out[o] = 0;
    return true;
}

/* Length of the area code at the start of r (national number without the
 * trunk 0): 2 for 10 and 2x, 3 for 3xx-9xx, 0 if r cannot start a landline. */
static int area_len(const char *r)
{
    if (r[0] == '1')
        return r[1] == '0' ? 2 : 0;
    if (r[0] == '2')
        return 2;
    return r[0] >= '3' && r[0] <= '9' ? 3 : 0;
}

static bool all_digits(const char *s)
{
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* Kinds of number phone_classify recognises. */
typedef enum PhoneKind { PK_BAD, PK_MOBILE, PK_LANDLINE, PK_SERVICE, PK_FOREIGN } PhoneKind;

/* Classify the digit string d (plus: it was written with a leading +).
 * On success writes the E.164 digits after '+' into out. */
static PhoneKind phone_classify(const char *d, bool plus, char *out, size_t outn, const char **why)
{
    size_t n = strlen(d);
    const char *nat;
    bool intl = false;
    if (n < 3) {
        *why = "is too short to be a phone number";
        return PK_BAD;
    }
    if (plus || !strncmp(d, "00", 2)) {
        const char *cc = plus ? d : d + 2;
        if (strncmp(cc, "86", 2)) {
            size_t m = strlen(cc);
            if (m < 8 || m > 15) {
                *why = m < 8 ? "is too short for an international number"
                             : "is too long for an international number (at most 15 digits)";
                return PK_BAD;
            }
            if (cc[0] == '0') {
                *why = "has a country code that starts with 0";
                return PK_BAD;
            }
            snprintf(out, outn, "%s", cc);
            return PK_FOREIGN;
        }
        nat = cc + 2;
        intl = true;
    } else if (!strncmp(d, "86", 2) && n >= 10) {
        nat = d + 2;
        intl = true;
    } else {
        nat = d;
    }
    bool trunk = nat[0] == '0';
    const char *r = trunk ? nat + 1 : nat;
    size_t rn = strlen(r);
    if (!rn) {
        *why = "is too short to be a phone number";
        return PK_BAD;
    }
    if (r[0] == '0') {
        *why = "is not a valid phone number (too many leading zeros)";
        return PK_BAD;
    }
    if (!trunk && (!strncmp(r, "400", 3) || !strncmp(r, "800", 3))) {
        if (rn != 10) {
            *why = rn < 10 ? "has too few digits for a 400/800 number (10)"
                           : "has too many digits for a 400/800 number (10)";
            return PK_BAD;
        }
        snprintf(out, outn, "86%s", r);
        return PK_SERVICE;
    }
    if (!trunk && (!strncmp(r, "95", 2) || !strncmp(r, "96", 2)) && rn >= 5 && rn <= 8) {
        snprintf(out, outn, "86%s", r);
        return PK_SERVICE;
    }
    if (!trunk && r[0] == '1' && !(intl && r[1] == '0')) {
        if (rn == 5 && !intl) {
            snprintf(out, outn, "86%s", r); /* 10086, 12345 … */
            return PK_SERVICE;
        }
        if (rn != 11) {
            *why = rn < 11 ? "has too few digits for a mobile number (11)"
                           : "has too many digits for a mobile number (11)";
            return PK_BAD;
        }
        if (r[1] < '3') {
            *why = "is not a valid mobile number (mobile numbers start with 13 to 19)";
            return PK_BAD;
        }
        snprintf(out, outn, "86%s", r);
        return PK_MOBILE;
    }
    if (!trunk && !intl) {
        *why = rn >= 7 && rn <= 8 ? "needs the area code (e.g. 010 8888 6666)" : "is not a valid phone number";
        return PK_BAD;
    }
    int al = area_len(r);
    if (!al) {
        *why = "has an area code that does not exist";
        return PK_BAD;
    }
    size_t local = rn - (size_t)al;
    if (local < 7 || local > 8) {
        *why = local < 7 ? "has too few digits for a landline (7 or 8 after the area code)"
                         : "has too many digits for a landline (7 or 8 after the area code)";
        return PK_BAD;
    }
    snprintf(out, outn, "86%s", r);
    return PK_LANDLINE;
}

char *phone_to_e164(Arena *a, const char *s, const char **why)
{
    *why = NULL;
    if (strlen(s) > PHONE_INPUT_MAX) {
        *why = "is too long to be a phone number";
        return NULL;
    }
    char t[PHONE_INPUT_MAX * 2 + 8];
    if (!phone_ascii(s, t, sizeof t)) {
        *why = "may contain only digits, spaces, dashes, brackets, a leading + and an extension (转 123)";
        return NULL;
    }
    /* Split main part and extension. */
    char *x = strchr(t, 'x');
    char ext[16] = "";
    if (x) {
        *x = 0;
        size_t e = 0;
        for (const char *p = x + 1; *p; p++) {
            if (*p == ' ')
                continue;
            if (*p < '0' || *p > '9' || e == 6) {
                *why = "has an extension that is not 1 to 6 digits";
                return NULL;
            }
            ext[e++] = *p;
        }
        ext[e] = 0;
        if (!e) {
            *why = "has an extension that is not 1 to 6 digits";
            return NULL;
        }
    }
    /* Digits of the main part; '+' only first; where the last group starts. */
    char d[PHONE_INPUT_MAX + 1];
    size_t n = 0, groups = 0, last_start = 0;
    bool plus = false, in_group = false;
    for (const char *p = t; *p; p++) {
        if (*p == '+') {
            if (n || plus) {
                *why = "may have a + only at the start";
                return NULL;
            }
            plus = true;
            in_group = false;
        } else if (*p == ' ') {
            in_group = false;
        } else {
            if (!in_group) {
                groups++;
                last_start = n;
                in_group = true;
            }
            d[n++] = *p;
        }
    }
    d[n] = 0;
    if (!n) {
        if (!x && !plus)
            return NULL; /* empty */
        *why = "is too short to be a phone number";
        return NULL;
    }
    char e164[40];
    PhoneKind k = phone_classify(d, plus, e164, sizeof e164, why);
    if (k == PK_BAD && !x && groups >= 3 && n - last_start <= 6) {
        /* 010-88886666-123: a complete landline followed by an extension. */
        char main_part[PHONE_INPUT_MAX + 1];
        memcpy(main_part, d, last_start);
        main_part[last_start] = 0;
        const char *why2;
        if (phone_classify(main_part, plus, e164, sizeof e164, &why2) == PK_LANDLINE) {
            snprintf(ext, sizeof ext, "%s", d + last_start);
            k = PK_LANDLINE;
            *why = NULL;
        }
    }
    if (k == PK_BAD)
        return NULL;
    *why = NULL;
    return *ext ? arena_printf(a, "+%s;ext=%s", e164, ext) : arena_printf(a, "+%s", e164);
}

char *phone_display(Arena *a, const char *stored, const char *ext_word)
{
    if (!stored || strncmp(stored, "+86", 3))
        return arena_strdup(a, stored ? stored : "");
    const char *r0 = stored + 3;
    const char *semi = strchr(r0, ';');
    char r[32];
    size_t rn = semi ? (size_t)(semi - r0) : strlen(r0);
    if (rn >= sizeof r)
        return arena_strdup(a, stored);
    memcpy(r, r0, rn);
    r[rn] = 0;
    const char *ext = NULL;
    if (semi) {
        if (strncmp(semi, ";ext=", 5) || !all_digits(semi + 5) || !semi[5])
            return arena_strdup(a, stored);
        ext = semi + 5;
    }
    if (!all_digits(r) || rn < 3)
        return arena_strdup(a, stored);
    Buf b;
    buf_init(&b, a);
    int al = area_len(r);
    if (rn == 11 && r[0] == '1' && r[1] >= '3')
        buf_printf(&b, "%.3s %.4s %.4s", r, r + 3, r + 7);
    else if (rn == 10 && (!strncmp(r, "400", 3) || !strncmp(r, "800", 3)))
        buf_printf(&b, "%.3s-%.3s-%.4s", r, r + 3, r + 6);
    else if (al && (rn - (size_t)al == 7 || rn - (size_t)al == 8)) {
        size_t local = rn - (size_t)al;
        size_t head = local == 8 ? 4 : 3;
        buf_printf(&b, "0%.*s %.*s %s", al, r, (int)head, r + al, r + al + head);
    } else
        buf_raw(&b, r); /* short service numbers */
    if (ext)
        buf_printf(&b, " %s %s", ext_word, ext);
    return b.data;
}

char *phone_search_digits(Arena *a, const char *q, char **alt)
{
    *alt = NULL;
    Buf b;
    buf_init(&b, a);
    const char *p = q;
    while (*p == ' ')
        p++;
    bool plus = *p == '+';
    if (plus)
        p++;
    int digits = 0;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            buf_putc(&b, *p);
            digits++;
        } else if (!(*p == ' ' || *p == '-' || *p == '.' || *p == '(' || *p == ')'))
            return NULL;
    }
    if (digits < 3)
        return NULL;
    const char *d = b.data;
    if (plus)
        return b.data;
    /* 00 as the international prefix only when a number of 3 or more
     * digits follows: "0054" is a part of a number (138 0054 …), and "54"
     * would be a prefix of every phone ending starting with 54 (no prefix
     * index is that short: 60-80 ms a search on the 1M bench database). */
    if (!strncmp(d, "00", 2) && digits - 2 >= 3)
        return arena_strdup(a, d + 2);
    if (d[0] == '0')
        *alt = arena_printf(a, "86%s", d + 1);
    return b.data;
}
