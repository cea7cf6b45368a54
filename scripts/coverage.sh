#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# coverage.sh [REV]
#
# Line coverage (gcov, UML) of the VFIO core by the KUnit suites: runs
# kunit/uml.kunitconfig with the kernel's coverage_uml.config fragment on
# REV (default: the tip the bot last tested) and prints, for the life-cycle
# functions listed in kunit/coverage-functions, the lines executed per
# function, then the lines that stay uncovered.  Writes out/coverage.txt.
#
# UML in v6.12 cannot write gcov data with gcc 12: libgcov defines a
# mangle_path() of its own, and the linker script drops .fini_array.*,
# where gcc puts the destructor that writes the data.  The run works in a
# worktree of its own, with kunit/coverage-fixups/*.diff applied and the
# kernel's mangle_path() renamed; the series is not touched.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

rev=$(git -C "$SRC" rev-parse --verify "${1:-$BOT_BRANCH}^{commit}") ||
	die "no commit ${1:-$BOT_BRANCH}: run scripts/bot.sh first"
need_cmd gcov python3
wt=$TREE_DIR/coverage
build=$BUILD/kunit-coverage
res=$OUT/coverage
if [ ! -d "$wt" ]; then
	git -C "$SRC" worktree prune
	git -C "$SRC" worktree add -q --detach "$wt" "$rev"
fi
git -C "$wt" checkout -q -f --detach "$rev"
git -C "$wt" apply "$PROJECT"/kunit/coverage-fixups/*.diff
rm -rf "$res"
mkdir -p "$res" "$build"

read -ra kargs <<<"$(sed -n 's/^# kernel_args: *//p' "$PROJECT/kunit/uml.kunitconfig")"
args=(run --kunitconfig="$PROJECT/kunit/uml.kunitconfig"
      --kunitconfig=tools/testing/kunit/configs/coverage_uml.config
      --build_dir="$build" --jobs="$JOBS" --json="$res/results.json"
      --make_options=KCFLAGS=-Dmangle_path=kernel_mangle_path)
for a in "${kargs[@]}"; do
	args+=(--kernel_args="$a")
done
find "$build" -name '*.gcda' -delete
(cd "$wt" && ./tools/testing/kunit/kunit.py "${args[@]}") >"$res/kunit.out" 2>&1 ||
	die "the coverage run failed: see $res/kunit.out"
[ -f "$build/drivers/vfio/vfio_main.gcda" ] ||
	die "the kernel wrote no gcov data (see $res/kunit.out)"

for f in drivers/vfio/vfio_main.c drivers/vfio/group.c drivers/vfio/pci/vfio_pci_core.c; do
	(cd "$res" && gcov -j -o "$build/${f%/*}" "$wt/$f" >/dev/null 2>&1) ||
		die "gcov failed on $f"
done
"$PROJECT/scripts/coverage-report.py" "$PROJECT/kunit/coverage-functions" "$wt" \
	"$res"/*.gcov.json.gz | tee "$OUT/coverage.txt"
git -C "$wt" checkout -q -f --detach "$rev"
