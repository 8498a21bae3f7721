/* demo.c — demo data (placeholder until the demo generator lands). */
#include "../record/record.h"

GxErr demo_fill(Ctx *c, int customers)
{
    (void)customers;
    return ctx_fail(c, GX_EINTERNAL, "demo data is not available in this build yet");
}
