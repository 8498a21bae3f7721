/* layout.c — the page frame: document head (CSP-safe: no inline script or
 * style), top bar (search, quick create, reminders, user menu), the module
 * navigation (a drawer on phones), flash messages, and small request helpers
 * shared by the pages. */
#include <string.h>

#include "../base/embedded.h"
#include "../base/util.h"
#include "ui.h"

#define FLASH_COOKIE "gx_flash"

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                          "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

UiState *ui_state(Req *r)
{
    /* r->user_data belongs to the application; the UI is the only user of it. */
    if (!r->user_data)
        r->user_data = arena_calloc(&r->arena, 1, sizeof(UiState));
    return r->user_data;
}

void ui_html_headers(Req *r)
{
    r->content_type = "text/html; charset=utf-8";
    for (int i = 0; i < r->nheaders; i++)
        if (!strcmp(r->headers[i].name, "Content-Security-Policy"))
            return;
    http_add_header(r, "Content-Security-Policy", csp);
    http_add_header(r, "Cache-Control", "no-store");
}

const char *ui_asset(Req *r, const char *path)
{
    const char *full = arena_printf(&r->arena, "web/%s", path);
    const EmbeddedFile *f = embedded_find(full);
    return arena_printf(&r->arena, "/static/%s/%s", f ? f->hash : "0", path);
}

void ui_csrf_field(Req *r)
{
    if (r->c.who && r->c.who->csrf)
        buf_htmlf(&r->out, "<input type=\"hidden\" name=\"_csrf\" value=\"%s\">", r->c.who->csrf);
}

bool ui_htmx(Req *r)
{
    return http_header(r, "HX-Request") != NULL;
}

void ui_redirect(Req *r, const char *location)
{
    ctx_clear(&r->c);
    if (ui_htmx(r)) {
        buf_clear(&r->out);
        r->status = 200;
        http_add_header(r, "HX-Redirect", location);
        return;
    }
    http_redirect(r, location);
}

/* ---------- flash messages ---------- */

static const struct {
    const char *code;
    const char *msgid;
} flashes[] = {
    {"created", N_("Created.")},
    {"saved", N_("Saved.")},
    {"deleted", N_("Deleted.")},
    {"transferred", N_("The owner was changed.")},
    {"merged", N_("The customers were merged.")},
    {"pool_released", N_("The customer went back to the pool.")},
    {"password", N_("Your password was changed.")},
    {"lang", N_("Language changed.")},
    {"query_saved", N_("The query was saved.")},
    {"query_deleted", N_("The query was deleted.")},
    {"activity", N_("Follow-up recorded.")},
    {"bulk_deleted", N_("%lld records deleted.")},
    {"bulk_assigned", N_("%lld records transferred.")},
    {"bulk_released", N_("%lld customers went back to the pool.")},
    {"bulk_partial", N_("Some records could not be changed: %lld done.")},
    {"logged_out", N_("You have logged out.")},
    {"lead_converted", N_("The lead was converted.")},
    {"leads_converted", N_("%lld leads converted.")},
    {"leads_convert_partial", N_("%lld leads converted; the others were already converted or cannot be converted by you.")},
    {"approval_approved", N_("Approved.")},
    {"approval_rejected", N_("Rejected.")},
    {"delivery_recorded", N_("The delivery was recorded.")},
    {"return_recorded", N_("The return was recorded.")},
};

void ui_flash(Req *r, const char *code)
{
    http_set_cookie(r, FLASH_COOKIE, code, 60);
}

/* Write the flash message from the cookie (then delete it). */
static void flash_show(Req *r)
{
    const char *v = http_cookie(r, FLASH_COOKIE);
    if (!v || !*v)
        return;
    http_set_cookie(r, FLASH_COOKIE, "", 0);
    const char *dot = strchr(v, '.');
    size_t n = dot ? (size_t)(dot - v) : strlen(v);
    long long count = 0;
    int64_t parsed;
    if (dot && parse_i64(dot + 1, &parsed))
        count = (long long)parsed;
    for (size_t i = 0; i < sizeof flashes / sizeof flashes[0]; i++) {
        if (strlen(flashes[i].code) != n || strncmp(flashes[i].code, v, n))
            continue;
        buf_raw(&r->out, "<div class=\"flash\" role=\"status\">");
        if (strstr(flashes[i].msgid, "%lld"))
            buf_htmlf(&r->out, T(r, flashes[i].msgid), count);
        else
            buf_html(&r->out, T(r, flashes[i].msgid));
        buf_htmlf(&r->out,
                  "<button type=\"button\" class=\"flash-close\" data-dismiss aria-label=\"%s\">×</button></div>",
                  T(r, "Close"));
        return;
    }
}

/* ---------- navigation ---------- */

/* Entities in the order of the module menu (UI.md); entities not listed
 * follow, then the settings module. */
static const char *const nav_order[] = {
    "leads",     "customers",     "customer_pool",
    "contacts",  "opportunities", "quotes",
    "orders",    "contracts",     "payments",
    "products",  "tickets",       "knowledge_articles",
    "campaigns", "members",       "bookings",
    "checkouts", "resources",     "activities",
    "tasks",     "sales_targets", "reports",       NULL,
};

bool ui_entity_visible(Req *r, const Entity *e)
{
    if (e->module && !strcmp(e->module, "personal"))
        return false;
    return acl_scope(&r->c, e, ACT_READ) != SCOPE_NONE;
}

/* Shown in the module menu? Notifications ("home") are reached by the bell. */
static bool in_menu(Req *r, const Entity *e)
{
    if (e->module && !strcmp(e->module, "home"))
        return false;
    return acl_scope(&r->c, e, ACT_READ) != SCOPE_NONE;
}

static bool is_settings(const Entity *e)
{
    return e->module && !strcmp(e->module, "settings");
}

static bool listed(const char *name)
{
    for (int i = 0; nav_order[i]; i++)
        if (!strcmp(nav_order[i], name))
            return true;
    return false;
}

/* The first character of a label, as the icon of a collapsed menu. */
static void nav_icon(Buf *b, const char *label)
{
    size_t n = 1;
    unsigned char c = (unsigned char)label[0];
    if (c >= 0xf0)
        n = 4;
    else if (c >= 0xe0)
        n = 3;
    else if (c >= 0xc0)
        n = 2;
    char tmp[8] = {0};
    memcpy(tmp, label, n < strlen(label) ? n : strlen(label));
    buf_raw(b, "<span class=\"nav-icon\" aria-hidden=\"true\">");
    buf_html(b, tmp);
    buf_raw(b, "</span>");
}

static void nav_link(Req *r, const char *href, const char *label, bool active)
{
    buf_htmlf(&r->out, "<li><a href=\"%s\" title=\"%s\"", href, label);
    buf_raw(&r->out, active ? " class=\"active\" aria-current=\"page\">" : ">");
    nav_icon(&r->out, label);
    buf_htmlf(&r->out, "<span class=\"nav-text\">%s</span></a></li>", label);
}

/* Modules whose menu entry opens a page of their own rather than the list. */
static const struct {
    const char *entity; /* entity name in nav_order */
    const char *href;   /* the page */
} nav_pages[] = {
    {"bookings", "/app/bookings/day"},
    {"checkouts", "/app/checkouts/new"},
    {"assignment_rules", "/admin/assignment_rules"},
    {"sales_targets", "/app/reports/targets"},
    {"approvals", "/approvals"},
};

static void nav_entity(Req *r, const Page *p, const Entity *e)
{
    const char *href = arena_printf(&r->arena, "/app/%s", e->name);
    for (size_t i = 0; i < sizeof nav_pages / sizeof nav_pages[0]; i++)
        if (!strcmp(nav_pages[i].entity, e->name))
            href = nav_pages[i].href;
    nav_link(r, href, ui_label(r, &e->label), p->nav && !strcmp(p->nav, e->name));
}

static void navigation(Req *r, const Page *p)
{
    int n;
    const Entity *const *all = meta_entities(&n);
    buf_htmlf(&r->out, "<nav class=\"sidenav\" id=\"sidenav\" aria-label=\"%s\"><ul>", T(r, "Modules"));
    nav_link(r, "/", T(r, "Home"), p->nav && !strcmp(p->nav, "home"));
    const Entity *cu0 = meta_entity("customers");
    for (int i = 0; nav_order[i]; i++) {
        if (!strcmp(nav_order[i], "customer_pool")) { /* the pool page (pool.c), for pool members */
            if (r->c.who && (r->c.who->npools > 0 || r->c.who->is_admin) && meta_entity("pools"))
                nav_link(r, "/pool", T(r, "Customer pool"), p->nav && !strcmp(p->nav, "customer_pool"));
            continue;
        }
        const Entity *e = meta_entity(nav_order[i]);
        if (e && ui_entity_visible(r, e) && in_menu(r, e))
            nav_entity(r, p, e);
        /* The funnel and the forecast of the opportunities one may read (ui/sales_opps.c). */
        if (!strcmp(nav_order[i], "opportunities") && e && ui_entity_visible(r, e) && meta_entity("opportunity_stages")) {
            nav_link(r, "/app/reports/funnel", T(r, "Sales funnel"), p->nav && !strcmp(p->nav, "funnel"));
            nav_link(r, "/app/reports/forecast", T(r, "Weighted forecast"), p->nav && !strcmp(p->nav, "forecast"));
        }
        /* Receivables per customer (ui/receivables.c), for whoever reads payments. */
        if (!strcmp(nav_order[i], "payments") && e && ui_entity_visible(r, e) && cu0 &&
            acl_scope(&r->c, cu0, ACT_READ) != SCOPE_NONE)
            nav_link(r, "/app/reports/receivables", T(r, "Accounts receivable"),
                     p->nav && !strcmp(p->nav, "receivables"));
        /* Members are customers with a card (ui/membership_pages.c). */
        const Entity *mt = meta_entity("member_types"), *cu = meta_entity("customers");
        if (!strcmp(nav_order[i], "members") && mt && cu && acl_scope(&r->c, mt, ACT_READ) != SCOPE_NONE &&
            acl_scope(&r->c, cu, ACT_READ) != SCOPE_NONE)
            nav_link(r, "/app/members", T(r, "Members"), p->nav && !strcmp(p->nav, "members"));
        /* The customer value pyramid (ui/sales_targets.c), for whoever reads customers. */
        if (!strcmp(nav_order[i], "reports") && cu && meta_field(cu, "total_purchases") &&
            acl_scope(&r->c, cu, ACT_READ) != SCOPE_NONE)
            nav_link(r, "/app/reports/customer_value", T(r, "Customer value"),
                     p->nav && !strcmp(p->nav, "customer_value"));
        /* The front desk's reports (income, journal) need every checkout. */
        const Entity *co = meta_entity("checkouts");
        if (!strcmp(nav_order[i], "reports") && co && acl_scope(&r->c, co, ACT_READ) == SCOPE_ALL)
            nav_link(r, "/app/reports/front_desk", T(r, "Front-desk reports"), p->nav && !strcmp(p->nav, "reports"));
    }
    for (int i = 0; i < n; i++)
        if (!listed(all[i]->name) && !is_settings(all[i]) && ui_entity_visible(r, all[i]) && in_menu(r, all[i]))
            nav_entity(r, p, all[i]);
    bool heading = false;
    for (int i = 0; i < n; i++) {
        /* the settings menu lists what the user may change (everyone reads
         * pick lists, users and departments; that is no reason to list them) */
        if (!is_settings(all[i]) || !ui_entity_visible(r, all[i]) ||
            (acl_scope(&r->c, all[i], ACT_EDIT) == SCOPE_NONE && acl_scope(&r->c, all[i], ACT_CREATE) == SCOPE_NONE))
            continue;
        if (!heading) {
            buf_htmlf(&r->out, "<li class=\"nav-heading\"><span class=\"nav-text\">%s</span></li>", T(r, "Settings"));
            heading = true;
        }
        nav_entity(r, p, all[i]);
    }
    /* Supervision for managers, the audit log for administrators (admin.c). */
    const Entity *act = meta_entity("activities");
    if (r->c.who && act && (r->c.who->is_admin || acl_scope(&r->c, act, ACT_READ) >= SCOPE_DEPT))
        nav_link(r, "/team", T(r, "Team"), p->nav && !strcmp(p->nav, "team"));
    if (r->c.who && acl_is_admin(&r->c))
        nav_link(r, "/admin/picklists", T(r, "Pick lists"), p->nav && !strcmp(p->nav, "picklists"));
    if (r->c.who && acl_is_admin(&r->c) && meta_entity("invoices")) /* seller on invoices (sales_money.c) */
        nav_link(r, "/admin/company", T(r, "Company profile"), p->nav && !strcmp(p->nav, "company"));
    if (r->c.who && acl_is_admin(&r->c))
        nav_link(r, "/admin/audit", T(r, "Audit log"), p->nav && !strcmp(p->nav, "audit"));
    buf_raw(&r->out, "</ul></nav>");
}

/* ---------- top bar ---------- */

/* The reminders bell: the count of my unread notifications (none shown when
 * there are none or the notifications entity is not available). */
static void bell(Req *r)
{
    Buf *o = &r->out;
    const Entity *ne = meta_entity("notifications");
    int64_t unread = 0;
    const char *href = "/";
    if (ne && r->c.who && meta_field(ne, "read") && acl_scope(&r->c, ne, ACT_READ) != SCOPE_NONE) {
        json_t *where = json_pack("{s:[{s:s, s:s, s:I}, {s:s, s:s, s:b}]}", "and", "field", "owner_id", "op", "eq",
                                  "value", (json_int_t)r->c.who->user_id, "field", "read", "op", "eq", "value", 0);
        ListQuery lq = {.where = where, .limit = 1, .count = true, .action = ACT_READ};
        json_t *rows = NULL;
        if (record_list(&r->c, ne, &lq, &rows, &unread))
            ctx_clear(&r->c);
        json_decref(rows);
        json_decref(where);
        href = "/app/notifications?scene=mine";
    }
    const char *label = unread > 0 ? arena_printf(&r->arena, T(r, "Reminders: %lld unread"), (long long)unread)
                                   : T(r, "Reminders: none");
    buf_htmlf(o,
              "<a class=\"bell\" href=\"%s\" title=\"%s\" aria-label=\"%s\"><svg viewBox=\"0 0 24 24\" width=\"20\" "
              "height=\"20\""
              " aria-hidden=\"true\"><path d=\"M12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2zm6-6V11a6 6 0 0 0-5-5.9V4a1 1 0 0 "
              "0-2 0v1.1A6 6 0 0 0 6 11v5l-2 2v1h16v-1z\""
              " fill=\"currentColor\"/></svg>",
              href, label, label);
    if (unread > 0)
        buf_printf(o, "<span class=\"badge\">%lld</span>", (long long)(unread > 99 ? 99 : unread));
    buf_raw(o, "</a>");
}

static void topbar(Req *r)
{
    Buf *o = &r->out;
    buf_htmlf(o,
              "<header class=\"topbar\"><button type=\"button\" class=\"nav-toggle\" data-nav-toggle "
              "aria-controls=\"sidenav\""
              " aria-label=\"%s\"><span></span><span></span><span></span></button>",
              T(r, "Menu"));
    buf_htmlf(o, "<a class=\"brand\" href=\"/\">%s</a>", T(r, "Guanxi CRM"));
    buf_htmlf(o,
              "<form class=\"topsearch\" action=\"/search\" method=\"get\" role=\"search\">"
              "<input type=\"search\" name=\"q\" autocomplete=\"off\" placeholder=\"%s\" aria-label=\"%s\""
              " hx-get=\"/search\" hx-trigger=\"input changed delay:250ms, search\" hx-target=\"#search-pop\""
              " hx-sync=\"this:replace\">"
              "<div id=\"search-pop\" class=\"search-pop\" aria-live=\"polite\"></div></form>",
              T(r, "Search customers, contacts…"), T(r, "Search"));
    /* quick create */
    int n;
    const Entity *const *all = meta_entities(&n);
    bool any = false;
    for (int i = 0; i < n; i++) {
        const Entity *e = all[i];
        if (!ui_entity_visible(r, e) || is_settings(e) || acl_scope(&r->c, e, ACT_CREATE) == SCOPE_NONE)
            continue;
        if (!any) {
            buf_htmlf(o,
                      "<details class=\"menu quick-new\"><summary class=\"btn primary\" title=\"%s\">+<span "
                      "class=\"hide-sm\"> %s</span></summary><ul class=\"menu-list\">",
                      T(r, "New"), T(r, "New"));
            any = true;
        }
        buf_htmlf(o, "<li><a href=\"/app/%s/new\">%s</a></li>", e->name, ui_label(r, &e->singular));
    }
    if (any)
        buf_raw(o, "</ul></details>");
    bell(r);
    /* user menu */
    const char *name = r->c.who && r->c.who->name ? r->c.who->name : "";
    buf_htmlf(o, "<details class=\"menu user-menu\"><summary title=\"%s\"><span class=\"avatar\" aria-hidden=\"true\">",
              name);
    nav_icon(o, *name ? name : "?");
    buf_htmlf(o, "</span><span class=\"hide-sm\">%s</span></summary><div class=\"menu-list\">", name);
    buf_raw(o, "<form method=\"post\" action=\"/app/lang\" class=\"lang-switch\">");
    ui_csrf_field(r);
    buf_htmlf(o, "<input type=\"hidden\" name=\"back\" value=\"%s\">", r->path);
    buf_raw(o, ui_en(r) ? "<button name=\"lang\" value=\"zh\">中文</button><button name=\"lang\" value=\"en\" "
                          "aria-pressed=\"true\">English</button></form>"
                        : "<button name=\"lang\" value=\"zh\" aria-pressed=\"true\">中文</button><button name=\"lang\" "
                          "value=\"en\">English</button></form>");
    buf_htmlf(o, "<a href=\"/app/password\">%s</a>", T(r, "Change password"));
    buf_htmlf(o, "<a href=\"/app/tokens\">%s</a>", T(r, "API tokens"));
    buf_raw(o, "<form method=\"post\" action=\"/logout\">");
    ui_csrf_field(r);
    buf_htmlf(o, "<button type=\"submit\" class=\"linklike\">%s</button></form></div></details></header>",
              T(r, "Log out"));
}

/* ---------- frame ---------- */

void ui_begin(Req *r, const Page *p)
{
    ui_html_headers(r);
    Buf *o = &r->out;
    buf_htmlf(o, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">", ui_en(r) ? "en" : "zh-CN");
    buf_raw(o, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    buf_raw(o, "<meta name=\"htmx-config\" content='{\"includeIndicatorStyles\":false,\"allowEval\":false,"
               "\"allowScriptTags\":false,\"historyCacheSize\":0}'>");
    if (r->c.who && r->c.who->csrf)
        buf_htmlf(o, "<meta name=\"csrf-token\" content=\"%s\">", r->c.who->csrf);
    buf_htmlf(o, "<title>%s · %s</title>", p->title ? p->title : "", T(r, "Guanxi CRM"));
    buf_htmlf(o, "<link rel=\"stylesheet\" href=\"%s\">", ui_asset(r, "app.css"));
    buf_htmlf(o, "<link rel=\"icon\" href=\"%s\">", ui_asset(r, "favicon.svg"));
    buf_htmlf(o, "<script src=\"%s\" defer></script>", ui_asset(r, "vendor/htmx.min.js"));
    if (p->script)
        buf_htmlf(o, "<script src=\"%s\" defer></script>", ui_asset(r, p->script));
    if (p->script2)
        buf_htmlf(o, "<script src=\"%s\" defer></script>", ui_asset(r, p->script2));
    buf_htmlf(o, "<script src=\"%s\" defer></script>", ui_asset(r, "app.js"));
    buf_raw(o, "</head>");
    if (p->bare) {
        buf_raw(o, "<body class=\"bare\" hx-indicator=\"#progress\"><div id=\"progress\" class=\"progress\" "
                   "aria-hidden=\"true\"></div><main class=\"bare-main\">");
        flash_show(r);
        return;
    }
    const char *nav = http_cookie(r, "gx_nav");
    buf_htmlf(o,
              "<body class=\"app%s\" hx-indicator=\"#progress\"><div id=\"progress\" class=\"progress\" "
              "aria-hidden=\"true\"></div>",
              nav && !strcmp(nav, "collapsed") ? " nav-collapsed" : "");
    buf_htmlf(o, "<a class=\"skip\" href=\"#main\">%s</a>", T(r, "Skip to content"));
    topbar(r);
    buf_raw(o, "<div class=\"frame\">");
    navigation(r, p);
    buf_raw(o, "<div class=\"nav-backdrop\" data-nav-close></div><main class=\"content\" id=\"main\">");
    flash_show(r);
}

void ui_end(Req *r, const Page *p)
{
    if (p->bare)
        buf_raw(&r->out, "</main></body></html>");
    else
        buf_raw(&r->out, "</main></div></body></html>");
}

/* ---------- request helpers ---------- */

void ui_fail(Req *r)
{
    if (ui_htmx(r) && r->c.err != GX_EAUTH) {
        /* a fragment the page shows in place */
        buf_clear(&r->out);
        ui_html_headers(r);
        r->status = gx_http_status(r->c.err);
        http_add_header(r, "HX-Reswap", "innerHTML");
        buf_htmlf(&r->out, "<div class=\"alert error\" role=\"alert\">%s</div>",
                  ui_engine_msg(r, r->c.err_msg ? r->c.err_msg : T(r, "Something went wrong")));
        return;
    }
    ui_error_page(r);
}

const Entity *ui_entity(Req *r)
{
    const Entity *e = meta_entity(http_param(r, "entity"));
    if (!e || (e->module && !strcmp(e->module, "personal"))) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such page");
        ui_fail(r);
        return NULL;
    }
    if (acl_scope(&r->c, e, ACT_READ) == SCOPE_NONE) {
        ctx_fail(&r->c, GX_EDENIED, "You may not see %s", e->name);
        ui_fail(r);
        return NULL;
    }
    return e;
}

bool ui_id(Req *r, int64_t *id)
{
    if (!parse_i64(http_param(r, "id"), id) || *id <= 0) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such record");
        ui_fail(r);
        return false;
    }
    return true;
}
