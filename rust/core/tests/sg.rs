//! NDIS 6 scatter-gather arithmetic through the public API.

use ndis_core::mdl::{MdlView, VaRange};
use ndis_core::sg::{
    check_description, data_ranges, description_address_bits, element_count, elements, fits,
    list_bytes, locate, DataStart, Element, SgLimits, MAX_CHAIN_MDLS, MAX_LIST_ELEMENTS,
};
use ndis_core::status::Error;

const PAGE: usize = 4096;

fn mdl(va: usize, len: u32) -> MdlView {
    MdlView {
        start_va: va & !(PAGE - 1),
        byte_offset: (va & (PAGE - 1)) as u32,
        byte_count: len,
    }
}

#[test]
fn description_header() {
    assert_eq!(check_description(0x83, 1, 0x24), Ok(()));
    assert_eq!(check_description(0x83, 1, 0x28), Ok(()));
    assert_eq!(check_description(0x84, 1, 0x28), Err(Error::BadVersion));
    assert_eq!(check_description(0x83, 0, 0x28), Err(Error::BadVersion));
    assert_eq!(check_description(0x83, 1, 0x20), Err(Error::BadVersion));
    assert_eq!(description_address_bits(1), 64);
    assert_eq!(description_address_bits(0), 32);
    assert_eq!(description_address_bits(2), 32);
}

#[test]
fn limits_and_list_size() {
    // 64 KiB with 64 KiB segments: 17 pages at worst.
    let l = SgLimits::new(0x10000, 0x10000, PAGE).unwrap();
    assert_eq!(l.max_elements, 17);
    assert_eq!(l.list_size(), Ok(16 + 24 * 17));
    // One byte: one page; one page: two at worst.
    assert_eq!(SgLimits::new(1, 0x10000, PAGE).unwrap().max_elements, 1);
    assert_eq!(SgLimits::new(4096, 0x10000, PAGE).unwrap().max_elements, 2);
    // Segments smaller than a page add elements.
    assert_eq!(SgLimits::new(4096, 1024, PAGE).unwrap().max_elements, 6);
    assert_eq!(
        SgLimits::new(0, 0x10000, PAGE),
        Err(Error::InvalidParameter)
    );
    assert_eq!(SgLimits::new(1, 0, PAGE), Err(Error::InvalidParameter));
    assert_eq!(
        SgLimits::new(u32::MAX, 1, PAGE),
        Err(Error::InvalidParameter)
    );
    assert_eq!(list_bytes(0), Some(16));
    assert_eq!(list_bytes(usize::MAX), None);
}

#[test]
fn locate_skips_data_offset_through_the_chain() {
    let chain = [
        mdl(0x1000_0010, 100),
        mdl(0x2000_0000, 0),
        mdl(0x3000_0ff0, 300),
    ];
    assert_eq!(
        locate(chain, 0, 10, 4096),
        Ok(DataStart {
            mdl_index: 0,
            offset: 0
        })
    );
    assert_eq!(
        locate(chain, 99, 2, 4096),
        Ok(DataStart {
            mdl_index: 0,
            offset: 99
        })
    );
    // The empty MDL is skipped.
    assert_eq!(
        locate(chain, 100, 300, 4096),
        Ok(DataStart {
            mdl_index: 2,
            offset: 0
        })
    );
    assert_eq!(
        locate(chain, 150, 250, 4096),
        Ok(DataStart {
            mdl_index: 2,
            offset: 50
        })
    );
    // Past the end, overflow, zero, over the maximum.
    assert_eq!(locate(chain, 150, 251, 4096), Err(Error::InvalidLength));
    assert_eq!(locate(chain, 400, 1, 4096), Err(Error::InvalidLength));
    assert_eq!(locate(chain, u32::MAX, 2, 4096), Err(Error::InvalidLength));
    assert_eq!(locate(chain, 0, 0, 4096), Err(Error::InvalidLength));
    assert_eq!(locate(chain, 0, 200, 100), Err(Error::InvalidLength));
    // No MDL at all.
    assert_eq!(locate([], 0, 1, 4096), Err(Error::Failure));
}

#[test]
fn locate_rejects_cycles_and_wrapping_mdls() {
    let looped = std::iter::repeat_n(mdl(0x1000, 1), MAX_CHAIN_MDLS + 10);
    assert_eq!(
        locate(looped, 0, (MAX_CHAIN_MDLS + 5) as u32, u32::MAX),
        Err(Error::InvalidParameter)
    );
    let wrap = MdlView {
        start_va: usize::MAX - 0xfff,
        byte_offset: 0xff0,
        byte_count: 0x100,
    };
    assert_eq!(locate([wrap], 0, 1, 4096), Err(Error::InvalidParameter));
}

#[test]
fn data_ranges_cover_exactly_the_data() {
    let chain = [
        mdl(0x1000_0010, 100),
        mdl(0x2000_0000, 0),
        mdl(0x3000_0ff0, 300),
    ];
    let start = locate(chain, 50, 200, 4096).unwrap();
    let r: Vec<_> =
        data_ranges(chain[start.mdl_index..].iter().copied(), start.offset, 200).collect();
    assert_eq!(
        r,
        [
            VaRange {
                start: 0x1000_0010 + 50,
                len: 50
            },
            VaRange {
                start: 0x3000_0ff0,
                len: 150
            }
        ]
    );
    let total: usize = r.iter().map(|r| r.len).sum();
    assert_eq!(total, 200);
}

#[test]
fn elements_split_at_the_segment_size() {
    let e: Vec<_> = elements([(0x1000, 0x2800), (0x9000, 0x10)], 0x1000).collect();
    assert_eq!(
        e,
        [
            Element {
                address: 0x1000,
                length: 0x1000
            },
            Element {
                address: 0x2000,
                length: 0x1000
            },
            Element {
                address: 0x3000,
                length: 0x800
            },
            Element {
                address: 0x9000,
                length: 0x10
            },
        ]
    );
    assert_eq!(element_count([(0x1000, 0x2800), (0x9000, 0x10)], 0x1000), 4);
    assert_eq!(element_count([(0, 0x2800)], 0), 1);
}

#[test]
fn fits_checks_reach_and_count() {
    assert!(fits([(0x1000, 0x2000)], 0x1000, 0xfff_ffff));
    // Beyond a 28-bit reach.
    assert!(!fits([(0x1000_0000, 0x10)], 0x1000, 0xfff_ffff));
    assert!(fits([(0xfff_fff0, 0x10)], 0x1000, 0xfff_ffff));
    // Too many elements.
    let many = |n: u64| (0..n).map(|i| (i * 0x2000, 0x10));
    assert!(fits(many(MAX_LIST_ELEMENTS as u64), 0x1000, u64::MAX));
    assert!(!fits(many(MAX_LIST_ELEMENTS as u64 + 1), 0x1000, u64::MAX));
    // Split at the segment size, the same data needs more elements.
    assert!(!fits(
        [(0, (MAX_LIST_ELEMENTS as u64 + 1) * 16)],
        16,
        u64::MAX
    ));
    // A wrapping or empty segment never fits.
    assert!(!fits([(u64::MAX, 2)], 0x1000, u64::MAX));
    assert!(!fits([(0x1000, 0)], 0x1000, u64::MAX));
}
