"""Customer management core (issue 5): pick lists, the API contract's field
names, lead conversion (single and bulk, scope, 409 on the second time) and
next-step dates that create tasks."""
import unittest

from client import USER_PASSWORD, admin, login_client, make_department, make_user, uniq


def seeded(entity, code):
    rows = admin().list(entity, {"code": code}).body["data"]
    assert len(rows) == 1, (entity, code, rows)
    return rows[0]


class PickLists(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = uniq("PL")
        cls.dept = make_department(cls.p)
        cls.rep_user, cls.rep = make_user(("sales_rep",), cls.dept["id"])

    def test_defaults_are_seeded_with_stable_codes(self):
        types = {r["code"]: r for r in admin().list("customer_types", {"limit": 500}).body["data"]}
        self.assertEqual(types["distributor"]["name"], "经销商")
        self.assertEqual(types["distributor"]["discount_rate"], 15.0)
        self.assertEqual(types["end_user"]["discount_rate"], 0.0)
        codes = {r["code"] for r in admin().list("industries", {"limit": 500}).body["data"]}
        self.assertTrue({"it", "finance", "real_estate", "trade", "manufacturing", "government"} <= codes)
        names = {r["name"] for r in admin().list("customer_sources", {"limit": 500}).body["data"]}
        self.assertTrue({"促销活动", "搜索引擎", "客户介绍", "陌拜", "展会"} <= names)
        names = {r["name"] for r in admin().list("regions", {"limit": 500}).body["data"]}
        self.assertTrue({"华北", "华东", "华南", "华中", "西南", "西北", "东北"} <= names)

    def test_renaming_an_entry_keeps_the_records_that_use_it(self):
        t = admin().create("customer_types", {"name": self.p + " 大客户", "code": self.p + "-big", "discount_rate": 12.5})
        self.assertEqual(t["discount_rate"], 12.5)
        c = self.rep.create("customers", {"name": self.p + " 客户", "customer_type_id": t["id"]})
        r = admin().patch("customer_types/%d" % t["id"], {"name": self.p + " 战略客户", "version": t["version"]})
        self.assertEqual(r.status, 200, r)
        got = self.rep.read("customers", c["id"])
        self.assertEqual(got["customer_type_id"], t["id"])
        self.assertEqual(got["version"], c["version"])  # the customer was not rewritten
        self.assertEqual(self.rep.read("customer_types", t["id"])["name"], self.p + " 战略客户")
        # Filtering customers by the type still finds it.
        lst = self.rep.list("customers", {"customer_type_id": t["id"]})
        self.assertEqual(lst.ids, [c["id"]])

    def test_everyone_reads_only_administrators_change(self):
        r = self.rep.get("industries", {"limit": 500})
        self.assertEqual(r.status, 200, r)
        self.assertGreaterEqual(r.body["total"], 11)
        r = self.rep.post("industries", {"name": self.p + " 行业", "code": self.p + "-ind"})
        self.assertEqual(r.status, 403, r)
        trade = seeded("industries", "trade")
        r = self.rep.patch("industries/%d" % trade["id"], {"name": "改名", "version": trade["version"]})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(admin().read("industries", trade["id"])["name"], trade["name"])

    def test_bad_input(self):
        r = admin().post("customer_sources", {"name": "重复", "code": "referral"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(set(r.fields), {"code"})
        r = admin().post("customer_types", {"name": self.p + " x", "code": self.p + "-x", "discount_rate": 150})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"discount_rate"})
        r = admin().post("regions", {"code": self.p + "-noname"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"name"})
        self.assertEqual(admin().list("regions", {"code": self.p + "-noname"}).body["total"], 0)
        r = self.rep.post("customers", {"name": self.p + " c", "industry_id": 999999999})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"industry_id"})

    def test_regions_form_a_tree(self):
        east = seeded("regions", "east")
        sh = admin().create("regions", {"name": self.p + " 上海", "code": self.p + "-sh", "parent_id": east["id"]})
        self.assertEqual(sh["parent_id"], east["id"])
        r = admin().post("regions", {"name": self.p + " y", "code": self.p + "-y", "parent_id": 999999999})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"parent_id"})

    def test_replaced_fields_are_refused_naming_their_replacement(self):
        r = self.rep.post("customers", {"name": self.p + " old", "industry": "trade"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("industry_id", r.fields["industry"])
        c = self.rep.create("customers", {"name": self.p + " new", "industry_id": seeded("industries", "trade")["id"]})
        for old in ("customer_type", "source", "industry", "region"):
            self.assertNotIn(old, c)


class EnumPickLists(unittest.TestCase):
    """Options of enum fields: administrators change labels, order and what is
    offered; records keep their codes."""

    @classmethod
    def setUpClass(cls):
        cls.p = uniq("EP")
        cls.dept = make_department(cls.p)
        cls.rep_user, cls.rep = make_user(("sales_rep",), cls.dept["id"])
        cls.web = login_client(cls.rep_user["username"], USER_PASSWORD, cookie=True)

    def quality(self, client=None):
        r = (client or admin()).get("picklists")
        self.assertEqual(r.status, 200, r)
        lists = {(x["entity"], x["field"]): x["options"] for x in r.body["data"]}
        return {o["value"]: o for o in lists[("leads", "quality")]}

    def tearDown(self):
        r = admin().patch("picklists/leads/quality", {
            "hot": {"zh": "高", "en": "Hot", "sort": 10, "active": True},
            "warm": {"zh": "中", "en": "Warm", "sort": 20, "active": True},
            "cold": {"zh": "低", "en": "Cold", "sort": 30, "active": True}})
        self.assertEqual(r.status, 200, r)

    def test_relabel_reorder_and_retire_keep_the_records(self):
        lead = self.rep.create("leads", {"name": self.p + " 甲", "quality": "cold"})
        self.assertEqual(self.quality()["hot"]["labels"], {"zh": "高", "en": "Hot"})
        r = admin().patch("picklists/leads/quality", {
            "hot": {"zh": "优质" + self.p, "en": "Prime", "sort": 30, "active": True},
            "cold": {"zh": "冷淡" + self.p, "en": "Cold", "sort": 5, "active": False}})
        self.assertEqual(r.status, 200, r)
        q = self.quality(self.rep)
        self.assertEqual(q["hot"]["labels"], {"zh": "优质" + self.p, "en": "Prime"})
        self.assertEqual((q["cold"]["sort"], q["cold"]["active"]), (5, False))
        # the record is untouched and still shows, under the new label
        got = self.rep.read("leads", lead["id"])
        self.assertEqual((got["quality"], got["version"]), ("cold", lead["version"]))
        page = self.web.get("/app/leads/%d" % lead["id"])
        self.assertEqual(page.status, 200, page)
        self.assertIn("冷淡" + self.p, page.text)
        # the form offers the options in the new order, without the retired one
        form = self.web.get("/app/leads/new").text
        self.assertNotIn('<option value="cold"', form)
        self.assertLess(form.index('<option value="warm"'), form.index('<option value="hot"'))
        # a record holding the retired option keeps it in its edit form
        self.assertIn('<option value="cold" selected', self.web.get("/app/leads/%d/edit" % lead["id"]).text)

    def test_edited_labels_reach_metadata_exports_and_boards(self):
        lead = self.rep.create("leads", {"name": self.p + " 乙", "quality": "hot", "status": "new"})
        r = admin().patch("picklists/leads/quality", {
            "hot": {"zh": "优质" + self.p, "en": "Prime", "sort": 30, "active": True},
            "cold": {"zh": "低", "en": "Cold", "sort": 5, "active": False}})
        self.assertEqual(r.status, 200, r)
        meta = self.rep.get("meta/entities/leads", headers={"Accept-Language": "zh-CN"})
        self.assertEqual(meta.status, 200, meta)
        opts = [f for f in meta.body["fields"] if f["name"] == "quality"][0]["options"]
        self.assertEqual([o["value"] for o in opts], ["cold", "warm", "hot"])
        hot = opts[2]
        self.assertEqual((hot["label"], hot["labels"], hot["active"]), ("优质" + self.p, {"zh": "优质" + self.p, "en": "Prime"}, True))
        self.assertFalse(opts[0]["active"])
        csv = self.rep.get("leads/export", query={"format": "csv", "q": self.p + " 乙"},
                           headers={"Accept-Language": "zh-CN"})
        self.assertEqual(csv.status, 200, csv)
        self.assertIn("优质" + self.p, csv.raw.decode("utf-8-sig"))
        r = admin().patch("picklists/leads/status", {"new": {"zh": "待跟进" + self.p, "en": "Fresh", "sort": 10,
                                                             "active": True}})
        self.assertEqual(r.status, 200, r)
        try:
            board = self.web.get("/app/leads/board/status")
            self.assertEqual(board.status, 200, board)
            self.assertIn("待跟进" + self.p, board.text)
        finally:
            r = admin().patch("picklists/leads/status", {"new": {"zh": "新线索", "en": "New", "sort": 10, "active": True}})
            self.assertEqual(r.status, 200, r)
        self.assertEqual(self.rep.read("leads", lead["id"])["quality"], "hot")

    def test_only_administrators_edit(self):
        r = self.rep.patch("picklists/leads/quality", {"hot": {"zh": "改", "en": "x"}})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.quality()["hot"]["labels"]["zh"], "高")
        self.assertEqual(self.web.get("/admin/picklists").status, 403)

    def test_bad_input_stores_nothing(self):
        before = self.quality()
        for body, field in [({"nosuch": {"zh": "x", "en": "x"}}, "nosuch"),
                            ({"hot": {"zh": "", "en": "Hot"}}, "hot"),
                            ({"hot": {"zh": "高", "en": "Hot", "sort": "first"}}, "hot"),
                            ({"hot": {"zh": "长" * 61, "en": "Hot"}}, "hot")]:
            r = admin().patch("picklists/leads/quality", dict(body, warm={"zh": "中中", "en": "Warm"}))
            self.assertEqual(r.status, 422, (body, r))
            self.assertEqual(set(r.fields), {field})
        self.assertEqual(self.quality(), before)
        self.assertEqual(admin().patch("picklists/leads/nosuch", {}).status, 404)
        self.assertEqual(admin().patch("picklists/leads/name", {}).status, 404)
        self.assertEqual(admin().req("PATCH", "picklists/leads/quality", raw=b"[").status, 400)


class Contract(unittest.TestCase):
    """The field names of the API contract in issue 5."""

    def test_field_names(self):
        want = {
            "customers": {"name", "kind", "customer_type_id", "source_id", "industry_id", "region_id", "phone",
                          "email", "address", "owner_id", "birthday"},
            "contacts": {"name", "customer_id", "title", "superior_id", "phone", "mobile", "email", "birthday"},
            "leads": {"name", "company", "phone", "email", "source_id", "status"},
            "activities": {"kind", "subject", "body", "parent_type", "parent_id", "occurred_at"},
        }
        cust = admin().create("customers", {"name": uniq("契约"), "kind": "individual", "birthday": "1990-02-03",
                                            "customer_type_id": seeded("customer_types", "vip")["id"],
                                            "source_id": seeded("customer_sources", "referral")["id"],
                                            "industry_id": seeded("industries", "it")["id"],
                                            "region_id": seeded("regions", "south")["id"]})
        recs = {
            "customers": cust,
            "contacts": admin().create("contacts", {"name": uniq("c"), "customer_id": cust["id"]}),
            "leads": admin().create("leads", {"name": uniq("l")}),
            "activities": admin().create("activities", {"subject": uniq("a"), "kind": "note",
                                                        "parent_type": "customers", "parent_id": cust["id"],
                                                        "body": "正文"}),
        }
        for entity, fields in want.items():
            self.assertTrue(fields <= set(recs[entity]), (entity, fields - set(recs[entity])))
        self.assertEqual(recs["customers"]["birthday"], "1990-02-03")
        self.assertEqual(recs["leads"]["status"], "new")
        self.assertEqual(recs["activities"]["body"], "正文")
        self.assertNotIn("related_type", recs["activities"])
        self.assertNotIn("content", recs["activities"])
        kinds = {o["value"] for o in admin().get("meta/entities/activities").body["fields"][1]["options"]}
        self.assertTrue({"call", "visit", "meeting", "email", "note"} <= kinds)


class Conversion(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = uniq("LC")
        cls.dept = make_department(cls.p)
        cls.rep1_user, cls.rep1 = make_user(("sales_rep",), cls.dept["id"])
        cls.rep2_user, cls.rep2 = make_user(("sales_rep",), cls.dept["id"])
        cls.mgr_user, cls.mgr = make_user(("sales_manager",), cls.dept["id"])
        cls.source = seeded("customer_sources", "exhibition")

    def lead(self, client=None, **extra):
        values = {"name": "王经理" + uniq(""), "company": self.p + " 公司" + uniq(""), "title": "采购经理",
                  "phone": "13800138000", "email": "wang@example.com", "source_id": self.source["id"],
                  "quality": "hot"}
        values.update(extra)
        return (client or self.rep1).create("leads", values)

    def count(self, client, entity, query):
        return client.list(entity, dict(query, limit=1)).body["total"]

    def test_convert_creates_customer_contact_opportunity_and_moves_history(self):
        lead = self.lead()
        act = self.rep1.create("activities", {"subject": "展会交流", "kind": "meeting", "parent_type": "leads",
                                              "parent_id": lead["id"], "body": "对产品感兴趣"})
        r = self.rep1.post("leads/%d/convert" % lead["id"], {"create_opportunity": True})
        self.assertEqual(r.status, 200, r)
        ids = r.body
        cust = self.rep1.read("customers", ids["customer_id"])
        self.assertEqual((cust["name"], cust["kind"], cust["owner_id"], cust["source_id"], cust["email"]),
                         (lead["company"], "company", self.rep1.id, self.source["id"], "wang@example.com"))
        contact = self.rep1.read("contacts", ids["contact_id"])
        self.assertEqual((contact["name"], contact["customer_id"], contact["title"], contact["is_primary"]),
                         (lead["name"], ids["customer_id"], "采购经理", True))
        opp = self.rep1.read("opportunities", ids["opportunity_id"])
        initial = self.rep1.list("opportunity_stages", {"code": "initial"}).body["data"][0]
        self.assertEqual((opp["customer_id"], opp["contact_id"], opp["lead_id"], opp["owner_id"], opp["stage_id"],
                          opp["probability_pct"]),
                         (ids["customer_id"], ids["contact_id"], lead["id"], self.rep1.id, initial["id"], 10))
        got = self.rep1.read("leads", lead["id"])
        self.assertEqual((got["status"], got["customer_id"], got["contact_id"], got["opportunity_id"]),
                         ("converted", ids["customer_id"], ids["contact_id"], ids["opportunity_id"]))
        self.assertTrue(got["converted_at"].endswith("Z"))
        moved = self.rep1.read("activities", act["id"])
        self.assertEqual((moved["parent_type"], moved["parent_id"], moved["contact_id"]),
                         ("customers", ids["customer_id"], ids["contact_id"]))
        hist = self.rep1.get("leads/%d/history" % lead["id"]).body["data"]
        self.assertIn(("status", "new", "converted"),
                      [(h["field"], h["old"], h["new"]) for h in hist])

    def test_converting_twice_is_a_conflict_and_creates_nothing(self):
        lead = self.lead()
        r = self.rep1.post("leads/%d/convert" % lead["id"], {})
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.body["opportunity_id"])
        before = self.count(self.rep1, "customers", {"owner_id": self.rep1.id})
        contacts = self.count(self.rep1, "contacts", {"owner_id": self.rep1.id})
        r = self.rep1.post("leads/%d/convert" % lead["id"], {"create_opportunity": True})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(self.count(self.rep1, "customers", {"owner_id": self.rep1.id}), before)
        self.assertEqual(self.count(self.rep1, "contacts", {"owner_id": self.rep1.id}), contacts)

    def test_another_reps_lead_is_not_found_and_untouched(self):
        lead = self.lead()
        r = self.rep2.post("leads/%d/convert" % lead["id"], {"create_opportunity": True})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(self.rep1.read("leads", lead["id"]), lead)
        r = self.rep2.post("leads/999999999/convert", {})
        self.assertEqual(r.status, 404, r)

    def test_manager_converts_for_the_owner(self):
        lead = self.lead()
        r = self.mgr.post("leads/%d/convert" % lead["id"], {"create_opportunity": True})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.rep1.read("customers", r.body["customer_id"])["owner_id"], self.rep1.id)
        self.assertEqual(self.rep1.read("opportunities", r.body["opportunity_id"])["owner_id"], self.rep1.id)

    def test_into_an_existing_customer(self):
        cust = self.rep1.create("customers", {"name": self.p + " 老客户"})
        lead = self.lead(company="")
        r = self.rep1.post("leads/%d/convert" % lead["id"], {"customer_id": cust["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["customer_id"], cust["id"])
        self.assertEqual(self.rep1.read("contacts", r.body["contact_id"])["customer_id"], cust["id"])
        self.assertEqual(self.rep1.read("customers", cust["id"])["version"], cust["version"])

    def test_bad_input_writes_nothing(self):
        other = self.rep2.create("customers", {"name": self.p + " 别人的客户"})
        lead = self.lead()
        contacts = self.count(admin(), "contacts", {"customer_id": other["id"]})
        cases = [
            ({"customer_id": other["id"]}, 422, {"customer_id"}),  # not visible to rep1
            ({"customer_id": "x"}, 422, {"customer_id"}),
            ({"customer_id": -3}, 422, {"customer_id"}),
            ({"create_opportunity": "yes"}, 422, {"create_opportunity"}),
        ]
        for body, status, fields in cases:
            r = self.rep1.post("leads/%d/convert" % lead["id"], body)
            self.assertEqual(r.status, status, (body, r))
            self.assertEqual(set(r.fields), fields, body)
        r = self.rep1.req("POST", "leads/%d/convert" % lead["id"], raw=b"{not json")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(self.rep1.read("leads", lead["id"]), lead)
        self.assertEqual(self.count(admin(), "contacts", {"customer_id": other["id"]}), contacts)

    def test_converted_links_are_read_only(self):
        lead = self.lead()
        cust = self.rep1.create("customers", {"name": self.p + " 只读"})
        r = self.rep1.patch("leads/%d" % lead["id"], {"customer_id": cust["id"], "version": lead["version"]})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"customer_id"})

    def test_bulk_conversion_reports_each_lead(self):
        mine = [self.lead() for _ in range(3)]
        done = self.lead()
        self.assertEqual(self.rep1.post("leads/%d/convert" % done["id"], {}).status, 200)
        foreign = self.lead(client=self.rep2)
        ids = [l["id"] for l in mine] + [done["id"], foreign["id"]]
        r = self.rep1.post("leads/convert", {"ids": ids, "create_opportunity": True})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.body["converted"], r.body["failed"]), (3, 2))
        by_id = {row["lead_id"]: row for row in r.body["data"]}
        for l in mine:
            self.assertIsInstance(by_id[l["id"]]["opportunity_id"], int)
            self.assertEqual(self.rep1.read("leads", l["id"])["status"], "converted")
        self.assertEqual(by_id[done["id"]]["error"]["code"], "conflict")
        self.assertEqual(by_id[foreign["id"]]["error"]["code"], "not_found")
        self.assertEqual(self.rep2.read("leads", foreign["id"])["status"], "new")
        for body in ({"ids": []}, {"ids": "1,2"}, {"ids": [1, "x"]}, {}, {"ids": list(range(1, 502))}):
            r = self.rep1.post("leads/convert", body)
            self.assertEqual(r.status, 422, (body, r))
            self.assertEqual(set(r.fields), {"ids"})


class NextStepTasks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = uniq("NT")
        cls.dept = make_department(cls.p)
        cls.rep1_user, cls.rep1 = make_user(("sales_rep",), cls.dept["id"])
        cls.rep2_user, cls.rep2 = make_user(("sales_rep",), cls.dept["id"])
        cls.cust = cls.rep1.create("customers", {"name": cls.p + " 客户"})

    def tasks_of(self, client, act_id):
        return client.list("tasks", {"activity_id": act_id}).body["data"]

    def test_next_at_creates_a_task_for_the_owner(self):
        act = self.rep1.create("activities", {"subject": "电话沟通", "kind": "call", "parent_type": "customers",
                                              "parent_id": self.cust["id"], "next_step": "发送报价单",
                                              "next_at": "2026-12-01T10:00:00+08:00"})
        tasks = self.tasks_of(self.rep1, act["id"])
        self.assertEqual(len(tasks), 1)
        t = tasks[0]
        self.assertEqual((t["subject"], t["due_at"], t["status"], t["owner_id"], t["parent_type"], t["parent_id"]),
                         ("发送报价单", "2026-12-01T02:00:00Z", "open", self.rep1.id, "customers", self.cust["id"]))
        self.assertEqual(self.tasks_of(self.rep2, act["id"]), [])
        self.assertEqual(self.rep2.get("tasks/%d" % t["id"]).status, 404)
        # Moving the date moves the open task; no second task.
        r = self.rep1.patch("activities/%d" % act["id"], {"next_at": "2026-12-03T09:00:00Z", "version": act["version"]})
        self.assertEqual(r.status, 200, r)
        tasks = self.tasks_of(self.rep1, act["id"])
        self.assertEqual([(x["id"], x["due_at"]) for x in tasks], [(t["id"], "2026-12-03T09:00:00Z")])

    def test_no_next_at_no_task(self):
        act = self.rep1.create("activities", {"subject": "备注", "kind": "note", "parent_type": "customers",
                                              "parent_id": self.cust["id"]})
        self.assertEqual(self.tasks_of(self.rep1, act["id"]), [])

    def test_a_done_task_is_not_reopened_a_new_one_is_made(self):
        act = self.rep1.create("activities", {"subject": "拜访", "kind": "visit", "parent_type": "customers",
                                              "parent_id": self.cust["id"], "next_at": "2026-12-05T09:00:00Z"})
        t = self.tasks_of(self.rep1, act["id"])[0]
        r = self.rep1.patch("tasks/%d" % t["id"], {"status": "done", "version": t["version"]})
        self.assertEqual(r.status, 200, r)
        r = self.rep1.patch("activities/%d" % act["id"], {"next_at": "2026-12-09T09:00:00Z", "version": act["version"]})
        self.assertEqual(r.status, 200, r)
        got = sorted((x["status"], x["due_at"]) for x in self.tasks_of(self.rep1, act["id"]))
        self.assertEqual(got, [("done", "2026-12-05T09:00:00Z"), ("open", "2026-12-09T09:00:00Z")])

    def test_bad_task_input(self):
        r = self.rep1.post("tasks", {"subject": "x", "status": "maybe"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"status"})
        r = self.rep1.post("tasks", {"due_at": "2026-12-01T10:00:00Z"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"subject"})


if __name__ == "__main__":
    unittest.main()
