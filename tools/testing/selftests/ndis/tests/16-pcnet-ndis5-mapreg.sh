#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/15-pcnet-ndis5.sh on the map-register build of the NDIS 5.1 pcnet
# sample (pcnet_ndis5_mapreg.ko: NdisMAllocateMapRegisters and
# NdisMStartBufferPhysicalMapping instead of per-packet scatter-gather
# lists): the data-integrity checks (NDIS_E1000_SUBSET=data unless set:
# link, pings, TCP by hash, down/up and unload under traffic). The send
# DMA path is all that differs between the two builds; the filters, OIDs
# and flood run the same code and are 15's.
# ndis-test: timeout=300
NDIS_E1000_SUBSET=${NDIS_E1000_SUBSET:-data} NDIS_PCNET_DRIVER_A=pcnet_ndis5_mapreg \
	exec "$(dirname "$0")/15-pcnet-ndis5.sh"
