/* routes.c — the web UI's route table. Literal paths come before the
 * generic /app/{entity}/… patterns: the first match wins. */
#include "ui.h"

#define H ROUTE_HTML
#define M (ROUTE_HTML | ROUTE_MUTATES)

const Route ui_routes[] = {
    {"GET", "/static/", ui_static, ROUTE_PUBLIC | ROUTE_PREFIX, NULL},
    {"GET", "/login", ui_login_page, ROUTE_PUBLIC | H, NULL},
    {"POST", "/login", ui_login_post, ROUTE_PUBLIC | H, NULL},
    {"POST", "/logout", ui_logout, M, NULL},
    {"GET", "/", ui_home, H, NULL},
    {"GET", "/search", ui_search, H, NULL},
    {"GET", "/app/password", ui_password_page, H, NULL},
    {"POST", "/app/password", ui_password_post, M, NULL},
    {"POST", "/app/lang", ui_lang_post, M, NULL},
    {"POST", "/app/saved/{id}/favourite", ui_saved_favourite, M, NULL},
    {"POST", "/app/saved/{id}/delete", ui_saved_delete, M, NULL},
    {"GET", "/pool", ui_pool_page, H, NULL},
    {"POST", "/pool/{id}/claim", ui_pool_claim, M, NULL},
    {"POST", "/pool/{id}/assign", ui_pool_assign, M, NULL},
    {"POST", "/pool/{id}/release", ui_pool_release, M, NULL},
    {"POST", "/pool/{id}/lock", ui_pool_lock, M, NULL},
    {"POST", "/pool/{id}/unlock", ui_pool_unlock, M, NULL},
    {"GET", "/reminders", ui_reminders_page, H, NULL},
    {"POST", "/reminders/settings", ui_reminders_settings_post, M, NULL},
    {"GET", "/app/{entity}", ui_list_page, H, NULL},
    {"GET", "/app/{entity}/count", ui_list_count, H, NULL},
    {"GET", "/app/{entity}/options", ui_link_options, H, NULL},
    {"GET", "/app/{entity}/new", ui_form_new, H, NULL},
    {"POST", "/app/{entity}/new", ui_form_create, M, NULL},
    {"POST", "/app/{entity}/bulk", ui_list_bulk, M, NULL},
    {"POST", "/app/{entity}/saved", ui_saved_create, M, NULL},
    {"GET", "/app/{entity}/board/{field}", ui_kanban, H, NULL},
    {"GET", "/app/{entity}/board/{field}/totals", ui_kanban_totals, H, NULL},
    /* answers JSON to app.js: not ROUTE_HTML, so errors are JSON too */
    {"POST", "/app/{entity}/board/{field}/move", ui_kanban_move, ROUTE_MUTATES, NULL},
    {"GET", "/app/{entity}/calendar/{field}", ui_calendar, H, NULL},
    {"GET", "/app/{entity}/{id}", ui_detail, H, NULL},
    {"GET", "/app/{entity}/{id}/edit", ui_form_edit, H, NULL},
    {"POST", "/app/{entity}/{id}/edit", ui_form_update, M, NULL},
    {"GET", "/app/{entity}/{id}/field/{field}", ui_inline_get, H, NULL},
    {"POST", "/app/{entity}/{id}/field/{field}", ui_inline_post, M, NULL},
    {"POST", "/app/{entity}/{id}/delete", ui_detail_delete, M, NULL},
    {"POST", "/app/{entity}/{id}/transfer", ui_detail_transfer, M, NULL},
    {"POST", "/app/{entity}/{id}/activity", ui_detail_activity, M, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
