"""test_sales_opps.py — products and their categories, competitors and
competing products, opportunity stages (a settings list with the win
probability), opportunities on stages, the sales funnel and the weighted
forecast (issue #6, helper "opps")."""
import unittest

from client import admin, make_user, make_department, uniq


def product_body(**kw):
    body = {"code": uniq("P"), "name": uniq("产品"), "unit": "台", "price": 129900, "cost": 80000}
    body.update(kw)
    return body


class Products(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dept = make_department()
        cls.mgr_rec, cls.mgr = make_user(roles=("sales_manager",), department_id=cls.dept["id"])
        cls.rep_rec, cls.rep = make_user(roles=("sales_rep",), department_id=cls.dept["id"])

    def test_manager_creates_product_in_category_and_rep_reads_it(self):
        line = self.mgr.create("product_categories", {"name": uniq("产品线"), "code": uniq("L")})
        sub = self.mgr.create("product_categories", {"name": uniq("分类"), "code": uniq("C"), "parent_id": line["id"]})
        self.assertEqual(sub["parent_id"], line["id"])
        p = self.mgr.create("products", product_body(category_id=sub["id"]))
        self.assertEqual((p["price"], p["cost"], p["active"], p["category_id"]), (129900, 80000, True, sub["id"]))
        got = self.rep.read("products", p["id"])
        self.assertEqual(got["name"], p["name"])
        r = self.rep.patch("products/%d" % p["id"], {"price": 1, "version": got["version"]})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.rep.post("products", product_body()).status, 403)
        off = self.mgr.patch("products/%d" % p["id"], {"active": False, "version": got["version"]})
        self.assertEqual(off.status, 200, off)
        self.assertIs(off.body["active"], False)
        self.assertEqual(self.rep.list("products", {"active": "false", "code": p["code"]}).ids, [p["id"]])

    def test_negative_price_is_422_and_nothing_is_written(self):
        code = uniq("P")
        r = self.mgr.post("products", product_body(code=code, price=-1))
        self.assertEqual(r.status, 422, r)
        self.assertIn("price", r.fields)
        r = self.mgr.post("products", product_body(code=code, cost=-5))
        self.assertEqual(r.status, 422, r)
        self.assertIn("cost", r.fields)
        self.assertEqual(admin().list("products", {"code": code}).body["total"], 0)

    def test_duplicate_code_and_missing_name(self):
        p = self.mgr.create("products", product_body())
        r = self.mgr.post("products", product_body(code=p["code"]))
        self.assertEqual(r.status, 409, r)
        r = self.mgr.post("products", {"code": uniq("P"), "price": 100})
        self.assertEqual(r.status, 422, r)
        self.assertIn("name", r.fields)
        r = self.mgr.post("products", product_body(category_id=987654321))
        self.assertEqual(r.status, 422, r)
        self.assertIn("category_id", r.fields)


class Competitors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mgr_rec, cls.mgr = make_user(roles=("sales_manager",))
        cls.rep_rec, cls.rep = make_user(roles=("sales_rep",))

    def test_competitor_with_products(self):
        comp = self.mgr.create("competitors", {"name": uniq("对手"), "website": "https://example.com",
                                               "strengths": "价格低", "weaknesses": "服务差"})
        cp = self.mgr.create("competitor_products", {"competitor_id": comp["id"], "name": uniq("竞品"), "price": 99900})
        self.assertEqual(cp["competitor_id"], comp["id"])
        self.assertEqual(self.rep.list("competitor_products", {"competitor_id": comp["id"]}).ids, [cp["id"]])
        self.assertEqual(self.rep.post("competitors", {"name": uniq("x")}).status, 403)
        r = self.mgr.post("competitor_products", {"competitor_id": comp["id"], "name": uniq("竞品"), "price": -1})
        self.assertEqual(r.status, 422, r)
        self.assertIn("price", r.fields)

    def test_opportunity_names_its_competitor_and_competing_products(self):
        comp = self.mgr.create("competitors", {"name": uniq("对手")})
        cp1 = self.mgr.create("competitor_products", {"competitor_id": comp["id"], "name": uniq("竞品"), "price": 100})
        cp2 = self.mgr.create("competitor_products", {"competitor_id": comp["id"], "name": uniq("竞品"), "price": 200})
        opp = self.rep.create("opportunities", {"name": uniq("商机"), "competitor_id": comp["id"],
                                                "competitor_product_ids": [cp1["id"], cp2["id"]]})
        got = self.rep.read("opportunities", opp["id"])
        self.assertEqual((got["competitor_id"], sorted(got["competitor_product_ids"])),
                         (comp["id"], sorted([cp1["id"], cp2["id"]])))
        r = self.rep.post("opportunities", {"name": uniq("商机"), "competitor_product_ids": [987654321]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("competitor_product_ids", r.fields)


if __name__ == "__main__":
    unittest.main()


def stage_id(code):
    r = admin().list("opportunity_stages", {"code": code})
    return r.body["data"][0]["id"]


class Stages(unittest.TestCase):
    """Stages are a settings list: managers edit, reps read and pick."""

    @classmethod
    def setUpClass(cls):
        cls.dept = make_department()
        cls.mgr_rec, cls.mgr = make_user(roles=("sales_manager",), department_id=cls.dept["id"])
        cls.rep_rec, cls.rep = make_user(roles=("sales_rep",), department_id=cls.dept["id"])

    def new_stage(self, **kw):
        body = {"name": uniq("阶段"), "code": uniq("s"), "sort": 900, "probability_pct": 45, "kind": "open"}
        body.update(kw)
        st = self.mgr.create("opportunity_stages", body)
        # a test stage leaves the funnel of other tests once it is inactive and empty
        self.addCleanup(lambda: self.mgr.patch("opportunity_stages/%d" % st["id"], {
            "active": False, "version": self.mgr.read("opportunity_stages", st["id"])["version"]}))
        return st

    def test_the_six_seeded_stages(self):
        rows = self.rep.list("opportunity_stages", {"sort": "sort", "limit": 500}).body["data"]
        seeded = {r["code"]: (r["probability_pct"], r["kind"]) for r in rows
                  if r["code"] in ("initial", "needs", "proposal", "negotiation", "won", "lost")}
        self.assertEqual(seeded, {"initial": (10, "open"), "needs": (30, "open"), "proposal": (60, "open"),
                                  "negotiation": (80, "open"), "won": (100, "won"), "lost": (0, "lost")})

    def test_manager_edits_stages_rep_may_not(self):
        st = self.new_stage()
        r = self.rep.patch("opportunity_stages/%d" % st["id"], {"probability_pct": 99, "version": st["version"]})
        self.assertEqual(r.status, 403, r)
        r = self.rep.post("opportunity_stages", {"name": uniq("x"), "code": uniq("x"), "probability_pct": 5})
        self.assertEqual(r.status, 403, r)
        r = self.mgr.patch("opportunity_stages/%d" % st["id"], {"probability_pct": 101, "version": st["version"]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("probability_pct", r.fields)
        r = self.mgr.patch("opportunity_stages/%d" % st["id"], {"kind": "maybe", "version": st["version"]})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(self.mgr.read("opportunity_stages", st["id"])["probability_pct"], 45)
        r = self.mgr.patch("opportunity_stages/%d" % st["id"], {"probability_pct": 50, "version": st["version"]})
        self.assertEqual(r.status, 200, r)

    def test_probability_follows_the_stage_and_cannot_be_typed(self):
        needs, won, initial = stage_id("needs"), stage_id("won"), stage_id("initial")
        r = self.rep.post("opportunities", {"name": uniq("商机"), "amount": 1000, "probability_pct": 50})
        self.assertEqual(r.status, 422, r)
        self.assertIn("probability_pct", r.fields)
        opp = self.rep.create("opportunities", {"name": uniq("商机"), "amount": 1000})
        self.assertEqual((opp["stage_id"], opp["probability_pct"], opp["closed_on"]), (initial, 10, None))
        opp = self.rep.create("opportunities", {"name": uniq("商机"), "amount": 1000, "stage_id": needs})
        self.assertEqual(opp["probability_pct"], 30)
        r = self.rep.patch("opportunities/%d" % opp["id"], {"probability_pct": 90, "version": opp["version"]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("probability_pct", r.fields)
        self.assertEqual(self.rep.read("opportunities", opp["id"])["probability_pct"], 30)
        # sending back what was read is fine
        back = dict(opp)
        back["notes"] = "更新"
        r = self.rep.patch("opportunities/%d" % opp["id"], {k: v for k, v in back.items()
                                                            if k in ("probability_pct", "notes", "version")})
        self.assertEqual(r.status, 200, r)
        r = self.rep.patch("opportunities/%d" % opp["id"], {"stage_id": won, "won_lost_reason": "价格有优势",
                                                            "version": r.body["version"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["probability_pct"], 100)
        self.assertRegex(r.body["closed_on"], r"^\d{4}-\d\d-\d\d$")
        got = self.rep.read("opportunities", opp["id"])
        self.assertEqual((got["probability_pct"], got["won_lost_reason"]), (100, "价格有优势"))
        r = self.rep.patch("opportunities/%d" % opp["id"], {"stage_id": needs, "version": got["version"]})
        self.assertEqual((r.body["probability_pct"], r.body["closed_on"]), (30, None))
        r = self.rep.patch("opportunities/%d" % opp["id"], {"stage_id": None, "version": r.body["version"]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("stage_id", r.fields)

    def test_manager_changes_a_stage_probability_opportunities_follow(self):
        st = self.new_stage(probability_pct=45)
        opp = self.rep.create("opportunities", {"name": uniq("商机"), "amount": 5000, "stage_id": st["id"]})
        self.assertEqual(opp["probability_pct"], 45)
        r = self.mgr.patch("opportunity_stages/%d" % st["id"], {"probability_pct": 55, "version": st["version"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.rep.read("opportunities", opp["id"])["probability_pct"], 55)
        # kind and trash are refused while the stage is in use
        r = self.mgr.patch("opportunity_stages/%d" % st["id"], {"kind": "won", "version": r.body["version"]})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(self.mgr.read("opportunity_stages", st["id"])["kind"], "open")
        r = self.mgr.delete("opportunity_stages/%d" % st["id"])
        self.assertEqual(r.status, 409, r)
        # an inactive stage keeps its opportunities but cannot be chosen
        cur = self.mgr.read("opportunity_stages", st["id"])
        self.assertEqual(self.mgr.patch("opportunity_stages/%d" % st["id"], {"active": False, "version": cur["version"]}).status, 200)
        r = self.rep.post("opportunities", {"name": uniq("商机"), "stage_id": st["id"]})
        self.assertEqual(r.status, 422, r)
        self.assertIn("stage_id", r.fields)
        self.assertEqual(self.rep.read("opportunities", opp["id"])["stage_id"], st["id"])

    def test_unknown_stage_and_old_stage_codes(self):
        r = self.rep.post("opportunities", {"name": uniq("商机"), "stage_id": 987654321})
        self.assertEqual(r.status, 422, r)
        self.assertIn("stage_id", r.fields)
        # the release-3 field is understood as the stage with that code, and not returned
        opp = self.rep.create("opportunities", {"name": uniq("商机"), "stage": "proposal"})
        self.assertEqual((opp["stage_id"], opp["probability_pct"]), (stage_id("proposal"), 60))
        self.assertNotIn("stage", opp)
        r = self.rep.post("opportunities", {"name": uniq("商机"), "stage": "nonsense"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("stage", r.fields)


class Board(unittest.TestCase):
    """The kanban by stage_id: a move to a won or lost column needs the reason."""

    def test_move_to_won_needs_the_reason(self):
        from client import login_client, USER_PASSWORD
        rec, _ = make_user(roles=("sales_rep",))
        rep = login_client(rec["username"], USER_PASSWORD, cookie=True)
        opp = rep.create("opportunities", {"name": uniq("商机"), "amount": 880000})
        won = stage_id("won")
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        url = "/app/opportunities/board/stage_id/move"
        r = rep.post(url, raw="id=%d&version=%d&value=%d" % (opp["id"], opp["version"], won), headers=form)
        self.assertEqual(r.status, 422, r)
        self.assertIn("won_lost_reason", r.fields)
        self.assertEqual(rep.read("opportunities", opp["id"])["stage_id"], stage_id("initial"))
        r = rep.post(url, raw="id=%d&version=%d&value=%d&ask=%s" % (opp["id"], opp["version"], won, "%E4%BB%B7%E6%A0%BC"),
                     headers=form)
        self.assertEqual(r.status, 200, r)
        got = rep.read("opportunities", opp["id"])
        self.assertEqual((got["stage_id"], got["probability_pct"], got["won_lost_reason"]), (won, 100, "价格"))
        # an open column asks nothing
        r = rep.post(url, raw="id=%d&version=%d&value=%d" % (opp["id"], got["version"], stage_id("needs")), headers=form)
        self.assertEqual(r.status, 200, r)
        page = rep.get("/app/opportunities/board/stage_id", headers={"Accept": "text/html"})
        self.assertEqual(page.status, 200)
        self.assertIn('data-value="%d"' % won, page.text)
        self.assertIn('data-ask="won_lost_reason"', page.text)


class Reports(unittest.TestCase):
    """Funnel and forecast on a known data set: a department with a manager
    and two reps, and a rep of another department."""

    @classmethod
    def setUpClass(cls):
        cls.dept = make_department()
        cls.other = make_department()
        cls.mgr_rec, cls.mgr = make_user(roles=("sales_manager",), department_id=cls.dept["id"])
        cls.a_rec, cls.a = make_user(roles=("sales_rep",), department_id=cls.dept["id"])
        cls.b_rec, cls.b = make_user(roles=("sales_rep",), department_id=cls.dept["id"])
        cls.c_rec, cls.c = make_user(roles=("sales_rep",), department_id=cls.other["id"])
        data = [
            (cls.a, "initial", 100005, "2027-01-15"),
            (cls.a, "needs", 200000, "2027-01-20"),
            (cls.a, "proposal", 300000, "2027-02-10"),
            (cls.a, "won", 400000, "2027-01-05"),
            (cls.a, "lost", 50000, "2027-01-06"),
            (cls.b, "negotiation", 500000, "2027-02-28"),
            (cls.b, "initial", 70000, "2027-03-01"),
            (cls.c, "proposal", 999900, "2027-01-10"),
        ]
        for cl, code, amount, close in data:
            cl.create("opportunities", {"name": uniq("商机"), "stage_id": stage_id(code), "amount": amount,
                                        "expected_close": close})

    def stages(self, funnel):
        return {s["code"]: (s["count"], s["amount"], s["reached"], s["conversion_pct"]) for s in funnel["stages"]
                if s["code"] in ("initial", "needs", "proposal", "negotiation", "won", "lost")}

    def test_manager_funnel_covers_the_department(self):
        r = self.mgr.get("reports/funnel")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.body["count"], r.body["amount"], r.body["win_rate_pct"]), (7, 1620005, 50))
        self.assertEqual(self.stages(r.body), {
            "initial": (2, 170005, 6, 67), "needs": (1, 200000, 4, 75), "proposal": (1, 300000, 3, 67),
            "negotiation": (1, 500000, 2, 50), "won": (1, 400000, 1, None), "lost": (1, 50000, 1, None)})
        codes = [s["code"] for s in r.body["stages"]]
        self.assertLess(codes.index("negotiation"), codes.index("won"))
        self.assertLess(codes.index("won"), codes.index("lost"))

    def test_department_funnel_counted_by_stage_equals_the_grouped_one(self):
        # a department's funnel counts stage by stage (its own index); the
        # administrator's unfiltered one groups every row: the department's
        # rows agree either way, and the administrator's totals hold them all
        mine = self.mgr.get("reports/funnel").body
        r = admin().get("reports/funnel", query={"department_id": self.dept["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.stages(r.body), self.stages(mine))
        self.assertEqual((r.body["count"], r.body["amount"]), (mine["count"], mine["amount"]))
        everyone = admin().get("reports/funnel").body
        self.assertGreaterEqual(everyone["count"], mine["count"] + 1)  # + the other department's rep

    def test_rep_funnel_is_their_own(self):
        r = self.b.get("reports/funnel")
        self.assertEqual((r.body["count"], r.body["amount"]), (2, 570000))
        self.assertEqual(self.stages(r.body)["initial"], (1, 70000, 2, 50))
        # another's owner_id adds a filter, never widens the scope
        r = self.b.get("reports/funnel", query={"owner_id": self.a.id})
        self.assertEqual(r.body["count"], 0)
        r = self.mgr.get("reports/funnel", query={"owner_id": self.c.id})
        self.assertEqual(r.body["count"], 0)
        r = self.c.get("reports/funnel")
        self.assertEqual((r.body["count"], r.body["amount"]), (1, 999900))

    def test_funnel_period_and_bad_input(self):
        r = self.mgr.get("reports/funnel", query={"from": "2099-01-01"})
        self.assertEqual(r.body["count"], 0)
        r = self.mgr.get("reports/funnel", query={"from": "2000-01-01", "to": "2099-12-31"})
        self.assertEqual(r.body["count"], 7)
        r = self.mgr.get("reports/funnel", query={"from": "2026-13-01"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("from", r.fields)
        r = self.mgr.get("reports/funnel", query={"from": "2027-02-01", "to": "2027-01-01"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("to", r.fields)
        r = self.mgr.get("reports/funnel", query={"owner_id": "x"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("owner_id", r.fields)

    def test_forecast_by_month_owner_and_department(self):
        r = self.mgr.get("reports/forecast")
        self.assertEqual(r.status, 200, r)
        rows = [(x["key"], x["count"], x["amount"], x["weighted"]) for x in r.body["rows"]]
        # Jan: 100005×10% + 200000×30% = 70000.5 → 70001 (half up, once per group)
        self.assertEqual(rows, [("2027-01", 2, 300005, 70001), ("2027-02", 2, 800000, 580000),
                                ("2027-03", 1, 70000, 7000)])
        self.assertEqual((r.body["count"], r.body["amount"], r.body["weighted"]), (5, 1170005, 657001))
        r = self.mgr.get("reports/forecast", query={"group": "owner"})
        rows = {x["key"]: (x["count"], x["amount"], x["weighted"], x["name"]) for x in r.body["rows"]}
        self.assertEqual(rows, {self.a.id: (3, 600005, 250001, self.a_rec["name"]),
                                self.b.id: (2, 570000, 407000, self.b_rec["name"])})
        r = self.mgr.get("reports/forecast", query={"group": "department"})
        self.assertEqual([(x["key"], x["count"], x["weighted"], x["name"]) for x in r.body["rows"]],
                         [(self.dept["id"], 5, 657001, self.dept["name"])])
        r = self.mgr.get("reports/forecast", query={"from": "2027-02-01", "to": "2027-02-28"})
        self.assertEqual((r.body["count"], r.body["weighted"]), (2, 580000))
        # a period lists every month of it, empty ones too
        r = self.mgr.get("reports/forecast", query={"from": "2026-12-01", "to": "2027-04-30"})
        self.assertEqual([(x["key"], x["count"], x["weighted"]) for x in r.body["rows"]],
                         [("2026-12", 0, 0), ("2027-01", 2, 70001), ("2027-02", 2, 580000), ("2027-03", 1, 7000),
                          ("2027-04", 0, 0)])

    def test_forecast_months_sum_across_departments_and_days(self):
        # the months are summed from groups per department and day (the
        # covering index's order): one row per month, each month's weighted
        # sum rounded once; an administrator's months hold both departments
        r = admin().get("reports/forecast")  # all time: only the months that have rows
        self.assertEqual(r.status, 200, r)
        keys = [x["key"] for x in r.body["rows"]]
        self.assertEqual(keys, sorted(set(keys)))
        jan = r.body["rows"][keys.index("2027-01")]
        self.assertGreaterEqual(jan["count"], 3)  # the department's two and the other one's
        self.assertEqual(r.body["count"], sum(x["count"] for x in r.body["rows"]))
        self.assertEqual(r.body["weighted"], sum(x["weighted"] for x in r.body["rows"]))
        r = admin().get("reports/forecast", query={"department_id": self.other["id"]})
        self.assertEqual([(x["key"], x["count"], x["amount"], x["weighted"]) for x in r.body["rows"]],
                         [("2027-01", 1, 999900, 599940)])
        r = admin().get("reports/forecast", query={"department_id": self.dept["id"]})
        self.assertEqual([(x["key"], x["count"], x["weighted"]) for x in r.body["rows"]],
                         [("2027-01", 2, 70001), ("2027-02", 2, 580000), ("2027-03", 1, 7000)])
        # a rep's months (their own index, grouped by owner and day)
        r = self.a.get("reports/forecast")
        self.assertEqual([(x["key"], x["count"], x["weighted"]) for x in r.body["rows"]],
                         [("2027-01", 2, 70001), ("2027-02", 1, 180000)])

    def test_forecast_scope_and_bad_input(self):
        r = self.a.get("reports/forecast", query={"group": "owner"})
        self.assertEqual([(x["key"], x["weighted"]) for x in r.body["rows"]], [(self.a.id, 250001)])
        r = self.c.get("reports/forecast")
        self.assertEqual([(x["key"], x["weighted"]) for x in r.body["rows"]], [("2027-01", 599940)])
        r = self.mgr.get("reports/forecast", query={"group": "week"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("group", r.fields)
        _, svc = make_user(roles=("service_agent",))
        self.assertEqual(svc.get("reports/forecast").status, 403)
        self.assertEqual(svc.get("reports/funnel").status, 403)

    def test_pages_render(self):
        for path in ("/app/reports/funnel", "/app/reports/forecast?group=owner"):
            r = self.mgr.get(path, headers={"Accept": "text/html"})
            self.assertEqual(r.status, 200, r)
            self.assertIn("data-chart", r.text)
