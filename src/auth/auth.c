/* auth.c — see auth.h. */
#include "auth.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/util.h"

/* OWASP's Argon2id baseline: 19 MiB, 2 passes. */
#define PW_OPS 2
#define PW_MEM (19u * 1024 * 1024)

static char dummy_hash[crypto_pwhash_STRBYTES];

bool auth_init(void)
{
    if (sodium_init() < 0)
        return false;
    if (!dummy_hash[0] &&
        crypto_pwhash_str_alg(dummy_hash, "not a password", 14, PW_OPS, PW_MEM, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return false;
    return true;
}

char *auth_hash_password(Ctx *c, const char *pw)
{
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, pw, strlen(pw), PW_OPS, PW_MEM, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return NULL;
    return arena_strdup(c->arena, out);
}

bool auth_verify_password(const char *hash, const char *pw)
{
    if (!hash || !*hash) {
        if (crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw)) == 0)
            return false; /* cannot happen: the dummy hash is of another text */
        return false;
    }
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

const char *auth_password_problem(const char *username, const char *pw)
{
    if (!pw || utf8_len(pw) < 8)
        return "must be at least 8 characters long";
    if (utf8_len(pw) > 128)
        return "must be at most 128 characters long";
    if (username && !strcasecmp(username, pw))
        return "must not be the same as the username";
    return NULL;
}

char *auth_token_hash(Ctx *c, const char *token)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    return arena_strdup(c->arena, hex);
}

char *auth_new_token(Ctx *c, const char *prefix)
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return arena_printf(c->arena, "%s%s", prefix ? prefix : "", b64);
}

static const char *iso_at(Ctx *c, int64_t ms)
{
    char b[64];
    time_format_ms(ms, b);
    return arena_strdup(c->arena, b);
}

GxErr auth_session_create(Ctx *c, int64_t user_id, const char *ua, char **token, char **csrf)
{
    int64_t now = time_now_ms();
    *token = auth_new_token(c, NULL);
    *csrf = auth_new_token(c, NULL);
    DbVal p[] = {dbv_text(auth_token_hash(c, *token)), dbv_int(user_id), dbv_text(*csrf), dbv_text(iso_at(c, now)),
                 dbv_text(iso_at(c, now)), dbv_text(iso_at(c, now + (int64_t)AUTH_SESSION_MAX_S * 1000)), dbv_text(c->ip),
                 dbv_text(ua)};
    if (db_exec(c->db,
                "INSERT INTO sessions(token_hash, user_id, csrf, created_at, last_seen_at, expires_at, ip, user_agent)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                p, 8) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot create a session");
    return GX_OK;
}

/* The user's columns joined to a session or token row (alias s): the same
 * as acl_load reads, the user only while active and not deleted. */
#define USER_COLS                                                                                                        \
    "u.id, u.department_id, u.username, u.name, u.lang, (SELECT value FROM sequences WHERE name = 'acl'),"             \
    " (SELECT value FROM sequences WHERE name = 'auth')"
#define USER_JOIN "u.id = s.user_id AND u.active = 1 AND u.deleted_at IS NULL"

/* Fill u from the USER_COLS starting at column col of r. */
static void user_row(Ctx *c, DbRes *r, int col, AuthUser *u)
{
    memset(u, 0, sizeof *u);
    if (db_isnull(r, col))
        return;
    u->found = true;
    u->id = db_int(r, col);
    u->department_id = db_isnull(r, col + 1) ? 0 : db_int(r, col + 1);
    u->username = arena_strdup(c->arena, db_text(r, col + 2));
    u->name = arena_strdup(c->arena, db_text(r, col + 3));
    u->lang = db_text(r, col + 4) ? arena_strdup(c->arena, db_text(r, col + 4)) : NULL;
    u->access_version = db_isnull(r, col + 5) ? 0 : db_int(r, col + 5);
}

/* ---------- remembered sessions and tokens ----------
 *
 * A request's session (or API token) and its user cost one statement of
 * three index probes and a join (~17 k instructions of a ~80 k GET). What
 * it found is remembered here with the two versions read by the same
 * statement: "auth", which triggers (auth_epoch_step) raise whenever a
 * session or token ends (logout, password change, revocation, disabling)
 * or a user's own columns change, whoever writes them — another server on
 * the same database, the command line, a module's own UPDATE — and "acl",
 * which acl_changed raises when roles or departments change. A remembered
 * answer is used only while both are what they were, so one short
 * statement (two probes of the sequences table) checks it. It is also used
 * only within LAST_SEEN_S of the last time the session was seen (or the
 * token used), so that the full path still records that once a minute,
 * and never past the session's expiry. Unknown tokens are not remembered. */

#define LAST_SEEN_S 60
#define REMEMBERED 4096 /* slots, chosen by the token hash: a direct-mapped table */

typedef struct Remembered {
    uint64_t db;        /* db_serial; 0: empty */
    char hash[65];
    int64_t auth_v;     /* the versions read with it */
    int64_t acl_v;
    int64_t last_s;     /* session last seen / token last used (seconds) */
    int64_t exp_s;      /* session's absolute expiry (tokens: 0) */
    int64_t user_id;
    bool api_token;
    char *csrf;         /* malloc'd, as are the user's strings */
    AuthUser user;
} Remembered;

static Remembered remembered[REMEMBERED];
static pthread_mutex_t remembered_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t remembered_hits, remembered_misses;

static size_t slot_of(const char *hash)
{
    size_t v = 0;
    for (int i = 0; i < 8; i++) {
        char ch = hash[i];
        v = v * 16 + (size_t)(ch <= '9' ? ch - '0' : ch - 'a' + 10);
    }
    return v % REMEMBERED;
}

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

static void forget(Remembered *m)
{
    free(m->csrf);
    free((char *)m->user.username);
    free((char *)m->user.name);
    free((char *)m->user.lang);
    memset(m, 0, sizeof *m);
}

static void remember(Ctx *c, const AuthResult *res, int64_t auth_v, int64_t last_s, int64_t exp_s)
{
    Remembered m = {.db = db_serial(c->db), .auth_v = auth_v, .acl_v = res->user.access_version, .last_s = last_s,
                    .exp_s = exp_s, .user_id = res->user_id, .api_token = res->api_token,
                    .csrf = dup_or_null(res->csrf), .user = res->user};
    snprintf(m.hash, sizeof m.hash, "%s", res->hash);
    m.user.username = dup_or_null(res->user.username);
    m.user.name = dup_or_null(res->user.name);
    m.user.lang = dup_or_null(res->user.lang);
    pthread_mutex_lock(&remembered_lock);
    Remembered *slot = &remembered[slot_of(m.hash)];
    forget(slot);
    *slot = m;
    pthread_mutex_unlock(&remembered_lock);
}

/* The remembered answer for hash, if there is one still valid at now_s;
 * its strings copied into c's arena. */
static bool recall(Ctx *c, const char *hash, int64_t now_s, AuthResult *out)
{
    uint64_t db = db_serial(c->db);
    int64_t auth_v = 0, acl_v = 0;
    bool found = false;
    pthread_mutex_lock(&remembered_lock);
    Remembered *m = &remembered[slot_of(hash)];
    if (m->db == db && !strcmp(m->hash, hash) && now_s - m->last_s <= LAST_SEEN_S && now_s >= m->last_s &&
        (m->api_token || now_s < m->exp_s)) {
        found = true;
        auth_v = m->auth_v;
        acl_v = m->acl_v;
        out->user_id = m->user_id;
        out->api_token = m->api_token;
        out->csrf = m->csrf ? arena_strdup(c->arena, m->csrf) : NULL;
        out->hash = hash;
        out->user = m->user;
        out->user.username = m->user.username ? arena_strdup(c->arena, m->user.username) : NULL;
        out->user.name = m->user.name ? arena_strdup(c->arena, m->user.name) : NULL;
        out->user.lang = m->user.lang ? arena_strdup(c->arena, m->user.lang) : NULL;
    }
    pthread_mutex_unlock(&remembered_lock);
    if (found) {
        DbRes *r;
        found = false;
        if (db_query(c->db,
                     "SELECT (SELECT value FROM sequences WHERE name = 'auth'),"
                     " (SELECT value FROM sequences WHERE name = 'acl')",
                     NULL, 0, &r) == DB_OK) {
            found = db_next(r) == 1 && !db_isnull(r, 0) && db_int(r, 0) == auth_v &&
                    (db_isnull(r, 1) ? 0 : db_int(r, 1)) == acl_v;
            db_done(r);
        }
    }
    __atomic_add_fetch(found ? &remembered_hits : &remembered_misses, 1, __ATOMIC_RELAXED);
    if (!found)
        memset(out, 0, sizeof *out);
    return found;
}

void auth_remembered_stats(uint64_t *hits, uint64_t *misses)
{
    *hits = __atomic_load_n(&remembered_hits, __ATOMIC_RELAXED);
    *misses = __atomic_load_n(&remembered_misses, __ATOMIC_RELAXED);
}

void auth_forget_all(void)
{
    pthread_mutex_lock(&remembered_lock);
    for (int i = 0; i < REMEMBERED; i++)
        if (remembered[i].db)
            forget(&remembered[i]);
    __atomic_store_n(&remembered_hits, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&remembered_misses, 0, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&remembered_lock);
}

GxErr auth_lookup(Ctx *c, const char *token, AuthResult *out)
{
    memset(out, 0, sizeof *out);
    if (!token || strlen(token) < 20 || strlen(token) > 100)
        return GX_OK;
    char *hash = auth_token_hash(c, token);
    int64_t now = time_now_ms(), now_s = now / 1000;
    if (recall(c, hash, now_s, out))
        return GX_OK;
    DbRes *r;
    DbVal p[] = {dbv_text(hash)};
    if (strncmp(token, "gx_", 3) != 0) {
        if (db_query(c->db,
                     "SELECT s.user_id, s.csrf, s.last_seen_at, s.expires_at, " USER_COLS
                     " FROM sessions s LEFT JOIN users u ON " USER_JOIN " WHERE s.token_hash = $1",
                     p, 1, &r) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read sessions");
        if (db_next(r) == 1) {
            int64_t last, exp;
            bool ok = time_parse_rfc3339(db_text(r, 2), &last) && time_parse_rfc3339(db_text(r, 3), &exp);
            if (ok && now_s < exp && now_s - last < AUTH_SESSION_IDLE_S) {
                out->user_id = db_int(r, 0);
                out->csrf = arena_strdup(c->arena, db_text(r, 1));
                out->hash = hash;
                user_row(c, r, 4, &out->user);
                bool versioned = !db_isnull(r, 10);
                int64_t auth_v = versioned ? db_int(r, 10) : 0;
                db_done(r);
                if (now_s - last > LAST_SEEN_S) {
                    DbVal q[] = {dbv_text(iso_at(c, now)), dbv_text(hash)};
                    if (db_exec(c->db, "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2", q, 2) != DB_OK)
                        return GX_OK; /* answered, not remembered */
                    last = now_s;
                }
                if (versioned)
                    remember(c, out, auth_v, last, exp);
                return GX_OK;
            }
        }
        db_done(r);
        return GX_OK;
    }
    if (db_query(c->db,
                 "SELECT s.user_id, s.id, s.last_used_at, " USER_COLS " FROM api_tokens s LEFT JOIN users u ON " USER_JOIN
                 " WHERE s.token_hash = $1 AND s.revoked_at IS NULL",
                 p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read tokens");
    if (db_next(r) == 1) {
        out->user_id = db_int(r, 0);
        out->hash = hash;
        out->api_token = true;
        user_row(c, r, 3, &out->user);
        bool versioned = !db_isnull(r, 9);
        int64_t auth_v = versioned ? db_int(r, 9) : 0;
        int64_t id = db_int(r, 1), last = 0;
        bool stale = !db_text(r, 2) || !time_parse_rfc3339(db_text(r, 2), &last) || now_s - last > LAST_SEEN_S;
        db_done(r);
        if (stale) {
            DbVal q[] = {dbv_text(iso_at(c, now)), dbv_int(id)};
            if (db_exec(c->db, "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", q, 2) != DB_OK)
                return GX_OK;
            last = now_s;
        }
        if (versioned)
            remember(c, out, auth_v, last, 0);
        return GX_OK;
    }
    db_done(r);
    return GX_OK;
}

/* Migration 11: the "auth" version and the triggers that raise it. */
static const char *const epoch_triggers[][2] = {
    {"sessions_auth_del", "AFTER DELETE ON sessions"},
    {"sessions_auth_upd", "AFTER UPDATE OF token_hash, user_id, csrf, expires_at ON sessions"},
    {"api_tokens_auth_del", "AFTER DELETE ON api_tokens"},
    {"api_tokens_auth_upd", "AFTER UPDATE OF token_hash, user_id, revoked_at ON api_tokens"},
    {"users_auth_del", "AFTER DELETE ON users"},
    {"users_auth_upd", "AFTER UPDATE OF username, name, lang, department_id, active, deleted_at ON users"},
};

GxErr auth_epoch_step(Ctx *c, bool fresh)
{
    (void)fresh;
    bool pg = db_dialect(c->db) == DB_PG;
    if (db_exec(c->db, "INSERT INTO sequences(name, value) VALUES ('auth', 1) ON CONFLICT(name) DO NOTHING", NULL, 0) !=
            DB_OK ||
        (pg && db_exec(c->db,
                       "CREATE OR REPLACE FUNCTION gx_auth_epoch() RETURNS trigger LANGUAGE plpgsql AS"
                       " $$BEGIN UPDATE sequences SET value = value + 1 WHERE name = 'auth'; RETURN NULL; END$$",
                       NULL, 0) != DB_OK))
        return ctx_fail(c, GX_EDB, "cannot add the auth version: %s", db_errmsg(c->db));
    for (size_t i = 0; i < sizeof epoch_triggers / sizeof epoch_triggers[0]; i++) {
        const char *sql = pg ? arena_printf(c->arena, "CREATE TRIGGER %s %s FOR EACH ROW EXECUTE FUNCTION gx_auth_epoch()",
                                            epoch_triggers[i][0], epoch_triggers[i][1])
                             : arena_printf(c->arena,
                                            "CREATE TRIGGER %s %s FOR EACH ROW BEGIN"
                                            " UPDATE sequences SET value = value + 1 WHERE name = 'auth'; END",
                                            epoch_triggers[i][0], epoch_triggers[i][1]);
        if (db_exec(c->db, sql, NULL, 0) != DB_OK) /* sql-ok: literal names above */
            return ctx_fail(c, GX_EDB, "cannot add the auth version's trigger %s: %s", epoch_triggers[i][0],
                            db_errmsg(c->db));
    }
    return GX_OK;
}

GxErr auth_session_end(Ctx *c, const char *hash)
{
    DbVal p[] = {dbv_text(hash)};
    if (db_exec(c->db, "DELETE FROM sessions WHERE token_hash = $1", p, 1) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot end the session");
    return GX_OK;
}

GxErr auth_end_all(Ctx *c, int64_t user_id)
{
    DbVal p[] = {dbv_int(user_id), dbv_text(iso_at(c, time_now_ms()))};
    if (db_exec(c->db, "DELETE FROM sessions WHERE user_id = $1", p, 1) != DB_OK ||
        db_exec(c->db, "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL", p, 2) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot end sessions");
    return GX_OK;
}

/* Count failures for key since the window start; *oldest gets the earliest. */
static int64_t failures(Ctx *c, const char *key, const char *since, char **oldest)
{
    DbRes *r;
    DbVal p[] = {dbv_text(key), dbv_text(since)};
    int64_t n = 0;
    *oldest = NULL;
    if (db_query(c->db, "SELECT count(*), min(at) FROM login_attempts WHERE key = $1 AND at >= $2", p, 2, &r) != DB_OK)
        return 0;
    if (db_next(r) == 1) {
        n = db_int(r, 0);
        *oldest = arena_strdup(c->arena, db_text(r, 1));
    }
    db_done(r);
    return n;
}

GxErr auth_login(Ctx *c, const char *username, const char *password, int64_t *user_id)
{
    *user_id = 0;
    int64_t now = time_now_ms();
    const char *since = iso_at(c, now - (int64_t)AUTH_WINDOW_S * 1000);
    const char *ukey = arena_printf(c->arena, "u:%s", username);
    const char *ikey = arena_printf(c->arena, "ip:%s", c->ip ? c->ip : "-");
    char *oldest_u, *oldest_i;
    int64_t nu = failures(c, ukey, since, &oldest_u);
    int64_t ni = failures(c, ikey, since, &oldest_i);
    if (nu >= AUTH_MAX_FAILURES || ni >= AUTH_MAX_IP_FAILURES) {
        int64_t t;
        const char *oldest = nu >= AUTH_MAX_FAILURES ? oldest_u : oldest_i;
        c->retry_after = oldest && time_parse_rfc3339(oldest, &t) ? t + AUTH_WINDOW_S - now / 1000 : AUTH_WINDOW_S;
        if (c->retry_after < 1)
            c->retry_after = 1;
        return ctx_fail(c, GX_ETOOMANY, "Too many failed logins; try again in %lld minutes",
                        (long long)(c->retry_after + 59) / 60);
    }
    DbRes *r;
    DbVal p[] = {dbv_text(username)};
    char *hash = NULL;
    int64_t id = 0;
    bool active = false;
    if (db_query(c->db, "SELECT id, password_hash, active FROM users WHERE username = $1 AND deleted_at IS NULL", p, 1, &r) !=
        DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read users");
    if (db_next(r) == 1) {
        id = db_int(r, 0);
        hash = arena_strdup(c->arena, db_text(r, 1));
        active = db_int(r, 2) != 0;
    }
    db_done(r);
    bool ok = auth_verify_password(hash, password) && active;
    if (!ok) {
        const char *at = iso_at(c, now);
        DbVal a[] = {dbv_text(ukey), dbv_text(at)};
        DbVal b[] = {dbv_text(ikey), dbv_text(at)};
        db_exec(c->db, "INSERT INTO login_attempts(key, at) VALUES ($1, $2)", a, 2);
        db_exec(c->db, "INSERT INTO login_attempts(key, at) VALUES ($1, $2)", b, 2);
        /* Attempts older than the window no longer count: prune them. */
        DbVal pa[] = {dbv_text(ukey), dbv_text(since)}, pb[] = {dbv_text(ikey), dbv_text(since)};
        db_exec(c->db, "DELETE FROM login_attempts WHERE key = $1 AND at < $2", pa, 2);
        db_exec(c->db, "DELETE FROM login_attempts WHERE key = $1 AND at < $2", pb, 2);
        return ctx_fail(c, GX_EAUTH, "Wrong username or password");
    }
    DbVal d[] = {dbv_text(ukey)};
    db_exec(c->db, "DELETE FROM login_attempts WHERE key = $1", d, 1);
    /* Expired sessions of this user are of no use any more. */
    DbVal e[] = {dbv_int(id), dbv_text(iso_at(c, now))};
    db_exec(c->db, "DELETE FROM sessions WHERE user_id = $1 AND expires_at < $2", e, 2);
    *user_id = id;
    return GX_OK;
}

GxErr auth_token_create(Ctx *c, int64_t user_id, const char *name, char **token, int64_t *id)
{
    *token = auth_new_token(c, "gx_");
    bool found;
    DbVal p[] = {dbv_int(user_id), dbv_text(name), dbv_text(auth_token_hash(c, *token)),
                 dbv_text(arena_strndup(c->arena, *token, 7)), dbv_text(iso_at(c, time_now_ms()))};
    if (db_query_int(c->db,
                     "INSERT INTO api_tokens(user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                     p, 5, id, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot create the token");
    return GX_OK;
}

GxErr auth_token_revoke(Ctx *c, int64_t user_id, int64_t token_id, bool admin)
{
    DbVal p[] = {dbv_text(iso_at(c, time_now_ms())), dbv_int(token_id), dbv_int(user_id), dbv_int(admin ? 1 : 0)};
    if (db_exec(c->db, "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND (user_id = $3 OR $4 = 1) AND revoked_at IS NULL",
                p, 4) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot revoke the token");
    if (db_changes(c->db) != 1)
        return ctx_fail(c, GX_ENOTFOUND, "No such token");
    return GX_OK;
}

GxErr auth_set_password(Ctx *c, int64_t user_id, const char *username, const char *pw, const char *keep_hash)
{
    const char *problem = auth_password_problem(username, pw);
    if (problem) {
        ctx_field(c, "password", "%s", problem);
        return c->err;
    }
    char *hash = auth_hash_password(c, pw);
    if (!hash)
        return ctx_fail(c, GX_EINTERNAL, "cannot hash the password");
    DbVal p[] = {dbv_text(hash), dbv_int(user_id)};
    if (db_exec(c->db, "UPDATE users SET password_hash = $1 WHERE id = $2", p, 2) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot store the password");
    DbVal q[] = {dbv_int(user_id), dbv_text(keep_hash ? keep_hash : "")};
    if (db_exec(c->db, "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2", q, 2) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot end other sessions");
    return GX_OK;
}

GxErr auth_token_list(Ctx *c, int64_t user_id, json_t **out)
{
    DbRes *res;
    DbVal p[] = {dbv_int(user_id)};
    *out = NULL;
    if (db_query(c->db,
                 "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
                 p, 1, &res) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot list tokens");
    json_t *arr = json_array();
    while (db_next(res) == 1)
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?}", "id", (json_int_t)db_int(res, 0), "name",
                                             db_text(res, 1), "prefix", db_text(res, 2), "created_at", db_text(res, 3),
                                             "last_used_at", db_text(res, 4), "revoked_at", db_text(res, 5)));
    db_done(res);
    *out = arr;
    return GX_OK;
}
