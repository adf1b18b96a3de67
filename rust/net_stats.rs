// SPDX-License-Identifier: GPL-2.0

//! The interface counters a net_device reports (`ndo_get_stats64`), from
//! what the miniport answers to `OID_GEN_STATISTICS`.
//!
//! An `NDIS_STATISTICS_INFO` says in `SupportedStatistics` which of its
//! counters the miniport keeps; only those are used, the shim's own count
//! standing in for the others. Frames the shim itself dropped (and sends
//! the miniport completed with a failure) stay the shim's `rx_dropped`
//! and `tx_dropped`; the miniport's receive discards (`ifInDiscards`:
//! frames the adapter had no buffer for) are `rx_missed_errors`.

use crate::abi;

/// Counters in the order of `ndis_shim_netdev_stats` (netdev_helpers.c).
pub(crate) const RX_PACKETS: usize = 0;
pub(crate) const RX_BYTES: usize = 1;
pub(crate) const RX_ERRORS: usize = 2;
pub(crate) const RX_MISSED: usize = 3;
pub(crate) const MULTICAST: usize = 4;
pub(crate) const TX_PACKETS: usize = 5;
pub(crate) const TX_BYTES: usize = 6;
pub(crate) const TX_ERRORS: usize = 7;
/// How many there are.
pub(crate) const COUNT: usize = 8;

/// The miniport's counters, and which of them it keeps (bit `i` for
/// counter `i`).
#[derive(Clone, Copy, Default)]
pub(crate) struct LinkStats {
    pub(crate) values: [u64; COUNT],
    pub(crate) valid: u32,
}

impl LinkStats {
    /// What `info` says, for the counters whose flags it sets. A counter
    /// made of several NDIS ones (packets: directed, multicast, broadcast)
    /// is kept only if all of them are.
    pub(crate) fn from_info(info: &abi::NDIS_STATISTICS_INFO) -> Self {
        let flags = info.SupportedStatistics;
        let has = |f: u32| flags & f == f;
        let mut s = Self::default();
        let mut set = |i: usize, ok: bool, v: u64| {
            if ok {
                s.values[i] = v;
                s.valid |= 1 << i;
            }
        };
        set(
            RX_PACKETS,
            has(abi::NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV
                | abi::NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV
                | abi::NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV),
            info.ifHCInUcastPkts
                .wrapping_add(info.ifHCInMulticastPkts)
                .wrapping_add(info.ifHCInBroadcastPkts),
        );
        set(
            RX_BYTES,
            has(abi::NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV),
            info.ifHCInOctets,
        );
        set(
            RX_ERRORS,
            has(abi::NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR),
            info.ifInErrors,
        );
        set(
            RX_MISSED,
            has(abi::NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS),
            info.ifInDiscards,
        );
        set(
            MULTICAST,
            has(abi::NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV),
            info.ifHCInMulticastPkts,
        );
        set(
            TX_PACKETS,
            has(abi::NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT
                | abi::NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT
                | abi::NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT),
            info.ifHCOutUcastPkts
                .wrapping_add(info.ifHCOutMulticastPkts)
                .wrapping_add(info.ifHCOutBroadcastPkts),
        );
        set(
            TX_BYTES,
            has(abi::NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT),
            info.ifHCOutOctets,
        );
        set(
            TX_ERRORS,
            has(abi::NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR),
            info.ifOutErrors,
        );
        s
    }
}
