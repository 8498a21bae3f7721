"""Authentication: login/logout, /auth/me, cookie sessions and CSRF, Bearer
tokens, brute-force limiting, API tokens, password change (SPEC "API
conventions", issue 4 "Sessions", "API tokens")."""
import unittest

from client import (API, ADMIN_PASSWORD, USER_PASSWORD, Client, admin, login, login_client, make_user, request,
                    session_cookie, uniq)


class Login(unittest.TestCase):
    def test_login_ok(self):
        r = login("admin", ADMIN_PASSWORD)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.body), {"token", "csrf_token", "user"})
        self.assertIsInstance(r.body["token"], str)
        self.assertGreaterEqual(len(r.body["token"]), 32)
        self.assertIsInstance(r.body["csrf_token"], str)
        self.assertGreaterEqual(len(r.body["csrf_token"]), 32)
        self.assertNotEqual(r.body["token"], r.body["csrf_token"])
        user = r.body["user"]
        self.assertEqual(user["username"], "admin")
        self.assertIs(user["is_admin"], True)
        self.assertIsInstance(user["id"], int)
        self.assertNotIn("password", user)
        self.assertNotIn("password_hash", user)
        cookies = r.headers.get_all("Set-Cookie")
        self.assertEqual(len(cookies), 1, cookies)
        parts = [p.strip() for p in cookies[0].split(";")]
        self.assertEqual(parts[0], "gx_session=" + r.body["token"])
        self.assertIn("HttpOnly", parts)
        self.assertIn("SameSite=Lax", parts)
        self.assertIn("Path=/", parts)
        self.assertNotIn("Secure", parts)  # plain HTTP on loopback

    def test_two_logins_get_different_tokens(self):
        a = login("admin", ADMIN_PASSWORD)
        b = login("admin", ADMIN_PASSWORD)
        self.assertEqual((a.status, b.status), (200, 200))
        self.assertNotEqual(a.body["token"], b.body["token"])
        self.assertNotEqual(a.body["csrf_token"], b.body["csrf_token"])

    def test_wrong_password_same_answer_as_unknown_user(self):
        user, _ = make_user(login=False)
        wrong = login(user["username"], USER_PASSWORD + "x")
        unknown = login(uniq("nobody"), USER_PASSWORD)
        self.assertEqual(wrong.status, 401, wrong)
        self.assertEqual(unknown.status, 401, unknown)
        self.assertEqual(wrong.body, unknown.body)
        self.assertEqual(wrong.error["code"], "unauthorized")
        self.assertEqual(wrong.error["message"], "Wrong username or password")
        self.assertIsNone(session_cookie(wrong))
        self.assertIsNone(session_cookie(unknown))
        # The failed attempt did not lock the account: the right password works.
        self.assertEqual(login(user["username"], USER_PASSWORD).status, 200)

    def test_logins_are_audited(self):
        user, _ = make_user(login=False)
        self.assertEqual(login(user["username"], "not-the-password").status, 401)
        ok = login(user["username"], USER_PASSWORD)
        self.assertEqual(ok.status, 200)
        r = admin().get("audit", query={"action": "login_failed", "limit": 1})
        self.assertEqual(r.status, 200, r)
        e = r.body["data"][0]
        self.assertEqual(e["diff"], {"username": user["username"], "reason": "bad_credentials"})
        self.assertEqual(e["ip"], "127.0.0.1")
        r = admin().get("audit", query={"action": "login", "user_id": user["id"]})
        self.assertEqual([(x["action"], x["record_id"]) for x in r.body["data"]], [("login", user["id"])])
        self.assertNotIn(USER_PASSWORD, admin().get("audit", query={"limit": 500}).text)

    def test_missing_fields(self):
        r = request("POST", API + "/auth/login", body={})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"username", "password"})
        r = request("POST", API + "/auth/login", body={"username": "admin"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"password"})

    def test_malformed_login_body(self):
        r = request("POST", API + "/auth/login", raw='{"username": "admin", ')
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.error["code"], "bad_request")

    def test_not_logged_in(self):
        for method, path in [("GET", "/auth/me"), ("GET", "/customers"), ("POST", "/customers"),
                             ("GET", "/meta/entities"), ("GET", "/audit")]:
            r = request(method, API + path, body={"name": "x"} if method == "POST" else None)
            self.assertEqual(r.status, 401, (method, path, r))
            self.assertEqual(r.error["code"], "unauthorized")

    def test_unknown_bearer_token(self):
        for tok in ["x" * 43, "gx_" + "y" * 43, "short"]:
            r = Client(token=tok).get("auth/me")
            self.assertEqual(r.status, 401, (tok, r))

    def test_me(self):
        a = admin()
        r = a.get("auth/me")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["id"], a.user["id"])
        self.assertEqual(r.body["username"], "admin")
        self.assertIs(r.body["is_admin"], True)
        self.assertNotIn("password", r.body)

    def test_me_of_a_rep(self):
        user, cl = make_user()
        r = cl.get("auth/me")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["id"], user["id"])
        self.assertEqual(r.body["username"], user["username"])
        self.assertIs(r.body["is_admin"], False)
        self.assertIn("customers", r.body["permissions"])

    def test_logout_ends_the_token(self):
        cl = login_client("admin", ADMIN_PASSWORD)
        self.assertEqual(cl.get("auth/me").status, 200)
        r = cl.post("auth/logout")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, {"ok": True})
        self.assertEqual(cl.get("auth/me").status, 401)
        self.assertEqual(cl.get("customers").status, 401)
        # The shared admin session is a different one and still works.
        self.assertEqual(admin().get("auth/me").status, 200)

    def test_session_fixation(self):
        # A session presented at login is ended; the new one is fresh.
        first = login("admin", ADMIN_PASSWORD)
        old = session_cookie(first)
        second = login("admin", ADMIN_PASSWORD, headers={"Cookie": "gx_session=" + old})
        self.assertEqual(second.status, 200)
        self.assertNotEqual(session_cookie(second), old)
        self.assertEqual(Client(token=old).get("auth/me").status, 401)
        self.assertEqual(Client(token=second.body["token"]).get("auth/me").status, 200)


class CookieSessionAndCsrf(unittest.TestCase):
    def setUp(self):
        r = login("admin", ADMIN_PASSWORD)
        self.assertEqual(r.status, 200)
        self.cookie = session_cookie(r)
        self.csrf = r.body["csrf_token"]

    def count(self, name):
        return admin().list("customers", {"name": name}).body["total"]

    def test_get_needs_no_csrf(self):
        r = Client(cookie=self.cookie, send_csrf=False).get("auth/me")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["username"], "admin")
        self.assertEqual(r.body["csrf_token"], self.csrf)

    def test_mutation_without_csrf_is_refused(self):
        name = uniq("csrf")
        r = Client(cookie=self.cookie, send_csrf=False).post("customers", {"name": name})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.error["code"], "csrf")
        self.assertEqual(self.count(name), 0)

    def test_mutation_with_wrong_csrf_is_refused(self):
        name = uniq("csrf")
        for bad in ["", "x", self.csrf[:-1], self.csrf + "a", self.csrf.swapcase()]:
            r = Client(cookie=self.cookie).post("customers", {"name": name}, headers={"X-CSRF-Token": bad})
            self.assertEqual(r.status, 403, (bad, r))
        self.assertEqual(self.count(name), 0)

    def test_csrf_of_another_session_is_refused(self):
        other = login("admin", ADMIN_PASSWORD).body["csrf_token"]
        name = uniq("csrf")
        r = Client(cookie=self.cookie, csrf=other).post("customers", {"name": name})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.count(name), 0)

    def test_patch_and_delete_need_csrf_too(self):
        rec = admin().create("customers", {"name": uniq("csrf")})
        nocsrf = Client(cookie=self.cookie, send_csrf=False)
        r = nocsrf.patch("customers/%d" % rec["id"], {"name": "changed", "version": 1})
        self.assertEqual(r.status, 403, r)
        r = nocsrf.delete("customers/%d" % rec["id"])
        self.assertEqual(r.status, 403, r)
        now = admin().read("customers", rec["id"])
        self.assertEqual((now["name"], now["version"]), (rec["name"], 1))

    def test_mutation_with_csrf_works(self):
        name = uniq("csrf")
        r = Client(cookie=self.cookie, csrf=self.csrf).post("customers", {"name": name})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["name"], name)
        self.assertEqual(self.count(name), 1)

    def test_bearer_needs_no_csrf(self):
        name = uniq("bearer")
        r = login("admin", ADMIN_PASSWORD)
        cl = Client(token=r.body["token"])
        r = cl.post("customers", {"name": name})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.count(name), 1)

    def test_csrf_as_a_form_field(self):
        # Plain HTML forms send the token as _csrf instead of the header.
        cl = Client(cookie=self.cookie, send_csrf=False)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        r = cl.post("auth/logout", raw="_csrf=wrong", headers=form)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(cl.get("auth/me").status, 200)
        r = cl.post("auth/logout", raw="_csrf=" + self.csrf, headers=form)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(cl.get("auth/me").status, 401)

    def test_cookie_logout_then_replay(self):
        cl = Client(cookie=self.cookie, csrf=self.csrf)
        r = Client(cookie=self.cookie, send_csrf=False).post("auth/logout")
        self.assertEqual(r.status, 403, r)  # logout is state-changing: CSRF applies
        self.assertEqual(cl.get("auth/me").status, 200)
        r = cl.post("auth/logout")
        self.assertEqual(r.status, 200, r)
        cleared = [h for h in r.headers.get_all("Set-Cookie") or [] if h.startswith("gx_session=")]
        self.assertEqual(len(cleared), 1)
        self.assertTrue(cleared[0].startswith("gx_session=;"), cleared)
        self.assertIn("Max-Age=0", cleared[0])
        r = cl.get("auth/me")
        self.assertEqual(r.status, 401, r)
        r = cl.post("customers", {"name": uniq("replay")})
        self.assertEqual(r.status, 401, r)


class BruteForce(unittest.TestCase):
    def test_sixth_attempt_is_429(self):
        user, _ = make_user(login=False)
        for i in range(5):
            r = login(user["username"], "wrong-password-%d" % i)
            self.assertEqual(r.status, 401, (i, r))
        r = login(user["username"], "wrong-password-6")
        self.assertEqual(r.status, 429, r)
        self.assertEqual(r.error["code"], "too_many_requests")
        retry = r.headers.get("Retry-After")
        self.assertIsNotNone(retry)
        self.assertTrue(retry.isdigit(), retry)
        self.assertTrue(1 <= int(retry) <= 15 * 60, retry)
        # Locked: even the right password is refused for now, and no session is made.
        r = login(user["username"], USER_PASSWORD)
        self.assertEqual(r.status, 429, r)
        self.assertIsNotNone(r.headers.get("Retry-After"))
        self.assertIsNone(session_cookie(r))
        # Other users are not affected.
        self.assertEqual(login("admin", ADMIN_PASSWORD).status, 200)


class ApiTokens(unittest.TestCase):
    def test_create_use_revoke(self):
        user, cl = make_user()
        name = "integration " + uniq("tok")
        r = cl.post("auth/tokens", {"name": name})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(set(r.body), {"id", "name", "token"})
        self.assertEqual(r.body["name"], name)
        token, tid = r.body["token"], r.body["id"]
        self.assertTrue(token.startswith("gx_"), token)
        self.assertGreaterEqual(len(token), 40)
        # Shown once: the list has a prefix, never the token.
        r = cl.get("auth/tokens")
        self.assertEqual(r.status, 200, r)
        mine = [t for t in r.body["data"] if t["id"] == tid]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["name"], name)
        self.assertEqual(mine[0]["prefix"], token[:7])
        self.assertIsNone(mine[0]["revoked_at"])
        self.assertNotIn(token, r.text)
        # Use it: it carries the user's identity and permissions.
        api = Client(token=token)
        r = api.get("auth/me")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["id"], user["id"])
        r = api.post("customers", {"name": uniq("viatoken")})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.body["owner_id"], user["id"])
        self.assertEqual(api.post("users", {"username": uniq("x"), "name": "x", "password": USER_PASSWORD}).status, 403)
        # Another user cannot revoke it.
        _, other = make_user()
        self.assertEqual(other.delete("auth/tokens/%d" % tid).status, 404)
        self.assertEqual(api.get("auth/me").status, 200)
        # Revoke.
        r = cl.delete("auth/tokens/%d" % tid)
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.raw, b"")
        self.assertEqual(api.get("auth/me").status, 401)
        self.assertEqual(cl.delete("auth/tokens/%d" % tid).status, 404)
        r = cl.get("auth/tokens")
        self.assertIsNotNone([t for t in r.body["data"] if t["id"] == tid][0]["revoked_at"])
        # The session that made it still works.
        self.assertEqual(cl.get("auth/me").status, 200)

    def test_token_needs_a_name(self):
        _, cl = make_user()
        for body in [{}, {"name": ""}, {"name": "x" * 101}, {"name": 5}]:
            r = cl.post("auth/tokens", body)
            self.assertEqual(r.status, 422, (body, r))
            self.assertEqual(set(r.fields), {"name"})

    def test_unknown_token_id(self):
        self.assertEqual(admin().delete("auth/tokens/999999999").status, 404)
        self.assertEqual(admin().delete("auth/tokens/abc").status, 404)


class PasswordChange(unittest.TestCase):
    def test_policy_and_change(self):
        user, cl = make_user()
        other_session = login_client(user["username"], USER_PASSWORD)

        def change(cur, new):
            return cl.post("auth/password", {"current_password": cur, "new_password": new})

        r = change(USER_PASSWORD, "short7!")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"new_password"})
        r = change(USER_PASSWORD, user["username"])  # usernames are 12+ characters here
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"new_password"})
        r = change(USER_PASSWORD, user["username"].upper())
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"new_password"})
        r = change("not-my-password", "A-good-new-passw0rd")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"current_password"})
        r = cl.post("auth/password", {"current_password": USER_PASSWORD})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(set(r.fields), {"new_password"})
        # Nothing changed so far.
        self.assertEqual(other_session.get("auth/me").status, 200)
        self.assertEqual(login(user["username"], USER_PASSWORD).status, 200)

        r = change(USER_PASSWORD, "A-good-new-passw0rd")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, {"ok": True})
        self.assertEqual(cl.get("auth/me").status, 200)  # this session stays
        self.assertEqual(other_session.get("auth/me").status, 401)  # others end
        self.assertEqual(login(user["username"], USER_PASSWORD).status, 401)
        self.assertEqual(login(user["username"], "A-good-new-passw0rd").status, 200)


if __name__ == "__main__":
    unittest.main()
