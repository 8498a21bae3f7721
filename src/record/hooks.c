/* hooks.c — the hook table modules register into (see record.h). Filled at
 * start-up before any request, read-only afterwards. */
#include <string.h>

#include "record.h"

#define MAX_HOOKS 128

static struct {
    const char *entity;
    HookEvent ev;
    RecordHook fn;
} hooks[MAX_HOOKS];
static int nhooks;

void record_hook_add(const char *entity, HookEvent ev, RecordHook fn)
{
    if (nhooks == MAX_HOOKS)
        gx_die("too many record hooks");
    for (int i = 0; i < nhooks; i++)
        if (hooks[i].fn == fn && hooks[i].ev == ev && !strcmp(hooks[i].entity, entity))
            return; /* registering twice is harmless */
    hooks[nhooks].entity = entity;
    hooks[nhooks].ev = ev;
    hooks[nhooks].fn = fn;
    nhooks++;
}

GxErr record_hooks_run(Ctx *c, HookEvent ev, HookArgs *a)
{
    for (int i = 0; i < nhooks; i++) {
        if (hooks[i].ev != ev || (strcmp(hooks[i].entity, a->e->name) && strcmp(hooks[i].entity, "*")))
            continue;
        GxErr rc = hooks[i].fn(c, a);
        if (rc != GX_OK) {
            if (c->err == GX_OK)
                ctx_fail(c, rc, "rejected by %s rules", a->e->name);
            return rc;
        }
        if (c->err != GX_OK)
            return c->err;
    }
    return GX_OK;
}
