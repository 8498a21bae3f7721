/* dupes_api.c — duplicates, merge, import (with undo) and vCard endpoints:
 *
 *   GET  /api/v1/{entity}/duplicates?name=&phone=&mobile=&email=&credit_code=&exclude=
 *   POST /api/v1/customers/{id}/merge {"from": id, "fields": {field: "from"|"into"}}
 *   POST /api/v1/{entity}/import   (multipart "file" or a raw CSV/vCard body; options
 *                                   as query or form fields)
 *   GET  /api/v1/imports, GET /api/v1/imports/{id}, POST /api/v1/imports/{id}/undo
 *   GET  /api/v1/contacts/{id}/vcard?version=3|4
 *   GET  /api/v1/contacts/export?format=vcf (called from export.c) */
#include <string.h>
#include <strings.h>

#include "../base/util.h"
#include "../modules/modules.h"
#include "api.h"

void api_duplicates(Req *r)
{
    const Entity *e = api_entity(r);
    if (!e)
        return;
    json_t *probe = json_object();
    static const char *const keys[] = {"name", "phone", "mobile", "email", "credit_code"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = http_query(r, keys[i]);
        if (v && *v)
            json_object_set_new(probe, keys[i], json_string(v));
    }
    int64_t exclude = 0;
    const char *ex = http_query(r, "exclude");
    if (ex && *ex && !parse_i64(ex, &exclude)) {
        json_decref(probe);
        ctx_fail(&r->c, GX_EBADREQ, "exclude must be a record id");
        return api_fail(r);
    }
    json_t *rows;
    GxErr rc = dupes_find(&r->c, e, probe, exclude, &rows);
    json_decref(probe);
    if (rc)
        return api_fail(r);
    http_json(r, 200, json_pack("{s:o}", "data", rows));
}

/* POST /api/v1/customers/{id}/merge */
static void act_merge(Req *r, const Entity *e, int64_t id)
{
    json_t *b = api_body(r);
    if (!b)
        return;
    json_t *from = json_object_get(b, "from");
    json_t *fields = json_object_get(b, "fields");
    if (!json_is_integer(from) || json_integer_value(from) <= 0) {
        json_decref(b);
        ctx_field(&r->c, "from", "is required: the id of the record to merge into this one");
        return api_fail(r);
    }
    if (fields && !json_is_object(fields) && !json_is_null(fields)) {
        json_decref(b);
        ctx_field(&r->c, "fields", "must be an object {field: \"from\" | \"into\"}");
        return api_fail(r);
    }
    json_t *out;
    GxErr rc = merge_records(&r->c, e, id, json_integer_value(from), json_is_object(fields) ? fields : NULL, &out);
    json_decref(b);
    if (rc)
        return api_fail(r);
    http_json(r, 200, out);
}

/* An option from the form parts, else the query string. */
static const char *option(Req *r, HttpPart *parts, int nparts, const char *name)
{
    for (int i = 0; i < nparts; i++)
        if (!parts[i].filename && !strcmp(parts[i].name, name))
            return parts[i].data;
    return http_query(r, name);
}

static bool truthy(const char *v)
{
    return v && (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "on") || !strcasecmp(v, "yes"));
}

bool api_import_options(Req *r, HttpPart *parts, int nparts, ImportOptions *o, json_t **mapping)
{
    *mapping = NULL;
    memset(o, 0, sizeof *o);
    o->format = option(r, parts, nparts, "format");
    o->encoding = option(r, parts, nparts, "encoding");
    o->on_duplicate = option(r, parts, nparts, "on_duplicate");
    o->partial = truthy(option(r, parts, nparts, "partial"));
    o->dry_run = truthy(option(r, parts, nparts, "dry_run"));
    o->rowwise = truthy(option(r, parts, nparts, "rowwise"));
    o->filename = option(r, parts, nparts, "filename");
    const char *d = option(r, parts, nparts, "delimiter");
    if (d && *d) {
        if (!strcmp(d, "tab") || !strcmp(d, "\t"))
            o->delimiter = '\t';
        else if (!strcmp(d, "comma") || !strcmp(d, ","))
            o->delimiter = ',';
        else if (!strcmp(d, "semicolon") || !strcmp(d, ";"))
            o->delimiter = ';';
        else if (strcmp(d, "auto")) {
            ctx_fail(&r->c, GX_EBADREQ, "delimiter must be comma, tab, semicolon or auto");
            return false;
        }
    }
    if (o->format && *o->format && strcmp(o->format, "csv") && strcmp(o->format, "vcf")) {
        ctx_fail(&r->c, GX_EBADREQ, "format must be csv or vcf");
        return false;
    }
    const char *m = option(r, parts, nparts, "mapping");
    if (m && *m) {
        json_error_t jerr;
        *mapping = json_loads(m, 0, &jerr);
        if (!json_is_object(*mapping)) {
            json_decref(*mapping);
            *mapping = NULL;
            ctx_fail(&r->c, GX_EBADREQ, "mapping must be a JSON object {\"column header\": \"field name\"}");
            return false;
        }
        o->mapping = *mapping;
    }
    return true;
}

/* Answer an import: the report, with the error beside it when it failed. */
static void import_reply(Req *r, GxErr rc, json_t *report)
{
    if (rc && !report)
        return api_fail(r);
    if (rc) {
        json_t *err = json_pack("{s:s, s:s}", "code", r->c.err_code ? r->c.err_code : gx_err_code(rc), "message",
                                r->c.err_msg ? r->c.err_msg : "Error");
        json_object_set_new(report, "error", err);
        http_json(r, gx_http_status(rc), report);
        return;
    }
    http_json(r, json_is_true(json_object_get(report, "committed")) ? 201 : 200, report);
}

void api_import(Req *r)
{
    const Entity *e = api_entity(r);
    if (!e)
        return;
    HttpPart *parts = NULL;
    int nparts = http_multipart(r, &parts);
    if (nparts < 0)
        nparts = 0;
    const char *data = r->body;
    size_t len = r->body_len;
    const char *fname = NULL;
    const char *ct = http_header(r, "Content-Type");
    if (ct && !strncasecmp(ct, "multipart/form-data", 19)) {
        data = NULL;
        for (int i = 0; i < nparts; i++)
            if (!strcmp(parts[i].name, "file")) {
                data = parts[i].data;
                len = parts[i].len;
                fname = parts[i].filename;
            }
        if (!data) {
            ctx_fail(&r->c, GX_EBADREQ, "The form has no part named \"file\"");
            return api_fail(r);
        }
    }
    ImportOptions o;
    json_t *mapping;
    if (!api_import_options(r, parts, nparts, &o, &mapping))
        return api_fail(r);
    if (!o.filename)
        o.filename = fname;
    if (!o.format && fname && strlen(fname) > 4 && !strcasecmp(fname + strlen(fname) - 4, ".vcf"))
        o.format = "vcf";
    json_t *report;
    GxErr rc = import_run(&r->c, e, data ? data : "", data ? len : 0, &o, &report);
    json_decref(mapping);
    import_reply(r, rc, report);
}

void api_imports_list(Req *r)
{
    json_t *rows;
    if (import_list(&r->c, &rows))
        return api_fail(r);
    http_json(r, 200, json_pack("{s:o}", "data", rows));
}

void api_import_get(Req *r)
{
    int64_t id;
    if (!api_id(r, &id))
        return;
    json_t *out;
    if (import_get(&r->c, id, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

void api_import_undo(Req *r)
{
    int64_t id;
    if (!api_id(r, &id))
        return;
    json_t *out;
    if (import_undo(&r->c, id, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

/* The contact with the name of its customer (when the user may see it). */
static void with_customer_name(Req *r, json_t *rec)
{
    const Entity *ce = meta_entity("customers");
    json_t *cid = json_object_get(rec, "customer_id");
    if (!ce || !json_is_integer(cid))
        return;
    json_t *cust;
    if (record_get(&r->c, ce, json_integer_value(cid), &cust) == GX_OK) {
        json_object_set(rec, "customer_name", json_object_get(cust, "name"));
        json_decref(cust);
    } else {
        ctx_clear(&r->c);
    }
}

/* The vCard version asked for: "version" on one contact, "vcard_version"
 * on the list export (where "version" filters the records' version). */
static int vcard_version(Req *r)
{
    const char *v = http_query(r, "vcard_version");
    if (!v)
        v = http_query(r, "version");
    if (!v || !*v || !strcmp(v, "3") || !strcmp(v, "3.0"))
        return 3;
    if (!strcmp(v, "4") || !strcmp(v, "4.0"))
        return 4;
    return 0;
}

void api_vcard(Req *r)
{
    const Entity *e = meta_entity("contacts");
    int64_t id;
    if (!e || !api_id(r, &id))
        return;
    int version = vcard_version(r);
    if (!version) {
        ctx_fail(&r->c, GX_EBADREQ, "version must be 3 or 4");
        return api_fail(r);
    }
    json_t *rec;
    if (record_get(&r->c, e, id, &rec))
        return api_fail(r);
    with_customer_name(r, rec);
    vcard_write(&r->out, e, rec, version);
    json_decref(rec);
    r->status = 200;
    r->content_type = "text/vcard; charset=utf-8";
    http_add_header(r, "Content-Disposition",
                    arena_printf(&r->arena, "attachment; filename=\"contact-%lld.vcf\"", (long long)id));
}

/* GET /api/v1/contacts/export?format=vcf with the list's filters and the
 * export scope. */
void api_export_vcf(Req *r, const Entity *e, ListQuery *lq)
{
    const char *vv = http_query(r, "vcard_version");
    int version = vv ? vcard_version(r) : 3;
    if (!version) {
        ctx_fail(&r->c, GX_EBADREQ, "vcard_version must be 3 or 4");
        return api_fail(r);
    }
    if (strcmp(e->name, "contacts")) {
        ctx_fail(&r->c, GX_EBADREQ, "vCard export is for contacts only");
        return api_fail(r);
    }
    lq->action = ACT_EXPORT;
    lq->count = false;
    lq->limit = RECORD_LIMIT_MAX;
    int64_t n = 0;
    for (int64_t off = 0; off < 100000; off += RECORD_LIMIT_MAX) {
        lq->offset = off;
        json_t *rows;
        if (record_list(&r->c, e, lq, &rows, NULL)) {
            buf_clear(&r->out);
            return api_fail(r);
        }
        size_t i;
        json_t *rec;
        json_array_foreach(rows, i, rec)
        {
            vcard_write(&r->out, e, rec, version);
            n++;
        }
        size_t got = json_array_size(rows);
        json_decref(rows);
        if (got < RECORD_LIMIT_MAX)
            break;
    }
    json_t *d = json_pack("{s:I, s:s}", "rows", (json_int_t)n, "format", "vcf");
    audit_write(&r->c, "export", e->name, 0, d);
    json_decref(d);
    r->status = 200;
    r->content_type = "text/vcard; charset=utf-8";
    http_add_header(r, "Content-Disposition", "attachment; filename=\"contacts.vcf\"");
}

void dupes_api_init(void)
{
    api_action_register(
        "customers", "merge", act_merge,
        "Merge another customer into this one. Body {\"from\": id, \"fields\": {field: \"from\"|\"into\"}"
        " (optional)}; every related record (contacts, activities, opportunities … found from metadata)"
        " moves here, empty fields take the other's values, conflicts keep this record's unless chosen,"
        " the other goes to the trash. Answers {record, moved: {entity: [ids]}, trashed}. Same record:"
        " 422; a record you cannot see: 404.");
}
