// SPDX-License-Identifier: GPL-2.0

//! [`Mdl`]: an MDL (`NdisAllocateMdl`) over memory it owns.

use core::mem::ManuallyDrop;
use core::sync::atomic::AtomicU32;
use kernel::{
    alloc::{Allocator, Vec},
    prelude::*,
};

use super::{adapter::Adapter, ffi, Status};

/// Kernel memory an MDL may describe and a device may access.
///
/// # Safety
///
/// `as_mut_ptr` must return the start of `len()` bytes of kernel memory (the
/// linear map or vmalloc space: nonpaged) that stay at that address, not
/// reallocated, until the object is dropped.
pub(crate) unsafe trait DmaBuffer: Send {
    /// Start of the memory.
    fn as_mut_ptr(&mut self) -> *mut u8;
    /// Its length in bytes.
    fn len(&self) -> usize;
    /// The memory, for the CPU.
    fn as_slice(&self) -> &[u8];
    /// The memory, for the CPU, writable.
    fn as_mut_slice(&mut self) -> &mut [u8];
}

// SAFETY: a `Vec`'s heap memory (kmalloc or vmalloc) stays put while the
// vector is not grown, which the MDL never does (it owns the vector).
unsafe impl<A: Allocator> DmaBuffer for Vec<u8, A> {
    fn as_mut_ptr(&mut self) -> *mut u8 {
        self.as_mut_slice().as_mut_ptr()
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn as_slice(&self) -> &[u8] {
        self
    }
    fn as_mut_slice(&mut self) -> &mut [u8] {
        self
    }
}

/// An MDL describing all of `buffer`; `NdisFreeMdl` on drop.
///
/// The MDL owns the buffer, so a transfer that borrows the MDL keeps the
/// memory alive and away from CPU writes until it completes.
///
/// # Invariants
///
/// `raw` came from `NdisAllocateMdl` for `adapter` and describes `buffer`'s
/// memory; `in_flight` counts transfers set up on it and not completed.
pub(crate) struct Mdl<'a, B: DmaBuffer> {
    adapter: &'a Adapter,
    raw: ffi::PMDL,
    buffer: ManuallyDrop<B>,
    in_flight: AtomicU32,
}

// SAFETY: the raw MDL is only read by the shim; `B` is Send.
unsafe impl<B: DmaBuffer> Send for Mdl<'_, B> {}
// SAFETY: shared access only reads the buffer and passes the MDL to the
// thread-safe Setup/Complete calls; the counter is atomic.
unsafe impl<B: DmaBuffer + Sync> Sync for Mdl<'_, B> {}

impl<'a, B: DmaBuffer> Mdl<'a, B> {
    /// `NdisAllocateMdl` over all of `buffer` (at most 4 GiB - 1).
    pub(crate) fn new(adapter: &'a Adapter, mut buffer: B) -> Result<Self, Status> {
        let len = u32::try_from(buffer.len()).map_err(|_| Status::INVALID_LENGTH)?;
        if len == 0 {
            return Err(Status::INVALID_LENGTH);
        }
        // SAFETY: a live adapter handle; the memory is `len` bytes of kernel
        // memory owned by `buffer` (`DmaBuffer` contract).
        let raw =
            unsafe { ffi::NdisAllocateMdl(adapter.handle(), buffer.as_mut_ptr().cast(), len) };
        if raw.is_null() {
            return Err(Status::RESOURCES);
        }
        // INVARIANT: just allocated over `buffer`; nothing in flight.
        Ok(Self {
            adapter,
            raw,
            buffer: ManuallyDrop::new(buffer),
            in_flight: AtomicU32::new(0),
        })
    }

    /// Length of the described memory in bytes.
    pub(crate) fn len(&self) -> u32 {
        self.buffer.len() as u32
    }

    /// The memory, for the CPU.
    pub(crate) fn as_slice(&self) -> &[u8] {
        self.buffer.as_slice()
    }

    /// The memory, writable; impossible while a transfer borrows the MDL.
    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        self.buffer.as_mut_slice()
    }

    /// The raw MDL, for [`super::dma`].
    pub(super) fn raw(&self) -> ffi::PMDL {
        self.raw
    }

    /// Transfers set up on this MDL and not completed; kept by [`super::dma`].
    pub(super) fn in_flight(&self) -> &AtomicU32 {
        &self.in_flight
    }
}

impl<B: DmaBuffer> Drop for Mdl<'_, B> {
    fn drop(&mut self) {
        if *self.in_flight.get_mut() != 0 {
            // A `Transfer` was leaked (`mem::forget`): the device may still
            // reach this memory. Leak it rather than free it under the
            // device; the channel's deregistration fences the engine.
            pr_warn!("ndis api: MDL dropped with a transfer in flight; leaking its memory\n");
            return;
        }
        // SAFETY: allocated by `NdisAllocateMdl`, no transfer uses it.
        unsafe { ffi::NdisFreeMdl(self.raw) };
        // SAFETY: dropped once, here; not used afterwards.
        unsafe { ManuallyDrop::drop(&mut self.buffer) };
        let _ = self.adapter;
    }
}
