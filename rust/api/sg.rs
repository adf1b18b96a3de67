// SPDX-License-Identifier: GPL-2.0

//! NDIS 6 scatter-gather DMA: [`SgDma`] (`NdisMRegisterScatterGatherDma`),
//! [`NetBuffer`] (a NET_BUFFER over MDLs it owns) and [`SgList`]
//! (`NdisMAllocateNetBufferSGList` until `NdisMFreeNetBufferSGList`).

use core::ffi::c_void;
use kernel::prelude::*;

use super::{
    adapter::Adapter,
    dma::Direction,
    ffi,
    mdl::{DmaBuffer, Mdl},
    Status,
};

/// Address width of an SG DMA registration (`NDIS_SG_DMA_64_BIT_ADDRESS`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SgAddresses {
    /// 32-bit addresses (the glue's `DmaAddressBits` may narrow it).
    Bits32,
    /// 64-bit addresses.
    Bits64,
}

/// A scatter-gather DMA registration; deregistered on drop.
///
/// # Invariants
///
/// `raw` is the handle the shim returned for `adapter`, not deregistered.
pub(crate) struct SgDma<'a> {
    adapter: &'a Adapter,
    raw: ffi::NDIS_HANDLE,
    list_size: u32,
}

// SAFETY: the handle is only passed to the shim's thread-safe SG calls.
unsafe impl Send for SgDma<'_> {}
// SAFETY: `&SgDma` only reads its fields, which never change; the handle
// is only passed to the shim's thread-safe SG calls.
unsafe impl Sync for SgDma<'_> {}

/// Where `process_sg_list` leaves the list.
struct Request {
    list: ffi::PSCATTER_GATHER_LIST,
    calls: u32,
}

/// `MINIPORT_PROCESS_SG_LIST`: records the list for [`SgDma::allocate`].
/// NDIS calls it at DISPATCH_LEVEL; it only records, so it never sleeps.
///
/// # Safety
///
/// `context` must be the `Request` [`SgDma::allocate`] passed.
unsafe extern "C" fn process_sg_list(
    _device: ffi::PDEVICE_OBJECT,
    _reserved: *mut c_void,
    list: ffi::PSCATTER_GATHER_LIST,
    context: *mut c_void,
) {
    // SAFETY: by the safety requirement; nothing else refers to it during
    // the call.
    let request = unsafe { &mut *context.cast::<Request>() };
    request.list = list;
    request.calls += 1;
}

impl<'a> SgDma<'a> {
    /// `NdisMRegisterScatterGatherDma`. PASSIVE_LEVEL. The miniport must be
    /// a bus master ([`super::driver::Miniport::BUS_MASTER`]).
    pub(crate) fn register(
        adapter: &'a Adapter,
        addresses: SgAddresses,
        maximum_physical_mapping: u32,
    ) -> Result<Self, Status> {
        let mut description = ffi::NDIS_SG_DMA_DESCRIPTION {
            Header: ffi::NDIS_OBJECT_HEADER {
                Type: ffi::NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION as u8,
                Revision: ffi::NDIS_SG_DMA_DESCRIPTION_REVISION_1 as u8,
                Size: ffi::NDIS_SIZEOF_SG_DMA_DESCRIPTION_REVISION_1 as u16,
            },
            Flags: if addresses == SgAddresses::Bits64 {
                ffi::NDIS_SG_DMA_64_BIT_ADDRESS
            } else {
                0
            },
            MaximumPhysicalMapping: maximum_physical_mapping,
            ProcessSGListHandler: Some(process_sg_list),
            SharedMemAllocateCompleteHandler: None,
            ScatterGatherListSize: 0,
        };
        let mut raw = core::ptr::null_mut();
        // SAFETY: a live adapter handle; valid description and out pointer.
        let status = unsafe {
            ffi::NdisMRegisterScatterGatherDma(adapter.handle(), &mut description, &mut raw)
        };
        Status(status).to_result()?;
        // INVARIANT: registered just now.
        Ok(Self {
            adapter,
            raw,
            list_size: description.ScatterGatherListSize,
        })
    }

    /// `ScatterGatherListSize`: bytes of a list for the largest mapping.
    #[allow(dead_code, reason = "API accessor; not every miniport uses it")]
    pub(crate) fn list_size(&self) -> u32 {
        self.list_size
    }

    /// `NdisMAllocateNetBufferSGList`: maps `nb` for a transfer in `dir`:
    /// as on Windows, from the start of its `CurrentMdl`
    /// ([`SgList::data_elements`] skips to the data). The list lives in
    /// memory of [`Self::list_size`] bytes owned by the [`SgList`] (or the
    /// shim's own, for a longer list) and is freed when the [`SgList`] is
    /// dropped; until then `nb` is borrowed, so its memory can neither be
    /// freed nor written by the CPU. Fails with the status NDIS returns:
    /// `RESOURCES`, the one failure it documents.
    pub(crate) fn allocate<'n, B: DmaBuffer>(
        &'n self,
        nb: &'n mut NetBuffer<'a, B>,
        dir: Direction,
    ) -> Result<SgList<'n, 'a, B>, Status> {
        let words = (self.list_size as usize).div_ceil(8);
        let mut buffer = KVec::new();
        buffer
            .extend_with(words, 0u64, GFP_ATOMIC)
            .map_err(|_| Status::RESOURCES)?;
        let mut request = Request {
            list: core::ptr::null_mut(),
            calls: 0,
        };
        let flags = if dir == Direction::ToDevice {
            ffi::NDIS_SG_LIST_WRITE_TO_DEVICE
        } else {
            0
        };
        // SAFETY: a live SG DMA handle (type invariant); `nb` is a complete
        // NET_BUFFER over MDLs it owns, kept (borrowed) until the list is
        // freed; the buffer is writable for `list_size` bytes; `request`
        // outlives the call, in which the shim calls `process_sg_list`.
        let status = unsafe {
            ffi::NdisMAllocateNetBufferSGList(
                self.raw,
                nb.raw(),
                (&raw mut request).cast(),
                flags,
                buffer.as_mut_slice().as_mut_ptr().cast(),
                self.list_size,
            )
        };
        Status(status).to_result()?;
        if request.calls != 1 || request.list.is_null() {
            // NDIS may call ProcessSGList later; the shim never does. The
            // API's own status: the list cannot be freed without it.
            return Err(Status::FAILURE);
        }
        // INVARIANT: the list was just handed to us for `nb`.
        Ok(SgList {
            sg: self,
            nb,
            list: request.list,
            _buffer: buffer,
        })
    }
}

impl Drop for SgDma<'_> {
    fn drop(&mut self) {
        // SAFETY: registered (type invariant); no list is out, as each
        // borrows `self`.
        unsafe { ffi::NdisMDeregisterScatterGatherDma(self.raw) };
        let _ = self.adapter;
    }
}

/// One element of an [`SgList`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Element {
    /// Bus (DMA) address for the device.
    pub(crate) address: u64,
    /// Length in bytes.
    pub(crate) length: u32,
}

/// A NET_BUFFER's scatter-gather list; `NdisMFreeNetBufferSGList` on drop
/// (which copies bounced device-to-host data back).
///
/// # Invariants
///
/// `list` is the list the shim handed out for `nb` on `sg`, not yet freed;
/// it lives in `_buffer` or in the shim's memory until it is freed.
pub(crate) struct SgList<'n, 'a, B: DmaBuffer> {
    sg: &'n SgDma<'a>,
    nb: &'n mut NetBuffer<'a, B>,
    list: ffi::PSCATTER_GATHER_LIST,
    _buffer: KVec<u64>,
}

impl<'n, 'a, B: DmaBuffer> SgList<'n, 'a, B> {
    /// The elements as NDIS wrote them, in order: from the start of the
    /// NET_BUFFER's `CurrentMdl`, so the first `CurrentMdlOffset` bytes are
    /// not data.
    pub(crate) fn elements(&self) -> impl Iterator<Item = Element> + use<'_, 'n, 'a, B> {
        // SAFETY: the list is live (type invariant).
        let n = unsafe { (*self.list).NumberOfElements } as usize;
        (0..n).map(move |i| {
            // SAFETY: `i < NumberOfElements`, so element `i` is in the list.
            let e = unsafe {
                (&raw const (*self.list).Elements)
                    .cast::<ffi::SCATTER_GATHER_ELEMENT>()
                    .add(i)
                    .read_unaligned()
            };
            Element {
                // SAFETY: the shim writes the address as a whole
                // (`QuadPart`).
                address: unsafe { e.Address.QuadPart } as u64,
                length: e.Length,
            }
        })
    }

    /// The data's pieces: [`Self::elements`] past `CurrentMdlOffset` bytes,
    /// `DataLength` bytes in all, as a miniport programs its descriptors.
    pub(crate) fn data_elements(&self) -> impl Iterator<Item = Element> + use<'_, 'n, 'a, B> {
        let mut skip = u64::from(self.nb.current_mdl_offset);
        let mut left = u64::from(self.nb.data_length);
        self.elements().filter_map(move |e| {
            let len = u64::from(e.length);
            if skip >= len || left == 0 {
                skip = skip.saturating_sub(len);
                return None;
            }
            let take = (len - skip).min(left);
            let piece = Element {
                address: e.address + skip,
                // At most `e.length`.
                length: take as u32,
            };
            skip = 0;
            left -= take;
            Some(piece)
        })
    }

    /// Whether the shim built the list in its own memory (the list needed
    /// more than `ScatterGatherListSize` bytes).
    pub(crate) fn in_own_memory(&self) -> bool {
        self.list.cast::<u64>() != self._buffer.as_ptr().cast_mut()
    }
}

impl<B: DmaBuffer> Drop for SgList<'_, '_, B> {
    fn drop(&mut self) {
        // SAFETY: handed out for this NET_BUFFER and not freed (type
        // invariant); freed once, here.
        unsafe { ffi::NdisMFreeNetBufferSGList(self.sg.raw, self.list, self.nb.raw()) };
    }
}

/// A NET_BUFFER whose data is `data_length` bytes at `data_offset` into a
/// chain of MDLs it owns.
///
/// # Invariants
///
/// `raw` is a zeroed NET_BUFFER whose `MdlChain` links the MDLs of `mdls`
/// in order, with `DataOffset`/`DataLength` (also kept as `data_offset`,
/// `data_length`) inside the chain and `CurrentMdl`/`CurrentMdlOffset`
/// (the offset also kept as `current_mdl_offset`) where the data starts.
pub(crate) struct NetBuffer<'a, B: DmaBuffer> {
    raw: KBox<ffi::NET_BUFFER>,
    mdls: KVec<Mdl<'a, B>>,
    data_offset: u32,
    data_length: u32,
    current_mdl_offset: u32,
}

// SAFETY: the raw NET_BUFFER only points at the MDLs it owns.
unsafe impl<B: DmaBuffer> Send for NetBuffer<'_, B> {}

impl<'a, B: DmaBuffer> NetBuffer<'a, B> {
    /// Chains `mdls`; the data is `data_length` bytes from `data_offset`.
    /// The refusals are the API's own, before any NDIS call (Windows has no
    /// such constructor): FAILURE without MDLs, INVALID_LENGTH for data
    /// beyond the chain.
    pub(crate) fn new(
        mut mdls: KVec<Mdl<'a, B>>,
        data_offset: u32,
        data_length: u32,
    ) -> Result<Self, Status> {
        if mdls.is_empty() {
            return Err(Status::FAILURE);
        }
        let total: u64 = mdls.iter().map(|m| u64::from(m.len())).sum();
        if u64::from(data_offset) + u64::from(data_length) > total {
            return Err(Status::INVALID_LENGTH);
        }
        let mut current: (ffi::PMDL, u32) = (core::ptr::null_mut(), 0);
        let mut seen = 0u64;
        for i in 0..mdls.len() {
            let next = mdls.get(i + 1).map_or(core::ptr::null_mut(), |m| m.raw());
            let m = &mut mdls[i];
            // SAFETY: the MDL is ours (owned by `mdls`); only its link is set.
            unsafe { (*m.raw()).Next = next };
            let len = u64::from(m.len());
            if current.0.is_null() && u64::from(data_offset) < seen + len {
                current = (m.raw(), (u64::from(data_offset) - seen) as u32);
            }
            seen += len;
        }
        let raw = KBox::new(
            ffi::NET_BUFFER {
                __bindgen_anon_1: ffi::_NET_BUFFER__bindgen_ty_1 {
                    NetBufferHeader: ffi::NET_BUFFER_HEADER {
                        NetBufferData: ffi::NET_BUFFER_DATA {
                            Next: core::ptr::null_mut(),
                            CurrentMdl: current.0,
                            CurrentMdlOffset: current.1,
                            // `stDataLength`: all of the `SIZE_T`, so its
                            // high half is zero.
                            __bindgen_anon_1: ffi::_NET_BUFFER_DATA__bindgen_ty_1 {
                                stDataLength: data_length.into(),
                            },
                            MdlChain: mdls[0].raw(),
                            DataOffset: data_offset,
                        },
                    },
                },
                ..Default::default()
            },
            GFP_KERNEL,
        )
        .map_err(|_| Status::RESOURCES)?;
        // INVARIANT: linked and checked above.
        Ok(Self {
            raw,
            mdls,
            data_offset,
            data_length,
            current_mdl_offset: current.1,
        })
    }

    fn raw(&mut self) -> ffi::PNET_BUFFER {
        &raw mut *self.raw
    }

    /// The MDLs, for the CPU (no list can be out: it borrows `self`).
    pub(crate) fn mdls(&self) -> &[Mdl<'a, B>] {
        &self.mdls
    }

    /// The MDLs, writable.
    pub(crate) fn mdls_mut(&mut self) -> &mut [Mdl<'a, B>] {
        &mut self.mdls
    }

    /// `DataOffset`.
    #[allow(dead_code, reason = "API accessor; not every miniport uses it")]
    pub(crate) fn data_offset(&self) -> u32 {
        self.data_offset
    }

    /// `DataLength`.
    #[allow(dead_code, reason = "API accessor; not every miniport uses it")]
    pub(crate) fn data_length(&self) -> u32 {
        self.data_length
    }
}

impl<B: DmaBuffer> Drop for NetBuffer<'_, B> {
    fn drop(&mut self) {
        // Unlink, so no freed MDL is reachable from another.
        for m in self.mdls.iter_mut() {
            // SAFETY: our own MDL; only its link is cleared.
            unsafe { (*m.raw()).Next = core::ptr::null_mut() };
        }
    }
}
