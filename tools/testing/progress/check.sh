#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel build's progress lines (tools/lib.sh run_logged_objs), tried on
# a small fake build: a generated Makefile whose 24 targets each take 0.25 s
# to "compile" an object, run with -j2 and a progress line every second. The
# real build differs only in the interval (60 s) and the expected total
# (tools/build-kernel.sh). Checks: lines come while it runs, the count and
# percent grow, a time left is shown, never 100% before the end, no line
# floods the log (at most one per interval); a failing build shows its
# log's tail and the command, and exits non-zero.
set -euo pipefail
. "$(dirname "$0")/../../lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/obj/sub"
{
	printf 'OBJS := %s\n' "$(for i in $(seq 1 24); do printf 'obj/sub/f%02d.o ' "$i"; done)"
	printf 'all: $(OBJS)\n'
	printf 'obj/sub/%%.o:\n\t@sleep 0.25; echo "  CC $@"; touch $@\n'
	printf 'fail:\n\t@echo "error: the line a user needs"; exit 2\n'
} >"$tmp/Makefile"

fail() { echo "progress: FAIL: $*" >&2; cat "$tmp/out" >&2; exit 1; }

NDIS_PROGRESS_INTERVAL=1 run_logged_objs "$tmp/build.log" "$tmp/obj" 24 \
	make -C "$tmp" -j2 all >"$tmp/out" 2>&1 || fail "the fake build failed"
n=$(grep -c 'objects (' "$tmp/out" || true)
# 24 objects at 2 a quarter second: about 3 s, so 2 or 3 lines.
[ "$n" -ge 2 ] || fail "$n progress lines, expected at least 2"
[ "$n" -le 4 ] || fail "$n progress lines in about 3 s, expected one a second at most"
grep -qE '^\[ *[0-9]+s\]   [0-9]+/~24 objects \([0-9]+%\), [0-9]+s elapsed, about [0-9]+s left$' "$tmp/out" ||
	fail "no line of the form '[  Ns]   N/~24 objects (P%), Ns elapsed, about Ns left'"
grep -q '100%' "$tmp/out" && fail "100% shown before the build ended"
counts=$(sed -n 's/.*   \([0-9]*\)\/~24 objects.*/\1/p' "$tmp/out")
[ "$(printf '%s\n' "$counts" | sort -n)" = "$counts" ] || fail "object counts not growing: $counts"
[ "$(find "$tmp/obj" -name '*.o' | wc -l)" = 24 ] || fail "the fake build did not build its 24 objects"

# A failed stage: the log's tail and the command, exit status non-zero.
if (NDIS_PROGRESS_INTERVAL=1 run_logged_objs "$tmp/fail.log" "$tmp/obj" 24 make -C "$tmp" fail) >"$tmp/out" 2>&1; then
	fail "a failing build was not reported"
fi
grep -q 'error: the line a user needs' "$tmp/out" || fail "the failed build's log tail was not shown"
grep -q "ndis-shim: error: 'make -C $tmp fail' failed after .*; full log: $tmp/fail.log" "$tmp/out" ||
	fail "no one-line error naming the command and its log"
echo "progress: ok ($n progress lines in a 24-object fake build)"
