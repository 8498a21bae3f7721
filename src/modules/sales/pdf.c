/* pdf.c — printable sales documents as PDF (cairo + pango, Chinese text in
 * Noto Sans CJK from fonts-noto-cjk): an A4 page with the seller's header,
 * the customer, a table of lines that continues on further pages (its
 * header repeated), the totals, the amount in words and notes. Rendered in
 * memory (cairo_pdf_surface_create_for_stream) into the caller's buffer.
 *
 * Each rendering uses a font map of its own (released at the end), so
 * threads share no pango state; fontconfig's configuration is loaded once
 * per process and released by sales_pdf_shutdown. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>

#include "sales.h"

#define PAGE_W 595.276 /* A4 in points */
#define PAGE_H 841.89
#define MARGIN 42.0
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define FONT_FAMILY "Noto Sans CJK SC, Noto Sans CJK, WenQuanYi Micro Hei, sans-serif"

/* Table columns: width in points and alignment (0 left, 1 right). */
static const struct {
    double width;
    int right;
} cols[] = {{22, 1}, {186.5, 0}, {48, 1}, {32, 0}, {86, 1}, {42, 1}, {95, 1}};
#define NCOLS (int)(sizeof cols / sizeof cols[0])

/* The state of one rendering. */
typedef struct Pdf {
    cairo_t *cr;
    PangoContext *pc;
    double y;  /* next line's top */
    int page;  /* current page number, from 1 */
    const SalesPdfDoc *d;
    bool en;   /* English labels */
} Pdf;

static cairo_status_t write_to_buf(void *closure, const unsigned char *data, unsigned int length)
{
    buf_raw_n(closure, (const char *)data, length);
    return CAIRO_STATUS_SUCCESS;
}

/* "¥1,234.56" (or "-¥…") of fen into out. */
void sales_money_text(int64_t fen, char out[64])
{
    bool neg = fen < 0;
    uint64_t v = neg ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    char digits[32];
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)(v / 100));
    char grouped[40];
    size_t n = strlen(digits), k = 0;
    for (size_t i = 0; i < n; i++) {
        grouped[k++] = digits[i];
        if ((n - i - 1) % 3 == 0 && i + 1 < n)
            grouped[k++] = ',';
    }
    grouped[k] = 0;
    snprintf(out, 64, "%s¥%s.%02u", neg ? "-" : "", grouped, (unsigned)(v % 100));
}

static const char *L(const Pdf *p, const char *zh, const char *en) { return p->en ? en : zh; }

/* A layout of text in the given size and weight, wrapped at width (points;
 * 0 = no wrapping), aligned right when right. Caller unrefs. */
static PangoLayout *text_layout(Pdf *p, const char *text, double size, bool bold, double width, bool right)
{
    PangoLayout *l = pango_layout_new(p->pc);
    PangoFontDescription *fd = pango_font_description_from_string(FONT_FAMILY);
    pango_font_description_set_size(fd, (gint)(size * PANGO_SCALE));
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    if (width > 0) {
        pango_layout_set_width(l, (int)(width * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    }
    if (right)
        pango_layout_set_alignment(l, PANGO_ALIGN_RIGHT);
    pango_layout_set_text(l, text ? text : "", -1);
    return l;
}

static double layout_height(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

/* Draw text at (x, y); returns its height. */
static double draw_text(Pdf *p, double x, double y, const char *text, double size, bool bold, double width, bool right)
{
    PangoLayout *l = text_layout(p, text, size, bold, width, right);
    cairo_move_to(p->cr, x, y);
    pango_cairo_update_layout(p->cr, l);
    pango_cairo_show_layout(p->cr, l);
    double h = layout_height(l);
    g_object_unref(l);
    return h;
}

static void rule(Pdf *p, double y, double gray, double width)
{
    cairo_set_source_rgb(p->cr, gray, gray, gray);
    cairo_set_line_width(p->cr, width);
    cairo_move_to(p->cr, MARGIN, y);
    cairo_line_to(p->cr, PAGE_W - MARGIN, y);
    cairo_stroke(p->cr);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
}

static void footer(Pdf *p)
{
    char t[64];
    snprintf(t, sizeof t, p->en ? "Page %d" : "第 %d 页", p->page);
    cairo_set_source_rgb(p->cr, 0.45, 0.45, 0.45);
    draw_text(p, MARGIN, PAGE_H - MARGIN + 12, p->d->number ? p->d->number : "", 8, false, CONTENT_W / 2, false);
    draw_text(p, MARGIN + CONTENT_W / 2, PAGE_H - MARGIN + 12, t, 8, false, CONTENT_W / 2, true);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
}

/* The table's header row at p->y. */
static void table_header(Pdf *p)
{
    const char *heads[NCOLS] = {"#",          L(p, "产品 / 说明", "Product / description"), L(p, "数量", "Qty"),
                                L(p, "单位", "Unit"), L(p, "单价", "Unit price"), L(p, "折扣", "Disc."),
                                L(p, "金额", "Amount")};
    double h = 18;
    cairo_set_source_rgb(p->cr, 0.93, 0.94, 0.96);
    cairo_rectangle(p->cr, MARGIN, p->y, CONTENT_W, h);
    cairo_fill(p->cr);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    double x = MARGIN;
    for (int i = 0; i < NCOLS; i++) {
        draw_text(p, x + 3, p->y + 3, heads[i], 8.5, true, cols[i].width - 6, cols[i].right);
        x += cols[i].width;
    }
    p->y += h;
}

static void new_page(Pdf *p)
{
    footer(p);
    cairo_show_page(p->cr);
    p->page++;
    p->y = MARGIN;
}

/* One line of the table; a new page (with the header again) when it does not fit. */
static void table_row(Pdf *p, int index, const SalesPdfLine *ln)
{
    char num[16], price[64], total[64];
    snprintf(num, sizeof num, "%d", index + 1);
    sales_money_text(ln->unit_price, price);
    sales_money_text(ln->line_total, total);
    const char *name = ln->name ? ln->name : "";
    const char *desc = ln->description && *ln->description ? ln->description : NULL;
    const char *cells[NCOLS] = {num, name, ln->quantity, ln->unit, price, ln->discount, total};
    PangoLayout *ls[NCOLS];
    PangoLayout *dl = NULL;
    double h = 0;
    for (int i = 0; i < NCOLS; i++) {
        ls[i] = text_layout(p, cells[i] ? cells[i] : "", 9, false, cols[i].width - 6, cols[i].right);
        double lh = layout_height(ls[i]);
        if (i == 1 && desc) {
            dl = text_layout(p, desc, 7.5, false, cols[i].width - 6, false);
            lh += layout_height(dl) + 1;
        }
        if (lh > h)
            h = lh;
    }
    h += 8;
    if (p->y + h > PAGE_H - MARGIN - 10) {
        new_page(p);
        table_header(p);
    }
    double x = MARGIN;
    for (int i = 0; i < NCOLS; i++) {
        cairo_move_to(p->cr, x + 3, p->y + 4);
        pango_cairo_update_layout(p->cr, ls[i]);
        pango_cairo_show_layout(p->cr, ls[i]);
        if (i == 1 && dl) {
            cairo_set_source_rgb(p->cr, 0.4, 0.4, 0.4);
            cairo_move_to(p->cr, x + 3, p->y + 5 + layout_height(ls[i]));
            pango_cairo_update_layout(p->cr, dl);
            pango_cairo_show_layout(p->cr, dl);
            cairo_set_source_rgb(p->cr, 0, 0, 0);
        }
        x += cols[i].width;
        g_object_unref(ls[i]);
    }
    if (dl)
        g_object_unref(dl);
    p->y += h;
    rule(p, p->y, 0.85, 0.5);
}

/* A label and an amount, right-aligned in the totals block. */
static void total_row(Pdf *p, const char *label, int64_t fen, bool bold)
{
    char v[64];
    sales_money_text(fen, v);
    double lw = 140, vw = 100, x = PAGE_W - MARGIN - lw - vw;
    if (p->y + 18 > PAGE_H - MARGIN - 10)
        new_page(p);
    draw_text(p, x, p->y, label, bold ? 10.5 : 9, bold, lw, true);
    double h = draw_text(p, x + lw, p->y, v, bold ? 10.5 : 9, bold, vw, true);
    p->y += h + 3;
}

/* A block of text that may not fit on the page. */
static void paragraph(Pdf *p, const char *text, double size, bool bold)
{
    PangoLayout *l = text_layout(p, text, size, bold, CONTENT_W, false);
    double h = layout_height(l);
    if (p->y + h > PAGE_H - MARGIN - 10)
        new_page(p);
    cairo_move_to(p->cr, MARGIN, p->y);
    pango_cairo_update_layout(p->cr, l);
    pango_cairo_show_layout(p->cr, l);
    g_object_unref(l);
    p->y += h + 4;
}

static void header(Pdf *p)
{
    const SalesPdfDoc *d = p->d;
    double left_w = CONTENT_W * 0.58, right_w = CONTENT_W - left_w;
    double y = MARGIN;
    y += draw_text(p, MARGIN, y, d->seller_name ? d->seller_name : "", 15, true, left_w, false) + 2;
    cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
    for (int i = 0; i < 4; i++)
        if (d->seller_lines[i] && *d->seller_lines[i])
            y += draw_text(p, MARGIN, y, d->seller_lines[i], 8.5, false, left_w, false);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    double ry = MARGIN;
    ry += draw_text(p, MARGIN + left_w, ry, d->title ? d->title : "", 18, true, right_w, true) + 2;
    char t[160];
    const char *rows[3][2] = {{L(p, "编号", "No."), d->number},
                              {L(p, "日期", "Date"), d->date},
                              {L(p, "有效期至", "Valid until"), d->valid_until}};
    for (int i = 0; i < 3; i++) {
        if (!rows[i][1] || !*rows[i][1])
            continue;
        snprintf(t, sizeof t, "%s: %s", rows[i][0], rows[i][1]);
        ry += draw_text(p, MARGIN + left_w, ry, t, 9, false, right_w, true);
    }
    p->y = (y > ry ? y : ry) + 8;
    rule(p, p->y, 0.2, 1.0);
    p->y += 10;
    cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
    p->y += draw_text(p, MARGIN, p->y, L(p, "客户", "Customer"), 8.5, false, CONTENT_W, false) + 1;
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    p->y += draw_text(p, MARGIN, p->y, d->customer_name ? d->customer_name : "", 12, true, CONTENT_W, false) + 2;
    for (int i = 0; i < 4; i++)
        if (d->customer_lines[i] && *d->customer_lines[i])
            p->y += draw_text(p, MARGIN, p->y, d->customer_lines[i], 9, false, CONTENT_W, false);
    p->y += 12;
}

GxErr sales_pdf_render(Ctx *c, const SalesPdfDoc *d, Buf *out)
{
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_to_buf, out, PAGE_W, PAGE_H);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return ctx_fail(c, GX_EINTERNAL, "cannot create the PDF");
    }
    if (d->title)
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, d->title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "Guanxi CRM");
    PangoFontMap *fm = pango_cairo_font_map_new();
    Pdf p = {.cr = cairo_create(s), .page = 1, .d = d, .en = d->lang && !strcmp(d->lang, "en")};
    p.pc = pango_font_map_create_context(fm);
    pango_cairo_update_context(p.cr, p.pc);
    cairo_set_source_rgb(p.cr, 0, 0, 0);

    header(&p);
    table_header(&p);
    for (int i = 0; i < d->nlines; i++)
        table_row(&p, i, &d->lines[i]);
    p.y += 10;
    total_row(&p, L(&p, "小计", "Subtotal"), d->subtotal, false);
    if (d->discount_total)
        total_row(&p, L(&p, "折扣", "Discount"), -d->discount_total, false);
    char taxl[64];
    snprintf(taxl, sizeof taxl, "%s (%s)", L(&p, "税额", "Tax"), d->tax_rate ? d->tax_rate : "0%");
    total_row(&p, taxl, d->tax_total, false);
    total_row(&p, L(&p, "合计", "Total"), d->total, true);
    p.y += 6;
    if (d->total_words && *d->total_words) {
        char w[512];
        snprintf(w, sizeof w, "%s: %s", L(&p, "合计金额(大写)", "Total in words"), d->total_words);
        paragraph(&p, w, 10, true);
    }
    if (d->valid_until && *d->valid_until) {
        char v[160];
        snprintf(v, sizeof v, p.en ? "This quotation is valid until %s." : "本报价有效期至 %s。", d->valid_until);
        paragraph(&p, v, 9, false);
    }
    if (d->notes && *d->notes) {
        paragraph(&p, L(&p, "备注", "Notes"), 9, true);
        paragraph(&p, d->notes, 9, false);
    }
    footer(&p);
    cairo_show_page(p.cr);
    g_object_unref(p.pc);
    cairo_destroy(p.cr);
    cairo_surface_finish(s);
    cairo_status_t st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    g_object_unref(fm);
    if (st != CAIRO_STATUS_SUCCESS)
        return ctx_fail(c, GX_EINTERNAL, "cannot write the PDF: %s", cairo_status_to_string(st));
    return GX_OK;
}

void sales_pdf_shutdown(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
