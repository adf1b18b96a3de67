// SPDX-License-Identifier: GPL-2.0

//! A value that one caller at a time claims, with a phase everyone can read.
//!
//! A system-DMA channel is used the way Windows defines it: one Setup, one
//! Complete, each at most at DISPATCH_LEVEL, and a Setup on a channel with
//! a transfer in progress fails with `NDIS_STATUS_RESOURCES`. A call claims
//! the channel's state by moving its phase word from a phase it may start
//! from to [`BUSY`] (one compare-and-exchange), works on the state, and
//! publishes the phase it leaves the state in.
//!
//! A claim is held at DISPATCH_LEVEL: bottom halves off (so preemption off
//! too), interrupts on. No DPC and no other task can then run on the
//! holder's CPU, so a caller that finds the value [`BUSY`] waits for a
//! holder on another CPU that is making progress, and spins (as
//! `bit_spin_lock` does) instead of failing: a Complete arriving from the
//! DPC while its own Setup is still starting the engine completes it. Only
//! in hard-IRQ context, which may have interrupted the holder on its own
//! CPU (and where Windows allows none of these calls), is a busy value
//! refused at once. Lockdep does not see the claim; the debug kernel's lock
//! bookkeeping, which cost more than the rest of a transfer, is not paid.
//!
//! Mapping, bounce copies and unmapping run inside the claim with
//! interrupts on. On PREEMPT_RT, where bottom halves off is a per-CPU
//! sleeping lock, a second claimant on the holder's CPU blocks on that lock
//! before it can spin; the shim is not tested there.

use core::{
    cell::UnsafeCell,
    marker::PhantomData,
    ops::{Deref, DerefMut},
};
use kernel::sync::atomic::{Acquire, Atomic, Relaxed, Release};

/// The phase of a claimed value. The others are the owner's to define.
pub(crate) const BUSY: u32 = 0;

extern "C" {
    fn ndis_shim_dispatch_enter() -> bool;
    fn ndis_shim_dispatch_exit(bh_disabled: bool);
    fn ndis_shim_in_hardirq() -> bool;
}

/// DISPATCH_LEVEL for as long as it lives: bottom halves off, or nothing
/// more where interrupts are off already (`local_bh_enable()` must not run
/// there, and neither a DPC nor another task can run on this CPU anyway).
///
/// Either way it is also an RCU read-side section: `synchronize_rcu()`
/// waits for regions with bottom halves, interrupts or preemption off. A
/// hot call enters it once and both looks its object up in it
/// ([`crate::registry::find_at`]) and claims the object's state in it
/// ([`Claimable::claim_at`]), instead of entering a read section and a
/// dispatch section one inside the other.
///
/// # Invariants
///
/// `bh_disabled` says whether `new` turned bottom halves off on this CPU;
/// bottom halves or interrupts are off on this CPU while it lives.
pub(crate) struct Dispatch {
    bh_disabled: bool,
    /// Entered and left on one CPU.
    _not_send: PhantomData<*mut ()>,
}

impl Dispatch {
    /// Raises this CPU to DISPATCH_LEVEL until the value is dropped.
    pub(crate) fn enter() -> Self {
        // SAFETY: no requirement; paired with the exit in `drop`.
        let bh_disabled = unsafe { ndis_shim_dispatch_enter() };
        // INVARIANT: what the helper did.
        Self {
            bh_disabled,
            _not_send: PhantomData,
        }
    }
}

impl Drop for Dispatch {
    fn drop(&mut self) {
        // SAFETY: undoes `enter` on the same CPU (the type is not `Send`).
        unsafe { ndis_shim_dispatch_exit(self.bh_disabled) };
    }
}

/// A value with a phase word; see the module documentation.
///
/// # Invariants
///
/// `value` is accessed only through a [`Claim`], and at most one [`Claim`]
/// exists at a time: one exists exactly while `phase` is [`BUSY`] because
/// [`Claimable::claim`] moved it there.
pub(crate) struct Claimable<T> {
    phase: Atomic<u32>,
    value: UnsafeCell<T>,
}

// SAFETY: the value is reached only through the one `Claim` (type
// invariant), so sharing the cell is sharing a mutex: `T` must be `Send`.
unsafe impl<T: Send> Sync for Claimable<T> {}
// SAFETY: owning the cell is owning the value.
unsafe impl<T: Send> Send for Claimable<T> {}

impl<T> Claimable<T> {
    /// `value`, unclaimed, in `phase` (not [`BUSY`]).
    pub(crate) const fn new(value: T, phase: u32) -> Self {
        Self {
            phase: Atomic::new(phase),
            value: UnsafeCell::new(value),
        }
    }

    /// The phase now: [`BUSY`] while claimed. A snapshot, for reports.
    pub(crate) fn phase(&self) -> u32 {
        self.phase.load(Relaxed)
    }

    /// The value, to its owner alone: no claim can exist while it holds
    /// the only reference.
    pub(crate) fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    /// Claims the value if its phase is one `from` accepts (never
    /// [`BUSY`]), waiting while another caller holds it. Returns `None` when
    /// the phase is not one `from` accepts, or when the value is busy and
    /// the caller is in hard-IRQ context. Never sleeps.
    pub(crate) fn claim(&self, from: impl Fn(u32) -> bool) -> Option<Claim<'_, T>> {
        let dispatch = Dispatch::enter();
        let phase = self.acquire(from)?;
        // INVARIANT: `acquire` moved the phase to BUSY, so this is the only
        // claim. It owns its section, left after the phase is published.
        Some(Claim {
            cell: self,
            phase,
            _dispatch: Some(dispatch),
        })
    }

    /// [`Claimable::claim`] inside a dispatch section the caller holds: the
    /// claim cannot outlive it.
    pub(crate) fn claim_at<'a>(
        &'a self,
        _at: &'a Dispatch,
        from: impl Fn(u32) -> bool,
    ) -> Option<Claim<'a, T>> {
        let phase = self.acquire(from)?;
        // INVARIANT: `acquire` moved the phase to BUSY, so this is the only
        // claim; the caller's section `_at` outlives it (the lifetime).
        Some(Claim {
            cell: self,
            phase,
            _dispatch: None,
        })
    }

    /// Moves the phase from one `from` accepts to [`BUSY`], waiting while
    /// another caller holds it; the phase it was in. The caller is at
    /// DISPATCH_LEVEL (a [`Dispatch`] lives).
    fn acquire(&self, from: impl Fn(u32) -> bool) -> Option<u32> {
        let mut phase = self.phase.load(Relaxed);
        loop {
            if phase == BUSY {
                // SAFETY: a context query.
                if unsafe { ndis_shim_in_hardirq() } {
                    // The holder may be the code this interrupt stopped.
                    return None;
                }
                // The holder runs on another CPU with nothing to wait for.
                kernel::processor::cpu_relax();
                phase = self.phase.load(Relaxed);
                continue;
            }
            if !from(phase) {
                return None;
            }
            // Acquire: see everything the last claim did to the value.
            match self.phase.cmpxchg(phase, BUSY, Acquire) {
                Ok(_) => return Some(phase),
                Err(now) => phase = now,
            }
        }
    }
}

/// The right to the value of a [`Claimable`], until released. Holds the
/// CPU at DISPATCH_LEVEL.
pub(crate) struct Claim<'a, T> {
    cell: &'a Claimable<T>,
    /// The phase the value was claimed from, restored if the claim is
    /// dropped without [`Claim::release`].
    phase: u32,
    /// The section the claim entered itself, if it did (else the caller's,
    /// which outlives it). Declared last: left after the phase is published.
    _dispatch: Option<Dispatch>,
}

impl<T> Claim<'_, T> {
    /// Gives the value up, in `phase` (not [`BUSY`]).
    pub(crate) fn release(mut self, phase: u32) {
        self.phase = phase;
        // `drop` publishes it.
    }
}

impl<T> Drop for Claim<'_, T> {
    fn drop(&mut self) {
        debug_assert_ne!(self.phase, BUSY);
        // Release: the next claim sees everything this one did.
        self.cell.phase.store(self.phase, Release);
    }
}

impl<T> Deref for Claim<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this is the only claim (type invariant of `Claimable`).
        unsafe { &*self.cell.value.get() }
    }
}

impl<T> DerefMut for Claim<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this is the only claim, and `&mut self` the only use of it.
        unsafe { &mut *self.cell.value.get() }
    }
}
