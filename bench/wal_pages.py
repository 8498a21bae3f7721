#!/usr/bin/env python3
"""wal_pages.py DB [LAST_N_COMMITS] — the pages each commit in DB-wal wrote
(frames of the WAL's current generation, grouped by commit frame), each
page named by its b-tree (dbstat of DB opened read-only with its WAL)."""
import struct, sys, subprocess, collections, sqlite3
db = sys.argv[1]; last = int(sys.argv[2]) if len(sys.argv) > 2 else 10
w = open(db + "-wal", "rb").read()
magic, ver, psz, ckseq, s1, s2, c1, c2 = struct.unpack(">IIIIIIII", w[:32])
commits, cur = [], []
off = 32
while off + 24 + psz <= len(w):
    pg, size, fs1, fs2, k1, k2 = struct.unpack(">IIIIII", w[off:off + 24])
    if (fs1, fs2) != (s1, s2):
        break
    cur.append(pg)
    if size:
        commits.append(cur); cur = []
    off += 24 + psz
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
names = {}
for name, pageno in con.execute("SELECT name, pageno FROM dbstat"):
    names[pageno] = name
print("commits in WAL:", len(commits))
for i, c in enumerate(commits[-last:]):
    cnt = collections.Counter(names.get(p, "?%d" % p) for p in c)
    print("commit %d: %d frames, %d distinct pages" % (len(commits) - last + i, len(c), len(set(c))))
    for n, k in sorted(cnt.items(), key=lambda x: -x[1]):
        print("   %3d %s" % (k, n))
