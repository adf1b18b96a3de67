// SPDX-License-Identifier: GPL-2.0

//! Rejected calls: a call given something Windows defines no result for (a
//! forged handle, a mapping that is not one) or misused in a way Windows
//! tolerates is refused, counted exactly (debugfs `rejected_calls`, and the
//! adapter's in `adapters`) and logged.
//!
//! The log lines are rate-limited by the kernel's `___ratelimit`, so a
//! miniport that misuses a call in a loop cannot flood the log: at most
//! `DEFAULT_RATELIMIT_BURST` (10) lines per `DEFAULT_RATELIMIT_INTERVAL`
//! (5 s); the first rejection of a later interval first logs how many
//! lines were left out ("ndis_shim: rejected calls: N callbacks
//! suppressed"). Each adapter has its own state, so one adapter's flood
//! never hides another's first rejection; calls no adapter is known for
//! share one. The kernel crate has no
//! ratelimit abstraction, and a `struct ratelimit_state` is initialized by
//! static-inline C (its raw spin lock, with a lockdep class): the states are
//! initialized in `rust/helpers.c`; the check itself is the exported
//! `___ratelimit`.

use kernel::{
    bindings, device,
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
    types::Opaque,
};

extern "C" {
    fn ndis_shim_ratelimit_init(rs: *mut bindings::ratelimit_state);
    fn ndis_shim_unattributed_ratelimit() -> *mut bindings::ratelimit_state;
}

/// Rejected calls that could not be attributed to an adapter, and all of them.
static REJECTED_CALLS: Atomic<u64> = Atomic::new(0);

/// What the kernel's summary line names: "ndis_shim: rejected calls: N
/// callbacks suppressed".
const SUPPRESSED_NAME: &CStr = c"ndis_shim: rejected calls";

/// Whether `rs` lets one more line through now.
///
/// # Safety
///
/// `rs` points to an initialized `struct ratelimit_state` that stays valid
/// for the call.
unsafe fn allows(rs: *mut bindings::ratelimit_state) -> bool {
    // SAFETY: `rs` is valid (the caller's guarantee) and the name is a
    // static C string. `___ratelimit` only try-locks its raw spin lock, so
    // it may be called in any context, as rejections are.
    unsafe { bindings::___ratelimit(rs, SUPPRESSED_NAME.as_char_ptr()) != 0 }
}

/// The rate limit of one adapter's rejection lines.
#[pin_data]
pub(crate) struct RejectLog {
    #[pin]
    state: Opaque<bindings::ratelimit_state>,
}

impl RejectLog {
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            // SAFETY: `ffi_init` hands a pointer to the state's pinned,
            // writable memory; the helper initializes all of it.
            state <- Opaque::ffi_init(|rs| unsafe { ndis_shim_ratelimit_init(rs) }),
        })
    }

    /// Whether the state lets one more line through now, another kind of
    /// line than rejections (an error-log entry): `name` is what the
    /// kernel's "N callbacks suppressed" line names.
    pub(crate) fn allows(&self, name: &CStr) -> bool {
        // SAFETY: the state was initialized by `new` and lives as long as
        // `self`; `name` is a C string. `___ratelimit` only try-locks.
        unsafe { bindings::___ratelimit(self.state.get(), name.as_char_ptr()) != 0 }
    }

    /// Counts one rejected call of `dev`'s adapter in the shim's total and
    /// logs it, naming the device, unless rate-limited. The caller counts
    /// it for the adapter.
    pub(crate) fn reject(&self, dev: &device::Device, call: &str, why: &str) {
        REJECTED_CALLS.fetch_add(1, Relaxed);
        // SAFETY: the state was initialized by `new` and lives as long as `self`.
        if unsafe { allows(self.state.get()) } {
            dev_warn!(dev, "{}: rejected: {}\n", call, why);
        }
    }
}

/// Counts one rejected call no adapter is known for and logs it unless
/// rate-limited.
pub(crate) fn reject_global(call: &str, why: &str) {
    REJECTED_CALLS.fetch_add(1, Relaxed);
    // SAFETY: the helper returns a statically initialized state of the
    // module's own, valid while the module is loaded.
    if unsafe { allows(ndis_shim_unattributed_ratelimit()) } {
        pr_warn!("{}: rejected: {}\n", call, why);
    }
}

pub(crate) fn rejected_calls_total() -> u64 {
    REJECTED_CALLS.load(Relaxed)
}
