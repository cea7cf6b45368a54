#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# e2e.sh [COMMIT OUTDIR]
#
# The end-to-end test: build the guest kernel of scripts/e2e/guest.config
# (tinyconfig + VFIO, vfio-pci, the virtio variant driver, mdev + mtty,
# lockdep, kmemleak, SLUB debugging) from COMMIT, an initramfs of busybox, the
# modules, the VFIO client scripts/e2e/vfio-e2e.c and upstream's VFIO
# selftests of COMMIT (tools/testing/selftests/vfio, linked statically),
# and boot it in QEMU (q35, emulated intel-iommu, an edu device, a modern
# virtio-net device and an igb) to run scripts/e2e/init.  Leaves in OUTDIR
# console.log, cases.tsv (one line per guest case: case, pass|skip|fail,
# detail), build.log, qemu-version and times; prints the summary first.
# Exits 1 if a case failed, the kernel splatted or the guest did not reach
# its final line in time.
#
# Without arguments: the series applied on the branch vfio-series/e2e,
# results in out/e2e.  Everything is built in .cache/e2e/ (its own
# worktree of the base repository and build directory).
#
#   E2E_CYCLES    bind/unbind cycles in the guest (default 100)
#   E2E_TIMEOUT   seconds the guest may run (default 1500)
#   E2E_BUILD_ONLY=1  build the guest kernel, then stop (the bot does this
#                 in the background, at the lowest priority, while it
#                 checks the patches)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 0 ] || [ $# -eq 2 ] || die "usage: ${0##*/} [COMMIT OUTDIR]"
need_cmd git make gcc ccache python3 qemu-system-x86_64 cpio depmod rsync readelf timeout nm flock
# Whole, then searched: grep -q would leave QEMU a broken pipe.
devices=$(qemu-system-x86_64 -device help 2>/dev/null) || true
grep -q '"igb"' <<<"$devices" ||
	die "$(qemu-system-x86_64 --version | head -n1) has no igb device: run scripts/install-qemu.sh"
if [ ! -x /bin/busybox ] || readelf -l /bin/busybox | grep -q INTERP; then
	die "no static /bin/busybox: run scripts/install-deps.sh (busybox-static)"
fi
git -C "$SRC" rev-parse -q --verify "$BASE_BRANCH^{commit}" >/dev/null ||
	die "no base tree: run scripts/fetch-base.sh"

E2E=$CACHE/e2e
wt=$E2E/src build=$E2E/build root=$E2E/root
cycles=${E2E_CYCLES:-100} limit=${E2E_TIMEOUT:-1500}
mkdir -p "$E2E"
# One run at a time in the worktree and build directory (the bot's
# background build of the kernel, then the test).
exec 9>"$E2E/lock"
flock 9
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
rm -f "$outdir/console.log" "$outdir/cases.tsv" "$outdir/times" "$outdir/qemu-version"
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
if [ "${E2E_BUILD_ONLY:-0}" = 1 ]; then
	stamp kernel
	exit 0
fi
# ACPI's text, [start, end): the fail-nth sweep does not fail what is
# allocated under it (see scripts/e2e/init).  drivers/acpi/ is linked in
# one run: from the first of its acpi_* functions in the main .text to the
# symbol after its last, names defined once in System.map only (a static
# acpi_attr_is_visible() of drivers/pci would pull the range into PCI).
acpi=$({ nm --defined-only "$build/drivers/acpi/built-in.a" 2>/dev/null || true; } |
	awk '$2 ~ /^[tT]$/ && $3 ~ /^acpi_/ { print $3 }' | sort -u |
	awk 'NR == FNR { s[$1]; next }
	     FNR == 1 { while ((getline l < FILENAME) > 0) { split(l, f, " "); n[f[3]]++ } }
	     $3 == "__noinstr_text_start" { stop = 1 }
	     stop || $2 !~ /^[tT]$/ { next }
	     $3 in s && n[$3] == 1 { lo = lo ? lo : $1; end = ""; next }
	     lo && !end { end = $1 }
	     END { if (lo && end) print "0x" lo ":0x" end }' - "$build/System.map")
if [ -z "$acpi" ] || [ $((${acpi#*:} - ${acpi%:*})) -gt $((4 << 20)) ]; then
	die "cannot find ACPI's text in System.map (found: '$acpi')"
fi
lookup=$(awk '$3 == "acpi_pci_irq_lookup" { print "0x" $1 }' "$build/System.map")
[ -n "$lookup" ] || die "acpi_pci_irq_lookup is not in System.map: cannot check ACPI's text $acpi"
if [ $((lookup)) -lt $((${acpi%:*})) ] || [ $((lookup)) -ge $((${acpi#*:})) ]; then
	die "ACPI's text $acpi does not hold acpi_pci_irq_lookup ($lookup)"
fi

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

# Upstream's VFIO selftests, static: the guest has no libc.
rm -rf "$E2E/selftests"
mkdir -p "$E2E/selftests" "$root/bin/selftests"
make -C "$wt/tools/testing/selftests/vfio" -j"$JOBS" OUTPUT="$E2E/selftests" \
	KHDR_INCLUDES="-isystem $E2E/headers/include" LDFLAGS="-static -pthread" \
	>>"$outdir/build.log" 2>&1 ||
	die "the VFIO selftests do not build: $(grep -m1 -E 'error|Error' "$outdir/build.log")"
find "$E2E/selftests" -maxdepth 1 -type f -name 'vfio_*' -executable \
	-exec install -s -m 755 -t "$root/bin/selftests" {} +
[ -n "$(ls "$root/bin/selftests")" ] || die "the VFIO selftests built no program"
stamp selftests

# The initramfs: busybox, /init, the client and the modules.
cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
install -m 755 "$PROJECT/scripts/e2e/init" "$root/init"
(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc -R 0:0 --quiet) >"$E2E/initramfs.cpio"
stamp initramfs

# The guest.  intel-iommu first: it must exist before the devices it covers.
qemu-system-x86_64 --version | head -n1 >"$outdir/qemu-version"
note "booting the guest under $(cat "$outdir/qemu-version") ($cycles cycles, at most $limit s)"
rc=0
# 5 GiB: two 1 GiB (the CPU needs pdpe1gb) and thirty-two 2 MiB hugetlb
# pages, for the selftests of two lanes at once (with one 1 GiB page, the
# other lane's mmap() of one failed), besides vfio_pci_driver_test's 1 GiB
# of shared memory.  Two vCPUs, one
# TCG thread each: the guest runs its selftests and sweeps in two lanes.
# 45 s before its limit, a guest still running is asked through QEMU's
# monitor where each vCPU is (qemu-regs.py: RIP and the kernel addresses on
# the stack, as symbols), into hang.txt: a hang says where it spins.
mon=$E2E/monitor.sock
rm -f "$mon" "$outdir/hang.txt"
# shellcheck disable=SC2016
bash -c 'trap "kill \$s 2>/dev/null; exit 0" TERM; sleep "$1" & s=$!; wait "$s"
	exec "${@:2}"' regs $((limit > 90 ? limit - 45 : limit)) \
	"$PROJECT/scripts/e2e/qemu-regs.py" "$mon" "$build/System.map" 2 >"$outdir/hang.txt" 2>&1 9>&- &
regs_pid=$!
timeout -k 30 "$limit" qemu-system-x86_64 \
	-machine q35,kernel-irqchip=split -accel tcg,thread=multi -cpu qemu64,+pdpe1gb -m 5G -smp 2 \
	-display none -monitor "unix:$mon,server=on,wait=off" -serial stdio -no-reboot \
	-device intel-iommu,intremap=on,caching-mode=on \
	-device edu \
	-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1 \
	-netdev hubport,id=n0,hubid=0 \
	-device virtio-net-pci,netdev=n0,disable-legacy=on,bus=rp1 \
	-device pcie-root-port,id=rp2,bus=pcie.0,chassis=2 \
	-netdev hubport,id=n1,hubid=1 \
	-device igb,netdev=n1,bus=rp2 \
	-kernel "$build/arch/x86/boot/bzImage" -initrd "$E2E/initramfs.cpio" \
	-append "console=ttyS0 intel_iommu=on panic=-1 e2e.cycles=$cycles \
hugepagesz=1G hugepages=2 hugepagesz=2M hugepages=32 vfio_pci.enable_sriov=1 slub_debug=FZP idle=poll log_buf_len=16M e2e.acpi=$acpi e2e.limit=$limit" \
	</dev/null >"$outdir/console.log" 2>&1 || rc=$?
kill "$regs_pid" 2>/dev/null || true
wait "$regs_pid" 2>/dev/null || true
stamp guest
if [ -s "$outdir/hang.txt" ]; then
	note "the guest was still running 45 s before its limit; its vCPUs then:"
	sed 's/^/    /' "$outdir/hang.txt" >&2
fi
opts=(--qemu "$(cat "$outdir/qemu-version")")
# The two WARNs the sweeps may cause that are not VFIO's (scan.py, README):
# the IOMMU core's on a failed re-attach of the default domain, and
# remove_proc_entry()'s on a /proc/irq entry genirq never made.
# warn_line FILE FUNCTION TEXT CALLER: FILE:LINE:CALLER of the one WARN
# in FUNCTION whose line holds TEXT; its splat must name CALLER.
warn_line()
{
	local n

	n=$(awk -v fn="$2" -v txt="$3" '$0 ~ "^[a-z].*[ *]" fn "\\(" { f = 1 } f && /^}/ { exit }
		f && /WARN(_ON)?\(/ && index($0, txt) { print NR }' "$wt/$1")
	[ "$(wc -w <<<"$n")" = 1 ] || die "not one WARN with '$3' in $2() of $1: '$n'"
	echo "$1:$n:$4"
}
opts+=(--allow-warn "$(warn_line drivers/iommu/iommu.c __iommu_group_set_domain_nofail WARN_ON \
	__iommu_release_dma_ownership)")
opts+=(--allow-warn "$(warn_line fs/proc/generic.c remove_proc_entry "name '%s'" unregister_irq_proc)")
[ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || opts+=(--timed-out "$limit")
status=0
"$PROJECT/scripts/e2e/scan.py" "$outdir/console.log" "$outdir/cases.tsv" "${opts[@]}" || status=1
[ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] || note "qemu exited $rc"
column -t -s $'\t' "$outdir/cases.tsv" 2>/dev/null || cat "$outdir/cases.tsv"
note "$(tr '\n' ' ' <"$outdir/times")(seconds since the start)"
exit "$status"
