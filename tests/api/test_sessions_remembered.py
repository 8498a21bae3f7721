"""Sessions and API tokens remembered by each server (auth/auth.c, issue
#2's GET speed): a second server on the suite's database — as a second
app server on PostgreSQL, or a second process on the SQLite file — has
remembered a user's session and token from earlier requests; whatever
the first server then does to them (logout, revocation, password change,
disabling, a department move, a new role) applies to the second server's
very next request. The "auth" version (raised by triggers on sessions,
api_tokens and users) and the "acl" version are what both read."""
import http.client
import json
import os
import socket
import subprocess
import time
import unittest

from client import USER_PASSWORD, Client, admin, login, make_department, make_user, role_id

DB = os.environ.get("GX_DB")
GUANXI = os.environ.get("GUANXI")


class Second:
    """A second `guanxi serve` on the suite's database."""

    def __init__(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.proc = subprocess.Popen([GUANXI, "serve", "--db", DB, "--listen", "127.0.0.1:%d" % self.port,
                                      "--threads", "2", "--quiet"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + (300 if os.environ.get("GX_SERVER_WRAP") else 30)
        while time.time() < deadline:
            try:
                if self.get("/healthz", None)[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the second server did not start")

    def get(self, path, token):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", path, headers={"Authorization": "Bearer " + token} if token else {})
            r = conn.getresponse()
            data = r.read()
            return r.status, (json.loads(data) if data and r.getheader("Content-Type", "").startswith(
                "application/json") else None)
        finally:
            conn.close()

    def me(self, token):
        return self.get("/api/v1/auth/me", token)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)


@unittest.skipUnless(DB and GUANXI, "needs GX_DB and GUANXI (tests/api/run.sh sets them)")
class RememberedOnAnotherServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.other = Second()

    @classmethod
    def tearDownClass(cls):
        cls.other.stop()

    def warm(self, *tokens):
        """Each token used twice on the second server (remembered there)."""
        for t in tokens:
            for _ in range(2):
                st, body = self.other.me(t)
                self.assertEqual(st, 200, body)

    def user_with_token(self, roles=("sales_rep",), department_id=None):
        user, cl = make_user(roles, department_id)
        tok = cl.post("auth/tokens", {"name": "script"})
        self.assertEqual(tok.status, 201, tok)
        return user, cl, tok.body

    def test_logout_elsewhere(self):
        _, cl = make_user()
        self.warm(cl.token)
        self.assertEqual(cl.post("auth/logout").status, 200)
        self.assertEqual(self.other.me(cl.token)[0], 401)

    def test_token_revoked_elsewhere(self):
        _, cl, tok = self.user_with_token()
        self.warm(tok["token"])
        self.assertEqual(cl.delete("auth/tokens/%d" % tok["id"]).status, 204)
        self.assertEqual(self.other.me(tok["token"])[0], 401)
        self.assertEqual(self.other.me(cl.token)[0], 200)  # the session itself goes on

    def test_password_change_elsewhere_ends_other_sessions(self):
        user, cl = make_user()
        second = login(user["username"], USER_PASSWORD).body["token"]
        self.warm(cl.token, second)
        r = cl.post("auth/password", {"current_password": USER_PASSWORD, "new_password": "Another-passw0rd"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.other.me(second)[0], 401)
        self.assertEqual(self.other.me(cl.token)[0], 200)  # the session that changed it stays

    def test_disabled_elsewhere(self):
        user, cl, tok = self.user_with_token()
        self.warm(cl.token, tok["token"])
        up = admin().patch("users/%d" % user["id"], {"active": False, "version": user["version"]})
        self.assertEqual(up.status, 200, up)
        self.assertEqual(self.other.me(cl.token)[0], 401)
        self.assertEqual(self.other.me(tok["token"])[0], 401)

    def test_department_move_and_name_elsewhere(self):
        a, b = make_department(), make_department()
        user, cl, tok = self.user_with_token(("sales_manager",), a["id"])
        _, rep_b = make_user(("sales_rep",), b["id"])
        rec = rep_b.create("customers", {"name": "另一部门的客户"})
        path = "/api/v1/customers/%d" % rec["id"]
        self.warm(cl.token, tok["token"])
        for t in (cl.token, tok["token"]):
            self.assertEqual(self.other.get(path, t)[0], 404)
        up = admin().patch("users/%d" % user["id"], {"department_id": b["id"], "name": "调岗 " + user["name"],
                                                      "version": user["version"]})
        self.assertEqual(up.status, 200, up)
        for t in (cl.token, tok["token"]):
            st, me = self.other.me(t)
            self.assertEqual(st, 200)
            self.assertEqual(me["department_id"], b["id"])
            self.assertEqual(me["name"], "调岗 " + user["name"])
            self.assertEqual(self.other.get(path, t)[0], 200)

    def test_new_role_elsewhere(self):
        user, cl = make_user(("sales_rep",))
        self.warm(cl.token)
        self.assertEqual(self.other.get("/api/v1/roles", cl.token)[0], 403)
        up = admin().patch("users/%d" % user["id"], {"role_ids": [role_id("admin")], "version": user["version"]})
        self.assertEqual(up.status, 200, up)
        self.assertEqual(self.other.get("/api/v1/roles", cl.token)[0], 200)


if __name__ == "__main__":
    unittest.main()
