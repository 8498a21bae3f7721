"""Imports look duplicates up per chunk of rows (one query per key kind for
512 rows) instead of per row. These tests run the same files both ways
(rowwise=1 is the row-by-row lookup imports did before) and assert the same
outcome: the same report (counts, errors with row numbers, fields and
messages), the same stored records, audit entries and search hits. The
files cross chunk boundaries and hold rows that match stored records (by
phone, e-mail in another case, name without the company suffix, someone
else's record), rows that fail (bad date, bad amount, a phone repeated in
the file) and rows whose name repeats an earlier row of the same file, in
the same chunk and in the next one. Issue #5."""
import random
import unittest

from client import admin, make_department, make_user, uniq

ROWS = 600  # rows 2..601: chunks of 512 rows are rows 2-513, 514-601


def mobiles(n):
    """n different mobile numbers (random ones could collide within a file:
    a row would then fail as a duplicate of another)."""
    base = random.randrange(10**8)
    return ["139%08d" % ((base + k * 7919) % 10**8) for k in range(n)]


class ImportChunks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        dept = make_department()["id"]
        cls.rep_rec, cls.rep = make_user(roles=("sales_manager",), department_id=dept)
        cls.other_rec, cls.other = make_user(roles=("sales_manager",), department_id=make_department()["id"])

    def imp(self, text, **query):
        return self.rep.req("POST", "customers/import", raw=text.encode("utf-8"),
                            headers={"Content-Type": "text/csv"},
                            query={k: str(v) for k, v in query.items()}, timeout=120)

    def file(self, tag):
        """The CSV and what its special rows are (row numbers as reported)."""
        phones = mobiles(ROWS + 2)
        m_stored, m_other = phones[ROWS], phones[ROWS + 1]
        stored = self.rep.create("customers", {"name": "旧甲%s" % tag, "phone": m_stored, "notes": "stored"})
        by_mail = self.rep.create("customers", {"name": "旧乙%s" % tag, "email": "old.%s@example.com" % tag})
        by_name = self.rep.create("customers", {"name": "旧丙%s集团有限公司" % tag})
        self.other.create("customers", {"name": "旧丁%s" % tag, "phone": m_other})
        rows = []
        for i in range(ROWS):
            row = i + 2
            name = "导%s行%04d贸易有限公司" % (tag, row)
            phone, email = phones[i], "r%d.%s@example.com" % (row, tag)
            birthday, limit = "1990-%02d-%02d" % (row % 12 + 1, row % 28 + 1), "%d.%02d" % (row * 7, row % 100)
            if row == 5:
                phone = m_stored                                  # a stored record by phone
            elif row == 30:
                phone, email = "", "OLD.%s@Example.com" % tag       # a stored record by e-mail (case ignored)
            elif row == 40:
                phone, name = "", "旧丙%s" % tag                   # a stored record by name (suffix dropped)
            elif row == 50:
                phone = m_other                                   # someone else's record
            elif row == 100:
                birthday = "2026-13-45"                           # fails: not a date
            elif row == 120:
                limit = "12.345"                                  # fails: not an amount (3 decimals)
            elif row == 130:
                phone = rows[10 - 2][1]                           # fails: the same phone as row 10
            elif row in (200, 550, 400):
                name = {200: "导%s行0150贸易" % tag,                # same name key as row 150 (same chunk)
                        550: "导%s行0250贸易(上海)" % tag,          # as row 250 (the chunk before)
                        400: "导%s行0390贸易有限公司" % tag}[row]    # as row 390 (same chunk)
                phone = ""
            rows.append((name, phone, email, "ABC"[row % 3], limit, birthday, "第%d行" % row))
        text = "客户名称,电话,邮箱,客户级别,信用额度,生日,备注\n" + "".join(
            ",".join(r) + "\n" for r in rows)
        return text, {"stored": stored, "by_mail": by_mail, "by_name": by_name}

    @staticmethod
    def outcome(body):
        return {k: body.get(k) for k in ("rows", "created", "updated", "skipped", "failed", "errors", "committed")}

    def test_dry_runs_report_the_same_both_ways(self):
        tag = uniq("")
        text, _ = self.file(tag)
        for mode in ("skip", "update", "create"):
            for partial in (0, 1):
                chunked = self.imp(text, on_duplicate=mode, partial=partial, dry_run=1)
                rowwise = self.imp(text, on_duplicate=mode, partial=partial, dry_run=1, rowwise=1)
                self.assertEqual(chunked.status, 200, chunked)
                self.assertEqual(self.outcome(chunked.body), self.outcome(rowwise.body), (mode, partial))
        # what the rows are, in skip mode: 3 errors, 5 matches (3 stored, 1 someone else's, 3 earlier rows)
        r = self.imp(text, dry_run=1)
        self.assertEqual([(e["row"], e["field"]) for e in r.body["errors"]],
                         [(100, "birthday"), (120, "credit_limit"), (130, "phone")], r.body["errors"])
        self.assertEqual((r.body["skipped"], r.body["failed"], r.body["created"]), (7, 3, ROWS - 10), r.body)
        # update mode: the other user's record is refused, the others updated
        r = self.imp(text, dry_run=1, partial=1, on_duplicate="update")
        self.assertIn((50, None), [(e["row"], e["field"]) for e in r.body["errors"]])
        self.assertEqual((r.body["updated"], r.body["failed"]), (6, 4), r.body)
        # nothing of the dry runs was stored
        self.assertEqual(self.rep.list("customers", query={"q": "导" + tag, "limit": 5}).body["total"], 0)

    def stored(self, tag):
        got = []
        offset = 0
        while True:
            page = self.rep.list("customers", query={"q": "导" + tag, "limit": 500, "offset": offset,
                                                     "sort": "name"}).body
            got += page["data"]
            offset += 500
            if offset >= page["total"]:
                return got

    @staticmethod
    def comparable(rec):
        skip = ("id", "code", "created_at", "updated_at", "version")
        return {k: v for k, v in rec.items() if k not in skip}

    def audit_of(self, ids):
        """The create entries of these records by the rep: {record_id: diff without code}."""
        out = {}
        offset = 0
        while True:
            page = admin().get("audit", query={"user_id": self.rep_rec["id"], "action": "create",
                                               "entity": "customers", "limit": 500, "offset": offset}).body["data"]
            for a in page:
                if a["record_id"] in ids:
                    out[a["record_id"]] = {k: v for k, v in a["diff"].items() if k != "code"}
            if len(page) < 500:
                return out
            offset += 500

    def search(self, tag, rows):
        hits = {}
        for row in rows:
            g = self.rep.get("search", query={"q": "%s行%04d" % (tag, row), "limit": 5}).body["data"]
            hits[row] = sorted(h["title"] for h in g)
        return hits

    def test_partial_imports_store_the_same_both_ways(self):
        tag = uniq("")
        text, known = self.file(tag)
        sample = (2, 3, 149, 150, 257, 258, 390, 513, 514, 601)
        runs = []
        for rowwise in (0, 1):
            r = self.imp(text, partial=1, rowwise=rowwise)
            self.assertEqual((r.status, r.body["committed"]), (201, True), r)
            recs = self.stored(tag)
            ids = {x["id"] for x in recs}
            # failing rows lost nothing else: every other new row is stored, once
            self.assertEqual(len(recs), r.body["created"])
            self.assertEqual(len(recs), ROWS - 10)
            self.assertEqual(len({x["name"] for x in recs}), len(recs))
            audit = self.audit_of(ids)
            self.assertEqual(set(audit), ids)          # one create entry per record
            runs.append({
                "report": self.outcome(r.body),
                "records": [self.comparable(x) for x in recs],
                "audit": [(x["name"], audit[x["id"]]) for x in recs],
                "search": self.search(tag, sample),
                "stored": self.rep.read("customers", known["stored"]["id"])["notes"],
            })
            self.assertEqual(self.rep.post("imports/%d/undo" % r.body["import_id"]).status, 200)
            self.assertEqual(len(self.stored(tag)), 0)
        chunked, rowwise = runs
        self.assertEqual(chunked["report"], rowwise["report"])
        self.assertEqual(chunked["records"], rowwise["records"])
        self.assertEqual(chunked["audit"], rowwise["audit"])
        self.assertEqual(chunked["search"], rowwise["search"])
        for row in sample:
            self.assertEqual(len(chunked["search"][row]), 1, (row, chunked["search"][row]))
        self.assertEqual(chunked["stored"], "stored")   # skipped, not changed


if __name__ == "__main__":
    unittest.main()
