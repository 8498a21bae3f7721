/* supervision.c — 员工监督: managers read their people's work records and
 * write comments (批示) on them; the record's owner is notified in-app. */
#include <string.h>

#include "../acl/acl.h"
#include "../base/util.h"
#include "../record/record.h"
#include "modules.h"

GxErr supervision_comment(Ctx *c, int64_t activity_id, const char *body, json_t **out)
{
    *out = NULL;
    const Entity *act = meta_entity("activities");
    json_t *rec;
    GxErr rc = record_get(c, act, activity_id, &rec);
    if (rc)
        return rc;
    /* Commenting is supervision: it needs a scope wider than one's own records. */
    if (c->who && !c->who->is_admin && acl_scope(c, act, ACT_READ) < SCOPE_DEPT) {
        json_decref(rec);
        return ctx_fail(c, GX_EDENIED, "Only managers may comment on work records");
    }
    if (!body || !*body) {
        json_decref(rec);
        ctx_field(c, "body", "is required");
        return c->err;
    }
    json_decref(rec);
    /* The comment belongs to its author; written on their behalf. */
    Ctx w = *c;
    w.elevated = true;
    json_t *in = json_pack("{s:s, s:I, s:s}", "related_type", "activities", "related_id", (json_int_t)activity_id, "body", body);
    rc = record_create(&w, meta_entity("comments"), in, out);
    json_decref(in);
    if (rc) {
        c->err = w.err;
        c->err_code = w.err_code;
        c->err_msg = w.err_msg;
        c->err_fields = w.err_fields;
    }
    return rc;
}

GxErr supervision_comments(Ctx *c, const Entity *e, int64_t id, bool record_checked, json_t **rows)
{
    *rows = NULL;
    if (!record_checked) {
        json_t *rec;
        GxErr rc = record_get(c, e, id, &rec);
        if (rc)
            return rc;
        json_decref(rec);
    }
    Ctx w = *c;
    w.elevated = true; /* visible because the record is */
    json_t *where = json_pack("{s:[{s:s, s:s, s:s}, {s:s, s:s, s:I}]}", "and", "field", "related_type", "op", "eq", "value",
                              e->name, "field", "related_id", "op", "eq", "value", (json_int_t)id);
    ListQuery lq = {.where = where, .sort = "created_at", .limit = RECORD_LIMIT_MAX, .action = ACT_READ};
    GxErr rc = record_list(&w, meta_entity("comments"), &lq, rows, NULL);
    json_decref(where);
    if (rc) {
        c->err = w.err;
        c->err_code = w.err_code;
        c->err_msg = w.err_msg;
        c->err_fields = w.err_fields;
    }
    return rc;
}

/* After a comment on an activity is stored (same transaction): notify the
 * activity's owner unless they wrote it themselves. */
static GxErr notify_owner(Ctx *c, HookArgs *a)
{
    json_t *rec = a->result;
    if (!json_is_string(json_object_get(rec, "related_type")) ||
        strcmp(json_string_value(json_object_get(rec, "related_type")), "activities"))
        return GX_OK;
    int64_t act_id = json_integer_value(json_object_get(rec, "related_id"));
    DbRes *r;
    DbVal p[] = {dbv_int(act_id)};
    int64_t owner = 0, dept = 0;
    char *subject = NULL;
    if (db_query(c->db, "SELECT owner_id, department_id, subject FROM activities WHERE id = $1", p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the activity");
    if (db_next(r) == 1) {
        owner = db_isnull(r, 0) ? 0 : db_int(r, 0);
        dept = db_isnull(r, 1) ? 0 : db_int(r, 1);
        subject = arena_strdup(c->arena, db_text(r, 2));
    }
    db_done(r);
    if (!owner || (c->who && owner == c->who->user_id))
        return GX_OK;
    const char *now = record_now(c);
    const char *title = arena_printf(c->arena, "%s 批示了你的跟进记录「%s」", c->who ? c->who->name : "系统", subject ? subject : "");
    DbVal q[] = {dbv_int(owner), dept ? dbv_int(dept) : dbv_null(), dbv_text(now),
                 c->who ? dbv_int(c->who->user_id) : dbv_null(), dbv_text(title),
                 dbv_text(json_string_value(json_object_get(rec, "body"))), dbv_int(act_id)};
    if (db_exec(c->db,
                "INSERT INTO notifications(owner_id, department_id, created_at, created_by, updated_at, updated_by, version,"
                " title, body, kind, related_type, related_id, read) VALUES ($1, $2, $3, $4, $3, $4, 1, $5, $6, 'comment',"
                " 'activities', $7, 0)",
                q, 7) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot notify the owner");
    return GX_OK;
}

void supervision_module_init(void) { record_hook_add("comments", HOOK_AFTER_CREATE, notify_owner); }
