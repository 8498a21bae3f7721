"""test_gen.py — the bench generator's database is one the server serves as
it is (see run.sh): guanxi-bench-gen --verify makes a small database
(2,000 customers, 4,000 contacts, 8,000 activities; --verify compares the
schema with a fresh one, the activities' text search with ddl.c's
expression and the global-search rows with search_fill's), then the server
starts on it without applying a migration and answers counts, global
search (names, phone parts, e-mails, pinyin initials) within each user's
scope, the list's text search and duplicate checks from the generated
rows, and a create continues the generated codes.

Expected answers are computed here from the generated rows (sqlite3), not
taken from the server."""
import os
import sqlite3
import subprocess
import sys
import tempfile
import shutil
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from served import Server  # noqa: E402  (tests/served.py)

GUANXI = os.environ["GUANXI"]
GEN = os.environ.get("GUANXI_BENCH_GEN") or os.path.join(os.path.dirname(GUANXI), "guanxi-bench-gen")
PASSWORD = "Bench12345"
CUSTOMERS, CONTACTS_PER, ACTIVITIES_PER, USERS = 2000, 2, 4, 40
LIMIT = 50


def digit_part(phone, n):
    """n digits from inside the national number, not starting with 0 (a
    leading 0 is also tried without it, as a trunk prefix)."""
    num = national(phone)
    i = next(i for i in range(1, 5) if num[i] != "0")
    return num[i:i + n]


def national(phone):
    """'+8613812345678' -> '13812345678', '+862188886666' -> '02188886666'."""
    assert phone.startswith("+86"), phone
    rest = phone[3:]
    return rest if rest.startswith("1") else "0" + rest


class Generated(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="guanxi-gen.")
        cls.db = os.path.join(cls.tmp, "gen.db")
        out = subprocess.run([GEN, "--db", cls.db, "--customers", str(CUSTOMERS), "--contacts-per", str(CONTACTS_PER),
                              "--activities-per", str(ACTIVITIES_PER), "--users", str(USERS), "--verify"],
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr
        cls.gen_output = out.stdout
        fresh = os.path.join(cls.tmp, "fresh.db")
        out = subprocess.run([GUANXI, "init", "--db", fresh, "--admin-password", PASSWORD], capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr
        cls.fresh_migrations = cls.q(fresh, "SELECT group_concat(version) FROM schema_migrations")[0][0]
        cls.migrations_before = cls.q(cls.db, "SELECT group_concat(version) FROM schema_migrations")[0][0]
        # what the answers are computed from
        cls.users = {u: i for i, u in cls.q(cls.db, "SELECT id, username FROM users")}
        cls.customers = cls.q(cls.db, "SELECT id, name, phone, email, owner_id, department_id,"
                                      " coalesce(code, '') || ' ' || coalesce(credit_code, '') || ' ' || coalesce(notes, '')"
                                      " FROM customers")
        cls.contacts = cls.q(cls.db, "SELECT id, name, mobile, phone, email, owner_id, department_id FROM contacts")
        cls.server = Server(cls.db)
        cls.admin = cls.server.login("admin", PASSWORD)
        cls.rep = cls.server.login("u1", PASSWORD)
        cls.manager = cls.server.login("m1", PASSWORD)  # region manager: department and below

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @staticmethod
    def q(path, sql, *args):
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def get(self, token, path, **query):
        status, body = self.server.call("GET", path, token=token, query=query)
        self.assertEqual(status, 200, (path, query, body))
        return body

    def search(self, token, text):
        return {(x["entity"], x["id"]) for x in self.get(token, "/search", q=text, limit=LIMIT)["data"]}

    def visible(self, who):
        """A predicate (owner_id, department_id) -> bool for the user's scope."""
        if who == "admin":
            return lambda owner, dept: True
        if who == "u1":
            uid = self.users["u1"]
            return lambda owner, dept: owner == uid
        region = self.q(self.db, "SELECT department_id FROM users WHERE username = 'm1'")[0][0]
        depts = {d for d, in self.q(self.db, "SELECT id FROM departments WHERE id = ? OR parent_id = ?", region, region)}
        return lambda owner, dept: dept in depts

    def expected(self, who, match):
        """(entity, id) of the records in who's scope for which match(name,
        phones, texts) holds; texts: e-mail, and code, credit code and notes
        of customers (contacts' other texts are WeChat ids)."""
        ok = self.visible(who)
        want = {("customers", c[0]) for c in self.customers
                if match(c[1], [c[2]], (c[3] or "") + " " + c[6]) and ok(c[4], c[5])}
        want |= {("contacts", c[0]) for c in self.contacts
                 if match(c[1], [c[2], c[3]], c[4] or "") and ok(c[5], c[6])}
        return want

    def rare_fragment(self, name, n=3):
        """The substring of n characters of name that the fewest names hold."""
        names = [c[1] + " " + c[6] for c in self.customers] + [c[1] for c in self.contacts]
        parts = {name[i:i + n] for i in range(len(name) - n + 1) if " " not in name[i:i + n]}
        return min(sorted(parts), key=lambda p: sum(p in x for x in names))

    def target(self, who="u1"):
        """A Chinese-named customer of rep u1 with a mobile number."""
        uid = self.users[who]
        for c in self.customers:
            if c[4] == uid and c[2] and c[2].startswith("+861") and not any("a" <= ch.lower() <= "z" for ch in c[1]):
                return c
        self.fail("no Chinese-named customer of %s with a mobile" % who)

    def test_generator_verified_its_rows(self):
        self.assertIn("verify global search", self.gen_output)
        self.assertIn("search indexes equal to their rows", self.gen_output)

    def test_served_at_the_current_migration_without_migrating(self):
        self.assertEqual(self.migrations_before, self.fresh_migrations)
        self.assertEqual(self.q(self.db, "SELECT group_concat(version) FROM schema_migrations")[0][0],
                         self.fresh_migrations)

    def test_search_tables_merge_16_segments_a_level(self):
        # The migrations set every FTS5 table's automerge 16 and crisismerge 64 (migration
        # 9); the generator fills its search tables in scratch files with
        # automerge 0 and copies them in — the main file's setting stays.
        names = [n for n, in self.q(self.db, "SELECT name FROM sqlite_master WHERE type = 'table'"
                                             " AND sql LIKE 'CREATE VIRTUAL TABLE % USING fts5(%'")]
        self.assertIn("customers_gw", names)
        self.assertIn("activities_fts", names)
        for n in names:
            self.assertEqual(self.q(self.db, "SELECT k, v FROM %s_config WHERE k IN ('automerge', 'crisismerge')"
                                             " ORDER BY k" % n), [("automerge", 16), ("crisismerge", 64)], n)

    def test_counts(self):
        for entity, n in (("customers", CUSTOMERS), ("contacts", CUSTOMERS * CONTACTS_PER),
                          ("activities", CUSTOMERS * ACTIVITIES_PER)):
            self.assertEqual(self.get(self.admin, "/" + entity, limit=1)["total"], n, entity)
        mine = sum(1 for c in self.customers if c[4] == self.users["u1"])
        self.assertGreater(mine, 0)
        self.assertEqual(self.get(self.rep, "/customers", limit=1)["total"], mine)

    def test_global_search_by_name_part_in_each_scope(self):
        c = self.target()
        frag = self.rare_fragment(c[1])
        for who, token in (("admin", self.admin), ("u1", self.rep), ("m1", self.manager)):
            want = self.expected(who, lambda name, phones, texts: frag in name or frag in texts)
            self.assertLessEqual(len(want), LIMIT, frag)
            self.assertEqual(self.search(token, frag), want, (who, frag))
        self.assertIn(("customers", c[0]), self.search(self.rep, frag))

    def test_global_search_by_phone_part(self):
        c = self.target()
        part = digit_part(c[2], 7)

        def match(name, phones, texts):
            return any(p and part in national(p) for p in phones) or part in texts
        want = self.expected("admin", match)
        self.assertIn(("customers", c[0]), want)
        self.assertLessEqual(len(want), LIMIT)
        self.assertEqual(self.search(self.admin, part), want)
        self.assertEqual(self.search(self.rep, part), self.expected("u1", match))

    def test_global_search_by_email_and_contact(self):
        emails = [x[3] for x in self.customers if x[3]] + [x[4] for x in self.contacts if x[4]]
        c = next(x for x in self.customers if x[3] and x[4] == self.users["u1"]
                 and sum(x[3] in e for e in emails) == 1)
        self.assertEqual(self.search(self.admin, c[3]), {("customers", c[0])})
        k = next(x for x in self.contacts if x[2] and x[5] == self.users["u1"]
                 and not any("a" <= ch.lower() <= "z" for ch in x[1]))
        self.assertIn(("contacts", k[0]), self.search(self.rep, national(k[2])))
        self.assertIn(("contacts", k[0]), self.search(self.rep, k[1]))

    def test_global_search_by_pinyin_initials(self):
        c = self.target()
        # the first pinyin-initials word of the name as indexed (which letters
        # a name gives is the server's dictionary; --verify compared the
        # words with search_fill's): its first 4 letters find the customer
        words = self.q(self.db, "SELECT c2 FROM customers_gw_content WHERE id = ?", c[0])[0][0].split()
        self.assertTrue(words, "no pinyin words for %s" % c[1])
        self.assertIn(("customers", c[0]), self.search(self.rep, words[0][:4]))

    def test_list_search(self):
        c = self.target()
        frag = self.rare_fragment(c[1])
        want = {x[0] for x in self.customers if frag in x[1]}
        body = self.get(self.admin, "/customers", q=frag, limit=100)
        self.assertEqual({x["id"] for x in body["data"]}, want)
        self.assertEqual(body["total"], len(want))
        digits = digit_part(c[2], 8)
        want = {x[0] for x in self.customers if (x[2] and digits in national(x[2])) or digits in x[6]}
        self.assertIn(c[0], want)
        self.assertEqual({x["id"] for x in self.get(self.admin, "/customers", q=digits, limit=100)["data"]}, want)

    def test_duplicate_checks_find_generated_records(self):
        c = self.target()
        typed = national(c[2])
        typed = typed[:3] + " " + typed[3:7] + " " + typed[7:]
        d = self.get(self.rep, "/customers/duplicates", phone=typed)["data"]
        self.assertIn(c[0], [x.get("id") for x in d])
        d = self.get(self.rep, "/customers/duplicates", name=c[1])["data"]
        self.assertIn(c[0], [x.get("id") for x in d])
        k = next(x for x in self.contacts if x[2] and x[5] == self.users["u1"])
        d = self.get(self.rep, "/contacts/duplicates", phone=national(k[2]))["data"]
        self.assertIn(k[0], [x.get("id") for x in d])
        # another rep's customer: found, not shown
        other = next(x for x in self.customers if x[2] and x[4] != self.users["u1"]
                     and sum(1 for y in self.customers if y[2] == x[2]) == 1)
        d = self.get(self.rep, "/customers/duplicates", phone=national(other[2]))["data"]
        self.assertEqual([x["visible"] for x in d], [False])

    def test_create_continues_codes_and_is_searchable(self):
        year = self.q(self.db, "SELECT strftime('%Y', 'now', '+8 hours')")[0][0]
        last = self.q(self.db, "SELECT max(code) FROM customers WHERE code LIKE ?", "C%s%%" % year)[0][0]
        status, body = self.server.call("POST", "/customers", {"name": "生成器测试客户甲乙丙"}, token=self.rep)
        self.assertEqual(status, 201, body)
        self.assertEqual(body["code"], "C%s%06d" % (year, int(last[5:]) + 1 if last else 1))
        self.assertEqual(self.search(self.rep, "测试客户甲"), {("customers", body["id"])})


if __name__ == "__main__":
    unittest.main()
