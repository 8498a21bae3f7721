/* lunar.h — the Chinese lunar calendar (农历) for lunar years 1900-2100:
 * conversions and the next birthday, solar or lunar.
 *
 * The table is generated at build time from the npm package
 * lunar-javascript (tools/gen_lunar.js): for each lunar year the solar day of
 * 正月初一, the leap month and the length (29 or 30 days) of each month.
 * Dates are proleptic Gregorian (y, m 1-12, d 1-31). */
#ifndef GX_LUNAR_H
#define GX_LUNAR_H

#include <stdbool.h>

/* A lunar date. */
typedef struct LunarDate {
    int year;  /* lunar year (the Gregorian year in which its 正月 begins) */
    int month; /* 1-12 */
    int day;   /* 1-30 */
    bool leap; /* in the leap month (闰月) that follows `month` */
} LunarDate;

/* Solar date of lunar date l. Returns 0, or -1 when l is outside 1900-2100
 * or does not exist (no such leap month that year, day 30 of a 29-day
 * month). */
int lunar_to_solar(const LunarDate *l, int *y, int *m, int *d);

/* Lunar date of a solar date. Returns 0, or -1 outside the table
 * (before 1900-01-31 or after the end of lunar year 2100). */
int solar_to_lunar(int y, int m, int d, LunarDate *out);

/* The first birthday on or after the day (fy, fm, fd) of someone born on the
 * solar date (by, bm, bd). Solar birthdays on 29 February fall on 28 February
 * in common years. Lunar birthdays (lunar = true) keep the lunar month and day
 * of birth: born in a leap month, the birthday is in that leap month in the
 * years that have it and in the ordinary month otherwise; born on day 30,
 * the birthday is on day 29 of a 29-day month. Returns 0, or -1 when the date
 * falls outside the lunar table. */
int birthday_next(int by, int bm, int bd, bool lunar, int fy, int fm, int fd, int *y, int *m, int *d);

#endif
