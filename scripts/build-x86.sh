#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-x86.sh TREE OUTDIR [baseline]
#
# Incremental x86_64 allmodconfig build of drivers/vfio/ with W=1 and sparse
# (C=1), every VFIO driver included (allmodconfig turns on COMPILE_TEST).
# Then links the modules of drivers/vfio/ (modpost without vmlinux's
# symbols, so unresolved symbols are not reported) for their aliases.
# Leaves in OUTDIR warnings (all that the build printed, without line
# numbers), new-warnings (those not printed by the base build) and aliases
# ("module alias" lines); exits 1 when the build fails, there is a new
# warning, or a module of the base lost or gained an alias (userspace loads
# the vfio-pci variant drivers by alias).  "baseline" records the warnings
# and aliases of TREE (the base) instead; it builds from scratch.
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
if [ "$rc" -eq 0 ]; then
	mapfile -t kos < <(find "$build/drivers/vfio" -name modules.order -exec cat {} + |
		sed 's/\.o$/.ko/' | sort -u)
	"${mk[@]}" W=1 C=1 KBUILD_MODPOST_WARN=1 "${kos[@]}" >"$outdir/modpost.log" 2>&1 || rc=$?
	grep -vE 'modpost: (".*" \[.*\] undefined!|suppressed [0-9]+ unresolved symbol warnings)' \
		"$outdir/modpost.log" | grep -E '(warning|error|WARNING|ERROR):' >>"$outdir/build.log" || true
	# A module without aliases is listed with "-".
	for ko in "${kos[@]}"; do
		{ modinfo -F alias "$build/$ko"; echo -; } | sed "s|^|${ko##*/} |"
	done | sort >"$outdir/aliases"
fi

# "file:line:col: warning: text" -> "file: warning: text", paths relative.
grep -E '(warning|error):' "$outdir/build.log" |
	sed -E -e "s|$tree/||g" -e "s|$build/||g" -e 's/^(\.\.\/)+//' \
	    -e 's/:[0-9]+(:[0-9]+)?:/:/' | sort >"$outdir/warnings" || true
if [ "$mode" = baseline ]; then
	[ "$rc" -eq 0 ] || die "the base tree does not build: see $outdir/build.log"
	cp "$outdir/warnings" "$build.baseline"
	cp "$outdir/aliases" "$build.aliases"
	echo "the base prints $(wc -l <"$outdir/warnings") warning(s); $(wc -l <"$outdir/aliases") module aliases"
	exit 0
fi
[ -f "$build.baseline" ] || die "no baseline: run with 'baseline' on the base first"
comm -13 "$build.baseline" "$outdir/warnings" >"$outdir/new-warnings"
[ "$rc" -eq 0 ] || { echo "build failed: $(grep -m1 -E 'error' "$outdir/build.log")"; exit 1; }
if [ -s "$outdir/new-warnings" ]; then
	echo "$(wc -l <"$outdir/new-warnings") new warning(s): $(head -n1 "$outdir/new-warnings")"
	exit 1
fi
# The aliases of every module the base has, compared module by module.
[ -f "$build.aliases" ] || die "no baseline aliases: run with 'baseline' on the base first"
changed=$(join -j1 <(cut -d' ' -f1 "$build.aliases" | sort -u) <(diff "$build.aliases" "$outdir/aliases" |
	sed -n 's/^[<>] \([^ ]*\) .*/\1/p' | sort -u) | paste -sd' ')
if [ -n "$changed" ]; then
	echo "module aliases changed: $changed"
	exit 1
fi
echo "no new warning; aliases of $(cut -d' ' -f1 "$build.aliases" | sort -u | wc -l) modules unchanged"
