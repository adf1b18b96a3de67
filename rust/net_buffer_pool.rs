// SPDX-License-Identifier: GPL-2.0

//! NET_BUFFER_LIST and NET_BUFFER pools and the data-space calls:
//! `NdisAllocateNetBufferListPool` and the calls that allocate from and
//! free to it, `NdisAllocateNetBufferPool` likewise,
//! `NdisRetreatNetBufferDataStart`, `NdisAdvanceNetBufferDataStart` and
//! `NdisGetDataBuffer`.
//!
//! A pool is a registry object ([`NblPool`], [`NbPool`]) named by its
//! handle; the pool tables here own them. NBLs and NET_BUFFERs are C
//! objects the miniport reads and writes with the WDK's macros, so they are
//! real kernel memory laid out as `ndis.h` says: one zeroed `kmalloc` block
//! per NBL holding the NBL, its context area and what the pool gives with
//! it (`rust/core/nbl.rs` lays it out). This module writes those objects,
//! as `memory.rs` writes the MDLs it allocates; [`crate::exports`] reads
//! the miniport's arguments and passes the pointers in through `unsafe`
//! functions whose requirements are what the pages require of the caller.
//!
//! Every call is legal at DISPATCH_LEVEL, so nothing here sleeps: memory
//! is allocated atomically unless the caller may sleep, and a freed pool
//! leaves the registry (which waits for an RCU grace period) only at the
//! next pool call made at PASSIVE_LEVEL, or at module unload.

use core::ffi::c_void;
use core::ptr::null_mut;
use kernel::{
    bindings,
    prelude::*,
    sync::{
        atomic::{Atomic, Full, Relaxed},
        global_lock, Arc,
    },
};

use crate::{
    abi,
    handle::{Handle, HandleKind},
    memory,
    nbl::{self, DataBuffer, NblPoolParams, ObjectSizes, Retreat},
    net_buffer::mdl_view,
    registry::{self, InRegistry, Registered},
    reject::reject_global as reject,
    status::{Error, Result},
};

/// The C objects' sizes, from the generated types.
const SIZES: ObjectSizes = ObjectSizes {
    nbl: core::mem::size_of::<abi::NET_BUFFER_LIST>(),
    context_header: core::mem::size_of::<abi::NET_BUFFER_LIST_CONTEXT>(),
    nb: core::mem::size_of::<abi::NET_BUFFER>(),
    mdl: core::mem::size_of::<abi::MDL>(),
};

/// The most MDLs retreats may have put at the head of one NET_BUFFER's
/// chain at once (one bit each in `NdisReserved[1]`).
const MAX_RETREAT_MDLS: usize = 64;

/// A NET_BUFFER_LIST pool.
pub(crate) struct NblPool {
    params: NblPoolParams,
    /// NBLs allocated and not yet freed.
    outstanding: Atomic<u64>,
    /// `NdisFreeNetBufferListPool` was called: no more allocations.
    freed: Atomic<bool>,
}

// SAFETY: `NblPool` is the only type with kind `NblPool`.
unsafe impl InRegistry for NblPool {
    const KIND: HandleKind = HandleKind::NblPool;
}

/// A NET_BUFFER pool.
pub(crate) struct NbPool {
    outstanding: Atomic<u64>,
    freed: Atomic<bool>,
}

// SAFETY: `NbPool` is the only type with kind `NbPool`.
unsafe impl InRegistry for NbPool {
    const KIND: HandleKind = HandleKind::NbPool;
}

/// What a pool table keeps of a pool: whether it was freed and how many
/// objects are out, to know when it may leave.
trait Pool: InRegistry {
    fn freed(&self) -> bool;
    fn outstanding(&self) -> u64;
}

impl Pool for NblPool {
    fn freed(&self) -> bool {
        self.freed.load(Relaxed)
    }
    fn outstanding(&self) -> u64 {
        self.outstanding.load(Relaxed)
    }
}

impl Pool for NbPool {
    fn freed(&self) -> bool {
        self.freed.load(Relaxed)
    }
    fn outstanding(&self) -> u64 {
        self.outstanding.load(Relaxed)
    }
}

/// As many slots as the registry has handles of a kind: a table never
/// allocates, so a pool call at DISPATCH_LEVEL never fails for want of room
/// here once the registry gave a handle.
const SLOTS: usize = 128;

/// The pools of one kind; owns them.
struct PoolTable<T: InRegistry> {
    slots: [Option<Registered<T>>; SLOTS],
}

impl<T: Pool> PoolTable<T> {
    const fn new() -> Self {
        Self {
            slots: [const { None }; SLOTS],
        }
    }

    fn insert(&mut self, pool: Registered<T>) -> core::result::Result<(), Registered<T>> {
        match self.slots.iter_mut().find(|s| s.is_none()) {
            Some(slot) => {
                *slot = Some(pool);
                Ok(())
            }
            None => Err(pool),
        }
    }

    /// Takes out one freed pool with nothing outstanding (all of them at
    /// unload).
    fn take_reapable(&mut self, all: bool) -> Option<Registered<T>> {
        self.slots
            .iter_mut()
            .find(|s| {
                s.as_ref()
                    .is_some_and(|p| all || (p.object().freed() && p.object().outstanding() == 0))
            })?
            .take()
    }
}

global_lock! {
    // SAFETY: `init` runs in module init, before any entry point is callable.
    unsafe(uninit) static NBL_POOLS: SpinLockIrq<PoolTable<NblPool>> = PoolTable::new();
}

global_lock! {
    // SAFETY: `init` runs in module init, before any entry point is callable.
    unsafe(uninit) static NB_POOLS: SpinLockIrq<PoolTable<NbPool>> = PoolTable::new();
}

/// Initializes the pool tables' locks. Called once, from module init.
pub(crate) fn init() {
    // SAFETY: called once, from module init, before any other use.
    unsafe {
        NBL_POOLS.init();
        NB_POOLS.init();
    }
}

/// Lets go of every pool, at module unload (no miniport module is left).
pub(crate) fn exit() {
    reap(true);
}

/// Drops the pools that were freed and have nothing outstanding (every
/// pool when `all`). Dropping waits for an RCU grace period, so only at
/// PASSIVE_LEVEL.
fn reap(all: bool) {
    if !memory::may_sleep() {
        return;
    }
    loop {
        let pool = NBL_POOLS.lock().take_reapable(all);
        let Some(pool) = pool else { break };
        let out = pool.object().outstanding();
        if out != 0 {
            pr_warn!(
                "ndis: NBL pool {:#x} released with {} NBLs outstanding\n",
                pool.handle().into_raw(),
                out
            );
        }
    }
    loop {
        let pool = NB_POOLS.lock().take_reapable(all);
        let Some(pool) = pool else { break };
        let out = pool.object().outstanding();
        if out != 0 {
            pr_warn!(
                "ndis: NET_BUFFER pool {:#x} released with {} NET_BUFFERs outstanding\n",
                pool.handle().into_raw(),
                out
            );
        }
    }
}

fn gfp() -> bindings::gfp_t {
    let base = if memory::may_sleep() {
        bindings::GFP_KERNEL
    } else {
        bindings::GFP_ATOMIC
    };
    base | bindings::__GFP_ZERO | bindings::__GFP_NOWARN
}

/// A zeroed block of `len` bytes, aligned to `MEMORY_ALLOCATION_ALIGNMENT`
/// (every `kmalloc` size class of 16 bytes or more is).
fn zalloc(len: usize) -> *mut u8 {
    // SAFETY: `kmalloc` with a valid size and flags.
    unsafe { bindings::__kmalloc_noprof(len.max(nbl::ALIGNMENT), gfp()) }.cast()
}

/// `NdisAllocateNetBufferListPool`.
pub(crate) fn allocate_nbl_pool(params: NblPoolParams) -> Result<Handle> {
    reap(false);
    let pool = Arc::new(
        NblPool {
            params,
            outstanding: Atomic::new(0),
            freed: Atomic::new(false),
        },
        flags(),
    )?;
    let registered = Registered::new(pool)?;
    let handle = registered.handle();
    // The registry holds at most `SLOTS` of a kind, so there is room.
    if let Err(lost) = NBL_POOLS.lock().insert(registered) {
        lost.object().freed.store(true, Relaxed);
        core::mem::forget(lost);
        return Err(Error::Resources);
    }
    Ok(handle)
}

/// `NdisAllocateNetBufferPool`.
pub(crate) fn allocate_nb_pool(_data_size: u32) -> Result<Handle> {
    reap(false);
    let pool = Arc::new(
        NbPool {
            outstanding: Atomic::new(0),
            freed: Atomic::new(false),
        },
        flags(),
    )?;
    let registered = Registered::new(pool)?;
    let handle = registered.handle();
    if let Err(lost) = NB_POOLS.lock().insert(registered) {
        lost.object().freed.store(true, Relaxed);
        core::mem::forget(lost);
        return Err(Error::Resources);
    }
    Ok(handle)
}

fn flags() -> kernel::alloc::Flags {
    if memory::may_sleep() {
        GFP_KERNEL
    } else {
        GFP_ATOMIC
    }
}

/// `NdisFreeNetBufferListPool`. A pool freed with NBLs still out stops
/// allocating and leaves once the last is freed (Windows requires them all
/// freed first; the shim logs and counts the call).
pub(crate) fn free_nbl_pool(handle: Handle) {
    match registry::find::<NblPool>(handle) {
        None => reject("NdisFreeNetBufferListPool", "unknown pool handle"),
        Some(pool) => {
            if pool.freed.xchg(true, Full) {
                reject("NdisFreeNetBufferListPool", "pool already freed");
            } else if pool.outstanding() != 0 {
                reject(
                    "NdisFreeNetBufferListPool",
                    "NET_BUFFER_LISTs still allocated",
                );
            }
        }
    }
    reap(false);
}

/// `NdisFreeNetBufferPool`, as [`free_nbl_pool`].
pub(crate) fn free_nb_pool(handle: Handle) {
    match registry::find::<NbPool>(handle) {
        None => reject("NdisFreeNetBufferPool", "unknown pool handle"),
        Some(pool) => {
            if pool.freed.xchg(true, Full) {
                reject("NdisFreeNetBufferPool", "pool already freed");
            } else if pool.outstanding() != 0 {
                reject("NdisFreeNetBufferPool", "NET_BUFFERs still allocated");
            }
        }
    }
    reap(false);
}

/// The data a NET_BUFFER starts with: `MdlChain`, `DataOffset`,
/// `DataLength`.
#[derive(Clone, Copy)]
pub(crate) struct InitialData {
    pub(crate) chain: *mut abi::MDL,
    pub(crate) offset: u32,
    pub(crate) length: u32,
}

/// Points `nb` at `data`, with `CurrentMdl` and `CurrentMdlOffset` where
/// `DataOffset` falls.
///
/// # Safety
///
/// `nb` writable; `data.chain` NULL or a readable MDL chain.
unsafe fn set_data(nb: *mut abi::NET_BUFFER, data: InitialData) {
    // SAFETY: a readable chain (safety requirement).
    let (current, current_offset) = unsafe { current_mdl(data.chain, data.offset) };
    // SAFETY: writable (safety requirement); plain fields of the union's
    // `NET_BUFFER_DATA` view.
    unsafe {
        let d = &raw mut (*nb).__bindgen_anon_1.NetBufferHeader.NetBufferData;
        (*d).MdlChain = data.chain;
        (*d).DataOffset = data.offset;
        (*d).__bindgen_anon_1.stDataLength = u64::from(data.length);
        (*d).CurrentMdl = current;
        (*d).CurrentMdlOffset = current_offset;
    }
}

/// The MDL of `chain` holding byte `offset`, and the offset in it.
///
/// # Safety
///
/// `chain` NULL or a readable MDL chain.
unsafe fn current_mdl(chain: *mut abi::MDL, offset: u32) -> (*mut abi::MDL, u32) {
    // SAFETY: readable (safety requirement).
    let lengths = unsafe { Mdls::new(chain) }.map(|m| {
        // SAFETY: each MDL of the chain is readable.
        unsafe { (*m).ByteCount }
    });
    match nbl::locate(lengths, offset) {
        // SAFETY: as above.
        Some((i, at)) => (unsafe { Mdls::new(chain) }.nth(i).unwrap_or(null_mut()), at),
        None => (null_mut(), 0),
    }
}

/// The MDLs of a chain, as pointers.
///
/// # Invariants
///
/// The chain from `0` is readable while the iterator is used.
struct Mdls(*mut abi::MDL);

impl Mdls {
    /// # Safety
    ///
    /// `first` NULL or a readable MDL chain, while the iterator is used.
    unsafe fn new(first: *mut abi::MDL) -> Self {
        // INVARIANT: by the safety requirement.
        Self(first)
    }
}

impl Iterator for Mdls {
    type Item = *mut abi::MDL;
    fn next(&mut self) -> Option<*mut abi::MDL> {
        let m = self.0;
        if m.is_null() {
            return None;
        }
        // SAFETY: readable (type invariant).
        self.0 = unsafe { (*m).Next };
        Some(m)
    }
}

/// `NdisAllocateNetBufferList` (`data` None) and
/// `NdisAllocateNetBufferAndNetBufferList` (`data` Some: the pool must
/// allocate NET_BUFFERs and no data). NULL on failure, logged and counted
/// unless it is only memory.
///
/// # Safety
///
/// `data.chain`, if any, NULL or a readable MDL chain that stays valid
/// while the NET_BUFFER uses it.
pub(crate) unsafe fn allocate_nbl(
    call: &str,
    handle: Handle,
    context_size: u16,
    backfill: u16,
    data: Option<InitialData>,
) -> *mut abi::NET_BUFFER_LIST {
    let Some(pool) = registry::find::<NblPool>(handle) else {
        reject(call, "unknown pool handle");
        return null_mut();
    };
    if pool.freed() {
        reject(call, "pool freed");
        return null_mut();
    }
    let p = pool.params;
    if data.is_some() && (!p.allocate_nb || p.data_size != 0) {
        reject(call, "pool not made with fAllocateNetBuffer and DataSize 0");
        return null_mut();
    }
    let layout = match nbl::nbl_layout(SIZES, p, context_size, backfill) {
        Ok(l) => l,
        Err(_) => {
            reject(
                call,
                "ContextSize or ContextBackFill not a multiple of MEMORY_ALLOCATION_ALIGNMENT",
            );
            return null_mut();
        }
    };
    let block = zalloc(layout.total);
    if block.is_null() {
        return null_mut();
    }
    pool.outstanding.add(1, Relaxed);
    let raw_handle = handle.into_raw() as abi::NDIS_HANDLE;
    let nbl = block.cast::<abi::NET_BUFFER_LIST>();
    // SAFETY: `block` is a fresh zeroed allocation of `layout.total` bytes,
    // 16-aligned; every offset in `layout` lies inside it, aligned for what
    // goes there (`nbl_layout`), and the parts do not overlap.
    unsafe {
        let ctx = block
            .add(layout.context)
            .cast::<abi::NET_BUFFER_LIST_CONTEXT>();
        (*ctx).Size = layout.context_size;
        (*ctx).Offset = layout.context_offset;
        (*nbl).Context = ctx;
        (*nbl).NdisPoolHandle = raw_handle;
        if let Some(at) = layout.nb {
            let nb = block.add(at).cast::<abi::NET_BUFFER>();
            (*nb).NdisPoolHandle = raw_handle;
            (*nbl).__bindgen_anon_1.__bindgen_anon_1.FirstNetBuffer = nb;
            if let Some((mdl_at, data_at)) = layout.mdl_and_data {
                let mdl = block.add(mdl_at).cast::<abi::MDL>();
                memory::build_mdl(mdl, block.add(data_at).cast(), p.data_size);
                set_data(
                    nb,
                    InitialData {
                        chain: mdl,
                        offset: 0,
                        length: p.data_size,
                    },
                );
            } else if let Some(d) = data {
                set_data(nb, d);
            }
        }
    }
    nbl
}

/// `NdisFreeNetBufferList`.
///
/// # Safety
///
/// `nbl` an NBL from [`allocate_nbl`], not yet freed, whose pool handle
/// is `handle`.
pub(crate) unsafe fn free_nbl(handle: Handle, nbl: *mut abi::NET_BUFFER_LIST) {
    let Some(pool) = registry::find::<NblPool>(handle) else {
        reject(
            "NdisFreeNetBufferList",
            "not from an NBL pool (NdisPoolHandle unknown)",
        );
        return;
    };
    // SAFETY: `nbl` is ours (safety requirement): the preallocated
    // NET_BUFFER, if any, lies between the context and the block's end.
    unsafe { release_retreat_mdls_of_block(nbl) };
    // SAFETY: a block from `zalloc` (safety requirement).
    unsafe { bindings::kfree(nbl.cast()) };
    pool.outstanding.fetch_sub(1, Relaxed);
}

/// Frees the MDLs retreats left at the head of the NET_BUFFER the pool
/// allocated with `nbl`, if there is one and it is still first.
///
/// # Safety
///
/// `nbl` an NBL from [`allocate_nbl`], not yet freed.
unsafe fn release_retreat_mdls_of_block(nbl: *mut abi::NET_BUFFER_LIST) {
    // SAFETY: readable (safety requirement).
    let (first, ctx) = unsafe {
        (
            (*nbl).__bindgen_anon_1.__bindgen_anon_1.FirstNetBuffer,
            (*nbl).Context,
        )
    };
    if first.is_null() || ctx.is_null() {
        return;
    }
    // The pool's NET_BUFFER directly follows the context data in the
    // block; one the caller chained from elsewhere is the caller's.
    // SAFETY: `ctx` is the block's context header (safety requirement).
    let ctx_end = unsafe {
        ctx.cast::<u8>()
            .add(SIZES.context_header + usize::from((*ctx).Size))
    };
    let own = nbl::align_up(ctx_end as usize, nbl::ALIGNMENT);
    if own == Some(first as usize) {
        // SAFETY: the block's own NET_BUFFER.
        unsafe { release_retreat_mdls(first) };
    }
}

/// `NdisAllocateNetBuffer`.
///
/// # Safety
///
/// `data.chain` NULL or a readable MDL chain valid while the NET_BUFFER
/// uses it.
pub(crate) unsafe fn allocate_nb(handle: Handle, data: InitialData) -> *mut abi::NET_BUFFER {
    let Some(pool) = registry::find::<NbPool>(handle) else {
        reject("NdisAllocateNetBuffer", "unknown pool handle");
        return null_mut();
    };
    if pool.freed() {
        reject("NdisAllocateNetBuffer", "pool freed");
        return null_mut();
    }
    let nb = zalloc(SIZES.nb).cast::<abi::NET_BUFFER>();
    if nb.is_null() {
        return nb;
    }
    pool.outstanding.add(1, Relaxed);
    // SAFETY: fresh, zeroed, sized and aligned for a NET_BUFFER; the chain
    // is readable (safety requirement).
    unsafe {
        (*nb).NdisPoolHandle = handle.into_raw() as abi::NDIS_HANDLE;
        set_data(nb, data);
    }
    nb
}

/// `NdisFreeNetBuffer`.
///
/// # Safety
///
/// `nb` a NET_BUFFER from [`allocate_nb`] not yet freed, whose pool
/// handle is `handle`.
pub(crate) unsafe fn free_nb(handle: Handle, nb: *mut abi::NET_BUFFER) {
    let Some(pool) = registry::find::<NbPool>(handle) else {
        reject(
            "NdisFreeNetBuffer",
            "not from a NET_BUFFER pool (an NBL's own NET_BUFFER goes with the NBL)",
        );
        return;
    };
    // SAFETY: ours and live (safety requirement).
    unsafe {
        release_retreat_mdls(nb);
        bindings::kfree(nb.cast());
    }
    pool.outstanding.fetch_sub(1, Relaxed);
}

/// What `NdisReserved` of a NET_BUFFER records of the MDLs retreats put
/// at its chain's head: how many, and which of them the miniport's
/// `NetAllocateMdl` made (bit 0: the first).
///
/// # Safety
///
/// `nb` a live NET_BUFFER from a shim pool.
unsafe fn retreat_record(nb: *mut abi::NET_BUFFER) -> (usize, u64) {
    // SAFETY: readable (safety requirement); the shim's own words.
    unsafe { ((*nb).NdisReserved[0] as usize, (*nb).NdisReserved[1] as u64) }
}

/// # Safety
///
/// As [`retreat_record`].
unsafe fn set_retreat_record(nb: *mut abi::NET_BUFFER, count: usize, driver: u64) {
    // SAFETY: writable (safety requirement).
    unsafe {
        (*nb).NdisReserved[0] = count as *mut c_void;
        (*nb).NdisReserved[1] = driver as usize as *mut c_void;
    }
}

/// Frees the shim's own retreat MDLs still at the head of `nb`'s chain
/// (a miniport that frees without advancing first); those the miniport's
/// `NetAllocateMdl` made are left to it, logged.
///
/// # Safety
///
/// `nb` a live NET_BUFFER from a shim pool, about to be freed.
unsafe fn release_retreat_mdls(nb: *mut abi::NET_BUFFER) {
    // SAFETY: by the safety requirement.
    let (count, driver) = unsafe { retreat_record(nb) };
    if count == 0 {
        return;
    }
    // SAFETY: readable; the chain's first `count` MDLs are the retreats'.
    let mut m = unsafe {
        (*nb)
            .__bindgen_anon_1
            .NetBufferHeader
            .NetBufferData
            .MdlChain
    };
    for i in 0..count.min(MAX_RETREAT_MDLS) {
        if m.is_null() {
            break;
        }
        // SAFETY: a live MDL of the chain.
        let next = unsafe { (*m).Next };
        if driver & (1 << i) == 0 {
            // SAFETY: the shim's own (`memory::allocate_mdl_with_data`).
            unsafe { memory::free_mdl(m) };
        } else {
            reject(
                "NdisFreeNetBuffer(List)",
                "freed with a NetAllocateMdl MDL still retreated into",
            );
        }
        m = next;
    }
}

/// `NdisRetreatNetBufferDataStart`.
///
/// # Safety
///
/// `nb` a live NET_BUFFER from a shim pool whose chain is readable;
/// `allocate` NULL or the miniport's `NetAllocateMdl`.
pub(crate) unsafe fn retreat(
    nb: *mut abi::NET_BUFFER,
    delta: u32,
    backfill: u32,
    allocate: abi::NET_BUFFER_ALLOCATE_MDL_HANDLER,
) -> Result {
    // SAFETY: live (safety requirement).
    let d = unsafe { &raw mut (*nb).__bindgen_anon_1.NetBufferHeader.NetBufferData };
    // SAFETY: as above; plain fields.
    let (offset, length, chain) = unsafe {
        (
            (*d).DataOffset,
            (*d).__bindgen_anon_1.DataLength,
            (*d).MdlChain,
        )
    };
    let plan = nbl::retreat(offset, length, delta, backfill).ok_or(Error::Failure)?;
    let (new_offset, new_chain) = match plan {
        Retreat::InPlace { data_offset } => (data_offset, chain),
        Retreat::Allocate { size, data_offset } => {
            // SAFETY: by the safety requirement.
            let (count, driver) = unsafe { retreat_record(nb) };
            if count >= MAX_RETREAT_MDLS {
                return Err(Error::Resources);
            }
            let (mdl, got, by_driver) = match allocate {
                Some(f) => {
                    let mut got = size;
                    // SAFETY: the miniport's NetAllocateMdl, called as its
                    // page says (IRQL <= DISPATCH_LEVEL, the size in/out).
                    let mdl = unsafe { f(&mut got) };
                    (mdl, got, true)
                }
                None => (memory::allocate_mdl_with_data(size), size, false),
            };
            if mdl.is_null() {
                return Err(Error::Resources);
            }
            // SAFETY: a fresh MDL (ours, or the miniport's NetAllocateMdl's).
            let bytes = unsafe { (*mdl).ByteCount };
            if got < size || bytes < size {
                if !by_driver {
                    // SAFETY: ours, never published.
                    unsafe { memory::free_mdl(mdl) };
                }
                return Err(Error::Resources);
            }
            // A larger buffer than asked gives more backfill.
            let extra = bytes - size;
            // SAFETY: a fresh MDL; linking it in front of the chain.
            unsafe { (*mdl).Next = chain };
            // SAFETY: by the safety requirement.
            unsafe { set_retreat_record(nb, count + 1, (driver << 1) | u64::from(by_driver)) };
            (data_offset + extra, mdl)
        }
    };
    // SAFETY: `new_chain` is readable: the miniport's chain, maybe behind
    // a fresh MDL; `d` writable.
    unsafe {
        let (current, current_offset) = current_mdl(new_chain, new_offset);
        (*d).MdlChain = new_chain;
        (*d).DataOffset = new_offset;
        (*d).__bindgen_anon_1.stDataLength = u64::from(length + delta);
        (*d).CurrentMdl = current;
        (*d).CurrentMdlOffset = current_offset;
    }
    Ok(())
}

/// `NdisAdvanceNetBufferDataStart`. Advancing past the data is refused
/// (logged, nothing changed); with `FreeMdl`, the MDLs retreats put in
/// front that now hold no data are unlinked and freed, each by whoever
/// allocated it (`free` for the miniport's, the shim for its own).
///
/// # Safety
///
/// As [`retreat`]; `free` NULL or the miniport's `NetFreeMdl`.
pub(crate) unsafe fn advance(
    nb: *mut abi::NET_BUFFER,
    delta: u32,
    free_mdl: bool,
    free: abi::NET_BUFFER_FREE_MDL_HANDLER,
) {
    // SAFETY: live (safety requirement).
    let d = unsafe { &raw mut (*nb).__bindgen_anon_1.NetBufferHeader.NetBufferData };
    // SAFETY: plain fields.
    let (offset, length, mut chain) = unsafe {
        (
            (*d).DataOffset,
            (*d).__bindgen_anon_1.DataLength,
            (*d).MdlChain,
        )
    };
    let Some(mut new_offset) = offset.checked_add(delta).filter(|_| delta <= length) else {
        reject(
            "NdisAdvanceNetBufferDataStart",
            "DataOffsetDelta beyond DataLength",
        );
        return;
    };
    if free_mdl {
        // SAFETY: by the safety requirement.
        let (count, driver) = unsafe { retreat_record(nb) };
        // SAFETY: the chain is readable.
        let lengths = unsafe { Mdls::new(chain) }.map(|m| {
            // SAFETY: each MDL of the chain is readable.
            unsafe { (*m).ByteCount }
        });
        let (n, bytes) = nbl::advance_frees(lengths, count, new_offset);
        let mut mask = driver;
        for _ in 0..n {
            let m = chain;
            // SAFETY: one of the chain's first `count` MDLs, live.
            chain = unsafe { (*m).Next };
            if mask & 1 == 0 {
                // SAFETY: the shim's own.
                unsafe { memory::free_mdl(m) };
            } else if let Some(f) = free {
                // SAFETY: the miniport's NetFreeMdl for its NetAllocateMdl's MDL.
                unsafe { f(m) };
            } else {
                // Its page: NDIS frees these with NetFreeMdl only.
                reject(
                    "NdisAdvanceNetBufferDataStart",
                    "NetAllocateMdl MDL and no FreeMdlHandler: not freed",
                );
            }
            mask >>= 1;
        }
        new_offset -= bytes;
        // SAFETY: by the safety requirement.
        unsafe { set_retreat_record(nb, count - n, mask) };
    }
    // SAFETY: the chain is readable; `d` writable.
    unsafe {
        let (current, current_offset) = current_mdl(chain, new_offset);
        (*d).MdlChain = chain;
        (*d).DataOffset = new_offset;
        (*d).__bindgen_anon_1.stDataLength = u64::from(length - delta);
        (*d).CurrentMdl = current;
        (*d).CurrentMdlOffset = current_offset;
    }
}

/// `NdisGetDataBuffer`.
///
/// # Safety
///
/// `nb` a readable NET_BUFFER whose chain from `CurrentMdl` is readable;
/// `storage` NULL or writable for `needed` bytes.
pub(crate) unsafe fn data_buffer(
    nb: *const abi::NET_BUFFER,
    needed: u32,
    storage: *mut u8,
    align_multiple: u32,
    align_offset: u32,
) -> *mut c_void {
    // SAFETY: readable (safety requirement).
    let d = unsafe { (*nb).__bindgen_anon_1.NetBufferHeader.NetBufferData };
    // SAFETY: the ULONG view, as NDIS reads it.
    let length = unsafe { d.__bindgen_anon_1.DataLength };
    let mut m = d.CurrentMdl.cast_const();
    let mut skip = d.CurrentMdlOffset;
    // The current MDL's system view; an MDL the shim cannot map is NULL,
    // the page's "low resource" answer.
    let first = if m.is_null() {
        None
    } else {
        // SAFETY: readable (safety requirement).
        unsafe { mdl_view(m) }.ok()
    };
    let (va, contiguous) = match first {
        Some(v) => (
            v.start_va + v.byte_offset as usize + skip as usize,
            v.byte_count.saturating_sub(skip),
        ),
        None if needed == 0 => return storage.cast(),
        None => return null_mut(),
    };
    match nbl::data_buffer(
        length,
        contiguous,
        va,
        needed,
        align_multiple,
        align_offset,
        !storage.is_null(),
    ) {
        DataBuffer::Direct => va as *mut c_void,
        DataBuffer::None => null_mut(),
        DataBuffer::Copy => {
            let mut done = 0u32;
            while done < needed && !m.is_null() {
                // SAFETY: readable chain (safety requirement).
                let Ok(v) = (unsafe { mdl_view(m) }) else {
                    return null_mut();
                };
                let avail = v.byte_count.saturating_sub(skip);
                let n = avail.min(needed - done);
                if n != 0 {
                    // SAFETY: `n` bytes at the MDL's system address past
                    // `skip` are its data (`mdl_view` checked the range);
                    // `storage` holds `needed` (safety requirement).
                    unsafe {
                        core::ptr::copy_nonoverlapping(
                            (v.start_va + v.byte_offset as usize + skip as usize) as *const u8,
                            storage.add(done as usize),
                            n as usize,
                        )
                    };
                }
                done += n;
                skip = 0;
                // SAFETY: readable chain.
                m = unsafe { (*m).Next };
            }
            if done < needed {
                return null_mut();
            }
            storage.cast()
        }
    }
}
