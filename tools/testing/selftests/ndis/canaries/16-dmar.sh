#!/usr/bin/env bash
# ndis-test: canary detector=dmar
# edu reads from a device address the IOMMU has no mapping for
# (canary_dmar.c); the IOMMU blocks it and logs a DMAR fault.
. "$(dirname "$0")/canary_lib.sh"
[ "${NDIS_CONFIG:-}" = iommu ] || { echo "# SKIP needs the iommu boot"; exit 4; }
need_edu
fault='DMAR: \[DMA Read'
before=$(log_count "$fault")
canary_load canary_dmar
rmmod canary_dmar
# The IOMMU's fault interrupt logs it: wait, so it lands in this window.
wait_log "$fault" "$before" 5
