/* china.c — China-specific checks on customer data: the unified social
 * credit code (统一社会信用代码, GB 32100-2015).
 *
 * A code of the wrong length or with characters outside the code's alphabet
 * is a plain validation error. A well-formed code whose check character does
 * not match is a warning the user may override (real codes exist that fail
 * it): the write is refused with 422, error code "needs_confirmation" and a
 * message under the field, unless the request body carries
 * "confirm": ["credit_code"] (the form's "save anyway" box). Codes are
 * stored upper case without spaces or dashes. */
#include <string.h>

#include "../base/creditcode.h"
#include "../base/log.h"
#include "../base/lunar.h"
#include "../base/phone.h"
#include "../base/util.h"
#include "../record/record.h"
#include "modules.h"
#include "reminders.h"

/* Entities with a credit_code field checked here. */
static const char *const checked[] = {"customers", "leads", NULL};

/* Does the request confirm the warning on field? */
static bool confirmed(json_t *input, const char *field)
{
    json_t *c = json_object_get(input, "confirm");
    size_t i;
    json_t *v;
    json_array_foreach(c, i, v) if (json_is_string(v) && !strcmp(json_string_value(v), field)) return true;
    return false;
}

/* Before create/update: normalise the code and refuse malformed ones; check
 * the shape of "confirm". */
static GxErr credit_code_normalise(Ctx *c, HookArgs *a)
{
    json_t *conf = json_object_get(a->input, "confirm");
    if (conf && !json_is_array(conf))
        return ctx_fail(c, GX_EBADREQ, "confirm must be a list of field names");
    json_t *v = json_object_get(a->input, "credit_code");
    if (!json_is_string(v) || !*json_string_value(v))
        return GX_OK;
    char *s = arena_strdup(c->arena, json_string_value(v));
    if (credit_code_check(s, NULL) == CREDIT_BAD_FORM) {
        ctx_field(c, "credit_code", "must be 18 characters: digits and capital letters except I, O, S, V and Z");
        return GX_EINVALID;
    }
    json_object_set_new(a->input, "credit_code", json_string(s));
    return GX_OK;
}

/* After create/update (all other values valid): the check character. */
static GxErr credit_code_confirm(Ctx *c, HookArgs *a)
{
    const char *now = json_string_value(json_object_get(a->result, "credit_code"));
    const char *before = a->old ? json_string_value(json_object_get(a->old, "credit_code")) : NULL;
    if (!now || !*now || (before && !strcmp(before, now)) || confirmed(a->input, "credit_code"))
        return GX_OK;
    char *s = arena_strdup(c->arena, now);
    char expected = 0;
    if (credit_code_check(s, &expected) != CREDIT_BAD_CHECK)
        return GX_OK;
    ctx_field(c, "credit_code", "has a check character that does not match (GB 32100); confirm to save it anyway");
    c->err_code = "needs_confirmation";
    return GX_EINVALID;
}

/* Migration 3: phone numbers stored before E.164 ("13812345678",
 * "02162345678", "65529988x12") are rewritten in E.164; values that cannot
 * be read as a number are left as they were (still shown as stored). */
static GxErr phones_e164(Ctx *c, bool fresh)
{
    if (fresh)
        return GX_OK;
    int n;
    const Entity *const *all = meta_entities(&n);
    for (int i = 0; i < n; i++) {
        const Entity *e = all[i];
        if (e->since > 3)
            continue;
        for (int k = 0; k < e->nfields; k++) {
            const Field *f = &e->fields[k];
            if (f->type != FT_PHONE || f->since > 3)
                continue;
            const char *sel =
                arena_printf(c->arena, "SELECT id, %s FROM %s WHERE id > $1 AND %s IS NOT NULL ORDER BY id LIMIT 2000", /* sql-ok: identifiers from metadata or a literal column list */
                             f->name, e->table, f->name); /* sql-ok: names from metadata */
            const char *upd = arena_printf(c->arena, "UPDATE %s SET %s = $1 WHERE id = $2", e->table, /* sql-ok: identifiers from metadata or a literal column list */
                                           f->name); /* sql-ok: names from metadata */
            int64_t last = 0, changed = 0;
            for (;;) {
                Arena batch;
                arena_init(&batch);
                int64_t ids[2000];
                char *vals[2000];
                int m = 0, rc;
                DbVal p = dbv_int(last);
                DbRes *res;
                if (db_query(c->db, sel, &p, 1, &res) != DB_OK) {
                    arena_free(&batch);
                    return ctx_fail(c, GX_EDB, "cannot read %s.%s", e->name, f->name);
                }
                while ((rc = db_next(res)) == 1) {
                    ids[m] = db_int(res, 0);
                    const char *why;
                    const char *v = db_text(res, 1);
                    char *e164 = v ? phone_to_e164(&batch, v, &why) : NULL;
                    vals[m++] = e164 && strcmp(e164, v) ? e164 : NULL;
                }
                db_done(res);
                GxErr err = rc < 0 ? ctx_fail(c, GX_EDB, "cannot read %s.%s", e->name, f->name) : GX_OK;
                for (int j = 0; j < m && !err; j++) {
                    if (!vals[j])
                        continue;
                    DbVal up[2] = {dbv_text(vals[j]), dbv_int(ids[j])};
                    if (db_exec(c->db, upd, up, 2) != DB_OK)
                        err = ctx_fail(c, GX_EDB, "cannot convert %s.%s", e->name, f->name);
                    changed++;
                }
                arena_free(&batch);
                if (err)
                    return err;
                if (m < 2000)
                    break;
                last = ids[m - 1];
            }
            if (changed)
                log_info("phone numbers: %lld values of %s.%s now in E.164", (long long)changed, e->name, f->name);
        }
    }
    return GX_OK;
}

/* Birthday source for the reminders (reminders.h): records of e owned by
 * the acting user with birthday_lunar set, whose lunar birthday falls on one
 * of the local days [day0, day0 + ndays). */
static GxErr lunar_birthdays(Ctx *c, const Entity *e, int64_t day0, int ndays, json_t *out)
{
    if (!meta_field(e, "birthday_lunar") || !meta_field(e, "birthday") || !c->who)
        return GX_OK;
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, arena_printf(c->arena,
                             "SELECT id, %s, birthday FROM %s WHERE deleted_at IS NULL AND birthday_lunar = 1"
                             " AND birthday IS NOT NULL AND owner_id = ",
                             e->title_field ? e->title_field : "id", e->table)); /* sql-ok: names from metadata */
    sql_param(&q, dbv_int(c->who->user_id));
    acl_scope_predicate(c, e, ACT_READ, &q);
    sql_raw(&q, " ORDER BY id LIMIT 1000");
    char t[64];
    time_format_s(day0 * 86400, t);
    int fy, fm, fd;
    if (!time_parse_date(arena_strndup(c->arena, t, 10), &fy, &fm, &fd))
        return GX_OK;
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read lunar birthdays of %s: %s", e->name, db_errmsg(c->db));
    int rc;
    while ((rc = db_next(r)) == 1) {
        const char *b = db_text(r, 2);
        int by, bm, bd, y, m, d;
        if (!b || !time_parse_date(b, &by, &bm, &bd) || birthday_next(by, bm, bd, true, fy, fm, fd, &y, &m, &d))
            continue;
        if (time_days_from_civil(y, m, d) >= day0 + ndays)
            continue;
        const char *title = db_text(r, 1);
        json_array_append_new(out, json_pack("{s:s, s:s, s:I, s:s, s:s, s:{s:s, s:b}}", "kind", "birthday", "entity",
                                             e->name, "id", (json_int_t)db_int(r, 0), "title", title ? title : "",
                                             "date", arena_printf(c->arena, "%04d-%02d-%02d", y, m, d), "detail",
                                             "birthday", b, "lunar", 1));
    }
    db_done(r);
    if (rc < 0)
        return ctx_fail(c, GX_EDB, "cannot read lunar birthdays of %s: %s", e->name, db_errmsg(c->db));
    return GX_OK;
}

void china_module_init(void)
{
    reminders_birthday_source_add(lunar_birthdays);
    /* Before the global search index (search.c) is filled from the rows. */
    ddl_step_add(3, "phone numbers to E.164", phones_e164);
    for (int i = 0; checked[i]; i++) {
        record_hook_add(checked[i], HOOK_BEFORE_CREATE, credit_code_normalise);
        record_hook_add(checked[i], HOOK_BEFORE_UPDATE, credit_code_normalise);
        record_hook_add(checked[i], HOOK_AFTER_CREATE, credit_code_confirm);
        record_hook_add(checked[i], HOOK_AFTER_UPDATE, credit_code_confirm);
    }
}
