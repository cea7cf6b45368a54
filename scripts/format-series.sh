#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# format-series.sh REPO BRANCH OUTDIR
#
# git format-patch the commits BASE..BRANCH of REPO into OUTDIR, plus a series
# file, with options that do not depend on the user's git config, the date or
# the git version: exporting an unchanged branch gives the same bytes.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: ${0##*/} REPO BRANCH OUTDIR"
repo=$1 branch=$2 outdir=$3
n=$(git -C "$repo" rev-list --count "$BASE_BRANCH..$branch") ||
	die "$repo has no branch $branch on top of $BASE_BRANCH"
[ "$n" -gt 0 ] || die "$branch has no commits on top of $BASE_BRANCH"

mkdir -p "$outdir/patches"
git -C "$repo" -c core.abbrev=12 -c diff.renames=true -c diff.algorithm=myers \
	-c diff.noprefix=false -c diff.mnemonicPrefix=false -c diff.relative=false \
	-c format.headers= -c format.coverLetter=false -c format.useAutoBase=false \
	format-patch -q --numbered --zero-commit --no-signature --no-thread \
	--no-to --no-cc --no-add-header --subject-prefix=PATCH --stat=80 \
	-o "$outdir/patches" "$BASE_BRANCH..$branch" >/dev/null
(cd "$outdir/patches" && ls -1 -- *.patch) >"$outdir/series"
