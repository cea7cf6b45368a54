#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# install-qemu.sh [--version]
#
# Install QEMU_PKG_VERSION of qemu-system-x86 from bookworm-backports (QEMU
# 10.0, which has the igb device bookworm's 7.2 lacks), as root with apt-get.
# apt runs with a configuration of the project's own in .cache/apt/qemu/:
# a sources list of bookworm, its updates and security suites and
# bookworm-backports, its own lists and archives.  Only qemu-system-x86 and
# the three packages it needs newer than bookworm's are asked for from
# bookworm-backports (`pkg/suite`: apt 2.6 does not take a dependency from
# the suite by itself, it refuses with "held broken packages"); everything
# else comes from bookworm.  The machine's apt sources
# and state are neither read nor written.  Does nothing when that version
# is installed.  --version prints the version it would install.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

PKG=qemu-system-x86
SUITE=bookworm-backports
# What qemu-system-x86 10.0 depends on at versions bookworm does not have.
DEPS=(qemu-system-common qemu-system-data seabios)
VERSION=${QEMU_PKG_VERSION:-1:10.0.2+ds-2+deb13u1~bpo12+1}
case ${1:-} in
--version | '') ;;
*) die "usage: ${0##*/} [--version]" ;;
esac

# dpkg-query fails for a package this machine never had.
installed=$({ dpkg-query -W -f='${Status} ${Version}\n' "$PKG" 2>/dev/null || true; } |
	awk '/install ok installed/ { print $4 }')
if [ "${1:-}" != --version ] && [ "$installed" = "$VERSION" ]; then
	exit 0
fi

dir=$CACHE/apt/qemu
mkdir -p "$dir/lists/partial" "$dir/archives/partial"
key=${APT_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
{
	for s in bookworm bookworm-updates $SUITE; do
		echo "deb [signed-by=$key] http://deb.debian.org/debian $s main"
	done
	echo "deb [signed-by=$key] http://deb.debian.org/debian-security bookworm-security main"
} >"$dir/sources.list"
opts=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o Dir::Etc::sourceparts=-
      -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir"
      -o "Dir::Cache::archives=$dir/archives" -o Dir::Cache::pkgcache=
      -o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root)

have_version()
{
	apt-cache "${opts[@]}" madison "$PKG" 2>/dev/null |
		awk -F'|' -v v="$1" -v s="$SUITE" '{ gsub(/ /, "", $2) } $2 == v && $3 ~ s { f = 1 } END { exit !f }'
}

if ! have_version "$VERSION"; then
	apt-get "${opts[@]}" -q update >"$dir/update.log" 2>&1 ||
		die "no archive reachable: apt-get update failed ($(grep -m1 -E '^(E|Err):' "$dir/update.log"))"
fi
if ! have_version "$VERSION"; then
	v=$(apt-cache "${opts[@]}" madison "$PKG" 2>/dev/null |
		awk -F'|' -v s="$SUITE" '$3 ~ s { gsub(/ /, "", $2); print $2 }' | sort -V | tail -n1)
	[ -n "$v" ] || die "no $PKG in $SUITE"
	echo "NOTICE: $PKG=$VERSION is gone from $SUITE; using $v. The guest test was run on $VERSION." >&2
	VERSION=$v
fi
if [ "${1:-}" = --version ]; then
	echo "$VERSION"
	exit 0
fi
[ "$installed" != "$VERSION" ] || exit 0
[ "$(id -u)" -eq 0 ] || die "not root: cannot install $PKG=$VERSION"
note "installing $PKG $VERSION from $SUITE"
DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" install -y -q --no-install-recommends \
	"$PKG/$SUITE" "${DEPS[@]/%//$SUITE}" >"$dir/install.log" 2>&1 ||
	die "apt-get install $PKG/$SUITE failed: $(grep -m1 -E '^(E|Err):' "$dir/install.log")"
installed=$(dpkg-query -W -f='${Version}' "$PKG")
[ "$installed" = "$VERSION" ] || die "installed $PKG $installed, not $VERSION"
