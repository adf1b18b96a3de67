// SPDX-License-Identifier: GPL-2.0

//! The state an adapter keeps for its NDIS 6 network side: what the
//! miniport declared, the net_device once it exists, and where the data
//! path is. The behaviour is [`crate::net_device`]'s; this is apart so the
//! adapter can hold it without the two modules importing each other.

use kernel::{
    new_mutex, new_spinlock, new_spinlock_irq,
    prelude::*,
    sync::{
        atomic::{Acquire, Atomic, Relaxed},
        Mutex, SetOnce, SpinLock, SpinLockIrq,
    },
};

use crate::{abi, handle::Handle, net_stats::LinkStats};

extern "C" {
    fn ndis_shim_bh_off();
    fn ndis_shim_bh_on();
    fn ndis_shim_netdev_napi_detach(dev: *mut RawNetDevice);
    fn ndis_shim_netdev_view(dev: *mut RawNetDevice, name: *mut u8, carrier: *mut bool);
}

/// Bytes of a net_device's name (`IFNAMSIZ`).
pub(crate) const IFNAMSIZ: usize = 16;

/// A net_device as debugfs's view shows it.
pub(crate) struct NetDeviceView {
    /// Its name, NUL-padded.
    pub(crate) name: [u8; IFNAMSIZ],
    pub(crate) carrier: bool,
    /// NBLs at the miniport.
    pub(crate) outstanding: u32,
    /// [`PAUSED`], [`RESTARTING`], [`RUNNING`] or [`PAUSING`].
    pub(crate) phase: u32,
}

/// A `struct net_device`, opaque.
#[repr(C)]
pub(crate) struct RawNetDevice {
    _opaque: [u8; 0],
}

/// What `NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES` declares that the
/// net_device needs.
#[derive(Clone, Copy)]
pub(crate) struct GeneralAttributes {
    /// `MediaType`.
    pub(crate) medium: u32,
    /// `MtuSize`: the payload, without the Ethernet header.
    pub(crate) mtu: u32,
    /// `CurrentMacAddress` (or `PermanentMacAddress` where it is zero).
    pub(crate) mac: [u8; 6],
    /// `MediaConnectState`: `None` for unknown.
    pub(crate) connected: Option<bool>,
    /// `XmitLinkSpeed` (bits/s; `NDIS_LINK_SPEED_UNKNOWN` for unknown) and
    /// `MediaDuplexState`.
    pub(crate) link_speed: u64,
    pub(crate) duplex: u32,
    /// `SupportedPacketFilters`.
    pub(crate) packet_filters: u32,
    /// `MaxMulticastListSize`.
    pub(crate) max_multicast: u32,
}

/// What `NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES`'
/// `DefaultOffloadConfiguration` declares for sends.
#[derive(Clone, Copy, Default)]
pub(crate) struct OffloadAttributes {
    /// TCP and UDP checksums over IPv4 (`Checksum.IPv4Transmit`).
    pub(crate) tcp_checksum_v4: bool,
    pub(crate) udp_checksum_v4: bool,
    /// TCP and UDP checksums over IPv6 (`Checksum.IPv6Transmit`).
    pub(crate) tcp_checksum_v6: bool,
    pub(crate) udp_checksum_v6: bool,
    /// The largest large send over IPv4 (`LsoV1`/`LsoV2`), 0 for none.
    pub(crate) lso_v4_max: u32,
    /// IPv4 large sends as LSOv2 (else LSOv1).
    pub(crate) lso_v4_v2: bool,
    /// TCP or UDP checksums verified on receive (`Checksum.IPv4Receive`).
    pub(crate) rx_checksum: bool,
    /// The largest large send over IPv6 (`LsoV2`), 0 for none.
    pub(crate) lso_v6_max: u32,
}

/// The miniport's handlers the data path calls, copied at attach.
#[derive(Clone, Copy)]
pub(crate) struct Handlers {
    /// NDIS 6 (`None` for an NDIS 5 miniport).
    pub(crate) send: abi::MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER,
    pub(crate) ret: abi::MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER,
    pub(crate) pause: abi::MINIPORT_PAUSE_HANDLER,
    pub(crate) restart: abi::MINIPORT_RESTART_HANDLER,
    pub(crate) oid: abi::MINIPORT_OID_REQUEST_HANDLER,
    pub(crate) check_for_hang: abi::MINIPORT_CHECK_FOR_HANG_HANDLER,
    pub(crate) reset: abi::MINIPORT_RESET_HANDLER,
    /// An NDIS 5 miniport's handlers (`crate::ndis5_nic`).
    pub(crate) ndis5: Option<Ndis5Path>,
}

/// What exists once the adapter is a network device.
///
/// # Invariants
///
/// `netdev` is a net_device from `ndis_shim_netdev_new` whose private
/// pointer is the adapter that holds this bridge; it is freed only by
/// `crate::net_device::detach_after_halt`, after `Nic::gone` is set and a grace period.
pub(crate) struct Bridge {
    pub(crate) netdev: *mut RawNetDevice,
    /// The adapter's `MiniportAdapterHandle`.
    pub(crate) handle: Handle,
    /// The shim's own NBL pool for sends.
    pub(crate) tx_pool: Handle,
    /// The longest frame a receive indication may carry: `MtuSize`, the
    /// Ethernet header and a VLAN tag.
    pub(crate) max_frame: u32,
    /// The miniport's send offloads, `NDIS_SHIM_OFFLOAD_*` bits.
    pub(crate) offload_caps: u32,
    pub(crate) handlers: Handlers,
}

// SAFETY: the net_device may be used from any CPU (its callers serialise
// what needs it: RTNL, the queue's lock); the rest is plain data.
unsafe impl Send for Bridge {}
// SAFETY: `&Bridge` gives only the net_device pointer and plain copies; what
// C does with that pointer from several CPUs at once is atomic (counters,
// queue state) or serialised by its callers (RTNL, the queue's lock).
unsafe impl Sync for Bridge {}

/// The NDIS 5 handlers and pools of the data path, copied at attach.
#[derive(Clone, Copy)]
pub(crate) struct Ndis5Path {
    pub(crate) send: abi::W_SEND_HANDLER,
    pub(crate) send_packets: abi::W_SEND_PACKETS_HANDLER,
    pub(crate) query: unsafe extern "C" fn(
        abi::NDIS_HANDLE,
        abi::NDIS_OID,
        abi::PVOID,
        abi::ULONG,
        abi::PULONG,
        abi::PULONG,
    ) -> abi::NDIS_STATUS,
    pub(crate) set: abi::W_SET_INFORMATION_HANDLER,
    pub(crate) transfer: abi::W_TRANSFER_DATA_HANDLER,
    pub(crate) ret: abi::W_RETURN_PACKET_HANDLER,
    pub(crate) reset: abi::W_RESET_HANDLER,
    /// NDIS 5.1 `CancelSendPacketsHandler` (`None` for 5.0).
    pub(crate) cancel: abi::W_CANCEL_SEND_PACKETS_HANDLER,
    /// The shim's packet pool for `MiniportTransferData`.
    pub(crate) rx_pool: Handle,
}

/// The per-adapter NDIS 5 state (`crate::ndis5_nic`).
#[pin_data]
pub(crate) struct Ndis5State {
    /// Serializes the shim's calls into a serialized miniport; taken with
    /// bottom halves off.
    #[pin]
    pub(crate) serial: SpinLock<()>,
    /// `NDIS_ATTRIBUTE_DESERIALIZE`.
    pub(crate) deserialized: Atomic<bool>,
    /// Counts `NdisMSendResourcesAvailable` calls: a send refused with
    /// RESOURCES that sees it move wakes the queue it just stopped.
    pub(crate) resources_gen: Atomic<u32>,
    /// The handle of the SG DMA registration `NdisMInitializeScatterGatherDma`
    /// made (0: none): each send is mapped through it.
    pub(crate) sg_dma: Atomic<u64>,
    /// Sends refused with RESOURCES, and resource wake-ups (debugfs-free
    /// evidence for the tests: logged at detach).
    pub(crate) refused: Atomic<u32>,
    /// The cancel ID of the sends made from now on
    /// (`NDIS_SET_PACKET_CANCEL_ID`): the adapter's partial cancel ID in
    /// the top byte, a generation below that `ndis5_nic::cancel_sends`
    /// moves on (0: not tagging; the miniport has no
    /// `MiniportCancelSendPackets`).
    pub(crate) cancel_id: Atomic<u64>,
    /// Receive packets indicated with `NDIS_STATUS_PENDING` set by the
    /// shim, to go back through `MiniportReturnPacket` from the adapter's
    /// return work (`crate::ndis5_nic`).
    #[pin]
    pub(crate) returns: SpinLockIrq<ReturnQueue>,
}

/// The receive packets waiting for `MiniportReturnPacket`.
///
/// # Invariants
///
/// Each entry is a packet the miniport indicated and the shim owns (its
/// status set to `NDIS_STATUS_PENDING`) until it is handed back; `closed`
/// once the queue was drained for the halt: nothing is queued after.
pub(crate) struct ReturnQueue {
    pub(crate) packets: KVec<usize>,
    pub(crate) closed: bool,
}

impl Ndis5State {
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Ndis5State {
            serial <- new_spinlock!(()),
            deserialized: Atomic::new(false),
            resources_gen: Atomic::new(0),
            sg_dma: Atomic::new(0),
            refused: Atomic::new(0),
            cancel_id: Atomic::new(0),
            returns <- new_spinlock_irq!(ReturnQueue {
                packets: KVec::new(),
                closed: false,
            }),
        })
    }

    /// Runs `f` as the only call into a serialized miniport (bottom halves
    /// off); directly for a deserialized one. Sleeps not.
    pub(crate) fn serialized<R>(&self, f: impl FnOnce() -> R) -> R {
        // SAFETY: paired with `ndis_shim_bh_on` below.
        unsafe { ndis_shim_bh_off() };
        let r = if self.deserialized.load(Relaxed) {
            f()
        } else {
            let _one = self.serial.lock();
            f()
        };
        // SAFETY: paired with `ndis_shim_bh_off` above.
        unsafe { ndis_shim_bh_on() };
        r
    }
}

/// Where an adapter's data path is (`MiniportPause`/`MiniportRestart`).
pub(crate) const PAUSED: u32 = 0;
pub(crate) const RESTARTING: u32 = 1;
pub(crate) const RUNNING: u32 = 2;
pub(crate) const PAUSING: u32 = 3;

/// The NIC side of an adapter (see the module documentation).
#[pin_data]
pub(crate) struct Nic {
    /// What `NdisMSetMiniportAttributes` declared, until attach reads it.
    #[pin]
    pub(crate) general: SpinLockIrq<Option<GeneralAttributes>>,
    /// What the offload attributes declared, until attach reads it.
    #[pin]
    pub(crate) offload: SpinLockIrq<Option<OffloadAttributes>>,
    pub(crate) bridge: SetOnce<Bridge>,
    /// Set before the net_device is freed: nothing touches it after.
    pub(crate) gone: Atomic<bool>,
    /// Set (and a grace period waited for) before the net_device is
    /// unregistered: no carrier change and no receive-mode OID after.
    pub(crate) detached: Atomic<bool>,
    /// [`PAUSED`], [`RESTARTING`], [`RUNNING`] or [`PAUSING`].
    pub(crate) phase: Atomic<u32>,
    /// `NdisMPauseComplete` / `NdisMRestartComplete` arrived (the
    /// restart's status in `restart_status`).
    pub(crate) pause_done: Atomic<bool>,
    pub(crate) restart_done: Atomic<bool>,
    pub(crate) restart_status: Atomic<i32>,
    /// NBLs at the miniport.
    pub(crate) outstanding: Atomic<u32>,
    /// Serialises BQL's completion accounting: completions may arrive on
    /// several CPUs at once.
    #[pin]
    pub(crate) tx_completion: SpinLockIrq<()>,
    /// One OID request at a time, issued at PASSIVE_LEVEL.
    #[pin]
    pub(crate) oid: Mutex<()>,
    /// The address of the request the miniport pended, and its status
    /// once `NdisMOidRequestComplete` reported it.
    pub(crate) oid_pending: Atomic<usize>,
    pub(crate) oid_done: Atomic<bool>,
    pub(crate) oid_status: Atomic<i32>,
    /// The packet filter last set (`u32::MAX`: none yet).
    pub(crate) packet_filter: Atomic<u32>,
    /// `CheckForHangTimeInSeconds` of the registration attributes (0: the
    /// default).
    pub(crate) hang_check_seconds: Atomic<u32>,
    /// A `MiniportResetEx` is in progress, and whether
    /// `NdisMResetComplete` has reported it (status and addressing reset
    /// beside).
    pub(crate) resetting: Atomic<bool>,
    pub(crate) reset_done: Atomic<bool>,
    pub(crate) reset_status: Atomic<i32>,
    pub(crate) reset_addressing: Atomic<bool>,
    /// Resets so far (debugfs).
    pub(crate) resets: Atomic<u64>,
    /// OID requests of the shim's own that failed: not issued (no memory),
    /// failed by the miniport or never completed (debugfs).
    pub(crate) oid_failures: Atomic<u64>,
    /// The link's speed (bits/s) and duplex (`MediaDuplexState`), from the
    /// general attributes and `NDIS_STATUS_LINK_STATE` (ethtool).
    pub(crate) link_speed: Atomic<u64>,
    pub(crate) duplex: Atomic<u32>,
    /// The miniport's counters (`OID_GEN_STATISTICS`), when it last
    /// answered, when they were last asked for (jiffies), and whether it
    /// keeps none (`crate::net_stats`).
    #[pin]
    pub(crate) stats: SpinLockIrq<LinkStats>,
    pub(crate) stats_asked: Atomic<u64>,
    pub(crate) stats_unsupported: Atomic<bool>,
    /// An NDIS 5 adapter's serialization and send state.
    #[pin]
    pub(crate) ndis5: Ndis5State,
}

impl Nic {
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Nic {
            general <- new_spinlock_irq!(None),
            offload <- new_spinlock_irq!(None),
            bridge: SetOnce::new(),
            gone: Atomic::new(false),
            detached: Atomic::new(false),
            phase: Atomic::new(PAUSED),
            pause_done: Atomic::new(false),
            restart_done: Atomic::new(false),
            restart_status: Atomic::new(0),
            outstanding: Atomic::new(0),
            tx_completion <- new_spinlock_irq!(()),
            oid <- new_mutex!(()),
            oid_pending: Atomic::new(0),
            oid_done: Atomic::new(false),
            oid_status: Atomic::new(0),
            packet_filter: Atomic::new(u32::MAX),
            hang_check_seconds: Atomic::new(0),
            resetting: Atomic::new(false),
            reset_done: Atomic::new(false),
            reset_status: Atomic::new(0),
            reset_addressing: Atomic::new(false),
            resets: Atomic::new(0),
            oid_failures: Atomic::new(0),
            link_speed: Atomic::new(u64::MAX),
            duplex: Atomic::new(0),
            stats <- new_spinlock_irq!(LinkStats::default()),
            stats_asked: Atomic::new(0),
            stats_unsupported: Atomic::new(false),
            ndis5 <- Ndis5State::new(),
        })
    }

    /// `NdisMSetMiniportAttributes` with general attributes.
    pub(crate) fn declare(&self, general: GeneralAttributes) {
        self.link_speed.store(general.link_speed, Relaxed);
        self.duplex.store(general.duplex, Relaxed);
        *self.general.lock() = Some(general);
    }

    /// Takes the adapter's interrupt back from the net_device's NAPI poll
    /// (its DPC runs on the BH work again), waiting for a poll in
    /// progress: before the net_device is unregistered, and before the
    /// interrupt it polls is disconnected. Idempotent; PASSIVE.
    pub(crate) fn napi_off(&self) {
        if let Some(bridge) = self.live() {
            // SAFETY: the live net_device.
            unsafe { ndis_shim_netdev_napi_detach(bridge.netdev) };
        }
    }

    /// The net_device bound to the adapter, if it has one (debugfs).
    pub(crate) fn view(&self) -> Option<NetDeviceView> {
        // The net_device is freed a grace period after `gone` is set.
        let _rcu = kernel::sync::rcu::read_lock();
        let bridge = self.live()?;
        let mut view = NetDeviceView {
            name: [0; IFNAMSIZ],
            carrier: false,
            outstanding: self.outstanding.load(Relaxed),
            phase: self.phase.load(Relaxed),
        };
        // SAFETY: the net_device is live (`live`, in an RCU read-side
        // section the free waits for); `name` has `IFNAMSIZ` bytes.
        unsafe { ndis_shim_netdev_view(bridge.netdev, view.name.as_mut_ptr(), &mut view.carrier) };
        Some(view)
    }

    /// The bridge, while the net_device exists.
    pub(crate) fn live(&self) -> Option<&Bridge> {
        if self.gone.load(Acquire) {
            return None;
        }
        self.bridge.as_ref()
    }
}
