#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-maintainers.sh TREE
#
# After the last patch, checked out in TREE: every "F:" line of
# MAINTAINERS.fragment is in the tip's MAINTAINERS, in the entry the
# fragment puts it in, and get_maintainer.pl names a maintainer for every
# file the series adds.  Exits 1 on the first problem, with its line.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: ${0##*/} TREE"
tree=$1
frag=$SERIES_DIR/MAINTAINERS.fragment
[ -f "$frag" ] || die "no $frag"

entry=
while IFS= read -r line; do
	case $line in
	''|'#'*) continue ;;
	F:*)
		[ -n "$entry" ] || die "$frag: '$line' outside an entry"
		# The entry runs from its name to the next blank line.
		awk -v e="$entry" -v l="$line" '
			$0 == e { inside = 1; next }
			inside && /^$/ { exit }
			inside && $0 == l { found = 1; exit }
			END { exit !found }' "$tree/MAINTAINERS" || {
			echo "MAINTAINERS lacks '$line' in $entry"
			exit 1
		} ;;
	*) entry=$line ;;
	esac
done <"$frag"

added=$(git -C "$tree" diff --name-only --diff-filter=A "$BASE_BRANCH" HEAD)
for f in $added; do
	(cd "$tree" && ./scripts/get_maintainer.pl --nogit --nogit-fallback --nol \
		--noroles -f "$f" 2>/dev/null) | grep -q . || {
		echo "no maintainer for $f"
		exit 1
	}
done
echo "MAINTAINERS.fragment is in MAINTAINERS; $(wc -w <<<"$added") added file(s) have a maintainer"
