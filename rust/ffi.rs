// SPDX-License-Identifier: GPL-2.0

//! `#[repr(C)]` mirrors of the `include/ndis.h` structures the shim reads
//! or writes, with their Win64 sizes and offsets asserted at compile time
//! (the header asserts the same numbers on the C side).

use core::ffi::c_void;
use core::mem::{offset_of, size_of};

/// `NDIS_STATUS`: a 32-bit status code (`int` in the Windows headers).
pub(crate) type NdisStatusRaw = i32;
/// `NDIS_HANDLE`.
pub(crate) type NdisHandle = *mut c_void;
/// `BOOLEAN`.
pub(crate) type Boolean = u8;

/// `NDIS_OBJECT_HEADER`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub(crate) struct NdisObjectHeader {
    pub(crate) type_: u8,
    pub(crate) revision: u8,
    pub(crate) size: u16,
}

/// `MDL` (Windows' memory descriptor list; `NDIS_BUFFER`).
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

/// `NDIS_DMA_DESCRIPTION`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct NdisDmaDescription {
    pub(crate) demand_mode: Boolean,
    pub(crate) auto_initialize: Boolean,
    pub(crate) dma_channel_specified: Boolean,
    pub(crate) dma_width: u32,
    pub(crate) dma_speed: u32,
    pub(crate) dma_port: u32,
    pub(crate) dma_channel: u32,
}

/// Handler slot of a characteristics structure: an optional C function.
pub(crate) type Handler = Option<unsafe extern "C" fn()>;

/// `MINIPORT_INITIALIZE`.
pub(crate) type InitializeHandler =
    unsafe extern "C" fn(NdisHandle, NdisHandle, *mut InitParameters) -> NdisStatusRaw;
/// `MINIPORT_HALT`.
pub(crate) type HaltHandler = unsafe extern "C" fn(NdisHandle, u32);
/// `MINIPORT_DRIVER_UNLOAD`.
pub(crate) type UnloadHandler = unsafe extern "C" fn(*mut DriverObject);

/// `NDIS_MINIPORT_DRIVER_CHARACTERISTICS`, revision 3 (NDIS 6.80) layout;
/// older revisions are read through their declared size.
#[repr(C)]
#[derive(Clone, Copy)]
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
    pub(crate) synchronous_oid_request: Handler,
}

/// `W_INITIALIZE_HANDLER` (NDIS 5.x `MiniportInitialize`).
pub(crate) type Ndis5InitializeHandler = unsafe extern "C" fn(
    *mut NdisStatusRaw,
    *mut u32,
    *mut u32,
    u32,
    NdisHandle,
    NdisHandle,
) -> NdisStatusRaw;
/// `W_HALT_HANDLER` (NDIS 5.x `MiniportHalt`).
pub(crate) type Ndis5HaltHandler = unsafe extern "C" fn(NdisHandle);

/// `NDIS51_MINIPORT_CHARACTERISTICS`; older versions are read through the
/// length the caller passes.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Ndis5Characteristics {
    pub(crate) major_ndis_version: u8,
    pub(crate) minor_ndis_version: u8,
    pub(crate) filler: u16,
    pub(crate) reserved: u32,
    pub(crate) check_for_hang: Handler,
    pub(crate) disable_interrupt: Handler,
    pub(crate) enable_interrupt: Handler,
    pub(crate) halt: Option<Ndis5HaltHandler>,
    pub(crate) handle_interrupt: Handler,
    pub(crate) initialize: Option<Ndis5InitializeHandler>,
    /// `ISRHandler` through `AdapterShutdownHandler` and the reserved
    /// slots: handlers the shim never calls.
    pub(crate) unused: [Handler; 23],
}

/// `NdisMedium802_3`, the only medium the shim offers `MiniportInitialize`.
pub(crate) const NDIS_MEDIUM_802_3: u32 = 0;

/// `NDIS_PHYSICAL_ADDRESS_UNIT`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct PhysicalAddressUnit {
    pub(crate) physical_address: u64,
    pub(crate) length: u32,
}

/// `CM_PARTIAL_RESOURCE_DESCRIPTOR` (`#pragma pack(4)` on Windows).
#[repr(C, packed(4))]
#[derive(Clone, Copy, Default)]
pub(crate) struct CmPartialResourceDescriptor {
    pub(crate) type_: u8,
    pub(crate) share_disposition: u8,
    pub(crate) flags: u16,
    /// `u.Memory.Start` / `u.Port.Start`, or `u.Interrupt.Level/Group/Vector`.
    pub(crate) u0: u64,
    /// `u.Memory.Length` / `u.Port.Length`, or the low half of `Affinity`.
    pub(crate) u1: u32,
    pub(crate) u2: u32,
}

/// `CmResourceTypePort`.
pub(crate) const CM_RESOURCE_TYPE_PORT: u8 = 1;
/// `CmResourceTypeInterrupt`.
pub(crate) const CM_RESOURCE_TYPE_INTERRUPT: u8 = 2;
/// `CmResourceTypeMemory`.
pub(crate) const CM_RESOURCE_TYPE_MEMORY: u8 = 3;
/// `CmResourceShareDeviceExclusive`.
pub(crate) const CM_RESOURCE_SHARE_DEVICE_EXCLUSIVE: u8 = 1;
/// `CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE`.
pub(crate) const CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE: u16 = 0;

/// Most descriptors a PCI function can have: six BARs, a ROM, an interrupt.
pub(crate) const MAX_RESOURCES: usize = 8;

/// `CM_PARTIAL_RESOURCE_LIST` with room for [`MAX_RESOURCES`] descriptors.
#[repr(C, packed(4))]
#[derive(Clone, Copy, Default)]
pub(crate) struct CmPartialResourceList {
    pub(crate) version: u16,
    pub(crate) revision: u16,
    pub(crate) count: u32,
    pub(crate) descriptors: [CmPartialResourceDescriptor; MAX_RESOURCES],
}

/// `NDIS_MINIPORT_INIT_PARAMETERS`, revision 1.
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

/// `NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS`.
pub(crate) const OBJECT_TYPE_MINIPORT_INIT_PARAMETERS: u8 = 0x81;
/// `NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES` object type.
pub(crate) const OBJECT_TYPE_ADAPTER_REGISTRATION_ATTRIBUTES: u8 = 0x9E;
/// `NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES` object type.
pub(crate) const OBJECT_TYPE_ADAPTER_GENERAL_ATTRIBUTES: u8 = 0x9F;
/// `NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER` (NDIS 6 `AttributeFlags`).
pub(crate) const MINIPORT_ATTRIBUTES_BUS_MASTER: u32 = 0x40;
/// `NDIS_ATTRIBUTE_BUS_MASTER` (NDIS 5 `NdisMSetAttributesEx`).
pub(crate) const ATTRIBUTE_BUS_MASTER: u32 = 0x08;

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
/// `MINIPORT_INTERRUPT_DPC`.
pub(crate) type DpcHandler =
    unsafe extern "C" fn(NdisHandle, *mut c_void, *mut c_void, *mut c_void);

/// `NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS`, revision 1.
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

/// `NdisInterruptIsr` / `NdisInterruptMessage` (`NDIS_INTERRUPT_TYPE`).
pub(crate) const NDIS_CONNECT_LINE_BASED: u32 = 1;
pub(crate) const NDIS_CONNECT_MESSAGE_BASED: u32 = 2;

/// `DRIVER_OBJECT` as `include/ndis_linux.h` defines it.
#[repr(C)]
pub(crate) struct DriverObject {
    pub(crate) reserved: [*mut c_void; 2],
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

/// `MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE`: `(MiniportAdapterContext,
/// VirtualAddress, PhysicalAddress, Length, Context)`.
pub(crate) type AllocateSharedMemCompleteHandler =
    unsafe extern "C" fn(NdisHandle, *mut c_void, *mut i64, u32, *mut c_void);

/// `NDIS_LINUX_MINIPORT`, the glue object in each miniport module.
#[repr(C)]
pub(crate) struct LinuxMiniport {
    pub(crate) name: *const core::ffi::c_char,
    pub(crate) owner: *mut kernel::bindings::module,
    pub(crate) driver_entry: Option<DriverEntry>,
    pub(crate) dma_address_bits: u8,
    pub(crate) dma_controller: *const DmaControllerOps,
    pub(crate) driver_object: DriverObject,
}

// Win64 layouts, as `include/ndis.h` asserts them too.
const _: () = {
    assert!(size_of::<NdisObjectHeader>() == 4);
    assert!(size_of::<Mdl>() == 48);
    assert!(offset_of!(Mdl, start_va) == 32);
    assert!(offset_of!(Mdl, byte_count) == 40);
    assert!(offset_of!(Mdl, byte_offset) == 44);
    assert!(size_of::<NdisDmaDescription>() == 20);
    assert!(offset_of!(NdisDmaDescription, dma_width) == 4);
    assert!(offset_of!(DriverCharacteristics, initialize) == 24);
    assert!(offset_of!(DriverCharacteristics, cancel_oid_request) == 128);
    assert!(size_of::<DriverCharacteristics>() == 160);
    assert!(offset_of!(Ndis5Characteristics, halt) == 0x20);
    assert!(offset_of!(Ndis5Characteristics, initialize) == 0x30);
    assert!(size_of::<Ndis5Characteristics>() == 0xF0);
    assert!(size_of::<PhysicalAddressUnit>() == 16);
    assert!(size_of::<CmPartialResourceDescriptor>() == 20);
    assert!(offset_of!(CmPartialResourceList, descriptors) == 8);
    assert!(offset_of!(InitParameters, allocated_resources) == 8);
    assert!(size_of::<InitParameters>() == 64);
    assert!(offset_of!(AdapterRegistrationAttributes, miniport_adapter_context) == 8);
    assert!(size_of::<AdapterRegistrationAttributes>() == 32);
    assert!(offset_of!(InterruptCharacteristics, msi_supported) == 40);
    assert!(size_of::<InterruptCharacteristics>() == 96);
};

/// `MINIPORT_PROCESS_SG_LIST`.
pub(crate) type ProcessSgListHandler =
    unsafe extern "C" fn(*mut c_void, *mut c_void, *mut c_void, *mut c_void);

/// `NDIS_SG_DMA_DESCRIPTION`, revision 1.
#[repr(C)]
pub(crate) struct SgDmaDescription {
    pub(crate) header: NdisObjectHeader,
    pub(crate) flags: u32,
    pub(crate) maximum_physical_mapping: u32,
    pub(crate) process_sg_list_handler: Option<ProcessSgListHandler>,
    pub(crate) shared_mem_allocate_complete_handler: Option<AllocateSharedMemCompleteHandler>,
    pub(crate) scatter_gather_list_size: u32,
}

/// The `NET_BUFFER_DATA` part of a `NET_BUFFER`: all the shim reads.
/// `DataLength` is the low half of a `ULONG`/`SIZE_T` union.
#[repr(C)]
pub(crate) struct NetBuffer {
    pub(crate) next: *mut NetBuffer,
    pub(crate) current_mdl: *mut Mdl,
    pub(crate) current_mdl_offset: u32,
    _pad: u32,
    pub(crate) data_length: u32,
    pub(crate) data_length_high: u32,
    pub(crate) mdl_chain: *mut Mdl,
    pub(crate) data_offset: u32,
}

// Win64 layouts of the scatter-gather structures (asserted in ndis.h too).
const _: () = {
    assert!(size_of::<SgDmaDescription>() == 0x28);
    assert!(offset_of!(SgDmaDescription, maximum_physical_mapping) == 8);
    assert!(offset_of!(SgDmaDescription, process_sg_list_handler) == 0x10);
    assert!(offset_of!(SgDmaDescription, scatter_gather_list_size) == 0x20);
    assert!(offset_of!(NetBuffer, current_mdl) == 8);
    assert!(offset_of!(NetBuffer, current_mdl_offset) == 16);
    assert!(offset_of!(NetBuffer, data_length) == 24);
    assert!(offset_of!(NetBuffer, mdl_chain) == 32);
    assert!(offset_of!(NetBuffer, data_offset) == 40);
};
