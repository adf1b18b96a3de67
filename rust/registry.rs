// SPDX-License-Identifier: GPL-2.0

//! The handles given to C, and what they stand for.
//!
//! A handle is never trusted as a pointer: every entry point looks it up
//! here, under one IRQ-safe spin lock, and takes a reference to the object.
//! The generation count in [`Handle`] catches a stale handle even after its
//! slot has been reused.
//!
//! Objects are never dropped under the lock: `remove` hands the last
//! reference back to the caller, which drops it once unlocked (freeing
//! coherent memory may sleep).

use kernel::{
    prelude::*,
    sync::{global_lock, Arc},
};

use crate::{
    adapter::Adapter,
    driver::MiniportDriver,
    handle::{Handle, HandleKind, HandleTable},
    interrupt::Interrupt,
    sg_dma::SgDma,
    system_dma::DmaChannel,
};

/// Miniport drivers (modules) registered at once.
const MAX_DRIVERS: usize = 16;
/// Adapters (bound PCI functions) at once.
const MAX_ADAPTERS: usize = 32;
/// System-DMA channels at once, over all adapters.
const MAX_CHANNELS: usize = 128;
/// Interrupts at once, over all adapters.
const MAX_INTERRUPTS: usize = 32;
/// Scatter-gather DMA registrations at once (one per adapter).
const MAX_SG_DMAS: usize = 32;

/// Every live object a handle can name.
pub(crate) struct Registry {
    pub(crate) drivers: HandleTable<Arc<MiniportDriver>, MAX_DRIVERS>,
    pub(crate) adapters: HandleTable<Arc<Adapter>, MAX_ADAPTERS>,
    pub(crate) channels: HandleTable<Arc<DmaChannel>, MAX_CHANNELS>,
    pub(crate) interrupts: HandleTable<Arc<Interrupt>, MAX_INTERRUPTS>,
    pub(crate) sg_dmas: HandleTable<Arc<SgDma>, MAX_SG_DMAS>,
}

impl Registry {
    const fn new() -> Self {
        Self {
            drivers: HandleTable::new(),
            adapters: HandleTable::new(),
            channels: HandleTable::new(),
            interrupts: HandleTable::new(),
            sg_dmas: HandleTable::new(),
        }
    }
}

global_lock! {
    // SAFETY: `init` runs in module init, before any entry point is callable.
    pub(crate) unsafe(uninit) static REGISTRY: SpinLockIrq<Registry> = Registry::new();
}

/// Initializes the registry's lock. Called once, from module init.
pub(crate) fn init() {
    // SAFETY: called once, from module init, before any other use.
    unsafe { REGISTRY.init() };
}

/// Looks up the adapter a raw `NDIS_HANDLE` names.
pub(crate) fn adapter(raw: u64) -> Option<Arc<Adapter>> {
    REGISTRY
        .lock()
        .adapters
        .get(HandleKind::Adapter, Handle::from_raw(raw))
        .cloned()
}

/// Looks up the system-DMA channel a raw `NDIS_HANDLE` names.
pub(crate) fn channel(raw: u64) -> Option<Arc<DmaChannel>> {
    REGISTRY
        .lock()
        .channels
        .get(HandleKind::DmaChannel, Handle::from_raw(raw))
        .cloned()
}

/// Looks up the miniport driver a raw `NDIS_HANDLE` names.
pub(crate) fn driver(raw: u64) -> Option<Arc<MiniportDriver>> {
    REGISTRY
        .lock()
        .drivers
        .get(HandleKind::Driver, Handle::from_raw(raw))
        .cloned()
}
