"""Quotes and orders (issue 6, helper "docs"): line items priced on the
server and exact to the fen (per line half-up, tax once on the discounted
subtotal), defaults from the product and the customer type, every bad line
named and nothing written, the customer's scope (404), revisions that keep
the earlier quote, quote → order conversion (once), the order status flow
(illegal moves 409), stale versions, and 50 concurrent order creations that
get 50 distinct consecutive numbers."""
import datetime
import re
import threading
import unittest

from client import admin, make_user, uniq

TZ = datetime.timezone(datetime.timedelta(hours=8))


def today(offset=0):
    return (datetime.datetime.now(TZ) + datetime.timedelta(days=offset)).date().isoformat()


def product(price=10000, active=True, **kw):
    body = {"code": uniq("P"), "name": uniq("产品"), "price": price, "active": active, "unit": "台"}
    body.update(kw)
    return admin().create("products", body)


def customer_type(discount):
    return admin().create("customer_types", {"name": uniq("type"), "code": uniq("ct"), "discount_rate": discount})


def customer(client=None, **kw):
    body = {"name": uniq("客户")}
    body.update(kw)
    return (client or admin()).create("customers", body)


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
        t.join(120)
    return results


class QuoteTotals(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p1 = product(price=1999)
        cls.p2 = product(price=12345)
        cls.p3 = product(price=15)
        cls.p4 = product(price=99999)
        cls.cust = customer()

    def test_mixed_lines_exact_to_the_fen(self):
        r = admin().post("quotes", {"customer_id": self.cust["id"], "tax_rate_pct": 13, "lines": [
            {"product_id": self.p1["id"], "quantity": 3, "unit_price": 1999, "discount_pct": 0},
            {"product_id": self.p2["id"], "quantity": 2.345, "unit_price": 12345, "discount_pct": 12.5},
            {"product_id": self.p3["id"], "quantity": 1, "unit_price": 15, "discount_pct": 10},
            {"product_id": self.p4["id"], "quantity": "7", "unit_price": 99999, "discount_pct": 100},
        ]})
        self.assertEqual(r.status, 201, r)
        q = r.body
        self.assertEqual([l["line_total"] for l in q["lines"]], [5997, 25330, 14, 0])
        self.assertEqual(q["subtotal"], 734954)
        self.assertEqual(q["discount_total"], 703613)
        self.assertEqual(q["tax_total"], 4074)  # 31341 × 13 % = 4074.33
        self.assertEqual(q["total"], 35415)
        self.assertEqual(q["status"], "draft")
        self.assertEqual(q["revision"], 1)
        self.assertEqual(q["quote_date"], today())
        self.assertRegex(q["number"], r"^QT-\d{4}-\d{6}$")
        self.assertEqual(r.headers.get("Location"), "/api/v1/quotes/%d" % q["id"])
        got = admin().read("quotes", q["id"])
        self.assertEqual((got["subtotal"], got["discount_total"], got["tax_total"], got["total"]),
                         (734954, 703613, 4074, 35415))
        self.assertEqual(len(got["lines"]), 4)
        self.assertEqual(got["lines"][1]["quantity"], 2.345)
        self.assertEqual(got["lines"][1]["discount_pct"], 12.5)
        self.assertEqual([l["position"] for l in got["lines"]], [1, 2, 3, 4])

    def test_half_fen_rounds_up_per_line(self):
        # 0.5 × 1 fen = 0.5 fen → 1; tax 10 % of 1 fen = 0.1 → 0
        q = admin().create("quotes", {"customer_id": self.cust["id"], "tax_rate_pct": 10, "lines": [
            {"description": "半分", "quantity": 0.5, "unit_price": 1}]})
        self.assertEqual(q["lines"][0]["line_total"], 1)
        self.assertEqual((q["subtotal"], q["discount_total"], q["tax_total"], q["total"]), (1, 0, 0, 1))
        # tax once per document: 3 × 5 fen at 10 % = 1.5 → 2 (per line it would be 3)
        q = admin().create("quotes", {"customer_id": self.cust["id"], "tax_rate_pct": 10, "lines": [
            {"description": "a", "quantity": 1, "unit_price": 5}, {"description": "b", "quantity": 1, "unit_price": 5},
            {"description": "c", "quantity": 1, "unit_price": 5}]})
        self.assertEqual((q["subtotal"], q["tax_total"], q["total"]), (15, 2, 17))

    def test_defaults_from_product_and_customer_type(self):
        t = customer_type(7.5)
        c = customer(customer_type_id=t["id"])
        p = product(price=20000)
        q = admin().create("quotes", {"customer_id": c["id"], "tax_rate_pct": 0,
                                      "lines": [{"product_id": p["id"], "quantity": 2}]})
        line = q["lines"][0]
        self.assertEqual(line["unit_price"], 20000)
        self.assertEqual(line["discount_pct"], 7.5)
        self.assertEqual(line["description"], p["name"])
        self.assertEqual(line["line_total"], 37000)  # 40000 × 92.5 %
        self.assertEqual((q["subtotal"], q["discount_total"], q["total"]), (40000, 3000, 37000))
        # an explicit discount wins over the customer type's
        q = admin().create("quotes", {"customer_id": c["id"], "tax_rate_pct": 0,
                                      "lines": [{"product_id": p["id"], "quantity": 1, "discount_pct": 0}]})
        self.assertEqual(q["total"], 20000)

    def test_tax_rate_change_recomputes(self):
        q = admin().create("quotes", {"customer_id": self.cust["id"], "tax_rate_pct": 0, "lines": [
            {"description": "x", "quantity": 1, "unit_price": 10000}]})
        r = admin().patch("quotes/%d" % q["id"], {"version": q["version"], "tax_rate_pct": 6})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.body["tax_total"], r.body["total"]), (600, 10600))
        self.assertEqual(len(r.body["lines"]), 1)

    def test_patch_lines_replaces_them_with_version_check(self):
        q = admin().create("quotes", {"customer_id": self.cust["id"], "tax_rate_pct": 0, "lines": [
            {"description": "x", "quantity": 1, "unit_price": 100}, {"description": "y", "quantity": 1, "unit_price": 200}]})
        r = admin().patch("quotes/%d" % q["id"], {"version": q["version"], "lines": [
            {"description": "z", "quantity": 4, "unit_price": 250}]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([l["description"] for l in r.body["lines"]], ["z"])
        self.assertEqual(r.body["total"], 1000)
        # the version read before is stale now: 409 and nothing changes
        r2 = admin().patch("quotes/%d" % q["id"], {"version": q["version"], "lines": [
            {"description": "stale", "quantity": 1, "unit_price": 1}]})
        self.assertEqual(r2.status, 409, r2)
        got = admin().read("quotes", q["id"])
        self.assertEqual([l["description"] for l in got["lines"]], ["z"])
        self.assertEqual(got["total"], 1000)

    def test_totals_are_read_only(self):
        q = admin().create("quotes", {"customer_id": self.cust["id"], "lines": [
            {"description": "x", "quantity": 1, "unit_price": 100}]})
        r = admin().patch("quotes/%d" % q["id"], {"version": q["version"], "total": 1})
        self.assertEqual(r.status, 422, r)
        self.assertIn("total", r.fields)
        r = admin().post("quotes", {"customer_id": self.cust["id"], "total": 5, "lines": [
            {"description": "x", "quantity": 1, "unit_price": 100}]})
        self.assertEqual(r.status, 422, r)


class BadInput(unittest.TestCase):
    """Each bad input: a 4xx naming the line and field, and nothing written."""

    @classmethod
    def setUpClass(cls):
        cls.cust = customer(name=uniq("bad"))
        cls.good = product(price=1000)
        cls.inactive = product(price=1000, active=False)

    def count(self):
        return admin().list("quotes", {"customer_id": self.cust["id"]}).body["total"]

    def check(self, lines, field, status=422, **extra):
        before = self.count()
        body = {"customer_id": self.cust["id"], "lines": lines}
        body.update(extra)
        r = admin().post("quotes", body)
        self.assertEqual(r.status, status, r)
        self.assertIn(field, r.fields, r)
        self.assertEqual(self.count(), before)
        return r

    def test_negative_quantity(self):
        self.check([{"product_id": self.good["id"], "quantity": 1},
                    {"product_id": self.good["id"], "quantity": 1},
                    {"product_id": self.good["id"], "quantity": -2}], "lines[2].quantity")

    def test_zero_quantity(self):
        self.check([{"product_id": self.good["id"], "quantity": 0}], "lines[0].quantity")

    def test_too_many_decimals_in_quantity(self):
        self.check([{"product_id": self.good["id"], "quantity": "1.0001"}], "lines[0].quantity")

    def test_negative_price(self):
        self.check([{"product_id": self.good["id"], "quantity": 1, "unit_price": -1}], "lines[0].unit_price")

    def test_discount_over_100(self):
        self.check([{"product_id": self.good["id"], "quantity": 1},
                    {"product_id": self.good["id"], "quantity": 1, "discount_pct": 100.01}], "lines[1].discount_pct")

    def test_negative_discount(self):
        self.check([{"product_id": self.good["id"], "quantity": 1, "discount_pct": -5}], "lines[0].discount_pct")

    def test_inactive_product(self):
        r = self.check([{"product_id": self.good["id"], "quantity": 1},
                        {"product_id": self.inactive["id"], "quantity": 1}], "lines[1].product_id")
        self.assertNotIn("lines[0].product_id", r.fields)

    def test_unknown_product(self):
        self.check([{"product_id": 999999999, "quantity": 1}], "lines[0].product_id")

    def test_line_without_product_needs_price_and_text(self):
        self.check([{"quantity": 1, "unit_price": 100}], "lines[0].product_id")
        self.check([{"description": "服务", "quantity": 1}], "lines[0].unit_price")

    def test_no_lines(self):
        self.check([], "lines")
        before = self.count()
        r = admin().post("quotes", {"customer_id": self.cust["id"]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("lines", r.fields)
        r = admin().post("quotes", {"customer_id": self.cust["id"], "lines": {"a": 1}})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(self.count(), before)

    def test_unknown_line_field(self):
        self.check([{"product_id": self.good["id"], "quantity": 1, "price": 5}], "lines[0].price")

    def test_tax_rate_over_100(self):
        self.check([{"product_id": self.good["id"], "quantity": 1}], "tax_rate_pct", tax_rate_pct=101)

    def test_overflow_is_422_not_wrapped(self):
        self.check([{"description": "huge", "quantity": 999999999999, "unit_price": 9000000000000000000}],
                   "lines[0].quantity")
        # each line fits, the sum does not
        big = 9000000000000000000
        self.check([{"description": "a", "quantity": 1, "unit_price": big},
                    {"description": "b", "quantity": 1, "unit_price": big}], "lines", tax_rate_pct=0)

    def test_bad_lines_on_update_change_nothing(self):
        q = admin().create("quotes", {"customer_id": self.cust["id"], "lines": [
            {"product_id": self.good["id"], "quantity": 2}]})
        r = admin().patch("quotes/%d" % q["id"], {"version": q["version"], "notes": "changed", "lines": [
            {"product_id": self.good["id"], "quantity": 1}, {"product_id": self.inactive["id"], "quantity": 1}]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("lines[1].product_id", r.fields)
        got = admin().read("quotes", q["id"])
        self.assertEqual(got["version"], q["version"])
        self.assertIsNone(got["notes"])
        self.assertEqual([l["quantity"] for l in got["lines"]], [2])

    def test_orders_reject_the_same(self):
        before = admin().list("orders", {"customer_id": self.cust["id"]}).body["total"]
        r = admin().post("orders", {"customer_id": self.cust["id"], "lines": [
            {"product_id": self.good["id"], "quantity": 1, "discount_pct": 150}]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("lines[0].discount_pct", r.fields)
        self.assertEqual(admin().list("orders", {"customer_id": self.cust["id"]}).body["total"], before)


class Scope(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rep_a, cls.a = make_user(roles=("sales_rep",))
        cls.rep_b, cls.b = make_user(roles=("sales_rep",))
        cls.cust_a = customer(cls.a)
        cls.cust_b = customer(cls.b)
        cls.p = product(price=5000)

    def test_rep_quotes_own_customer(self):
        r = self.a.post("quotes", {"customer_id": self.cust_a["id"], "lines": [{"product_id": self.p["id"], "quantity": 1}]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["owner_id"], self.a.id)
        self.assertEqual(self.a.get("quotes/%d" % r.body["id"]).status, 200)
        self.assertEqual(self.b.get("quotes/%d" % r.body["id"]).status, 404)
        self.assertNotIn(r.body["id"], self.b.list("quotes").ids)

    def test_rep_cannot_quote_for_another_reps_customer(self):
        before = admin().list("quotes", {"customer_id": self.cust_b["id"]}).body["total"]
        r = self.a.post("quotes", {"customer_id": self.cust_b["id"], "lines": [{"product_id": self.p["id"], "quantity": 1}]})
        self.assertEqual(r.status, 404, r)
        self.assertIn("customer_id", r.fields)
        r = self.a.post("orders", {"customer_id": self.cust_b["id"], "lines": [{"product_id": self.p["id"], "quantity": 1}]})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(admin().list("quotes", {"customer_id": self.cust_b["id"]}).body["total"], before)
        self.assertEqual(admin().list("orders", {"customer_id": self.cust_b["id"]}).body["total"], 0)

    def test_rep_cannot_move_a_quote_to_another_reps_customer(self):
        q = self.a.create("quotes", {"customer_id": self.cust_a["id"], "lines": [{"product_id": self.p["id"], "quantity": 1}]})
        r = self.a.patch("quotes/%d" % q["id"], {"version": q["version"], "customer_id": self.cust_b["id"]})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(admin().read("quotes", q["id"])["customer_id"], self.cust_a["id"])

    def test_actions_outside_scope_are_404(self):
        q = self.a.create("quotes", {"customer_id": self.cust_a["id"], "lines": [{"product_id": self.p["id"], "quantity": 1}]})
        self.assertEqual(self.b.post("quotes/%d/revise" % q["id"]).status, 404)
        self.assertEqual(self.b.post("quotes/%d/convert" % q["id"]).status, 404)
        self.assertEqual(self.b.get("/quotes/%d/print" % q["id"], headers={"Accept": "text/html"}).status, 404)
        oid = self.a.post("quotes/%d/convert" % q["id"]).body["order_id"]
        r = self.b.post("orders/%d/transition" % oid, {"to": "approved"})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(admin().read("orders", oid)["status"], "draft")

    def test_lines_tables_are_not_listed_to_reps(self):
        self.assertEqual(self.a.get("quote_lines").status, 403)
        self.assertEqual(self.a.get("order_lines").status, 403)


class RevisionsAndConversion(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cust = customer()
        cls.p = product(price=30000)

    def quote(self, **kw):
        body = {"customer_id": self.cust["id"], "tax_rate_pct": 13, "lines": [
            {"product_id": self.p["id"], "quantity": 2, "discount_pct": 5},
            {"description": "安装服务", "quantity": 1.5, "unit_price": 8000}]}
        body.update(kw)
        return admin().create("quotes", body)

    def test_revise_keeps_the_earlier_version(self):
        q = self.quote(notes="v1")
        r = admin().post("quotes/%d/revise" % q["id"])
        self.assertEqual(r.status, 201, r)
        v2 = r.body
        self.assertNotEqual(v2["id"], q["id"])
        self.assertEqual((v2["revision"], v2["previous_id"], v2["status"]), (2, q["id"], "draft"))
        self.assertEqual(v2["total"], q["total"])
        self.assertEqual([(l["product_id"], l["quantity"], l["unit_price"], l["discount_pct"], l["line_total"])
                          for l in v2["lines"]],
                         [(l["product_id"], l["quantity"], l["unit_price"], l["discount_pct"], l["line_total"])
                          for l in q["lines"]])
        r = admin().patch("quotes/%d" % v2["id"], {"version": v2["version"], "lines": [
            {"product_id": self.p["id"], "quantity": 3}]})
        self.assertEqual(r.status, 200, r)
        old = admin().read("quotes", q["id"])
        self.assertEqual(old["notes"], "v1")
        self.assertEqual(old["total"], q["total"])
        self.assertEqual(len(old["lines"]), 2)
        v3 = admin().post("quotes/%d/revise" % v2["id"]).body
        self.assertEqual((v3["revision"], v3["previous_id"]), (3, v2["id"]))

    def test_convert_copies_the_lines(self):
        q = self.quote()
        r = admin().post("quotes/%d/convert" % q["id"])
        self.assertEqual(r.status, 201, r)
        oid = r.body["order_id"]
        o = admin().read("orders", oid)
        self.assertEqual(o["quote_id"], q["id"])
        self.assertEqual(o["customer_id"], self.cust["id"])
        self.assertEqual(o["status"], "draft")
        self.assertRegex(o["number"], r"^SO-\d{4}-\d{6}$")
        self.assertEqual((o["subtotal"], o["discount_total"], o["tax_total"], o["total"]),
                         (q["subtotal"], q["discount_total"], q["tax_total"], q["total"]))
        keys = ("product_id", "description", "quantity", "unit_price", "discount_pct", "line_total")
        self.assertEqual([[l[k] for k in keys] for l in o["lines"]], [[l[k] for k in keys] for l in q["lines"]])
        self.assertEqual([(l["delivered_qty"], l["returned_qty"]) for l in o["lines"]], [(0, 0), (0, 0)])
        got = admin().read("quotes", q["id"])
        self.assertEqual((got["status"], got["order_id"]), ("accepted", oid))

    def test_convert_twice_is_409(self):
        q = self.quote()
        first = admin().post("quotes/%d/convert" % q["id"])
        self.assertEqual(first.status, 201, first)
        n = admin().list("orders", {"quote_id": q["id"]}).body["total"]
        r = admin().post("quotes/%d/convert" % q["id"])
        self.assertEqual(r.status, 409, r)
        self.assertEqual(admin().list("orders", {"quote_id": q["id"]}).body["total"], n)
        self.assertEqual(n, 1)

    def test_concurrent_converts_make_one_order(self):
        q = self.quote()
        res = race(6, lambda i: admin().post("quotes/%d/convert" % q["id"]).status)
        self.assertEqual(sorted(res), [201] + [409] * 5, res)
        self.assertEqual(admin().list("orders", {"quote_id": q["id"]}).body["total"], 1)

    def test_rejected_or_expired_quote_cannot_convert(self):
        q = self.quote()
        admin().patch("quotes/%d" % q["id"], {"version": q["version"], "status": "rejected"})
        r = admin().post("quotes/%d/convert" % q["id"])
        self.assertEqual(r.status, 409, r)
        q = self.quote(valid_until=today(-1))
        r = admin().post("quotes/%d/convert" % q["id"])
        self.assertEqual(r.status, 409, r)
        q = self.quote()
        admin().patch("quotes/%d" % q["id"], {"version": q["version"], "status": "expired"})
        self.assertEqual(admin().post("quotes/%d/convert" % q["id"]).status, 409)
        self.assertEqual(admin().list("orders", {"quote_id": q["id"]}).body["total"], 0)

    def test_converted_quote_lines_are_frozen(self):
        q = self.quote()
        admin().post("quotes/%d/convert" % q["id"])
        got = admin().read("quotes", q["id"])
        r = admin().patch("quotes/%d" % q["id"], {"version": got["version"], "lines": [
            {"product_id": self.p["id"], "quantity": 9}]})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(len(admin().read("quotes", q["id"])["lines"]), 2)

    def test_printable_quote_page(self):
        q = self.quote()
        r = admin().get("/quotes/%d/print" % q["id"], headers={"Accept": "text/html"})
        self.assertEqual(r.status, 200, r)
        self.assertIn(q["number"], r.text)
        self.assertIn(self.cust["name"], r.text)



class OrderFlow(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cust = customer(address={"province": "广东省", "city": "深圳市", "district": "南山区", "street": "科技园路 1 号"})
        cls.p = product(price=10000)

    def order(self):
        return admin().create("orders", {"customer_id": self.cust["id"], "lines": [
            {"product_id": self.p["id"], "quantity": 1}]})

    def move(self, o, to, **kw):
        return admin().post("orders/%d/transition" % o["id"], dict({"to": to}, **kw))

    def test_create_defaults(self):
        o = self.order()
        self.assertEqual(o["status"], "draft")
        self.assertEqual(o["order_date"], today())
        self.assertEqual(o["delivery_address"]["city"], "深圳市")
        self.assertEqual((o["subtotal"], o["tax_total"], o["total"]), (10000, 1300, 11300))

    def test_created_and_patched_order_answer_what_a_read_answers(self):
        # the lines go in with one multi-row INSERT and the answers are built
        # from memory, not read back: they must equal a GET field for field,
        # line ids in position order
        p2 = product(price=12345)
        lines = [{"product_id": (self.p if i % 2 else p2)["id"], "quantity": "%d.%03d" % (i + 1, i * 37 % 1000),
                  "discount_pct": (i % 4) * 5} for i in range(20)]
        lines[7] = {"description": "安装调试服务", "quantity": 2, "unit_price": 50000}
        r = admin().post("orders", {"customer_id": self.cust["id"], "tax_rate_pct": 13, "lines": lines})
        self.assertEqual(r.status, 201, r)
        # decimals in the text as typed (Python's repr is the same shortest
        # exact form), not "2.0369999999999999" as "%.17g" writes the double
        for l in lines:
            self.assertIn('"quantity":%r,' % float(l["quantity"]), r.text)
        got = admin().read("orders", r.body["id"])
        self.assertEqual(r.body["lines"], got["lines"])
        self.assertEqual([l["position"] for l in got["lines"]], list(range(1, 21)))
        ids = [l["id"] for l in got["lines"]]
        self.assertEqual(ids, sorted(ids))
        self.assertEqual(len(set(ids)), 20)
        self.assertEqual(got["lines"][7]["product_id"], None)
        self.assertEqual(got["lines"][7]["description"], "安装调试服务")
        self.assertEqual(sum(l["line_total"] for l in got["lines"]), got["subtotal"] - got["discount_total"])
        for key in ("subtotal", "discount_total", "tax_total", "total", "number"):
            self.assertEqual(r.body[key], got[key], key)
        # a PATCH of the lines answers them as a read does, the old ones gone
        r2 = admin().patch("orders/%d" % got["id"], {"version": got["version"], "lines": lines[:3]})
        self.assertEqual(r2.status, 200, r2)
        got2 = admin().read("orders", got["id"])
        self.assertEqual(r2.body["lines"], got2["lines"])
        self.assertEqual(len(got2["lines"]), 3)
        self.assertTrue(set(l["id"] for l in got2["lines"]).isdisjoint(ids))

    def test_legal_flow_to_closed(self):
        o = self.order()
        for to in ("approved", "delivered", "invoiced", "closed"):
            r = self.move(o, to)
            self.assertEqual(r.status, 200, (to, r))
            self.assertEqual(r.body["status"], to)
            self.assertEqual(len(r.body["lines"]), 1)
        hist = admin().get("orders/%d/history" % o["id"]).body["data"]
        self.assertEqual(len([h for h in hist if h["field"] == "status"]), 4)

    def test_illegal_transitions_are_409_naming_from_and_to(self):
        o = self.order()
        r = self.move(o, "delivered")
        self.assertEqual(r.status, 409, r)
        self.assertIn("draft", r.error["message"])
        self.assertIn("delivered", r.error["message"])
        for to in ("approved", "delivered", "invoiced", "closed"):
            self.assertEqual(self.move(o, to).status, 200)
        r = self.move(o, "draft")
        self.assertEqual(r.status, 409, r)
        self.assertIn("closed", r.error["message"])
        self.assertIn("draft", r.error["message"])
        self.assertEqual(admin().read("orders", o["id"])["status"], "closed")

    def test_cancel_and_return(self):
        o = self.order()
        self.assertEqual(self.move(o, "cancelled").status, 200)
        self.assertEqual(self.move(o, "approved").status, 409)
        o = self.order()
        for to in ("approved", "delivered", "returned"):
            self.assertEqual(self.move(o, to).status, 200, to)
        self.assertEqual(self.move(o, "closed").status, 409)

    def test_unknown_status_is_422(self):
        o = self.order()
        r = self.move(o, "shipped")
        self.assertEqual(r.status, 422, r)
        self.assertIn("to", r.fields)
        r = admin().post("orders/%d/transition" % o["id"], {})
        self.assertEqual(r.status, 422, r)

    def test_status_is_read_only_through_patch(self):
        o = self.order()
        r = admin().patch("orders/%d" % o["id"], {"version": o["version"], "status": "closed"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("status", r.fields)
        self.assertEqual(admin().read("orders", o["id"])["status"], "draft")

    def test_stale_version_is_409(self):
        o = self.order()
        r = self.move(o, "approved", version=o["version"] + 5)
        self.assertEqual(r.status, 409, r)
        self.assertEqual(admin().read("orders", o["id"])["status"], "draft")
        self.assertEqual(self.move(o, "approved", version=o["version"]).status, 200)
        r = admin().patch("orders/%d" % o["id"], {"version": o["version"], "notes": "late"})
        self.assertEqual(r.status, 409, r)

    def test_lines_change_only_in_draft(self):
        o = self.order()
        self.assertEqual(self.move(o, "approved").status, 200)
        cur = admin().read("orders", o["id"])
        r = admin().patch("orders/%d" % o["id"], {"version": cur["version"], "lines": [
            {"product_id": self.p["id"], "quantity": 5}]})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(admin().read("orders", o["id"])["total"], 11300)
        r = admin().patch("orders/%d" % o["id"], {"version": cur["version"], "notes": "ok after approval"})
        self.assertEqual(r.status, 200, r)

    def test_only_drafts_are_deleted(self):
        o = self.order()
        self.assertEqual(self.move(o, "approved").status, 200)
        self.assertEqual(admin().delete("orders/%d" % o["id"]).status, 409)
        o2 = self.order()
        self.assertEqual(admin().delete("orders/%d" % o2["id"]).status, 204)


class Purge(unittest.TestCase):
    """An order or a quote purged from the trash takes its lines with it, in
    one transaction, the lines kept in the purge's audit row; records of
    their own that still refer to it (payment plans, later revisions) make
    the purge a 409 that names them, and nothing is purged."""

    @classmethod
    def setUpClass(cls):
        cls.cust = customer()
        cls.p = product(price=10000)

    def doc(self, entity, client=None, cust=None):
        return (client or admin()).create(entity, {"customer_id": (cust or self.cust)["id"], "lines": [
            {"product_id": self.p["id"], "quantity": 1},
            {"description": "安装服务", "quantity": 2, "unit_price": 500}]})

    def lines(self, entity, rid):
        table, col = ("order_lines", "order_id") if entity == "orders" else ("quote_lines", "quote_id")
        r = admin().get(table, query={col: rid})
        self.assertEqual(r.status, 200, r)
        return sorted(r.ids)

    def purge_audit(self, entity, rid):
        r = admin().get("audit", query={"entity": entity, "record_id": rid})
        self.assertEqual(r.status, 200, r)
        return [a for a in r.body["data"] if a["action"] == "purge"]

    def check_purge_takes_lines(self, entity):
        d = self.doc(entity)
        line_ids = sorted(l["id"] for l in d["lines"])
        self.assertEqual(self.lines(entity, d["id"]), line_ids)
        self.assertEqual(admin().delete("%s/%d" % (entity, d["id"])).status, 204)
        r = admin().post("%s/%d/purge" % (entity, d["id"]))
        self.assertEqual(r.status, 204, r)
        self.assertEqual(admin().get("%s/%d" % (entity, d["id"])).status, 404)
        self.assertEqual(admin().get(entity + "/trash", query={"id": d["id"]}).ids, [])
        self.assertEqual(self.lines(entity, d["id"]), [])
        audit = self.purge_audit(entity, d["id"])
        self.assertEqual(len(audit), 1, audit)
        # a purge's diff is [null, what the record was] (record.c)
        new, old = audit[0]["diff"]["lines"]
        self.assertIsNone(new)
        self.assertEqual(sorted(l["id"] for l in old), line_ids)
        self.assertEqual([l["description"] for l in old], [self.p["name"], "安装服务"])
        self.assertEqual([l["line_total"] for l in old], [10000, 1000])
        self.assertEqual(audit[0]["diff"]["number"], [None, d["number"]])

    def test_purge_of_an_order_takes_its_lines(self):
        self.check_purge_takes_lines("orders")

    def test_purge_of_a_quote_takes_its_lines(self):
        self.check_purge_takes_lines("quotes")

    def test_restore_then_purge(self):
        o = self.doc("orders")
        self.assertEqual(admin().delete("orders/%d" % o["id"]).status, 204)
        r = admin().post("orders/%d/restore" % o["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual([l["id"] for l in r.body["lines"]], [l["id"] for l in o["lines"]])
        self.assertEqual(r.body["total"], o["total"])
        self.assertEqual(admin().post("orders/%d/purge" % o["id"]).status, 404)  # live: not in the trash
        self.assertEqual(len(self.lines("orders", o["id"])), 2)
        self.assertEqual(admin().delete("orders/%d" % o["id"]).status, 204)
        self.assertEqual(admin().post("orders/%d/purge" % o["id"]).status, 204)
        self.assertEqual(self.lines("orders", o["id"]), [])

    def test_only_administrators_purge(self):
        _, rep = make_user(roles=("sales_rep",))
        _, other = make_user(roles=("sales_rep",))
        cust = customer(rep)
        for entity in ("orders", "quotes"):
            d = self.doc(entity, rep, cust)
            self.assertEqual(rep.delete("%s/%d" % (entity, d["id"])).status, 204)
            r = rep.post("%s/%d/purge" % (entity, d["id"]))
            self.assertEqual(r.status, 403, r)
            r = other.post("%s/%d/purge" % (entity, d["id"]))
            self.assertIn(r.status, (403, 404), r)
            self.assertEqual(admin().get(entity + "/trash", query={"id": d["id"]}).ids, [d["id"]])
            self.assertEqual(len(self.lines(entity, d["id"])), 2)
            r = rep.post("%s/%d/restore" % (entity, d["id"]))
            self.assertEqual(r.status, 200, r)
            self.assertEqual(len(r.body["lines"]), 2)

    def test_a_payment_plan_of_the_order_blocks_the_purge(self):
        o = self.doc("orders")
        plan = admin().create("payment_plans", {"order_id": o["id"], "due_on": today(30), "amount": 5000})
        self.assertEqual(admin().delete("orders/%d" % o["id"]).status, 204)
        r = admin().post("orders/%d/purge" % o["id"])
        self.assertEqual(r.status, 409, r)
        self.assertRegex(r.error["message"], "Payment plans|回款计划")
        self.assertEqual(admin().get("orders/trash", query={"id": o["id"]}).ids, [o["id"]])
        self.assertEqual(len(self.lines("orders", o["id"])), 2)  # nothing purged, lines kept
        self.assertEqual(self.purge_audit("orders", o["id"]), [])
        # the plan gone for good, the order goes too
        self.assertEqual(admin().delete("payment_plans/%d" % plan["id"]).status, 204)
        self.assertEqual(admin().post("payment_plans/%d/purge" % plan["id"]).status, 204)
        self.assertEqual(admin().post("orders/%d/purge" % o["id"]).status, 204)
        self.assertEqual(self.lines("orders", o["id"]), [])

    def test_a_later_revision_blocks_the_purge_of_a_quote(self):
        q = self.doc("quotes")
        v2 = admin().post("quotes/%d/revise" % q["id"]).body
        self.assertEqual(admin().delete("quotes/%d" % q["id"]).status, 204)
        r = admin().post("quotes/%d/purge" % q["id"])
        self.assertEqual(r.status, 409, r)
        self.assertEqual(len(self.lines("quotes", q["id"])), 2)
        self.assertEqual(admin().read("quotes", v2["id"])["previous_id"], q["id"])

    def test_purged_order_frees_its_quote(self):
        q = self.doc("quotes")
        oid = admin().post("quotes/%d/convert" % q["id"]).body["order_id"]
        self.assertEqual(admin().delete("orders/%d" % oid).status, 204)
        r = admin().post("orders/%d/purge" % oid)
        self.assertEqual(r.status, 204, r)
        got = admin().read("quotes", q["id"])
        self.assertEqual((got["order_id"], got["status"]), (None, "accepted"))
        audit = admin().get("audit", query={"entity": "quotes", "record_id": q["id"]}).body["data"]
        self.assertIn({"order_id": [oid, None]}, [a["diff"] for a in audit if a["action"] == "update"])
        r = admin().post("quotes/%d/convert" % q["id"])
        self.assertEqual(r.status, 201, r)
        self.assertNotEqual(r.body["order_id"], oid)


class Numbering(unittest.TestCase):
    def test_50_concurrent_orders_get_50_consecutive_numbers(self):
        cust = customer()
        p = product(price=100)
        res = race(50, lambda i: admin().post("orders", {"customer_id": cust["id"], "lines": [
            {"product_id": p["id"], "quantity": 1}]}))
        self.assertEqual([r.status for r in res], [201] * 50, [r for r in res if r.status != 201][:3])
        numbers = [r.body["number"] for r in res]
        self.assertEqual(len(set(numbers)), 50)
        prefix = {n.rsplit("-", 1)[0] for n in numbers}
        self.assertEqual(len(prefix), 1, prefix)
        seq = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
        self.assertEqual(seq, list(range(seq[0], seq[0] + 50)))
        # the number right after the burst is the next one: no gaps
        nxt = admin().create("orders", {"customer_id": cust["id"], "lines": [{"product_id": p["id"], "quantity": 1}]})
        self.assertEqual(int(nxt["number"].rsplit("-", 1)[1]), seq[-1] + 1)

    def test_a_failed_create_does_not_use_a_number(self):
        cust = customer()
        p = product(price=100)
        a = admin().create("orders", {"customer_id": cust["id"], "lines": [{"product_id": p["id"], "quantity": 1}]})
        bad = admin().post("orders", {"customer_id": cust["id"], "lines": [{"product_id": p["id"], "quantity": -1}]})
        self.assertEqual(bad.status, 422)
        b = admin().create("orders", {"customer_id": cust["id"], "lines": [{"product_id": p["id"], "quantity": 1}]})
        self.assertEqual(int(b["number"].rsplit("-", 1)[1]), int(a["number"].rsplit("-", 1)[1]) + 1)


class NumberPatterns(unittest.TestCase):
    def tearDown(self):
        admin().patch("settings/number_patterns", {"orders": None, "quotes": None})

    def test_administrators_change_the_order_pattern(self):
        r = admin().get("settings/number_patterns")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, {"quotes": "QT-{YYYY}-{000000}", "orders": "SO-{YYYY}-{000000}"})
        r = admin().patch("settings/number_patterns", {"orders": "DD{YYYY}{MM}-{0000}"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["orders"], "DD{YYYY}{MM}-{0000}")
        cust, p = customer(), product(price=100)
        o1 = admin().create("orders", {"customer_id": cust["id"], "lines": [{"product_id": p["id"], "quantity": 1}]})
        o2 = admin().create("orders", {"customer_id": cust["id"], "lines": [{"product_id": p["id"], "quantity": 1}]})
        now = datetime.datetime.now(TZ)
        self.assertRegex(o1["number"], r"^DD%04d%02d-\d{4}$" % (now.year, now.month))
        self.assertEqual(int(o2["number"][-4:]), int(o1["number"][-4:]) + 1)
        r = admin().patch("settings/number_patterns", {"orders": None})
        self.assertEqual(r.body["orders"], "SO-{YYYY}-{000000}")
        o3 = admin().create("orders", {"customer_id": cust["id"], "lines": [{"product_id": p["id"], "quantity": 1}]})
        self.assertRegex(o3["number"], r"^SO-\d{4}-\d{6}$")

    def test_bad_patterns_and_non_administrators_change_nothing(self):
        for bad in ("SO-{YYYY}", "SO-{00}", "SO-{0000}-{0000}", "SO {0000}", "S" * 41 + "{000}", 12, "{YYY}{000}"):
            r = admin().patch("settings/number_patterns", {"orders": bad})
            self.assertEqual(r.status, 422, (bad, r))
            self.assertIn("orders", r.fields)
        r = admin().patch("settings/number_patterns", {"invoices": "X{000}"})
        self.assertEqual(r.status, 422, r)
        _, rep = make_user(roles=("sales_rep",))
        r = rep.patch("settings/number_patterns", {"orders": "X{000}"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(admin().get("settings/number_patterns").body["orders"], "SO-{YYYY}-{000000}")


if __name__ == "__main__":
    unittest.main()
