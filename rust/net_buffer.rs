// SPDX-License-Identifier: GPL-2.0

//! What the shim reads of a miniport's NET_BUFFER and MDL chain, and the
//! buffer it writes a `SCATTER_GATHER_LIST` into, as Rust types.
//!
//! [`crate::exports`] makes these from the miniport's pointers (the
//! constructors are `unsafe`: the caller vouches for the memory, as NDIS
//! makes the miniport vouch); everything behind the edge uses them safely.

use core::ffi::c_void;
use kernel::page::PAGE_SIZE;

use crate::{
    abi,
    mdl::{MdlView, RawMdl, Unresolvable},
};

extern "C" {
    fn ndis_shim_kernel_range(va: *const c_void, len: usize) -> bool;
}

/// The MDLs of a chain, read one at a time as [`MdlView`]s.
///
/// The chain ends early at an MDL the shim cannot resolve ([`mdl_view`]);
/// [`MdlChain::refused`] then says why, and the call using it must be
/// refused.
///
/// # Invariants
///
/// `next` is NULL or a readable MDL whose `Next` links are NULL or readable
/// MDLs, for as long as the `MdlChain` (and its copies) exist.
#[derive(Clone, Copy)]
pub(crate) struct MdlChain {
    next: *const abi::MDL,
    refused: Option<Unresolvable>,
}

impl MdlChain {
    /// The chain starting at `first`.
    ///
    /// # Safety
    ///
    /// `first` must be NULL or a readable MDL whose `Next` links are NULL or
    /// readable MDLs while the chain is used.
    pub(crate) unsafe fn new(first: *const abi::MDL) -> Self {
        // INVARIANT: by the safety requirement.
        Self {
            next: first,
            refused: None,
        }
    }

    /// Why iteration stopped before the chain's end, if it did: an MDL
    /// whose pages the shim cannot resolve.
    pub(crate) fn refused(&self) -> Option<Unresolvable> {
        self.refused
    }
}

/// Reads one MDL as the shim uses it: its data in system space, per
/// `MdlFlags` and `MappedSystemVa` ([`RawMdl::system_view`]), checked to be
/// memory the kernel can turn into pages. The one place the shim decides
/// which address an MDL gives it; `StartVa` is never used as an address.
///
/// # Safety
///
/// `mdl` must be a readable MDL.
pub(crate) unsafe fn mdl_view(mdl: *const abi::MDL) -> Result<MdlView, Unresolvable> {
    const _: () = assert!(
        crate::mdl::MDL_SYSTEM_VA_FLAGS as u32
            == abi::MDL_MAPPED_TO_SYSTEM_VA | abi::MDL_SOURCE_IS_NONPAGED_POOL
    );
    // SAFETY: readable (safety requirement).
    let m = unsafe { &*mdl };
    let view = RawMdl {
        flags: m.MdlFlags as u16,
        mapped_system_va: m.MappedSystemVa as usize,
        start_va: m.StartVa as usize,
        byte_offset: m.ByteOffset,
        byte_count: m.ByteCount,
    }
    .system_view(PAGE_SIZE)?;
    let va = view.start_va + view.byte_offset as usize;
    let len = view.byte_count as usize;
    if len != 0 {
        if va.checked_add(len).is_none() {
            return Err(Unresolvable::NotKernelMemory);
        }
        // SAFETY: a query on addresses only; the range does not wrap and is
        // not empty, as the helper requires.
        if !unsafe { ndis_shim_kernel_range(va as *const c_void, len) } {
            return Err(Unresolvable::NotKernelMemory);
        }
    }
    Ok(view)
}

impl Iterator for MdlChain {
    type Item = MdlView;

    fn next(&mut self) -> Option<MdlView> {
        if self.next.is_null() {
            return None;
        }
        // SAFETY: non-NULL, so readable by the type invariant.
        let view = unsafe { mdl_view(self.next) };
        // SAFETY: `self.next` non-NULL, so a readable MDL (type invariant).
        self.next = unsafe { (*self.next).Next };
        match view {
            Ok(view) => Some(view),
            Err(why) => {
                // INVARIANT: NULL ends the chain.
                self.next = core::ptr::null();
                self.refused = Some(why);
                None
            }
        }
    }
}

/// The `NET_BUFFER_DATA` of a NET_BUFFER: all the shim reads of it.
#[derive(Clone, Copy)]
pub(crate) struct NetBufferView {
    /// The NET_BUFFER's address: Free must name the one Allocate did.
    pub(crate) address: usize,
    /// `MdlChain`: where `DataOffset` counts from.
    pub(crate) chain: MdlChain,
    /// `DataOffset`.
    pub(crate) data_offset: u32,
    /// The chain from `CurrentMdl` on: where an SG list starts.
    pub(crate) current: MdlChain,
    /// `CurrentMdlOffset`: the data's offset into `CurrentMdl`.
    pub(crate) current_mdl_offset: u32,
    /// `DataLength`.
    pub(crate) data_length: u32,
}

impl NetBufferView {
    /// Reads `nb`.
    ///
    /// # Safety
    ///
    /// `nb` must be a readable NET_BUFFER whose MDL chains (from `MdlChain`
    /// and from `CurrentMdl`) are readable while the view is used.
    pub(crate) unsafe fn read(nb: *const abi::NET_BUFFER) -> Self {
        // SAFETY: readable (safety requirement); `NetBufferData` is the
        // `NET_BUFFER_DATA` view of the `NetBufferHeader` union's fields, all
        // plain data.
        let data = unsafe { (*nb).__bindgen_anon_1.NetBufferHeader.NetBufferData };
        Self {
            address: nb as usize,
            // SAFETY: readable chain (safety requirement).
            chain: unsafe { MdlChain::new(data.MdlChain) },
            data_offset: data.DataOffset,
            // SAFETY: the chain from `CurrentMdl` is readable while the view is
            // used (safety requirement).
            current: unsafe { MdlChain::new(data.CurrentMdl) },
            current_mdl_offset: data.CurrentMdlOffset,
            // SAFETY: `DataLength` (ULONG) and `stDataLength` (SIZE_T) share
            // their low 32 bits on little-endian x86_64; NDIS reads the ULONG.
            data_length: unsafe { data.__bindgen_anon_1.DataLength },
        }
    }
}

/// Memory a `SCATTER_GATHER_LIST` may be written into.
///
/// # Invariants
///
/// `ptr` is NULL or writable for `len` bytes until the list written there
/// is freed.
pub(crate) struct ListBuffer {
    ptr: *mut u8,
    len: usize,
}

impl ListBuffer {
    /// The miniport's `ScatterGatherListBuffer` of `len` bytes.
    ///
    /// # Safety
    ///
    /// `ptr` must be NULL or writable for `len` bytes until the list written
    /// there is freed.
    pub(crate) unsafe fn new(ptr: *mut core::ffi::c_void, len: u32) -> Self {
        // INVARIANT: by the safety requirement.
        Self {
            ptr: ptr.cast(),
            len: len as usize,
        }
    }

    /// The buffer, if it holds at least `bytes` bytes.
    pub(crate) fn holding(&self, bytes: usize) -> Option<*mut u8> {
        (!self.ptr.is_null() && self.len >= bytes).then_some(self.ptr)
    }
}
