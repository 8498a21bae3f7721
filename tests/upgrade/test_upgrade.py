"""test_upgrade.py — migrate databases written by earlier releases and check
that nothing was lost and the new parts work (see run.sh).

Fixtures (each `guanxi init --admin-password Admin12345` + `guanxi demo
--customers 40` by the released binary; demo users' password demo12345):
  release-2.db  migrations 1-2, commit 2392180
  release-3.db  migrations 1-3, commit 1a9efd6
  release-4.db  migrations 1-4, commit 86d74b1
  release-5.db  migrations 1-5, commit 958b67b (the schema of release
                40b0693), plus one attachment on customer 1 (客户资料.pdf,
                bytes 0..255 five times) uploaded through the API
  release-6.db  migrations 1-6, commit 5fcc821, with the same attachment
  release-7.db  migrations 1-7, commit 4ecc0c6, with the same attachment
A fixture is copied to a temporary directory first; it is never changed.
Later migrations that convert data add their checks here."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from served import Server  # noqa: E402  (tests/served.py)

HERE = os.path.dirname(os.path.abspath(__file__))
GUANXI = os.environ["GUANXI"]


def tables(path):
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def scalar(path, sql, *args):
    with sqlite3.connect(path) as db:
        return db.execute(sql, args).fetchone()[0]


class Upgrade:
    """Checks that hold for every fixture; subclasses name the fixture."""
    FIXTURE = None
    COUNTED = ("customers", "contacts", "activities", "users", "departments", "roles", "audit_log")

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="guanxi-upgrade.")
        cls.db = os.path.join(cls.tmp, "old.db")
        shutil.copy(os.path.join(HERE, cls.FIXTURE), cls.db)
        cls.before_tables = tables(cls.db)
        cls.before = {t: scalar(cls.db, "SELECT count(*) FROM %s" % t) for t in cls.COUNTED}
        cls.rep_customers = scalar(cls.db, "SELECT count(*) FROM customers c JOIN users u ON u.id = c.owner_id"
                                           " WHERE u.username = 'rep_a1' AND c.deleted_at IS NULL")
        cls.sample = scalar(cls.db, "SELECT name FROM customers WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
        cls.prepare()
        out = subprocess.run([GUANXI, "migrate", "--db", cls.db], capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr
        # A new installation, for comparing the built-in roles.
        cls.fresh = os.path.join(cls.tmp, "fresh.db")
        out = subprocess.run([GUANXI, "init", "--db", cls.fresh, "--admin-password", "Admin12345"],
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr
        cls.server = Server(cls.db)
        cls.admin = cls.server.login("admin", "Admin12345")

    @classmethod
    def prepare(cls):
        """Changes to the copied fixture before it is migrated (after the
        rows were counted)."""

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_every_migration_applied_once(self):
        applied = [r[0] for r in sqlite3.connect(self.db).execute("SELECT version FROM schema_migrations ORDER BY 1")]
        fresh = [r[0] for r in sqlite3.connect(self.fresh).execute("SELECT version FROM schema_migrations ORDER BY 1")]
        self.assertEqual(applied, fresh)
        self.assertGreaterEqual(len(applied), 3)

    def test_no_rows_lost(self):
        for table, n in self.before.items():
            if table in ("audit_log", "notifications"):  # the server adds to these once it runs
                self.assertGreaterEqual(scalar(self.db, "SELECT count(*) FROM %s" % table), n, table)
            else:
                self.assertEqual(scalar(self.db, "SELECT count(*) FROM %s" % table), n, table)

    def test_same_tables_as_a_new_installation(self):
        self.assertEqual(tables(self.db), tables(self.fresh))

    def test_front_desk_covering_indexes_of_migration_7(self):
        """Migration 7's data step indexes the day view, the daily journal
        and member care on an old database as on a new one; the members'
        partial index holds every member and nobody else."""
        def indexes(path):
            with sqlite3.connect(path) as db:
                return {r[0]: r[1] for r in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                                                       " AND name IN ('bookings_day_idx', 'checkout_lines_day_idx',"
                                                       " 'customers_members_idx')")}
        self.assertEqual(indexes(self.db), indexes(self.fresh))
        self.assertEqual(len(indexes(self.db)), 3)
        members = scalar(self.db, "SELECT count(*) FROM customers NOT INDEXED WHERE member_type_id IS NOT NULL"
                                  " AND deleted_at IS NULL")
        self.assertEqual(scalar(self.db, "SELECT count(*) FROM customers INDEXED BY customers_members_idx"
                                         " WHERE member_type_id IS NOT NULL AND deleted_at IS NULL"), members)
        # the per-member month summary holds the old checkouts, exactly
        with sqlite3.connect(self.db) as db:
            months = sorted(db.execute("SELECT month, customer_id, checkouts, total, discount, points"
                                       " FROM checkout_member_months"))
            want = sorted(db.execute("SELECT substr(business_day, 1, 7), customer_id, count(*), sum(total),"
                                     " sum(discount), sum(points_awarded) FROM checkouts WHERE deleted_at IS NULL"
                                     " AND customer_id IS NOT NULL AND business_day IS NOT NULL GROUP BY 1, 2"))
        self.assertEqual(months, want)

    def test_front_desk_writes_fewer_indexes_after_migration_8(self):
        """Migration 8 drops the checkouts' and checkout lines' indexes no
        request reads and makes two partial, on an old database as on a new
        one: the rebuilt indexes hold exactly the rows their conditions name,
        and a member's consumption still adds up (through the customer
        index)."""
        def indexes(path):
            with sqlite3.connect(path) as db:
                return {r[0]: r[1] for r in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                                                       " AND tbl_name IN ('checkouts', 'checkout_lines',"
                                                       " 'member_ledger')")}
        old = indexes(self.db)
        self.assertEqual(old, indexes(self.fresh))
        for gone in ("checkouts_x0_idx", "checkouts_x1_idx", "checkout_lines_x0_idx"):
            self.assertNotIn(gone, old)
        for kept in ("checkouts_customer_id_idx", "checkout_lines_x1_idx", "checkout_lines_day_idx",
                     "member_ledger_x0_idx"):
            self.assertIn(kept, old)
        self.assertIn("business_day IS NOT NULL", old["checkouts_member_sums_idx"])
        self.assertIn("expires_on IS NOT NULL", old["member_ledger_x1_idx"])
        self.assertEqual(
            scalar(self.db, "SELECT count(*) FROM checkouts INDEXED BY checkouts_member_sums_idx"
                            " WHERE deleted_at IS NULL AND business_day IS NOT NULL"),
            scalar(self.db, "SELECT count(*) FROM checkouts NOT INDEXED WHERE deleted_at IS NULL"
                            " AND business_day IS NOT NULL"))
        self.assertEqual(
            scalar(self.db, "SELECT count(*) FROM member_ledger INDEXED BY member_ledger_x1_idx"
                            " WHERE deleted_at IS NULL AND expires_on IS NOT NULL"),
            scalar(self.db, "SELECT count(*) FROM member_ledger NOT INDEXED WHERE deleted_at IS NULL"
                            " AND expires_on IS NOT NULL"))
        row = sqlite3.connect(self.db).execute(
            "SELECT customer_id, count(*), sum(total) FROM checkouts WHERE deleted_at IS NULL AND customer_id IS"
            " NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1").fetchone()
        if row is None:
            return  # a fixture without member checkouts
        cid, n, total = row
        status, body = self.server.call("GET", "/reports/member_consumption?customer_id=%d&from=2000-01-01&to=2099-12-31"
                                        % cid, token=self.admin)
        self.assertEqual(status, 200, body)
        self.assertEqual([(x["count"], x["total"]) for x in body["rows"]], [(n, total)])

    def test_document_lines_have_full_indexes_for_purging(self):
        # Migration 8: the foreign keys to orders, quotes and order lines are
        # checked through full indexes (a partial one cannot serve them), on
        # old and new databases alike
        tables = ("order_lines", "quote_lines", "deliveries", "returns", "delivery_lines", "return_lines")

        def indexes(path):
            with sqlite3.connect(path) as db:
                return {r[0]: r[1] for r in db.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN (%s)"
                    % ", ".join("?" * len(tables)), tables)}
        old, new = indexes(self.db), indexes(self.fresh)
        self.assertEqual(old, new)
        for name in ("order_lines_order_id_idx", "quote_lines_quote_id_idx", "deliveries_order_id_idx",
                     "returns_order_id_idx", "delivery_lines_order_line_id_idx", "return_lines_order_line_id_idx"):
            self.assertIn(name, old)
            self.assertNotIn("WHERE", old[name].upper())
        for name in ("order_lines_x0_idx", "quote_lines_x0_idx", "deliveries_x0_idx", "returns_x0_idx",
                     "delivery_lines_x1_idx", "return_lines_x1_idx"):
            self.assertNotIn(name, old)

    def test_customers_optional_indexes_of_migration_8(self):
        """Migration 8: the indexes of customers' optional columns hold
        their non-NULL values only, on an old database as on a new one,
        every such row and nothing else; lookups by value still read them."""
        names = {"credit_code": "customers_credit_code_idx", "source_id": "customers_source_id_idx",
                 "pool_id": "customers_pool_id_idx", "former_owner_id": "customers_former_owner_id_idx",
                 "card_no": "customers_card_no_key", "member_type_id": "customers_member_type_id_idx",
                 "expires_on": "customers_expires_on_idx"}
        def indexes(path):
            with sqlite3.connect(path) as db:
                return {r[0]: r[1] for r in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                                                       " AND tbl_name = 'customers'")}
        old, new = indexes(self.db), indexes(self.fresh)
        self.assertEqual(old, new)
        for col, idx in names.items():
            self.assertTrue(old[idx].endswith("(%s) WHERE %s IS NOT NULL" % (col, col)), old[idx])
            want = scalar(self.db, "SELECT count(*) FROM customers NOT INDEXED WHERE %s IS NOT NULL" % col)
            self.assertEqual(scalar(self.db, "SELECT count(*) FROM customers INDEXED BY %s WHERE %s IS NOT NULL"
                                    % (idx, col)), want, idx)
        self.assertTrue(old["customers_card_no_key"].startswith("CREATE UNIQUE INDEX"))
        # the full indexes of list columns stay (they serve sorted lists)
        for idx in ("customers_industry_id_idx", "customers_region_id_idx", "customers_customer_type_id_idx"):
            self.assertNotIn("WHERE", old[idx])
        with sqlite3.connect(self.db) as db:
            plan = " ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN SELECT id FROM customers WHERE pool_id = 1"
                                                     " AND owner_id IS NULL AND deleted_at IS NULL"))
        self.assertIn("customers_pool_id_idx", plan)

    def test_every_search_table_merges_16_segments_a_level(self):
        # Migration 9: FTS5's automerge 16 and crisismerge 64 on every FTS5 table, old and new.
        for path in (self.db, self.fresh):
            with sqlite3.connect(path) as db:
                names = [n for n, in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                                " AND sql LIKE 'CREATE VIRTUAL TABLE % USING fts5(%'")]
                self.assertIn("customers_gw", names)
                for n in names:
                    self.assertEqual(db.execute("SELECT k, v FROM %s_config WHERE k IN ('automerge', 'crisismerge')"
                                                " ORDER BY k" % n).fetchall(),
                                     [("automerge", 16), ("crisismerge", 64)], (path, n))

    def test_customer_docs_list_the_customers_of_existing_documents(self):
        # Migration 9: a customer's money figures are added up only for the
        # customers listed here, so the migration must list every customer
        # that already has an order, contract, return, payment, invoice or plan.
        with sqlite3.connect(self.db) as db:
            have = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            want = set()
            for t in ("orders", "contracts", "returns", "payments", "invoices", "payment_plans"):
                if t in have:
                    want |= {r[0] for r in db.execute("SELECT customer_id FROM %s WHERE customer_id IS NOT NULL" % t)}
            got = {r[0] for r in db.execute("SELECT customer_id FROM customer_docs")}
            triggers = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                                 " AND name LIKE '%customer_docs%'")}
        self.assertEqual(got, want)
        self.assertEqual(triggers, {"%s_customer_docs_%s" % (t, k) for t in ("orders", "contracts", "returns",
                                    "payments", "invoices", "payment_plans") for k in "iu"})

    def test_same_columns_as_a_new_installation(self):
        def columns(path):
            with sqlite3.connect(path) as db:
                names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                                  " AND sql NOT LIKE 'CREATE VIRTUAL%'")]
                return {t: {r[1] for r in db.execute("PRAGMA table_info(%s)" % t)} for t in names}
        old, new = columns(self.db), columns(self.fresh)
        for table, cols in new.items():
            # Columns of fields removed from the schema stay behind on old databases.
            self.assertEqual(cols - old.get(table, set()), set(), table)

    def test_builtin_roles_gain_the_new_entities(self):
        def perms(path):
            with sqlite3.connect(path) as db:
                return {code: json.loads(p or "{}") for code, p in db.execute("SELECT code, permissions FROM roles")}
        old, new = perms(self.db), perms(self.fresh)
        new_entities = [t for t in tables(self.fresh) - self.before_tables]
        for code, grants in new.items():
            for entity, g in grants.items():
                if entity in new_entities:
                    self.assertEqual(old[code].get(entity), g, "%s/%s" % (code, entity))

    def test_old_users_log_in_and_keep_their_scope(self):
        token = self.server.login("rep_a1", "demo12345")
        status, body = self.server.call("GET", "/customers?limit=500", token=token)
        self.assertEqual(status, 200)
        self.assertEqual(body["total"], self.rep_customers)

    def test_search_finds_old_records(self):
        status, body = self.server.call("GET", "/customers?q=" + urllib.request.quote(self.sample[:3]), token=self.admin)
        self.assertEqual(status, 200)
        self.assertIn(self.sample, [c["name"] for c in body["data"]])

    def test_old_records_can_be_edited(self):
        status, body = self.server.call("GET", "/customers?limit=1&sort=id", token=self.admin)
        c = body["data"][0]
        status, body = self.server.call("PATCH", "/customers/%d" % c["id"],
                                        {"notes": "升级后编辑", "version": c["version"]}, token=self.admin)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["notes"], "升级后编辑")



class FromRelease2(Upgrade, unittest.TestCase):
    FIXTURE = "release-2.db"

    # Data converted by migration 3 (values known from the fixture).

    def test_pick_lists_replace_the_old_enum_columns(self):
        c = self.server.call("GET", "/customers/1", token=self.admin)[1]
        self.assertEqual(c["name"], "沈阳鼎盛教育咨询有限公司")
        for field, entity, code in (("customer_type_id", "customer_types", "distributor"),
                                    ("source_id", "customer_sources", "referral"),
                                    ("industry_id", "industries", "education")):
            self.assertIsInstance(c[field], int, field)
            status, item = self.server.call("GET", "/%s/%d" % (entity, c[field]), token=self.admin)
            self.assertEqual(status, 200, (field, item))
            self.assertEqual(item["code"], code, field)
        self.assertIsInstance(c["region_id"], int)

    def test_phones_are_e164(self):
        c = self.server.call("GET", "/customers/1", token=self.admin)[1]
        self.assertEqual(c["phone"], "+862426211131")
        k = self.server.call("GET", "/contacts/1", token=self.admin)[1]
        self.assertEqual(k["mobile"], "+8615505640048")

    def test_activities_speak_the_contract(self):
        a = self.server.call("GET", "/activities/1", token=self.admin)[1]
        self.assertEqual(a["body"], "整理了上次会议的结论和待办事项，抄送双方负责人。")
        self.assertEqual((a["parent_type"], a["parent_id"]), ("customers", 1))
        self.assertNotIn("content", a)

    def test_global_search_and_duplicates_know_old_records(self):
        status, body = self.server.call("GET", "/search?q=" + urllib.request.quote("鼎盛教育"), token=self.admin)
        self.assertEqual(status, 200, body)
        self.assertIn(("customers", 1), [(d["entity"], d["id"]) for d in body["data"]])
        status, body = self.server.call("GET", "/search?q=2621%201131", token=self.admin)
        self.assertIn(("customers", 1), [(d["entity"], d["id"]) for d in body["data"]])
        status, body = self.server.call("GET", "/customers/duplicates?phone=024-26211131", token=self.admin)
        self.assertEqual(status, 200, body)
        self.assertIn(1, [d.get("id") for d in body["data"]])


class FromRelease3(Upgrade, unittest.TestCase):
    FIXTURE = "release-3.db"
    COUNTED = Upgrade.COUNTED + ("leads", "opportunities", "tasks", "pools", "member_types", "resources",
                                 "bookings", "checkouts", "checkout_lines", "member_ledger", "notifications")

    def test_fixture_has_data_of_migration_3(self):
        for table in ("bookings", "checkouts", "leads", "tasks"):
            self.assertGreater(self.before[table], 0, table)

    def test_membership_reports_still_add_up(self):
        total = scalar(self.db, "SELECT coalesce(sum(total), 0) FROM checkouts WHERE deleted_at IS NULL")
        self.assertGreater(total, 0)
        status, body = self.server.call("GET", "/reports/income?period=total", token=self.admin)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["total"], total)

    # Data converted by migration 4.

    def test_ledger_lines_get_their_business_day(self):
        self.assertEqual(scalar(self.db, "SELECT count(*) FROM member_ledger WHERE business_day IS NULL"), 0)
        self.assertEqual(scalar(self.db, "SELECT count(*) FROM member_ledger WHERE business_day <>"
                                         " date(created_at, '+8 hours')"), 0)

    def test_income_counts_old_topups_and_fees(self):
        topups = scalar(self.db, "SELECT coalesce(sum(delta), 0) FROM member_ledger WHERE kind = 'balance'"
                                 " AND delta > 0 AND checkout_id IS NULL AND payment_method IN ('cash', 'card')")
        fees = scalar(self.db, "SELECT coalesce(sum(delta), 0) FROM member_ledger WHERE kind = 'fee'")
        cash = scalar(self.db, "SELECT coalesce(sum(total), 0) FROM checkouts WHERE deleted_at IS NULL"
                               " AND payment_method IN ('cash', 'card')")
        self.assertGreater(topups + cash, 0)
        body = self.server.call("GET", "/reports/income?period=total", token=self.admin)[1]
        self.assertEqual((body["topups"], body["fees"], body["cash"]), (topups, fees, cash))

    def test_opportunity_stages_replace_the_old_enum(self):
        # release 3 stored the stage as an enum value; migration 4 links every
        # opportunity to the stage of that code and copies its probability
        self.assertEqual(self.before["opportunities"], 2)
        rows = sqlite3.connect(self.db).execute(
            "SELECT o.stage, s.code, o.probability_pct, s.probability_pct, o.closed_on FROM opportunities o"
            " JOIN opportunity_stages s ON s.id = o.stage_id ORDER BY o.id").fetchall()
        self.assertEqual(rows, [("initial", "initial", 10, 10, None)] * 2)
        status, body = self.server.call("GET", "/opportunities?sort=id", token=self.admin)
        self.assertEqual(status, 200, body)
        self.assertEqual([(o["probability_pct"], "stage" in o) for o in body["data"]], [(10, False)] * 2)
        status, body = self.server.call("GET", "/reports/funnel", token=self.admin)
        self.assertEqual(status, 200, body)
        self.assertEqual([(s["code"], s["count"]) for s in body["stages"] if s["count"]], [("initial", 2)])
    def test_sales_reps_read_credit_limits_only(self):
        rules = json.loads(scalar(self.db, "SELECT field_rules FROM roles WHERE code = 'sales_rep'") or "{}")
        self.assertEqual(rules.get("customers", {}).get("credit_limit"), "readonly")
        token = self.server.login("rep_a1", "demo12345")
        status, body = self.server.call("GET", "/customers?limit=1", token=token)
        cust = body["data"][0]
        status, body = self.server.call("PATCH", "/customers/%d" % cust["id"],
                                        {"credit_limit": 1, "version": cust["version"]}, token=token)
        self.assertEqual(status, 403, body)

    def test_customers_get_their_value_fields_and_the_pyramid_index(self):
        # release 3 had no orders: every customer starts with no purchases
        db = sqlite3.connect(self.db)
        self.assertEqual(db.execute("SELECT count(*) FROM customers WHERE total_purchases <> 0 OR purchase_count <> 0"
                                    " OR last_purchase_on IS NOT NULL OR rfm_segment IS NOT NULL").fetchone()[0], 0)
        self.assertEqual(db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'customers_value_idx'")
                         .fetchone()[0], 1)
        status, body = self.server.call("GET", "/reports/customer_value", token=self.admin)
        self.assertEqual(status, 200, body)
        self.assertEqual((body["customers"], body["purchasing"]), (self.before["customers"], 0))


class FromRelease4(Upgrade, unittest.TestCase):
    FIXTURE = "release-4.db"
    COUNTED = FromRelease3.COUNTED + ("products", "competitors", "opportunity_stages", "quotes", "quote_lines",
                                      "orders", "order_lines", "payments", "payment_plans", "contracts", "invoices",
                                      "invoice_lines", "approvals", "deliveries", "returns", "sales_targets",
                                      "assignment_rules")

    def test_fixture_has_data_of_migration_4(self):
        for table in ("quotes", "orders", "order_lines", "payments", "contracts", "invoices", "deliveries", "returns"):
            self.assertGreater(self.before[table], 0, table)

    def test_orders_keep_their_numbers_lines_and_totals(self):
        db = sqlite3.connect(self.db)
        rows = db.execute("SELECT id, number, status, total FROM orders WHERE deleted_at IS NULL ORDER BY id").fetchall()
        self.assertGreater(len(rows), 0)
        for oid, number, status_, total in rows:
            lines = db.execute("SELECT count(*) FROM order_lines WHERE order_id = ?", (oid,)).fetchone()[0]
            status, body = self.server.call("GET", "/orders/%d" % oid, token=self.admin)
            self.assertEqual(status, 200, body)
            self.assertEqual((body["number"], body["status"], body["total"], len(body["lines"])),
                             (number, status_, total, lines))

    def test_customers_owe_what_their_documents_say(self):
        # balance_due = approved-or-later orders + contracts without an order
        #               - returns' credit - payments (computed on every read)
        db = sqlite3.connect(self.db)
        live = " WHERE deleted_at IS NULL AND customer_id = ?"
        ids = [r[0] for r in db.execute("SELECT DISTINCT customer_id FROM orders WHERE deleted_at IS NULL")]
        self.assertGreater(len(ids), 0)
        nonzero = 0
        for cid in ids:
            def total(sql):
                return db.execute(sql, (cid,)).fetchone()[0] or 0
            owed = (total("SELECT sum(total) FROM orders" + live +
                          " AND status IN ('approved', 'delivered', 'invoiced', 'closed', 'returned')")
                    + total("SELECT sum(amount) FROM contracts" + live +
                            " AND status IN ('active', 'expired') AND order_id IS NULL")
                    - total("SELECT sum(credit_amount) FROM returns" + live)
                    - total("SELECT sum(amount) FROM payments" + live))
            status, body = self.server.call("GET", "/customers/%d" % cid, token=self.admin)
            self.assertEqual(status, 200, body)
            self.assertEqual(body["balance_due"], owed, cid)
            nonzero += owed != 0
        self.assertGreater(nonzero, 0)

    def test_receivables_report_agrees_with_every_customer(self):
        status, rep = self.server.call("GET", "/reports/receivables?limit=500", token=self.admin)
        self.assertEqual(status, 200, rep)
        self.assertGreater(rep["total"], 0)
        keys = ("receivable_total", "received_total", "balance_due", "overdue_amount")
        sums = dict.fromkeys(keys, 0)
        for row in rep["data"]:
            status, c = self.server.call("GET", "/customers/%d" % row["customer_id"], token=self.admin)
            self.assertEqual(status, 200, c)
            self.assertEqual([row[k] for k in keys], [c[k] for k in keys], row["customer_id"])
            for k in keys:
                sums[k] += row[k]
        self.assertEqual(sums, rep["totals"])

    def test_files_can_be_attached_after_upgrading(self):
        oid = scalar(self.db, "SELECT min(id) FROM orders WHERE deleted_at IS NULL")
        data = bytes(range(256)) * 3
        req = urllib.request.Request(self.server.url("/api/v1/orders/%d/attachments" % oid), method="POST", data=data)
        req.add_header("Authorization", "Bearer " + self.admin)
        req.add_header("Content-Type", "application/octet-stream")
        req.add_header("X-File-Name", urllib.parse.quote("订单附件.pdf"))
        with urllib.request.urlopen(req, timeout=30) as r:
            self.assertEqual(r.status, 201)
            aid = json.loads(r.read())["data"][0]["id"]
        req = urllib.request.Request(self.server.url("/api/v1/attachments/%d/content" % aid))
        req.add_header("Authorization", "Bearer " + self.admin)
        with urllib.request.urlopen(req, timeout=30) as r:
            self.assertEqual(r.read(), data)


class FromRelease5(Upgrade, unittest.TestCase):
    FIXTURE = "release-5.db"
    COUNTED = FromRelease4.COUNTED + ("attachments",)

    def test_attachments_keep_their_content(self):
        status, body = self.server.call("GET", "/customers/1/attachments", token=self.admin)
        self.assertEqual(status, 200, body)
        self.assertEqual([a["name"] for a in body["data"]], ["客户资料.pdf"])
        req = urllib.request.Request(self.server.url(body["data"][0]["url"]))
        req.add_header("Authorization", "Bearer " + self.admin)
        with urllib.request.urlopen(req, timeout=30) as r:
            self.assertEqual(r.read(), bytes(range(256)) * 5)

    def test_global_search_finds_old_customers_by_name_and_phone(self):
        db = sqlite3.connect(self.db)
        cid, name, phone = db.execute("SELECT id, name, phone FROM customers WHERE deleted_at IS NULL AND phone"
                                      " IS NOT NULL ORDER BY id LIMIT 1").fetchone()
        for q in (name, phone[-6:]):
            status, body = self.server.call("GET", "/search?q=" + urllib.parse.quote(q), token=self.admin)
            self.assertEqual(status, 200, body)
            self.assertIn(("customers", cid), [(d["entity"], d["id"]) for d in body["data"]], q)

    def test_list_search_of_old_customers_reads_global_search_with_their_notes(self):
        # Migration 6: customers, contacts and leads lose their own trigram and
        # per-character tables; global search's rows gain the notes, so the
        # list's search still finds an old customer by a part of its notes
        # (3+ characters and 2 Chinese characters), its name and its phone.
        db = sqlite3.connect(self.db)
        left = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE name IN ('customers_fts', 'customers_fts2', 'contacts_fts',"
            " 'contacts_fts2', 'leads_fts', 'leads_fts2')")]
        self.assertEqual(left, [])
        cid, name, phone, notes = db.execute(
            "SELECT id, name, phone, notes FROM customers WHERE deleted_at IS NULL AND phone IS NOT NULL"
            " AND length(notes) >= 6 ORDER BY id LIMIT 1").fetchone()
        for q in (notes[1:5], notes[2:4], name, phone[-7:]):
            status, body = self.server.call("GET", "/customers?limit=500&q=" + urllib.parse.quote(q), token=self.admin)
            self.assertEqual(status, 200, body)
            self.assertIn(cid, [d["id"] for d in body["data"]], q)


class FromRelease6(Upgrade, unittest.TestCase):
    FIXTURE = "release-6.db"
    COUNTED = FromRelease5.COUNTED

    test_attachments_keep_their_content = FromRelease5.test_attachments_keep_their_content
    test_global_search_finds_old_customers_by_name_and_phone = \
        FromRelease5.test_global_search_finds_old_customers_by_name_and_phone
    test_list_search_of_old_customers_reads_global_search_with_their_notes = \
        FromRelease5.test_list_search_of_old_customers_reads_global_search_with_their_notes

    SEARCH_TABLES = ("customers_gt", "customers_gw", "contacts_gt", "contacts_gw")

    @classmethod
    def segments(cls, table):
        return scalar(cls.db, "SELECT count(DISTINCT segid) FROM %s_idx" % table)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Right after the migration (the tests below write).
        cls.segments_after = {t: cls.segments(t) for t in cls.SEARCH_TABLES}

    @classmethod
    def prepare(cls):
        cls.segments_before = {t: cls.segments(t) for t in cls.SEARCH_TABLES}
        # A file left behind by a purge of release 5 (its purge did not take
        # the record's files): customer 424242 does not exist.
        db = sqlite3.connect(cls.db)
        with db:
            cur = db.execute("INSERT INTO attachments(parent_type, parent_id, name, mime_type, size, sha256,"
                             " created_at) VALUES ('customers', 424242, '旧合同.pdf', 'application/pdf', 3, 'abc',"
                             " '2026-01-02T03:04:05Z')")
            cls.orphan = cur.lastrowid
            db.execute("INSERT INTO attachment_contents(attachment_id, content) VALUES (?, x'010203')", (cls.orphan,))
        db.close()

    def test_search_tables_are_merged_and_still_find_old_records_in_scope(self):
        # Migration 7 merges global search's tables into one segment each
        # (the fixture's are in 3: release 6's writes, like migration 6's
        # rewrite on big databases, left several).
        self.assertGreater(self.segments_before["customers_gw"], 1)
        self.assertGreater(self.segments_before["customers_gt"], 1)
        self.assertEqual(self.segments_after, {t: 1 for t in self.SEARCH_TABLES})
        db = sqlite3.connect(self.db)
        cid, name, phone = db.execute("SELECT c.id, c.name, c.phone FROM customers c JOIN users u ON u.id = c.owner_id"
                                      " WHERE u.username = 'rep_a1' AND c.deleted_at IS NULL AND c.phone IS NOT NULL"
                                      " ORDER BY c.id LIMIT 1").fetchone()
        rep, other = self.server.login("rep_a1", "demo12345"), self.server.login("rep_a2", "demo12345")
        for q in (name[:2], name[:4], phone[-8:-3], phone[-4:]):
            status, body = self.server.call("GET", "/search?limit=50&q=" + urllib.parse.quote(q), token=rep)
            self.assertEqual(status, 200, body)
            self.assertIn(("customers", cid), [(d["entity"], d["id"]) for d in body["data"]], q)
            status, body = self.server.call("GET", "/search?limit=50&q=" + urllib.parse.quote(q), token=other)
            self.assertNotIn(("customers", cid), [(d["entity"], d["id"]) for d in body["data"]], q)

    def test_files_of_purged_records_are_deleted_with_an_audit_row(self):
        db = sqlite3.connect(self.db)
        self.assertEqual(db.execute("SELECT count(*) FROM attachments WHERE id = ?", (self.orphan,)).fetchone()[0], 0)
        self.assertEqual(db.execute("SELECT count(*) FROM attachment_contents WHERE attachment_id = ?",
                                    (self.orphan,)).fetchone()[0], 0)
        # The files of existing records stay (customer 1's, checked above too).
        self.assertEqual(db.execute("SELECT count(*) FROM attachments WHERE parent_id = 1").fetchone()[0], 1)
        status, body = self.server.call("GET", "/audit?entity=customers&record_id=424242", token=self.admin)
        self.assertEqual(status, 200, body)
        rows = [a for a in body["data"] if a["action"] == "attachment_delete"]
        self.assertEqual(len(rows), 1, body)
        diff = rows[0]["diff"] if isinstance(rows[0]["diff"], dict) else json.loads(rows[0]["diff"])
        self.assertEqual((diff["name"], diff["attachment_id"], diff["orphan"]), ("旧合同.pdf", self.orphan, True))

    def test_orders_lose_two_indexes_and_keep_their_lines(self):
        # Migration 7: no index of order lines by product, one index of
        # orders by customer (the full one), on old and new databases alike
        def indexes(path):
            with sqlite3.connect(path) as db:
                return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'"
                                                 " AND tbl_name IN ('orders', 'order_lines')")}
        old, new = indexes(self.db), indexes(self.fresh)
        self.assertEqual(old, new)
        self.assertNotIn("order_lines_product_id_idx", old)
        self.assertNotIn("orders_x0_idx", old)
        self.assertIn("orders_customer_id_idx", old)
        self.assertIn("order_lines_order_id_idx", old)  # migration 8: the full index that replaced order_lines_x0_idx
        db = sqlite3.connect(self.db)
        cid, n = db.execute("SELECT customer_id, count(*) FROM orders WHERE deleted_at IS NULL GROUP BY 1"
                            " ORDER BY 2 DESC, 1 LIMIT 1").fetchone()
        oid, lines = db.execute("SELECT o.id, count(l.id) FROM orders o JOIN order_lines l ON l.order_id = o.id"
                                " AND l.deleted_at IS NULL WHERE o.deleted_at IS NULL GROUP BY o.id ORDER BY o.id"
                                " LIMIT 1").fetchone()
        status, body = self.server.call("GET", "/orders?customer_id=%d&sort=-order_date" % cid, token=self.admin)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["total"], n)
        status, body = self.server.call("GET", "/orders/%d" % oid, token=self.admin)
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["lines"]), lines)


class FromRelease7(Upgrade, unittest.TestCase):
    FIXTURE = "release-7.db"
    COUNTED = FromRelease5.COUNTED

    def test_an_old_order_is_purged_with_its_lines(self):
        # on a copy of the upgraded file, with a server of its own: the other
        # tests count the fixture's orders
        path = os.path.join(self.tmp, "purge.db")
        with sqlite3.connect(self.db) as src, sqlite3.connect(path) as dst:
            src.backup(dst)
        db = sqlite3.connect(path)
        row = db.execute(
            "SELECT o.id, count(l.id) FROM orders o JOIN order_lines l ON l.order_id = o.id"
            " WHERE o.deleted_at IS NULL AND o.status = 'draft'"
            " AND NOT EXISTS (SELECT 1 FROM payment_plans x WHERE x.order_id = o.id)"
            " AND NOT EXISTS (SELECT 1 FROM payments x WHERE x.order_id = o.id)"
            " AND NOT EXISTS (SELECT 1 FROM invoices x WHERE x.order_id = o.id)"
            " AND NOT EXISTS (SELECT 1 FROM contracts x WHERE x.order_id = o.id)"
            " AND NOT EXISTS (SELECT 1 FROM deliveries x WHERE x.order_id = o.id)"
            " AND NOT EXISTS (SELECT 1 FROM returns x WHERE x.order_id = o.id)"
            " GROUP BY o.id ORDER BY o.id LIMIT 1").fetchone()
        db.close()
        self.assertIsNotNone(row, "the fixture has a draft order with lines and nothing else referring to it")
        oid, n = row
        self.assertGreater(n, 0)
        server = Server(path)
        try:
            token = server.login("admin", "Admin12345")
            status, body = server.call("DELETE", "/orders/%d" % oid, token=token)
            self.assertEqual(status, 204, body)
            status, body = server.call("POST", "/orders/%d/purge" % oid, token=token)
            self.assertEqual(status, 204, body)
        finally:
            server.stop()
        self.assertEqual(scalar(path, "SELECT count(*) FROM order_lines WHERE order_id = ?", oid), 0)
        self.assertEqual(scalar(path, "SELECT count(*) FROM orders WHERE id = ?", oid), 0)

    test_attachments_keep_their_content = FromRelease5.test_attachments_keep_their_content
    test_global_search_finds_old_customers_by_name_and_phone = \
        FromRelease5.test_global_search_finds_old_customers_by_name_and_phone
    test_list_search_of_old_customers_reads_global_search_with_their_notes = \
        FromRelease5.test_list_search_of_old_customers_reads_global_search_with_their_notes

    SID = ("customers_sid_idx", "contacts_sid_idx", "leads_sid_idx")

    def test_search_reads_live_rows_by_id_and_a_manager_finds_his_old_customers(self):
        # Migration 8: <table>_sid_idx of customers, contacts and leads (id,
        # updated_at, scope columns, deleted_at of live rows), as on a new
        # installation; global search under a department tree and the list's
        # text search read it (INDEXED BY: a missing index fails the request).
        def indexes(path):
            with sqlite3.connect(path) as db:
                return {r[0]: r[1] for r in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                                                       " AND name IN (%s)" % ", ".join("'%s'" % n for n in self.SID))}
        self.assertEqual(indexes(self.db), indexes(self.fresh))
        self.assertEqual(len(indexes(self.db)), 3)
        for t in ("customers", "contacts"):
            self.assertEqual(scalar(self.db, "SELECT count(*) FROM %s INDEXED BY %s_sid_idx WHERE deleted_at IS NULL"
                                    % (t, t)),
                             scalar(self.db, "SELECT count(*) FROM %s NOT INDEXED WHERE deleted_at IS NULL" % t))
        db = sqlite3.connect(self.db)
        mine = db.execute("SELECT c.id, c.name, c.phone FROM customers c JOIN users u ON u.department_id ="
                          " c.department_id WHERE u.username = 'manager_a' AND c.deleted_at IS NULL AND c.phone"
                          " IS NOT NULL ORDER BY c.id LIMIT 1").fetchone()
        other = db.execute("SELECT c.id, c.name FROM customers c JOIN departments d ON d.id = c.department_id"
                           " WHERE d.name = '销售二部' AND c.owner_id IS NOT NULL AND c.deleted_at IS NULL"
                           " ORDER BY c.id LIMIT 1").fetchone()  # outside 销售一部 and its 华东组
        mgr = self.server.login("manager_a", "demo12345")
        for q in (mine[1][:2], mine[1][:4], mine[2][-8:-3], mine[2][-4:]):
            status, body = self.server.call("GET", "/search?limit=50&q=" + urllib.parse.quote(q), token=mgr)
            self.assertEqual(status, 200, body)
            self.assertIn(("customers", mine[0]), [(d["entity"], d["id"]) for d in body["data"]], q)
            status, body = self.server.call("GET", "/customers?limit=500&q=" + urllib.parse.quote(q), token=mgr)
            self.assertEqual(status, 200, body)
            self.assertIn(mine[0], [d["id"] for d in body["data"]], q)
        for q in (other[1][:2], other[1][:4]):
            status, body = self.server.call("GET", "/search?limit=50&q=" + urllib.parse.quote(q), token=mgr)
            self.assertNotIn(("customers", other[0]), [(d["entity"], d["id"]) for d in body["data"]], q)
            status, body = self.server.call("GET", "/customers?limit=500&q=" + urllib.parse.quote(q), token=mgr)
            self.assertNotIn(other[0], [d["id"] for d in body["data"]], q)


if __name__ == "__main__":
    unittest.main()
