#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# adopt.sh [--drop]
#
# Adopt the series under the sender's git identity (git var GIT_AUTHOR_IDENT
# in the send worktree: user.name and user.email, or GIT_AUTHOR_NAME and
# GIT_AUTHOR_EMAIL), so that scripts/send.sh may send it: the patches are
# written under a placeholder identity, which is not a person and may
# neither send nor sign off.  In the worktree send.sh sends from (the
# branch b4/vfio-kunit, made anew from patches/), each patch by the
# placeholder gets the sender as author (From:, the author date kept) and
# the placeholder's Signed-off-by becomes the sender's; every other trailer
# and every tree stay as they are.  patches/ is not touched.  The adoption
# is recorded with the series' fingerprint: send.sh (and the mails it
# writes, which the round-trip check reads) adopts the series again each
# time, until patches/ or series change.  --drop forgets the adoption.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

case ${1:-} in
--drop)
	rm -f "$ADOPTED"
	echo "no adoption: send.sh sends patches/ as it is"
	exit 0
	;;
'') ;;
*) die "usage: ${0##*/} [--drop]" ;;
esac
need_cmd git flock
[ -d "$SRC/.git" ] || die "no base tree: run scripts/fetch-base.sh"
exec 9>"$SEND_WT.lock"
flock 9
# The identity git would write as author in the send worktree.
ident=$(git -C "$SRC" var GIT_AUTHOR_IDENT 2>/dev/null | sed -E 's/ [0-9]+ [-+][0-9]{4}$//') ||
	die "no git identity: set git config user.name and user.email (yours, not a placeholder)"
[[ $ident =~ ^[^\<\>]*[^\<\>\ ]\ \<[^\<\>@\ ]+@[^\<\>@\ ]+\>$ ]] ||
	die "git identity '$ident' is not 'Name <email>': set git config user.name and user.email"
grep -qE "$PLACEHOLDER_RE" <<<"$ident" &&
	die "git identity '$ident' is the placeholder: set git config user.name and user.email to yours (or GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL)"
printf '%s %s\n' "$(series_fingerprint)" "$ident" >"$ADOPTED.new"
mv "$ADOPTED.new" "$ADOPTED"
send_branch
left=$(placeholder_patches)
[ -z "$left" ] || die "still by the placeholder after the adoption: $(head -n1 <<<"$left")"
n=$(git -C "$SEND_WT" rev-list --count "$BASE_BRANCH..$SEND_BRANCH")
echo "adopted $n patches as $ident on $SEND_BRANCH in $SEND_WT (patches/ unchanged); scripts/send.sh sends them so"
