#!/usr/bin/env bash
# ndis-test: canary detector=lockdep also=calltrace
# An AB-BA lock-order inversion (canary_lockdep.c). Lockdep reports once
# and switches itself off: only the memory and Oops canaries come after.
. "$(dirname "$0")/canary_lib.sh"
canary_load canary_lockdep
rmmod canary_lockdep
