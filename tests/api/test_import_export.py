"""Import (CSV, vCard) with report, duplicate handling and undo; export
checks (formula injection, typed xlsx cells, vCard). Issue #5.

Every bad-input case asserts that nothing was stored: the count of
customers carrying the test's tag is the same before and after."""
import io
import json
import random
import re
import unittest
import uuid
import zipfile

from client import admin, make_department, make_user, uniq


def rand_mobile():
    return "137%08d" % random.randrange(10**8)


def multipart(fields, filename, data):
    boundary = "gx" + uuid.uuid4().hex
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode())
    out.write(("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
               "Content-Type: text/csv\r\n\r\n" % (boundary, filename)).encode())
    out.write(data)
    out.write(("\r\n--%s--\r\n" % boundary).encode())
    return out.getvalue(), "multipart/form-data; boundary=" + boundary


class Import(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # managers of departments of their own: they may set credit limits
        # (the sales rep role reads them only), and see nobody else's records
        cls.user, cls.rep = make_user(roles=("sales_manager",), department_id=make_department()["id"])
        cls.other_user, cls.other = make_user(roles=("sales_manager",), department_id=make_department()["id"])

    def imp(self, client, data, entity="customers", timeout=30, **query):
        if isinstance(data, str):
            data = data.encode("utf-8")
        return client.req("POST", entity + "/import", raw=data, headers={"Content-Type": "text/csv"},
                          query={k: str(v) for k, v in query.items()}, timeout=timeout)

    def count(self, client, tag, entity="customers"):
        # Ordered by id: a search in the default order with many matches may
        # walk the list and count only to the page's end (test_search_walk).
        return client.list(entity, query={"q": tag, "limit": 500, "sort": "id"}).body["total"]

    def test_utf8_bom_labels_and_types(self):
        tag = uniq("")
        csv_text = ("\ufeff客户名称,电话,邮箱,信用额度,客户级别,下次跟进,备注\r\n"
                    "甲%s公司,138 0000 %04d,a%s@example.com,\"1,234.50\",A 重点客户,2026-12-01 09:30,\"第一行\n第二行, with \"\"quotes\"\"\"\r\n"
                    "乙%s公司,,b%s@example.com,12,B,,\r\n") % (tag, random.randrange(10000), tag, tag, tag)
        r = self.imp(self.rep, csv_text)
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.body["created"], r.body["failed"], r.body["committed"]), (2, 0, True))
        rows = {c["name"]: c for c in self.rep.list("customers", query={"q": tag}).body["data"]}
        a = rows["甲%s公司" % tag]
        self.assertEqual(a["credit_limit"], 123450)
        self.assertEqual(a["level"], "A")
        self.assertTrue(a["next_follow_up"].startswith("2026-12-01T01:30:00"), a["next_follow_up"])  # China time
        self.assertEqual(a["notes"], "第一行\n第二行, with \"quotes\"")
        self.assertEqual(a["owner_id"], self.user["id"])
        self.assertEqual(rows["乙%s公司" % tag]["credit_limit"], 1200)

    def test_gb18030_tab_and_multipart(self):
        tag = uniq("")
        text = "客户名称\t邮箱\n丙%s贸易\tc%s@example.com\n" % (tag, tag)
        body, ctype = multipart({"on_duplicate": "skip"}, "客户.csv", text.encode("gb18030"))
        r = self.rep.req("POST", "customers/import", raw=body, headers={"Content-Type": ctype})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["encoding"], "gb18030")
        self.assertEqual(r.body["delimiter"], "tab")
        self.assertEqual(self.rep.list("customers", query={"q": tag}).body["data"][0]["name"], "丙%s贸易" % tag)
        imp = self.rep.get("imports/%d" % r.body["import_id"]).body
        self.assertEqual((imp["filename"], imp["created"]), ("客户.csv", 1))

    def test_wrong_encoding_changes_nothing(self):
        tag = uniq("")
        data = ("客户名称\n丁%s\n" % tag).encode("gb18030")
        r = self.imp(self.rep, data, encoding="utf-8")
        self.assertEqual(r.status, 422, r)
        self.assertIn("UTF-8", r.error["message"])
        r = self.imp(self.rep, b"name\n\xff\xfe\xfa\x00bad\n")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(self.count(self.rep, tag), 0)

    def test_missing_required_column(self):
        tag = uniq("")
        r = self.imp(self.rep, "电话,邮箱\n13800000000,x%s@example.com\n" % tag)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.body["errors"][0]["field"], "name")
        self.assertIn("required column", r.body["errors"][0]["message"])
        self.assertEqual(self.count(self.rep, tag), 0)

    def test_bad_date_all_or_nothing_then_partial(self):
        tag = uniq("")
        lines = ["name,next_follow_up,credit_limit"] + ["戊%s-%d,2026-01-0%d,1" % (tag, i, i % 9 + 1) for i in range(5)]
        lines[3] = "戊%s-bad,2026-13-45,1" % tag
        lines.append("戊%s-money,,12.345" % tag)
        text = "\n".join(lines) + "\n"
        r = self.imp(self.rep, text)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.body["committed"], False)
        errs = {(e["row"], e["field"]) for e in r.body["errors"]}
        self.assertEqual(errs, {(4, "next_follow_up"), (7, "credit_limit")})
        self.assertEqual(self.count(self.rep, tag), 0)
        r = self.imp(self.rep, text, partial=1)
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.body["created"], r.body["failed"]), (4, 2))
        self.assertEqual(self.count(self.rep, tag), 4)

    def test_imported_records_are_searchable(self):
        """Search rows are written per batch of 1,000 records (not by each
        write): every imported record, also past the batch boundaries and
        around failed rows of a partial import, is found by the list search
        and the global search, and an update by import re-indexes."""
        tag = uniq("")
        pair = "".join(chr(random.randint(0x4E00, 0x9FA5)) for _ in range(2))
        # two batches (1,000 + 50); a PostgreSQL server on a busy machine
        # imports only some dozens of rows a second (a round trip per statement)
        lines = ["name,notes"] + ["甲%s%s-%d,第%d行" % (pair, tag, i, i) for i in range(1050)]
        r = self.imp(self.rep, "\n".join(lines) + "\n", timeout=180)
        self.assertEqual((r.status, r.body["created"]), (201, 1050), r)
        self.assertEqual(self.count(self.rep, tag), 1050)
        for i in (0, 999, 1000, 1049):
            name = "甲%s%s-%d" % (pair, tag, i)
            hits = self.rep.list("customers", query={"q": name}).body["data"]
            self.assertEqual([h["name"] for h in hits], [name])
        g = self.rep.get("search", query={"q": "%s%s-1049" % (pair, tag), "limit": 5})
        self.assertEqual([x["entity"] for x in g.body["data"]], ["customers"], g)
        # a partial import: the failed rows are not in the index, their neighbours are
        lines = ["name,credit_limit"] + ["丁%s-%d,%s" % (tag, i, "x" if i in (3, 4) else "1") for i in range(8)]
        r = self.imp(self.rep, "\n".join(lines) + "\n", partial=1)
        self.assertEqual((r.status, r.body["created"], r.body["failed"]), (201, 6, 2), r)
        for i in range(8):
            hits = self.rep.list("customers", query={"q": "丁%s-%d" % (tag, i)}).body["total"]
            self.assertEqual(hits, 0 if i in (3, 4) else 1, i)
        g = self.rep.get("search", query={"q": pair, "limit": 50})   # two CJK characters: the word index
        self.assertGreaterEqual(len(g.body["data"]), 1, g)
        # update through the import: the new text is found, the old is gone
        m = rand_mobile()
        orig = self.rep.create("customers", {"name": "丙%s" % tag, "phone": m, "notes": "旧备注%s" % tag})
        r = self.imp(self.rep, "name,phone,notes\n丙%s,%s,新备注%s\n" % (tag, m, tag), on_duplicate="update")
        self.assertEqual((r.status, r.body["updated"]), (201, 1), r)
        hits = self.rep.list("customers", query={"q": "新备注%s" % tag}).body["data"]
        self.assertEqual([h["id"] for h in hits], [orig["id"]])
        self.assertEqual(self.rep.list("customers", query={"q": "旧备注%s" % tag}).body["total"], 0)

    def test_dry_run_stores_nothing(self):
        tag = uniq("")
        r = self.imp(self.rep, "name\n己%s\n" % tag, dry_run=1)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.body["created"], r.body["committed"]), (1, False))
        self.assertEqual(r.body["preview"][0]["values"]["name"], "己%s" % tag)
        self.assertEqual(self.count(self.rep, tag), 0)

    def test_duplicate_rows_in_file(self):
        tag = uniq("")
        m = rand_mobile()
        r = self.imp(self.rep, "name,phone\n庚%s-1,%s\n庚%s-2,+86 %s\n" % (tag, m, tag, m))
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.body["errors"], [{"row": 3, "field": "phone", "message": "same phone as row 2 of the file"}])
        self.assertEqual(self.count(self.rep, tag), 0)

    def test_broken_quote_at_row_5000(self):
        tag = uniq("")
        lines = ["name,notes"] + ["辛%s-%d,ok" % (tag, i) for i in range(6000)]
        lines[4999] = "辛%s-broken,\"never closed" % tag
        r = self.imp(self.rep, "\n".join(lines) + "\n")
        self.assertEqual(r.status, 422, r)
        self.assertIn("Row 5000", r.error["message"])
        self.assertEqual(self.count(self.rep, tag), 0)

    def test_read_only_and_hidden_columns_rejected(self):
        tag = uniq("")
        r = self.imp(self.rep, "name,code\n壬%s,C1\n" % tag)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.body["errors"][0]["field"], "code")
        role = admin().create("roles", {"code": uniq("imp_"), "name": "importer without notes",
                                        "permissions": {"customers": {"read": "own", "create": "own", "edit": "own", "import": "own"}},
                                        "field_rules": {"customers": {"notes": "hidden"}}})
        _, cl = make_user(roles=(), role_ids=[role["id"]])
        r = self.imp(cl, "name,notes\n壬%s,x\n" % tag)
        self.assertEqual(r.status, 422, r)
        self.assertIn("hidden", r.body["errors"][0]["message"])
        self.assertEqual(self.count(admin(), tag), 0)

    def test_no_import_permission_is_403(self):
        role = admin().create("roles", {"code": uniq("noimp_"), "name": "no import",
                                        "permissions": {"customers": {"read": "own", "create": "own"}}})
        _, cl = make_user(roles=(), role_ids=[role["id"]])
        tag = uniq("")
        r = self.imp(cl, "name\n癸%s\n" % tag)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.count(admin(), tag), 0)

    def test_duplicates_skip_update_create_and_undo(self):
        tag = uniq("")
        m = rand_mobile()
        orig = self.rep.create("customers", {"name": "子%s" % tag, "phone": m, "notes": "old"})
        text = "name,phone,notes\n子%s有限公司,%s,new\n丑%s,,fresh\n" % (tag, m, tag)
        r = self.imp(self.rep, text)                       # default: skip
        self.assertEqual((r.status, r.body["created"], r.body["skipped"]), (201, 1, 1), r)
        self.assertEqual(self.rep.read("customers", orig["id"])["notes"], "old")
        r = self.imp(self.rep, "name,phone,notes\n子%s,%s,new\n" % (tag, m), on_duplicate="update")
        self.assertEqual((r.status, r.body["updated"]), (201, 1), r)
        self.assertEqual(self.rep.read("customers", orig["id"])["notes"], "new")
        upd = r.body["import_id"]
        r = self.imp(self.rep, "name,phone\n寅%s,%s\n" % (tag, m), on_duplicate="create")
        self.assertEqual((r.status, r.body["created"]), (201, 1), r)
        created = r.body["import_id"]
        self.assertEqual(self.count(self.rep, tag), 3)
        # undo the update: the old value is back; undo the create: the record is in the trash
        r = self.rep.post("imports/%d/undo" % upd)
        self.assertEqual((r.status, r.body["status"]), (200, "undone"), r)
        self.assertEqual(self.rep.read("customers", orig["id"])["notes"], "old")
        self.assertEqual(self.rep.post("imports/%d/undo" % upd).status, 409)
        self.assertEqual(self.rep.post("imports/%d/undo" % created).status, 200)
        self.assertEqual(self.count(self.rep, tag), 2)
        # someone else's import does not exist for them
        self.assertEqual(self.other.get("imports/%d" % created).status, 404)
        self.assertEqual(self.other.post("imports/%d/undo" % created).status, 404)
        audit = admin().get("audit", query={"action": "import_undo", "entity": "customers"})
        self.assertTrue(any(a["diff"]["import_id"] == created for a in audit.body["data"]))

    def test_update_of_someone_elses_record_is_refused(self):
        tag = uniq("")
        m = rand_mobile()
        self.other.create("customers", {"name": "卯%s" % tag, "phone": m})
        r = self.imp(self.rep, "name,phone,notes\n卯%s,%s,mine\n" % (tag, m), on_duplicate="update")
        self.assertEqual(r.status, 422, r)
        self.assertIn("may not change", r.body["errors"][0]["message"])
        r = self.imp(self.rep, "name,phone\n卯%s,%s\n" % (tag, m))  # skip: counted, not shown
        self.assertEqual((r.status, r.body["skipped"]), (201, 1))

    def test_vcard_import(self):
        tag = uniq("")
        vcf = ("BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0;=E4=B8=89" + tag + "\r\n"
               "TEL;CELL:13912345678\r\nEND:VCARD\r\n"
               "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Li " + tag + "\r\nTEL;TYPE=WORK:010-8888\r\n 9999\r\n"
               "EMAIL:li" + tag + "@example.com\r\nNOTE:line1\\nline2\\, more\r\nBDAY:1980-02-03\r\nEND:VCARD\r\n"
               "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:王" + tag + "\r\nTITLE:经理\r\nEND:VCARD\r\n")
        r = self.imp(self.rep, vcf, entity="contacts", format="vcf")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["created"], 3)
        rows = {c["name"]: c for c in self.rep.list("contacts", query={"q": tag}).body["data"]}
        self.assertEqual(rows["张三" + tag]["mobile"], "+8613912345678")  # stored in E.164
        li = rows["Li " + tag]
        self.assertTrue(re.sub(r"\D", "", li["phone"]).endswith("1088889999"), li["phone"])
        self.assertEqual(li["notes"], "line1\nline2, more")
        self.assertEqual(li["birthday"], "1980-02-03")
        self.assertEqual(rows["王" + tag]["title"], "经理")


class Export(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.user, cls.rep = make_user(roles=("sales_manager",), department_id=make_department()["id"])
        cls.tag = uniq("")
        cls.evil = cls.rep.create("customers", {"name": "=HYPERLINK(\"http://x\")" + cls.tag, "notes": "@SUM(1)",
                                                "credit_limit": 123456, "tags": "-2+3", "next_follow_up": "2026-05-06T02:03:04Z"})

    def test_csv_neutralises_formulas(self):
        r = self.rep.get("customers/export", query={"format": "csv", "q": self.tag})
        self.assertEqual(r.status, 200, r)
        text = r.raw.decode("utf-8-sig")
        self.assertIn("'=HYPERLINK", text)
        self.assertIn("'@SUM(1)", text)
        self.assertIn("'-2+3", text)
        self.assertNotIn(",=", text)

    def test_xlsx_typed_and_neutralised(self):
        r = self.rep.get("customers/export", query={"format": "xlsx", "q": self.tag})
        self.assertEqual(r.status, 200, r)
        z = zipfile.ZipFile(io.BytesIO(r.raw))
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else sheet
        # the name is text, never a formula
        self.assertNotIn("<f>HYPERLINK", sheet)
        self.assertIn("HYPERLINK", strings)
        # money: a number cell holding 1234.56
        self.assertRegex(sheet, r"<f>1234\.56</f>|<v>1234\.56</v>")
        # the follow-up: a number (Excel serial date) with a date style, not text
        self.assertRegex(sheet, r"<c r=\"[A-Z]+2\" s=\"\d+\"><v>46148\.\d+</v></c>")

    def test_vcard_one_and_list(self):
        ct = self.rep.create("contacts", {"name": "陈" + self.tag, "mobile": "13800001111", "email": "c%s@example.com" % self.tag,
                                          "notes": "a, b; c\n" + "长" * 40})
        r = self.rep.get("contacts/%d/vcard" % ct["id"])
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers.get("Content-Type").startswith("text/vcard"))
        text = r.raw.decode()
        self.assertIn("VERSION:3.0\r\n", text)
        self.assertIn("FN:陈" + self.tag, text)
        for line in text.split("\r\n"):
            self.assertLessEqual(len(line.encode()), 75)
        r4 = self.rep.get("contacts/%d/vcard" % ct["id"], query={"version": "4"})
        self.assertIn("VERSION:4.0\r\n", r4.raw.decode())
        lst = self.rep.get("contacts/export", query={"format": "vcf", "q": self.tag})
        self.assertEqual(lst.status, 200, lst)
        self.assertEqual(lst.raw.decode().count("BEGIN:VCARD"), 1)
        _, other = make_user(department_id=make_department()["id"])
        self.assertEqual(other.get("contacts/%d/vcard" % ct["id"]).status, 404)
        self.assertEqual(other.get("contacts/export", query={"format": "vcf", "q": self.tag}).raw.decode().count("BEGIN:VCARD"), 0)


if __name__ == "__main__":
    unittest.main()
