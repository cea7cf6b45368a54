#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The scripts' own tests, on small fixtures and the base tree: bad input is
# rejected with a one-line error, the gate fails on known-bad patches, and
# export round trips are byte-stable.  Prints "ok - NAME" or "not ok - NAME"
# per test and exits 1 if any failed.

# The test helpers run through t(), which shellcheck cannot follow.
# shellcheck disable=SC2317
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

S=$PROJECT/scripts
FX=$S/tests/fixtures
tmp=$(mktemp -d)
wt=$tmp/wt
cleanup()
{
	git -C "$SRC" worktree remove -f "$wt" >/dev/null 2>&1 || true
	git -C "$SRC" worktree remove -f "$tmp/dev" >/dev/null 2>&1 || true
	git -C "$SRC" worktree remove -f "$tmp/sendwt" >/dev/null 2>&1 || true
	git -C "$SRC" branch -q -D "b4/vfio-kunit-$(realpath -m "$tmp/sendwt" | sha1sum | cut -c1-8)" >/dev/null 2>&1 || true
	git -C "$SRC" branch -q -D vfio-series/selftest-$$ >/dev/null 2>&1 || true
	git -C "$SRC" branch -q -D "$DEV_BRANCH-selftest-$$" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
failed=0

# t NAME CMD...: CMD must succeed.
t()
{
	local name=$1 t0=$SECONDS
	shift
	if "$@" >"$tmp/out" 2>&1; then
		echo "ok - $name"
	else
		echo "not ok - $name"
		sed 's/^/#   /' "$tmp/out" | tail -n 5
		failed=1
	fi
	printf '%s\t%s\n' "$((SECONDS - t0))" "$name" >>"$tmp/times"
}

# fails_with PATTERN CMD...: CMD exits non-zero with a message matching
# PATTERN on its last line of stderr.
fails_with()
{
	local pat=$1 rc=0
	shift
	"$@" >/dev/null 2>"$tmp/err" || rc=$?
	[ "$rc" -ne 0 ] || { echo "exited 0"; return 1; }
	grep -qE -- "$pat" "$tmp/err" || { echo "no '$pat' in:"; cat "$tmp/err"; return 1; }
}

# A series directory holding the given fixture patches, in that order.
fixture_series()
{
	local dir=$tmp/series-$1 p
	shift
	rm -rf "$dir"
	mkdir -p "$dir/patches"
	for p in "$@"; do
		cp "$FX/$p" "$dir/patches/"
		echo "$p" >>"$dir/series"
	done
	echo "$dir"
}

# check_fixture PATCH N TOTAL CHECK STATUS: apply PATCH on the base in the
# scratch worktree and expect CHECK to report STATUS.
# The tree is FX_TREE (default: the scratch worktree).
check_fixture()
{
	local out rc=0 tree=${FX_TREE:-$wt}

	git -C "$tree" checkout -q -f --detach "$BASE_BRANCH"
	git -C "$tree" am -q "$1" >/dev/null
	out=$("$S/check-patch.sh" "$1" "$2" "$3" HEAD~ HEAD "$tree" 2>/dev/null) || rc=$?
	grep -qP "^$4\t$5\t" <<<"$out" || { echo "$out"; return 1; }
	if [ "$5" = fail ]; then [ "$rc" -ne 0 ]; else true; fi
}

# check_fails PATTERN CMD...: CMD, a check, exits 1 with one line on stdout
# that matches PATTERN.
check_fails()
{
	local pat=$1 rc=0
	shift
	"$@" >"$tmp/cout" 2>"$tmp/cerr" || rc=$?
	if [ "$rc" -ne 1 ] || [ "$(wc -l <"$tmp/cout")" -ne 1 ] || ! grep -qE -- "$pat" "$tmp/cout"; then
		echo "exited $rc, not 1 with one line matching '$pat':"
		cat "$tmp/cout" "$tmp/cerr"
		return 1
	fi
}

sed_patch()
{
	sed "$1" "$FX/good.patch" >"$tmp/$2"
	echo "$tmp/$2"
}

"$S/fetch-base.sh" >/dev/null 2>&1
git -C "$SRC" worktree prune
git -C "$SRC" worktree add -q --detach "$wt" "$BASE_BRANCH"

t "shellcheck is clean" shellcheck -x "$S"/*.sh "$S"/tests/*.sh "$PROJECT/.ci/run"
t "python scripts compile" python3 -m py_compile "$S"/*.py "$S"/e2e/*.py

# The quilt.
d=$(fixture_series missing good.patch)
echo nosuch.patch >>"$d/series"
t "a patch missing from patches/ is named" \
	fails_with '^lint-series.sh: error: missing patch: .*nosuch.patch' env SERIES_DIR="$d" "$S/lint-series.sh"
d=$(fixture_series extra good.patch)
cp "$FX/conflict.patch" "$d/patches/"
t "a patch not in series is named" \
	fails_with 'patch not in series: patches/conflict.patch' env SERIES_DIR="$d" "$S/lint-series.sh"
d=$(fixture_series malformed malformed.patch)
t "a malformed patch is rejected" \
	fails_with 'malformed patch: malformed.patch has no diff' env SERIES_DIR="$d" "$S/lint-series.sh"
d=$(fixture_series conflict good.patch conflict.patch)
t "a conflicting patch is reported with its files" \
	fails_with 'patch does not apply: conflict.patch \(conflicts in: drivers/vfio/vfio_main.c\)' \
	env SERIES_DIR="$d" "$S/apply-series.sh" "$wt" "vfio-series/selftest-$$"
d=$(fixture_series good good.patch)
t "a good series applies, one commit per patch" \
	env SERIES_DIR="$d" "$S/apply-series.sh" "$wt" "vfio-series/selftest-$$"

# The per-patch gate.
t "a clean patch passes checkpatch" check_fixture "$FX/good.patch" 1 1 checkpatch pass
t "a clean patch passes kernel-doc" check_fixture "$FX/good.patch" 1 1 kernel-doc pass
t "a checkpatch error fails the patch" \
	check_fixture "$FX/checkpatch-error.patch" 1 1 checkpatch fail
t "a new kernel-doc warning fails the patch" \
	check_fixture "$FX/kerneldoc-warning.patch" 1 1 kernel-doc fail
printf 'checkpatch-error.patch OPEN_BRACE fixture: an exception with a reason\n' >"$tmp/exc"
export CHECKPATCH_EXCEPTIONS=$tmp/exc
t "an exception with a reason excuses a checkpatch message" \
	check_fixture "$FX/checkpatch-error.patch" 1 1 checkpatch pass
printf 'checkpatch-error.patch OPEN_BRACE\n' >"$tmp/exc"
t "an exception without a reason is refused" \
	check_fixture "$FX/checkpatch-error.patch" 1 1 checkpatch fail
unset CHECKPATCH_EXCEPTIONS
t "[PATCH n/N] must match the place in series" check_fixture "$FX/good.patch" 2 3 subject fail
t "a missing author Signed-off-by fails" check_fixture \
	"$(sed_patch 's/^Signed-off-by: .*/Signed-off-by: Some One <one@example.org>/' nosob.patch)" \
	1 1 signoff fail
t "a malformed Fixes: tag fails" check_fixture \
	"$(sed_patch 's/^Signed-off-by: /Fixes: 0bfc6a4e (vfio: Split)\n&/' badfixes.patch)" \
	1 1 fixes fail
t "a well-formed Fixes: tag passes" check_fixture \
	"$(sed_patch 's/^Signed-off-by: /Fixes: 0bfc6a4ea63c ("vfio: Split creation of a vfio_device into init and register ops")\n&/' fixes.patch)" \
	1 1 fixes pass
t "a new inline in a .c file fails" check_fixture "$FX/inline.patch" 1 1 inline fail
t "a Fixes: tag above a blank line among the trailers fails" check_fixture \
	"$(sed_patch 's/^Signed-off-by: /Fixes: 0bfc6a4ea63c ("vfio: Split creation of a vfio_device into init and register ops")\n\n&/' fixes-blank.patch)" \
	1 1 fixes fail
t "a new static function without inline in a header fails" \
	check_fixture "$FX/header-inline.patch" 1 1 header-inline fail
t "a new static inline function in a header passes" check_fixture \
	"$(sed 's/^+static bool vfio_device_demo_opened/+static inline bool vfio_device_demo_opened/' "$FX/header-inline.patch" >"$tmp/hinl.patch"; echo "$tmp/hinl.patch")" \
	1 1 header-inline pass
t "a new module parameter is a warning, not a failure" \
	check_fixture "$FX/module-param.patch" 1 1 module-param warning

# Fixes: looked up where the base has history: a clone of the base with a
# commit on it (the Debian base is one commit).
hist=$tmp/hist
git clone -q --shared --no-checkout "$SRC" "$hist"
git -C "$hist" checkout -q -B "$BASE_BRANCH" "origin/$BASE_BRANCH"
git -C "$hist" -c user.name=T -c user.email=t@example.org commit -q --allow-empty -m "vfio: Introduce the bug"
bug=$(git -C "$hist" rev-parse HEAD)
side=$(git -C "$hist" -c user.name=T -c user.email=t@example.org commit-tree "$bug^{tree}" -p "$bug~" -m "vfio: Elsewhere")
fixes_patch()
{
	sed_patch "s/^Signed-off-by: /Fixes: $1 (\"$2\")\n&/" "fixes-$3.patch"
}
FX_TREE=$hist
t "with history: a Fixes: tag naming an ancestor with its subject passes" \
	check_fixture "$(fixes_patch "${bug:0:12}" "vfio: Introduce the bug" ok)" 1 1 fixes pass
t "with history: a Fixes: tag with another subject fails" \
	check_fixture "$(fixes_patch "${bug:0:12}" "vfio: Something else" subj)" 1 1 fixes fail
t "with history: a Fixes: tag naming no commit fails" \
	check_fixture "$(fixes_patch 0123456789ab "vfio: Introduce the bug" none)" 1 1 fixes fail
t "with history: a Fixes: tag naming a commit that is not an ancestor fails" \
	check_fixture "$(fixes_patch "${side:0:12}" "vfio: Elsewhere" side)" 1 1 fixes fail
unset FX_TREE

# Coccinelle: a new report fails, a clean patch passes.
cocci_fixture()
{
	git -C "$wt" checkout -q -f --detach "$BASE_BRANCH"
	git -C "$wt" am -q "$1" >/dev/null
	"$S/check-cocci.sh" HEAD~ HEAD "$wt"
}
t "a new Coccinelle report fails" \
	check_fails '^cocci	fail	1 new report\(s\): drivers/vfio/vfio_main\.c: WARNING: Use ARRAY_SIZE' \
	cocci_fixture "$FX/cocci.patch"
t "a patch without Coccinelle reports passes" cocci_fixture "$FX/good.patch"
t "a report of the parent that the patch moves is not new (line numbers in its message)" \
	cocci_fixture "$FX/cocci-moved.patch"

# The series' format: a cover letter for more than one patch.
d=$(fixture_series nocover good.patch mdev-typo.patch)
t "a series without a cover letter fails" \
	check_fails '^2 patches and no cover letter' env SERIES_DIR="$d" "$S/check-series.sh"
cp "$FX/send/cover-letter.txt" "$d/"
t "a series with a cover letter passes, its patches counted" \
	bash -c "SERIES_DIR='$d' '$S/check-series.sh' | grep -q '^2 patches, cover letter'"

# The builds other than x86_64 (build.sh), each against the base's warnings
# (recorded first where no bot run did): i386 (gcc, sparse) and clang.  In
# the bot's own tree, left at the base: a build directory follows one source
# tree, and another one would have the bot rebuild it all.
build_fixture()
{
	local rc=0

	git -C "$SRC" checkout -q -f --detach "$BASE_BRANCH"
	[ -f "$BUILD/$1-allmod.baseline" ] || "$S/build.sh" "$1" "$SRC" "$tmp/build-base-$1" baseline >/dev/null
	git -C "$SRC" am -q "$2" >/dev/null
	"$S/build.sh" "$1" "$SRC" "$tmp/build-$1" || rc=$?
	git -C "$SRC" checkout -q -f --detach "$BASE_BRANCH"
	return "$rc"
}
# allmodconfig sets CONFIG_WERROR: a new warning is a failed build.
t "i386: a warning only 32 bits give fails the build check" \
	check_fails '^i386: build failed: .*drivers/vfio/vfio_main\.c:[0-9:]+ error: left shift count >= width of type' \
	build_fixture i386 "$FX/i386-warning.patch"
t "clang: a warning only clang's W=1 gives fails the build check" \
	check_fails '^clang: build failed: .*drivers/vfio/vfio_main\.c:[0-9:]+ error: result of comparison of constant 300' \
	build_fixture clang "$FX/clang-warning.patch"

# The VFIO selftests build (build-selftests.sh), out of the tree.
selftests_fixture()
{
	git -C "$wt" checkout -q -f --detach "$BASE_BRANCH"
	git -C "$wt" am -q "$1" >/dev/null
	"$S/build-selftests.sh" "$wt" "$tmp/selftests"
}
t "the VFIO selftests build at the base, and the tree stays clean" selftests_fixture "$FX/good.patch"
t "a patch that breaks the VFIO selftests build fails" \
	check_fails "^the VFIO selftests do not build: vfio_pci_device_test\\.c:[0-9:]+ error: unused variable 'unused'" \
	selftests_fixture "$FX/selftests-error.patch"

# Splats and KUnit results.
t "a splat of the base is not counted, a new one is" \
	bash -c "! '$S/splats.py' '$FX/splat.log' --baseline '$FX/splat.baseline' \
		--expected /dev/null >'$tmp/splats' && grep -q 'new	vfio_demo.case_b	WARNING:' '$tmp/splats' && \
		! grep -q virt-pci '$tmp/splats'"
t "a WARNING in v7.3's format has the signature of the old format" \
	bash -c "'$S/splats.py' '$FX/splat.log' >'$tmp/sig.old' && '$S/splats.py' '$FX/splat-v7.log' >'$tmp/sig.new' && \
		cmp -s '$tmp/sig.old' '$tmp/sig.new' && \
		grep -qx 'WARNING: at drivers/vfio/vfio_main.c vfio_demo_thing' '$tmp/sig.new' && \
		! '$S/splats.py' '$FX/splat-v7.log' --baseline '$FX/splat.baseline' --expected /dev/null | grep -q virt-pci"
printf 'vfio_demo.case_b\tWARNING: .*vfio_demo\tfixture: declared by case_b\n' >"$tmp/expected"
t "a splat declared by its test case is accepted" \
	"$S/splats.py" "$FX/splat.log" --baseline "$FX/splat.baseline" --expected "$tmp/expected"
t "KUnit JSON: a failed case fails, counts per suite" \
	bash -c "! '$S/kunit-table.py' '$FX/results.json' >'$tmp/tbl' && \
		grep -qP '^vfio_demo\t2\t1\t1\t0$' '$tmp/tbl'"

# Developing the series: import, export, round trip.
if [ -s "$PROJECT/series" ]; then
	dev_env=(env VFIO_SERIES_DEV="$tmp/dev" SERIES_DIR="$tmp/rt"
		 VFIO_SERIES_DEV_BRANCH="$DEV_BRANCH-selftest-$$")
	mkdir -p "$tmp/rt"
	cp -r "$PROJECT/patches" "$PROJECT/series" "$tmp/rt/"
	t "import turns patches/ into a branch" "${dev_env[@]}" "$S/series-import.sh"
	rm -f "$tmp/rt"/patches/*
	t "export writes patches/ and series" "${dev_env[@]}" "$S/series-export.sh"
	t "the export round trip is byte-stable" \
		diff -r "$PROJECT/patches" "$tmp/rt/patches"
	t "series is exported in order" cmp "$PROJECT/series" "$tmp/rt/series"
	t "exporting an unchanged branch changes nothing" "${dev_env[@]}" "$S/series-export.sh" --check
	n=$(wc -l <"$PROJECT/series")
	t "send.sh writes a cover letter and $n patch mails, sends nothing" bash -c \
		"SKIP_BOT=1 VFIO_SERIES_OUT='$tmp/send' '$S/send.sh' >/dev/null 2>&1 && \
		 [ \"\$(ls '$tmp/send/mail' | wc -l)\" -eq $((n + 1)) ] && \
		 sed -n '/^Subject: /{N;s/\n[[:space:]]\+/ /;P;q}' '$tmp'/send/mail/0000-* | \
		 grep -qF '[PATCH $(printf '%0*d' "${#n}" 0)/$n] $(head -n1 "$PROJECT/cover-letter.txt")'"
	# Debian's .gitignore ignores the top level: an untracked file counts.
	touch "$tmp/dev/drivers/vfio/new-file.c"
	t "export refuses a dirty worktree" \
		fails_with 'dirty worktree' "${dev_env[@]}" "$S/series-export.sh"
	t "import refuses a dirty worktree" \
		fails_with 'dirty worktree' "${dev_env[@]}" "$S/series-import.sh"
fi

# Ready to send: recipients, the mails' round trip, the cover letter, on a
# fixture series of two patches (b4 makes no cover letter for one).
sd=$(fixture_series send good.patch mdev-typo.patch)
cp "$FX/send/cover-letter.txt" "$sd/"
cp "$FX/send/b4-config" "$sd/.b4-config"
cp "$PROJECT/.b4-cover-template" "$sd/"
sx=(env SERIES_DIR="$sd" VFIO_SERIES_TIP="$wt" VFIO_SERIES_TIP_BRANCH="vfio-series/selftest-$$")
t "recipients.sh: maintainers To, lists Cc" bash -c \
	"$(printf '%q ' "${sx[@]}") '$S/recipients.sh' >'$tmp/rcpt' && \
	 grep -qx 'To: Kirti Wankhede <kwankhede@nvidia.com>' '$tmp/rcpt' && \
	 grep -qx 'Cc: kvm@vger.kernel.org' '$tmp/rcpt' && ! grep -q '^To: .*@vger' '$tmp/rcpt'"
t "recipients.sh --write fills .b4-config, with its extra Cc, and it passes" bash -c \
	"$(printf '%q ' "${sx[@]}") '$S/recipients.sh' --write >/dev/null 2>&1 && \
	 git config -f '$sd/.b4-config' b4.send-series-cc | grep -q 'kvm@vger.kernel.org,.*fixture-extra@example.org' && \
	 $(printf '%q ' "${sx[@]}") '$S/check-recipients.sh'"
cp "$sd/.b4-config" "$tmp/b4-config.good"
git config -f "$sd/.b4-config" b4.send-series-cc "LINUX-KERNEL@vger.kernel.org, KVM@VGER.kernel.org"
t "recipients compare case-insensitively" "${sx[@]}" "$S/check-recipients.sh"
git config -f "$sd/.b4-config" b4.send-series-cc "linux-kernel@vger.kernel.org"
t "a missing recipient fails, named" \
	check_fails '^missing from \.b4-config: kvm@vger\.kernel\.org \(Cc\)$' "${sx[@]}" "$S/check-recipients.sh"
cp "$tmp/b4-config.good" "$sd/.b4-config"
t "cover-diffstat.sh adds the shortlog and diffstat" bash -c \
	"$(printf '%q ' "${sx[@]}") '$S/cover-diffstat.sh' 2>/dev/null && \
	 grep -q '^ 2 files changed, 7 insertions(+), 1 deletion(-)$' '$sd/cover-letter.txt' && \
	 $(printf '%q ' "${sx[@]}") '$S/cover-diffstat.sh' --check"
t "send.sh writes the mails with SKIP_BOT=1" \
	"${sx[@]}" SKIP_BOT=1 MAIL_DIR="$tmp/mail" "$S/send.sh"
t "the mails round trip to the quilt's tree" "${sx[@]}" "$S/check-roundtrip.sh" "$tmp/mail"
t "the cover letter states its base (v7.3) and the series' diffstat" \
	"${sx[@]}" "$S/check-cover-letter.sh" "$tmp/mail"
cp -r "$tmp/mail" "$tmp/mail-swapped"
(cd "$tmp/mail-swapped" && mv 0001-* a && mv 0002-* 0001-b.eml && mv a 0002-a.eml)
t "mails out of order fail" \
	check_fails '^0001-b\.eml: subject is not \[PATCH 1/2\]' "${sx[@]}" "$S/check-roundtrip.sh" "$tmp/mail-swapped"
cp -r "$tmp/mail" "$tmp/mail-debian"
sed -i "s/^Base: .*/base-commit: $(git -C "$SRC" rev-parse "$BASE_BRANCH")/" "$tmp"/mail-debian/0000-*
t "a cover letter naming the Debian tree's commit as base-commit fails" \
	check_fails 'names "base-commit: [0-9a-f]{40}", but the base has no established mainline commit id' \
	"${sx[@]}" "$S/check-cover-letter.sh" "$tmp/mail-debian"
cp -r "$tmp/mail" "$tmp/mail-nobase"
sed -i '/^Base: /d' "$tmp"/mail-nobase/0000-*
t "a cover letter that does not state its base fails" \
	check_fails 'does not state its base as "Base: v7\.3, as Debian' \
	"${sx[@]}" "$S/check-cover-letter.sh" "$tmp/mail-nobase"
# The series changes after the mails were written: a line more.
sed -i -e 's/^@@ -134,6 +134,12 @@/@@ -134,6 +134,13 @@/' \
	-e 's/^+ \* Return: the number.*/&\n+ * Context: any./' "$sd/patches/good.patch"
t "a changed patch breaks the round trip" \
	check_fails 'another tree than the quilt.*: differs in drivers/vfio/vfio_main\.c$' \
	"${sx[@]}" "$S/check-roundtrip.sh" "$tmp/mail"
t "a stale diffstat fails" \
	check_fails 'stale diffstat .*"2 files changed, 7 insertions.*the series "2 files changed, 8 insertions' \
	"${sx[@]}" "$S/check-cover-letter.sh" "$tmp/mail"
t "cover-diffstat.sh --check finds it stale" \
	check_fails '^stale shortlog and diffstat' "${sx[@]}" "$S/cover-diffstat.sh" --check

# Sending under a real identity: the fixture series by the placeholder is
# refused, adopt.sh adopts it under another identity (patches/ untouched),
# and the adopted mails round trip.  In a send worktree of the test's own.
pd=$(fixture_series placeholder good.patch mdev-typo.patch)
sed -i "s/A U Thor <author@example.org>/$PLACEHOLDER_ID/" "$pd"/patches/*.patch
cp "$FX/send/cover-letter.txt" "$pd/"
cp "$tmp/b4-config.good" "$pd/.b4-config"
cp "$PROJECT/.b4-cover-template" "$pd/"
(cd "$pd/patches" && sha1sum ./*) >"$tmp/placeholder.sums"
printf '[user]\n\tname = Ada Sender\n\temail = ada@sender.example.org\n[sendemail]\n\tsmtpServer = /bin/false\n' >"$tmp/ada.gitconfig"
seed_email=${PLACEHOLDER_ID##*<}
printf '[user]\n\tname = %s\n\temail = %s\n' "${PLACEHOLDER_ID% <*}" "${seed_email%>}" >"$tmp/seed.gitconfig"
px=(env SERIES_DIR="$pd" VFIO_SERIES_SEND="$tmp/sendwt" VFIO_SERIES_TIP="$wt"
    VFIO_SERIES_TIP_BRANCH="vfio-series/selftest-$$" SKIP_BOT=1)
t "send.sh writes the mails of a series by the placeholder" "${px[@]}" MAIL_DIR="$tmp/pmail" "$S/send.sh"
t "send.sh refuses to send a series by the placeholder, naming adopt.sh" \
	fails_with 'patch 1 \(vfio: Document vfio_device_set_open_count\(\)\): author and Signed-off-by\): run scripts/adopt.sh' \
	"${px[@]}" GIT_CONFIG_GLOBAL="$tmp/ada.gitconfig" "$S/send.sh" --dry-run --no-sign
t "send.sh refuses to send as the placeholder" fails_with "sender's git identity is the placeholder" \
	"${px[@]}" GIT_CONFIG_GLOBAL="$tmp/seed.gitconfig" "$S/send.sh" --dry-run --no-sign
t "adopt.sh refuses the placeholder as the sender" fails_with '^adopt.sh: error: .* is the placeholder' \
	"${px[@]}" GIT_CONFIG_GLOBAL="$tmp/seed.gitconfig" "$S/adopt.sh"
t "adopt.sh adopts the series under the sender's identity, patches/ untouched" bash -c \
	"$(printf '%q ' "${px[@]}") GIT_CONFIG_GLOBAL='$tmp/ada.gitconfig' '$S/adopt.sh' >/dev/null &&
	 [ \"\$(git -C '$tmp/sendwt' log --format='%an <%ae>' $BASE_BRANCH..HEAD | sort -u)\" = 'Ada Sender <ada@sender.example.org>' ] &&
	 [ \"\$(git -C '$tmp/sendwt' log --format=%B $BASE_BRANCH..HEAD | grep -c '^Signed-off-by: Ada Sender <ada@sender.example.org>$')\" = 2 ] &&
	 ! git -C '$tmp/sendwt' log --format=%B $BASE_BRANCH..HEAD | grep -q 'h-seed-' &&
	 (cd '$pd/patches' && sha1sum -c --quiet '$tmp/placeholder.sums')"
t "the adopted mails round trip to the quilt's tree" \
	"${px[@]}" GIT_CONFIG_GLOBAL="$tmp/ada.gitconfig" "$S/check-roundtrip.sh" "$tmp/amail"
t "the adopted mails are from the sender, with the sender's Signed-off-by" bash -c \
	"grep -qx 'From: Ada Sender <ada@sender.example.org>' '$tmp'/amail/0001-* &&
	 grep -qx 'Signed-off-by: Ada Sender <ada@sender.example.org>' '$tmp'/amail/0001-* &&
	 ! grep -q 'h-seed-' '$tmp'/amail/0001-* '$tmp'/amail/0002-*"
t "send.sh --dry-run sends the adopted series" bash -c \
	"$(printf '%q ' "${px[@]}") GIT_CONFIG_GLOBAL='$tmp/ada.gitconfig' '$S/send.sh' --dry-run --no-sign 2>&1 |
	 grep -q 'Would have sent 3 messages'"
t "adopt.sh --drop forgets the adoption" bash -c \
	"$(printf '%q ' "${px[@]}") '$S/adopt.sh' --drop >/dev/null && [ ! -e '$tmp/sendwt.adopted' ]"

# The base tree and bad input: nothing outside the given cache is written.
t "LINUX_TREE that is not a kernel tree is refused" fails_with 'is not a kernel tree' \
	env VFIO_SERIES_CACHE="$tmp/c1" LINUX_TREE="$tmp" "$S/fetch-base.sh"
head=$(git -C "$SRC" rev-parse HEAD)
t "LINUX_TREE is used through a clone, not modified" bash -c \
	"VFIO_SERIES_CACHE='$tmp/c2' LINUX_TREE='$SRC' '$S/fetch-base.sh' >'$tmp/lt' && \
	 [ \"\$(git -C '$SRC' rev-parse HEAD)\" = '$head' ] && \
	 [ \"\$(cat '$tmp/lt')\" = '$head' ] && ls '$tmp'/c2/trees/ext-*/src/.git >/dev/null"
t "the pinned package version is the default" \
	bash -c "[ \"\$('$S/fetch-base.sh' --version 2>/dev/null)\" = '$BASE_PKG_VERSION' ]"
t "a pinned version gone from the archive falls back with a notice" \
	bash -c "APT_UPDATE=0 BASE_PKG_VERSION=7.3.0-0 '$S/fetch-base.sh' --version 2>'$tmp/notice' | grep -q '^7\.3\.' && \
		grep -q '^NOTICE: .*7.3.0-0 is gone' '$tmp/notice'"
t "no disk space is refused" fails_with '^fetch-base.sh: error: no disk space' \
	env VFIO_SERIES_CACHE="$tmp/c3" MIN_FREE_GIB=1000000 "$S/fetch-base.sh"
t "an unreachable archive is reported" fails_with '^fetch-base.sh: error: no archive reachable' \
	env VFIO_SERIES_CACHE="$tmp/c4" \
	APT_OPTS="-o Acquire::http::Proxy=http://127.0.0.1:9 -o Acquire::https::Proxy=http://127.0.0.1:9 -o Acquire::Retries=0" \
	"$S/fetch-base.sh"
t "a missing series file is refused" fails_with 'no series file' \
	env SERIES_DIR="$tmp/none" "$S/lint-series.sh"

# rst-check.py: docutils' messages, and the kernel-doc directives it saw.
# shellcheck disable=SC2016 # the backquotes are rst, not a command
printf 'Title\n=====\n\nText with :c:func:`f` and *emph*.\n\n.. kernel-doc:: include/linux/vfio.h\n   :identifiers: vfio_device\n' >"$tmp/good.rst"
printf 'Title\n=====\n\nbroken *emph\n' >"$tmp/bad.rst"
t "rst-check.py: a clean file, Sphinx roles and kernel-doc directives accepted" \
	bash -c "[ -z \"\$(/usr/bin/python3 '$S/rst-check.py' '$tmp/good.rst' '$tmp/kd')\" ] &&
		grep -qx 'include/linux/vfio.h vfio_device' '$tmp/kd'"
t "rst-check.py: a docutils warning is printed" \
	bash -c "/usr/bin/python3 '$S/rst-check.py' '$tmp/bad.rst' '$tmp/kd' | grep -q 'WARNING/2.*emphasis'"

# e2e/scan.py on made-up consoles: a clean run, a splat in a case, a guest
# that stopped in the middle of a case.
cat >"$tmp/console.ok" <<'LOG'
[    1.000000] Linux version 6.12
e2e: begin bind
e2e: ok bind (vfio-pci)
e2e: begin selftests
[    1.600000] e2e-mark: igb:vfio-pci DMA faults expected: begin
[    1.700000] DMAR: DRHD: handling fault status reg 2
[    1.700001] DMAR: [DMA Read NO_PASID] Request device [0000:02:00.0] fault addr 0x80000000 [fault reason 0x06] PTE Read access is not set
[    1.800000] e2e-mark: igb:vfio-pci DMA faults expected: end
e2e: ok selftests
e2e: begin kmemleak
[    2.000000] kmemleak: 25 new suspected memory leaks (see /sys/kernel/debug/kmemleak)
e2e: ok kmemleak
e2e: done 3 cases
LOG
sed 's/^e2e: ok bind (vfio-pci)$/[    1.5] WARNING: CPU: 0 PID: 1 at drivers\/vfio\/vfio_main.c:1 f+0x1\/0x2\ne2e: ok bind (vfio-pci)/' \
	"$tmp/console.ok" >"$tmp/console.splat"
head -n 3 "$tmp/console.ok" | sed '$d' >"$tmp/console.cut"
sed 's/0000:02:00.0/0000:00:02.0/' "$tmp/console.ok" >"$tmp/console.dmar"
t "e2e/scan.py: a clean console passes, expected kmemleak reports and DMAR faults allowed and counted" \
	bash -c "python3 '$S/e2e/scan.py' '$tmp/console.ok' '$tmp/cases.ok' >/dev/null &&
		grep -qx \"selftests	pass	2 expected: DMAR faults of igb's unmapped-IOVA cases\" '$tmp/cases.ok'"
t "e2e/scan.py: a DMAR fault of another device fails" \
	bash -c "! python3 '$S/e2e/scan.py' '$tmp/console.dmar' '$tmp/cases.dmar' >/dev/null &&
		grep -q '^selftests	fail	splat: DMAR: \[DMA Read' '$tmp/cases.dmar'"
t "e2e/scan.py: a WARNING fails the case it appears in" \
	bash -c "! python3 '$S/e2e/scan.py' '$tmp/console.splat' '$tmp/cases.splat' >/dev/null &&
		grep -q '^bind	fail' '$tmp/cases.splat'"
t "e2e/scan.py: a guest stopping in a case fails" \
	bash -c "! python3 '$S/e2e/scan.py' '$tmp/console.cut' '$tmp/cases.cut' >/dev/null &&
		grep -q '^guest	fail' '$tmp/cases.cut'"

# The selftests' TAP: a pass, a failure with its reason, an expected skip,
# an unexpected one, a program's exit code 4 (expected) and 1.
cat >"$tmp/console.tap" <<'LOG'
e2e: tap edu:vfio-pci vfio_dma_mapping_test
    tap| TAP version 13
    tap| 1..4
    tap| #  RUN           vfio_dma_mapping_test.iommufd_anonymous.dma_map_unmap ...
    tap| ok 1 vfio_dma_mapping_test.iommufd_anonymous.dma_map_unmap
    tap| # vfio_dma_mapping_test.c:150:dma_map_unmap:Expected 0 (0) == rc (-12)
    tap| #     FAIL  vfio_dma_mapping_test.iommufd_anonymous_hugetlb_2mb.dma_map_unmap
    tap| not ok 2 vfio_dma_mapping_test.iommufd_anonymous_hugetlb_2mb.dma_map_unmap
    tap| ok 3 vfio_pci_irq_test.msix.enable # SKIP MSI-x: not supported
    tap| ok 4 vfio_pci_irq_test.msi.enable # SKIP MSI: not supported
    tap| # FAILED: 1 / 4 tests passed.
    tap| # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:2 error:0
e2e: tap-end edu:vfio-pci vfio_dma_mapping_test 1
e2e: tap edu:vfio-pci vfio_pci_driver_test
    tap| No driver found for device 0000:00:03.0
e2e: tap-end edu:vfio-pci vfio_pci_driver_test 4
e2e: tap net:vfio-pci vfio_pci_driver_test
e2e: tap-end net:vfio-pci vfio_pci_driver_test 4
e2e: done 0 passed, 0 failed
LOG
printf '# comment\nedu:vfio-pci:vfio_pci_irq_test\\.msix\\..*\tedu has no MSI-X\nedu:[^:]*:vfio_pci_driver_test\tno selftests driver for edu\n' >"$tmp/skips"
t "e2e/scan.py: TAP results of the selftests, skips expected or not" \
	bash -c "! python3 '$S/e2e/scan.py' --skips '$tmp/skips' '$tmp/console.tap' '$tmp/cases.tap' >'$tmp/tap.out' &&
		grep -qx 'e2e: 3 passed, 2 skipped, 4 failed (first: st:edu:vfio-pci:vfio_dma_mapping_test: exit 1)' '$tmp/tap.out' &&
		grep -qx 'st:edu:vfio-pci:vfio_dma_mapping_test.iommufd_anonymous.dma_map_unmap	pass	' '$tmp/cases.tap' &&
		grep -qx 'st:edu:vfio-pci:vfio_dma_mapping_test.iommufd_anonymous_hugetlb_2mb.dma_map_unmap	fail	vfio_dma_mapping_test.c:150:dma_map_unmap:Expected 0 (0) == rc (-12)' '$tmp/cases.tap' &&
		grep -qx 'st:edu:vfio-pci:vfio_pci_irq_test.msix.enable	skip	edu has no MSI-X (the test: MSI-x: not supported)' '$tmp/cases.tap' &&
		grep -qx 'st:edu:vfio-pci:vfio_pci_irq_test.msi.enable	fail	unexpected skip: MSI: not supported' '$tmp/cases.tap' &&
		grep -qx 'st:edu:vfio-pci:vfio_pci_driver_test	skip	no selftests driver for edu (the test: No driver found for device 0000:00:03.0)' '$tmp/cases.tap' &&
		grep -qx 'st:net:vfio-pci:vfio_pci_driver_test	fail	unexpected skip: no reason given' '$tmp/cases.tap'"

# igb's DMAR faults are expected in vfio_pci_driver_test's window only;
# an expected WARN must come from the function given with it.
cat >"$tmp/console.window" <<'LOG'
e2e: begin selftests
[    1.1] e2e-mark: igb:vfio-pci DMA faults expected: begin
[    1.2] DMAR: [DMA Read NO_PASID] Request device [0000:02:00.0] fault addr 0x80000000 [fault reason 0x06] PTE Read access is not set
[    1.3] dmar_fault: 5 callbacks suppressed
[    1.4] e2e-mark: igb:vfio-pci DMA faults expected: end
e2e: ok selftests
e2e: begin fail-nth:log
[    2.0] WARNING: fs/proc/generic.c:742 at remove_proc_entry+0x12d/0x25a, CPU#1: vfio-e2e/1026
[    2.1] Call Trace:
[    2.2]  unregister_irq_proc+0xa4/0x20c
[    2.3] ---[ end trace 0000000000000000 ]---
e2e: ok fail-nth:log
e2e: done 2 passed, 0 failed
LOG
sed '/e2e-mark: .* begin$/d' "$tmp/console.window" >"$tmp/console.nowindow"
t "e2e/scan.py: igb's DMAR faults pass inside vfio_pci_driver_test's window, fail outside it" \
	bash -c "python3 '$S/e2e/scan.py' --allow-warn fs/proc/generic.c:742:unregister_irq_proc \
			'$tmp/console.window' '$tmp/cases.window' >/dev/null &&
		grep -q '^selftests	pass	2 expected' '$tmp/cases.window' &&
		! python3 '$S/e2e/scan.py' --allow-warn fs/proc/generic.c:742:unregister_irq_proc \
			'$tmp/console.nowindow' '$tmp/cases.nowindow' >/dev/null &&
		grep -q '^selftests	fail	splat: DMAR' '$tmp/cases.nowindow'"
t "e2e/scan.py: an expected WARN from another function fails" \
	bash -c "! python3 '$S/e2e/scan.py' --allow-warn fs/proc/generic.c:742:free_irq \
			'$tmp/console.window' '$tmp/cases.other' >/dev/null &&
		grep -q '^fail-nth:log	fail	splat: .*remove_proc_entry (not from free_irq)' '$tmp/cases.other'"

# A program that exits 0 short of its TAP plan has lost results.
printf '%s\n' 'e2e: tap igb:vfio-pci vfio_pci_device_test' '    tap| TAP version 13' \
	'    tap| 1..2' '    tap| ok 1 vfio_pci_device_test.a' 'e2e: tap-end igb:vfio-pci vfio_pci_device_test 0 3' \
	'e2e: done 1 passed, 0 failed' >"$tmp/console.short"
t "e2e/scan.py: a program that exits 0 short of its TAP plan fails" \
	bash -c "! python3 '$S/e2e/scan.py' '$tmp/console.short' '$tmp/cases.short' >/dev/null &&
		grep -qx 'st:igb:vfio-pci:vfio_pci_device_test	fail	exit 0, but 1 result(s) for a plan of 2' '$tmp/cases.short' &&
		grep -qx 'st:igb:vfio-pci:vfio_pci_device_test.a	pass	' '$tmp/cases.short'"

# The series' KUnit suites in the guest: cases "kunit:SUITE.CASE", their
# skips against expected-skips like the selftests'.
printf '%s\n' 'e2e: begin kunit' 'e2e: tap kunit vfio' '    tap| 1..3' \
	'    tap| ok 1 vfio_alloc.vfio_alloc_test_minimal' \
	'    tap| ok 1 vfio_fault.vfio_fault_test_alloc # SKIP fail-nth would count failslab' \
	'    tap| not ok 1 vfio_group.vfio_group_test_shared' 'e2e: tap-end kunit vfio 1 4' \
	'e2e: FAIL kunit a KUnit case failed' 'e2e: done 0 passed, 1 failed' >"$tmp/console.kunit"
printf 'kunit:vfio_fault\\..*\tfailslab built in\n' >"$tmp/kskips"
t "e2e/scan.py: KUnit cases in the guest are kunit:SUITE.CASE, their skips expected or not" \
	bash -c "! python3 '$S/e2e/scan.py' --skips '$tmp/kskips' '$tmp/console.kunit' '$tmp/cases.kunit' >/dev/null &&
		grep -qx 'kunit:vfio_alloc.vfio_alloc_test_minimal	pass	' '$tmp/cases.kunit' &&
		grep -qx 'kunit:vfio_fault.vfio_fault_test_alloc	skip	failslab built in (the test: fail-nth would count failslab)' '$tmp/cases.kunit' &&
		grep -qx 'kunit:vfio_group.vfio_group_test_shared	fail	not ok' '$tmp/cases.kunit' &&
		grep -qx 'kunit:vfio	fail	exit 1' '$tmp/cases.kunit'"

# summary.py: a skip is counted apart, neither passed nor failed.
mkdir -p "$tmp/sum"
printf '%s\t%s\t%s\t%s\t%s\n' p1 build pass 30 '' p1 e2e:a skip 0 'no MSI' \
	p1 e2e:b fail 0 'splat' p2 build warning 12 'new warning' >"$tmp/sum/checks.tsv"
: >"$tmp/sum/suites.tsv"
t "summary.py: pass, warning, skip and fail counted apart; a skip neither passes nor fails" \
	bash -c "! python3 '$S/summary.py' '$tmp/sum' >'$tmp/sum/out' &&
		grep -qx 'bot: 1 checks passed, 1 warning(s), 1 skipped, 1 failed' '$tmp/sum/out' &&
		grep -qx 'SKIP p1: e2e:a: no MSI' '$tmp/sum/out' &&
		grep -qx 'p1   .  X' '$tmp/sum/out' &&
		grep -qx '     30 s  p1: build' '$tmp/sum/out' &&
		python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))
assert (s[\"checks\"], s[\"passed\"], s[\"skipped\"], s[\"failed\"]) == (4, 1, 1, 1)' '$tmp/sum/summary.json'"

# What the self tests cost: the total and the slowest.
echo "# $(wc -l <"$tmp/times") tests in $SECONDS s; the slowest:"
sort -rn "$tmp/times" | head -n 5 | sed 's/^\([0-9]*\)\t/#   \1 s  /'
exit "$failed"
