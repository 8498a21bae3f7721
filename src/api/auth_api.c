/* auth_api.c — login, logout, the current user, password change and API
 * tokens (SPEC "API conventions"). */
#include <string.h>

#include "../auth/auth.h"
#include "../base/util.h"
#include "api.h"

/* The user as returned by login and /auth/me: the record plus access. */
static json_t *me_json(Req *r, int64_t user_id)
{
    json_t *u = NULL;
    Ctx sys = r->c; /* read as the system: a user may always see themself */
    sys.who = NULL;
    if (record_get(&sys, meta_entity("users"), user_id, &u) != GX_OK)
        return json_object();
    if (r->c.who) {
        json_object_set_new(u, "is_admin", json_boolean(r->c.who->is_admin));
        json_object_set(u, "permissions", r->c.who->perms);
    }
    return u;
}

void api_auth_login(Req *r)
{
    json_t *b = api_body(r);
    if (!b)
        return;
    const char *user = json_string_value(json_object_get(b, "username"));
    const char *pw = json_string_value(json_object_get(b, "password"));
    if (!user || !*user)
        ctx_field(&r->c, "username", "is required");
    if (!pw || !*pw)
        ctx_field(&r->c, "password", "is required");
    if (r->c.err) {
        json_decref(b);
        return api_fail(r);
    }
    if (strlen(user) > 64 || strlen(pw) > 200) {
        json_decref(b);
        ctx_fail(&r->c, GX_EAUTH, "Wrong username or password");
        return api_fail(r);
    }
    int64_t uid;
    GxErr rc = auth_login(&r->c, user, pw, &uid);
    if (rc) {
        Ctx a = r->c;
        a.err_fields = NULL;
        json_t *d = json_pack("{s:s, s:s}", "username", user, "reason", rc == GX_ETOOMANY ? "rate_limited" : "bad_credentials");
        audit_write(&a, "login_failed", "users", 0, d);
        json_decref(d);
        json_decref(b);
        return api_fail(r);
    }
    json_decref(b);
    /* A session presented before login is ended: the new one gets a fresh token. */
    const char *old = http_cookie(r, AUTH_COOKIE);
    if (old)
        auth_session_end(&r->c, auth_token_hash(&r->c, old));
    char *token, *csrf;
    if (auth_session_create(&r->c, uid, http_header(r, "User-Agent"), &token, &csrf))
        return api_fail(r);
    Principal *p = acl_load(&r->c, uid);
    if (!p)
        return api_fail(r);
    r->c.who = p;
    audit_write(&r->c, "login", "users", uid, NULL);
    http_set_cookie(r, AUTH_COOKIE, token, AUTH_SESSION_MAX_S);
    json_t *out = json_pack("{s:s, s:s, s:o}", "token", token, "csrf_token", csrf, "user", me_json(r, uid));
    acl_release(p);
    r->c.who = NULL;
    http_json(r, 200, out);
}

void api_auth_logout(Req *r)
{
    if (r->c.who->session_hash && !r->c.who->via_cookie && strncmp(http_header(r, "Authorization") + 7, "gx_", 3) == 0) {
        ctx_fail(&r->c, GX_EBADREQ, "API tokens are revoked with DELETE /api/v1/auth/tokens/{id}, not logged out");
        return api_fail(r);
    }
    auth_session_end(&r->c, r->c.who->session_hash);
    audit_write(&r->c, "logout", "users", r->c.who->user_id, NULL);
    http_set_cookie(r, AUTH_COOKIE, "", 0);
    http_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/* POST /api/v1/auth/logout-all: end every browser session of the current
 * user (API tokens stay; they are revoked one by one). */
void api_auth_logout_all(Req *r)
{
    DbVal p[] = {dbv_int(r->c.who->user_id)};
    if (db_exec(r->c.db, "DELETE FROM sessions WHERE user_id = $1", p, 1) != DB_OK) {
        ctx_fail(&r->c, GX_EDB, "cannot end sessions");
        return api_fail(r);
    }
    int64_t n = db_changes(r->c.db);
    audit_write(&r->c, "logout_all", "users", r->c.who->user_id, NULL);
    if (r->c.who->via_cookie)
        http_set_cookie(r, AUTH_COOKIE, "", 0);
    http_json(r, 200, json_pack("{s:b, s:I}", "ok", 1, "sessions_ended", (json_int_t)n));
}

void api_auth_me(Req *r)
{
    json_t *u = me_json(r, r->c.who->user_id);
    if (r->c.who->csrf)
        json_object_set_new(u, "csrf_token", json_string(r->c.who->csrf));
    http_json(r, 200, u);
}

void api_auth_password(Req *r)
{
    json_t *b = api_body(r);
    if (!b)
        return;
    const char *cur = json_string_value(json_object_get(b, "current_password"));
    const char *nw = json_string_value(json_object_get(b, "new_password"));
    DbRes *res;
    DbVal p[] = {dbv_int(r->c.who->user_id)};
    char *hash = NULL;
    if (db_query(r->c.db, "SELECT password_hash FROM users WHERE id = $1", p, 1, &res) == DB_OK) {
        if (db_next(res) == 1)
            hash = arena_strdup(&r->arena, db_text(res, 0));
        db_done(res);
    }
    if (!cur || !auth_verify_password(hash, cur))
        ctx_field(&r->c, "current_password", "is not your current password");
    else if (!nw)
        ctx_field(&r->c, "new_password", "is required");
    if (r->c.err) {
        json_decref(b);
        return api_fail(r);
    }
    GxErr rc = auth_set_password(&r->c, r->c.who->user_id, r->c.who->username, nw, r->c.who->session_hash);
    json_decref(b);
    if (rc) {
        if (r->c.err_fields && json_object_get(r->c.err_fields, "password")) {
            json_object_set(r->c.err_fields, "new_password", json_object_get(r->c.err_fields, "password"));
            json_object_del(r->c.err_fields, "password");
        }
        return api_fail(r);
    }
    audit_write(&r->c, "password_change", "users", r->c.who->user_id, NULL);
    http_json(r, 200, json_pack("{s:b}", "ok", 1));
}

void api_tokens_list(Req *r)
{
    json_t *arr;
    if (auth_token_list(&r->c, r->c.who->user_id, &arr))
        return api_fail(r);
    http_json(r, 200, json_pack("{s:o}", "data", arr));
}

void api_tokens_create(Req *r)
{
    json_t *b = api_body(r);
    if (!b)
        return;
    const char *name = json_string_value(json_object_get(b, "name"));
    if (!name || !*name || utf8_len(name) > 100) {
        ctx_field(&r->c, "name", "is required (at most 100 characters)");
        json_decref(b);
        return api_fail(r);
    }
    char *token;
    int64_t id;
    GxErr rc = auth_token_create(&r->c, r->c.who->user_id, name, &token, &id);
    if (!rc) {
        json_t *d = json_pack("{s:s}", "name", name);
        audit_write(&r->c, "token_create", "users", r->c.who->user_id, d);
        json_decref(d);
    }
    json_t *out = rc ? NULL : json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name", name, "token", token);
    json_decref(b);
    if (rc)
        return api_fail(r);
    http_json(r, 201, out);
}

void api_tokens_revoke(Req *r)
{
    int64_t id;
    if (!api_id(r, &id))
        return;
    if (auth_token_revoke(&r->c, r->c.who->user_id, id, acl_is_admin(&r->c)))
        return api_fail(r);
    audit_write(&r->c, "token_revoke", "users", r->c.who->user_id, NULL);
    r->status = 204;
    r->content_type = "text/plain";
}
