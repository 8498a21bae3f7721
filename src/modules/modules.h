/* modules.h — business modules hooked into the record engine. */
#ifndef GX_MODULES_H
#define GX_MODULES_H

#include "../base/ctx.h"
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

/* Demo data (demo.c): departments, users and `customers` customers with
 * contacts and activities, through the record engine. */
GxErr demo_fill(Ctx *c, int customers);

#endif
