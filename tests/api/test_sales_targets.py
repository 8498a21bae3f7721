"""Territories (assignment rules), sales targets and customer value (issue #6
"Targets" / "Territories", issue #5 "Customer value").

Assignment rules are global: every rule made here has a condition on a
region, industry or source made by the same class, so that records created
by other test files (without those values) are never routed by them."""
import threading
import unittest

from client import admin, make_department, make_user, uniq


def race(n, fn):
    """Run fn(i) in n threads started together; return the results in order."""
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


def make_region(parent_id=None):
    body = {"name": uniq("区域"), "code": uniq("R")}
    if parent_id:
        body["parent_id"] = parent_id
    return admin().create("regions", body)


def make_source():
    return admin().create("customer_sources", {"name": uniq("来源"), "code": uniq("S")})


def make_industry():
    return admin().create("industries", {"name": uniq("行业"), "code": uniq("I")})


class AssignmentBase(unittest.TestCase):
    rules = []

    @classmethod
    def rule(cls, **fields):
        body = {"name": uniq("规则"), "entity": "customers", "sort": 10}
        body.update(fields)
        r = admin().create("assignment_rules", body)
        cls.rules.append(r["id"])
        return r

    @classmethod
    def tearDownClass(cls):
        for rid in cls.rules:
            admin().delete("assignment_rules/%d" % rid)
        cls.rules = []


class RegionRules(AssignmentBase):
    @classmethod
    def setUpClass(cls):
        cls.dept = make_department()
        cls.mgr_rec, cls.mgr = make_user(roles=("sales_manager",), department_id=cls.dept["id"])
        cls.rep_rec, cls.rep = make_user(department_id=cls.dept["id"])
        cls.east = make_region()
        cls.shanghai = make_region(parent_id=cls.east["id"])
        cls.pudong = make_region(parent_id=cls.shanghai["id"])
        cls.west = make_region()
        cls.rules = []
        cls.east_rule = cls.rule(region_id=cls.east["id"], target="user", user_id=cls.rep_rec["id"])

    def test_region_rule_assigns_to_the_user_including_sub_regions(self):
        for region in (self.east, self.shanghai, self.pudong):
            c = admin().create("customers", {"name": uniq("客户"), "region_id": region["id"]})
            self.assertEqual(c["owner_id"], self.rep_rec["id"], region)
            self.assertEqual(c["department_id"], self.dept["id"])
            stored = self.rep.read("customers", c["id"])
            self.assertEqual(stored["owner_id"], self.rep_rec["id"])

    def test_assignment_is_in_history_audit_and_notifies_the_owner(self):
        c = admin().create("customers", {"name": uniq("客户"), "region_id": self.pudong["id"]})
        hist = admin().get("customers/%d/history" % c["id"]).data
        owner = [h for h in hist if h["field"] == "owner_id"]
        self.assertEqual(owner[0]["old"], admin().id)
        self.assertEqual(owner[0]["new"], self.rep_rec["id"])
        audit = admin().get("audit", query={"entity": "customers", "record_id": c["id"], "action": "assign_rule"}).data
        self.assertEqual(len(audit), 1)
        self.assertEqual(audit[0]["diff"]["rule_id"], self.east_rule["id"])
        self.assertEqual(audit[0]["diff"]["owner_id"], [admin().id, self.rep_rec["id"]])
        notes = self.rep.list("notifications", {"related_id": c["id"], "kind": "assignment"}).data
        self.assertEqual(len(notes), 1)
        self.assertEqual(notes[0]["related_type"], "customers")
        # and it is among the rep's "newly assigned" reminders
        rem = self.rep.get("reminders").data
        self.assertIn(c["id"], [x["id"] for x in rem if x["kind"] == "assigned"])

    def test_explicit_owner_is_kept(self):
        c = admin().create("customers", {"name": uniq("客户"), "region_id": self.east["id"], "owner_id": admin().id})
        self.assertEqual(c["owner_id"], admin().id)
        c = self.mgr.create("customers", {"name": uniq("客户"), "region_id": self.east["id"],
                                          "owner_id": self.mgr_rec["id"]})
        self.assertEqual(c["owner_id"], self.mgr_rec["id"])
        audit = admin().get("audit", query={"entity": "customers", "record_id": c["id"], "action": "assign_rule"}).data
        self.assertEqual(audit, [])

    def test_no_matching_rule_leaves_the_creator(self):
        c = self.mgr.create("customers", {"name": uniq("客户"), "region_id": self.west["id"]})
        self.assertEqual(c["owner_id"], self.mgr_rec["id"])
        c = self.mgr.create("customers", {"name": uniq("客户")})  # no region at all
        self.assertEqual(c["owner_id"], self.mgr_rec["id"])

    def test_a_rep_creating_a_customer_owns_it(self):
        other_rec, other = make_user(department_id=self.dept["id"])
        c = other.create("customers", {"name": uniq("客户"), "region_id": self.east["id"]})
        self.assertEqual(c["owner_id"], other_rec["id"])

    def test_an_import_without_owners_is_routed(self):
        tag = uniq("导入")
        csv_text = "name,region_id,owner_id\r\n%s甲,%d,\r\n%s乙,%d,%d\r\n" % (
            tag, self.pudong["id"], tag, self.pudong["id"], admin().id)
        r = admin().req("POST", "customers/import", raw=csv_text.encode("utf-8"),
                        headers={"Content-Type": "text/csv"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["created"], 2, r.body)
        rows = {c["name"]: c for c in admin().list("customers", {"q": tag}).body["data"]}
        self.assertEqual(rows[tag + "甲"]["owner_id"], self.rep_rec["id"])   # no owner: the region's rule
        self.assertEqual(rows[tag + "乙"]["owner_id"], admin().id)           # an owner in the file is kept

    def test_rules_are_per_entity(self):
        lead = admin().create("leads", {"name": uniq("线索"), "region_id": self.east["id"]})
        self.assertEqual(lead["owner_id"], admin().id)

    def test_manager_with_assign_scope_is_routed(self):
        c = self.mgr.create("customers", {"name": uniq("客户"), "region_id": self.shanghai["id"]})
        self.assertEqual(c["owner_id"], self.rep_rec["id"])


class Conditions(AssignmentBase):
    @classmethod
    def setUpClass(cls):
        cls.rules = []
        cls.dept = make_department()
        cls.a_rec, _ = make_user(department_id=cls.dept["id"], login=False)
        cls.b_rec, _ = make_user(department_id=cls.dept["id"], login=False)
        cls.off_rec, _ = make_user(department_id=cls.dept["id"], login=False)
        cls.ind = make_industry()
        cls.src = make_source()
        cls.src2 = make_source()
        # first by priority: industry AND source; then industry alone
        cls.both = cls.rule(entity="leads", sort=5, industry_id=cls.ind["id"], source_id=cls.src["id"],
                            user_id=cls.a_rec["id"])
        cls.ind_only = cls.rule(entity="leads", sort=6, industry_id=cls.ind["id"], user_id=cls.b_rec["id"])
        cls.inactive = cls.rule(entity="leads", sort=1, source_id=cls.src2["id"], user_id=cls.a_rec["id"],
                                active=False)
        cls.disabled_user = cls.rule(entity="leads", sort=2, source_id=cls.src2["id"], user_id=cls.off_rec["id"])
        r = admin().patch("users/%d" % cls.off_rec["id"], {"active": False, "version": cls.off_rec["version"]})
        assert r.status == 200, r

    def lead(self, **f):
        body = {"name": uniq("线索")}
        body.update(f)
        return admin().create("leads", body)

    def test_all_conditions_of_a_rule_must_hold(self):
        self.assertEqual(self.lead(industry_id=self.ind["id"], source_id=self.src["id"])["owner_id"], self.a_rec["id"])
        self.assertEqual(self.lead(industry_id=self.ind["id"], source_id=self.src2["id"])["owner_id"], self.b_rec["id"])
        self.assertEqual(self.lead(industry_id=self.ind["id"])["owner_id"], self.b_rec["id"])
        self.assertEqual(self.lead(source_id=self.src["id"])["owner_id"], admin().id)

    def test_inactive_rules_and_disabled_users_are_skipped(self):
        self.assertEqual(self.lead(source_id=self.src2["id"])["owner_id"], admin().id)

    def test_preview_names_the_rule_and_user_without_assigning(self):
        body = {"entity": "leads", "industry_id": self.ind["id"], "source_id": self.src["id"]}
        before = admin().read("assignment_rules", self.both["id"])["assigned_count"]
        r = admin().post("assignment_rules/preview", body)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["rule"]["id"], self.both["id"])
        self.assertEqual(r.body["user"]["id"], self.a_rec["id"])
        self.assertEqual(admin().read("assignment_rules", self.both["id"])["assigned_count"], before)
        r = admin().post("assignment_rules/preview", {"entity": "leads", "source_id": self.src["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.body["rule"])

    def test_preview_bad_input_and_permission(self):
        r = admin().post("assignment_rules/preview", {"entity": "orders"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("entity", r.fields)
        r = admin().post("assignment_rules/preview", {"entity": "leads", "region_id": "x"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("region_id", r.fields)
        _, rep = make_user(department_id=self.dept["id"])
        r = rep.post("assignment_rules/preview", {"entity": "leads"})
        self.assertEqual(r.status, 403, r)
        r = rep.post("assignment_rules", {"name": "x", "entity": "leads", "user_id": self.a_rec["id"]})
        self.assertEqual(r.status, 403, r)

    def test_a_rule_needs_its_target(self):
        n = admin().list("assignment_rules", {"limit": 1}).body["total"]
        r = admin().post("assignment_rules", {"name": uniq("规则"), "entity": "leads", "target": "user",
                                              "source_id": self.src["id"]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("user_id", r.fields)
        r = admin().post("assignment_rules", {"name": uniq("规则"), "entity": "leads", "target": "round_robin",
                                              "source_id": self.src["id"]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("team_department_id", r.fields)
        r = admin().post("assignment_rules", {"name": uniq("规则"), "entity": "tickets", "user_id": self.a_rec["id"]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("entity", r.fields)
        self.assertEqual(admin().list("assignment_rules", {"limit": 1}).body["total"], n)
        # switching a rule to round robin without a department is refused, and nothing changes
        v = admin().read("assignment_rules", self.both["id"])["version"]
        r = admin().patch("assignment_rules/%d" % self.both["id"], {"target": "round_robin", "version": v})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(admin().read("assignment_rules", self.both["id"])["target"], "user")


class RoundRobin(AssignmentBase):
    @classmethod
    def setUpClass(cls):
        cls.rules = []
        cls.team = make_department()
        cls.users = [make_user(department_id=cls.team["id"], login=False)[0] for _ in range(3)]
        off, _ = make_user(department_id=cls.team["id"], login=False)
        r = admin().patch("users/%d" % off["id"], {"active": False, "version": off["version"]})
        assert r.status == 200, r
        cls.off = off
        cls.src = make_source()
        cls.rr = cls.rule(entity="leads", source_id=cls.src["id"], target="round_robin",
                          team_department_id=cls.team["id"])
        cls.team2 = make_department()
        cls.users2 = [make_user(department_id=cls.team2["id"], login=False)[0] for _ in range(4)]
        cls.src2 = make_source()
        cls.rr2 = cls.rule(entity="leads", source_id=cls.src2["id"], target="round_robin",
                           team_department_id=cls.team2["id"])

    def test_round_robin_cycles_exactly_over_the_active_users(self):
        ids = sorted(u["id"] for u in self.users)
        owners = [admin().create("leads", {"name": uniq("线索"), "source_id": self.src["id"]})["owner_id"]
                  for _ in range(7)]
        # the cycle starts after the last one served and goes by id
        start = ids.index(owners[0])
        self.assertEqual(owners, [ids[(start + k) % 3] for k in range(7)])
        self.assertNotIn(self.off["id"], owners)
        rule = admin().read("assignment_rules", self.rr["id"])
        self.assertEqual(rule["last_user_id"], owners[-1])

    def test_concurrent_creates_distribute_evenly(self):
        before = admin().read("assignment_rules", self.rr2["id"])["assigned_count"]
        results = race(8, lambda i: admin().post("leads", {"name": uniq("并发"), "source_id": self.src2["id"]}))
        self.assertEqual([r.status for r in results], [201] * 8, results)
        lead_ids = [r.body["id"] for r in results]
        self.assertEqual(len(set(lead_ids)), 8)
        owners = [admin().read("leads", i)["owner_id"] for i in lead_ids]
        counts = {u["id"]: owners.count(u["id"]) for u in self.users2}
        self.assertEqual(sorted(counts.values()), [2, 2, 2, 2], counts)
        self.assertEqual(admin().read("assignment_rules", self.rr2["id"])["assigned_count"], before + 8)


if __name__ == "__main__":
    unittest.main()


# ---------------------------------------------------------------- targets

import datetime  # noqa: E402

from client import BACKEND  # noqa: E402,F401

TZ = datetime.timezone(datetime.timedelta(hours=8))
MONTH = "2025-03"  # a month no other test file puts orders in


def day(offset=0):
    return (datetime.datetime.now(TZ) + datetime.timedelta(days=offset)).date().isoformat()


def has(entity):
    return admin().get("meta/entities/%s" % entity).status == 200


def make_category(parent_id=None):
    body = {"name": uniq("产品线"), "code": uniq("PC")}
    if parent_id:
        body["parent_id"] = parent_id
    return admin().create("product_categories", body)


def make_product(category_id=None, price=10000):
    body = {"code": uniq("P"), "name": uniq("产品"), "price": price}
    if category_id:
        body["category_id"] = category_id
    return admin().create("products", body)


def order(client, customer_id, lines, order_date, to=None, owner_id=None):
    """An order (no tax) moved through the statuses up to `to` by the administrator."""
    body = {"customer_id": customer_id, "order_date": order_date, "tax_rate_pct": 0,
            "lines": [{"product_id": p, "quantity": q, "unit_price": u, "discount_pct": 0} for p, q, u in lines]}
    if owner_id:
        body["owner_id"] = owner_id
    o = client.create("orders", body)
    path = {"approved": ["approved"], "delivered": ["approved", "delivered"],
            "closed": ["approved", "delivered", "invoiced", "closed"], "cancelled": ["approved", "cancelled"],
            "returned": ["approved", "delivered", "returned"], None: []}[to]
    for st in path:
        r = admin().post("orders/%d/transition" % o["id"], {"to": st})
        assert r.status == 200, (st, r)
    return o


class TargetRules(unittest.TestCase):
    """Who may set which target; bad input changes nothing."""

    @classmethod
    def setUpClass(cls):
        cls.dept = make_department()
        cls.sub = make_department(parent_id=cls.dept["id"])
        cls.other = make_department()
        cls.mrec, cls.mgr = make_user(roles=("sales_manager",), department_id=cls.dept["id"])
        cls.arec, cls.a = make_user(department_id=cls.dept["id"])
        cls.brec, cls.b = make_user(department_id=cls.sub["id"])
        cls.orec, cls.o = make_user(department_id=cls.other["id"])

    def count(self):
        return admin().list("sales_targets", {"limit": 1}).body["total"]

    def test_manager_sets_targets_for_people_and_departments_below(self):
        t = self.mgr.create("sales_targets", {"month": "2025-06", "scope": "user", "user_id": self.brec["id"],
                                              "amount": 100000})
        self.assertEqual(t["owner_id"], self.brec["id"])
        self.assertEqual(t["department_id"], self.sub["id"])
        self.assertEqual(t["basis"], "orders")
        d = self.mgr.create("sales_targets", {"month": "2025-06", "scope": "department",
                                              "target_department_id": self.sub["id"], "amount": 500000})
        self.assertEqual(d["department_id"], self.sub["id"])
        # the rep reads their own target, not the department's nor a colleague's
        self.assertEqual(self.b.read("sales_targets", t["id"])["amount"], 100000)
        self.assertEqual(self.b.get("sales_targets/%d" % d["id"]).status, 404)
        self.assertEqual(self.a.get("sales_targets/%d" % t["id"]).status, 404)
        self.assertEqual(self.o.get("sales_targets/%d" % t["id"]).status, 404)

    def test_outside_the_managers_tree_is_refused_and_nothing_written(self):
        n = self.count()
        r = self.mgr.post("sales_targets", {"month": "2025-06", "scope": "user", "user_id": self.orec["id"],
                                            "amount": 1})
        self.assertEqual(r.status, 403, r)
        self.assertIn("user_id", r.fields)
        r = self.mgr.post("sales_targets", {"month": "2025-06", "scope": "department",
                                            "target_department_id": self.other["id"], "amount": 1})
        self.assertEqual(r.status, 403, r)
        r = self.a.post("sales_targets", {"month": "2025-06", "scope": "user", "user_id": self.arec["id"],
                                          "amount": 1})
        self.assertEqual(r.status, 403, r)  # reps do not set targets, not even their own
        self.assertEqual(self.count(), n)

    def test_bad_input_is_422_naming_the_field(self):
        n = self.count()
        cases = [
            ({"month": "2025-13", "scope": "user", "user_id": self.arec["id"], "amount": 1}, "month"),
            ({"month": "March", "scope": "user", "user_id": self.arec["id"], "amount": 1}, "month"),
            ({"month": "2025-06", "scope": "user", "amount": 1}, "user_id"),
            ({"month": "2025-06", "scope": "department", "amount": 1}, "target_department_id"),
            ({"month": "2025-06", "scope": "product_line", "amount": 1}, "category_id"),
            ({"month": "2025-06", "scope": "user", "user_id": self.arec["id"], "amount": -5}, "amount"),
            ({"month": "2025-06", "scope": "user", "user_id": self.arec["id"]}, "amount"),
            ({"month": "2025-06", "scope": "team", "user_id": self.arec["id"], "amount": 1}, "scope"),
            ({"month": "2025-06", "scope": "user", "user_id": self.arec["id"], "amount": 1, "basis": "x"}, "basis"),
            ({"month": "2025-06", "scope": "department", "target_department_id": self.sub["id"],
              "user_id": self.arec["id"], "amount": 1}, "user_id"),
        ]
        for body, field in cases:
            r = self.mgr.post("sales_targets", body)
            self.assertEqual(r.status, 422, (body, r))
            self.assertIn(field, r.fields, (body, r))
        self.assertEqual(self.count(), n)

    def test_one_target_per_month_subject_and_basis(self):
        body = {"month": "2025-07", "scope": "user", "user_id": self.arec["id"], "amount": 1000}
        first = self.mgr.create("sales_targets", body)
        r = self.mgr.post("sales_targets", dict(body, amount=2000))
        self.assertEqual(r.status, 409, r)
        # receipts are another target; another month too
        self.mgr.create("sales_targets", dict(body, basis="receipts"))
        self.mgr.create("sales_targets", dict(body, month="2025-08"))
        # after the first goes to the trash, a new one may be set
        self.assertEqual(self.mgr.delete("sales_targets/%d" % first["id"]).status, 204)
        self.mgr.create("sales_targets", dict(body, amount=3000))

    def test_report_needs_a_month(self):
        for q in ({}, {"month": ""}, {"month": "2025-3"}, {"month": "2025-00"}):
            r = self.mgr.get("reports/targets", query=q)
            self.assertEqual(r.status, 422, (q, r))
            self.assertIn("month", r.fields)


@unittest.skipUnless(has("orders"), "orders are not built yet")
class Attainment(unittest.TestCase):
    """A known data set in MONTH: exact figures, and each viewer's share."""

    @classmethod
    def setUpClass(cls):
        cls.dept = make_department()
        cls.sub = make_department(parent_id=cls.dept["id"])
        cls.mrec, cls.mgr = make_user(roles=("sales_manager",), department_id=cls.dept["id"])
        cls.arec, cls.a = make_user(department_id=cls.dept["id"])
        cls.brec, cls.b = make_user(department_id=cls.sub["id"])
        cls.ca = cls.a.create("customers", {"name": uniq("客户")})
        cls.cb = cls.b.create("customers", {"name": uniq("客户")})
        cls.line = make_category()
        cls.subline = make_category(parent_id=cls.line["id"])
        cls.other_line = make_category()
        p1 = make_product(cls.subline["id"])["id"]
        p2 = make_product(cls.other_line["id"])["id"]
        a, b = cls.a, cls.b
        cls.o1 = order(a, cls.ca["id"], [(p1, 2, 10000)], MONTH + "-05", "approved")     # 20000
        order(a, cls.ca["id"], [(p2, 1, 5000)], MONTH + "-20", "delivered")               # 5000
        order(a, cls.ca["id"], [(p1, 1, 7000)], MONTH + "-25")                            # draft: no
        order(a, cls.ca["id"], [(p1, 1, 9900)], "2025-04-01", "approved")                 # next month: no
        order(a, cls.ca["id"], [(p1, 1, 8800)], "2025-02-28", "closed")                   # month before: no
        order(b, cls.cb["id"], [(p1, 3, 1000)], MONTH + "-10", "closed")                  # 3000
        order(b, cls.cb["id"], [(p2, 1, 4000)], MONTH + "-11", "cancelled")               # cancelled: no
        order(b, cls.cb["id"], [(p1, 1, 600)], MONTH + "-31", "returned")                 # returned: no
        m = cls.mgr
        cls.t_a = m.create("sales_targets", {"month": MONTH, "scope": "user", "user_id": cls.arec["id"],
                                             "amount": 50000})
        cls.t_b = m.create("sales_targets", {"month": MONTH, "scope": "user", "user_id": cls.brec["id"],
                                             "amount": 4000})
        cls.t_d = m.create("sales_targets", {"month": MONTH, "scope": "department",
                                             "target_department_id": cls.dept["id"], "amount": 100000})
        cls.t_l = m.create("sales_targets", {"month": MONTH, "scope": "product_line", "category_id": cls.line["id"],
                                             "amount": 46000})
        cls.receipts = has("payments")
        if cls.receipts:
            r = cls.a.post("payments", {"customer_id": cls.ca["id"], "order_id": cls.o1["id"], "amount": 12345,
                                        "method": "transfer", "paid_on": MONTH + "-15"})
            assert r.status == 201, r
            cls.t_ar = m.create("sales_targets", {"month": MONTH, "scope": "user", "user_id": cls.arec["id"],
                                                  "basis": "receipts", "amount": 24690})

    def rows(self, client):
        r = client.get("reports/targets", query={"month": MONTH})
        self.assertEqual(r.status, 200, r)
        return {x["id"]: x for x in r.body["data"]}

    def test_exact_attainment_for_the_manager(self):
        rows = self.rows(self.mgr)
        a, b, d, line = rows[self.t_a["id"]], rows[self.t_b["id"]], rows[self.t_d["id"]], rows[self.t_l["id"]]
        self.assertEqual((a["target"], a["actual"], a["pct"]), (50000, 25000, 50.0))
        self.assertEqual((b["target"], b["actual"], b["pct"]), (4000, 3000, 75.0))
        self.assertEqual((d["target"], d["actual"], d["pct"]), (100000, 28000, 28.0))
        self.assertEqual((line["target"], line["actual"], line["pct"]), (46000, 23000, 50.0))
        self.assertEqual(a["subject"], self.arec["name"])
        self.assertEqual(d["subject"], self.dept["name"])
        if self.receipts:
            ar = rows[self.t_ar["id"]]
            self.assertEqual((ar["basis"], ar["actual"], ar["pct"]), ("receipts", 12345, 50.0))

    def test_a_rep_sees_only_own_targets(self):
        rows = self.rows(self.a)
        want = {self.t_a["id"]} | ({self.t_ar["id"]} if self.receipts else set())
        self.assertEqual(set(rows), want)
        self.assertEqual(rows[self.t_a["id"]]["actual"], 25000)
        rows = self.rows(self.b)
        self.assertEqual(set(rows), {self.t_b["id"]})
        self.assertEqual(rows[self.t_b["id"]]["actual"], 3000)

    def test_an_approval_counts_at_once(self):
        p1 = make_product(self.subline["id"])["id"]
        o = order(self.b, self.cb["id"], [(p1, 1, 1000)], MONTH + "-12")
        self.assertEqual(self.rows(self.mgr)[self.t_b["id"]]["actual"], 3000)
        self.assertEqual(admin().post("orders/%d/transition" % o["id"], {"to": "approved"}).status, 200)
        rows = self.rows(self.mgr)
        self.assertEqual(rows[self.t_b["id"]]["actual"], 4000)
        self.assertEqual(rows[self.t_b["id"]]["pct"], 100.0)
        self.assertEqual(admin().post("orders/%d/transition" % o["id"], {"to": "cancelled"}).status, 200)
        self.assertEqual(self.rows(self.mgr)[self.t_b["id"]]["actual"], 3000)


# ---------------------------------------------------------- customer value

@unittest.skipUnless(has("orders"), "orders are not built yet")
class CustomerValue(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = make_product()["id"]

    def buy(self, customer, amount, date, to="approved", client=None):
        return order(client or admin(), customer["id"], [(self.p, 1, amount)], date, to)

    def test_fields_follow_orders_and_cancellations(self):
        c = admin().create("customers", {"name": uniq("客户")})
        self.assertEqual((c["total_purchases"], c["purchase_count"], c["last_purchase_on"]), (0, 0, None))
        self.buy(c, 10000, day(-10))
        o2 = self.buy(c, 5000, day(-3))
        self.buy(c, 7000, day(-1), to=None)          # a draft is not a purchase
        self.buy(c, 3000, day(-2), to="delivered")
        c = admin().read("customers", c["id"])
        self.assertEqual((c["total_purchases"], c["purchase_count"], c["last_purchase_on"]), (18000, 3, day(-2)))
        self.assertEqual(admin().post("orders/%d/transition" % o2["id"], {"to": "cancelled"}).status, 200)
        c = admin().read("customers", c["id"])
        self.assertEqual((c["total_purchases"], c["purchase_count"], c["last_purchase_on"]), (13000, 2, day(-2)))

    def test_a_refused_transition_changes_nothing(self):
        c = admin().create("customers", {"name": uniq("客户")})
        o = self.buy(c, 10000, day(-1), to=None)
        r = admin().post("orders/%d/transition" % o["id"], {"to": "closed"})   # draft → closed: illegal
        self.assertEqual(r.status, 409, r)
        self.assertEqual(admin().read("customers", c["id"])["total_purchases"], 0)

    def test_value_fields_are_read_only(self):
        c = admin().create("customers", {"name": uniq("客户")})
        r = admin().patch("customers/%d" % c["id"], {"total_purchases": 999, "version": c["version"]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("total_purchases", r.fields)
        r = admin().post("customers", {"name": uniq("客户"), "rfm_segment": "important_value"})
        self.assertEqual(r.status, 422, r)

    def test_rfm_segments_of_known_customers(self):
        # Extreme customers whose scores do not depend on the rest of the database:
        # V: bought today, 12 times, a fortune; G: today, 12 times, 1 fen each;
        # K: once, 400 days ago, a fortune; W: once, 400 days ago, 1 fen.
        fortune = 10 ** 11
        v = admin().create("customers", {"name": uniq("价值")})
        g = admin().create("customers", {"name": uniq("一般")})
        k = admin().create("customers", {"name": uniq("挽留")})
        w = admin().create("customers", {"name": uniq("流失")})
        for i in range(12):
            self.buy(v, fortune // 12, day(-i if i < 11 else 0))
            self.buy(g, 1, day(0))
        self.buy(k, fortune, day(-400))
        self.buy(w, 1, day(-400))
        for _ in range(6):  # ordinary buyers, so that the population is never tiny
            self.buy(admin().create("customers", {"name": uniq("普通")}), 100, day(0))
        r = admin().post("reports/customer_value/recompute", {"aggregates": True})
        self.assertEqual(r.status, 200, r)
        seg = {x: admin().read("customers", c["id"]) for x, c in (("v", v), ("g", g), ("k", k), ("w", w))}
        self.assertEqual(seg["v"]["rfm_segment"], "important_value", seg["v"])
        self.assertEqual(seg["v"]["rfm_score"][0], "5")  # bought today
        self.assertEqual(seg["g"]["rfm_segment"], "general_value", seg["g"])
        self.assertEqual(seg["k"]["rfm_segment"], "important_retain", seg["k"])
        self.assertEqual(seg["w"]["rfm_segment"], "general_retain", seg["w"])
        self.assertEqual(seg["w"]["rfm_score"][1], "1")  # a single purchase
        # the full recount agrees with what the order hooks kept
        self.assertEqual((seg["v"]["purchase_count"], seg["v"]["total_purchases"]), (12, fortune // 12 * 12))
        self.assertEqual((seg["k"]["purchase_count"], seg["k"]["last_purchase_on"]), (1, day(-400)))
        # a new purchase rescoring at once against the stored cuts: W buys a fortune today
        self.buy(w, fortune, day(0))
        w2 = admin().read("customers", w["id"])
        self.assertEqual((w2["rfm_score"][0], w2["rfm_score"][2]), ("5", "5"))
        self.assertIn(w2["rfm_segment"], ("important_develop", "important_value"))

    def test_recompute_is_for_administrators(self):
        _, rep = make_user()
        self.assertEqual(rep.post("reports/customer_value/recompute", {}).status, 403)
        r = admin().post("reports/customer_value/recompute", {"aggregates": "yes"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("aggregates", r.fields)


@unittest.skipUnless(has("orders"), "orders are not built yet")
class Pyramid(unittest.TestCase):
    """Counts and amounts per tier within each viewer's scope."""

    @classmethod
    def setUpClass(cls):
        cls.dept = make_department()
        cls.mrec, cls.mgr = make_user(roles=("sales_manager",), department_id=cls.dept["id"])
        cls.arec, cls.a = make_user(department_id=cls.dept["id"])
        cls.brec, cls.b = make_user(department_id=cls.dept["id"])
        p = make_product()["id"]
        # rep A: ten buyers of 1000 … 10000 yuan and two customers without purchases
        for i in range(1, 11):
            c = cls.a.create("customers", {"name": uniq("金字塔")})
            order(cls.a, c["id"], [(p, 1, i * 100000)], day(-i), "approved")
        for _ in range(2):
            cls.a.create("customers", {"name": uniq("未成交")})
        # rep B: one buyer
        c = cls.b.create("customers", {"name": uniq("金字塔")})
        order(cls.b, c["id"], [(p, 1, 777)], day(-1), "approved")

    def report(self, client):
        r = client.get("reports/customer_value")
        self.assertEqual(r.status, 200, r)
        return r.body

    def test_a_reps_pyramid_counts_their_own_customers(self):
        rep = self.report(self.a)
        self.assertEqual((rep["customers"], rep["purchasing"], rep["no_purchase"]), (12, 10, 2))
        self.assertEqual(rep["amount"], 5500000)
        tiers = {t["tier"]: (t["count"], t["amount"]) for t in rep["tiers"]}
        # ten buyers: top 5 % → 1, to 20 % → 1 more, to 50 % → 3 more, the other 5
        self.assertEqual(tiers, {"vip": (1, 1000000), "key": (1, 900000), "ordinary": (3, 2100000),
                                 "small": (5, 1500000)})
        rep = self.report(self.b)
        self.assertEqual([(t["tier"], t["count"], t["amount"]) for t in rep["tiers"]],
                         [("vip", 1, 777), ("key", 0, 0), ("ordinary", 0, 0), ("small", 0, 0)])

    def test_a_manager_sees_the_department(self):
        rep = self.report(self.mgr)
        self.assertGreaterEqual(rep["purchasing"], 11)
        mine = self.report(self.a)["purchasing"] + self.report(self.b)["purchasing"]
        self.assertEqual(mine, 11)

    def test_segments_are_listed_with_labels(self):
        rep = self.report(self.a)
        self.assertEqual(len(rep["segments"]), 8)
        self.assertEqual(rep["segments"][0]["label_zh"], "重要价值客户")
        self.assertEqual(sum(s["count"] for s in rep["segments"]) <= 10, True)
