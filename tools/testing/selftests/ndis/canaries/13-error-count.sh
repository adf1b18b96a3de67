#!/usr/bin/env bash
# ndis-test: canary detector=error_count
# The unchecked mapping of 12-dma-api again, with DMA-API debug's printing
# off (num_errors=0, all_errors=0: err_printk() in kernel/dma/debug.c then
# only counts): error_count grows and nothing is logged, so only the
# error_count check can catch it. Both settings are restored.
. "$(dirname "$0")/canary_lib.sh"
need_edu
dma=/sys/kernel/debug/dma-api
[ -w $dma/num_errors ] || { echo "# no $dma (debugfs not mounted?)"; exit 1; }
num_errors=$(cat $dma/num_errors) all_errors=$(cat $dma/all_errors)
trap 'echo "$num_errors" >$dma/num_errors; echo "$all_errors" >$dma/all_errors' EXIT
echo 0 >$dma/all_errors
echo 0 >$dma/num_errors
canary_load canary_dma_unchecked
rmmod canary_dma_unchecked
