/* aggregate.c — counts and sums over the rows a list query matches, with the
 * same scope, filter and search as record_list (kanban column totals,
 * dashboard figures). */
#include <string.h>

#include "record.h"

GxErr record_sum(Ctx *c, const Entity *e, const ListQuery *lq, const char *field, int64_t *count, int64_t *sum)
{
    *count = 0;
    if (sum)
        *sum = 0;
    if (acl_scope(c, e, lq->action) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not read %s", e->name);
    const Field *f = field ? meta_field(e, field) : NULL;
    if (field && (!f || (f->type != FT_MONEY && f->type != FT_INT && f->type != FT_DECIMAL && f->type != FT_PERCENT) ||
                  acl_field(c, e, field) == FIELD_HIDDEN))
        return ctx_fail(c, GX_EBADREQ, "Cannot sum '%s'", field);
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT count(*)");
    if (f) {
        sql_raw(&q, ", coalesce(sum(");
        sql_raw(&q, f->name);
        sql_raw(&q, "), 0)");
    }
    sql_raw(&q, " FROM ");
    sql_raw(&q, e->table);
    sql_raw(&q, lq->trash ? " WHERE deleted_at IS NOT NULL" : " WHERE deleted_at IS NULL");
    acl_scope_predicate(c, e, lq->action, &q);
    GxErr rc = record_filter_compile(c, e, lq->where, &q);
    if (!rc)
        rc = record_search_compile(c, e, lq->q, &q);
    if (rc)
        return rc;
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot count %s", e->name);
    int s = db_next(r);
    if (s == 1) {
        *count = db_int(r, 0);
        if (f && sum)
            *sum = db_int(r, 1);
    }
    db_done(r);
    if (s < 0)
        return ctx_fail(c, GX_EDB, "cannot count %s (the sum may be too large)", e->name);
    return GX_OK;
}

GxErr record_count_by(Ctx *c, const Entity *e, const ListQuery *lq, const char *field, json_t **out)
{
    *out = NULL;
    if (acl_scope(c, e, lq->action) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not read %s", e->name);
    const Field *f = meta_field(e, field);
    if (!f || f->type != FT_ENUM || acl_field(c, e, field) == FIELD_HIDDEN)
        return ctx_fail(c, GX_EBADREQ, "Cannot group by '%s'", field);
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, "SELECT ");
    sql_raw(&q, f->name);
    sql_raw(&q, ", count(*) FROM ");
    sql_raw(&q, e->table);
    sql_raw(&q, lq->trash ? " WHERE deleted_at IS NOT NULL" : " WHERE deleted_at IS NULL");
    acl_scope_predicate(c, e, lq->action, &q);
    GxErr rc = record_filter_compile(c, e, lq->where, &q);
    if (!rc)
        rc = record_search_compile(c, e, lq->q, &q);
    if (rc)
        return rc;
    sql_raw(&q, " GROUP BY ");
    sql_raw(&q, f->name);
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot count %s", e->name);
    json_t *o = json_object();
    int s;
    while ((s = db_next(r)) == 1)
        json_object_set_new(o, db_text(r, 0) ? db_text(r, 0) : "", json_integer(db_int(r, 1)));
    db_done(r);
    if (s < 0) {
        json_decref(o);
        return ctx_fail(c, GX_EDB, "cannot count %s", e->name);
    }
    *out = o;
    return GX_OK;
}
