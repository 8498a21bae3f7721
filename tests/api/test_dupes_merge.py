"""Duplicates (查重) and merge of customers (issue #5).

Two reps in different departments; rep A's customers are outside rep B's
scope. Duplicate checks find matches by name key (suffixes, brackets,
full-width forms, case and spaces ignored), phone (with or without +86,
spaces, dashes), e-mail (case) and credit code; out-of-scope matches say only
that a record exists and who owns it. Merge moves related records (contacts,
activities), keeps the richer values, trashes the other, writes audit and
history; self-merge is 422, a merge across scope 404, and a refused merge
changes nothing."""
import random
import unittest

from client import admin, make_department, make_user, uniq


def rand_mobile():
    return "139%08d" % random.randrange(10**8)


class Duplicates(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a_user, cls.a = make_user(department_id=make_department()["id"])
        cls.b_user, cls.b = make_user(department_id=make_department()["id"])
        cls.tag = uniq("")
        cls.mobile = rand_mobile()
        cls.email = "Sales.%s@Example.COM" % cls.tag
        cls.name = "北京华为%s技术有限公司" % cls.tag
        cls.cust = cls.a.create("customers", {"name": cls.name, "phone": cls.mobile[:3] + " " + cls.mobile[3:7] + "-" + cls.mobile[7:],
                                              "email": cls.email})

    def dupes(self, client, **q):
        r = client.get("customers/duplicates", query=q)
        self.assertEqual(r.status, 200, r)
        return r.body["data"]

    def test_owner_sees_match_with_id(self):
        d = self.dupes(self.a, name="华为%s技术(北京)股份有限公司" % self.tag)
        self.assertEqual(len(d), 1)
        self.assertEqual(d[0]["id"], self.cust["id"])
        self.assertTrue(d[0]["visible"])
        self.assertEqual(d[0]["title"], self.name)
        self.assertEqual(d[0]["match"], ["name"])

    def test_other_rep_sees_only_existence_and_owner(self):
        d = self.dupes(self.b, phone="+86 " + self.mobile)
        self.assertEqual(len(d), 1)
        self.assertEqual(d[0], {"visible": False, "owner_name": self.a_user["name"], "match": ["phone"]})

    def test_phone_forms_match(self):
        for form in ("0086" + self.mobile, "86-" + self.mobile, self.mobile[:3] + " " + self.mobile[3:]):
            d = self.dupes(self.a, phone=form)
            self.assertEqual([x["id"] for x in d], [self.cust["id"]], form)

    def test_email_case_and_several_keys(self):
        d = self.dupes(self.a, email=self.email.upper(), phone=self.mobile)
        self.assertEqual(len(d), 1)
        self.assertEqual(sorted(d[0]["match"]), ["email", "phone"])

    def test_full_width_and_spaces(self):
        tag = uniq("")
        c = self.a.create("customers", {"name": "ＡＢＣ Trading %s 有限公司" % tag})
        d = self.dupes(self.a, name="abc trading%s" % tag)
        self.assertEqual([x["id"] for x in d], [c["id"]])
        # the record itself is excluded when editing it
        self.assertEqual(self.dupes(self.a, name="abc trading%s" % tag, exclude=c["id"]), [])

    def test_no_match_and_updates_follow(self):
        tag = uniq("")
        c = self.a.create("customers", {"name": "星辰%s贸易" % tag})
        self.assertEqual(self.dupes(self.a, name="月光%s贸易" % tag), [])
        r = self.a.patch("customers/%d" % c["id"], {"name": "月光%s贸易有限公司" % tag, "version": c["version"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([x["id"] for x in self.dupes(self.a, name="月光%s贸易" % tag)], [c["id"]])
        self.assertEqual(self.dupes(self.a, name="星辰%s贸易" % tag), [])

    def test_trashed_records_are_not_duplicates(self):
        tag = uniq("")
        c = self.a.create("customers", {"name": "深圳%s电子" % tag})
        self.assertEqual(self.a.delete("customers/%d" % c["id"]).status, 204)
        self.assertEqual(self.dupes(self.a, name="深圳%s电子" % tag), [])

    def test_contacts_too(self):
        m = rand_mobile()
        ct = self.a.create("contacts", {"name": "张%s" % uniq(""), "mobile": m})
        r = self.a.get("contacts/duplicates", query={"phone": m})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([x["id"] for x in r.body["data"]], [ct["id"]])

    def test_unsupported_entity_is_404(self):
        self.assertEqual(self.a.get("activities/duplicates", query={"name": "x"}).status, 404)


class Merge(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a_user, cls.a = make_user(department_id=make_department()["id"])
        cls.b_user, cls.b = make_user(department_id=make_department()["id"])

    def pair(self):
        tag = uniq("")
        into = self.a.create("customers", {"name": "目标%s" % tag, "phone": rand_mobile(), "level": "A"})
        other = self.a.create("customers", {"name": "来源%s" % tag, "email": "m%s@example.com" % tag, "level": "B",
                                            "notes": "from notes"})
        return into, other

    def test_merge_moves_related_and_keeps_richer_values(self):
        into, other = self.pair()
        ct = self.a.create("contacts", {"name": "李%s" % uniq(""), "customer_id": other["id"]})
        act = self.a.create("activities", {"subject": "call", "kind": "call", "parent_type": "customers",
                                           "parent_id": other["id"]})
        r = self.a.post("customers/%d/merge" % into["id"], {"from": other["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["moved"]["contacts"], [ct["id"]])
        self.assertEqual(r.body["moved"]["activities"], [act["id"]])
        self.assertEqual(r.body["trashed"], other["id"])
        rec = self.a.read("customers", into["id"])
        self.assertEqual(rec["email"], other["email"])      # empty took the other's
        self.assertEqual(rec["notes"], "from notes")
        self.assertEqual(rec["phone"], into["phone"])
        self.assertEqual(rec["level"], "A")                 # conflict: the target by default
        self.assertEqual(rec["name"], into["name"])
        self.assertEqual(self.a.read("contacts", ct["id"])["customer_id"], into["id"])
        self.assertEqual(self.a.read("activities", act["id"])["parent_id"], into["id"])
        self.assertEqual(self.a.get("customers/%d" % other["id"]).status, 404)
        trash = admin().get("customers/trash", query={"limit": 500})
        self.assertIn(other["id"], [x["id"] for x in trash.body["data"]])
        audit = admin().get("audit", query={"entity": "customers", "record_id": into["id"], "action": "merge"})
        self.assertEqual(audit.status, 200, audit)
        self.assertEqual(len(audit.body["data"]), 1)
        self.assertEqual(audit.body["data"][0]["diff"]["merged_from"], other["id"])
        hist = self.a.get("customers/%d/history" % into["id"]).body["data"]
        self.assertIn("merged_from", [h["field"] for h in hist])

    def test_chosen_side_wins(self):
        into, other = self.pair()
        r = self.a.post("customers/%d/merge" % into["id"], {"from": other["id"], "fields": {"level": "from", "name": "from"}})
        self.assertEqual(r.status, 200, r)
        rec = self.a.read("customers", into["id"])
        self.assertEqual(rec["level"], "B")
        self.assertEqual(rec["name"], other["name"])

    def test_self_merge_is_422(self):
        into, _ = self.pair()
        r = self.a.post("customers/%d/merge" % into["id"], {"from": into["id"]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("from", r.fields)
        self.assertEqual(self.a.read("customers", into["id"])["version"], into["version"])

    def test_merge_across_scope_is_404_and_changes_nothing(self):
        into, _ = self.pair()
        theirs = self.b.create("customers", {"name": "别人的%s" % uniq(""), "email": "x%s@example.com" % uniq("")})
        ct = self.b.create("contacts", {"name": "王%s" % uniq(""), "customer_id": theirs["id"]})
        r = self.a.post("customers/%d/merge" % into["id"], {"from": theirs["id"]})
        self.assertEqual(r.status, 404, r)
        r = self.b.post("customers/%d/merge" % theirs["id"], {"from": into["id"]})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(self.b.read("customers", theirs["id"])["version"], theirs["version"])
        self.assertEqual(self.b.read("contacts", ct["id"])["customer_id"], theirs["id"])
        self.assertEqual(self.a.read("customers", into["id"])["version"], into["version"])

    def test_bad_choices_change_nothing(self):
        into, other = self.pair()
        ct = self.a.create("contacts", {"name": "赵%s" % uniq(""), "customer_id": other["id"]})
        for body in ({"from": other["id"], "fields": {"level": "both"}},
                     {"from": other["id"], "fields": {"no_such_field": "from"}},
                     {"from": "x"}, {}):
            r = self.a.post("customers/%d/merge" % into["id"], body)
            self.assertEqual(r.status, 422, (body, r))
        self.assertEqual(self.a.read("customers", other["id"])["version"], other["version"])
        self.assertEqual(self.a.read("customers", into["id"])["version"], into["version"])
        self.assertEqual(self.a.read("contacts", ct["id"])["customer_id"], other["id"])

    def test_read_only_role_cannot_merge(self):
        into, other = self.pair()
        # a manager-less viewer: reads all customers, edits none
        role = admin().create("roles", {"code": uniq("ro_"), "name": "read only",
                                        "permissions": {"customers": {"read": "all"}}})
        _, viewer = make_user(roles=(), role_ids=[role["id"]])
        r = viewer.post("customers/%d/merge" % into["id"], {"from": other["id"]})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.a.read("customers", other["id"])["version"], other["version"])


if __name__ == "__main__":
    unittest.main()
