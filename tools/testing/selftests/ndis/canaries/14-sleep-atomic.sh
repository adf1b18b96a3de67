#!/usr/bin/env bash
# ndis-test: canary detector=sleep-atomic also=taint,calltrace
# A sleeping lock taken with preemption disabled (canary_sleep_atomic.c).
. "$(dirname "$0")/canary_lib.sh"
canary_load canary_sleep_atomic
rmmod canary_sleep_atomic
