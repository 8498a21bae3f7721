/* modules.h — business modules hooked into the record engine. */
#ifndef GX_MODULES_H
#define GX_MODULES_H

#include "../base/ctx.h"
#include "../base/buf.h"
#include "../meta/meta.h"

/* Register every module's hooks and actions (once, before serving). */
void modules_init(void);

/* Create the schema (migrations) and, on an empty database, the built-in
 * roles, the head-office department and the administrator `admin` with
 * admin_password (or a generated one, returned in *generated). */
GxErr setup_database(Ctx *c, const char *admin_password, char **generated);

/* Create a user (system context) with the given roles by code. */
GxErr setup_user(Ctx *c, const char *username, const char *name, const char *password, int64_t department_id,
                 const char *const *role_codes, int64_t *id);

/* Id of a role by its code, 0 if none. */
int64_t setup_role_id(Ctx *c, const char *code);

/* Hand over every live record owned by `from` (or those of the listed
 * entities) to `to`; *counts gets {entity: moved}. Administrators only. */
GxErr handover_run(Ctx *c, int64_t from, int64_t to, json_t *entities, json_t **counts);

/* Supervision (批示): add a comment to an activity the acting user may read
 * and notify the activity's owner. *out is the stored comment. */
GxErr supervision_comment(Ctx *c, int64_t activity_id, const char *body, json_t **out);

/* The comments (批示) on record id of e, oldest first. Visibility follows the
 * record: unless the caller has just read it under the user's scope
 * (record_checked), it is read first (GX_ENOTFOUND when out of scope). */
GxErr supervision_comments(Ctx *c, const Entity *e, int64_t id, bool record_checked, json_t **rows);

/* Pick lists (picklists.c): the migration-3 data step that seeds customer
 * types, sources, industries and regions and converts the old enum columns
 * of customers into links to them. Runs inside the migration's transaction. */
GxErr picklists_migrate(Ctx *c, bool fresh);

/* Id of the live row of a pick-list entity ("customer_types" …) whose code
 * (or, failing that, name) is code; 0 if none. System use (no scope check). */
int64_t picklist_id(Ctx *c, const char *entity, const char *code);

/* Convert a lead the user may edit (leads.c) into a customer (a new one, or
 * customer_id when non-zero), a contact and, if create_opportunity, an
 * opportunity, in one transaction; the records belong to the lead's owner.
 * *out is {"lead_id", "customer_id", "contact_id", "opportunity_id"}.
 * GX_ENOTFOUND outside the user's scope, GX_ECONFLICT if already converted,
 * GX_EDENIED without the create permissions, GX_EINVALID for a customer_id
 * the user cannot see. */
GxErr leads_convert(Ctx *c, int64_t lead_id, bool create_opportunity, int64_t customer_id, json_t **out);

/* Convert each listed lead independently (one transaction each): *out is
 * {"data": [result or {"lead_id", "error"}], "converted": n, "failed": n}.
 * GX_EINVALID when ids is not a list of 1..500 ids. */
GxErr leads_convert_many(Ctx *c, json_t *ids, bool create_opportunity, json_t **out);
/* Global search (search.c): is e one of the entities it covers (customers,
 * contacts, leads)? */
/* Write the duplicate keys of every stored record (the data step of
 * migration 3; bench databases, loaded without hooks). */
GxErr dupes_fill(Ctx *c);

bool search_indexed(const Entity *e);

/* Write the global-search rows of the given records of e (an import's batch,
 * see record_bulk); fresh: created records, which have none yet. */
GxErr search_index_rows(Ctx *c, const Entity *e, const int64_t *ids, int n, bool fresh);

/* For loaders that hold a record's values (the bench generator): the names
 * of the fields of e that feed its global-search rows, in the order
 * search_row_write takes their values (at most cap; -1 if more). */
int search_row_fields(const Entity *e, const char **names, int cap);
/* Write the global-search rows of a new record id of e (SQLite) from its
 * values, vals[i] the text of search_row_fields' i-th field (NULL: none),
 * and its owner, department and pool (0: none) — the rows search_fill
 * would write after reading the record back. */
GxErr search_row_write(Ctx *c, const Entity *e, int64_t id, int64_t owner, int64_t dept, int64_t pool,
                       const char *const *vals);

/* Append to out up to limit records of e matching q that the user may read,
 * newest first, as {entity, id, title, subtitle}: q is a name part (one
 * Chinese character or more), pinyin initials (2+ letters), part of a phone
 * number (3+ digits, spaces, dashes, +86 or a trunk 0 allowed), an e-mail
 * or number part (3+ characters). Hidden fields are neither matched nor
 * shown. Entities outside search or without read access add nothing. */
GxErr search_entity(Ctx *c, const Entity *e, const char *q, int limit, json_t *out);
/* How many of the newest matches a department tree's search tests one by
 * one before asking FTS5 with the tree's keys (tests; 0: the default). */
void search_set_tree_probe(int n);

/* Fill the global search tables from every row of the indexed entities
 * (SQLite; the data step of migration 5, and bench/gen.c after its plain
 * INSERTs). The tables must exist and be empty. */
GxErr search_fill(Ctx *c);

/* search_entity over customers, contacts and leads: *out is a new array.
 * q is trimmed; empty, invalid UTF-8 or over 100 characters: GX_EBADREQ. */
GxErr search_global(Ctx *c, const char *q, int limit, json_t **out);

/* Enum pick lists with administrator-edited labels (enum_labels.c). */
typedef struct EnumLabel {
    const char *value; /* stored code (from the schema) */
    const char *label; /* label in the requested language, edits applied */
    int64_t sort;      /* display order */
    bool active;       /* offered for new input */
    int index;         /* position in the schema (tie-break) */
} EnumLabel;

/* Register the migration step that creates the enum_labels table. */
void enum_labels_module_init(void);

/* May administrators edit the options of enum field f of e? */
bool enum_labels_editable(const Entity *e, const Field *f);

/* The editable enum fields (up to max); returns the count. */
int enum_labels_fields(const Entity **es, const Field **fs, int max);

/* The label of value of enum field f in lang ("zh"/"en"), an
 * administrator's edit if there is one; NULL if value is not an option.
 * Arena memory. */
const char *enum_labels_label(Ctx *c, const Field *f, const char *value, const char *lang);

/* Every option of enum field f, in display order, with labels in lang;
 * *out is arena memory. Returns the count. */
int enum_labels_options(Ctx *c, const Field *f, const char *lang, EnumLabel **out);

/* Store an administrator's edits: rows is {value: {"zh", "en", "sort",
 * "active"}} for some or all options. Administrators only (GX_EDENIED);
 * GX_EINVALID naming the option for bad labels or unknown values, and then
 * nothing is written. Audited; every process sees it within a second. */
GxErr enum_labels_save(Ctx *c, const Entity *e, const Field *f, json_t *rows);

/* Drop the cached edits (tests, shutdown). */
void enum_labels_free(void);

/* Demo data (demo.c): departments, users and `customers` customers with
 * contacts and activities, through the record engine. */
GxErr demo_fill(Ctx *c, int customers);

/* --- duplicates (dupes.c) --- */

/* Normalised keys (arena strings, NULL when the value gives no key): a
 * company or person name without company-form suffixes (有限公司, 集团, Ltd
 * …), bracketed parts, full-width forms, spaces, punctuation and case; the
 * digits of a phone (China's +86/0086 dropped, trunk 0 kept, extension
 * dropped); a lower-case e-mail; an upper-case credit code. */
char *dupes_name_key(Arena *a, const char *name);
char *dupes_phone_key(Arena *a, const char *phone);
char *dupes_email_key(Arena *a, const char *email);
char *dupes_code_key(Arena *a, const char *code);

/* Is e checked for duplicates (customers, contacts, leads)? */
bool dupes_supported(const Entity *e);

/* Live records of e sharing a key with probe ({name, phone, mobile, email,
 * credit_code} as text), except exclude_id: *out is an array of {visible,
 * owner_name, match: [kinds], and when visible: id, title, owner_id}.
 * Records outside the user's read scope show only that they exist and
 * who owns them. */
GxErr dupes_find(Ctx *c, const Entity *e, json_t *probe, int64_t exclude_id, json_t **out);

/* Rewrite the keys of record id from its values rec (fresh: none stored yet). */
GxErr dupes_keys_write(Ctx *c, const Entity *e, int64_t id, json_t *rec, bool fresh);
/* The keys of n records just created (recs[i] as stored, NULL skipped), a
 * few per INSERT: the importer's, whose creates leave them out
 * (record_bulk). */
GxErr dupes_keys_write_many(Ctx *c, const Entity *e, const int64_t *ids, json_t **recs, int n);

/* --- merge (merge.c) --- */

/* The values `into` takes from `from`: {field: value} for each field empty
 * in into and set in from, or differing where choices ({field: "from" |
 * "into"}) picks from. Bad choices are field errors (422). */
GxErr merge_plan(Ctx *c, const Entity *e, json_t *into, json_t *from, json_t *choices, json_t **patch);

/* Merge record from_id into into_id (see merge.c). *out is {record, moved:
 * {entity: [ids]}, trashed}. Same record → 422; either out of the user's
 * scope → 404; not editable → 403. One transaction. */
GxErr merge_records(Ctx *c, const Entity *e, int64_t into_id, int64_t from_id, json_t *choices, json_t **out);

/* --- import (import.c) --- */

#define IMPORT_MAX_ROWS 200000

typedef struct ImportOptions {
    const char *format;       /* "csv" (default) or "vcf" */
    const char *encoding;     /* "auto" (default), "utf-8" or "gb18030" */
    char delimiter;           /* ',' or '\t'; 0 = guess */
    const char *on_duplicate; /* "skip" (default), "update" or "create" */
    bool partial;             /* import the valid rows even if some fail */
    bool dry_run;             /* validate and report only (preview) */
    json_t *mapping;          /* {header: field name or "" to ignore}, or NULL to map by name/label (borrowed) */
    const char *filename;     /* shown in the import list */
    bool rowwise;             /* look duplicates up row by row (one query per key and row) and create
                               * records one by one (record_create), as imports did before the lookups
                               * and creates per chunk; for comparison tests and benchmarks */
    bool single;              /* create records one by one (record_create), lookups per chunk: an import
                               * starting over after a row failed while its batch was written */
} ImportOptions;

/* Decode a file's bytes to UTF-8 (BOM dropped; encoding "auto" tries UTF-8
 * then GB18030). *used names the encoding found. */
GxErr import_decode(Ctx *c, const char *data, size_t len, const char *encoding, const char **text, size_t *tlen,
                    const char **used);

/* Parse CSV (delimiter guessed) or, with format "vcf", vCards (as the
 * table name, mobile, phone, email, title, birthday, notes) into an array
 * of rows, each an array of cell strings (tests, previews). */
GxErr import_parse(Ctx *c, const char *text, size_t len, const char *format, json_t **rows);

/* Import data into e (see import.c). *report (also on a 422 about the file
 * or rows) is {rows, created, updated, skipped, failed, errors: [{row, field,
 * message}], columns: [{header, field}], preview, committed, import_id}. */
GxErr import_run(Ctx *c, const Entity *e, const char *data, size_t len, const ImportOptions *o, json_t **report);

/* One import batch of the user (administrators: any); 404 otherwise. */
GxErr import_get(Ctx *c, int64_t id, json_t **out);

/* The user's latest imports (administrators: everyone's), newest first. */
GxErr import_list(Ctx *c, json_t **out);

/* Undo a whole import: created records go to the trash, updated ones get
 * their previous values back. Twice → 409. *out is the batch afterwards. */
GxErr import_undo(Ctx *c, int64_t id, json_t **out);

/* --- vCard (vcard.c) --- */

/* Append contact rec as a vCard of version 3 or 4 to b (CRLF lines folded
 * at 75 octets, values escaped). */
void vcard_write(Buf *b, const Entity *e, json_t *rec, int version);

#endif
