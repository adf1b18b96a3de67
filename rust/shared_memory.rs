// SPDX-License-Identifier: GPL-2.0

//! Shared memory of bus-master adapters: `NdisMAllocateSharedMemory`,
//! `NdisMFreeSharedMemory`, `NdisMAllocateSharedMemoryAsyncEx`, and the
//! alignment queries `NdisMGetDmaAlignment` / `NdisGetSharedDataAlignment`.
//!
//! Shared memory is coherent DMA memory ([`Coherent`]); the
//! `PhysicalAddress` a miniport gets is its device (bus) address, which
//! differs from the physical one under an IOMMU. Each adapter keeps its
//! allocations in a [`SharedMemory`]: a free must name one of them exactly
//! (the host-tested rule in [`crate::shared`]), or it is rejected.
//!
//! Windows allows the free at DISPATCH_LEVEL, but `dma_free_coherent` may
//! not run in atomic context: such a free takes the block off the live list
//! at once (so it cannot be freed twice) and leaves the release to a work
//! item. Asynchronous allocations are served by the same work item, in
//! process context. Both are flushed before the adapter goes away.

use core::ffi::c_void;
use kernel::{
    alloc::flags::__GFP_NOWARN,
    bindings,
    dma::{attrs::DMA_ATTR_NO_WARN, Coherent},
    new_spinlock_irq, new_work,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc, SpinLockIrq,
    },
    workqueue::{self, impl_has_work, Work, WorkItem},
};

use crate::{
    abi,
    adapter_core::AdapterCore,
    dma,
    memory::may_sleep,
    shared::{find_free, valid_length, within_reach, SharedBlock},
    status::{Error, Result as NdisResult},
};

extern "C" {
    fn ndis_shim_dma_alignment() -> u32;
    fn ndis_shim_cache_line_size() -> u32;
    fn ndis_shim_dma_coherent_limit(dev: *mut c_void) -> u64;
}

/// The completion handler of an asynchronous allocation.
pub(crate) type CompleteHandler = abi::MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER;

/// One allocation.
struct Block {
    mem: Coherent<[u8]>,
    cached: bool,
}

impl Block {
    fn key(&self) -> SharedBlock {
        SharedBlock {
            va: self.mem.as_mut_ptr().cast::<u8>() as usize,
            dma: self.mem.dma_address(),
            len: self.mem.size() as u32,
            cached: self.cached,
        }
    }
}

/// A pending `NdisMAllocateSharedMemoryAsyncEx`. It holds the adapter's
/// core, not the adapter, which owns this shared memory.
struct AsyncRequest {
    adapter: Arc<AdapterCore>,
    handler: CompleteHandler,
    len: u32,
    cached: bool,
    context: usize,
}

/// What the lock of a [`SharedMemory`] protects.
///
/// # Invariants
///
/// `doomed.capacity() >= doomed.len() + blocks.len()`, so a free in atomic
/// context moves a block from `blocks` to `doomed` without allocating.
struct State {
    /// Live allocations.
    blocks: KVec<Block>,
    /// Freed in atomic context; released by the work item.
    doomed: KVec<Block>,
    /// Asynchronous allocations not yet served.
    requests: KVec<AsyncRequest>,
    /// The adapter is going away: no new requests, no handler calls.
    closing: bool,
}

/// An adapter's shared memory.
#[pin_data]
pub(crate) struct SharedMemory {
    #[pin]
    state: SpinLockIrq<State>,
    #[pin]
    work: Work<SharedMemory>,
    /// Frees carried out by the work item because the caller was atomic.
    deferred_frees: Atomic<u64>,
}

impl_has_work! {
    impl HasWork<Self> for SharedMemory { self.work }
}

impl WorkItem for SharedMemory {
    type Pointer = Arc<SharedMemory>;

    fn run(this: Arc<SharedMemory>) {
        this.reap();
        this.serve_requests();
    }
}

impl SharedMemory {
    pub(crate) fn new() -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(SharedMemory {
                state <- new_spinlock_irq!(State {
                    blocks: KVec::new(),
                    doomed: KVec::new(),
                    requests: KVec::new(),
                    closing: false,
                }),
                work <- new_work!("SharedMemory::work"),
                deferred_frees: Atomic::new(0),
            }),
            GFP_KERNEL,
        )
    }

    /// (live allocations, frees waiting for process context, frees
    /// carried out there so far), for debugfs.
    pub(crate) fn counts(&self) -> (usize, usize, u64) {
        let st = self.state.lock();
        (
            st.blocks.len(),
            st.doomed.len(),
            self.deferred_frees.load(Relaxed),
        )
    }

    /// Releases the blocks freed in atomic context. Process context.
    fn reap(&self) {
        loop {
            let block = self.state.lock().doomed.pop();
            let Some(block) = block else { return };
            // Dropped unlocked: `dma_free_coherent` may sleep.
            drop(block);
            self.deferred_frees.fetch_add(1, Relaxed);
        }
    }

    /// Serves the pending asynchronous allocations, calling each one's
    /// handler. Process context.
    fn serve_requests(&self) {
        loop {
            let (req, closing) = {
                let mut st = self.state.lock();
                if st.requests.is_empty() {
                    return;
                }
                (st.requests.remove(0), st.closing)
            };
            let Ok(req) = req else { return };
            // Closing: the miniport's context may be gone; dropped
            // without a call.
            if closing {
                continue;
            }
            let adapter = &req.adapter;
            let (va, dma) = match allocate_for(self, adapter, req.len, req.cached) {
                Ok((va, dma)) => (va, dma as i64),
                Err(_) => (core::ptr::null_mut(), 0),
            };
            let mut pa = abi::NDIS_PHYSICAL_ADDRESS { QuadPart: dma };
            let Some(handler) = req.handler else { continue };
            // SAFETY: the miniport's MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE,
            // called from process context with its adapter context while
            // the adapter lives (halt flushes this work first); `pa` is a
            // valid NDIS_PHYSICAL_ADDRESS for the call.
            unsafe {
                handler(
                    adapter.context(),
                    va,
                    &mut pa,
                    req.len,
                    req.context as *mut c_void,
                )
            };
        }
    }

    fn kick(self: &Arc<Self>) {
        // Already queued: that run will see this work too.
        let _ = workqueue::system().enqueue(self.clone());
    }

    /// Waits until the work item has run: every free made in atomic
    /// context is released and every pending asynchronous allocation
    /// completed. PASSIVE.
    pub(crate) fn flush(&self) {
        // SAFETY: `work` is a field of this live, pinned object and was
        // initialised by `new`; `flush_work` only waits for it.
        unsafe { bindings::flush_work(Work::raw_get(&raw const self.work)) };
        // A free may have been queued behind a run that had already reaped.
        self.reap();
    }

    /// At adapter teardown (after `MiniportHaltEx` or a failed initialize):
    /// no more handler calls, every deferred free done, and what the
    /// miniport never freed freed now. Returns how many blocks it had left.
    /// PASSIVE.
    pub(crate) fn release(&self) -> usize {
        let (blocks, requests) = {
            let mut st = self.state.lock();
            st.closing = true;
            (
                core::mem::take(&mut st.blocks),
                core::mem::take(&mut st.requests),
            )
        };
        // Unlocked: freeing may sleep.
        drop(requests);
        let left = blocks.len();
        drop(blocks);
        // A free that raced with the above was deferred: done here.
        self.flush();
        left
    }
}

/// Whether `adapter` may have shared memory: it declared itself a bus
/// master (see [`AdapterCore::dma_adapter_ready`]).
fn check_ready(adapter: &AdapterCore, call: &str) -> NdisResult {
    if adapter.dma_adapter_ready() {
        Ok(())
    } else {
        adapter.reject(call, "the adapter is not a bus master with a DMA adapter");
        Err(Error::Failure)
    }
}

/// Allocates and records `len` bytes of `adapter`'s shared memory.
/// PASSIVE: may sleep.
fn allocate_for(
    shared: &SharedMemory,
    adapter: &AdapterCore,
    len: u32,
    cached: bool,
) -> NdisResult<(*mut c_void, u64)> {
    const CALL: &str = "NdisMAllocateSharedMemory";
    check_ready(adapter, CALL)?;
    if !may_sleep() {
        adapter.reject(CALL, "called above PASSIVE_LEVEL");
        return Err(Error::Failure);
    }
    if !valid_length(len) {
        adapter.reject(CALL, "zero Length");
        return Err(Error::InvalidLength);
    }
    // `Cached` is recorded for the free; coherent memory is what a device
    // may share with the CPU on Linux either way (as on x86 Windows, where
    // the flag is ignored).
    // Any `Length` may be asked for: a failure is NULL to the miniport, not
    // a warning in the log.
    let (mem, limit) = {
        // The mask is read under the lock too: outside it, a 24-bit
        // allocation of another thread may have narrowed it for a moment
        // (46-mask-race caught good memory refused that way).
        let _serialized = adapter.coherent_allocation();
        // SAFETY: `raw_device` gives the adapter's valid `struct device`.
        let limit = unsafe { ndis_shim_dma_coherent_limit(dma::raw_device(adapter.device())) };
        let mem = Coherent::<u8>::zeroed_slice_with_attrs(
            adapter.bound_device(),
            len as usize,
            GFP_KERNEL | __GFP_NOWARN,
            DMA_ATTR_NO_WARN,
        );
        (mem, limit)
    };
    let mem = mem.map_err(|_| Error::Resources)?;
    let block = Block { mem, cached };
    let key = block.key();
    if !within_reach(key.dma, len, limit) {
        dev_err!(
            adapter.device(),
            "shared memory at {:#x}+{} beyond the coherent mask {:#x}\n",
            key.dma,
            len,
            limit
        );
        return Err(Error::Resources);
    }
    let mut st = shared.state.lock();
    let room = st.blocks.len() + 1;
    // Closing: teardown has taken the list; nothing may join it now.
    let reserved = !st.closing
        && st.blocks.reserve(1, GFP_ATOMIC).is_ok()
        && st.doomed.reserve(room, GFP_ATOMIC).is_ok();
    let pushed = if reserved {
        // INVARIANT: `doomed` has room for every live block and this one.
        st.blocks.push_within_capacity(block).map_err(|e| e.0)
    } else {
        Err(block)
    };
    drop(st);
    // Not recorded: freed unlocked.
    pushed.map_err(|_| Error::Resources)?;
    Ok((key.va as *mut c_void, key.dma))
}

/// `NdisMAllocateSharedMemory`: the CPU and device addresses of `len` new
/// bytes of `adapter`'s shared memory. PASSIVE.
pub(crate) fn allocate(
    shared: &SharedMemory,
    adapter: &AdapterCore,
    len: u32,
    cached: bool,
) -> NdisResult<(*mut c_void, u64)> {
    allocate_for(shared, adapter, len, cached)
}

/// `NdisMFreeSharedMemory`: frees the allocation the arguments name
/// exactly; anything else is rejected. IRQL <= DISPATCH: from atomic
/// context the release is deferred to process context.
pub(crate) fn free(
    shared: &Arc<SharedMemory>,
    adapter: &AdapterCore,
    len: u32,
    cached: bool,
    va: *mut c_void,
    dma: u64,
) {
    const CALL: &str = "NdisMFreeSharedMemory";
    let req = SharedBlock {
        va: va as usize,
        dma,
        len,
        cached,
    };
    // Asked before the (IRQ-disabling) lock is taken.
    let atomic = !may_sleep();
    let mut st = shared.state.lock();
    let found = find_free(st.blocks.iter().map(Block::key), &req);
    let i = match found {
        Ok(i) => i,
        Err(why) => {
            drop(st);
            adapter.reject(CALL, why.why());
            return;
        }
    };
    let Ok(block) = st.blocks.remove(i) else {
        return;
    };
    if !atomic {
        drop(st);
        drop(block);
        return;
    }
    // Cannot fail: `doomed` has room for every live block (`State`).
    let parked = st.doomed.push_within_capacity(block);
    drop(st);
    if let Err(e) = parked {
        // Unreachable by the invariant; never free in atomic context.
        core::mem::forget(e.0);
        dev_err!(
            adapter.device(),
            "{}: no room to defer a free; leaked\n",
            CALL
        );
        return;
    }
    shared.kick();
}

/// `NdisMAllocateSharedMemoryAsyncEx`: queues the allocation; its result
/// reaches the miniport's completion handler from process context (VA NULL
/// on failure). Returns `Ok` for `NDIS_STATUS_PENDING`. IRQL <= DISPATCH.
pub(crate) fn allocate_async(
    shared: &Arc<SharedMemory>,
    adapter: &Arc<AdapterCore>,
    handler: CompleteHandler,
    len: u32,
    cached: bool,
    context: usize,
) -> NdisResult {
    if !adapter.dma_adapter_ready() {
        return Err(Error::Failure);
    }
    if !valid_length(len) {
        return Err(Error::InvalidLength);
    }
    let mut st = shared.state.lock();
    if st.closing {
        return Err(Error::Failure);
    }
    // Without a completion handler the result could reach nobody.
    if handler.is_none() {
        return Err(Error::Failure);
    }
    let req = AsyncRequest {
        adapter: adapter.clone(),
        handler,
        len,
        cached,
        context,
    };
    let queued = st.requests.push(req, GFP_ATOMIC);
    drop(st);
    queued.map_err(|_| Error::Resources)?;
    shared.kick();
    Ok(())
}

/// `NdisMGetDmaAlignment`: the alignment DMA buffers of the adapter need;
/// 0 when it has no DMA adapter (not a bus master).
pub(crate) fn dma_alignment(adapter: &AdapterCore) -> u32 {
    if adapter.dma_adapter_ready() {
        // SAFETY: a constant query.
        unsafe { ndis_shim_dma_alignment() }
    } else {
        0
    }
}

/// `NdisGetSharedDataAlignment`: the cache line size, to keep data the
/// CPUs share apart.
pub(crate) fn shared_data_alignment() -> u32 {
    // SAFETY: a constant query.
    unsafe { ndis_shim_cache_line_size() }
}
