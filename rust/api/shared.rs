// SPDX-License-Identifier: GPL-2.0

//! Bus-master DMA: [`SharedMemory`] (`NdisMAllocateSharedMemory`) and the
//! alignment queries.

use core::ffi::c_void;

use super::{adapter::Adapter, ffi, Status};

/// `Cached` of `NdisMAllocateSharedMemory`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Caching {
    /// `Cached` FALSE.
    Uncached,
    /// `Cached` TRUE.
    Cached,
}

/// A block of shared memory: memory the CPU and the device both access,
/// at [`SharedMemory::device_address`] for the device. Freed on drop with
/// exactly the allocation's parameters, so a mismatched or double free
/// cannot be written.
///
/// The device may write the memory at any time, so the CPU reaches it only
/// by copying ([`SharedMemory::read`], [`SharedMemory::write`]), never
/// through a Rust reference.
///
/// # Invariants
///
/// `va`/`pa`/`len`/`caching` are what `NdisMAllocateSharedMemory` returned
/// for `adapter`'s handle (`va` non-NULL), not yet freed.
pub(crate) struct SharedMemory<'a> {
    adapter: &'a Adapter,
    va: *mut u8,
    pa: i64,
    len: u32,
    caching: Caching,
}

// SAFETY: the block is plain memory owned by this object; the free is
// callable from any thread.
unsafe impl Send for SharedMemory<'_> {}
// SAFETY: `&self` methods copy through raw pointers, which the caller
// synchronises with the device as with any shared memory.
unsafe impl Sync for SharedMemory<'_> {}

impl<'a> SharedMemory<'a> {
    /// `NdisMAllocateSharedMemory`: `len` bytes, zeroed. PASSIVE_LEVEL; the
    /// adapter must already have a DMA adapter, as the call's page requires:
    /// an [`super::sg::SgDma`] registration or a [`super::dma::DmaChannel`].
    pub(crate) fn new(adapter: &'a Adapter, len: u32, caching: Caching) -> Result<Self, Status> {
        let mut va: *mut c_void = core::ptr::null_mut();
        let mut pa = ffi::NDIS_PHYSICAL_ADDRESS { QuadPart: 0 };
        // SAFETY: a live adapter handle and valid out pointers.
        unsafe {
            ffi::NdisMAllocateSharedMemory(
                adapter.handle(),
                len,
                u8::from(caching == Caching::Cached),
                &mut va,
                &mut pa,
            )
        };
        if va.is_null() {
            return Err(Status::RESOURCES);
        }
        // INVARIANT: just allocated with these parameters.
        Ok(Self {
            adapter,
            va: va.cast(),
            // SAFETY: the shim wrote the address as a whole (`QuadPart`).
            pa: unsafe { pa.QuadPart },
            len,
            caching,
        })
    }

    /// The address the device uses (`PhysicalAddress`: a bus address).
    pub(crate) fn device_address(&self) -> u64 {
        self.pa as u64
    }

    /// Length in bytes.
    #[allow(dead_code, reason = "API accessor; not every miniport uses it")]
    pub(crate) fn len(&self) -> u32 {
        self.len
    }

    /// The CPU address, for diagnostics only.
    #[allow(dead_code, reason = "API accessor; not every miniport uses it")]
    pub(crate) fn cpu_address(&self) -> usize {
        self.va as usize
    }

    fn range(&self, off: usize, n: usize) -> Result<*mut u8, Status> {
        let end = off.checked_add(n).ok_or(Status::INVALID_LENGTH)?;
        if end > self.len as usize {
            return Err(Status::INVALID_LENGTH);
        }
        // SAFETY: `off + n <= len`: inside the block (type invariant).
        Ok(unsafe { self.va.add(off) })
    }

    /// Copies `data` into the block at `off`.
    pub(crate) fn write(&self, off: usize, data: &[u8]) -> Result<(), Status> {
        let dst = self.range(off, data.len())?;
        // SAFETY: `dst` is valid for `data.len()` bytes of the block, which
        // no Rust reference covers, so it cannot overlap `data`.
        unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), dst, data.len()) };
        Ok(())
    }

    /// Copies from the block at `off` into `out`.
    pub(crate) fn read(&self, off: usize, out: &mut [u8]) -> Result<(), Status> {
        let src = self.range(off, out.len())?;
        // SAFETY: `src` is valid for `out.len()` bytes of the block, which
        // no Rust reference covers, so it cannot overlap `out`.
        unsafe { core::ptr::copy_nonoverlapping(src, out.as_mut_ptr(), out.len()) };
        Ok(())
    }
}

impl Drop for SharedMemory<'_> {
    fn drop(&mut self) {
        // SAFETY: the allocation's own parameters, freed once (type
        // invariant). Legal at DISPATCH_LEVEL: the shim defers the release
        // from atomic context.
        unsafe {
            ffi::NdisMFreeSharedMemory(
                self.adapter.handle(),
                self.len,
                u8::from(self.caching == Caching::Cached),
                self.va.cast(),
                ffi::NDIS_PHYSICAL_ADDRESS { QuadPart: self.pa },
            )
        };
    }
}

/// `NdisMGetDmaAlignment`: the alignment the adapter's DMA buffers need; 0
/// when it has no DMA adapter yet.
pub(crate) fn dma_alignment(adapter: &Adapter) -> u32 {
    // SAFETY: a live adapter handle.
    unsafe { ffi::NdisMGetDmaAlignment(adapter.handle()) }
}

/// `NdisGetSharedDataAlignment`: the cache line size.
pub(crate) fn shared_data_alignment() -> u32 {
    // SAFETY: no arguments.
    unsafe { ffi::NdisGetSharedDataAlignment() }
}
