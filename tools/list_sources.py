#!/usr/bin/env python3
"""List C sources for meson: 'core' = every src/**/*.c except main.c; 'unit' = tests/unit/test_*.c."""
import pathlib, sys
root = pathlib.Path(__file__).resolve().parent.parent
kind = sys.argv[1]
if kind == 'core':
    files = sorted(p for p in (root / 'src').rglob('*.c') if p.name != 'main.c')
else:
    files = sorted((root / 'tests' / 'unit').glob('test_*.c'))
print('\n'.join(str(p.relative_to(root)) for p in files))
