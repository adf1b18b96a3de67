// SPDX-License-Identifier: GPL-2.0

//! Adapters: one per PCI function a miniport drives, from its probe
//! ([`crate::probe`]) to its removal.
//!
//! [`Adapter`] is what `MiniportAdapterHandle` names and the owner of
//! everything the miniport makes on the adapter: its channels, SG
//! registration and interrupts ([`Objects`]), shared memory, map registers
//! and I/O mappings. What those objects need of the adapter is its
//! [`AdapterCore`], which they hold; the owner is never reachable from what
//! it owns. [`Adapter::release`] lets everything go at removal, in the
//! order documented there.

use core::ops::Deref;
use kernel::{
    device, new_mutex, pci,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc, Mutex,
    },
    workqueue::{new_delayed_work, new_work, DelayedWork, Work},
};

use crate::{
    abi,
    adapter_core::AdapterCore,
    configuration::Configuration,
    driver::MiniportDriver,
    handle::{Handle, HandleKind},
    interrupt::Interrupt,
    io_work_item::IoWorkItems,
    map_registers::MapRegisters,
    net_buffer_pool,
    nic::Nic,
    port_io::IoPortRange,
    registry::{self, InRegistry, Registered},
    resources::IoSpace,
    sg_dma::SgDma,
    shared_memory::SharedMemory,
    status::{Error, Result as NdisResult},
    system_dma::DmaChannel,
    timer,
};

/// What the miniport registered on an adapter and has not deregistered.
struct Objects {
    channels: KVec<Registered<DmaChannel>>,
    sg_dma: Option<Registered<SgDma>>,
    interrupts: KVec<Registered<Interrupt>>,
    configurations: KVec<Registered<Configuration>>,
    /// NDIS 5 I/O port ranges (`NdisMRegisterIoPortRange`).
    io_ports: KVec<IoPortRange>,
    /// `NdisMRegisterAdapterShutdownHandler`'s handler and context.
    shutdown: Option<(ShutdownHandler, usize)>,
}

/// The handles of what the miniport registered on an adapter (debugfs's
/// view looks each up as the entry points do).
pub(crate) struct ObjectHandles {
    pub(crate) channels: KVec<Handle>,
    pub(crate) sg_dma: Option<Handle>,
    pub(crate) interrupts: KVec<Handle>,
}

/// Where an adapter is in its life (debugfs's view).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Probed: `MiniportInitializeEx` (or `MiniportInitialize`) runs.
    Initializing = 0,
    /// Initialized (and its net_device attached, if it is a NIC).
    Started = 1,
    /// Being removed: the halt handler runs, then its objects are released.
    Halting = 2,
}

impl Stage {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Initializing => "initializing",
            Self::Started => "started",
            Self::Halting => "halting",
        }
    }
}
/// `ADAPTER_SHUTDOWN_HANDLER`, present.
pub(crate) type ShutdownHandler = unsafe extern "C" fn(abi::PVOID);

const _: abi::ADAPTER_SHUTDOWN_HANDLER = None::<ShutdownHandler>;

/// A PCI function driven by a miniport: what `MiniportAdapterHandle` names.
#[pin_data]
pub(crate) struct Adapter {
    core: Arc<AdapterCore>,
    /// Channels, SG registration, interrupts. Registered and deregistered
    /// at PASSIVE_LEVEL only, so a mutex.
    #[pin]
    objects: Mutex<Objects>,
    /// Shared memory (`NdisMAllocateSharedMemory`).
    pub(crate) shared: Arc<SharedMemory>,
    /// I/O work items (`NdisAllocateIoWorkItem`).
    pub(crate) io_work_items: Arc<IoWorkItems>,
    /// NDIS 5 map registers (`NdisMAllocateMapRegisters`).
    #[pin]
    pub(crate) map_registers: MapRegisters,
    /// I/O space mappings (`NdisMMapIoSpace`).
    #[pin]
    pub(crate) io: IoSpace,
    /// A [`Stage`], for debugfs's view.
    stage: Atomic<u32>,
    /// The network side of an NDIS 6 NIC (`crate::net_device`).
    #[pin]
    pub(crate) nic: Nic,
    /// Applies the net_device's receive mode at PASSIVE_LEVEL.
    #[pin]
    pub(crate) rx_mode_work: Work<Adapter, 0>,
    /// `MiniportCheckForHangEx` on its period (`crate::reset`).
    #[pin]
    pub(crate) hang_check: DelayedWork<Adapter, 1>,
    /// A reset the transmit watchdog asked for (`crate::reset`).
    #[pin]
    pub(crate) reset_work: Work<Adapter, 2>,
    /// Queries the miniport's counters (`crate::net_device`).
    #[pin]
    pub(crate) stats_work: Work<Adapter, 3>,
    /// Hands NDIS 5 receive packets back through `MiniportReturnPacket`
    /// after their indication returned (`crate::ndis5_nic`).
    #[pin]
    pub(crate) return_work: Work<Adapter, 4>,
}

// SAFETY: `KIND` `Adapter` is implemented by `Adapter` only.
unsafe impl InRegistry for Adapter {
    const KIND: HandleKind = HandleKind::Adapter;
}

impl Deref for Adapter {
    type Target = AdapterCore;

    fn deref(&self) -> &AdapterCore {
        &self.core
    }
}

/// Appends `object`'s registration to `list`, returning its handle.
fn own<T: InRegistry>(list: &mut KVec<Registered<T>>, object: Arc<T>) -> NdisResult<Handle> {
    list.reserve(1, GFP_KERNEL)?;
    let registered = Registered::new(object)?;
    let handle = registered.handle();
    // Cannot fail: reserved above.
    list.push_within_capacity(registered)
        .map_err(|_| Error::Resources)?;
    Ok(handle)
}

/// The handles of `list`.
fn handles_of<T: InRegistry>(list: &KVec<Registered<T>>) -> Result<KVec<Handle>> {
    let mut out = KVec::with_capacity(list.len(), GFP_KERNEL)?;
    for r in list.iter() {
        out.push(r.handle(), GFP_KERNEL)?;
    }
    Ok(out)
}

/// Takes the registration of `handle` out of `list`.
fn disown<T: InRegistry>(list: &mut KVec<Registered<T>>, handle: Handle) -> Option<Registered<T>> {
    let i = list.iter().position(|r| r.handle() == handle)?;
    list.remove(i).ok()
}

impl Adapter {
    /// A new adapter for `pci`, probed for `driver`'s module.
    pub(crate) fn new(
        driver: Arc<MiniportDriver>,
        pci: &pci::Device<device::Bound>,
        resources: abi::NDIS_SHIM_RESOURCE_LIST,
    ) -> Result<Arc<Self>> {
        // Registered in DriverEntry, before any probe: fixed from here on.
        let ndis5_complete = driver
            .registration()
            .and_then(|r| r.allocate_complete_handler());
        let core = AdapterCore::new(driver, pci, resources)?;
        Arc::pin_init(
            try_pin_init!(Adapter {
                core,
                objects <- new_mutex!(Objects {
                    channels: KVec::new(),
                    sg_dma: None,
                    interrupts: KVec::new(),
                    configurations: KVec::new(),
                    io_ports: KVec::new(),
                    shutdown: None,
                }),
                shared: SharedMemory::new(ndis5_complete)?,
                io_work_items: IoWorkItems::new()?,
                map_registers <- MapRegisters::new(),
                io <- IoSpace::new(),
                stage: Atomic::new(Stage::Initializing as u32),
                nic <- Nic::new(),
                rx_mode_work <- new_work!("ndis_shim::rx_mode"),
                hang_check <- new_delayed_work!("ndis_shim::hang_check"),
                reset_work <- new_work!("ndis_shim::reset"),
                stats_work <- new_work!("ndis_shim::stats"),
                return_work <- new_work!("ndis_shim::return_packets"),
            }),
            GFP_KERNEL,
        )
    }

    /// Transfers (mapped in place, bounced) so far: the adapter's own, its
    /// live channels' and its map registers'. PASSIVE.
    pub(crate) fn transfer_totals(&self) -> (u64, u64) {
        let (mut mapped, mut bounced) = self.core.transfers.get();
        let (m, b) = self.map_registers.transfers();
        mapped += m;
        bounced += b;
        for channel in self.objects.lock().channels.iter() {
            let (m, b) = channel.object().transfers.get();
            mapped += m;
            bounced += b;
        }
        (mapped, bounced)
    }

    /// The handles of its channels, SG registration and interrupts. PASSIVE.
    pub(crate) fn object_handles(&self) -> Result<ObjectHandles> {
        let objects = self.objects.lock();
        Ok(ObjectHandles {
            channels: handles_of(&objects.channels)?,
            sg_dma: objects.sg_dma.as_ref().map(|r| r.handle()),
            interrupts: handles_of(&objects.interrupts)?,
        })
    }

    /// Where the adapter is in its life.
    pub(crate) fn stage(&self) -> Stage {
        match self.stage.load(Relaxed) {
            0 => Stage::Initializing,
            1 => Stage::Started,
            _ => Stage::Halting,
        }
    }

    /// Records where the adapter is in its life (probe and removal).
    pub(crate) fn set_stage(&self, stage: Stage) {
        self.stage.store(stage as u32, Relaxed);
    }

    /// The part the adapter's objects hold on to.
    pub(crate) fn core(&self) -> &Arc<AdapterCore> {
        &self.core
    }

    /// Takes a new channel on; its handle names it until deregistered.
    pub(crate) fn own_channel(&self, channel: Arc<DmaChannel>) -> NdisResult<Handle> {
        own(&mut self.objects.lock().channels, channel)
    }

    /// `NdisMDeregisterDmaChannel`: lets the channel go (stopping its
    /// engine). PASSIVE.
    pub(crate) fn disown_channel(&self, handle: Handle) -> NdisResult {
        let removed = disown(&mut self.objects.lock().channels, handle);
        // Dropped unlocked: the handle goes, then the channel is released.
        removed.map(drop).ok_or(Error::InvalidParameter)
    }

    /// Takes a new interrupt on.
    pub(crate) fn own_interrupt(&self, irq: Arc<Interrupt>) -> NdisResult<Handle> {
        own(&mut self.objects.lock().interrupts, irq)
    }

    /// The connection of the adapter's first interrupt, for the
    /// net_device's NAPI poll; valid until [`Nic::napi_off`] (which
    /// [`Self::disown_interrupt`] calls first).
    pub(crate) fn first_interrupt(&self) -> Option<*mut core::ffi::c_void> {
        self.objects
            .lock()
            .interrupts
            .first()
            .map(|r| r.object().raw())
    }

    /// `NdisMDeregisterInterruptEx`: disconnects it. PASSIVE.
    pub(crate) fn disown_interrupt(&self, handle: Handle) -> NdisResult {
        // The NAPI poll may be running its DPC: take it back first.
        self.nic.napi_off();
        let removed = disown(&mut self.objects.lock().interrupts, handle);
        removed.map(drop).ok_or(Error::InvalidParameter)
    }

    /// Takes a new configuration on (`NdisOpenConfigurationEx`).
    pub(crate) fn own_configuration(&self, config: Arc<Configuration>) -> NdisResult<Handle> {
        own(&mut self.objects.lock().configurations, config)
    }

    /// `NdisCloseConfiguration`: frees what its reads returned. PASSIVE.
    pub(crate) fn disown_configuration(&self, handle: Handle) -> NdisResult {
        let removed = disown(&mut self.objects.lock().configurations, handle);
        removed.map(drop).ok_or(Error::InvalidParameter)
    }

    /// `NdisMRegisterIoPortRange`: claims the range for the adapter.
    /// PASSIVE.
    pub(crate) fn own_io_ports(&self, start: u32, len: u32) -> NdisResult {
        let mut objects = self.objects.lock();
        objects.io_ports.reserve(1, GFP_KERNEL)?;
        let range = crate::port_io::claim(&self.core, start, len)?;
        // Cannot fail: reserved above.
        objects
            .io_ports
            .push_within_capacity(range)
            .map_err(|_| Error::Resources)
    }

    /// `NdisMDeregisterIoPortRange`: `InvalidParameter` unless the range
    /// is one registered. PASSIVE.
    pub(crate) fn disown_io_ports(&self, start: u32, len: u32) -> NdisResult {
        let mut objects = self.objects.lock();
        let i = objects
            .io_ports
            .iter()
            .position(|r| r.is(start, len))
            .ok_or(Error::InvalidParameter)?;
        objects
            .io_ports
            .remove(i)
            .map(drop)
            .map_err(|_| Error::InvalidParameter)
    }

    /// `NdisMRegisterAdapterShutdownHandler` (`None`: deregistered).
    pub(crate) fn set_shutdown_handler(&self, handler: Option<(ShutdownHandler, usize)>) {
        self.objects.lock().shutdown = handler;
    }

    /// The registered shutdown handler, if any.
    pub(crate) fn shutdown_handler(&self) -> Option<(ShutdownHandler, usize)> {
        self.objects.lock().shutdown
    }

    /// Configurations open on the adapter.
    pub(crate) fn open_configurations(&self) -> usize {
        self.objects.lock().configurations.len()
    }

    /// The highest bus address of the adapter's DMA adapter, if it has one.
    /// A bus master's is its scatter-gather DMA registration, or (NDIS 5)
    /// its map registers; a subordinate-DMA adapter's (or a bus master's
    /// with neither) is its first system-DMA channel. Shared memory and the
    /// DMA alignment need one ("A miniport driver must have already called
    /// NdisMRegisterScatterGatherDma or NdisMRegisterDmaChannel",
    /// `NdisMAllocateSharedMemory`; `NdisMAllocateMapRegisters` first for
    /// an NDIS 5 bus master). PASSIVE.
    pub(crate) fn dma_adapter_limit(&self) -> Option<u64> {
        let objects = self.objects.lock();
        if self.is_bus_master() {
            if let Some(sg_dma) = &objects.sg_dma {
                return Some(sg_dma.object().limit());
            }
            if let Some(limit) = self.map_registers.limit() {
                return Some(limit);
            }
        }
        objects.channels.first().map(|c| c.object().limit())
    }

    /// Whether this adapter has a scatter-gather DMA registration
    /// (`NdisMRegisterScatterGatherDma`).
    pub(crate) fn sg_dma_registered(&self) -> bool {
        self.objects.lock().sg_dma.is_some()
    }

    /// Takes the adapter's SG registration on: `RESOURCE_CONFLICT` if it
    /// has one (checked again here, where it is recorded: two Registers
    /// may race).
    pub(crate) fn own_sg_dma(&self, sg_dma: Arc<SgDma>) -> NdisResult<Handle> {
        let mut objects = self.objects.lock();
        if objects.sg_dma.is_some() {
            return Err(Error::ResourceConflict);
        }
        let registered = Registered::new(sg_dma)?;
        let handle = registered.handle();
        objects.sg_dma = Some(registered);
        Ok(handle)
    }

    /// `NdisMDeregisterScatterGatherDma`. PASSIVE.
    pub(crate) fn disown_sg_dma(&self, handle: Handle) -> NdisResult {
        let removed = {
            let mut objects = self.objects.lock();
            match &objects.sg_dma {
                Some(r) if r.handle() == handle => objects.sg_dma.take(),
                _ => None,
            }
        };
        // Dropped unlocked: the handle goes, then its lists and bounce memory.
        removed.map(drop).ok_or(Error::InvalidParameter)
    }

    /// Lets go of everything the miniport left on the adapter `handle`
    /// names, after `MiniportHaltEx` (or a failed `MiniportInitializeEx`),
    /// logging each kind it had left. PASSIVE: waits for engines and
    /// handlers.
    ///
    /// Timer objects go first (cancelled, a running timer function waited
    /// for: none runs after), then I/O work items (a routine still queued
    /// is cancelled: the halt freed what it would touch; one running is
    /// waited for). The order of the rest keeps memory a device may still
    /// write mapped until it cannot: DMA channels first (each waits for its engine to go idle,
    /// or fences the function and releases behind the fence), then the SG
    /// registration (its lists unmapped), the interrupts (no ISR or DPC
    /// after), shared memory (pending asynchronous allocations dropped, the
    /// blocks freed), map registers, the I/O mappings, open configurations
    /// (plain memory: what their reads returned), and last the NBL/NET_BUFFER pools made with the adapter's handle (plain memory
    /// no device writes; an NBL still allocated keeps its pool until it is
    /// freed, see [`net_buffer_pool::release_owned`]).
    pub(crate) fn release(&self, handle: Handle) {
        let name = self.driver.name();
        let dev = self.device();
        // First: a timer function may use anything below.
        let timers = timer::release_owned(handle);
        if timers.unfreed > 0 {
            dev_warn!(
                dev,
                "{}: {} timer object(s) not freed; cancelled and freed\n",
                name,
                timers.unfreed
            );
        }
        if timers.armed_ndis5 > 0 {
            dev_warn!(
                dev,
                "{}: {} NDIS 5 timer(s) still set after MiniportHalt; cancelled\n",
                name,
                timers.armed_ndis5
            );
        }
        let work = self.io_work_items.release();
        if work.unfreed > 0 {
            dev_warn!(
                dev,
                "{}: {} I/O work item(s) not freed; freed\n",
                name,
                work.unfreed
            );
        }
        if work.cancelled > 0 {
            dev_warn!(
                dev,
                "{}: {} I/O work item(s) still queued after the halt; not run\n",
                name,
                work.cancelled
            );
        }
        let (io_ports, shutdown) = {
            let mut objects = self.objects.lock();
            (
                core::mem::take(&mut objects.io_ports),
                objects.shutdown.take(),
            )
        };
        if !io_ports.is_empty() {
            dev_warn!(
                dev,
                "{}: {} I/O port range(s) not deregistered; released\n",
                name,
                io_ports.len()
            );
        }
        drop((io_ports, shutdown));
        let (channels, sg_dma, interrupts, configurations) = {
            let mut objects = self.objects.lock();
            (
                core::mem::take(&mut objects.channels),
                objects.sg_dma.take(),
                core::mem::take(&mut objects.interrupts),
                core::mem::take(&mut objects.configurations),
            )
        };
        if !channels.is_empty() {
            dev_warn!(
                dev,
                "{}: {} DMA channel(s) not deregistered; released\n",
                name,
                channels.len()
            );
        }
        drop(channels);
        // NDIS 5.1's NdisMInitializeScatterGatherDma has no deregistration:
        // its registration goes with the adapter, as on Windows.
        if sg_dma.as_ref().is_some_and(|r| !r.object().is_ndis5()) {
            dev_warn!(
                dev,
                "{}: 1 scatter-gather DMA registration(s) not deregistered; released\n",
                name
            );
        }
        drop(sg_dma);
        if !interrupts.is_empty() {
            dev_warn!(
                dev,
                "{}: {} interrupt(s) not deregistered; released\n",
                name,
                interrupts.len()
            );
        }
        drop(interrupts);
        let left = self.shared.release();
        if left > 0 {
            dev_warn!(
                dev,
                "{}: {} shared memory block(s) not freed; freed\n",
                name,
                left
            );
        }
        if self.map_registers.release(&self.core) {
            dev_warn!(dev, "{}: map registers not freed; freed\n", name);
        }
        let left = self.io.release();
        if left > 0 {
            dev_warn!(
                dev,
                "{}: {} I/O mapping(s) not unmapped; unmapped\n",
                name,
                left
            );
        }
        if !configurations.is_empty() {
            dev_warn!(
                dev,
                "{}: {} configuration(s) not closed; closed\n",
                name,
                configurations.len()
            );
        }
        drop(configurations);
        net_buffer_pool::release_owned(handle)
            .report(|line| dev_warn!(dev, "{}: {}\n", name, line));
    }
}

/// Every adapter, for debugfs.
pub(crate) fn list() -> KVec<(Handle, Arc<Adapter>)> {
    registry::all()
}
