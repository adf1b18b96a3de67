// SPDX-License-Identifier: GPL-2.0

//! The handles given to C, and what they name.
//!
//! A handle is never trusted as a pointer: every entry point looks it up
//! here, and the generation count in [`Handle`] catches a stale handle even
//! after its slot has been reused.
//!
//! The registry does not own what its handles name. Each object has one
//! owner — the driver list owns the miniport drivers, a driver its
//! adapters, an adapter its channels, interrupts and SG registration —
//! which holds it through a [`Registered`]: made when the object is, it
//! enters the object's address here, and dropped, it takes the entry out
//! before the owner's reference goes. A lookup takes its own reference
//! under the registry's IRQ-safe spin lock, the lock the entry is taken out
//! under, so it never sees an object whose owner let it go.
//!
//! Designed for the hot-path work that follows: an entry is an address and
//! a generation, so the spin lock can become an RCU read section (the
//! owner then waits a grace period after taking the entry out) without
//! changing any owner.

use core::ptr::NonNull;
use kernel::{
    prelude::*,
    sync::{global_lock, Arc, ArcBorrow},
};

use crate::{
    handle::{Handle, HandleKind, HandleTable},
    status::Result as NdisResult,
};

/// Handles of one kind that can name something at once: the most
/// channels over all adapters; drivers, adapters, interrupts and SG
/// registrations are far fewer.
const MAX_PER_KIND: usize = 128;

/// A registry entry: the address of an object its owner keeps alive.
///
/// # Invariants
///
/// `0` is [`Arc::as_ptr`] of an `Arc<T>`, `T` the one type whose
/// [`InRegistry::KIND`] is the entry's kind, that the entry's
/// [`Registered`] holds until it has taken the entry out of the registry,
/// under its lock.
struct Entry(NonNull<()>);

// SAFETY: an entry is the address of a `Send + Sync` object (the bounds of
// `InRegistry`); the registry only turns it back into an `Arc` under its
// lock (type invariant).
unsafe impl Send for Entry {}

/// Every live object a handle can name, one table per kind. The registry
/// knows no object's type: the kind in a handle says which type its entry
/// points at (see [`InRegistry`]).
struct Registry {
    tables: [HandleTable<Entry, MAX_PER_KIND>; HandleKind::COUNT],
}

impl Registry {
    const fn new() -> Self {
        Self {
            tables: [const { HandleTable::new() }; HandleKind::COUNT],
        }
    }

    fn table(&mut self, kind: HandleKind) -> &mut HandleTable<Entry, MAX_PER_KIND> {
        &mut self.tables[kind.index()]
    }
}

global_lock! {
    // SAFETY: `init` runs in module init, before any entry point is callable.
    unsafe(uninit) static REGISTRY: SpinLockIrq<Registry> = Registry::new();
}

/// Initializes the registry's lock. Called once, from module init.
pub(crate) fn init() {
    // SAFETY: called once, from module init, before any other use.
    unsafe { REGISTRY.init() };
}

/// An object a handle can name.
///
/// # Safety
///
/// `KIND` must be implemented by no other type: the registry reads an
/// entry of that kind as a `Self`.
pub(crate) unsafe trait InRegistry: Send + Sync + Sized + 'static {
    /// The kind encoded in its handles.
    const KIND: HandleKind;

    /// Called when its owner lets it go, once its handle names nothing:
    /// what must happen before the owner's reference goes (and may sleep:
    /// owners let go at PASSIVE_LEVEL). A reference a lookup took before
    /// may still be in use.
    fn release(&self) {}
}

/// An object as its owner holds it: named by a handle while this lives.
///
/// # Invariants
///
/// The registry's entry under `handle` is `Arc::as_ptr(&object)` until
/// `drop` takes it out.
pub(crate) struct Registered<T: InRegistry> {
    handle: Handle,
    object: Arc<T>,
}

impl<T: InRegistry> Registered<T> {
    /// Gives `object` a handle. Fails with `RESOURCES` when its table is full.
    pub(crate) fn new(object: Arc<T>) -> NdisResult<Self> {
        // INVARIANT: the entry is the address of `object`, which `Self`
        // holds until `drop` has taken the entry out.
        let entry = Entry(NonNull::from(&*object).cast());
        let handle = REGISTRY.lock().table(T::KIND).insert(T::KIND, entry)?;
        Ok(Self { handle, object })
    }

    /// The handle the miniport is given.
    pub(crate) fn handle(&self) -> Handle {
        self.handle
    }

    /// The object.
    pub(crate) fn object(&self) -> &Arc<T> {
        &self.object
    }
}

impl<T: InRegistry> Drop for Registered<T> {
    fn drop(&mut self) {
        // Taken out under the lock: no lookup finds the object any more.
        let removed = REGISTRY.lock().table(T::KIND).remove(T::KIND, self.handle);
        debug_assert!(removed.is_some());
        self.object.release();
        // `object` is dropped after this, unlocked.
    }
}

/// The object `handle` names, if it is of `T`'s kind and alive.
pub(crate) fn lookup<T: InRegistry>(handle: Handle) -> Option<Arc<T>> {
    let mut registry = REGISTRY.lock();
    let entry = registry.table(T::KIND).get(T::KIND, handle)?;
    // SAFETY: an entry of `T`'s kind points at a `T` (`InRegistry`'s safety
    // requirement) whose owner holds the `Arc` it came from (`as_ptr`)
    // until it takes the entry out under this lock, which is held: the
    // count does not reach zero while the borrow lives.
    let borrow = unsafe { ArcBorrow::from_raw(entry.0.cast::<T>().as_ptr()) };
    Some(borrow.into())
}

/// Every live object of `T`'s kind, with its handle (debugfs).
pub(crate) fn all<T: InRegistry>() -> KVec<(Handle, Arc<T>)> {
    let mut out = KVec::new();
    let mut registry = REGISTRY.lock();
    for (h, entry) in registry.table(T::KIND).iter() {
        // SAFETY: as in `lookup`.
        let borrow = unsafe { ArcBorrow::from_raw(entry.0.cast::<T>().as_ptr()) };
        // Atomic: the lock disables interrupts. A full list is cut short.
        if out.push((h, Arc::from(borrow)), GFP_ATOMIC).is_err() {
            break;
        }
    }
    out
}
