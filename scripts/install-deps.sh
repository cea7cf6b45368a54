#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, as root with apt-get, what the scripts need on a bare Debian
# bookworm: the kernel build dependencies (gcc, clang 19 and the cross
# compilers), the patch checkers (sparse, Coccinelle with OCaml for its OCaml
# scripts), b4, busybox and what the VFIO selftests link with (libuuid, static
# for the guest); then QEMU 10 from bookworm-backports (install-qemu.sh).
# Does nothing when all of it is there.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

pkgs=(build-essential bc bison flex cpio kmod libelf-dev libssl-dev python3 perl
      git xz-utils ccache codespell sparse b4 shellcheck rsync busybox-static
      python3-ply python3-git python3-docutils gcc-aarch64-linux-gnu gcc-s390x-linux-gnu
      clang-19 lld-19 llvm-19 coccinelle ocaml-nox uuid-dev)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	[ "$(id -u)" -eq 0 ] || die "not root: install ${missing[*]} (apt-get install)"
	note "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
		apt-get update -q >/dev/null || die "no archive reachable: apt-get update failed"
		apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
			die "apt-get install ${missing[*]} failed"
	fi
fi
exec "$PROJECT/scripts/install-qemu.sh"
