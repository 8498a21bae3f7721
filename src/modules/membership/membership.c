/* membership.c — registration of the front-desk module (see membership.h). */
#include "internal.h"

void membership_module_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    ms_members_init();
    ms_bookings_init();
    ms_checkouts_init();
    ms_reminders_init();
    ms_summary_init();
    ms_points_init();
}
