#!/usr/bin/env python3
"""fts_query_time.py DB — CPU per query of 300 global-search MATCH queries (pinyin
and phone prefixes, words, trigrams; the newest 20 each) on customers_gw and
customers_gt, twice; read-only (bench/README.md, stop 16)."""
import sqlite3, sys, time, random
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
random.seed(3)
qs = []
letters = "bcdghjklmnpqrstwxyz"
for i in range(300):
    k = random.randint(0, 3)
    if k == 0: qs.append(("customers_gw", "{p} : \"%s\" *" % "".join(random.choice(letters) for _ in range(3))))
    elif k == 1: qs.append(("customers_gw", "{d} : \"%s\" *" % "".join(random.choice("0123456789") for _ in range(5))))
    elif k == 2: qs.append(("customers_gw", "{n o} : \"%s\"" % random.choice(["恒华", "科技", "贸易", "上海", "华为", "鑫盛"])))
    else: qs.append(("customers_gt", "{n o e} : \"%s\"" % random.choice(["恒华贸", "上海恒", "科技有", "bench1", "sales@"])))
for rep in range(2):
    t = time.process_time()
    for tb, q in qs:
        db.execute("SELECT rowid FROM %s WHERE %s MATCH ? ORDER BY rowid DESC LIMIT 20" % (tb, tb), (q,)).fetchall()
    print(sys.argv[1], "%.0f us per query" % ((time.process_time() - t) / len(qs) * 1e6))
