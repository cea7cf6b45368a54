#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-stable.sh OUTDIR
#
# The patches of the series tagged "Cc: stable@vger.kernel.org", checked on
# the LTS branch they are meant for (BASE=stable: the 6.12 LTS as Debian's
# linux-source-6.12): each applies, in series order, on top of the ones
# before it, and drivers/vfio/ builds with W=1 (build.sh x86_64: no new
# warning against the LTS base, aliases unchanged).  Where a patch does not
# apply, the project carries its backport in stable-6.12/, listed in
# stable-6.12/series under the name of the mainline patch it backports, and
# that is checked instead.
# Prints "PATCH<TAB>pass|fail<TAB>detail" per patch; exits 1 if one failed.
set -euo pipefail
export BASE=stable
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: ${0##*/} OUTDIR"
outdir=$1
branch=${STABLE_BRANCH:-6.12}
backports=$SERIES_DIR/stable-$branch
mkdir -p "$outdir"
base=$("$PROJECT/scripts/fetch-base.sh" 2>/dev/null) || die "no LTS base: BASE=stable scripts/fetch-base.sh failed"
version=$(sed -n 's/^version=//p' "$TREE_DIR/base.info")

mapfile -t fixes < <(series_patches | while read -r p; do
	! grep -qiE '^Cc: *(<)?stable@vger\.kernel\.org' "$SERIES_DIR/patches/$p" || echo "$p"
done)
[ "${#fixes[@]}" -gt 0 ] || { note "no patch is tagged Cc: stable"; exit 0; }

# backport PATCH: the backport stable-6.12/series lists for PATCH, if any.
backport()
{
	[ -f "$backports/series" ] || return 0
	awk -v p="$1" '$1 == p { print $2 }' "$backports/series" | head -n1
}

# subject PATCH: the summary of PATCH, without its [PATCH ...] prefix.
subject()
{
	sed -n '/^Subject: /{s/^Subject: //;N;s/\n[[:space:]]\+/ /;P;q}' "$1" | sed 's/^\[[^]]*\] //'
}

wt=$TREE_DIR/stable-check
exec 9>"$wt.lock"
flock 9
if [ ! -d "$wt" ]; then
	git -C "$SRC" worktree prune
	git -C "$SRC" worktree add -q --detach "$wt" "$base"
fi
git -C "$wt" am --abort >/dev/null 2>&1 || true
git -C "$wt" checkout -q -f --detach "$base"
git -C "$wt" clean -q -fdx
export GIT_COMMITTER_NAME="vfio-series bot" GIT_COMMITTER_EMAIL="bot@vfio-series.invalid"

"$PROJECT/scripts/build.sh" x86_64 "$wt" "$outdir/base" baseline >/dev/null ||
	die "the LTS base $version does not build: see $outdir/base/build.log"
failed=0
for p in "${fixes[@]}"; do
	bp=$(backport "$p")
	file=$SERIES_DIR/patches/$p what="the mainline patch"
	if [ -n "$bp" ]; then
		[ -f "$backports/$bp" ] || die "stable-$branch/series names $bp, which is not in stable-$branch/"
		file=$backports/$bp what="the backport stable-$branch/$bp"
		if [ "$(subject "$file")" != "$(subject "$SERIES_DIR/patches/$p")" ]; then
			printf '%s\tfail\tstable-%s/%s is not a backport of it: subject "%s"\n' \
				"$p" "$branch" "$bp" "$(subject "$file")"
			failed=1
			break
		fi
	fi
	if ! git -C "$wt" am -q "$file" >"$outdir/am.log" 2>&1; then
		git -C "$wt" am --abort >/dev/null 2>&1 || true
		printf '%s\tfail\t%s does not apply to %s: carry a backport in stable-%s/\n' \
			"$p" "$what" "$version" "$branch"
		failed=1
		break
	fi
	d=$outdir/${p%.patch}
	if out=$("$PROJECT/scripts/build.sh" x86_64 "$wt" "$d" 2>&1); then
		printf '%s\tpass\t%s applies to %s; %s\n' "$p" "$what" "$version" "$(tail -n1 <<<"$out")"
	else
		printf '%s\tfail\t%s on %s: %s\n' "$p" "$what" "$version" "$(tail -n1 <<<"$out")"
		failed=1
	fi
done
exit "$failed"
