#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/15-pcnet-ndis5.sh on the map-register build of the NDIS 5.1 pcnet
# sample (pcnet_ndis5_mapreg.ko: NdisMAllocateMapRegisters and
# NdisMStartBufferPhysicalMapping instead of per-packet scatter-gather
# lists): the same checks.
# ndis-test: timeout=300
NDIS_PCNET_DRIVER_A=pcnet_ndis5_mapreg exec "$(dirname "$0")/15-pcnet-ndis5.sh"
