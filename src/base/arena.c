/* arena.c — see arena.h. */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ArenaBlock {
    ArenaBlock *next; /* older block */
    size_t size;      /* usable bytes in data[] */
    size_t used;      /* bytes handed out */
    _Alignas(16) unsigned char data[];
};

void gx_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("guanxi: fatal: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        gx_die("out of memory (%zu bytes)", n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        gx_die("out of memory (%zu x %zu bytes)", count, size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        gx_die("out of memory (%zu bytes)", n);
    return q;
}

char *xstrdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = xmalloc(n);
    memcpy(d, s, n);
    return d;
}

void arena_init(Arena *a)
{
    a->head = NULL;
    a->block_size = 16 * 1024;
    a->total = 0;
}

void arena_free(Arena *a)
{
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}

/* n bytes, 16-aligned, not zeroed. */
static void *alloc_raw(Arena *a, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    if (need < n)
        gx_die("arena allocation overflow");
    ArenaBlock *b = a->head;
    if (!b || b->size - b->used < need) {
        size_t bs = a->block_size ? a->block_size : 16 * 1024;
        /* Big requests get a block of their own, placed behind the current one
         * so the current block keeps serving small requests. */
        size_t size = need > bs / 4 ? need : bs;
        ArenaBlock *nb = xmalloc(sizeof *nb + size);
        nb->size = size;
        nb->used = 0;
        a->total += sizeof *nb + size;
        if (size != bs && b) {
            nb->next = b->next;
            b->next = nb;
            nb->used = need;
            return nb->data;
        }
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    return p;
}

void *arena_alloc(Arena *a, size_t n)
{
    void *p = alloc_raw(a, n);
    memset(p, 0, n);
    return p;
}

void *arena_grow(Arena *a, void *p, size_t old_size, size_t keep, size_t new_size)
{
    if (new_size <= old_size)
        return p;
    ArenaBlock *b = a->head;
    size_t old_need = (old_size + 15) & ~(size_t)15, new_need = (new_size + 15) & ~(size_t)15;
    uintptr_t at = (uintptr_t)p, start = b ? (uintptr_t)b->data : 0;
    if (p && b && new_need >= new_size && at >= start && at + old_need == start + b->used &&
        b->size - (at - start) >= new_need) {
        /* the latest allocation of the current block: grow it in place */
        b->used = (size_t)(at - start) + new_need;
        return p;
    }
    void *q = alloc_raw(a, new_size);
    if (p && keep)
        memcpy(q, p, keep < old_size ? keep : old_size);
    return q;
}

void *arena_calloc(Arena *a, size_t count, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(count, size, &n))
        gx_die("arena_calloc overflow");
    return arena_alloc(a, n);
}

void *arena_realloc(Arena *a, void *p, size_t old_n, size_t new_n)
{
    if (new_n <= old_n)
        return p;
    unsigned char *q = arena_grow(a, p, old_n, old_n, new_n);
    memset(q + old_n, 0, new_n - old_n);
    return q;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *d = alloc_raw(a, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *arena_strdup(Arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_vprintf(Arena *a, const char *fmt, va_list ap)
{
    /* Most results are short: format on the stack first, copy once. */
    char tmp[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        gx_die("arena_vprintf: bad format");
    if ((size_t)n < sizeof tmp)
        return arena_strndup(a, tmp, (size_t)n);
    char *s = arena_alloc(a, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return s;
}
