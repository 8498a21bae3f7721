/* demo.c — demo data for a Chinese sales team: departments, users,
 * customers, contacts and activities (`guanxi demo`).
 *
 * Everything goes through the record engine in the system context
 * (c->who == NULL), so validation, hooks, numbering, the search index and the
 * audit log treat demo records exactly like real ones. Each record is its own
 * transaction (record_create opens one).
 *
 * Names, numbers and choices come from a fixed-seed PRNG, so two runs make the
 * same data; dates are relative to the moment of the run (activities in the
 * last 90 days, follow-ups and a few birthdays in the coming days) so the
 * demo always looks current. E-mail addresses and web sites use the reserved
 * .example top-level domain, so nothing sent from a demo database reaches a
 * real mailbox. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/log.h"
#include "../record/record.h"
#include "membership.h"
#include "modules.h"
#include "sales/sales.h"


#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define DEMO_SEED 0x6775616e786931ULL /* "guanxi1" */
#define DEMO_PASSWORD "demo12345"
#define DEMO_TZ_S (8 * 3600) /* business time zone: Asia/Shanghai, UTC+8 */
#define DEMO_DAY_S 86400
#define DEMO_MAX_CONTACTS 3

/* ---------- deterministic random numbers ---------- */

/* xorshift64* (Marsaglia/Vigna): small, fast and good enough for demo data. */
typedef struct Rng {
    uint64_t state; /* never zero */
} Rng;

static uint64_t rng_next(Rng *r)
{
    uint64_t x = r->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* A uniform integer in [lo, hi] (hi >= lo; the modulo bias is irrelevant here). */
static int rng_range(Rng *r, int lo, int hi)
{
    return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* True with the given probability in percent. */
static bool rng_percent(Rng *r, int percent)
{
    return rng_range(r, 0, 99) < percent;
}

/* A random element of a static array (an lvalue: take its address for structs). */
#define PICK(r, a) ((a)[rng_range((r), 0, COUNT(a) - 1)])

/* ---------- name parts ---------- */

/* The tables below are laid out by hand, one row per line where it fits;
 * clang-format counts each CJK character as several columns and would
 * scatter them. */
/* clang-format off */

/* A district and its administrative division code (GB/T 2260), which is the
 * region part of a unified social credit code. */
typedef struct District {
    const char *name; /* 浦东新区 */
    const char *code; /* 310115 */
} District;

/* A city customers are located in. */
typedef struct City {
    const char *name;      /* short name used in company names: 上海 */
    const char *province;  /* address province: 上海市, 广东省 */
    const char *city;      /* address city: 上海市, 广州市 */
    const char *region;    /* sales region (customers.region) */
    const char *area_code; /* landline area code: 021 */
    int local_digits;      /* digits of a local landline number */
    District districts[3]; /* a few districts */
} City;

static const City cities[] = {
    {"北京", "北京市", "北京市", "华北", "010", 8, {{"朝阳区", "110105"}, {"海淀区", "110108"}, {"东城区", "110101"}}},
    {"上海", "上海市", "上海市", "华东", "021", 8, {{"浦东新区", "310115"}, {"徐汇区", "310104"}, {"静安区", "310106"}}},
    {"广州", "广东省", "广州市", "华南", "020", 8, {{"天河区", "440106"}, {"越秀区", "440104"}, {"海珠区", "440105"}}},
    {"深圳", "广东省", "深圳市", "华南", "0755", 8, {{"南山区", "440305"}, {"福田区", "440304"}, {"宝安区", "440306"}}},
    {"杭州", "浙江省", "杭州市", "华东", "0571", 8, {{"西湖区", "330106"}, {"滨江区", "330108"}, {"余杭区", "330110"}}},
    {"成都", "四川省", "成都市", "西南", "028", 8, {{"武侯区", "510107"}, {"锦江区", "510104"}, {"青羊区", "510105"}}},
    {"武汉", "湖北省", "武汉市", "华中", "027", 8, {{"武昌区", "420106"}, {"江汉区", "420103"}, {"洪山区", "420111"}}},
    {"南京", "江苏省", "南京市", "华东", "025", 8, {{"玄武区", "320102"}, {"鼓楼区", "320106"}, {"建邺区", "320105"}}},
    {"苏州", "江苏省", "苏州市", "华东", "0512", 8, {{"姑苏区", "320508"}, {"吴中区", "320506"}, {"虎丘区", "320505"}}},
    {"西安", "陕西省", "西安市", "西北", "029", 8, {{"雁塔区", "610113"}, {"碑林区", "610103"}, {"未央区", "610112"}}},
    {"沈阳", "辽宁省", "沈阳市", "东北", "024", 8, {{"和平区", "210102"}, {"沈河区", "210103"}, {"浑南区", "210112"}}},
    {"重庆", "重庆市", "重庆市", "西南", "023", 8, {{"渝中区", "500103"}, {"江北区", "500105"}, {"渝北区", "500112"}}},
    {"天津", "天津市", "天津市", "华北", "022", 8, {{"和平区", "120101"}, {"南开区", "120104"}, {"滨海新区", "120116"}}},
    {"长沙", "湖南省", "长沙市", "华中", "0731", 8, {{"岳麓区", "430104"}, {"芙蓉区", "430102"}, {"天心区", "430103"}}},
    {"青岛", "山东省", "青岛市", "华东", "0532", 8, {{"市南区", "370202"}, {"崂山区", "370212"}, {"黄岛区", "370211"}}},
    {"厦门", "福建省", "厦门市", "华东", "0592", 7, {{"思明区", "350203"}, {"湖里区", "350206"}, {"集美区", "350211"}}},
    {"郑州", "河南省", "郑州市", "华中", "0371", 8, {{"金水区", "410105"}, {"二七区", "410103"}, {"中原区", "410102"}}},
    {"哈尔滨", "黑龙江省", "哈尔滨市", "东北", "0451", 8, {{"南岗区", "230103"}, {"道里区", "230102"}, {"香坊区", "230110"}}},
};

static const char *const streets[] = {
    "人民路", "中山路", "建设路", "解放路", "科技园路", "长江路", "延安路",
    "和平大道", "新华街", "文化路", "工业大道", "滨江大道", "学府路", "创业路",
};

static const char *const buildings[] = {
    "国际大厦", "科技大厦", "金融中心", "商务广场", "创新园", "财富中心", "时代广场",
};

/* A trade word of a company name and the industry it implies. */
typedef struct Trade {
    const char *word;     /* 科技, or Logistics for English names */
    const char *slug;     /* for the web domain */
    const char *industry; /* customers.industry value */
} Trade;

static const Trade trades[] = {
    {"科技", "tech", "it"},
    {"网络科技", "net", "it"},
    {"信息技术", "info", "it"},
    {"电子", "elec", "it"},
    {"软件", "soft", "it"},
    {"贸易", "trade", "trade"},
    {"商贸", "trading", "trade"},
    {"进出口", "impexp", "trade"},
    {"医疗器械", "medical", "health"},
    {"生物医药", "bio", "health"},
    {"教育咨询", "edu", "education"},
    {"培训", "training", "education"},
    {"物流", "logistics", "logistics"},
    {"供应链管理", "scm", "logistics"},
    {"建材", "building", "manufacturing"},
    {"机械设备", "machinery", "manufacturing"},
    {"精密制造", "precision", "manufacturing"},
    {"食品", "food", "manufacturing"},
    {"文化传媒", "media", "media"},
    {"广告", "ads", "media"},
    {"投资管理", "invest", "finance"},
    {"融资租赁", "leasing", "finance"},
    {"置业", "property", "real_estate"},
    {"企业管理咨询", "consulting", "services"},
    {"人力资源", "hr", "services"},
};

static const Trade english_trades[] = {
    {"Logistics", "logistics", "logistics"},
    {"Trading", "trading", "trade"},
    {"Technologies", "tech", "it"},
    {"Medical", "medical", "health"},
    {"Education", "edu", "education"},
    {"Foods", "foods", "manufacturing"},
    {"Media", "media", "media"},
    {"Consulting", "consulting", "services"},
    {"Electronics", "electronics", "it"},
    {"Capital", "capital", "finance"},
    {"Materials", "materials", "manufacturing"},
};

/* A trade name (字号) and its pinyin, for the web domain. */
typedef struct Brand {
    const char *zh;     /* 鼎盛 */
    const char *pinyin; /* dingsheng */
} Brand;

static const Brand brands[] = {
    {"鼎盛", "dingsheng"}, {"恒达", "hengda"},     {"华信", "huaxin"},   {"新锐", "xinrui"},   {"金桥", "jinqiao"},
    {"瑞丰", "ruifeng"},   {"博远", "boyuan"},     {"嘉禾", "jiahe"},    {"汇通", "huitong"},  {"天成", "tiancheng"},
    {"宏图", "hongtu"},    {"锦程", "jincheng"},   {"万联", "wanlian"},  {"启明", "qiming"},   {"星辰", "xingchen"},
    {"安泰", "antai"},     {"远航", "yuanhang"},   {"九州", "jiuzhou"},  {"百川", "baichuan"}, {"凯旋", "kaixuan"},
    {"盛元", "shengyuan"}, {"同创", "tongchuang"}, {"中科", "zhongke"},  {"蓝海", "lanhai"},   {"永信", "yongxin"},
    {"德润", "derun"},     {"光华", "guanghua"},   {"泰和", "taihe"},    {"明远", "mingyuan"}, {"沃德", "wode"},
};

/* Legal forms, repeated to weight the common ones. */
static const char *const company_suffixes[] = {
    "有限公司", "有限公司", "有限公司", "有限公司", "有限公司", "有限公司",
    "股份有限公司", "股份有限公司", "集团有限公司", "有限责任公司",
};

static const char *const english_prefixes[] = {
    "Harbor", "Summit", "Pacific", "Evergreen", "Northstar", "Silverline", "Redwood", "Crescent",
    "Bluewater", "Lotus", "Jade River", "Golden Bridge", "Orient", "Meridian", "Blue Peak",
};

static const char *const english_suffixes[] = {"Ltd.", "Co., Ltd.", "Inc.", "Group Ltd.", "Pte. Ltd.", "Limited"};

/* A family name and its pinyin. */
typedef struct Surname {
    const char *zh;     /* 王 */
    const char *pinyin; /* wang */
} Surname;

static const Surname surnames[] = {
    {"王", "wang"},  {"李", "li"},   {"张", "zhang"}, {"刘", "liu"},   {"陈", "chen"},  {"杨", "yang"},
    {"黄", "huang"}, {"赵", "zhao"}, {"吴", "wu"},    {"周", "zhou"},  {"徐", "xu"},    {"孙", "sun"},
    {"马", "ma"},    {"朱", "zhu"},  {"胡", "hu"},    {"郭", "guo"},   {"何", "he"},    {"林", "lin"},
    {"高", "gao"},   {"罗", "luo"},  {"郑", "zheng"}, {"梁", "liang"}, {"谢", "xie"},   {"宋", "song"},
    {"唐", "tang"},  {"韩", "han"},  {"冯", "feng"},  {"邓", "deng"},  {"曹", "cao"},   {"彭", "peng"},
    {"曾", "zeng"},  {"欧阳", "ouyang"},
};

/* A given name, its pinyin and the gender it usually suggests. */
typedef struct GivenName {
    const char *zh;     /* 伟 */
    const char *pinyin; /* wei */
    bool female;        /* usually a woman's name */
} GivenName;

static const GivenName given_names[] = {
    {"伟", "wei", false},       {"芳", "fang", true},       {"娜", "na", true},        {"秀英", "xiuying", true},
    {"敏", "min", true},        {"静", "jing", true},       {"丽", "li", true},        {"强", "qiang", false},
    {"磊", "lei", false},       {"军", "jun", false},       {"洋", "yang", false},     {"勇", "yong", false},
    {"艳", "yan", true},        {"杰", "jie", false},       {"娟", "juan", true},      {"涛", "tao", false},
    {"明", "ming", false},      {"超", "chao", false},      {"秀兰", "xiulan", true},  {"霞", "xia", true},
    {"建华", "jianhua", false}, {"志强", "zhiqiang", false}, {"晓燕", "xiaoyan", true}, {"海涛", "haitao", false},
    {"婷婷", "tingting", true}, {"浩然", "haoran", false},  {"子涵", "zihan", true},    {"宇轩", "yuxuan", false},
    {"欣怡", "xinyi", true},    {"俊杰", "junjie", false},  {"雨桐", "yutong", true},   {"文博", "wenbo", false},
    {"思远", "siyuan", false},  {"佳琪", "jiaqi", true},    {"梦瑶", "mengyao", true},  {"国平", "guoping", false},
};

/* A contact's job: title, department and usual part in a purchase. */
typedef struct Title {
    const char *title;     /* 采购经理 */
    const char *dept;      /* 采购部 */
    const char *role;      /* contacts.decision_role value */
    const char *influence; /* contacts.influence value */
} Title;

/* The first contact of a company is its head; the others report to them. */
static const Title head_titles[] = {
    {"总经理", "总经办", "decision_maker", "high"},
    {"董事长", "董事会", "decision_maker", "high"},
    {"副总经理", "总经办", "decision_maker", "high"},
};

static const Title staff_titles[] = {
    {"采购经理", "采购部", "influencer", "high"},
    {"技术总监", "技术部", "influencer", "high"},
    {"财务主管", "财务部", "gatekeeper", "medium"},
    {"IT 主管", "信息部", "user", "medium"},
    {"行政主管", "行政部", "gatekeeper", "low"},
    {"项目经理", "项目部", "champion", "medium"},
    {"市场总监", "市场部", "influencer", "medium"},
    {"采购专员", "采购部", "user", "low"},
    {"运营经理", "运营部", "user", "medium"},
    {"生产经理", "生产部", "user", "medium"},
};

/* A kind of follow-up with realistic wording. */
typedef struct ActivityTemplate {
    const char *kind;      /* activities.kind value */
    const char *subject;   /* 主题 */
    const char *content;   /* 内容 */
    const char *next_step; /* a natural next step when the activity sets one */
} ActivityTemplate;

static const ActivityTemplate activity_templates[] = {
    {"call", "首次电话联系", "介绍公司主要产品线和服务案例，对方表示有兴趣，希望先看资料。", "发送公司介绍和产品资料"},
    {"call", "电话沟通报价细节", "确认报价单中的单价和账期，客户希望批量采购再优惠 3%。", "整理优惠方案并重新报价"},
    {"call", "电话回访产品使用情况", "客户反馈设备运行稳定，希望安排一次操作培训。", "安排技术人员上门培训"},
    {"call", "催收第二期货款", "财务确认本月底前安排付款，需要我方先开具增值税专用发票。", "开具发票并寄出"},
    {"call", "确认交货时间", "客户生产计划提前，希望下周三前到货，已与仓库确认可以发货。", "跟进物流单号"},
    {"visit", "上门拜访采购负责人", "参观了客户的生产车间，了解到明年有扩产计划，采购量预计增加三成。", "准备年度框架协议草案"},
    {"visit", "现场勘查安装环境", "现场电源和网络条件满足要求，机房需要增加一台空调。", "提交安装方案"},
    {"visit", "拜访客户技术部门", "与技术团队讨论了接口对接方案，对方关注数据安全和本地部署。", "提供技术白皮书"},
    {"visit", "节前客户走访", "送上中秋礼品，与总经理交流了下半年的合作方向。", "约定季度业务回顾会"},
    {"meeting", "方案演示会议", "向客户管理层演示整体解决方案，技术总监对报表功能很认可。", "根据反馈修改方案"},
    {"meeting", "年度合作洽谈会", "双方就明年的采购量、价格和返点政策达成初步共识。", "起草年度合作合同"},
    {"meeting", "项目启动会", "明确了项目里程碑和双方对接人，第一阶段四周内完成。", "发送会议纪要"},
    {"meeting", "季度业务回顾", "回顾了本季度订单和售后情况，客户提出希望缩短维修响应时间。", "内部讨论服务改进措施"},
    {"email", "发送产品资料和报价单", "按客户要求发送了产品手册、报价单和两个同行业案例。", "电话确认是否收到资料"},
    {"email", "邮件确认合同条款", "就付款方式和违约责任条款与客户法务往来邮件确认。", "安排合同盖章"},
    {"email", "发送会议纪要", "整理了上次会议的结论和待办事项，抄送双方负责人。", NULL},
    {"sms", "短信提醒付款日期", "提醒客户本期货款将于下周到期。", NULL},
    {"sms", "节日问候短信", "向客户发送节日祝福。", NULL},
    {"note", "客户背景调研", "客户成立于 2012 年，员工约 200 人，主要竞争对手也在接触。", "约见决策人"},
    {"note", "内部讨论：客户信用评估", "根据历史付款记录，建议维持当前信用额度，暂不上调。", NULL},
};

static const char *const customer_sources[] = {
    "promotion", "search", "ads", "referral", "signup", "inquiry",
    "appointment", "cold_call", "phone", "email", "exhibition",
};

static const char *const customer_notes[] = {
    "客户对价格较敏感，注重售后服务。",
    "决策流程较长，需要总经理签字。",
    "老客户介绍，合作意向强。",
    "每年三月和九月集中采购。",
    "对方要求所有报价走邮件，不接受微信沟通。",
    "竞争对手报价更低，需要突出服务优势。",
};

static const char *const customer_tags[] = {"重点跟进", "价格敏感", "年框客户", "展会获客", "高潜力", "老客户介绍"};

static const char *const mobile_prefixes[] = {
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "176", "177", "178", "180",
    "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199",
};

/* ---------- the organisation ---------- */

/* A department to add under its parent (by code; HQ exists already). */
typedef struct DemoDepartment {
    const char *code;        /* departments.code */
    const char *name;        /* departments.name */
    const char *parent_code; /* parent's code */
} DemoDepartment;

static const DemoDepartment demo_departments[] = {
    {"A", "销售一部", "HQ"},
    {"A1", "华东组", "A"},
    {"B", "销售二部", "HQ"},
    {"S", "客服部", "HQ"},
};

/* A demo user (password DEMO_PASSWORD). */
typedef struct DemoUser {
    const char *username;    /* login */
    const char *name;        /* display name */
    const char *role;        /* built-in role code */
    const char *dept_code;   /* department code */
    const char *position;    /* job title */
    const char *email_local; /* e-mail local part */
    const char *lang;        /* interface language */
    bool rep;                /* owns demo customers */
} DemoUser;

static const DemoUser demo_users[] = {
    {"manager_a", "王经理", "sales_manager", "A", "销售一部经理", "wang.jingli", "zh", false},
    {"rep_a1", "李娜", "sales_rep", "A", "销售代表", "li.na", "zh", true},
    {"rep_a2", "张伟", "sales_rep", "A1", "华东区域销售", "zhang.wei", "zh", true},
    {"rep_b1", "刘洋", "sales_rep", "B", "高级销售代表", "liu.yang", "zh", true},
    {"rep_en", "Emily Chen", "sales_rep", "B", "Key Account Manager", "emily.chen", "en", true},
    {"service1", "陈静", "service_agent", "S", "客服专员", "chen.jing", "zh", false},
};

/* clang-format on */

#define DEMO_COMPANY_DOMAIN "guanxi-demo.example"

/* ---------- generation state ---------- */

/* Everything demo_fill carries from one record to the next. */
typedef struct Demo {
    Ctx *c;                                    /* system context; c->arena is swapped per customer */
    Rng rng;                                   /* the one PRNG */
    int64_t now;                               /* seconds since the epoch when the run started */
    int64_t hq_id;                             /* head office */
    int64_t dept_ids[COUNT(demo_departments)]; /* ids of demo_departments, same order */
    int64_t rep_ids[COUNT(demo_users)];        /* users who own customers */
    int nreps;                                 /* entries in rep_ids */
    json_t *names_used;                        /* customer names so far (a set), to avoid duplicates */
    int ncustomers, ncontacts, nactivities;    /* records created, for the summary */
    int nleads, nconverted;                    /* leads created and converted */
    int upcoming_birthdays;                    /* contacts whose birthday is in the next 3 days */
} Demo;

/* What a customer's contacts and activities need to know about it. */
typedef struct CustomerInfo {
    int64_t id;                             /* record id */
    int64_t owner_id;                       /* owning rep */
    bool company;                           /* kind company (has contacts) */
    const char *domain;                     /* e-mail domain, or NULL (individuals) */
    const char *next_follow_up;             /* RFC 3339, or NULL */
    int64_t contact_ids[DEMO_MAX_CONTACTS]; /* contacts created */
    int ncontacts;                          /* entries in contact_ids */
} CustomerInfo;

/* A generated person. Strings live in the current arena. */
typedef struct Person {
    const char *name;   /* 王伟 */
    const char *pinyin; /* wangwei */
    bool female;        /* for contacts.gender */
} Person;

/* ---------- small helpers ---------- */

/* Set o[key] to the string v; nothing when v is NULL. */
static void put_str(json_t *o, const char *key, const char *v)
{
    if (v)
        json_object_set_new(o, key, json_string(v));
}

/* Set o[key] to the integer v. */
static void put_int(json_t *o, const char *key, int64_t v)
{
    json_object_set_new(o, key, json_integer(v));
}

/* Set o[key] to the id of the pick-list row of entity with this code (or
 * name), if there is one. */
static void put_pick(Demo *d, json_t *o, const char *key, const char *entity, const char *code)
{
    int64_t id = picklist_id(d->c, entity, code);
    if (id)
        put_int(o, key, id);
}

/* Create one record of `entity` from `in`, which is consumed, in the system
 * context. *id and *version (either may be NULL) receive the stored values.
 * On failure c describes it, prefixed with the entity. */
static GxErr demo_create(Demo *d, const char *entity, json_t *in, int64_t *id, int64_t *version)
{
    const Entity *e = meta_entity(entity);
    if (!e) {
        json_decref(in);
        return ctx_fail(d->c, GX_EINTERNAL, "demo: the entity %s is not defined", entity);
    }
    json_t *out = NULL;
    GxErr rc = record_create(d->c, e, in, &out);
    json_decref(in);
    if (rc) {
        d->c->err_msg = arena_printf(d->c->arena, "demo %s: %s", entity, d->c->err_msg ? d->c->err_msg : "failed");
        return rc;
    }
    if (id)
        *id = json_integer_value(json_object_get(out, "id"));
    if (version)
        *version = json_integer_value(json_object_get(out, "version"));
    json_decref(out);
    return GX_OK;
}

/* A Chinese mobile number: a real 3-digit prefix and 8 digits (arena string). */
static const char *mobile_make(Demo *d)
{
    return arena_printf(d->c->arena, "%s%04d%04d", PICK(&d->rng, mobile_prefixes), rng_range(&d->rng, 0, 9999),
                        rng_range(&d->rng, 0, 9999));
}

/* A landline "021-62345678" in the city (local numbers start with 2..8). */
static const char *landline_make(Demo *d, const City *city)
{
    int rest = city->local_digits - 1;
    int max = rest == 7 ? 9999999 : 999999;
    return arena_printf(d->c->arena, "%s-%d%0*d", city->area_code, rng_range(&d->rng, 2, 8), rest,
                        rng_range(&d->rng, 0, max));
}

/* A person with a common surname and given name. */
static Person person_make(Demo *d)
{
    const Surname *s = &PICK(&d->rng, surnames);
    const GivenName *g = &PICK(&d->rng, given_names);
    return (Person){
        .name = arena_printf(d->c->arena, "%s%s", s->zh, g->zh),
        .pinyin = arena_printf(d->c->arena, "%s%s", s->pinyin, g->pinyin),
        .female = g->female,
    };
}

/* A moment `days` from today (negative: in the past) at hh:mm Beijing time,
 * as seconds since the epoch. */
static int64_t day_at(const Demo *d, int days, int hour, int minute)
{
    int64_t local_midnight = (d->now + DEMO_TZ_S) / DEMO_DAY_S * DEMO_DAY_S;
    return local_midnight + (int64_t)days * DEMO_DAY_S + hour * 3600 + minute * 60 - DEMO_TZ_S;
}

/* Broken-down Beijing time of t. */
static struct tm beijing_tm(int64_t t)
{
    time_t local = (time_t)(t + DEMO_TZ_S);
    struct tm tm;
    gmtime_r(&local, &tm);
    return tm;
}

/* RFC 3339 text with the +08:00 offset for t (arena string). */
static const char *time_text(Demo *d, int64_t t)
{
    struct tm tm = beijing_tm(t);
    return arena_printf(d->c->arena, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A business-hours moment (09:00–17:45, quarter hours) `days` from today. */
static int64_t office_time(Demo *d, int days)
{
    return day_at(d, days, rng_range(&d->rng, 9, 17), 15 * rng_range(&d->rng, 0, 3));
}

/* Gregorian leap year? */
static bool leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* A birthday "YYYY-MM-DD": on the day `days_ahead` from today when
 * days_ahead >= 0, else any day of the year; the year makes an adult of
 * 28–60. */
static const char *birthday_make(Demo *d, int days_ahead)
{
    int year = beijing_tm(d->now).tm_year + 1900 - rng_range(&d->rng, 28, 60);
    int month, day;
    if (days_ahead >= 0) {
        struct tm tm = beijing_tm(day_at(d, days_ahead, 12, 0));
        month = tm.tm_mon + 1;
        day = tm.tm_mday;
        if (month == 2 && day == 29)
            while (!leap_year(year))
                year--;
    } else {
        month = rng_range(&d->rng, 1, 12);
        day = rng_range(&d->rng, 1, 28);
    }
    return arena_printf(d->c->arena, "%04d-%02d-%02d", year, month, day);
}

/* ---------- unified social credit code (GB 32100-2015) ---------- */

static const char credit_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Check character of the 9-character organisation code (GB 11714) inside a
 * credit code, from its 8 body characters (digits or capital letters). */
static char org_code_check(const char *body)
{
    static const int weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 8; i++)
        sum += (isdigit((unsigned char)body[i]) ? body[i] - '0' : body[i] - 'A' + 10) * weights[i];
    int check = 11 - sum % 11;
    return check == 10 ? 'X' : check == 11 ? '0' : (char)('0' + check);
}

/* Check character (18th) of a credit code from its first 17 characters, all
 * from credit_alphabet. */
static char credit_code_check(const char *code17)
{
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (int)(strchr(credit_alphabet, code17[i]) - credit_alphabet) * weights[i];
    int check = 31 - sum % 31;
    return credit_alphabet[check == 31 ? 0 : check];
}

/* A valid credit code of an enterprise (registered by market regulation:
 * "91") in the given district (arena string). */
static const char *credit_code_make(Demo *d, const District *district)
{
    char code[19];
    char body[9];
    snprintf(body, sizeof body, "%d%07d", rng_range(&d->rng, 1, 9), rng_range(&d->rng, 0, 9999999));
    snprintf(code, sizeof code, "91%s%s%c", district->code, body, org_code_check(body));
    code[17] = credit_code_check(code);
    code[18] = 0;
    return arena_strdup(d->c->arena, code);
}

/* ---------- departments and users ---------- */

/* Id of a department by code: HQ or one of demo_departments (created). */
static int64_t department_id(const Demo *d, const char *code)
{
    if (!strcmp(code, "HQ"))
        return d->hq_id;
    for (int i = 0; i < COUNT(demo_departments); i++)
        if (!strcmp(demo_departments[i].code, code))
            return d->dept_ids[i];
    return 0;
}

/* The department tree under the existing head office. */
static GxErr departments_create(Demo *d)
{
    bool found = false;
    if (db_query_int(d->c->db, "SELECT id FROM departments WHERE code = 'HQ' AND deleted_at IS NULL", NULL, 0,
                     &d->hq_id, &found) != DB_OK)
        return ctx_fail(d->c, GX_EDB, "demo: cannot read the head office");
    if (!found)
        return ctx_fail(d->c, GX_ENOTFOUND, "demo: the head office (code HQ) is missing; run init first");
    for (int i = 0; i < COUNT(demo_departments); i++) {
        const DemoDepartment *dd = &demo_departments[i];
        json_t *in = json_pack("{s:s, s:s, s:I}", "name", dd->name, "code", dd->code, "parent_id",
                               (json_int_t)department_id(d, dd->parent_code));
        GxErr rc = demo_create(d, "departments", in, &d->dept_ids[i], NULL);
        if (rc)
            return rc;
    }
    return GX_OK;
}

/* Make user_id the manager of the department with this code, through the
 * engine (optimistic locking with the stored version). */
static GxErr department_set_manager(Demo *d, const char *code, int64_t user_id)
{
    const Entity *e = meta_entity("departments");
    int64_t id = department_id(d, code);
    json_t *dept = NULL, *out = NULL;
    GxErr rc = record_get(d->c, e, id, &dept);
    if (rc)
        return rc;
    json_t *in =
        json_pack("{s:I, s:O}", "manager_id", (json_int_t)user_id, "version", json_object_get(dept, "version"));
    rc = record_update(d->c, e, id, in, &out);
    json_decref(in);
    json_decref(dept);
    json_decref(out);
    return rc;
}

/* The demo users; reps are remembered as customer owners. */
static GxErr users_create(Demo *d)
{
    for (int i = 0; i < COUNT(demo_users); i++) {
        const DemoUser *u = &demo_users[i];
        int64_t role = setup_role_id(d->c, u->role);
        if (!role)
            return ctx_fail(d->c, GX_ENOTFOUND, "demo: the built-in role %s is missing", u->role);
        json_t *in =
            json_pack("{s:s, s:s, s:s, s:I, s:[I], s:s, s:s, s:s, s:s, s:s}", "username", u->username, "name", u->name,
                      "password", DEMO_PASSWORD, "department_id", (json_int_t)department_id(d, u->dept_code),
                      "role_ids", (json_int_t)role, "position", u->position, "phone", mobile_make(d), "email",
                      arena_printf(d->c->arena, "%s@%s", u->email_local, DEMO_COMPANY_DOMAIN), "lang", u->lang,
                      "staff_type", "full_time");
        int64_t id;
        GxErr rc = demo_create(d, "users", in, &id, NULL);
        if (rc)
            return rc;
        if (u->rep)
            d->rep_ids[d->nreps++] = id;
        if (!strcmp(u->role, "sales_manager") && (rc = department_set_manager(d, u->dept_code, id)))
            return rc;
    }
    return GX_OK;
}

/* ---------- customers ---------- */

/* Record name in the set of used names; false if it was there already. */
static bool name_claim(Demo *d, const char *name)
{
    if (json_object_get(d->names_used, name))
        return false;
    json_object_set_new(d->names_used, name, json_true());
    return true;
}

/* A postal address in the city: {province, city, district, street}. */
static json_t *address_make(Demo *d, const City *city, const District *district)
{
    const char *street = arena_printf(d->c->arena, "%s%d号", PICK(&d->rng, streets), rng_range(&d->rng, 1, 999));
    if (rng_percent(&d->rng, 50))
        street = arena_printf(d->c->arena, "%s%s%d层", street, PICK(&d->rng, buildings), rng_range(&d->rng, 2, 32));
    return json_pack("{s:s, s:s, s:s, s:s}", "province", city->province, "city", city->city, "district", district->name,
                     "street", street);
}

/* Level, lifecycle, follow-up and credit fields shared by every kind
 * (info->company must be set). */
static void customer_common(Demo *d, json_t *in, CustomerInfo *info)
{
    int roll = rng_range(&d->rng, 0, 99);
    const char *level = roll < 15 ? "A" : roll < 65 ? "B" : "C";
    put_str(in, "level", level);
    put_pick(d, in, "source_id", "customer_sources", PICK(&d->rng, customer_sources));

    roll = rng_range(&d->rng, 0, 99);
    const char *lifecycle = roll < 30   ? "prospect"
                            : roll < 50 ? "first_deal"
                            : roll < 75 ? "repeat"
                            : roll < 90 ? "loyal"
                                        : "lost";
    put_str(in, "lifecycle", lifecycle);
    bool lost = !strcmp(lifecycle, "lost");
    if (lost && rng_percent(&d->rng, 50))
        put_str(in, "status", "inactive");

    /* Credit limit in fen: companies by level (A 50–200 万元, B 10–50 万元,
     * C 0–10 万元), individuals 0–5 万元. */
    int64_t wan = !info->company    ? rng_range(&d->rng, 0, 5)
                  : level[0] == 'A' ? rng_range(&d->rng, 50, 200)
                  : level[0] == 'B' ? rng_range(&d->rng, 10, 50)
                                    : rng_range(&d->rng, 0, 10);
    put_int(in, "credit_limit", wan * 10000 * 100);

    if (!lost && rng_percent(&d->rng, 50)) {
        info->next_follow_up = time_text(d, office_time(d, rng_range(&d->rng, 1, 14)));
        put_str(in, "next_follow_up", info->next_follow_up);
    }
    if (rng_percent(&d->rng, 25))
        put_str(in, "notes", PICK(&d->rng, customer_notes));
    if (rng_percent(&d->rng, 30)) {
        const char *a = PICK(&d->rng, customer_tags), *b = PICK(&d->rng, customer_tags);
        put_str(in, "tags", a == b ? a : arena_printf(d->c->arena, "%s,%s", a, b));
    }
}

/* A Chinese company: 城市 + 字号 + 行业 + 组织形式, with a credit code. */
static json_t *company_make(Demo *d, CustomerInfo *info)
{
    const City *city = NULL;
    const Brand *brand = NULL;
    const Trade *trade = NULL;
    const char *name = NULL;
    for (int attempt = 0; attempt < 20; attempt++) {
        city = &PICK(&d->rng, cities);
        brand = &PICK(&d->rng, brands);
        trade = &PICK(&d->rng, trades);
        name =
            arena_printf(d->c->arena, "%s%s%s%s", city->name, brand->zh, trade->word, PICK(&d->rng, company_suffixes));
        if (name_claim(d, name))
            break; /* after 20 collisions (a huge run) a duplicate name is accepted */
    }
    const District *district = &PICK(&d->rng, city->districts);
    info->domain = arena_printf(d->c->arena, "%s%s.example", brand->pinyin, trade->slug);
    json_t *in = json_object();
    put_str(in, "name", name);
    put_str(in, "kind", "company");
    int roll = rng_range(&d->rng, 0, 99);
    put_pick(d, in, "customer_type_id", "customer_types", roll < 25 ? "distributor" : roll < 80 ? "end_user" : roll < 92 ? "partner" : "vip");
    put_pick(d, in, "industry_id", "industries", trade->industry);
    put_pick(d, in, "region_id", "regions", city->region);
    put_str(in, "credit_code", credit_code_make(d, district));
    put_str(in, "phone", rng_percent(&d->rng, 80) ? landline_make(d, city) : mobile_make(d));
    static const char *const mailboxes[] = {"info", "sales", "contact", "service", "office"};
    put_str(in, "email", arena_printf(d->c->arena, "%s@%s", PICK(&d->rng, mailboxes), info->domain));
    if (rng_percent(&d->rng, 40))
        put_str(in, "website", arena_printf(d->c->arena, "https://www.%s", info->domain));
    json_object_set_new(in, "address", address_make(d, city, district));
    return in;
}

/* A foreign company with an English name (no Chinese credit code). */
static json_t *english_company_make(Demo *d, CustomerInfo *info)
{
    const char *prefix = NULL, *name = NULL;
    const Trade *trade = NULL;
    for (int attempt = 0; attempt < 20; attempt++) {
        prefix = PICK(&d->rng, english_prefixes);
        trade = &PICK(&d->rng, english_trades);
        name = arena_printf(d->c->arena, "%s %s %s", prefix, trade->word, PICK(&d->rng, english_suffixes));
        if (name_claim(d, name))
            break;
    }
    char slug[64];
    size_t n = 0;
    for (const char *p = prefix; *p && n + 1 < sizeof slug; p++)
        if (*p != ' ')
            slug[n++] = (char)tolower((unsigned char)*p);
    slug[n] = 0;
    info->domain = arena_printf(d->c->arena, "%s-%s.example", slug, trade->slug);
    const City *city = &PICK(&d->rng, cities);
    const District *district = &PICK(&d->rng, city->districts);
    json_t *in = json_object();
    put_str(in, "name", name);
    put_str(in, "kind", "company");
    put_pick(d, in, "customer_type_id", "customer_types", rng_percent(&d->rng, 50) ? "partner" : "end_user");
    put_pick(d, in, "industry_id", "industries", trade->industry);
    put_pick(d, in, "region_id", "regions", city->region);
    put_str(in, "phone", landline_make(d, city));
    put_str(in, "email", arena_printf(d->c->arena, "contact@%s", info->domain));
    put_str(in, "website", arena_printf(d->c->arena, "https://www.%s", info->domain));
    json_object_set_new(in, "address", address_make(d, city, district));
    return in;
}

/* A private person as a customer. */
static json_t *individual_make(Demo *d)
{
    Person p = person_make(d);
    for (int attempt = 0; attempt < 20 && !name_claim(d, p.name); attempt++)
        p = person_make(d);
    const City *city = &PICK(&d->rng, cities);
    const District *district = &PICK(&d->rng, city->districts);
    json_t *in = json_object();
    put_str(in, "name", p.name);
    put_str(in, "kind", "individual");
    put_pick(d, in, "customer_type_id", "customer_types", rng_percent(&d->rng, 30) ? "vip" : "end_user");
    put_pick(d, in, "region_id", "regions", city->region);
    put_str(in, "phone", mobile_make(d));
    if (rng_percent(&d->rng, 60))
        put_str(in, "email", arena_printf(d->c->arena, "%s%d@mail.example", p.pinyin, rng_range(&d->rng, 1, 99)));
    json_object_set_new(in, "address", address_make(d, city, district));
    return in;
}

/* Create customer number i (0-based): ~80% Chinese companies, ~10% English
 * names, ~10% individuals, owners round-robin over the reps. */
static GxErr customer_create(Demo *d, int i, CustomerInfo *info)
{
    *info = (CustomerInfo){.owner_id = d->rep_ids[i % d->nreps]};
    int roll = rng_range(&d->rng, 0, 99);
    info->company = roll < 90;
    json_t *in = roll < 80 ? company_make(d, info) : roll < 90 ? english_company_make(d, info) : individual_make(d);
    customer_common(d, in, info);
    put_int(in, "owner_id", info->owner_id);
    GxErr rc = demo_create(d, "customers", in, &info->id, NULL);
    if (!rc)
        d->ncustomers++;
    return rc;
}

/* ---------- contacts ---------- */

/* 1–3 contacts of a company: the first is its head, the others report to
 * them; one is the primary contact; a few have a birthday in the next days. */
static GxErr contacts_create(Demo *d, int customer_index, CustomerInfo *info)
{
    int n = rng_range(&d->rng, 1, DEMO_MAX_CONTACTS);
    int primary = rng_range(&d->rng, 0, n - 1);
    int staff_first = rng_range(&d->rng, 0, COUNT(staff_titles) - 1);
    for (int k = 0; k < n; k++) {
        Person p = person_make(d);
        /* Staff titles of one company are distinct: consecutive from a random start. */
        const Title *t = k == 0 ? &PICK(&d->rng, head_titles) : &staff_titles[(staff_first + k) % COUNT(staff_titles)];
        json_t *in = json_object();
        put_str(in, "name", p.name);
        put_int(in, "customer_id", info->id);
        put_int(in, "owner_id", info->owner_id);
        put_str(in, "title", t->title);
        put_str(in, "dept", t->dept);
        put_str(in, "decision_role", t->role);
        put_str(in, "influence", t->influence);
        if (k > 0)
            put_int(in, "superior_id", info->contact_ids[0]);
        const char *mobile = mobile_make(d);
        put_str(in, "mobile", mobile);
        put_str(in, "email", arena_printf(d->c->arena, "%s@%s", p.pinyin, info->domain));
        if (rng_percent(&d->rng, 40))
            put_str(in, "wechat", rng_percent(&d->rng, 50) ? mobile : arena_printf(d->c->arena, "wx_%s", p.pinyin));
        static const char *const channels[] = {"phone", "wechat", "wechat", "email", "sms", "visit"};
        put_str(in, "preferred_channel", PICK(&d->rng, channels));
        put_str(in, "gender", p.female ? "female" : "male");
        json_object_set_new(in, "is_primary", json_boolean(k == primary));
        if (k == 0 && customer_index % 40 == 1) {
            put_str(in, "birthday", birthday_make(d, rng_range(&d->rng, 0, 3)));
            d->upcoming_birthdays++;
        } else if (rng_percent(&d->rng, 30)) {
            put_str(in, "birthday", birthday_make(d, -1));
        }
        GxErr rc = demo_create(d, "contacts", in, &info->contact_ids[k], NULL);
        if (rc)
            return rc;
        info->ncontacts++;
        d->ncontacts++;
    }
    return GX_OK;
}

/* ---------- activities ---------- */

/* qsort order for ints, largest first. */
static int compare_desc(const void *a, const void *b)
{
    return *(const int *)b - *(const int *)a;
}

/* 2–5 activities over the last 90 days, oldest first. The latest carries
 * the next step when the customer has a follow-up date (the same date). */
static GxErr activities_create(Demo *d, const CustomerInfo *info)
{
    int n = rng_range(&d->rng, 2, 5);
    int days_ago[5];
    for (int k = 0; k < n; k++)
        days_ago[k] = rng_range(&d->rng, 1, 90);
    qsort(days_ago, (size_t)n, sizeof days_ago[0], compare_desc);
    for (int k = 0; k < n; k++) {
        const ActivityTemplate *t = &PICK(&d->rng, activity_templates);
        json_t *in = json_object();
        put_str(in, "subject", t->subject);
        put_str(in, "kind", t->kind);
        put_str(in, "parent_type", "customers");
        put_int(in, "parent_id", info->id);
        put_int(in, "owner_id", info->owner_id);
        put_str(in, "occurred_at", time_text(d, office_time(d, -days_ago[k])));
        put_str(in, "body", t->content);
        if (!strcmp(t->kind, "call"))
            put_int(in, "duration_min", rng_range(&d->rng, 5, 30));
        else if (!strcmp(t->kind, "visit"))
            put_int(in, "duration_min", 30 * rng_range(&d->rng, 2, 6));
        else if (!strcmp(t->kind, "meeting"))
            put_int(in, "duration_min", 30 * rng_range(&d->rng, 1, 4));
        if (info->ncontacts && rng_percent(&d->rng, 70))
            put_int(in, "contact_id", info->contact_ids[rng_range(&d->rng, 0, info->ncontacts - 1)]);
        if (k == n - 1 && info->next_follow_up) {
            put_str(in, "next_step", t->next_step ? t->next_step : "电话跟进客户反馈");
            put_str(in, "next_at", info->next_follow_up);
        }
        GxErr rc = demo_create(d, "activities", in, NULL, NULL);
        if (rc)
            return rc;
        d->nactivities++;
    }
    return GX_OK;
}

/* ---------- the whole run ---------- */

/* Customer i with its contacts and activities, in a scratch arena freed
 * afterwards so memory stays flat; an error message is copied out first. */
static GxErr customer_with_records(Demo *d, int i)
{
    Ctx *c = d->c;
    Arena *outer = c->arena, scratch;
    arena_init(&scratch);
    c->arena = &scratch;
    CustomerInfo info;
    GxErr rc = customer_create(d, i, &info);
    if (!rc && info.company)
        rc = contacts_create(d, i, &info);
    if (!rc)
        rc = activities_create(d, &info);
    c->arena = outer;
    if (rc && c->err_msg)
        c->err_msg = arena_strdup(outer, c->err_msg);
    arena_free(&scratch);
    return rc;
}

/* clang-format off */
static const char *const lead_notes[] = {
    "展会上留下名片，对 CRM 移动端感兴趣。", "官网留言询价，希望下周安排演示。", "老客户介绍，预算已批。",
    "电话咨询价格，需要先发资料。", "搜索引擎进来的询盘，需求还不清楚。",
};
/* clang-format on */

/* Lead i: a person at a company that is not a customer yet, owned by a rep,
 * in one of the stages a lead goes through; some have a follow-up (whose
 * next step becomes a task) and every tenth qualified one is converted. */
static GxErr lead_create(Demo *d, int i)
{
    Ctx *c = d->c;
    Arena *outer = c->arena, scratch;
    arena_init(&scratch);
    c->arena = &scratch;
    const City *city = &PICK(&d->rng, cities);
    const Brand *brand = &PICK(&d->rng, brands);
    const Trade *trade = &PICK(&d->rng, trades);
    const char *company = arena_printf(c->arena, "%s%s%s%s", city->name, brand->zh, trade->word, PICK(&d->rng, company_suffixes));
    Person person = person_make(d);
    const Title *title = &PICK(&d->rng, staff_titles);
    int roll = rng_range(&d->rng, 0, 99);
    const char *status = roll < 35 ? "new" : roll < 60 ? "contacted" : roll < 85 ? "qualified" : "lost";
    int64_t owner = d->rep_ids[i % d->nreps];
    json_t *in = json_object();
    put_str(in, "name", person.name);
    put_str(in, "company", company);
    put_str(in, "title", title->title);
    put_str(in, "phone", mobile_make(d));
    put_str(in, "email", arena_printf(c->arena, "%s@%s%s.example", person.pinyin, brand->pinyin, trade->slug));
    put_pick(d, in, "source_id", "customer_sources", PICK(&d->rng, customer_sources));
    put_pick(d, in, "industry_id", "industries", trade->industry);
    put_pick(d, in, "region_id", "regions", city->region);
    put_str(in, "quality", roll % 3 == 0 ? "hot" : roll % 3 == 1 ? "warm" : "cold");
    put_str(in, "status", status);
    put_int(in, "owner_id", owner);
    if (rng_percent(&d->rng, 60))
        put_str(in, "notes", PICK(&d->rng, lead_notes));
    int64_t id = 0;
    GxErr rc = demo_create(d, "leads", in, &id, NULL);
    if (!rc && strcmp(status, "new")) {
        const ActivityTemplate *t = &PICK(&d->rng, activity_templates);
        json_t *a = json_object();
        put_str(a, "subject", t->subject);
        put_str(a, "kind", t->kind);
        put_str(a, "parent_type", "leads");
        put_int(a, "parent_id", id);
        put_int(a, "owner_id", owner);
        put_str(a, "occurred_at", time_text(d, office_time(d, -rng_range(&d->rng, 1, 20))));
        put_str(a, "body", t->content);
        if (strcmp(status, "lost")) {
            put_str(a, "next_step", status[0] == 'q' ? "安排产品演示" : "再次电话跟进");
            put_str(a, "next_at", time_text(d, office_time(d, rng_range(&d->rng, 0, 10))));
        }
        rc = demo_create(d, "activities", a, NULL, NULL);
        if (!rc)
            d->nactivities++;
    }
    if (!rc)
        d->nleads++;
    if (!rc && !strcmp(status, "qualified") && d->nleads % 4 == 0) {
        json_t *out = NULL;
        rc = leads_convert(c, id, rng_percent(&d->rng, 70), 0, &out);
        json_decref(out);
        if (!rc)
            d->nconverted++;
    }
    c->arena = outer;
    if (rc && c->err_msg)
        c->err_msg = arena_strdup(outer, c->err_msg);
    arena_free(&scratch);
    return rc;
}

/* Refuse a database that already holds the demo (user names are unique). */
static GxErr demo_absent(Demo *d)
{
    int64_t n = 0;
    bool found;
    DbVal p[] = {dbv_text(demo_users[0].username)};
    if (db_query_int(d->c->db, "SELECT count(*) FROM users WHERE username = $1", p, 1, &n, &found) != DB_OK)
        return ctx_fail(d->c, GX_EDB, "demo: cannot read users");
    if (n > 0)
        return ctx_fail(d->c, GX_ECONFLICT, "This database already holds the demo data (user %s exists)",
                        demo_users[0].username);
    return GX_OK;
}

/* Fill an initialised database (setup_database done) with demo departments,
 * users (password "demo12345"), `customers` customers and their contacts and
 * activities. Runs in the system context whatever c->who is. Fails with
 * GX_ECONFLICT when the demo users exist already; on any failure the records
 * created so far stay (each is its own transaction) and c describes the
 * error. */
GxErr demo_fill(Ctx *c, int customers)
{
    const Principal *who = c->who;
    c->who = NULL;
    Demo d = {.c = c, .rng = {DEMO_SEED}, .now = (int64_t)time(NULL), .names_used = json_object()};
    GxErr rc = demo_absent(&d);
    if (!rc)
        rc = departments_create(&d);
    if (!rc)
        rc = users_create(&d);
    for (int i = 0; !rc && i < customers; i++)
        rc = customer_with_records(&d, i);
    if (!rc)
        rc = membership_demo(c); /* the front desk (modules/membership) */
    for (int i = 0; !rc && meta_entity("leads") && i < (customers + 2) / 3; i++)
        rc = lead_create(&d, i);
    if (!rc)
        rc = sales_opps_demo(c, customers < 60 ? customers : 60); /* products, competitors, pipeline (sales/opps_demo.c) */
    if (!rc)
        rc = sales_docs_demo(c); /* quotes and orders (modules/sales/docs_demo.c) */
    if (!rc)
        rc = sales_money_demo(c); /* contracts, payments, invoices (modules/sales/money_demo.c); after the orders */
    if (!rc)
        rc = sales_credit_demo(c); /* deliveries and returns (sales/credit_demo.c); after the payments */
    if (!rc)
        rc = targets_demo(c); /* targets and assignment rules (sales/targets_demo.c); keep after the orders */
    json_decref(d.names_used);
    c->who = who;
    if (!rc)
        log_info("demo: added %d departments, %d users, %d customers, %d contacts (%d birthdays in the next 3 days), "
                 "%d activities, %d leads (%d converted)",
                 COUNT(demo_departments), COUNT(demo_users), d.ncustomers, d.ncontacts, d.upcoming_birthdays,
                 d.nactivities, d.nleads, d.nconverted);
    return rc;
}
