#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the e2e guest's console into per-case results.

scan.py CONSOLE-LOG CASES-TSV [--timed-out SECONDS]

The guest's /init prints "e2e: begin CASE", then "e2e: ok CASE [(detail)]"
or "e2e: FAIL CASE WHY", and last "e2e: done ...".  A kernel splat (the
markers of scripts/splats.py, DMAR faults, QEMU hardware errors) fails the
case it appears in, but for those EXPECTED declares (kmemleak-works makes
kmemleak report the leaks of its sample); one outside every case fails the
pseudo-case "splats".  The pseudo-case "guest" fails when the guest did
not reach its final line (a timeout, a panic) or left a case unfinished.  Writes CASES-TSV (case, pass|fail,
detail), prints a one-line summary and exits 1 if anything failed.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import splats  # noqa: E402  (scripts/splats.py)

# Splats a case provokes on purpose: case -> what they match.
EXPECTED = {
    'kmemleak-works': re.compile(r'suspected memory leak|unreferenced object'),
    # The kernel's count of new suspects includes kmemleak-test's late
    # ones, which the guest leaves out; every other suspect the guest
    # prints as an "unreferenced object" record, which still fails.
    'kmemleak': re.compile(r'kmemleak: \d+ new suspected memory leaks'),
}
E2E = re.compile(r'^e2e: (begin|ok|FAIL|done) ?(\S*) ?(.*)$')
EXTRA = re.compile(r'DMAR: \[DMA (Read|Write)|DMAR: DRHD: handling fault|'
                   r'DMAR: .*fault reason|^qemu: hardware error')


def scan(path):
    results = {}        # case -> [status, detail], in order of appearance
    splat_out = []      # splats outside every case
    current = None
    done = None
    with open(path, errors='replace') as log:
        for raw in log:
            line = splats.TIMESTAMP.sub('', raw.strip().replace('\r', ''))
            m = E2E.match(line)
            if m:
                kind, case, rest = m.groups()
                if kind == 'begin':
                    current = case
                    results.setdefault(case, ['unfinished', 'did not finish'])
                elif kind == 'ok':
                    if results.get(case, [''])[0] != 'fail':
                        results[case] = ['pass', rest.strip('()')]
                    current = None
                elif kind == 'FAIL':
                    results[case] = ['fail', rest]
                    current = None
                else:
                    done = f'{case} {rest}'.strip()
                    current = None
                continue
            if line.startswith('    '):
                continue        # the client's own output, indented by /init
            if not (splats.SPLAT.search(line) or EXTRA.search(line)):
                continue
            sig = splats.signature(line)
            if current is None:
                splat_out.append(sig)
                continue
            if current in EXPECTED and EXPECTED[current].search(line):
                continue
            res = results[current]
            if res[0] == 'fail' and 'splat:' in res[1]:
                continue        # the first splat of a case says enough
            res[1] = f'splat: {sig}' + (f'; {res[1]}' if res[0] == 'fail' else '')
            res[0] = 'fail'
    return results, splat_out, done


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('log')
    ap.add_argument('tsv')
    ap.add_argument('--timed-out', type=int, metavar='SECONDS')
    args = ap.parse_args()

    results, splat_out, done = scan(args.log)
    rows = []
    unfinished = [c for c, (s, _) in results.items() if s == 'unfinished']
    for case, (status, detail) in results.items():
        if status == 'unfinished':
            status = 'fail'
        # A case that a splat failed stays failed even if the guest said ok.
        rows.append((case, status, detail))
    if args.timed_out is not None:
        guest = ('fail', f'no final line: killed after {args.timed_out} s'
                 + (f', in case {unfinished[-1]}' if unfinished else ''))
    elif done is None:
        guest = ('fail', 'no final line (the guest stopped early: panic or power-off)'
                 + (f', in case {unfinished[-1]}' if unfinished else ''))
    elif unfinished:
        guest = ('fail', f'unfinished cases: {" ".join(unfinished)}')
    else:
        guest = ('pass', f'final line: {done}')
    rows.append(('guest', *guest))
    if splat_out:
        rows.append(('splats', 'fail', f'{len(splat_out)} outside the cases, first: {splat_out[0]}'))
    else:
        rows.append(('splats', 'pass', 'none outside the cases'))
    with open(args.tsv, 'w') as f:
        for case, status, detail in rows:
            f.write(f'{case}\t{status}\t{detail.replace(chr(9), " ")}\n')
    failed = [r for r in rows if r[1] != 'pass']
    summary = f'e2e: {len(rows) - len(failed)} passed, {len(failed)} failed'
    if failed:
        summary += f' (first: {failed[0][0]}: {failed[0][2]})'
    print(summary)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
