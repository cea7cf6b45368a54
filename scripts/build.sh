#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh ARCH TREE OUTDIR [baseline]
#
# Incremental allmodconfig build of drivers/vfio/ for ARCH, every VFIO driver
# the arch has included (allmodconfig turns on COMPILE_TEST), all with W=1:
#   x86_64  gcc, and sparse (C=1, from scripts/fetch-sparse.sh)
#   i386    the same, 32-bit (ARCH=i386)
#   clang   x86_64 with LLVM=-19 (Debian's clang-19, lld-19, llvm-19:
#           v7.3 needs LLVM 17 or later; LLVM_SUFFIX picks another)
#   arm64, s390  cross-compiled with Debian's gcc-aarch64-linux-gnu and
#           gcc-s390x-linux-gnu  Then links the modules
# of drivers/vfio/ (modpost without vmlinux's symbols, so unresolved symbols
# are not reported) for their aliases.  Leaves in OUTDIR:
#   warnings      all that the build printed, without line numbers
#   new-warnings  those the base build did not print
#   aliases       "module alias" lines
#   objects       the .c files of drivers/vfio/ the build compiled
# and exits 1 when the build fails, there is a new warning, a module of the
# base lost or gained an alias (userspace loads the vfio-pci variant drivers
# by alias), or a .c file the base compiles on ARCH is no longer compiled (a
# driver cannot silently drop out of the build).  "baseline" records the
# warnings, aliases and objects of TREE (the base) instead.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
	die "usage: ${0##*/} ARCH TREE OUTDIR [baseline]"
fi
arch=$1 tree=$2 outdir=$3 mode=${4:-test}
is_kernel_tree "$tree" || die "$tree is not a kernel tree"
karch=$arch cross='' cc=gcc llvm=() sparse=()
case $arch in
x86_64 | i386) sparse=(C=1 CHECK="$("$PROJECT/scripts/fetch-sparse.sh" "$2")") ;;
clang)
	karch=x86_64 cc=clang${LLVM_SUFFIX--19} llvm=(LLVM="${LLVM_SUFFIX--19}")
	need_cmd "ld.lld${LLVM_SUFFIX--19}" "llvm-ar${LLVM_SUFFIX--19}"
	;;
arm64) cross=aarch64-linux-gnu- cc=${cross}gcc ;;
s390) cross=s390x-linux-gnu- cc=${cross}gcc ;;
*) die "ARCH=$arch: not x86_64, i386, clang, arm64 or s390" ;;
esac
need_cmd make "$cc"
build=$BUILD/$arch-allmod
mkdir -p "$outdir" "$build"

command -v ccache >/dev/null && cc="ccache $cc"
# The base is built whole, so that its warnings are all recorded; a tree
# after it incrementally: what a patch changes, and what depends on that
# (make's dependencies, the options included), is rebuilt, so a warning the
# patch causes is printed, while a file it does not affect is not rebuilt.
[ "$mode" != baseline ] || rm -rf "$build/drivers/vfio"
mk=(make -s -C "$tree" O="$build" ARCH="$karch" CROSS_COMPILE="$cross" "${llvm[@]}" CC="$cc" -j"$JOBS")
# allmodconfig again each time: a patch may add options.
"${mk[@]}" allmodconfig >"$outdir/build.log" 2>&1 ||
	die "$arch allmodconfig failed: $(tail -n1 "$outdir/build.log")"
rc=0
"${mk[@]}" W=1 "${sparse[@]}" drivers/vfio/ >>"$outdir/build.log" 2>&1 || rc=$?
# The kernel turns C=1 off, with only a warning, for a sparse it finds wanting.
if grep -q 'specified, but .* is not available or not up to date' "$outdir/build.log"; then
	die "$arch: the build ran without sparse: $(grep -m1 'not up to date' "$outdir/build.log")"
fi
: >"$outdir/aliases"
if [ "$rc" -eq 0 ]; then
	# drivers/vfio/modules.order lists the modules of every directory this
	# build descended into (a directory's own may be an earlier build's).
	mapfile -t kos < <(sed 's/\.o$/.ko/' "$build/drivers/vfio/modules.order" | sort -u)
	"${mk[@]}" W=1 KBUILD_MODPOST_WARN=1 "${kos[@]}" >"$outdir/modpost.log" 2>&1 || rc=$?
	grep -vE 'modpost: (".*" \[.*\] undefined!|suppressed [0-9]+ unresolved symbol warnings)' \
		"$outdir/modpost.log" | grep -E '(warning|error|WARNING|ERROR):' >>"$outdir/build.log" || true
	# A module without aliases is listed with "-".
	for ko in "${kos[@]}"; do
		{ modinfo -F alias "$build/$ko"; echo -; } | sed "s|^|${ko##*/} |"
	done | sort >"$outdir/aliases"
fi
# The sources this build compiled: the objects of its modules (each one's
# .mod file) and of its built-in.a, each with a .c of the same name.  The
# build is incremental: an object an earlier tree compiled stays in the
# directory, but in none of these lists.
(
	cd "$build"
	if [ -f drivers/vfio/modules.order ]; then
		sed 's/\.o$/.mod/' drivers/vfio/modules.order | xargs -r cat
	fi
	if [ -f drivers/vfio/built-in.a ]; then
		ar t drivers/vfio/built-in.a
	fi
) | sed 's/\.o$/.c/' | while read -r c; do [ ! -f "$tree/$c" ] || echo "$c"; done |
	sort -u >"$outdir/objects"

# "file:line:col: warning: text" -> "file: warning: text", paths relative.
grep -E '(warning|error):' "$outdir/build.log" |
	sed -E -e "s|$tree/||g" -e "s|$build/||g" -e 's/^(\.\.\/)+//' \
	    -e 's/:[0-9]+(:[0-9]+)?:/:/' | sort >"$outdir/warnings" || true
if [ "$mode" = baseline ]; then
	[ "$rc" -eq 0 ] || die "the base tree does not build for $arch: see $outdir/build.log"
	cp "$outdir/warnings" "$build.baseline"
	cp "$outdir/aliases" "$build.aliases"
	cp "$outdir/objects" "$build.objects"
	echo "$arch: the base prints $(wc -l <"$outdir/warnings") warning(s); $(wc -l <"$outdir/objects") objects, $(wc -l <"$outdir/aliases") module aliases"
	exit 0
fi
for f in baseline aliases objects; do
	[ -f "$build.$f" ] || die "no base $f for $arch: run with 'baseline' on the base first"
done
comm -13 "$build.baseline" "$outdir/warnings" >"$outdir/new-warnings"
[ "$rc" -eq 0 ] || { echo "$arch: build failed: $(grep -m1 -E 'error' "$outdir/build.log")"; exit 1; }
if [ -s "$outdir/new-warnings" ]; then
	echo "$arch: $(wc -l <"$outdir/new-warnings") new warning(s): $(head -n1 "$outdir/new-warnings")"
	exit 1
fi
# The aliases of every module the base has, compared module by module.
changed=$(join -j1 <(cut -d' ' -f1 "$build.aliases" | sort -u) <(diff "$build.aliases" "$outdir/aliases" |
	sed -n 's/^[<>] \([^ ]*\) .*/\1/p' | sort -u) | paste -sd' ')
if [ -n "$changed" ]; then
	echo "$arch: module aliases changed: $changed"
	exit 1
fi
# Sources the base compiles that still exist must still be compiled.
gone=$(comm -23 "$build.objects" "$outdir/objects" |
	while read -r c; do [ ! -f "$tree/$c" ] || echo "$c"; done | paste -sd' ')
if [ -n "$gone" ]; then
	echo "$arch: no longer compiled: $gone"
	exit 1
fi
echo "$arch: no new warning; $(wc -l <"$outdir/objects") objects; aliases of $(cut -d' ' -f1 "$build.aliases" | sort -u | wc -l) modules unchanged"
