#!/usr/bin/env python3
"""Checks docs/seeds.md (or the file given after MIN) against the tree: every row has its four columns;
every test it names by a quoted check name ("...") is a string in tests/,
every test function (`test_...`) is in tests/, every file it names exists,
every identifier (`snake_case`, `Q_...`, `Message.field`) of the "where
built" column is in the sources, the migrations, the demo data or proto/.
Prints one line a problem and the count of rows; exits 1 on a problem or
with fewer than MIN rows. A name split by "…" is checked piece by piece."""
import glob, os, re, sys

MIN = int(sys.argv[1]) if len(sys.argv) > 1 else 80
SEEDS = sys.argv[2] if len(sys.argv) > 2 else 'docs/seeds.md'

def text(patterns):
    out = []
    for p in patterns:
        for f in sorted(glob.glob(p)):
            with open(f, encoding='utf-8') as fh:
                out.append(fh.read())
    return '\n'.join(out)

tests = text(['tests/cli/*.sh', 'tests/unit/*.c', 'tests/it/*.c', 'tests/e2e/*.mjs'])
code = text(['services/*/*.c', 'services/*/*.h', 'common/*.c', 'common/*.h', 'deploy/migrations/*.sql',
             'deploy/demo/*.sql', 'proto/*.proto', 'tools/*.py'])

def exists(name):
    if os.path.exists(name):
        return True
    for d in ['tests/cli', 'tests/unit', 'tests/it', 'services/*', 'common', 'deploy/*']:
        if glob.glob(os.path.join(d, name)):
            return True
    return False

rows = [l for l in open(SEEDS, encoding='utf-8')
        if l.startswith('| ') and not l.startswith('| mechanism')]
problems = []
for n, line in enumerate(rows, 1):
    cols = [c.strip() for c in line.strip().strip('|').split(' | ')]
    if len(cols) != 4:
        problems.append('row %d: %d columns, not 4' % (n, len(cols)))
        continue
    where, test = cols[2], cols[3]
    for name in re.findall(r'"([^"]+)"', test):
        for piece in (p.strip() for p in name.split('…')):
            if piece and piece not in tests:
                problems.append('row %d: no check named "%s" in tests/' % (n, piece))
    for fn in re.findall(r'`(test_[a-z0-9_]+)`', test):
        if fn not in tests:
            problems.append('row %d: no test %s' % (n, fn))
    for f in re.findall(r'`([A-Za-z_0-9./-]+\.(?:c|h|sh|sql|py|mjs|md|geojson))`', where + ' ' + test):
        if not exists(f):
            problems.append('row %d: no file %s' % (n, f))
    for ident in re.findall(r'`([a-z][a-z0-9]*_[a-z0-9_]+)`', where):
        if not ident.startswith('test_') and ident not in code:
            problems.append('row %d: %s is not in the sources' % (n, ident))
    for sym in re.findall(r'`(Q_[A-Z_]+|[A-Z][A-Za-z]+\.[a-z_]+)`', where):
        if sym.split('.')[-1] not in code:
            problems.append('row %d: %s is not in the sources' % (n, sym))
for p in problems:
    print(p)
print('%d rows, %d problems' % (len(rows), len(problems)))
sys.exit(1 if problems or len(rows) < MIN else 0)
