/* app.h — wiring of the web application: the route table (API and UI), the
 * authentication step every request passes, and error rendering. */
#ifndef GX_APP_H
#define GX_APP_H

#include "../http/http.h"

typedef struct App {
    Db *db;            /* the database */
    bool behind_tls;   /* trust X-Forwarded-Proto from a local proxy */
} App;

/* Routes of the JSON API (api/), terminated by a NULL method. */
extern const Route api_routes[];
/* Routes of the web UI (ui/), terminated by a NULL method. */
extern const Route ui_routes[];
/* Routes of the access-administration pages (ui/admin.c). */
extern const Route admin_routes[];
/* Routes of the front desk: API (api/membership_api.c) and pages (ui/membership_*.c). */
extern const Route membership_api_routes[];
extern const Route membership_ui_routes[];
/* Territories, sales targets and customer value: API (api/sales_targets_api.c)
 * and pages (ui/sales_targets.c). */
extern const Route sales_targets_api_routes[];
extern const Route sales_targets_ui_routes[];
/* Sales funnel and forecast: API (api/sales_opps_api.c) and pages (ui/sales_opps.c). */
extern const Route sales_opps_api_routes[];
extern const Route sales_opps_ui_routes[];
/* Routes of contracts, payments and invoices (api/sales_money_api.c, ui/sales_money.c). */
extern const Route sales_money_api_routes[];
extern const Route sales_money_ui_routes[];
/* Quotes and orders: numbering settings (api/sales_docs_api.c) and pages (ui/sales_docs.c). */
extern const Route sales_docs_api_routes[];
extern const Route sales_docs_ui_routes[];
/* Routes of the credit area of sales: API (api/sales_credit_api.c) and pages (ui/sales_credit.c). */
extern const Route sales_credit_api_routes[];
extern const Route sales_credit_ui_routes[];

/* Attachments of records: API (api/attachments_api.c) and the record-page
 * panel (ui/attachments.c). */
extern const Route attachments_api_routes[];
extern const Route attachments_ui_routes[];
/* The receivables report: API (api/receivables_api.c) and pages (ui/receivables.c). */
extern const Route receivables_api_routes[];
extern const Route receivables_ui_routes[];

/* The combined table (UI first for "/", then API); built once. */
const Route *app_routes(void);

/* HttpConfig.before: session/token, principal, CSRF, capability. */
bool app_before(Req *r);

/* HttpConfig.render_error: JSON for the API, a page for the UI. */
void app_render_error(Req *r);

/* Write the JSON error body for r->c.err. */
void api_error(Req *r);

/* Register module hooks (users, roles …); call once at start-up. */
void modules_init(void);

/* UI error page (ui/). */
void ui_error_page(Req *r);

#endif
