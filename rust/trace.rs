// SPDX-License-Identifier: GPL-2.0

//! Trace events (`trace-cmd record -e ndis_shim`): defined in C
//! (`ndis_trace.h`, `ndis_trace.c`), emitted from here.
//!
//! Each function tests its event's static key first
//! (`static_branch_unlikely!` on the tracepoint's `key`, as the kernel
//! crate's `declare_trace!` does for the kernel's own events, which an
//! out-of-tree module cannot add to): with the event off that is a jump
//! patched to fall through, and the arguments are never even computed
//! when they come from a closure.

use kernel::{bindings, ffi::c_char, prelude::*};

// `struct tracepoint` holds a `struct module *`, whose bindgen type has an
// empty member (`dev_archdata`); only the address and the `key` field
// offset are used, as in the kernel crate's own tracepoint bindings.
#[allow(improper_ctypes)]
extern "C" {
    static __tracepoint_ndis_call: bindings::tracepoint;
    static __tracepoint_ndis_void_call: bindings::tracepoint;
    static __tracepoint_ndis_dma_setup: bindings::tracepoint;
    static __tracepoint_ndis_dma_complete: bindings::tracepoint;
    static __tracepoint_ndis_net: bindings::tracepoint;
    fn ndis_shim_trace_call(call: *const c_char, handle: u64, status: u32);
    fn ndis_shim_trace_void_call(call: *const c_char, handle: u64);
    fn ndis_shim_trace_dma_setup(
        handle: u64,
        offset: u32,
        length: u32,
        to_device: bool,
        bus_address: u64,
        bounced: bool,
        status: u32,
    );
    fn ndis_shim_trace_dma_complete(
        handle: u64,
        offset: u32,
        length: u32,
        to_device: bool,
        status: u32,
    );
    fn ndis_shim_trace_net(what: *const c_char, adapter: u64, count: u32, code: u32, status: u32);
}

/// Whether the tracepoint `$tp` (one of the externs above) is enabled.
macro_rules! enabled {
    ($tp:ident) => {
        // SAFETY: `$tp` is a `struct tracepoint` defined by this module's C
        // object (`DEFINE_TRACE` through `CREATE_TRACE_POINTS`), and its
        // `key` is the static key the tracing core patches.
        unsafe { kernel::jump_label::static_branch_unlikely!($tp, bindings::tracepoint, key) }
    };
}

/// `ndis_call`: an entry point that returns a status (as its value or
/// through a `Status` out pointer). `handle` is the one the call acts on
/// (adapter, channel, pool, ...), for a call that makes a handle the new
/// one when it succeeded; 0 for a call that names none. `name` is a
/// `c"..."` literal: nothing is formatted while the event is off.
#[inline(always)]
pub(crate) fn call(name: &CStr, handle: usize, status: u32) {
    if enabled!(__tracepoint_ndis_call) {
        // SAFETY: `name` is NUL-terminated and outlives the call (the event
        // copies it).
        unsafe { ndis_shim_trace_call(name.as_char_ptr(), handle as u64, status) };
    }
}

/// `ndis_void_call`: an entry point that returns nothing, and the handle
/// it acts on (0 for a call that names none, such as `NdisFreeMemory`).
///
/// A separate event rather than `ndis_call` with a "no status" marker:
/// every 32-bit value is a possible `NDIS_STATUS`, so no marker is safe
/// from a miniport's own codes, and `ndis_call`'s `status` filter (e.g.
/// `status != 0`, the failed calls) would need to know the marker.
#[inline(always)]
pub(crate) fn void_call(name: &CStr, handle: usize) {
    if enabled!(__tracepoint_ndis_void_call) {
        // SAFETY: `name` is NUL-terminated and outlives the call (the event
        // copies it).
        unsafe { ndis_shim_trace_void_call(name.as_char_ptr(), handle as u64) };
    }
}

/// Whether `ndis_dma_setup` is on: Setup looks its mapping up only then.
#[inline(always)]
pub(crate) fn dma_setup_enabled() -> bool {
    enabled!(__tracepoint_ndis_dma_setup)
}

/// What `ndis_dma_setup` records.
pub(crate) struct DmaSetup {
    pub(crate) handle: usize,
    pub(crate) offset: u32,
    pub(crate) length: u32,
    pub(crate) to_device: bool,
    /// The bus address handed to the controller and whether it is the
    /// channel's bounce memory; `(0, false)` when nothing was mapped.
    pub(crate) mapping: (u64, bool),
    pub(crate) status: u32,
}

/// `ndis_dma_setup`; call only after [`dma_setup_enabled`] said yes.
pub(crate) fn dma_setup(e: DmaSetup) {
    // SAFETY: plain values.
    unsafe {
        ndis_shim_trace_dma_setup(
            e.handle as u64,
            e.offset,
            e.length,
            e.to_device,
            e.mapping.0,
            e.mapping.1,
            e.status,
        )
    };
}

/// `ndis_dma_complete`.
#[inline(always)]
pub(crate) fn dma_complete(handle: usize, offset: u32, length: u32, to_device: bool, status: u32) {
    if enabled!(__tracepoint_ndis_dma_complete) {
        // SAFETY: plain values.
        unsafe { ndis_shim_trace_dma_complete(handle as u64, offset, length, to_device, status) };
    }
}

/// `ndis_net`: `what` happened on the adapter `adapter` (its handle) with
/// `count` objects (NBLs, or bytes of an OID's data), `code` (an OID or a
/// status code) and `status`.
#[inline(always)]
pub(crate) fn net(what: &CStr, adapter: usize, count: u32, code: u32, status: u32) {
    if enabled!(__tracepoint_ndis_net) {
        // SAFETY: `what` is NUL-terminated and outlives the call (copied).
        unsafe { ndis_shim_trace_net(what.as_char_ptr(), adapter as u64, count, code, status) };
    }
}
