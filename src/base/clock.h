/* clock.h — "now" for scheduled work (jobs, reminders, the customer pool).
 *
 * clock_now_ms() is the real time, except in tests: when the environment has
 * GX_TEST_CLOCK=1 and GX_NOW=<RFC 3339 time>, it answers that instant. Both
 * variables are needed so that a stray GX_NOW in production does nothing.
 * Request timestamps (created_at, audit rows) keep the real clock. */
#ifndef GX_CLOCK_H
#define GX_CLOCK_H

#include <stdint.h>

/* Milliseconds since the epoch (UTC), faked in tests as described above. */
int64_t clock_now_ms(void);

/* Seconds since the epoch, same source. */
int64_t clock_now_s(void);

/* The company's time-zone offset in seconds east of UTC, for "daily at 08:00"
 * and "today": Asia/Shanghai (+08:00), which has no daylight saving. */
#define CLOCK_COMPANY_TZ_OFFSET (8 * 3600)

/* Days since 1970-01-01 of the local (company zone) date of t seconds. */
int64_t clock_local_day(int64_t t);

/* UTC seconds of local midnight starting the local day `day`. */
int64_t clock_local_midnight(int64_t day);

#endif
