/* util.h — time, UTF-8 and small parsing helpers shared by every layer. */
#ifndef GX_UTIL_H
#define GX_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"

/* Current time in milliseconds since the Unix epoch (UTC). */
int64_t time_now_ms(void);

/* Format ms-since-epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ" into out (>= 25 bytes). */
void time_format_ms(int64_t ms, char out[64]);

/* Format seconds-since-epoch as "YYYY-MM-DDTHH:MM:SSZ" into out (>= 21 bytes). */
void time_format_s(int64_t s, char out[64]);

/* Parse an RFC 3339 date-time with any offset ("Z", "+08:00") or none (taken
 * as UTC); fractional seconds are accepted and dropped. On success stores
 * seconds since the epoch and returns true. Rejects impossible dates. */
bool time_parse_rfc3339(const char *s, int64_t *out);

/* Parse "YYYY-MM-DD" strictly (real calendar date). */
bool time_parse_date(const char *s, int *y, int *m, int *d);

/* Days since 1970-01-01 for a civil date (proleptic Gregorian). */
int64_t time_days_from_civil(int y, int m, int d);

/* Validate UTF-8 (no overlongs, no surrogates, no NUL bytes within n). */
bool utf8_valid(const char *s, size_t n);

/* Number of code points in a valid UTF-8 string. */
size_t utf8_len(const char *s);

/* Parse a decimal int64 with no trailing garbage; false on overflow. */
bool parse_i64(const char *s, int64_t *out);

/* The environment variable name as a number of megabytes (0 to 65536), in
 * bytes; def_mb when it is unset, empty or not such a number. */
size_t env_megabytes(const char *name, long def_mb);

/* Hash of a NUL-terminated string, eight bytes a step (statement caches,
 * metadata field lookup); not stable across versions: never store it. */
uint64_t str_hash(const char *s);

/* Case-sensitive string equality that tolerates NULL. */
bool str_eq(const char *a, const char *b);

/* Is s a non-empty identifier of [a-z0-9_] starting with a letter? */
bool ident_ok(const char *s);

#endif
