#!/usr/bin/env python3
"""fts5_structure.py DB TABLE... — the levels and segments of FTS5 tables.

Decodes each table's structure record (row 10 of <table>_data): the levels,
for each the number of segments in an incremental merge (nMerge) and the
size of every segment in leaf pages. A big segment being merged at a low
level is what every write of the table pays for (bench/README.md, stop 16).
Reads the record format of SQLite 3.40 (Debian 12): a 4-byte cookie, then
varints nLevel, nSegment, nWriteCounter, then per level nMerge, nSeg and per
segment (segment id, first page, last page)."""
import sqlite3
import sys


def varint(b, i):
    v = 0
    for k in range(9):
        c = b[i]
        i += 1
        if k == 8:
            return (v << 8) | c, i
        v = (v << 7) | (c & 0x7F)
        if not c & 0x80:
            return v, i
    return v, i


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
    for t in sys.argv[2:]:
        b = db.execute("SELECT block FROM \"%s_data\" WHERE id = 10" % t.replace('"', '""')).fetchone()[0]
        nlevel, i = varint(b, 4)
        nseg, i = varint(b, i)
        writes, i = varint(b, i)
        print("%s: %d levels, %d segments, %d writes" % (t, nlevel, nseg, writes))
        for level in range(nlevel):
            nmerge, i = varint(b, i)
            n, i = varint(b, i)
            pages = []
            for _ in range(n):
                _, i = varint(b, i)
                first, i = varint(b, i)
                last, i = varint(b, i)
                pages.append(last - first + 1)
            print("  level %d: %d segments%s, leaf pages %s" % (
                level, n, " (merging %d)" % nmerge if nmerge else "", pages))


if __name__ == "__main__":
    main()
