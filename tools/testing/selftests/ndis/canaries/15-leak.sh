#!/usr/bin/env bash
# ndis-test: canary detector=kmemleak
# ndis-test: kmemleak-scan
# 64-byte kmallocs whose only pointers are lost (canary_leak.c): at least
# one must be reported in the test's window.
#
# kmemleak reports an object only once a scan finds no word pointing at it,
# and a stale copy of the address (a stack or register spill another task
# has not yet overwritten) can hide it for a while. So the canary waits,
# scanning, until kmemleak has reported it (at most 4 rounds) before the
# harness's own scan reads the report; the harness alone decides the
# result, and a kmemleak that never reports still fails this canary.
. "$(dirname "$0")/canary_lib.sh"
canary_load canary_leak
rmmod canary_leak
LEAK=/sys/kernel/debug/kmemleak
for round in 1 2 3 4; do
	sleep 6 # kmemleak never reports an object younger than 5 s
	echo scan >$LEAK
	echo scan >$LEAK
	grep -q '^unreferenced object' $LEAK && exit 0
	echo "# round $round: kmemleak has not reported the leak yet"
done
exit 0
