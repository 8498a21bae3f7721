/* internal.h — what the files of the membership module share. */
#ifndef GX_MEMBERSHIP_INTERNAL_H
#define GX_MEMBERSHIP_INTERNAL_H

#include "../../acl/acl.h"
#include "../../record/record.h"
#include "../membership.h"

/* A member's accounts as stored on the customer row. */
typedef struct Member {
    int64_t id;             /* customers.id */
    int64_t member_type_id; /* 0 when not a member */
    int64_t balance;        /* stored value paid in, fen */
    int64_t bonus;          /* bonus money (赠送金), fen */
    int64_t points;         /* points */
    int64_t count_left;     /* uses left on a count card */
    const char *expires_on; /* "YYYY-MM-DD" or NULL */
    const char *name;       /* customer name */
    const char *card_no;    /* card number or NULL */
} Member;

/* A member type. */
typedef struct MemberType {
    int64_t id;
    const char *name;
    const char *card_kind;  /* discount, stored_value, count */
    const char *count_kind; /* count cards: resource kind, or NULL */
    int64_t discount_pct, annual_fee, valid_months, topup_threshold, topup_bonus, count_uses;
    int64_t points_per_yuan, points_valid_months;
    bool active;
} MemberType;

/* Changes to a member's accounts, applied together with their ledger lines. */
typedef struct MemberDelta {
    int64_t balance, bonus, points, count; /* signed changes */
    const char *reason;                    /* why (ledger) */
    const char *payment_method;            /* or NULL */
    int64_t checkout_id;                   /* or 0 */
    const char *points_expire_on;          /* for a points award, or NULL */
    const char *visit_at;                  /* sets last_visit_at, or NULL */
} MemberDelta;

/* The message in the request's language. */
const char *ms_msg(const Ctx *c, const char *zh, const char *en);

/* Read a member's accounts (no scope check: callers check the record).
 * lock: inside a transaction, lock the row against concurrent payments
 * (PostgreSQL; SQLite transactions are serialised already). */
GxErr ms_member_load(Ctx *c, int64_t id, bool lock, Member *m);

/* Read a member type; GX_ENOTFOUND if none. */
GxErr ms_type_load(Ctx *c, int64_t id, MemberType *t);

/* Inside the caller's transaction: apply d to member m (never below zero:
 * GX_EINVALID naming `field`), write one ledger line per changed account and
 * an audit entry. Updates m. */
GxErr ms_member_apply(Ctx *c, Member *m, const MemberDelta *d, const char *field);

/* Is the membership expired on business day `day` ("YYYY-MM-DD")? */
bool ms_expired_on(const Member *m, const char *day);

/* Copy the failure of a helper context back into c. */
void ms_copy_err(Ctx *c, const Ctx *w);

/* Hooks and actions of each file. */
void ms_members_init(void);
void ms_bookings_init(void);
void ms_checkouts_init(void);
void ms_reminders_init(void);
void ms_summary_init(void);
void ms_points_init(void);

/* Business day of the request's "now" (record_now), for ledger lines. */
const char *ms_ledger_day(Ctx *c);

/* The customer as a member the user may change: read in scope (404 beyond),
 * edit in scope (403), with a member type (422, loaded into t). */
GxErr ms_member_for_write(Ctx *c, int64_t id, MemberType *t);

/* Run fn in one transaction on member id, its row locked; *out is the
 * customer afterwards (through the engine, so hidden fields stay hidden). */
GxErr ms_member_tx(Ctx *c, int64_t id, GxErr (*fn)(Ctx *, Member *, void *), void *arg, json_t **out);

/* Per-day summaries (summary.c), inside the checkout's transaction: one
 * checkout of `total` on business day `day`, of which `cash` was paid in
 * cash or by bank card (not from stored value or a count card); one line of
 * a resource. */
GxErr ms_summary_add(Ctx *c, const char *day, int64_t total, int64_t cash);
/* Money in at the desk without a checkout, on business day `day`: a top-up
 * paid in, a membership fee and the part of it paid in cash or by card. */
GxErr ms_summary_money(Ctx *c, const char *day, int64_t topup, int64_t fee, int64_t fee_cash);
GxErr ms_summary_add_line(Ctx *c, const char *day, int64_t resource_id, int64_t quantity, int64_t total);

/* A member's checkout of business day `day` in its month's summary
 * (member consumption). */
GxErr ms_summary_member(Ctx *c, const char *day, int64_t customer_id, int64_t total, int64_t discount, int64_t points);

/* Recompute the summaries from the checkouts and their lines (the caller's
 * transaction, or none). */
GxErr ms_summary_rebuild(Ctx *c);

#endif
