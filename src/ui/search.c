/* search.c — global search: the top bar's live results (an htmx fragment,
 * grouped by entity) and the full results page. */
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../modules/modules.h"
#include "ui.h"

bool ui_search_short(const char *q)
{
    return q && *q && utf8_len(q) < 3;
}

bool ui_search_plan(const Entity *e, const char *q, ListQuery *lq, json_t **where)
{
    *where = NULL;
    if (!q || !*q)
        return true;
    if (!ui_search_short(q) || e->system) {
        if (!e->has_search)
            return false;
        lq->q = q;
        return true;
    }
    const Field *t = e->title_field ? meta_field(e, e->title_field) : NULL;
    if (!t || !t->indexed || (t->type != FT_STRING && t->type != FT_AUTO_NUMBER))
        return false;
    /* [q, q + U+10FFFF]: every text starting with q (binary UTF-8 order) */
    size_t n = strlen(q);
    char *hi = malloc(n + 5);
    if (!hi)
        gx_die("out of memory");
    memcpy(hi, q, n);
    memcpy(hi + n, "\xf4\x8f\xbf\xbf", 5);
    *where = json_pack("{s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}]}", "and", "field", t->name, "op", "ge", "value", q,
                       "field", t->name, "op", "le", "value", hi);
    free(hi);
    return true;
}

/* Entities searched first, in this order; other searchable ones follow. */
static const char *const first[] = {"customers", "contacts", "leads", "opportunities", "tickets", "users", NULL};

/* One line under the title: the first listed text-like field with a value. */
static void subtitle(Req *r, const Entity *e, json_t *rec)
{
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (!f->list || (e->title_field && !strcmp(f->name, e->title_field)) ||
            acl_field(&r->c, e, f->name) == FIELD_HIDDEN)
            continue;
        if (f->type != FT_STRING && f->type != FT_PHONE && f->type != FT_EMAIL && f->type != FT_AUTO_NUMBER)
            continue;
        const char *v = json_string_value(json_object_get(rec, f->name));
        if (v && *v) {
            buf_htmlf(&r->out, "<small>%s</small>", v);
            return;
        }
    }
}

/* The "show all" link of a group. */
static void more_link(Req *r, const Entity *e, const char *q)
{
    Buf u;
    buf_init(&u, &r->arena);
    buf_printf(&u, "/app/%s?scene=all&q=", e->name);
    buf_url(&u, q);
    buf_htmlf(&r->out, "<a class=\"more\" href=\"%s\">%s</a></section>", u.data, T(r, "Show all"));
}

/* A group of customers, contacts or leads from global search (modules/search.c). */
static size_t indexed_group(Req *r, const Entity *e, const char *q, int64_t limit)
{
    json_t *rows = json_array();
    if (search_entity(&r->c, e, q, (int)limit, rows)) {
        ctx_clear(&r->c);
        json_decref(rows);
        return 0;
    }
    size_t n = json_array_size(rows);
    if (n) {
        Buf *o = &r->out;
        buf_htmlf(o, "<section class=\"search-group\"><h3>%s</h3><ul>", ui_label(r, &e->label));
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
        {
            const char *sub = json_string_value(json_object_get(row, "subtitle"));
            buf_htmlf(o, "<li><a href=\"/app/%s/%lld\"><span>%s</span>", e->name,
                      (long long)json_integer_value(json_object_get(row, "id")),
                      json_string_value(json_object_get(row, "title")));
            if (sub && *sub)
                buf_htmlf(o, "<small>%s</small>", sub);
            buf_raw(o, "</a></li>");
        }
        buf_raw(o, "</ul>");
        more_link(r, e, q);
    }
    json_decref(rows);
    return n;
}

/* Search one entity and write its group; returns the number of hits shown. */
static size_t group(Req *r, const Entity *e, const char *q, int64_t limit)
{
    if (!e->has_search || !ui_entity_visible(r, e) || (e->module && !strcmp(e->module, "home")))
        return 0;
    if (search_indexed(e))
        return indexed_group(r, e, q, limit);
    ListQuery lq = {.limit = limit, .action = ACT_READ};
    json_t *where = NULL;
    if (!ui_search_plan(e, q, &lq, &where))
        return 0;
    lq.where = where;
    json_t *rows = NULL;
    GxErr rc = record_list(&r->c, e, &lq, &rows, NULL);
    json_decref(where);
    if (rc) {
        ctx_clear(&r->c);
        return 0;
    }
    size_t n = json_array_size(rows);
    if (n) {
        Buf *o = &r->out;
        buf_htmlf(o, "<section class=\"search-group\"><h3>%s</h3><ul>", ui_label(r, &e->label));
        size_t i;
        json_t *rec;
        json_array_foreach(rows, i, rec)
        {
            buf_htmlf(o, "<li><a href=\"/app/%s/%lld\"><span>%s</span>", e->name,
                      (long long)json_integer_value(json_object_get(rec, "id")), ui_title(r, e, rec));
            subtitle(r, e, rec);
            buf_raw(o, "</a></li>");
        }
        buf_raw(o, "</ul>");
        Buf u;
        buf_init(&u, &r->arena);
        buf_printf(&u, "/app/%s?scene=all&q=", e->name);
        buf_url(&u, q);
        buf_htmlf(o, "<a class=\"more\" href=\"%s\">%s</a></section>", u.data, T(r, "Show all"));
    }
    json_decref(rows);
    return n;
}

static bool listed_first(const char *name)
{
    for (int i = 0; first[i]; i++)
        if (!strcmp(first[i], name))
            return true;
    return false;
}

static size_t all_groups(Req *r, const char *q, int64_t limit)
{
    size_t hits = 0;
    for (int i = 0; first[i]; i++) {
        const Entity *e = meta_entity(first[i]);
        if (e)
            hits += group(r, e, q, limit);
    }
    int n;
    const Entity *const *all = meta_entities(&n);
    for (int i = 0; i < n; i++)
        if (!listed_first(all[i]->name))
            hits += group(r, all[i], q, limit);
    return hits;
}

void ui_search(Req *r)
{
    const char *q = http_query(r, "q");
    if (q)
        while (*q == ' ')
            q++;
    if (ui_htmx(r)) {
        ui_html_headers(r);
        if (!q || !*q)
            return;
        buf_raw(&r->out, "<div class=\"search-results\">");
        if (ui_search_short(q))
            buf_htmlf(&r->out, "<p class=\"hint\">%s</p>",
                      T(r, "Short searches match the beginning of names; type three characters to search everywhere."));
        if (!all_groups(r, q, 5))
            buf_htmlf(&r->out, "<p class=\"muted\">%s</p>",
                      arena_printf(&r->arena, T(r, "Nothing found for “%s”."), q));
        buf_raw(&r->out, "</div>");
        return;
    }
    Page p = {.title = T(r, "Search")};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1></div>", T(r, "Search"));
    buf_htmlf(
        o,
        "<form method=\"get\" action=\"/search\" class=\"quick-search\" role=\"search\"><input type=\"search\" "
        "name=\"q\""
        " value=\"%s\" aria-label=\"%s\" maxlength=\"100\" autofocus><button class=\"btn primary\">%s</button></form>",
        q ? q : "", T(r, "Search"), T(r, "Search"));
    if (q && *q) {
        if (ui_search_short(q))
            buf_htmlf(o, "<p class=\"hint\">%s</p>",
                      T(r, "Short searches match the beginning of names; type three characters to search everywhere."));
        buf_raw(o, "<div class=\"search-page\">");
        if (!all_groups(r, q, 20))
            buf_htmlf(o, "<p class=\"empty\">%s</p>", arena_printf(&r->arena, T(r, "Nothing found for “%s”."), q));
        buf_raw(o, "</div>");
    }
    ui_end(r, &p);
}
