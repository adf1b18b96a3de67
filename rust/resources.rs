// SPDX-License-Identifier: GPL-2.0

//! An adapter's hardware resources: the resource list `MiniportInitializeEx`
//! and `NdisMQueryAdapterResources` hand out, PCI config space
//! (`NdisMGetBusData`, `NdisMSetBusData`) and I/O space
//! (`NdisMMapIoSpace`, `NdisMUnmapIoSpace`).

use core::ffi::c_void;
use kernel::{bindings, new_mutex, pci, prelude::*, sync::Mutex};

use crate::{
    abi,
    adapter_core::AdapterCore,
    pci_device::raw_pci_dev,
    status::{Error, Result as NdisResult},
};

/// The function's BARs and interrupt, as `MiniportInitializeEx` and
/// `NdisMQueryAdapterResources` hand them out.
pub(crate) fn resources_of<Ctx: kernel::device::DeviceContext>(
    pci: &pci::Device<Ctx>,
) -> abi::NDIS_SHIM_RESOURCE_LIST {
    let pdev = raw_pci_dev(pci);
    let mut list = abi::NDIS_SHIM_RESOURCE_LIST {
        Version: 1,
        Revision: 1,
        ..Default::default()
    };
    let mut n = 0;
    for bar in 0..6 {
        // SAFETY: `pci` is a live PCI device; `resource` has at least 6
        // entries. The kernel crate has no accessor for a BAR's flags.
        let r = unsafe { &(*pdev).resource[bar] };
        if r.flags & (bindings::IORESOURCE_MEM | bindings::IORESOURCE_IO) as usize == 0
            || r.end < r.start
        {
            continue;
        }
        let range = abi::_CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_5 {
            Start: abi::PHYSICAL_ADDRESS {
                QuadPart: r.start as i64,
            },
            Length: (r.end - r.start + 1).min(u64::from(u32::MAX)) as u32,
        };
        let (type_, u) = if r.flags & bindings::IORESOURCE_MEM as usize != 0 {
            (
                abi::CmResourceTypeMemory,
                abi::_CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1 { Memory: range },
            )
        } else {
            (
                abi::CmResourceTypePort,
                abi::_CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1 {
                    Port: abi::_CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_2 {
                        Start: range.Start,
                        Length: range.Length,
                    },
                },
            )
        };
        list.PartialDescriptors[n] = abi::CM_PARTIAL_RESOURCE_DESCRIPTOR {
            Type: type_ as u8,
            ShareDisposition: abi::CmResourceShareDeviceExclusive as u8,
            Flags: 0,
            u,
        };
        n += 1;
    }
    // SAFETY: `pci` is a live PCI device, so `pdev` is readable.
    let irq = unsafe { (*pdev).irq };
    if irq != 0 {
        list.PartialDescriptors[n] = abi::CM_PARTIAL_RESOURCE_DESCRIPTOR {
            Type: abi::CmResourceTypeInterrupt as u8,
            ShareDisposition: abi::CmResourceShareDeviceExclusive as u8,
            Flags: abi::CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE as u16,
            u: abi::_CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1 {
                Interrupt: abi::_CM_PARTIAL_RESOURCE_DESCRIPTOR__bindgen_ty_1__bindgen_ty_3 {
                    Level: irq as u16,
                    Group: 0,
                    Vector: irq,
                    Affinity: u32::MAX.into(),
                },
            },
        };
        n += 1;
    }
    list.Count = n as u32;
    list
}

/// The memory ranges of a resource list: (start, length) of each.
fn memory_ranges(list: &abi::NDIS_SHIM_RESOURCE_LIST) -> impl Iterator<Item = (u64, u64)> + '_ {
    let count = (list.Count as usize).min(list.PartialDescriptors.len());
    list.PartialDescriptors[..count]
        .iter()
        .filter(|d| u32::from(d.Type) == abi::CmResourceTypeMemory)
        // SAFETY: a memory descriptor's union holds `Memory` (written so by
        // `resources_of`); plain integers either way.
        .map(|d| unsafe {
            (
                d.u.Memory.Start.QuadPart as u64,
                u64::from(d.u.Memory.Length),
            )
        })
}

/// `NdisMQueryAdapterResources`: the adapter's resource list and how many
/// of its bytes a copy needs (through its last descriptor).
pub(crate) fn resource_list(adapter: &AdapterCore) -> (abi::NDIS_SHIM_RESOURCE_LIST, usize) {
    let resources = adapter.resources;
    let needed = core::mem::offset_of!(abi::NDIS_SHIM_RESOURCE_LIST, PartialDescriptors)
        + resources.Count as usize * core::mem::size_of::<abi::CM_PARTIAL_RESOURCE_DESCRIPTOR>();
    (resources, needed)
}

/// A buffer of `NdisMGetBusData` / `NdisMSetBusData`.
pub(crate) enum BusBuffer<'a> {
    /// `NdisMGetBusData`: read into.
    Read(&'a mut [u8]),
    /// `NdisMSetBusData`: written from.
    Write(&'a [u8]),
}

/// `NdisMGetBusData` / `NdisMSetBusData` on PCI config space: the number of
/// bytes transferred (0 on a bad handle, space or range; `None` is a NULL
/// buffer).
pub(crate) fn bus_data(
    adapter: &AdapterCore,
    space: u32,
    offset: u32,
    buf: Option<BusBuffer<'_>>,
) -> u32 {
    const CALL: &str = "NdisM{Get,Set}BusData";
    let pci = adapter.bound_pci();
    let cfg_size = pci.cfg_size().into_raw();
    let len = match &buf {
        Some(BusBuffer::Read(b)) => b.len(),
        Some(BusBuffer::Write(b)) => b.len(),
        None => 0,
    };
    let in_range = (offset as usize)
        .checked_add(len)
        .is_some_and(|end| end <= cfg_size);
    let (Some(mut buf), true) = (buf, space == abi::PCI_WHICHSPACE_CONFIG && in_range) else {
        adapter.reject(CALL, "bad space, buffer or range");
        return 0;
    };
    let mut done = 0;
    for i in 0..len {
        let pos = (offset as usize + i) as core::ffi::c_int;
        let pdev = adapter.pci_dev();
        // Byte by byte, as the range may be unaligned. The kernel crate's
        // `ConfigSpace` checks offsets against a compile-time region, which
        // a range from the miniport is not.
        // SAFETY: the device is bound (the adapter's invariant) and `pos`
        // lies inside its config space (checked above).
        let ret = unsafe {
            match &mut buf {
                BusBuffer::Read(b) => bindings::pci_read_config_byte(pdev, pos, &mut b[i]),
                BusBuffer::Write(b) => bindings::pci_write_config_byte(pdev, pos, b[i]),
            }
        };
        if ret != 0 {
            break;
        }
        done += 1;
    }
    done
}

/// An `ioremap` made by `NdisMMapIoSpace`, unmapped on drop.
///
/// # Invariants
///
/// `cpu` was returned by `ioremap` for `len` bytes and is unmapped once, in
/// `Drop`.
pub(crate) struct IoMapping {
    cpu: usize,
    len: usize,
}

impl Drop for IoMapping {
    fn drop(&mut self) {
        // SAFETY: mapped by `ioremap` (type invariant), unmapped only here.
        unsafe { bindings::iounmap(self.cpu as *mut c_void) };
    }
}

/// An adapter's I/O space mappings (`NdisMMapIoSpace`). PASSIVE_LEVEL
/// only, so a mutex.
#[pin_data]
pub(crate) struct IoSpace {
    #[pin]
    maps: Mutex<KVec<IoMapping>>,
}

impl IoSpace {
    /// None yet.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(IoSpace {
            maps <- new_mutex!(KVec::new()),
        })
    }

    /// `NdisMMapIoSpace`: maps part of one of `adapter`'s memory BARs.
    pub(crate) fn map(
        &self,
        adapter: &AdapterCore,
        phys: u64,
        len: u32,
    ) -> NdisResult<*mut c_void> {
        let end = phys
            .checked_add(u64::from(len))
            .ok_or(Error::InvalidParameter)?;
        let inside = memory_ranges(&adapter.resources)
            .any(|(start, dlen)| phys >= start && end <= start + dlen);
        if len == 0 || !inside {
            return Err(Error::ResourceConflict);
        }
        let mut maps = self.maps.lock();
        maps.reserve(1, GFP_KERNEL).map_err(|_| Error::Resources)?;
        // SAFETY: `phys..end` lies inside a memory BAR of the bound device.
        let cpu = unsafe { bindings::ioremap(phys, len as usize) };
        if cpu.is_null() {
            return Err(Error::Resources);
        }
        // INVARIANT: just mapped, for `len` bytes.
        let mapping = IoMapping {
            cpu: cpu as usize,
            len: len as usize,
        };
        // Cannot fail: reserved above.
        maps.push_within_capacity(mapping)
            .map_err(|_| Error::Resources)?;
        Ok(cpu.cast())
    }

    /// `NdisMUnmapIoSpace`: the mapping must be one `map` made. `cpu` is
    /// the address the miniport passed: only compared.
    pub(crate) fn unmap(&self, adapter: &AdapterCore, cpu: usize, len: u32) {
        let mut maps = self.maps.lock();
        let Some(i) = maps
            .iter()
            .position(|m| m.cpu == cpu && m.len == len as usize)
        else {
            drop(maps);
            adapter.reject("NdisMUnmapIoSpace", "not a mapping of this adapter");
            return;
        };
        let mapping = maps.remove(i);
        drop(maps);
        drop(mapping);
    }

    /// Unmaps what the miniport left; how many there were.
    pub(crate) fn release(&self) -> usize {
        let maps = core::mem::take(&mut *self.maps.lock());
        maps.len()
    }
}
