"""Data scopes (issue 4 "Tests"): departments A (with sub-department A1) and
B; sales reps in A, A1 and B; a sales manager of A. For each user, the exact
set of customers in list, total, search, export and get. Out-of-scope records
are 404 (never 403) and nothing changes when a user tries to touch them."""
import csv
import io
import unittest

from client import (USER_PASSWORD, Client, admin, login, make_department, make_user, role_id, uniq)


class Scopes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = uniq("Q")
        cls.dept_a = make_department(cls.p + "-A")
        cls.dept_a1 = make_department(cls.p + "-A1", parent_id=cls.dept_a["id"])
        cls.dept_b = make_department(cls.p + "-B")
        cls.rep_a_user, cls.rep_a = make_user(("sales_rep",), cls.dept_a["id"])
        cls.rep_a1_user, cls.rep_a1 = make_user(("sales_rep",), cls.dept_a1["id"])
        cls.rep_b_user, cls.rep_b = make_user(("sales_rep",), cls.dept_b["id"])
        cls.mgr_a_user, cls.mgr_a = make_user(("sales_manager",), cls.dept_a["id"])
        up = admin().patch("departments/%d" % cls.dept_a["id"], {"manager_id": cls.mgr_a_user["id"], "version": 1})
        assert up.status == 200, up
        cls.owned = {}
        for key, cl in [("rep_a", cls.rep_a), ("rep_a1", cls.rep_a1), ("rep_b", cls.rep_b), ("mgr_a", cls.mgr_a),
                        ("admin", admin())]:
            recs = [cl.create("customers", {"name": "%s %s 客户%d" % (cls.p, key, i), "phone": "+86 10 5555 %04d" % i})
                    for i in range(2)]
            cls.owned[key] = recs
        cls.contacts = {key: getattr(cls, key).create("contacts", {"name": "%s %s 联系人" % (cls.p, key),
                                                                    "customer_id": cls.owned[key][0]["id"]})
                        for key in ["rep_a", "rep_b"]}

    # --- helpers ---

    def ids(self, *keys):
        return {r["id"] for k in keys for r in self.owned[k]}

    def visible(self, cl, query=None):
        r = cl.get("customers", query=dict(query or {}, limit=500))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["total"], len(r.body["data"]))
        return set(r.ids)

    def exported(self, cl, query=None):
        r = cl.get("customers/export", query=dict(query or {}, format="csv"))
        self.assertEqual(r.status, 200, r)
        rows = list(csv.reader(io.StringIO(r.raw[3:].decode("utf-8"), newline="")))
        return {int(row[0]) for row in rows[1:]}

    def expect_sets(self):
        return [
            (self.rep_a, self.ids("rep_a")),
            (self.rep_a1, self.ids("rep_a1")),
            (self.rep_b, self.ids("rep_b")),
            (self.mgr_a, self.ids("rep_a", "rep_a1", "mgr_a")),
        ]

    def snapshot(self):
        return {k: [admin().read("customers", r["id"]) for r in recs] for k, recs in self.owned.items()}

    # --- visibility ---

    def truth(self, cl):
        """What cl's scope should cover among all customers, computed by the
        administrator from ownership: own for reps, departments A and A1 for
        the manager of A. (Other tests of this class add customers, so the
        unfiltered lists are checked against this; the lists restricted to
        this class's prefix are checked against fixed sets.)"""
        if cl is self.mgr_a:
            q = {"department_id[in]": "%d,%d" % (self.dept_a["id"], self.dept_a1["id"])}
        else:
            q = {"owner_id": cl.id}
        return self.visible(admin(), q)

    def test_list_and_total(self):
        for cl, want in self.expect_sets():
            self.assertEqual(self.visible(cl, {"name[like]": self.p}), want, cl.user["username"])
            everything = self.visible(cl)
            self.assertEqual(everything, self.truth(cl), cl.user["username"])
            self.assertTrue(want <= everything)
        self.assertEqual(self.visible(admin(), {"name[like]": self.p}),
                         self.ids("rep_a", "rep_a1", "rep_b", "mgr_a", "admin"))
        r = admin().get("customers", query={"limit": 1})
        self.assertGreaterEqual(r.body["total"], 10)

    def test_search(self):
        for cl, want in self.expect_sets():
            r = cl.get("customers", query={"q": self.p})
            self.assertEqual((set(r.ids), r.body["total"]), (want, len(want)))
            r = cl.get("customers", query={"q": "客户", "name[like]": self.p})  # two characters: the LIKE path
            self.assertEqual(set(r.ids), want)
            r = cl.post("customers/query", {"q": self.p, "where": {"field": "phone", "op": "like", "value": "5555"}})
            self.assertEqual(set(r.ids), want)
        r = admin().get("customers", query={"q": self.p, "limit": 500})
        self.assertEqual(set(r.ids), self.ids("rep_a", "rep_a1", "rep_b", "mgr_a", "admin"))

    def test_global_search(self):
        for cl, want in self.expect_sets():
            r = cl.get("search", query={"q": self.p})
            self.assertEqual(r.status, 200, r)
            got = {x["id"] for x in r.body["data"] if x["entity"] == "customers"}
            if len(want) <= 5:
                self.assertEqual(got, want)
            else:  # five per entity at most
                self.assertEqual(len(got), 5)
                self.assertTrue(got <= want)

    def test_export(self):
        for cl, want in self.expect_sets():
            self.assertEqual(self.exported(cl, {"name[like]": self.p}), want, cl.user["username"])
            self.assertEqual(self.exported(cl), self.truth(cl), cl.user["username"])
        self.assertEqual(self.exported(admin(), {"name[like]": self.p}),
                         self.ids("rep_a", "rep_a1", "rep_b", "mgr_a", "admin"))

    def test_filters_do_not_leak(self):
        other = self.owned["rep_b"][0]
        self.assertEqual(self.visible(self.rep_a, {"id": other["id"]}), set())
        self.assertEqual(self.visible(self.rep_a, {"owner_id": self.rep_b_user["id"]}), set())
        self.assertEqual(self.visible(self.rep_a, {"name": other["name"]}), set())
        self.assertEqual(self.visible(self.mgr_a, {"department_id": self.dept_b["id"]}), set())
        r = self.rep_a.post("customers/query", {"where": {"or": [{"field": "id", "op": "eq", "value": other["id"]},
                                                                 {"field": "id", "op": "ge", "value": 1}]}})
        self.assertEqual(set(r.ids), self.ids("rep_a"))

    def test_get(self):
        everyone = ["rep_a", "rep_a1", "rep_b", "mgr_a", "admin"]
        for cl, want in self.expect_sets():
            for key in everyone:
                for rec in self.owned[key]:
                    r = cl.get("customers/%d" % rec["id"])
                    if rec["id"] in want:
                        self.assertEqual(r.status, 200, r)
                        self.assertEqual(r.body, admin().read("customers", rec["id"]))
                    else:
                        self.assertEqual(r.status, 404, (cl.user["username"], key, r))
                        self.assertEqual(r.error["code"], "not_found")
                        # Same answer as for an id that does not exist.
                        self.assertEqual(r.body["error"]["message"].replace(str(rec["id"]), "N"),
                                         cl.get("customers/999999999").body["error"]["message"]
                                         .replace("999999999", "N"))
        for key in everyone:
            for rec in self.owned[key]:
                self.assertEqual(admin().get("customers/%d" % rec["id"]).status, 200)

    def test_history_and_audit_out_of_scope(self):
        other = self.owned["rep_b"][0]["id"]
        self.assertEqual(self.rep_a.get("customers/%d/history" % other).status, 404)
        self.assertEqual(self.mgr_a.get("customers/%d/history" % other).status, 404)
        r = self.rep_a.get("audit", query={"entity": "customers", "record_id": other})
        self.assertEqual(r.status, 403, r)
        r = self.rep_a.get("audit")
        self.assertEqual(r.status, 403, r)
        own = self.owned["rep_a"][0]["id"]
        r = self.rep_a.get("audit", query={"entity": "customers", "record_id": own})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([(e["action"], e["record_id"]) for e in r.body["data"]][-1], ("create", own))
        self.assertTrue(all(e["record_id"] == own for e in r.body["data"]))

    # --- writes ---

    def test_write_out_of_scope_is_404_and_changes_nothing(self):
        before = self.snapshot()
        for cl, want in self.expect_sets():
            for key, recs in self.owned.items():
                for rec in recs:
                    if rec["id"] in want:
                        continue
                    cur = admin().read("customers", rec["id"])
                    r = cl.patch("customers/%d" % rec["id"], {"name": "hijacked", "version": cur["version"]})
                    self.assertEqual(r.status, 404, (cl.user["username"], key, r))
                    r = cl.delete("customers/%d" % rec["id"])
                    self.assertEqual(r.status, 404, (cl.user["username"], key, r))
                    r = cl.post("customers/%d/restore" % rec["id"])
                    self.assertEqual(r.status, 404, r)
        self.assertEqual(self.snapshot(), before)

    def test_manager_edits_below(self):
        rec = self.owned["rep_a1"][1]
        cur = admin().read("customers", rec["id"])
        r = self.mgr_a.patch("customers/%d" % rec["id"], {"level": "A", "version": cur["version"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["level"], "A")
        self.assertEqual(r.body["owner_id"], self.rep_a1_user["id"])
        self.assertEqual(r.body["updated_by"], self.mgr_a_user["id"])

    def test_links_to_out_of_scope_records_are_422(self):
        other = self.owned["rep_b"][0]["id"]
        name = uniq("leak")
        r = self.rep_a.post("contacts", {"name": name, "customer_id": other})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"customer_id"})
        r = self.rep_a.post("activities", {"subject": name, "parent_type": "customers", "parent_id": other})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"parent_id"})
        own_contact = self.contacts["rep_a"]
        r = self.rep_a.patch("contacts/%d" % own_contact["id"], {"customer_id": other, "version": own_contact["version"]})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(admin().read("contacts", own_contact["id"])["customer_id"], self.owned["rep_a"][0]["id"])
        self.assertEqual(admin().list("contacts", {"name": name}).body["total"], 0)
        self.assertEqual(admin().list("activities", {"subject": name}).body["total"], 0)
        # The error names the field the same way as for a record that does not exist.
        missing = self.rep_a.post("contacts", {"name": name, "customer_id": 999999999})
        self.assertEqual(set(missing.fields), {"customer_id"})
        # Linking to one's own customer works.
        r = self.rep_a.post("contacts", {"name": name, "customer_id": self.owned["rep_a"][1]["id"]})
        self.assertEqual(r.status, 201, r)

    def test_contacts_scoped_too(self):
        for key, cl in [("rep_a", self.rep_a), ("rep_b", self.rep_b)]:
            r = cl.get("contacts", query={"name[like]": self.p})
            self.assertEqual(r.ids, [self.contacts[key]["id"]])
        r = self.rep_a.get("contacts/%d" % self.contacts["rep_b"]["id"])
        self.assertEqual(r.status, 404, r)
        r = self.mgr_a.get("contacts", query={"name[like]": self.p})
        self.assertEqual(r.ids, [self.contacts["rep_a"]["id"]])

    def test_rep_cannot_assign_to_others(self):
        name = uniq("assign")
        r = self.rep_a.post("customers", {"name": name, "owner_id": self.rep_b_user["id"]})
        self.assertEqual(r.status, 403, r)
        rec = self.owned["rep_a"][1]
        cur = admin().read("customers", rec["id"])
        r = self.rep_a.patch("customers/%d" % rec["id"], {"owner_id": self.rep_b_user["id"], "version": cur["version"]})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(admin().read("customers", rec["id"]), cur)
        self.assertEqual(admin().list("customers", {"name": name}).body["total"], 0)
        # Naming oneself is fine.
        r = self.rep_a.post("customers", {"name": name, "owner_id": self.rep_a_user["id"]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.body["owner_id"], r.body["department_id"]), (self.rep_a_user["id"], self.dept_a["id"]))

    def test_admin_assigns_and_department_follows_owner(self):
        rec = admin().create("customers", {"name": uniq("handover"), "owner_id": self.rep_a_user["id"]})
        self.assertEqual((rec["owner_id"], rec["department_id"]), (self.rep_a_user["id"], self.dept_a["id"]))
        self.assertEqual(self.rep_a.get("customers/%d" % rec["id"]).status, 200)
        self.assertEqual(self.rep_b.get("customers/%d" % rec["id"]).status, 404)
        up = admin().patch("customers/%d" % rec["id"], {"owner_id": self.rep_b_user["id"], "version": 1})
        self.assertEqual(up.status, 200, up)
        self.assertEqual((up.body["owner_id"], up.body["department_id"]), (self.rep_b_user["id"], self.dept_b["id"]))
        self.assertEqual(self.rep_a.get("customers/%d" % rec["id"]).status, 404)
        self.assertEqual(self.rep_b.get("customers/%d" % rec["id"]).status, 200)
        h = admin().get("customers/%d/history" % rec["id"]).body["data"]
        self.assertEqual([(e["field"], e["old"], e["new"]) for e in h],
                         [("owner_id", self.rep_a_user["id"], self.rep_b_user["id"])])

    def test_trash_is_scoped(self):
        rec = self.rep_a.create("customers", {"name": uniq("trash")})
        self.assertEqual(self.rep_a.delete("customers/%d" % rec["id"]).status, 204)
        self.assertEqual(self.rep_a.get("customers/trash", query={"id": rec["id"]}).ids, [rec["id"]])
        self.assertEqual(self.rep_b.get("customers/trash", query={"id": rec["id"]}).ids, [])
        self.assertEqual(self.rep_b.post("customers/%d/restore" % rec["id"]).status, 404)
        self.assertEqual(self.rep_a.post("customers/%d/purge" % rec["id"]).status, 403)  # administrators only
        self.assertEqual(admin().get("customers/trash", query={"id": rec["id"]}).ids, [rec["id"]])
        r = self.rep_a.post("customers/%d/restore" % rec["id"])
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.body["deleted_at"])

    # --- administration ---

    def test_rep_cannot_create_users(self):
        username = uniq("u")
        body = {"username": username, "name": "x", "password": USER_PASSWORD, "department_id": self.dept_a["id"],
                "role_ids": [role_id("admin")]}
        for cl in [self.rep_a, self.mgr_a]:
            r = cl.post("users", body)
            self.assertEqual(r.status, 403, r)
            self.assertEqual(r.error["code"], "forbidden")
        self.assertEqual(admin().list("users", {"username": username}).body["total"], 0)
        self.assertEqual(login(username, USER_PASSWORD).status, 401)

    def test_rep_cannot_change_roles(self):
        me = admin().read("users", self.rep_a_user["id"])
        r = self.rep_a.patch("users/%d" % me["id"], {"role_ids": [role_id("admin")], "version": me["version"]})
        self.assertEqual(r.status, 403, r)
        rid = role_id("sales_rep")
        role = admin().read("roles", rid)
        r = self.rep_a.patch("roles/%d" % rid, {"permissions": {"customers": {"read": "all"}}, "version": role["version"]})
        self.assertEqual(r.status, 403, r)
        r = self.rep_a.post("roles", {"code": uniq("r"), "name": "x", "is_admin": True})
        self.assertEqual(r.status, 403, r)
        r = self.rep_a.delete("roles/%d" % rid)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(admin().read("users", me["id"]), me)
        self.assertEqual(admin().read("roles", rid), role)
        self.assertEqual(self.visible(self.rep_a, {"name[like]": self.p}), self.ids("rep_a"))
        me_now = self.rep_a.get("auth/me").body
        self.assertIs(me_now["is_admin"], False)

    def test_rep_reads_users_and_departments_but_cannot_change_them(self):
        r = self.rep_a.get("departments/%d" % self.dept_b["id"])
        self.assertEqual(r.status, 200, r)
        r = self.rep_a.patch("departments/%d" % self.dept_b["id"], {"name": "x", "version": r.body["version"]})
        self.assertEqual(r.status, 403, r)
        r = self.rep_a.post("departments", {"name": uniq("d")})
        self.assertEqual(r.status, 403, r)
        r = self.rep_a.get("users/%d" % self.rep_b_user["id"])
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("password", r.body)
        r = self.rep_a.patch("users/%d" % self.rep_b_user["id"], {"active": False, "version": r.body["version"]})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.rep_b.get("auth/me").status, 200)

    def test_rep_cannot_see_roles_or_purge(self):
        self.assertEqual(self.rep_a.get("roles").status, 403)
        self.assertEqual(self.rep_a.get("meta/entities/roles").status, 404)
        names = {e["name"] for e in self.rep_a.get("meta/entities").body["data"]}
        self.assertNotIn("roles", names)
        self.assertTrue({"customers", "contacts", "activities", "users", "departments"} <= names)
        self.assertEqual(self.rep_a.get("customers/trash").status, 200)

    def test_meta_shows_the_users_access(self):
        r = self.rep_a.get("meta/entities/customers")
        self.assertEqual(r.body["access"], {"read": "own", "create": "own", "edit": "own", "delete": "own",
                                            "export": "own", "import": "own", "assign": "none"})
        r = self.mgr_a.get("meta/entities/customers")
        self.assertEqual(r.body["access"]["read"], "department_and_below")
        r = admin().get("meta/entities/customers")
        self.assertEqual(set(r.body["access"].values()), {"all"})


class SessionUser(unittest.TestCase):
    """A request reads the user (department, name, language, access version)
    with the same statement as the session or token: a change to the user
    applies to the very next request made with a session or token issued
    before it."""

    def test_a_department_move_applies_at_once_to_sessions_and_tokens(self):
        dept_a, dept_b = make_department(), make_department()
        mgr, cl = make_user(("sales_manager",), dept_a["id"])
        tok = cl.post("auth/tokens", {"name": "script"})
        self.assertEqual(tok.status, 201, tok)
        api = Client(token=tok.body["token"])
        _, rep_b = make_user(("sales_rep",), dept_b["id"])
        rec = rep_b.create("customers", {"name": uniq("moved")})
        for c in (cl, api):
            self.assertEqual(c.get("customers/%d" % rec["id"]).status, 404)
            self.assertNotIn(rec["id"], c.get("customers", query={"limit": 500}).ids)
        up = admin().patch("users/%d" % mgr["id"], {"department_id": dept_b["id"], "name": "Moved " + mgr["name"],
                                                    "version": mgr["version"]})
        self.assertEqual(up.status, 200, up)
        for c in (cl, api):
            self.assertEqual(c.get("customers/%d" % rec["id"]).status, 200)
            self.assertIn(rec["id"], c.get("customers", query={"limit": 500}).ids)
            me = c.get("auth/me")
            self.assertEqual(me.body["department_id"], dept_b["id"])
            self.assertEqual(me.body["name"], "Moved " + mgr["name"])


class Disable(unittest.TestCase):
    def test_disabling_a_user_ends_sessions_and_tokens_at_once(self):
        dept = make_department()
        user, cl = make_user(("sales_rep",), dept["id"])
        tok = cl.post("auth/tokens", {"name": "script"})
        self.assertEqual(tok.status, 201)
        api = Client(token=tok.body["token"])
        second = login(user["username"], USER_PASSWORD)
        self.assertEqual(api.get("auth/me").status, 200)
        rec = cl.create("customers", {"name": uniq("dis")})
        up = admin().patch("users/%d" % user["id"], {"active": False, "version": user["version"]})
        self.assertEqual(up.status, 200, up)
        self.assertIs(up.body["active"], False)
        for c in [cl, api, Client(token=second.body["token"])]:
            r = c.get("auth/me")
            self.assertEqual(r.status, 401, r)
            self.assertEqual(c.get("customers").status, 401)
            self.assertEqual(c.post("customers", {"name": uniq("dis")}).status, 401)
        r = login(user["username"], USER_PASSWORD)
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.error["message"], "Wrong username or password")  # no hint that the account exists
        # The customer stays with the company.
        self.assertEqual(admin().read("customers", rec["id"])["owner_id"], user["id"])
        # Enabled again: the old sessions stay ended, a new login works.
        up = admin().patch("users/%d" % user["id"], {"active": True, "version": up.body["version"]})
        self.assertEqual(up.status, 200, up)
        self.assertEqual(cl.get("auth/me").status, 401)
        self.assertEqual(api.get("auth/me").status, 401)
        self.assertEqual(login(user["username"], USER_PASSWORD).status, 200)

    def test_admin_cannot_disable_themself(self):
        me = admin().read("users", admin().id)
        r = admin().patch("users/%d" % me["id"], {"active": False, "version": me["version"]})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(admin().get("auth/me").status, 200)

    def test_deleting_a_user_ends_sessions(self):
        user, cl = make_user()
        self.assertEqual(admin().delete("users/%d" % user["id"]).status, 204)
        self.assertEqual(cl.get("auth/me").status, 401)
        self.assertEqual(login(user["username"], USER_PASSWORD).status, 401)


if __name__ == "__main__":
    unittest.main()
