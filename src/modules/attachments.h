/* attachments.h — files attached to records (附件): a product's brochures,
 * a contract's scans, a customer's business licence …
 *
 * A file belongs to one parent record (entity + id) of any non-system
 * entity and is stored in the database (table attachments for its facts,
 * attachment_contents for the bytes: BLOB on SQLite, bytea on PostgreSQL),
 * so every app server on one PostgreSQL serves the same files and a backup
 * of the database holds them.
 *
 * Access is the parent's, through the one ACL: whoever may read the parent
 * may list and download its files; whoever may edit it may upload and
 * delete. A parent outside the user's read scope (or deleted) is a 404, as
 * is an attachment of such a parent; a parent the user reads but may not
 * edit refuses uploads and deletes with 403.
 *
 * Limits: ATTACHMENT_MAX_BYTES per file (413 with the limit in the message,
 * nothing stored). The type stored and served is derived from the file
 * name's extension (attachment_type): a short list of known document and
 * image types, everything else application/octet-stream. Downloads are
 * always served as attachments (Content-Disposition: attachment), except
 * images, PDF and plain text when asked for inline — never HTML, SVG or
 * script, which the list does not know. Upload and delete write an audit row
 * on the parent (actions attachment_upload, attachment_delete). */
#ifndef GX_ATTACHMENTS_H
#define GX_ATTACHMENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../acl/acl.h"
#include "../base/ctx.h"
#include "../db/db.h"
#include "../meta/meta.h"

/* Largest file accepted (20 MiB). */
#define ATTACHMENT_MAX_BYTES ((size_t)20 << 20)
/* Files per upload request. */
#define ATTACHMENT_MAX_PER_UPLOAD 10
/* Longest stored file name, in bytes of UTF-8. */
#define ATTACHMENT_NAME_MAX 200

/* One file to store. */
typedef struct AttachmentIn {
    const char *name; /* file name as sent (may hold a path; UTF-8 checked) */
    const char *data; /* content */
    size_t len;       /* its length */
} AttachmentIn;

/* Register the migration-5 step that creates the tables. */
void attachments_module_init(void);

/* May entity e have attachments (a non-system entity)? */
bool attachments_allowed(const Entity *e);

/* Check the acting user's access to parent record id of e for action
 * ACT_READ or ACT_EDIT: GX_OK, GX_ENOTFOUND (unknown, deleted or outside the
 * read scope), GX_EDENIED (readable, not editable). */
GxErr attachments_parent_access(Ctx *c, const Entity *e, int64_t id, Action action);

/* Store n files (1..ATTACHMENT_MAX_PER_UPLOAD) on parent id of e in one
 * transaction: all or nothing. *out (new reference) is the list of stored
 * attachments as attachment JSON (see attachments_list). Errors: access as
 * above; GX_ETOOLARGE (err_code "file_too_large") for a file over the
 * limit; GX_EINVALID for an empty file, no file or a name that is not
 * UTF-8. */
GxErr attachments_store(Ctx *c, const Entity *e, int64_t id, const AttachmentIn *files, int n, json_t **out);

/* The attachments of parent id of e, newest first, as {"data": [{id,
 * parent_type, parent_id, name, mime_type, size, sha256, created_by,
 * created_by_name, created_at, url}]}. Needs read access to the parent. */
GxErr attachments_list(Ctx *c, const Entity *e, int64_t id, json_t **out);

/* One attachment's facts (as in the list), after checking read access to
 * its parent. */
GxErr attachments_get(Ctx *c, int64_t attachment_id, json_t **out);

/* One attachment's facts for a download (strings in the arena of c),
 * after checking read access to its parent. The bytes are not loaded:
 * attachments_read hands them out piece by piece while the response goes
 * out (a 20 MiB file held whole took 20 MiB several times over: ~60 MiB on
 * SQLite, ~100 MiB on PostgreSQL with its hex text). */
typedef struct AttachmentFile {
    const char *name;      /* stored file name */
    const char *mime_type; /* stored type */
    const char *sha256;    /* hex digest */
    uint64_t size;         /* length in bytes */
} AttachmentFile;
GxErr attachments_content(Ctx *c, int64_t attachment_id, AttachmentFile *f);

/* Up to n bytes of attachment id's content from offset into buf; *got is
 * how many (0 at or past the end). No access check: for the download whose
 * access attachments_content checked, on its thread's connection db after
 * the handler has returned. False when the content is gone or unreadable. */
bool attachments_read(DbConn *db, int64_t attachment_id, uint64_t offset, void *buf, size_t n, size_t *got);

/* Delete an attachment (edit access to its parent), with an audit row. */
GxErr attachments_delete(Ctx *c, int64_t attachment_id);

/* Move the files of record from of e to record into (a merge), inside the
 * caller's transaction: per file an audit row merge_move (entity
 * "attachments", the attachment's id, diff {parent_id: [from, into],
 * parent_type, name}, like every record a merge moves) and a line in both
 * records' history; the moved ids are appended to ids. No access check:
 * the merge has checked edit access to both records. */
GxErr attachments_move(Ctx *c, const Entity *e, int64_t from, int64_t into, json_t *ids);

/* The type served for a file name (by extension) and whether it is safe to
 * show inline (images, PDF, plain text). */
const char *attachment_type(const char *name, bool *inline_ok);

/* Clean a file name: no directories, no control characters, at most
 * ATTACHMENT_NAME_MAX bytes (cut on a character boundary), "file" when
 * nothing is left. NULL when name is not valid UTF-8. Arena of c. */
const char *attachment_clean_name(Ctx *c, const char *name);

/* The Content-Disposition value for name: an ASCII fallback in filename=
 * and the exact UTF-8 name in filename*= (RFC 6266 / RFC 5987). */
const char *attachment_disposition(Ctx *c, const char *name, bool inline_view);

#endif
