#!/usr/bin/env bash
# ndis-test: canary detector=warning also=taint,calltrace
# Expected failure: WARN_ON(1) (WARNING: in dmesg, taint W)
# The harness reports this ok only if its checkers catch it.
set -euo pipefail
ko=${NDIS_KO:?}/canary_warn.ko
[ -f "$ko" ] || { echo "# missing $ko"; exit 1; }
insmod "$ko"
rmmod canary_warn
