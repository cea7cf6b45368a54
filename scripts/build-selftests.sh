#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-selftests.sh TREE OUTDIR
#
# Build the VFIO selftests (tools/testing/selftests/vfio) of TREE, a kernel
# checkout, as a tester would: "make headers", then the selftests against
# those headers.  Nothing is written to TREE: the headers go to a build
# directory of the cache (O=), the programs to OUTDIR (OUTPUT=), and the
# tree must be as clean afterwards as before.  Prints one line; exits 1
# when the build fails (the selftests build with -Werror).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: ${0##*/} TREE OUTDIR"
tree=$1 outdir=$(realpath -m "$2")
is_kernel_tree "$tree" || die "$tree is not a kernel tree"
[ -d "$tree/tools/testing/selftests/vfio" ] || die "$tree has no tools/testing/selftests/vfio"
need_cmd make gcc
[ -f /usr/include/uuid/uuid.h ] || die "no uuid/uuid.h: run scripts/install-deps.sh (uuid-dev)"
hdr=$BUILD/selftests-headers
rm -rf "${outdir:?}/bin"
mkdir -p "$outdir/bin" "$hdr"
before=$(git -C "$tree" status --porcelain --untracked-files=all --ignored=matching | sort)

make -s -C "$tree" O="$hdr" headers >"$outdir/build.log" 2>&1 ||
	{ echo "make headers failed: $(tail -n1 "$outdir/build.log")"; exit 1; }
rc=0
make -C "$tree/tools/testing/selftests/vfio" -j"$JOBS" OUTPUT="$outdir/bin" \
	KHDR_INCLUDES="-isystem $hdr/usr/include" >>"$outdir/build.log" 2>&1 || rc=$?
after=$(git -C "$tree" status --porcelain --untracked-files=all --ignored=matching | sort)
if [ "$before" != "$after" ]; then
	echo "the selftests build wrote to the tree: $(comm -13 <(echo "$before") <(echo "$after") | head -n1)"
	exit 1
fi
if [ "$rc" -ne 0 ]; then
	echo "the VFIO selftests do not build: $(grep -m1 -E '(error|warning):|Error [0-9]' "$outdir/build.log" | sed "s|$tree/||g")"
	exit 1
fi
progs=$(find "$outdir/bin" -maxdepth 1 -type f -executable | wc -l)
echo "the VFIO selftests build against the tree's headers: $progs programs"
