/* test_http.c — the HTTP server against real requests over a socket.
 *
 * One server is started on 127.0.0.1:0 for the whole group, with a small
 * route table, a `before` hook that refuses /secret and a render_error that
 * writes {"error":{"code":…}}. A tiny blocking client speaks HTTP/1.1 to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/log.h"
#include "db/db.h"
#include "http/http.h"

#define MAX_BODY (64 * 1024)

/* ---------------------------------------------------------------------------
 * Handlers */

static void h_hello(Req *r)
{
    http_json(r, 200, json_pack("{s:s}", "hello", "world"));
}

static void h_item(Req *r)
{
    http_json(r, 200, json_pack("{s:s, s:s}", "id", http_param(r, "id"), "method", r->method));
}

static void h_note(Req *r)
{
    http_json(r, 200, json_pack("{s:s, s:s}", "id", http_param(r, "id"), "note", http_param(r, "note")));
}

static void h_echo(Req *r)
{
    r->content_type = "application/octet-stream";
    if (r->body)
        buf_raw_n(&r->out, r->body, r->body_len);
    char n[32];
    snprintf(n, sizeof n, "%zu", r->body_len);
    http_add_header(r, "X-Body-Length", n);
}

static const char static_bytes[] = "body{color:red}";

static void h_static(Req *r)
{
    r->content_type = "text/css";
    r->out_static = (const unsigned char *)static_bytes;
    r->out_static_len = sizeof static_bytes - 1;
    http_add_header(r, "X-Path", r->path);
}

static void h_form(Req *r)
{
    json_t *form = http_form(r);
    if (!form) {
        ctx_fail(&r->c, GX_EBADREQ, "bad form");
        return;
    }
    http_json(r, 200, form);
}

static void add_query_pair(void *ud, const char *key, const char *value)
{
    json_array_append_new(ud, json_pack("[s,s]", key, value));
}

static void h_query(Req *r)
{
    json_t *pairs = json_array();
    http_query_each(r, add_query_pair, pairs);
    const char *missing = http_query(r, "missing");
    http_json(r, 200,
              json_pack("{s:s?, s:s?, s:o, s:s?, s:s?, s:b}", "q", http_query(r, "q"), "flag", http_query(r, "flag"),
                        "pairs", pairs, "agent", http_header(r, "x-test-agent"), "sid", http_cookie(r, "sid"),
                        "missing_is_null", missing == NULL));
}

static void h_login(Req *r)
{
    http_set_cookie(r, "sid", "abc123_-", 3600);
    http_set_cookie(r, "old", "", 0);
    http_set_cookie(r, "bad", "has;semicolon", -1); /* refused: not cookie-safe */
    http_redirect(r, "/home");
}

static void h_conflict(Req *r)
{
    ctx_fail(&r->c, GX_ECONFLICT, "stale version");
}

static void h_db(Req *r)
{
    int64_t v = 0;
    bool found = false;
    int rc = db_query_int(r->c.db, "SELECT 40 + 2", NULL, 0, &v, &found);
    http_json(r, 200, json_pack("{s:i, s:b, s:I}", "rc", rc, "found", found, "value", (json_int_t)v));
}

static void h_secret(Req *r)
{
    http_json(r, 200, json_pack("{s:s}", "secret", "leaked"));
}

static void h_many_headers(Req *r)
{
    for (int i = 0; i < HTTP_MAX_HEADERS + 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "X-H%d", i);
        http_add_header(r, name, "v");
    }
    http_json(r, 200, json_pack("{}"));
}

static const Route routes[] = {
    {"GET", "/hello", h_hello, ROUTE_PUBLIC, NULL},
    {"GET", "/items/{id}", h_item, ROUTE_PUBLIC, NULL},
    {"PUT", "/items/{id}", h_item, ROUTE_PUBLIC | ROUTE_MUTATES, NULL},
    {"GET", "/items/{id}/notes/{note}", h_note, ROUTE_PUBLIC, NULL},
    {"POST", "/echo", h_echo, ROUTE_PUBLIC | ROUTE_MUTATES, NULL},
    {"POST", "/form", h_form, ROUTE_PUBLIC | ROUTE_MUTATES, NULL},
    {"GET", "/static/", h_static, ROUTE_PUBLIC | ROUTE_PREFIX, NULL},
    {"GET", "/query", h_query, ROUTE_PUBLIC, NULL},
    {"POST", "/login", h_login, ROUTE_PUBLIC | ROUTE_MUTATES, NULL},
    {"GET", "/conflict", h_conflict, ROUTE_PUBLIC, NULL},
    {"GET", "/db", h_db, ROUTE_PUBLIC, NULL},
    {"GET", "/secret", h_secret, 0, NULL},
    {"GET", "/many-headers", h_many_headers, ROUTE_PUBLIC, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

static bool before(Req *r)
{
    if (!(r->route->flags & ROUTE_PUBLIC)) {
        ctx_fail(&r->c, GX_EDENIED, "not for you");
        return false;
    }
    return true;
}

static void render_error(Req *r)
{
    r->content_type = "application/json; charset=utf-8";
    buf_printf(&r->out, "{\"error\":{\"code\":\"%s\"}}", r->c.err_code);
}

/* ---------------------------------------------------------------------------
 * A tiny blocking HTTP/1.1 client */

typedef struct Resp {
    int status;      /* from the status line, 0 if none */
    char head[8192]; /* status line and headers, NUL-terminated */
    char *body;      /* malloc'ed, NUL-terminated */
    size_t body_len;
} Resp;

static int server_port;

static int client_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)server_port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

static void send_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        assert_true(k > 0);
        p += k;
        n -= (size_t)k;
    }
}

/* Value of header name in resp (case-insensitive), copied into out; NULL if absent. */
static const char *resp_header(const Resp *resp, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    for (const char *p = strstr(resp->head, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (!strncasecmp(line, name, n) && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            size_t len = strcspn(v, "\r");
            if (len >= cap)
                len = cap - 1;
            memcpy(out, v, len);
            out[len] = 0;
            return out;
        }
    }
    return NULL;
}

/* Read one response. Returns false when the connection was closed before a
 * status line. no_body: the response to a HEAD request. */
static bool read_response(int fd, Resp *resp, bool no_body)
{
    memset(resp, 0, sizeof *resp);
    size_t n = 0;
    while (n < 4 || memcmp(resp->head + n - 4, "\r\n\r\n", 4) != 0) {
        assert_true(n < sizeof resp->head - 1);
        ssize_t k = recv(fd, resp->head + n, 1, 0);
        if (k <= 0)
            return false;
        n++;
    }
    resp->head[n] = 0;
    assert_int_equal(sscanf(resp->head, "HTTP/1.1 %d", &resp->status), 1);
    char cl[32];
    size_t len = 0;
    if (!no_body && resp_header(resp, "Content-Length", cl, sizeof cl))
        len = strtoul(cl, NULL, 10);
    resp->body = malloc(len + 1);
    size_t got = 0;
    while (got < len) {
        ssize_t k = recv(fd, resp->body + got, len - got, 0);
        assert_true(k > 0);
        got += (size_t)k;
    }
    resp->body[len] = 0;
    resp->body_len = len;
    return true;
}

/* Is the server's side of fd closed (EOF within the receive timeout)? */
static bool peer_closed(int fd)
{
    char c;
    return recv(fd, &c, 1, 0) == 0;
}

/* One request on a fresh connection. */
static void request(const char *raw, Resp *resp)
{
    int fd = client_connect();
    send_all(fd, raw, strlen(raw));
    assert_true(read_response(fd, resp, !strncmp(raw, "HEAD ", 5)));
    close(fd);
}

static void get(const char *path, Resp *resp)
{
    char raw[2048];
    snprintf(raw, sizeof raw, "GET %s HTTP/1.1\r\nHost: test\r\n\r\n", path);
    request(raw, resp);
}

static void resp_free(Resp *resp)
{
    free(resp->body);
}

/* ---------------------------------------------------------------------------
 * Fixture */

static char db_dir[] = "/tmp/guanxi-test-http-XXXXXX";
static char db_path[256];
static Db *db;
static HttpServer *server;

static int group_setup(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(db_dir));
    snprintf(db_path, sizeof db_path, "%s/test.db", db_dir);
    char *err = NULL;
    db = db_open(db_path, &err);
    if (!db) {
        fprintf(stderr, "db_open: %s\n", err ? err : "?");
        free(err);
        return -1;
    }
    HttpConfig cfg = {
        .listen = "127.0.0.1:0",
        .db = db,
        .routes = routes,
        .threads = 2,
        .max_body = MAX_BODY,
        .access_log = true,
        .before = before,
        .render_error = render_error,
    };
    server = http_start(&cfg);
    if (!server)
        return -1;
    server_port = http_port(server);
    return server_port > 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    http_stop(server);
    db_close(db);
    unlink(db_path);
    char side[300];
    snprintf(side, sizeof side, "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db_path);
    unlink(side);
    rmdir(db_dir);
    return 0;
}

/* ---------------------------------------------------------------------------
 * Tests */

static void test_get_hello_returns_json_with_security_headers(void **state)
{
    (void)state;
    Resp resp;
    get("/hello", &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "{\"hello\":\"world\"}");
    char v[256];
    assert_string_equal(resp_header(&resp, "Content-Type", v, sizeof v), "application/json; charset=utf-8");
    assert_string_equal(resp_header(&resp, "Content-Length", v, sizeof v), "17");
    assert_string_equal(resp_header(&resp, "X-Content-Type-Options", v, sizeof v), "nosniff");
    assert_string_equal(resp_header(&resp, "Referrer-Policy", v, sizeof v), "same-origin");
    assert_string_equal(resp_header(&resp, "X-Frame-Options", v, sizeof v), "DENY");
    assert_null(resp_header(&resp, "Connection", v, sizeof v));
    resp_free(&resp);
}

static void test_keep_alive_serves_two_requests_on_one_connection(void **state)
{
    (void)state;
    int fd = client_connect();
    const char *req = "GET /hello HTTP/1.1\r\nHost: test\r\n\r\n";
    for (int i = 0; i < 3; i++) {
        send_all(fd, req, strlen(req));
        Resp resp;
        assert_true(read_response(fd, &resp, false));
        assert_int_equal(resp.status, 200);
        assert_string_equal(resp.body, "{\"hello\":\"world\"}");
        resp_free(&resp);
    }
    close(fd);
}

static void test_capture_is_url_decoded(void **state)
{
    (void)state;
    Resp resp;
    get("/items/%E5%AE%A2", &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "{\"id\":\"客\",\"method\":\"GET\"}");
    resp_free(&resp);

    /* An encoded '/' stays inside its segment. */
    get("/items/a%2Fb", &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "{\"id\":\"a/b\",\"method\":\"GET\"}");
    resp_free(&resp);

    get("/items/42/notes/n%207", &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "{\"id\":\"42\",\"note\":\"n 7\"}");
    resp_free(&resp);
}

static void test_unknown_path_is_404_through_render_error(void **state)
{
    (void)state;
    Resp resp;
    get("/nope", &resp);
    assert_int_equal(resp.status, 404);
    assert_string_equal(resp.body, "{\"error\":{\"code\":\"not_found\"}}");
    char v[64];
    assert_string_equal(resp_header(&resp, "X-Frame-Options", v, sizeof v), "DENY");
    resp_free(&resp);

    /* A capture matches one non-empty segment only. */
    get("/items/", &resp);
    assert_int_equal(resp.status, 404);
    resp_free(&resp);
    get("/items/1/2", &resp);
    assert_int_equal(resp.status, 404);
    resp_free(&resp);
    get("/hello/", &resp);
    assert_int_equal(resp.status, 404);
    resp_free(&resp);
}

static void test_wrong_method_is_405_with_allow(void **state)
{
    (void)state;
    Resp resp;
    request("DELETE /items/7 HTTP/1.1\r\nHost: test\r\n\r\n", &resp);
    assert_int_equal(resp.status, 405);
    assert_string_equal(resp.body, "{\"error\":{\"code\":\"method_not_allowed\"}}");
    char v[128];
    assert_string_equal(resp_header(&resp, "Allow", v, sizeof v), "GET, HEAD, PUT");
    resp_free(&resp);

    request("PUT /items/7 HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n", &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "{\"id\":\"7\",\"method\":\"PUT\"}");
    resp_free(&resp);
}

static void test_head_is_served_by_get_route_without_body(void **state)
{
    (void)state;
    int fd = client_connect();
    const char *head = "HEAD /hello HTTP/1.1\r\nHost: test\r\n\r\n";
    send_all(fd, head, strlen(head));
    Resp resp;
    assert_true(read_response(fd, &resp, true));
    assert_int_equal(resp.status, 200);
    char v[64];
    assert_string_equal(resp_header(&resp, "Content-Type", v, sizeof v), "application/json; charset=utf-8");
    resp_free(&resp);
    /* No body followed: the next response starts right away. */
    const char *get_req = "GET /hello HTTP/1.1\r\nHost: test\r\n\r\n";
    send_all(fd, get_req, strlen(get_req));
    assert_true(read_response(fd, &resp, false));
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "{\"hello\":\"world\"}");
    resp_free(&resp);
    close(fd);
}

static void test_post_echo_returns_body_byte_for_byte(void **state)
{
    (void)state;
    size_t n = 50000; /* arrives in several upload calls */
    unsigned char *body = malloc(n);
    for (size_t i = 0; i < n; i++)
        body[i] = (unsigned char)(i * 7 + 3); /* every byte value, NUL included */
    int fd = client_connect();
    char head[256];
    snprintf(head, sizeof head,
             "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/octet-stream\r\n"
             "Content-Length: %zu\r\n\r\n",
             n);
    send_all(fd, head, strlen(head));
    send_all(fd, body, n);
    Resp resp;
    assert_true(read_response(fd, &resp, false));
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.body_len, n);
    assert_memory_equal(resp.body, body, n);
    char v[64];
    assert_string_equal(resp_header(&resp, "X-Body-Length", v, sizeof v), "50000");
    assert_string_equal(resp_header(&resp, "Content-Type", v, sizeof v), "application/octet-stream");
    resp_free(&resp);

    /* Chunked upload, then a second request on the same connection. */
    const char *chunked = "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n";
    send_all(fd, chunked, strlen(chunked));
    assert_true(read_response(fd, &resp, false));
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "hello, world");
    resp_free(&resp);

    /* Empty body: the handler sees NULL. */
    const char *empty = "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n";
    send_all(fd, empty, strlen(empty));
    assert_true(read_response(fd, &resp, false));
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.body_len, 0);
    assert_string_equal(resp_header(&resp, "X-Body-Length", v, sizeof v), "0");
    assert_null(resp_header(&resp, "Content-Type", v, sizeof v));
    resp_free(&resp);
    close(fd);
    free(body);
}

static void test_body_over_limit_is_413_and_connection_stays_usable(void **state)
{
    (void)state;
    size_t n = MAX_BODY + 1;
    char *body = malloc(n);
    memset(body, 'x', n);
    int fd = client_connect();
    char head[256];
    snprintf(head, sizeof head, "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: %zu\r\n\r\n", n);
    send_all(fd, head, strlen(head));
    send_all(fd, body, n);
    Resp resp;
    assert_true(read_response(fd, &resp, false));
    assert_int_equal(resp.status, 413);
    assert_string_equal(resp.body, "{\"error\":{\"code\":\"payload_too_large\"}}");
    resp_free(&resp);

    /* Exactly at the limit is fine, on the same connection. */
    snprintf(head, sizeof head, "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: %d\r\n\r\n", MAX_BODY);
    send_all(fd, head, strlen(head));
    send_all(fd, body, MAX_BODY);
    assert_true(read_response(fd, &resp, false));
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.body_len, MAX_BODY);
    resp_free(&resp);

    /* Chunked, no Content-Length: noticed while reading. */
    const char *chunk_head = "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n";
    send_all(fd, chunk_head, strlen(chunk_head));
    for (int i = 0; i < 3; i++) {
        char size[32];
        snprintf(size, sizeof size, "%x\r\n", 30000);
        send_all(fd, size, strlen(size));
        send_all(fd, body, 30000);
        send_all(fd, "\r\n", 2);
    }
    send_all(fd, "0\r\n\r\n", 5);
    assert_true(read_response(fd, &resp, false));
    assert_int_equal(resp.status, 413);
    resp_free(&resp);

    const char *get_req = "GET /hello HTTP/1.1\r\nHost: test\r\n\r\n";
    send_all(fd, get_req, strlen(get_req));
    assert_true(read_response(fd, &resp, false));
    assert_int_equal(resp.status, 200);
    resp_free(&resp);
    close(fd);
    free(body);
}

static void test_declared_huge_body_with_expect_gets_413_before_upload(void **state)
{
    (void)state;
    int fd = client_connect();
    const char *head = "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 1000000000\r\n"
                       "Expect: 100-continue\r\n\r\n";
    send_all(fd, head, strlen(head));
    Resp resp;
    assert_true(read_response(fd, &resp, false));
    assert_int_equal(resp.status, 413); /* not "100 Continue" */
    assert_string_equal(resp.body, "{\"error\":{\"code\":\"payload_too_large\"}}");
    resp_free(&resp);
    assert_true(peer_closed(fd));
    close(fd);
}

static void test_malformed_paths_are_400(void **state)
{
    (void)state;
    static const char *paths[] = {
        "/items/%00",     "/items/%ZZ",       "/items/%E5%AE", /* truncated UTF-8 */
        "/static/../etc", "/static/..%2Fetc", "/static/./x",   "/items/%2E%2E",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        Resp resp;
        get(paths[i], &resp);
        if (resp.status != 400)
            fail_msg("%s: status %d", paths[i], resp.status);
        assert_string_equal(resp.body, "{\"error\":{\"code\":\"bad_request\"}}");
        resp_free(&resp);
    }
}

static void test_prefix_route_serves_static_bytes(void **state)
{
    (void)state;
    Resp resp;
    get("/static/css/app.css?v=1", &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "body{color:red}");
    char v[128];
    assert_string_equal(resp_header(&resp, "Content-Type", v, sizeof v), "text/css");
    assert_string_equal(resp_header(&resp, "X-Path", v, sizeof v), "/static/css/app.css");
    resp_free(&resp);

    get("/static/", &resp);
    assert_int_equal(resp.status, 200);
    resp_free(&resp);
    get("/static", &resp);
    assert_int_equal(resp.status, 404);
    resp_free(&resp);
    get("/staticfoo", &resp);
    assert_int_equal(resp.status, 404);
    resp_free(&resp);
}

static void test_before_hook_refusal_is_rendered(void **state)
{
    (void)state;
    Resp resp;
    get("/secret", &resp);
    assert_int_equal(resp.status, 403);
    assert_string_equal(resp.body, "{\"error\":{\"code\":\"forbidden\"}}");
    resp_free(&resp);
}

static void test_handler_error_without_body_is_rendered(void **state)
{
    (void)state;
    Resp resp;
    get("/conflict", &resp);
    assert_int_equal(resp.status, 409);
    assert_string_equal(resp.body, "{\"error\":{\"code\":\"conflict\"}}");
    resp_free(&resp);
}

static void test_handler_gets_a_thread_db_connection(void **state)
{
    (void)state;
    Resp resp;
    get("/db", &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "{\"rc\":0,\"found\":true,\"value\":42}");
    resp_free(&resp);
}

static void test_query_header_and_cookie_helpers(void **state)
{
    (void)state;
    Resp resp;
    request("GET /query?q=%E5%AE%A2+x&flag&x=1&x=2 HTTP/1.1\r\nHost: test\r\n"
            "X-Test-Agent: cmocka\r\nCookie: theme=dark; sid=s3cr3t\r\n\r\n",
            &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "{\"q\":\"客 x\",\"flag\":\"\",\"pairs\":[[\"q\",\"客 x\"],[\"flag\",\"\"],"
                                   "[\"x\",\"1\"],[\"x\",\"2\"]],\"agent\":\"cmocka\",\"sid\":\"s3cr3t\","
                                   "\"missing_is_null\":true}");
    resp_free(&resp);
}

static void test_form_body_is_parsed(void **state)
{
    (void)state;
    Resp resp;
    const char *body = "a=1&b=x+y&a=2&c=%E5%AE%A2&empty=&bare&&a=3";
    char raw[512];
    snprintf(raw, sizeof raw,
             "POST /form HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-www-form-urlencoded\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    request(raw, &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body,
                        "{\"a\":[\"1\",\"2\",\"3\"],\"b\":\"x y\",\"c\":\"客\",\"empty\":\"\",\"bare\":\"\"}");
    resp_free(&resp);

    static const char *bad[] = {"a=%ZZ", "a=%00", "a=%FF", "%E5=1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(raw, sizeof raw, "POST /form HTTP/1.1\r\nHost: test\r\nContent-Length: %zu\r\n\r\n%s", strlen(bad[i]),
                 bad[i]);
        request(raw, &resp);
        if (resp.status != 400)
            fail_msg("%s: status %d", bad[i], resp.status);
        resp_free(&resp);
    }
}

static void test_set_cookie_and_redirect(void **state)
{
    (void)state;
    Resp resp;
    request("POST /login HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n", &resp);
    assert_int_equal(resp.status, 303);
    char v[256];
    assert_string_equal(resp_header(&resp, "Location", v, sizeof v), "/home");
    assert_non_null(
        strstr(resp.head, "\r\nSet-Cookie: sid=abc123_-; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600\r\n"));
    assert_non_null(strstr(resp.head, "\r\nSet-Cookie: old=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0\r\n"));
    assert_null(strstr(resp.head, "bad="));
    assert_int_equal(resp.body_len, 0);
    resp_free(&resp);
}

static void test_extra_headers_beyond_limit_are_dropped(void **state)
{
    (void)state;
    Resp resp;
    get("/many-headers", &resp);
    assert_int_equal(resp.status, 200);
    char v[16];
    assert_non_null(resp_header(&resp, "X-H15", v, sizeof v));
    assert_null(resp_header(&resp, "X-H16", v, sizeof v));
    resp_free(&resp);
}

/* Several clients at once, each on its own keep-alive connection. */
static void *client_thread(void *arg)
{
    int *ok = arg;
    int fd = client_connect();
    char req[128];
    for (int i = 0; i < 200; i++) {
        snprintf(req, sizeof req, "GET /items/%d HTTP/1.1\r\nHost: test\r\n\r\n", i);
        send_all(fd, req, strlen(req));
        Resp resp;
        if (!read_response(fd, &resp, false))
            break;
        char want[64];
        snprintf(want, sizeof want, "{\"id\":\"%d\",\"method\":\"GET\"}", i);
        if (resp.status == 200 && !strcmp(resp.body, want))
            (*ok)++;
        resp_free(&resp);
    }
    close(fd);
    return NULL;
}

static void test_concurrent_clients_get_their_own_answers(void **state)
{
    (void)state;
    log_set_level(LOG_WARN); /* keep the access log short */
    pthread_t t[6];
    int ok[6] = {0};
    for (int i = 0; i < 6; i++)
        pthread_create(&t[i], NULL, client_thread, &ok[i]);
    for (int i = 0; i < 6; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(ok[i], 200);
    }
    log_set_level(LOG_INFO);
}

static void test_client_disconnects_mid_request_then_server_still_answers(void **state)
{
    (void)state;
    /* Headers cut short, then a body cut short: each request's state must be
     * freed (the ASan build reports leaks at exit) and the server go on. */
    static const char *partial[] = {
        "GET /hello HTTP/1.1\r\nHost: te", "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\nonly some",
        "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\n", /* over the limit */
    };
    for (size_t i = 0; i < sizeof partial / sizeof partial[0]; i++) {
        int fd = client_connect();
        send_all(fd, partial[i], strlen(partial[i]));
        usleep(20 * 1000);
        close(fd);
    }
    usleep(50 * 1000);
    Resp resp;
    get("/hello", &resp);
    assert_int_equal(resp.status, 200);
    resp_free(&resp);
}

static void test_stop_closes_idle_keep_alive_connections(void **state)
{
    (void)state;
    HttpConfig cfg = {.listen = "127.0.0.1:0", .routes = routes, .threads = 2};
    HttpServer *s = http_start(&cfg);
    assert_non_null(s);
    int saved = server_port;
    server_port = http_port(s);
    int fd = client_connect(); /* an idle keep-alive connection */
    const char *req = "GET /hello HTTP/1.1\r\nHost: test\r\n\r\n";
    send_all(fd, req, strlen(req));
    Resp resp;
    assert_true(read_response(fd, &resp, false));
    assert_int_equal(resp.status, 200);
    resp_free(&resp);
    http_stop(s);
    assert_true(peer_closed(fd));
    close(fd);
    server_port = saved;
}

static void test_url_decode_is_strict(void **state)
{
    (void)state;
    char a[] = "%E5%AE%A2+%41%2f";
    assert_true(http_url_decode(a));
    assert_string_equal(a, "客+A/");
    char b[] = "100%";
    assert_false(http_url_decode(b));
    char c[] = "%4";
    assert_false(http_url_decode(c));
    char d[] = "%G1";
    assert_false(http_url_decode(d));
    char e[] = "x%00y";
    assert_false(http_url_decode(e));
    char f[] = "";
    assert_true(http_url_decode(f));
    assert_string_equal(f, "");
}

static void test_start_refuses_bad_listen_and_bad_routes(void **state)
{
    (void)state;
    HttpConfig cfg = {.listen = "127.0.0.1", .routes = routes};
    assert_null(http_start(&cfg));
    cfg.listen = "127.0.0.1:70000";
    assert_null(http_start(&cfg));
    cfg.listen = "nowhere:80";
    assert_null(http_start(&cfg));
    static const Route bad[] = {
        {"GET", "/ok", h_hello, 0, NULL},
        {"GET", "/x{id}", h_hello, 0, NULL},
        {NULL, NULL, NULL, 0, NULL},
    };
    cfg.listen = "127.0.0.1:0";
    cfg.routes = bad;
    assert_null(http_start(&cfg));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_hello_returns_json_with_security_headers),
        cmocka_unit_test(test_keep_alive_serves_two_requests_on_one_connection),
        cmocka_unit_test(test_capture_is_url_decoded),
        cmocka_unit_test(test_unknown_path_is_404_through_render_error),
        cmocka_unit_test(test_wrong_method_is_405_with_allow),
        cmocka_unit_test(test_head_is_served_by_get_route_without_body),
        cmocka_unit_test(test_post_echo_returns_body_byte_for_byte),
        cmocka_unit_test(test_body_over_limit_is_413_and_connection_stays_usable),
        cmocka_unit_test(test_declared_huge_body_with_expect_gets_413_before_upload),
        cmocka_unit_test(test_malformed_paths_are_400),
        cmocka_unit_test(test_prefix_route_serves_static_bytes),
        cmocka_unit_test(test_before_hook_refusal_is_rendered),
        cmocka_unit_test(test_handler_error_without_body_is_rendered),
        cmocka_unit_test(test_handler_gets_a_thread_db_connection),
        cmocka_unit_test(test_query_header_and_cookie_helpers),
        cmocka_unit_test(test_form_body_is_parsed),
        cmocka_unit_test(test_set_cookie_and_redirect),
        cmocka_unit_test(test_extra_headers_beyond_limit_are_dropped),
        cmocka_unit_test(test_concurrent_clients_get_their_own_answers),
        cmocka_unit_test(test_client_disconnects_mid_request_then_server_still_answers),
        cmocka_unit_test(test_stop_closes_idle_keep_alive_connections),
        cmocka_unit_test(test_url_decode_is_strict),
        cmocka_unit_test(test_start_refuses_bad_listen_and_bad_routes),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
