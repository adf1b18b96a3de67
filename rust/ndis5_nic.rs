// SPDX-License-Identifier: GPL-2.0

//! An NDIS 5 network adapter in front of the same net_device bridge as an
//! NDIS 6 one ([`crate::net_device`], `rust/netdev_helpers.c`): one Linux
//! side, two NDIS generations. What differs is here:
//!
//! - **Start.** NDIS 5 has no general attributes: the shim asks
//!   `MiniportQueryInformation` for `OID_802_3_CURRENT_ADDRESS` (else
//!   `OID_802_3_PERMANENT_ADDRESS`), `OID_GEN_MAXIMUM_FRAME_SIZE`,
//!   `OID_GEN_MEDIA_CONNECT_STATUS`, `OID_GEN_LINK_SPEED` and
//!   `OID_802_3_MAXIMUM_LIST_SIZE`, and declares what they answer as an
//!   NDIS 6 miniport's attributes would.
//! - **Send.** Each skb becomes an `NDIS_PACKET` of the shim's own packet
//!   pool whose `NDIS_BUFFER` chain describes the skb in place, handed to
//!   `MiniportSendPackets` (one packet per call) or else `MiniportSend`.
//!   A result of SUCCESS or a failure completes it at once, PENDING at
//!   `NdisMSendComplete`; NDIS_STATUS_RESOURCES gives the skb back to the
//!   queue discipline (the queue stops) until `NdisMSendResourcesAvailable`
//!   wakes it.
//! - **Serialization.** Unless `NdisMSetAttributesEx` set
//!   `NDIS_ATTRIBUTE_DESERIALIZE`, the shim calls Send(Packets), Query and
//!   Set information one at a time (a per-adapter lock, bottom halves off:
//!   DISPATCH_LEVEL). A send that finds the lock taken goes back to the
//!   queue discipline and is retried.
//! - **Receive.** `NdisMEthIndicateReceive` copies header and lookahead
//!   into a new skb and, when the lookahead is short, has
//!   `MiniportTransferData` fill the rest in place (PENDING:
//!   `NdisMTransferDataComplete`, once). `NdisMIndicateReceivePacket`
//!   copies each packet; one with status NDIS_STATUS_RESOURCES, and every
//!   later one in the array, is the miniport's again on return, the others
//!   get NDIS_STATUS_PENDING and go back through `MiniportReturnPacket`
//!   from the adapter's return work, after the call returned.
//! - **Reset.** No send while a reset is in progress (the queue stopped);
//!   the sends a serialized miniport held are completed by the shim when
//!   the reset completed ([`complete_abandoned_sends`]).
//! - **Completions** look the packet up in the shim's pool by address
//!   before reading it: forged pointers are refused.
//! - **Status.** `NDIS_STATUS_MEDIA_CONNECT`/`_DISCONNECT` drive the carrier.
//! - **Statistics** from `OID_GEN_XMIT_OK`, `RCV_OK`, `XMIT_ERROR`,
//!   `RCV_ERROR` and `RCV_NO_BUFFER`.

use core::{
    ffi::c_void,
    sync::atomic::{AtomicPtr, AtomicU64, Ordering},
};
use kernel::{
    bindings,
    prelude::*,
    sync::{
        atomic::{Acquire, Relaxed, Release},
        Arc,
    },
    workqueue::{self, impl_has_work, WorkItem},
};

use crate::{
    abi,
    adapter::Adapter,
    handle::Handle,
    memory,
    net_buffer::{ListBuffer, MdlChain, NetBufferView},
    net_stats::{self, LinkStats},
    netdev_io::{self, RawSkb, StatusIndication},
    nic::{Bridge, GeneralAttributes, Handlers, Ndis5Path, PAUSED},
    packet_pool, sg, sg_dma,
    status::NdisStatus,
    trace,
    work_sync::Flush,
};

/// Descriptors of the shim's send pool: as many packets as the NDIS 6
/// side keeps NBLs at a miniport.
const TX_PACKETS: u32 = netdev_io::TX_CAP;
/// Descriptors of the shim's transfer pool: receives whose
/// `MiniportTransferData` is in progress.
const RX_PACKETS: u32 = 64;

/// `oid_pending` while a query or set information call is out.
const QUERY_PENDING: usize = 1;
const SET_PENDING: usize = 2;

/// A send packet's state (in its [`TxReserved`]): the low 32 bits.
const SENDING: u64 = 1;
/// Send(Packets) returned: the miniport holds it until `NdisMSendComplete`.
const WAITING: u64 = 2;
/// `NdisMSendComplete` came during Send(Packets): completed on return,
/// with the status in the high 32 bits ([`early`]).
const EARLY: u64 = 3;

/// The state word of an [`EARLY`] completion with `status`: one word, so
/// the completion's one CAS both claims the packet and leaves its status
/// (a status written before the CAS could land in a packet already freed
/// and reused, if the completion was a duplicate).
const fn early(status: i32) -> u64 {
    EARLY | ((status as u32 as u64) << 32)
}

/// The status an [`early`] state word holds.
const fn early_status(word: u64) -> NdisStatus {
    NdisStatus((word >> 32) as u32 as i32)
}

/// What a send packet's `ProtocolReserved` holds (the shim is its
/// protocol).
///
/// # Invariants
///
/// From `xmit` until the packet is freed, `skb` is the stack's skb the
/// packet describes and `mdls` the block of MDLs over it (kmalloc'ed),
/// both owned by the packet.
#[repr(C)]
struct TxReserved {
    skb: *mut RawSkb,
    /// The block of MDLs over the skb (`netdev_io::mdls_of_skb`).
    mdls: *mut abi::MDL,
    /// [`SENDING`], [`WAITING`], an [`early`] completion, or 0 once taken.
    state: AtomicU64,
}

/// What a transfer packet's `ProtocolReserved` holds.
///
/// # Invariants
///
/// `skb` is the receive skb the transfer fills, owned by the packet, or
/// NULL once [`transfer_done`] took it (a second completion finds NULL);
/// `mdl` describes the skb's last `wanted` bytes.
#[repr(C)]
struct RxReserved {
    skb: AtomicPtr<RawSkb>,
    /// Bytes `MiniportTransferData` is to write.
    wanted: u32,
    /// The buffer over the skb's tail.
    mdl: abi::MDL,
}

/// `NDIS_PER_PACKET_INFO_FROM_PACKET(packet, id)`.
///
/// # Safety
///
/// `packet` is a pool packet (its OOB data and extension follow it at
/// `NdisPacketOobOffset`); `id` is below `MaxPerPacketInfo`.
unsafe fn per_packet_info_slot(packet: *mut abi::NDIS_PACKET, id: u32) -> *mut abi::PVOID {
    // SAFETY: the extension lies right after the OOB data of a pool
    // packet, and has `MaxPerPacketInfo` slots (safety requirement).
    unsafe {
        let ext = packet
            .cast::<u8>()
            .add(usize::from((*packet).Private.NdisPacketOobOffset))
            .add(core::mem::size_of::<abi::NDIS_PACKET_OOB_DATA>())
            .cast::<abi::NDIS_PACKET_EXTENSION>();
        (&raw mut (*ext).NdisPacketInfo)
            .cast::<abi::PVOID>()
            .add(id as usize)
    }
}

/// `NDIS_PER_PACKET_INFO_FROM_PACKET(packet, ScatterGatherListPacketInfo)`.
///
/// # Safety
///
/// `packet` is a pool packet (its OOB data and extension follow it at
/// `NdisPacketOobOffset`).
pub(crate) unsafe fn sg_list_slot(packet: *mut abi::NDIS_PACKET) -> *mut abi::PVOID {
    // SAFETY: a pool packet (safety requirement); a valid slot.
    unsafe { per_packet_info_slot(packet, abi::ScatterGatherListPacketInfo) }
}

/// `NdisMInitializeScatterGatherDma` succeeded with the registration `h`:
/// every send is mapped through it from now on.
pub(crate) fn use_sg_dma(adapter: &Adapter, h: Handle) {
    adapter.nic.ndis5.sg_dma.store(h.into_raw(), Release);
}

/// Unmaps the SG list of a send packet, if it has one.
///
/// # Safety
///
/// `packet` is one of the shim's send packets the device is done with.
unsafe fn unmap_packet(adapter: &Adapter, packet: *mut abi::NDIS_PACKET) {
    // SAFETY: a send packet (safety requirement).
    let slot = unsafe { sg_list_slot(packet) };
    // SAFETY: `slot` points into the send packet's per-packet info, which lives as long as the
    // packet (safety requirement).
    let list = unsafe { slot.replace(core::ptr::null_mut()) };
    if !list.is_null() {
        let h = Handle::from_raw(adapter.nic.ndis5.sg_dma.load(Acquire));
        sg_dma::free_list(h, list as usize, packet as usize);
    }
}

/// Maps a send packet (its MDL chain `mdls`, `len` bytes) through the SG
/// registration `sg`, its list in the per-packet information.
///
/// # Safety
///
/// `packet` is one of the shim's send packets, `mdls` its chain over a
/// live skb.
unsafe fn map_packet(
    sg: u64,
    packet: *mut abi::NDIS_PACKET,
    mdls: *mut abi::MDL,
    len: u32,
) -> bool {
    // SAFETY: the chain over the skb (safety requirement).
    let chain = unsafe { MdlChain::new(mdls) };
    let view = NetBufferView {
        address: packet as usize,
        chain,
        data_offset: 0,
        current: chain,
        current_mdl_offset: 0,
        data_length: len,
    };
    // SAFETY: no buffer of the caller's: the shim's own memory holds it.
    let buf = unsafe { ListBuffer::new(core::ptr::null_mut(), 0) };
    sg_dma::allocate_list(
        Handle::from_raw(sg),
        Some(view),
        packet.cast(),
        sg::SG_LIST_WRITE_TO_DEVICE,
        buf,
    )
    .is_ok()
}

/// `NdisMSetAttributesEx`: the hang-check period and the serialization.
pub(crate) fn set_attributes(adapter: &Adapter, hang_check_seconds: u32, flags: u32) {
    let nic = &adapter.nic;
    nic.hang_check_seconds.store(hang_check_seconds, Relaxed);
    nic.ndis5
        .deserialized
        .store(flags & abi::NDIS_ATTRIBUTE_DESERIALIZE != 0, Relaxed);
}

/// The NDIS 5 handlers the data path calls, and the shim's pools (the
/// send pool is returned apart: it is the bridge's `tx_pool`). `None` when
/// the miniport lacks what a NIC needs (logged).
pub(crate) fn handlers(
    adapter: &Adapter,
    c: &abi::NDIS51_MINIPORT_CHARACTERISTICS,
) -> Result<(Handlers, Handle)> {
    let Some(query) = c.QueryInformationHandler else {
        dev_err!(
            adapter.device(),
            "{}: 802.3 without QueryInformationHandler: no net_device\n",
            adapter.driver.name()
        );
        return Err(EINVAL);
    };
    if c.SendHandler.is_none() && c.SendPacketsHandler.is_none() {
        dev_err!(
            adapter.device(),
            "{}: 802.3 without SendHandler or SendPacketsHandler: no net_device\n",
            adapter.driver.name()
        );
        return Err(EINVAL);
    }
    let reserved = core::mem::size_of::<TxReserved>().max(core::mem::size_of::<RxReserved>());
    let tx_pool = packet_pool::allocate_pool(TX_PACKETS, 0, reserved as u32).map_err(|_| ENOMEM)?;
    let rx_pool = match packet_pool::allocate_pool(RX_PACKETS, 0, reserved as u32) {
        Ok(p) => p,
        Err(_) => {
            packet_pool::free_pool(tx_pool);
            return Err(ENOMEM);
        }
    };
    let cancel = crate::ndis5_pnp::of_characteristics(c).cancel_send_packets;
    if cancel.is_some() {
        // The adapter's own byte on top, the first generation below.
        let partial = u64::from(crate::ndis5_pnp::generate_partial_cancel_id());
        adapter
            .nic
            .ndis5
            .cancel_id
            .store(partial << (usize::BITS - 8) | 1, Relaxed);
    }
    let path = Ndis5Path {
        send: c.SendHandler,
        send_packets: c.SendPacketsHandler,
        query,
        set: c.SetInformationHandler,
        transfer: c.TransferDataHandler,
        ret: c.ReturnPacketHandler,
        reset: c.ResetHandler,
        cancel,
        rx_pool,
    };
    let handlers = Handlers {
        send: None,
        ret: None,
        pause: None,
        restart: None,
        oid: None,
        check_for_hang: c.CheckForHangHandler,
        reset: None,
        ndis5: Some(path),
    };
    Ok((handlers, tx_pool))
}

/// Frees the pools [`handlers`] made. After the miniport halted.
pub(crate) fn free_pools(path: &Ndis5Path, tx_pool: Handle) {
    packet_pool::free_pool(tx_pool);
    packet_pool::free_pool(path.rx_pool);
}

/// Queries what the net_device needs and declares it as general
/// attributes; a miniport that cannot answer gets no net_device (logged).
/// After a successful `MiniportInitialize`; PASSIVE.
pub(crate) fn declare(adapter: &Adapter, c: &abi::NDIS51_MINIPORT_CHARACTERISTICS) {
    let Some(query) = c.QueryInformationHandler else {
        return;
    };
    // Only the query handler is used before attach.
    let probe = Ndis5Path {
        send: None,
        send_packets: None,
        query,
        set: None,
        transfer: None,
        ret: None,
        reset: None,
        cancel: None,
        rx_pool: Handle::from_raw(0),
    };
    let ask = |oid: u32, len: usize| -> Option<KVec<u8>> {
        let mut buf = KVec::new();
        buf.resize(len, 0u8, GFP_KERNEL).ok()?;
        match request(adapter, &probe, true, oid, &mut buf) {
            Ok((status, written)) if status.is_success() && written as usize <= len => {
                buf.truncate(written as usize);
                Some(buf)
            }
            _ => None,
        }
    };
    let ulong = |oid: u32| -> Option<u32> {
        let b = ask(oid, 4)?;
        Some(u32::from_ne_bytes(b.get(..4)?.try_into().ok()?))
    };
    let mac = ask(abi::OID_802_3_CURRENT_ADDRESS, 6)
        .filter(|m| m.len() == 6 && m.iter().any(|&b| b != 0))
        .or_else(|| ask(abi::OID_802_3_PERMANENT_ADDRESS, 6).filter(|m| m.len() == 6));
    let (Some(mac), Some(mtu)) = (mac, ulong(abi::OID_GEN_MAXIMUM_FRAME_SIZE)) else {
        dev_info!(
            adapter.device(),
            "{}: no MAC address or maximum frame size from the 802.3 OIDs: no net_device\n",
            adapter.driver.name()
        );
        return;
    };
    let connected =
        ulong(abi::OID_GEN_MEDIA_CONNECT_STATUS).map(|s| s == abi::NdisMediaStateConnected);
    // In units of 100 bit/s.
    let link_speed = ulong(abi::OID_GEN_LINK_SPEED).map_or(u64::MAX, |s| u64::from(s) * 100);
    let max_multicast = ulong(abi::OID_802_3_MAXIMUM_LIST_SIZE).unwrap_or(0);
    let mut m = [0u8; 6];
    m.copy_from_slice(&mac[..6]);
    adapter.nic.declare(GeneralAttributes {
        medium: abi::NdisMedium802_3,
        mtu,
        mac: m,
        connected,
        link_speed,
        duplex: abi::MediaDuplexStateUnknown,
        packet_filters: 0,
        max_multicast,
    });
}

/// One `MiniportQueryInformation` (`query`) or `MiniportSetInformation`
/// call with `buffer`, waiting for its completion if it pends: its status
/// and `BytesWritten` or `BytesRead`. PASSIVE.
pub(crate) fn request(
    adapter: &Adapter,
    path: &Ndis5Path,
    query: bool,
    oid: u32,
    buffer: &mut KVec<u8>,
) -> Result<(NdisStatus, u32)> {
    let nic = &adapter.nic;
    let set = path.set;
    if !query && set.is_none() {
        return Err(ENOTSUPP);
    }
    let _one_at_a_time = nic.oid.lock();
    // The miniport may write them until it completes a pended call.
    let mut counts = KBox::new([0u32; 2], GFP_KERNEL)?;
    let (buf, len) = (buffer.as_mut_ptr().cast::<c_void>(), buffer.len() as u32);
    let done_ptr = counts.as_mut_ptr();
    nic.oid_done.store(false, Relaxed);
    nic.oid_pending
        .store(if query { QUERY_PENDING } else { SET_PENDING }, Release);
    let status = nic.ndis5.serialized(|| {
        // SAFETY: the miniport's Query/SetInformation with its own
        // context (at DISPATCH_LEVEL, as NDIS 5 calls them); the buffer
        // and the two counts live until it completes.
        NdisStatus(unsafe {
            if query {
                (path.query)(adapter.context(), oid, buf, len, done_ptr, done_ptr.add(1))
            } else if let Some(set) = set {
                set(adapter.context(), oid, buf, len, done_ptr, done_ptr.add(1))
            } else {
                abi::NDIS_STATUS_NOT_SUPPORTED
            }
        })
    });
    let status = match netdev_io::oid_outcome(adapter, oid, status, || {
        // The miniport may still write them.
        core::mem::forget(core::mem::take(buffer));
    }) {
        Ok(s) => s,
        Err(e) => {
            core::mem::forget(counts);
            return Err(e);
        }
    };
    let bytes = counts[0];
    trace::net(
        if query { c"oid-query" } else { c"oid-set" },
        adapter.context() as usize,
        bytes,
        oid,
        status.0 as u32,
    );
    Ok((status, bytes))
}

/// `NdisMQueryInformationComplete` (`query`) and
/// `NdisMSetInformationComplete`.
pub(crate) fn request_complete(adapter: &Adapter, query: bool, status: NdisStatus) {
    let nic = &adapter.nic;
    let want = if query { QUERY_PENDING } else { SET_PENDING };
    if nic.oid_pending.load(Acquire) != want || nic.oid_done.load(Relaxed) {
        adapter.reject(
            if query {
                "NdisMQueryInformationComplete"
            } else {
                "NdisMSetInformationComplete"
            },
            "no call of that kind pended",
        );
        return;
    }
    nic.oid_status.store(status.0, Relaxed);
    nic.oid_done.store(true, Release);
}

/// The counters from the NDIS 5 statistics OIDs. PASSIVE.
pub(crate) fn refresh_stats(adapter: &Adapter, path: &Ndis5Path) {
    const OIDS: [(u32, usize); 5] = [
        (abi::OID_GEN_XMIT_OK, net_stats::TX_PACKETS),
        (abi::OID_GEN_RCV_OK, net_stats::RX_PACKETS),
        (abi::OID_GEN_XMIT_ERROR, net_stats::TX_ERRORS),
        (abi::OID_GEN_RCV_ERROR, net_stats::RX_ERRORS),
        (abi::OID_GEN_RCV_NO_BUFFER, net_stats::RX_MISSED),
    ];
    let mut stats = LinkStats::default();
    for (oid, i) in OIDS {
        let mut buf = KVec::new();
        if buf.resize(8, 0u8, GFP_KERNEL).is_err() {
            return;
        }
        // A ULONG or a ULONG64, as the miniport keeps it.
        if let Ok((status, written)) = request(adapter, path, true, oid, &mut buf) {
            if status.is_success() && (written == 4 || written == 8) {
                let mut v = [0u8; 8];
                v[..written as usize].copy_from_slice(&buf[..written as usize]);
                stats.values[i] = u64::from_le_bytes(v);
                stats.valid |= 1 << i;
            }
        }
    }
    if stats.valid == 0 {
        adapter.nic.stats_unsupported.store(true, Relaxed);
    }
    *adapter.nic.stats.lock() = stats;
}

/// The `TxReserved` of one of the shim's send packets.
///
/// # Safety
///
/// `packet` is a packet of a pool made with room for a [`TxReserved`].
unsafe fn tx_reserved(packet: *mut abi::NDIS_PACKET) -> *mut TxReserved {
    // SAFETY: by the safety requirement.
    unsafe { (&raw mut (*packet).ProtocolReserved).cast() }
}

/// The OOB status of `packet` (`NDIS_GET_PACKET_STATUS`).
///
/// # Safety
///
/// `packet` is a pool packet (its `NdisPacketOobOffset` is valid).
unsafe fn oob_status(packet: *mut abi::NDIS_PACKET) -> *mut abi::NDIS_STATUS {
    // SAFETY: the OOB data lies `NdisPacketOobOffset` bytes into the
    // packet's descriptor (safety requirement).
    unsafe {
        let oob = packet
            .cast::<u8>()
            .add(usize::from((*packet).Private.NdisPacketOobOffset))
            .cast::<abi::NDIS_PACKET_OOB_DATA>();
        &raw mut (*oob).Status
    }
}

/// `ndo_start_xmit` for an NDIS 5 miniport (bottom halves off). Returns
/// nonzero to have the stack retry `skb` later.
pub(crate) fn xmit(adapter: &Adapter, bridge: &Bridge, path: &Ndis5Path, skb: *mut RawSkb) -> i32 {
    let nic = &adapter.nic;
    let n5 = &nic.ndis5;
    // A serialized miniport takes one call at a time: a send that finds
    // it busy (its handler, the DPC, an OID) is retried by the qdisc.
    let _serial = if n5.deserialized.load(Relaxed) {
        None
    } else {
        match n5.serial.try_lock() {
            Some(g) => Some(g),
            None => return 1,
        }
    };
    // No MiniportSend(Packets) while a reset is in progress: the queue
    // stays stopped until `NdisMResetComplete` (`crate::reset`), the skb
    // goes back to the queue discipline.
    if nic.resetting.load(Acquire) {
        // SAFETY: the live net_device.
        unsafe { netdev_io::ndis_shim_tx_stop(bridge.netdev) };
        return 1;
    }
    let generation = n5.resources_gen.load(Acquire);
    // SAFETY: the stack's skb, ours until freed.
    let Some(mdls) = (unsafe { netdev_io::mdls_of_skb(skb) }) else {
        // SAFETY: the live net_device; the skb the stack gave us, not yet freed.
        unsafe { netdev_io::ndis_shim_tx_done(bridge.netdev, skb, false) };
        return 0;
    };
    let Ok(packet) = packet_pool::allocate("ndo_start_xmit", bridge.tx_pool) else {
        // SAFETY: `mdls_of_skb`'s block, linked nowhere, freed once; the live
        // net_device (`Bridge` invariant); the stack's skb, not yet freed.
        unsafe {
            bindings::kfree(mdls.cast());
            netdev_io::ndis_shim_tx_done(bridge.netdev, skb, false);
        }
        return 0;
    };
    let packet = packet.as_ptr();
    // SAFETY: a fresh packet of the shim's send pool (room for a
    // `TxReserved`), the MDL block over the live skb.
    unsafe {
        let mut tail = mdls;
        while !(*tail).Next.is_null() {
            tail = (*tail).Next;
        }
        (*packet).Private.Head = mdls;
        (*packet).Private.Tail = tail;
        (*packet).Private.ValidCounts = 0;
        (*packet).Private.Flags = 0;
        *oob_status(packet) = abi::NDIS_STATUS_PENDING as i32;
        abi_set_header_size(packet);
        // NDIS_SET_PACKET_CANCEL_ID: what MiniportCancelSendPackets is
        // asked to cancel at the next ndo_stop (0 without one).
        *per_packet_info_slot(packet, abi::PacketCancelId) =
            n5.cancel_id.load(Relaxed) as usize as abi::PVOID;
        tx_reserved(packet).write(TxReserved {
            skb,
            mdls,
            state: AtomicU64::new(SENDING),
        });
    }
    // SAFETY: the stack's skb.
    let len = unsafe { netdev_io::ndis_shim_skb_len(skb) };
    // NDIS 5.1 per-packet DMA: mapped before the miniport sees the packet.
    let sg = n5.sg_dma.load(Acquire);
    // SAFETY: the packet and chain just made, over the live skb.
    if sg != 0 && !unsafe { map_packet(sg, packet, mdls, len) } {
        // SAFETY: the shim's packet and block, never handed over; the
        // stack's skb, dropped.
        unsafe {
            bindings::kfree(mdls.cast());
            packet_pool::free("ndo_start_xmit", packet);
            netdev_io::ndis_shim_tx_done(bridge.netdev, skb, false);
        }
        return 0;
    }
    // SAFETY: the live net_device; counted before the miniport may complete.
    unsafe { netdev_io::ndis_shim_tx_sent(bridge.netdev, len) };
    let out = nic.outstanding.fetch_add(1, Relaxed) + 1;
    trace::net(c"send", bridge.handle.into_raw() as usize, 1, len, 0);
    let status = if let Some(send_packets) = path.send_packets {
        let mut array = [packet];
        // SAFETY: the miniport's MiniportSendPackets with its own context
        // at DISPATCH_LEVEL, on a packet the shim owns until completed.
        unsafe { send_packets(adapter.context(), array.as_mut_ptr(), 1) };
        if n5.deserialized.load(Relaxed) {
            // A deserialized miniport completes each packet itself.
            NdisStatus::PENDING
        } else {
            // SAFETY: the packet is still the shim's: a completion during
            // the call leaves it to this function (`EARLY`).
            NdisStatus(unsafe { *oob_status(packet) })
        }
    } else if let Some(send) = path.send {
        // SAFETY: the miniport's MiniportSend with its own context at
        // DISPATCH_LEVEL (`_serial` held unless deserialized), on a packet
        // the shim owns until completed.
        NdisStatus(unsafe { send(adapter.context(), packet, 0) })
    } else {
        NdisStatus(abi::NDIS_STATUS_FAILURE)
    };
    // SAFETY: the packet's reserved area, as written above.
    let state = unsafe { &(*tx_reserved(packet)).state };
    if status == NdisStatus::PENDING {
        if let Err(word) =
            state.compare_exchange(SENDING, WAITING, Ordering::AcqRel, Ordering::Acquire)
        {
            // SAFETY: the shim's packet, which the miniport gave back:
            // completed during the call, its status in the word.
            unsafe { complete_packet(adapter, bridge, packet, early_status(word)) };
        }
    } else if status.0 == abi::NDIS_STATUS_RESOURCES
        && state
            .compare_exchange(SENDING, 0, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    {
        // Not taken: the skb goes back to the queue discipline, the queue
        // stops until NdisMSendResourcesAvailable.
        n5.refused.fetch_add(1, Relaxed);
        // SAFETY: the shim's packet and MDL block, never handed over
        // for good; the live net_device.
        unsafe {
            unmap_packet(adapter, packet);
            bindings::kfree(mdls.cast());
            packet_pool::free("ndo_start_xmit", packet);
            netdev_io::ndis_shim_tx_stop(bridge.netdev);
        }
        netdev_io::tx_accounted(nic, bridge, 1, len, false);
        if n5.resources_gen.load(Acquire) != generation {
            // SAFETY: the live net_device.
            unsafe { netdev_io::ndis_shim_tx_wake(bridge.netdev) };
        }
        return 1;
    } else {
        // Taken out of SENDING first: a completion racing with this
        // either came before (EARLY, its status kept) or is refused.
        let status = match state.compare_exchange(SENDING, 0, Ordering::AcqRel, Ordering::Acquire) {
            // Completed during the call: its status in the word.
            Err(word) => early_status(word),
            Ok(_) => status,
        };
        // SAFETY: SUCCESS or a failure: done with at once.
        unsafe { complete_packet(adapter, bridge, packet, status) };
    }
    netdev_io::tx_cap_check(nic, bridge, out);
    0
}

/// `NDIS_SET_PACKET_HEADER_SIZE(packet, 14)`: an Ethernet frame.
///
/// # Safety
///
/// `packet` is a pool packet.
unsafe fn abi_set_header_size(packet: *mut abi::NDIS_PACKET) {
    // SAFETY: the OOB data of a pool packet (safety requirement).
    unsafe {
        let oob = packet
            .cast::<u8>()
            .add(usize::from((*packet).Private.NdisPacketOobOffset))
            .cast::<abi::NDIS_PACKET_OOB_DATA>();
        (*oob).HeaderSize = 14;
    }
}

/// Frees a send packet the miniport is done with, and its skb.
///
/// # Safety
///
/// `packet` is one of the shim's send packets that nothing else holds.
unsafe fn complete_packet(
    adapter: &Adapter,
    bridge: &Bridge,
    packet: *mut abi::NDIS_PACKET,
    status: NdisStatus,
) {
    // SAFETY: one of the shim's send packets (safety requirement).
    let r = unsafe { tx_reserved(packet).read() };
    // SAFETY: the skb and MDL block `xmit` stored, done with; the device
    // too (the miniport completed the send).
    let len = unsafe {
        unmap_packet(adapter, packet);
        let len = netdev_io::ndis_shim_skb_len(r.skb);
        netdev_io::ndis_shim_tx_done(bridge.netdev, r.skb, status.is_success());
        bindings::kfree(r.mdls.cast());
        packet_pool::free("NdisMSendComplete", packet);
        len
    };
    trace::net(
        c"send-complete",
        bridge.handle.into_raw() as usize,
        1,
        len,
        status.0 as u32,
    );
    netdev_io::tx_accounted(&adapter.nic, bridge, 1, len, true);
}

/// `NdisMSendComplete`. `packet` is looked up in the shim's send pool by
/// its address before anything is read through it: a forged pointer is
/// refused.
pub(crate) fn send_complete(adapter: &Adapter, packet: *mut abi::NDIS_PACKET, status: i32) {
    const CALL: &str = "NdisMSendComplete";
    let Some(bridge) = adapter.nic.live() else {
        adapter.reject(CALL, "the adapter has no net_device");
        return;
    };
    if !packet_pool::is_allocated(bridge.tx_pool, packet) {
        adapter.reject(CALL, "a packet the shim did not send");
        return;
    }
    // SAFETY: one of the shim's send packets.
    let r = unsafe { tx_reserved(packet) };
    // SAFETY: `r` points into a pool packet, alive until freed by this
    // completion path; only the state word is touched before a CAS claims
    // the packet.
    let state = unsafe { &(*r).state };
    if state
        .compare_exchange(SENDING, early(status), Ordering::AcqRel, Ordering::Acquire)
        .is_ok()
    {
        return;
    }
    if state
        .compare_exchange(WAITING, 0, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        adapter.reject(CALL, "a packet not at the miniport");
        return;
    }
    // SAFETY: the miniport gave it back; nothing else holds it.
    unsafe { complete_packet(adapter, bridge, packet, NdisStatus(status)) };
}

/// `NdisMSendResourcesAvailable`: wakes the queue a RESOURCES refusal
/// stopped; the qdisc sends the refused skb again.
pub(crate) fn resources_available(adapter: &Adapter) {
    let nic = &adapter.nic;
    nic.ndis5.resources_gen.fetch_add(1, Release);
    if let Some(bridge) = nic.live() {
        // SAFETY: the live net_device; any context.
        unsafe { netdev_io::ndis_shim_tx_wake(bridge.netdev) };
    }
}

/// The bridge and NDIS 5 path of an adapter whose net_device is live,
/// for a call of the miniport's (`call` for a rejection).
fn live5<'a>(adapter: &'a Adapter, call: &str) -> Option<(&'a Bridge, Ndis5Path)> {
    let bridge = adapter.nic.live();
    match bridge.and_then(|b| b.handlers.ndis5.map(|p| (b, p))) {
        Some(x) => Some(x),
        None => {
            adapter.reject(call, "the adapter has no NDIS 5 net_device");
            None
        }
    }
}

/// `NdisMEthIndicateReceive`.
///
/// # Safety
///
/// `header` and `lookahead` are readable for their sizes.
pub(crate) unsafe fn eth_indicate_receive(
    adapter: &Adapter,
    receive_context: abi::NDIS_HANDLE,
    header: *const u8,
    header_size: u32,
    lookahead: *const u8,
    lookahead_size: u32,
    packet_size: u32,
) {
    const CALL: &str = "NdisMEthIndicateReceive";
    let Some((bridge, path)) = live5(adapter, CALL) else {
        return;
    };
    let len = header_size.saturating_add(packet_size);
    if header.is_null()
        || header_size != netdev_io::ETH_HLEN
        || !(netdev_io::ETH_HLEN..=bridge.max_frame).contains(&len)
        || (lookahead.is_null() && lookahead_size != 0)
    {
        adapter.reject(CALL, "not an Ethernet frame; dropped");
        // SAFETY: the live net_device.
        unsafe { netdev_io::ndis_shim_rx_dropped(bridge.netdev) };
        return;
    }
    if adapter.nic.phase.load(Acquire) == PAUSED {
        // SAFETY: the live net_device.
        unsafe { netdev_io::ndis_shim_rx_dropped(bridge.netdev) };
        return;
    }
    let have = lookahead_size.min(packet_size);
    let Some((skb, data)) = netdev_io::rx_alloc(bridge, len) else {
        return;
    };
    // SAFETY: `data` holds `len` bytes; the sources are readable for their
    // sizes (safety requirement), `have <= packet_size`.
    unsafe {
        core::ptr::copy_nonoverlapping(header, data, header_size as usize);
        if have > 0 {
            core::ptr::copy_nonoverlapping(
                lookahead,
                data.add(header_size as usize),
                have as usize,
            );
        }
    }
    if have == packet_size {
        // SAFETY: the live net_device; the skb ours to hand over.
        unsafe { netdev_io::ndis_shim_rx_deliver(bridge.netdev, skb, false) };
        return;
    }
    // The rest through MiniportTransferData, into the skb's tail.
    let Some(transfer) = path.transfer else {
        adapter.reject(
            CALL,
            "a short lookahead without TransferDataHandler; dropped",
        );
        // SAFETY: ours, never handed over.
        unsafe { netdev_io::ndis_shim_rx_free(bridge.netdev, skb) };
        return;
    };
    let Ok(packet) = packet_pool::allocate(CALL, path.rx_pool) else {
        // SAFETY: the skb was allocated above and never handed to the stack.
        unsafe { netdev_io::ndis_shim_rx_free(bridge.netdev, skb) };
        return;
    };
    let packet = packet.as_ptr();
    let wanted = packet_size - have;
    // SAFETY: a fresh packet of the transfer pool (room for an
    // `RxReserved`); its MDL describes the skb's last `wanted` bytes.
    unsafe {
        let r = (&raw mut (*packet).ProtocolReserved).cast::<RxReserved>();
        (&raw mut (*r).skb).write(AtomicPtr::new(skb));
        (*r).wanted = wanted;
        let mdl = &raw mut (*r).mdl;
        memory::build_mdl(mdl, data.add((header_size + have) as usize).cast(), wanted);
        (*packet).Private.Head = mdl;
        (*packet).Private.Tail = mdl;
        (*packet).Private.ValidCounts = 0;
    }
    let mut transferred = 0u32;
    // SAFETY: the miniport's MiniportTransferData with its own context and
    // the receive context of this indication, within the indication.
    let status = NdisStatus(unsafe {
        transfer(
            packet,
            &mut transferred,
            adapter.context(),
            receive_context,
            have,
            wanted,
        )
    });
    if status != NdisStatus::PENDING {
        // SAFETY: the transfer packet, back from the miniport.
        unsafe { transfer_done(adapter, bridge, packet, status, transferred) };
    }
}

/// `NdisMTransferDataComplete`. `packet` is looked up in the shim's
/// transfer pool by its address before anything is read through it.
pub(crate) fn transfer_data_complete(
    adapter: &Adapter,
    packet: *mut abi::NDIS_PACKET,
    status: i32,
    transferred: u32,
) {
    const CALL: &str = "NdisMTransferDataComplete";
    let Some((bridge, path)) = live5(adapter, CALL) else {
        return;
    };
    if !packet_pool::is_allocated(path.rx_pool, packet) {
        adapter.reject(CALL, "not a packet of the shim's transfers");
        return;
    }
    // SAFETY: one of the shim's transfer packets, given back.
    unsafe { transfer_done(adapter, bridge, packet, NdisStatus(status), transferred) };
}

/// Delivers (or drops) the skb of a finished transfer, frees its packet.
///
/// # Safety
///
/// `packet` is one of the shim's transfer packets the miniport is done
/// with.
unsafe fn transfer_done(
    adapter: &Adapter,
    bridge: &Bridge,
    packet: *mut abi::NDIS_PACKET,
    status: NdisStatus,
    transferred: u32,
) {
    // SAFETY: a transfer packet (safety requirement).
    let (skb, wanted) = unsafe {
        let r = (&raw mut (*packet).ProtocolReserved).cast::<RxReserved>();
        (
            (*r).skb.swap(core::ptr::null_mut(), Ordering::AcqRel),
            (*r).wanted,
        )
    };
    if skb.is_null() {
        // A second completion of the same transfer: its frame was
        // delivered (or dropped) by the first.
        adapter.reject("NdisMTransferDataComplete", "a transfer completed twice");
        return;
    }
    // SAFETY: `packet` is a transfer packet of this pool (safety requirement) and its skb was taken
    // just above, so it is freed exactly once.
    unsafe { packet_pool::free("NdisMTransferDataComplete", packet) };
    if status.is_success() && transferred == wanted {
        // SAFETY: the live net_device; the skb ours to hand over.
        unsafe { netdev_io::ndis_shim_rx_deliver(bridge.netdev, skb, false) };
    } else {
        if status.is_success() {
            adapter.reject(
                "MiniportTransferData",
                "transferred less than asked; dropped",
            );
        }
        // SAFETY: ours, never handed over.
        unsafe { netdev_io::ndis_shim_rx_free(bridge.netdev, skb) };
    }
}

/// `NdisMIndicateReceivePacket`. Each packet is copied into an skb during
/// the call. One whose status is `NDIS_STATUS_RESOURCES`, and every later
/// one in the array ("the driver is retaining ownership of the packet
/// ... and of all subsequent packets in the packet array":
/// `NDIS_SET_PACKET_STATUS`), is the miniport's again when the call
/// returns, its status left as it was. The others get
/// `NDIS_STATUS_PENDING` ("protocols retain ownership":
/// `NDIS_GET_PACKET_STATUS`) and go back through `MiniportReturnPacket`
/// from the adapter's return work, after the call returned.
///
/// # Safety
///
/// `packets` holds `count` packets, each readable with its OOB data and
/// buffer chain for the call.
pub(crate) unsafe fn indicate_receive_packet(
    adapter: &Arc<Adapter>,
    packets: *mut *mut abi::NDIS_PACKET,
    count: u32,
) {
    const CALL: &str = "NdisMIndicateReceivePacket";
    let Some((bridge, path)) = live5(adapter, CALL) else {
        return;
    };
    if packets.is_null() {
        adapter.reject(CALL, "NULL ReceivePackets");
        return;
    }
    let deliver = adapter.nic.phase.load(Acquire) != PAUSED;
    let mut retained = false;
    for i in 0..count as usize {
        // SAFETY: `count` packets (safety requirement).
        let packet = unsafe { *packets.add(i) };
        if packet.is_null() {
            adapter.reject(CALL, "a NULL packet");
            continue;
        }
        // SAFETY: readable packet and chain (safety requirement).
        let head = unsafe { (*packet).Private.Head };
        if deliver {
            netdev_io::receive_copy(adapter, bridge, CALL, head);
        } else {
            // SAFETY: the live net_device.
            unsafe { netdev_io::ndis_shim_rx_dropped(bridge.netdev) };
        }
        // SAFETY: `packet` is readable (safety requirement); its OOB block lies within it.
        let status = unsafe { oob_status(packet) };
        // SAFETY: `status` points into the packet's OOB block, readable until the call returns.
        retained |= unsafe { *status } == abi::NDIS_STATUS_RESOURCES;
        if retained || path.ret.is_none() {
            // The miniport's again on return.
            continue;
        }
        // PENDING before the packet is queued: the return work may take it
        // at once.
        // SAFETY: `status` points into the packet's OOB block; the packet is the shim's until
        // MiniportReturnPacket.
        let was = unsafe { status.replace(abi::NDIS_STATUS_PENDING as i32) };
        if !queue_return(adapter, packet) {
            // SAFETY: `status` points into the packet's OOB block; not queued, so
            // no return work touches it and the packet is the miniport's on return.
            unsafe { *status = was };
        }
    }
    trace::net(c"receive", bridge.handle.into_raw() as usize, count, 0, 0);
}

/// Queues `packet` for `MiniportReturnPacket`: `false` (the packet stays
/// the miniport's, its status unchanged) once the queue was closed for
/// the halt or when no memory is left for the entry.
fn queue_return(adapter: &Arc<Adapter>, packet: *mut abi::NDIS_PACKET) -> bool {
    let mut q = adapter.nic.ndis5.returns.lock();
    if q.closed || q.packets.push(packet as usize, GFP_ATOMIC).is_err() {
        return false;
    }
    // Enqueued under the lock: once `close_returns` has set `closed`, no
    // return work can be queued after its flush. (Already queued: the
    // clone is dropped here, never the last reference: the caller holds
    // one.)
    let _ = workqueue::system().enqueue::<Arc<Adapter>, 4>(adapter.clone());
    true
}

/// Hands the queued receive packets back through `MiniportReturnPacket`
/// (at DISPATCH_LEVEL, serialized with the miniport's other calls unless
/// it is deserialized). PASSIVE.
fn return_packets(adapter: &Adapter) {
    let Some(ret) = adapter
        .nic
        .bridge
        .as_ref()
        .and_then(|b| b.handlers.ndis5)
        .and_then(|p| p.ret)
    else {
        return;
    };
    let n5 = &adapter.nic.ndis5;
    let packets = core::mem::take(&mut n5.returns.lock().packets);
    n5.serialized(|| {
        for &p in packets.iter() {
            // SAFETY: the miniport's MiniportReturnPacket with its own
            // context, on a packet it indicated and the shim kept
            // (`ReturnQueue`'s invariant), handed back once.
            unsafe { ret(adapter.context(), p as *mut abi::NDIS_PACKET) };
        }
    });
}

impl_has_work! {
    impl HasWork<Adapter, 4> for Adapter { self.return_work }
}

impl WorkItem<4> for Adapter {
    type Pointer = Arc<Adapter>;

    fn run(adapter: Arc<Adapter>) {
        return_packets(&adapter);
    }
}

/// Before `MiniportHalt`: every receive packet the shim holds goes back,
/// and later indications keep their packets' status (the miniport's
/// again on return). PASSIVE.
pub(crate) fn close_returns(adapter: &Adapter) {
    // Closed first: every return work was queued under the lock before
    // this (`queue_return`), so the flush below waits for the last one,
    // and none can run after MiniportHalt.
    adapter.nic.ndis5.returns.lock().closed = true;
    adapter.return_work.flush();
    return_packets(adapter);
}

/// After a serialized miniport's reset: "the miniport relinquishes pending
/// packet ownership, no matter the state of the send. NDIS will complete
/// any pending sends to higher layers with an appropriate status"
/// (`MiniportReset`). Every send still at the miniport is completed with
/// `NDIS_STATUS_RESET_IN_PROGRESS` (dropped, counted as a send error).
/// PASSIVE, with no send in progress (the queue stopped).
pub(crate) fn complete_abandoned_sends(adapter: &Adapter) {
    let nic = &adapter.nic;
    let Some(bridge) = nic.live() else {
        return;
    };
    if nic.ndis5.deserialized.load(Relaxed) {
        // A deserialized miniport completes its own sends at a reset.
        return;
    }
    let mut abandoned = 0u32;
    for packet in packet_pool::allocated(bridge.tx_pool) {
        // SAFETY: an allocated packet of the send pool: `xmit` wrote its
        // `TxReserved` before handing it over (no send is in progress).
        let state = unsafe { &(*tx_reserved(packet)).state };
        if state
            .compare_exchange(WAITING, 0, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            abandoned += 1;
            let status = NdisStatus(abi::NDIS_STATUS_RESET_IN_PROGRESS);
            nic.ndis5.serialized(|| {
                // SAFETY: taken from the miniport (WAITING -> 0, which a
                // late NdisMSendComplete no longer finds).
                unsafe { complete_packet(adapter, bridge, packet, status) }
            });
        }
    }
    if abandoned != 0 {
        dev_info!(
            adapter.device(),
            "{}: reset: {} send(s) the miniport gave up completed by the shim\n",
            adapter.driver.name(),
            abandoned
        );
    }
}

/// At `ndo_stop` (and so before `MiniportHalt`, whose net_device goes
/// down first), with no send in progress (the data path paused): if sends
/// are still at the miniport and it has `MiniportCancelSendPackets`,
/// cancels every send made since the last call with the cancel ID they
/// were tagged with ("cancels the transmission of all packets that are
/// marked with a specified cancellation identifier"); the miniport
/// completes the ones it still queues through `NdisMSendComplete`
/// (`NDIS_STATUS_REQUEST_ABORTED`, dropped), the others complete as they
/// would. Later sends get the next ID. A send the miniport refused with
/// RESOURCES is not the shim's to cancel: it went back to the queue
/// discipline, which drops it when the interface goes down. PASSIVE.
pub(crate) fn cancel_sends(adapter: &Adapter, path: &Ndis5Path) {
    let nic = &adapter.nic;
    let Some(cancel) = path.cancel else {
        return;
    };
    if nic.outstanding.load(Acquire) == 0 {
        return;
    }
    let id = nic.ndis5.cancel_id.fetch_add(1, Relaxed);
    nic.ndis5.serialized(|| {
        // SAFETY: the miniport's MiniportCancelSendPackets with its own
        // context, at DISPATCH_LEVEL (serialized with its other calls
        // unless deserialized), with the ID its sends carry.
        unsafe { cancel(adapter.context(), id as usize as abi::PVOID) }
    });
}

/// `NdisMIndicateStatus`: media connect and disconnect drive the carrier.
pub(crate) fn indicate_status(adapter: &Adapter, status: i32) {
    let nic = &adapter.nic;
    let connected = match status as u32 {
        abi::NDIS_STATUS_MEDIA_CONNECT => Some(true),
        abi::NDIS_STATUS_MEDIA_DISCONNECT => Some(false),
        _ => None,
    };
    let indication = match connected {
        Some(c) => StatusIndication::LinkState {
            connected: Some(c),
            speed: nic.link_speed.load(Relaxed),
            duplex: nic.duplex.load(Relaxed),
        },
        None => StatusIndication::Other(status as u32),
    };
    netdev_io::indicate_status(adapter, indication);
}
