#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Provide the base tree the series applies to, as a commit on the branch
# vfio-series/base of a repository in the project's cache:
#   - by default mainline v7.3 as Debian ships it in linux-source-7.3
#     (trixie-backports), pinned to BASE_PKG_VERSION, falling back to the
#     newest linux-source-7.3 with a notice;
#   - with BASE=stable, the 6.12 LTS as linux-source-6.12 (bookworm-security),
#     the tree the Cc: stable fixes are checked on;
#   - with LINUX_TREE=/path/to/kernel/git/tree, LINUX_BASE (default HEAD) of
#     that tree (mainline v7.3 or later), through a clone that shares its
#     objects and writes nothing to it.
# The package comes through an apt configuration of the project's own (see
# apt_conf), so the machine's apt sources are never edited.
# Prints the base commit.  Reuses the cache on later runs.
#
# fetch-base.sh --version prints the package version it would use, and
# changes nothing.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

need_cmd git

# Deterministic identity and dates: the same package gives the same commit id.
export GIT_AUTHOR_NAME="vfio-series base" GIT_AUTHOR_EMAIL="base@vfio-series.invalid"
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
export GIT_AUTHOR_DATE="2024-11-17T14:15:08-08:00" GIT_COMMITTER_DATE="2024-11-17T14:15:08-08:00"

from_linux_tree()
{
	local rev

	is_kernel_tree "$LINUX_TREE" || die "LINUX_TREE=$LINUX_TREE is not a kernel tree"
	rev=$(git -C "$LINUX_TREE" rev-parse --verify -q "${LINUX_BASE:-HEAD}^{commit}") ||
		die "LINUX_TREE=$LINUX_TREE: no commit '${LINUX_BASE:-HEAD}' (not a git tree?)"
	if [ ! -d "$SRC/.git" ]; then
		need_space "$CACHE" "${MIN_FREE_GIB:-10}"
		mkdir -p "$TREE_DIR"
		git clone -q --shared --no-checkout "$LINUX_TREE" "$SRC"
	fi
	# Detach HEAD, without a checkout, so that the base branch can move.
	git -C "$SRC" update-ref --no-deref HEAD "$rev"
	git -C "$SRC" branch -f "$BASE_BRANCH" "$rev"
	printf 'source=%s\nversion=%s\n' "$LINUX_TREE" \
		"$(git -C "$LINUX_TREE" describe --always "$rev")" >"$TREE_DIR/base.info"
}

# The project's own apt configuration, in the cache: a sources list naming
# BASE_SUITE only, its own lists and archives.  The machine's apt sources
# and state are neither read nor written.
APT_DIR=$CACHE/apt/$BASE
apt_conf()
{
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/archives/partial"
	echo "deb [signed-by=${APT_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}] $BASE_SUITE" \
		>"$APT_DIR/sources.list"
	apt_opts=(-o "Dir::Etc::sourcelist=$APT_DIR/sources.list" -o Dir::Etc::sourceparts=-
		  -o "Dir::State::Lists=$APT_DIR/lists" -o "Dir::Cache=$APT_DIR"
		  -o "Dir::Cache::archives=$APT_DIR/archives" -o Dir::Cache::pkgcache=
		  -o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root)
	local -a extra
	read -ra extra <<<"${APT_OPTS:-}"
	apt_opts+=("${extra[@]}")
}

# in_archive VERSION: the suite has VERSION of the package (apt-cache show
# exits 0 for a version it does not know).
in_archive()
{
	apt-cache "${apt_opts[@]}" madison "$BASE_PKG" 2>/dev/null |
		awk -F'|' -v v="$1" '{ gsub(/ /, "", $2) } $2 == v { f = 1 } END { exit !f }'
}

# pick_version: the pinned version if the archive has it, else the newest.
pick_version()
{
	local v

	apt_conf
	if ! in_archive "$BASE_PKG_VERSION" && [ "${APT_UPDATE:-1}" = 1 ]; then
		apt-get "${apt_opts[@]}" -q update >"$APT_DIR/update.log" 2>&1 || true
	fi
	if in_archive "$BASE_PKG_VERSION"; then
		echo "$BASE_PKG_VERSION"
		return
	fi
	v=$(apt-cache "${apt_opts[@]}" madison "$BASE_PKG" 2>/dev/null |
		awk -F'|' '{ gsub(/ /, "", $2); print $2 }' | sort -V | tail -n1)
	if [ -z "$v" ]; then
		die "no archive reachable: no $BASE_PKG in $BASE_SUITE" \
			"($(grep -m1 -E '^(E|Err|W):' "$APT_DIR/update.log" 2>/dev/null || echo 'apt-get update failed'))"
	fi
	echo "NOTICE: $BASE_PKG=$BASE_PKG_VERSION is gone from the archive; using $v." \
		"The series was tested on $BASE_PKG_VERSION." >&2
	echo "$v"
}

from_debian()
{
	local version deb unpack

	need_cmd apt-get dpkg-deb tar xz
	need_space "$CACHE" "${MIN_FREE_GIB:-10}"
	apt_conf
	version=$(pick_version)
	mkdir -p "$CACHE/dl"
	deb=$CACHE/dl/${BASE_PKG}_${version//:/%3a}_all.deb
	if [ ! -f "$deb" ]; then
		(cd "$CACHE/dl" && apt-get "${apt_opts[@]}" -q download "$BASE_PKG=$version") \
			>"$CACHE/dl/apt.log" 2>&1 ||
			die "no archive reachable: apt-get download $BASE_PKG=$version failed" \
				"($(grep -m1 -E '^(E|Err):' "$CACHE/dl/apt.log" || echo 'see .cache/dl/apt.log'))"
		[ -f "$deb" ] || die "apt-get download left no $(basename "$deb")"
	fi

	rm -rf "$TREE_DIR"
	unpack=$SRC
	mkdir -p "$unpack"
	note "unpacking $(basename "$deb")"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/$BASE_PKG.tar.xz" |
		tar -xJ -C "$unpack" --strip-components=1
	is_kernel_tree "$unpack" || die "$deb did not unpack to a kernel tree"

	note "committing the base tree"
	git -C "$SRC" init -q -b "$BASE_BRANCH"
	git -C "$SRC" config core.autocrlf false
	# The tarball's .gitignore ends with Debian's '/*': force-add everything.
	git -C "$SRC" add -f -A
	git -C "$SRC" commit -q -m "Linux $(make -s -C "$SRC" kernelversion) from Debian $BASE_PKG $version"
	printf 'source=debian:%s\nversion=%s\n' "$BASE_PKG" "$version" >"$TREE_DIR/base.info"
}

case ${1:-} in
--version)
	pick_version
	exit 0
	;;
'') ;;
*) die "usage: ${0##*/} [--version]" ;;
esac

if [ -n "${LINUX_TREE:-}" ] && [ "$BASE" = mainline ]; then
	from_linux_tree
elif ! git -C "$SRC" rev-parse -q --verify "$BASE_BRANCH^{commit}" >/dev/null 2>&1 ||
     [ ! -f "$TREE_DIR/base.info" ]; then
	from_debian
fi
sed 's/^/base: /' "$TREE_DIR/base.info" >&2
git -C "$SRC" rev-parse "$BASE_BRANCH"
