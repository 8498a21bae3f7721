/* phone.h — telephone numbers as Chinese users write them, stored in E.164.
 *
 * Accepted input: digits with spaces, dashes, dots, slashes and brackets
 * (half- or full-width), with or without +86 / 0086 / 86, the trunk 0 of
 * landlines, and an extension after 转, 分机, ext, x, # or a comma (or as a
 * last dash group of a complete landline: 010-88886666-123).
 *
 * Stored form (what phone_to_e164 returns):
 *   mobile      +8613812345678
 *   landline    +861088886666           area code without the trunk 0
 *   extension   +861088886666;ext=123   (RFC 3966 style, any kind)
 *   400/800     +864001234567
 *   service     +8695588                (95xxx/96xxx and 1xxxx short numbers)
 *   foreign     +14155550123            (country code other than 86, 8-15 digits)
 *
 * Shown form (phone_display): "138 1234 5678", "010 8888 6666",
 * "0951 123 4567", "400-123-4567", extension as " 转 123" or " ext. 123".
 *
 * Everything here is pure string work: no locale, no global state. */
#ifndef GX_PHONE_H
#define GX_PHONE_H

#include <stdbool.h>

#include "arena.h"

/* Parse a phone number as typed. Returns the E.164 form allocated in a, or
 * NULL with *why set to a static English sentence fragment naming the
 * problem (e.g. "has too few digits for a mobile number (11)"), meant to
 * follow the field's name. Empty input (only spaces) is NULL with why NULL. */
char *phone_to_e164(Arena *a, const char *s, const char **why);

/* The readable form of a stored value (E.164 as above). Values that are not
 * in a form this module writes (legacy data) come back unchanged. ext_word
 * introduces an extension ("转" or "ext."). Allocated in a. */
char *phone_display(Arena *a, const char *stored, const char *ext_word);

/* For searching stored numbers: if q looks like (part of) a phone number —
 * only digits, spaces, dashes, dots, brackets and a leading + — with at least
 * 3 digits, returns the digits to look for as a substring of the stored
 * digits (the E.164 form without "+"): "+86 138" -> "86138", "0086 138" ->
 * "86138", "1234-5678" -> "12345678". Otherwise NULL. When q starts with a
 * single 0 it may be a trunk 0 ("010 8888": +86 and the area code) or
 * digits from the middle of a number: *alt then receives the trunk reading
 * ("86108888") and the result is the plain digits ("0108888"); else *alt
 * is NULL. Allocated in a. */
char *phone_search_digits(Arena *a, const char *q, char **alt);

#endif
