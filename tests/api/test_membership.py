"""Membership, booking and checkout (issue 7): member types, members with
cards, top-ups with bonus money, renewals, resources, bookings that can never
overlap (also under a race of 20 requests), cancel / no-show, checkouts priced
on the server and written all or nothing, the ledger, reports and access."""
import datetime
import threading
import unittest

from client import ADMIN_PASSWORD, USER_PASSWORD, admin, make_user, uniq

TZ = datetime.timezone(datetime.timedelta(hours=8))


def day(offset=1):
    """A business day (UTC+8) offset days from today."""
    return (datetime.datetime.now(TZ) + datetime.timedelta(days=offset)).date()


def at(d, hh, mm=0):
    """RFC 3339 of business day d at hh:mm (UTC+8)."""
    return datetime.datetime(d.year, d.month, d.day, hh, mm, tzinfo=TZ).isoformat()


def utc(d, hh, mm=0):
    """The same instant as stored (UTC, Z)."""
    t = datetime.datetime(d.year, d.month, d.day, hh, mm, tzinfo=TZ).astimezone(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def race(n, fn):
    results = [None] * n
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        results[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def member_type(**kw):
    body = {"name": uniq("type"), "discount_pct": 10, "annual_fee": 100000, "valid_months": 12}
    body.update(kw)
    return admin().create("member_types", body)


def member(type_id, **kw):
    body = {"name": uniq("member"), "kind": "individual", "member_type_id": type_id}
    body.update(kw)
    return admin().create("customers", body)


def resource(**kw):
    body = {"name": uniq("court"), "kind": "venue", "price_per_hour": 8000, "opening_time": "08:00",
            "closing_time": "22:00"}
    body.update(kw)
    return admin().create("resources", body)


def journal_all(day, **q):
    """Every line of the day's journal (all its pages) and the first page's answer."""
    lines, offset, first = [], 0, None
    while True:
        r = admin().get("reports/daily_journal", query=dict(q, date=day, limit=1000, offset=offset))
        assert r.status == 200, r
        first = first or r.body
        lines += r.body["lines"]
        if not r.body["truncated"]:
            return lines, first
        offset += len(r.body["lines"])


def ledger(cid):
    return admin().list("member_ledger", {"customer_id": cid, "sort": "created_at", "limit": 500}).body["data"]


class MemberTypesAndMembers(unittest.TestCase):
    def test_member_gets_card_number_join_and_expiry(self):
        t = member_type(valid_months=12)
        m = member(t["id"])
        self.assertRegex(m["card_no"], r"^VIP\d{6}$")
        today = day(0)
        self.assertEqual(m["joined_on"], today.isoformat())
        exp = today.replace(year=today.year + 1) if not (today.month == 2 and today.day == 29) else today.replace(
            year=today.year + 1, day=28)
        self.assertEqual(m["expires_on"], exp.isoformat())
        self.assertEqual((m["balance"], m["points"], m["bonus_balance"]), (0, 0, 0))

    def test_typed_card_number_is_unique(self):
        t = member_type()
        card = uniq("C")
        member(t["id"], card_no=card)
        r = admin().post("customers", {"name": uniq("m"), "member_type_id": t["id"], "card_no": card})
        self.assertEqual(r.status, 409, r)
        self.assertIn("card_no", r.fields)

    def test_balance_and_points_are_read_only_to_patch(self):
        m = member(member_type()["id"])
        for field in ("balance", "points", "bonus_balance", "count_left"):
            r = admin().patch("customers/%d" % m["id"], {"version": m["version"], field: 100000})
            self.assertEqual(r.status, 422, r)
            self.assertIn(field, r.fields)
        self.assertEqual(admin().read("customers", m["id"])["balance"], 0)
        self.assertEqual(ledger(m["id"]), [])

    def test_top_up_with_bonus_kept_apart(self):
        t = member_type(card_kind="stored_value", topup_threshold=100000, topup_bonus=10000)
        m = member(t["id"])
        r = admin().post("customers/%d/top_up" % m["id"], {"amount": 250000, "payment_method": "cash"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["balance"], 250000)
        self.assertEqual(r.body["bonus_balance"], 20000)  # 充 1,000 送 100, twice
        lines = ledger(m["id"])
        self.assertEqual([(l["kind"], l["delta"], l["after"]) for l in lines],
                         [("balance", 250000, 250000), ("bonus", 20000, 20000)])
        self.assertEqual(lines[0]["created_by"], admin().id)

    def test_top_up_bad_input_writes_nothing(self):
        m = member(member_type()["id"])
        for body in ({"amount": 0}, {"amount": -5}, {"amount": "10"}, {"amount": 100, "payment_method": "gold"}):
            r = admin().post("customers/%d/top_up" % m["id"], body)
            self.assertEqual(r.status, 422, (body, r))
        plain = admin().create("customers", {"name": uniq("plain")})
        r = admin().post("customers/%d/top_up" % plain["id"], {"amount": 100})
        self.assertEqual(r.status, 422, r)
        self.assertIn("member_type_id", r.fields)
        self.assertEqual(admin().read("customers", m["id"])["balance"], 0)
        self.assertEqual(ledger(m["id"]), [])

    def test_renew_extends_expiry_and_records_the_fee(self):
        t = member_type(valid_months=6, annual_fee=60000)
        m = member(t["id"], joined_on="2020-01-01", expires_on="2020-07-01")  # long expired
        r = admin().post("customers/%d/renew" % m["id"], {"payment_method": "card"})
        self.assertEqual(r.status, 200, r)
        today = day(0)
        self.assertGreater(r.body["expires_on"], today.isoformat())
        fee = [l for l in ledger(m["id"]) if l["kind"] == "fee"]
        self.assertEqual([(l["delta"], l["payment_method"]) for l in fee], [(60000, "card")])
        again = admin().post("customers/%d/renew" % m["id"], {}).body
        self.assertGreater(again["expires_on"], r.body["expires_on"])


class Bookings(unittest.TestCase):
    def test_book_and_conflict(self):
        res = resource()
        d = day(2)
        m = member(member_type()["id"])
        r = admin().post("bookings", {"resource_id": res["id"], "customer_id": m["id"], "start_at": at(d, 10),
                                      "end_at": at(d, 11)})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["status"], "booked")
        self.assertEqual(r.body["start_at"], utc(d, 10))
        for s, e in ((10, 11), (10, 10.5), (9.5, 10.5), (10.5, 12), (9, 12)):
            sh, sm = int(s), int((s % 1) * 60)
            eh, em = int(e), int((e % 1) * 60)
            c = admin().post("bookings", {"resource_id": res["id"], "guest_name": "张三", "start_at": at(d, sh, sm),
                                          "end_at": at(d, eh, em)})
            self.assertEqual(c.status, 409, (s, e, c))
            self.assertEqual(c.error["code"], "resource_booked")
        # touching intervals are fine
        ok = admin().post("bookings", {"resource_id": res["id"], "guest_name": "李四", "start_at": at(d, 11),
                                       "end_at": at(d, 12)})
        self.assertEqual(ok.status, 201, ok)
        lst = admin().list("bookings", {"resource_id": res["id"]}).body
        self.assertEqual(lst["total"], 2)

    def test_conflict_message_in_chinese(self):
        res = resource()
        d = day(2)
        admin().create("bookings", {"resource_id": res["id"], "guest_name": "A", "start_at": at(d, 9), "end_at": at(d, 10)})
        r = admin().post("bookings", {"resource_id": res["id"], "guest_name": "B", "start_at": at(d, 9), "end_at": at(d, 10)},
                         headers={"Accept-Language": "zh-CN"})
        self.assertEqual(r.status, 409)
        self.assertIn("资源已被预定", r.error["message"])

    def test_twenty_concurrent_requests_yield_one_booking(self):
        res = resource()
        d = day(3)
        results = race(20, lambda i: admin().post("bookings", {"resource_id": res["id"], "guest_name": "g%d" % i,
                                                              "start_at": at(d, 14), "end_at": at(d, 15)}))
        statuses = sorted(r.status for r in results)
        self.assertEqual(statuses, [201] + [409] * 19, [r for r in results if r.status not in (201, 409)])
        self.assertEqual(admin().list("bookings", {"resource_id": res["id"]}).body["total"], 1)

    def test_overlapping_race_yields_one_booking(self):
        res = resource()
        d = day(3)
        spans = [(9, 11), (10, 12)]
        results = race(2, lambda i: admin().post("bookings", {"resource_id": res["id"], "guest_name": "g",
                                                             "start_at": at(d, spans[i][0]), "end_at": at(d, spans[i][1])}))
        self.assertEqual(sorted(r.status for r in results), [201, 409])

    def test_bad_bookings_write_nothing(self):
        res = resource()
        off = resource(active=False)
        drink = resource(kind="consumable", unit_price=500, price_per_hour=None)
        expired = member(member_type()["id"], joined_on="2020-01-01", expires_on="2020-12-31")
        d = day(2)
        cases = [
            ({"resource_id": res["id"], "guest_name": "x", "start_at": at(d, 11), "end_at": at(d, 10)}, "end_at"),
            ({"resource_id": res["id"], "guest_name": "x", "start_at": at(d, 7), "end_at": at(d, 9)}, "start_at"),
            ({"resource_id": res["id"], "guest_name": "x", "start_at": at(d, 21), "end_at": at(d, 23)}, "start_at"),
            ({"resource_id": res["id"], "guest_name": "x", "start_at": at(day(-2), 10), "end_at": at(day(-2), 11)}, "start_at"),
            ({"resource_id": off["id"], "guest_name": "x", "start_at": at(d, 10), "end_at": at(d, 11)}, "resource_id"),
            ({"resource_id": drink["id"], "guest_name": "x", "start_at": at(d, 10), "end_at": at(d, 11)}, "resource_id"),
            ({"resource_id": res["id"], "customer_id": expired["id"], "start_at": at(d, 10), "end_at": at(d, 11)}, "customer_id"),
            ({"resource_id": res["id"], "start_at": at(d, 10), "end_at": at(d, 11)}, "customer_id"),
            ({"resource_id": res["id"], "guest_name": "x", "start_at": "tomorrow", "end_at": at(d, 11)}, "start_at"),
        ]
        for body, field in cases:
            r = admin().post("bookings", body)
            self.assertEqual(r.status, 422, (body, r))
            self.assertIn(field, r.fields, (body, r))
        for rid in (res["id"], off["id"], drink["id"]):
            self.assertEqual(admin().list("bookings", {"resource_id": rid}).body["total"], 0)

    def test_late_entry_allows_the_past(self):
        res = resource()
        d = day(-1)
        r = admin().post("bookings", {"resource_id": res["id"], "guest_name": "x", "start_at": at(d, 10),
                                      "end_at": at(d, 11), "late_entry": True})
        self.assertEqual(r.status, 201, r)

    def test_cancel_and_no_show_free_the_time(self):
        res = resource()
        d = day(2)
        b = admin().create("bookings", {"resource_id": res["id"], "guest_name": "x", "start_at": at(d, 10), "end_at": at(d, 11)})
        r = admin().post("bookings/%d/cancel" % b["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["status"], "cancelled")
        self.assertEqual(admin().post("bookings/%d/cancel" % b["id"]).status, 409)
        b2 = admin().create("bookings", {"resource_id": res["id"], "guest_name": "y", "start_at": at(d, 10), "end_at": at(d, 11)})
        r = admin().post("bookings/%d/no_show" % b2["id"])
        self.assertEqual((r.status, r.body["status"]), (200, "no_show"))
        admin().create("bookings", {"resource_id": res["id"], "guest_name": "z", "start_at": at(d, 10), "end_at": at(d, 11)})

    def test_moving_a_booking_onto_another_conflicts(self):
        res = resource()
        d = day(2)
        admin().create("bookings", {"resource_id": res["id"], "guest_name": "x", "start_at": at(d, 10), "end_at": at(d, 11)})
        b = admin().create("bookings", {"resource_id": res["id"], "guest_name": "y", "start_at": at(d, 12), "end_at": at(d, 13)})
        r = admin().patch("bookings/%d" % b["id"], {"version": b["version"], "start_at": at(d, 10, 30), "end_at": at(d, 11, 30)})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(admin().read("bookings", b["id"])["start_at"], utc(d, 12))

    def test_availability(self):
        res = resource()
        d = day(4)
        b = admin().create("bookings", {"resource_id": res["id"], "guest_name": "x", "start_at": at(d, 10), "end_at": at(d, 11)})
        r = admin().get("bookings/availability", query={"date": d.isoformat()})
        self.assertEqual(r.status, 200, r)
        mine = [x for x in r.body["resources"] if x["id"] == res["id"]][0]
        self.assertEqual([(x["start_at"], x["end_at"], x["booking_id"]) for x in mine["booked"]],
                         [(utc(d, 10), utc(d, 11), b["id"])])
        self.assertEqual(admin().get("bookings/availability", query={"date": "soon"}).status, 422)

    def test_availability_lists_each_resources_bookings_in_start_order(self):
        """The day is read in start order from one index (migration 7), not
        sorted by resource: each resource's bookings must still come in
        start order, whatever order they were made in."""
        a, b = resource(), resource()
        d = day(6)
        made = [(a, 15), (b, 9), (a, 8), (b, 20), (a, 11)]
        ids = {}
        for res, h in made:
            ids[(res["id"], h)] = admin().create("bookings", {"resource_id": res["id"], "guest_name": "g",
                                                              "start_at": at(d, h), "end_at": at(d, h, 45)})["id"]
        r = admin().get("bookings/availability", query={"date": d.isoformat()})
        self.assertEqual(r.status, 200, r)
        for res in (a, b):
            mine = [x for x in r.body["resources"] if x["id"] == res["id"]][0]
            hours = sorted(h for rr, h in made if rr is res)
            self.assertEqual([(x["start_at"], x["booking_id"]) for x in mine["booked"]],
                             [(utc(d, h), ids[(res["id"], h)]) for h in hours])

    def test_day_view_names_only_members_the_user_may_read(self):
        """The day view shows a member's name only to staff who may read that
        customer (scope, pool, field rules) and otherwise "Booked"; the
        booking's time and link stay."""
        from client import login_client, request
        from test_roles import make_role
        OWN = {"read": "own", "create": "own", "edit": "own", "delete": "own", "export": "own"}
        ALL = {"read": "all", "create": "all", "edit": "all", "delete": "all", "export": "all"}
        perms = {"bookings": dict(ALL), "resources": {"read": "all"}, "customers": dict(OWN)}
        role = make_role(perms)
        hidden = make_role(perms, {"customers": {"name": "hidden"}})
        user, _ = make_user(roles=(role["code"],))
        blind, _ = make_user(roles=(hidden["code"],))
        res = resource()
        d = day(5)
        t = member_type()
        theirs = member(t["id"], owner_id=user["id"])
        others = member(t["id"])
        mine_blind = member(t["id"], owner_id=blind["id"])
        b1 = admin().create("bookings", {"resource_id": res["id"], "customer_id": theirs["id"],
                                         "start_at": at(d, 9), "end_at": at(d, 10)})
        b2 = admin().create("bookings", {"resource_id": res["id"], "customer_id": others["id"],
                                         "start_at": at(d, 10), "end_at": at(d, 11)})
        admin().create("bookings", {"resource_id": res["id"], "customer_id": mine_blind["id"],
                                    "start_at": at(d, 11), "end_at": at(d, 12)})

        def row(username, password=USER_PASSWORD):
            r = login_client(username, password, cookie=True).get(
                "/app/bookings/day", query={"date": d.isoformat()}, headers={"Accept": "text/html"})
            self.assertEqual(r.status, 200, r)
            text = r.text
            start = text.index('<tr data-resource="%d">' % res["id"])
            return text[start:text.index("</tr>", start)]

        mine = row(user["username"])
        self.assertIn('<a href="/app/bookings/%d">%s</a>' % (b1["id"], theirs["name"]), mine)
        self.assertIn('<a href="/app/bookings/%d">已预定</a>' % b2["id"], mine)
        self.assertNotIn(others["name"], mine)
        self.assertIn('title="10:00–11:00"', mine)
        blind_row = row(blind["username"])
        self.assertNotIn(mine_blind["name"], blind_row)
        self.assertNotIn(theirs["name"], blind_row)
        everyone = row("admin", ADMIN_PASSWORD)
        for m in (theirs, others, mine_blind):
            self.assertIn(m["name"], everyone)

    def test_day_view_times_on_both_utc_dates_of_the_business_day(self):
        """A business day (UTC+8) is stored under two UTC dates (16:00Z to
        16:00Z); the grid reads the stored times of either date on a short
        path: a booking from 07:00 to 08:30 (23:00Z to 00:30Z) and one from
        23:00 to 24:00 (15:00Z to 16:00Z) sit in their columns with their
        business times, a guest's name shown."""
        from client import login_client
        res = resource(opening_time="06:00", closing_time="24:00")
        d = day(7)
        early = admin().create("bookings", {"resource_id": res["id"], "guest_name": "早客",
                                            "start_at": at(d, 7), "end_at": at(d, 8, 30)})
        late = admin().create("bookings", {"resource_id": res["id"], "guest_name": "晚客",
                                           "start_at": at(d, 23), "end_at": at(d, 23, 30)})
        self.assertEqual(admin().read("bookings", early["id"])["start_at"], utc(d, 7))
        r = login_client("admin", ADMIN_PASSWORD, cookie=True).get(
            "/app/bookings/day", query={"date": d.isoformat()}, headers={"Accept": "text/html"})
        self.assertEqual(r.status, 200, r)
        start = r.text.index('<tr data-resource="%d">' % res["id"])
        row = r.text[start:r.text.index("</tr>", start)]
        self.assertIn('colspan="3" title="07:00–08:30"><a href="/app/bookings/%d">早客</a>' % early["id"], row)
        self.assertIn('title="23:00–23:30"><a href="/app/bookings/%d">晚客</a>' % late["id"], row)
        # 06:00-07:00 free before the early booking, 23:30-24:00 after the late one (the last column)
        self.assertLess(row.index('title="06:00–07:00"'), row.index('title="07:00–08:30"'))
        self.assertTrue(row.endswith('title="23:30–24:00">+</button></td>'), row[-200:])

    def test_day_view_shows_each_change_at_once(self):
        """The grid's rows are remembered between views while nothing is
        written (booking/day cache by write generation): a booking made, a
        member renamed, a booking cancelled each show on the next view."""
        from client import login_client
        res = resource()
        d = day(8)
        m = member(member_type()["id"])
        web = login_client("admin", ADMIN_PASSWORD, cookie=True)

        def row():
            r = web.get("/app/bookings/day", query={"date": d.isoformat()}, headers={"Accept": "text/html"})
            self.assertEqual(r.status, 200, r)
            start = r.text.index('<tr data-resource="%d">' % res["id"])
            return r.text[start:r.text.index("</tr>", start)]

        self.assertNotIn("slot booked", row())
        self.assertNotIn("slot booked", row())  # the same rows again
        b = admin().create("bookings", {"resource_id": res["id"], "customer_id": m["id"],
                                        "start_at": at(d, 9), "end_at": at(d, 10)})
        self.assertIn('<a href="/app/bookings/%d">%s</a>' % (b["id"], m["name"]), row())
        new_name = uniq("renamed")
        self.assertEqual(admin().patch("customers/%d" % m["id"], {"name": new_name, "version": m["version"]}).status, 200)
        self.assertIn('<a href="/app/bookings/%d">%s</a>' % (b["id"], new_name), row())
        self.assertEqual(admin().post("bookings/%d/cancel" % b["id"], {}).status, 200)
        self.assertNotIn('href="/app/bookings/%d"' % b["id"], row())

    def test_public_availability_has_no_personal_data(self):
        res = resource(public=True)
        d = day(4)
        m = member(member_type()["id"])
        admin().create("bookings", {"resource_id": res["id"], "customer_id": m["id"], "start_at": at(d, 10), "end_at": at(d, 11)})
        from client import request
        r = request("GET", "/api/v1/public/availability?date=" + d.isoformat())
        self.assertEqual(r.status, 200, r)
        mine = [x for x in r.body["resources"] if x["id"] == res["id"]][0]
        self.assertEqual(mine["booked"], [{"start_at": utc(d, 10), "end_at": utc(d, 11)}])
        self.assertNotIn(m["name"], r.text)
        page = request("GET", "/availability?date=" + d.isoformat(), headers={"Accept": "text/html"})
        self.assertEqual(page.status, 200)
        self.assertIn(res["name"], page.text)
        self.assertNotIn(m["name"], page.text)
        private = resource()
        self.assertFalse([x for x in r.body["resources"] if x["id"] == private["id"]])


class Checkouts(unittest.TestCase):
    def setUp(self):
        self.type = member_type(discount_pct=12, points_per_yuan=2, card_kind="stored_value")
        self.court = resource(price_per_hour=8000)
        self.coach = resource(kind="coach", price_per_hour=33333)
        self.drink = resource(kind="consumable", unit_price=650, points=3)

    def test_member_checkout_from_booking_with_drink_and_coach(self):
        m = member(self.type["id"])
        d = day(1)
        b = admin().create("bookings", {"resource_id": self.court["id"], "customer_id": m["id"], "start_at": at(d, 9),
                                        "end_at": at(d, 10, 30)})
        r = admin().post("checkouts", {"card_no": m["card_no"], "payment_method": "cash", "amount_paid": 100000,
                                       "lines": [{"booking_id": b["id"]},
                                                 {"resource_id": self.drink["id"], "quantity": 3},
                                                 {"resource_id": self.coach["id"], "start_at": at(d, 9), "end_at": at(d, 10)}]})
        self.assertEqual(r.status, 201, r)
        # court 1.5 h × 80.00 = 120.00; drinks 3 × 6.50 = 19.50; coach 1 h × 333.33
        self.assertEqual(r.body["amount_due"], 12000 + 1950 + 33333)
        self.assertEqual(r.body["discount"], 5674)  # 12% of 472.83 = 56.7396 -> 56.74
        self.assertEqual(r.body["total"], 47283 - r.body["discount"])
        self.assertEqual(r.body["change_given"], 100000 - r.body["total"])
        self.assertEqual(r.body["points_awarded"], (r.body["total"] // 100) * 2 + 9)
        self.assertEqual(r.body["customer_id"], m["id"])
        self.assertFalse(r.body["member_expired"])
        self.assertEqual(sum(l["total"] for l in r.body["lines"]), r.body["total"])
        self.assertEqual(admin().read("bookings", b["id"])["status"], "completed")
        after = admin().read("customers", m["id"])
        self.assertEqual(after["points"], r.body["points_awarded"])
        self.assertIsNotNone(after["last_visit_at"])
        pts = [l for l in ledger(m["id"]) if l["kind"] == "points"]
        self.assertEqual([(p["delta"], p["checkout_id"]) for p in pts], [(r.body["points_awarded"], r.body["id"])])

    def test_checkout_moves_the_accounts_not_the_customers_updated_at(self):
        """The accounts are the desk's (like a customer's purchases): a
        checkout changes balance, points, last visit and the version, and
        writes ledger lines and a history entry naming the desk user, but
        leaves updated_at / updated_by, which three customer indexes hold."""
        _, desk = make_user(roles=("front_desk",))
        m = member(self.type["id"])
        self.assertEqual(admin().post("customers/%d/top_up" % m["id"], {"amount": 50000}).status, 200)
        before = admin().read("customers", m["id"])
        r = desk.post("checkouts", {"customer_id": m["id"], "payment_method": "stored_value",
                                    "lines": [{"resource_id": self.drink["id"], "quantity": 2}]})
        self.assertEqual(r.status, 201, r)
        after = admin().read("customers", m["id"])
        self.assertEqual(after["balance"], before["balance"] - r.body["total"])
        self.assertEqual(after["points"], before["points"] + r.body["points_awarded"])
        self.assertGreater(after["version"], before["version"])
        self.assertIsNotNone(after["last_visit_at"])
        self.assertEqual((after["updated_at"], after["updated_by"]), (before["updated_at"], before["updated_by"]))
        lines = [l for l in ledger(m["id"]) if l["checkout_id"] == r.body["id"]]
        self.assertEqual(sorted((l["kind"], l["delta"], l["created_by"]) for l in lines),
                         [("balance", -r.body["total"], desk.id), ("points", r.body["points_awarded"], desk.id)])
        audit = admin().get("audit", query={"entity": "customers", "record_id": str(m["id"])})
        self.assertEqual(audit.status, 200, audit)
        self.assertTrue([a for a in audit.body["data"] if a["user_id"] == desk.id and "balance" in (a["diff"] or {})],
                        audit.body["data"])

    def test_discount_exact_to_the_fen(self):
        m = member(self.type["id"])
        r = admin().post("checkouts", {"customer_id": m["id"], "payment_method": "card",
                                       "lines": [{"resource_id": self.drink["id"], "quantity": 1}]})
        self.assertEqual(r.status, 201, r)
        # 6.50 × 12% = 0.78
        self.assertEqual((r.body["amount_due"], r.body["discount"], r.body["total"]), (650, 78, 572))
        r = admin().post("checkouts", {"customer_id": m["id"], "payment_method": "card",
                                       "lines": [{"resource_id": self.coach["id"], "start_at": at(day(1), 9),
                                                  "end_at": at(day(1), 9, 20)}]})
        # 20 min of 333.33/h = 111.11; 12% = 13.3332 -> 13.33
        self.assertEqual((r.body["amount_due"], r.body["discount"], r.body["total"]), (11111, 1333, 9778))

    def test_stored_value_payment_and_not_below_zero(self):
        m = member(self.type["id"])
        admin().post("customers/%d/top_up" % m["id"], {"amount": 1000})
        before = ledger(m["id"])
        r = admin().post("checkouts", {"customer_id": m["id"], "payment_method": "stored_value",
                                       "lines": [{"resource_id": self.drink["id"], "quantity": 2}]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("payment_method", r.fields)
        self.assertEqual(admin().read("customers", m["id"])["balance"], 1000)
        self.assertEqual(ledger(m["id"]), before)
        r = admin().post("checkouts", {"customer_id": m["id"], "payment_method": "stored_value",
                                       "lines": [{"resource_id": self.drink["id"], "quantity": 1}]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["balance_used"], 572)
        self.assertEqual(admin().read("customers", m["id"])["balance"], 1000 - 572)

    def test_failed_checkout_leaves_nothing(self):
        m = member(self.type["id"])
        d = day(1)
        b = admin().create("bookings", {"resource_id": self.court["id"], "customer_id": m["id"], "start_at": at(d, 15),
                                        "end_at": at(d, 16)})
        n_before = admin().list("checkouts", {"customer_id": m["id"]}).body["total"]
        income_before = admin().get("reports/income", query={"period": "total"}).body["total"]
        # the booking line is processed (and the booking marked) before the balance check fails
        r = admin().post("checkouts", {"customer_id": m["id"], "payment_method": "stored_value",
                                       "lines": [{"booking_id": b["id"]}, {"resource_id": self.drink["id"], "quantity": 1}]})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(admin().read("bookings", b["id"])["status"], "booked")
        self.assertEqual(admin().list("checkouts", {"customer_id": m["id"]}).body["total"], n_before)
        self.assertEqual(admin().list("checkout_lines", {"customer_id": m["id"]}).body["total"], 0)
        self.assertEqual(admin().get("reports/income", query={"period": "total"}).body["total"], income_before)
        c = admin().read("customers", m["id"])
        self.assertEqual((c["balance"], c["points"], c["last_visit_at"]), (0, 0, None))
        self.assertEqual(ledger(m["id"]), [])

    def test_bad_checkouts(self):
        m = member(self.type["id"])
        cases = [
            ({"customer_id": m["id"], "lines": [{"resource_id": self.drink["id"], "quantity": -1}]}, "lines[0].quantity"),
            ({"customer_id": m["id"], "lines": [{"resource_id": self.drink["id"], "quantity": 0}]}, "lines[0].quantity"),
            ({"customer_id": m["id"], "lines": []}, "lines"),
            ({"customer_id": m["id"], "extra_discount": 10000, "lines": [{"resource_id": self.drink["id"], "quantity": 1}]},
             "extra_discount"),
            ({"customer_id": m["id"], "amount_paid": 100, "lines": [{"resource_id": self.drink["id"], "quantity": 1}]},
             "amount_paid"),
            ({"card_no": "NO-SUCH-CARD", "lines": [{"resource_id": self.drink["id"], "quantity": 1}]}, "card_no"),
            ({"guest_name": "散客", "payment_method": "stored_value", "lines": [{"resource_id": self.drink["id"], "quantity": 1}]},
             "payment_method"),
            ({"customer_id": m["id"], "lines": [{"resource_id": self.court["id"], "start_at": at(day(1), 10),
                                                 "end_at": at(day(1), 9)}]}, "lines[0].end_at"),
            ({"customer_id": m["id"], "lines": [{"resource_id": self.drink["id"]}]}, "lines[0].start_at"),
        ]
        for body, field in cases:
            r = admin().post("checkouts", body)
            self.assertEqual(r.status, 422, (body, r))
            self.assertIn(field, r.fields, (body, r))
        self.assertEqual(admin().list("checkouts", {"customer_id": m["id"]}).body["total"], 0)
        self.assertEqual(ledger(m["id"]), [])

    def test_walk_in_guest_pays_full_price(self):
        r = admin().post("checkouts", {"payment_method": "cash", "lines": [{"resource_id": self.drink["id"], "quantity": 2}]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.body["amount_due"], r.body["discount"], r.body["total"], r.body["points_awarded"]),
                         (1300, 0, 1300, 0))
        self.assertTrue(r.body["guest_name"])

    def test_expired_member_is_flagged_without_discount(self):
        m = member(self.type["id"], joined_on="2020-01-01", expires_on="2020-12-31")
        r = admin().post("checkouts", {"customer_id": m["id"], "lines": [{"resource_id": self.drink["id"], "quantity": 1}]})
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.body["member_expired"])
        self.assertEqual((r.body["discount"], r.body["total"], r.body["points_awarded"]), (0, 650, 0))

    def test_count_card(self):
        t = member_type(card_kind="count", count_uses=2, count_kind="coach", discount_pct=0)
        m = member(t["id"])
        self.assertEqual(m["count_left"], 2)
        line = [{"resource_id": self.coach["id"], "quantity": 1}]
        for _ in range(2):
            r = admin().post("checkouts", {"customer_id": m["id"], "payment_method": "count_card", "lines": line})
            self.assertEqual(r.status, 201, r)
            self.assertEqual(r.body["total"], 0)
        r = admin().post("checkouts", {"customer_id": m["id"], "payment_method": "count_card", "lines": line})
        self.assertEqual(r.status, 422, r)
        r = admin().post("checkouts", {"customer_id": m["id"], "payment_method": "count_card",
                                       "lines": [{"resource_id": self.drink["id"], "quantity": 1}]})
        self.assertEqual(r.status, 422, r)
        self.assertEqual([l["delta"] for l in ledger(m["id"]) if l["kind"] == "count"], [2, -1, -1])

    def test_concurrent_checkouts_are_found_by_search_when_they_answer(self):
        """A checkout's search rows (number, guest name) are written just
        before the COMMIT that holds it (group commit: once for all the
        checkouts of that COMMIT): every checkout of 12 at once is found by
        its number and by its guest's name as soon as it has answered."""
        tag = uniq("guest")
        res = race(12, lambda i: admin().post("checkouts", {
            "guest_name": "%s-%02d" % (tag, i), "payment_method": "cash", "amount_paid": 100000,
            "lines": [{"resource_id": self.drink["id"], "quantity": i + 1}]}))
        for i, r in enumerate(res):
            self.assertEqual(r.status, 201, r)
            by_name = admin().list("checkouts", {"q": "%s-%02d" % (tag, i)}).body["data"]
            self.assertEqual([x["id"] for x in by_name], [r.body["id"]])
            by_number = admin().list("checkouts", {"q": r.body["number"]}).body["data"]
            self.assertEqual([x["id"] for x in by_number], [r.body["id"]])
        self.assertEqual(admin().list("checkouts", {"q": tag, "limit": 50}).body["total"], 12)

    def test_checkouts_cannot_be_edited(self):
        r = admin().post("checkouts", {"lines": [{"resource_id": self.drink["id"], "quantity": 1}]})
        self.assertEqual(admin().patch("checkouts/%d" % r.body["id"], {"version": 1, "notes": "x"}).status, 409)
        self.assertEqual(admin().delete("checkouts/%d" % r.body["id"]).status, 409)


class Reports(unittest.TestCase):
    def test_journal_income_and_consumption(self):
        t = member_type(discount_pct=0)
        drink = resource(kind="consumable", unit_price=1000)
        m = member(t["id"])
        r1 = admin().post("checkouts", {"customer_id": m["id"], "lines": [{"resource_id": drink["id"], "quantity": 2}]}).body
        r2 = admin().post("checkouts", {"customer_id": m["id"], "lines": [{"resource_id": drink["id"], "quantity": 1}]}).body
        today = r1["business_day"]
        mine = [l for l in journal_all(today)[0] if l["checkout_id"] in (r1["id"], r2["id"])]
        self.assertEqual([(l["quantity"], l["total"]) for l in mine], [(2, 2000), (1, 1000)])
        inc = admin().get("reports/income", query={"period": "month", "from": today, "to": today})
        self.assertEqual(inc.status, 200, inc)
        self.assertEqual(inc.body["rows"][0]["period"], today[:7])
        self.assertGreaterEqual(inc.body["total"], 3000)
        for p in ("year", "total"):
            self.assertEqual(admin().get("reports/income", query={"period": p}).status, 200)
        self.assertEqual(admin().get("reports/income", query={"period": "week"}).status, 422)
        c = admin().get("reports/member_consumption", query={"customer_id": m["id"]})
        self.assertEqual(c.status, 200, c)
        self.assertEqual([(x["count"], x["total"]) for x in c.body["rows"]], [(2, 3000)])
        self.assertEqual(len(c.body["checkouts"]), 2)
        # all members (the summed-by-member query): the member's row is the same
        every = admin().get("reports/member_consumption", query={"from": today, "to": today})
        self.assertEqual(every.status, 200, every)
        self.assertEqual([(x["count"], x["total"]) for x in every.body["rows"] if x["customer_id"] == m["id"]],
                         [(2, 3000)])
        totals = [x["total"] for x in every.body["rows"]]
        self.assertEqual(totals, sorted(totals, reverse=True))
        br = admin().get("reports/by_resource", query={"from": today, "to": today}).body
        self.assertEqual([x["total"] for x in br["rows"] if x["resource_id"] == drink["id"]], [3000])
        # statistics by type: each kind sums its resources' rows
        for k in br["kinds"]:
            rows = [x for x in br["rows"] if x["kind"] == k["kind"]]
            self.assertTrue(rows, k)
            self.assertEqual((k["count"], k["quantity"], k["total"]),
                             tuple(sum(x[f] for x in rows) for f in ("count", "quantity", "total")))
        self.assertIn("consumable", [k["kind"] for k in br["kinds"]])
        self.assertEqual(sum(k["total"] for k in br["kinds"]), br["total"])

    def test_all_members_consumption_sums_per_member_largest_first_ties_by_id(self):
        """All members' consumption is summed per member in the server (not
        by SQL's GROUP BY): each member's count, total, discount and points
        are their checkouts' sums; larger totals come first, equal totals
        by customer id."""
        t = member_type(discount_pct=10, points_per_yuan=1)
        drink = resource(kind="consumable", unit_price=1000)
        ms = [member(t["id"]) for _ in range(4)]
        quantities = {0: [1, 2], 1: [3], 2: [3], 3: [5, 1]}  # totals 27, 27, 27, 54 (yuan, after 10 %)
        made = {}
        for i, qs in quantities.items():
            made[ms[i]["id"]] = [admin().post("checkouts", {"customer_id": ms[i]["id"], "payment_method": "card",
                                                             "lines": [{"resource_id": drink["id"], "quantity": q}]}).body
                                 for q in qs]
        today = made[ms[0]["id"]][0]["business_day"]
        r = admin().get("reports/member_consumption", query={"from": today, "to": today})
        self.assertEqual(r.status, 200, r)
        mine = [x for x in r.body["rows"] if x["customer_id"] in made]
        want = sorted(made, key=lambda cid: (-sum(k["total"] for k in made[cid]), cid))
        self.assertEqual([x["customer_id"] for x in mine], want)
        for x in mine:
            ks = made[x["customer_id"]]
            self.assertEqual((x["count"], x["total"], x["discount"], x["points"]),
                             (len(ks), sum(k["total"] for k in ks), sum(k["discount"] for k in ks),
                              sum(k["points_awarded"] for k in ks)))
            self.assertTrue(x["card_no"], x)
        self.assertEqual(r.body["total"], sum(x["total"] for x in r.body["rows"]))

    def test_member_consumption_by_whole_months_and_days_agrees(self):
        """All members' consumption reads whole months from the per-member
        month summary (migration 7) and the days around them from the
        checkouts: every way of cutting a period around today gives the
        member's checkouts of today, exactly; a period without today none."""
        t = member_type(discount_pct=10, points_per_yuan=1)
        drink = resource(kind="consumable", unit_price=1234)
        m = member(t["id"])
        made = [admin().post("checkouts", {"customer_id": m["id"], "payment_method": "card",
                                           "lines": [{"resource_id": drink["id"], "quantity": q}]}).body
                for q in (1, 3)]
        today = datetime.date.fromisoformat(made[0]["business_day"])
        want = (2, sum(x["total"] for x in made), sum(x["discount"] for x in made),
                sum(x["points_awarded"] for x in made))
        first = today.replace(day=1)
        last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        prev_first = (first - datetime.timedelta(days=1)).replace(day=1)
        periods = [(today, today), (first, last), (prev_first, last), (prev_first, today), (first, today),
                   (today, last), (prev_first, today + datetime.timedelta(days=40)), (None, None), (None, today),
                   (today, None), (first - datetime.timedelta(days=3), today)]
        for f, to in periods:
            q = {}
            if f:
                q["from"] = f.isoformat()
            if to:
                q["to"] = to.isoformat()
            r = admin().get("reports/member_consumption", query=q)
            self.assertEqual(r.status, 200, r)
            got = [(x["count"], x["total"], x["discount"], x["points"]) for x in r.body["rows"]
                   if x["customer_id"] == m["id"]]
            self.assertEqual(got, [want], q)
        r = admin().get("reports/member_consumption", query={"from": prev_first.isoformat(),
                                                             "to": (first - datetime.timedelta(days=1)).isoformat()})
        self.assertEqual([x for x in r.body["rows"] if x["customer_id"] == m["id"]], [])


class Access(unittest.TestCase):
    def test_sales_rep_cannot_use_the_front_desk(self):
        _, rep = make_user(roles=("sales_rep",))
        res = resource()
        d = day(2)
        r = rep.post("bookings", {"resource_id": res["id"], "guest_name": "x", "start_at": at(d, 10), "end_at": at(d, 11)})
        self.assertIn(r.status, (403, 422), r)
        self.assertEqual(rep.post("checkouts", {"lines": [{"resource_id": res["id"], "quantity": 1}]}).status, 403)
        for path in ("reports/daily_journal?date=2026-01-01", "reports/income", "bookings/availability?date=2026-01-01"):
            self.assertEqual(rep.get(path).status, 403, path)
        self.assertEqual(rep.post("member_types", {"name": uniq("t")}).status, 403)
        self.assertEqual(admin().list("bookings", {"resource_id": res["id"]}).body["total"], 0)

    def test_front_desk_books_and_checks_out_but_does_not_manage_resources(self):
        _, desk = make_user(roles=("front_desk",))
        res = resource()
        m = member(member_type()["id"])
        d = day(2)
        r = desk.post("bookings", {"resource_id": res["id"], "customer_id": m["id"], "start_at": at(d, 10), "end_at": at(d, 11)})
        self.assertEqual(r.status, 201, r)
        r = desk.post("checkouts", {"customer_id": m["id"], "lines": [{"booking_id": r.body["id"]}]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(desk.get("reports/daily_journal", query={"date": r.body["business_day"]}).status, 200)
        self.assertEqual(desk.post("resources", {"name": uniq("r"), "kind": "venue"}).status, 403)
        self.assertEqual(desk.post("member_types", {"name": uniq("t")}).status, 403)
        self.assertEqual(desk.post("customers/%d/top_up" % m["id"], {"amount": 500}).status, 200)


if __name__ == "__main__":
    unittest.main()


class Care(unittest.TestCase):
    def test_expiring_member_in_care_and_the_desks_reminders(self):
        _, desk = make_user(roles=("front_desk",))
        soon = (day(0) + datetime.timedelta(days=5)).isoformat()
        m = member(member_type()["id"], expires_on=soon)
        later = member(member_type()["id"], expires_on=(day(0) + datetime.timedelta(days=90)).isoformat())
        care = desk.get("members/care", query={"days": 30})
        self.assertEqual(care.status, 200, care)
        ids = [x["id"] for x in care.body["expiring"]]
        self.assertIn(m["id"], ids)
        self.assertNotIn(later["id"], ids)
        rem = desk.get("reminders").body["data"]
        mine = [x for x in rem if x["kind"] == "member_expiring" and x["id"] == m["id"]]
        self.assertEqual([(x["entity"], x["date"]) for x in mine], [("customers", soon)])
        self.assertFalse([x for x in rem if x["id"] == later["id"] and x["kind"] == "member_expiring"])
        _, rep = make_user(roles=("sales_rep",))
        self.assertFalse([x for x in rep.get("reminders").body["data"] if x["kind"].startswith("member_")])
        self.assertEqual(desk.get("members/care", query={"days": 999}).status, 422)

    def test_birthdays_are_members_only_in_id_order(self):
        """Birthdays soon are read from the members' index (migration 7):
        members with a birthday in the next days, in id order; neither a
        customer who is no member nor a member whose birthday is months
        away is listed."""
        _, desk = make_user(roles=("front_desk",))
        today = day(0)
        bday = "1990-%02d-%02d" % (today.month, today.day if (today.month, today.day) != (2, 29) else 28)
        t = member_type()["id"]
        first = member(t, birthday=bday)
        second = member(t, birthday=bday)
        other = admin().create("customers", {"name": uniq("not a member"), "kind": "individual", "birthday": bday})
        far = member(t, birthday="1990-%02d-%02d" % (((today.month + 5) % 12) + 1, 15))
        care = desk.get("members/care", query={"days": 30})
        self.assertEqual(care.status, 200, care)
        ids = [x["id"] for x in care.body["birthdays"]]
        self.assertEqual([i for i in ids if i in (first["id"], second["id"])], [first["id"], second["id"]])
        self.assertNotIn(other["id"], ids)
        self.assertNotIn(far["id"], ids)
        self.assertEqual(ids, sorted(ids))
