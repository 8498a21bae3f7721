/* testdb.c — see testdb.h. */
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/modules.h"
#include "record/record.h"

int testdb_open(TestDb *t, const char *tag, bool setup)
{
    memset(t, 0, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "/tmp/guanxi-test-%s-XXXXXX", tag);
    if (!mkdtemp(t->dir)) {
        perror("mkdtemp");
        return -1;
    }
    snprintf(t->path, sizeof t->path, "%s/%s.db", t->dir, tag);
    char *err = NULL;
    t->db = db_open(t->path, &err);
    if (!t->db) {
        fprintf(stderr, "db_open %s: %s\n", t->path, err ? err : "?");
        free(err);
        return -1;
    }
    arena_init(&t->arena);
    ctx_init(&t->c, &t->arena, db_thread_conn(t->db));
    if (setup && setup_database(&t->c, "Admin12345", NULL) != GX_OK) {
        fprintf(stderr, "setup_database: %s\n", t->c.err_msg ? t->c.err_msg : "?");
        return -1;
    }
    return 0;
}

int64_t testdb_department(TestDb *t, const char *name, int64_t parent)
{
    json_t *in = json_pack("{s:s}", "name", name), *out = NULL;
    if (parent)
        json_object_set_new(in, "parent_id", json_integer(parent));
    GxErr rc = record_create(&t->c, meta_entity("departments"), in, &out);
    json_decref(in);
    int64_t id = rc == GX_OK ? json_integer_value(json_object_get(out, "id")) : -1;
    json_decref(out);
    return id;
}

int64_t testdb_user(TestDb *t, const char *username, int64_t dept, const char *role)
{
    const char *roles[] = {role, NULL};
    int64_t id = -1;
    if (setup_user(&t->c, username, username, "Passw0rd-test", dept, roles, &id) != GX_OK)
        return -1;
    return id;
}

int64_t testdb_customer(TestDb *t, const char *name, const char *phone, int64_t owner)
{
    json_t *in = json_pack("{s:s, s:s}", "name", name, "phone", phone), *out = NULL;
    if (owner)
        json_object_set_new(in, "owner_id", json_integer(owner));
    GxErr rc = record_create(&t->c, meta_entity("customers"), in, &out);
    json_decref(in);
    int64_t id = rc == GX_OK ? json_integer_value(json_object_get(out, "id")) : -1;
    if (rc != GX_OK)
        fprintf(stderr, "create: %s\n", t->c.err_msg ? t->c.err_msg : "?");
    json_decref(out);
    return id;
}

void testdb_close(TestDb *t)
{
    if (t->db) {
        ctx_done(&t->c);
        arena_free(&t->arena);
        db_close(t->db);
        t->db = NULL;
    }
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s%s", t->path, suffixes[i]);
        unlink(p);
    }
    if (t->dir[0])
        rmdir(t->dir);
}
