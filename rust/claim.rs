// SPDX-License-Identifier: GPL-2.0

//! A value that one caller at a time claims, with a phase everyone can read.
//!
//! A system-DMA channel is used the way Windows defines it: one Setup, one
//! Complete, and a Setup on a channel in use fails with
//! `NDIS_STATUS_RESOURCES` instead of waiting. So the channel needs no lock
//! that waits: a call claims the channel's state by moving its phase word
//! from a phase it may start from to [`BUSY`] (one compare-and-exchange),
//! works on the state with nothing disabled, and publishes the phase it
//! leaves the state in. A call that finds the channel busy, or in a phase
//! it cannot start from, is refused at once. Mapping, unmapping and bounce
//! copies therefore run with interrupts (and softirqs) on, and nothing a
//! transfer does is multiplied by lockdep.
//!
//! Nobody spins, so no context can deadlock against one it interrupted; in
//! exchange a claim is not fair and not queued, which Windows' semantics
//! make unnecessary: the loser of a race for a channel has a status to
//! return. Anyone who must get the state (teardown, at PASSIVE_LEVEL)
//! retries with sleeps between.

use core::{
    cell::UnsafeCell,
    ops::{Deref, DerefMut},
};
use kernel::sync::atomic::{Acquire, Atomic, Relaxed, Release};

/// The phase of a claimed value. The others are the owner's to define.
pub(crate) const BUSY: u32 = 0;

/// A value with a phase word; see the module documentation.
///
/// # Invariants
///
/// `value` is accessed only through a [`Claim`], and at most one [`Claim`]
/// exists at a time: one exists exactly while `phase` is [`BUSY`] because
/// [`Claimable::try_claim`] moved it there.
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

    /// The phase now: [`BUSY`] while someone holds a claim. Only a hint for
    /// what a claim would find, unless the caller holds the claim.
    pub(crate) fn phase(&self) -> u32 {
        self.phase.load(Acquire)
    }

    /// Claims the value if its phase is one `from` accepts (never [`BUSY`]).
    /// Never waits.
    pub(crate) fn try_claim(&self, from: impl Fn(u32) -> bool) -> Option<Claim<'_, T>> {
        let mut phase = self.phase.load(Relaxed);
        loop {
            if phase == BUSY || !from(phase) {
                return None;
            }
            // Acquire: see everything the last claim did to the value.
            match self.phase.cmpxchg(phase, BUSY, Acquire) {
                // INVARIANT: the phase moved to BUSY here, so this is the only claim.
                Ok(_) => return Some(Claim { cell: self, phase }),
                Err(now) => phase = now,
            }
        }
    }
}

/// The right to the value of a [`Claimable`], until released.
pub(crate) struct Claim<'a, T> {
    cell: &'a Claimable<T>,
    /// The phase the value was claimed from, restored if the claim is
    /// dropped without [`Claim::release`].
    phase: u32,
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
