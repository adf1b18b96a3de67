// SPDX-License-Identifier: GPL-2.0

//! The Linux side of a network adapter that both NDIS generations share:
//! the C wrapper around `struct net_device` and `struct sk_buff`
//! (`rust/netdev_helpers.c`), and what [`crate::net_device`] (NDIS 6, and
//! the lifecycle) and [`crate::ndis5_nic`] (NDIS 5) build on it: the MDLs
//! over an skb, send accounting (byte queue limits, the outstanding
//! count, the queue's stop and wake), receive skbs, copies out of MDL
//! chains and the carrier.

use core::{ffi::c_void, ptr::null_mut};
use kernel::{
    bindings,
    prelude::*,
    sync::atomic::{Acquire, Atomic, Relaxed, Release},
    time::{delay::fsleep, Delta},
};

use crate::{
    abi,
    adapter::Adapter,
    dma::take_injected,
    memory,
    net_buffer::MdlChain,
    nic::{Bridge, Nic, RawNetDevice},
    status::NdisStatus,
    trace,
};

/// Fault injection (debugfs `ndis_shim/fail_rx_skbs`): the number of
/// received frames still to drop as if their skb could not be allocated
/// (counted as `rx_dropped`; the NBL goes back as usual).
pub(crate) static FAIL_RX_SKBS: Atomic<u32> = Atomic::new(0);

/// The most NBLs the shim keeps at the miniport before it stops the
/// queue: NDIS 6 declares no limit, and byte queue limits alone would let
/// thousands of small frames through.
pub(crate) const TX_CAP: u32 = 256;
/// How long the shim waits for a pended Pause, Restart or OID request.
pub(crate) const COMPLETION_WAIT_MS: u32 = 10_000;

#[repr(C)]
pub(crate) struct RawSkb {
    _opaque: [u8; 0],
}

extern "C" {
    pub(crate) fn ndis_shim_netdev_new(
        parent: *mut c_void,
        nic: *const c_void,
        mac: *const u8,
        mtu: u32,
    ) -> *mut RawNetDevice;
    pub(crate) fn ndis_shim_netdev_register(dev: *mut RawNetDevice) -> i32;
    pub(crate) fn ndis_shim_netdev_unregister(dev: *mut RawNetDevice);
    pub(crate) fn ndis_shim_netdev_free(dev: *mut RawNetDevice);
    pub(crate) fn ndis_shim_netdev_carrier(dev: *mut RawNetDevice, on: bool);
    pub(crate) fn ndis_shim_netdev_flags(dev: *mut RawNetDevice) -> u32;
    pub(crate) fn ndis_shim_netdev_multicast(dev: *mut RawNetDevice, out: *mut u8, max: u32)
        -> i32;
    pub(crate) fn ndis_shim_skb_len(skb: *const RawSkb) -> u32;
    pub(crate) fn ndis_shim_skb_offload(
        skb: *mut RawSkb,
        caps: u32,
        csum_info: *mut usize,
        lso_info: *mut usize,
    ) -> i32;
    pub(crate) fn ndis_shim_netdev_offload(
        dev: *mut RawNetDevice,
        caps: u32,
        lso_v4_max: u32,
        lso_v6_max: u32,
    );
    pub(crate) fn ndis_shim_skb_pieces(skb: *const RawSkb) -> u32;
    pub(crate) fn ndis_shim_skb_piece(
        skb: *const RawSkb,
        i: u32,
        va: *mut *mut c_void,
        len: *mut u32,
    ) -> bool;
    pub(crate) fn ndis_shim_tx_sent(dev: *mut RawNetDevice, bytes: u32);
    pub(crate) fn ndis_shim_tx_done(dev: *mut RawNetDevice, skb: *mut RawSkb, sent: bool);
    pub(crate) fn ndis_shim_tx_completed(dev: *mut RawNetDevice, pkts: u32, bytes: u32);
    pub(crate) fn ndis_shim_tx_stop(dev: *mut RawNetDevice);
    pub(crate) fn ndis_shim_tx_wake(dev: *mut RawNetDevice);
    pub(crate) fn ndis_shim_tx_reset(dev: *mut RawNetDevice);
    pub(crate) fn ndis_shim_rx_alloc(
        dev: *mut RawNetDevice,
        len: u32,
        data: *mut *mut u8,
    ) -> *mut RawSkb;
    pub(crate) fn ndis_shim_rx_deliver(dev: *mut RawNetDevice, skb: *mut RawSkb, csum_ok: bool);
    pub(crate) fn ndis_shim_rx_csum_ok(info: usize) -> bool;
    pub(crate) fn ndis_shim_netdev_napi_attach(dev: *mut RawNetDevice, irq: *mut c_void);
    pub(crate) fn ndis_shim_rx_dropped(dev: *mut RawNetDevice);
    pub(crate) fn ndis_shim_rx_free(dev: *mut RawNetDevice, skb: *mut RawSkb);
}

/// An Ethernet header, and a VLAN tag.
pub(crate) const ETH_HLEN: u32 = 14;

/// A status indication, decoded.
pub(crate) enum StatusIndication {
    /// `NDIS_STATUS_LINK_STATE`: `MediaConnectState` (`None`: unknown),
    /// `XmitLinkSpeed`, `MediaDuplexState`.
    LinkState {
        connected: Option<bool>,
        speed: u64,
        duplex: u32,
    },
    /// Anything else: its status code, for the log.
    Other(u32),
}

/// Sleeps until `done` is set, at most [`COMPLETION_WAIT_MS`]. PASSIVE.
pub(crate) fn wait_for(done: &Atomic<bool>) -> bool {
    for _ in 0..COMPLETION_WAIT_MS {
        if done.load(Acquire) {
            return true;
        }
        fsleep(Delta::from_millis(1));
    }
    done.load(Acquire)
}

/// What an OID call of the shim's that returned `status` ended with: that
/// status, or, if it pended, the one its completion reported (waited for
/// at most [`COMPLETION_WAIT_MS`]). A completion that never came runs
/// `leak` (what the miniport may still write must stay allocated) and is
/// `ETIMEDOUT`. The pending mark is cleared. PASSIVE.
pub(crate) fn oid_outcome(
    adapter: &Adapter,
    oid: u32,
    status: NdisStatus,
    leak: impl FnOnce(),
) -> Result<NdisStatus> {
    let nic = &adapter.nic;
    let result = if status != NdisStatus::PENDING {
        Ok(status)
    } else if wait_for(&nic.oid_done) {
        Ok(NdisStatus(nic.oid_status.load(Acquire)))
    } else {
        dev_err!(
            adapter.device(),
            "{}: OID {:#010x} pended and never completed; its buffers are leaked\n",
            adapter.driver.name(),
            oid
        );
        nic.oid_failures.fetch_add(1, Relaxed);
        leak();
        Err(ETIMEDOUT)
    };
    nic.oid_pending.store(0, Relaxed);
    result
}

/// A block of MDLs, chained, that describes `skb`'s linear part and page
/// fragments in place (NULL for an skb without data); freed with `kfree`.
/// `None` when out of memory or when a fragment has no kernel address.
/// The NDIS 6 side's NET_BUFFERs and the NDIS 5 side's packets are built
/// on it.
///
/// # Safety
///
/// `skb` is a valid skb that stays allocated while the MDLs are used.
pub(crate) unsafe fn mdls_of_skb(skb: *mut RawSkb) -> Option<*mut abi::MDL> {
    // SAFETY: valid skb (safety requirement).
    let pieces = unsafe { ndis_shim_skb_pieces(skb) } as usize;
    let mdl_size = core::mem::size_of::<abi::MDL>();
    let flags = bindings::GFP_ATOMIC | bindings::__GFP_NOWARN;
    // SAFETY: `kmalloc` with a valid size and flags.
    let mdls: *mut abi::MDL =
        unsafe { bindings::__kmalloc_noprof(pieces.max(1) * mdl_size, flags) }.cast();
    if mdls.is_null() {
        return None;
    }
    let mut used = 0;
    for i in 0..pieces {
        let mut va = null_mut();
        let mut len = 0;
        // SAFETY: valid skb; `i` below its piece count.
        if !unsafe { ndis_shim_skb_piece(skb, i as u32, &mut va, &mut len) } {
            // SAFETY: allocated above.
            unsafe { bindings::kfree(mdls.cast()) };
            return None;
        }
        if len == 0 {
            continue;
        }
        // SAFETY: `used < pieces`: inside the block; the piece is kernel
        // memory (the linear map) that lives as long as the skb.
        unsafe {
            let mdl = mdls.add(used);
            memory::build_mdl(mdl, va, len);
            if used > 0 {
                (*mdls.add(used - 1)).Next = mdl;
            }
        }
        used += 1;
    }
    if used == 0 {
        // SAFETY: the first MDL of the block: an empty one.
        unsafe { memory::build_mdl(mdls, null_mut(), 0) };
    }
    Some(mdls)
}

/// Stops the queue when `out` sends are at the miniport, [`TX_CAP`] or
/// more. After a send.
pub(crate) fn tx_cap_check(nic: &Nic, bridge: &Bridge, out: u32) {
    if out >= TX_CAP {
        // SAFETY: the live net_device.
        unsafe { ndis_shim_tx_stop(bridge.netdev) };
        // A completion may have come in between: it saw the queue awake.
        if nic.outstanding.load(Acquire) < TX_CAP / 2 {
            // SAFETY: as above.
            unsafe { ndis_shim_tx_wake(bridge.netdev) };
        }
    }
}

/// `pkts` sends of `bytes` are back from the miniport: byte queue limits
/// and the outstanding count follow, and the queue wakes below half of
/// [`TX_CAP`] (unless `!wake`: a refused send stopped it on purpose).
pub(crate) fn tx_accounted(nic: &Nic, bridge: &Bridge, pkts: u32, bytes: u32, wake: bool) {
    let out = {
        // Accounted and counted down together, so a pause that finds
        // nothing outstanding may start BQL over.
        let _serialised = nic.tx_completion.lock();
        // SAFETY: the live net_device.
        unsafe { ndis_shim_tx_completed(bridge.netdev, pkts, bytes) };
        nic.outstanding.fetch_sub(pkts, Release) - pkts
    };
    if wake && out < TX_CAP / 2 {
        // SAFETY: the live net_device.
        unsafe { ndis_shim_tx_wake(bridge.netdev) };
    }
}

/// A new skb for a received frame of `len` bytes and where its data goes;
/// `None` (counted as a drop) when out of memory or failed on purpose
/// (`fail_rx_skbs`). Any context.
pub(crate) fn rx_alloc(bridge: &Bridge, len: u32) -> Option<(*mut RawSkb, *mut u8)> {
    if take_injected(&FAIL_RX_SKBS) {
        // As if the skb allocation failed: dropped and counted.
        // SAFETY: the live net_device.
        unsafe { ndis_shim_rx_dropped(bridge.netdev) };
        return None;
    }
    let mut data = null_mut();
    // SAFETY: the live net_device; `data` a valid out pointer.
    let skb = unsafe { ndis_shim_rx_alloc(bridge.netdev, len, &mut data) };
    (!skb.is_null()).then_some((skb, data))
}

/// Fills `out` from `chain`, starting `skip` bytes into its first MDL.
pub(crate) fn copy_from_chain(mut chain: MdlChain, mut skip: u32, out: &mut [u8]) -> bool {
    let mut at = 0;
    for mdl in chain.by_ref() {
        if at == out.len() {
            break;
        }
        if skip >= mdl.byte_count {
            skip -= mdl.byte_count;
            continue;
        }
        let take = ((mdl.byte_count - skip) as usize).min(out.len() - at);
        let src = mdl.start_va + mdl.byte_offset as usize + skip as usize;
        // SAFETY: `mdl_view` checked the MDL's range is kernel memory the
        // miniport lends for the indication; `take` stays inside it and
        // inside `out`.
        unsafe { core::ptr::copy_nonoverlapping(src as *const u8, out[at..].as_mut_ptr(), take) };
        at += take;
        skip = 0;
    }
    at == out.len()
}

/// `NdisMIndicateStatusEx`.
pub(crate) fn indicate_status(adapter: &Adapter, indication: StatusIndication) {
    let Some(bridge) = adapter.nic.live() else {
        return;
    };
    if adapter.nic.detached.load(Acquire) {
        return;
    }
    let h = bridge.handle.into_raw() as usize;
    match indication {
        StatusIndication::LinkState {
            connected,
            speed,
            duplex,
        } => {
            let state = connected.map_or(0, |c| if c { 1 } else { 2 });
            trace::net(c"status-link", h, state, abi::NDIS_STATUS_LINK_STATE, 0);
            adapter.nic.link_speed.store(speed, Relaxed);
            adapter.nic.duplex.store(duplex, Relaxed);
            if let Some(connected) = connected {
                // SAFETY: the live net_device; any context.
                unsafe { ndis_shim_netdev_carrier(bridge.netdev, connected) };
            }
        }
        StatusIndication::Other(code) => {
            trace::net(c"status", h, 0, code, 0);
            dev_dbg!(adapter.device(), "status indication {:#010x}\n", code);
        }
    }
}
