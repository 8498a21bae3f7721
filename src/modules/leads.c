/* leads.c — lead conversion (线索转化): a lead becomes a customer (new or
 * existing), a contact and optionally an opportunity, in one transaction.
 *
 * The new records belong to the lead's owner. The lead keeps its data, is
 * marked converted with links to what it became, and its open history moves
 * along: its activities and tasks are re-parented to the customer (the
 * activities also get the new contact when they had none), so the customer's
 * timeline tells the whole story and nothing is duplicated. */
#include <string.h>

#include "../acl/acl.h"
#include "../base/util.h"
#include "../record/record.h"
#include "modules.h"

/* Copy the error described in from (an elevated copy of c) back into c. */
static GxErr take_error(Ctx *c, const Ctx *from, GxErr rc)
{
    c->err = from->err;
    c->err_code = from->err_code;
    c->err_msg = from->err_msg;
    c->err_fields = from->err_fields;
    return rc;
}

/* Copy a non-empty value of key from src to dst under name. */
static void carry(json_t *dst, const char *name, json_t *src, const char *key)
{
    json_t *v = json_object_get(src, key);
    if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
        return;
    json_object_set(dst, name, v);
}

static const char *text_of(json_t *rec, const char *key)
{
    const char *s = json_string_value(json_object_get(rec, key));
    return s && *s ? s : NULL;
}

/* Create a record of entity on behalf of the lead's owner (elevated: the
 * caller checked the create permission); *id receives its id. */
static GxErr create_for(Ctx *c, const char *entity, json_t *in, int64_t *id)
{
    Ctx w = *c;
    w.elevated = true;
    json_t *out = NULL;
    GxErr rc = record_create(&w, meta_entity(entity), in, &out);
    if (rc)
        return take_error(c, &w, rc);
    *id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    return GX_OK;
}

/* Move the lead's activities and tasks to the customer. */
static GxErr move_history(Ctx *c, int64_t lead_id, int64_t customer_id, int64_t contact_id, const char *now)
{
    DbVal who = c->who ? dbv_int(c->who->user_id) : dbv_null();
    DbVal pa[] = {dbv_int(customer_id), dbv_int(contact_id), dbv_text(now), who, dbv_int(lead_id)};
    if (meta_entity("activities") &&
        db_exec(
            c->db,
            "UPDATE activities SET parent_type = 'customers', parent_id = $1, contact_id = coalesce(contact_id, $2),"
            " updated_at = $3, updated_by = $4, version = version + 1"
            " WHERE parent_type = 'leads' AND parent_id = $5 AND deleted_at IS NULL",
            pa, 5) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot move the lead's activities: %s", db_errmsg(c->db));
    DbVal pt[] = {dbv_int(customer_id), dbv_text(now), who, dbv_int(lead_id)};
    if (meta_entity("tasks") &&
        db_exec(c->db,
                "UPDATE tasks SET parent_type = 'customers', parent_id = $1, updated_at = $2, updated_by = $3,"
                " version = version + 1 WHERE parent_type = 'leads' AND parent_id = $4 AND deleted_at IS NULL",
                pt, 4) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot move the lead's tasks: %s", db_errmsg(c->db));
    return GX_OK;
}

/* Mark the lead converted (only if it is not already: a concurrent second
 * conversion finds nothing to update and fails with 409), with its links, a
 * revision of the status and an audit row. */
static GxErr mark_converted(Ctx *c, json_t *lead, int64_t customer_id, int64_t contact_id, int64_t opp_id,
                            const char *now)
{
    int64_t id = json_integer_value(json_object_get(lead, "id"));
    DbVal who = c->who ? dbv_int(c->who->user_id) : dbv_null();
    DbVal p[] = {dbv_text(now), dbv_int(customer_id), dbv_int(contact_id), opp_id ? dbv_int(opp_id) : dbv_null(),
                 who,           dbv_int(id)};
    if (db_exec(c->db,
                "UPDATE leads SET status = 'converted', converted_at = $1, customer_id = $2, contact_id = $3,"
                " opportunity_id = $4, updated_at = $1, updated_by = $5, version = version + 1"
                " WHERE id = $6 AND deleted_at IS NULL AND customer_id IS NULL"
                " AND (status IS NULL OR status <> 'converted')",
                p, 6) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot update the lead: %s", db_errmsg(c->db));
    if (db_changes(c->db) != 1)
        return ctx_fail(c, GX_ECONFLICT, "This lead has already been converted");
    const char *old_status = text_of(lead, "status");
    json_t *ov = old_status ? json_string(old_status) : NULL, *nv = json_string("converted");
    GxErr hr = record_revision(c, "leads", id, "status", ov, nv, now);
    json_decref(ov);
    json_decref(nv);
    if (hr)
        return hr;
    json_t *diff = json_pack("{s:[s?,s], s:[n,I], s:[n,I], s:[n,o]}", "status", old_status, "converted", "customer_id",
                             (json_int_t)customer_id, "contact_id", (json_int_t)contact_id, "opportunity_id",
                             opp_id ? json_integer(opp_id) : json_null());
    GxErr rc = audit_write(c, "convert", "leads", id, diff);
    json_decref(diff);
    return rc;
}

/* The conversion itself, inside the caller's transaction. */
static GxErr convert_in_tx(Ctx *c, int64_t lead_id, bool create_opportunity, int64_t customer_id, json_t **out)
{
    const Entity *le = meta_entity("leads");
    json_t *lead = NULL;
    GxErr rc = record_get(c, le, lead_id, &lead);
    if (rc)
        return rc;
    int64_t owner = json_integer_value(json_object_get(lead, "owner_id"));
    int64_t dept = json_integer_value(json_object_get(lead, "department_id"));
    if (!acl_row_in_scope(c, le, ACT_EDIT, owner, dept)) {
        json_decref(lead);
        return ctx_fail(c, GX_EDENIED, "You may not convert this lead");
    }
    const char *status = text_of(lead, "status");
    if ((status && !strcmp(status, "converted")) || json_integer_value(json_object_get(lead, "customer_id"))) {
        json_decref(lead);
        return ctx_fail(c, GX_ECONFLICT, "This lead has already been converted");
    }
    const Entity *ce = meta_entity("customers"), *ke = meta_entity("contacts"), *oe = meta_entity("opportunities");
    if ((!customer_id && acl_scope(c, ce, ACT_CREATE) == SCOPE_NONE) || acl_scope(c, ke, ACT_CREATE) == SCOPE_NONE ||
        (create_opportunity && (!oe || acl_scope(c, oe, ACT_CREATE) == SCOPE_NONE))) {
        json_decref(lead);
        return ctx_fail(c, GX_EDENIED, "You may not create the records a conversion needs");
    }
    /* An existing customer must be one the user can see. */
    const char *customer_name = NULL;
    if (customer_id) {
        json_t *cust;
        if (record_get(c, ce, customer_id, &cust)) {
            ctx_clear(c);
            json_decref(lead);
            ctx_field(c, "customer_id", "refers to customers record %lld, which does not exist",
                      (long long)customer_id);
            return c->err;
        }
        customer_name = arena_strdup(c->arena, text_of(cust, "name") ? text_of(cust, "name") : "");
        json_decref(cust);
    }
    const char *now = record_now(c);
    const char *person = text_of(lead, "name");
    const char *company = text_of(lead, "company");
    if (!customer_id) {
        json_t *in = json_pack("{s:s, s:s, s:I}", "name", company ? company : person, "kind",
                               company ? "company" : "individual", "owner_id", (json_int_t)owner);
        carry(in, "phone", lead, "phone");
        carry(in, "email", lead, "email");
        carry(in, "source_id", lead, "source_id");
        carry(in, "industry_id", lead, "industry_id");
        carry(in, "region_id", lead, "region_id");
        carry(in, "address", lead, "address");
        carry(in, "notes", lead, "notes");
        rc = create_for(c, "customers", in, &customer_id);
        json_decref(in);
        if (rc)
            goto out;
        customer_name = company ? company : person;
    }
    int64_t contact_id = 0, opp_id = 0;
    json_t *in = json_pack("{s:s, s:I, s:I, s:b}", "name", person, "customer_id", (json_int_t)customer_id, "owner_id",
                           (json_int_t)owner, "is_primary", 1);
    carry(in, "title", lead, "title");
    carry(in, "mobile", lead, "phone");
    carry(in, "email", lead, "email");
    rc = create_for(c, "contacts", in, &contact_id);
    json_decref(in);
    if (rc)
        goto out;
    if (create_opportunity) {
        in = json_pack("{s:s, s:I, s:I, s:I}", "name", arena_printf(c->arena, "%s — %s", customer_name, person),
                       "customer_id", (json_int_t)customer_id, "contact_id", (json_int_t)contact_id, "owner_id",
                       (json_int_t)owner);
        carry(in, "source_id", lead, "source_id");
        rc = create_for(c, "opportunities", in, &opp_id);
        json_decref(in);
        if (rc)
            goto out;
        DbVal p[] = {dbv_int(lead_id), dbv_int(opp_id)};
        if (db_exec(c->db, "UPDATE opportunities SET lead_id = $1 WHERE id = $2", p, 2) != DB_OK) {
            rc = ctx_fail(c, GX_EDB, "cannot link the opportunity to the lead: %s", db_errmsg(c->db));
            goto out;
        }
    }
    if ((rc = move_history(c, lead_id, customer_id, contact_id, now)) ||
        (rc = mark_converted(c, lead, customer_id, contact_id, opp_id, now)))
        goto out;
    *out =
        json_pack("{s:I, s:I, s:I, s:o}", "lead_id", (json_int_t)lead_id, "customer_id", (json_int_t)customer_id,
                  "contact_id", (json_int_t)contact_id, "opportunity_id", opp_id ? json_integer(opp_id) : json_null());
out:
    json_decref(lead);
    return rc;
}

GxErr leads_convert(Ctx *c, int64_t lead_id, bool create_opportunity, int64_t customer_id, json_t **out)
{
    *out = NULL;
    if (!meta_entity("leads"))
        return ctx_fail(c, GX_ENOTFOUND, "No leads here");
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    GxErr rc = convert_in_tx(c, lead_id, create_opportunity, customer_id, out);
    if (rc) {
        db_rollback(c->db);
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    if (db_commit(c->db) != DB_OK) {
        json_decref(*out);
        *out = NULL;
        return ctx_fail(c, GX_EDB, "cannot commit");
    }
    return GX_OK;
}

/* The JSON error object of c's current failure (as the API writes it). */
static json_t *error_json(const Ctx *c)
{
    json_t *e = json_pack("{s:s, s:s}", "code", c->err_code ? c->err_code : gx_err_code(c->err), "message",
                          c->err_msg ? c->err_msg : "failed");
    if (c->err_fields)
        json_object_set(e, "fields", c->err_fields);
    return e;
}

GxErr leads_convert_many(Ctx *c, json_t *ids, bool create_opportunity, json_t **out)
{
    *out = NULL;
    if (!json_is_array(ids) || !json_array_size(ids)) {
        ctx_field(c, "ids", "must be a non-empty list of lead ids");
        return c->err;
    }
    if (json_array_size(ids) > RECORD_LIMIT_MAX) {
        ctx_field(c, "ids", "may list at most %d leads at a time", RECORD_LIMIT_MAX);
        return c->err;
    }
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) if (!json_is_integer(v) || json_integer_value(v) <= 0)
    {
        ctx_field(c, "ids", "must be a list of record ids (positive integers)");
        return c->err;
    }
    json_t *data = json_array();
    int64_t ok = 0, failed = 0;
    json_array_foreach(ids, i, v)
    {
        json_t *one = NULL;
        int64_t id = json_integer_value(v);
        if (leads_convert(c, id, create_opportunity, 0, &one)) {
            json_array_append_new(data, json_pack("{s:I, s:o}", "lead_id", (json_int_t)id, "error", error_json(c)));
            ctx_clear(c);
            failed++;
        } else {
            json_array_append_new(data, one);
            ok++;
        }
    }
    *out = json_pack("{s:o, s:I, s:I}", "data", data, "converted", (json_int_t)ok, "failed", (json_int_t)failed);
    return GX_OK;
}
