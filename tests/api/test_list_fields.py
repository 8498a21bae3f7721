"""fields= on list pages (issue #2, "list p99"): GET /api/v1/{entity}?fields=a,b
(and "fields" in POST …/query) answers each record with the id and only
the fields named, with the values a whole record has; the page, order and
total are those of the same list without fields. A name the entity does
not have, or a field the caller may not see (a field rule), is 400 naming
it. Entities whose list is assembled as JSON (link_multiple fields, e.g.
users, opportunities) and parent fields (activities) follow the same rule."""
import unittest

from client import admin, make_user, uniq, role_id, USER_PASSWORD, login_client


class ListFields(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tag = uniq("F")
        cls.recs = [admin().create("customers", {"name": "%s 客户%d" % (cls.tag, i), "phone": "+86 138 0013 %04d" % i,
                                                 "notes": "备注 %d" % i}) for i in range(5)]
        cls.act = admin().create("activities", {"subject": cls.tag + " 拜访", "kind": "visit",
                                                "parent_type": "customers", "parent_id": cls.recs[0]["id"]})

    def page(self, query, cl=None):
        r = (cl or admin()).get("customers", query=dict({"name[like]": self.tag, "limit": "3"}, **query))
        self.assertEqual(r.status, 200, r)
        return r

    def test_only_the_fields_named_with_the_same_values(self):
        whole = self.page({})
        some = self.page({"fields": "name,phone,owner_id,updated_at"})
        self.assertEqual(some.ids, whole.ids)
        self.assertEqual((some.body["total"], some.body.get("total_exact")),
                         (whole.body["total"], whole.body.get("total_exact")))
        for a, b in zip(some.body["data"], whole.body["data"]):
            self.assertEqual(set(a), {"id", "name", "phone", "owner_id", "updated_at"})
            self.assertEqual(a, {k: b[k] for k in a})
        # The id alone, and with a search and a sort.
        r = self.page({"fields": "id"})
        self.assertEqual([set(x) for x in r.body["data"]], [{"id"}] * 3)
        r = self.page({"fields": "name", "q": self.tag, "sort": "name"})
        self.assertEqual([x["name"] for x in r.body["data"]], ["%s 客户%d" % (self.tag, i) for i in range(3)])

    def test_query_endpoint(self):
        r = admin().post("customers/query", {"where": {"field": "name", "op": "like", "value": self.tag},
                                             "fields": "code,version", "sort": "id", "limit": 2})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([set(x) for x in r.body["data"]], [{"id", "code", "version"}] * 2)
        self.assertEqual([x["code"] for x in r.body["data"]], [x["code"] for x in self.recs[:2]])

    def test_unknown_or_hidden_fields_are_400(self):
        for bad in ("name,bogus", "name,,phone", "password_hash"):
            r = admin().get("customers", query={"fields": bad})
            self.assertEqual(r.status, 400, (bad, r))
            self.assertIn("fields", r.error.get("message", ""), r)
        r = admin().post("customers/query", {"fields": "nope"})
        self.assertEqual(r.status, 400, r)
        # A field rule hiding notes from a role: asking for it is 400, as filtering on it is.
        code = uniq("hide_")
        rid = admin().create("roles", {"code": code, "name": "Hidden notes " + code,
                                       "permissions": {"customers": {"read": "all"}},
                                       "field_rules": {"customers": {"notes": "hidden"}}})["id"]
        u = admin().create("users", {"username": uniq("hf"), "name": "Hidden notes", "password": USER_PASSWORD,
                                     "role_ids": [rid]})
        cl = login_client(u["username"], USER_PASSWORD)
        r = cl.get("customers", query={"fields": "name,notes", "name[like]": self.tag})
        self.assertEqual(r.status, 400, r)
        r = cl.get("customers", query={"fields": "name", "name[like]": self.tag})
        self.assertEqual((r.status, len(r.ids)), (200, 5), r)

    def test_parent_and_json_assembled_lists(self):
        r = admin().get("activities", query={"subject[like]": self.tag, "fields": "subject,parent"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["data"], [{"id": self.act["id"], "subject": self.tag + " 拜访",
                                           "parent_type": "customers", "parent_id": self.recs[0]["id"]}])
        r = admin().get("activities", query={"subject[like]": self.tag, "fields": "parent_id"})
        self.assertEqual(set(r.body["data"][0]), {"id", "parent_type", "parent_id"})
        # users: a list with link_multiple fields is built as JSON, then cut to the fields.
        r = admin().get("users", query={"username": "admin", "fields": "username,role_ids"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.body["data"][0]), {"id", "username", "role_ids"})
        self.assertIn(role_id("admin"), r.body["data"][0]["role_ids"])
        r = admin().get("users", query={"fields": "password"})
        self.assertEqual(r.status, 400, r)


if __name__ == "__main__":
    unittest.main()
