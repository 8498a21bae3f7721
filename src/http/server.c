/* server.c — the libmicrohttpd daemon, the life of a request and the router
 * (see http.h; the request helpers are in request.c).
 *
 * Life of a request, all of it on the worker thread that owns the connection:
 *  1. on_uri (libmicrohttpd's URI log callback) allocates the ReqState while
 *     the URI is still raw. Routing splits that raw path on '/' before
 *     decoding, so "%2F" stays inside a segment and "%00" can be refused;
 *     the path libmicrohttpd hands the access handler is already decoded.
 *  2. The first access-handler call records the method and checks
 *     Content-Length, and returns without queueing a response: queueing one
 *     now makes libmicrohttpd 0.9.75 drop keep-alive (MEASURED.md, pitfall 1).
 *  3. Further calls append the upload to the body, up to max_body.
 *  4. The final call (no upload data left) routes, runs `before` and the
 *     handler, and queues the response.
 *  5. on_completed writes the access-log line and frees the request.
 *
 * Nothing here is global: the server's state lives in HttpServer, a
 * request's in its ReqState and arena. */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../base/log.h"
#include "../base/util.h"

/* After a body has gone over max_body we keep reading (and dropping) it so
 * that the client, usually still sending, gets to read the 413 instead of a
 * connection reset. Past this many further bytes we give up and close. */
#define HTTP_DISCARD_LIMIT ((size_t)16 << 20)

/* Most bytes reserved for a body before it arrives. */
#define HTTP_BODY_PREALLOC ((size_t)64 << 10)

#define HTTP_DEFAULT_MAX_BODY ((size_t)1 << 20)
#define HTTP_DEFAULT_MAX_LARGE_BODY ((size_t)64 << 20)
#define HTTP_DEFAULT_TIMEOUT_S 30u
#define HTTP_CONNECTION_LIMIT 1024u

/* How long http_stop waits for requests in progress before closing. */
#define HTTP_STOP_GRACE_MS 5000

/* One segment of a compiled route pattern. */
typedef struct RouteSeg {
    char *text;    /* literal text, or the capture's name; malloc'ed */
    uint32_t hash; /* seg_hash of a literal's text: compared before strcmp */
    bool capture;  /* "{name}" */
} RouteSeg;

/* Routes are looked at only among those that can match a path of n
 * segments: the exact routes of that length (by_len[n]) and the prefix
 * routes, each list in table order. */
#define HTTP_ROUTE_MAX_LEN 16

/* A route pattern split into segments once, at start-up. */
typedef struct CompiledRoute {
    const Route *route; /* the row of the application's table */
    RouteSeg *segs;     /* pattern segments; a prefix pattern's trailing "/" is not one */
    int nsegs;          /* number of segments */
    bool open;          /* prefix pattern ending in '/': the path needs at least one more segment */
} CompiledRoute;

struct HttpServer {
    struct MHD_Daemon *daemon; /* NULL once stopped */
    HttpConfig cfg;            /* copy of the configuration, defaults filled in */
    CompiledRoute *routes;     /* cfg.routes compiled, same order */
    int nroutes;               /* number of routes */
    int *by_len[HTTP_ROUTE_MAX_LEN + 1]; /* indexes of the exact routes with n segments, ascending */
    int nby_len[HTTP_ROUTE_MAX_LEN + 1];
    int *prefix;  /* indexes of the prefix routes and of exact ones longer than HTTP_ROUTE_MAX_LEN, ascending */
    int nprefix;
    int port;                  /* bound port */
    atomic_int inflight;       /* requests between on_uri and on_completed */
    atomic_bool stopping;      /* http_stop has begun: responses close their connection */
};

/* Everything one request owns; freed by on_completed. */
typedef struct ReqState {
    Req r;                /* what the handlers see */
    HttpServer *server;   /* the server it came in on */
    const char *raw_path; /* path as the client sent it, without the query (arena) */
    Buf body;             /* upload received so far (initialised on the first bytes) */
    size_t body_seen;     /* bytes received, including those dropped after the limit */
    bool started;         /* the first access-handler call has happened */
    bool too_large;       /* the body is over max_body: it is dropped and answered with 413 */
    size_t limit;         /* body limit of this request: max_body, or max_large_body for upload routes */
    bool responded;       /* a response was queued */
    size_t bytes;         /* body bytes of the queued response, for the access log */
} ReqState;

/* Monotonic clock in microseconds. */
static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---------------------------------------------------------------------------
 * Routes */

/* FNV-1a of a path segment: routing compares a literal segment's hash
 * before its text, so most routes are passed over without a strcmp. */
static uint32_t seg_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Free the compiled route table. */
static void routes_free(HttpServer *s)
{
    for (int i = 0; i < s->nroutes; i++) {
        for (int k = 0; k < s->routes[i].nsegs; k++)
            free(s->routes[i].segs[k].text);
        free(s->routes[i].segs);
    }
    free(s->routes);
    s->routes = NULL;
    s->nroutes = 0;
    for (int n = 0; n <= HTTP_ROUTE_MAX_LEN; n++) {
        free(s->by_len[n]);
        s->by_len[n] = NULL;
        s->nby_len[n] = 0;
    }
    free(s->prefix);
    s->prefix = NULL;
    s->nprefix = 0;
}

/* Fill by_len and prefix from the compiled routes. */
static void routes_index(HttpServer *s)
{
    for (int n = 0; n <= HTTP_ROUTE_MAX_LEN; n++)
        s->by_len[n] = xcalloc((size_t)s->nroutes + 1, sizeof(int));
    s->prefix = xcalloc((size_t)s->nroutes + 1, sizeof(int));
    for (int i = 0; i < s->nroutes; i++) {
        const CompiledRoute *cr = &s->routes[i];
        if ((cr->route->flags & ROUTE_PREFIX) || cr->nsegs > HTTP_ROUTE_MAX_LEN)
            s->prefix[s->nprefix++] = i;
        else
            s->by_len[cr->nsegs][s->nby_len[cr->nsegs]++] = i;
    }
}

/* Split one route's pattern into segments. Returns false (and logs) when the
 * pattern is malformed: it must start with '/', a capture must look like
 * "{name}" and there may be at most HTTP_MAX_PARAMS of them. */
static bool route_compile(const Route *rt, CompiledRoute *out)
{
    const char *p = rt->pattern;
    *out = (CompiledRoute){.route = rt};
    if (!rt->method || !*rt->method || !p || p[0] != '/' || !rt->handler) {
        log_error("http: bad route %s %s", rt->method ? rt->method : "(null)", p ? p : "(null)");
        return false;
    }
    int n = 1;
    for (const char *q = p + 1; *q; q++)
        n += *q == '/';
    out->segs = xcalloc((size_t)n, sizeof *out->segs);
    int ncaptures = 0;
    const char *seg = p + 1;
    for (int i = 0; i < n; i++) {
        const char *end = strchrnul(seg, '/');
        size_t len = (size_t)(end - seg);
        bool last = *end == 0;
        if (last && len == 0 && (rt->flags & ROUTE_PREFIX) && i > 0) {
            out->open = true; /* "/static/": the trailing '/' asks for more */
            break;
        }
        RouteSeg *rs = &out->segs[out->nsegs++];
        if (len >= 2 && seg[0] == '{' && seg[len - 1] == '}') {
            rs->capture = true;
            rs->text = strndup(seg + 1, len - 2);
            if (++ncaptures > HTTP_MAX_PARAMS || len == 2) {
                log_error("http: route %s %s: bad or too many captures", rt->method, p);
                return false;
            }
        } else {
            if (memchr(seg, '{', len) || memchr(seg, '}', len)) {
                log_error("http: route %s %s: a capture must be a whole segment", rt->method, p);
                return false;
            }
            rs->text = strndup(seg, len);
            if (rs->text)
                rs->hash = seg_hash(rs->text);
        }
        if (!rs->text)
            gx_die("out of memory");
        seg = end + 1;
    }
    return true;
}

/* Does the compiled route match the decoded path segments? On success the
 * captured values are stored in vals (pointers into segs). */
static bool route_match(const CompiledRoute *cr, char *const *segs, const uint32_t *hashes, int nsegs,
                        const char **vals)
{
    if (cr->route->flags & ROUTE_PREFIX) {
        if (cr->open ? nsegs <= cr->nsegs : nsegs < cr->nsegs)
            return false;
    } else if (nsegs != cr->nsegs) {
        return false;
    }
    /* Literal segments' hashes first, last segment first: most routes share
     * their first segments ("api", "v1") and differ at the end. */
    for (int i = cr->nsegs - 1; i >= 0; i--)
        if (!cr->segs[i].capture && cr->segs[i].hash != hashes[i])
            return false;
    int ncaptures = 0;
    for (int i = 0; i < cr->nsegs; i++) {
        const RouteSeg *rs = &cr->segs[i];
        if (rs->capture) {
            if (!segs[i][0])
                return false;
            vals[ncaptures++] = segs[i];
        } else if (strcmp(rs->text, segs[i]) != 0) {
            return false;
        }
    }
    return true;
}

/* Does a route declared for route_method serve a request_method? HEAD is
 * served by GET routes. */
static bool method_matches(const char *route_method, const char *request_method)
{
    if (!strcmp(route_method, request_method))
        return true;
    return !strcmp(request_method, "HEAD") && !strcmp(route_method, "GET");
}

/* Is one of the '/'-separated components of s "." or ".."? A decoded
 * segment can hold '/' (from "%2F"), hence the inner loop. */
static bool has_dot_segment(const char *s)
{
    for (;;) {
        const char *end = strchrnul(s, '/');
        size_t len = (size_t)(end - s);
        if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
            return true;
        if (!*end)
            return false;
        s = end + 1;
    }
}

/* Split the raw path into percent-decoded segments and set r->path to the
 * decoded path. Returns false for a path that does not start with '/', holds
 * a malformed escape, a NUL byte, invalid UTF-8, or a "." or ".." segment. */
static bool path_split(Req *r, const char *raw, char ***segs_out, int *nsegs_out)
{
    if (raw[0] != '/')
        return false;
    int n = 1;
    for (const char *q = raw + 1; *q; q++)
        n += *q == '/';
    char **segs = arena_calloc(&r->arena, (size_t)n, sizeof *segs);
    Buf path;
    buf_init(&path, &r->arena);
    const char *seg = raw + 1;
    for (int i = 0; i < n; i++) {
        const char *end = strchrnul(seg, '/');
        char *s = arena_strndup(&r->arena, seg, (size_t)(end - seg));
        if (!http_url_decode(s) || !utf8_valid(s, strlen(s)) || has_dot_segment(s))
            return false;
        segs[i] = s;
        buf_putc(&path, '/');
        buf_raw(&path, s);
        seg = end + 1;
    }
    r->path = path.data;
    *segs_out = segs;
    *nsegs_out = n;
    return true;
}

/* Append m to the Allow list unless it is there already. */
static void allow_add(const char **allow, int *nallow, int cap, const char *m)
{
    for (int i = 0; i < *nallow; i++)
        if (!strcmp(allow[i], m))
            return;
    if (*nallow < cap)
        allow[(*nallow)++] = m;
}

/* Find the route for r. On success sets r->route and the captures and returns
 * true; otherwise fails r->c with GX_EBADREQ (bad path), GX_EMETHOD (with an
 * Allow header) or GX_ENOTFOUND and returns false. */
static bool route_request(HttpServer *s, ReqState *st)
{
    Req *r = &st->r;
    char **segs;
    int nsegs;
    if (!path_split(r, st->raw_path, &segs, &nsegs)) {
        ctx_fail(&r->c, GX_EBADREQ, "Malformed request path");
        return false;
    }
    /* The most specific pattern wins: of the routes matching the path, those
     * with a literal segment earliest (left to right) are preferred over
     * captures, so "/api/v1/auth/login" answers GET with 405 rather than
     * falling through to "/api/v1/{entity}/{id}". Among equally specific
     * routes the table order decides. */
    const char *allow[16];
    int nallow = 0;
    uint32_t best = 0;
    const CompiledRoute *hit = NULL;
    const char *hit_vals[HTTP_MAX_PARAMS];
    bool any = false;
    uint32_t *hashes = arena_alloc(&r->arena, (size_t)nsegs * sizeof *hashes);
    for (int k = 0; k < nsegs; k++)
        hashes[k] = seg_hash(segs[k]);
    /* The candidates in table order: the exact routes of this length merged
     * with the prefix routes. */
    const int *exact = nsegs <= HTTP_ROUTE_MAX_LEN ? s->by_len[nsegs] : NULL;
    int nexact = nsegs <= HTTP_ROUTE_MAX_LEN ? s->nby_len[nsegs] : 0;
    for (int a = 0, b = 0; a < nexact || b < s->nprefix;) {
        int i;
        if (b >= s->nprefix || (a < nexact && exact[a] < s->prefix[b]))
            i = exact[a++];
        else
            i = s->prefix[b++];
        const CompiledRoute *cr = &s->routes[i];
        const char *vals[HTTP_MAX_PARAMS];
        if (!route_match(cr, segs, hashes, nsegs, vals))
            continue;
        uint32_t score = 0;
        for (int k = 0; k < cr->nsegs && k < 32; k++)
            if (!cr->segs[k].capture)
                score |= 1u << (31 - k);
        if (any && score < best)
            continue;
        if (!any || score > best) {
            /* A more specific pattern: forget what less specific ones said. */
            best = score;
            hit = NULL;
            nallow = 0;
            any = true;
        }
        if (!method_matches(cr->route->method, r->method)) {
            allow_add(allow, &nallow, 16, cr->route->method);
            if (!strcmp(cr->route->method, "GET"))
                allow_add(allow, &nallow, 16, "HEAD");
            continue;
        }
        if (!hit) {
            hit = cr;
            memcpy(hit_vals, vals, sizeof vals);
        }
    }
    if (hit) {
        r->route = hit->route;
        r->nparams = 0;
        for (int k = 0; k < hit->nsegs; k++)
            if (hit->segs[k].capture) {
                r->param_names[r->nparams] = hit->segs[k].text;
                r->param_values[r->nparams] = hit_vals[r->nparams];
                r->nparams++;
            }
        return true;
    }
    if (nallow == 0) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such page or endpoint");
        return false;
    }
    Buf b;
    buf_init(&b, &r->arena);
    for (int i = 0; i < nallow; i++) {
        if (i)
            buf_raw(&b, ", ");
        buf_raw(&b, allow[i]);
    }
    http_add_header(r, "Allow", b.data);
    ctx_fail(&r->c, GX_EMETHOD, "Method %s is not allowed here (allowed: %s)", r->method, b.data);
    return false;
}

/* ---------------------------------------------------------------------------
 * Running a request */

/* Fallback error body when the application gave no render_error. */
static void render_error_default(Req *r)
{
    r->content_type = "application/json; charset=utf-8";
    buf_raw(&r->out, "{\"error\":{\"code\":");
    buf_json_str(&r->out, r->c.err_code ? r->c.err_code : gx_err_code(r->c.err));
    buf_raw(&r->out, ",\"message\":");
    buf_json_str(&r->out, r->c.err_msg ? r->c.err_msg : "");
    buf_raw(&r->out, "}}");
}

/* Forget a streamed body that will not be sent. */
static void stream_drop(Req *r)
{
    if (r->stream && r->stream_free)
        r->stream_free(r->stream_ud);
    r->stream = NULL;
    r->stream_ud = NULL;
    r->stream_free = NULL;
    r->stream_len = 0;
}

/* Replace whatever the response holds by the error in r->c (GX_EINTERNAL if
 * none is set): status from the code, body from render_error. */
static void render_failure(HttpServer *s, Req *r)
{
    if (r->c.err == GX_OK)
        ctx_fail(&r->c, GX_EINTERNAL, "Internal error");
    buf_clear(&r->out);
    stream_drop(r);
    r->out_static = NULL;
    r->out_static_len = 0;
    r->status = gx_http_status(r->c.err);
    if (s->cfg.render_error)
        s->cfg.render_error(r);
    else
        render_error_default(r);
}

/* Route r, run `before` and the handler, leaving the response in r. */
static void dispatch(HttpServer *s, ReqState *st)
{
    Req *r = &st->r;
    r->c.ip = r->client_ip;
    if (s->cfg.db) {
        r->c.db = db_thread_conn(s->cfg.db);
        if (!r->c.db) {
            ctx_fail(&r->c, GX_EDB, "The database is unavailable");
            render_failure(s, r);
            return;
        }
    }
    if (st->too_large) {
        r->body_limit = st->limit ? st->limit : s->cfg.max_body;
        ctx_fail(&r->c, GX_ETOOLARGE, "Request body is larger than %zu bytes", r->body_limit);
        render_failure(s, r);
        return;
    }
    if (!r->route && !route_request(s, st)) {
        render_failure(s, r);
        return;
    }
    if (st->body.data && st->body.len) {
        r->body = st->body.data;
        r->body_len = st->body.len;
    }
    /* A read-only request reads one consistent snapshot (and takes the
     * database's read locks once instead of per statement), `before` (the
     * session and the user's access) included: two transactions fewer per
     * request. A session's occasional last-seen write ends the snapshot
     * (the backend does so before any writing statement). */
    bool snapshot = r->c.db && !(r->route->flags & ROUTE_MUTATES);
    if (snapshot)
        db_read_begin(r->c.db);
    /* `before` refusing with an error gets it rendered; refusing without one
     * means it wrote the response itself (a redirect to the login page). */
    if (s->cfg.before && !s->cfg.before(r)) {
        if (r->c.err != GX_OK)
            render_failure(s, r);
        if (snapshot)
            db_read_end(r->c.db);
        return;
    }
    r->route->handler(r);
    if (r->c.err != GX_OK && r->out.len == 0 && !r->out_static && !r->stream)
        render_failure(s, r);
    if (snapshot)
        db_read_end(r->c.db);
}

/* Is a header called name among the response's extra headers? */
static bool has_header(const Req *r, const char *name)
{
    for (int i = 0; i < r->nheaders; i++)
        if (!strcasecmp(r->headers[i].name, name))
            return true;
    return false;
}

/* Add a header to the response, logging when libmicrohttpd refuses it. */
static void add_response_header(struct MHD_Response *resp, const char *name, const char *value)
{
    if (MHD_add_response_header(resp, name, value) != MHD_YES)
        log_warn("http: response header %s refused", name);
}

/* A streamed body (http_stream) handed over to libmicrohttpd. */
typedef struct Stream {
    HttpReader fn;
    void *ud;
    void (*free_fn)(void *ud);
} Stream;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    Stream *s = cls;
    ssize_t n = s->fn(s->ud, pos, buf, max);
    /* 0 would make libmicrohttpd ask again at once, for ever: the source
     * ended before the length it announced. */
    return n > 0 ? n : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void stream_done(void *cls)
{
    Stream *s = cls;
    if (s->free_fn)
        s->free_fn(s->ud);
    free(s);
}

/* Queue the response held in r. Returns libmicrohttpd's verdict. */
static enum MHD_Result respond(ReqState *st)
{
    static const HttpHeader security[] = {
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "same-origin"},
        {"X-Frame-Options", "DENY"},
    };
    Req *r = &st->r;
    struct MHD_Response *resp;
    if (r->stream) {
        Stream *sm = xmalloc(sizeof *sm);
        *sm = (Stream){r->stream, r->stream_ud, r->stream_free};
        r->stream = NULL; /* libmicrohttpd owns it now: stream_done frees it */
        st->bytes = r->stream_len;
        resp = MHD_create_response_from_callback(r->stream_len, HTTP_STREAM_BLOCK, stream_read, sm, stream_done);
        if (!resp)
            stream_done(sm);
    } else if (r->out_static) {
        st->bytes = r->out_static_len;
        resp = MHD_create_response_from_buffer(r->out_static_len, (void *)r->out_static, MHD_RESPMEM_PERSISTENT);
    } else {
        /* No copy: the body lives in the request's arena, which on_completed
         * frees only after libmicrohttpd has finished with the response (a
         * 60 KB list page copy was 7 % of a list request's CPU). */
        st->bytes = r->out.len;
        resp = MHD_create_response_from_buffer(r->out.len, r->out.data, MHD_RESPMEM_PERSISTENT);
    }
    if (!resp)
        return MHD_NO;
    if (st->bytes && r->content_type && !has_header(r, "Content-Type"))
        add_response_header(resp, "Content-Type", r->content_type);
    for (size_t i = 0; i < sizeof security / sizeof security[0]; i++)
        if (!has_header(r, security[i].name))
            add_response_header(resp, security[i].name, security[i].value);
    for (int i = 0; i < r->nheaders; i++)
        add_response_header(resp, r->headers[i].name, r->headers[i].value);
    if (atomic_load(&st->server->stopping))
        add_response_header(resp, "Connection", "close");
    if (r->status < 100 || r->status > 599) {
        log_error("http: %s %s: handler set status %d", r->method, r->path, r->status);
        r->status = 500;
    }
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    st->responded = ret == MHD_YES;
    return ret;
}

/* Handle the request completely and queue its response. */
static enum MHD_Result request_finish(HttpServer *s, ReqState *st)
{
    dispatch(s, st);
    return respond(st);
}

/* First access-handler call: the headers are in. */
static enum MHD_Result request_begin(HttpServer *s, ReqState *st, const char *method)
{
    Req *r = &st->r;
    st->started = true;
    r->method = arena_strdup(&r->arena, method);
    const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Length");
    if (!cl)
        return MHD_YES;
    char *end;
    unsigned long long declared = strtoull(cl, &end, 10);
    if (*end || end == cl)
        return MHD_YES; /* libmicrohttpd rejects a malformed length itself */
    /* Upload routes take larger bodies: find the route now (a miss is
     * answered later, by the normal routing). */
    st->limit = s->cfg.max_body;
    if (declared > s->cfg.max_body) {
        if (route_request(s, st) && (r->route->flags & ROUTE_LARGE_BODY))
            st->limit = s->cfg.max_large_body;
        else
            r->route = NULL;
        ctx_clear(&r->c);
    }
    if (declared <= st->limit) {
        /* Room for the usual small body at once; a larger one grows as it
         * arrives, so a client cannot make us hold max_body per connection by
         * announcing a length and then stalling. */
        buf_init(&st->body, &r->arena);
        buf_reserve(&st->body, declared < HTTP_BODY_PREALLOC ? (size_t)declared : HTTP_BODY_PREALLOC);
        return MHD_YES;
    }
    st->too_large = true;
    /* Answer now, before the body, when the client waits for "100 Continue"
     * or the body is too large to be worth reading. libmicrohttpd then closes
     * the connection after the response. */
    const char *expect = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Expect");
    if ((expect && !strcasecmp(expect, "100-continue")) || declared - st->limit > HTTP_DISCARD_LIMIT)
        return request_finish(s, st);
    return MHD_YES;
}

/* Later calls with upload data: keep it, or count and drop it once over the
 * limit. Returns MHD_NO (close the connection) for a body that goes on far
 * past the limit. */
static enum MHD_Result request_upload(HttpServer *s, ReqState *st, const char *data, size_t n)
{
    st->body_seen += n;
    size_t limit = st->limit ? st->limit : s->cfg.max_body;
    if (st->too_large || st->body_seen > limit) {
        st->too_large = true;
        if (st->body_seen > limit && st->body_seen - limit > HTTP_DISCARD_LIMIT) {
            log_warn("http: %s: closing a connection sending a body past %zu bytes", st->r.client_ip,
                     limit + HTTP_DISCARD_LIMIT);
            return MHD_NO;
        }
        return MHD_YES;
    }
    if (!st->body.data)
        buf_init(&st->body, &st->r.arena);
    buf_raw_n(&st->body, data, n);
    return MHD_YES;
}

/* libmicrohttpd's access handler (see the comment at the top). */
static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                 const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    HttpServer *s = cls;
    ReqState *st = *con_cls;
    (void)url;
    (void)version;
    (void)conn;
    if (!st) {
        log_error("http: request without state");
        return MHD_NO;
    }
    if (st->responded) {
        *upload_data_size = 0; /* answered early (413): drop the rest */
        return MHD_YES;
    }
    if (!st->started)
        return request_begin(s, st, method);
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        return request_upload(s, st, upload_data, n);
    }
    return request_finish(s, st);
}

/* Text form of the peer address, in the arena. */
static const char *client_ip_text(struct MHD_Connection *conn, Arena *a)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char *out = arena_alloc(a, INET6_ADDRSTRLEN);
    if (!ci || !ci->client_addr)
        return "-";
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, INET6_ADDRSTRLEN);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, INET6_ADDRSTRLEN);
    else
        return "-";
    return out;
}

/* libmicrohttpd's URI log callback: called once per request with the raw URI,
 * before the access handler. Its return value becomes *con_cls. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    HttpServer *s = cls;
    ReqState *st = xcalloc(1, sizeof *st);
    Req *r = &st->r;
    st->server = s;
    arena_init(&r->arena);
    buf_init(&r->out, &r->arena);
    ctx_init(&r->c, &r->arena, NULL);
    r->conn = conn;
    r->app = s->cfg.app;
    r->status = 200;
    r->content_type = "application/json";
    r->start_us = now_us();
    r->client_ip = client_ip_text(conn, &r->arena);
    st->raw_path = arena_strndup(&r->arena, uri, strcspn(uri, "?#"));
    /* Until routing decodes it (and for requests answered before routing:
     * 413, a malformed path), r->path is the raw path, never NULL. */
    r->path = st->raw_path;
    atomic_fetch_add(&s->inflight, 1);
    return st;
}

/* Copy s into the arena with control characters replaced, for the log. */
static const char *log_safe(Arena *a, const char *s)
{
    if (!s)
        return "-";
    char *out = arena_strdup(a, s);
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return out;
}

/* libmicrohttpd's completion callback: the response was sent, or the
 * connection failed. Logs and frees the request. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    HttpServer *s = cls;
    ReqState *st = *con_cls;
    (void)conn;
    if (!st)
        return;
    *con_cls = NULL;
    Req *r = &st->r;
    if (s->cfg.access_log) {
        char status[16];
        if (st->responded)
            snprintf(status, sizeof status, "%d", r->status);
        else
            snprintf(status, sizeof status, "-");
        double ms = (double)(now_us() - r->start_us) / 1000.0;
        log_info("%s %s %s %s %zu %.3fms%s", r->client_ip, log_safe(&r->arena, r->method),
                 log_safe(&r->arena, st->raw_path), status, st->bytes, ms,
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    }
    stream_drop(r); /* a stream never handed over (no response queued) */
    ctx_done(&r->c);
    arena_free(&r->arena);
    free(st);
    atomic_fetch_sub(&s->inflight, 1);
}

/* Route libmicrohttpd's own messages into our log. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = 0;
    log_warn("http: %s", msg);
}

/* ---------------------------------------------------------------------------
 * Server */

/* Parse "HOST:PORT" (IPv4; HOST may be empty, "*" or "localhost"). */
static bool parse_listen(const char *listen, struct sockaddr_in *sa)
{
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    int64_t port;
    if (!colon || !parse_i64(colon + 1, &port) || port < 0 || port > 65535)
        return false;
    char host[64];
    size_t n = (size_t)(colon - listen);
    if (n >= sizeof host)
        return false;
    memcpy(host, listen, n);
    host[n] = 0;
    *sa = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (n == 0 || !strcmp(host, "*"))
        sa->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (!strcmp(host, "localhost"))
        sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return false;
    return true;
}

HttpServer *http_start(const HttpConfig *cfg)
{
    struct sockaddr_in sa;
    if (!parse_listen(cfg->listen, &sa)) {
        log_error("http: cannot parse listen address \"%s\" (want HOST:PORT)", cfg->listen ? cfg->listen : "");
        return NULL;
    }
    HttpServer *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    if (!s->cfg.max_body)
        s->cfg.max_body = HTTP_DEFAULT_MAX_BODY;
    if (!s->cfg.max_large_body)
        s->cfg.max_large_body = HTTP_DEFAULT_MAX_LARGE_BODY;
    if (!s->cfg.timeout_s)
        s->cfg.timeout_s = HTTP_DEFAULT_TIMEOUT_S;
    if (s->cfg.threads <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        s->cfg.threads = cpus < 2 ? 2 : (int)cpus;
    }
    atomic_init(&s->inflight, 0);
    atomic_init(&s->stopping, false);

    int n = 0;
    while (cfg->routes && cfg->routes[n].method)
        n++;
    s->routes = xcalloc((size_t)n + 1, sizeof *s->routes);
    for (int i = 0; i < n; i++) {
        s->nroutes = i + 1;
        if (!route_compile(&cfg->routes[i], &s->routes[i]))
            goto fail;
    }
    routes_index(s);

    /* Connection memory 16 KB instead of libmicrohttpd's 32 KB: it zeroes
     * what a request used of it before the next one on the connection
     * (5 % of a /healthz request's CPU; 34,000 -> 42,000 req/s). Request
     * lines and headers of up to ~15 KB still fit (414/431 beyond). */
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC,
                                 ntohs(sa.sin_port), NULL, NULL, on_access, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
                                 NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
                                 (unsigned)s->cfg.threads, MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.timeout_s,
                                 MHD_OPTION_CONNECTION_LIMIT, HTTP_CONNECTION_LIMIT, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384, MHD_OPTION_URI_LOG_CALLBACK,
                                 on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (!s->daemon) {
        log_error("http: cannot listen on %s", cfg->listen);
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : ntohs(sa.sin_port);
    log_info("http: listening on %s (port %d, %d threads)", cfg->listen, s->port, s->cfg.threads);
    return s;

fail:
    routes_free(s);
    free(s);
    return NULL;
}

void http_stop(HttpServer *s)
{
    if (!s)
        return;
    MHD_socket listen_fd = MHD_quiesce_daemon(s->daemon);
    /* Connections already open may still bring requests: answer them with
     * "Connection: close", wait a little for those in progress, then stop
     * (which closes the idle ones). */
    atomic_store(&s->stopping, true);
    for (int waited = 0; atomic_load(&s->inflight) > 0 && waited < HTTP_STOP_GRACE_MS; waited += 10)
        usleep(10 * 1000);
    MHD_stop_daemon(s->daemon);
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd);
    routes_free(s);
    free(s);
}

int http_port(const HttpServer *s)
{
    return s->port;
}
