/* gen.c — guanxi-bench-gen: fills a SQLite database with a realistic CRM of
 * any size (default 1,000,000 customers, 2,000,000 contacts, 5,000,000
 * activities, 200 users in a 21-department tree) for the load tests in
 * bench/.
 *
 * The schema, built-in roles and the administrator come from the real code
 * (setup_database); departments go through record_create. Users and the
 * three big tables are written with plain INSERTs for speed, following
 * shared/MEASURED.md: one transaction, multi-row prepared statements, no
 * journal and no fsync during the load, secondary indexes dropped first and
 * re-created afterwards from the very SQL the migrations wrote (read back
 * from sqlite_master). The search tables — global search of customers and
 * contacts (modules/search.c), activities' own text search — are built
 * while the rows load, by one thread per entity in scratch databases, and
 * copied in (see "search tables, built in parallel"). Then duplicate keys,
 * ANALYZE, WAL mode restored and the WAL truncated. If the run is
 * interrupted (or the machine crashes) the file is garbage: delete it and
 * run again. --verify checks the result against a freshly migrated schema,
 * ddl.c's search expression and search_fill.
 *
 * Every user's password is "Bench12345" (hashed once with Argon2id and
 * shared). Users: m1..m4 manage the four regions, m5..m20 the sixteen teams
 * (role sales_manager, scope department_and_below); u1..uN are sales reps
 * (scope own) spread round-robin over the teams, and own every customer.
 * Record ids are dense: customer i has id i, its contacts ids
 * (i-1)*K+1 … i*K, and so on, so load scripts can pick random ids.
 *
 * Output: rows/s per table and overall, and the time of each later phase. */
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/phone.h"
#include "base/util.h"
#include "db/db.h"
#include "meta/meta.h"
#include "modules/modules.h"
#include "record/record.h"

#define NREGIONS 4
#define TEAMS_PER_REGION 4
#define NTEAMS (NREGIONS * TEAMS_PER_REGION)
#define ROWS_PER_STMT 32    /* rows per multi-row INSERT */
#define ROW_TEXT_MAX 4096   /* bytes of text one row may hold */
#define SPAN_DAYS (3 * 365) /* created_at is spread over this many days */
#define BENCH_PASSWORD "Bench12345"

/* ---------- options ---------- */

typedef struct Opts {
    const char *db;             /* SQLite file to create */
    const char *admin_password; /* password of `admin` */
    int64_t customers;          /* number of customers */
    int contacts_per;           /* contacts per customer */
    int activities_per;         /* activities per customer */
    int users;                  /* managers + reps */
    uint64_t seed;              /* PRNG seed */
    bool force;                 /* replace an existing file */
    bool verify;                /* check the result against a fresh schema and the search expression */
    bool dup_keys_only;         /* fill dup_keys of an existing database (generated before they were) */
} Opts;

static void usage(FILE *f)
{
    fputs("usage: guanxi-bench-gen --db FILE [--customers 1000000] [--contacts-per 2] [--activities-per 5]\n"
          "                        [--users 200] [--admin-password Bench12345] [--seed 1] [--force] [--verify]\n"
          "       guanxi-bench-gen --db FILE --dup-keys   (fill the duplicate keys of an existing FILE)\n"
          "Creates FILE (SQLite) with the schema, 21 departments, the users (password Bench12345:\n"
          "region managers m1..m4, team managers m5..m20, reps u1..uN) and the customers, contacts\n"
          "and activities, then indexes, search tables, duplicate keys and statistics; the server\n"
          "serves FILE at the current migration as it is. Refuses to touch an existing file unless\n"
          "--force is given. --verify then compares the schema with a fresh database and the search\n"
          "tables with their rows and with search_fill's (slow on big databases).\n"
          "It writes without journal and without fsync (synchronous=OFF), so an interrupted run or a\n"
          "crash leaves a broken file: delete it and run again.\n",
          f);
}

static bool parse_count(const char *name, const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    if (!parse_i64(s, out) || *out < lo || *out > hi) {
        fprintf(stderr, "guanxi-bench-gen: --%s must be %lld..%lld\n", name, (long long)lo, (long long)hi);
        return false;
    }
    return true;
}

static bool parse_opts(int argc, char **argv, Opts *o)
{
    static struct option longopts[] = {
        {"db", required_argument, 0, 'd'},
        {"customers", required_argument, 0, 'c'},
        {"contacts-per", required_argument, 0, 'k'},
        {"activities-per", required_argument, 0, 'a'},
        {"users", required_argument, 0, 'u'},
        {"admin-password", required_argument, 0, 'p'},
        {"seed", required_argument, 0, 's'},
        {"force", no_argument, 0, 'f'},
        {"verify", no_argument, 0, 'v'},
        {"dup-keys", no_argument, 0, 'D'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    *o = (Opts){.admin_password = BENCH_PASSWORD,
                .customers = 1000000,
                .contacts_per = 2,
                .activities_per = 5,
                .users = 200,
                .seed = 1};
    int ch;
    int64_t v;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            o->db = optarg;
            break;
        case 'p':
            o->admin_password = optarg;
            break;
        case 'f':
            o->force = true;
            break;
        case 'v':
            o->verify = true;
            break;
        case 'D':
            o->dup_keys_only = true;
            break;
        case 'c':
            if (!parse_count("customers", optarg, 1, 100000000, &o->customers))
                return false;
            break;
        case 'k':
            if (!parse_count("contacts-per", optarg, 0, 100, &v))
                return false;
            o->contacts_per = (int)v;
            break;
        case 'a':
            if (!parse_count("activities-per", optarg, 0, 100, &v))
                return false;
            o->activities_per = (int)v;
            break;
        case 'u':
            if (!parse_count("users", optarg, 2 * NTEAMS + NREGIONS, 100000, &v))
                return false;
            o->users = (int)v;
            break;
        case 's':
            if (!parse_count("seed", optarg, 0, INT64_MAX, &v))
                return false;
            o->seed = (uint64_t)v;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            return false;
        }
    }
    if (!o->db) {
        fputs("guanxi-bench-gen: --db is required\n", stderr);
        return false;
    }
    if (!strncmp(o->db, "postgres", 8)) {
        fputs("guanxi-bench-gen: only SQLite files are supported\n", stderr);
        return false;
    }
    return true;
}

/* ---------- random numbers and time ---------- */

typedef struct Rng {
    uint64_t s; /* xorshift64* state, never 0 */
} Rng;

static uint64_t rng_next(Rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ULL;
}

/* Uniform in [0, n). */
static uint32_t rng_below(Rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}
static uint64_t rng_below64(Rng *r, uint64_t n)
{
    return n ? rng_next(r) % n : 0;
}
static bool rng_pct(Rng *r, uint32_t percent)
{
    return rng_below(r, 100) < percent;
}
#define PICK(r, arr) ((arr)[rng_below((r), (uint32_t)(sizeof(arr) / sizeof((arr)[0])))])
#define COUNT(arr) ((int)(sizeof(arr) / sizeof((arr)[0])))

/* CPU seconds (user + system) used so far by the calling thread, or by the
 * whole process. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double process_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Civil date of a day number since 1970-01-01 (Howard Hinnant's algorithm);
 * gmtime_r per row would cost seconds over 8M rows. */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" exactly as record_now() writes it. */
static void fmt_ms(int64_t ms, char out[32])
{
    int64_t s = ms / 1000, days = s / 86400, sod = s % 86400;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60),
             (int)(sod % 60), (int)(ms % 1000));
}

/* "YYYY-MM-DDTHH:MM:SSZ" as datetime fields are stored (time_format_s). */
static void fmt_s(int64_t s, char out[32])
{
    int64_t days = s / 86400, sod = s % 86400;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60),
             (int)(sod % 60));
}

/* Business year in Asia/Shanghai (as auto_number uses for codes). */
static int shanghai_year(int64_t ms)
{
    int y, m, d;
    civil_from_days((ms / 1000 + 8 * 3600) / 86400, &y, &m, &d);
    return y;
}

/* ---------- vocabulary ---------- */

typedef struct Syl {
    const char *zh; /* one Chinese character */
    const char *py; /* its pinyin, for e-mail addresses and domains */
} Syl;

static const Syl brand_chars[] = {
    {"恒", "heng"}, {"华", "hua"},   {"鑫", "xin"},    {"盛", "sheng"}, {"达", "da"},   {"通", "tong"},
    {"泰", "tai"},  {"瑞", "rui"},   {"祥", "xiang"},  {"丰", "feng"},  {"源", "yuan"}, {"宏", "hong"},
    {"伟", "wei"},  {"嘉", "jia"},   {"诚", "cheng"},  {"信", "xin"},   {"德", "de"},   {"隆", "long"},
    {"安", "an"},   {"康", "kang"},  {"永", "yong"},   {"兴", "xing"},  {"利", "li"},   {"富", "fu"},
    {"金", "jin"},  {"银", "yin"},   {"光", "guang"},  {"明", "ming"},  {"天", "tian"}, {"海", "hai"},
    {"新", "xin"},  {"中", "zhong"}, {"东", "dong"},   {"方", "fang"},  {"宇", "yu"},   {"星", "xing"},
    {"辰", "chen"}, {"峰", "feng"},  {"博", "bo"},     {"卓", "zhuo"},  {"远", "yuan"}, {"航", "hang"},
    {"润", "run"},  {"泽", "ze"},    {"晟", "sheng"},  {"和", "he"},    {"美", "mei"},  {"佳", "jia"},
    {"汇", "hui"},  {"联", "lian"},  {"创", "chuang"}, {"科", "ke"},    {"智", "zhi"},  {"云", "yun"},
    {"数", "shu"},  {"易", "yi"},    {"优", "you"},    {"捷", "jie"},   {"凯", "kai"},  {"越", "yue"},
};

typedef struct Industry {
    const char *zh;   /* as used in company names */
    const char *en;   /* English company names */
    const char *code; /* the customers.industry enum value */
} Industry;

static const Industry industries[] = {
    {"贸易", "Trading", "trade"},
    {"科技", "Technology", "it"},
    {"电子", "Electronics", "it"},
    {"机械", "Machinery", "manufacturing"},
    {"物流", "Logistics", "logistics"},
    {"建材", "Building Materials", "manufacturing"},
    {"食品", "Foods", "trade"},
    {"医药", "Pharma", "health"},
    {"化工", "Chemicals", "manufacturing"},
    {"纺织", "Textiles", "manufacturing"},
    {"传媒", "Media", "media"},
    {"教育科技", "Education", "education"},
    {"软件", "Software", "it"},
    {"网络", "Networks", "it"},
    {"信息技术", "IT Services", "it"},
    {"实业", "Industrial", "manufacturing"},
    {"投资", "Investment", "finance"},
    {"环保科技", "Environmental", "services"},
    {"新能源", "New Energy", "manufacturing"},
    {"汽车配件", "Auto Parts", "manufacturing"},
    {"置业", "Properties", "real_estate"},
    {"咨询", "Consulting", "services"},
    {"医疗器械", "Medical Devices", "health"},
    {"供应链", "Supply Chain", "logistics"},
};

static const char *company_suffix[] = {"有限公司",     "有限公司",     "有限公司", "股份有限公司",
                                       "集团有限公司", "有限责任公司", "商行",     "工作室"};
static const char *en_brand[] = {"Sunrise",   "Golden Bridge", "Pacific",    "Silverline", "Evergreen", "BlueSky",
                                 "Orient",    "Harmony",       "Summit",     "Phoenix",    "Dragon",    "Lotus",
                                 "Jade",      "Crystal",       "Northstar",  "Greenfield", "Redwood",   "Oakwood",
                                 "Starlight", "Horizon",       "Everbright", "Fortune",    "Unity",     "Vertex",
                                 "Apex",      "Nova",          "Zenith",     "Pioneer",    "Atlas",     "Meridian"};
static const char *en_suffix[] = {"Co., Ltd.", "Ltd.", "Group", "Inc.", "Holdings", "Limited"};

typedef struct City {
    const char *name;     /* city */
    const char *province; /* province (or the city itself) */
    const char *area;     /* telephone area code */
} City;

static const City cities[NREGIONS][10] = {
    {{"上海", "上海市", "021"},
     {"杭州", "浙江省", "0571"},
     {"南京", "江苏省", "025"},
     {"苏州", "江苏省", "0512"},
     {"宁波", "浙江省", "0574"},
     {"合肥", "安徽省", "0551"},
     {"福州", "福建省", "0591"},
     {"厦门", "福建省", "0592"},
     {"济南", "山东省", "0531"},
     {"青岛", "山东省", "0532"}},
    {{"北京", "北京市", "010"},
     {"天津", "天津市", "022"},
     {"石家庄", "河北省", "0311"},
     {"太原", "山西省", "0351"},
     {"呼和浩特", "内蒙古自治区", "0471"},
     {"沈阳", "辽宁省", "024"},
     {"大连", "辽宁省", "0411"},
     {"长春", "吉林省", "0431"},
     {"哈尔滨", "黑龙江省", "0451"},
     {"郑州", "河南省", "0371"}},
    {{"广州", "广东省", "020"},
     {"深圳", "广东省", "0755"},
     {"东莞", "广东省", "0769"},
     {"佛山", "广东省", "0757"},
     {"珠海", "广东省", "0756"},
     {"南宁", "广西壮族自治区", "0771"},
     {"海口", "海南省", "0898"},
     {"长沙", "湖南省", "0731"},
     {"武汉", "湖北省", "027"},
     {"南昌", "江西省", "0791"}},
    {{"成都", "四川省", "028"},
     {"重庆", "重庆市", "023"},
     {"西安", "陕西省", "029"},
     {"昆明", "云南省", "0871"},
     {"贵阳", "贵州省", "0851"},
     {"兰州", "甘肃省", "0931"},
     {"乌鲁木齐", "新疆维吾尔自治区", "0991"},
     {"银川", "宁夏回族自治区", "0951"},
     {"西宁", "青海省", "0971"},
     {"拉萨", "西藏自治区", "0891"}},
};
static const char *region_names[NREGIONS] = {"华东", "华北", "华南", "西部"};
static const char *region_codes[NREGIONS] = {"EC", "NC", "SC", "WC"};
static const char *team_names[TEAMS_PER_REGION] = {"一组", "二组", "三组", "四组"};

static const char *districts[] = {"高新区",   "经济技术开发区", "新城区", "老城区", "滨江区",
                                  "工业园区", "城东区",         "城西区", "南山区", "北城区"};
static const char *roads[] = {"人民路",   "解放路", "中山路", "建设路", "长江路", "黄河路",   "和平路",  "科技路",
                              "创新大道", "东风路", "南京路", "学府路", "金融街", "世纪大道", "工业大道"};

static const Syl surnames[] = {
    {"王", "wang"},     {"李", "li"},     {"张", "zhang"}, {"刘", "liu"},   {"陈", "chen"}, {"杨", "yang"},
    {"黄", "huang"},    {"赵", "zhao"},   {"吴", "wu"},    {"周", "zhou"},  {"徐", "xu"},   {"孙", "sun"},
    {"马", "ma"},       {"朱", "zhu"},    {"胡", "hu"},    {"郭", "guo"},   {"何", "he"},   {"高", "gao"},
    {"林", "lin"},      {"罗", "luo"},    {"郑", "zheng"}, {"梁", "liang"}, {"谢", "xie"},  {"宋", "song"},
    {"唐", "tang"},     {"许", "xu"},     {"韩", "han"},   {"冯", "feng"},  {"邓", "deng"}, {"曹", "cao"},
    {"彭", "peng"},     {"曾", "zeng"},   {"肖", "xiao"},  {"田", "tian"},  {"董", "dong"}, {"袁", "yuan"},
    {"潘", "pan"},      {"蒋", "jiang"},  {"蔡", "cai"},   {"余", "yu"},    {"杜", "du"},   {"叶", "ye"},
    {"程", "cheng"},    {"苏", "su"},     {"魏", "wei"},   {"吕", "lv"},    {"丁", "ding"}, {"沈", "shen"},
    {"欧阳", "ouyang"}, {"司马", "sima"},
};
static const Syl given_chars[] = {
    {"伟", "wei"},  {"芳", "fang"}, {"娜", "na"},   {"敏", "min"},  {"静", "jing"}, {"丽", "li"},   {"强", "qiang"},
    {"磊", "lei"},  {"军", "jun"},  {"洋", "yang"}, {"勇", "yong"}, {"艳", "yan"},  {"杰", "jie"},  {"涛", "tao"},
    {"明", "ming"}, {"超", "chao"}, {"秀", "xiu"},  {"霞", "xia"},  {"平", "ping"}, {"刚", "gang"}, {"桂", "gui"},
    {"英", "ying"}, {"华", "hua"},  {"建", "jian"}, {"文", "wen"},  {"辉", "hui"},  {"玲", "ling"}, {"婷", "ting"},
    {"雪", "xue"},  {"慧", "hui"},  {"宇", "yu"},   {"浩", "hao"},  {"鹏", "peng"}, {"欣", "xin"},  {"晨", "chen"},
    {"琳", "lin"},  {"博", "bo"},   {"然", "ran"},  {"子", "zi"},   {"涵", "han"},  {"梓", "zi"},   {"轩", "xuan"},
    {"思", "si"},   {"雨", "yu"},   {"嘉", "jia"},  {"俊", "jun"},  {"佳", "jia"},  {"晓", "xiao"},
};
static const char *en_first[] = {"James",  "Mary",    "John",   "Linda",   "Robert", "Emma",   "David",
                                 "Olivia", "Michael", "Sophia", "William", "Grace",  "Daniel", "Chloe",
                                 "Thomas", "Lucy",    "Kevin",  "Amy",     "Peter",  "Helen",  "Jason",
                                 "Vivian", "Eric",    "Cindy",  "Tony",    "Alice"};
static const char *en_last[] = {"Smith", "Johnson", "Brown",  "Taylor",   "Miller", "Wilson", "Moore", "Anderson",
                                "Clark", "Walker",  "Young",  "King",     "Wright", "Scott",  "Green", "Baker",
                                "Adams", "Nelson",  "Carter", "Mitchell", "Wong",   "Chan",   "Lee",   "Ng"};
static const char *email_hosts[] = {"qq.com",      "163.com",  "126.com",     "gmail.com",
                                    "outlook.com", "sina.com", "foxmail.com", "hotmail.com"};
static const char *mobile_prefix[] = {"130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
                                      "151", "152", "155", "156", "157", "158", "159", "166", "177", "180",
                                      "181", "182", "183", "186", "187", "188", "189", "191", "198", "199"};

static const char *customer_types[] = {"distributor", "end_user", "end_user", "end_user", "partner", "vip"};
static const char *levels[] = {"A", "B", "B", "B", "B", "C", "C", "C", "C", "C"};
static const char *sources[] = {"promotion",   "search",    "ads",   "referral", "signup",    "inquiry",
                                "appointment", "cold_call", "phone", "email",    "exhibition"};
static const char *lifecycles[] = {"prospect", "prospect", "first_deal", "repeat", "loyal", "lost"};
static const char *tag_sets[] = {"重点,老客户", "展会",        "政府项目", "大客户", "待激活",
                                 "VIP,年框",    "key account", "reseller", "渠道",   "海外"};
static const char *customer_notes[] = {
    "年度采购预算约五十万元，关注售后服务响应速度。",
    "老板亲自决策，价格敏感，需要分期付款方案。",
    "通过展会认识，对新品系列很感兴趣。",
    "与竞争对手有合作，合同明年三月到期。",
    "Prefers e-mail; purchasing decisions are made in Q3.",
    "Long-standing partner, pays on time, asks for volume discounts.",
    "需要开具增值税专用发票，月结三十天。",
    "客户介绍的新客户，首单试用。",
};

static const char *titles[] = {"总经理",   "副总经理",           "采购经理", "财务总监", "技术总监",
                               "销售经理", "行政主管",           "采购专员", "工程师",   "董事长",
                               "项目经理", "Purchasing Manager", "CEO",      "CTO",      "Office Manager"};
static const char *depts[] = {"采购部", "财务部", "技术部", "总经办", "行政部", "市场部", "生产部", "IT部"};
static const char *decision_roles[] = {"decision_maker", "influencer", "user", "gatekeeper", "champion"};
static const char *influences[] = {"high", "medium", "low"};
static const char *channels[] = {"phone", "wechat", "wechat", "email", "sms", "visit"};

typedef struct Subject {
    const char *kind; /* activities.kind */
    const char *text; /* subject line */
} Subject;

static const Subject subjects[] = {
    {"call", "电话沟通报价"},
    {"call", "电话回访"},
    {"call", "确认交货时间"},
    {"call", "Follow-up call on the quote"},
    {"visit", "上门拜访"},
    {"visit", "拜访采购经理"},
    {"visit", "现场技术交流"},
    {"meeting", "产品演示会议"},
    {"meeting", "商务谈判"},
    {"meeting", "Quarterly business review"},
    {"email", "发送报价单"},
    {"email", "发送合同草案"},
    {"email", "Sent the proposal"},
    {"sms", "节日问候"},
    {"sms", "发货通知"},
    {"note", "客户反馈记录"},
    {"note", "内部备注"},
};
static const char *content_a[] = {"客户对新产品很感兴趣",
                                  "客户认为价格偏高",
                                  "对方采购流程较长",
                                  "客户提出了技术问题",
                                  "客户希望缩短交货期",
                                  "客户对上次服务表示满意",
                                  "The customer asked for a discount",
                                  "They are comparing us with two competitors",
                                  "决策人出差",
                                  "客户预算已经批准"};
static const char *content_b[] = {"，下周安排演示。",
                                  "，需要提供详细方案。",
                                  "，等待对方回复。",
                                  "，已发送样品。",
                                  "，计划月底签约。",
                                  "，约定下次拜访时间。",
                                  "; we will send a revised quote.",
                                  "; meeting planned next week.",
                                  "，需要经理审批特价。",
                                  "，转技术支持跟进。"};
static const char *next_steps[] = {"发送报价", "安排演示",           "签订合同", "上门拜访",
                                   "回访确认", "Send revised quote", "催收货款"};

/* ---------- search tables, built in parallel ----------
 *
 * Filling the search tables costs several times the CPU of loading the
 * rows, so it runs on other threads: the loader hands each row's search
 * values to one thread per entity, which fills identical FTS5 tables
 * (created by the same statements, read from sqlite_master) in a scratch
 * database next to the target; at the end their shadow tables are copied
 * into the target as they are (INSERT … SELECT * between identical tables
 * copies records without re-indexing).
 *
 * - activities (own text search, ddl.c): <t>_fts gets the body assembled
 *   exactly like ddl.c's search_expr — the searchable fields in
 *   declaration order, NULL as '', joined with ' ' — and <t>_fts2 the
 *   same through gx_cjk_split (per-character index);
 * - customers, contacts (global search, modules/search.c): search_row_write
 *   builds the <t>_gt and <t>_gw rows from the values of
 *   search_row_fields and the owner and department, as search_fill would
 *   after reading the rows back.
 * While filling, FTS5 merges only when 64 segments pile up on a level
 * (automerge 0, crisismerge 64: each term list is rewritten about twice
 * instead of at every fourth segment), and each table is merged into one
 * segment ('optimize') at the end, which is what a migrated database's
 * tables hold (migration 7). A bigger pending-terms hash ('hashsize')
 * measured slower (cache misses in its chains). --verify compares the rows
 * with ddl.c's expression and with search_fill. */

#define FEED_ROWS 4096 /* rows per chunk handed to a search thread */
#define FEED_DEPTH 96  /* chunks in flight per thread (~40 MB) before the loader waits */
#define FEED_PARTS 32  /* values per row */
#define FEED_TABLES 2  /* FTS tables per thread */

typedef struct FeedChunk {
    int n; /* rows */
    int64_t rowid[FEED_ROWS];
    int64_t owner[FEED_ROWS], dept[FEED_ROWS];
    size_t off[FEED_ROWS]; /* start of each row's values in text */
    char *text;            /* per row nparts NUL-terminated values */
    size_t used, cap;
    struct FeedChunk *next;
} FeedChunk;

typedef struct Feed {
    const Entity *e;                 /* the entity whose rows come */
    bool global;                     /* global search (search_row_write) or the entity's own tables */
    int nparts;                      /* values per row */
    const char *path;                /* scratch database */
    const char *tables[FEED_TABLES]; /* FTS table names */
    const char *create[FEED_TABLES]; /* their CREATE VIRTUAL TABLE statements */
    int ntables;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t changed;
    FeedChunk *head, *tail; /* queue, oldest first */
    int depth;              /* chunks queued */
    bool closed;            /* no more chunks will come */
    FeedChunk *cur;         /* being filled by the loader */
    int64_t rows;           /* rows indexed (search thread) */
    double wall0, wall;     /* start, and seconds until the thread ended */
    double cpu;             /* CPU seconds of the search thread */
    double cpu_optimize;    /* of which the final merge */
    char *error;            /* failure message of the search thread */
} Feed;

static FeedChunk *feed_chunk_new(void)
{
    FeedChunk *c = xcalloc(1, sizeof *c);
    c->cap = (size_t)FEED_ROWS * 128;
    c->text = xmalloc(c->cap);
    return c;
}

static void feed_push(Feed *f)
{
    FeedChunk *c = f->cur;
    f->cur = NULL;
    if (!c || !c->n) {
        if (c) {
            free(c->text);
            free(c);
        }
        return;
    }
    pthread_mutex_lock(&f->mu);
    while (f->depth >= FEED_DEPTH)
        pthread_cond_wait(&f->changed, &f->mu);
    if (f->tail)
        f->tail->next = c;
    else
        f->head = c;
    f->tail = c;
    f->depth++;
    pthread_cond_broadcast(&f->changed);
    pthread_mutex_unlock(&f->mu);
}

/* Append one row's search values; parts[i] NULL counts as ''. */
static void feed_row(Feed *f, int64_t rowid, int64_t owner, int64_t dept, const char *const *parts)
{
    if (f->cur && f->cur->n == FEED_ROWS)
        feed_push(f);
    if (!f->cur)
        f->cur = feed_chunk_new();
    FeedChunk *c = f->cur;
    size_t need = 0;
    for (int i = 0; i < f->nparts; i++)
        need += (parts[i] ? strlen(parts[i]) : 0) + 1;
    while (c->used + need > c->cap) {
        c->cap *= 2;
        c->text = xrealloc(c->text, c->cap);
    }
    c->rowid[c->n] = rowid;
    c->owner[c->n] = owner;
    c->dept[c->n] = dept;
    c->off[c->n] = c->used;
    char *p = c->text + c->used;
    for (int i = 0; i < f->nparts; i++) {
        size_t n = parts[i] ? strlen(parts[i]) : 0;
        memcpy(p, parts[i] ? parts[i] : "", n);
        p += n;
        *p++ = 0;
    }
    c->used = (size_t)(p - c->text);
    c->n++;
}

static void feed_close(Feed *f)
{
    feed_push(f);
    pthread_mutex_lock(&f->mu);
    f->closed = true;
    pthread_cond_broadcast(&f->changed);
    pthread_mutex_unlock(&f->mu);
}

static void feed_fail(Feed *f, DbConn *c, const char *what)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s: %s", what, c ? db_errmsg(c) : "cannot open");
    f->error = xstrdup(msg);
}

/* ---------- batched inserts ---------- */

/* Rows of one table written with a prepared multi-row INSERT (the same SQL
 * text each time, so the db layer's statement cache reuses it). Text values
 * are copied into the batch's own pool, which lives until the flush. */
typedef struct Batch {
    DbConn *db;
    const char *table; /* for messages */
    int ncols;         /* columns per row */
    char *sql_many;    /* INSERT of ROWS_PER_STMT rows */
    char *sql_one;     /* INSERT of one row (the remainder) */
    DbVal *vals;       /* ROWS_PER_STMT * ncols values */
    int nvals;         /* values buffered */
    char *pool;        /* text of the buffered rows */
    size_t pool_used, pool_cap;
    int64_t written;            /* rows written so far */
    Feed *feed;                 /* receives each row's search values, or NULL */
    int search_col[FEED_PARTS]; /* column of each of feed's values, -1 if not inserted */
    int owner_col, dept_col;    /* columns of owner_id and department_id, or -1 */
} Batch;

static char *insert_sql(const char *table, const char *cols, int ncols, int rows)
{
    Buf b;
    Arena tmp;
    arena_init(&tmp);
    buf_init(&b, &tmp);
    buf_printf(&b, "INSERT INTO %s(%s) VALUES ", table, cols);
    int n = 0;
    for (int r = 0; r < rows; r++) {
        buf_raw(&b, r ? ", (" : "(");
        for (int k = 0; k < ncols; k++)
            buf_printf(&b, k ? ", $%d" : "$%d", ++n);
        buf_raw(&b, ")");
    }
    char *s = xstrdup(b.data);
    arena_free(&tmp);
    return s;
}

/* Prepare inserts into table of the comma-separated columns cols. */
static void batch_init_table(Batch *b, DbConn *db, const char *table, const char *cols)
{
    int ncols = 1;
    for (const char *p = cols; *p; p++)
        ncols += *p == ',';
    *b = (Batch){.db = db, .table = table, .ncols = ncols};
    b->sql_many = insert_sql(table, cols, ncols, ROWS_PER_STMT);
    b->sql_one = insert_sql(table, cols, ncols, 1);
    b->vals = xcalloc((size_t)ROWS_PER_STMT * (size_t)ncols, sizeof(DbVal));
    b->pool_cap = (size_t)ROWS_PER_STMT * ROW_TEXT_MAX;
    b->pool = xmalloc(b->pool_cap);
}

/* Position of column name in the comma-separated cols, or -1. */
static int col_index(const char *cols, const char *name)
{
    size_t n = strlen(name);
    int k = 0;
    for (const char *p = cols; *p; k++) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, name, n))
            return k;
        p += len + (end ? 1 : 0);
    }
    return -1;
}

/* Prepare inserts into e's table of the comma-separated columns cols (the
 * first must be id). With feed, each row's search values go to it: for
 * global search those of search_row_fields, else the searchable fields in
 * declaration order (ddl.c). */
static void batch_init(Batch *b, DbConn *db, const Entity *e, const char *cols, Feed *feed)
{
    batch_init_table(b, db, e->table, cols);
    if (!feed)
        return;
    const char *names[FEED_PARTS];
    int n = 0;
    if (feed->global) {
        n = search_row_fields(e, names, FEED_PARTS);
    } else {
        for (int i = 0; i < e->nfields && n >= 0; i++)
            if (e->fields[i].search) {
                if (n == FEED_PARTS)
                    n = -1;
                else
                    names[n++] = e->fields[i].name;
            }
    }
    if (n < 0)
        gx_die("bench-gen: too many searchable fields in %s", e->name);
    b->feed = feed;
    feed->nparts = n;
    for (int i = 0; i < n; i++)
        b->search_col[i] = col_index(cols, names[i]);
    b->owner_col = col_index(cols, "owner_id");
    b->dept_col = col_index(cols, "department_id");
}

static void batch_put(Batch *b, DbVal v)
{
    if (b->nvals >= ROWS_PER_STMT * b->ncols)
        gx_die("bench-gen: %s: row has more values than columns", b->table);
    b->vals[b->nvals++] = v;
}

static void batch_int(Batch *b, int64_t v)
{
    batch_put(b, dbv_int(v));
}
static void batch_null(Batch *b)
{
    batch_put(b, dbv_null());
}

/* Copy text into the pool (NULL stays NULL). */
static void batch_text(Batch *b, const char *s)
{
    if (!s) {
        batch_null(b);
        return;
    }
    size_t n = strlen(s) + 1;
    if (b->pool_used + n > b->pool_cap)
        gx_die("bench-gen: %s: row text larger than %d bytes", b->table, ROW_TEXT_MAX);
    char *dst = b->pool + b->pool_used;
    memcpy(dst, s, n);
    b->pool_used += n;
    batch_put(b, dbv_text(dst));
}

/* A phone number as the record engine stores it (E.164, base/phone.h:
 * +8613812345678, +862188886666), as typed. */
static void batch_phone(Batch *b, const char *typed)
{
    Arena a;
    arena_init(&a);
    const char *why = NULL;
    const char *v = phone_to_e164(&a, typed, &why);
    if (!v)
        gx_die("bench-gen: phone %s: %s", typed, why ? why : "?");
    batch_text(b, v);
    arena_free(&a);
}

static void batch_textf(Batch *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void batch_textf(Batch *b, const char *fmt, ...)
{
    char tmp[ROW_TEXT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    batch_text(b, tmp);
}

static void batch_flush(Batch *b)
{
    int rows = b->nvals / b->ncols;
    if (b->nvals % b->ncols)
        gx_die("bench-gen: %s: incomplete row", b->table);
    if (rows == ROWS_PER_STMT) {
        if (db_exec(b->db, b->sql_many, b->vals, b->nvals) != DB_OK)
            gx_die("bench-gen: insert into %s failed: %s", b->table, db_errmsg(b->db));
    } else {
        for (int r = 0; r < rows; r++)
            if (db_exec(b->db, b->sql_one, b->vals + r * b->ncols, b->ncols) != DB_OK)
                gx_die("bench-gen: insert into %s failed: %s", b->table, db_errmsg(b->db));
    }
    b->written += rows;
    b->nvals = 0;
    b->pool_used = 0;
}

/* Call after the last value of a row. */
static void batch_row_done(Batch *b)
{
    if (b->nvals % b->ncols)
        gx_die("bench-gen: %s: row has %d values, want %d", b->table, b->nvals % b->ncols, b->ncols);
    if (b->feed) {
        const DbVal *row = b->vals + b->nvals - b->ncols;
        const char *parts[FEED_PARTS];
        char ints[FEED_PARTS][24];
        for (int i = 0; i < b->feed->nparts; i++) {
            const DbVal *v = b->search_col[i] < 0 ? NULL : &row[b->search_col[i]];
            parts[i] = NULL;
            if (v && v->type == DBV_TEXT)
                parts[i] = v->s;
            else if (v && v->type == DBV_INT) {
                snprintf(ints[i], sizeof ints[i], "%lld", (long long)v->i);
                parts[i] = ints[i];
            }
        }
        int64_t owner = b->owner_col >= 0 && row[b->owner_col].type == DBV_INT ? row[b->owner_col].i : 0;
        int64_t dept = b->dept_col >= 0 && row[b->dept_col].type == DBV_INT ? row[b->dept_col].i : 0;
        feed_row(b->feed, row[0].i, owner, dept, parts);
    }
    if (b->nvals == ROWS_PER_STMT * b->ncols)
        batch_flush(b);
}

static void batch_free(Batch *b)
{
    batch_flush(b);
    free(b->sql_many);
    free(b->sql_one);
    free(b->vals);
    free(b->pool);
}

/* The search thread of one entity: fills its FTS tables in the scratch
 * database, one row per INSERT (measured: multi-row VALUES into FTS5 costs
 * more CPU), one transaction for everything, then merges each table into
 * one segment. */
static void *feed_main(void *arg)
{
    Feed *f = arg;
    char *err = NULL;
    Db *db = db_open(f->path, &err);
    DbConn *c = db ? db_thread_conn(db) : NULL;
    bool ok = c != NULL;
    if (!ok)
        feed_fail(f, NULL, err ? err : f->path);
    free(err);
    if (ok && db_exec_script(c, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"
                                " BEGIN") != DB_OK) {
        feed_fail(f, c, "scratch database");
        ok = false;
    }
    char *ins[FEED_TABLES] = {NULL};
    for (int i = 0; ok && i < f->ntables; i++) {
        char tmp[512];
        snprintf(tmp, sizeof tmp,
                 "INSERT INTO %s(%s, rank) VALUES ('automerge', 0); INSERT INTO %s(%s, rank) VALUES ('crisismerge', 64)", /* sql-ok: FTS table names from sqlite_master */
                 f->tables[i], f->tables[i], f->tables[i], f->tables[i]);
        if (db_exec_script(c, f->create[i]) != DB_OK || db_exec_script(c, tmp) != DB_OK) {
            feed_fail(f, c, f->create[i]);
            ok = false;
        }
        size_t n = strlen(f->tables[i]);
        snprintf(tmp, sizeof tmp, "INSERT INTO %s(rowid, body) VALUES ($1, %s)", f->tables[i], /* sql-ok: FTS table names from sqlite_master */
                 n > 5 && !strcmp(f->tables[i] + n - 5, "_fts2") ? "gx_cjk_split($2)" : "$2");
        ins[i] = xstrdup(tmp);
    }
    Ctx ctx;
    Arena ctx_arena;
    arena_init(&ctx_arena);
    ctx_init(&ctx, &ctx_arena, c);
    size_t body_cap = 4096;
    char *body = xmalloc(body_cap);
    for (;;) {
        pthread_mutex_lock(&f->mu);
        while (!f->head && !f->closed)
            pthread_cond_wait(&f->changed, &f->mu);
        FeedChunk *ch = f->head;
        if (ch) {
            f->head = ch->next;
            if (!f->head)
                f->tail = NULL;
            f->depth--;
            pthread_cond_broadcast(&f->changed);
        }
        pthread_mutex_unlock(&f->mu);
        if (!ch)
            break;
        Arena batch;
        arena_init(&batch);
        ctx.arena = &batch;
        for (int r = 0; ok && r < ch->n; r++) {
            const char *parts[FEED_PARTS];
            const char *p = ch->text + ch->off[r];
            for (int k = 0; k < f->nparts; k++) {
                parts[k] = p;
                p += strlen(p) + 1;
            }
            if (f->global) {
                if (search_row_write(&ctx, f->e, ch->rowid[r], ch->owner[r], ch->dept[r], 0, parts) != GX_OK) {
                    feed_fail(f, c, ctx.err_msg ? ctx.err_msg : "global search");
                    ok = false;
                }
                continue;
            }
            /* ddl.c's search_expr: the values joined with ' ' */
            size_t need = (size_t)(p - (ch->text + ch->off[r]));
            if (need > body_cap) {
                body_cap = need * 2;
                body = xrealloc(body, body_cap);
            }
            char *b = body;
            for (int k = 0; k < f->nparts; k++) {
                if (k)
                    *b++ = ' ';
                size_t n = strlen(parts[k]);
                memcpy(b, parts[k], n);
                b += n;
            }
            *b = 0;
            DbVal v[] = {dbv_int(ch->rowid[r]), dbv_text(body)};
            for (int i = 0; ok && i < f->ntables; i++)
                if (db_exec(c, ins[i], v, 2) != DB_OK) {
                    feed_fail(f, c, f->tables[i]);
                    ok = false;
                }
        }
        ctx.arena = &ctx_arena;
        arena_free(&batch);
        f->rows += ch->n;
        free(ch->text);
        free(ch);
    }
    double cpu0 = cpu_s();
    for (int i = 0; ok && i < f->ntables; i++) {
        char tmp[256];
        snprintf(tmp, sizeof tmp, "INSERT INTO %s(%s) VALUES ('optimize')", f->tables[i], f->tables[i]); /* sql-ok: FTS table names from sqlite_master */
        if (db_exec_script(c, tmp) != DB_OK) {
            feed_fail(f, c, tmp);
            ok = false;
        }
    }
    if (ok && db_exec_script(c, "COMMIT") != DB_OK)
        feed_fail(f, c, "commit");
    for (int i = 0; i < f->ntables; i++)
        free(ins[i]);
    free(body);
    ctx_done(&ctx);
    arena_free(&ctx_arena);
    db_close(db);
    f->cpu = cpu_s();
    f->cpu_optimize = f->cpu - cpu0;
    f->wall = now_s() - f->wall0;
    return NULL;
}

/* ---------- the generator ---------- */

typedef struct UserInfo {
    int64_t id;   /* users.id */
    int64_t dept; /* department */
    int region;   /* 0..NREGIONS-1 */
} UserInfo;

/* What contacts and activities need to know about their customer. */
typedef struct CustInfo {
    int64_t created_ms; /* created_at */
    uint32_t owner;     /* index into Gen.reps */
    uint8_t english;    /* English company (its people get English names more often) */
} CustInfo;

typedef struct Gen {
    Opts o;
    Ctx c;
    Arena arena;
    Db *db;
    Rng rng;
    int64_t now_ms;            /* generation time: newest created_at/updated_at */
    int64_t start_ms;          /* oldest created_at */
    int64_t regions[NREGIONS]; /* department ids */
    int64_t teams[NTEAMS];     /* department ids, team t in region t / TEAMS_PER_REGION */
    UserInfo *reps;            /* sales reps (own the customers) */
    int nreps;
    CustInfo *cust; /* per customer, index id-1 */
    Feed *feeds[3]; /* search threads of customers, contacts, activities (the order of big[]) */
} Gen;

static void fail_ctx(Gen *g, const char *what)
{
    gx_die("bench-gen: %s: %s", what, g->c.err_msg ? g->c.err_msg : "failed");
}

static void exec_or_die(Gen *g, const char *sql)
{
    if (db_exec_script(g->c.db, sql) != DB_OK)
        gx_die("bench-gen: %s failed: %s", sql, db_errmsg(g->c.db));
}

/* A department through the record engine (audit log, search index). */
static int64_t create_department(Gen *g, const char *name, const char *code, int64_t parent)
{
    json_t *in = json_pack("{s:s, s:s, s:I}", "name", name, "code", code, "parent_id", (json_int_t)parent), *out;
    if (record_create(&g->c, meta_entity("departments"), in, &out))
        fail_ctx(g, "create department");
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(out);
    return id;
}

static void person_name(Rng *r, bool english, char *out, size_t n, char *email_local, size_t en)
{
    if (english) {
        const char *f = PICK(r, en_first), *l = PICK(r, en_last);
        snprintf(out, n, "%s %s", f, l);
        snprintf(email_local, en, "%c%c%s.%s", f[0] | 0x20, f[1], f + 2, l);
        for (char *p = email_local; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        return;
    }
    const Syl *s = &PICK(r, surnames), *a = &PICK(r, given_chars);
    if (rng_pct(r, 70)) {
        const Syl *b = &PICK(r, given_chars);
        snprintf(out, n, "%s%s%s", s->zh, a->zh, b->zh);
        snprintf(email_local, en, "%s%s%s", s->py, a->py, b->py);
    } else {
        snprintf(out, n, "%s%s", s->zh, a->zh);
        snprintf(email_local, en, "%s%s%u", s->py, a->py, rng_below(r, 100));
    }
}

static void mobile(Rng *r, char out[16])
{
    snprintf(out, 16, "%s%08u", PICK(r, mobile_prefix), rng_below(r, 100000000));
}

/* Departments: HQ (made by setup_database) → 4 regions → 4 teams each. */
static void make_departments(Gen *g)
{
    int64_t hq = 0;
    bool found;
    if (db_query_int(g->c.db, "SELECT id FROM departments WHERE code = 'HQ'", NULL, 0, &hq, &found) != DB_OK || !found)
        gx_die("bench-gen: no head-office department");
    char name[64], code[16];
    for (int r = 0; r < NREGIONS; r++) {
        snprintf(name, sizeof name, "%s大区", region_names[r]);
        snprintf(code, sizeof code, "%s", region_codes[r]);
        g->regions[r] = create_department(g, name, code, hq);
        for (int t = 0; t < TEAMS_PER_REGION; t++) {
            snprintf(name, sizeof name, "%s销售%s", region_names[r], team_names[t]);
            snprintf(code, sizeof code, "%s%d", region_codes[r], t + 1);
            g->teams[r * TEAMS_PER_REGION + t] = create_department(g, name, code, g->regions[r]);
        }
    }
}

/* Users with one shared Argon2id hash of BENCH_PASSWORD (hashing 200 times
 * would take ~10 s). m1..m4 region managers, m5..m20 team managers, the rest
 * reps u1..uN round-robin over the teams. */
static void make_users(Gen *g)
{
    char *hash = auth_hash_password(&g->c, BENCH_PASSWORD);
    if (!hash)
        gx_die("bench-gen: cannot hash the password");
    int64_t mgr_role = setup_role_id(&g->c, "sales_manager"), rep_role = setup_role_id(&g->c, "sales_rep");
    if (!mgr_role || !rep_role)
        gx_die("bench-gen: built-in roles missing");
    int nmanagers = NREGIONS + NTEAMS;
    g->nreps = g->o.users - nmanagers;
    g->reps = xcalloc((size_t)g->nreps, sizeof *g->reps);
    char now[32];
    fmt_ms(g->now_ms, now);
    if (db_begin(g->c.db) != DB_OK)
        gx_die("bench-gen: begin: %s", db_errmsg(g->c.db));
    for (int i = 0; i < g->o.users; i++) {
        bool manager = i < nmanagers;
        int region, team = -1;
        int64_t dept;
        char username[32], name[64], local[64], phone[16], email[128];
        if (manager && i < NREGIONS) {
            region = i;
            dept = g->regions[i];
        } else {
            team = manager ? i - NREGIONS : (i - nmanagers) % NTEAMS;
            region = team / TEAMS_PER_REGION;
            dept = g->teams[team];
        }
        if (manager)
            snprintf(username, sizeof username, "m%d", i + 1);
        else
            snprintf(username, sizeof username, "u%d", i - nmanagers + 1);
        person_name(&g->rng, rng_pct(&g->rng, 5), name, sizeof name, local, sizeof local);
        mobile(&g->rng, phone);
        const char *why = NULL, *phone164 = phone_to_e164(&g->arena, phone, &why);
        if (!phone164)
            gx_die("bench-gen: phone %s: %s", phone, why ? why : "?");
        snprintf(email, sizeof email, "%s@guanxi-bench.cn", username);
        const char *position = !manager ? "销售代表" : team < 0 ? "大区经理" : "销售主管";
        DbVal p[] = {dbv_text(now),      dbv_text(now),         dbv_text(username), dbv_text(name),  dbv_int(dept),
                     dbv_text(position), dbv_text("full_time"), dbv_text(phone164), dbv_text(email), dbv_text(hash)};
        int64_t id = 0;
        bool found = false;
        if (db_query_int(g->c.db,
                         "INSERT INTO users(created_at, updated_at, version, username, name, department_id, position,"
                         " staff_type, phone, email, active, lang, time_zone, password_hash)"
                         " VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, 1, 'zh', 'Asia/Shanghai', $10) RETURNING id",
                         p, 10, &id, &found) != DB_OK ||
            !found)
            gx_die("bench-gen: insert user %s: %s", username, db_errmsg(g->c.db));
        DbVal q[] = {dbv_int(id), dbv_int(manager ? mgr_role : rep_role)};
        if (db_exec(g->c.db, "INSERT INTO users_role_ids(record_id, target_id) VALUES ($1, $2)", q, 2) != DB_OK)
            gx_die("bench-gen: role of %s: %s", username, db_errmsg(g->c.db));
        if (manager) {
            DbVal m[] = {dbv_int(id), dbv_int(dept)};
            if (db_exec(g->c.db, "UPDATE departments SET manager_id = $1 WHERE id = $2", m, 2) != DB_OK)
                gx_die("bench-gen: manager of %lld: %s", (long long)dept, db_errmsg(g->c.db));
        } else {
            g->reps[i - nmanagers] = (UserInfo){.id = id, .dept = dept, .region = region};
        }
    }
    if (db_commit(g->c.db) != DB_OK)
        gx_die("bench-gen: commit users: %s", db_errmsg(g->c.db));
}

/* created_at of customer i (0-based): spread evenly over SPAN_DAYS, so ids
 * grow with creation time as they would in real use. */
static int64_t customer_created(Gen *g, int64_t i)
{
    int64_t span = g->now_ms - g->start_ms, step = span / g->o.customers;
    return g->start_ms + i * step + (int64_t)rng_below64(&g->rng, (uint64_t)(step > 0 ? step : 1));
}

/* updated_at: a third never changed since creation, the rest at any time since. */
static int64_t updated_after(Gen *g, int64_t created)
{
    if (rng_pct(&g->rng, 33))
        return created;
    return created + (int64_t)rng_below64(&g->rng, (uint64_t)(g->now_ms - created + 1));
}

/* Customers: ids 1..N. Fills g->cust for contacts and activities. Returns the
 * highest code number per year in seq[year - 1970]. */
static void load_customers(Gen *g, int64_t *seq)
{
    Batch b;
    batch_init(&b, g->c.db, meta_entity("customers"),
               "id, owner_id, department_id, created_at, created_by, updated_at, updated_by, version, name, code,"
               " kind, customer_type, level, source, industry, region, status, lifecycle, credit_code, phone, email,"
               " website, address, credit_limit, tags, next_follow_up, notes",
               g->feeds[0]);
    static const char alnum[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    for (int64_t i = 0; i < g->o.customers; i++) {
        Rng *r = &g->rng;
        CustInfo *ci = &g->cust[i];
        ci->created_ms = customer_created(g, i);
        ci->owner = rng_below(r, (uint32_t)g->nreps);
        ci->english = rng_pct(r, 12);
        const UserInfo *u = &g->reps[ci->owner];
        const City *city = &cities[u->region][rng_below(r, 10)];
        const Industry *ind = &PICK(r, industries);
        const Syl *b1 = &PICK(r, brand_chars), *b2 = &PICK(r, brand_chars);
        int64_t updated = updated_after(g, ci->created_ms);
        char created_s[32], updated_s[32], name[256], domain[64], phone[24], email[128];
        fmt_ms(ci->created_ms, created_s);
        fmt_ms(updated, updated_s);
        if (ci->english) {
            snprintf(name, sizeof name, "%s %s %s", PICK(r, en_brand), ind->en, PICK(r, en_suffix));
        } else {
            snprintf(name, sizeof name, "%s%s%s%s%s", rng_pct(r, 60) ? city->name : "", b1->zh, b2->zh, ind->zh,
                     PICK(r, company_suffix));
        }
        snprintf(domain, sizeof domain, "%s%s%s.com%s", b1->py, b2->py, rng_pct(r, 30) ? "-group" : "",
                 rng_pct(r, 40) ? ".cn" : "");
        if (rng_pct(r, 60))
            snprintf(phone, sizeof phone, "%s%08u", city->area, 20000000 + rng_below(r, 80000000));
        else
            mobile(r, phone);
        static const char *mailbox[] = {"info", "sales", "service", "contact", "admin", "purchase"};
        snprintf(email, sizeof email, "%s@%s", PICK(r, mailbox), domain);
        int year = shanghai_year(ci->created_ms);
        int64_t code = ++seq[year - 1970];
        char credit[19];
        memcpy(credit, "91", 2);
        for (int k = 2; k < 18; k++)
            credit[k] = alnum[rng_below(r, (uint32_t)sizeof alnum - 1)];
        credit[18] = 0;

        batch_int(&b, (int64_t)i + 1);
        batch_int(&b, u->id);
        batch_int(&b, u->dept);
        batch_text(&b, created_s);
        batch_int(&b, u->id);
        batch_text(&b, updated_s);
        batch_int(&b, u->id);
        batch_int(&b, 1);
        batch_text(&b, name);
        batch_textf(&b, "C%04d%06lld", year, (long long)code);
        batch_text(&b, rng_pct(r, 90) ? "company" : "individual");
        batch_text(&b, PICK(r, customer_types));
        batch_text(&b, PICK(r, levels));
        batch_text(&b, PICK(r, sources));
        batch_text(&b, ind->code);
        batch_text(&b, region_names[u->region]);
        batch_text(&b, rng_pct(r, 95) ? "active" : "inactive");
        batch_text(&b, PICK(r, lifecycles));
        if (rng_pct(r, 70))
            batch_text(&b, credit);
        else
            batch_null(&b);
        batch_phone(&b, phone);
        if (rng_pct(r, 80))
            batch_text(&b, email);
        else
            batch_null(&b);
        if (rng_pct(r, 40))
            batch_textf(&b, "https://www.%s", domain);
        else
            batch_null(&b);
        batch_textf(
            &b,
            "{\"city\":\"%s%s\",\"district\":\"%s\",\"postcode\":\"%06u\",\"province\":\"%s\",\"street\":\"%s%u号\"}",
            city->name, strncmp(city->province, city->name, strlen(city->name)) ? "市" : "", PICK(r, districts),
            100000 + rng_below(r, 800000), city->province, PICK(r, roads), 1 + rng_below(r, 999));
        batch_int(&b, (int64_t)rng_below(r, 5000) * 100000);
        if (rng_pct(r, 20))
            batch_text(&b, PICK(r, tag_sets));
        else
            batch_null(&b);
        if (rng_pct(r, 30)) {
            char t[32];
            fmt_s(g->now_ms / 1000 + (int64_t)rng_below(r, 60 * 86400), t);
            batch_text(&b, t);
        } else {
            batch_null(&b);
        }
        if (rng_pct(r, 30))
            batch_text(&b, PICK(r, customer_notes));
        else
            batch_null(&b);
        batch_row_done(&b);
    }
    batch_free(&b);
}

static void load_contacts(Gen *g)
{
    Batch b;
    batch_init(&b, g->c.db, meta_entity("contacts"),
               "id, owner_id, department_id, created_at, created_by, updated_at, updated_by, version, name,"
               " customer_id, title, dept, decision_role, influence, mobile, phone, email, wechat,"
               " preferred_channel, gender, birthday, is_primary, personal",
               g->feeds[1]);
    int64_t id = 0;
    for (int64_t i = 0; i < g->o.customers; i++) {
        const CustInfo *ci = &g->cust[i];
        const UserInfo *u = &g->reps[ci->owner];
        for (int j = 0; j < g->o.contacts_per; j++) {
            Rng *r = &g->rng;
            int64_t created = ci->created_ms + (int64_t)rng_below64(r, (uint64_t)(g->now_ms - ci->created_ms) / 4 + 1);
            int64_t updated = updated_after(g, created);
            char created_s[32], updated_s[32], name[128], local[64], mob[16];
            fmt_ms(created, created_s);
            fmt_ms(updated, updated_s);
            person_name(r, ci->english ? rng_pct(r, 70) : rng_pct(r, 4), name, sizeof name, local, sizeof local);
            mobile(r, mob);
            batch_int(&b, ++id);
            batch_int(&b, u->id);
            batch_int(&b, u->dept);
            batch_text(&b, created_s);
            batch_int(&b, u->id);
            batch_text(&b, updated_s);
            batch_int(&b, u->id);
            batch_int(&b, 1);
            batch_text(&b, name);
            batch_int(&b, i + 1);
            batch_text(&b, PICK(r, titles));
            batch_text(&b, PICK(r, depts));
            batch_text(&b, PICK(r, decision_roles));
            batch_text(&b, PICK(r, influences));
            if (rng_pct(r, 95))
                batch_phone(&b, mob);
            else
                batch_null(&b);
            if (rng_pct(r, 30)) {
                char land[24];
                snprintf(land, sizeof land, "%s%08u", cities[u->region][rng_below(r, 10)].area,
                         20000000 + rng_below(r, 80000000));
                batch_phone(&b, land);
            } else {
                batch_null(&b);
            }
            if (rng_pct(r, 60))
                batch_textf(&b, "%s@%s", local, PICK(r, email_hosts));
            else
                batch_null(&b);
            if (rng_pct(r, 50))
                batch_textf(&b, rng_pct(r, 50) ? "wxid_%s%u" : "%s_%u", local, rng_below(r, 10000));
            else
                batch_null(&b);
            batch_text(&b, PICK(r, channels));
            batch_text(&b, rng_pct(r, 50) ? "male" : "female");
            if (rng_pct(r, 40)) {
                int y, m, d;
                civil_from_days(-3650 + (int64_t)rng_below(r, 365 * 40), &y, &m, &d);
                batch_textf(&b, "%04d-%02d-%02d", y, m, d);
            } else {
                batch_null(&b);
            }
            batch_int(&b, j == 0);
            batch_int(&b, 0);
            batch_row_done(&b);
        }
    }
    batch_free(&b);
}

static void load_activities(Gen *g)
{
    Batch b;
    batch_init(&b, g->c.db, meta_entity("activities"),
               "id, owner_id, department_id, created_at, created_by, updated_at, updated_by, version, subject, kind,"
               " parent_type, parent_id, contact_id, occurred_at, duration_min, body, next_step, next_at",
               g->feeds[2]);
    int64_t id = 0;
    for (int64_t i = 0; i < g->o.customers; i++) {
        const CustInfo *ci = &g->cust[i];
        const UserInfo *u = &g->reps[ci->owner];
        for (int j = 0; j < g->o.activities_per; j++) {
            Rng *r = &g->rng;
            int64_t created = ci->created_ms + (int64_t)rng_below64(r, (uint64_t)(g->now_ms - ci->created_ms));
            int64_t updated = rng_pct(r, 80) ? created : updated_after(g, created);
            char created_s[32], updated_s[32], occurred[32];
            fmt_ms(created, created_s);
            fmt_ms(updated, updated_s);
            fmt_s(created / 1000 - (int64_t)rng_below(r, 3600), occurred);
            const Subject *s = &PICK(r, subjects);
            batch_int(&b, ++id);
            batch_int(&b, u->id);
            batch_int(&b, u->dept);
            batch_text(&b, created_s);
            batch_int(&b, u->id);
            batch_text(&b, updated_s);
            batch_int(&b, u->id);
            batch_int(&b, 1);
            batch_text(&b, s->text);
            batch_text(&b, s->kind);
            batch_text(&b, "customers");
            batch_int(&b, i + 1);
            if (g->o.contacts_per)
                batch_int(&b, i * g->o.contacts_per + 1 + rng_below(r, (uint32_t)g->o.contacts_per));
            else
                batch_null(&b);
            batch_text(&b, occurred);
            if (!strcmp(s->kind, "call"))
                batch_int(&b, 1 + rng_below(r, 30));
            else if (!strcmp(s->kind, "visit") || !strcmp(s->kind, "meeting"))
                batch_int(&b, 30 + rng_below(r, 150));
            else
                batch_null(&b);
            if (rng_pct(r, 70))
                batch_textf(&b, "%s%s", PICK(r, content_a), PICK(r, content_b));
            else
                batch_null(&b);
            if (rng_pct(r, 40))
                batch_text(&b, PICK(r, next_steps));
            else
                batch_null(&b);
            if (rng_pct(r, 30)) {
                char t[32];
                fmt_s(created / 1000 + 86400 * (1 + (int64_t)rng_below(r, 14)), t);
                batch_text(&b, t);
            } else {
                batch_null(&b);
            }
            batch_row_done(&b);
        }
    }
    batch_free(&b);
}

/* ---------- indexes, text search, statistics ---------- */

typedef struct SavedIndex {
    char *name; /* index name */
    char *sql;  /* its CREATE INDEX statement, as the migration wrote it */
} SavedIndex;

/* Drop the secondary indexes of table, appending their SQL to saved. */
static void drop_indexes(Gen *g, const char *table, SavedIndex *saved, int *n, int cap)
{
    DbRes *r;
    DbVal p[] = {dbv_text(table)};
    if (db_query(g->c.db,
                 "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL", p, 1,
                 &r) != DB_OK)
        gx_die("bench-gen: cannot read the indexes of %s", table);
    int first = *n;
    while (db_next(r) == 1) {
        if (*n == cap)
            gx_die("bench-gen: too many indexes");
        saved[*n].name = xstrdup(db_text(r, 0));
        saved[*n].sql = xstrdup(db_text(r, 1));
        (*n)++;
    }
    db_done(r);
    for (int i = first; i < *n; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP INDEX %s", saved[i].name);
        exec_or_die(g, sql);
    }
}

/* The search text of a row as an SQL expression, as ddl.c's search_expr
 * writes it (searchable fields in declaration order, coalesce(x,'') joined
 * with ' '). */
static void search_expr(Buf *b, const Entity *e)
{
    bool first = true;
    for (int i = 0; i < e->nfields; i++) {
        if (!e->fields[i].search)
            continue;
        if (!first)
            buf_raw(b, " || ' ' || ");
        buf_printf(b, "coalesce(%s,'')", e->fields[i].name);
        first = false;
    }
}

/* Rebuild the per-character index of entity e (1–2 character Chinese
 * queries, ddl.c) from its rows; gx_cjk_split is registered by the SQLite
 * backend on every connection. */
static void fill_search_chars(Gen *g, const char *entity)
{
    const Entity *e = meta_entity(entity);
    if (!e || !e->has_search || meta_search_global(e))
        return;
    Buf b;
    buf_init(&b, g->c.arena);
    buf_printf(&b, "DELETE FROM %s_fts2; INSERT INTO %s_fts2(rowid, body) SELECT id, gx_cjk_split(", e->table, e->table);
    search_expr(&b, e);
    buf_printf(&b, ") FROM %s ORDER BY id", e->table);
    exec_or_die(g, b.data);
}

/* Rebuild the text-search table of entity e from its rows. */
static void fill_search(Gen *g, const char *entity)
{
    const Entity *e = meta_entity(entity);
    if (!e || !e->has_search || meta_search_global(e))
        return;
    Buf b;
    buf_init(&b, g->c.arena);
    buf_printf(&b, "DELETE FROM %s_fts; INSERT INTO %s_fts(rowid, body) SELECT id, ", e->table, e->table);
    search_expr(&b, e);
    buf_printf(&b, " FROM %s ORDER BY id", e->table);
    exec_or_die(g, b.data);
    fill_search_chars(g, entity);
}

static int64_t query_int(Gen *g, const char *sql)
{
    int64_t v = -1;
    bool found;
    if (db_query_int(g->c.db, sql, NULL, 0, &v, &found) != DB_OK)
        gx_die("bench-gen: %s: %s", sql, db_errmsg(g->c.db));
    return v;
}

/* --verify, global search: the rows the search threads built equal what
 * search_fill writes after reading the records back. search_fill runs on a
 * scratch database holding empty copies of the search tables, with TEMP
 * views of the records' tables of this one in front (unqualified names
 * find temp objects first), so the generated file stays as it is. */
static void verify_global(Gen *g)
{
    static const char *ents[] = {"customers", "contacts", "leads"}, *kinds[] = {"gt", "gw"};
    const char *ref = arena_printf(&g->arena, "%s.verify-search", g->o.db);
    unlink(ref);
    char *err = NULL;
    Db *db2 = db_open(ref, &err);
    if (!db2)
        gx_die("bench-gen: %s: %s", ref, err ? err : "?");
    Arena a2;
    arena_init(&a2);
    Ctx c2;
    ctx_init(&c2, &a2, db_thread_conn(db2));
    if (db_exec_script(c2.db, arena_printf(&a2, "PRAGMA journal_mode=OFF; ATTACH '%s' AS gen", g->o.db)) != DB_OK) /* sql-ok: the --db path of whoever runs the generator */
        gx_die("bench-gen: verify: %s", db_errmsg(c2.db));
    for (int i = 0; i < COUNT(ents); i++) {
        const Entity *e = meta_entity(ents[i]);
        if (!e)
            continue;
        if (db_exec_script(c2.db, arena_printf(&a2, "CREATE TEMP VIEW %s AS SELECT * FROM gen.%s", e->table,
                                               e->table)) != DB_OK)
            gx_die("bench-gen: verify: %s", db_errmsg(c2.db));
        for (int k = 0; k < COUNT(kinds); k++) {
            char *sql = NULL;
            DbVal p[] = {dbv_text(arena_printf(&a2, "%s_%s", e->table, kinds[k]))};
            if (db_query_text(c2.db, &a2, "SELECT sql FROM gen.sqlite_master WHERE name = $1", p, 1, &sql) != DB_OK ||
                !sql || db_exec_script(c2.db, sql) != DB_OK)
                gx_die("bench-gen: verify: %s_%s: %s", e->table, kinds[k], db_errmsg(c2.db));
        }
    }
    if (db_exec_script(c2.db, "BEGIN") != DB_OK || search_fill(&c2) != GX_OK || db_exec_script(c2.db, "COMMIT") != DB_OK)
        gx_die("bench-gen: verify: search_fill: %s", c2.err_msg ? c2.err_msg : db_errmsg(c2.db));
    int64_t rows = 0;
    for (int i = 0; i < COUNT(ents); i++) {
        const Entity *e = meta_entity(ents[i]);
        if (!e)
            continue;
        for (int k = 0; k < COUNT(kinds); k++) {
            const char *t = arena_printf(&a2, "%s_%s_content", e->table, kinds[k]);
            int64_t diff = -1, n = -1;
            bool found;
            if (db_query_int(c2.db,
                             arena_printf(&a2,
                                          "SELECT (SELECT count(*) FROM (SELECT * FROM main.%s EXCEPT SELECT * FROM" /* sql-ok: table names from metadata */
                                          " gen.%s)) + (SELECT count(*) FROM (SELECT * FROM gen.%s EXCEPT SELECT * FROM"
                                          " main.%s)) + abs((SELECT count(*) FROM main.%s) - (SELECT count(*) FROM gen.%s))",
                                          t, t, t, t, t, t),
                             NULL, 0, &diff, &found) != DB_OK ||
                db_query_int(c2.db, arena_printf(&a2, "SELECT count(*) FROM gen.%s", t), NULL, 0, &n, &found) != DB_OK) /* sql-ok: table names from metadata */
                gx_die("bench-gen: verify: %s: %s", t, db_errmsg(c2.db));
            if (diff)
                gx_die("bench-gen: verify: %lld rows of %s differ from search_fill's", (long long)diff, t);
            rows += k ? 0 : n;
        }
        exec_or_die(g, arena_printf(&g->arena, "INSERT INTO %s_gt(%s_gt) VALUES('integrity-check');" /* sql-ok: table names from metadata */
                                               " INSERT INTO %s_gw(%s_gw) VALUES('integrity-check')",
                                    e->table, e->table, e->table, e->table));
    }
    ctx_done(&c2);
    arena_free(&a2);
    db_close(db2);
    unlink(ref);
    printf("  %-28s %10lld rows: global search rows equal to search_fill's\n", "verify global search",
           (long long)rows);
}

/* --verify: the schema equals a fresh database's, and every search row is
 * what the record engine would have written. Dies on a difference. */
static void verify(Gen *g)
{
    double t0 = now_s();
    const char *fresh = arena_printf(&g->arena, "%s.verify-tmp", g->o.db);
    unlink(fresh);
    char *err = NULL;
    Db *db2 = db_open(fresh, &err);
    if (!db2)
        gx_die("bench-gen: %s: %s", fresh, err ? err : "?");
    Arena a2;
    arena_init(&a2);
    Ctx c2;
    ctx_init(&c2, &a2, db_thread_conn(db2));
    if (setup_database(&c2, g->o.admin_password, NULL))
        gx_die("bench-gen: fresh schema: %s", c2.err_msg ? c2.err_msg : "?");
    ctx_done(&c2);
    arena_free(&a2);
    db_close(db2);
    exec_or_die(g, arena_printf(&g->arena, "ATTACH '%s' AS fresh", fresh));
    int64_t diff =
        query_int(g, "SELECT count(*) FROM (SELECT type, name, tbl_name, sql FROM main.sqlite_master"
                     " WHERE name NOT LIKE 'sqlite_stat%' EXCEPT SELECT type, name, tbl_name, sql FROM"
                     " fresh.sqlite_master UNION ALL SELECT type, name, tbl_name, sql FROM fresh.sqlite_master"
                     " EXCEPT SELECT type, name, tbl_name, sql FROM main.sqlite_master)");
    exec_or_die(g, "DETACH fresh");
    unlink(fresh);
    if (diff)
        gx_die("bench-gen: verify: %lld schema objects differ from a fresh database", (long long)diff);
    static const char *searchable[] = {"customers", "contacts", "activities", "users"};
    for (int i = 0; i < COUNT(searchable); i++) {
        const Entity *e = meta_entity(searchable[i]);
        if (meta_search_global(e))
            continue; /* no table of its own (migration 6) */
        Buf b;
        buf_init(&b, g->c.arena);
        buf_printf(
            &b,
            "SELECT (SELECT count(*) FROM %s) - (SELECT count(*) FROM %s_fts_content) + (SELECT count(*) FROM %s t"
            " JOIN %s_fts_content f ON f.id = t.id WHERE f.c0 IS NOT (",
            e->table, e->table, e->table, e->table);
        search_expr(&b, e);
        buf_raw(&b, "))");
        if ((diff = query_int(g, b.data)))
            gx_die("bench-gen: verify: %lld search rows of %s differ", (long long)diff, e->table);
        exec_or_die(
            g, arena_printf(&g->arena, "INSERT INTO %s_fts(%s_fts) VALUES('integrity-check')", e->table, e->table));
    }
    verify_global(g);
    printf("  %-28s %15s %7.1f s: schema as migrated, search indexes equal to their rows\n", "verify", "", now_s() - t0);
}

/* Wall-clock and CPU time of one phase of the main thread (CPU time shows
 * how much of the wall time went to other processes on a shared machine). */
typedef struct Phase {
    double wall0, cpu0; /* at the start */
} Phase;

static Phase phase_start(void)
{
    return (Phase){now_s(), cpu_s()};
}

static void report(Phase p, const char *what, int64_t rows)
{
    double wall = now_s() - p.wall0, cpu = cpu_s() - p.cpu0;
    if (rows > 0)
        printf("  %-28s %10lld rows %7.1f s (cpu %6.1f s) %9.0f rows/s\n", what, (long long)rows, wall, cpu,
               (double)rows / wall);
    else
        printf("  %-28s %15s %7.1f s (cpu %6.1f s)\n", what, "", wall, cpu);
    fflush(stdout);
}

/* --dup-keys: fill dup_keys of a database generated before the generator
 * did (they were empty: duplicate checks found nothing). */
static int fill_dup_keys_only(Gen *g)
{
    if (!auth_init())
        gx_die("bench-gen: libsodium failed to initialise");
    log_set_level(LOG_INFO);
    meta_load();
    modules_init();
    Phase t = phase_start();
    char *err = NULL;
    g->db = db_open(g->o.db, &err);
    if (!g->db)
        gx_die("bench-gen: cannot open %s: %s", g->o.db, err ? err : "?");
    arena_init(&g->arena);
    ctx_init(&g->c, &g->arena, db_thread_conn(g->db));
    exec_or_die(g, "BEGIN");
    exec_or_die(g, "DELETE FROM dup_keys");
    if (dupes_fill(&g->c) != GX_OK)
        gx_die("bench-gen: duplicate keys: %s", g->c.err_msg ? g->c.err_msg : "?");
    exec_or_die(g, "COMMIT");
    report(t, "duplicate keys", 0);
    ctx_done(&g->c);
    db_close(g->db);
    return 0;
}

int main(int argc, char **argv)
{
    Gen g = {0};
    if (!parse_opts(argc, argv, &g.o)) {
        usage(stderr);
        return 2;
    }
    struct stat st;
    if (g.o.dup_keys_only)
        return fill_dup_keys_only(&g);
    if (stat(g.o.db, &st) == 0) {
        if (!g.o.force) {
            fprintf(stderr, "guanxi-bench-gen: %s exists (use --force to replace it)\n", g.o.db);
            return 1;
        }
        char side[4096];
        unlink(g.o.db);
        snprintf(side, sizeof side, "%s-wal", g.o.db);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", g.o.db);
        unlink(side);
    }
    if (!auth_init())
        gx_die("bench-gen: libsodium failed to initialise");
    log_set_level(LOG_WARN);
    meta_load();
    modules_init();
    const Entity *cust = meta_entity("customers");
    const Field *code = cust ? meta_field(cust, "code") : NULL;
    if (!code || !code->pattern || strcmp(code->pattern, "C{YYYY}{000000}"))
        gx_die("bench-gen: customers.code is no longer C{YYYY}{000000}; update load_customers");

    Phase all = phase_start(), t;
    char *err = NULL;
    g.db = db_open(g.o.db, &err);
    if (!g.db)
        gx_die("bench-gen: cannot open %s: %s", g.o.db, err ? err : "?");
    arena_init(&g.arena);
    ctx_init(&g.c, &g.arena, db_thread_conn(g.db));
    g.rng.s = 0x9E3779B97F4A7C15ULL ^ (g.o.seed * 0xBF58476D1CE4E5B9ULL);
    if (!g.rng.s)
        g.rng.s = 1;
    g.now_ms = time_now_ms();
    g.start_ms = g.now_ms - (int64_t)SPAN_DAYS * 86400 * 1000;

    printf("guanxi-bench-gen: %s — %lld customers, %d contacts and %d activities each, %d users\n", g.o.db,
           (long long)g.o.customers, g.o.contacts_per, g.o.activities_per, g.o.users);
    t = phase_start();
    if (setup_database(&g.c, g.o.admin_password, NULL))
        fail_ctx(&g, "setup");
    make_departments(&g);
    make_users(&g);
    report(t, "schema, departments, users", 0);
    /* A fresh connection for the load: the migrations filled the db
     * layer's statement cache (no eviction), and a statement that finds no
     * slot is prepared again at every call — for the 32-row INSERTs with
     * hundreds of $n parameters, parsing cost more than inserting. */
    ctx_done(&g.c);
    db_close(g.db);
    g.db = db_open(g.o.db, &err);
    if (!g.db)
        gx_die("bench-gen: cannot reopen %s: %s", g.o.db, err ? err : "?");
    ctx_init(&g.c, &g.arena, db_thread_conn(g.db));

    /* Bulk-load settings, restored below (the server opens with WAL + FULL). */
    exec_or_die(&g, "PRAGMA foreign_keys=OFF; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                    " PRAGMA cache_size=-1048576; PRAGMA threads=2");
    SavedIndex saved[64];
    int nsaved = 0;
    static const char *big[] = {"customers", "contacts", "activities"};
    for (int i = 0; i < COUNT(big); i++)
        drop_indexes(&g, big[i], saved, &nsaved, COUNT(saved));

    /* The search threads, one per entity, with FTS tables made by the same
     * statements: customers' and contacts' global search (<t>_gt, <t>_gw),
     * activities' own text search (<t>_fts, <t>_fts2). */
    Feed feeds[COUNT(big)];
    for (int i = 0; i < COUNT(big); i++) {
        Feed *f = &feeds[i];
        const Entity *e = meta_entity(big[i]);
        *f = (Feed){.e = e, .global = meta_search_global(e)};
        if (!f->global && !e->has_search) {
            g.feeds[i] = NULL;
            continue;
        }
        f->path = arena_printf(&g.arena, "%s.search-%s.tmp", g.o.db, e->table);
        unlink(f->path);
        pthread_mutex_init(&f->mu, NULL);
        pthread_cond_init(&f->changed, NULL);
        static const char *own[] = {"fts", "fts2"}, *global[] = {"gt", "gw"};
        for (int k = 0; k < FEED_TABLES; k++) {
            const char *fts = arena_printf(&g.arena, "%s_%s", e->table, f->global ? global[k] : own[k]);
            char *sql = NULL;
            DbVal p[] = {dbv_text(fts)};
            if (db_query_text(g.c.db, &g.arena, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1", p,
                              1, &sql) != DB_OK ||
                !sql)
                gx_die("bench-gen: no table %s", fts);
            f->tables[f->ntables] = fts;
            f->create[f->ntables++] = sql;
        }
        g.feeds[i] = f;
    }
    Phase search = phase_start();
    for (int i = 0; i < COUNT(big); i++) {
        if (!g.feeds[i])
            continue;
        g.feeds[i]->wall0 = search.wall0;
        if (pthread_create(&g.feeds[i]->thread, NULL, feed_main, g.feeds[i]))
            gx_die("bench-gen: cannot start a search thread");
        g.feeds[i]->started = true;
    }

    g.cust = xcalloc((size_t)g.o.customers, sizeof *g.cust);
    int64_t seq[200] = {0};
    int64_t rows = 0;
    Phase load = phase_start();
    exec_or_die(&g, "BEGIN");
    t = phase_start();
    load_customers(&g, seq);
    if (g.feeds[0])
        feed_close(g.feeds[0]);
    report(t, "customers", g.o.customers);
    /* customer type, source, industry and region as links (the same step a
     * migrated database runs) */
    t = phase_start();
    if (picklists_migrate(&g.c, false) != GX_OK)
        gx_die("bench-gen: pick-list links: %s", g.c.err_msg ? g.c.err_msg : "?");
    report(t, "pick-list links", g.o.customers);
    t = phase_start();
    load_contacts(&g);
    if (g.feeds[1])
        feed_close(g.feeds[1]);
    report(t, "contacts", g.o.customers * g.o.contacts_per);
    t = phase_start();
    load_activities(&g);
    report(t, "activities", g.o.customers * g.o.activities_per);
    rows = g.o.customers * (1 + g.o.contacts_per + g.o.activities_per);
    if (g.feeds[2])
        feed_close(g.feeds[2]);

    /* Codes continue where the data left off. */
    for (int y = 0; y < 200; y++) {
        if (!seq[y])
            continue;
        char key[64];
        snprintf(key, sizeof key, "%s.code:%04d", cust->table, 1970 + y);
        DbVal p[] = {dbv_text(key), dbv_int(seq[y])};
        if (db_exec(g.c.db,
                    "INSERT INTO sequences(name, value) VALUES ($1, $2)"
                    " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    p, 2) != DB_OK)
            gx_die("bench-gen: sequences: %s", db_errmsg(g.c.db));
    }
    exec_or_die(&g, "COMMIT");
    report(load, "all rows (no indexes)", rows);

    t = phase_start();
    for (int i = 0; i < nsaved; i++) {
        Phase ti = phase_start();
        exec_or_die(&g, saved[i].sql);
        report(ti, saved[i].name, 0);
    }
    report(t, "indexes", 0);


    /* Duplicate keys (phone, e-mail, name, credit code) of every record:
     * the data step of migration 3, which a database loaded without the
     * hooks needs for duplicate checks (imports, creates). */
    t = phase_start();
    exec_or_die(&g, "BEGIN");
    if (dupes_fill(&g.c) != GX_OK)
        gx_die("bench-gen: duplicate keys: %s", g.c.err_msg ? g.c.err_msg : "?");
    exec_or_die(&g, "COMMIT");
    report(t, "duplicate keys", 0);

    /* Statistics of the ordinary tables while the search threads work
     * (after the duplicate keys);
     * none for search indexes' shadow tables (type 'shadow'), which are
     * still empty here: their statistics would say "2 rows" and the
     * planner would scan them (src/db/sqlite.c, sq_optimize). */
    t = phase_start();
    exec_or_die(&g, "BEGIN");
    fill_search(&g, "users");
    exec_or_die(&g, "COMMIT");
    char *analyze = NULL;
    if (db_query_text(g.c.db, &g.arena,
                      "SELECT group_concat('ANALYZE \"' || name || '\"', ';') FROM pragma_table_list"
                      " WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite%'",
                      NULL, 0, &analyze) != DB_OK ||
        !analyze)
        gx_die("bench-gen: cannot list tables");
    exec_or_die(&g, analyze);
    report(t, "ANALYZE", 0);

    t = phase_start();
    for (int i = 0; i < COUNT(big); i++) {
        Feed *f = g.feeds[i];
        if (!f)
            continue;
        pthread_join(f->thread, NULL);
        if (f->error)
            gx_die("bench-gen: search thread of %s: %s", f->e->name, f->error);
        char what[64];
        snprintf(what, sizeof what, "search %s (thread)", f->e->table);
        printf("  %-28s %10lld rows %7.1f s (cpu %6.1f s, merge %5.1f s) %9.0f rows/s  [from the start of the load]\n",
               what, (long long)f->rows, f->wall, f->cpu, f->cpu_optimize, (double)f->rows / f->wall);
    }
    report(t, "waiting for the search threads", 0);

    t = phase_start();
    for (int i = 0; i < COUNT(big); i++)
        if (g.feeds[i])
            exec_or_die(&g, arena_printf(&g.arena, "ATTACH '%s' AS search%d", g.feeds[i]->path, i)); /* sql-ok: a scratch path next to --db */
    exec_or_die(&g, "BEGIN");
    static const char *shadow[] = {"data", "idx", "content", "docsize", "config"};
    for (int i = 0; i < COUNT(big); i++) {
        Feed *f = g.feeds[i];
        for (int j = 0; f && j < f->ntables; j++)
            for (int k = 0; k < COUNT(shadow); k++)
                /* config: only the version row (the fill's automerge,
                 * crisismerge and hashsize stay behind; the main file's
                 * own rows — the migrations' automerge — stay) */
                exec_or_die(&g, k == 4 ? arena_printf(&g.arena,
                                                      "INSERT OR REPLACE INTO main.%s_config SELECT * FROM search%d.%s_config WHERE k = 'version'", /* sql-ok: FTS table names from sqlite_master */
                                                      f->tables[j], i, f->tables[j])
                                       : arena_printf(&g.arena,
                                                      "DELETE FROM main.%s_%s; INSERT INTO main.%s_%s SELECT * FROM search%d.%s_%s", /* sql-ok: FTS table names from sqlite_master */
                                                      f->tables[j], shadow[k], f->tables[j], shadow[k], i,
                                                      f->tables[j], shadow[k]));
    }
    exec_or_die(&g, "COMMIT");
    for (int i = 0; i < COUNT(big); i++)
        if (g.feeds[i]) {
            exec_or_die(&g, arena_printf(&g.arena, "DETACH search%d", i));
            unlink(g.feeds[i]->path);
        }
    report(t, "copy search tables", 0);
    t = phase_start();
    /* A fresh connection: FTS5 caches index structure per connection. */
    ctx_done(&g.c);
    db_close(g.db);
    g.db = db_open(g.o.db, &err);
    if (!g.db)
        gx_die("bench-gen: cannot reopen %s: %s", g.o.db, err ? err : "?");
    ctx_init(&g.c, &g.arena, db_thread_conn(g.db));
    report(t, "reopen", 0);

    if (g.o.verify)
        verify(&g);

    t = phase_start();
    exec_or_die(&g, "PRAGMA optimize; PRAGMA journal_mode=WAL; PRAGMA wal_checkpoint(TRUNCATE)");
    report(t, "WAL on, checkpoint", 0);

    double total = now_s() - all.wall0, total_cpu = process_cpu_s();
    for (int i = 0; i < nsaved; i++) {
        free(saved[i].name);
        free(saved[i].sql);
    }
    free(g.cust);
    free(g.reps);
    ctx_done(&g.c);
    arena_free(&g.arena);
    db_close(g.db);
    stat(g.o.db, &st);
    printf(
        "done in %.1f s (cpu %.1f s): %lld rows, %.0f rows/s overall (load + indexes + search + statistics), %.2f GB\n",
        total, total_cpu, (long long)rows, (double)rows / total, (double)st.st_size / 1e9);
    meta_free();
    return 0;
}
