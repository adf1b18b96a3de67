// SPDX-License-Identifier: GPL-2.0

//! The ABI edge: `extern "C"` entry points exported to miniport modules.
//!
//! `rust/exports.c` exports each with `EXPORT_SYMBOL_GPL`, after the C
//! compiler has checked it against its prototype in `include/ndis.h`. This
//! is the only module that handles C types: it decodes raw arguments, turns
//! handles into lookups and results into `NDIS_STATUS`, here and nowhere
//! else ([`ndis_status`]).

#![allow(non_snake_case)]

use core::ffi::{c_int, c_void};
use kernel::{bindings, prelude::*};

use crate::{
    adapter,
    channel::Completion,
    driver, ffi, interrupt, map_registers, memory, sg_dma, shared_memory,
    status::{self, Error},
    system_dma, version,
};

type NdisHandle = ffi::NdisHandle;
type NdisStatusRaw = ffi::NdisStatusRaw;

/// The one place a result becomes an `NDIS_STATUS`.
fn ndis_status(result: status::Result) -> NdisStatusRaw {
    status::to_status(result).0 as NdisStatusRaw
}

/// Kernel errors met inside an entry point, as NDIS sees them.
impl From<kernel::error::Error> for Error {
    fn from(e: kernel::error::Error) -> Self {
        if e == ENOMEM || e == ENOSPC || e == EBUSY {
            Error::Resources
        } else if e == EINVAL {
            Error::InvalidParameter
        } else {
            Error::Failure
        }
    }
}

/// An allocation that failed inside an entry point.
impl From<kernel::alloc::AllocError> for Error {
    fn from(_: kernel::alloc::AllocError) -> Self {
        Error::Resources
    }
}

fn raw(handle: NdisHandle) -> u64 {
    handle as u64
}

/// Stores `value` through an optional C out pointer.
///
/// # Safety
///
/// `out` must be NULL or valid for a write of `T`.
unsafe fn store<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: non-NULL and valid by the safety requirement.
        unsafe { out.write(value) };
    }
}

/// `UINT NdisGetVersion(VOID)`.
#[no_mangle]
extern "C" fn NdisGetVersion() -> u32 {
    version::ndis_version()
}

// ---- Module glue (include/ndis_linux.h) ----

/// # Safety
///
/// `miniport` must be the calling module's `NDIS_LINUX_MINIPORT`.
#[no_mangle]
unsafe extern "C" fn NdisLinuxDriverLoad(miniport: *mut ffi::LinuxMiniport) -> c_int {
    match driver::load(miniport) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// As [`NdisLinuxDriverLoad`].
#[no_mangle]
unsafe extern "C" fn NdisLinuxDriverUnload(miniport: *mut ffi::LinuxMiniport) {
    driver::unload(miniport)
}

/// # Safety
///
/// Called from the module's PCI probe with the device being probed.
#[no_mangle]
unsafe extern "C" fn NdisLinuxPciProbe(
    miniport: *mut ffi::LinuxMiniport,
    pdev: *mut bindings::pci_dev,
) -> c_int {
    match adapter::probe(miniport, pdev) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// Called from the module's PCI remove with the device being removed.
#[no_mangle]
unsafe extern "C" fn NdisLinuxPciRemove(
    miniport: *mut ffi::LinuxMiniport,
    pdev: *mut bindings::pci_dev,
) {
    adapter::remove(miniport, pdev)
}

// ---- Miniport driver and adapter ----

/// # Safety
///
/// Arguments as documented for Windows; `Characteristics` readable for its
/// header's size, `NdisMiniportDriverHandle` writable.
#[no_mangle]
unsafe extern "C" fn NdisMRegisterMiniportDriver(
    DriverObject: *mut c_void,
    _RegistryPath: *mut c_void,
    MiniportDriverContext: NdisHandle,
    Characteristics: *const ffi::DriverCharacteristics,
    NdisMiniportDriverHandle: *mut NdisHandle,
) -> NdisStatusRaw {
    if NdisMiniportDriverHandle.is_null() {
        return ndis_status(Err(Error::InvalidParameter));
    }
    // SAFETY: by this function's safety requirements.
    let result = unsafe {
        driver::register(
            DriverObject,
            MiniportDriverContext as usize,
            Characteristics,
        )
    };
    let handle = result
        .as_ref()
        .map_or(core::ptr::null_mut(), |h| h.into_raw() as NdisHandle);
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe { store(NdisMiniportDriverHandle, handle) };
    ndis_status(result.map(|_| ()))
}

#[no_mangle]
extern "C" fn NdisMDeregisterMiniportDriver(NdisMiniportDriverHandle: NdisHandle) {
    if driver::deregister(raw(NdisMiniportDriverHandle)).is_err() {
        adapter::reject_global(
            "NdisMDeregisterMiniportDriver",
            "unknown or deregistered driver handle",
        );
    }
}

/// # Safety
///
/// `MiniportAttributes` readable for its header's size.
#[no_mangle]
unsafe extern "C" fn NdisMSetMiniportAttributes(
    NdisMiniportHandle: NdisHandle,
    MiniportAttributes: *const c_void,
) -> NdisStatusRaw {
    // SAFETY: by this function's safety requirement.
    ndis_status(unsafe { adapter::set_attributes(raw(NdisMiniportHandle), MiniportAttributes) })
}

/// # Safety
///
/// `Buffer` writable for `Length` bytes.
#[no_mangle]
unsafe extern "C" fn NdisMGetBusData(
    NdisMiniportHandle: NdisHandle,
    WhichSpace: u32,
    Offset: u32,
    Buffer: *mut c_void,
    Length: u32,
) -> u32 {
    // SAFETY: by this function's safety requirement.
    unsafe {
        adapter::bus_data(
            raw(NdisMiniportHandle),
            WhichSpace,
            Offset,
            Buffer.cast(),
            Length,
            false,
        )
    }
}

/// # Safety
///
/// `Buffer` readable for `Length` bytes.
#[no_mangle]
unsafe extern "C" fn NdisMSetBusData(
    NdisMiniportHandle: NdisHandle,
    WhichSpace: u32,
    Offset: u32,
    Buffer: *mut c_void,
    Length: u32,
) -> u32 {
    // SAFETY: by this function's safety requirement.
    unsafe {
        adapter::bus_data(
            raw(NdisMiniportHandle),
            WhichSpace,
            Offset,
            Buffer.cast(),
            Length,
            true,
        )
    }
}

/// # Safety
///
/// `VirtualAddress` writable.
#[no_mangle]
unsafe extern "C" fn NdisMMapIoSpace(
    VirtualAddress: *mut *mut c_void,
    MiniportAdapterHandle: NdisHandle,
    PhysicalAddress: i64,
    Length: u32,
) -> NdisStatusRaw {
    if VirtualAddress.is_null() {
        return ndis_status(Err(Error::InvalidParameter));
    }
    let result = adapter::map_io_space(raw(MiniportAdapterHandle), PhysicalAddress as u64, Length);
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe {
        store(
            VirtualAddress,
            *result.as_ref().unwrap_or(&core::ptr::null_mut()),
        )
    };
    ndis_status(result.map(|_| ()))
}

#[no_mangle]
extern "C" fn NdisMUnmapIoSpace(
    MiniportAdapterHandle: NdisHandle,
    VirtualAddress: *mut c_void,
    Length: u32,
) {
    adapter::unmap_io_space(raw(MiniportAdapterHandle), VirtualAddress, Length)
}

// ---- Interrupts ----

/// # Safety
///
/// `Characteristics` readable for its header's size and writable for its
/// output fields; `NdisInterruptHandle` writable.
#[no_mangle]
unsafe extern "C" fn NdisMRegisterInterruptEx(
    MiniportAdapterHandle: NdisHandle,
    MiniportInterruptContext: NdisHandle,
    Characteristics: *mut ffi::InterruptCharacteristics,
    NdisInterruptHandle: *mut NdisHandle,
) -> NdisStatusRaw {
    if NdisInterruptHandle.is_null() {
        return ndis_status(Err(Error::InvalidParameter));
    }
    // SAFETY: by this function's safety requirements.
    let result = unsafe {
        interrupt::register(
            raw(MiniportAdapterHandle),
            MiniportInterruptContext,
            Characteristics,
        )
    };
    let handle = result
        .as_ref()
        .map_or(core::ptr::null_mut(), |h| h.into_raw() as NdisHandle);
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe { store(NdisInterruptHandle, handle) };
    ndis_status(result.map(|_| ()))
}

#[no_mangle]
extern "C" fn NdisMDeregisterInterruptEx(NdisInterruptHandle: NdisHandle) {
    if interrupt::deregister(raw(NdisInterruptHandle)).is_err() {
        adapter::reject_global("NdisMDeregisterInterruptEx", "unknown interrupt handle");
    }
}

// ---- Memory and MDLs ----

#[no_mangle]
extern "C" fn NdisAllocateMemoryWithTagPriority(
    _NdisHandle: NdisHandle,
    Length: u32,
    _Tag: u32,
    _Priority: u32,
) -> *mut c_void {
    memory::allocate(Length)
}

/// # Safety
///
/// `VirtualAddress` from `NdisAllocateMemoryWithTagPriority`, not yet freed.
#[no_mangle]
unsafe extern "C" fn NdisFreeMemory(VirtualAddress: *mut c_void, _Length: u32, _MemoryFlags: u32) {
    // SAFETY: by this function's safety requirement.
    unsafe { memory::free(VirtualAddress) }
}

#[no_mangle]
extern "C" fn NdisAllocateMdl(
    _NdisHandle: NdisHandle,
    VirtualAddress: *mut c_void,
    Length: u32,
) -> *mut ffi::Mdl {
    memory::allocate_mdl(VirtualAddress, Length)
}

/// # Safety
///
/// `Mdl` from `NdisAllocateMdl`, not yet freed.
#[no_mangle]
unsafe extern "C" fn NdisFreeMdl(Mdl: *mut ffi::Mdl) {
    // SAFETY: by this function's safety requirement.
    unsafe { memory::free_mdl(Mdl) }
}

/// Busy-waits; legal at any IRQL, as on Windows.
#[no_mangle]
extern "C" fn NdisStallExecution(MicrosecondsToStall: u32) {
    kernel::time::delay::udelay(kernel::time::Delta::from_micros(MicrosecondsToStall.into()))
}

/// Sleeps; PASSIVE_LEVEL only.
#[no_mangle]
extern "C" fn NdisMSleep(MicrosecondsToSleep: u32) {
    kernel::time::delay::fsleep(kernel::time::Delta::from_micros(MicrosecondsToSleep.into()))
}

// ---- System DMA ----

/// # Safety
///
/// `MiniportDmaHandle` writable; `DmaDescription` readable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMRegisterDmaChannel(
    MiniportDmaHandle: *mut NdisHandle,
    MiniportAdapterHandle: NdisHandle,
    DmaChannel: u32,
    Dma32BitAddresses: u8,
    DmaDescription: *const ffi::NdisDmaDescription,
    MaximumLength: u32,
) -> NdisStatusRaw {
    if MiniportDmaHandle.is_null() {
        return ndis_status(Err(Error::InvalidParameter));
    }
    // SAFETY: readable or NULL by the safety requirement.
    let description = unsafe { DmaDescription.as_ref() };
    let result = system_dma::register(
        raw(MiniportAdapterHandle),
        DmaChannel,
        Dma32BitAddresses != 0,
        description,
        MaximumLength,
    );
    let handle = result
        .as_ref()
        .map_or(core::ptr::null_mut(), |h| h.into_raw() as NdisHandle);
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe { store(MiniportDmaHandle, handle) };
    ndis_status(result.map(|_| ()))
}

#[no_mangle]
extern "C" fn NdisMDeregisterDmaChannel(MiniportDmaHandle: NdisHandle) {
    if system_dma::deregister(raw(MiniportDmaHandle)).is_err() {
        adapter::reject_global("NdisMDeregisterDmaChannel", "unknown or stale DMA handle");
    }
}

/// # Safety
///
/// `Status` writable; `Buffer` a readable MDL of kernel memory that stays
/// valid until the transfer is completed, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisSetupDmaTransfer(
    Status: *mut NdisStatusRaw,
    MiniportDmaHandle: NdisHandle,
    Buffer: *const ffi::Mdl,
    Offset: u32,
    Length: u32,
    WriteToDevice: u8,
) {
    // SAFETY: by this function's safety requirement.
    let result = unsafe {
        system_dma::setup(
            raw(MiniportDmaHandle),
            Buffer,
            Offset,
            Length,
            WriteToDevice,
        )
    };
    // SAFETY: writable by the safety requirement.
    unsafe { store(Status, ndis_status(result)) };
}

/// # Safety
///
/// `Status` writable.
#[no_mangle]
unsafe extern "C" fn NdisCompleteDmaTransfer(
    Status: *mut NdisStatusRaw,
    MiniportDmaHandle: NdisHandle,
    Buffer: *const ffi::Mdl,
    Offset: u32,
    Length: u32,
    WriteToDevice: u8,
) {
    let status = match system_dma::complete(
        raw(MiniportDmaHandle),
        Buffer,
        Offset,
        Length,
        WriteToDevice,
    ) {
        Ok(Completion::Coherent) => ndis_status(Ok(())),
        Ok(Completion::MaybeIncoherent) => ndis_status(Err(Error::Resources)),
        Err(e) => ndis_status(Err(e)),
    };
    // SAFETY: writable by the safety requirement.
    unsafe { store(Status, status) };
}

#[no_mangle]
extern "C" fn NdisMReadDmaCounter(MiniportDmaHandle: NdisHandle) -> u32 {
    system_dma::read_counter(raw(MiniportDmaHandle)).unwrap_or_else(|| {
        adapter::reject_global("NdisMReadDmaCounter", "unknown or stale DMA handle");
        0
    })
}

// ---- NDIS 5.x registration and map registers ----

/// # Safety
///
/// `NdisWrapperHandle` writable.
#[no_mangle]
unsafe extern "C" fn NdisMInitializeWrapper(
    NdisWrapperHandle: *mut NdisHandle,
    SystemSpecific1: *mut c_void,
    _SystemSpecific2: *mut c_void,
    _SystemSpecific3: *mut c_void,
) {
    let handle = driver::initialize_wrapper(SystemSpecific1);
    if handle.is_none() {
        adapter::reject_global("NdisMInitializeWrapper", "unknown driver object");
    }
    let raw = handle.map_or(core::ptr::null_mut(), |h| h.into_raw() as NdisHandle);
    // SAFETY: NULL or writable by the safety requirement.
    unsafe { store(NdisWrapperHandle, raw) };
}

/// # Safety
///
/// `MiniportCharacteristics` readable for `CharacteristicsLength` bytes.
#[no_mangle]
unsafe extern "C" fn NdisMRegisterMiniport(
    NdisWrapperHandle: NdisHandle,
    MiniportCharacteristics: *const ffi::Ndis5Characteristics,
    CharacteristicsLength: u32,
) -> NdisStatusRaw {
    // SAFETY: by this function's safety requirement.
    ndis_status(unsafe {
        driver::register_ndis5(
            raw(NdisWrapperHandle),
            MiniportCharacteristics,
            CharacteristicsLength,
        )
    })
}

#[no_mangle]
extern "C" fn NdisTerminateWrapper(NdisWrapperHandle: NdisHandle, _SystemSpecific: *mut c_void) {
    driver::terminate_wrapper(raw(NdisWrapperHandle))
}

#[no_mangle]
extern "C" fn NdisMSetAttributesEx(
    MiniportAdapterHandle: NdisHandle,
    MiniportAdapterContext: NdisHandle,
    _CheckForHangTimeInSeconds: u32,
    AttributeFlags: u32,
    _AdapterType: u32,
) {
    adapter::set_attributes_ex(
        raw(MiniportAdapterHandle),
        MiniportAdapterContext,
        AttributeFlags,
    )
}

/// # Safety
///
/// `Status` and `BufferSize` writable; `ResourceList` writable for
/// `*BufferSize` bytes.
#[no_mangle]
unsafe extern "C" fn NdisMQueryAdapterResources(
    Status: *mut NdisStatusRaw,
    WrapperConfigurationContext: NdisHandle,
    ResourceList: *mut c_void,
    BufferSize: *mut u32,
) {
    // SAFETY: by this function's safety requirement.
    let result = unsafe {
        adapter::query_resources(
            raw(WrapperConfigurationContext),
            ResourceList.cast(),
            BufferSize,
        )
    };
    // SAFETY: NULL or writable by the safety requirement.
    unsafe { store(Status, ndis_status(result)) };
}

#[no_mangle]
extern "C" fn NdisMAllocateMapRegisters(
    MiniportAdapterHandle: NdisHandle,
    _DmaChannel: u32,
    DmaSize: u8,
    BaseMapRegistersNeeded: u32,
    MaximumPhysicalMapping: u32,
) -> NdisStatusRaw {
    ndis_status(map_registers::allocate(
        raw(MiniportAdapterHandle),
        DmaSize,
        BaseMapRegistersNeeded,
        MaximumPhysicalMapping,
    ))
}

#[no_mangle]
extern "C" fn NdisMFreeMapRegisters(MiniportAdapterHandle: NdisHandle) {
    map_registers::free(raw(MiniportAdapterHandle))
}

/// # Safety
///
/// `Buffer` a readable MDL of kernel memory that stays valid until the
/// mapping is completed, or NULL; `PhysicalAddressArray` writable for
/// `NdisGetBufferPhysicalArraySize` entries; `ArraySize` writable.
#[no_mangle]
unsafe extern "C" fn NdisMStartBufferPhysicalMapping(
    MiniportAdapterHandle: NdisHandle,
    Buffer: *const ffi::Mdl,
    PhysicalMapRegister: u32,
    WriteToDevice: u8,
    PhysicalAddressArray: *mut ffi::PhysicalAddressUnit,
    ArraySize: *mut u32,
) {
    // SAFETY: by this function's safety requirement.
    let entries = unsafe {
        map_registers::start(
            raw(MiniportAdapterHandle),
            Buffer,
            PhysicalMapRegister,
            WriteToDevice,
            PhysicalAddressArray,
        )
    };
    // SAFETY: NULL or writable by the safety requirement.
    unsafe { store(ArraySize, entries.unwrap_or(0)) };
}

#[no_mangle]
extern "C" fn NdisMCompleteBufferPhysicalMapping(
    MiniportAdapterHandle: NdisHandle,
    Buffer: *const c_void,
    PhysicalMapRegister: u32,
) {
    map_registers::complete(raw(MiniportAdapterHandle), Buffer, PhysicalMapRegister)
}

// ---- Bus-master DMA: shared memory and alignment ----

/// `NdisMAllocateSharedMemory`: `*VirtualAddress` is NULL on failure;
/// `*PhysicalAddress` is the device (bus) address. PASSIVE_LEVEL.
///
/// # Safety
///
/// `VirtualAddress` and `PhysicalAddress` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMAllocateSharedMemory(
    MiniportAdapterHandle: NdisHandle,
    Length: u32,
    Cached: u8,
    VirtualAddress: *mut *mut c_void,
    PhysicalAddress: *mut i64,
) {
    // No way to hand the memory back: refused before allocating.
    if VirtualAddress.is_null() || PhysicalAddress.is_null() {
        adapter::reject_global("NdisMAllocateSharedMemory", "NULL out pointer");
        // SAFETY: NULL or writable by the safety requirement.
        unsafe { store(VirtualAddress, core::ptr::null_mut()) };
        return;
    }
    let (va, pa) = shared_memory::allocate(raw(MiniportAdapterHandle), Length, Cached != 0)
        .unwrap_or((core::ptr::null_mut(), 0));
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe {
        store(VirtualAddress, va);
        store(PhysicalAddress, pa as i64);
    }
}

/// `NdisMFreeSharedMemory`: the arguments must be the allocation's. IRQL
/// <= DISPATCH_LEVEL.
#[no_mangle]
extern "C" fn NdisMFreeSharedMemory(
    MiniportAdapterHandle: NdisHandle,
    Length: u32,
    Cached: u8,
    VirtualAddress: *mut c_void,
    PhysicalAddress: i64,
) {
    shared_memory::free(
        raw(MiniportAdapterHandle),
        Length,
        Cached != 0,
        VirtualAddress,
        PhysicalAddress as u64,
    )
}

/// `NdisMAllocateSharedMemoryAsyncEx`: `NDIS_STATUS_PENDING`, then the
/// allocate-complete handler from process context. IRQL <= DISPATCH_LEVEL.
#[no_mangle]
extern "C" fn NdisMAllocateSharedMemoryAsyncEx(
    MiniportDmaHandle: NdisHandle,
    Length: u32,
    Cached: u8,
    Context: *mut c_void,
) -> NdisStatusRaw {
    match shared_memory::allocate_async(
        raw(MiniportDmaHandle),
        Length,
        Cached != 0,
        Context as usize,
    ) {
        Ok(()) => status::NdisStatus::PENDING.0 as NdisStatusRaw,
        Err(e) => ndis_status(Err(e)),
    }
}

/// `NdisUpdateSharedMemory`: nothing to do, shared memory is coherent
/// (Windows exports it as a no-op for old code).
#[no_mangle]
extern "C" fn NdisUpdateSharedMemory(
    _NdisAdapterHandle: NdisHandle,
    _Length: u32,
    _VirtualAddress: *mut c_void,
    _PhysicalAddress: i64,
) {
}

#[no_mangle]
extern "C" fn NdisMGetDmaAlignment(MiniportAdapterHandle: NdisHandle) -> u32 {
    shared_memory::dma_alignment(raw(MiniportAdapterHandle))
}

#[no_mangle]
extern "C" fn NdisGetSharedDataAlignment() -> u32 {
    shared_memory::shared_data_alignment()
}

// ---- NDIS 6 scatter-gather DMA ----

/// # Safety
///
/// `DmaDescription` readable for its header's size and writable for
/// `ScatterGatherListSize`, or NULL; `NdisMiniportDmaHandle` writable.
#[no_mangle]
unsafe extern "C" fn NdisMRegisterScatterGatherDma(
    MiniportAdapterHandle: NdisHandle,
    DmaDescription: *mut ffi::SgDmaDescription,
    NdisMiniportDmaHandle: *mut NdisHandle,
) -> NdisStatusRaw {
    if NdisMiniportDmaHandle.is_null() || DmaDescription.is_null() {
        return ndis_status(Err(Error::InvalidParameter));
    }
    // SAFETY: readable for its header first (safety requirement).
    let header = unsafe { (&raw const (*DmaDescription).header).read_unaligned() };
    let result = if header.size < crate::sg::SG_DMA_DESCRIPTION_SIZE_1 {
        // Too short for revision 1: nothing beyond the header is read.
        Err(Error::BadVersion)
    } else {
        let d = DmaDescription;
        // SAFETY: the header says revision 1's fields are there; each is
        // read in place (the padding after the last one may be missing).
        let description = unsafe {
            ffi::SgDmaDescription {
                header,
                flags: (&raw const (*d).flags).read_unaligned(),
                maximum_physical_mapping: (&raw const (*d).maximum_physical_mapping)
                    .read_unaligned(),
                process_sg_list_handler: (&raw const (*d).process_sg_list_handler).read_unaligned(),
                shared_mem_allocate_complete_handler: (&raw const (*d)
                    .shared_mem_allocate_complete_handler)
                    .read_unaligned(),
                scatter_gather_list_size: 0,
            }
        };
        sg_dma::register(raw(MiniportAdapterHandle), &description)
    };
    let handle = match &result {
        Ok((h, size)) => {
            // SAFETY: checked non-NULL; revision 1 holds the output field.
            unsafe { (&raw mut (*DmaDescription).scatter_gather_list_size).write_unaligned(*size) };
            h.into_raw() as NdisHandle
        }
        Err(_) => core::ptr::null_mut(),
    };
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe { store(NdisMiniportDmaHandle, handle) };
    ndis_status(result.map(|_| ()))
}

#[no_mangle]
extern "C" fn NdisMDeregisterScatterGatherDma(NdisMiniportDmaHandle: NdisHandle) {
    if sg_dma::deregister(raw(NdisMiniportDmaHandle)).is_err() {
        adapter::reject_global(
            "NdisMDeregisterScatterGatherDma",
            "unknown or stale SG DMA handle",
        );
    }
}

/// # Safety
///
/// `NetBuffer` a readable NET_BUFFER whose MDL chain describes kernel
/// memory valid until the list is freed, or NULL; `ScatterGatherListBuffer`
/// writable for `ScatterGatherListBufferSize` bytes, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMAllocateNetBufferSGList(
    NdisMiniportDmaHandle: NdisHandle,
    NetBuffer: *mut ffi::NetBuffer,
    Context: *mut c_void,
    Flags: u32,
    ScatterGatherListBuffer: *mut c_void,
    ScatterGatherListBufferSize: u32,
) -> NdisStatusRaw {
    // SAFETY: by this function's safety requirements.
    ndis_status(unsafe {
        sg_dma::allocate_list(
            raw(NdisMiniportDmaHandle),
            NetBuffer,
            Context,
            Flags,
            ScatterGatherListBuffer,
            ScatterGatherListBufferSize,
        )
    })
}

#[no_mangle]
extern "C" fn NdisMFreeNetBufferSGList(
    NdisMiniportDmaHandle: NdisHandle,
    pSGL: *mut c_void,
    NetBuffer: *mut ffi::NetBuffer,
) {
    sg_dma::free_list(raw(NdisMiniportDmaHandle), pSGL, NetBuffer)
}
