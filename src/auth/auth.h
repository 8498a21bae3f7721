/* auth.h — passwords (Argon2id via libsodium), browser sessions, API tokens
 * and login rate limiting. Tokens are random 256-bit values; only their
 * hashes are stored. */
#ifndef GX_AUTH_H
#define GX_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/ctx.h"
#include "../db/db.h"

#define AUTH_SESSION_IDLE_S (12 * 3600)      /* idle expiry */
#define AUTH_SESSION_MAX_S (7 * 24 * 3600)   /* absolute expiry */
#define AUTH_MAX_FAILURES 5                  /* per user within the window; the next try gets 429 */
#define AUTH_MAX_IP_FAILURES 30              /* per client address within the window */
#define AUTH_WINDOW_S (15 * 60)              /* failure counting window */
#define AUTH_COOKIE "gx_session"

/* Initialise libsodium; false if it cannot. */
bool auth_init(void);

/* Argon2id hash of pw (arena string), NULL on failure. */
char *auth_hash_password(Ctx *c, const char *pw);

/* Constant-time verification; a NULL hash still spends the time of a check
 * (so unknown users cannot be told apart by timing). */
bool auth_verify_password(const char *hash, const char *pw);

/* Password policy: NULL if acceptable, else a message for the user. */
const char *auth_password_problem(const char *username, const char *pw);

/* Hex hash of a token (for storage/lookup), arena string. */
char *auth_token_hash(Ctx *c, const char *token);

/* New random token (base64url, 43 chars) with an optional prefix. */
char *auth_new_token(Ctx *c, const char *prefix);

/* Result of authenticating a request. */
/* The user a session or token belongs to, read by the same statement as
 * the session (one statement per request instead of two): what acl_load
 * reads of the user itself, and the access version (the "acl" sequence,
 * which acl_changed moves). found is false when the user is disabled or
 * deleted (the session itself may still be valid). */
typedef struct AuthUser {
    bool found;
    int64_t id;
    int64_t department_id;  /* 0 if none */
    const char *username;
    const char *name;
    const char *lang;       /* NULL: not chosen */
    int64_t access_version; /* 0 if never moved */
} AuthUser;

typedef struct AuthResult {
    int64_t user_id;     /* 0 if not authenticated */
    const char *csrf;    /* session's CSRF token (sessions only) */
    const char *hash;    /* stored hash of the presented token */
    bool api_token;      /* an API token rather than a session */
    AuthUser user;       /* the user's row when user_id is set */
} AuthResult;

/* Start a session for user_id; returns the token (to hand to the client) and
 * its CSRF token. */
GxErr auth_session_create(Ctx *c, int64_t user_id, const char *user_agent, char **token, char **csrf);

/* Look up a session or API token. Expired or unknown -> user_id 0. */
GxErr auth_lookup(Ctx *c, const char *token, AuthResult *out);

/* Lookups answered from memory and not, since the start or auth_forget_all
 * (tests, the server's exit log). */
void auth_remembered_stats(uint64_t *hits, uint64_t *misses);
/* Forget every remembered session and token (tests). */
void auth_forget_all(void);

/* Migration 11: the "auth" version in sequences and the triggers that raise
 * it whenever a session or token ends or a user's own columns change (what
 * auth_lookup remembers depends on it). */
GxErr auth_epoch_step(Ctx *c, bool fresh);

/* End one session (by token hash) / every session and token of a user. */
GxErr auth_session_end(Ctx *c, const char *hash);
GxErr auth_end_all(Ctx *c, int64_t user_id);

/* Login check with rate limiting. On success *user_id is set. Failure is
 * GX_EAUTH (wrong name or password, same message either way) or
 * GX_ETOOMANY (c->retry_after set). Records attempts. */
GxErr auth_login(Ctx *c, const char *username, const char *password, int64_t *user_id);

/* Create an API token for user_id named name; returns the clear token once. */
GxErr auth_token_create(Ctx *c, int64_t user_id, const char *name, char **token, int64_t *id);

/* The API tokens of user_id, newest first: [{id, name, prefix, created_at,
 * last_used_at, revoked_at}] (never the token itself). */
GxErr auth_token_list(Ctx *c, int64_t user_id, json_t **out);

/* Revoke a token of user_id (or any user's when admin). */
GxErr auth_token_revoke(Ctx *c, int64_t user_id, int64_t token_id, bool admin);

/* Set a user's password (policy checked); ends their other sessions when
 * keep_hash is given (the session to keep), or all when NULL. */
GxErr auth_set_password(Ctx *c, int64_t user_id, const char *username, const char *pw, const char *keep_hash);

#endif
