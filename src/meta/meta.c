/* meta.c — load and look up entity metadata (see meta.h). */
#include "meta.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/embedded.h"
#include "../base/util.h"

static Entity **entities;   /* sorted by name */
static int nentities;
static int max_since;
static json_t *sources;     /* the parsed files, kept alive: strings point into them */

static const char *type_names[FT__COUNT] = {
    [FT_STRING] = "string", [FT_TEXT] = "text", [FT_INT] = "int", [FT_DECIMAL] = "decimal",
    [FT_MONEY] = "money", [FT_PERCENT] = "percent", [FT_BOOL] = "bool", [FT_DATE] = "date",
    [FT_DATETIME] = "datetime", [FT_ENUM] = "enum", [FT_MULTI_ENUM] = "multi_enum",
    [FT_LINK] = "link", [FT_LINK_MULTIPLE] = "link_multiple", [FT_PARENT] = "parent",
    [FT_EMAIL] = "email", [FT_PHONE] = "phone", [FT_URL] = "url", [FT_ADDRESS] = "address",
    [FT_FILE] = "file", [FT_AUTO_NUMBER] = "auto_number", [FT_FORMULA] = "formula", [FT_JSON] = "json",
};

const char *meta_type_name(FieldType t) { return t < FT__COUNT ? type_names[t] : "?"; }

const char *meta_label(const Label *l, const char *lang)
{
    if (lang && !strcmp(lang, "en"))
        return l->en ? l->en : l->zh;
    return l->zh ? l->zh : l->en;
}

static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
static bool flag(json_t *o, const char *k, bool dflt)
{
    json_t *v = json_object_get(o, k);
    return v ? json_is_true(v) : dflt;
}

static Label label_of(json_t *o, const char *k, const char *fallback)
{
    json_t *l = json_object_get(o, k);
    Label r = {fallback, fallback};
    if (json_is_string(l)) {
        r.zh = r.en = json_string_value(l);
    } else if (json_is_object(l)) {
        r.zh = str(l, "zh");
        r.en = str(l, "en");
        if (!r.zh)
            r.zh = r.en ? r.en : fallback;
        if (!r.en)
            r.en = r.zh;
    }
    return r;
}

static FieldType type_of(const char *entity, const char *field, const char *t)
{
    for (int i = 0; i < FT__COUNT; i++)
        if (t && !strcmp(type_names[i], t))
            return (FieldType)i;
    gx_die("schema %s.%s: unknown type '%s'", entity, field, t ? t : "(none)");
}

static void load_field(Entity *e, Field *f, json_t *jf, int entity_since)
{
    f->name = str(jf, "name");
    if (!ident_ok(f->name))
        gx_die("schema %s: bad field name", e->name);
    f->type = type_of(e->name, f->name, str(jf, "type"));
    f->label = label_of(jf, "label", f->name);
    f->help = str(jf, "help");
    json_t *since = json_object_get(jf, "since");
    f->since = since ? (int)json_integer_value(since) : entity_since;
    f->rename_from = str(jf, "rename_from");
    if (f->rename_from && (!ident_ok(f->rename_from) || f->since <= entity_since))
        gx_die("schema %s.%s: rename_from needs a valid old name and a \"since\" later than the entity's", e->name,
               f->name);
    f->required = flag(jf, "required", false);
    f->unique = flag(jf, "unique", false);
    f->readonly = flag(jf, "readonly", f->type == FT_FORMULA || f->type == FT_AUTO_NUMBER);
    f->write_only = flag(jf, "write_only", false);
    f->hidden = flag(jf, "hidden", false);
    f->replaced_by = str(jf, "replaced_by");
    f->key = flag(jf, "key", false);
    f->search = flag(jf, "search", false);
    f->sortable = flag(jf, "sortable", f->type != FT_TEXT && f->type != FT_JSON && f->type != FT_ADDRESS &&
                                           f->type != FT_LINK_MULTIPLE && f->type != FT_MULTI_ENUM &&
                                           f->type != FT_PARENT && !f->write_only);
    f->filterable = flag(jf, "filterable", f->type != FT_JSON && !f->write_only);
    f->indexed = flag(jf, "index", f->type == FT_LINK);
    f->list = flag(jf, "list", false);
    f->board = flag(jf, "board", false);
    json_t *ask = json_object_get(jf, "board_ask");
    f->board_ask = str(ask, "field");
    f->board_when = json_object_get(ask, "when");
    f->calendar = flag(jf, "calendar", false);
    json_t *v;
    if ((v = json_object_get(jf, "min"))) {
        f->has_min = true;
        f->min = json_integer_value(v);
    }
    if ((v = json_object_get(jf, "max"))) {
        f->has_max = true;
        f->max = json_integer_value(v);
    }
    f->max_length = json_integer_value(json_object_get(jf, "max_length"));
    if (!f->max_length) {
        switch (f->type) {
        case FT_STRING: f->max_length = 200; break;
        case FT_TEXT: f->max_length = 20000; break;
        case FT_EMAIL: f->max_length = 254; break;
        case FT_PHONE: f->max_length = 32; break;
        case FT_URL: f->max_length = 2000; break;
        default: f->max_length = 2000; break;
        }
    }
    v = json_object_get(jf, "scale");
    f->scale = v ? (int)json_integer_value(v) : 2;
    if (f->scale < 0 || f->scale > 6)
        gx_die("schema %s.%s: scale must be 0..6", e->name, f->name);
    f->target = str(jf, "target");
    if ((f->type == FT_LINK || f->type == FT_LINK_MULTIPLE) && !f->target)
        gx_die("schema %s.%s: link without target", e->name, f->name);
    f->pattern = str(jf, "pattern");
    if (f->type == FT_AUTO_NUMBER && !f->pattern)
        gx_die("schema %s.%s: auto_number without pattern", e->name, f->name);
    f->formula = str(jf, "formula");
    if (f->type == FT_FORMULA && !f->formula)
        gx_die("schema %s.%s: formula without expression", e->name, f->name);
    f->dict = str(jf, "dict");
    f->panel = str(jf, "panel");
    f->dflt = json_object_get(jf, "default");
    json_t *opts = json_object_get(jf, "options");
    if (json_is_array(opts)) {
        f->noptions = (int)json_array_size(opts);
        f->options = xcalloc((size_t)f->noptions, sizeof *f->options);
        for (int i = 0; i < f->noptions; i++) {
            json_t *o = json_array_get(opts, (size_t)i);
            EnumOption *eo = &f->options[i];
            if (json_is_string(o)) {
                eo->value = json_string_value(o);
                eo->label = (Label){eo->value, eo->value};
            } else {
                eo->value = str(o, "value");
                eo->label = label_of(o, "label", eo->value);
                eo->number = json_integer_value(json_object_get(o, "number"));
            }
            if (!eo->value)
                gx_die("schema %s.%s: option without value", e->name, f->name);
        }
    }
    if ((f->type == FT_ENUM || f->type == FT_MULTI_ENUM) && !f->noptions && !f->dict)
        gx_die("schema %s.%s: enum without options", e->name, f->name);
    if (f->since > max_since)
        max_since = f->since;
}

static int cmp_entity(const void *a, const void *b)
{
    return strcmp((*(Entity *const *)a)->name, (*(Entity *const *)b)->name);
}

static void load_entity(json_t *j, const char *path)
{
    Entity *e = xcalloc(1, sizeof *e);
    e->name = str(j, "name");
    if (!ident_ok(e->name))
        gx_die("%s: missing or bad entity name", path);
    e->table = str(j, "table") ? str(j, "table") : e->name;
    e->label = label_of(j, "label", e->name);
    e->singular = label_of(j, "singular", meta_label(&e->label, "en"));
    e->module = str(j, "module");
    e->title_field = str(j, "title_field");
    json_t *since = json_object_get(j, "since");
    e->since = since ? (int)json_integer_value(since) : 1;
    if (e->since > max_since)
        max_since = e->since;
    e->owned = flag(j, "owned", true);
    e->audited = flag(j, "audited", true);
    e->system = flag(j, "system", false);
    e->transferable = flag(j, "transferable", e->owned);
    e->acl_source = flag(j, "acl_source", false);
    json_t *fields = json_object_get(j, "fields");
    e->nfields = (int)json_array_size(fields);
    e->fields = xcalloc((size_t)e->nfields, sizeof *e->fields);
    for (int i = 0; i < e->nfields; i++) {
        load_field(e, &e->fields[i], json_array_get(fields, (size_t)i), e->since);
        if (e->fields[i].search)
            e->has_search = true;
        if (e->fields[i].hidden)
            e->has_hidden = true;
        FieldType ct;
        /* An entity without owners may declare department_id as an ordinary
         * field (a user's department); other common columns are reserved. */
        if (meta_common_column(e->fields[i].name, &ct) &&
            !(e->owned == false && !strcmp(e->fields[i].name, "department_id")))
            gx_die("%s: field %s clashes with a common column", path, e->fields[i].name);
        for (int k = 0; k < i; k++)
            if (!strcmp(e->fields[k].name, e->fields[i].name))
                gx_die("%s: duplicate field %s", path, e->fields[i].name);
    }
    for (int i = 0; i < e->nfields; i++) {
        Field *f = &e->fields[i];
        size_t n = strlen(f->name) + 4;
        char *k = xmalloc(n + 1);
        snprintf(k, n + 1, ",\"%s\":", f->name);
        f->json_key = k;
        f->json_key_len = n;
    }
    /* meta_field is on every request's path (field rules, presenting a
     * record): a hash table instead of a scan of sixty names. */
    unsigned size = 8;
    while (size < 2u * (unsigned)e->nfields)
        size <<= 1;
    e->field_mask = size - 1;
    e->field_slots = xcalloc(size, sizeof *e->field_slots);
    for (int i = 0; i < e->nfields; i++) {
        unsigned h = (unsigned)str_hash(e->fields[i].name) & e->field_mask;
        while (e->field_slots[h])
            h = (h + 1) & e->field_mask;
        e->field_slots[h] = i + 1;
    }
    if (e->title_field && !meta_field(e, e->title_field))
        gx_die("%s: title_field %s is not a field", path, e->title_field);
    json_t *idx = json_object_get(j, "indexes");
    e->nindexes = (int)json_array_size(idx);
    e->indexes = xcalloc((size_t)e->nindexes + 1, sizeof *e->indexes);
    for (int i = 0; i < e->nindexes; i++) {
        json_t *cols = json_array_get(idx, (size_t)i);
        size_t nc = json_array_size(cols);
        const char **list = xcalloc(nc + 1, sizeof *list);
        for (size_t k = 0; k < nc; k++)
            list[k] = json_string_value(json_array_get(cols, k));
        e->indexes[i] = list;
    }
    entities = xrealloc(entities, sizeof *entities * (size_t)(nentities + 1));
    entities[nentities++] = e;
}

/* Links must point at known entities. */
static void load_finish(void)
{
    qsort(entities, (size_t)nentities, sizeof *entities, cmp_entity);
    for (int i = 0; i < nentities; i++)
        for (int k = 0; k < entities[i]->nfields; k++) {
            const Field *f = &entities[i]->fields[k];
            if (f->target && !meta_entity(f->target))
                gx_die("schema %s.%s: unknown link target %s", entities[i]->name, f->name, f->target);
        }
}

static void load_text(const char *data, size_t len, const char *path)
{
    json_error_t jerr;
    json_t *j = json_loadb(data, len, 0, &jerr);
    if (!j)
        gx_die("%s:%d: %s", path, jerr.line, jerr.text);
    json_array_append_new(sources, j);
    load_entity(j, path);
}

void meta_load(void)
{
    if (entities)
        return;
    sources = json_array();
    for (const EmbeddedFile *f = embedded_files; f->path; f++) {
        if (strncmp(f->path, "schema/", 7) || !strstr(f->path, ".json"))
            continue;
        load_text((const char *)f->data, f->len, f->path);
    }
    load_finish();
    meta_check_released((const Entity *const *)entities, nentities);
}

void meta_load_texts(const char *const *texts)
{
    if (entities)
        meta_free();
    sources = json_array();
    for (int i = 0; texts[i]; i++)
        load_text(texts[i], strlen(texts[i]), "(test schema)");
    load_finish();
}

void meta_free(void)
{
    for (int i = 0; i < nentities; i++) {
        Entity *e = entities[i];
        for (int k = 0; k < e->nfields; k++) {
            free(e->fields[k].options);
            free((void *)e->fields[k].json_key);
        }
        for (int k = 0; k < e->nindexes; k++)
            free((void *)e->indexes[k]);
        free(e->indexes);
        free(e->fields);
        free(e->field_slots);
        free(e->select_cols);
        free(e);
    }
    free(entities);
    entities = NULL;
    nentities = 0;
    json_decref(sources);
    sources = NULL;
    max_since = 0;
}

const Entity *meta_entity(const char *name)
{
    if (!name)
        return NULL;
    int lo = 0, hi = nentities - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(entities[mid]->name, name);
        if (!c)
            return entities[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

const Entity *const *meta_entities(int *n)
{
    *n = nentities;
    return (const Entity *const *)entities;
}

const Field *meta_field(const Entity *e, const char *name)
{
    if (!name)
        return NULL;
    for (unsigned h = (unsigned)str_hash(name) & e->field_mask; e->field_slots[h]; h = (h + 1) & e->field_mask) {
        const Field *f = &e->fields[e->field_slots[h] - 1];
        if (!strcmp(f->name, name))
            return f;
    }
    return NULL;
}

bool meta_common_column(const char *name, FieldType *type)
{
    static const struct {
        const char *name;
        FieldType type;
    } cols[] = {
        {"id", FT_INT},           {"owner_id", FT_LINK},   {"department_id", FT_LINK},
        {"created_at", FT_DATETIME}, {"created_by", FT_LINK}, {"updated_at", FT_DATETIME},
        {"updated_by", FT_LINK},  {"version", FT_INT},     {"deleted_at", FT_DATETIME},
    };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        if (!strcmp(cols[i].name, name)) {
            if (type)
                *type = cols[i].type;
            return true;
        }
    return false;
}

const EnumOption *meta_option(const Field *f, const char *value)
{
    for (int i = 0; i < f->noptions; i++)
        if (!strcmp(f->options[i].value, value))
            return &f->options[i];
    return NULL;
}

int meta_max_since(void) { return max_since; }
