#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the e2e guest's console into per-case results.

scan.py CONSOLE-LOG CASES-TSV [--timed-out SECONDS] [--qemu VERSION] [--skips FILE]

The guest's /init prints "e2e: begin CASE", then "e2e: ok CASE [(detail)]"
or "e2e: FAIL CASE WHY", and last "e2e: done ...".  A kernel splat (the
markers of scripts/splats.py, DMAR faults, QEMU hardware errors) fails the
case it appears in, but for those EXPECTED declares, each with its reason
(counted in the case's detail); one outside every case fails the
pseudo-case "splats".  The pseudo-case "guest" fails when the guest did
not reach its final line (a timeout, a panic) or left a case unfinished.

Upstream's VFIO selftests run between "e2e: tap DEVICE PROGRAM" and "e2e:
tap-end DEVICE PROGRAM EXIT-CODE [SECONDS]", their TAP output indented by "    tap| ".
Each TAP result is a case "st:DEVICE:TEST" (TEST is the harness's
fixture.variant.test, its variant naming the IOMMU mode), and the program
itself a case "st:DEVICE:PROGRAM" (its exit code; a splat while it ran).
The series' KUnit suites, loaded as modules in the guest, come the same
way as the DEVICE "kunit": their cases are "kunit:SUITE.CASE", the whole
run "kunit:PROGRAM".
A skip is a case of its own status, skip, when scripts/e2e/expected-skips
gives its reason (lines "REGEX<TAB>REASON", REGEX matched against
"DEVICE:TEST" or "DEVICE:PROGRAM"); any other skip fails.

Writes CASES-TSV (case, pass|skip|fail, detail), prints a one-line summary
and exits 1 if anything failed.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import splats  # noqa: E402  (scripts/splats.py)

# Splats a case provokes on purpose, or that are not VFIO's and are
# documented in the README: case -> (what they match, why).
EXPECTED = {
    # The modprobe of kmemleak-test (kmemleak-works) leaks on purpose; the
    # kernel's count of new suspects includes those, which the guest
    # leaves out: every other suspect it prints as an "unreferenced
    # object" record, which still fails.
    'kmemleak': (re.compile(r'kmemleak: \d+ new suspected memory leaks'),
                 "kmemleak-test's leaks"),
    # vfio_pci_driver_test's memcpy_{from,to}_unmapped_iova and
    # mix_and_match make igb (the PF, 02:00.0) read and write an IOVA that
    # is not mapped: the IOMMU must fault, and reports it; its reports,
    # the kernel's (rate limited) and QEMU's, are allowed only while that
    # program runs, between the lines DMA_WINDOW marks.  No other program
    # makes a device DMA (igb alone has a selftests driver).
    'selftests': (re.compile(r'DMAR: DRHD: handling fault status reg|'
                             r'DMAR: \[DMA (Read|Write) NO_PASID\] Request device \[0000:02:00\.0\] '
                             r'fault addr 0x[0-9a-f]+ \[fault reason 0x0[56]\] PTE (Read|Write) access is not set|'
                             r'dmar_fault: \d+ callbacks suppressed|'
                             r'^qemu-system-x86_64: (vtd_iova_to_slpte: detected slpte permission error|'
                             r'vtd_iommu_translate: detected translation failure \(dev=02:00:00,|'
                             r'New fault is not recorded due to compression of faults)'),
                  "DMAR faults of igb's unmapped-IOVA cases"),
    # Releasing DMA ownership re-attaches the default domain, which the
    # IOMMU core requires to succeed; intel-iommu allocates in that attach
    # (the domain's per-IOMMU info, even when there is one), and a failed allocation there WARNs.
    # The IOMMU's to fix; the sweep still checks that the device is
    # usable after it.
    #
    # genirq makes the entries of /proc/irq/N (smp_affinity, ...) of an
    # irq at its request_irq() ignoring failures (register_irq_proc()),
    # and removes them with a WARN for each it never made
    # (unregister_irq_proc()): edu's INTx, whose irq the close frees
    # (pci_disable_device() unmaps its GSI).  genirq's to fix.
    #
    # Only those two WARN_ON()s, and only from those paths: e2e.sh finds
    # their lines in the tree and passes them with the function that
    # must be in the splat (--allow-warn FILE:LINE:FUNCTION):
    # __iommu_release_dma_ownership() (the WARN_ON is inlined there, or
    # called from it), unregister_irq_proc().  Any other WARN of the same
    # functions, or the same WARN from elsewhere, still fails.
    'fail-nth:log': (None, "IOMMU core and genirq WARNs after failed allocations, not VFIO's (README)"),
}
WARN_AT = r'WARNING: {file}:{line} at \S+\+0x'
# fail-nth:log's expected WARNs: [(regex of the WARNING line, the function
# the splat must name before its end)].
WARN_NEEDS = []
END_TRACE = re.compile(r'---\[ end trace')
# The lines marking vfio_pci_driver_test's run, written to /dev/kmsg by /init.
DMA_WINDOW = re.compile(r'^e2e-mark: \S+ DMA faults expected: (begin|end)$')


def allow_warns(places):
    """fail-nth:log's expected WARNs: FILE:LINE:FUNCTION of each, from e2e.sh."""
    if not places:
        return
    alts = []
    for place in places:
        file, line, need = place.rsplit(':', 2)
        alt = WARN_AT.format(file=re.escape(file), line=int(line))
        alts.append(alt)
        WARN_NEEDS.append((re.compile(alt), need))
    EXPECTED['fail-nth:log'] = (re.compile('|'.join(alts)), EXPECTED['fail-nth:log'][1])
E2E = re.compile(r'^e2e: (begin|ok|FAIL|done) ?(\S*) ?(.*)$')
TAP_BEGIN = re.compile(r'^e2e: tap (\S+) (\S+)$')
TAP_END = re.compile(r'^e2e: tap-end (\S+) (\S+) (\d+)(?: (\d+))?$')
TAP = re.compile(r'^    tap\| (not )?ok \d+ (\S+)(?: # (SKIP|skip)\s*(.*))?$')
# Any other line of its output but the harness's own headers: the reason
# the next result or the exit code gives.
TAP_PLAN = re.compile(r'^    tap\| 1\.\.(\d+)\b')
TAP_NOTE = re.compile(r'^    tap\| #?\s*(\S.*)$')
TAP_HEADER = re.compile(r'(RUN|OK|FAIL|SKIP|Totals|PASSED|FAILED|TAP version|1\.\.\d)\b')
KSFT_SKIP = 4
SKIPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'expected-skips')


def load_skips(path=SKIPS):
    """The expected skips: [(regex, reason)]."""
    skips = []
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            regex, reason = line.split('\t', 1)
            skips.append((re.compile(regex), reason))
    return skips


def skip_status(skips, what, said):
    """A skip's (status, detail): expected with its reason, or a failure."""
    for regex, reason in skips:
        if regex.fullmatch(what):
            return 'skip', f'{reason} (the test: {said})' if said else reason
    return 'fail', f'unexpected skip: {said or "no reason given"}'

EXTRA = re.compile(r'DMAR: \[DMA (Read|Write)|DMAR: DRHD: handling fault|'
                   r'DMAR: .*fault reason|dmar_fault: \d+ callbacks suppressed|'
                   r'^qemu: hardware error|^qemu-system-x86_64: (vtd_|New fault)')


def names(line, function):
    """Whether a splat's LINE names FUNCTION (at it, or as a frame)."""
    return re.search(rf'(^|[^\w.]){re.escape(function)}\+0x', line) is not None


def tap_case(device, test):
    """The case of a TAP result: a selftest's on DEVICE, or a KUnit case."""
    return f'{device}:{test}' if device == 'kunit' else f'st:{device}:{test}'


def fail_case(results, case, sig):
    """A splat fails CASE; the first one says enough."""
    res = results[case]
    if res[0] == 'fail' and 'splat:' in res[1]:
        return
    res[1] = f'splat: {sig}' + (f'; {res[1]}' if res[0] == 'fail' else '')
    res[0] = 'fail'


def scan(path, skips):
    results = {}        # case -> [status, detail], in order of appearance
    splat_out = []      # splats outside every case
    expected = {}       # case -> how many of its splats EXPECTED allows
    current = None
    done = None
    tap = None          # (device, program) of the selftest running
    note = ''           # the last diagnostic line of its TAP output
    window = False      # between the DMA_WINDOW lines
    pending = None      # an expected WARN: [case, function it needs, signature, seen, lines]
    plan = None         # its TAP plan: how many results it announced
    got = 0             # how many it gave
    with open(path, errors='replace') as log:
        for raw in log:
            line = splats.TIMESTAMP.sub('', raw.rstrip().replace('\r', ''))
            if tap:
                m = TAP.match(line)
                if m:
                    failed, test, skip, said = m.groups()
                    case = tap_case(tap[0], test)
                    if failed:
                        results[case] = ['fail', note or 'not ok']
                    elif skip:
                        results[case] = list(skip_status(skips, f'{tap[0]}:{test}', said.strip()))
                    else:
                        results[case] = ['pass', '']
                    note = ''
                    got += 1
                    continue
                m = TAP_PLAN.match(line)
                if m:
                    plan = int(m.group(1))
                    continue
                m = TAP_NOTE.match(line)
                if m:
                    if not TAP_HEADER.match(m.group(1)):
                        note = m.group(1).strip()
                    continue
                m = TAP_END.match(line)
                if m:
                    dev, prog, rc = m.group(1), m.group(2), int(m.group(3))
                    took = f', {m.group(4)} s' if m.group(4) else ''
                    res = results[current]
                    if res[0] != 'fail':
                        if rc == 0:
                            results[current] = ['pass', f'exit 0{took}']
                        elif rc == KSFT_SKIP:
                            results[current] = list(skip_status(skips, f'{dev}:{prog}', note))
                        else:
                            results[current] = ['fail', f'exit {rc}' + (f': {note}' if note else '')]
                    # A program that stops short of its plan has lost results.
                    if rc == 0 and (plan is None or got != plan):
                        results[current] = ['fail', f'exit 0, but {got} result(s) for a plan of '
                                            f'{"none" if plan is None else plan}']
                    tap, current, note, plan, got = None, None, '', None, 0
                    continue
            indented = line.startswith('    ')
            line = line.strip()
            m = TAP_BEGIN.match(line)
            if m:
                tap = m.groups()
                current = tap_case(*tap)
                results[current] = ['unfinished', 'did not finish']
                note, plan, got = '', None, 0
                continue
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
            m = DMA_WINDOW.match(line)
            if m:
                window = m.group(1) == 'begin'
                continue
            if pending:
                # An expected WARN's splat, up to its end (or another
                # splat, or 200 lines): it must name the function that
                # makes it expected.
                pending[3] = pending[3] or names(line, pending[1])
                pending[4] += 1
                block = not (splats.SPLAT.search(line) or EXTRA.search(line))
                if END_TRACE.search(line) or not block or pending[4] > 200:
                    if not pending[3]:
                        fail_case(results, pending[0], f'{pending[2]} (not from {pending[1]})')
                    pending = None
                if block:
                    continue
            if indented:
                continue        # the client's own output, indented by /init
            if not (splats.SPLAT.search(line) or EXTRA.search(line)):
                continue
            sig = splats.signature(line)
            if current is None:
                splat_out.append(sig)
                continue
            if (current in EXPECTED and EXPECTED[current][0] and EXPECTED[current][0].search(line)
                    and (current != 'selftests' or window)):
                expected[current] = expected.get(current, 0) + 1
                for regex, need in WARN_NEEDS if current == 'fail-nth:log' else []:
                    if regex.search(line):
                        pending = [current, need, sig, names(line, need), 0]
                continue
            fail_case(results, current, sig)
    if pending and not pending[3]:
        fail_case(results, pending[0], f'{pending[2]} (not from {pending[1]})')
    for case, n in expected.items():
        res = results[case]
        res[1] += f'{"; " if res[1] else ""}{n} expected: {EXPECTED[case][1]}'
    return results, splat_out, done


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('log')
    ap.add_argument('tsv')
    ap.add_argument('--timed-out', type=int, metavar='SECONDS')
    ap.add_argument('--qemu', default='', metavar='VERSION', help='reported with the guest')
    ap.add_argument('--skips', default=SKIPS, metavar='FILE', help='the expected skips')
    ap.add_argument('--allow-warn', action='append', default=[], metavar='FILE:LINE:FUNCTION',
                    help="a WARN expected in the sweeps' log (fail-nth:log)")
    args = ap.parse_args()
    allow_warns(args.allow_warn)

    results, splat_out, done = scan(args.log, load_skips(args.skips))
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
    if args.qemu:
        guest = (guest[0], f'{guest[1]}; {args.qemu}')
    rows.append(('guest', *guest))
    if splat_out:
        rows.append(('splats', 'fail', f'{len(splat_out)} outside the cases, first: {splat_out[0]}'))
    else:
        rows.append(('splats', 'pass', 'none outside the cases'))
    with open(args.tsv, 'w') as f:
        for case, status, detail in rows:
            f.write(f'{case}\t{status}\t{detail.replace(chr(9), " ")}\n')
    failed = [r for r in rows if r[1] == 'fail']
    skipped = [r for r in rows if r[1] == 'skip']
    summary = (f'e2e: {len(rows) - len(failed) - len(skipped)} passed, '
               f'{len(skipped)} skipped, {len(failed)} failed')
    if failed:
        summary += f' (first: {failed[0][0]}: {failed[0][2]})'
    print(summary)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
