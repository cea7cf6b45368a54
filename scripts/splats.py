#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Find kernel splats in a KUnit boot log and tell the new ones.

splats.py LOG                       print the splat signatures of LOG
splats.py LOG --baseline FILE --expected FILE
                                    print the splats of LOG that are neither
                                    in the baseline (signatures of the same
                                    config booted on the base tree) nor
                                    declared in the expected file for the test
                                    case that produced them; exit 1 if any.

A signature is the splat's first line with addresses, numbers in brackets,
pids and CPU numbers taken out, so that the same splat matches across boots.
A WARNING's signature is "WARNING: at FILE FUNCTION" whichever format the
kernel printed it in: up to v6.18 "WARNING: CPU: n PID: n at FILE:LINE
FUNC+off/len", since then "WARNING: FILE:LINE at FUNC+off/len, CPU#n:
comm/pid".
The expected file has lines "suite.case<TAB>regex<TAB>reason".
"""
import argparse
import re
import sys

SPLAT = re.compile(
    r'(WARNING: |BUG: |BUG |Oops|Kernel panic|kernel BUG at|'
    r'general protection fault|UBSAN: |KASAN: |'
    r'possible circular locking|possible recursive locking|'
    r'inconsistent lock state|suspicious RCU usage|'
    r'unreferenced object|suspected memory leak|ODEBUG: |refcount_t: |'
    r'INFO: task .* blocked|list_(add|del) corruption|'
    r'WARNING: possible|hung_task|detected stalls on CPUs|self-detected stall|'
    r'INFO: trying to register non-static key)')
RESULT = re.compile(r'^\s*(not )?ok \d+ (\S+)')
SUITE = re.compile(r'^\s*# Subtest: (\S+)')
TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s*')


WARN_OLD = re.compile(r'^WARNING: CPU: \d+ PID: \d+ at (\S+?):\d+ (\S+?)\+0x')
WARN_NEW = re.compile(r'^WARNING: (\S+?):\d+ at (\S+?)\+0x[0-9a-f]+/0x[0-9a-f]+, CPU#')


def signature(line):
    line = TIMESTAMP.sub('', line.strip())
    m = WARN_OLD.match(line) or WARN_NEW.match(line)
    if m:
        return f'WARNING: at {m.group(1)} {m.group(2)}'
    line = re.sub(r'0x[0-9a-f]+', '0x?', line)
    line = re.sub(r'\b[0-9a-f]{8,16}\b', '?', line)
    line = re.sub(r'CPU: \d+', 'CPU: ?', line)
    line = re.sub(r'PID: \d+', 'PID: ?', line)
    line = re.sub(r'\b(pid|cpu)[ =:]*\d+', r'\1 ?', line, flags=re.I)
    line = re.sub(r'\+0x\?/0x\?', '', line)
    line = re.sub(r'(\.[ch]):\d+', r'\1', line)
    line = re.sub(r'\(\d+\)', '(?)', line)
    return line


def splats(path):
    """Yield (case, signature) for each splat, case being suite.case."""
    pending = []
    suites = []
    with open(path, errors='replace') as log:
        for line in log:
            stripped = TIMESTAMP.sub('', line.strip())
            m = SUITE.match(stripped)
            if m:
                suites.append(m.group(1))
                continue
            m = RESULT.match(stripped)
            if m:
                name = m.group(2)
                if suites and name == suites[-1]:
                    suites.pop()
                if not suites:
                    case = name
                elif len(suites) == 1:
                    case = f'{suites[0]}.{name}'
                else:
                    case = f'{suites[0]}.{suites[1]}'
                for sig in pending:
                    yield case, sig
                pending = []
                continue
            if SPLAT.search(stripped) and not stripped.startswith('#'):
                pending.append(signature(stripped))
    for sig in pending:
        yield '(after the tests)', sig


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('log')
    ap.add_argument('--baseline')
    ap.add_argument('--expected')
    args = ap.parse_args()

    found = list(splats(args.log))
    if not args.baseline:
        for _, sig in found:
            print(sig)
        return 0

    with open(args.baseline) as f:
        baseline = {l.rstrip('\n') for l in f}
    expected = []
    if args.expected:
        with open(args.expected) as f:
            for l in f:
                if not l.strip() or l.startswith('#'):
                    continue
                case, regex, reason = l.rstrip('\n').split('\t', 2)
                if not reason.strip():
                    sys.exit(f'{args.expected}: {case}: no reason given')
                expected.append((case, re.compile(regex)))
    new = 0
    for case, sig in found:
        if sig in baseline:
            continue
        if any(c == case and r.search(sig) for c, r in expected):
            print(f'expected\t{case}\t{sig}')
            continue
        print(f'new\t{case}\t{sig}')
        new += 1
    return 1 if new else 0


if __name__ == '__main__':
    sys.exit(main())
