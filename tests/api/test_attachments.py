"""Attachments (附件, issue 6): files on products, contracts, customers …
stored in the database. Upload (multipart and raw body), list, download
byte for byte with the stored type and a safe Content-Disposition (Chinese
names via RFC 5987 filename*), delete; access is the parent record's (read
→ list/download, edit → upload/delete; out of scope → 404); 20 MiB per file
(413, nothing stored) while other routes keep the 1 MiB body limit; audit
rows for upload and delete."""
import hashlib
import http.client
import os
import socket
import sqlite3
import subprocess
import threading
import time
import unittest
import urllib.parse
import uuid

from client import admin, make_department, make_user, uniq

LIMIT = 20 * 1024 * 1024
DB = os.environ.get("GX_DB")


def db_count(sql):
    """One integer from the test database itself (GX_DB, set by run.sh): to
    see rows the API no longer shows. sql holds only the test's own ints."""
    if DB.startswith("postgres"):
        out = subprocess.run(["psql", DB, "-Atqc", sql], check=True, capture_output=True, text=True).stdout
        return int(out.strip())
    con = sqlite3.connect("file:%s?mode=ro" % DB, uri=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def multipart(files, extra=None):
    """(body, content type) of a multipart/form-data body: files is a list
    of (field, file name, bytes)."""
    b = "----gx" + uuid.uuid4().hex
    out = []
    for k, v in (extra or {}).items():
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (b, k, v)).encode())
    for field, name, data in files:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                    "Content-Type: application/octet-stream\r\n\r\n" % (b, field, name)).encode("utf-8"))
        out.append(data + b"\r\n")
    out.append(("--%s--\r\n" % b).encode())
    return b"".join(out), "multipart/form-data; boundary=" + b


def upload(cl, entity, rid, files):
    body, ctype = multipart(files)
    return cl.post("%s/%d/attachments" % (entity, rid), raw=body, headers={"Content-Type": ctype})


def upload_raw(cl, entity, rid, name, data):
    return cl.post("%s/%d/attachments" % (entity, rid), raw=data,
                   headers={"Content-Type": "application/octet-stream", "X-File-Name": urllib.parse.quote(name)})


class Team:
    def __init__(self):
        self.dept = make_department()
        self.mrec, self.manager = make_user(roles=("sales_manager",), department_id=self.dept["id"])
        self.arec, self.a = make_user(department_id=self.dept["id"])
        self.brec, self.b = make_user(department_id=self.dept["id"])


def contract(cl):
    cust = cl.create("customers", {"name": uniq("附件客户"), "kind": "company"})
    return cl.create("contracts", {"name": uniq("合同"), "customer_id": cust["id"], "amount": 100000})


class Attachments(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = Team()

    def setUp(self):
        self.k = contract(self.t.a)

    def test_binary_file_round_trips_byte_for_byte_with_chinese_name(self):
        data = bytes(range(256)) * 40 + b"\x00\r\n--\r\n\x00" + os.urandom(5000)
        name = "合同扫描件 2026(盖章).pdf"
        r = upload(self.t.a, "contracts", self.k["id"], [("file", name, data)])
        self.assertEqual(r.status, 201, r)
        [a] = r.body["data"]
        self.assertEqual(a["name"], name)
        self.assertEqual(a["size"], len(data))
        self.assertEqual(a["sha256"], hashlib.sha256(data).hexdigest())
        self.assertEqual(a["mime_type"], "application/pdf")
        self.assertEqual((a["parent_type"], a["parent_id"]), ("contracts", self.k["id"]))
        self.assertEqual(a["created_by"], self.t.arec["id"])
        d = self.t.a.get("attachments/%d/content" % a["id"])
        self.assertEqual(d.status, 200, d)
        self.assertEqual(d.raw, data)
        self.assertEqual(d.headers["Content-Type"], "application/pdf")
        self.assertEqual(d.headers["X-Content-Type-Options"], "nosniff")
        cd = d.headers["Content-Disposition"]
        self.assertTrue(cd.startswith("attachment; filename=\""), cd)
        self.assertIn("filename*=UTF-8''" + urllib.parse.quote(name, safe="!#$&+-.^_`|~"), cd)
        self.assertTrue(all(ord(ch) < 128 for ch in cd), cd)
        self.assertIn("sandbox", d.headers["Content-Security-Policy"])
        # The list shows it with the uploader's name; the facts alone too.
        lst = self.t.a.get("contracts/%d/attachments" % self.k["id"])
        self.assertEqual(lst.status, 200, lst)
        self.assertEqual([x["id"] for x in lst.body["data"]], [a["id"]])
        self.assertEqual(lst.body["data"][0]["created_by_name"], self.t.arec["name"])
        self.assertEqual(self.t.a.get("attachments/%d" % a["id"]).body["sha256"], a["sha256"])
        # Inline only when asked and safe: a PDF may be shown.
        self.assertTrue(self.t.a.get("attachments/%d/content?inline=1" % a["id"]).headers["Content-Disposition"]
                        .startswith("inline;"))

    def test_raw_body_upload_with_file_name_header(self):
        data = "回款计划\n第一期 30%\n".encode("gb18030")
        r = upload_raw(self.t.a, "contracts", self.k["id"], "付款说明.txt", data)
        self.assertEqual(r.status, 201, r)
        [a] = r.body["data"]
        self.assertEqual((a["name"], a["mime_type"], a["size"]), ("付款说明.txt", "text/plain", len(data)))
        self.assertEqual(self.t.a.get(a["url"]).raw, data)
        # Without a name: 422 naming the header; nothing stored.
        r = self.t.a.post("contracts/%d/attachments" % self.k["id"], raw=b"x",
                          headers={"Content-Type": "application/octet-stream"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("X-File-Name", r.fields)
        self.assertEqual(len(self.t.a.get("contracts/%d/attachments" % self.k["id"]).body["data"]), 1)

    def test_several_files_in_one_upload_newest_first(self):
        r = upload(self.t.a, "contracts", self.k["id"], [("file", "a.png", b"\x89PNG1"), ("file", "b.docx", b"PK2")])
        self.assertEqual(r.status, 201, r)
        self.assertEqual([x["mime_type"] for x in r.body["data"]],
                         ["image/png", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"])
        names = [x["name"] for x in self.t.a.get("contracts/%d/attachments" % self.k["id"]).body["data"]]
        self.assertEqual(sorted(names), ["a.png", "b.docx"])

    def test_html_and_script_are_never_served_inline(self):
        for name in ("page.html", "x.svg", "run.js"):
            r = upload(self.t.a, "contracts", self.k["id"], [("file", name, b"<script>alert(1)</script>")])
            self.assertEqual(r.status, 201, r)
            a = r.body["data"][0]
            self.assertEqual(a["mime_type"], "application/octet-stream")
            d = self.t.a.get("attachments/%d/content?inline=1" % a["id"])
            self.assertEqual(d.headers["Content-Type"], "application/octet-stream")
            self.assertTrue(d.headers["Content-Disposition"].startswith("attachment;"), d.headers)

    def test_path_and_control_characters_are_stripped_from_names(self):
        r = upload_raw(self.t.a, "contracts", self.k["id"], "..\\..\\etc/pass\twd\".txt", b"x")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["data"][0]["name"], "pass" + "wd\".txt")
        d = self.t.a.get(r.body["data"][0]["url"])
        self.assertIn('filename="passwd_.txt"', d.headers["Content-Disposition"])

    def test_delete_removes_file_and_writes_audit_rows(self):
        r = upload_raw(self.t.a, "contracts", self.k["id"], "报价单.xlsx", b"PK\x03\x04data")
        aid = r.body["data"][0]["id"]
        d = self.t.a.delete("attachments/%d" % aid)
        self.assertEqual(d.status, 204, d)
        self.assertEqual(self.t.a.get("attachments/%d/content" % aid).status, 404)
        self.assertEqual(self.t.a.get("contracts/%d/attachments" % self.k["id"]).body["data"], [])
        rows = admin().get("audit", query={"entity": "contracts", "record_id": str(self.k["id"])}).body["data"]
        acts = [(x["action"], x["diff"]["name"]) for x in rows if x["action"].startswith("attachment_")]
        self.assertEqual(acts, [("attachment_delete", "报价单.xlsx"), ("attachment_upload", "报价单.xlsx")])
        # and lines in the contract's history (操作记录)
        hist = [(h["old"], h["new"]) for h in self.t.a.get("contracts/%d/history" % self.k["id"]).body["data"]
                if h["field"] == "attachments"]
        self.assertEqual(sorted(hist, key=str), sorted([(None, "报价单.xlsx"), ("报价单.xlsx", None)], key=str))
        self.assertEqual(self.t.a.delete("attachments/%d" % aid).status, 404)

    def test_other_reps_contract_files_are_404(self):
        r = upload_raw(self.t.a, "contracts", self.k["id"], "secret.pdf", b"%PDF-1.4")
        aid = r.body["data"][0]["id"]
        for resp in (self.t.b.get("contracts/%d/attachments" % self.k["id"]),
                     self.t.b.get("attachments/%d" % aid),
                     self.t.b.get("attachments/%d/content" % aid),
                     self.t.b.delete("attachments/%d" % aid),
                     upload_raw(self.t.b, "contracts", self.k["id"], "x.pdf", b"x")):
            self.assertEqual(resp.status, 404, resp)
        self.assertEqual(len(self.t.a.get("contracts/%d/attachments" % self.k["id"]).body["data"]), 1)
        # The department's manager reads and edits the rep's contract: may download and upload.
        self.assertEqual(self.t.manager.get("attachments/%d/content" % aid).raw, b"%PDF-1.4")
        self.assertEqual(upload_raw(self.t.manager, "contracts", self.k["id"], "批注.pdf", b"y").status, 201)

    def test_read_only_user_may_download_but_not_upload_or_delete(self):
        # Reps read products (the catalogue) but may not edit them.
        p = admin().create("products", {"code": uniq("P"), "name": uniq("产品"), "price": 100})
        r = upload_raw(admin(), "products", p["id"], "产品手册.pdf", b"%PDF brochure")
        self.assertEqual(r.status, 201, r)
        aid = r.body["data"][0]["id"]
        self.assertEqual(self.t.a.get("products/%d/attachments" % p["id"]).body["data"][0]["id"], aid)
        self.assertEqual(self.t.a.get("attachments/%d/content" % aid).raw, b"%PDF brochure")
        up = upload_raw(self.t.a, "products", p["id"], "x.pdf", b"x")
        self.assertEqual(up.status, 403, up)
        self.assertEqual(self.t.a.delete("attachments/%d" % aid).status, 403)
        self.assertEqual(len(admin().get("products/%d/attachments" % p["id"]).body["data"]), 1)
        # A role that only reads contracts: same answer on a contract.
        role = admin().create("roles", {"code": uniq("ro_"), "name": "contracts read only",
                                        "permissions": {"contracts": {"read": "all"}}})
        _, viewer = make_user(roles=(), role_ids=[role["id"]])
        self.assertEqual(viewer.get("contracts/%d/attachments" % self.k["id"]).status, 200)
        self.assertEqual(upload_raw(viewer, "contracts", self.k["id"], "x.pdf", b"x").status, 403)

    def test_file_over_20_mib_is_413_and_nothing_is_stored(self):
        big = b"\x01" * (LIMIT + 1)
        r = upload(self.t.a, "contracts", self.k["id"], [("file", "大文件.zip", big)])
        self.assertEqual(r.status, 413, r)
        self.assertEqual(r.error["code"], "file_too_large")
        self.assertIn("20.0 MiB", r.error["message"])
        r = upload_raw(self.t.a, "contracts", self.k["id"], "大文件.zip", big)
        self.assertEqual(r.status, 413, r)
        # One good and one too large: neither is stored.
        r = upload(self.t.a, "contracts", self.k["id"], [("file", "ok.pdf", b"ok"), ("file", "big.zip", big)])
        self.assertEqual(r.status, 413, r)
        self.assertEqual(self.t.a.get("contracts/%d/attachments" % self.k["id"]).body["data"], [])
        # Exactly the limit is fine.
        r = upload_raw(self.t.a, "contracts", self.k["id"], "刚好.bin", b"\x02" * LIMIT)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["data"][0]["size"], LIMIT)
        # Other routes keep the 1 MiB body limit.
        r = self.t.a.post("customers", raw=b"{" + b" " * (1024 * 1024 + 10) + b"}")
        self.assertEqual(r.status, 413, r)

    def test_empty_file_and_unknown_parent(self):
        r = upload_raw(self.t.a, "contracts", self.k["id"], "empty.txt", b"")
        self.assertEqual(r.status, 422, r)
        self.assertIn("file", r.fields)
        self.assertEqual(upload_raw(self.t.a, "contracts", 999999999, "a.txt", b"a").status, 404)
        self.assertEqual(upload_raw(self.t.a, "nosuch", 1, "a.txt", b"a").status, 404)
        self.assertEqual(admin().get("users/%d/attachments" % self.t.arec["id"]).status, 404)
        self.assertEqual(self.t.a.get("attachments/999999999/content").status, 404)

    def test_deleted_parent_hides_its_files(self):
        r = upload_raw(self.t.a, "contracts", self.k["id"], "a.pdf", b"a")
        aid = r.body["data"][0]["id"]
        self.assertEqual(self.t.a.delete("contracts/%d" % self.k["id"]).status, 204)
        self.assertEqual(self.t.a.get("attachments/%d/content" % aid).status, 404)


@unittest.skipUnless(DB, "needs GX_DB (tests/api/run.sh sets it)")
class PurgeAndMerge(unittest.TestCase):
    """The gaps of stop 11: a purge left the files' rows behind, a merge
    left the merged-away customer's files on the trashed record."""

    def rows(self, ids):
        ids = ",".join(str(i) for i in ids)
        return (db_count("SELECT count(*) FROM attachments WHERE id IN (%s)" % ids),
                db_count("SELECT count(*) FROM attachment_contents WHERE attachment_id IN (%s)" % ids))

    def test_trash_keeps_files_and_purge_removes_them(self):
        a = admin()
        cust = a.create("customers", {"name": uniq("清除客户"), "kind": "company"})
        r = upload(a, "customers", cust["id"], [("file", "营业执照.pdf", b"%PDF licence"), ("file", "名片.png", b"png")])
        self.assertEqual(r.status, 201, r)
        ids = [x["id"] for x in r.body["data"]]
        other = a.create("customers", {"name": uniq("留下客户"), "kind": "company"})
        kept = upload_raw(a, "customers", other["id"], "keep.pdf", b"keep").body["data"][0]["id"]
        self.assertEqual(self.rows(ids), (2, 2))
        # The trash keeps them: a restore brings the files back.
        self.assertEqual(a.delete("customers/%d" % cust["id"]).status, 204)
        self.assertEqual(self.rows(ids), (2, 2))
        self.assertEqual(a.post("customers/%d/restore" % cust["id"]).status, 200)
        self.assertEqual(a.get("attachments/%d/content" % ids[0]).raw, b"%PDF licence")
        # A purge takes them with the record, in its transaction.
        self.assertEqual(a.delete("customers/%d" % cust["id"]).status, 204)
        p = a.post("customers/%d/purge" % cust["id"])
        self.assertEqual(p.status, 204, p)
        self.assertEqual(self.rows(ids), (0, 0))
        self.assertEqual(self.rows([kept]), (1, 1))
        for aid in ids:
            self.assertEqual(a.get("attachments/%d" % aid).status, 404)
            self.assertEqual(a.get("attachments/%d/content" % aid).status, 404)
        audit = a.get("audit", query={"entity": "customers", "record_id": str(cust["id"]),
                                      "action": "attachment_delete"}).body["data"]
        self.assertEqual(sorted((x["diff"]["attachment_id"], x["diff"]["name"], x["diff"]["purged"]) for x in audit),
                         [(ids[0], "营业执照.pdf", True), (ids[1], "名片.png", True)])

    def test_purge_of_a_record_without_files_and_of_other_entities(self):
        a = admin()
        k = contract(a)
        aid = upload_raw(a, "contracts", k["id"], "合同.pdf", b"%PDF").body["data"][0]["id"]
        self.assertEqual(a.delete("contracts/%d" % k["id"]).status, 204)
        self.assertEqual(a.post("contracts/%d/purge" % k["id"]).status, 204)
        self.assertEqual(self.rows([aid]), (0, 0))
        bare = a.create("customers", {"name": uniq("无附件"), "kind": "company"})
        self.assertEqual(a.delete("customers/%d" % bare["id"]).status, 204)
        self.assertEqual(a.post("customers/%d/purge" % bare["id"]).status, 204)

    def test_merge_moves_files_to_the_surviving_customer(self):
        t = Team()
        into = t.a.create("customers", {"name": uniq("合并目标"), "kind": "company"})
        other = t.a.create("customers", {"name": uniq("被合并"), "kind": "company"})
        mine = upload_raw(t.a, "customers", into["id"], "目标.pdf", b"into").body["data"][0]["id"]
        r = upload(t.a, "customers", other["id"], [("file", "报价单.xlsx", b"PK-quote"), ("file", "合同.pdf", b"%PDF-k")])
        moved = sorted(x["id"] for x in r.body["data"])
        m = t.a.post("customers/%d/merge" % into["id"], {"from": other["id"]})
        self.assertEqual(m.status, 200, m)
        self.assertEqual(sorted(m.body["moved"]["attachments"]), moved)
        lst = t.a.get("customers/%d/attachments" % into["id"]).body["data"]
        self.assertEqual(sorted(x["id"] for x in lst), sorted(moved + [mine]))
        self.assertTrue(all(x["parent_id"] == into["id"] for x in lst))
        self.assertEqual(t.a.get("attachments/%d/content" % moved[0]).raw, b"PK-quote")
        # The trashed customer has none left (a restore would not bring them back).
        self.assertEqual(db_count("SELECT count(*) FROM attachments WHERE parent_type = 'customers'"
                                  " AND parent_id = %d" % other["id"]), 0)
        # The audit: a merge_move row per file, like every moved record, and
        # the merge rows list them.
        for aid in moved:
            rows = admin().get("audit", query={"entity": "attachments", "record_id": str(aid),
                                               "action": "merge_move"}).body["data"]
            self.assertEqual(len(rows), 1, rows)
            self.assertEqual(rows[0]["diff"]["parent_id"], [other["id"], into["id"]])
            self.assertEqual(rows[0]["diff"]["parent_type"], "customers")
            self.assertEqual(rows[0]["user_id"], t.arec["id"])
        merge = admin().get("audit", query={"entity": "customers", "record_id": str(into["id"]),
                                            "action": "merge"}).body["data"]
        self.assertEqual(sorted(merge[0]["diff"]["moved"]["attachments"]), moved)
        # The surviving customer's history names the files that came over.
        hist = [h["new"] for h in t.a.get("customers/%d/history" % into["id"]).body["data"]
                if h["field"] == "attachments"]
        self.assertIn("报价单.xlsx", hist)
        self.assertIn("合同.pdf", hist)

    def test_merge_without_files_moves_none(self):
        t = Team()
        into = t.a.create("customers", {"name": uniq("合并甲"), "kind": "company"})
        other = t.a.create("customers", {"name": uniq("合并乙"), "kind": "company"})
        m = t.a.post("customers/%d/merge" % into["id"], {"from": other["id"]})
        self.assertEqual(m.status, 200, m)
        self.assertNotIn("attachments", m.body["moved"])


class Ranges(unittest.TestCase):
    """Downloads are streamed from the database in 1 MiB pieces and answer
    Range requests (RFC 9110): browsers resume downloads and PDF viewers
    fetch the pages they show."""

    @classmethod
    def setUpClass(cls):
        cls.t = Team()
        cls.k = contract(cls.t.a)
        # Over two pieces of 1 MiB, so ranges cross their boundaries.
        cls.data = os.urandom(2 * 1024 * 1024 + 12345)
        r = upload_raw(cls.t.a, "contracts", cls.k["id"], "说明书.pdf", cls.data)
        assert r.status == 201, r
        cls.aid = r.body["data"][0]["id"]
        cls.url = "attachments/%d/content" % cls.aid
        cls.n = len(cls.data)

    def get(self, rng=None, **headers):
        if rng:
            headers["Range"] = rng
        return self.t.a.get(self.url, headers=headers)

    def part(self, rng, start, end):
        r = self.get(rng)
        self.assertEqual(r.status, 206, (rng, r))
        self.assertEqual(r.headers["Content-Range"], "bytes %d-%d/%d" % (start, end, self.n))
        self.assertEqual(int(r.headers["Content-Length"]), end - start + 1)
        self.assertEqual(r.raw, self.data[start:end + 1], rng)
        self.assertEqual(r.headers["Content-Type"], "application/pdf")
        self.assertIn("attachment;", r.headers["Content-Disposition"])

    def test_whole_file_says_it_takes_ranges(self):
        r = self.get()
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.raw, self.data)
        self.assertEqual(int(r.headers["Content-Length"]), self.n)
        self.assertEqual(r.headers["Accept-Ranges"], "bytes")
        self.assertNotIn("Content-Range", r.headers)

    def test_first_bytes(self):
        self.part("bytes=0-99", 0, 99)
        self.part("bytes=0-0", 0, 0)

    def test_middle_across_pieces(self):
        self.part("bytes=200000-600000", 200000, 600000)
        self.part("bytes=1048575-1048576", 1048575, 1048576)
        self.part("bytes=1000000-2100000", 1000000, 2100000)

    def test_open_end_and_end_past_the_file(self):
        self.part("bytes=%d-" % (self.n - 10), self.n - 10, self.n - 1)
        self.part("bytes=%d-%d" % (self.n - 5, self.n + 1000), self.n - 5, self.n - 1)
        self.part("bytes=100-", 100, self.n - 1)

    def test_suffix(self):
        self.part("bytes=-500", self.n - 500, self.n - 1)
        self.part("bytes=-%d" % (self.n + 99), 0, self.n - 1)  # longer than the file: all of it

    def test_unsatisfiable_is_416_with_the_size(self):
        for rng in ("bytes=%d-" % self.n, "bytes=%d-%d" % (self.n + 5, self.n + 9), "bytes=-0"):
            r = self.get(rng, **{"Accept-Language": "en"})
            self.assertEqual(r.status, 416, (rng, r))
            self.assertEqual(r.headers["Content-Range"], "bytes */%d" % self.n)
            self.assertEqual(r.error["code"], "range_not_satisfiable")
            self.assertIn("%d bytes" % self.n, r.error["message"])
        r = self.get("bytes=%d-" % self.n, **{"Accept-Language": "zh-CN"})
        self.assertEqual(r.status, 416, r)
        self.assertIn("%d 字节" % self.n, r.error["message"])

    def test_malformed_or_several_ranges_get_the_whole_file(self):
        # RFC 9110 14.2: a Range the server does not understand, or one it
        # chooses not to split (several ranges), is ignored.
        for rng in ("bytes=abc", "bytes=5-2", "items=0-1", "bytes=0-1,5-6", "bytes=--1", "bytes 0-1"):
            r = self.get(rng)
            self.assertEqual(r.status, 200, (rng, r))
            self.assertEqual(r.raw, self.data, rng)

    def test_if_range(self):
        etag = self.get().headers["ETag"]
        self.assertEqual(etag, '"%s"' % hashlib.sha256(self.data).hexdigest())
        r = self.get("bytes=0-9", **{"If-Range": etag})
        self.assertEqual((r.status, r.raw), (206, self.data[:10]))
        r = self.get("bytes=0-9", **{"If-Range": '"something-else"'})
        self.assertEqual((r.status, r.raw), (200, self.data))
        # The ETag still answers 304 first.
        self.assertEqual(self.get("bytes=0-9", **{"If-None-Match": etag}).status, 304)

    def test_head_gives_the_length_without_the_body(self):
        r = self.t.a.req("HEAD", self.url, headers={"Range": "bytes=10-19"})
        self.assertEqual(r.status, 206, r)
        self.assertEqual(r.headers["Content-Range"], "bytes 10-19/%d" % self.n)
        self.assertEqual(r.raw, b"")

    def test_ranges_of_out_of_scope_files_are_404(self):
        for rng in ("bytes=0-9", "bytes=-5", "bytes=%d-" % self.n):
            r = self.t.b.get(self.url, headers={"Range": rng})
            self.assertEqual(r.status, 404, (rng, r))
            self.assertNotIn("Content-Range", r.headers)
        # Trashed parent: 404 for ranges too.
        k = contract(self.t.a)
        aid = upload_raw(self.t.a, "contracts", k["id"], "x.pdf", b"0123456789").body["data"][0]["id"]
        self.assertEqual(self.t.a.delete("contracts/%d" % k["id"]).status, 204)
        self.assertEqual(self.t.a.get("attachments/%d/content" % aid, headers={"Range": "bytes=0-1"}).status, 404)


class UiPathsCheckAccess(unittest.TestCase):
    """The browser's routes go through the same access check: a record out
    of scope is a 404 for its panel, uploads and deletes, and its files'
    download links."""

    def test_out_of_scope_ui_routes_are_404(self):
        t = Team()
        k = contract(t.a)
        aid = upload_raw(t.a, "contracts", k["id"], "合同.pdf", b"%PDF-secret").body["data"][0]["id"]
        body, ctype = multipart([("file", "x.pdf", b"x")])
        self.assertEqual(t.a.get("/app/contracts/%d/attachments" % k["id"]).status, 200)
        for resp in (t.b.get("/app/contracts/%d/attachments" % k["id"]),
                     t.b.post("/app/contracts/%d/attachments" % k["id"], raw=body, headers={"Content-Type": ctype}),
                     t.b.post("/app/attachments/%d/delete" % aid, raw=b""),
                     t.b.get("/api/v1/attachments/%d/content?inline=1" % aid)):
            self.assertEqual(resp.status, 404, resp)
            self.assertNotIn(b"%PDF-secret", resp.raw)
        self.assertEqual([x["id"] for x in t.a.get("contracts/%d/attachments" % k["id"]).body["data"]], [aid])


class UploadLimits(unittest.TestCase):
    """20 MiB per file (the module: 413 file_too_large) and 64 MiB per
    request (the server's body limit of upload routes: 413
    upload_too_large), each said in Chinese and in English."""

    @classmethod
    def setUpClass(cls):
        cls.t = Team()
        cls.k = contract(cls.t.a)

    def test_file_over_the_limit_in_both_languages(self):
        big = b"\x01" * (LIMIT + 1)
        for lang, want in (("en", 'The file "big.zip" is 20.0 MiB; the limit is 20.0 MiB per file'),
                           ("zh-CN", "文件「big.zip」大小 20.0 MiB，超过每个文件 20.0 MiB 的上限")):
            r = self.t.a.post("contracts/%d/attachments" % self.k["id"], raw=big,
                              headers={"Content-Type": "application/octet-stream", "X-File-Name": "big.zip",
                                       "Accept-Language": lang})
            self.assertEqual(r.status, 413, r)
            self.assertEqual(r.error["code"], "file_too_large")
            self.assertEqual(r.error["message"], want)
            self.assertIn("file", r.fields)

    def test_request_over_64_mib_in_both_languages(self):
        # Four files of 17 MiB: each is allowed, together they go over the
        # request limit; nothing is stored.
        files = [("file", "part%d.zip" % i, b"\x02" * (17 << 20)) for i in range(4)]
        body, ctype = multipart(files)
        for lang, want in (("en", "larger than 64 MiB in all"), ("zh-CN", "合计超过 64 MiB")):
            r = self.t.a.post("contracts/%d/attachments" % self.k["id"], raw=body,
                              headers={"Content-Type": ctype, "Accept-Language": lang}, timeout=120)
            self.assertEqual(r.status, 413, r)
            self.assertEqual(r.error["code"], "upload_too_large")
            self.assertIn(want, r.error["message"])
            self.assertIn("20 MiB", r.error["message"])
        self.assertEqual(self.t.a.get("contracts/%d/attachments" % self.k["id"]).body["data"], [])
        # Other routes keep their own wording for a body over 1 MiB.
        r = self.t.a.post("customers", raw=b"{" + b" " * (1024 * 1024 + 10) + b"}")
        self.assertEqual(r.status, 413, r)
        self.assertNotEqual(r.error["code"], "upload_too_large")


GUANXI = os.environ.get("GUANXI")


def vm(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    raise KeyError(key)


def sanitized(binary):
    """Is binary built with AddressSanitizer? (Its quarantine keeps freed
    memory resident and its shadow memory adds to RSS, so memory figures
    of such a build are not the server's.)"""
    try:
        with open(binary, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


@unittest.skipUnless(DB and GUANXI and os.path.exists("/proc/self/clear_refs"),
                     "needs GX_DB and GUANXI (tests/api/run.sh sets them) and /proc")
@unittest.skipIf(GUANXI and sanitized(GUANXI), "RSS of an AddressSanitizer build is not the server's")
class LargeDownloadMemory(unittest.TestCase):
    """A file at the upload limit is sent without holding it in memory.

    A second server of its own on the suite's database (fresh, so what
    earlier tests left in the suite server's heap cannot hide anything)
    sends it four times (two after each other, two at once). Its peak RSS
    (VmHWM, reset to VmRSS just before through /proc/PID/clear_refs) must
    stay under a bound that does not grow with the file: 16 MiB (a fresh
    server's first requests on two threads: their malloc arenas, libpq's
    1 MiB input buffers, the 1 MiB pieces of two downloads at once; measured
    ~6 MiB on PostgreSQL) plus, on SQLite, its page cache (cache_size 16 MiB
    per connection, two worker threads; measured ~37 MiB in all). Held
    whole, the same four downloads took +173 MiB on SQLite and +260 MiB on
    PostgreSQL (bench/attachment_rss.py for more figures)."""

    def test_download_at_the_limit_keeps_rss_bounded(self):
        a = admin()
        k = contract(a)
        data = os.urandom(LIMIT)
        r = upload_raw(a, "contracts", k["id"], "扫描件.pdf", data)
        self.assertEqual(r.status, 201, r)
        path = "/api/v1/attachments/%d/content" % r.body["data"][0]["id"]
        del r
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        srv = subprocess.Popen([GUANXI, "serve", "--db", DB, "--listen", "127.0.0.1:%d" % port, "--threads", "2",
                                "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            def get(p, timeout=120):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                try:
                    conn.request("GET", p, headers={"Authorization": "Bearer " + a.token})
                    resp = conn.getresponse()
                    return resp.status, resp.read()
                finally:
                    conn.close()

            for _ in range(100):
                try:
                    if get("/healthz", 2)[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.1)
            self.assertEqual(get("/api/v1/contracts/%d" % k["id"])[0], 200)
            base = vm(srv.pid, "VmRSS")
            with open("/proc/%d/clear_refs" % srv.pid, "w") as f:
                f.write("5")  # VmHWM := VmRSS
            digest = hashlib.sha256(data).hexdigest()
            for _ in range(2):
                st, body = get(path)
                self.assertEqual(st, 200)
                self.assertEqual(hashlib.sha256(body).hexdigest(), digest)
            out = [None, None]

            def fetch(i):
                out[i] = get(path)

            ts = [threading.Thread(target=fetch, args=(i,)) for i in range(2)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            for st, body in out:
                self.assertEqual(st, 200)
                self.assertEqual(hashlib.sha256(body).hexdigest(), digest)
            peak = vm(srv.pid, "VmHWM") - base
            after = vm(srv.pid, "VmRSS") - base
        finally:
            srv.terminate()
            srv.wait(timeout=30)
        bound = 16 + (32 if not DB.startswith("postgres") else 0)
        print("\n    20 MiB download x4: VmRSS before %.1f MiB, peak +%.1f MiB, after +%.1f MiB (bound %d MiB)"
              % (base, peak, after, bound), flush=True)
        self.assertLess(peak, bound)


if __name__ == "__main__":
    unittest.main()
