// SPDX-License-Identifier: GPL-2.0

//! Adapters: one per bound PCI function. A PCI probe becomes
//! `MiniportInitializeEx`, a remove becomes `MiniportHaltEx`; in between the
//! adapter handle reaches config space, MMIO, interrupts and DMA channels.

use core::ffi::{c_int, c_void};
use kernel::{
    bindings, device, new_spinlock, new_spinlock_irq,
    prelude::*,
    sync::{
        aref::ARef,
        atomic::{Atomic, Relaxed},
        Arc, SpinLock, SpinLockIrq,
    },
};

use crate::{
    driver::{self, Characteristics, MiniportDriver},
    ffi,
    handle::{Handle, HandleKind},
    map_registers::MapRegisterFile,
    registry::REGISTRY,
    status::{Error, Result as NdisResult},
};

/// An `ioremap` made by `NdisMMapIoSpace`.
struct IoMapping {
    cpu: usize,
    len: usize,
}

/// A PCI function driven by a miniport.
///
/// # Invariants
///
/// `pdev` is the bound `struct pci_dev`; the adapter is removed from the
/// registry (and every object referring to it torn down) in the PCI remove
/// callback, before the device is unbound.
#[pin_data]
pub(crate) struct Adapter {
    pub(crate) driver: Arc<MiniportDriver>,
    pdev: usize,
    dev: ARef<device::Device>,
    context: Atomic<usize>,
    /// Declared a bus master (NDIS 6 registration attributes, or
    /// `NdisMSetAttributesEx`).
    bus_master: Atomic<bool>,
    rejected_calls: Atomic<u64>,
    /// Transfers Setup mapped in place / staged through bounce memory.
    mapped: Atomic<u64>,
    bounced: Atomic<u64>,
    /// 1 once the shim turned bus mastering off (see [`crate::fence`]).
    fenced: Atomic<u32>,
    resources: ffi::CmPartialResourceList,
    #[pin]
    io: SpinLock<KVec<IoMapping>>,
    /// NDIS 5 map registers, once `NdisMAllocateMapRegisters` made them.
    #[pin]
    pub(crate) map_registers: SpinLockIrq<Option<MapRegisterFile>>,
    /// Shared memory (`NdisMAllocateSharedMemory`).
    pub(crate) shared: Arc<crate::shared_memory::SharedMemory>,
}

// SAFETY: `pdev` is an address used only while the device is bound (type
// invariant); all mutable state is atomic or under a lock.
unsafe impl Send for Adapter {}
// SAFETY: as above.
unsafe impl Sync for Adapter {}

impl Adapter {
    pub(crate) fn device(&self) -> &device::Device {
        &self.dev
    }

    /// The device as bound; valid for the adapter's life (type invariant).
    pub(crate) fn bound_device(&self) -> &device::Device<device::Bound> {
        // SAFETY: the adapter only exists while its device is bound (type invariant).
        unsafe { self.dev.as_bound() }
    }

    pub(crate) fn pci_dev(&self) -> *mut bindings::pci_dev {
        self.pdev as *mut bindings::pci_dev
    }

    /// `MiniportAdapterContext`, as given to `NdisMSetMiniportAttributes`.
    pub(crate) fn context(&self) -> *mut c_void {
        self.context.load(Relaxed) as *mut c_void
    }

    pub(crate) fn dma_controller(&self) -> Option<&ffi::DmaControllerOps> {
        let ops = self.driver.glue().dma_controller;
        // SAFETY: the controller is a static object in the miniport module,
        // which outlives its adapters.
        (!ops.is_null()).then(|| unsafe { &*ops })
    }

    /// Whether the miniport declared the adapter a bus master.
    pub(crate) fn is_bus_master(&self) -> bool {
        self.bus_master.load(Relaxed)
    }

    /// Counts and logs one rejected call that returns nothing.
    pub(crate) fn reject(&self, call: &str, why: &str) {
        self.rejected_calls.fetch_add(1, Relaxed);
        reject_global(call, why);
    }

    pub(crate) fn rejected_calls(&self) -> u64 {
        self.rejected_calls.load(Relaxed)
    }

    /// Counts a transfer by how it reached the device.
    pub(crate) fn count_transfer(&self, bounced: bool) {
        if bounced {
            self.bounced.fetch_add(1, Relaxed);
        } else {
            self.mapped.fetch_add(1, Relaxed);
        }
    }

    /// Transfers (mapped in place, bounced) so far.
    pub(crate) fn transfers(&self) -> (u64, u64) {
        (self.mapped.load(Relaxed), self.bounced.load(Relaxed))
    }

    /// Whether the adapter has a DMA adapter for bus-master DMA (shared
    /// memory, DMA alignment): the one precondition check of those calls.
    /// It has one once it declared itself a bus master
    /// (`NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER`, or `NDIS_ATTRIBUTE_BUS_MASTER`
    /// through `NdisMSetAttributesEx`).
    pub(crate) fn dma_adapter_ready(&self) -> bool {
        self.is_bus_master()
    }

    /// The device's real address width, as the miniport's glue declares it.
    pub(crate) fn address_bits(&self) -> u32 {
        u32::from(self.driver.glue().dma_address_bits).clamp(24, 64)
    }

    /// Whether this adapter has a scatter-gather DMA registration
    /// (`NdisMRegisterScatterGatherDma`).
    pub(crate) fn sg_dma_registered(self: &Arc<Self>) -> bool {
        crate::sg_dma::registered(self)
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

/// Rejected calls that could not be attributed to an adapter, and all of them.
static REJECTED_CALLS: Atomic<u64> = Atomic::new(0);

/// Logs one rejected void call and counts it.
pub(crate) fn reject_global(call: &str, why: &str) {
    REJECTED_CALLS.fetch_add(1, Relaxed);
    pr_warn!("{}: rejected: {}\n", call, why);
}

pub(crate) fn rejected_calls_total() -> u64 {
    REJECTED_CALLS.load(Relaxed)
}

/// The adapters of `driver`, for teardown and debugfs.
pub(crate) fn list() -> KVec<(Handle, Arc<Adapter>)> {
    let mut out = KVec::new();
    let reg = REGISTRY.lock();
    for (h, a) in reg.adapters.iter() {
        if out.push((h, a.clone()), GFP_ATOMIC).is_err() {
            break;
        }
    }
    out
}

fn resources_of(pdev: *mut bindings::pci_dev) -> ffi::CmPartialResourceList {
    let mut list = ffi::CmPartialResourceList {
        version: 1,
        revision: 1,
        ..Default::default()
    };
    let mut n = 0;
    for bar in 0..6 {
        // SAFETY: `pdev` is a bound PCI device; `resource` has at least 6 entries.
        let r = unsafe { &(*pdev).resource[bar] };
        if r.flags & (bindings::IORESOURCE_MEM | bindings::IORESOURCE_IO) as usize == 0
            || r.end < r.start
        {
            continue;
        }
        let len = (r.end - r.start + 1).min(u64::from(u32::MAX)) as u32;
        let type_ = if r.flags & bindings::IORESOURCE_MEM as usize != 0 {
            ffi::CM_RESOURCE_TYPE_MEMORY
        } else {
            ffi::CM_RESOURCE_TYPE_PORT
        };
        list.descriptors[n] = ffi::CmPartialResourceDescriptor {
            type_,
            share_disposition: ffi::CM_RESOURCE_SHARE_DEVICE_EXCLUSIVE,
            flags: 0,
            u0: r.start,
            u1: len,
            u2: 0,
        };
        n += 1;
    }
    // SAFETY: as above.
    let irq = unsafe { (*pdev).irq };
    if irq != 0 {
        list.descriptors[n] = ffi::CmPartialResourceDescriptor {
            type_: ffi::CM_RESOURCE_TYPE_INTERRUPT,
            share_disposition: ffi::CM_RESOURCE_SHARE_DEVICE_EXCLUSIVE,
            flags: ffi::CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE,
            // Level (16 bits), Group (16 bits), then Vector (32 bits).
            u0: u64::from(irq) | (u64::from(irq) << 32),
            u1: u32::MAX,
            u2: 0,
        };
        n += 1;
    }
    list.count = n as u32;
    list
}

/// `NdisLinuxPciProbe`: sets the device up, then calls `MiniportInitializeEx`.
pub(crate) fn probe(
    glue: *mut ffi::LinuxMiniport,
    pdev: *mut bindings::pci_dev,
) -> kernel::error::Result {
    let (_, driver) = driver::find_by_glue(glue as usize).ok_or(ENODEV)?;
    let registration = driver.registration().ok_or(ENODEV)?;
    let has_initialize = match registration.characteristics {
        Characteristics::Ndis6(c) => c.initialize.is_some(),
        Characteristics::Ndis5(c) => c.initialize.is_some(),
    };
    if !has_initialize {
        return Err(ENODEV);
    }
    // SAFETY: `pdev` is the device the PCI core is probing.
    let raw_dev = unsafe { &raw mut (*pdev).dev };

    // SAFETY: `pdev` is valid during probe.
    kernel::error::to_result(unsafe { bindings::pci_enable_device(pdev) })?;
    let bits = u32::from(driver.glue().dma_address_bits).clamp(24, 64);
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    // The device's real reach, set once, before any mapping exists.
    // SAFETY: `raw_dev` is valid; no mapping of this device exists yet.
    let ret = unsafe { bindings::dma_set_mask_and_coherent(raw_dev, mask) };
    if let Err(e) = kernel::error::to_result(ret) {
        // SAFETY: enabled above.
        unsafe { bindings::pci_disable_device(pdev) };
        return Err(e);
    }
    // SAFETY: `pdev` is valid and enabled.
    unsafe { bindings::pci_set_master(pdev) };

    let result = init_adapter(driver, registration, pdev, raw_dev);
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
    pdev: *mut bindings::pci_dev,
    raw_dev: *mut bindings::device,
) -> kernel::error::Result {
    // SAFETY: `raw_dev` is the probing device, alive and referenced.
    let dev: ARef<device::Device> = unsafe { device::Device::get_device(raw_dev) };
    let resources = resources_of(pdev);
    let shared = crate::shared_memory::SharedMemory::new()?;
    let adapter = Arc::pin_init(
        try_pin_init!(Adapter {
            driver,
            pdev: pdev as usize,
            dev,
            context: Atomic::new(0),
            bus_master: Atomic::new(false),
            rejected_calls: Atomic::new(0),
            mapped: Atomic::new(0),
            bounced: Atomic::new(0),
            fenced: Atomic::new(0),
            resources,
            io <- new_spinlock!(KVec::new()),
            map_registers <- new_spinlock_irq!(None),
            shared,
        }),
        GFP_KERNEL,
    )?;
    let handle = REGISTRY
        .lock()
        .adapters
        .insert(HandleKind::Adapter, adapter.clone())
        .map_err(|_| ENOSPC)?;

    // Remembered in drvdata so remove finds the adapter; the value is a
    // handle, looked up like any other.
    // SAFETY: `raw_dev` is valid; drvdata belongs to the bound driver (us).
    unsafe { (*raw_dev).driver_data = handle.into_raw() as *mut c_void };

    let status = match registration.characteristics {
        Characteristics::Ndis6(c) => initialize_ndis6(&adapter, handle, &registration, c),
        Characteristics::Ndis5(c) => initialize_ndis5(&adapter, handle, c),
    };
    if status != 0 {
        dev_err!(
            adapter.device(),
            "{}: miniport initialization failed: {:#x}\n",
            adapter.driver.name(),
            status as u32
        );
        teardown(handle, &adapter);
        return Err(if status as u32 == crate::status::NdisStatus::RESOURCES.0 {
            ENOMEM
        } else {
            ENODEV
        });
    }
    dev_info!(
        adapter.device(),
        "{}: adapter initialized\n",
        adapter.driver.name()
    );
    Ok(())
}

/// `MiniportInitializeEx(NdisMiniportHandle, MiniportDriverContext, InitParameters)`.
fn initialize_ndis6(
    adapter: &Adapter,
    handle: Handle,
    registration: &driver::Registration,
    c: ffi::DriverCharacteristics,
) -> ffi::NdisStatusRaw {
    let Some(initialize) = c.initialize else {
        return crate::status::NdisStatus::FAILURE.0 as ffi::NdisStatusRaw;
    };
    let mut resources = adapter.resources;
    let mut params = ffi::InitParameters {
        header: ffi::NdisObjectHeader {
            type_: ffi::OBJECT_TYPE_MINIPORT_INIT_PARAMETERS,
            revision: 1,
            size: core::mem::size_of::<ffi::InitParameters>() as u16,
        },
        flags: 0,
        allocated_resources: &mut resources,
        im_device_instance_context: core::ptr::null_mut(),
        miniport_add_device_context: core::ptr::null_mut(),
        if_index: 0,
        net_luid: 0,
        default_port_auth_states: core::ptr::null_mut(),
        pci_device_custom_properties: core::ptr::null_mut(),
    };
    // SAFETY: the miniport's MiniportInitializeEx, called as NDIS calls it.
    unsafe {
        initialize(
            handle.into_raw() as ffi::NdisHandle,
            registration.driver_context as ffi::NdisHandle,
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
    c: ffi::Ndis5Characteristics,
) -> ffi::NdisStatusRaw {
    let (Some(initialize), Some(halt)) = (c.initialize, c.halt) else {
        return crate::status::NdisStatus::FAILURE.0 as ffi::NdisStatusRaw;
    };
    let mut media = [ffi::NDIS_MEDIUM_802_3];
    let mut open_error: ffi::NdisStatusRaw = 0;
    let mut selected: u32 = u32::MAX;
    let raw = handle.into_raw() as ffi::NdisHandle;
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
    if status == 0 && selected as usize >= media.len() {
        dev_err!(
            adapter.device(),
            "{}: MiniportInitialize selected medium {} of {}\n",
            adapter.driver.name(),
            selected,
            media.len()
        );
        // SAFETY: the miniport initialized; its halt undoes that.
        unsafe { halt(adapter.context()) };
        return crate::status::NdisStatus::UNSUPPORTED_MEDIA.0 as ffi::NdisStatusRaw;
    }
    status
}

/// `NdisLinuxPciRemove`: `MiniportHaltEx`, then whatever the miniport left.
pub(crate) fn remove(_glue: *mut ffi::LinuxMiniport, pdev: *mut bindings::pci_dev) {
    // SAFETY: `pdev` is the device being removed, still valid.
    let raw = unsafe { (*pdev).dev.driver_data } as u64;
    let Some(adapter) = crate::registry::adapter(raw) else {
        pr_warn!("NdisLinuxPciRemove: device without an adapter\n");
        return;
    };
    let handle = Handle::from_raw(raw);
    // Pending asynchronous allocations complete while the context is valid.
    crate::shared_memory::quiesce(&adapter);
    match adapter.driver.registration().map(|r| r.characteristics) {
        Some(Characteristics::Ndis6(c)) => {
            if let Some(halt) = c.halt {
                // SAFETY: the miniport's MiniportHaltEx with its own context.
                // `NdisHaltDeviceDisabled` (0): an orderly removal.
                unsafe { halt(adapter.context(), 0) };
            }
        }
        Some(Characteristics::Ndis5(c)) => {
            if let Some(halt) = c.halt {
                // SAFETY: the miniport's MiniportHalt with its own context.
                unsafe { halt(adapter.context()) };
            }
        }
        None => {}
    }
    teardown(handle, &adapter);
    // SAFETY: the device is still bound; nothing of the adapter is left.
    unsafe {
        (*pdev).dev.driver_data = core::ptr::null_mut();
        bindings::pci_clear_master(pdev);
        bindings::pci_disable_device(pdev);
    }
}

/// Releases what the miniport did not, then forgets the adapter.
fn teardown(handle: Handle, adapter: &Arc<Adapter>) {
    let name = adapter.driver.name();
    let left = crate::system_dma::release_adapter(adapter);
    if left > 0 {
        dev_warn!(
            adapter.device(),
            "{}: {} DMA channel(s) not deregistered; released\n",
            name,
            left
        );
    }
    let left = crate::sg_dma::release_adapter(adapter);
    if left > 0 {
        dev_warn!(
            adapter.device(),
            "{}: {} scatter-gather DMA registration(s) not deregistered; released\n",
            name,
            left
        );
    }
    let left = crate::interrupt::release_adapter(adapter);
    if left > 0 {
        dev_warn!(
            adapter.device(),
            "{}: {} interrupt(s) not deregistered; released\n",
            name,
            left
        );
    }
    let left = crate::shared_memory::release_adapter(adapter);
    if left > 0 {
        dev_warn!(
            adapter.device(),
            "{}: {} shared memory block(s) not freed; freed\n",
            name,
            left
        );
    }
    if crate::map_registers::release_adapter(adapter) {
        dev_warn!(
            adapter.device(),
            "{}: map registers not freed; freed\n",
            name
        );
    }
    let maps = core::mem::take(&mut *adapter.io.lock());
    if !maps.is_empty() {
        dev_warn!(
            adapter.device(),
            "{}: {} I/O mapping(s) not unmapped; unmapped\n",
            name,
            maps.len()
        );
    }
    for m in maps {
        // SAFETY: made by `ioremap` in `map_io_space`, no longer listed.
        unsafe { bindings::iounmap(m.cpu as *mut c_void) };
    }
    let removed = REGISTRY.lock().adapters.remove(HandleKind::Adapter, handle);
    drop(removed);
}

/// `NdisMSetMiniportAttributes`.
///
/// # Safety
///
/// `attrs`, if not NULL, must be readable for its header's `Size` bytes.
pub(crate) unsafe fn set_attributes(handle: u64, attrs: *const c_void) -> NdisResult {
    let adapter = crate::registry::adapter(handle).ok_or(Error::InvalidParameter)?;
    if attrs.is_null() {
        return Err(Error::InvalidParameter);
    }
    // SAFETY: readable for its header (safety requirement).
    let header = unsafe { attrs.cast::<ffi::NdisObjectHeader>().read_unaligned() };
    match header.type_ {
        ffi::OBJECT_TYPE_ADAPTER_REGISTRATION_ATTRIBUTES => {
            // NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1
            // ends at InterfaceType: 28 bytes, not the padded sizeof (32).
            const REVISION_1_SIZE: usize =
                core::mem::offset_of!(ffi::AdapterRegistrationAttributes, interface_type) + 4;
            if usize::from(header.size) < REVISION_1_SIZE {
                return Err(Error::InvalidParameter);
            }
            let reg = attrs.cast::<ffi::AdapterRegistrationAttributes>();
            // SAFETY: the header says the fields through InterfaceType are
            // there; two of them are read, in place.
            let (context, flags) = unsafe {
                (
                    (&raw const (*reg).miniport_adapter_context).read_unaligned(),
                    (&raw const (*reg).attribute_flags).read_unaligned(),
                )
            };
            adapter.context.store(context as usize, Relaxed);
            adapter
                .bus_master
                .store(flags & ffi::MINIPORT_ATTRIBUTES_BUS_MASTER != 0, Relaxed);
            Ok(())
        }
        // General attributes describe the NIC to the protocol stack, which
        // the shim does not have; accepted as given.
        ffi::OBJECT_TYPE_ADAPTER_GENERAL_ATTRIBUTES => Ok(()),
        _ => Err(Error::InvalidParameter),
    }
}

/// `NdisMSetAttributesEx` (NDIS 5): the adapter context and whether it is
/// a bus master. The hang-check time and interface type change nothing here.
pub(crate) fn set_attributes_ex(handle: u64, context: *mut c_void, attribute_flags: u32) {
    let Some(adapter) = crate::registry::adapter(handle) else {
        reject_global("NdisMSetAttributesEx", "unknown adapter handle");
        return;
    };
    adapter.context.store(context as usize, Relaxed);
    adapter
        .bus_master
        .store(attribute_flags & ffi::ATTRIBUTE_BUS_MASTER != 0, Relaxed);
}

/// `NdisMQueryAdapterResources`: copies the adapter's resource list into
/// `list` if `*size` bytes hold it, else `RESOURCES` with `*size` set to
/// what is needed.
///
/// # Safety
///
/// `list` must be NULL or writable for `*size` bytes; `size` NULL or valid.
pub(crate) unsafe fn query_resources(
    wrapper_context: u64,
    list: *mut u8,
    size: *mut u32,
) -> NdisResult {
    let adapter = crate::registry::adapter(wrapper_context).ok_or(Error::InvalidParameter)?;
    if size.is_null() {
        return Err(Error::InvalidParameter);
    }
    let resources = adapter.resources;
    let count = resources.count as usize;
    let needed = core::mem::offset_of!(ffi::CmPartialResourceList, descriptors)
        + count * core::mem::size_of::<ffi::CmPartialResourceDescriptor>();
    // SAFETY: `size` is valid (safety requirement, checked non-NULL).
    let have = unsafe { size.read() } as usize;
    // SAFETY: as above.
    unsafe { size.write(needed as u32) };
    if list.is_null() || have < needed {
        return Err(Error::Resources);
    }
    // SAFETY: `list` is writable for `have >= needed` bytes; `resources`
    // holds at least `needed` bytes (`count` <= MAX_RESOURCES).
    unsafe { core::ptr::copy_nonoverlapping((&raw const resources).cast::<u8>(), list, needed) };
    Ok(())
}

/// `NdisMGetBusData` / `NdisMSetBusData` on PCI config space: the number of
/// bytes transferred (0 on a bad handle or range).
///
/// # Safety
///
/// `buf` must be valid for `len` bytes (read, or written when `!write`).
pub(crate) unsafe fn bus_data(
    handle: u64,
    space: u32,
    offset: u32,
    buf: *mut u8,
    len: u32,
    write: bool,
) -> u32 {
    let Some(adapter) = crate::registry::adapter(handle) else {
        reject_global("NdisM{Get,Set}BusData", "unknown adapter handle");
        return 0;
    };
    const PCI_WHICHSPACE_CONFIG: u32 = 0;
    // SAFETY: the adapter's device is bound (type invariant).
    let cfg_size = unsafe { (*adapter.pci_dev()).cfg_size } as u32;
    let in_range = offset.checked_add(len).is_some_and(|end| end <= cfg_size);
    if space != PCI_WHICHSPACE_CONFIG || buf.is_null() || !in_range {
        adapter.reject("NdisM{Get,Set}BusData", "bad space, buffer or range");
        return 0;
    }
    for i in 0..len {
        let pos = (offset + i) as c_int;
        // SAFETY: `buf` is valid for `len` bytes (safety requirement); the
        // device is bound and `pos` lies inside its config space.
        let ret = unsafe {
            if write {
                bindings::pci_write_config_byte(adapter.pci_dev(), pos, *buf.add(i as usize))
            } else {
                bindings::pci_read_config_byte(adapter.pci_dev(), pos, buf.add(i as usize))
            }
        };
        if ret != 0 {
            return i;
        }
    }
    len
}

/// `NdisMMapIoSpace`: maps part of one of the adapter's memory BARs.
pub(crate) fn map_io_space(handle: u64, phys: u64, len: u32) -> NdisResult<*mut c_void> {
    let adapter = crate::registry::adapter(handle).ok_or(Error::InvalidParameter)?;
    let end = phys
        .checked_add(u64::from(len))
        .ok_or(Error::InvalidParameter)?;
    let res = &adapter.resources;
    let count = res.count as usize;
    let descriptors = res.descriptors;
    let inside = descriptors[..count].iter().any(|d| {
        let (start, dlen) = (d.u0, u64::from(d.u1));
        d.type_ == ffi::CM_RESOURCE_TYPE_MEMORY && phys >= start && end <= start + dlen
    });
    if len == 0 || !inside {
        return Err(Error::ResourceConflict);
    }
    let mut io = adapter.io.lock();
    io.reserve(1, GFP_ATOMIC).map_err(|_| Error::Resources)?;
    drop(io);
    // SAFETY: `phys..end` lies inside a memory BAR of the bound device.
    let cpu = unsafe { bindings::ioremap(phys, len as usize) };
    if cpu.is_null() {
        return Err(Error::Resources);
    }
    let mut io = adapter.io.lock();
    if io
        .push(
            IoMapping {
                cpu: cpu as usize,
                len: len as usize,
            },
            GFP_ATOMIC,
        )
        .is_err()
    {
        drop(io);
        // SAFETY: just mapped, not recorded anywhere.
        unsafe { bindings::iounmap(cpu) };
        return Err(Error::Resources);
    }
    Ok(cpu.cast())
}

/// `NdisMUnmapIoSpace`: the mapping must be one `NdisMMapIoSpace` made.
pub(crate) fn unmap_io_space(handle: u64, cpu: *mut c_void, len: u32) {
    let Some(adapter) = crate::registry::adapter(handle) else {
        reject_global("NdisMUnmapIoSpace", "unknown adapter handle");
        return;
    };
    let mut io = adapter.io.lock();
    let Some(i) = io
        .iter()
        .position(|m| m.cpu == cpu as usize && m.len == len as usize)
    else {
        drop(io);
        adapter.reject("NdisMUnmapIoSpace", "not a mapping of this adapter");
        return;
    };
    let m = io.remove(i);
    drop(io);
    if let Ok(m) = m {
        // SAFETY: made by `ioremap` in `map_io_space`, now unlisted.
        unsafe { bindings::iounmap(m.cpu as *mut c_void) };
    }
}
