// SPDX-License-Identifier: GPL-2.0

//! Hang detection and reset of an NDIS 6 network adapter:
//! `MiniportCheckForHangEx` on its period, `MiniportResetEx` when it
//! answers TRUE, `NdisMResetComplete` for a reset that pended.
//!
//! NDIS calls `MiniportCheckForHangEx` at PASSIVE_LEVEL every
//! `CheckForHangTimeInSeconds` (registration attributes; 0 means the
//! default of 2 s), here from the adapter's delayed work item on the
//! system workqueue. A reset runs in the same worker, with the adapter's
//! OID lock held: NDIS issues no OID request while a reset is in
//! progress. After an addressing reset NDIS sets the packet filter and
//! multicast list again, as the receive-mode work does. The transmit
//! watchdog (`ndo_tx_timeout`) resets the same way, from the adapter's
//! reset work.

use kernel::{
    bindings,
    prelude::*,
    sync::{
        atomic::{Acquire, Relaxed, Release},
        Arc,
    },
    time::{msecs_to_jiffies, Delta},
    workqueue::{self, impl_has_delayed_work, impl_has_work, WorkItem},
};

use crate::work_sync::Flush;
use crate::{abi, adapter::Adapter, status::NdisStatus};

/// NDIS's hang-check period when the miniport gives none ("If this value
/// is zero, NDIS uses a default of 2 seconds":
/// `NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES`).
const DEFAULT_HANG_CHECK_SECONDS: u32 = 2;

/// How long a pended reset may take before the shim gives up on it.
const RESET_WAIT_MS: u32 = 10_000;

impl_has_delayed_work! {
    impl HasDelayedWork<Adapter, 1> for Adapter { self.hang_check }
}

impl_has_work! {
    impl HasWork<Adapter, 2> for Adapter { self.reset_work }
}

// A reset asked for outside a hang check: the transmit watchdog's.
impl WorkItem<2> for Adapter {
    type Pointer = Arc<Adapter>;

    fn run(adapter: Arc<Adapter>) {
        if !adapter.nic.detached.load(Acquire) {
            reset(&adapter);
        }
    }
}

/// Resets the adapter from its reset work. Any context.
pub(crate) fn schedule(adapter: Arc<Adapter>) {
    let _ = workqueue::system().enqueue::<_, 2>(adapter);
}

impl WorkItem<1> for Adapter {
    type Pointer = Arc<Adapter>;

    fn run(adapter: Arc<Adapter>) {
        let nic = &adapter.nic;
        let Some(bridge) = nic.live() else {
            return;
        };
        if nic.detached.load(Acquire) {
            return;
        }
        if let Some(check) = bridge.handlers.check_for_hang {
            // SAFETY: the miniport's MiniportCheckForHangEx with its own
            // context, at PASSIVE_LEVEL as NDIS calls it.
            let ask = || unsafe { check(adapter.context()) } != 0;
            // NDIS 5: MiniportCheckForHang, serialized with the miniport's
            // other calls (at DISPATCH_LEVEL, as NDIS 5 calls it).
            let hung = if bridge.handlers.ndis5.is_some() {
                nic.ndis5.serialized(ask)
            } else {
                ask()
            };
            if hung {
                reset(&adapter);
            }
        }
        arm(adapter);
    }
}

/// Queues the next hang check, unless the adapter is being detached.
pub(crate) fn arm(adapter: Arc<Adapter>) {
    let nic = &adapter.nic;
    if nic.detached.load(Acquire)
        || nic
            .live()
            .is_none_or(|b| b.handlers.check_for_hang.is_none())
    {
        return;
    }
    let seconds = match nic.hang_check_seconds.load(Relaxed) {
        0 => DEFAULT_HANG_CHECK_SECONDS,
        s => s,
    };
    let delay = msecs_to_jiffies(seconds.saturating_mul(1000));
    let _ = workqueue::system().enqueue_delayed::<_, 1>(adapter, delay);
}

/// Stops the hang checks and resets: one pending runs now and sees
/// `detached` (set by the caller), one running is waited for. PASSIVE.
pub(crate) fn disarm(adapter: &Adapter) {
    // Flushed, not cancelled: a cancelled item would keep the queue's
    // reference on the adapter.
    adapter.reset_work.flush();
    adapter.hang_check.flush();
}

/// `MiniportResetEx`, waiting for `NdisMResetComplete` if it pends.
/// PASSIVE.
pub(crate) fn reset(adapter: &Arc<Adapter>) {
    let nic = &adapter.nic;
    let Some(bridge) = nic.live() else {
        return;
    };
    let reset5 = bridge.handlers.ndis5.and_then(|p| p.reset);
    if bridge.handlers.reset.is_none() && reset5.is_none() {
        return;
    }
    let _no_oids = nic.oid.lock();
    nic.reset_done.store(false, Relaxed);
    nic.resetting.store(true, Release);
    // NDIS 5: no send reaches the miniport until the reset completed
    // ("NDIS will not accept protocol-initiated sends ... while the NIC is
    // being reset": Reset); `ndis5_nic::xmit` sees `resetting` under the
    // serialization lock MiniportReset is called with, and stops the
    // queue too, should a send be under way.
    if reset5.is_some() {
        // SAFETY: the live net_device; any context.
        unsafe { crate::netdev_io::ndis_shim_tx_stop(bridge.netdev) };
        // A deserialized miniport's xmit takes no lock MiniportReset
        // holds: one that read `resetting` false may still be in
        // MiniportSendPackets. The stack calls ndo_start_xmit inside an
        // RCU-bh read section (`dev_queue_xmit`, the qdisc's softirq):
        // after a grace period none is, and later ones see the stopped
        // queue or `resetting`.
        // SAFETY: a plain grace period; PASSIVE (the reset work).
        unsafe { bindings::synchronize_rcu() };
    }
    let mut addressing: u8 = 0;
    let mut status = match (bridge.handlers.reset, reset5) {
        // SAFETY: the miniport's MiniportResetEx with its own context and
        // a BOOLEAN it may write, at PASSIVE_LEVEL (NDIS calls it at or
        // below DISPATCH_LEVEL).
        (Some(reset), _) => NdisStatus(unsafe { reset(adapter.context(), &mut addressing) }),
        // NDIS 5: MiniportReset, serialized like the miniport's other calls.
        (None, Some(reset)) => nic.ndis5.serialized(|| {
            // SAFETY: the miniport's MiniportReset with a BOOLEAN it may
            // write and its own context, at DISPATCH_LEVEL as NDIS 5
            // calls it.
            NdisStatus(unsafe { reset(&mut addressing, adapter.context()) })
        }),
        (None, None) => return,
    };
    let mut addressing = addressing != 0;
    if status == NdisStatus::PENDING {
        let mut waited = 0;
        while !nic.reset_done.load(Acquire) && waited < RESET_WAIT_MS {
            kernel::time::delay::fsleep(Delta::from_millis(1));
            waited += 1;
        }
        if nic.reset_done.load(Acquire) {
            status = NdisStatus(nic.reset_status.load(Relaxed));
            addressing = nic.reset_addressing.load(Relaxed);
        } else {
            dev_err!(
                adapter.device(),
                "{}: MiniportResetEx pended and never completed\n",
                adapter.driver.name()
            );
        }
    }
    if reset5.is_some() && bridge.handlers.reset.is_none() {
        // The serialized miniport gave up the sends it held, when its reset
        // succeeded. A reset that failed (NOT_RESETTABLE, HARD_ERRORS, ...)
        // or never completed leaves them to it: the device may still read
        // them, so they are neither unmapped nor freed here.
        if status.is_success() || status.0 == abi::NDIS_STATUS_SOFT_ERRORS {
            crate::ndis5_nic::complete_abandoned_sends(adapter);
        }
        nic.resetting.store(false, Release);
        // SAFETY: the live net_device; any context.
        unsafe { crate::netdev_io::ndis_shim_tx_wake(bridge.netdev) };
    }
    nic.resetting.store(false, Release);
    dev_warn!(
        adapter.device(),
        "{}: adapter reset: {:#010x}{}\n",
        adapter.driver.name(),
        status.0 as u32,
        if addressing {
            " (addressing reset)"
        } else {
            ""
        }
    );
    // Counted after the line (Release; debugfs reads it with Acquire):
    // whoever sees the count finds the line too.
    nic.resets.fetch_add(1, Release);
    if addressing {
        let _ = workqueue::system().enqueue::<_, 0>(adapter.clone());
    }
}

/// `NdisMResetComplete`. Any IRQL.
pub(crate) fn reset_complete(adapter: &Adapter, status: NdisStatus, addressing: bool) {
    let nic = &adapter.nic;
    if !nic.resetting.load(Acquire) || nic.reset_done.load(Relaxed) {
        adapter.reject("NdisMResetComplete", "no reset in progress");
        return;
    }
    nic.reset_status.store(status.0, Relaxed);
    nic.reset_addressing.store(addressing, Relaxed);
    nic.reset_done.store(true, Release);
}
