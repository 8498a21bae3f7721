/* divisions.c — lookups in the embedded division tree (see divisions.h). */
#include <pthread.h>
#include <string.h>

#include "divisions.h"
#include "embedded.h"
#include "log.h"

static json_t *tree;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    const EmbeddedFile *f = embedded_find("web/vendor/divisions.json");
    json_t *all = f ? json_loadb((const char *)f->data, f->len, 0, NULL) : NULL;
    tree = json_incref(json_object_get(all, "p"));
    json_decref(all);
    if (!json_is_object(tree)) {
        json_decref(tree);
        log_warn("web/vendor/divisions.json missing or malformed: addresses are not checked against divisions");
        tree = json_object();
    }
}

const json_t *divisions_tree(void)
{
    pthread_once(&once, load);
    return tree;
}

/* The key of obj equal to name, or the only one starting with it. */
static const char *match_key(const json_t *obj, const char *name)
{
    const char *key, *found = NULL;
    json_t *v;
    if (json_object_get(obj, name))
        return json_object_iter_key(json_object_iter_at((json_t *)obj, name));
    size_t n = strlen(name);
    json_object_foreach((json_t *)obj, key, v)
    {
        if (!strncmp(key, name, n)) {
            if (found)
                return NULL; /* ambiguous */
            found = key;
        }
    }
    return found;
}

/* The element of arr equal to name, or the only one starting with it. */
static const char *match_item(const json_t *arr, const char *name)
{
    size_t i, n = strlen(name);
    json_t *v;
    const char *found = NULL;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        if (!s)
            continue;
        if (!strcmp(s, name))
            return s;
        if (!strncmp(s, name, n)) {
            if (found)
                return NULL;
            found = s;
        }
    }
    return found;
}

static bool given(const char *s)
{
    return s && *s;
}

bool divisions_check(const char *province, const char *city, const char *district, const char **p, const char **c,
                     const char **d, const char **part)
{
    const json_t *t = divisions_tree();
    *p = *c = *d = NULL;
    if (!json_object_size(t)) { /* no data: accept as given */
        *p = given(province) ? province : NULL;
        *c = given(city) ? city : NULL;
        *d = given(district) ? district : NULL;
        return true;
    }
    if (!given(province)) {
        *part = given(city) ? "province" : given(district) ? "city" : NULL;
        return !*part;
    }
    if (!(*p = match_key(t, province))) {
        *part = "province";
        return false;
    }
    if (!given(city)) {
        *part = given(district) ? "city" : NULL;
        return !*part;
    }
    const json_t *cities = json_object_get(t, *p);
    if (!(*c = match_key(cities, city))) {
        *part = "city";
        return false;
    }
    if (!given(district))
        return true;
    if (!(*d = match_item(json_object_get(cities, *c), district))) {
        *part = "district";
        return false;
    }
    return true;
}
