#!/usr/bin/env python3
"""fts_commit.py DB [AUTOMERGE] — CPU per COMMIT of one customer's global
search rows (one row into customers_gt and one into customers_gw, copied
from customer 5), 200 transactions a round, 3 rounds; synchronous OFF, so
what is measured is FTS5's work (flushing the pending terms into a new
segment, and its share of any incremental merge). WRITES TO DB: use a copy.
AUTOMERGE sets the tables' automerge first (FTS5's default is 4)."""
import sqlite3
import sys
import time


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    if len(sys.argv) > 2:
        for t in ("customers_gw", "customers_gt"):
            db.execute("INSERT INTO %s(%s, rank) VALUES('automerge', ?)" % (t, t), (int(sys.argv[2]),))
    gw = db.execute("SELECT n, o, p, p2, d, s FROM customers_gw WHERE rowid = 5").fetchone()
    gt = db.execute("SELECT n, o, e, so, sd, sp FROM customers_gt WHERE rowid = 5").fetchone()
    base = db.execute("SELECT max(rowid) FROM customers_gw").fetchone()[0] + 1000
    for rnd in range(3):
        t = time.process_time()
        for i in range(200):
            db.execute("BEGIN")
            db.execute("INSERT INTO customers_gw(rowid, n, o, p, p2, d, s) VALUES (?,?,?,?,?,?,?)", (base + i,) + gw)
            db.execute("INSERT INTO customers_gt(rowid, n, o, e, so, sd, sp) VALUES (?,?,?,?,?,?,?)", (base + i,) + gt)
            db.execute("COMMIT")
        base += 1000
        print("round %d: %.0f us of CPU per COMMIT" % (rnd, (time.process_time() - t) / 200 * 1e6))


if __name__ == "__main__":
    main()
