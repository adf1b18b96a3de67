// SPDX-License-Identifier: GPL-2.0

//! A NET_BUFFER's data mapped as one scatterlist: a thin wrapper over
//! `rust/sg_helpers.c` that unmaps on `Drop`.
//!
//! The kernel crate's `SGTable<Owned>` owns its pages; here the pages are
//! the miniport's, so the table is built by the C helper and only read
//! through the borrowed [`SGTable`] view.

use core::{ffi::c_int, ffi::c_void, ptr::NonNull};
use kernel::{bindings, device, scatterlist::SGTable};

use crate::{
    channel::Direction,
    dma::{c_direction, injected_map_failure, raw_device, MapError, MapPolicy},
};

extern "C" {
    fn ndis_shim_sg_map(
        dev: *mut c_void,
        chunks: *const SgChunk,
        n: u32,
        dir: bindings::dma_data_direction,
        limit: u64,
        reach_all: bool,
        out: *mut *mut bindings::sg_table,
    ) -> c_int;
    fn ndis_shim_sg_unmap(
        dev: *mut c_void,
        sgt: *mut bindings::sg_table,
        dir: bindings::dma_data_direction,
    );
    fn ndis_shim_sg_sync_for_cpu(
        dev: *mut c_void,
        sgt: *mut bindings::sg_table,
        dir: bindings::dma_data_direction,
    );
    fn ndis_shim_dma_max_seg_size(dev: *mut c_void) -> u32;
}

/// `struct ndis_shim_sg_chunk`: one piece of the data, inside one page.
#[repr(C)]
pub(crate) struct SgChunk {
    pub(crate) va: *mut c_void,
    pub(crate) len: u32,
}

/// The device's maximum DMA segment size (`dma_get_max_seg_size`).
pub(crate) fn max_seg_size(dev: &device::Device) -> u32 {
    // SAFETY: `raw_device` gives a valid `struct device` while `dev` lives.
    unsafe { ndis_shim_dma_max_seg_size(raw_device(dev)) }
}

/// A streaming mapping of pieces of kernel memory as one sg_table.
///
/// # Invariants
///
/// `sgt` was mapped for `dev` in `dir` by `ndis_shim_sg_map` (every entry
/// checked); it is unmapped and freed exactly once, in `Drop`. `dev` is
/// valid until then.
///
/// The device is borrowed, as [`crate::dma::StreamingMapping`]'s is: the
/// adapter that maps keeps it alive (bound) for longer than any of its
/// lists, which its SG registration unmaps at the latest when the adapter
/// lets it go.
pub(crate) struct SgMapping {
    dev: NonNull<device::Device>,
    sgt: NonNull<bindings::sg_table>,
    dir: Direction,
}

// SAFETY: the table is owned by this value and only read while it lives;
// a `struct device` may be used from any thread.
unsafe impl Send for SgMapping {}

impl SgMapping {
    /// Maps `chunks` for a transfer in `dir`, within `policy` (made for
    /// `dev`). Never sleeps.
    ///
    /// # Safety
    ///
    /// Each chunk must be kernel memory inside one page that stays allocated
    /// until the mapping is dropped, and `dev` must stay valid until then.
    pub(crate) unsafe fn new(
        dev: &device::Device,
        chunks: &[SgChunk],
        dir: Direction,
        policy: &MapPolicy,
    ) -> core::result::Result<Self, MapError> {
        if injected_map_failure() {
            return Err(MapError::Failed);
        }
        let n = u32::try_from(chunks.len()).map_err(|_| MapError::Failed)?;
        let mut sgt: *mut bindings::sg_table = core::ptr::null_mut();
        // SAFETY: `dev` is valid; `chunks` is a valid array of `n` pieces of
        // kernel memory (safety requirement); `sgt` is a valid out pointer.
        let ret = unsafe {
            ndis_shim_sg_map(
                raw_device(dev),
                chunks.as_ptr(),
                n,
                c_direction(dir),
                policy.limit(),
                policy.reach_all(),
                &mut sgt,
            )
        };
        match (-ret, NonNull::new(sgt)) {
            // INVARIANT: mapped and checked by the helper; `dev` outlives
            // the mapping by this function's safety requirement.
            (0, Some(sgt)) => Ok(Self {
                dev: NonNull::from(dev),
                sgt,
                dir,
            }),
            (e, _) if e == bindings::EFAULT as c_int || e == bindings::ERANGE as c_int => {
                Err(MapError::NeedsBounce)
            }
            _ => Err(MapError::Failed),
        }
    }

    /// The mapped segments `(bus address, length)`, in order.
    pub(crate) fn segments(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        // SAFETY: by the type invariant the table is valid and mapped while
        // `self` lives, and nothing modifies it.
        let table = unsafe { SGTable::from_raw(self.sgt.as_ptr()) };
        table.iter().map(|e| (e.dma_address(), e.dma_len()))
    }

    /// Hands the memory back to the CPU after a device-to-host transfer.
    pub(crate) fn sync_for_cpu(&self) {
        // SAFETY: by the type invariant the table is mapped for `dev`.
        unsafe {
            ndis_shim_sg_sync_for_cpu(
                self.dev.as_ptr().cast(),
                self.sgt.as_ptr(),
                c_direction(self.dir),
            )
        }
    }
}

impl Drop for SgMapping {
    fn drop(&mut self) {
        // SAFETY: by the type invariant the table is mapped and this is the
        // only place that unmaps and frees it.
        unsafe {
            ndis_shim_sg_unmap(
                self.dev.as_ptr().cast(),
                self.sgt.as_ptr(),
                c_direction(self.dir),
            )
        }
    }
}
