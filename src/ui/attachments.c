/* attachments.c — the attachments panel (附件) of record pages: the list
 * (name, size, uploader, time, download and delete) and an upload form
 * (htmx, multipart). The files themselves are served by the API
 * (GET /api/v1/attachments/{id}/content), which a logged-in browser may
 * call with its session cookie. Access rules: modules/attachments.h. */
#include <string.h>

#include "../base/util.h"
#include "../modules/attachments.h"
#include "ui.h"

/* Entities whose record pages show the panel. */
static const char *const with_panel[] = {"customers", "contacts",  "opportunities", "products", "quotes",
                                         "orders",    "contracts", "invoices",      NULL};

static bool has_panel(const Entity *e)
{
    for (int i = 0; with_panel[i]; i++)
        if (!strcmp(with_panel[i], e->name))
            return true;
    return false;
}

static void size_text(Buf *o, int64_t n)
{
    if (n >= (1 << 20))
        buf_printf(o, "%.1f MB", (double)n / (1 << 20));
    else if (n >= 1024)
        buf_printf(o, "%.1f KB", (double)n / 1024);
    else
        buf_printf(o, "%lld B", (long long)n);
}

/* The panel of record id of e (a <section id="attachments">), with an
 * optional error message above the form. The caller has checked that the
 * user may read the record. */
static void panel(Req *r, const Entity *e, int64_t id, const char *message)
{
    Buf *o = &r->out;
    json_t *list = NULL;
    if (attachments_list(&r->c, e, id, &list)) {
        ctx_clear(&r->c);
        return;
    }
    bool can_edit = attachments_parent_access(&r->c, e, id, ACT_EDIT) == GX_OK;
    ctx_clear(&r->c);
    json_t *rows = json_object_get(list, "data");
    buf_htmlf(o,
              "<section class=\"card attachments\" id=\"attachments\"><h2>%s <span class=\"muted\">(%lld)</span></h2>",
              T(r, "Attachments"), (long long)json_array_size(rows));
    if (message)
        buf_htmlf(o, "<div class=\"alert error\" role=\"alert\">%s</div>", message);
    if (!json_array_size(rows)) {
        buf_htmlf(o, "<p class=\"muted empty-attachments\">%s</p>",
                  can_edit ? T(r, "No attachments yet — upload contracts, scans or brochures below.")
                           : T(r, "No attachments."));
    } else {
        buf_htmlf(o,
                  "<div class=\"table-wrap\"><table class=\"grid\"><thead><tr><th>%s</th><th class=\"num\">%s</th>"
                  "<th>%s</th><th>%s</th><th></th></tr></thead><tbody>",
                  T(r, "File"), T(r, "Size"), T(r, "Uploaded by"), T(r, "Uploaded at"));
        size_t i;
        json_t *a;
        json_array_foreach(rows, i, a)
        {
            long long aid = (long long)json_integer_value(json_object_get(a, "id"));
            const char *name = json_string_value(json_object_get(a, "name"));
            const char *who = json_string_value(json_object_get(a, "created_by_name"));
            bool inline_ok;
            attachment_type(name, &inline_ok);
            buf_htmlf(
                o, "<tr><td data-label=\"%s\"><a class=\"attachment-name\" href=\"/api/v1/attachments/%lld/content%s\"",
                T(r, "File"), aid, inline_ok ? "?inline=1" : "");
            if (inline_ok)
                buf_raw(o, " target=\"_blank\" rel=\"noopener\"");
            buf_htmlf(o, ">%s</a></td>", name);
            buf_htmlf(o, "<td class=\"num\" data-label=\"%s\">", T(r, "Size"));
            size_text(o, json_integer_value(json_object_get(a, "size")));
            buf_htmlf(o, "</td><td data-label=\"%s\">%s</td><td data-label=\"%s\">", T(r, "Uploaded by"),
                      who ? who : "", T(r, "Uploaded at"));
            ui_datetime(r, o, json_string_value(json_object_get(a, "created_at")));
            buf_htmlf(o,
                      "</td><td class=\"actions\"><a class=\"btn small\" href=\"/api/v1/attachments/%lld/content\" "
                      "download>%s</a>",
                      aid, T(r, "Download"));
            if (can_edit)
                buf_htmlf(o,
                          " <button class=\"btn small danger\" type=\"button\" hx-post=\"/app/attachments/%lld/delete\""
                          " hx-target=\"#attachments\" hx-swap=\"outerHTML\" hx-confirm=\"%s\">%s</button>",
                          aid, T(r, "Delete this attachment?"), T(r, "Delete"));
            buf_raw(o, "</td></tr>");
        }
        buf_raw(o, "</tbody></table></div>");
    }
    if (can_edit) {
        buf_htmlf(
            o,
            "<form class=\"attachment-upload\" hx-post=\"/app/%s/%lld/attachments\" hx-encoding=\"multipart/form-data\""
            " hx-target=\"#attachments\" hx-swap=\"outerHTML\" method=\"post\" enctype=\"multipart/form-data\""
            " action=\"/app/%s/%lld/attachments\">",
            e->name, (long long)id, e->name, (long long)id);
        buf_htmlf(
            o,
            "<label>%s <input type=\"file\" name=\"file\" multiple required></label>"
            "<button class=\"btn primary small\" type=\"submit\">%s</button><small class=\"muted\">%s</small></form>",
            T(r, "Add files"), T(r, "Upload"), T(r, "Up to 20 MB per file, 10 files at a time."));
    }
    buf_raw(o, "</section>");
    json_decref(list);
}

bool ui_attachments_tab(const Entity *e)
{
    return has_panel(e);
}

void ui_attachments_panel(Req *r, const Entity *e, int64_t id)
{
    if (has_panel(e))
        panel(r, e, id, NULL);
}

/* After a failed upload or delete: the panel again, with the message. */
static void panel_with_error(Req *r, const Entity *e, int64_t id)
{
    int status = gx_http_status(r->c.err);
    Buf msg;
    buf_init(&msg, &r->arena);
    buf_raw(&msg, ui_engine_msg(r, r->c.err_msg ? r->c.err_msg : T(r, "Something went wrong")));
    if (r->c.err_fields && r->c.err != GX_ETOOLARGE) {
        const char *f;
        json_t *v;
        json_object_foreach(r->c.err_fields, f, v) buf_printf(&msg, ": %s", ui_engine_msg(r, json_string_value(v)));
    }
    ctx_clear(&r->c);
    ui_html_headers(r);
    r->status = status;
    panel(r, e, id, msg.data);
}

/* GET /app/{entity}/{id}/attachments — the panel alone. */
static void ui_attachments_get(Req *r)
{
    const Entity *e = ui_entity(r);
    int64_t id;
    if (!e || !ui_id(r, &id))
        return;
    if (attachments_parent_access(&r->c, e, id, ACT_READ))
        return ui_fail(r);
    ui_html_headers(r);
    panel(r, e, id, NULL);
}

/* POST /app/{entity}/{id}/attachments — upload (multipart, field "file"). */
static void ui_attachments_post(Req *r)
{
    const Entity *e = ui_entity(r);
    int64_t id;
    if (!e || !ui_id(r, &id))
        return;
    if (attachments_parent_access(&r->c, e, id, ACT_EDIT))
        return ui_fail(r);
    HttpPart *parts = NULL;
    int np = http_multipart(r, &parts);
    AttachmentIn files[ATTACHMENT_MAX_PER_UPLOAD + 1];
    int n = 0;
    for (int i = 0; i < np && n <= ATTACHMENT_MAX_PER_UPLOAD; i++)
        if (parts[i].filename && (parts[i].len || *parts[i].filename)) /* an empty file input sends filename="" */
            files[n++] = (AttachmentIn){parts[i].filename, parts[i].data, parts[i].len};
    json_t *out = NULL;
    if (attachments_store(&r->c, e, id, files, n, &out))
        return panel_with_error(r, e, id);
    json_decref(out);
    ui_html_headers(r);
    panel(r, e, id, NULL);
}

/* POST /app/attachments/{id}/delete */
static void ui_attachments_delete(Req *r)
{
    int64_t aid;
    if (!parse_i64(http_param(r, "id"), &aid) || aid <= 0) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such attachment");
        return ui_fail(r);
    }
    json_t *a;
    if (attachments_get(&r->c, aid, &a))
        return ui_fail(r);
    const Entity *e = meta_entity(json_string_value(json_object_get(a, "parent_type")));
    int64_t pid = json_integer_value(json_object_get(a, "parent_id"));
    json_decref(a);
    if (attachments_delete(&r->c, aid))
        return panel_with_error(r, e, pid);
    ui_html_headers(r);
    panel(r, e, pid, NULL);
}

#define H ROUTE_HTML
#define M (ROUTE_HTML | ROUTE_MUTATES)

const Route attachments_ui_routes[] = {
    {"GET", "/app/{entity}/{id}/attachments", ui_attachments_get, H, NULL},
    {"POST", "/app/{entity}/{id}/attachments", ui_attachments_post, M | ROUTE_LARGE_BODY, NULL},
    {"POST", "/app/attachments/{id}/delete", ui_attachments_delete, M, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
