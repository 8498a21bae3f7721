/* audit.c — the audit log writer and the engine's clock (see record.h). */
#include <stdlib.h>

#include "../base/util.h"
#include "record.h"

const char *record_now(Ctx *c)
{
    char buf[64];
    time_format_ms(time_now_ms(), buf);
    return arena_strdup(c->arena, buf);
}

GxErr audit_write(Ctx *c, const char *action, const char *entity, int64_t record_id, json_t *diff)
{
    char *text = diff ? json_dumps(diff, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    DbVal p[] = {
        dbv_text(record_now(c)),
        c->who ? dbv_int(c->who->user_id) : dbv_null(),
        dbv_text(c->ip),
        dbv_text(action),
        dbv_text(entity),
        record_id ? dbv_int(record_id) : dbv_null(),
        dbv_text(text),
    };
    int rc = db_exec(c->db,
                     "INSERT INTO audit_log(at, user_id, ip, action, entity, record_id, diff) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                     p, 7);
    free(text);
    if (rc != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot write the audit log");
    return GX_OK;
}
