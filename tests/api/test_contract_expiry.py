"""Contracts expire (issue 6): the daily job contracts_expire moves active
contracts whose end date has passed to "expired", with an audit row and a
revision in the contract's history; contracts ending today or later, drafts
and terminated ones stay as they are; a second run changes nothing. The job
runs through `guanxi jobs run` with the clock set to a day in 2001, so only
this test's contracts (which end in 2001) are concerned.

The serving process may claim the job `jobs run` queued (its slot is due for
any worker): the job's day is its slot's (payload slot_s), not the running
worker's clock, and the test waits for the job's effect instead of assuming
the command ran it — the flake on PostgreSQL was the server taking the 2001
job, expiring with today's date (2026) while the test read and paid."""
import datetime
import os
import subprocess
import time
import unittest

from client import admin, make_department, make_user, uniq

GUANXI = os.environ.get("GUANXI", "build/guanxi")
DB = os.environ.get("GX_DB")
# 10:00 in Shanghai on 2001-03-15: "today" is 2001-03-15 for the job.
NOW = datetime.datetime(2001, 3, 15, 2, 0, tzinfo=datetime.timezone.utc)


def jobs_run(now, max_jobs=0):
    env = dict(os.environ, GX_TEST_CLOCK="1", GX_NOW=now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    p = subprocess.run([GUANXI, "jobs", "run", "--db", DB, "--max", str(max_jobs)], env=env, capture_output=True,
                       text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError("guanxi jobs run failed: %s %s" % (p.stdout, p.stderr))
    return p.stdout + p.stderr


def settled(read, want, timeout=20):
    """read() until it equals want (the job may be running in the server,
    which polls every 5 s); the last value read."""
    deadline = time.time() + timeout
    got = read()
    while got != want and time.time() < deadline:
        time.sleep(0.2)
        got = read()
    return got


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
        self.assertIn("jobs:", out)
        everything = (past, long_past, today, future, draft, ended)
        want = {past["id"]: "expired", long_past["id"]: "expired", today["id"]: "active",
                future["id"]: "active", draft["id"]: "draft", ended["id"]: "terminated"}
        status = settled(lambda: {k["id"]: rep.read("contracts", k["id"])["status"] for k in everything}, want)
        self.assertEqual(status, want)
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
        self.assertEqual(settled(lambda: rep.read("contracts", today["id"])["status"], "expired"), "expired")
        self.assertEqual(rep.read("contracts", future["id"])["status"], "active")
        rows = admin().get("audit", query={"entity": "contracts", "record_id": str(past["id"])}).body["data"]
        self.assertEqual(len([x for x in rows if x["action"] == "update"]), 1)

    def test_the_server_running_a_queued_slot_expires_as_of_that_slot(self):
        # `jobs run --max 1` queues every periodic slot of 2000-06-15 and runs
        # only the earliest (points_expire, 00:05): contracts_expire (00:10)
        # stays queued, due for any worker, and the serving process (polling
        # every 5 s, its clock in 2026) claims it. It expires as of the
        # slot's day, 2000-06-15, not the server's.
        _, rep = make_user()
        cust = rep.create("customers", {"name": uniq("到期客户"), "kind": "company"})

        def contract(end_on):
            return rep.create("contracts", {"name": uniq("合同"), "customer_id": cust["id"], "amount": 50000,
                                            "status": "active", "start_on": "2000-01-01", "end_on": end_on})
        past, future = contract("2000-06-14"), contract("2000-06-20")
        jobs_run(datetime.datetime(2000, 6, 15, 2, 0, tzinfo=datetime.timezone.utc), max_jobs=1)
        self.assertEqual(settled(lambda: rep.read("contracts", past["id"])["status"], "expired", timeout=30),
                         "expired")
        self.assertEqual(rep.read("contracts", future["id"])["status"], "active")


if __name__ == "__main__":
    unittest.main()
