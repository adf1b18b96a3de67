// SPDX-License-Identifier: GPL-2.0

//! NDIS 6 scatter-gather DMA: `NdisMRegisterScatterGatherDma`,
//! `NdisMAllocateNetBufferSGList` and their undoing.
//!
//! As on Windows, a NET_BUFFER's list starts at the beginning of its
//! `CurrentMdl` and covers `CurrentMdlOffset + DataLength` bytes across the
//! chain; the miniport skips `CurrentMdlOffset` bytes of it. Those bytes
//! are mapped page by page as one scatterlist ([`SgMapping`]) and written
//! out as a `SCATTER_GATHER_LIST`. What the device cannot take as mapped (a
//! mapping error, an address beyond its reach, too many elements, or
//! device-to-host pieces sharing a cache line with other memory) is bounced
//! through a slot of a coherent pool allocated at registration, copied in
//! for host-to-device and the data copied back at free for device-to-host;
//! `CurrentMdlOffset` bytes that do not fit in the slot with the data are
//! not data, and are described by elements at a scratch page.
//! `ProcessSGList` runs at DISPATCH_LEVEL (bottom halves off). The
//! arithmetic is in the host-tested [`crate::sg`].

use core::ffi::c_void;
use kernel::{
    new_spinlock_irq,
    page::PAGE_SIZE,
    prelude::*,
    sync::{Arc, SpinLockIrq},
};

use crate::{
    abi,
    adapter_core::AdapterCore,
    channel::Direction,
    dma::{self, BounceMemory, MapError, MapPolicy},
    driver::Characteristics,
    handle::{Handle, HandleKind},
    mdl::{page_chunks, VaRange},
    net_buffer::{ListBuffer, NetBufferView},
    registry::{self, Found, InRegistry},
    sg::{self, Element, SgLimits},
    sg_map::{self, SgChunk, SgMapping},
    status::{Error, Result as NdisResult},
};

extern "C" {
    fn ndis_shim_sg_process(
        process: abi::MINIPORT_PROCESS_SG_LIST_HANDLER,
        list: *mut c_void,
        context: *mut c_void,
    );
}

/// How a list's data reaches the device.
enum Backing {
    /// The NET_BUFFER's own pages, mapped.
    Mapped(SgMapping),
    /// Copied through bounce slot `slot`; `ranges` is what was staged
    /// there, of which the first `skip` bytes are not data.
    Bounced {
        slot: usize,
        ranges: KVec<VaRange>,
        skip: usize,
    },
}

/// An SG list handed to the miniport and not yet freed.
struct SgList {
    /// The `SCATTER_GATHER_LIST` address the miniport was given.
    list: usize,
    net_buffer: usize,
    dir: Direction,
    backing: Backing,
    /// The list's memory when the caller's buffer was too small.
    _own: Option<KVec<u64>>,
}

/// Where bounced lists live, all within the registration's reach.
struct BouncePool {
    /// The slots ([`sg::bounce_pool`]) and whether each is in use.
    slots: KVec<(BounceMemory, bool)>,
    /// One page the elements before a bounced list's data point at: those
    /// bytes are not data, so the miniport skips them and the device never
    /// touches them; if a device does, it reaches only this page.
    scratch: BounceMemory,
}

/// What a registration's lock protects.
struct SgState {
    lists: KVec<SgList>,
    /// The bounce pool. Taken out (and freed) by Deregister at
    /// PASSIVE_LEVEL, like a channel's map registers.
    bounce: Option<BouncePool>,
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
    #[pin]
    state: SpinLockIrq<SgState>,
}

impl SgDma {
    /// The miniport's `SharedMemAllocateCompleteHandler`, if it gave one:
    /// where `NdisMAllocateSharedMemoryAsyncEx` on this handle reports.
    pub(crate) fn shared_mem_complete(&self) -> abi::MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER {
        self.shared_mem_complete
    }

    /// The highest bus address this DMA adapter reaches: what shared
    /// memory allocated for it must lie below.
    pub(crate) fn limit(&self) -> u64 {
        self.limit
    }
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
    let ndis6 = matches!(
        adapter.driver.registration().map(|r| r.characteristics),
        Some(Characteristics::Ndis6(_))
    );
    if !ndis6 || !adapter.is_bus_master() {
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
                (bounce_memory(adapter, slot_size, limit)?, false),
                GFP_KERNEL,
            )
            .map_err(|_| Error::Resources)?;
    }
    let scratch = bounce_memory(adapter, PAGE_SIZE, limit)?;
    let policy = MapPolicy::new(adapter.device(), limit);
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
            state <- new_spinlock_irq!(SgState {
                lists: KVec::new(),
                bounce: Some(BouncePool {
                    slots: bounce,
                    scratch,
                }),
            }),
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

    /// Unmaps the lists the miniport did not free, then frees the bounce
    /// memory. PASSIVE.
    fn release(&self) {
        let (lists, bounce) = {
            let mut state = self.state.lock();
            (core::mem::take(&mut state.lists), state.bounce.take())
        };
        if !lists.is_empty() {
            dev_warn!(
                self.adapter.device(),
                "{}: {} SG list(s) not freed before NdisMDeregisterScatterGatherDma; unmapped\n",
                self.adapter.driver.name(),
                lists.len()
            );
        }
        drop(lists);
        drop(bounce);
    }
}

/// Writes `elements` as a `SCATTER_GATHER_LIST` at `list`.
///
/// # Safety
///
/// `list` must be writable for `sg::list_bytes(n)` bytes, `n` the number of
/// elements.
unsafe fn write_list(list: *mut u8, elements: impl Iterator<Item = Element>) {
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
    // NumberOfElements at 0, Reserved at 8.
    unsafe {
        list.cast::<u32>().write_unaligned(n);
        list.add(4).cast::<u32>().write_unaligned(0);
        list.add(8).cast::<u64>().write_unaligned(0);
    }
}

/// Whether a device-to-host transfer into `ranges` must be bounced because
/// a piece shares a cache line with other memory.
fn shares_cache_lines(policy: &MapPolicy, ranges: &[VaRange], dir: Direction) -> bool {
    dir == Direction::FromDevice && ranges.iter().any(|r| policy.shares_cache_line(*r))
}

/// Mapped segments: (bus address, length).
type Segments = KVec<(u64, u64)>;

/// Maps `ranges` in place, or `None` when they must be bounced.
///
/// # Safety
///
/// `ranges` must be kernel memory that stays allocated until the mapping
/// is dropped.
unsafe fn map_in_place(
    sg_dma: &SgDma,
    ranges: &[VaRange],
    dir: Direction,
) -> NdisResult<Option<(SgMapping, Segments)>> {
    let pages: usize = ranges
        .iter()
        .map(|r| (r.start % PAGE_SIZE + r.len).div_ceil(PAGE_SIZE))
        .sum();
    let mut chunks = KVec::with_capacity(pages, GFP_ATOMIC).map_err(|_| Error::Resources)?;
    for r in ranges {
        for c in page_chunks(*r, PAGE_SIZE) {
            chunks
                .push(
                    SgChunk {
                        va: c.va as *mut c_void,
                        len: c.len as u32,
                    },
                    GFP_ATOMIC,
                )
                .map_err(|_| Error::Resources)?;
        }
    }
    // SAFETY: kernel memory kept by the miniport until the list is freed
    // (safety requirement), each chunk inside one page.
    let mapping =
        match unsafe { SgMapping::new(sg_dma.adapter.device(), &chunks, dir, &sg_dma.policy) } {
            Ok(m) => m,
            Err(MapError::NeedsBounce) => return Ok(None),
            Err(MapError::Failed) => return Err(Error::Resources),
        };
    let mut segments =
        KVec::with_capacity(chunks.len(), GFP_ATOMIC).map_err(|_| Error::Resources)?;
    for s in mapping.segments() {
        segments.push(s, GFP_ATOMIC).map_err(|_| Error::Resources)?;
    }
    if !sg::fits(
        segments.iter().copied(),
        sg_dma.limits.max_seg_size,
        sg_dma.limit,
    ) {
        return Ok(None);
    }
    Ok(Some((mapping, segments)))
}

/// Stages `ranges` in a free bounce slot; copies them in for
/// host-to-device. Returns the slot, its bus address and the scratch
/// page's; RESOURCES when no slot is free or the ranges do not fit in one.
fn bounce_in(sg_dma: &SgDma, ranges: &[VaRange], dir: Direction) -> NdisResult<(usize, u64, u64)> {
    let total: usize = ranges.iter().map(|r| r.len).sum();
    let mut state = sg_dma.state.lock();
    let pool = state.bounce.as_mut().ok_or(Error::InvalidParameter)?;
    let scratch = pool.scratch.device_address();
    let (slot, (mem, busy)) = pool
        .slots
        .iter_mut()
        .enumerate()
        .find(|(_, (_, busy))| !*busy)
        .ok_or(Error::Resources)?;
    if total > mem.len() {
        return Err(Error::Resources);
    }
    *busy = true;
    if dir == Direction::ToDevice {
        let mut at = 0;
        for r in ranges {
            // SAFETY: `r` is the miniport's readable kernel memory; the
            // ranges fit in the slot (checked above), the shim's own
            // allocation, so they do not overlap.
            unsafe {
                core::ptr::copy_nonoverlapping(r.start as *const u8, mem.cpu_ptr().add(at), r.len)
            };
            at += r.len;
        }
    }
    Ok((slot, mem.device_address(), scratch))
}

/// Frees bounce slot `slot`; for device-to-host, first copies the data
/// back: `ranges` past their first `skip` bytes, which are not data and
/// stay as the miniport left them.
fn bounce_out(sg_dma: &SgDma, slot: usize, ranges: &[VaRange], skip: usize, dir: Direction) {
    let mut state = sg_dma.state.lock();
    let Some(pool) = state.bounce.as_mut() else {
        return;
    };
    let Some((mem, busy)) = pool.slots.get_mut(slot) else {
        return;
    };
    if dir == Direction::FromDevice {
        let mut at = 0;
        for r in ranges {
            // The part of `r` at or after `skip` bytes into the ranges.
            let from = skip.saturating_sub(at).min(r.len);
            // SAFETY: as in `bounce_in` (the ranges fit in the slot); the
            // list is being freed, so the device is done with the slot.
            unsafe {
                core::ptr::copy_nonoverlapping(
                    mem.cpu_ptr().add(at + from),
                    (r.start + from) as *mut u8,
                    r.len - from,
                )
            };
            at += r.len;
        }
    }
    *busy = false;
}

/// The segments of a bounced list: `skip` bytes (`CurrentMdlOffset`) at
/// the scratch page, a page at most each, then the data in its slot.
/// RESOURCES if that takes more than [`sg::MAX_LIST_ELEMENTS`] segments.
fn bounced_segments(skip: u32, scratch: u64, data: u64, length: u32) -> NdisResult<Segments> {
    let page = PAGE_SIZE as u64;
    let prefix = u64::from(skip).div_ceil(page) as usize;
    if prefix >= sg::MAX_LIST_ELEMENTS {
        return Err(Error::Resources);
    }
    let mut segments = KVec::with_capacity(prefix + 1, GFP_ATOMIC).map_err(|_| Error::Resources)?;
    let mut left = u64::from(skip);
    while left > 0 {
        let len = left.min(page);
        segments
            .push((scratch, len), GFP_ATOMIC)
            .map_err(|_| Error::Resources)?;
        left -= len;
    }
    segments
        .push((data, u64::from(length)), GFP_ATOMIC)
        .map_err(|_| Error::Resources)?;
    Ok(segments)
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
    let nb = nb.ok_or(Error::Resources)?;
    let skip = nb.current_mdl_offset;
    let mut read = nb.current;
    let total = sg::mapped_length(
        read.by_ref(),
        skip,
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
    let mut ranges = KVec::new();
    for r in sg::data_ranges(nb.current, 0, total) {
        ranges.push(r, GFP_ATOMIC).map_err(|_| Error::Resources)?;
    }
    let dir = if flags & sg::SG_LIST_WRITE_TO_DEVICE != 0 {
        Direction::ToDevice
    } else {
        Direction::FromDevice
    };

    let mapped = if shares_cache_lines(&sg_dma.policy, &ranges, dir) {
        None
    } else {
        // SAFETY: the NET_BUFFER's memory stays valid until the list is
        // freed (NDIS's rule, the miniport's promise), and the mapping is
        // dropped then.
        unsafe { map_in_place(&sg_dma, &ranges, dir) }?
    };
    let max_seg = sg_dma.limits.max_seg_size;
    let (backing, segments) = match mapped {
        Some((mapping, segments)) => (Backing::Mapped(mapping), segments),
        None => {
            // What the list maps fits in a slot: staged whole, as Windows'
            // copy is. Else only the data; the `CurrentMdlOffset` bytes
            // before it, not data, are elements at the scratch page.
            let (staged, prefix) = if total as usize <= sg_dma.slot_size {
                (ranges, 0)
            } else {
                let mut data = KVec::new();
                for r in sg::data_ranges(nb.current, skip, nb.data_length) {
                    data.push(r, GFP_ATOMIC).map_err(|_| Error::Resources)?;
                }
                (data, skip)
            };
            let (slot, address, scratch) = bounce_in(&sg_dma, &staged, dir)?;
            match bounced_segments(prefix, scratch, address, total - prefix) {
                Ok(segments) => {
                    let skip = (skip - prefix) as usize;
                    let backing = Backing::Bounced {
                        slot,
                        ranges: staged,
                        skip,
                    };
                    (backing, segments)
                }
                Err(e) => {
                    bounce_out(&sg_dma, slot, &[], 0, Direction::ToDevice);
                    return Err(e);
                }
            }
        }
    };
    let n = sg::element_count(segments.iter().copied(), max_seg);
    let bounced = matches!(backing, Backing::Bounced { .. });
    let undo = |backing: Backing| {
        if let Backing::Bounced { slot, .. } = backing {
            bounce_out(&sg_dma, slot, &[], 0, Direction::ToDevice);
        }
    };

    let Some(bytes) = sg::list_bytes(n) else {
        undo(backing);
        return Err(Error::Resources);
    };
    let (list, own) = if let Some(list) = buf.holding(bytes) {
        (list, None)
    } else {
        let mut own = KVec::new();
        if own
            .extend_with(bytes.div_ceil(8), 0u64, GFP_ATOMIC)
            .is_err()
        {
            undo(backing);
            return Err(Error::Resources);
        }
        (own.as_mut_ptr().cast::<u8>(), Some(own))
    };
    // SAFETY: `list` is the caller's buffer of at least `bytes` bytes
    // (checked above, writable by `ListBuffer`'s invariant) or our own.
    unsafe { write_list(list, sg::elements(segments.iter().copied(), max_seg)) };

    let entry = SgList {
        list: list as usize,
        net_buffer: nb.address,
        dir,
        backing,
        _own: own,
    };
    {
        let mut state = sg_dma.state.lock();
        // Deregistered under us (the handle is stale now), or no room to
        // remember the list.
        let status = if state.bounce.is_none() {
            Err(Error::InvalidParameter)
        } else {
            state
                .lists
                .reserve(1, GFP_ATOMIC)
                .map_err(|_| Error::Resources)
        };
        if let Err(e) = status {
            drop(state);
            free_entry(&sg_dma, entry);
            return Err(e);
        }
        if let Err(e) = state.lists.push_within_capacity(entry) {
            drop(state);
            free_entry(&sg_dma, e.0);
            return Err(Error::Resources);
        }
    }
    sg_dma.adapter.count_transfer(bounced);
    // The list is recorded and no lock is held: the handler may free it
    // (or the NET_BUFFER's send may complete) before it returns. Nothing
    // below touches the list.
    // SAFETY: the miniport's ProcessSGList (present: checked at
    // registration) with the list just built and the caller's context.
    unsafe { ndis_shim_sg_process(sg_dma.process, list.cast(), context) };
    Ok(())
}

/// Finishes a list taken off its registration: hands device-to-host data
/// to the CPU (copying a bounce back), then unmaps and frees.
fn free_entry(sg_dma: &SgDma, entry: SgList) {
    match entry.backing {
        Backing::Mapped(mapping) => {
            if entry.dir == Direction::FromDevice {
                mapping.sync_for_cpu();
            }
            drop(mapping);
        }
        Backing::Bounced { slot, ranges, skip } => {
            bounce_out(sg_dma, slot, &ranges, skip, entry.dir)
        }
    }
}

/// `NdisMFreeNetBufferSGList`. A list this registration did not hand out
/// for `nb` (or one already freed) is rejected: logged and counted, never
/// unmapped twice. Never sleeps.
///
/// `list` and `nb` are the addresses the miniport passed: only compared.
pub(crate) fn free_list(handle: Handle, list: usize, nb: usize) {
    const CALL: &str = "NdisMFreeNetBufferSGList";
    let Some(sg_dma) = registry::find::<SgDma>(handle) else {
        crate::reject::reject_global(CALL, "unknown SG DMA handle");
        return;
    };
    let entry = {
        let mut state = sg_dma.state.lock();
        let found = state
            .lists
            .iter()
            .position(|l| l.list == list && l.net_buffer == nb);
        found.and_then(|i| state.lists.remove(i).ok())
    };
    match entry {
        Some(entry) => free_entry(&sg_dma, entry),
        None => sg_dma
            .adapter
            .reject(CALL, "not an outstanding SG list of this NET_BUFFER"),
    }
}
