#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Per-suite results of a kunit.py --json file.

kunit-table.py JSON   prints "suite<TAB>passed<TAB>failed<TAB>skipped<TAB>crashed"
                      per top-level suite; exits 1 if a case failed or crashed.
"""
import json
import sys


def leaves(group):
    for case in group.get('test_cases', []):
        yield case['status']
    for sub in group.get('sub_groups', []):
        yield from leaves(sub)


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: kunit-table.py JSON')
    with open(sys.argv[1]) as f:
        top = json.load(f)
    bad = 0
    for suite in top.get('sub_groups', []):
        counts = {'PASS': 0, 'FAIL': 0, 'SKIP': 0, 'ERROR': 0}
        for status in leaves(suite):
            counts[status] = counts.get(status, 0) + 1
        bad += counts['FAIL'] + counts['ERROR']
        print(f"{suite['name']}\t{counts['PASS']}\t{counts['FAIL']}\t"
              f"{counts['SKIP']}\t{counts['ERROR']}")
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
