#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-recipients.sh
#
# Every address get_maintainer.pl names for the series (scripts/recipients.sh)
# is in the To or Cc of .b4-config (compared case-insensitively, after
# .mailmap as get_maintainer.pl prints them), a maintainer in To.  Exits 1
# with one line naming the missing addresses.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 0 ] || die "usage: ${0##*/}"
config=$SERIES_DIR/.b4-config
[ -f "$config" ] || die "no $config"
list=$(mktemp)
trap 'rm -f "$list"' EXIT
"$PROJECT/scripts/recipients.sh" >"$list"
"$PROJECT/scripts/send-checks.py" recipients-check "$config" "$list" || exit 1
