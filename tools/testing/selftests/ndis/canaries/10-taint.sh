#!/usr/bin/env bash
# ndis-test: canary detector=taint
# A module that only taints the kernel (M) and prints nothing: the taint
# check alone must catch it (canary_taint.c).
. "$(dirname "$0")/canary_lib.sh"
canary_load canary_taint
rmmod canary_taint
