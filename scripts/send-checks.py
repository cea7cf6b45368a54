#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The parts of the checks before sending that read mails and configs.

  send-checks.py recipients-check CONFIG LIST
  send-checks.py recipients-write CONFIG LIST TO_CMD CC_CMD
      LIST: "To: ADDR" / "Cc: ADDR" lines (scripts/recipients.sh).  check:
      every address of LIST is in send-series-to/-cc of the b4 config
      CONFIG (a To address in To); write: regenerate those lines, and the
      auto-to/cc commands, with the extra-to/extra-cc of [vfio-series].
  send-checks.py order MAILDIR PATCH...
      the mails of MAILDIR, in name order, are [PATCH 0/N] .. [PATCH N/N],
      N the number of PATCHes, with the PATCHes' subjects; prints the
      patch mails 1..N.
  send-checks.py cover MAILDIR SECTION BASE
      the cover letter (the first mail) names base-commit: BASE and holds
      SECTION (the shortlog and diffstat) verbatim, and no other diffstat.
  send-checks.py splice COVER SECTION
      put SECTION between the marker lines of COVER (appended if none).

A failed check prints one line and exits 1.
"""

import email
import email.policy
import email.utils
import os
import re
import subprocess
import sys

BEGIN_RCPT = '\t# >>> recipients: written by scripts/recipients.sh --write'
END_RCPT = '\t# <<< recipients'
BEGIN_SECTION = ("# >>> shortlog and diffstat: written by scripts/cover-diffstat.sh"
                 " (lines starting with '#' are not sent)")
END_SECTION = '# <<< shortlog and diffstat'


def fail(msg):
    print(msg)
    sys.exit(1)


def git_config(config, key):
    out = subprocess.run(['git', 'config', '-f', config, '--get-all', key],
                         stdout=subprocess.PIPE, text=True, check=False).stdout
    return [v for v in out.splitlines() if v.strip()]


def addrs(values):
    return [(n, a) for n, a in email.utils.getaddresses(values) if a]


def read_list(path):
    want = {'To': [], 'Cc': []}
    with open(path, encoding='utf-8') as fh:
        for line in fh:
            role, _, addr = line.rstrip('\n').partition(': ')
            if role not in want or not addr:
                fail(f'{path}: not a "To: ADDR" or "Cc: ADDR" line: {line.strip()}')
            want[role].append(addr)
    return want


def recipients_check(config, lst):
    want = read_list(lst)
    have = {role: {a.lower() for _, a in addrs(git_config(config, key))}
            for role, key in (('To', 'b4.send-series-to'), ('Cc', 'b4.send-series-cc'))}
    missing = []
    for role in ('To', 'Cc'):
        for _, a in addrs(want[role]):
            a_l = a.lower()
            if a_l in have[role] or (role == 'Cc' and a_l in have['To']):
                continue
            if role == 'To' and a_l in have['Cc']:
                missing.append(f'{a} (To, not Cc)')
            else:
                missing.append(f'{a} ({role})')
    name = os.path.basename(config)
    if missing:
        fail(f'missing from {name}: ' + ', '.join(missing))
    print(f'{name} sends to all {len(want["To"]) + len(want["Cc"])} addresses '
          f'get_maintainer.pl names ({len(want["To"])} To, {len(want["Cc"])} Cc)')


def config_quote(piece):
    piece = piece.replace('\\', '\\\\').replace('"', '\\"')
    if re.search(r'[#;]', piece):
        piece = f'"{piece}"'
    return piece


def config_value(key, values):
    pieces = [config_quote(v) for v in values]
    return f'\t{key} = ' + ', \\\n\t\t'.join(pieces)


def display_addr(name, addr):
    """Name <addr>, the name in UTF-8 as MAINTAINERS spells it (quoted only
    where RFC 5322 needs it), not RFC 2047-encoded as formataddr() does."""
    if not name:
        return addr
    if re.search(r'[()<>@,;:\\".\[\]]', name):
        name = '"' + name.replace('\\', '\\\\').replace('"', '\\"') + '"'
    return f'{name} <{addr}>'


def recipients_write(config, lst, to_cmd, cc_cmd):
    want = read_list(lst)
    seen = set()
    dests = {}
    for role, extra in (('To', 'vfio-series.extra-to'), ('Cc', 'vfio-series.extra-cc')):
        dests[role] = []
        for n, a in addrs(want[role]) + addrs(git_config(config, extra)):
            if a.lower() not in seen:
                seen.add(a.lower())
                dests[role].append(display_addr(n, a))
    block = [BEGIN_RCPT,
             '\t# What get_maintainer.pl names for the patches at the tip, after',
             '\t# .mailmap: maintainers To, reviewers and lists Cc (the roles of the',
             "\t# auto commands below); then the extra-to/extra-cc of [vfio-series].",
             '\t# scripts/check-recipients.sh fails when one of its addresses is',
             '\t# missing here.',
             config_value('send-series-to', dests['To']),
             config_value('send-series-cc', dests['Cc']),
             f'\tsend-auto-to-cmd = {to_cmd}',
             f'\tsend-auto-cc-cmd = {cc_cmd}',
             END_RCPT]
    with open(config, encoding='utf-8') as fh:
        lines = fh.read().splitlines()
    if BEGIN_RCPT in lines and END_RCPT in lines:
        b, e = lines.index(BEGIN_RCPT), lines.index(END_RCPT)
        lines[b:e + 1] = block
    else:
        # Drop the old lines (and their continuations), put the block where
        # the first was, or at the top of [b4].
        keys = re.compile(r'^\s*(send-series-to|send-series-cc|send-auto-to-cmd|send-auto-cc-cmd)\s*=')
        out, at, cont = [], None, False
        for line in lines:
            if cont or keys.match(line):
                if at is None:
                    at = len(out)
                cont = line.endswith('\\')
                continue
            out.append(line)
        if at is None:
            if '[b4]' not in out:
                out.append('[b4]')
            at = out.index('[b4]') + 1
        out[at:at] = block
        lines = out
    with open(config, 'w', encoding='utf-8') as fh:
        fh.write('\n'.join(lines) + '\n')
    # What b4 will read back.
    got = {role: [a.lower() for _, a in addrs(git_config(config, key))]
           for role, key in (('To', 'b4.send-series-to'), ('Cc', 'b4.send-series-cc'))}
    for role in ('To', 'Cc'):
        if got[role] != [a.lower() for _, a in addrs(dests[role])]:
            fail(f'{config}: {role} reads back as {got[role]}')


def read_mail(path):
    with open(path, 'rb') as fh:
        return email.message_from_binary_file(fh, policy=email.policy.default)


def subject(msg):
    return re.sub(r'\s+', ' ', str(msg['Subject'] or '')).strip()


SUBJ = re.compile(r'^\[PATCH((?: [^\]\s]+)*?) 0*(\d+)/(\d+)\] (.*)$')


def mails(maildir):
    if not os.path.isdir(maildir):
        fail(f'no mails: {maildir}')
    return sorted(os.path.join(maildir, f) for f in os.listdir(maildir)
                  if os.path.isfile(os.path.join(maildir, f)))


def order(maildir, patches):
    total = len(patches)
    files = mails(maildir)
    if len(files) != total + 1:
        fail(f'{len(files)} mails in {maildir}: a cover letter and {total} patches expected')
    out = []
    for i, f in enumerate(files):
        s = subject(read_mail(f))
        m = SUBJ.match(s)
        if not m or int(m.group(2)) != i or int(m.group(3)) != total:
            fail(f'{os.path.basename(f)}: subject is not [PATCH {i}/{total}]: {s}')
        if i == 0:
            continue
        want = re.sub(r'^(\[[^\]]*\]\s*)+', '', subject(read_mail(patches[i - 1])))
        if m.group(4) != want:
            fail(f'{os.path.basename(f)}: [PATCH {i}/{total}] is "{m.group(4)}", '
                 f'patch {i} of series is "{want}"')
        out.append(f)
    print('\n'.join(out))


def body_lines(msg):
    part = msg.get_body(preferencelist=('plain',))
    return [line.rstrip() for line in part.get_content().splitlines()]


def find_block(lines, block):
    n = len(block)
    return any(lines[i:i + n] == block for i in range(len(lines) - n + 1))


STAT_SUMMARY = re.compile(r'^ \d+ files? changed')
STAT_LINE = re.compile(r'^ \S.*\|')
STAT_MODE = re.compile(r'^ (create mode|delete mode|mode change|rename|copy) ')


def diffstat_at(lines, i):
    b = i
    while b > 0 and STAT_LINE.match(lines[b - 1]):
        b -= 1
    e = i + 1
    while e < len(lines) and STAT_MODE.match(lines[e]):
        e += 1
    return lines[b:e]


def cover(maildir, section, base):
    files = mails(maildir)
    if not files:
        fail(f'no mails in {maildir}')
    name = os.path.basename(files[0])
    msg = read_mail(files[0])
    m = SUBJ.match(subject(msg))
    if not m or m.group(2) != '0':
        fail(f'{name}: not a cover letter [PATCH 0/N]: {subject(msg)}')
    lines = body_lines(msg)
    bases = [x for x in lines if x.startswith('base-commit:')]
    if re.fullmatch(r'[0-9a-f]{40}', base):
        if bases != [f'base-commit: {base}']:
            fail(f'{name}: ' + (f'names "{bases[0]}"' if bases else 'names no base-commit') +
                 f', not base-commit: {base}')
    else:
        # No mainline commit id established: the base in words, and no
        # base-commit line naming some other tree's id.
        if bases:
            fail(f'{name}: names "{bases[0]}", but the base has no established '
                 f'mainline commit id: say "Base: {base}"')
        if f'Base: {base}' not in lines:
            fail(f'{name}: does not state its base as "Base: {base}"')
    with open(section, encoding='utf-8') as fh:
        want = [x.rstrip() for x in fh.read().strip('\n').splitlines()]
    first = next((i for i, x in enumerate(want) if STAT_LINE.match(x)), len(want))
    want_log, want_stat = want[:first], want[first:]
    while want_log and not want_log[-1]:
        want_log.pop()
    stats = [i for i, x in enumerate(lines) if STAT_SUMMARY.match(x)]
    if not stats:
        fail(f'{name}: no diffstat (run scripts/cover-diffstat.sh)')
    if len(stats) > 1:
        fail(f'{name}: {len(stats)} diffstats')
    got = diffstat_at(lines, stats[0])
    if got != want_stat:
        # The summary lines if they differ, else the first line that does.
        pairs = [(lines[stats[0]], next((x for x in want_stat if STAT_SUMMARY.match(x)), ''))]
        pairs += list(zip(got, want_stat))
        diff = next((f'"{g.strip()}", the series "{w.strip()}"' for g, w in pairs if g != w),
                    f'{len(got)} lines, the series {len(want_stat)}')
        fail(f'{name}: stale diffstat (run scripts/cover-diffstat.sh): it says {diff}')
    if not find_block(lines, want_log):
        fail(f'{name}: stale shortlog (run scripts/cover-diffstat.sh)')
    summary = next(x for x in want_stat if STAT_SUMMARY.match(x)).strip()
    print(f'{name}: base {base[:12] if re.fullmatch(r"[0-9a-f]{40}", base) else base!r}, the shortlog and diffstat of the series ({summary})')


def splice(path, section):
    with open(path, encoding='utf-8') as fh:
        lines = fh.read().splitlines()
    with open(section, encoding='utf-8') as fh:
        # After a "---" line: b4 would strip the last paragraph before it.
        block = [BEGIN_SECTION, '---'] + fh.read().strip('\n').splitlines() + [END_SECTION]
    if BEGIN_SECTION in lines and END_SECTION in lines:
        b, e = lines.index(BEGIN_SECTION), lines.index(END_SECTION)
        lines[b:e + 1] = block
    else:
        while lines and not lines[-1].strip():
            lines.pop()
        lines += [''] + block
    with open(path, 'w', encoding='utf-8') as fh:
        fh.write('\n'.join(lines) + '\n')


def main(argv):
    cmds = {'recipients-check': (recipients_check, 2), 'recipients-write': (recipients_write, 4),
            'cover': (cover, 3), 'splice': (splice, 2)}
    if len(argv) >= 2 and argv[1] == 'order' and len(argv) >= 3:
        order(argv[2], argv[3:])
    elif len(argv) >= 2 and argv[1] in cmds and len(argv) == 2 + cmds[argv[1]][1]:
        cmds[argv[1]][0](*argv[2:])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == '__main__':
    main(sys.argv)
