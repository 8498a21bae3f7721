/* static.c — files under web/ (CSS, JS, icons and the vendor scripts copied
 * from node_modules), served from the table compiled into the binary.
 *
 * URLs carry the file's content hash, /static/<hash>/<path>, so a response
 * may be cached for a year: a changed file gets a new URL. A request with an
 * old hash still gets the current file, but without the long cache. Clients
 * that accept gzip get the precompressed copy (<path>.gz) when there is one. */
#include <string.h>
#include <strings.h>

#include "../base/embedded.h"
#include "ui.h"

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".json", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

/* Does the Accept-Encoding header allow gzip? */
static bool accepts_gzip(Req *r)
{
    const char *ae = http_header(r, "Accept-Encoding");
    if (!ae)
        return false;
    const char *g = strcasestr(ae, "gzip");
    return g && strncmp(g + 4, ";q=0", 4) != 0;
}

void ui_static(Req *r)
{
    /* r->path is "/static/<hash>/<path…>" */
    const char *p = r->path + strlen("/static/");
    const char *slash = strchr(p, '/');
    if (!slash || !slash[1] || strstr(slash, ".gz")) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such file");
        r->status = 404;
        r->content_type = "text/plain; charset=utf-8";
        buf_raw(&r->out, "not found\n");
        return;
    }
    const char *hash = arena_strndup(&r->arena, p, (size_t)(slash - p));
    const char *rel = slash + 1;
    const char *full = arena_printf(&r->arena, "web/%s", rel);
    const EmbeddedFile *f = embedded_find(full);
    if (!f) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such file");
        r->status = 404;
        r->content_type = "text/plain; charset=utf-8";
        buf_raw(&r->out, "not found\n");
        return;
    }
    r->content_type = type_of(rel);
    http_add_header(r, "Cache-Control",
                    !strcmp(hash, f->hash) ? "public, max-age=31536000, immutable" : "public, max-age=60");
    const EmbeddedFile *gz = embedded_find(arena_printf(&r->arena, "%s.gz", full));
    if (gz) {
        http_add_header(r, "Vary", "Accept-Encoding");
        if (accepts_gzip(r)) {
            http_add_header(r, "Content-Encoding", "gzip");
            f = gz;
        }
    }
    r->out_static = f->data;
    r->out_static_len = f->len;
}
