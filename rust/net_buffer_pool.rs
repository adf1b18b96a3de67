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
//! Every call is legal at DISPATCH_LEVEL, so nothing here sleeps unless
//! the caller may: memory is allocated with `GFP_KERNEL` at PASSIVE_LEVEL,
//! atomically otherwise, and never inside a registry lookup (whose
//! RCU-sched section keeps preemption off): an allocation looks the pool
//! up, lets it go, allocates, and looks it up again to count the object
//! in. A freed pool leaves the registry (which waits for an RCU grace
//! period) only at the next pool call made at PASSIVE_LEVEL, when its
//! owner (the adapter or miniport driver `NdisHandle` named) goes, or at
//! module unload.

use core::ffi::c_void;
use core::ptr::null_mut;
use kernel::{
    bindings,
    prelude::*,
    sync::{
        atomic::{Acquire, Atomic, Full, Relaxed},
        global_lock, Arc,
    },
};

use crate::{
    abi,
    handle::{Handle, HandleKind},
    memory,
    nbl::{self, DataBuffer, NblPoolParams, ObjectSizes, Retreat, RetreatRecord},
    net_buffer::mdl_view,
    registry::{self, InRegistry, Registered, MAX_PER_KIND},
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

/// What every pool keeps: who owns it, how many objects are out, whether
/// it was freed.
pub(crate) struct PoolState {
    /// The adapter or miniport driver `NdisHandle` named, if any: the pool
    /// goes when its owner does ([`release_owned`]).
    owner: Option<Handle>,
    /// Objects allocated and not yet freed.
    pub(crate) outstanding: Atomic<u64>,
    /// Freed (`NdisFree*Pool`, or its owner went): no more allocations.
    pub(crate) freed: Atomic<bool>,
}

impl PoolState {
    pub(crate) fn new(owner: Option<Handle>) -> Self {
        Self {
            owner,
            outstanding: Atomic::new(0),
            freed: Atomic::new(false),
        }
    }
}

/// A NET_BUFFER_LIST pool.
pub(crate) struct NblPool {
    params: NblPoolParams,
    state: PoolState,
}

// SAFETY: `NblPool` is the only type with kind `NblPool`.
unsafe impl InRegistry for NblPool {
    const KIND: HandleKind = HandleKind::NblPool;
}

/// A NET_BUFFER pool.
pub(crate) struct NbPool {
    state: PoolState,
}

// SAFETY: `NbPool` is the only type with kind `NbPool`.
unsafe impl InRegistry for NbPool {
    const KIND: HandleKind = HandleKind::NbPool;
}

/// One kind of pool: its state and its table.
pub(crate) trait Pool: InRegistry {
    /// What the log calls the pool and its objects.
    const NAME: &'static str;
    const OBJECTS: &'static str;
    const STILL_ALLOCATED: &'static str;
    fn state(&self) -> &PoolState;
    /// Runs `f` on the kind's table, locked.
    fn with_table<R>(f: impl FnOnce(&mut PoolTable<Self>) -> R) -> R;
}

impl Pool for NblPool {
    const NAME: &'static str = "NET_BUFFER_LIST pool";
    const OBJECTS: &'static str = "NET_BUFFER_LISTs";
    const STILL_ALLOCATED: &'static str = "NET_BUFFER_LISTs still allocated";
    fn state(&self) -> &PoolState {
        &self.state
    }
    fn with_table<R>(f: impl FnOnce(&mut PoolTable<Self>) -> R) -> R {
        f(&mut NBL_POOLS.lock())
    }
}

impl Pool for NbPool {
    const NAME: &'static str = "NET_BUFFER pool";
    const OBJECTS: &'static str = "NET_BUFFERs";
    const STILL_ALLOCATED: &'static str = "NET_BUFFERs still allocated";
    fn state(&self) -> &PoolState {
        &self.state
    }
    fn with_table<R>(f: impl FnOnce(&mut PoolTable<Self>) -> R) -> R {
        f(&mut NB_POOLS.lock())
    }
}

/// As many slots as the registry has handles of a kind: a table never
/// allocates, so a pool call at DISPATCH_LEVEL never fails for want of room
/// here once the registry gave a handle.
const SLOTS: usize = MAX_PER_KIND;

/// The pools of one kind; owns them.
pub(crate) struct PoolTable<T: InRegistry> {
    slots: [Option<Registered<T>>; SLOTS],
}

impl<T: Pool> PoolTable<T> {
    pub(crate) const fn new() -> Self {
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

    /// Takes out the first pool `pick` chooses.
    pub(crate) fn take(&mut self, pick: impl Fn(&PoolState) -> bool) -> Option<Registered<T>> {
        self.slots
            .iter_mut()
            .find(|s| s.as_ref().is_some_and(|p| pick(p.object().state())))?
            .take()
    }

    fn pools(&self) -> impl Iterator<Item = &PoolState> {
        self.slots.iter().flatten().map(|p| p.object().state())
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

/// Whether a pool may leave: freed, nothing outstanding. The freed flag is
/// read first, with acquire: see [`count_object`].
pub(crate) fn reapable(p: &PoolState) -> bool {
    p.freed.load(Acquire) && p.outstanding.load(Relaxed) == 0
}

/// Drops the pools that were freed and have nothing outstanding (every
/// pool when `all`). Dropping waits for an RCU grace period, so only at
/// PASSIVE_LEVEL.
fn reap(all: bool) {
    if !memory::may_sleep() {
        return;
    }
    reap_kind::<NblPool>(all);
    reap_kind::<NbPool>(all);
}

fn reap_kind<T: Pool>(all: bool) {
    while let Some(pool) = T::with_table(|t| t.take(|p| all || reapable(p))) {
        let out = pool.object().state().outstanding.load(Relaxed);
        if out != 0 {
            // Their memory is never freed: the miniport may still use it.
            pr_warn!(
                "ndis: {} {:#x} released with {} {} outstanding (not freed)\n",
                T::NAME,
                pool.handle().into_raw(),
                out,
                T::OBJECTS
            );
        }
    }
}

/// What an owner left of one kind of pool when it went.
#[derive(Default, Clone, Copy)]
struct Left {
    /// Pools it never freed.
    pools: usize,
    /// Objects still allocated from its pools (their pools stay, freed,
    /// until the last is freed).
    objects: u64,
}

/// What an owner left of its pools, NBL pools then NET_BUFFER pools.
pub(crate) struct Released([(Left, &'static str); 2]);

impl Released {
    /// Hands each line worth logging to `line`.
    pub(crate) fn report(&self, mut line: impl FnMut(core::fmt::Arguments<'_>)) {
        for (left, kind) in self.0 {
            if left.pools > 0 {
                line(format_args!(
                    "{} {} pool(s) not freed; freed",
                    left.pools, kind
                ));
            }
            if left.objects > 0 {
                line(format_args!(
                    "{} {}(s) still allocated; their pools stay until they are freed",
                    left.objects, kind
                ));
            }
        }
    }
}

/// Lets go of the pools `owner` (an adapter's or a miniport driver's
/// handle) made: each is freed as `NdisFree*Pool` would free it, so those
/// with nothing outstanding leave now and the others once their last
/// object is freed (the shim never frees an object a miniport may still
/// use; NBLs indicated up or still queued stay valid). Returns what the
/// owner had left, for the caller to log. PASSIVE_LEVEL.
pub(crate) fn release_owned(owner: Handle) -> Released {
    Released([
        (release_owned_kind::<NblPool>(owner), "NET_BUFFER_LIST"),
        (release_owned_kind::<NbPool>(owner), "NET_BUFFER"),
    ])
}

fn release_owned_kind<T: Pool>(owner: Handle) -> Left {
    let mut left = Left::default();
    T::with_table(|t| {
        for p in t.pools().filter(|p| p.owner == Some(owner)) {
            if !p.freed.xchg(true, Full) {
                left.pools += 1;
            }
            left.objects += p.outstanding.load(Relaxed);
        }
    });
    while let Some(pool) = T::with_table(|t| t.take(|p| p.owner == Some(owner) && reapable(p))) {
        drop(pool);
    }
    left
}

/// A zeroed block of `len` bytes, aligned to `MEMORY_ALLOCATION_ALIGNMENT`
/// (every `kmalloc` size class of 16 bytes or more is), with `gfp` (from
/// [`memory::gfp_zeroed`], taken outside any registry lookup).
fn zalloc(len: usize, gfp: bindings::gfp_t) -> *mut u8 {
    // SAFETY: `kmalloc` with a valid size and flags.
    unsafe { bindings::__kmalloc_noprof(len.max(nbl::ALIGNMENT), gfp) }.cast()
}

/// Gives a new pool a handle and a slot.
fn add_pool<T: Pool>(pool: T) -> Result<Handle> {
    add_pool_arc(Arc::new(pool, memory::alloc_flags())?)
}

/// [`add_pool`] for a pool already in an `Arc` (one with a lock in it,
/// made with `Arc::pin_init`).
pub(crate) fn add_pool_arc<T: Pool>(pool: Arc<T>) -> Result<Handle> {
    reap(false);
    let registered = Registered::new(pool)?;
    let handle = registered.handle();
    // The registry holds at most `SLOTS` of a kind, so there is room.
    if let Err(lost) = T::with_table(|t| t.insert(registered)) {
        lost.object().state().freed.store(true, Relaxed);
        core::mem::forget(lost);
        return Err(Error::Resources);
    }
    Ok(handle)
}

/// `NdisAllocateNetBufferListPool` for the shim's own use (its send NBLs):
/// a pool of nobody's (`crate::net_device` frees it when the adapter's
/// net_device goes), released at module unload if not freed.
pub(crate) fn allocate_nbl_pool(params: NblPoolParams) -> Result<Handle> {
    allocate_owned_nbl_pool(params, None)
}

/// `NdisAllocateNetBufferListPool`: `owner` the adapter or miniport driver
/// `NdisHandle` named, if any.
pub(crate) fn allocate_owned_nbl_pool(
    params: NblPoolParams,
    owner: Option<Handle>,
) -> Result<Handle> {
    add_pool(NblPool {
        params,
        state: PoolState::new(owner),
    })
}

/// `NdisAllocateNetBufferPool`, as [`allocate_owned_nbl_pool`].
pub(crate) fn allocate_nb_pool(_data_size: u32, owner: Option<Handle>) -> Result<Handle> {
    add_pool(NbPool {
        state: PoolState::new(owner),
    })
}

/// `NdisFreeNetBufferListPool` (and `NdisFreeNetBufferPool`). A pool
/// freed with objects still out stops allocating and leaves once the last
/// is freed (Windows requires them all freed first; the shim logs and
/// counts the call).
pub(crate) fn free_pool<T: Pool>(call: &str, handle: Handle) {
    match registry::find::<T>(handle) {
        None => reject(call, "unknown pool handle"),
        Some(pool) => {
            let state = pool.state();
            if state.freed.xchg(true, Full) {
                reject(call, "pool already freed");
            } else if state.outstanding.load(Relaxed) != 0 {
                reject(call, T::STILL_ALLOCATED);
            }
        }
    }
    reap(false);
}

/// `NdisFreeNetBufferListPool`.
pub(crate) fn free_nbl_pool(handle: Handle) {
    free_pool::<NblPool>("NdisFreeNetBufferListPool", handle)
}

/// `NdisFreeNetBufferPool`.
pub(crate) fn free_nb_pool(handle: Handle) {
    free_pool::<NbPool>("NdisFreeNetBufferPool", handle)
}

/// Counts one more object of the pool `handle` names, unless it has gone
/// or was freed since the caller looked (then `false`: the caller frees
/// what it allocated). Made after the allocation, outside the first
/// lookup, so that allocation could sleep when the caller may.
///
/// The count goes up before the freed flag is read, both fully ordered,
/// and a pool is taken out only when, having read the flag set (acquire),
/// it reads no object out ([`reapable`]): either this sees the pool freed,
/// or the reaper sees the object, so no object outlives its pool's handle.
fn count_object<T: Pool>(handle: Handle) -> bool {
    let Some(pool) = registry::find::<T>(handle) else {
        return false;
    };
    let state = pool.state();
    state.outstanding.fetch_add(1, Full);
    if state.freed.load(Acquire) {
        state.outstanding.fetch_sub(1, Full);
        return false;
    }
    true
}

/// One object of the pool `handle` names freed; `false` if no pool of
/// that kind is named (nothing counted).
fn uncount_object<T: Pool>(handle: Handle) -> bool {
    match registry::find::<T>(handle) {
        Some(pool) => {
            pool.state().outstanding.fetch_sub(1, Full);
            true
        }
        None => false,
    }
}

/// The data a NET_BUFFER starts with: `MdlChain`, `DataOffset`,
/// `DataLength`.
///
/// # Invariants
///
/// `chain` is NULL (and `offset`, `length` 0) or the first MDL of a chain
/// that is readable while any NET_BUFFER made from this uses it.
#[derive(Clone, Copy)]
pub(crate) struct InitialData {
    chain: *mut abi::MDL,
    offset: u32,
    length: u32,
}

impl InitialData {
    /// `length` bytes of data `offset` bytes into `chain`; `None` for an
    /// offset or length without a chain.
    ///
    /// # Safety
    ///
    /// `chain` NULL or the first MDL of a chain that stays readable while
    /// the NET_BUFFER made from this uses it.
    pub(crate) unsafe fn new(chain: *mut abi::MDL, offset: u32, length: u32) -> Option<Self> {
        if chain.is_null() && (offset != 0 || length != 0) {
            return None;
        }
        // INVARIANT: by the safety requirement and the check above.
        Some(Self {
            chain,
            offset,
            length,
        })
    }
}

/// Points `nb` at `data`, with `CurrentMdl` and `CurrentMdlOffset` where
/// `DataOffset` falls.
///
/// # Safety
///
/// `nb` a live NET_BUFFER.
unsafe fn set_data(nb: *mut abi::NET_BUFFER, data: InitialData) {
    // SAFETY: live (safety requirement); the chain is readable
    // (`InitialData`).
    unsafe { point(nb, data.chain, data.offset, data.length) }
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
        // SAFETY: `chain` NULL or readable (safety requirement), and unchanged
        // since the walk above.
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
/// The pool is looked up twice: once for its parameters, then, after the
/// allocation (which may sleep when the caller may, so outside the first
/// lookup's RCU-sched section), to count the NBL in ([`count_object`]).
pub(crate) fn allocate_nbl(
    call: &str,
    handle: Handle,
    context_size: u16,
    backfill: u16,
    data: Option<InitialData>,
) -> *mut abi::NET_BUFFER_LIST {
    let p = match registry::find::<NblPool>(handle) {
        None => {
            reject(call, "unknown pool handle");
            return null_mut();
        }
        Some(pool) if pool.state.freed.load(Relaxed) => {
            reject(call, "pool freed");
            return null_mut();
        }
        Some(pool) => pool.params,
    };
    if data.is_some() && (!p.allocate_nb || p.data_size != 0) {
        reject(call, "pool not made with fAllocateNetBuffer and DataSize 0");
        return null_mut();
    }
    let layout = match nbl::nbl_layout(SIZES, p, context_size, backfill) {
        Ok(l) => l,
        Err(_) if usize::from(context_size | backfill) % nbl::ALIGNMENT != 0 => {
            reject(
                call,
                "ContextSize or ContextBackFill not a multiple of MEMORY_ALLOCATION_ALIGNMENT",
            );
            return null_mut();
        }
        Err(_) => {
            reject(
                call,
                "ContextSize + ContextBackFill beyond what NET_BUFFER_LIST_CONTEXT.Size holds",
            );
            return null_mut();
        }
    };
    let block = zalloc(layout.total, memory::gfp_zeroed());
    if block.is_null() {
        return null_mut();
    }
    if !count_object::<NblPool>(handle) {
        // SAFETY: just allocated, never handed out.
        unsafe { bindings::kfree(block.cast()) };
        reject(call, "pool freed during the call");
        return null_mut();
    }
    let raw_handle = handle.into_raw() as abi::NDIS_HANDLE;
    let nbl = block.cast::<abi::NET_BUFFER_LIST>();
    // SAFETY: `block` is a fresh zeroed allocation of `layout.total` bytes,
    // 16-aligned; every offset in `layout` lies inside it, aligned for what
    // goes there (`nbl_layout`), and the parts do not overlap. The data's
    // chain is readable while the NET_BUFFER uses it (`InitialData`).
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
                // The pool's data space is all unused data space, as the
                // NET_BUFFER_DATA page defines it (DataOffset "is also the
                // size, in bytes, of the unused data space"): the miniport
                // takes what it needs with NdisRetreatNetBufferDataStart,
                // which uses unused space before allocating.
                set_data(
                    nb,
                    InitialData {
                        chain: mdl,
                        offset: p.data_size,
                        length: 0,
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
    const CALL: &str = "NdisFreeNetBufferList";
    if registry::find::<NblPool>(handle).is_none() {
        reject(CALL, "not from an NBL pool (NdisPoolHandle unknown)");
        return;
    }
    // SAFETY: `nbl` is ours (safety requirement): the preallocated
    // NET_BUFFER, if any, lies between the context and the block's end.
    unsafe { release_retreat_mdls_of_block(nbl) };
    // SAFETY: a block from `zalloc` (safety requirement).
    unsafe { bindings::kfree(nbl.cast()) };
    // Its pool outlives its last object (`count_object`): still there.
    uncount_object::<NblPool>(handle);
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
        unsafe { release_retreat_mdls(first, "NdisFreeNetBufferList") };
    }
}

/// `NdisAllocateNetBuffer`: looked up twice, as [`allocate_nbl`].
pub(crate) fn allocate_nb(handle: Handle, data: InitialData) -> *mut abi::NET_BUFFER {
    const CALL: &str = "NdisAllocateNetBuffer";
    match registry::find::<NbPool>(handle) {
        None => {
            reject(CALL, "unknown pool handle");
            return null_mut();
        }
        Some(pool) if pool.state.freed.load(Relaxed) => {
            reject(CALL, "pool freed");
            return null_mut();
        }
        Some(_) => {}
    }
    let nb = zalloc(SIZES.nb, memory::gfp_zeroed()).cast::<abi::NET_BUFFER>();
    if nb.is_null() {
        return nb;
    }
    if !count_object::<NbPool>(handle) {
        // SAFETY: just allocated, never handed out.
        unsafe { bindings::kfree(nb.cast()) };
        reject(CALL, "pool freed during the call");
        return null_mut();
    }
    // SAFETY: fresh, zeroed, sized and aligned for a NET_BUFFER; the chain
    // is readable (`InitialData`).
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
    const CALL: &str = "NdisFreeNetBuffer";
    if registry::find::<NbPool>(handle).is_none() {
        reject(
            CALL,
            "not from a NET_BUFFER pool (an NBL's own NET_BUFFER goes with the NBL)",
        );
        return;
    }
    // SAFETY: ours and live (safety requirement).
    unsafe {
        release_retreat_mdls(nb, CALL);
        bindings::kfree(nb.cast());
    }
    uncount_object::<NbPool>(handle);
}

/// The NET_BUFFER's `NET_BUFFER_DATA`.
///
/// # Safety
///
/// `nb` a live NET_BUFFER.
unsafe fn data_of(nb: *mut abi::NET_BUFFER) -> *mut abi::NET_BUFFER_DATA {
    // SAFETY: live (safety requirement); a place, not a read.
    unsafe { &raw mut (*nb).__bindgen_anon_1.NetBufferHeader.NetBufferData }
}

/// What `NdisReserved` records of the MDLs retreats put at the head of
/// `nb`'s chain: `[0]` the head MDL when the record was made, `[1]` the
/// [`RetreatRecord`]. It holds only while `MdlChain` is still that MDL: a
/// miniport may re-point the chain itself (the `NdisAllocateNetBuffer`
/// page sets `NET_BUFFER_FIRST_MDL`, `DATA_OFFSET`, `DATA_LENGTH`,
/// `CURRENT_MDL` and `CURRENT_MDL_OFFSET` directly), and then the MDLs it
/// names are no longer the chain's to free. Such a record is dropped,
/// logged and counted under `call`, and reads as none.
///
/// # Safety
///
/// `nb` a live NET_BUFFER from a shim pool.
unsafe fn retreat_record(nb: *mut abi::NET_BUFFER, call: &str) -> RetreatRecord {
    // SAFETY: live (safety requirement); the shim's own words and a plain
    // field.
    let (head, word, chain) = unsafe {
        (
            (*nb).NdisReserved[0].cast::<abi::MDL>(),
            (*nb).NdisReserved[1] as usize as u64,
            (*data_of(nb)).MdlChain,
        )
    };
    let record = RetreatRecord::unpack(word);
    if record.count == 0 {
        return record;
    }
    if head != chain {
        // SAFETY: `nb` live and from a shim pool (safety requirement), so its
        // `NdisReserved` words are the shim's to clear; a zero record needs no head.
        unsafe { set_retreat_record(nb, null_mut(), RetreatRecord::default()) };
        reject(
            call,
            "MdlChain re-pointed since NdisRetreatNetBufferDataStart put MDLs in front: \
             those are the miniport's now (not freed)",
        );
        return RetreatRecord::default();
    }
    record
}

/// # Safety
///
/// As [`retreat_record`]; `head` the chain's head MDL.
unsafe fn set_retreat_record(nb: *mut abi::NET_BUFFER, head: *mut abi::MDL, r: RetreatRecord) {
    let head = if r.count == 0 { null_mut() } else { head };
    // SAFETY: writable (safety requirement).
    unsafe {
        (*nb).NdisReserved[0] = head.cast();
        (*nb).NdisReserved[1] = r.pack() as usize as *mut c_void;
    }
}

/// Frees the shim's own retreat MDLs still at the head of `nb`'s chain
/// (a miniport that frees without advancing first); those the miniport's
/// `NetAllocateMdl` made are left to it, logged.
///
/// # Safety
///
/// `nb` a live NET_BUFFER from a shim pool, about to be freed.
unsafe fn release_retreat_mdls(nb: *mut abi::NET_BUFFER, call: &str) {
    // SAFETY: by the safety requirement.
    let record = unsafe { retreat_record(nb, call) };
    // SAFETY: readable; the record holds, so the chain's first `count`
    // MDLs are the retreats'.
    let mut m = unsafe { (*data_of(nb)).MdlChain };
    for i in 0..record.count {
        if m.is_null() {
            break;
        }
        // SAFETY: a live MDL of the chain.
        let next = unsafe { (*m).Next };
        if record.by_driver(i) {
            reject(
                call,
                "freed with a NetAllocateMdl MDL still retreated into: left to the miniport",
            );
        } else {
            // SAFETY: the shim's own (`memory::allocate_mdl_with_data`).
            unsafe { memory::free_mdl(m) };
        }
        m = next;
    }
}

/// Writes `nb`'s data fields for `length` bytes at `offset` into `chain`.
///
/// # Safety
///
/// `nb` a live NET_BUFFER; `chain` NULL or a readable MDL chain.
unsafe fn point(nb: *mut abi::NET_BUFFER, chain: *mut abi::MDL, offset: u32, length: u32) {
    // SAFETY: the chain is readable (safety requirement).
    let (current, current_offset) = unsafe { current_mdl(chain, offset) };
    // SAFETY: live (safety requirement); plain fields of the union's
    // `NET_BUFFER_DATA` view.
    unsafe {
        let d = data_of(nb);
        (*d).MdlChain = chain;
        (*d).DataOffset = offset;
        (*d).__bindgen_anon_1.stDataLength = u64::from(length);
        (*d).CurrentMdl = current;
        (*d).CurrentMdlOffset = current_offset;
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
    const CALL: &str = "NdisRetreatNetBufferDataStart";
    // SAFETY: live (safety requirement); plain fields.
    let (offset, length, chain) = unsafe {
        let d = data_of(nb);
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
            let record = unsafe { retreat_record(nb, CALL) };
            let by_driver = allocate.is_some();
            let pushed = record.push(by_driver).ok_or(Error::Resources)?;
            let mdl = match allocate {
                Some(f) => {
                    let mut asked = size;
                    // SAFETY: the miniport's NetAllocateMdl, called as its
                    // page says (IRQL <= DISPATCH_LEVEL, the size passed in).
                    unsafe { f(&mut asked) }
                }
                None => memory::allocate_mdl_with_data(size),
            };
            if mdl.is_null() {
                return Err(Error::Resources);
            }
            // SAFETY: a fresh MDL (ours, or the miniport's NetAllocateMdl's).
            let bytes = unsafe { (*mdl).ByteCount };
            // The NET_BUFFER_ALLOCATE_MDL page: the MDL comes with "an
            // associated memory block of a specified size". One with less
            // that still holds the shortfall is used (less backfill, which
            // is only asked for); one that does not cannot be, and cannot
            // be handed back (this call has no NetFreeMdl).
            let Some(in_mdl) = nbl::allocated_data_offset(bytes, size, data_offset) else {
                if !by_driver {
                    // SAFETY: ours, never published.
                    unsafe { memory::free_mdl(mdl) };
                }
                reject(
                    CALL,
                    "NetAllocateMdl MDL smaller than the data needs: not used (not freed)",
                );
                return Err(Error::Resources);
            };
            // SAFETY: a fresh MDL; linking it in front of the chain.
            unsafe { (*mdl).Next = chain };
            // SAFETY: by the safety requirement; `mdl` is the new head.
            unsafe { set_retreat_record(nb, mdl, pushed) };
            (in_mdl, mdl)
        }
    };
    // SAFETY: `new_chain` is readable: the miniport's chain, maybe behind
    // a fresh MDL.
    unsafe { point(nb, new_chain, new_offset, length + delta) };
    Ok(())
}

/// `NdisAdvanceNetBufferDataStart`. Advancing past the data is refused
/// (logged, nothing changed); with `FreeMdl`, the MDLs retreats put in
/// front that now hold no data are unlinked and freed, each by whoever
/// allocated it (`free` for the miniport's, the shim for its own). A
/// miniport's MDL with no `free` stops that: it and what follows stay
/// linked (logged), as NDIS frees those with `NetFreeMdl` only.
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
    const CALL: &str = "NdisAdvanceNetBufferDataStart";
    // SAFETY: live (safety requirement); plain fields.
    let (offset, length, mut chain) = unsafe {
        let d = data_of(nb);
        (
            (*d).DataOffset,
            (*d).__bindgen_anon_1.DataLength,
            (*d).MdlChain,
        )
    };
    let Some(mut new_offset) = offset.checked_add(delta).filter(|_| delta <= length) else {
        reject(CALL, "DataOffsetDelta beyond DataLength");
        return;
    };
    if free_mdl {
        // SAFETY: by the safety requirement.
        let record = unsafe { retreat_record(nb, CALL) };
        // SAFETY: the chain is readable.
        let lengths = unsafe { Mdls::new(chain) }.map(|m| {
            // SAFETY: each MDL of the chain is readable.
            unsafe { (*m).ByteCount }
        });
        let frees = nbl::advance_frees(lengths, record, free.is_some(), new_offset);
        for i in 0..frees.count {
            let m = chain;
            // SAFETY: one of the chain's first `count` MDLs, live.
            chain = unsafe { (*m).Next };
            match free {
                // SAFETY: the miniport's NetFreeMdl for its NetAllocateMdl's MDL.
                Some(f) if record.by_driver(i) => unsafe { f(m) },
                // SAFETY: the shim's own (`advance_frees` stops before a
                // miniport's MDL when there is no `free`).
                _ => unsafe { memory::free_mdl(m) },
            }
        }
        if frees.blocked {
            reject(
                CALL,
                "NetAllocateMdl MDL and no FreeMdlHandler: left linked, not freed",
            );
        }
        new_offset -= frees.bytes;
        // SAFETY: by the safety requirement; `chain` is the new head.
        unsafe { set_retreat_record(nb, chain, record.pop(frees.count)) };
    }
    // SAFETY: the chain is readable.
    unsafe { point(nb, chain, new_offset, length - delta) };
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
    // Where the data starts: `CurrentMdlOffset` into `CurrentMdl`, which
    // may lie past that MDL's bytes (a miniport that set the fields
    // itself, or the end of an MDL): the excess is carried into the MDLs
    // after it.
    let (mut m, mut skip) = (d.CurrentMdl.cast_const(), d.CurrentMdlOffset);
    // SAFETY: the chain from `CurrentMdl` is readable (safety requirement).
    while let Some((count, next)) = (!m.is_null()).then(|| unsafe { ((*m).ByteCount, (*m).Next) }) {
        if skip < count || next.is_null() {
            break;
        }
        skip -= count;
        m = next;
    }
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
