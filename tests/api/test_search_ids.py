"""List text search with few matches (issue #2, "text search p99"): on
SQLite a page in the default order (-updated_at) whose query matches fewer
rows than the walk's threshold (test_search_walk.py) reads the ids of the
search index's matches once (record.c, search_plan → PLAN_IDS), then one
pass over those ids in the list's order gives both the page and the count
(list_ids): the phrase is no longer evaluated again for the page and again
for the count.

Asserted here: those pages are exactly the pages of the same search in the
same order read through the index (sort=-updated_at,-id names the same order
and never takes this path), page by page and as a whole, and every page's
total is the exact number of matches the user may see (no total_exact key),
whatever the offset: for the trigram index (a tag), the word index (two
rare CJK characters), phone digits with a trunk 0 (two forms: the ids of
both, each once), for the administrator, a sales rep (own scope) and a sales
manager (department and below); a deleted match stays out of the list and
the trash still finds it; a filter (owner_id) applies to the id pass."""
import unittest

from client import admin, make_department, make_user, search_pages as pages, uniq

N = 12  # matching customers; far below the walk's threshold (sqrt(rows * max id) >= 25 with 200+ customers)


class SearchIds(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tag = uniq("I")
        cls.cjk = "翊骢"  # no other test writes these
        cls.land = "%06d" % (int(cls.tag[-6:]) % 900000 + 100000)  # +86 21 <land>xx, found as "021<land>"
        cls.dept = make_department()
        cls.rep_user, cls.rep = make_user(("sales_rep",), cls.dept["id"])
        cls.mgr_user, cls.mgr = make_user(("sales_manager",), cls.dept["id"])
        other = make_department()
        cls.other_user, _ = make_user(("sales_rep",), other["id"], login=False)
        # Enough customers that the walk's threshold stays above N for a page of 1.
        top = admin().get("customers", query={"sort": "-id", "limit": "1"})
        for i in range(max(0, 200 - (top.ids[0] if top.ids else 0))):
            admin().create("customers", {"name": "%s filler %d" % (uniq("F"), i)})
        owners = [cls.rep_user["id"], cls.mgr_user["id"], cls.other_user["id"]]
        cls.recs = []
        for i in range(N):
            body = {"name": "%s 客户 %s%d" % (cls.tag, cls.cjk, i), "owner_id": owners[i % 3],
                    "phone": "+86 21 %s%02d" % (cls.land, i)}
            cls.recs.append(admin().create("customers", body))
        # Newest change first is not newest id first: touch some older ones.
        for rec in cls.recs[1:8:3]:
            r = admin().patch("customers/%d" % rec["id"], {"notes": "touched", "version": rec["version"]})
            assert r.status == 200, r
        cls.deleted = cls.recs[4]["id"]
        assert admin().delete("customers/%d" % cls.deleted).status == 204
        cls.by_owner = {}
        for i, rec in enumerate(cls.recs):
            if rec["id"] != cls.deleted:
                cls.by_owner.setdefault(owners[i % 3], set()).add(rec["id"])

    def same_as_index(self, cl, q, want, extra=None):
        """Every page size gives the index's order and the exact total on every page."""
        whole, _ = pages(cl, q, 500, sort="-updated_at,-id", extra=extra)
        self.assertEqual(set(whole), want, q)
        self.assertEqual(len(whole), len(want), q)
        for limit in (1, 2, 5, 50):
            for sort in (None, "-updated_at"):
                ids, replies = pages(cl, q, limit, sort=sort, extra=extra)
                self.assertEqual(ids, whole, (q, limit))
                for r in replies:
                    self.assertEqual((r.body["total"], r.body.get("total_exact")), (len(want), None),
                                     (q, limit, r.body["offset"]))
        return whole

    def test_admin_trigram_cjk_and_trunk_zero(self):
        everyone = {r["id"] for r in self.recs} - {self.deleted}
        self.same_as_index(admin(), self.tag, everyone)
        self.same_as_index(admin(), self.cjk, everyone)
        # A leading 0: the digits as typed or as a trunk 0 (+86 21…): both forms' ids, each once.
        self.same_as_index(admin(), "021" + self.land, everyone)

    def test_digits_in_the_name_and_the_phone_list_the_record_once(self):
        """The ids of the trigram table and of the phone endings are read
        with UNION ALL (a record found by both comes twice): still one row
        and a total of one."""
        digits = "9" + self.land
        rec = admin().create("customers", {"name": "%s 编号%s" % (uniq("D"), digits), "phone": "+86 138%s0" % digits})
        self.assertEqual(self.same_as_index(admin(), digits, {rec["id"]}), [rec["id"]])

    def test_scoped_users(self):
        rep_own = self.by_owner[self.rep_user["id"]]
        dept = rep_own | self.by_owner[self.mgr_user["id"]]
        for q in (self.tag, self.cjk, "021" + self.land):
            self.same_as_index(self.rep, q, rep_own)
            self.same_as_index(self.mgr, q, dept)

    def test_order_is_newest_change_first(self):
        ids, _ = pages(admin(), self.tag, 2)
        touched = [r["id"] for r in self.recs[1:8:3] if r["id"] != self.deleted]
        self.assertEqual(ids[:len(touched)], list(reversed(touched)))

    def test_filter_applies_to_the_id_pass(self):
        other = self.other_user["id"]
        self.same_as_index(admin(), self.tag, self.by_owner[other], extra={"owner_id": str(other)})

    def test_deleted_match_is_in_the_trash_only(self):
        ids, _ = pages(admin(), self.tag, 3)
        self.assertNotIn(self.deleted, ids)
        r = admin().get("customers/trash", query={"q": self.tag, "limit": "5"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.ids, r.body["total"]), ([self.deleted], 1), r.body)

    def test_admin_list_follows_changes(self):
        """The administrator's pages take the matches' order from memory
        (record/sortkeys.c): a change, a deletion and a restore made after
        the list was read are in the next page at once."""
        tag = uniq("J")
        recs = [admin().create("customers", {"name": "%s 追随 %d" % (tag, i)}) for i in range(6)]
        ids = [r["id"] for r in recs]
        first, _ = pages(admin(), tag, 50)
        self.assertEqual(first, ids[::-1])
        r = admin().patch("customers/%d" % ids[1], {"notes": "moved up", "version": recs[1]["version"]})
        self.assertEqual(r.status, 200, r)
        moved, replies = pages(admin(), tag, 50)
        self.assertEqual(moved, [ids[1]] + [i for i in ids[::-1] if i != ids[1]])
        self.assertEqual(replies[0].body["total"], 6)
        self.assertEqual(admin().delete("customers/%d" % ids[3]).status, 204)
        gone, replies = pages(admin(), tag, 50)
        self.assertEqual(gone, [i for i in moved if i != ids[3]])
        self.assertEqual(replies[0].body["total"], 5)
        self.assertEqual(admin().post("customers/%d/restore" % ids[3]).status, 200)
        back, _ = pages(admin(), tag, 50)
        self.assertEqual(back[0], ids[3])  # a restore is a change
        self.assertEqual(sorted(back), sorted(ids))
        index, _ = pages(admin(), tag, 50, sort="-updated_at,-id")
        self.assertEqual(back, index)


if __name__ == "__main__":
    unittest.main()
