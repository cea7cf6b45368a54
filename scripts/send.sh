#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# send.sh [b4 send options]
#
# Send the series with b4, after the bot passed on it: b4 0.12 runs no
# check of its own (it ignores the check-command keys of .b4-config).
# The series goes on the branch b4/vfio-kunit of a worktree in the cache,
# enrolled with "b4 prep", with cover-letter.txt as its cover letter and the
# project's .b4-config and .b4-cover-template.  Without options the mails are
# written to out/mail/ (MAIL_DIR) and nothing is sent; pass b4 send's own
# options (--dry-run, --reflect, or none of them with SEND=1) to go further.
# SKIP_BOT=1 skips the bot (the bot itself writes the mails so).  Sending
# (SEND=1, --dry-run, --reflect) is refused while a patch's author or a
# Signed-off-by is the placeholder identity: scripts/adopt.sh adopts the
# series under the sender's identity, and send.sh then sends it so.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

need_cmd b4 git flock
[ -s "$SERIES_DIR/cover-letter.txt" ] || die "no cover letter: $SERIES_DIR/cover-letter.txt"
wt=$SEND_WT
mail=$(realpath -m "${MAIL_DIR:-$OUT/mail}")
for f in .b4-config .b4-cover-template; do
	[ -f "$SERIES_DIR/$f" ] || die "no $SERIES_DIR/$f"
done

if [ "${SKIP_BOT:-0}" != 1 ]; then
	"$PROJECT/scripts/bot.sh" >/dev/null ||
		die "the bot fails on the series (see out/summary.txt): not sending"
fi

# One send.sh at a time in the worktree.
exec 9>"$wt.lock"
flock 9
send_branch
# Before b4 prep adds its cover letter commit: the patches only.
bad=$(placeholder_patches)
sender=$(git -C "$wt" var GIT_AUTHOR_IDENT 2>/dev/null | sed -E 's/ [0-9]+ [-+][0-9]{4}$//') || sender=
cp "$SERIES_DIR/.b4-config" "$SERIES_DIR/.b4-cover-template" "$wt/"
cover=$SEND_WT.cover
cp "$SERIES_DIR/cover-letter.txt" "$cover"
adopted_cover "$cover"

cd "$wt"
b4 -q prep -e "$BASE_BRANCH" >/dev/null
# b4 edits the cover letter with $EDITOR FILE: let cp be the editor.
EDITOR="cp $cover" b4 -q prep --edit-cover >/dev/null

if [ $# -eq 0 ]; then
	rm -rf "$mail"
	# Writing mails needs no way of sending them, but b4 refuses its web
	# endpoint unsigned: name an SMTP server for this command only.
	GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=sendemail.smtpServer GIT_CONFIG_VALUE_0=/bin/false \
		b4 send --no-sign -o "$mail"
	note "$(find "$mail" -type f | wc -l) mails in $mail; nothing sent"
elif [[ " $* " == *" -o "* ]]; then
	b4 send "$@"
elif [ "${SEND:-0}" = 1 ] || [[ " $* " == *" --dry-run "* ]] || [[ " $* " == *" --reflect "* ]]; then
	# Sent mail goes out under the sender's name: not the placeholder's.
	! grep -qE "$PLACEHOLDER_RE" <<<"$sender" ||
		die "the sender's git identity is the placeholder ($sender): set git config user.name and user.email to yours, then run scripts/adopt.sh"
	[ -z "$bad" ] || die "$(wc -l <<<"$bad") patch(es) by or signed off by the placeholder identity (first: $(head -n1 <<<"$bad")): run scripts/adopt.sh to adopt the series under your git identity"
	b4 send "$@"
else
	die "refusing to send without SEND=1 (or pass --dry-run, --reflect or -o DIR)"
fi
