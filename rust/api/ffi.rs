// SPDX-License-Identifier: GPL-2.0

//! The C ABI of ndis-shim as a Rust miniport sees it: `#[repr(C)]` mirrors
//! of the `include/ndis.h` / `include/ndis_linux.h` structures it passes,
//! and the shim's exported functions (resolved through the shim's
//! `Module.symvers`, as for a C miniport). Nothing here is used outside the
//! API.

#![allow(non_snake_case)]

use core::ffi::{c_int, c_void};
use core::mem::{offset_of, size_of};
use kernel::ffi::c_char;

/// `NDIS_STATUS`.
pub(crate) type NdisStatusRaw = i32;
/// `NDIS_HANDLE`.
pub(crate) type NdisHandle = *mut c_void;
/// `BOOLEAN`.
pub(crate) type Boolean = u8;

/// `NDIS_OBJECT_HEADER`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct NdisObjectHeader {
    pub(crate) type_: u8,
    pub(crate) revision: u8,
    pub(crate) size: u16,
}

/// `MDL` (`NDIS_BUFFER`); built by `NdisAllocateMdl`, never by the API.
#[repr(C)]
pub(crate) struct Mdl {
    pub(crate) next: *mut Mdl,
    pub(crate) size: i16,
    pub(crate) mdl_flags: i16,
    pub(crate) process: *mut c_void,
    pub(crate) mapped_system_va: *mut c_void,
    pub(crate) start_va: *mut c_void,
    pub(crate) byte_count: u32,
    pub(crate) byte_offset: u32,
}

/// `CM_PARTIAL_RESOURCE_DESCRIPTOR` (`#pragma pack(4)`); the union `u` as
/// its `Memory`/`Port` view (`Start`, `Length`) plus the rest.
#[repr(C, packed(4))]
#[derive(Clone, Copy)]
pub(crate) struct CmPartialResourceDescriptor {
    pub(crate) type_: u8,
    pub(crate) share_disposition: u8,
    pub(crate) flags: u16,
    pub(crate) start: i64,
    pub(crate) length: u32,
    pub(crate) reserved: u32,
}

/// `CmResourceTypeMemory`.
pub(crate) const CM_RESOURCE_TYPE_MEMORY: u8 = 3;

/// `CM_PARTIAL_RESOURCE_LIST`: `count` descriptors follow the header.
#[repr(C, packed(4))]
pub(crate) struct CmPartialResourceList {
    pub(crate) version: u16,
    pub(crate) revision: u16,
    pub(crate) count: u32,
    pub(crate) descriptors: [CmPartialResourceDescriptor; 1],
}

/// `NDIS_MINIPORT_INIT_PARAMETERS`.
#[repr(C)]
pub(crate) struct InitParameters {
    pub(crate) header: NdisObjectHeader,
    pub(crate) flags: u32,
    pub(crate) allocated_resources: *mut CmPartialResourceList,
    pub(crate) im_device_instance_context: NdisHandle,
    pub(crate) miniport_add_device_context: NdisHandle,
    pub(crate) if_index: u32,
    pub(crate) net_luid: u64,
    pub(crate) default_port_auth_states: *mut c_void,
    pub(crate) pci_device_custom_properties: *mut c_void,
}

/// An optional handler the API does not implement.
pub(crate) type Handler = Option<unsafe extern "C" fn()>;
/// `MINIPORT_INITIALIZE`.
pub(crate) type InitializeHandler =
    unsafe extern "C" fn(NdisHandle, NdisHandle, *mut InitParameters) -> NdisStatusRaw;
/// `MINIPORT_HALT`.
pub(crate) type HaltHandler = unsafe extern "C" fn(NdisHandle, u32);
/// `MINIPORT_DRIVER_UNLOAD`.
pub(crate) type UnloadHandler = unsafe extern "C" fn(*mut DriverObject);

/// `NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS`.
pub(crate) const OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS: u8 = 0x8A;
/// `NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2`.
pub(crate) const MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2: u8 = 2;

/// `NDIS_MINIPORT_DRIVER_CHARACTERISTICS` (NDIS 6.1+, revision 2).
#[repr(C)]
pub(crate) struct DriverCharacteristics {
    pub(crate) header: NdisObjectHeader,
    pub(crate) major_ndis_version: u8,
    pub(crate) minor_ndis_version: u8,
    pub(crate) major_driver_version: u8,
    pub(crate) minor_driver_version: u8,
    pub(crate) flags: u32,
    pub(crate) set_options: Handler,
    pub(crate) initialize: Option<InitializeHandler>,
    pub(crate) halt: Option<HaltHandler>,
    pub(crate) unload: Option<UnloadHandler>,
    pub(crate) pause: Handler,
    pub(crate) restart: Handler,
    pub(crate) oid_request: Handler,
    pub(crate) send_net_buffer_lists: Handler,
    pub(crate) return_net_buffer_lists: Handler,
    pub(crate) cancel_send: Handler,
    pub(crate) check_for_hang: Handler,
    pub(crate) reset: Handler,
    pub(crate) device_pnp_event_notify: Handler,
    pub(crate) shutdown: Handler,
    pub(crate) cancel_oid_request: Handler,
    pub(crate) direct_oid_request: Handler,
    pub(crate) cancel_direct_oid_request: Handler,
}

/// `NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES`.
pub(crate) const OBJECT_TYPE_ADAPTER_REGISTRATION_ATTRIBUTES: u8 = 0x9E;
/// `NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1`.
pub(crate) const ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1: u8 = 1;
/// `NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1`.
pub(crate) const SIZEOF_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1: u16 = 28;
/// `NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE`.
pub(crate) const MINIPORT_ATTRIBUTES_HARDWARE_DEVICE: u32 = 1;
/// `NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER`.
pub(crate) const MINIPORT_ATTRIBUTES_BUS_MASTER: u32 = 0x40;
/// `NdisInterfacePci`.
pub(crate) const NDIS_INTERFACE_PCI: u32 = 5;

/// `NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES`.
#[repr(C)]
pub(crate) struct AdapterRegistrationAttributes {
    pub(crate) header: NdisObjectHeader,
    pub(crate) miniport_adapter_context: NdisHandle,
    pub(crate) attribute_flags: u32,
    pub(crate) check_for_hang_time_in_seconds: u32,
    pub(crate) interface_type: u32,
}

/// `MINIPORT_ISR`.
pub(crate) type IsrHandler = unsafe extern "C" fn(NdisHandle, *mut Boolean, *mut u32) -> Boolean;
/// `MINIPORT_INTERRUPT_DPC` (NDIS 6.20+ argument types).
pub(crate) type DpcHandler =
    unsafe extern "C" fn(NdisHandle, *mut c_void, *mut c_void, *mut c_void);

/// `NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT`.
pub(crate) const OBJECT_TYPE_MINIPORT_INTERRUPT: u8 = 0x84;
/// `NDIS_MINIPORT_INTERRUPT_REVISION_1`.
pub(crate) const MINIPORT_INTERRUPT_REVISION_1: u8 = 1;

/// `NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS`.
#[repr(C)]
pub(crate) struct InterruptCharacteristics {
    pub(crate) header: NdisObjectHeader,
    pub(crate) interrupt_handler: Option<IsrHandler>,
    pub(crate) interrupt_dpc_handler: Option<DpcHandler>,
    pub(crate) disable_interrupt_handler: Handler,
    pub(crate) enable_interrupt_handler: Handler,
    pub(crate) msi_supported: Boolean,
    pub(crate) msi_sync_with_all_messages: Boolean,
    pub(crate) message_interrupt_handler: Handler,
    pub(crate) message_interrupt_dpc_handler: Handler,
    pub(crate) disable_message_interrupt_handler: Handler,
    pub(crate) enable_message_interrupt_handler: Handler,
    pub(crate) interrupt_type: u32,
    pub(crate) message_info_table: *mut c_void,
}

/// `NDIS_DMA_DESCRIPTION`.
#[repr(C)]
pub(crate) struct NdisDmaDescription {
    pub(crate) demand_mode: Boolean,
    pub(crate) auto_initialize: Boolean,
    pub(crate) dma_channel_specified: Boolean,
    pub(crate) dma_width: u32,
    pub(crate) dma_speed: u32,
    pub(crate) dma_port: u32,
    pub(crate) dma_channel: u32,
}

/// `DRIVER_OBJECT` as `include/ndis_linux.h` defines it.
#[repr(C)]
pub(crate) struct DriverObject {
    pub(crate) ndis_linux_reserved: [*mut c_void; 2],
}

/// `NDIS_LINUX_DMA_CONTROLLER`.
#[repr(C)]
pub(crate) struct DmaControllerOps {
    pub(crate) start:
        Option<unsafe extern "C" fn(NdisHandle, u32, u64, u32, Boolean) -> NdisStatusRaw>,
    pub(crate) stop: Option<unsafe extern "C" fn(NdisHandle, u32) -> Boolean>,
    pub(crate) is_busy: Option<unsafe extern "C" fn(NdisHandle, u32) -> Boolean>,
    pub(crate) read_residue: Option<unsafe extern "C" fn(NdisHandle, u32) -> u32>,
}

/// `NDIS_LINUX_DRIVER_ENTRY`.
pub(crate) type DriverEntry = unsafe extern "C" fn(*mut DriverObject, *mut c_void) -> i32;

/// `NDIS_LINUX_MINIPORT`.
#[repr(C)]
pub(crate) struct LinuxMiniport {
    pub(crate) name: *const c_char,
    /// `struct module *`.
    pub(crate) owner: *mut c_void,
    pub(crate) driver_entry: Option<DriverEntry>,
    pub(crate) dma_address_bits: u8,
    pub(crate) dma_controller: *const DmaControllerOps,
    pub(crate) driver_object: DriverObject,
}

extern "C" {
    // include/ndis.h
    pub(crate) fn NdisMRegisterMiniportDriver(
        DriverObject: *mut DriverObject,
        RegistryPath: *mut c_void,
        MiniportDriverContext: NdisHandle,
        MiniportDriverCharacteristics: *mut DriverCharacteristics,
        NdisMiniportDriverHandle: *mut NdisHandle,
    ) -> NdisStatusRaw;
    pub(crate) fn NdisMDeregisterMiniportDriver(NdisMiniportDriverHandle: NdisHandle);
    pub(crate) fn NdisMSetMiniportAttributes(
        NdisMiniportHandle: NdisHandle,
        MiniportAttributes: *mut c_void,
    ) -> NdisStatusRaw;
    pub(crate) fn NdisMMapIoSpace(
        VirtualAddress: *mut *mut c_void,
        MiniportAdapterHandle: NdisHandle,
        PhysicalAddress: i64,
        Length: u32,
    ) -> NdisStatusRaw;
    pub(crate) fn NdisMUnmapIoSpace(
        MiniportAdapterHandle: NdisHandle,
        VirtualAddress: *mut c_void,
        Length: u32,
    );
    pub(crate) fn NdisMRegisterInterruptEx(
        MiniportAdapterHandle: NdisHandle,
        MiniportInterruptContext: NdisHandle,
        MiniportInterruptCharacteristics: *mut InterruptCharacteristics,
        NdisInterruptHandle: *mut NdisHandle,
    ) -> NdisStatusRaw;
    pub(crate) fn NdisMDeregisterInterruptEx(NdisInterruptHandle: NdisHandle);
    pub(crate) fn NdisAllocateMdl(
        NdisHandle: NdisHandle,
        VirtualAddress: *mut c_void,
        Length: u32,
    ) -> *mut Mdl;
    pub(crate) fn NdisFreeMdl(Mdl: *mut Mdl);
    pub(crate) fn NdisMRegisterDmaChannel(
        MiniportDmaHandle: *mut NdisHandle,
        MiniportAdapterHandle: NdisHandle,
        DmaChannel: u32,
        Dma32BitAddresses: Boolean,
        DmaDescription: *mut NdisDmaDescription,
        MaximumLength: u32,
    ) -> NdisStatusRaw;
    pub(crate) fn NdisMDeregisterDmaChannel(MiniportDmaHandle: NdisHandle);
    pub(crate) fn NdisSetupDmaTransfer(
        Status: *mut NdisStatusRaw,
        MiniportDmaHandle: NdisHandle,
        Buffer: *mut Mdl,
        Offset: u32,
        Length: u32,
        WriteToDevice: Boolean,
    );
    pub(crate) fn NdisCompleteDmaTransfer(
        Status: *mut NdisStatusRaw,
        MiniportDmaHandle: NdisHandle,
        Buffer: *mut Mdl,
        Offset: u32,
        Length: u32,
        WriteToDevice: Boolean,
    );
    pub(crate) fn NdisMReadDmaCounter(MiniportDmaHandle: NdisHandle) -> u32;
    pub(crate) fn NdisMAllocateSharedMemory(
        MiniportAdapterHandle: NdisHandle,
        Length: u32,
        Cached: Boolean,
        VirtualAddress: *mut *mut c_void,
        PhysicalAddress: *mut i64,
    );
    pub(crate) fn NdisMFreeSharedMemory(
        MiniportAdapterHandle: NdisHandle,
        Length: u32,
        Cached: Boolean,
        VirtualAddress: *mut c_void,
        PhysicalAddress: i64,
    );
    pub(crate) fn NdisMGetDmaAlignment(MiniportAdapterHandle: NdisHandle) -> u32;
    pub(crate) fn NdisGetSharedDataAlignment() -> u32;
    pub(crate) fn NdisMRegisterScatterGatherDma(
        MiniportAdapterHandle: NdisHandle,
        DmaDescription: *mut SgDmaDescription,
        NdisMiniportDmaHandle: *mut NdisHandle,
    ) -> NdisStatusRaw;
    pub(crate) fn NdisMDeregisterScatterGatherDma(NdisMiniportDmaHandle: NdisHandle);
    pub(crate) fn NdisMAllocateNetBufferSGList(
        NdisMiniportDmaHandle: NdisHandle,
        NetBuffer: *mut NetBuffer,
        Context: *mut c_void,
        Flags: u32,
        ScatterGatherListBuffer: *mut c_void,
        ScatterGatherListBufferSize: u32,
    ) -> NdisStatusRaw;
    pub(crate) fn NdisMFreeNetBufferSGList(
        NdisMiniportDmaHandle: NdisHandle,
        pSGL: *mut ScatterGatherList,
        NetBuffer: *mut NetBuffer,
    );

    // include/ndis_linux.h
    pub(crate) fn NdisLinuxDriverLoad(Miniport: *mut LinuxMiniport) -> c_int;
    pub(crate) fn NdisLinuxDriverUnload(Miniport: *mut LinuxMiniport);
    /// `Pdev` is a `struct pci_dev *` (passed as `void *`: bindgen's
    /// `pci_dev` is not FFI-safe for the lint, only ever handled by pointer).
    pub(crate) fn NdisLinuxPciProbe(Miniport: *mut LinuxMiniport, Pdev: *mut c_void) -> c_int;
    pub(crate) fn NdisLinuxPciRemove(Miniport: *mut LinuxMiniport, Pdev: *mut c_void);
}

/// `NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION`.
pub(crate) const OBJECT_TYPE_SG_DMA_DESCRIPTION: u8 = 0x83;
/// `NDIS_SG_DMA_DESCRIPTION_REVISION_1`.
pub(crate) const SG_DMA_DESCRIPTION_REVISION_1: u8 = 1;
/// `NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1`.
pub(crate) const SIZEOF_SG_DMA_DESCRIPTION_REVISION_1: u16 = 0x24;
/// `NDIS_SG_DMA_64_BIT_ADDRESS`.
pub(crate) const SG_DMA_64_BIT_ADDRESS: u32 = 1;
/// `NDIS_SG_LIST_WRITE_TO_DEVICE`.
pub(crate) const SG_LIST_WRITE_TO_DEVICE: u32 = 1;

/// `MINIPORT_PROCESS_SG_LIST`.
pub(crate) type ProcessSgListHandler =
    unsafe extern "C" fn(*mut c_void, *mut c_void, *mut ScatterGatherList, *mut c_void);

/// `NDIS_SG_DMA_DESCRIPTION`, revision 1.
#[repr(C)]
pub(crate) struct SgDmaDescription {
    pub(crate) header: NdisObjectHeader,
    pub(crate) flags: u32,
    pub(crate) maximum_physical_mapping: u32,
    pub(crate) process_sg_list_handler: Option<ProcessSgListHandler>,
    pub(crate) shared_mem_allocate_complete_handler: Handler,
    pub(crate) scatter_gather_list_size: u32,
}

/// `SCATTER_GATHER_ELEMENT`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct ScatterGatherElement {
    pub(crate) address: u64,
    pub(crate) length: u32,
    pub(crate) reserved: usize,
}

/// `SCATTER_GATHER_LIST`; `NumberOfElements` elements follow it.
#[repr(C)]
pub(crate) struct ScatterGatherList {
    pub(crate) number_of_elements: u32,
    pub(crate) reserved: usize,
    pub(crate) elements: [ScatterGatherElement; 0],
}

/// `NET_BUFFER` (the `NET_BUFFER_DATA` view of its first union).
#[repr(C)]
pub(crate) struct NetBuffer {
    pub(crate) next: *mut NetBuffer,
    pub(crate) current_mdl: *mut Mdl,
    pub(crate) current_mdl_offset: u32,
    /// `DataLength`, the low half of a `ULONG`/`SIZE_T` union.
    pub(crate) data_length: usize,
    pub(crate) mdl_chain: *mut Mdl,
    pub(crate) data_offset: u32,
    pub(crate) _pad: u32,
    pub(crate) checksum_bias: u16,
    pub(crate) reserved: u16,
    pub(crate) ndis_pool_handle: NdisHandle,
    pub(crate) ndis_reserved: [*mut c_void; 2],
    pub(crate) protocol_reserved: [*mut c_void; 6],
    pub(crate) miniport_reserved: [*mut c_void; 4],
    pub(crate) data_physical_address: i64,
    pub(crate) scatter_gather_list: *mut ScatterGatherList,
}

// Win64 layouts, as include/ndis.h asserts them.
const _: () = {
    assert!(size_of::<NdisObjectHeader>() == 4);
    assert!(size_of::<Mdl>() == 48);
    assert!(offset_of!(Mdl, byte_offset) == 44);
    assert!(size_of::<CmPartialResourceDescriptor>() == 20);
    assert!(offset_of!(CmPartialResourceDescriptor, start) == 4);
    assert!(offset_of!(CmPartialResourceDescriptor, length) == 12);
    assert!(size_of::<CmPartialResourceList>() == 28);
    assert!(offset_of!(CmPartialResourceList, descriptors) == 8);
    assert!(size_of::<InitParameters>() == 64);
    assert!(offset_of!(InitParameters, allocated_resources) == 8);
    assert!(offset_of!(DriverCharacteristics, initialize) == 0x18);
    assert!(offset_of!(DriverCharacteristics, cancel_oid_request) == 0x80);
    assert!(size_of::<DriverCharacteristics>() == 0x98);
    assert!(size_of::<AdapterRegistrationAttributes>() == 32);
    assert!(offset_of!(AdapterRegistrationAttributes, interface_type) == 24);
    assert!(
        SIZEOF_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 as usize
            == offset_of!(AdapterRegistrationAttributes, interface_type) + size_of::<u32>()
    );
    assert!(size_of::<InterruptCharacteristics>() == 0x60);
    assert!(offset_of!(InterruptCharacteristics, msi_supported) == 0x28);
    assert!(offset_of!(InterruptCharacteristics, interrupt_type) == 0x50);
    assert!(size_of::<NdisDmaDescription>() == 20);
    assert!(offset_of!(NdisDmaDescription, dma_channel) == 16);
    assert!(size_of::<SgDmaDescription>() == 0x28);
    assert!(offset_of!(SgDmaDescription, scatter_gather_list_size) == 0x20);
    assert!(size_of::<ScatterGatherElement>() == 24);
    assert!(offset_of!(ScatterGatherList, elements) == 16);
    assert!(offset_of!(NetBuffer, data_length) == 0x18);
    assert!(offset_of!(NetBuffer, data_offset) == 0x28);
    assert!(offset_of!(NetBuffer, miniport_reserved) == 0x80);
    assert!(size_of::<NetBuffer>() == 0xb0);
};
