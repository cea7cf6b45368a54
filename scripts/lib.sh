# SPDX-License-Identifier: GPL-2.0
# Common helpers for the vfio-series scripts.  Sourced, never executed.
# shellcheck shell=bash
# The variables below are the interface for the scripts that source this.
# shellcheck disable=SC2034

export LC_ALL=C
# set -e stops a script silently: say where.
trap 'echo "${0##*/}: error: line $LINENO: \"$BASH_COMMAND\" failed" >&2' ERR
PROJECT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${VFIO_SERIES_CACHE:-$PROJECT/.cache}
# Where the quilt lives: the project by default, a fixture in the self tests.
SERIES_DIR=${SERIES_DIR:-$PROJECT}
OUT=${VFIO_SERIES_OUT:-$PROJECT/out}

# Builds: one job more than CPUs (measured: a cold UML build 20% faster
# with -j3 and ccache's depend mode, which does not run the preprocessor
# on a miss, than with -j2 and ccache's defaults).
JOBS=$(($(nproc) + 1))
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache} CCACHE_DEPEND=1

# The base the series applies to (BASE=mainline, the default), and the LTS
# branch its Cc: stable fixes are checked on (BASE=stable): a linux-source
# package of Debian's archive, the version it was tested on, the suite that
# has it, and where mainline's commit of that release is recorded (empty for
# the LTS, whose Debian tree carries stable updates).
BASE=${BASE:-mainline}
case $BASE in
mainline)
	BASE_PKG=linux-source-7.3
	BASE_PKG_VERSION=${BASE_PKG_VERSION:-7.3.4-1~bpo13+1}
	BASE_SUITE="http://deb.debian.org/debian trixie-backports main"
	;;
stable)
	BASE_PKG=linux-source-6.12
	BASE_PKG_VERSION=${BASE_PKG_VERSION:-6.12.117-1~deb12u1}
	BASE_SUITE="http://deb.debian.org/debian-security bookworm-security main"
	;;
*)
	echo "${0##*/}: error: BASE=$BASE: not mainline or stable" >&2
	exit 1
	;;
esac

die()
{
	echo "${0##*/}: error: $*" >&2
	exit 1
}

note()
{
	echo "${0##*/}: $*" >&2
}

need_cmd()
{
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "'$c' not found: run scripts/install-deps.sh first"
	done
}

# need_space DIR GIB: refuse to start when DIR's file system is short of room.
need_space()
{
	local dir=$1 want=$2 have

	mkdir -p "$dir"
	have=$(df -Pk "$dir" | awk 'NR == 2 { print int($4 / 1048576) }')
	[ "$have" -ge "$want" ] ||
		die "no disk space: $dir has ${have} GiB free, ${want} GiB needed (MIN_FREE_GIB)"
}

# The id of the base tree in use: the Debian package, or LINUX_TREE.  Each
# has its own repository and build directories, so that switching between
# them rebuilds neither.
tree_id()
{
	if [ -n "${LINUX_TREE:-}" ] && [ "$BASE" = mainline ]; then
		echo "ext-$(realpath "$LINUX_TREE" | sha1sum | cut -c1-12)"
	else
		echo "debian-${BASE_PKG#linux-source-}"
	fi
}

TREE_DIR=$CACHE/trees/$(tree_id)
# The project's own repository of the base (a checkout used by the bot) ...
SRC=$TREE_DIR/src
# ... the worktree for developing the series, and the build directories.
DEV=${VFIO_SERIES_DEV:-$TREE_DIR/dev}
BUILD=$TREE_DIR/build
BASE_BRANCH=vfio-series/base
BOT_BRANCH=vfio-series/bot
DEV_BRANCH=${VFIO_SERIES_DEV_BRANCH:-vfio-series/dev}

# The worktree of the checks before sending (recipients, the mails' round
# trip, the cover letter's diffstat) and its branch.
TIP=${VFIO_SERIES_TIP:-$TREE_DIR/tip}
TIP_BRANCH=${VFIO_SERIES_TIP_BRANCH:-vfio-series/tip}

# What the cover letter names as the series' base: mainline's commit id of
# the release where it is established from public records (README: "The
# base"), else the release in words.  v7.3's id is not: the newest mainline
# tag found in public records is v7.3-rc6 (a90ee4305c4a), so the cover
# letter says "Base: v7.3, as Debian's linux-source-7.3 7.3.4-1~bpo13+1".
UPSTREAM_BASE="v7.3, as Debian's linux-source-7.3 7.3.4-1~bpo13+1"

# tip_tree: the series applied in TIP (on TIP_BRANCH), which stays locked
# (fd 9) until the script exits.
tip_tree()
{
	exec 9>"$TIP.lock"
	flock 9
	if [ ! -d "$TIP" ]; then
		git -C "$SRC" worktree prune
		git -C "$SRC" worktree add -q --detach "$TIP" "$BASE_BRANCH"
	fi
	"$PROJECT/scripts/apply-series.sh" "$TIP" "$TIP_BRANCH" >/dev/null 2>"$TIP.err" ||
		die "the series does not apply in $TIP: $(grep -m1 'error:' "$TIP.err" || tail -n1 "$TIP.err")"
}

# series_patches: the patch names in series order, comments and blanks dropped.
series_patches()
{
	[ -f "$SERIES_DIR/series" ] || die "no series file in $SERIES_DIR"
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$SERIES_DIR/series"
}

# is_kernel_tree DIR: the top of a Linux source tree.
is_kernel_tree()
{
	[ -f "$1/Makefile" ] && [ -f "$1/Kbuild" ] && [ -d "$1/drivers/vfio" ] &&
		[ -x "$1/scripts/checkpatch.pl" ]
}

# dirty WORKTREE: anything not committed, ignored files included: Debian's
# .gitignore ignores the whole top level, so plain git status sees nothing.
dirty()
{
	[ -n "$(git -C "$1" status --porcelain --untracked-files=all --ignored=matching)" ]
}

# need_mails MAILDIR: the series' mails in MAILDIR, written offline by
# "SKIP_BOT=1 send.sh" when it holds none.  Prints one line and exits 1
# when send.sh fails.
need_mails()
{
	local err

	[ -z "$(ls -A "$1" 2>/dev/null)" ] || return 0
	err=$(MAIL_DIR=$1 SKIP_BOT=1 "$PROJECT/scripts/send.sh" 2>&1 >/dev/null) || {
		echo "send.sh wrote no mails: $(tail -n1 <<<"$err")"
		exit 1
	}
}

# The placeholder identity the series is written under: not a person, so
# it may not send the series nor sign it off (scripts/adopt.sh).
PLACEHOLDER_ID="Seed 177d3969 maintainers <maintainers@users.noreply.h-seed-177d3969.example>"
PLACEHOLDER_RE='maintainers@users\.noreply\.h-seed-[0-9a-f]+\.example'

# The worktree and branch send.sh sends from, and the record of an adoption
# (scripts/adopt.sh): the series' fingerprint and the sender's identity.
# Another worktree (VFIO_SERIES_SEND) has a branch of its own: a branch is
# shared by the worktrees of the repository.
SEND_WT=${VFIO_SERIES_SEND:-$TREE_DIR/send}
SEND_BRANCH=b4/vfio-kunit
[ -z "${VFIO_SERIES_SEND:-}" ] || SEND_BRANCH=$SEND_BRANCH-$(realpath -m "$SEND_WT" | sha1sum | cut -c1-8)
ADOPTED=$SEND_WT.adopted

# series_fingerprint: what the branch of send.sh is made of.
series_fingerprint()
{
	series_patches | sed "s|^|$SERIES_DIR/patches/|" | xargs cat "$SERIES_DIR/series" | sha1sum | cut -c1-16
}

# send_branch: SEND_BRANCH of SEND_WT made anew from patches/ (b4's old
# state forgotten), then adopted again if scripts/adopt.sh adopted this very
# series.  The caller holds the worktree's lock.
send_branch()
{
	local fp ident

	if [ ! -d "$SEND_WT" ]; then
		git -C "$SRC" worktree prune
		git -C "$SRC" worktree add -q --detach "$SEND_WT" "$BASE_BRANCH"
	fi
	git -C "$SEND_WT" checkout -q -f --detach "$BASE_BRANCH"
	git -C "$SEND_WT" branch -q -D "$SEND_BRANCH" 2>/dev/null || true
	git -C "$SEND_WT" config --remove-section "branch.$SEND_BRANCH" 2>/dev/null || true
	"$PROJECT/scripts/apply-series.sh" "$SEND_WT" "$SEND_BRANCH" >/dev/null
	[ -f "$ADOPTED" ] || return 0
	read -r fp ident <"$ADOPTED"
	if [ "$fp" = "$(series_fingerprint)" ]; then
		adopt_branch "$ident"
	else
		note "the series changed since it was adopted as $ident: run scripts/adopt.sh again"
	fi
}

# adopt_branch "NAME <EMAIL>": rewrite SEND_BRANCH under that identity:
# a commit the placeholder wrote gets it as author (the author date kept),
# the placeholder's Signed-off-by becomes its own (once), every other
# trailer and the trees stay as they are.
adopt_branch()
{
	local ident=$1 new c name email msg

	name=${ident% <*} email=${ident##*<} email=${email%>}
	new=$(git -C "$SEND_WT" rev-parse "$BASE_BRANCH^{commit}")
	for c in $(git -C "$SEND_WT" rev-list --reverse "$BASE_BRANCH..$SEND_BRANCH"); do
		msg=$(git -C "$SEND_WT" log -1 --format=%B "$c" |
			sed -E "s|^Signed-off-by: .*<$PLACEHOLDER_RE>[[:space:]]*$|Signed-off-by: $ident|" |
			awk '!(/^Signed-off-by: / && seen[$0]++)')
		if git -C "$SEND_WT" log -1 --format=%ae "$c" | grep -qxE "$PLACEHOLDER_RE"; then
			set -- "$name" "$email"
		else
			set -- "$(git -C "$SEND_WT" log -1 --format=%an "$c")" "$(git -C "$SEND_WT" log -1 --format=%ae "$c")"
		fi
		new=$(GIT_AUTHOR_NAME=$1 GIT_AUTHOR_EMAIL=$2 \
			GIT_AUTHOR_DATE=$(git -C "$SEND_WT" log -1 --format=%aD "$c") \
			git -C "$SEND_WT" commit-tree "$c^{tree}" -p "$new" <<<"$msg")
	done
	git -C "$SEND_WT" checkout -q -B "$SEND_BRANCH" "$new"
}

# placeholder_patches: one line per patch of SEND_BRANCH whose author or a
# Signed-off-by is the placeholder.
placeholder_patches()
{
	local c n=0 what

	for c in $(git -C "$SEND_WT" rev-list --reverse "$BASE_BRANCH..$SEND_BRANCH"); do
		n=$((n + 1)) what=
		git -C "$SEND_WT" log -1 --format=%ae "$c" | grep -qxE "$PLACEHOLDER_RE" && what="author"
		git -C "$SEND_WT" log -1 --format=%B "$c" | grep -qE "^Signed-off-by: .*<$PLACEHOLDER_RE>" &&
			what="${what:+$what and }Signed-off-by"
		[ -z "$what" ] || echo "patch $n ($(git -C "$SEND_WT" log -1 --format=%s "$c")): $what"
	done
}

# adopted_cover FILE: after an adoption of this series, the shortlog of the
# cover letter FILE names the sender where it named the placeholder.
adopted_cover()
{
	local fp ident

	[ -f "$ADOPTED" ] || return 0
	read -r fp ident <"$ADOPTED"
	[ "$fp" = "$(series_fingerprint)" ] || return 0
	sed -i "s|^${PLACEHOLDER_ID% <*} (\([0-9]*\)):\$|${ident% <*} (\1):|" "$1"
}
