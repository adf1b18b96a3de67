//! NDIS 6 scatter-gather arithmetic.
//!
//! Pure computations behind `NdisMRegisterScatterGatherDma` and
//! `NdisMAllocateNetBufferSGList`: checking the SG DMA description, sizing
//! `ScatterGatherListSize` from the device's segment limits, checking what
//! a NET_BUFFER's list maps (from the start of `CurrentMdl`), counting its
//! physical pieces and splitting mapped segments at the device's maximum
//! segment size. Every value comes from C
//! and may be hostile, so every step is checked.

use core::num::NonZeroU64;

use crate::{
    abi,
    mdl::{MdlView, VaRange},
    status::{Error, Result},
};

/// `NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION`.
pub const SG_DMA_DESCRIPTION_TYPE: u8 = abi::NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION as u8;
/// `NDIS_SG_DMA_DESCRIPTION_REVISION_1`.
pub const SG_DMA_DESCRIPTION_REVISION_1: u8 = abi::NDIS_SG_DMA_DESCRIPTION_REVISION_1 as u8;
/// `NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1`: through `ScatterGatherListSize`.
pub const SG_DMA_DESCRIPTION_SIZE_1: u16 = abi::NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1 as u16;
/// `NDIS_SG_DMA_64_BIT_ADDRESS`.
pub const SG_DMA_64_BIT_ADDRESS: u32 = abi::NDIS_SG_DMA_64_BIT_ADDRESS;
/// `NDIS_SG_LIST_WRITE_TO_DEVICE`.
pub const SG_LIST_WRITE_TO_DEVICE: u32 = abi::NDIS_SG_LIST_WRITE_TO_DEVICE;
/// `sizeof(SCATTER_GATHER_LIST)` (Win64): the header before `Elements`.
pub const SG_LIST_HEADER_SIZE: usize = abi::NDIS_SHIM_SIZEOF_SCATTER_GATHER_LIST_HEADER as usize;
/// `sizeof(SCATTER_GATHER_ELEMENT)` (Win64).
pub const SG_ELEMENT_SIZE: usize = abi::NDIS_SHIM_SIZEOF_SCATTER_GATHER_ELEMENT as usize;
/// Longest MDL chain followed; a longer one is taken for a cycle.
pub const MAX_CHAIN_MDLS: usize = 256;
/// Most elements one list may hold (bounds an allocation made at
/// DISPATCH_LEVEL); data that would need more is bounced into one.
pub const MAX_LIST_ELEMENTS: usize = 256;

/// Checks an `NDIS_SG_DMA_DESCRIPTION` header: [`Error::BadVersion`] unless
/// it is type 0x83, revision 1 (or later) and at least revision 1's size.
pub fn check_description(type_: u8, revision: u8, size: u16) -> Result<()> {
    if type_ != SG_DMA_DESCRIPTION_TYPE
        || revision < SG_DMA_DESCRIPTION_REVISION_1
        || size < SG_DMA_DESCRIPTION_SIZE_1
    {
        return Err(Error::BadVersion);
    }
    Ok(())
}

/// The address width an SG DMA description asks for.
pub const fn description_address_bits(flags: u32) -> u32 {
    if flags & SG_DMA_64_BIT_ADDRESS != 0 {
        64
    } else {
        32
    }
}

/// Segment limits of one SG DMA registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SgLimits {
    /// `MaximumPhysicalMapping`: most bytes one NET_BUFFER may map.
    pub max_mapping: u32,
    /// The device's maximum DMA segment (`dma_get_max_seg_size`), > 0.
    pub max_seg_size: u32,
    /// Elements of a list for `max_mapping` bytes at the worst alignment,
    /// which `ScatterGatherListSize` is sized for. A NET_BUFFER split over
    /// more MDLs may need more; its list is then the shim's own allocation.
    pub max_elements: u32,
}

impl SgLimits {
    /// Limits for `max_mapping` bytes on a device whose segments are at most
    /// `max_seg_size` bytes, with pages of `page_size` bytes.
    ///
    /// The element count is the worst case for `max_mapping` bytes at any
    /// alignment: one element per page touched, plus, when a segment is
    /// smaller than a page, one more per `max_seg_size` bytes.
    /// [`Error::InvalidParameter`] for a zero mapping, segment or page size.
    pub fn new(max_mapping: u32, max_seg_size: u32, page_size: usize) -> Result<Self> {
        if max_mapping == 0 || max_seg_size == 0 || page_size == 0 {
            return Err(Error::InvalidParameter);
        }
        let m = u64::from(max_mapping);
        let page = page_size as u64;
        let seg = u64::from(max_seg_size);
        let pages = (m + page - 2) / page + 1;
        let extra = if seg < page { m / seg } else { 0 };
        let max_elements = u32::try_from(pages + extra).map_err(|_| Error::InvalidParameter)?;
        Ok(Self {
            max_mapping,
            max_seg_size,
            max_elements,
        })
    }

    /// `ScatterGatherListSize`: bytes of a list with
    /// [`Self::max_elements`] elements.
    pub fn list_size(&self) -> Result<u32> {
        list_bytes(self.max_elements as usize)
            .and_then(|b| u32::try_from(b).ok())
            .ok_or(Error::InvalidParameter)
    }
}

/// Lists of one registration that can be bounced at once, when their
/// slots fit in [`BOUNCE_POOL_BYTES`]: a NIC keeps dozens of sends in
/// flight, each holding its list until the send completes, and as many
/// receives. Where every mapping must be bounced (a bounce pool beyond the
/// device's reach), this is how many lists the miniport can hold at all.
pub const BOUNCE_LISTS: usize = 128;
/// Most bounce memory one registration allocates.
pub const BOUNCE_POOL_BYTES: usize = 4 << 20;
/// Largest bounce slot: a list whose bytes exceed it cannot be bounced
/// (RESOURCES), so a huge `MaximumPhysicalMapping` (up to `(ULONG)-1`)
/// still registers, as system DMA's capped bounce memory does. 64 KiB holds
/// an LSOv1 send.
pub const MAX_BOUNCE_SLOT_BYTES: usize = 64 << 10;

/// The bounce pool of a registration: `(slots, bytes per slot)`. A slot
/// holds one list's data, up to `max_mapping` bytes but at most
/// [`MAX_BOUNCE_SLOT_BYTES`], rounded up to whole pages (with the
/// `CurrentMdlOffset` bytes before the data when they fit);
/// there are [`BOUNCE_LISTS`] slots, fewer if they would not fit in
/// [`BOUNCE_POOL_BYTES`] (at least 64 with capped slots).
/// [`Error::Resources`] if a slot's size overflows or is 0.
pub fn bounce_pool(max_mapping: u32, page_size: usize) -> Result<(usize, usize)> {
    let slot = (max_mapping as usize)
        .min(MAX_BOUNCE_SLOT_BYTES)
        .checked_next_multiple_of(page_size)
        .filter(|&s| s != 0)
        .ok_or(Error::Resources)?;
    let slots = (BOUNCE_POOL_BYTES / slot).min(BOUNCE_LISTS);
    Ok((slots, slot))
}

/// Bytes of a `SCATTER_GATHER_LIST` with `elements` elements.
pub fn list_bytes(elements: usize) -> Option<usize> {
    elements
        .checked_mul(SG_ELEMENT_SIZE)
        .and_then(|b| b.checked_add(SG_LIST_HEADER_SIZE))
}

/// What `NdisMAllocateNetBufferSGList` maps of a NET_BUFFER: as on Windows,
/// `current_mdl_offset + data_length` bytes from the start of `CurrentMdl`
/// (the data at `CurrentMdlOffset` into it; the miniport skips that many
/// bytes of the list itself). `chain` yields the MDLs from `CurrentMdl` on.
/// Returns the number of bytes mapped.
///
/// Every refusal is [`Error::Resources`], the one failure
/// `NdisMAllocateNetBufferSGList` documents: no MDL, `data_length` zero or
/// above `max_mapping`, a length overflowing `u32`, a chain holding fewer
/// bytes, a chain longer than [`MAX_CHAIN_MDLS`] (taken for a cycle) or an
/// MDL whose addresses wrap.
pub fn mapped_length<I: IntoIterator<Item = MdlView>>(
    chain: I,
    current_mdl_offset: u32,
    data_length: u32,
    max_mapping: u32,
) -> Result<u32> {
    if data_length == 0 || data_length > max_mapping {
        return Err(Error::Resources);
    }
    let total = current_mdl_offset
        .checked_add(data_length)
        .ok_or(Error::Resources)?;
    let mut seen: u64 = 0;
    for (i, mdl) in chain.into_iter().enumerate() {
        if i >= MAX_CHAIN_MDLS {
            return Err(Error::Resources);
        }
        mdl_range(&mdl).map_err(|_| Error::Resources)?;
        seen += u64::from(mdl.byte_count);
        if seen >= u64::from(total) {
            return Ok(total);
        }
    }
    Err(Error::Resources)
}

/// `NdisQueryNetBufferPhysicalCount`: the most physical pieces the data can
/// take. The data starts `data_offset` bytes into `chain` (the NET_BUFFER's
/// `MdlChain`; empty MDLs before it are skipped). Each MDL holding data
/// counts the pages it spans from its own start to the data's end in it
/// (a list built from `CurrentMdl` covers those bytes too); an empty MDL
/// inside the data counts one. A chain shorter than the data counts what
/// it holds; longer than [`MAX_CHAIN_MDLS`], what those hold.
pub fn physical_count<I: IntoIterator<Item = MdlView>>(
    chain: I,
    data_offset: u32,
    data_length: u32,
    page_size: usize,
) -> u32 {
    if page_size == 0 {
        return 0;
    }
    let page = page_size as u64;
    let mut skip = u64::from(data_offset);
    let mut remaining = u64::from(data_length);
    let mut count: u32 = 0;
    let mut started = false;
    for mdl in chain.into_iter().take(MAX_CHAIN_MDLS) {
        let len = u64::from(mdl.byte_count);
        if !started {
            if skip >= len {
                skip -= len;
                continue;
            }
            started = true;
        }
        if remaining == 0 {
            break;
        }
        if len == 0 {
            count = count.saturating_add(1);
            continue;
        }
        // From the MDL's start through the data's end in it.
        let through = (skip + remaining).min(len);
        remaining -= through - skip;
        skip = 0;
        let first = (mdl.start_va as u64 + u64::from(mdl.byte_offset)) % page;
        let pages = (first + through).div_ceil(page);
        count = count.saturating_add(u32::try_from(pages).unwrap_or(u32::MAX));
    }
    count
}

/// The whole virtual range an MDL describes.
pub fn mdl_range(mdl: &MdlView) -> Result<VaRange> {
    let start = mdl
        .start_va
        .checked_add(mdl.byte_offset as usize)
        .ok_or(Error::InvalidParameter)?;
    let len = mdl.byte_count as usize;
    start.checked_add(len).ok_or(Error::InvalidParameter)?;
    Ok(VaRange { start, len })
}

/// The virtual ranges holding a NET_BUFFER's data, one per MDL, in order.
///
/// `chain` must yield the MDLs from the first one mapped on; `start_offset`
/// is the offset in it. Call [`mapped_length`] first: this iterator assumes
/// the chain holds `data_length` bytes from there.
pub fn data_ranges<I: IntoIterator<Item = MdlView>>(
    chain: I,
    start_offset: u32,
    data_length: u32,
) -> impl Iterator<Item = VaRange> {
    let mut skip = start_offset as usize;
    let mut remaining = data_length as usize;
    chain
        .into_iter()
        .map_while(move |mdl| {
            if remaining == 0 {
                return None;
            }
            let whole = mdl_range(&mdl).ok()?;
            let avail = whole.len.saturating_sub(skip);
            let len = avail.min(remaining);
            let range = VaRange {
                start: whole.start + skip.min(whole.len),
                len,
            };
            skip = skip.saturating_sub(whole.len);
            remaining -= len;
            Some(range)
        })
        .filter(|r| r.len != 0)
}

/// One `SCATTER_GATHER_ELEMENT`: a device address and a length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element {
    /// Bus (DMA) address.
    pub address: u64,
    /// Length in bytes, at most the maximum segment size.
    pub length: u32,
}

/// The most bytes of one element: `max_seg_size`, or `u32::MAX` for 0.
fn segment_max(max_seg_size: u32) -> NonZeroU64 {
    const NO_LIMIT: NonZeroU64 = match NonZeroU64::new(u32::MAX as u64) {
        Some(max) => max,
        None => NonZeroU64::MIN,
    };
    NonZeroU64::new(u64::from(max_seg_size)).unwrap_or(NO_LIMIT)
}

/// Elements of at most `max` bytes `length` bytes split into. Divides by
/// a `NonZeroU64`: no division-by-zero check (whose panic call objtool
/// does not know as noreturn) on the SG hot path.
fn pieces(length: u64, max: NonZeroU64) -> u64 {
    length / max + u64::from(length % max != 0)
}

/// Splits mapped segments `(address, length)` into elements of at most
/// `max_seg_size` bytes, in order. A zero `max_seg_size` means no limit
/// beyond `u32`.
pub fn elements<I: IntoIterator<Item = (u64, u64)>>(
    segments: I,
    max_seg_size: u32,
) -> impl Iterator<Item = Element> {
    let max = segment_max(max_seg_size);
    segments.into_iter().flat_map(move |(address, length)| {
        (0..pieces(length, max)).map(move |k| Element {
            address: address.wrapping_add(k * max.get()),
            length: (length - k * max.get()).min(max.get()) as u32,
        })
    })
}

/// How many elements [`elements`] yields for `segments`.
pub fn element_count<I: IntoIterator<Item = (u64, u64)>>(segments: I, max_seg_size: u32) -> usize {
    let max = segment_max(max_seg_size);
    segments
        .into_iter()
        .map(|(_, len)| pieces(len, max) as usize)
        .sum()
}

/// Whether mapped segments can go to the device as they are: at most
/// [`MAX_LIST_ELEMENTS`] elements, all at or below `limit`. Otherwise the
/// data is bounced.
pub fn fits<I: IntoIterator<Item = (u64, u64)> + Clone>(
    segments: I,
    max_seg_size: u32,
    limit: u64,
) -> bool {
    let reachable = segments
        .clone()
        .into_iter()
        .all(|(a, l)| l != 0 && a.checked_add(l - 1).is_some_and(|last| last <= limit));
    reachable && element_count(segments, max_seg_size) <= MAX_LIST_ELEMENTS
}
