// SPDX-License-Identifier: GPL-2.0

//! NDIS 5 packet pools and the packet calls that are functions in the WDK:
//! `NdisAllocatePacketPool(Ex)`, `NdisFreePacketPool`,
//! `NdisPacketPoolUsage`, `NdisAllocatePacket`, `NdisFreePacket` (and
//! their `Dpr` forms), `NdisUnchainBufferAtFront/Back` and
//! `NdisCopyFromPacketToPacket(Safe)`. The chaining and query calls are
//! the WDK's macros in `ndis.h`.
//!
//! A pool is a registry object ([`PacketPool`]) kept in the pool table
//! of [`crate::net_buffer_pool`], whose bookkeeping (freed flag, objects
//! outstanding, reaping at PASSIVE_LEVEL) it shares. Its descriptors are
//! one zeroed block allocated with the pool, each laid out as the WDK's
//! pool lays it out (`rust/core/packet.rs`): the `NDIS_PACKET` with its
//! `ProtocolReserved` bytes, its `NDIS_PACKET_OOB_DATA` at
//! `NdisPacketOobOffset`, its `NDIS_PACKET_EXTENSION`. Which descriptors
//! are in use is a bitmap under the pool's spin lock, so
//! `NdisAllocatePacket` (DISPATCH_LEVEL or below) never allocates memory.
//!
//! `NdisAllocatePacketPool` names no owner (no handle argument), so a pool
//! belongs to nobody: the shim cannot tell which driver made it. A pool
//! still there when the shim unloads is freed then, and logged; its
//! descriptors go with it (no miniport is left to use them).

use core::ptr::{null_mut, NonNull};
use kernel::{
    new_spinlock_irq,
    prelude::*,
    sync::{
        atomic::{Acquire, Atomic, Full, Relaxed},
        global_lock, Arc, SpinLockIrq,
    },
};

use crate::{
    abi,
    handle::{Handle, HandleKind},
    memory,
    net_buffer::mdl_view,
    net_buffer_pool::{self, Pool, PoolState, PoolTable},
    packet::{self, Chain, PacketLayout, PacketSizes, Segment},
    registry::{self, InRegistry},
    reject::reject_global as reject,
    status::{Error, Result},
};

/// The C sizes, from the generated types.
const SIZES: PacketSizes = PacketSizes {
    protocol_reserved_at: core::mem::offset_of!(abi::NDIS_PACKET, ProtocolReserved),
    packet: core::mem::size_of::<abi::NDIS_PACKET>(),
    oob: core::mem::size_of::<abi::NDIS_PACKET_OOB_DATA>(),
    extension: core::mem::size_of::<abi::NDIS_PACKET_EXTENSION>(),
};

/// Which descriptors are in use.
struct Slots {
    /// One bit per descriptor, set while allocated.
    map: KVec<u64>,
    /// The word the next search starts at.
    hint: usize,
    /// Descriptors in use.
    used: u32,
}

/// The descriptors' memory.
///
/// # Invariants
///
/// `base` is the start of `_memory`'s buffer, `layout.total` bytes (at
/// least), which is never reallocated and lives as long as `self` (it is
/// held only to be freed with the pool); the miniport writes the
/// descriptors through raw pointers only.
struct Block {
    _memory: KVVec<u64>,
    base: *mut u8,
}

// SAFETY: `base` is only an address into `block`, which is owned; nothing
// in `Block` is tied to a thread.
unsafe impl Send for Block {}
// SAFETY: `&Block` gives only the address; the memory behind it is
// written through raw pointers by whoever holds a descriptor.
unsafe impl Sync for Block {}

/// An `NdisAllocatePacketPool(Ex)` pool.
#[pin_data]
pub(crate) struct PacketPool {
    layout: PacketLayout,
    block: Block,
    #[pin]
    slots: SpinLockIrq<Slots>,
    state: PoolState,
    /// `NdisSetPacketPoolProtocolId`'s ID, put in each packet's
    /// `Private.Flags` at its allocation.
    protocol_id: Atomic<u32>,
}

// SAFETY: `PacketPool` is the only type with kind `PacketPool`.
unsafe impl InRegistry for PacketPool {
    const KIND: HandleKind = HandleKind::PacketPool;
}

global_lock! {
    // SAFETY: `init` runs in module init, before any entry point is callable.
    unsafe(uninit) static PACKET_POOLS: SpinLockIrq<PoolTable<PacketPool>> = PoolTable::new();
}

impl Pool for PacketPool {
    const NAME: &'static str = "packet pool";
    const OBJECTS: &'static str = "packets";
    const STILL_ALLOCATED: &'static str = "packets still allocated";
    fn state(&self) -> &PoolState {
        &self.state
    }
    fn with_table<R>(f: impl FnOnce(&mut PoolTable<Self>) -> R) -> R {
        f(&mut PACKET_POOLS.lock())
    }
}

/// Initializes the pool table's lock. Called once, from module init.
pub(crate) fn init() {
    // SAFETY: called once, from module init, before any other use.
    unsafe { PACKET_POOLS.init() };
}

/// Frees every pool left, at module unload (no miniport module is left),
/// logging those their driver never freed.
pub(crate) fn exit() {
    while let Some(pool) = PacketPool::with_table(|t| t.take(|_| true)) {
        let p = pool.object();
        if !p.state.freed.load(Relaxed) {
            pr_warn!(
                "ndis: packet pool {:#x} not freed by its driver ({} packets allocated); freed at unload\n",
                pool.handle().into_raw(),
                p.state.outstanding.load(Relaxed)
            );
        }
    }
}

/// Drops the pools that were freed and have nothing outstanding. Only at
/// PASSIVE_LEVEL (a registration's drop waits for a grace period).
fn reap() {
    if !memory::may_sleep() {
        return;
    }
    while let Some(pool) = PacketPool::with_table(|t| t.take(net_buffer_pool::reapable)) {
        drop(pool);
    }
}

/// `NdisAllocatePacketPoolEx` (and `NdisAllocatePacketPool`, with no
/// overflow descriptors): every descriptor allocated now.
pub(crate) fn allocate_pool(number: u32, overflow: u32, reserved: u32) -> Result<Handle> {
    reap();
    let count = packet::descriptor_count(number, overflow)?;
    let layout = packet::packet_layout(count, reserved, SIZES)?;
    let flags = memory::alloc_flags();
    let mut block = KVVec::from_elem(0u64, layout.total.div_ceil(8), flags)?;
    let base = block.as_mut_ptr().cast::<u8>();
    let map = KVec::from_elem(0u64, packet::bitmap_words(count), flags)?;
    let pool = Arc::pin_init(
        pin_init!(PacketPool {
            layout,
            // INVARIANT: `base` is the start of `block`'s buffer of at least
            // `layout.total` bytes, moved in with it (a move keeps the heap
            // buffer where it is).
            block: Block {
                _memory: block,
                base
            },
            slots <- new_spinlock_irq!(Slots { map, hint: 0, used: 0 }),
            state: PoolState::new(None),
            protocol_id: Atomic::new(abi::NDIS_PROTOCOL_ID_DEFAULT),
        }),
        flags,
    )?;
    net_buffer_pool::add_pool_arc(pool)
}

/// `NdisFreePacketPool`.
pub(crate) fn free_pool(handle: Handle) {
    net_buffer_pool::free_pool::<PacketPool>("NdisFreePacketPool", handle);
    reap();
}

/// `NdisPacketPoolUsage`: descriptors in use; 0 (refused) for a handle
/// that names no pool.
pub(crate) fn usage(handle: Handle) -> u32 {
    match registry::find::<PacketPool>(handle) {
        Some(pool) => pool.slots.lock().used,
        None => {
            reject("NdisPacketPoolUsage", "unknown pool handle");
            0
        }
    }
}

/// `NdisPacketSize`: the bytes of one descriptor of a pool whose packets
/// have `reserved` bytes of `ProtocolReserved`; 0 for a length no pool can
/// have.
pub(crate) fn descriptor_size(reserved: u32) -> u32 {
    packet::packet_layout(1, reserved, SIZES).map_or(0, |l| u32::try_from(l.stride).unwrap_or(0))
}

/// `NdisSetPacketPoolProtocolId`: packets allocated from the pool from now
/// on carry `id` (its `NDIS_PROTOCOL_ID_MASK` bits) in `Private.Flags`.
/// A handle that names no pool is refused.
pub(crate) fn set_protocol_id(handle: Handle, id: u32) {
    match registry::find::<PacketPool>(handle) {
        Some(pool) => pool
            .protocol_id
            .store(id & abi::NDIS_PROTOCOL_ID_MASK, Relaxed),
        None => reject("NdisSetPacketPoolProtocolId", "unknown pool handle"),
    }
}

/// `NdisAllocatePacket`: a zeroed descriptor of the pool `handle` names,
/// with `Private.Pool`, `NdisPacketOobOffset` and
/// `fPACKET_ALLOCATED_BY_NDIS` set; `Error::Resources` when none is free
/// (its page), the pool was freed, or (refused) no pool is named. Any
/// IRQL up to DISPATCH_LEVEL: nothing is allocated.
pub(crate) fn allocate(call: &str, handle: Handle) -> Result<NonNull<abi::NDIS_PACKET>> {
    let Some(pool) = registry::find::<PacketPool>(handle) else {
        reject(call, "unknown pool handle");
        return Err(Error::Resources);
    };
    // Counted before the freed flag is read: see `net_buffer_pool`'s
    // `count_object`; the pool cannot be reaped with this one out.
    pool.state.outstanding.fetch_add(1, Full);
    if pool.state.freed.load(Acquire) {
        pool.state.outstanding.fetch_sub(1, Full);
        reject(call, "pool already freed");
        return Err(Error::Resources);
    }
    let index = {
        let mut slots = pool.slots.lock();
        let hint = slots.hint;
        let index = packet::take_first_clear(&mut slots.map, pool.layout.count, hint);
        if let Some(i) = index {
            slots.hint = i as usize / 64;
            slots.used += 1;
        }
        index
    };
    let Some(index) = index else {
        pool.state.outstanding.fetch_sub(1, Full);
        return Err(Error::Resources);
    };
    let at = pool.layout.offset_of(index);
    // SAFETY: descriptor `index` is within the block (`index < count`,
    // `total = stride * count`, type invariant of `Block`) and now ours
    // alone (its bit was clear and is set); zeroing `stride` bytes stays in
    // it.
    let p = unsafe {
        let p = pool.block.base.add(at);
        core::ptr::write_bytes(p, 0, pool.layout.stride);
        p.cast::<abi::NDIS_PACKET>()
    };
    // SAFETY: `p` is descriptor `index`, inside the block and ours alone
    // (its bit was just set); the block is at least 8-aligned (a `u64` buffer)
    // and the stride a multiple of 16, so the packet is aligned.
    unsafe {
        (*p).Private.Pool = handle.into_raw() as abi::PNDIS_PACKET_POOL;
        (*p).Private.NdisPacketOobOffset = pool.layout.oob_offset;
        (*p).Private.NdisPacketFlags = abi::fPACKET_ALLOCATED_BY_NDIS as u8;
        (*p).Private.Flags = pool.protocol_id.load(Relaxed);
    }
    NonNull::new(p).ok_or(Error::Resources)
}

/// `NdisFreePacket`: the descriptor goes back to its pool. One that is not
/// an allocated descriptor of the pool its `Private.Pool` names is refused
/// and counted.
///
/// # Safety
///
/// `packet` must be readable for an `NDIS_PACKET_PRIVATE`.
pub(crate) unsafe fn free(call: &str, packet: *mut abi::NDIS_PACKET) {
    // SAFETY: readable (safety requirement).
    let raw = unsafe { (*packet).Private.Pool } as u64;
    let handle = Handle::from_raw(raw);
    let Some(pool) = registry::find::<PacketPool>(handle) else {
        reject(call, "not a packet of any pool");
        return;
    };
    let offset = (packet as usize).wrapping_sub(pool.block.base as usize);
    let freed = pool.layout.index_at(offset).is_some_and(|i| {
        let mut slots = pool.slots.lock();
        let was = packet::clear(&mut slots.map, i);
        if was {
            slots.used -= 1;
        }
        was
    });
    if !freed {
        reject(call, "not an allocated packet of its pool");
        return;
    }
    let last = pool.state.outstanding.fetch_sub(1, Full) == 1;
    let gone = pool.state.freed.load(Acquire);
    drop(pool);
    if last && gone {
        reap();
    }
}

/// Whether `packet` is an allocated descriptor of the pool `handle`
/// names, found by its address alone: nothing is read through it, so a
/// forged pointer is refused safely.
pub(crate) fn is_allocated(handle: Handle, packet: *const abi::NDIS_PACKET) -> bool {
    let Some(pool) = registry::find::<PacketPool>(handle) else {
        return false;
    };
    let offset = (packet as usize).wrapping_sub(pool.block.base as usize);
    if pool.layout.stride == 0 {
        return false;
    }
    pool.layout.index_at(offset).is_some_and(|i| {
        let slots = pool.slots.lock();
        packet::is_set(&slots.map, i)
    })
}

/// The allocated descriptors of the pool `handle` names, at the moment
/// of the call. PASSIVE (allocates), no lock held.
pub(crate) fn allocated(handle: Handle) -> KVec<*mut abi::NDIS_PACKET> {
    let mut out = KVec::new();
    // Allocated first: a found pool is held inside an RCU read section.
    let Some(count) = registry::find::<PacketPool>(handle).map(|p| p.layout.count) else {
        return out;
    };
    if out.reserve(count as usize, GFP_KERNEL).is_err() {
        return out;
    }
    let Some(pool) = registry::find::<PacketPool>(handle) else {
        return out;
    };
    let count = count.min(pool.layout.count);
    let slots = pool.slots.lock();
    for i in 0..count {
        if packet::is_set(&slots.map, i) {
            // SAFETY: within the block (`i < count`, type invariant of
            // `Block`); only the address is formed.
            let p = unsafe { pool.block.base.add(pool.layout.offset_of(i)) };
            // Capacity reserved above: cannot fail.
            let _ = out.push(p.cast(), GFP_ATOMIC);
        }
    }
    out
}

/// `NdisUnchainBufferAtFront`: the first buffer, taken off the chain
/// (its `Next` cleared), or NULL when the chain is empty.
///
/// # Safety
///
/// `packet` must be a writable `NDIS_PACKET` whose chain is readable.
pub(crate) unsafe fn unchain_front(packet: *mut abi::NDIS_PACKET) -> *mut abi::MDL {
    // SAFETY: writable packet, readable chain (safety requirement).
    unsafe {
        let p = &raw mut (*packet).Private;
        let head = (*p).Head;
        if head.is_null() {
            return null_mut();
        }
        (*p).Head = (*head).Next;
        (*head).Next = null_mut();
        (*p).ValidCounts = 0;
        head
    }
}

/// `NdisUnchainBufferAtBack`: the last buffer (`Tail`), taken off the
/// chain, or NULL when the chain is empty.
///
/// # Safety
///
/// As [`unchain_front`].
pub(crate) unsafe fn unchain_back(packet: *mut abi::NDIS_PACKET) -> *mut abi::MDL {
    // SAFETY: writable packet, readable chain (safety requirement).
    unsafe {
        let p = &raw mut (*packet).Private;
        let head = (*p).Head;
        if head.is_null() {
            return null_mut();
        }
        let tail = (*p).Tail;
        if head == tail || (*head).Next.is_null() {
            (*p).Head = null_mut();
            (*p).Tail = null_mut();
            (*p).ValidCounts = 0;
            return head;
        }
        // The buffer before the last one becomes the tail.
        let mut before = head;
        let mut steps = 0;
        while !(*before).Next.is_null() && !(*(*before).Next).Next.is_null() {
            before = (*before).Next;
            steps += 1;
            if steps >= packet::MAX_CHAIN {
                break;
            }
        }
        let last = (*before).Next;
        (*before).Next = null_mut();
        (*p).Tail = before;
        (*p).ValidCounts = 0;
        last
    }
}

/// A packet's buffer chain, as [`packet::plan_copy`] walks it.
///
/// # Invariants
///
/// Every MDL reachable from `head` is readable while `self` lives.
struct MdlChain {
    head: *mut abi::MDL,
}

impl MdlChain {
    /// # Safety
    ///
    /// `packet` must be a readable `NDIS_PACKET` whose chain is readable
    /// while the result lives.
    unsafe fn of(packet: *const abi::NDIS_PACKET) -> Self {
        // SAFETY: readable (safety requirement).
        let head = unsafe { (*packet).Private.Head };
        // INVARIANT: the chain is readable (safety requirement).
        Self { head }
    }
}

impl Chain for MdlChain {
    type Buffer = NonNull<abi::MDL>;
    fn first(&self) -> Option<Self::Buffer> {
        NonNull::new(self.head)
    }
    fn next(&self, b: Self::Buffer) -> Option<Self::Buffer> {
        // SAFETY: reachable from `head`, so readable (type invariant).
        NonNull::new(unsafe { (*b.as_ptr()).Next })
    }
    fn length(&self, b: Self::Buffer) -> u32 {
        // SAFETY: reachable from `head`, so readable (type invariant).
        unsafe { (*b.as_ptr()).ByteCount }
    }
}

/// The system address of byte `at` of `mdl`, if it has one.
///
/// # Safety
///
/// `mdl` must be readable.
unsafe fn address(mdl: NonNull<abi::MDL>, at: u32) -> Option<*mut u8> {
    // SAFETY: readable (safety requirement).
    let view = unsafe { mdl_view(mdl.as_ptr()) }.ok()?;
    Some((view.start_va + view.byte_offset as usize + at as usize) as *mut u8)
}

/// `NdisCopyFromPacketToPacket(Safe)`: up to `bytes` bytes from
/// `src_off` in `src` to `dst_off` in `dst`, stopping where either chain
/// ends. Every buffer in the range must have a system address, or
/// nothing is copied (0: the Safe form's failure; the plain form has none
/// to give). Returns the bytes copied.
///
/// # Safety
///
/// Both must be readable packets whose chains are readable and whose
/// buffers, where they have a system address, are that many bytes of
/// memory (the destination's writable).
pub(crate) unsafe fn copy(
    dst: *const abi::NDIS_PACKET,
    dst_off: u32,
    bytes: u32,
    src: *const abi::NDIS_PACKET,
    src_off: u32,
) -> u32 {
    // SAFETY: by this function's safety requirement.
    let (d, s) = unsafe { (MdlChain::of(dst), MdlChain::of(src)) };
    let addresses = |seg: &Segment<NonNull<abi::MDL>, NonNull<abi::MDL>>| {
        // SAFETY: buffers of readable chains.
        unsafe { address(seg.dst, seg.dst_at).zip(address(seg.src, seg.src_at)) }
    };
    let mut mappable = true;
    let planned = packet::plan_copy(&d, dst_off, &s, src_off, bytes, |seg| {
        mappable = addresses(&seg).is_some();
        mappable
    });
    if !mappable {
        return 0;
    }
    packet::plan_copy(&d, dst_off, &s, src_off, planned, |seg| {
        if let Some((to, from)) = addresses(&seg) {
            // SAFETY: both ranges lie within their buffers (the plan keeps
            // each piece inside both), which are memory of that many
            // bytes (safety requirement); `copy` allows overlap.
            unsafe { core::ptr::copy(from, to, seg.len as usize) };
        }
        true
    })
}
