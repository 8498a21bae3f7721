/* dochooks.c — the record hooks quotes and orders share: a document is
 * created and updated through the record engine (POST/PATCH with "lines");
 * the before-hooks check the customer (404 outside the user's scope) and
 * read the lines (defaults, errors named lines[i].field) before any
 * transaction; the after-hooks, inside the engine's transaction, store the
 * lines and the totals; reads add the lines. See docs.h. */
#include <string.h>

#include "docs.h"

/* Is the value given and different from the stored one? */
static bool changes(json_t *in, json_t *old, const char *key)
{
    json_t *v = json_object_get(in, key);
    return v && !json_equal(v, json_object_get(old, key));
}

/* Does the input change the tax rate (compared as numbers: 13 == 13.0 == "13.00")? */
static bool tax_changes(Ctx *c, json_t *in, json_t *old)
{
    json_t *v = json_object_get(in, "tax_rate_pct");
    if (!v)
        return false;
    Ctx w = *c; /* scratch: a bad value is reported by the engine's validation */
    w.err = GX_OK;
    w.err_fields = NULL;
    DbVal dv;
    bool ok = meta_coerce(&w, meta_field(meta_entity("quotes"), "tax_rate_pct"), v, &dv) && dv.type == DBV_INT;
    json_decref(w.err_fields);
    return !ok || !sd_scaled_equal(json_object_get(old, "tax_rate_pct"), dv.i, 100);
}

GxErr sd_before_create(Ctx *c, HookArgs *a, const DocKind *k, const char *date_field)
{
    (void)k;
    json_t *in = a->input;
    int64_t customer_id;
    GxErr rc = sd_customer_check(c, in, &customer_id);
    if (rc)
        return rc;
    DocLine *l;
    size_t n;
    json_t *lines = json_object_get(in, "lines");
    if (!lines) {
        ctx_field(c, "lines", "%s", sd_msg(c, "至少需要一行明细", "at least one line is required"));
        return c->err;
    }
    if ((rc = sd_lines_parse(c, lines, customer_id, false, &l, &n)))
        return rc;
    json_object_set_new(in, "lines", sd_lines_to_input(l, n));
    json_t *d = json_object_get(in, date_field);
    if (!d || json_is_null(d)) {
        char today[11];
        sd_today(today);
        json_object_set_new(in, date_field, json_string(today));
    }
    return GX_OK;
}

GxErr sd_after_create(Ctx *c, HookArgs *a, const DocKind *k)
{
    DocLine *l;
    size_t n;
    if (!sd_lines_from_input(c, a->input, &l, &n))
        return ctx_fail(c, GX_EINTERNAL, "the lines were not prepared");
    return sd_lines_store(c, k, a->id, l, n, a->result);
}

/* Are the parsed lines the same as the stored ones of document id? */
static bool same_lines(Ctx *c, const DocKind *k, int64_t id, const DocLine *l, size_t n)
{
    json_t *stored;
    if (sd_lines_load(c, k, id, &stored)) {
        ctx_clear(c);
        return false;
    }
    bool same = json_array_size(stored) == n;
    for (size_t i = 0; same && i < n; i++) {
        json_t *s = json_array_get(stored, i);
        same = json_integer_value(json_object_get(s, "product_id")) == l[i].product_id &&
               !strcmp(json_string_value(json_object_get(s, "description")), l[i].description) &&
               json_integer_value(json_object_get(s, "unit_price")) == l[i].s.unit_price &&
               sd_scaled_equal(json_object_get(s, "quantity"), l[i].s.quantity, SALES_QTY_SCALE) &&
               sd_scaled_equal(json_object_get(s, "discount_pct"), l[i].s.discount_pct, 100);
    }
    json_decref(stored);
    return same;
}

GxErr sd_before_update(Ctx *c, HookArgs *a, const DocKind *k, SdEditable editable)
{
    json_t *in = a->input, *old = a->old;
    bool new_customer = changes(in, old, "customer_id");
    int64_t customer_id = json_integer_value(json_object_get(old, "customer_id"));
    if (new_customer) {
        GxErr rc = sd_customer_check(c, in, &customer_id);
        if (rc)
            return rc;
    }
    DocLine *l = NULL;
    size_t n = 0;
    json_t *lines = json_object_get(in, "lines");
    if (lines) {
        /* sending back the stored lines (a form saving other fields) changes nothing */
        GxErr rc = sd_lines_parse(c, lines, customer_id, true, &l, &n);
        if (rc)
            return rc;
        if (same_lines(c, k, a->id, l, n)) {
            json_object_del(in, "lines");
            lines = NULL;
        }
    }
    if ((lines || new_customer || tax_changes(c, in, old)) && !editable(c, old))
        return c->err;
    if (!lines)
        return GX_OK;
    GxErr rc = sd_lines_parse(c, lines, customer_id, false, &l, &n); /* new lines take active products only */
    if (rc)
        return rc;
    json_object_set_new(in, "lines", sd_lines_to_input(l, n));
    return GX_OK;
}

GxErr sd_after_update(Ctx *c, HookArgs *a, const DocKind *k)
{
    DocLine *l;
    size_t n;
    GxErr rc;
    if (sd_lines_from_input(c, a->input, &l, &n)) {
        json_t *before = NULL;
        if ((rc = sd_lines_load(c, k, a->id, &before)))
            return rc;
        if ((rc = sd_lines_store(c, k, a->id, l, n, a->result))) {
            json_decref(before);
            return rc;
        }
        /* the audit log keeps what the lines were */
        json_t *diff = json_pack("{s:[o, O]}", "lines", before, json_object_get(a->result, "lines"));
        rc = audit_write(c, "update", k->entity, a->id, diff);
        json_decref(diff);
        return rc;
    }
    if (json_object_get(a->input, "tax_rate_pct") && (rc = sd_totals_refresh(c, k, a->id, a->result)))
        return rc;
    json_t *lines;
    if ((rc = sd_lines_load(c, k, a->id, &lines)))
        return rc;
    json_object_set_new(a->result, "lines", lines);
    return GX_OK;
}

GxErr sd_after_read(Ctx *c, HookArgs *a, const DocKind *k)
{
    /* The answer to a create or update already holds the lines the write
     * stored or loaded (sd_lines_store, sd_after_update): a read from the
     * database never does, "lines" being no column. */
    if (json_is_array(json_object_get(a->result, "lines")))
        return GX_OK;
    json_t *lines;
    GxErr rc = sd_lines_load(c, k, a->id, &lines);
    if (rc)
        return rc;
    json_object_set_new(a->result, "lines", lines);
    return GX_OK;
}

/* A document purged from the trash takes its lines with it
 * (HOOK_BEFORE_PURGE, inside the purge's transaction, before the document's
 * DELETE that the lines' foreign key would refuse): every line of the
 * document, deleted or not, through the full index on the document's id
 * (migration 8, doc_line_indexes_v8), and what they were goes into the
 * purge's audit diff as "lines": [null, [line, …]]. */
GxErr sd_purge_lines(Ctx *c, HookArgs *a, const char *lines_entity, const char *doc_col)
{
    const Entity *le = meta_entity(lines_entity);
    if (!le)
        return GX_OK;
    const Field **cols = arena_calloc(c->arena, (size_t)le->nfields + 1, sizeof *cols);
    int ncols = 0;
    Buf b;
    buf_init(&b, c->arena);
    buf_raw(&b, "SELECT id");
    for (int i = 0; i < le->nfields; i++) {
        const Field *f = &le->fields[i];
        if (f->type == FT_LINK_MULTIPLE || f->type == FT_PARENT || f->type == FT_ADDRESS ||
            f->type == FT_FORMULA || !strcmp(f->name, doc_col))
            continue;
        buf_printf(&b, ", %s", f->name);
        cols[ncols++] = f;
    }
    buf_printf(&b, " FROM %s WHERE %s = $1 ORDER BY id", le->table, doc_col); /* sql-ok: names from metadata */
    DbVal p[] = {dbv_int(a->id)};
    DbRes *r;
    if (db_query(c->db, b.data, p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the lines of %s %lld", a->e->name, (long long)a->id);
    json_t *lines = json_array();
    int s;
    while ((s = db_next(r)) == 1) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(db_int(r, 0)));
        for (int i = 0; i < ncols; i++)
            json_object_set_new(o, cols[i]->name, meta_to_json(cols[i], r, i + 1));
        json_array_append_new(lines, o);
    }
    db_done(r);
    if (s < 0) {
        json_decref(lines);
        return ctx_fail(c, GX_EDB, "cannot read the lines of %s %lld", a->e->name, (long long)a->id);
    }
    buf_clear(&b);
    buf_printf(&b, "DELETE FROM %s WHERE %s = $1", le->table, doc_col); /* sql-ok: names from metadata */
    int dbrc = db_exec(c->db, b.data, p, 1);
    if (dbrc != DB_OK) {
        json_decref(lines);
        if (dbrc == DB_CONSTRAINT)
            return ctx_fail(c, GX_ECONFLICT, "%s",
                            sd_msg(c, "还有其他单据引用这张单据的明细(发货单或退货单),请先彻底删除它们",
                                   "Other records (deliveries or returns) still refer to this record's lines; purge them first"));
        return ctx_fail(c, GX_EDB, "cannot purge the lines of %s %lld", a->e->name, (long long)a->id);
    }
    if (json_array_size(lines) && a->input)
        json_object_set_new(a->input, "lines", json_pack("[n, o]", lines));
    else
        json_decref(lines);
    return GX_OK;
}
