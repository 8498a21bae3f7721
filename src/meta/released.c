/* released.c — the entities and fields of the migrations that have shipped.
 *
 * A migration, once released, is never edited (ARCHITECTURE §4): a database
 * that recorded it will not run it again, so a field added to it afterwards
 * would never reach that database. meta_load checks the schema files against
 * this list and refuses to start when a new entity or field claims a
 * released migration number, or a released field changed its type.
 *
 * When a release ships, raise MIGRATIONS_RELEASED and append the entities
 * and fields of the new migrations here (entity, field or NULL for the
 * entity itself, migration that created it, type as in the schema files). */
#include <string.h>

#include "../base/util.h"
#include "meta.h"

#define MIGRATIONS_RELEASED 2

typedef struct Released {
    const char *entity, *field;
    int since;
    const char *type;
} Released;

static const Released released[] = {
    {"activities", NULL, 1, NULL},
    {"activities", "subject", 1, "string"},
    {"activities", "kind", 1, "enum"},
    {"activities", "related", 1, "parent"},
    {"activities", "contact_id", 1, "link"},
    {"activities", "occurred_at", 1, "datetime"},
    {"activities", "duration_min", 1, "int"},
    {"activities", "content", 1, "text"},
    {"activities", "next_step", 1, "string"},
    {"activities", "next_at", 1, "datetime"},
    {"comments", NULL, 1, NULL},
    {"comments", "related", 1, "parent"},
    {"comments", "body", 1, "text"},
    {"contacts", NULL, 1, NULL},
    {"contacts", "name", 1, "string"},
    {"contacts", "customer_id", 1, "link"},
    {"contacts", "title", 1, "string"},
    {"contacts", "dept", 1, "string"},
    {"contacts", "superior_id", 1, "link"},
    {"contacts", "decision_role", 1, "enum"},
    {"contacts", "influence", 1, "enum"},
    {"contacts", "mobile", 1, "phone"},
    {"contacts", "phone", 1, "phone"},
    {"contacts", "email", 1, "email"},
    {"contacts", "wechat", 1, "string"},
    {"contacts", "preferred_channel", 1, "enum"},
    {"contacts", "gender", 1, "enum"},
    {"contacts", "birthday", 1, "date"},
    {"contacts", "is_primary", 1, "bool"},
    {"contacts", "personal", 1, "bool"},
    {"contacts", "notes", 1, "text"},
    {"customers", NULL, 1, NULL},
    {"customers", "name", 1, "string"},
    {"customers", "code", 1, "auto_number"},
    {"customers", "kind", 1, "enum"},
    {"customers", "customer_type", 1, "enum"},
    {"customers", "level", 1, "enum"},
    {"customers", "source", 1, "enum"},
    {"customers", "industry", 1, "enum"},
    {"customers", "region", 1, "string"},
    {"customers", "status", 1, "enum"},
    {"customers", "lifecycle", 1, "enum"},
    {"customers", "credit_code", 1, "string"},
    {"customers", "phone", 1, "phone"},
    {"customers", "email", 1, "email"},
    {"customers", "website", 1, "url"},
    {"customers", "address", 1, "address"},
    {"customers", "credit_limit", 1, "money"},
    {"customers", "tags", 1, "string"},
    {"customers", "next_follow_up", 1, "datetime"},
    {"customers", "notes", 1, "text"},
    {"departments", NULL, 1, NULL},
    {"departments", "name", 1, "string"},
    {"departments", "parent_id", 1, "link"},
    {"departments", "manager_id", 1, "link"},
    {"departments", "code", 1, "string"},
    {"departments", "notes", 1, "text"},
    {"notifications", NULL, 1, NULL},
    {"notifications", "title", 1, "string"},
    {"notifications", "body", 1, "text"},
    {"notifications", "kind", 1, "enum"},
    {"notifications", "related", 1, "parent"},
    {"notifications", "read", 1, "bool"},
    {"roles", NULL, 1, NULL},
    {"roles", "code", 1, "string"},
    {"roles", "name", 1, "string"},
    {"roles", "is_admin", 1, "bool"},
    {"roles", "permissions", 1, "json"},
    {"roles", "field_rules", 1, "json"},
    {"roles", "description", 1, "text"},
    {"saved_queries", NULL, 2, NULL},
    {"saved_queries", "name", 2, "string"},
    {"saved_queries", "entity", 2, "string"},
    {"saved_queries", "filter", 2, "json"},
    {"saved_queries", "sort", 2, "string"},
    {"saved_queries", "columns", 2, "json"},
    {"saved_queries", "shared", 2, "bool"},
    {"saved_queries", "favourite", 2, "bool"},
    {"users", NULL, 1, NULL},
    {"users", "username", 1, "string"},
    {"users", "name", 1, "string"},
    {"users", "password", 1, "string"},
    {"users", "department_id", 1, "link"},
    {"users", "position", 1, "string"},
    {"users", "staff_type", 1, "enum"},
    {"users", "phone", 1, "phone"},
    {"users", "email", 1, "email"},
    {"users", "active", 1, "bool"},
    {"users", "role_ids", 1, "link_multiple"},
    {"users", "lang", 1, "enum"},
    {"users", "time_zone", 1, "string"},
};

static const Released *find(const char *entity, const char *field)
{
    for (size_t i = 0; i < sizeof released / sizeof released[0]; i++)
        if (!strcmp(released[i].entity, entity) &&
            (field ? released[i].field && !strcmp(released[i].field, field) : !released[i].field))
            return &released[i];
    return NULL;
}

int meta_released(void) { return MIGRATIONS_RELEASED; }

void meta_check_released(const Entity *const *all, int n)
{
    const int R = MIGRATIONS_RELEASED;
    for (int i = 0; i < n; i++) {
        const Entity *e = all[i];
        const Released *r = find(e->name, NULL);
        if (e->since <= R && (!r || r->since != e->since))
            gx_die("schema %s: migrations 1-%d have shipped and cannot change; a new entity needs \"since\": %d", e->name,
                   R, R + 1);
        for (int k = 0; k < e->nfields; k++) {
            const Field *f = &e->fields[k];
            int created = f->rename_from ? e->since : f->since;
            if (f->rename_from && f->since <= R)
                gx_die("schema %s.%s: migrations 1-%d have shipped; a rename needs \"since\": %d", e->name, f->name, R,
                       R + 1);
            if (created > R)
                continue;
            const Released *rf = find(e->name, f->rename_from ? f->rename_from : f->name);
            if (!rf || rf->since != created)
                gx_die("schema %s.%s: migrations 1-%d have shipped and cannot change; a new field needs \"since\": %d",
                       e->name, f->name, R, R + 1);
            if (strcmp(rf->type, meta_type_name(f->type)))
                gx_die("schema %s.%s: released as %s; a column's type cannot change (add a new field)", e->name, f->name,
                       rf->type);
        }
    }
}
