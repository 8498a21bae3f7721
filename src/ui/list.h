/* list.h — the state of a list page (scene, saved query, search, filter tree,
 * sort, columns, page), shared by list.c, saved.c and the bulk actions. */
#ifndef GX_UI_LIST_H
#define GX_UI_LIST_H

#include "ui.h"

#define LIST_MAX_COLS 24

typedef struct ListState {
    const Entity *e;         /* the entity listed */
    const char *scene;       /* "mine", "team", "all" or "saved" */
    int64_t saved_id;        /* saved query shown (scene "saved"), 0 if none */
    json_t *saved;           /* that saved query's record, or NULL (owned) */
    const char *q;           /* quick search text, or NULL */
    const char *search_q;    /* the text for the engine's search (ListQuery.q), or NULL */
    json_t *search_where;    /* or, for short texts, a title-prefix filter (owned), or NULL */
    const char *sort;        /* sort spec, or NULL for the default */
    const char *filter_text; /* the filter tree as JSON text, or NULL */
    json_t *filter;          /* parsed filter tree, or NULL (owned) */
    const char *cols_text;   /* chosen columns "a,b,c", or NULL for the default */
    Col cols[LIST_MAX_COLS]; /* columns shown; cols[0] is the title when there is one */
    int ncols;
    int64_t limit;  /* page size */
    int64_t offset; /* first row */
} ListState;

/* Read the state from the query string (and the saved query it names).
 * Returns false after rendering an error. */
bool list_state_read(Req *r, const Entity *e, ListState *s);

/* Release what the state owns. */
void list_state_free(ListState *s);

/* The filter tree for record_list: scene ∧ user filter ∧ short-search
 * prefix (new reference or NULL); pair it with s->search_q. */
json_t *list_where(Req *r, const ListState *s);

/* The list URL for s with one parameter changed (value NULL removes it);
 * changing anything but offset goes back to the first page. Arena string. */
const char *list_href(Req *r, const ListState *s, const char *key, const char *value);

/* Scenes the user has for e ("mine", "team", "all"), and the default one. */
bool list_scene_allowed(Req *r, const Entity *e, const char *scene);
const char *list_scene_default(Req *r, const Entity *e);

/* Saved queries (saved.c): the user's own and the shared ones for entity e,
 * favourites first (new reference). */
json_t *saved_queries_for(Req *r, const Entity *e);

/* Load one saved query the user may use (own or shared) for e; NULL if none. */
json_t *saved_query_get(Req *r, const Entity *e, int64_t id);

#endif
