/* sales_opps_api.c — the sales funnel and the weighted forecast as JSON:
 *
 *   GET /api/v1/reports/funnel?from=&to=&owner_id=&department_id=
 *   GET /api/v1/reports/forecast?group=month|owner|department&from=&to=&owner_id=&department_id=
 *
 * Both cover the opportunities the caller may read (modules/sales/funnel.c). */
#include <string.h>

#include "../base/util.h"
#include "../modules/sales/sales.h"
#include "api.h"

/* Read the common parameters; false (422 answered) when one is malformed. */
static bool report_query(Req *r, SalesReportQuery *q)
{
    memset(q, 0, sizeof *q);
    const char *from = http_query(r, "from"), *to = http_query(r, "to");
    q->from = from && *from ? from : NULL;
    q->to = to && *to ? to : NULL;
    static const char *const ids[] = {"owner_id", "department_id"};
    int64_t *dst[] = {&q->owner_id, &q->department_id};
    for (int i = 0; i < 2; i++) {
        const char *v = http_query(r, ids[i]);
        if (!v || !*v)
            continue;
        if (!parse_i64(v, dst[i]) || *dst[i] <= 0)
            ctx_field(&r->c, ids[i], "must be a record id (positive integer)");
    }
    if (r->c.err) {
        api_fail(r);
        return false;
    }
    return true;
}

static void h_funnel(Req *r)
{
    SalesReportQuery q;
    if (!report_query(r, &q))
        return;
    json_t *out;
    if (sales_funnel(&r->c, &q, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

static void h_forecast(Req *r)
{
    SalesReportQuery q;
    if (!report_query(r, &q))
        return;
    json_t *out;
    const char *group = http_query(r, "group");
    if (sales_forecast(&r->c, &q, group && *group ? group : NULL, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

const Route sales_opps_api_routes[] = {
    {"GET", "/api/v1/reports/funnel", h_funnel, 0, NULL},
    {"GET", "/api/v1/reports/forecast", h_forecast, 0, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
