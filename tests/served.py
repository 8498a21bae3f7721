"""served.py — a Guanxi server on a database file as it is, for the test
suites that bring their own database (tests/upgrade: earlier releases'
files; tests/bench: the generator's). `guanxi serve` on a free loopback
port, waiting for /healthz; JSON calls to the API; stop() checks the
graceful shutdown (exit status 0). The binary is $GUANXI."""
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, db):
        self.port = free_port()
        self.log = open(db + ".log", "w")
        self.proc = subprocess.Popen([os.environ["GUANXI"], "serve", "--db", db, "--listen",
                                      "127.0.0.1:%d" % self.port, "--quiet"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: see %s.log" % db)
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def call(self, method, path, body=None, token=None, query=None):
        """(status, decoded JSON body) of an API call (path under /api/v1)."""
        url = self.url("/api/v1" + path)
        if query:
            url += "?" + urllib.parse.urlencode(query)
        req = urllib.request.Request(url, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def login(self, username, password):
        status, body = self.call("POST", "/auth/login", {"username": username, "password": password})
        assert status == 200, (username, status, body)
        return body["token"]

    def stop(self):
        self.proc.terminate()
        rc = self.proc.wait(timeout=15)
        self.log.close()
        assert rc == 0, rc
