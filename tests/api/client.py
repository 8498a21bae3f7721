"""client.py — a small HTTP client for the black-box API suite.

Standard library only. tests/api/run.sh starts a server on a fresh database
and passes:
    GX_BASE_URL        e.g. http://127.0.0.1:41234
    GX_ADMIN_PASSWORD  the password given to `guanxi init --admin-password`

Every request returns a Resp with the status, the headers, the parsed JSON
body (or None) and the raw bytes. A Client authenticates either with a Bearer
token or with the session cookie plus the X-CSRF-Token header, like a browser.
"""
import http.client
import json
import os
import threading
import unittest
import urllib.parse
import uuid

BASE_URL = os.environ.get("GX_BASE_URL", "http://127.0.0.1:8080")
ADMIN_PASSWORD = os.environ.get("GX_ADMIN_PASSWORD", "")
BACKEND = os.environ.get("GX_BACKEND", "sqlite")  # "sqlite" or "postgresql"
API = "/api/v1"

_url = urllib.parse.urlsplit(BASE_URL)
HOST = _url.hostname or "127.0.0.1"
PORT = _url.port or 80

# Passwords of users made by the suite (the policy: 8+ characters, not the username).
USER_PASSWORD = "Passw0rd-for-tests"


def expected_failure_on(backend, reason):
    """unittest.expectedFailure, but only when the server runs on `backend`
    (a bug of one backend; the test must pass on the other)."""
    def deco(fn):
        return unittest.expectedFailure(fn) if BACKEND == backend else fn
    return deco


class Resp:
    """One HTTP response."""

    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers  # http.client.HTTPMessage (case-insensitive get, get_all)
        self.raw = raw
        self.body = None
        ctype = headers.get("Content-Type", "") or ""
        if raw and ctype.startswith("application/json"):
            self.body = json.loads(raw.decode("utf-8"))

    @property
    def text(self):
        return self.raw.decode("utf-8")

    @property
    def error(self):
        """The "error" object of an error body, or {}."""
        if isinstance(self.body, dict):
            return self.body.get("error") or {}
        return {}

    @property
    def fields(self):
        """error.fields, or {}."""
        return self.error.get("fields") or {}

    @property
    def data(self):
        return self.body["data"]

    @property
    def ids(self):
        """ids of the records in a list answer, in order."""
        return [r["id"] for r in self.body["data"]]

    def __repr__(self):
        return "<Resp %d %r>" % (self.status, self.raw[:400])


def request(method, path, body=None, raw=None, headers=None, query=None, timeout=30):
    """Send one request on a fresh connection. body is encoded as JSON; raw is
    sent as is (bytes or str). query is a dict or a list of pairs."""
    hdrs = {"Accept": "application/json"}
    if headers:
        hdrs.update(headers)
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        hdrs.setdefault("Content-Type", "application/json")
    elif raw is not None:
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        hdrs.setdefault("Content-Type", "application/json")
    if query:
        path = path + ("&" if "?" in path else "?") + urllib.parse.urlencode(query, quote_via=urllib.parse.quote, safe="")
    conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=hdrs)
        r = conn.getresponse()
        payload = r.read()
        return Resp(r.status, r.msg, payload)
    finally:
        conn.close()


class Client:
    """An authenticated API client: Bearer token, or cookie session (+ CSRF)."""

    def __init__(self, token=None, cookie=None, csrf=None, send_csrf=True, user=None):
        self.token = token
        self.cookie = cookie
        self.csrf = csrf
        self.send_csrf = send_csrf
        self.user = user or {}

    @property
    def id(self):
        return self.user.get("id")

    def _headers(self, extra):
        h = {}
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if self.cookie:
            h["Cookie"] = "gx_session=" + self.cookie
            if self.send_csrf and self.csrf:
                h["X-CSRF-Token"] = self.csrf
        if extra:
            h.update(extra)
        return h

    def req(self, method, path, body=None, raw=None, headers=None, query=None, timeout=30):
        if not path.startswith("/"):
            path = API + "/" + path
        return request(method, path, body=body, raw=raw, headers=self._headers(headers), query=query,
                       timeout=timeout)

    def get(self, path, query=None, **kw):
        return self.req("GET", path, query=query, **kw)

    def post(self, path, body=None, **kw):
        return self.req("POST", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.req("PATCH", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.req("DELETE", path, **kw)

    # --- conveniences that assert success (setup code, not the thing tested) ---

    def create(self, entity, values):
        r = self.post(entity, values)
        if r.status != 201:
            raise AssertionError("setup: POST %s %r -> %r" % (entity, values, r))
        return r.body

    def read(self, entity, rid):
        r = self.get("%s/%d" % (entity, rid))
        if r.status != 200:
            raise AssertionError("setup: GET %s/%d -> %r" % (entity, rid, r))
        return r.body

    def list(self, entity, query=None):
        r = self.get(entity, query=query)
        if r.status != 200:
            raise AssertionError("setup: GET %s %r -> %r" % (entity, query, r))
        return r


def login(username, password, headers=None):
    return request("POST", API + "/auth/login", body={"username": username, "password": password}, headers=headers)


def session_cookie(resp):
    """The gx_session value set by a response, or None."""
    for h in resp.headers.get_all("Set-Cookie") or []:
        first = h.split(";", 1)[0]
        if first.startswith("gx_session="):
            return first[len("gx_session="):]
    return None


def login_client(username, password, cookie=False):
    """Log in; return a Bearer client (or a cookie+CSRF client)."""
    r = login(username, password)
    if r.status != 200:
        raise AssertionError("setup: login %s -> %r" % (username, r))
    if cookie:
        return Client(cookie=session_cookie(r), csrf=r.body["csrf_token"], user=r.body["user"])
    return Client(token=r.body["token"], user=r.body["user"])


_lock = threading.Lock()
_admin = None
_roles = {}


def admin():
    """The administrator (one Bearer session shared by the whole run)."""
    global _admin
    with _lock:
        if _admin is None:
            _admin = login_client("admin", ADMIN_PASSWORD)
        return _admin


def role_id(code):
    """Id of a built-in role, found as integrations do: GET /roles?code=…"""
    if code not in _roles:
        r = admin().get("roles", query={"code": code})
        if r.status != 200 or len(r.body["data"]) != 1:
            raise AssertionError("setup: role %s -> %r" % (code, r))
        _roles[code] = r.body["data"][0]["id"]
    return _roles[code]


def hq_department():
    """The head office made by `guanxi init` (the administrator's department)."""
    return admin().user["department_id"]


_counter = [0]


def uniq(prefix="T"):
    """A name no other test uses: prefix + counter + 10 random digits (digits
    only, so that letter filters such as name[like]=a are not disturbed)."""
    with _lock:
        _counter[0] += 1
        n = _counter[0]
    return "%s%03d%010d" % (prefix, n, uuid.uuid4().int % 10**10)


def make_user(roles=("sales_rep",), department_id=None, login=True, username=None, password=USER_PASSWORD, **extra):
    """Create a user through the API as admin; return (record, Client or None)."""
    username = username or uniq("u")
    body = {"username": username, "name": "Test " + username, "password": password,
            "role_ids": [role_id(c) for c in roles]}
    if department_id is not None:
        body["department_id"] = department_id
    body.update(extra)
    rec = admin().create("users", body)
    cl = login_client(username, password) if login else None
    return rec, cl


def make_department(name=None, parent_id=None):
    body = {"name": name or uniq("dept")}
    if parent_id is not None:
        body["parent_id"] = parent_id
    return admin().create("departments", body)


def search_pages(cl, q, limit, sort=None, extra=None):
    """Every page of a customer list search q (limit rows a page), its ids
    concatenated, and the replies."""
    ids, replies, offset = [], [], 0
    while True:
        query = {"q": q, "limit": str(limit), "offset": str(offset)}
        if sort:
            query["sort"] = sort
        query.update(extra or {})
        r = cl.get("customers", query=query)
        assert r.status == 200, r
        replies.append(r)
        ids += r.ids
        if len(r.ids) < limit:
            return ids, replies
        offset += limit
