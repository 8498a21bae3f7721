/* membership_desk.c — front-desk pages (placeholder table). */
#include "ui.h"

const Route membership_ui_routes[] = {
    {NULL, NULL, NULL, 0, NULL},
};
