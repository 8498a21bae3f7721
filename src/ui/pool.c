/* pool.c — the customer pool (公海) pages: /pool lists the customers of the
 * pools the user belongs to with a claim button (htmx, the row is replaced by
 * the outcome) and, for pool administrators, an assign form; the customer
 * page gets lock/unlock and "release to pool" actions. Pool settings are the
 * generic pages of the `pools` entity (/app/pools, administrators). */
#include <string.h>

#include "../base/util.h"
#include "../modules/pool.h"
#include "ui.h"

/* Panel names of the pool fields in schema/pools.json and customers.json
 * (detail and form pages translate panel names). */
static const char *const panel_names[]
    __attribute__((unused)) = {N_("Pool"), N_("Recycle rules"), N_("Claim limits"), N_("Customer pool")};

/* The message for a failed pool action, in the user's language. */
static const char *pool_error(Req *r)
{
    const char *code = r->c.err_code ? r->c.err_code : "";
    if (!strcmp(code, "claim_limit"))
        return T(r, "You have reached today's claim limit.");
    if (!strcmp(code, "hold_cap"))
        return T(r, "You hold as many customers as this pool allows.");
    if (!strcmp(code, "reclaim_wait"))
        return T(r, "You released this customer recently; a former owner must wait before claiming it again.");
    if (!strcmp(code, "lock_quota"))
        return T(r, "You have locked as many customers as allowed.");
    if (r->c.err == GX_ENOTFOUND)
        return T(r, "This customer is no longer in the pool.");
    if (r->c.err == GX_ECONFLICT)
        return T(r, "Someone else has just taken this customer.");
    if (r->c.err_fields) {
        const char *k;
        json_t *v;
        json_object_foreach(r->c.err_fields, k, v) return arena_printf(&r->arena, "%s: %s", k,
                                                                       ui_engine_msg(r, json_string_value(v)));
    }
    return ui_engine_msg(r, r->c.err_msg ? r->c.err_msg : T(r, "Something went wrong"));
}

/* The member list of a pool as <option>s for the assign form. */
static void member_options(Req *r, int64_t pool_id)
{
    json_t *users = NULL;
    if (pool_members(&r->c, pool_id, &users)) {
        ctx_clear(&r->c);
        return;
    }
    size_t i;
    json_t *u;
    json_array_foreach(users, i, u) buf_htmlf(&r->out, "<option value=\"%lld\">%s</option>",
                                              (long long)json_integer_value(json_object_get(u, "id")),
                                              json_string_value(json_object_get(u, "name")));
    json_decref(users);
}

#define POOL_COLS 7

static void pool_row(Req *r, const Entity *e, json_t *rec, json_t *names, const Col *cols, int ncols, bool admin,
                     int64_t pool_id)
{
    Buf *o = &r->out;
    long long id = (long long)json_integer_value(json_object_get(rec, "id"));
    buf_htmlf(o, "<tr id=\"pool-row-%lld\">", id);
    for (int k = 0; k < ncols; k++) {
        buf_htmlf(o, "<td data-label=\"%s\">", ui_col_label(r, &cols[k]));
        if (k == 0)
            buf_htmlf(o, "<a class=\"title-link\" href=\"/app/customers/%lld\">%s</a>", id, ui_title(r, e, rec));
        else
            ui_value(r, o, &cols[k], rec, names);
        buf_raw(o, "</td>");
    }
    buf_htmlf(
        o,
        "<td class=\"row-actions\"><button type=\"button\" class=\"btn primary small\" hx-post=\"/pool/%lld/claim\""
        " hx-target=\"#pool-row-%lld\" hx-swap=\"outerHTML\">%s</button>",
        id, id, T(r, "Claim"));
    if (admin) {
        buf_htmlf(
            o,
            "<form class=\"inline-form\" hx-post=\"/pool/%lld/assign\" hx-target=\"#pool-row-%lld\" "
            "hx-swap=\"outerHTML\"><select name=\"owner_id\" aria-label=\"%s\" required><option value=\"\">%s</option>",
            id, id, T(r, "Assign to"), T(r, "Assign to…"));
        member_options(r, pool_id);
        buf_htmlf(o, "</select><button type=\"submit\" class=\"btn small\">%s</button></form>", T(r, "Assign"));
    }
    buf_raw(o, "</td></tr>");
}

/* GET /pool[?pool=ID&offset=N] */
void ui_pool_page(Req *r)
{
    Page p = {.title = T(r, "Customer pool"), .nav = "customer_pool"};
    const Entity *e = meta_entity("customers");
    json_t *pools = NULL;
    if (pool_mine(&r->c, &pools))
        return ui_fail(r);
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<div class=\"page-head\"><h1>%s</h1>", T(r, "Customer pool"));
    if (acl_is_admin(&r->c))
        buf_htmlf(o, "<a class=\"btn\" href=\"/app/pools\">%s</a>", T(r, "Pool settings"));
    buf_raw(o, "</div>");
    if (!json_array_size(pools)) {
        buf_htmlf(o, "<section class=\"card\"><p class=\"muted\">%s</p></section>",
                  T(r, "You are not a member of any customer pool."));
        json_decref(pools);
        ui_end(r, &p);
        return;
    }
    int64_t want = 0, offset = 0;
    const char *qp = http_query(r, "pool"), *qo = http_query(r, "offset");
    if (qp)
        parse_i64(qp, &want);
    if (qo && (!parse_i64(qo, &offset) || offset < 0))
        offset = 0;
    json_t *cur = json_array_get(pools, 0);
    size_t i;
    json_t *pl;
    json_array_foreach(pools, i, pl) if (json_integer_value(json_object_get(pl, "id")) == want) cur = pl;
    int64_t pool_id = json_integer_value(json_object_get(cur, "id"));
    bool admin = json_is_true(json_object_get(cur, "admin"));
    buf_htmlf(o, "<nav class=\"scenes\" aria-label=\"%s\">", T(r, "Pools"));
    json_array_foreach(pools, i, pl)
    {
        int64_t pid = json_integer_value(json_object_get(pl, "id"));
        buf_htmlf(o, "<a href=\"/pool?pool=%lld\"%s>%s <span class=\"badge muted\">%lld</span></a>", (long long)pid,
                  pid == pool_id ? " class=\"on\" aria-current=\"page\"" : "",
                  json_string_value(json_object_get(pl, "name")),
                  (long long)json_integer_value(json_object_get(pl, "count")));
    }
    buf_raw(o, "</nav>");
    /* The pool's limits, so a rep knows before clicking. */
    buf_raw(o, "<p class=\"muted pool-limits\">");
    int64_t lim = json_integer_value(json_object_get(cur, "claim_daily_limit"));
    int64_t cap = json_integer_value(json_object_get(cur, "hold_cap"));
    int64_t wait = json_integer_value(json_object_get(cur, "reclaim_wait_days"));
    buf_html(o, lim ? arena_printf(&r->arena, T(r, "Claim up to %lld a day"), (long long)lim)
                    : T(r, "No daily claim limit"));
    buf_raw(o, " · ");
    buf_html(o, cap ? arena_printf(&r->arena, T(r, "hold at most %lld customers"), (long long)cap)
                    : T(r, "no cap on customers held"));
    if (wait) {
        buf_raw(o, " · ");
        buf_html(o, arena_printf(&r->arena, T(r, "a former owner may reclaim after %lld days"), (long long)wait));
    }
    buf_raw(o, "</p>");

    static const char *const names_[] = {"name",           "level",           "industry_id", "released_at",
                                         "release_reason", "former_owner_id", "phone"};
    Col cols[POOL_COLS];
    int ncols = 0;
    for (int k = 0; k < POOL_COLS; k++)
        if (ui_col(r, e, names_[k], &cols[ncols]))
            ncols++;
    json_t *where = json_pack("{s:[{s:s, s:s, s:I}, {s:s, s:s, s:b}]}", "and", "field", "pool_id", "op", "eq", "value",
                              (json_int_t)pool_id, "field", "owner_id", "op", "null", "value", 1);
    ListQuery lq = {.where = where, .sort = "-updated_at", .limit = 51, .offset = offset, .action = ACT_READ};
    json_t *rows = NULL;
    if (record_list(&r->c, e, &lq, &rows, NULL)) {
        buf_htmlf(o, "<div class=\"alert error\" role=\"alert\">%s</div>", ui_engine_msg(r, r->c.err_msg));
        ctx_clear(&r->c);
        rows = json_array();
    }
    json_decref(where);
    if (!json_array_size(rows)) {
        buf_htmlf(o, "<section class=\"card empty\"><p>%s</p></section>",
                  T(r, "The pool is empty: no customer to claim."));
    } else {
        json_t *names = ui_names_new();
        ui_names_want_rows(names, e, cols, ncols, rows);
        ui_names_resolve(r, names);
        buf_raw(o, "<div class=\"table-wrap\"><table class=\"grid cards-sm pool-table\"><thead><tr>");
        for (int k = 0; k < ncols; k++)
            buf_htmlf(o, "<th>%s</th>", ui_col_label(r, &cols[k]));
        buf_htmlf(o, "<th>%s</th></tr></thead><tbody>", T(r, "Actions"));
        json_t *rec;
        json_array_foreach(rows, i, rec) if (i < 50) pool_row(r, e, rec, names, cols, ncols, admin, pool_id);
        buf_raw(o, "</tbody></table></div>");
        if (json_array_size(rows) > 50 || offset > 0) {
            buf_raw(o, "<nav class=\"pager\">");
            if (offset > 0)
                buf_htmlf(o, "<a class=\"btn\" href=\"/pool?pool=%lld&amp;offset=%lld\">%s</a>", (long long)pool_id,
                          (long long)(offset > 50 ? offset - 50 : 0), T(r, "Previous"));
            if (json_array_size(rows) > 50)
                buf_htmlf(o, "<a class=\"btn\" href=\"/pool?pool=%lld&amp;offset=%lld\">%s</a>", (long long)pool_id,
                          (long long)(offset + 50), T(r, "Next"));
            buf_raw(o, "</nav>");
        }
        json_decref(names);
    }
    json_decref(rows);
    json_decref(pools);
    ui_end(r, &p);
}

/* The row that replaces a pool row after an action (htmx), or a redirect. */
static void row_outcome(Req *r, int64_t id, GxErr rc, json_t *out, const char *done)
{
    if (!ui_htmx(r)) {
        if (rc)
            return ui_fail(r);
        ui_flash(r, "saved");
        return ui_redirect(r, arena_printf(&r->arena, "/app/customers/%lld", (long long)id));
    }
    ui_html_headers(r);
    buf_clear(&r->out);
    if (rc) {
        buf_htmlf(&r->out,
                  "<tr id=\"pool-row-%lld\" class=\"pool-error\"><td colspan=\"8\"><span class=\"alert error\" "
                  "role=\"alert\">%s</span></td></tr>",
                  (long long)id, pool_error(r));
        ctx_clear(&r->c);
        return;
    }
    buf_htmlf(&r->out,
              "<tr id=\"pool-row-%lld\" class=\"pool-done\"><td colspan=\"8\"><span role=\"status\">%s</span> "
              "<a href=\"/app/customers/%lld\">%s</a></td></tr>",
              (long long)id, done, (long long)id, json_string_value(json_object_get(out, "name")));
}

/* POST /pool/{id}/claim */
void ui_pool_claim(Req *r)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    json_t *out = NULL;
    GxErr rc = pool_claim(&r->c, id, &out);
    row_outcome(r, id, rc, out, T(r, "Claimed — it is yours now:"));
    json_decref(out);
}

/* POST /pool/{id}/assign (owner_id) */
void ui_pool_assign(Req *r)
{
    int64_t id, owner = 0;
    if (!ui_id(r, &id))
        return;
    json_t *form = http_form(r);
    const char *v = json_string_value(json_object_get(form, "owner_id"));
    if (!v || !parse_i64(v, &owner))
        owner = 0;
    json_decref(form);
    json_t *out = NULL;
    GxErr rc = pool_assign(&r->c, id, owner, &out);
    row_outcome(r, id, rc, out, T(r, "Assigned:"));
    json_decref(out);
}

/* POST /pool/{id}/release (reason), /pool/{id}/lock, /pool/{id}/unlock — from the customer page. */
static void record_action(Req *r, const char *what)
{
    int64_t id;
    if (!ui_id(r, &id))
        return;
    json_t *form = http_form(r), *out = NULL;
    GxErr rc;
    if (!strcmp(what, "release"))
        rc = pool_release(&r->c, id, 0, json_string_value(json_object_get(form, "reason")), &out);
    else
        rc = pool_lock(&r->c, id, !strcmp(what, "lock"), &out);
    json_decref(form);
    json_decref(out);
    if (rc) {
        if (ui_htmx(r) || r->c.err == GX_ENOTFOUND)
            return ui_fail(r);
        ctx_fail(&r->c, r->c.err, "%s", pool_error(r));
        return ui_fail(r);
    }
    ui_flash(r, !strcmp(what, "release") ? "pool_released" : "saved");
    ui_redirect(r, !strcmp(what, "release") ? "/app/customers"
                                            : arena_printf(&r->arena, "/app/customers/%lld", (long long)id));
}

void ui_pool_release(Req *r)
{
    record_action(r, "release");
}
void ui_pool_lock(Req *r)
{
    record_action(r, "lock");
}
void ui_pool_unlock(Req *r)
{
    record_action(r, "unlock");
}

void ui_pool_record_actions(Req *r, json_t *rec, bool can_edit)
{
    Buf *o = &r->out;
    long long id = (long long)json_integer_value(json_object_get(rec, "id"));
    if (!meta_field(meta_entity("customers"), "locked"))
        return;
    if (json_is_null(json_object_get(rec, "owner_id")) && !json_is_null(json_object_get(rec, "pool_id"))) {
        buf_htmlf(o, "<form method=\"post\" action=\"/pool/%lld/claim\">", id);
        ui_csrf_field(r);
        buf_htmlf(o, "<button class=\"btn primary\" type=\"submit\">%s</button></form>", T(r, "Claim"));
        return;
    }
    if (!can_edit)
        return;
    bool locked = json_is_true(json_object_get(rec, "locked"));
    buf_htmlf(o, "<form method=\"post\" action=\"/pool/%lld/%s\">", id, locked ? "unlock" : "lock");
    ui_csrf_field(r);
    buf_htmlf(o, "<button class=\"btn\" type=\"submit\" aria-pressed=\"%s\">%s</button></form>",
              locked ? "true" : "false", locked ? T(r, "Unlock") : T(r, "Lock"));
    if (!locked) {
        buf_htmlf(o,
                  "<details class=\"menu\"><summary class=\"btn\">%s</summary><form method=\"post\" "
                  "action=\"/pool/%lld/release\" class=\"menu-list pad stack\">",
                  T(r, "Release to pool"), id);
        ui_csrf_field(r);
        buf_htmlf(o,
                  "<label>%s<input name=\"reason\" required maxlength=\"500\"></label>"
                  "<button class=\"btn primary\" type=\"submit\">%s</button></form></details>",
                  T(r, "Reason"), T(r, "Release to pool"));
    }
}
