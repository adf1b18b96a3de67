//! Shared memory bookkeeping: which allocation an `NdisMFreeSharedMemory`
//! names.
//!
//! Windows requires the free to repeat the allocation's parameters exactly
//! (`Length`, `Cached`, `VirtualAddress`, `PhysicalAddress`). A free that
//! names no allocation of the adapter, or names one with another length,
//! device address or cache flag, is rejected: guessing which block was meant
//! would free memory the device may still be using.

/// One shared-memory allocation as the miniport knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedBlock {
    /// `VirtualAddress`: the CPU address.
    pub va: usize,
    /// `PhysicalAddress`: the device (bus) address, not a physical one.
    pub dma: u64,
    /// `Length` in bytes.
    pub len: u32,
    /// `Cached`, as given at allocation.
    pub cached: bool,
}

/// Why a free matches no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreeMismatch {
    /// No allocation of the adapter starts at `VirtualAddress` (never
    /// allocated, already freed, or not its start).
    UnknownAddress,
    /// The allocation at `VirtualAddress` has another `Length`.
    WrongLength,
    /// The allocation at `VirtualAddress` has another device address.
    WrongDeviceAddress,
    /// The allocation at `VirtualAddress` was made with the other `Cached`.
    WrongCached,
}

impl FreeMismatch {
    /// The reason as logged with the rejected call.
    pub const fn why(self) -> &'static str {
        match self {
            Self::UnknownAddress => {
                "VirtualAddress is not a live shared-memory allocation of this adapter"
            }
            Self::WrongLength => "Length differs from the allocation's",
            Self::WrongDeviceAddress => "PhysicalAddress differs from the allocation's",
            Self::WrongCached => "Cached differs from the allocation's",
        }
    }
}

/// Index in `live` of the allocation `req` frees, or why none matches.
///
/// `live` holds the adapter's allocations not yet freed (a block whose free
/// was accepted but is still being carried out is not in it, so a second
/// free of it is [`FreeMismatch::UnknownAddress`]).
pub fn find_free(
    live: impl IntoIterator<Item = SharedBlock>,
    req: &SharedBlock,
) -> Result<usize, FreeMismatch> {
    let (i, block) = live
        .into_iter()
        .enumerate()
        .find(|(_, b)| b.va == req.va)
        .ok_or(FreeMismatch::UnknownAddress)?;
    if block.len != req.len {
        Err(FreeMismatch::WrongLength)
    } else if block.dma != req.dma {
        Err(FreeMismatch::WrongDeviceAddress)
    } else if block.cached != req.cached {
        Err(FreeMismatch::WrongCached)
    } else {
        Ok(i)
    }
}

/// Whether an allocation of `len` bytes may be attempted: NDIS takes a
/// `ULONG`, and an empty allocation has no address to give back.
pub const fn valid_length(len: u32) -> bool {
    len != 0
}

/// Whether `[dma, dma + len)` lies within a device's reach `limit` (the
/// highest address it can drive).
pub const fn within_reach(dma: u64, len: u32, limit: u64) -> bool {
    if len == 0 {
        return false;
    }
    match dma.checked_add(len as u64 - 1) {
        Some(last) => last <= limit,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: SharedBlock = SharedBlock {
        va: 0xffff_8880_0100_0000,
        dma: 0x0010_0000,
        len: 4096,
        cached: false,
    };
    const B: SharedBlock = SharedBlock {
        va: 0xffff_8880_0200_0000,
        dma: 0x0020_0000,
        len: 256,
        cached: true,
    };

    #[test]
    fn exact_match_is_found() {
        assert_eq!(find_free([A, B], &B), Ok(1));
        assert_eq!(find_free([A, B], &A), Ok(0));
    }

    #[test]
    fn each_mismatch_is_named() {
        let live = [A, B];
        let other_va = SharedBlock { va: A.va + 64, ..A };
        assert_eq!(
            find_free(live, &other_va),
            Err(FreeMismatch::UnknownAddress)
        );
        let other_len = SharedBlock { len: 4095, ..A };
        assert_eq!(find_free(live, &other_len), Err(FreeMismatch::WrongLength));
        let other_dma = SharedBlock {
            dma: A.dma + 4096,
            ..A
        };
        assert_eq!(
            find_free(live, &other_dma),
            Err(FreeMismatch::WrongDeviceAddress)
        );
        let other_cached = SharedBlock { cached: true, ..A };
        assert_eq!(
            find_free(live, &other_cached),
            Err(FreeMismatch::WrongCached)
        );
        // Another block's device address with this block's VA: still this
        // block's VA decides, and the address is wrong.
        let crossed = SharedBlock { dma: B.dma, ..A };
        assert_eq!(
            find_free(live, &crossed),
            Err(FreeMismatch::WrongDeviceAddress)
        );
    }

    #[test]
    fn freed_block_is_unknown() {
        assert_eq!(find_free([B], &A), Err(FreeMismatch::UnknownAddress));
        assert_eq!(find_free([], &A), Err(FreeMismatch::UnknownAddress));
    }

    #[test]
    fn reasons_differ() {
        let all = [
            FreeMismatch::UnknownAddress,
            FreeMismatch::WrongLength,
            FreeMismatch::WrongDeviceAddress,
            FreeMismatch::WrongCached,
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.why(), b.why());
            }
        }
    }

    #[test]
    fn lengths_and_reach() {
        assert!(!valid_length(0));
        assert!(valid_length(1));
        assert!(valid_length(u32::MAX));
        let mask28 = (1u64 << 28) - 1;
        assert!(within_reach(0, 1, mask28));
        assert!(within_reach(mask28, 1, mask28));
        assert!(!within_reach(mask28, 2, mask28));
        assert!(within_reach(mask28 - 4095, 4096, mask28));
        assert!(!within_reach(u64::MAX, 2, u64::MAX));
        assert!(!within_reach(0, 0, u64::MAX));
    }
}
