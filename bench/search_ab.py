#!/usr/bin/env python3
"""search_ab.py PORT_A PORT_B KIND N USER SEED [-v] — the same searches, one at
a time, to two servers (e.g. two builds on the same database copy), alternating
which one is asked first so that neither warms the page cache for the other
more often; prints p50/p90/p99/max of each and how many answers differed (ids
of the page, status, total).

KIND: phone, cjk2, cjk3, mix — list search GET /api/v1/customers?limit=50&q=
(fragments as bench/load/search.lua draws them); g_phone, g_cjk2, g_cjk3,
g_pinyin, g_mix — global search GET /api/v1/search?limit=5&q= (as
bench/load/global.lua). Users log in with the bench password Bench12345.
Wall clock: run it under the bench lock (flock /work/bench.lock …) and
print the load average next to it."""
import http.client, json, random, sys, time, urllib.parse

pa, pb, kind, n, user, seed = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
brand = list("恒华鑫盛达通泰瑞祥丰源宏伟嘉诚信德隆安康永兴利富金银光明天海新中东方宇星辰峰博卓远航润泽晟和美佳汇联创科智云数易优捷凯越")
industry = ["贸易","科技","电子","机械","物流","建材","食品","医药","化工","纺织","传媒","教育科技","软件","网络","信息技术","实业","投资","环保科技","新能源","汽车配件","置业","咨询","医疗器械","供应链"]
city = ["上海","杭州","南京","苏州","北京","天津","沈阳","广州","深圳","武汉","成都","重庆","西安"]
mobile = ["130","131","135","136","138","139","150","158","186","188","189","199"]
area = ["021","010","020","0755","028","023","029","0571","025"]
def digits(k): return "".join(str(random.randint(0, 9)) for _ in range(k))
def frag(k):
    if k == "cjk3":
        r = random.randint(1, 3)
        if r == 1: return random.choice(brand) + random.choice(brand) + random.choice(industry)[0]
        if r == 2: return random.choice(brand) + random.choice(industry)[:2]
        return random.choice(city) + random.choice(brand)
    if k == "cjk2":
        if random.randint(1, 2) == 1: return random.choice(brand) + random.choice(brand)
        return random.choice(industry)[:2]
    if k == "pinyin":
        letters = "abcdefghjklmnpqrstwxyz"
        return "".join(random.choice(letters) for _ in range(random.randint(2, 4)))
    r = random.randint(1, 3)
    if r == 1: return random.choice(mobile) + digits(random.randint(1, 4))
    if r == 2: return random.choice(area) + digits(2)
    return digits(random.randint(4, 7))
random.seed(seed)
def conn(p):
    c = http.client.HTTPConnection("127.0.0.1", p)
    c.request("POST", "/api/v1/auth/login", json.dumps({"username": user, "password": "Bench12345"}), {"Content-Type": "application/json"})
    return c, {"Authorization": "Bearer " + json.loads(c.getresponse().read())["token"]}
A, B = conn(pa), conn(pb)
glob = kind.startswith("g_"); k = kind[2:] if glob else kind
ta, tb, diff = [], [], 0
for i in range(n):
    kk = random.choice(["cjk3", "cjk2", "phone"] + (["pinyin"] if glob else [])) if k == "mix" else k
    q = frag(kk)
    path = ("/api/v1/search?limit=5&q=" if glob else "/api/v1/customers?limit=50&q=") + urllib.parse.quote(q)
    res = {}
    for who in ((A, "a"), (B, "b")) if i % 2 == 0 else ((B, "b"), (A, "a")):
        (c, h), name = who
        t = time.perf_counter(); c.request("GET", path, headers=h); r = c.getresponse(); body = r.read()
        res[name] = ((time.perf_counter() - t) * 1000, r.status, json.loads(body))
    ta.append((res["a"][0], q)); tb.append((res["b"][0], q))
    da, db_ = res["a"][2], res["b"][2]
    ida = [x["id"] for x in da["data"]]; idb = [x["id"] for x in db_["data"]]
    if ida != idb or res["a"][1] != res["b"][1] or da.get("total") != db_.get("total"):
        diff += 1
        if diff <= 5: print("DIFF", q, ida[:5], idb[:5], da.get("total"), db_.get("total"), da.get("total_exact"), db_.get("total_exact"))
def st(t):
    v = sorted(x[0] for x in t); p = lambda f: v[min(len(v) - 1, int(f * len(v)))]
    return f"p50 {p(.5):.2f} p90 {p(.9):.2f} p99 {p(.99):.2f} max {v[-1]:.2f}"
print(f"{kind} {user} n={n} A: {st(ta)} | B: {st(tb)} | differing answers {diff}")
if "-v" in sys.argv:
    print("  A slowest:", [(round(x[0]), x[1]) for x in sorted(ta)[-4:]]); print("  B slowest:", [(round(x[0]), x[1]) for x in sorted(tb)[-4:]])
