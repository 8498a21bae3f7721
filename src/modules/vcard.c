/* vcard.c — contacts as vCard 3.0 (RFC 2426) or 4.0 (RFC 6350). Reading
 * vCards (2.1 to 4.0) is part of the import (import.c). */
#include <string.h>

#include "../base/util.h"
#include "modules.h"

/* How a value is escaped: not at all, as text (backslash, comma, newline;
 * RFC 6350 leaves ';' alone in text) or as one component of a structured
 * value (also ';'). */
enum { ESC_NONE, ESC_TEXT, ESC_COMPONENT };

/* Append one content line, escaping the value and folding at 75 octets
 * without splitting a UTF-8 character. */
static void vline(Buf *b, const char *name, const char *value, int escape)
{
    Buf l;
    buf_init(&l, b->arena);
    buf_raw(&l, name);
    buf_putc(&l, ':');
    for (const char *p = value; *p; p++) {
        if (escape && (*p == '\\' || *p == ',' || (*p == ';' && escape == ESC_COMPONENT))) {
            buf_putc(&l, '\\');
            buf_putc(&l, *p);
        } else if (escape && *p == '\n') {
            buf_raw(&l, "\\n");
        } else if (*p != '\r') {
            buf_putc(&l, *p);
        }
    }
    size_t col = 0;
    for (size_t i = 0; i < l.len;) {
        unsigned char ch = (unsigned char)l.data[i];
        size_t k = ch < 0x80 ? 1 : (ch & 0xE0) == 0xC0 ? 2 : (ch & 0xF0) == 0xE0 ? 3 : 4;
        if (i + k > l.len)
            k = l.len - i;
        if (col + k > 75) {
            buf_raw(b, "\r\n ");
            col = 1;
        }
        buf_raw_n(b, l.data + i, k);
        col += k;
        i += k;
    }
    buf_raw(b, "\r\n");
}

static const char *str(json_t *rec, const char *k)
{
    const char *s = json_string_value(json_object_get(rec, k));
    return s && *s ? s : NULL;
}

void vcard_write(Buf *b, const Entity *e, json_t *rec, int version)
{
    bool v4 = version == 4;
    buf_raw(b, "BEGIN:VCARD\r\n");
    buf_raw(b, v4 ? "VERSION:4.0\r\n" : "VERSION:3.0\r\n");
    const char *name = str(rec, e->title_field ? e->title_field : "name");
    vline(b, "FN", name ? name : "-", ESC_TEXT);
    /* Chinese names are not split into family and given names reliably:
     * the whole name is the family part. */
    Buf n;
    buf_init(&n, b->arena);
    for (const char *p = name ? name : "-"; *p; p++) {
        if (*p == '\\' || *p == ',' || *p == ';')
            buf_putc(&n, '\\');
        buf_putc(&n, *p);
    }
    buf_raw(&n, ";;;;");
    vline(b, "N", n.data, ESC_NONE);
    const char *org = str(rec, "customer_name");
    if (org)
        vline(b, "ORG", org, ESC_COMPONENT);
    if (str(rec, "title"))
        vline(b, "TITLE", str(rec, "title"), ESC_TEXT);
    static const char *const tels[][3] = {{"mobile", "CELL", "cell"}, {"phone", "WORK,VOICE", "work,voice"}};
    for (int i = 0; i < 2; i++) {
        const char *t = str(rec, tels[i][0]);
        if (!t)
            continue;
        if (v4)
            vline(b, arena_printf(b->arena, "TEL;VALUE=uri;TYPE=\"%s\"", tels[i][2]),
                  arena_printf(b->arena, "tel:%s", t), ESC_NONE);
        else
            vline(b, arena_printf(b->arena, "TEL;TYPE=%s", tels[i][1]), t, ESC_TEXT);
    }
    if (str(rec, "email"))
        vline(b, v4 ? "EMAIL;TYPE=work" : "EMAIL;TYPE=INTERNET,WORK", str(rec, "email"), ESC_TEXT);
    const char *bday = str(rec, "birthday");
    if (bday && strlen(bday) == 10)
        vline(b, "BDAY", v4 ? arena_printf(b->arena, "%.4s%.2s%.2s", bday, bday + 5, bday + 8) : bday, ESC_NONE);
    if (str(rec, "notes"))
        vline(b, "NOTE", str(rec, "notes"), ESC_TEXT);
    vline(b, "UID",
          arena_printf(b->arena, "urn:guanxi:%s:%lld", e->name,
                       (long long)json_integer_value(json_object_get(rec, "id"))),
          ESC_NONE);
    const char *rev = str(rec, "updated_at");
    if (rev && strlen(rev) >= 19) {
        /* 2026-11-23T10:00:00.000Z → 20261123T100000Z */
        vline(b, "REV",
              arena_printf(b->arena, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", rev, rev + 5, rev + 8, rev + 11, rev + 14, rev + 17),
              ESC_NONE);
    }
    buf_raw(b, "END:VCARD\r\n");
}
