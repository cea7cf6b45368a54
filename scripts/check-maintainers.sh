#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-maintainers.sh TREE
#
# After the last patch, checked out in TREE: the lines the series adds to
# MAINTAINERS, each under its entry's name, are exactly those of
# MAINTAINERS.fragment, and get_maintainer.pl names a maintainer for every
# file the series adds.  Exits 1 on the first problem, with its line.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: ${0##*/} TREE"
tree=$1
frag=$SERIES_DIR/MAINTAINERS.fragment
[ -f "$frag" ] || die "no $frag"

# What the series adds to MAINTAINERS, each added line under the name of
# its entry (the line after a blank line), against the fragment.
git -C "$tree" diff -U0 "$BASE_BRANCH" HEAD -- MAINTAINERS |
	sed -n 's/^@@ -[0-9,]* +\([0-9]*\)\(,\([0-9]*\)\)\{0,1\} @@.*/\1 \3/p' |
	awk -v file="$tree/MAINTAINERS" '
		BEGIN { prev = "" }
		FILENAME != file { first = $1; n = ($2 == "" ? 1 : $2)
			for (i = first; i < first + n; i++) want[i] = 1; next }
		prev == "" { entry = $0 }
		FNR in want && $0 != "" { if (entry != last) { if (last != "") print ""; print entry; last = entry }
			if ($0 != entry) print }
		{ prev = $0 }' - "$tree/MAINTAINERS" >"${TMPDIR:-/tmp}/maintainers.added.$$"
trap 'rm -f "${TMPDIR:-/tmp}/maintainers.added.$$"' EXIT
if ! diff -u <(grep -v '^#' "$frag" | cat -s | sed '/./,$!d') \
	"${TMPDIR:-/tmp}/maintainers.added.$$" >"${TMPDIR:-/tmp}/maintainers.diff.$$"; then
	echo "MAINTAINERS.fragment does not mirror the series' MAINTAINERS changes: $(grep -m1 '^[-+][^-+]' "${TMPDIR:-/tmp}/maintainers.diff.$$")"
	rm -f "${TMPDIR:-/tmp}/maintainers.diff.$$"
	exit 1
fi
rm -f "${TMPDIR:-/tmp}/maintainers.diff.$$"

added=$(git -C "$tree" diff --name-only --diff-filter=A "$BASE_BRANCH" HEAD)
for f in $added; do
	# Its output whole: piped to grep -q under pipefail, a write after
	# grep quit would fail the check at random.
	who=$(cd "$tree" && ./scripts/get_maintainer.pl --nogit --nogit-fallback --nol \
		--noroles -f "$f" 2>/dev/null) || true
	[ -n "$who" ] || {
		echo "no maintainer for $f"
		exit 1
	}
done
echo "MAINTAINERS.fragment mirrors the series' MAINTAINERS changes; $(wc -w <<<"$added") added file(s) have a maintainer"
