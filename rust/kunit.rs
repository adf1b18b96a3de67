// SPDX-License-Identifier: GPL-2.0

//! KUnit suites for the shim's internals, run at insmod.
//!
//! The core logic has its full test suite on the host (`rust/core/tests`);
//! these re-check, inside the kernel build, the pieces whose behaviour
//! depends on the target (pointer width, page size) and the registry.

#[kernel::macros::kunit_tests(ndis_shim_internals)]
mod tests {
    use crate::{
        abi,
        handle::{Handle, HandleKind, HandleTable},
        mdl::{page_chunks, transfer_range, MdlView, Unresolvable},
        net_buffer::{mdl_view, MdlChain},
        sg::{self, SgLimits},
        shared::{find_free, within_reach, FreeMismatch, SharedBlock},
        status::{Error, NdisStatus},
    };
    use kernel::{page::PAGE_SIZE, prelude::*};

    /// An MDL as a driver builds it: `len` bytes whose system address is
    /// `system` and whose original address is `original`.
    fn mdl(flags: u32, system: usize, original: usize, len: u32) -> abi::MDL {
        abi::MDL {
            Next: core::ptr::null_mut(),
            Size: core::mem::size_of::<abi::MDL>() as i16,
            MdlFlags: flags as i16,
            Process: core::ptr::null_mut(),
            MappedSystemVa: system as *mut core::ffi::c_void,
            StartVa: (original & !(PAGE_SIZE - 1)) as *mut core::ffi::c_void,
            ByteCount: len,
            ByteOffset: (original % PAGE_SIZE) as u32,
        }
    }

    #[test]
    fn forged_and_stale_handles_are_rejected() {
        let mut table: HandleTable<u32, 4> = HandleTable::new();
        let h = table.insert(HandleKind::DmaChannel, 7).unwrap();
        assert_eq!(table.get(HandleKind::DmaChannel, h), Some(&7));
        assert_eq!(table.get(HandleKind::Adapter, h), None);
        assert_eq!(
            table.get(HandleKind::DmaChannel, Handle::from_raw(0x1234_5678)),
            None
        );
        // A kernel pointer is never a handle.
        let ptr = core::ptr::from_ref(&table) as u64;
        assert_eq!(
            table.get(HandleKind::DmaChannel, Handle::from_raw(ptr)),
            None
        );
        assert_eq!(table.remove(HandleKind::DmaChannel, h), Some(7));
        let reused = table.insert(HandleKind::DmaChannel, 8).unwrap();
        assert_eq!(table.get(HandleKind::DmaChannel, h), None);
        assert_eq!(table.get(HandleKind::DmaChannel, reused), Some(&8));
    }

    #[test]
    fn mdls_decode_to_their_system_address() -> Result {
        let pool = abi::MDL_SOURCE_IS_NONPAGED_POOL;
        let mapped = abi::MDL_MAPPED_TO_SYSTEM_VA | abi::MDL_PAGES_LOCKED;
        let kmalloc = KVec::<u8>::from_elem(0, 3 * PAGE_SIZE, GFP_KERNEL)?;
        let vmalloc = VVec::<u8>::from_elem(0, 3 * PAGE_SIZE, GFP_KERNEL)?;
        let user = 0x7ffd_0000_0000usize;
        for buf in [kmalloc.as_ptr() as usize, vmalloc.as_ptr() as usize] {
            let va = buf + 0x40;
            let len = (2 * PAGE_SIZE) as u32;
            // Whatever StartVa says, the view is at MappedSystemVa.
            let original = user + va % PAGE_SIZE;
            for m in [
                mdl(pool, va, va, len),
                mdl(pool, va, original, len),
                mdl(mapped, va, original, len),
            ] {
                // SAFETY: `m` is a readable MDL.
                let v = unsafe { mdl_view(&m) }.map_err(|_| EINVAL)?;
                assert_eq!(v.start_va + v.byte_offset as usize, va);
                assert_eq!(v.byte_count, len);
            }
            let refusals = [
                (mdl(0, va, va, len), Unresolvable::NotMapped),
                (
                    mdl(abi::MDL_PAGES_LOCKED, va, va, len),
                    Unresolvable::NotMapped,
                ),
                (
                    mdl(pool, original, original, len),
                    Unresolvable::NotKernelMemory,
                ),
                (mdl(pool, va + 8, va, len), Unresolvable::OffsetMismatch),
            ];
            for (m, why) in refusals {
                // SAFETY: `m` is a readable MDL.
                assert_eq!(unsafe { mdl_view(&m) }, Err(why));
            }
        }
        // Beyond the end of a vmalloc area's mapping: refused, not read.
        let end = vmalloc.as_ptr() as usize + 3 * PAGE_SIZE;
        let past = mdl(pool, end - 0x40, end - 0x40, 0x40 + PAGE_SIZE as u32 * 4);
        // SAFETY: `past` is a readable MDL.
        let view = unsafe { mdl_view(&past) };
        assert_eq!(view, Err(Unresolvable::NotKernelMemory));
        // A chain stops at the first MDL it cannot resolve, and says why.
        let va = kmalloc.as_ptr() as usize;
        let mut third = mdl(pool, va, va, 8);
        let mut second = mdl(0, va, va, 8);
        second.Next = &mut third;
        let mut first = mdl(pool, va, user + va % PAGE_SIZE, 8);
        first.Next = &mut second;
        // SAFETY: a chain of readable MDLs, used while they live.
        let mut chain = unsafe { MdlChain::new(&first) };
        assert!(chain.next().is_some());
        assert!(chain.next().is_none());
        assert_eq!(chain.refused(), Some(Unresolvable::NotMapped));
        assert!(chain.next().is_none());
        Ok(())
    }

    #[test]
    fn transfer_ranges_are_checked() {
        let mdl = MdlView {
            start_va: 0xffff_8880_0000_0000,
            byte_offset: 0x10,
            byte_count: 8192,
        };
        assert!(transfer_range(&mdl, 0, 8192, 8192).is_ok());
        assert_eq!(transfer_range(&mdl, 0, 0, 8192), Err(Error::InvalidLength));
        assert_eq!(
            transfer_range(&mdl, 1, 8192, 8192),
            Err(Error::InvalidParameter)
        );
        assert_eq!(
            transfer_range(&mdl, 0xffff_fff0, 0x20, 8192),
            Err(Error::InvalidParameter)
        );
        assert_eq!(
            transfer_range(&mdl, 0, 4097, 4096),
            Err(Error::InvalidLength)
        );
    }

    #[test]
    fn page_chunks_cover_the_range() {
        let range = transfer_range(
            &MdlView {
                start_va: 0xffff_8880_0000_0000,
                byte_offset: (PAGE_SIZE - 3) as u32,
                byte_count: (2 * PAGE_SIZE) as u32,
            },
            0,
            (PAGE_SIZE + 6) as u32,
            u32::MAX,
        )
        .unwrap();
        let (mut n, mut total) = (0, 0);
        for c in page_chunks(range, PAGE_SIZE) {
            assert!(c.offset_in_page + c.len <= PAGE_SIZE);
            n += 1;
            total += c.len;
        }
        assert_eq!((n, total), (3, PAGE_SIZE + 6));
    }

    #[test]
    fn statuses_are_the_windows_values() {
        assert_eq!(NdisStatus::from(Error::Resources).0 as u32, 0xC000_009A);
        assert_eq!(
            NdisStatus::from(Error::InvalidParameter).0 as u32,
            0xC000_000D
        );
        assert_eq!(NdisStatus::from(Error::InvalidLength).0 as u32, 0xC001_0014);
    }

    #[test]
    fn shared_memory_frees_must_match_exactly() {
        // Kernel addresses and a 28-bit device's reach, as on the target.
        let a = SharedBlock {
            va: 0xffff_8880_0400_0000,
            dma: 0x0400_0000,
            len: 4096,
            cached: false,
        };
        let b = SharedBlock {
            va: 0xffff_8880_0500_0000,
            dma: 0x0500_0000,
            len: 100,
            cached: true,
        };
        assert_eq!(find_free([a, b], &b), Ok(1));
        assert_eq!(
            find_free([a, b], &SharedBlock { len: 100, ..a }),
            Err(FreeMismatch::WrongLength)
        );
        assert_eq!(
            find_free([a, b], &SharedBlock { dma: b.dma, ..a }),
            Err(FreeMismatch::WrongDeviceAddress)
        );
        assert_eq!(
            find_free([a, b], &SharedBlock { cached: true, ..a }),
            Err(FreeMismatch::WrongCached)
        );
        assert_eq!(find_free([b], &a), Err(FreeMismatch::UnknownAddress));
        assert!(within_reach(a.dma, a.len, (1 << 28) - 1));
        assert!(!within_reach((1 << 28) - 100, 101, (1 << 28) - 1));
    }

    #[test]
    fn sg_lists_are_built_from_the_chain() {
        // A chain as a NET_BUFFER has it: a skipped header MDL, then data
        // straddling page boundaries.
        let base = 0xffff_8880_0000_0000usize;
        let chain = [
            MdlView {
                start_va: base,
                byte_offset: 0x40,
                byte_count: 100,
            },
            MdlView {
                start_va: base + 4 * PAGE_SIZE,
                byte_offset: (PAGE_SIZE - 0x100) as u32,
                byte_count: 0x300,
            },
            MdlView {
                start_va: base + 8 * PAGE_SIZE,
                byte_offset: 0,
                byte_count: (2 * PAGE_SIZE) as u32,
            },
        ];
        let limits = SgLimits::new(4096, 65536, PAGE_SIZE).unwrap();
        assert_eq!(limits.max_elements, 2);
        // CurrentMdl is the second MDL, the data 10 bytes into it: the list
        // maps from that MDL's start (NdisMAllocateNetBufferSGList page).
        let current = chain.iter().copied().skip(1);
        let total = sg::mapped_length(current.clone(), 10, 4000, limits.max_mapping).unwrap();
        assert_eq!(total, 4010);
        let (mut pieces, mut total_len) = (0, 0);
        for r in sg::data_ranges(current, 0, total) {
            for c in page_chunks(r, PAGE_SIZE) {
                assert!(c.offset_in_page + c.len <= PAGE_SIZE);
                pieces += 1;
                total_len += c.len;
            }
        }
        // 0x100 bytes, then 0x200 in the next page, then the rest.
        assert_eq!((pieces, total_len), (3, 4010));
        // Every refusal is NDIS_STATUS_RESOURCES, the one failure the
        // NdisMAllocateNetBufferSGList page documents.
        assert_eq!(
            sg::mapped_length(chain, u32::MAX, 2, 4096),
            Err(Error::Resources)
        );
        assert_eq!(sg::mapped_length([], 0, 1, 4096), Err(Error::Resources));
        // NdisQueryNetBufferPhysicalCount: the header MDL is skipped by
        // DataOffset 110 - 10; each data MDL counts pages from its start.
        assert_eq!(sg::physical_count(chain, 110, 4000, PAGE_SIZE), 3);
        // Segments longer than the device takes are split.
        assert_eq!(sg::element_count([(0x1000, 0x2_0001)], 0x1_0000), 3);
        assert!(!sg::fits([(0x0fff_fff0, 0x20)], 0x1_0000, 0x0fff_ffff));
        assert_eq!(NdisStatus::from(Error::BadVersion).0 as u32, 0xC001_0004);
        assert_eq!(NdisStatus::from(Error::NotSupported).0 as u32, 0xC000_00BB);
    }
}
