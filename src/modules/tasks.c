/* tasks.c — next steps become tasks: an activity (work record) with a next
 * follow-up time (next_at) creates an open task for the activity's owner,
 * due then, linked to the same record as the activity (or to the activity
 * itself when it has none). Changing next_at later moves the open task (or
 * creates one if the earlier task is closed); clearing it leaves the task
 * alone — closing a task is the user's decision. */
#include <string.h>

#include "../base/util.h"
#include "../record/record.h"
#include "modules.h"

static const char *text_of(json_t *rec, const char *key)
{
    const char *s = json_string_value(json_object_get(rec, key));
    return s && *s ? s : NULL;
}

/* The task's subject: the next step, or "跟进：<activity subject>". */
static const char *task_subject(Ctx *c, json_t *act)
{
    const char *step = text_of(act, "next_step");
    if (step)
        return step;
    const char *subject = text_of(act, "subject");
    return arena_printf(c->arena, "%s%s", c->lang && !strcmp(c->lang, "en") ? "Follow up: " : "跟进：",
                        subject ? subject : "");
}

/* The open task created from activity id, 0 if none. */
static int64_t open_task_of(Ctx *c, int64_t activity_id)
{
    int64_t id = 0;
    bool found = false;
    DbVal p[] = {dbv_int(activity_id)};
    if (db_query_int(c->db,
                     "SELECT id FROM tasks WHERE activity_id = $1 AND status = 'open' AND deleted_at IS NULL"
                     " ORDER BY id DESC",
                     p, 1, &id, &found) != DB_OK ||
        !found)
        return 0;
    return id;
}

/* After an activity is stored: create or move its follow-up task. */
static GxErr next_step_task(Ctx *c, HookArgs *a)
{
    json_t *act = a->result;
    const char *next_at = text_of(act, "next_at");
    if (!next_at || !meta_entity("tasks"))
        return GX_OK;
    if (a->old) {
        const char *before = text_of(a->old, "next_at");
        const char *step_before = text_of(a->old, "next_step"), *step = text_of(act, "next_step");
        bool step_same = (!step_before && !step) || (step_before && step && !strcmp(step_before, step));
        if (before && !strcmp(before, next_at) && step_same)
            return GX_OK;
    }
    const Entity *te = meta_entity("tasks");
    Ctx w = *c; /* the task belongs to the activity's owner, whoever wrote the record */
    w.elevated = true;
    json_t *in = json_pack("{s:s, s:s}", "subject", task_subject(c, act), "due_at", next_at);
    int64_t existing = a->old ? open_task_of(c, a->id) : 0;
    json_t *out = NULL;
    GxErr rc;
    if (existing) {
        json_t *task;
        if ((rc = record_get(&w, te, existing, &task)))
            goto fail;
        json_object_set(in, "version", json_object_get(task, "version"));
        json_decref(task);
        rc = record_update(&w, te, existing, in, &out);
    } else {
        json_object_set_new(in, "activity_id", json_integer(a->id));
        json_object_set(in, "owner_id", json_object_get(act, "owner_id"));
        const char *ptype = text_of(act, "parent_type");
        int64_t pid = json_integer_value(json_object_get(act, "parent_id"));
        json_object_set_new(in, "parent_type", json_string(ptype && pid ? ptype : "activities"));
        json_object_set_new(in, "parent_id", json_integer(ptype && pid ? pid : a->id));
        rc = record_create(&w, te, in, &out);
    }
fail:
    json_decref(in);
    json_decref(out);
    if (rc) {
        c->err = w.err;
        c->err_code = w.err_code;
        c->err_msg = w.err_msg;
        c->err_fields = w.err_fields;
    }
    return rc;
}

void tasks_module_init(void)
{
    record_hook_add("activities", HOOK_AFTER_CREATE, next_step_task);
    record_hook_add("activities", HOOK_AFTER_UPDATE, next_step_task);
}
