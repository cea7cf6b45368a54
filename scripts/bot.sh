#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The apply-and-build bot: apply the series to the base tree and, after each
# patch, run the checks of the kernel's patch bots (NIPA, the kernel test
# robot: checkpatch, kernel-doc, Coccinelle, the W=1 builds of drivers/vfio/
# with gcc, sparse and clang, 64- and 32-bit) and the KUnit configs of
# kunit/; the configs marked "# run: tip" run after the last patch only,
# those marked "# run: manual" (plain UML, x86_64 under QEMU) not at all.
# Every check passes, warns or fails.  Writes out/summary.json and
# out/summary.txt and prints the table; exits 1 if any check failed (a
# warning is not a failure).
#
# Results are cached by patch, resulting tree and tooling: an unchanged
# series is not rebuilt (NO_CACHE=1 rebuilds it all).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

"$PROJECT/scripts/install-deps.sh"
need_cmd git make gcc python3 sparse codespell spatch clang-19
base=$("$PROJECT/scripts/fetch-base.sh")
rm -rf "$OUT"
mkdir -p "$OUT"
: >"$OUT/checks.tsv"
cp "$TREE_DIR/base.info" "$OUT/base.info"
echo "commit=$base" >>"$OUT/base.info"
: >"$OUT/suites.tsv"

# The tooling's fingerprint: a change to any script or config reruns all.
tooling=$(find "$PROJECT/scripts" "$PROJECT/kunit" -type f ! -name '*.pyc' -print0 |
	sort -z | xargs -0 cat | sha1sum | cut -c1-16)
# The compiler's and QEMU's versions too: the guest test's results are QEMU's.
tooling=$tooling-$(gcc -dumpfullversion)-$({ qemu-system-x86_64 --version 2>/dev/null || true; } |
	sed -n '1s/^QEMU emulator version \([^ ]*\).*/\1/p')

# record PATCH CHECK STATUS SECONDS DETAIL
record()
{
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5//$'\t'/ }" >>"$OUT/checks.tsv"
	printf '  %-28s %-5s %6s %s\n' "$2" "$3" "$4" "${5:0:100}" >&2
}

# run_cached KEY OUTDIR CMD...: run CMD, its output in OUTDIR, unless the
# cache holds its success for KEY.  Leaves rc, stdout, stderr and seconds.
run_cached()
{
	local cache=$CACHE/results/$1 outdir=$2 t0 rc=0
	shift 2
	mkdir -p "$outdir"
	if [ "${NO_CACHE:-0}" != 1 ] && [ -f "$cache/rc" ]; then
		cp -r "$cache/." "$outdir/"
		echo cached >"$outdir/seconds"
		return 0
	fi
	t0=$(date +%s)
	"$@" >"$outdir/stdout" 2>"$outdir/stderr" || rc=$?
	echo "$(($(date +%s) - t0))" >"$outdir/seconds"
	echo "$rc" >"$outdir/rc"
	# Only successes are kept: a failure may be the machine's.
	[ "$rc" -eq 0 ] || return 0
	mkdir -p "$cache"
	cp -r "$outdir/." "$cache/"
}

# record_run PATCH CHECK OUTDIR: record a run_cached outcome.
record_run()
{
	local rc detail

	rc=$(cat "$3/rc")
	detail=$(head -n1 "$3/stdout")
	[ "$rc" -eq 0 ] || [ -n "$detail" ] || detail=$(tail -n1 "$3/stderr")
	record "$1" "$2" "$([ "$rc" -eq 0 ] && echo pass || echo fail)" \
		"$(cat "$3/seconds")" "$detail"
}

# The builds of drivers/vfio/ (build.sh), incremental: x86_64 (gcc, sparse)
# after every patch, the series' bisectability.  i386 and clang (what 32 bits
# and another compiler warn about) after a patch that changes a file whose
# effect reaches beyond its own lines (a header, a Kconfig, a Makefile) or
# adds a file, and after the last patch: the code of a patch that changes
# only .c files of the base is built by them at the tip.  arm64 and s390
# after a patch that touches a file compiled on that arch and not on x86_64
# (s390's ism), and after the last patch.
ARCHES=(x86_64 i386 clang arm64 s390)

# build_wanted ARCH FILES N: build ARCH after patch N, which changes FILES.
build_wanted()
{
	[ "$3" -eq "$total" ] && return 0
	local only f
	case $1 in
	x86_64) return 0 ;;
	i386 | clang)
		while IFS= read -r f; do
			case $f in
			Documentation/* | *.rst | MAINTAINERS) ;;
			*.c) git -C "$SRC" cat-file -e "$base:$f" 2>/dev/null || return 0 ;;
			*) return 0 ;;
			esac
		done <"$2"
		return 1
		;;
	esac

	only=$(comm -23 "$BUILD/$1-allmod.objects" "$BUILD/x86_64-allmod.objects" |
		xargs -r -n1 dirname | sort -u)
	[ -n "$only" ] && xargs -r -n1 dirname <"$2" | grep -xF "$only" >/dev/null
}

# kunit_wanted CONFIG FILES N: run CONFIG after patch N, which changes
# FILES: after the last patch, and after a patch that changes a file other
# than .c and .rst files (a header, Kconfig, a Makefile: it may change
# anything) or a .c file compiled into CONFIG's kernel (an object in its
# build directory).  A patch that changes only .c files of drivers the
# kernel does not have (most conversions) would rerun the same kernel.
kunit_wanted()
{
	local f

	[ "$3" -eq "$total" ] && return 0
	while IFS= read -r f; do
		case $f in
		*.rst) ;;
		*.c) [ ! -f "$BUILD/kunit-$1/${f%.c}.o" ] || return 0 ;;
		*) return 0 ;;
		esac
	done <"$2"
	return 1
}

# objects_check PATCH DIR: every .c file of drivers/vfio/ the patch changes
# is compiled by an arch (its latest build: this patch's, or the base's).
objects_check()
{
	local arch missing

	for arch in "${ARCHES[@]}"; do
		if [ -f "$2/build-$arch/objects" ]; then
			cat "$2/build-$arch/objects"
		else
			cat "$BUILD/$arch-allmod.objects"
		fi
	done | sort -u >"$2/objects"
	missing=$({ grep -E '^drivers/vfio/.*\.c$' "$2/files" || true; } | while read -r f; do
		[ ! -f "$SRC/$f" ] || grep -qxF "$f" "$2/objects" || echo "$f"
	done | paste -sd' ')
	if [ -n "$missing" ]; then
		record "$1" build:objects fail 0 "changed and compiled by no arch: $missing"
	else
		record "$1" build:objects pass 0 "$(grep -cE '^drivers/vfio/.*\.c$' "$2/files" || true) changed .c file(s), each compiled"
	fi
}

configs()
{
	local f

	for f in "$PROJECT"/kunit/*.kunitconfig; do
		! grep -qx '# run: manual' "$f" || continue
		if [ "$1" = tip ] || ! grep -qx '# run: tip' "$f"; then
			basename "$f" .kunitconfig
		fi
	done
}

# kunit CONFIG PATCH KEY OUTDIR STRICT: STRICT=1 after the last patch,
# where the KUNIT_CASE_SLOW cases run too; before it, they are filtered out
# (the one slow case waits out a 10 s timeout of the core).
kunit()
{
	local filter=()

	[ "$5" = 1 ] || filter=(KUNIT_FILTER='speed>slow')
	run_cached "$3-kunit-$1" "$4" env STRICT="$5" "${filter[@]}" \
		"$PROJECT/scripts/kunit-run.sh" "$1" "$SRC" "$4"
	record_run "$2" "kunit:$1" "$4"
	[ ! -f "$4/suites.tsv" ] || sed "s|^|$2\t$1\t|" "$4/suites.tsv" >>"$OUT/suites.tsv"
	[ ! -s "$4/splats.tsv" ] || sed 's/^/    splat: /' "$4/splats.tsv" >&2
}

# The series on the bot's branch, one commit per patch.
note "applying the series to $base"
if ! "$PROJECT/scripts/apply-series.sh" "$SRC" "$BOT_BRANCH" >"$OUT/commits" 2>"$OUT/apply.err"; then
	cat "$OUT/apply.err" >&2
	record series apply fail 0 "$(tail -n1 "$OUT/apply.err")"
	"$PROJECT/scripts/summary.py" "$OUT"
	exit 1
fi
mapfile -t patches < <(cut -d' ' -f1 "$OUT/commits")
mapfile -t commits < <(cut -d' ' -f2 "$OUT/commits")
total=${#patches[@]}
record series apply pass 0 "$total patches apply to $(sed -n 's/^version=//p' "$TREE_DIR/base.info")"
# The series' format: its cover letter, the count of patches.
rc=0
detail=$("$PROJECT/scripts/check-series.sh" 2>&1) || rc=$?
record series series-format "$([ "$rc" -eq 0 ] && echo pass || echo fail)" 0 "$(tail -n1 <<<"$detail")"

# The guest kernel of the end-to-end test, built from the tip at the lowest
# priority while the patches are checked: it takes the cycles the
# single-threaded checks leave idle.  The test itself runs after the last
# patch (its build step is then up to date); killed with the bot.
tipkey=$(cat "$SERIES_DIR/patches/${patches[-1]}" <(git -C "$SRC" rev-parse "${commits[-1]}^{tree}") |
	sha1sum | cut -c1-16)-$tooling
e2e_pid=
if [ "${NO_CACHE:-0}" = 1 ] || [ ! -f "$CACHE/results/$tipkey-e2e/rc" ]; then
	mkdir -p "$OUT/tip"
	# setsid makes a session (a process group to kill), and with autogroup
	# scheduling a session is a group of its own that gets an equal share
	# of the CPUs whatever the nice of its tasks: the group's own nice
	# keeps it to idle cycles (measured: arm64's base build took 244 s
	# beside it with only the tasks' nice, 120 s alone).
	# shellcheck disable=SC2016
	E2E_BUILD_ONLY=1 setsid bash -c 'echo 19 >/proc/self/autogroup 2>/dev/null || true
		exec nice -n 19 "$@"' e2e-build "$PROJECT/scripts/e2e.sh" "${commits[-1]}" "$OUT/tip/e2e-build" \
		>"$OUT/tip/e2e-build.log" 2>&1 &
	e2e_pid=$!
	trap '[ -z "$e2e_pid" ] || kill -- "-$e2e_pid" 2>/dev/null || true' EXIT
fi

# Baselines on the base: warnings and splats the series is not to blame for.
git -C "$SRC" checkout -q --detach "$base"
bkey=$(git -C "$SRC" rev-parse "$base^{tree}" | cut -c1-16)-$tooling
for arch in "${ARCHES[@]}"; do
	run_cached "$bkey-$arch" "$OUT/base/build-$arch" \
		"$PROJECT/scripts/build.sh" "$arch" "$SRC" "$OUT/base/build-$arch" baseline
	record_run base "build:$arch" "$OUT/base/build-$arch"
	# The baselines build.sh compares with, also when the run was cached.
	for f in warnings:baseline aliases:aliases objects:objects; do
		rm -f "$BUILD/$arch-allmod.${f#*:}"
		cp "$OUT/base/build-$arch/${f%:*}" "$BUILD/$arch-allmod.${f#*:}" 2>/dev/null || true
	done
done
for cfg in $(configs tip); do
	run_cached "$bkey-kunit-$cfg" "$OUT/base/kunit-$cfg" \
		"$PROJECT/scripts/kunit-run.sh" "$cfg" "$SRC" "$OUT/base/kunit-$cfg" baseline
	record_run base "kunit:$cfg" "$OUT/base/kunit-$cfg"
	rm -f "$BUILD/kunit-$cfg.baseline"
	cp "$OUT/base/kunit-$cfg/baseline-splats" "$BUILD/kunit-$cfg.baseline" 2>/dev/null || true
done

prev=$base
for i in "${!patches[@]}"; do
	p=${patches[$i]} c=${commits[$i]} n=$((i + 1))
	d=$OUT/$(printf '%02d' "$n")
	note "[$n/$total] $p (at $SECONDS s)"
	git -C "$SRC" checkout -q --detach "$c"
	key=$(cat "$SERIES_DIR/patches/$p" <(git -C "$SRC" rev-parse "$c^{tree}") |
		sha1sum | cut -c1-16)-$tooling
	run_cached "$key-static" "$d/static" "$PROJECT/scripts/check-patch.sh" \
		"$SERIES_DIR/patches/$p" "$n" "$total" "$prev" "$c" "$SRC"
	while IFS=$'\t' read -r check status detail; do
		record "$p" "$check" "$status" 0 "$detail"
	done <"$d/static/stdout"
	[ -s "$d/static/stdout" ] || record_run "$p" static "$d/static"
	git -C "$SRC" diff --name-only "$prev" "$c" >"$d/files"
	for arch in "${ARCHES[@]}"; do
		if ! build_wanted "$arch" "$d/files" "$n"; then
			# Not run, so not recorded: the table shows "-".
			note "build:$arch not run: the patch changes nothing only $arch compiles"
			continue
		fi
		run_cached "$key-$arch" "$d/build-$arch" "$PROJECT/scripts/build.sh" "$arch" "$SRC" "$d/build-$arch"
		record_run "$p" "build:$arch" "$d/build-$arch"
	done
	objects_check "$p" "$d"
	for cfg in $(configs patch); do
		if ! kunit_wanted "$cfg" "$d/files" "$n"; then
			note "kunit:$cfg not run: the patch changes no file of its kernel"
			continue
		fi
		kunit "$cfg" "$p" "$key" "$d/kunit-$cfg" "$([ "$n" -eq "$total" ] && echo 1 || echo 0)"
	done
	prev=$c
done
# Coccinelle on the .c files the series adds or changes, at the tip against
# the base (check-cocci.sh): once, not per patch (the cold CI budget: 8-17 s
# a patch, 233 s for 22, against one run); a report names its file and line.
note "at the tip (at $SECONDS s)"
run_cached "$key-cocci" "$OUT/tip/cocci" env COCCI_OUT="$OUT/tip/cocci" \
	"$PROJECT/scripts/check-cocci.sh" "$base" "${commits[-1]}" "$SRC"
if [ -s "$OUT/tip/cocci/stdout" ]; then
	IFS=$'\t' read -r check status detail <"$OUT/tip/cocci/stdout"
	record "${patches[-1]}" "$check" "$status" "$(cat "$OUT/tip/cocci/seconds")" "$detail"
else
	record_run "${patches[-1]}" cocci "$OUT/tip/cocci"
fi
# kunit/uml.kunitconfig is drivers/vfio/.kunitconfig for the tooling, and
# the other configs run the same tests.
if git -C "$SRC" cat-file -e HEAD:drivers/vfio/.kunitconfig 2>/dev/null; then
	git -C "$SRC" show HEAD:drivers/vfio/.kunitconfig | grep '^CONFIG_' | sort >"$OUT/intree.kunitconfig"
	bad=
	for f in "$PROJECT"/kunit/*.kunitconfig; do
		grep '^CONFIG_' "$f" | sort >"$OUT/cfg.options"
		if [ "${f##*/}" = uml.kunitconfig ]; then
			cmp -s "$OUT/intree.kunitconfig" "$OUT/cfg.options" || bad+=" ${f##*/} (differs)"
		elif [ -n "$(comm -23 "$OUT/intree.kunitconfig" "$OUT/cfg.options")" ]; then
			bad+=" ${f##*/} (lacks $(comm -23 "$OUT/intree.kunitconfig" "$OUT/cfg.options" | paste -sd' '))"
		fi
	done
	if [ -z "$bad" ]; then
		record "${patches[-1]}" kunitconfig pass 0 "kunit/ runs what drivers/vfio/.kunitconfig enables"
	else
		record "${patches[-1]}" kunitconfig fail 0 "out of step with drivers/vfio/.kunitconfig:$bad"
	fi
fi
# The Cc: stable fixes on the LTS branch (check-stable.sh): one check each.
stkey=$({ grep -liE '^Cc: *(<)?stable@vger\.kernel\.org' "$SERIES_DIR"/patches/*.patch | xargs -r cat
	cat "$SERIES_DIR"/stable-*/* 2>/dev/null || true; } | sha1sum | cut -c1-16)-$tooling
run_cached "$stkey-stable" "$OUT/stable" "$PROJECT/scripts/check-stable.sh" "$OUT/stable/work"
while IFS=$'\t' read -r p s d; do record "$p" stable "$s" 0 "$d"; done <"$OUT/stable/stdout"
[ -s "$OUT/stable/stdout" ] || record_run "${patches[-1]}" stable "$OUT/stable"
# The VFIO selftests build at the tip when the series touches include/ or
# tools/ (the uapi and the selftests' own sources).
if grep -qE '^(include|tools)/' <<<"$(git -C "$SRC" diff --name-only "$base" "${commits[-1]}")"; then
	run_cached "$key-selftests" "$OUT/tip/selftests" "$PROJECT/scripts/build-selftests.sh" \
		"$SRC" "$OUT/tip/selftests"
	record_run "${patches[-1]}" selftests "$OUT/tip/selftests"
else
	note "selftests not built: the series touches nothing in include/ or tools/"
fi
run_cached "$key-maintainers" "$OUT/tip/maintainers" "$PROJECT/scripts/check-maintainers.sh" "$SRC"
record_run "${patches[-1]}" maintainers "$OUT/tip/maintainers"
# Ready to send: recipients, the mails (out/mail) round trip, the cover letter.
skey=$({ cat "$SERIES_DIR"/{series,cover-letter.txt,.b4-config,.b4-cover-template} "$SERIES_DIR"/patches/* 2>/dev/null || true; } | sha1sum | cut -c1-16)-$key
run_cached "$skey-recipients" "$OUT/tip/recipients" "$PROJECT/scripts/check-recipients.sh"
record_run "${patches[-1]}" recipients "$OUT/tip/recipients"
for c in roundtrip cover-letter; do
	run_cached "$skey-$c" "$OUT/tip/$c" "$PROJECT/scripts/check-$c.sh" "$OUT/mail"
	record_run "${patches[-1]}" "$c" "$OUT/tip/$c"
done
for cfg in $(comm -13 <(configs patch) <(configs tip)); do
	kunit "$cfg" "${patches[-1]}" "$key" "$OUT/tip/kunit-$cfg" 1
done
# The end-to-end test in a QEMU guest (scripts/e2e.sh): one check per case.
# Its kernel's build first (a failure there shows again in the test).
note "the end-to-end test (at $SECONDS s)"
[ -z "$e2e_pid" ] || wait "$e2e_pid" || true
e2e_pid=
note "its kernel built (at $SECONDS s)"
run_cached "$key-e2e" "$OUT/tip/e2e" "$PROJECT/scripts/e2e.sh" "${commits[-1]}" "$OUT/tip/e2e"
[ -s "$OUT/tip/e2e/cases.tsv" ] || record_run "${patches[-1]}" e2e "$OUT/tip/e2e"
while IFS=$'\t' read -r c s d; do record "${patches[-1]}" "e2e:$c" "$s" 0 "$d"; done < <(cat "$OUT/tip/e2e/cases.tsv" 2>/dev/null)
note "done (at $SECONDS s)"
"$PROJECT/scripts/summary.py" "$OUT"
