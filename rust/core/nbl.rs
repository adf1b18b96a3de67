//! NET_BUFFER_LIST / NET_BUFFER arithmetic, kernel-independent.
//!
//! What the pool calls decide before they touch memory: whether pool
//! parameters are acceptable, how one allocation block is laid out (the
//! NBL, its context area, the NET_BUFFER, MDL and data a pool gives with
//! it), where `DataOffset` falls in an MDL chain, what a retreat needs and
//! what an advance may free, and whether `NdisGetDataBuffer` can point into
//! the MDL or must copy.

use crate::abi;
use crate::status::{Error, Result};

/// `MEMORY_ALLOCATION_ALIGNMENT` on x64: context sizes are multiples of it
/// and every part of an allocation block starts on it.
pub const ALIGNMENT: usize = 16;

/// Rounds `x` up to a multiple of `align` (a power of two), if it fits.
pub fn align_up(x: usize, align: usize) -> Option<usize> {
    debug_assert!(align.is_power_of_two());
    Some(x.checked_add(align - 1)? & !(align - 1))
}

/// What a `NET_BUFFER_LIST_POOL_PARAMETERS` asks for, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NblPoolParams {
    /// `ContextSize`: context data every NBL of the pool comes with.
    pub context_size: u16,
    /// `fAllocateNetBuffer`: each NBL comes with one NET_BUFFER.
    pub allocate_nb: bool,
    /// `DataSize`: the NET_BUFFER comes with an MDL and this much data.
    pub data_size: u32,
}

/// Checks `NET_BUFFER_LIST_POOL_PARAMETERS` as its page states them:
/// `NDIS_OBJECT_TYPE_DEFAULT`, revision 1 or later at least revision 1's
/// size, `ContextSize` a multiple of `MEMORY_ALLOCATION_ALIGNMENT`, and a
/// `DataSize` only with `fAllocateNetBuffer`.
pub fn nbl_pool_params(
    header: (u8, u8, u16),
    context_size: u16,
    allocate_nb: bool,
    data_size: u32,
) -> Result<NblPoolParams> {
    let (ty, revision, size) = header;
    if u32::from(ty) != abi::NDIS_OBJECT_TYPE_DEFAULT
        || u32::from(revision) < abi::NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1
        || usize::from(size) < abi::NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 as usize
        || usize::from(context_size) % ALIGNMENT != 0
        || (data_size != 0 && !allocate_nb)
    {
        return Err(Error::InvalidParameter);
    }
    Ok(NblPoolParams {
        context_size,
        allocate_nb,
        data_size,
    })
}

/// Checks `NET_BUFFER_POOL_PARAMETERS`: type, revision and size as for
/// [`nbl_pool_params`]. Returns `DataSize`.
pub fn nb_pool_params(header: (u8, u8, u16), data_size: u32) -> Result<u32> {
    let (ty, revision, size) = header;
    if u32::from(ty) != abi::NDIS_OBJECT_TYPE_DEFAULT
        || u32::from(revision) < abi::NET_BUFFER_POOL_PARAMETERS_REVISION_1
        || usize::from(size) < abi::NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1 as usize
    {
        return Err(Error::InvalidParameter);
    }
    Ok(data_size)
}

/// The sizes of the C objects a block holds (`size_of` of the generated
/// types: the host tests pass x64 values).
#[derive(Debug, Clone, Copy)]
pub struct ObjectSizes {
    /// `NET_BUFFER_LIST`, with `NetBufferListInfo[]` at the 6.30 count.
    pub nbl: usize,
    /// `NET_BUFFER_LIST_CONTEXT` up to `ContextData`.
    pub context_header: usize,
    /// `NET_BUFFER`.
    pub nb: usize,
    /// `MDL` (no page list follows it in the shim).
    pub mdl: usize,
}

/// Where the parts of one NBL allocation lie, as byte offsets into a
/// block aligned to [`ALIGNMENT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NblLayout {
    /// The `NET_BUFFER_LIST_CONTEXT` header.
    pub context: usize,
    /// Its `Size`: the context data bytes.
    pub context_size: u16,
    /// Its `Offset`: where the used context data starts (backfill before).
    pub context_offset: u16,
    /// The NET_BUFFER, when the pool allocates one.
    pub nb: Option<usize>,
    /// The MDL and the data it describes, when the pool has a `DataSize`.
    pub mdl_and_data: Option<(usize, usize)>,
    /// The block's size.
    pub total: usize,
}

/// Lays out an NBL allocated from `pool` with `ContextSize` and
/// `ContextBackFill` (each a multiple of [`ALIGNMENT`], as the pages
/// require, or `InvalidParameter`). The context data holds at least the
/// pool's `ContextSize` and at least `context_size + backfill`; the used
/// part is its last `context_size` bytes, so the backfill before it is at
/// least `backfill`.
pub fn nbl_layout(
    sizes: ObjectSizes,
    pool: NblPoolParams,
    context_size: u16,
    backfill: u16,
) -> Result<NblLayout> {
    if usize::from(context_size) % ALIGNMENT != 0 || usize::from(backfill) % ALIGNMENT != 0 {
        return Err(Error::InvalidParameter);
    }
    let asked = u32::from(context_size) + u32::from(backfill);
    let data_bytes = asked.max(u32::from(pool.context_size));
    let data_bytes = u16::try_from(data_bytes).map_err(|_| Error::InvalidParameter)?;
    let overflow = || Error::Resources;
    let context = align_up(sizes.nbl, ALIGNMENT).ok_or_else(overflow)?;
    let mut end = align_up(context + sizes.context_header, ALIGNMENT).ok_or_else(overflow)?;
    end = align_up(end + usize::from(data_bytes), ALIGNMENT).ok_or_else(overflow)?;
    let nb = if pool.allocate_nb {
        let at = end;
        end = align_up(end + sizes.nb, ALIGNMENT).ok_or_else(overflow)?;
        Some(at)
    } else {
        None
    };
    let mdl_and_data = if pool.allocate_nb && pool.data_size != 0 {
        let mdl = end;
        let data = align_up(mdl + sizes.mdl, ALIGNMENT).ok_or_else(overflow)?;
        end = data
            .checked_add(pool.data_size as usize)
            .ok_or_else(overflow)?;
        Some((mdl, data))
    } else {
        None
    };
    Ok(NblLayout {
        context,
        context_size: data_bytes,
        context_offset: data_bytes - context_size,
        nb,
        mdl_and_data,
        total: align_up(end, ALIGNMENT).ok_or_else(overflow)?,
    })
}

/// Where `offset` bytes into a chain of MDLs of the given byte counts
/// falls: the index of the MDL holding that byte and the offset in it.
/// An offset at or past the chain's end stays in the last MDL (with the
/// offset past its data), which is where `CurrentMdl` points when no data
/// is left. `None` for an empty chain.
pub fn locate(lengths: impl IntoIterator<Item = u32>, offset: u32) -> Option<(usize, u32)> {
    let mut left = offset;
    let mut last = None;
    for (i, len) in lengths.into_iter().enumerate() {
        if left < len {
            return Some((i, left));
        }
        last = Some((i, left));
        left -= len;
    }
    last
}

/// What `NdisRetreatNetBufferDataStart` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retreat {
    /// There is enough unused data space: `DataOffset` moves back.
    InPlace {
        /// The new `DataOffset`.
        data_offset: u32,
    },
    /// Not enough: a new MDL of `size` bytes goes at the head of the
    /// chain. The data then starts `data_offset` bytes into it and runs on
    /// through the whole old chain, whose unused space is used first, so
    /// the bytes stay in order with no gap.
    Allocate {
        /// The new MDL's byte count: the shortfall plus the backfill.
        size: u32,
        /// The new `DataOffset`, the backfill.
        data_offset: u32,
    },
}

/// Plans a retreat by `delta` bytes of a NET_BUFFER whose data is
/// `data_length` bytes at `data_offset`, keeping `backfill` bytes of
/// unused space in front when memory must be allocated. `None` when the
/// result does not fit the 32-bit fields.
pub fn retreat(data_offset: u32, data_length: u32, delta: u32, backfill: u32) -> Option<Retreat> {
    data_length.checked_add(delta)?;
    if delta <= data_offset {
        return Some(Retreat::InPlace {
            data_offset: data_offset - delta,
        });
    }
    let shortfall = delta - data_offset;
    Some(Retreat::Allocate {
        size: shortfall.checked_add(backfill)?,
        data_offset: backfill,
    })
}

/// The most MDLs retreats may have put at the head of one NET_BUFFER's
/// chain at once: one bit each in [`RetreatRecord::pack`]'s word, whose
/// top byte holds the count.
pub const MAX_RETREAT_MDLS: usize = 56;

const MASK_BITS: u64 = (1 << MAX_RETREAT_MDLS) - 1;

/// What the shim records of the MDLs retreats put at the head of a
/// NET_BUFFER's chain (in its `NdisReserved`, with the head MDL beside it):
/// how many, and which of them the miniport's `NetAllocateMdl` made (bit
/// 0: the first, the chain's head).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RetreatRecord {
    /// The retreat MDLs at the chain's head.
    pub count: usize,
    /// Which of them are the miniport's.
    pub driver: u64,
}

impl RetreatRecord {
    /// One word: the count in the top byte, the mask below.
    pub fn pack(self) -> u64 {
        ((self.count as u64) << MAX_RETREAT_MDLS) | (self.driver & MASK_BITS)
    }

    /// The record [`pack`](Self::pack) made; a count past
    /// [`MAX_RETREAT_MDLS`] (no record of the shim's) is none.
    pub fn unpack(word: u64) -> Self {
        let count = (word >> MAX_RETREAT_MDLS) as usize;
        if count > MAX_RETREAT_MDLS {
            return Self::default();
        }
        Self {
            count,
            driver: word & MASK_BITS & ((1u64 << count) - 1),
        }
    }

    /// With one more MDL in front (`by_driver`: the miniport's); `None`
    /// when [`MAX_RETREAT_MDLS`] are there already.
    pub fn push(self, by_driver: bool) -> Option<Self> {
        (self.count < MAX_RETREAT_MDLS).then(|| Self {
            count: self.count + 1,
            driver: (self.driver << 1) | u64::from(by_driver),
        })
    }

    /// Without the first `n` (at most `count`).
    pub fn pop(self, n: usize) -> Self {
        let n = n.min(self.count);
        Self {
            count: self.count - n,
            driver: self.driver.checked_shr(n as u32).unwrap_or(0),
        }
    }

    /// Whether the `i`th MDL from the head is the miniport's.
    pub fn by_driver(self, i: usize) -> bool {
        i < self.count && self.driver & (1 << i) != 0
    }
}

/// What an advance with `FreeMdl` may unlink and free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdvanceFrees {
    /// How many of the chain's first MDLs.
    pub count: usize,
    /// The bytes they held (taken off `DataOffset`).
    pub bytes: u32,
    /// It stopped at a miniport's MDL it had no `FreeMdlHandler` for: that
    /// MDL and those after it stay linked.
    pub blocked: bool,
}

/// What an advance may unlink and free: those of the retreat MDLs of
/// `record` at the chain's head that now lie wholly before the data at
/// `data_offset`, stopping before a miniport's MDL when there is no
/// `FreeMdlHandler` (`driver_free`) to free it with: NDIS frees a
/// `NetAllocateMdl` MDL only with `NetFreeMdl` (`NET_BUFFER_ALLOCATE_MDL`
/// page), so unlinked it would be lost.
pub fn advance_frees(
    lengths: impl IntoIterator<Item = u32>,
    record: RetreatRecord,
    driver_free: bool,
    data_offset: u32,
) -> AdvanceFrees {
    let mut out = AdvanceFrees {
        count: 0,
        bytes: 0,
        blocked: false,
    };
    for (i, len) in lengths.into_iter().take(record.count).enumerate() {
        match out.bytes.checked_add(len) {
            Some(end) if end <= data_offset => {
                if record.by_driver(i) && !driver_free {
                    out.blocked = true;
                    break;
                }
                out.bytes = end;
                out.count += 1;
            }
            _ => break,
        }
    }
    out
}

/// Where the data starts in the `bytes`-byte MDL a retreat planned as
/// [`Retreat::Allocate`] `{ size, data_offset }` got: the shortfall
/// (`size - data_offset`) sits at the MDL's end, so a larger MDL gives
/// more backfill and a smaller one less. `None` when the shortfall does
/// not fit.
pub fn allocated_data_offset(bytes: u32, size: u32, data_offset: u32) -> Option<u32> {
    bytes.checked_sub(size.checked_sub(data_offset)?)
}

/// What `NdisGetDataBuffer` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataBuffer {
    /// A pointer into the current MDL's data.
    Direct,
    /// The bytes copied into the caller's `Storage`.
    Copy,
    /// NULL.
    None,
}

/// Decides `NdisGetDataBuffer` for `needed` bytes of a NET_BUFFER holding
/// `data_length`, of which `contiguous` lie in the current MDL from
/// `CurrentMdlOffset` at address `va`: a direct pointer when they are all
/// there and `va` is `align_offset` past a multiple of `align_multiple`
/// (1 or 0: no requirement), else a copy into `Storage` when there is one,
/// else NULL. More than the data holds is NULL (its page).
pub fn data_buffer(
    data_length: u32,
    contiguous: u32,
    va: usize,
    needed: u32,
    align_multiple: u32,
    align_offset: u32,
    storage: bool,
) -> DataBuffer {
    if needed > data_length {
        return DataBuffer::None;
    }
    let aligned = align_multiple <= 1
        || (align_multiple.is_power_of_two()
            && va % align_multiple as usize == align_offset as usize % align_multiple as usize);
    if needed <= contiguous && aligned {
        DataBuffer::Direct
    } else if storage {
        DataBuffer::Copy
    } else {
        DataBuffer::None
    }
}
