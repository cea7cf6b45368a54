#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# recipients.sh [--write]
#
# Who the series is to go to: the tree's get_maintainer.pl over the patches,
# run in a worktree of its own with the series applied (the tip's
# MAINTAINERS, with the entries the series adds).  Prints "To: ADDR" for the
# maintainers and "Cc: ADDR" for the reviewers and lists, as get_maintainer.pl
# prints them (after .mailmap): b4's auto-to/cc commands, the To one without
# the reviewers so that they are Cc'd.  Debian's tree has no history:
# --nogit --nogit-fallback, and --nofixes (the authors of the commits that
# Fixes: tags name cannot be looked up).
#
# With --write, regenerate the recipient lines of .b4-config from that, plus
# the extra-to/extra-cc addresses of its [vfio-series] section.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

need_cmd git perl python3 flock
write=0
case ${1:-} in
--write) write=1 ;;
'') ;;
*) die "usage: ${0##*/} [--write]" ;;
esac
config=$SERIES_DIR/.b4-config
[ "$write" -eq 0 ] || [ -f "$config" ] || die "no $config"

gm="scripts/get_maintainer.pl --nogit --nogit-fallback --nogit-chief-penguins --norolestats"
to_opts="--nol --nor" cc_opts="--nom"
tip_tree
# No history before the series: nothing to find the Fixes: commits in.
fixes=
git -C "$TIP" rev-parse -q --verify "$BASE_BRANCH~1" >/dev/null || fixes=--nofixes
mapfile -t pf < <(series_patches | sed "s|^|$SERIES_DIR/patches/|")
list=$(mktemp)
trap 'rm -f "$list"' EXIT
for role in To Cc; do
	opts=$to_opts
	[ "$role" = To ] || opts=$cc_opts
	# shellcheck disable=SC2086 # the options are words
	(cd "$TIP" && ./$gm $opts $fixes "${pf[@]}") >"$list.$role" ||
		die "get_maintainer.pl failed in $TIP"
	sed "s/^/$role: /" "$list.$role" >>"$list"
	rm -f "$list.$role"
done
[ -s "$list" ] || die "get_maintainer.pl names nobody for the series"
if [ "$write" -eq 1 ]; then
	"$PROJECT/scripts/send-checks.py" recipients-write "$config" "$list" \
		"$gm $to_opts" "$gm $cc_opts"
	note "wrote the recipients of $config"
fi
cat "$list"
