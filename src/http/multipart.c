/* multipart.c — multipart/form-data bodies (file uploads), see http.h. */
#include <string.h>
#include <strings.h>

#include "http.h"

/* memmem over the body (which may hold NUL bytes). */
static const char *find(const char *hay, size_t n, const char *needle, size_t k)
{
    return memmem(hay, n, needle, k);
}

/* Value of a parameter (name="…") in a Content-Disposition header line. */
static const char *disposition_param(Arena *a, const char *line, size_t n, const char *param)
{
    size_t k = strlen(param);
    for (size_t i = 0; i + k + 2 < n; i++) {
        if ((i == 0 || line[i - 1] == ' ' || line[i - 1] == ';') && !strncasecmp(line + i, param, k) &&
            line[i + k] == '=') {
            const char *v = line + i + k + 1;
            const char *end = line + n;
            if (*v == '"') {
                v++;
                const char *q = memchr(v, '"', (size_t)(end - v));
                return q ? arena_strndup(a, v, (size_t)(q - v)) : NULL;
            }
            const char *q = v;
            while (q < end && *q != ';' && *q != '\r')
                q++;
            return arena_strndup(a, v, (size_t)(q - v));
        }
    }
    return NULL;
}

int http_multipart(Req *r, HttpPart **parts)
{
    *parts = NULL;
    const char *ct = http_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "multipart/form-data", 19) || !r->body)
        return -1;
    const char *bp = strcasestr(ct, "boundary=");
    if (!bp)
        return -1;
    bp += 9;
    size_t blen = strcspn(bp, "; ");
    if (*bp == '"') {
        bp++;
        blen = strcspn(bp, "\"");
    }
    if (!blen || blen > 200)
        return -1;
    char *delim = arena_printf(&r->arena, "--%.*s", (int)blen, bp);
    size_t dlen = strlen(delim);
    const char *p = r->body, *end = r->body + r->body_len;
    const char *at = find(p, (size_t)(end - p), delim, dlen);
    if (!at)
        return -1;
    int cap = 8, n = 0;
    HttpPart *out = arena_calloc(&r->arena, (size_t)cap, sizeof *out);
    for (;;) {
        p = at + dlen;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            break; /* closing delimiter */
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return -1;
        p += 2;
        const char *hdr_end = find(p, (size_t)(end - p), "\r\n\r\n", 4);
        if (!hdr_end)
            return -1;
        HttpPart part = {0};
        for (const char *l = p; l < hdr_end;) {
            const char *le = find(l, (size_t)(hdr_end - l), "\r\n", 2);
            if (!le)
                le = hdr_end;
            if ((size_t)(le - l) > 20 && !strncasecmp(l, "Content-Disposition:", 20)) {
                part.name = disposition_param(&r->arena, l, (size_t)(le - l), "name");
                part.filename = disposition_param(&r->arena, l, (size_t)(le - l), "filename");
            }
            l = le + 2;
        }
        const char *body = hdr_end + 4;
        char *next_delim = arena_printf(&r->arena, "\r\n%s", delim);
        const char *next = find(body, (size_t)(end - body), next_delim, dlen + 2);
        if (!next)
            return -1;
        part.len = (size_t)(next - body);
        part.data = arena_strndup(&r->arena, body, part.len);
        if (n == cap) {
            out = arena_realloc(&r->arena, out, sizeof *out * (size_t)cap, sizeof *out * (size_t)cap * 2);
            cap *= 2;
        }
        if (part.name)
            out[n++] = part;
        at = next + 2;
    }
    *parts = out;
    return n;
}
