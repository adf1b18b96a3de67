//! MDL decoding and range arithmetic.
//!
//! Which kernel address a miniport's MDL gives the shim ([`RawMdl::system_view`]),
//! and pure address arithmetic on that view: which virtual range a DMA
//! transfer covers, how it splits at page and cache-line boundaries, and how
//! many map registers a channel needs. Every computation is checked: values
//! come from C and may be hostile.

use crate::{
    abi,
    status::{Error, Result},
};

/// The fields of a Windows MDL that say where its data is, as the miniport
/// left them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawMdl {
    /// `MdlFlags`.
    pub flags: u16,
    /// `MappedSystemVa`: the data's system-space address, when a flag says so.
    pub mapped_system_va: usize,
    /// `StartVa`: page-aligned start in the context the MDL was built in
    /// (possibly a user process); never dereferenced by the shim.
    pub start_va: usize,
    /// `ByteOffset`: offset of the data within its first page.
    pub byte_offset: u32,
    /// `ByteCount`: length of the data in bytes.
    pub byte_count: u32,
}

/// Why the shim cannot use an MDL's pages. The DMA calls refuse such an MDL
/// with their documented failure status (`NDIS_STATUS_RESOURCES`; a void
/// call logs and counts it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unresolvable {
    /// Neither `MDL_MAPPED_TO_SYSTEM_VA` nor `MDL_SOURCE_IS_NONPAGED_POOL`:
    /// `MappedSystemVa` means nothing (an `IoAllocateMdl` MDL never built),
    /// and the shim has no page list to map.
    NotMapped,
    /// `MappedSystemVa` is not at `ByteOffset` within its page: the system
    /// address and the MDL's pages disagree (Windows keeps them equal), and
    /// the miniport's `NdisGetBufferPhysicalArraySize` would be wrong.
    OffsetMismatch,
    /// The system range is not memory the kernel can turn into pages
    /// (neither the linear map nor vmalloc space): decided by the caller.
    NotKernelMemory,
}

impl Unresolvable {
    /// The log line's reason.
    pub const fn reason(self) -> &'static str {
        match self {
            Self::NotMapped => {
                "MDL neither MDL_MAPPED_TO_SYSTEM_VA nor MDL_SOURCE_IS_NONPAGED_POOL"
            }
            Self::OffsetMismatch => "MDL MappedSystemVa not at ByteOffset in its page",
            Self::NotKernelMemory => "MDL MappedSystemVa is not kernel memory the shim can map",
        }
    }
}

/// The flags that make `MappedSystemVa` valid (`MmGetSystemAddressForMdlSafe`).
pub const MDL_SYSTEM_VA_FLAGS: u16 =
    (abi::MDL_MAPPED_TO_SYSTEM_VA | abi::MDL_SOURCE_IS_NONPAGED_POOL) as u16;

impl RawMdl {
    /// The MDL's data in system space, as `MmGetSystemAddressForMdlSafe`
    /// finds it: `MappedSystemVa` when `MdlFlags` has
    /// `MDL_MAPPED_TO_SYSTEM_VA` or `MDL_SOURCE_IS_NONPAGED_POOL`. Windows
    /// would map any other MDL from its page list; the shim has none, so it
    /// refuses it. `StartVa` is ignored: it is the address in the context
    /// the MDL was built in (`MmGetMdlVirtualAddress`).
    ///
    /// `page_size` is the page size `ByteOffset` counts within. Whether the
    /// resulting range is kernel memory is the caller's check.
    pub fn system_view(&self, page_size: usize) -> core::result::Result<MdlView, Unresolvable> {
        if self.flags & MDL_SYSTEM_VA_FLAGS == 0 {
            return Err(Unresolvable::NotMapped);
        }
        let va = self.mapped_system_va;
        let in_page = if page_size == 0 { 0 } else { va % page_size };
        if usize::try_from(self.byte_offset) != Ok(in_page) {
            return Err(Unresolvable::OffsetMismatch);
        }
        Ok(MdlView {
            // No underflow: `in_page <= va`.
            start_va: va - in_page,
            byte_offset: self.byte_offset,
            byte_count: self.byte_count,
        })
    }
}

/// An MDL's data as the shim uses it: in system space.
///
/// The buffer's kernel address is `start_va + byte_offset`
/// (`MmGetSystemAddressForMdlSafe`) and it is `byte_count` bytes long
/// (`MmGetMdlByteCount`). Made from a miniport's MDL only by
/// [`RawMdl::system_view`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MdlView {
    /// Page-aligned start of the data's first page, in system space.
    pub start_va: usize,
    /// `ByteOffset`: offset of the buffer within the first page.
    pub byte_offset: u32,
    /// `ByteCount`: length of the buffer in bytes.
    pub byte_count: u32,
}

/// A range of virtual addresses `[start, start + len)`.
///
/// Ranges produced by this module never wrap around the address space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VaRange {
    /// First address.
    pub start: usize,
    /// Length in bytes.
    pub len: usize,
}

impl VaRange {
    /// One past the last address, or `None` if the range wraps.
    pub const fn end(&self) -> Option<usize> {
        self.start.checked_add(self.len)
    }
}

/// The virtual range of a Setup/Complete transfer: `length` bytes at `offset`
/// from the MDL's virtual address.
///
/// Checks, in order:
/// - `length == 0` or `length > maximum_length`: [`Error::InvalidLength`];
/// - `offset + length` overflows `u32`, or exceeds `byte_count`:
///   [`Error::InvalidParameter`];
/// - the address computation or the end of the range overflows `usize`:
///   [`Error::InvalidParameter`].
pub fn transfer_range(
    mdl: &MdlView,
    offset: u32,
    length: u32,
    maximum_length: u32,
) -> Result<VaRange> {
    if length == 0 || length > maximum_length {
        return Err(Error::InvalidLength);
    }
    let end = offset.checked_add(length).ok_or(Error::InvalidParameter)?;
    if end > mdl.byte_count {
        return Err(Error::InvalidParameter);
    }
    let len = usize::try_from(length).map_err(|_| Error::InvalidParameter)?;
    let start = usize::try_from(mdl.byte_offset)
        .ok()
        .and_then(|bo| mdl.start_va.checked_add(bo))
        .zip(usize::try_from(offset).ok())
        .and_then(|(va, off)| va.checked_add(off))
        .ok_or(Error::InvalidParameter)?;
    // The last byte must be addressable too: no wrap-around ranges.
    start.checked_add(len).ok_or(Error::InvalidParameter)?;
    Ok(VaRange { start, len })
}

/// A piece of a range that lies within one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageChunk {
    /// Virtual address of the chunk.
    pub va: usize,
    /// Offset of `va` within its page.
    pub offset_in_page: usize,
    /// Length of the chunk; never crosses a page boundary.
    pub len: usize,
}

/// Iterator returned by [`page_chunks`].
#[derive(Debug, Clone)]
struct PageChunks {
    va: usize,
    remaining: usize,
    page_size: usize,
}

impl Iterator for PageChunks {
    type Item = PageChunk;

    fn next(&mut self) -> Option<PageChunk> {
        if self.remaining == 0 {
            return None;
        }
        let (offset_in_page, len) = if self.page_size == 0 {
            (0, self.remaining)
        } else {
            let off = self.va % self.page_size;
            (off, self.remaining.min(self.page_size - off))
        };
        let chunk = PageChunk {
            va: self.va,
            offset_in_page,
            len,
        };
        // Wrapping: after the last chunk the address may be one past the end
        // of the address space; it is never used then.
        self.va = self.va.wrapping_add(len);
        self.remaining -= len;
        Some(chunk)
    }
}

/// Splits `range` at page boundaries, in address order.
///
/// The chunks' lengths sum to `range.len`; an empty range yields nothing.
/// `page_size` is normally `PAGE_SIZE`; any non-zero size works (powers of
/// two are not required). A `page_size` of 0 means "no pages": the whole
/// range is yielded as one chunk with `offset_in_page == 0`, so no byte is
/// ever dropped.
pub fn page_chunks(range: VaRange, page_size: usize) -> impl Iterator<Item = PageChunk> {
    PageChunks {
        va: range.start,
        remaining: range.len,
        page_size,
    }
}

/// Map registers (4 KiB pages) a channel needs for transfers of up to
/// `maximum_length` bytes at any alignment: Windows' formula
/// `((MaximumLength - 2) >> 12) + 2`.
///
/// That formula is `ceil((L - 1) / 4096) + 1`, the most pages an `L`-byte
/// buffer can touch, but it underflows for `L < 2`. Here `0` gives 0 (no
/// transfer is possible) and `1` gives 1 (one byte touches one page).
pub const fn map_register_count(maximum_length: u32) -> u32 {
    match maximum_length {
        0 => 0,
        1 => 1,
        l => ((l - 2) >> 12) + 2,
    }
}

/// Splits `range` into a partial cache line at the start (`head`), whole
/// aligned lines (`body`) and a partial line at the end (`tail`).
///
/// Used to decide bouncing: a device-to-host transfer into a partial line
/// shares that line with unrelated CPU data, which cache maintenance would
/// corrupt. Empty parts are `None`; the parts are contiguous and in order.
/// A range inside one line that touches neither of its ends is all `head`;
/// one that starts aligned and is shorter than a line is all `tail`.
/// A `line` of 0 means no cache-line constraint: everything is `body`.
/// An empty range gives `(None, None, None)`.
pub fn cache_line_split(
    range: VaRange,
    line: usize,
) -> (Option<VaRange>, Option<VaRange>, Option<VaRange>) {
    if range.len == 0 {
        return (None, None, None);
    }
    if line == 0 {
        return (None, Some(range), None);
    }
    let misalign = range.start % line;
    let head_len = if misalign == 0 {
        0
    } else {
        (line - misalign).min(range.len)
    };
    let rest = range.len - head_len;
    let tail_len = rest % line;
    let body_len = rest - tail_len;
    let part = |start: usize, len: usize| (len != 0).then_some(VaRange { start, len });
    // Wrapping: only a range that itself wraps could overflow, and then the
    // value is as meaningless as the input.
    let body_start = range.start.wrapping_add(head_len);
    let tail_start = body_start.wrapping_add(body_len);
    (
        part(range.start, head_len),
        part(body_start, body_len),
        part(tail_start, tail_len),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    const MDL: MdlView = MdlView {
        start_va: 0x10_0000,
        byte_offset: 0x10,
        byte_count: 0x2000,
    };

    #[test]
    fn system_view_follows_the_flags() {
        const POOL: u16 = abi::MDL_SOURCE_IS_NONPAGED_POOL as u16;
        const MAPPED: u16 = abi::MDL_MAPPED_TO_SYSTEM_VA as u16;
        const LOCKED: u16 = abi::MDL_PAGES_LOCKED as u16;
        // Built for a user buffer: StartVa is the user-context address.
        let raw = RawMdl {
            flags: POOL,
            mapped_system_va: 0xffff_8880_0123_4010,
            start_va: 0x7ffe_0000_0000,
            byte_offset: 0x10,
            byte_count: 0x2000,
        };
        let system = MdlView {
            start_va: 0xffff_8880_0123_4000,
            byte_offset: 0x10,
            byte_count: 0x2000,
        };
        assert_eq!(raw.system_view(0x1000), Ok(system));
        for flags in [MAPPED, MAPPED | LOCKED, POOL | MAPPED] {
            assert_eq!(RawMdl { flags, ..raw }.system_view(0x1000), Ok(system));
        }
        // IoAllocateMdl alone, or locked but never mapped: no system address,
        // however plausible StartVa and MappedSystemVa look.
        for flags in [0, LOCKED, !MDL_SYSTEM_VA_FLAGS] {
            let unbuilt = RawMdl {
                flags,
                start_va: 0xffff_8880_0123_4000,
                ..raw
            };
            assert_eq!(unbuilt.system_view(0x1000), Err(Unresolvable::NotMapped));
        }
        // The system address must sit at ByteOffset in its page.
        let skewed = RawMdl {
            mapped_system_va: 0xffff_8880_0123_4020,
            ..raw
        };
        assert_eq!(
            skewed.system_view(0x1000),
            Err(Unresolvable::OffsetMismatch)
        );
        let past_page = RawMdl {
            byte_offset: 0x1010,
            ..raw
        };
        assert_eq!(
            past_page.system_view(0x1000),
            Err(Unresolvable::OffsetMismatch)
        );
        // Transfers then run on the system address.
        let v = raw.system_view(0x1000).unwrap();
        assert_eq!(
            transfer_range(&v, 4, 8, 0x2000).map(|r| r.start),
            Ok(0xffff_8880_0123_4014)
        );
    }

    #[test]
    fn transfer_range_ok_and_errors() {
        assert_eq!(
            transfer_range(&MDL, 4, 8, 0x2000),
            Ok(VaRange {
                start: 0x10_0014,
                len: 8
            })
        );
        // Whole buffer.
        assert!(transfer_range(&MDL, 0, 0x2000, 0x2000).is_ok());
        assert_eq!(transfer_range(&MDL, 0, 0, 100), Err(Error::InvalidLength));
        assert_eq!(transfer_range(&MDL, 0, 101, 100), Err(Error::InvalidLength));
        assert_eq!(
            transfer_range(&MDL, u32::MAX, 2, u32::MAX),
            Err(Error::InvalidParameter)
        );
        assert_eq!(
            transfer_range(&MDL, 0x1fff, 2, 100),
            Err(Error::InvalidParameter)
        );
        let high = MdlView {
            start_va: usize::MAX - 0x10,
            byte_offset: 0x10,
            byte_count: 0x100,
        };
        assert_eq!(
            transfer_range(&high, 1, 1, 100),
            Err(Error::InvalidParameter)
        );
        // Starts at the last byte but the end wraps.
        assert_eq!(
            transfer_range(&high, 0, 2, 100),
            Err(Error::InvalidParameter)
        );
    }

    #[test]
    fn page_chunks_split_at_boundaries() {
        let r = VaRange {
            start: 0x1ff0,
            len: 0x1020,
        };
        let c: Vec<_> = page_chunks(r, 0x1000).collect();
        assert_eq!(
            c,
            [
                PageChunk {
                    va: 0x1ff0,
                    offset_in_page: 0xff0,
                    len: 0x10
                },
                PageChunk {
                    va: 0x2000,
                    offset_in_page: 0,
                    len: 0x1000
                },
                PageChunk {
                    va: 0x3000,
                    offset_in_page: 0,
                    len: 0x10
                },
            ]
        );
        assert_eq!(page_chunks(VaRange { start: 5, len: 0 }, 4096).count(), 0);
        let whole: Vec<_> = page_chunks(r, 0).collect();
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0].len, r.len);
    }

    #[test]
    fn map_registers() {
        assert_eq!(map_register_count(0), 0);
        assert_eq!(map_register_count(1), 1);
        assert_eq!(map_register_count(2), 2);
        assert_eq!(map_register_count(4096), 2);
        assert_eq!(map_register_count(4097), 2);
        assert_eq!(map_register_count(4098), 3);
        assert_eq!(map_register_count(u32::MAX), 0x10_0001);
    }

    #[test]
    fn cache_line_split_cases() {
        let r = |start, len| VaRange { start, len };
        assert_eq!(
            cache_line_split(r(60, 200), 64),
            (Some(r(60, 4)), Some(r(64, 192)), Some(r(256, 4)))
        );
        assert_eq!(
            cache_line_split(r(64, 128), 64),
            (None, Some(r(64, 128)), None)
        );
        assert_eq!(
            cache_line_split(r(70, 10), 64),
            (Some(r(70, 10)), None, None)
        );
        assert_eq!(
            cache_line_split(r(64, 10), 64),
            (None, None, Some(r(64, 10)))
        );
        assert_eq!(
            cache_line_split(r(60, 10), 64),
            (Some(r(60, 4)), None, Some(r(64, 6)))
        );
        assert_eq!(cache_line_split(r(60, 0), 64), (None, None, None));
        assert_eq!(cache_line_split(r(3, 5), 0), (None, Some(r(3, 5)), None));
    }
}
