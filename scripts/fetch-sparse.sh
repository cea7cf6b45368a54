#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-sparse.sh TREE
#
# Print the path of a sparse that TREE's build accepts for C=1.  Since v6.19
# the kernel checks that sparse knows __typeof_unqual__
# (scripts/checker-valid.sh) and otherwise skips sparse with only a warning;
# bookworm's sparse 0.6.4 does not.  Then sparse is built from Debian's
# source package of SPARSE_VERSION (sid; a C program that builds in seconds
# against bookworm's libc), fetched through an apt configuration of the
# project's own, into the cache.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: ${0##*/} TREE"
tree=$1
is_kernel_tree "$tree" || die "$tree is not a kernel tree"
version=${SPARSE_VERSION:-0.6.5~rc1-2}

# valid SPARSE: TREE's own check of the checker, or none (older trees).
valid()
{
	[ ! -f "$tree/scripts/checker-valid.sh" ] ||
		[ "$(sh "$tree/scripts/checker-valid.sh" "$1" -m64 2>/dev/null)" = 1 ]
}

if command -v sparse >/dev/null && valid sparse; then
	command -v sparse
	exit 0
fi
dir=$CACHE/tools/sparse-$version
if [ ! -x "$dir/sparse" ] || ! valid "$dir/sparse"; then
	need_cmd apt-get make gcc tar
	apt=$CACHE/apt/sparse
	mkdir -p "$apt/lists/partial" "$apt/src"
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main" \
		>"$apt/sources.list"
	opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o Dir::Etc::sourceparts=-
	      -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt" -o Dir::Cache::pkgcache=
	      -o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root)
	if [ ! -f "$apt/src/sparse_${version%-*}.orig.tar.gz" ]; then
		apt-get "${opts[@]}" -q update >"$apt/log" 2>&1 ||
			die "no archive reachable: apt-get update of Debian sid's sources failed"
		(cd "$apt/src" && apt-get "${opts[@]}" -q source --download-only "sparse=$version") \
			>>"$apt/log" 2>&1 || die "apt-get source sparse=$version failed (see $apt/log)"
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -xzf "$apt/src/sparse_${version%-*}.orig.tar.gz" -C "$dir" --strip-components=1
	make -C "$dir" -s -j"$JOBS" sparse HAVE_LLVM=no HAVE_SQLITE=no HAVE_GTK=no \
		>"$dir/build.log" 2>&1 || die "building sparse $version failed (see $dir/build.log)"
	valid "$dir/sparse" || die "sparse $version does not pass $tree/scripts/checker-valid.sh"
fi
echo "$dir/sparse"
