// SPDX-License-Identifier: GPL-2.0

//! What the shim reads of a miniport's NET_BUFFER and MDL chain, and the
//! buffer it writes a `SCATTER_GATHER_LIST` into, as Rust types.
//!
//! [`crate::exports`] makes these from the miniport's pointers (the
//! constructors are `unsafe`: the caller vouches for the memory, as NDIS
//! makes the miniport vouch); everything behind the edge uses them safely.

use crate::{abi, mdl::MdlView};

/// The MDLs of a chain, read one at a time as [`MdlView`]s.
///
/// # Invariants
///
/// `next` is NULL or a readable MDL whose `Next` links are NULL or readable
/// MDLs, for as long as the `MdlChain` (and its copies) exist.
#[derive(Clone, Copy)]
pub(crate) struct MdlChain {
    next: *const abi::MDL,
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
        Self { next: first }
    }
}

/// Reads one MDL.
///
/// # Safety
///
/// `mdl` must be a readable MDL.
pub(crate) unsafe fn mdl_view(mdl: *const abi::MDL) -> MdlView {
    // SAFETY: readable (safety requirement).
    let m = unsafe { &*mdl };
    MdlView {
        start_va: m.StartVa as usize,
        byte_offset: m.ByteOffset,
        byte_count: m.ByteCount,
    }
}

impl Iterator for MdlChain {
    type Item = MdlView;

    fn next(&mut self) -> Option<MdlView> {
        if self.next.is_null() {
            return None;
        }
        // SAFETY: non-NULL, so readable by the type invariant.
        let view = unsafe { mdl_view(self.next) };
        // SAFETY: as above.
        self.next = unsafe { (*self.next).Next };
        Some(view)
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
        // SAFETY: readable (safety requirement); `NetBufferHeader` is the
        // `NET_BUFFER_DATA` view of the union's fields, all plain data.
        let data = unsafe { (*nb).__bindgen_anon_1.NetBufferHeader };
        Self {
            address: nb as usize,
            // SAFETY: readable chain (safety requirement).
            chain: unsafe { MdlChain::new(data.MdlChain) },
            data_offset: data.DataOffset,
            // SAFETY: as above.
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
