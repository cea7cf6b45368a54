#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Turn patches/ into the branch vfio-series/dev of a worktree in the project's
# cache (.cache/trees/*/dev), to edit with git rebase -i.  Refuses to throw
# away uncommitted or unexported work there unless FORCE=1.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

"$PROJECT/scripts/fetch-base.sh" >/dev/null
if [ -d "$DEV" ]; then
	! dirty "$DEV" ||
		die "dirty worktree: $DEV has uncommitted changes"
	if [ "${FORCE:-0}" != 1 ] &&
	   ! "$PROJECT/scripts/series-export.sh" --check >/dev/null 2>&1; then
		die "$DEV holds commits not exported to patches/: run scripts/series-export.sh, or FORCE=1"
	fi
else
	git -C "$SRC" worktree prune
	git -C "$SRC" worktree add -q --detach "$DEV" "$BASE_BRANCH"
fi
"$PROJECT/scripts/apply-series.sh" "$DEV" "$DEV_BRANCH" >/dev/null
note "$(git -C "$DEV" rev-list --count "$BASE_BRANCH..$DEV_BRANCH") patches on $DEV_BRANCH in $DEV"
