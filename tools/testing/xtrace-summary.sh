#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Where a test's time went, from its xtrace.txt (a harness run with
# NDIS_XTRACE=1, e.g. `NDIS_XTRACE=1 NDIS_ONLY='/07-' tools/check.sh
# --vm-only plain`; the file is build/vm/plain/tests/NAME/xtrace.txt).
#
#   tools/testing/xtrace-summary.sh XTRACE [N]
#
# Prints the N (default 25) slowest commands of the test's own shell: a
# command's time is until the next command that shell traced, so a
# function or pipeline is charged to the line that started it. Then the
# total per command name.
set -euo pipefail
f=${1:?usage: $0 XTRACE [N]} n=${2:-25}
# "+ TIME PID command": the first shell's lines only (its PID comes first).
awk -v n="$n" '
	/^\++ [0-9]+\.[0-9]+ [0-9]+ / {
		if (pid == "") pid = $3
		if ($3 != pid) next
		if (prev != "") {
			d = $2 - t; line[++k] = sprintf("%8.2f  %s", d, substr(prev, 1, 110))
			split(prev, w, " "); per[w[1]] += d
		}
		t = $2; prev = $0; sub(/^\++ [^ ]+ [^ ]+ /, "", prev)
	}
	END {
		for (i = 1; i <= k; i++) print line[i] | "sort -rn | head -n " n
		close("sort -rn | head -n " n)
		print "-- per command"
		for (c in per) printf "%8.2f  %s\n", per[c], c | "sort -rn | head -n 15"
	}' "$f"
