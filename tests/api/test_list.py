"""Lists: limit/offset/sort, filters field=value and field[op]=value, nested
AND/OR queries, text search (Chinese 2- and 3+-character, phone digits) and
CSV export (SPEC "API conventions", issue 2 "Record engine")."""
import csv
import io
import random
import unittest

from client import USER_PASSWORD, admin, expected_failure_on, uniq


def names_of(resp):
    return [r["name"] for r in resp.body["data"]]


class Filters(unittest.TestCase):
    """Five customers sharing a unique prefix; every query is restricted to
    the prefix so the expected sets are exact."""

    @classmethod
    def setUpClass(cls):
        cls.p = uniq("F")
        rows = [
            ("alpha", {"level": "A", "credit_limit": 100, "tags": "north", "next_follow_up": "2026-01-01T08:00:00+08:00"}),
            ("bravo", {"level": "B", "credit_limit": 200, "tags": "south", "next_follow_up": "2026-02-01T00:00:00Z"}),
            ("charlie", {"level": "C", "credit_limit": 300, "tags": "north"}),
            ("delta", {"level": "A", "credit_limit": 400, "tags": "east"}),
            ("echo", {}),
        ]
        cls.r = {}
        for suffix, vals in rows:
            cls.r[suffix] = admin().create("customers", dict(vals, name=cls.p + "-" + suffix))

    def ids(self, *names):
        return {self.r[n]["id"] for n in names}

    def check(self, expected, query):
        r = admin().get("customers", query=[("name[like]", self.p)] + query)
        self.assertEqual(r.status, 200, (query, r))
        self.assertEqual(set(r.ids), self.ids(*expected), query)
        self.assertEqual(r.body["total"], len(expected), query)

    def test_eq(self):
        self.check(["alpha", "delta"], [("level", "A")])
        self.check(["alpha", "delta"], [("level[eq]", "A")])
        self.check(["bravo"], [("name", self.p + "-bravo")])
        self.check(["charlie"], [("credit_limit", "300")])
        self.check(["charlie"], [("id", str(self.r["charlie"]["id"]))])
        self.check([], [("level", "nope")])

    def test_ne(self):
        # SQL semantics: a missing value (echo) is neither equal nor unequal to A.
        self.check(["bravo", "charlie"], [("level[ne]", "A")])

    def test_ordering_ops(self):
        self.check(["alpha"], [("credit_limit[lt]", "200")])
        self.check(["alpha", "bravo"], [("credit_limit[le]", "200")])
        self.check(["delta"], [("credit_limit[gt]", "300")])
        self.check(["charlie", "delta"], [("credit_limit[ge]", "300")])
        self.check(["bravo", "charlie"], [("credit_limit[ge]", "150"), ("credit_limit[le]", "350")])

    def test_datetime_ops_with_offsets(self):
        # alpha: 2026-01-01T00:00:00Z, bravo: 2026-02-01T00:00:00Z
        self.check(["alpha"], [("next_follow_up[lt]", "2026-01-01T08:00:01+08:00")])
        self.check(["alpha"], [("next_follow_up[le]", "2026-01-01T00:00:00Z")])
        self.check(["bravo"], [("next_follow_up[gt]", "2026-01-01T00:00:00Z")])
        self.check(["alpha", "bravo"], [("next_follow_up[ge]", "2025-12-31T19:00:00-05:00")])
        self.check(["alpha"], [("next_follow_up", "2025-12-31T16:00:00-08:00")])

    def test_like(self):
        self.check(["charlie"], [("name[like]", "arli")])
        self.check(["charlie"], [("name[like]", "ARLI")])  # case-insensitive
        self.check(["alpha", "charlie", "delta"], [("name[like]", "a"), ("name[like]", "l")])
        self.check(["alpha", "charlie"], [("tags[like]", "ort")])

    def test_in(self):
        self.check(["bravo", "charlie"], [("level[in]", "B,C")])
        self.check(["alpha", "bravo", "delta"], [("level[in]", "A,B")])
        self.check(["alpha", "delta"], [("credit_limit[in]", "100,400,999")])

    def test_null(self):
        self.check(["echo"], [("level[null]", "true")])
        self.check(["alpha", "bravo", "charlie", "delta"], [("level[null]", "false")])
        self.check(["charlie", "delta", "echo"], [("next_follow_up[null]", "true")])

    def test_filter_errors_are_400(self):
        for query in [[("nosuch", "1")], [("nosuch[eq]", "1")], [("name[regex]", "x")], [("name[]", "x")],
                      [("name[eq", "x")], [("credit_limit[lt]", "abc")], [("credit_limit", "1.5")],
                      [("next_follow_up[lt]", "tomorrow")], [("level[null]", "maybe")], [("password", "x")],
                      [("deleted_at[null]", "false")]]:
            r = admin().get("customers", query=query)
            self.assertEqual(r.status, 400, (query, r))
            self.assertEqual(r.error["code"], "bad_request", query)

    def test_sort(self):
        r = admin().get("customers", query={"name[like]": self.p, "sort": "name"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(names_of(r), [self.p + "-" + s for s in ["alpha", "bravo", "charlie", "delta", "echo"]])
        r = admin().get("customers", query={"name[like]": self.p, "sort": "-name"})
        self.assertEqual(names_of(r), [self.p + "-" + s for s in ["echo", "delta", "charlie", "bravo", "alpha"]])
        created = [self.r[s]["id"] for s in ["alpha", "bravo", "charlie", "delta", "echo"]]
        r = admin().get("customers", query={"name[like]": self.p, "sort": "-created_at"})
        self.assertEqual(r.ids, created[::-1])
        r = admin().get("customers", query={"name[like]": self.p, "sort": "created_at"})
        self.assertEqual(r.ids, created)
        r = admin().get("customers", query={"name[like]": self.p, "level[null]": "false", "sort": "level,-credit_limit"})
        self.assertEqual(r.ids, [self.r[s]["id"] for s in ["delta", "alpha", "bravo", "charlie"]])

    def test_empty_values_sort_last_on_both_backends(self):
        # Blanks sort last on both backends (filter.c: NULLS LAST for optional fields).
        r = admin().get("customers", query={"name[like]": self.p, "sort": "level"})
        self.assertEqual(r.ids, [self.r[s]["id"] for s in ["alpha", "delta", "bravo", "charlie", "echo"]])

    def test_sort_errors_are_400(self):
        for sort in ["nosuch", "-nosuch", "notes", "password", "name,code,kind,level,status", "+", ","]:
            r = admin().get("customers", query={"sort": sort})
            self.assertEqual(r.status, 400, (sort, r))

    def test_query_nested(self):
        def query(where, **kw):
            body = dict(kw, where={"and": [{"field": "name", "op": "like", "value": self.p}, where]})
            return admin().post("customers/query", body)

        r = query({"or": [{"field": "level", "op": "eq", "value": "A"},
                          {"field": "credit_limit", "op": "ge", "value": 300}]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.ids), self.ids("alpha", "charlie", "delta"))
        self.assertEqual(r.body["total"], 3)
        r = query({"or": [{"and": [{"field": "level", "op": "eq", "value": "A"},
                                   {"field": "credit_limit", "op": "lt", "value": 200}]},
                          {"field": "level", "op": "null", "value": True}]})
        self.assertEqual(set(r.ids), self.ids("alpha", "echo"))
        r = query({"and": [{"field": "tags", "op": "in", "value": ["north", "east"]},
                           {"or": [{"field": "level", "op": "ne", "value": "C"},
                                   {"field": "credit_limit", "op": "gt", "value": 1000}]}]},
                  sort="-credit_limit")
        self.assertEqual(r.ids, [self.r["delta"]["id"], self.r["alpha"]["id"]])
        r = query({"field": "level", "op": "in", "value": ["A", "B", "C"]}, sort="name", limit=2, offset=1)
        self.assertEqual(r.ids, [self.r["bravo"]["id"], self.r["charlie"]["id"]])
        self.assertEqual(r.body["total"], 4)
        r = query({"or": []})
        self.assertEqual((r.ids, r.body["total"]), ([], 0))
        r = admin().post("customers/query", {"where": {"field": "name", "op": "like", "value": self.p},
                                             "q": "charlie"})
        self.assertEqual(r.ids, [self.r["charlie"]["id"]])

    def test_query_errors_are_400(self):
        bad = [
            {"where": {"field": "nosuch", "op": "eq", "value": 1}},
            {"where": {"field": "name", "op": "regex", "value": "x"}},
            {"where": {"and": {"field": "name"}}},
            {"where": {"and": [], "or": []}},
            {"where": {"field": "name", "op": "eq", "value": "x", "extra": 1}},
            {"where": {"field": "credit_limit", "op": "eq", "value": "abc"}},
            {"where": {"field": "level", "op": "in", "value": []}},
            {"where": {"field": "name", "op": "eq", "value": ["a"]}},
            {"where": [1]},
            {"where": {"and": [{"or": [{"and": [{"or": [{"and": [{"or": [{"and": [{"or": [{"and": [
                {"field": "name", "op": "eq", "value": "x"}]}]}]}]}]}]}]}]}]}},
            {"sort": "nosuch"},
            {"limit": 501},
            {"limit": 0},
            {"offset": -1},
            {"bogus": 1},
        ]
        for body in bad:
            r = admin().post("customers/query", body)
            self.assertEqual(r.status, 400, (body, r))
        r = admin().post("customers/query", raw="{not json")
        self.assertEqual(r.status, 400, r)


class Paging(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = uniq("P")
        suffixes = ["%03d" % i for i in range(55)]
        random.Random(7).shuffle(suffixes)
        cls.recs = [admin().create("customers", {"name": "%s-%s" % (cls.p, s)}) for s in suffixes]
        cls.by_name = sorted(cls.recs, key=lambda r: r["name"])

    def test_default_limit_is_50(self):
        r = admin().get("customers", query={"name[like]": self.p})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.body["data"]), 50)
        self.assertEqual(r.body["total"], 55)
        self.assertEqual(r.body["limit"], 50)
        # default order: most recently updated first
        self.assertEqual(r.ids, [x["id"] for x in self.recs[::-1][:50]])

    def test_limit_and_offset(self):
        r = admin().get("customers", query={"name[like]": self.p, "sort": "name", "limit": 10, "offset": 20})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.ids, [x["id"] for x in self.by_name[20:30]])
        self.assertEqual((r.body["total"], r.body["limit"], r.body["offset"]), (55, 10, 20))
        r = admin().get("customers", query={"name[like]": self.p, "sort": "name", "limit": 10, "offset": 50})
        self.assertEqual(r.ids, [x["id"] for x in self.by_name[50:]])
        self.assertEqual(r.body["total"], 55)
        r = admin().get("customers", query={"name[like]": self.p, "sort": "name", "offset": 100})
        self.assertEqual((r.ids, r.body["total"]), ([], 55))
        r = admin().get("customers", query={"name[like]": self.p, "sort": "-name", "limit": 500})
        self.assertEqual(r.ids, [x["id"] for x in self.by_name[::-1]])
        r = admin().get("customers", query={"name[like]": self.p, "limit": 1})
        self.assertEqual((len(r.ids), r.body["total"]), (1, 55))

    def test_pages_cover_everything_once(self):
        seen = []
        for off in range(0, 60, 7):
            r = admin().get("customers", query={"name[like]": self.p, "sort": "-created_at", "limit": 7, "offset": off})
            seen += r.ids
        self.assertEqual(seen, [x["id"] for x in self.recs[::-1]])

    def test_bad_limit_and_offset(self):
        for q in [{"limit": "501"}, {"limit": "0"}, {"limit": "-1"}, {"limit": "ten"}, {"limit": ""},
                  {"offset": "-1"}, {"offset": "x"}, {"limit": "1e2"}]:
            r = admin().get("customers", query=q)
            self.assertEqual(r.status, 400, (q, r))
            self.assertEqual(r.error["code"], "bad_request")
        self.assertEqual(admin().get("customers", query={"limit": "500"}).status, 200)


class Search(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = uniq("S")
        digits = "".join(random.choice("0123456789") for _ in range(8))
        cls.digits = digits
        cls.trade = admin().create("customers", {"name": cls.p + "华东贸易有限公司", "phone": "+86 139-%s-%s" % (digits[:4], digits[4:])})
        cls.tech = admin().create("customers", {"name": cls.p + "深圳科技有限公司", "notes": "主营电子贸易与物流"})
        cls.shop = admin().create("customers", {"name": cls.p + "Corner Shop", "email": "orders@%s.example.com" % cls.p.lower()})
        cls.trade_contact = admin().create("contacts", {"name": cls.p + "王经理", "mobile": "139" + digits,
                                                         "customer_id": cls.trade["id"]})

    def search(self, q, entity="customers", **more):
        r = admin().get(entity, query=dict(more, q=q, **{"name[like]": self.p}))
        self.assertEqual(r.status, 200, (q, r))
        return r

    def test_two_chinese_characters(self):
        r = self.search("贸易")  # name of one, notes of another
        self.assertEqual(set(r.ids), {self.trade["id"], self.tech["id"]})
        self.assertEqual(r.body["total"], 2)
        self.assertEqual(self.search("华东").ids, [self.trade["id"]])
        self.assertEqual(self.search("物流").ids, [self.tech["id"]])

    def test_three_or_more_characters(self):
        self.assertEqual(self.search("华东贸易").ids, [self.trade["id"]])
        self.assertEqual(self.search("科技有限").ids, [self.tech["id"]])
        self.assertEqual(set(self.search("有限公司").ids), {self.trade["id"], self.tech["id"]})
        self.assertEqual(self.search("电子贸易").ids, [self.tech["id"]])
        self.assertEqual(self.search("corner").ids, [self.shop["id"]])  # case-insensitive
        self.assertEqual(self.search("orner Sh").ids, [self.shop["id"]])
        self.assertEqual(self.search("不存在的").ids, [])

    def test_one_character(self):
        self.assertEqual(set(self.search("司").ids), {self.trade["id"], self.tech["id"]})

    def test_phone_digits(self):
        r = self.search(self.digits[2:8])
        self.assertEqual(r.ids, [self.trade["id"]])
        r = self.search(self.digits)
        self.assertEqual(r.ids, [self.trade["id"]])
        r = admin().get("contacts", query={"q": "139" + self.digits})
        self.assertEqual(r.ids, [self.trade_contact["id"]])
        r = admin().get("contacts", query={"q": self.digits[1:]})
        self.assertEqual(r.ids, [self.trade_contact["id"]])

    def test_email_and_code(self):
        self.assertEqual(self.search("orders@").ids, [self.shop["id"]])
        self.assertEqual(admin().get("customers", query={"q": self.trade["code"]}).ids, [self.trade["id"]])

    def test_search_with_sort_and_filters(self):
        r = self.search("有限", sort="-name")
        self.assertEqual(r.ids, [self.tech["id"], self.trade["id"]])  # 深 (U+6DF1) after 华 (U+534E)
        r = self.search("有限", **{"notes[null]": "true"})
        self.assertEqual(r.ids, [self.trade["id"]])

    def test_index_follows_changes(self):
        p = uniq("S")
        rec = admin().create("customers", {"name": p + "旧名称甲乙"})
        self.assertEqual(admin().get("customers", query={"q": p + "旧名称"}).ids, [rec["id"]])
        up = admin().patch("customers/%d" % rec["id"], {"name": p + "新名称丙丁", "version": 1})
        self.assertEqual(up.status, 200, up)
        self.assertEqual(admin().get("customers", query={"q": p + "旧名称"}).ids, [])
        self.assertEqual(admin().get("customers", query={"q": "新名称丙丁"}).ids, [rec["id"]])
        self.assertEqual(admin().get("customers", query={"q": "丙丁", "name[like]": p}).ids, [rec["id"]])
        self.assertEqual(admin().delete("customers/%d" % rec["id"]).status, 204)
        self.assertEqual(admin().get("customers", query={"q": "新名称丙丁"}).ids, [])
        self.assertEqual(admin().get("customers/trash", query={"q": "新名称丙丁"}).ids, [rec["id"]])
        self.assertEqual(admin().post("customers/%d/restore" % rec["id"]).status, 200)
        self.assertEqual(admin().get("customers", query={"q": "新名称丙丁"}).ids, [rec["id"]])
        self.assertEqual(admin().delete("customers/%d" % rec["id"]).status, 204)
        self.assertEqual(admin().post("customers/%d/purge" % rec["id"]).status, 204)
        self.assertEqual(admin().get("customers/trash", query={"q": "新名称丙丁"}).ids, [])

    def test_invalid_utf8_is_400(self):
        r = admin().get("/api/v1/customers?q=%ff%fe")
        self.assertEqual(r.status, 400, r)
        r = admin().get("/api/v1/customers?name=%c3")
        self.assertEqual(r.status, 400, r)

    def test_too_long_search_is_400(self):
        r = admin().get("customers", query={"q": "字" * 101})
        self.assertEqual(r.status, 400, r)

    def test_global_search(self):
        r = admin().get("search", query={"q": self.p + "华东"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([(x["entity"], x["id"]) for x in r.body["data"]], [("customers", self.trade["id"])])
        r = admin().get("search", query={"q": self.digits})
        self.assertEqual([(x["entity"], x["id"]) for x in r.body["data"]],
                         [("customers", self.trade["id"]), ("contacts", self.trade_contact["id"])])
        self.assertEqual(admin().get("search").status, 400)

    def test_notes_are_in_global_search_and_follow_changes(self):
        # Since migration 6 the global-search rows of customers, contacts and
        # leads hold their notes too (on SQLite they answer the list's search).
        r = admin().get("search", query={"q": "主营电子贸易"})
        self.assertEqual(r.status, 200, r)
        hits = [x for x in r.body["data"] if (x["entity"], x["id"]) == ("customers", self.tech["id"])]
        self.assertEqual(len(hits), 1, r.body)
        self.assertNotIn("物流", hits[0]["subtitle"])  # notes are found, not shown
        p = uniq("N")
        rec = admin().create("customers", {"name": p + "甲", "notes": "首批备注文本"})
        mine = {"name[like]": p}
        self.assertEqual(admin().get("customers", query=dict(mine, q="备注文")).ids, [rec["id"]])
        self.assertEqual(admin().get("customers", query=dict(mine, q="备注")).ids, [rec["id"]])
        up = admin().patch("customers/%d" % rec["id"], {"notes": "第二版说明", "version": 1})
        self.assertEqual(up.status, 200, up)
        self.assertEqual(admin().get("customers", query=dict(mine, q="备注文")).ids, [])
        self.assertEqual(admin().get("customers", query=dict(mine, q="备注")).ids, [])
        self.assertEqual(admin().get("customers", query=dict(mine, q="二版说")).ids, [rec["id"]])
        self.assertEqual(admin().get("customers", query=dict(mine, q="说明")).ids, [rec["id"]])
        self.assertEqual([x["id"] for x in admin().get("search", query={"q": p + "甲"}).body["data"]], [rec["id"]])


class Export(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = uniq("X")
        cls.a = admin().create("customers", {"name": cls.p + " 甲, \"引号\"", "credit_limit": 123456, "level": "A",
                                             "notes": "line1\nline2", "next_follow_up": "2026-11-23T01:30:00Z"})
        cls.b = admin().create("customers", {"name": cls.p + " 乙", "level": "B", "credit_limit": 5})
        cls.meta = admin().get("meta/entities/customers").body
        cls.cols = [f for f in cls.meta["fields"] if f["type"] not in ("parent", "json") and not f.get("write_only")]

    def parse(self, r):
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("Content-Type"), "text/csv; charset=utf-8")
        self.assertEqual(r.headers.get("Content-Disposition"), 'attachment; filename="customers.csv"')
        self.assertTrue(r.raw.startswith(b"\xef\xbb\xbf"), r.raw[:10])
        self.assertTrue(r.raw.endswith(b"\r\n"))
        text = r.raw[3:].decode("utf-8")
        return list(csv.reader(io.StringIO(text, newline="")))

    def test_csv(self):
        r = admin().get("customers/export", query={"format": "csv", "name[like]": self.p, "sort": "id"})
        rows = self.parse(r)
        # Header: ID and the label of every exported field, in the user's language (zh by default).
        self.assertEqual(rows[0], ["ID"] + [f["labels"]["zh"] for f in self.cols])
        self.assertEqual(len(rows), 3)
        col = {f["name"]: i + 1 for i, f in enumerate(self.cols)}
        self.assertEqual([row[0] for row in rows[1:]], [str(self.a["id"]), str(self.b["id"])])
        a, b = rows[1], rows[2]
        # Values as people read them: yuan, enum labels, Beijing time; text verbatim.
        self.assertEqual(a[col["name"]], self.a["name"])
        self.assertEqual(a[col["code"]], self.a["code"])
        self.assertEqual(a[col["credit_limit"]], "1234.56")
        self.assertEqual(b[col["credit_limit"]], "0.05")
        self.assertEqual(a[col["level"]], "A 重点客户")
        self.assertEqual(a[col["notes"]], "line1\nline2")
        self.assertEqual(a[col["next_follow_up"]], "2026-11-23 09:30:00")
        self.assertEqual(b[col["notes"]], "")
        self.assertEqual(b[col["next_follow_up"]], "")

    def test_rows_in_the_lists_order_for_every_sort(self):
        # An export of all its matches reads them by the filter's index and
        # sorts them (SQLite: the ORDER BY's terms behind a unary +): the
        # order stays the list's, blanks last, ties by id.
        p = uniq("XO")
        made = [admin().create("customers", {"name": p + n, "level": lv, "credit_limit": cl})
                for n, lv, cl in [("丙", "B", 5), ("甲", "", 9), ("乙", "A", 5), ("丁", "B", 0)]]
        for sort in [None, "name", "-name", "level", "-level,id", "credit_limit,-id", "-id"]:
            q = {"name[like]": p, "limit": 50}
            if sort:
                q["sort"] = sort
            want = admin().get("customers", query=q).ids
            self.assertEqual(sorted(want), sorted(x["id"] for x in made), sort)
            rows = self.parse(admin().get("customers/export", query=dict(q, format="csv")))
            self.assertEqual([int(row[0]) for row in rows[1:]], want, sort)

    def test_default_format_is_csv(self):
        rows = self.parse(admin().get("customers/export", query={"name[like]": self.p, "level": "B"}))
        self.assertEqual([row[0] for row in rows[1:]], [str(self.b["id"])])

    def test_xlsx(self):
        r = admin().get("customers/export", query={"format": "xlsx", "name[like]": self.p})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("Content-Type"),
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertTrue(r.raw.startswith(b"PK\x03\x04"))  # a zip container

    def test_unknown_format_is_400(self):
        for fmt in ["xml", "pdf", "", "CSV"]:
            r = admin().get("customers/export", query={"format": fmt})
            self.assertEqual(r.status, 400, (fmt, r))
            self.assertEqual(r.error["code"], "bad_request")

    def test_bad_filter_is_400(self):
        r = admin().get("customers/export", query={"format": "csv", "nosuch": "1"})
        self.assertEqual(r.status, 400, r)

    def test_export_is_audited(self):
        self.parse(admin().get("customers/export", query={"name[like]": self.p}))
        r = admin().get("audit", query={"entity": "customers", "action": "export", "limit": 1})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["data"][0]["diff"], {"rows": 2, "format": "csv"})
        self.assertEqual(r.body["data"][0]["user_id"], admin().id)


class EveryEntity:
    """Mixin: list, sort, paging, filters, query, search and export on one
    entity, with three records whose `title` starts with a unique prefix:
    a "…华东贸易", b "…华南贸易", c "…北京科技"."""

    entity = None
    title = "name"

    def values(self, title, suffix):
        return {self.title: title}

    @classmethod
    def setUpClass(cls):
        cls.p = uniq("E")
        cls.recs = []
        for suffix, words in [("a", "华东贸易"), ("b", "华南贸易"), ("c", "北京科技")]:
            title = "%s-%s %s" % (cls.p, suffix, words)
            cls.recs.append(admin().create(cls.entity, cls.values(cls, title, suffix)))
        cls.a, cls.b, cls.c = [r["id"] for r in cls.recs]

    def get(self, **query):
        q = {self.title + "[like]": self.p}
        q.update(query)
        r = admin().get(self.entity, query=q)
        self.assertEqual(r.status, 200, (query, r))
        self.assertEqual(set(r.body), {"data", "total", "limit", "offset"})
        return r

    def test_sort_and_paging(self):
        r = self.get(sort="-created_at")
        self.assertEqual((r.ids, r.body["total"]), ([self.c, self.b, self.a], 3))
        r = self.get(sort="created_at", limit="2", offset="1")
        self.assertEqual((r.ids, r.body["total"]), ([self.b, self.c], 3))
        r = self.get(sort="-" + self.title)
        self.assertEqual(r.ids, [self.c, self.b, self.a])
        r = self.get(sort="id", limit="1", offset="3")
        self.assertEqual((r.ids, r.body["total"]), ([], 3))

    def test_errors(self):
        for q in [{"limit": "501"}, {"sort": "nosuch"}, {"nosuch": "1"}, {self.title + "[regex]": "x"},
                  {"offset": "-1"}]:
            r = admin().get(self.entity, query=q)
            self.assertEqual(r.status, 400, (q, r))

    def test_filters(self):
        self.assertEqual(set(self.get(**{"id[in]": "%d,%d" % (self.a, self.c)}).ids), {self.a, self.c})
        self.assertEqual(set(self.get(**{"id[gt]": str(self.a)}).ids), {self.b, self.c})
        self.assertEqual(set(self.get(**{"id[le]": str(self.b)}).ids), {self.a, self.b})
        self.assertEqual(set(self.get(**{self.title + "[ne]": self.recs[0][self.title]}).ids), {self.b, self.c})
        self.assertEqual(self.get(**{self.title: self.recs[2][self.title]}).ids, [self.c])
        self.assertEqual(set(self.get(**{"created_at[null]": "false"}).ids), {self.a, self.b, self.c})

    def test_search(self):
        self.assertEqual(set(self.get(q="贸易").ids), {self.a, self.b})
        self.assertEqual(self.get(q="华南贸易").ids, [self.b])
        self.assertEqual(self.get(q="科技").ids, [self.c])
        self.assertEqual(self.get(q=self.p + "-c").ids, [self.c])
        self.assertEqual(self.get(q="上海").ids, [])

    def test_query(self):
        r = admin().post(self.entity + "/query", {"where": {"and": [
            {"field": self.title, "op": "like", "value": self.p},
            {"or": [{"field": "id", "op": "eq", "value": self.a},
                    {"field": self.title, "op": "like", "value": "科技"}]}]}, "sort": "-id"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.ids, r.body["total"]), ([self.c, self.a], 2))

    def test_export(self):
        r = admin().get(self.entity + "/export", query={self.title + "[like]": self.p, "q": "贸易", "sort": "id"})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.raw.startswith(b"\xef\xbb\xbf"))
        rows = list(csv.reader(io.StringIO(r.raw[3:].decode("utf-8"), newline="")))
        self.assertEqual(rows[0][0], "ID")
        self.assertEqual([row[0] for row in rows[1:]], [str(self.a), str(self.b)])
        self.assertNotIn("password", rows[0])
        self.assertNotIn("密码", rows[0])

    def test_trash_list(self):
        r = admin().get(self.entity + "/trash", query={self.title + "[like]": self.p})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.body["data"], r.body["total"]), ([], 0))


class ListCustomers(EveryEntity, unittest.TestCase):
    entity = "customers"


class ListContacts(EveryEntity, unittest.TestCase):
    entity = "contacts"


class ListActivities(EveryEntity, unittest.TestCase):
    entity = "activities"
    title = "subject"


class ListDepartments(EveryEntity, unittest.TestCase):
    entity = "departments"


class ListUsers(EveryEntity, unittest.TestCase):
    entity = "users"

    def values(self, title, suffix):
        return {"name": title, "username": uniq("lu"), "password": USER_PASSWORD}


if __name__ == "__main__":
    unittest.main()
