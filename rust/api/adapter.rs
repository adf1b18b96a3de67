// SPDX-License-Identifier: GPL-2.0

//! [`Adapter`]: one bound PCI function, from `MiniportInitializeEx` until
//! `MiniportHaltEx`, and [`ResourceList`], its `AllocatedResources`.

use core::marker::PhantomData;
use kernel::{bindings, pci, prelude::*};

use super::ffi;

/// An NDIS adapter (`MiniportAdapterHandle`) and the PCI device behind it.
///
/// Only the API creates it (in its `MiniportInitializeEx`) and hands the
/// miniport a shared reference that lives until `MiniportHaltEx`; every
/// handle made from it borrows it, so none can outlive the adapter.
///
/// # Invariants
///
/// `handle` is the shim's adapter handle and `pdev` the bound `struct
/// pci_dev`, both valid for as long as this object exists: it is created in
/// the API's Initialize and dropped after its Halt (or after a failed
/// Initialize), before the PCI remove/probe callback returns.
pub(crate) struct Adapter {
    handle: ffi::NDIS_HANDLE,
    pdev: *mut bindings::pci_dev,
}

// SAFETY: both are addresses of objects the shim and the PCI core
// synchronise themselves; the NDIS calls made with them are thread-safe.
unsafe impl Send for Adapter {}
// SAFETY: `&Adapter` only reads `handle` and `pdev`, which never change;
// the shim and the PCI core synchronise the objects they name.
unsafe impl Sync for Adapter {}

impl Adapter {
    /// # Safety
    ///
    /// `handle` must be the adapter handle the shim passed to Initialize,
    /// `pdev` its device (`NdisLinuxGetPciDevice`), and the object must be
    /// dropped after the adapter is halted and before the device is
    /// unbound.
    pub(super) unsafe fn new(handle: ffi::NDIS_HANDLE, pdev: *mut bindings::pci_dev) -> Self {
        // INVARIANT: by the safety requirements.
        Self { handle, pdev }
    }

    /// The raw `NDIS_HANDLE`, for the API's own calls.
    pub(super) fn handle(&self) -> ffi::NDIS_HANDLE {
        self.handle
    }

    /// The PCI device, for the Linux glue (config space, names, logs).
    pub(crate) fn pci_device(&self) -> &pci::Device {
        // SAFETY: `pdev` is a bound device for as long as `self` exists
        // (type invariant); `pci::Device` is `#[repr(transparent)]` over
        // `Opaque<bindings::pci_dev>`, so the pointer is one to it.
        unsafe { &*self.pdev.cast::<pci::Device>() }
    }

    /// The PCI device name (`0000:00:04.0`), for logs and debugfs.
    pub(crate) fn pci_name(&self) -> &CStr {
        let dev: &kernel::device::Device = self.pci_device().as_ref();
        dev.name()
    }

    /// Sets or clears Bus Master Enable in the PCI command register: the
    /// Linux glue's way to fence a DMA engine that cannot be told to stop.
    ///
    /// Never sleeps (the config access takes an IRQ-safe spin lock).
    pub(crate) fn set_bus_master(&self, enable: bool) {
        // SAFETY: `pdev` is a bound device (type invariant).
        unsafe {
            if enable {
                bindings::pci_set_master(self.pdev)
            } else {
                bindings::pci_clear_master(self.pdev)
            }
        }
    }

    /// Registers the adapter's `MiniportAdapterContext` (registration
    /// attributes: hardware device on PCI, and a bus master if
    /// `bus_master`).
    ///
    /// # Safety
    ///
    /// `context` must stay valid for the controller callbacks until the
    /// shim has released the adapter.
    pub(super) unsafe fn set_registration_attributes(
        &self,
        context: *mut core::ffi::c_void,
        bus_master: bool,
    ) -> Result<(), super::Status> {
        let mut attribute_flags = ffi::NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE;
        if bus_master {
            attribute_flags |= ffi::NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
        }
        let mut attrs = ffi::NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
            Header: ffi::NDIS_OBJECT_HEADER {
                Type: ffi::NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES as u8,
                Revision: ffi::NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 as u8,
                Size: ffi::NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 as u16,
            },
            MiniportAdapterContext: context,
            AttributeFlags: attribute_flags,
            CheckForHangTimeInSeconds: 0,
            InterfaceType: ffi::NdisInterfacePci,
        };
        // SAFETY: a valid adapter handle (type invariant) and a fully
        // initialised registration-attributes object that outlives the call.
        let status =
            unsafe { ffi::NdisMSetMiniportAttributes(self.handle, (&raw mut attrs).cast()) };
        super::Status(status).to_result()
    }
}

/// A memory range from the adapter's resources.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MemoryResource {
    /// Physical (CPU) address, to pass to [`super::io::IoSpace::map`].
    pub(crate) start: u64,
    /// Length in bytes.
    pub(crate) length: u32,
}

/// `MiniportInitParameters->AllocatedResources`, for the duration of
/// Initialize.
///
/// # Invariants
///
/// `list` is NULL or points at a resource list whose `count` descriptors
/// are readable for `'p`.
pub(crate) struct ResourceList<'p> {
    list: *const ffi::CM_PARTIAL_RESOURCE_LIST,
    _p: PhantomData<&'p ffi::CM_PARTIAL_RESOURCE_LIST>,
}

impl ResourceList<'_> {
    /// # Safety
    ///
    /// `list` must be NULL or a resource list readable (with its `count`
    /// descriptors) for the returned object's lifetime.
    pub(super) unsafe fn new(list: *const ffi::CM_PARTIAL_RESOURCE_LIST) -> Self {
        // INVARIANT: by the safety requirement.
        Self {
            list,
            _p: PhantomData,
        }
    }

    fn descriptor(&self, i: usize) -> Option<ffi::CM_PARTIAL_RESOURCE_DESCRIPTOR> {
        if self.list.is_null() {
            return None;
        }
        // SAFETY: non-NULL, readable (type invariant).
        let count = unsafe { (*self.list).Count } as usize;
        if i >= count {
            return None;
        }
        // SAFETY: `i < Count`, so descriptor `i` is readable (type
        // invariant); the array (`#pragma pack(4)`) may be unaligned for
        // 8-byte reads.
        Some(unsafe {
            (&raw const (*self.list).PartialDescriptors)
                .cast::<ffi::CM_PARTIAL_RESOURCE_DESCRIPTOR>()
                .add(i)
                .read_unaligned()
        })
    }

    /// The memory ranges (`CmResourceTypeMemory`), in order.
    pub(crate) fn memory(&self) -> impl Iterator<Item = MemoryResource> + '_ {
        (0..)
            .map_while(|i| self.descriptor(i))
            .filter(|d| u32::from(d.Type) == ffi::CmResourceTypeMemory)
            .map(|d| {
                // SAFETY: a `CmResourceTypeMemory` descriptor's union is its
                // `Memory` view; `Start` is a `LARGE_INTEGER`, whose
                // `QuadPart` covers all of it. Packed fields are read by
                // value.
                let (start, length) = unsafe { (d.u.Memory.Start.QuadPart, d.u.Memory.Length) };
                MemoryResource {
                    start: start as u64,
                    length,
                }
            })
    }
}
