//! NDIS 5 packet-pool arithmetic, kernel-independent.
//!
//! What `NdisAllocatePacketPool(Ex)` decides before it allocates (how many
//! descriptors, how one descriptor block is laid out: the `NDIS_PACKET`
//! with its `ProtocolReserved` bytes, then its `NDIS_PACKET_OOB_DATA`,
//! then its `NDIS_PACKET_EXTENSION`, as the WDK's pool lays them out so
//! that `NDIS_OOB_DATA_FROM_PACKET` and `NDIS_PER_PACKET_INFO_FROM_PACKET`
//! work), which descriptor a pointer names, the free-descriptor bitmap,
//! and how `NdisCopyFromPacketToPacket` walks two buffer chains.

use crate::status::{Error, Result};

/// The most descriptors a pool holds (NdisAllocatePacketPoolEx page:
/// "The maximum NumberOfDescriptors that can be allocated is 0xFFFF").
pub const MAX_DESCRIPTORS: u32 = 0xFFFF;

/// Every descriptor block starts on this (`MEMORY_ALLOCATION_ALIGNMENT`).
pub const ALIGNMENT: usize = 16;

/// The C sizes a layout is made of (from the generated types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketSizes {
    /// `FIELD_OFFSET(NDIS_PACKET, ProtocolReserved)`.
    pub protocol_reserved_at: usize,
    /// `sizeof(NDIS_PACKET)` (one `ProtocolReserved` byte, padded).
    pub packet: usize,
    /// `sizeof(NDIS_PACKET_OOB_DATA)`.
    pub oob: usize,
    /// `sizeof(NDIS_PACKET_EXTENSION)`.
    pub extension: usize,
}

/// How a pool's descriptors are laid out in its one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketLayout {
    /// Descriptors in the pool.
    pub count: u32,
    /// `NdisPacketOobOffset`: from the packet to its OOB data.
    pub oob_offset: u16,
    /// Bytes from one descriptor to the next.
    pub stride: usize,
    /// Bytes of the whole block.
    pub total: usize,
}

/// Rounds `x` up to a multiple of [`ALIGNMENT`], if it fits.
fn align(x: usize) -> Option<usize> {
    Some(x.checked_add(ALIGNMENT - 1)? & !(ALIGNMENT - 1))
}

/// The descriptors a pool gets: `NumberOfDescriptors` above 0xFFFF is
/// `NDIS_STATUS_RESOURCES` (NdisAllocatePacketPoolEx page), and the
/// overflow descriptors are reduced so the sum is at most 0xFFFF (same
/// page). The shim preallocates them all, normal and overflow alike: an
/// allocation at DISPATCH_LEVEL never has to allocate memory. Zero
/// descriptors is refused too (a pool that can never give a packet is a
/// caller's bug; the shim answers RESOURCES, the pool call's only
/// failure status).
pub fn descriptor_count(number: u32, overflow: u32) -> Result<u32> {
    if number == 0 || number > MAX_DESCRIPTORS {
        return Err(Error::Resources);
    }
    Ok(number + overflow.min(MAX_DESCRIPTORS - number))
}

/// Lays out `count` descriptors with `reserved` bytes of
/// `ProtocolReserved` each: the packet (its `ProtocolReserved` grown to
/// `reserved` bytes), aligned; the OOB data right after it, at
/// `NdisPacketOobOffset`; the extension right after the OOB data; each
/// block aligned. `NdisPacketOobOffset` is a USHORT: a reserved length
/// that puts it past 0xFFFF is `NDIS_STATUS_RESOURCES`.
pub fn packet_layout(count: u32, reserved: u32, sizes: PacketSizes) -> Result<PacketLayout> {
    let packet = sizes
        .protocol_reserved_at
        .checked_add(reserved as usize)
        .ok_or(Error::Resources)?
        .max(sizes.packet);
    let oob_offset = align(packet).ok_or(Error::Resources)?;
    let oob_offset16 = u16::try_from(oob_offset).map_err(|_| Error::Resources)?;
    let stride = oob_offset
        .checked_add(sizes.oob)
        .and_then(|x| x.checked_add(sizes.extension))
        .and_then(align)
        .ok_or(Error::Resources)?;
    let total = stride.checked_mul(count as usize).ok_or(Error::Resources)?;
    Ok(PacketLayout {
        count,
        oob_offset: oob_offset16,
        stride,
        total,
    })
}

impl PacketLayout {
    /// The byte offset of descriptor `index` in the block.
    pub fn offset_of(&self, index: u32) -> usize {
        self.stride * index as usize
    }

    /// The descriptor at byte offset `offset` of the block: `None` unless
    /// it is exactly the start of one.
    pub fn index_at(&self, offset: usize) -> Option<u32> {
        if offset >= self.total || !offset.is_multiple_of(self.stride) {
            return None;
        }
        u32::try_from(offset / self.stride).ok()
    }
}

/// Words of a bitmap of `count` bits.
pub fn bitmap_words(count: u32) -> usize {
    (count as usize).div_ceil(64)
}

/// Takes the first clear bit of `map` below `count` (sets it), searching
/// from word `hint` on and then from the start. `None` when all are set.
pub fn take_first_clear(map: &mut [u64], count: u32, hint: usize) -> Option<u32> {
    let words = bitmap_words(count).min(map.len());
    let start = if hint < words { hint } else { 0 };
    for w in (start..words).chain(0..start) {
        let free = !map[w];
        if free == 0 {
            continue;
        }
        let bit = free.trailing_zeros() as usize;
        let index = w * 64 + bit;
        if index >= count as usize {
            continue;
        }
        map[w] |= 1 << bit;
        return u32::try_from(index).ok();
    }
    None
}

/// Clears bit `index` of `map`: `false` (nothing changed) when it was
/// not set, i.e. the descriptor was not allocated.
pub fn clear(map: &mut [u64], index: u32) -> bool {
    let (w, bit) = (index as usize / 64, index % 64);
    match map.get_mut(w) {
        Some(word) if *word & (1 << bit) != 0 => {
            *word &= !(1 << bit);
            true
        }
        _ => false,
    }
}

/// Whether bit `index` of `map` is set (the descriptor is allocated).
pub fn is_set(map: &[u64], index: u32) -> bool {
    map.get(index as usize / 64)
        .is_some_and(|word| *word & (1 << (index % 64)) != 0)
}

/// A buffer chain as `NdisCopyFromPacketToPacket` walks it.
pub trait Chain {
    /// One buffer of the chain.
    type Buffer: Copy;
    /// The first buffer, if any.
    fn first(&self) -> Option<Self::Buffer>;
    /// The buffer after `b`, if any.
    fn next(&self, b: Self::Buffer) -> Option<Self::Buffer>;
    /// The bytes `b` describes.
    fn length(&self, b: Self::Buffer) -> u32;
}

/// The most buffers walked in one chain: a chain longer than this (or a
/// cycle) ends there.
pub const MAX_CHAIN: usize = 4096;

/// One contiguous piece of a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<D, S> {
    /// The destination buffer and the offset in it.
    pub dst: D,
    /// Offset in `dst`.
    pub dst_at: u32,
    /// The source buffer.
    pub src: S,
    /// Offset in `src`.
    pub src_at: u32,
    /// Bytes to copy.
    pub len: u32,
}

/// Where a chain stands: a buffer and the offset in it, and how many
/// buffers were walked.
struct Cursor<B> {
    buf: Option<B>,
    at: u32,
    steps: usize,
}

impl<B: Copy> Cursor<B> {
    /// The position `offset` bytes into `chain`, past every buffer it
    /// ends at (so a position is always inside a buffer, or past the
    /// chain's end).
    fn new<C: Chain<Buffer = B>>(chain: &C, offset: u32) -> Self {
        let mut c = Cursor {
            buf: chain.first(),
            at: offset,
            steps: 1,
        };
        c.settle(chain);
        c
    }

    /// Moves past buffers the position is at or beyond the end of.
    fn settle<C: Chain<Buffer = B>>(&mut self, chain: &C) {
        while let Some(b) = self.buf {
            let len = chain.length(b);
            if self.at < len {
                return;
            }
            self.at -= len;
            self.buf = if self.steps < MAX_CHAIN {
                self.steps += 1;
                chain.next(b)
            } else {
                None
            };
        }
    }

    fn left<C: Chain<Buffer = B>>(&self, chain: &C, b: B) -> u32 {
        chain.length(b) - self.at
    }
}

/// Plans `NdisCopyFromPacketToPacket`: up to `bytes` bytes from `src_off`
/// in `src` to `dst_off` in `dst`, buffer by buffer, each piece handed to
/// `f` in order until it returns `false`. The copy ends where either chain
/// ends. Returns the bytes of the pieces `f` accepted.
pub fn plan_copy<D: Chain, S: Chain>(
    dst: &D,
    dst_off: u32,
    src: &S,
    src_off: u32,
    bytes: u32,
    mut f: impl FnMut(Segment<D::Buffer, S::Buffer>) -> bool,
) -> u32 {
    let mut d = Cursor::new(dst, dst_off);
    let mut s = Cursor::new(src, src_off);
    let mut done = 0u32;
    while done < bytes {
        let (Some(db), Some(sb)) = (d.buf, s.buf) else {
            break;
        };
        let len = (bytes - done).min(d.left(dst, db)).min(s.left(src, sb));
        let seg = Segment {
            dst: db,
            dst_at: d.at,
            src: sb,
            src_at: s.at,
            len,
        };
        if !f(seg) {
            break;
        }
        done += len;
        d.at += len;
        s.at += len;
        d.settle(dst);
        s.settle(src);
    }
    done
}
