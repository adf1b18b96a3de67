// SPDX-License-Identifier: GPL-2.0

//! NDIS 6 scatter-gather DMA: `NdisMRegisterScatterGatherDma`,
//! `NdisMAllocateNetBufferSGList` and their undoing.
//!
//! A NET_BUFFER's data (from `DataOffset`, `DataLength` bytes, across its
//! MDL chain) is mapped page by page as one scatterlist ([`SgMapping`]) and
//! written out as a `SCATTER_GATHER_LIST`. Data the device cannot take as
//! mapped (a mapping error, an address beyond its reach, too many
//! elements, or device-to-host pieces sharing a cache line with other
//! memory) is bounced through coherent memory allocated at registration,
//! copied in for host-to-device and back at free for device-to-host. The
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
    dma::{self, BounceMemory, MapError},
    handle::{Handle, HandleKind},
    mdl::{page_chunks, VaRange},
    net_buffer::{ListBuffer, NetBufferView},
    registry::{self, InRegistry},
    sg::{self, Element, SgLimits},
    sg_map::{self, SgChunk, SgMapping},
    status::{Error, Result as NdisResult},
};

/// Bounce buffers per registration: lists bounced at once.
const BOUNCE_SLOTS: usize = 2;

/// How a list's data reaches the device.
enum Backing {
    /// The NET_BUFFER's own pages, mapped.
    Mapped(SgMapping),
    /// Copied through bounce slot `slot`; `ranges` is where the data lives.
    Bounced { slot: usize, ranges: KVec<VaRange> },
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

/// What a registration's lock protects.
struct SgState {
    lists: KVec<SgList>,
    /// The bounce slots and whether each is in use. Taken out (and freed)
    /// by Deregister at PASSIVE_LEVEL, like a channel's map registers.
    bounce: Option<KVec<(BounceMemory, bool)>>,
}

/// A scatter-gather DMA registration, owned by its adapter.
#[pin_data]
pub(crate) struct SgDma {
    pub(crate) adapter: Arc<AdapterCore>,
    /// The owning adapter's handle.
    pub(crate) owner: Handle,
    limits: SgLimits,
    /// Highest bus address the device reaches.
    limit: u64,
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

/// Looks up the SG DMA registration a handle names.
pub(crate) fn lookup(handle: Handle) -> Option<Arc<SgDma>> {
    registry::lookup(handle)
}

/// `NdisMRegisterScatterGatherDma` for the adapter `owner` names, which
/// has an SG registration already if `registered`: the registration, for
/// the adapter to own, and `ScatterGatherListSize`. PASSIVE: allocates
/// bounce memory.
pub(crate) fn register(
    adapter: &Arc<AdapterCore>,
    owner: Handle,
    registered: bool,
    desc: &SgDmaDescription,
) -> NdisResult<(Arc<SgDma>, u32)> {
    let (type_, revision, size) = desc.header;
    sg::check_description(type_, revision, size)?;
    if !adapter.is_bus_master() {
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

    let mut bounce = KVec::with_capacity(BOUNCE_SLOTS, GFP_KERNEL).map_err(|_| Error::Resources)?;
    for _ in 0..BOUNCE_SLOTS {
        let guard = adapter.coherent_allocation();
        let mem = BounceMemory::new_within(
            adapter.bound_device(),
            limits.max_mapping as usize,
            limit,
            &guard,
        )
        .map_err(|_| Error::Resources)?;
        drop(guard);
        if mem.device_address() + mem.len() as u64 - 1 > limit {
            return Err(Error::Resources);
        }
        bounce
            .push((mem, false), GFP_KERNEL)
            .map_err(|_| Error::Resources)?;
    }
    let sg_dma = Arc::pin_init(
        try_pin_init!(SgDma {
            adapter: adapter.clone(),
            owner,
            limits,
            limit,
            process: desc.process,
            shared_mem_complete: desc.shared_mem_complete,
            state <- new_spinlock_irq!(SgState {
                lists: KVec::new(),
                bounce: Some(bounce),
            }),
        }),
        GFP_KERNEL,
    )
    .map_err(|_| Error::Resources)?;
    Ok((sg_dma, list_size))
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
fn shares_cache_lines(ranges: &[VaRange], dir: Direction) -> bool {
    dir == Direction::FromDevice && ranges.iter().any(|r| dma::shares_cache_line(*r))
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
    let mut chunks = KVec::new();
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
        match unsafe { SgMapping::new(sg_dma.adapter.device(), &chunks, dir, sg_dma.limit) } {
            Ok(m) => m,
            Err(MapError::NeedsBounce) => return Ok(None),
            Err(MapError::Failed) => return Err(Error::Resources),
        };
    let mut segments = KVec::new();
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

/// Stages `ranges` in a free bounce slot; copies the data in for
/// host-to-device. Returns the slot and its bus address.
fn bounce_in(sg_dma: &SgDma, ranges: &[VaRange], dir: Direction) -> NdisResult<(usize, u64)> {
    let mut state = sg_dma.state.lock();
    let slots = state.bounce.as_mut().ok_or(Error::InvalidParameter)?;
    let (slot, (mem, busy)) = slots
        .iter_mut()
        .enumerate()
        .find(|(_, (_, busy))| !*busy)
        .ok_or(Error::Resources)?;
    *busy = true;
    if dir == Direction::ToDevice {
        let mut at = 0;
        for r in ranges {
            // SAFETY: `r` is the miniport's readable kernel memory; the data
            // is at most `max_mapping` bytes, the slot's size; the slot is
            // the shim's own allocation, so they do not overlap.
            unsafe {
                core::ptr::copy_nonoverlapping(r.start as *const u8, mem.cpu_ptr().add(at), r.len)
            };
            at += r.len;
        }
    }
    Ok((slot, mem.device_address()))
}

/// Copies a bounced device-to-host transfer back and frees its slot.
fn bounce_out(sg_dma: &SgDma, slot: usize, ranges: &[VaRange], dir: Direction) {
    let mut state = sg_dma.state.lock();
    let Some(slots) = state.bounce.as_mut() else {
        return;
    };
    let Some((mem, busy)) = slots.get_mut(slot) else {
        return;
    };
    if dir == Direction::FromDevice {
        let mut at = 0;
        for r in ranges {
            // SAFETY: as in `bounce_in`; the list is being freed, so the
            // device is done with the slot.
            unsafe {
                core::ptr::copy_nonoverlapping(mem.cpu_ptr().add(at), r.start as *mut u8, r.len)
            };
            at += r.len;
        }
    }
    *busy = false;
}

/// `NdisMAllocateNetBufferSGList`: maps the NET_BUFFER's data, writes the
/// list (into `buf` if it holds the list, else into the shim's own memory)
/// and calls `ProcessSGList` before returning. Never sleeps.
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
    let sg_dma = lookup(handle).ok_or(Error::InvalidParameter)?;
    let nb = nb.ok_or(Error::InvalidParameter)?;
    let (chain, data_offset, data_length) = (nb.chain, nb.data_offset, nb.data_length);
    let mut read = chain;
    let located = sg::locate(
        read.by_ref(),
        data_offset,
        data_length,
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
    let start = located?;
    let mut ranges = KVec::new();
    for r in sg::data_ranges(chain.skip(start.mdl_index), start.offset, data_length) {
        ranges.push(r, GFP_ATOMIC).map_err(|_| Error::Resources)?;
    }
    let dir = if flags & sg::SG_LIST_WRITE_TO_DEVICE != 0 {
        Direction::ToDevice
    } else {
        Direction::FromDevice
    };

    let mapped = if shares_cache_lines(&ranges, dir) {
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
            let (slot, address) = bounce_in(&sg_dma, &ranges, dir)?;
            let mut segments = KVec::new();
            if segments
                .push((address, u64::from(data_length)), GFP_ATOMIC)
                .is_err()
            {
                bounce_out(&sg_dma, slot, &[], Direction::ToDevice);
                return Err(Error::Resources);
            }
            (Backing::Bounced { slot, ranges }, segments)
        }
    };
    let n = sg::element_count(segments.iter().copied(), max_seg);
    let bounced = matches!(backing, Backing::Bounced { .. });
    let undo = |backing: Backing| {
        if let Backing::Bounced { slot, .. } = backing {
            bounce_out(&sg_dma, slot, &[], Direction::ToDevice);
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
        // Deregistered under us, or no room to remember the list.
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
    // The miniport's handler, called from the caller's context as NDIS may;
    // no lock is held, so it may free the list itself.
    if let Some(process) = sg_dma.process {
        // SAFETY: the miniport's ProcessSGList with the list just built.
        unsafe {
            process(
                core::ptr::null_mut(),
                core::ptr::null_mut(),
                list.cast(),
                context,
            )
        };
    }
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
        Backing::Bounced { slot, ranges } => bounce_out(sg_dma, slot, &ranges, entry.dir),
    }
}

/// `NdisMFreeNetBufferSGList`. A list this registration did not hand out
/// for `nb` (or one already freed) is rejected: logged and counted, never
/// unmapped twice. Never sleeps.
///
/// `list` and `nb` are the addresses the miniport passed: only compared.
pub(crate) fn free_list(handle: Handle, list: usize, nb: usize) {
    const CALL: &str = "NdisMFreeNetBufferSGList";
    let Some(sg_dma) = lookup(handle) else {
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
