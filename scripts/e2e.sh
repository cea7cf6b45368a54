#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# e2e.sh [COMMIT OUTDIR]
#
# The end-to-end test: build the guest kernel of scripts/e2e/guest.config
# (tinyconfig + VFIO, vfio-pci, the virtio variant driver, mdev + mtty,
# KASAN, lockdep, kmemleak) from COMMIT, an initramfs of busybox, the
# modules and the VFIO client scripts/e2e/vfio-e2e.c, and boot it in QEMU
# (q35, emulated intel-iommu, an edu device and a modern virtio-net device)
# to run scripts/e2e/init.  Leaves in OUTDIR console.log, cases.tsv (one
# line per guest case: case, pass|fail, detail), build.log and times;
# prints the summary first.  Exits 1 if a case failed, the kernel splatted
# or the guest did not reach its final line in time.
#
# Without arguments: the series applied on the branch vfio-series/e2e,
# results in out/e2e.  Everything is built in .cache/e2e/ (its own
# worktree of the base repository and build directory).
#
#   E2E_CYCLES    bind/unbind cycles in the guest (default 300)
#   E2E_TIMEOUT   seconds the guest may run (default 900)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 0 ] || [ $# -eq 2 ] || die "usage: ${0##*/} [COMMIT OUTDIR]"
need_cmd git make gcc ccache python3 qemu-system-x86_64 cpio depmod rsync readelf timeout
if [ ! -x /bin/busybox ] || readelf -l /bin/busybox | grep -q INTERP; then
	die "no static /bin/busybox: run scripts/install-deps.sh (busybox-static)"
fi
git -C "$SRC" rev-parse -q --verify "$BASE_BRANCH^{commit}" >/dev/null ||
	die "no base tree: run scripts/fetch-base.sh"

E2E=$CACHE/e2e
wt=$E2E/src build=$E2E/build root=$E2E/root
cycles=${E2E_CYCLES:-300} limit=${E2E_TIMEOUT:-900}
mkdir -p "$E2E"
git -C "$SRC" worktree prune
# A worktree of another base repository (LINUX_TREE changed) is replaced.
if [ -e "$wt/.git" ] && [ "$(cd "$wt" && realpath "$(git rev-parse --git-common-dir)")" != \
	"$(cd "$SRC" && realpath "$(git rev-parse --git-common-dir)")" ]; then
	rm -rf "$wt"
fi
if [ ! -e "$wt/.git" ]; then
	rm -rf "$wt"
	git -C "$SRC" worktree add -q --detach "$wt" "$BASE_BRANCH"
fi
if [ $# -eq 2 ]; then
	commit=$1 outdir=$2
	git -C "$wt" checkout -q -f --detach "$commit"
	git -C "$wt" clean -q -fdx
else
	outdir=$OUT/e2e
	"$PROJECT/scripts/apply-series.sh" "$wt" vfio-series/e2e >/dev/null
	commit=$(git -C "$wt" rev-parse HEAD)
fi
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
rm -f "$outdir/console.log" "$outdir/cases.tsv" "$outdir/times"
t0=$(date +%s)
stamp()
{
	echo "$1 $(($(date +%s) - t0))" >>"$outdir/times"
}

# The kernel.
kmake()
{
	make -C "$wt" O="$build" ARCH=x86_64 CC="ccache gcc" -j"$JOBS" "$@"
}
note "building the guest kernel of $(git -C "$wt" rev-parse --short HEAD) in $build"
mkdir -p "$build"
{
	kmake -s tinyconfig
	"$wt/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" \
		"$PROJECT/scripts/e2e/guest.config"
	kmake -s olddefconfig
} >"$outdir/build.log" 2>&1 || die "configuring failed: $(tail -n1 "$outdir/build.log")"
missing=$(grep -E '^(# )?CONFIG_[A-Z0-9_]+[ =]' "$PROJECT/scripts/e2e/guest.config" |
	while IFS= read -r opt; do
		grep -qxF "$opt" "$build/.config" || echo "$opt"
	done | paste -sd' ')
[ -z "$missing" ] || die "options dropped by olddefconfig (a missing dependency?): $missing"
cp "$build/.config" "$outdir/config"
if ! kmake -s bzImage modules >>"$outdir/build.log" 2>&1; then
	die "the kernel build failed: $(grep -m1 -E 'error|Error' "$outdir/build.log" || tail -n1 "$outdir/build.log")"
fi
release=$(cat "$build/include/config/kernel.release")
rm -rf "$root" "$E2E/headers"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp}
{
	kmake -s INSTALL_MOD_PATH="$root" INSTALL_MOD_STRIP=1 modules_install
	kmake -s INSTALL_HDR_PATH="$E2E/headers" headers_install
} >>"$outdir/build.log" 2>&1 || die "modules_install or headers_install failed: $(tail -n1 "$outdir/build.log")"
rm -f "$root/lib/modules/$release/build" "$root/lib/modules/$release/source"
stamp kernel

# The client, against the series' uAPI.
gcc -static -O2 -Wall -Wextra -Werror -I"$E2E/headers/include" \
	-o "$root/bin/vfio-e2e" "$PROJECT/scripts/e2e/vfio-e2e.c" 2>>"$outdir/build.log" ||
	die "the client does not build: $(grep -m1 error "$outdir/build.log")"

# The initramfs: busybox, /init, the client and the modules.
cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
install -m 755 "$PROJECT/scripts/e2e/init" "$root/init"
(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc -R 0:0 --quiet) >"$E2E/initramfs.cpio"
stamp initramfs

# The guest.  intel-iommu first: it must exist before the devices it covers.
note "booting the guest ($cycles cycles, at most $limit s)"
rc=0
timeout "$limit" qemu-system-x86_64 \
	-machine q35,kernel-irqchip=split -accel tcg -m 2G -smp 1 \
	-display none -monitor none -serial stdio -no-reboot \
	-device intel-iommu,intremap=on,caching-mode=on \
	-device edu \
	-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1 \
	-netdev hubport,id=n0,hubid=0 \
	-device virtio-net-pci,netdev=n0,disable-legacy=on,bus=rp1 \
	-kernel "$build/arch/x86/boot/bzImage" -initrd "$E2E/initramfs.cpio" \
	-append "console=ttyS0 intel_iommu=on panic=-1 e2e.cycles=$cycles" \
	</dev/null >"$outdir/console.log" 2>&1 || rc=$?
stamp guest
timed=()
[ "$rc" -ne 124 ] || timed=(--timed-out "$limit")
status=0
"$PROJECT/scripts/e2e/scan.py" "$outdir/console.log" "$outdir/cases.tsv" "${timed[@]}" || status=1
[ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] || note "qemu exited $rc"
column -t -s $'\t' "$outdir/cases.tsv" 2>/dev/null || cat "$outdir/cases.tsv"
note "$(tr '\n' ' ' <"$outdir/times")(seconds since the start)"
exit "$status"
