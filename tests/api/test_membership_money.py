"""Membership money beyond the checkout (issue 7): points redemption and
expiry, top-ups and membership fees in the income report and the daily
journal, the journal's filters, its pages and its Excel export."""
import datetime
import io
import os
import re
import subprocess
import unittest
import zipfile

from client import ADMIN_PASSWORD, admin, login_client, make_user, uniq
from test_membership import journal_all, member, member_type, resource

GUANXI = os.environ.get("GUANXI", "build/guanxi")
DB = os.environ.get("GX_DB")


def ledger(cid):
    return admin().list("member_ledger", {"customer_id": cid, "sort": "id", "limit": 500}).body["data"]


def earn(m, drink, quantity):
    r = admin().post("checkouts", {"customer_id": m["id"], "payment_method": "cash",
                                   "lines": [{"resource_id": drink["id"], "quantity": quantity}]})
    assert r.status == 201, r
    return r.body


class Redemption(unittest.TestCase):
    def setUp(self):
        self.type = member_type(discount_pct=0, points_per_yuan=1, points_valid_months=12)
        self.drink = resource(kind="consumable", unit_price=1000)

    def test_redeem_takes_points_and_writes_the_ledger(self):
        m = member(self.type["id"])
        earn(m, self.drink, 5)  # 50.00 -> 50 points
        self.assertEqual(admin().read("customers", m["id"])["points"], 50)
        r = admin().post("customers/%d/redeem_points" % m["id"], {"points": 30, "reason": "兑换毛巾一条"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["points"], 20)
        line = ledger(m["id"])[-1]
        self.assertEqual((line["kind"], line["delta"], line["after"]), ("points", -30, 20))
        self.assertIn("兑换毛巾一条", line["reason"])
        self.assertEqual(line["business_day"], datetime.datetime.now(
            datetime.timezone(datetime.timedelta(hours=8))).date().isoformat())

    def test_bad_redemptions_change_nothing(self):
        m = member(self.type["id"])
        earn(m, self.drink, 2)  # 20 points
        before = (admin().read("customers", m["id"]), ledger(m["id"]))
        cases = [({"points": 21, "reason": "x"}, "points"),
                 ({"points": 0, "reason": "x"}, "points"),
                 ({"points": -5, "reason": "x"}, "points"),
                 ({"points": "10", "reason": "x"}, "points"),
                 ({"points": 5}, "reason"),
                 ({"points": 5, "reason": ""}, "reason"),
                 ({"points": 5, "reason": "长" * 60}, "reason")]
        for body, field in cases:
            r = admin().post("customers/%d/redeem_points" % m["id"], body)
            self.assertEqual(r.status, 422, (body, r))
            self.assertIn(field, r.fields, body)
        self.assertEqual((admin().read("customers", m["id"]), ledger(m["id"])), before)

    def test_not_a_member_and_out_of_scope(self):
        c = admin().create("customers", {"name": uniq("plain"), "kind": "individual"})
        r = admin().post("customers/%d/redeem_points" % c["id"], {"points": 1, "reason": "x"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("member_type_id", r.fields)
        m = member(self.type["id"])
        earn(m, self.drink, 1)
        _, rep = make_user(roles=("sales_rep",))
        self.assertEqual(rep.post("customers/%d/redeem_points" % m["id"], {"points": 1, "reason": "x"}).status, 404)
        self.assertEqual(admin().read("customers", m["id"])["points"], 10)


@unittest.skipUnless(DB, "needs GX_DB (tests/api/run.sh sets it)")
class Expiry(unittest.TestCase):
    def test_expired_points_go_first_and_only_once(self):
        t = member_type(discount_pct=0, points_per_yuan=1, points_valid_months=12)
        keep = member_type(discount_pct=0, points_per_yuan=1, points_valid_months=0)
        drink = resource(kind="consumable", unit_price=1000)
        m = member(t["id"])
        earn(m, drink, 8)  # 80 points, expiring in 12 months
        admin().post("customers/%d/redeem_points" % m["id"], {"points": 30, "reason": "礼品"})
        forever = member(keep["id"])
        earn(forever, drink, 4)  # 40 points that never expire
        # Two years on: the job takes the 50 points left of the expired award.
        at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=760)
        env = dict(os.environ, GX_TEST_CLOCK="1", GX_NOW=at.strftime("%Y-%m-%dT%H:%M:%SZ"))
        for _ in range(2):  # a second run (or another server) finds nothing more to do
            out = subprocess.run([GUANXI, "jobs", "run", "--db", DB], env=env, capture_output=True, text=True,
                                 timeout=120)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertEqual(admin().read("customers", m["id"])["points"], 0)
        gone = [l for l in ledger(m["id"]) if l["kind"] == "points" and l["delta"] < 0]
        self.assertEqual([l["delta"] for l in gone], [-30, -50])
        self.assertIn("过期", gone[-1]["reason"])
        self.assertEqual(admin().read("customers", forever["id"])["points"], 40)


class MoneyIn(unittest.TestCase):
    def income(self, day):
        r = admin().get("reports/income", query={"period": "total", "from": day, "to": day})
        self.assertEqual(r.status, 200, r)
        return r.body

    def test_topups_and_fees_count_as_money_received(self):
        t = member_type(discount_pct=0, annual_fee=50000, valid_months=12, card_kind="stored_value",
                        topup_threshold=100000, topup_bonus=10000)
        drink = resource(kind="consumable", unit_price=1000)
        m = member(t["id"])
        today = earn(m, drink, 1)["business_day"]  # 10.00 cash
        before = self.income(today)
        earn(m, drink, 2)  # 20.00 in cash
        self.assertEqual(admin().post("customers/%d/top_up" % m["id"], {"amount": 100000}).status, 200)  # +100 bonus
        r = admin().post("checkouts", {"customer_id": m["id"], "payment_method": "stored_value",
                                       "lines": [{"resource_id": drink["id"], "quantity": 3}]})  # 30.00 from the card
        self.assertEqual(r.status, 201, r)
        self.assertEqual(admin().post("customers/%d/renew" % m["id"], {"payment_method": "card"}).status, 200)
        self.assertEqual(admin().post("customers/%d/renew" % m["id"],
                                      {"payment_method": "stored_value"}).status, 200)
        after = self.income(today)
        delta = {k: after[k] - before[k] for k in ("total", "cash", "topups", "fees", "received")}
        self.assertEqual(delta, {"total": 2000 + 3000, "cash": 2000, "topups": 100000, "fees": 100000,
                                 "received": 2000 + 100000 + 50000})
        self.assertEqual(after["rows"][0]["received"], after["received"])
        _, j = journal_all(today)
        mine = [(x["kind"], x["amount"], x["payment_method"]) for x in j["money"] if x["customer_id"] == m["id"]]
        self.assertEqual(mine, [("balance", 100000, "cash"), ("fee", 50000, "card"), ("fee", 50000, "stored_value")])

    def test_journal_filters(self):
        t = member_type(discount_pct=0)
        drink = resource(kind="consumable", unit_price=700)
        m = member(t["id"])
        a = earn(m, drink, 1)
        b = admin().post("checkouts", {"customer_id": m["id"], "payment_method": "card",
                                       "lines": [{"resource_id": drink["id"], "quantity": 2}]}).body
        day = a["business_day"]
        ids = {a["id"], b["id"]}

        def lines(**q):
            return {(x["checkout_id"], x["payment_method"]) for x in journal_all(day, **q)[0] if x["checkout_id"] in ids}

        self.assertEqual(lines(), {(a["id"], "cash"), (b["id"], "card")})
        self.assertEqual(lines(payment_method="card"), {(b["id"], "card")})
        self.assertEqual(lines(kind="consumable", payment_method="cash"), {(a["id"], "cash")})
        self.assertEqual(lines(kind="venue"), set())
        for bad in ({"kind": "spa"}, {"payment_method": "bitcoin"}):
            r = admin().get("reports/daily_journal", query=dict(bad, date=day))
            self.assertEqual(r.status, 422, r)
            self.assertIn(list(bad)[0], r.fields)

class JournalPages(unittest.TestCase):
    """The daily journal answers a page of lines; count, amount and total are
    the whole day's on every page; the Excel export holds every line."""

    @classmethod
    def setUpClass(cls):
        t = member_type(discount_pct=10)
        drink = resource(kind="consumable", unit_price=333)
        m = member(t["id"])
        # seven lines of 3.33 × 1..7 in one checkout, so pages split it
        r = admin().post("checkouts", {"customer_id": m["id"], "payment_method": "cash",
                                       "lines": [{"resource_id": drink["id"], "quantity": q} for q in range(1, 8)]})
        assert r.status == 201, r
        cls.checkout = r.body
        cls.day = r.body["business_day"]

    def test_pages_cover_the_day_once_in_order_with_day_totals(self):
        every, whole = journal_all(self.day)
        ids = [x["id"] for x in every]
        self.assertEqual(ids, sorted(ids))
        self.assertEqual(len(set(ids)), len(ids))
        self.assertEqual(whole["count"], len(every))
        self.assertEqual(whole["total"], sum(x["total"] for x in every))
        self.assertEqual(whole["amount"], sum(x["amount"] for x in every))
        mine = [x for x in every if x["checkout_id"] == self.checkout["id"]]
        self.assertEqual([x["amount"] for x in mine], [333 * q for q in range(1, 8)])
        self.assertEqual(sum(x["total"] for x in mine), self.checkout["total"])
        # pages of 3: the same lines, the day's figures on each page
        got, offset = [], 0
        while True:
            r = admin().get("reports/daily_journal", query={"date": self.day, "limit": 3, "offset": offset})
            self.assertEqual(r.status, 200, r)
            b = r.body
            self.assertEqual((b["count"], b["total"], b["amount"], b["limit"], b["offset"]),
                             (whole["count"], whole["total"], whole["amount"], 3, offset))
            self.assertLessEqual(len(b["lines"]), 3)
            self.assertEqual(b["truncated"], offset + len(b["lines"]) < whole["count"])
            got += [x["id"] for x in b["lines"]]
            if not b["truncated"]:
                break
            self.assertEqual(len(b["lines"]), 3)
            offset += 3
        self.assertEqual(got, ids)
        # the default page is the first 100
        r = admin().get("reports/daily_journal", query={"date": self.day})
        self.assertEqual((r.body["limit"], r.body["offset"]), (100, 0))
        self.assertEqual([x["id"] for x in r.body["lines"]], ids[:100])
        # past the end: no lines, the day's figures still
        r = admin().get("reports/daily_journal", query={"date": self.day, "offset": whole["count"]})
        self.assertEqual((r.body["lines"], r.body["count"], r.body["total"], r.body["truncated"]),
                         ([], whole["count"], whole["total"], False))

    def test_a_page_ending_inside_a_checkout(self):
        every, _ = journal_all(self.day)
        ids = [x["id"] for x in every]
        mine = [x["id"] for x in every if x["checkout_id"] == self.checkout["id"]]
        start = ids.index(mine[0])
        a = admin().get("reports/daily_journal", query={"date": self.day, "limit": 4, "offset": start}).body
        b = admin().get("reports/daily_journal", query={"date": self.day, "limit": 4, "offset": start + 4}).body
        self.assertEqual([x["id"] for x in a["lines"]], mine[:4])
        self.assertEqual([x["id"] for x in b["lines"]][:3], mine[4:])
        self.assertTrue(a["truncated"])

    def test_filtered_pages_count_and_sum_the_filtered_day(self):
        every, _ = journal_all(self.day, kind="consumable", payment_method="cash")
        r = admin().get("reports/daily_journal",
                        query={"date": self.day, "kind": "consumable", "payment_method": "cash", "limit": 1})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.body["count"], r.body["total"]), (len(every), sum(x["total"] for x in every)))
        self.assertTrue(all(x["kind"] == "consumable" and x["payment_method"] == "cash" for x in every))
        # filtered pages of 2 hold the same lines, once each, in order
        got, offset = [], 0
        while offset < len(every):
            r = admin().get("reports/daily_journal", query={"date": self.day, "kind": "consumable",
                                                             "payment_method": "cash", "limit": 2, "offset": offset})
            self.assertEqual(r.body["count"], len(every))
            got += [x["id"] for x in r.body["lines"]]
            offset += 2
        self.assertEqual(got, [x["id"] for x in every])

    def test_bad_pages_are_422_with_the_field(self):
        for q, field in (({"limit": 0}, "limit"), ({"limit": 1001}, "limit"), ({"limit": "x"}, "limit"),
                         ({"offset": -1}, "offset"), ({"offset": "1.5"}, "offset")):
            r = admin().get("reports/daily_journal", query=dict(q, date=self.day))
            self.assertEqual(r.status, 422, (q, r))
            self.assertIn(field, r.fields, q)

    def test_excel_export_holds_every_line_of_the_day(self):
        # more lines than the export reads at once (1,000)
        _, whole = journal_all(self.day)
        drink = resource(kind="consumable", unit_price=100)
        for _ in range(max(0, (1001 - whole["count"] + 199) // 200)):
            r = admin().post("checkouts", {"payment_method": "card", "guest_name": "export",
                                           "lines": [{"resource_id": drink["id"], "quantity": 1}] * 200})
            self.assertEqual(r.status, 201, r)
        every, whole = journal_all(self.day)
        self.assertGreater(len(every), 1000)
        web = login_client("admin", ADMIN_PASSWORD, cookie=True)
        r = web.get("/app/reports/front_desk/export", query={"report": "journal", "date": self.day})
        self.assertEqual(r.status, 200, r)
        sheet = zipfile.ZipFile(io.BytesIO(r.raw)).read("xl/worksheets/sheet1.xml").decode()
        self.assertEqual(len(re.findall(r"<row ", sheet)), 1 + len(every))  # a header row, then every line
        shared = zipfile.ZipFile(io.BytesIO(r.raw)).read("xl/sharedStrings.xml").decode()
        self.assertIn(self.checkout["number"], shared)


if __name__ == "__main__":
    unittest.main()
