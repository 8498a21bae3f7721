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


if __name__ == "__main__":
    unittest.main()
