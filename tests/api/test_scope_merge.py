"""A manager's list in the default order (-updated_at) read as a merge of
each department's newest rows (record.c, PLAN_MERGE on SQLite): the pages,
their order and the total are exactly those of the administrator's list
filtered to the same departments, also when many newer rows of another
department lie between the manager's rows, with filters, at every offset
and page size, after updates reorder the rows, and past the merge's depth."""
import unittest

from client import admin, make_department, make_user, uniq


class ManagerPagesByMerge(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tag = uniq("merge")
        a = make_department()
        a1 = make_department(parent_id=a["id"])
        a2 = make_department(parent_id=a["id"])
        b = make_department()
        cls.tree = [a["id"], a1["id"], a2["id"]]
        owners = [make_user(department_id=d, login=False)[0] for d in cls.tree]
        cls.other, _ = make_user(department_id=b["id"], login=False)
        _, cls.mgr = make_user(("sales_manager",), a["id"])
        cls.mine = []
        for i in range(14):
            name = "%s %s %d" % (cls.tag, "甲" if i % 3 == 0 else "乙", i)
            cls.mine.append(admin().create("customers", {"name": name, "owner_id": owners[i % 3]["id"]})["id"])
        # newer rows of another department between them and the top
        for i in range(30):
            admin().create("customers", {"name": "%s B %d" % (cls.tag, i), "owner_id": cls.other["id"]})
        # older rows of the manager's moved to the top by an update
        for rid in (cls.mine[0], cls.mine[4], cls.mine[8]):
            rec = admin().get("customers/%d" % rid).body
            r = admin().patch("customers/%d" % rid, {"notes": "touched", "version": rec["version"]})
            assert r.status == 200, r

    def reference(self, query):
        q = dict(query)
        q["department_id[in]"] = ",".join(str(d) for d in self.tree)
        r = admin().get("customers", query=q)
        self.assertEqual(r.status, 200, r)
        return r

    def same(self, query):
        got = self.mgr.get("customers", query=query)
        self.assertEqual(got.status, 200, (query, got))
        want = self.reference(query)
        self.assertEqual(got.ids, want.ids, query)
        self.assertEqual(got.body["total"], want.body["total"], query)
        return got

    def test_every_page_in_order(self):
        whole = self.same({"limit": "100"})
        self.assertEqual(sorted(whole.ids), sorted(self.mine))
        self.assertEqual(whole.ids[:3], [self.mine[8], self.mine[4], self.mine[0]])
        for limit in (1, 4, 5, 14, 50):
            ids = []
            for offset in range(0, 16, limit):
                ids += self.same({"limit": str(limit), "offset": str(offset)}).ids
            self.assertEqual(ids, whole.ids, limit)

    def test_filters_apply_in_each_department(self):
        r = self.same({"name[like]": "甲", "limit": "3"})
        self.assertEqual(r.body["total"], 5)
        self.same({"name[like]": "甲", "limit": "3", "offset": "3"})
        self.same({"name[like]": "乙", "notes[null]": "true", "limit": "50"})
        self.same({"limit": "50", "name[like]": "没有这个名字"})

    def test_deep_offsets_and_other_orders(self):
        self.same({"limit": "10", "offset": "995"})  # past the merge's depth: the IN walk
        self.same({"limit": "10", "offset": "5000"})
        self.same({"limit": "7", "sort": "name"})
        self.same({"limit": "7", "sort": "-updated_at", "offset": "7"})


if __name__ == "__main__":
    unittest.main()
