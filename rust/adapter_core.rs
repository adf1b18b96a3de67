// SPDX-License-Identifier: GPL-2.0

//! What an adapter's objects refer to: [`AdapterCore`], the device, its
//! driver, the miniport's context and declarations, counters. The
//! adapter itself, which owns those objects, is [`crate::adapter::Adapter`];
//! keeping the two apart is what keeps the owner out of its objects.

use core::ffi::c_void;
use kernel::{
    bindings, device, pci,
    prelude::*,
    sync::{
        aref::ARef,
        atomic::{Atomic, Relaxed},
        Arc, Mutex, MutexGuard,
    },
    types::Opaque,
};

use crate::{
    abi,
    driver::MiniportDriver,
    pci_device::{bound_pci_device, raw_pci_dev},
    reject::RejectLog,
};

/// Transfers mapped in place and staged through bounce memory.
///
/// Each system-DMA channel keeps its own, so that transfers on channels
/// used from different CPUs write no common cache line; the adapter's
/// total adds them up when it is read.
pub(crate) struct TransferCounts {
    mapped: Atomic<u64>,
    bounced: Atomic<u64>,
}

impl TransferCounts {
    pub(crate) const fn new() -> Self {
        Self {
            mapped: Atomic::new(0),
            bounced: Atomic::new(0),
        }
    }

    /// Counts one transfer.
    pub(crate) fn count(&self, bounced: bool) {
        if bounced {
            self.bounced.fetch_add(1, Relaxed);
        } else {
            self.mapped.fetch_add(1, Relaxed);
        }
    }

    /// (mapped in place, bounced) so far.
    pub(crate) fn get(&self) -> (u64, u64) {
        (self.mapped.load(Relaxed), self.bounced.load(Relaxed))
    }

    /// Adds `other`'s counts to these (a channel's, when it goes).
    pub(crate) fn absorb(&self, other: &Self) {
        let (mapped, bounced) = other.get();
        self.mapped.fetch_add(mapped, Relaxed);
        self.bounced.fetch_add(bounced, Relaxed);
    }
}

/// What an adapter's objects refer to.
///
/// # Invariants
///
/// `pci` is bound to the miniport module's driver for as long as the
/// adapter is registered: the adapter is made in the PCI probe and released
/// (every object referring to this core torn down) in the PCI remove
/// callback, before the device is unbound.
#[pin_data]
pub(crate) struct AdapterCore {
    pub(crate) driver: Arc<MiniportDriver>,
    pci: ARef<pci::Device>,
    dev: ARef<device::Device>,
    context: Atomic<usize>,
    /// Declared a bus master (NDIS 6 registration attributes, or
    /// `NdisMSetAttributesEx`).
    bus_master: Atomic<bool>,
    rejected_calls: Atomic<u64>,
    /// The rate limit of the adapter's rejection lines (never of the count).
    #[pin]
    reject_log: RejectLog,
    /// `NdisWriteErrorLogEntry` entries written on the adapter.
    error_log_entries: Atomic<u64>,
    /// The rate limit of the adapter's error-log lines (never of the count).
    #[pin]
    error_log: RejectLog,
    /// Transfers of the adapter's SG lists and map registers, and of its
    /// deregistered channels (a live channel counts its own).
    pub(crate) transfers: TransferCounts,
    /// 1 once the shim turned bus mastering off (see [`crate::fence`]).
    fenced: Atomic<u32>,
    /// The function's BARs and interrupt, as the miniport is given them.
    pub(crate) resources: abi::NDIS_SHIM_RESOURCE_LIST,
    /// The same resources as a `CM_RESOURCE_LIST`, whose address
    /// `NdisMGetDeviceProperty` and `NdisMPciAssignResources` give the
    /// miniport (C may write it: only ever reached by raw pointer).
    pub(crate) cm_resources: Opaque<abi::NDIS_SHIM_CM_RESOURCE_LIST>,
    /// Taken by every coherent allocation of the shim for this device: one
    /// that needs memory below a narrower limit than the device's reach
    /// narrows the coherent mask for its allocation, which no other
    /// allocation may see (see [`crate::dma::BounceMemory::new_within`]).
    #[pin]
    coherent: Mutex<()>,
}

// SAFETY: the resource list's raw fields are plain numbers copied from the
// device; all mutable state is atomic or under a lock (the rate limit's
// under its own); of `cm_resources` the shim only hands out the address.
unsafe impl Send for AdapterCore {}
// SAFETY: nothing is reachable through `&AdapterCore` unlocked but atomics
// and immutable data; of `cm_resources`, only the address.
unsafe impl Sync for AdapterCore {}

impl AdapterCore {
    pub(crate) fn device(&self) -> &device::Device {
        &self.dev
    }

    /// The device as bound; valid for the adapter's life (type invariant).
    pub(crate) fn bound_device(&self) -> &device::Device<device::Bound> {
        // SAFETY: the adapter only exists while its device is bound (type invariant).
        unsafe { self.dev.as_bound() }
    }

    /// The PCI function, bound (type invariant).
    pub(crate) fn bound_pci(&self) -> &pci::Device<device::Bound> {
        // SAFETY: the adapter only exists while its device is bound to the
        // miniport's driver (type invariant).
        unsafe { bound_pci_device(self.pci_dev()) }
    }

    /// The `struct pci_dev` the adapter was probed with.
    pub(crate) fn pci_dev(&self) -> *mut bindings::pci_dev {
        raw_pci_dev(&self.pci)
    }

    /// `MiniportAdapterContext`, as given to `NdisMSetMiniportAttributes`.
    pub(crate) fn context(&self) -> *mut c_void {
        self.context.load(Relaxed) as *mut c_void
    }

    /// Records what the miniport declared: its context and whether the
    /// adapter is a bus master.
    pub(crate) fn declare(&self, context: usize, bus_master: bool) {
        self.context.store(context, Relaxed);
        self.bus_master.store(bus_master, Relaxed);
    }

    pub(crate) fn dma_controller(&self) -> Option<&abi::NDIS_LINUX_DMA_CONTROLLER> {
        self.driver.glue().dma_controller()
    }

    /// Whether the miniport declared the adapter a bus master.
    pub(crate) fn is_bus_master(&self) -> bool {
        self.bus_master.load(Relaxed)
    }

    /// Counts one rejected (or misused) call of this adapter exactly and
    /// logs it, rate-limited (see [`crate::reject`]).
    pub(crate) fn reject(&self, call: &str, why: &str) {
        self.rejected_calls.fetch_add(1, Relaxed);
        self.reject_log.reject(&self.dev, call, why);
    }

    pub(crate) fn rejected_calls(&self) -> u64 {
        self.rejected_calls.load(Relaxed)
    }

    /// Counts one `NdisWriteErrorLogEntry` entry; returns the count with it.
    pub(crate) fn count_error_log_entry(&self) -> u64 {
        self.error_log_entries.fetch_add(1, Relaxed) + 1
    }

    pub(crate) fn error_log_entries(&self) -> u64 {
        self.error_log_entries.load(Relaxed)
    }

    /// Whether the next error-log line may be logged (rate-limited per
    /// adapter, apart from rejections).
    pub(crate) fn error_log_allows(&self) -> bool {
        self.error_log.allows(c"ndis_shim: error log entries")
    }

    /// Counts a transfer by how it reached the device.
    pub(crate) fn count_transfer(&self, bounced: bool) {
        self.transfers.count(bounced);
    }

    /// Serializes the shim's coherent allocations for this device (see the
    /// field). PASSIVE: sleeps.
    pub(crate) fn coherent_allocation(&self) -> MutexGuard<'_, ()> {
        self.coherent.lock()
    }

    /// Records that the shim turned the function's bus mastering off: no
    /// transfer starts on this adapter again.
    pub(crate) fn mark_fenced(&self) {
        self.fenced.store(1, Relaxed);
    }

    pub(crate) fn is_fenced(&self) -> bool {
        self.fenced.load(Relaxed) != 0
    }
}

impl AdapterCore {
    /// A new core for `pci`, probed for `driver`'s module.
    pub(crate) fn new(
        driver: Arc<MiniportDriver>,
        pci: &pci::Device<device::Bound>,
        resources: abi::NDIS_SHIM_RESOURCE_LIST,
    ) -> Result<Arc<Self>> {
        let cm_resources = Opaque::new(abi::NDIS_SHIM_CM_RESOURCE_LIST {
            Count: 1,
            InterfaceType: abi::PCIBus,
            BusNumber: u32::from(pci.dev_id() >> 8),
            PartialResourceList: resources,
        });
        let dev: ARef<device::Device> = pci.as_ref().into();
        let pci: ARef<pci::Device> = pci.into();
        Arc::pin_init(
            try_pin_init!(AdapterCore {
                driver,
                pci,
                dev,
                context: Atomic::new(0),
                bus_master: Atomic::new(false),
                rejected_calls: Atomic::new(0),
                reject_log <- RejectLog::new(),
                error_log_entries: Atomic::new(0),
                error_log <- RejectLog::new(),
                transfers: TransferCounts::new(),
                fenced: Atomic::new(0),
                resources,
                cm_resources,
                coherent <- kernel::new_mutex!(()),
            }),
            GFP_KERNEL,
        )
    }
}
