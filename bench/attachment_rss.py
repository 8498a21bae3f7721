#!/usr/bin/env python3
"""attachment_rss.py — the server's memory while it sends a file at the
largest upload size (20 MiB), SQLite or PostgreSQL.

    bench/attachment_rss.py [--guanxi build/guanxi] [--pg] [--rounds 3] [--parallel 4]

Starts `guanxi serve --threads 2` on a fresh database (a temporary SQLite
file, or with --pg a throwaway PostgreSQL from tests/pg_start.sh), uploads
one 20 MiB file of random bytes, then reads /proc/PID/status:

  base       VmRSS after the upload and one small request
  peak       VmHWM after the downloads, the high-water mark having been reset
             to the current RSS just before them (/proc/PID/clear_refs "5")
  after      VmRSS after the downloads

Downloads: --rounds sequential whole-file GETs, then --parallel at once,
then one Range request of the last 1 MiB; every body is checked byte for
byte. Prints one line per phase with the figures in MiB.

--time N: then N more sequential whole-file downloads, timed on the client
(median and worst wall-clock ms, and the server's CPU ms per download from
/proc/PID/stat). That part is a wall-clock figure: run it under the bench
lock (flock /work/bench.lock bench/attachment_rss.py --time 20 ...) and
report the load average next to it.
"""
import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZE = 20 * 1024 * 1024


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0]) / 1024.0
    return out


def reset_peak(pid):
    with open("/proc/%d/clear_refs" % pid, "w") as f:
        f.write("5")


class Api:
    def __init__(self, base):
        self.base = base
        self.token = None

    def req(self, method, path, body=None, raw=None, headers=None):
        h = dict(headers or {})
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if body is not None:
            raw = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        r = urllib.request.Request(self.base + path, data=raw, method=method, headers=h)
        try:
            with urllib.request.urlopen(r, timeout=120) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--guanxi", default=os.path.join(ROOT, "build", "guanxi"))
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--time", type=int, default=0)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="gx-rss-")
    env = dict(os.environ)
    pg_port = None
    if a.pg:
        pg_port = str(free_port())
        env["GX_PG_PORT"] = pg_port
        db = subprocess.run([os.path.join(ROOT, "tests", "pg_start.sh")], env=env, check=True,
                            capture_output=True, text=True).stdout.strip().splitlines()[-1]
    else:
        db = os.path.join(tmp, "rss.db")
    server = None
    try:
        subprocess.run([a.guanxi, "init", "--db", db, "--admin-password", "Admin12345"], check=True,
                       capture_output=True)
        port = free_port()
        server = subprocess.Popen([a.guanxi, "serve", "--db", db, "--listen", "127.0.0.1:%d" % port, "--threads",
                                   "2", "--quiet"], stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "log"), "w"))
        api = Api("http://127.0.0.1:%d/api/v1/" % port)
        for _ in range(100):
            try:
                if api.req("GET", "../../healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        st, b = api.req("POST", "auth/login", {"username": "admin", "password": "Admin12345"})
        api.token = json.loads(b)["token"]
        st, b = api.req("POST", "customers", {"name": "内存测试", "kind": "company"})
        cid = json.loads(b)["id"]
        data = os.urandom(SIZE)
        st, b = api.req("POST", "customers/%d/attachments" % cid, raw=data,
                        headers={"Content-Type": "application/octet-stream", "X-File-Name": "big.pdf"})
        assert st == 201, (st, b[:200])
        aid = json.loads(b)["data"][0]["id"]
        del b
        api.req("GET", "customers/%d" % cid)
        time.sleep(0.5)
        base = status(server.pid)["VmRSS"]
        print("backend %s, binary %s, file %d bytes" % ("postgresql" if a.pg else "sqlite", a.guanxi, SIZE))
        print("base: VmRSS %.1f MiB (after the upload)" % base)

        def get(results, i, headers=None):
            results[i] = api.req("GET", "attachments/%d/content" % aid, headers=headers)

        reset_peak(server.pid)
        for i in range(a.rounds):
            res = [None]
            get(res, 0)
            assert res[0][0] == 200 and res[0][1] == data
        s = status(server.pid)
        print("%d sequential downloads: peak VmHWM %.1f MiB (+%.1f), VmRSS after %.1f MiB"
              % (a.rounds, s["VmHWM"], s["VmHWM"] - base, s["VmRSS"]))
        res = [None] * a.parallel
        ts = [threading.Thread(target=get, args=(res, i)) for i in range(a.parallel)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert all(r[0] == 200 and r[1] == data for r in res)
        s = status(server.pid)
        print("+ %d at once: peak VmHWM %.1f MiB (+%.1f), VmRSS after %.1f MiB"
              % (a.parallel, s["VmHWM"], s["VmHWM"] - base, s["VmRSS"]))
        res = [None]
        get(res, 0, {"Range": "bytes=-1048576"})
        assert res[0][0] in (200, 206)
        assert res[0][1] == (data[-1048576:] if res[0][0] == 206 else data)
        s = status(server.pid)
        print("+ Range bytes=-1048576 (status %d): peak VmHWM %.1f MiB (+%.1f), VmRSS after %.1f MiB"
              % (res[0][0], s["VmHWM"], s["VmHWM"] - base, s["VmRSS"]))
        if a.time:
            tick = os.sysconf("SC_CLK_TCK")

            def cpu():
                with open("/proc/%d/stat" % server.pid) as f:
                    v = f.read().rsplit(")", 1)[1].split()
                return (int(v[11]) + int(v[12])) * 1000.0 / tick

            ms = []
            c0 = cpu()
            for _ in range(a.time):
                t0 = time.monotonic()
                res = [None]
                get(res, 0)
                ms.append((time.monotonic() - t0) * 1000)
                assert res[0][0] == 200 and res[0][1] == data
            c1 = cpu()
            ms.sort()
            print("%d timed downloads: median %.1f ms, worst %.1f ms, server CPU %.1f ms per download; load %s"
                  % (a.time, ms[len(ms) // 2], ms[-1], (c1 - c0) / a.time, open("/proc/loadavg").read().strip()))
        print("sha256 %s" % hashlib.sha256(data).hexdigest()[:16])
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        if pg_port:
            subprocess.run([os.path.join(ROOT, "tests", "pg_stop.sh")], env=env, capture_output=True)
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    sys.exit(main())
