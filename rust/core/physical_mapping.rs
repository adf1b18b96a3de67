//! NDIS 5 map registers and physical mapping (`NdisMAllocateMapRegisters`,
//! `NdisMStartBufferPhysicalMapping`, `NdisMCompleteBufferPhysicalMapping`).
//!
//! A miniport allocates `BaseMapRegistersNeeded` map registers once; each is
//! an index under which one buffer at a time is mapped for the device, and
//! under which the direction is remembered until the mapping is completed.
//! Windows checks none of the indices; this module does, on a slice of slots
//! the kernel side owns, so the rules are tested on the host.

use crate::abi;
use crate::channel::Direction;
use crate::status::{Error, Result};

/// `NDIS_DMA_24BITS`.
pub const NDIS_DMA_24BITS: u8 = abi::NDIS_DMA_24BITS as u8;
/// `NDIS_DMA_32BITS`.
pub const NDIS_DMA_32BITS: u8 = abi::NDIS_DMA_32BITS as u8;
/// `NDIS_DMA_64BITS`.
pub const NDIS_DMA_64BITS: u8 = abi::NDIS_DMA_64BITS as u8;

/// Map registers NDIS gives one miniport at most: "NDIS imposes a limit of
/// 64 map registers per miniport driver" (`NdisMAllocateMapRegisters`,
/// NDIS 5.1). It also bounds the bounce memory the shim holds for them.
pub const MAX_MAP_REGISTERS: u64 = 64;
/// The page one Windows map register maps (x86 and x64): what the limit
/// above counts in, whatever the kernel's page size.
pub const MAP_REGISTER_PAGE: u32 = 4096;

/// The highest bus address `DmaSize` lets the device use. Any other value
/// is among the "incompatible parameters" for which
/// `NdisMAllocateMapRegisters` returns `NDIS_STATUS_RESOURCES`.
pub const fn dma_size_limit(dma_size: u8) -> Result<u64> {
    match dma_size {
        NDIS_DMA_24BITS => Ok((1 << 24) - 1),
        NDIS_DMA_32BITS => Ok(u32::MAX as u64),
        NDIS_DMA_64BITS => Ok(u64::MAX),
        _ => Err(Error::Resources),
    }
}

/// Map registers one base register takes: enough pages for a buffer of
/// `maximum` bytes starting anywhere in its first page (1512 bytes: two).
pub const fn map_registers_per_base(maximum: u32) -> u64 {
    if maximum <= 1 {
        return 1;
    }
    ((maximum - 2) / MAP_REGISTER_PAGE) as u64 + 2
}

/// Checks `NdisMAllocateMapRegisters`' counts. Its page names two results:
/// `NDIS_STATUS_SUCCESS`, and `NDIS_STATUS_RESOURCES` for incompatible
/// parameters or map registers that cannot be allocated; so no base
/// register, an empty buffer, and more than [`MAX_MAP_REGISTERS`] map
/// registers in all are each `NDIS_STATUS_RESOURCES`.
pub const fn validate_allocation(count: u32, maximum_physical_mapping: u32) -> Result {
    if count == 0 || maximum_physical_mapping == 0 {
        return Err(Error::Resources);
    }
    if count as u64 * map_registers_per_base(maximum_physical_mapping) > MAX_MAP_REGISTERS {
        return Err(Error::Resources);
    }
    Ok(())
}

/// `ADDRESS_AND_SIZE_TO_SPAN_PAGES`: pages `len` bytes at `va` touch, the
/// most entries a physical mapping of them produces.
pub const fn span_pages(va: usize, len: usize, page_size: usize) -> usize {
    if len == 0 {
        return 0;
    }
    (va % page_size + len).div_ceil(page_size)
}

/// A buffer mapped under one map register.
#[derive(Debug)]
pub struct ActiveMapping<M> {
    /// The MDL (`NDIS_BUFFER`) the miniport mapped, by address.
    pub mdl: usize,
    /// The direction remembered for Complete.
    pub dir: Direction,
    /// The mapping itself; unmapped when dropped.
    pub mapping: M,
}

/// Why a physical-mapping call was rejected. The calls return nothing, so
/// the kernel side logs [`Rejection::reason`] and counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// The adapter holds no map registers.
    NoMapRegisters,
    /// `PhysicalMapRegister` is not below the number allocated.
    BadIndex,
    /// Start on a map register that already maps a buffer.
    InUse,
    /// Complete on a map register that maps nothing.
    NotMapped,
    /// Complete with another buffer than the one Start mapped.
    WrongBuffer,
    /// The buffer is empty or longer than `MaximumPhysicalMapping`.
    BadLength,
    /// The buffer could not be mapped (no IOVA space, no bounce memory).
    MapFailed,
}

impl Rejection {
    /// One line for the log.
    pub const fn reason(self) -> &'static str {
        match self {
            Self::NoMapRegisters => "no map registers allocated",
            Self::BadIndex => "map register index out of range",
            Self::InUse => "map register already maps a buffer",
            Self::NotMapped => "map register maps no buffer",
            Self::WrongBuffer => "buffer is not the one this map register maps",
            Self::BadLength => "buffer empty or longer than MaximumPhysicalMapping",
            Self::MapFailed => "buffer could not be mapped",
        }
    }
}

/// Maps `mdl` (`len` bytes) under a map register's `slot` with `map`, if
/// the slot is free and the length fits `maximum`. (An index beyond the
/// registers allocated, [`Rejection::BadIndex`], is the caller's to find:
/// it owns the registers.)
pub fn start<M, F>(
    slot: &mut Option<ActiveMapping<M>>,
    mdl: usize,
    len: usize,
    maximum: u32,
    dir: Direction,
    map: F,
) -> core::result::Result<&M, Rejection>
where
    F: FnOnce() -> Result<M>,
{
    if slot.is_some() {
        return Err(Rejection::InUse);
    }
    if len == 0 || len > maximum as usize {
        return Err(Rejection::BadLength);
    }
    let mapping = map().map_err(|_| Rejection::MapFailed)?;
    Ok(&slot.insert(ActiveMapping { mdl, dir, mapping }).mapping)
}

/// Takes the mapping of `mdl` out of a map register's `slot`; the caller
/// finishes it for the CPU with the remembered direction and drops it.
pub fn complete<M>(
    slot: &mut Option<ActiveMapping<M>>,
    mdl: usize,
) -> core::result::Result<ActiveMapping<M>, Rejection> {
    match slot {
        None => Err(Rejection::NotMapped),
        Some(active) if active.mdl != mdl => Err(Rejection::WrongBuffer),
        Some(_) => slot.take().ok_or(Rejection::NotMapped),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dma_size() {
        assert_eq!(dma_size_limit(NDIS_DMA_24BITS), Ok(0xff_ffff));
        assert_eq!(dma_size_limit(NDIS_DMA_32BITS), Ok(0xffff_ffff));
        assert_eq!(dma_size_limit(NDIS_DMA_64BITS), Ok(u64::MAX));
        // NdisMAllocateMapRegisters (NDIS 5.1): incompatible parameters ->
        // NDIS_STATUS_RESOURCES.
        assert_eq!(dma_size_limit(3), Err(Error::Resources));
        assert_eq!(dma_size_limit(0xff), Err(Error::Resources));
    }

    #[test]
    fn map_registers_per_buffer() {
        // The page's example: 1512 bytes can span two 4 KiB pages.
        assert_eq!(map_registers_per_base(1512), 2);
        assert_eq!(map_registers_per_base(1), 1);
        assert_eq!(map_registers_per_base(2), 2);
        assert_eq!(map_registers_per_base(4096), 2);
        assert_eq!(map_registers_per_base(4097), 2);
        assert_eq!(map_registers_per_base(4098), 3);
        assert_eq!(map_registers_per_base(u32::MAX), 1 << 20 | 1);
        // Each is the worst case of ADDRESS_AND_SIZE_TO_SPAN_PAGES.
        for len in [2usize, 1512, 4096, 4097, 4098, 65536] {
            let worst = (0..4096).map(|va| span_pages(va, len, 4096)).max();
            assert_eq!(worst, Some(map_registers_per_base(len as u32) as usize));
        }
    }

    #[test]
    fn allocation_limits() {
        // NdisMAllocateMapRegisters (NDIS 5.1): "NDIS imposes a limit of 64
        // map registers per miniport driver"; RESOURCES beyond it and for
        // incompatible parameters.
        assert_eq!(validate_allocation(4, 4096), Ok(()));
        assert_eq!(validate_allocation(32, 1512), Ok(()));
        assert_eq!(validate_allocation(33, 1512), Err(Error::Resources));
        assert_eq!(validate_allocation(64, 1), Ok(()));
        assert_eq!(validate_allocation(65, 1), Err(Error::Resources));
        assert_eq!(validate_allocation(0, 4096), Err(Error::Resources));
        assert_eq!(validate_allocation(4, 0), Err(Error::Resources));
        assert_eq!(validate_allocation(1000, 4096), Err(Error::Resources));
        assert_eq!(validate_allocation(1, u32::MAX), Err(Error::Resources));
        assert_eq!(
            validate_allocation(u32::MAX, u32::MAX),
            Err(Error::Resources)
        );
    }

    #[test]
    fn spans() {
        assert_eq!(span_pages(0x1000, 0, 4096), 0);
        assert_eq!(span_pages(0x1000, 1, 4096), 1);
        assert_eq!(span_pages(0x1fff, 2, 4096), 2);
        assert_eq!(span_pages(0x1000, 4096, 4096), 1);
        assert_eq!(span_pages(0x1001, 4096, 4096), 2);
        assert_eq!(span_pages(0x1800, 3 * 4096, 4096), 4);
    }

    #[test]
    fn start_and_complete() {
        let mut slots: [Option<ActiveMapping<u32>>; 2] = [None, None];
        let ok = || Ok(7u32);
        assert_eq!(
            start(&mut slots[0], 0x10, 0, 64, Direction::ToDevice, ok),
            Err(Rejection::BadLength)
        );
        assert_eq!(
            start(&mut slots[0], 0x10, 65, 64, Direction::ToDevice, ok),
            Err(Rejection::BadLength)
        );
        assert_eq!(
            start(&mut slots[0], 0x10, 8, 64, Direction::ToDevice, || Err(
                Error::Resources
            )),
            Err(Rejection::MapFailed)
        );
        assert!(slots[0].is_none());
        assert_eq!(
            start(&mut slots[0], 0x10, 64, 64, Direction::FromDevice, ok),
            Ok(&7)
        );
        assert_eq!(
            start(&mut slots[0], 0x20, 8, 64, Direction::ToDevice, ok),
            Err(Rejection::InUse)
        );
        assert_eq!(
            complete(&mut slots[1], 0x10).unwrap_err(),
            Rejection::NotMapped
        );
        assert_eq!(
            complete(&mut slots[0], 0x20).unwrap_err(),
            Rejection::WrongBuffer
        );
        let active = complete(&mut slots[0], 0x10).unwrap();
        assert_eq!(active.dir, Direction::FromDevice);
        assert_eq!(active.mapping, 7);
        assert!(slots[0].is_none());
        assert_eq!(
            complete(&mut slots[0], 0x10).unwrap_err(),
            Rejection::NotMapped
        );
    }
}
