/* admin.c — the pages of identity and access beyond the generic ones:
 * the role matrix editor, the audit log, handover (离职交接) and staff
 * supervision (员工监督) with comments (批示). Users, departments and roles
 * themselves use the generic list/detail/form pages. */
#include <stdlib.h>
#include <string.h>

#include "../auth/auth.h"
#include "../base/util.h"
#include "../modules/modules.h"
#include "ui.h"

static const char *scope_msgids[] = {N_("None"), N_("Own"), N_("Department"), N_("Department and below"), N_("All")};
static const char *action_msgids[] = {N_("Read"), N_("Create"), N_("Edit"), N_("Delete"), N_("Export"), N_("Import"), N_("Assign")};

/* Administrators only; renders 403 otherwise. */
static bool admin_only(Req *r)
{
    if (acl_is_admin(&r->c))
        return true;
    ctx_fail(&r->c, GX_EDENIED, "Only administrators may do this");
    ui_fail(r);
    return false;
}

/* ---------- role matrix ---------- */

/* GET /admin/roles/{id}/matrix */
void ui_role_matrix(Req *r)
{
    int64_t id;
    if (!admin_only(r) || !ui_id(r, &id))
        return;
    json_t *role;
    if (record_get(&r->c, meta_entity("roles"), id, &role))
        return ui_fail(r);
    json_t *perm = json_object_get(role, "permissions");
    json_t *rules = json_object_get(role, "field_rules");
    Page p = {.title = T(r, "Permission matrix"), .nav = "roles"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s · %s</h1><a class=\"btn\" href=\"/app/roles/%lld\">%s</a></div>",
              T(r, "Permission matrix"), json_string_value(json_object_get(role, "name")), (long long)id, T(r, "Back"));
    if (json_is_true(json_object_get(role, "is_admin")))
        buf_htmlf(o, "<div class=\"alert\">%s</div>", T(r, "This role is an administrator role: it may do everything, whatever the matrix says."));
    buf_htmlf(o, "<form method=\"post\" action=\"/admin/roles/%lld/matrix\" class=\"stack\">", (long long)id);
    ui_csrf_field(r);
    buf_printf(o, "<input type=\"hidden\" name=\"version\" value=\"%lld\">", (long long)json_integer_value(json_object_get(role, "version")));
    buf_htmlf(o, "<div class=\"table-wrap\"><table class=\"grid matrix\"><thead><tr><th>%s</th>", T(r, "Record type"));
    for (int a = 0; a < ACT__COUNT; a++)
        buf_htmlf(o, "<th>%s</th>", T(r, action_msgids[a]));
    buf_raw(o, "</tr></thead><tbody>");
    int n;
    const Entity *const *all = meta_entities(&n);
    for (int i = 0; i < n; i++) {
        const Entity *e = all[i];
        buf_htmlf(o, "<tr><th scope=\"row\">%s</th>", ui_label(r, &e->label));
        for (int a = 0; a < ACT__COUNT; a++) {
            Scope cur = SCOPE_NONE;
            acl_scope_parse(json_string_value(json_object_get(json_object_get(perm, e->name), acl_action_name((Action)a))), &cur);
            buf_htmlf(o, "<td><select name=\"p.%s.%s\" aria-label=\"%s %s\">", e->name, acl_action_name((Action)a),
                      ui_label(r, &e->label), T(r, action_msgids[a]));
            for (int s = 0; s <= SCOPE_ALL; s++) {
                if (!e->owned && s != SCOPE_NONE && s != SCOPE_ALL)
                    continue; /* records without owners: none or all */
                buf_htmlf(o, "<option value=\"%s\"%s>%s</option>", acl_scope_name((Scope)s), s == (int)cur ? " selected" : "",
                          T(r, scope_msgids[s]));
            }
            buf_raw(o, "</select></td>");
        }
        buf_raw(o, "</tr>");
    }
    buf_raw(o, "</tbody></table></div>");
    /* Field rules, one collapsible block per entity. */
    buf_htmlf(o, "<h2>%s</h2><p class=\"muted\">%s</p>", T(r, "Field rules"),
              T(r, "Hidden fields are absent from pages, the API, exports and search; read-only fields cannot be changed."));
    for (int i = 0; i < n; i++) {
        const Entity *e = all[i];
        json_t *er = json_object_get(rules, e->name);
        buf_htmlf(o, "<details class=\"card\"%s><summary>%s</summary><div class=\"fields\">", json_object_size(er) ? " open" : "",
                  ui_label(r, &e->label));
        for (int k = 0; k < e->nfields; k++) {
            const Field *f = &e->fields[k];
            if (f->write_only)
                continue;
            const char *cur = json_string_value(json_object_get(er, f->name));
            buf_htmlf(o, "<label class=\"field\"><span>%s</span><select name=\"f.%s.%s\">", ui_label(r, &f->label), e->name, f->name);
            buf_htmlf(o, "<option value=\"\">%s</option>", T(r, "Visible and editable"));
            buf_htmlf(o, "<option value=\"readonly\"%s>%s</option>", cur && !strcmp(cur, "readonly") ? " selected" : "", T(r, "Read-only"));
            buf_htmlf(o, "<option value=\"hidden\"%s>%s</option>", cur && !strcmp(cur, "hidden") ? " selected" : "", T(r, "Hidden"));
            buf_raw(o, "</select></label>");
        }
        buf_raw(o, "</div></details>");
    }
    buf_htmlf(o, "<div class=\"form-actions form-bar\"><button class=\"btn primary\" type=\"submit\">%s</button></div></form>", T(r, "Save"));
    ui_end(r, &p);
    json_decref(role);
}

/* POST /admin/roles/{id}/matrix */
void ui_role_matrix_post(Req *r)
{
    int64_t id;
    if (!admin_only(r) || !ui_id(r, &id))
        return;
    json_t *form = http_form(r);
    if (!form) {
        ctx_fail(&r->c, GX_EBADREQ, "Malformed form");
        return ui_fail(r);
    }
    json_t *perm = json_object(), *rules = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(form, k, v)
    {
        const char *val = json_string_value(v);
        if (!val)
            continue;
        bool is_perm = !strncmp(k, "p.", 2), is_rule = !strncmp(k, "f.", 2);
        if (!is_perm && !is_rule)
            continue;
        const char *dot = strchr(k + 2, '.');
        if (!dot)
            continue;
        char *ent = arena_strndup(&r->arena, k + 2, (size_t)(dot - k - 2));
        json_t *into = is_perm ? perm : rules;
        if (is_rule && !*val)
            continue;
        if (is_perm && !strcmp(val, "none"))
            continue;
        json_t *sub = json_object_get(into, ent);
        if (!sub) {
            sub = json_object();
            json_object_set_new(into, ent, sub);
        }
        json_object_set_new(sub, dot + 1, json_string(val));
    }
    int64_t version = 0;
    parse_i64(json_string_value(json_object_get(form, "version")), &version);
    json_t *in = json_pack("{s:o, s:o, s:I}", "permissions", perm, "field_rules", rules, "version", (json_int_t)version);
    json_decref(form);
    json_t *out;
    GxErr rc = record_update(&r->c, meta_entity("roles"), id, in, &out);
    json_decref(in);
    if (rc)
        return ui_fail(r); /* the role hook validates names; a stale version explains itself */
    json_decref(out);
    ui_flash(r, "saved");
    ui_redirect(r, arena_printf(&r->arena, "/admin/roles/%lld/matrix", (long long)id));
}

/* ---------- audit log ---------- */

/* A <select> of users (active and not), for filters and handover. */
static void user_select(Req *r, const char *name, int64_t selected, bool any)
{
    Buf *o = &r->out;
    ListQuery lq = {.sort = "name", .limit = RECORD_LIMIT_MAX, .action = ACT_READ};
    json_t *rows = NULL;
    if (record_list(&r->c, meta_entity("users"), &lq, &rows, NULL)) {
        ctx_clear(&r->c);
        rows = json_array();
    }
    buf_htmlf(o, "<select name=\"%s\" id=\"%s\">", name, name);
    if (any)
        buf_htmlf(o, "<option value=\"\">%s</option>", T(r, "Anyone"));
    size_t i;
    json_t *u;
    json_array_foreach(rows, i, u)
    {
        int64_t uid = json_integer_value(json_object_get(u, "id"));
        buf_htmlf(o, "<option value=\"%lld\"%s>%s (%s)%s</option>", (long long)uid, uid == selected ? " selected" : "",
                  json_string_value(json_object_get(u, "name")), json_string_value(json_object_get(u, "username")),
                  json_is_false(json_object_get(u, "active")) ? T(r, " — disabled") : "");
    }
    buf_raw(o, "</select>");
    json_decref(rows);
}

/* Local date input "YYYY-MM-DD" → UTC seconds of local midnight. */
static bool date_param(Req *r, const char *s, int64_t *t)
{
    int y, m, d;
    if (!s || !*s || !time_parse_date(s, &y, &m, &d))
        return false;
    *t = ui_local_midnight(r, y, m, d);
    return true;
}

/* GET /admin/audit?user_id=&entity=&action=&from=&to=&offset= */
void ui_audit_page(Req *r)
{
    if (!admin_only(r))
        return;
    AuditQuery aq = {.limit = 100};
    const char *uid = http_query(r, "user_id"), *entity = http_query(r, "entity"), *action = http_query(r, "action");
    const char *from = http_query(r, "from"), *to = http_query(r, "to"), *off = http_query(r, "offset");
    if (uid && *uid)
        parse_i64(uid, &aq.user_id);
    if (entity && *entity)
        aq.entity = entity;
    if (action && *action)
        aq.action = action;
    aq.has_from = date_param(r, from, &aq.from);
    aq.has_to = date_param(r, to, &aq.to);
    if (aq.has_to)
        aq.to += 86400; /* the whole "to" day */
    if (off && (!parse_i64(off, &aq.offset) || aq.offset < 0))
        aq.offset = 0;
    json_t *rows;
    if (audit_list(&r->c, &aq, &rows))
        return ui_fail(r);
    Page p = {.title = T(r, "Audit log"), .nav = "audit"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1></div>", T(r, "Audit log"));
    buf_raw(o, "<form class=\"list-tools\" method=\"get\" action=\"/admin/audit\">");
    buf_htmlf(o, "<label>%s ", T(r, "User"));
    user_select(r, "user_id", aq.user_id, true);
    buf_htmlf(o, "</label><label>%s <select name=\"entity\"><option value=\"\">%s</option>", T(r, "Record type"), T(r, "All"));
    int n;
    const Entity *const *all = meta_entities(&n);
    for (int i = 0; i < n; i++)
        buf_htmlf(o, "<option value=\"%s\"%s>%s</option>", all[i]->name, entity && !strcmp(entity, all[i]->name) ? " selected" : "",
                  ui_label(r, &all[i]->label));
    static const char *actions[] = {"create", "update", "delete", "restore", "purge", "handover", "login", "login_failed",
                                    "logout", "export", "password_change", "token_create", "token_revoke", NULL};
    buf_htmlf(o, "</select></label><label>%s <select name=\"action\"><option value=\"\">%s</option>", T(r, "Action"), T(r, "All"));
    for (int i = 0; actions[i]; i++)
        buf_htmlf(o, "<option value=\"%s\"%s>%s</option>", actions[i], action && !strcmp(action, actions[i]) ? " selected" : "",
                  actions[i]);
    buf_htmlf(o, "</select></label><label>%s <input type=\"date\" name=\"from\" value=\"%s\"></label>", T(r, "From"),
              from ? from : "");
    buf_htmlf(o, "<label>%s <input type=\"date\" name=\"to\" value=\"%s\"></label>", T(r, "To"), to ? to : "");
    buf_htmlf(o, "<button class=\"btn\" type=\"submit\">%s</button>", T(r, "Filter"));
    /* Export with the same filters (the API takes RFC 3339 times). */
    Buf q;
    buf_init(&q, &r->arena);
    buf_raw(&q, "/api/v1/audit?format=csv");
    if (aq.user_id)
        buf_printf(&q, "&user_id=%lld", (long long)aq.user_id);
    if (aq.entity) {
        buf_raw(&q, "&entity=");
        buf_url(&q, aq.entity);
    }
    if (aq.action) {
        buf_raw(&q, "&action=");
        buf_url(&q, aq.action);
    }
    if (aq.has_from) {
        buf_raw(&q, "&from=");
        buf_url(&q, ui_utc_string(r, aq.from));
    }
    if (aq.has_to) {
        buf_raw(&q, "&to=");
        buf_url(&q, ui_utc_string(r, aq.to));
    }
    buf_htmlf(o, "<a class=\"btn\" href=\"%s\">%s</a></form>", q.data, T(r, "Export CSV"));
    if (!json_array_size(rows)) {
        buf_htmlf(o, "<div class=\"empty\">%s</div>", T(r, "No audit entries match."));
    } else {
        buf_htmlf(o, "<div class=\"table-wrap\"><table class=\"grid cards-sm\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
                     "<th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
                  T(r, "When"), T(r, "User"), T(r, "IP"), T(r, "Action"), T(r, "Record"), T(r, "Changes"));
        size_t i;
        json_t *a;
        json_array_foreach(rows, i, a)
        {
            buf_raw(o, "<tr><td>");
            ui_datetime(r, o, json_string_value(json_object_get(a, "at")));
            buf_htmlf(o, "</td><td>%s</td><td>%s</td><td>%s</td><td>",
                      json_string_value(json_object_get(a, "user_name")) ? json_string_value(json_object_get(a, "user_name")) : "—",
                      json_string_value(json_object_get(a, "ip")) ? json_string_value(json_object_get(a, "ip")) : "",
                      json_string_value(json_object_get(a, "action")));
            const char *ent = json_string_value(json_object_get(a, "entity"));
            const Entity *e = meta_entity(ent);
            json_int_t rid = json_integer_value(json_object_get(a, "record_id"));
            if (e && rid)
                buf_htmlf(o, "<a href=\"/app/%s/%lld\">%s #%lld</a>", e->name, (long long)rid, ui_label(r, &e->singular), (long long)rid);
            else if (e)
                buf_html(o, ui_label(r, &e->label));
            buf_raw(o, "</td><td class=\"diff\">");
            json_t *diff = json_object_get(a, "diff");
            const char *k;
            json_t *pair;
            json_object_foreach(diff, k, pair)
            {
                const char *ov = json_text_of(r->c.arena, json_array_get(pair, 0));
                const char *nv = json_text_of(r->c.arena, json_array_get(pair, 1));
                const Field *f = e ? meta_field(e, k) : NULL;
                buf_htmlf(o, "<div><b>%s</b>: %s → %s</div>", f ? ui_label(r, &f->label) : k, ov ? ov : "", nv ? nv : "");
            }
            buf_raw(o, "</td></tr>");
        }
        buf_raw(o, "</tbody></table></div>");
        buf_raw(o, "<div class=\"pager\">");
        if (aq.offset > 0)
            buf_htmlf(o, "<a href=\"?offset=%lld\">%s</a>", (long long)(aq.offset >= 100 ? aq.offset - 100 : 0), T(r, "Previous"));
        if (json_array_size(rows) == 100)
            buf_htmlf(o, "<a href=\"?offset=%lld\">%s</a>", (long long)(aq.offset + 100), T(r, "Next"));
        buf_raw(o, "</div>");
    }
    json_decref(rows);
    ui_end(r, &p);
}

/* ---------- handover ---------- */

/* GET /admin/users/{id}/handover */
void ui_handover_page(Req *r)
{
    int64_t id;
    if (!admin_only(r) || !ui_id(r, &id))
        return;
    json_t *u;
    if (record_get(&r->c, meta_entity("users"), id, &u))
        return ui_fail(r);
    Page p = {.title = T(r, "Handover"), .nav = "users"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s · %s</h1></div>", T(r, "Handover"), json_string_value(json_object_get(u, "name")));
    buf_htmlf(o, "<form class=\"card stack\" method=\"post\" action=\"/admin/users/%lld/handover\">", (long long)id);
    ui_csrf_field(r);
    buf_htmlf(o, "<p>%s</p>", T(r, "Move every record this user owns (or the kinds chosen below) to another user in one step. Each record's history shows the transfer."));
    buf_htmlf(o, "<label class=\"field\"><span>%s</span>", T(r, "Hand over to"));
    user_select(r, "to_user_id", 0, false);
    buf_htmlf(o, "</label><fieldset class=\"checks\"><legend>%s</legend>", T(r, "Record types (none ticked: all)"));
    int n;
    const Entity *const *all = meta_entities(&n);
    for (int i = 0; i < n; i++)
        if (all[i]->transferable)
            buf_htmlf(o, "<label><input type=\"checkbox\" name=\"entities\" value=\"%s\"> %s</label> ", all[i]->name,
                      ui_label(r, &all[i]->label));
    buf_htmlf(o, "</fieldset><div class=\"form-actions\"><button class=\"btn primary\" type=\"submit\">%s</button></div></form>",
              T(r, "Hand over"));
    ui_end(r, &p);
    json_decref(u);
}

/* POST /admin/users/{id}/handover */
void ui_handover_post(Req *r)
{
    int64_t id, to = 0;
    if (!admin_only(r) || !ui_id(r, &id))
        return;
    json_t *form = http_form(r);
    if (!form) {
        ctx_fail(&r->c, GX_EBADREQ, "Malformed form");
        return ui_fail(r);
    }
    parse_i64(json_string_value(json_object_get(form, "to_user_id")), &to);
    json_t *ents = json_object_get(form, "entities");
    json_t *list = NULL;
    if (json_is_string(ents))
        list = json_pack("[O]", ents);
    else if (json_is_array(ents))
        list = json_incref(ents);
    json_t *counts;
    GxErr rc = handover_run(&r->c, id, to, list, &counts);
    json_decref(list);
    json_decref(form);
    if (rc)
        return ui_fail(r);
    Page p = {.title = T(r, "Handover"), .nav = "users"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1></div><div class=\"card\"><p>%s</p><ul>", T(r, "Handover done"),
              T(r, "Records moved:"));
    const char *k;
    json_t *v;
    json_object_foreach(counts, k, v)
    {
        const Entity *e = meta_entity(k);
        buf_htmlf(o, "<li>%s: %lld</li>", e ? ui_label(r, &e->label) : k, (long long)json_integer_value(v));
    }
    buf_htmlf(o, "</ul><a class=\"btn\" href=\"/app/users/%lld\">%s</a></div>", (long long)id, T(r, "Back"));
    ui_end(r, &p);
    json_decref(counts);
}

/* ---------- supervision ---------- */

/* The comments of one activity, newest last, and (for managers) a form. */
static void comments_block(Req *r, int64_t act_id, json_t *comments, bool can_comment)
{
    Buf *o = &r->out;
    buf_printf(o, "<div class=\"comments\" id=\"comments-%lld\">", (long long)act_id);
    size_t i;
    json_t *cm;
    json_t *names = ui_names_new();
    json_array_foreach(comments, i, cm) ui_names_want(names, "users", json_integer_value(json_object_get(cm, "owner_id")));
    ui_names_resolve(r, names);
    json_array_foreach(comments, i, cm)
    {
        const char *who = ui_names_get(names, "users", json_integer_value(json_object_get(cm, "owner_id")));
        buf_htmlf(o, "<div class=\"comment\"><b>%s %s</b> <span class=\"muted\">", T(r, "Comment by"), who ? who : "?");
        ui_datetime(r, o, json_string_value(json_object_get(cm, "created_at")));
        buf_htmlf(o, "</span><p>%s</p></div>", json_string_value(json_object_get(cm, "body")));
    }
    json_decref(names);
    if (can_comment) {
        buf_printf(o, "<form class=\"inline-form\" hx-post=\"/team/activities/%lld/comment\" hx-target=\"#comments-%lld\" hx-swap=\"outerHTML\">",
                   (long long)act_id, (long long)act_id);
        buf_htmlf(o, "<input name=\"body\" required maxlength=\"5000\" placeholder=\"%s\" aria-label=\"%s\">"
                     "<button class=\"btn\" type=\"submit\">%s</button></form>",
                  T(r, "Write a comment (批示)…"), T(r, "Comment"), T(r, "Comment"));
    }
    buf_raw(o, "</div>");
}

/* Comments on activity id, which the caller has already read under the
 * user's scope (an empty list if they cannot be read). */
static json_t *activity_comments(Req *r, int64_t id)
{
    json_t *rows;
    if (supervision_comments(&r->c, meta_entity("activities"), id, true, &rows)) {
        ctx_clear(&r->c);
        rows = json_array();
    }
    return rows;
}

static bool may_supervise(Req *r) { return r->c.who && (r->c.who->is_admin || acl_scope(&r->c, meta_entity("activities"), ACT_READ) >= SCOPE_DEPT); }

/* GET /team?user_id=&department_id=&from=&to= — my people's work records. */
void ui_team_page(Req *r)
{
    const Entity *act = meta_entity("activities");
    if (!may_supervise(r)) {
        ctx_fail(&r->c, GX_EDENIED, "Only managers may supervise work records");
        return ui_fail(r);
    }
    const char *uid = http_query(r, "user_id"), *from = http_query(r, "from"), *to = http_query(r, "to");
    json_t *conds = json_array();
    int64_t v, t;
    if (uid && parse_i64(uid, &v) && v > 0)
        json_array_append_new(conds, json_pack("{s:s, s:s, s:I}", "field", "owner_id", "op", "eq", "value", (json_int_t)v));
    if (date_param(r, from, &t))
        json_array_append_new(conds, json_pack("{s:s, s:s, s:s}", "field", "occurred_at", "op", "ge", "value", ui_utc_string(r, t)));
    if (date_param(r, to, &t))
        json_array_append_new(conds, json_pack("{s:s, s:s, s:s}", "field", "occurred_at", "op", "lt", "value",
                                               ui_utc_string(r, t + 86400)));
    json_t *where = json_pack("{s:o}", "and", conds);
    ListQuery lq = {.where = where, .sort = "-occurred_at", .limit = 50, .count = true, .action = ACT_READ};
    json_t *rows;
    int64_t total;
    GxErr rc = record_list(&r->c, act, &lq, &rows, &total);
    json_decref(where);
    if (rc)
        return ui_fail(r);
    Page p = {.title = T(r, "Team work records"), .nav = "team"};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1></div>", T(r, "Team work records"));
    buf_raw(o, "<form class=\"list-tools\" method=\"get\" action=\"/team\">");
    buf_htmlf(o, "<label>%s ", T(r, "Person"));
    user_select(r, "user_id", uid && parse_i64(uid, &v) ? v : 0, true);
    buf_htmlf(o, "</label><label>%s <input type=\"date\" name=\"from\" value=\"%s\"></label>", T(r, "From"), from ? from : "");
    buf_htmlf(o, "<label>%s <input type=\"date\" name=\"to\" value=\"%s\"></label>", T(r, "To"), to ? to : "");
    buf_htmlf(o, "<button class=\"btn\" type=\"submit\">%s</button></form>", T(r, "Filter"));
    buf_htmlf(o, "<p class=\"muted\">%s: %lld</p>", T(r, "Records"), (long long)total);
    Col cols[4];
    int nc = 0;
    static const char *names_[] = {"kind", "parent", "occurred_at", "body"};
    for (int i = 0; i < 4; i++)
        if (ui_col(r, act, names_[i], &cols[nc]))
            nc++;
    json_t *names = ui_names_new();
    ui_names_want_rows(names, act, cols, nc, rows);
    size_t i;
    json_t *rec;
    json_array_foreach(rows, i, rec) ui_names_want(names, "users", json_integer_value(json_object_get(rec, "owner_id")));
    ui_names_resolve(r, names);
    buf_raw(o, "<ul class=\"timeline\">");
    json_array_foreach(rows, i, rec)
    {
        int64_t id = json_integer_value(json_object_get(rec, "id"));
        const char *owner = ui_names_get(names, "users", json_integer_value(json_object_get(rec, "owner_id")));
        buf_htmlf(o, "<li class=\"card\"><div><b>%s</b> · <a href=\"/app/activities/%lld\">%s</a></div><div class=\"muted\">",
                  owner ? owner : "?", (long long)id, ui_title(r, act, rec));
        for (int k = 0; k < nc; k++) {
            if (k)
                buf_raw(o, " · ");
            ui_value(r, o, &cols[k], rec, names);
        }
        buf_raw(o, "</div>");
        json_t *cms = activity_comments(r, id);
        comments_block(r, id, cms, true);
        json_decref(cms);
        buf_raw(o, "</li>");
    }
    buf_raw(o, "</ul>");
    if (!json_array_size(rows))
        buf_htmlf(o, "<div class=\"empty\">%s</div>", T(r, "No work records in this period."));
    json_decref(names);
    json_decref(rows);
    ui_end(r, &p);
}

/* POST /team/activities/{id}/comment (htmx): store the comment, notify the
 * owner, answer the refreshed comments block. */
void ui_team_comment(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    json_t *form = http_form(r);
    const char *body = form ? json_string_value(json_object_get(form, "body")) : NULL;
    json_t *out;
    GxErr rc = supervision_comment(&r->c, id, body, &out);
    json_decref(form);
    if (rc)
        return ui_fail(r);
    json_decref(out);
    ui_html_headers(r);
    json_t *cms = activity_comments(r, id);
    comments_block(r, id, cms, true);
    json_decref(cms);
}

/* GET /app/activities/{id}/comments (htmx fragment for the detail page). */
void ui_activity_comments(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    json_t *rec;
    if (record_get(&r->c, meta_entity("activities"), id, &rec))
        return ui_fail(r);
    json_decref(rec);
    ui_html_headers(r);
    json_t *cms = activity_comments(r, id);
    comments_block(r, id, cms, may_supervise(r));
    json_decref(cms);
}

/* ---------- API tokens (user menu) ---------- */

/* The page body: a form to create a token (its value shown once, right
 * after creation) and the list with revoke buttons. */
static void tokens_page(Req *r, const char *new_token, const char *new_name)
{
    json_t *rows;
    if (auth_token_list(&r->c, r->c.who->user_id, &rows))
        return ui_fail(r);
    Page p = {.title = T(r, "API tokens"), .nav = NULL};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1></div>", T(r, "API tokens"));
    buf_htmlf(o, "<p class=\"muted\">%s</p>",
              T(r, "Scripts and integrations send a token as \"Authorization: Bearer …\"; it acts with your permissions."));
    if (new_token) {
        buf_htmlf(o, "<div class=\"alert\" role=\"status\"><p>%s <b>%s</b></p><p><code class=\"token\">%s</code></p><p>%s</p></div>",
                  T(r, "New token:"), new_name, new_token, T(r, "Copy it now: it is shown only once."));
    }
    buf_raw(o, "<form class=\"list-tools card\" method=\"post\" action=\"/app/tokens\">");
    ui_csrf_field(r);
    buf_htmlf(o, "<label>%s <input name=\"name\" required maxlength=\"100\"></label><button class=\"btn primary\" type=\"submit\">%s</button></form>",
              T(r, "Name"), T(r, "Create token"));
    if (!json_array_size(rows)) {
        buf_htmlf(o, "<div class=\"empty\">%s</div>", T(r, "No tokens yet."));
    } else {
        buf_htmlf(o, "<div class=\"table-wrap\"><table class=\"grid cards-sm\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th></th></tr></thead><tbody>",
                  T(r, "Name"), T(r, "Starts with"), T(r, "Created"), T(r, "Last used"));
        size_t i;
        json_t *t;
        json_array_foreach(rows, i, t)
        {
            const char *revoked = json_string_value(json_object_get(t, "revoked_at"));
            buf_htmlf(o, "<tr><td>%s</td><td><code>%s…</code></td><td>", json_string_value(json_object_get(t, "name")),
                      json_string_value(json_object_get(t, "prefix")));
            ui_datetime(r, o, json_string_value(json_object_get(t, "created_at")));
            buf_raw(o, "</td><td>");
            if (json_string_value(json_object_get(t, "last_used_at")))
                ui_relative(r, o, json_string_value(json_object_get(t, "last_used_at")));
            buf_raw(o, "</td><td>");
            if (revoked) {
                buf_htmlf(o, "<span class=\"tag\">%s</span>", T(r, "Revoked"));
            } else {
                buf_printf(o, "<form method=\"post\" action=\"/app/tokens/%lld/revoke\">",
                           (long long)json_integer_value(json_object_get(t, "id")));
                ui_csrf_field(r);
                buf_htmlf(o, "<button class=\"btn\" type=\"submit\">%s</button></form>", T(r, "Revoke"));
            }
            buf_raw(o, "</td></tr>");
        }
        buf_raw(o, "</tbody></table></div>");
    }
    json_decref(rows);
    ui_end(r, &p);
}

/* GET /app/tokens */
void ui_tokens(Req *r) { tokens_page(r, NULL, NULL); }

/* POST /app/tokens name=… : create, then show the value once. */
void ui_tokens_create(Req *r)
{
    json_t *form = http_form(r);
    const char *name = form ? json_string_value(json_object_get(form, "name")) : NULL;
    if (!name || !*name || utf8_len(name) > 100) {
        json_decref(form);
        ctx_field(&r->c, "name", "is required (at most 100 characters)");
        return ui_fail(r);
    }
    char *token;
    int64_t id;
    name = arena_strdup(&r->arena, name);
    json_decref(form);
    if (auth_token_create(&r->c, r->c.who->user_id, name, &token, &id))
        return ui_fail(r);
    json_t *d = json_pack("{s:s}", "name", name);
    audit_write(&r->c, "token_create", "users", r->c.who->user_id, d);
    json_decref(d);
    tokens_page(r, token, name);
}

/* POST /app/tokens/{id}/revoke */
void ui_tokens_revoke(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    if (auth_token_revoke(&r->c, r->c.who->user_id, id, false))
        return ui_fail(r);
    audit_write(&r->c, "token_revoke", "users", r->c.who->user_id, NULL);
    ui_flash(r, "saved");
    ui_redirect(r, "/app/tokens");
}

#define H ROUTE_HTML
#define M (ROUTE_HTML | ROUTE_MUTATES)

const Route admin_routes[] = {
    {"GET", "/admin/roles/{id}/matrix", ui_role_matrix, H, NULL},
    {"POST", "/admin/roles/{id}/matrix", ui_role_matrix_post, M, NULL},
    {"GET", "/admin/audit", ui_audit_page, H, NULL},
    {"GET", "/admin/users/{id}/handover", ui_handover_page, H, NULL},
    {"POST", "/admin/users/{id}/handover", ui_handover_post, M, NULL},
    {"GET", "/team", ui_team_page, H, NULL},
    {"POST", "/team/activities/{id}/comment", ui_team_comment, M, NULL},
    {"GET", "/app/activities/{id}/comments", ui_activity_comments, H, NULL},
    {"GET", "/app/tokens", ui_tokens, H, NULL},
    {"POST", "/app/tokens", ui_tokens_create, M, NULL},
    {"POST", "/app/tokens/{id}/revoke", ui_tokens_revoke, M, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
