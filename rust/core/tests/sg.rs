//! NDIS 6 scatter-gather arithmetic through the public API.

use ndis_core::mdl::{MdlView, VaRange};
use ndis_core::sg::{
    bounce_pool, check_description, data_ranges, description_address_bits, element_count, elements,
    fits, list_bytes, mapped_length, physical_count, Element, SgLimits, BOUNCE_LISTS,
    BOUNCE_POOL_BYTES, MAX_BOUNCE_SLOT_BYTES, MAX_CHAIN_MDLS, MAX_LIST_ELEMENTS,
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

// NdisMAllocateNetBufferSGList (learn.microsoft.com, ndis.h): "The
// scatter/gather list is generated from the data starting at the beginning
// of the MDL that is specified at the CurrentMdl member"; the only failure
// it documents is NDIS_STATUS_RESOURCES.
#[test]
fn lists_map_from_the_start_of_current_mdl() {
    // The chain from CurrentMdl on.
    let chain = [
        mdl(0x1000_0010, 100),
        mdl(0x2000_0000, 0),
        mdl(0x3000_0ff0, 300),
    ];
    // CurrentMdlOffset + DataLength bytes from CurrentMdl's start.
    assert_eq!(mapped_length(chain, 0, 10, 4096), Ok(10));
    assert_eq!(mapped_length(chain, 99, 2, 4096), Ok(101));
    assert_eq!(mapped_length(chain, 50, 350, 4096), Ok(400));
    // Past the end, overflow, zero, over MaximumPhysicalMapping, no MDL:
    // all NDIS_STATUS_RESOURCES.
    assert_eq!(mapped_length(chain, 50, 351, 4096), Err(Error::Resources));
    assert_eq!(mapped_length(chain, 400, 1, 4096), Err(Error::Resources));
    assert_eq!(
        mapped_length(chain, u32::MAX, 2, 4096),
        Err(Error::Resources)
    );
    assert_eq!(mapped_length(chain, 0, 0, 4096), Err(Error::Resources));
    // The offset does not count against MaximumPhysicalMapping: the device
    // moves DataLength bytes.
    assert_eq!(mapped_length(chain, 300, 100, 100), Ok(400));
    assert_eq!(mapped_length(chain, 0, 101, 100), Err(Error::Resources));
    assert_eq!(mapped_length([], 0, 1, 4096), Err(Error::Resources));
}

#[test]
fn mapped_length_rejects_cycles_and_wrapping_mdls() {
    let looped = std::iter::repeat_n(mdl(0x1000, 1), MAX_CHAIN_MDLS + 10);
    assert_eq!(
        mapped_length(looped, 0, (MAX_CHAIN_MDLS + 5) as u32, u32::MAX),
        Err(Error::Resources)
    );
    let wrap = MdlView {
        start_va: usize::MAX - 0xfff,
        byte_offset: 0xff0,
        byte_count: 0x100,
    };
    assert_eq!(mapped_length([wrap], 0, 1, 4096), Err(Error::Resources));
}

#[test]
fn data_ranges_cover_the_mapped_bytes() {
    let chain = [
        mdl(0x1000_0010, 100),
        mdl(0x2000_0000, 0),
        mdl(0x3000_0ff0, 300),
    ];
    // CurrentMdlOffset 50, DataLength 200: 250 bytes from the MDL's start.
    let total = mapped_length(chain, 50, 200, 4096).unwrap();
    let r: Vec<_> = data_ranges(chain, 0, total).collect();
    assert_eq!(
        r,
        [
            VaRange {
                start: 0x1000_0010,
                len: 100
            },
            VaRange {
                start: 0x3000_0ff0,
                len: 150
            }
        ]
    );
    let sum: usize = r.iter().map(|r| r.len).sum();
    assert_eq!(sum, 250);
    // An offset into the first range still works (for other callers).
    let r: Vec<_> = data_ranges(chain, 60, 50).collect();
    assert_eq!(
        r,
        [
            VaRange {
                start: 0x1000_0010 + 60,
                len: 40
            },
            VaRange {
                start: 0x3000_0ff0,
                len: 10
            }
        ]
    );
}

// NdisQueryNetBufferPhysicalCount (learn.microsoft.com, ndis/nblapi.h):
// "a count of the maximum number of physical breaks, mapped by MDLs that
// are associated with the specified NET_BUFFER structure".
#[test]
fn physical_count_counts_pages_from_each_mdl_start() {
    let chain = [
        mdl(0x1000_0000, 100),  // skipped by DataOffset 100
        mdl(0x2000_0ff0, 0x20), // 0x10 + 0x10 across a page: 2
        mdl(0x3000_0000, 0),    // empty, inside the data: 1
        mdl(0x4000_0800, 0x2000),
    ];
    // Data: 0x20 bytes of MDL 1, then 0x100 of MDL 3 (one page).
    assert_eq!(physical_count(chain, 100, 0x120, PAGE), 4);
    // The whole of MDL 3: 0x800 + 0x1000 + 0x800 = three pages.
    assert_eq!(physical_count(chain, 100, 0x2020, PAGE), 6);
    // Data starting inside MDL 1 still counts from its start.
    assert_eq!(physical_count(chain, 100 + 0x18, 8, PAGE), 2);
    assert_eq!(physical_count(chain, 100 + 0x8, 4, PAGE), 1);
    // Nothing, or nothing left after DataOffset.
    assert_eq!(physical_count(chain, 0, 0, PAGE), 0);
    assert_eq!(physical_count(chain, 0x5000, 1, PAGE), 0);
    assert_eq!(physical_count([], 0, 1, PAGE), 0);
    // A chain shorter than DataLength counts what it holds.
    assert_eq!(physical_count([mdl(0x1000, 10)], 0, 1000, PAGE), 1);
    // A cycle stops at MAX_CHAIN_MDLS.
    let looped = std::iter::repeat(mdl(0x1000, 1));
    assert_eq!(
        physical_count(looped, 0, u32::MAX, PAGE),
        MAX_CHAIN_MDLS as u32
    );
}

#[test]
fn bounce_pool_holds_dozens_of_lists() {
    // edu: 4 KiB of data.
    assert_eq!(bounce_pool(4096, PAGE), Ok((BOUNCE_LISTS, PAGE)));
    assert_eq!(bounce_pool(1, PAGE), Ok((BOUNCE_LISTS, PAGE)));
    assert_eq!(bounce_pool(4097, PAGE), Ok((BOUNCE_LISTS, 2 * PAGE)));
    // 48 KiB: as many as fit in the pool.
    let (n, slot) = bounce_pool(0xC000, PAGE).unwrap();
    assert_eq!(slot, 0xC000);
    assert_eq!(n, BOUNCE_POOL_BYTES / 0xC000);
    assert!(n < BOUNCE_LISTS);
    assert!(n * slot <= BOUNCE_POOL_BYTES);
    // Larger mappings get capped slots, so registering any
    // MaximumPhysicalMapping, up to `(ULONG)-1`, does not ask for
    // gigabytes; lists beyond a slot are not bounced.
    let capped = Ok((
        BOUNCE_POOL_BYTES / MAX_BOUNCE_SLOT_BYTES,
        MAX_BOUNCE_SLOT_BYTES,
    ));
    assert_eq!(bounce_pool(0x14000, PAGE), capped);
    assert_eq!(bounce_pool(16 << 20, PAGE), capped);
    assert_eq!(bounce_pool(u32::MAX, PAGE), capped);
    assert_eq!(bounce_pool(u32::MAX, 0), Err(Error::Resources));
    assert_eq!(bounce_pool(0, PAGE), Err(Error::Resources));
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
