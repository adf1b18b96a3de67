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
//! enters the object's address here, and dropped, it takes the entry out,
//! waits for an RCU grace period and only then lets its reference go.
//!
//! Lookups take no lock and no reference: the entry points run Setup,
//! Complete and the SG calls hundreds of thousands of times a second, from
//! every CPU. A lookup reads the published slot inside an RCU read-side
//! section and hands out a [`Found`], a borrow that lives no longer than
//! that section; the grace period the owner waits for keeps the object
//! alive until every such borrow is gone. The section is RCU-sched
//! (preemption off, see [`ReadSection`]): the calls it covers never sleep. Only a caller that keeps an
//! object past the call (a deferred callback) turns it into an `Arc`.
//! Writers (Register, Deregister, debugfs listings) still serialise on one
//! IRQ-safe spin lock; they are rare.

use core::{marker::PhantomData, ptr::NonNull};
use kernel::{
    prelude::*,
    sync::{
        atomic::{Acquire, Atomic, Relaxed, Release},
        global_lock, rcu, Arc, ArcBorrow,
    },
};

use crate::{
    claim::Dispatch,
    handle::{Handle, HandleKind, HandleTable},
    status::Result as NdisResult,
};

/// Handles of one kind that can name something at once: the most
/// channels over all adapters; drivers, adapters, interrupts and SG
/// registrations are far fewer.
pub(crate) const MAX_PER_KIND: usize = 128;

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

/// A slot as lookups read it: the handle it answers to (0: none) and the
/// object's address.
///
/// Written only under [`REGISTRY`]'s lock: publishing stores `object`, then
/// `handle`, both with release ordering; unpublishing stores 0 to `handle`.
/// A reader loads `handle`, `object`, and `handle` again, with acquire
/// ordering: seeing the same handle twice proves `object` was stored by
/// the insert that handle came from, since a removal clears the handle
/// before any later insert stores a new object, and an insert never
/// reissues a handle (the generation moves on every removal).
struct Published {
    handle: Atomic<u64>,
    object: Atomic<*mut ()>,
}

impl Published {
    const fn new() -> Self {
        Self {
            handle: Atomic::new(0),
            object: Atomic::new(core::ptr::null_mut()),
        }
    }
}

/// The published slots, one table per kind, indexed like [`Registry`]'s.
static PUBLISHED: [[Published; MAX_PER_KIND]; HandleKind::COUNT] =
    [const { [const { Published::new() }; MAX_PER_KIND] }; HandleKind::COUNT];

fn published(kind: HandleKind, handle: Handle) -> Option<&'static Published> {
    PUBLISHED[kind.index()].get(handle.slot())
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
        let address = NonNull::from(&*object).cast::<()>();
        let mut registry = REGISTRY.lock();
        let handle = registry.table(T::KIND).insert(T::KIND, Entry(address))?;
        // The table gave out this slot, so it exists in `PUBLISHED` too.
        if let Some(slot) = published(T::KIND, handle) {
            slot.object.store(address.as_ptr(), Release);
            slot.handle.store(handle.into_raw(), Release);
        }
        drop(registry);
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
        let mut registry = REGISTRY.lock();
        let removed = registry.table(T::KIND).remove(T::KIND, self.handle);
        debug_assert!(removed.is_some());
        if let Some(slot) = published(T::KIND, self.handle) {
            slot.handle.store(0, Relaxed);
        }
        drop(registry);
        // No new lookup finds the object now; wait for those that did.
        // Owners let go at PASSIVE_LEVEL (`InRegistry::release`).
        rcu::synchronize_rcu();
        self.object.release();
        // `object` is dropped after this: the last reference, unless a
        // caller turned a lookup into an `Arc` of its own.
    }
}

extern "C" {
    fn ndis_shim_handle_read_lock();
    fn ndis_shim_handle_read_unlock();
}

/// An RCU read-side section of the sched flavour: preemption is off while
/// it lives, and `synchronize_rcu` waits for it like for any other.
///
/// Not `kernel::sync::rcu::Guard`: `rcu_read_lock` takes lockdep's
/// `rcu_lock_map` on the test kernel, about 400 instructions per lookup,
/// more than the rest of a Setup; the kernel crate has no sched-flavour
/// guard. What the section covers never sleeps, so preemption off costs
/// nothing it needed.
///
/// # Invariants
///
/// The CPU is in an RCU-sched read-side section from `new` to `drop`.
struct ReadSection(PhantomData<*mut ()>);

impl ReadSection {
    fn new() -> Self {
        // SAFETY: no requirement; paired with the unlock in `drop`.
        unsafe { ndis_shim_handle_read_lock() };
        // INVARIANT: entered just above.
        Self(PhantomData)
    }
}

impl Drop for ReadSection {
    fn drop(&mut self) {
        // SAFETY: entered in `new` on this CPU (the type is not `Send`).
        unsafe { ndis_shim_handle_read_unlock() };
    }
}

/// An object a handle named, borrowed for an RCU read-side section.
///
/// Not `Send`: the section is the CPU's (or task's) own.
///
/// # Invariants
///
/// `object` points at a live `T` whose [`Registered`] had not taken its
/// entry out when `_rcu` began, so its owner's `Arc` outlives `_rcu`
/// (the owner waits for a grace period before letting it go).
pub(crate) struct Found<T: InRegistry> {
    _rcu: ReadSection,
    object: NonNull<T>,
}

impl<T: InRegistry> Found<T> {
    /// A reference of the caller's own, for use past this section.
    pub(crate) fn to_arc(&self) -> Arc<T> {
        // SAFETY: `object` came from `Arc::as_ptr` and its owner's `Arc` is
        // alive while `_rcu` is held (type invariant), so the count is not zero.
        let borrow = unsafe { ArcBorrow::from_raw(self.object.as_ptr()) };
        borrow.into()
    }
}

impl<T: InRegistry> core::ops::Deref for Found<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: live while `self` (and so `_rcu`) is (type invariant).
        unsafe { self.object.as_ref() }
    }
}

/// The object `handle` names, if it is of `T`'s kind and alive, borrowed
/// for as long as the returned [`Found`] lives. Takes no lock and no
/// reference; never sleeps; callable from any context.
pub(crate) fn find<T: InRegistry>(handle: Handle) -> Option<Found<T>> {
    if handle.kind() != Some(T::KIND) {
        return None;
    }
    let slot = published(T::KIND, handle)?;
    let rcu = ReadSection::new();
    // INVARIANT: the handle matched before and after the object was read,
    // so it is what `Registered::new` published under this handle (see
    // `Published`), an `Arc::as_ptr` of a `T` (the handle's kind is
    // `T::KIND`, implemented by `T` alone), and its entry was still in when
    // `rcu` began.
    Some(Found {
        object: published_object(slot, handle)?,
        _rcu: rcu,
    })
}

/// [`find`] inside a dispatch section the caller holds (which is an RCU
/// read-side section too, see [`Dispatch`]): the object borrowed for as
/// long as the section lives, with no read section of its own.
pub(crate) fn find_at<'a, T: InRegistry>(handle: Handle, _at: &'a Dispatch) -> Option<&'a T> {
    if handle.kind() != Some(T::KIND) {
        return None;
    }
    let object = published_object(published(T::KIND, handle)?, handle)?;
    // SAFETY: `object` is what `Registered::new` published under `handle`
    // (see `published_object`), an `Arc::as_ptr` of a `T` whose owner's
    // `Arc` outlives `_at`: the owner waits for a grace period after taking
    // the entry out, and `_at`, entered before the slot was read, is a
    // read-side section that grace period waits for.
    Some(unsafe { object.as_ref() })
}

/// The object a slot holds under `handle`, read as [`Published`] says: the
/// handle, the object, the handle again. The caller is in an RCU read-side
/// section.
fn published_object<T>(slot: &Published, handle: Handle) -> Option<NonNull<T>> {
    if slot.handle.load(Acquire) != handle.into_raw() {
        return None;
    }
    let object = slot.object.load(Acquire);
    if slot.handle.load(Relaxed) != handle.into_raw() {
        return None;
    }
    NonNull::new(object.cast::<T>())
}

/// The object `handle` names, if it is of `T`'s kind and alive, with a
/// reference of the caller's own (for callbacks that outlive the call).
pub(crate) fn lookup<T: InRegistry>(handle: Handle) -> Option<Arc<T>> {
    find::<T>(handle).map(|found| found.to_arc())
}

/// Every live object of `T`'s kind, with its handle (debugfs).
pub(crate) fn all<T: InRegistry>() -> KVec<(Handle, Arc<T>)> {
    let mut out = KVec::new();
    let mut registry = REGISTRY.lock();
    for (h, entry) in registry.table(T::KIND).iter() {
        // SAFETY: an entry of `T`'s kind points at a `T` (`InRegistry`'s
        // safety requirement) whose owner holds the `Arc` it came from until
        // it has taken the entry out under this lock, which is held.
        let borrow = unsafe { ArcBorrow::from_raw(entry.0.cast::<T>().as_ptr()) };
        // Atomic: the lock disables interrupts. A full list is cut short.
        if out.push((h, Arc::from(borrow)), GFP_ATOMIC).is_err() {
            break;
        }
    }
    out
}
