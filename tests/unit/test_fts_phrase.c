/* test_fts_phrase.c — gx_fts_phrase (src/db/sqlite.c) answers exactly what
 * the search indexes answer: for random bodies over a small alphabet that
 * mixes cases (ASCII, accented Latin, Cyrillic, Greek, full-width letters),
 * digits, CJK characters, spaces and punctuation, and random phrases (parts
 * of bodies with their case changed, and random strings), the rows
 * `x_fts MATCH '"phrase"'` finds (trigram index) are the rows
 * gx_fts_phrase(body, 0, phrase) accepts, and the same for the
 * per-character index (unicode61 over gx_cjk_split text, kind 1) with
 * phrases of one or two CJK characters and of words. A list that walks its
 * sort index tests rows with it (record.c, search_walks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"

#define NROWS 400

static const char *const alphabet[] = {"a", "A", "b", "B", "1",  "2",  "中", "国", " ",  "-", "é", "É",
                                       "д", "Д", "σ", "Σ", "ａ", "Ａ", "华", "ß",  "İ", "i", "I", "ı"};
#define NALPHA (int)(sizeof alphabet / sizeof alphabet[0])
static const char *const cjk[] = {"中", "国", "华", "有", "限"};
#define NCJK (int)(sizeof cjk / sizeof cjk[0])

static char *bodies[NROWS];
static Db *db;
static DbConn *conn;
static char path[64];
static unsigned seed = 12345;

static int rnd(int n)
{
    seed = seed * 1103515245u + 12345u;
    return (int)((seed >> 8) % (unsigned)n);
}

static char *random_text(int chars, bool with_cjk_words)
{
    char buf[512] = "";
    for (int i = 0; i < chars; i++) {
        if (with_cjk_words && rnd(3) == 0)
            strcat(buf, cjk[rnd(NCJK)]);
        else
            strcat(buf, alphabet[rnd(NALPHA)]);
    }
    return strdup(buf);
}

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/gx-test-fts-phrase-%d.db", (int)getpid());
    unlink(path);
    char *err = NULL;
    db = db_open(path, &err);
    if (!db)
        return -1;
    conn = db_thread_conn(db);
    if (db_exec_script(conn, "CREATE VIRTUAL TABLE t_fts USING fts5(body, tokenize='trigram');"
                             "CREATE VIRTUAL TABLE t_fts2 USING fts5(body, tokenize='unicode61');"))
        return -1;
    for (int i = 0; i < NROWS; i++) {
        bodies[i] = random_text(5 + rnd(30), true);
        DbVal p[] = {dbv_int(i + 1), dbv_text(bodies[i])};
        if (db_exec(conn, "INSERT INTO t_fts(rowid, body) VALUES ($1, $2)", p, 2) ||
            db_exec(conn, "INSERT INTO t_fts2(rowid, body) VALUES ($1, gx_cjk_split($2))", p, 2))
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    db_close(db);
    for (int i = 0; i < NROWS; i++)
        free(bodies[i]);
    unlink(path);
    return 0;
}

/* The rows (1..NROWS) a query's single column of ids names, as flags. */
static void rows_of(const char *sql, const char *arg, bool *out)
{
    memset(out, 0, NROWS + 1);
    DbRes *r;
    DbVal p[] = {dbv_text(arg)};
    assert_int_equal(db_query(conn, sql, p, 1, &r), DB_OK);
    int s;
    while ((s = db_next(r)) == 1) {
        int64_t id = db_int(r, 0);
        assert_true(id >= 1 && id <= NROWS);
        out[id] = true;
    }
    db_done(r);
    assert_int_equal(s, 0);
}

/* The FTS5 string for a phrase: in double quotes, quotes doubled. */
static char *fts_string(const char *phrase)
{
    char *s = malloc(strlen(phrase) * 2 + 3), *o = s;
    *o++ = '"';
    for (const char *p = phrase; *p; p++) {
        if (*p == '"')
            *o++ = '"';
        *o++ = *p;
    }
    *o++ = '"';
    *o = 0;
    return s;
}

/* Same rows from the index and from gx_fts_phrase; returns how many. */
static int check(int kind, const char *phrase)
{
    bool by_index[NROWS + 1], by_fn[NROWS + 1];
    char *fts = fts_string(phrase);
    rows_of(kind ? "SELECT rowid FROM t_fts2 WHERE t_fts2 MATCH $1" : "SELECT rowid FROM t_fts WHERE t_fts MATCH $1", fts,
            by_index);
    free(fts);
    rows_of(kind ? "SELECT id FROM t_fts2_content WHERE gx_fts_phrase(c0, 1, $1)"
                 : "SELECT id FROM t_fts_content WHERE gx_fts_phrase(c0, 0, $1)",
            phrase, by_fn);
    int n = 0;
    for (int i = 1; i <= NROWS; i++) {
        if (by_index[i] != by_fn[i])
            fail_msg("kind %d, phrase \"%s\", row %d \"%s\": the index says %d, gx_fts_phrase %d", kind, phrase, i,
                     bodies[i - 1], by_index[i], by_fn[i]);
        n += by_index[i];
    }
    return n;
}

/* Change the case of some letters (ASCII only: the rest stays as it is). */
static void recase(char *s)
{
    for (char *p = s; *p; p++)
        if (((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') && rnd(2))
            *p ^= 0x20;
}

static void test_trigram_phrases(void **state)
{
    (void)state;
    int matched = 0, phrases = 0;
    for (int i = 0; i < 300; i++) {
        char *q;
        if (i % 2) {
            /* Part of a body, three to eight characters long (by bytes, kept on character boundaries). */
            const char *b = bodies[rnd(NROWS)];
            size_t n = strlen(b), start = (size_t)rnd((int)n);
            while (start && (b[start] & 0xC0) == 0x80)
                start--;
            size_t end = start;
            for (int chars = 0; end < n && chars < 3 + rnd(6); chars++)
                do
                    end++;
                while (end < n && (b[end] & 0xC0) == 0x80);
            q = strndup(b + start, end - start);
            recase(q);
        } else {
            q = random_text(3 + rnd(2), false);
        }
        if (strlen(q) >= 3) { /* the trigram index answers three characters or more (filter.c) */
            matched += check(0, q) > 0;
            phrases++;
        }
        free(q);
    }
    assert_true(phrases > 200);
    assert_true(matched > 100); /* most phrases found rows: the comparison meant something */
}

static void test_cjk_phrases(void **state)
{
    (void)state;
    int matched = 0;
    for (int i = 0; i < NCJK; i++) {
        matched += check(1, cjk[i]) > 0;
        for (int j = 0; j < NCJK; j++) {
            char q[32];
            snprintf(q, sizeof q, "%s %s", cjk[i], cjk[j]);
            matched += check(1, q) > 0;
        }
    }
    assert_true(matched > 20);
    /* Words of the other characters, alone and as a phrase with a CJK one. */
    static const char *const words[] = {"a", "A", "1", "ab", "é", "E", "Д", "д", "a 中", "中 1", "σ"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        check(1, words[i]);
}

static void test_null_and_empty(void **state)
{
    (void)state;
    int64_t v = -1;
    bool found;
    assert_int_equal(db_query_int(conn, "SELECT gx_fts_phrase(NULL, 0, 'abc')", NULL, 0, &v, &found), DB_OK);
    assert_int_equal(v, 0);
    assert_int_equal(db_query_int(conn, "SELECT gx_fts_phrase('abc', 1, '  ')", NULL, 0, &v, &found), DB_OK);
    assert_int_equal(v, 0); /* no tokens: nothing matches, as in FTS5 */
    assert_int_equal(db_query_int(conn, "SELECT gx_fts_phrase('xABCx', 0, 'abc')", NULL, 0, &v, &found), DB_OK);
    assert_int_equal(v, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trigram_phrases),
        cmocka_unit_test(test_cjk_phrases),
        cmocka_unit_test(test_null_and_empty),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
