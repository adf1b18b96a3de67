//! NET_BUFFER_LIST / NET_BUFFER pool arithmetic through the public API.

use ndis_core::nbl::{
    advance_frees, align_up, allocated_data_offset, data_buffer, locate, nb_pool_params,
    nbl_layout, nbl_pool_params, retreat, AdvanceFrees, DataBuffer, NblPoolParams, ObjectSizes,
    Retreat, RetreatRecord, ALIGNMENT, MAX_RETREAT_MDLS,
};
use ndis_core::status::Error;

/// x64 sizes of the 6.30 view (ndis.h's layout checks pin them).
const SIZES: ObjectSizes = ObjectSizes {
    nbl: 0x150,
    context_header: 0x10,
    nb: 0xb0,
    mdl: 0x30,
};
const DEFAULT: u8 = 0x80;

fn pool(context_size: u16, allocate_nb: bool, data_size: u32) -> NblPoolParams {
    NblPoolParams {
        context_size,
        allocate_nb,
        data_size,
    }
}

#[test]
fn pool_parameters_as_the_page_states_them() {
    let hdr = (DEFAULT, 1, 16);
    assert_eq!(
        nbl_pool_params(hdr, 32, true, 2048),
        Ok(pool(32, true, 2048))
    );
    assert_eq!(nbl_pool_params(hdr, 0, false, 0), Ok(pool(0, false, 0)));
    // DataSize needs fAllocateNetBuffer.
    assert_eq!(
        nbl_pool_params(hdr, 0, false, 64),
        Err(Error::InvalidParameter)
    );
    // ContextSize a multiple of MEMORY_ALLOCATION_ALIGNMENT.
    assert_eq!(
        nbl_pool_params(hdr, 8, true, 0),
        Err(Error::InvalidParameter)
    );
    // Header: type, revision, size.
    assert_eq!(
        nbl_pool_params((0x81, 1, 16), 0, true, 0),
        Err(Error::InvalidParameter)
    );
    assert_eq!(
        nbl_pool_params((DEFAULT, 0, 16), 0, true, 0),
        Err(Error::InvalidParameter)
    );
    assert_eq!(
        nbl_pool_params((DEFAULT, 1, 15), 0, true, 0),
        Err(Error::InvalidParameter)
    );
    assert_eq!(
        nbl_pool_params((DEFAULT, 2, 20), 0, true, 0),
        Ok(pool(0, true, 0))
    );
    assert_eq!(nb_pool_params((DEFAULT, 1, 12), 100), Ok(100));
    assert_eq!(
        nb_pool_params((DEFAULT, 1, 11), 100),
        Err(Error::InvalidParameter)
    );
    assert_eq!(
        nb_pool_params((0x83, 1, 12), 0),
        Err(Error::InvalidParameter)
    );
}

#[test]
fn layout_parts_are_aligned_and_disjoint() {
    for &(p, cs, bf) in &[
        (pool(0, false, 0), 0u16, 0u16),
        (pool(32, true, 0), 16, 0),
        (pool(16, true, 1514), 0, 48),
        (pool(0, true, 1), 64, 64),
    ] {
        let l = nbl_layout(SIZES, p, cs, bf).unwrap();
        assert_eq!(l.context % ALIGNMENT, 0);
        assert!(l.context >= SIZES.nbl);
        let ctx_end = l.context + SIZES.context_header + usize::from(l.context_size);
        // ContextData is MEMORY_ALLOCATION_ALIGNMENT aligned and holds the
        // pool's context and the call's context + backfill.
        assert_eq!((l.context + SIZES.context_header) % ALIGNMENT, 0);
        assert!(l.context_size >= p.context_size);
        assert!(l.context_size >= cs + bf);
        assert_eq!(l.context_size - l.context_offset, cs);
        assert!(l.context_offset >= bf);
        let mut end = ctx_end;
        assert_eq!(l.nb.is_some(), p.allocate_nb);
        if let Some(nb) = l.nb {
            assert_eq!(nb % ALIGNMENT, 0);
            assert!(nb >= end);
            end = nb + SIZES.nb;
        }
        assert_eq!(l.mdl_and_data.is_some(), p.data_size != 0);
        if let Some((mdl, data)) = l.mdl_and_data {
            assert_eq!(mdl % ALIGNMENT, 0);
            assert_eq!(data % ALIGNMENT, 0);
            assert!(mdl >= end && data >= mdl + SIZES.mdl);
            end = data + p.data_size as usize;
        }
        assert!(l.total >= end);
        assert_eq!(l.total % ALIGNMENT, 0);
    }
}

#[test]
fn layout_refuses_unaligned_context_sizes() {
    let p = pool(0, true, 0);
    assert_eq!(nbl_layout(SIZES, p, 8, 0), Err(Error::InvalidParameter));
    assert_eq!(nbl_layout(SIZES, p, 0, 24), Err(Error::InvalidParameter));
    // Context data beyond a USHORT (the header's Size) does not fit.
    assert_eq!(
        nbl_layout(SIZES, p, 0xfff0, 0x20),
        Err(Error::InvalidParameter)
    );
}

#[test]
fn locate_finds_the_current_mdl() {
    let chain = [100u32, 50, 200];
    assert_eq!(locate(chain, 0), Some((0, 0)));
    assert_eq!(locate(chain, 99), Some((0, 99)));
    assert_eq!(locate(chain, 100), Some((1, 0)));
    assert_eq!(locate(chain, 149), Some((1, 49)));
    assert_eq!(locate(chain, 150), Some((2, 0)));
    assert_eq!(locate(chain, 349), Some((2, 199)));
    // At the end: the last MDL, past its data.
    assert_eq!(locate(chain, 350), Some((2, 200)));
    // Empty MDLs are passed over.
    assert_eq!(locate([0u32, 0, 10], 0), Some((2, 0)));
    assert_eq!(locate([] as [u32; 0], 0), None);
}

#[test]
fn retreat_uses_unused_space_first() {
    assert_eq!(
        retreat(64, 100, 14, 0),
        Some(Retreat::InPlace { data_offset: 50 })
    );
    assert_eq!(
        retreat(14, 100, 14, 0),
        Some(Retreat::InPlace { data_offset: 0 })
    );
    // 10 bytes short: a new MDL of 10 + backfill, data at the backfill.
    assert_eq!(
        retreat(4, 100, 14, 32),
        Some(Retreat::Allocate {
            size: 42,
            data_offset: 32
        })
    );
    assert_eq!(
        retreat(0, 0, 64, 0),
        Some(Retreat::Allocate {
            size: 64,
            data_offset: 0
        })
    );
    assert_eq!(retreat(0, u32::MAX, 1, 0), None);
    assert_eq!(retreat(0, 0, u32::MAX, 1), None);
}

/// The data bytes stay in order through a retreat that allocates: the old
/// chain's unused prefix becomes data, nothing lies in between.
#[test]
fn retreat_then_locate_is_gapless() {
    let (old_offset, len, delta, backfill) = (6u32, 40u32, 20u32, 16u32);
    let Some(Retreat::Allocate { size, data_offset }) = retreat(old_offset, len, delta, backfill)
    else {
        panic!("must allocate");
    };
    // Chain now: new MDL (size) + old MDL (old_offset + len).
    let chain = [size, old_offset + len];
    let total: u32 = chain.iter().sum();
    assert_eq!(total - data_offset, len + delta);
    assert_eq!(locate(chain, data_offset), Some((0, backfill)));
}

fn frees(count: usize, bytes: u32, blocked: bool) -> AdvanceFrees {
    AdvanceFrees {
        count,
        bytes,
        blocked,
    }
}

fn shims(count: usize) -> RetreatRecord {
    RetreatRecord { count, driver: 0 }
}

#[test]
fn advance_frees_only_allocated_mdls_wholly_passed() {
    // Two retreat MDLs (30, 20) in front of the caller's 100-byte MDL.
    let chain = [30u32, 20, 100];
    assert_eq!(
        advance_frees(chain, shims(2), false, 29),
        frees(0, 0, false)
    );
    assert_eq!(
        advance_frees(chain, shims(2), false, 30),
        frees(1, 30, false)
    );
    assert_eq!(
        advance_frees(chain, shims(2), false, 49),
        frees(1, 30, false)
    );
    assert_eq!(
        advance_frees(chain, shims(2), false, 50),
        frees(2, 50, false)
    );
    // The caller's MDL is never freed, however far the data moves.
    assert_eq!(
        advance_frees(chain, shims(2), false, 150),
        frees(2, 50, false)
    );
    assert_eq!(
        advance_frees(chain, shims(0), false, 150),
        frees(0, 0, false)
    );
}

#[test]
fn advance_stops_at_a_miniports_mdl_without_free_handler() {
    let chain = [30u32, 20, 100];
    // The second is the miniport's (bit 1).
    let rec = RetreatRecord {
        count: 2,
        driver: 0b10,
    };
    assert_eq!(advance_frees(chain, rec, false, 60), frees(1, 30, true));
    assert_eq!(advance_frees(chain, rec, true, 60), frees(2, 50, false));
    // Not yet wholly passed: not blocked, just not due.
    assert_eq!(advance_frees(chain, rec, false, 40), frees(1, 30, false));
    let first = RetreatRecord {
        count: 2,
        driver: 0b01,
    };
    assert_eq!(advance_frees(chain, first, false, 60), frees(0, 0, true));
}

#[test]
fn retreat_record_packs_pushes_and_pops() {
    let r = RetreatRecord::default()
        .push(false)
        .and_then(|r| r.push(true))
        .unwrap();
    // The newest is the head: bit 0.
    assert_eq!(
        r,
        RetreatRecord {
            count: 2,
            driver: 0b01
        }
    );
    assert!(r.by_driver(0) && !r.by_driver(1) && !r.by_driver(2));
    assert_eq!(RetreatRecord::unpack(r.pack()), r);
    assert_eq!(
        r.pop(1),
        RetreatRecord {
            count: 1,
            driver: 0
        }
    );
    assert_eq!(r.pop(5), RetreatRecord::default());
    let mut full = RetreatRecord::default();
    for i in 0..MAX_RETREAT_MDLS {
        full = full.push(i % 2 == 0).unwrap();
    }
    assert_eq!(full.push(false), None);
    assert_eq!(RetreatRecord::unpack(full.pack()), full);
    assert_eq!(full.pop(MAX_RETREAT_MDLS), RetreatRecord::default());
    // A word the shim did not write (count past the limit) is no record.
    assert_eq!(RetreatRecord::unpack(u64::MAX), RetreatRecord::default());
    assert_eq!(RetreatRecord::unpack(0), RetreatRecord::default());
}

#[test]
fn allocated_mdl_size_moves_the_backfill() {
    // Planned: 11 bytes, data 8 in (3 bytes of shortfall).
    assert_eq!(allocated_data_offset(11, 11, 8), Some(8));
    assert_eq!(allocated_data_offset(20, 11, 8), Some(17));
    // Fewer bytes than asked: less backfill, down to none.
    assert_eq!(allocated_data_offset(5, 11, 8), Some(2));
    assert_eq!(allocated_data_offset(3, 11, 8), Some(0));
    assert_eq!(allocated_data_offset(2, 11, 8), None);
}

#[test]
fn data_buffer_direct_copy_or_null() {
    let va = 0x1000usize;
    assert_eq!(
        data_buffer(100, 100, va, 14, 1, 0, false),
        DataBuffer::Direct
    );
    assert_eq!(data_buffer(100, 10, va, 14, 1, 0, false), DataBuffer::None);
    assert_eq!(data_buffer(100, 10, va, 14, 1, 0, true), DataBuffer::Copy);
    // More than the data: NULL even with Storage.
    assert_eq!(data_buffer(10, 10, va, 14, 1, 0, true), DataBuffer::None);
    // Alignment: 4 * n + 2.
    assert_eq!(
        data_buffer(100, 100, va + 2, 14, 4, 2, false),
        DataBuffer::Direct
    );
    assert_eq!(
        data_buffer(100, 100, va + 1, 14, 4, 2, false),
        DataBuffer::None
    );
    assert_eq!(
        data_buffer(100, 100, va + 1, 14, 4, 2, true),
        DataBuffer::Copy
    );
    assert_eq!(
        data_buffer(100, 100, va, 0, 1, 0, false),
        DataBuffer::Direct
    );
}

#[test]
fn align_up_rounds_and_overflows() {
    assert_eq!(align_up(0, 16), Some(0));
    assert_eq!(align_up(1, 16), Some(16));
    assert_eq!(align_up(16, 16), Some(16));
    assert_eq!(align_up(usize::MAX, 16), None);
}
