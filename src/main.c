/* main.c — the guanxi command line: init, demo, serve, user, migrate, backup. */
#include <getopt.h>
#include <signal.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "app/app.h"
#include "auth/auth.h"
#include "base/log.h"
#include "base/util.h"
#include "jobs/jobs.h"
#include "meta/meta.h"
#include "modules/modules.h"
#include "modules/sales/sales.h"
#include "record/record.h"

static void usage(FILE *f)
{
    fputs("usage: guanxi COMMAND [options]\n\n"
          "Commands:\n"
          "  init     --db DB [--admin-password P]   create a database with the administrator 'admin'\n"
          "  demo     --db DB [--customers N]        fill it with demo data (Chinese and English)\n"
          "  serve    --db DB [--listen HOST:PORT] [--threads N] [--quiet]   serve the web UI and API\n"
          "  user add --db DB --username U --name N --password P [--role CODE]... [--department-id ID]\n"
          "  migrate  --db DB                        apply pending schema migrations\n"
          "  jobs run --db DB [--max N]              run due background jobs once (cron, tests) and exit\n"
          "  backup   --db DB --to FILE              online backup of a SQLite database\n\n"
          "DB is a SQLite file path or a PostgreSQL URL (postgresql://user@host:port/dbname).\n"
          "Run 'guanxi COMMAND --help' for details.\n",
          f);
}

typedef struct Opts {
    const char *db, *listen, *admin_password, *to, *username, *name, *password;
    const char *roles[8];
    int nroles;
    int64_t department_id;
    int threads, customers, max;
    bool quiet, help;
} Opts;

static bool parse_opts(int argc, char **argv, Opts *o)
{
    static struct option longopts[] = {
        {"db", required_argument, 0, 'd'},       {"listen", required_argument, 0, 'l'},
        {"admin-password", required_argument, 0, 'a'}, {"to", required_argument, 0, 't'},
        {"username", required_argument, 0, 'u'}, {"name", required_argument, 0, 'n'},
        {"password", required_argument, 0, 'p'}, {"role", required_argument, 0, 'r'},
        {"department-id", required_argument, 0, 'D'}, {"threads", required_argument, 0, 'T'},
        {"customers", required_argument, 0, 'c'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},           {"max", required_argument, 0, 'M'},
        {0, 0, 0, 0},
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int64_t v;
        switch (ch) {
        case 'd': o->db = optarg; break;
        case 'l': o->listen = optarg; break;
        case 'a': o->admin_password = optarg; break;
        case 't': o->to = optarg; break;
        case 'u': o->username = optarg; break;
        case 'n': o->name = optarg; break;
        case 'p': o->password = optarg; break;
        case 'r':
            if (o->nroles < 7)
                o->roles[o->nroles++] = optarg;
            break;
        case 'D':
            if (!parse_i64(optarg, &v) || v <= 0) {
                fprintf(stderr, "guanxi: --department-id must be a positive integer\n");
                return false;
            }
            o->department_id = v;
            break;
        case 'T':
            if (!parse_i64(optarg, &v) || v < 1 || v > 256) {
                fprintf(stderr, "guanxi: --threads must be 1..256\n");
                return false;
            }
            o->threads = (int)v;
            break;
        case 'c':
            if (!parse_i64(optarg, &v) || v < 1 || v > 1000000) {
                fprintf(stderr, "guanxi: --customers must be 1..1000000\n");
                return false;
            }
            o->customers = (int)v;
            break;
        case 'M':
            if (!parse_i64(optarg, &v) || v < 0 || v > 1000000) {
                fprintf(stderr, "guanxi: --max must be 0..1000000\n");
                return false;
            }
            o->max = (int)v;
            break;
        case 'q': o->quiet = true; break;
        case 'h': o->help = true; break;
        default: return false;
        }
    }
    return true;
}

/* Open the database and bring its schema up to date. */
static Db *open_db(const char *url, Ctx *c, Arena *a)
{
    if (!url) {
        fprintf(stderr, "guanxi: --db is required (a file path or a postgresql:// URL)\n");
        return NULL;
    }
    char *err = NULL;
    Db *db = db_open(url, &err);
    if (!db) {
        fprintf(stderr, "guanxi: cannot open database: %s\n", err ? err : "?");
        free(err);
        return NULL;
    }
    arena_init(a);
    ctx_init(c, a, db_thread_conn(db));
    return db;
}

static int fail(Ctx *c, Db *db, Arena *a)
{
    fprintf(stderr, "guanxi: %s\n", c->err_msg ? c->err_msg : "failed");
    if (c->err_fields) {
        char *s = json_dumps(c->err_fields, JSON_INDENT(2));
        fprintf(stderr, "%s\n", s);
        free(s);
    }
    ctx_done(c);
    arena_free(a);
    db_close(db);
    return 1;
}

static int cmd_init(Opts *o)
{
    if (o->help) {
        puts("usage: guanxi init --db DB [--admin-password P]\n"
             "Creates the schema, the built-in roles and the administrator 'admin'.\n"
             "Without --admin-password a random password is generated and printed.");
        return 0;
    }
    Ctx c;
    Arena a;
    Db *db = open_db(o->db, &c, &a);
    if (!db)
        return 1;
    char *generated = NULL;
    int64_t users = 0;
    bool found;
    if (db_table_exists(c.db, "users"))
        db_query_int(c.db, "SELECT count(*) FROM users", NULL, 0, &users, &found);
    if (users > 0) {
        fprintf(stderr, "guanxi: %s is already initialised\n", o->db);
        ctx_done(&c);
        arena_free(&a);
        db_close(db);
        return 1;
    }
    if (setup_database(&c, o->admin_password, &generated))
        return fail(&c, db, &a);
    printf("Initialised %s\n", o->db);
    if (generated)
        printf("Administrator: admin / %s\n", generated);
    else
        printf("Administrator: admin (password as given)\n");
    ctx_done(&c);
    arena_free(&a);
    db_close(db);
    return 0;
}

static int cmd_simple(Opts *o, const char *cmd)
{
    if (o->help) {
        if (!strcmp(cmd, "migrate"))
            puts("usage: guanxi migrate --db DB\nApplies pending schema migrations.");
        else if (!strcmp(cmd, "demo"))
            puts("usage: guanxi demo --db DB [--customers N]\nAdds departments, users, customers, contacts and activities\n"
                 "(default 300 customers). Users get the password 'demo12345'.");
        else
            puts("usage: guanxi backup --db FILE --to FILE\nOnline backup of a SQLite database (writers keep working).");
        return 0;
    }
    Ctx c;
    Arena a;
    Db *db = open_db(o->db, &c, &a);
    if (!db)
        return 1;
    if (!strcmp(cmd, "backup")) {
        if (!o->to) {
            fprintf(stderr, "guanxi: --to is required\n");
            db_close(db);
            return 1;
        }
        char *err = NULL;
        if (db_backup(db, o->to, &err) != DB_OK) {
            fprintf(stderr, "guanxi: %s\n", err ? err : "backup failed");
            free(err);
            db_close(db);
            return 1;
        }
        printf("Backed up %s to %s\n", o->db, o->to);
    } else {
        if (setup_database(&c, NULL, NULL))
            return fail(&c, db, &a);
        if (!strcmp(cmd, "demo")) {
            /* Demo data is reproducible: skip the per-commit fsync (WAL keeps it consistent). */
            if (db_dialect(c.db) == DB_SQLITE)
                db_exec_script(c.db, "PRAGMA synchronous=NORMAL");
            if (demo_fill(&c, o->customers ? o->customers : 300))
                return fail(&c, db, &a);
            puts("Demo data added. Demo users (password demo12345): manager_a, rep_a1, rep_a2, rep_b1, rep_en, service1.");
        } else {
            puts("Schema is up to date.");
        }
    }
    ctx_done(&c);
    arena_free(&a);
    db_close(db);
    return 0;
}

static int cmd_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "add")) {
        fputs("usage: guanxi user add --db DB --username U --name N --password P [--role CODE]... [--department-id ID]\n",
              stderr);
        return 2;
    }
    Opts o = {0};
    if (!parse_opts(argc - 1, argv + 1, &o))
        return 2;
    if (o.help) {
        puts("usage: guanxi user add --db DB --username U --name N --password P [--role CODE]... [--department-id ID]\n"
             "Role codes: admin, sales_manager, sales_rep, service_agent, front_desk, marketer.");
        return 0;
    }
    if (!o.username || !o.name || !o.password) {
        fputs("guanxi: --username, --name and --password are required\n", stderr);
        return 2;
    }
    Ctx c;
    Arena a;
    Db *db = open_db(o.db, &c, &a);
    if (!db)
        return 1;
    if (setup_database(&c, NULL, NULL))
        return fail(&c, db, &a);
    o.roles[o.nroles] = NULL;
    int64_t id;
    if (setup_user(&c, o.username, o.name, o.password, o.department_id, o.roles, &id))
        return fail(&c, db, &a);
    printf("Created user %s (id %lld)\n", o.username, (long long)id);
    ctx_done(&c);
    arena_free(&a);
    db_close(db);
    return 0;
}

/* guanxi jobs run: queue the current periodic slots and run every due job. */
static int cmd_jobs(int argc, char **argv)
{
    const char *use = "usage: guanxi jobs run --db DB [--max N]\n"
                      "Queues the current slot of every periodic job and runs the due jobs once (at most N, 0 = all),\n"
                      "then exits: for cron and tests. `guanxi serve` does the same continuously.\n";
    if (argc < 2 || strcmp(argv[1], "run")) {
        fputs(use, stderr);
        return 2;
    }
    Opts o = {0};
    if (!parse_opts(argc - 1, argv + 1, &o))
        return 2;
    if (o.help) {
        fputs(use, stdout);
        return 0;
    }
    Ctx c;
    Arena a;
    Db *db = open_db(o.db, &c, &a);
    if (!db)
        return 1;
    if (setup_database(&c, NULL, NULL))
        return fail(&c, db, &a);
    ctx_done(&c);
    arena_free(&a);
    char worker[96], host[64] = "host";
    gethostname(host, sizeof host - 1);
    snprintf(worker, sizeof worker, "%s:%d:cli", host, (int)getpid());
    JobStats st;
    GxErr rc = jobs_run_due(db, worker, o.max, &st);
    printf("jobs: %d scheduled, %d run, %d failed\n", st.scheduled, st.ran, st.failed);
    db_close(db);
    return rc || st.failed ? 1 : 0;
}

static int cmd_serve(Opts *o)
{
    if (o->help) {
        puts("usage: guanxi serve --db DB [--listen HOST:PORT] [--threads N] [--quiet]\n"
             "Serves the web UI and the JSON API (default 127.0.0.1:8080). Stops cleanly on SIGINT/SIGTERM.");
        return 0;
    }
    Ctx c;
    Arena a;
    Db *db = open_db(o->db, &c, &a);
    if (!db)
        return 1;
    if (setup_database(&c, NULL, NULL))
        return fail(&c, db, &a);
    db_optimize(c.db);
    ctx_done(&c);
    arena_free(&a);
    /* Requests' write transactions share commits (SQLite; db.c "Group
     * commit"). GUANXI_GROUP_COMMIT=0 turns it off, for comparisons. */
    const char *gc = getenv("GUANXI_GROUP_COMMIT");
    if (db_set_group_commit(db, !gc || strcmp(gc, "0")))
        log_info("database: group commit %s", !gc || strcmp(gc, "0") ? "on" : "off");

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* worker threads inherit the mask */
    signal(SIGPIPE, SIG_IGN);

    static App app;
    app.db = db;
    HttpConfig cfg = {
        .listen = o->listen ? o->listen : "127.0.0.1:8080",
        .db = db,
        .routes = app_routes(),
        .app = &app,
        .threads = o->threads,
        .max_body = 1024 * 1024,
        .timeout_s = 30,
        .access_log = !o->quiet,
        .before = app_before,
        .render_error = app_render_error,
    };
    HttpServer *s = http_start(&cfg);
    if (!s) {
        db_close(db);
        return 1;
    }
    log_info("guanxi listening on http://%s (port %d)", cfg.listen, http_port(s));
    JobScheduler *jobs = jobs_start(db, 5);
    if (!jobs)
        log_warn("the job scheduler did not start: background jobs wait for `guanxi jobs run`");
    int sig = 0;
    sigwait(&set, &sig);
    log_info("signal %d: finishing in-flight requests and the running job", sig);
    jobs_stop(jobs);
    http_stop(s);
    sales_pdf_shutdown(); /* no rendering runs any more */
    DbGroupStats gs;
    db_group_stats(db, &gs);
    if (gs.units)
        log_info("database: %llu write transactions in %llu group commits, %llu checkpoints, the WAL started over %llu "
                 "times; per write transaction "
                 "(ms): waiting for the writer %.3f, holding it %.3f (CPU %.3f), ending it %.3f; per COMMIT: %.3f "
                 "(CPU %.3f, before-commit work %.3f)",
                 (unsigned long long)gs.units, (unsigned long long)gs.commits, (unsigned long long)gs.checkpoints,
                 (unsigned long long)gs.restarts,
                 gs.wait_ns / 1e6 / (double)gs.units, gs.hold_ns / 1e6 / (double)gs.units,
                 gs.hold_cpu_ns / 1e6 / (double)gs.units, gs.after_ns / 1e6 / (double)gs.units,
                 gs.commits ? gs.commit_ns / 1e6 / (double)gs.commits : 0.0,
                 gs.commits ? gs.commit_cpu_ns / 1e6 / (double)gs.commits : 0.0,
                 gs.commits ? gs.pre_ns / 1e6 / (double)gs.commits : 0.0);
    uint64_t rc_hits, rc_misses;
    size_t rc_bytes;
    row_cache_stats(&rc_hits, &rc_misses, &rc_bytes);
    if (rc_hits + rc_misses)
        log_info("list rows: %llu of %llu from remembered text, %.1f MB held", (unsigned long long)rc_hits,
                 (unsigned long long)(rc_hits + rc_misses), (double)rc_bytes / 1048576.0);
    uint64_t sk_answered, sk_builds;
    size_t sk_bytes;
    sort_keys_stats(&sk_answered, &sk_builds, &sk_bytes);
    if (sk_answered + sk_builds)
        log_info("list order: %llu searches ordered from memory, %llu builds, %.1f MB held",
                 (unsigned long long)sk_answered, (unsigned long long)sk_builds, (double)sk_bytes / 1048576.0);
    uint64_t au_hits, au_misses;
    auth_remembered_stats(&au_hits, &au_misses);
    if (au_hits + au_misses)
        log_info("sessions and tokens: %llu of %llu lookups answered from memory", (unsigned long long)au_hits,
                 (unsigned long long)(au_hits + au_misses));
    db_close(db);
    log_info("stopped");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return argc < 2 ? 2 : 0;
    }
    /* Request memory is freed at the end of every request; keep it in the
     * process instead of handing it back to the kernel each time (trimming
     * and munmap from worker threads cost TLB shoot-downs on every core —
     * ~20% of server CPU on list pages). Bounded by the largest request. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    if (!auth_init()) {
        fputs("guanxi: libsodium failed to initialise\n", stderr);
        return 1;
    }
    meta_load();
    modules_init();
    api_init();
    const char *cmd = argv[1];
    int rc;
    if (!strcmp(cmd, "user")) {
        rc = cmd_user(argc - 1, argv + 1);
    } else if (!strcmp(cmd, "jobs")) {
        rc = cmd_jobs(argc - 1, argv + 1);
    } else {
        Opts o = {0};
        if (!parse_opts(argc - 1, argv + 1, &o)) {
            usage(stderr);
            return 2;
        }
        if (!strcmp(cmd, "init"))
            rc = cmd_init(&o);
        else if (!strcmp(cmd, "serve"))
            rc = cmd_serve(&o);
        else if (!strcmp(cmd, "demo") || !strcmp(cmd, "migrate") || !strcmp(cmd, "backup"))
            rc = cmd_simple(&o, cmd);
        else {
            fprintf(stderr, "guanxi: unknown command '%s'\n", cmd);
            usage(stderr);
            rc = 2;
        }
    }
    meta_free();
    return rc;
}
