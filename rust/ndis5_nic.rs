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
//!   `NdisMTransferDataComplete`). `NdisMIndicateReceivePacket` copies each
//!   packet; one with status NDIS_STATUS_RESOURCES is the miniport's again
//!   on return, the others go back through `MiniportReturnPacket`.
//! - **Status.** `NDIS_STATUS_MEDIA_CONNECT`/`_DISCONNECT` drive the carrier.
//! - **Statistics** from `OID_GEN_XMIT_OK`, `RCV_OK`, `XMIT_ERROR`,
//!   `RCV_ERROR` and `RCV_NO_BUFFER`.

use core::{
    ffi::c_void,
    sync::atomic::{AtomicU32, Ordering},
};
use kernel::{
    bindings,
    prelude::*,
    sync::atomic::{Acquire, Relaxed, Release},
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

/// A send packet's state (in its [`TxReserved`]).
const SENDING: u32 = 1;
/// Send(Packets) returned: the miniport holds it until `NdisMSendComplete`.
const WAITING: u32 = 2;
/// `NdisMSendComplete` came during Send(Packets): completed on return.
const EARLY: u32 = 3;

/// What a send packet's `ProtocolReserved` holds (the shim is its
/// protocol).
#[repr(C)]
struct TxReserved {
    skb: *mut RawSkb,
    /// The block of MDLs over the skb (`netdev_io::mdls_of_skb`).
    mdls: *mut abi::MDL,
    state: AtomicU32,
    /// The status of an [`EARLY`] completion.
    early_status: i32,
}

/// What a transfer packet's `ProtocolReserved` holds.
#[repr(C)]
struct RxReserved {
    skb: *mut RawSkb,
    /// Bytes `MiniportTransferData` is to write.
    wanted: u32,
    /// The buffer over the skb's tail.
    mdl: abi::MDL,
}

/// The `ProcessSGList` of the SG registrations `NdisMInitializeScatterGatherDma`
/// makes: the list goes into the packet's per-packet information.
pub(crate) const SG_PROCESS: abi::MINIPORT_PROCESS_SG_LIST_HANDLER = Some(store_sg_list);

/// `NDIS_PER_PACKET_INFO_FROM_PACKET(packet, ScatterGatherListPacketInfo)`.
///
/// # Safety
///
/// `packet` is a pool packet (its OOB data and extension follow it at
/// `NdisPacketOobOffset`).
unsafe fn sg_list_slot(packet: *mut abi::NDIS_PACKET) -> *mut abi::PVOID {
    // SAFETY: the extension lies right after the OOB data of a pool
    // packet (safety requirement).
    unsafe {
        let ext = packet
            .cast::<u8>()
            .add(usize::from((*packet).Private.NdisPacketOobOffset))
            .add(core::mem::size_of::<abi::NDIS_PACKET_OOB_DATA>())
            .cast::<abi::NDIS_PACKET_EXTENSION>();
        (&raw mut (*ext).NdisPacketInfo)
            .cast::<abi::PVOID>()
            .add(abi::ScatterGatherListPacketInfo as usize)
    }
}

/// Stores a send's SG list in its packet (`context`), from
/// `sg_dma::allocate_list` before it returns.
///
/// # Safety
///
/// `context` is one of the shim's send packets being mapped.
unsafe extern "C" fn store_sg_list(
    _device: abi::PDEVICE_OBJECT,
    _reserved: abi::PVOID,
    list: abi::PSCATTER_GATHER_LIST,
    context: abi::PVOID,
) {
    // SAFETY: a send packet of the shim's (safety requirement).
    unsafe { *sg_list_slot(context.cast()) = list.cast() };
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
    // SAFETY: as above.
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
    let path = Ndis5Path {
        send: c.SendHandler,
        send_packets: c.SendPacketsHandler,
        query,
        set: c.SetInformationHandler,
        transfer: c.TransferDataHandler,
        ret: c.ReturnPacketHandler,
        reset: c.ResetHandler,
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
    let generation = n5.resources_gen.load(Acquire);
    // SAFETY: the stack's skb, ours until freed.
    let Some(mdls) = (unsafe { netdev_io::mdls_of_skb(skb) }) else {
        // SAFETY: as above; the live net_device.
        unsafe { netdev_io::ndis_shim_tx_done(bridge.netdev, skb, false) };
        return 0;
    };
    let Ok(packet) = packet_pool::allocate("ndo_start_xmit", bridge.tx_pool) else {
        // SAFETY: `mdls_of_skb`'s block, linked nowhere; the skb as above.
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
        tx_reserved(packet).write(TxReserved {
            skb,
            mdls,
            state: AtomicU32::new(SENDING),
            early_status: 0,
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
        // SAFETY: the miniport's MiniportSend, as above.
        NdisStatus(unsafe { send(adapter.context(), packet, 0) })
    } else {
        NdisStatus(abi::NDIS_STATUS_FAILURE)
    };
    // SAFETY: the packet's reserved area, as written above.
    let state = unsafe { &(*tx_reserved(packet)).state };
    if status == NdisStatus::PENDING {
        if state
            .compare_exchange(SENDING, WAITING, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            // SAFETY: completed during the call: its status was kept.
            let early = unsafe { (*tx_reserved(packet)).early_status };
            // SAFETY: the shim's packet, which the miniport gave back.
            unsafe { complete_packet(adapter, bridge, packet, NdisStatus(early)) };
        }
    } else if status.0 == abi::NDIS_STATUS_RESOURCES && state.load(Ordering::Acquire) == SENDING {
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
        let status = if state.load(Ordering::Acquire) == EARLY {
            // SAFETY: as above.
            NdisStatus(unsafe { (*tx_reserved(packet)).early_status })
        } else {
            status
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

/// `NdisMSendComplete`.
///
/// # Safety
///
/// `packet` is readable for an `NDIS_PACKET_PRIVATE` (the miniport passes
/// a packet it was sent).
pub(crate) unsafe fn send_complete(adapter: &Adapter, packet: *mut abi::NDIS_PACKET, status: i32) {
    const CALL: &str = "NdisMSendComplete";
    let Some(bridge) = adapter.nic.live() else {
        adapter.reject(CALL, "the adapter has no net_device");
        return;
    };
    // SAFETY: readable (safety requirement).
    if packet.is_null() || unsafe { (*packet).Private.Pool } as u64 != bridge.tx_pool.into_raw() {
        adapter.reject(CALL, "a packet the shim did not send");
        return;
    }
    // SAFETY: one of the shim's send packets.
    let r = unsafe { tx_reserved(packet) };
    // SAFETY: as above.
    let state = unsafe { &(*r).state };
    // SAFETY: as above: written before the CAS below publishes it.
    unsafe { (*r).early_status = status };
    if state
        .compare_exchange(SENDING, EARLY, Ordering::AcqRel, Ordering::Acquire)
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
        // SAFETY: as above.
        unsafe { netdev_io::ndis_shim_rx_free(bridge.netdev, skb) };
        return;
    };
    let packet = packet.as_ptr();
    let wanted = packet_size - have;
    // SAFETY: a fresh packet of the transfer pool (room for an
    // `RxReserved`); its MDL describes the skb's last `wanted` bytes.
    unsafe {
        let r = (&raw mut (*packet).ProtocolReserved).cast::<RxReserved>();
        (*r).skb = skb;
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

/// `NdisMTransferDataComplete`.
///
/// # Safety
///
/// `packet` is readable for an `NDIS_PACKET_PRIVATE`.
pub(crate) unsafe fn transfer_data_complete(
    adapter: &Adapter,
    packet: *mut abi::NDIS_PACKET,
    status: i32,
    transferred: u32,
) {
    const CALL: &str = "NdisMTransferDataComplete";
    let Some((bridge, path)) = live5(adapter, CALL) else {
        return;
    };
    // SAFETY: readable (safety requirement).
    if packet.is_null() || unsafe { (*packet).Private.Pool } as u64 != path.rx_pool.into_raw() {
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
        ((*r).skb, (*r).wanted)
    };
    // SAFETY: as above.
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

/// `NdisMIndicateReceivePacket`.
///
/// # Safety
///
/// `packets` holds `count` packets, each readable with its OOB data and
/// buffer chain for the call.
pub(crate) unsafe fn indicate_receive_packet(
    adapter: &Adapter,
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
            receive_chain(adapter, bridge, head);
        } else {
            // SAFETY: the live net_device.
            unsafe { netdev_io::ndis_shim_rx_dropped(bridge.netdev) };
        }
        // SAFETY: as above.
        let resources = unsafe { *oob_status(packet) } == abi::NDIS_STATUS_RESOURCES;
        if !resources {
            if let Some(ret) = path.ret {
                // SAFETY: the miniport's MiniportReturnPacket with its own
                // context, on a packet it indicated and the shim copied.
                unsafe { ret(adapter.context(), packet) };
            }
        }
    }
    trace::net(c"receive", bridge.handle.into_raw() as usize, count, 0, 0);
}

/// Copies a received buffer chain into a new skb and delivers it.
fn receive_chain(adapter: &Adapter, bridge: &Bridge, head: *mut abi::MDL) {
    // SAFETY: a readable chain (the caller's packet).
    let len: u32 = unsafe { MdlChain::new(head) }.map(|m| m.byte_count).sum();
    if !(netdev_io::ETH_HLEN..=bridge.max_frame).contains(&len) {
        adapter.reject(
            "NdisMIndicateReceivePacket",
            "not an Ethernet frame; dropped",
        );
        // SAFETY: the live net_device.
        unsafe { netdev_io::ndis_shim_rx_dropped(bridge.netdev) };
        return;
    }
    let Some((skb, data)) = netdev_io::rx_alloc(bridge, len) else {
        return;
    };
    // SAFETY: `data` holds `len` bytes of the new skb.
    let out = unsafe { core::slice::from_raw_parts_mut(data, len as usize) };
    // SAFETY: as above.
    if netdev_io::copy_from_chain(unsafe { MdlChain::new(head) }, 0, out) {
        // SAFETY: the live net_device; the skb ours to hand over.
        unsafe { netdev_io::ndis_shim_rx_deliver(bridge.netdev, skb, false) };
    } else {
        // SAFETY: ours, never handed over.
        unsafe { netdev_io::ndis_shim_rx_free(bridge.netdev, skb) };
    }
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
