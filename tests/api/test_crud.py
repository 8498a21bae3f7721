"""The generic endpoints on every first entity: create (201 + Location), get,
list, PATCH with optimistic concurrency, DELETE to the trash, trash, restore,
purge, history of key fields and the audit log (SPEC "API conventions",
issue 2 "Record engine")."""
import unittest

from client import API, USER_PASSWORD, admin, expected_failure_on, hq_department, login, make_user, role_id, uniq

COMMON = {"id", "created_at", "created_by", "updated_at", "updated_by", "version", "deleted_at"}


# Keys GET/POST/PATCH answer that lists do not: computed on read (payments.c).
COMPUTED_ON_READ = {"receivable_total", "received_total", "balance_due", "prepayment_total", "invoiced_total",
                    "overdue_amount"}


class Lifecycle:
    """Mixin: the whole life of one record of `entity`. Subclasses say how to
    make values (values()), what comes back for them (expected()), which
    field to change (change()), the field that names the record (title) and
    the key field whose changes show in the history (key_field or None)."""

    entity = None
    title = "name"
    key_field = "name"
    owned = True

    def values(self, name):
        return {self.title: name}

    def expected(self, values):
        return dict(values)

    def change(self, rec):
        return {self.title: rec[self.title] + "-changed"}

    # --- helpers ---

    def make(self):
        name = uniq(self.entity[:4])
        vals = self.values(name)
        r = admin().post(self.entity, vals)
        self.assertEqual(r.status, 201, r)
        return vals, r

    def path(self, rid, suffix=""):
        return "%s/%d%s" % (self.entity, rid, suffix)

    def get(self, rid):
        return admin().get(self.path(rid))

    def audit(self, rid):
        r = admin().get("audit", query={"entity": self.entity, "record_id": rid})
        self.assertEqual(r.status, 200, r)
        return r.body["data"]

    # --- tests ---

    def test_create(self):
        vals, r = self.make()
        rec = r.body
        rid = rec["id"]
        self.assertIsInstance(rid, int)
        self.assertGreater(rid, 0)
        self.assertEqual(r.headers.get("Location"), "%s/%s/%d" % (API, self.entity, rid))
        self.assertEqual(rec["version"], 1)
        self.assertIsNone(rec["deleted_at"])
        self.assertEqual(rec["created_by"], admin().id)
        self.assertEqual(rec["updated_by"], admin().id)
        self.assertRegex(rec["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
        self.assertEqual(rec["created_at"], rec["updated_at"])
        for k, v in self.expected(vals).items():
            self.assertEqual(rec[k], v, k)
        self.assertTrue(COMMON <= set(rec), set(rec))
        if self.owned:
            self.assertEqual(rec["owner_id"], admin().id)
            self.assertEqual(rec["department_id"], hq_department())
        else:
            self.assertNotIn("owner_id", rec)
        # Location points at the record.
        got = admin().get(r.headers.get("Location"))
        self.assertEqual(got.status, 200, got)
        self.assertEqual(got.body, rec)

    def test_get(self):
        _, r = self.make()
        got = self.get(r.body["id"])
        self.assertEqual(got.status, 200, got)
        self.assertEqual(got.body, r.body)

    def test_list_shape(self):
        vals, r = self.make()
        lst = admin().get(self.entity, query={self.title: vals[self.title]})
        self.assertEqual(lst.status, 200, lst)
        # List rows carry the stored fields; values computed on read (a
        # customer's balance_due … from sales, HOOK_AFTER_READ) are on the
        # record only.
        self.assertEqual(lst.body["data"], [{k: v for k, v in r.body.items() if k not in COMPUTED_ON_READ}])
        self.assertEqual(lst.body["total"], 1)
        self.assertEqual(lst.body["limit"], 50)
        self.assertEqual(lst.body["offset"], 0)
        lst = admin().get(self.entity)
        self.assertEqual(lst.status, 200)
        self.assertIsInstance(lst.body["data"], list)
        self.assertIsInstance(lst.body["total"], int)
        self.assertGreaterEqual(lst.body["total"], 1)

    def test_update_with_version(self):
        _, r = self.make()
        rec = r.body
        ch = self.change(rec)
        up = admin().patch(self.path(rec["id"]), dict(ch, version=1))
        self.assertEqual(up.status, 200, up)
        self.assertEqual(up.body["version"], 2)
        for k, v in ch.items():
            self.assertEqual(up.body[k], v)
        self.assertGreaterEqual(up.body["updated_at"], rec["updated_at"])
        self.assertEqual(up.body["created_at"], rec["created_at"])
        # Untouched fields stay.
        for k, v in rec.items():
            if k not in ch and k not in ("version", "updated_at"):
                self.assertEqual(up.body[k], v, k)
        self.assertEqual(self.get(rec["id"]).body, up.body)
        # And again with the new version.
        up2 = admin().patch(self.path(rec["id"]), dict(self.change(up.body), version=2))
        self.assertEqual(up2.status, 200, up2)
        self.assertEqual(up2.body["version"], 3)

    def test_stale_version_is_409_and_nothing_written(self):
        _, r = self.make()
        rec = r.body
        up = admin().patch(self.path(rec["id"]), dict(self.change(rec), version=1))
        self.assertEqual(up.status, 200, up)
        stale = admin().patch(self.path(rec["id"]), dict(self.change(up.body), version=1))
        self.assertEqual(stale.status, 409, stale)
        self.assertEqual(stale.error["code"], "conflict")
        future = admin().patch(self.path(rec["id"]), dict(self.change(up.body), version=99))
        self.assertEqual(future.status, 409, future)
        self.assertEqual(self.get(rec["id"]).body, up.body)

    def test_patch_without_version_is_422(self):
        _, r = self.make()
        rec = r.body
        for body in [self.change(rec), dict(self.change(rec), version="1"), dict(self.change(rec), version=None)]:
            up = admin().patch(self.path(rec["id"]), body)
            self.assertEqual(up.status, 422, (body, up))
            self.assertEqual(set(up.fields), {"version"})
        self.assertEqual(self.get(rec["id"]).body, rec)

    def test_delete_trash_restore(self):
        vals, r = self.make()
        rid = r.body["id"]
        d = admin().delete(self.path(rid))
        self.assertEqual(d.status, 204, d)
        self.assertEqual(d.raw, b"")
        g = self.get(rid)
        self.assertEqual(g.status, 404, g)
        self.assertEqual(g.error["code"], "not_found")
        lst = admin().get(self.entity, query={self.title: vals[self.title]})
        self.assertEqual((lst.body["data"], lst.body["total"]), ([], 0))
        # Not editable or deletable while in the trash.
        self.assertEqual(admin().patch(self.path(rid), dict(self.change(r.body), version=2)).status, 404)
        self.assertEqual(admin().delete(self.path(rid)).status, 404)
        # In the trash.
        t = admin().get(self.entity + "/trash", query={"id": rid})
        self.assertEqual(t.status, 200, t)
        self.assertEqual(t.ids, [rid])
        self.assertEqual(t.body["total"], 1)
        self.assertIsInstance(t.body["data"][0]["deleted_at"], str)
        self.assertEqual(t.body["data"][0][self.title], r.body[self.title])
        # Restore.
        rs = admin().post(self.path(rid, "/restore"))
        self.assertEqual(rs.status, 200, rs)
        self.assertEqual(rs.body["id"], rid)
        self.assertIsNone(rs.body["deleted_at"])
        self.assertEqual(rs.body["version"], 3)  # delete and restore are changes too
        self.assertEqual(rs.body[self.title], r.body[self.title])
        g = self.get(rid)
        self.assertEqual(g.status, 200)
        self.assertEqual(g.body, rs.body)
        self.assertEqual(admin().get(self.entity + "/trash", query={"id": rid}).ids, [])
        self.assertEqual(admin().post(self.path(rid, "/restore")).status, 404)  # not in the trash any more

    def test_purge(self):
        _, r = self.make()
        rid = r.body["id"]
        p = admin().post(self.path(rid, "/purge"))
        self.assertEqual(p.status, 404, p)  # only trashed records can be purged
        self.assertEqual(self.get(rid).status, 200)
        self.assertEqual(admin().delete(self.path(rid)).status, 204)
        p = admin().post(self.path(rid, "/purge"))
        self.assertEqual(p.status, 204, p)
        self.assertEqual(self.get(rid).status, 404)
        self.assertEqual(admin().get(self.entity + "/trash", query={"id": rid}).ids, [])
        self.assertEqual(admin().post(self.path(rid, "/restore")).status, 404)
        self.assertEqual(admin().post(self.path(rid, "/purge")).status, 404)
        actions = [a["action"] for a in self.audit(rid)]
        self.assertEqual(actions[0], "purge")

    def test_purged_id_is_not_reused(self):
        # Ids are never reused (AUTOINCREMENT on SQLite, identity on PostgreSQL).
        _, r = self.make()
        rid = r.body["id"]
        self.assertEqual(admin().delete(self.path(rid)).status, 204)
        self.assertEqual(admin().post(self.path(rid, "/purge")).status, 204)
        _, r2 = self.make()
        self.assertNotEqual(r2.body["id"], rid)
        self.assertEqual(admin().get(self.path(r2.body["id"], "/history")).body["data"], [])
        self.assertEqual([a["action"] for a in self.audit(r2.body["id"])], ["create"])

    def test_unknown_action(self):
        _, r = self.make()
        a = admin().post(self.path(r.body["id"], "/no_such_action"))
        self.assertEqual(a.status, 404, a)

    def test_history(self):
        _, r = self.make()
        rec = r.body
        h = admin().get(self.path(rec["id"], "/history"))
        self.assertEqual(h.status, 200, h)
        self.assertEqual(h.body, {"data": []})
        ch = self.change(rec)
        up = admin().patch(self.path(rec["id"]), dict(ch, version=1))
        self.assertEqual(up.status, 200)
        h = admin().get(self.path(rec["id"], "/history")).body["data"]
        if self.key_field:
            self.assertEqual([(e["field"], e["old"], e["new"]) for e in h],
                             [(self.key_field, rec[self.key_field], ch[self.key_field])])
            self.assertEqual(h[0]["user_id"], admin().id)
            self.assertEqual(h[0]["user_name"], admin().user["name"])
            self.assertRegex(h[0]["at"], r"^\d{4}-\d\d-\d\dT")
        else:
            self.assertEqual(h, [])  # no key field changed
        # Delete and restore are in the history too (newest first).
        self.assertEqual(admin().delete(self.path(rec["id"])).status, 204)
        self.assertEqual(admin().get(self.path(rec["id"], "/history")).status, 404)  # in the trash
        self.assertEqual(admin().post(self.path(rec["id"], "/restore")).status, 200)
        h2 = admin().get(self.path(rec["id"], "/history")).body["data"]
        self.assertEqual(len(h2), len(h) + 2)
        self.assertEqual([e["field"] for e in h2[:2]], ["deleted_at", "deleted_at"])
        self.assertIsNone(h2[0]["new"])  # restored
        self.assertIsInstance(h2[0]["old"], str)
        self.assertIsNone(h2[1]["old"])  # deleted
        self.assertEqual(h2[1]["new"], h2[0]["old"])

    def test_audit(self):
        vals, r = self.make()
        rec = r.body
        rid = rec["id"]
        ch = self.change(rec)
        up = admin().patch(self.path(rid), dict(ch, version=1))
        self.assertEqual(up.status, 200)
        self.assertEqual(admin().delete(self.path(rid)).status, 204)
        entries = self.audit(rid)
        self.assertEqual([e["action"] for e in entries], ["delete", "update", "create"])
        for e in entries:
            self.assertEqual(e["entity"], self.entity)
            self.assertEqual(e["record_id"], rid)
            self.assertEqual(e["user_id"], admin().id)
            self.assertEqual(e["user_name"], admin().user["name"])
            self.assertEqual(e["ip"], "127.0.0.1")
            self.assertRegex(e["at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
        dele, upd, cre = entries
        self.assertEqual(upd["diff"], {k: [rec[k], v] for k, v in ch.items()})
        self.assertEqual(set(dele["diff"]), {"deleted_at"})
        self.assertIsNone(dele["diff"]["deleted_at"][0])
        self.assertIsInstance(dele["diff"]["deleted_at"][1], str)
        self.assertEqual(cre["diff"][self.title], [None, vals[self.title]])
        for k, v in self.expected(vals).items():
            self.assertEqual(cre["diff"][k], [None, v], k)
        self.assertNotIn("password", cre["diff"])
        self.assertNotIn("version", cre["diff"])
        # Newest first, filtered by action.
        only = admin().get("audit", query={"entity": self.entity, "record_id": rid, "action": "update"})
        self.assertEqual([e["id"] for e in only.body["data"]], [upd["id"]])


def industry_id(code):
    """The id of the seeded industry with this code (migration 3 seeds them)."""
    rows = admin().list("industries", {"code": code}).body["data"]
    return rows[0]["id"]


class Customers(Lifecycle, unittest.TestCase):
    entity = "customers"

    def values(self, name):
        return {"name": name, "level": "A", "credit_limit": 500000, "phone": "+86 21 5555-0101",
                "email": "buyer@example.com", "industry_id": industry_id("trade"), "address": {"province": "上海市", "city": "上海市"}}

    def expected(self, values):
        e = dict(values)
        e["phone"] = "+862155550101"  # stored without separators
        return e

    def test_defaults_and_auto_number(self):
        _, r = self.make()
        self.assertEqual(r.body["kind"], "company")
        self.assertEqual(r.body["status"], "active")
        self.assertRegex(r.body["code"], r"^C\d{4}\d{6}$")
        _, r2 = self.make()
        # Numbers are consecutive (nothing else creates customers between these two calls).
        self.assertEqual(r2.body["code"][:5], r.body["code"][:5])
        self.assertEqual(int(r2.body["code"][5:]), int(r.body["code"][5:]) + 1)

    def test_auto_number_is_read_only(self):
        _, r = self.make()
        up = admin().patch(self.path(r.body["id"]), {"code": "C-HACKED", "version": 1})
        self.assertEqual(up.status, 422, up)
        self.assertEqual(set(up.fields), {"code"})
        self.assertEqual(self.get(r.body["id"]).body, r.body)

    def test_purge_refused_while_referenced(self):
        _, r = self.make()
        cid = r.body["id"]
        contact = admin().create("contacts", {"name": uniq("ref"), "customer_id": cid})
        self.assertEqual(admin().delete(self.path(cid)).status, 204)
        p = admin().post(self.path(cid, "/purge"))
        self.assertEqual(p.status, 409, p)
        t = admin().get("customers/trash", query={"id": cid})
        self.assertEqual(t.ids, [cid])  # still there
        self.assertEqual(admin().read("contacts", contact["id"])["customer_id"], cid)


class Contacts(Lifecycle, unittest.TestCase):
    entity = "contacts"

    @classmethod
    def setUpClass(cls):
        cls.customer = admin().create("customers", {"name": uniq("contact-owner")})
        cls.customer2 = admin().create("customers", {"name": uniq("contact-owner")})

    def values(self, name):
        return {"name": name, "customer_id": self.customer["id"], "title": "采购经理", "email": "li@example.cn",
                "mobile": "+8613800138000", "birthday": "1988-02-29", "is_primary": True, "decision_role": "influencer"}

    def test_filter_by_customer(self):
        a = admin().create("contacts", {"name": uniq("c"), "customer_id": self.customer2["id"]})
        b = admin().create("contacts", {"name": uniq("c"), "customer_id": self.customer2["id"]})
        lst = admin().list("contacts", {"customer_id": self.customer2["id"], "sort": "id"})
        self.assertEqual(lst.ids, [a["id"], b["id"]])
        self.assertEqual(lst.body["total"], 2)

    def test_relink_to_another_customer(self):
        vals, r = self.make()
        up = admin().patch(self.path(r.body["id"]), {"customer_id": self.customer2["id"], "version": 1})
        self.assertEqual(up.status, 200, up)
        self.assertEqual(up.body["customer_id"], self.customer2["id"])
        h = admin().get(self.path(r.body["id"], "/history")).body["data"]
        self.assertEqual([(e["field"], e["old"], e["new"]) for e in h if e["field"] == "customer_id"],
                         [("customer_id", self.customer["id"], self.customer2["id"])])


class Activities(Lifecycle, unittest.TestCase):
    entity = "activities"
    title = "subject"
    key_field = None

    @classmethod
    def setUpClass(cls):
        cls.customer = admin().create("customers", {"name": uniq("act-owner")})

    def values(self, name):
        return {"subject": name, "kind": "visit", "parent_type": "customers", "parent_id": self.customer["id"],
                "occurred_at": "2026-11-23T09:30:00+08:00", "duration_min": 45, "body": "拜访客户\n讨论报价"}

    def expected(self, values):
        e = dict(values)
        e["occurred_at"] = "2026-11-23T01:30:00Z"
        return e

    def test_filter_by_parent(self):
        cust = admin().create("customers", {"name": uniq("act-parent")})
        a = admin().create("activities", {"subject": uniq("a"), "parent_type": "customers", "parent_id": cust["id"]})
        b = admin().create("activities", {"subject": uniq("a"), "parent_type": "customers", "parent_id": cust["id"],
                                          "kind": "call"})
        lst = admin().list("activities", {"parent_type": "customers", "parent_id": cust["id"], "sort": "id"})
        self.assertEqual(lst.ids, [a["id"], b["id"]])
        self.assertEqual(a["kind"], "call")  # the default
        lst = admin().list("activities", {"parent_id": cust["id"], "kind": "call", "sort": "-id"})
        self.assertEqual(lst.ids, [b["id"], a["id"]])

    def test_parent_on_another_entity(self):
        contact = admin().create("contacts", {"name": uniq("p")})
        a = admin().create("activities", {"subject": uniq("a"), "parent_type": "contacts", "parent_id": contact["id"]})
        self.assertEqual((a["parent_type"], a["parent_id"]), ("contacts", contact["id"]))


class Departments(Lifecycle, unittest.TestCase):
    entity = "departments"
    owned = False

    def values(self, name):
        return {"name": name, "parent_id": hq_department(), "code": "D-" + name[-6:], "notes": "测试部门"}

    def test_parent_cycle_is_422(self):
        # A department may not become its own ancestor (modules/users.c).
        top = admin().create("departments", {"name": uniq("cyc")})
        sub = admin().create("departments", {"name": uniq("cyc"), "parent_id": top["id"]})
        r = admin().patch("departments/%d" % top["id"], {"parent_id": top["id"], "version": 1})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"parent_id"})
        r = admin().patch("departments/%d" % top["id"], {"parent_id": sub["id"], "version": 1})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"parent_id"})
        self.assertEqual(admin().read("departments", top["id"]), top)

    def test_tree_and_manager(self):
        top = admin().create("departments", {"name": uniq("top")})
        sub = admin().create("departments", {"name": uniq("sub"), "parent_id": top["id"], "manager_id": admin().id})
        self.assertEqual((sub["parent_id"], sub["manager_id"]), (top["id"], admin().id))
        lst = admin().list("departments", {"parent_id": top["id"]})
        self.assertEqual(lst.ids, [sub["id"]])


class Users(Lifecycle, unittest.TestCase):
    entity = "users"
    title = "username"
    key_field = "name"
    owned = False

    def values(self, name):
        return {"username": name, "name": "用户 " + name, "password": USER_PASSWORD, "department_id": hq_department(),
                "role_ids": [role_id("sales_rep")], "position": "销售", "staff_type": "full_time",
                "email": name + "@example.com", "phone": "+86 139 0000 0000"}

    def expected(self, values):
        e = dict(values)
        del e["password"]
        e["phone"] = "+8613900000000"
        return e

    def change(self, rec):
        return {"name": rec["name"] + "-changed"}

    def test_password_is_never_returned(self):
        vals, r = self.make()
        rid = r.body["id"]
        for resp in [r, self.get(rid), admin().get("users", query={"username": vals["username"]}),
                     admin().get("users/export", query={"username": vals["username"]})]:
            self.assertEqual(resp.status // 100, 2, resp)
            self.assertNotIn(USER_PASSWORD, resp.text)
            self.assertNotIn("argon2", resp.text)
        self.assertNotIn("password", r.body)
        self.assertNotIn("password_hash", r.body)
        audit = self.audit(rid)
        self.assertNotIn("password", audit[0]["diff"])
        # The password works for logging in.
        lg = login(vals["username"], USER_PASSWORD)
        self.assertEqual(lg.status, 200, lg)
        self.assertEqual(lg.body["user"]["id"], rid)
        self.assertEqual(lg.body["user"]["role_ids"], [role_id("sales_rep")])

    def test_duplicate_username_is_409(self):
        vals, r = self.make()
        again = admin().post("users", dict(vals, name="Another"))
        self.assertEqual(again.status, 409, again)
        self.assertEqual(set(again.fields), {"username"})
        self.assertEqual(admin().list("users", {"username": vals["username"]}).body["total"], 1)

    def test_password_policy_on_create(self):
        name = uniq("u")
        for pw, why in [("short", "too short"), (name, "equals the username"), (12345678, "not text")]:
            r = admin().post("users", {"username": name, "name": "x", "password": pw})
            self.assertEqual(r.status, 422, (why, r))
            self.assertEqual(set(r.fields), {"password"}, why)
        r = admin().post("users", {"username": name, "name": "x"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"password"})
        self.assertEqual(admin().list("users", {"username": name}).body["total"], 0)

    def test_bad_username(self):
        for bad in ["a", "has space", "中文名", "x" * 65]:
            r = admin().post("users", {"username": bad, "name": "x", "password": USER_PASSWORD})
            self.assertEqual(r.status, 422, (bad, r))
            self.assertIn("username", r.fields)

    def test_new_password_by_admin(self):
        user, cl = make_user()
        up = admin().patch("users/%d" % user["id"], {"password": "Another-passw0rd", "version": user["version"]})
        self.assertEqual(up.status, 200, up)
        self.assertNotIn("password", up.body)
        self.assertEqual(cl.get("auth/me").status, 401)  # sessions end with a new password
        self.assertEqual(login(user["username"], "Another-passw0rd").status, 200)

    def test_roles_round_trip(self):
        rids = sorted([role_id("sales_rep"), role_id("marketer")])
        user, _ = make_user(roles=("sales_rep", "marketer"), login=False)
        self.assertEqual(sorted(user["role_ids"]), rids)
        up = admin().patch("users/%d" % user["id"], {"role_ids": [role_id("service_agent")], "version": 1})
        self.assertEqual(up.status, 200, up)
        self.assertEqual(up.body["role_ids"], [role_id("service_agent")])
        r = admin().post("users", {"username": uniq("u"), "name": "x", "password": USER_PASSWORD,
                                   "role_ids": [999999999]})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"role_ids"})


if __name__ == "__main__":
    unittest.main()
