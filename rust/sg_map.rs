// SPDX-License-Identifier: GPL-2.0

//! A NET_BUFFER's data mapped as one scatterlist: a thin wrapper over
//! `rust/sg_helpers.c`.
//!
//! The kernel crate's `SGTable<Owned>` owns its pages; here the pages are
//! the miniport's, so the table is filled and mapped by the C helper and
//! only read through the borrowed [`SGTable`] view. A table lives in a list
//! record of its registration and is used for one list after another: its
//! entries are allocated once, at registration ([`SgEntries`]), and a list
//! needing more than they hold gets a table of its own for its lifetime.

use core::{
    ffi::{c_int, c_void},
    ptr::NonNull,
};
use kernel::{bindings, device, prelude::*, scatterlist::SGTable};

use crate::{
    channel::Direction,
    dma::{c_direction, injected_map_failure, raw_device, MapError, MapPolicy},
};

extern "C" {
    fn ndis_shim_sg_entries_alloc(n: u32) -> *mut bindings::scatterlist;
    fn ndis_shim_sg_entries_free(ents: *mut bindings::scatterlist);
    fn ndis_shim_sg_map(
        dev: *mut c_void,
        sgt: *mut bindings::sg_table,
        ents: *mut bindings::scatterlist,
        cap: u32,
        ranges: *const SgRange,
        nranges: u32,
        nents: u32,
        dir: bindings::dma_data_direction,
        limit: u64,
        reach_all: bool,
    ) -> c_int;
    fn ndis_shim_sg_unmap(
        dev: *mut c_void,
        sgt: *mut bindings::sg_table,
        ents: *mut bindings::scatterlist,
        dir: bindings::dma_data_direction,
        sync_for_cpu: bool,
    );
    fn ndis_shim_dma_max_seg_size(dev: *mut c_void) -> u32;
}

/// `struct ndis_shim_sg_range`: one virtually contiguous piece of the data.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct SgRange {
    pub(crate) va: *mut c_void,
    pub(crate) len: usize,
}

// SAFETY: an address and a length, only passed to the mapping helpers by
// whoever holds the list they belong to.
unsafe impl Send for SgRange {}

/// The device's maximum DMA segment size (`dma_get_max_seg_size`).
pub(crate) fn max_seg_size(dev: &device::Device) -> u32 {
    // SAFETY: `raw_device` gives a valid `struct device` while `dev` lives.
    unsafe { ndis_shim_dma_max_seg_size(raw_device(dev)) }
}

/// Scatterlist entries allocated once, for one table after another.
///
/// # Invariants
///
/// `ptr` is NULL (`cap` 0) or a `kcalloc` of `cap` entries, freed in `Drop`.
struct SgEntries {
    ptr: *mut bindings::scatterlist,
    cap: u32,
}

impl SgEntries {
    /// `cap` entries (none for 0). PASSIVE: may sleep.
    fn new(cap: u32) -> Result<Self> {
        if cap == 0 {
            return Ok(Self {
                ptr: core::ptr::null_mut(),
                cap: 0,
            });
        }
        // SAFETY: no requirement.
        let ptr = unsafe { ndis_shim_sg_entries_alloc(cap) };
        if ptr.is_null() {
            return Err(ENOMEM);
        }
        // INVARIANT: allocated for `cap` entries.
        Ok(Self { ptr, cap })
    }
}

impl Drop for SgEntries {
    fn drop(&mut self) {
        // SAFETY: NULL or the allocation of `new` (type invariant); kfree
        // takes NULL.
        unsafe { ndis_shim_sg_entries_free(self.ptr) };
    }
}

/// An sg_table that maps one list's data at a time.
///
/// # Invariants
///
/// While `mapped` is `Some((dev, dir))`, `sgt` was filled and mapped for
/// `dev` in `dir` by `ndis_shim_sg_map` (every entry checked), in `ents`
/// or in a table of its own; `dev` is valid until it is unmapped, which
/// happens exactly once ([`SgTable::unmap`] or `Drop`).
///
/// The device is borrowed, as [`crate::dma::StreamingMapping`]'s is: the
/// adapter that maps keeps it alive (bound) for longer than any of its
/// lists, which its SG registration unmaps at the latest when the adapter
/// lets it go.
pub(crate) struct SgTable {
    sgt: bindings::sg_table,
    ents: SgEntries,
    mapped: Option<(NonNull<device::Device>, Direction)>,
}

// SAFETY: the table and its entries are owned by this value; a
// `struct device` may be used from any thread.
unsafe impl Send for SgTable {}

impl SgTable {
    /// A table whose lists of up to `cap` entries need no allocation.
    /// PASSIVE: may sleep.
    pub(crate) fn new(cap: u32) -> Result<Self> {
        Ok(Self {
            // SAFETY: all-zero is a valid, empty `struct sg_table`.
            sgt: unsafe { core::mem::zeroed() },
            ents: SgEntries::new(cap)?,
            mapped: None,
        })
    }

    /// Maps `ranges`, `nents` pieces within pages in all, for a transfer in
    /// `dir` within `policy` (made for `dev`). The table must not be mapped.
    /// Never sleeps.
    ///
    /// # Safety
    ///
    /// Each range must be kernel memory as an MDL's decoding accepts it (see
    /// `net_buffer::mdl_view`) that stays allocated until the table is
    /// unmapped, and `dev` must stay valid until then.
    pub(crate) unsafe fn map(
        &mut self,
        dev: &device::Device,
        ranges: &[SgRange],
        nents: u32,
        dir: Direction,
        policy: &MapPolicy,
    ) -> core::result::Result<(), MapError> {
        if self.mapped.is_some() {
            return Err(MapError::Failed);
        }
        if injected_map_failure() {
            return Err(MapError::Failed);
        }
        let n = u32::try_from(ranges.len()).map_err(|_| MapError::Failed)?;
        // SAFETY: `dev` is valid; `sgt` is this table's, not mapped;
        // `ents` holds `cap` entries (type invariant of `SgEntries`);
        // `ranges` is a valid array of `n` ranges of kernel memory (safety
        // requirement).
        let ret = unsafe {
            ndis_shim_sg_map(
                raw_device(dev),
                &mut self.sgt,
                self.ents.ptr,
                self.ents.cap,
                ranges.as_ptr(),
                n,
                nents,
                c_direction(dir),
                policy.limit(),
                policy.reach_all(),
            )
        };
        match -ret {
            0 => {
                // INVARIANT: mapped and checked by the helper; `dev`
                // outlives the mapping by this function's safety requirement.
                self.mapped = Some((NonNull::from(dev), dir));
                Ok(())
            }
            e if e == bindings::EFAULT as c_int || e == bindings::ERANGE as c_int => {
                Err(MapError::NeedsBounce)
            }
            _ => Err(MapError::Failed),
        }
    }

    /// The mapped segments `(bus address, length)`, in order; none when
    /// not mapped.
    pub(crate) fn segments(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        // SAFETY: the table is valid while `self` lives and only `&mut self`
        // methods modify it; the helpers leave an unmapped table empty
        // (`nents` 0).
        let table = unsafe { SGTable::from_raw(core::ptr::from_ref(&self.sgt).cast_mut()) };
        table.iter().map(|e| (e.dma_address(), e.dma_len()))
    }

    /// Unmaps the table if it is mapped; for a device-to-host transfer,
    /// first hands the memory back to the CPU if `sync_for_cpu`. Never
    /// sleeps.
    pub(crate) fn unmap(&mut self, sync_for_cpu: bool) {
        let Some((dev, dir)) = self.mapped.take() else {
            return;
        };
        // SAFETY: mapped for `dev` in `dir` by `ndis_shim_sg_map` (type
        // invariant), `dev` still valid; `mapped` is now `None`, so it is
        // unmapped once.
        unsafe {
            ndis_shim_sg_unmap(
                dev.as_ptr().cast(),
                &mut self.sgt,
                self.ents.ptr,
                c_direction(dir),
                sync_for_cpu && dir == Direction::FromDevice,
            )
        }
    }
}

impl Drop for SgTable {
    fn drop(&mut self) {
        self.unmap(false);
    }
}
