#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-cover-letter.sh [MAILDIR]
#
# The cover letter scripts/send.sh writes (the first mail of MAILDIR,
# default: a temporary one written with "SKIP_BOT=1 scripts/send.sh" when it
# holds no mail) names its base as lib.sh's UPSTREAM_BASE says (a
# "base-commit:" line for a mainline commit id, else "Base: <in words>" and
# no base-commit line) and holds the
# shortlog and diffstat of the series as scripts/cover-diffstat.sh --print
# makes them (git format-patch --cover-letter's, --stat=72), and no other
# diffstat.  The prose is not looked at.  Exits 1 with one line on a failure.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -le 1 ] || die "usage: ${0##*/} [MAILDIR]"
need_cmd git python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
maildir=${1:-$tmp/mail}
need_mails "$maildir"
"$PROJECT/scripts/cover-diffstat.sh" --print >"$tmp/section"
# An adopted series (scripts/adopt.sh) is by the sender.
adopted_cover "$tmp/section"
"$PROJECT/scripts/send-checks.py" cover "$maildir" "$tmp/section" "$UPSTREAM_BASE" || exit 1
