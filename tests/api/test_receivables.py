"""Receivables (应收账款, issue 6): outstanding balance and overdue amounts
per customer and per order, in the viewer's scope. Every figure below is
computed by hand in fen from the documents the test makes, and each row of
the report equals the customer's own figures (GET /customers/{id})."""
import datetime
import io
import unittest
import zipfile

from client import admin, make_department, make_user, uniq

CN = datetime.timezone(datetime.timedelta(hours=8))


def today(offset=0):
    return (datetime.datetime.now(CN).date() + datetime.timedelta(days=offset)).isoformat()


PATH = {"draft": [], "approved": ["approved"], "cancelled": ["cancelled"], "delivered": ["approved", "delivered"]}


def order(cl, customer_id, total, status="approved"):
    o = cl.create("orders", {"customer_id": customer_id, "tax_rate_pct": 0,
                             "lines": [{"description": "货款", "quantity": 1, "unit_price": total}]})
    assert o["total"] == total, o
    for to in PATH[status]:
        r = cl.post("orders/%d/transition" % o["id"], {"to": to})
        assert r.status == 200, r
    return o


def pay(cl, **kw):
    body = {"method": "transfer", "paid_on": today()}
    body.update(kw)
    r = cl.post("payments", body)
    assert r.status == 201, r
    return r.body


KEYS = ("receivable_total", "received_total", "balance_due", "overdue_amount")


def figures(row):
    return tuple(row[k] for k in KEYS)


class Receivables(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dept = make_department()
        cls.mrec, cls.manager = make_user(roles=("sales_manager",), department_id=cls.dept["id"])
        cls.arec, cls.a = make_user(department_id=cls.dept["id"])
        cls.brec, cls.b = make_user(department_id=cls.dept["id"])
        a = cls.a
        tag = uniq("")
        cls.x = a.create("customers", {"name": "甲应收" + tag, "kind": "company"})
        cls.y = a.create("customers", {"name": "乙应收" + tag, "kind": "company"})
        cls.w = a.create("customers", {"name": "丙无账" + tag, "kind": "company"})
        cls.z = cls.b.create("customers", {"name": "丁应收" + tag, "kind": "company"})
        x = cls.x["id"]
        # X: two receivable orders, a draft and a cancelled one (not receivable),
        # an active contract without an order, a draft contract, a prepayment.
        cls.a1 = order(a, x, 100000)
        cls.a2 = order(a, x, 50050, "delivered")
        order(a, x, 99999, "draft")
        order(a, x, 12345, "cancelled")
        cls.k1 = a.create("contracts", {"name": uniq("合同"), "customer_id": x, "amount": 200000, "status": "active"})
        a.create("contracts", {"name": uniq("合同"), "customer_id": x, "amount": 77777})
        a.create("payment_plans", {"order_id": cls.a2["id"], "due_on": today(-2), "amount": 20000})
        a.create("payment_plans", {"order_id": cls.a2["id"], "due_on": today(10), "amount": 30050})
        pay(a, customer_id=x, order_id=cls.a1["id"], amount=30000)
        pay(a, customer_id=x, order_id=cls.a2["id"], amount=5000)
        pay(a, customer_id=x, amount=1234, prepayment=True)
        # Y: one order, paid in full.  Z (rep b's): one order, nothing paid.
        o = order(a, cls.y["id"], 10000)
        pay(a, customer_id=cls.y["id"], order_id=o["id"], amount=10000)
        order(cls.b, cls.z["id"], 40000)

    # X by hand: receivable 100000 + 50050 + 200000 = 350050; received
    # 30000 + 5000 + 1234 = 36234; balance 313816; overdue: plan of 20000
    # due two days ago, 5000 of the order's payment applied to it → 15000.
    X = (350050, 36234, 313816, 15000)
    Y = (10000, 10000, 0, 0)
    Z = (40000, 0, 40000, 0)

    def report(self, cl, **q):
        r = cl.get("reports/receivables", query={k: str(v) for k, v in q.items()})
        self.assertEqual(r.status, 200, r)
        return r.body

    def test_a_reps_customers_with_exact_figures(self):
        rep = self.report(self.a)
        rows = {x["customer_id"]: x for x in rep["data"]}
        self.assertEqual(sorted(rows), sorted([self.x["id"], self.y["id"]]))  # not W (nothing), not Z (rep b's)
        self.assertEqual(figures(rows[self.x["id"]]), self.X)
        self.assertEqual(figures(rows[self.y["id"]]), self.Y)
        self.assertEqual(rows[self.x["id"]]["customer_name"], self.x["name"])
        self.assertEqual(rep["total"], 2)
        self.assertEqual(figures(rep["totals"]), (360050, 46234, 313816, 15000))
        self.assertEqual(rep["as_of"], today())
        # The same figures as the customer's own page.
        for cid, row in rows.items():
            c = self.a.read("customers", cid)
            self.assertEqual(figures(c), figures(row))

    def test_manager_sees_the_department_and_other_rep_sees_only_theirs(self):
        rows = {x["customer_id"]: figures(x) for x in self.report(self.manager)["data"]}
        self.assertEqual(rows, {self.x["id"]: self.X, self.y["id"]: self.Y, self.z["id"]: self.Z})
        rep_b = self.report(self.b)
        self.assertEqual([x["customer_id"] for x in rep_b["data"]], [self.z["id"]])
        self.assertEqual(figures(rep_b["totals"]), self.Z)
        self.assertEqual(self.b.get("reports/receivables/%d" % self.x["id"]).status, 404)

    def test_sorting_filters_and_paging(self):
        ids = lambda rep: [x["customer_id"] for x in rep["data"]]
        m = self.manager
        self.assertEqual(ids(self.report(m)), [self.x["id"], self.z["id"], self.y["id"]])  # balance due, desc
        self.assertEqual(ids(self.report(m, dir="asc")), [self.y["id"], self.z["id"], self.x["id"]])
        self.assertEqual(ids(self.report(m, sort="receivable_total")), [self.x["id"], self.z["id"], self.y["id"]])
        self.assertEqual(ids(self.report(m, sort="overdue_amount"))[0], self.x["id"])
        # By name in pinyin order: 丁 (d) < 甲 (j) < 乙 (y).
        self.assertEqual(ids(self.report(m, sort="customer_name", dir="asc")), [self.z["id"], self.x["id"], self.y["id"]])
        self.assertEqual(ids(self.report(m, overdue=1)), [self.x["id"]])
        self.assertEqual(ids(self.report(m, due=1)), [self.x["id"], self.z["id"]])
        self.assertEqual(ids(self.report(m, q="乙应收")), [self.y["id"]])
        page = self.report(m, limit=1, offset=1)
        self.assertEqual((ids(page), page["total"]), ([self.z["id"]], 3))
        self.assertEqual(figures(page["totals"]), (400050, 46234, 353816, 15000))

    def test_drill_down_to_the_orders_and_contracts(self):
        r = self.a.get("reports/receivables/%d" % self.x["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(figures(r.body), self.X)
        orders = {o["id"]: o for o in r.body["orders"]}
        self.assertEqual(sorted(orders), sorted([self.a1["id"], self.a2["id"]]))  # not the draft, not the cancelled
        o1, o2 = orders[self.a1["id"]], orders[self.a2["id"]]
        self.assertEqual((o1["total"], o1["received_amount"], o1["outstanding_amount"], o1["overdue_amount"]),
                         (100000, 30000, 70000, 0))
        self.assertEqual((o2["total"], o2["received_amount"], o2["outstanding_amount"], o2["overdue_amount"]),
                         (50050, 5000, 45050, 15000))
        self.assertEqual(o2["status"], "delivered")
        self.assertEqual(o1["number"], self.a1["number"])
        [k] = r.body["contracts"]
        self.assertEqual((k["id"], k["total"], k["outstanding_amount"]), (self.k1["id"], 200000, 200000))
        # The documents add up to the balance less the prepayment on account.
        owed = sum(o["outstanding_amount"] for o in r.body["orders"]) + k["outstanding_amount"]
        self.assertEqual(owed - 1234, self.X[2])

    def test_export_to_excel(self):
        r = self.manager.get("reports/receivables/export", query={"sort": "customer_name", "dir": "asc"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn("attachment;", r.headers["Content-Disposition"])
        z = zipfile.ZipFile(io.BytesIO(r.raw))
        strings = z.read("xl/sharedStrings.xml").decode("utf-8")
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
        for c in (self.x, self.y, self.z):
            self.assertIn(c["name"], strings)
        self.assertIn("3138.16", sheet)  # X's balance due in yuan
        self.assertIn("3538.16", sheet)  # the totals row

    def test_bad_input_and_no_access(self):
        r = self.a.get("reports/receivables", query={"sort": "name; DROP TABLE"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("sort", r.fields)
        self.assertEqual(self.a.get("reports/receivables", query={"limit": "0"}).status, 422)
        self.assertEqual(self.a.get("reports/receivables", query={"dir": "up"}).status, 422)
        self.assertEqual(self.a.get("reports/receivables/999999999").status, 404)
        role = admin().create("roles", {"code": uniq("nopay_"), "name": "customers only",
                                        "permissions": {"customers": {"read": "all"}}})
        _, viewer = make_user(roles=(), role_ids=[role["id"]])
        self.assertEqual(viewer.get("reports/receivables").status, 403)
        self.assertEqual(viewer.get("reports/receivables/%d" % self.x["id"]).status, 403)


if __name__ == "__main__":
    unittest.main()
