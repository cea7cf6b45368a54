#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-series.sh
#
# The series' format, as NIPA's series checks see it: a series of more than
# one patch has a cover letter (cover-letter.txt, its first line the
# subject, then a blank line and a body), and the count of patches is
# reported.  Prints one line; exits 1 when the cover letter is missing or
# malformed.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 0 ] || die "usage: ${0##*/}"
n=$(series_patches | wc -l)
[ "$n" -gt 0 ] || { echo "series is empty"; exit 1; }
cover=$SERIES_DIR/cover-letter.txt
if [ ! -s "$cover" ]; then
	[ "$n" -eq 1 ] && { echo "1 patch, no cover letter needed"; exit 0; }
	echo "$n patches and no cover letter ($cover)"
	exit 1
fi
subj=$(head -n1 "$cover")
if [ -z "$subj" ] || [ -n "$(sed -n 2p "$cover")" ] || ! grep -qv '^[[:space:]]*$' <(sed '1,2d; /^#/d' "$cover"); then
	echo "cover-letter.txt: not a subject line, a blank line and a body"
	exit 1
fi
echo "$n patches, cover letter \"$subj\""
