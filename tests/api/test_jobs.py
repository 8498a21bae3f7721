"""The job queue across processes: several `guanxi jobs run` started at the
same moment on the server's database (as several app servers, or cron on
several hosts, would) with the same faked clock schedule each periodic slot
once and run each job exactly once — on SQLite (single-writer claim) and on
PostgreSQL (FOR UPDATE SKIP LOCKED)."""
import datetime
import os
import re
import subprocess
import unittest

GUANXI = os.environ.get("GUANXI", "build/guanxi")
DB = os.environ.get("GX_DB")


@unittest.skipUnless(DB, "needs GX_DB (tests/api/run.sh sets it)")
class ConcurrentRunners(unittest.TestCase):
    def test_each_job_runs_once(self):
        # A moment no other test uses: the periodic slots there are new.
        at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=700)
        env = dict(os.environ, GX_TEST_CLOCK="1", GX_NOW=at.strftime("%Y-%m-%dT%H:%M:%SZ"))
        procs = [subprocess.Popen([GUANXI, "jobs", "run", "--db", DB], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs):
            self.assertEqual(p.returncode, 0, (out, err))
        done = []
        scheduled = ran = 0
        for out, err in outs:
            m = re.search(r"jobs: (\d+) scheduled, (\d+) run, (\d+) failed", out)
            self.assertIsNotNone(m, out)
            scheduled += int(m.group(1))
            ran += int(m.group(2))
            done += [(int(j), k) for j, k in re.findall(r"job (\d+) \((\w+)\) done", err)]
        ids = [j for j, _ in done]
        self.assertEqual(len(ids), len(set(ids)), "a job ran twice: %r" % done)
        # The built-in periodic kinds got a new slot each, scheduled once in all.
        periodic = ("jobs_cleanup", "pool_scan", "reminders_notify", "points_expire", "customer_value_rfm",
                    "contracts_expire", "list_order_trim")
        self.assertEqual(scheduled, len(periodic), outs)
        kinds = sorted(k for _, k in done)
        for kind in periodic:
            self.assertIn(kind, kinds)
        self.assertEqual(ran, len(done))


if __name__ == "__main__":
    unittest.main()
