#!/usr/bin/env bash
# ndis-test: canary detector=dma-api also=error_count,warning,taint,calltrace
# Expected failure: DMA mapping never checked with dma_mapping_error() (DMA-API debug)
# The harness reports this ok only if its checkers catch it.
set -euo pipefail
ko=${NDIS_KO:?}/canary_dma_unchecked.ko
[ -f "$ko" ] || { echo "# missing $ko"; exit 1; }
# It needs an edu device (1234:11e8); the module itself returns -ENODEV without.
grep -qx 0x11e8 /sys/bus/pci/devices/*/device || { echo "# no edu device"; exit 4; }
insmod "$ko"
rmmod canary_dma_unchecked
