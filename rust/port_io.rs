// SPDX-License-Identifier: GPL-2.0

//! `NdisMRegisterIoPortRange` / `NdisMDeregisterIoPortRange` (NDIS 5).
//!
//! A registered range is claimed in the kernel's I/O port resource tree
//! (`request_region`) for the adapter's driver, as Windows claims it "in
//! the registry"; the miniport then reaches it with the `NdisRaw*Port*`
//! macros of `include/ndis.h`, which are the kernel's port accessors on
//! the port numbers themselves: `*PortOffset` is `InitialPort`.

use kernel::prelude::*;

use crate::{
    adapter_core::AdapterCore,
    status::{Error, Result as NdisResult},
};

extern "C" {
    fn ndis_shim_ioport_claim(
        pdev: *mut core::ffi::c_void,
        start: u32,
        n: u32,
        name: *const u8,
    ) -> core::ffi::c_int;
    fn ndis_shim_ioport_release(start: u32, n: u32);
}

/// A claimed port range.
///
/// # Invariants
///
/// `start..start + len` was claimed by `ndis_shim_ioport_claim` and is
/// released once, in `Drop`.
pub(crate) struct IoPortRange {
    start: u32,
    len: u32,
}

impl IoPortRange {
    /// Whether this is the range `start`, `len`.
    pub(crate) fn is(&self, start: u32, len: u32) -> bool {
        self.start == start && self.len == len
    }
}

impl Drop for IoPortRange {
    fn drop(&mut self) {
        // SAFETY: claimed and not yet released (type invariant).
        unsafe { ndis_shim_ioport_release(self.start, self.len) };
    }
}

/// Claims `len` ports from `start` for `adapter`: `Failure` when the range
/// is empty or not inside one of the adapter's I/O BARs ("the specified
/// InitialPort and NumberOfPorts are invalid", NDIS_STATUS_FAILURE,
/// learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismregisterioportrange),
/// `ResourceConflict` when another driver (or an earlier registration)
/// holds part of it ("another driver already claimed the range"). PASSIVE.
pub(crate) fn claim(adapter: &AdapterCore, start: u32, len: u32) -> NdisResult<IoPortRange> {
    // SAFETY: the adapter's device is bound; the name is a string in the
    // miniport module, which outlives the claim (released at the latest
    // in the adapter's teardown).
    let err = unsafe {
        ndis_shim_ioport_claim(
            adapter.pci_dev().cast(),
            start,
            len,
            adapter.driver.c_name().as_char_ptr(),
        )
    };
    match err {
        0 => Ok(IoPortRange { start, len }),
        e if e == -(kernel::bindings::EBUSY as core::ffi::c_int) => Err(Error::ResourceConflict),
        _ => Err(Error::Failure),
    }
}
