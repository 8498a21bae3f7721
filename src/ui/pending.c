/* pending.c — pages not written yet answer 404. */
#include "ui.h"

#define PENDING(fn)                                          \
    void fn(Req *r)                                          \
    {                                                        \
        ctx_fail(&r->c, GX_ENOTFOUND, "Not available yet");  \
        ui_fail(r);                                          \
    }
PENDING(ui_link_options)
PENDING(ui_form_new)
PENDING(ui_form_create)
PENDING(ui_form_edit)
PENDING(ui_form_update)
PENDING(ui_detail)
PENDING(ui_detail_delete)
PENDING(ui_detail_transfer)
PENDING(ui_detail_activity)
PENDING(ui_inline_get)
PENDING(ui_inline_post)
PENDING(ui_kanban)
PENDING(ui_kanban_move)
PENDING(ui_calendar)
