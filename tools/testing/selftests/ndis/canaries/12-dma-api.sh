#!/usr/bin/env bash
# ndis-test: canary detector=dma-api also=error_count,warning,taint,calltrace
# A DMA mapping never checked with dma_mapping_error(): DMA-API debug
# reports it (a WARN) and counts it (canary_dma_unchecked.c).
. "$(dirname "$0")/canary_lib.sh"
need_edu
canary_load canary_dma_unchecked
rmmod canary_dma_unchecked
