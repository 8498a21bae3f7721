"""Roles made through the API: field rules (hidden / read-only) and several
roles per user, the widest scope winning (issue 4 "Roles", "Enforcement
everywhere")."""
import csv
import io
import unittest

from client import admin, make_user, role_id, uniq

OWN = {"read": "own", "create": "own", "edit": "own", "delete": "own", "export": "own"}


def make_role(permissions, field_rules=None, is_admin=False):
    body = {"code": uniq("role"), "name": "测试角色 " + uniq("r"), "permissions": permissions, "is_admin": is_admin}
    if field_rules is not None:
        body["field_rules"] = field_rules
    r = admin().post("roles", body)
    if r.status != 201:
        raise AssertionError("setup: POST roles -> %r" % r)
    return r.body


class FieldRules(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = uniq("H")
        role = make_role({"customers": dict(OWN)},
                         {"customers": {"credit_limit": "hidden", "notes": "hidden", "phone": "readonly"}})
        cls.role = role
        cls.user, cls.cl = make_user(roles=(role["code"],))
        cls.rec = cls.cl.create("customers", {"name": cls.p + " 受限客户"})
        up = admin().patch("customers/%d" % cls.rec["id"], {"credit_limit": 97531864, "notes": cls.p + "机密备注",
                                                             "phone": "+86 21 6000 0000", "version": 1})
        assert up.status == 200, up
        cls.full = up.body

    def test_hidden_fields_are_absent(self):
        r = self.cl.get("customers/%d" % self.rec["id"])
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("credit_limit", r.body)
        self.assertNotIn("notes", r.body)
        self.assertEqual(r.body["phone"], "+862160000000")
        self.assertNotIn(b"97531864", r.raw)
        self.assertNotIn("机密".encode(), r.raw)
        lst = self.cl.get("customers", query={"name[like]": self.p})
        self.assertEqual(lst.ids, [self.rec["id"]])
        self.assertNotIn("credit_limit", lst.body["data"][0])
        self.assertNotIn("notes", lst.body["data"][0])
        q = self.cl.post("customers/query", {"where": {"field": "name", "op": "like", "value": self.p}})
        self.assertNotIn("notes", q.body["data"][0])

    def test_hidden_fields_are_absent_from_export(self):
        r = self.cl.get("customers/export", query={"name[like]": self.p})
        self.assertEqual(r.status, 200, r)
        rows = list(csv.reader(io.StringIO(r.raw[3:].decode("utf-8"), newline="")))
        self.assertNotIn("信用额度", rows[0])
        self.assertNotIn("备注", rows[0])
        self.assertIn("电话", rows[0])
        self.assertEqual(len(rows), 2)
        self.assertNotIn("机密".encode(), r.raw)
        self.assertNotIn(b"975318", r.raw)

    def test_hidden_fields_cannot_be_filtered_sorted_or_searched(self):
        for q in [{"credit_limit": "97531864"}, {"credit_limit[gt]": "0"}, {"notes[like]": "机密"}, {"sort": "credit_limit"}]:
            r = self.cl.get("customers", query=q)
            self.assertEqual(r.status, 400, (q, r))
        r = self.cl.get("customers", query={"q": "机密备注"})
        self.assertEqual((r.status, r.ids), (200, []))
        r = self.cl.get("customers", query={"q": "机密"})
        self.assertEqual((r.status, r.ids), (200, []))
        r = self.cl.get("search", query={"q": self.p + "机密"})
        self.assertEqual(r.body["data"], [])
        # The administrator finds it.
        r = admin().get("customers", query={"q": self.p + "机密"})
        self.assertEqual(r.ids, [self.rec["id"]])

    def test_meta_reflects_field_rules(self):
        r = self.cl.get("meta/entities/customers")
        fields = {f["name"]: f for f in r.body["fields"]}
        self.assertNotIn("credit_limit", fields)
        self.assertNotIn("notes", fields)
        self.assertIs(fields["phone"]["readonly"], True)
        self.assertIs(fields["name"]["readonly"], False)

    def test_read_only_field_write_is_403_naming_it(self):
        cur = admin().read("customers", self.rec["id"])
        r = self.cl.patch("customers/%d" % self.rec["id"], {"phone": "+86 21 6000 0001", "version": cur["version"]})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(set(r.fields), {"phone"})
        r = self.cl.patch("customers/%d" % self.rec["id"], {"phone": "+86 21 6000 0001", "name": self.p + " x",
                                                             "version": cur["version"]})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(admin().read("customers", self.rec["id"]), cur)
        # Sending the stored value back unchanged is harmless (forms send every field).
        r = self.cl.patch("customers/%d" % self.rec["id"], {"phone": cur["phone"], "version": cur["version"]})
        self.assertEqual(r.status, 200, r)

    def test_hidden_field_write_is_403_naming_it(self):
        # Issue 4: "writing a read-only or hidden field is rejected with 403
        # naming the field and changes nothing".
        cur = admin().read("customers", self.rec["id"])
        r = self.cl.patch("customers/%d" % self.rec["id"], {"credit_limit": 1, "version": cur["version"]})
        self.assertEqual(admin().read("customers", self.rec["id"]), cur)
        self.assertEqual(set(r.fields), {"credit_limit"})
        self.assertEqual(r.status, 403, r)

    def test_hidden_field_write_changes_nothing(self):
        cur = admin().read("customers", self.rec["id"])
        for body in [{"credit_limit": 1}, {"notes": "overwritten"}, {"notes": None}]:
            r = self.cl.patch("customers/%d" % self.rec["id"], dict(body, version=cur["version"]))
            self.assertEqual(r.status, 403, (body, r))
            self.assertEqual(set(r.fields), set(body), body)
        r = self.cl.post("customers", {"name": uniq("hid"), "credit_limit": 5})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(set(r.fields), {"credit_limit"})
        self.assertEqual(admin().read("customers", self.rec["id"]), cur)

    def test_other_changes_keep_hidden_values(self):
        cur = admin().read("customers", self.rec["id"])
        r = self.cl.patch("customers/%d" % self.rec["id"], {"level": "B", "version": cur["version"]})
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("credit_limit", r.body)
        now = admin().read("customers", self.rec["id"])
        self.assertEqual((now["credit_limit"], now["notes"], now["level"]), (97531864, self.p + "机密备注", "B"))

    def test_audit_does_not_show_hidden_fields(self):
        r = self.cl.get("audit", query={"entity": "customers", "record_id": self.rec["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertGreaterEqual(len(r.body["data"]), 2)
        for entry in r.body["data"]:
            diff = entry["diff"] or {}
            self.assertNotIn("credit_limit", diff, entry)
            self.assertNotIn("notes", diff, entry)
        self.assertNotIn("机密".encode(), r.raw)

    def test_a_role_without_the_rule_lifts_it(self):
        # Field rules: a field stays restricted only if every role restricts it.
        _, cl = make_user(roles=(self.role["code"], "sales_manager"))  # sales_rep reads credit_limit only
        rec = cl.create("customers", {"name": uniq("lift"), "credit_limit": 7, "phone": "+86 10 1234 5678"})
        self.assertEqual(rec["credit_limit"], 7)
        self.assertEqual(cl.read("customers", rec["id"])["credit_limit"], 7)


class SeveralRoles(unittest.TestCase):
    def test_widest_scope_wins(self):
        _, rep = make_user(("sales_rep",))
        other = rep.create("customers", {"name": uniq("wide")})
        _, both = make_user(("sales_rep", "marketer"))  # marketer: customers read/export all
        mine = both.create("customers", {"name": uniq("wide")})
        r = both.get("customers/%d" % other["id"])
        self.assertEqual(r.status, 200, r)
        lst = both.get("customers", query={"id[in]": "%d,%d" % (other["id"], mine["id"])})
        self.assertEqual(set(lst.ids), {other["id"], mine["id"]})
        # Read all, but edit only own: the record is visible, so refusing is 403.
        r = both.patch("customers/%d" % other["id"], {"name": "taken", "version": 1})
        self.assertEqual(r.status, 403, r)
        r = both.delete("customers/%d" % other["id"])
        self.assertEqual(r.status, 403, r)
        self.assertEqual(admin().read("customers", other["id"]), other)
        r = both.patch("customers/%d" % mine["id"], {"level": "C", "version": 1})
        self.assertEqual(r.status, 200, r)
        # A plain rep still sees only their own.
        self.assertEqual(rep.get("customers/%d" % mine["id"]).status, 404)

    def test_role_changes_apply_at_once(self):
        user, cl = make_user(("sales_rep",))
        _, other = make_user(("sales_rep",))
        rec = other.create("customers", {"name": uniq("now")})
        self.assertEqual(cl.get("customers/%d" % rec["id"]).status, 404)
        up = admin().patch("users/%d" % user["id"], {"role_ids": [role_id("sales_rep"), role_id("service_agent")],
                                                     "version": user["version"]})
        self.assertEqual(up.status, 200, up)
        self.assertEqual(cl.get("customers/%d" % rec["id"]).status, 200)  # service agents read all customers

    def test_bad_role_matrix_is_422(self):
        for perm in [{"customers": {"read": "everything"}}, {"customers": {"fly": "all"}}, {"no_such": {"read": "all"}},
                     {"customers": "all"}, "all"]:
            r = admin().post("roles", {"code": uniq("bad"), "name": "x", "permissions": perm})
            self.assertEqual(r.status, 422, (perm, r))
            self.assertEqual(set(r.fields), {"permissions"}, perm)
        for rules in [{"customers": {"no_field": "hidden"}}, {"customers": {"name": "invisible"}}, ["x"]]:
            r = admin().post("roles", {"code": uniq("bad"), "name": "x", "field_rules": rules})
            self.assertEqual(r.status, 422, (rules, r))
            self.assertEqual(set(r.fields), {"field_rules"}, rules)

    def test_duplicate_role_code_is_409(self):
        r = admin().post("roles", {"code": "sales_rep", "name": "again"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(set(r.fields), {"code"})
        self.assertEqual(len(admin().get("roles", query={"code": "sales_rep"}).body["data"]), 1)

    def test_builtin_role_codes(self):
        r = admin().get("roles", query={"code[in]": "admin,sales_manager,sales_rep,service_agent,front_desk,marketer",
                                        "sort": "id"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(x["code"] for x in r.body["data"]),
                         sorted(["admin", "sales_manager", "sales_rep", "service_agent", "front_desk", "marketer"]))
        rep = [x for x in r.body["data"] if x["code"] == "sales_rep"][0]
        for entity in ["customers", "contacts", "activities"]:
            self.assertEqual(rep["permissions"][entity]["read"], "own", entity)
        mgr = [x for x in r.body["data"] if x["code"] == "sales_manager"][0]
        for entity in ["customers", "contacts", "activities"]:
            self.assertEqual(mgr["permissions"][entity]["read"], "department_and_below", entity)


if __name__ == "__main__":
    unittest.main()
