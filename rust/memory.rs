// SPDX-License-Identifier: GPL-2.0

//! Pool memory and MDLs: `NdisAllocateMemoryWithTagPriority`,
//! `NdisAllocateMemoryWithTag`, `NdisAllocateMemory`, `NdisFreeMemory`,
//! `NdisAllocateMdl`, `NdisFreeMdl`.
//!
//! All are callable at DISPATCH_LEVEL on Windows, so they allocate
//! atomically unless the caller may sleep. Every allocation is one
//! `kmalloc` block, whatever its flags, so `NdisFreeMemory` frees by
//! address alone and a miniport that passes back another Length or
//! MemoryFlags than it allocated with (common, and harmless on Windows for
//! pool memory) frees the right thing.

use core::ffi::c_void;
use kernel::bindings;

use crate::abi;

extern "C" {
    fn ndis_shim_may_sleep() -> bool;
    fn ndis_shim_kmalloc_dma_zone(size: usize, gfp: bindings::gfp_t) -> *mut c_void;
    fn ndis_shim_virt_to_phys(va: *mut c_void) -> u64;
}

/// Whether the caller may sleep (PASSIVE_LEVEL): not in atomic context, no
/// spin lock held, interrupts on.
pub(crate) fn may_sleep() -> bool {
    // SAFETY: a context query with no preconditions.
    unsafe { ndis_shim_may_sleep() }
}

/// The flags for memory a call that may run at DISPATCH_LEVEL allocates:
/// `GFP_KERNEL` when the caller may sleep, else `GFP_ATOMIC` (no warning:
/// NULL is the documented answer). Decided where the caller stands: never
/// inside a registry lookup's [`crate::registry::Found`], which keeps
/// preemption off.
pub(crate) fn gfp() -> bindings::gfp_t {
    if may_sleep() {
        bindings::GFP_KERNEL
    } else {
        bindings::GFP_ATOMIC | bindings::__GFP_NOWARN
    }
}

/// As [`gfp`], zeroed, and no warning for a size the allocator cannot give.
pub(crate) fn gfp_zeroed() -> bindings::gfp_t {
    gfp() | bindings::__GFP_ZERO | bindings::__GFP_NOWARN
}

/// As [`gfp`], for the kernel crate's allocations (`Arc::new`, `KVec`).
pub(crate) fn alloc_flags() -> kernel::alloc::Flags {
    if may_sleep() {
        kernel::alloc::flags::GFP_KERNEL
    } else {
        kernel::alloc::flags::GFP_ATOMIC | kernel::alloc::flags::__GFP_NOWARN
    }
}

/// The pool alignment Windows x64 guarantees (`MEMORY_ALLOCATION_ALIGNMENT`).
const POOL_ALIGNMENT: usize = 16;

/// `NdisAllocateMemoryWithTagPriority`, `NdisAllocateMemoryWithTag`:
/// zeroed, physically contiguous memory (so a miniport may hand it to
/// `NdisAllocateMdl` and DMA it), aligned to 16 bytes as Windows' pool, or
/// NULL.
pub(crate) fn allocate(len: u32) -> *mut c_void {
    if len == 0 {
        return core::ptr::null_mut();
    }
    // A power-of-two `kmalloc` is aligned to its size: no block smaller
    // than 16 bytes keeps 16-byte alignment.
    let size = (len as usize).max(POOL_ALIGNMENT);
    // No warning for a size the page allocator cannot give: NULL is the
    // documented answer.
    let gfp = gfp_zeroed();
    // SAFETY: `kmalloc` with a valid size and flags.
    unsafe { bindings::__kmalloc_noprof(size, gfp) }
}

/// What `NdisAllocateMemory`'s MemoryFlags ask for.
#[derive(Clone, Copy)]
pub(crate) struct MemoryKind {
    /// `NDIS_MEMORY_CONTIGUOUS`: page aligned and at or below a limit.
    pub(crate) contiguous: bool,
    /// `NDIS_MEMORY_NONCACHED`: page aligned (and cached: see
    /// Documentation/porting.rst).
    pub(crate) noncached: bool,
}

impl MemoryKind {
    /// Decodes MemoryFlags; unknown bits are ignored, as Windows does.
    pub(crate) fn from_flags(flags: u32) -> Self {
        Self {
            contiguous: flags & abi::NDIS_MEMORY_CONTIGUOUS != 0,
            noncached: flags & abi::NDIS_MEMORY_NONCACHED != 0,
        }
    }
}

/// Whether `len` bytes at `va` lie wholly at or below physical `highest`.
fn below(va: *mut c_void, len: usize, highest: u64) -> bool {
    // SAFETY: `va` is a live `kmalloc` block, in the linear map.
    let pa = unsafe { ndis_shim_virt_to_phys(va) };
    pa.checked_add(len as u64 - 1)
        .is_some_and(|end| end <= highest)
}

/// `NdisAllocateMemory`: as [`allocate`] for plain memory. Contiguous and
/// noncached memory is page aligned, as `MmAllocateContiguousMemory` and
/// `MmAllocateNonCachedMemory` give it: a power-of-two block of at least a
/// page, which `kmalloc` aligns to its size (physically contiguous up to
/// the largest block the page allocator gives, 4 MiB). Contiguous memory
/// must end at or below `highest` (physical); when the first block does
/// not, the second comes from ZONE_DMA, the lowest 16 MiB. Plain and
/// noncached memory ignore `highest`, as Windows does.
pub(crate) fn allocate_kind(len: u32, kind: MemoryKind, highest: u64) -> Option<*mut c_void> {
    if !kind.contiguous && !kind.noncached {
        return Some(allocate(len)).filter(|va| !va.is_null());
    }
    if len == 0 {
        return None;
    }
    let len = len as usize;
    let size = len.next_power_of_two().max(kernel::page::PAGE_SIZE);
    let gfp = gfp_zeroed();
    // SAFETY: `kmalloc` with a valid size and flags.
    let va = unsafe { bindings::__kmalloc_noprof(size, gfp) };
    if va.is_null() || !kind.contiguous || below(va, len, highest) {
        return Some(va).filter(|va| !va.is_null());
    }
    // SAFETY: just allocated, never handed out.
    unsafe { bindings::kfree(va) };
    // SAFETY: a valid size and flags.
    let va = unsafe { ndis_shim_kmalloc_dma_zone(size, gfp) };
    if va.is_null() || below(va, len, highest) {
        return Some(va).filter(|va| !va.is_null());
    }
    // SAFETY: just allocated, never handed out.
    unsafe { bindings::kfree(va) };
    None
}

/// `NdisFreeMemory`: every allocation is a `kmalloc` block.
///
/// # Safety
///
/// `va` must be NULL or come from [`allocate`] or [`allocate_kind`], and
/// not be freed already.
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
    // SAFETY: a fresh allocation of the right size and alignment.
    unsafe { build_mdl(mdl, va, len) };
    mdl
}

/// Writes an MDL for `len` bytes of kernel memory at `va` into `mdl`, as
/// IoAllocateMdl + MmBuildMdlForNonPagedPool build it on Windows:
/// nonpaged, so `MappedSystemVa` is the data's address.
///
/// # Safety
///
/// `mdl` writable for an MDL and suitably aligned.
pub(crate) unsafe fn build_mdl(mdl: *mut abi::MDL, va: *mut c_void, len: u32) {
    let addr = va as usize;
    let page_mask = kernel::page::PAGE_SIZE - 1;
    const MDL_FLAGS: i16 = abi::MDL_SOURCE_IS_NONPAGED_POOL as i16;
    // SAFETY: writable (safety requirement).
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
}

/// An MDL and the `len` bytes it describes, in one zeroed block that
/// [`free_mdl`] (and so `NdisFreeMdl`) frees whole: what
/// `NdisRetreatNetBufferDataStart` allocates. NULL when out of memory.
pub(crate) fn allocate_mdl_with_data(len: u32) -> *mut abi::MDL {
    let header = core::mem::size_of::<abi::MDL>();
    let Some(size) = header.checked_add(len as usize) else {
        return core::ptr::null_mut();
    };
    let gfp = gfp_zeroed();
    // SAFETY: `kmalloc` with a valid size and flags.
    let mdl: *mut abi::MDL = unsafe { bindings::__kmalloc_noprof(size, gfp) }.cast();
    if !mdl.is_null() {
        // SAFETY: the block holds the MDL, then `len` bytes of data (the
        // MDL is 48 bytes: the data stays 16-aligned).
        unsafe { build_mdl(mdl, mdl.cast::<u8>().add(header).cast(), len) };
    }
    mdl
}

/// `NdisFreeMdl`, and the shim freeing a retreat MDL of its own: frees
/// the MDL's block (for [`allocate_mdl_with_data`], the data with it; an
/// [`allocate_mdl`] MDL's data is the caller's).
///
/// # Safety
///
/// `mdl` must be NULL or come from [`allocate_mdl`] or
/// [`allocate_mdl_with_data`], and not be freed already.
pub(crate) unsafe fn free_mdl(mdl: *mut abi::MDL) {
    // SAFETY: by the safety requirement.
    unsafe { bindings::kfree(mdl.cast()) };
}

/// The handle `NdisAllocateBufferPool` gives every pool: a name, not an
/// object. NDIS 5 buffer descriptors are MDLs that need no pool (Windows
/// since XP allocates them with `IoAllocateMdl` and accepts a NULL pool),
/// so there is nothing to look up; it is only not NULL, for miniports that
/// test it despite the page's advice. 'NdBP', not a kernel address.
pub(crate) const BUFFER_POOL: usize = 0x5042_644e;
