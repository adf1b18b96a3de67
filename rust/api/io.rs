// SPDX-License-Identifier: GPL-2.0

//! [`IoSpace`]: device memory mapped with `NdisMMapIoSpace`.

use core::ffi::c_void;
use kernel::bindings;

use super::{adapter::Adapter, ffi, Status};

/// A mapping of part of a memory BAR; unmapped (`NdisMUnmapIoSpace`) on drop.
///
/// # Invariants
///
/// `base` is the mapping `NdisMMapIoSpace` returned for `len` bytes of
/// `adapter`'s device memory, not yet unmapped.
pub(crate) struct IoSpace<'a> {
    adapter: &'a Adapter,
    base: *mut c_void,
    len: u32,
}

// SAFETY: MMIO accessors may be used from any thread and context.
unsafe impl Send for IoSpace<'_> {}
// SAFETY: shared access only reads `base` and `len`, which never change;
// MMIO accessors may be used from any thread and context.
unsafe impl Sync for IoSpace<'_> {}

impl<'a> IoSpace<'a> {
    /// `NdisMMapIoSpace`: maps `len` bytes at physical address `start`,
    /// which must lie inside one of the adapter's memory resources.
    pub(crate) fn map(adapter: &'a Adapter, start: u64, len: u32) -> Result<Self, Status> {
        let mut base = core::ptr::null_mut();
        // SAFETY: a live adapter handle; `base` is a valid out pointer.
        let status = unsafe {
            ffi::NdisMMapIoSpace(
                &mut base,
                adapter.handle(),
                ffi::NDIS_PHYSICAL_ADDRESS {
                    QuadPart: start as i64,
                },
                len,
            )
        };
        Status(status).to_result()?;
        if base.is_null() {
            return Err(Status::RESOURCES);
        }
        // INVARIANT: just mapped.
        Ok(Self { adapter, base, len })
    }

    /// Length of the mapping in bytes.
    #[allow(dead_code, reason = "API accessor; not every miniport uses it")]
    pub(crate) fn len(&self) -> u32 {
        self.len
    }

    fn reg(&self, offset: usize) -> Option<*mut c_void> {
        let in_range = offset.is_multiple_of(4)
            && offset
                .checked_add(4)
                .is_some_and(|end| end <= self.len as usize);
        // SAFETY: `offset + 4 <= len`, so the result stays inside the mapping.
        in_range.then(|| unsafe { self.base.cast::<u8>().add(offset).cast() })
    }

    /// 32-bit MMIO read (`readl`). An unaligned or out-of-range offset reads
    /// as all ones (like a master abort) and touches nothing.
    pub(crate) fn read32(&self, offset: usize) -> u32 {
        match self.reg(offset) {
            // SAFETY: an aligned register inside the live mapping.
            Some(p) => unsafe { bindings::readl(p) },
            None => u32::MAX,
        }
    }

    /// 32-bit MMIO write (`writel`). An unaligned or out-of-range offset
    /// writes nothing.
    pub(crate) fn write32(&self, offset: usize, value: u32) {
        if let Some(p) = self.reg(offset) {
            // SAFETY: an aligned register inside the live mapping.
            unsafe { bindings::writel(value, p) }
        }
    }
}

impl Drop for IoSpace<'_> {
    fn drop(&mut self) {
        // SAFETY: mapped by `NdisMMapIoSpace` for this adapter and not yet
        // unmapped (type invariant); the adapter is alive (borrowed).
        unsafe { ffi::NdisMUnmapIoSpace(self.adapter.handle(), self.base, self.len) };
    }
}
