/* values.c — columns (declared fields and the common columns every record
 * has) and how a stored value is shown, per field type. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/phone.h"
#include "../modules/modules.h"
#include "ui.h"

static const struct {
    const char *name;
    const char *label;
    const char *target; /* link target, or NULL */
} common[] = {
    {"id", N_("ID"), NULL},
    {"owner_id", N_("Owner"), "users"},
    {"department_id", N_("Department"), "departments"},
    {"created_at", N_("Created"), NULL},
    {"created_by", N_("Created by"), "users"},
    {"updated_at", N_("Updated"), NULL},
    {"updated_by", N_("Updated by"), "users"},
};

static int common_index(const char *name)
{
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (!strcmp(common[i].name, name))
            return (int)i;
    return -1;
}

bool ui_col(Req *r, const Entity *e, const char *name, Col *out)
{
    const Field *f = meta_field(e, name);
    if (f) {
        if (f->write_only || acl_field(&r->c, e, name) == FIELD_HIDDEN)
            return false;
        *out = (Col){f->name, f};
        return true;
    }
    int i = common_index(name);
    if (i < 0)
        return false;
    if (!e->owned && (!strcmp(name, "owner_id") || !strcmp(name, "department_id")))
        return false;
    *out = (Col){common[i].name, NULL};
    return true;
}

const char *ui_col_label(Req *r, const Col *c)
{
    if (c->f)
        return ui_label(r, &c->f->label);
    int i = common_index(c->name);
    return i >= 0 ? T(r, common[i].label) : c->name;
}

bool ui_col_numeric(const Col *c)
{
    if (!c->f)
        return !strcmp(c->name, "id");
    switch (c->f->type) {
    case FT_INT:
    case FT_DECIMAL:
    case FT_MONEY:
    case FT_PERCENT:
        return true;
    default:
        return false;
    }
}

bool ui_col_sortable(const Col *c)
{
    return c->f ? c->f->sortable : true;
}

const char *ui_title(Req *r, const Entity *e, json_t *rec)
{
    const char *t = e->title_field ? json_string_value(json_object_get(rec, e->title_field)) : NULL;
    if (t && *t)
        return t;
    return arena_printf(&r->arena, "#%lld", (long long)json_integer_value(json_object_get(rec, "id")));
}

/* A link to a record, named from names. */
static void record_link(Req *r, Buf *b, const char *entity, int64_t id, json_t *names)
{
    if (id <= 0)
        return;
    const char *name = ui_names_get(names, entity, id);
    const Entity *t = meta_entity(entity);
    if (t && ui_entity_visible(r, t))
        buf_htmlf(b, "<a href=\"/app/%s/%lld\">", entity, (long long)id);
    else
        buf_raw(b, "<span>");
    if (name)
        buf_html(b, name);
    else
        buf_printf(b, "#%lld", (long long)id);
    buf_raw(b, t && ui_entity_visible(r, t) ? "</a>" : "</span>");
}

/* A decimal shown with thousands separators and its scale (display only). */
static void decimal(Buf *b, double v, int scale, bool percent)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", scale, v < 0 ? -v : v);
    char *dot = strchr(tmp, '.');
    if (dot)
        *dot = 0;
    int64_t whole = 0;
    for (char *p = tmp; *p; p++)
        whole = whole * 10 + (*p - '0');
    if (v < 0)
        buf_putc(b, '-');
    ui_int(b, whole);
    if (dot) {
        buf_putc(b, '.');
        buf_raw(b, dot + 1);
    }
    if (percent)
        buf_putc(b, '%');
}

static void option_label(Req *r, Buf *b, const Field *f, const char *value)
{
    /* the administrator's label when the pick list was edited (enum_labels.c) */
    const char *l = enum_labels_label(&r->c, f, value, ui_en(r) ? "en" : "zh");
    buf_html(b, l ? l : value);
}

static void address(Buf *b, json_t *v)
{
    static const char *parts[] = {"country", "province", "city", "district", "street", "postcode", NULL};
    bool first = true;
    for (int i = 0; parts[i]; i++) {
        const char *s = json_string_value(json_object_get(v, parts[i]));
        if (!s || !*s)
            continue;
        if (!first)
            buf_putc(b, ' ');
        buf_html(b, s);
        first = false;
    }
}

void ui_value(Req *r, Buf *b, const Col *c, json_t *rec, json_t *names)
{
    const Field *f = c->f;
    if (!f) {
        int i = common_index(c->name);
        json_t *v = json_object_get(rec, c->name);
        if (!v || json_is_null(v))
            return;
        if (i >= 0 && common[i].target)
            record_link(r, b, common[i].target, json_integer_value(v), names);
        else if (json_is_string(v))
            ui_datetime(r, b, json_string_value(v));
        else
            ui_int(b, json_integer_value(v));
        return;
    }
    if (f->type == FT_PARENT) {
        const char *type = json_string_value(json_object_get(rec, arena_printf(&r->arena, "%s_type", f->name)));
        int64_t id = json_integer_value(json_object_get(rec, arena_printf(&r->arena, "%s_id", f->name)));
        if (type && id > 0) {
            const Entity *t = meta_entity(type);
            if (t)
                buf_htmlf(b, "<span class=\"muted\">%s</span> ", ui_label(r, &t->singular));
            record_link(r, b, type, id, names);
        }
        return;
    }
    json_t *v = json_object_get(rec, f->name);
    if (!v || json_is_null(v))
        return;
    const char *s = json_string_value(v);
    switch (f->type) {
    case FT_INT:
        ui_int(b, json_integer_value(v));
        break;
    case FT_MONEY:
        ui_money(b, json_integer_value(v));
        break;
    case FT_DECIMAL:
    case FT_PERCENT:
        decimal(b, json_number_value(v), f->scale, f->type == FT_PERCENT);
        break;
    case FT_BOOL:
        buf_html(b, json_is_true(v) ? T(r, "Yes") : T(r, "No"));
        break;
    case FT_DATETIME:
        ui_datetime(r, b, s);
        break;
    case FT_ENUM:
        /* board fields (level, stage …) are coloured per option; others are plain text */
        if (!f->board || !s || !meta_option(f, s)) {
            option_label(r, b, f, s ? s : "");
            break;
        }
        for (int i = 0; i < f->noptions; i++)
            if (!strcmp(f->options[i].value, s))
                buf_printf(b, "<span class=\"tag t%d\">", i % 8);
        option_label(r, b, f, s);
        buf_raw(b, "</span>");
        break;
    case FT_MULTI_ENUM: {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (i)
                buf_html(b, ui_en(r) ? ", " : "、");
            option_label(r, b, f, json_string_value(item) ? json_string_value(item) : "");
        }
        break;
    }
    case FT_LINK:
        record_link(r, b, f->target, json_integer_value(v), names);
        break;
    case FT_LINK_MULTIPLE: {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (i)
                buf_html(b, ui_en(r) ? ", " : "、");
            record_link(r, b, f->target, json_integer_value(item), names);
        }
        break;
    }
    case FT_EMAIL:
        buf_htmlf(b, "<a href=\"mailto:%s\">%s</a>", s, s);
        break;
    case FT_PHONE: /* stored E.164, shown 138 1234 5678 / 010 8888 6666 / 400-123-4567 */
        buf_htmlf(b, "<a href=\"tel:%s\">%s</a>", s, phone_display(&r->arena, s, ui_en(r) ? "ext." : "转"));
        break;
    case FT_URL:
        if (s && (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8)))
            buf_htmlf(b, "<a href=\"%s\" target=\"_blank\" rel=\"noopener noreferrer\">%s</a>", s, s);
        else
            buf_html(b, s);
        break;
    case FT_ADDRESS:
        address(b, v);
        break;
    case FT_FILE:
        buf_printf(b, "#%lld", (long long)json_integer_value(v));
        break;
    case FT_FORMULA:
        if (json_is_integer(v))
            ui_int(b, json_integer_value(v));
        else
            buf_html(b, s);
        break;
    case FT_JSON: {
        char *dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        buf_htmlf(b, "<code class=\"json\">%s</code>", dump ? dump : "");
        free(dump);
        break;
    }
    default:
        buf_html(b, s);
        break;
    }
}
