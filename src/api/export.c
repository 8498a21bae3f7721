/* export.c — GET /api/v1/{entity}/export?format=csv|xlsx with the list's
 * filters: the rows the user may export (ACT_EXPORT scope), the fields they
 * may see, values as people read them (money in yuan, enum labels, dates in
 * UTC+8). Audited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "../base/util.h"
#include "../modules/modules.h"
#include "api.h"

#define EXPORT_MAX_ROWS 100000

void api_export_vcf(Req *r, const Entity *e, ListQuery *lq);

/* Columns exported for e: id plus visible, non-secret fields. */
static int export_columns(Req *r, const Entity *e, const Field **cols, int max)
{
    int n = 0;
    for (int i = 0; i < e->nfields && n < max; i++) {
        const Field *f = &e->fields[i];
        if (f->write_only || f->type == FT_PARENT || f->type == FT_JSON ||
            acl_field(&r->c, e, f->name) == FIELD_HIDDEN)
            continue;
        cols[n++] = f;
    }
    return n;
}

/* Text of one value as a person reads it (arena string), or NULL when empty. */
static const char *cell_text(Req *r, const Field *f, json_t *v)
{
    if (!v || json_is_null(v))
        return NULL;
    switch (f->type) {
    case FT_MONEY: {
        int64_t fen = json_integer_value(v);
        uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
        return arena_printf(&r->arena, "%s%llu.%02llu", fen < 0 ? "-" : "", (unsigned long long)(a / 100),
                            (unsigned long long)(a % 100));
    }
    case FT_ENUM: {
        /* the administrator's label when the pick list was edited */
        const char *l = enum_labels_label(&r->c, f, json_string_value(v), r->c.lang);
        return l ? l : json_string_value(v);
    }
    case FT_BOOL: return json_is_true(v) ? (r->c.lang[0] == 'e' ? "Yes" : "是") : (r->c.lang[0] == 'e' ? "No" : "否");
    case FT_DATETIME: {
        int64_t t;
        if (!time_parse_rfc3339(json_string_value(v), &t))
            return json_string_value(v);
        char b[64];
        time_format_s(t + 8 * 3600, b); /* shown in Asia/Shanghai */
        b[10] = ' ';
        b[19] = 0;
        return arena_strdup(&r->arena, b);
    }
    case FT_ADDRESS: {
        static const char *parts[] = {"country", "province", "city", "district", "street", "postcode", NULL};
        Buf b;
        buf_init(&b, &r->arena);
        for (int i = 0; parts[i]; i++) {
            const char *p = json_string_value(json_object_get(v, parts[i]));
            if (p && *p) {
                if (b.len)
                    buf_putc(&b, ' ');
                buf_raw(&b, p);
            }
        }
        return b.data;
    }
    default:
        if (json_is_string(v))
            return json_string_value(v);
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        const char *out = arena_strdup(&r->arena, s);
        free(s);
        return out;
    }
}

/* Text a spreadsheet would take for a formula (= + - @, or a leading tab or
 * CR that some programs strip first) gets a leading apostrophe, so that it
 * stays text (OWASP "CSV injection"). Numbers we write ourselves are not
 * passed through here. */
static const char *neutralise(Req *r, const char *s)
{
    if (s && (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r'))
        return arena_printf(&r->arena, "'%s", s);
    return s;
}

/* Is f written as a number (not neutralised)? */
static bool numeric(const Field *f)
{
    return f->type == FT_MONEY || f->type == FT_INT || f->type == FT_DECIMAL || f->type == FT_PERCENT;
}

/* A stored date or date-time as a spreadsheet date (date-times in China
 * time, UTC+8); false if the value does not parse. */
static bool cell_datetime(const Field *f, json_t *v, lxw_datetime *out)
{
    const char *s = json_string_value(v);
    if (!s)
        return false;
    if (f->type == FT_DATE) {
        int y, m, d;
        if (!time_parse_date(s, &y, &m, &d))
            return false;
        *out = (lxw_datetime){.year = y, .month = m, .day = d};
        return true;
    }
    int64_t t;
    if (!time_parse_rfc3339(s, &t))
        return false;
    t += 8 * 3600;
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400, secs = t - days * 86400;
    /* civil from days (days since 1970-01-01) */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    *out = (lxw_datetime){.year = (int)(yoe + era * 400 + (m <= 2)), .month = (int)m, .day = (int)d,
                          .hour = (int)(secs / 3600), .min = (int)(secs / 60 % 60), .sec = (double)(secs % 60)};
    return true;
}

void api_export(Req *r)
{
    const Entity *e = api_entity(r);
    if (!e)
        return;
    const char *fmt = http_query(r, "format");
    bool xlsx = fmt && !strcmp(fmt, "xlsx");
    bool vcf = fmt && !strcmp(fmt, "vcf");
    if (fmt && !xlsx && !vcf && strcmp(fmt, "csv")) {
        ctx_fail(&r->c, GX_EBADREQ, "Unsupported export format '%s' (use csv, xlsx or, for contacts, vcf)", fmt);
        return api_fail(r);
    }
    ListQuery lq;
    json_t *where;
    if (!api_list_query(r, e, &lq, &where))
        return api_fail(r);
    if (vcf) {
        api_export_vcf(r, e, &lq);
        json_decref(where);
        return;
    }
    lq.action = ACT_EXPORT;
    lq.count = false;
    lq.limit = RECORD_LIMIT_MAX;
    const Field *cols[128];
    int ncols = export_columns(r, e, cols, 128);

    char path[] = "/tmp/guanxi-export-XXXXXX";
    lxw_workbook *wb = NULL;
    lxw_worksheet *ws = NULL;
    lxw_format *bold = NULL, *money = NULL, *date_fmt = NULL, *datetime_fmt = NULL;
    Buf *o = &r->out;
    if (xlsx) {
        int fd = mkstemp(path);
        if (fd < 0) {
            json_decref(where);
            ctx_fail(&r->c, GX_EINTERNAL, "cannot create a temporary file");
            return api_fail(r);
        }
        close(fd);
        lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = "/tmp"};
        wb = workbook_new_opt(path, &opt);
        ws = wb ? workbook_add_worksheet(wb, NULL) : NULL;
        if (!ws) {
            if (wb)
                workbook_close(wb);
            unlink(path);
            json_decref(where);
            ctx_fail(&r->c, GX_EINTERNAL, "cannot create the workbook");
            return api_fail(r);
        }
        bold = workbook_add_format(wb);
        format_set_bold(bold);
        money = workbook_add_format(wb);
        format_set_num_format(money, "#,##0.00");
        date_fmt = workbook_add_format(wb);
        format_set_num_format(date_fmt, "yyyy-mm-dd");
        datetime_fmt = workbook_add_format(wb);
        format_set_num_format(datetime_fmt, "yyyy-mm-dd hh:mm");
        worksheet_write_string(ws, 0, 0, "ID", bold);
        for (int k = 0; k < ncols; k++)
            worksheet_write_string(ws, 0, (lxw_col_t)(k + 1), meta_label(&cols[k]->label, r->c.lang), bold);
    } else {
        buf_raw(o, "\xEF\xBB\xBF"); /* BOM so spreadsheet programs read UTF-8 */
        buf_raw(o, "ID");
        for (int k = 0; k < ncols; k++) {
            buf_putc(o, ',');
            buf_csv(o, meta_label(&cols[k]->label, r->c.lang));
        }
        buf_raw(o, "\r\n");
    }
    int64_t nrows = 0;
    GxErr rc = GX_OK;
    for (int64_t off = 0; off < EXPORT_MAX_ROWS; off += RECORD_LIMIT_MAX) {
        lq.offset = off;
        json_t *rows;
        if ((rc = record_list(&r->c, e, &lq, &rows, NULL)))
            break;
        size_t i;
        json_t *rec;
        json_array_foreach(rows, i, rec)
        {
            int64_t id = json_integer_value(json_object_get(rec, "id"));
            lxw_datetime dt;
            nrows++;
            if (xlsx) {
                lxw_row_t row = (lxw_row_t)nrows;
                worksheet_write_number(ws, row, 0, (double)id, NULL);
                for (int k = 0; k < ncols; k++) {
                    json_t *v = json_object_get(rec, cols[k]->name);
                    if (!v || json_is_null(v))
                        continue;
                    if (cols[k]->type == FT_MONEY)
                        /* Yuan as an exact decimal literal ("=1234.56", formatted from
                         * integer fen by cell_text): the spreadsheet reads a number it
                         * can sum. The cached result is for readers that do not
                         * recalculate on opening (LibreOffice's default for xlsx);
                         * it is only shown, the formula is the value. */
                        worksheet_write_formula_num(ws, row, (lxw_col_t)(k + 1),
                                                    arena_printf(&r->arena, "=%s", cell_text(r, cols[k], v)), money,
                                                    (double)json_integer_value(v) / 100.0);
                    else if (cols[k]->type == FT_INT)
                        worksheet_write_number(ws, row, (lxw_col_t)(k + 1), (double)json_integer_value(v), NULL);
                    else if ((cols[k]->type == FT_DATE || cols[k]->type == FT_DATETIME) && cell_datetime(cols[k], v, &dt))
                        worksheet_write_datetime(ws, row, (lxw_col_t)(k + 1), &dt,
                                                 cols[k]->type == FT_DATE ? date_fmt : datetime_fmt);
                    else
                        worksheet_write_string(ws, row, (lxw_col_t)(k + 1), neutralise(r, cell_text(r, cols[k], v)), NULL);
                }
            } else {
                buf_printf(o, "%lld", (long long)id);
                for (int k = 0; k < ncols; k++) {
                    buf_putc(o, ',');
                    const char *txt = cell_text(r, cols[k], json_object_get(rec, cols[k]->name));
                    buf_csv(o, numeric(cols[k]) ? txt : neutralise(r, txt));
                }
                buf_raw(o, "\r\n");
            }
        }
        size_t got = json_array_size(rows);
        json_decref(rows);
        if (got < RECORD_LIMIT_MAX)
            break;
    }
    json_decref(where);
    if (xlsx) {
        lxw_error xe = workbook_close(wb);
        if (!rc && xe == LXW_NO_ERROR) {
            FILE *f = fopen(path, "rb");
            if (f) {
                char chunk[65536];
                size_t n;
                while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
                    buf_raw_n(o, chunk, n);
                fclose(f);
            } else {
                rc = ctx_fail(&r->c, GX_EINTERNAL, "cannot read the workbook");
            }
        } else if (!rc) {
            rc = ctx_fail(&r->c, GX_EINTERNAL, "cannot write the workbook: %s", lxw_strerror(xe));
        }
        unlink(path);
    }
    if (rc) {
        buf_clear(o);
        return api_fail(r);
    }
    json_t *d = json_pack("{s:I, s:s}", "rows", (json_int_t)nrows, "format", xlsx ? "xlsx" : "csv");
    audit_write(&r->c, "export", e->name, 0, d);
    json_decref(d);
    r->content_type = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv; charset=utf-8";
    http_add_header(r, "Content-Disposition",
                    arena_printf(&r->arena, "attachment; filename=\"%s.%s\"", e->name, xlsx ? "xlsx" : "csv"));
}
