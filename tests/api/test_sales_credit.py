"""Credit area of sales (issue #6): approvals (审批), customers' credit limits,
the credit-limit approval of orders, deliveries and returns, the quote PDF.

Departments: "sales" (manager M, reps R1 and R2) and "other" (manager M2);
the administrator belongs to the head office."""
import shutil
import subprocess
import tempfile
import unittest

from client import admin, make_department, make_user, uniq


def product(price=60000):
    return admin().create("products", {"code": uniq("P"), "name": uniq("路由器"), "price": price, "unit": "台"})


def order(client, customer_id, lines):
    """A draft order of client: lines is [(product, quantity)]; no tax."""
    return client.create("orders", {"customer_id": customer_id, "tax_rate_pct": 0,
                                    "lines": [{"product_id": p["id"], "quantity": q} for p, q in lines]})


def approved_order(lines, customer_name=None):
    """An approved order (no credit limit) of rep R1."""
    cust = R1[1].create("customers", {"name": customer_name or uniq("客户")})
    o = order(R1[1], cust["id"], lines)
    r = R1[1].post("orders/%d/transition" % o["id"], {"to": "approved"})
    assert r.status == 200, r
    return cust, r.body


def approvals_of(order_id):
    return admin().list("approvals", {"target_type": "orders", "target_id": str(order_id)}).body["data"]


def notifications(client, approval_id):
    return client.list("notifications", {"related_type": "approvals", "related_id": str(approval_id)}).body["data"]


def setUpModule():
    global M, M2, R1, R2, SALES, OTHER
    SALES = make_department(name=uniq("销售部"))
    OTHER = make_department(name=uniq("其他部"))
    M = make_user(roles=("sales_manager",), department_id=SALES["id"])
    M2 = make_user(roles=("sales_manager",), department_id=OTHER["id"])
    R1 = make_user(roles=("sales_rep",), department_id=SALES["id"])
    R2 = make_user(roles=("sales_rep",), department_id=SALES["id"])
    for dept, mgr in ((SALES, M), (OTHER, M2)):
        d = admin().read("departments", dept["id"])
        r = admin().patch("departments/%d" % dept["id"], {"manager_id": mgr[0]["id"], "version": d["version"]})
        assert r.status == 200, r


class CreditLimitField(unittest.TestCase):
    """credit_limit is set by managers and administrators only."""

    def test_rep_cannot_set_credit_limit_on_create(self):
        rep = R1[1]
        name = uniq("额度客户")
        r = rep.post("customers", {"name": name, "credit_limit": 500000})
        self.assertEqual(r.status, 403, r)
        self.assertIn("credit_limit", r.fields)
        # nothing written
        self.assertEqual(admin().list("customers", {"name": name}).body["total"], 0)

    def test_rep_cannot_change_credit_limit_but_may_edit_other_fields(self):
        rep = R1[1]
        cust = rep.create("customers", {"name": uniq("额度客户")})
        self.assertIsNone(cust["credit_limit"])
        r = rep.patch("customers/%d" % cust["id"], {"credit_limit": 100, "version": cust["version"]})
        self.assertEqual(r.status, 403, r)
        self.assertIsNone(admin().read("customers", cust["id"])["credit_limit"])
        # other fields, and the unchanged limit sent back, are fine
        r = rep.patch("customers/%d" % cust["id"], {"notes": "ok", "credit_limit": None, "version": cust["version"]})
        self.assertEqual(r.status, 200, r)

    def test_manager_sets_credit_limit_of_their_reps_customer(self):
        cust = R1[1].create("customers", {"name": uniq("额度客户")})
        r = M[1].patch("customers/%d" % cust["id"], {"credit_limit": 1000000, "version": cust["version"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["credit_limit"], 1000000)
        # negative limits are refused, nothing changed
        r = M[1].patch("customers/%d" % cust["id"], {"credit_limit": -1, "version": r.body["version"]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("credit_limit", r.fields)
        self.assertEqual(admin().read("customers", cust["id"])["credit_limit"], 1000000)
        # a manager of another department does not even see the customer
        r = M2[1].patch("customers/%d" % cust["id"], {"credit_limit": 1, "version": 2})
        self.assertEqual(r.status, 404, r)


class ApprovalsApi(unittest.TestCase):
    """The generic part of approvals that needs no order."""

    def test_generic_writes_are_refused(self):
        r = admin().post("approvals", {"reason": "by hand"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(admin().list("approvals", {"reason": "by hand"}).body["total"], 0)

    def test_unknown_request_is_404(self):
        for action in ("approve", "reject"):
            r = M[1].post("approvals/987654321/%s" % action, {"comment": "x"})
            self.assertEqual(r.status, 404, r)

    def test_mine_is_a_list(self):
        r = R2[1].get("approvals/mine")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["data"], [])

    def test_bad_comment_is_422(self):
        r = M[1].post("approvals/1/approve", {"comment": 12})
        self.assertEqual(r.status, 422, r)
        self.assertIn("comment", r.fields)


class CreditLimitApproval(unittest.TestCase):
    """An order that would take the customer over its credit limit needs a
    manager's approval: 409 credit_limit_exceeded and a request to the rep's
    department manager, who approves (the order goes through) or rejects."""

    def setUp(self):
        self.p = product(60000)  # ¥600.00
        self.cust = R1[1].create("customers", {"name": uniq("额度客户")})
        d = M[1].read("customers", self.cust["id"])
        r = M[1].patch("customers/%d" % self.cust["id"], {"credit_limit": 100000, "version": d["version"]})
        self.assertEqual(r.status, 200, r)

    def over_limit_order(self):
        o = order(R1[1], self.cust["id"], [(self.p, 2)])  # ¥1,200.00 > ¥1,000.00
        self.assertEqual(o["total"], 120000)
        r = R1[1].post("orders/%d/transition" % o["id"], {"to": "approved"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.error["code"], "credit_limit_exceeded")
        self.assertEqual(R1[1].read("orders", o["id"])["status"], "draft")
        reqs = approvals_of(o["id"])
        self.assertEqual(len(reqs), 1, reqs)
        a = reqs[0]
        self.assertEqual((a["kind"], a["status"], a["amount"], a["requested_by"], a["approver_id"]),
                         ("credit_limit", "pending", 120000, R1[0]["id"], M[0]["id"]))
        return o, a

    def test_within_the_limit_needs_no_approval(self):
        o = order(R1[1], self.cust["id"], [(self.p, 1)])
        r = R1[1].post("orders/%d/transition" % o["id"], {"to": "approved"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(approvals_of(o["id"]), [])
        # the approved order now counts: the next ¥600.00 takes it to ¥1,200.00
        o2 = order(R1[1], self.cust["id"], [(self.p, 1)])
        r = R1[1].post("orders/%d/transition" % o2["id"], {"to": "approved"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.error["code"], "credit_limit_exceeded")

    def test_manager_approves_and_the_order_goes_through(self):
        o, a = self.over_limit_order()
        # the manager was notified, with a link to the request
        self.assertEqual(len(notifications(M[1], a["id"])), 1)
        mine = M[1].get("approvals/mine")
        self.assertIn(a["id"], [x["id"] for x in mine.body["data"]])
        # asking again reuses the pending request
        r = R1[1].post("orders/%d/transition" % o["id"], {"to": "approved"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(len(approvals_of(o["id"])), 1)
        r = M[1].post("approvals/%d/approve" % a["id"], {"comment": "老客户,同意"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.body["status"], r.body["comment"], r.body["decided_by"]), ("approved", "老客户,同意", M[0]["id"]))
        self.assertEqual(R1[1].read("orders", o["id"])["status"], "approved")
        # the rep hears about it
        self.assertEqual(len(notifications(R1[1], a["id"])), 1)
        # deciding twice: 409, nothing changes
        r = M[1].post("approvals/%d/reject" % a["id"], {"comment": "不行"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(admin().read("approvals", a["id"])["status"], "approved")

    def test_manager_rejects_and_the_order_stays_a_draft(self):
        o, a = self.over_limit_order()
        r = M[1].post("approvals/%d/reject" % a["id"], {"comment": "请先回款"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["status"], "rejected")
        self.assertEqual(R1[1].read("orders", o["id"])["status"], "draft")
        # trying again says why it was rejected and asks anew
        r = R1[1].post("orders/%d/transition" % o["id"], {"to": "approved"})
        self.assertEqual(r.status, 409, r)
        self.assertIn("请先回款", r.error["message"])
        reqs = approvals_of(o["id"])
        self.assertEqual([x["status"] for x in reqs], ["pending", "rejected"])

    def test_rep_and_other_managers_cannot_decide(self):
        o, a = self.over_limit_order()
        # the requester sees the request but may not decide it
        self.assertEqual(R1[1].get("approvals/%d" % a["id"]).status, 200)
        r = R1[1].post("approvals/%d/approve" % a["id"], {"comment": "自己批"})
        self.assertEqual(r.status, 403, r)
        # another rep of the department does not even see it
        self.assertEqual(R2[1].post("approvals/%d/approve" % a["id"], {}).status, 404)
        # nor does the manager of another department
        self.assertEqual(M2[1].get("approvals/%d" % a["id"]).status, 404)
        self.assertEqual(M2[1].post("approvals/%d/approve" % a["id"], {}).status, 404)
        self.assertNotIn(a["id"], [x["id"] for x in M2[1].get("approvals/mine").body["data"]])
        # nothing changed
        self.assertEqual(admin().read("approvals", a["id"])["status"], "pending")
        self.assertEqual(R1[1].read("orders", o["id"])["status"], "draft")
        # an administrator may decide
        r = admin().post("approvals/%d/approve" % a["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(R1[1].read("orders", o["id"])["status"], "approved")

    def test_an_approval_covers_the_amount_it_was_given_for(self):
        o, a = self.over_limit_order()
        self.assertEqual(M[1].post("approvals/%d/approve" % a["id"]).status, 200)
        # a second, larger order is not covered by the first order's approval
        o2 = order(R1[1], self.cust["id"], [(self.p, 1)])
        r = R1[1].post("orders/%d/transition" % o2["id"], {"to": "approved"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(len(approvals_of(o2["id"])), 1)

    def test_no_limit_means_no_check(self):
        cust = R1[1].create("customers", {"name": uniq("无额度")})
        o = order(R1[1], cust["id"], [(self.p, 100)])
        self.assertEqual(R1[1].post("orders/%d/transition" % o["id"], {"to": "approved"}).status, 200)


class Deliveries(unittest.TestCase):
    def setUp(self):
        self.p1, self.p2 = product(10000), product(25000)
        self.cust, self.order = approved_order([(self.p1, 3), (self.p2, 1.5)])
        self.l1, self.l2 = [l["id"] for l in self.order["lines"]]

    def deliver(self, client, lines, **kw):
        body = {"order_id": self.order["id"], "lines": [{"order_line_id": i, "quantity": q} for i, q in lines]}
        body.update(kw)
        return client.post("deliveries", body)

    def quantities(self):
        o = R1[1].read("orders", self.order["id"])
        return o["status"], [(l["delivered_qty"], l["returned_qty"]) for l in o["lines"]]

    def test_partial_deliveries_then_the_order_is_delivered(self):
        r = self.deliver(R1[1], [(self.l1, 2), (self.l2, 0.5)], carrier="顺丰", tracking_no="SF1234567890")
        self.assertEqual(r.status, 201, r)
        self.assertRegex(r.body["number"], r"^FH-\d{4}-\d{6}$")
        self.assertEqual(r.body["customer_id"], self.cust["id"])
        self.assertEqual([(l["order_line_id"], l["quantity"]) for l in r.body["lines"]], [(self.l1, 2), (self.l2, 0.5)])
        self.assertEqual(self.quantities(), ("approved", [(2, 0), (0.5, 0)]))
        r = self.deliver(R1[1], [(self.l1, 1), (self.l2, 1)])
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.quantities(), ("delivered", [(3, 0), (1.5, 0)]))
        # nothing left: a delivered order takes no more deliveries
        r = self.deliver(R1[1], [(self.l1, 1)])
        self.assertEqual(r.status, 409, r)
        got = R1[1].get("deliveries", query={"order_id": str(self.order["id"])})
        self.assertEqual(got.body["total"], 2)

    def test_over_delivery_is_422_and_nothing_is_written(self):
        self.assertEqual(self.deliver(R1[1], [(self.l1, 1)]).status, 201)
        before = self.quantities()
        n = R1[1].get("deliveries", query={"order_id": str(self.order["id"])}).body["total"]
        for lines in ([(self.l1, 2), (self.l2, 0.5)],  # line 1 has 2 left: 2 is fine, the next is not
                      [(self.l1, 2.001)], [(self.l2, 1.6)]):
            r = self.deliver(R1[1], lines)
            self.assertEqual(r.status, 422 if lines[0][1] != 2 else 201, r)
            if r.status == 201:
                before = self.quantities()
                n += 1
                continue
            self.assertIn("lines[0].quantity", r.fields)
            self.assertEqual(self.quantities(), before)
            self.assertEqual(R1[1].get("deliveries", query={"order_id": str(self.order["id"])}).body["total"], n)

    def test_bad_lines_are_named(self):
        cases = [
            ([{"order_line_id": self.l1, "quantity": -1}], "lines[0].quantity"),
            ([{"order_line_id": self.l1, "quantity": 0}], "lines[0].quantity"),
            ([{"order_line_id": self.l1, "quantity": 0.0001}], "lines[0].quantity"),
            ([{"order_line_id": self.l1, "quantity": "1"}], "lines[0].quantity"),
            ([{"order_line_id": 999999999, "quantity": 1}], "lines[0].order_line_id"),
            ([{"order_line_id": self.l1, "quantity": 1}, {"order_line_id": self.l1, "quantity": 1}], "lines[1].order_line_id"),
            ([], "lines"),
        ]
        for lines, field in cases:
            r = R1[1].post("deliveries", {"order_id": self.order["id"], "lines": lines})
            self.assertEqual(r.status, 422, (lines, r))
            self.assertIn(field, r.fields, (lines, r))
        self.assertEqual(self.quantities(), ("approved", [(0, 0), (0, 0)]))

    def test_draft_orders_and_other_reps_orders(self):
        cust = R1[1].create("customers", {"name": uniq("客户")})
        draft = order(R1[1], cust["id"], [(self.p1, 1)])
        r = R1[1].post("deliveries", {"order_id": draft["id"], "lines": [{"order_line_id": draft["lines"][0]["id"], "quantity": 1}]})
        self.assertEqual(r.status, 409, r)
        # another rep cannot see R1's order: 404, nothing written
        r = self.deliver(R2[1], [(self.l1, 1)])
        self.assertEqual(r.status, 404, r)
        self.assertEqual(self.quantities(), ("approved", [(0, 0), (0, 0)]))

    def test_lines_and_order_do_not_change_and_deliveries_are_not_deleted(self):
        d = self.deliver(R1[1], [(self.l1, 1)]).body
        r = R1[1].patch("deliveries/%d" % d["id"], {"lines": [{"order_line_id": self.l1, "quantity": 3}], "version": d["version"]})
        self.assertEqual(r.status, 422, r)
        r = R1[1].patch("deliveries/%d" % d["id"], {"tracking_no": "YT0001", "version": d["version"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(admin().delete("deliveries/%d" % d["id"]).status, 409)
        self.assertEqual(self.quantities(), ("approved", [(1, 0), (0, 0)]))


class Returns(unittest.TestCase):
    def setUp(self):
        self.p1 = product(33333)  # ¥333.33: shares of it round
        self.cust = R1[1].create("customers", {"name": uniq("退货客户")})
        o = R1[1].create("orders", {"customer_id": self.cust["id"], "tax_rate_pct": 13,
                                    "lines": [{"product_id": self.p1["id"], "quantity": 3}]})
        self.assertEqual(R1[1].post("orders/%d/transition" % o["id"], {"to": "approved"}).status, 200)
        self.order = R1[1].read("orders", o["id"])
        self.lid = self.order["lines"][0]["id"]
        # line 99999 (3 × 333.33), tax round(99999 × 13 %) = 13000, total 112999
        self.assertEqual(self.order["total"], 112999)

    def ret(self, q, client=None):
        return (client or R1[1]).post("returns", {"order_id": self.order["id"], "reason": "质量问题",
                                                  "lines": [{"order_line_id": self.lid, "quantity": q}]})

    def test_returns_restore_quantities_and_credit_the_balance(self):
        # nothing delivered yet: nothing to return
        r = self.ret(1)
        self.assertEqual(r.status, 422, r)
        self.assertIn("lines[0].quantity", r.fields)
        d = R1[1].post("deliveries", {"order_id": self.order["id"], "lines": [{"order_line_id": self.lid, "quantity": 2}]})
        self.assertEqual(d.status, 201, d)
        bal0 = admin().read("customers", self.cust["id"])["balance_due"]
        self.assertEqual(bal0, 112999)
        r = self.ret(1)
        self.assertEqual(r.status, 201, r)
        # one of three: net round(99999 / 3) = 33333, tax round(33333 × 13 %) = 4333
        self.assertEqual(r.body["credit_amount"], 37666)
        self.assertEqual(r.body["customer_id"], self.cust["id"])
        self.assertEqual([(l["quantity"], l["credit"]) for l in r.body["lines"]], [(1, 33333)])
        o = R1[1].read("orders", self.order["id"])
        self.assertEqual((o["lines"][0]["delivered_qty"], o["lines"][0]["returned_qty"]), (2, 1))
        self.assertEqual(admin().read("customers", self.cust["id"])["balance_due"], bal0 - 37666)
        # more than delivered − returned: 422, nothing written
        r = self.ret(1.5)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(R1[1].read("orders", self.order["id"])["lines"][0]["returned_qty"], 1)
        self.assertEqual(admin().read("customers", self.cust["id"])["balance_due"], bal0 - 37666)

    def test_returning_everything_credits_exactly_the_total(self):
        self.assertEqual(R1[1].post("deliveries", {"order_id": self.order["id"],
                                                    "lines": [{"order_line_id": self.lid, "quantity": 3}]}).status, 201)
        self.assertEqual(R1[1].read("orders", self.order["id"])["status"], "delivered")
        credits = []
        for q in (1, 1, 1):
            r = self.ret(q)
            self.assertEqual(r.status, 201, r)
            credits.append(r.body["credit_amount"])
        self.assertEqual(sum(credits), 112999)
        o = R1[1].read("orders", self.order["id"])
        self.assertEqual(o["status"], "returned")
        self.assertEqual(admin().read("customers", self.cust["id"])["balance_due"], 0)

    def test_other_reps_cannot_return(self):
        R1[1].post("deliveries", {"order_id": self.order["id"], "lines": [{"order_line_id": self.lid, "quantity": 1}]})
        r = self.ret(1, client=R2[1])
        self.assertEqual(r.status, 404, r)
        self.assertEqual(R1[1].read("orders", self.order["id"])["lines"][0]["returned_qty"], 0)


class QuotePdf(unittest.TestCase):
    def test_pdf_has_the_customer_and_the_total(self):
        p = product(150000)
        name = uniq("杭州西湖茶业有限公司")
        cust = R1[1].create("customers", {"name": name})
        q = R1[1].create("quotes", {"customer_id": cust["id"], "tax_rate_pct": 13, "notes": "含安装",
                                    "lines": [{"product_id": p["id"], "quantity": 2, "discount_pct": 10}]})
        # 2 × 1500.00 − 10 % = 2700.00, tax 351.00, total 3051.00
        self.assertEqual(q["total"], 305100)
        r = R1[1].get("quotes/%d/pdf" % q["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("Content-Type"), "application/pdf")
        self.assertTrue(r.raw.startswith(b"%PDF-"), r.raw[:20])
        self.assertIn(q["number"], r.headers.get("Content-Disposition"))
        tool = shutil.which("pdftotext")
        if not tool:
            self.skipTest("pdftotext (poppler-utils) is not installed")
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(r.raw)
            f.flush()
            text = subprocess.run([tool, "-enc", "UTF-8", f.name, "-"], capture_output=True, check=True).stdout.decode()
        self.assertIn(name, text)
        self.assertIn("¥3,051.00", text)
        self.assertIn("叁仟零伍拾壹元整", text)
        self.assertIn(q["number"], text)

    def test_pdf_of_another_reps_quote_is_404(self):
        cust = R1[1].create("customers", {"name": uniq("客户")})
        q = R1[1].create("quotes", {"customer_id": cust["id"], "lines": [{"product_id": product()["id"], "quantity": 1}]})
        self.assertEqual(R2[1].get("quotes/%d/pdf" % q["id"]).status, 404)
        self.assertEqual(R1[1].get("quotes/999999999/pdf").status, 404)


if __name__ == "__main__":
    unittest.main()
