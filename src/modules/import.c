/* import.c — CSV (and vCard) import into any entity through the record
 * engine, with column mapping, a validation report per row, duplicate
 * handling, all-or-nothing or partial runs, and undo of a whole import.
 *
 * A run: decode (UTF-8 with or without BOM, or GB18030, detected or chosen)
 * → parse (libcsv: comma or tab, quoted fields with embedded newlines and
 * quotes; a quote left open is a file error naming its row) → map columns to
 * fields (by field name or label, zh or en) → one transaction in which every
 * row is validated and written. Rows go in chunks of IMPORT_ARENA_ROWS: the
 * cells of the chunk's rows are read, their stored duplicates looked up
 * with one query per key kind (credit code, e-mail, phone, name: `key IN
 * (…)`) instead of one per key and row, then the rows are decided in order:
 * skipped, updated (record_update, in a savepoint of its own when partial)
 * or created. The rows to create wait and are written together by
 * record_create_many (the single create's every rule, one savepoint for the
 * batch; a row failing while written makes the batch go again row by row,
 * so that only that row fails), their duplicate keys with them in bulk, when
 * the chunk ends or a later row needs them: a row matching a waiting row's
 * key, an update (writes stay in row order), a row-by-row lookup (after an
 * update in the chunk, whose keys may have changed). Unless the
 * user chose partial, any error rolls the whole transaction back; a preview
 * (dry run) always does. A committed import is recorded in `imports` (the
 * batch) and `import_items` (each record created or updated, with the values
 * an update replaced), which is what undo works from. */
#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../record/record.h"
#include "modules.h"

#define IMPORT_MAX_ERRORS 1000
#define IMPORT_PREVIEW_ROWS 20
#define IMPORT_ARENA_ROWS 512 /* rows per chunk: one duplicate lookup per key kind, one record_create_many */
#define IMPORT_BATCH 1000 /* records indexed for search at once */

/* ---------- decoding ---------- */

/* Convert GB18030 to UTF-8 into the arena; NULL if the bytes are not GB18030. */
static char *from_gb18030(Arena *a, const char *in, size_t n, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = n * 2 + 16;
    char *out = arena_alloc(a, cap);
    char *src = (char *)in, *dst = out;
    size_t left = n, room = cap - 1;
    size_t rc = iconv(cd, &src, &left, &dst, &room);
    iconv_close(cd);
    if (rc == (size_t)-1 || left)
        return NULL;
    *dst = 0;
    *out_len = (size_t)(dst - out);
    return out;
}

/* Where the first invalid UTF-8 sequence starts (n if none). */
static size_t utf8_bad_at(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!k || i + k > n || !utf8_valid(s + i, k))
            return i;
        i += k;
    }
    return n;
}

static int line_of(const char *s, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off; i++)
        line += s[i] == '\n';
    return line;
}

GxErr import_decode(Ctx *c, const char *data, size_t len, const char *encoding, const char **text, size_t *tlen,
                    const char **used)
{
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
        data += 3;
        len -= 3;
        if (!encoding || !strcmp(encoding, "auto"))
            encoding = "utf-8";
    }
    if (memchr(data, 0, len))
        return ctx_fail(
            c, GX_EINVALID,
            "The file holds NUL bytes: it is not a text (CSV) file, or it is UTF-16; save it as UTF-8 or GB18030");
    bool auto_enc = !encoding || !strcmp(encoding, "auto") || !*encoding;
    if (auto_enc || !strcasecmp(encoding, "utf-8") || !strcasecmp(encoding, "utf8")) {
        size_t bad = utf8_bad_at(data, len);
        if (bad == len) {
            *text = arena_strndup(c->arena, data, len);
            *tlen = len;
            *used = "utf-8";
            return GX_OK;
        }
        if (!auto_enc)
            return ctx_fail(c, GX_EINVALID,
                            "The file is not valid UTF-8 (line %d, byte %zu); choose the encoding GB18030 if it came "
                            "from Excel on a Chinese Windows",
                            line_of(data, bad), bad + 1);
    } else if (strcasecmp(encoding, "gb18030") && strcasecmp(encoding, "gbk") && strcasecmp(encoding, "gb2312")) {
        return ctx_fail(c, GX_EBADREQ, "Unknown encoding '%s' (use auto, utf-8 or gb18030)", encoding);
    }
    char *out = from_gb18030(c->arena, data, len, tlen);
    if (!out)
        return ctx_fail(c, GX_EINVALID,
                        "The file is neither UTF-8 nor GB18030 text; save it as CSV (UTF-8) and try again");
    *text = out;
    *used = "gb18030";
    return GX_OK;
}

/* ---------- CSV ---------- */

typedef struct Table {
    char ***rows; /* rows[i][k]: cell text (arena) */
    int *ncols;   /* cells per row */
    int n, cap;   /* rows */
    char **cur;   /* cells of the row being read */
    int curn, curcap;
    Arena *a;
    int64_t max_rows; /* stop collecting past this (the caller reports it) */
    bool too_many;
} Table;

static void cell_cb(void *s, size_t len, void *ud)
{
    Table *t = ud;
    if (t->curn == t->curcap) {
        int cap = t->curcap ? t->curcap * 2 : 16;
        t->cur = arena_realloc(t->a, t->cur, sizeof(char *) * (size_t)t->curcap, sizeof(char *) * (size_t)cap);
        t->curcap = cap;
    }
    t->cur[t->curn++] = arena_strndup(t->a, s ? s : "", len);
}

static void row_cb(int term, void *ud)
{
    (void)term;
    Table *t = ud;
    if (t->n >= t->max_rows) {
        t->too_many = true;
        t->curn = 0;
        return;
    }
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 256;
        t->rows = arena_realloc(t->a, t->rows, sizeof(char **) * (size_t)t->cap, sizeof(char **) * (size_t)cap);
        t->ncols = arena_realloc(t->a, t->ncols, sizeof(int) * (size_t)t->cap, sizeof(int) * (size_t)cap);
        t->cap = cap;
    }
    char **cells = arena_alloc(t->a, sizeof(char *) * (size_t)(t->curn ? t->curn : 1));
    memcpy(cells, t->cur, sizeof(char *) * (size_t)t->curn);
    t->rows[t->n] = cells;
    t->ncols[t->n] = t->curn;
    t->n++;
    t->curn = 0;
}

/* Parse CSV text into t. delim 0 = guess from the first line (tab or comma).
 * A quote left open or a stray quote is a GX_EINVALID naming the row. */
static GxErr csv_read(Ctx *c, const char *text, size_t len, char delim, Table *t, char *used)
{
    if (!delim) {
        const char *nl = memchr(text, '\n', len);
        size_t n = nl ? (size_t)(nl - text) : len;
        int tabs = 0, commas = 0, semis = 0;
        for (size_t i = 0; i < n; i++) {
            tabs += text[i] == '\t';
            commas += text[i] == ',';
            semis += text[i] == ';';
        }
        delim = tabs > commas ? '\t' : (semis > commas ? ';' : ',');
    }
    *used = delim;
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0)
        return ctx_fail(c, GX_EINTERNAL, "cannot start the CSV parser");
    csv_set_delim(&p, (unsigned char)delim);
    t->a = c->arena;
    /* Feed line by line so that an error can name the row it is in. */
    size_t done = csv_parse(&p, text, len, cell_cb, row_cb, t);
    GxErr rc = GX_OK;
    if (done != len || csv_fini(&p, cell_cb, row_cb, t) != 0) {
        int err = csv_error(&p);
        /* t->n rows were complete; the broken one is the next (1-based, the
         * header being row 1). */
        if (err == CSV_EPARSE)
            rc = ctx_fail(c, GX_EINVALID,
                          "Row %d: a quoted field is not closed or a quote stands inside an unquoted field (line %d of "
                          "the file); nothing was imported",
                          t->n + 1, line_of(text, done < len ? done : len));
        else
            rc = ctx_fail(c, GX_EINVALID, "The CSV cannot be read: %s", csv_strerror(err));
    }
    csv_free(&p);
    return rc;
}

/* ---------- vCard ---------- */

/* Unfold (a line starting with space or tab continues the previous one) and
 * split into lines; quoted-printable soft breaks ("=" at the end) also join. */
static char **vcard_lines(Arena *a, const char *text, int *n)
{
    int cap = 64;
    char **lines = arena_alloc(a, sizeof(char *) * (size_t)cap);
    *n = 0;
    Buf cur;
    buf_init(&cur, a);
    bool have = false;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        size_t l = len;
        if (l && p[l - 1] == '\r')
            l--;
        if ((*p == ' ' || *p == '\t') && have) {
            buf_raw_n(&cur, p + 1, l ? l - 1 : 0);
        } else {
            if (have) {
                if (*n == cap) {
                    lines = arena_realloc(a, lines, sizeof(char *) * (size_t)cap, sizeof(char *) * (size_t)cap * 2);
                    cap *= 2;
                }
                lines[(*n)++] = arena_strdup(a, cur.data ? cur.data : "");
            }
            buf_init(&cur, a);
            buf_raw_n(&cur, p, l);
            have = true;
        }
        /* QUOTED-PRINTABLE soft line break: the value goes on. */
        while (cur.len && cur.data[cur.len - 1] == '=' && strcasestr(cur.data, "QUOTED-PRINTABLE") && e && e[1]) {
            cur.len--;
            cur.data[cur.len] = 0;
            p = e + 1;
            e = strchr(p, '\n');
            len = e ? (size_t)(e - p) : strlen(p);
            l = len;
            if (l && p[l - 1] == '\r')
                l--;
            buf_raw_n(&cur, p, l);
        }
        if (!e)
            break;
        p = e + 1;
    }
    if (have) {
        if (*n == cap)
            lines = arena_realloc(a, lines, sizeof(char *) * (size_t)cap, sizeof(char *) * (size_t)cap * 2);
        lines[(*n)++] = arena_strdup(a, cur.data ? cur.data : "");
    }
    return lines;
}

static int hexval(int ch)
{
    return isdigit(ch)                ? ch - '0'
           : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10
           : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
                                      : -1;
}

/* Decode a property value: quoted-printable if asked, then the vCard
 * escapes (\n \, \; \\), in the given charset (GB18030/GBK → UTF-8). */
static char *vcard_value(Arena *a, const char *params, const char *v)
{
    Buf b;
    buf_init(&b, a);
    bool qp = params && strcasestr(params, "QUOTED-PRINTABLE");
    for (const char *p = v; *p; p++) {
        if (qp && *p == '=' && hexval((unsigned char)p[1]) >= 0 && hexval((unsigned char)p[2]) >= 0) {
            buf_putc(&b, (char)(hexval((unsigned char)p[1]) * 16 + hexval((unsigned char)p[2])));
            p += 2;
        } else if (*p == '\\' && p[1]) {
            p++;
            buf_putc(&b, *p == 'n' || *p == 'N' ? '\n' : *p);
        } else {
            buf_putc(&b, *p);
        }
    }
    const char *s = b.data ? b.data : "";
    const char *cs = params ? strcasestr(params, "CHARSET=") : NULL;
    if (cs && (!strncasecmp(cs + 8, "GB", 2)) && !utf8_valid(s, strlen(s))) {
        size_t n;
        char *u = from_gb18030(a, s, strlen(s), &n);
        if (u)
            return u;
    }
    return arena_strdup(a, s);
}

/* vCard (2.1, 3.0, 4.0) to a table with the header row
 * name, mobile, phone, email, title, birthday, notes. */
static GxErr vcard_read(Ctx *c, const char *text, Table *t)
{
    static const char *hdr[] = {"name", "mobile", "phone", "email", "title", "birthday", "notes"};
    enum { NCOL = 7 };
    t->a = c->arena;
    for (int k = 0; k < NCOL; k++)
        cell_cb((void *)hdr[k], strlen(hdr[k]), t);
    row_cb(0, t);
    int n;
    char **lines = vcard_lines(c->arena, text, &n);
    char *cells[NCOL];
    bool in = false;
    int cards = 0;
    for (int i = 0; i < n; i++) {
        char *line = lines[i];
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = 0;
        char *name = line, *value = colon + 1;
        /* Property name without group ("item1.TEL") and its parameters. */
        char *dot = strchr(name, '.');
        char *semi = strchr(name, ';');
        if (dot && (!semi || dot < semi))
            name = dot + 1;
        semi = strchr(name, ';');
        const char *params = semi ? semi + 1 : "";
        if (semi)
            *semi = 0;
        if (!strcasecmp(name, "BEGIN") && !strcasecmp(value, "VCARD")) {
            in = true;
            for (int k = 0; k < NCOL; k++)
                cells[k] = NULL;
            continue;
        }
        if (!in)
            continue;
        if (!strcasecmp(name, "END")) {
            in = false;
            cards++;
            for (int k = 0; k < NCOL; k++)
                cell_cb(cells[k] ? cells[k] : "", cells[k] ? strlen(cells[k]) : 0, t);
            row_cb(0, t);
            continue;
        }
        char *v = vcard_value(c->arena, params, value);
        if (!strcasecmp(name, "FN")) {
            cells[0] = v;
        } else if (!strcasecmp(name, "N") && !cells[0]) {
            /* Family;Given;… → "FamilyGiven" for Chinese names, "Given Family" otherwise. */
            char *given = strchr(v, ';');
            if (given) {
                *given++ = 0;
                char *end = strchr(given, ';');
                if (end)
                    *end = 0;
                bool ascii = true;
                for (const char *q = v; *q; q++)
                    ascii &= (unsigned char)*q < 0x80;
                cells[0] = ascii ? arena_printf(c->arena, "%s%s%s", given, *given && *v ? " " : "", v)
                                 : arena_printf(c->arena, "%s%s", v, given);
            } else {
                cells[0] = v;
            }
        } else if (!strcasecmp(name, "TEL")) {
            bool cell = strcasestr(params, "CELL") != NULL;
            if (cell && !cells[1])
                cells[1] = v;
            else if (!cells[2])
                cells[2] = v;
            else if (!cells[1])
                cells[1] = v;
        } else if (!strcasecmp(name, "EMAIL") && !cells[3]) {
            cells[3] = v;
        } else if (!strcasecmp(name, "TITLE")) {
            cells[4] = v;
        } else if (!strcasecmp(name, "BDAY")) {
            /* 19800102, 1980-01-02, --0102 (no year: left out) */
            if (strlen(v) == 8 && isdigit((unsigned char)v[0]))
                cells[5] = arena_printf(c->arena, "%.4s-%.2s-%.2s", v, v + 4, v + 6);
            else if (strlen(v) >= 10 && v[4] == '-')
                cells[5] = arena_strndup(c->arena, v, 10);
        } else if (!strcasecmp(name, "NOTE")) {
            cells[6] = v;
        }
    }
    if (!cards)
        return ctx_fail(c, GX_EINVALID, "The file holds no vCard (BEGIN:VCARD … END:VCARD)");
    if (in)
        return ctx_fail(c, GX_EINVALID, "vCard %d is not closed (END:VCARD missing)", cards + 1);
    return GX_OK;
}

GxErr import_parse(Ctx *c, const char *text, size_t len, const char *format, json_t **rows)
{
    *rows = NULL;
    Table t = {.max_rows = IMPORT_MAX_ROWS + 1};
    char delim = 0;
    GxErr rc = format && !strcmp(format, "vcf") ? vcard_read(c, text, &t) : csv_read(c, text, len, 0, &t, &delim);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (int i = 0; i < t.n; i++) {
        json_t *row = json_array();
        for (int k = 0; k < t.ncols[i]; k++)
            json_array_append_new(row, json_string(t.rows[i][k]));
        json_array_append_new(arr, row);
    }
    *rows = arr;
    return GX_OK;
}

/* ---------- mapping and values ---------- */

/* Lower-case ASCII, trimmed copy for header comparison. */
static char *header_norm(Arena *a, const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *h = arena_strdup(a, s);
    size_t n = strlen(h);
    while (n && (isspace((unsigned char)h[n - 1]) || h[n - 1] == '*'))
        h[--n] = 0;
    for (char *p = h; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return h;
}

/* The field a header names: field name, zh or en label; "owner_id" too. */
static const char *field_for_header(Arena *a, const Entity *e, const char *header)
{
    char *h = header_norm(a, header);
    if (!strcmp(h, "owner_id") || !strcmp(h, "负责人id"))
        return "owner_id";
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (!strcmp(h, f->name) || (f->label.zh && !strcmp(h, header_norm(a, f->label.zh))) ||
            (f->label.en && !strcmp(h, header_norm(a, f->label.en))))
            return f->name;
    }
    return NULL;
}

/* Parse a money amount in yuan ("1,234.56", "¥12") into fen. */
static bool parse_money_text(const char *s, int64_t *fen)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!strncmp(s, "\xC2\xA5", 2) || !strncmp(s, "\xEF\xBF\xA5", 3))
        s += s[0] == '\xC2' ? 2 : 3;
    else if (*s == '$')
        s++;
    bool neg = false;
    if (*s == '-') {
        neg = true;
        s++;
    }
    int64_t whole = 0, frac = 0;
    int fd = 0, digits = 0;
    for (; *s && *s != '.'; s++) {
        if (*s == ',')
            continue;
        if (!isdigit((unsigned char)*s) || whole > INT64_MAX / 1000)
            return false;
        whole = whole * 10 + (*s - '0');
        digits++;
    }
    if (*s == '.')
        for (s++; *s; s++) {
            if (isspace((unsigned char)*s))
                break;
            if (!isdigit((unsigned char)*s) || fd == 2)
                return false;
            frac = frac * 10 + (*s - '0');
            fd++;
        }
    while (isspace((unsigned char)*s))
        s++;
    if (*s || (!digits && !fd))
        return false;
    if (fd == 1)
        frac *= 10;
    *fen = (whole * 100 + frac) * (neg ? -1 : 1);
    return true;
}

/* Accept 2026-01-02, 2026/1/2, 2026.1.2, 2026年1月2日; write YYYY-MM-DD. */
static bool parse_date_text(const char *s, char out[11])
{
    int y, m, d;
    char tail[8] = "";
    if (sscanf(s, "%4d-%2d-%2d%7s", &y, &m, &d, tail) >= 3 || sscanf(s, "%4d/%2d/%2d%7s", &y, &m, &d, tail) >= 3 ||
        sscanf(s, "%4d.%2d.%2d%7s", &y, &m, &d, tail) >= 3 ||
        sscanf(s, "%4d\xE5\xB9\xB4%2d\xE6\x9C\x88%2d%7s", &y, &m, &d, tail) >= 3) {
        if (*tail && strcmp(tail, "\xE6\x97\xA5"))
            return false;
        snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
        int yy, mm, dd;
        return time_parse_date(out, &yy, &mm, &dd);
    }
    return false;
}

/* The JSON value for field f from a cell's text, or NULL with a message. */
static json_t *cell_value(Ctx *c, const Field *f, const char *text, const char **msg)
{
    *msg = NULL;
    while (isspace((unsigned char)*text))
        text++;
    size_t n = strlen(text);
    while (n && isspace((unsigned char)text[n - 1]))
        n--;
    char *s = arena_strndup(c->arena, text, n);
    switch (f->type) {
    case FT_INT:
    case FT_LINK: {
        int64_t v;
        if (!parse_i64(s, &v)) {
            *msg = arena_printf(c->arena, "'%s' is not a whole number", s);
            return NULL;
        }
        return json_integer(v);
    }
    case FT_MONEY: {
        int64_t fen;
        if (!parse_money_text(s, &fen)) {
            *msg = arena_printf(c->arena, "'%s' is not an amount (e.g. 1234.50)", s);
            return NULL;
        }
        return json_integer(fen);
    }
    case FT_BOOL:
        if (!strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "yes") || !strcmp(s, "\xE6\x98\xAF"))
            return json_true();
        if (!strcasecmp(s, "false") || !strcmp(s, "0") || !strcasecmp(s, "no") || !strcmp(s, "\xE5\x90\xA6"))
            return json_false();
        *msg = arena_printf(c->arena, "'%s' is not yes/no (是/否)", s);
        return NULL;
    case FT_DATE: {
        char d[11];
        if (!parse_date_text(s, d)) {
            *msg = arena_printf(c->arena, "'%s' is not a date (YYYY-MM-DD)", s);
            return NULL;
        }
        return json_string(d);
    }
    case FT_DATETIME: {
        int64_t t;
        /* With an offset or Z it is exact; without, it is company time. */
        bool zoned = n > 10 && (s[n - 1] == 'Z' || s[n - 1] == 'z' || strchr(s + 10, '+') || strchr(s + 11, '-'));
        if (zoned && time_parse_rfc3339(s, &t))
            return json_string(s);
        /* "2026-01-02 09:30" or a date: company time (UTC+8). */
        char d[11];
        int hh = 0, mi = 0, ss = 0;
        if (strlen(s) >= 10 && parse_date_text(arena_strndup(c->arena, s, 10), d) &&
            (s[10] == 0 || sscanf(s + 11, "%2d:%2d:%2d", &hh, &mi, &ss) >= 2))
            return json_string(arena_printf(c->arena, "%sT%02d:%02d:%02d+08:00", d, hh, mi, ss));
        *msg = arena_printf(c->arena, "'%s' is not a date and time (YYYY-MM-DD HH:MM)", s);
        return NULL;
    }
    case FT_ENUM:
        for (int i = 0; i < f->noptions; i++) {
            const EnumOption *o = &f->options[i];
            if (!strcmp(s, o->value) || (o->label.zh && !strcmp(s, o->label.zh)) ||
                (o->label.en && !strcasecmp(s, o->label.en)))
                return json_string(o->value);
        }
        if (f->dict)
            return json_string(s);
        *msg = arena_printf(c->arena, "'%s' is not one of the allowed values", s);
        return NULL;
    case FT_MULTI_ENUM: {
        json_t *arr = json_array();
        char *save = NULL;
        for (char *tok = strtok_r(s, ",;\xEF\xBC\x8C", &save); tok; tok = strtok_r(NULL, ",;", &save)) {
            const char *m;
            Field one = *f;
            one.type = FT_ENUM;
            json_t *v = cell_value(c, &one, tok, &m);
            if (!v) {
                json_decref(arr);
                *msg = m;
                return NULL;
            }
            json_array_append_new(arr, v);
        }
        return arr;
    }
    case FT_ADDRESS:
        return json_pack("{s:s}", "street", s);
    default:
        return json_string(s);
    }
}

/* ---------- the run ---------- */

typedef struct Mapped {
    const Field *f;   /* target field, or NULL for owner_id */
    const char *name; /* field name ("owner_id" for the owner) */
    int col;          /* column index */
} Mapped;

static void report_error(json_t *errors, int row, const char *field, const char *msg)
{
    /* a bound on memory only: a chunk's errors are all kept, and the report
     * takes the first IMPORT_MAX_ERRORS in row order (errors_merge) */
    if (json_array_size(errors) >= IMPORT_MAX_ERRORS * 64)
        return;
    json_array_append_new(errors, json_pack("{s:i, s:s?, s:s}", "row", row, "field", field, "message", msg));
}

/* Copy the field errors of c into errors for row, and clear c. */
static void report_ctx(Ctx *c, json_t *errors, int row)
{
    if (c->err_fields && json_object_size(c->err_fields)) {
        const char *k;
        json_t *v;
        json_object_foreach(c->err_fields, k, v) report_error(errors, row, k, json_string_value(v));
    } else {
        report_error(errors, row, NULL, c->err_msg ? c->err_msg : "cannot be imported");
    }
    ctx_clear(c);
}

/* Existing record with one of the row's duplicate keys (any owner), or 0. */
static GxErr find_existing(Ctx *c, const Entity *e, json_t *rec, int64_t *id, int64_t *owner, int64_t *dept)
{
    *id = 0;
    static const char *const order[][2] = {
        {"credit_code", "credit_code"}, {"email", "email"}, {"phone", "phone"}, {"mobile", "phone"}, {"name", "name"}};
    for (size_t i = 0; i < sizeof order / sizeof order[0] && !*id; i++) {
        const char *v = json_string_value(json_object_get(rec, order[i][0]));
        if (!v || !*v)
            continue;
        const char *kind = order[i][1];
        char *k = kind[0] == 'n'   ? dupes_name_key(c->arena, v)
                  : kind[0] == 'p' ? dupes_phone_key(c->arena, v)
                  : kind[0] == 'e' ? dupes_email_key(c->arena, v)
                                   : dupes_code_key(c->arena, v);
        if (!k)
            continue;
        DbVal p[] = {dbv_text(e->name), dbv_text(kind), dbv_text(k)};
        DbRes *r;
        if (db_query(
                c->db,
                arena_printf(c->arena, /* sql-ok: table from metadata */
                             "SELECT t.id, t.owner_id, t.department_id FROM dup_keys k JOIN %s t ON t.id = k.record_id"
                             " WHERE k.entity = $1 AND k.kind = $2 AND k.key = $3 AND t.deleted_at IS NULL ORDER BY "
                             "t.id LIMIT 1",
                             e->table),
                p, 3, &r) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot look for duplicates");
        if (db_next(r) == 1) {
            *id = db_int(r, 0);
            *owner = db_isnull(r, 1) ? 0 : db_int(r, 1);
            *dept = db_isnull(r, 2) ? 0 : db_int(r, 2);
        }
        db_done(r);
    }
    return GX_OK;
}

/* The duplicate keys a row is matched by, in the order find_existing
 * tries them: {field, key kind}. */
static const char *const match_order[][2] = {
    {"credit_code", "credit_code"}, {"email", "email"}, {"phone", "phone"}, {"mobile", "phone"}, {"name", "name"}};
#define NMATCH (int)(sizeof match_order / sizeof match_order[0])

static char *match_key(Arena *a, const char *kind, const char *v)
{
    if (!v || !*v)
        return NULL;
    return kind[0] == 'n'   ? dupes_name_key(a, v)
           : kind[0] == 'p' ? dupes_phone_key(a, v)
           : kind[0] == 'e' ? dupes_email_key(a, v)
                            : dupes_code_key(a, v);
}

/* Existing records of a chunk's keys: db "kind\x1fkey" → [id, owner,
 * department] of the lowest id (what find_existing's ORDER BY t.id LIMIT 1
 * finds), as the chunk began; here: the same for records this chunk
 * created (newer than any in db, so found only when db has none). */
typedef struct Found {
    json_t *db, *here;
    /* each chunk row's keys in match_order ("kind\x1fkey", NULL: none),
     * made once (they cost ~30 k instructions a row each time) */
    const char *(*hk)[NMATCH];
} Found;

/* find_existing for the rows of a chunk (NULL rows skipped): one query per
 * key kind with every key of the chunk in an IN list. */
static GxErr find_existing_batch(Ctx *c, const Entity *e, json_t **recs, int n, Found *f)
{
    f->db = json_object();
    f->here = json_object();
    f->hk = arena_calloc(c->arena, (size_t)(n > 0 ? n : 1), sizeof *f->hk);
    for (int i = 0; i < n; i++) {
        if (!recs[i])
            continue;
        for (int m = 0; m < NMATCH; m++) {
            const char *kind = match_order[m][1];
            char *key = match_key(c->arena, kind, json_string_value(json_object_get(recs[i], match_order[m][0])));
            f->hk[i][m] = key ? arena_printf(c->arena, "%s\x1f%s", kind, key) : NULL;
        }
    }
    static const char *const kinds[] = {"credit_code", "email", "phone", "name"};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        Sql q;
        sql_init(&q, c->arena);
        sql_raw(&q, arena_printf(c->arena, /* sql-ok: table from metadata */
                                 "SELECT k.key, t.id, t.owner_id, t.department_id FROM dup_keys k JOIN %s t ON t.id = "
                                 "k.record_id WHERE k.entity = ",
                                 e->table));
        sql_param(&q, dbv_text(e->name));
        sql_raw(&q, " AND k.kind = ");
        sql_param(&q, dbv_text(kinds[k]));
        sql_raw(&q, " AND k.key IN (");
        int nk = 0;
        json_t *asked = json_object();
        for (int i = 0; i < n; i++) {
            if (!recs[i])
                continue;
            for (int m = 0; m < NMATCH; m++) {
                if (strcmp(match_order[m][1], kinds[k]) || !f->hk[i][m])
                    continue;
                const char *key = strchr(f->hk[i][m], '\x1f') + 1;
                if (json_object_get(asked, key))
                    continue;
                json_object_set_new(asked, key, json_true());
                if (nk++)
                    sql_raw(&q, ", ");
                sql_param(&q, dbv_text(key));
            }
        }
        json_decref(asked);
        if (!nk)
            continue;
        sql_raw(&q, ") AND t.deleted_at IS NULL ORDER BY t.id");
        DbRes *r;
        if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot look for duplicates");
        while (db_next(r) == 1) {
            const char *hk = arena_printf(c->arena, "%s\x1f%s", kinds[k], db_text(r, 0));
            if (!json_object_get(f->db, hk))
                json_object_set_new(f->db, hk,
                                    json_pack("[I, I, I]", (json_int_t)db_int(r, 1),
                                              (json_int_t)(db_isnull(r, 2) ? 0 : db_int(r, 2)),
                                              (json_int_t)(db_isnull(r, 3) ? 0 : db_int(r, 3))));
        }
        db_done(r);
    }
    return GX_OK;
}

/* The existing record of rec from a chunk's lookup (0 if none): the first
 * key kind with a match wins, as in find_existing. */
static void found_match(const Found *f, int j, int64_t *id, int64_t *owner, int64_t *dept)
{
    *id = 0;
    for (int m = 0; m < NMATCH && !*id; m++) {
        const char *hk = f->hk[j][m];
        if (!hk)
            continue;
        json_t *hit = json_object_get(f->db, hk);
        if (!hit)
            hit = json_object_get(f->here, hk);
        if (hit) {
            *id = json_integer_value(json_array_get(hit, 0));
            *owner = json_integer_value(json_array_get(hit, 1));
            *dept = json_integer_value(json_array_get(hit, 2));
        }
    }
}

/* A record created from the chunk's row j (out: as stored): later rows of
 * the chunk find it by its keys. */
static void found_created(Found *f, int j, json_t *out)
{
    /* out NULL: rec waits to be created (id -1: found_match answers -1) */
    json_int_t id = out ? json_integer_value(json_object_get(out, "id")) : -1;
    json_int_t owner = json_integer_value(json_object_get(out, "owner_id"));
    json_int_t dept = json_integer_value(json_object_get(out, "department_id"));
    for (int m = 0; m < NMATCH; m++) {
        const char *hk = f->hk[j][m];
        if (!hk)
            continue;
        if (!json_object_get(f->here, hk))
            json_object_set_new(f->here, hk, json_pack("[I, I, I]", id, owner, dept));
    }
}

static int row_cmp(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t rx = json_integer_value(json_object_get(x, "row")), ry = json_integer_value(json_object_get(y, "row"));
    return rx < ry ? -1 : rx > ry;
}

/* Append a chunk's errors to the report in row order (stable: a row's own
 * errors keep their order), at most IMPORT_MAX_ERRORS in all; frees cerr. */
static void errors_merge(json_t *errors, json_t *cerr)
{
    size_t n = json_array_size(cerr);
    json_t **v = malloc(sizeof *v * (n ? n : 1));
    if (!v)
        gx_die("out of memory");
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(cerr, i);
    /* insertion sort: stable, and the chunk is nearly sorted already */
    for (size_t i = 1; i < n; i++) {
        json_t *x = v[i];
        size_t j = i;
        while (j > 0 && row_cmp(&v[j - 1], &x) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    for (size_t i = 0; i < n && json_array_size(errors) < IMPORT_MAX_ERRORS; i++)
        json_array_append(errors, v[i]);
    free(v);
    json_decref(cerr);
}

/* Row keys for duplicates inside the file: "kind\x1fkey" → first row. */
static int file_duplicate(Ctx *c, const Entity *e, json_t *seen, json_t *rec, int row, const char **kind_out)
{
    static const char *const kinds[][2] = {
        {"credit_code", "credit_code"}, {"email", "email"}, {"phone", "phone"}, {"mobile", "phone"}};
    (void)e;
    int dup = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const char *v = json_string_value(json_object_get(rec, kinds[i][0]));
        if (!v || !*v)
            continue;
        char *k = kinds[i][1][0] == 'p'   ? dupes_phone_key(c->arena, v)
                  : kinds[i][1][0] == 'e' ? dupes_email_key(c->arena, v)
                                          : dupes_code_key(c->arena, v);
        if (!k)
            continue;
        const char *hk = arena_printf(c->arena, "%s\x1f%s", kinds[i][1], k);
        json_t *first = json_object_get(seen, hk);
        if (first && !dup) {
            dup = (int)json_integer_value(first);
            *kind_out = kinds[i][0];
        } else if (!first) {
            json_object_set_new(seen, hk, json_integer(row));
        }
    }
    return dup;
}

/* Records written whose search rows are still to be made. */
typedef struct IdBatch {
    int64_t *ids;
    int n, cap;
} IdBatch;

static void batch_add(IdBatch *b, int64_t id)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->ids = realloc(b->ids, sizeof *b->ids * (size_t)b->cap);
        if (!b->ids)
            gx_die("out of memory");
    }
    b->ids[b->n++] = id;
}

/* The text-search and global-search rows of a batch, then empty it. */
static GxErr batch_index(Ctx *c, const Entity *e, IdBatch *b, bool fresh)
{
    GxErr rc = GX_OK;
    if (b->n && !(rc = record_index_rows(c, e, b->ids, b->n, fresh)))
        rc = search_index_rows(c, e, b->ids, b->n, fresh);
    b->n = 0;
    return rc;
}

/* The rows of a chunk waiting to be created, and what their creation
 * updates: written together by record_create_many when a later row needs
 * them (a match, an update, a lookup) or at the chunk's end. */
typedef struct Pending {
    json_t **recs;     /* the chunk's rows (recs[i - base]); created ones are released */
    int base;          /* table index of recs[0] */
    int idx[IMPORT_ARENA_ROWS]; /* table indexes of the waiting rows, ascending */
    int n;
    json_t *cerr;      /* the chunk's errors */
    int64_t *failed, *created;
    IdBatch *fresh;    /* created, for the search rows */
    json_t *items;     /* the import's items */
    Found *found;      /* the chunk's lookups (NULL: row by row) */
    bool single;       /* record_create per row (rowwise=1, or an import started over) */
    bool *again;       /* set when a row failed while its batch was written: start over with single creates */
} Pending;

static void pending_failed(void *ud, int k, Ctx *c)
{
    Pending *p = ud;
    report_ctx(c, p->cerr, p->idx[k] + 1);
    (*p->failed)++;
}

/* Create the waiting rows (record_create_many), then their duplicate keys in
 * bulk; failing rows are reported with their row numbers. */
static GxErr pending_flush(Ctx *c, const Entity *e, Pending *p)
{
    if (!p->n)
        return GX_OK;
    int n = p->n;
    p->n = 0;
    json_t **ins = arena_alloc(c->arena, sizeof(json_t *) * (size_t)n);
    json_t **outs = arena_calloc(c->arena, (size_t)n, sizeof(json_t *));
    int64_t *ids = arena_alloc(c->arena, sizeof(int64_t) * (size_t)n);
    for (int k = 0; k < n; k++)
        ins[k] = p->recs[p->idx[k] - p->base];
    GxErr rc = GX_OK;
    if (p->single) {
        for (int k = 0; k < n && !rc; k++) {
            if (record_create(c, e, ins[k], &outs[k]) == GX_OK)
                continue;
            if (c->err == GX_EDB)
                rc = c->err;
            else
                pending_failed(p, k, c);
        }
    } else {
        /* no savepoint per batch: a row failing while written starts the
         * import over with single creates (import_run) */
        rc = record_create_many(c, e, ins, n, outs, pending_failed, p, false);
        if (rc == GX_ECONFLICT && c->err_code && !strcmp(c->err_code, "batch_failed"))
            *p->again = true;
    }
    if (p->found) {
        /* the keys of rows still waiting go; the created ones take their
         * records, in row order (the first one wins, as row by row) */
        const char *k;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(p->found->here, tmp, k, v)
        {
            if (json_integer_value(json_array_get(v, 0)) < 0)
                json_object_del(p->found->here, k);
        }
    }
    int nc = 0;
    for (int k = 0; k < n; k++) {
        if (!outs[k])
            continue;
        int64_t id = json_integer_value(json_object_get(outs[k], "id"));
        (*p->created)++;
        batch_add(p->fresh, id);
        if (p->found)
            found_created(p->found, p->idx[k] - p->base, outs[k]);
        json_array_append_new(p->items, json_pack("[I, s, n]", (json_int_t)id, "create"));
        ids[nc] = id;
        outs[nc++] = outs[k];
    }
    if (!rc && nc && dupes_supported(e))
        rc = dupes_keys_write_many(c, e, ids, outs, nc);
    for (int k = 0; k < nc; k++)
        json_decref(outs[k]);
    return rc;
}

GxErr import_run(Ctx *c, const Entity *e, const char *data, size_t len, const ImportOptions *o, json_t **report)
{
    *report = NULL;
    if (acl_scope(c, e, ACT_IMPORT) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not import %s", e->name);
    if (e->system)
        return ctx_fail(c, GX_EDENIED, "%s cannot be imported", e->name);
    const char *dupmode = o->on_duplicate && *o->on_duplicate ? o->on_duplicate : "skip";
    if (strcmp(dupmode, "skip") && strcmp(dupmode, "update") && strcmp(dupmode, "create"))
        return ctx_fail(c, GX_EBADREQ, "on_duplicate must be skip, update or create");
    bool vcf = o->format && !strcmp(o->format, "vcf");
    if (vcf && strcmp(e->name, "contacts"))
        return ctx_fail(c, GX_EBADREQ, "vCard files import into contacts only");
    if (!len)
        return ctx_fail(c, GX_EINVALID, "The file is empty");
    const char *text, *enc;
    size_t tlen;
    GxErr rc = import_decode(c, data, len, o->encoding, &text, &tlen, &enc);
    if (rc)
        return rc;
    Table t = {.max_rows = IMPORT_MAX_ROWS + 1};
    char delim = 0;
    rc = vcf ? vcard_read(c, text, &t) : csv_read(c, text, tlen, o->delimiter, &t, &delim);
    if (rc)
        return rc;
    if (t.too_many)
        return ctx_fail(c, GX_EINVALID, "The file has more than %d rows; split it into smaller files", IMPORT_MAX_ROWS);
    if (t.n < 2)
        return ctx_fail(c, GX_EINVALID, "The file has no data rows (the first row must be the column headers)");
    /* Columns → fields. */
    int nh = t.ncols[0];
    Mapped *map = arena_calloc(c->arena, (size_t)nh + 1, sizeof *map);
    int nmap = 0;
    json_t *columns = json_array();
    json_t *file_errors = json_array();
    for (int k = 0; k < nh; k++) {
        const char *h = t.rows[0][k];
        const char *fname = NULL;
        json_t *given = o->mapping ? json_object_get(o->mapping, h) : NULL;
        if (given)
            fname = json_string_value(given) && *json_string_value(given) ? json_string_value(given) : NULL;
        else
            fname = field_for_header(c->arena, e, h);
        if (given && fname && strcmp(fname, "owner_id") && !meta_field(e, fname)) {
            report_error(file_errors, 1, fname, arena_printf(c->arena, "column '%s' is mapped to an unknown field", h));
            fname = NULL;
        }
        const Field *f = fname && strcmp(fname, "owner_id") ? meta_field(e, fname) : NULL;
        if (f && (f->readonly || f->write_only || f->type == FT_AUTO_NUMBER || f->type == FT_FORMULA ||
                  f->type == FT_PARENT || f->type == FT_LINK_MULTIPLE || f->type == FT_JSON)) {
            report_error(file_errors, 1, f->name,
                         arena_printf(c->arena, "column '%s': the field cannot be imported (read-only)", h));
            fname = NULL;
            f = NULL;
        } else if (f && acl_field(c, e, f->name) != FIELD_RW) {
            report_error(file_errors, 1, f->name,
                         arena_printf(c->arena, "column '%s': the field is %s for your role", h,
                                      acl_field(c, e, f->name) == FIELD_HIDDEN ? "hidden" : "read-only"));
            fname = NULL;
            f = NULL;
        }
        for (int j = 0; fname && j < nmap; j++)
            if (!strcmp(map[j].name, fname)) {
                report_error(file_errors, 1, fname,
                             arena_printf(c->arena, "column '%s' maps to the same field as another column", h));
                fname = NULL;
            }
        json_array_append_new(columns, json_pack("{s:s, s:s?}", "header", h, "field", fname));
        if (fname)
            map[nmap++] = (Mapped){f, fname, k};
    }
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (!f->required || f->dflt)
            continue;
        bool have = false;
        for (int j = 0; j < nmap; j++)
            have |= map[j].f == f;
        if (!have)
            report_error(file_errors, 1, f->name,
                         arena_printf(c->arena, "required column missing: %s (%s / %s)", f->name,
                                      f->label.zh ? f->label.zh : "", f->label.en ? f->label.en : ""));
    }
    json_t *rep = json_pack("{s:s, s:s, s:s, s:i, s:o, s:b, s:b, s:s}", "entity", e->name, "encoding", enc, "delimiter",
                            vcf             ? "vcf"
                            : delim == '\t' ? "tab"
                            : delim == ';'  ? ";"
                                            : ",",
                            "rows", t.n - 1, "columns", columns, "partial", o->partial, "dry_run", o->dry_run,
                            "on_duplicate", dupmode);
    if (json_array_size(file_errors)) {
        json_object_set_new(rep, "errors", file_errors);
        json_object_set_new(rep, "committed", json_false());
        *report = rep;
        ctx_fail(c, GX_EINVALID, "The columns of the file do not fit %s; nothing was imported", e->name);
        c->err_code = "import_failed";
        return GX_EINVALID;
    }
    json_decref(file_errors);

    json_t *errors = json_array();
    json_t *preview = json_array();
    json_t *items = json_array(); /* [record_id, "create"|"update", before] */
    json_t *seen = json_object();
    int64_t created = 0, updated = 0, skipped = 0, failed = 0;
    /* a transaction of its own, not a savepoint in group commit's (db.h) */
    if (db_begin_alone(c->db) != DB_OK) {
        json_decref(rep);
        json_decref(errors);
        json_decref(preview);
        json_decref(items);
        json_decref(seen);
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    }
    /* Rows work in a scratch arena freed every IMPORT_ARENA_ROWS rows, so a
     * 100,000-row file does not keep every row's temporaries until the end
     * (everything kept — report, items — is in jansson values). */
    /* All or nothing (and a dry run, rolled back anyway): rows need no
     * savepoint of their own (see db_set_flat_nesting). Partial imports keep
     * one savepoint per row, so that a failing row undoes only itself. */
    bool flat = !o->partial || o->dry_run;
    db_set_flat_nesting(c->db, flat);
    /* The search indexes of the records written are filled once per batch
     * of IMPORT_BATCH records (record_bulk), not by each write. */
    IdBatch fresh = {0}, changed = {0};
    c->bulk_entity = e->name;
    Arena *outer = c->arena;
    Arena scratch;
    arena_init(&scratch);
    c->arena = &scratch;
    bool lookup = strcmp(dupmode, "create") && dupes_supported(e);
    bool again = false;
    for (int i0 = 1; i0 < t.n && !rc; i0 += IMPORT_ARENA_ROWS) {
        /* A chunk of rows: their values (in the chunk's scratch arena and
         * jansson), one duplicate lookup per key kind for all of them, then
         * each row written. Its errors are put back in row order at the end
         * (a row fails either reading its cells or writing). */
        if (i0 > 1) {
            arena_free(&scratch);
            arena_init(&scratch);
        }
        int i1 = t.n - i0 < IMPORT_ARENA_ROWS ? t.n : i0 + IMPORT_ARENA_ROWS;
        json_t *recs[IMPORT_ARENA_ROWS] = {0};
        json_t *cerr = json_array();
        for (int i = i0; i < i1; i++) {
            int row = i + 1; /* as a spreadsheet numbers it, the header being row 1 */
            if (t.ncols[i] == 1 && !t.rows[i][0][0])
                continue; /* blank line */
            json_t *rec = json_object();
            bool bad = false;
            for (int j = 0; j < nmap; j++) {
                const char *cell = map[j].col < t.ncols[i] ? t.rows[i][map[j].col] : "";
                if (!*cell)
                    continue;
                const char *msg;
                json_t *v;
                if (!map[j].f) {
                    int64_t uid;
                    v = parse_i64(cell, &uid) ? json_integer(uid) : NULL;
                    msg = "must be a user id";
                } else {
                    v = cell_value(c, map[j].f, cell, &msg);
                }
                if (!v) {
                    report_error(cerr, row, map[j].name, msg);
                    bad = true;
                    continue;
                }
                json_object_set_new(rec, map[j].name, v);
            }
            if (json_array_size(preview) < IMPORT_PREVIEW_ROWS)
                json_array_append_new(preview, json_pack("{s:i, s:O}", "row", row, "values", rec));
            const char *dkind = NULL;
            int first = bad ? 0 : file_duplicate(c, e, seen, rec, row, &dkind);
            if (first) {
                report_error(cerr, row, dkind, arena_printf(c->arena, "same %s as row %d of the file", dkind, first));
                bad = true;
            }
            if (bad) {
                failed++;
                json_decref(rec);
                continue;
            }
            recs[i - i0] = rec;
        }
        Found found = {0};
        if (lookup && !o->rowwise)
            rc = find_existing_batch(c, e, recs, i1 - i0, &found);
        bool updated_here = false; /* an update in this chunk may have changed keys found before it */
        Pending pend = {.recs = recs, .base = i0, .cerr = cerr, .failed = &failed, .created = &created,
                        .fresh = &fresh, .items = items, .found = lookup && !o->rowwise ? &found : NULL,
                        .single = o->rowwise || o->single, .again = &again};
        for (int i = i0; i < i1 && !rc; i++) {
            json_t *rec = recs[i - i0];
            if (!rec)
                continue;
            int row = i + 1;
            int64_t existing = 0, owner = 0, dept = 0;
            if (lookup && (updated_here || o->rowwise)) {
                /* the records created before this row must be there to be found */
                if (!(rc = pending_flush(c, e, &pend)))
                    rc = find_existing(c, e, rec, &existing, &owner, &dept);
            } else if (lookup) {
                found_match(&found, i - i0, &existing, &owner, &dept);
                /* a row waiting to be created in this chunk has the same key:
                 * whether that row is created decides (as row by row) */
                if (existing < 0 && !(rc = pending_flush(c, e, &pend)))
                    found_match(&found, i - i0, &existing, &owner, &dept);
            }
            if (rc)
                break;
            if (!existing) {
                /* created with the chunk's other new records (record_create_many) */
                pend.idx[pend.n++] = i;
                if (pend.found)
                    found_created(&found, i - i0, NULL);
                continue;
            }
            recs[i - i0] = NULL;
            json_t *out = NULL;
            if (!strcmp(dupmode, "skip")) {
                skipped++;
            } else {
                json_t *old = NULL;
                if ((rc = pending_flush(c, e, &pend))) {
                    json_decref(rec);
                    break;
                }
                if (!acl_row_in_scope(c, e, ACT_EDIT, owner, dept) || record_get(c, e, existing, &old) != GX_OK) {
                    ctx_clear(c);
                    report_error(cerr, row, NULL, "a matching record exists that you may not change");
                    failed++;
                } else {
                    json_t *before = json_object();
                    const char *k;
                    json_t *v;
                    json_object_foreach(rec, k, v)
                        json_object_set(before, k, json_object_get(old, k) ? json_object_get(old, k) : json_null());
                    json_object_set(rec, "version", json_object_get(old, "version"));
                    updated_here = true;
                    if (record_update(c, e, existing, rec, &out) == GX_OK) {
                        updated++;
                        batch_add(&changed, existing);
                        json_array_append_new(items, json_pack("[I, s, o]", (json_int_t)existing, "update", before));
                    } else {
                        json_decref(before);
                        if (c->err == GX_EDB) {
                            rc = c->err;
                        } else {
                            report_ctx(c, cerr, row);
                            failed++;
                        }
                    }
                    json_decref(old);
                }
            }
            json_decref(out);
            json_decref(rec);
            if (!rc && !o->dry_run && changed.n >= IMPORT_BATCH)
                rc = batch_index(c, e, &changed, false);
        }
        if (!rc)
            rc = pending_flush(c, e, &pend);
        for (int i = i0; i < i1; i++) {
            json_decref(recs[i - i0]);
            recs[i - i0] = NULL;
        }
        if (!rc && !o->dry_run && fresh.n >= IMPORT_BATCH)
            rc = batch_index(c, e, &fresh, true);
        json_decref(found.db);
        json_decref(found.here);
        errors_merge(errors, cerr);
    }
    if (!rc && !o->dry_run && !(rc = batch_index(c, e, &fresh, true)))
        rc = batch_index(c, e, &changed, false);
    free(fresh.ids);
    free(changed.ids);
    c->bulk_entity = NULL;
    db_set_flat_nesting(c->db, false);
    if (!rc && flat && db_tx_failed(c->db) && !failed)
        rc = ctx_fail(c, GX_EDB, "a row failed inside the import");
    c->arena = outer;
    if (c->err_msg)
        c->err_msg = arena_strdup(outer, c->err_msg);
    arena_free(&scratch);
    json_decref(seen);
    if (again) {
        /* A row failed while its batch was written (an after-create hook's
         * check, a constraint): the import starts over creating records one
         * by one, each in a savepoint when partial, which reports that row
         * alone — as rare as such rows are, cheaper than a savepoint per
         * batch in every import. */
        db_rollback(c->db);
        json_decref(items);
        json_decref(rep);
        json_decref(errors);
        json_decref(preview);
        ctx_clear(c);
        ImportOptions again_o = *o;
        again_o.single = true;
        return import_run(c, e, data, len, &again_o, report);
    }
    bool commit = !rc && !o->dry_run && (o->partial || failed == 0);
    int64_t import_id = 0;
    if (commit) {
        DbVal p[] = {dbv_text(e->name),       c->who ? dbv_int(c->who->user_id) : dbv_null(),
                     dbv_text(record_now(c)), dbv_text(o->filename ? o->filename : ""),
                     dbv_text(dupmode),       dbv_int(o->partial),
                     dbv_int(t.n - 1),        dbv_int(created),
                     dbv_int(updated),        dbv_int(skipped),
                     dbv_int(failed)};
        bool found;
        if (db_query_int(
                c->db,
                "INSERT INTO imports(entity, user_id, created_at, filename, on_duplicate, partial, row_count, created, "
                "updated,"
                " skipped, failed, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'done') RETURNING id",
                p, 11, &import_id, &found) != DB_OK ||
            !found)
            rc = ctx_fail(c, GX_EDB, "cannot record the import");
        size_t k;
        json_t *it;
        json_array_foreach(items, k, it)
        {
            if (rc)
                break;
            json_t *before = json_array_get(it, 2);
            char *bj = json_is_null(before) ? NULL : json_dumps(before, JSON_COMPACT);
            DbVal q[] = {dbv_int(import_id), dbv_int(json_integer_value(json_array_get(it, 0))),
                         dbv_text(json_string_value(json_array_get(it, 1))), dbv_text(bj)};
            if (db_exec(c->db,
                        "INSERT INTO import_items(import_id, record_id, op, before_values) VALUES ($1, $2, $3, $4)", q,
                        4) != DB_OK)
                rc = ctx_fail(c, GX_EDB, "cannot record the import");
            free(bj);
        }
        if (!rc) {
            json_t *d = json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:s?}", "import_id", (json_int_t)import_id, "entity",
                                  e->name, "created", (json_int_t)created, "updated", (json_int_t)updated, "skipped",
                                  (json_int_t)skipped, "failed", (json_int_t)failed, "filename", o->filename);
            rc = audit_write(c, "import", e->name, 0, d);
            json_decref(d);
        }
    }
    if (commit && !rc) {
        if (db_commit(c->db) != DB_OK)
            rc = ctx_fail(c, GX_EDB, "cannot commit the import");
    } else {
        db_rollback(c->db);
    }
    json_decref(items);
    if (rc && c->err == GX_EDB) {
        json_decref(rep);
        json_decref(errors);
        json_decref(preview);
        return rc;
    }
    json_object_set_new(rep, "created", json_integer(created));
    json_object_set_new(rep, "updated", json_integer(updated));
    json_object_set_new(rep, "skipped", json_integer(skipped));
    json_object_set_new(rep, "failed", json_integer(failed));
    json_object_set_new(rep, "errors", errors);
    json_object_set_new(rep, "preview", preview);
    json_object_set_new(rep, "committed", json_boolean(commit));
    json_object_set_new(rep, "import_id", import_id ? json_integer(import_id) : json_null());
    *report = rep;
    if (!commit && !o->dry_run && failed) {
        ctx_fail(c, GX_EINVALID,
                 "%lld row%s cannot be imported; nothing was imported (choose partial to import the valid rows)",
                 (long long)failed, failed == 1 ? "" : "s");
        c->err_code = "import_failed";
        return GX_EINVALID;
    }
    return GX_OK;
}

/* ---------- batches: read and undo ---------- */

static const char *import_cols =
    "id, entity, user_id, created_at, filename, on_duplicate, partial, row_count, created, updated,"
    " skipped, failed, status, undone_at";

static json_t *import_row(DbRes *r)
{
    return json_pack(
        "{s:I, s:s, s:o, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:s, s:o}", "id", (json_int_t)db_int(r, 0),
        "entity", db_text(r, 1), "user_id", db_isnull(r, 2) ? json_null() : json_integer(db_int(r, 2)), "created_at",
        db_text(r, 3), "filename", db_text(r, 4) ? db_text(r, 4) : "", "on_duplicate", db_text(r, 5), "partial",
        (int)db_int(r, 6), "rows", (json_int_t)db_int(r, 7), "created", (json_int_t)db_int(r, 8), "updated",
        (json_int_t)db_int(r, 9), "skipped", (json_int_t)db_int(r, 10), "failed", (json_int_t)db_int(r, 11), "status",
        db_text(r, 12), "undone_at", db_text(r, 13) ? json_string(db_text(r, 13)) : json_null());
}

GxErr import_get(Ctx *c, int64_t id, json_t **out)
{
    *out = NULL;
    DbVal p[] = {dbv_int(id)};
    DbRes *r;
    if (db_query(c->db, arena_printf(c->arena, "SELECT %s FROM imports WHERE id = $1", import_cols), p, 1, &r) != /* sql-ok: identifiers from metadata or a literal column list */
        DB_OK) /* sql-ok: literal column list */
        return ctx_fail(c, GX_EDB, "cannot read the import");
    if (db_next(r) == 1)
        *out = import_row(r);
    db_done(r);
    /* Other users' imports do not exist for you (administrators see all). */
    if (!*out ||
        (!acl_is_admin(c) && (!c->who || json_integer_value(json_object_get(*out, "user_id")) != c->who->user_id))) {
        json_decref(*out);
        *out = NULL;
        return ctx_fail(c, GX_ENOTFOUND, "No such import (id %lld)", (long long)id);
    }
    return GX_OK;
}

GxErr import_list(Ctx *c, json_t **out)
{
    *out = NULL;
    DbVal p[] = {c->who ? dbv_int(c->who->user_id) : dbv_int(0), dbv_int(acl_is_admin(c))};
    DbRes *r;
    if (db_query(c->db,
                 arena_printf(c->arena,
                              "SELECT %s FROM imports WHERE (user_id = $1 OR $2 = 1) ORDER BY id DESC LIMIT 100",
                              import_cols), /* sql-ok: literal column list */
                 p, 2, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot list imports");
    json_t *arr = json_array();
    while (db_next(r) == 1)
        json_array_append_new(arr, import_row(r));
    db_done(r);
    *out = arr;
    return GX_OK;
}

GxErr import_undo(Ctx *c, int64_t id, json_t **out)
{
    *out = NULL;
    json_t *imp;
    GxErr rc = import_get(c, id, &imp);
    if (rc)
        return rc;
    if (strcmp(json_string_value(json_object_get(imp, "status")), "done")) {
        json_decref(imp);
        return ctx_fail(c, GX_ECONFLICT, "This import has already been undone");
    }
    const Entity *e = meta_entity(json_string_value(json_object_get(imp, "entity")));
    json_decref(imp);
    if (!e)
        return ctx_fail(c, GX_ENOTFOUND, "The entity of this import no longer exists");
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    /* The undo is the import's own inverse: the user's scope may have changed
     * since, so the writes are the module's (audited under the user). */
    bool elevated = c->elevated;
    c->elevated = true;
    DbVal p[] = {dbv_int(id)};
    DbRes *r;
    json_t *items = json_array();
    if (db_query(c->db,
                 "SELECT record_id, op, before_values FROM import_items WHERE import_id = $1 ORDER BY record_id DESC",
                 p, 1, &r) != DB_OK) {
        rc = ctx_fail(c, GX_EDB, "cannot read the import");
        goto out;
    }
    while (db_next(r) == 1)
        json_array_append_new(items, json_pack("[I, s, s?]", (json_int_t)db_int(r, 0), db_text(r, 1), db_text(r, 2)));
    db_done(r);
    int64_t trashed = 0, restored = 0;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        int64_t rid = json_integer_value(json_array_get(it, 0));
        if (!strcmp(json_string_value(json_array_get(it, 1)), "create")) {
            rc = record_delete(c, e, rid);
            if (rc == GX_ENOTFOUND) { /* already in the trash */
                ctx_clear(c);
                rc = GX_OK;
                continue;
            }
            trashed++;
        } else {
            json_t *before = json_loads(json_string_value(json_array_get(it, 2)), 0, NULL);
            json_t *cur;
            rc = record_get(c, e, rid, &cur);
            if (rc == GX_ENOTFOUND) {
                ctx_clear(c);
                rc = GX_OK;
                json_decref(before);
                continue;
            }
            if (!rc) {
                json_object_set(before, "version", json_object_get(cur, "version"));
                json_t *o2;
                rc = record_update(c, e, rid, before, &o2);
                json_decref(o2);
                json_decref(cur);
                restored++;
            }
            json_decref(before);
        }
        if (rc)
            goto out;
    }
    DbVal u[] = {dbv_text(record_now(c)), dbv_int(id)};
    if (db_exec(c->db, "UPDATE imports SET status = 'undone', undone_at = $1 WHERE id = $2 AND status = 'done'", u,
                2) != DB_OK ||
        db_changes(c->db) != 1) {
        rc = ctx_fail(c, GX_ECONFLICT, "This import has already been undone");
        goto out;
    }
    json_t *d = json_pack("{s:I, s:I, s:I}", "import_id", (json_int_t)id, "trashed", (json_int_t)trashed, "restored",
                          (json_int_t)restored);
    rc = audit_write(c, "import_undo", e->name, 0, d);
    json_decref(d);
out:
    c->elevated = elevated;
    json_decref(items);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    if (db_commit(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot commit");
    return import_get(c, id, out);
}

/* Migration 3: the batch tables. */
static GxErr import_migrate(Ctx *c, bool fresh)
{
    (void)fresh;
    bool pg = db_dialect(c->db) == DB_PG;
    const char *id = pg ? "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
    const char *in = pg ? "BIGINT" : "INTEGER";
    const char *ddl[] = {
        arena_printf(
            c->arena,
            "CREATE TABLE imports (id %s, entity TEXT NOT NULL, user_id %s REFERENCES users(id), created_at TEXT NOT "
            "NULL,"
            " filename TEXT, on_duplicate TEXT NOT NULL, partial %s NOT NULL, row_count %s NOT NULL, created %s NOT "
            "NULL,"
            " updated %s NOT NULL, skipped %s NOT NULL, failed %s NOT NULL, status TEXT NOT NULL, undone_at TEXT)",
            id, in, in, in, in, in, in, in),
        "CREATE INDEX imports_user_idx ON imports(user_id, id)",
        arena_printf(c->arena,
                     "CREATE TABLE import_items (import_id %s NOT NULL REFERENCES imports(id), record_id %s NOT NULL,"
                     " op TEXT NOT NULL, before_values TEXT)",
                     in, in),
        "CREATE INDEX import_items_import_idx ON import_items(import_id)", NULL};
    for (int i = 0; ddl[i]; i++)
        if (db_exec(c->db, ddl[i], NULL, 0) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot create the import tables: %s", db_errmsg(c->db));
    return GX_OK;
}

void import_module_init(void)
{
    ddl_step_add(3, "imports", import_migrate);
}
