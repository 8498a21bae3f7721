"""Values come back exactly as sent: quotes, %, _, backslashes, Chinese,
emoji, markup; literal % and _ in like filters and search; datetimes in UTC;
money as integer fen (SPEC "API conventions" Values, issue 2 "Bad input")."""
import unittest

from client import admin, uniq

NASTY = [
    'O\'Brien "the" `quoted`',
    "100% pure_cotton",
    "back\\slash \\\\ double \\n not a newline",
    "中文名称：北京贸易有限公司（总部）",
    "emoji 😀🎉👨‍👩‍👧 flags 🇨🇳",
    "<script>alert('x')</script> & <b>bold</b> &amp;",
    "Robert'); DROP TABLE customers;--",
    "%_%_\\%\\_[abc]^$.*+?{}|()",
    "tab\there  two  spaces ",
    " leading and trailing ",
    "ﾊﾝｶｸ ｶﾀｶﾅ Ｆｕｌｌｗｉｄｔｈ ｅ́ combining",
    "\u200b zero width \u2028 line sep \ufeff bom",
]


class RoundTrip(unittest.TestCase):
    def test_names_and_notes_byte_for_byte(self):
        p = uniq("R")
        for i, text in enumerate(NASTY):
            name = "%s-%02d %s" % (p, i, text)
            notes = "multi\nline\r\nnotes: " + text + "\n"
            r = admin().post("customers", {"name": name, "notes": notes, "tags": text[:200]})
            self.assertEqual(r.status, 201, (text, r))
            rec = r.body
            self.assertEqual(rec["name"], name)
            self.assertEqual(rec["notes"], notes)
            self.assertEqual(rec["tags"], text[:200])
            got = admin().read("customers", rec["id"])
            self.assertEqual((got["name"], got["notes"], got["tags"]), (name, notes, text[:200]))
            # Found by exact filter and in the list, unchanged.
            lst = admin().list("customers", {"name": name})
            self.assertEqual(lst.ids, [rec["id"]], text)
            self.assertEqual(lst.body["data"][0]["notes"], notes)
            # Unchanged through an update of another field.
            up = admin().patch("customers/%d" % rec["id"], {"level": "B", "version": 1})
            self.assertEqual(up.status, 200, up)
            self.assertEqual((up.body["name"], up.body["notes"]), (name, notes))
            # The raw JSON carries the characters (not mangled) and decodes to the same text.
            self.assertIn(b'"name":', r.raw)

    def test_contacts_and_activities(self):
        cust = admin().create("customers", {"name": uniq("R") + NASTY[5]})
        for text in NASTY:
            c = admin().create("contacts", {"name": text[:100].strip() or "x", "customer_id": cust["id"],
                                            "notes": text, "wechat": text[:64]})
            self.assertEqual(admin().read("contacts", c["id"])["notes"], text)
            self.assertEqual(admin().read("contacts", c["id"])["wechat"], text[:64])
            a = admin().create("activities", {"subject": text[:200], "body": text, "parent_type": "customers",
                                              "parent_id": cust["id"]})
            self.assertEqual(admin().read("activities", a["id"])["body"], text)
            self.assertEqual(admin().read("activities", a["id"])["subject"], text[:200])

    def test_audit_diff_keeps_text(self):
        name = uniq("R") + " " + NASTY[2] + NASTY[4]
        rec = admin().create("customers", {"name": name})
        r = admin().get("audit", query={"entity": "customers", "record_id": rec["id"]})
        self.assertEqual(r.body["data"][0]["diff"]["name"], [None, name])
        new = name + " ✓"
        admin().patch("customers/%d" % rec["id"], {"name": new, "version": 1})
        h = admin().get("customers/%d/history" % rec["id"]).body["data"]
        self.assertEqual((h[0]["old"], h[0]["new"]), (name, new))

    def test_max_length_counts_characters(self):
        p = uniq("L")
        name = p + "中" * (200 - len(p))
        r = admin().post("customers", {"name": name})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["name"], name)
        name = p + "😀" * (200 - len(p))
        r = admin().post("customers", {"name": name})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["name"], name)
        r = admin().post("customers", {"name": name + "😀"})
        self.assertEqual(r.status, 422, r)


class LiteralLike(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = uniq("K")
        while "100" in cls.p:  # like "100" below must match only the suffixes
            cls.p = uniq("K")
        cls.recs = {}
        for key, suffix in [("pct", "100%"), ("und", "a_b"), ("plain", "ab"), ("x", "100x"), ("bs", "a\\b"),
                            ("quote", "it's"), ("star", "a*b")]:
            cls.recs[key] = admin().create("customers", {"name": "%s %s" % (cls.p, suffix)})

    def like(self, value):
        r = admin().get("customers", query=[("name[like]", self.p), ("name[like]", value)])
        self.assertEqual(r.status, 200, r)
        return set(r.ids)

    def ids(self, *keys):
        return {self.recs[k]["id"] for k in keys}

    def test_percent_is_literal(self):
        self.assertEqual(self.like("%"), self.ids("pct"))
        self.assertEqual(self.like("0%"), self.ids("pct"))

    def test_underscore_is_literal(self):
        self.assertEqual(self.like("_"), self.ids("und"))
        self.assertEqual(self.like("a_b"), self.ids("und"))

    def test_backslash_quote_star_are_literal(self):
        self.assertEqual(self.like("\\"), self.ids("bs"))
        self.assertEqual(self.like("a\\b"), self.ids("bs"))
        self.assertEqual(self.like("'"), self.ids("quote"))
        self.assertEqual(self.like("*"), self.ids("star"))

    def test_plain_like(self):
        self.assertEqual(self.like("ab"), self.ids("plain"))
        self.assertEqual(self.like("100"), self.ids("pct", "x"))

    def test_query_like(self):
        r = admin().post("customers/query", {"where": {"and": [
            {"field": "name", "op": "like", "value": self.p},
            {"field": "name", "op": "like", "value": "%"}]}})
        self.assertEqual(set(r.ids), self.ids("pct"))

    def test_search_with_metacharacters(self):
        def q(text):
            r = admin().get("customers", query={"name[like]": self.p, "q": text})
            self.assertEqual(r.status, 200, (text, r))
            return set(r.ids)

        self.assertEqual(q("%"), self.ids("pct"))
        self.assertEqual(q("_"), self.ids("und"))
        self.assertEqual(q("100%"), self.ids("pct"))
        self.assertEqual(q("a_b"), self.ids("und"))
        self.assertEqual(q("a\\b"), self.ids("bs"))
        self.assertEqual(q("it's"), self.ids("quote"))
        self.assertEqual(q('"'), set())
        self.assertEqual(q('a"b'), set())
        self.assertEqual(q("a*b"), self.ids("star"))
        self.assertEqual(q("NEAR("), set())

    def test_exact_filter_with_metacharacters(self):
        r = admin().get("customers", query={"name": "%s 100%%" % self.p})
        self.assertEqual(set(r.ids), self.ids("pct"))
        r = admin().get("customers", query={"name": "%s a_b" % self.p})
        self.assertEqual(set(r.ids), self.ids("und"))
        r = admin().get("customers", query={"name[in]": "%s a_b,%s ab" % (self.p, self.p)})
        self.assertEqual(set(r.ids), self.ids("und", "plain"))


class DatetimesAndMoney(unittest.TestCase):
    def test_datetime_offsets_are_returned_in_utc(self):
        cust = admin().create("customers", {"name": uniq("D"), "next_follow_up": "2026-11-23T22:00:00-05:00"})
        self.assertEqual(cust["next_follow_up"], "2026-11-24T03:00:00Z")
        cases = {
            "2026-11-23T09:30:00+08:00": "2026-11-23T01:30:00Z",
            "2026-11-23T01:30:00Z": "2026-11-23T01:30:00Z",
            "2026-11-23T01:30:00z": "2026-11-23T01:30:00Z",
            "2026-11-23T06:00:00+05:30": "2026-11-23T00:30:00Z",
            "2026-01-01T07:59:59+08:00": "2025-12-31T23:59:59Z",
            "2024-02-29T12:00:00+00:00": "2024-02-29T12:00:00Z",
        }
        for given, want in cases.items():
            a = admin().post("activities", {"subject": uniq("dt"), "occurred_at": given,
                                             "parent_type": "customers", "parent_id": cust["id"]})
            self.assertEqual(a.status, 201, (given, a))
            self.assertEqual(a.body["occurred_at"], want, given)
            self.assertEqual(admin().read("activities", a.body["id"])["occurred_at"], want)
            lst = admin().list("activities", {"id": a.body["id"], "occurred_at": given})
            self.assertEqual(lst.ids, [a.body["id"]], given)

    def test_update_datetime(self):
        a = admin().create("activities", {"subject": uniq("dt"), "occurred_at": "2026-11-23T09:30:00+08:00"})
        up = admin().patch("activities/%d" % a["id"], {"next_at": "2026-12-01T18:00:00+08:00", "version": 1})
        self.assertEqual(up.status, 200, up)
        self.assertEqual((up.body["occurred_at"], up.body["next_at"]), ("2026-11-23T01:30:00Z", "2026-12-01T10:00:00Z"))
        up = admin().patch("activities/%d" % a["id"], {"next_at": None, "version": 2})
        self.assertEqual(up.status, 200, up)
        self.assertIsNone(up.body["next_at"])

    def test_dates_stay_dates(self):
        c = admin().create("contacts", {"name": uniq("d"), "birthday": "1990-01-31"})
        self.assertEqual(c["birthday"], "1990-01-31")
        self.assertEqual(admin().read("contacts", c["id"])["birthday"], "1990-01-31")

    def test_money_is_integer_fen(self):
        for amount in [0, 1, 99, 100, 123456789, 900719925474099, 9007199254740993]:
            r = admin().post("customers", {"name": uniq("M"), "credit_limit": amount})
            self.assertEqual(r.status, 201, (amount, r))
            self.assertEqual(r.body["credit_limit"], amount)
            self.assertIsInstance(r.body["credit_limit"], int)
            self.assertIn(('"credit_limit":%d' % amount).encode(), r.raw)  # no decimal point, no exponent
            got = admin().read("customers", r.body["id"])
            self.assertEqual(got["credit_limit"], amount)
            lst = admin().list("customers", {"id": r.body["id"], "credit_limit": str(amount)})
            self.assertEqual(lst.ids, [r.body["id"]])

    def test_money_cleared_with_null(self):
        c = admin().create("customers", {"name": uniq("M"), "credit_limit": 500})
        up = admin().patch("customers/%d" % c["id"], {"credit_limit": None, "version": 1})
        self.assertEqual(up.status, 200, up)
        self.assertIsNone(up.body["credit_limit"])

    def test_booleans(self):
        c = admin().create("contacts", {"name": uniq("b"), "is_primary": True})
        self.assertIs(c["is_primary"], True)
        self.assertIs(c["personal"], False)  # default
        lst = admin().list("contacts", {"id": c["id"], "is_primary": "true"})
        self.assertEqual(lst.ids, [c["id"]])
        lst = admin().list("contacts", {"id": c["id"], "is_primary": "false"})
        self.assertEqual(lst.ids, [])


if __name__ == "__main__":
    unittest.main()
