/* work_api.c — module actions exposed over the API: handover (离职交接) and
 * supervision comments (批示). */
#include <string.h>

#include "../modules/modules.h"
#include "api.h"

/* POST /api/v1/users/{id}/handover {"to_user_id", "entities": optional list} */
static void act_handover(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    json_t *b = api_body(r);
    if (!b)
        return;
    json_t *to = json_object_get(b, "to_user_id");
    if (!json_is_integer(to)) {
        json_decref(b);
        ctx_field(&r->c, "to_user_id", "is required (a user id)");
        return api_fail(r);
    }
    json_t *counts;
    GxErr rc = handover_run(&r->c, id, json_integer_value(to), json_object_get(b, "entities"), &counts);
    json_decref(b);
    if (rc)
        return api_fail(r);
    http_json(r, 200, json_pack("{s:o}", "moved", counts));
}

/* POST /api/v1/activities/{id}/comment {"body"} */
static void act_comment(Req *r, const Entity *e, int64_t id)
{
    (void)e;
    json_t *b = api_body(r);
    if (!b)
        return;
    json_t *body = json_object_get(b, "body");
    if (body && !json_is_string(body)) {
        json_decref(b);
        ctx_field(&r->c, "body", "must be text");
        return api_fail(r);
    }
    json_t *out;
    GxErr rc = supervision_comment(&r->c, id, json_string_value(body), &out);
    json_decref(b);
    if (rc)
        return api_fail(r);
    http_json(r, 201, out);
}

/* GET /api/v1/{entity}/{id}/comments: comments on a record the user can see. */
void api_record_comments(Req *r)
{
    const Entity *e = api_entity(r);
    int64_t id;
    if (!e || !api_id(r, &id))
        return;
    json_t *rows;
    if (supervision_comments(&r->c, e, id, false, &rows))
        return api_fail(r);
    http_json(r, 200, json_pack("{s:o}", "data", rows));
}

void dupes_api_init(void);
void leads_api_init(void);
void membership_api_init(void);
void sales_docs_api_init(void);
void sales_money_api_init(void);
void sales_credit_api_init(void);

void api_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    pool_api_init();
    dupes_api_init();
    leads_api_init();
    membership_api_init();
    sales_docs_api_init();
    sales_money_api_init();
    sales_credit_api_init();
    api_action_register("users", "handover", act_handover,
                        "Hand over (离职交接) every live record the user owns, or those of the listed entities, to another"
                        " user. Body {\"to_user_id\": id, \"entities\": [names] (optional)}; answers {\"moved\": {entity:"
                        " count}}. Administrators only; each moved record gets a history and an audit entry.");
    api_action_register("activities", "comment", act_comment,
                        "Comment (批示) on a work record as a manager. Body {\"body\": text}; answers 201 with the"
                        " stored comment; the record's owner is notified in-app.");
}
