#!/usr/bin/env bash
# ndis-test: canary detector=kmemleak
# ndis-test: kmemleak-scan
# Expected failure: kmalloc with the pointer lost (kmemleak)
# The harness reports this ok only if its checkers catch it.
set -euo pipefail
ko=${NDIS_KO:?}/canary_leak.ko
[ -f "$ko" ] || { echo "# missing $ko"; exit 1; }
insmod "$ko"
rmmod canary_leak
