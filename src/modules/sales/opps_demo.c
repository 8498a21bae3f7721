/* opps_demo.c — demo data of the sales catalogue and pipeline (called by
 * demo_fill): product lines and categories with products (one of them
 * inactive), competitors with their products, and an opportunity for each
 * of the first customers, spread over the stages, with expected close dates
 * from last month to half a year ahead, so that the board, the funnel and
 * the forecast have something to show. Deterministic (fixed seed). */
#include <string.h>
#include <time.h>

#include "../../base/clock.h"
#include "../../base/util.h"
#include "../../record/record.h"
#include "sales.h"

/* A category: code, name, parent code (NULL for a product line). */
static const struct {
    const char *code, *name, *parent;
} categories[] = {
    {"SW", "软件产品", NULL},     {"SW-CRM", "客户管理系统", "SW"}, {"SW-ERP", "企业资源计划", "SW"},
    {"HW", "硬件设备", NULL},     {"HW-SRV", "服务器", "HW"},       {"HW-NET", "网络设备", "HW"},
    {"SVC", "服务", NULL},        {"SVC-IMP", "实施服务", "SVC"},   {"SVC-OPS", "运维服务", "SVC"},
};

/* A product: code, name, category code, unit, price and cost in yuan, active. */
static const struct {
    const char *code, *name, *category, *unit;
    int price, cost;
    bool active;
} products[] = {
    {"CRM-STD", "关系 CRM 标准版（年订阅/用户）", "SW-CRM", "用户", 1200, 300, true},
    {"CRM-PRO", "关系 CRM 专业版（年订阅/用户）", "SW-CRM", "用户", 2400, 500, true},
    {"CRM-ENT", "关系 CRM 企业版（年订阅/用户）", "SW-CRM", "用户", 4800, 900, true},
    {"CRM-V1", "关系 CRM 1.0 永久授权（停售）", "SW-CRM", "套", 68000, 10000, false},
    {"ERP-FIN", "财务模块", "SW-ERP", "套", 98000, 20000, true},
    {"ERP-SCM", "供应链模块", "SW-ERP", "套", 128000, 30000, true},
    {"SRV-2U", "2U 机架式服务器", "HW-SRV", "台", 36800, 29000, true},
    {"SRV-GPU", "GPU 计算服务器", "HW-SRV", "台", 268000, 215000, true},
    {"NET-SW48", "48 口千兆交换机", "HW-NET", "台", 8600, 6100, true},
    {"NET-FW", "下一代防火墙", "HW-NET", "台", 45000, 31000, true},
    {"IMP-DAY", "实施顾问（人天）", "SVC-IMP", "人天", 2500, 1200, true},
    {"OPS-YEAR", "年度运维服务", "SVC-OPS", "年", 60000, 28000, true},
};

/* A competitor with two products (name, price in yuan). */
static const struct {
    const char *name, *website, *strengths, *weaknesses;
    const char *product[2];
    int price[2];
} competitors[] = {
    {"华信软件", "https://huaxin.example.cn", "价格低，渠道覆盖广", "定制能力弱，实施周期长",
     {"华信 CRM 标准版", "华信移动销售"}, {900, 600}},
    {"云启科技", "https://yunqi.example.cn", "界面美观，移动端体验好", "本地部署支持差，数据导出受限",
     {"云启销售云", "云启服务云"}, {2000, 1800}},
    {"博远信息", "https://boyuan.example.cn", "行业方案多，大客户案例丰富", "报价高，响应慢",
     {"博远 ERP", "博远 CRM 企业版"}, {150000, 5200}},
    {"东方智联", "https://dfzl.example.cn", "硬件集成能力强", "软件功能少",
     {"智联一体机", "智联网关"}, {42000, 9800}},
};

/* Stage codes in the demo's mix: most deals early in the funnel. */
static const char *const stage_mix[] = {"initial", "initial", "initial", "needs",       "needs", "needs",
                                        "proposal", "proposal", "negotiation", "negotiation", "won",
                                        "won",     "lost"};

static const char *const won_reasons[] = {"方案贴合需求，客户认可实施团队", "价格有竞争力，付款条件灵活",
                                          "老客户推荐，信任度高"};
static const char *const lost_reasons[] = {"预算被削减，项目延期", "竞争对手报价更低", "客户选择了本地部署方案"};

static const char *const deal_names[] = {"CRM 系统升级", "销售管理平台", "门店数字化改造", "机房扩容",
                                         "年度运维外包", "ERP 财务上线", "网络安全加固", "客服中心建设"};

/* Create a record in the system context; *id receives its id. */
static GxErr create(Ctx *c, const char *entity, json_t *in, int64_t *id)
{
    json_t *out = NULL;
    GxErr rc = record_create(c, meta_entity(entity), in, &out);
    json_decref(in);
    if (rc) {
        c->err_msg = arena_printf(c->arena, "demo %s: %s", entity, c->err_msg ? c->err_msg : "failed");
        return rc;
    }
    if (id)
        *id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    return GX_OK;
}

static int64_t id_by_code(Ctx *c, const char *table, const char *code)
{
    int64_t id = 0;
    bool found = false;
    DbVal p[] = {dbv_text(code)};
    const char *sql = arena_printf(c->arena, "SELECT id FROM %s WHERE code = $1 AND deleted_at IS NULL", table); /* sql-ok: table is a literal of this file */
    db_query_int(c->db, sql, p, 1, &id, &found);
    return found ? id : 0;
}

/* A small deterministic generator (xorshift). */
static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Today + days in the company's zone, "YYYY-MM-DD" (arena). */
static const char *day_text(Ctx *c, int64_t now, int days)
{
    char t[64];
    time_format_s(now + CLOCK_COMPANY_TZ_OFFSET + (int64_t)days * 86400, t);
    return arena_strndup(c->arena, t, 10);
}

GxErr sales_opps_demo(Ctx *c, int max_opportunities)
{
    if (!meta_entity("products") || !meta_entity("opportunity_stages"))
        return GX_OK;
    GxErr rc = GX_OK;
    for (size_t i = 0; !rc && i < sizeof categories / sizeof categories[0]; i++) {
        json_t *in = json_pack("{s:s, s:s, s:i}", "code", categories[i].code, "name", categories[i].name, "sort",
                               (int)(i + 1) * 10);
        if (categories[i].parent)
            json_object_set_new(in, "parent_id", json_integer(id_by_code(c, "product_categories", categories[i].parent)));
        rc = create(c, "product_categories", in, NULL);
    }
    for (size_t i = 0; !rc && i < sizeof products / sizeof products[0]; i++)
        rc = create(c, "products",
                    json_pack("{s:s, s:s, s:I, s:s, s:I, s:I, s:b}", "code", products[i].code, "name", products[i].name,
                              "category_id", (json_int_t)id_by_code(c, "product_categories", products[i].category),
                              "unit", products[i].unit, "price", (json_int_t)products[i].price * 100, "cost",
                              (json_int_t)products[i].cost * 100, "active", products[i].active),
                    NULL);
    int64_t competitor_ids[sizeof competitors / sizeof competitors[0]];
    for (size_t i = 0; !rc && i < sizeof competitors / sizeof competitors[0]; i++) {
        rc = create(c, "competitors",
                    json_pack("{s:s, s:s, s:s, s:s}", "name", competitors[i].name, "website", competitors[i].website,
                              "strengths", competitors[i].strengths, "weaknesses", competitors[i].weaknesses),
                    &competitor_ids[i]);
        for (int k = 0; !rc && k < 2; k++)
            rc = create(c, "competitor_products",
                        json_pack("{s:I, s:s, s:I, s:s}", "competitor_id", (json_int_t)competitor_ids[i], "name",
                                  competitors[i].product[k], "price", (json_int_t)competitors[i].price[k] * 100,
                                  "strengths", competitors[i].strengths),
                        NULL);
    }
    if (rc)
        return rc;

    /* an opportunity for each of the first customers that have an owner */
    DbRes *r;
    DbVal lim[] = {dbv_int(max_opportunities)};
    if (db_query(c->db,
                 "SELECT id, owner_id, name FROM customers WHERE owner_id IS NOT NULL AND deleted_at IS NULL"
                 " ORDER BY id LIMIT $1",
                 lim, 1, &r) != DB_OK)
        return ctx_fail(c, GX_EDB, "demo: cannot read customers");
    int n = 0;
    int64_t *cust = arena_calloc(c->arena, (size_t)max_opportunities + 1, sizeof *cust);
    int64_t *owner = arena_calloc(c->arena, (size_t)max_opportunities + 1, sizeof *owner);
    const char **cname = arena_calloc(c->arena, (size_t)max_opportunities + 1, sizeof *cname);
    while (db_next(r) == 1 && n < max_opportunities) {
        cust[n] = db_int(r, 0);
        owner[n] = db_int(r, 1);
        cname[n] = arena_strdup(c->arena, db_text(r, 2) ? db_text(r, 2) : "");
        n++;
    }
    db_done(r);
    uint64_t seed = 0x5eed0bb5u;
    int64_t now = (int64_t)time(NULL);
    for (int i = 0; !rc && i < n; i++) {
        const char *code = stage_mix[next(&seed) % (sizeof stage_mix / sizeof stage_mix[0])];
        int64_t amount = (int64_t)(20 + next(&seed) % 1980) * 100000; /* ¥20,000 – ¥2,000,000 in whole thousands */
        int days = (int)(next(&seed) % 210) - 30;
        const char *deal = deal_names[next(&seed) % (sizeof deal_names / sizeof deal_names[0])];
        json_t *in = json_pack("{s:s, s:I, s:I, s:I, s:I, s:s}", "name",
                               arena_printf(c->arena, "%.60s · %s", cname[i], deal), "customer_id",
                               (json_int_t)cust[i], "owner_id", (json_int_t)owner[i], "amount", (json_int_t)amount,
                               "stage_id", (json_int_t)id_by_code(c, "opportunity_stages", code), "expected_close",
                               day_text(c, now, days));
        if (next(&seed) % 3 == 0) {
            size_t k = next(&seed) % (sizeof competitors / sizeof competitors[0]);
            json_object_set_new(in, "competitor_id", json_integer(competitor_ids[k]));
        }
        if (!strcmp(code, "won"))
            json_object_set_new(in, "won_lost_reason", json_string(won_reasons[next(&seed) % 3]));
        else if (!strcmp(code, "lost"))
            json_object_set_new(in, "won_lost_reason", json_string(lost_reasons[next(&seed) % 3]));
        rc = create(c, "opportunities", in, NULL);
    }
    return rc;
}
