#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-x86.sh TREE OUTDIR [baseline]
#
# Incremental x86_64 allmodconfig build of drivers/vfio/ with W=1 and sparse
# (C=1), every VFIO driver included (allmodconfig turns on COMPILE_TEST).
# Leaves in OUTDIR warnings (all that the build printed, without line
# numbers) and new-warnings (those not printed by the base build); exits 1
# when the build fails or there is a new warning.  "baseline" records the
# warnings of TREE (the base) instead; it builds from scratch.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	die "usage: ${0##*/} TREE OUTDIR [baseline]"
fi
tree=$1 outdir=$2 mode=${3:-test}
is_kernel_tree "$tree" || die "$tree is not a kernel tree"
need_cmd make gcc sparse
build=$BUILD/x86_64-allmod
mkdir -p "$outdir" "$build"

cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
[ "$mode" != baseline ] || rm -rf "$build/drivers/vfio"
mk=(make -s -C "$tree" O="$build" ARCH=x86_64 CC="$cc" -j"$JOBS")
# allmodconfig again each time: a patch may add options.
"${mk[@]}" allmodconfig >"$outdir/build.log" 2>&1 ||
	die "x86_64 allmodconfig failed: $(tail -n1 "$outdir/build.log")"
rc=0
"${mk[@]}" W=1 C=1 drivers/vfio/ >>"$outdir/build.log" 2>&1 || rc=$?

# "file:line:col: warning: text" -> "file: warning: text", paths relative.
grep -E '(warning|error):' "$outdir/build.log" |
	sed -E -e "s|$tree/||g" -e "s|$build/||g" -e 's/^(\.\.\/)+//' \
	    -e 's/:[0-9]+(:[0-9]+)?:/:/' | sort >"$outdir/warnings" || true
if [ "$mode" = baseline ]; then
	[ "$rc" -eq 0 ] || die "the base tree does not build: see $outdir/build.log"
	cp "$outdir/warnings" "$build.baseline"
	echo "the base prints $(wc -l <"$outdir/warnings") warning(s)"
	exit 0
fi
[ -f "$build.baseline" ] || die "no baseline: run with 'baseline' on the base first"
comm -13 "$build.baseline" "$outdir/warnings" >"$outdir/new-warnings"
[ "$rc" -eq 0 ] || { echo "build failed: $(grep -m1 -E 'error' "$outdir/build.log")"; exit 1; }
if [ -s "$outdir/new-warnings" ]; then
	echo "$(wc -l <"$outdir/new-warnings") new warning(s): $(head -n1 "$outdir/new-warnings")"
	exit 1
fi
echo "no new warning"
