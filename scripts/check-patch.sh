#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-patch.sh PATCH N TOTAL BEFORE AFTER TREE
#
# The per-patch checks of the kernel's patch bots on one patch file, which is
# number N of TOTAL and turns commit BEFORE into AFTER; TREE is a checkout of
# AFTER.  Prints one line per check, "check<TAB>pass|warning|fail<TAB>detail",
# and exits 1 when any check failed (a warning is reported, not a failure).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 6 ] || die "usage: ${0##*/} PATCH N TOTAL BEFORE AFTER TREE"
patch=$1 n=$2 total=$3 before=$4 after=$5 tree=$6
name=${patch##*/}
[ -f "$patch" ] || die "missing patch: $patch"
is_kernel_tree "$tree" || die "$tree is not a kernel tree"
EXCEPTIONS=${CHECKPATCH_EXCEPTIONS:-$PROJECT/scripts/checkpatch-exceptions}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

result()
{
	printf '%s\t%s\t%s\n' "$1" "$2" "$3"
	[ "$2" != fail ] || failed=1
}

codespell_dict()
{
	dpkg -L codespell 2>/dev/null | grep -m1 '/codespell_lib/data/dictionary\.txt$' ||
		die "codespell's dictionary not found: install codespell"
}

# checkpatch, once per patch: given several files it can exit 0 after a
# clean first one.  Every message counts unless the exceptions file lists
# its type for this patch, with a reason.
check_checkpatch()
{
	local left bad

	bad=$(awk '!/^[[:space:]]*(#|$)/ && NF < 3 { print FILENAME ":" FNR ": " $0; exit }' \
		"$EXCEPTIONS" 2>/dev/null || true)
	if [ -n "$bad" ]; then
		result checkpatch fail "exception without a reason: $bad"
		return
	fi
	# Debian's python3 first: spdxcheck.py needs its python3-ply and
	# python3-git, which another python3 on PATH may lack.
	(cd "$tree" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict --codespell \
		--codespellfile="$(codespell_dict)" --show-types --terse --no-summary \
		"$patch") >"$tmp/cp" 2>&1 || true
	grep -E '^[^:]+:[0-9]+: (ERROR|WARNING|CHECK):|^[^:]+: (ERROR|WARNING|CHECK):' \
		"$tmp/cp" >"$tmp/cp.msgs" || true
	# checkpatch reports problems it hit itself (e.g. a missing dictionary).
	if grep -qvE '^[^:]+:[0-9]+: |^[^:]+: (ERROR|WARNING|CHECK):' "$tmp/cp"; then
		result checkpatch fail "checkpatch.pl: $(grep -m1 -vE '^[^:]+:[0-9]+: ' "$tmp/cp")"
		return
	fi
	left=$(while IFS= read -r msg; do
		type=$(sed -E 's/.*(ERROR|WARNING|CHECK):([A-Z_0-9]+):.*/\2/' <<<"$msg")
		excepted "$type" || echo "$msg"
	done <"$tmp/cp.msgs")
	if [ -n "$left" ]; then
		result checkpatch fail "$(wc -l <<<"$left") message(s): $(head -n1 <<<"$left" | cut -c1-200)"
		printf "%s\n" "$left" | sed "s/^/  /" >&2
	else
		result checkpatch pass "$(wc -l <"$tmp/cp.msgs") excepted message(s)"
	fi
}

# excepted TYPE: the exceptions file has "PATCH-GLOB TYPE reason..." for us.
excepted()
{
	local glob type _

	[ -f "$EXCEPTIONS" ] || return 1
	while read -r glob type _; do
		case $glob in ''|'#'*) continue ;; esac
		# shellcheck disable=SC2053 # the glob is meant to match
		[[ $name == $glob ]] && [ "$type" = "$1" ] && return 0
	done <"$EXCEPTIONS"
	return 1
}

# kernel-doc -none -Wall on every C file the patch touches, before and after;
# it exits 0 on warnings, so the warnings themselves are compared, without
# their line numbers.
check_kerneldoc()
{
	local f new=0 files

	files=$(git -C "$tree" diff --name-only --diff-filter=AM "$before" "$after" -- '*.c' '*.h')
	for f in $files; do
		mkdir -p "$tmp/a/${f%/*}" "$tmp/b/${f%/*}"
		git -C "$tree" show "$before:$f" >"$tmp/a/$f" 2>/dev/null || : >"$tmp/a/$f"
		git -C "$tree" show "$after:$f" >"$tmp/b/$f"
		(cd "$tmp/a" && "$tree/scripts/kernel-doc" -none -Wall "$f" 2>&1) |
			sed -E 's/:[0-9]+([: ])/\1/' | sort >"$tmp/kd.a"
		(cd "$tmp/b" && "$tree/scripts/kernel-doc" -none -Wall "$f" 2>&1) |
			sed -E 's/:[0-9]+([: ])/\1/' | sort >"$tmp/kd.b"
		comm -13 "$tmp/kd.a" "$tmp/kd.b" >>"$tmp/kd.new"
	done
	[ ! -s "$tmp/kd.new" ] || new=$(wc -l <"$tmp/kd.new")
	if [ "$new" -gt 0 ]; then
		result kernel-doc fail "$new new warning(s): $(head -n1 "$tmp/kd.new" | cut -c1-200)"
		sed 's/^/  /' "$tmp/kd.new" >&2
	else
		result kernel-doc pass "$(wc -w <<<"$files") file(s)"
	fi
}

# Every .rst file the patch touches, before and after: docutils' messages
# (scripts/rst-check.py: Sphinx's directives and roles as stubs) and the
# kernel-doc -none -Wall warnings of what its kernel-doc directives pull in;
# a new one fails.
check_rst()
{
	local f v i rev src idents files doc

	files=$(git -C "$tree" diff --name-only --diff-filter=AM "$before" "$after" -- '*.rst')
	[ -n "$files" ] || return 0
	: >"$tmp/rst.new"
	for f in $files; do
		for v in a b; do
			rev=$after
			[ "$v" = b ] || rev=$before
			rm -rf "$tmp/rst"
			mkdir -p "$tmp/rst"
			git -C "$tree" archive "$rev" "$f" include drivers | tar -x -C "$tmp/rst" 2>/dev/null || true
			: >"$tmp/rst.$v"
			[ -f "$tmp/rst/$f" ] || continue
			/usr/bin/python3 "$PROJECT/scripts/rst-check.py" "$tmp/rst/$f" "$tmp/rst.kd" >>"$tmp/rst.$v"
			while read -r src idents; do
				if [ ! -f "$tmp/rst/$src" ]; then
					echo "kernel-doc: no $src" >>"$tmp/rst.$v"
					continue
				fi
				# shellcheck disable=SC2046,SC2086 # one -function per identifier
				(cd "$tmp/rst" && "$tree/scripts/kernel-doc" -none -Wall \
					$(printf -- '-function %s ' $idents) "$src" 2>&1) |
					sed -E 's/:[0-9]+([: ])/\1/' >>"$tmp/rst.$v"
				# kernel-doc says nothing of an identifier it does not find.
				# Its output whole, not piped to grep -q: with pipefail,
				# kernel-doc writing after grep quit failed the pipe and
				# reported a documented function as not found, at random.
				for i in $idents; do
					doc=$(cd "$tmp/rst" && "$tree/scripts/kernel-doc" -rst -function "$i" "$src" 2>/dev/null) || true
					[ -n "$doc" ] || echo "kernel-doc: $i not found in $src" >>"$tmp/rst.$v"
				done
			done <"$tmp/rst.kd"
			sort -u -o "$tmp/rst.$v" "$tmp/rst.$v"
		done
		comm -13 "$tmp/rst.a" "$tmp/rst.b" | sed "s|^|$f: |" >>"$tmp/rst.new"
	done
	if [ -s "$tmp/rst.new" ]; then
		result rst fail "$(wc -l <"$tmp/rst.new") new message(s): $(head -n1 "$tmp/rst.new" | cut -c1-200)"
		sed 's/^/  /' "$tmp/rst.new" >&2
	else
		result rst pass "$(wc -w <<<"$files") file(s): docutils, and kernel-doc on what they pull in"
	fi
}

check_signoff()
{
	local author

	author=$(git -C "$tree" log -1 --format='%an <%ae>' "$after")
	if git -C "$tree" log -1 --format=%B "$after" |
	   grep -qxF "Signed-off-by: $author"; then
		result signoff pass "$author"
	else
		result signoff fail "no 'Signed-off-by: $author' (the author)"
	fi
}

# Fixes: <12+ hex> ("subject"), among the trailers (the last paragraph of
# the message: no blank line between a Fixes: tag and the other trailers),
# naming a commit where the base has history (Debian's tarball has none: the
# base is one commit): the commit must exist, be an ancestor of the patch's
# parent and have that subject.  The detail records each id with its subject.
check_fixes()
{
	local line sha subj bad=0 history msg stray
	local -a tags=()

	history=$(git -C "$tree" rev-list --count "$BASE_BRANCH")
	msg=$(git -C "$tree" log -1 --format=%B "$after")
	# A trailer that git interpret-trailers does not see as one is above a
	# blank line (or mixed into the text).
	stray=$(comm -23 <(grep -E '^(Fixes|Signed-off-by|Cc|Reported-by|Closes|Link|Reviewed-by|Acked-by|Tested-by|Suggested-by|Co-developed-by):' <<<"$msg" | sort -u) \
		<(git -C "$tree" interpret-trailers --parse <<<"$msg" | sort -u))
	if [ -n "$(grep -i '^fixes:' <<<"$msg" || true)" ] && [ -n "$stray" ]; then
		result fixes fail "blank line among the trailers: '$(head -n1 <<<"$stray")' is not in the last paragraph"
		bad=1
	fi
	while IFS= read -r line; do
		if ! [[ $line =~ ^Fixes:\ ([0-9a-f]{12,40})\ \(\"(.+)\"\)$ ]]; then
			result fixes fail "malformed (want 'Fixes: <12+ hex digits> (\"subject\")'): $line"
			bad=1
			continue
		fi
		sha=${BASH_REMATCH[1]} subj=${BASH_REMATCH[2]}
		tags+=("${sha:0:12} (\"$subj\")")
		[ "$history" -gt 1 ] || continue
		if ! git -C "$tree" rev-parse -q --verify "$sha^{commit}" >/dev/null; then
			result fixes fail "$sha: no such commit in the base's history"
			bad=1
		elif ! git -C "$tree" merge-base --is-ancestor "$sha" "$before"; then
			result fixes fail "$sha is not an ancestor of the patch's parent"
			bad=1
		elif [ "$(git -C "$tree" log -1 --format=%s "$sha")" != "$subj" ]; then
			result fixes fail "$sha is \"$(git -C "$tree" log -1 --format=%s "$sha")\", not \"$subj\""
			bad=1
		fi
	done < <(grep -i '^fixes:' <<<"$msg" || true)
	[ "$bad" -eq 0 ] || return 0
	if [ "${#tags[@]}" -eq 0 ]; then
		result fixes pass ""
	elif [ "$history" -le 1 ]; then
		result fixes pass "well formed, not looked up (the base has no history): $(printf '%s; ' "${tags[@]}")"
	else
		result fixes pass "in the base: $(printf '%s; ' "${tags[@]}")"
	fi
}

check_inline()
{
	local hits

	hits=$(git -C "$tree" diff -U0 "$before" "$after" -- '*.c' |
		grep -E '^\+[^+]' | grep -vE '^\+[[:space:]]*(\*|/\*|//)' |
		grep -E '\binline\b' || true)
	if [ -n "$hits" ]; then
		result inline fail "new inline in a .c file: $(head -n1 <<<"$hits" | cut -c1-120)"
	else
		result inline pass ""
	fi
}

# A header the patch touches: a new static function without inline (each
# file that includes it gets a copy, and W=1 warns where it is unused)
# fails.  The added lines of each header are joined up to the "{" or ";"
# that ends a declaration, so that a return type on a line of its own counts.
check_header_inline()
{
	local hits

	hits=$(git -C "$tree" diff -U0 "$before" "$after" -- '*.h' | awk '
		/^\+\+\+ / { file = substr($2, 3); next }
		/^\+/ {
			line = substr($0, 2)
			if (decl == "" && line !~ /^static[[:space:]]/)
				next
			decl = decl " " line
			if (line !~ /[{;]/ && length(decl) < 400)
				next
			# "static T name(" before any "=", not "static T (*name)(",
			# not a macro (DEFINE_MUTEX), and no inline.
			pre = decl
			sub(/\(.*/, "", pre)
			rest = substr(decl, length(pre) + 2)
			if (decl !~ /[[:space:]](inline|__always_inline)[[:space:]]/ &&
			    decl ~ /\(/ && pre !~ /=/ && rest !~ /^[[:space:]]*\*/ &&
			    pre ~ /[a-z][A-Za-z0-9_]*[[:space:]]*$/)
				print file ": " substr(decl, 2)
			decl = ""
			next
		}
		{ decl = "" }')
	if [ -n "$hits" ]; then
		result header-inline fail "new static function without inline in a header: $(head -n1 <<<"$hits" | cut -c1-150)"
		printf '%s\n' "$hits" | sed 's/^/  /' >&2
	else
		result header-inline pass "$(git -C "$tree" diff --name-only "$before" "$after" -- '*.h' | wc -l) header(s)"
	fi
}

# A new module parameter is reported (a warning: new parameters are
# discouraged, but may be what the patch is for).
check_module_param()
{
	local hits

	hits=$(git -C "$tree" diff -U0 "$before" "$after" -- '*.c' '*.h' |
		grep -E '^\+[^+]' | grep -E '\bmodule_param[a-z_]*[[:space:]]*\(' || true)
	if [ -n "$hits" ]; then
		result module-param warning "$(wc -l <<<"$hits") new module parameter(s): $(head -n1 <<<"$hits" | cut -c2-120)"
	else
		result module-param pass ""
	fi
}

# [PATCH n/N] matching the place in series, then "prefix: summary" in the
# subsystem's style.
check_subject()
{
	local subj want_n pat

	subj=$(sed -n '/^Subject: /{s/^Subject: //;N;s/\n[[:space:]]\+/ /;P;q}' "$patch")
	want_n=$(printf '%0*d/%d' "${#total}" "$n" "$total")
	[ "$total" -gt 1 ] || want_n=""
	if [ -n "$want_n" ]; then
		pat="^\[PATCH $want_n\] "
	else
		pat='^\[PATCH\] '
	fi
	if ! [[ $subj =~ $pat ]]; then
		result subject fail "expected [PATCH${want_n:+ $want_n}]: $subj"
		return
	fi
	subj=${subj#*] }
	if ! [[ $subj =~ ^(vfio(/[a-z0-9_-]+)*|vfio-pci|docs:\ vfio|iommu|MAINTAINERS|kunit):\ [^\ ] ]]; then
		result subject fail "prefix not in subsystem style (vfio:, vfio/<driver>:): $subj"
	elif [[ $subj =~ \.$ ]] || [ "${#subj}" -gt 75 ]; then
		result subject fail "summary ends with '.' or is over 75 columns: $subj"
	else
		result subject pass "$subj"
	fi
}

check_checkpatch
check_kerneldoc
check_rst
check_signoff
check_fixes
check_inline
check_header_inline
check_module_param
check_subject
exit "$failed"
