#!/usr/bin/env bash
# ndis-test: canary detector=sleep-atomic also=taint,calltrace
# Expected failure: mutex_lock() under a spin lock (DEBUG_ATOMIC_SLEEP)
# The harness reports this ok only if its checkers catch it.
set -euo pipefail
ko=${NDIS_KO:?}/canary_sleep_atomic.ko
[ -f "$ko" ] || { echo "# missing $ko"; exit 1; }
insmod "$ko"
rmmod canary_sleep_atomic
