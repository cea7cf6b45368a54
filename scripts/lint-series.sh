#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The quilt's own consistency: every patch in series exists and is a
# well-formed mail with a diff, and every file in patches/ is in series.
# Prints one line per problem and exits 1 when there is any.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

bad=0
problem()
{
	echo "${0##*/}: error: $*" >&2
	bad=1
}

mapfile -t listed < <(series_patches)
[ "${#listed[@]}" -gt 0 ] || die "series in $SERIES_DIR lists no patches"
for p in "${listed[@]}"; do
	f=$SERIES_DIR/patches/$p
	if [ ! -f "$f" ]; then
		problem "missing patch: series lists $p, patches/$p does not exist"
	elif ! grep -q '^From: ' "$f" || ! grep -q '^Subject: ' "$f"; then
		problem "malformed patch: $p has no From:/Subject: mail header"
	elif ! grep -q '^diff --git a/' "$f" || ! grep -q '^+++ ' "$f"; then
		problem "malformed patch: $p has no diff"
	fi
done
if [ "$(printf '%s\n' "${listed[@]}" | sort | uniq -d)" ]; then
	problem "series lists a patch twice: $(printf '%s\n' "${listed[@]}" | sort | uniq -d | head -n1)"
fi
for f in "$SERIES_DIR"/patches/*; do
	[ -e "$f" ] || continue
	printf '%s\n' "${listed[@]}" | grep -qxF "${f##*/}" ||
		problem "patch not in series: patches/${f##*/}"
done
exit "$bad"
