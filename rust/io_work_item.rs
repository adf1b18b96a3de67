// SPDX-License-Identifier: GPL-2.0

//! I/O work items: `NdisAllocateIoWorkItem`, `NdisQueueIoWorkItem`,
//! `NdisFreeIoWorkItem`.
//!
//! A work item runs its routine at PASSIVE_LEVEL, in a kernel worker of the
//! system workqueue. All three calls are callable at DISPATCH_LEVEL, so
//! none of them sleeps: a freed item's handle goes stale at once (the
//! `freed` mark), and its registration is let go (which waits for a grace
//! period) by the owner's reaper work, after the item's routine, if it was
//! still queued, has run.
//!
//! The adapter owns its items ([`IoWorkItems`]). At its release, after
//! `MiniportHaltEx`, an item the miniport left queued is cancelled, not
//! run: its routine would touch a context the halt has freed.

use core::ffi::c_void;
use kernel::{
    bindings, new_spinlock_irq, new_work,
    prelude::*,
    sync::{
        atomic::{Acquire, Atomic, Release},
        Arc, SpinLockIrq,
    },
    workqueue::{self, impl_has_work, Work, WorkItem},
};

use crate::work_sync::Flush;
use crate::{
    abi,
    handle::{Handle, HandleKind},
    memory,
    registry::{InRegistry, Registered, MAX_PER_KIND},
    status::{Error, Result as NdisResult},
};

/// A queued call: the routine and its `WorkItemContext`.
#[derive(Clone, Copy)]
struct Request {
    routine: unsafe extern "C" fn(abi::PVOID, abi::NDIS_HANDLE),
    context: *mut c_void,
}

// SAFETY: the context is the miniport's, passed back untouched on another
// CPU, as Windows does.
unsafe impl Send for Request {}

/// What `NdisAllocateIoWorkItem`'s handle names.
#[pin_data]
pub(crate) struct IoWorkItem {
    #[pin]
    work: Work<IoWorkItem>,
    /// The call queued and not yet started.
    #[pin]
    request: SpinLockIrq<Option<Request>>,
    /// Its own handle, the routine's second argument; set once registered.
    handle: Atomic<u64>,
    /// `NdisFreeIoWorkItem` was called: the handle names nothing now.
    freed: Atomic<bool>,
    /// The adapter that owns it (its `MiniportAdapterHandle`): a handle,
    /// not a reference, since the owner holds the item.
    owner: Handle,
}

// SAFETY: `KIND` `IoWorkItem` is implemented by `IoWorkItem` only.
unsafe impl InRegistry for IoWorkItem {
    const KIND: HandleKind = HandleKind::IoWorkItem;
}

impl_has_work! {
    impl HasWork<Self> for IoWorkItem { self.work }
}

impl WorkItem for IoWorkItem {
    type Pointer = Arc<IoWorkItem>;

    fn run(this: Arc<IoWorkItem>) {
        // Taken before the call: the routine may queue its item again.
        let Some(request) = this.request.lock().take() else {
            return;
        };
        let handle = this.handle.load(Acquire) as usize as abi::NDIS_HANDLE;
        // SAFETY: the routine and context the miniport queued; a worker is
        // PASSIVE_LEVEL, where Windows runs I/O work items. The miniport's
        // module outlives the call: the adapter's release waits for a
        // running routine ([`IoWorkItems::release`]).
        unsafe { (request.routine)(request.context, handle) };
    }
}

/// Why a call on an item was refused.
pub(crate) enum Refusal {
    /// `NdisFreeIoWorkItem` was called on it.
    Freed,
    /// Queued again before its routine started (Windows: a bug check).
    AlreadyQueued,
}

impl IoWorkItem {
    /// The adapter that owns it.
    pub(crate) fn owner(&self) -> Handle {
        self.owner
    }

    /// `NdisQueueIoWorkItem`. Any IRQL.
    pub(crate) fn queue(
        self: &Arc<Self>,
        routine: unsafe extern "C" fn(abi::PVOID, abi::NDIS_HANDLE),
        context: *mut c_void,
    ) -> core::result::Result<(), Refusal> {
        if self.freed.load(Acquire) {
            return Err(Refusal::Freed);
        }
        {
            let mut request = self.request.lock();
            if request.is_some() {
                return Err(Refusal::AlreadyQueued);
            }
            *request = Some(Request { routine, context });
        }
        // Queued at most once: a request is set only when none was, and
        // the work takes it as it starts.
        if workqueue::system().enqueue(self.clone()).is_err() {
            *self.request.lock() = None;
            return Err(Refusal::AlreadyQueued);
        }
        Ok(())
    }

    /// Cancels the work if queued, waits for it if running; whether a
    /// queued routine was dropped. PASSIVE.
    fn cancel(self: &Arc<Self>) -> bool {
        // SAFETY: `work` was initialised by `new_work!` and lives as long
        // as `self`; cancelling only takes it off the queue or waits.
        let was_queued = unsafe { bindings::cancel_work_sync(Work::raw_get(&raw const self.work)) };
        self.request.lock().take();
        if was_queued {
            // SAFETY: `enqueue` gave the queue a reference with
            // `Arc::into_raw`, which `run` would have taken back; it will
            // not run now, so that reference is dropped here.
            drop(unsafe { Arc::from_raw(Arc::as_ptr(self)) });
        }
        was_queued
    }

    /// Waits until the item is neither queued nor running. PASSIVE, and
    /// never from the item's own routine.
    fn flush(&self) {
        self.work.flush();
    }
}

/// What an adapter's items are, live and freed.
struct State {
    live: KVec<Registered<IoWorkItem>>,
    /// Freed, to be let go by the reaper (a registration's drop sleeps).
    doomed: KVec<Registered<IoWorkItem>>,
    /// The adapter is being released: no new items.
    closing: bool,
}

/// An adapter's I/O work items.
#[pin_data]
pub(crate) struct IoWorkItems {
    #[pin]
    state: SpinLockIrq<State>,
    /// Lets freed items go, at PASSIVE_LEVEL.
    #[pin]
    reaper: Work<IoWorkItems>,
}

impl_has_work! {
    impl HasWork<Self> for IoWorkItems { self.reaper }
}

impl WorkItem for IoWorkItems {
    type Pointer = Arc<IoWorkItems>;

    fn run(this: Arc<IoWorkItems>) {
        this.reap();
    }
}

/// What [`IoWorkItems::release`] found left.
pub(crate) struct Leftovers {
    /// Items never freed.
    pub(crate) unfreed: usize,
    /// Of all items, those whose routine was still queued: not run.
    pub(crate) cancelled: usize,
}

impl IoWorkItems {
    /// Room for every item the registry can name, in both lists: no call
    /// allocates under the lock, and a free at DISPATCH_LEVEL never fails
    /// to move its item.
    pub(crate) fn new() -> Result<Arc<Self>> {
        let live = KVec::with_capacity(MAX_PER_KIND, GFP_KERNEL)?;
        let doomed = KVec::with_capacity(MAX_PER_KIND, GFP_KERNEL)?;
        Arc::pin_init(
            pin_init!(IoWorkItems {
                state <- new_spinlock_irq!(State {
                    live,
                    doomed,
                    closing: false,
                }),
                reaper <- new_work!("IoWorkItems::reaper"),
            }),
            GFP_KERNEL,
        )
    }

    /// `NdisAllocateIoWorkItem`: a new item of the adapter `owner` names,
    /// and its handle. DISPATCH or below.
    pub(crate) fn allocate(&self, owner: Handle) -> NdisResult<Handle> {
        let flags = memory::alloc_flags();
        let item = Arc::pin_init(
            pin_init!(IoWorkItem {
                work <- new_work!("IoWorkItem::work"),
                request <- new_spinlock_irq!(None),
                handle: Atomic::new(0),
                freed: Atomic::new(false),
                owner,
            }),
            flags,
        )
        .map_err(|_| Error::Resources)?;
        let registered = Registered::new(item)?;
        let handle = registered.handle();
        registered.object().handle.store(handle.into_raw(), Release);
        let mut state = self.state.lock();
        if state.closing {
            drop(state);
            return Err(Error::Failure);
        }
        // Cannot fail: the registry names at most `MAX_PER_KIND` items, and
        // each is in one list.
        state
            .live
            .push_within_capacity(registered)
            .map_err(|_| Error::Resources)?;
        Ok(handle)
    }

    /// `NdisFreeIoWorkItem`: `handle` names nothing from here on; the item
    /// is let go once its routine (if queued) has run. DISPATCH or below.
    pub(crate) fn free(self: &Arc<Self>, handle: Handle) -> core::result::Result<(), Refusal> {
        let mut state = self.state.lock();
        let Some(i) = state.live.iter().position(|r| r.handle() == handle) else {
            return Err(Refusal::Freed);
        };
        state.live[i].object().freed.store(true, Release);
        let Ok(registered) = state.live.remove(i) else {
            return Err(Refusal::Freed);
        };
        // Cannot fail: room for every item the registry can name (`new`).
        let _ = state.doomed.push_within_capacity(registered);
        let closing = state.closing;
        drop(state);
        if !closing {
            let _ = workqueue::system().enqueue(self.clone());
        }
        Ok(())
    }

    /// Lets freed items go: each after its routine, if queued, has run.
    fn reap(&self) {
        // One at a time, keeping the list's room for frees meanwhile.
        loop {
            let Some(registered) = self.state.lock().doomed.pop() else {
                break;
            };
            registered.object().flush();
            // Dropped here: the handle's grace period, then the item.
            drop(registered);
        }
    }

    /// Lets every item go, after `MiniportHaltEx`. PASSIVE.
    pub(crate) fn release(&self) -> Leftovers {
        self.state.lock().closing = true;
        // A reap in progress is waited for (no new one is queued: `closing`).
        self.reaper.flush();
        let mut left = Leftovers {
            unfreed: 0,
            cancelled: 0,
        };
        loop {
            let next = {
                let mut state = self.state.lock();
                match state.live.pop() {
                    Some(r) => Some((r, true)),
                    None => state.doomed.pop().map(|r| (r, false)),
                }
            };
            let Some((registered, unfreed)) = next else {
                break;
            };
            left.unfreed += usize::from(unfreed);
            left.cancelled += usize::from(registered.object().cancel());
            drop(registered);
        }
        left
    }

    /// Live items (debugfs).
    pub(crate) fn count(&self) -> usize {
        self.state.lock().live.len()
    }
}
