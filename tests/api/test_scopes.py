"""Each of the five data scopes, one role per scope (issue #4's permission
matrix): departments A (with sub-department A1) and B; owners in A, A1 and B
own one customer each; viewers in A hold a role whose customers scope is
none / own / department / department_and_below / all. For each viewer the
exact set of customers is asserted in list + total, search, export and get."""
import csv
import io
import unittest

from client import USER_PASSWORD, admin, login_client, make_department, make_user, uniq

SCOPES = ["none", "own", "department", "department_and_below", "all"]


def scope_role(scope):
    """A role granting `scope` on customers for read and export, nothing else."""
    code = uniq("scope_")
    perms = {} if scope == "none" else {"customers": {"read": scope, "export": scope}}
    return admin().create("roles", {"code": code, "name": "Scope " + scope, "permissions": perms})["id"]


class FiveScopes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tag = uniq("scopes")
        a = make_department()
        a1 = make_department(parent_id=a["id"])
        b = make_department()
        owners = {}
        for key, dept in (("A", a), ("A1", a1), ("B", b)):
            owners[key], _ = make_user(department_id=dept["id"], login=False)
        cls.viewers = {}
        for scope in SCOPES:
            rid = scope_role(scope)
            rec = admin().create("users", {"username": uniq("v"), "name": "Viewer " + scope, "password": USER_PASSWORD,
                                           "department_id": a["id"], "role_ids": [rid]})
            cls.viewers[scope] = login_client(rec["username"], USER_PASSWORD)
        cls.cust = {}
        for key in ("A", "A1", "B"):
            cls.cust[key] = admin().create("customers", {"name": cls.tag + " " + key, "owner_id": owners[key]["id"]})["id"]
        cls.cust["own"] = admin().create("customers", {"name": cls.tag + " own",
                                                       "owner_id": cls.viewers["own"].id})["id"]
        c = cls.cust
        cls.expected = {
            "own": {c["own"]},
            "department": {c["A"], c["own"]},
            "department_and_below": {c["A"], c["A1"], c["own"]},
            "all": {c["A"], c["A1"], c["B"], c["own"]},
        }

    def test_list_and_total(self):
        for scope, want in self.expected.items():
            r = self.viewers[scope].get("customers", query={"name[like]": self.tag, "limit": "500"})
            self.assertEqual(r.status, 200, (scope, r))
            self.assertEqual(set(r.ids), want, scope)
            self.assertEqual(r.body["total"], len(want), scope)
        r = self.viewers["none"].get("customers", query={"name[like]": self.tag})
        self.assertEqual(r.status, 403, r)

    def test_search(self):
        for scope, want in self.expected.items():
            r = self.viewers[scope].get("customers", query={"q": self.tag})
            self.assertEqual(r.status, 200, (scope, r))
            self.assertEqual(set(r.ids), want, scope)
        self.assertEqual(self.viewers["none"].get("customers", query={"q": self.tag}).status, 403)

    def test_export(self):
        for scope, want in self.expected.items():
            r = self.viewers[scope].get("customers/export", query={"format": "csv", "name[like]": self.tag})
            self.assertEqual(r.status, 200, (scope, r))
            rows = list(csv.reader(io.StringIO(r.raw.decode("utf-8-sig"))))
            self.assertEqual({int(row[0]) for row in rows[1:]}, want, scope)
        r = self.viewers["none"].get("customers/export", query={"format": "csv"})
        self.assertEqual(r.status, 403, r)

    def test_get(self):
        for scope, want in self.expected.items():
            for rid in self.cust.values():
                r = self.viewers[scope].get("customers/%d" % rid)
                self.assertEqual(r.status, 200 if rid in want else 404, (scope, rid, r))
        for rid in self.cust.values():
            self.assertEqual(self.viewers["none"].get("customers/%d" % rid).status, 403)


if __name__ == "__main__":
    unittest.main()
