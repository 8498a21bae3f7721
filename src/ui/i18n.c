/* i18n.c — translations from gettext .po files embedded in the binary.
 *
 * po/zh_CN.po and po/en.po are parsed once (on first use) into two read-only
 * hash tables shared by every thread. msgids are the English texts used in
 * the source; a missing or empty msgstr falls back to the msgid. Extraction:
 * po/update.sh (xgettext --keyword=T:2 --keyword=N_). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../base/embedded.h"
#include "../base/log.h"
#include "ui.h"

typedef struct Entry {
    const char *id;  /* msgid */
    const char *str; /* msgstr (non-empty) */
} Entry;

typedef struct Catalog {
    Entry *slots; /* open addressing, power-of-two size */
    size_t mask;  /* size - 1 */
    size_t n;     /* entries */
} Catalog;

static Catalog zh_catalog, en_catalog;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void catalog_put(Catalog *c, const char *id, const char *str)
{
    if ((c->n + 1) * 2 > c->mask + 1) {
        size_t size = c->mask ? (c->mask + 1) * 2 : 256;
        Entry *old = c->slots;
        size_t oldsize = c->mask ? c->mask + 1 : 0;
        c->slots = xcalloc(size, sizeof *c->slots);
        c->mask = size - 1;
        c->n = 0;
        for (size_t i = 0; i < oldsize; i++)
            if (old[i].id)
                catalog_put(c, old[i].id, old[i].str);
        free(old);
    }
    size_t i = hash_str(id) & c->mask;
    while (c->slots[i].id && strcmp(c->slots[i].id, id))
        i = (i + 1) & c->mask;
    if (!c->slots[i].id)
        c->n++;
    c->slots[i].id = id;
    c->slots[i].str = str;
}

static const char *catalog_get(const Catalog *c, const char *id)
{
    if (!c->mask || !id)
        return NULL;
    size_t i = hash_str(id) & c->mask;
    while (c->slots[i].id) {
        if (!strcmp(c->slots[i].id, id))
            return c->slots[i].str;
        i = (i + 1) & c->mask;
    }
    return NULL;
}

/* A growing heap string for the parser. */
typedef struct Str {
    char *s;
    size_t n, cap;
} Str;

static void str_add(Str *b, char ch)
{
    if (b->n + 2 > b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->s = xrealloc(b->s, b->cap);
    }
    b->s[b->n++] = ch;
    b->s[b->n] = 0;
}

/* Append the C-escaped contents of the quoted string starting at p (at the
 * opening quote). Returns false when it is not a well-formed string. */
static bool parse_quoted(const char *p, Str *out)
{
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '"')
        return false;
    for (p++; *p && *p != '"'; p++) {
        if (*p != '\\') {
            str_add(out, *p);
            continue;
        }
        p++;
        switch (*p) {
        case 'n':
            str_add(out, '\n');
            break;
        case 't':
            str_add(out, '\t');
            break;
        case 'r':
            str_add(out, '\r');
            break;
        case '"':
            str_add(out, '"');
            break;
        case '\\':
            str_add(out, '\\');
            break;
        default:
            return false;
        }
    }
    return *p == '"';
}

/* Store the entry being parsed (unless fuzzy or the header) and start afresh. */
static void flush_entry(Catalog *c, Str *id, Str *str, bool *have, bool *fuzzy)
{
    if (!*have)
        return;
    if (id->n && str->n && !*fuzzy)
        catalog_put(c, strdup(id->s), strdup(str->s));
    id->n = str->n = 0;
    if (id->s)
        id->s[0] = 0;
    if (str->s)
        str->s[0] = 0;
    *have = false;
    *fuzzy = false;
}

/* Parse one .po file into c. Entries marked fuzzy and the header are skipped.
 * Malformed lines are logged and skipped: translations are never fatal. */
static void parse_po(Catalog *c, const char *path, const char *text)
{
    Str id = {0}, str = {0};
    Str *cur = NULL;
    bool fuzzy = false, have = false;
    int lineno = 0;
    for (const char *line = text; *line;) {
        const char *end = strchrnul(line, '\n');
        size_t len = (size_t)(end - line);
        if (len && line[len - 1] == '\r')
            len--;
        char *l = strndup(line, len);
        if (!l)
            gx_die("out of memory");
        lineno++;
        if (!l[0]) {
            flush_entry(c, &id, &str, &have, &fuzzy);
            cur = NULL;
        } else if (l[0] == '#') {
            flush_entry(c, &id, &str, &have, &fuzzy);
            cur = NULL;
            if (l[1] == ',' && strstr(l, "fuzzy"))
                fuzzy = true;
        } else if (!strncmp(l, "msgid ", 6)) {
            bool f = fuzzy;
            flush_entry(c, &id, &str, &have, &fuzzy);
            fuzzy = f;
            have = true;
            cur = &id;
            if (!parse_quoted(l + 6, cur))
                log_warn("%s:%d: malformed msgid", path, lineno);
        } else if (!strncmp(l, "msgstr ", 7)) {
            cur = &str;
            if (!parse_quoted(l + 7, cur))
                log_warn("%s:%d: malformed msgstr", path, lineno);
        } else if (l[0] == '"' && cur) {
            if (!parse_quoted(l, cur))
                log_warn("%s:%d: malformed continuation", path, lineno);
        }
        free(l);
        line = *end ? end + 1 : end;
    }
    flush_entry(c, &id, &str, &have, &fuzzy);
    free(id.s);
    free(str.s);
}

static void load_catalogs(void)
{
    const EmbeddedFile *zh = embedded_find("po/zh_CN.po");
    const EmbeddedFile *en = embedded_find("po/en.po");
    if (zh)
        parse_po(&zh_catalog, zh->path, (const char *)zh->data);
    if (en)
        parse_po(&en_catalog, en->path, (const char *)en->data);
}

const char *ui_tr(const char *lang, const char *msgid)
{
    pthread_once(&once, load_catalogs);
    const char *s = catalog_get(lang && lang[0] == 'e' ? &en_catalog : &zh_catalog, msgid);
    return s ? s : msgid;
}

const char *T(Req *r, const char *msgid)
{
    return ui_tr(r->c.lang, msgid);
}

bool ui_en(Req *r)
{
    return r->c.lang && r->c.lang[0] == 'e';
}

const char *ui_label(Req *r, const Label *l)
{
    return meta_label(l, ui_en(r) ? "en" : "zh");
}

/* Fixed messages of the engine (validation, access) so that xgettext
 * extracts them; ui_engine_msg translates them when shown. */
static const char *const engine_messages[] __attribute__((unused)) = {
    N_("is required"),
    N_("is not a valid e-mail address"),
    N_("is not a valid phone number (digits, optional leading +, 5 to 20 digits)"),
    N_("is not a valid web address (http:// or https://)"),
    N_("is not an active user"),
    N_("is out of range"),
    N_("is read-only"),
    N_("is read-only for your role"),
    N_("is too large"),
    N_("already exists"),
    N_("must be a date YYYY-MM-DD"),
    N_("must be a date-time in RFC 3339 form, e.g. 2026-11-23T09:30:00+08:00"),
    N_("must be a list of values"),
    N_("must be a number"),
    N_("must be a record id (positive integer)"),
    N_("must be a single line"),
    N_("must be an integer"),
    N_("must be true or false"),
    N_("must be text"),
    N_("contains a value that is not allowed"),
    N_("is not your current password"),
    N_("must be at least 8 characters long"),
    N_("must be at most 128 characters long"),
    N_("must not be the same as the username"),
    N_("Someone else changed this record; reload and try again"),
    N_("The record changed meanwhile; reload and try again"),
    N_("Choose the new owner first"),
    N_("The filter is not valid"),
    N_("No such page"),
    N_("No such record"),
    N_("Malformed form"),
};

/* Engine messages that start with a fixed phrase and go on with details
 * (lengths, values): the phrase is translated and the rest dropped. */
static const char *const engine_prefixes[] = {
    N_("is too long"),
    N_("has more than"),
    N_("must be a number with at most"),
    N_("must be at least"),
    N_("must be at most"),
    N_("refers to"),
    N_("has an unknown part"),
    N_("contains"),
    N_("is required together with"),
    NULL,
};

const char *ui_engine_msg(Req *r, const char *msg)
{
    if (!msg)
        return "";
    const char *t = T(r, msg);
    if (t != msg || ui_en(r))
        return t;
    for (int i = 0; engine_prefixes[i]; i++)
        if (!strncmp(msg, engine_prefixes[i], strlen(engine_prefixes[i])))
            return T(r, engine_prefixes[i]);
    if (!strncmp(msg, "'", 1) && strstr(msg, "is not one of the allowed values"))
        return T(r, "is not one of the allowed values");
    return msg;
}
