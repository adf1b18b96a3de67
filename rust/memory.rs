// SPDX-License-Identifier: GPL-2.0

//! Pool memory and MDLs: `NdisAllocateMemoryWithTagPriority`,
//! `NdisFreeMemory`, `NdisAllocateMdl`, `NdisFreeMdl`.
//!
//! Both are callable at DISPATCH_LEVEL on Windows, so they allocate
//! atomically unless the caller may sleep.

use core::ffi::c_void;
use kernel::bindings;

use crate::ffi;

extern "C" {
    fn ndis_shim_may_sleep() -> bool;
}

/// Whether the caller may sleep (PASSIVE_LEVEL): not in atomic context, no
/// spin lock held, interrupts on.
pub(crate) fn may_sleep() -> bool {
    // SAFETY: a context query with no preconditions.
    unsafe { ndis_shim_may_sleep() }
}

fn gfp() -> bindings::gfp_t {
    if may_sleep() {
        bindings::GFP_KERNEL
    } else {
        bindings::GFP_ATOMIC | bindings::__GFP_NOWARN
    }
}

/// `NdisAllocateMemoryWithTagPriority`: zeroed, physically contiguous
/// memory (so a miniport may hand it to `NdisAllocateMdl` and DMA it), or
/// NULL.
pub(crate) fn allocate(len: u32) -> *mut c_void {
    if len == 0 {
        return core::ptr::null_mut();
    }
    // SAFETY: `kmalloc` with a valid size and flags.
    unsafe { bindings::__kmalloc_noprof(len as usize, gfp() | bindings::__GFP_ZERO) }
}

/// `NdisFreeMemory`.
///
/// # Safety
///
/// `va` must be NULL or come from [`allocate`], and not be freed already.
pub(crate) unsafe fn free(va: *mut c_void) {
    // SAFETY: by the safety requirement.
    unsafe { bindings::kfree(va) };
}

/// `NdisAllocateMdl`: describes `len` bytes at `va` (kernel memory).
pub(crate) fn allocate_mdl(va: *mut c_void, len: u32) -> *mut ffi::Mdl {
    if va.is_null() || len == 0 {
        return core::ptr::null_mut();
    }
    // SAFETY: `kmalloc` with a valid size and flags.
    let mdl: *mut ffi::Mdl =
        unsafe { bindings::__kmalloc_noprof(core::mem::size_of::<ffi::Mdl>(), gfp()) }.cast();
    if mdl.is_null() {
        return mdl;
    }
    let addr = va as usize;
    let page_mask = kernel::page::PAGE_SIZE - 1;
    // MDL_SOURCE_IS_NONPAGED_POOL | MDL_MAPPED_TO_SYSTEM_VA: kernel memory.
    const MDL_FLAGS: i16 = 0x0004 | 0x0001;
    // SAFETY: `mdl` is a fresh allocation of the right size and alignment.
    unsafe {
        mdl.write(ffi::Mdl {
            next: core::ptr::null_mut(),
            size: core::mem::size_of::<ffi::Mdl>() as i16,
            mdl_flags: MDL_FLAGS,
            process: core::ptr::null_mut(),
            mapped_system_va: va,
            start_va: (addr & !page_mask) as *mut c_void,
            byte_count: len,
            byte_offset: (addr & page_mask) as u32,
        })
    };
    mdl
}

/// `NdisFreeMdl`.
///
/// # Safety
///
/// `mdl` must be NULL or come from [`allocate_mdl`], and not be freed already.
pub(crate) unsafe fn free_mdl(mdl: *mut ffi::Mdl) {
    // SAFETY: by the safety requirement.
    unsafe { bindings::kfree(mdl.cast()) };
}
