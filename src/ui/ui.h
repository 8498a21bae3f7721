/* ui.h — the pieces every page of the web UI shares: translation, the page
 * frame (layout.c), value formatting (format.c) and link display names
 * (names.c).
 *
 * Pages are server-rendered into r->out through the escaping writers of
 * buf.h: text from users or the database goes through buf_html/buf_htmlf;
 * buf_raw is only for markup literals written here. */
#ifndef GX_UI_H
#define GX_UI_H

#include "../app/app.h"
#include "../record/record.h"

/* ---------- translation (i18n.c) ---------- */

/* The translation of msgid (an English text) in the request's language, from
 * po/zh_CN.po or po/en.po (embedded, parsed once). Falls back to msgid. The
 * result lives as long as the process. */
const char *T(Req *r, const char *msgid) __attribute__((format_arg(2)));

/* Same, for an explicit language ("zh" or "en"). */
const char *ui_tr(const char *lang, const char *msgid) __attribute__((format_arg(2)));

/* Marks a literal for extraction without translating it (static tables). */
#define N_(s) (s)

/* An entity, field or option label in the request's language. */
const char *ui_label(Req *r, const Label *l);

/* A message from the engine (English, e.g. "is required") in the request's
 * language; known phrases are translated, the rest passes through. */
const char *ui_engine_msg(Req *r, const char *msg);

/* Is the request's language English? */
bool ui_en(Req *r);

/* ---------- per-request UI state (layout.c) ---------- */

typedef struct UiState {
    int tz_offset;     /* user's zone, seconds east of UTC */
    bool tz_loaded;    /* tz_offset is valid */
    const char *flash; /* flash message code read from the cookie, or NULL */
} UiState;

/* The UI state of this request (created on first use, in the arena). */
UiState *ui_state(Req *r);

/* ---------- the page frame (layout.c) ---------- */

typedef struct Page {
    const char *title;   /* document title (plain text) */
    const char *nav;     /* entity name highlighted in the navigation, "home", or NULL */
    const char *script;  /* extra vendor script under web/ (e.g. "vendor/Sortable.min.js"), or NULL */
    const char *script2; /* a second one, or NULL */
    bool bare;           /* no navigation and top bar (login page) */
} Page;

/* Set the HTML content type, the Content-Security-Policy and no-store. */
void ui_html_headers(Req *r);

/* Write the document head, top bar and navigation; the caller writes the
 * page body into r->out and closes with ui_end. */
void ui_begin(Req *r, const Page *p);
void ui_end(Req *r, const Page *p);

/* URL of an embedded file under web/ with its content hash:
 * "/static/<hash>/<path>" (arena string). */
const char *ui_asset(Req *r, const char *path);

/* A hidden _csrf input for plain forms. */
void ui_csrf_field(Req *r);

/* Remember a flash message (a code from layout.c's table, e.g. "saved") for
 * the next page; shown once. */
void ui_flash(Req *r, const char *code);

/* Was the request made by htmx (HX-Request header)? */
bool ui_htmx(Req *r);

/* Redirect after a POST (303); for htmx requests an HX-Redirect header. */
void ui_redirect(Req *r, const char *location);

/* Render the error in r->c as a page (or a fragment for htmx) and clear nothing. */
void ui_fail(Req *r);

/* The entity named by the {entity} capture if the user may read it;
 * otherwise renders 404/403 and returns NULL. */
const Entity *ui_entity(Req *r);

/* The {id} capture; renders 404 and returns false when it is not a positive integer. */
bool ui_id(Req *r, int64_t *id);

/* Is the entity shown in navigation and pages (not a personal/system helper)? */
bool ui_entity_visible(Req *r, const Entity *e);

/* ---------- formatting (format.c) ---------- */

/* Integer with thousands separators. */
void ui_int(Buf *b, int64_t v);

/* Money from fen: "¥1,234.56" (no floating point). */
void ui_money(Buf *b, int64_t fen);

/* Money as an input value in yuan: "1234.56" (no separators). */
void ui_money_input(Buf *b, int64_t fen);

/* Parse yuan as typed ("1,234.5", "¥12", "-3.07") exactly into fen; false
 * on anything else (more than 2 decimals, letters, overflow). */
bool ui_parse_money(const char *s, int64_t *fen);

/* The user's time-zone offset, seconds east of UTC (users.time_zone; zones
 * without daylight saving are supported, others fall back to UTC+8). */
int ui_tz_offset(Req *r);

/* Parse a stored UTC time ("…Z") into seconds since the epoch. */
bool ui_parse_utc(const char *s, int64_t *t);

/* Civil date/time of t (seconds since the epoch) shifted by the user's zone. */
void ui_local_parts(Req *r, int64_t t, int *y, int *mo, int *d, int *h, int *mi);

/* A stored UTC date-time shown in the user's zone: "2026-11-22 09:30". */
void ui_datetime(Req *r, Buf *b, const char *utc);

/* For <input type=datetime-local>: "2026-11-22T09:30" (empty on bad input). */
const char *ui_datetime_input(Req *r, const char *utc);

/* From <input type=datetime-local> in the user's zone to RFC 3339 with the
 * offset ("2026-11-22T09:30:00+08:00"); NULL when malformed. */
const char *ui_datetime_from_input(Req *r, const char *local);

/* Relative time for a stored UTC time: "3 天前" / "3 days ago". */
void ui_relative(Req *r, Buf *b, const char *utc);

/* UTC instant (seconds) of local midnight of the given civil date in the user's zone. */
int64_t ui_local_midnight(Req *r, int y, int m, int d);

/* Today's civil date in the user's zone. */
void ui_today(Req *r, int *y, int *m, int *d);

/* Format seconds since the epoch as stored ("YYYY-MM-DDTHH:MM:SSZ"), arena string. */
const char *ui_utc_string(Req *r, int64_t t);

/* ---------- fields and values (values.c) ---------- */

/* A column of a list or a value in a panel: a declared field or one of the
 * common columns (owner_id, created_at, updated_at …). */
typedef struct Col {
    const char *name; /* field or common column name */
    const Field *f;   /* declared field, or NULL for a common column */
} Col;

/* Label of a column. */
const char *ui_col_label(Req *r, const Col *c);

/* Resolve name to a column of e the user may see; false if unknown or hidden. */
bool ui_col(Req *r, const Entity *e, const char *name, Col *out);

/* Is the column numeric (right-aligned)? */
bool ui_col_numeric(const Col *c);

/* Is the column sortable (sort= accepts it)? */
bool ui_col_sortable(const Col *c);

/* Write the display HTML of column c of record rec (links resolved with names). */
void ui_value(Req *r, Buf *b, const Col *c, json_t *rec, json_t *names);

/* The display name of a record: its title field, or "#id". Arena string. */
const char *ui_title(Req *r, const Entity *e, json_t *rec);

/* ---------- typed searches (search.c) ---------- */

/* How a typed search text q runs on e. Texts of three or more characters,
 * and any text on the small system entities, use the engine's text search
 * (sets lq->q). Shorter texts match the beginning of e's title field when it
 * is indexed (a range on the index): a substring scan of a big table cannot
 * answer them fast (MEASURED.md, pitfall 4), and the trigram index cannot at
 * all. *where receives that filter (caller decrefs) or NULL. Returns false
 * when e cannot answer a short text quickly (the caller skips it). */
bool ui_search_plan(const Entity *e, const char *q, ListQuery *lq, json_t **where);

/* Is q a short text (fewer than three characters) that only matches title prefixes? */
bool ui_search_short(const char *q);

/* ---------- link display names (names.c) ---------- */

/* Names is a JSON object {entity: {"id": title-or-null}}. Register the ids a
 * page needs, resolve them with one query per target entity, then look them
 * up. Records outside the user's scope stay unresolved ("#id"). */
json_t *ui_names_new(void);
void ui_names_want(json_t *names, const char *entity, int64_t id);
/* Register every link, owner and parent id of the given columns in rows. */
void ui_names_want_rows(json_t *names, const Entity *e, const Col *cols, int ncols, json_t *rows);
void ui_names_resolve(Req *r, json_t *names);
/* Title for (entity, id), or NULL when unknown. */
const char *ui_names_get(json_t *names, const char *entity, int64_t id);

/* ---------- page handlers (routes.c wires them) ---------- */

void ui_static(Req *r);
void ui_login_page(Req *r);
void ui_login_post(Req *r);
void ui_logout(Req *r);
void ui_password_page(Req *r);
void ui_password_post(Req *r);
void ui_lang_post(Req *r);
void ui_home(Req *r);
void ui_search(Req *r);
void ui_list_page(Req *r);
void ui_list_count(Req *r);
void ui_list_bulk(Req *r);
void ui_saved_create(Req *r);
void ui_saved_favourite(Req *r);
void ui_saved_delete(Req *r);
void ui_link_options(Req *r);
void ui_form_new(Req *r);
void ui_form_create(Req *r);
void ui_form_edit(Req *r);
void ui_form_update(Req *r);
void ui_detail(Req *r);
void ui_detail_delete(Req *r);
void ui_detail_transfer(Req *r);
void ui_detail_activity(Req *r);
void ui_inline_get(Req *r);
void ui_inline_post(Req *r);
void ui_kanban(Req *r);
void ui_kanban_move(Req *r);
void ui_kanban_totals(Req *r);
void ui_calendar(Req *r);
/* customer pool (pool.c) and reminders (reminders.c) */
void ui_pool_page(Req *r);
void ui_pool_claim(Req *r);
void ui_pool_assign(Req *r);
void ui_pool_release(Req *r);
void ui_pool_lock(Req *r);
void ui_pool_unlock(Req *r);
/* Lock/unlock and "release to pool" (or "claim" for a pool customer) in the
 * actions of a customer's page; can_edit: the user may edit the record. */
void ui_pool_record_actions(Req *r, json_t *rec, bool can_edit);
/* duplicates, merge and import (dupes_ui.c) */
void ui_dupes_fragment(Req *r);
void ui_merge_page(Req *r);
void ui_merge_post(Req *r);
void ui_import_page(Req *r);
void ui_import_post(Req *r);
void ui_import_undo(Req *r);
/* In a record form of e (id 0 when new): the live duplicate warning, updated
 * as the user types (customers, contacts, leads). */
void ui_dupes_warning(Req *r, const Entity *e, int64_t id);
void ui_reminders_page(Req *r);
void ui_reminders_settings_post(Req *r);
/* The reminders card of the home page. */
void ui_reminders_card(Req *r);
/* Pick lists for administrators (picklists_ui.c). */
void ui_picklists_page(Req *r);
void ui_picklist_edit(Req *r);
void ui_picklist_save(Req *r);
/* Lead conversion and org chart (leads.c). */
void ui_lead_convert_page(Req *r);
void ui_lead_convert_post(Req *r);
void ui_leads_convert_bulk(Req *r);
/* The 转化 button in the actions of a lead's page (unless converted). */
void ui_lead_record_actions(Req *r, json_t *lead, bool can_edit);
/* The conversion menu of the leads list's bulk bar (inside its form). */
void ui_leads_bulk_actions(Req *r);
/* A customer's contacts as a tree by superior, with buying role and
 * influence (nothing when there is no structure to show). */
void ui_org_chart(Req *r, int64_t customer_id);
/* Money of sales (sales_money.c): on customer, order, contract and invoice
 * pages the amounts invoiced and received, balance due, "record payment",
 * approval of a pending contract, an invoice's lines; nothing for others. */
void ui_sales_money_card(Req *r, const Entity *e, int64_t id, json_t *rec);
/* Quotes and orders (sales_docs.c): is f the "lines" of a priced document?
 * The line editor inside the record form (rec when editing, vals the form
 * values, errors by key such as "lines[1].quantity"); the submitted rows
 * into in["lines"]; the actions and the lines and totals of the record page. */
bool ui_sales_lines_field(const Entity *e, const Field *f);
void ui_sales_lines_editor(Req *r, const Entity *e, json_t *rec, json_t *vals, json_t *errors);
void ui_sales_lines_input(Req *r, json_t *form, json_t *in, json_t *errors);
void ui_sales_doc_actions(Req *r, const Entity *e, json_t *rec, bool can_edit);
void ui_sales_doc_lines(Req *r, const Entity *e, json_t *rec);
/* Credit area of sales (sales_credit.c): the approve/reject form on an
 * approval's page (when pending and the user decides it). */
void ui_approval_panel(Req *r, int64_t id);
/* On an order's page: its credit-limit approvals, deliveries and returns,
 * with the forms to record a delivery or a return (sales_credit.c). */
void ui_order_credit_panels(Req *r, int64_t id, json_t *order);
/* The attachments panel (附件) of a record page of customers, contacts,
 * opportunities, products, quotes, orders, contracts and invoices
 * (attachments.c); nothing for other entities. */
void ui_attachments_panel(Req *r, const Entity *e, int64_t id);
/* Does the record page of e have that panel (for its tab link)? */
bool ui_attachments_tab(const Entity *e);
#endif
