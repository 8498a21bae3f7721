#!/usr/bin/env python3
"""released_entries.py N — print the released.c lines for migration N.

When a release ships, run this for each migration it adds and append the
output to the table in src/meta/released.c (then raise MIGRATIONS_RELEASED).
A field renamed in migration N is listed under its new name with N; its old
name stays listed under the migration that created it."""
import glob
import json
import os
import sys

n = int(sys.argv[1])
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schema")
rows = []
for path in sorted(glob.glob(os.path.join(root, "*.json"))):
    with open(path, encoding="utf-8") as f:
        e = json.load(f)
    since = e.get("since", 1)
    if since == n:
        rows.append('    {"%s", NULL, %d, NULL},' % (e["name"], n))
    for fld in e["fields"]:
        if fld.get("since", since) == n:
            rows.append('    {"%s", "%s", %d, "%s"},' % (e["name"], fld["name"], n, fld["type"]))
print("\n".join(rows))
