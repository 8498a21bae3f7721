/* testdb.h — the temporary database of a unit test file: a directory under
 * /tmp holding one SQLite file, a system context (who == NULL) on the
 * calling thread's connection, optionally set up as a new installation
 * (setup_database, administrator password Admin12345); removed again by
 * testdb_close. */
#ifndef GX_TESTDB_H
#define GX_TESTDB_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/ctx.h"
#include "db/db.h"

typedef struct TestDb {
    char dir[64];  /* temporary directory */
    char path[96]; /* the database file in it */
    Db *db;
    Arena arena; /* the context's arena */
    Ctx c;       /* system context */
} TestDb;

/* Returns 0, or -1 after printing why (for cmocka's group set-up). tag
 * names the directory (/tmp/guanxi-test-TAG-XXXXXX). */
int testdb_open(TestDb *t, const char *tag, bool setup);

/* A department (parent 0: at the top) and a user with one role in a
 * department, made as the system context: the id, or -1. */
int64_t testdb_department(TestDb *t, const char *name, int64_t parent);
int64_t testdb_user(TestDb *t, const char *username, int64_t dept, const char *role);

/* A customer with this name and phone (owner 0: none), made as the system
 * context: the id, or -1 after printing why. */
int64_t testdb_customer(TestDb *t, const char *name, const char *phone, int64_t owner);

/* Close the database and remove its files and directory. */
void testdb_close(TestDb *t);

#endif
