// SPDX-License-Identifier: GPL-2.0

//! NDIS 6 scatter-gather DMA: `NdisMRegisterScatterGatherDma`,
//! `NdisMAllocateNetBufferSGList` and their undoing.
//!
//! As on Windows, a NET_BUFFER's list starts at the beginning of its
//! `CurrentMdl` and covers `CurrentMdlOffset + DataLength` bytes across the
//! chain; the miniport skips `CurrentMdlOffset` bytes of it. Those bytes
//! are mapped page by page as one scatterlist ([`SgTable`]) and written
//! out as a `SCATTER_GATHER_LIST`. What the device cannot take as mapped (a
//! mapping error, an address beyond its reach, too many elements, or
//! device-to-host pieces sharing a cache line with other memory) is bounced
//! through a slot of a coherent pool allocated at registration, copied in
//! for host-to-device and the data copied back at free for device-to-host;
//! `CurrentMdlOffset` bytes that do not fit in the slot with the data are
//! not data, and are described by elements at a scratch page.
//! `ProcessSGList` runs at DISPATCH_LEVEL (bottom halves off). The
//! arithmetic is in the host-tested [`crate::sg`].
//!
//! The hot path takes no lock and allocates nothing in the common case
//! (Documentation/performance.rst): a registration keeps a pool of list
//! records ([`Record`]), each with a scatterlist for a list of up to
//! [`POOL_ENTRIES`] pages, on a lock-free free stack; Allocate pops one,
//! and Free finds it in O(1) by the index Allocate left in the list's
//! `Reserved` field (checked against the list and NET_BUFFER the record
//! holds, so a forged or stale one is refused as before). When the pool is
//! empty a record is allocated (`GFP_ATOMIC`) and kept on a locked list.
//! Both calls run with the registration borrowed from the registry
//! ([`Found`]): Deregister waits for them before it unmaps anything.

use core::{cell::UnsafeCell, ffi::c_void};
use kernel::{
    new_spinlock_irq,
    page::PAGE_SIZE,
    prelude::*,
    sync::{
        atomic::{Acquire, Atomic, Relaxed, Release},
        Arc, SpinLockIrq,
    },
};

use crate::{
    abi,
    adapter_core::AdapterCore,
    channel::Direction,
    dma::{self, BounceMemory, MapError, MapPolicy},
    driver::Characteristics,
    handle::{Handle, HandleKind},
    mdl::VaRange,
    net_buffer::{ListBuffer, NetBufferView},
    registry::{self, Found, InRegistry},
    sg::{self, Element, SgLimits},
    sg_map::{self, SgRange, SgTable},
    status::{Error, Result as NdisResult},
};

extern "C" {
    fn ndis_shim_sg_process(
        process: abi::MINIPORT_PROCESS_SG_LIST_HANDLER,
        list: *mut c_void,
        context: *mut c_void,
    );
    fn ndis_shim_sg_read_hint(at: *const c_void) -> u64;
}

/// List records a registration keeps: as many as its bounce slots can
/// serve at most, the lists a NIC keeps in flight (see [`sg::BOUNCE_LISTS`]).
const POOL_LISTS: usize = sg::BOUNCE_LISTS;
/// Most scatterlist entries a pooled record holds (its registration's
/// `max_elements`, if fewer); a list of more pieces gets a table of its own.
const POOL_ENTRIES: u32 = 64;
/// Where a list keeps its record's index (+ 1; 0: none), which Free reads
/// back: `SCATTER_GATHER_LIST.Reserved`, the system's own field.
const HINT_OFFSET: usize = 8;

/// A record's phase, in the low bits of [`Record::state`]; the bits above
/// count the record's lists, so a Free that read a record's fields for one
/// list cannot take it once it holds another.
const PHASE: u32 = 3;
/// On the free stack (or, off the pool, not yet handed out).
const FREE: u32 = 0;
/// Held by one call: being built, or being freed.
const BUSY: u32 = 1;
/// Handed to the miniport: `list` and `net_buffer` say what it is.
const OUTSTANDING: u32 = 2;
/// One list more in [`Record::state`].
const GENERATION: u32 = PHASE + 1;

/// How a list's data reaches the device.
enum Backing {
    /// No list.
    None,
    /// The NET_BUFFER's own pages, mapped by the record's table.
    Mapped,
    /// Copied through bounce slot `slot`; the record's `ranges` are what
    /// was staged there, of which the first `skip` bytes are not data.
    Bounced { slot: usize, skip: usize },
}

/// What a record holds for its list: the holder's alone (see [`Record`]).
struct Body {
    table: SgTable,
    /// The ranges mapped or staged (capacity kept from list to list).
    ranges: KVec<SgRange>,
    /// The list's memory when the caller's buffer was too small (capacity
    /// kept from list to list).
    own: KVec<u64>,
    dir: Direction,
    backing: Backing,
}

/// One SG list's record.
///
/// # Invariants
///
/// `body` is accessed only by the record's holder: for a pooled record,
/// the call that popped it off the free stack (until it pushes it back or
/// publishes it [`OUTSTANDING`]), or the call that moved it from
/// [`OUTSTANDING`] to [`BUSY`]; for a record off the pool, whoever has it
/// (by value, or in [`SgDma::overflow`] under its lock); and `release`,
/// once no call can reach the registration. `list` and `net_buffer` are
/// stored before the record is published [`OUTSTANDING`] (release order).
struct Record {
    state: Atomic<u32>,
    /// The next record on the free stack, + 1 (0: none).
    next: Atomic<u32>,
    /// The `SCATTER_GATHER_LIST` address the miniport was given.
    list: Atomic<usize>,
    net_buffer: Atomic<usize>,
    body: UnsafeCell<Body>,
}

// SAFETY: `body` is reached by one holder at a time (type invariant), the
// rest are atomics; `Body` is `Send`.
unsafe impl Sync for Record {}

impl Record {
    /// A record whose table holds lists of up to `cap` pieces unallocated.
    fn new(cap: u32, ranges: usize, flags: kernel::alloc::Flags) -> NdisResult<Self> {
        Ok(Self {
            state: Atomic::new(FREE),
            next: Atomic::new(0),
            list: Atomic::new(0),
            net_buffer: Atomic::new(0),
            body: UnsafeCell::new(Body {
                table: SgTable::new(cap).map_err(|_| Error::Resources)?,
                ranges: KVec::with_capacity(ranges, flags).map_err(|_| Error::Resources)?,
                own: KVec::new(),
                dir: Direction::ToDevice,
                backing: Backing::None,
            }),
        })
    }

    /// The body.
    ///
    /// # Safety
    ///
    /// The caller must be the record's holder (type invariant), and use no
    /// other reference from this method at the same time.
    #[allow(clippy::mut_from_ref)]
    unsafe fn body(&self) -> &mut Body {
        // SAFETY: the holder's alone (safety requirement).
        unsafe { &mut *self.body.get() }
    }

    /// Takes the record if it holds the outstanding list `list` of `nb`:
    /// the caller is then its holder. Never waits.
    fn take(&self, list: usize, nb: usize) -> bool {
        let state = self.state.load(Acquire);
        if state & PHASE != OUTSTANDING
            || self.list.load(Relaxed) != list
            || self.net_buffer.load(Relaxed) != nb
        {
            return false;
        }
        // The fields were read for this generation only if it is still
        // the record's state.
        self.state
            .cmpxchg(state, (state & !PHASE) | BUSY, Acquire)
            .is_ok()
    }

    /// Publishes the holder's list: the record is outstanding.
    fn publish(&self, list: usize, nb: usize) {
        self.list.store(list, Relaxed);
        self.net_buffer.store(nb, Relaxed);
        let state = self.state.load(Relaxed);
        self.state.store((state & !PHASE) | OUTSTANDING, Release);
    }

    /// Marks the holder's record free, for its next list.
    fn retire(&self) {
        let state = self.state.load(Relaxed);
        self.state
            .store((state & !PHASE).wrapping_add(GENERATION) | FREE, Release);
    }
}

/// Where bounced lists live, all within the registration's reach.
struct BouncePool {
    /// The slots ([`sg::bounce_pool`]) and whether each is in use (1).
    slots: KVec<(BounceMemory, Atomic<u32>)>,
    /// One page the elements before a bounced list's data point at: those
    /// bytes are not data, so the miniport skips them and the device never
    /// touches them; if a device does, it reaches only this page.
    scratch: BounceMemory,
}

/// A registration's list records and bounce memory.
struct Pool {
    records: KVec<Record>,
    /// The free stack's top record + 1 (0: empty) in the low 32 bits, and a
    /// count of changes above, so a pop that read a record's `next` cannot
    /// succeed once the stack has changed under it.
    free: Atomic<u64>,
    bounce: BouncePool,
}

impl Pool {
    /// [`POOL_LISTS`] records with tables of `cap` entries. PASSIVE.
    fn new(cap: u32, bounce: BouncePool) -> NdisResult<Self> {
        let mut records =
            KVec::with_capacity(POOL_LISTS, GFP_KERNEL).map_err(|_| Error::Resources)?;
        for i in 0..POOL_LISTS {
            let record = Record::new(cap, 4, GFP_KERNEL)?;
            let next = if i + 1 < POOL_LISTS { i as u32 + 2 } else { 0 };
            record.next.store(next, Relaxed);
            records
                .push(record, GFP_KERNEL)
                .map_err(|_| Error::Resources)?;
        }
        Ok(Self {
            records,
            free: Atomic::new(if POOL_LISTS > 0 { 1 } else { 0 }),
            bounce,
        })
    }

    /// A free record's index; the caller is its holder. Never waits.
    fn pop(&self) -> Option<usize> {
        let mut top = self.free.load(Acquire);
        loop {
            let index = (top as u32).checked_sub(1)? as usize;
            let next = self.records.get(index)?.next.load(Relaxed);
            let new = ((top >> 32).wrapping_add(1) << 32) | u64::from(next);
            // Acquire: see what the record's last holder did to it.
            match self.free.cmpxchg(top, new, Acquire) {
                Ok(_) => return Some(index),
                Err(now) => top = now,
            }
        }
    }

    /// Puts record `index`, retired by its holder, back on the free stack.
    fn push(&self, index: usize) {
        let Some(record) = self.records.get(index) else {
            return;
        };
        let mut top = self.free.load(Relaxed);
        loop {
            record.next.store(top as u32, Relaxed);
            let new = ((top >> 32).wrapping_add(1) << 32) | (index as u64 + 1);
            // Release: the next holder sees what this one did.
            match self.free.cmpxchg(top, new, Release) {
                Ok(_) => return,
                Err(now) => top = now,
            }
        }
    }
}

/// The pool of a registration.
///
/// # Invariants
///
/// Written only by [`SgDma::release`], which runs once no [`Found`] of the
/// registration exists or can be made; read through [`pool_of`], which
/// needs one.
struct PoolCell(UnsafeCell<Option<Pool>>);

// SAFETY: shared reads only while a `Found` exists, the one write when none
// can (type invariant); `Pool` is `Send + Sync` (its records are `Sync`).
unsafe impl Sync for PoolCell {}
// SAFETY: owning the cell is owning the pool, which is `Send`.
unsafe impl Send for PoolCell {}

/// The pool of the registration `found` borrows; `None` never in practice
/// (release takes it only once nothing can find the registration).
fn pool_of(found: &Found<SgDma>) -> Option<&Pool> {
    // SAFETY: `found` is a borrow from a lookup made before the
    // registration's handle was taken out; `release`, the only writer,
    // runs after a grace period that waits for it (type invariant).
    unsafe { (*found.pool.0.get()).as_ref() }
}

/// A scatter-gather DMA registration, owned by its adapter.
#[pin_data]
pub(crate) struct SgDma {
    pub(crate) adapter: Arc<AdapterCore>,
    /// The owning adapter's handle.
    pub(crate) owner: Handle,
    limits: SgLimits,
    /// Bytes of each bounce slot.
    slot_size: usize,
    /// Highest bus address the device reaches.
    limit: u64,
    /// What mapping within `limit` must check, decided at registration.
    policy: MapPolicy,
    /// `ProcessSGListHandler`, present (checked at registration).
    process: abi::MINIPORT_PROCESS_SG_LIST_HANDLER,
    /// `SharedMemAllocateCompleteHandler`, for `NdisMAllocateSharedMemoryAsyncEx`.
    shared_mem_complete: abi::MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER,
    /// The list records and bounce memory; taken out (and freed) by
    /// Deregister at PASSIVE_LEVEL, like a channel's map registers.
    pool: PoolCell,
    /// Outstanding lists whose records are not the pool's (it was empty).
    #[pin]
    overflow: SpinLockIrq<KVec<KBox<Record>>>,
    /// Made by `NdisMInitializeScatterGatherDma` (NDIS 5.1).
    ndis5: bool,
}

impl SgDma {
    /// The miniport's `SharedMemAllocateCompleteHandler`, if it gave one:
    /// where `NdisMAllocateSharedMemoryAsyncEx` on this handle reports.
    pub(crate) fn shared_mem_complete(&self) -> abi::MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER {
        self.shared_mem_complete
    }

    /// Made by `NdisMInitializeScatterGatherDma` for an NDIS 5.1 miniport.
    pub(crate) fn is_ndis5(&self) -> bool {
        self.ndis5
    }

    /// The highest bus address this DMA adapter reaches: what shared
    /// memory allocated for it must lie below.
    pub(crate) fn limit(&self) -> u64 {
        self.limit
    }
}

/// A scatter-gather DMA registration as debugfs's view shows it.
pub(crate) struct SgView {
    /// The highest bus address the device reaches.
    pub(crate) limit: u64,
    /// `MaximumPhysicalMapping`.
    pub(crate) maximum_physical_mapping: u32,
    /// Lists the miniport holds (allocated, not yet freed): the pool's and
    /// those off the pool.
    pub(crate) outstanding: usize,
    /// Of those, lists whose records are not the pool's.
    pub(crate) overflow: usize,
    /// Bounce slots, and how many hold a list.
    pub(crate) bounce_slots: usize,
    pub(crate) bounce_in_use: usize,
}

/// What the registration `handle` names shows, if it is registered. Reads
/// the records' phase words only (a list being built or freed is not
/// counted); never waits for a list call.
pub(crate) fn view(handle: Handle) -> Option<SgView> {
    let found = registry::find::<SgDma>(handle)?;
    let pool = pool_of(&found)?;
    let outstanding = pool
        .records
        .iter()
        .filter(|r| r.state.load(Relaxed) & PHASE == OUTSTANDING)
        .count();
    let overflow = found.overflow.lock().len();
    Some(SgView {
        limit: found.limit,
        maximum_physical_mapping: found.limits.max_mapping,
        outstanding: outstanding + overflow,
        overflow,
        bounce_slots: pool.bounce.slots.len(),
        bounce_in_use: pool
            .bounce
            .slots
            .iter()
            .filter(|(_, used)| used.load(Relaxed) != 0)
            .count(),
    })
}

/// `NDIS_SG_DMA_DESCRIPTION` (revision 1), decoded.
pub(crate) struct SgDmaDescription {
    /// `Header.Type`, `Header.Revision`, `Header.Size`.
    pub(crate) header: (u8, u8, u16),
    /// `Flags`.
    pub(crate) flags: u32,
    /// `MaximumPhysicalMapping`.
    pub(crate) maximum_physical_mapping: u32,
    /// `ProcessSGListHandler`.
    pub(crate) process: abi::MINIPORT_PROCESS_SG_LIST_HANDLER,
    /// `SharedMemAllocateCompleteHandler`.
    pub(crate) shared_mem_complete: abi::MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER,
    /// Made by `NdisMInitializeScatterGatherDma` for an NDIS 5.1 miniport
    /// (the shim's own `process`), not by `NdisMRegisterScatterGatherDma`.
    pub(crate) ndis5: bool,
}

/// `NdisMRegisterScatterGatherDma` for the adapter `owner` names, which
/// has an SG registration already if `registered`: the registration, for
/// the adapter to own, and `ScatterGatherListSize`. PASSIVE: allocates
/// the bounce pool.
///
/// NOT_SUPPORTED for an adapter not declared a bus master or of a driver
/// registered below NDIS 6.0 (`NdisMRegisterMiniport`), as the
/// NdisMRegisterScatterGatherDma page documents.
pub(crate) fn register(
    adapter: &Arc<AdapterCore>,
    owner: Handle,
    registered: bool,
    desc: &SgDmaDescription,
) -> NdisResult<(Arc<SgDma>, u32)> {
    let (type_, revision, size) = desc.header;
    sg::check_description(type_, revision, size)?;
    // NDIS_STATUS_NOT_SUPPORTED also for NdisMInitializeScatterGatherDma
    // from an NDIS 6 miniport or one not a bus master.
    let generation_ok = match adapter.driver.registration().map(|r| r.characteristics) {
        Some(Characteristics::Ndis6(_)) => !desc.ndis5,
        Some(Characteristics::Ndis5(_)) => desc.ndis5,
        None => false,
    };
    if !generation_ok || !adapter.is_bus_master() {
        return Err(Error::NotSupported);
    }
    if desc.process.is_none() {
        return Err(Error::InvalidParameter);
    }
    if registered {
        return Err(Error::ResourceConflict);
    }
    // The description can only narrow what the device really reaches. The
    // device's masks stay as probe set them (mappings may exist already):
    // what lies beyond the description's reach is bounced.
    let bits = sg::description_address_bits(desc.flags);
    let arg_limit = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let limit = dma::dma_limit(adapter.device()).min(arg_limit);
    let limits = SgLimits::new(
        desc.maximum_physical_mapping,
        sg_map::max_seg_size(adapter.device()),
        PAGE_SIZE,
    )?;
    let list_size = limits.list_size()?;

    let (slots, slot_size) = sg::bounce_pool(limits.max_mapping, PAGE_SIZE)?;
    let mut bounce = KVec::with_capacity(slots, GFP_KERNEL).map_err(|_| Error::Resources)?;
    for _ in 0..slots {
        bounce
            .push(
                (bounce_memory(adapter, slot_size, limit)?, Atomic::new(0)),
                GFP_KERNEL,
            )
            .map_err(|_| Error::Resources)?;
    }
    let scratch = bounce_memory(adapter, PAGE_SIZE, limit)?;
    let policy = MapPolicy::new(adapter.device(), limit);
    let pool = Pool::new(
        limits.max_elements.min(POOL_ENTRIES),
        BouncePool {
            slots: bounce,
            scratch,
        },
    )?;
    let sg_dma = Arc::pin_init(
        try_pin_init!(SgDma {
            adapter: adapter.clone(),
            owner,
            limits,
            slot_size,
            limit,
            policy,
            process: desc.process,
            shared_mem_complete: desc.shared_mem_complete,
            pool: PoolCell(UnsafeCell::new(Some(pool))),
            overflow <- new_spinlock_irq!(KVec::new()),
            ndis5: desc.ndis5,
        }),
        GFP_KERNEL,
    )
    .map_err(|_| Error::Resources)?;
    Ok((sg_dma, list_size))
}

/// `len` bytes of coherent memory at bus addresses up to `limit`. PASSIVE.
fn bounce_memory(adapter: &AdapterCore, len: usize, limit: u64) -> NdisResult<BounceMemory> {
    let guard = adapter.coherent_allocation();
    let mem = BounceMemory::new_within(adapter.bound_device(), len, limit, &guard)
        .map_err(|_| Error::Resources)?;
    drop(guard);
    if mem.device_address() + mem.len() as u64 - 1 > limit {
        return Err(Error::Resources);
    }
    Ok(mem)
}

// SAFETY: `KIND` `SgDma` is implemented by `SgDma` only.
unsafe impl InRegistry for SgDma {
    const KIND: HandleKind = HandleKind::SgDma;

    /// Unmaps the lists the miniport did not free, then frees the records
    /// and the bounce memory. PASSIVE.
    fn release(&self) {
        // SAFETY: the registry calls this once, after the handle was taken
        // out and a grace period passed: no `Found` of this registration
        // exists or can be made, so nothing else reaches the cell.
        let pool = unsafe { (*self.pool.0.get()).take() };
        let overflow = core::mem::take(&mut *self.overflow.lock());
        let pooled = pool.as_ref().map_or(0, |p| {
            p.records
                .iter()
                .filter(|r| r.state.load(Relaxed) & PHASE == OUTSTANDING)
                .count()
        });
        let outstanding = pooled + overflow.len();
        if outstanding != 0 {
            dev_warn!(
                self.adapter.device(),
                "{}: {} SG list(s) not freed before NdisMDeregisterScatterGatherDma; unmapped\n",
                self.adapter.driver.name(),
                outstanding
            );
        }
        // Each record's table unmaps as it is dropped; then the bounce
        // memory goes.
        drop(overflow);
        drop(pool);
    }
}

/// Writes `elements` as a `SCATTER_GATHER_LIST` at `list`, with `hint` in
/// its `Reserved` field.
///
/// # Safety
///
/// `list` must be writable for `sg::list_bytes(n)` bytes, `n` the number of
/// elements.
unsafe fn write_list(list: *mut u8, elements: impl Iterator<Item = Element>, hint: u64) {
    let mut n: u32 = 0;
    for e in elements {
        let at = sg::SG_LIST_HEADER_SIZE + n as usize * sg::SG_ELEMENT_SIZE;
        // SAFETY: element `n` lies inside the list (safety requirement):
        // Address at 0, Length at 8, Reserved at 16.
        unsafe {
            list.add(at).cast::<u64>().write_unaligned(e.address);
            list.add(at + 8).cast::<u32>().write_unaligned(e.length);
            list.add(at + 16).cast::<u64>().write_unaligned(0);
        }
        n += 1;
    }
    // SAFETY: the header lies inside the list (safety requirement):
    // NumberOfElements at 0, Reserved at HINT_OFFSET (8).
    unsafe {
        list.cast::<u32>().write_unaligned(n);
        list.add(4).cast::<u32>().write_unaligned(0);
        list.add(HINT_OFFSET).cast::<u64>().write_unaligned(hint);
    }
}

/// The record index a list handed back says it came from (the `Reserved`
/// field [`write_list`] wrote), if it says one. `list` may be anything.
fn read_hint(list: usize) -> Option<usize> {
    // SAFETY: the helper reads without faulting whatever the address.
    let hint = unsafe { ndis_shim_sg_read_hint(list.wrapping_add(HINT_OFFSET) as *const c_void) };
    usize::try_from(hint.checked_sub(1)?).ok()
}

/// A closure yielding an iterator, as an iterable that can be cloned: the
/// mapped segments, walked once to check them and once to write them.
#[derive(Clone, Copy)]
struct Rewind<F>(F);

impl<F: Fn() -> I, I: Iterator> IntoIterator for Rewind<F> {
    type Item = I::Item;
    type IntoIter = I;

    fn into_iter(self) -> I {
        (self.0)()
    }
}

/// Stages `ranges` in a free bounce slot; copies them in for
/// host-to-device. Returns the slot, its bus address and the scratch
/// page's; RESOURCES when no slot is free or the ranges do not fit in one.
fn bounce_in(
    pool: &BouncePool,
    ranges: &[SgRange],
    dir: Direction,
) -> NdisResult<(usize, u64, u64)> {
    let total: usize = ranges.iter().map(|r| r.len).sum();
    let (slot, (mem, busy)) = pool
        .slots
        .iter()
        .enumerate()
        .find(|(_, (_, busy))| busy.load(Relaxed) == 0 && busy.cmpxchg(0, 1, Acquire).is_ok())
        .ok_or(Error::Resources)?;
    if total > mem.len() {
        busy.store(0, Release);
        return Err(Error::Resources);
    }
    if dir == Direction::ToDevice {
        let mut at = 0;
        for r in ranges {
            // SAFETY: `r` is the miniport's readable kernel memory; the
            // ranges fit in the slot (checked above), the shim's own
            // allocation and now this call's, so they do not overlap.
            unsafe {
                core::ptr::copy_nonoverlapping(r.va as *const u8, mem.cpu_ptr().add(at), r.len)
            };
            at += r.len;
        }
    }
    Ok((slot, mem.device_address(), pool.scratch.device_address()))
}

/// Frees bounce slot `slot`; for device-to-host, first copies the data
/// back: `ranges` past their first `skip` bytes, which are not data and
/// stay as the miniport left them.
fn bounce_out(pool: &BouncePool, slot: usize, ranges: &[SgRange], skip: usize, dir: Direction) {
    let Some((mem, busy)) = pool.slots.get(slot) else {
        return;
    };
    if dir == Direction::FromDevice {
        let mut at = 0;
        for r in ranges {
            // The part of `r` at or after `skip` bytes into the ranges.
            let from = skip.saturating_sub(at).min(r.len);
            // SAFETY: `r` is the NET_BUFFER's kernel memory, the miniport's
            // to keep until this list is freed; the ranges fit in the slot
            // (`bounce_in` checked), the shim's own memory, which this list
            // holds and the device is done with (the list is being freed).
            unsafe {
                core::ptr::copy_nonoverlapping(
                    mem.cpu_ptr().add(at + from),
                    r.va.cast::<u8>().add(from),
                    r.len - from,
                )
            };
            at += r.len;
        }
    }
    busy.store(0, Release);
}

/// The segments of a bounced list: `skip` bytes (`CurrentMdlOffset`) at
/// the scratch page, a page at most each, then the data in its slot.
/// RESOURCES if that takes more than [`sg::MAX_LIST_ELEMENTS`] segments.
fn bounced_segments(
    skip: u32,
    scratch: u64,
    data: u64,
    length: u32,
) -> NdisResult<impl Iterator<Item = (u64, u64)> + Clone> {
    let page = PAGE_SIZE as u64;
    let skip = u64::from(skip);
    let prefix = skip.div_ceil(page);
    if prefix as usize >= sg::MAX_LIST_ELEMENTS {
        return Err(Error::Resources);
    }
    let before = (0..prefix).map(move |k| (scratch, (skip - k * page).min(page)));
    Ok(Iterator::chain(
        before,
        core::iter::once((data, u64::from(length))),
    ))
}

/// Writes the list of `segments` into `buf` if it holds it, else into
/// `own`; returns where. RESOURCES if it cannot be.
fn write_out<I>(
    segments: I,
    max_seg: u32,
    buf: &ListBuffer,
    own: &mut KVec<u64>,
    hint: u64,
) -> NdisResult<*mut u8>
where
    I: IntoIterator<Item = (u64, u64)> + Clone,
{
    let n = sg::element_count(segments.clone(), max_seg);
    let bytes = sg::list_bytes(n).ok_or(Error::Resources)?;
    let list = if let Some(list) = buf.holding(bytes) {
        list
    } else {
        own.clear();
        own.extend_with(bytes.div_ceil(8), 0u64, GFP_ATOMIC)
            .map_err(|_| Error::Resources)?;
        own.as_mut_ptr().cast::<u8>()
    };
    // SAFETY: `list` is the caller's buffer of at least `bytes` bytes
    // (checked above, writable by `ListBuffer`'s invariant) or our own.
    unsafe { write_list(list, sg::elements(segments, max_seg), hint) };
    Ok(list)
}

/// Appends `r` to a record's ranges (allocating only past their capacity).
fn push_range(ranges: &mut KVec<SgRange>, r: VaRange) -> NdisResult {
    let range = SgRange {
        va: r.start as *mut c_void,
        len: r.len,
    };
    ranges.push(range, GFP_ATOMIC).map_err(|_| Error::Resources)
}

/// What one `NdisMAllocateNetBufferSGList` asks for.
#[derive(Clone, Copy)]
struct Wanted<'a> {
    nb: &'a NetBufferView,
    /// Bytes the list maps ([`sg::mapped_length`]).
    total: u32,
    dir: Direction,
    buf: &'a ListBuffer,
}

/// Builds the list `want` asks for in `body` (held by the caller) and
/// writes it; returns the list and whether it was bounced. On
/// failure the body holds nothing.
///
/// The NET_BUFFER's memory stays valid until the list is freed (NDIS's
/// rule, the miniport's promise); the list unmaps before then.
fn build(
    sg_dma: &SgDma,
    pool: &Pool,
    body: &mut Body,
    want: &Wanted<'_>,
    hint: u64,
) -> NdisResult<(*mut u8, bool)> {
    let Wanted {
        nb,
        total,
        dir,
        buf,
    } = *want;
    let skip = nb.current_mdl_offset;
    let max_seg = sg_dma.limits.max_seg_size;
    body.dir = dir;
    body.ranges.clear();
    let mut pieces = 0usize;
    let mut shares = false;
    for r in sg::data_ranges(nb.current, 0, total) {
        pieces += (r.start % PAGE_SIZE + r.len).div_ceil(PAGE_SIZE);
        shares |= dir == Direction::FromDevice && sg_dma.policy.shares_cache_line(r);
        push_range(&mut body.ranges, r)?;
    }

    if !shares {
        let pieces = u32::try_from(pieces).map_err(|_| Error::Resources)?;
        // SAFETY: the ranges are the NET_BUFFER's kernel memory, valid until
        // the list is freed, when the table is unmapped (see above); the
        // device is kept alive by the adapter for longer.
        let mapped = unsafe {
            body.table.map(
                sg_dma.adapter.device(),
                &body.ranges,
                pieces,
                dir,
                &sg_dma.policy,
            )
        };
        match mapped {
            Ok(()) => {
                let table = &body.table;
                let segments = Rewind(|| table.segments());
                if sg::fits(segments, max_seg, sg_dma.limit) {
                    match write_out(segments, max_seg, buf, &mut body.own, hint) {
                        Ok(list) => {
                            body.backing = Backing::Mapped;
                            return Ok((list, false));
                        }
                        Err(e) => {
                            body.table.unmap(false);
                            return Err(e);
                        }
                    }
                }
                body.table.unmap(false);
            }
            Err(MapError::NeedsBounce) => {}
            Err(MapError::Failed) => return Err(Error::Resources),
        }
    }

    // Bounced. What the list maps fits in a slot: staged whole, as
    // Windows' copy is. Else only the data; the `CurrentMdlOffset` bytes
    // before it, not data, are elements at the scratch page.
    let prefix = if total as usize <= sg_dma.slot_size {
        0
    } else {
        body.ranges.clear();
        for r in sg::data_ranges(nb.current, skip, nb.data_length) {
            push_range(&mut body.ranges, r)?;
        }
        skip
    };
    let (slot, address, scratch) = bounce_in(&pool.bounce, &body.ranges, dir)?;
    let written = bounced_segments(prefix, scratch, address, total - prefix)
        .and_then(|segments| write_out(segments, max_seg, buf, &mut body.own, hint));
    match written {
        Ok(list) => {
            body.backing = Backing::Bounced {
                slot,
                skip: (skip - prefix) as usize,
            };
            Ok((list, true))
        }
        Err(e) => {
            bounce_out(&pool.bounce, slot, &[], 0, Direction::ToDevice);
            Err(e)
        }
    }
}

/// Finishes the list in `body` (held by the caller): hands device-to-host
/// data to the CPU (copying a bounce back), then unmaps.
fn finish(pool: &Pool, body: &mut Body) {
    match core::mem::replace(&mut body.backing, Backing::None) {
        Backing::Mapped => body.table.unmap(true),
        Backing::Bounced { slot, skip } => {
            bounce_out(&pool.bounce, slot, &body.ranges, skip, body.dir)
        }
        Backing::None => {}
    }
}

/// Undoes the list in `body` (held by the caller), never handed out:
/// unmaps, or frees its bounce slot, copying nothing.
fn undo(pool: &Pool, body: &mut Body) {
    match core::mem::replace(&mut body.backing, Backing::None) {
        Backing::Mapped => body.table.unmap(false),
        Backing::Bounced { slot, .. } => {
            bounce_out(&pool.bounce, slot, &[], 0, Direction::ToDevice)
        }
        Backing::None => {}
    }
}

/// `NdisMAllocateNetBufferSGList`: maps `CurrentMdlOffset + DataLength`
/// bytes from the start of `CurrentMdl`, writes the list (into `buf` if it
/// holds the list, else into the shim's own memory) and calls
/// `ProcessSGList` at DISPATCH_LEVEL before returning. Never sleeps.
///
/// Every refusal is RESOURCES, the one failure the
/// NdisMAllocateNetBufferSGList page documents, but a handle naming no
/// registration: INVALID_PARAMETER, the shim's rule for every handle
/// (Windows defines no result for it).
///
/// `nb` is `None` for a NULL NET_BUFFER; the memory its chain describes is
/// the miniport's to keep valid until the list is freed, as NDIS requires.
pub(crate) fn allocate_list(
    handle: Handle,
    nb: Option<NetBufferView>,
    context: *mut c_void,
    flags: u32,
    buf: ListBuffer,
) -> NdisResult {
    // Borrowed for the whole call, ProcessSGList included: Deregister
    // waits for it before it unmaps anything.
    let sg_dma: Found<SgDma> = registry::find(handle).ok_or(Error::InvalidParameter)?;
    let pool = pool_of(&sg_dma).ok_or(Error::InvalidParameter)?;
    let nb = nb.ok_or(Error::Resources)?;
    let mut read = nb.current;
    let total = sg::mapped_length(
        read.by_ref(),
        nb.current_mdl_offset,
        nb.data_length,
        sg_dma.limits.max_mapping,
    );
    // An MDL up to the data's end whose pages the shim cannot resolve:
    // Windows documents no status for it; the call's failure status is
    // RESOURCES.
    if let Some(why) = read.refused() {
        sg_dma
            .adapter
            .reject("NdisMAllocateNetBufferSGList", why.reason());
        return Err(Error::Resources);
    }
    let total = total?;
    let dir = if flags & sg::SG_LIST_WRITE_TO_DEVICE != 0 {
        Direction::ToDevice
    } else {
        Direction::FromDevice
    };

    let want = Wanted {
        nb: &nb,
        total,
        dir,
        buf: &buf,
    };
    let (list, bounced) = if let Some(index) = pool.pop() {
        let record = &pool.records[index];
        // SAFETY: popped off the free stack: this call is its holder.
        let body = unsafe { record.body() };
        match build(&sg_dma, pool, body, &want, index as u64 + 1) {
            Ok((list, bounced)) => {
                record.publish(list as usize, nb.address);
                (list, bounced)
            }
            Err(e) => {
                record.retire();
                pool.push(index);
                return Err(e);
            }
        }
    } else {
        // The pool is out: a record of this list's own, kept on the
        // overflow list until it is freed.
        let record =
            KBox::new(Record::new(0, 1, GFP_ATOMIC)?, GFP_ATOMIC).map_err(|_| Error::Resources)?;
        // SAFETY: the record is this call's alone.
        let body = unsafe { record.body() };
        let (list, bounced) = build(&sg_dma, pool, body, &want, 0)?;
        record.publish(list as usize, nb.address);
        let mut overflow = sg_dma.overflow.lock();
        let pushed = match overflow.reserve(1, GFP_ATOMIC) {
            Ok(()) => overflow.push_within_capacity(record).map_err(|e| e.0),
            Err(_) => Err(record),
        };
        drop(overflow);
        if let Err(record) = pushed {
            // SAFETY: not handed out: this call's alone.
            undo(pool, unsafe { record.body() });
            return Err(Error::Resources);
        }
        (list, bounced)
    };
    sg_dma.adapter.count_transfer(bounced);
    // The list is recorded and no lock is held: the handler may free it
    // (or the NET_BUFFER's send may complete) before it returns. Nothing
    // below touches the list.
    // SAFETY: the miniport's ProcessSGList (present: checked at
    // registration) with the list just built and the caller's context.
    unsafe { ndis_shim_sg_process(sg_dma.process, list.cast(), context) };
    Ok(())
}

/// `NdisMFreeNetBufferSGList`. A list this registration did not hand out
/// for `nb` (or one already freed) is rejected: logged and counted, never
/// unmapped twice. Never sleeps.
///
/// `list` and `nb` are the addresses the miniport passed: compared, and
/// `list`'s `Reserved` field read without faulting.
pub(crate) fn free_list(handle: Handle, list: usize, nb: usize) {
    const CALL: &str = "NdisMFreeNetBufferSGList";
    let Some(sg_dma) = registry::find::<SgDma>(handle) else {
        crate::reject::reject_global(CALL, "unknown SG DMA handle");
        return;
    };
    let Some(pool) = pool_of(&sg_dma) else {
        crate::reject::reject_global(CALL, "unknown SG DMA handle");
        return;
    };
    // The record the list names, if it holds this list.
    let hinted = read_hint(list).filter(|&i| pool.records.get(i).is_some_and(|r| r.take(list, nb)));
    if let Some(index) = hinted {
        free_pooled(pool, index);
        return;
    }
    // A list of the overflow, or one whose `Reserved` the miniport wrote
    // over: looked for.
    let overflow = {
        let mut records = sg_dma.overflow.lock();
        let found = records
            .iter()
            .position(|r| r.list.load(Relaxed) == list && r.net_buffer.load(Relaxed) == nb);
        found.and_then(|i| records.remove(i).ok())
    };
    if let Some(record) = overflow {
        // SAFETY: taken off the overflow list: this call's alone.
        finish(pool, unsafe { record.body() });
        return;
    }
    if let Some(index) = pool.records.iter().position(|r| r.take(list, nb)) {
        free_pooled(pool, index);
        return;
    }
    sg_dma
        .adapter
        .reject(CALL, "not an outstanding SG list of this NET_BUFFER");
}

/// Finishes the list of pooled record `index`, which the caller took, and
/// puts the record back on the free stack.
fn free_pooled(pool: &Pool, index: usize) {
    let Some(record) = pool.records.get(index) else {
        return;
    };
    // SAFETY: taken by the caller: its holder.
    finish(pool, unsafe { record.body() });
    record.retire();
    pool.push(index);
}
