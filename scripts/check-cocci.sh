#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-cocci.sh BEFORE AFTER TREE
#
# The kernel's Coccinelle checks ("make coccicheck MODE=report", every
# semantic patch of TREE's scripts/coccinelle/) on the .c files that the
# commit AFTER adds or changes against BEFORE; TREE is a checkout of AFTER
# (its scripts/ are used, nothing in it is written).  Each version of the
# files is copied out (git show) to a directory of its own, with the same
# paths, and checked there as an external module directory (M=), so that
# only those files are checked, with the same rules and include paths.  A
# report the parent's version of the file does not have (compared without
# line numbers, in its location and in its message) fails; when AFTER's
# files have no report at all, BEFORE is not checked.  Prints
# "cocci<TAB>pass|fail<TAB>detail" and exits 1 on a new report; the
# reports are left in COCCI_OUT when it is set.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: ${0##*/} BEFORE AFTER TREE"
before=$1 after=$2 tree=$3
is_kernel_tree "$tree" || die "$tree is not a kernel tree"
need_cmd spatch make
for r in "$before" "$after"; do
	git -C "$tree" rev-parse -q --verify "$r^{commit}" >/dev/null || die "no commit '$r' in $tree"
done
# Some semantic patches have OCaml scripts: spatch needs a compiler for them.
need_cmd ocamlfind ocamlopt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mapfile -t files < <(git -C "$tree" diff --name-only --diff-filter=AM "$before" "$after" -- '*.c')
if [ "${#files[@]}" -eq 0 ]; then
	printf 'cocci\tpass\tno .c file changed\n'
	exit 0
fi

# report REV DIR: the reports on REV's versions of the files, without
# line and column numbers, "path: message".
report()
{
	local f n=0

	mkdir -p "$2/m" "$2/o"
	for f in "${files[@]}"; do
		mkdir -p "$2/m/${f%/*}"
		if git -C "$tree" show "$1:$f" >"$2/m/$f" 2>/dev/null; then
			n=$((n + 1))
		else
			rm -f "$2/m/$f"
		fi
	done
	[ "$n" -gt 0 ] || { : >"$2/reports"; return 0; }
	# The semantic patches and include paths of TREE, for both versions.
	# O= keeps the generated files out of TREE.
	# Debian's python3 for spatch's Python rules: another on PATH (pyenv's
	# shims) costs a start of its own for each of the 70 rules.
	PATH=/usr/bin:$PATH make -s -C "$tree" O="$2/o" coccicheck MODE=report J="$JOBS" M="$2/m" \
		SPATCH=spatch >"$2/log" 2>&1 || {
		echo "cocci	fail	coccicheck failed: $(grep -m1 -iE 'error|failed' "$2/log" || tail -n1 "$2/log")"
		exit 1
	}
	# Line numbers also in the message ("... of the iterator on line 221"):
	# a line added above a report of the parent must not make it new.
	grep -E '^\./[^:]+:[0-9]+:[0-9]+(-[0-9]+)?: ' "$2/log" |
		sed -E -e 's/^\.\/([^:]+):[0-9]+:[0-9]+(-[0-9]+)?: /\1: /' \
		    -e 's/([Ll]ines? )[0-9]+([-,][0-9]+)*/\1N/g' -e 's/:[0-9]+(:[0-9]+)?/:N/g' |
		sort >"$2/reports" || true
}

report "$after" "$tmp/b"
if [ -s "$tmp/b/reports" ]; then
	report "$before" "$tmp/a"
	comm -13 "$tmp/a/reports" "$tmp/b/reports" >"$tmp/new"
else
	: >"$tmp/new"
fi
if [ -n "${COCCI_OUT:-}" ]; then
	mkdir -p "$COCCI_OUT"
	cp "$tmp/b/reports" "$COCCI_OUT/reports"
	cp "$tmp/new" "$COCCI_OUT/new-reports"
fi
if [ -s "$tmp/new" ]; then
	printf 'cocci\tfail\t%s new report(s): %s\n' "$(wc -l <"$tmp/new")" "$(head -n1 "$tmp/new" | cut -c1-160)"
	sed 's/^/  /' "$tmp/new" >&2
	exit 1
fi
printf 'cocci\tpass\t%s file(s), %s report(s), none new\n' "${#files[@]}" "$(wc -l <"$tmp/b/reports")"
