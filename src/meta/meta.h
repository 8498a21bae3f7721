/* meta.h — entity and field metadata: the data that drives the record engine.
 *
 * Built-in entities are JSON files in schema/ embedded into the binary and
 * loaded once at start-up by meta_load(); after that the metadata is read-only
 * and shared by all threads. */
#ifndef GX_META_H
#define GX_META_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../base/ctx.h"
#include "../db/db.h"

typedef enum FieldType {
    FT_STRING, FT_TEXT, FT_INT, FT_DECIMAL, FT_MONEY, FT_PERCENT, FT_BOOL, FT_DATE,
    FT_DATETIME, FT_ENUM, FT_MULTI_ENUM, FT_LINK, FT_LINK_MULTIPLE, FT_PARENT, FT_EMAIL,
    FT_PHONE, FT_URL, FT_ADDRESS, FT_FILE, FT_AUTO_NUMBER, FT_FORMULA, FT_JSON,
    FT__COUNT
} FieldType;

/* A bilingual label. */
typedef struct Label {
    const char *zh; /* Chinese */
    const char *en; /* English */
} Label;

typedef struct EnumOption {
    const char *value; /* stored value, stable */
    Label label;       /* shown */
    int64_t number;    /* optional number tied to the option (e.g. win probability), 0 if none */
} EnumOption;

typedef struct Field {
    const char *name;      /* API name; also the column (parent: name_type, name_id) */
    const char *json_key;  /* ,"name": — written before the value in streamed JSON */
    size_t json_key_len;
    FieldType type;
    Label label;
    const char *help;      /* optional description */
    int since;             /* migration number that adds the column (or renames it, with rename_from) */
    const char *rename_from; /* column name before migration `since` (created with the table) */
    bool required;         /* must be present and non-empty on create */
    bool unique;           /* unique index (among all rows) */
    bool readonly;         /* cannot be written through the API (system, computed) */
    bool hidden;           /* replaced by another field: the column keeps old data, nobody reads or writes it */
    const char *replaced_by; /* hidden: the field that replaced it (named in the error when it is written) */
    bool write_only;       /* accepted on write, never returned (passwords) */
    bool key;              /* changes recorded in the revision history */
    bool search;           /* part of the text-search index */
    bool sortable;         /* may be used in sort= */
    bool filterable;       /* may be used in filters (default true) */
    bool indexed;          /* ordinary index */
    bool list;             /* shown in list pages by default */
    bool board;            /* enum, or link to a settings list, usable as a kanban board */
    const char *board_ask; /* board: a field the board asks for when a card moves to a column matching board_when */
    json_t *board_when;    /* board_ask: {target field: [values]} of the column's record (link boards) */
    bool calendar;         /* date/datetime usable as a calendar */
    bool has_min, has_max; /* numeric bounds present */
    int64_t min, max;      /* bounds (in stored units: minor units, scaled ints) */
    int64_t max_length;    /* characters; 0 = type default */
    int scale;             /* decimal places for decimal/percent */
    const char *target;    /* link/link_multiple: entity name */
    const char *pattern;   /* auto_number pattern, e.g. "SO-{YYYY}-{000000}" */
    const char *formula;   /* formula: SQL expression over this entity's columns (trusted, built-in only) */
    const char *dict;      /* enum: name of a dictionary in the db (pick list) instead of options */
    EnumOption *options;   /* enum/multi_enum options */
    int noptions;
    json_t *dflt;          /* default value on create, or NULL */
    const char *panel;     /* detail-page panel name, optional */
} Field;

typedef struct Entity {
    const char *name;       /* plural snake_case API name: "customers" */
    const char *table;      /* SQL table name */
    Label label;            /* plural label */
    Label singular;         /* singular label */
    const char *module;     /* navigation module */
    const char *title_field;/* field used as the record's display name */
    int since;              /* migration that creates the table */
    bool owned;             /* has owner_id/department_id (data scopes apply) */
    bool audited;           /* changes go to the audit log (default true) */
    bool system;            /* managed by the system (users, roles …) */
    bool transferable;      /* records move in a handover (default: owned) */
    bool acl_source;        /* changes alter who may do what (users, roles, departments) */
    Field *fields;          /* declared fields (common columns excluded) */
    int nfields;
    const char ***indexes;  /* extra composite indexes: NULL-terminated arrays of column names */
    int nindexes;
    bool has_search;        /* any field with search */
    bool has_hidden;        /* any field with hidden */
    int *field_slots;       /* meta_field's hash table: field index + 1, 0 = empty */
    unsigned field_mask;    /* its size - 1 (a power of two, at least 2 × nfields) */
    char *select_cols;      /* the record layer's select list, built on first use (atomic; freed by meta_free) */
} Entity;

/* Load built-in metadata from the embedded schema/ JSON files. Aborts with a clear
 * message on malformed metadata (a build defect, not a runtime condition). */
void meta_load(void);

/* The highest migration number that has shipped (released.c). */
int meta_released(void);

/* Abort when the schema changes a shipped migration: an entity or field
 * with a released "since" that was not in it, or a released field whose
 * type changed (released.c; called by meta_load). */
void meta_check_released(const Entity *const *all, int n);

/* Replace the loaded metadata by the given schema JSON texts
 * (NULL-terminated list) — for tests of the metadata machinery. */
void meta_load_texts(const char *const *texts);

/* Free everything meta_load allocated (for leak checkers). */
void meta_free(void);

/* Lookup by API name; NULL if unknown. */
const Entity *meta_entity(const char *name);

/* All entities, in a stable order; *n receives the count. */
const Entity *const *meta_entities(int *n);

/* Field by name within e (declared fields only); NULL if unknown. */
const Field *meta_field(const Entity *e, const char *name);

/* Is name one of the common columns every record has (id, owner_id,
 * department_id, created_at, created_by, updated_at, updated_by, version,
 * deleted_at)? Sets *type to the equivalent field type. */
bool meta_common_column(const char *name, FieldType *type);

/* Enum option by value; NULL if not a valid value. */
const EnumOption *meta_option(const Field *f, const char *value);

/* Type names as written in schema files ("string", "money" …). */
const char *meta_type_name(FieldType t);

/* The label in lang ("zh"/"en"), falling back to the other. */
const char *meta_label(const Label *l, const char *lang);

/* Highest migration number mentioned by any entity or field. */
int meta_max_since(void);

/* --- values (validate.c) --- */

/* Validate and coerce one JSON value for field f into a column value
 * allocated in c->arena. On failure adds a field error to c and returns false.
 * For FT_PARENT, use meta_coerce_parent. json null -> DBV_NULL. */
bool meta_coerce(Ctx *c, const Field *f, json_t *v, DbVal *out);

/* Convert a stored column value back to JSON for output (new reference). */
json_t *meta_to_json(const Field *f, DbRes *res, int col);

/* Coerce a filter operand given as text (from a query string) for field f. */
bool meta_coerce_text(Ctx *c, const Field *f, const char *text, DbVal *out);

/* --- DDL and migrations (ddl.c) --- */

/* Bring the database schema up to date: creates the bookkeeping tables and
 * applies every migration number not yet recorded, each in a transaction.
 * Returns GX_OK or an error in c. */
GxErr meta_migrate(Ctx *c);

/* A data step of a migration: runs inside migration `since`'s transaction
 * right after its DDL, with c->db and a system principal in c. fresh is
 * true when the database was empty before this run (every migration is
 * being applied at once, so there is no old data to convert — but seed
 * rows are still wanted). Returning non-GX_OK (reason in c) rolls the
 * migration back. */
typedef GxErr (*DdlStepFn)(Ctx *c, bool fresh);

/* Register a data step for migration `since` (at start-up, before
 * meta_migrate; steps of one migration run in registration order). name is
 * for the log. */
void ddl_step_add(int since, const char *name, DdlStepFn fn);
/* Every entity table has a row_rev column that a trigger raises on every
 * UPDATE of a row (record/rowcache.c keeps list rows' text per revision):
 * tables of migration ROW_REV_SINCE on are created with it; this step
 * (registered for ROW_REV_SINCE by the modules) gives it to the older ones. */
#define ROW_REV_SINCE 10
GxErr ddl_row_rev_step(Ctx *c, bool fresh);

/* Forget every registered step (tests of the migration machinery). */
void ddl_steps_reset(void);

/* FTS5 merges a level's segments, a little at each write, once it holds
 * DDL_FTS_AUTOMERGE of them (FTS5's default is 4), and all at once inside a
 * write once it holds DDL_FTS_CRISISMERGE (default 16). A segment's level
 * counts the merges it went through, not its size, so the one big segment
 * an 'optimize' or a bulk fill leaves at a low level was rewritten every
 * few hundred writes: 1-2.3 ms more CPU per COMMIT of a customer at 1M,
 * against ~0.3 ms with 16 and 64 over 8,000 COMMITs, worst 17 ms
 * (bench/README.md, stop 16). With automerge 16 a level fills 4x more
 * slowly and merges 4x fewer times per level crossed; crisismerge 64 keeps
 * those merges incremental (at 16 = 16 a level's merge, the big segment
 * included, ran inside one write: ~9 s). */
#define DDL_FTS_AUTOMERGE 16
#define DDL_FTS_CRISISMERGE 64

/* Set fts (an FTS5 table) to DDL_FTS_AUTOMERGE and DDL_FTS_CRISISMERGE.
 * Every FTS5 table is created so (ddl.c, modules/search.c); migration 9
 * sets the existing ones. */
GxErr ddl_fts_tune(Ctx *c, const char *fts);

/* Is e searched through the global-search tables (customers, contacts,
 * leads: modules/search.c writes them)? On SQLite those also answer the
 * list's text search from migration 6 on, which dropped the entities' own
 * trigram and per-character tables. */
bool meta_search_global(const Entity *e);

/* Name of the text-search table of an entity ("customers_fts"). */
const char *meta_fts_table(Ctx *c, const Entity *e);

#endif
