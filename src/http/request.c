/* request.c — request helpers for handlers: arguments, headers, cookies,
 * form bodies, and the JSON and redirect responses (see http.h). */
#include "http.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../base/log.h"
#include "../base/util.h"

const char *http_query(Req *r, const char *name)
{
    const char *value = NULL;
    size_t len = 0;
    if (MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, name, strlen(name), &value, &len) != MHD_YES)
        return NULL;
    return value ? value : ""; /* "?flag" is present with an empty value */
}

/* Adapter from libmicrohttpd's iterator to http_query_each's callback. */
typedef struct QueryEach {
    void (*fn)(void *ud, const char *key, const char *value);
    void *ud;
} QueryEach;

static enum MHD_Result query_each_one(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    QueryEach *qe = cls;
    (void)kind;
    qe->fn(qe->ud, key, value ? value : "");
    return MHD_YES;
}

void http_query_each(Req *r, void (*fn)(void *ud, const char *key, const char *value), void *ud)
{
    QueryEach qe = {fn, ud};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_each_one, &qe);
}

const char *http_header(Req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(Req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *http_param(Req *r, const char *name)
{
    for (int i = 0; i < r->nparams; i++)
        if (!strcmp(r->param_names[i], name))
            return r->param_values[i];
    return NULL;
}

void http_add_header(Req *r, const char *name, const char *value)
{
    if (r->nheaders >= HTTP_MAX_HEADERS) {
        log_warn("http: %s %s: more than %d response headers, %s dropped", r->method, r->path, HTTP_MAX_HEADERS, name);
        return;
    }
    if (strpbrk(name, "\r\n: \t") || strpbrk(value, "\r\n")) {
        log_warn("http: %s %s: response header %s has forbidden characters, dropped", r->method, r->path, name);
        return;
    }
    HttpHeader *h = &r->headers[r->nheaders++];
    h->name = arena_strdup(&r->arena, name);
    h->value = arena_strdup(&r->arena, value);
}

/* Cookie names are HTTP tokens (RFC 6265 §4.1.1). */
static bool cookie_name_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f || strchr("()<>@,;:\\\"/[]?={}", *s))
            return false;
    return true;
}

/* Cookie values are cookie-octets: visible ASCII but " , ; and \. */
static bool cookie_value_ok(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f || strchr("\",;\\", *s))
            return false;
    return true;
}

void http_set_cookie(Req *r, const char *name, const char *value, long max_age)
{
    if (!value)
        value = "";
    if (!cookie_name_ok(name) || !cookie_value_ok(value)) {
        log_error("http: refusing to set cookie %s: name or value is not cookie-safe", name);
        return;
    }
    Buf b;
    buf_init(&b, &r->arena);
    buf_printf(&b, "%s=%s; Path=/; HttpOnly; SameSite=Lax", name, value);
    if (r->tls)
        buf_raw(&b, "; Secure");
    if (max_age >= 0)
        buf_printf(&b, "; Max-Age=%ld", max_age);
    http_add_header(r, "Set-Cookie", b.data);
}

/* Value of one hex digit, or -1. */
static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool http_url_decode(char *s)
{
    char *out = s;
    for (const char *in = s; *in; in++) {
        if (*in != '%') {
            *out++ = *in;
            continue;
        }
        int hi = hex_value(in[1]);
        int lo = hi < 0 ? -1 : hex_value(in[2]);
        if (lo < 0 || (hi == 0 && lo == 0))
            return false;
        *out++ = (char)(hi * 16 + lo);
        in += 2;
    }
    *out = 0;
    return true;
}

/* Decode one form component in place: '+' is a space, then %XX escapes.
 * False on malformed escapes, NUL bytes or invalid UTF-8. */
static bool form_decode(char *s)
{
    for (char *p = s; *p; p++)
        if (*p == '+')
            *p = ' ';
    return http_url_decode(s) && utf8_valid(s, strlen(s));
}

/* Add key=value to the form object; a repeated key turns into an array. */
static void form_add(json_t *form, const char *key, const char *value)
{
    json_t *old = json_object_get(form, key);
    if (!old) {
        json_object_set_new(form, key, json_string(value));
    } else if (json_is_array(old)) {
        json_array_append_new(old, json_string(value));
    } else {
        json_t *arr = json_array();
        json_array_append(arr, old);
        json_array_append_new(arr, json_string(value));
        json_object_set_new(form, key, arr);
    }
}

json_t *http_form(Req *r)
{
    json_t *form = json_object();
    if (!r->body || !r->body_len)
        return form;
    if (memchr(r->body, 0, r->body_len))
        goto bad;
    char *p = arena_strndup(&r->arena, r->body, r->body_len);
    while (p) {
        char *next = strchr(p, '&');
        if (next)
            *next++ = 0;
        if (*p) {
            char empty[1] = ""; /* "key" without '=': empty value, decoded in place like any */
            char *value = strchr(p, '=');
            if (value)
                *value++ = 0;
            else
                value = empty;
            if (!form_decode(p) || !form_decode(value))
                goto bad;
            form_add(form, p, value);
        }
        p = next;
    }
    return form;
bad:
    json_decref(form);
    return NULL;
}

void http_json(Req *r, int status, json_t *v)
{
    buf_clear(&r->out);
    r->out_static = NULL;
    r->out_static_len = 0;
    if (!v || !buf_json(&r->out, v)) {
        buf_clear(&r->out);
        ctx_fail(&r->c, GX_EINTERNAL, "The response could not be encoded");
        json_decref(v);
        return;
    }
    r->status = status;
    r->content_type = "application/json; charset=utf-8";
    json_decref(v);
}

void http_redirect(Req *r, const char *location)
{
    buf_clear(&r->out);
    r->out_static = NULL;
    r->out_static_len = 0;
    r->status = 303;
    http_add_header(r, "Location", location);
}

void http_stream(Req *r, uint64_t len, HttpReader fn, void *ud, void (*free_fn)(void *ud))
{
    if (r->stream && r->stream_free)
        r->stream_free(r->stream_ud);
    r->stream = fn;
    r->stream_ud = ud;
    r->stream_free = free_fn;
    r->stream_len = len;
}

/* Digits at *p into *v (saturating); false when there are none. */
static bool range_number(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t n = 0;
    while (*s >= '0' && *s <= '9') {
        unsigned d = (unsigned)(*s - '0');
        n = n > (UINT64_MAX - d) / 10 ? UINT64_MAX : n * 10 + d;
        s++;
    }
    if (s == *p)
        return false;
    *p = s;
    *v = n;
    return true;
}

HttpRange http_range(Req *r, uint64_t size, const char *etag, uint64_t *start, uint64_t *len)
{
    *start = 0;
    *len = size;
    const char *h = http_header(r, "Range");
    if (!h)
        return HTTP_RANGE_NONE;
    /* If-Range: the range only applies to the representation the client
     * has part of (a strong entity-tag match); otherwise the whole body. */
    const char *ir = http_header(r, "If-Range");
    if (ir && (!etag || strcmp(ir, etag)))
        return HTTP_RANGE_NONE;
    const char *p = h;
    while (*p == ' ' || *p == '\t')
        p++;
    if (strncasecmp(p, "bytes", 5))
        return HTTP_RANGE_NONE;
    p += 5;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p++ != '=')
        return HTTP_RANGE_NONE;
    while (*p == ' ' || *p == '\t')
        p++;
    uint64_t first = 0, last = UINT64_MAX, suffix = 0;
    bool has_first = range_number(&p, &first);
    if (*p++ != '-')
        return HTTP_RANGE_NONE;
    if (has_first)
        range_number(&p, &last);
    else if (!range_number(&p, &suffix))
        return HTTP_RANGE_NONE;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p) /* several ranges (","), or junk: serve the whole body */
        return HTTP_RANGE_NONE;
    if (has_first) {
        if (last < first)
            return HTTP_RANGE_NONE; /* invalid: ignored (RFC 9110 14.1.1) */
        if (first >= size)
            return HTTP_RANGE_UNSATISFIABLE;
        if (last > size - 1)
            last = size - 1;
        *start = first;
        *len = last - first + 1;
        return HTTP_RANGE_PART;
    }
    if (!suffix || !size)
        return HTTP_RANGE_UNSATISFIABLE;
    *len = suffix < size ? suffix : size;
    *start = size - *len;
    return HTTP_RANGE_PART;
}
