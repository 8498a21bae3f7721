/* reminders.h — reminders and to-dos (待办) of the current user, in-app
 * notifications made by the scheduler, and the one place birthday sources
 * plug in.
 *
 * A reminder is a JSON object {kind, entity, id, title, date, at?, detail?}:
 *   birthday      customers/contacts (entities with a `birthday` date field)
 *                 whose birthday falls today or in the next 3 days
 *   task_due      follow-ups due today: customers.next_follow_up,
 *                 activities.next_at, and tasks (entity `tasks` with a
 *                 `due_at`/`due_date` field) when that entity exists
 *   task_overdue  the same, due in the 30 days before today
 *   no_contact    my customers without a follow-up for N days
 *                 (setting reminders.no_contact_days, default 30; 0 = off)
 *   pool_release  my customers to be released to the pool (公海) within the
 *                 pool's remind_days
 *   assigned      leads/customers given to me in the last 7 days (from the
 *                 unread "assignment" notifications)
 * Only records the user owns and may read (the ACL read scope) are listed.
 * "Today" is the company zone's (base/clock.h). */
#ifndef GX_REMINDERS_H
#define GX_REMINDERS_H

#include <jansson.h>
#include <stdint.h>

#include "../base/ctx.h"
#include "../meta/meta.h"

/* The acting user's reminders, ordered by kind then date: *out is a JSON array. */
GxErr reminders_list(Ctx *c, json_t **out);

/* A birthday source: append reminders (kind "birthday") for records of e
 * owned by the acting user whose birthday falls on local days
 * [day0, day0 + ndays) (days since 1970-01-01, company zone). The built-in
 * source reads solar `birthday` dates; helper "china" registers the lunar
 * (农历) one here. Register at start-up. */
typedef GxErr (*BirthdaySourceFn)(Ctx *c, const Entity *e, int64_t day0, int ndays, json_t *out);
void reminders_birthday_source_add(BirthdaySourceFn fn);

/* Another module's reminders: append items {kind, entity, id, title, date,
 * at?, detail?} for the acting user to out (e.g. the front desk's
 * "member_expiring", "member_absent"). Register at start-up. */
typedef GxErr (*ReminderSourceFn)(Ctx *c, json_t *out);
void reminders_source_add(ReminderSourceFn fn);

/* Insert an in-app notification for user (kind: comment|reminder|assignment|
 * system) about (related_type, related_id), unless one with dedupe_key
 * exists (dedupe_key NULL: always). Uses c->db (the caller's transaction). */
GxErr notify_user(Ctx *c, int64_t user, const char *kind, const char *title, const char *body, const char *related_type,
                  int64_t related_id, const char *dedupe_key);

/* Settings of reminders: {"no_contact_days": N}. */
GxErr reminders_settings_get(Ctx *c, json_t **out);
/* Change them (administrators); 422 on bad values. */
GxErr reminders_settings_set(Ctx *c, json_t *in, json_t **out);

/* Register the notification job, hooks and the settings table step. */
void reminders_module_init(void);

#endif
