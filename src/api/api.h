/* api.h — JSON endpoint helpers shared by the API handlers. */
#ifndef GX_API_H
#define GX_API_H

#include "../app/app.h"
#include "../meta/meta.h"
#include "../record/record.h"

/* Parse the request body as a JSON object; on failure answers 400 and
 * returns NULL. Caller decrefs. */
json_t *api_body(Req *r);

/* The entity named by the {entity} capture; answers 404 and returns NULL if unknown. */
const Entity *api_entity(Req *r);

/* The {id} capture as a positive integer; answers 404 and returns false otherwise. */
bool api_id(Req *r, int64_t *id);

/* Answer with the error in r->c (JSON). Returns nothing; handlers `return` after. */
void api_fail(Req *r);

/* Build a ListQuery from query-string parameters (limit, offset, sort, q and
 * filters). *conds receives a JSON and-list the caller decrefs. */
bool api_list_query(Req *r, const Entity *e, ListQuery *lq, json_t **where);

/* Custom action endpoint: POST /api/v1/{entity}/{id}/{action}. */
typedef void (*ApiAction)(Req *r, const Entity *e, int64_t id);
/* summary: one line for the OpenAPI document (request and answer in words). */
void api_action_register(const char *entity, const char *action, ApiAction fn, const char *summary);

/* The i-th registered action (for the OpenAPI document); false past the end. */
bool api_action_at(int i, const char **entity, const char **action, const char **summary);

/* OpenAPI document generated from metadata (openapi.c). New reference. */
json_t *api_openapi(void);

/* Metadata of one entity as JSON for clients (meta_api.c). */
json_t *api_entity_json(const Entity *e, const char *lang, Ctx *c);

/* GET /api/v1/reminders; GET/PATCH /api/v1/reminders/settings (pool_api.c). */
void api_reminders(Req *r);
void api_reminder_settings(Req *r);
/* Register the customer pool actions (pool_api.c; called by api_init). */
void pool_api_init(void);

/* Register module actions (once, at start-up). */
void api_init(void);

#endif
