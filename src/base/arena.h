/* arena.h — region allocator: everything a request allocates is freed at once.
 *
 * An Arena hands out memory from large blocks and frees all of it in
 * arena_free(). Allocation never fails: out of memory aborts the process
 * (STYLE: "Out-of-memory aborts"). Arenas are not thread-safe; each request
 * owns one. */
#ifndef GX_ARENA_H
#define GX_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;

typedef struct Arena {
    ArenaBlock *head;  /* newest block first; NULL before the first allocation */
    size_t block_size; /* size of ordinary blocks, default 16 KiB */
    size_t total;      /* bytes obtained from malloc, for diagnostics */
} Arena;

/* Initialise an empty arena (no memory is taken until the first allocation). */
void arena_init(Arena *a);

/* Free every block; the arena may be reused afterwards. */
void arena_free(Arena *a);

/* Allocate n bytes aligned to 16, zero-filled. Never returns NULL. */
void *arena_alloc(Arena *a, size_t n);

/* Allocate count*size bytes with overflow check, zero-filled. */
void *arena_calloc(Arena *a, size_t count, size_t size);

/* Grow an allocation of old_n bytes to new_n: the first old_n bytes are
 * kept, the rest zero-filled; in place when p is the latest allocation. */
void *arena_realloc(Arena *a, void *p, size_t old_n, size_t new_n);

/* Grow an allocation of old_size bytes to new_size, keeping only its first
 * `keep` bytes and leaving the rest uninitialised (for growing buffers): in
 * place when p is the latest allocation and there is room, else a copy. */
void *arena_grow(Arena *a, void *p, size_t old_size, size_t keep, size_t new_size);

/* Copy a NUL-terminated string (NULL stays NULL). */
char *arena_strdup(Arena *a, const char *s);

/* Copy n bytes of s and NUL-terminate. */
char *arena_strndup(Arena *a, const char *s, size_t n);

/* printf into the arena. */
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(Arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Abort with a message: used for out-of-memory and broken invariants. */
void gx_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* malloc/strdup that abort on failure, for long-lived objects. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
