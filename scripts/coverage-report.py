#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""coverage-report.py FUNCTIONS TREE GCOV_JSON...

Line coverage of the functions listed in FUNCTIONS, from gcov -j output:
a line of a function is one gcov found executable between the function's
first and last line, counted once however many copies inlining made of it.
Prints a line per function, the total, then the uncovered lines with their
source text from TREE."""
import gzip
import json
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit('usage: coverage-report.py FUNCTIONS TREE GCOV_JSON...')
    with open(sys.argv[1]) as f:
        wanted = [l.split()[0] for l in f if l.strip() and not l.startswith('#')]
    tree = sys.argv[2]
    found = {}
    for path in sys.argv[3:]:
        with gzip.open(path) as f:
            data = json.load(f)
        for src in data['files']:
            if not src['file'].startswith('drivers/vfio/') and \
               '/drivers/vfio/' not in src['file']:
                continue
            counts = {}
            for line in src['lines']:
                n = line['line_number']
                counts[n] = max(counts.get(n, 0), line['count'])
            for fn in src['functions']:
                if fn['name'] in wanted:
                    lines = {n: c for n, c in counts.items()
                             if fn['start_line'] <= n <= fn['end_line']}
                    found[fn['name']] = (src['file'], lines)
    total = hit = 0
    uncovered = []
    for name in wanted:
        if name not in found:
            print(f'{name:<36} not found (inlined or not built)')
            continue
        path, lines = found[name]
        covered = sum(1 for c in lines.values() if c)
        total += len(lines)
        hit += covered
        pct = 100.0 * covered / max(len(lines), 1)
        print(f'{name:<36} {pct:6.1f}% of {len(lines):3d} lines')
        rel = path[path.index('drivers/vfio/'):]
        with open(f'{tree}/{rel}') as f:
            text = f.read().splitlines()
        uncovered += [f'uncovered: {rel}:{n} ({name}) {text[n - 1].strip()}'
                      for n, c in sorted(lines.items()) if not c]
    print(f'{"all of the above":<36} {100.0 * hit / max(total, 1):6.1f}% '
          f'of {total:3d} lines')
    print('\n'.join(uncovered))
    return 0


if __name__ == '__main__':
    sys.exit(main())
