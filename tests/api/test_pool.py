"""Customer pool (公海): manual release with a reason, who sees pool customers
(members only: the ACL pool rule), claim limits (daily limit, cap on customers
held, former owner's waiting days), assignment by pool administrators only,
lock quota, days left per level, and the scheduler releasing customers via
`guanxi jobs run` with a faked clock. Each class has its own departments,
users and pool, so the classes do not see each other's customers."""
import datetime
import os
import subprocess
import unittest

from client import admin, make_department, make_user, uniq

GUANXI = os.environ.get("GUANXI", "build/guanxi")
DB = os.environ.get("GX_DB")


def make_pool(**fields):
    body = {"name": uniq("pool"), "follow_up_days_a": 40, "follow_up_days_b": 20, "follow_up_days_c": 10,
            "remind_days": 3, "claim_daily_limit": 2, "hold_cap": 0, "reclaim_wait_days": 5, "lock_quota": 1}
    body.update(fields)
    return admin().create("pools", body)


def jobs_run(now):
    """`guanxi jobs run` on the server's database with the clock set to `now`."""
    env = dict(os.environ, GX_TEST_CLOCK="1", GX_NOW=now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    p = subprocess.run([GUANXI, "jobs", "run", "--db", DB], env=env, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError("guanxi jobs run failed: %s %s" % (p.stdout, p.stderr))
    return p.stdout


class PoolBase(unittest.TestCase):
    """A department D with reps r1, r2 and a pool administrator, a pool over D,
    and an outsider in another department."""

    pool_fields = {}

    @classmethod
    def setUpClass(cls):
        cls.dept = make_department()
        cls.other = make_department()
        cls.r1rec, cls.r1 = make_user(department_id=cls.dept["id"])
        cls.r2rec, cls.r2 = make_user(department_id=cls.dept["id"])
        cls.admrec, cls.adm = make_user(department_id=cls.dept["id"])
        cls.outrec, cls.out = make_user(department_id=cls.other["id"])
        cls.pool = make_pool(member_departments=[cls.dept["id"]], admin_users=[cls.admrec["id"]], **cls.pool_fields)

    def customer(self, owner, **fields):
        body = {"name": uniq("客户"), "level": "C"}
        body.update(fields)
        return owner.create("customers", body)

    def released(self, owner, **fields):
        c = self.customer(owner, **fields)
        r = owner.post("customers/%d/release" % c["id"], {"reason": "客户暂无需求"})
        self.assertEqual(r.status, 200, r)
        return r.body


class ReleaseAndClaim(PoolBase):
    def test_days_left_per_level_on_create(self):
        c = self.customer(self.r1, level="C")
        self.assertEqual(self.r1.read("customers", c["id"])["days_left"], 10)
        a = self.customer(self.r1, level="A")
        self.assertEqual(self.r1.read("customers", a["id"])["days_left"], 40)
        none = self.customer(self.r1, level=None)
        self.assertEqual(self.r1.read("customers", none["id"])["days_left"], 10)  # no level: C's rule
        # An outsider's customer is governed by no pool.
        o = self.customer(self.out)
        self.assertIsNone(self.out.read("customers", o["id"])["days_left"])

    def test_release_needs_a_reason_and_changes_nothing_without(self):
        c = self.customer(self.r1)
        for body in ({}, {"reason": ""}, {"reason": 5}):
            r = self.r1.post("customers/%d/release" % c["id"], body)
            self.assertEqual(r.status, 422, r)
            self.assertIn("reason", r.fields)
        after = self.r1.read("customers", c["id"])
        self.assertEqual(after["owner_id"], self.r1.id)
        self.assertEqual(after["version"], c["version"])
        self.assertIsNone(after["pool_id"])

    def test_release_by_someone_without_access_is_404(self):
        c = self.customer(self.r1)
        r = self.r2.post("customers/%d/release" % c["id"], {"reason": "x"})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(self.r1.read("customers", c["id"])["owner_id"], self.r1.id)

    def test_release_puts_it_in_the_pool_with_history(self):
        c = self.released(self.r1)
        self.assertIsNone(c["owner_id"])
        self.assertEqual(c["pool_id"], self.pool["id"])
        self.assertEqual(c["former_owner_id"], self.r1.id)
        self.assertIn("客户暂无需求", c["release_reason"])
        hist = admin().get("customers/%d/history" % c["id"]).data
        fields = {h["field"]: h for h in hist}
        self.assertEqual(fields["owner_id"]["old"], self.r1.id)
        self.assertIsNone(fields["owner_id"]["new"])
        self.assertEqual(fields["pool_id"]["new"], self.pool["id"])
        self.assertIn("客户暂无需求", fields["release_reason"]["new"])
        audit = admin().get("audit", query={"entity": "customers", "record_id": c["id"], "action": "pool_release"}).data
        self.assertEqual(len(audit), 1)
        self.assertIn("客户暂无需求", audit[0]["diff"]["reason"])

    def test_members_see_pool_customers_outsiders_do_not(self):
        c = self.released(self.r1)
        self.assertEqual(self.r2.get("customers/%d" % c["id"]).status, 200)
        ids = self.r2.list("customers", {"pool_id": str(self.pool["id"]), "limit": "500"}).ids
        self.assertIn(c["id"], ids)
        self.assertEqual(self.out.get("customers/%d" % c["id"]).status, 404)
        self.assertNotIn(c["id"], self.out.list("customers", {"limit": "500"}).ids)
        r = self.out.post("customers/%d/claim" % c["id"])
        self.assertEqual(r.status, 404, r)
        # Members read pool customers, but may not edit them.
        r = self.r2.patch("customers/%d" % c["id"], {"name": "x", "version": c["version"]})
        self.assertIn(r.status, (403, 404), r)
        self.assertIsNone(admin().read("customers", c["id"])["owner_id"])

    def test_claim_makes_it_mine_and_is_in_history(self):
        c = self.released(self.r1)
        r = self.r2.post("customers/%d/claim" % c["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["owner_id"], self.r2.id)
        self.assertIsNone(r.body["pool_id"])
        self.assertEqual(r.body["days_left"], 10)
        self.assertEqual(self.r2.get("customers/%d" % c["id"]).status, 200)
        hist = admin().get("customers/%d/history" % c["id"]).data
        self.assertEqual(hist[0]["field"] in ("owner_id", "pool_id"), True)
        owners = [h["new"] for h in hist if h["field"] == "owner_id"]
        self.assertEqual(owners[0], self.r2.id)
        audit = admin().get("audit", query={"entity": "customers", "record_id": c["id"], "action": "pool_claim"}).data
        self.assertEqual(len(audit), 1)
        self.assertEqual(audit[0]["user_id"], self.r2.id)
        # Claimed twice: it has an owner now.
        r = self.r1.post("customers/%d/claim" % c["id"])
        self.assertEqual(r.status, 404, r)  # r1 can no longer see it

    def test_former_owner_waits(self):
        c = self.released(self.r1)
        r = self.r1.post("customers/%d/claim" % c["id"])
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.error["code"], "reclaim_wait")
        self.assertIsNone(admin().read("customers", c["id"])["owner_id"])


class Limits(PoolBase):
    pool_fields = {"claim_daily_limit": 2, "hold_cap": 0}

    def test_daily_claim_limit(self):
        cs = [self.released(self.r1) for _ in range(3)]
        for c in cs[:2]:
            self.assertEqual(self.r2.post("customers/%d/claim" % c["id"]).status, 200)
        r = self.r2.post("customers/%d/claim" % cs[2]["id"])
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.error["code"], "claim_limit")
        after = admin().read("customers", cs[2]["id"])
        self.assertIsNone(after["owner_id"])
        self.assertEqual(after["pool_id"], self.pool["id"])

    def test_hold_cap(self):
        admin().patch("pools/%d" % self.pool["id"], {"hold_cap": 1, "version": admin().read("pools", self.pool["id"])["version"]})
        try:
            c = self.released(self.r1)
            self.customer(self.adm)  # the pool admin already holds one customer
            r = self.adm.post("customers/%d/claim" % c["id"])
            self.assertEqual(r.status, 409, r)
            self.assertEqual(r.error["code"], "hold_cap")
            self.assertIsNone(admin().read("customers", c["id"])["owner_id"])
        finally:
            admin().patch("pools/%d" % self.pool["id"], {"hold_cap": 0, "version": admin().read("pools", self.pool["id"])["version"]})

    def test_lock_quota_and_unlock(self):
        a = self.customer(self.r1)
        b = self.customer(self.r1)
        r = self.r1.post("customers/%d/lock" % a["id"])
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body["locked"])
        self.assertIsNone(r.body["days_left"])  # locked: never released
        r = self.r1.post("customers/%d/lock" % b["id"])
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.error["code"], "lock_quota")
        self.assertFalse(self.r1.read("customers", b["id"])["locked"])
        # A locked customer cannot be released by hand either.
        self.assertEqual(self.r1.post("customers/%d/release" % a["id"], {"reason": "x"}).status, 409)
        r = self.r1.post("customers/%d/unlock" % a["id"])
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.body["locked"])
        self.assertEqual(r.body["days_left"], 10)
        # Someone else's customer: not found.
        self.assertEqual(self.r2.post("customers/%d/lock" % a["id"]).status, 404)


class Assign(PoolBase):
    def test_only_pool_admins_assign(self):
        c = self.released(self.r1)
        r = self.r2.post("customers/%d/assign" % c["id"], {"owner_id": self.r2.id})
        self.assertEqual(r.status, 403, r)
        self.assertIsNone(admin().read("customers", c["id"])["owner_id"])
        r = self.out.post("customers/%d/assign" % c["id"], {"owner_id": self.out.id})
        self.assertEqual(r.status, 404, r)

    def test_assign_to_member_notifies(self):
        c = self.released(self.r2)
        r = self.adm.post("customers/%d/assign" % c["id"], {"owner_id": self.r1.id})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["owner_id"], self.r1.id)
        notes = self.r1.list("notifications", {"kind": "assignment", "related_id": str(c["id"])}).data
        self.assertEqual(len(notes), 1)
        audit = admin().get("audit", query={"entity": "customers", "record_id": c["id"], "action": "pool_assign"}).data
        self.assertEqual(len(audit), 1)
        rem = [x for x in self.r1.get("reminders").data if x["kind"] == "assigned" and x["id"] == c["id"]]
        self.assertEqual(len(rem), 1)

    def test_assign_bad_input(self):
        c = self.released(self.r1)
        for body, field in (({}, "owner_id"), ({"owner_id": "x"}, "owner_id"), ({"owner_id": self.out.id}, "owner_id"),
                            ({"owner_id": 99999999}, "owner_id")):
            r = self.adm.post("customers/%d/assign" % c["id"], body)
            self.assertEqual(r.status, 422, (body, r))
            self.assertIn(field, r.fields)
        self.assertIsNone(admin().read("customers", c["id"])["owner_id"])
        # Not in a pool: nothing to assign.
        own = self.customer(self.r1)
        self.assertEqual(admin().post("customers/%d/assign" % own["id"], {"owner_id": self.r2.id}).status, 409)


@unittest.skipUnless(DB, "needs GX_DB (tests/api/run.sh sets it)")
class Scheduler(PoolBase):
    pool_fields = {"follow_up_days_c": 10, "follow_up_days_a": 40}

    def test_scheduler_releases_due_customers_once(self):
        c = self.customer(self.r1, level="C")
        a = self.customer(self.r1, level="A")
        locked = self.customer(self.r1, level="C")
        self.assertEqual(self.r1.post("customers/%d/lock" % locked["id"]).status, 200)
        followed = self.customer(self.r1, level="C")
        now = datetime.datetime.now(datetime.timezone.utc)
        self.r1.create("activities", {"kind": "call", "subject": "回访", "parent_type": "customers",
                                      "parent_id": followed["id"], "occurred_at": now.strftime("%Y-%m-%dT%H:%M:%SZ")})
        self.assertIsNotNone(self.r1.read("customers", followed["id"])["last_follow_up_at"])
        jobs_run(now + datetime.timedelta(days=12))
        got = admin().read("customers", c["id"])
        self.assertIsNone(got["owner_id"])
        self.assertEqual(got["pool_id"], self.pool["id"])
        self.assertIn("10 天未跟进", got["release_reason"])
        self.assertEqual(got["former_owner_id"], self.r1.id)
        got_a = admin().read("customers", a["id"])
        self.assertEqual(got_a["owner_id"], self.r1.id)
        # Due 40 days after it was taken on. The release date is absolute;
        # days_left is relative to the clock of the scan that stored it: 28
        # from the faked run above, 40 when the server's own scan (real clock,
        # queued by the pool change of setUp) ran after it.
        due = datetime.datetime.fromisoformat(got_a["release_due"].replace("Z", "+00:00"))
        since = datetime.datetime.fromisoformat(got_a["created_at"].replace("Z", "+00:00"))
        self.assertAlmostEqual((due - since).total_seconds(), 40 * 86400, delta=5)
        self.assertIn(got_a["days_left"], (28, 40))
        self.assertEqual(admin().read("customers", locked["id"])["owner_id"], self.r1.id)
        audit = admin().get("audit", query={"entity": "customers", "record_id": c["id"], "action": "pool_release"}).data
        self.assertEqual(len(audit), 1)
        self.assertIsNone(audit[0]["user_id"])  # the system
        # The former owner is told once, even when the scheduler runs again.
        jobs_run(now + datetime.timedelta(days=12, minutes=1))
        notes = self.r1.list("notifications", {"related_id": str(c["id"]), "kind": "system"}).data
        self.assertEqual(len(notes), 1)
        self.assertEqual(len(admin().get("audit", query={"entity": "customers", "record_id": c["id"],
                                                         "action": "pool_release"}).data), 1)
        self.assertEqual(admin().read("customers", followed["id"])["pool_id"], self.pool["id"])


class Opportunities(PoolBase):
    """With the opportunities entity: "no new opportunity for N days", and the
    exemptions for open opportunities and won deals."""
    pool_fields = {"follow_up_days_c": 0, "opportunity_days_c": 5, "deal_days_c": 0,
                   "spare_open_opportunities": True, "spare_closed": True}

    def test_no_opportunity_rule_and_exemptions(self):
        c = self.customer(self.r1, level="C")
        self.assertEqual(self.r1.read("customers", c["id"])["days_left"], 5)
        opp = self.r1.create("opportunities", {"name": uniq("商机"), "customer_id": c["id"]})
        self.assertIsNone(self.r1.read("customers", c["id"])["days_left"])  # an open opportunity: spared
        won = self.r1.patch("opportunities/%d" % opp["id"], {"stage": "won", "version": opp["version"]})
        self.assertEqual(won.status, 200, won)
        self.assertIsNone(self.r1.read("customers", c["id"])["days_left"])  # a deal: spared (closed)
        self.assertEqual(self.r1.delete("opportunities/%d" % opp["id"]).status, 204)
        self.assertEqual(self.r1.read("customers", c["id"])["days_left"], 5)
        # A lost opportunity is no open one: the 5 days count from it.
        lost = self.r1.create("opportunities", {"name": uniq("商机"), "customer_id": c["id"], "stage": "lost"})
        self.assertEqual(lost["probability_pct"], 0)  # the old "stage" code still names a stage
        self.assertEqual(self.r1.read("customers", c["id"])["days_left"], 5)


class PoolsCrud(unittest.TestCase):
    def test_reps_cannot_manage_pools(self):
        _, rep = make_user()
        r = rep.post("pools", {"name": uniq("p")})
        self.assertEqual(r.status, 403, r)

    def test_bad_rules_are_422(self):
        r = admin().post("pools", {"name": uniq("p"), "follow_up_days_c": -1})
        self.assertEqual(r.status, 422, r)
        self.assertIn("follow_up_days_c", r.fields)
        r = admin().post("pools", {"follow_up_days_c": 3})
        self.assertEqual(r.status, 422, r)
        self.assertIn("name", r.fields)

    def test_pool_fields_cannot_be_written_directly(self):
        _, rep = make_user()
        c = rep.create("customers", {"name": uniq("c")})
        for f, v in (("pool_id", 1), ("days_left", 99), ("locked", True), ("former_owner_id", rep.id)):
            r = rep.patch("customers/%d" % c["id"], {f: v, "version": c["version"]})
            self.assertIn(r.status, (403, 422), (f, r))
        self.assertEqual(rep.read("customers", c["id"])["version"], c["version"])


if __name__ == "__main__":
    unittest.main()
