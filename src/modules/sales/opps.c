/* opps.c — opportunity stages (商机阶段) and what they decide on an
 * opportunity: its win probability, whether it is closed, and when.
 *
 * Stages are a settings list (opportunity_stages) kept by sales managers:
 * name, code, sort, probability_pct, kind open|won|lost, active. An
 * opportunity links to one (stage_id); its probability_pct is read-only and
 * copied from the stage whenever the opportunity is written, and again for
 * every opportunity of a stage when a manager changes the stage's
 * probability. closed_on is set to today when an opportunity moves into a
 * won or lost stage (unless given) and cleared when it moves back to an open
 * one.
 *
 * The enum column `stage` of release 3 is hidden (replaced by stage_id) but
 * kept in step: it holds the stage's code when that is one of the old enum
 * values, "won"/"lost" for other closed stages, NULL otherwise — older
 * reports and the customer-pool rules read it. A client that still writes
 * "stage": "<code>" is understood as the stage with that code.
 *
 * Migration 4 seeds the six stages of the old enum (same codes, same
 * probabilities) and converts every opportunity's stage to stage_id. */
#include <string.h>

#include "../../base/clock.h"
#include "../../base/util.h"
#include "../../record/record.h"
#include "sales.h"

void opps_module_init(void);

/* One default stage: the old enum option with the same code. */
typedef struct StageSeed {
    const char *code;  /* stable code = the release-3 enum value */
    const char *name;  /* Chinese name */
    int probability;   /* win probability, percent */
    const char *kind;  /* open, won or lost */
} StageSeed;

static const StageSeed stage_seeds[] = {
    {"initial", "初步接洽", 10, "open"}, {"needs", "需求确定", 30, "open"},
    {"proposal", "方案/报价", 60, "open"}, {"negotiation", "谈判审核", 80, "open"},
    {"won", "赢单", 100, "won"},        {"lost", "输单", 0, "lost"},
    {NULL, NULL, 0, NULL},
};

/* The value of the hidden release-3 column for a stage (see the top). */
static const char STAGE_MIRROR_SQL[] =
    "CASE WHEN s.kind = 'won' THEN 'won' WHEN s.kind = 'lost' THEN 'lost'"
    " WHEN s.code IN ('initial', 'needs', 'proposal', 'negotiation') THEN s.code ELSE NULL END";

bool sales_stage_read(Ctx *c, int64_t id, SalesStage *out)
{
    memset(out, 0, sizeof *out);
    DbRes *r;
    DbVal p[] = {dbv_int(id)};
    if (db_query(c->db,
                 "SELECT id, code, probability_pct, kind, active FROM opportunity_stages"
                 " WHERE id = $1 AND deleted_at IS NULL",
                 p, 1, &r) != DB_OK)
        return false;
    bool found = db_next(r) == 1;
    if (found) {
        out->id = db_int(r, 0);
        out->code = arena_strdup(c->arena, db_text(r, 1) ? db_text(r, 1) : "");
        out->probability_pct = db_isnull(r, 2) ? 0 : db_int(r, 2);
        const char *kind = db_text(r, 3);
        out->kind = kind && !strcmp(kind, "won") ? STAGE_WON : kind && !strcmp(kind, "lost") ? STAGE_LOST : STAGE_OPEN;
        out->active = !db_isnull(r, 4) && db_int(r, 4) != 0;
    }
    db_done(r);
    return found;
}

/* The id of the live stage with this code (0 if none). */
static int64_t stage_by_code(Ctx *c, const char *code)
{
    int64_t id = 0;
    bool found = false;
    DbVal p[] = {dbv_text(code)};
    db_query_int(c->db, "SELECT id FROM opportunity_stages WHERE code = $1 AND deleted_at IS NULL", p, 1, &id, &found);
    return found ? id : 0;
}

int64_t sales_default_stage(Ctx *c)
{
    int64_t id = 0;
    bool found = false;
    db_query_int(c->db,
                 "SELECT id FROM opportunity_stages WHERE kind = 'open' AND active = 1 AND deleted_at IS NULL"
                 " ORDER BY sort, id LIMIT 1",
                 NULL, 0, &id, &found);
    return found ? id : 0;
}

/* Today in the company's zone, "YYYY-MM-DD" (arena). */
static const char *today(Ctx *c)
{
    char t[64];
    time_format_s(clock_now_s() + CLOCK_COMPANY_TZ_OFFSET, t);
    return arena_strndup(c->arena, t, 10);
}

/* Before create/update of an opportunity: understand the old "stage", give
 * a new opportunity the first open stage, refuse inactive stages, and set or
 * clear closed_on when the stage moves between open and closed. */
static GxErr opportunity_before_write(Ctx *c, HookArgs *a)
{
    json_t *in = a->input;
    json_t *legacy = json_object_get(in, "stage");
    if (legacy && !json_object_get(in, "stage_id")) {
        int64_t id = json_is_string(legacy) ? stage_by_code(c, json_string_value(legacy)) : 0;
        if (!id) {
            ctx_field(c, "stage", "is not the code of a stage; write stage_id (a stage id) instead");
            return c->err;
        }
        json_object_set_new(in, "stage_id", json_integer(id));
    }
    if (legacy)
        json_object_del(in, "stage");

    json_t *sid = json_object_get(in, "stage_id");
    if (!a->old && !sid) {
        int64_t id = sales_default_stage(c);
        if (id)
            json_object_set_new(in, "stage_id", json_integer(id));
        sid = json_object_get(in, "stage_id");
    }
    if (!sid)
        return GX_OK; /* the stage is not being changed */
    if (json_is_null(sid)) {
        ctx_field(c, "stage_id", "is required: every opportunity is at a stage");
        return c->err;
    }
    if (!json_is_integer(sid))
        return GX_OK; /* validation names the field */
    int64_t old_id = a->old ? json_integer_value(json_object_get(a->old, "stage_id")) : 0;
    if (json_integer_value(sid) == old_id)
        return GX_OK;
    SalesStage to;
    if (!sales_stage_read(c, json_integer_value(sid), &to))
        return GX_OK; /* the link check reports the unknown id */
    if (!to.active) {
        ctx_field(c, "stage_id", "is a stage that is no longer in use; choose another stage");
        return c->err;
    }
    SalesStage from = {.kind = STAGE_OPEN};
    if (old_id)
        sales_stage_read(c, old_id, &from);
    bool closing = to.kind != STAGE_OPEN, was_closed = from.kind != STAGE_OPEN;
    if (!json_object_get(in, "closed_on")) {
        if (closing && !was_closed)
            json_object_set_new(in, "closed_on", json_string(today(c)));
        else if (!closing && was_closed)
            json_object_set_new(in, "closed_on", json_null());
    }
    return GX_OK;
}

/* After create/update: copy the stage's probability (and the old column's
 * value) into the row and into the answer. */
static GxErr opportunity_after_write(Ctx *c, HookArgs *a)
{
    int64_t id = a->id ? a->id : json_integer_value(json_object_get(a->result, "id"));
    DbVal p[] = {dbv_int(id)};
    /* sql-ok: STAGE_MIRROR_SQL is a literal of this file */
    const char *sql = arena_printf(c->arena,
                                   "UPDATE opportunities SET probability_pct = (SELECT s.probability_pct FROM"
                                   " opportunity_stages s WHERE s.id = opportunities.stage_id), stage = (SELECT %s FROM"
                                   " opportunity_stages s WHERE s.id = opportunities.stage_id) WHERE id = $1",
                                   STAGE_MIRROR_SQL);
    if (db_exec(c->db, sql, p, 1) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot copy the stage's probability: %s", db_errmsg(c->db));
    int64_t pct = 0;
    bool found = false;
    if (db_query_int(c->db, "SELECT probability_pct FROM opportunities WHERE id = $1", p, 1, &pct, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the probability: %s", db_errmsg(c->db));
    if (a->result && json_object_get(a->result, "probability_pct"))
        json_object_set_new(a->result, "probability_pct", found && pct >= 0 ? json_integer(pct) : json_null());
    return GX_OK;
}

/* A stage's probability changed: every opportunity at that stage follows
 * (the forecast reads the opportunities' own column). Its kind may not
 * change while opportunities use it: that would rewrite closed deals. */
static GxErr stage_after_update(Ctx *c, HookArgs *a)
{
    json_t *op = json_object_get(a->old, "probability_pct"), *np = json_object_get(a->result, "probability_pct");
    json_t *ok = json_object_get(a->old, "kind"), *nk = json_object_get(a->result, "kind");
    DbVal p[] = {dbv_int(a->id)};
    if (!json_equal(ok, nk)) {
        int64_t n = 0;
        bool found = false;
        db_query_int(c->db, "SELECT count(*) FROM opportunities WHERE stage_id = $1 AND deleted_at IS NULL", p, 1, &n,
                     &found);
        if (n > 0) {
            ctx_field(c, "kind", "cannot change while %lld opportunities are at this stage", (long long)n);
            return ctx_fail(c, GX_ECONFLICT, "The kind of a stage in use cannot change; add a new stage instead");
        }
    }
    if (!json_equal(op, np)) {
        /* sql-ok: STAGE_MIRROR_SQL is a literal of this file */
        if (db_exec(c->db,
                    "UPDATE opportunities SET probability_pct = (SELECT s.probability_pct FROM opportunity_stages s"
                    " WHERE s.id = opportunities.stage_id) WHERE stage_id = $1",
                    p, 1) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot update the opportunities of the stage: %s", db_errmsg(c->db));
    }
    return GX_OK;
}

/* A stage in use cannot go to the trash (deactivate it instead). */
static GxErr stage_before_delete(Ctx *c, HookArgs *a)
{
    int64_t n = 0;
    bool found = false;
    DbVal p[] = {dbv_int(a->id)};
    if (db_query_int(c->db, "SELECT count(*) FROM opportunities WHERE stage_id = $1 AND deleted_at IS NULL", p, 1, &n,
                     &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot count the opportunities of the stage");
    if (n > 0)
        return ctx_fail(c, GX_ECONFLICT,
                        "%lld opportunities are at this stage; move them first, or make the stage inactive",
                        (long long)n);
    return GX_OK;
}

/* Migration 4: seed the stages, convert opportunities.stage to stage_id,
 * and add the indexes of the funnel and the forecast. */
static GxErr stages_migrate(Ctx *c, bool fresh)
{
    (void)fresh; /* seeds are wanted on a new database too */
    const char *now = record_now(c);
    for (int i = 0; stage_seeds[i].code; i++) {
        if (stage_by_code(c, stage_seeds[i].code))
            continue;
        DbVal p[] = {dbv_text(stage_seeds[i].name), dbv_text(stage_seeds[i].code), dbv_int((i + 1) * 10),
                     dbv_int(stage_seeds[i].probability), dbv_text(stage_seeds[i].kind), dbv_text(now)};
        if (db_exec(c->db,
                    "INSERT INTO opportunity_stages(name, code, sort, probability_pct, kind, active, created_at,"
                    " updated_at, version) VALUES ($1, $2, $3, $4, $5, 1, $6, $6, 1)",
                    p, 6) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot seed the opportunity stages: %s", db_errmsg(c->db));
    }
    /* An opportunity without a stage was at the first one (the enum's default). */
    if (db_exec(c->db,
                "UPDATE opportunities SET stage_id = (SELECT s.id FROM opportunity_stages s WHERE s.code ="
                " coalesce(opportunities.stage, 'initial')) WHERE stage_id IS NULL",
                NULL, 0) != DB_OK ||
        db_exec(c->db,
                "UPDATE opportunities SET probability_pct = (SELECT s.probability_pct FROM opportunity_stages s"
                " WHERE s.id = opportunities.stage_id), stage = coalesce(stage, 'initial')",
                NULL, 0) != DB_OK ||
        db_exec(c->db,
                "UPDATE opportunities SET closed_on = substr(updated_at, 1, 10)"
                " WHERE stage IN ('won', 'lost') AND closed_on IS NULL",
                NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot convert the opportunity stages: %s", db_errmsg(c->db));
    /* The funnel (period of creation) and the forecast (month of expected
     * close) aggregate a department's or a person's rows from these alone. */
    static const char *const indexes[] = {
        "CREATE INDEX opportunities_funnel_dept_idx ON opportunities(department_id, created_at, stage_id, amount,"
        " owner_id) WHERE deleted_at IS NULL",
        "CREATE INDEX opportunities_funnel_owner_idx ON opportunities(owner_id, created_at, stage_id, amount)"
        " WHERE deleted_at IS NULL",
        "CREATE INDEX opportunities_forecast_dept_idx ON opportunities(department_id, expected_close, stage_id,"
        " amount, probability_pct, owner_id) WHERE deleted_at IS NULL",
        "CREATE INDEX opportunities_forecast_owner_idx ON opportunities(owner_id, expected_close, stage_id, amount,"
        " probability_pct, department_id) WHERE deleted_at IS NULL",
        NULL,
    };
    for (int i = 0; indexes[i]; i++)
        if (db_exec(c->db, indexes[i], NULL, 0) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot index opportunities: %s", db_errmsg(c->db));
    return GX_OK;
}

/* Migration 5: the funnel of a department counts each stage on its own
 * (funnel.c), a range of (department_id, stage_id, created_at) per
 * department instead of a sort of every row of the period; the index of
 * migration 4 with created_at second served only that sort, so it goes. */
static GxErr funnel_index_v5(Ctx *c, bool fresh)
{
    (void)fresh;
    if (db_exec(c->db,
                "CREATE INDEX opportunities_funnel_stage_idx ON opportunities(department_id, stage_id, created_at,"
                " amount, owner_id) WHERE deleted_at IS NULL",
                NULL, 0) != DB_OK ||
        db_exec(c->db, "DROP INDEX IF EXISTS opportunities_funnel_dept_idx", NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot index opportunities: %s", db_errmsg(c->db));
    return GX_OK;
}

void opps_module_init(void)
{
    ddl_step_add(4, "opportunity stages: seed, convert opportunities.stage to stage_id", stages_migrate);
    ddl_step_add(5, "opportunities: funnel index by department and stage", funnel_index_v5);
    record_hook_add("opportunities", HOOK_BEFORE_CREATE, opportunity_before_write);
    record_hook_add("opportunities", HOOK_BEFORE_UPDATE, opportunity_before_write);
    record_hook_add("opportunities", HOOK_AFTER_CREATE, opportunity_after_write);
    record_hook_add("opportunities", HOOK_AFTER_UPDATE, opportunity_after_write);
    record_hook_add("opportunity_stages", HOOK_AFTER_UPDATE, stage_after_update);
    record_hook_add("opportunity_stages", HOOK_BEFORE_DELETE, stage_before_delete);
}
