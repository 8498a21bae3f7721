/* membership.h — the club and venue front desk (SPEC G 38–42): member types
 * and members (customers with a card), resources, the booking centre, the
 * checkout desk, the member ledger, reports and member care.
 *
 * Money is integer fen throughout. Business hours, business days and
 * birthdays are reckoned in the business time zone (UTC+8, Asia/Shanghai). */
#ifndef GX_MEMBERSHIP_H
#define GX_MEMBERSHIP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../base/ctx.h"
#include "../meta/meta.h"

#define MS_TZ_S (8 * 3600)       /* business time zone: seconds east of UTC */
#define MS_PAST_GRACE_S (5 * 60) /* a booking may start this long ago without a late entry */

/* ---------- pure computations (membership/pricing.c; unit tested) ---------- */

/* Price of using a time-based resource for minutes at price_per_hour fen,
 * rounded half up to the fen. false on overflow or negative input. */
bool ms_time_amount(int64_t price_per_hour, int64_t minutes, int64_t *out);

/* quantity × unit price; false on overflow, negative quantity or price. */
bool ms_unit_amount(int64_t unit_price, int64_t quantity, int64_t *out);

/* Discount of pct percent (0..100) on amount, rounded half up to the fen. */
int64_t ms_discount(int64_t amount, int64_t pct);

/* Split a total discount over lines in proportion to their amounts; the last
 * line with an amount takes the rounding remainder, so the parts add up to
 * exactly `discount`. */
void ms_spread(const int64_t *amounts, int n, int64_t discount, int64_t *parts);

/* Points for a total: one block of points_per_yuan per whole yuan. */
int64_t ms_points_for(int64_t total, int64_t points_per_yuan);

/* Top-up bonus: bonus for every full threshold topped up (充 1,000 送 100). */
int64_t ms_topup_bonus(int64_t amount, int64_t threshold, int64_t bonus);

/* Do [a0, a1) and [b0, b1) overlap? */
bool ms_overlaps(int64_t a0, int64_t a1, int64_t b0, int64_t b1);

/* Parse "HH:MM" (00:00..24:00) into minutes after midnight. */
bool ms_parse_hhmm(const char *s, int *minutes);

/* Does [start, end) (seconds since the epoch) lie within one business day
 * and within the opening hours [open_min, close_min) of that day? */
bool ms_within_hours(int64_t start, int64_t end, int open_min, int close_min);

/* Business day ("YYYY-MM-DD", 11 bytes) of instant t. */
void ms_business_day(int64_t t, char out[11]);

/* Civil date of a day number (days since 1970-01-01). */
void ms_civil_from_days(int64_t days, int *y, int *m, int *d);

/* date + months (day clamped to the month's length), as "YYYY-MM-DD". */
bool ms_add_months(const char *date, int months, char out[11]);

/* Today's business day. */
void ms_today(char out[11]);

/* UTC instant of the start of business day "YYYY-MM-DD". */
bool ms_day_start(const char *date, int64_t *t);

/* ---------- module (files under membership/) ---------- */

/* Register hooks and API actions (once, at start-up). */
void membership_module_init(void);

/* The day view's data: every active time-based resource and its live
 * bookings (booked or checked out) on one business day, in arena memory
 * (c->arena), no JSON. */
typedef struct MsDayBooking {
    int64_t start, end;           /* UTC seconds (0 when unreadable) */
    const char *start_at, *end_at; /* as stored, RFC 3339 UTC */
    int64_t id;                   /* 0 when the user may not read the booking: then only the times are set */
    const char *status;           /* booked, completed */
    int64_t customer_id;          /* 0 for a guest */
    const char *customer_name;    /* the member's name when the user may read that customer, else NULL */
    const char *guest_name;       /* or NULL */
} MsDayBooking;

typedef struct MsDayResource {
    int64_t id;
    const char *name, *kind, *opening_time, *closing_time; /* as stored, or NULL */
    int open, close;       /* opening hours, minutes after midnight (0, 1440 when not set) */
    int64_t capacity;      /* 0 when not set */
    MsDayBooking *booked;  /* in start order */
    int nbooked, cap;      /* bookings; room in booked */
} MsDayResource;

typedef struct MsDay {
    const char *date;   /* YYYY-MM-DD */
    int64_t start;      /* UTC instant the business day starts */
    MsDayResource *res; /* in (kind, name, id) order */
    int n;              /* resources */
} MsDay;

/* Fill *out for business day `date` (422 on a malformed date; 403 without
 * read access to bookings and resources). public_view: only resources
 * marked public and no booking ids or people (for the page without login);
 * otherwise who booked is filled in only for bookings the user may read. */
GxErr membership_day(Ctx *c, const char *date, bool public_view, MsDay *out);

/* membership_day for the booking centre's grid (staff): without the stored
 * start_at/end_at strings (start and end are set) and without a member's
 * guest_name (guests' are set). */
GxErr membership_day_grid(Ctx *c, const char *date, MsDay *out);

/* Staff availability of every active time-based resource on business day
 * `date`: {"date", "resources": [{id, name, kind, opening_time,
 * closing_time, booked: [{booking_id, start_at, end_at, status,
 * customer_id, guest_name}]}]}. public_view: only resources marked public,
 * and no ids of people or bookings (for the page without login). */
GxErr membership_availability(Ctx *c, const char *date, bool public_view, json_t **out);

/* Change a booking's status (cancel, no-show) through the engine. */
GxErr membership_booking_status(Ctx *c, int64_t booking_id, const char *status, json_t **out);

/* Top up a member's stored value by amount fen (cash/card); the member
 * type's bonus rule adds bonus money, tracked apart. *out: the customer. */
GxErr membership_top_up(Ctx *c, int64_t customer_id, int64_t amount, const char *payment_method, json_t **out);

/* Renew: extend expires_on by the member type's validity (from today when
 * already expired), record the annual fee paid as a ledger line; count cards
 * get their uses again. */
GxErr membership_renew(Ctx *c, int64_t customer_id, const char *payment_method, json_t **out);

/* Spend points (积分兑换) on what `reason` says: points > 0, at most what the
 * member holds once expired points are gone (422 otherwise); one ledger
 * line. Points expiring soonest are spent first (points.c); a daily job
 * takes expired points away. *out is the customer afterwards. */
GxErr membership_redeem_points(Ctx *c, int64_t customer_id, int64_t points, const char *reason, json_t **out);

/* Reports (checkouts read scope "all" or administrators):
 * daily journal of a business day, one page of its lines: {"date", "lines":
 * [...] (limit lines from offset, in time order), "count", "amount", "total"
 * (all lines of the day, whatever the page), "limit", "offset", "truncated"
 * (lines after this page), "money": [top-ups and fees of the day],
 * "money_total"}, lines optionally only of one payment method and/or
 * resource kind (NULL or "" = all); limit 1..MS_JOURNAL_PAGE_MAX, offset
 * >= 0 (field errors otherwise);
 * membership_journal_each: every line of the day (same filters), handed to
 * each() a page (a JSON array of lines) at a time, for exports; stops at
 * the first error each() returns;
 * income per period ("month", "year", "total") between from and to
 * (YYYY-MM-DD, optional): {"period", "rows": [{"period", "count", "total",
 * "cash", "topups", "fees", "received"}], and the same sums over all rows}:
 * total = checkouts (consumption), cash = the part of it paid in cash or by
 * card, topups = stored value paid in (bonus excluded), fees = membership
 * fees, received = money that came in: cash + topups + fees not paid from
 * stored value;
 * consumption of one member (or of all members when customer_id is 0):
 * {"rows": [{customer_id, name, count, total}]};
 * by resource: {"rows": [{resource_id, name, kind, count, quantity, total}]}. */
#define MS_JOURNAL_PAGE 100      /* journal lines per page unless asked otherwise */
#define MS_JOURNAL_PAGE_MAX 1000 /* at most this many per page */
GxErr membership_daily_journal(Ctx *c, const char *date, const char *payment_method, const char *kind, int64_t limit,
                               int64_t offset, json_t **out);
GxErr membership_journal_each(Ctx *c, const char *date, const char *payment_method, const char *kind,
                              GxErr (*each)(Ctx *c, json_t *lines, void *arg), void *arg);
GxErr membership_income(Ctx *c, const char *period, const char *from, const char *to, json_t **out);
GxErr membership_consumption(Ctx *c, int64_t customer_id, const char *from, const char *to, json_t **out);
GxErr membership_by_resource(Ctx *c, const char *from, const char *to, json_t **out);

/* Member care: members expiring within `days`, not seen for 30 days, and
 * with a birthday within 7 days: {"expiring": [...], "absent": [...],
 * "birthdays": [...]}; each item {id, name, card_no, phone, expires_on,
 * last_visit_at, birthday}. Read scope of customers applies. */
GxErr membership_care(Ctx *c, int days, json_t **out);

/* Demo data: member types, resources, members, today's bookings, checkouts. */
GxErr membership_demo(Ctx *c);

#endif
