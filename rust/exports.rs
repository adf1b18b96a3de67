// SPDX-License-Identifier: GPL-2.0

//! The ABI edge: `extern "C"` entry points exported to miniport modules.
//!
//! Every entry point listed in `rust/abi/exports.h` is defined here, with
//! the C types of its prototype in `include/ndis.h` or `ndis_linux.h`
//! (`rust/abi/prototypes.rs`, generated, checks each definition against
//! its prototype; `rust/exports.c` exports them). This is the only module
//! that handles C types: it reads the miniport's pointers and structures
//! into Rust values ([`Handle`], [`MdlView`], slices, typed descriptions),
//! calls the safe code behind it, and turns its result into an
//! `NDIS_STATUS` ([`ndis_status`]), here and nowhere else.

#![allow(non_snake_case)]

use core::ffi::c_int;
use kernel::{bindings, prelude::*, sync::Arc};

use crate::{
    abi,
    adapter::Adapter,
    attributes::{self, MiniportAttributes},
    channel::{Completion, Direction},
    characteristics::InterruptCharacteristicsView,
    claim::Dispatch,
    config, configuration,
    driver::{self, Characteristics, Glue},
    handle::Handle,
    interrupt::{self, Interrupt, InterruptRequest, InterruptType},
    io_work_item::{self, IoWorkItem},
    map_registers,
    mdl::{MdlView, Unresolvable},
    memory, ndis5_nic, ndis5_support,
    net_buffer::{mdl_view, ListBuffer, NetBufferView},
    net_buffer_pool, net_device,
    netdev_io::{self, StatusIndication},
    nic::{GeneralAttributes, OffloadAttributes},
    packet_pool, pci_device, probe, registry, reject, reset,
    resources::{self, BusBuffer},
    sg_dma::{self, SgDma},
    shared_memory,
    status::{self, Error, NdisStatus},
    system_dma::{self, DmaChannel, TransferArgs},
    timer, trace, version,
};

/// The one place a result becomes an `NDIS_STATUS`. Entry points go
/// through [`traced_status`]; only `NdisMSetupDmaTransfer` and
/// `NdisMCompleteDmaTransfer` use this directly, as their own events
/// (`ndis_dma_setup`, `ndis_dma_complete`) record the status, and
/// [`async_status`], which traces `NDIS_STATUS_PENDING` (no `Result`).
fn ndis_status(result: status::Result) -> abi::NDIS_STATUS {
    status::to_status(result).0
}

/// [`ndis_status`], recorded as the `ndis_call` trace event of `call` on
/// `handle` (the handle the call acts on; NULL for a call that names none):
/// every entry point that returns a status, as its value or through a
/// `Status` out pointer, ends here.
fn traced_status(
    call: &CStr,
    handle: abi::NDIS_HANDLE,
    result: status::Result,
) -> abi::NDIS_STATUS {
    let status = ndis_status(result);
    trace::call(call, handle as usize, status as u32);
    status
}

/// The `ndis_void_call` trace event of an entry point that returns nothing,
/// on `handle` (NULL for a call that names none).
#[inline(always)]
fn traced_void(call: &CStr, handle: abi::NDIS_HANDLE) {
    trace::void_call(call, handle as usize);
}

/// No handle, for [`traced_status`] and [`traced_void`].
const NO_HANDLE: abi::NDIS_HANDLE = core::ptr::null_mut();

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

/// An `NDIS_HANDLE` as the shim reads it: a number, looked up, never followed.
fn handle(raw: abi::NDIS_HANDLE) -> Handle {
    Handle::from_raw(raw as u64)
}

/// Stores `value` through an optional C out pointer.
///
/// # Safety
///
/// `out` must be NULL or valid for a write of `T`.
unsafe fn store<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: non-NULL and valid by the safety requirement.
        unsafe { out.write_unaligned(value) };
    }
}

/// Stores the handle a registration made (NULL when it failed) through
/// `out` and returns the registration's status, traced as `call` on the
/// new handle, or on `on` (the handle the call was made on, or NULL) when
/// it failed: every `Register` call's last step.
///
/// # Safety
///
/// `out` must be NULL or writable.
unsafe fn store_handle(
    call: &CStr,
    on: abi::NDIS_HANDLE,
    out: *mut abi::NDIS_HANDLE,
    result: status::Result<Handle>,
) -> abi::NDIS_STATUS {
    let raw = result
        .as_ref()
        .map_or(core::ptr::null_mut(), |h| h.into_raw() as abi::NDIS_HANDLE);
    // SAFETY: by this function's safety requirement.
    unsafe { store(out, raw) };
    let traced = if raw.is_null() { on } else { raw };
    traced_status(call, traced, result.map(|_| ()))
}

/// Reads the `Header` of an NDIS 6 object.
///
/// # Safety
///
/// `object` must be readable for an `NDIS_OBJECT_HEADER`.
unsafe fn read_header<T>(object: *const T) -> abi::NDIS_OBJECT_HEADER {
    // SAFETY: by this function's safety requirement.
    unsafe { object.cast::<abi::NDIS_OBJECT_HEADER>().read_unaligned() }
}

/// Reads the first `size` bytes of a C structure the caller declared that
/// long (a revision's `Header.Size`, a `CharacteristicsLength`); what lies
/// beyond `size` in `T` reads as zero (NULL handlers, zero fields).
///
/// # Safety
///
/// `object` must be readable for `size` bytes, and all-zero bytes must be a
/// valid `T` (integers, pointers, optional function pointers).
unsafe fn read_sized<T>(object: *const T, size: usize) -> T {
    let mut copy = core::mem::MaybeUninit::<T>::zeroed();
    let len = size.min(core::mem::size_of::<T>());
    // SAFETY: the caller's structure is readable for `size >= len` bytes;
    // `copy` holds `size_of::<T>() >= len` bytes.
    unsafe { core::ptr::copy_nonoverlapping(object.cast::<u8>(), copy.as_mut_ptr().cast(), len) };
    // SAFETY: zero bytes are a valid `T` (safety requirement), and the
    // copied prefix is the caller's valid `T` prefix.
    unsafe { copy.assume_init() }
}

/// An MDL the miniport passed: its address and, unless the shim cannot
/// resolve its pages, its data in system space ([`mdl_view`]).
type MdlArg = (usize, core::result::Result<MdlView, Unresolvable>);

/// Reads an MDL the miniport passed (`None` for NULL).
///
/// # Safety
///
/// `mdl` must be NULL or a readable MDL.
unsafe fn optional_mdl(mdl: *const abi::MDL) -> Option<MdlArg> {
    // SAFETY: non-NULL, so readable (safety requirement).
    (!mdl.is_null()).then(|| (mdl as usize, unsafe { mdl_view(mdl) }))
}

/// Logs and counts a rejected call that returns nothing.
fn reject(call: &str, why: &str) {
    reject::reject_global(call, why);
}

/// Refuses (logs and counts) a PASSIVE_LEVEL-only call made from atomic
/// context, where it would have to sleep (Windows defines nothing: it would
/// bugcheck). Returns whether the call may go on.
fn at_passive(call: &str) -> bool {
    let passive = memory::may_sleep();
    if !passive {
        reject(call, "called above PASSIVE_LEVEL");
    }
    passive
}

/// The adapter a handle names.
fn adapter_of_handle(h: Handle) -> Option<Arc<Adapter>> {
    registry::lookup(h)
}

/// The adapter a `MiniportAdapterHandle` names.
fn adapter(raw: abi::NDIS_HANDLE) -> Option<Arc<Adapter>> {
    adapter_of_handle(handle(raw))
}

/// The adapter a handle names, or `INVALID_PARAMETER`.
fn adapter_or_invalid(raw: abi::NDIS_HANDLE) -> status::Result<Arc<Adapter>> {
    adapter(raw).ok_or(Error::InvalidParameter)
}

/// The adapter a handle names; for a call that returns nothing, a bad one
/// is logged and counted.
fn adapter_or_reject(raw: abi::NDIS_HANDLE, call: &str) -> Option<Arc<Adapter>> {
    let found = adapter(raw);
    if found.is_none() {
        reject(call, "unknown adapter handle");
    }
    found
}

/// [`adapter_or_reject`] for a hot path: the adapter borrowed for as long
/// as the caller's dispatch section (see [`registry::find_at`]), no
/// reference taken. Never sleeps.
fn adapter_at_or_reject<'a>(
    raw: abi::NDIS_HANDLE,
    call: &str,
    at: &'a Dispatch,
) -> Option<&'a Adapter> {
    let found = registry::find_at(handle(raw), at);
    if found.is_none() {
        reject(call, "unknown adapter handle");
    }
    found
}

/// `UINT NdisGetVersion(VOID)`.
#[no_mangle]
extern "C" fn NdisGetVersion() -> abi::UINT {
    version::ndis_version()
}

// ---- Module glue (include/ndis_linux.h) ----

/// # Safety
///
/// `Miniport` must be the calling module's `NDIS_LINUX_MINIPORT`.
#[no_mangle]
unsafe extern "C" fn NdisLinuxDriverLoad(Miniport: abi::PNDIS_LINUX_MINIPORT) -> c_int {
    // SAFETY: by this function's safety requirement.
    let Some(glue) = (unsafe { Glue::new(Miniport) }) else {
        return EINVAL.to_errno();
    };
    match driver::load(glue) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// As [`NdisLinuxDriverLoad`].
#[no_mangle]
unsafe extern "C" fn NdisLinuxDriverUnload(Miniport: abi::PNDIS_LINUX_MINIPORT) {
    // SAFETY: by this function's safety requirement.
    match unsafe { Glue::new(Miniport) } {
        Some(glue) => {
            // Its NDIS 5 work items' routines may be the module's code:
            // those scheduled before its adapters halt, and by the halts.
            ndis5_support::drain();
            driver::unload(glue);
            ndis5_support::drain();
        }
        None => reject("NdisLinuxDriverUnload", "NULL miniport"),
    }
}

/// # Safety
///
/// Called from the module's PCI probe with its `NDIS_LINUX_MINIPORT` and
/// the device being probed.
#[no_mangle]
unsafe extern "C" fn NdisLinuxPciProbe(
    Miniport: abi::PNDIS_LINUX_MINIPORT,
    Pdev: *mut bindings::pci_dev,
) -> c_int {
    // SAFETY: by this function's safety requirement.
    let Some(glue) = (unsafe { Glue::new(Miniport) }) else {
        return EINVAL.to_errno();
    };
    if Pdev.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: the device being probed, bound to the caller's driver
    // throughout the call.
    let pci = unsafe { pci_device::bound_pci_device(Pdev) };
    match probe::probe(glue, pci) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// Called from the module's PCI remove with its `NDIS_LINUX_MINIPORT` and
/// the device being removed.
#[no_mangle]
unsafe extern "C" fn NdisLinuxPciRemove(
    Miniport: abi::PNDIS_LINUX_MINIPORT,
    Pdev: *mut bindings::pci_dev,
) {
    // SAFETY: by this function's safety requirement.
    if let Some((glue, pci)) = unsafe { glue_and_device(Miniport, Pdev, "NdisLinuxPciRemove") } {
        probe::remove(glue, pci)
    }
}

/// The glue and bound device a PCI callback of the glue passes; NULL ones
/// are logged and counted.
///
/// # Safety
///
/// `Miniport` NULL or the module's `NDIS_LINUX_MINIPORT`; `Pdev` NULL or
/// a device bound to the caller's driver throughout the caller's call.
unsafe fn glue_and_device<'a>(
    Miniport: abi::PNDIS_LINUX_MINIPORT,
    Pdev: *mut bindings::pci_dev,
    call: &str,
) -> Option<(Glue, &'a kernel::pci::Device<kernel::device::Bound>)> {
    // SAFETY: by this function's safety requirement.
    let glue = unsafe { Glue::new(Miniport) };
    let (Some(glue), false) = (glue, Pdev.is_null()) else {
        reject(call, "NULL miniport or device");
        return None;
    };
    // SAFETY: bound throughout the caller's call (safety requirement).
    Some((glue, unsafe { pci_device::bound_pci_device(Pdev) }))
}

/// `struct pci_dev *NdisLinuxGetPciDevice(NDIS_HANDLE MiniportAdapterHandle)`.
#[no_mangle]
extern "C" fn NdisLinuxGetPciDevice(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
) -> *mut bindings::pci_dev {
    match adapter(MiniportAdapterHandle) {
        Some(adapter) => adapter.pci_dev(),
        None => {
            reject("NdisLinuxGetPciDevice", "unknown adapter handle");
            core::ptr::null_mut()
        }
    }
}

// ---- Miniport driver and adapter ----

/// # Safety
///
/// Arguments as documented for Windows; `Characteristics` readable for its
/// header's size, `NdisMiniportDriverHandle` writable.
#[no_mangle]
unsafe extern "C" fn NdisMRegisterMiniportDriver(
    DriverObject: abi::PDRIVER_OBJECT,
    _RegistryPath: abi::PUNICODE_STRING,
    MiniportDriverContext: abi::NDIS_HANDLE,
    Characteristics: abi::PNDIS_MINIPORT_DRIVER_CHARACTERISTICS,
    NdisMiniportDriverHandle: abi::PNDIS_HANDLE,
) -> abi::NDIS_STATUS {
    const CALL: &CStr = c"NdisMRegisterMiniportDriver";
    if NdisMiniportDriverHandle.is_null() {
        return traced_status(CALL, NO_HANDLE, Err(Error::InvalidParameter));
    }
    let result = if DriverObject.is_null() || Characteristics.is_null() {
        Err(Error::InvalidParameter)
    } else {
        // SAFETY: readable for its header, then for the header's `Size`
        // (safety requirement); all-zero is a valid characteristics
        // structure (integers and optional handlers).
        let (header, c) = unsafe {
            let header = read_header(Characteristics);
            (header, read_sized(Characteristics, header.Size.into()))
        };
        driver::register(
            DriverObject as usize,
            MiniportDriverContext as usize,
            header,
            c,
        )
    };
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe { store_handle(CALL, NO_HANDLE, NdisMiniportDriverHandle, result) }
}

#[no_mangle]
extern "C" fn NdisMDeregisterMiniportDriver(NdisMiniportDriverHandle: abi::NDIS_HANDLE) {
    traced_void(c"NdisMDeregisterMiniportDriver", NdisMiniportDriverHandle);
    if driver::deregister(handle(NdisMiniportDriverHandle)).is_err() {
        reject(
            "NdisMDeregisterMiniportDriver",
            "unknown or deregistered driver handle",
        );
    }
}

/// # Safety
///
/// `MiniportAttributes` readable for its header's size, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMSetMiniportAttributes(
    NdisMiniportHandle: abi::NDIS_HANDLE,
    MiniportAttributes: abi::PNDIS_MINIPORT_ADAPTER_ATTRIBUTES,
) -> abi::NDIS_STATUS {
    let attrs = if MiniportAttributes.is_null() {
        None
    } else {
        // SAFETY: readable for its header (safety requirement).
        let header = unsafe { read_header(MiniportAttributes) };
        match u32::from(header.Type) {
            abi::NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES
                if u32::from(header.Size)
                    >= abi::NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 =>
            {
                let reg =
                    MiniportAttributes.cast::<abi::NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES>();
                // SAFETY: the header says revision 1's fields are there;
                // three of them are read, in place.
                let (context, flags, hang_check_seconds) = unsafe {
                    (
                        (&raw const (*reg).MiniportAdapterContext).read_unaligned(),
                        (&raw const (*reg).AttributeFlags).read_unaligned(),
                        (&raw const (*reg).CheckForHangTimeInSeconds).read_unaligned(),
                    )
                };
                Some(MiniportAttributes::Registration {
                    context: context as usize,
                    flags,
                    hang_check_seconds,
                })
            }
            abi::NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES
                if u32::from(header.Size)
                    >= abi::NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1 =>
            {
                // SAFETY: the header says revision 1's fields are there.
                let general = unsafe {
                    read_sized(
                        MiniportAttributes.cast::<abi::NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES>(),
                        usize::from(header.Size),
                    )
                };
                Some(MiniportAttributes::General(general_attributes(&general)))
            }
            abi::NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES
                if u32::from(header.Size)
                    >= abi::NDIS_SIZEOF_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1 =>
            {
                // SAFETY: the header says revision 1's fields are there.
                let attrs = unsafe {
                    MiniportAttributes
                        .cast::<abi::NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES>()
                        .read_unaligned()
                };
                // SAFETY: a miniport passes a readable NDIS_OFFLOAD or NULL
                // (the structure's documentation: "must not be NULL").
                unsafe { offload_attributes(attrs.DefaultOffloadConfiguration) }
                    .map(MiniportAttributes::Offload)
            }
            // Too short for its revision, or not an attribute type.
            _ => None,
        }
    };
    traced_status(
        c"NdisMSetMiniportAttributes",
        NdisMiniportHandle,
        adapter_or_invalid(NdisMiniportHandle)
            .and_then(|adapter| attributes::set_attributes(&adapter, attrs)),
    )
}

/// What the net_device needs of an `NDIS_OFFLOAD`; `None` for NULL or a
/// header that is not an `NDIS_OFFLOAD` of revision 1 or later.
///
/// # Safety
///
/// `offload` NULL or readable for its header's size.
unsafe fn offload_attributes(offload: *const abi::NDIS_OFFLOAD) -> Option<OffloadAttributes> {
    if offload.is_null() {
        return None;
    }
    // SAFETY: readable for its header (safety requirement).
    let header = unsafe { read_header(offload) };
    if u32::from(header.Type) != abi::NDIS_OBJECT_TYPE_OFFLOAD
        || u32::from(header.Size) < abi::NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_1
    {
        return None;
    }
    // SAFETY: revision 1 is the whole structure as declared.
    let o = unsafe { offload.read_unaligned() };
    let (v4, v6) = (o.Checksum.IPv4Transmit, o.Checksum.IPv6Transmit);
    Some(OffloadAttributes {
        tcp_checksum_v4: v4.TcpChecksum() == abi::NDIS_OFFLOAD_SUPPORTED,
        udp_checksum_v4: v4.UdpChecksum() == abi::NDIS_OFFLOAD_SUPPORTED,
        tcp_checksum_v6: v6.TcpChecksum() == abi::NDIS_OFFLOAD_SUPPORTED,
        udp_checksum_v6: v6.UdpChecksum() == abi::NDIS_OFFLOAD_SUPPORTED,
        lso_v4_max: o.LsoV1.IPv4.MaxOffLoadSize.max(o.LsoV2.IPv4.MaxOffLoadSize),
        lso_v4_v2: o.LsoV2.IPv4.MaxOffLoadSize != 0,
        rx_checksum: {
            let r = o.Checksum.IPv4Receive;
            r.TcpChecksum() == abi::NDIS_OFFLOAD_SUPPORTED
                || r.UdpChecksum() == abi::NDIS_OFFLOAD_SUPPORTED
        },
        lso_v6_max: o.LsoV2.IPv6.MaxOffLoadSize,
    })
}

/// What the net_device needs of `NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES`.
fn general_attributes(g: &abi::NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES) -> GeneralAttributes {
    let mut mac = [0u8; 6];
    let current = &g.CurrentMacAddress[..6];
    let source = if current.iter().all(|&b| b == 0) {
        &g.PermanentMacAddress[..6]
    } else {
        current
    };
    mac.copy_from_slice(source);
    GeneralAttributes {
        medium: g.MediaType,
        mtu: g.MtuSize,
        mac,
        connected: match g.MediaConnectState {
            abi::MediaConnectStateConnected => Some(true),
            abi::MediaConnectStateDisconnected => Some(false),
            _ => None,
        },
        link_speed: g.XmitLinkSpeed,
        duplex: g.MediaDuplexState,
        packet_filters: g.SupportedPacketFilters,
        max_multicast: g.MaxMulticastListSize,
    }
}

/// `Buffer` for `Length` bytes as a slice, or `None` for NULL.
///
/// # Safety
///
/// `Buffer` must be NULL or valid for reads and writes of `Length` bytes,
/// not otherwise accessed during the call.
unsafe fn bus_buffer<'a>(
    buffer: abi::PVOID,
    length: abi::ULONG,
    write: bool,
) -> Option<BusBuffer<'a>> {
    if buffer.is_null() {
        return None;
    }
    let (ptr, len) = (buffer.cast::<u8>(), length as usize);
    // SAFETY: by this function's safety requirement.
    Some(unsafe {
        if write {
            BusBuffer::Write(core::slice::from_raw_parts(ptr, len))
        } else {
            BusBuffer::Read(core::slice::from_raw_parts_mut(ptr, len))
        }
    })
}

/// # Safety
///
/// `Buffer` writable for `Length` bytes, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMGetBusData(
    NdisMiniportHandle: abi::NDIS_HANDLE,
    WhichSpace: abi::ULONG,
    Offset: abi::ULONG,
    Buffer: abi::PVOID,
    Length: abi::ULONG,
) -> abi::ULONG {
    // SAFETY: by this function's safety requirement.
    let buf = unsafe { bus_buffer(Buffer, Length, false) };
    match adapter_or_reject(NdisMiniportHandle, "NdisM{Get,Set}BusData") {
        Some(adapter) => resources::bus_data(&adapter, WhichSpace, Offset, buf),
        None => 0,
    }
}

/// # Safety
///
/// `Buffer` readable for `Length` bytes, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMSetBusData(
    NdisMiniportHandle: abi::NDIS_HANDLE,
    WhichSpace: abi::ULONG,
    Offset: abi::ULONG,
    Buffer: abi::PVOID,
    Length: abi::ULONG,
) -> abi::ULONG {
    // SAFETY: by this function's safety requirement.
    let buf = unsafe { bus_buffer(Buffer, Length, true) };
    match adapter_or_reject(NdisMiniportHandle, "NdisM{Get,Set}BusData") {
        Some(adapter) => resources::bus_data(&adapter, WhichSpace, Offset, buf),
        None => 0,
    }
}

/// # Safety
///
/// `VirtualAddress` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMMapIoSpace(
    VirtualAddress: *mut abi::PVOID,
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    PhysicalAddress: abi::NDIS_PHYSICAL_ADDRESS,
    Length: abi::UINT,
) -> abi::NDIS_STATUS {
    const CALL: &CStr = c"NdisMMapIoSpace";
    if VirtualAddress.is_null() {
        return traced_status(CALL, MiniportAdapterHandle, Err(Error::InvalidParameter));
    }
    // SAFETY: every member of the union is plain integers.
    let phys = unsafe { PhysicalAddress.QuadPart } as u64;
    let result = adapter_or_invalid(MiniportAdapterHandle)
        .and_then(|adapter| adapter.io.map(&adapter, phys, Length));
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe {
        store(
            VirtualAddress,
            *result.as_ref().unwrap_or(&core::ptr::null_mut()),
        )
    };
    traced_status(CALL, MiniportAdapterHandle, result.map(|_| ()))
}

#[no_mangle]
extern "C" fn NdisMUnmapIoSpace(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    VirtualAddress: abi::PVOID,
    Length: abi::UINT,
) {
    traced_void(c"NdisMUnmapIoSpace", MiniportAdapterHandle);
    if let Some(adapter) = adapter_or_reject(MiniportAdapterHandle, "NdisMUnmapIoSpace") {
        adapter.io.unmap(&adapter, VirtualAddress as usize, Length)
    }
}

// ---- Interrupts ----

/// # Safety
///
/// `Characteristics` readable for its header's size and writable for its
/// `InterruptType`, or NULL; `NdisInterruptHandle` writable.
#[no_mangle]
unsafe extern "C" fn NdisMRegisterInterruptEx(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    MiniportInterruptContext: abi::NDIS_HANDLE,
    Characteristics: abi::PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
    NdisInterruptHandle: abi::PNDIS_HANDLE,
) -> abi::NDIS_STATUS {
    const CALL: &CStr = c"NdisMRegisterInterruptEx";
    if NdisInterruptHandle.is_null() {
        return traced_status(CALL, MiniportAdapterHandle, Err(Error::InvalidParameter));
    }
    let result = if Characteristics.is_null() {
        Err(Error::InvalidParameter)
    } else {
        // SAFETY: readable for its header, then for the header's `Size`
        // (safety requirement); all-zero is a valid structure.
        let (header, c) = unsafe {
            let header = read_header(Characteristics);
            (header, read_sized(Characteristics, header.Size.into()))
        };
        let request = InterruptRequest {
            view: InterruptCharacteristicsView {
                header_type: header.Type,
                header_revision: header.Revision,
                header_size: header.Size,
                has_isr: c.InterruptHandler.is_some(),
                has_dpc: c.InterruptDpcHandler.is_some(),
            },
            isr: c.InterruptHandler,
            dpc: c.InterruptDpcHandler,
            context: MiniportInterruptContext,
        };
        adapter_or_invalid(MiniportAdapterHandle).and_then(|adapter| {
            let owner = handle(MiniportAdapterHandle);
            let (irq, kind) = interrupt::register(&adapter, owner, request)?;
            let h = adapter.own_interrupt(irq)?;
            let kind = match kind {
                InterruptType::LineBased => abi::NDIS_CONNECT_LINE_BASED,
                InterruptType::MessageBased => abi::NDIS_CONNECT_MESSAGE_BASED,
            };
            // SAFETY: revision 1 (validated) holds `InterruptType`, and
            // the structure is writable (safety requirement).
            unsafe { (&raw mut (*Characteristics).InterruptType).write_unaligned(kind) };
            Ok(h)
        })
    };
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe { store_handle(CALL, MiniportAdapterHandle, NdisInterruptHandle, result) }
}

#[no_mangle]
extern "C" fn NdisMDeregisterInterruptEx(NdisInterruptHandle: abi::NDIS_HANDLE) {
    traced_void(c"NdisMDeregisterInterruptEx", NdisInterruptHandle);
    if !at_passive("NdisMDeregisterInterruptEx") {
        return;
    }
    let h = handle(NdisInterruptHandle);
    let owner = registry::lookup::<Interrupt>(h).and_then(|irq| adapter_of_handle(irq.owner()));
    if owner.is_none_or(|adapter| adapter.disown_interrupt(h).is_err()) {
        reject("NdisMDeregisterInterruptEx", "unknown interrupt handle");
    }
}

/// A forged interrupt handle or a NULL function is FALSE, logged and
/// counted (the page defines no failure: its only result is the
/// function's).
///
/// # Safety
///
/// `SynchronizeFunction` safe to call with `SynchronizeContext` at DIRQL
/// (interrupts off).
#[no_mangle]
unsafe extern "C" fn NdisMSynchronizeWithInterruptEx(
    NdisInterruptHandle: abi::NDIS_HANDLE,
    _MessageId: abi::ULONG,
    SynchronizeFunction: abi::MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER,
    SynchronizeContext: abi::PVOID,
) -> abi::BOOLEAN {
    const CALL: &str = "NdisMSynchronizeWithInterruptEx";
    let Some(function) = SynchronizeFunction else {
        reject(CALL, "NULL SynchronizeFunction");
        return 0;
    };
    let Some(irq) = registry::find::<Interrupt>(handle(NdisInterruptHandle)) else {
        reject(CALL, "unknown interrupt handle");
        return 0;
    };
    // SAFETY: by this function's safety requirement.
    unsafe { irq.synchronize(function, SynchronizeContext) }
}

// ---- Timer objects (rust/timer.rs) ----

/// # Safety
///
/// `TimerCharacteristics` readable for its header's size, or NULL;
/// `pTimerObject` writable.
#[no_mangle]
unsafe extern "C" fn NdisAllocateTimerObject(
    NdisHandle: abi::NDIS_HANDLE,
    TimerCharacteristics: abi::PNDIS_TIMER_CHARACTERISTICS,
    pTimerObject: abi::PNDIS_HANDLE,
) -> abi::NDIS_STATUS {
    // The page's statuses are SUCCESS, RESOURCES, BAD_CHARACTERISTICS and
    // FAILURE ("none of the preceding status values apply"): a NULL
    // pointer is FAILURE.
    const CALL: &CStr = c"NdisAllocateTimerObject";
    if pTimerObject.is_null() || TimerCharacteristics.is_null() {
        // SAFETY: NULL or writable (safety requirement).
        return unsafe { store_handle(CALL, NdisHandle, pTimerObject, Err(Error::Failure)) };
    }
    // SAFETY: readable for its header, then for the header's `Size`
    // (safety requirement); all-zero is a valid structure.
    let (header, c) = unsafe {
        let header = read_header(TimerCharacteristics);
        (header, read_sized(TimerCharacteristics, header.Size.into()))
    };
    // The owner: an adapter or the miniport driver; anything else is
    // FAILURE (the page names no INVALID_PARAMETER).
    let owner = handle(NdisHandle);
    let is_owner = registry::find::<Adapter>(owner).is_some()
        || registry::find::<driver::MiniportDriver>(owner).is_some();
    let result = timer::characteristics(header_triple(header), c.TimerFunction, c.FunctionContext)
        .and_then(|c| if is_owner { Ok(c) } else { Err(Error::Failure) })
        .and_then(|c| timer::allocate(owner, c));
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe { store_handle(CALL, NdisHandle, pTimerObject, result) }
}

/// TRUE if the timer was queued; an unknown or freed timer or a negative
/// `MillisecondsPeriod` is FALSE, logged and counted.
#[no_mangle]
extern "C" fn NdisSetTimerObject(
    TimerObject: abi::NDIS_HANDLE,
    DueTime: abi::LARGE_INTEGER,
    MillisecondsPeriod: abi::LONG,
    FunctionContext: abi::PVOID,
) -> abi::BOOLEAN {
    // SAFETY: every member of the union is plain integers.
    let due = unsafe { DueTime.QuadPart };
    match timer::set(
        handle(TimerObject),
        due,
        MillisecondsPeriod,
        FunctionContext,
    ) {
        Ok(queued) => queued.into(),
        Err(_) => {
            reject(
                "NdisSetTimerObject",
                "unknown or freed timer, or negative period",
            );
            0
        }
    }
}

/// TRUE if the timer was queued; an unknown or freed timer is FALSE,
/// logged and counted.
#[no_mangle]
extern "C" fn NdisCancelTimerObject(TimerObject: abi::NDIS_HANDLE) -> abi::BOOLEAN {
    match timer::cancel(handle(TimerObject)) {
        Ok(queued) => queued.into(),
        Err(_) => {
            reject("NdisCancelTimerObject", "unknown or freed timer");
            0
        }
    }
}

#[no_mangle]
extern "C" fn NdisFreeTimerObject(TimerObject: abi::NDIS_HANDLE) {
    traced_void(c"NdisFreeTimerObject", TimerObject);
    if timer::free(handle(TimerObject)).is_err() {
        reject("NdisFreeTimerObject", "unknown or freed timer");
    }
}

// ---- Memory and MDLs ----

#[no_mangle]
extern "C" fn NdisAllocateMemoryWithTagPriority(
    _NdisHandle: abi::NDIS_HANDLE,
    Length: abi::UINT,
    _Tag: abi::ULONG,
    _Priority: abi::EX_POOL_PRIORITY,
) -> abi::PVOID {
    memory::allocate(Length)
}

/// # Safety
///
/// `VirtualAddress` from `NdisAllocateMemoryWithTagPriority`, not yet freed.
#[no_mangle]
unsafe extern "C" fn NdisFreeMemory(
    VirtualAddress: abi::PVOID,
    _Length: abi::UINT,
    _MemoryFlags: abi::UINT,
) {
    traced_void(c"NdisFreeMemory", NO_HANDLE);
    // SAFETY: by this function's safety requirement.
    unsafe { memory::free(VirtualAddress) }
}

#[no_mangle]
extern "C" fn NdisAllocateMdl(
    _NdisHandle: abi::NDIS_HANDLE,
    VirtualAddress: abi::PVOID,
    Length: abi::UINT,
) -> abi::PMDL {
    memory::allocate_mdl(VirtualAddress, Length)
}

/// # Safety
///
/// `Mdl` from `NdisAllocateMdl`, not yet freed.
#[no_mangle]
unsafe extern "C" fn NdisFreeMdl(Mdl: abi::PMDL) {
    traced_void(c"NdisFreeMdl", NO_HANDLE);
    // SAFETY: by this function's safety requirement.
    unsafe { memory::free_mdl(Mdl) }
}

// ---- NDIS 5 memory and buffer descriptors ----

/// `NdisAllocateMemoryWithTag` (NDIS 5): `NDIS_STATUS_SUCCESS` with the
/// memory, or `NDIS_STATUS_FAILURE` with NULL (its page). The tag is not
/// kept.
///
/// # Safety
///
/// `VirtualAddress` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisAllocateMemoryWithTag(
    VirtualAddress: *mut abi::PVOID,
    Length: abi::UINT,
    _Tag: abi::ULONG,
) -> abi::NDIS_STATUS {
    const CALL: &CStr = c"NdisAllocateMemoryWithTag";
    if VirtualAddress.is_null() {
        return traced_status(CALL, NO_HANDLE, Err(Error::Failure));
    }
    let va = memory::allocate(Length);
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe { store(VirtualAddress, va) };
    traced_status(
        CALL,
        NO_HANDLE,
        if va.is_null() {
            Err(Error::Failure)
        } else {
            Ok(())
        },
    )
}

/// `NdisAllocateMemory`: `NDIS_STATUS_SUCCESS` with the memory, or
/// `NDIS_STATUS_FAILURE` with NULL (its page). MemoryFlags and
/// HighestAcceptableAddress as [`memory::allocate_kind`] reads them.
///
/// # Safety
///
/// `VirtualAddress` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisAllocateMemory(
    VirtualAddress: *mut abi::PVOID,
    Length: abi::UINT,
    MemoryFlags: abi::UINT,
    HighestAcceptableAddress: abi::NDIS_PHYSICAL_ADDRESS,
) -> abi::NDIS_STATUS {
    const CALL: &CStr = c"NdisAllocateMemory";
    if VirtualAddress.is_null() {
        return traced_status(CALL, NO_HANDLE, Err(Error::Failure));
    }
    // SAFETY: every bit pattern of the union is a valid `QuadPart`; -1 (the
    // value the page asks for) reads as no limit.
    let highest = unsafe { HighestAcceptableAddress.QuadPart } as u64;
    let kind = memory::MemoryKind::from_flags(MemoryFlags);
    let va = memory::allocate_kind(Length, kind, highest);
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe { store(VirtualAddress, va.unwrap_or(core::ptr::null_mut())) };
    traced_status(CALL, NO_HANDLE, va.map(|_| ()).ok_or(Error::Failure))
}

/// `NdisAllocateBufferPool`: always `NDIS_STATUS_SUCCESS` (its page), with
/// the one pool name ([`memory::BUFFER_POOL`]).
///
/// # Safety
///
/// `Status` and `PoolHandle` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisAllocateBufferPool(
    Status: abi::PNDIS_STATUS,
    PoolHandle: abi::PNDIS_HANDLE,
    _NumberOfDescriptors: abi::UINT,
) {
    let status = if PoolHandle.is_null() {
        reject("NdisAllocateBufferPool", "NULL PoolHandle");
        Err(Error::Failure)
    } else {
        Ok(())
    };
    // SAFETY: NULL or writable by the safety requirement.
    unsafe {
        let pool = memory::BUFFER_POOL as abi::NDIS_HANDLE;
        store(PoolHandle, pool);
        store(
            Status,
            traced_status(c"NdisAllocateBufferPool", pool, status),
        );
    }
}

/// `NdisFreeBufferPool`: nothing to free. A handle that is neither the pool
/// name nor NULL (valid on some Windows versions, its page says) is
/// rejected.
#[no_mangle]
extern "C" fn NdisFreeBufferPool(PoolHandle: abi::NDIS_HANDLE) {
    traced_void(c"NdisFreeBufferPool", PoolHandle);
    if !PoolHandle.is_null() && PoolHandle as usize != memory::BUFFER_POOL {
        reject("NdisFreeBufferPool", "not a buffer pool handle");
    }
}

/// `NdisAllocateBuffer`: an MDL for the nonpaged range, as
/// `NdisAllocateMdl` builds it; `*Status` is `NDIS_STATUS_SUCCESS`, or
/// `NDIS_STATUS_FAILURE` with `*Buffer` NULL (its page). Any PoolHandle
/// is accepted (it is optional).
///
/// # Safety
///
/// `Status` and `Buffer` writable, or NULL; `VirtualAddress` nonpaged
/// kernel memory of `Length` bytes.
#[no_mangle]
unsafe extern "C" fn NdisAllocateBuffer(
    Status: abi::PNDIS_STATUS,
    Buffer: *mut abi::PNDIS_BUFFER,
    PoolHandle: abi::NDIS_HANDLE,
    VirtualAddress: abi::PVOID,
    Length: abi::UINT,
) {
    let mdl = if Buffer.is_null() {
        reject("NdisAllocateBuffer", "NULL Buffer");
        core::ptr::null_mut()
    } else {
        memory::allocate_mdl(VirtualAddress, Length)
    };
    let status = if mdl.is_null() {
        Err(Error::Failure)
    } else {
        Ok(())
    };
    // SAFETY: NULL or writable by the safety requirement.
    unsafe {
        store(Buffer, mdl);
        store(
            Status,
            traced_status(c"NdisAllocateBuffer", PoolHandle, status),
        );
    }
}

// ---- NDIS 5 packets (rust/packet_pool.rs) ----

/// `NdisAllocatePacketPoolEx`: `*Status` `NDIS_STATUS_SUCCESS` with the
/// pool's handle, or `NDIS_STATUS_RESOURCES` with NULL (its page: more
/// than 0xFFFF descriptors; the shim's too for none, a
/// `ProtocolReservedLength` too large, no memory).
///
/// # Safety
///
/// `Status` and `PoolHandle` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisAllocatePacketPoolEx(
    Status: abi::PNDIS_STATUS,
    PoolHandle: abi::PNDIS_HANDLE,
    NumberOfDescriptors: abi::UINT,
    NumberOfOverflowDescriptors: abi::UINT,
    ProtocolReservedLength: abi::UINT,
) {
    // SAFETY: the same requirements.
    unsafe {
        allocate_packet_pool(
            c"NdisAllocatePacketPoolEx",
            Status,
            PoolHandle,
            NumberOfDescriptors,
            NumberOfOverflowDescriptors,
            ProtocolReservedLength,
        )
    }
}

/// Both packet pool allocations, traced as `call`.
///
/// # Safety
///
/// As `NdisAllocatePacketPoolEx`.
unsafe fn allocate_packet_pool(
    call: &CStr,
    Status: abi::PNDIS_STATUS,
    PoolHandle: abi::PNDIS_HANDLE,
    NumberOfDescriptors: abi::UINT,
    NumberOfOverflowDescriptors: abi::UINT,
    ProtocolReservedLength: abi::UINT,
) {
    let result = if PoolHandle.is_null() {
        reject("NdisAllocatePacketPool", "NULL PoolHandle");
        Err(Error::Resources)
    } else {
        packet_pool::allocate_pool(
            NumberOfDescriptors,
            NumberOfOverflowDescriptors,
            ProtocolReservedLength,
        )
    };
    // SAFETY: NULL or writable by the safety requirement.
    unsafe { store(Status, store_handle(call, NO_HANDLE, PoolHandle, result)) };
}

/// `NdisAllocatePacketPool`: `NdisAllocatePacketPoolEx` with no overflow
/// descriptors.
///
/// # Safety
///
/// As `NdisAllocatePacketPoolEx`.
#[no_mangle]
unsafe extern "C" fn NdisAllocatePacketPool(
    Status: abi::PNDIS_STATUS,
    PoolHandle: abi::PNDIS_HANDLE,
    NumberOfDescriptors: abi::UINT,
    ProtocolReservedLength: abi::UINT,
) {
    // SAFETY: the same requirements.
    unsafe {
        allocate_packet_pool(
            c"NdisAllocatePacketPool",
            Status,
            PoolHandle,
            NumberOfDescriptors,
            0,
            ProtocolReservedLength,
        )
    }
}

#[no_mangle]
extern "C" fn NdisFreePacketPool(PoolHandle: abi::NDIS_HANDLE) {
    traced_void(c"NdisFreePacketPool", PoolHandle);
    packet_pool::free_pool(handle(PoolHandle))
}

#[no_mangle]
extern "C" fn NdisPacketPoolUsage(PoolHandle: abi::NDIS_HANDLE) -> abi::UINT {
    packet_pool::usage(handle(PoolHandle))
}

/// The allocation calls: `*Status` `NDIS_STATUS_SUCCESS` with a zeroed
/// descriptor, or `NDIS_STATUS_RESOURCES` with `*Packet` NULL (its page).
///
/// # Safety
///
/// `Status` and `Packet` writable, or NULL.
unsafe fn allocate_packet(
    call: &CStr,
    Status: abi::PNDIS_STATUS,
    Packet: *mut abi::PNDIS_PACKET,
    PoolHandle: abi::NDIS_HANDLE,
) {
    let name = call.to_str().unwrap_or_default();
    let result = if Packet.is_null() {
        reject(name, "NULL Packet");
        Err(Error::Resources)
    } else {
        packet_pool::allocate(name, handle(PoolHandle))
    };
    let packet = result
        .as_ref()
        .map_or(core::ptr::null_mut(), |p| p.as_ptr());
    // SAFETY: NULL or writable by the safety requirement.
    unsafe {
        store(Packet, packet);
        store(Status, traced_status(call, PoolHandle, result.map(|_| ())));
    }
}

/// # Safety
///
/// As `allocate_packet`.
#[no_mangle]
unsafe extern "C" fn NdisAllocatePacket(
    Status: abi::PNDIS_STATUS,
    Packet: *mut abi::PNDIS_PACKET,
    PoolHandle: abi::NDIS_HANDLE,
) {
    // SAFETY: the same requirements.
    unsafe { allocate_packet(c"NdisAllocatePacket", Status, Packet, PoolHandle) }
}

/// # Safety
///
/// As `allocate_packet`.
#[no_mangle]
unsafe extern "C" fn NdisDprAllocatePacket(
    Status: abi::PNDIS_STATUS,
    Packet: *mut abi::PNDIS_PACKET,
    PoolHandle: abi::NDIS_HANDLE,
) {
    // SAFETY: the same requirements.
    unsafe { allocate_packet(c"NdisDprAllocatePacket", Status, Packet, PoolHandle) }
}

/// # Safety
///
/// As `allocate_packet`.
#[no_mangle]
unsafe extern "C" fn NdisDprAllocatePacketNonInterlocked(
    Status: abi::PNDIS_STATUS,
    Packet: *mut abi::PNDIS_PACKET,
    PoolHandle: abi::NDIS_HANDLE,
) {
    // SAFETY: the same requirements.
    unsafe {
        allocate_packet(
            c"NdisDprAllocatePacketNonInterlocked",
            Status,
            Packet,
            PoolHandle,
        )
    }
}

/// The free calls; a NULL packet is refused.
///
/// # Safety
///
/// `Packet` NULL or a readable `NDIS_PACKET`.
unsafe fn free_packet(call: &CStr, Packet: abi::PNDIS_PACKET) {
    traced_void(call, NO_HANDLE);
    let name = call.to_str().unwrap_or_default();
    if Packet.is_null() {
        reject(name, "NULL Packet");
    } else {
        // SAFETY: readable by the safety requirement.
        unsafe { packet_pool::free(name, Packet) }
    }
}

/// # Safety
///
/// As `free_packet`.
#[no_mangle]
unsafe extern "C" fn NdisFreePacket(Packet: abi::PNDIS_PACKET) {
    // SAFETY: the same requirements.
    unsafe { free_packet(c"NdisFreePacket", Packet) }
}

/// # Safety
///
/// As `free_packet`.
#[no_mangle]
unsafe extern "C" fn NdisDprFreePacket(Packet: abi::PNDIS_PACKET) {
    // SAFETY: the same requirements.
    unsafe { free_packet(c"NdisDprFreePacket", Packet) }
}

/// # Safety
///
/// As `free_packet`.
#[no_mangle]
unsafe extern "C" fn NdisDprFreePacketNonInterlocked(Packet: abi::PNDIS_PACKET) {
    // SAFETY: the same requirements.
    unsafe { free_packet(c"NdisDprFreePacketNonInterlocked", Packet) }
}

/// The unchain calls: `*Buffer` is what `take` took off the chain.
///
/// # Safety
///
/// `Packet` NULL or a writable `NDIS_PACKET` with a readable chain;
/// `Buffer` NULL or writable; `take` as [`packet_pool::unchain_front`].
unsafe fn unchain(
    call: &str,
    Packet: abi::PNDIS_PACKET,
    Buffer: *mut abi::PNDIS_BUFFER,
    take: unsafe fn(abi::PNDIS_PACKET) -> abi::PNDIS_BUFFER,
) {
    if Packet.is_null() || Buffer.is_null() {
        reject(call, "NULL argument");
        return;
    }
    // SAFETY: by the safety requirement.
    unsafe { *Buffer = take(Packet) };
}

/// # Safety
///
/// As `unchain`.
#[no_mangle]
unsafe extern "C" fn NdisUnchainBufferAtFront(
    Packet: abi::PNDIS_PACKET,
    Buffer: *mut abi::PNDIS_BUFFER,
) {
    // SAFETY: the same requirements.
    unsafe {
        unchain(
            "NdisUnchainBufferAtFront",
            Packet,
            Buffer,
            packet_pool::unchain_front,
        )
    }
}

/// # Safety
///
/// As `unchain`.
#[no_mangle]
unsafe extern "C" fn NdisUnchainBufferAtBack(
    Packet: abi::PNDIS_PACKET,
    Buffer: *mut abi::PNDIS_BUFFER,
) {
    // SAFETY: the same requirements.
    unsafe {
        unchain(
            "NdisUnchainBufferAtBack",
            Packet,
            Buffer,
            packet_pool::unchain_back,
        )
    }
}

/// # Safety
///
/// Both packets readable with readable chains whose buffers are memory
/// of their length (the destination's writable); `BytesCopied` writable.
#[no_mangle]
unsafe extern "C" fn NdisCopyFromPacketToPacketSafe(
    Destination: abi::PNDIS_PACKET,
    DestinationOffset: abi::UINT,
    BytesToCopy: abi::UINT,
    Source: abi::PNDIS_PACKET,
    SourceOffset: abi::UINT,
    BytesCopied: abi::PUINT,
    _Priority: abi::MM_PAGE_PRIORITY,
) {
    let copied = if Destination.is_null() || Source.is_null() {
        reject("NdisCopyFromPacketToPacket", "NULL packet");
        0
    } else {
        // SAFETY: by the safety requirement.
        unsafe {
            packet_pool::copy(
                Destination,
                DestinationOffset,
                BytesToCopy,
                Source,
                SourceOffset,
            )
        }
    };
    // SAFETY: NULL or writable by the safety requirement.
    unsafe { store(BytesCopied, copied) };
}

/// # Safety
///
/// As `NdisCopyFromPacketToPacketSafe`.
#[no_mangle]
unsafe extern "C" fn NdisCopyFromPacketToPacket(
    Destination: abi::PNDIS_PACKET,
    DestinationOffset: abi::UINT,
    BytesToCopy: abi::UINT,
    Source: abi::PNDIS_PACKET,
    SourceOffset: abi::UINT,
    BytesCopied: abi::PUINT,
) {
    // SAFETY: the same requirements.
    unsafe {
        NdisCopyFromPacketToPacketSafe(
            Destination,
            DestinationOffset,
            BytesToCopy,
            Source,
            SourceOffset,
            BytesCopied,
            abi::NormalPagePriority,
        )
    }
}

/// Busy-waits; legal at any IRQL, as on Windows.
#[no_mangle]
extern "C" fn NdisStallExecution(MicrosecondsToStall: abi::UINT) {
    kernel::time::delay::udelay(kernel::time::Delta::from_micros(MicrosecondsToStall.into()))
}

/// Sleeps; PASSIVE_LEVEL only.
#[no_mangle]
extern "C" fn NdisMSleep(MicrosecondsToSleep: abi::ULONG) {
    kernel::time::delay::fsleep(kernel::time::Delta::from_micros(MicrosecondsToSleep.into()))
}

// ---- Configuration, error log, system time (rust/configuration.rs) ----

/// `NdisOpenConfigurationEx`: a configuration of the adapter
/// `ConfigObject->NdisHandle` names. Its page lists SUCCESS, RESOURCES and
/// FAILURE ("if none of the preceding values applies"), so a NULL or
/// malformed `ConfigObject` (wrong `Header.Type`, `Revision` below 1,
/// `Size` short of revision 1), a NULL `ConfigurationHandle` or an
/// `NdisHandle` that names no adapter is `NDIS_STATUS_FAILURE`, logged and
/// counted as a rejected call, `*ConfigurationHandle` NULL. A driver
/// handle (the driver's own parameters on Windows) is not supported: also
/// FAILURE. PASSIVE_LEVEL.
///
/// # Safety
///
/// `ConfigObject` readable for its header's size, or NULL;
/// `ConfigurationHandle` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisOpenConfigurationEx(
    ConfigObject: abi::PNDIS_CONFIGURATION_OBJECT,
    ConfigurationHandle: abi::PNDIS_HANDLE,
) -> abi::NDIS_STATUS {
    const CALL: &str = "NdisOpenConfigurationEx";
    const TRACED: &CStr = c"NdisOpenConfigurationEx";
    if ConfigurationHandle.is_null() {
        reject(CALL, "NULL ConfigurationHandle");
        return traced_status(TRACED, NO_HANDLE, Err(Error::Failure));
    }
    let result = (|| {
        if ConfigObject.is_null() {
            reject(CALL, "NULL ConfigObject");
            return Err(Error::Failure);
        }
        // SAFETY: non-NULL, so readable for its header (safety requirement).
        let header = unsafe { read_header(ConfigObject) };
        if u32::from(header.Type) != abi::NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT
            || u32::from(header.Revision) < abi::NDIS_CONFIGURATION_OBJECT_REVISION_1
            || u32::from(header.Size) < abi::NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1
        {
            reject(CALL, "ConfigObject is not an NDIS_CONFIGURATION_OBJECT");
            return Err(Error::Failure);
        }
        // SAFETY: the header says revision 1's fields are there.
        let object = unsafe { read_sized(ConfigObject, usize::from(header.Size)) };
        open_configuration(object.NdisHandle, CALL)
    })();
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe { store_handle(TRACED, NO_HANDLE, ConfigurationHandle, result) }
}

/// A configuration of the adapter `adapter` names, owned by it:
/// `Failure` (logged and counted) for a handle that names no adapter or a
/// call above PASSIVE_LEVEL.
fn open_configuration(adapter: abi::NDIS_HANDLE, call: &str) -> status::Result<Handle> {
    let Some(owner) = adapter_or_reject(adapter, call) else {
        return Err(Error::Failure);
    };
    if !at_passive(call) {
        return Err(Error::Failure);
    }
    let config =
        configuration::Configuration::open(owner.device().name().to_bytes(), handle(adapter))?;
    owner.own_configuration(config)
}

/// The configuration a handle names; a bad one is logged and counted.
fn configuration_or_reject(
    raw: abi::NDIS_HANDLE,
    call: &str,
) -> Option<Arc<configuration::Configuration>> {
    let found = registry::lookup(handle(raw));
    if found.is_none() {
        reject(call, "unknown configuration handle");
    }
    found
}

/// `NdisReadConfiguration`: `*Status` SUCCESS with `*ParameterValue`
/// owned by the configuration until `NdisCloseConfiguration`, RESOURCES,
/// or FAILURE: the keyword is missing (as Windows), or its value does not
/// read as the type asked for (`configuration::Configuration::read`). A
/// forged handle or NULL `Keyword`: FAILURE, counted as a rejected call
/// (the call returns nothing). `*ParameterValue` is NULL unless SUCCESS.
/// PASSIVE_LEVEL.
///
/// # Safety
///
/// `Status`, `ParameterValue` writable or NULL; `Keyword` NULL or a
/// readable `NDIS_STRING` whose `Buffer` holds `Length` bytes.
#[no_mangle]
unsafe extern "C" fn NdisReadConfiguration(
    Status: abi::PNDIS_STATUS,
    ParameterValue: *mut abi::PNDIS_CONFIGURATION_PARAMETER,
    ConfigurationHandle: abi::NDIS_HANDLE,
    Keyword: abi::PNDIS_STRING,
    ParameterType: abi::NDIS_PARAMETER_TYPE,
) {
    const CALL: &str = "NdisReadConfiguration";
    let result = (|| {
        if ParameterValue.is_null() {
            reject(CALL, "NULL ParameterValue");
            return Err(Error::Failure);
        }
        let config = configuration_or_reject(ConfigurationHandle, CALL).ok_or(Error::Failure)?;
        if !at_passive(CALL) {
            return Err(Error::Failure);
        }
        if Keyword.is_null() {
            reject(CALL, "NULL Keyword");
            return Err(Error::Failure);
        }
        // SAFETY: non-NULL, so readable (safety requirement).
        let keyword = unsafe { Keyword.read_unaligned() };
        let units = usize::from(keyword.Length) / 2;
        let keyword: &[u16] = if units == 0 {
            &[]
        } else if keyword.Buffer.is_null() || !keyword.Buffer.is_aligned() {
            reject(CALL, "Keyword without a (2-byte aligned) Buffer");
            return Err(Error::Failure);
        } else {
            // SAFETY: `Buffer` holds `Length` bytes (safety requirement),
            // aligned for u16 (checked); only read during the call.
            unsafe { core::slice::from_raw_parts(keyword.Buffer, units) }
        };
        config.read(
            keyword,
            configuration::ParameterKind::from_raw(ParameterType),
        )
    })();
    // SAFETY: NULL or writable by the safety requirement.
    unsafe {
        store(
            ParameterValue,
            *result.as_ref().unwrap_or(&core::ptr::null_mut()),
        );
        let status = traced_status(
            c"NdisReadConfiguration",
            ConfigurationHandle,
            result.map(|_| ()),
        );
        store(Status, status);
    }
}

/// `NdisReadNetworkAddress`: `*Status` SUCCESS with the `NetworkAddress`
/// keyword's 6 bytes (owned by the configuration until
/// `NdisCloseConfiguration`) and `*NetworkAddressLength` 6, or FAILURE
/// (its page: no address, or not one the shim can read) with NULL and 0.
/// A forged handle: FAILURE, counted as a rejected call. PASSIVE_LEVEL.
///
/// # Safety
///
/// `Status`, `NetworkAddress`, `NetworkAddressLength` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisReadNetworkAddress(
    Status: abi::PNDIS_STATUS,
    NetworkAddress: *mut abi::PVOID,
    NetworkAddressLength: abi::PUINT,
    ConfigurationHandle: abi::NDIS_HANDLE,
) {
    const CALL: &str = "NdisReadNetworkAddress";
    let result = (|| {
        if NetworkAddress.is_null() || NetworkAddressLength.is_null() {
            reject(CALL, "NULL NetworkAddress or NetworkAddressLength");
            return Err(Error::Failure);
        }
        let config = configuration_or_reject(ConfigurationHandle, CALL).ok_or(Error::Failure)?;
        if !at_passive(CALL) {
            return Err(Error::Failure);
        }
        config.network_address()
    })();
    let (address, length) = match &result {
        Ok(p) => (
            p.cast_mut().cast(),
            config::NETWORK_ADDRESS_LEN as abi::UINT,
        ),
        Err(_) => (core::ptr::null_mut(), 0),
    };
    // SAFETY: NULL or writable by the safety requirement.
    unsafe {
        store(NetworkAddress, address);
        store(NetworkAddressLength, length);
        let status = traced_status(
            c"NdisReadNetworkAddress",
            ConfigurationHandle,
            result.map(|_| ()),
        );
        store(Status, status);
    }
}

/// `NdisCloseConfiguration`: frees every parameter and address its reads
/// returned. A forged or closed handle is counted as a rejected call.
/// PASSIVE_LEVEL.
#[no_mangle]
extern "C" fn NdisCloseConfiguration(ConfigurationHandle: abi::NDIS_HANDLE) {
    const CALL: &str = "NdisCloseConfiguration";
    traced_void(c"NdisCloseConfiguration", ConfigurationHandle);
    if !at_passive(CALL) {
        return;
    }
    let h = handle(ConfigurationHandle);
    let owner = registry::lookup::<configuration::Configuration>(h)
        .and_then(|c| adapter_of_handle(c.owner()));
    if owner.is_none_or(|adapter| adapter.disown_configuration(h).is_err()) {
        reject(CALL, "unknown configuration handle");
    }
}

/// What `NdisWriteErrorLogEntry` (C-variadic, `rust/error_log.c`) hands
/// the shim: the adapter handle, the code, the count the miniport gave and
/// the `read` values it read. An unknown adapter is counted as a rejected
/// call. Not an NDIS export: only `rust/error_log.c` calls it.
///
/// # Safety
///
/// `values` readable for `read` ULONGs.
#[no_mangle]
unsafe extern "C" fn ndis_shim_error_log(
    NdisAdapterHandle: abi::NDIS_HANDLE,
    ErrorCode: abi::NDIS_ERROR_CODE,
    NumberOfErrorValues: abi::ULONG,
    values: *const abi::ULONG,
    read: abi::ULONG,
) {
    traced_void(c"NdisWriteErrorLogEntry", NdisAdapterHandle);
    let Some(adapter) = adapter_or_reject(NdisAdapterHandle, "NdisWriteErrorLogEntry") else {
        return;
    };
    let values: &[u32] = if values.is_null() || read == 0 {
        &[]
    } else {
        // SAFETY: readable for `read` ULONGs (safety requirement).
        unsafe { core::slice::from_raw_parts(values, read as usize) }
    };
    configuration::write_error_log(adapter.core(), ErrorCode, NumberOfErrorValues, values);
}

/// `NdisGetCurrentSystemTime`: 100 ns units since 1601-01-01 UTC. Any IRQL.
/// A NULL `pSystemTime` is counted as a rejected call.
///
/// # Safety
///
/// `pSystemTime` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisGetCurrentSystemTime(pSystemTime: abi::PLARGE_INTEGER) {
    if pSystemTime.is_null() {
        reject("NdisGetCurrentSystemTime", "NULL pSystemTime");
        return;
    }
    let now = abi::LARGE_INTEGER {
        QuadPart: configuration::system_time(),
    };
    // SAFETY: non-NULL, so writable (safety requirement).
    unsafe { store(pSystemTime, now) };
}

// ---- System DMA ----

/// `DmaChannel` is ignored, as documented: the channel is
/// `DmaDescription->DmaChannel` when `DmaChannelSpecified`, else 0.
///
/// A NULL out pointer, NULL description or a handle that names no adapter:
/// Windows defines no result; the shim's choice is `NDIS_STATUS_FAILURE`,
/// counted as a rejected call.
///
/// # Safety
///
/// `MiniportDmaHandle` writable, or NULL; `DmaDescription` readable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMRegisterDmaChannel(
    MiniportDmaHandle: abi::PNDIS_HANDLE,
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    _DmaChannel: abi::UINT,
    Dma32BitAddresses: abi::BOOLEAN,
    DmaDescription: abi::PNDIS_DMA_DESCRIPTION,
    MaximumLength: abi::ULONG,
) -> abi::NDIS_STATUS {
    const CALL: &str = "NdisMRegisterDmaChannel";
    const TRACED: &CStr = c"NdisMRegisterDmaChannel";
    let on = MiniportAdapterHandle;
    if MiniportDmaHandle.is_null() {
        reject(CALL, "NULL MiniportDmaHandle");
        return traced_status(TRACED, on, Err(Error::Failure));
    }
    let Some(adapter) = adapter_or_reject(MiniportAdapterHandle, CALL) else {
        // SAFETY: checked non-NULL; writable by the safety requirement.
        return unsafe { store_handle(TRACED, on, MiniportDmaHandle, Err(Error::Failure)) };
    };
    if DmaDescription.is_null() {
        adapter.core().reject(CALL, "NULL DmaDescription");
        // SAFETY: checked non-NULL; writable by the safety requirement.
        return unsafe { store_handle(TRACED, on, MiniportDmaHandle, Err(Error::Failure)) };
    }
    // SAFETY: non-NULL, so readable (safety requirement); plain data.
    let description = unsafe { DmaDescription.read_unaligned() };
    let result = system_dma::register(
        adapter.core(),
        handle(MiniportAdapterHandle),
        &description,
        Dma32BitAddresses != 0,
        MaximumLength,
    )
    .and_then(|channel| adapter.own_channel(channel));
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe { store_handle(TRACED, on, MiniportDmaHandle, result) }
}

#[no_mangle]
extern "C" fn NdisMDeregisterDmaChannel(MiniportDmaHandle: abi::NDIS_HANDLE) {
    traced_void(c"NdisMDeregisterDmaChannel", MiniportDmaHandle);
    if !at_passive("NdisMDeregisterDmaChannel") {
        return;
    }
    let h = handle(MiniportDmaHandle);
    let owner = registry::find::<DmaChannel>(h).and_then(|c| adapter_of_handle(c.owner()));
    if owner.is_none_or(|adapter| adapter.disown_channel(h).is_err()) {
        reject("NdisMDeregisterDmaChannel", "unknown or stale DMA handle");
    }
}

fn transfer_args(
    buffer: abi::PNDIS_BUFFER,
    offset: abi::ULONG,
    length: abi::ULONG,
    write_to_device: abi::BOOLEAN,
) -> TransferArgs {
    TransferArgs {
        mdl: buffer as usize,
        offset,
        length,
        dir: Direction::from_write_to_device(write_to_device),
    }
}

/// # Safety
///
/// `Status` writable, or NULL; `Buffer` a readable MDL of kernel memory
/// that stays valid until the transfer is completed, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisSetupDmaTransfer(
    Status: abi::PNDIS_STATUS,
    MiniportDmaHandle: abi::NDIS_HANDLE,
    Buffer: abi::PNDIS_BUFFER,
    Offset: abi::ULONG,
    Length: abi::ULONG,
    WriteToDevice: abi::BOOLEAN,
) {
    // SAFETY: NULL or readable (safety requirement).
    let view = match unsafe { optional_mdl(Buffer) } {
        None => None,
        Some((_, Ok(view))) => Some(view),
        // Windows would map it from its page list; the shim has none.
        // Windows documents no status for this; Setup's failure status is
        // RESOURCES.
        Some((_, Err(why))) => {
            let h = handle(MiniportDmaHandle);
            match registry::find::<DmaChannel>(h).and_then(|c| adapter_of_handle(c.owner())) {
                Some(adapter) => adapter.reject("NdisSetupDmaTransfer", why.reason()),
                None => reject("NdisSetupDmaTransfer", why.reason()),
            }
            let status = ndis_status(Err(Error::Resources));
            trace_dma_setup(
                MiniportDmaHandle,
                Offset,
                Length,
                WriteToDevice,
                (0, false),
                status,
            );
            // SAFETY: NULL or writable by the safety requirement.
            unsafe { store(Status, status) };
            return;
        }
    };
    let args = transfer_args(Buffer, Offset, Length, WriteToDevice);
    let mut mapping = (0, false);
    let traced = trace::dma_setup_enabled();
    let result = system_dma::setup(
        handle(MiniportDmaHandle),
        view,
        args,
        traced.then_some(&mut mapping),
    );
    let status = ndis_status(result);
    if traced {
        trace_dma_setup(
            MiniportDmaHandle,
            Offset,
            Length,
            WriteToDevice,
            mapping,
            status,
        );
    }
    // SAFETY: NULL or writable by the safety requirement.
    unsafe { store(Status, status) };
}

/// The `ndis_dma_setup` event of one Setup.
fn trace_dma_setup(
    h: abi::NDIS_HANDLE,
    offset: abi::ULONG,
    length: abi::ULONG,
    write_to_device: abi::BOOLEAN,
    mapping: (u64, bool),
    status: abi::NDIS_STATUS,
) {
    if trace::dma_setup_enabled() {
        trace::dma_setup(trace::DmaSetup {
            handle: h as usize,
            offset,
            length,
            to_device: write_to_device != 0,
            mapping,
            status: status as u32,
        });
    }
}

/// # Safety
///
/// `Status` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisCompleteDmaTransfer(
    Status: abi::PNDIS_STATUS,
    MiniportDmaHandle: abi::NDIS_HANDLE,
    Buffer: abi::PNDIS_BUFFER,
    Offset: abi::ULONG,
    Length: abi::ULONG,
    WriteToDevice: abi::BOOLEAN,
) {
    let args = transfer_args(Buffer, Offset, Length, WriteToDevice);
    let status = match system_dma::complete(handle(MiniportDmaHandle), args) {
        Ok(Completion::Coherent) => ndis_status(Ok(())),
        Ok(Completion::MaybeIncoherent) => ndis_status(Err(Error::Resources)),
        Err(e) => ndis_status(Err(e)),
    };
    trace::dma_complete(
        MiniportDmaHandle as usize,
        Offset,
        Length,
        WriteToDevice != 0,
        status as u32,
    );
    // SAFETY: NULL or writable by the safety requirement.
    unsafe { store(Status, status) };
}

#[no_mangle]
extern "C" fn NdisMReadDmaCounter(MiniportDmaHandle: abi::NDIS_HANDLE) -> abi::ULONG {
    system_dma::read_counter(handle(MiniportDmaHandle)).unwrap_or_else(|| {
        reject("NdisMReadDmaCounter", "unknown or stale DMA handle");
        0
    })
}

// ---- NDIS 5.x registration and map registers ----

/// # Safety
///
/// `NdisWrapperHandle` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMInitializeWrapper(
    NdisWrapperHandle: abi::PNDIS_HANDLE,
    SystemSpecific1: abi::PVOID,
    _SystemSpecific2: abi::PVOID,
    _SystemSpecific3: abi::PVOID,
) {
    let wrapper = driver::initialize_wrapper(SystemSpecific1 as usize);
    if wrapper.is_none() {
        reject("NdisMInitializeWrapper", "unknown driver object");
    }
    let raw = wrapper.map_or(core::ptr::null_mut(), |h| h.into_raw() as abi::NDIS_HANDLE);
    traced_void(c"NdisMInitializeWrapper", raw);
    // SAFETY: NULL or writable by the safety requirement.
    unsafe { store(NdisWrapperHandle, raw) };
}

/// # Safety
///
/// `MiniportCharacteristics` readable for `CharacteristicsLength` bytes,
/// or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMRegisterMiniport(
    NdisWrapperHandle: abi::NDIS_HANDLE,
    MiniportCharacteristics: abi::PNDIS_MINIPORT_CHARACTERISTICS,
    CharacteristicsLength: abi::UINT,
) -> abi::NDIS_STATUS {
    const CALL: &CStr = c"NdisMRegisterMiniport";
    if MiniportCharacteristics.is_null() {
        return traced_status(CALL, NdisWrapperHandle, Err(Error::InvalidParameter));
    }
    // SAFETY: readable for `CharacteristicsLength` bytes (safety
    // requirement); all-zero is a valid structure.
    let c = unsafe { read_sized(MiniportCharacteristics, CharacteristicsLength as usize) };
    traced_status(
        CALL,
        NdisWrapperHandle,
        driver::register_ndis5(handle(NdisWrapperHandle), c, CharacteristicsLength),
    )
}

#[no_mangle]
extern "C" fn NdisTerminateWrapper(
    NdisWrapperHandle: abi::NDIS_HANDLE,
    _SystemSpecific: abi::PVOID,
) {
    traced_void(c"NdisTerminateWrapper", NdisWrapperHandle);
    driver::terminate_wrapper(handle(NdisWrapperHandle))
}

#[no_mangle]
extern "C" fn NdisMSetAttributesEx(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    MiniportAdapterContext: abi::NDIS_HANDLE,
    CheckForHangTimeInSeconds: abi::UINT,
    AttributeFlags: abi::ULONG,
    _AdapterType: abi::NDIS_INTERFACE_TYPE,
) {
    traced_void(c"NdisMSetAttributesEx", MiniportAdapterHandle);
    if let Some(adapter) = adapter_or_reject(MiniportAdapterHandle, "NdisMSetAttributesEx") {
        attributes::set_attributes_ex(&adapter, MiniportAdapterContext as usize, AttributeFlags);
        ndis5_nic::set_attributes(&adapter, CheckForHangTimeInSeconds, AttributeFlags);
    }
}

/// # Safety
///
/// `Status` and `BufferSize` writable, or NULL; `ResourceList` writable
/// for `*BufferSize` bytes, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMQueryAdapterResources(
    Status: abi::PNDIS_STATUS,
    WrapperConfigurationContext: abi::NDIS_HANDLE,
    ResourceList: abi::PNDIS_RESOURCE_LIST,
    BufferSize: abi::PUINT,
) {
    let result = adapter_or_invalid(WrapperConfigurationContext).and_then(|adapter| {
        let (list, needed) = resources::resource_list(&adapter);
        if BufferSize.is_null() {
            return Err(Error::InvalidParameter);
        }
        // SAFETY: non-NULL, so valid (safety requirement).
        let have = unsafe { BufferSize.read_unaligned() } as usize;
        // SAFETY: non-NULL, so writable (safety requirement).
        unsafe { BufferSize.write_unaligned(needed as u32) };
        if ResourceList.is_null() || have < needed {
            return Err(Error::Resources);
        }
        // SAFETY: `ResourceList` is writable for `have >= needed` bytes;
        // `list` holds at least `needed` bytes (its `Count` descriptors).
        unsafe {
            core::ptr::copy_nonoverlapping(
                (&raw const list).cast::<u8>(),
                ResourceList.cast::<u8>(),
                needed,
            )
        };
        Ok(())
    });
    let status = traced_status(
        c"NdisMQueryAdapterResources",
        WrapperConfigurationContext,
        result,
    );
    // SAFETY: NULL or writable by the safety requirement.
    unsafe { store(Status, status) };
}

#[no_mangle]
extern "C" fn NdisMAllocateMapRegisters(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    _DmaChannel: abi::UINT,
    DmaSize: abi::NDIS_DMA_SIZE,
    BaseMapRegistersNeeded: abi::ULONG,
    MaximumPhysicalMapping: abi::ULONG,
) -> abi::NDIS_STATUS {
    traced_status(
        c"NdisMAllocateMapRegisters",
        MiniportAdapterHandle,
        adapter_or_invalid(MiniportAdapterHandle).and_then(|adapter| {
            // PASSIVE_LEVEL only (it allocates and may sleep): Windows defines
            // no status above it; "cannot be allocated" is RESOURCES.
            if !at_passive("NdisMAllocateMapRegisters") {
                return Err(Error::Resources);
            }
            map_registers::allocate(
                &adapter.map_registers,
                &adapter,
                DmaSize,
                BaseMapRegistersNeeded,
                MaximumPhysicalMapping,
            )
        }),
    )
}

#[no_mangle]
extern "C" fn NdisMFreeMapRegisters(MiniportAdapterHandle: abi::NDIS_HANDLE) {
    traced_void(c"NdisMFreeMapRegisters", MiniportAdapterHandle);
    // PASSIVE_LEVEL only: it waits for a grace period and frees coherent
    // memory. Above it the call is refused (logged, counted).
    if let Some(adapter) = adapter_or_reject(MiniportAdapterHandle, "NdisMFreeMapRegisters") {
        if at_passive("NdisMFreeMapRegisters") {
            map_registers::free(&adapter.map_registers, &adapter)
        }
    }
}

/// # Safety
///
/// `Buffer` a readable MDL of kernel memory that stays valid until the
/// mapping is completed, or NULL; `PhysicalAddressArray` writable for
/// `NdisGetBufferPhysicalArraySize` entries, or NULL; `ArraySize` writable,
/// or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMStartBufferPhysicalMapping(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    Buffer: abi::PNDIS_BUFFER,
    PhysicalMapRegister: abi::ULONG,
    WriteToDevice: abi::BOOLEAN,
    PhysicalAddressArray: abi::PNDIS_PHYSICAL_ADDRESS_UNIT,
    ArraySize: abi::PUINT,
) {
    traced_void(c"NdisMStartBufferPhysicalMapping", MiniportAdapterHandle);
    // SAFETY: NULL or readable (safety requirement).
    let buffer = unsafe { optional_mdl(Buffer) };
    let out = (!PhysicalAddressArray.is_null()).then_some(|i: usize, address: u64, length: u32| {
        let unit = abi::NDIS_PHYSICAL_ADDRESS_UNIT {
            PhysicalAddress: abi::NDIS_PHYSICAL_ADDRESS {
                QuadPart: address as i64,
            },
            Length: length,
        };
        // SAFETY: the array holds the buffer's span in pages (safety
        // requirement); `start` reports at most one piece per page.
        unsafe { PhysicalAddressArray.add(i).write_unaligned(unit) };
    });
    const CALL: &str = "NdisMStartBufferPhysicalMapping";
    // One section for the lookup, the file and the register's claim.
    let dispatch = Dispatch::enter();
    let entries =
        adapter_at_or_reject(MiniportAdapterHandle, CALL, &dispatch).and_then(|adapter| {
            let buffer = match buffer {
                None => None,
                Some((mdl, Ok(view))) => Some((mdl, view)),
                // Windows would map it from its page list; the shim has none.
                // A void call: logged, counted, no pieces (ArraySize 0).
                Some((_, Err(why))) => {
                    adapter.reject(CALL, why.reason());
                    return None;
                }
            };
            map_registers::start(
                &adapter.map_registers,
                adapter,
                buffer,
                PhysicalMapRegister,
                Direction::from_write_to_device(WriteToDevice),
                out,
                &dispatch,
            )
        });
    drop(dispatch);
    // SAFETY: NULL or writable by the safety requirement.
    unsafe { store(ArraySize, entries.unwrap_or(0)) };
}

#[no_mangle]
extern "C" fn NdisMCompleteBufferPhysicalMapping(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    Buffer: abi::PNDIS_BUFFER,
    PhysicalMapRegister: abi::ULONG,
) {
    const CALL: &str = "NdisMCompleteBufferPhysicalMapping";
    traced_void(c"NdisMCompleteBufferPhysicalMapping", MiniportAdapterHandle);
    let dispatch = Dispatch::enter();
    if let Some(adapter) = adapter_at_or_reject(MiniportAdapterHandle, CALL, &dispatch) {
        map_registers::complete(
            &adapter.map_registers,
            adapter,
            Buffer as usize,
            PhysicalMapRegister,
            &dispatch,
        )
    }
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
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    Length: abi::ULONG,
    Cached: abi::BOOLEAN,
    VirtualAddress: *mut abi::PVOID,
    PhysicalAddress: abi::PNDIS_PHYSICAL_ADDRESS,
) {
    traced_void(c"NdisMAllocateSharedMemory", MiniportAdapterHandle);
    // No way to hand the memory back: refused before allocating.
    if VirtualAddress.is_null() || PhysicalAddress.is_null() {
        reject("NdisMAllocateSharedMemory", "NULL out pointer");
        // SAFETY: NULL or writable by the safety requirement.
        unsafe { store(VirtualAddress, core::ptr::null_mut()) };
        return;
    }
    let (va, pa) = adapter_or_reject(MiniportAdapterHandle, "NdisMAllocateSharedMemory")
        .and_then(|adapter| {
            let limit = || adapter.dma_adapter_limit();
            shared_memory::allocate(&adapter.shared, &adapter, limit, Length, Cached != 0).ok()
        })
        .unwrap_or((core::ptr::null_mut(), 0));
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe {
        store(VirtualAddress, va);
        store(
            PhysicalAddress,
            abi::NDIS_PHYSICAL_ADDRESS {
                QuadPart: pa as i64,
            },
        );
    }
}

/// `NdisMFreeSharedMemory`: the arguments must be the allocation's. IRQL
/// <= DISPATCH_LEVEL.
#[no_mangle]
extern "C" fn NdisMFreeSharedMemory(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    Length: abi::ULONG,
    Cached: abi::BOOLEAN,
    VirtualAddress: abi::PVOID,
    PhysicalAddress: abi::NDIS_PHYSICAL_ADDRESS,
) {
    traced_void(c"NdisMFreeSharedMemory", MiniportAdapterHandle);
    // SAFETY: every member of the union is plain integers.
    let pa = unsafe { PhysicalAddress.QuadPart } as u64;
    if let Some(adapter) = adapter_or_reject(MiniportAdapterHandle, "NdisMFreeSharedMemory") {
        shared_memory::free(
            &adapter.shared,
            &adapter,
            Length,
            Cached != 0,
            VirtualAddress,
            pa,
        )
    }
}

/// An asynchronous allocation's status, traced as `call` on `on`:
/// `NDIS_STATUS_PENDING` when queued, else `NDIS_STATUS_FAILURE`, the only
/// statuses its pages name.
fn async_status(call: &CStr, on: abi::NDIS_HANDLE, result: status::Result) -> abi::NDIS_STATUS {
    let status = match result {
        Ok(()) => status::NdisStatus::PENDING.0,
        Err(_) => ndis_status(Err(Error::Failure)),
    };
    trace::call(call, on as usize, status as u32);
    status
}

/// `NdisMAllocateSharedMemoryAsyncEx`: `NDIS_STATUS_PENDING`, then the
/// allocate-complete handler at PASSIVE_LEVEL (NULL pointers on failure);
/// or `NDIS_STATUS_FAILURE`. IRQL <= DISPATCH_LEVEL.
#[no_mangle]
extern "C" fn NdisMAllocateSharedMemoryAsyncEx(
    MiniportDmaHandle: abi::NDIS_HANDLE,
    Length: abi::ULONG,
    Cached: abi::BOOLEAN,
    Context: abi::PVOID,
) -> abi::NDIS_STATUS {
    // The handle is the `MiniportDmaHandle` of NdisMRegisterScatterGatherDma,
    // whose description named the completion handler.
    let result = registry::lookup::<SgDma>(handle(MiniportDmaHandle))
        .and_then(|sg_dma| Some((adapter_of_handle(sg_dma.owner)?, sg_dma)))
        .ok_or(Error::Failure)
        .and_then(|(adapter, sg_dma)| {
            shared_memory::allocate_async(
                &adapter.shared,
                adapter.core(),
                Some(sg_dma.shared_mem_complete()),
                Some(sg_dma.limit()),
                Length,
                Cached != 0,
                Context as usize,
            )
        });
    async_status(
        c"NdisMAllocateSharedMemoryAsyncEx",
        MiniportDmaHandle,
        result,
    )
}

/// `NdisMAllocateSharedMemoryAsync` (NDIS 5): `NDIS_STATUS_PENDING`, then
/// the miniport's `AllocateCompleteHandler` at PASSIVE_LEVEL (NULL pointers
/// on failure); or `NDIS_STATUS_FAILURE`. IRQL <= DISPATCH_LEVEL.
#[no_mangle]
extern "C" fn NdisMAllocateSharedMemoryAsync(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    Length: abi::ULONG,
    Cached: abi::BOOLEAN,
    Context: abi::PVOID,
) -> abi::NDIS_STATUS {
    let result = adapter(MiniportAdapterHandle)
        .ok_or(Error::Failure)
        .and_then(|adapter| {
            shared_memory::allocate_async(
                &adapter.shared,
                adapter.core(),
                None,
                adapter.map_registers.limit(),
                Length,
                Cached != 0,
                Context as usize,
            )
        });
    async_status(
        c"NdisMAllocateSharedMemoryAsync",
        MiniportAdapterHandle,
        result,
    )
}

/// `NdisUpdateSharedMemory`: nothing to do, shared memory is coherent
/// (Windows exports it as a no-op for old code).
#[no_mangle]
extern "C" fn NdisUpdateSharedMemory(
    NdisAdapterHandle: abi::NDIS_HANDLE,
    _Length: abi::ULONG,
    _VirtualAddress: abi::PVOID,
    _PhysicalAddress: abi::NDIS_PHYSICAL_ADDRESS,
) {
    traced_void(c"NdisUpdateSharedMemory", NdisAdapterHandle);
}

#[no_mangle]
extern "C" fn NdisMGetDmaAlignment(MiniportAdapterHandle: abi::NDIS_HANDLE) -> abi::ULONG {
    adapter(MiniportAdapterHandle).map_or(0, |adapter| {
        shared_memory::dma_alignment(|| adapter.dma_adapter_limit())
    })
}

#[no_mangle]
extern "C" fn NdisGetSharedDataAlignment() -> abi::ULONG {
    shared_memory::shared_data_alignment()
}

// ---- NDIS 6 scatter-gather DMA ----

/// # Safety
///
/// `DmaDescription` readable for its header's size and writable for
/// `ScatterGatherListSize`, or NULL; `NdisMiniportDmaHandle` writable.
#[no_mangle]
unsafe extern "C" fn NdisMRegisterScatterGatherDma(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    DmaDescription: abi::PNDIS_SG_DMA_DESCRIPTION,
    NdisMiniportDmaHandle: abi::PNDIS_HANDLE,
) -> abi::NDIS_STATUS {
    const CALL: &CStr = c"NdisMRegisterScatterGatherDma";
    if NdisMiniportDmaHandle.is_null() || DmaDescription.is_null() {
        return traced_status(CALL, MiniportAdapterHandle, Err(Error::InvalidParameter));
    }
    // SAFETY: readable for its header first (safety requirement).
    let header = unsafe { read_header(DmaDescription) };
    let result = if header.Size < crate::sg::SG_DMA_DESCRIPTION_SIZE_1 {
        // Too short for revision 1: nothing beyond the header is read.
        Err(Error::BadVersion)
    } else {
        // SAFETY: the header says revision 1's fields are there (the
        // padding after the last one may be missing); all-zero is valid.
        let d = unsafe { read_sized(DmaDescription, crate::sg::SG_DMA_DESCRIPTION_SIZE_1.into()) };
        let description = sg_dma::SgDmaDescription {
            header: (header.Type, header.Revision, header.Size),
            flags: d.Flags,
            maximum_physical_mapping: d.MaximumPhysicalMapping,
            process: d.ProcessSGListHandler,
            shared_mem_complete: d.SharedMemAllocateCompleteHandler,
            ndis5: false,
        };
        adapter_or_invalid(MiniportAdapterHandle).and_then(|adapter| {
            let owner = handle(MiniportAdapterHandle);
            let registered = adapter.sg_dma_registered();
            let (sg_dma, size) = sg_dma::register(adapter.core(), owner, registered, &description)?;
            let h = adapter.own_sg_dma(sg_dma)?;
            // SAFETY: revision 1 holds the output field; writable (safety
            // requirement).
            unsafe { (&raw mut (*DmaDescription).ScatterGatherListSize).write_unaligned(size) };
            Ok(h)
        })
    };
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe { store_handle(CALL, MiniportAdapterHandle, NdisMiniportDmaHandle, result) }
}

#[no_mangle]
extern "C" fn NdisMDeregisterScatterGatherDma(NdisMiniportDmaHandle: abi::NDIS_HANDLE) {
    traced_void(c"NdisMDeregisterScatterGatherDma", NdisMiniportDmaHandle);
    if !at_passive("NdisMDeregisterScatterGatherDma") {
        return;
    }
    let h = handle(NdisMiniportDmaHandle);
    let owner = registry::lookup::<SgDma>(h).and_then(|sg| adapter_of_handle(sg.owner));
    if owner.is_none_or(|adapter| adapter.disown_sg_dma(h).is_err()) {
        reject(
            "NdisMDeregisterScatterGatherDma",
            "unknown or stale SG DMA handle",
        );
    }
}

/// # Safety
///
/// `NetBuffer` a readable NET_BUFFER whose MDL chain describes kernel
/// memory valid until the list is freed, or NULL; `ScatterGatherListBuffer`
/// writable for `ScatterGatherListBufferSize` bytes until the list is
/// freed, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMAllocateNetBufferSGList(
    NdisMiniportDmaHandle: abi::NDIS_HANDLE,
    NetBuffer: abi::PNET_BUFFER,
    Context: abi::PVOID,
    Flags: abi::ULONG,
    ScatterGatherListBuffer: abi::PVOID,
    ScatterGatherListBufferSize: abi::ULONG,
) -> abi::NDIS_STATUS {
    // SAFETY: NULL or readable with a readable chain (safety requirement).
    let nb = (!NetBuffer.is_null()).then(|| unsafe { NetBufferView::read(NetBuffer) });
    // SAFETY: NULL or writable for its size until the list is freed
    // (safety requirement).
    let buf = unsafe { ListBuffer::new(ScatterGatherListBuffer, ScatterGatherListBufferSize) };
    traced_status(
        c"NdisMAllocateNetBufferSGList",
        NdisMiniportDmaHandle,
        sg_dma::allocate_list(handle(NdisMiniportDmaHandle), nb, Context, Flags, buf),
    )
}

#[no_mangle]
extern "C" fn NdisMFreeNetBufferSGList(
    NdisMiniportDmaHandle: abi::NDIS_HANDLE,
    pSGL: abi::PSCATTER_GATHER_LIST,
    NetBuffer: abi::PNET_BUFFER,
) {
    traced_void(c"NdisMFreeNetBufferSGList", NdisMiniportDmaHandle);
    sg_dma::free_list(
        handle(NdisMiniportDmaHandle),
        pSGL as usize,
        NetBuffer as usize,
    )
}

/// # Safety
///
/// `NetBuffer` a readable NET_BUFFER whose MDL chain is readable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisQueryNetBufferPhysicalCount(NetBuffer: abi::PNET_BUFFER) -> abi::ULONG {
    if NetBuffer.is_null() {
        // Windows would fault; nothing to count.
        reject("NdisQueryNetBufferPhysicalCount", "NULL NET_BUFFER");
        return 0;
    }
    // SAFETY: readable with a readable chain (safety requirement).
    let nb = unsafe { NetBufferView::read(NetBuffer) };
    crate::sg::physical_count(
        nb.chain,
        nb.data_offset,
        nb.data_length,
        kernel::page::PAGE_SIZE,
    )
}

// ---- NET_BUFFER_LIST and NET_BUFFER pools ----

/// An NDIS 6 object header's type, revision and size.
fn header_triple(h: abi::NDIS_OBJECT_HEADER) -> (u8, u8, u16) {
    (h.Type, h.Revision, h.Size)
}

/// Who owns a pool made with `NdisHandle`: the adapter
/// (`MiniportAdapterHandle`) or miniport driver (`NdisMiniportDriverHandle`)
/// it names, whose release lets the pool go. NULL is allowed (the pool
/// pages make it optional): nobody's, as is a handle naming neither
/// (logged, not refused: the call does not need it).
fn pool_owner(call: &str, ndis_handle: abi::NDIS_HANDLE) -> Option<Handle> {
    if ndis_handle.is_null() {
        return None;
    }
    let h = handle(ndis_handle);
    if registry::find::<Adapter>(h).is_some()
        || registry::find::<driver::MiniportDriver>(h).is_some()
    {
        return Some(h);
    }
    pr_warn!(
        "{}: NdisHandle names no adapter or miniport driver: the pool is nobody's\n",
        call
    );
    None
}

/// A NULL or invalid `Parameters` is NULL (the page's failure value),
/// logged and counted.
///
/// # Safety
///
/// `Parameters` readable for revision 1, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisAllocateNetBufferListPool(
    NdisHandle: abi::NDIS_HANDLE,
    Parameters: abi::PNET_BUFFER_LIST_POOL_PARAMETERS,
) -> abi::NDIS_HANDLE {
    if Parameters.is_null() {
        reject("NdisAllocateNetBufferListPool", "NULL Parameters");
        return core::ptr::null_mut();
    }
    // SAFETY: readable (safety requirement).
    let p = unsafe { Parameters.read_unaligned() };
    let params = match crate::nbl::nbl_pool_params(
        header_triple(p.Header),
        p.ContextSize,
        p.fAllocateNetBuffer != 0,
        p.DataSize,
    ) {
        Ok(params) => params,
        Err(_) => {
            reject(
                "NdisAllocateNetBufferListPool",
                "invalid NET_BUFFER_LIST_POOL_PARAMETERS",
            );
            return core::ptr::null_mut();
        }
    };
    let owner = pool_owner("NdisAllocateNetBufferListPool", NdisHandle);
    net_buffer_pool::allocate_owned_nbl_pool(params, owner)
        .map_or(core::ptr::null_mut(), |h| h.into_raw() as abi::NDIS_HANDLE)
}

#[no_mangle]
extern "C" fn NdisFreeNetBufferListPool(PoolHandle: abi::NDIS_HANDLE) {
    traced_void(c"NdisFreeNetBufferListPool", PoolHandle);
    net_buffer_pool::free_nbl_pool(handle(PoolHandle))
}

#[no_mangle]
extern "C" fn NdisAllocateNetBufferList(
    PoolHandle: abi::NDIS_HANDLE,
    ContextSize: abi::USHORT,
    ContextBackFill: abi::USHORT,
) -> abi::PNET_BUFFER_LIST {
    net_buffer_pool::allocate_nbl(
        "NdisAllocateNetBufferList",
        handle(PoolHandle),
        ContextSize,
        ContextBackFill,
        None,
    )
}

/// The NET_BUFFER's data as the caller passed it, or `None` (logged) when
/// it cannot be: a length beyond a ULONG, or data without a chain.
///
/// # Safety
///
/// `chain` NULL or a readable MDL chain that stays valid while the
/// NET_BUFFER describes it.
unsafe fn initial_data(
    call: &str,
    chain: abi::PMDL,
    offset: abi::ULONG,
    length: abi::SIZE_T,
) -> Option<net_buffer_pool::InitialData> {
    let Ok(length) = u32::try_from(length) else {
        reject(call, "DataLength beyond a ULONG");
        return None;
    };
    // SAFETY: by this function's safety requirement.
    let data = unsafe { net_buffer_pool::InitialData::new(chain, offset, length) };
    if data.is_none() {
        reject(call, "DataOffset or DataLength without an MdlChain");
    }
    data
}

/// # Safety
///
/// `MdlChain` NULL or a readable MDL chain that stays valid while the
/// NET_BUFFER describes it.
#[no_mangle]
unsafe extern "C" fn NdisAllocateNetBufferAndNetBufferList(
    PoolHandle: abi::NDIS_HANDLE,
    ContextSize: abi::USHORT,
    ContextBackFill: abi::USHORT,
    MdlChain: abi::PMDL,
    DataOffset: abi::ULONG,
    DataLength: abi::SIZE_T,
) -> abi::PNET_BUFFER_LIST {
    const CALL: &str = "NdisAllocateNetBufferAndNetBufferList";
    // SAFETY: the chain is readable (this function's safety requirement).
    let Some(data) = (unsafe { initial_data(CALL, MdlChain, DataOffset, DataLength) }) else {
        return core::ptr::null_mut();
    };
    net_buffer_pool::allocate_nbl(
        CALL,
        handle(PoolHandle),
        ContextSize,
        ContextBackFill,
        Some(data),
    )
}

/// # Safety
///
/// `NetBufferList` from `NdisAllocateNetBuffer(AndNetBuffer)List`, not yet
/// freed, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisFreeNetBufferList(NetBufferList: abi::PNET_BUFFER_LIST) {
    // SAFETY: NULL or readable (safety requirement).
    let pool = unsafe { NdisGetPoolFromNetBufferList(NetBufferList) };
    traced_void(c"NdisFreeNetBufferList", pool);
    if NetBufferList.is_null() {
        reject("NdisFreeNetBufferList", "NULL NET_BUFFER_LIST");
        return;
    }
    // SAFETY: from that pool (safety requirement; the pool lookup checks
    // the handle).
    unsafe { net_buffer_pool::free_nbl(handle(pool), NetBufferList) }
}

/// # Safety
///
/// `Parameters` readable for revision 1, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisAllocateNetBufferPool(
    NdisHandle: abi::NDIS_HANDLE,
    Parameters: abi::PNET_BUFFER_POOL_PARAMETERS,
) -> abi::NDIS_HANDLE {
    if Parameters.is_null() {
        reject("NdisAllocateNetBufferPool", "NULL Parameters");
        return core::ptr::null_mut();
    }
    // SAFETY: readable (safety requirement).
    let p = unsafe { Parameters.read_unaligned() };
    let Ok(data_size) = crate::nbl::nb_pool_params(header_triple(p.Header), p.DataSize) else {
        reject(
            "NdisAllocateNetBufferPool",
            "invalid NET_BUFFER_POOL_PARAMETERS",
        );
        return core::ptr::null_mut();
    };
    let owner = pool_owner("NdisAllocateNetBufferPool", NdisHandle);
    net_buffer_pool::allocate_nb_pool(data_size, owner)
        .map_or(core::ptr::null_mut(), |h| h.into_raw() as abi::NDIS_HANDLE)
}

#[no_mangle]
extern "C" fn NdisFreeNetBufferPool(PoolHandle: abi::NDIS_HANDLE) {
    traced_void(c"NdisFreeNetBufferPool", PoolHandle);
    net_buffer_pool::free_nb_pool(handle(PoolHandle))
}

/// # Safety
///
/// As [`NdisAllocateNetBufferAndNetBufferList`].
#[no_mangle]
unsafe extern "C" fn NdisAllocateNetBuffer(
    PoolHandle: abi::NDIS_HANDLE,
    MdlChain: abi::PMDL,
    DataOffset: abi::ULONG,
    DataLength: abi::SIZE_T,
) -> abi::PNET_BUFFER {
    // SAFETY: the chain is readable (this function's safety requirement).
    let data = unsafe { initial_data("NdisAllocateNetBuffer", MdlChain, DataOffset, DataLength) };
    data.map_or(core::ptr::null_mut(), |data| {
        net_buffer_pool::allocate_nb(handle(PoolHandle), data)
    })
}

/// # Safety
///
/// `NetBuffer` from `NdisAllocateNetBuffer`, not yet freed, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisFreeNetBuffer(NetBuffer: abi::PNET_BUFFER) {
    // SAFETY: NULL or readable (safety requirement).
    let pool = unsafe { NdisGetPoolFromNetBuffer(NetBuffer) };
    traced_void(c"NdisFreeNetBuffer", pool);
    if NetBuffer.is_null() {
        reject("NdisFreeNetBuffer", "NULL NET_BUFFER");
        return;
    }
    // SAFETY: from that pool (safety requirement; the lookup checks it).
    unsafe { net_buffer_pool::free_nb(handle(pool), NetBuffer) }
}

/// The NBL's `NdisPoolHandle`. An exported function in the WDK
/// (`NDIS_EXPORTED_ROUTINE` in nblapi.h), like
/// `NdisGetPoolFromNetBuffer`: the pool handle is read back from the
/// object, not looked up (NULL for a NULL NBL).
///
/// # Safety
///
/// `NetBufferList` readable.
#[no_mangle]
unsafe extern "C" fn NdisGetPoolFromNetBufferList(
    NetBufferList: abi::PNET_BUFFER_LIST,
) -> abi::NDIS_HANDLE {
    if NetBufferList.is_null() {
        return core::ptr::null_mut();
    }
    // SAFETY: readable (safety requirement).
    unsafe { (*NetBufferList).NdisPoolHandle }
}

/// # Safety
///
/// `NetBuffer` readable.
#[no_mangle]
unsafe extern "C" fn NdisGetPoolFromNetBuffer(NetBuffer: abi::PNET_BUFFER) -> abi::NDIS_HANDLE {
    if NetBuffer.is_null() {
        return core::ptr::null_mut();
    }
    // SAFETY: readable (safety requirement).
    unsafe { (*NetBuffer).NdisPoolHandle }
}

/// `NDIS_STATUS_SUCCESS`, `NDIS_STATUS_RESOURCES` (no memory for the
/// MDL), or `NDIS_STATUS_FAILURE` (NULL NET_BUFFER, a length past 4 GiB).
///
/// # Safety
///
/// `NetBuffer` a NET_BUFFER from a shim pool with a readable chain, or
/// NULL; `AllocateMdlHandler` NULL or a `NetAllocateMdl`.
#[no_mangle]
unsafe extern "C" fn NdisRetreatNetBufferDataStart(
    NetBuffer: abi::PNET_BUFFER,
    DataOffsetDelta: abi::ULONG,
    DataBackFill: abi::ULONG,
    AllocateMdlHandler: abi::NET_BUFFER_ALLOCATE_MDL_HANDLER,
) -> abi::NDIS_STATUS {
    const CALL: &CStr = c"NdisRetreatNetBufferDataStart";
    if NetBuffer.is_null() {
        reject("NdisRetreatNetBufferDataStart", "NULL NET_BUFFER");
        return traced_status(CALL, NO_HANDLE, Err(Error::Failure));
    }
    // SAFETY: readable (safety requirement).
    let pool = unsafe { NdisGetPoolFromNetBuffer(NetBuffer) };
    // SAFETY: by this function's safety requirement.
    let result = unsafe {
        net_buffer_pool::retreat(NetBuffer, DataOffsetDelta, DataBackFill, AllocateMdlHandler)
    };
    traced_status(CALL, pool, result)
}

/// # Safety
///
/// As [`NdisRetreatNetBufferDataStart`]; `FreeMdlHandler` NULL or a
/// `NetFreeMdl`.
#[no_mangle]
unsafe extern "C" fn NdisAdvanceNetBufferDataStart(
    NetBuffer: abi::PNET_BUFFER,
    DataOffsetDelta: abi::ULONG,
    FreeMdl: abi::BOOLEAN,
    FreeMdlHandler: abi::NET_BUFFER_FREE_MDL_HANDLER,
) {
    // SAFETY: NULL or readable (safety requirement).
    let pool = unsafe { NdisGetPoolFromNetBuffer(NetBuffer) };
    traced_void(c"NdisAdvanceNetBufferDataStart", pool);
    if NetBuffer.is_null() {
        reject("NdisAdvanceNetBufferDataStart", "NULL NET_BUFFER");
        return;
    }
    // SAFETY: by this function's safety requirement.
    unsafe { net_buffer_pool::advance(NetBuffer, DataOffsetDelta, FreeMdl != 0, FreeMdlHandler) }
}

/// # Safety
///
/// `NetBuffer` a readable NET_BUFFER with a readable chain, or NULL;
/// `Storage` NULL or writable for `BytesNeeded` bytes.
#[no_mangle]
unsafe extern "C" fn NdisGetDataBuffer(
    NetBuffer: abi::PNET_BUFFER,
    BytesNeeded: abi::ULONG,
    Storage: abi::PVOID,
    AlignMultiple: abi::UINT,
    AlignOffset: abi::UINT,
) -> abi::PVOID {
    if NetBuffer.is_null() {
        reject("NdisGetDataBuffer", "NULL NET_BUFFER");
        return core::ptr::null_mut();
    }
    // SAFETY: by this function's safety requirement.
    unsafe {
        net_buffer_pool::data_buffer(
            NetBuffer,
            BytesNeeded,
            Storage.cast(),
            AlignMultiple,
            AlignOffset,
        )
    }
}

// Each export above has its prototype's type (generated from exports.h).
include!("abi/prototypes.rs");

// ---- NDIS 6 network data path (rust/net_device.rs) ----

/// # Safety
///
/// `NetBufferLists` NULL or a chain of NBLs the shim sent to this
/// adapter's miniport, which gives them back.
#[no_mangle]
unsafe extern "C" fn NdisMSendNetBufferListsComplete(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    NetBufferLists: abi::PNET_BUFFER_LIST,
    _SendCompleteFlags: abi::ULONG,
) {
    let Some(adapter) = registry::find::<Adapter>(handle(MiniportAdapterHandle)) else {
        reject("NdisMSendNetBufferListsComplete", "unknown adapter handle");
        return;
    };
    // SAFETY: by this function's safety requirement.
    unsafe { net_device::send_complete(&adapter, NetBufferLists) };
}

/// # Safety
///
/// `NetBufferLists` NULL or a chain of readable NBLs whose NET_BUFFERs and
/// MDL chains are readable for the call.
#[no_mangle]
unsafe extern "C" fn NdisMIndicateReceiveNetBufferLists(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    NetBufferLists: abi::PNET_BUFFER_LIST,
    _PortNumber: abi::NDIS_PORT_NUMBER,
    NumberOfNetBufferLists: abi::ULONG,
    ReceiveFlags: abi::ULONG,
) {
    let Some(adapter) = registry::find::<Adapter>(handle(MiniportAdapterHandle)) else {
        reject(
            "NdisMIndicateReceiveNetBufferLists",
            "unknown adapter handle",
        );
        return;
    };
    let resources = ReceiveFlags & abi::NDIS_RECEIVE_FLAGS_RESOURCES != 0;
    // SAFETY: by this function's safety requirement.
    unsafe {
        net_device::indicate_receive(&adapter, NetBufferLists, NumberOfNetBufferLists, resources)
    };
}

#[no_mangle]
extern "C" fn NdisMOidRequestComplete(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    OidRequest: abi::PNDIS_OID_REQUEST,
    Status: abi::NDIS_STATUS,
) {
    let Some(adapter) = registry::find::<Adapter>(handle(MiniportAdapterHandle)) else {
        reject("NdisMOidRequestComplete", "unknown adapter handle");
        return;
    };
    // Only compared with the request the shim issued.
    net_device::oid_complete(&adapter, OidRequest as usize, NdisStatus(Status));
}

/// # Safety
///
/// `StatusIndication` NULL or a readable `NDIS_STATUS_INDICATION` whose
/// `StatusBuffer` is readable for `StatusBufferSize` bytes.
#[no_mangle]
unsafe extern "C" fn NdisMIndicateStatusEx(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    StatusIndication: abi::PNDIS_STATUS_INDICATION,
) {
    const CALL: &str = "NdisMIndicateStatusEx";
    let Some(adapter) = registry::find::<Adapter>(handle(MiniportAdapterHandle)) else {
        reject(CALL, "unknown adapter handle");
        return;
    };
    if StatusIndication.is_null() {
        adapter.reject(CALL, "NULL StatusIndication");
        return;
    }
    // SAFETY: readable (safety requirement).
    let ind = unsafe { StatusIndication.read_unaligned() };
    let indication = if ind.StatusCode as u32 == abi::NDIS_STATUS_LINK_STATE {
        if ind.StatusBuffer.is_null()
            || (ind.StatusBufferSize as usize) < core::mem::size_of::<abi::NDIS_LINK_STATE>()
        {
            adapter.reject(CALL, "NDIS_STATUS_LINK_STATE without an NDIS_LINK_STATE");
            return;
        }
        // SAFETY: readable for its size, checked above (safety requirement).
        let state = unsafe {
            ind.StatusBuffer
                .cast::<abi::NDIS_LINK_STATE>()
                .read_unaligned()
        };
        StatusIndication::LinkState {
            connected: match state.MediaConnectState {
                abi::MediaConnectStateConnected => Some(true),
                abi::MediaConnectStateDisconnected => Some(false),
                _ => None,
            },
            speed: state.XmitLinkSpeed,
            duplex: state.MediaDuplexState,
        }
    } else {
        StatusIndication::Other(ind.StatusCode as u32)
    };
    netdev_io::indicate_status(&adapter, indication);
}

#[no_mangle]
extern "C" fn NdisMPauseComplete(MiniportAdapterHandle: abi::NDIS_HANDLE) {
    traced_void(c"NdisMPauseComplete", MiniportAdapterHandle);
    match registry::find::<Adapter>(handle(MiniportAdapterHandle)) {
        Some(adapter) => net_device::pause_complete(&adapter),
        None => reject("NdisMPauseComplete", "unknown adapter handle"),
    }
}

#[no_mangle]
extern "C" fn NdisMRestartComplete(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    Status: abi::NDIS_STATUS,
) {
    traced_void(c"NdisMRestartComplete", MiniportAdapterHandle);
    match registry::find::<Adapter>(handle(MiniportAdapterHandle)) {
        Some(adapter) => net_device::restart_complete(&adapter, NdisStatus(Status)),
        None => reject("NdisMRestartComplete", "unknown adapter handle"),
    }
}

/// `NdisMResetComplete`: a `MiniportResetEx` that returned PENDING is done.
#[no_mangle]
extern "C" fn NdisMResetComplete(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    Status: abi::NDIS_STATUS,
    AddressingReset: abi::BOOLEAN,
) {
    traced_void(c"NdisMResetComplete", MiniportAdapterHandle);
    match registry::find::<Adapter>(handle(MiniportAdapterHandle)) {
        Some(adapter) => reset::reset_complete(&adapter, NdisStatus(Status), AddressingReset != 0),
        None => reject("NdisMResetComplete", "unknown adapter handle"),
    }
}

/// `NdisAllocateIoWorkItem`: NULL when out of memory, as documented; an
/// `NdisObjectHandle` that names no adapter (the shim has no filter or
/// protocol handles) is refused and counted, also NULL.
#[no_mangle]
extern "C" fn NdisAllocateIoWorkItem(NdisObjectHandle: abi::NDIS_HANDLE) -> abi::NDIS_HANDLE {
    const CALL: &str = "NdisAllocateIoWorkItem";
    let owner = handle(NdisObjectHandle);
    // A reference, not a lookup's borrow: allocating at PASSIVE_LEVEL may
    // sleep, which the borrow's RCU section forbids.
    let Some(adapter) = adapter_of_handle(owner) else {
        reject(CALL, "not a miniport adapter handle");
        return core::ptr::null_mut();
    };
    match adapter.io_work_items.allocate(owner) {
        Ok(h) => h.into_raw() as abi::NDIS_HANDLE,
        Err(_) => core::ptr::null_mut(),
    }
}

/// Why a work item call was refused, in words.
fn refusal(why: io_work_item::Refusal) -> &'static str {
    match why {
        io_work_item::Refusal::Freed => "work item already freed",
        io_work_item::Refusal::AlreadyQueued => "work item queued again before its routine ran",
    }
}

/// A refused work item call, logged and counted against its adapter.
fn refuse_work_item(owner: Handle, call: &str, why: &str) {
    match registry::find::<Adapter>(owner) {
        Some(adapter) => adapter.reject(call, why),
        None => reject(call, why),
    }
}

/// `NdisQueueIoWorkItem`: `Routine` runs at PASSIVE_LEVEL in a kernel
/// worker. Callable at DISPATCH_LEVEL.
#[no_mangle]
extern "C" fn NdisQueueIoWorkItem(
    NdisIoWorkItemHandle: abi::NDIS_HANDLE,
    Routine: abi::NDIS_IO_WORKITEM_ROUTINE,
    WorkItemContext: abi::PVOID,
) {
    const CALL: &str = "NdisQueueIoWorkItem";
    traced_void(c"NdisQueueIoWorkItem", NdisIoWorkItemHandle);
    let Some(item) = registry::find::<IoWorkItem>(handle(NdisIoWorkItemHandle)) else {
        reject(CALL, "unknown work item handle");
        return;
    };
    let Some(routine) = Routine else {
        refuse_work_item(item.owner(), CALL, "NULL Routine");
        return;
    };
    if let Err(why) = item.to_arc().queue(routine, WorkItemContext) {
        refuse_work_item(item.owner(), CALL, refusal(why));
    }
}

/// `NdisFreeIoWorkItem`. Callable at DISPATCH_LEVEL: the item is let go
/// later, once its routine, if queued, has run.
#[no_mangle]
extern "C" fn NdisFreeIoWorkItem(NdisIoWorkItemHandle: abi::NDIS_HANDLE) {
    const CALL: &str = "NdisFreeIoWorkItem";
    traced_void(c"NdisFreeIoWorkItem", NdisIoWorkItemHandle);
    let h = handle(NdisIoWorkItemHandle);
    let Some(owner) = registry::find::<IoWorkItem>(h).map(|item| item.owner()) else {
        reject(CALL, "unknown work item handle");
        return;
    };
    let Some(adapter) = registry::find::<Adapter>(owner) else {
        reject(CALL, "work item of an adapter being removed");
        return;
    };
    if let Err(why) = adapter.io_work_items.free(h) {
        refuse_work_item(owner, CALL, refusal(why));
    }
}

// ---- NDIS 5 interrupts, ports, PCI slot, timers, events, shutdown,
// ---- configuration (issue 14; Documentation/ndis5.rst)

/// # Safety
///
/// Called from the module's PCI shutdown with its `NDIS_LINUX_MINIPORT`
/// and the device.
#[no_mangle]
unsafe extern "C" fn NdisLinuxPciShutdown(
    Miniport: abi::PNDIS_LINUX_MINIPORT,
    Pdev: *mut bindings::pci_dev,
) {
    // SAFETY: by this function's safety requirement.
    if let Some((glue, pci)) = unsafe { glue_and_device(Miniport, Pdev, "NdisLinuxPciShutdown") } {
        probe::shutdown(glue, pci)
    }
}

/// Reads the shim's handle from a pointer-sized field of a structure the
/// miniport embeds (the handle is looked up, never dereferenced).
///
/// # Safety
///
/// `field` readable.
unsafe fn embedded_handle(field: *const abi::PVOID) -> Handle {
    // SAFETY: by this function's safety requirement.
    handle(unsafe { field.read_volatile() })
}

/// Stores a handle (or NULL) in such a field.
///
/// # Safety
///
/// `field` writable.
unsafe fn embed_handle(field: *mut abi::PVOID, h: Option<Handle>) {
    let raw = h.map_or(core::ptr::null_mut(), |h| h.into_raw() as abi::PVOID);
    // SAFETY: by this function's safety requirement.
    unsafe { field.write_volatile(raw) };
}

/// `NdisMRegisterInterrupt` (NDIS 5.1 page,
/// learn.microsoft.com/previous-versions/windows/hardware/network/ff553596):
/// SUCCESS, with `*Interrupt` filled (its `Reserved` names the
/// connection); `NDIS_STATUS_RESOURCE_CONFLICT` if the adapter has an
/// interrupt registered already (one vector per PCI function);
/// `NDIS_STATUS_RESOURCES` if the kernel refuses the connection;
/// `NDIS_STATUS_FAILURE` for a forged handle, a NULL `Interrupt`, missing
/// handlers, or a shared interrupt without `RequestIsr` (logged and
/// counted). `InterruptVector`, `InterruptLevel` and `InterruptMode` are
/// the device's own on Linux: the shim connects the function's interrupt
/// (MSI if it has one, else its INTx line, shared). PASSIVE.
///
/// # Safety
///
/// `Interrupt` writable for an `NDIS_MINIPORT_INTERRUPT`, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMRegisterInterrupt(
    Interrupt: abi::PNDIS_MINIPORT_INTERRUPT,
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    _InterruptVector: abi::UINT,
    _InterruptLevel: abi::UINT,
    RequestIsr: abi::BOOLEAN,
    SharedInterrupt: abi::BOOLEAN,
    _InterruptMode: abi::NDIS_INTERRUPT_MODE,
) -> abi::NDIS_STATUS {
    const CALL: &str = "NdisMRegisterInterrupt";
    const TRACED: &CStr = c"NdisMRegisterInterrupt";
    if Interrupt.is_null() {
        reject(CALL, "NULL Interrupt");
        return traced_status(TRACED, MiniportAdapterHandle, Err(Error::Failure));
    }
    let result = (|| {
        let adapter = adapter_or_reject(MiniportAdapterHandle, CALL).ok_or(Error::Failure)?;
        if !at_passive(CALL) {
            return Err(Error::Failure);
        }
        let Some(Characteristics::Ndis5(c)) =
            adapter.driver.registration().map(|r| r.characteristics)
        else {
            reject(CALL, "not an NDIS 5 miniport");
            return Err(Error::Failure);
        };
        if adapter.first_interrupt().is_some() {
            return Err(Error::ResourceConflict);
        }
        let handlers = interrupt::Ndis5Handlers {
            isr: c.ISRHandler,
            handle_interrupt: c.HandleInterruptHandler,
            enable: c.EnableInterruptHandler,
            disable: c.DisableInterruptHandler,
            context: adapter.context(),
            request_isr: RequestIsr != 0,
            serial: &raw const adapter.nic.ndis5,
        };
        let owner = handle(MiniportAdapterHandle);
        let (irq, _) = interrupt::register_ndis5(&adapter, owner, handlers, SharedInterrupt != 0)
            .inspect_err(|e| {
            if *e == Error::Failure {
                reject(CALL, "handlers missing, or shared without RequestIsr");
            }
        })?;
        let h = adapter.own_interrupt(irq)?;
        Ok((h, c))
    })();
    // SAFETY: writable for the structure (safety requirement); the shim's
    // fields and the ones NDIS fills.
    unsafe {
        let i = &raw mut *Interrupt;
        let (h, isr, dpc) = match &result {
            Ok((h, c)) => (Some(*h), c.ISRHandler, c.HandleInterruptHandler),
            Err(_) => (None, None, None),
        };
        embed_handle(&raw mut (*i).Reserved, h);
        (&raw mut (*i).InterruptObject).write(core::ptr::null_mut());
        (&raw mut (*i).MiniportIsr).write(isr);
        (&raw mut (*i).MiniportDpc).write(dpc);
        (&raw mut (*i).Miniport).write(core::ptr::null_mut());
        (&raw mut (*i).SharedInterrupt).write(SharedInterrupt);
        (&raw mut (*i).IsrRequested).write(RequestIsr);
    }
    let on = match &result {
        Ok((h, _)) => h.into_raw() as abi::NDIS_HANDLE,
        Err(_) => MiniportAdapterHandle,
    };
    traced_status(TRACED, on, result.map(|_| ()))
}

/// `NdisMDeregisterInterrupt`: disconnects; the ISR and DPC have finished
/// when it returns. An `Interrupt` that names no connection is logged and
/// counted. PASSIVE.
///
/// # Safety
///
/// `Interrupt` readable and writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMDeregisterInterrupt(Interrupt: abi::PNDIS_MINIPORT_INTERRUPT) {
    const CALL: &str = "NdisMDeregisterInterrupt";
    const TRACED: &CStr = c"NdisMDeregisterInterrupt";
    if Interrupt.is_null() {
        traced_void(TRACED, NO_HANDLE);
        reject(CALL, "NULL Interrupt");
        return;
    }
    // SAFETY: readable (safety requirement).
    let h = unsafe { embedded_handle(&raw const (*Interrupt).Reserved) };
    traced_void(TRACED, h.into_raw() as abi::NDIS_HANDLE);
    if !at_passive(CALL) {
        return;
    }
    let owner = registry::lookup::<Interrupt>(h).and_then(|irq| adapter_of_handle(irq.owner()));
    if owner.is_none_or(|adapter| adapter.disown_interrupt(h).is_err()) {
        reject(CALL, "unknown interrupt");
        return;
    }
    // SAFETY: writable (safety requirement).
    unsafe { embed_handle(&raw mut (*Interrupt).Reserved, None) };
}

/// `NdisMSynchronizeWithInterrupt`: runs `SynchronizeFunction
/// (SynchronizeContext)` with the ISR held off and returns its result
/// (its NDIS 5.1 page). An `Interrupt` that names no connection or
/// a NULL function: FALSE, logged and counted. Any IRQL.
///
/// # Safety
///
/// `Interrupt` readable, or NULL; `SynchronizeFunction` NULL or a
/// `BOOLEAN (*)(PVOID)` safe to call with `SynchronizeContext` with
/// interrupts off.
#[no_mangle]
unsafe extern "C" fn NdisMSynchronizeWithInterrupt(
    Interrupt: abi::PNDIS_MINIPORT_INTERRUPT,
    SynchronizeFunction: abi::PVOID,
    SynchronizeContext: abi::PVOID,
) -> abi::BOOLEAN {
    const CALL: &str = "NdisMSynchronizeWithInterrupt";
    if Interrupt.is_null() || SynchronizeFunction.is_null() {
        reject(CALL, "NULL Interrupt or SynchronizeFunction");
        return 0;
    }
    // SAFETY: a non-NULL function of this type (safety requirement).
    let function: interrupt::SynchronizeFunction =
        unsafe { core::mem::transmute::<abi::PVOID, _>(SynchronizeFunction) };
    // SAFETY: readable (safety requirement).
    let h = unsafe { embedded_handle(&raw const (*Interrupt).Reserved) };
    let Some(irq) = registry::find::<Interrupt>(h) else {
        reject(CALL, "unknown interrupt");
        return 0;
    };
    // SAFETY: by this function's safety requirement.
    unsafe { irq.synchronize(function, SynchronizeContext) }
}

/// `NdisMRegisterIoPortRange`: SUCCESS with `*PortOffset` the port number
/// `InitialPort` (the `NdisRaw*Port*` macros take port numbers);
/// `NDIS_STATUS_FAILURE` for a range outside the adapter's I/O BARs (or
/// empty), a forged handle or a NULL `PortOffset`;
/// `NDIS_STATUS_RESOURCE_CONFLICT` when it is claimed already (page:
/// nf-ndis-ndismregisterioportrange). `*PortOffset` is NULL unless
/// SUCCESS. PASSIVE.
///
/// # Safety
///
/// `PortOffset` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMRegisterIoPortRange(
    PortOffset: *mut abi::PVOID,
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    InitialPort: abi::UINT,
    NumberOfPorts: abi::UINT,
) -> abi::NDIS_STATUS {
    const CALL: &str = "NdisMRegisterIoPortRange";
    const TRACED: &CStr = c"NdisMRegisterIoPortRange";
    if PortOffset.is_null() {
        reject(CALL, "NULL PortOffset");
        return traced_status(TRACED, MiniportAdapterHandle, Err(Error::Failure));
    }
    let result = (|| {
        let adapter = adapter_or_reject(MiniportAdapterHandle, CALL).ok_or(Error::Failure)?;
        if !at_passive(CALL) {
            return Err(Error::Failure);
        }
        adapter.own_io_ports(InitialPort, NumberOfPorts)
    })();
    let offset = match result {
        Ok(()) => InitialPort as usize as abi::PVOID,
        Err(_) => core::ptr::null_mut(),
    };
    // SAFETY: checked non-NULL; writable by the safety requirement.
    unsafe { store(PortOffset, offset) };
    traced_status(TRACED, MiniportAdapterHandle, result)
}

/// `NdisMDeregisterIoPortRange`: releases a range registered with the
/// same `InitialPort` and `NumberOfPorts`; anything else is logged and
/// counted. PASSIVE.
#[no_mangle]
extern "C" fn NdisMDeregisterIoPortRange(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    InitialPort: abi::UINT,
    NumberOfPorts: abi::UINT,
    _PortOffset: abi::PVOID,
) {
    const CALL: &str = "NdisMDeregisterIoPortRange";
    traced_void(c"NdisMDeregisterIoPortRange", MiniportAdapterHandle);
    let Some(adapter) = adapter_or_reject(MiniportAdapterHandle, CALL) else {
        return;
    };
    if at_passive(CALL) && adapter.disown_io_ports(InitialPort, NumberOfPorts).is_err() {
        reject(CALL, "range not registered");
    }
}

/// `NdisReadPciSlotInformation`: `Length` bytes of the adapter's own
/// configuration space from `Offset` (`SlotNumber` is ignored: an NDIS
/// adapter handle names one function); returns the bytes read, 0 for a
/// range past the configuration space or a forged handle (counted).
///
/// # Safety
///
/// `Buffer` writable for `Length` bytes, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisReadPciSlotInformation(
    NdisAdapterHandle: abi::NDIS_HANDLE,
    _SlotNumber: abi::ULONG,
    Offset: abi::ULONG,
    Buffer: abi::PVOID,
    Length: abi::ULONG,
) -> abi::ULONG {
    // SAFETY: by this function's safety requirement.
    unsafe {
        NdisMGetBusData(
            NdisAdapterHandle,
            abi::PCI_WHICHSPACE_CONFIG,
            Offset,
            Buffer,
            Length,
        )
    }
}

/// `NdisWritePciSlotInformation`: as the read, writing.
///
/// # Safety
///
/// `Buffer` readable for `Length` bytes, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisWritePciSlotInformation(
    NdisAdapterHandle: abi::NDIS_HANDLE,
    _SlotNumber: abi::ULONG,
    Offset: abi::ULONG,
    Buffer: abi::PVOID,
    Length: abi::ULONG,
) -> abi::ULONG {
    // SAFETY: by this function's safety requirement.
    unsafe {
        NdisMSetBusData(
            NdisAdapterHandle,
            abi::PCI_WHICHSPACE_CONFIG,
            Offset,
            Buffer,
            Length,
        )
    }
}

/// Makes an NDIS 5 timer for `owner` and records it in the `Dpc` of the
/// timer structure at `dpc`; `None` (logged and counted) leaves NULL
/// there, and every later call on the timer is refused.
///
/// # Safety
///
/// `dpc` writable.
unsafe fn initialize_ndis5_timer(
    dpc: *mut abi::KDPC,
    owner: Option<Handle>,
    function: abi::PNDIS_TIMER_FUNCTION,
    context: abi::PVOID,
    call: &str,
) {
    if let Some(owner) = owner {
        // SAFETY: readable (safety requirement: writable).
        timer::replace_ndis5(unsafe { ndis5_timer(dpc) }, owner);
    }
    let h = match (owner, function) {
        (Some(owner), Some(function)) => {
            timer::allocate_ndis5(owner, timer::TimerCharacteristics { function, context })
                .inspect_err(|_| reject(call, "no memory for the timer"))
                .ok()
        }
        (None, _) => {
            reject(call, "no adapter or driver owns the timer");
            None
        }
        (_, None) => {
            reject(call, "NULL TimerFunction");
            None
        }
    };
    // SAFETY: writable (safety requirement).
    unsafe { embed_handle(&raw mut (*dpc).DeferredContext, h) };
}

/// The timer recorded in the `Dpc` at `dpc`.
///
/// # Safety
///
/// `dpc` readable.
unsafe fn ndis5_timer(dpc: *const abi::KDPC) -> Handle {
    // SAFETY: by this function's safety requirement.
    unsafe { embedded_handle(&raw const (*dpc).DeferredContext) }
}

/// The NDIS 5 timer `timer` names (`None` for a NULL timer), traced as
/// `call` on it; `dpc` is the address of `timer`'s `Dpc`.
///
/// # Safety
///
/// `timer` readable, or NULL.
unsafe fn traced_ndis5_timer<T>(
    call: &CStr,
    timer: *const T,
    dpc: impl FnOnce(*const T) -> *const abi::KDPC,
) -> Option<Handle> {
    // SAFETY: non-NULL, so readable (safety requirement).
    let h = (!timer.is_null()).then(|| unsafe { ndis5_timer(dpc(timer)) });
    traced_void(
        call,
        h.map_or(NO_HANDLE, |h| h.into_raw() as abi::NDIS_HANDLE),
    );
    h
}

/// Arms an NDIS 5 timer: first run after `delay_ms`, then every
/// `period_ms` if not 0. Unknown timers are logged and counted.
fn set_ndis5_timer(h: Handle, delay_ms: abi::UINT, period_ms: abi::UINT, call: &str) {
    let due = -(i64::from(delay_ms) * 10_000);
    let period = i32::try_from(period_ms).unwrap_or(i32::MAX);
    if timer::set(h, due, period, core::ptr::null_mut()).is_err() {
        reject(call, "timer not initialized");
    }
}

/// Cancels an NDIS 5 timer; `*cancelled` TRUE if it was set.
///
/// # Safety
///
/// `cancelled` writable, or NULL.
unsafe fn cancel_ndis5_timer(h: Handle, cancelled: abi::PBOOLEAN, call: &str) {
    let was_set = timer::cancel(h).unwrap_or_else(|_| {
        reject(call, "timer not initialized");
        false
    });
    // SAFETY: NULL or writable (safety requirement).
    unsafe { store(cancelled, u8::from(was_set)) };
}

/// `NdisMInitializeTimer`: the timer belongs to the adapter; the shim
/// records it in `Timer->Dpc` and fills `MiniportTimerFunction` and
/// `MiniportTimerContext`. PASSIVE.
///
/// # Safety
///
/// `Timer` writable for an `NDIS_MINIPORT_TIMER`, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMInitializeTimer(
    Timer: abi::PNDIS_MINIPORT_TIMER,
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    TimerFunction: abi::PNDIS_TIMER_FUNCTION,
    FunctionContext: abi::PVOID,
) {
    const CALL: &str = "NdisMInitializeTimer";
    traced_void(c"NdisMInitializeTimer", MiniportAdapterHandle);
    if Timer.is_null() {
        reject(CALL, "NULL Timer");
        return;
    }
    let owner =
        adapter_or_reject(MiniportAdapterHandle, CALL).map(|_| handle(MiniportAdapterHandle));
    // SAFETY: writable (safety requirement).
    unsafe {
        (&raw mut (*Timer).MiniportTimerFunction).write(TimerFunction);
        (&raw mut (*Timer).MiniportTimerContext).write(FunctionContext);
        (&raw mut (*Timer).Miniport).write(core::ptr::null_mut());
        initialize_ndis5_timer(
            &raw mut (*Timer).Dpc,
            owner,
            TimerFunction,
            FunctionContext,
            CALL,
        );
    }
}

/// # Safety
///
/// `Timer` readable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMSetTimer(
    Timer: abi::PNDIS_MINIPORT_TIMER,
    MillisecondsToDelay: abi::UINT,
) {
    // SAFETY: NULL or readable (safety requirement).
    let Some(h) = (unsafe { traced_ndis5_timer(c"NdisMSetTimer", Timer, |t| &raw const (*t).Dpc) })
    else {
        return reject("NdisMSetTimer", "NULL Timer");
    };
    set_ndis5_timer(h, MillisecondsToDelay, 0, "NdisMSetTimer")
}

/// # Safety
///
/// `Timer` readable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMSetPeriodicTimer(
    Timer: abi::PNDIS_MINIPORT_TIMER,
    MillisecondPeriod: abi::UINT,
) {
    // SAFETY: NULL or readable (safety requirement).
    let Some(h) =
        (unsafe { traced_ndis5_timer(c"NdisMSetPeriodicTimer", Timer, |t| &raw const (*t).Dpc) })
    else {
        return reject("NdisMSetPeriodicTimer", "NULL Timer");
    };
    set_ndis5_timer(
        h,
        MillisecondPeriod,
        MillisecondPeriod,
        "NdisMSetPeriodicTimer",
    )
}

/// `NdisMCancelTimer`: `*TimerCancelled` TRUE if the timer was set (its
/// routine will not run for that setting); FALSE if it had fired or was
/// never set. At PASSIVE_LEVEL a running routine is waited for.
///
/// # Safety
///
/// `Timer` readable, or NULL; `TimerCancelled` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMCancelTimer(
    Timer: abi::PNDIS_MINIPORT_TIMER,
    TimerCancelled: abi::PBOOLEAN,
) {
    // SAFETY: NULL or readable (safety requirement).
    let Some(h) =
        (unsafe { traced_ndis5_timer(c"NdisMCancelTimer", Timer, |t| &raw const (*t).Dpc) })
    else {
        // SAFETY: NULL or writable (safety requirement).
        unsafe { store(TimerCancelled, 0) };
        return reject("NdisMCancelTimer", "NULL Timer");
    };
    // SAFETY: NULL or writable (safety requirement).
    unsafe { cancel_ndis5_timer(h, TimerCancelled, "NdisMCancelTimer") }
}

/// `NdisInitializeTimer`: no handle names an owner, so the timer belongs
/// to the miniport driver whose module holds `TimerFunction` (cancelled
/// and freed when the driver unloads); a function in no miniport module
/// is refused (logged and counted). PASSIVE.
///
/// # Safety
///
/// `Timer` writable for an `NDIS_TIMER`, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisInitializeTimer(
    Timer: abi::PNDIS_TIMER,
    TimerFunction: abi::PNDIS_TIMER_FUNCTION,
    FunctionContext: abi::PVOID,
) {
    const CALL: &str = "NdisInitializeTimer";
    traced_void(c"NdisInitializeTimer", NO_HANDLE);
    if Timer.is_null() {
        return reject(CALL, "NULL Timer");
    }
    let owner = TimerFunction.and_then(|f| driver::find_by_address(f as usize));
    // SAFETY: writable (safety requirement).
    unsafe {
        initialize_ndis5_timer(
            &raw mut (*Timer).Dpc,
            owner,
            TimerFunction,
            FunctionContext,
            CALL,
        )
    }
}

/// # Safety
///
/// `Timer` readable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisSetTimer(Timer: abi::PNDIS_TIMER, MillisecondsToDelay: abi::UINT) {
    // SAFETY: NULL or readable (safety requirement).
    let Some(h) = (unsafe { traced_ndis5_timer(c"NdisSetTimer", Timer, |t| &raw const (*t).Dpc) })
    else {
        return reject("NdisSetTimer", "NULL Timer");
    };
    set_ndis5_timer(h, MillisecondsToDelay, 0, "NdisSetTimer")
}

/// # Safety
///
/// `Timer` readable, or NULL; `TimerCancelled` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisCancelTimer(Timer: abi::PNDIS_TIMER, TimerCancelled: abi::PBOOLEAN) {
    // SAFETY: NULL or readable (safety requirement).
    let Some(h) =
        (unsafe { traced_ndis5_timer(c"NdisCancelTimer", Timer, |t| &raw const (*t).Dpc) })
    else {
        // SAFETY: NULL or writable (safety requirement).
        unsafe { store(TimerCancelled, 0) };
        return reject("NdisCancelTimer", "NULL Timer");
    };
    // SAFETY: NULL or writable (safety requirement).
    unsafe { cancel_ndis5_timer(h, TimerCancelled, "NdisCancelTimer") }
}

extern "C" {
    fn ndis_shim_event_set(state: *mut i32);
    fn ndis_shim_event_reset(state: *mut i32);
    fn ndis_shim_event_wait(state: *mut i32, ms: u32) -> bool;
}

/// The state word of an `NDIS_EVENT` (its `KEVENT`'s `SignalState`).
fn event_state(event: abi::PNDIS_EVENT) -> *mut i32 {
    // SAFETY: only the field's address is computed, in bounds of the
    // structure the caller points to.
    unsafe { &raw mut (*event).Event.Header.SignalState }
}

/// `NdisInitializeEvent`: a notification event, not set.
///
/// # Safety
///
/// `Event` writable for an `NDIS_EVENT`, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisInitializeEvent(Event: abi::PNDIS_EVENT) {
    if Event.is_null() {
        return reject("NdisInitializeEvent", "NULL Event");
    }
    // SAFETY: writable (safety requirement); all-zero is a valid event.
    unsafe { Event.write(core::mem::zeroed()) };
}

/// `NdisSetEvent`: sets the event and wakes every waiter. `<=
/// DISPATCH_LEVEL`.
///
/// # Safety
///
/// `Event` initialized, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisSetEvent(Event: abi::PNDIS_EVENT) {
    if Event.is_null() {
        return reject("NdisSetEvent", "NULL Event");
    }
    // SAFETY: a live event (safety requirement).
    unsafe { ndis_shim_event_set(event_state(Event)) };
}

/// # Safety
///
/// `Event` initialized, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisResetEvent(Event: abi::PNDIS_EVENT) {
    if Event.is_null() {
        return reject("NdisResetEvent", "NULL Event");
    }
    // SAFETY: a live event (safety requirement).
    unsafe { ndis_shim_event_reset(event_state(Event)) };
}

/// `NdisWaitEvent`: TRUE once the event is set, FALSE if `MsToWait`
/// (0: no limit) passed first. PASSIVE_LEVEL; above it (or a NULL event)
/// FALSE at once, logged and counted.
///
/// # Safety
///
/// `Event` initialized, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisWaitEvent(Event: abi::PNDIS_EVENT, MsToWait: abi::UINT) -> abi::BOOLEAN {
    const CALL: &str = "NdisWaitEvent";
    if Event.is_null() {
        reject(CALL, "NULL Event");
        return 0;
    }
    if !at_passive(CALL) {
        return 0;
    }
    // SAFETY: a live event (safety requirement); PASSIVE, so may sleep.
    u8::from(unsafe { ndis_shim_event_wait(event_state(Event), MsToWait) })
}

/// `NdisMRegisterAdapterShutdownHandler`: the handler runs, with
/// `ShutdownContext`, from the PCI driver's shutdown callback. A second
/// registration replaces the first. A forged handle or NULL handler is
/// logged and counted.
#[no_mangle]
extern "C" fn NdisMRegisterAdapterShutdownHandler(
    MiniportHandle: abi::NDIS_HANDLE,
    ShutdownContext: abi::PVOID,
    ShutdownHandler: abi::ADAPTER_SHUTDOWN_HANDLER,
) {
    const CALL: &str = "NdisMRegisterAdapterShutdownHandler";
    traced_void(c"NdisMRegisterAdapterShutdownHandler", MiniportHandle);
    let Some(adapter) = adapter_or_reject(MiniportHandle, CALL) else {
        return;
    };
    match ShutdownHandler {
        Some(f) => adapter.set_shutdown_handler(Some((f, ShutdownContext as usize))),
        None => reject(CALL, "NULL ShutdownHandler"),
    }
}

#[no_mangle]
extern "C" fn NdisMDeregisterAdapterShutdownHandler(MiniportHandle: abi::NDIS_HANDLE) {
    traced_void(c"NdisMDeregisterAdapterShutdownHandler", MiniportHandle);
    if let Some(adapter) =
        adapter_or_reject(MiniportHandle, "NdisMDeregisterAdapterShutdownHandler")
    {
        adapter.set_shutdown_handler(None)
    }
}

/// `NdisOpenConfiguration` (NDIS 5): `WrapperConfigurationContext` is the
/// one `MiniportInitialize` got (the shim's adapter handle), and the
/// configuration holds the adapter's values, as `NdisOpenConfigurationEx`'s
/// does. `*Status` SUCCESS, RESOURCES, or FAILURE (a context that names no
/// adapter, logged and counted; the page lists SUCCESS, RESOURCES and
/// FAILURE); `*ConfigurationHandle` NULL unless SUCCESS. PASSIVE.
///
/// # Safety
///
/// `Status` and `ConfigurationHandle` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisOpenConfiguration(
    Status: abi::PNDIS_STATUS,
    ConfigurationHandle: abi::PNDIS_HANDLE,
    WrapperConfigurationContext: abi::NDIS_HANDLE,
) {
    const CALL: &str = "NdisOpenConfiguration";
    let result = if ConfigurationHandle.is_null() {
        reject(CALL, "NULL ConfigurationHandle");
        Err(Error::Failure)
    } else {
        open_configuration(WrapperConfigurationContext, CALL)
    };
    // SAFETY: NULL or writable (safety requirement).
    let status = unsafe {
        store_handle(
            c"NdisOpenConfiguration",
            WrapperConfigurationContext,
            ConfigurationHandle,
            result,
        )
    };
    // SAFETY: NULL or writable (safety requirement).
    unsafe { store(Status, status) };
}

// ---- The NDIS 5 data path (rust/ndis5_nic.rs) ----

/// The `ProcessSGList` of the SG registrations `NdisMInitializeScatterGatherDma`
/// makes: stores a send's SG list in its packet (`context`), from
/// `sg_dma::allocate_list` before it returns.
///
/// # Safety
///
/// `context` is one of the shim's send packets being mapped.
unsafe extern "C" fn ndis5_store_sg_list(
    _device: abi::PDEVICE_OBJECT,
    _reserved: abi::PVOID,
    list: abi::PSCATTER_GATHER_LIST,
    context: abi::PVOID,
) {
    // SAFETY: a send packet of the shim's (safety requirement).
    unsafe { *ndis5_nic::sg_list_slot(context.cast()) = list.cast() };
}

/// `NdisMSendComplete`: frees the packet's skb. `Packet` may be anything:
/// it is looked up in the shim's send pool before it is read.
#[no_mangle]
extern "C" fn NdisMSendComplete(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    Packet: abi::PNDIS_PACKET,
    Status: abi::NDIS_STATUS,
) {
    if let Some(adapter) = adapter_or_reject(MiniportAdapterHandle, "NdisMSendComplete") {
        ndis5_nic::send_complete(&adapter, Packet, Status);
    }
}

#[no_mangle]
extern "C" fn NdisMSendResourcesAvailable(MiniportAdapterHandle: abi::NDIS_HANDLE) {
    trace::void_call(
        c"NdisMSendResourcesAvailable",
        MiniportAdapterHandle as usize,
    );
    if let Some(adapter) = adapter_or_reject(MiniportAdapterHandle, "NdisMSendResourcesAvailable") {
        ndis5_nic::resources_available(&adapter);
    }
}

/// `NdisGeneratePartialCancelId`: a byte for the top of the caller's
/// cancel IDs (`crate::ndis5_pnp::generate_partial_cancel_id`).
#[no_mangle]
extern "C" fn NdisGeneratePartialCancelId() -> abi::UCHAR {
    crate::ndis5_pnp::generate_partial_cancel_id()
}

/// # Safety
///
/// `HeaderBuffer` and `LookaheadBuffer` readable for their sizes.
#[no_mangle]
unsafe extern "C" fn NdisMEthIndicateReceive(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    MiniportReceiveContext: abi::NDIS_HANDLE,
    HeaderBuffer: abi::PVOID,
    HeaderBufferSize: abi::UINT,
    LookaheadBuffer: abi::PVOID,
    LookaheadBufferSize: abi::UINT,
    PacketSize: abi::UINT,
) {
    if let Some(adapter) = adapter_or_reject(MiniportAdapterHandle, "NdisMEthIndicateReceive") {
        // SAFETY: by this function's safety requirement.
        unsafe {
            ndis5_nic::eth_indicate_receive(
                &adapter,
                MiniportReceiveContext,
                HeaderBuffer.cast(),
                HeaderBufferSize,
                LookaheadBuffer.cast(),
                LookaheadBufferSize,
                PacketSize,
            )
        };
    }
}

/// Each frame was delivered when indicated: nothing is left to do.
#[no_mangle]
extern "C" fn NdisMEthIndicateReceiveComplete(MiniportAdapterHandle: abi::NDIS_HANDLE) {
    trace::void_call(
        c"NdisMEthIndicateReceiveComplete",
        MiniportAdapterHandle as usize,
    );
    let _ = adapter_or_reject(MiniportAdapterHandle, "NdisMEthIndicateReceiveComplete");
}

/// `Packet` may be anything: it is looked up in the shim's transfer pool
/// before it is read.
#[no_mangle]
extern "C" fn NdisMTransferDataComplete(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    Packet: abi::PNDIS_PACKET,
    Status: abi::NDIS_STATUS,
    BytesTransferred: abi::UINT,
) {
    trace::void_call(c"NdisMTransferDataComplete", MiniportAdapterHandle as usize);
    if let Some(adapter) = adapter_or_reject(MiniportAdapterHandle, "NdisMTransferDataComplete") {
        ndis5_nic::transfer_data_complete(&adapter, Packet, Status, BytesTransferred);
    }
}

/// # Safety
///
/// `ReceivePackets` holds `NumberOfPackets` packets, each readable with
/// its OOB data and buffer chain for the call.
#[no_mangle]
unsafe extern "C" fn NdisMIndicateReceivePacket(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    ReceivePackets: abi::PPNDIS_PACKET,
    NumberOfPackets: abi::UINT,
) {
    if let Some(adapter) = adapter_or_reject(MiniportAdapterHandle, "NdisMIndicateReceivePacket") {
        // SAFETY: by this function's safety requirement.
        unsafe { ndis5_nic::indicate_receive_packet(&adapter, ReceivePackets, NumberOfPackets) };
    }
}

#[no_mangle]
extern "C" fn NdisMQueryInformationComplete(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    Status: abi::NDIS_STATUS,
) {
    if let Some(adapter) = adapter_or_reject(MiniportAdapterHandle, "NdisMQueryInformationComplete")
    {
        ndis5_nic::request_complete(&adapter, true, NdisStatus(Status));
    }
}

#[no_mangle]
extern "C" fn NdisMSetInformationComplete(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    Status: abi::NDIS_STATUS,
) {
    if let Some(adapter) = adapter_or_reject(MiniportAdapterHandle, "NdisMSetInformationComplete") {
        ndis5_nic::request_complete(&adapter, false, NdisStatus(Status));
    }
}

/// The status buffer is not read: media connect and disconnect carry none.
#[no_mangle]
extern "C" fn NdisMIndicateStatus(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    GeneralStatus: abi::NDIS_STATUS,
    _StatusBuffer: abi::PVOID,
    _StatusBufferSize: abi::UINT,
) {
    if let Some(adapter) = adapter_or_reject(MiniportAdapterHandle, "NdisMIndicateStatus") {
        ndis5_nic::indicate_status(&adapter, GeneralStatus);
    }
}

/// Each status took effect when indicated: nothing is left to do.
#[no_mangle]
extern "C" fn NdisMIndicateStatusComplete(MiniportAdapterHandle: abi::NDIS_HANDLE) {
    trace::void_call(
        c"NdisMIndicateStatusComplete",
        MiniportAdapterHandle as usize,
    );
    let _ = adapter_or_reject(MiniportAdapterHandle, "NdisMIndicateStatusComplete");
}

/// `NdisMInitializeScatterGatherDma`: NDIS_STATUS_NOT_SUPPORTED for a
/// miniport that is not an NDIS 5 bus master, RESOURCES when the DMA
/// adapter cannot be made (no memory, an SG registration already).
#[no_mangle]
extern "C" fn NdisMInitializeScatterGatherDma(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    Dma64BitAddresses: abi::BOOLEAN,
    MaximumPhysicalMapping: abi::ULONG,
) -> abi::NDIS_STATUS {
    const CALL: &str = "NdisMInitializeScatterGatherDma";
    let result = adapter_or_invalid(MiniportAdapterHandle).and_then(|adapter| {
        let description = sg_dma::SgDmaDescription {
            header: (
                abi::NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION as u8,
                abi::NDIS_SG_DMA_DESCRIPTION_REVISION_1 as u8,
                crate::sg::SG_DMA_DESCRIPTION_SIZE_1,
            ),
            flags: if Dma64BitAddresses != 0 {
                abi::NDIS_SG_DMA_64_BIT_ADDRESS
            } else {
                0
            },
            maximum_physical_mapping: MaximumPhysicalMapping,
            process: Some(ndis5_store_sg_list),
            shared_mem_complete: None,
            ndis5: true,
        };
        let owner = handle(MiniportAdapterHandle);
        let registered = adapter.sg_dma_registered();
        let (sg_dma, _) = sg_dma::register(adapter.core(), owner, registered, &description)
            .map_err(|e| {
                if e == Error::ResourceConflict {
                    Error::Resources
                } else {
                    e
                }
            })?;
        let h = adapter.own_sg_dma(sg_dma).map_err(|_| Error::Resources)?;
        ndis5_nic::use_sg_dma(&adapter, h);
        Ok(())
    });
    if result == Err(Error::InvalidParameter) {
        reject(CALL, "unknown adapter handle");
    }
    traced_status(
        c"NdisMInitializeScatterGatherDma",
        MiniportAdapterHandle,
        result,
    )
}

// ---- NDIS 5 support calls (rust/ndis5_support.rs) ----

/// `RtlEqualUnicodeString` (`NdisEqualString`): FALSE, counted, for a NULL
/// string or a NULL buffer with a length.
///
/// # Safety
///
/// Each string NULL or readable, with its `Buffer` readable for `Length`
/// bytes.
#[no_mangle]
unsafe extern "C" fn RtlEqualUnicodeString(
    String1: abi::PCUNICODE_STRING,
    String2: abi::PCUNICODE_STRING,
    CaseInSensitive: abi::BOOLEAN,
) -> abi::BOOLEAN {
    // SAFETY: by this function's safety requirement.
    let (a, b) = unsafe {
        (
            ndis5_support::unicode(String1),
            ndis5_support::unicode(String2),
        )
    };
    let (Some(a), Some(b)) = (a, b) else {
        reject("RtlEqualUnicodeString", "NULL string");
        return 0;
    };
    abi::BOOLEAN::from(ndis5_support::equal(a, b, CaseInSensitive != 0))
}

/// A string conversion's status, traced; a malformed string is counted.
fn string_status(call: &CStr, result: Result<(), ndis5_support::StringError>) -> abi::NDIS_STATUS {
    let status = match result {
        Ok(()) => abi::NDIS_STATUS_SUCCESS as abi::NDIS_STATUS,
        Err(e) => {
            if matches!(e, ndis5_support::StringError::Bad) {
                reject(call.to_str().unwrap_or_default(), "NULL string or buffer");
            }
            e.status()
        }
    };
    trace::call(call, 0, status as u32);
    status
}

/// `NdisAnsiStringToUnicodeString`: SUCCESS, BUFFER_OVERFLOW (destination
/// unchanged), or FAILURE (counted) for a NULL string or buffer.
///
/// # Safety
///
/// Each string NULL or valid: readable, the destination writable, its
/// `Buffer` writable for `MaximumLength` bytes, the source's readable for
/// `Length` bytes, the two apart.
#[no_mangle]
unsafe extern "C" fn NdisAnsiStringToUnicodeString(
    DestinationString: abi::PNDIS_STRING,
    SourceString: abi::PNDIS_ANSI_STRING,
) -> abi::NDIS_STATUS {
    // SAFETY: by this function's safety requirement.
    let result = unsafe { ndis5_support::ansi_to_unicode(DestinationString, SourceString) };
    string_status(c"NdisAnsiStringToUnicodeString", result)
}

/// `NdisUnicodeStringToAnsiString`: as the other way; a short destination
/// gets what fits and BUFFER_OVERFLOW.
///
/// # Safety
///
/// As `NdisAnsiStringToUnicodeString`.
#[no_mangle]
unsafe extern "C" fn NdisUnicodeStringToAnsiString(
    DestinationString: abi::PNDIS_ANSI_STRING,
    SourceString: abi::PNDIS_STRING,
) -> abi::NDIS_STATUS {
    // SAFETY: by this function's safety requirement.
    let result = unsafe { ndis5_support::unicode_to_ansi(DestinationString, SourceString) };
    string_status(c"NdisUnicodeStringToAnsiString", result)
}

/// `NdisScheduleWorkItem`: SUCCESS (its page: "always succeeds"); the
/// shim's RESOURCES when no queue entry can be allocated; a NULL item or
/// routine is FAILURE, counted (Windows defines nothing).
///
/// # Safety
///
/// `WorkItem` NULL or readable as an `NDIS_WORK_ITEM`.
#[no_mangle]
unsafe extern "C" fn NdisScheduleWorkItem(WorkItem: abi::PNDIS_WORK_ITEM) -> abi::NDIS_STATUS {
    const CALL: &CStr = c"NdisScheduleWorkItem";
    let result = if WorkItem.is_null() {
        reject("NdisScheduleWorkItem", "NULL WorkItem");
        Err(Error::Failure)
    } else {
        // SAFETY: non-NULL, so readable (safety requirement).
        let item = unsafe { WorkItem.read() };
        match item.Routine {
            Some(routine) => ndis5_support::schedule(routine, WorkItem, item.Context),
            None => {
                reject("NdisScheduleWorkItem", "NULL Routine");
                Err(Error::Failure)
            }
        }
    };
    traced_status(CALL, WorkItem.cast(), result)
}

/// `NdisImmediateReadPciSlotInformation`: `NdisReadPciSlotInformation` on
/// the adapter `WrapperConfigurationContext` names.
///
/// # Safety
///
/// `Buffer` writable for `Length` bytes, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisImmediateReadPciSlotInformation(
    WrapperConfigurationContext: abi::NDIS_HANDLE,
    SlotNumber: abi::ULONG,
    Offset: abi::ULONG,
    Buffer: abi::PVOID,
    Length: abi::ULONG,
) -> abi::ULONG {
    // SAFETY: by this function's safety requirement.
    unsafe {
        NdisReadPciSlotInformation(
            WrapperConfigurationContext,
            SlotNumber,
            Offset,
            Buffer,
            Length,
        )
    }
}

/// `NdisImmediateWritePciSlotInformation`: as the read, writing.
///
/// # Safety
///
/// `Buffer` readable for `Length` bytes, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisImmediateWritePciSlotInformation(
    WrapperConfigurationContext: abi::NDIS_HANDLE,
    SlotNumber: abi::ULONG,
    Offset: abi::ULONG,
    Buffer: abi::PVOID,
    Length: abi::ULONG,
) -> abi::ULONG {
    // SAFETY: by this function's safety requirement.
    unsafe {
        NdisWritePciSlotInformation(
            WrapperConfigurationContext,
            SlotNumber,
            Offset,
            Buffer,
            Length,
        )
    }
}

/// The adapter's `CM_RESOURCE_LIST`, kept for its life.
fn cm_resources(adapter: &Adapter) -> *mut abi::NDIS_SHIM_CM_RESOURCE_LIST {
    adapter.cm_resources.get()
}

/// `NdisMPciAssignResources`: SUCCESS (its page) with the adapter's
/// resource list; a forged handle: FAILURE, NULL, counted.
///
/// # Safety
///
/// `AssignedResources` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMPciAssignResources(
    MiniportHandle: abi::NDIS_HANDLE,
    _SlotNumber: abi::ULONG,
    AssignedResources: *mut abi::PNDIS_RESOURCE_LIST,
) -> abi::NDIS_STATUS {
    const CALL: &str = "NdisMPciAssignResources";
    let list = adapter_or_reject(MiniportHandle, CALL).map(|adapter| {
        let cm = cm_resources(&adapter);
        // The partial list begins as an NDIS_RESOURCE_LIST does (bindgen.h).
        // SAFETY: `cm` points into the adapter, alive here; no reference
        // is made, only the field's address.
        unsafe { (&raw mut (*cm).PartialResourceList).cast::<abi::NDIS_RESOURCE_LIST>() }
    });
    if AssignedResources.is_null() {
        reject(CALL, "NULL AssignedResources");
    }
    // SAFETY: NULL or writable by the safety requirement.
    unsafe { store(AssignedResources, list.unwrap_or(core::ptr::null_mut())) };
    let result = match (list, AssignedResources.is_null()) {
        (Some(_), false) => Ok(()),
        _ => Err(Error::Failure),
    };
    traced_status(c"NdisMPciAssignResources", MiniportHandle, result)
}

/// `NdisMGetDeviceProperty`: the device objects are tokens (ndis.h): the
/// PDO the function's `struct device`, the FDO the shim's adapter, the
/// next object the PDO; both resource lists the adapter's. A forged
/// handle: every requested pointer NULL, counted.
///
/// # Safety
///
/// Each out pointer writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisMGetDeviceProperty(
    MiniportAdapterHandle: abi::NDIS_HANDLE,
    PhysicalDeviceObject: *mut abi::PDEVICE_OBJECT,
    FunctionalDeviceObject: *mut abi::PDEVICE_OBJECT,
    NextDeviceObject: *mut abi::PDEVICE_OBJECT,
    AllocatedResources: *mut abi::PCM_RESOURCE_LIST,
    AllocatedResourcesTranslated: *mut abi::PCM_RESOURCE_LIST,
) {
    traced_void(c"NdisMGetDeviceProperty", MiniportAdapterHandle);
    let found = adapter_or_reject(MiniportAdapterHandle, "NdisMGetDeviceProperty");
    let (pdo, fdo, list) = match &found {
        Some(adapter) => {
            // SAFETY: the adapter's bound device, alive here; only the
            // address of its `struct device` is taken.
            let pdo = unsafe { &raw mut (*adapter.pci_dev()).dev }.cast::<abi::DEVICE_OBJECT>();
            let fdo = Arc::as_ptr(adapter).cast_mut().cast::<abi::DEVICE_OBJECT>();
            (
                pdo,
                fdo,
                cm_resources(adapter).cast::<abi::CM_RESOURCE_LIST>(),
            )
        }
        None => (
            core::ptr::null_mut(),
            core::ptr::null_mut(),
            core::ptr::null_mut(),
        ),
    };
    // SAFETY: each NULL or writable by the safety requirement.
    unsafe {
        store(PhysicalDeviceObject, pdo);
        store(FunctionalDeviceObject, fdo);
        store(NextDeviceObject, pdo);
        store(AllocatedResources, list);
        store(AllocatedResourcesTranslated, list);
    }
}

/// `NdisQueryPendingIOCount`: SUCCESS with the count; a forged handle or
/// NULL `IoCount`: FAILURE (its page: an invalid handle), counted.
///
/// # Safety
///
/// `IoCount` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisQueryPendingIOCount(
    NdisBindingHandle: abi::PVOID,
    IoCount: abi::PULONG,
) -> abi::NDIS_STATUS {
    const CALL: &str = "NdisQueryPendingIOCount";
    let result = match adapter_or_reject(NdisBindingHandle, CALL) {
        Some(_) if IoCount.is_null() => {
            reject(CALL, "NULL IoCount");
            Err(Error::Failure)
        }
        Some(adapter) => {
            // SAFETY: non-NULL, so writable (safety requirement).
            unsafe { store(IoCount, ndis5_support::pending_io(&adapter)) };
            Ok(())
        }
        None => Err(Error::Failure),
    };
    traced_status(c"NdisQueryPendingIOCount", NdisBindingHandle, result)
}

/// `NdisGetSystemUpTime`: milliseconds since boot; a NULL pointer is
/// counted.
///
/// # Safety
///
/// `pSystemUpTime` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisGetSystemUpTime(pSystemUpTime: abi::PULONG) {
    if pSystemUpTime.is_null() {
        reject("NdisGetSystemUpTime", "NULL pSystemUpTime");
        return;
    }
    // SAFETY: non-NULL, so writable (safety requirement).
    unsafe { store(pSystemUpTime, ndis5_support::uptime_ms()) };
}

/// `NdisSystemProcessorCount`: the processors online.
#[no_mangle]
extern "C" fn NdisSystemProcessorCount() -> abi::CCHAR {
    ndis5_support::processor_count() as abi::CCHAR
}

/// `NdisGetCurrentProcessorCpuUsage`: percent; a NULL pointer is counted.
///
/// # Safety
///
/// `pCpuUsage` writable, or NULL.
#[no_mangle]
unsafe extern "C" fn NdisGetCurrentProcessorCpuUsage(pCpuUsage: abi::PULONG) {
    if pCpuUsage.is_null() {
        reject("NdisGetCurrentProcessorCpuUsage", "NULL pCpuUsage");
        return;
    }
    // SAFETY: non-NULL, so writable (safety requirement).
    unsafe { store(pCpuUsage, ndis5_support::cpu_usage()) };
}

/// `NdisPacketSize`.
#[no_mangle]
extern "C" fn NdisPacketSize(ProtocolReservedSize: abi::UINT) -> abi::UINT {
    packet_pool::descriptor_size(ProtocolReservedSize)
}

/// `NdisSetPacketPoolProtocolId`.
#[no_mangle]
extern "C" fn NdisSetPacketPoolProtocolId(
    PacketPoolHandle: abi::NDIS_HANDLE,
    ProtocolId: abi::UINT,
) {
    traced_void(c"NdisSetPacketPoolProtocolId", PacketPoolHandle);
    packet_pool::set_protocol_id(handle(PacketPoolHandle), ProtocolId)
}
