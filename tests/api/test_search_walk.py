"""List text search with many matches (issue #2, "text search p99"): on
SQLite a page in the default order (-updated_at) whose query matches many
rows walks the (updated_at, id) and scope indexes newest first and tests
each row (gx_fts_phrase) instead of reading and sorting every match
(record.c, search_walks: taken when the search index holds at least
sqrt((offset + limit + 1) * max id) matches). Its capped total then stops
at the page: total_exact false.

Asserted here: the walked pages are exactly the pages of the same search in
the same order read through the index (sort=-updated_at,-id names the same
order but is never walked), page by page and as a whole, for the trigram
index (a tag), the per-character index (two rare CJK characters), phone
digits with and without a trunk 0, for the administrator, a sales rep (own
scope) and a sales manager (department and below); deleted records stay out
and the trash still finds them; and the count cap — a walked page's total
is the end of the page with total_exact false, a page through the index
counts exactly."""
import unittest

from client import BACKEND, admin, make_department, make_user, search_pages as pages, uniq

N = 150  # matching customers: walked while N >= sqrt(rows * max id), rows up to 4 below (max id < 5,600)


class SearchWalk(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tag = uniq("W")
        cls.cjk = "曦瀚"  # no other test writes these
        cls.mobile = "1397%03d" % (int(cls.tag[-3:]) % 1000)
        cls.land = "%06d" % (int(cls.tag[-6:]) % 10**6)  # +86 21 <land>xx, found as "021<land>" (a trunk 0)
        cls.dept = make_department()
        cls.rep_user, cls.rep = make_user(("sales_rep",), cls.dept["id"])
        cls.mgr_user, cls.mgr = make_user(("sales_manager",), cls.dept["id"])
        other = make_department()
        cls.other_user, _ = make_user(("sales_rep",), other["id"], login=False)
        owners = [cls.rep_user["id"], cls.mgr_user["id"], cls.other_user["id"]]
        cls.recs = []
        for i in range(N):
            body = {"name": "%s 客户 %s%d 有限公司" % (cls.tag, cls.cjk, i), "owner_id": owners[i % 3]}
            if i % 2:
                body["phone"] = "+86 %s%04d" % (cls.mobile, i)
            else:
                body["phone"] = "+86 21 %s%02d" % (cls.land, i % 100)
            cls.recs.append(admin().create("customers", body))
        # Newest change first is not newest id first: touch some older ones.
        for rec in cls.recs[5:40:4]:
            r = admin().patch("customers/%d" % rec["id"], {"notes": "touched", "version": rec["version"]})
            assert r.status == 200, r
        cls.deleted = cls.recs[7]["id"]
        assert admin().delete("customers/%d" % cls.deleted).status == 204
        cls.by_owner = {}
        for i, rec in enumerate(cls.recs):
            if rec["id"] != cls.deleted:
                cls.by_owner.setdefault(owners[i % 3], set()).add(rec["id"])

    def same_as_index(self, cl, q, want=None):
        """The walked search equals the index's in every page size; returns its ids."""
        whole, _ = pages(cl, q, 500, sort="-updated_at,-id")
        for limit in (1, 2, 7, 50):
            ids, _ = pages(cl, q, limit)
            self.assertEqual(ids, whole, (q, limit))
            self.assertEqual(pages(cl, q, limit, sort="-updated_at")[0], whole, (q, limit))
        if want is not None:
            self.assertEqual(set(whole), want, q)
        self.assertNotIn(self.deleted, whole)
        return whole

    def test_admin_trigram_cjk_and_phones(self):
        everyone = {r["id"] for r in self.recs} - {self.deleted}
        self.same_as_index(admin(), self.tag, everyone)
        # Two CJK characters: the per-character index (their pages hold other tests' rows too: none here).
        self.same_as_index(admin(), self.cjk, everyone)
        odd = {r["id"] for i, r in enumerate(self.recs) if i % 2} - {self.deleted}
        even = {r["id"] for i, r in enumerate(self.recs) if not i % 2} - {self.deleted}
        self.assertTrue(odd <= set(self.same_as_index(admin(), self.mobile)))
        # A leading 0: the digits as typed or as a trunk 0 (+86 2x…).
        self.assertTrue(even <= set(self.same_as_index(admin(), "021" + self.land)))

    def test_scoped_users(self):
        rep_own = self.by_owner[self.rep_user["id"]]
        dept = rep_own | self.by_owner[self.mgr_user["id"]]
        self.same_as_index(self.rep, self.tag, rep_own)
        self.same_as_index(self.rep, self.cjk, rep_own)
        self.same_as_index(self.mgr, self.tag, dept)
        self.same_as_index(self.mgr, self.cjk, dept)

    def test_order_is_newest_change_first(self):
        ids, _ = pages(admin(), self.tag, 50)
        touched = [r["id"] for r in self.recs[5:40:4] if r["id"] != self.deleted]
        self.assertEqual(ids[:len(touched)], list(reversed(touched)))

    def test_count_stops_at_a_walked_page(self):
        r = admin().get("customers", query={"q": self.tag, "limit": "1"})
        self.assertEqual(r.status, 200, r)
        if BACKEND == "sqlite":
            # Walked: the total is the end of the page, a lower bound.
            self.assertEqual((r.body["total"], r.body.get("total_exact")), (1, False), r.body)
            r = admin().get("customers", query={"q": self.cjk, "limit": "1"})
            self.assertEqual((r.body["total"], r.body.get("total_exact")), (1, False), r.body)
            r = admin().get("customers", query={"q": self.tag, "limit": "2", "offset": "1"})
            self.assertEqual((r.body["total"], r.body.get("total_exact")), (3, False), r.body)
        else:
            self.assertEqual((r.body["total"], r.body.get("total_exact")), (N - 1, None), r.body)
        # Through the index (another order, or a page reaching the end): exact.
        r = admin().get("customers", query={"q": self.tag, "limit": "1", "sort": "-updated_at,-id"})
        self.assertEqual((r.body["total"], r.body.get("total_exact")), (N - 1, None), r.body)
        r = admin().get("customers", query={"q": self.tag, "limit": "500"})
        self.assertEqual((r.body["total"], r.body.get("total_exact")), (N - 1, None), r.body)
        r = admin().get("customers", query={"q": self.tag, "limit": "10", "offset": str(N - 5)})
        self.assertEqual((len(r.ids), r.body["total"], r.body.get("total_exact")), (4, N - 1, None), r.body)

    def test_trash_is_not_walked(self):
        r = admin().get("customers/trash", query={"q": self.tag, "limit": "1"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.ids, r.body["total"]), ([self.deleted], 1), r.body)

    def test_filters_with_a_walked_search(self):
        want = self.by_owner[self.other_user["id"]]
        ids, _ = pages(admin(), self.tag, 2)
        filtered = []
        offset = 0
        while True:
            r = admin().get("customers", query={"q": self.tag, "limit": "2", "offset": str(offset),
                                                 "owner_id": str(self.other_user["id"])})
            self.assertEqual(r.status, 200, r)
            filtered += r.ids
            if len(r.ids) < 2:
                break
            offset += 2
        self.assertEqual(set(filtered), want)
        self.assertEqual(filtered, [i for i in ids if i in want])


if __name__ == "__main__":
    unittest.main()
