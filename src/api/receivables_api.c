/* receivables_api.c — the receivables report (应收账款), see
 * modules/sales/receivables.c for the figures:
 *
 *   GET /api/v1/reports/receivables           customers with what they owe
 *       ?sort=balance_due|overdue_amount|receivable_total|received_total|
 *        customer_name &dir=desc|asc &overdue=1 &due=1 &q=name part
 *        &limit=1..500 (50) &offset=
 *   GET /api/v1/reports/receivables/export    the same rows (all of them)
 *       as an Excel workbook, with a totals row
 *   GET /api/v1/reports/receivables/{id}      one customer: figures, and
 *       the orders and contracts behind them with their own figures */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "../base/util.h"
#include "../base/xlsxfile.h"
#include "../modules/sales/sales.h"
#include "api.h"

static const char *lang_text(Req *r, const char *zh, const char *en)
{
    return r->c.lang && !strcmp(r->c.lang, "en") ? en : zh;
}

/* The query of the list and the export; false after answering 422. */
static bool parse_query(Req *r, ReceivablesQuery *q, bool paged)
{
    memset(q, 0, sizeof *q);
    q->sort = http_query(r, "sort");
    const char *dir = http_query(r, "dir");
    q->desc = !dir || strcmp(dir, "asc");
    if (dir && strcmp(dir, "asc") && strcmp(dir, "desc"))
        ctx_field(&r->c, "dir", "%s", "asc or desc");
    const char *v = http_query(r, "overdue");
    q->overdue_only = v && !strcmp(v, "1");
    v = http_query(r, "due");
    q->due_only = v && !strcmp(v, "1");
    q->q = http_query(r, "q");
    q->limit = paged ? 50 : INT64_MAX;
    if (paged && (v = http_query(r, "limit")) && (!parse_i64(v, &q->limit) || q->limit < 1 || q->limit > 500))
        ctx_field(&r->c, "limit", "%s", "a number from 1 to 500");
    if (paged && (v = http_query(r, "offset")) && (!parse_i64(v, &q->offset) || q->offset < 0))
        ctx_field(&r->c, "offset", "%s", "a number from 0");
    if (q->sort && !sales_receivables_sort_valid(q->sort))
        ctx_field(&r->c, "sort", "%s",
                  "balance_due, overdue_amount, receivable_total, received_total or customer_name");
    if (r->c.err) {
        api_fail(r);
        return false;
    }
    return true;
}

static void h_list(Req *r)
{
    ReceivablesQuery q;
    json_t *out;
    if (!parse_query(r, &q, true))
        return;
    if (sales_receivables(&r->c, &q, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

static void h_customer(Req *r)
{
    int64_t id;
    json_t *out;
    if (!parse_i64(http_param(r, "id"), &id) || id <= 0) {
        ctx_fail(&r->c, GX_ENOTFOUND, "No such customer");
        return api_fail(r);
    }
    if (sales_receivable_customer(&r->c, id, &out))
        return api_fail(r);
    http_json(r, 200, out);
}

/* Money as an Excel number formula with its cached value (readers that do
 * not recalculate, such as LibreOffice, show the value). */
static void money_cell(Req *r, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int64_t fen, lxw_format *fmt)
{
    worksheet_write_formula_num(ws, row, col,
                                arena_printf(&r->arena, "=%s%lld.%02lld", fen < 0 ? "-" : "",
                                             (long long)(llabs(fen) / 100), (long long)(llabs(fen) % 100)),
                                fmt, (double)fen / 100.0);
}

static void h_export(Req *r)
{
    ReceivablesQuery q;
    json_t *rep;
    if (!parse_query(r, &q, false))
        return;
    if (sales_receivables(&r->c, &q, &rep))
        return api_fail(r);
    char path[] = "/tmp/guanxi-receivables-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        json_decref(rep);
        ctx_fail(&r->c, GX_EINTERNAL, "cannot create a temporary file");
        return api_fail(r);
    }
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, lang_text(r, "应收账款", "Receivables")) : NULL;
    if (!ws) {
        if (wb)
            workbook_close(wb);
        unlink(path);
        json_decref(rep);
        ctx_fail(&r->c, GX_EINTERNAL, "cannot create the workbook");
        return api_fail(r);
    }
    lxw_format *bold = workbook_add_format(wb), *money = workbook_add_format(wb), *bold_money = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_num_format(money, "#,##0.00");
    format_set_bold(bold_money);
    format_set_num_format(bold_money, "#,##0.00");
    static const char *keys[] = {"receivable_total", "received_total", "balance_due", "overdue_amount"};
    const char *heads[] = {lang_text(r, "客户", "Customer"), lang_text(r, "应收金额", "Receivable"),
                           lang_text(r, "已回款", "Received"), lang_text(r, "未收余额", "Balance due"),
                           lang_text(r, "逾期金额", "Overdue")};
    for (int k = 0; k < 5; k++)
        worksheet_write_string(ws, 0, (lxw_col_t)k, heads[k], bold);
    worksheet_set_column(ws, 0, 0, 36, NULL);
    worksheet_set_column(ws, 1, 4, 16, NULL);
    size_t i;
    json_t *x;
    json_t *data = json_object_get(rep, "data");
    json_array_foreach(data, i, x)
    {
        lxw_row_t row = (lxw_row_t)(i + 1);
        worksheet_write_string(ws, row, 0, json_string_value(json_object_get(x, "customer_name")), NULL);
        for (int k = 0; k < 4; k++)
            money_cell(r, ws, row, (lxw_col_t)(k + 1), json_integer_value(json_object_get(x, keys[k])), money);
    }
    lxw_row_t last = (lxw_row_t)(json_array_size(data) + 1);
    json_t *tot = json_object_get(rep, "totals");
    worksheet_write_string(ws, last, 0, lang_text(r, "合计", "Total"), bold);
    for (int k = 0; k < 4; k++)
        money_cell(r, ws, last, (lxw_col_t)(k + 1), json_integer_value(json_object_get(tot, keys[k])), bold_money);
    const char *as_of = arena_strdup(&r->arena, json_string_value(json_object_get(rep, "as_of")));
    json_decref(rep);
    if (xlsx_finish(&r->c, wb, path, &r->out)) {
        buf_clear(&r->out);
        return api_fail(r);
    }
    r->status = 200;
    r->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    http_add_header(r, "Content-Disposition",
                    arena_printf(&r->arena, "attachment; filename=\"receivables-%s.xlsx\"", as_of));
}

const Route receivables_api_routes[] = {
    {"GET", "/api/v1/reports/receivables", h_list, 0, NULL},
    {"GET", "/api/v1/reports/receivables/export", h_export, 0, NULL},
    {"GET", "/api/v1/reports/receivables/{id}", h_customer, 0, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
