/* embedded.c — lookup in the generated table (see tools/embed.py). */
#include "embedded.h"

#include <string.h>

const EmbeddedFile *embedded_find(const char *path)
{
    for (const EmbeddedFile *f = embedded_files; f->path; f++)
        if (!strcmp(f->path, path))
            return f;
    return NULL;
}
