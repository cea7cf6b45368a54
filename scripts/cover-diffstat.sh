#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# cover-diffstat.sh [--print | --check]
#
# The shortlog and diffstat of the series, as git format-patch --cover-letter
# prints them between the blurb and the signature (shortlog wrapped at 72,
# "git diff --stat=72 --summary" of base..tip: --stat=72 is format-patch's
# default width for mails, passed explicitly, and no user config counts).
# Written into cover-letter.txt between its marker lines ("# >>> shortlog and
# diffstat" .. "# <<< ...", which b4 does not send), or appended with them,
# after a "---" line, as in b4's own cover letters: b4 0.12 rebuilds the
# text above the first "---" (it looks for trailers in its last paragraph)
# and strips the diffstat's leading space.
# --print prints them; --check changes nothing and exits 1 if they are stale.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

mode="write"
case ${1:-} in
--print) mode=print ;;
--check) mode=check ;;
'') ;;
*) die "usage: ${0##*/} [--print | --check]" ;;
esac
need_cmd git python3 flock
cover=$SERIES_DIR/cover-letter.txt
[ "$mode" = print ] || [ -s "$cover" ] || die "no cover letter: $cover"

tip_tree
section=$(mktemp)
trap 'rm -f "$section" "$section.cover"' EXIT
git -C "$TIP" -c core.abbrev=12 -c diff.renames=true -c diff.algorithm=myers \
	-c diff.noprefix=false -c diff.mnemonicPrefix=false -c diff.relative=false \
	-c diff.statGraphWidth=0 -c format.headers= -c format.useAutoBase=false \
	-c log.showSignature=false format-patch --stdout --cover-letter --stat=72 \
	--no-to --no-cc --no-add-header --signature=vfio-series \
	"$BASE_BRANCH..$TIP_BRANCH" |
	awk '/^\*\*\* BLURB HERE \*\*\*$/ && !n { on = 1; next }
	     on && /^-- $/ { on = 0 }
	     on { l[++n] = $0 }
	     END { b = 1; while (b <= n && l[b] == "") b++
		   while (n >= b && l[n] == "") n--
		   for (i = b; i <= n; i++) print l[i] }' >"$section"
grep -q ' changed' "$section" || die "no diffstat from git format-patch"
case $mode in
print) cat "$section" ;;
check)
	cp "$cover" "$section.cover"
	"$PROJECT/scripts/send-checks.py" splice "$section.cover" "$section"
	cmp -s "$cover" "$section.cover" || {
		echo "stale shortlog and diffstat in $cover: run scripts/cover-diffstat.sh"
		exit 1
	}
	echo "the shortlog and diffstat of $cover are up to date" ;;
write)
	"$PROJECT/scripts/send-checks.py" splice "$cover" "$section"
	note "wrote the shortlog and diffstat of $cover" ;;
esac
