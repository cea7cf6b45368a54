#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# coverage.sh [TREE]
#
# Line coverage (gcov, UML) of the VFIO core by the KUnit suites: runs
# kunit/uml.kunitconfig with the kernel's coverage_uml.config fragment on
# TREE (default: the bot's tree, at the tip after a bot run) and prints, for
# the life-cycle functions listed in kunit/coverage-functions, the lines
# executed per function, then the lines that stay uncovered.  Writes
# out/coverage.txt and out/coverage/*.gcov.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

tree=${1:-$SRC}
is_kernel_tree "$tree" || die "$tree is not a kernel tree"
need_cmd gcov python3
build=$BUILD/kunit-coverage
mkdir -p "$OUT/coverage" "$build"
read -ra kargs <<<"$(sed -n 's/^# kernel_args: *//p' "$PROJECT/kunit/uml.kunitconfig")"
args=(run --kunitconfig="$PROJECT/kunit/uml.kunitconfig"
      --kunitconfig=tools/testing/kunit/configs/coverage_uml.config
      --build_dir="$build" --jobs="$(nproc)" --json="$OUT/coverage/results.json")
for a in "${kargs[@]}"; do
	args+=(--kernel_args="$a")
done
find "$build" -name '*.gcda' -delete
(cd "$tree" && ./tools/testing/kunit/kunit.py "${args[@]}") >"$OUT/coverage/kunit.out" 2>&1 ||
	die "the coverage run failed: see $OUT/coverage/kunit.out"

: >"$OUT/coverage/functions.txt"
for f in drivers/vfio/vfio_main.c drivers/vfio/group.c; do
	(cd "$OUT/coverage" &&
	 gcov -f -o "$build/${f%/*}" "$tree/$f" >>"$OUT/coverage/functions.txt" 2>/dev/null) ||
		die "gcov failed on $f"
done
python3 - "$PROJECT/kunit/coverage-functions" "$OUT/coverage" <<'PY' | tee "$OUT/coverage.txt"
import re, sys
wanted = [l.split()[0] for l in open(sys.argv[1]) if l.strip() and not l.startswith('#')]
cov = {}
for m in re.finditer(r"Function '([^']+)'\nLines executed:([\d.]+)% of (\d+)",
                     open(f'{sys.argv[2]}/functions.txt').read()):
    cov[m.group(1)] = (float(m.group(2)), int(m.group(3)))
tot = hit = 0
for fn in wanted:
    pct, n = cov.get(fn, (0.0, 0))
    tot += n
    hit += round(pct * n / 100)
    print(f'{fn:<40} {pct:6.1f}% of {n:3d} lines')
print(f'{"life-cycle functions":<40} {100.0 * hit / max(tot, 1):6.1f}% of {tot:3d} lines')
for src in ('vfio_main.c', 'group.c'):
    fn = None
    for line in open(f'{sys.argv[2]}/{src}.gcov'):
        m = re.match(r'function (\S+) called', line)
        if m:
            fn = m.group(1)
            continue
        parts = line.split(':', 2)
        if fn in wanted and parts[0].strip() == '#####':
            print(f'uncovered {src}:{parts[1].strip()} ({fn}): {parts[2].strip()}')
PY
