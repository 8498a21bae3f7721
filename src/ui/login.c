/* login.c — the login form, logout, the change-password page and the
 * language switch. Login does what POST /api/v1/auth/login does (rate
 * limiting with 429, audit of failures, a fresh session) and sets the
 * session cookie; a double-submit cookie protects the form against login CSRF. */
#include <string.h>

#include "../auth/auth.h"
#include "../base/util.h"
#include "ui.h"

#define LOGIN_CSRF_COOKIE "gx_login"

/* A local path to return to: must start with one '/' (no scheme, no host). */
static const char *safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strpbrk(next, "\r\n"))
        return "/";
    return next;
}

static void login_form(Req *r, const char *username, const char *next, const char *error)
{
    char *token = auth_new_token(&r->c, NULL);
    http_set_cookie(r, LOGIN_CSRF_COOKIE, token, 3600);
    Page p = {.title = T(r, "Log in"), .bare = true};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<section class=\"login\"><h1 class=\"login-brand\">%s</h1>", T(r, "Guanxi CRM"));
    buf_htmlf(o, "<p class=\"muted\">%s</p>", T(r, "Customers, follow-ups and sales in one place."));
    if (error)
        buf_htmlf(o, "<div class=\"alert error\" role=\"alert\">%s</div>", error);
    buf_htmlf(o,
              "<form method=\"post\" action=\"/login\" class=\"stack\">"
              "<input type=\"hidden\" name=\"_login\" value=\"%s\"><input type=\"hidden\" name=\"next\" value=\"%s\">",
              token, safe_next(next));
    buf_htmlf(o,
              "<label class=\"field\"><span>%s</span><input name=\"username\" value=\"%s\" autocomplete=\"username\""
              " required autofocus maxlength=\"64\"></label>",
              T(r, "Username"), username ? username : "");
    buf_htmlf(o,
              "<label class=\"field\"><span>%s</span><input type=\"password\" name=\"password\" "
              "autocomplete=\"current-password\""
              " required maxlength=\"200\"></label>",
              T(r, "Password"));
    buf_htmlf(o, "<button type=\"submit\" class=\"btn primary block\">%s</button></form>", T(r, "Log in"));
    buf_htmlf(
        o, "<p class=\"login-lang\"><a href=\"/login?lang=zh\">中文</a> · <a href=\"/login?lang=en\">English</a></p>");
    buf_raw(o, "</section>");
    ui_end(r, &p);
}

/* ?lang= on the login page overrides Accept-Language (no user yet). */
static void login_lang(Req *r)
{
    const char *l = http_query(r, "lang");
    if (!l)
        l = http_cookie(r, "gx_lang");
    if (l && (!strcmp(l, "zh") || !strcmp(l, "en"))) {
        r->c.lang = !strcmp(l, "en") ? "en" : "zh";
        if (http_query(r, "lang"))
            http_set_cookie(r, "gx_lang", r->c.lang, 365L * 86400);
    }
}

void ui_login_page(Req *r)
{
    if (r->c.who) {
        http_redirect(r, safe_next(http_query(r, "next")));
        return;
    }
    login_lang(r);
    login_form(r, NULL, http_query(r, "next"), NULL);
}

void ui_login_post(Req *r)
{
    login_lang(r);
    json_t *form = http_form(r);
    if (!form) {
        ctx_fail(&r->c, GX_EBADREQ, "Malformed form");
        return ui_fail(r);
    }
    const char *user = json_string_value(json_object_get(form, "username"));
    const char *pw = json_string_value(json_object_get(form, "password"));
    const char *next = json_string_value(json_object_get(form, "next"));
    const char *sent = json_string_value(json_object_get(form, "_login"));
    const char *cookie = http_cookie(r, LOGIN_CSRF_COOKIE);
    user = user ? arena_strdup(&r->arena, user) : NULL;
    next = arena_strdup(&r->arena, safe_next(next));
    if (!sent || !cookie || strcmp(sent, cookie)) {
        json_decref(form);
        r->status = 400;
        return login_form(r, user, next, T(r, "The login form expired. Please try again."));
    }
    if (!user || !*user || !pw || !*pw || strlen(user) > 64 || strlen(pw) > 200) {
        json_decref(form);
        r->status = 422;
        return login_form(r, user, next, T(r, "Enter your username and password."));
    }
    int64_t uid;
    GxErr rc = auth_login(&r->c, user, pw, &uid);
    json_decref(form);
    if (rc) {
        Ctx a = r->c;
        a.err_fields = NULL;
        json_t *d =
            json_pack("{s:s, s:s}", "username", user, "reason", rc == GX_ETOOMANY ? "rate_limited" : "bad_credentials");
        audit_write(&a, "login_failed", "users", 0, d);
        json_decref(d);
        if (rc == GX_ETOOMANY) {
            r->status = 429;
            long long minutes = (r->c.retry_after + 59) / 60;
            if (r->c.retry_after > 0) {
                char s[32];
                snprintf(s, sizeof s, "%lld", (long long)r->c.retry_after);
                http_add_header(r, "Retry-After", s);
            }
            const char *msg = arena_printf(&r->arena, T(r, "Too many failed attempts. Try again in %lld minutes."),
                                           minutes < 1 ? 1 : minutes);
            ctx_clear(&r->c);
            return login_form(r, user, next, msg);
        }
        if (rc != GX_EAUTH)
            return ui_fail(r);
        ctx_clear(&r->c);
        r->status = 401;
        return login_form(r, user, next, T(r, "Wrong username or password."));
    }
    const char *old = http_cookie(r, AUTH_COOKIE);
    if (old)
        auth_session_end(&r->c, auth_token_hash(&r->c, old));
    char *token, *csrf;
    if (auth_session_create(&r->c, uid, http_header(r, "User-Agent"), &token, &csrf))
        return ui_fail(r);
    Principal *p = acl_load(&r->c, uid);
    if (!p)
        return ui_fail(r);
    r->c.who = p;
    audit_write(&r->c, "login", "users", uid, NULL);
    r->c.who = NULL;
    acl_release(p);
    http_set_cookie(r, AUTH_COOKIE, token, AUTH_SESSION_MAX_S);
    http_set_cookie(r, LOGIN_CSRF_COOKIE, "", 0);
    http_redirect(r, next);
}

void ui_logout(Req *r)
{
    auth_session_end(&r->c, r->c.who->session_hash);
    audit_write(&r->c, "logout", "users", r->c.who->user_id, NULL);
    http_set_cookie(r, AUTH_COOKIE, "", 0);
    ui_flash(r, "logged_out");
    ui_redirect(r, "/login");
}

/* ---------- change password ---------- */

static void password_form(Req *r, json_t *errors)
{
    Page p = {.title = T(r, "Change password")};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1></div><section class=\"card narrow\">", T(r, "Change password"));
    if (errors)
        buf_htmlf(o, "<div class=\"alert error\" role=\"alert\">%s</div>", T(r, "Please correct the marked fields."));
    buf_raw(o, "<form method=\"post\" action=\"/app/password\" class=\"stack\" novalidate>");
    ui_csrf_field(r);
    static const struct {
        const char *name, *label, *ac;
    } fields[] = {
        {"current_password", N_("Current password"), "current-password"},
        {"new_password", N_("New password"), "new-password"},
        {"confirm_password", N_("Repeat the new password"), "new-password"},
    };
    for (size_t i = 0; i < 3; i++) {
        const char *err = json_string_value(json_object_get(errors, fields[i].name));
        buf_htmlf(o,
                  "<label class=\"field%s\"><span>%s <abbr class=\"req\" title=\"%s\">*</abbr></span>"
                  "<input type=\"password\" name=\"%s\" autocomplete=\"%s\" maxlength=\"200\"",
                  err ? " has-error" : "", T(r, fields[i].label), T(r, "required"), fields[i].name, fields[i].ac);
        buf_raw(o, err ? " aria-invalid=\"true\">" : ">");
        if (err)
            buf_htmlf(o, "<small class=\"field-error\">%s</small>", ui_engine_msg(r, err));
        buf_raw(o, "</label>");
    }
    buf_htmlf(o, "<p class=\"muted\">%s</p>",
              T(r, "At least 8 characters, different from your username. Your other sessions will be logged out."));
    buf_htmlf(o,
              "<div class=\"form-actions\"><button class=\"btn primary\" type=\"submit\">%s</button>"
              "<a class=\"btn\" href=\"/\">%s</a></div></form></section>",
              T(r, "Change password"), T(r, "Cancel"));
    ui_end(r, &p);
}

void ui_password_page(Req *r)
{
    password_form(r, NULL);
}

void ui_password_post(Req *r)
{
    json_t *form = http_form(r);
    if (!form) {
        ctx_fail(&r->c, GX_EBADREQ, "Malformed form");
        return ui_fail(r);
    }
    const char *cur = json_string_value(json_object_get(form, "current_password"));
    const char *nw = json_string_value(json_object_get(form, "new_password"));
    const char *again = json_string_value(json_object_get(form, "confirm_password"));
    json_t *errors = json_object();
    int64_t uid = 0;
    if (!cur || !*cur) {
        json_object_set_new(errors, "current_password", json_string("is required"));
    } else {
        GxErr rc = auth_login(&r->c, r->c.who->username, cur, &uid);
        if (rc == GX_ETOOMANY)
            json_object_set_new(errors, "current_password",
                                json_string(T(r, "Too many attempts. Wait a few minutes and try again.")));
        else if (rc || uid != r->c.who->user_id)
            json_object_set_new(errors, "current_password", json_string("is not your current password"));
        ctx_clear(&r->c);
    }
    if (!nw || !*nw)
        json_object_set_new(errors, "new_password", json_string("is required"));
    else if (!again || strcmp(nw, again))
        json_object_set_new(errors, "confirm_password", json_string(T(r, "does not match the new password")));
    if (!json_object_size(errors)) {
        if (auth_set_password(&r->c, r->c.who->user_id, r->c.who->username, nw, r->c.who->session_hash)) {
            const char *msg = json_string_value(json_object_get(r->c.err_fields, "password"));
            json_object_set_new(errors, "new_password",
                                json_string(msg ? msg : (r->c.err_msg ? r->c.err_msg : "is not allowed")));
            ctx_clear(&r->c);
        }
    }
    json_decref(form);
    if (json_object_size(errors)) {
        r->status = 422;
        password_form(r, errors);
        json_decref(errors);
        return;
    }
    json_decref(errors);
    audit_write(&r->c, "password_change", "users", r->c.who->user_id, NULL);
    ui_flash(r, "password");
    ui_redirect(r, "/");
}

/* ---------- language ---------- */

void ui_lang_post(Req *r)
{
    json_t *form = http_form(r);
    const char *lang = json_string_value(json_object_get(form, "lang"));
    lang = lang ? arena_strdup(&r->arena, lang) : NULL; /* outlives form */
    const char *back = arena_strdup(&r->arena, safe_next(json_string_value(json_object_get(form, "back"))));
    if (!lang || (strcmp(lang, "zh") && strcmp(lang, "en"))) {
        json_decref(form);
        ctx_fail(&r->c, GX_EBADREQ, "Unknown language");
        return ui_fail(r);
    }
    /* Users may always set their own language, whatever their role allows on users. */
    Ctx sys = r->c;
    sys.who = NULL;
    sys.err_fields = NULL;
    json_t *me = NULL, *out = NULL;
    const Entity *users = meta_entity("users");
    GxErr rc = record_get(&sys, users, r->c.who->user_id, &me);
    if (!rc) {
        json_t *in = json_pack("{s:s, s:O}", "lang", lang, "version", json_object_get(me, "version"));
        rc = record_update(&sys, users, r->c.who->user_id, in, &out);
        json_decref(in);
    }
    json_decref(me);
    json_decref(out);
    json_decref(sys.err_fields);
    json_decref(form);
    if (rc) {
        r->c.err = sys.err;
        r->c.err_msg = sys.err_msg;
        return ui_fail(r);
    }
    http_set_cookie(r, "gx_lang", !strcmp(lang, "en") ? "en" : "zh", 365L * 86400);
    ui_flash(r, "lang");
    ui_redirect(r, back);
}
