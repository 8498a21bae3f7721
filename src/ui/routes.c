/* routes.c — the web UI's route table. */
#include "../app/app.h"

const Route ui_routes[] = {
    {NULL, NULL, NULL, 0, NULL},
};
