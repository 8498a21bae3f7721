/* money_settings.c — the company profile (the seller on invoices) and the
 * contract approval threshold, kept in app_settings (see sales.h). */
#include <string.h>

#include "../../base/creditcode.h"
#include "money.h"

static const char *const company_keys[] = {"name", "tax_id", "address_phone", "bank_account", NULL};
static const int company_max[] = {200, 20, 300, 300};

GxErr sales_company_get(Ctx *c, json_t **out)
{
    *out = json_object();
    for (int i = 0; company_keys[i]; i++) {
        const char *v = mn_setting_text(c, arena_printf(c->arena, "company.%s", company_keys[i]));
        json_object_set_new(*out, company_keys[i], v ? json_string(v) : json_null());
    }
    return GX_OK;
}

GxErr sales_company_set(Ctx *c, json_t *in, json_t **out)
{
    *out = NULL;
    if (!acl_is_admin(c))
        return ctx_fail(c, GX_EDENIED, "Only administrators may change the company profile");
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v)
    {
        int k = -1;
        for (int i = 0; company_keys[i]; i++)
            if (!strcmp(key, company_keys[i]))
                k = i;
        if (k < 0) {
            ctx_field(c, key, "is not a company setting (name, tax_id, address_phone, bank_account)");
            continue;
        }
        if (!json_is_null(v) && (!json_is_string(v) || strlen(json_string_value(v)) > (size_t)company_max[k] * 3)) {
            ctx_field(c, key, "must be a short text or null");
            continue;
        }
        if (k == 1 && json_is_string(v) && *json_string_value(v)) {
            char *s = arena_strdup(c->arena, json_string_value(v));
            if (credit_code_check(s, NULL) != CREDIT_OK)
                ctx_field(c, key, "%s", mn_msg(c, "不是有效的统一社会信用代码", "is not a valid unified social credit code"));
        }
    }
    if (c->err)
        return c->err;
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    GxErr rc = GX_OK;
    json_object_foreach(in, key, v)
    {
        const char *s = json_string_value(v);
        if (s && !strcmp(key, "tax_id")) {
            char *t = arena_strdup(c->arena, s);
            credit_code_check(t, NULL);
            s = t;
        }
        if ((rc = mn_setting_put(c, arena_printf(c->arena, "company.%s", key), s && *s ? s : NULL)))
            break;
    }
    if (!rc)
        rc = audit_write(c, "settings", "company", 0, in);
    if (rc || db_commit(c->db) != DB_OK) {
        db_rollback(c->db);
        return rc ? rc : ctx_fail(c, GX_EDB, "cannot commit");
    }
    return sales_company_get(c, out);
}

GxErr sales_contract_settings_get(Ctx *c, json_t **out)
{
    int64_t v = mn_contract_threshold(c);
    *out = json_pack("{s:o}", "approval_above", v >= 0 ? json_integer(v) : json_null());
    return GX_OK;
}

GxErr sales_contract_settings_set(Ctx *c, json_t *in, json_t **out)
{
    *out = NULL;
    if (!acl_is_admin(c))
        return ctx_fail(c, GX_EDENIED, "Only administrators may change the contract settings");
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v) if (strcmp(key, "approval_above")) ctx_field(c, key, "is not a contract setting");
    v = json_object_get(in, "approval_above");
    if (!v)
        ctx_field(c, "approval_above", "is required (fen, or null for no approval)");
    else if (!json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 0))
        ctx_field(c, "approval_above", "must be an amount in fen (0 or more) or null");
    if (c->err)
        return c->err;
    GxErr rc = mn_setting_put(c, "contracts.approval_above",
                              json_is_null(v) ? NULL : arena_printf(c->arena, "%lld", (long long)json_integer_value(v)));
    if (rc)
        return rc;
    audit_write(c, "settings", "contracts", 0, in);
    return sales_contract_settings_get(c, out);
}
