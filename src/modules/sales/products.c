/* products.c — products (产品) and product categories as the other sales
 * areas use them: a document line names a product, which must exist and be
 * active (products.active = false keeps it on old documents only). The
 * catalogue itself is plain metadata (schema/products.json,
 * schema/product_categories.json) served by the record engine. */
#include <string.h>

#include "../../record/record.h"
#include "sales.h"

GxErr sales_product_for_line(Ctx *c, int64_t product_id, const char *field, SalesProduct *out)
{
    memset(out, 0, sizeof *out);
    DbRes *r;
    DbVal p[] = {dbv_int(product_id)};
    if (db_query(c->db,
                 "SELECT id, code, name, unit, price, category_id, active FROM products"
                 " WHERE id = $1 AND deleted_at IS NULL",
                 p, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "cannot read products: %s", db_errmsg(c->db));
    bool found = db_next(r) == 1;
    if (found) {
        out->id = db_int(r, 0);
        out->code = arena_strdup(c->arena, db_text(r, 1) ? db_text(r, 1) : "");
        out->name = arena_strdup(c->arena, db_text(r, 2) ? db_text(r, 2) : "");
        out->unit = arena_strdup(c->arena, db_text(r, 3) ? db_text(r, 3) : "");
        out->price = db_isnull(r, 4) ? 0 : db_int(r, 4);
        out->category_id = db_isnull(r, 5) ? 0 : db_int(r, 5);
        out->active = !db_isnull(r, 6) && db_int(r, 6) != 0;
    }
    db_done(r);
    if (!found) {
        ctx_field(c, field, "refers to no product (id %lld)", (long long)product_id);
        return c->err;
    }
    if (!out->active) {
        ctx_field(c, field, "is an inactive product (%s); it cannot go on new lines", out->name);
        return c->err;
    }
    return GX_OK;
}
