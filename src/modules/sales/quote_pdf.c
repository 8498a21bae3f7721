/* quote_pdf.c — a quote as a PDF (报价单): the quote as sales_quote_load
 * gives it (lines, customer and contact names), the seller from the company
 * profile (sales_company_get; the head office's name when it is not set),
 * the total in Chinese capitals (rmb_words), drawn by pdf.c. */
#include <stdio.h>
#include <string.h>

#include "../../db/db.h"
#include "sales.h"

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s && *s ? s : NULL;
}

/* A number shown without trailing zeros: 2.0 → "2", 12.5 → "12.5". */
static const char *number_text(Ctx *c, json_t *v, int decimals)
{
    double d = json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
    char t[64];
    snprintf(t, sizeof t, "%.*f", decimals, d);
    char *s = arena_strdup(c->arena, t);
    size_t n = strlen(s);
    if (strchr(s, '.')) {
        while (n > 0 && s[n - 1] == '0')
            s[--n] = 0;
        if (n > 0 && s[n - 1] == '.')
            s[--n] = 0;
    }
    return s;
}

GxErr sales_quote_pdf(Ctx *c, int64_t id, Buf *out, const char **filename)
{
    json_t *q;
    GxErr rc = sales_quote_load(c, id, &q);
    if (rc)
        return rc;
    json_t *company = NULL;
    if (sales_company_get(c, &company)) {
        ctx_clear(c);
        company = json_object();
    }
    const char *seller = jstr(company, "name");
    if (!seller) {
        char *hq = NULL;
        db_query_text(c->db, c->arena,
                      "SELECT name FROM departments WHERE parent_id IS NULL AND deleted_at IS NULL ORDER BY id LIMIT 1",
                      NULL, 0, &hq);
        seller = hq ? hq : "";
    }
    bool en = c->lang && !strcmp(c->lang, "en");
    SalesPdfDoc d = {.lang = en ? "en" : "zh", .title = en ? "Quotation" : "报价单"};
    d.number = arena_strdup(c->arena, jstr(q, "number") ? jstr(q, "number") : "");
    d.date = jstr(q, "quote_date") ? arena_strdup(c->arena, jstr(q, "quote_date")) : NULL;
    d.valid_until = jstr(q, "valid_until") ? arena_strdup(c->arena, jstr(q, "valid_until")) : NULL;
    d.seller_name = arena_strdup(c->arena, seller);
    int k = 0;
    if (jstr(company, "address_phone"))
        d.seller_lines[k++] = arena_strdup(c->arena, jstr(company, "address_phone"));
    if (jstr(company, "tax_id"))
        d.seller_lines[k++] =
            arena_printf(c->arena, "%s %s", en ? "Taxpayer ID" : "纳税人识别号", jstr(company, "tax_id"));
    if (jstr(company, "bank_account"))
        d.seller_lines[k++] = arena_strdup(c->arena, jstr(company, "bank_account"));
    d.customer_name = arena_strdup(c->arena, jstr(q, "customer_name") ? jstr(q, "customer_name") : "");
    k = 0;
    if (jstr(q, "contact_name"))
        d.customer_lines[k++] = arena_printf(c->arena, "%s: %s", en ? "Contact" : "联系人", jstr(q, "contact_name"));
    if (jstr(q, "owner_name"))
        d.customer_lines[k++] = arena_printf(c->arena, "%s: %s", en ? "Sales rep" : "销售代表", jstr(q, "owner_name"));
    json_t *lines = json_object_get(q, "lines");
    size_t n = json_array_size(lines);
    SalesPdfLine *pl = arena_alloc(c->arena, sizeof *pl * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        json_t *l = json_array_get(lines, i);
        const char *code = jstr(l, "product_code"), *desc = jstr(l, "description");
        pl[i] = (SalesPdfLine){
            .name = desc ? arena_strdup(c->arena, desc) : "",
            .description = code ? arena_strdup(c->arena, code) : NULL,
            .quantity = number_text(c, json_object_get(l, "quantity"), 3),
            .unit = jstr(l, "unit") ? arena_strdup(c->arena, jstr(l, "unit")) : "",
            .unit_price = json_integer_value(json_object_get(l, "unit_price")),
            .discount = arena_printf(c->arena, "%s%%", number_text(c, json_object_get(l, "discount_pct"), 2)),
            .line_total = json_integer_value(json_object_get(l, "line_total")),
        };
    }
    d.lines = pl;
    d.nlines = (int)n;
    d.subtotal = json_integer_value(json_object_get(q, "subtotal"));
    d.discount_total = json_integer_value(json_object_get(q, "discount_total"));
    d.tax_total = json_integer_value(json_object_get(q, "tax_total"));
    d.total = json_integer_value(json_object_get(q, "total"));
    d.tax_rate = arena_printf(c->arena, "%s%%", number_text(c, json_object_get(q, "tax_rate_pct"), 2));
    char words[RMB_WORDS_MAX];
    d.total_words = arena_strdup(c->arena, rmb_words(d.total, words, sizeof words));
    d.notes = jstr(q, "notes") ? arena_strdup(c->arena, jstr(q, "notes")) : NULL;
    if (filename)
        *filename = arena_printf(c->arena, "%s.pdf", d.number && *d.number ? d.number : "quote");
    json_decref(company);
    json_decref(q);
    return sales_pdf_render(c, &d, out);
}
