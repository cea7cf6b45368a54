#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The project's test command (what .ci/run runs): the bot on the series,
# then the scripts' own tests.  Every self test and every check of the bot
# counts; the last line is "N passed, N failed".
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
"$PROJECT/scripts/install-deps.sh"
"$PROJECT/scripts/fetch-base.sh" >/dev/null

echo "== the bot on the series"
"$PROJECT/scripts/bot.sh" || true
if [ -f "$OUT/summary.json" ]; then
	# A warning is reported by the bot and counts as passed here.
	read -r bot_checks bot_fail bot_warn bot_skip < <(python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
print(s["checks"], s["failed"], s.get("warnings", 0), s.get("skipped", 0))' "$OUT/summary.json")
	echo "bot: $bot_warn warning(s), counted as passed"
	# An expected skip (its reason in the summary) is neither.
	echo "bot: $bot_skip skipped, counted as neither passed nor failed"
else
	bot_checks=1 bot_fail=1 bot_skip=0
	echo "bot: no summary was written"
fi

# After the bot: the fixtures' i386 and clang builds then find the bases
# built (and their objects in ccache) instead of building them cold.
echo "== the scripts' own tests"
rc=0
"$PROJECT/scripts/tests/selftest.sh" >"$CACHE/selftest.out" 2>&1 || rc=$?
cat "$CACHE/selftest.out"
self_pass=$(grep -c '^ok - ' "$CACHE/selftest.out" || true)
self_fail=$(grep -c '^not ok - ' "$CACHE/selftest.out" || true)
# A self test run that died counts as a failure of its own.
[ "$rc" -eq 0 ] || [ "$self_fail" -gt 0 ] || self_fail=1

echo "== took $(($(date +%s) - start)) s"
echo "$((self_pass + bot_checks - bot_fail - bot_skip)) passed, $((self_fail + bot_fail)) failed"
[ "$((self_fail + bot_fail))" -eq 0 ]
