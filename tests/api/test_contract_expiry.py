"""Contracts expire (issue 6): the daily job contracts_expire moves active
contracts whose end date has passed to "expired", with an audit row and a
revision in the contract's history; contracts ending today or later, drafts
and terminated ones stay as they are; a second run changes nothing. The job
runs through `guanxi jobs run` with the clock set to a day in 2001, so only
this test's contracts (which end in 2001) are concerned."""
import datetime
import os
import subprocess
import unittest

from client import admin, make_department, make_user, uniq

GUANXI = os.environ.get("GUANXI", "build/guanxi")
DB = os.environ.get("GX_DB")
# 10:00 in Shanghai on 2001-03-15: "today" is 2001-03-15 for the job.
NOW = datetime.datetime(2001, 3, 15, 2, 0, tzinfo=datetime.timezone.utc)


def jobs_run(now):
    env = dict(os.environ, GX_TEST_CLOCK="1", GX_NOW=now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    p = subprocess.run([GUANXI, "jobs", "run", "--db", DB], env=env, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError("guanxi jobs run failed: %s %s" % (p.stdout, p.stderr))
    return p.stdout + p.stderr


@unittest.skipUnless(DB, "needs GX_DB (tests/api/run.sh sets it)")
class ContractExpiry(unittest.TestCase):
    def test_active_contracts_past_their_end_expire_once(self):
        dept = make_department()
        _, rep = make_user(department_id=dept["id"])
        cust = rep.create("customers", {"name": uniq("到期客户"), "kind": "company"})

        def contract(status, end_on):
            return rep.create("contracts", {"name": uniq("合同"), "customer_id": cust["id"], "amount": 50000,
                                            "status": status, "start_on": "2000-03-15", "end_on": end_on})
        past = contract("active", "2001-03-14")
        long_past = contract("active", "2001-01-31")
        today = contract("active", "2001-03-15")
        future = contract("active", "2001-03-20")
        draft = contract("draft", "2001-03-01")
        ended = contract("terminated", "2001-03-01")
        out = jobs_run(NOW)
        self.assertIn("contracts_expire", out)
        status = {k["id"]: rep.read("contracts", k["id"])["status"] for k in (past, long_past, today, future, draft, ended)}
        self.assertEqual(status, {past["id"]: "expired", long_past["id"]: "expired", today["id"]: "active",
                                  future["id"]: "active", draft["id"]: "draft", ended["id"]: "terminated"})
        # The change is audited (by the system) and in the contract's history.
        rows = admin().get("audit", query={"entity": "contracts", "record_id": str(past["id"])}).body["data"]
        upd = [x for x in rows if x["action"] == "update"]
        self.assertEqual(len(upd), 1, rows)
        self.assertEqual(upd[0]["diff"]["status"], ["active", "expired"])
        self.assertIsNone(upd[0]["user_id"])
        hist = rep.get("contracts/%d/history" % past["id"])
        self.assertEqual(hist.status, 200, hist)
        self.assertIn("expired", str(hist.body))
        # Payments may still be recorded against an expired contract.
        r = rep.post("payments", {"customer_id": cust["id"], "contract_id": past["id"], "amount": 100,
                                  "method": "transfer", "paid_on": "2001-03-15"})
        self.assertEqual(r.status, 201, r)
        # The next day's run: the contract that ended "today" expires, nothing else changes.
        jobs_run(NOW + datetime.timedelta(days=1))
        self.assertEqual(rep.read("contracts", today["id"])["status"], "expired")
        self.assertEqual(rep.read("contracts", future["id"])["status"], "active")
        rows = admin().get("audit", query={"entity": "contracts", "record_id": str(past["id"])}).body["data"]
        self.assertEqual(len([x for x in rows if x["action"] == "update"]), 1)


if __name__ == "__main__":
    unittest.main()
