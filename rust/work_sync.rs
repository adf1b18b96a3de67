// SPDX-License-Identifier: GPL-2.0

//! Waiting for a work item: `flush_work` and `flush_delayed_work`, which
//! the kernel crate's `workqueue` does not wrap (7.3).
//!
//! Flushing only waits (a pending delayed item is queued at once and run),
//! so it is safe on any initialised item, and the reference the queue holds
//! on the item's owner is released by the item's `run` as usual. Cancelling
//! is not offered: a cancelled item's reference would leak. The one place
//! that cancels (`io_work_item`) takes that reference back itself.

use kernel::{
    bindings,
    workqueue::{DelayedWork, Work},
};

/// Waits until a work item is neither pending nor running.
///
/// Sleeps: process context only, and never from the item's own routine
/// (it would wait for itself).
pub(crate) trait Flush {
    fn flush(&self);
}

impl<T: ?Sized, const ID: u64> Flush for Work<T, ID> {
    fn flush(&self) {
        // SAFETY: `self` is a live `Work`, initialised (pin-init) before any
        // reference to it existed; `flush_work` only waits on it.
        unsafe { bindings::flush_work(Work::raw_get(self)) };
    }
}

impl<T: ?Sized, const ID: u64> Flush for DelayedWork<T, ID> {
    fn flush(&self) {
        // SAFETY: `self` is a live, initialised `DelayedWork`, which is
        // `repr(transparent)` over its `struct delayed_work`, so the cast
        // gives that structure; `flush_delayed_work` runs a pending item
        // early and waits.
        unsafe { bindings::flush_delayed_work(core::ptr::from_ref(self).cast_mut().cast()) };
    }
}
