// SPDX-License-Identifier: GPL-2.0

//! PCI binding: `NdisLinuxPciProbe` makes an adapter and calls
//! `MiniportInitializeEx` (NDIS 6) or `MiniportInitialize` (NDIS 5);
//! `NdisLinuxPciRemove` calls the halt handler and releases the adapter.
//!
//! The glue's PCI driver owns the device and its drvdata; the shim keeps its
//! adapters in its own list ([`BOUND`]), found again by `struct pci_dev`.

use kernel::{
    bindings, device, pci,
    prelude::*,
    sync::{global_lock, Arc},
};

use crate::{
    abi,
    adapter::{Adapter, Stage},
    driver::{self, Characteristics, Glue, MiniportDriver},
    handle::Handle,
    ndis5_pnp, net_device,
    pci_device::raw_pci_dev,
    registry::Registered,
    resources::resources_of,
};

global_lock! {
    // SAFETY: `init` runs in module init, before any entry point is callable.
    unsafe(uninit) static BOUND: Mutex<KVec<Registered<Adapter>>> = KVec::new();
}

/// Initializes the adapter list's lock. Called once, from module init.
pub(crate) fn init() {
    // SAFETY: called once, from module init, before any other use.
    unsafe { BOUND.init() };
}

/// Frees the adapter list's memory, at module exit: every miniport module,
/// and so every adapter, is gone.
pub(crate) fn exit() {
    let bound = core::mem::take(&mut *BOUND.lock());
    drop(bound);
}

/// `NdisLinuxPciProbe`: sets the device up, then calls `MiniportInitializeEx`.
pub(crate) fn probe(glue: Glue, pci: &pci::Device<device::Bound>) -> Result {
    let (_, driver) = driver::find_by_glue(glue).ok_or(ENODEV)?;
    let registration = driver.registration().ok_or(ENODEV)?;
    let has_initialize = match registration.characteristics {
        Characteristics::Ndis6(c) => c.InitializeHandlerEx.is_some(),
        Characteristics::Ndis5(c) => c.InitializeHandler.is_some(),
    };
    if !has_initialize {
        return Err(ENODEV);
    }
    let pdev = raw_pci_dev(pci);
    // SAFETY: `pdev` is being probed. I/O and memory both: NDIS miniports
    // use port BARs too (the kernel crate enables memory only).
    kernel::error::to_result(unsafe { bindings::pci_enable_device(pdev) })?;
    let bits = u32::from(driver.glue().dma_address_bits()).clamp(24, 64);
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    // The device's real reach, set once, here, before any mapping or
    // allocation exists; no NDIS call changes it afterwards (a narrower
    // limit an NDIS call asks for is met by bouncing, or by allocating
    // under `AdapterCore::coherent_allocation`).
    // SAFETY: `pdev` is valid; no mapping of this device exists yet.
    let ret = unsafe { bindings::dma_set_mask_and_coherent(&raw mut (*pdev).dev, mask) };
    if let Err(e) = kernel::error::to_result(ret) {
        // SAFETY: enabled above.
        unsafe { bindings::pci_disable_device(pdev) };
        return Err(e);
    }
    // SAFETY: `pdev` is valid and enabled.
    unsafe { bindings::pci_set_master(pdev) };

    let result = init_adapter(driver, registration, pci);
    if result.is_err() {
        // SAFETY: enabled above; nothing of the adapter is left.
        unsafe {
            bindings::pci_clear_master(pdev);
            bindings::pci_disable_device(pdev);
        }
    }
    result
}

fn init_adapter(
    driver: Arc<MiniportDriver>,
    registration: driver::Registration,
    pci: &pci::Device<device::Bound>,
) -> Result {
    let adapter = Adapter::new(driver, pci, resources_of(pci))?;
    // Room in the list first: once the miniport initialized, nothing fails.
    BOUND.lock().reserve(1, GFP_KERNEL)?;
    let registered = Registered::new(adapter).map_err(|_| ENOSPC)?;
    let handle = registered.handle();
    let adapter = registered.object().clone();

    let status = match registration.characteristics {
        Characteristics::Ndis6(c) => initialize_ndis6(&adapter, handle, &registration, c),
        Characteristics::Ndis5(c) => initialize_ndis5(&adapter, handle, c),
    };
    if status != abi::NDIS_STATUS_SUCCESS as i32 {
        dev_err!(
            adapter.device(),
            "{}: miniport initialization failed: {:#x}\n",
            adapter.driver.name(),
            status as u32
        );
        adapter.release(handle);
        drop(registered);
        return Err(if status == abi::NDIS_STATUS_RESOURCES {
            ENOMEM
        } else {
            ENODEV
        });
    }
    // An 802.3 miniport's net_device, once it initialized.
    if let Err(e) = net_device::attach(&adapter, handle) {
        halt(&adapter);
        net_device::detach_after_halt(&adapter);
        adapter.release(handle);
        drop(registered);
        return Err(e);
    }
    let mut bound = BOUND.lock();
    // The room reserved may have gone to a concurrent probe: then grow.
    let pushed = match bound.push_within_capacity(registered) {
        Ok(()) => Ok(()),
        Err(e) => bound.push(e.0, GFP_KERNEL),
    };
    drop(bound);
    if pushed.is_err() {
        // Not remembered (and its handle gone): undone as if
        // initialization had failed.
        net_device::detach(&adapter);
        halt(&adapter);
        net_device::detach_after_halt(&adapter);
        adapter.release(handle);
        return Err(ENOMEM);
    }
    adapter.set_stage(Stage::Started);
    dev_info!(
        adapter.device(),
        "{}: adapter initialized\n",
        adapter.driver.name()
    );
    // NDIS 5.1: the power profile, once initialization is complete.
    ndis5_pnp::initialized(&adapter);
    Ok(())
}

/// `MiniportInitializeEx(NdisMiniportHandle, MiniportDriverContext, InitParameters)`.
fn initialize_ndis6(
    adapter: &Adapter,
    handle: Handle,
    registration: &driver::Registration,
    c: abi::NDIS_MINIPORT_DRIVER_CHARACTERISTICS,
) -> abi::NDIS_STATUS {
    let Some(initialize) = c.InitializeHandlerEx else {
        return abi::NDIS_STATUS_FAILURE;
    };
    let mut resources = adapter.resources;
    let mut params = abi::NDIS_MINIPORT_INIT_PARAMETERS {
        Header: abi::NDIS_OBJECT_HEADER {
            Type: abi::NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS as u8,
            Revision: abi::NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1 as u8,
            Size: abi::NDIS_SIZEOF_MINIPORT_INIT_PARAMETERS_REVISION_1 as u16,
        },
        // The list begins as a CM_PARTIAL_RESOURCE_LIST does (bindgen.h).
        AllocatedResources: (&raw mut resources).cast(),
        ..Default::default()
    };
    // SAFETY: the miniport's MiniportInitializeEx, called as NDIS calls it.
    unsafe {
        initialize(
            handle.into_raw() as abi::NDIS_HANDLE,
            registration.driver_context as abi::NDIS_HANDLE,
            &mut params,
        )
    }
}

/// NDIS 5 `MiniportInitialize`, offered one medium (802.3). The adapter
/// handle doubles as `WrapperConfigurationContext` (for
/// `NdisMQueryAdapterResources`).
fn initialize_ndis5(
    adapter: &Adapter,
    handle: Handle,
    c: abi::NDIS51_MINIPORT_CHARACTERISTICS,
) -> abi::NDIS_STATUS {
    let (Some(initialize), Some(halt)) = (c.InitializeHandler, c.HaltHandler) else {
        return abi::NDIS_STATUS_FAILURE;
    };
    let mut media: [abi::NDIS_MEDIUM; 1] = [abi::NdisMedium802_3];
    let mut open_error: abi::NDIS_STATUS = 0;
    let mut selected: u32 = u32::MAX;
    let raw = handle.into_raw() as abi::NDIS_HANDLE;
    // SAFETY: the miniport's MiniportInitialize, called as NDIS 5 calls it,
    // with out pointers and a medium array that live across the call.
    let status = unsafe {
        initialize(
            &mut open_error,
            &mut selected,
            media.as_mut_ptr(),
            media.len() as u32,
            raw,
            raw,
        )
    };
    if status == abi::NDIS_STATUS_SUCCESS as i32 && selected as usize >= media.len() {
        dev_err!(
            adapter.device(),
            "{}: MiniportInitialize selected medium {} of {}\n",
            adapter.driver.name(),
            selected,
            media.len()
        );
        // SAFETY: the miniport initialized; its halt undoes that.
        unsafe { halt(adapter.context()) };
        return abi::NDIS_STATUS_UNSUPPORTED_MEDIA;
    }
    status
}

/// Calls the miniport's halt handler for `adapter`.
fn halt(adapter: &Adapter) {
    adapter.set_stage(Stage::Halting);
    // Pending asynchronous allocations complete while the context is valid.
    adapter.shared.flush();
    match adapter.driver.registration().map(|r| r.characteristics) {
        Some(Characteristics::Ndis6(c)) => {
            if let Some(halt) = c.HaltHandlerEx {
                // SAFETY: the miniport's MiniportHaltEx with its own context.
                unsafe { halt(adapter.context(), abi::NdisHaltDeviceDisabled) };
            }
        }
        Some(Characteristics::Ndis5(c)) => {
            if let Some(halt) = c.HaltHandler {
                // SAFETY: the miniport's MiniportHalt with its own context.
                unsafe { halt(adapter.context()) };
            }
        }
        None => {}
    }
}

/// `NdisLinuxPciRemove`: `MiniportHaltEx`, then whatever the miniport left.
pub(crate) fn remove(_glue: Glue, pci: &pci::Device<device::Bound>) {
    let pdev = raw_pci_dev(pci);
    let registered = {
        let mut bound = BOUND.lock();
        let i = bound.iter().position(|r| r.object().pci_dev() == pdev);
        i.and_then(|i| bound.remove(i).ok())
    };
    let Some(registered) = registered else {
        pr_warn!("NdisLinuxPciRemove: device without an adapter\n");
        return;
    };
    let adapter = registered.object().clone();
    // NDIS 5.1: a function that vanished is surprise-removed before
    // anything else happens to the adapter.
    ndis5_pnp::removing(&adapter);
    // The net_device goes first (pausing the data path), and is freed
    // once the miniport halted.
    net_device::detach(&adapter);
    halt(&adapter);
    net_device::detach_after_halt(&adapter);
    adapter.release(registered.handle());
    // The handle names nothing from here on.
    drop(registered);
    // SAFETY: the device is still bound; nothing of the adapter is left.
    unsafe {
        bindings::pci_clear_master(pdev);
        bindings::pci_disable_device(pdev);
    }
}

/// `NdisLinuxPciShutdown`: the adapter's NDIS 5 `MiniportShutdown`, if
/// it has one: a 5.1 miniport's `AdapterShutdownHandler` with its adapter
/// context, else the handler `NdisMRegisterAdapterShutdownHandler`
/// recorded, with its context ([`ndis5_pnp::shutdown_handler`]). Windows
/// calls it at shutdown with the system in an unknown state and forbids
/// it to wait on objects or allocate; here it runs from the PCI driver's
/// shutdown callback, in process context. An NDIS 6 miniport's
/// `MiniportShutdownEx` is not called (yet).
pub(crate) fn shutdown(_glue: Glue, pci: &pci::Device<device::Bound>) {
    let pdev = raw_pci_dev(pci);
    let adapter = BOUND
        .lock()
        .iter()
        .find(|r| r.object().pci_dev() == pdev)
        .map(|r| r.object().clone());
    let Some((handler, context)) = adapter.and_then(|a| ndis5_pnp::shutdown_handler(&a)) else {
        return;
    };
    // SAFETY: the miniport's handler with its adapter context or the
    // context it registered; the adapter is bound (not halted) throughout
    // this callback.
    unsafe { handler(context) };
}
