//! Fixed-capacity generational handle table.
//!
//! Handles given to C code (`NDIS_HANDLE`) are opaque numbers, never pointers:
//! a miniport can pass back anything, so every lookup validates the value and
//! a forged, stale or mistyped handle simply finds nothing.
//!
//! # Handle encoding
//!
//! ```text
//!  63      56 55                32 31                 0
//! +----------+--------------------+--------------------+
//! | kind tag |  generation (24)   |   slot index (32)  |
//! +----------+--------------------+--------------------+
//! ```
//!
//! The kind tag is never zero, so no handle is 0 (C's "no handle"). Tags
//! are small (1..=9), so a kernel pointer passed by mistake (top byte 0xff)
//! never decodes as a handle.
//!
//! # Generation bound
//!
//! A slot's generation is incremented (modulo 2^24) each time its value is
//! removed. A handle issued for a slot therefore stays invalid for the next
//! 2^24 - 1 reuses of that slot; only after exactly a multiple of 2^24 removals
//! of the same slot could a stale handle match a new occupant again.

use crate::status::{Error, Result};

/// Number of generation bits in a handle.
const GEN_BITS: u32 = 24;
/// Mask of the generation counter.
const GEN_MASK: u32 = (1 << GEN_BITS) - 1;
/// Bit position of the generation field.
const GEN_SHIFT: u32 = 32;
/// Bit position of the kind tag.
const KIND_SHIFT: u32 = 56;

/// What a handle refers to; encoded in the handle so that a handle of one kind
/// is never accepted where another kind is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HandleKind {
    /// A registered miniport driver (`NdisMRegisterMiniportDriver`).
    Driver,
    /// A miniport adapter (`MiniportAdapterHandle`).
    Adapter,
    /// A system-DMA channel (`MiniportDmaHandle`).
    DmaChannel,
    /// A registered interrupt.
    Interrupt,
    /// An MDL allocated by the shim.
    Mdl,
    /// A scatter-gather DMA registration (`NdisMRegisterScatterGatherDma`).
    SgDma,
    /// A NET_BUFFER_LIST pool (`NdisAllocateNetBufferListPool`).
    NblPool,
    /// A NET_BUFFER pool (`NdisAllocateNetBufferPool`).
    NbPool,
    /// An I/O work item (`NdisAllocateIoWorkItem`).
    IoWorkItem,
    /// An open configuration, the registry key of Windows
    /// (`NdisOpenConfigurationEx`).
    Configuration,
    /// A timer object (`NdisAllocateTimerObject`).
    Timer,
    /// An NDIS 5 packet pool (`NdisAllocatePacketPool`).
    PacketPool,
}

impl HandleKind {
    /// The non-zero tag stored in the top byte of a handle.
    const fn tag(self) -> u8 {
        match self {
            Self::Driver => 1,
            Self::Adapter => 2,
            Self::DmaChannel => 3,
            Self::Interrupt => 4,
            Self::Mdl => 5,
            Self::SgDma => 6,
            Self::NblPool => 7,
            Self::NbPool => 8,
            Self::IoWorkItem => 9,
            Self::Configuration => 10,
            Self::Timer => 11,
            Self::PacketPool => 12,
        }
    }

    /// How many kinds there are.
    pub const COUNT: usize = 12;

    /// A dense index, `0..COUNT`.
    pub const fn index(self) -> usize {
        self.tag() as usize - 1
    }

    /// Decodes a tag; `None` for anything not produced by [`Self::tag`].
    const fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            1 => Some(Self::Driver),
            2 => Some(Self::Adapter),
            3 => Some(Self::DmaChannel),
            4 => Some(Self::Interrupt),
            5 => Some(Self::Mdl),
            6 => Some(Self::SgDma),
            7 => Some(Self::NblPool),
            8 => Some(Self::NbPool),
            9 => Some(Self::IoWorkItem),
            10 => Some(Self::Configuration),
            11 => Some(Self::Timer),
            12 => Some(Self::PacketPool),
            _ => None,
        }
    }
}

/// An opaque handle value as exchanged with C.
///
/// # Invariants
///
/// A `Handle` obtained from [`HandleTable::insert`] is never 0 and its top
/// byte is a valid kind tag. A `Handle` built with [`Handle::from_raw`] may
/// hold any value; it is only trusted after a table lookup succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Handle(u64);

impl Handle {
    /// Wraps a raw value received from C; validation happens at lookup.
    pub const fn from_raw(raw: u64) -> Self {
        Self(raw)
    }

    /// The raw value to hand to C.
    pub const fn into_raw(self) -> u64 {
        self.0
    }

    /// The slot index encoded in the handle (not validated).
    pub const fn slot(self) -> usize {
        self.0 as u32 as usize
    }

    /// The kind encoded in the handle, if the tag is valid.
    pub const fn kind(self) -> Option<HandleKind> {
        HandleKind::from_tag((self.0 >> KIND_SHIFT) as u8)
    }

    fn encode(kind: HandleKind, generation: u32, index: u32) -> Self {
        Self(
            (u64::from(kind.tag()) << KIND_SHIFT)
                | (u64::from(generation & GEN_MASK) << GEN_SHIFT)
                | u64::from(index),
        )
    }

    /// Splits into (kind tag, generation, index) without validating.
    fn decode(self) -> (u8, u32, u32) {
        (
            (self.0 >> KIND_SHIFT) as u8,
            ((self.0 >> GEN_SHIFT) as u32) & GEN_MASK,
            self.0 as u32,
        )
    }
}

/// One table slot.
struct Slot<T> {
    /// Generation of the current or next occupant; only the low 24 bits are used.
    generation: u32,
    /// The occupant and the kind it was inserted as.
    value: Option<(HandleKind, T)>,
}

/// A fixed-capacity table mapping [`Handle`]s to values of type `T`.
///
/// No allocation: all `N` slots live inside the table.
///
/// # Invariants
///
/// `len` equals the number of occupied slots, and every slot's `generation`
/// is at most `GEN_MASK`. `N` fits in a `u32` (checked at compile time).
pub struct HandleTable<T, const N: usize> {
    slots: [Slot<T>; N],
    len: usize,
}

impl<T, const N: usize> HandleTable<T, N> {
    /// An empty table.
    pub const fn new() -> Self {
        // The slot index is encoded in 32 bits.
        const { assert!(N <= u32::MAX as usize) };
        Self {
            slots: [const {
                Slot {
                    generation: 0,
                    value: None,
                }
            }; N],
            len: 0,
        }
    }

    /// The fixed capacity `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Number of live entries.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the table holds no entries.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Stores `value` and returns its handle; [`Error::Resources`] when full.
    pub fn insert(&mut self, kind: HandleKind, value: T) -> Result<Handle> {
        let (index, slot) = self
            .slots
            .iter_mut()
            .enumerate()
            .find(|(_, s)| s.value.is_none())
            .ok_or(Error::Resources)?;
        slot.value = Some((kind, value));
        self.len += 1;
        // `index < N <= u32::MAX`, checked in `new`.
        Ok(Handle::encode(kind, slot.generation, index as u32))
    }

    /// Index of the slot `handle` designates if it is live and of `kind`.
    fn find(&self, kind: HandleKind, handle: Handle) -> Option<usize> {
        let (tag, generation, index) = handle.decode();
        if tag != kind.tag() {
            return None;
        }
        let index = usize::try_from(index).ok()?;
        let slot = self.slots.get(index)?;
        match &slot.value {
            Some((k, _)) if *k == kind && slot.generation == generation => Some(index),
            _ => None,
        }
    }

    /// The value for `handle`, if it is live and of `kind`.
    pub fn get(&self, kind: HandleKind, handle: Handle) -> Option<&T> {
        let i = self.find(kind, handle)?;
        self.slots[i].value.as_ref().map(|(_, v)| v)
    }

    /// Mutable access to the value for `handle`, if it is live and of `kind`.
    pub fn get_mut(&mut self, kind: HandleKind, handle: Handle) -> Option<&mut T> {
        let i = self.find(kind, handle)?;
        self.slots[i].value.as_mut().map(|(_, v)| v)
    }

    /// Removes and returns the value for `handle`; the handle (and every copy
    /// of it) is invalid afterwards.
    pub fn remove(&mut self, kind: HandleKind, handle: Handle) -> Option<T> {
        let i = self.find(kind, handle)?;
        let slot = &mut self.slots[i];
        let (_, v) = slot.value.take()?;
        // Bumping on remove (not insert) makes every outstanding copy stale now.
        slot.generation = (slot.generation + 1) & GEN_MASK;
        self.len -= 1;
        Some(v)
    }

    /// Removes and returns the first value of `kind` that `pred` selects
    /// (for tearing down what an owner left behind, one at a time).
    pub fn remove_first(&mut self, kind: HandleKind, pred: impl Fn(&T) -> bool) -> Option<T> {
        let handle = self
            .iter()
            .find(|(h, v)| h.kind() == Some(kind) && pred(v))
            .map(|(h, _)| h)?;
        self.remove(kind, handle)
    }

    /// Iterates over live entries with their handles.
    pub fn iter(&self) -> impl Iterator<Item = (Handle, &T)> + '_ {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            s.value
                .as_ref()
                .map(|(k, v)| (Handle::encode(*k, s.generation, i as u32), v))
        })
    }
}

impl<T, const N: usize> Default for HandleTable<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_get_remove() {
        let mut t: HandleTable<u32, 4> = HandleTable::new();
        let h = t.insert(HandleKind::Adapter, 7).unwrap();
        assert_ne!(h.into_raw(), 0);
        assert_eq!(h.kind(), Some(HandleKind::Adapter));
        assert_eq!(t.get(HandleKind::Adapter, h), Some(&7));
        *t.get_mut(HandleKind::Adapter, h).unwrap() = 8;
        assert_eq!(t.len(), 1);
        assert_eq!(t.remove(HandleKind::Adapter, h), Some(8));
        assert_eq!(t.get(HandleKind::Adapter, h), None);
        assert_eq!(t.remove(HandleKind::Adapter, h), None);
        assert!(t.is_empty());
    }

    #[test]
    fn wrong_kind_zero_and_pointer_like() {
        let mut t: HandleTable<u32, 2> = HandleTable::new();
        let h = t.insert(HandleKind::DmaChannel, 1).unwrap();
        assert_eq!(t.get(HandleKind::Adapter, h), None);
        assert_eq!(t.get(HandleKind::DmaChannel, Handle::from_raw(0)), None);
        assert_eq!(
            t.get(
                HandleKind::DmaChannel,
                Handle::from_raw(0xffff_8880_0000_0000)
            ),
            None
        );
        // Same slot and generation, other tag: still rejected.
        let forged = Handle::from_raw((h.into_raw() & !(0xff << KIND_SHIFT)) | (2 << KIND_SHIFT));
        assert_eq!(t.get(HandleKind::Adapter, forged), None);
    }

    #[test]
    fn generation_wraps_after_2_pow_24() {
        let mut t: HandleTable<u8, 1> = HandleTable::new();
        let first = t.insert(HandleKind::Mdl, 0).unwrap();
        t.remove(HandleKind::Mdl, first).unwrap();
        // Fast-forward the slot's generation instead of looping 2^24 times.
        t.slots[0].generation = GEN_MASK;
        let last = t.insert(HandleKind::Mdl, 1).unwrap();
        assert_eq!(last.decode().1, GEN_MASK);
        t.remove(HandleKind::Mdl, last).unwrap();
        assert_eq!(t.slots[0].generation, 0);
        let again = t.insert(HandleKind::Mdl, 2).unwrap();
        // Exactly 2^24 removals later the first handle value recurs: the
        // documented bound.
        assert_eq!(again, first);
        assert_ne!(again, last);
    }

    /// `new` is usable in const context (e.g. for a `static` table).
    const _CONST_TABLE: HandleTable<u8, 3> = HandleTable::new();

    #[test]
    fn full_table_is_resources() {
        let mut t: HandleTable<u8, 2> = HandleTable::new();
        t.insert(HandleKind::Driver, 0).unwrap();
        t.insert(HandleKind::Driver, 1).unwrap();
        assert_eq!(t.insert(HandleKind::Driver, 2), Err(Error::Resources));
        assert_eq!(t.iter().count(), 2);
    }
}
