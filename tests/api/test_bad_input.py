"""Bad input: every failed write answers with the documented status and error
fields and leaves the database as it was (issue 2 "Bad input")."""
import http.client
import json
import unittest

from client import API, HOST, PORT, admin, request, uniq


class BadWrites(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = uniq("B")
        cls.rec = admin().create("customers", {"name": cls.p + "-existing", "credit_limit": 100,
                                               "email": "ok@example.com"})
        cls.customer = cls.rec

    def snapshot(self):
        """What a failed write must not change: the records with the prefix."""
        r = admin().list("customers", {"name[like]": self.p, "sort": "id", "limit": 500})
        return r.body["total"], r.body["data"]

    def setUp(self):
        self.before = self.snapshot()

    def tearDown(self):
        self.assertEqual(self.snapshot(), self.before, "a failed request changed the database")

    def create(self, body, status=422, fields=None):
        r = admin().post("customers", body)
        self.assertEqual(r.status, status, (body, r))
        if fields is not None:
            self.assertEqual(set(r.fields), set(fields), (body, r))
        return r

    def update(self, body, status=422, fields=None):
        r = admin().patch("customers/%d" % self.rec["id"], dict(body, version=self.rec["version"]))
        self.assertEqual(r.status, status, (body, r))
        if fields is not None:
            self.assertEqual(set(r.fields), set(fields), (body, r))
        return r

    def name(self):
        return self.p + "-" + uniq("n")

    def test_malformed_json(self):
        for raw in ['{"name": ', "{'name': 'x'}", '{"name": "x",}', "name=x", '{"name": "x"} trailing',
                    '{"name": "x", "name": "y"}', b'{"name": "\xff\xfe"}', '{"name": "a\\u0000b"}']:
            r = admin().post("customers", raw=raw)
            self.assertEqual(r.status, 400, (raw, r))
            self.assertEqual(r.error["code"], "bad_request")
            self.assertIsInstance(r.error["message"], str)
            r = admin().patch("customers/%d" % self.rec["id"], raw=raw)
            self.assertEqual(r.status, 400, (raw, r))

    def test_empty_body(self):
        r = admin().post("customers", raw=b"")
        self.assertEqual(r.status, 400, r)

    def test_body_not_an_object(self):
        for raw in ["[]", '["name"]', '"name"', "42", "null", "true"]:
            r = admin().post("customers", raw=raw)
            self.assertEqual(r.status, 400, (raw, r))
            r = admin().patch("customers/%d" % self.rec["id"], raw=raw)
            self.assertEqual(r.status, 400, (raw, r))

    def test_unknown_field(self):
        r = self.create({"name": self.name(), "colour": "red"}, fields={"colour"})
        self.assertEqual(r.error["code"], "validation_failed")
        self.update({"colour": "red"}, fields={"colour"})
        self.create({"name": self.name(), "password_hash": "x"}, fields={"password_hash"})

    def test_required(self):
        self.create({}, fields={"name"})
        self.create({"name": ""}, fields={"name"})
        self.create({"name": None}, fields={"name"})
        self.update({"name": ""}, fields={"name"})
        self.update({"name": None}, fields={"name"})

    def test_wrong_types(self):
        self.create({"name": self.name(), "credit_limit": "100"}, fields={"credit_limit"})
        self.create({"name": self.name(), "credit_limit": True}, fields={"credit_limit"})
        self.create({"name": 12345}, fields={"name"})
        self.create({"name": ["a"]}, fields={"name"})
        self.create({"name": {"zh": "x"}}, fields={"name"})
        self.create({"name": self.name(), "notes": 5}, fields={"notes"})
        self.create({"name": self.name(), "level": 1}, fields={"level"})
        self.create({"name": self.name(), "address": "上海市"}, fields={"address"})
        self.create({"name": self.name(), "address": {"planet": "Mars"}}, fields={"address"})
        self.update({"credit_limit": "100"}, fields={"credit_limit"})
        self.update({"name": 1}, fields={"name"})

    def test_money_is_an_integer_of_fen(self):
        for bad in [100.5, 100.0, 1e3, "100", "1.00", -1]:
            self.create({"name": self.name(), "credit_limit": bad}, fields={"credit_limit"})
            self.update({"credit_limit": bad}, fields={"credit_limit"})

    def test_too_long(self):
        self.create({"name": "x" * 201}, fields={"name"})
        self.create({"name": "中" * 201}, fields={"name"})
        self.create({"name": self.name(), "region": "区" * 61}, fields={"region"})
        self.create({"name": self.name(), "credit_code": "9" * 19}, fields={"credit_code"})
        self.update({"name": "y" * 201}, fields={"name"})

    def test_single_line_string(self):
        self.create({"name": self.name() + "\nsecond line"}, fields={"name"})

    def test_bad_email(self):
        for bad in ["not-an-email", "a@b", "@example.com", "a@@example.com", "a b@example.com", "a@example..com", "a@.com"]:
            self.create({"name": self.name(), "email": bad}, fields={"email"})
        self.update({"email": "nope"}, fields={"email"})

    def test_bad_phone(self):
        for bad in ["abc", "123", "+86 138 0013 800a", "1" * 21, "++8613800138000", "138-0013-8000 ext"]:
            self.create({"name": self.name(), "phone": bad}, fields={"phone"})
        self.update({"phone": "call me"}, fields={"phone"})

    def test_bad_url(self):
        for bad in ["example.com", "ftp://example.com", "javascript:alert(1)", "http://", "https:///path",
                    "http://exa mple.com"]:
            self.create({"name": self.name(), "website": bad}, fields={"website"})

    def test_bad_datetime(self):
        for bad in ["tomorrow", "2026-11-23", "2026-11-23T25:00:00Z", "2026-13-01T00:00:00Z",
                    "2026-11-23T09:30:00+8", "2026-02-30T00:00:00Z", "2026-11-23T09:30:00Zjunk", 20261123]:
            self.create({"name": self.name(), "next_follow_up": bad}, fields={"next_follow_up"})

    def test_bad_enum(self):
        self.create({"name": self.name(), "level": "D"}, fields={"level"})
        self.create({"name": self.name(), "level": "a"}, fields={"level"})  # values are case-sensitive
        self.create({"name": self.name(), "industry": "贸易"}, fields={"industry"})  # a label, not a value
        self.update({"status": "deleted"}, fields={"status"})

    def test_read_only_system_columns(self):
        self.create({"name": self.name(), "id": 12345}, fields={"id"})
        self.create({"name": self.name(), "version": 7}, fields={"version"})
        self.create({"name": self.name(), "created_at": "2020-01-01T00:00:00Z"}, fields={"created_at"})
        self.update({"created_by": 999}, fields={"created_by"})
        self.update({"deleted_at": "2020-01-01T00:00:00Z"}, fields={"deleted_at"})

    def test_owner_must_be_an_active_user(self):
        self.create({"name": self.name(), "owner_id": 999999999}, fields={"owner_id"})
        self.create({"name": self.name(), "owner_id": "1"}, fields={"owner_id"})

    def test_several_bad_fields_name_each(self):
        r = self.create({"name": "x" * 201, "email": "bad", "phone": "bad", "website": "bad", "level": "Z",
                         "credit_limit": 1.5, "next_follow_up": "bad", "colour": "red"},
                        fields={"name", "email", "phone", "website", "level", "credit_limit", "next_follow_up",
                                "colour"})
        for k, msg in r.fields.items():
            self.assertIsInstance(msg, str, k)
            self.assertTrue(msg, k)
        self.update({"email": "bad", "level": "Z", "colour": 1}, fields={"email", "level", "colour"})

    def test_valid_and_invalid_together_writes_nothing(self):
        self.create({"name": self.name(), "credit_limit": 5, "email": "bad"}, fields={"email"})
        self.update({"name": self.p + "-would-rename", "email": "bad"}, fields={"email"})


class BadLinks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.customer = admin().create("customers", {"name": uniq("link")})

    def count(self, entity, **q):
        return admin().list(entity, q).body["total"]

    def test_link_to_missing_record(self):
        name = uniq("lc")
        for cid in [999999999, 0, -5, "1", 1.5]:
            r = admin().post("contacts", {"name": name, "customer_id": cid})
            self.assertEqual(r.status, 422, (cid, r))
            self.assertEqual(set(r.fields), {"customer_id"})
        self.assertEqual(self.count("contacts", name=name), 0)

    def test_link_to_trashed_record(self):
        cust = admin().create("customers", {"name": uniq("gone")})
        self.assertEqual(admin().delete("customers/%d" % cust["id"]).status, 204)
        name = uniq("lc")
        r = admin().post("contacts", {"name": name, "customer_id": cust["id"]})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"customer_id"})
        self.assertEqual(self.count("contacts", name=name), 0)

    def test_self_referencing_link(self):
        contact = admin().create("contacts", {"name": uniq("lc")})
        name = uniq("lc")
        r = admin().post("contacts", {"name": name, "superior_id": 999999999})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"superior_id"})
        r = admin().post("contacts", {"name": name, "superior_id": contact["id"]})
        self.assertEqual(r.status, 201, r)

    def test_update_link_to_missing_record(self):
        contact = admin().create("contacts", {"name": uniq("lc"), "customer_id": self.customer["id"]})
        r = admin().patch("contacts/%d" % contact["id"], {"customer_id": 999999999, "version": 1})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"customer_id"})
        self.assertEqual(admin().read("contacts", contact["id"]), contact)

    def test_parent_link(self):
        subject = uniq("act")
        cases = [
            ({"parent_type": "customers"}, {"parent_id"}),
            ({"parent_id": self.customer["id"]}, {"parent_type"}),
            ({"parent_type": "customers", "parent_id": 999999999}, {"parent_id"}),
            ({"parent_type": "no_such_entity", "parent_id": self.customer["id"]}, {"parent_type"}),
            ({"parent_type": "customers", "parent_id": "x"}, {"parent_id"}),
            ({"parent_type": 5, "parent_id": self.customer["id"]}, {"parent_type"}),
        ]
        for extra, fields in cases:
            r = admin().post("activities", dict(extra, subject=subject))
            self.assertEqual(r.status, 422, (extra, r))
            self.assertEqual(set(r.fields), fields, extra)
        self.assertEqual(self.count("activities", subject=subject), 0)

    def test_other_types(self):
        name = uniq("lc")
        for extra, field in [({"birthday": "1990-02-30"}, "birthday"), ({"birthday": "1990/01/01"}, "birthday"),
                             ({"birthday": "90-01-01"}, "birthday"), ({"is_primary": "yes"}, "is_primary"),
                             ({"is_primary": 1}, "is_primary"), ({"gender": "other"}, "gender"),
                             ({"mobile": "not a phone"}, "mobile")]:
            r = admin().post("contacts", dict(extra, name=name))
            self.assertEqual(r.status, 422, (extra, r))
            self.assertEqual(set(r.fields), {field}, extra)
        subject = uniq("act")
        for extra, field in [({"duration_min": "30"}, "duration_min"), ({"duration_min": 10081}, "duration_min"),
                             ({"duration_min": -1}, "duration_min"), ({"duration_min": 2.5}, "duration_min"),
                             ({"kind": "fax"}, "kind"), ({"occurred_at": "2026-11-23 9:30"}, "occurred_at")]:
            r = admin().post("activities", dict(extra, subject=subject))
            self.assertEqual(r.status, 422, (extra, r))
            self.assertEqual(set(r.fields), {field}, extra)
        self.assertEqual(self.count("contacts", name=name), 0)
        self.assertEqual(self.count("activities", subject=subject), 0)


class NotFoundAndMethods(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rec = admin().create("customers", {"name": uniq("nf")})

    def test_unknown_entity(self):
        a = admin()
        for method, path in [("GET", "no_such_things"), ("POST", "no_such_things"), ("GET", "no_such_things/1"),
                             ("PATCH", "no_such_things/1"), ("DELETE", "no_such_things/1"),
                             ("GET", "no_such_things/trash"), ("GET", "no_such_things/export"),
                             ("POST", "no_such_things/query"), ("POST", "no_such_things/1/restore"),
                             ("GET", "no_such_things/1/history"), ("GET", "Customers"), ("GET", "customer")]:
            r = a.req(method, path, body={"version": 1} if method in ("POST", "PATCH") else None)
            self.assertEqual(r.status, 404, (method, path, r))
            self.assertEqual(r.error["code"], "not_found")

    def test_unknown_id(self):
        a = admin()
        for rid in ["999999999", "0", "-1", "abc", "1.5", "1e3", "%201", "99999999999999999999999"]:
            for method in ["GET", "PATCH", "DELETE"]:
                r = a.req(method, "customers/" + rid, body={"name": "x", "version": 1} if method == "PATCH" else None)
                self.assertEqual(r.status, 404, (method, rid, r))
            self.assertEqual(a.get("customers/%s/history" % rid).status, 404, rid)
            self.assertEqual(a.post("customers/%s/restore" % rid).status, 404, rid)
            self.assertEqual(a.post("customers/%s/purge" % rid).status, 404, rid)

    def test_malformed_path_is_400(self):
        for path in ["/api/v1/customers/%00", "/api/v1/customers/%zz", "/api/v1/%ff%fe", "/api/v1/customers/../users",
                     "/api/v1/customers/%2e%2e"]:
            r = admin().get(path)
            self.assertEqual(r.status, 400, (path, r))
            self.assertEqual(r.error["code"], "bad_request")
        self.assertEqual(request("GET", "/healthz").status, 200)

    def test_unknown_path(self):
        for path in ["/api/v1", "/api/v2/customers", "/api/v1/customers/1/history/extra", "/nope"]:
            r = admin().get(path)
            self.assertEqual(r.status, 404, (path, r))

    def test_wrong_method_is_405(self):
        rid = self.rec["id"]
        cases = [
            ("PUT", "/api/v1/customers/%d" % rid, {"GET", "HEAD", "PATCH", "DELETE"}),
            ("POST", "/api/v1/customers/%d" % rid, {"GET", "HEAD", "PATCH", "DELETE"}),
            ("DELETE", "/api/v1/customers", {"GET", "HEAD", "POST"}),
            ("PATCH", "/api/v1/customers", {"GET", "HEAD", "POST"}),
            ("PUT", "/api/v1/customers", {"GET", "HEAD", "POST"}),
            ("GET", "/api/v1/customers/%d/restore" % rid, {"POST"}),
            ("POST", "/healthz", {"GET", "HEAD"}),
        ]
        for method, path, allow in cases:
            r = admin().req(method, path, body={} if method in ("POST", "PUT", "PATCH") else None)
            self.assertEqual(r.status, 405, (method, path, r))
            if path.startswith("/api/"):
                self.assertEqual(r.error["code"], "method_not_allowed")
            got = {m.strip() for m in (r.headers.get("Allow") or "").split(",") if m.strip()}
            self.assertEqual(got, allow, (method, path))
        self.assertEqual(admin().read("customers", rid), self.rec)

    def test_wrong_method_on_fixed_api_paths_is_405(self):
        # The router prefers the most specific pattern: GET /api/v1/auth/login
        # is 405 (Allow: POST), not GET /api/v1/{entity}/{id}.
        for method, path in [("GET", "/api/v1/auth/login"), ("GET", "/api/v1/auth/logout"),
                             ("DELETE", "/api/v1/auth/me"), ("GET", "/api/v1/customers/query")]:
            r = admin().req(method, path)
            self.assertEqual(r.status, 405, (method, path, r))


class BodyLimit(unittest.TestCase):
    def count(self, name):
        return admin().list("customers", {"name": name}).body["total"]

    def test_body_over_1_mib_is_413(self):
        name = uniq("big")
        body = json.dumps({"name": name, "notes": "x" * (1024 * 1024)}).encode()
        self.assertGreater(len(body), 1024 * 1024)
        r = admin().post("customers", raw=body)
        self.assertEqual(r.status, 413, r)
        self.assertEqual(r.error["code"], "payload_too_large")
        self.assertEqual(self.count(name), 0)

    def test_body_of_exactly_1_mib_is_accepted(self):
        name = uniq("big")
        head = json.dumps({"name": name}).encode()[:-1]
        body = head + b" " * (1024 * 1024 - len(head) - 1) + b"}"  # JSON padded with whitespace
        self.assertEqual(len(body), 1024 * 1024)
        r = admin().post("customers", raw=body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["name"], name)
        self.assertEqual(self.count(name), 1)
        name = uniq("big")
        head = json.dumps({"name": name}).encode()[:-1]
        body = head + b" " * (1024 * 1024 - len(head)) + b"}"  # one byte more
        r = admin().post("customers", raw=body)
        self.assertEqual(r.status, 413, r)
        self.assertEqual(self.count(name), 0)

    def test_huge_declared_length_is_413_early(self):
        conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
        try:
            conn.putrequest("POST", API + "/customers")
            conn.putheader("Authorization", "Bearer " + admin().token)
            conn.putheader("Content-Type", "application/json")
            conn.putheader("Content-Length", str(64 * 1024 * 1024))
            conn.putheader("Expect", "100-continue")
            conn.endheaders()
            r = conn.getresponse()
            self.assertEqual(r.status, 413)
            r.read()
        finally:
            conn.close()

    def test_server_still_healthy(self):
        self.assertEqual(request("GET", "/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()
