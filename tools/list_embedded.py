#!/usr/bin/env python3
"""List the files embedded in the binary: schema/*.json, web/*, po/*.po and the
third-party assets copied from node_modules into web/vendor by `make`."""
import pathlib
root = pathlib.Path(__file__).resolve().parent.parent
out = []
for pattern in ('schema/*.json', 'web/**/*', 'po/*.po'):
    out += [p for p in root.glob(pattern) if p.is_file()]
print('\n'.join(str(p.relative_to(root)) for p in sorted(out)))
