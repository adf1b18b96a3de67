#!/usr/bin/env bash
# ndis-test: canary detector=softlockup also=taint,calltrace
# Spins 6 s with preemption off (canary_softlockup.c) while
# kernel.watchdog_thresh is 1: the detector fires after 2 x watchdog_thresh.
. "$(dirname "$0")/canary_lib.sh"
thresh=/proc/sys/kernel/watchdog_thresh
old=$(cat $thresh)
trap 'echo "$old" >$thresh' EXIT
echo 1 >$thresh
canary_load canary_softlockup seconds=6
rmmod canary_softlockup
