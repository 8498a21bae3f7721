/* countcache.c — the `total` of list pages, remembered.
 *
 * Counting the rows a list matches is most of a list request's work (up to
 * RECORD_COUNT_LIMIT index entries, against 51 rows for the page). The same
 * count is asked again and again: the next page, the same list reloaded,
 * another user of the same scope. A count is kept with the database's write
 * generation (db_write_generation) it was computed at and is used only while
 * nothing has been written since — by this process (the generation) or by
 * another one (SQLite's PRAGMA data_version, db_sync_generation) — and for
 * at most COUNT_TTL_MS. PostgreSQL cannot tell about other app servers'
 * writes this way, so totals are not remembered there. The key is the full SQL text of the count
 * with its parameters (so the user's scope, filters and search are in it),
 * compared in full, never by hash alone. Counts inside a write transaction
 * are never cached (they may see uncommitted rows). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/util.h"
#include "record.h"

/* Two ways per set: 180 reps' lists in 256 direct-mapped slots evicted one
 * another (about half of the keys shared a slot), so an administrator
 * paging through reps kept recounting. */
#define COUNT_SLOTS 1024
#define COUNT_WAYS 2
#define COUNT_TTL_MS 3000

static int64_t ttl_ms = COUNT_TTL_MS; /* tests may lengthen it */

typedef struct Slot {
    char *key;       /* malloc'd: SQL text, NUL, parameters */
    size_t len;
    uint64_t gen;    /* write generation the count was read at */
    int64_t at_ms;   /* when it was computed */
    int64_t total;
    bool capped;
} Slot;

static Slot slots[COUNT_SLOTS];
static uint64_t hits; /* for tests */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* FNV-1a over the key's bytes (it holds NULs). */
static uint32_t hash_bytes(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

/* The cache key of a count statement: text and every parameter. */
static void key_of(const Sql *q, Buf *k)
{
    buf_raw_n(k, q->text.data, q->text.len + 1);
    for (int i = 0; i < q->n; i++) {
        const DbVal *v = &q->params[i];
        if (v->type == DBV_INT) {
            buf_putc(k, 'i');
            buf_int(k, v->i);
        } else if (v->type == DBV_TEXT) {
            buf_putc(k, 't');
            buf_int(k, (int64_t)strlen(v->s));
            buf_putc(k, ':');
            buf_raw(k, v->s);
        } else {
            buf_putc(k, 'n');
        }
    }
}

/* The set of a key: COUNT_WAYS adjacent slots. */
static Slot *set_of(const Buf *k)
{
    uint32_t h = hash_bytes(k->data, k->len) % (COUNT_SLOTS / COUNT_WAYS);
    return &slots[h * COUNT_WAYS];
}

static bool same_key(const Slot *s, const Buf *k)
{
    return s->key && s->len == k->len && !memcmp(s->key, k->data, k->len);
}

bool count_cache_get(Ctx *c, const Sql *q, int64_t *total, bool *capped, uint64_t *gen)
{
    *gen = 0;
    if (db_in_tx(c->db) || !db_sync_generation(c->db))
        return false; /* uncommitted rows, or a backend that cannot see other servers' writes */
    *gen = db_write_generation(c->db);
    Buf k;
    buf_init(&k, c->arena);
    key_of(q, &k);
    Slot *set = set_of(&k);
    int64_t now = time_now_ms();
    bool hit = false;
    pthread_mutex_lock(&lock);
    for (int w = 0; w < COUNT_WAYS && !hit; w++) {
        Slot *s = &set[w];
        if (same_key(s, &k) && s->gen == *gen && now - s->at_ms < ttl_ms && now >= s->at_ms) {
            *total = s->total;
            *capped = s->capped;
            hit = true;
            hits++;
        }
    }
    pthread_mutex_unlock(&lock);
    return hit;
}

void count_cache_put(Ctx *c, const Sql *q, uint64_t gen, int64_t total, bool capped)
{
    if (db_in_tx(c->db) || !gen)
        return;
    Buf k;
    buf_init(&k, c->arena);
    key_of(q, &k);
    Slot *set = set_of(&k);
    char *copy = xmalloc(k.len);
    memcpy(copy, k.data, k.len);
    pthread_mutex_lock(&lock);
    /* The same key's slot, else an empty one, else the oldest. */
    Slot *s = NULL;
    for (int w = 0; w < COUNT_WAYS && !s; w++)
        if (same_key(&set[w], &k))
            s = &set[w];
    for (int w = 0; w < COUNT_WAYS && !s; w++)
        if (!set[w].key)
            s = &set[w];
    if (!s) {
        s = &set[0];
        for (int w = 1; w < COUNT_WAYS; w++)
            if (set[w].at_ms < s->at_ms)
                s = &set[w];
    }
    char *old = s->key;
    *s = (Slot){.key = copy, .len = k.len, .gen = gen, .at_ms = time_now_ms(), .total = total, .capped = capped};
    pthread_mutex_unlock(&lock);
    free(old);
}

void count_cache_set_ttl_ms(int64_t ms)
{
    ttl_ms = ms > 0 ? ms : COUNT_TTL_MS;
}

uint64_t count_cache_hits(void)
{
    pthread_mutex_lock(&lock);
    uint64_t n = hits;
    pthread_mutex_unlock(&lock);
    return n;
}

void count_cache_clear(void)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < COUNT_SLOTS; i++) {
        free(slots[i].key);
        slots[i].key = NULL;
    }
    pthread_mutex_unlock(&lock);
}
