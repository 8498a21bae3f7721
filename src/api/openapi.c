/* openapi.c — the OpenAPI 3.1 description of the JSON API, generated from
 * metadata on every call (GET /api/v1/openapi.json).
 *
 * It describes what the handlers do: the route table in records.c with
 * {entity} expanded to one set of paths per entity, the endpoints of
 * auth_api.c, meta_api.c, export.c and work_api.c, authentication and CSRF as
 * app.c checks them, and the filters of filter.c. Per entity there are
 * component schemas for the record (what GET returns), the create and update
 * bodies, the list response and the filter tree of POST …/query, and one
 * query parameter per filterable field ("name=value"; the field[op] forms
 * are described once), shared by list, trash and export through $ref.
 * Routes of the table this file does not know get a stub marked
 * x-undocumented (cover_routes), which tests/openapi_lint.sh rejects.
 *
 * Everything is built with jansson; scratch text lives in an arena freed
 * before returning, and the caller owns the returned document. Nothing is
 * cached: building takes about 2 ms for ten entities. */
#include <stdio.h>
#include <string.h>

#include "../auth/auth.h"
#include "../modules/attachments.h"
#include "../modules/membership.h"
#include "api.h"

/* State of one document being built. */
typedef struct Doc {
    Arena arena;             /* scratch text (descriptions, names); jansson copies it */
    json_t *root;            /* the document */
    json_t *paths;           /* root.paths */
    json_t *schemas;         /* root.components.schemas */
    json_t *params;          /* root.components.parameters */
    json_t *ops;             /* the filter operator names, shared by the schemas that list them */
    const char *filter_help; /* the query-string filter syntax, for list descriptions */
    int stubs;               /* operations cover_routes had to add */
} Doc;

/* Who may call an operation, which decides its `security`. */
typedef enum Access {
    ACCESS_PUBLIC, /* no login (security: []) */
    ACCESS_READ,   /* bearer token or session cookie (the document default) */
    ACCESS_WRITE,  /* bearer token, or session cookie plus X-CSRF-Token */
} Access;

/* Filter operators of filter.c, in its order; eq is also the bare
 * "field=value" form. */
static const struct {
    const char *name; /* as written in field[op] */
    const char *what; /* meaning, for the description */
} filter_ops[] = {
    {"eq", "equals"},
    {"ne", "differs from"},
    {"lt", "is less than"},
    {"le", "is at most"},
    {"gt", "is greater than"},
    {"ge", "is at least"},
    {"like", "contains the text (case-insensitive substring; % and _ match literally)"},
    {"in", "is one of the comma-separated values (1 to 500)"},
    {"null", "is empty (true) or not empty (false)"},
};
#define NFILTER_OPS (sizeof filter_ops / sizeof filter_ops[0])

/* Query parameters the list endpoints read themselves; a field with one of
 * these names cannot be filtered with the bare form. */
static bool reserved_param(const char *name)
{
    static const char *names[] = {"limit", "offset", "sort", "q", "filter", "fields", "format", "_"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i], name))
            return true;
    return false;
}

/* ---------- small builders ---------- */

/* {"$ref": "#/components/<kind>/<name>"} (new reference). */
static json_t *ref(Doc *d, const char *kind, const char *name)
{
    return json_pack("{s:s}", "$ref", arena_printf(&d->arena, "#/components/%s/%s", kind, name));
}

static json_t *schema_ref(Doc *d, const char *name)
{
    return ref(d, "schemas", name);
}

/* Let schema s also accept null: "type" becomes [type, "null"] (and null joins
 * an enum); a $ref or a typeless schema is wrapped in anyOf. Takes s, returns
 * the result (new reference). */
static json_t *nullable(json_t *s)
{
    json_t *t = json_object_get(s, "type");
    if (json_is_string(t)) {
        json_object_set_new(s, "type", json_pack("[s, s]", json_string_value(t), "null"));
    } else if (json_is_array(t)) {
        json_array_append_new(t, json_string("null"));
    } else {
        return json_pack("{s:[o, {s:s}]}", "anyOf", s, "type", "null");
    }
    json_t *en = json_object_get(s, "enum");
    if (en)
        json_array_append_new(en, json_null());
    return s;
}

/* {"zh": …, "en": …} */
static json_t *labels_json(const Label *l)
{
    return json_pack("{s:s, s:s}", "zh", l->zh, "en", l->en);
}

/* "客户名称 (Name)" or just one of them when both are the same. */
static const char *label_text(Doc *d, const Label *l)
{
    if (!strcmp(l->zh, l->en))
        return l->zh;
    return arena_printf(&d->arena, "%s (%s)", l->zh, l->en);
}

/* A JSON response with the given schema (taken). */
static json_t *json_response(const char *description, json_t *schema)
{
    return json_pack("{s:s, s:{s:{s:o}}}", "description", description, "content", "application/json", "schema", schema);
}

/* A request body with the given schema (taken). */
static json_t *json_body(const char *description, json_t *schema)
{
    return json_pack("{s:s, s:b, s:{s:{s:o}}}", "description", description, "required", 1, "content",
                     "application/json", "schema", schema);
}

/* A new operation object. `errors` lists the error statuses it can answer
 * with, space-separated ("400 404"); 401 is added for non-public operations,
 * 405 and 500 for all, 413 when the operation has a request body. */
static json_t *operation(Doc *d, const char *tag, const char *id, const char *summary, const char *description,
                         Access access, const char *errors, bool has_body)
{
    static const struct {
        const char *status; /* HTTP status */
        const char *name;   /* component in #/components/responses */
    } errs[] = {
        {"400", "BadRequest"},       {"401", "Unauthorized"},  {"403", "Forbidden"},       {"404", "NotFound"},
        {"405", "MethodNotAllowed"}, {"409", "Conflict"},      {"413", "PayloadTooLarge"}, {"422", "ValidationFailed"},
        {"429", "TooManyRequests"},  {"500", "InternalError"},
    };
    json_t *op = json_pack("{s:[s], s:s, s:s, s:s, s:{}}", "tags", tag, "operationId", id, "summary", summary,
                           "description", description, "responses");
    if (access == ACCESS_PUBLIC)
        json_object_set_new(op, "security", json_array());
    else if (access == ACCESS_WRITE)
        json_object_set_new(op, "security",
                            json_pack("[{s:[]}, {s:[], s:[]}]", "bearerAuth", "cookieAuth", "csrfToken"));
    const char *all = arena_printf(&d->arena, "%s%s 405 500%s", errors, access == ACCESS_PUBLIC ? "" : " 401",
                                   has_body ? " 413" : "");
    json_t *responses = json_object_get(op, "responses");
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
        if (strstr(all, errs[i].status))
            json_object_set_new(responses, errs[i].status, ref(d, "responses", errs[i].name));
    return op;
}

/* Attach op under method at path (the path item is created on first use). */
static void add_op(Doc *d, const char *path, const char *method, json_t *op)
{
    json_t *item = json_object_get(d->paths, path);
    if (!item) {
        item = json_object();
        json_object_set_new(d->paths, path, item);
    }
    json_object_set_new(item, method, op);
}

/* Attach a success response (taken) to op, listed before the errors. */
static void respond(json_t *op, const char *status, json_t *response)
{
    json_t *responses = json_pack("{s:o}", status, response);
    json_object_update(responses, json_object_get(op, "responses"));
    json_object_set_new(op, "responses", responses);
}

/* Append a parameter (taken) to op. */
static void add_param(json_t *op, json_t *param)
{
    json_t *list = json_object_get(op, "parameters");
    if (!list) {
        list = json_array();
        json_object_set_new(op, "parameters", list);
    }
    json_array_append_new(list, param);
}

/* ---------- field schemas ---------- */

static const int64_t pow10s[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

/* Title, description, labels and flags every field schema carries. */
static void annotate(Doc *d, json_t *s, const Field *f, const char *note)
{
    Buf b;
    buf_init(&b, &d->arena);
    buf_raw(&b, label_text(d, &f->label));
    buf_raw(&b, ". ");
    if (note)
        buf_raw(&b, note);
    if (f->unique)
        buf_raw(&b, " Unique among all records.");
    if (f->help) {
        buf_putc(&b, ' ');
        buf_raw(&b, f->help);
    }
    json_object_set_new(s, "title", json_string(f->label.en));
    json_object_set_new(s, "description", json_string(b.data));
    json_object_set_new(s, "x-labels", labels_json(&f->label));
    json_object_set_new(s, "x-type", json_string(meta_type_name(f->type)));
}

/* The options of an enum as {"enum": [...], "x-enumDescriptions": {...}} added to s. */
static void enum_options(Doc *d, json_t *s, const Field *f)
{
    json_t *values = json_array(), *descr = json_object();
    for (int i = 0; i < f->noptions; i++) {
        json_array_append_new(values, json_string(f->options[i].value));
        json_object_set_new(descr, f->options[i].value, json_string(label_text(d, &f->options[i].label)));
    }
    json_object_set_new(s, "enum", values);
    json_object_set_new(s, "x-enumDescriptions", descr);
}

/* Numeric bounds in API units (decimal fields store scaled integers). */
static void bounds(json_t *s, const Field *f)
{
    bool scaled = f->type == FT_DECIMAL || f->type == FT_PERCENT;
    if (f->has_min)
        json_object_set_new(s, "minimum",
                            scaled ? json_real((double)f->min / (double)pow10s[f->scale]) : json_integer(f->min));
    if (f->has_max)
        json_object_set_new(s, "maximum",
                            scaled ? json_real((double)f->max / (double)pow10s[f->scale]) : json_integer(f->max));
}

/* Schema of the value of field f (not a parent) in a record (input false)
 * or in a create/update body (input true). New reference. */
static json_t *field_schema(Doc *d, const Field *f, bool input)
{
    json_t *s = NULL;
    const char *note = NULL;
    switch (f->type) {
    case FT_STRING:
    case FT_TEXT:
        s = json_pack("{s:s, s:I}", "type", "string", "maxLength", (json_int_t)f->max_length);
        note = f->type == FT_STRING ? "Single line; length in characters." : "Length in characters.";
        break;
    case FT_EMAIL:
        s = json_pack("{s:s, s:s, s:I}", "type", "string", "format", "email", "maxLength", (json_int_t)f->max_length);
        note = "E-mail address; an empty string clears it.";
        break;
    case FT_PHONE:
        s = json_pack("{s:s, s:I}", "type", "string", "maxLength", (json_int_t)f->max_length);
        note = "Phone number: an optional leading +, 5 to 20 digits, separators (space - . ( )) and an optional "
               "extension x123; stored and returned without separators (138-1234-5678 -> 13812345678).";
        break;
    case FT_URL:
        s = json_pack("{s:s, s:s, s:I}", "type", "string", "format", "uri", "maxLength", (json_int_t)f->max_length);
        note = "Web address starting with http:// or https://.";
        break;
    case FT_DATE:
        s = json_pack("{s:s, s:s}", "type", "string", "format", "date");
        note = "Date YYYY-MM-DD.";
        break;
    case FT_DATETIME:
        s = json_pack("{s:s, s:s}", "type", "string", "format", "date-time");
        note = "RFC 3339 date-time; accepted with any offset, returned in UTC with Z.";
        break;
    case FT_ENUM:
        s = json_pack("{s:s}", "type", "string");
        if (f->noptions)
            enum_options(d, s, f);
        note = f->dict ? arena_printf(&d->arena, "One value of the dictionary '%s'.", f->dict)
                       : "One of the listed values.";
        break;
    case FT_MULTI_ENUM: {
        json_t *item = json_pack("{s:s}", "type", "string");
        if (f->noptions)
            enum_options(d, item, f);
        s = json_pack("{s:s, s:o, s:b}", "type", "array", "items", item, "uniqueItems", 1);
        note = "Several of the listed values, each at most once.";
        break;
    }
    case FT_INT:
        s = json_pack("{s:s, s:s}", "type", "integer", "format", "int64");
        bounds(s, f);
        note = "Integer.";
        break;
    case FT_MONEY:
        s = json_pack("{s:s, s:s}", "type", "integer", "format", "int64");
        bounds(s, f);
        note = "Money as an integer in minor units (fen): 12345 means 123.45 yuan.";
        break;
    case FT_DECIMAL:
    case FT_PERCENT:
        s = input ? json_pack("{s:[s, s], s:s}", "type", "number", "string", "pattern", "^[+-]?[0-9]+(\\.[0-9]+)?$")
                  : json_pack("{s:s}", "type", "number");
        bounds(s, f);
        note = arena_printf(&d->arena, "%s with at most %d decimal places%s.",
                            f->type == FT_PERCENT ? "Percentage (12.5 means 12.5%)" : "Decimal number", f->scale,
                            input ? "; a JSON number or a decimal string such as \"12.34\"" : "");
        break;
    case FT_BOOL:
        s = json_pack("{s:s}", "type", "boolean");
        note = "true or false.";
        break;
    case FT_LINK: {
        const Entity *t = meta_entity(f->target);
        s = json_pack("{s:s, s:s, s:i, s:s}", "type", "integer", "format", "int64", "minimum", 1, "x-target",
                      f->target);
        note =
            arena_printf(&d->arena, "Id of a %s record (%s).", f->target, t ? label_text(d, &t->singular) : f->target);
        break;
    }
    case FT_LINK_MULTIPLE: {
        const Entity *t = meta_entity(f->target);
        s = json_pack("{s:s, s:{s:s, s:s, s:i}, s:s}", "type", "array", "items", "type", "integer", "format", "int64",
                      "minimum", 1, "x-target", f->target);
        note = arena_printf(&d->arena, "Ids of %s records (%s); the list replaces the stored one.", f->target,
                            t ? label_text(d, &t->label) : f->target);
        break;
    }
    case FT_FILE:
        s = json_pack("{s:s, s:s, s:i}", "type", "integer", "format", "int64", "minimum", 1);
        note = "Id of an uploaded file.";
        break;
    case FT_ADDRESS:
        /* Siblings of $ref are allowed in 3.1 but ignored by many tools: wrap it. */
        s = f->required ? json_pack("{s:[o]}", "allOf", schema_ref(d, "Address"))
                        : json_pack("{s:[o, {s:s}]}", "anyOf", schema_ref(d, "Address"), "type", "null");
        note = "Postal address.";
        break;
    case FT_JSON:
        s = json_object();
        note = "Any JSON value.";
        break;
    case FT_AUTO_NUMBER:
        s = json_pack("{s:s, s:b}", "type", "string", "readOnly", 1);
        note = arena_printf(&d->arena, "Assigned by the server on create from the pattern %s.", f->pattern);
        break;
    case FT_FORMULA:
        s = json_pack("{s:[s, s, s], s:b}", "type", "integer", "number", "string", "readOnly", 1);
        note = "Computed by the server.";
        break;
    case FT_PARENT:
    case FT__COUNT:
        s = json_object();
        break;
    }
    annotate(d, s, f, note);
    if (f->readonly)
        json_object_set_new(s, "readOnly", json_true());
    if (f->write_only)
        json_object_set_new(s, "writeOnly", json_true());
    if (f->dflt && input)
        json_object_set(s, "default", f->dflt);
    /* Required text must not be empty: the engine treats "" as missing. */
    if (f->required &&
        (f->type == FT_STRING || f->type == FT_TEXT || f->type == FT_EMAIL || f->type == FT_PHONE || f->type == FT_URL))
        json_object_set_new(s, "minLength", json_integer(1));
    /* null clears an optional field; lists are cleared with [], write-only
     * values (passwords) must be text. */
    if (!f->required && !f->write_only && f->type != FT_LINK_MULTIPLE && f->type != FT_JSON && f->type != FT_ADDRESS)
        s = nullable(s);
    return s;
}

/* The two properties of a parent field: NAME_type (an entity name) and NAME_id. */
static void parent_properties(Doc *d, json_t *props, const Field *f)
{
    int n;
    const Entity *const *all = meta_entities(&n);
    json_t *names = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(names, json_string(all[i]->name));
    const char *lt = label_text(d, &f->label);
    json_t *t = json_pack(
        "{s:s, s:o, s:s, s:s, s:o}", "type", "string", "enum", names, "title", f->label.en, "description",
        arena_printf(&d->arena, "%s: the entity of the related record; set together with %s_id.", lt, f->name),
        "x-labels", labels_json(&f->label));
    json_t *id =
        json_pack("{s:s, s:s, s:i, s:s, s:s, s:o}", "type", "integer", "format", "int64", "minimum", 1, "title",
                  f->label.en, "description",
                  arena_printf(&d->arena, "%s: the id of the related record; set together with %s_type.", lt, f->name),
                  "x-labels", labels_json(&f->label));
    if (f->readonly) {
        json_object_set_new(t, "readOnly", json_true());
        json_object_set_new(id, "readOnly", json_true());
    }
    json_object_set_new(props, arena_printf(&d->arena, "%s_type", f->name), nullable(t));
    json_object_set_new(props, arena_printf(&d->arena, "%s_id", f->name), nullable(id));
}

/* ---------- per-entity components ---------- */

/* Does a record of e carry owner_id / department_id as common columns? */
static bool has_owner(const Entity *e)
{
    return e->owned;
}
static bool has_common_department(const Entity *e)
{
    return e->owned && !meta_field(e, "department_id");
}

/* Component "<entity>": a record as returned by the API. */
static void record_schema(Doc *d, const Entity *e)
{
    json_t *props = json_object();
    json_object_set_new(props, "id",
                        json_pack("{s:s, s:s, s:b, s:s}", "type", "integer", "format", "int64", "readOnly", 1,
                                  "description", "Record id."));
    if (has_owner(e))
        json_object_set_new(props, "owner_id",
                            json_pack("{s:[s, s], s:s, s:s, s:s}", "type", "integer", "null", "format", "int64",
                                      "x-target", "users", "description",
                                      "Owner (a users id); decides who sees the record under own/department scopes."));
    if (has_common_department(e))
        json_object_set_new(props, "department_id",
                            json_pack("{s:[s, s], s:s, s:b, s:s, s:s}", "type", "integer", "null", "format", "int64",
                                      "readOnly", 1, "x-target", "departments", "description",
                                      "Department of the owner, kept in step with owner_id."));
    json_object_set_new(props, "created_at",
                        json_pack("{s:s, s:s, s:b, s:s}", "type", "string", "format", "date-time", "readOnly", 1,
                                  "description", "Creation time (UTC)."));
    json_object_set_new(props, "created_by",
                        json_pack("{s:[s, s], s:s, s:b, s:s, s:s}", "type", "integer", "null", "format", "int64",
                                  "readOnly", 1, "x-target", "users", "description", "User who created it."));
    json_object_set_new(props, "updated_at",
                        json_pack("{s:s, s:s, s:b, s:s}", "type", "string", "format", "date-time", "readOnly", 1,
                                  "description", "Time of the last change (UTC)."));
    json_object_set_new(props, "updated_by",
                        json_pack("{s:[s, s], s:s, s:b, s:s, s:s}", "type", "integer", "null", "format", "int64",
                                  "readOnly", 1, "x-target", "users", "description", "User who changed it last."));
    json_object_set_new(props, "version",
                        json_pack("{s:s, s:s, s:i, s:b, s:s}", "type", "integer", "format", "int64", "minimum", 1,
                                  "readOnly", 1, "description",
                                  "Incremented by every change; send it back with PATCH to detect concurrent edits."));
    json_object_set_new(props, "deleted_at",
                        json_pack("{s:[s, s], s:s, s:b, s:s}", "type", "string", "null", "format", "date-time",
                                  "readOnly", 1, "description",
                                  "When it was moved to the trash; null for live records."));
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (f->type == FT_PARENT)
            parent_properties(d, props, f);
        else
            json_object_set_new(props, f->name, field_schema(d, f, false));
    }
    json_t *s = json_pack("{s:s, s:s, s:s, s:o, s:o, s:[s, s, s, s, s, s, s]}", "type", "object", "title",
                          e->singular.en, "description",
                          arena_printf(&d->arena,
                                       "%s: one record. Fields the caller's role may not see are left out; "
                                       "write-only fields are never returned.",
                                       label_text(d, &e->singular)),
                          "x-labels", labels_json(&e->label), "properties", props, "required", "id", "created_at",
                          "created_by", "updated_at", "updated_by", "version", "deleted_at");
    if (e->title_field)
        json_object_set_new(s, "x-title-field", json_string(e->title_field));
    json_object_set_new(d->schemas, e->name, s);
}

/* Components "<entity>_create" and "<entity>_update": request bodies. */
static void input_schemas(Doc *d, const Entity *e)
{
    json_t *props = json_object(), *required = json_array();
    if (has_owner(e))
        json_object_set_new(props, "owner_id",
                            json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", "integer", "format", "int64", "minimum", 1,
                                      "x-target", "users", "description",
                                      "Owner (an active user's id); defaults to the caller on create. Giving the "
                                      "record to someone else needs the assign permission."));
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (f->readonly || f->type == FT_AUTO_NUMBER || f->type == FT_FORMULA)
            continue;
        if (f->type == FT_PARENT) {
            parent_properties(d, props, f);
            continue;
        }
        json_object_set_new(props, f->name, field_schema(d, f, true));
        /* Left out, a required field with a default gets the default. */
        if (f->required && !f->dflt)
            json_array_append_new(required, json_string(f->name));
    }
    const char *sing = label_text(d, &e->singular);
    json_t *create = json_pack("{s:s, s:s, s:O, s:o, s:b}", "type", "object", "description",
                               arena_printf(&d->arena,
                                            "%s: the values of a new record. Unknown and read-only fields are "
                                            "rejected (422); fields left out get their default.",
                                            sing),
                               "properties", props, "required", required, "additionalProperties", 0);
    json_t *uprops = json_deep_copy(props);
    json_object_set_new(uprops, "version",
                        json_pack("{s:s, s:s, s:i, s:s}", "type", "integer", "format", "int64", "minimum", 1,
                                  "description", "The version read; a different stored version answers 409."));
    /* Defaults apply on create only. */
    const char *k;
    json_t *v;
    json_object_foreach(uprops, k, v)
    {
        json_object_del(v, "default");
    }
    json_t *update = json_pack("{s:s, s:s, s:o, s:[s]}", "type", "object", "description",
                               arena_printf(&d->arena,
                                            "%s: the fields to change, and the version read. Read-only columns "
                                            "(id, created_at …) may be sent back unchanged and are then ignored.",
                                            sing),
                               "properties", uprops, "required", "version");
    json_decref(props);
    json_object_set_new(d->schemas, arena_printf(&d->arena, "%s_create", e->name), create);
    json_object_set_new(d->schemas, arena_printf(&d->arena, "%s_update", e->name), update);
}

/* Component "<entity>_list": a page of records. */
static void list_schema(Doc *d, const Entity *e)
{
    json_t *s = json_pack(
        "{s:s, s:s, s:{s:{s:s, s:o}, s:{s:s, s:s, s:i, s:s}, s:{s:s, s:s}, s:{s:s, s:i, s:i}, s:{s:s, s:i}},"
        " s:[s, s, s, s]}",
        "type", "object", "description", arena_printf(&d->arena, "A page of %s.", label_text(d, &e->label)),
        "properties", "data", "type", "array", "items", schema_ref(d, e->name), "total", "type", "integer", "format",
        "int64", "minimum", 0, "description",
        arena_printf(&d->arena,
                     "Matching records in all pages. Counting stops after %d records (or the end of the page asked"
                     " for; for a text search q in the default order that matches many records, at the end of the"
                     " page): the reply then has total_exact false, and more than total match.",
                     RECORD_COUNT_LIMIT),
        "total_exact", "type", "boolean", "description", "Present (false) only when total is a lower bound.", "limit",
        "type", "integer", "minimum", 1, "maximum", RECORD_LIMIT_MAX, "offset", "type", "integer", "minimum", 0,
        "required", "data", "total", "limit", "offset");
    json_object_set_new(d->schemas, arena_printf(&d->arena, "%s_list", e->name), s);
}

/* Names that may be filtered and sorted on, in filter.c's terms: common
 * columns (not deleted_at), declared fields, parent sub-columns. fn is called
 * with the name, the field (NULL for common columns and parent sub-columns),
 * the common type for columns, and whether it sorts. */
typedef void (*NameFn)(Doc *d, const Entity *e, const char *name, const Field *f, FieldType t, bool sortable, void *ud);

static void each_filter_name(Doc *d, const Entity *e, NameFn fn, void *ud)
{
    static const char *common[] = {"id",         "owner_id",   "department_id", "created_at",
                                   "created_by", "updated_at", "updated_by",    "version"};
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
        FieldType t;
        meta_common_column(common[i], &t);
        if (!strcmp(common[i], "owner_id") && !has_owner(e))
            continue;
        if (!strcmp(common[i], "department_id") && !has_common_department(e))
            continue;
        fn(d, e, common[i], NULL, t, true, ud);
    }
    for (int i = 0; i < e->nfields; i++) {
        const Field *f = &e->fields[i];
        if (f->type == FT_PARENT) {
            fn(d, e, arena_printf(&d->arena, "%s_type", f->name), f, FT_STRING, true, ud);
            fn(d, e, arena_printf(&d->arena, "%s_id", f->name), f, FT_INT, true, ud);
            continue;
        }
        if (!f->filterable || f->type == FT_LINK_MULTIPLE)
            continue;
        fn(d, e, f->name, f, f->type, f->sortable, ud);
    }
}

/* Schema of one filter operand as query-string text for a column of type t
 * (field f when declared). */
static json_t *operand_schema(Doc *d, const Field *f, FieldType t)
{
    switch (t) {
    case FT_INT:
    case FT_MONEY:
    case FT_LINK:
    case FT_FILE:
        return json_pack("{s:s, s:s}", "type", "integer", "format", "int64");
    case FT_DECIMAL:
    case FT_PERCENT:
        return json_pack("{s:s}", "type", "number");
    case FT_BOOL:
        return json_pack("{s:s}", "type", "boolean");
    case FT_DATE:
        return json_pack("{s:s, s:s}", "type", "string", "format", "date");
    case FT_ENUM: {
        json_t *s = json_pack("{s:s}", "type", "string");
        if (f && f->type == FT_ENUM && f->noptions)
            enum_options(d, s, f);
        return s;
    }
    default:
        return json_pack("{s:s}", "type", "string");
    }
}

/* State while collecting the filter parameters of one entity. */
typedef struct FilterState {
    json_t *refs;     /* array of $refs to components/parameters, for list/trash/export */
    json_t *names;    /* array of filterable names, for the condition schema */
    json_t *sortable; /* array of sortable names */
} FilterState;

/* Add the parameter component of one filterable name: its eq form
 * "name=value". The other operators ("name[op]=value") are described once in
 * the operation's description and listed in x-operators, rather than as one
 * parameter each: that would be nine parameters per field on three operations
 * per entity, which made the document several times larger and slower to
 * build without telling a reader more. */
static void filter_params_of(Doc *d, const Entity *e, const char *name, const Field *f, FieldType t, bool sortable,
                             void *ud)
{
    FilterState *st = ud;
    json_array_append_new(st->names, json_string(name));
    if (sortable)
        json_array_append_new(st->sortable, json_string(name));
    if (reserved_param(name))
        return; /* only name[eq]=… reaches the filter; still documented in x-operators of the others */
    const char *what;
    if (f && f->type == FT_PARENT)
        what = arena_printf(&d->arena, "%s, %s", label_text(d, &f->label), strstr(name, "_type") ? "entity" : "id");
    else if (f)
        what = label_text(d, &f->label);
    else
        what = name;
    const char *note = t == FT_DATETIME ? " Date-times are RFC 3339 or a date YYYY-MM-DD (its start, UTC)."
                       : t == FT_MONEY  ? " Amounts in minor units (fen)."
                                        : "";
    json_t *p = json_pack("{s:s, s:s, s:b, s:s, s:o, s:O}", "name", name, "in", "query", "required", 0, "description",
                          arena_printf(&d->arena,
                                       "Filter: %s equals the value.%s Other operators: %s[op]=value with op in "
                                       "ne, lt, le, gt, ge, like, in, null.",
                                       what, note, name),
                          "schema", operand_schema(d, f, t), "x-operators", d->ops);
    const char *key = arena_printf(&d->arena, "%s.%s", e->name, name);
    json_object_set_new(d->params, key, p);
    json_array_append_new(st->refs, ref(d, "parameters", key));
}

/* "(a|b|c)" for a regular expression over identifiers. */
static const char *alternatives(Doc *d, json_t *names)
{
    Buf b;
    buf_init(&b, &d->arena);
    buf_putc(&b, '(');
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n)
    {
        if (i)
            buf_putc(&b, '|');
        buf_raw(&b, json_string_value(n));
    }
    buf_putc(&b, ')');
    return b.data;
}

/* Comma-separated list of names, for descriptions. */
static const char *name_list(Doc *d, json_t *names)
{
    Buf b;
    buf_init(&b, &d->arena);
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n)
    {
        if (i)
            buf_raw(&b, ", ");
        buf_raw(&b, json_string_value(n));
    }
    return b.data;
}

/* Components of the filters of e: the query parameters, "<entity>.sort",
 * "<entity>.q", and the schemas "<entity>_condition", "<entity>_filter" and
 * "<entity>_query". Fills st (the caller decrefs its arrays). */
static void filter_components(Doc *d, const Entity *e, FilterState *st)
{
    st->refs = json_array();
    st->names = json_array();
    st->sortable = json_array();
    each_filter_name(d, e, filter_params_of, st);

    const char *alt = alternatives(d, st->sortable);
    json_object_set_new(
        d->params, arena_printf(&d->arena, "%s.sort", e->name),
        json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:s, s:s}}", "name", "sort", "in", "query", "required", 0,
                  "description",
                  arena_printf(&d->arena,
                               "Order: up to 4 comma-separated names, each optionally prefixed with - (descending) "
                               "or +; ties are broken by id. Default -updated_at. Sortable: %s.",
                               name_list(d, st->sortable)),
                  "schema", "type", "string", "pattern", arena_printf(&d->arena, "^[-+]?%s(,[-+]?%s){0,3}$", alt, alt),
                  "default", "-updated_at"));

    Buf sf;
    buf_init(&sf, &d->arena);
    for (int i = 0; i < e->nfields; i++)
        if (e->fields[i].search) {
            if (sf.len)
                buf_raw(&sf, ", ");
            buf_raw(&sf, e->fields[i].name);
        }
    if (!sf.len && e->title_field)
        buf_raw(&sf, e->title_field);
    json_object_set_new(d->params, arena_printf(&d->arena, "%s.q", e->name),
                        json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:i}}", "name", "q", "in", "query", "required", 0,
                                  "description",
                                  arena_printf(&d->arena, "Text search (substring, at most 100 characters) over: %s.",
                                               sf.len ? sf.data : "(nothing)"),
                                  "schema", "type", "string", "maxLength", 100));

    const char *cond_name = arena_printf(&d->arena, "%s_condition", e->name);
    const char *filter_name = arena_printf(&d->arena, "%s_filter", e->name);
    json_object_set_new(d->schemas, cond_name,
                        json_pack("{s:s, s:s, s:{s:{s:s, s:O}, s:{s:s, s:O, s:s}, s:{s:s}}, s:[s], s:b}", "type",
                                  "object", "description",
                                  "One condition. value is a scalar for eq ne lt le gt ge, text for like, a list (or a "
                                  "comma-separated string) for in, and true/false for null (true when left out).",
                                  "properties", "field", "type", "string", "enum", st->names, "op", "type", "string",
                                  "enum", d->ops, "default", "eq", "value", "description", "The operand.", "required",
                                  "field", "additionalProperties", 0));
    json_object_set_new(
        d->schemas, filter_name,
        json_pack("{s:s, s:[{s:s, s:{s:{s:s, s:o}}, s:[s], s:b}, {s:s, s:{s:{s:s, s:o}}, s:[s], s:b}, o]}",
                  "description",
                  "A filter tree: {\"and\": [...]}, {\"or\": [...]} or a condition; at most 8 levels and 100 "
                  "conditions. An empty and-list matches everything, an empty or-list nothing.",
                  "oneOf", "type", "object", "properties", "and", "type", "array", "items", schema_ref(d, filter_name),
                  "required", "and", "additionalProperties", 0, "type", "object", "properties", "or", "type", "array",
                  "items", schema_ref(d, filter_name), "required", "or", "additionalProperties", 0,
                  schema_ref(d, cond_name)));
    json_object_set_new(
        d->params, arena_printf(&d->arena, "%s.filter", e->name),
        json_pack("{s:s, s:s, s:b, s:s, s:{s:{s:o}}}", "name", "filter", "in", "query", "required", 0, "description",
                  "A filter tree as JSON (as in POST …/query), ANDed with the other filters; the web UI's export "
                  "links use it.",
                  "content", "application/json", "schema", schema_ref(d, filter_name)));
    json_object_set_new(
        d->schemas, arena_printf(&d->arena, "%s_query", e->name),
        json_pack(
            "{s:s, s:s, s:{s:o, s:{s:s, s:s}, s:{s:[s, s], s:i}, s:{s:[s, s], s:s}, s:{s:s, s:i, s:i, s:i}, "
            "s:{s:s, s:i, s:i}}, s:b}",
            "type", "object", "description", "A query with a nested filter.", "properties", "where",
            schema_ref(d, filter_name), "sort", "type", "string", "description",
            arena_printf(&d->arena, "As the sort parameter of the list (sortable: %s).", name_list(d, st->sortable)),
            "q", "type", "string", "null", "maxLength", 100, "fields", "type", "string", "null", "description",
            "As the fields parameter of the list.", "limit", "type", "integer", "minimum", 1, "maximum",
            RECORD_LIMIT_MAX, "default", RECORD_LIMIT_DEFAULT, "offset", "type", "integer", "minimum", 0, "default", 0,
            "additionalProperties", 0));
}

/* ---------- per-entity paths ---------- */

/* The query-string filter syntax, described once per document. */
static const char *filter_syntax(Doc *d)
{
    Buf b;
    buf_init(&b, &d->arena);
    buf_raw(&b, "Filters: `field=value`, or `field[op]=value` with op one of:");
    for (size_t i = 0; i < NFILTER_OPS; i++)
        buf_printf(&b, "%s `%s` (%s)", i ? "," : "", filter_ops[i].name, filter_ops[i].what);
    buf_raw(&b, ". Every filterable field is declared as a parameter in its eq form; the other operators apply to "
                "the same names (their x-operators). Several filters all apply. Fields the caller's role may not "
                "see cannot be filtered; unknown fields and operators answer 400. Nested and/or filters: POST "
                "…/query.");
    return b.data;
}

static void entity_paths(Doc *d, const Entity *e)
{
    FilterState st;
    filter_components(d, e, &st);
    const char *n = e->name;
    const char *lab = label_text(d, &e->label);
    const char *sing = label_text(d, &e->singular);
    const char *base = arena_printf(&d->arena, "/api/v1/%s", n);
    const char *one = arena_printf(&d->arena, "/api/v1/%s/{id}", n);
    json_t *list_params = json_pack("[o, o, o, o, o, o]", ref(d, "parameters", "limit"), ref(d, "parameters", "offset"),
                                    ref(d, "parameters", "fields"),
                                    ref(d, "parameters", arena_printf(&d->arena, "%s.sort", n)),
                                    ref(d, "parameters", arena_printf(&d->arena, "%s.q", n)),
                                    ref(d, "parameters", arena_printf(&d->arena, "%s.filter", n)));
    json_array_extend(list_params, st.refs);
    json_t *list_ok = json_response(arena_printf(&d->arena, "A page of %s.", lab),
                                    schema_ref(d, arena_printf(&d->arena, "%s_list", n)));

    json_t *op = operation(d, n, arena_printf(&d->arena, "%s_list", n), arena_printf(&d->arena, "List %s", n),
                           arena_printf(&d->arena, "%s: the live records the caller may read, newest change first. %s",
                                        lab, d->filter_help),
                           ACCESS_READ, "400 403", false);
    json_object_set(op, "parameters", list_params);
    respond(op, "200", json_incref(list_ok));
    add_op(d, base, "get", op);

    op = operation(
        d, n, arena_printf(&d->arena, "%s_create", n), arena_printf(&d->arena, "Create a %s record", n),
        arena_printf(&d->arena, "%s: create a record; answers 201 with the stored record and its Location.", sing),
        ACCESS_WRITE, "400 403 409 422", true);
    json_object_set_new(op, "requestBody",
                        json_body("The new record's values.", schema_ref(d, arena_printf(&d->arena, "%s_create", n))));
    json_t *created = json_response("Created.", schema_ref(d, n));
    json_object_set_new(created, "headers",
                        json_pack("{s:{s:s, s:{s:s, s:s}}}", "Location", "description", "The record's URL.", "schema",
                                  "type", "string", "format", "uri-reference"));
    respond(op, "201", created);
    add_op(d, base, "post", op);

    op = operation(d, n, arena_printf(&d->arena, "%s_query", n), arena_printf(&d->arena, "Query %s", n),
                   arena_printf(&d->arena, "%s: list with a nested and/or filter tree in the body.", lab), ACCESS_READ,
                   "400 403", true);
    json_object_set_new(op, "requestBody",
                        json_body("The query.", schema_ref(d, arena_printf(&d->arena, "%s_query", n))));
    respond(op, "200", json_incref(list_ok));
    add_op(d, arena_printf(&d->arena, "%s/query", base), "post", op);

    op = operation(d, n, arena_printf(&d->arena, "%s_export", n), arena_printf(&d->arena, "Export %s", n),
                   arena_printf(&d->arena,
                                "%s: every record of the list (up to 100000) as CSV (UTF-8 with a BOM) or XLSX, "
                                "with the fields the caller may see, written as people read them: money in yuan, "
                                "enum labels, date-times in China time (UTC+8). Needs the export permission; "
                                "audited. Takes the filters, sort and q of the list (%s_list).",
                                lab, n),
                   ACCESS_READ, "400 403", false);
    json_t *ep = json_pack("[{s:s, s:s, s:b, s:s, s:{s:s, s:[s, s], s:s}}, o, o, o]", "name", "format", "in", "query",
                           "required", 0, "description", "File format.", "schema", "type", "string", "enum", "csv",
                           "xlsx", "default", "csv", ref(d, "parameters", arena_printf(&d->arena, "%s.sort", n)),
                           ref(d, "parameters", arena_printf(&d->arena, "%s.q", n)),
                           ref(d, "parameters", arena_printf(&d->arena, "%s.filter", n)));
    json_array_extend(ep, st.refs);
    json_object_set_new(op, "parameters", ep);
    respond(op, "200",
            json_pack("{s:s, s:{s:{s:s, s:{s:s}, s:s}}, s:{s:{s:{s:s}}, s:{s:{s:s, s:s}}}}", "description", "The file.",
                      "headers", "Content-Disposition", "description", "Names the download.", "schema", "type",
                      "string", "example", arena_printf(&d->arena, "attachment; filename=\"%s.csv\"", n), "content",
                      "text/csv", "schema", "type", "string",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "schema", "type", "string",
                      "contentEncoding", "binary"));
    add_op(d, arena_printf(&d->arena, "%s/export", base), "get", op);

    /* Import (import.c) and duplicates (dupes.c). */
    op = operation(d, n, arena_printf(&d->arena, "%s_import", n), arena_printf(&d->arena, "Import %s", n),
                   arena_printf(&d->arena,
                                "%s: import a CSV file (UTF-8 with or without BOM, or GB18030; comma or tab; "
                                "the first row names the columns by field name or label, zh or en)%s, sent as "
                                "multipart/form-data (part \"file\", options as further parts) or as the raw body "
                                "with the options in the query. Answers the report {rows, created, updated, "
                                "skipped, failed, errors: [{row, field, message}], columns, preview, committed, "
                                "import_id}: 201 when committed, 200 for a dry run, 422 (with the report) when "
                                "rows or columns are wrong and nothing was imported. Needs the import "
                                "permission; bodies up to 64 MiB; audited; undo with POST /imports/{id}/undo.",
                                lab, strcmp(n, "contacts") ? "" : " or vCard 2.1/3.0/4.0 (format=vcf)"),
                   ACCESS_WRITE, "400 403 404 422", true);
    static const char *const iopts[][3] = {
        {"format", "csv or vcf (default csv; a .vcf file name also selects vcf)", NULL},
        {"encoding", "auto (default: UTF-8, else GB18030), utf-8 or gb18030", NULL},
        {"delimiter", "auto (default), comma, tab or semicolon", NULL},
        {"on_duplicate", "skip (default), update or create: what to do with a row matching a stored record by "
                         "credit code, e-mail, phone or name", NULL},
        {"partial", "1: import the valid rows and report the others; default: all or nothing", NULL},
        {"dry_run", "1: validate and report only (preview); nothing is stored", NULL},
        {"mapping", "JSON object {\"column header\": \"field name\" or \"\" to ignore}; default: by name or label", NULL},
        {"filename", "name shown in the list of imports", NULL},
        {"rowwise", "1: look duplicates up and create records one row at a time instead of per chunk of rows "
                    "(the same result, slower; for comparisons)", NULL}};
    for (size_t k = 0; k < sizeof iopts / sizeof iopts[0]; k++)
        add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", iopts[k][0], "in", "query", "required", 0,
                                "description", iopts[k][1], "schema", "type", "string"));
    json_object_set_new(op, "requestBody",
                        json_pack("{s:s, s:b, s:{s:{s:{s:s}}, s:{s:{s:s, s:s}}}}", "description", "The file.", "required", 1,
                                  "content", "text/csv", "schema", "type", "string", "multipart/form-data", "schema",
                                  "type", "object", "description", "part \"file\" and the options"));
    respond(op, "201", json_response("Imported: the report.", json_pack("{s:s}", "type", "object")));
    respond(op, "200", json_response("Dry run: the report.", json_pack("{s:s}", "type", "object")));
    add_op(d, arena_printf(&d->arena, "%s/import", base), "post", op);

    op = operation(d, n, arena_printf(&d->arena, "%s_duplicates", n), arena_printf(&d->arena, "Possible duplicates of a %s record", n),
                   arena_printf(&d->arena,
                                "%s: live records with the same normalised phone, e-mail or credit code, or a name "
                                "equal once company suffixes (有限公司, 集团 …), bracketed parts, full-width forms, "
                                "spaces and case are ignored. Each match is {visible, owner_name, match: [kinds]} "
                                "and, when the caller may read it, id, title and owner_id; records outside the "
                                "caller's scope only say that they exist and who owns them. Customers, contacts "
                                "and leads only (404 otherwise).",
                                lab),
                   ACCESS_READ, "400 403 404", false);
    static const char *const dq[] = {"name", "phone", "mobile", "email", "credit_code", "exclude"};
    for (size_t k = 0; k < sizeof dq / sizeof dq[0]; k++)
        add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", dq[k], "in", "query", "required", 0,
                                "description", k == 5 ? "id of the record being edited (left out)" : "value to check",
                                "schema", "type", "string"));
    respond(op, "200", json_response("The matches.", json_pack("{s:s}", "type", "object")));
    add_op(d, arena_printf(&d->arena, "%s/duplicates", base), "get", op);

    op = operation(d, n, arena_printf(&d->arena, "%s_trash", n), arena_printf(&d->arena, "List deleted %s", n),
                   arena_printf(&d->arena,
                                "%s in the trash (administrators, or roles that may delete them). Takes the "
                                "parameters of the list (%s_list).",
                                lab, n),
                   ACCESS_READ, "400 403", false);
    json_object_set(op, "parameters", list_params);
    respond(op, "200", json_incref(list_ok));
    add_op(d, arena_printf(&d->arena, "%s/trash", base), "get", op);

    op = operation(d, n, arena_printf(&d->arena, "%s_get", n), arena_printf(&d->arena, "Get a %s record", n),
                   arena_printf(&d->arena, "%s: one live record the caller may read.", sing), ACCESS_READ, "403 404",
                   false);
    respond(op, "200", json_response("The record.", schema_ref(d, n)));
    add_op(d, one, "get", op);

    op = operation(d, n, arena_printf(&d->arena, "%s_update", n), arena_printf(&d->arena, "Change a %s record", n),
                   arena_printf(&d->arena,
                                "%s: change the given fields. The body carries the version read; if the record "
                                "changed meanwhile the answer is 409.",
                                sing),
                   ACCESS_WRITE, "400 403 404 409 422", true);
    json_object_set_new(op, "requestBody",
                        json_body("The fields to change and the version read.",
                                  schema_ref(d, arena_printf(&d->arena, "%s_update", n))));
    respond(op, "200", json_response("The stored record.", schema_ref(d, n)));
    add_op(d, one, "patch", op);

    op = operation(d, n, arena_printf(&d->arena, "%s_delete", n), arena_printf(&d->arena, "Delete a %s record", n),
                   arena_printf(&d->arena, "%s: move the record to the trash (it can be restored).", sing),
                   ACCESS_WRITE, "403 404 409", false);
    respond(op, "204", json_pack("{s:s}", "description", "Moved to the trash."));
    add_op(d, one, "delete", op);
    json_object_set_new(json_object_get(d->paths, one), "parameters", json_pack("[o]", ref(d, "parameters", "id")));

    const char *hist = arena_printf(&d->arena, "%s/history", one);
    op = operation(d, n, arena_printf(&d->arena, "%s_history", n), arena_printf(&d->arena, "History of a %s record", n),
                   arena_printf(&d->arena,
                                "%s: changes of the key fields, newest first (at most 500); fields the caller "
                                "may not see are left out.",
                                sing),
                   ACCESS_READ, "403 404", false);
    respond(op, "200",
            json_response("The changes.",
                          json_pack("{s:s, s:{s:{s:s, s:o}}, s:[s]}", "type", "object", "properties", "data", "type",
                                    "array", "items", schema_ref(d, "HistoryEntry"), "required", "data")));
    add_op(d, hist, "get", op);
    json_object_set_new(json_object_get(d->paths, hist), "parameters", json_pack("[o]", ref(d, "parameters", "id")));

    if (meta_entity("comments")) {
        const char *com = arena_printf(&d->arena, "%s/comments", one);
        op = operation(d, n, arena_printf(&d->arena, "%s_comments", n),
                       arena_printf(&d->arena, "Comments on a %s record", n),
                       arena_printf(&d->arena,
                                    "%s: the comments (批示) on a record the caller may read, oldest first (at "
                                    "most 500).",
                                    sing),
                       ACCESS_READ, "403 404", false);
        respond(op, "200",
                json_response("The comments.",
                              json_pack("{s:s, s:{s:{s:s, s:o}}, s:[s]}", "type", "object", "properties", "data",
                                        "type", "array", "items", schema_ref(d, "comments"), "required", "data")));
        add_op(d, com, "get", op);
        json_object_set_new(json_object_get(d->paths, com), "parameters", json_pack("[o]", ref(d, "parameters", "id")));
    }

    const char *rest = arena_printf(&d->arena, "%s/restore", one);
    op = operation(d, n, arena_printf(&d->arena, "%s_restore", n), arena_printf(&d->arena, "Restore a %s record", n),
                   arena_printf(&d->arena, "%s: bring a record back from the trash.", sing), ACCESS_WRITE,
                   "403 404 409", false);
    respond(op, "200", json_response("The restored record.", schema_ref(d, n)));
    add_op(d, rest, "post", op);
    json_object_set_new(json_object_get(d->paths, rest), "parameters", json_pack("[o]", ref(d, "parameters", "id")));

    const char *purge = arena_printf(&d->arena, "%s/purge", one);
    op = operation(d, n, arena_printf(&d->arena, "%s_purge", n), arena_printf(&d->arena, "Purge a %s record", n),
                   arena_printf(&d->arena,
                                "%s: delete a record in the trash for good (administrators only); 409 while "
                                "other records refer to it.",
                                sing),
                   ACCESS_WRITE, "403 404 409", false);
    respond(op, "204", json_pack("{s:s}", "description", "Deleted for good."));
    add_op(d, purge, "post", op);
    json_object_set_new(json_object_get(d->paths, purge), "parameters", json_pack("[o]", ref(d, "parameters", "id")));

    /* Module actions registered for this entity (api_action_register). */
    const char *ae, *aa, *asum;
    for (int i = 0; api_action_at(i, &ae, &aa, &asum); i++) {
        if (strcmp(ae, n))
            continue;
        const char *apath = arena_printf(&d->arena, "%s/%s", one, aa);
        op = operation(d, n, arena_printf(&d->arena, "%s_%s", n, aa), arena_printf(&d->arena, "%s: %s", n, aa), asum,
                       ACCESS_WRITE, "400 403 404 409 422", false);
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1, "content", "application/json", "schema",
                                      "type", "object"));
        respond(op, "200", json_response("The action's result.", json_pack("{s:s}", "type", "object")));
        respond(op, "201", json_response("The record the action created.", json_pack("{s:s}", "type", "object")));
        add_op(d, apath, "post", op);
        json_object_set_new(json_object_get(d->paths, apath), "parameters", json_pack("[o]", ref(d, "parameters", "id")));
    }

    json_decref(list_ok);
    json_decref(list_params);
    json_decref(st.refs);
    json_decref(st.names);
    json_decref(st.sortable);
}

/* ---------- fixed endpoints ---------- */

static json_t *ok_schema(void)
{
    return json_pack("{s:s, s:{s:{s:s, s:b}}, s:[s]}", "type", "object", "properties", "ok", "type", "boolean", "const",
                     1, "required", "ok");
}

static void auth_paths(Doc *d)
{
    json_t *op = operation(d, "auth", "auth_login", "Log in",
                           "Check a username and password. Answers with a session token for the Authorization "
                           "header, the CSRF token for cookie sessions and the user, and sets the session cookie. "
                           "Repeated failures are rate limited (429 with Retry-After).",
                           ACCESS_PUBLIC, "400 401 422 429", true);
    json_object_set_new(
        op, "requestBody",
        json_body("Credentials.", json_pack("{s:s, s:{s:{s:s, s:i, s:i}, s:{s:s, s:i, s:i, s:s}}, s:[s, s]}", "type",
                                            "object", "properties", "username", "type", "string", "minLength", 1,
                                            "maxLength", 64, "password", "type", "string", "minLength", 1, "maxLength",
                                            200, "format", "password", "required", "username", "password")));
    json_t *ok = json_response("Logged in.", schema_ref(d, "LoginResult"));
    json_object_set_new(ok, "headers",
                        json_pack("{s:{s:s, s:{s:s}}}", "Set-Cookie", "description",
                                  "The session cookie " AUTH_COOKIE " (HttpOnly, SameSite=Lax).", "schema", "type",
                                  "string"));
    respond(op, "200", ok);
    add_op(d, "/api/v1/auth/login", "post", op);

    op = operation(d, "auth", "auth_logout", "Log out",
                   "End the session (cookie or session token). API tokens are revoked with DELETE "
                   "/api/v1/auth/tokens/{id} instead (400).",
                   ACCESS_WRITE, "400 403", false);
    respond(op, "200", json_response("Logged out.", ok_schema()));
    add_op(d, "/api/v1/auth/logout", "post", op);

    op = operation(d, "auth", "auth_logout_all", "Log out everywhere",
                   "End every browser session of the caller (API tokens stay valid; revoke them one by one).",
                   ACCESS_WRITE, "403", false);
    respond(op, "200",
            json_response("Logged out.", json_pack("{s:s, s:{s:{s:s, s:b}, s:{s:s, s:i, s:s}}, s:[s, s]}", "type",
                                                   "object", "properties", "ok", "type", "boolean", "const", 1,
                                                   "sessions_ended", "type", "integer", "minimum", 0, "description",
                                                   "Sessions that were ended.", "required", "ok", "sessions_ended")));
    add_op(d, "/api/v1/auth/logout-all", "post", op);

    op = operation(d, "auth", "auth_me", "The current user",
                   "The caller's users record with is_admin and the permission matrix; csrf_token for cookie "
                   "sessions.",
                   ACCESS_READ, "", false);
    respond(op, "200", json_response("The current user.", schema_ref(d, "Me")));
    add_op(d, "/api/v1/auth/me", "get", op);

    op = operation(d, "auth", "auth_password", "Change the password",
                   "Change the caller's password; other sessions of the user end.", ACCESS_WRITE, "400 403 422", true);
    json_object_set_new(
        op, "requestBody",
        json_body("Current and new password.",
                  json_pack("{s:s, s:{s:{s:s, s:s}, s:{s:s, s:s}}, s:[s, s]}", "type", "object", "properties",
                            "current_password", "type", "string", "format", "password", "new_password", "type",
                            "string", "format", "password", "required", "current_password", "new_password")));
    respond(op, "200", json_response("Changed.", ok_schema()));
    add_op(d, "/api/v1/auth/password", "post", op);

    op = operation(d, "tokens", "tokens_list", "List API tokens", "The caller's API tokens, newest first.", ACCESS_READ,
                   "", false);
    respond(
        op, "200",
        json_response("The tokens.", json_pack("{s:s, s:{s:{s:s, s:o}}, s:[s]}", "type", "object", "properties", "data",
                                               "type", "array", "items", schema_ref(d, "Token"), "required", "data")));
    add_op(d, "/api/v1/auth/tokens", "get", op);

    op = operation(d, "tokens", "tokens_create", "Create an API token",
                   "A long-lived token (gx_…) for scripts, sent as Authorization: Bearer. It is shown once.",
                   ACCESS_WRITE, "400 403 422", true);
    json_object_set_new(
        op, "requestBody",
        json_body("The token's name.",
                  json_pack("{s:s, s:{s:{s:s, s:i, s:i}}, s:[s]}", "type", "object", "properties", "name", "type",
                            "string", "minLength", 1, "maxLength", 100, "required", "name")));
    respond(op, "201",
            json_response("Created.", json_pack("{s:s, s:{s:{s:s, s:s}, s:{s:s}, s:{s:s, s:s}}, s:[s, s, s]}", "type",
                                                "object", "properties", "id", "type", "integer", "format", "int64",
                                                "name", "type", "string", "token", "type", "string", "description",
                                                "The secret; not shown again.", "required", "id", "name", "token")));
    add_op(d, "/api/v1/auth/tokens", "post", op);

    op = operation(d, "tokens", "tokens_revoke", "Revoke an API token",
                   "Revoke one of the caller's tokens (administrators: anyone's).", ACCESS_WRITE, "403 404", false);
    add_param(op, ref(d, "parameters", "id"));
    respond(op, "204", json_pack("{s:s}", "description", "Revoked."));
    add_op(d, "/api/v1/auth/tokens/{id}", "delete", op);
}

/* Import batches and vCards (dupes_api.c). */
static void import_paths(Doc *d)
{
    json_t *op = operation(d, "imports", "imports_list", "List imports",
                           "The caller's latest 100 imports (administrators: everyone's), newest first: {id, entity, "
                           "user_id, created_at, filename, rows, created, updated, skipped, failed, status "
                           "(done|undone), undone_at}.",
                           ACCESS_READ, "", false);
    respond(op, "200", json_response("The imports.", json_pack("{s:s}", "type", "object")));
    add_op(d, "/api/v1/imports", "get", op);
    op = operation(d, "imports", "imports_get", "Get an import", "One import of the caller (administrators: any).",
                   ACCESS_READ, "404", false);
    respond(op, "200", json_response("The import.", json_pack("{s:s}", "type", "object")));
    add_op(d, "/api/v1/imports/{id}", "get", op);
    json_object_set_new(json_object_get(d->paths, "/api/v1/imports/{id}"), "parameters", json_pack("[o]", ref(d, "parameters", "id")));
    op = operation(d, "imports", "imports_undo", "Undo an import",
                   "Undo a whole import in one transaction: the records it created go to the trash, those it "
                   "updated get their previous values back. Audited. An import already undone: 409.",
                   ACCESS_WRITE, "404 409", false);
    respond(op, "200", json_response("The import, now undone.", json_pack("{s:s}", "type", "object")));
    add_op(d, "/api/v1/imports/{id}/undo", "post", op);
    json_object_set_new(json_object_get(d->paths, "/api/v1/imports/{id}/undo"), "parameters", json_pack("[o]", ref(d, "parameters", "id")));
    if (meta_entity("contacts")) {
        op = operation(d, "contacts", "contacts_vcard", "A contact as a vCard",
                       "The contact as vCard 3.0 (default) or 4.0 (version=4), with its customer as ORG when the "
                       "caller may see it.",
                       ACCESS_READ, "400 404", false);
        add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:[s, s]}}", "name", "version", "in", "query", "required", 0,
                                "description", "vCard version", "schema", "type", "string", "enum", "3", "4"));
        respond(op, "200", json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "The vCard.", "content", "text/vcard", "schema",
                                     "type", "string"));
        add_op(d, "/api/v1/contacts/{id}/vcard", "get", op);
        json_object_set_new(json_object_get(d->paths, "/api/v1/contacts/{id}/vcard"), "parameters", json_pack("[o]", ref(d, "parameters", "id")));
    }
}

/* Numbering patterns of quotes and orders (sales_docs_api.c). */
static void sales_docs_paths(Doc *d)
{
    if (!meta_entity("orders") || !meta_entity("quotes"))
        return;
    json_t *ps = json_pack("{s:s, s:{s:{s:[s, s], s:i}, s:{s:[s, s], s:i}}, s:b}", "type", "object", "properties",
                           "quotes", "type", "string", "null", "maxLength", 40, "orders", "type", "string", "null",
                           "maxLength", 40, "additionalProperties", 0);
    json_t *op = operation(d, "sales", "number_patterns_get", "Numbering patterns of quotes and orders",
                           "{\"quotes\": pattern, \"orders\": pattern} as new numbers are made, e.g. SO-{YYYY}-{000000}.",
                           ACCESS_READ, "", false);
    respond(op, "200", json_response("The patterns.", json_incref(ps)));
    add_op(d, "/api/v1/settings/number_patterns", "get", op);
    op = operation(d, "sales", "number_patterns_update", "Change numbering patterns",
                   "Administrators only. A pattern holds one counter {000} to {000000000000}, may hold {YYYY}, {YY}, "
                   "{MM}, {DD} (the counter restarts when they change), other characters letters, digits or - _ / ., "
                   "at most 40 characters; null restores the default. Numbers stay unique and gap-free per sequence.",
                   ACCESS_WRITE, "400 403 422", true);
    json_object_set_new(op, "requestBody", json_body("The patterns to change.", json_incref(ps)));
    respond(op, "200", json_response("The patterns.", ps));
    add_op(d, "/api/v1/settings/number_patterns", "patch", op);
}

/* The sales funnel and the weighted forecast (sales_opps_api.c). */
static void sales_opps_paths(Doc *d)
{
    static const struct {
        const char *path, *id, *summary, *description;
        bool group;
    } ops[] = {
        {"/api/v1/reports/funnel", "report_funnel", "Sales funnel (销售漏斗)",
         "Opportunities created between `from` and `to` (YYYY-MM-DD, UTC+8, inclusive, optional) that the caller may "
         "read, per stage in stage order: {from, to, count, amount, win_rate_pct, stages: [{stage_id, name, code, kind, "
         "probability_pct, count, amount, reached, conversion_pct}]}. reached counts the opportunities at the stage or "
         "a later non-lost one; conversion_pct = reached(next) / reached, whole percent rounded half up (null for the "
         "last stage and lost stages). Amounts in fen (null when the role hides opportunities.amount).",
         false},
        {"/api/v1/reports/forecast", "report_forecast", "Weighted forecast (加权预测)",
         "Open opportunities (stage kind open) the caller may read whose expected close is between `from` and `to`: "
         "{group, from, to, count, amount, weighted, rows: [{key, name, count, amount, weighted}]} grouped by `group` "
         "month (key YYYY-MM, default; with from and to every month of the period, empty ones with zeros), owner (key user id) or department (key department id); opportunities without an expected close are in no forecast. weighted = Σ amount × "
         "probability_pct / 100 in fen, rounded half up once per group.",
         true},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        json_t *op = operation(d, "sales", ops[i].id, ops[i].summary, ops[i].description, ACCESS_READ, "403 422", false);
        static const char *const dates[] = {"from", "to"};
        for (int k = 0; k < 2; k++)
            add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:s}}", "name", dates[k], "in", "query", "required", 0,
                                    "description", "A day, YYYY-MM-DD (UTC+8), inclusive.", "schema", "type", "string",
                                    "format", "date"));
        static const char *const ids[] = {"owner_id", "department_id"};
        for (int k = 0; k < 2; k++)
            add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:i}}", "name", ids[k], "in", "query", "required", 0,
                                    "description", "Only the opportunities of this owner / department.", "schema",
                                    "type", "integer", "minimum", 1));
        if (ops[i].group)
            add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:[s, s, s]}}", "name", "group", "in", "query",
                                    "required", 0, "description", "How to group the rows.", "schema", "type", "string",
                                    "enum", "month", "owner", "department"));
        respond(op, "200", json_response("The answer.", json_pack("{s:s}", "type", "object")));
        add_op(d, ops[i].path, "get", op);
    }
}

/* The front desk's endpoints (membership_api.c): availability, reports,
 * member care. Answers are described as objects with their main members. */
static void membership_paths(Doc *d)
{
    static const struct {
        const char *path, *id, *summary, *description, *params, *errors;
        bool public_;
    } ops[] = {
        {"/api/v1/bookings/availability", "bookings_availability", "Availability of a day (预定中心)",
         "Every active bookable resource (not consumables) with its opening hours and the live bookings (booked or "
         "checked out) overlapping business day `date` (UTC+8): {date, resources: [{id, name, kind, opening_time, "
         "closing_time, capacity, booked: [{start_at, end_at, booking_id, status, customer_id, guest_name}]}]}. Who "
         "booked is given only for bookings the caller may read.",
         "date", "403 422", false},
        {"/api/v1/public/availability", "public_availability", "Public availability (no login)",
         "Like bookings/availability, for the resources an administrator marked public, with the booked intervals "
         "only (no names or ids of bookings). 404 when no resource is public.",
         "date", "404 422", true},
        {"/api/v1/reports/daily_journal", "report_daily_journal", "Daily journal (流水)",
         "The checkout lines of business day `date`, a page at a time in time order: {date, lines: [{id, "
         "checkout_id, number, customer_id, customer_name, resource_id, description, kind, start_at, end_at, "
         "quantity, unit_price, amount, discount, total, payment_method, created_at}] (`limit` lines, 1..1000, "
         "default 100, from `offset`), count, amount, total (all lines of the day, whatever the page), limit, "
         "offset, truncated (more lines after this page), money: [top-ups and membership fees of the day], "
         "money_total}. Optional filters `payment_method` (cash, card, stored_value, count_card) and `kind` "
         "(coach, venue, facility, consumable). Needs the checkouts read scope all.",
         "date payment_method kind limit offset", "403 422", false},
        {"/api/v1/reports/income", "report_income", "Income by month, year or in total",
         "{period, rows: [{period, count, total}], total} of checkout totals (fen) by business day, `period` month "
         "(default), year or total, between `from` and `to` (YYYY-MM-DD, optional, inclusive).",
         "period from to", "403 422", false},
        {"/api/v1/reports/member_consumption", "report_member_consumption", "Member consumption",
         "Per member: {rows: [{customer_id, name, card_no, count, total, discount, points}], total}; with "
         "`customer_id` also that member's checkouts. Period `from`..`to` (optional).",
         "customer_id from to", "403 422", false},
        {"/api/v1/reports/by_resource", "report_by_resource", "Use and income by resource",
         "{rows: [{resource_id, name, kind, count, quantity, total}], kinds: [{kind, count, quantity, total}], "
         "total}: checkout lines per resource in the period (quantity: units, or minutes for time-based "
         "resources), and the same per resource kind (coach, venue, facility, consumable; kinds without lines "
         "left out).",
         "from to", "403 422", false},
        {"/api/v1/members/care", "members_care", "Member care (会员关怀)",
         "{expiring: [...], absent: [...], birthdays: [...]}: members whose membership ends within `days` (default "
         "30), members not seen for 30 days, and birthdays in the next 7 days; each {id, name, card_no, phone, "
         "expires_on, last_visit_at}. The customers read scope applies.",
         "days", "403 422", false},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        json_t *op = operation(d, "membership", ops[i].id, ops[i].summary, ops[i].description,
                               ops[i].public_ ? ACCESS_PUBLIC : ACCESS_READ, ops[i].errors, false);
        char names[64];
        snprintf(names, sizeof names, "%s", ops[i].params);
        for (char *save = NULL, *p = strtok_r(names, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
            bool date = !strcmp(p, "date") || !strcmp(p, "from") || !strcmp(p, "to");
            json_t *schema = !strcmp(p, "period")        ? json_pack("{s:s, s:[s, s, s]}", "type", "string", "enum", "month", "year", "total")
                             : !strcmp(p, "payment_method") ? json_pack("{s:s, s:[s, s, s, s]}", "type", "string", "enum", "cash", "card", "stored_value", "count_card")
                             : !strcmp(p, "kind")        ? json_pack("{s:s, s:[s, s, s, s]}", "type", "string", "enum", "coach", "venue", "facility", "consumable")
                             : !strcmp(p, "limit")       ? json_pack("{s:s, s:i, s:i, s:i}", "type", "integer", "minimum", 1, "maximum", MS_JOURNAL_PAGE_MAX, "default", MS_JOURNAL_PAGE)
                             : date                     ? json_pack("{s:s, s:s}", "type", "string", "format", "date")
                                                        : json_pack("{s:s, s:i}", "type", "integer", "minimum", 0);
            add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", p, "in", "query", "required",
                                    !strcmp(p, "date") && strstr(ops[i].id, "journal") ? 1 : 0, "description",
                                    date ? "A business day, YYYY-MM-DD (UTC+8)." : p, "schema", schema));
        }
        respond(op, "200", json_response("The answer.", json_pack("{s:s}", "type", "object")));
        add_op(d, ops[i].path, "get", op);
    }
}

/* Territories, sales targets and customer value (sales_targets_api.c). */
static void sales_targets_paths(Doc *d)
{
    if (meta_entity("assignment_rules")) {
        json_t *op = operation(d, "assignment_rules", "assignment_rules_preview", "Which assignment rule would match",
                               "For a new record of `entity` (leads or customers) with the given region_id, industry_id "
                               "and source_id (each optional): the first active rule that would assign it and the user "
                               "(for a round robin: the next in turn, which is not taken). {\"rule\": {id, name, "
                               "target} | null, \"user\": {id, name} | null}. Administrators only.",
                               ACCESS_WRITE, "400 403 422", true);
        json_object_set_new(op, "requestBody",
                            json_body("The new record's values.",
                                      json_pack("{s:s, s:{s:{s:s, s:[s, s]}, s:{s:s}, s:{s:s}, s:{s:s}}, s:[s]}", "type",
                                                "object", "properties", "entity", "type", "string", "enum", "leads",
                                                "customers", "region_id", "type", "integer", "industry_id", "type",
                                                "integer", "source_id", "type", "integer", "required", "entity")));
        respond(op, "200", json_response("The rule and user, or nulls.", json_pack("{s:s}", "type", "object")));
        add_op(d, "/api/v1/assignment_rules/preview", "post", op);
    }
    if (meta_entity("sales_targets")) {
        json_t *op = operation(d, "sales_targets", "report_targets", "Sales target attainment (目标完成情况)",
                               "The targets of `month` the caller may read with what was achieved: {month, from, to, "
                               "data: [{id, month, scope (user | department | product_line), basis (orders | receipts), "
                               "subject, user_id, target_department_id, category_id, owner_id, department_id, target, "
                               "actual, pct, version}]}. Orders count when approved or later (not cancelled or returned) "
                               "by order_date: a person's own orders, a department's and those below it, a product "
                               "line's order lines (its category and below); receipts are payments by paid_on. Sums "
                               "run under the caller's read scope of orders and payments. Money in fen; pct has one "
                               "decimal (null for a zero target).",
                               ACCESS_READ, "403 422", false);
        add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:s}}", "name", "month", "in", "query", "required", 1,
                                "description", "The month, YYYY-MM.", "schema", "type", "string", "pattern",
                                "^[0-9]{4}-[0-9]{2}$"));
        respond(op, "200", json_response("The targets with attainment.", json_pack("{s:s}", "type", "object")));
        add_op(d, "/api/v1/reports/targets", "get", op);
    }
    json_t *op = operation(d, "customers", "report_customer_value", "Customer value pyramid (客户价值金字塔)",
                           "The customers the caller may read, ranked by total_purchases (orders approved or later, "
                           "not cancelled or returned): {customers, purchasing, no_purchase, amount, tiers: [{tier: "
                           "vip (top 5 %) | key (to 20 %) | ordinary (to 50 %) | small, count, amount, min_purchases, "
                           "upto_pct}], segments: [{segment, label_zh, label_en, count, amount}]} with the eight RFM "
                           "segments. Money in fen.",
                           ACCESS_READ, "403", false);
    respond(op, "200", json_response("The pyramid.", json_pack("{s:s}", "type", "object")));
    add_op(d, "/api/v1/reports/customer_value", "get", op);
    op = operation(d, "customers", "report_customer_value_recompute", "Recompute RFM segments",
                   "Recompute the RFM quintile cuts and every customer's rfm_score and rfm_segment now (a daily job "
                   "does it at 02:15); with {\"aggregates\": true} first total_purchases, purchase_count and "
                   "last_purchase_on of every customer from the orders. Answers {\"rescored\": n}. Administrators "
                   "only.",
                   ACCESS_WRITE, "400 403 422", true);
    json_object_set_new(op, "requestBody",
                        json_body("Options (the body may be empty).",
                                  json_pack("{s:s, s:{s:{s:s}}}", "type", "object", "properties", "aggregates", "type",
                                            "boolean")));
    json_object_set_new(json_object_get(op, "requestBody"), "required", json_false());
    respond(op, "200", json_response("How many customers got a new score.", json_pack("{s:s}", "type", "object")));
    add_op(d, "/api/v1/reports/customer_value/recompute", "post", op);
}

static void meta_paths(Doc *d)
{
    json_t *op = operation(d, "meta", "openapi", "This document",
                           "The OpenAPI description of the API, generated "
                           "from the metadata.",
                           ACCESS_PUBLIC, "", false);
    respond(op, "200", json_response("The OpenAPI document.", json_pack("{s:s}", "type", "object")));
    add_op(d, "/api/v1/openapi.json", "get", op);

    op = operation(d, "meta", "meta_entities", "List entities",
                   "Metadata of the entities the caller may read: fields, labels, options and the caller's access.",
                   ACCESS_READ, "", false);
    respond(op, "200",
            json_response("The entities.",
                          json_pack("{s:s, s:{s:{s:s, s:o}}, s:[s]}", "type", "object", "properties", "data", "type",
                                    "array", "items", schema_ref(d, "EntityMeta"), "required", "data")));
    add_op(d, "/api/v1/meta/entities", "get", op);

    int n;
    const Entity *const *all = meta_entities(&n);
    json_t *names = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(names, json_string(all[i]->name));
    op = operation(d, "meta", "meta_entity", "Describe an entity", "Metadata of one entity the caller may read.",
                   ACCESS_READ, "404", false);
    add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:o}}", "name", "name", "in", "path", "required", 1,
                            "description", "Entity name.", "schema", "type", "string", "enum", names));
    respond(op, "200", json_response("The entity.", schema_ref(d, "EntityMeta")));
    add_op(d, "/api/v1/meta/entities/{name}", "get", op);

    op = operation(d, "audit", "audit_list", "Read the audit log",
                   "Newest first. Administrators may read everything; other users only the entries of one record "
                   "they can see (give entity and record_id, else 403).",
                   ACCESS_READ, "400 403", false);
    add_param(op, json_pack("{s:s, s:s, s:s, s:{s:s}}", "name", "entity", "in", "query", "description", "Entity name.",
                            "schema", "type", "string"));
    add_param(op, json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "name", "record_id", "in", "query", "description",
                            "Record id.", "schema", "type", "integer", "format", "int64"));
    add_param(op, json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "name", "user_id", "in", "query", "description",
                            "Acting user.", "schema", "type", "integer", "format", "int64"));
    add_param(op,
              json_pack("{s:s, s:s, s:s, s:{s:s}}", "name", "action", "in", "query", "description",
                        "Action: create, update, delete, login, login_failed, export …", "schema", "type", "string"));
    add_param(op, json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "name", "from", "in", "query", "description",
                            "Entries at or after this time (RFC 3339).", "schema", "type", "string", "format",
                            "date-time"));
    add_param(op, json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "name", "to", "in", "query", "description",
                            "Entries before this time (RFC 3339).", "schema", "type", "string", "format", "date-time"));
    add_param(op, ref(d, "parameters", "limit"));
    add_param(op, ref(d, "parameters", "offset"));
    respond(op, "200",
            json_response("Audit entries.",
                          json_pack("{s:s, s:{s:{s:s, s:o}}, s:[s]}", "type", "object", "properties", "data", "type",
                                    "array", "items", schema_ref(d, "AuditEntry"), "required", "data")));
    add_op(d, "/api/v1/audit", "get", op);

    op = operation(d, "search", "search", "Search customers, contacts and leads",
                   "Newest first, up to `limit` matches per entity the caller may read, scope-checked like lists. "
                   "`q` is part of a name (one Chinese character or more), pinyin initials of a name (two letters "
                   "or more, every reading: 长沙 is cs and zs), part of a phone number (3+ digits; spaces, dashes, "
                   "+86/0086 or a trunk 0 allowed), or part of an e-mail or number (3+ characters). Fields hidden "
                   "from the caller's role are neither matched nor shown.",
                   ACCESS_READ, "400", false);
    add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:i, s:i}}", "name", "q", "in", "query", "required", 1,
                            "description", "Text to look for.", "schema", "type", "string", "minLength", 1,
                            "maxLength", 100));
    add_param(op, json_pack("{s:s, s:s, s:s, s:{s:s, s:i, s:i, s:i}}", "name", "limit", "in", "query", "description",
                            "Matches per entity (default 5).", "schema", "type", "integer", "minimum", 1, "maximum",
                            50, "default", 5));
    respond(op, "200",
            json_response("Matches, customers first, then contacts, then leads.",
                          json_pack("{s:s, s:{s:{s:s, s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}, s:[s, s, s, s]}}},"
                                    " s:[s]}",
                                    "type", "object", "properties", "data", "type", "array", "items", "type", "object",
                                    "properties", "entity", "type", "string", "id", "type", "integer", "title", "type",
                                    "string", "subtitle", "type", "string", "required", "entity", "id", "title",
                                    "subtitle", "required", "data")));
    add_op(d, "/api/v1/search", "get", op);

    op = operation(d, "reminders", "reminders_list", "My reminders (待办)",
                   "The caller's reminders about records they own and may read: birthday (customers/contacts, today "
                   "and the next 3 days), task_due and task_overdue (follow-ups and tasks due today or in the 30 days "
                   "before), no_contact (customers without a follow-up for the configured days), pool_release "
                   "(customers the pool will take back soon), assigned (records given to the caller in the last 7 "
                   "days); for front-desk users, member_expiring (memberships ending in the next 30 days) and "
                   "member_absent (members not seen for a month), over the members they may read.",
                   ACCESS_READ, "", false);
    respond(op, "200",
            json_response("Reminders, by kind then date.",
                          json_pack("{s:s, s:{s:{s:s, s:{s:s, s:{s:{s:s, s:[s, s, s, s, s, s, s, s]}, s:{s:s}, s:{s:s},"
                                    " s:{s:s}, s:{s:s, s:s}, s:{s:s}, s:{s:s}}, s:[s, s, s, s]}}}, s:[s]}",
                                    "type", "object", "properties", "data", "type", "array", "items", "type", "object",
                                    "properties", "kind", "type", "string", "enum", "birthday", "task_due",
                                    "task_overdue", "no_contact", "pool_release", "assigned", "member_expiring",
                                    "member_absent", "entity", "type", "string",
                                    "id", "type", "integer", "title", "type", "string", "date", "type", "string",
                                    "format", "date", "at", "type", "string", "detail", "type", "object", "required",
                                    "kind", "entity", "id", "date", "required", "data")));
    add_op(d, "/api/v1/reminders", "get", op);
    json_t *rs = json_pack("{s:s, s:{s:{s:s, s:i, s:i}}, s:b}", "type", "object", "properties", "no_contact_days", "type",
                           "integer", "minimum", 0, "maximum", 3650, "additionalProperties", 0);
    op = operation(d, "reminders", "reminder_settings_get", "Reminder settings",
                   "no_contact_days: customers without a follow-up for this many days are reminded (0 = off).",
                   ACCESS_READ, "", false);
    respond(op, "200", json_response("The settings.", json_incref(rs)));
    add_op(d, "/api/v1/reminders/settings", "get", op);
    op = operation(d, "reminders", "reminder_settings_update", "Change reminder settings",
                   "Administrators only.", ACCESS_WRITE, "400 403 422", true);
    json_object_set_new(op, "requestBody", json_body("The settings to change.", json_incref(rs)));
    respond(op, "200", json_response("The settings.", rs));
    add_op(d, "/api/v1/reminders/settings", "patch", op);
    if (meta_entity("leads")) {
        op = operation(d, "leads", "leads_convert_many", "Convert several leads",
                       "Bulk lead conversion (批量转化): each listed lead is converted on its own, as POST "
                       "/api/v1/leads/{id}/convert does (customer + contact, and an opportunity with "
                       "create_opportunity), in one transaction per lead. Leads outside the caller's scope or already "
                       "converted are reported per lead and do not stop the others.",
                       ACCESS_WRITE, "400 422", true);
        json_object_set_new(
            op, "requestBody",
            json_body("The leads (1 to 500 ids) and whether to create opportunities.",
                      json_pack("{s:s, s:{s:{s:s, s:i, s:i, s:{s:s, s:i}}, s:{s:s}}, s:[s]}", "type", "object",
                                "properties", "ids", "type", "array", "minItems", 1, "maxItems", RECORD_LIMIT_MAX, "items",
                                "type", "integer", "minimum", 1, "create_opportunity", "type", "boolean", "required",
                                "ids")));
        respond(op, "200",
                json_response("One result per lead, in the order given: {lead_id, customer_id, contact_id,"
                              " opportunity_id} or {lead_id, error}.",
                              json_pack("{s:s, s:{s:{s:s, s:{s:s}}, s:{s:s}, s:{s:s}}, s:[s, s, s]}", "type", "object",
                                        "properties", "data", "type", "array", "items", "type", "object", "converted",
                                        "type", "integer", "failed", "type", "integer", "required", "data", "converted",
                                        "failed")));
        add_op(d, "/api/v1/leads/convert", "post", op);
    }

    json_t *pl_opt = json_pack("{s:s, s:{s:{s:s}, s:{s:s, s:{s:{s:s}, s:{s:s}}}, s:{s:s}, s:{s:s}}}", "type", "object",
                               "properties", "value", "type", "string", "labels", "type", "object", "properties", "zh",
                               "type", "string", "en", "type", "string", "sort", "type", "integer", "active", "type",
                               "boolean");
    json_t *pl_list = json_pack("{s:s, s:{s:{s:s, s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s, s:o}}}}}, s:[s]}", "type",
                                "object", "properties", "data", "type", "array", "items", "type", "object", "properties",
                                "entity", "type", "string", "field", "type", "string", "options", "type", "array",
                                "items", pl_opt, "required", "data");
    op = operation(d, "picklists", "picklists_list", "Pick lists of enum fields",
                   "The enum fields whose options administrators edit (customer level, lifecycle stage, contact "
                   "category, lead quality …): every option's stable code (the stored value), its Chinese and English "
                   "labels, order, and whether it is offered for new input. Pick lists with records of their own "
                   "(customer_types, customer_sources, industries, regions) are ordinary entities.",
                   ACCESS_READ, "", false);
    respond(op, "200", json_response("The editable enum fields and their options.", json_incref(pl_list)));
    add_op(d, "/api/v1/picklists", "get", op);
    op = operation(d, "picklists", "picklist_update", "Edit the options of an enum field",
                   "Administrators only. Body {code: {\"zh\", \"en\", \"sort\", \"active\"}} for some or all "
                   "options; stored records keep their codes, so nothing else changes. 422 names the option of a bad "
                   "label or order, and then nothing is stored.",
                   ACCESS_WRITE, "400 403 404 422", true);
    add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", "entity_name", "in", "path", "required", 1,
                            "description", "Entity name, e.g. customers.", "schema", "type", "string"));
    add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", "field", "in", "path", "required", 1,
                            "description", "Enum field, e.g. level.", "schema", "type", "string"));
    json_object_set_new(
        op, "requestBody",
        json_body("Options by code.",
                  json_pack("{s:s, s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}}", "type", "object",
                            "additionalProperties", "type", "object", "properties", "zh", "type", "string", "en", "type",
                            "string", "sort", "type", "integer", "active", "type", "boolean")));
    respond(op, "200", json_response("All editable enum fields, as GET /api/v1/picklists.", pl_list));
    add_op(d, "/api/v1/picklists/{entity_name}/{field}", "patch", op);

    op = operation(d, "system", "healthz", "Health check", "200 while the database answers.", ACCESS_PUBLIC, "", false);
    respond(op, "200",
            json_response("Healthy.", json_pack("{s:s, s:{s:{s:s, s:[s]}}, s:[s]}", "type", "object", "properties",
                                                "status", "type", "string", "enum", "ok", "required", "status")));
    add_op(d, "/healthz", "get", op);
}

/* ---------- shared components ---------- */

static void shared_components(Doc *d)
{
    json_t *codes = json_pack("[s, s, s, s, s, s, s, s, s, s, s, s]", "bad_request", "unauthorized", "forbidden",
                              "csrf", "not_found", "method_not_allowed", "conflict", "payload_too_large",
                              "validation_failed", "too_many_requests", "database_error", "internal_error");
    json_object_set_new(
        d->schemas, "Error",
        json_pack("{s:s, s:s, s:{s:{s:s, s:{s:{s:s, s:s, s:o}, s:{s:s}, s:{s:s, s:s, s:{s:s}}}, s:[s, s]}}, "
                  "s:[s]}",
                  "type", "object", "description", "Every error answer.", "properties", "error", "type", "object",
                  "properties", "code", "type", "string", "description",
                  "Machine code; usually one of the listed ones, modules may add their own.", "examples", codes,
                  "message", "type", "string", "fields", "type", "object", "description",
                  "Field name -> what is wrong with it (validation errors).", "additionalProperties", "type", "string",
                  "required", "code", "message", "required", "error"));

    json_t *part = json_pack("{s:[s, s], s:i}", "type", "string", "null", "maxLength", 200);
    json_object_set_new(d->schemas, "Address",
                        json_pack("{s:s, s:s, s:{s:O, s:O, s:O, s:O, s:O, s:O}, s:b}", "type", "object", "description",
                                  "A postal address; every part is optional text (at most 200 "
                                  "characters).",
                                  "properties", "country", part, "province", part, "city", part, "district", part,
                                  "street", part, "postcode", part, "additionalProperties", 0));
    json_decref(part);

    json_object_set_new(
        d->schemas, "HistoryEntry",
        json_pack("{s:s, s:{s:{s:s, s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s, s:s}, s:{s:[s, s]}, s:{s:[s, s]}},"
                  " s:[s, s, s, s, s]}",
                  "type", "object", "properties", "id", "type", "integer", "format", "int64", "field", "type", "string",
                  "old", "description", "Value before the change.", "new", "description", "Value after the change.",
                  "at", "type", "string", "format", "date-time", "user_id", "type", "integer", "null", "user_name",
                  "type", "string", "null", "required", "id", "field", "old", "new", "at"));
    json_object_set_new(
        d->schemas, "AuditEntry",
        json_pack("{s:s, s:{s:{s:s, s:s}, s:{s:s, s:s}, s:{s:[s, s]}, s:{s:[s, s]}, s:{s:[s, s]}, s:{s:s},"
                  " s:{s:[s, s]}, s:{s:[s, s]}, s:{s:s}}, s:[s, s, s]}",
                  "type", "object", "properties", "id", "type", "integer", "format", "int64", "at", "type", "string",
                  "format", "date-time", "user_id", "type", "integer", "null", "user_name", "type", "string", "null",
                  "ip", "type", "string", "null", "action", "type", "string", "entity", "type", "string", "null",
                  "record_id", "type", "integer", "null", "diff", "description", "What changed (any JSON) or null.",
                  "required", "id", "at", "action"));
    json_object_set_new(
        d->schemas, "Token",
        json_pack("{s:s, s:{s:{s:s, s:s}, s:{s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:[s, s], s:s}, s:{s:[s, s], s:s}},"
                  " s:[s, s, s, s]}",
                  "type", "object", "properties", "id", "type", "integer", "format", "int64", "name", "type", "string",
                  "prefix", "type", "string", "description", "First characters of the token, to recognise it.",
                  "created_at", "type", "string", "format", "date-time", "last_used_at", "type", "string", "null",
                  "format", "date-time", "revoked_at", "type", "string", "null", "format", "date-time", "required",
                  "id", "name", "prefix", "created_at"));
    json_t *me_extra = json_pack("{s:s, s:{s:{s:s}, s:{s:s, s:s}, s:{s:s, s:s}}}", "type", "object", "properties",
                                 "is_admin", "type", "boolean", "permissions", "type", "object", "description",
                                 "The role permissions merged: entity -> action -> scope.", "csrf_token", "type",
                                 "string", "description", "Send as X-CSRF-Token with cookie sessions.");
    json_object_set_new(d->schemas, "Me",
                        meta_entity("users") ? json_pack("{s:[o, o]}", "allOf", schema_ref(d, "users"), me_extra)
                                             : me_extra);
    json_object_set_new(d->schemas, "LoginResult",
                        json_pack("{s:s, s:{s:{s:s, s:s}, s:{s:s, s:s}, s:o}, s:[s, s, s]}", "type", "object",
                                  "properties", "token", "type", "string", "description",
                                  "Session token for Authorization: Bearer.", "csrf_token", "type", "string",
                                  "description", "For X-CSRF-Token when using the cookie.", "user", schema_ref(d, "Me"),
                                  "required", "token", "csrf_token", "user"));

    json_t *types = json_array();
    for (int t = 0; t < FT__COUNT; t++)
        json_array_append_new(types, json_string(meta_type_name((FieldType)t)));
    json_t *labels = json_pack("{s:s, s:{s:{s:s}, s:{s:s}}, s:[s, s]}", "type", "object", "properties", "zh", "type",
                               "string", "en", "type", "string", "required", "zh", "en");
    json_t *scope = json_pack("{s:s, s:[s, s, s, s, s]}", "type", "string", "enum", "none", "own", "department",
                              "department_and_below", "all");
    json_t *flags = json_pack("{s:s}", "type", "boolean");
    json_object_set_new(
        d->schemas, "FieldMeta",
        json_pack("{s:s, s:{s:{s:s}, s:{s:s, s:o}, s:O, s:{s:s}, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:{s:s}, "
                  "s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:O, s:O, s:O, s:{}, s:{s:s, s:{s:s, s:{s:{s:s}, "
                  "s:{s:s}, s:O, s:{s:s}}, s:[s, s]}}}, s:[s, s, s]}",
                  "type", "object", "properties", "name", "type", "string", "type", "type", "string", "enum", types,
                  "labels", labels, "label", "type", "string", "required", flags, "readonly", flags, "sortable", flags,
                  "filterable", flags, "search", flags, "list", flags, "write_only", flags, "max_length", "type",
                  "integer", "min", "type", "integer", "max", "type", "integer", "scale", "type", "integer", "target",
                  "type", "string", "pattern", "type", "string", "key", flags, "board", flags, "calendar", flags,
                  "default", "options", "type", "array", "items", "type", "object", "properties", "value", "type",
                  "string", "label", "type", "string", "labels", labels, "number", "type", "integer", "required",
                  "value", "label", "required", "name", "type", "label"));
    json_t *access = json_object();
    for (int a = 0; a < ACT__COUNT; a++)
        json_object_set(access, acl_action_name((Action)a), scope);
    json_object_set_new(
        d->schemas, "EntityMeta",
        json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:O, s:{s:s}, s:O, s:{s:s, s:o}, s:{s:s}, s:{s:s}, s:{s:s, s:o}}, "
                  "s:[s, s, s]}",
                  "type", "object", "properties", "name", "type", "string", "label", "type", "string", "labels", labels,
                  "singular", "type", "string", "owned", flags, "fields", "type", "array", "items",
                  schema_ref(d, "FieldMeta"), "title_field", "type", "string", "module", "type", "string", "access",
                  "type", "object", "properties", access, "required", "name", "label", "fields"));
    json_decref(labels);
    json_decref(scope);
    json_decref(flags);

    json_object_set_new(d->params, "id",
                        json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:s, s:i}}", "name", "id", "in", "path", "required", 1,
                                  "description", "Record id.", "schema", "type", "integer", "format", "int64",
                                  "minimum", 1));
    json_object_set_new(d->params, "limit",
                        json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:i, s:i, s:i}}", "name", "limit", "in", "query",
                                  "required", 0, "description", "Rows per page.", "schema", "type", "integer",
                                  "minimum", 1, "maximum", RECORD_LIMIT_MAX, "default", RECORD_LIMIT_DEFAULT));
    json_object_set_new(d->params, "offset",
                        json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:i, s:i}}", "name", "offset", "in", "query",
                                  "required", 0, "description", "Rows to skip.", "schema", "type", "integer", "minimum",
                                  0, "default", 0));
    json_object_set_new(
        d->params, "fields",
        json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:s}}", "name", "fields", "in", "query", "required", 0, "description",
                  "Comma-separated names of the fields each record of the page carries (id always), e.g. "
                  "name,phone,owner_id,updated_at: a page of a few fields is read and sent at a fraction of the cost "
                  "of whole records. A name the record does not have, or a field the caller may not see, is 400. "
                  "Default: every field.",
                  "schema", "type", "string", "pattern", "^[a-z0-9_]+(,[a-z0-9_]+)*$"));

    static const struct {
        const char *name, *description;
    } responses[] = {
        {"BadRequest", "Malformed request: bad JSON, unknown filter field or operator, bad parameter."},
        {"Unauthorized", "Not logged in, or the token is expired, revoked or unknown."},
        {"Forbidden", "The caller's role does not allow this, or the CSRF token is missing or wrong (code csrf)."},
        {"NotFound", "No such record, or it is outside the caller's scope."},
        {"MethodNotAllowed", "The path exists but not with this method."},
        {"Conflict", "Stale version, duplicate unique value, or other records still refer to it."},
        {"PayloadTooLarge", "The request body is larger than the server accepts (1 MiB by default)."},
        {"ValidationFailed", "Validation failed; error.fields says what is wrong with each field."},
        {"TooManyRequests", "Too many attempts; wait Retry-After seconds."},
        {"InternalError", "Database or internal failure."},
    };
    json_t *resp = json_object_get(json_object_get(d->root, "components"), "responses");
    for (size_t i = 0; i < sizeof responses / sizeof responses[0]; i++) {
        json_t *r = json_response(responses[i].description, schema_ref(d, "Error"));
        if (!strcmp(responses[i].name, "MethodNotAllowed"))
            json_object_set_new(r, "headers",
                                json_pack("{s:{s:s, s:{s:s}}}", "Allow", "description", "The methods the path has.",
                                          "schema", "type", "string"));
        if (!strcmp(responses[i].name, "TooManyRequests"))
            json_object_set_new(r, "headers",
                                json_pack("{s:{s:s, s:{s:s, s:i}}}", "Retry-After", "description", "Seconds to wait.",
                                          "schema", "type", "integer", "minimum", 1));
        json_object_set_new(resp, responses[i].name, r);
    }
}

/* ---------- route table coverage ---------- */

/* Make sure every route of the API table appears: a route this file does not
 * describe (one added without updating it) gets a stub operation marked
 * "x-undocumented": true, with its path parameters, so the document stays
 * complete and valid and tests/openapi_lint.sh can point at it. {entity}
 * routes are checked for every entity (attachment routes for the entities
 * whose records may have attachments); the module-action route
 * POST …/{id}/{action} is described by its restore and purge actions. */
static void cover_routes(Doc *d)
{
    int n;
    const Entity *const *all = meta_entities(&n);
    const Route *tables[] = {api_routes,
                             membership_api_routes,
                             sales_targets_api_routes,
                             sales_opps_api_routes,
                             sales_docs_api_routes,
                             attachments_api_routes,
                             receivables_api_routes};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
    for (const Route *rt = tables[t]; rt->method; rt++) {
        if (strstr(rt->pattern, "{action}"))
            continue;
        bool per_entity = strstr(rt->pattern, "{entity}") != NULL;
        for (int i = 0; i < (per_entity ? n : 1); i++) {
            /* records of system entities have no attachments (404), so no path */
            if (per_entity && tables[t] == attachments_api_routes && !attachments_allowed(all[i]))
                continue;
            Buf path;
            buf_init(&path, &d->arena);
            const char *p = rt->pattern;
            if (per_entity) {
                const char *at = strstr(p, "{entity}");
                buf_raw_n(&path, p, (size_t)(at - p));
                buf_raw(&path, all[i]->name);
                p = at + strlen("{entity}");
            }
            buf_raw(&path, p);
            char method[16];
            size_t k = 0;
            for (; rt->method[k] && k < sizeof method - 1; k++)
                method[k] = (char)(rt->method[k] | 0x20);
            method[k] = 0;
            if (json_object_get(json_object_get(d->paths, path.data), method))
                continue;
            char *id = arena_printf(&d->arena, "undocumented_%s%s", method, path.data);
            for (char *c = id; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
                    *c = '_';
            json_t *op = operation(d, "other", id, arena_printf(&d->arena, "%s %s", rt->method, path.data),
                                   "This route is served but not described yet.",
                                   (rt->flags & ROUTE_PUBLIC)    ? ACCESS_PUBLIC
                                   : (rt->flags & ROUTE_MUTATES) ? ACCESS_WRITE
                                                                 : ACCESS_READ,
                                   "400 403 404", false);
            json_object_set_new(op, "x-undocumented", json_true());
            respond(op, "200", json_pack("{s:s}", "description", "Success."));
            for (const char *c = strchr(path.data, '{'); c; c = strchr(c + 1, '{')) {
                const char *end = strchr(c, '}');
                if (!end)
                    break;
                add_param(op, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", c + 1, (size_t)(end - c - 1), "in", "path",
                                        "required", 1, "schema", "type", "string"));
            }
            add_op(d, path.data, method, op);
            d->stubs++;
        }
    }
}

/* The receivables report (receivables_api.c). */
static void receivables_paths(Doc *d)
{
    if (!meta_entity("payments") || !meta_entity("orders"))
        return;
    json_t *money = json_pack("{s:s, s:s}", "type", "integer", "description", "fen");
    json_t *row = json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:O, s:O, s:O, s:O}}", "type", "object", "properties",
                            "customer_id", "type", "integer", "customer_name", "type", "string", "receivable_total",
                            money, "received_total", money, "balance_due", money, "overdue_amount", money);
    json_object_set_new(d->schemas, "ReceivableRow", row);
    static const struct {
        const char *name, *description, *schema;
    } params[] = {
        {"sort",
         "balance_due (default), overdue_amount, receivable_total, received_total or customer_name (pinyin order)",
         "string"},
        {"dir", "desc (default) or asc", "string"},
        {"overdue", "1: only customers with an overdue amount", "string"},
        {"due", "1: only customers with a positive balance due", "string"},
        {"q", "part of the customer's name", "string"},
    };
    const char *what =
        "Per customer the viewer may read (customers with nothing receivable, received or overdue are left out), "
        "the same figures as GET /customers/{id}, each under the reader's scope of its entity: receivable_total = "
        "Σ total of orders approved, delivered, invoiced, closed or returned + Σ amount of active or expired "
        "contracts not tied to an order − Σ credit of returns; received_total = Σ payments (prepayments "
        "included); balance_due = receivable_total − received_total; overdue_amount = Σ unpaid parts of payment "
        "plans due before today (company time). Users who may not read payments: 403.";
    json_t *op = operation(d, "sales", "receivables_list", "Receivables per customer (应收账款)", what, ACCESS_READ,
                           "403 422", false);
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
        add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", params[i].name, "in", "query", "required", 0,
                                "description", params[i].description, "schema", "type", params[i].schema));
    add_param(op, json_pack("{s:s, s:s, s:b, s:{s:s, s:i, s:i}}", "name", "limit", "in", "query", "required", 0,
                            "schema", "type", "integer", "minimum", 1, "maximum", 500));
    add_param(op, json_pack("{s:s, s:s, s:b, s:{s:s, s:i}}", "name", "offset", "in", "query", "required", 0, "schema",
                            "type", "integer", "minimum", 0));
    respond(op, "200",
            json_response("The page of rows, how many rows there are in all, the sums over all of them.",
                          json_pack("{s:s, s:{s:{s:s, s:o}, s:{s:s}, s:{s:s, s:{s:O, s:O, s:O, s:O}}, s:{s:s}, s:{s:s},"
                                    " s:{s:s, s:s}}}",
                                    "type", "object", "properties", "data", "type", "array", "items",
                                    schema_ref(d, "ReceivableRow"), "total", "type", "integer", "totals", "type",
                                    "object", "properties", "receivable_total", money, "received_total", money,
                                    "balance_due", money, "overdue_amount", money, "sort", "type", "string", "dir",
                                    "type", "string", "as_of", "type", "string", "format", "date")));
    add_op(d, "/api/v1/reports/receivables", "get", op);
    op = operation(d, "sales", "receivables_export", "Receivables as an Excel workbook",
                   "All rows of the report (same filters and order, no paging) and a totals row; money in yuan.",
                   ACCESS_READ, "403 422", false);
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
        add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", params[i].name, "in", "query", "required", 0,
                                "description", params[i].description, "schema", "type", params[i].schema));
    respond(op, "200",
            json_pack("{s:s, s:{s:{s:{s:s, s:s}}}}", "description", "The workbook.", "content",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "schema", "type", "string",
                      "format", "binary"));
    add_op(d, "/api/v1/reports/receivables/export", "get", op);
    op = operation(d, "sales", "receivables_customer", "One customer's receivables and the documents behind them",
                   "The customer's figures (as in the list, plus prepayment_total and invoiced_total), and its "
                   "receivable orders and contracts not tied to an order (newest first, at most 500 each), each with "
                   "id, number, status, date, total, received_amount, returned_amount, outstanding_amount, "
                   "overdue_amount, invoiced_amount, plans_total. A customer the caller may not read: 404.",
                   ACCESS_READ, "403 404", false);
    respond(op, "200", json_response("The customer's receivables.", json_pack("{s:s}", "type", "object")));
    add_op(d, "/api/v1/reports/receivables/{id}", "get", op);
    json_object_set_new(json_object_get(d->paths, "/api/v1/reports/receivables/{id}"), "parameters",
                        json_pack("[o]", ref(d, "parameters", "id")));
    json_decref(money);
}

/* Attachments of records (attachments_api.c). */
static void attachments_paths(Doc *d)
{
    json_object_set_new(
        d->schemas, "Attachment",
        json_pack(
            "{s:s, s:{s:{s:s}, s:{s:s, s:s}, s:{s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s},"
            " s:{s:[s, s]}, s:{s:[s, s]}, s:{s:s, s:s}, s:{s:s, s:s}}}",
            "type", "object", "properties", "id", "type", "integer", "parent_type", "type", "string", "description",
            "entity of the record the file belongs to", "parent_id", "type", "integer", "name", "type", "string",
            "description", "file name (UTF-8, no directories, at most 200 bytes)", "mime_type", "type", "string",
            "description", "type from the name's extension; unknown kinds application/octet-stream", "size", "type",
            "integer", "description", "bytes", "sha256", "type", "string", "description", "hex digest of the content",
            "created_by", "type", "integer", "null", "created_by_name", "type", "string", "null", "created_at", "type",
            "string", "format", "date-time", "url", "type", "string", "description", "where to download it"));
    json_t *list = json_pack("{s:s, s:{s:{s:s, s:o}}}", "type", "object", "properties", "data", "type", "array",
                             "items", schema_ref(d, "Attachment"));
    int n;
    const Entity *const *all = meta_entities(&n);
    for (int i = 0; i < n; i++) {
        const Entity *e = all[i];
        if (!attachments_allowed(e))
            continue;
        const char *path = arena_printf(&d->arena, "/api/v1/%s/{id}/attachments", e->name);
        json_t *op = operation(d, e->name, arena_printf(&d->arena, "%s_attachments_list", e->name),
                               arena_printf(&d->arena, "Files of a record of %s", e->name),
                               "The record's attachments (附件), newest first (at most 500). Whoever may read the "
                               "record may list and download them; a record outside the caller's scope is 404.",
                               ACCESS_READ, "404", false);
        respond(op, "200", json_response("The attachments.", json_incref(list)));
        add_op(d, path, "get", op);
        op = operation(
            d, e->name, arena_printf(&d->arena, "%s_attachments_upload", e->name),
            arena_printf(&d->arena, "Attach files to a record of %s", e->name),
            "Needs edit access to the record (readable but not editable: 403; out of scope: 404). Either "
            "multipart/form-data, where every part with a file name is a file (field \"file\" by convention, "
            "1 to 10 files), or the raw bytes of one file as the body (any other Content-Type) with its name "
            "in the header X-File-Name, percent-encoded UTF-8 (e.g. %E5%90%88%E5%90%8C.pdf). At most "
            "20 MiB (20971520 bytes) per file: a larger one is 413 with error.code file_too_large and nothing "
            "is stored; an empty file or a missing name is 422. All files of one request are stored in one "
            "transaction, with an audit row (attachment_upload) on the record for each.",
            ACCESS_WRITE, "400 403 404 422", true);
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s, s:{s:{s:s, s:s}}}}, s:{s:{s:s, s:s}}}}", "required", 1,
                                      "content", "multipart/form-data", "schema", "type", "object", "properties",
                                      "file", "type", "string", "format", "binary", "application/octet-stream",
                                      "schema", "type", "string", "format", "binary"));
        add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", "X-File-Name", "in", "header", "required", 0,
                                "description", "The file name of a raw-body upload, percent-encoded UTF-8.", "schema",
                                "type", "string"));
        respond(op, "201", json_response("The stored attachments.", json_incref(list)));
        add_op(d, path, "post", op);
        json_object_set_new(json_object_get(d->paths, path), "parameters",
                            json_pack("[o]", ref(d, "parameters", "id")));
    }
    json_decref(list);
    json_t *op = operation(d, "attachments", "attachments_get", "An attachment's facts",
                           "Name, type, size, digest, uploader. 404 when the caller may not read its record.",
                           ACCESS_READ, "404", false);
    respond(op, "200", json_response("The attachment.", schema_ref(d, "Attachment")));
    add_op(d, "/api/v1/attachments/{id}", "get", op);
    op = operation(d, "attachments", "attachments_delete", "Delete an attachment",
                   "Needs edit access to its record (403 when only readable, 404 when out of scope). The file is "
                   "removed at once; an audit row attachment_delete is written on the record.",
                   ACCESS_WRITE, "403 404", false);
    respond(op, "204", json_pack("{s:s}", "description", "Deleted."));
    add_op(d, "/api/v1/attachments/{id}", "delete", op);
    json_object_set_new(json_object_get(d->paths, "/api/v1/attachments/{id}"), "parameters",
                        json_pack("[o]", ref(d, "parameters", "id")));
    op = operation(d, "attachments", "attachments_content", "Download an attachment",
                   "The exact bytes, with the stored Content-Type, Content-Disposition: attachment with an ASCII "
                   "filename and the exact UTF-8 name in filename* (RFC 5987), X-Content-Type-Options: nosniff, a "
                   "sandboxing Content-Security-Policy and an ETag (the sha256; If-None-Match → 304). With inline=1 "
                   "images, PDF and plain text are served inline; other kinds (HTML, SVG, scripts …) never are. The "
                   "body is streamed from the database. Range: bytes=FIRST-[LAST] or bytes=-SUFFIX → 206 with "
                   "Content-Range (If-Range with the ETag honoured); a range starting at or past the end → 416 "
                   "range_not_satisfiable with Content-Range: bytes */SIZE; several ranges or a malformed Range "
                   "are ignored (200, the whole file).",
                   ACCESS_READ, "404", false);
    add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", "Range", "in", "header", "required", 0,
                            "description", "One byte range, e.g. bytes=0-1023, bytes=1024- or bytes=-500", "schema",
                            "type", "string"));
    add_param(op, json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:[s]}}", "name", "inline", "in", "query", "required", 0,
                            "description", "1: show in the browser when the type is safe to", "schema", "type",
                            "string", "enum", "1"));
    respond(op, "200",
            json_pack("{s:s, s:{s:{s:{s:s, s:s}}}}", "description", "The file.", "content", "*/*", "schema", "type",
                      "string", "format", "binary"));
    respond(op, "206",
            json_pack("{s:s, s:{s:{s:{s:s, s:s}}}}", "description", "The requested part of the file (Content-Range).",
                      "content", "*/*", "schema", "type", "string", "format", "binary"));
    respond(op, "416", json_response("The range starts at or past the end of the file.", schema_ref(d, "Error")));
    add_op(d, "/api/v1/attachments/{id}/content", "get", op);
    json_object_set_new(json_object_get(d->paths, "/api/v1/attachments/{id}/content"), "parameters",
                        json_pack("[o]", ref(d, "parameters", "id")));
}

/* The top of the document: info, servers, security, tags. */
static json_t *document_root(void)
{
    return json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:[{s:s, s:s}], s:[{s:[]}, {s:[]}], s:{}, s:{s:{}, s:{}, s:{}, s:{s:{s:s, s:s, "
        "s:s}, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}}}, s:[]}",
        "openapi", "3.1.0", "info", "title", "Guanxi CRM API", "version", "1", "description",
        "The JSON API of Guanxi. Log in with POST /api/v1/auth/login (or create an API token) and send "
        "`Authorization: Bearer <token>`; browsers use the session cookie and send X-CSRF-Token on changes. "
        "Money is an integer in minor units (fen); date-times are RFC 3339, returned in UTC; dates are "
        "YYYY-MM-DD; links are record ids. Errors are {\"error\": {\"code\", \"message\", \"fields\"}}. Labels "
        "come in Chinese and English (x-labels).",
        "servers", "url", "/", "description", "This server", "security", "bearerAuth", "cookieAuth", "paths",
        "components", "schemas", "parameters", "responses", "securitySchemes", "bearerAuth", "type", "http", "scheme",
        "bearer", "description",
        "A session token from POST /api/v1/auth/login, or an API token (gx_…) from POST /api/v1/auth/tokens.",
        "cookieAuth", "type", "apiKey", "in", "cookie", "name", AUTH_COOKIE, "description",
        "The session cookie set by login (browsers).", "csrfToken", "type", "apiKey", "in", "header", "name",
        "X-CSRF-Token", "description",
        "With the session cookie, state-changing requests must carry the session's CSRF token (from login or "
        "GET /api/v1/auth/me).",
        "tags");
}

static void add_tag(json_t *tags, const char *name, const char *description)
{
    json_array_append_new(tags, json_pack("{s:s, s:s}", "name", name, "description", description));
}

json_t *api_openapi(void)
{
    Doc d = {0};
    arena_init(&d.arena);
    d.root = document_root();
    d.paths = json_object_get(d.root, "paths");
    json_t *components = json_object_get(d.root, "components");
    d.schemas = json_object_get(components, "schemas");
    d.params = json_object_get(components, "parameters");
    json_t *tags = json_object_get(d.root, "tags");
    d.ops = json_array();
    for (size_t i = 0; i < NFILTER_OPS; i++)
        json_array_append_new(d.ops, json_string(filter_ops[i].name));
    d.filter_help = filter_syntax(&d);

    add_tag(tags, "auth", "Log in and out, the current user, passwords.");
    add_tag(tags, "tokens", "API tokens for scripts.");
    add_tag(tags, "meta", "Entity metadata and this document.");
    add_tag(tags, "audit", "The audit log.");
    add_tag(tags, "search", "Search across entities.");
    add_tag(tags, "reminders", "Reminders and to-dos (待办) of the current user.");
    add_tag(tags, "sales", "Sales: the funnel and the weighted forecast of opportunities (销售漏斗 / 加权预测).");
    add_tag(tags, "membership", "The front desk: availability, reports and member care (会员 / 预定 / 结账).");
    add_tag(tags, "attachments",
            "Files attached to records (附件): download and delete; upload and list under each entity.");
    add_tag(tags, "system", "Health.");
    shared_components(&d);
    auth_paths(&d);
    meta_paths(&d);
    membership_paths(&d);
    sales_targets_paths(&d);
    sales_opps_paths(&d);
    sales_docs_paths(&d);
    import_paths(&d);
    attachments_paths(&d);
    receivables_paths(&d);

    int n;
    const Entity *const *all = meta_entities(&n);
    for (int i = 0; i < n; i++) {
        const Entity *e = all[i];
        json_t *tag = json_pack("{s:s, s:s, s:o}", "name", e->name, "description",
                                arena_printf(&d.arena, "%s: records of %s.", label_text(&d, &e->label), e->name),
                                "x-labels", labels_json(&e->label));
        json_object_set_new(tag, "x-displayName", json_string(label_text(&d, &e->label)));
        json_array_append_new(tags, tag);
        record_schema(&d, e);
        input_schemas(&d, e);
        list_schema(&d, e);
        entity_paths(&d, e);
    }
    cover_routes(&d);
    if (d.stubs)
        add_tag(tags, "other", "Routes not described yet.");
    json_decref(d.ops);
    arena_free(&d.arena);
    return d.root;
}
