// SPDX-License-Identifier: GPL-2.0

//! An NDIS 6 network adapter on Linux: one `net_device` per adapter whose
//! miniport declared an 802.3 medium in its general attributes.
//!
//! - **Lifecycle.** The net_device is registered after
//!   `MiniportInitializeEx` succeeded and unregistered before
//!   `MiniportHaltEx`. NDIS starts an adapter Paused: `ndo_open` calls
//!   `MiniportRestart`, `ndo_stop` calls `MiniportPause` and waits for it
//!   (and for every send outstanding at the miniport) to complete.
//! - **Send.** `ndo_start_xmit` (bottom halves off: DISPATCH_LEVEL) turns
//!   an skb into a NET_BUFFER_LIST with one NET_BUFFER whose MDL chain
//!   describes the skb's linear part and page fragments in place, without
//!   copying, and hands it to `MiniportSendNetBufferLists`.
//!   `NdisMSendNetBufferListsComplete` frees the skb (a failure status is a
//!   drop). Byte queue limits follow what is outstanding, and the queue
//!   stops at [`TX_CAP`] NBLs at the miniport (NDIS declares no limit).
//! - **Receive.** `NdisMIndicateReceiveNetBufferLists` copies each
//!   NET_BUFFER into a new skb and hands it to the stack; unless the
//!   miniport set `NDIS_RECEIVE_FLAGS_RESOURCES`, the NBLs go straight back
//!   through `MiniportReturnNetBufferLists`.
//! - **OIDs.** The shim issues `OID_GEN_CURRENT_PACKET_FILTER` and
//!   `OID_802_3_MULTICAST_LIST` set requests at PASSIVE_LEVEL, one at a
//!   time, from the interface's flags and multicast list.
//! - **Status.** `NDIS_STATUS_LINK_STATE` drives the carrier.
//!
//! The net_device itself is a thin C wrapper (`rust/netdev_helpers.c`):
//! the kernel crate has no net_device or sk_buff abstractions. The shim
//! builds and reads the NDIS objects of the data path (NBLs it sends,
//! NBLs and MDLs a miniport indicates, the OID requests it issues) here,
//! in `unsafe` functions whose callers vouch for the miniport's pointers.

use core::{ffi::c_void, ptr::null_mut};
use kernel::{
    bindings,
    prelude::*,
    sync::{
        atomic::{Acquire, Atomic, Relaxed, Release},
        Arc, ArcBorrow,
    },
    time::{delay::fsleep, Delta},
    workqueue::{self, impl_has_work, WorkItem},
};

use crate::netdev_io::*;
use crate::work_sync::Flush;
use crate::{
    abi,
    adapter::Adapter,
    dma::take_injected,
    driver::Characteristics,
    handle::Handle,
    memory,
    net_buffer::NetBufferView,
    net_buffer_pool::{self, InitialData},
    net_stats::{self, LinkStats},
    nic::{Bridge, Handlers, OffloadAttributes, PAUSED, PAUSING, RESTARTING, RUNNING},
    reset,
    status::NdisStatus,
    trace,
};

/// Fault injection (debugfs `ndis_shim/fail_oids`): the number of OID
/// requests the shim issues (`ndo_set_rx_mode`'s) still to fail as if the
/// request could not be allocated (logged; counted in the adapter's
/// `oid_failures`).
pub(crate) static FAIL_OIDS: Atomic<u32> = Atomic::new(0);

/// The most multicast addresses the shim hands to the miniport; beyond
/// the miniport's `MaxMulticastListSize` (or this) it asks for all
/// multicast instead.
const MAX_MULTICAST: usize = 128;

/// A VLAN tag.
const VLAN_HLEN: u32 = 4;

// Linux's interface flags the packet filter follows (uapi/linux/if.h).
const IFF_PROMISC: u32 = 0x100;
const IFF_ALLMULTI: u32 = 0x200;

// The adapter's `rx_mode_work` applies the interface's flags and multicast
// list: ndo_set_rx_mode runs in atomic context, OID requests at PASSIVE.
impl_has_work! {
    impl HasWork<Adapter, 0> for Adapter { self.rx_mode_work }
}

/// Makes `adapter` a network device if its miniport declared an 802.3
/// medium: creates and registers the net_device. After a successful
/// `MiniportInitializeEx`; PASSIVE.
pub(crate) fn attach(adapter: &Arc<Adapter>, handle: Handle) -> Result {
    let characteristics = adapter.driver.registration().map(|r| r.characteristics);
    // NDIS 5 has no general attributes: the shim asks the OIDs instead.
    if let Some(Characteristics::Ndis5(c)) = &characteristics {
        crate::ndis5_nic::declare(adapter, c);
    }
    let Some(general) = *adapter.nic.general.lock() else {
        return Ok(());
    };
    if general.medium != abi::NdisMedium802_3 {
        dev_info!(
            adapter.device(),
            "{}: medium {} is not 802.3: no net_device\n",
            adapter.driver.name(),
            general.medium
        );
        return Ok(());
    }
    // IPv4's minimum (RFC 791): below it the stack cannot use the device.
    if general.mtu < 68 {
        dev_err!(
            adapter.device(),
            "{}: MtuSize {} in the general attributes: no net_device\n",
            adapter.driver.name(),
            general.mtu
        );
        return Err(EINVAL);
    }
    let (handlers, tx_pool) = match characteristics {
        Some(Characteristics::Ndis6(c)) => ndis6_handlers(adapter, &c)?,
        Some(Characteristics::Ndis5(c)) => crate::ndis5_nic::handlers(adapter, &c)?,
        None => return Ok(()),
    };
    let offload = *adapter.nic.offload.lock();
    let offload_caps = offload.map_or(0, offload_caps);
    // SAFETY: the adapter's bound device; the adapter (the private
    // pointer) outlives the net_device, which `detach_after_halt` frees.
    let netdev = unsafe {
        ndis_shim_netdev_new(
            crate::dma::raw_device(adapter.device()),
            Arc::as_ptr(adapter).cast(),
            general.mac.as_ptr(),
            general.mtu,
        )
    };
    if netdev.is_null() {
        free_tx_pools(&handlers, tx_pool);
        return Err(ENOMEM);
    }
    // INVARIANT: a new net_device whose private pointer is `adapter`.
    adapter.nic.bridge.populate(Bridge {
        netdev,
        handle,
        tx_pool,
        max_frame: general.mtu.saturating_add(ETH_HLEN + VLAN_HLEN),
        offload_caps,
        handlers,
    });
    // The DPC of the adapter's interrupt runs in the net_device's NAPI
    // poll from here on (`NdisMDeregisterInterruptEx` and `detach` take it
    // back, `Nic::napi_off`).
    if let Some(irq) = adapter.first_interrupt() {
        // SAFETY: the net_device just made; the connection stays until
        // `Nic::napi_off` has detached it (called before it is let go).
        unsafe { ndis_shim_netdev_napi_attach(netdev, irq) };
    }
    if let Some(o) = offload {
        // SAFETY: the net_device just made, not registered yet.
        unsafe { ndis_shim_netdev_offload(netdev, offload_caps, o.lso_v4_max, o.lso_v6_max) };
    }
    // SAFETY: the net_device `ndis_shim_netdev_new` just made, not registered
    // yet; from here the stack may call ndo_open.
    let ret = unsafe { ndis_shim_netdev_register(netdev) };
    if ret != 0 {
        dev_err!(
            adapter.device(),
            "{}: register_netdev failed: {}\n",
            adapter.driver.name(),
            ret
        );
        // The interrupt must not point at the NAPI context freed with it.
        adapter.nic.napi_off();
        // NDIS 5: receive packets indicated since the bridge went live go
        // back before the halt that follows, and no return work runs after
        // it.
        crate::ndis5_nic::close_returns(adapter);
        detach_after_halt(adapter);
        return Err(Error::from_errno(ret));
    }
    // After registration, so that the change reaches link watch and the
    // operational state follows (set before, it would stay "unknown").
    if general.connected == Some(true) {
        // SAFETY: the registered net_device.
        unsafe { ndis_shim_netdev_carrier(netdev, true) };
    }
    reset::arm(adapter.clone());
    Ok(())
}

/// An NDIS 6 miniport's data-path handlers, and the shim's NBL pool for
/// its sends.
fn ndis6_handlers(
    adapter: &Adapter,
    c: &abi::NDIS_MINIPORT_DRIVER_CHARACTERISTICS,
) -> Result<(Handlers, Handle)> {
    if c.SendNetBufferListsHandler.is_none() || c.ReturnNetBufferListsHandler.is_none() {
        dev_err!(
            adapter.device(),
            "{}: 802.3 without SendNetBufferListsHandler/ReturnNetBufferListsHandler: no net_device\n",
            adapter.driver.name()
        );
        return Err(EINVAL);
    }
    let tx_pool = net_buffer_pool::allocate_nbl_pool(crate::nbl::NblPoolParams {
        context_size: 0,
        allocate_nb: true,
        data_size: 0,
    })
    .map_err(|_| ENOMEM)?;
    let handlers = Handlers {
        send: c.SendNetBufferListsHandler,
        ret: c.ReturnNetBufferListsHandler,
        pause: c.PauseHandler,
        restart: c.RestartHandler,
        oid: c.OidRequestHandler,
        check_for_hang: c.CheckForHangHandlerEx,
        reset: c.ResetHandlerEx,
        ndis5: None,
    };
    Ok((handlers, tx_pool))
}

/// The offload attributes as `NDIS_SHIM_OFFLOAD_*` bits (netdev_helpers.h).
fn offload_caps(o: OffloadAttributes) -> u32 {
    u32::from(o.tcp_checksum_v4)
        | u32::from(o.udp_checksum_v4) << 1
        | u32::from(o.tcp_checksum_v6) << 2
        | u32::from(o.udp_checksum_v6) << 3
        | u32::from(o.lso_v4_max != 0) << 4
        | u32::from(o.lso_v6_max != 0) << 5
        | u32::from(o.lso_v4_v2) << 6
        | u32::from(o.rx_checksum) << 7
}

/// Unregisters the net_device (which pauses the data path). Before
/// `MiniportHaltEx`; PASSIVE.
pub(crate) fn detach(adapter: &Adapter) {
    let nic = &adapter.nic;
    let Some(bridge) = nic.live() else {
        return;
    };
    // No carrier change or receive-mode OID from here on: every status
    // indication runs inside a lookup's RCU section, waited for here.
    nic.detached.store(true, Release);
    // No hang check or reset after: the miniport halts next.
    reset::disarm(adapter);
    // DPCs back on the BH work: the NAPI context goes with the net_device.
    nic.napi_off();
    // SAFETY: a plain grace period; PASSIVE.
    unsafe { bindings::synchronize_rcu() };
    // SAFETY: registered by `attach` (which frees it itself, without
    // this, when registration fails).
    unsafe { ndis_shim_netdev_unregister(bridge.netdev) };
    // A receive-mode update queued before: it sees `detached` and does
    // nothing, but must be over (and its reference on the adapter gone)
    // before the miniport halts. Flushed, not cancelled: a cancelled item
    // would keep its reference.
    adapter.rx_mode_work.flush();
    // The same for a statistics query.
    adapter.stats_work.flush();
    // NDIS 5: the receive packets the shim holds go back before the halt.
    if bridge.handlers.ndis5.is_some() {
        crate::ndis5_nic::close_returns(adapter);
    }
}

/// Frees the net_device and the send pool. After `MiniportHaltEx` (or a
/// failed registration); PASSIVE.
pub(crate) fn detach_after_halt(adapter: &Adapter) {
    let Some(bridge) = adapter.nic.bridge.as_ref() else {
        return;
    };
    if adapter.nic.gone.cmpxchg(false, true, Relaxed).is_err() {
        return;
    }
    // Every call that saw the device live did so inside a lookup's RCU
    // section (or before `detach`'s unregistration returned).
    // SAFETY: a plain grace period; PASSIVE.
    unsafe { bindings::synchronize_rcu() };
    // SAFETY: nothing uses it any more (above); freed once (`gone`).
    unsafe { ndis_shim_netdev_free(bridge.netdev) };
    free_tx_pools(&bridge.handlers, bridge.tx_pool);
}

/// Frees the send pool (and an NDIS 5 adapter's transfer pool).
fn free_tx_pools(handlers: &Handlers, tx_pool: Handle) {
    match &handlers.ndis5 {
        Some(path) => crate::ndis5_nic::free_pools(path, tx_pool),
        None => net_buffer_pool::free_nbl_pool(tx_pool),
    }
}

/// The adapter a net_device callback is for.
///
/// # Safety
///
/// `nic` is the private pointer of a net_device `attach` made, which it
/// passes only while that net_device exists.
unsafe fn adapter_of<'a>(nic: *mut c_void) -> &'a Adapter {
    // SAFETY: the adapter outlives its net_device (safety requirement and
    // `Bridge`'s invariant).
    unsafe { &*nic.cast::<Adapter>() }
}

/// `ndo_open`: `MiniportRestart`, then the packet filter. PASSIVE, RTNL held.
#[no_mangle]
extern "C" fn ndis_shim_nic_open(nic: *mut c_void) -> i32 {
    // SAFETY: called by the net_device's ops with its private pointer.
    let adapter = unsafe { adapter_of(nic) };
    match restart(adapter) {
        Ok(()) => {
            apply_rx_mode(adapter);
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// `ndo_stop`: `MiniportPause`, and every send back. PASSIVE, RTNL held.
#[no_mangle]
extern "C" fn ndis_shim_nic_stop(nic: *mut c_void) -> i32 {
    // SAFETY: called by `ndo_stop` with the net_device's private pointer,
    // while the net_device exists.
    let adapter = unsafe { adapter_of(nic) };
    pause(adapter);
    0
}

fn restart(adapter: &Adapter) -> Result {
    let nic = &adapter.nic;
    let bridge = nic.live().ok_or(ENODEV)?;
    if nic.phase.cmpxchg(PAUSED, RESTARTING, Relaxed).is_err() {
        return Err(EBUSY);
    }
    let status = match bridge.handlers.restart {
        Some(restart) => {
            let mut params = abi::NDIS_MINIPORT_RESTART_PARAMETERS {
                Header: abi::NDIS_OBJECT_HEADER {
                    Type: abi::NDIS_OBJECT_TYPE_DEFAULT as u8,
                    Revision: abi::NDIS_MINIPORT_RESTART_PARAMETERS_REVISION_1 as u8,
                    Size: abi::NDIS_SIZEOF_MINIPORT_RESTART_PARAMETERS_REVISION_1 as u16,
                },
                RestartAttributes: null_mut(),
                Flags: 0,
            };
            nic.restart_done.store(false, Relaxed);
            // SAFETY: the miniport's MiniportRestart with its own context,
            // at PASSIVE_LEVEL; the parameters live across the call.
            let status = NdisStatus(unsafe { restart(adapter.context(), &mut params) });
            if status == NdisStatus::PENDING {
                if !wait_for(&nic.restart_done) {
                    dev_err!(
                        adapter.device(),
                        "{}: MiniportRestart pended and never completed\n",
                        adapter.driver.name()
                    );
                    nic.phase.store(PAUSED, Relaxed);
                    return Err(ETIMEDOUT);
                }
                NdisStatus(nic.restart_status.load(Relaxed))
            } else {
                status
            }
        }
        None => NdisStatus::SUCCESS,
    };
    if !status.is_success() {
        dev_err!(
            adapter.device(),
            "{}: MiniportRestart failed: {:#010x}\n",
            adapter.driver.name(),
            status.0 as u32
        );
        nic.phase.store(PAUSED, Relaxed);
        return Err(EIO);
    }
    nic.phase.store(RUNNING, Release);
    Ok(())
}

fn pause(adapter: &Adapter) {
    let nic = &adapter.nic;
    let Some(bridge) = nic.live() else {
        return;
    };
    if nic.phase.cmpxchg(RUNNING, PAUSING, Relaxed).is_err() {
        return;
    }
    if let Some(pause) = bridge.handlers.pause {
        let mut params = abi::NDIS_MINIPORT_PAUSE_PARAMETERS {
            Header: abi::NDIS_OBJECT_HEADER {
                Type: abi::NDIS_OBJECT_TYPE_DEFAULT as u8,
                Revision: abi::NDIS_MINIPORT_PAUSE_PARAMETERS_REVISION_1 as u8,
                Size: abi::NDIS_SIZEOF_MINIPORT_PAUSE_PARAMETERS_REVISION_1 as u16,
            },
            Flags: 0,
            // The adapter is going away (unload or removal: `detach`
            // unregisters the net_device), else Linux took the interface
            // down, which NDIS has no reason of its own for.
            PauseReason: if nic.detached.load(Acquire) {
                abi::NDIS_PAUSE_MINIPORT_DEVICE_REMOVE
            } else {
                abi::NDIS_PAUSE_NDIS_INTERNAL
            },
        };
        nic.pause_done.store(false, Relaxed);
        // SAFETY: the miniport's MiniportPause with its own context, at
        // PASSIVE_LEVEL; the parameters live across the call.
        let status = NdisStatus(unsafe { pause(adapter.context(), &mut params) });
        if status == NdisStatus::PENDING && !wait_for(&nic.pause_done) {
            dev_err!(
                adapter.device(),
                "{}: MiniportPause pended and never completed\n",
                adapter.driver.name()
            );
        }
    }
    // NDIS 5.1: the sends a miniport still queues are cancelled.
    if let Some(path) = &bridge.handlers.ndis5 {
        crate::ndis5_nic::cancel_sends(adapter, path);
    }
    // NDIS completes a pause only once every send is back; a miniport
    // that did not gets a bounded wait.
    let mut waited = 0;
    while nic.outstanding.load(Acquire) != 0 && waited < COMPLETION_WAIT_MS {
        fsleep(Delta::from_millis(1));
        waited += 1;
    }
    let left = nic.outstanding.load(Acquire);
    if left != 0 {
        dev_err!(
            adapter.device(),
            "{}: paused with {} send(s) not completed\n",
            adapter.driver.name(),
            left
        );
    }
    nic.phase.store(PAUSED, Release);
    // Byte queue limits start over only with nothing outstanding: a late
    // completion after a reset would complete more than was queued, which
    // BQL treats as a bug.
    let _serialised = nic.tx_completion.lock();
    if nic.outstanding.load(Relaxed) == 0 {
        // SAFETY: the live net_device.
        unsafe { ndis_shim_tx_reset(bridge.netdev) };
    }
}

/// `NdisMPauseComplete`.
pub(crate) fn pause_complete(adapter: &Adapter) {
    if adapter.nic.phase.load(Relaxed) != PAUSING {
        adapter.reject("NdisMPauseComplete", "no pause in progress");
        return;
    }
    adapter.nic.pause_done.store(true, Release);
}

/// `NdisMRestartComplete`.
pub(crate) fn restart_complete(adapter: &Adapter, status: NdisStatus) {
    if adapter.nic.phase.load(Relaxed) != RESTARTING {
        adapter.reject("NdisMRestartComplete", "no restart in progress");
        return;
    }
    adapter.nic.restart_status.store(status.0, Relaxed);
    adapter.nic.restart_done.store(true, Release);
}

/// `ndo_start_xmit`: hands `skb` to the miniport as an NBL. Bottom halves
/// off (DISPATCH_LEVEL). Returns nonzero to have the stack retry later.
#[no_mangle]
extern "C" fn ndis_shim_nic_xmit(nic: *mut c_void, skb: *mut c_void) -> i32 {
    // SAFETY: called by `ndo_start_xmit` with the net_device's private
    // pointer, while the net_device exists.
    let adapter = unsafe { adapter_of(nic) };
    let skb = skb.cast::<RawSkb>();
    let nic = &adapter.nic;
    let Some(bridge) = nic.live() else {
        return 1;
    };
    if nic.phase.load(Acquire) != RUNNING {
        // SAFETY: the stack's skb, ours now; the live net_device.
        unsafe { ndis_shim_tx_done(bridge.netdev, skb, false) };
        return 0;
    }
    // What the stack left to the device: asked of the miniport, or done
    // here in software, in place (an NDIS 5 miniport offloads nothing:
    // its checksums are always done here).
    let (mut csum_info, mut lso_info) = (0usize, 0usize);
    // SAFETY: the stack's skb, ours until freed; two writable words.
    if unsafe { ndis_shim_skb_offload(skb, bridge.offload_caps, &mut csum_info, &mut lso_info) }
        != 0
    {
        // SAFETY: the stack's skb, ours until freed (here, once); the live
        // net_device (`Bridge` invariant).
        unsafe { ndis_shim_tx_done(bridge.netdev, skb, false) };
        return 0;
    }
    if let Some(path) = &bridge.handlers.ndis5 {
        return crate::ndis5_nic::xmit(adapter, bridge, path, skb);
    }
    let Some(send) = bridge.handlers.send else {
        // SAFETY: the stack's skb, ours now; the live net_device.
        unsafe { ndis_shim_tx_done(bridge.netdev, skb, false) };
        return 0;
    };
    // SAFETY: the stack's skb, valid until we free it.
    let Some(nbl) = (unsafe { nbl_of_skb(bridge, skb) }) else {
        // SAFETY: the stack's skb, still ours (`nbl_of_skb` failed and kept
        // nothing of it); the live net_device (`Bridge` invariant).
        unsafe { ndis_shim_tx_done(bridge.netdev, skb, false) };
        return 0;
    };
    // SAFETY: a fresh NBL of the shim's: its information array is the
    // sender's to fill.
    unsafe {
        let info = &mut (*nbl).NetBufferListInfo;
        info[abi::TcpIpChecksumNetBufferListInfo as usize] = csum_info as abi::PVOID;
        info[abi::TcpLargeSendNetBufferListInfo as usize] = lso_info as abi::PVOID;
    }
    // SAFETY: the stack's skb, held by the NBL and not freed before the
    // miniport completes it.
    let len = unsafe { ndis_shim_skb_len(skb) };
    // SAFETY: the live net_device; counted before the miniport may complete.
    unsafe { ndis_shim_tx_sent(bridge.netdev, len) };
    let out = nic.outstanding.fetch_add(1, Relaxed) + 1;
    trace::net(c"send", bridge.handle.into_raw() as usize, 1, len, 0);
    // SAFETY: the miniport's MiniportSendNetBufferLists with its own
    // context, at DISPATCH_LEVEL (as the flag says), on an NBL the shim
    // owns until the miniport completes it.
    unsafe {
        send(
            adapter.context(),
            nbl,
            0,
            abi::NDIS_SEND_FLAGS_DISPATCH_LEVEL,
        )
    };
    tx_cap_check(nic, bridge, out);
    0
}

/// An NBL with one NET_BUFFER over `skb`'s data, in place. `None` when out
/// of memory or when a fragment has no kernel address.
///
/// # Safety
///
/// `skb` is a valid skb that stays allocated until the NBL is freed.
unsafe fn nbl_of_skb(bridge: &Bridge, skb: *mut RawSkb) -> Option<*mut abi::NET_BUFFER_LIST> {
    // SAFETY: valid skb (safety requirement).
    let mdls = unsafe { mdls_of_skb(skb) }?;
    // SAFETY: valid skb.
    let len = unsafe { ndis_shim_skb_len(skb) };
    // SAFETY: the block `mdls_of_skb` made.
    let chain = if unsafe { (*mdls).ByteCount } == 0 {
        null_mut()
    } else {
        mdls
    };
    // SAFETY: the chain describes the skb's data, which outlives the NBL
    // (safety requirement).
    let Some(data) = (unsafe { InitialData::new(chain, 0, len) }) else {
        // SAFETY: allocated above, not linked anywhere.
        unsafe { bindings::kfree(mdls.cast()) };
        return None;
    };
    let nbl = net_buffer_pool::allocate_nbl("ndo_start_xmit", bridge.tx_pool, 0, 0, Some(data));
    if nbl.is_null() {
        // SAFETY: allocated above, not linked anywhere.
        unsafe { bindings::kfree(mdls.cast()) };
        return None;
    }
    // SAFETY: a fresh NBL of the shim's pool: the protocol-reserved area
    // is the shim's (the sender's) to use.
    unsafe {
        (*nbl).ProtocolReserved[0] = skb.cast();
        (*nbl).ProtocolReserved[1] = mdls.cast();
        (*nbl).SourceHandle = bridge.handle.into_raw() as abi::NDIS_HANDLE;
    }
    Some(nbl)
}

/// `NdisMSendNetBufferListsComplete`: frees each NBL and its skb.
///
/// # Safety
///
/// `nbls` is NULL or a chain of readable NBLs (linked by `Next`) that the
/// miniport gives back.
pub(crate) unsafe fn send_complete(adapter: &Adapter, mut nbls: *mut abi::NET_BUFFER_LIST) {
    const CALL: &str = "NdisMSendNetBufferListsComplete";
    let nic = &adapter.nic;
    let Some(bridge) = nic.live() else {
        adapter.reject(CALL, "the adapter has no net_device");
        return;
    };
    let pool = bridge.tx_pool.into_raw() as abi::NDIS_HANDLE;
    let (mut pkts, mut bytes, mut failed) = (0u32, 0u32, 0u32);
    while !nbls.is_null() {
        // SAFETY: readable NBL (safety requirement).
        let (next, ours, status, skb, mdls) = unsafe {
            (
                (*nbls).__bindgen_anon_1.__bindgen_anon_1.Next,
                (*nbls).NdisPoolHandle == pool,
                (*nbls).__bindgen_anon_2.Status,
                (*nbls).ProtocolReserved[0].cast::<RawSkb>(),
                (*nbls).ProtocolReserved[1],
            )
        };
        if !ours {
            // Not freed (not the shim's), and the rest still completed.
            adapter.reject(CALL, "an NBL the shim did not send");
            nbls = next;
            continue;
        }
        // SAFETY: one of the shim's NBLs: its skb and MDL block are the
        // ones `nbl_of_skb` stored, and the miniport is done with them.
        unsafe {
            bytes = bytes.wrapping_add(ndis_shim_skb_len(skb));
            ndis_shim_tx_done(bridge.netdev, skb, status == 0);
            if status != 0 {
                failed = status as u32;
            }
            bindings::kfree(mdls);
            net_buffer_pool::free_nbl(bridge.tx_pool, nbls);
        }
        pkts += 1;
        nbls = next;
    }
    if pkts == 0 {
        return;
    }
    trace::net(
        c"send-complete",
        bridge.handle.into_raw() as usize,
        pkts,
        bytes,
        failed,
    );
    tx_accounted(nic, bridge, pkts, bytes, true);
}

/// `NdisMIndicateReceiveNetBufferLists`: copies each NET_BUFFER into an
/// skb for the stack, then returns the NBLs (unless `resources`: the
/// miniport takes them back when this returns).
///
/// # Safety
///
/// `nbls` is NULL or a chain of readable NBLs whose NET_BUFFERs and MDL
/// chains are readable for the call.
pub(crate) unsafe fn indicate_receive(
    adapter: &Adapter,
    nbls: *mut abi::NET_BUFFER_LIST,
    count: u32,
    resources: bool,
) {
    const CALL: &str = "NdisMIndicateReceiveNetBufferLists";
    let nic = &adapter.nic;
    let Some(bridge) = nic.live() else {
        adapter.reject(CALL, "the adapter has no net_device; dropped");
        // Dropped, but returned as NDIS would: the miniport's buffers.
        let ret = match adapter.driver.registration().map(|r| r.characteristics) {
            Some(Characteristics::Ndis6(c)) => c.ReturnNetBufferListsHandler,
            _ => None,
        };
        if let (false, false, Some(ret)) = (resources, nbls.is_null(), ret) {
            // SAFETY: the miniport's MiniportReturnNetBufferLists with its
            // own context, on the NBLs it indicated, untouched here.
            unsafe { ret(adapter.context(), nbls, return_flags()) };
        }
        return;
    };
    let deliver = nic.phase.load(Acquire) != PAUSED;
    let mut nbl = nbls;
    let mut seen = 0;
    while !nbl.is_null() && seen < count {
        // SAFETY: readable NBL (safety requirement).
        let (next, mut nb, csum) = unsafe {
            (
                (*nbl).__bindgen_anon_1.__bindgen_anon_1.Next,
                (*nbl).__bindgen_anon_1.__bindgen_anon_1.FirstNetBuffer,
                (*nbl).NetBufferListInfo[abi::TcpIpChecksumNetBufferListInfo as usize] as usize,
            )
        };
        // SAFETY: a plain decode of the value.
        let csum_ok = unsafe { ndis_shim_rx_csum_ok(csum) };
        while !nb.is_null() {
            // SAFETY: readable NET_BUFFER and chains (safety requirement).
            let view = unsafe { NetBufferView::read(nb) };
            if deliver {
                receive_one(adapter, bridge, &view, csum_ok);
            } else {
                // SAFETY: the live net_device.
                unsafe { ndis_shim_rx_dropped(bridge.netdev) };
            }
            // SAFETY: `nb` non-NULL, a readable NET_BUFFER (safety requirement).
            nb = unsafe { (*nb).__bindgen_anon_1.__bindgen_anon_1.Next };
        }
        seen += 1;
        nbl = next;
    }
    if !deliver {
        adapter.reject(CALL, "indicated while paused; dropped");
    }
    trace::net(
        c"receive",
        bridge.handle.into_raw() as usize,
        seen,
        u32::from(resources),
        0,
    );
    if let (false, false, Some(ret)) = (resources, nbls.is_null(), bridge.handlers.ret) {
        // SAFETY: the miniport's MiniportReturnNetBufferLists with its own
        // context, on the NBLs it indicated, which the shim is done with.
        unsafe { ret(adapter.context(), nbls, return_flags()) };
    }
}

/// `MiniportReturnNetBufferLists`' flags where the shim stands.
fn return_flags() -> u32 {
    if memory::may_sleep() {
        0
    } else {
        abi::NDIS_RETURN_FLAGS_DISPATCH_LEVEL
    }
}

/// Copies one NET_BUFFER's data into a new skb and delivers it; `csum_ok`:
/// the miniport verified its TCP/UDP checksum.
fn receive_one(adapter: &Adapter, bridge: &Bridge, view: &NetBufferView, csum_ok: bool) {
    receive_frame(
        adapter,
        bridge,
        "NdisMIndicateReceiveNetBufferLists",
        view.current,
        view.current_mdl_offset,
        view.data_length,
        csum_ok,
    );
}

/// `ndo_set_rx_mode`: atomic context; the OID requests run from a work item.
#[no_mangle]
extern "C" fn ndis_shim_nic_rx_mode(nic: *mut c_void) {
    // SAFETY: `nic` is the net_device's private pointer, `Arc::as_ptr` of
    // its adapter (`attach`), which outlives the net_device (`Bridge`'s
    // invariant) and so this call.
    let adapter = unsafe { ArcBorrow::<Adapter>::from_raw(nic.cast()) };
    let adapter: Arc<Adapter> = adapter.into();
    let _ = workqueue::system().enqueue::<Arc<Adapter>, 0>(adapter);
}

impl WorkItem<0> for Adapter {
    type Pointer = Arc<Adapter>;

    fn run(adapter: Arc<Adapter>) {
        apply_rx_mode(&adapter);
    }
}

/// Sets the packet filter and multicast list from the interface's flags
/// and list. PASSIVE.
fn apply_rx_mode(adapter: &Adapter) {
    let nic = &adapter.nic;
    let Some(bridge) = nic.live() else {
        return;
    };
    if nic.detached.load(Acquire) {
        return;
    }
    let Some(general) = *nic.general.lock() else {
        return;
    };
    let mut list = KVec::new();
    if list.resize(MAX_MULTICAST * 6, 0u8, GFP_KERNEL).is_err() {
        return;
    }
    // SAFETY: the live net_device; `list` holds MAX_MULTICAST addresses.
    let (flags, n) = unsafe {
        (
            ndis_shim_netdev_flags(bridge.netdev),
            ndis_shim_netdev_multicast(bridge.netdev, list.as_mut_ptr(), MAX_MULTICAST as u32),
        )
    };
    let n = n.max(0) as usize;
    let fits = n <= (general.max_multicast as usize).min(MAX_MULTICAST);
    let mut filter = abi::NDIS_PACKET_TYPE_DIRECTED | abi::NDIS_PACKET_TYPE_BROADCAST;
    if flags & IFF_PROMISC != 0 {
        filter |= abi::NDIS_PACKET_TYPE_PROMISCUOUS;
    }
    if flags & IFF_ALLMULTI != 0 || !fits {
        filter |= abi::NDIS_PACKET_TYPE_ALL_MULTICAST;
    } else if n > 0 {
        filter |= abi::NDIS_PACKET_TYPE_MULTICAST;
    }
    // What the miniport cannot filter for, it is not asked to.
    if general.packet_filters != 0 {
        filter &= general.packet_filters;
    }
    if fits && general.max_multicast > 0 {
        list.truncate(n * 6);
        let _ = set_oid(adapter, bridge, abi::OID_802_3_MULTICAST_LIST, list);
    }
    if nic.packet_filter.load(Relaxed) != filter {
        let mut value = KVec::new();
        if value
            .extend_from_slice(&filter.to_ne_bytes(), GFP_KERNEL)
            .is_ok()
            && set_oid(adapter, bridge, abi::OID_GEN_CURRENT_PACKET_FILTER, value).is_ok()
        {
            nic.packet_filter.store(filter, Relaxed);
        }
    }
}

/// Issues a set request for `oid` with `value` and waits for it. PASSIVE.
fn set_oid(adapter: &Adapter, bridge: &Bridge, oid: u32, mut value: KVec<u8>) -> Result {
    let status = match oid_request(adapter, bridge, false, oid, &mut value) {
        Ok((status, _)) => status,
        Err(e) => {
            adapter.nic.oid_failures.fetch_add(1, Relaxed);
            return Err(e);
        }
    };
    if status.is_success() {
        Ok(())
    } else {
        adapter.nic.oid_failures.fetch_add(1, Relaxed);
        dev_warn!(
            adapter.device(),
            "{}: OID {:#010x} failed: {:#010x}\n",
            adapter.driver.name(),
            oid,
            status.0 as u32
        );
        Err(EIO)
    }
}

/// An OID request the shim could not allocate (or failed on purpose,
/// `fail_oids`): logged, `ENOMEM`.
fn not_issued(adapter: &Adapter, oid: u32) -> Error {
    dev_warn!(
        adapter.device(),
        "{}: OID {:#010x} not issued: no memory for the request\n",
        adapter.driver.name(),
        oid
    );
    ENOMEM
}

/// Issues one OID request (a query, else a set) with `buffer` as its
/// information buffer, waiting for `NdisMOidRequestComplete` if it pends:
/// its status and `BytesWritten` (a query) or `BytesRead`. PASSIVE.
fn oid_request(
    adapter: &Adapter,
    bridge: &Bridge,
    query: bool,
    oid: u32,
    buffer: &mut KVec<u8>,
) -> Result<(NdisStatus, u32)> {
    // Fault injection (debugfs `fail_oids`) fails set requests only, on
    // both paths: the statistics queries run on their own schedule.
    if !query && take_injected(&FAIL_OIDS) {
        return Err(not_issued(adapter, oid));
    }
    if let Some(path) = &bridge.handlers.ndis5 {
        return crate::ndis5_nic::request(adapter, path, query, oid, buffer);
    }
    let nic = &adapter.nic;
    let Some(handler) = bridge.handlers.oid else {
        return Err(ENOTSUPP);
    };
    let _one_at_a_time = nic.oid.lock();
    // SAFETY: all-zero is a valid request (pointers NULL, numbers 0).
    let mut request: abi::NDIS_OID_REQUEST = unsafe { core::mem::zeroed() };
    request.Header = abi::NDIS_OBJECT_HEADER {
        Type: abi::NDIS_OBJECT_TYPE_OID_REQUEST as u8,
        Revision: abi::NDIS_OID_REQUEST_REVISION_1 as u8,
        Size: abi::NDIS_SIZEOF_OID_REQUEST_REVISION_1 as u16,
    };
    let (buf, len) = (buffer.as_mut_ptr().cast(), buffer.len() as u32);
    if query {
        request.RequestType = abi::NdisRequestQueryInformation;
        request.DATA.QUERY_INFORMATION.Oid = oid;
        request.DATA.QUERY_INFORMATION.InformationBuffer = buf;
        request.DATA.QUERY_INFORMATION.InformationBufferLength = len;
    } else {
        request.RequestType = abi::NdisRequestSetInformation;
        request.DATA.SET_INFORMATION.Oid = oid;
        request.DATA.SET_INFORMATION.InformationBuffer = buf;
        request.DATA.SET_INFORMATION.InformationBufferLength = len;
    }
    let Ok(mut request) = KBox::new(request, GFP_KERNEL) else {
        return Err(not_issued(adapter, oid));
    };
    let address = &raw mut *request as usize;
    nic.oid_done.store(false, Relaxed);
    nic.oid_pending.store(address, Release);
    // SAFETY: the miniport's MiniportOidRequest with its own context, at
    // PASSIVE_LEVEL; the request and its buffer live until it completes.
    let status = NdisStatus(unsafe { handler(adapter.context(), &raw mut *request) });
    let status = oid_outcome(adapter, oid, status, || {
        // The miniport may still write them.
        core::mem::forget(core::mem::take(buffer));
    });
    let status = match status {
        Ok(s) => s,
        Err(e) => {
            core::mem::forget(request);
            return Err(e);
        }
    };
    // SAFETY: the union member the request was made with; the miniport
    // has completed it.
    let bytes = unsafe {
        if query {
            request.DATA.QUERY_INFORMATION.BytesWritten
        } else {
            request.DATA.SET_INFORMATION.BytesRead
        }
    };
    trace::net(
        if query { c"oid-query" } else { c"oid-set" },
        bridge.handle.into_raw() as usize,
        bytes,
        oid,
        status.0 as u32,
    );
    Ok((status, bytes))
}

/// `ndo_get_stats64`'s source: the counters the miniport last reported to
/// `OID_GEN_STATISTICS` (see [`crate::net_stats`]), written to `values`
/// with the mask of those it keeps in `valid`; asks for fresh ones when
/// they are more than a second old. Any context.
#[no_mangle]
extern "C" fn ndis_shim_nic_stats(nic: *mut c_void, values: *mut u64, valid: *mut u32) {
    // SAFETY: `nic` is the net_device's private pointer, `Arc::as_ptr` of
    // its adapter (`attach`), which outlives the net_device (`Bridge`'s
    // invariant) and so this call.
    let adapter = unsafe { ArcBorrow::<Adapter>::from_raw(nic.cast()) };
    let stats = *adapter.nic.stats.lock();
    // SAFETY: `values` holds `net_stats::COUNT` counters, `valid` one
    // word (the C caller's locals).
    unsafe {
        core::ptr::copy_nonoverlapping(stats.values.as_ptr(), values, net_stats::COUNT);
        *valid = stats.valid;
    }
    let nic = &adapter.nic;
    // SAFETY: reads the jiffies counter.
    let now = unsafe { bindings::jiffies } as u64;
    let then = nic.stats_asked.load(Relaxed);
    if nic.stats_unsupported.load(Relaxed)
        || nic.detached.load(Acquire)
        || now.wrapping_sub(then) < u64::from(bindings::HZ)
        || nic.stats_asked.cmpxchg(then, now, Relaxed).is_err()
    {
        return;
    }
    let _ = workqueue::system().enqueue::<Arc<Adapter>, 3>(adapter.into());
}

impl_has_work! {
    impl HasWork<Adapter, 3> for Adapter { self.stats_work }
}

impl WorkItem<3> for Adapter {
    type Pointer = Arc<Adapter>;

    fn run(adapter: Arc<Adapter>) {
        refresh_stats(&adapter);
    }
}

/// Queries `OID_GEN_STATISTICS` into the adapter's counters. PASSIVE.
fn refresh_stats(adapter: &Adapter) {
    let nic = &adapter.nic;
    let Some(bridge) = nic.live() else {
        return;
    };
    if nic.detached.load(Acquire) {
        return;
    }
    if let Some(path) = &bridge.handlers.ndis5 {
        crate::ndis5_nic::refresh_stats(adapter, path);
        return;
    }
    let size = core::mem::size_of::<abi::NDIS_STATISTICS_INFO>();
    let mut buffer = KVec::new();
    if buffer.resize(size, 0u8, GFP_KERNEL).is_err() {
        return;
    }
    match oid_request(adapter, bridge, true, abi::OID_GEN_STATISTICS, &mut buffer) {
        Ok((status, written))
            if status.is_success() && written >= abi::NDIS_SIZEOF_STATISTICS_INFO_REVISION_1 =>
        {
            // SAFETY: `buffer` holds a whole `NDIS_STATISTICS_INFO` (its
            // size above), the miniport's answer.
            let info = unsafe {
                buffer
                    .as_ptr()
                    .cast::<abi::NDIS_STATISTICS_INFO>()
                    .read_unaligned()
            };
            *nic.stats.lock() = LinkStats::from_info(&info);
        }
        Ok((status, _)) => {
            // Not kept (NOT_SUPPORTED, INVALID_OID, a short answer): the
            // shim's own counts from now on.
            nic.stats_unsupported.store(true, Relaxed);
            dev_info!(
                adapter.device(),
                "{}: OID_GEN_STATISTICS answered {:#010x}: interface counters are the shim's\n",
                adapter.driver.name(),
                status.0 as u32
            );
        }
        Err(_) => {}
    }
}

/// `NdisMOidRequestComplete`: `request` is the address the miniport passed.
pub(crate) fn oid_complete(adapter: &Adapter, request: usize, status: NdisStatus) {
    let nic = &adapter.nic;
    if request == 0 || nic.oid_pending.load(Acquire) != request {
        adapter.reject("NdisMOidRequestComplete", "not the request the shim pended");
        return;
    }
    nic.oid_status.store(status.0, Relaxed);
    nic.oid_done.store(true, Release);
}

/// ethtool's `get_link_ksettings`: the last speed (Mbit/s, `u32::MAX` for
/// unknown) and duplex (0 half, 1 full, 0xff unknown: `DUPLEX_*`) the
/// miniport declared or indicated.
#[no_mangle]
extern "C" fn ndis_shim_nic_link(nic: *mut c_void, speed_mbps: *mut u32, duplex: *mut u8) {
    // SAFETY: called by ethtool's `get_link_ksettings` with the net_device's
    // private pointer, while the net_device exists.
    let adapter = unsafe { adapter_of(nic) };
    let bps = adapter.nic.link_speed.load(Relaxed);
    let mbps = if bps == u64::MAX || bps == 0 {
        u32::MAX
    } else {
        u32::try_from(bps / 1_000_000).unwrap_or(u32::MAX)
    };
    let d = match adapter.nic.duplex.load(Relaxed) {
        abi::MediaDuplexStateHalf => 0,
        abi::MediaDuplexStateFull => 1,
        _ => 0xff,
    };
    // SAFETY: two writable outputs (the C caller's locals).
    unsafe {
        *speed_mbps = mbps;
        *duplex = d;
    }
}

/// `ndo_tx_timeout`: a send queue stalled past the watchdog's time. As
/// for a TRUE `MiniportCheckForHangEx`, the miniport is reset, from the
/// adapter's reset work (atomic context here).
#[no_mangle]
extern "C" fn ndis_shim_nic_tx_timeout(nic: *mut c_void) {
    // SAFETY: `nic` is the net_device's private pointer, `Arc::as_ptr` of
    // its adapter (`attach`), which outlives the net_device (`Bridge`'s
    // invariant) and so this call.
    let adapter = unsafe { ArcBorrow::<Adapter>::from_raw(nic.cast()) };
    if adapter.nic.resetting.load(Acquire) {
        // An NDIS 5 reset stops the queue until it completes (up to the
        // reset's 10 s wait, past the watchdog's 5 s): that reset is the
        // answer already, a second would follow it for nothing.
        dev_warn!(
            adapter.device(),
            "{}: transmit timed out during a reset: no second reset\n",
            adapter.driver.name()
        );
        return;
    }
    dev_warn!(
        adapter.device(),
        "{}: transmit timed out ({} NBL(s) at the miniport): resetting\n",
        adapter.driver.name(),
        adapter.nic.outstanding.load(Relaxed)
    );
    reset::schedule(adapter.into());
}

/// ethtool's driver name: the miniport module's.
#[no_mangle]
extern "C" fn ndis_shim_nic_drvinfo(nic: *mut c_void, driver: *mut u8, len: usize) {
    // SAFETY: called by ethtool's `get_drvinfo` with the net_device's
    // private pointer, while the net_device exists.
    let adapter = unsafe { adapter_of(nic) };
    let name = adapter.driver.c_name().to_bytes();
    let n = name.len().min(len.saturating_sub(1));
    // SAFETY: `driver` holds `len` bytes (ethtool's drvinfo field).
    unsafe {
        core::ptr::copy_nonoverlapping(name.as_ptr(), driver, n);
        *driver.add(n) = 0;
    }
}
