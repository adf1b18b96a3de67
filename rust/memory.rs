// SPDX-License-Identifier: GPL-2.0

//! Pool memory and MDLs: `NdisAllocateMemoryWithTagPriority`,
//! `NdisFreeMemory`, `NdisAllocateMdl`, `NdisFreeMdl`.
//!
//! Both are callable at DISPATCH_LEVEL on Windows, so they allocate
//! atomically unless the caller may sleep.

use core::ffi::c_void;
use kernel::bindings;

use crate::abi;

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
pub(crate) fn allocate_mdl(va: *mut c_void, len: u32) -> *mut abi::MDL {
    if va.is_null() || len == 0 {
        return core::ptr::null_mut();
    }
    // SAFETY: `kmalloc` with a valid size and flags.
    let mdl: *mut abi::MDL =
        unsafe { bindings::__kmalloc_noprof(core::mem::size_of::<abi::MDL>(), gfp()) }.cast();
    if mdl.is_null() {
        return mdl;
    }
    let addr = va as usize;
    let page_mask = kernel::page::PAGE_SIZE - 1;
    // As IoAllocateMdl + MmBuildMdlForNonPagedPool build it on Windows:
    // nonpaged, so MappedSystemVa is the data's address.
    const MDL_FLAGS: i16 = abi::MDL_SOURCE_IS_NONPAGED_POOL as i16;
    // SAFETY: `mdl` is a fresh allocation of the right size and alignment.
    unsafe {
        mdl.write(abi::MDL {
            Next: core::ptr::null_mut(),
            Size: core::mem::size_of::<abi::MDL>() as i16,
            MdlFlags: MDL_FLAGS,
            Process: core::ptr::null_mut(),
            MappedSystemVa: va,
            StartVa: (addr & !page_mask) as *mut c_void,
            ByteCount: len,
            ByteOffset: (addr & page_mask) as u32,
        })
    };
    mdl
}

/// `NdisFreeMdl`.
///
/// # Safety
///
/// `mdl` must be NULL or come from [`allocate_mdl`], and not be freed already.
pub(crate) unsafe fn free_mdl(mdl: *mut abi::MDL) {
    // SAFETY: by the safety requirement.
    unsafe { bindings::kfree(mdl.cast()) };
}
