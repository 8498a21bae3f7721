/* app.c — see app.h. */
#include "app.h"

#include <string.h>
#include <strings.h>

#include "../acl/acl.h"
#include "../auth/auth.h"
#include "../base/log.h"
#include "../base/util.h"
#include "../modules/attachments.h"

const Route *app_routes(void)
{
    static Route *all;
    if (all)
        return all;
    const Route *tables[] = {api_routes, admin_routes, ui_routes, membership_api_routes, membership_ui_routes,
                             sales_targets_api_routes, sales_targets_ui_routes,
                             sales_opps_api_routes, sales_opps_ui_routes,
                             sales_money_api_routes, sales_money_ui_routes,
                             sales_docs_api_routes, sales_docs_ui_routes,
                             sales_credit_api_routes, sales_credit_ui_routes,
                             attachments_api_routes, attachments_ui_routes,
                             receivables_api_routes, receivables_ui_routes};
    const int ntables = (int)(sizeof tables / sizeof tables[0]);
    int total = 0;
    for (int t = 0; t < ntables; t++)
        for (int i = 0; tables[t][i].method; i++)
            total++;
    all = xcalloc((size_t)total + 1, sizeof *all);
    int n = 0;
    for (int t = 0; t < ntables; t++)
        for (int i = 0; tables[t][i].method; i++)
            all[n++] = tables[t][i];
    return all;
}

static void release_principal(void *p) { acl_release(p); }

/* "zh" unless the browser prefers English. */
static const char *negotiate_lang(Req *r)
{
    const char *al = http_header(r, "Accept-Language");
    if (!al)
        return "zh";
    const char *zh = strcasestr(al, "zh"), *en = strcasestr(al, "en");
    if (en && (!zh || en < zh))
        return "en";
    return "zh";
}

static void check_utf8(void *ud, const char *key, const char *value)
{
    bool *ok = ud;
    if (!utf8_valid(key, strlen(key)) || (value && !utf8_valid(value, strlen(value))))
        *ok = false;
}

bool app_before(Req *r)
{
    r->c.lang = negotiate_lang(r);
    bool utf8 = true;
    http_query_each(r, check_utf8, &utf8);
    if (!utf8) {
        ctx_fail(&r->c, GX_EBADREQ, "The query string is not valid UTF-8");
        return false;
    }
    const char *authz = http_header(r, "Authorization");
    const char *token = NULL;
    bool cookie = false;
    if (authz && !strncasecmp(authz, "Bearer ", 7)) {
        token = authz + 7;
    } else if ((token = http_cookie(r, AUTH_COOKIE))) {
        cookie = true;
    }
    if (token) {
        AuthResult ar;
        if (auth_lookup(&r->c, token, &ar) != GX_OK)
            return false;
        if (ar.user_id) {
            Principal *p = acl_load_user(&r->c, &ar.user);
            if (p) {
                ctx_defer(&r->c, release_principal, p);
                p->csrf = ar.csrf;
                p->via_cookie = cookie;
                p->session_hash = ar.hash;
                r->c.who = p;
                if (p->lang_chosen)
                    r->c.lang = p->lang; /* else the Accept-Language choice stays */
            } else if (r->c.err == GX_EDB) {
                return false;
            }
            ctx_clear(&r->c);
        } else if (authz && !(r->route->flags & ROUTE_PUBLIC)) {
            ctx_fail(&r->c, GX_EAUTH, "The token is not valid (expired, revoked or unknown)");
            return false;
        }
    }
    if (!(r->route->flags & ROUTE_PUBLIC) && !r->c.who) {
        ctx_fail(&r->c, GX_EAUTH, "Not logged in");
        return false;
    }
    if (r->c.who && r->c.who->via_cookie && (r->route->flags & ROUTE_MUTATES)) {
        const char *sent = http_header(r, "X-CSRF-Token");
        json_t *form = NULL;
        if (!sent) {
            const char *ct = http_header(r, "Content-Type");
            if (ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33)) {
                form = http_form(r);
                sent = json_string_value(json_object_get(form, "_csrf"));
            }
        }
        bool ok = sent && r->c.who->csrf && strlen(sent) == strlen(r->c.who->csrf) &&
                  !memcmp(sent, r->c.who->csrf, strlen(sent));
        json_decref(form);
        if (!ok) {
            ctx_fail(&r->c, GX_EDENIED, "Missing or wrong CSRF token; reload the page and try again");
            r->c.err_code = "csrf";
            return false;
        }
    }
    if (r->route->capability && !strcmp(r->route->capability, "admin") && !acl_is_admin(&r->c)) {
        ctx_fail(&r->c, GX_EDENIED, "Only administrators may do this");
        return false;
    }
    return true;
}

void api_error(Req *r)
{
    json_t *err = json_object();
    json_object_set_new(err, "code", json_string(r->c.err_code ? r->c.err_code : gx_err_code(r->c.err)));
    json_object_set_new(err, "message", json_string(r->c.err_msg ? r->c.err_msg : "Error"));
    if (r->c.err_fields)
        json_object_set(err, "fields", r->c.err_fields);
    if (r->c.err == GX_ETOOMANY && r->c.retry_after > 0) {
        char s[32];
        snprintf(s, sizeof s, "%lld", (long long)r->c.retry_after);
        http_add_header(r, "Retry-After", s);
    }
    if (r->c.err == GX_EDB || r->c.err == GX_EINTERNAL)
        log_error("%s %s: %s", r->method, r->path, r->c.err_msg ? r->c.err_msg : "?");
    buf_clear(&r->out);
    http_json(r, gx_http_status(r->c.err), json_pack("{s:o}", "error", err));
}

/* An upload refused by the server for its total size (the body limit of
 * upload routes, 64 MiB: several files of up to 20 MiB each can go over it)
 * never reached `before`: say what happened in the browser's language. */
static void upload_too_large(Req *r)
{
    bool en = !strcmp(negotiate_lang(r), "en");
    double mib = (double)r->body_limit / (1 << 20), each = (double)ATTACHMENT_MAX_BYTES / (1 << 20);
    ctx_clear(&r->c);
    ctx_fail(&r->c, GX_ETOOLARGE,
             en ? "The upload is larger than %.0f MiB in all; send fewer files at once (each file may have up to "
                  "%.0f MiB)"
                : "一次上传的内容合计超过 %.0f MiB，请分几次上传（每个文件最大 %.0f MiB）",
             mib, each);
    r->c.err_code = "upload_too_large";
}

void app_render_error(Req *r)
{
    if (r->c.err == GX_ETOOLARGE && r->body_limit && r->route && (r->route->flags & ROUTE_LARGE_BODY))
        upload_too_large(r);
    if (r->route && (r->route->flags & ROUTE_HTML)) {
        ui_error_page(r);
        return;
    }
    if (!r->route && strncmp(r->path, "/api/", 5) != 0) {
        ui_error_page(r);
        return;
    }
    api_error(r);
}
