/* membership_ui.h — what the front desk's page files share. */
#ifndef GX_MEMBERSHIP_UI_H
#define GX_MEMBERSHIP_UI_H

#include "ui.h"

/* The member panel: name, type, card, expiry (flagged when expired), balances. */
void ui_member_panel(Req *r, json_t *cust);

/* The error in r->c as an alert listing the field messages, written to o. */
void ui_member_errors(Req *r, Buf *o);

/* Pages (membership_desk.c). */
void ui_bookings_day(Req *r);
void ui_bookings_slot(Req *r);
void ui_bookings_slot_close(Req *r);
void ui_bookings_book(Req *r);
void ui_checkout_page(Req *r);
void ui_checkout_post(Req *r);
void ui_checkout_receipt(Req *r);
/* Pages (membership_pages.c). */
void ui_members_list(Req *r);
void ui_member_page(Req *r);
void ui_member_top_up(Req *r);
void ui_member_renew(Req *r);
void ui_member_redeem_points(Req *r);
void ui_members_care(Req *r);
void ui_front_desk_reports(Req *r);
void ui_daily_journal_page(Req *r);
void ui_front_desk_members(Req *r);
void ui_front_desk_export(Req *r);
void ui_public_availability(Req *r);

#endif
