#!/usr/bin/env python3
"""fts_merge_settings.py DB AUTOMERGE CRISISMERGE ROUNDS — CPU per COMMIT of
one customer's two global-search rows over ROUNDS x 250 COMMITs with the
given FTS5 merge settings (synchronous OFF; the worst COMMIT too). WRITES TO
DB: use a copy (bench/README.md, stop 16)."""
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA synchronous=OFF")
am, cm, rounds = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for t in ("customers_gw", "customers_gt"):
    db.execute("INSERT INTO %s(%s, rank) VALUES('automerge', ?)" % (t, t), (am,))
    db.execute("INSERT INTO %s(%s, rank) VALUES('crisismerge', ?)" % (t, t), (cm,))
gw = db.execute("SELECT n, o, p, p2, d, s FROM customers_gw WHERE rowid = 5").fetchone()
gt = db.execute("SELECT n, o, e, so, sd, sp FROM customers_gt WHERE rowid = 5").fetchone()
base = 2_000_000
tot = 0; worst_all = 0
for rnd in range(rounds):
    t = time.process_time(); worst = 0
    for i in range(250):
        w = time.process_time()
        db.execute("BEGIN")
        db.execute("INSERT INTO customers_gw(rowid, n, o, p, p2, d, s) VALUES (?,?,?,?,?,?,?)", (base,) + gw)
        db.execute("INSERT INTO customers_gt(rowid, n, o, e, so, sd, sp) VALUES (?,?,?,?,?,?,?)", (base,) + gt)
        db.execute("COMMIT")
        worst = max(worst, time.process_time() - w)
        base += 1
    d = time.process_time() - t; tot += d; worst_all = max(worst_all, worst)
    if rnd % 4 == 3 or worst > 0.05:
        print("am %d cm %d round %d: %.0f us/commit, worst %.1f ms" % (am, cm, rnd, d / 250 * 1e6, worst * 1e3), flush=True)
print("am %d cm %d: %.1f s CPU for %d commits, worst %.1f ms" % (am, cm, tot, 250 * rounds, worst_all * 1e3))
