/* attachments_api.c — the API of attachments (附件), see
 * modules/attachments.h for the model and the access rule.
 *
 *   POST   /api/v1/{entity}/{id}/attachments   upload (201, the stored list)
 *          multipart/form-data: every part with a file name is a file
 *          (field name "file" by convention), up to 10;
 *          any other body: the raw bytes of one file, named by the header
 *          X-File-Name (percent-encoded UTF-8, e.g. %E5%90%88%E5%90%8C.pdf).
 *          20 MiB per file: larger → 413 file_too_large, nothing stored.
 *   GET    /api/v1/{entity}/{id}/attachments   list {"data": [...]}
 *   GET    /api/v1/attachments/{id}            one attachment's facts
 *   GET    /api/v1/attachments/{id}/content    the bytes, with the stored
 *          type, Content-Disposition attachment (?inline=1: inline for
 *          images, PDF and plain text only), nosniff and a sandbox CSP;
 *          streamed from the database in HTTP_STREAM_BLOCK pieces (never
 *          whole in memory); Range: bytes=… gives 206 with Content-Range,
 *          a range past the end 416 (If-Range honoured, several ranges
 *          ignored: the whole file)
 *   DELETE /api/v1/attachments/{id}            204 */
#include <string.h>
#include <strings.h>

#include "../base/util.h"
#include "../modules/attachments.h"
#include "api.h"

/* The message in the request's language (zh by default). */
static const char *msg(const Ctx *c, const char *zh, const char *en)
{
    return c->lang && !strcmp(c->lang, "en") ? en : zh;
}

/* The {entity}/{id} parent of the request; answers 404 and returns NULL. */
static const Entity *parent_of(Req *r, int64_t *id)
{
    const Entity *e = api_entity(r);
    if (!e || !api_id(r, id))
        return NULL;
    return e;
}

static void h_list(Req *r)
{
    int64_t id;
    const Entity *e = parent_of(r, &id);
    if (!e)
        return;
    json_t *out;
    if (attachments_list(&r->c, e, id, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

/* The files of an upload request into files (at most max); -1 after
 * answering a malformed request. */
static int upload_files(Req *r, AttachmentIn *files, int max)
{
    const char *ct = http_header(r, "Content-Type");
    if (ct && !strncasecmp(ct, "multipart/form-data", 19)) {
        HttpPart *parts;
        int np = http_multipart(r, &parts);
        if (np < 0) {
            ctx_fail(&r->c, GX_EBADREQ, "%s",
                     msg(&r->c, "multipart/form-data 请求体格式错误", "Malformed multipart/form-data body"));
            api_fail(r);
            return -1;
        }
        int n = 0;
        for (int i = 0; i < np; i++)
            if (parts[i].filename) {
                if (n == max) {
                    n++; /* one too many: the module says how many are allowed */
                    break;
                }
                files[n++] = (AttachmentIn){parts[i].filename, parts[i].data, parts[i].len};
            }
        return n;
    }
    const char *name = http_header(r, "X-File-Name");
    if (!name || !*name) {
        ctx_field(&r->c, "X-File-Name", "%s",
                  msg(&r->c, "请给出文件名：请求头 X-File-Name（UTF-8 百分号编码），或使用 multipart/form-data 上传",
                      "name the file: header X-File-Name (percent-encoded UTF-8), or send multipart/form-data"));
        api_fail(r);
        return -1;
    }
    char *dec = arena_strdup(&r->arena, name);
    if (!http_url_decode(dec)) {
        ctx_field(&r->c, "X-File-Name", "%s", msg(&r->c, "百分号编码格式错误", "malformed percent-encoding"));
        api_fail(r);
        return -1;
    }
    files[0] = (AttachmentIn){dec, r->body ? r->body : "", r->body ? r->body_len : 0};
    return 1;
}

static void h_upload(Req *r)
{
    int64_t id;
    const Entity *e = parent_of(r, &id);
    if (!e)
        return;
    /* Access first: a parent out of scope is a 404 whatever was sent. */
    if (attachments_parent_access(&r->c, e, id, ACT_EDIT))
        return api_fail(r);
    AttachmentIn files[ATTACHMENT_MAX_PER_UPLOAD + 1];
    int n = upload_files(r, files, ATTACHMENT_MAX_PER_UPLOAD);
    if (n < 0)
        return;
    json_t *out;
    if (attachments_store(&r->c, e, id, files, n, &out))
        return api_fail(r);
    http_json(r, 201, json_pack("{s:o}", "data", out));
}

static bool attachment_id(Req *r, int64_t *id)
{
    if (!parse_i64(http_param(r, "id"), id) || *id <= 0) {
        ctx_fail(&r->c, GX_ENOTFOUND, "%s", msg(&r->c, "附件不存在", "No such attachment"));
        api_fail(r);
        return false;
    }
    return true;
}

static void h_get(Req *r)
{
    int64_t id;
    json_t *out;
    if (!attachment_id(r, &id))
        return;
    if (attachments_get(&r->c, id, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

/* A download in progress: the attachment and where the part sent starts.
 * The thread's connection reads it piece by piece (see http_stream). */
typedef struct Download {
    DbConn *db;
    int64_t id;
    uint64_t start;
} Download;

static ssize_t download_read(void *ud, uint64_t pos, char *buf, size_t max)
{
    Download *d = ud;
    size_t got;
    if (!attachments_read(d->db, d->id, d->start + pos, buf, max, &got) || !got)
        return -1;
    return (ssize_t)got;
}

static void h_content(Req *r)
{
    int64_t id;
    AttachmentFile f;
    if (!attachment_id(r, &id))
        return;
    if (attachments_content(&r->c, id, &f))
        return api_fail(r);
    const char *etag = arena_printf(&r->arena, "\"%s\"", f.sha256);
    http_add_header(r, "ETag", etag);
    http_add_header(r, "Accept-Ranges", "bytes");
    http_add_header(r, "Cache-Control", "private, no-cache");
    const char *inm = http_header(r, "If-None-Match");
    if (inm && !strcmp(inm, etag)) {
        r->status = 304;
        return;
    }
    uint64_t start, len;
    HttpRange range = http_range(r, f.size, etag, &start, &len);
    if (range == HTTP_RANGE_UNSATISFIABLE) {
        http_add_header(r, "Content-Range", arena_printf(&r->arena, "bytes */%llu", (unsigned long long)f.size));
        ctx_fail(&r->c, GX_EBADREQ,
                 msg(&r->c, "请求的字节范围超出了文件（文件大小 %llu 字节）",
                     "The requested range is outside the file (the file has %llu bytes)"),
                 (unsigned long long)f.size);
        r->c.err_code = "range_not_satisfiable";
        api_fail(r);
        r->status = 416;
        return;
    }
    bool inline_ok;
    attachment_type(f.name, &inline_ok);
    const char *want = http_query(r, "inline");
    bool show = inline_ok && want && !strcmp(want, "1");
    r->content_type = f.mime_type;
    http_add_header(r, "Content-Disposition", attachment_disposition(&r->c, f.name, show));
    http_add_header(r, "X-Content-Type-Options", "nosniff");
    http_add_header(r, "Content-Security-Policy",
                    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
    if (range == HTTP_RANGE_PART) {
        r->status = 206;
        http_add_header(r, "Content-Range",
                        arena_printf(&r->arena, "bytes %llu-%llu/%llu", (unsigned long long)start,
                                     (unsigned long long)(start + len - 1), (unsigned long long)f.size));
    } else {
        r->status = 200;
    }
    Download *d = xmalloc(sizeof *d);
    *d = (Download){r->c.db, id, start};
    http_stream(r, len, download_read, d, free);
}

static void h_delete(Req *r)
{
    int64_t id;
    if (!attachment_id(r, &id))
        return;
    if (attachments_delete(&r->c, id))
        return api_fail(r);
    r->status = 204;
}

const Route attachments_api_routes[] = {
    {"GET", "/api/v1/{entity}/{id}/attachments", h_list, 0, NULL},
    {"POST", "/api/v1/{entity}/{id}/attachments", h_upload, ROUTE_MUTATES | ROUTE_LARGE_BODY, NULL},
    {"GET", "/api/v1/attachments/{id}", h_get, 0, NULL},
    {"GET", "/api/v1/attachments/{id}/content", h_content, 0, NULL},
    {"DELETE", "/api/v1/attachments/{id}", h_delete, ROUTE_MUTATES, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
