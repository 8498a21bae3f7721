"""Metadata endpoints, the OpenAPI document and /healthz (issue 2 "API")."""
import unittest

from client import API, admin, request


class Meta(unittest.TestCase):
    def test_entities(self):
        r = admin().get("meta/entities")
        self.assertEqual(r.status, 200, r)
        by_name = {e["name"]: e for e in r.body["data"]}
        self.assertTrue({"users", "departments", "roles", "customers", "contacts", "activities"} <= set(by_name),
                        sorted(by_name))
        for name, e in by_name.items():
            self.assertIsInstance(e["fields"], list, name)
            self.assertEqual(set(e["labels"]), {"zh", "en"}, name)
        self.assertEqual(by_name["customers"]["labels"], {"zh": "客户", "en": "Customers"})
        self.assertEqual(by_name["contacts"]["labels"], {"zh": "联系人", "en": "Contacts"})

    def test_customers(self):
        r = admin().get("meta/entities/customers")
        self.assertEqual(r.status, 200, r)
        e = r.body
        self.assertEqual(e["name"], "customers")
        self.assertEqual(e["labels"], {"zh": "客户", "en": "Customers"})
        self.assertEqual(e["title_field"], "name")
        self.assertIs(e["owned"], True)
        fields = {f["name"]: f for f in e["fields"]}
        name = fields["name"]
        self.assertEqual(name["type"], "string")
        self.assertEqual(name["labels"], {"zh": "客户名称", "en": "Name"})
        self.assertIs(name["required"], True)
        self.assertEqual(name["max_length"], 200)
        self.assertIs(name["key"], True)
        self.assertEqual(fields["credit_limit"]["type"], "money")
        self.assertEqual(fields["credit_limit"]["labels"], {"zh": "信用额度", "en": "Credit limit"})
        self.assertEqual(fields["credit_limit"]["min"], 0)
        self.assertEqual(fields["level"]["type"], "enum")
        self.assertEqual([o["value"] for o in fields["level"]["options"]], ["A", "B", "C"])
        self.assertEqual(fields["level"]["options"][0]["labels"], {"zh": "A 重点客户", "en": "A Key account"})
        self.assertEqual(fields["phone"]["type"], "phone")
        self.assertEqual(fields["email"]["type"], "email")
        self.assertEqual(fields["website"]["type"], "url")
        self.assertEqual(fields["next_follow_up"]["type"], "datetime")
        self.assertEqual(fields["code"]["type"], "auto_number")
        self.assertEqual(fields["kind"]["default"], "company")
        for f in e["fields"]:
            self.assertEqual(set(f["labels"]), {"zh", "en"}, f["name"])
            self.assertTrue(f["labels"]["zh"] and f["labels"]["en"], f["name"])

    def test_other_entities(self):
        r = admin().get("meta/entities/contacts")
        fields = {f["name"]: f for f in r.body["fields"]}
        self.assertEqual((fields["customer_id"]["type"], fields["customer_id"]["target"]), ("link", "customers"))
        r = admin().get("meta/entities/activities")
        fields = {f["name"]: f for f in r.body["fields"]}
        self.assertEqual(fields["parent"]["type"], "parent")
        r = admin().get("meta/entities/users")
        fields = {f["name"]: f for f in r.body["fields"]}
        self.assertIs(fields["password"]["write_only"], True)
        self.assertEqual(fields["role_ids"]["type"], "link_multiple")
        self.assertIs(r.body["owned"], False)

    def test_language_follows_the_user(self):
        r = admin().get("meta/entities/customers")
        self.assertEqual(r.body["label"], r.body["labels"][admin().get("auth/me").body.get("lang") or "zh"])

    def test_unknown_entity(self):
        for name in ["nosuch", "Customers", "customer", "customers%20"]:
            r = admin().get(API + "/meta/entities/" + name)
            self.assertEqual(r.status, 404, (name, r))
            self.assertEqual(r.error["code"], "not_found")

    def test_needs_login(self):
        self.assertEqual(request("GET", API + "/meta/entities").status, 401)
        self.assertEqual(request("GET", API + "/meta/entities/customers").status, 401)


class OpenApiAndHealth(unittest.TestCase):
    def test_openapi(self):
        r = request("GET", API + "/openapi.json")  # public: integrators read it before logging in
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers.get("Content-Type").startswith("application/json"))
        self.assertEqual(r.body["openapi"], "3.1.0")

    def test_healthz(self):
        r = request("GET", "/healthz")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, {"status": "ok"})
        r = request("HEAD", "/healthz")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.raw, b"")

    def test_security_headers(self):
        r = admin().get("customers", query={"limit": 1})
        self.assertEqual(r.headers.get("X-Content-Type-Options"), "nosniff")
        self.assertTrue(r.headers.get("Content-Type").startswith("application/json"))


if __name__ == "__main__":
    unittest.main()
