/* ctx.h — error codes and the per-operation context every layer receives.
 *
 * A Ctx carries what one unit of work (an HTTP request, a CLI command) needs:
 * its arena, its database connection, the acting user, and the error being
 * reported. Functions return a GxErr code and, on failure, describe it in the
 * Ctx with ctx_fail()/ctx_field(); the caller decides how to present it. */
#ifndef GX_CTX_H
#define GX_CTX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"

typedef enum GxErr {
    GX_OK = 0,
    GX_EBADREQ,   /* 400: malformed input (bad JSON, unknown filter field) */
    GX_EAUTH,     /* 401: not logged in */
    GX_EDENIED,   /* 403: action not allowed */
    GX_ENOTFOUND, /* 404: no such thing, or outside the user's scope */
    GX_EMETHOD,   /* 405 */
    GX_ECONFLICT, /* 409: stale version, duplicate, illegal transition */
    GX_ETOOLARGE, /* 413 */
    GX_EINVALID,  /* 422: validation failed (see fields) */
    GX_ETOOMANY,  /* 429 */
    GX_EDB,       /* 500: database failure */
    GX_EINTERNAL, /* 500 */
} GxErr;

typedef struct DbConn DbConn;
typedef struct Principal Principal;

typedef struct Ctx {
    Arena *arena;         /* request-lifetime memory */
    DbConn *db;           /* connection owned by the calling thread */
    const Principal *who; /* acting user; NULL means the system (CLI, jobs) */
    bool elevated;        /* module-internal write on behalf of `who`: scopes and field
                             rules are not applied, but audit rows name `who` */
    const char *ip;       /* client address for the audit log, or NULL */
    const char *lang;     /* "zh" or "en" */
    GxErr err;            /* last failure, GX_OK if none */
    const char *err_code; /* machine code, e.g. "validation_failed" */
    const char *err_msg;  /* human message (arena) */
    json_t *err_fields;   /* field name -> message, or NULL; owned */
    int64_t retry_after;  /* seconds, for GX_ETOOMANY */
    const char *bulk_entity; /* an import writing many records of this entity (by name): the
                                engine leaves their search indexes to the caller
                                (record_index_rows, search_index_rows, once per batch) and
                                its writes answer without computed values */
    struct {
        void (*fn)(void *);   /* cleanup to run in ctx_done */
        void *arg;
    } deferred[8];
    int ndeferred;
} Ctx;

/* Run fn(arg) when the context is done (in reverse order of registration). */
void ctx_defer(Ctx *c, void (*fn)(void *), void *arg);

/* Prepare a context; the caller owns arena and db. */
void ctx_init(Ctx *c, Arena *arena, DbConn *db);

/* Release what the context owns (err_fields). */
void ctx_done(Ctx *c);

/* Record a failure with a printf message and return err (for `return ctx_fail(...)`).
 * The machine code is derived from err unless set afterwards. */
GxErr ctx_fail(Ctx *c, GxErr err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Add a field error (GX_EINVALID is set when the context holds no error yet). */
void ctx_field(Ctx *c, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Forget any error. */
void ctx_clear(Ctx *c);

/* HTTP status for an error code. */
int gx_http_status(GxErr e);

/* Default machine code for an error ("not_found", ...). */
const char *gx_err_code(GxErr e);

#endif
