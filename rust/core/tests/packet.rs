//! NDIS 5 packet-pool arithmetic through the public API.

use ndis_core::packet::{
    bitmap_words, clear, descriptor_count, is_set, packet_layout, plan_copy, take_first_clear,
    Chain, PacketSizes, Segment, ALIGNMENT, MAX_CHAIN, MAX_DESCRIPTORS,
};
use ndis_core::status::Error;

/// x64 sizes (ndis.h's layout checks pin them): ProtocolReserved at 0x60,
/// NDIS_PACKET 0x68, NDIS_PACKET_OOB_DATA 0x28, NDIS_PACKET_EXTENSION
/// 12 pointers.
const SIZES: PacketSizes = PacketSizes {
    protocol_reserved_at: 0x60,
    packet: 0x68,
    oob: 0x28,
    extension: 12 * 8,
};

#[test]
fn descriptor_counts_as_the_page_states_them() {
    assert_eq!(descriptor_count(8, 0), Ok(8));
    assert_eq!(descriptor_count(8, 4), Ok(12));
    // More than 0xFFFF descriptors: NDIS_STATUS_RESOURCES.
    assert_eq!(descriptor_count(0x10000, 0), Err(Error::Resources));
    assert_eq!(descriptor_count(MAX_DESCRIPTORS, 0), Ok(0xFFFF));
    // Overflow reduced so the sum is 0xFFFF.
    assert_eq!(descriptor_count(0xFFF0, 0x100), Ok(0xFFFF));
    assert_eq!(descriptor_count(1, u32::MAX), Ok(0xFFFF));
    assert_eq!(descriptor_count(0, 5), Err(Error::Resources));
}

#[test]
fn layout_puts_oob_data_and_extension_after_the_packet() {
    let l = packet_layout(4, 0, SIZES).unwrap();
    // No ProtocolReserved asked: the packet is sizeof(NDIS_PACKET).
    assert_eq!(l.oob_offset, 0x70);
    // 0x70 + 0x28 + 0x60 = 0xF8, aligned.
    assert_eq!(l.stride, 0x100);
    assert_eq!(l.stride % ALIGNMENT, 0);
    assert_eq!(l.total, 4 * l.stride);
    let l = packet_layout(4, 16, SIZES).unwrap();
    // 0x60 + 16 = 0x70.
    assert_eq!(l.oob_offset, 0x70);
    let l = packet_layout(4, 17, SIZES).unwrap();
    assert_eq!(l.oob_offset, 0x80);
    assert!(usize::from(l.oob_offset) >= 0x60 + 17);
    // NdisPacketOobOffset is a USHORT.
    assert_eq!(packet_layout(1, 0xFFFF, SIZES), Err(Error::Resources));
    assert!(packet_layout(1, 0xFF00, SIZES).is_ok());
}

#[test]
fn descriptor_pointers_are_exact() {
    let l = packet_layout(3, 0, SIZES).unwrap();
    assert_eq!(l.index_at(0), Some(0));
    assert_eq!(l.index_at(l.stride), Some(1));
    assert_eq!(l.index_at(2 * l.stride), Some(2));
    assert_eq!(l.index_at(3 * l.stride), None);
    assert_eq!(l.index_at(8), None);
    assert_eq!(l.offset_of(2), 2 * l.stride);
}

#[test]
fn bitmap_gives_each_descriptor_once() {
    let count = 70;
    let mut map = vec![0u64; bitmap_words(count)];
    assert_eq!(map.len(), 2);
    let mut got = Vec::new();
    while let Some(i) = take_first_clear(&mut map, count, 1) {
        got.push(i);
    }
    got.sort();
    assert_eq!(got, (0..count).collect::<Vec<_>>());
    assert!(clear(&mut map, 5));
    // A second free of the same descriptor changes nothing.
    assert!(!clear(&mut map, 5));
    assert!(!clear(&mut map, 1000));
    assert_eq!(take_first_clear(&mut map, count, 0), Some(5));
    assert_eq!(take_first_clear(&mut map, count, 0), None);
}

/// A chain of buffers of the given lengths; a buffer is its index.
struct Lengths(Vec<u32>);

impl Chain for Lengths {
    type Buffer = usize;
    fn first(&self) -> Option<usize> {
        (!self.0.is_empty()).then_some(0)
    }
    fn next(&self, b: usize) -> Option<usize> {
        (b + 1 < self.0.len()).then_some(b + 1)
    }
    fn length(&self, b: usize) -> u32 {
        self.0[b]
    }
}

#[test]
fn is_set_says_which_descriptors_are_allocated() {
    let count = 70;
    let mut map = vec![0u64; bitmap_words(count)];
    assert!(!is_set(&map, 0));
    assert_eq!(take_first_clear(&mut map, count, 0), Some(0));
    assert!(is_set(&map, 0));
    map[1] |= 1 << 5;
    assert!(is_set(&map, 69));
    assert!(!is_set(&map, 68));
    // Past the map: never allocated.
    assert!(!is_set(&map, 128));
    assert!(clear(&mut map, 0));
    assert!(!is_set(&map, 0));
}

fn plan(d: &[u32], doff: u32, s: &[u32], soff: u32, n: u32) -> (u32, Vec<Segment<usize, usize>>) {
    let mut v = Vec::new();
    let done = plan_copy(
        &Lengths(d.to_vec()),
        doff,
        &Lengths(s.to_vec()),
        soff,
        n,
        |seg| {
            v.push(seg);
            true
        },
    );
    (done, v)
}

fn seg(dst: usize, dst_at: u32, src: usize, src_at: u32, len: u32) -> Segment<usize, usize> {
    Segment {
        dst,
        dst_at,
        src,
        src_at,
        len,
    }
}

#[test]
fn copy_crosses_buffer_boundaries_on_both_sides() {
    let (done, v) = plan(&[10, 20], 5, &[3, 0, 4, 30], 2, 20);
    assert_eq!(done, 20);
    assert_eq!(
        v,
        vec![seg(0, 5, 0, 2, 1), seg(0, 6, 2, 0, 4), seg(1, 0, 3, 0, 15),]
    );
    assert_eq!(v.iter().map(|s| s.len).sum::<u32>(), done);
}

#[test]
fn copy_stops_where_a_chain_ends() {
    // Source runs out.
    assert_eq!(plan(&[100], 0, &[10, 10], 15, 50).0, 5);
    // Destination runs out.
    assert_eq!(plan(&[8], 4, &[100], 0, 50).0, 4);
    // Offsets past the end, empty chains.
    assert_eq!(plan(&[8], 8, &[100], 0, 50).0, 0);
    assert_eq!(plan(&[], 0, &[100], 0, 50).0, 0);
    assert_eq!(plan(&[8], 0, &[10], 0, 0).0, 0);
}

#[test]
fn copy_stops_where_the_caller_says() {
    let mut n = 0;
    let done = plan_copy(
        &Lengths(vec![4, 4, 4]),
        0,
        &Lengths(vec![12]),
        0,
        12,
        |_| {
            n += 1;
            n < 2
        },
    );
    assert_eq!(done, 4);
}

/// A chain that loops back on itself.
struct Cycle;

impl Chain for Cycle {
    type Buffer = ();
    fn first(&self) -> Option<()> {
        Some(())
    }
    fn next(&self, _: ()) -> Option<()> {
        Some(())
    }
    fn length(&self, _: ()) -> u32 {
        1
    }
}

#[test]
fn a_cycle_ends_after_max_chain_buffers() {
    let done = plan_copy(&Cycle, 0, &Lengths(vec![u32::MAX]), 0, u32::MAX, |_| true);
    assert_eq!(done as usize, MAX_CHAIN);
}
