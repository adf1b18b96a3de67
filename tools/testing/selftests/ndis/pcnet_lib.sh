# SPDX-License-Identifier: GPL-2.0
# ../e1000_lib.sh's helpers on the pcnet pair (tests/1[5-7]-pcnet-*.sh);
# sourced, not run. tools/vm.sh puts both on hub 1 and nothing else on it:
#   A 0000:00:12.0 52:54:00:12:34:11 -> DRIVER_A, namespace ndis_pcn_a, pcna 10.0.5.1/24
#   B 0000:00:13.0 52:54:00:12:34:12 -> pcnet32,  namespace ndis_pcn_b, pcnb 10.0.5.2/24
# DRIVER_A is NDIS_PCNET_DRIVER_A: pcnet_ndis5 (per-packet scatter-gather
# lists, the default) or pcnet_ndis5_mapreg (map registers). A test calls
# e1000_require, e1000_init and e1000_bring_up as over the e1000 pair.
# shellcheck shell=bash
. "$(dirname "${BASH_SOURCE[0]}")/e1000_lib.sh"
DRIVER_A=${NDIS_PCNET_DRIVER_A:-pcnet_ndis5} DRIVER_B=pcnet32
DEV_A=0000:00:12.0 DEV_B=0000:00:13.0
MAC_A=52:54:00:12:34:11 MAC_B=52:54:00:12:34:12
NS_A=ndis_pcn_a NS_B=ndis_pcn_b IF_A=pcna IF_B=pcnb IP_A=10.0.5.1 IP_B=10.0.5.2
MAC_FOREIGN=52:54:00:12:34:98 IP_FOREIGN=10.0.5.99
MAC_GROUP=01:00:5e:01:02:04 IP_GROUP=239.1.2.4
NIC_PCI_ID=0x1022:0x2000 NIC_MODEL=pcnet
