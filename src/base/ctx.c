/* ctx.c — see ctx.h. */
#include "ctx.h"

#include <stdarg.h>

void ctx_init(Ctx *c, Arena *arena, DbConn *db)
{
    *c = (Ctx){.arena = arena, .db = db, .lang = "zh"};
}

void ctx_defer(Ctx *c, void (*fn)(void *), void *arg)
{
    if (c->ndeferred == (int)(sizeof c->deferred / sizeof c->deferred[0]))
        gx_die("ctx_defer: too many cleanups");
    c->deferred[c->ndeferred].fn = fn;
    c->deferred[c->ndeferred].arg = arg;
    c->ndeferred++;
}

void ctx_done(Ctx *c)
{
    while (c->ndeferred > 0) {
        c->ndeferred--;
        c->deferred[c->ndeferred].fn(c->deferred[c->ndeferred].arg);
    }
    if (c->err_fields)
        json_decref(c->err_fields);
    c->err_fields = NULL;
}

void ctx_clear(Ctx *c)
{
    if (c->err_fields)
        json_decref(c->err_fields);
    c->err_fields = NULL;
    c->err = GX_OK;
    c->err_code = NULL;
    c->err_msg = NULL;
}

GxErr ctx_fail(Ctx *c, GxErr err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    c->err = err;
    c->err_code = gx_err_code(err);
    c->err_msg = arena_vprintf(c->arena, fmt, ap);
    va_end(ap);
    return err;
}

void ctx_field(Ctx *c, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(c->arena, fmt, ap);
    va_end(ap);
    if (!c->err_fields)
        c->err_fields = json_object();
    if (!json_object_get(c->err_fields, field))
        json_object_set_new(c->err_fields, field, json_string(msg));
    if (c->err == GX_OK) {
        c->err = GX_EINVALID;
        c->err_code = gx_err_code(GX_EINVALID);
        c->err_msg = "Validation failed";
    }
}

int gx_http_status(GxErr e)
{
    switch (e) {
    case GX_OK: return 200;
    case GX_EBADREQ: return 400;
    case GX_EAUTH: return 401;
    case GX_EDENIED: return 403;
    case GX_ENOTFOUND: return 404;
    case GX_EMETHOD: return 405;
    case GX_ECONFLICT: return 409;
    case GX_ETOOLARGE: return 413;
    case GX_EINVALID: return 422;
    case GX_ETOOMANY: return 429;
    case GX_EDB:
    case GX_EINTERNAL: return 500;
    }
    return 500;
}

const char *gx_err_code(GxErr e)
{
    switch (e) {
    case GX_OK: return "ok";
    case GX_EBADREQ: return "bad_request";
    case GX_EAUTH: return "unauthorized";
    case GX_EDENIED: return "forbidden";
    case GX_ENOTFOUND: return "not_found";
    case GX_EMETHOD: return "method_not_allowed";
    case GX_ECONFLICT: return "conflict";
    case GX_ETOOLARGE: return "payload_too_large";
    case GX_EINVALID: return "validation_failed";
    case GX_ETOOMANY: return "too_many_requests";
    case GX_EDB: return "database_error";
    case GX_EINTERNAL: return "internal_error";
    }
    return "internal_error";
}
