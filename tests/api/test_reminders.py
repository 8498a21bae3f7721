"""Reminders (待办): GET /api/v1/reminders lists the caller's birthdays (today
and the next 3 days, company zone), follow-ups due today and overdue,
customers about to go back to the pool and records newly assigned — only
their own records; the reminder settings (administrators, bad input 422);
and the scheduler turning reminders into notifications exactly once, however
often `guanxi jobs run` runs (faked clock)."""
import datetime
import os
import subprocess
import unittest

from client import admin, make_department, make_user, request, uniq

GUANXI = os.environ.get("GUANXI", "build/guanxi")
DB = os.environ.get("GX_DB")
CN = datetime.timezone(datetime.timedelta(hours=8))


def iso(t):
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def jobs_run(now):
    env = dict(os.environ, GX_TEST_CLOCK="1", GX_NOW=iso(now))
    p = subprocess.run([GUANXI, "jobs", "run", "--db", DB], env=env, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError("guanxi jobs run failed: %s %s" % (p.stdout, p.stderr))


class Reminders(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dept = make_department()
        cls.arec, cls.a = make_user(department_id=cls.dept["id"])
        cls.brec, cls.b = make_user(department_id=cls.dept["id"])
        cls.today = datetime.datetime.now(CN).date()

    def mine(self, client, kind):
        r = client.get("reminders")
        self.assertEqual(r.status, 200, r)
        return [x for x in r.data if x["kind"] == kind]

    def contact(self, owner, birthday):
        cust = owner.create("customers", {"name": uniq("客户")})
        return owner.create("contacts", {"name": uniq("联系人"), "customer_id": cust["id"], "birthday": birthday})

    def test_not_logged_in(self):
        self.assertEqual(request("GET", "/api/v1/reminders").status, 401)

    def test_birthdays_in_the_next_three_days_only_mine(self):
        self.today = datetime.datetime.now(CN).date()

        def born(days):
            d = self.today + datetime.timedelta(days=days)
            return "1990-%02d-%02d" % (d.month, d.day)
        inside = [self.contact(self.a, born(k)) for k in (0, 3)]
        outside = [self.contact(self.a, born(k)) for k in (-1, 4)]
        other = self.contact(self.b, born(1))
        got = {x["id"]: x for x in self.mine(self.a, "birthday") if x["entity"] == "contacts"}
        for c in inside:
            self.assertIn(c["id"], got)
        for c in outside + [other]:
            self.assertNotIn(c["id"], got)
        self.assertEqual(got[inside[1]["id"]]["date"], (self.today + datetime.timedelta(days=3)).isoformat())
        self.assertEqual(got[inside[0]["id"]]["title"], inside[0]["name"])
        self.assertIn(other["id"], [x["id"] for x in self.mine(self.b, "birthday")])

    def test_follow_ups_due_today_and_overdue(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        due = self.a.create("customers", {"name": uniq("今日"), "next_follow_up": iso(now)})
        late = self.a.create("customers", {"name": uniq("逾期"), "next_follow_up": iso(now - datetime.timedelta(days=2))})
        later = self.a.create("customers", {"name": uniq("以后"), "next_follow_up": iso(now + datetime.timedelta(days=2))})
        act = self.a.create("activities", {"kind": "call", "subject": uniq("回访"), "parent_type": "customers",
                                           "parent_id": later["id"], "occurred_at": iso(now),
                                           "next_at": iso(now - datetime.timedelta(days=1))})
        due_ids = {(x["entity"], x["id"]) for x in self.mine(self.a, "task_due")}
        late_ids = {(x["entity"], x["id"]) for x in self.mine(self.a, "task_overdue")}
        self.assertIn(("customers", due["id"]), due_ids)
        self.assertIn(("customers", late["id"]), late_ids)
        self.assertIn(("activities", act["id"]), late_ids)
        self.assertNotIn(("customers", later["id"]), due_ids | late_ids)
        # Not someone else's.
        b_ids = {(x["entity"], x["id"]) for x in self.mine(self.b, "task_due") + self.mine(self.b, "task_overdue")}
        self.assertFalse(b_ids & (due_ids | late_ids))

    def test_tasks_due_and_overdue_open_only(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        due = self.a.create("tasks", {"subject": uniq("任务"), "due_at": iso(now)})
        late = self.a.create("tasks", {"subject": uniq("任务"), "due_at": iso(now - datetime.timedelta(days=3))})
        done = self.a.create("tasks", {"subject": uniq("任务"), "due_at": iso(now), "status": "done"})
        other = self.b.create("tasks", {"subject": uniq("任务"), "due_at": iso(now)})
        due_ids = {x["id"] for x in self.mine(self.a, "task_due") if x["entity"] == "tasks"}
        late_ids = {x["id"] for x in self.mine(self.a, "task_overdue") if x["entity"] == "tasks"}
        self.assertIn(due["id"], due_ids)
        self.assertIn(late["id"], late_ids)
        self.assertNotIn(done["id"], due_ids | late_ids)
        self.assertNotIn(other["id"], due_ids | late_ids)
        got = [x for x in self.mine(self.a, "task_due") if x["entity"] == "tasks" and x["id"] == due["id"]][0]
        self.assertEqual(got["title"], due["subject"])

    def test_pool_release_soon(self):
        admin().create("pools", {"name": uniq("pool"), "member_users": [self.a.id], "follow_up_days_c": 2,
                                 "remind_days": 3})
        c = self.a.create("customers", {"name": uniq("将回收"), "level": "C"})
        got = {x["id"]: x for x in self.mine(self.a, "pool_release")}
        self.assertIn(c["id"], got)
        self.assertEqual(got[c["id"]]["detail"]["days_left"], 2)
        today = datetime.datetime.now(CN).date()
        self.assertEqual(got[c["id"]]["date"], (today + datetime.timedelta(days=2)).isoformat())

    def test_assigned_to_me(self):
        c = admin().create("customers", {"name": uniq("分配"), "owner_id": self.b.id})
        got = [x for x in self.mine(self.b, "assigned") if x["entity"] == "customers" and x["id"] == c["id"]]
        self.assertEqual(len(got), 1)
        self.assertEqual([x for x in self.mine(self.a, "assigned") if x["id"] == c["id"]], [])


class Settings(unittest.TestCase):
    def test_admin_only_and_bad_input(self):
        _, rep = make_user()
        before = admin().get("reminders/settings").body
        self.assertEqual(rep.patch("reminders/settings", {"no_contact_days": 5}).status, 403)
        for bad in ({"no_contact_days": -1}, {"no_contact_days": "x"}, {"no_contact_days": 99999}, {"other": 1}, {}):
            r = admin().patch("reminders/settings", bad)
            self.assertEqual(r.status, 422, (bad, r))
        self.assertEqual(admin().get("reminders/settings").body, before)
        r = admin().patch("reminders/settings", {"no_contact_days": 45})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(rep.get("reminders/settings").body["no_contact_days"], 45)
        admin().patch("reminders/settings", before)


@unittest.skipUnless(DB, "needs GX_DB (tests/api/run.sh sets it)")
class Notifications(unittest.TestCase):
    def test_scheduler_notifies_once(self):
        _, rep = make_user(department_id=make_department()["id"])
        cust = rep.create("customers", {"name": uniq("久未联系")})
        later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=40)
        d = later.astimezone(CN).date() + datetime.timedelta(days=1)
        contact = rep.create("contacts", {"name": uniq("寿星"), "customer_id": cust["id"],
                                          "birthday": "1985-%02d-%02d" % (d.month, d.day)})
        jobs_run(later)
        jobs_run(later + datetime.timedelta(minutes=2))

        def notes(rid):
            return rep.list("notifications", {"related_id": str(rid), "kind": "reminder", "limit": "500"}).data
        by_cust = [n for n in notes(cust["id"]) if n["related_type"] == "customers"]
        self.assertEqual(len(by_cust), 1, by_cust)  # no_contact, once
        self.assertIn(cust["name"], by_cust[0]["title"])
        by_contact = [n for n in notes(contact["id"]) if n["related_type"] == "contacts"]
        self.assertEqual(len(by_contact), 1, by_contact)  # birthday, once
        self.assertIn(contact["name"], by_contact[0]["title"])
        # The next day runs again: still one per (user, kind, record, date).
        jobs_run(later + datetime.timedelta(days=1))
        self.assertEqual(len([n for n in notes(contact["id"]) if n["related_type"] == "contacts"]), 1)


if __name__ == "__main__":
    unittest.main()
