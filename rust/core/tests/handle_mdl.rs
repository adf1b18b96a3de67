//! Handle table and MDL arithmetic through the public API.

use ndis_core::handle::{Handle, HandleKind, HandleTable};
use ndis_core::mdl::{cache_line_split, page_chunks, transfer_range, MdlView, VaRange};
use ndis_core::status::Error;

#[test]
fn stale_handle_after_reuse() {
    let mut t: HandleTable<&str, 1> = HandleTable::new();
    let old = t.insert(HandleKind::DmaChannel, "a").unwrap();
    assert_eq!(t.remove(HandleKind::DmaChannel, old), Some("a"));
    let new = t.insert(HandleKind::DmaChannel, "b").unwrap();
    assert_ne!(old, new, "same slot, new generation");
    assert_eq!(t.get(HandleKind::DmaChannel, old), None);
    assert_eq!(t.remove(HandleKind::DmaChannel, old), None);
    assert_eq!(t.get(HandleKind::DmaChannel, new), Some(&"b"));
}

#[test]
fn remove_first_takes_one_match_at_a_time() {
    let mut t: HandleTable<u32, 4> = HandleTable::new();
    let a = t.insert(HandleKind::SgDma, 1).unwrap();
    t.insert(HandleKind::Interrupt, 2).unwrap();
    t.insert(HandleKind::SgDma, 3).unwrap();
    assert_eq!(t.remove_first(HandleKind::SgDma, |v| *v > 1), Some(3));
    assert_eq!(t.remove_first(HandleKind::SgDma, |v| *v > 1), None);
    assert_eq!(t.remove_first(HandleKind::Interrupt, |_| true), Some(2));
    assert_eq!(t.remove_first(HandleKind::SgDma, |_| true), Some(1));
    assert_eq!(t.get(HandleKind::SgDma, a), None);
}

#[test]
fn generations_distinct_over_many_reuses() {
    let mut t: HandleTable<u32, 1> = HandleTable::new();
    let mut seen = std::collections::HashSet::new();
    for i in 0..10_000 {
        let h = t.insert(HandleKind::Mdl, i).unwrap();
        assert!(seen.insert(h.into_raw()), "handle reused at {i}");
        assert_eq!(t.remove(HandleKind::Mdl, h), Some(i));
    }
}

#[test]
fn forged_wrong_kind_zero_out_of_range() {
    let mut t: HandleTable<u32, 4> = HandleTable::new();
    let h = t.insert(HandleKind::Adapter, 1).unwrap();
    let raw = h.into_raw();
    assert_eq!(t.get(HandleKind::Adapter, Handle::from_raw(raw)), Some(&1));
    assert_eq!(t.get(HandleKind::Interrupt, h), None);
    assert_eq!(t.get(HandleKind::Adapter, Handle::from_raw(0)), None);
    // Index out of range (slot 1000 in a 4-slot table), same tag and generation.
    assert_eq!(
        t.get(HandleKind::Adapter, Handle::from_raw(raw | 1000)),
        None
    );
    // Index of a free slot.
    assert_eq!(t.get(HandleKind::Adapter, Handle::from_raw(raw + 1)), None);
    // Wrong generation.
    assert_eq!(
        t.get(HandleKind::Adapter, Handle::from_raw(raw + (1 << 32))),
        None
    );
    // Invalid tag, and pointer-looking values.
    assert_eq!(Handle::from_raw(raw | (0x7f << 56)).kind(), None);
    for v in [u64::MAX, 0xffff_8880_1234_5000, 0x0000_7fff_ffff_f000] {
        assert_eq!(t.get_mut(HandleKind::Adapter, Handle::from_raw(v)), None);
        assert_eq!(t.remove(HandleKind::Adapter, Handle::from_raw(v)), None);
    }
    assert_eq!(t.len(), 1);
}

#[test]
fn full_then_free_then_insert() {
    let mut t: HandleTable<u32, 3> = HandleTable::default();
    let hs: Vec<_> = (0..3)
        .map(|i| t.insert(HandleKind::Interrupt, i).unwrap())
        .collect();
    assert_eq!(t.insert(HandleKind::Interrupt, 9), Err(Error::Resources));
    assert_eq!(t.capacity(), 3);
    let listed: Vec<_> = t.iter().map(|(h, v)| (h, *v)).collect();
    assert_eq!(listed, vec![(hs[0], 0), (hs[1], 1), (hs[2], 2)]);
    t.remove(HandleKind::Interrupt, hs[1]).unwrap();
    let h = t.insert(HandleKind::Interrupt, 9).unwrap();
    assert_eq!(t.get(HandleKind::Interrupt, h), Some(&9));
    assert_eq!(t.get(HandleKind::Interrupt, hs[1]), None);
    assert_eq!(t.iter().count(), 3);
}

#[test]
fn page_chunks_sum_and_boundaries() {
    for &page in &[1usize, 7, 64, 4096] {
        for start in [0usize, 1, 4095, 4096, 4097, 12345] {
            for len in [0usize, 1, 2, 4095, 4096, 4097, 3 * 4096 + 5] {
                let r = VaRange { start, len };
                let chunks: Vec<_> = page_chunks(r, page).collect();
                assert_eq!(chunks.iter().map(|c| c.len).sum::<usize>(), len);
                let mut va = start;
                for c in &chunks {
                    assert_eq!(c.va, va, "contiguous");
                    assert!(c.len > 0);
                    assert_eq!(c.offset_in_page, c.va % page);
                    assert!(c.offset_in_page + c.len <= page, "within a page");
                    va += c.len;
                }
                // Every chunk but the first starts on a page boundary.
                assert!(chunks.iter().skip(1).all(|c| c.offset_in_page == 0));
            }
        }
    }
    // Range ending at the very top of the address space.
    let top = VaRange {
        start: usize::MAX - 4095,
        len: 4096,
    };
    assert_eq!(page_chunks(top, 4096).count(), 1);
}

#[test]
fn cache_line_split_reassembles() {
    for line in [16usize, 64, 128] {
        for start in 0..200usize {
            for len in [0usize, 1, 5, 63, 64, 65, 200] {
                let r = VaRange { start, len };
                let (h, b, t) = cache_line_split(r, line);
                let parts: Vec<_> = [h, b, t].into_iter().flatten().collect();
                assert_eq!(parts.iter().map(|p| p.len).sum::<usize>(), len);
                let mut at = start;
                for p in &parts {
                    assert_eq!(p.start, at);
                    assert!(p.len > 0);
                    at += p.len;
                }
                if let Some(b) = b {
                    assert_eq!(b.start % line, 0);
                    assert_eq!(b.len % line, 0);
                }
                if let Some(h) = h {
                    assert_ne!(h.start % line, 0);
                    assert!(h.len < line);
                }
                if let Some(t) = t {
                    assert!(t.len < line);
                    assert_ne!((t.start + t.len) % line, 0);
                }
            }
        }
    }
}

#[test]
fn transfer_range_edges() {
    let v = MdlView {
        start_va: 0x1000,
        byte_offset: 0xffc,
        byte_count: 10,
    };
    assert_eq!(
        transfer_range(&v, 9, 1, 10),
        Ok(VaRange {
            start: 0x1000 + 0xffc + 9,
            len: 1
        })
    );
    assert_eq!(transfer_range(&v, 10, 1, 10), Err(Error::InvalidParameter));
    assert_eq!(transfer_range(&v, 0, 10, 9), Err(Error::InvalidLength));
    // Length checks come before range checks.
    assert_eq!(
        transfer_range(&v, u32::MAX, 0, 10),
        Err(Error::InvalidLength)
    );
}
