// SPDX-License-Identifier: GPL-2.0

//! Shared memory: `NdisMAllocateSharedMemory`, `NdisMFreeSharedMemory`,
//! `NdisMAllocateSharedMemoryAsyncEx` (NDIS 6), `NdisMAllocateSharedMemoryAsync`
//! (NDIS 5), and the alignment queries `NdisMGetDmaAlignment` /
//! `NdisGetSharedDataAlignment`.
//!
//! As on Windows (XP SP1 and later), shared memory belongs to the adapter's
//! DMA adapter, bus master or subordinate: the scatter-gather DMA
//! registration, an NDIS 5 bus master's map registers, or a system-DMA
//! channel (`Adapter::dma_adapter_limit`). It is allocated below that DMA
//! adapter's reach; an adapter without one gets none.
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

use crate::work_sync::Flush;
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

/// The completion handler of an asynchronous allocation: NDIS 6's
/// `MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE` and NDIS 5's
/// `W_ALLOCATE_COMPLETE_HANDLER` have one prototype.
pub(crate) type CompleteHandler = abi::MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER;

/// A shared-memory block as debugfs's view shows it.
pub(crate) struct BlockView {
    pub(crate) bus_address: u64,
    pub(crate) len: u32,
    pub(crate) cached: bool,
}

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

/// A pending asynchronous allocation. It holds the adapter's core, not the
/// adapter, which owns this shared memory.
struct AsyncRequest {
    adapter: Arc<AdapterCore>,
    handler: unsafe extern "C" fn(
        abi::NDIS_HANDLE,
        abi::PVOID,
        abi::PNDIS_PHYSICAL_ADDRESS,
        abi::ULONG,
        abi::PVOID,
    ),
    /// Its DMA adapter's reach, read when the request was made.
    limit: u64,
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
    /// An NDIS 5 miniport's `AllocateCompleteHandler`, read at probe.
    ndis5_complete: CompleteHandler,
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
    /// `ndis5_complete` is the NDIS 5 `AllocateCompleteHandler` (`None`
    /// for an NDIS 6 miniport).
    pub(crate) fn new(ndis5_complete: CompleteHandler) -> Result<Arc<Self>> {
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
                ndis5_complete,
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

    /// The live blocks (at most `max`) and the asynchronous allocations
    /// not yet served, for debugfs's view.
    pub(crate) fn blocks(&self, max: usize) -> Result<(KVec<BlockView>, usize)> {
        let mut out = KVec::with_capacity(max, GFP_KERNEL)?;
        let st = self.state.lock();
        for block in st.blocks.iter().take(max) {
            let key = block.key();
            // Within the capacity reserved above: cannot fail.
            let _ = out.push_within_capacity(BlockView {
                bus_address: key.dma,
                len: key.len,
                cached: key.cached,
            });
        }
        Ok((out, st.requests.len()))
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
            let allocated = allocate_for(self, adapter, req.limit, req.len, req.cached);
            let mut pa = abi::NDIS_PHYSICAL_ADDRESS {
                QuadPart: allocated.as_ref().map_or(0, |&(_, dma)| dma as i64),
            };
            // "If the attempt to allocate shared memory fails, NDIS calls
            // MiniportSharedMemoryAllocateComplete and passes NULL pointers"
            // (NdisMAllocateSharedMemoryAsyncEx; NdisMAllocateSharedMemoryAsync
            // alike): VirtualAddress and PhysicalAddress both NULL.
            let (va, pa_ptr) = match allocated {
                Ok((va, _)) => (va, &raw mut pa),
                Err(_) => (core::ptr::null_mut(), core::ptr::null_mut()),
            };
            // SAFETY: the miniport's completion handler, called from process
            // context (PASSIVE_LEVEL) with its adapter context while the
            // adapter lives (halt flushes this work first); `pa_ptr` is NULL
            // or points at `pa`, valid for the call.
            unsafe {
                (req.handler)(
                    adapter.context(),
                    va,
                    pa_ptr,
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
        self.work.flush();
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

/// Allocates and records `len` bytes of `adapter`'s shared memory below
/// `limit`, its DMA adapter's reach. PASSIVE: may sleep.
fn allocate_for(
    shared: &SharedMemory,
    adapter: &AdapterCore,
    limit: u64,
    len: u32,
    cached: bool,
) -> NdisResult<(*mut c_void, u64)> {
    if !valid_length(len) {
        return Err(Error::InvalidLength);
    }
    // More than all of RAM can never be had: refused before asking, since
    // under an IOMMU the pages would be gathered one by one first.
    if u64::from(len) > total_ram() {
        return Err(Error::Resources);
    }
    // `Cached` is recorded for the free; coherent memory is what a device
    // may share with the CPU on Linux either way (as on x86 Windows, where
    // the flag is ignored).
    // Any `Length` may be asked for: a failure is NULL to the miniport, not
    // a warning in the log.
    let (mem, reach) = {
        // The mask is read under the lock too: outside it, a 24-bit
        // allocation of another thread may have narrowed it for a moment
        // (46-mask-race caught good memory refused that way).
        let serialized = adapter.coherent_allocation();
        // SAFETY: `raw_device` gives the adapter's valid `struct device`.
        let coherent = unsafe { ndis_shim_dma_coherent_limit(dma::raw_device(adapter.device())) };
        let mem = dma::within_coherent_limit(adapter.bound_device(), limit, &serialized, || {
            Coherent::<u8>::zeroed_slice_with_attrs(
                adapter.bound_device(),
                len as usize,
                GFP_KERNEL | __GFP_NOWARN,
                DMA_ATTR_NO_WARN,
            )
        });
        (mem, coherent.min(limit))
    };
    let mem = mem.and_then(|m| m).map_err(|_| Error::Resources)?;
    let block = Block { mem, cached };
    let key = block.key();
    if !within_reach(key.dma, len, reach) {
        dev_err!(
            adapter.device(),
            "shared memory at {:#x}+{} beyond the DMA adapter's reach {:#x}\n",
            key.dma,
            len,
            reach
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

/// The system's RAM in bytes.
fn total_ram() -> u64 {
    let mut info = core::mem::MaybeUninit::<bindings::sysinfo>::zeroed();
    // SAFETY: `si_meminfo` fills the `sysinfo` it is given, which is valid
    // for writes.
    unsafe { bindings::si_meminfo(info.as_mut_ptr()) };
    // SAFETY: zeroed, then filled: every field is an integer.
    let info = unsafe { info.assume_init() };
    (info.totalram as u64).saturating_mul(u64::from(info.mem_unit))
}

/// `NdisMAllocateSharedMemory`: the CPU and device addresses of `len` new
/// bytes of `adapter`'s shared memory. PASSIVE.
///
/// The adapter must have a DMA adapter, bus master or subordinate ("A
/// miniport driver must have already called NdisMRegisterScatterGatherDma
/// or NdisMRegisterDmaChannel", `NdisMAllocateSharedMemory`;
/// `NdisMAllocateMapRegisters` for an NDIS 5 bus master); without one,
/// nothing is allocated (one log line, counted). `dma_adapter_limit` finds
/// its reach, if it has one; it may sleep.
pub(crate) fn allocate(
    shared: &SharedMemory,
    adapter: &AdapterCore,
    dma_adapter_limit: impl FnOnce() -> Option<u64>,
    len: u32,
    cached: bool,
) -> NdisResult<(*mut c_void, u64)> {
    const CALL: &str = "NdisMAllocateSharedMemory";
    if !may_sleep() {
        adapter.reject(CALL, "called above PASSIVE_LEVEL");
        return Err(Error::Failure);
    }
    let Some(limit) = dma_adapter_limit() else {
        adapter.reject(
            CALL,
            "no DMA adapter (NdisMRegisterScatterGatherDma, NdisMRegisterDmaChannel or NdisMAllocateMapRegisters first)",
        );
        return Err(Error::Failure);
    };
    if !valid_length(len) {
        adapter.reject(CALL, "zero Length");
        return Err(Error::InvalidLength);
    }
    allocate_for(shared, adapter, limit, len, cached)
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

/// `NdisMAllocateSharedMemoryAsyncEx` (NDIS 6) with the scatter-gather
/// DMA registration's `SharedMemAllocateCompleteHandler` and reach, or
/// `NdisMAllocateSharedMemoryAsync` (NDIS 5) with `handler` `None`: the
/// miniport's `AllocateCompleteHandler`, below `limit`, the reach of its
/// map registers (an NDIS 5 bus master's DMA adapter; `None`: none).
///
/// Queues the allocation; its result reaches the handler from process
/// context (PASSIVE_LEVEL): the memory, or NULL `VirtualAddress` and
/// `PhysicalAddress` when the allocation fails, a zero `Length` included.
/// `Ok` is `NDIS_STATUS_PENDING`; every refusal is [`Error::Failure`], the
/// one other status the pages name ("The requested memory could not be
/// allocated at this time"). IRQL <= DISPATCH.
pub(crate) fn allocate_async(
    shared: &Arc<SharedMemory>,
    adapter: &Arc<AdapterCore>,
    handler: Option<CompleteHandler>,
    limit: Option<u64>,
    len: u32,
    cached: bool,
    context: usize,
) -> NdisResult {
    let limit = limit.ok_or(Error::Failure)?;
    // Without a completion handler the result could reach nobody.
    let handler = handler
        .unwrap_or(shared.ndis5_complete)
        .ok_or(Error::Failure)?;
    let mut st = shared.state.lock();
    if st.closing {
        return Err(Error::Failure);
    }
    let req = AsyncRequest {
        adapter: adapter.clone(),
        handler,
        limit,
        len,
        cached,
        context,
    };
    let queued = st.requests.push(req, GFP_ATOMIC);
    drop(st);
    queued.map_err(|_| Error::Failure)?;
    shared.kick();
    Ok(())
}

/// `NdisMGetDmaAlignment`: the alignment DMA buffers of the adapter need.
/// PASSIVE. Its page wants a DMA adapter first and names no value without
/// one, or above PASSIVE_LEVEL: 0 then (a value, so not a rejected call).
/// `dma_adapter_limit` finds the adapter's DMA adapter; it may sleep.
pub(crate) fn dma_alignment(dma_adapter_limit: impl FnOnce() -> Option<u64>) -> u32 {
    if !may_sleep() || dma_adapter_limit().is_none() {
        return 0;
    }
    // SAFETY: a constant query.
    unsafe { ndis_shim_dma_alignment() }
}

/// `NdisGetSharedDataAlignment`: the cache line size, to keep data the
/// CPUs share apart.
pub(crate) fn shared_data_alignment() -> u32 {
    // SAFETY: a constant query.
    unsafe { ndis_shim_cache_line_size() }
}
