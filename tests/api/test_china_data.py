"""China-specific data (issue 5): phone numbers stored in E.164 and found by
any part, global search by two Chinese characters and pinyin initials, the
scope and hidden fields of global search."""
import datetime
import json
import os
import random
import shutil
import subprocess
import unittest

from client import admin, make_department, make_user, uniq


def rare_pair():
    """Two random CJK characters: a name part no other test uses."""
    return "".join(chr(random.randint(0x4E00, 0x9FA5)) for _ in range(2))


def found(cl, q, **query):
    r = cl.get("search", query=dict(query, q=q, limit=50))
    assert r.status == 200, r
    return [(x["entity"], x["id"]) for x in r.body["data"]]


class Phones(unittest.TestCase):
    def test_stored_in_e164_whatever_the_form(self):
        for typed, stored in [("138 1234 5678", "+8613812345678"), ("+86 138-1234-5678", "+8613812345678"),
                              ("0086 13812345678", "+8613812345678"), ("(010) 8888-6666", "+861088886666"),
                              ("010-88886666-123", "+861088886666;ext=123"), ("0755 2678 1234 转 8", "+8675526781234;ext=8"),
                              ("400-123-4567", "+864001234567"), ("＋８６ １３８ １２３４ ５６７８", "+8613812345678")]:
            rec = admin().create("customers", {"name": uniq("ph"), "phone": typed})
            self.assertEqual(rec["phone"], stored, typed)
            self.assertEqual(admin().read("customers", rec["id"])["phone"], stored)

    def test_bad_numbers_name_the_problem_and_write_nothing(self):
        name = uniq("badph")
        for typed, message in [("138 1234 567", "has too few digits for a mobile number (11)"),
                               ("8888 6666", "needs the area code (e.g. 010 8888 6666)"),
                               ("138-1234-5678 call", None), ("12", "is too short to be a phone number")]:
            r = admin().post("customers", {"name": name, "phone": typed})
            self.assertEqual(r.status, 422, (typed, r))
            self.assertEqual(set(r.fields), {"phone"})
            if message:
                self.assertEqual(r.fields["phone"], message)
        self.assertEqual(admin().list("customers", {"name": name}).ids, [])

    def test_contact_mobile_and_update(self):
        cust = admin().create("customers", {"name": uniq("phc")})
        c = admin().create("contacts", {"name": uniq("phc"), "customer_id": cust["id"], "mobile": "186 0000 1111"})
        self.assertEqual(c["mobile"], "+8618600001111")
        up = admin().patch("contacts/%d" % c["id"], {"mobile": "+86 186-0000-2222", "version": c["version"]})
        self.assertEqual(up.status, 200, up)
        self.assertEqual(up.body["mobile"], "+8618600002222")
        bad = admin().patch("contacts/%d" % c["id"], {"mobile": "186", "version": up.body["version"]})
        self.assertEqual(bad.status, 422, bad)
        self.assertEqual(admin().read("contacts", c["id"])["mobile"], "+8618600002222")


class GlobalSearch(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pair = rare_pair()
        cls.digits = "%08d" % random.randint(0, 99999999)
        cls.rep_user, cls.rep = make_user(("sales_rep",))
        cls.other_user, cls.other = make_user(("sales_rep",))
        cls.mine = cls.rep.create("customers", {"name": cls.pair + "长沙贸易有限公司", "phone": "139 %s %s" % (
            cls.digits[:4], cls.digits[4:]), "email": "cs-%s@example.cn" % cls.digits})
        cls.theirs = cls.other.create("customers", {"name": cls.pair + "重庆科技", "phone": "0731-%s" % cls.digits})
        cls.contact = cls.rep.create("contacts", {"name": cls.pair + "王", "customer_id": cls.mine["id"],
                                                  "mobile": "177%s" % cls.digits})

    def test_two_chinese_characters_find_names(self):
        got = found(admin(), self.pair)
        self.assertEqual(got, [("customers", self.theirs["id"]), ("customers", self.mine["id"]),
                               ("contacts", self.contact["id"])])

    def test_result_shape(self):
        r = admin().get("search", query={"q": self.pair + "长沙"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["data"], [{"entity": "customers", "id": self.mine["id"],
                                           "title": self.pair + "长沙贸易有限公司",
                                           "subtitle": "%s · 139 %s %s" % (self.mine["code"], self.digits[:4],
                                                                            self.digits[4:])}])

    def test_one_chinese_character(self):
        self.assertIn(("customers", self.mine["id"]), found(admin(), self.pair[1]))

    def test_pinyin_initials_every_reading(self):
        # 长 reads cháng and zhǎng; 重 reads chóng and zhòng.
        for q in ["cs", "zs", "CS", "csmy", "zsmy", "csmyyxgs"]:
            self.assertIn(("customers", self.mine["id"]), found(admin(), q), q)
        for q in ["cq", "zq", "cqkj"]:
            self.assertIn(("customers", self.theirs["id"]), found(admin(), q), q)
        # initials that are not in the name (长沙贸易 is cs/zs + my; the random
        # pair in front cannot make "csxy", while a bare "xy" could be its own)
        self.assertNotIn(("customers", self.mine["id"]), found(admin(), "csxy"))

    def test_phone_by_any_part(self):
        d = self.digits
        want = [("customers", self.mine["id"]), ("contacts", self.contact["id"])]
        for q in [d, d[:4] + " " + d[4:], d[:4] + "-" + d[4:], "139 " + d[:4], "+86 139 " + d[:4], "0086 139" + d,
                  "86139" + d, d[3:]]:
            got = [x for x in found(admin(), q) if x != ("customers", self.theirs["id"])]
            if q in ("139 " + d[:4], "+86 139 " + d[:4], "0086 139" + d, "86139" + d):
                self.assertEqual(got[:1], want[:1], q)  # the contact's mobile is 177…
            else:
                self.assertEqual(got, want, q)
        # A landline typed with its trunk 0 and area code.
        self.assertEqual(found(admin(), "0731 " + d[:4]), [("customers", self.theirs["id"])])
        self.assertEqual(found(admin(), "+86 731 " + d), [("customers", self.theirs["id"])])

    def test_email_and_number(self):
        self.assertEqual(found(admin(), "cs-%s@exam" % self.digits), [("customers", self.mine["id"])])
        self.assertEqual(found(admin(), self.mine["code"]), [("customers", self.mine["id"])])

    def test_rep_sees_only_own_records(self):
        self.assertEqual(found(self.rep, self.pair), [("customers", self.mine["id"]), ("contacts", self.contact["id"])])
        self.assertEqual(found(self.other, self.pair), [("customers", self.theirs["id"])])
        self.assertEqual(found(self.other, self.digits), [("customers", self.theirs["id"])])
        self.assertEqual(found(self.rep, "cq"), [x for x in found(self.rep, "cq") if x[1] != self.theirs["id"]])

    def test_deleted_records_are_not_found(self):
        rec = admin().create("customers", {"name": self.pair + "待删除"})
        self.assertIn(("customers", rec["id"]), found(admin(), self.pair + "待"))
        self.assertEqual(admin().delete("customers/%d" % rec["id"]).status, 204)
        self.assertEqual(found(admin(), self.pair + "待"), [])

    def test_renamed_record_is_found_by_its_new_name(self):
        other = rare_pair()
        rec = admin().create("customers", {"name": self.pair + "旧名"})
        up = admin().patch("customers/%d" % rec["id"], {"name": other + "新名", "version": rec["version"]})
        self.assertEqual(up.status, 200, up)
        self.assertEqual(found(admin(), other), [("customers", rec["id"])])
        self.assertNotIn(("customers", rec["id"]), found(admin(), self.pair))

    def test_bad_queries(self):
        self.assertEqual(admin().get("search").status, 400)
        self.assertEqual(admin().get("search", query={"q": "   "}).status, 400)
        self.assertEqual(admin().get("search", query={"q": "x" * 101}).status, 400)
        self.assertEqual(admin().get("search", query={"q": "abc", "limit": "0"}).status, 400)
        self.assertEqual(admin().get("search", query={"q": "abc", "limit": "x"}).status, 400)
        self.assertEqual(found(admin(), "\"*'"), [])


GOOD_CODE = "91350100M000100Y43"  # the example of GB 32100-2015
BAD_CHECK = "91350100M000100Y44"  # same code, wrong check character


class CreditCode(unittest.TestCase):
    def test_valid_code_is_stored_normalised(self):
        rec = admin().create("customers", {"name": uniq("cc"), "credit_code": "91350100m000100y43"})
        self.assertEqual(rec["credit_code"], GOOD_CODE)
        rec = admin().create("customers", {"name": uniq("cc"), "credit_code": "9135 0100 M000 100Y 43"})
        self.assertEqual(rec["credit_code"], GOOD_CODE)

    def test_wrong_form_is_a_plain_error(self):
        name = uniq("ccf")
        for bad in ["91350100M000100Y4", "91350100M000100Y433", "91350100M000100I43", "91350100M00010OY43", "统一社会信用代码"]:
            r = admin().post("customers", {"name": name, "credit_code": bad})
            self.assertEqual(r.status, 422, (bad, r))
            self.assertEqual(r.error["code"], "validation_failed")
            self.assertEqual(r.fields, {"credit_code": "must be 18 characters: digits and capital letters except "
                                                        "I, O, S, V and Z"})
            # confirming does not make a malformed code acceptable
            r = admin().post("customers", {"name": name, "credit_code": bad, "confirm": ["credit_code"]})
            self.assertEqual(r.status, 422, (bad, r))
        self.assertEqual(admin().list("customers", {"name": name}).ids, [])

    def test_bad_check_character_needs_confirmation(self):
        name = uniq("ccw")
        r = admin().post("customers", {"name": name, "credit_code": BAD_CHECK})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.error["code"], "needs_confirmation")
        self.assertEqual(set(r.fields), {"credit_code"})
        self.assertIn("GB 32100", r.fields["credit_code"])
        self.assertEqual(admin().list("customers", {"name": name}).ids, [])  # nothing written
        r = admin().post("customers", {"name": name, "credit_code": BAD_CHECK, "confirm": ["credit_code"]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["credit_code"], BAD_CHECK)
        # Editing other fields later does not ask again.
        up = admin().patch("customers/%d" % r.body["id"], {"notes": "ok", "version": r.body["version"]})
        self.assertEqual(up.status, 200, up)

    def test_update_to_bad_check_character(self):
        rec = admin().create("customers", {"name": uniq("ccu"), "credit_code": GOOD_CODE})
        r = admin().patch("customers/%d" % rec["id"], {"credit_code": BAD_CHECK, "version": rec["version"]})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.error["code"], "needs_confirmation")
        self.assertEqual(admin().read("customers", rec["id"])["credit_code"], GOOD_CODE)
        r = admin().patch("customers/%d" % rec["id"], {"credit_code": BAD_CHECK, "version": rec["version"],
                                                       "confirm": ["credit_code"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["credit_code"], BAD_CHECK)

    def test_other_errors_come_first(self):
        r = admin().post("customers", {"credit_code": BAD_CHECK, "phone": "12"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.error["code"], "validation_failed")
        self.assertEqual(set(r.fields), {"name", "phone"})

    def test_confirm_must_be_a_list(self):
        r = admin().post("customers", {"name": uniq("ccl"), "credit_code": BAD_CHECK, "confirm": "credit_code"})
        self.assertEqual(r.status, 400, r)


class Addresses(unittest.TestCase):
    def addr(self, **parts):
        return admin().post("customers", {"name": uniq("addr"), "address": dict(parts, street="人民路 1 号")})

    def test_valid_addresses_are_stored_with_full_names(self):
        for parts, want in [
            ({"province": "广东省", "city": "深圳市", "district": "南山区"}, ("广东省", "深圳市", "南山区")),
            ({"province": "广东", "city": "深圳", "district": "南山"}, ("广东省", "深圳市", "南山区")),
            # municipalities: the city is the municipality
            ({"province": "北京市", "city": "北京市", "district": "朝阳区"}, ("北京市", "北京市", "朝阳区")),
            ({"province": "重庆", "city": "重庆", "district": "城口县"}, ("重庆市", "重庆市", "城口县")),
            # cities without counties: the district (a town) is optional
            ({"province": "广东省", "city": "东莞市"}, ("广东省", "东莞市", None)),
            ({"province": "广东省", "city": "中山市", "district": "石岐街道"}, ("广东省", "中山市", "石岐街道")),
            ({"province": "海南省", "city": "儋州市"}, ("海南省", "儋州市", None)),
            ({"province": "甘肃省", "city": "嘉峪关市"}, ("甘肃省", "嘉峪关市", None)),
            # a county-level city directly under its province
            ({"province": "河南省", "city": "济源市"}, ("河南省", "济源市", None)),
            ({"province": "浙江省"}, ("浙江省", None, None)),
        ]:
            r = self.addr(**parts)
            self.assertEqual(r.status, 201, (parts, r))
            a = r.body["address"]
            self.assertEqual((a.get("province"), a.get("city"), a.get("district")), want, parts)
            self.assertEqual(a["street"], "人民路 1 号")

    def test_wrong_divisions_are_422_and_write_nothing(self):
        name = uniq("addrbad")
        for parts, message in [
            ({"province": "火星省"}, "has a province that is not a province of China"),
            ({"province": "广东省", "city": "杭州市"}, "has a city that is not in its province"),
            ({"province": "广东省", "city": "深圳市", "district": "朝阳区"}, "has a district that is not in its city"),
            ({"city": "深圳市"}, "needs the province of its city"),
            ({"province": "广东省", "district": "南山区"}, "needs the city of its district"),
            ({"province": "河南省", "city": "济源市", "district": "南山区"}, "has a district that is not in its city"),
        ]:
            r = admin().post("customers", {"name": name, "address": parts})
            self.assertEqual(r.status, 422, (parts, r))
            self.assertEqual(r.fields, {"address": message})
        self.assertEqual(admin().list("customers", {"name": name}).ids, [])

    def test_lists_filter_by_province_and_city(self):
        p = uniq("addrf")
        sz = admin().create("customers", {"name": p + "深圳", "address": {"province": "广东", "city": "深圳", "district": "南山区"}})
        dg = admin().create("customers", {"name": p + "东莞", "address": {"province": "广东省", "city": "东莞市"}})
        bj = admin().create("customers", {"name": p + "北京", "address": {"province": "北京", "city": "北京"}})
        lst = lambda q: set(admin().list("customers", dict(q, **{"name[like]": p})).ids)
        self.assertEqual(lst({"address.province": "广东省"}), {sz["id"], dg["id"]})
        self.assertEqual(lst({"address.city": "东莞市"}), {dg["id"]})
        self.assertEqual(lst({"address.district": "南山区"}), {sz["id"]})
        self.assertEqual(lst({"address.province[in]": "北京市,广东省"}), {sz["id"], dg["id"], bj["id"]})
        r = admin().post("customers/query", {"where": {"and": [{"field": "address.province", "op": "eq", "value": "北京市"},
                                                               {"field": "name", "op": "like", "value": p}]}})
        self.assertEqual(r.ids, [bj["id"]])
        self.assertEqual(admin().get("customers", query={"address.planet": "x"}).status, 400)

    def test_addresses_abroad_are_not_checked(self):
        r = self.addr(country="Singapore", province="Central", city="Singapore")
        self.assertEqual(r.status, 201, r)


ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CN = datetime.timezone(datetime.timedelta(hours=8))


def lunar_birth_dates(days):
    """For each date (ISO), a solar date in 1990 with the same lunar month and
    day, computed with lunar-javascript (the package the table comes from)."""
    script = ("const {Solar, Lunar} = require(process.argv[1]);"
              "console.log(JSON.stringify(process.argv.slice(2).map(s => {"
              " const [y, m, d] = s.split('-').map(Number); const l = Solar.fromYmd(y, m, d).getLunar();"
              " if (l.getMonth() < 0 || l.getDay() === 30) return null;"
              " return Lunar.fromYmd(1990, l.getMonth(), l.getDay()).getSolar().toYmd(); })))")
    out = subprocess.run(["node", "-e", script, os.path.join(ROOT, "node_modules", "lunar-javascript")] + days,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@unittest.skipUnless(shutil.which("node"), "node is needed to compute lunar dates")
class LunarBirthdays(unittest.TestCase):
    def test_reminder_on_the_lunar_birthday(self):
        user, rep = make_user(("sales_rep",))
        cust = rep.create("customers", {"name": uniq("农历")})
        today = datetime.datetime.now(CN).date()
        days = [(today + datetime.timedelta(days=k)).isoformat() for k in (1, 10)]
        born = lunar_birth_dates(days)
        if None in born:
            self.skipTest("a leap month or day 30 today: covered by the unit tests")
        soon = rep.create("contacts", {"name": uniq("农历生日"), "customer_id": cust["id"], "birthday": born[0],
                                       "birthday_lunar": True})
        later = rep.create("contacts", {"name": uniq("农历生日"), "customer_id": cust["id"], "birthday": born[1],
                                        "birthday_lunar": True})
        self.assertIs(soon["birthday_lunar"], True)
        r = rep.get("reminders")
        self.assertEqual(r.status, 200, r)
        got = {x["id"]: x for x in r.body["data"] if x["kind"] == "birthday" and x["entity"] == "contacts"}
        self.assertIn(soon["id"], got)
        self.assertEqual(got[soon["id"]]["date"], days[0])
        self.assertNotIn(later["id"], got)
        # The same dates kept as solar birthdays remind on their solar day only.
        up = rep.patch("contacts/%d" % soon["id"], {"birthday_lunar": False, "version": soon["version"]})
        self.assertEqual(up.status, 200, up)
        r = rep.get("reminders")
        got = {x["id"]: x for x in r.body["data"] if x["kind"] == "birthday" and x["entity"] == "contacts"}
        solar_day = datetime.date(today.year, int(born[0][5:7]), int(born[0][8:10]))
        if not 0 <= (solar_day - today).days <= 3:
            self.assertNotIn(soon["id"], got)

    def test_bad_flag_is_422(self):
        cust = admin().create("customers", {"name": uniq("农历")})
        r = admin().post("contacts", {"name": uniq("农历"), "customer_id": cust["id"], "birthday_lunar": "yes"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"birthday_lunar"})


class SearchPhoneFragments(unittest.TestCase):
    """Any part of a phone number, however it is typed."""

    @classmethod
    def setUpClass(cls):
        cls.pair = rare_pair()
        cls.digits = "%08d" % random.randint(0, 99999999)
        cls.rec = admin().create("customers", {"name": cls.pair + "电话", "phone": "186 %s %s" % (cls.digits[:4],
                                                                                                   cls.digits[4:])})
        cls.land = admin().create("customers", {"name": cls.pair + "座机", "phone": "021-%s" % cls.digits})

    def test_fragments_with_and_without_86_spaces_and_dashes(self):
        d, me = self.digits, ("customers", self.rec["id"])
        for q in [d[-3:], d[-4:], d[2:6], d[1:8], "186", "186" + d[0], "186" + d[:2], "186-" + d[:4], "186 %s %s" % (d[:4], d[4:]),
                  "+86 186 " + d[:4], "+86-186-%s-%s" % (d[:4], d[4:]), "86186" + d, "0086 186 " + d[:4]]:
            self.assertIn(me, found(admin(), q), q)
        # The landline by its digits, its area code with the trunk 0, and +86 without it.
        land = ("customers", self.land["id"])
        for q in [d, "021 " + d[:4], "021-%s-%s" % (d[:4], d[4:]), "+86 21 " + d, "8621" + d[:5]]:
            self.assertIn(land, found(admin(), q), q)
        self.assertNotIn(land, found(admin(), "022 " + d))
        self.assertNotIn(me, found(admin(), "187" + d))

    def test_exact_answer_for_a_long_fragment(self):
        self.assertEqual(found(admin(), "186" + self.digits), [("customers", self.rec["id"])])
        self.assertEqual(found(admin(), "21" + self.digits), [("customers", self.land["id"])])


    def test_00_and_two_digits_is_a_part_of_a_number(self):
        # Not the international prefix before two digits (a 2-digit prefix
        # of every phone ending, not a number).
        d = "%02d" % random.randint(0, 99)
        rec = admin().create("customers", {"name": self.pair + "零零", "phone": "186 00%s 7777" % d})
        other = admin().create("customers", {"name": self.pair + "七七", "phone": "186 7777 %s77" % d})
        got = found(admin(), "00" + d)
        self.assertIn(("customers", rec["id"]), got)
        self.assertNotIn(("customers", other["id"]), got)
        self.assertIn(("customers", other["id"]), found(admin(), "7777" + d))


class SearchScope(unittest.TestCase):
    """The scope is part of the search index query: a rep finds every own
    match however many others match, never another's record; a manager finds
    the department tree's; handovers and the customer pool move records
    between users' results at once."""

    @classmethod
    def setUpClass(cls):
        cls.dept = make_department()
        cls.sub = make_department(parent_id=cls.dept["id"])
        cls.other_dept = make_department()
        cls.r1rec, cls.r1 = make_user(department_id=cls.sub["id"])
        cls.r2rec, cls.r2 = make_user(department_id=cls.sub["id"])
        cls.outrec, cls.out = make_user(department_id=cls.other_dept["id"])
        cls.mgrrec, cls.mgr = make_user(("sales_manager",), cls.dept["id"])
        cls.pair = rare_pair()
        cls.digits = "%08d" % random.randint(0, 99999999)
        cls.mine = cls.r1.create("customers", {"name": cls.pair + "长沙贸易", "phone": "139" + cls.digits,
                                               "email": "scope%s@example.cn" % cls.digits})
        cls.contact = cls.r1.create("contacts", {"name": cls.pair + "李", "customer_id": cls.mine["id"],
                                                 "mobile": "150" + cls.digits})
        # Newer matches of other users' (the rep's own is not among the newest).
        cls.theirs = [cls.out.create("customers", {"name": cls.pair + "长沙贸易%d" % i, "phone": "138" + cls.digits})
                      for i in range(3)]

    def queries(self):
        d = self.digits
        return [self.pair, self.pair[0], self.pair + "长沙", "长沙贸", d, d[2:7], "139" + d[:2], "scope" + d]

    def test_rep_finds_own_matches_before_the_limit(self):
        for q in self.queries():
            got = found(self.r1, q, limit=1)
            self.assertEqual(got[:1], [("customers", self.mine["id"])], q)
            self.assertTrue(all(x in (("customers", self.mine["id"]), ("contacts", self.contact["id"])) for x in got), q)

    def test_rep_never_sees_others_records_or_titles(self):
        theirs = {("customers", t["id"]) for t in self.theirs}
        for q in self.queries() + ["cs", "csmy"]:
            r = self.r1.get("search", query={"q": q, "limit": 50})
            self.assertEqual(r.status, 200, r)
            got = {(x["entity"], x["id"]) for x in r.body["data"]}
            self.assertFalse(got & theirs, q)
            self.assertFalse([x for x in r.body["data"] if x["title"].startswith(self.pair + "长沙贸易") and
                              x["id"] != self.mine["id"]], q)
            self.assertNotIn(("customers", self.mine["id"]), found(self.r2, q), q)
            self.assertNotIn(("customers", self.mine["id"]), found(self.out, q), q)
        self.assertEqual(found(self.out, self.pair), [("customers", t["id"]) for t in reversed(self.theirs)])

    def test_manager_finds_the_department_tree(self):
        theirs = {("customers", t["id"]) for t in self.theirs}
        for q in [self.pair, self.digits[1:6], "长沙贸"]:
            got = found(self.mgr, q)
            self.assertIn(("customers", self.mine["id"]), got, q)
            self.assertIn(("contacts", self.contact["id"]), got if q != "长沙贸" else [("contacts", self.contact["id"])], q)
            self.assertFalse(set(got) & theirs, q)

    def test_handover_and_pool_move_search_results(self):
        rec = self.r1.create("customers", {"name": self.pair + "交接", "phone": "137" + self.digits})
        me = ("customers", rec["id"])
        pool = admin().create("pools", {"name": uniq("pool"), "follow_up_days_a": 40, "follow_up_days_b": 20,
                                        "follow_up_days_c": 10, "remind_days": 3, "claim_daily_limit": 5,
                                        "hold_cap": 0, "reclaim_wait_days": 5, "lock_quota": 1,
                                        "member_departments": [self.sub["id"]]})
        r = admin().post("users/%d/handover" % self.r1rec["id"], {"to_user_id": self.r2rec["id"],
                                                                  "entities": ["customers"]})
        self.assertEqual(r.status, 200, r)
        for q in [self.pair + "交接", "137" + self.digits[:3], self.pair]:
            self.assertIn(me, found(self.r2, q), q)
            self.assertNotIn(me, found(self.r1, q), q)
        # Back to r1 for the other tests' records; then released to the pool.
        r = admin().post("users/%d/handover" % self.r2rec["id"], {"to_user_id": self.r1rec["id"],
                                                                  "entities": ["customers"]})
        self.assertEqual(r.status, 200, r)
        self.assertIn(me, found(self.r1, self.pair + "交接"))
        r = admin().patch("customers/%d" % rec["id"], {"level": "C", "version": admin().read("customers", rec["id"])["version"]})
        self.assertEqual(r.status, 200, r)
        r = self.r1.post("customers/%d/release" % rec["id"], {"reason": "客户暂无需求"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["pool_id"], pool["id"])
        for q in [self.pair + "交接", "137" + self.digits[:3]]:
            self.assertIn(me, found(self.r2, q), q)  # a member of the pool's department
            self.assertNotIn(me, found(self.out, q), q)
        r = self.r2.post("customers/%d/claim" % rec["id"])
        self.assertEqual(r.status, 200, r)
        self.assertIn(me, found(self.r2, self.pair + "交接"))
        self.assertNotIn(me, found(self.out, self.pair + "交接"))


class HiddenFieldsInSearch(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from test_roles import OWN, make_role
        role = make_role({"customers": dict(OWN)}, {"customers": {"phone": "hidden", "email": "hidden"}})
        cls.user, cls.cl = make_user(roles=(role["code"],))
        cls.pair = rare_pair()
        cls.digits = "%08d" % random.randint(0, 99999999)
        cls.rec = cls.cl.create("customers", {"name": cls.pair + "隐藏"})
        up = admin().patch("customers/%d" % cls.rec["id"], {"phone": "138" + cls.digits,
                                                             "email": "h%s@example.cn" % cls.digits, "version": 1})
        assert up.status == 200, up

    def test_hidden_phone_and_email_are_not_matched_or_shown(self):
        self.assertEqual(found(self.cl, self.digits), [])
        self.assertEqual(found(self.cl, "h%s@" % self.digits), [])
        self.assertEqual(found(admin(), self.digits), [("customers", self.rec["id"])])
        r = self.cl.get("search", query={"q": self.pair})
        self.assertEqual([x["id"] for x in r.body["data"]], [self.rec["id"]])
        self.assertNotIn(self.digits[-4:], r.body["data"][0]["subtitle"])


if __name__ == "__main__":
    unittest.main()
