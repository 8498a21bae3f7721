/* dupes.c — duplicate detection (查重) for customers, contacts and leads.
 *
 * Every record of a checked entity has its normalised keys in the side table
 * dup_keys (entity, kind, key, record_id): the name key (name without company
 * suffixes, bracketed parts, full-width forms, spaces, punctuation and case),
 * phone digits, lower-case e-mail and the credit code. A check is a handful
 * of index lookups, whatever the size of the table. The keys are kept by
 * after-create/after-update hooks (inside the record's transaction); trashed
 * records keep theirs and are skipped by the lookup, so a restore needs
 * nothing. Which fields feed which key comes from metadata: the title field,
 * every phone field, every e-mail field and a field named credit_code. */
#include <ctype.h>
#include <string.h>

#include "../base/log.h"
#include "../base/phone.h"
#include "../base/util.h"
#include "../record/record.h"
#include "modules.h"

/* Entities checked for duplicates (those not built yet are skipped). */
static const char *const dup_entities[] = {"customers", "contacts", "leads", NULL};

bool dupes_supported(const Entity *e)
{
    for (int i = 0; dup_entities[i]; i++)
        if (!strcmp(e->name, dup_entities[i]))
            return true;
    return false;
}

/* ---------- normalisation ---------- */

/* Decode one UTF-8 code point at *s (advancing it); invalid bytes are
 * returned as themselves. */
static uint32_t utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t cp;
    int n;
    if (p[0] < 0x80) {
        cp = p[0];
        n = 1;
    } else if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
        cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
        n = 2;
    } else if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
        cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        n = 3;
    } else if ((p[0] & 0xF8) == 0xF0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80) {
        cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) | ((uint32_t)(p[2] & 0x3F) << 6) |
             (p[3] & 0x3F);
        n = 4;
    } else {
        cp = p[0];
        n = 1;
    }
    *s += n;
    return cp;
}

static void utf8_put(Buf *b, uint32_t cp)
{
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_putc(b, (char)(0xC0 | (cp >> 6)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        buf_putc(b, (char)(0xE0 | (cp >> 12)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        buf_putc(b, (char)(0xF0 | (cp >> 18)));
        buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* Company-form words dropped from the end of a name (longest first; ASCII
 * ones are matched after lower-casing and dropping spaces and dots). */
static const char *const name_suffixes[] = {
    "股份有限公司", "有限责任公司", "有限公司",     "分公司",  "总公司",  "公司",  "集团", "股份",
    "有限",         "corporation",  "incorporated", "company", "limited", "group", "corp", "ltd",
    "inc",          "co",           "llc",          "plc",     "gmbh",    NULL};

/* Places a company name often starts with ("北京华为…" = "华为…(北京)"). */
static const char *const name_places[] = {
    "内蒙古", "黑龙江", "北京",   "上海", "天津", "重庆", "河北", "山西", "辽宁", "吉林", "江苏", "浙江",
    "安徽",   "福建",   "江西",   "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南",
    "陕西",   "甘肃",   "青海",   "台湾", "广西", "西藏", "宁夏", "新疆", "香港", "澳门", "深圳", "广州",
    "杭州",   "南京",   "武汉",   "成都", "西安", "苏州", "厦门", "青岛", "大连", "宁波", "长沙", "郑州",
    "济南",   "沈阳",   "哈尔滨", "长春", "合肥", "福州", "昆明", "南宁", NULL};

static bool ends_with(const char *s, size_t n, const char *suf, size_t *cut)
{
    size_t k = strlen(suf);
    if (k >= n || memcmp(s + n - k, suf, k))
        return false;
    *cut = k;
    return true;
}

char *dupes_name_key(Arena *a, const char *name)
{
    if (!name)
        return NULL;
    Buf b;
    buf_init(&b, a);
    int depth = 0; /* inside brackets */
    for (const char *s = name; *s;) {
        uint32_t cp = utf8_next(&s);
        if (cp >= 0xFF01 && cp <= 0xFF5E)
            cp -= 0xFEE0; /* full-width ASCII forms */
        if (cp == '(' || cp == '[' || cp == 0x3010 /* 【 */ || cp == 0x3014 /* 〔 */) {
            depth++;
            continue;
        }
        if (cp == ')' || cp == ']' || cp == 0x3011 || cp == 0x3015) {
            if (depth)
                depth--;
            continue;
        }
        if (depth)
            continue;
        if (cp < 0x80) {
            if (isalnum((int)cp))
                buf_putc(&b, (char)tolower((int)cp));
            continue; /* spaces, punctuation */
        }
        if (cp == 0x3000 || (cp >= 0x3001 && cp <= 0x3003) || cp == 0x00B7 || cp == 0x30FB || cp == 0x2014 ||
            cp == 0x2018 || cp == 0x2019 || cp == 0x201C || cp == 0x201D)
            continue; /* ideographic space and punctuation */
        utf8_put(&b, cp);
    }
    /* Drop company-form suffixes, repeatedly ("集团股份有限公司"), but never the whole name. */
    size_t n = b.len;
    for (bool again = true; again;) {
        again = false;
        for (int i = 0; name_suffixes[i]; i++) {
            size_t cut;
            if (ends_with(b.data, n, name_suffixes[i], &cut)) {
                n -= cut;
                again = true;
                break;
            }
        }
    }
    /* …and one leading place name with its 省/市. */
    size_t start = 0;
    for (int i = 0; name_places[i]; i++) {
        size_t k = strlen(name_places[i]);
        if (k < n && !memcmp(b.data, name_places[i], k)) {
            start = k;
            if (n - start > 3 && (!memcmp(b.data + start, "市", 3) || !memcmp(b.data + start, "省", 3)))
                start += 3;
            break;
        }
    }
    if (start >= n)
        start = 0;
    if (!n)
        return NULL;
    return arena_strndup(a, b.data + start, n - start);
}

char *dupes_phone_key(Arena *a, const char *phone)
{
    if (!phone)
        return NULL;
    /* The stored form (E.164) is the key, without an extension. */
    const char *why = NULL;
    char *e164 = phone_to_e164(a, phone, &why);
    if (e164) {
        char *ext = strchr(e164, ';');
        if (ext)
            *ext = 0;
        return e164;
    }
    /* Not a number phone_to_e164 accepts: its digits, China's prefix dropped. */
    char d[40];
    size_t n = 0;
    bool intl = false;
    const char *p = phone;
    while (*p == ' ')
        p++;
    if (*p == '+')
        intl = true;
    for (; *p && n < sizeof d - 1; p++) {
        if (*p == 'x' || *p == 'X' || *p == '#' || *p == ',')
            break; /* extension: not part of the key */
        if (isdigit((unsigned char)*p))
            d[n++] = *p;
    }
    d[n] = 0;
    const char *s = d;
    if (!intl && !strncmp(s, "00", 2)) {
        s += 2;
        intl = true;
    }
    /* China: +86 / 0086 / 86 before an 11-digit mobile. A landline in E.164
     * (+86 10 …) gets its trunk 0 back, matching the local form 010-…. */
    if (!strncmp(s, "86", 2) && (intl || (strlen(s) == 13 && s[2] == '1'))) {
        s += 2;
        if (*s != '1' && *s != '4' && *s != '8')
            return strlen(s) >= 5 ? arena_printf(a, "0%s", s) : NULL;
    }
    if (strlen(s) < 5)
        return NULL;
    return arena_strdup(a, s);
}

char *dupes_email_key(Arena *a, const char *email)
{
    if (!email)
        return NULL;
    while (*email == ' ')
        email++;
    if (!strchr(email, '@'))
        return NULL;
    char *k = arena_strdup(a, email);
    size_t n = strlen(k);
    while (n && k[n - 1] == ' ')
        k[--n] = 0;
    for (char *p = k; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return k;
}

char *dupes_code_key(Arena *a, const char *code)
{
    if (!code)
        return NULL;
    Buf b;
    buf_init(&b, a);
    for (const char *p = code; *p; p++)
        if (isalnum((unsigned char)*p))
            buf_putc(&b, (char)toupper((unsigned char)*p));
    return b.len ? b.data : NULL;
}

/* ---------- keys of a record ---------- */

/* One normalised key of a record. */
typedef struct DupKey {
    const char *kind; /* "name", "phone", "email", "credit_code" */
    const char *key;  /* normalised value */
} DupKey;

/* Which key kind a field feeds, or NULL. */
static const char *field_kind(const Entity *e, const Field *f)
{
    if (e->title_field && !strcmp(f->name, e->title_field))
        return "name";
    if (f->type == FT_PHONE)
        return "phone";
    if (f->type == FT_EMAIL)
        return "email";
    if (!strcmp(f->name, "credit_code"))
        return "credit_code";
    return NULL;
}

static char *key_of(Arena *a, const char *kind, const char *value)
{
    if (!value || !*value)
        return NULL;
    switch (kind[0]) {
    case 'n':
        return dupes_name_key(a, value);
    case 'p':
        return dupes_phone_key(a, value);
    case 'e':
        return dupes_email_key(a, value);
    default:
        return dupes_code_key(a, value);
    }
}

/* Keys of a record (JSON of field values), distinct; returns the count. */
static int record_keys(Arena *a, const Entity *e, json_t *rec, DupKey *out, int max)
{
    int n = 0;
    for (int i = 0; i < e->nfields && n < max; i++) {
        const Field *f = &e->fields[i];
        const char *kind = field_kind(e, f);
        if (!kind)
            continue;
        char *k = key_of(a, kind, json_string_value(json_object_get(rec, f->name)));
        if (!k)
            continue;
        bool seen = false;
        for (int j = 0; j < n; j++)
            seen |= !strcmp(out[j].kind, kind) && !strcmp(out[j].key, k);
        if (!seen)
            out[n++] = (DupKey){kind, k};
    }
    return n;
}

GxErr dupes_keys_write(Ctx *c, const Entity *e, int64_t id, json_t *rec, bool fresh)
{
    DbVal p[] = {dbv_text(e->name), dbv_int(id), dbv_null(), dbv_null()};
    if (!fresh && db_exec(c->db, "DELETE FROM dup_keys WHERE entity = $1 AND record_id = $2", p, 2) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot update the duplicate keys");
    DupKey keys[16];
    int n = record_keys(c->arena, e, rec, keys, 16);
    for (int i = 0; i < n; i++) {
        p[2] = dbv_text(keys[i].kind);
        p[3] = dbv_text(keys[i].key);
        if (db_exec(c->db,
                    "INSERT INTO dup_keys(entity, record_id, kind, key) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    p, 4) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot write the duplicate keys");
    }
    return GX_OK;
}

/* dupes_keys_write of fresh records, DUP_GROUP keys per INSERT. */
#define DUP_GROUP 64

GxErr dupes_keys_write_many(Ctx *c, const Entity *e, const int64_t *ids, json_t **recs, int n)
{
    DbVal p[1 + 3 * DUP_GROUP];
    p[0] = dbv_text(e->name);
    int m = 0;
    for (int i = 0; i <= n; i++) {
        DupKey keys[16];
        int nk = i < n && recs[i] ? record_keys(c->arena, e, recs[i], keys, 16) : 0;
        for (int k = 0; k <= nk; k++) {
            bool last = i == n && k == nk;
            if (k < nk) {
                p[1 + 3 * m] = dbv_int(ids[i]);
                p[2 + 3 * m] = dbv_text(keys[k].kind);
                p[3 + 3 * m] = dbv_text(keys[k].key);
                m++;
            }
            if (!m || (m < DUP_GROUP && !last))
                continue;
            Buf b;
            buf_init(&b, c->arena);
            buf_raw(&b, "INSERT INTO dup_keys(entity, record_id, kind, key) VALUES ");
            for (int j = 0; j < m; j++)
                buf_printf(&b, "%s($1, $%d, $%d, $%d)", j ? ", " : "", 2 + 3 * j, 3 + 3 * j, 4 + 3 * j);
            buf_raw(&b, " ON CONFLICT DO NOTHING");
            if (db_exec(c->db, b.data, p, 1 + 3 * m) != DB_OK)
                return ctx_fail(c, GX_EDB, "cannot write the duplicate keys");
            m = 0;
        }
    }
    return GX_OK;
}

static GxErr after_create(Ctx *c, HookArgs *a)
{
    /* An import writes the keys of its records a batch at a time
     * (dupes_keys_write_many). */
    if (record_bulk(c, a->e))
        return GX_OK;
    return dupes_keys_write(c, a->e, a->id, a->result, true);
}

static GxErr after_update(Ctx *c, HookArgs *a)
{
    bool changed = false;
    for (int i = 0; i < a->e->nfields && !changed; i++) {
        const Field *f = &a->e->fields[i];
        if (field_kind(a->e, f) && !json_equal(json_object_get(a->old, f->name), json_object_get(a->result, f->name)))
            changed = true;
    }
    return changed ? dupes_keys_write(c, a->e, a->id, a->result, false) : GX_OK;
}

/* ---------- lookup ---------- */

GxErr dupes_find(Ctx *c, const Entity *e, json_t *probe, int64_t exclude_id, json_t **out)
{
    *out = NULL;
    if (!dupes_supported(e))
        return ctx_fail(c, GX_ENOTFOUND, "%s are not checked for duplicates", e->name);
    if (acl_scope(c, e, ACT_READ) == SCOPE_NONE && acl_scope(c, e, ACT_CREATE) == SCOPE_NONE &&
        acl_scope(c, e, ACT_IMPORT) == SCOPE_NONE)
        return ctx_fail(c, GX_EDENIED, "You may not read %s", e->name);
    /* Probe keys: name, phone (also mobile), email, credit_code. */
    static const char *const probe_fields[][2] = {
        {"name", "name"}, {"phone", "phone"}, {"mobile", "phone"}, {"email", "email"}, {"credit_code", "credit_code"}};
    DupKey keys[8];
    int n = 0;
    for (size_t i = 0; i < sizeof probe_fields / sizeof probe_fields[0]; i++) {
        const char *v = json_string_value(json_object_get(probe, probe_fields[i][0]));
        char *k = key_of(c->arena, probe_fields[i][1], v);
        if (k)
            keys[n++] = (DupKey){probe_fields[i][1], k};
    }
    json_t *arr = json_array();
    if (!n) {
        *out = arr;
        return GX_OK;
    }
    const Field *title = e->title_field ? meta_field(e, e->title_field) : NULL;
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, arena_printf(c->arena,
                             "SELECT k.kind, t.id, t.owner_id, t.department_id, %s, u.name FROM dup_keys k"
                             " JOIN %s t ON t.id = k.record_id LEFT JOIN users u ON u.id = t.owner_id"
                             " WHERE k.entity = ", /* sql-ok: title column and table from metadata */
                             title ? arena_printf(c->arena, "t.%s", title->name) : "NULL", e->table));
    sql_param(&q, dbv_text(e->name));
    sql_raw(&q, " AND t.deleted_at IS NULL AND t.id <> ");
    sql_param(&q, dbv_int(exclude_id));
    sql_raw(&q, " AND (");
    for (int i = 0; i < n; i++) {
        sql_raw(&q, i ? " OR (k.kind = " : "(k.kind = ");
        sql_param(&q, dbv_text(keys[i].kind));
        sql_raw(&q, " AND k.key = ");
        sql_param(&q, dbv_text(keys[i].key));
        sql_raw(&q, ")");
    }
    sql_raw(&q, ") ORDER BY t.id LIMIT 200");
    DbRes *r;
    if (db_query(c->db, q.text.data, q.params, q.n, &r) != DB_OK) {
        json_decref(arr);
        return ctx_fail(c, GX_EDB, "cannot look for duplicates");
    }
    /* One entry per record, listing every key that matched. */
    json_t *by_id = json_object();
    while (db_next(r) == 1) {
        int64_t id = db_int(r, 1);
        char idk[32];
        snprintf(idk, sizeof idk, "%lld", (long long)id);
        json_t *m = json_object_get(by_id, idk);
        if (!m) {
            bool visible = acl_row_in_scope(c, e, ACT_READ, db_isnull(r, 2) ? 0 : db_int(r, 2),
                                            db_isnull(r, 3) ? 0 : db_int(r, 3));
            m = json_object();
            json_object_set_new(m, "visible", json_boolean(visible));
            json_object_set_new(m, "owner_name", db_text(r, 5) ? json_string(db_text(r, 5)) : json_null());
            json_object_set_new(m, "match", json_array());
            if (visible) {
                json_object_set_new(m, "id", json_integer(id));
                json_object_set_new(m, "title", db_text(r, 4) ? json_string(db_text(r, 4)) : json_null());
                json_object_set_new(m, "owner_id", db_isnull(r, 2) ? json_null() : json_integer(db_int(r, 2)));
            }
            json_object_set_new(by_id, idk, m);
            json_array_append(arr, m);
        }
        json_t *match = json_object_get(m, "match");
        const char *kind = db_text(r, 0);
        bool seen = false;
        size_t i;
        json_t *x;
        json_array_foreach(match, i, x) seen |= !strcmp(json_string_value(x), kind);
        if (!seen)
            json_array_append_new(match, json_string(kind));
    }
    db_done(r);
    json_decref(by_id);
    *out = arr;
    return GX_OK;
}

GxErr dupes_find_keys(Ctx *c, const Entity *e, const char *kind, const char *key, int64_t *id)
{
    *id = 0;
    Sql q;
    sql_init(&q, c->arena);
    sql_raw(&q, arena_printf(
                    c->arena,
                    "SELECT t.id FROM dup_keys k JOIN %s t ON t.id = k.record_id WHERE k.entity = ", /* sql-ok: table
                                                                                                        from metadata */
                    e->table));
    sql_param(&q, dbv_text(e->name));
    sql_raw(&q, " AND k.kind = ");
    sql_param(&q, dbv_text(kind));
    sql_raw(&q, " AND k.key = ");
    sql_param(&q, dbv_text(key));
    sql_raw(&q, " AND t.deleted_at IS NULL");
    acl_scope_predicate(c, e, ACT_EDIT, &q);
    sql_raw(&q, " ORDER BY t.id LIMIT 1");
    bool found;
    if (db_query_int(c->db, q.text.data, q.params, q.n, id, &found) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot look for duplicates");
    if (!found)
        *id = 0;
    return GX_OK;
}

/* ---------- schema ---------- */

/* Migration 3: the key table, filled from the records already stored. */
static GxErr dupes_migrate(Ctx *c, bool fresh)
{
    bool pg = db_dialect(c->db) == DB_PG;
    const char *ddl[] = {pg ? "CREATE TABLE dup_keys (entity TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, "
                              "record_id BIGINT NOT NULL,"
                              " PRIMARY KEY (entity, kind, key, record_id))"
                            : "CREATE TABLE dup_keys (entity TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, "
                              "record_id INTEGER NOT NULL,"
                              " PRIMARY KEY (entity, kind, key, record_id)) WITHOUT ROWID",
                         "CREATE INDEX dup_keys_record_idx ON dup_keys(entity, record_id)", NULL};
    for (int i = 0; ddl[i]; i++)
        if (db_exec(c->db, ddl[i], NULL, 0) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot create dup_keys: %s", db_errmsg(c->db));
    return fresh ? GX_OK : dupes_fill(c);
}

GxErr dupes_fill(Ctx *c)
{
    int64_t total = 0;
    for (int i = 0; dup_entities[i]; i++) {
        const Entity *e = meta_entity(dup_entities[i]);
        if (!e || !db_table_exists(c->db, e->table))
            continue;
        Sql q;
        sql_init(&q, c->arena);
        sql_raw(&q, "SELECT id");
        int nf = 0;
        const Field *fs[16];
        for (int k = 0; k < e->nfields && nf < 16; k++)
            if (field_kind(e, &e->fields[k]) && e->fields[k].since <= 3) {
                fs[nf++] = &e->fields[k];
                sql_raw(&q, arena_printf(c->arena, ", %s", e->fields[k].name));
            }
        sql_raw(&q,
                arena_printf(c->arena, " FROM %s ORDER BY id", e->table)); /* sql-ok: columns and table from metadata */
        /* A cursor on the entity table while inserting into dup_keys: fine on
         * SQLite (one connection) and PostgreSQL (the result is fetched first). */
        DbRes *r;
        if (db_query(c->db, q.text.data, NULL, 0, &r) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read %s: %s", e->name, db_errmsg(c->db));
        Arena tmp;
        arena_init(&tmp);
        Ctx sub = *c;
        sub.arena = &tmp;
        int s;
        GxErr rc = GX_OK;
        int64_t rows = 0;
        while ((s = db_next(r)) == 1) {
            json_t *rec = json_object();
            for (int k = 0; k < nf; k++)
                if (db_text(r, k + 1))
                    json_object_set_new(rec, fs[k]->name, json_string(db_text(r, k + 1)));
            rc = dupes_keys_write(&sub, e, db_int(r, 0), rec, true);
            json_decref(rec);
            if (rc)
                break;
            if (++rows % 4096 == 0) {
                arena_free(&tmp);
                arena_init(&tmp);
            }
        }
        db_done(r);
        arena_free(&tmp);
        if (rc) {
            c->err = sub.err;
            c->err_msg = sub.err_msg ? arena_strdup(c->arena, sub.err_msg) : NULL;
            return rc;
        }
        if (s < 0)
            return ctx_fail(c, GX_EDB, "cannot read %s", e->name);
        total += rows;
    }
    if (total)
        log_info("dup_keys: keys of %lld records", (long long)total);
    return GX_OK;
}

void dupes_module_init(void)
{
    ddl_step_add(3, "dup_keys", dupes_migrate);
    for (int i = 0; dup_entities[i]; i++) {
        if (!meta_entity(dup_entities[i]))
            continue;
        record_hook_add(dup_entities[i], HOOK_AFTER_CREATE, after_create);
        record_hook_add(dup_entities[i], HOOK_AFTER_UPDATE, after_update);
    }
}
