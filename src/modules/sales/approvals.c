/* approvals.c — generic approval requests (审批); see approvals.h.
 *
 * Rows are written here with SQL (every field is read-only through the
 * record engine), each write audited. Notifications are rows of the
 * `notifications` entity (kind "approval", related to the request), as
 * supervision.c writes them. */
#include "approvals.h"

#include <string.h>

#include "../../acl/acl.h"
#include "../../base/log.h"
#include "../../base/util.h"
#include "../../record/record.h"

#define APPROVAL_KINDS_MAX 8
#define COMMENT_MAX_CHARS 2000

static struct {
    const char *kind;
    ApprovalDecidedFn fn;
} reactions[APPROVAL_KINDS_MAX];
static int nreactions;

void approvals_on_decide(const char *kind, ApprovalDecidedFn fn)
{
    if (nreactions >= APPROVAL_KINDS_MAX)
        gx_die("approvals_on_decide: too many kinds");
    reactions[nreactions].kind = kind;
    reactions[nreactions].fn = fn;
    nreactions++;
}

static ApprovalDecidedFn reaction_of(const char *kind)
{
    for (int i = 0; i < nreactions; i++)
        if (!strcmp(reactions[i].kind, kind))
            return reactions[i].fn;
    return NULL;
}

static const char *msg(const Ctx *c, const char *zh, const char *en)
{
    return c->lang && !strcmp(c->lang, "en") ? en : zh;
}

static const char *text_or_null(Ctx *c, DbRes *r, int col)
{
    return db_isnull(r, col) ? NULL : arena_strdup(c->arena, db_text(r, col));
}

static int64_t int_or_zero(DbRes *r, int col) { return db_isnull(r, col) ? 0 : db_int(r, col); }

#define APPROVAL_COLS                                                                                                  \
    "id, kind, target_type, target_id, reason, amount, status, requested_by, approver_id, decided_by, decided_at,"   \
    " comment, owner_id, department_id, created_at"

static void approval_read_row(Ctx *c, DbRes *r, Approval *a)
{
    memset(a, 0, sizeof *a);
    a->id = db_int(r, 0);
    a->kind = text_or_null(c, r, 1);
    a->target_type = text_or_null(c, r, 2);
    a->target_id = int_or_zero(r, 3);
    a->reason = text_or_null(c, r, 4);
    a->has_amount = !db_isnull(r, 5);
    a->amount = int_or_zero(r, 5);
    a->status = text_or_null(c, r, 6);
    a->requested_by = int_or_zero(r, 7);
    a->approver_id = int_or_zero(r, 8);
    a->decided_by = int_or_zero(r, 9);
    a->decided_at = text_or_null(c, r, 10);
    a->comment = text_or_null(c, r, 11);
    a->owner_id = int_or_zero(r, 12);
    a->department_id = int_or_zero(r, 13);
    a->created_at = text_or_null(c, r, 14);
    if (!a->kind)
        a->kind = "other";
    if (!a->status)
        a->status = "pending";
}

GxErr approval_load(Ctx *c, int64_t id, Approval *out)
{
    DbVal p[] = {dbv_int(id)};
    DbRes *r;
    const char *sql = db_dialect(c->db) == DB_PG && db_in_tx(c->db)
                          ? "SELECT " APPROVAL_COLS " FROM approvals WHERE id = $1 AND deleted_at IS NULL FOR UPDATE"
                          : "SELECT " APPROVAL_COLS " FROM approvals WHERE id = $1 AND deleted_at IS NULL";
    if (db_query(c->db, sql, p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the approval");
    int s = db_next(r);
    if (s == 1)
        approval_read_row(c, r, out);
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read the approval");
    if (s == 0)
        return ctx_fail(c, GX_ENOTFOUND, "No such approval request");
    return GX_OK;
}

GxErr approval_latest(Ctx *c, const char *kind, const char *target_type, int64_t target_id, Approval *out, bool *found)
{
    *found = false;
    DbVal p[] = {dbv_text(target_type), dbv_int(target_id), dbv_text(kind)};
    DbRes *r;
    const char *sql = kind ? "SELECT " APPROVAL_COLS " FROM approvals WHERE target_type = $1 AND target_id = $2"
                             " AND kind = $3 AND deleted_at IS NULL ORDER BY id DESC LIMIT 1"
                           : "SELECT " APPROVAL_COLS " FROM approvals WHERE target_type = $1 AND target_id = $2"
                             " AND deleted_at IS NULL ORDER BY id DESC LIMIT 1";
    if (db_query(c->db, sql, p, kind ? 3 : 2, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read approvals");
    int s = db_next(r);
    if (s == 1) {
        approval_read_row(c, r, out);
        *found = true;
    }
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot read approvals");
    return GX_OK;
}

bool approval_may_decide(const Ctx *c, const Approval *a)
{
    if (!c->who || c->who->is_admin)
        return true;
    return a->approver_id && a->approver_id == c->who->user_id;
}

/* The approver of a request by `requester` in department `dept`: the
 * nearest manager up the department tree who is active and not the
 * requester; 0 when there is none (administrators decide). */
static GxErr find_approver(Ctx *c, int64_t requester, int64_t dept, int64_t *approver)
{
    *approver = 0;
    for (int depth = 0; dept && depth < 32; depth++) {
        DbVal p[] = {dbv_int(dept)};
        DbRes *r;
        if (db_query(c->db,
                     "SELECT d.manager_id, d.parent_id, u.active FROM departments d LEFT JOIN users u ON u.id ="
                     " d.manager_id AND u.deleted_at IS NULL WHERE d.id = $1 AND d.deleted_at IS NULL",
                     p, 1, &r) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read departments");
        int s = db_next(r);
        int64_t manager = 0, parent = 0;
        bool active = false;
        if (s == 1) {
            manager = int_or_zero(r, 0);
            parent = int_or_zero(r, 1);
            active = !db_isnull(r, 2) && db_int(r, 2);
        }
        db_done(r);
        if (s < 0)
            return ctx_fail(c, GX_EDB, "cannot read departments");
        if (manager && active && manager != requester) {
            *approver = manager;
            return GX_OK;
        }
        dept = parent;
    }
    return GX_OK;
}

/* A notification for user `to` about request `id`. */
static GxErr notify(Ctx *c, int64_t to, int64_t id, const char *title, const char *body)
{
    int64_t dept = 0;
    bool found = false;
    DbVal u[] = {dbv_int(to)};
    if (db_query_int(c->db, "SELECT department_id FROM users WHERE id = $1", u, 1, &dept, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the user");
    const char *now = record_now(c);
    DbVal q[] = {dbv_int(to),      dept ? dbv_int(dept) : dbv_null(), dbv_text(now),
                 c->who ? dbv_int(c->who->user_id) : dbv_null(), dbv_text(title), dbv_text(body), dbv_int(id)};
    if (db_exec(c->db,
                "INSERT INTO notifications(owner_id, department_id, created_at, created_by, updated_at, updated_by, version,"
                " title, body, kind, related_type, related_id, read) VALUES ($1, $2, $3, $4, $3, $4, 1, $5, $6, 'approval',"
                " 'approvals', $7, 0)",
                q, 7) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot write the notification");
    return GX_OK;
}

/* Notify the approver, or every active administrator when there is none. */
static GxErr notify_approvers(Ctx *c, int64_t approver, int64_t id, const char *title, const char *body)
{
    if (approver)
        return notify(c, approver, id, title, body);
    DbRes *r;
    if (db_query(c->db,
                 "SELECT DISTINCT u.id FROM users u JOIN users_role_ids ur ON ur.record_id = u.id JOIN roles ro ON ro.id ="
                 " ur.target_id WHERE ro.is_admin = 1 AND ro.deleted_at IS NULL AND u.active = 1 AND u.deleted_at IS NULL"
                 " ORDER BY u.id LIMIT 50",
                 NULL, 0, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the administrators");
    int64_t ids[50];
    int n = 0;
    while (n < 50 && db_next(r) == 1)
        ids[n++] = db_int(r, 0);
    db_done(r);
    for (int i = 0; i < n; i++) {
        if (c->who && ids[i] == c->who->user_id)
            continue;
        GxErr rc = notify(c, ids[i], id, title, body);
        if (rc)
            return rc;
    }
    return GX_OK;
}

/* The display name of record (entity, id), or "#id". Arena string. */
static const char *record_title(Ctx *c, const char *entity, int64_t id)
{
    const Entity *e = entity ? meta_entity(entity) : NULL;
    const char *fallback = arena_printf(c->arena, "#%lld", (long long)id);
    if (!e || !e->title_field || !meta_field(e, e->title_field))
        return fallback;
    const char *sql = arena_printf(c->arena, "SELECT %s FROM %s WHERE id = $1", e->title_field, e->table); /* sql-ok: title field and table from metadata */
    DbVal p[] = {dbv_int(id)};
    char *t = NULL;
    if (db_query_text(c->db, c->arena, sql, p, 1, &t) != DB_OK || !t || !*t)
        return fallback;
    return t;
}

static const char *kind_label(const Ctx *c, const char *kind)
{
    const Field *f = meta_field(meta_entity("approvals"), "kind");
    const EnumOption *o = f ? meta_option(f, kind) : NULL;
    return o ? meta_label(&o->label, c->lang ? c->lang : "zh") : kind;
}

static const char *user_name(Ctx *c, int64_t id)
{
    char *t = NULL;
    DbVal p[] = {dbv_int(id)};
    if (!id || db_query_text(c->db, c->arena, "SELECT name FROM users WHERE id = $1", p, 1, &t) != DB_OK || !t)
        return "?";
    return t;
}

GxErr approval_request(Ctx *c, const char *kind, const char *target_type, int64_t target_id, int64_t amount,
                       bool has_amount, const char *reason, int64_t *id, bool *created)
{
    *id = 0;
    *created = false;
    if (!meta_option(meta_field(meta_entity("approvals"), "kind"), kind))
        return ctx_fail(c, GX_EINTERNAL, "unknown approval kind '%s'", kind);
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    GxErr rc = GX_OK;
    const char *now = record_now(c);
    int64_t me = c->who ? c->who->user_id : 0;
    /* A pending request for the same record and kind is reused. */
    int64_t existing = 0;
    bool found = false;
    DbVal p[] = {dbv_text(target_type), dbv_int(target_id), dbv_text(kind)};
    if (db_query_int(c->db,
                     "SELECT id FROM approvals WHERE target_type = $1 AND target_id = $2 AND kind = $3 AND status ="
                     " 'pending' AND deleted_at IS NULL ORDER BY id DESC LIMIT 1",
                     p, 3, &existing, &found) != DB_OK) {
        rc = ctx_fail(c, GX_EDB, "cannot read approvals");
        goto out;
    }
    if (found) {
        DbVal u[] = {has_amount ? dbv_int(amount) : dbv_null(), dbv_text(reason), dbv_text(now),
                     me ? dbv_int(me) : dbv_null(), dbv_int(existing)};
        if (db_exec(c->db,
                    "UPDATE approvals SET amount = $1, reason = $2, updated_at = $3, updated_by = $4, version = version + 1"
                    " WHERE id = $5",
                    u, 5) != DB_OK) {
            rc = ctx_fail(c, GX_EDB, "cannot update the approval request");
            goto out;
        }
        *id = existing;
        goto out;
    }
    int64_t dept = c->who ? c->who->department_id : 0;
    int64_t approver = 0;
    if ((rc = find_approver(c, me, dept, &approver)))
        goto out;
    DbVal q[] = {me ? dbv_int(me) : dbv_null(),
                 dept ? dbv_int(dept) : dbv_null(),
                 dbv_text(now),
                 dbv_text(target_type),
                 dbv_int(target_id),
                 dbv_text(kind),
                 dbv_text(reason),
                 has_amount ? dbv_int(amount) : dbv_null(),
                 approver ? dbv_int(approver) : dbv_null()};
    DbRes *r;
    if (db_query(c->db,
                 "INSERT INTO approvals(owner_id, department_id, created_at, created_by, updated_at, updated_by, version,"
                 " target_type, target_id, kind, reason, amount, status, requested_by, approver_id)"
                 " VALUES ($1, $2, $3, $1, $3, $1, 1, $4, $5, $6, $7, $8, 'pending', $1, $9) RETURNING id",
                 q, 9, &r) != DB_OK) {
        rc = ctx_fail(c, GX_EDB, "cannot store the approval request");
        goto out;
    }
    int s = db_next(r);
    if (s == 1)
        *id = db_int(r, 0);
    db_done(r);
    if (s != 1) {
        rc = ctx_fail(c, GX_EDB, "cannot store the approval request");
        goto out;
    }
    *created = true;
    json_t *diff = json_pack("{s:[n, s], s:[n, s], s:[n, s], s:[n, I]}", "status", "pending", "kind", kind, "target_type",
                             target_type, "target_id", (json_int_t)target_id);
    rc = audit_write(c, "create", "approvals", *id, diff);
    json_decref(diff);
    if (rc)
        goto out;
    const char *who = c->who ? c->who->name : msg(c, "系统", "The system");
    const char *what = record_title(c, target_type, target_id);
    const char *title = arena_printf(c->arena, "%s %s: %s %s", who, "申请审批", kind_label(c, kind), what);
    rc = notify_approvers(c, approver, *id, title, reason ? reason : "");
out:
    if (rc) {
        db_rollback(c->db);
        *id = 0;
        *created = false;
        return rc;
    }
    if (db_commit(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot store the approval request");
    return GX_OK;
}

/* May the user see request a at all? (read scope, or it is theirs to decide) */
static bool approval_visible(const Ctx *c, const Approval *a)
{
    if (approval_may_decide(c, a))
        return true;
    if (c->who && a->requested_by == c->who->user_id)
        return true;
    return acl_row_in_scope(c, meta_entity("approvals"), ACT_READ, a->owner_id, a->department_id);
}

/* The request as JSON through the record engine (elevated: its visibility
 * was checked by the caller). */
static GxErr approval_json(Ctx *c, int64_t id, json_t **out)
{
    Ctx w = *c;
    w.elevated = true;
    GxErr rc = record_get(&w, meta_entity("approvals"), id, out);
    if (rc) {
        c->err = w.err;
        c->err_code = w.err_code;
        c->err_msg = w.err_msg;
        c->err_fields = w.err_fields;
    }
    return rc;
}

GxErr approval_decide(Ctx *c, int64_t id, bool approve, const char *comment, json_t **out)
{
    if (out)
        *out = NULL;
    if (comment && utf8_len(comment) > COMMENT_MAX_CHARS) {
        ctx_field(c, "comment", "is longer than %d characters", COMMENT_MAX_CHARS);
        return c->err;
    }
    if (comment && !*comment)
        comment = NULL;
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    Approval a;
    GxErr rc = approval_load(c, id, &a);
    if (rc)
        goto out;
    if (!approval_visible(c, &a)) {
        rc = ctx_fail(c, GX_ENOTFOUND, "No such approval request");
        goto out;
    }
    if (!approval_may_decide(c, &a)) {
        rc = ctx_fail(c, GX_EDENIED, "%s",
                      a.approver_id ? arena_printf(c->arena,
                                                   msg(c, "只有审批人(%s)或系统管理员可以审批", "Only the approver (%s) or an administrator may decide"),
                                                   user_name(c, a.approver_id))
                                    : msg(c, "只有系统管理员可以审批", "Only an administrator may decide"));
        goto out;
    }
    if (strcmp(a.status, "pending")) {
        const Field *sf = meta_field(meta_entity("approvals"), "status");
        const EnumOption *o = meta_option(sf, a.status);
        rc = ctx_fail(c, GX_ECONFLICT, msg(c, "该审批已处理(%s)", "This request was already decided (%s)"),
                      o ? meta_label(&o->label, c->lang ? c->lang : "zh") : a.status);
        c->err_code = "already_decided";
        goto out;
    }
    const char *now = record_now(c);
    const char *status = approve ? "approved" : "rejected";
    int64_t me = c->who ? c->who->user_id : 0;
    DbVal u[] = {dbv_text(status), dbv_text(comment), dbv_text(now), me ? dbv_int(me) : dbv_null(), dbv_int(id)};
    if (db_exec(c->db,
                "UPDATE approvals SET status = $1, comment = $2, decided_at = $3, decided_by = $4, updated_at = $3,"
                " updated_by = $4, version = version + 1 WHERE id = $5 AND status = 'pending'",
                u, 5) != DB_OK) {
        rc = ctx_fail(c, GX_EDB, "cannot store the decision");
        goto out;
    }
    if (db_changes(c->db) != 1) {
        rc = ctx_fail(c, GX_ECONFLICT, "%s", msg(c, "该审批已处理", "This request was already decided"));
        c->err_code = "already_decided";
        goto out;
    }
    json_t *diff = json_pack("{s:[s, s], s:[n, s*]}", "status", "pending", status, "comment", comment);
    rc = audit_write(c, "update", "approvals", id, diff);
    json_decref(diff);
    if (rc)
        goto out;
    a.status = status;
    a.comment = comment;
    a.decided_at = now;
    a.decided_by = me;
    ApprovalDecidedFn fn = reaction_of(a.kind);
    if (fn) {
        Ctx w = *c;
        w.elevated = true;
        rc = fn(&w, &a);
        if (rc) {
            c->err = w.err;
            c->err_code = w.err_code;
            c->err_msg = w.err_msg;
            c->err_fields = w.err_fields;
            goto out;
        }
    }
    if (a.requested_by && a.requested_by != me) {
        const char *what = record_title(c, a.target_type, a.target_id);
        const char *title =
            arena_printf(c->arena, "%s %s: %s %s", c->who ? c->who->name : "系统", approve ? "批准了" : "驳回了",
                         kind_label(c, a.kind), what);
        if ((rc = notify(c, a.requested_by, id, title, comment ? comment : "")))
            goto out;
    }
out:
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    if (db_commit(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot store the decision");
    if (out)
        return approval_json(c, id, out);
    return GX_OK;
}

GxErr approval_cancel(Ctx *c, int64_t id)
{
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    Approval a;
    GxErr rc = approval_load(c, id, &a);
    if (rc)
        goto out;
    if (!approval_visible(c, &a)) {
        rc = ctx_fail(c, GX_ENOTFOUND, "No such approval request");
        goto out;
    }
    if (c->who && !c->who->is_admin && !c->elevated && a.requested_by != c->who->user_id) {
        rc = ctx_fail(c, GX_EDENIED, "%s",
                      msg(c, "只有申请人或系统管理员可以撤销", "Only the requester or an administrator may withdraw it"));
        goto out;
    }
    if (strcmp(a.status, "pending")) {
        rc = ctx_fail(c, GX_ECONFLICT, "%s", msg(c, "该审批已处理", "This request was already decided"));
        c->err_code = "already_decided";
        goto out;
    }
    const char *now = record_now(c);
    int64_t me = c->who ? c->who->user_id : 0;
    DbVal u[] = {dbv_text(now), me ? dbv_int(me) : dbv_null(), dbv_int(id)};
    if (db_exec(c->db,
                "UPDATE approvals SET status = 'cancelled', decided_at = $1, decided_by = $2, updated_at = $1,"
                " updated_by = $2, version = version + 1 WHERE id = $3 AND status = 'pending'",
                u, 3) != DB_OK) {
        rc = ctx_fail(c, GX_EDB, "cannot withdraw the request");
        goto out;
    }
    json_t *diff = json_pack("{s:[s, s]}", "status", "pending", "cancelled");
    rc = audit_write(c, "update", "approvals", id, diff);
    json_decref(diff);
out:
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    if (db_commit(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot withdraw the request");
    return GX_OK;
}

/* Rows of an approvals query as JSON objects with the requester's and the
 * approver's names (and, with titles, the target record's title). */
static GxErr rows_json(Ctx *c, const char *sql, const DbVal *p, int n, bool titles, json_t **rows)
{
    *rows = json_array();
    DbRes *r;
    if (db_query(c->db, sql, p, n, &r) != DB_OK) {
        json_decref(*rows);
        *rows = NULL;
        return ctx_fail(c, GX_EDB, "cannot read approvals");
    }
    Approval list[200];
    int count = 0;
    while (count < 200 && db_next(r) == 1)
        approval_read_row(c, r, &list[count++]);
    db_done(r);
    for (int i = 0; i < count; i++) {
        Approval *a = &list[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(a->id));
        json_object_set_new(o, "kind", json_string(a->kind));
        json_object_set_new(o, "target_type", json_string(a->target_type ? a->target_type : ""));
        json_object_set_new(o, "target_id", json_integer(a->target_id));
        json_object_set_new(o, "reason", a->reason ? json_string(a->reason) : json_null());
        json_object_set_new(o, "amount", a->has_amount ? json_integer(a->amount) : json_null());
        json_object_set_new(o, "status", json_string(a->status));
        json_object_set_new(o, "requested_by", a->requested_by ? json_integer(a->requested_by) : json_null());
        json_object_set_new(o, "requested_by_name", json_string(a->requested_by ? user_name(c, a->requested_by) : ""));
        json_object_set_new(o, "approver_id", a->approver_id ? json_integer(a->approver_id) : json_null());
        json_object_set_new(o, "approver_name", json_string(a->approver_id ? user_name(c, a->approver_id) : ""));
        json_object_set_new(o, "decided_by", a->decided_by ? json_integer(a->decided_by) : json_null());
        json_object_set_new(o, "decided_at", a->decided_at ? json_string(a->decided_at) : json_null());
        json_object_set_new(o, "comment", a->comment ? json_string(a->comment) : json_null());
        json_object_set_new(o, "created_at", a->created_at ? json_string(a->created_at) : json_null());
        if (titles)
            json_object_set_new(o, "target_title", json_string(record_title(c, a->target_type, a->target_id)));
        json_array_append_new(*rows, o);
    }
    return GX_OK;
}

GxErr approvals_for_record(Ctx *c, const char *target_type, int64_t target_id, json_t **rows)
{
    DbVal p[] = {dbv_text(target_type), dbv_int(target_id)};
    return rows_json(c,
                     "SELECT " APPROVAL_COLS " FROM approvals WHERE target_type = $1 AND target_id = $2 AND deleted_at IS"
                     " NULL ORDER BY id DESC LIMIT 50",
                     p, 2, false, rows);
}

GxErr approvals_to_decide(Ctx *c, bool pending_only, json_t **rows)
{
    *rows = NULL;
    if (!c->who)
        return ctx_fail(c, GX_EAUTH, "Not logged in");
    char since[64];
    time_format_ms(time_now_ms() - 30LL * 86400 * 1000, since);
    DbVal p[] = {dbv_int(c->who->user_id), dbv_int(c->who->is_admin ? 1 : 0), dbv_int(pending_only ? 1 : 0),
                 dbv_text(arena_strdup(c->arena, since))};
    return rows_json(c,
                     "SELECT " APPROVAL_COLS " FROM approvals WHERE deleted_at IS NULL"
                     " AND (approver_id = $1 OR $2 = 1)"
                     " AND (status = 'pending' OR ($3 = 0 AND decided_at >= $4))"
                     " ORDER BY CASE WHEN status = 'pending' THEN 0 ELSE 1 END, id DESC LIMIT 200",
                     p, 4, true, rows);
}

/* The generic API may read approvals, never write them: requests come from
 * the modules that need them, decisions through approval_decide. */
static GxErr refuse_generic_write(Ctx *c, HookArgs *a)
{
    (void)a;
    if (!c->who || c->elevated)
        return GX_OK;
    return ctx_fail(c, GX_EDENIED, "%s",
                    msg(c, "审批由需要审批的业务单据发起,请在审批页面批准或驳回",
                        "Approval requests come from the records that need them; approve or reject them on the"
                        " approvals page"));
}

void approvals_module_init(void)
{
    record_hook_add("approvals", HOOK_BEFORE_CREATE, refuse_generic_write);
    record_hook_add("approvals", HOOK_BEFORE_UPDATE, refuse_generic_write);
}
