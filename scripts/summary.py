#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise a bot run: OUT/checks.tsv and OUT/suites.tsv into
OUT/summary.json and OUT/summary.txt (also printed).  Each check has a
status as NIPA reports it: pass, warning or fail, or skip: a test that
did not run, for a reason its check gives (the e2e guest's selftests).
Exits 1 if any check failed; a warning is reported, not counted as a
failure; a skip is counted as neither a pass nor a failure."""
import json
import sys
from collections import OrderedDict

# The statuses, as NIPA reports them, and their marks in the table.
MARKS = {'pass': '.', 'warning': 'W', 'fail': 'X', 'skip': 'S'}


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: summary.py OUTDIR')
    out = sys.argv[1]
    patches = OrderedDict()
    with open(f'{out}/checks.tsv') as f:
        for line in f:
            patch, check, status, secs, detail = line.rstrip('\n').split('\t', 4)
            patches.setdefault(patch, OrderedDict())[check] = {
                'status': status, 'seconds': secs, 'detail': detail}
    suites = []
    with open(f'{out}/suites.tsv') as f:
        for line in f:
            patch, config, suite, npass, nfail, nskip, ncrash = line.split()
            suites.append({'patch': patch, 'config': config, 'suite': suite,
                           'passed': int(npass), 'failed': int(nfail),
                           'skipped': int(nskip), 'crashed': int(ncrash)})

    base = {}
    try:
        with open(f'{out}/base.info') as f:
            base = dict(l.rstrip('\n').split('=', 1) for l in f if '=' in l)
    except FileNotFoundError:
        pass

    for p, cs in patches.items():
        for c, r in cs.items():
            if r['status'] not in MARKS:
                sys.exit(f'summary.py: {p}: {c}: status "{r["status"]}" is not pass, warning, fail or skip')
    failed = [(p, c, r) for p, cs in patches.items() for c, r in cs.items()
              if r['status'] == 'fail']
    warned = [(p, c, r) for p, cs in patches.items() for c, r in cs.items()
              if r['status'] == 'warning']
    skipped = [(p, c, r) for p, cs in patches.items() for c, r in cs.items()
               if r['status'] == 'skip']
    total = sum(len(cs) for cs in patches.values())
    passed = total - len(failed) - len(warned) - len(skipped)
    summary = {'base': base, 'patches': [{'name': p, 'checks': cs} for p, cs in patches.items()],
               'suites': suites, 'checks': total, 'passed': passed,
               'warnings': len(warned), 'skipped': len(skipped), 'failed': len(failed)}
    with open(f'{out}/summary.json', 'w') as f:
        json.dump(summary, f, indent=1)

    # The table has a column per check, but for the hundreds of the e2e
    # guest (a case, a selftest result each): one column "e2e", its mark
    # the worst of theirs; each is in summary.json, and a failure or skip
    # is listed below the table.
    def column(c):
        return 'e2e' if c.startswith('e2e:') else c

    def worst(rs):
        for st in ('fail', 'warning', 'skip'):
            if any(r['status'] == st for r in rs):
                return st
        return 'pass'

    columns = []
    for cs in patches.values():
        for c in cs:
            if column(c) not in columns:
                columns.append(column(c))
    lines = [f"base: {base.get('source', '?')} {base.get('version', '?')} "
             f"({base.get('commit', '?')[:12]})"]
    width = max(len(p) for p in patches)
    lines.append(' ' * width + '  ' + ' '.join(f'{i:>2}' for i in range(1, len(columns) + 1)))
    for p, cs in patches.items():
        marks = []
        for c in columns:
            rs = [r for name, r in cs.items() if column(name) == c]
            marks.append(' -' if not rs else ' ' + MARKS[worst(rs)])
        lines.append(f'{p:<{width}}  ' + ' '.join(marks))
    lines.append('columns: ' + ', '.join(f'{i} {c}' for i, c in enumerate(columns, 1)))
    lines.append('(. pass, W warning, X fail, S skip, - not run)')
    if suites:
        lines.append('')
        lines.append('KUnit suites after the last patch:')
        last = list(patches)[-1]
        for s in suites:
            if s['patch'] == last:
                lines.append(f"  {s['config']:<14} {s['suite']:<32} {s['passed']:>3} passed "
                             f"{s['failed']:>2} failed {s['skipped']:>2} skipped "
                             f"{s['crashed']:>2} crashed")
    # Where the time went (a cached check took none).
    timed = sorted(((int(r['seconds']), p, c) for p, cs in patches.items()
                    for c, r in cs.items() if r['seconds'].isdigit()), reverse=True)
    if timed and timed[0][0]:
        lines.append('')
        lines.append(f"the slowest checks ({sum(t for t, _, _ in timed)} s in all):")
        lines.extend(f'  {t:>5} s  {p}: {c}' for t, p, c in timed[:8] if t)
    for p, c, r in skipped:
        lines.append(f'SKIP {p}: {c}: {r["detail"]}')
    for p, c, r in warned:
        lines.append(f'WARN {p}: {c}: {r["detail"]}')
    for p, c, r in failed:
        lines.append(f'FAIL {p}: {c}: {r["detail"]}')
    lines.append(f'bot: {passed} checks passed, {len(warned)} warning(s), '
                 f'{len(skipped)} skipped, {len(failed)} failed')
    text = '\n'.join(lines) + '\n'
    with open(f'{out}/summary.txt', 'w') as f:
        f.write(text)
    sys.stdout.write(text)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
