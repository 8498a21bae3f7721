"""Credit area of sales (issue #6): approvals (审批), customers' credit limits,
the credit-limit approval of orders, deliveries and returns, the quote PDF.

Departments: "sales" (manager M, reps R1 and R2) and "other" (manager M2);
the administrator belongs to the head office."""
import unittest

from client import admin, make_department, make_user, uniq


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


if __name__ == "__main__":
    unittest.main()
