/* form.h — input controls per field type and the conversion of submitted
 * form values to record JSON; shared by the form page (form.c), inline edit
 * and the activity composer (detail.c). */
#ifndef GX_UI_FORM_H
#define GX_UI_FORM_H

#include "ui.h"

/* Form values: a JSON object of what the user typed, keyed by input name
 * (strings, or arrays for repeated names). Link fields keep their display
 * text under "<name>__label", addresses their parts under "<name>.<part>",
 * parent fields "<name>_type", "<name>_id" and "<name>__label". */

/* Can the user write field f of e through a form (not hidden, read-only,
 * computed or system)? create: the record does not exist yet. */
bool form_field_writable(Req *r, const Entity *e, const Field *f, bool create);

/* Form values for an existing record (names resolve link labels). New reference. */
json_t *form_values_of(Req *r, const Entity *e, json_t *rec, json_t *names);

/* Write the control(s) for field f with the value from vals; id_prefix makes
 * element ids unique when several forms share a page. */
void form_control(Req *r, const Entity *e, const Field *f, json_t *vals, const char *id_prefix);

/* Convert the submitted value of f into in (record JSON). On a value the UI
 * cannot convert (money text, a date-time, JSON) adds a message to errors
 * under f->name and returns false. Empty values become null (or "" for
 * required text so the engine reports "is required"). */
bool form_field_input(Req *r, const Field *f, json_t *form, json_t *in, json_t *errors);

/* The field an engine error key belongs to ("related_id" -> "related"). */
const char *form_error_field(Req *r, const Entity *e, const char *key);

/* One value of a form key (the last one when repeated), or NULL. */
const char *form_str(json_t *form, const char *key);

#endif
