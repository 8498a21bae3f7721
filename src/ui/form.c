/* form.c — the create and edit forms /app/{entity}/new and
 * /app/{entity}/{id}/edit, generic over metadata: the right control per
 * field type, required marks, errors next to each field plus a summary,
 * the user's input kept on failure, and the optimistic-concurrency conflict
 * explained. Also the link-field search endpoint /app/{entity}/options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/divisions.h"
#include "../base/phone.h"
#include "../base/util.h"
#include "../modules/modules.h"
#include "form.h"

static const char *const address_parts[] = {"province", "city", "district", "street", "postcode", NULL};
static const char *const address_labels[] = {N_("Province"), N_("City"),     N_("District"),
                                             N_("Street"),   N_("Postcode"), NULL};

const char *form_str(json_t *form, const char *key)
{
    json_t *v = json_object_get(form, key);
    if (json_is_array(v))
        v = json_array_get(v, json_array_size(v) - 1);
    return json_string_value(v);
}

bool form_field_writable(Req *r, const Entity *e, const Field *f, bool create)
{
    if (f->readonly || f->type == FT_AUTO_NUMBER || f->type == FT_FORMULA || f->type == FT_FILE)
        return false;
    FieldAccess fa = acl_field(&r->c, e, f->name);
    if (fa != FIELD_RW)
        return false;
    (void)create;
    return true;
}

/* ---------- record -> form values ---------- */

static void set_str(json_t *o, const char *k, const char *v)
{
    json_object_set_new(o, k, json_string(v ? v : ""));
}

json_t *form_values_of(Req *r, const Entity *e, json_t *rec, json_t *names)
{
    json_t *vals = json_object();
    Arena *a = &r->arena;
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (f->type == FT_PARENT) {
            const char *tk = arena_printf(a, "%s_type", f->name), *ik = arena_printf(a, "%s_id", f->name);
            const char *type = json_string_value(json_object_get(rec, tk));
            int64_t id = json_integer_value(json_object_get(rec, ik));
            set_str(vals, tk, type);
            set_str(vals, ik, id ? arena_printf(a, "%lld", (long long)id) : "");
            const char *label = type && id ? ui_names_get(names, type, id) : NULL;
            set_str(vals, arena_printf(a, "%s__label", f->name),
                    label ? label : (id ? arena_printf(a, "#%lld", (long long)id) : ""));
            continue;
        }
        json_t *v = json_object_get(rec, f->name);
        if (!v || json_is_null(v))
            continue;
        char tmp[64];
        switch (f->type) {
        case FT_INT:
        case FT_FILE:
            set_str(vals, f->name, arena_printf(a, "%lld", (long long)json_integer_value(v)));
            break;
        case FT_MONEY: {
            Buf b;
            buf_init(&b, a);
            ui_money_input(&b, json_integer_value(v));
            set_str(vals, f->name, b.data);
            break;
        }
        case FT_DECIMAL:
        case FT_PERCENT:
            snprintf(tmp, sizeof tmp, "%.*f", f->scale, json_number_value(v));
            set_str(vals, f->name, tmp);
            break;
        case FT_BOOL:
            set_str(vals, f->name, json_is_true(v) ? "true" : "false");
            break;
        case FT_DATETIME:
            set_str(vals, f->name, ui_datetime_input(r, json_string_value(v)));
            break;
        case FT_MULTI_ENUM:
            json_object_set(vals, f->name, v);
            break;
        case FT_LINK: {
            int64_t id = json_integer_value(v);
            set_str(vals, f->name, arena_printf(a, "%lld", (long long)id));
            const char *label = ui_names_get(names, f->target, id);
            set_str(vals, arena_printf(a, "%s__label", f->name),
                    label ? label : arena_printf(a, "#%lld", (long long)id));
            break;
        }
        case FT_LINK_MULTIPLE: {
            json_t *arr = json_array();
            size_t k;
            json_t *item;
            json_array_foreach(v, k, item)
                json_array_append_new(arr, json_string(arena_printf(a, "%lld", (long long)json_integer_value(item))));
            json_object_set_new(vals, f->name, arr);
            break;
        }
        case FT_ADDRESS:
            for (int k = 0; address_parts[k]; k++)
                set_str(vals, arena_printf(a, "%s.%s", f->name, address_parts[k]),
                        json_string_value(json_object_get(v, address_parts[k])));
            break;
        case FT_JSON: {
            char *s = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY);
            set_str(vals, f->name, s);
            free(s);
            break;
        }
        case FT_FORMULA:
            if (json_is_integer(v))
                set_str(vals, f->name, arena_printf(a, "%lld", (long long)json_integer_value(v)));
            else
                set_str(vals, f->name, json_string_value(v));
            break;
        default:
            set_str(vals, f->name, json_string_value(v));
            break;
        }
    }
    return vals;
}

/* ---------- controls ---------- */

/* The search-as-you-type widget of a link: hidden id, hidden label, text. */
static void link_widget(Req *r, const char *name, const char *target, const char *id, const char *value,
                        const char *label, bool disabled)
{
    Buf *o = &r->out;
    buf_htmlf(
        o,
        "<div class=\"link-search\" data-link-search><input type=\"hidden\" name=\"%s\" value=\"%s\" data-link-value>"
        "<input type=\"hidden\" name=\"%s__label\" value=\"%s\" data-link-label>",
        name, value ? value : "", name, label ? label : "");
    buf_htmlf(o,
              "<input type=\"search\" id=\"%s\" value=\"%s\" autocomplete=\"off\" placeholder=\"%s\" data-link-text "
              "name=\"q\""
              " form=\"no-form\" hx-get=\"/app/%s/options\" hx-trigger=\"input changed delay:200ms, focus\""
              " hx-target=\"next .link-options\" hx-sync=\"this:replace\"%s>",
              id, label ? label : "", T(r, "Type to search…"), target ? target : "customers",
              disabled ? " disabled" : "");
    buf_raw(o, "<div class=\"link-options\" role=\"listbox\"></div></div>");
}

/* Is the string value s among the (string or array) form value v? */
static bool has_value(json_t *v, const char *s)
{
    if (json_is_string(v))
        return !strcmp(json_string_value(v), s);
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) if (json_is_string(item) && !strcmp(json_string_value(item), s)) return true;
    return false;
}

void form_control(Req *r, const Entity *e, const Field *f, json_t *vals, const char *prefix)
{
    Buf *o = &r->out;
    Arena *a = &r->arena;
    const char *id = arena_printf(a, "%sf-%s", prefix, f->name);
    const char *v = form_str(vals, f->name);
    const char *req = f->required ? " required aria-required=\"true\"" : "";
    long long maxlen = (long long)f->max_length;
    (void)e;
    switch (f->type) {
    case FT_TEXT:
        buf_htmlf(o, "<textarea id=\"%s\" name=\"%s\" rows=\"4\" maxlength=\"%lld\"", id, f->name, maxlen);
        buf_raw(o, req);
        buf_htmlf(o, ">%s</textarea>", v ? v : "");
        break;
    case FT_JSON:
        buf_htmlf(o, "<textarea id=\"%s\" name=\"%s\" rows=\"8\" class=\"mono\" spellcheck=\"false\">%s</textarea>", id,
                  f->name, v ? v : "");
        break;
    case FT_INT:
    case FT_DECIMAL:
    case FT_PERCENT:
        buf_htmlf(o, "<input type=\"text\" id=\"%s\" name=\"%s\" value=\"%s\" inputmode=\"%s\"", id, f->name,
                  v ? v : "", f->type == FT_INT ? "numeric" : "decimal");
        buf_raw(o, req);
        buf_raw(o, ">");
        break;
    case FT_MONEY:
        buf_htmlf(
            o,
            "<div class=\"money-input\"><span aria-hidden=\"true\">¥</span><input type=\"text\" id=\"%s\" name=\"%s\""
            " value=\"%s\" inputmode=\"decimal\" placeholder=\"0.00\" aria-describedby=\"%s-unit\"",
            id, f->name, v ? v : "", id);
        buf_raw(o, req);
        buf_htmlf(o, "></div><small class=\"help\" id=\"%s-unit\">%s</small>", id, T(r, "In yuan, up to 2 decimals"));
        break;
    case FT_BOOL:
        buf_htmlf(o,
                  "<input type=\"hidden\" name=\"%s\" value=\"false\"><label class=\"check\"><input type=\"checkbox\" "
                  "id=\"%s\""
                  " name=\"%s\" value=\"true\"%s> %s</label>",
                  f->name, id, f->name, v && !strcmp(v, "true") ? " checked" : "", T(r, "Yes"));
        break;
    case FT_DATE:
    case FT_DATETIME:
    case FT_EMAIL:
    case FT_PHONE:
    case FT_URL:
    case FT_STRING: {
        const char *type = f->type == FT_DATE       ? "date"
                           : f->type == FT_DATETIME ? "datetime-local"
                           : f->type == FT_EMAIL    ? "email"
                           : f->type == FT_PHONE    ? "tel"
                           : f->type == FT_URL      ? "url"
                                                    : "text";
        if (f->type == FT_PHONE && v)
            v = phone_display(&r->arena, v, ui_en(r) ? "ext." : "转"); /* what was typed stays as it was */
        buf_htmlf(o, "<input type=\"%s\" id=\"%s\" name=\"%s\" value=\"%s\"", type, id, f->name, v ? v : "");
        if (f->type == FT_STRING || f->type == FT_EMAIL || f->type == FT_URL || f->type == FT_PHONE)
            buf_printf(o, " maxlength=\"%lld\"", maxlen);
        if (f->type == FT_EMAIL)
            buf_raw(o, " autocomplete=\"email\"");
        if (f->type == FT_PHONE)
            buf_raw(o, " autocomplete=\"tel\"");
        if (!strcmp(f->name, "password"))
            buf_raw(o, " autocomplete=\"new-password\"");
        buf_raw(o, req);
        buf_raw(o, ">");
        break;
    }
    case FT_ENUM:
        buf_htmlf(o, "<select id=\"%s\" name=\"%s\"", id, f->name);
        buf_raw(o, req);
        buf_htmlf(o, "><option value=\"\">%s</option>", T(r, "— choose —"));
        /* in the administrator's order and wording; retired options only
         * for records that hold them (enum_labels.c) */
        EnumLabel *opts;
        int nopts = enum_labels_options(&r->c, f, ui_en(r) ? "en" : "zh", &opts);
        for (int i = 0; i < nopts; i++) {
            bool sel = v && !strcmp(v, opts[i].value);
            if (opts[i].active || sel)
                buf_htmlf(o, "<option value=\"%s\"%s>%s</option>", opts[i].value, sel ? " selected" : "",
                          opts[i].label);
        }
        buf_raw(o, "</select>");
        break;
    case FT_MULTI_ENUM: {
        json_t *cur = json_object_get(vals, f->name);
        buf_htmlf(
            o,
            "<div class=\"checks\" id=\"%s\" role=\"group\"><input type=\"hidden\" name=\"%s__present\" value=\"1\">",
            id, f->name);
        for (int i = 0; i < f->noptions; i++)
            buf_htmlf(o, "<label class=\"check\"><input type=\"checkbox\" name=\"%s\" value=\"%s\"%s> %s</label>",
                      f->name, f->options[i].value, has_value(cur, f->options[i].value) ? " checked" : "",
                      ui_label(r, &f->options[i].label));
        buf_raw(o, "</div>");
        break;
    }
    case FT_LINK:
        link_widget(r, f->name, f->target, id, v, form_str(vals, arena_printf(a, "%s__label", f->name)), false);
        break;
    case FT_LINK_MULTIPLE: {
        /* small target tables (roles …): a multiple select */
        const Entity *t = meta_entity(f->target);
        json_t *cur = json_object_get(vals, f->name);
        buf_htmlf(o,
                  "<input type=\"hidden\" name=\"%s__present\" value=\"1\"><select multiple id=\"%s\" name=\"%s\" "
                  "size=\"5\">",
                  f->name, id, f->name);
        ListQuery lq = {.limit = 200, .sort = "id", .action = ACT_READ};
        json_t *rows = NULL;
        if (t && record_list(&r->c, t, &lq, &rows, NULL) == GX_OK) {
            size_t i;
            json_t *rec;
            json_array_foreach(rows, i, rec)
            {
                const char *rid = arena_printf(a, "%lld", (long long)json_integer_value(json_object_get(rec, "id")));
                buf_htmlf(o, "<option value=\"%s\"%s>%s</option>", rid, has_value(cur, rid) ? " selected" : "",
                          ui_title(r, t, rec));
            }
        }
        ctx_clear(&r->c);
        json_decref(rows);
        buf_raw(o, "</select>");
        break;
    }
    case FT_PARENT: {
        const char *tk = arena_printf(a, "%s_type", f->name);
        const char *type = form_str(vals, tk);
        buf_htmlf(o,
                  "<div class=\"parent-field\"><select name=\"%s\" data-parent-type aria-label=\"%s\"><option "
                  "value=\"\">%s</option>",
                  tk, ui_label(r, &f->label), T(r, "— choose —"));
        int n;
        const Entity *const *all = meta_entities(&n);
        for (int i = 0; i < n; i++) {
            if (!all[i]->title_field || all[i]->system || !ui_entity_visible(r, all[i]) ||
                (all[i]->module && !strcmp(all[i]->module, "home")))
                continue;
            buf_htmlf(o, "<option value=\"%s\"%s>%s</option>", all[i]->name,
                      type && !strcmp(type, all[i]->name) ? " selected" : "", ui_label(r, &all[i]->singular));
        }
        buf_raw(o, "</select>");
        link_widget(r, arena_printf(a, "%s_id", f->name), type && *type ? type : "customers", id,
                    form_str(vals, arena_printf(a, "%s_id", f->name)),
                    form_str(vals, arena_printf(a, "%s__label", f->name)), !type || !*type);
        buf_raw(o, "</div>");
        break;
    }
    case FT_ADDRESS: {
        /* province / city / district: cascading selects over China's
         * divisions (base/divisions.h; app.js refills them on change) */
        buf_htmlf(o, "<div class=\"address-parts\" data-divisions=\"%s\">", ui_asset(r, "vendor/divisions.json"));
        const json_t *tree = divisions_tree();
        const json_t *level = tree;
        for (int i = 0; i < 3; i++) {
            const char *k = arena_printf(a, "%s.%s", f->name, address_parts[i]);
            const char *cur = form_str(vals, k);
            buf_htmlf(o, "<select name=\"%s\" data-division=\"%s\" aria-label=\"%s\"", k, address_parts[i],
                      T(r, address_labels[i]));
            if (i == 0)
                buf_htmlf(o, " id=\"%s\"", id);
            buf_htmlf(o, "><option value=\"\">%s</option>", T(r, address_labels[i]));
            bool found = false;
            const json_t *next = NULL;
            if (json_is_object(level)) {
                const char *name;
                json_t *sub;
                json_object_foreach((json_t *)level, name, sub)
                {
                    bool sel = cur && !strcmp(cur, name);
                    found |= sel;
                    if (sel)
                        next = sub;
                    buf_htmlf(o, "<option%s>%s</option>", sel ? " selected" : "", name);
                }
            } else if (json_is_array(level)) {
                size_t n;
                json_t *item;
                json_array_foreach(level, n, item)
                {
                    const char *name = json_string_value(item);
                    bool sel = cur && name && !strcmp(cur, name);
                    found |= sel;
                    buf_htmlf(o, "<option%s>%s</option>", sel ? " selected" : "", name ? name : "");
                }
            }
            if (cur && *cur && !found) /* a value from before the list: kept as it is */
                buf_htmlf(o, "<option selected>%s</option>", cur);
            buf_raw(o, "</select>");
            level = next;
        }
        for (int i = 3; address_parts[i]; i++) {
            const char *k = arena_printf(a, "%s.%s", f->name, address_parts[i]);
            buf_htmlf(
                o,
                "<input type=\"text\" name=\"%s\" value=\"%s\" placeholder=\"%s\" aria-label=\"%s\" maxlength=\"200\"",
                k, form_str(vals, k) ? form_str(vals, k) : "", T(r, address_labels[i]), T(r, address_labels[i]));
            if (!strcmp(address_parts[i], "street"))
                buf_raw(o, " class=\"street\"");
            buf_raw(o, ">");
        }
        buf_raw(o, "</div>");
        break;
    }
    default: {
        /* auto numbers, formulas, files: shown, not edited */
        buf_htmlf(o, "<div class=\"readonly-value\" id=\"%s\">%s</div>", id, v && *v ? v : "—");
        break;
    }
    }
}

/* ---------- form values -> record JSON ---------- */

bool form_field_input(Req *r, const Field *f, json_t *form, json_t *in, json_t *errors)
{
    Arena *a = &r->arena;
    const char *v = form_str(form, f->name);
    switch (f->type) {
    case FT_PARENT: {
        const char *tk = arena_printf(a, "%s_type", f->name), *ik = arena_printf(a, "%s_id", f->name);
        if (!json_object_get(form, tk))
            return true;
        const char *type = form_str(form, tk), *idv = form_str(form, ik);
        int64_t id;
        if (!type || !*type || !idv || !*idv) {
            json_object_set_new(in, tk, json_null());
            json_object_set_new(in, ik, json_null());
        } else if (!parse_i64(idv, &id) || id <= 0) {
            json_object_set_new(errors, f->name, json_string(T(r, "Choose a record from the list")));
            return false;
        } else {
            json_object_set_new(in, tk, json_string(type));
            json_object_set_new(in, ik, json_integer(id));
        }
        return true;
    }
    case FT_MULTI_ENUM:
    case FT_LINK_MULTIPLE: {
        if (!json_object_get(form, arena_printf(a, "%s__present", f->name)))
            return true;
        json_t *raw = json_object_get(form, f->name);
        json_t *arr = json_array();
        json_t *items = json_is_array(raw) ? raw : NULL;
        if (json_is_string(raw)) {
            items = json_array();
            json_array_append(items, raw);
        }
        size_t i;
        json_t *item;
        json_array_foreach(items, i, item)
        {
            const char *s = json_string_value(item);
            int64_t id;
            if (!s || !*s)
                continue;
            if (f->type == FT_MULTI_ENUM)
                json_array_append_new(arr, json_string(s));
            else if (parse_i64(s, &id))
                json_array_append_new(arr, json_integer(id));
        }
        if (json_is_string(raw))
            json_decref(items);
        json_object_set_new(in, f->name, arr);
        return true;
    }
    case FT_ADDRESS: {
        json_t *addr = json_object();
        bool present = false;
        for (int i = 0; address_parts[i]; i++) {
            const char *k = arena_printf(a, "%s.%s", f->name, address_parts[i]);
            const char *s = form_str(form, k);
            present |= json_object_get(form, k) != NULL;
            if (s && *s)
                json_object_set_new(addr, address_parts[i], json_string(s));
        }
        if (present)
            json_object_set_new(in, f->name, json_object_size(addr) ? json_incref(addr) : json_null());
        json_decref(addr);
        return true;
    }
    default:
        break;
    }
    if (!json_object_get(form, f->name))
        return true;
    if (!v)
        v = "";
    /* trim surrounding spaces of single-line values */
    if (f->type != FT_TEXT && f->type != FT_JSON) {
        while (*v == ' ')
            v++;
        size_t n = strlen(v);
        while (n && v[n - 1] == ' ')
            n--;
        v = arena_strndup(a, v, n);
    }
    if (!*v) {
        if (f->write_only)
            return true; /* an empty password means "unchanged" */
        if (f->type == FT_BOOL)
            json_object_set_new(in, f->name, json_false());
        else
            json_object_set_new(in, f->name, f->required ? json_string("") : json_null());
        return true;
    }
    int64_t n;
    switch (f->type) {
    case FT_INT:
        if (!parse_i64(v, &n)) {
            json_object_set_new(errors, f->name, json_string(T(r, "must be an integer")));
            return false;
        }
        json_object_set_new(in, f->name, json_integer(n));
        return true;
    case FT_MONEY:
        if (!ui_parse_money(v, &n)) {
            json_object_set_new(errors, f->name, json_string(T(r, "must be an amount in yuan, e.g. 1234.50")));
            return false;
        }
        json_object_set_new(in, f->name, json_integer(n));
        return true;
    case FT_BOOL:
        json_object_set_new(in, f->name, json_boolean(!strcmp(v, "true")));
        return true;
    case FT_DATETIME: {
        const char *s = ui_datetime_from_input(r, v);
        if (!s) {
            json_object_set_new(errors, f->name, json_string(T(r, "must be a date and time")));
            return false;
        }
        json_object_set_new(in, f->name, json_string(s));
        return true;
    }
    case FT_LINK:
        if (!parse_i64(v, &n) || n <= 0) {
            json_object_set_new(errors, f->name, json_string(T(r, "Choose a record from the list")));
            return false;
        }
        json_object_set_new(in, f->name, json_integer(n));
        return true;
    case FT_JSON: {
        json_t *j = json_loads(v, JSON_DECODE_ANY, NULL);
        if (!j) {
            json_object_set_new(errors, f->name, json_string(T(r, "must be valid JSON")));
            return false;
        }
        json_object_set_new(in, f->name, j);
        return true;
    }
    default:
        json_object_set_new(in, f->name, json_string(v));
        return true;
    }
}

const char *form_error_field(Req *r, const Entity *e, const char *key)
{
    if (meta_field(e, key))
        return key;
    const char *us = strrchr(key, '_');
    if (us && (!strcmp(us, "_type") || !strcmp(us, "_id"))) {
        const char *base = arena_strndup(&r->arena, key, (size_t)(us - key));
        const Field *pf = meta_field(e, base);
        if (pf && pf->type == FT_PARENT)
            return pf->name;
    }
    return key;
}

/* ---------- the form page ---------- */

typedef struct FormPage {
    const Entity *e;   /* entity */
    json_t *rec;       /* stored record when editing, else NULL */
    json_t *vals;      /* form values shown */
    json_t *errors;    /* {field: message} or NULL */
    const char *alert; /* message above the form (plain text), or NULL */
    bool conflict;     /* the alert is a version conflict: offer a reload */
    json_t *confirm;   /* {field: true} for warnings the user may override ("save anyway"), or NULL */
} FormPage;

/* Is the field wide (a whole row)? */
static bool wide(const Field *f)
{
    return f->type == FT_TEXT || f->type == FT_JSON || f->type == FT_ADDRESS || f->type == FT_MULTI_ENUM ||
           f->type == FT_PARENT;
}

/* Label, control, error of one field. */
static void field_row(Req *r, const FormPage *fp, const Field *f, bool create)
{
    Buf *o = &r->out;
    const char *err = json_string_value(json_object_get(fp->errors, f->name));
    bool writable = form_field_writable(r, fp->e, f, create);
    buf_htmlf(o, "<div class=\"field%s%s\">", wide(f) ? " wide" : "", err ? " has-error" : "");
    buf_htmlf(o, "<label class=\"label\" for=\"f-%s\">%s", f->name, ui_label(r, &f->label));
    if (f->required && writable)
        buf_htmlf(o, " <abbr class=\"req\" title=\"%s\">*</abbr>", T(r, "required"));
    buf_raw(o, "</label><div class=\"control\">");
    if (writable) {
        form_control(r, fp->e, f, fp->vals, "");
        if (err) {
            /* mark the control invalid for assistive technology */
            buf_htmlf(o, "<small class=\"field-error\" id=\"f-%s-error\" role=\"alert\">%s</small>", f->name,
                      ui_engine_msg(r, err));
        }
        if (err && json_object_get(fp->confirm, f->name))
            buf_htmlf(o,
                      "<label class=\"confirm\"><input type=\"checkbox\" name=\"confirm__%s\" value=\"1\"> %s</label>",
                      f->name, T(r, "Save anyway"));
    } else {
        Col c = {f->name, f};
        buf_raw(o, "<div class=\"readonly-value\">");
        if (fp->rec)
            ui_value(r, o, &c, fp->rec, NULL);
        else
            buf_html(o, T(r, "Filled in automatically"));
        buf_raw(o, "</div>");
    }
    buf_raw(o, "</div></div>");
}

static void form_page(Req *r, const FormPage *fp)
{
    const Entity *e = fp->e;
    bool create = fp->rec == NULL;
    long long id = fp->rec ? (long long)json_integer_value(json_object_get(fp->rec, "id")) : 0;
    const char *title = create ? arena_printf(&r->arena, T(r, "New %s"), ui_label(r, &e->singular))
                               : arena_printf(&r->arena, T(r, "Edit %s"), ui_title(r, e, fp->rec));
    Page p = {.title = title, .nav = e->name};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o,
              "<div class=\"page-head\"><div><div class=\"crumbs muted\"><a "
              "href=\"/app/%s\">%s</a></div><h1>%s</h1></div></div>",
              e->name, ui_label(r, &e->label), title);
    if (fp->alert) {
        buf_htmlf(o, "<div class=\"alert %s\" role=\"alert\">%s", fp->conflict ? "warn" : "error", fp->alert);
        if (fp->conflict)
            buf_htmlf(o, " <a href=\"/app/%s/%lld/edit\">%s</a>", e->name, id, T(r, "Reload the latest version"));
        if (json_object_size(fp->errors)) {
            buf_raw(o, "<ul>");
            const char *k;
            json_t *m;
            json_object_foreach(fp->errors, k, m)
            {
                const Field *f = meta_field(e, k);
                Col c;
                const char *label = f ? ui_label(r, &f->label) : ui_col(r, e, k, &c) ? ui_col_label(r, &c) : k;
                buf_htmlf(o, "<li><a href=\"#f-%s\">%s</a>: %s</li>", k, label, ui_engine_msg(r, json_string_value(m)));
            }
            buf_raw(o, "</ul>");
        }
        buf_raw(o, "</div>");
    }
    if (create)
        buf_htmlf(o, "<form method=\"post\" action=\"/app/%s/new\" class=\"record-form\" novalidate>", e->name);
    else
        buf_htmlf(o, "<form method=\"post\" action=\"/app/%s/%lld/edit\" class=\"record-form\" novalidate>", e->name,
                  id);
    ui_csrf_field(r);
    ui_dupes_warning(r, e, id); /* dupes_ui.c */
    if (!create)
        buf_htmlf(o, "<input type=\"hidden\" name=\"version\" value=\"%s\">",
                  form_str(fp->vals, "version") ? form_str(fp->vals, "version") : "");
    /* panels in order of first appearance; fields without one go to "Details" */
    const char *panels[16];
    int np = 0;
    for (int i = 0; i < e->nfields && np < 16; i++) {
        const char *pn = e->fields[i].panel ? e->fields[i].panel : "";
        bool seen = false;
        for (int k = 0; k < np; k++)
            seen |= !strcmp(panels[k], pn);
        if (!seen)
            panels[np++] = pn;
    }
    for (int k = 0; k < np; k++) {
        buf_htmlf(o, "<section class=\"card form-panel\"><h2>%s</h2><div class=\"form-fields\">",
                  *panels[k] ? T(r, panels[k]) : T(r, "Details"));
        for (int i = 0; i < e->nfields; i++) {
            const Field *f = &e->fields[i];
            if (strcmp(f->panel ? f->panel : "", panels[k]) || acl_field(&r->c, e, f->name) == FIELD_HIDDEN)
                continue;
            if (f->write_only && !form_field_writable(r, e, f, create))
                continue;
            if (create && (f->type == FT_FORMULA || f->readonly) && f->type != FT_AUTO_NUMBER)
                continue;
            if (ui_sales_lines_field(e, f)) /* the line editor (sales_docs.c) */
                ui_sales_lines_editor(r, e, fp->rec, fp->vals, fp->errors);
            else
                field_row(r, fp, f, create);
        }
        if (k == 0 && create && e->owned && acl_scope(&r->c, e, ACT_ASSIGN) != SCOPE_NONE) {
            const char *err = json_string_value(json_object_get(fp->errors, "owner_id"));
            buf_htmlf(
                o, "<div class=\"field%s\"><label class=\"label\" for=\"f-owner_id\">%s</label><div class=\"control\">",
                err ? " has-error" : "", T(r, "Owner"));
            link_widget(r, "owner_id", "users", "f-owner_id", form_str(fp->vals, "owner_id"),
                        form_str(fp->vals, "owner_id__label"), false);
            if (err)
                buf_htmlf(o, "<small class=\"field-error\" role=\"alert\">%s</small>", ui_engine_msg(r, err));
            buf_raw(o, "</div></div>");
        }
        buf_raw(o, "</div></section>");
    }
    buf_htmlf(o, "<div class=\"form-actions form-bar\"><button class=\"btn primary\" type=\"submit\">%s</button>",
              T(r, "Save"));
    if (create)
        buf_htmlf(o, "<a class=\"btn\" href=\"/app/%s\">%s</a>", e->name, T(r, "Cancel"));
    else
        buf_htmlf(o, "<a class=\"btn\" href=\"/app/%s/%lld\">%s</a>", e->name, id, T(r, "Cancel"));
    buf_raw(o, "</div></form>");
    ui_end(r, &p);
}

/* Convert the whole submitted form; returns the record input (new reference). */
static json_t *form_input(Req *r, const Entity *e, json_t *form, bool create, json_t *errors)
{
    json_t *in = json_object();
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (ui_sales_lines_field(e, f))
            ui_sales_lines_input(r, form, in, errors); /* the line editor's rows (sales_docs.c) */
        else if (form_field_writable(r, e, f, create))
            form_field_input(r, f, form, in, errors);
        /* "save anyway" for a warning (422 needs_confirmation) */
        const char *conf = form_str(form, arena_printf(&r->arena, "confirm__%s", f->name));
        if (conf && !strcmp(conf, "1")) {
            if (!json_object_get(in, "confirm"))
                json_object_set_new(in, "confirm", json_array());
            json_array_append_new(json_object_get(in, "confirm"), json_string(f->name));
        }
    }
    const char *owner = form_str(form, "owner_id");
    int64_t oid;
    if (create && e->owned && owner && *owner) {
        if (parse_i64(owner, &oid) && oid > 0)
            json_object_set_new(in, "owner_id", json_integer(oid));
        else
            json_object_set_new(errors, "owner_id", json_string(T(r, "Choose a record from the list")));
    }
    return in;
}

/* Copy the engine's field errors (mapped to form fields) into errors. */
static void engine_errors(Req *r, const Entity *e, json_t *errors)
{
    const char *k;
    json_t *m;
    json_object_foreach(r->c.err_fields, k, m) json_object_set(errors, form_error_field(r, e, k), m);
}

/* Render the form again after a failed save, keeping the input. */
static void form_failed(Req *r, const Entity *e, json_t *rec, json_t *form, json_t *errors)
{
    FormPage fp = {.e = e, .rec = rec, .vals = form, .errors = errors};
    if (r->c.err == GX_ECONFLICT && !json_object_size(errors)) {
        fp.alert = T(r, "Someone else changed this record while you were editing. Your input is kept below; reload to "
                        "see their change, then save again.");
        fp.conflict = true;
        r->status = 409;
    } else if (r->c.err == GX_EDENIED) {
        fp.alert = ui_engine_msg(r, r->c.err_msg);
        r->status = 403;
    } else if (r->c.err_code && !strcmp(r->c.err_code, "needs_confirmation")) {
        fp.alert = T(r, "Please check the marked values. Correct them, or tick “Save anyway” to keep them.");
        fp.confirm = json_object();
        const char *k;
        json_t *m;
        json_object_foreach(r->c.err_fields, k, m)
            json_object_set_new(fp.confirm, form_error_field(r, e, k), json_true());
        r->status = 422;
    } else {
        fp.alert = T(r, "Please correct the marked fields.");
        r->status = json_object_size(errors) && r->c.err != GX_ECONFLICT
                        ? 422
                        : gx_http_status(r->c.err ? r->c.err : GX_EINVALID);
    }
    ctx_clear(&r->c);
    form_page(r, &fp);
    json_decref(fp.confirm);
}

void ui_form_new(Req *r)
{
    const Entity *e = ui_entity(r);
    if (!e)
        return;
    if (acl_scope(&r->c, e, ACT_CREATE) == SCOPE_NONE) {
        ctx_fail(&r->c, GX_EDENIED, "You may not create %s", e->name);
        return ui_fail(r);
    }
    /* defaults from metadata, then prefill from the query (?customer_id=12) */
    json_t *rec = json_object();
    json_t *names = ui_names_new();
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (f->dflt)
            json_object_set(rec, f->name, f->dflt);
        const char *q = http_query(r, f->name);
        int64_t n;
        if (!q)
            continue;
        if ((f->type == FT_LINK || f->type == FT_INT || f->type == FT_MONEY) && parse_i64(q, &n)) {
            json_object_set_new(rec, f->name, json_integer(n));
            if (f->type == FT_LINK)
                ui_names_want(names, f->target, n);
        } else if (f->type != FT_LINK && f->type != FT_INT && f->type != FT_MONEY) {
            json_object_set_new(rec, f->name, json_string(q));
        }
    }
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (f->type != FT_PARENT)
            continue;
        const char *tk = arena_printf(&r->arena, "%s_type", f->name), *ik = arena_printf(&r->arena, "%s_id", f->name);
        int64_t n;
        if (http_query(r, tk) && meta_entity(http_query(r, tk)) && parse_i64(http_query(r, ik), &n)) {
            json_object_set_new(rec, tk, json_string(http_query(r, tk)));
            json_object_set_new(rec, ik, json_integer(n));
            ui_names_want(names, http_query(r, tk), n);
        }
    }
    ui_names_resolve(r, names);
    json_t *vals = form_values_of(r, e, rec, names);
    if (e->owned && r->c.who) {
        json_object_set_new(vals, "owner_id", json_sprintf("%lld", (long long)r->c.who->user_id));
        json_object_set_new(vals, "owner_id__label", json_string(r->c.who->name ? r->c.who->name : ""));
    }
    FormPage fp = {.e = e, .vals = vals};
    form_page(r, &fp);
    json_decref(vals);
    json_decref(names);
    json_decref(rec);
}

void ui_form_create(Req *r)
{
    const Entity *e = ui_entity(r);
    if (!e)
        return;
    json_t *form = http_form(r);
    if (!form) {
        ctx_fail(&r->c, GX_EBADREQ, "Malformed form");
        return ui_fail(r);
    }
    json_t *errors = json_object();
    json_t *in = form_input(r, e, form, true, errors);
    json_t *out = NULL;
    if (json_object_size(errors)) {
        ctx_fail(&r->c, GX_EINVALID, "Please correct the marked fields");
        form_failed(r, e, NULL, form, errors);
    } else if (record_create(&r->c, e, in, &out)) {
        if (r->c.err == GX_EINVALID || r->c.err == GX_ECONFLICT || r->c.err == GX_EDENIED) {
            engine_errors(r, e, errors);
            form_failed(r, e, NULL, form, errors);
        } else {
            ui_fail(r);
        }
    } else {
        ui_flash(r, "created");
        ui_redirect(r, arena_printf(&r->arena, "/app/%s/%lld", e->name,
                                    (long long)json_integer_value(json_object_get(out, "id"))));
    }
    json_decref(out);
    json_decref(in);
    json_decref(errors);
    json_decref(form);
}

/* Load {id} of e for editing, with the link names its form needs. */
static json_t *load_for_edit(Req *r, const Entity *e, int64_t *id, json_t **names)
{
    if (!ui_id(r, id))
        return NULL;
    json_t *rec = NULL;
    if (record_get(&r->c, e, *id, &rec)) {
        ui_fail(r);
        return NULL;
    }
    if (!acl_row_in_scope(&r->c, e, ACT_EDIT, json_integer_value(json_object_get(rec, "owner_id")),
                          json_integer_value(json_object_get(rec, "department_id")))) {
        json_decref(rec);
        ctx_fail(&r->c, GX_EDENIED, "You may not change this record");
        ui_fail(r);
        return NULL;
    }
    *names = ui_names_new();
    Col cols[64];
    int nc = 0;
    for (int i = 0; i < e->nfields && nc < 64; i++)
        cols[nc++] = (Col){e->fields[i].name, &e->fields[i]};
    json_t *one = json_array();
    json_array_append(one, rec);
    ui_names_want_rows(*names, e, cols, nc, one);
    json_decref(one);
    ui_names_resolve(r, *names);
    return rec;
}

void ui_form_edit(Req *r)
{
    const Entity *e = ui_entity(r);
    if (!e)
        return;
    int64_t id;
    json_t *names = NULL;
    json_t *rec = load_for_edit(r, e, &id, &names);
    if (!rec)
        return;
    json_t *vals = form_values_of(r, e, rec, names);
    json_object_set_new(vals, "version",
                        json_sprintf("%lld", (long long)json_integer_value(json_object_get(rec, "version"))));
    FormPage fp = {.e = e, .rec = rec, .vals = vals};
    form_page(r, &fp);
    json_decref(vals);
    json_decref(names);
    json_decref(rec);
}

void ui_form_update(Req *r)
{
    const Entity *e = ui_entity(r);
    if (!e)
        return;
    int64_t id;
    json_t *names = NULL;
    json_t *rec = load_for_edit(r, e, &id, &names);
    if (!rec)
        return;
    json_decref(names);
    json_t *form = http_form(r);
    if (!form) {
        json_decref(rec);
        ctx_fail(&r->c, GX_EBADREQ, "Malformed form");
        return ui_fail(r);
    }
    json_t *errors = json_object();
    json_t *in = form_input(r, e, form, false, errors);
    int64_t version;
    if (parse_i64(form_str(form, "version"), &version))
        json_object_set_new(in, "version", json_integer(version));
    json_t *out = NULL;
    if (json_object_size(errors)) {
        ctx_fail(&r->c, GX_EINVALID, "Please correct the marked fields");
        form_failed(r, e, rec, form, errors);
    } else if (record_update(&r->c, e, id, in, &out)) {
        if (r->c.err == GX_EINVALID || r->c.err == GX_ECONFLICT || r->c.err == GX_EDENIED) {
            engine_errors(r, e, errors);
            form_failed(r, e, rec, form, errors);
        } else {
            ui_fail(r);
        }
    } else {
        ui_flash(r, "saved");
        ui_redirect(r, arena_printf(&r->arena, "/app/%s/%lld", e->name, (long long)id));
    }
    json_decref(out);
    json_decref(in);
    json_decref(errors);
    json_decref(form);
    json_decref(rec);
}

/* ---------- link search ---------- */

/* GET /app/{entity}/options?q= — up to 10 matching records as options. */
void ui_link_options(Req *r)
{
    const Entity *e = ui_entity(r);
    if (!e)
        return;
    ui_html_headers(r);
    const char *q = http_query(r, "q");
    if (q)
        while (*q == ' ')
            q++;
    ListQuery lq = {.sort = "-updated_at", .limit = 10, .action = ACT_READ};
    json_t *where = NULL;
    if (!ui_search_plan(e, q, &lq, &where)) {
        if (e->title_field && !ui_search_short(q))
            where = json_pack("{s:s, s:s, s:s}", "field", e->title_field, "op", "like", "value", q);
        else {
            buf_htmlf(&r->out, "<div class=\"none\">%s</div>", T(r, "Type at least three characters"));
            return;
        }
    }
    lq.where = where;
    if (e->system)
        lq.sort = "id";
    json_t *rows = NULL;
    if (record_list(&r->c, e, &lq, &rows, NULL)) {
        json_decref(where);
        ctx_clear(&r->c);
        return;
    }
    json_decref(where);
    Buf *o = &r->out;
    size_t i;
    json_t *rec;
    json_array_foreach(rows, i, rec)
    {
        const char *title = ui_title(r, e, rec);
        buf_htmlf(o, "<button type=\"button\" role=\"option\" data-option data-id=\"%lld\" data-label=\"%s\">%s",
                  (long long)json_integer_value(json_object_get(rec, "id")), title, title);
        for (int k = 0; k < e->nfields; k++) {
            const Field *f = &e->fields[k];
            if (!f->list || (e->title_field && !strcmp(f->name, e->title_field)) ||
                acl_field(&r->c, e, f->name) == FIELD_HIDDEN ||
                (f->type != FT_STRING && f->type != FT_PHONE && f->type != FT_AUTO_NUMBER))
                continue;
            const char *s = json_string_value(json_object_get(rec, f->name));
            if (s && *s) {
                buf_htmlf(o, "<small>%s</small>", s);
                break;
            }
        }
        buf_raw(o, "</button>");
    }
    if (!json_array_size(rows))
        buf_htmlf(o, "<div class=\"none\">%s</div>", T(r, "Nothing found"));
    if (acl_scope(&r->c, e, ACT_CREATE) != SCOPE_NONE && !e->system)
        buf_htmlf(o, "<a class=\"new-link\" href=\"/app/%s/new\" target=\"_blank\" rel=\"noopener\">%s</a>", e->name,
                  arena_printf(&r->arena, T(r, "+ New %s"), ui_label(r, &e->singular)));
    json_decref(rows);
}
