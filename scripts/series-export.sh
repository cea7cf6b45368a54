#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# series-export.sh [--check]
#
# Export the branch vfio-series/dev of the dev worktree back to patches/ and
# series.  With --check, change nothing and exit 1 if the export would.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

check=0
case ${1:-} in
--check) check=1 ;;
'') ;;
*) die "usage: ${0##*/} [--check]" ;;
esac
[ -d "$DEV" ] || die "no dev worktree: run scripts/series-import.sh first"
! dirty "$DEV" ||
	die "dirty worktree: commit or stash the changes in $DEV first"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PROJECT/scripts/format-series.sh" "$DEV" "$DEV_BRANCH" "$tmp"
mkdir -p "$SERIES_DIR/patches"
if diff -r -q "$tmp/patches" "$SERIES_DIR/patches" >/dev/null 2>&1 &&
   cmp -s "$tmp/series" "$SERIES_DIR/series"; then
	note "patches/ and series are up to date"
	exit 0
fi
[ "$check" -eq 0 ] || die "patches/ differs from $DEV_BRANCH"
rm -f "$SERIES_DIR"/patches/*.patch
cp "$tmp"/patches/*.patch "$SERIES_DIR/patches/"
cp "$tmp/series" "$SERIES_DIR/series"
note "exported $(wc -l <"$SERIES_DIR/series") patches to $SERIES_DIR/patches"
