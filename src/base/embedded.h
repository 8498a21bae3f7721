/* embedded.h — files compiled into the binary (schema, web assets, translations). */
#ifndef GX_EMBEDDED_H
#define GX_EMBEDDED_H

#include <stddef.h>

typedef struct EmbeddedFile {
    const char *path;          /* relative to the source tree, e.g. "schema/customers.json" */
    const unsigned char *data; /* bytes, followed by a NUL */
    size_t len;                /* length without the NUL */
    const char *hash;          /* first 12 hex digits of SHA-256, for cache-busting URLs */
} EmbeddedFile;

/* Terminated by an entry whose path is NULL. */
extern const EmbeddedFile embedded_files[];

/* Look a file up by path; NULL if absent. */
const EmbeddedFile *embedded_find(const char *path);

#endif
