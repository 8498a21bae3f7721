/* xlsxfile.c — see xlsxfile.h. */
#include "xlsxfile.h"

#include <stdio.h>
#include <unistd.h>

GxErr xlsx_finish(Ctx *c, lxw_workbook *wb, const char *path, Buf *out)
{
    lxw_error xe = workbook_close(wb);
    GxErr rc = GX_OK;
    if (xe != LXW_NO_ERROR) {
        rc = ctx_fail(c, GX_EINTERNAL, "cannot write the workbook: %s", lxw_strerror(xe));
    } else {
        FILE *f = fopen(path, "rb");
        if (!f) {
            rc = ctx_fail(c, GX_EINTERNAL, "cannot read the workbook");
        } else {
            char chunk[65536];
            size_t n;
            while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
                buf_raw_n(out, chunk, n);
            if (ferror(f))
                rc = ctx_fail(c, GX_EINTERNAL, "cannot read the workbook");
            fclose(f);
        }
    }
    unlink(path);
    return rc;
}
