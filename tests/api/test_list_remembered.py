"""List pages from remembered row text (record/rowcache.c, issue #2/#4 list
p99): a list shows every change of a row at once, whether the record engine
made it (PATCH) or a module's own UPDATE did (an activity sets the
customer's last_follow_up_at; a lock), on both databases: each UPDATE raises
the row's row_rev (a trigger) and text is used only for the same revision."""
import unittest

from client import admin, uniq


class ListRemembered(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tag = uniq("R")
        cls.recs = [admin().create("customers", {"name": "%s 客户%d" % (cls.tag, i), "notes": "原备注 %d" % i})
                    for i in range(3)]

    def listed(self):
        r = admin().get("customers", query={"name[like]": self.tag, "sort": "id", "limit": "10"})
        self.assertEqual(r.status, 200, r)
        return {x["id"]: x for x in r.body["data"]}

    def test_a_list_shows_every_change_at_once(self):
        first = self.listed()
        self.assertEqual(self.listed(), first)  # remembered: the same text
        a = self.recs[0]
        self.assertIsNone(first[a["id"]]["last_follow_up_at"])
        # A module's own UPDATE (not the record engine's): the follow-up time.
        admin().create("activities", {"subject": self.tag + " 拜访", "kind": "visit",
                                      "parent_type": "customers", "parent_id": a["id"]})
        got = admin().read("customers", a["id"])
        self.assertIsNotNone(got["last_follow_up_at"])
        now = self.listed()
        self.assertEqual(now[a["id"]]["last_follow_up_at"], got["last_follow_up_at"])
        self.assertEqual(now[a["id"]]["version"], got["version"])
        # The record engine's: a PATCH.
        b = self.recs[1]
        r = admin().patch("customers/%d" % b["id"], {"notes": "新备注", "version": self.listed()[b["id"]]["version"]})
        self.assertEqual(r.status, 200, r)
        now = self.listed()
        self.assertEqual(now[b["id"]]["notes"], "新备注")
        # Every listed row equals the record read alone (stored fields).
        for rid, row in now.items():
            whole = admin().read("customers", rid)
            self.assertEqual(row, {k: whole[k] for k in row})


if __name__ == "__main__":
    unittest.main()
