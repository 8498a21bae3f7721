/* http.h — libmicrohttpd glue: the request context, the route table, the
 * response writer and the server.
 *
 * The server knows nothing about users or entities. The application gives it
 * a route table and two callbacks: `before` (authentication, CSRF) and
 * `render_error` (JSON or HTML error bodies). Each request gets its own
 * arena, released when the response has been queued. */
#ifndef GX_HTTP_H
#define GX_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../base/buf.h"
#include "../base/ctx.h"
#include "../db/db.h"

struct MHD_Connection;

/* Route flags. */
enum {
    ROUTE_PUBLIC = 1 << 0,  /* no login needed */
    ROUTE_HTML = 1 << 1,    /* browser page: errors render as HTML */
    ROUTE_MUTATES = 1 << 2, /* state-changing: CSRF checked for cookie sessions */
    ROUTE_PREFIX = 1 << 3,  /* pattern matches any path starting with it (static files) */
    ROUTE_LARGE_BODY = 1 << 4, /* accepts bodies up to HttpConfig.max_large_body (file uploads) */
};

#define HTTP_MAX_PARAMS 8
#define HTTP_MAX_HEADERS 16

typedef struct Req Req;
typedef void (*HttpHandler)(Req *r);

/* A streamed body's source (http_stream): copy up to max bytes of the body
 * from position pos into buf; returns how many (more than 0), or -1 on a
 * failure (the connection is then closed: the client sees a short body). */
typedef ssize_t (*HttpReader)(void *ud, uint64_t pos, char *buf, size_t max);

/* One row of the route table. Patterns are literal segments and {name}
 * captures: "/api/v1/{entity}/{id}". A capture matches one non-empty segment. */
typedef struct Route {
    const char *method;  /* "GET", "POST", "PATCH", "PUT", "DELETE" */
    const char *pattern; /* see above */
    HttpHandler handler; /* writes the response into the Req */
    unsigned flags;      /* ROUTE_* */
    const char *capability; /* optional capability name the `before` hook checks, or NULL */
} Route;

typedef struct HttpHeader {
    const char *name;
    const char *value;
} HttpHeader;

/* The request context handed to every handler. */
struct Req {
    Ctx c;                  /* arena, db, acting user, error (see ctx.h) */
    Arena arena;            /* this request's memory */
    void *app;              /* the application's data (HttpConfig.app) */
    struct MHD_Connection *conn; /* the libmicrohttpd connection */
    const char *method;     /* request method */
    const char *path;       /* decoded path, without the query string */
    const char *body;       /* request body (NUL-terminated), or NULL */
    size_t body_len;        /* its length */
    size_t body_limit;      /* set when the body was refused for its size (413): the limit it went over */
    const Route *route;     /* the matched route */
    const char *param_names[HTTP_MAX_PARAMS];  /* capture names, in order */
    const char *param_values[HTTP_MAX_PARAMS]; /* captured segments, URL-decoded */
    int nparams;            /* number of captures */
    bool tls;               /* served over TLS (or X-Forwarded-Proto: https behind a trusted proxy) */
    const char *client_ip;  /* peer address as text */
    int status;             /* response status, default 200 */
    const char *content_type; /* response type, default "application/json" */
    Buf out;                /* response body */
    const unsigned char *out_static; /* if set, body is these bytes instead of out (embedded files) */
    size_t out_static_len;
    HttpReader stream;      /* if set, the body comes from it piece by piece (http_stream) */
    void *stream_ud;        /* its data, freed by stream_free once the response is done */
    void (*stream_free)(void *ud);
    uint64_t stream_len;    /* the streamed body's length */
    HttpHeader headers[HTTP_MAX_HEADERS]; /* extra response headers */
    int nheaders;
    void *user_data;        /* for the application's `before` hook (session etc.) */
    int64_t start_us;       /* monotonic start time, for the access log */
};

typedef struct HttpConfig {
    const char *listen;        /* "HOST:PORT" */
    Db *db;                    /* database; each worker thread gets its own connection */
    const Route *routes;       /* table, terminated by a row with method NULL */
    void *app;                 /* copied into Req.app */
    int threads;               /* worker threads (0 = number of CPUs) */
    size_t max_body;           /* bytes; larger bodies get 413 (default 1 MiB) */
    size_t max_large_body;     /* bytes, for ROUTE_LARGE_BODY routes only (default 64 MiB) */
    unsigned timeout_s;        /* idle connection timeout (default 30) */
    bool access_log;           /* one line per request to stderr */
    /* Runs after routing and before the handler. Returns false after filling
     * r->c.err (via ctx_fail) to stop the request; the error is rendered. */
    bool (*before)(Req *r);
    /* Writes an error response for r->c.err into r (status, body). */
    void (*render_error)(Req *r);
    /* Called when no route matched the path (404) or the method (405);
     * r->c.err is set. If NULL, render_error is used. */
} HttpConfig;

typedef struct HttpServer HttpServer;

/* Start listening; returns NULL (and logs) on failure. */
HttpServer *http_start(const HttpConfig *cfg);

/* Stop accepting, let in-flight requests finish, stop the threads. */
void http_stop(HttpServer *s);

/* Port actually bound (useful with port 0). */
int http_port(const HttpServer *s);

/* --- request helpers --- */

/* Query-string argument (decoded), or NULL. */
const char *http_query(Req *r, const char *name);

/* Call fn for every query argument, in order. */
void http_query_each(Req *r, void (*fn)(void *ud, const char *key, const char *value), void *ud);

/* Request header (case-insensitive), or NULL. */
const char *http_header(Req *r, const char *name);

/* Cookie value, or NULL. */
const char *http_cookie(Req *r, const char *name);

/* Path capture by name, or NULL. */
const char *http_param(Req *r, const char *name);

/* Add a response header (name and value are copied into the arena). */
void http_add_header(Req *r, const char *name, const char *value);

/* Set a cookie: HttpOnly, SameSite=Lax, Path=/, Secure when r->tls;
 * max_age < 0 omits Max-Age (session cookie), 0 deletes. */
void http_set_cookie(Req *r, const char *name, const char *value, long max_age);

/* Parse an application/x-www-form-urlencoded body into a JSON object of
 * strings (repeated keys become arrays). Caller decrefs. */
json_t *http_form(Req *r);

/* One part of a multipart/form-data body. */
typedef struct HttpPart {
    const char *name;     /* form field name */
    const char *filename; /* file name of a file part, or NULL */
    const char *data;     /* content (NUL-terminated copy in the arena) */
    size_t len;           /* its length in bytes */
} HttpPart;

/* Split a multipart/form-data body (multipart.c). Returns the number of
 * parts stored in *parts (arena), or -1 when the request is not multipart
 * or the body is malformed. */
int http_multipart(Req *r, HttpPart **parts);

/* Respond with a JSON value (takes a reference: the value is decref'ed). */
void http_json(Req *r, int status, json_t *v);

/* Send a body of len bytes produced by fn while it goes out, instead of
 * r->out: libmicrohttpd asks fn for HTTP_STREAM_BLOCK bytes at a time, so a
 * large download never sits whole in memory. fn runs after the handler has
 * returned, on the same thread (the thread's database connection stays
 * usable; the request's arena and transaction do not). ud is malloc'ed;
 * free_fn(ud) runs once, when the response is done or dropped (an error
 * rendered instead). */
/* 1 MiB: SQLite's incremental blob reads walk a value's overflow pages from
 * its start at every call (a handle kept open between calls would pin a
 * read snapshot on the thread's connection), so smaller pieces cost CPU
 * quadratically: a 20 MiB download took 263 ms of server CPU in 256 KiB
 * pieces, 78 ms in 1 MiB pieces (54 ms held whole). */
#define HTTP_STREAM_BLOCK ((size_t)1 << 20)
void http_stream(Req *r, uint64_t len, HttpReader fn, void *ud, void (*free_fn)(void *ud));

/* The byte range asked for by the request's Range header (RFC 9110 14.2)
 * of a body of size bytes whose entity tag is etag (for If-Range; NULL:
 * none). HTTP_RANGE_NONE: send the whole body (no Range; a Range that is
 * not one well-formed "bytes=" range — several ranges, other units or
 * malformed ones are ignored, as the RFC allows; or an If-Range that does
 * not match). HTTP_RANGE_PART: send *len bytes from *start (206, with
 * Content-Range). HTTP_RANGE_UNSATISFIABLE: the range starts at or past
 * the end, or a suffix of 0 bytes (416, Content-Range: bytes * /size). */
typedef enum HttpRange { HTTP_RANGE_NONE, HTTP_RANGE_PART, HTTP_RANGE_UNSATISFIABLE } HttpRange;
HttpRange http_range(Req *r, uint64_t size, const char *etag, uint64_t *start, uint64_t *len);

/* Respond with a redirect (303 See Other). */
void http_redirect(Req *r, const char *location);

/* Percent-decode in place; returns false on malformed escapes or NUL bytes. */
bool http_url_decode(char *s);

#endif
