#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# apply-series.sh WORKTREE BRANCH
#
# Point BRANCH of WORKTREE (a checkout of the project's base repository) at
# the base and git am the patches in series order.  Prints "PATCH COMMIT" per
# patch.  A patch that does not apply fails the run with its name and the
# files that conflict.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: ${0##*/} WORKTREE BRANCH"
wt=$1 branch=$2
git -C "$wt" rev-parse -q --verify "$BASE_BRANCH^{commit}" >/dev/null ||
	die "$wt has no $BASE_BRANCH: run scripts/fetch-base.sh"
"$PROJECT/scripts/lint-series.sh"

# A committer identity that does not depend on the machine's git config.
export GIT_COMMITTER_NAME="vfio-series bot" GIT_COMMITTER_EMAIL="bot@vfio-series.invalid"

git -C "$wt" am --abort >/dev/null 2>&1 || true
git -C "$wt" checkout -q -f -B "$branch" "$BASE_BRANCH"
git -C "$wt" clean -q -fdx
log=$(mktemp)
trap 'rm -f "$log"' EXIT
while IFS= read -r p; do
	if ! git -C "$wt" am -q "$SERIES_DIR/patches/$p" >"$log" 2>&1; then
		files=$(sed -nE 's/^error: patch failed: (.*):[0-9]+$/\1/p; s/^error: (.*): does not exist in index$/\1/p; s/^error: (.*): already exists in index$/\1/p' "$log" |
			sort -u | paste -sd' ')
		git -C "$wt" am --abort >/dev/null 2>&1 || true
		die "patch does not apply: $p${files:+ (conflicts in: $files)}"
	fi
	echo "$p $(git -C "$wt" rev-parse HEAD)"
done < <(series_patches)
