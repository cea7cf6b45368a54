#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-roundtrip.sh [MAILDIR]
#
# The mails scripts/send.sh writes are the series: in name order the cover
# letter is [PATCH 0/N] and the patches [PATCH 1/N] .. [PATCH N/N] (counters
# zero-padded or not, and other prefixes such as v2 or RFC allowed) with the
# subjects of series, N its length (the order b4 am and a maintainer
# follow), and git am of the patch mails on a fresh checkout of the base
# gives the tree (git rev-parse HEAD^{tree}) of the quilt applied with
# apply-series.sh.  MAILDIR (default: a temporary one) is written with
# "SKIP_BOT=1 scripts/send.sh" when it holds no mail.  Exits 1 with one line
# on a failure.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -le 1 ] || die "usage: ${0##*/} [MAILDIR]"
need_cmd git python3 flock
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
maildir=${1:-$tmp/mail}
need_mails "$maildir"
mapfile -t pf < <(series_patches | sed "s|^|$SERIES_DIR/patches/|")
n=${#pf[@]}
mails=$("$PROJECT/scripts/send-checks.py" order "$maildir" "${pf[@]}") || {
	echo "$mails"
	exit 1
}
mapfile -t mails <<<"$mails"

tip_tree
want=$(git -C "$TIP" rev-parse "$TIP_BRANCH^{tree}")
export GIT_COMMITTER_NAME="vfio-series bot" GIT_COMMITTER_EMAIL="bot@vfio-series.invalid"
git -C "$TIP" checkout -q -f --detach "$BASE_BRANCH"
git -C "$TIP" clean -q -fdx
for m in "${mails[@]}"; do
	git -C "$TIP" am -q "$m" >"$tmp/am.log" 2>&1 || {
		git -C "$TIP" am --abort >/dev/null 2>&1 || true
		echo "${m##*/} does not apply with git am: $(grep -m1 -E '^(error|fatal|Patch failed)' "$tmp/am.log" || tail -n1 "$tmp/am.log")"
		exit 1
	}
done
got=$(git -C "$TIP" rev-parse "HEAD^{tree}")
if [ "$got" != "$want" ]; then
	echo "the mails give another tree than the quilt (${got:0:12}, not ${want:0:12}): differs in $(git -C "$TIP" diff --name-only "$TIP_BRANCH" HEAD | paste -sd' ')"
	exit 1
fi
# b4 pads the counters to the width of N, as git format-patch does.
echo "[PATCH $(printf "%0${#n}d" 0)/$n] .. [PATCH $n/$n] in order; git am of the $n patch mails gives the quilt's tree ${want:0:12}"
