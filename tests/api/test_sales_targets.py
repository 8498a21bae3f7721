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
