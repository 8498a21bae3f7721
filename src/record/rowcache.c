/* rowcache.c — list rows as JSON text, remembered.
 *
 * A list page of 50 customers is 50 rows of ~60 columns: SQLite decoding
 * them and the record engine writing them as JSON were three quarters of
 * the page (bench/README.md, stop 18). The same rows are listed again and
 * again (the newest of a rep's customers, of a department), so their text is
 * kept here, keyed by database (db_serial), entity, id and the set of
 * fields the reader may not see, and used only for the same revision of the row: every entity table
 * has a row_rev column that a trigger raises on every UPDATE, whatever the
 * statement (the record engine, the pool's scheduler, a checkout's balance,
 * a migration), on SQLite and on PostgreSQL. A list reads (id, row_rev) of
 * its page, takes the rows whose revision is here and reads only the others
 * in full. Ids are never reused (AUTOINCREMENT, identity columns).
 *
 * Only committed rows are kept: record.c neither reads nor stores inside a
 * write transaction (a revision seen there may be rolled back and reused by
 * another writer for other values). Least recently used texts go first
 * once the budget (GUANXI_ROW_CACHE_MB, default 16; 0 switches the cache
 * off) is used. One mutex: a page takes it twice. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "record.h"

#define NBUCKETS 65536 /* a power of two */
#define MAX_MASKS 256
#define DEFAULT_MB 16

typedef struct Entry {
    struct Entry *next;             /* in the bucket */
    struct Entry *newer, *older;    /* in the recency list */
    uint64_t db; /* db_serial */
    const Entity *e;
    int64_t id, rev;
    int mask;
    size_t len;
    char text[];
} Entry;

typedef struct Mask {
    const Entity *e;
    bool *hidden; /* e->nfields flags */
} Mask;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Entry **buckets;
static Entry *newest, *oldest;
static size_t used, budget;
static bool configured;
static uint64_t hits, misses;
static Mask masks[MAX_MASKS];
static int nmasks;

/* Under lock: read the budget once. */
static void configure(void)
{
    if (configured)
        return;
    configured = true;
    budget = env_megabytes("GUANXI_ROW_CACHE_MB", DEFAULT_MB);
}

static size_t cost(const Entry *x) { return sizeof *x + x->len + 1 + 16; /* malloc's own */ }

static size_t bucket_of(uint64_t db, const Entity *e, int64_t id, int mask)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)e ^ ((uint64_t)mask << 40) ^ (db << 52);
    h ^= h >> 29;
    return (size_t)(h & (NBUCKETS - 1));
}

static Entry **find(uint64_t db, const Entity *e, int64_t id, int mask)
{
    Entry **p = &buckets[bucket_of(db, e, id, mask)];
    while (*p && !((*p)->id == id && (*p)->e == e && (*p)->mask == mask && (*p)->db == db))
        p = &(*p)->next;
    return p;
}

static void unlink_recency(Entry *x)
{
    if (x->newer)
        x->newer->older = x->older;
    else
        newest = x->older;
    if (x->older)
        x->older->newer = x->newer;
    else
        oldest = x->newer;
    x->newer = x->older = NULL;
}

static void link_newest(Entry *x)
{
    x->older = newest;
    x->newer = NULL;
    if (newest)
        newest->newer = x;
    newest = x;
    if (!oldest)
        oldest = x;
}

/* Under lock: take *p out and free it. */
static void drop(Entry **p)
{
    Entry *x = *p;
    *p = x->next;
    unlink_recency(x);
    used -= cost(x);
    free(x);
}

bool row_cache_on(void)
{
    pthread_mutex_lock(&lock);
    configure();
    bool on = budget > 0;
    pthread_mutex_unlock(&lock);
    return on;
}

int row_cache_mask(const Entity *e, const bool *hidden)
{
    size_t n = (size_t)e->nfields;
    int found = -1;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < nmasks && found < 0; i++)
        if (masks[i].e == e && !memcmp(masks[i].hidden, hidden, n * sizeof *hidden))
            found = i;
    if (found < 0 && nmasks < MAX_MASKS) {
        bool *copy = malloc(n * sizeof *copy + 1);
        if (copy) {
            memcpy(copy, hidden, n * sizeof *copy);
            masks[nmasks] = (Mask){e, copy};
            found = nmasks++;
        }
    }
    pthread_mutex_unlock(&lock);
    return found;
}

size_t row_cache_get(Arena *a, uint64_t db, const Entity *e, int mask, const RowRef *rows, size_t n, Buf *texts)
{
    size_t got = 0;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n && buckets; i++) {
        Entry **p = find(db, e, rows[i].id, mask);
        if (!*p)
            continue;
        if ((*p)->rev != rows[i].rev) {
            drop(p); /* an older revision: never asked for again */
            continue;
        }
        Entry *x = *p;
        unlink_recency(x);
        link_newest(x);
        buf_init(&texts[i], a);
        buf_raw_n(&texts[i], x->text, x->len);
        got++;
    }
    hits += got;
    misses += n - got;
    pthread_mutex_unlock(&lock);
    return got;
}

bool row_cache_join(Arena *a, uint64_t db, const Entity *e, int mask, const RowRef *rows, size_t n, Buf *out)
{
    Entry **found = arena_alloc(a, (n ? n : 1) * sizeof *found);
    bool all = true;
    size_t bytes = 0;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n && all; i++) {
        Entry *x = buckets ? *find(db, e, rows[i].id, mask) : NULL;
        all = x && x->rev == rows[i].rev;
        if (all) {
            found[i] = x;
            bytes += x->len + 1;
        }
    }
    if (all) {
        buf_reserve(out, bytes);
        for (size_t i = 0; i < n; i++) {
            Entry *x = found[i];
            unlink_recency(x);
            link_newest(x);
            if (i)
                buf_putc(out, ',');
            buf_raw_n(out, x->text, x->len);
        }
        hits += n;
    }
    pthread_mutex_unlock(&lock);
    return all;
}

void row_cache_put(uint64_t db, const Entity *e, int mask, int64_t id, int64_t rev, const char *text, size_t len)
{
    Entry *x = malloc(sizeof *x + len + 1);
    if (!x)
        return; /* a cache: nothing lost */
    *x = (Entry){.db = db, .e = e, .id = id, .rev = rev, .mask = mask, .len = len};
    memcpy(x->text, text, len);
    x->text[len] = 0;
    pthread_mutex_lock(&lock);
    configure();
    if (!buckets)
        buckets = calloc(NBUCKETS, sizeof *buckets);
    if (!buckets || cost(x) > budget) {
        pthread_mutex_unlock(&lock);
        free(x);
        return;
    }
    Entry **p = find(db, e, id, mask);
    if (*p)
        drop(p);
    while (used + cost(x) > budget && oldest)
        drop(find(oldest->db, oldest->e, oldest->id, oldest->mask));
    size_t b = bucket_of(db, e, id, mask);
    x->next = buckets[b];
    buckets[b] = x;
    link_newest(x);
    used += cost(x);
    pthread_mutex_unlock(&lock);
}

void row_cache_stats(uint64_t *hit, uint64_t *miss, size_t *bytes)
{
    pthread_mutex_lock(&lock);
    if (hit)
        *hit = hits;
    if (miss)
        *miss = misses;
    if (bytes)
        *bytes = used;
    pthread_mutex_unlock(&lock);
}

void row_cache_set_budget(size_t bytes)
{
    pthread_mutex_lock(&lock);
    configured = true;
    budget = bytes;
    while (used > budget && oldest)
        drop(find(oldest->db, oldest->e, oldest->id, oldest->mask));
    pthread_mutex_unlock(&lock);
}

void row_cache_clear(void)
{
    pthread_mutex_lock(&lock);
    while (oldest)
        drop(find(oldest->db, oldest->e, oldest->id, oldest->mask));
    free(buckets);
    buckets = NULL;
    for (int i = 0; i < nmasks; i++)
        free(masks[i].hidden);
    nmasks = 0;
    hits = misses = 0;
    pthread_mutex_unlock(&lock);
}
