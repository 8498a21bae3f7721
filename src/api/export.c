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
#include "../base/xlsxfile.h"
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

/* Yuan from integer fen, exactly: "-1234.50". */
static const char *yuan_text(Arena *a, int64_t fen)
{
    uint64_t u = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    return arena_printf(a, "%s%llu.%02llu", fen < 0 ? "-" : "", (unsigned long long)(u / 100),
                        (unsigned long long)(u % 100));
}

static const char *bool_text(Req *r, bool v)
{
    return v ? (r->c.lang[0] == 'e' ? "Yes" : "是") : (r->c.lang[0] == 'e' ? "No" : "否");
}

/* A stored date-time as "YYYY-MM-DD HH:MM:SS" in China time (UTC+8); the
 * stored text if it does not parse. */
static const char *datetime_text(Arena *a, const char *s)
{
    int64_t t;
    if (!time_parse_rfc3339(s, &t))
        return s;
    char b[64];
    time_format_s(t + 8 * 3600, b); /* shown in Asia/Shanghai */
    b[10] = ' ';
    b[19] = 0;
    return arena_strdup(a, b);
}

/* Text of one value as a person reads it (arena string), or NULL when empty. */
static const char *cell_text(Req *r, Arena *a, const Field *f, json_t *v)
{
    if (!v || json_is_null(v))
        return NULL;
    switch (f->type) {
    case FT_MONEY: {
        return yuan_text(a, json_integer_value(v));
    }
    case FT_ENUM: {
        /* the administrator's label when the pick list was edited */
        const char *l = enum_labels_label(&r->c, f, json_string_value(v), r->c.lang);
        return l ? l : json_string_value(v);
    }
    case FT_BOOL: return bool_text(r, json_is_true(v));
    case FT_DATETIME: return datetime_text(a, json_string_value(v));
    case FT_ADDRESS: {
        static const char *parts[] = {"country", "province", "city", "district", "street", "postcode", NULL};
        Buf b;
        buf_init(&b, a);
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
        const char *out = arena_strdup(a, s);
        free(s);
        return out;
    }
}

/* Text a spreadsheet would take for a formula (= + - @, or a leading tab or
 * CR that some programs strip first) gets a leading apostrophe, so that it
 * stays text (OWASP "CSV injection"). Numbers we write ourselves are not
 * passed through here. */
static const char *neutralise(Arena *a, const char *s)
{
    if (s && (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r'))
        return arena_printf(a, "'%s", s);
    return s;
}

/* Is f written as a number (not neutralised)? */
static bool numeric(const Field *f)
{
    return f->type == FT_MONEY || f->type == FT_INT || f->type == FT_DECIMAL || f->type == FT_PERCENT;
}

/* A stored date or date-time as a spreadsheet date (date-times in China
 * time, UTC+8); false if the value does not parse. */
static bool cell_datetime(const Field *f, const char *s, lxw_datetime *out)
{
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

/* One value of an exported cell, from the result row or from a record. */
typedef struct Val {
    bool null;
    int64_t i;     /* int, money, bool, link, file */
    const char *s; /* the stored text of the other common types */
    json_t *j;     /* the rare types, as jansson values (see rare) */
} Val;

/* Types read through jansson (their text is cell_text's). */
static bool rare(const Field *f)
{
    switch (f->type) {
    case FT_DECIMAL:
    case FT_PERCENT:
    case FT_FORMULA:
    case FT_MULTI_ENUM:
    case FT_ADDRESS:
    case FT_JSON:
    case FT_LINK_MULTIPLE: return true;
    default: return false;
    }
}

static bool integral(const Field *f)
{
    return f->type == FT_INT || f->type == FT_MONEY || f->type == FT_BOOL || f->type == FT_LINK ||
           f->type == FT_FILE;
}

typedef struct Export {
    Req *r;
    const Entity *e;
    const Field **cols;
    int ncols;
    int *at;           /* result column of each exported field (record_scan) */
    EnumLabel **opts;  /* enum columns: options with their labels, read once */
    int *nopts;
    bool xlsx;
    lxw_worksheet *ws;
    lxw_format *money, *date_fmt, *datetime_fmt;
    Buf *out;
    Arena *a;          /* per-row temporaries, emptied every EXPORT_ARENA_ROWS rows */
    Val *vals;
    int64_t nrows;
} Export;

#define EXPORT_ARENA_ROWS 1000

/* Text of a value as a person reads it, or NULL when empty. */
static const char *val_text(Export *x, int k, const Val *v)
{
    const Field *f = x->cols[k];
    if (v->null)
        return NULL;
    if (v->j)
        return cell_text(x->r, x->a, f, v->j);
    switch (f->type) {
    case FT_MONEY: return yuan_text(x->a, v->i);
    case FT_BOOL: return bool_text(x->r, v->i != 0);
    case FT_INT:
    case FT_LINK:
    case FT_FILE: return arena_printf(x->a, "%lld", (long long)v->i);
    case FT_DATETIME: return datetime_text(x->a, v->s);
    case FT_ENUM:
        /* the administrator's label when the pick list was edited */
        for (int i = 0; i < x->nopts[k]; i++)
            if (!strcmp(x->opts[k][i].value, v->s))
                return x->opts[k][i].label;
        return v->s;
    default: return v->s;
    }
}

static void write_row(Export *x, int64_t id)
{
    x->nrows++;
    if (x->nrows % EXPORT_ARENA_ROWS == 0) {
        arena_free(x->a);
        arena_init(x->a);
    }
    if (x->xlsx) {
        lxw_row_t row = (lxw_row_t)x->nrows;
        worksheet_write_number(x->ws, row, 0, (double)id, NULL);
        for (int k = 0; k < x->ncols; k++) {
            const Field *f = x->cols[k];
            const Val *v = &x->vals[k];
            lxw_datetime dt;
            if (v->null)
                continue;
            if (f->type == FT_MONEY)
                /* Yuan as an exact decimal literal ("=1234.56", formatted from
                 * integer fen): the spreadsheet reads a number it can sum. The
                 * cached result is for readers that do not recalculate on
                 * opening (LibreOffice's default for xlsx); it is only shown,
                 * the formula is the value. */
                worksheet_write_formula_num(x->ws, row, (lxw_col_t)(k + 1),
                                            arena_printf(x->a, "=%s", yuan_text(x->a, v->i)), x->money,
                                            (double)v->i / 100.0);
            else if (f->type == FT_INT)
                worksheet_write_number(x->ws, row, (lxw_col_t)(k + 1), (double)v->i, NULL);
            else if ((f->type == FT_DATE || f->type == FT_DATETIME) && cell_datetime(f, v->s, &dt))
                worksheet_write_datetime(x->ws, row, (lxw_col_t)(k + 1), &dt,
                                         f->type == FT_DATE ? x->date_fmt : x->datetime_fmt);
            else
                worksheet_write_string(x->ws, row, (lxw_col_t)(k + 1), neutralise(x->a, val_text(x, k, v)), NULL);
        }
    } else {
        buf_printf(x->out, "%lld", (long long)id);
        for (int k = 0; k < x->ncols; k++) {
            buf_putc(x->out, ',');
            const char *txt = val_text(x, k, &x->vals[k]);
            buf_csv(x->out, numeric(x->cols[k]) ? txt : neutralise(x->a, txt));
        }
        buf_raw(x->out, "\r\n");
    }
}

/* record_scan's callback: one result row, no JSON on the way. */
static bool scan_row(void *ud, DbRes *res)
{
    Export *x = ud;
    for (int k = 0; k < x->ncols; k++) {
        const Field *f = x->cols[k];
        Val *v = &x->vals[k];
        int col = x->at[k];
        *v = (Val){.null = col < 0 || db_isnull(res, col)};
        if (v->null)
            continue;
        if (rare(f))
            v->j = meta_to_json(f, res, col);
        else if (integral(f))
            v->i = db_int(res, col);
        else
            v->s = db_text(res, col);
    }
    write_row(x, db_int(res, 0));
    for (int k = 0; k < x->ncols; k++)
        json_decref(x->vals[k].j);
    return true;
}

/* The same row from a record (entities with link_multiple fields). */
static void record_row(Export *x, json_t *rec)
{
    for (int k = 0; k < x->ncols; k++) {
        const Field *f = x->cols[k];
        json_t *j = json_object_get(rec, f->name);
        Val *v = &x->vals[k];
        *v = (Val){.null = !j || json_is_null(j)};
        if (v->null)
            continue;
        if (rare(f))
            v->j = j;
        else if (f->type == FT_BOOL)
            v->i = json_is_true(j);
        else if (integral(f))
            v->i = json_integer_value(j);
        else
            v->s = json_string_value(j);
    }
    write_row(x, json_integer_value(json_object_get(rec, "id")));
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
    Arena scratch;
    arena_init(&scratch);
    Export x = {.r = r, .e = e, .cols = cols, .ncols = ncols, .xlsx = xlsx, .out = &r->out, .a = &scratch};
    x.at = arena_calloc(&r->arena, (size_t)ncols + 1, sizeof *x.at);
    x.opts = arena_calloc(&r->arena, (size_t)ncols + 1, sizeof *x.opts);
    x.nopts = arena_calloc(&r->arena, (size_t)ncols + 1, sizeof *x.nopts);
    x.vals = arena_calloc(&r->arena, (size_t)ncols + 1, sizeof *x.vals);
    for (int k = 0; k < ncols; k++) {
        x.at[k] = record_scan_col(e, cols[k]);
        if (cols[k]->type == FT_ENUM)
            x.nopts[k] = enum_labels_options(&r->c, cols[k], r->c.lang, &x.opts[k]);
    }

    char path[] = "/tmp/guanxi-export-XXXXXX";
    lxw_workbook *wb = NULL;
    lxw_format *bold = NULL;
    Buf *o = &r->out;
    if (xlsx) {
        int fd = mkstemp(path);
        if (fd < 0) {
            json_decref(where);
            arena_free(&scratch);
            ctx_fail(&r->c, GX_EINTERNAL, "cannot create a temporary file");
            return api_fail(r);
        }
        close(fd);
        lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = "/tmp"};
        wb = workbook_new_opt(path, &opt);
        x.ws = wb ? workbook_add_worksheet(wb, NULL) : NULL;
        if (!x.ws) {
            if (wb)
                workbook_close(wb);
            unlink(path);
            json_decref(where);
            arena_free(&scratch);
            ctx_fail(&r->c, GX_EINTERNAL, "cannot create the workbook");
            return api_fail(r);
        }
        bold = workbook_add_format(wb);
        format_set_bold(bold);
        x.money = workbook_add_format(wb);
        format_set_num_format(x.money, "#,##0.00");
        x.date_fmt = workbook_add_format(wb);
        format_set_num_format(x.date_fmt, "yyyy-mm-dd");
        x.datetime_fmt = workbook_add_format(wb);
        format_set_num_format(x.datetime_fmt, "yyyy-mm-dd hh:mm");
        worksheet_write_string(x.ws, 0, 0, "ID", bold);
        for (int k = 0; k < ncols; k++)
            worksheet_write_string(x.ws, 0, (lxw_col_t)(k + 1), meta_label(&cols[k]->label, r->c.lang), bold);
    } else {
        buf_raw(o, "\xEF\xBB\xBF"); /* BOM so spreadsheet programs read UTF-8 */
        buf_raw(o, "ID");
        for (int k = 0; k < ncols; k++) {
            buf_putc(o, ',');
            buf_csv(o, meta_label(&cols[k]->label, r->c.lang));
        }
        buf_raw(o, "\r\n");
    }
    GxErr rc = GX_OK;
    if (record_scannable(e)) {
        /* One query, rows written as they come. */
        rc = record_scan(&r->c, e, &lq, EXPORT_MAX_ROWS, scan_row, &x);
    } else {
        for (int64_t off = 0; off < EXPORT_MAX_ROWS; off += RECORD_LIMIT_MAX) {
            lq.offset = off;
            json_t *rows;
            if ((rc = record_list(&r->c, e, &lq, &rows, NULL)))
                break;
            size_t i;
            json_t *rec;
            json_array_foreach(rows, i, rec) record_row(&x, rec);
            size_t got = json_array_size(rows);
            json_decref(rows);
            if (got < RECORD_LIMIT_MAX)
                break;
        }
    }
    arena_free(&scratch);
    int64_t nrows = x.nrows;
    json_decref(where);
    if (xlsx) {
        if (rc) {
            workbook_close(wb);
            unlink(path);
        } else {
            rc = xlsx_finish(&r->c, wb, path, o);
        }
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
