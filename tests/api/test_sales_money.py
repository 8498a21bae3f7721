"""Money of sales (issue 6): payments (回款) against orders and contracts
with the outstanding check and explicit prepayments, payment plans within
the order's / contract's total and settled by due date, overdue plans and
contract renewals in the reminders, contract approval above a threshold,
VAT invoices (发票) with exact per-line tax and the total in Chinese
capitals, red-letter invoices, the uninvoiced limit, the company profile,
a customer's balance_due — and for each: bad input (4xx, nothing written)
and the access boundaries (another rep's records are 404)."""
import datetime
import re
import threading
import unittest

from client import admin, make_department, make_user, uniq

CN = datetime.timezone(datetime.timedelta(hours=8))


def today(offset=0):
    return (datetime.datetime.now(CN).date() + datetime.timedelta(days=offset)).isoformat()


def customer(cl, **kw):
    body = {"name": uniq("客户"), "kind": "company"}
    body.update(kw)
    return cl.create("customers", body)


PATH = {"draft": [], "approved": ["approved"], "cancelled": ["cancelled"], "delivered": ["approved", "delivered"]}


def order(cl, customer_id, total, status="approved"):
    """An order of exactly `total` fen (one line, no tax) in `status`, made by cl (its owner)."""
    o = cl.create("orders", {"customer_id": customer_id, "tax_rate_pct": 0,
                             "lines": [{"description": "货款", "quantity": 1, "unit_price": total}]})
    assert o["total"] == total, o
    for to in PATH[status]:
        r = cl.post("orders/%d/transition" % o["id"], {"to": to})
        assert r.status == 200, r
        o = r.body
    return o


def payment(cl, **kw):
    body = {"method": "transfer", "paid_on": today()}
    body.update(kw)
    return cl.post("payments", body)


def count(cl, entity, **filters):
    q = {k: str(v) for k, v in filters.items()}
    q["limit"] = "500"
    return len(cl.list(entity, q).data)


def set_threshold(v):
    r = admin().patch("settings/contracts", {"approval_above": v})
    assert r.status == 200, r


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


class Team:
    """A department with a manager and two reps."""

    def __init__(self):
        self.dept = make_department()
        self.mrec, self.manager = make_user(roles=("sales_manager",), department_id=self.dept["id"])
        d = admin().read("departments", self.dept["id"])
        r = admin().patch("departments/%d" % d["id"], {"manager_id": self.mrec["id"], "version": d["version"]})
        assert r.status == 200, r
        self.arec, self.a = make_user(department_id=self.dept["id"])
        self.brec, self.b = make_user(department_id=self.dept["id"])


class Payments(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = Team()

    def setUp(self):
        self.cust = customer(self.t.a)
        self.order = order(self.t.a, self.cust["id"], 100000)

    def test_payment_is_numbered_and_lowers_outstanding_and_balance(self):
        r = payment(self.t.a, customer_id=self.cust["id"], order_id=self.order["id"], amount=30000, method="wechat")
        self.assertEqual(r.status, 201, r)
        self.assertRegex(r.body["number"], r"^HK-\d{4}-\d{6}$")
        self.assertEqual(r.body["handler_id"], self.t.arec["id"])
        self.assertEqual(r.body["prepayment_amount"], 0)
        self.assertTrue(r.headers["Location"].endswith("/payments/%d" % r.body["id"]))
        o = self.t.a.read("orders", self.order["id"])
        self.assertEqual((o["received_amount"], o["outstanding_amount"]), (30000, 70000))
        c = self.t.a.read("customers", self.cust["id"])
        self.assertEqual((c["receivable_total"], c["received_total"], c["balance_due"]), (100000, 30000, 70000))
        r2 = payment(self.t.a, customer_id=self.cust["id"], order_id=self.order["id"], amount=70000)
        self.assertEqual(r2.status, 201, r2)
        self.assertNotEqual(r2.body["number"], r.body["number"])
        self.assertEqual(self.t.a.read("customers", self.cust["id"])["balance_due"], 0)
        self.assertEqual(self.t.a.read("orders", self.order["id"])["outstanding_amount"], 0)

    def test_payment_above_outstanding_is_422_and_nothing_is_written(self):
        self.assertEqual(payment(self.t.a, customer_id=self.cust["id"], order_id=self.order["id"], amount=40000).status, 201)
        r = payment(self.t.a, customer_id=self.cust["id"], order_id=self.order["id"], amount=60001)
        self.assertEqual(r.status, 422, r)
        self.assertIn("amount", r.fields)
        self.assertIn("600.00", r.fields["amount"])
        self.assertEqual(count(self.t.a, "payments", order_id=self.order["id"]), 1)
        self.assertEqual(self.t.a.read("orders", self.order["id"])["received_amount"], 40000)
        self.assertEqual(self.t.a.read("customers", self.cust["id"])["balance_due"], 60000)

    def test_returns_lower_what_the_order_and_the_customer_owe(self):
        if admin().get("meta/entities/returns").status != 200:
            self.skipTest("no returns module")
        o = self.t.a.create("orders", {"customer_id": self.cust["id"], "tax_rate_pct": 13,
                                       "lines": [{"description": "服务器", "quantity": 10, "unit_price": 10000}]})
        self.assertEqual(o["total"], 113000)
        self.assertEqual(self.t.a.post("orders/%d/transition" % o["id"], {"to": "approved"}).status, 200)
        line = o["lines"][0]["id"]
        r = self.t.a.post("deliveries", {"order_id": o["id"], "lines": [{"order_line_id": line, "quantity": 10}]})
        self.assertEqual(r.status, 201, r)
        r = self.t.a.post("returns", {"order_id": o["id"], "lines": [{"order_line_id": line, "quantity": 4}]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["credit_amount"], 45200)  # 4/10 of 113000
        got = self.t.a.read("orders", o["id"])
        self.assertEqual((got["returned_amount"], got["outstanding_amount"]), (45200, 67800))
        # the setUp order (100000) and this one: 100000 + 113000 − 45200
        self.assertEqual(self.t.a.read("customers", self.cust["id"])["balance_due"], 167800)
        r = payment(self.t.a, customer_id=self.cust["id"], order_id=o["id"], amount=67801)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(payment(self.t.a, customer_id=self.cust["id"], order_id=o["id"], amount=67800).status, 201)
        # the rest comes back: the order is returned and nets to nothing; the money paid is on account
        r = self.t.a.post("returns", {"order_id": o["id"], "lines": [{"order_line_id": line, "quantity": 6}]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.t.a.read("orders", o["id"])["status"], "returned")
        self.assertEqual(self.t.a.read("customers", self.cust["id"])["balance_due"], 100000 - 67800)

    def test_explicit_prepayment_keeps_the_excess_on_account(self):
        r = payment(self.t.a, customer_id=self.cust["id"], order_id=self.order["id"], amount=125050, prepayment=True)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["prepayment_amount"], 25050)
        o = self.t.a.read("orders", self.order["id"])
        self.assertEqual((o["received_amount"], o["outstanding_amount"]), (100000, 0))
        c = self.t.a.read("customers", self.cust["id"])
        self.assertEqual((c["balance_due"], c["prepayment_total"], c["received_total"]), (-25050, 25050, 125050))

    def test_money_on_account_without_an_order_needs_prepayment_true(self):
        r = payment(self.t.a, customer_id=self.cust["id"], amount=5000)
        self.assertEqual(r.status, 422, r)
        self.assertIn("order_id", r.fields)
        self.assertEqual(count(self.t.a, "payments", customer_id=self.cust["id"]), 0)
        r = payment(self.t.a, customer_id=self.cust["id"], amount=5000, prepayment=True)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["prepayment_amount"], 5000)
        self.assertEqual(self.t.a.read("customers", self.cust["id"])["balance_due"], 100000 - 5000)

    def test_negative_zero_and_malformed_amounts_are_422(self):
        for bad in (-100, 0, "100", 12.5, None):
            r = payment(self.t.a, customer_id=self.cust["id"], order_id=self.order["id"], amount=bad)
            self.assertEqual(r.status, 422, (bad, r))
            self.assertIn("amount", r.fields)
        for bad_method in ("bitcoin", ""):
            r = payment(self.t.a, customer_id=self.cust["id"], order_id=self.order["id"], amount=100, method=bad_method)
            self.assertEqual(r.status, 422, r)
            self.assertIn("method", r.fields)
        r = payment(self.t.a, customer_id=self.cust["id"], order_id=self.order["id"], amount=100, paid_on="2026-13-01")
        self.assertEqual(r.status, 422, r)
        self.assertIn("paid_on", r.fields)
        self.assertEqual(count(self.t.a, "payments", order_id=self.order["id"]), 0)

    def test_the_order_decides_the_customer(self):
        other = customer(self.t.a)
        r = payment(self.t.a, customer_id=other["id"], order_id=self.order["id"], amount=100)
        self.assertEqual(r.status, 422, r)
        self.assertIn("customer_id", r.fields)
        r = payment(self.t.a, order_id=self.order["id"], amount=100)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["customer_id"], self.cust["id"])

    def test_cancelled_order_takes_no_payment(self):
        o = order(self.t.a, self.cust["id"], 5000, status="cancelled")
        r = payment(self.t.a, customer_id=self.cust["id"], order_id=o["id"], amount=100)
        self.assertEqual(r.status, 409, r)
        self.assertEqual(count(self.t.a, "payments", order_id=o["id"]), 0)

    def test_amount_and_links_do_not_change_but_notes_do_and_stale_version_is_409(self):
        p = payment(self.t.a, customer_id=self.cust["id"], order_id=self.order["id"], amount=1000).body
        r = self.t.a.patch("payments/%d" % p["id"], {"amount": 2000, "version": p["version"]})
        self.assertEqual(r.status, 409, r)
        self.assertIn("amount", r.fields)
        r = self.t.a.patch("payments/%d" % p["id"], {"notes": "银行回单 123", "payer": "张三", "version": p["version"]})
        self.assertEqual(r.status, 200, r)
        r = self.t.a.patch("payments/%d" % p["id"], {"notes": "again", "version": p["version"]})
        self.assertEqual(r.status, 409, r)
        got = self.t.a.read("payments", p["id"])
        self.assertEqual((got["amount"], got["notes"], got["payer"]), (1000, "银行回单 123", "张三"))

    def test_deleting_a_payment_reopens_the_order_and_restore_checks_again(self):
        p = payment(self.t.a, customer_id=self.cust["id"], order_id=self.order["id"], amount=80000).body
        self.assertEqual(self.t.a.delete("payments/%d" % p["id"]).status, 204)
        self.assertEqual(self.t.a.read("orders", self.order["id"])["outstanding_amount"], 100000)
        self.assertEqual(payment(self.t.a, customer_id=self.cust["id"], order_id=self.order["id"], amount=50000).status, 201)
        r = self.t.a.post("payments/%d/restore" % p["id"])
        self.assertEqual(r.status, 409, r)
        self.assertEqual(self.t.a.read("orders", self.order["id"])["received_amount"], 50000)

    def test_concurrent_payments_never_exceed_the_order(self):
        res = race(6, lambda i: payment(self.t.a, customer_id=self.cust["id"], order_id=self.order["id"],
                                        amount=30000).status)
        self.assertEqual(sorted(res), [201, 201, 201, 422, 422, 422], res)
        o = self.t.a.read("orders", self.order["id"])
        self.assertEqual((o["received_amount"], o["outstanding_amount"]), (90000, 10000))


FIGURES = ("receivable_total", "received_total", "balance_due", "prepayment_total", "invoiced_total",
           "overdue_amount")


def figures(cl, customer_id):
    c = cl.read("customers", customer_id)
    return {k: c[k] for k in FIGURES}


class FirstDocument(unittest.TestCase):
    """A customer's figures are added up only for customers in customer_docs,
    which triggers on the documents' tables keep (migration 9): each kind of
    first document, and documents moved by a merge, must show at once."""

    @classmethod
    def setUpClass(cls):
        cls.t = Team()

    def test_a_customer_without_documents_has_every_figure_zero(self):
        c = customer(self.t.a)
        self.assertEqual(figures(self.t.a, c["id"]), dict.fromkeys(FIGURES, 0))
        self.assertEqual(figures(admin(), c["id"]), dict.fromkeys(FIGURES, 0))

    def test_a_first_order_counts_at_once(self):
        c = customer(self.t.a)
        order(self.t.a, c["id"], 43210)
        f = figures(self.t.a, c["id"])
        self.assertEqual((f["receivable_total"], f["balance_due"]), (43210, 43210))

    def test_a_first_payment_on_account_counts_at_once(self):
        c = customer(self.t.a)
        r = payment(self.t.a, customer_id=c["id"], amount=777, prepayment=True)
        self.assertEqual(r.status, 201, r)
        f = figures(self.t.a, c["id"])
        self.assertEqual((f["received_total"], f["prepayment_total"], f["balance_due"]), (777, 777, -777))

    def test_a_first_contract_counts_at_once(self):
        c = customer(self.t.a)
        r = self.t.a.post("contracts", {"name": uniq("合同"), "customer_id": c["id"], "amount": 91000,
                                        "status": "active", "start_on": today(-1), "end_on": today(200)})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(figures(self.t.a, c["id"])["receivable_total"], 91000)

    def test_documents_moved_by_a_merge_count_for_the_customer_kept(self):
        into, other = customer(self.t.a), customer(self.t.a)
        order(self.t.a, other["id"], 65000)
        self.assertEqual(figures(self.t.a, into["id"])["receivable_total"], 0)
        r = self.t.a.post("customers/%d/merge" % into["id"], {"from": other["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(figures(self.t.a, into["id"])["receivable_total"], 65000)


class Scope(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = Team()
        cls.other = Team()

    def test_a_rep_cannot_pay_into_another_reps_order(self):
        cb = customer(self.t.b)
        ob = order(self.t.b, cb["id"], 50000)
        r = payment(self.t.a, customer_id=cb["id"], order_id=ob["id"], amount=100)
        self.assertEqual(r.status, 404, r)
        r = payment(self.t.a, order_id=ob["id"], amount=100)
        self.assertEqual(r.status, 404, r)
        r = payment(self.t.a, customer_id=cb["id"], amount=100, prepayment=True)
        self.assertEqual(r.status, 404, r)
        self.assertEqual(count(admin(), "payments", customer_id=cb["id"]), 0)
        self.assertEqual(self.t.a.get("customers/%d" % cb["id"]).status, 404)
        self.assertEqual(self.t.a.get("orders/%d" % ob["id"]).status, 404)

    def test_reps_see_their_own_payments_managers_their_department(self):
        ca, cb = customer(self.t.a), customer(self.t.b)
        pa = payment(self.t.a, customer_id=ca["id"], order_id=order(self.t.a, ca["id"], 1000)["id"], amount=1000).body
        pb = payment(self.t.b, customer_id=cb["id"], order_id=order(self.t.b, cb["id"], 1000)["id"], amount=1000).body
        self.assertEqual(self.t.a.get("payments/%d" % pb["id"]).status, 404)
        self.assertEqual(self.t.b.get("payments/%d" % pa["id"]).status, 404)
        self.assertEqual(self.t.manager.get("payments/%d" % pa["id"]).status, 200)
        self.assertEqual(self.other.manager.get("payments/%d" % pa["id"]).status, 404)
        ids = self.t.a.list("payments", {"limit": "500"}).ids
        self.assertIn(pa["id"], ids)
        self.assertNotIn(pb["id"], ids)

    def test_balance_due_counts_what_the_reader_may_see(self):
        ca = customer(self.t.a)
        order(self.t.a, ca["id"], 30000)
        order(self.t.a, ca["id"], 99999, status="draft")
        order(self.t.a, ca["id"], 77777, status="cancelled")
        payment(self.t.a, customer_id=ca["id"], amount=1000, prepayment=True)
        self.assertEqual(self.t.a.read("customers", ca["id"])["balance_due"], 29000)
        self.assertEqual(self.t.manager.read("customers", ca["id"])["balance_due"], 29000)
        self.assertEqual(self.other.manager.get("customers/%d" % ca["id"]).status, 404)


class Plans(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = Team()

    def test_plans_fit_in_the_order_and_are_settled_by_due_date(self):
        c = customer(self.t.a)
        o = order(self.t.a, c["id"], 100000)
        p1 = self.t.a.create("payment_plans", {"order_id": o["id"], "due_on": today(10), "amount": 60000, "title": "首付"})
        p2 = self.t.a.create("payment_plans", {"order_id": o["id"], "due_on": today(40), "amount": 40000, "title": "尾款"})
        self.assertEqual((p1["customer_id"], p1["status"], p1["owner_id"]), (c["id"], "open", self.t.arec["id"]))
        r = self.t.a.post("payment_plans", {"order_id": o["id"], "due_on": today(50), "amount": 1})
        self.assertEqual(r.status, 422, r)
        self.assertIn("amount", r.fields)
        self.assertEqual(count(self.t.a, "payment_plans", order_id=o["id"]), 2)
        r = self.t.a.patch("payment_plans/%d" % p2["id"], {"amount": 40001, "version": p2["version"]})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(self.t.a.read("payment_plans", p2["id"])["amount"], 40000)
        payment(self.t.a, customer_id=c["id"], order_id=o["id"], amount=70000)
        a, b = self.t.a.read("payment_plans", p1["id"]), self.t.a.read("payment_plans", p2["id"])
        self.assertEqual((a["status"], a["paid_amount"]), ("paid", 60000))
        self.assertEqual((b["status"], b["paid_amount"]), ("partial", 10000))

    def test_a_plan_needs_exactly_one_document_and_a_positive_amount(self):
        c = customer(self.t.a)
        o = order(self.t.a, c["id"], 1000)
        k = self.t.a.create("contracts", {"name": uniq("合同"), "customer_id": c["id"], "amount": 1000})
        for body, field in (({"due_on": today(), "amount": 10}, "order_id"),
                            ({"order_id": o["id"], "contract_id": k["id"], "due_on": today(), "amount": 10}, "contract_id"),
                            ({"order_id": o["id"], "due_on": today(), "amount": -10}, "amount"),
                            ({"order_id": o["id"], "due_on": today(), "amount": 0}, "amount"),
                            ({"order_id": o["id"], "amount": 10}, "due_on")):
            r = self.t.a.post("payment_plans", body)
            self.assertEqual(r.status, 422, (body, r))
            self.assertIn(field, r.fields)
        self.assertEqual(count(self.t.a, "payment_plans", order_id=o["id"]), 0)

    def test_another_reps_order_is_404_for_plans(self):
        cb = customer(self.t.b)
        ob = order(self.t.b, cb["id"], 1000)
        r = self.t.a.post("payment_plans", {"order_id": ob["id"], "due_on": today(), "amount": 10})
        self.assertEqual(r.status, 404, r)

    def test_overdue_plans_are_in_the_owners_reminders_until_paid(self):
        c = customer(self.t.a)
        o = order(self.t.a, c["id"], 50000)
        # the manager writes the plan; the order's owner is reminded
        p = self.t.manager.create("payment_plans", {"order_id": o["id"], "due_on": today(-3), "amount": 20000})
        self.t.manager.create("payment_plans", {"order_id": o["id"], "due_on": today(5), "amount": 30000})
        self.assertEqual(p["owner_id"], self.t.arec["id"])

        def overdue(cl):
            return [x for x in cl.get("reminders").data if x["kind"] == "payment_overdue"]
        mine = [x for x in overdue(self.t.a) if x["id"] == p["id"]]
        self.assertEqual(len(mine), 1, overdue(self.t.a))
        self.assertEqual(mine[0]["detail"]["amount_due"], 20000)
        self.assertEqual(mine[0]["detail"]["days_overdue"], 3)
        self.assertEqual(mine[0]["date"], today(-3))
        self.assertEqual([x for x in overdue(self.t.b) if x["id"] == p["id"]], [])
        self.assertEqual(self.t.a.read("customers", c["id"])["overdue_amount"], 20000)
        self.assertEqual(self.t.a.read("orders", o["id"])["overdue_amount"], 20000)
        payment(self.t.a, customer_id=c["id"], order_id=o["id"], amount=15000)
        mine = [x for x in overdue(self.t.a) if x["id"] == p["id"]]
        self.assertEqual(mine[0]["detail"]["amount_due"], 5000)
        payment(self.t.a, customer_id=c["id"], order_id=o["id"], amount=5000)
        self.assertEqual([x for x in overdue(self.t.a) if x["id"] == p["id"]], [])
        self.assertEqual(self.t.a.read("customers", c["id"])["overdue_amount"], 0)


class Contracts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = Team()
        cls.other = Team()

    def tearDown(self):
        set_threshold(None)

    def contract(self, cl, amount, **kw):
        body = {"name": uniq("合同"), "customer_id": customer(cl)["id"], "amount": amount, "start_on": today(-30),
                "end_on": today(300)}
        body.update(kw)
        return cl.post("contracts", body)

    def test_contract_numbers_and_plans_within_the_amount(self):
        k = self.contract(self.t.a, 100000, status="active").body
        self.assertRegex(k["number"], r"^HT-\d{4}-\d{6}$")
        self.assertEqual(k["renewal_notice_days"], 30)
        self.t.a.create("payment_plans", {"contract_id": k["id"], "due_on": today(30), "amount": 70000})
        r = self.t.a.post("payment_plans", {"contract_id": k["id"], "due_on": today(60), "amount": 30001})
        self.assertEqual(r.status, 422, r)
        self.assertIn("amount", r.fields)
        k = self.t.a.read("contracts", k["id"])
        self.assertEqual(k["plans_total"], 70000)
        r = self.t.a.patch("contracts/%d" % k["id"], {"amount": 69999, "version": k["version"]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("amount", r.fields)
        self.assertEqual(self.t.a.read("contracts", k["id"])["amount"], 100000)
        r = payment(self.t.a, contract_id=k["id"], amount=40000)
        self.assertEqual(r.status, 201, r)
        k = self.t.a.read("contracts", k["id"])
        self.assertEqual((k["received_amount"], k["invoiced_amount"]), (40000, 0))
        r = payment(self.t.a, contract_id=k["id"], amount=60001)
        self.assertEqual(r.status, 422, r)

    def test_payments_against_a_draft_or_pending_contract_are_409(self):
        k = self.contract(self.t.a, 5000).body
        self.assertEqual(k["status"], "draft")
        r = payment(self.t.a, contract_id=k["id"], amount=100)
        self.assertEqual(r.status, 409, r)
        self.assertEqual(count(admin(), "payments", contract_id=k["id"]), 0)

    def test_approval_above_the_threshold(self):
        set_threshold(1000000)
        small = self.contract(self.t.a, 1000000, status="active").body
        self.assertEqual(small["status"], "active")
        k = self.contract(self.t.a, 1000001, status="active").body
        self.assertEqual(k["status"], "pending_approval")
        self.assertIsNone(k["approved_by"])
        r = payment(self.t.a, contract_id=k["id"], amount=100)
        self.assertEqual(r.status, 409, r)
        # the rep can neither approve nor activate it
        self.assertEqual(self.t.a.post("contracts/%d/approve" % k["id"]).status, 403)
        r = self.t.a.patch("contracts/%d" % k["id"], {"status": "active", "version": k["version"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["status"], "pending_approval")
        # the department's manager was told and approves; another department's cannot see it
        # (about the contract, or — with the approvals module — about its approval request)
        about = {("contracts", k["id"])}
        ar = self.t.manager.get("approvals", query={"target_id": str(k["id"]), "target_type": "contracts"})
        if admin().get("meta/entities/approvals").status == 200:
            self.assertEqual(ar.status, 200, ar)
            self.assertEqual([(a["kind"], a["status"]) for a in ar.data], [("contract", "pending")])
            about |= {("approvals", a["id"]) for a in ar.data}
        notes = self.t.manager.list("notifications", {"limit": "200"}).data
        self.assertTrue(any((n["related_type"], n["related_id"]) in about for n in notes), notes)
        self.assertEqual(self.other.manager.post("contracts/%d/approve" % k["id"]).status, 404)
        r = self.t.manager.post("contracts/%d/approve" % k["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.body["status"], r.body["approved_by"]), ("active", self.t.mrec["id"]))
        self.assertEqual(self.t.manager.post("contracts/%d/approve" % k["id"]).status, 409)
        self.assertEqual(payment(self.t.a, contract_id=k["id"], amount=100).status, 201)
        # raising an approved contract's amount asks again
        k = self.t.a.read("contracts", k["id"])
        r = self.t.a.patch("contracts/%d" % k["id"], {"amount": 2000000, "version": k["version"]})
        self.assertEqual(r.body["status"], "pending_approval")
        r = self.t.manager.post("contracts/%d/reject" % k["id"])
        self.assertEqual((r.status, r.body["status"]), (200, "draft"))

    def test_approval_requests_decide_the_contract(self):
        if admin().get("meta/entities/approvals").status != 200:
            self.skipTest("no approvals module")
        set_threshold(1000)
        k1 = self.contract(self.t.a, 5000, status="active").body
        k2 = self.contract(self.t.a, 6000, status="active").body
        self.assertEqual((k1["status"], k2["status"]), ("pending_approval", "pending_approval"))

        def request(k):
            rows = self.t.manager.get("approvals", query={"target_id": str(k["id"]), "target_type": "contracts"}).data
            self.assertEqual(len(rows), 1, rows)
            return rows[0]
        a1 = request(k1)
        self.assertEqual((a1["kind"], a1["status"], a1["amount"]), ("contract", "pending", 5000))
        self.assertEqual(self.t.a.post("approvals/%d/approve" % a1["id"], {"comment": "ok"}).status, 403)
        r = self.t.manager.post("approvals/%d/approve" % a1["id"], {"comment": "同意"})
        self.assertEqual(r.status, 200, r)
        got = self.t.a.read("contracts", k1["id"])
        self.assertEqual((got["status"], got["approved_by"]), ("active", self.t.mrec["id"]))
        r = self.t.manager.post("approvals/%d/reject" % request(k2)["id"], {"comment": "金额过高"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.t.a.read("contracts", k2["id"])["status"], "draft")
        # a rep taking a contract out of the wait withdraws its request
        k3 = self.contract(self.t.a, 7000, status="active").body
        r = self.t.a.patch("contracts/%d" % k3["id"], {"status": "draft", "version": k3["version"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(request(k3)["status"], "cancelled")

    def test_a_manager_activates_large_contracts_directly(self):
        set_threshold(100)
        k = self.contract(self.t.manager, 5000, status="active").body
        self.assertEqual((k["status"], k["approved_by"]), ("active", self.t.mrec["id"]))

    def test_settings_are_for_administrators(self):
        r = self.t.manager.patch("settings/contracts", {"approval_above": 5})
        self.assertEqual(r.status, 403, r)
        for bad in (-1, "5", 1.5):
            r = admin().patch("settings/contracts", {"approval_above": bad})
            self.assertEqual(r.status, 422, (bad, r))
        self.assertEqual(admin().get("settings/contracts").body, {"approval_above": None})

    def test_renewal_reminders_within_the_notice_days(self):
        soon = self.contract(self.t.a, 100, status="active", end_on=today(10)).body
        later = self.contract(self.t.a, 100, status="active", end_on=today(45)).body
        long_notice = self.contract(self.t.a, 100, status="active", end_on=today(45), renewal_notice_days=60).body
        draft = self.contract(self.t.a, 100, end_on=today(5)).body
        got = {x["id"]: x for x in self.t.a.get("reminders").data if x["kind"] == "contract_renewal"}
        self.assertIn(soon["id"], got)
        self.assertEqual(got[soon["id"]]["detail"]["days_left"], 10)
        self.assertEqual(got[soon["id"]]["date"], today(10))
        self.assertIn(long_notice["id"], got)
        self.assertNotIn(later["id"], got)
        self.assertNotIn(draft["id"], got)
        theirs = [x for x in self.t.b.get("reminders").data if x["kind"] == "contract_renewal"]
        self.assertNotIn(soon["id"], [x["id"] for x in theirs])

    def test_another_reps_customer_is_404_and_bad_values_422(self):
        cb = customer(self.t.b)
        r = self.t.a.post("contracts", {"name": "x", "customer_id": cb["id"], "amount": 1})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(count(admin(), "contracts", customer_id=cb["id"]), 0)
        ca = customer(self.t.a)
        for body, field in (({"name": "x", "amount": 1}, "customer_id"),
                            ({"name": "x", "customer_id": ca["id"], "amount": -1}, "amount"),
                            ({"name": "x", "customer_id": ca["id"], "amount": 1, "status": "signed"}, "status"),
                            ({"name": "x", "customer_id": ca["id"], "amount": 1, "renewal_notice_days": -3}, "renewal_notice_days")):
            r = self.t.a.post("contracts", body)
            self.assertEqual(r.status, 422, (body, r))
            self.assertIn(field, r.fields)
        self.assertEqual(count(admin(), "contracts", customer_id=ca["id"]), 0)


# 3 × 123.45 at 13 %, 1.5 × 99.99 at 6 %: amounts 370.35 and 149.985 → 149.99
# (half-up); tax 48.1455 → 48.15 and 8.9994 → 9.00.
LINES = [{"tax_code": "3040201990000000000", "name": "*信息技术服务*软件维护", "model": "V2", "unit": "次",
          "quantity": 3, "unit_price": 12345, "tax_rate_pct": 13},
         {"name": "*纸制品*打印纸", "unit": "箱", "quantity": 1.5, "unit_price": 9999, "tax_rate_pct": 6}]


class Invoices(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = Team()
        r = admin().patch("settings/company", {"name": "关系软件有限公司", "tax_id": "91350100M000100Y43",
                                               "address_phone": "福州市鼓楼区 0591-87654321",
                                               "bank_account": "招商银行福州分行 591900000010101"})
        assert r.status == 200, r

    def setUp(self):
        self.cust = customer(self.t.a, credit_code="91350100M000100Y43")
        self.order = order(self.t.a, self.cust["id"], 100000)

    def invoice(self, cl=None, **kw):
        body = {"number": uniq("FP"), "order_id": self.order["id"], "lines": LINES}
        body.update(kw)
        if body.get("red_of") and "lines" not in kw:
            del body["lines"]  # a whole reversal
            del body["order_id"]
        return (cl or self.t.manager).post("invoices", body)

    def test_totals_exact_to_the_fen_and_in_capitals(self):
        r = self.invoice(issued_on="2026-11-20")
        self.assertEqual(r.status, 201, r)
        inv = r.body
        self.assertEqual([(ln["amount"], ln["tax"]) for ln in inv["lines"]], [(37035, 4815), (14999, 900)])
        self.assertEqual((inv["amount_total"], inv["tax_total"], inv["total"]), (52034, 5715, 57749))
        self.assertEqual(inv["total_words"], "伍佰柒拾柒元肆角玖分")
        self.assertEqual((inv["customer_id"], inv["buyer_name"], inv["buyer_tax_id"]),
                         (self.cust["id"], self.cust["name"], "91350100M000100Y43"))
        self.assertEqual((inv["seller_name"], inv["seller_bank_account"]), ("关系软件有限公司", "招商银行福州分行 591900000010101"))
        self.assertEqual(inv["owner_id"], self.t.arec["id"])  # the order's owner
        self.assertEqual(self.t.a.read("invoices", inv["id"])["total"], 57749)
        rows = admin().list("invoice_lines", {"invoice_id": str(inv["id"]), "sort": "line_no"}).data
        self.assertEqual([(x["line_no"], x["quantity"], x["amount"], x["tax_rate_pct"], x["tax"]) for x in rows],
                         [(1, 3, 37035, 13, 4815), (2, 1.5, 14999, 6, 900)])
        o = self.t.a.read("orders", self.order["id"])
        self.assertEqual((o["invoiced_amount"], o["uninvoiced_amount"]), (57749, 100000 - 57749))
        self.assertEqual(self.t.a.read("customers", self.cust["id"])["invoiced_total"], 57749)

    def test_an_invoice_cannot_exceed_what_is_left_uninvoiced(self):
        self.assertEqual(self.invoice().status, 201)
        number = uniq("FP")
        r = self.invoice(number=number)  # 577.49 + 577.49 > 1000.00
        self.assertEqual(r.status, 422, r)
        self.assertIn("lines", r.fields)
        self.assertEqual(count(admin(), "invoices", order_id=self.order["id"]), 1)
        self.assertEqual(count(admin(), "invoices", number=number), 0)
        r = self.invoice(number=number, lines=[{"name": "尾款", "quantity": 1, "unit_price": 42252, "tax_rate_pct": 0}])
        self.assertEqual(r.status, 422, r)  # one fen too many
        r = self.invoice(number=number, lines=[{"name": "尾款", "quantity": 1, "unit_price": 42251, "tax_rate_pct": 0}])
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.t.a.read("orders", self.order["id"])["uninvoiced_amount"], 0)

    def test_red_letter_invoices_credit_at_most_the_original(self):
        inv = self.invoice().body
        part = self.invoice(number=uniq("HZ"), red_of=inv["id"],
                            lines=[{"name": "*信息技术服务*软件维护", "quantity": -1, "unit_price": 12345, "tax_rate_pct": 13}])
        self.assertEqual(part.status, 201, part)
        self.assertEqual((part.body["total"], part.body["total_words"]), (-13950, "负壹佰叁拾玖元伍角整"))
        self.assertEqual(part.body["order_id"], self.order["id"])
        self.assertEqual(self.t.manager.read("invoices", inv["id"])["credited_amount"], -13950)
        r = self.invoice(number=uniq("HZ"), red_of=inv["id"])  # the whole original again: too much
        self.assertEqual(r.status, 422, r)
        self.assertIn("lines", r.fields)
        r = self.invoice(number=uniq("HZ"), red_of=inv["id"],
                         lines=[{"name": "x", "quantity": 1, "unit_price": 100, "tax_rate_pct": 13}])
        self.assertEqual(r.status, 422, r)
        self.assertIn("lines[0].quantity", r.fields)
        r = self.invoice(number=uniq("HZ"), red_of=part.body["id"])
        self.assertEqual(r.status, 422, r)
        self.assertIn("red_of", r.fields)
        self.assertEqual(count(admin(), "invoices", red_of=inv["id"]), 1)
        self.assertEqual(self.t.a.read("orders", self.order["id"])["invoiced_amount"], 57749 - 13950)
        # voiding the original is refused while a red one refers to it; voiding the red one is fine
        r = self.t.manager.patch("invoices/%d" % inv["id"], {"status": "void", "version": self.t.manager.read("invoices", inv["id"])["version"]})
        self.assertEqual(r.status, 409, r)
        red = self.t.manager.read("invoices", part.body["id"])
        self.assertEqual(self.t.manager.patch("invoices/%d" % red["id"], {"status": "void", "version": red["version"]}).status, 200)
        self.assertEqual(self.t.manager.read("invoices", inv["id"])["credited_amount"], 0)
        full = self.invoice(number=uniq("HZ"), red_of=inv["id"])
        self.assertEqual((full.status, full.body["total"]), (201, -57749))
        self.assertEqual(self.t.a.read("orders", self.order["id"])["invoiced_amount"], 0)

    def test_issued_invoices_are_voided_not_edited_or_deleted(self):
        inv = self.invoice().body
        r = self.t.manager.patch("invoices/%d" % inv["id"], {"buyer_name": "别的公司", "version": inv["version"]})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(self.t.manager.delete("invoices/%d" % inv["id"]).status, 409)
        r = self.t.manager.patch("invoices/%d" % inv["id"], {"status": "void", "notes": "开错", "version": inv["version"]})
        self.assertEqual(r.status, 200, r)
        r = self.t.manager.patch("invoices/%d" % inv["id"], {"status": "issued", "version": r.body["version"]})
        self.assertEqual(r.status, 409, r)
        r = self.t.manager.patch("invoices/%d" % inv["id"], {"notes": "stale", "version": inv["version"]})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(self.t.a.read("orders", self.order["id"])["invoiced_amount"], 0)
        self.assertEqual(self.invoice().status, 201)  # the void one no longer counts

    def test_bad_input_names_the_field_and_writes_nothing(self):
        cases = [({"lines": []}, "lines"),
                 ({"lines": [{"quantity": 1, "unit_price": 100, "tax_rate_pct": 13}]}, "lines[0].name"),
                 ({"lines": [{"name": "a", "quantity": -1, "unit_price": 100, "tax_rate_pct": 13}]}, "lines[0].quantity"),
                 ({"lines": [{"name": "a", "quantity": 1.0005, "unit_price": 100, "tax_rate_pct": 13}]}, "lines[0].quantity"),
                 ({"lines": [{"name": "a", "quantity": 1, "unit_price": -100, "tax_rate_pct": 13}]}, "lines[0].unit_price"),
                 ({"lines": [{"name": "a", "quantity": 1, "unit_price": 100, "tax_rate_pct": 101}]}, "lines[0].tax_rate_pct"),
                 ({"lines": [{"name": "a", "quantity": 1, "unit_price": 100, "tax_rate_pct": 13, "tax_code": "30x"}]}, "lines[0].tax_code"),
                 ({"lines": [{"name": "a", "quantity": 1e12, "unit_price": 9000000000000000, "tax_rate_pct": 13}]}, "lines[0].quantity"),
                 ({"buyer_tax_id": "123"}, "buyer_tax_id"),
                 ({"buyer_tax_id": "91350100M000100Y44"}, "buyer_tax_id"),
                 ({"kind": "special", "buyer_address_phone": "上海"}, "buyer_bank_account"),
                 ({"kind": "paper"}, "kind"),
                 ({"order_id": None}, "order_id")]
        for extra, field in cases:
            number = uniq("FP")
            r = self.invoice(number=number, **extra)
            self.assertEqual(r.status, 422, (extra, r))
            self.assertIn(field, r.fields, (extra, r.fields))
            self.assertEqual(count(admin(), "invoices", number=number), 0)
        r = self.invoice(buyer_tax_id="91350100M000100Y44")
        self.assertEqual(r.error.get("code"), "needs_confirmation")
        r = self.invoice(buyer_tax_id="91350100M000100Y44", confirm=["buyer_tax_id"])
        self.assertEqual(r.status, 201, r)
        dup = self.invoice(number=r.body["number"], lines=[{"name": "a", "quantity": 1, "unit_price": 1, "tax_rate_pct": 0}])
        self.assertEqual(dup.status, 409, dup)

    def test_reps_read_invoices_of_their_orders_but_do_not_issue_them(self):
        inv = self.invoice().body
        self.assertEqual(self.invoice(cl=self.t.a).status, 403)
        self.assertEqual(self.t.a.read("invoices", inv["id"])["total"], 57749)
        self.assertEqual(self.t.b.get("invoices/%d" % inv["id"]).status, 404)
        cb = customer(self.t.b)
        ob = order(self.t.b, cb["id"], 1000)
        # a manager of another department cannot invoice this team's order
        other = Team()
        r = other.manager.post("invoices", {"number": uniq("FP"), "order_id": ob["id"], "lines": LINES})
        self.assertEqual(r.status, 404, r)

    def test_company_profile_is_for_administrators_and_checked(self):
        self.assertEqual(self.t.manager.patch("settings/company", {"name": "x"}).status, 403)
        r = admin().patch("settings/company", {"tax_id": "12345"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("tax_id", r.fields)
        r = admin().patch("settings/company", {"colour": "red"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(admin().get("settings/company").body["name"], "关系软件有限公司")

    def test_contract_invoices_count_on_the_contract(self):
        k = self.t.a.create("contracts", {"name": uniq("合同"), "customer_id": self.cust["id"], "amount": 60000,
                                          "status": "active"})
        r = self.t.manager.post("invoices", {"number": uniq("FP"), "contract_id": k["id"], "lines": LINES})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.t.a.read("contracts", k["id"])["invoiced_amount"], 57749)
        r = self.t.manager.post("invoices", {"number": uniq("FP"), "contract_id": k["id"],
                                             "lines": [{"name": "a", "quantity": 1, "unit_price": 2252, "tax_rate_pct": 0}]})
        self.assertEqual(r.status, 422, r)


if __name__ == "__main__":
    unittest.main()
