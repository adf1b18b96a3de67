// SPDX-License-Identifier: GPL-2.0

//! Rejected calls: a call that returns nothing and was given something
//! Windows defines no result for (a forged handle, a mapping that is not
//! one) is refused with one log line and a count, shown in debugfs.

use kernel::{
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
};

/// Rejected calls that could not be attributed to an adapter, and all of them.
static REJECTED_CALLS: Atomic<u64> = Atomic::new(0);

/// Logs one rejected void call and counts it.
pub(crate) fn reject_global(call: &str, why: &str) {
    REJECTED_CALLS.fetch_add(1, Relaxed);
    pr_warn!("{}: rejected: {}\n", call, why);
}

/// Counts one rejected call and logs it if `log` (callers that see a call
/// misused in a loop rate-limit the log, never the count).
pub(crate) fn reject_global_counted(call: &str, why: &str, log: bool) {
    REJECTED_CALLS.fetch_add(1, Relaxed);
    if log {
        pr_warn!("{}: rejected: {}\n", call, why);
    }
}

pub(crate) fn rejected_calls_total() -> u64 {
    REJECTED_CALLS.load(Relaxed)
}
