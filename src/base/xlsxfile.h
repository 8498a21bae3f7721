/* xlsxfile.h — the end of every Excel download: libxlsxwriter writes a
 * workbook to a temporary file; its bytes go into the response. */
#ifndef GX_XLSXFILE_H
#define GX_XLSXFILE_H

#include <xlsxwriter.h>

#include "buf.h"
#include "ctx.h"

/* Close wb (opened on the temporary file path), append the file's bytes to
 * out and remove the file. On failure fail c (500) and return its code;
 * out may then hold part of the file, for the caller to discard. */
GxErr xlsx_finish(Ctx *c, lxw_workbook *wb, const char *path, Buf *out);

#endif
