#!/usr/bin/env bash
# ndis-test: canary detector=swiotlb
# A 512 KiB mapping under swiotlb=force, more than one bounce can hold
# (canary_swiotlb.c): swiotlb refuses it with "swiotlb buffer is full".
. "$(dirname "$0")/canary_lib.sh"
case ${NDIS_CONFIG:-} in
swiotlb | swiotlb-tiny) ;;
*) echo "# SKIP needs a swiotlb boot"; exit 4 ;;
esac
need_edu
canary_load canary_swiotlb
rmmod canary_swiotlb
