/* invoices.c — VAT invoices (增值税发票) and red-letter credit invoices
 * (红字发票).
 *
 * POST /api/v1/invoices takes the number the tax office's system gave the
 * invoice (unique), the kind (normal 普票 | special 专票), the order or
 * contract it bills, and "lines": [{"tax_code", "name", "model", "unit",
 * "quantity", "unit_price", "tax_rate_pct"}] with quantity a number with up
 * to 3 decimals, unit_price in fen excluding tax, tax_rate_pct a percentage
 * with up to 2 decimals (13, 9, 6, 1.5 …). The server computes, per line
 * and half-up to the fen (the line-totals rule of sales, totals.h):
 *     amount = quantity × unit_price        (excluding tax)
 *     tax    = amount × tax_rate_pct / 100  (per line, as the invoice shows it)
 * and amount_total = Σ amount, tax_total = Σ tax, total = amount_total +
 * tax_total (价税合计), total_words = total in Chinese capitals.
 *
 * Buyer fields default from the customer (name, credit code), seller fields
 * from the company profile (GET/PATCH /api/v1/settings/company). Taxpayer
 * IDs are checked like a customer's credit code (GB 32100: 422 on a bad
 * form; a wrong check character needs "confirm": ["buyer_tax_id"]). A
 * special invoice needs the buyer's taxpayer ID, address and phone, bank
 * and account.
 *
 * An invoice may not take the order's (or contract's) invoiced total above
 * its total (422, checked in the write transaction with the row locked).
 *
 * A red-letter invoice has red_of = the original (issued, not itself red);
 * its lines have negative quantities (without lines: the whole original
 * negated); all red invoices of an original together credit at most its
 * total (422). It bills the original's order/contract/customer.
 *
 * Issued invoices are not edited or deleted: only "status": "void" (作废;
 * not when red invoices refer to it) and notes may change (409 otherwise). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../base/creditcode.h"
#include "money.h"

#define MAX_LINES 200

static const Entity *invoices(void) { return meta_entity("invoices"); }

static void line_error(Ctx *c, size_t i, const char *key, const char *msg)
{
    ctx_field(c, arena_printf(c->arena, "lines[%zu].%s", i, key), "%s", msg);
}

/* Round num / den (den > 0) half-up to the fen with the line-totals rule
 * (sales_div_half_up), a negative amount (red-letter line) as the negation
 * of its magnitude; false on overflow. */
static bool div_half_up(__int128 num, int64_t den, int64_t *out)
{
    bool neg = num < 0;
    if (!sales_div_half_up(neg ? -num : num, den, out))
        return false;
    if (neg)
        *out = -*out;
    return true;
}

/* A JSON number as an integer scaled by 10^scale, exactly; false otherwise. */
static bool scaled(json_t *v, int scale, int64_t *out)
{
    int64_t mul = scale == 3 ? 1000 : 100;
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (n > INT64_MAX / mul || n < -INT64_MAX / mul)
            return false;
        *out = n * mul;
        return true;
    }
    if (!json_is_real(v))
        return false;
    double d = json_real_value(v) * (double)mul;
    if (!isfinite(d) || fabs(d) > 9e15)
        return false;
    double r = round(d);
    if (fabs(d - r) > 1e-6)
        return false;
    *out = (int64_t)r;
    return true;
}

/* The taxpayer ID in in[field]: normalised, or 422 (see the header). */
static void check_tax_id(Ctx *c, json_t *in, const char *field)
{
    json_t *v = json_object_get(in, field);
    if (!json_is_string(v) || !*json_string_value(v))
        return;
    char *s = arena_strdup(c->arena, json_string_value(v));
    char expected = 0;
    CreditCodeStatus st = credit_code_check(s, &expected);
    if (st == CREDIT_BAD_FORM) {
        ctx_field(c, field, "%s",
                  mn_msg(c, "纳税人识别号应为 18 位统一社会信用代码(数字和大写字母，不含 I、O、S、V、Z)",
                         "must be 18 characters: digits and capital letters except I, O, S, V and Z"));
        return;
    }
    json_object_set_new(in, field, json_string(s));
    if (st == CREDIT_BAD_CHECK) {
        json_t *conf = json_object_get(in, "confirm");
        size_t i;
        json_t *x;
        json_array_foreach(conf, i, x) if (json_is_string(x) && !strcmp(json_string_value(x), field)) return;
        ctx_field(c, field, "%s",
                  mn_msg(c, "校验位不符(GB 32100)；确认无误请勾选“仍然保存”",
                         "has a check character that does not match (GB 32100); confirm to save it anyway"));
        c->err_code = "needs_confirmation";
    }
}

/* Priced lines from the request (see the header); red: quantities < 0. */
static json_t *price_lines(Ctx *c, json_t *lines, bool red, int64_t *amount_total, int64_t *tax_total)
{
    *amount_total = *tax_total = 0;
    if (!json_is_array(lines) || json_array_size(lines) == 0) {
        ctx_field(c, "lines", "%s", mn_msg(c, "至少需要一行明细", "at least one line is required"));
        return NULL;
    }
    if (json_array_size(lines) > MAX_LINES) {
        ctx_field(c, "lines", "has more than %d lines", MAX_LINES);
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        if (!json_is_object(l)) {
            line_error(c, i, "name", "must be an object");
            continue;
        }
        const char *name = json_string_value(json_object_get(l, "name"));
        if (!name || !*name) {
            line_error(c, i, "name", mn_msg(c, "请填写货物或服务名称", "is required"));
            continue;
        }
        if (strlen(name) > 600) {
            line_error(c, i, "name", "is too long");
            continue;
        }
        static const char *texts[] = {"tax_code", "model", "unit", NULL};
        bool bad = false;
        for (int k = 0; texts[k]; k++) {
            json_t *t = json_object_get(l, texts[k]);
            if (t && !json_is_null(t) && (!json_is_string(t) || strlen(json_string_value(t)) > 200)) {
                line_error(c, i, texts[k], "must be a short text");
                bad = true;
            }
        }
        const char *code = json_string_value(json_object_get(l, "tax_code"));
        if (code && (strlen(code) > 19 || strspn(code, "0123456789") != strlen(code))) {
            line_error(c, i, "tax_code", mn_msg(c, "税收分类编码为最多 19 位数字", "must be up to 19 digits"));
            bad = true;
        }
        int64_t q, rate;
        json_t *pv = json_object_get(l, "unit_price");
        if (!scaled(json_object_get(l, "quantity"), 3, &q) || q == 0 || (red ? q > 0 : q < 0)) {
            line_error(c, i, "quantity",
                       red ? mn_msg(c, "红字发票的数量必须为负数(最多 3 位小数)", "must be a negative number (up to 3 decimals) on a red-letter invoice")
                           : mn_msg(c, "数量必须为正数(最多 3 位小数)", "must be a positive number with up to 3 decimals"));
            bad = true;
        }
        if (!json_is_integer(pv) || json_integer_value(pv) < 0) {
            line_error(c, i, "unit_price", mn_msg(c, "单价必须是不小于零的整数(分)", "must be a whole number of fen, not negative"));
            bad = true;
        }
        if (!scaled(json_object_get(l, "tax_rate_pct"), 2, &rate) || rate < 0 || rate > 10000) {
            line_error(c, i, "tax_rate_pct", mn_msg(c, "税率为 0 到 100 的百分数(最多 2 位小数)", "must be a percentage from 0 to 100 (up to 2 decimals)"));
            bad = true;
        }
        if (bad)
            continue;
        int64_t price = json_integer_value(pv), amount, tax;
        if (!div_half_up((__int128)q * price, 1000, &amount) || !div_half_up((__int128)amount * rate, 10000, &tax) ||
            __builtin_add_overflow(*amount_total, amount, amount_total) ||
            __builtin_add_overflow(*tax_total, tax, tax_total)) {
            line_error(c, i, "quantity", mn_msg(c, "金额过大", "makes the amount too large"));
            continue;
        }
        json_t *o = json_pack("{s:I, s:s, s:O, s:I, s:I, s:O, s:I}", "line_no", (json_int_t)(i + 1), "name", name,
                              "quantity", json_object_get(l, "quantity"), "unit_price", (json_int_t)price, "amount",
                              (json_int_t)amount, "tax_rate_pct", json_object_get(l, "tax_rate_pct"), "tax",
                              (json_int_t)tax);
        for (int k = 0; texts[k]; k++) {
            const char *t = json_string_value(json_object_get(l, texts[k]));
            json_object_set_new(o, texts[k], t ? json_string(t) : json_null());
        }
        json_object_set_new(o, "quantity_milli", json_integer(q));
        json_object_set_new(o, "tax_rate_bp", json_integer(rate));
        json_array_append_new(out, o);
    }
    int64_t t;
    if (!c->err && __builtin_add_overflow(*amount_total, *tax_total, &t))
        ctx_field(c, "lines", "%s", mn_msg(c, "金额过大", "add up to too large an amount"));
    if (c->err) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* The original's lines negated (a full red-letter reversal). */
static json_t *negated_lines(json_t *orig)
{
    json_t *out = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(orig, i, l)
    {
        json_t *n = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "tax_code", json_object_get(l, "tax_code"), "name",
                              json_object_get(l, "name"), "model", json_object_get(l, "model"), "unit",
                              json_object_get(l, "unit"), "unit_price", json_object_get(l, "unit_price"), "tax_rate_pct",
                              json_object_get(l, "tax_rate_pct"));
        json_t *q = json_object_get(l, "quantity");
        json_object_set_new(n, "quantity", json_is_integer(q) ? json_integer(-json_integer_value(q))
                                                              : json_real(-json_real_value(q)));
        json_array_append_new(out, n);
    }
    return out;
}

/* Copy a text setting into in[field] when absent. */
static void default_text(Ctx *c, json_t *in, const char *field, const char *value)
{
    json_t *v = json_object_get(in, field);
    if ((!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) && value && *value)
        json_object_set_new(in, field, json_string(value));
    (void)c;
}

static GxErr invoices_before_create(Ctx *c, HookArgs *a)
{
    json_t *in = a->input;
    GxErr rc;
    int64_t red_of = mn_int(in, "red_of");
    json_t *orig = NULL;
    if (red_of) {
        if ((rc = record_get(c, invoices(), red_of, &orig))) {
            if (rc == GX_ENOTFOUND)
                ctx_field(c, "red_of", "%s", mn_msg(c, "没有这张发票(或无权查看)", "no such invoice (or not yours to see)"));
            return rc;
        }
        const char *st = json_string_value(json_object_get(orig, "status"));
        if (mn_int(orig, "red_of")) {
            ctx_field(c, "red_of", "%s", mn_msg(c, "不能红冲红字发票", "is itself a red-letter invoice"));
        } else if (!st || strcmp(st, "issued")) {
            json_decref(orig);
            return ctx_fail(c, GX_ECONFLICT, "%s", mn_msg(c, "原发票已作废，不能红冲", "The original invoice is void"));
        }
        static const char *copied[] = {"customer_id", "order_id", "contract_id", "kind", "buyer_name", "buyer_tax_id",
                                       "buyer_address_phone", "buyer_bank_account", "seller_name", "seller_tax_id",
                                       "seller_address_phone", "seller_bank_account", NULL};
        for (int i = 0; copied[i]; i++) {
            json_t *v = json_object_get(orig, copied[i]);
            if (v && !json_is_null(v))
                json_object_set(in, copied[i], v);
        }
        if (!json_object_get(in, "lines"))
            json_object_set_new(in, "lines", negated_lines(json_object_get(orig, "lines")));
        json_decref(orig);
        if (c->err)
            return c->err;
    } else {
        int64_t oid = mn_int(in, "order_id"), kid = mn_int(in, "contract_id"), cust = mn_int(in, "customer_id");
        MnDoc d = {0};
        if (!oid && !kid) {
            ctx_field(c, "order_id", "%s", mn_msg(c, "请选择开票的订单或合同", "choose the order or contract billed"));
            return c->err;
        }
        if (oid && (rc = mn_doc_visible(c, meta_entity("orders"), oid, "order_id", &d)))
            return rc;
        MnDoc k = {0};
        if (kid && (rc = mn_doc_visible(c, meta_entity("contracts"), kid, "contract_id", &k)))
            return rc;
        if (oid && kid && d.customer_id != k.customer_id) {
            ctx_field(c, "contract_id", "%s", mn_msg(c, "合同与订单不属于同一客户", "belongs to another customer than the order"));
            return c->err;
        }
        int64_t from = oid ? d.customer_id : k.customer_id;
        if (cust && cust != from) {
            ctx_field(c, "customer_id", "%s", mn_msg(c, "与订单/合同的客户不一致", "is not the customer of the order or contract"));
            return c->err;
        }
        json_object_set_new(in, "customer_id", json_integer(from));
        /* Buyer from the customer. */
        DbVal p[] = {dbv_int(from)};
        DbRes *r;
        if (db_query(c->db, "SELECT name, credit_code FROM customers WHERE id = $1", p, 1, &r) == DB_OK) {
            if (db_next(r) == 1) {
                default_text(c, in, "buyer_name", db_text(r, 0));
                default_text(c, in, "buyer_tax_id", db_text(r, 1));
            }
            db_done(r);
        }
        default_text(c, in, "seller_name", mn_setting_text(c, "company.name"));
        default_text(c, in, "seller_tax_id", mn_setting_text(c, "company.tax_id"));
        default_text(c, in, "seller_address_phone", mn_setting_text(c, "company.address_phone"));
        default_text(c, in, "seller_bank_account", mn_setting_text(c, "company.bank_account"));
    }
    if (!json_object_get(in, "issued_on"))
        json_object_set_new(in, "issued_on", json_string(mn_today(c)));
    json_t *conf = json_object_get(in, "confirm");
    if (conf && !json_is_array(conf))
        return ctx_fail(c, GX_EBADREQ, "confirm must be a list of field names");
    check_tax_id(c, in, "buyer_tax_id");
    check_tax_id(c, in, "seller_tax_id");
    const char *kind = json_string_value(json_object_get(in, "kind"));
    if (kind && !strcmp(kind, "special")) {
        static const char *need[] = {"buyer_tax_id", "buyer_address_phone", "buyer_bank_account", NULL};
        for (int i = 0; need[i]; i++) {
            const char *v = json_string_value(json_object_get(in, need[i]));
            if ((!v || !*v) && !json_object_get(c->err_fields, need[i]))
                ctx_field(c, need[i], "%s", mn_msg(c, "增值税专用发票必须填写此项", "is required on a special VAT invoice"));
        }
    }
    const char *buyer = json_string_value(json_object_get(in, "buyer_name"));
    if ((!buyer || !*buyer) && !json_object_get(c->err_fields, "buyer_name"))
        ctx_field(c, "buyer_name", "is required");
    int64_t amount_total, tax_total;
    json_t *priced = price_lines(c, json_object_get(in, "lines"), red_of != 0, &amount_total, &tax_total);
    if (!priced)
        return c->err ? c->err : GX_EINVALID;
    json_object_set_new(in, "lines", priced);
    json_object_del(in, "confirm");
    return c->err;
}

/* Inside the transaction: the amounts fit; lines and totals stored. */
static GxErr invoices_after_create(Ctx *c, HookArgs *a)
{
    json_t *rec = a->result;
    json_t *lines = json_object_get(a->input, "lines"); /* priced by the before-create hook */
    int64_t amount_total = 0, tax_total = 0, total;
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        amount_total += mn_int(l, "amount");
        tax_total += mn_int(l, "tax");
    }
    total = amount_total + tax_total;
    GxErr rc;
    int64_t red_of = mn_int(rec, "red_of");
    const char *fields[] = {"order_id", "contract_id"}, *ents[] = {"orders", "contracts"};
    if (red_of) {
        int64_t orig_total = 0, credited = 0;
        bool found;
        DbVal p[] = {dbv_int(red_of)};
        DbVal p2[] = {dbv_int(red_of), dbv_int(a->id)};
        if (db_query_int(c->db, "SELECT total FROM invoices WHERE id = $1", p, 1, &orig_total, &found) != DB_OK ||
            db_query_int(c->db,
                         "SELECT coalesce(sum(total), 0) FROM invoices WHERE red_of = $1 AND id <> $2 AND status = "
                         "'issued' AND deleted_at IS NULL",
                         p2, 2, &credited, &found) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read the original invoice");
        if (orig_total + credited + total < 0) {
            ctx_field(c, "lines", "%s",
                      arena_printf(c->arena, "%s %s (%s %s)",
                                   mn_msg(c, "红冲金额超过原发票可冲金额:", "would credit more than is left on the original:"),
                                   mn_yuan(c, orig_total + credited), mn_msg(c, "本次", "this one"), mn_yuan(c, total)));
            return c->err;
        }
        DbVal u[] = {dbv_int(credited + total), dbv_int(red_of)};
        if (db_exec(c->db, "UPDATE invoices SET credited_amount = $1 WHERE id = $2", u, 2) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot update the original invoice");
    } else {
        for (int k = 0; k < 2; k++) {
            int64_t did = mn_int(rec, fields[k]), invoiced;
            if (!did)
                continue;
            MnDoc d;
            if ((rc = mn_doc_load(c, meta_entity(ents[k]), did, true, &d)) || (rc = mn_invoiced(c, &d, a->id, &invoiced)))
                return rc;
            if (invoiced + total > d.total) {
                ctx_field(c, "lines", "%s",
                          arena_printf(c->arena, "%s %s (%s %s)",
                                       !strcmp(ents[k], "orders")
                                           ? mn_msg(c, "超过订单未开票金额:", "exceed what is left uninvoiced on the order:")
                                           : mn_msg(c, "超过合同未开票金额:", "exceed what is left uninvoiced on the contract:"),
                                       mn_yuan(c, d.total - invoiced), mn_msg(c, "本次", "this invoice"), mn_yuan(c, total)));
                return c->err;
            }
        }
    }
    /* The invoice belongs to the owner of what it bills (the rep reads it). */
    {
        int64_t oid = mn_int(rec, "order_id"), kid2 = mn_int(rec, "contract_id");
        MnDoc d;
        if ((oid || kid2) &&
            (rc = mn_doc_load(c, meta_entity(oid ? "orders" : "contracts"), oid ? oid : kid2, false, &d)) == GX_OK &&
            d.owner_id) {
            DbVal p[] = {dbv_int(d.owner_id), d.department_id ? dbv_int(d.department_id) : dbv_null(), dbv_int(a->id)};
            if (db_exec(c->db, "UPDATE invoices SET owner_id = $1, department_id = $2 WHERE id = $3", p, 3) != DB_OK)
                return ctx_fail(c, GX_EDB, "cannot store the invoice");
            json_object_set_new(rec, "owner_id", json_integer(d.owner_id));
            json_object_set_new(rec, "department_id", d.department_id ? json_integer(d.department_id) : json_null());
        }
        ctx_clear(c);
    }
    /* Lines as rows (for lists and reports), owned like the invoice. */
    const char *now = record_now(c);
    DbVal who = c->who ? dbv_int(c->who->user_id) : dbv_null();
    json_array_foreach(lines, i, l)
    {
        DbVal p[] = {dbv_text(now),
                     who,
                     json_is_integer(json_object_get(rec, "owner_id")) ? dbv_int(mn_int(rec, "owner_id")) : dbv_null(),
                     json_is_integer(json_object_get(rec, "department_id")) ? dbv_int(mn_int(rec, "department_id")) : dbv_null(),
                     dbv_int(a->id),
                     dbv_int((int64_t)i + 1),
                     dbv_text(json_string_value(json_object_get(l, "tax_code"))),
                     dbv_text(json_string_value(json_object_get(l, "name"))),
                     dbv_text(json_string_value(json_object_get(l, "model"))),
                     dbv_text(json_string_value(json_object_get(l, "unit"))),
                     dbv_int(mn_int(l, "quantity_milli")),
                     dbv_int(mn_int(l, "unit_price")),
                     dbv_int(mn_int(l, "amount")),
                     dbv_int(mn_int(l, "tax_rate_bp")),
                     dbv_int(mn_int(l, "tax"))};
        if (db_exec(c->db,
                    "INSERT INTO invoice_lines(created_at, created_by, updated_at, updated_by, version, owner_id,"
                    " department_id, invoice_id, line_no, tax_code, name, model, unit, quantity, unit_price, amount,"
                    " tax_rate_pct, tax) VALUES ($1, $2, $1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
                    " $14, $15)",
                    p, 15) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot store the invoice lines: %s", db_errmsg(c->db));
        json_object_del(l, "quantity_milli");
        json_object_del(l, "tax_rate_bp");
    }
    char words[RMB_WORDS_MAX];
    rmb_words(total, words, sizeof words);
    DbVal p[] = {dbv_int(amount_total), dbv_int(tax_total), dbv_int(total), dbv_text(words), dbv_int(a->id)};
    if (db_exec(c->db, "UPDATE invoices SET amount_total = $1, tax_total = $2, total = $3, total_words = $4 WHERE id = $5",
                p, 5) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot store the invoice");
    json_object_set(rec, "lines", lines);
    json_object_set_new(rec, "amount_total", json_integer(amount_total));
    json_object_set_new(rec, "tax_total", json_integer(tax_total));
    json_object_set_new(rec, "total", json_integer(total));
    json_object_set_new(rec, "total_words", json_string(words));
    /* A contract's invoiced figure. */
    int64_t kid = mn_int(rec, "contract_id");
    MnDoc d;
    if (kid && (rc = mn_doc_load(c, meta_entity("contracts"), kid, false, &d)) == GX_OK && (rc = mn_doc_refresh(c, &d)))
        return rc;
    return GX_OK;
}

static GxErr invoices_before_update(Ctx *c, HookArgs *a)
{
    const char *key;
    json_t *v;
    json_object_foreach(a->input, key, v)
    {
        if (!strcmp(key, "version") || !strcmp(key, "notes") || !strcmp(key, "status") || !strcmp(key, "owner_id"))
            continue;
        json_t *old = json_object_get(a->old, key);
        if (json_equal(v, old) || ((!old || json_is_null(old)) && (json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))))
            continue;
        ctx_field(c, key, "%s", mn_msg(c, "已开具的发票不能修改；请作废或开红字发票", "cannot change on an issued invoice; void it or issue a red-letter invoice"));
    }
    if (c->err) {
        c->err = GX_ECONFLICT;
        c->err_code = "conflict";
        c->err_msg = mn_msg(c, "已开具的发票不能修改", "An issued invoice cannot be changed");
        return c->err;
    }
    const char *was = json_string_value(json_object_get(a->old, "status"));
    const char *now = json_string_value(json_object_get(a->input, "status"));
    if (now && was && strcmp(now, was)) {
        if (strcmp(now, "void"))
            return ctx_fail(c, GX_ECONFLICT, "%s", mn_msg(c, "作废的发票不能恢复", "A void invoice stays void"));
        int64_t reds = 0;
        bool found;
        DbVal p[] = {dbv_int(a->id)};
        if (db_query_int(c->db,
                         "SELECT count(*) FROM invoices WHERE red_of = $1 AND status = 'issued' AND deleted_at IS NULL",
                         p, 1, &reds, &found) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot read the invoices");
        if (reds)
            return ctx_fail(c, GX_ECONFLICT, "%s",
                            mn_msg(c, "已有红字发票冲销此发票，不能作废", "Red-letter invoices refer to this invoice: it cannot be voided"));
    }
    return GX_OK;
}

static GxErr invoices_after_update(Ctx *c, HookArgs *a)
{
    int64_t red_of = mn_int(a->result, "red_of"), kid = mn_int(a->result, "contract_id");
    if (red_of) {
        DbVal p[] = {dbv_int(red_of)};
        if (db_exec(c->db,
                    "UPDATE invoices SET credited_amount = (SELECT coalesce(sum(r.total), 0) FROM invoices r WHERE"
                    " r.red_of = $1 AND r.status = 'issued' AND r.deleted_at IS NULL) WHERE id = $1",
                    p, 1) != DB_OK)
            return ctx_fail(c, GX_EDB, "cannot update the original invoice");
    }
    MnDoc d;
    GxErr rc;
    if (kid && (rc = mn_doc_load(c, meta_entity("contracts"), kid, false, &d)) == GX_OK && (rc = mn_doc_refresh(c, &d)))
        return rc;
    return GX_OK;
}

/* A scaled integer as a JSON number: whole → integer, else real. */
static json_t *unscaled(int64_t v, int64_t scale)
{
    return v % scale ? json_real((double)v / (double)scale) : json_integer(v / scale);
}

/* Every read carries the lines, from invoice_lines. */
static GxErr invoices_after_read(Ctx *c, HookArgs *a)
{
    DbVal p[] = {dbv_int(a->id)};
    DbRes *r;
    if (db_query(c->db,
                 "SELECT line_no, tax_code, name, model, unit, quantity, unit_price, amount, tax_rate_pct, tax FROM"
                 " invoice_lines WHERE invoice_id = $1 AND deleted_at IS NULL ORDER BY line_no",
                 p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read the invoice lines");
    json_t *lines = json_array();
    while (db_next(r) == 1) {
        json_t *l = json_pack("{s:I, s:o, s:s, s:o, s:o, s:o, s:I, s:I, s:o, s:I}", "line_no", (json_int_t)db_int(r, 0),
                              "tax_code", db_text(r, 1) ? json_string(db_text(r, 1)) : json_null(), "name",
                              db_text(r, 2) ? db_text(r, 2) : "", "model",
                              db_text(r, 3) ? json_string(db_text(r, 3)) : json_null(), "unit",
                              db_text(r, 4) ? json_string(db_text(r, 4)) : json_null(), "quantity",
                              unscaled(db_int(r, 5), 1000), "unit_price", (json_int_t)db_int(r, 6), "amount",
                              (json_int_t)db_int(r, 7), "tax_rate_pct", unscaled(db_int(r, 8), 100), "tax",
                              (json_int_t)db_int(r, 9));
        json_array_append_new(lines, l);
    }
    db_done(r);
    json_object_set_new(a->result, "lines", lines);
    return GX_OK;
}

static GxErr invoices_before_delete(Ctx *c, HookArgs *a)
{
    (void)a;
    return ctx_fail(c, GX_ECONFLICT, "%s",
                    mn_msg(c, "发票不能删除；请作废或开红字发票", "An invoice is not deleted: void it or issue a red-letter invoice"));
}

void mn_invoices_init(void)
{
    record_hook_add("invoices", HOOK_BEFORE_CREATE, invoices_before_create);
    record_hook_add("invoices", HOOK_AFTER_CREATE, invoices_after_create);
    record_hook_add("invoices", HOOK_BEFORE_UPDATE, invoices_before_update);
    record_hook_add("invoices", HOOK_AFTER_UPDATE, invoices_after_update);
    record_hook_add("invoices", HOOK_BEFORE_DELETE, invoices_before_delete);
    record_hook_add("invoices", HOOK_AFTER_READ, invoices_after_read);
}
