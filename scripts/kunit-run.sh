#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit-run.sh CONFIG TREE OUTDIR [baseline]
#
# Build and boot the KUnit kernel of kunit/CONFIG.kunitconfig from TREE with
# kunit.py, in a build directory of the project's cache, and leave in OUTDIR:
# results.json (kunit.py --json), suites.tsv (per suite counts), test.log (the
# whole boot) and splats.tsv (splats not in the baseline nor declared).
#
# The kunitconfig's comments carry what kunit.py needs besides the options:
#   # arch: x86_64                  (default um; x86_64 boots under QEMU)
#   # kernel_args: a=b c=d          (passed with --kernel_args)
#   # qemu_args: -device edu        (passed with --qemu_args)
#   # filter: speed>slow            (passed with --filter; KUNIT_FILTER,
#                                     when set, replaces it)
#   # max_run_seconds: 10           (the boot and the tests, at most, in a
#                                     run with a filter: not the slow case)
# Options that TREE does not define yet (the series adds them) are dropped,
# unless STRICT=1, where they fail the run.
#
# "baseline" boots TREE (the base) and records its splat signatures instead.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
	die "usage: ${0##*/} CONFIG TREE OUTDIR [baseline]"
fi
name=$1 tree=$2 outdir=$3 mode=${4:-test}
cfg=$PROJECT/kunit/$name.kunitconfig
[ -f "$cfg" ] || die "no kunit config: $cfg"
is_kernel_tree "$tree" || die "$tree is not a kernel tree"
need_cmd python3 make gcc

arch=$(sed -n 's/^# arch: *//p' "$cfg")
arch=${arch:-um}
read -ra kargs <<<"$(sed -n 's/^# kernel_args: *//p' "$cfg")"
build=$BUILD/kunit-$name
mkdir -p "$outdir" "$build"

# The options TREE knows; the others are the series' own, not there yet.
git -C "$tree" grep -hoE '^[[:space:]]*(menu)?config [A-Z0-9_]+' -- '*Kconfig*' |
	awk '{ print "CONFIG_" $2 }' | sort -u >"$outdir/known"
: >"$outdir/kunitconfig"
: >"$outdir/dropped"
while IFS= read -r line; do
	opt=${line%%=*}
	opt=${opt#\# }
	opt=${opt% is not set}
	if [[ $opt == CONFIG_* ]] && ! grep -qxF "$opt" "$outdir/known"; then
		[ "${STRICT:-0}" != 1 ] || die "$name: $opt is not defined in $tree"
		echo "$opt" >>"$outdir/dropped"
		continue
	fi
	echo "$line" >>"$outdir/kunitconfig"
done <"$cfg"
rm -f "$outdir/known"

args=(run --kunitconfig="$outdir/kunitconfig" --build_dir="$build"
      --arch="$arch" --jobs="$JOBS" --timeout="${KUNIT_TIMEOUT:-900}"
      --json="$outdir/results.json")
command -v ccache >/dev/null && args+=(--make_options="CC=ccache gcc")
for a in "${kargs[@]}"; do
	args+=(--kernel_args="$a")
done
qemu_args=$(sed -n 's/^# qemu_args: *//p' "$cfg")
[ -z "$qemu_args" ] || args+=(--qemu_args="$qemu_args")
filter=${KUNIT_FILTER-$(sed -n 's/^# filter: *//p' "$cfg")}
[ -z "$filter" ] || args+=(--filter="$filter")
budget=
[ -z "$filter" ] || budget=$(sed -n 's/^# max_run_seconds: *//p' "$cfg")

# Since v6.19 kunit.py asks QEMU for "-accel kvm -accel hvf -accel tcg".
# Where /dev/kvm exists but cannot run the guest (nested, as on the
# project's machines, where the guest hangs without a line of output or
# QEMU aborts on an MSR), that hangs the run: QEMU runs through a wrapper
# that drops every -accel but tcg, as kunit.py of v6.12 did.
path=$PATH
if [ "$arch" != um ]; then
	wrap=$CACHE/tools/qemu-tcg
	mkdir -p "$wrap"
	for q in /usr/bin/qemu-system-*; do
		cat >"$wrap/${q##*/}" <<-EOS
		#!/bin/sh
		# Written by scripts/kunit-run.sh: $q with TCG only.
		n=\$#
		while [ "\$n" -gt 0 ]; do
			a=\$1; shift; n=\$((n - 1))
			if [ "\$a" = -accel ] && [ "\$n" -gt 0 ]; then
				b=\$1; shift; n=\$((n - 1))
				[ "\$b" != tcg ] || set -- "\$@" -accel tcg
				continue
			fi
			set -- "\$@" "\$a"
		done
		exec $q "\$@"
		EOS
		chmod +x "$wrap/${q##*/}"
	done
	path=$wrap:$PATH
fi

rc=0
(cd "$tree" && PATH=$path ./tools/testing/kunit/kunit.py "${args[@]}") >"$outdir/kunit.out" 2>&1 || rc=$?
cp "$build/test.log" "$outdir/test.log" 2>/dev/null || : >"$outdir/test.log"

if [ "$mode" = baseline ]; then
	# The base has none of the series' tests: only the boot matters.
	[ -s "$outdir/test.log" ] ||
		die "$name: the base tree's kernel did not boot (see $outdir/kunit.out)"
	"$PROJECT/scripts/splats.py" "$outdir/test.log" | sort -u >"$build.baseline"
	cp "$build.baseline" "$outdir/baseline-splats"
	# KASAN reports once, lockdep turns itself off after its first report:
	# a base that already has one would hide the series' own.
	if grep -E 'BUG|KASAN|locking|lock state|Oops|panic' "$build.baseline"; then
		die "$name: the base kernel already reports the above: the config would hide new reports"
	fi
	echo "the base prints $(wc -l <"$build.baseline") splat(s): $(paste -sd';' "$build.baseline")"
	exit 0
fi

if [ ! -s "$outdir/results.json" ]; then
	die "$name: kunit.py failed before any result (exit $rc): $(grep -m1 -iE 'error|failed' "$outdir/kunit.out" || tail -n1 "$outdir/kunit.out")"
fi
[ -f "$build.baseline" ] || die "$name: no baseline: run with 'baseline' on the base first"
status=0
"$PROJECT/scripts/kunit-table.py" "$outdir/results.json" >"$outdir/suites.tsv" || status=1
"$PROJECT/scripts/splats.py" "$outdir/test.log" --baseline "$build.baseline" \
	--expected "$PROJECT/kunit/expected-splats" >"$outdir/splats.tsv" || status=1
# kunit.py fails a run without tests: before the series adds its tests
# (their options dropped above) that is the expected outcome.
if [ "$rc" -ne 0 ] && ! { [ ! -s "$outdir/suites.tsv" ] && [ -s "$outdir/dropped" ]; }; then
	status=1
fi
# kunit.py: "Elapsed time: 9.1s total, 0.0s configuring, 8.1s building, 1.0s running"
ran=$(sed -nE 's/.*Elapsed time:.* ([0-9.]+)s running.*/\1/p' "$outdir/kunit.out")
if [ -n "$budget" ] && [ -n "$ran" ] && awk -v r="$ran" -v b="$budget" 'BEGIN { exit !(r > b) }'; then
	echo "the run took ${ran}s, over its budget of ${budget}s" >"$outdir/over-budget"
	status=1
fi
awk -F'\t' -v new="$(grep -c '^new' "$outdir/splats.tsv" || true)" \
	-v dropped="$(paste -sd' ' "$outdir/dropped")" '
	{ s++; p += $2; f += $3; k += $4; c += $5 }
	END {
		if (!s)
			printf "no tests yet (not in this tree: %s); ", dropped
		else
			printf "%d suites: %d passed, %d failed, %d skipped, %d crashed; ", s, p, f, k, c
		printf "%d new splat(s); ran %ss\n", new, ran
	}' ran="${ran:-?}" "$outdir/suites.tsv"
[ ! -f "$outdir/over-budget" ] || cat "$outdir/over-budget"
exit "$status"
