//! NDIS 6 scatter-gather arithmetic.
//!
//! Pure computations behind `NdisMRegisterScatterGatherDma` and
//! `NdisMAllocateNetBufferSGList`: checking the SG DMA description, sizing
//! `ScatterGatherListSize` from the device's segment limits, skipping a
//! NET_BUFFER's `DataOffset` through its MDL chain, and splitting mapped
//! segments at the device's maximum segment size. Every value comes from C
//! and may be hostile, so every step is checked.

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

/// Bytes of a `SCATTER_GATHER_LIST` with `elements` elements.
pub fn list_bytes(elements: usize) -> Option<usize> {
    elements
        .checked_mul(SG_ELEMENT_SIZE)
        .and_then(|b| b.checked_add(SG_LIST_HEADER_SIZE))
}

/// Where a NET_BUFFER's data starts: the MDL (index in the chain) and the
/// offset in it, after skipping `DataOffset` bytes from the chain's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataStart {
    /// Index of the current MDL in the chain.
    pub mdl_index: usize,
    /// `CurrentMdlOffset`: the data's offset within that MDL.
    pub offset: u32,
}

/// Checks a NET_BUFFER's data against its MDL chain and finds its start.
///
/// - no MDL: [`Error::Failure`];
/// - `data_length == 0`, `data_offset + data_length` overflowing, more than
///   `max_mapping` bytes, or data beyond the chain's end:
///   [`Error::InvalidLength`];
/// - a chain longer than [`MAX_CHAIN_MDLS`], or an MDL whose addresses wrap:
///   [`Error::InvalidParameter`].
///
/// The start is the first MDL with data at `data_offset` (empty MDLs are
/// skipped).
pub fn locate<I: IntoIterator<Item = MdlView>>(
    chain: I,
    data_offset: u32,
    data_length: u32,
    max_mapping: u32,
) -> Result<DataStart> {
    let mut chain = chain.into_iter().peekable();
    if chain.peek().is_none() {
        return Err(Error::Failure);
    }
    if data_length == 0 || data_length > max_mapping {
        return Err(Error::InvalidLength);
    }
    let end = data_offset
        .checked_add(data_length)
        .ok_or(Error::InvalidLength)?;
    let mut seen: u64 = 0;
    let mut start = None;
    for (i, mdl) in chain.enumerate() {
        if i >= MAX_CHAIN_MDLS {
            return Err(Error::InvalidParameter);
        }
        mdl_range(&mdl)?;
        let next = seen + u64::from(mdl.byte_count);
        if start.is_none() && u64::from(data_offset) < next {
            start = Some(DataStart {
                mdl_index: i,
                offset: (u64::from(data_offset) - seen) as u32,
            });
        }
        seen = next;
        if seen >= u64::from(end) {
            return start.ok_or(Error::InvalidLength);
        }
    }
    Err(Error::InvalidLength)
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
/// `chain` must yield the MDLs from the current one on; `start_offset` is
/// the offset in it ([`DataStart::offset`]). Call [`locate`] first: this
/// iterator assumes the chain holds `data_length` bytes from there.
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

/// Splits mapped segments `(address, length)` into elements of at most
/// `max_seg_size` bytes, in order. A zero `max_seg_size` means no limit
/// beyond `u32`.
pub fn elements<I: IntoIterator<Item = (u64, u64)>>(
    segments: I,
    max_seg_size: u32,
) -> impl Iterator<Item = Element> {
    let max = if max_seg_size == 0 {
        u64::from(u32::MAX)
    } else {
        u64::from(max_seg_size)
    };
    segments.into_iter().flat_map(move |(address, length)| {
        let pieces = length.div_ceil(max);
        (0..pieces).map(move |k| Element {
            address: address.wrapping_add(k * max),
            length: (length - k * max).min(max) as u32,
        })
    })
}

/// How many elements [`elements`] yields for `segments`.
pub fn element_count<I: IntoIterator<Item = (u64, u64)>>(segments: I, max_seg_size: u32) -> usize {
    let max = if max_seg_size == 0 {
        u64::from(u32::MAX)
    } else {
        u64::from(max_seg_size)
    };
    segments
        .into_iter()
        .map(|(_, len)| len.div_ceil(max) as usize)
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
