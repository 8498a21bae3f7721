/* enum_labels.c — pick lists that are enum fields (客户级别, 生命周期,
 * 联系人类别, 线索质量 …): the stored value is the option's stable code from
 * the schema; administrators edit the labels (Chinese and English), the
 * order and whether an option is offered for new input. The edits live in
 * the enum_labels table; metadata stays read-only, and every process keeps
 * one immutable snapshot of the table, replaced as a whole when the
 * "enum_labels" sequence moves (checked at most once a second, at once after
 * a save in this process). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../acl/acl.h"
#include "../base/util.h"
#include "../record/record.h"
#include "modules.h"

/* The fields whose options administrators may edit. */
static const char *const editable[][2] = {
    {"customers", "level"},        {"customers", "lifecycle"}, {"customers", "status"}, {"contacts", "category"},
    {"contacts", "decision_role"}, {"contacts", "influence"},  {"leads", "quality"},    {"leads", "status"},
    {"activities", "kind"},        {"tasks", "priority"},
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *snapshot; /* {"entity.field": {value: {"zh","en","sort","active"}}}, never mutated */
static int64_t snapshot_version = -1;
static int64_t checked_ms; /* when the sequence was last read */

static GxErr create_table(Ctx *c, bool fresh)
{
    (void)fresh;
    if (db_exec(c->db,
                "CREATE TABLE enum_labels (entity TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,"
                " label_zh TEXT NOT NULL, label_en TEXT NOT NULL, sort INTEGER NOT NULL, active INTEGER NOT NULL,"
                " PRIMARY KEY (entity, field, value))",
                NULL, 0) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot create enum_labels: %s", db_errmsg(c->db));
    return GX_OK;
}

void enum_labels_module_init(void)
{
    ddl_step_add(3, "enum_labels table", create_table);
}

bool enum_labels_editable(const Entity *e, const Field *f)
{
    if (!e || !f || f->type != FT_ENUM)
        return false;
    for (size_t i = 0; i < sizeof editable / sizeof editable[0]; i++)
        if (!strcmp(editable[i][0], e->name) && !strcmp(editable[i][1], f->name))
            return true;
    return false;
}

int enum_labels_fields(const Entity **es, const Field **fs, int max)
{
    int n = 0;
    for (size_t i = 0; i < sizeof editable / sizeof editable[0] && n < max; i++) {
        const Entity *e = meta_entity(editable[i][0]);
        const Field *f = e ? meta_field(e, editable[i][1]) : NULL;
        if (f && f->type == FT_ENUM) {
            es[n] = e;
            fs[n] = f;
            n++;
        }
    }
    return n;
}

static int64_t stored_version(Ctx *c)
{
    int64_t v = 0;
    bool found = false;
    if (db_query_int(c->db, "SELECT value FROM sequences WHERE name = 'enum_labels'", NULL, 0, &v, &found) != DB_OK)
        return -1;
    return found ? v : 0;
}

/* Read the table into a new snapshot (NULL on a database error). */
static json_t *load(Ctx *c)
{
    DbRes *res;
    if (db_query(c->db, "SELECT entity, field, value, label_zh, label_en, sort, active FROM enum_labels", NULL, 0,
                 &res) != DB_OK)
        return NULL;
    json_t *s = json_object();
    while (db_next(res) == 1) {
        const char *key = arena_printf(c->arena, "%s.%s", db_text(res, 0), db_text(res, 1));
        json_t *per = json_object_get(s, key);
        if (!per) {
            per = json_object();
            json_object_set_new(s, key, per);
        }
        json_object_set_new(per, db_text(res, 2),
                            json_pack("{s:s, s:s, s:I, s:b}", "zh", db_text(res, 3), "en", db_text(res, 4), "sort",
                                      (json_int_t)db_int(res, 5), "active", db_int(res, 6) != 0));
    }
    db_done(res);
    return s;
}

/* The current snapshot (a new reference), refreshed when stale. */
static json_t *current(Ctx *c, bool force)
{
    int64_t now = time_now_ms();
    pthread_mutex_lock(&lock);
    bool check = force || !snapshot || now - checked_ms >= 1000;
    json_t *s = json_incref(snapshot);
    pthread_mutex_unlock(&lock);
    if (!check)
        return s;
    int64_t v = stored_version(c);
    if (v < 0) /* no table yet (an old schema): no edits */
        return s ? s : json_object();
    if (s && v == snapshot_version) {
        pthread_mutex_lock(&lock);
        checked_ms = now;
        pthread_mutex_unlock(&lock);
        return s;
    }
    json_t *fresh = load(c);
    if (!fresh)
        return s ? s : json_object();
    json_decref(s);
    pthread_mutex_lock(&lock);
    json_t *old = snapshot;
    snapshot = json_incref(fresh);
    snapshot_version = v;
    checked_ms = now;
    pthread_mutex_unlock(&lock);
    json_decref(old);
    return fresh;
}

/* Entity owning field f (fields are stored per entity). */
static const Entity *entity_of(const Field *f)
{
    int n;
    const Entity *const *all = meta_entities(&n);
    for (int i = 0; i < n; i++)
        if (f >= all[i]->fields && f < all[i]->fields + all[i]->nfields)
            return all[i];
    return NULL;
}

const char *enum_labels_label(Ctx *c, const Field *f, const char *value, const char *lang)
{
    const EnumOption *o = value ? meta_option(f, value) : NULL;
    if (!o)
        return NULL;
    const char *dflt = meta_label(&o->label, lang);
    const Entity *e = entity_of(f);
    if (!enum_labels_editable(e, f))
        return dflt;
    json_t *s = current(c, false);
    json_t *ov = json_object_get(json_object_get(s, arena_printf(c->arena, "%s.%s", e->name, f->name)), value);
    const char *l = json_string_value(json_object_get(ov, lang && !strcmp(lang, "en") ? "en" : "zh"));
    const char *out = l && *l ? arena_strdup(c->arena, l) : dflt;
    json_decref(s);
    return out;
}

static int cmp_option(const void *a, const void *b)
{
    const EnumLabel *x = a, *y = b;
    return x->sort < y->sort ? -1 : x->sort > y->sort ? 1 : x->index - y->index;
}

int enum_labels_options(Ctx *c, const Field *f, const char *lang, EnumLabel **out)
{
    EnumLabel *a = arena_calloc(c->arena, (size_t)(f->noptions ? f->noptions : 1), sizeof *a);
    const Entity *e = entity_of(f);
    json_t *s = enum_labels_editable(e, f) ? current(c, false) : NULL;
    json_t *per = s ? json_object_get(s, arena_printf(c->arena, "%s.%s", e->name, f->name)) : NULL;
    for (int i = 0; i < f->noptions; i++) {
        json_t *ov = json_object_get(per, f->options[i].value);
        const char *l = json_string_value(json_object_get(ov, lang && !strcmp(lang, "en") ? "en" : "zh"));
        a[i].value = f->options[i].value;
        a[i].label = l && *l ? arena_strdup(c->arena, l) : meta_label(&f->options[i].label, lang);
        a[i].sort = ov ? json_integer_value(json_object_get(ov, "sort")) : (i + 1) * 10;
        a[i].active = ov ? json_is_true(json_object_get(ov, "active")) : true;
        a[i].index = i;
    }
    json_decref(s);
    qsort(a, (size_t)f->noptions, sizeof *a, cmp_option);
    *out = a;
    return f->noptions;
}

GxErr enum_labels_save(Ctx *c, const Entity *e, const Field *f, json_t *rows)
{
    if (!acl_is_admin(c))
        return ctx_fail(c, GX_EDENIED, "Only administrators may edit pick lists");
    if (!enum_labels_editable(e, f))
        return ctx_fail(c, GX_ENOTFOUND, "This field has no editable pick list");
    if (!json_is_object(rows))
        return ctx_fail(c, GX_EBADREQ, "The options must be an object by value");
    /* Validate everything before writing anything. */
    const char *value;
    json_t *row;
    json_object_foreach(rows, value, row)
    {
        if (!meta_option(f, value)) {
            ctx_field(c, value, "is not an option of %s", f->name);
            continue;
        }
        const char *zh = json_string_value(json_object_get(row, "zh"));
        const char *en = json_string_value(json_object_get(row, "en"));
        json_t *sort = json_object_get(row, "sort");
        if (!zh || !*zh || utf8_len(zh) > 60)
            ctx_field(c, value, "needs a Chinese label of 1 to 60 characters");
        else if (!en || !*en || utf8_len(en) > 60)
            ctx_field(c, value, "needs an English label of 1 to 60 characters");
        else if (sort && (!json_is_integer(sort) || json_integer_value(sort) < 0 || json_integer_value(sort) > 100000))
            ctx_field(c, value, "order must be a whole number from 0 to 100000");
    }
    if (c->err)
        return c->err;
    if (db_begin(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot start a transaction");
    GxErr rc = GX_OK;
    json_t *diff = json_object();
    json_object_foreach(rows, value, row)
    {
        int idx = (int)(meta_option(f, value) - f->options);
        json_t *sort = json_object_get(row, "sort");
        DbVal del[] = {dbv_text(e->name), dbv_text(f->name), dbv_text(value)};
        DbVal ins[] = {dbv_text(e->name),
                       dbv_text(f->name),
                       dbv_text(value),
                       dbv_text(json_string_value(json_object_get(row, "zh"))),
                       dbv_text(json_string_value(json_object_get(row, "en"))),
                       dbv_int(sort ? json_integer_value(sort) : (idx + 1) * 10),
                       dbv_int(json_is_false(json_object_get(row, "active")) ? 0 : 1)};
        if (db_exec(c->db, "DELETE FROM enum_labels WHERE entity = $1 AND field = $2 AND value = $3", del, 3) !=
                DB_OK ||
            db_exec(c->db,
                    "INSERT INTO enum_labels(entity, field, value, label_zh, label_en, sort, active)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    ins, 7) != DB_OK) {
            rc = ctx_fail(c, GX_EDB, "cannot store the pick list: %s", db_errmsg(c->db));
            break;
        }
        json_object_set(diff, value, row);
    }
    if (!rc && db_exec(c->db,
                       "INSERT INTO sequences(name, value) VALUES ('enum_labels', 1)"
                       " ON CONFLICT(name) DO UPDATE SET value = sequences.value + 1",
                       NULL, 0) != DB_OK)
        rc = ctx_fail(c, GX_EDB, "cannot record the change");
    if (!rc) {
        json_t *audit = json_pack("{s:s, s:O}", "field", f->name, "options", diff);
        rc = audit_write(c, "picklist", e->name, 0, audit);
        json_decref(audit);
    }
    json_decref(diff);
    if (rc) {
        db_rollback(c->db);
        return rc;
    }
    if (db_commit(c->db) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot commit");
    json_decref(current(c, true));
    return GX_OK;
}

void enum_labels_free(void)
{
    pthread_mutex_lock(&lock);
    json_decref(snapshot);
    snapshot = NULL;
    snapshot_version = -1;
    pthread_mutex_unlock(&lock);
}
