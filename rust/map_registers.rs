// SPDX-License-Identifier: GPL-2.0

//! NDIS 5 bus-master DMA: map registers and physical mapping.
//!
//! `NdisMAllocateMapRegisters` gives a bus-master adapter a set of map
//! registers; `NdisMStartBufferPhysicalMapping` maps a whole buffer (MDL)
//! under one of them and hands the miniport its device addresses, and
//! `NdisMCompleteBufferPhysicalMapping` finishes the transfer in the
//! direction remembered at Start. On Windows a map register is a page of
//! HAL bounce space; here a buffer is mapped in place (whole, or page by
//! page when it is not physically contiguous) and only bounced, through the
//! register's own coherent memory, when the device cannot reach it. The
//! slot rules are [`crate::physical_mapping`] (host tested).

use kernel::{
    device, new_spinlock_irq,
    page::PAGE_SIZE,
    prelude::*,
    sync::{aref::ARef, SpinLockIrq},
};

use crate::{
    adapter_core::AdapterCore,
    channel::{Direction, Mapping},
    dma::{
        self, BounceMemory, BounceStage, MapError, MapPolicy, StreamingMapping, TransferMapping,
    },
    mdl::{self, VaRange},
    physical_mapping::{self, ActiveMapping, Rejection},
    status::{Error, Result as NdisResult},
};

/// A buffer mapped under one map register: its pieces in address order,
/// each mapped in place, or one bounce stage.
type PhysicalMapping = KVec<TransferMapping>;

/// An adapter's map registers.
///
/// # Invariants
///
/// `bounce[i]` is map register `i`'s bounce memory, inside the policy's
/// limit; a bounced mapping in `slots[i]` points into it, and a mapping in
/// place was made for `device`. `slots` is declared first so it is dropped
/// (unmapped) before the memory it may point into and the device it was
/// mapped for.
pub(crate) struct MapRegisterFile {
    slots: KVec<Option<ActiveMapping<PhysicalMapping>>>,
    bounce: KVec<BounceMemory>,
    /// The reach `DmaSize` and the device give, decided at allocation.
    policy: MapPolicy,
    maximum_physical_mapping: u32,
    /// What every mapping in place borrows: one reference per allocation,
    /// so a file the adapter lets go of after its core (or after the
    /// device was unplugged) still unmaps through a live device.
    device: ARef<device::Device>,
}

impl MapRegisterFile {
    fn in_use(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }
}

/// An adapter's map registers, once `NdisMAllocateMapRegisters` made them.
#[pin_data]
pub(crate) struct MapRegisters {
    #[pin]
    file: SpinLockIrq<Option<MapRegisterFile>>,
}

impl MapRegisters {
    /// None yet.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(MapRegisters {
            file <- new_spinlock_irq!(None),
        })
    }

    /// Frees what the miniport left; whether there were any. PASSIVE,
    /// after halt: the device no longer runs.
    pub(crate) fn release(&self) -> bool {
        // Taken out under the lock, freed unlocked: bounce memory is
        // coherent memory.
        let file = self.file.lock().take();
        file.is_some()
    }

    /// The highest bus address the map registers' DMA adapter reaches
    /// (the device's and `DmaSize`'s), while they are allocated: an NDIS 5
    /// bus master's DMA adapter, which its shared memory is allocated for.
    /// Never sleeps.
    /// (map registers allocated, in use by a physical mapping), if the
    /// adapter has allocated them (debugfs).
    pub(crate) fn usage(&self) -> Option<(usize, usize)> {
        self.file
            .lock()
            .as_ref()
            .map(|file| (file.slots.len(), file.in_use()))
    }

    pub(crate) fn limit(&self) -> Option<u64> {
        self.file.lock().as_ref().map(|file| file.policy.limit())
    }
}

/// `NdisMAllocateMapRegisters`. PASSIVE: allocates the bounce memory.
pub(crate) fn allocate(
    registers: &MapRegisters,
    adapter: &AdapterCore,
    dma_size: u8,
    count: u32,
    maximum_physical_mapping: u32,
) -> NdisResult {
    // As on Windows: a miniport that is not a bus master gets nothing.
    if !adapter.is_bus_master() {
        return Ok(());
    }
    let arg_limit = physical_mapping::dma_size_limit(dma_size)?;
    physical_mapping::validate_allocation(count, maximum_physical_mapping)?;
    if registers.file.lock().is_some() {
        return Err(Error::Resources);
    }
    // DmaSize can only narrow what the device reaches.
    let limit = dma::dma_limit(adapter.device()).min(arg_limit);
    let mut bounce = KVec::with_capacity(count as usize, GFP_KERNEL)?;
    let mut slots = KVec::with_capacity(count as usize, GFP_KERNEL)?;
    for _ in 0..count {
        let guard = adapter.coherent_allocation();
        let mem = BounceMemory::new_within(
            adapter.bound_device(),
            maximum_physical_mapping as usize,
            limit,
            &guard,
        )?;
        drop(guard);
        if mem.device_address() + mem.len() as u64 - 1 > limit {
            dev_err!(
                adapter.device(),
                "map register memory at {:#x} is beyond DmaSize's reach {:#x}\n",
                mem.device_address(),
                limit
            );
            return Err(Error::Resources);
        }
        bounce.push(mem, GFP_KERNEL)?;
        slots.push(None, GFP_KERNEL)?;
    }
    let file = MapRegisterFile {
        slots,
        bounce,
        policy: MapPolicy::new(adapter.device(), limit),
        maximum_physical_mapping,
        device: adapter.device().into(),
    };
    let mut guard = registers.file.lock();
    if guard.is_some() {
        drop(guard);
        return Err(Error::Resources);
    }
    *guard = Some(file);
    Ok(())
}

/// `NdisMFreeMapRegisters`. PASSIVE: frees the bounce memory.
pub(crate) fn free(registers: &MapRegisters, adapter: &AdapterCore) {
    // Not a bus master, or never allocated: nothing to free, as on Windows.
    let Some(file) = registers.file.lock().take() else {
        return;
    };
    if file.in_use() > 0 {
        adapter.reject(
            "NdisMFreeMapRegisters",
            "physical mappings not completed; unmapped",
        );
    }
    drop(file);
}

/// Maps all of `range` in place: as one piece, or page by page.
///
/// # Safety
///
/// `range` must be kernel memory as an MDL's decoding accepts it (see
/// [`StreamingMapping::new`]) that stays allocated until the mapping is
/// dropped; `device` must outlive the mapping.
unsafe fn map_in_place(
    device: &device::Device,
    range: VaRange,
    dir: Direction,
    policy: &MapPolicy,
) -> core::result::Result<PhysicalMapping, MapError> {
    let mut pieces = KVec::new();
    // SAFETY: `range` and `device` by this function's safety requirement.
    match unsafe { StreamingMapping::new(device, range, dir, policy) } {
        Ok(m) => {
            pieces
                .push(TransferMapping::Direct(m), GFP_ATOMIC)
                .map_err(|_| MapError::Failed)?;
            return Ok(pieces);
        }
        Err(MapError::Failed) => return Err(MapError::Failed),
        Err(MapError::NeedsBounce) => {}
    }
    for chunk in mdl::page_chunks(range, PAGE_SIZE) {
        let piece = VaRange {
            start: chunk.va,
            len: chunk.len,
        };
        // SAFETY: a part of `range`, and `device`, by this function's
        // safety requirement.
        let m = unsafe { StreamingMapping::new_in_page(device, piece, dir, policy) }?;
        pieces
            .push(TransferMapping::Direct(m), GFP_ATOMIC)
            .map_err(|_| MapError::Failed)?;
    }
    Ok(pieces)
}

/// Maps `range` for the device: in place where it can reach it, else staged
/// in `bounce`.
///
/// # Safety
///
/// `range` must be kernel memory as an MDL's decoding accepts it (see
/// [`StreamingMapping::new`]) that stays allocated until the mapping is
/// dropped; `device` and `bounce` must outlive the mapping.
unsafe fn map_buffer(
    adapter: &AdapterCore,
    device: &device::Device,
    range: VaRange,
    dir: Direction,
    policy: &MapPolicy,
    bounce: &BounceMemory,
) -> NdisResult<PhysicalMapping> {
    // A device-to-host buffer sharing cache lines with other memory is
    // bounced, as for system DMA.
    if dir == Direction::ToDevice || !policy.shares_cache_line(range) {
        // SAFETY: by this function's safety requirement.
        match unsafe { map_in_place(device, range, dir, policy) } {
            Ok(pieces) => {
                adapter.count_transfer(false);
                return Ok(pieces);
            }
            Err(MapError::Failed) => return Err(Error::Resources),
            Err(MapError::NeedsBounce) => {}
        }
    }
    // SAFETY: by this function's safety requirement.
    let stage = unsafe { BounceStage::new(bounce, range, dir) }.map_err(|_| Error::Resources)?;
    let mut pieces = KVec::new();
    pieces.push(TransferMapping::Bounce(stage), GFP_ATOMIC)?;
    adapter.count_transfer(true);
    Ok(pieces)
}

/// `NdisMStartBufferPhysicalMapping`: maps the buffer and reports each
/// piece through `out` (index, bus address, length), at most one per page
/// of the buffer's span. Returns the number of pieces. Never sleeps.
///
/// `buffer` is the MDL's address and contents (`None` for NULL); its memory
/// is the miniport's to keep valid until the mapping is completed. `out` is
/// `None` for a NULL `PhysicalAddressArray`.
pub(crate) fn start(
    registers: &MapRegisters,
    adapter: &AdapterCore,
    buffer: Option<(usize, mdl::MdlView)>,
    index: u32,
    dir: Direction,
    out: Option<impl FnMut(usize, u64, u32)>,
) -> Option<u32> {
    const CALL: &str = "NdisMStartBufferPhysicalMapping";
    let (Some((mdl, view)), Some(mut out)) = (buffer, out) else {
        adapter.reject(CALL, "NULL buffer or address array");
        return None;
    };
    let Ok(range) = mdl::transfer_range(&view, 0, view.byte_count, view.byte_count) else {
        adapter.reject(CALL, "buffer's address range overflows");
        return None;
    };
    let mut guard = registers.file.lock();
    let Some(file) = (*guard).as_mut() else {
        drop(guard);
        adapter.reject(CALL, Rejection::NoMapRegisters.reason());
        return None;
    };
    let MapRegisterFile {
        slots,
        bounce,
        policy,
        maximum_physical_mapping,
        device,
    } = file;
    let result = physical_mapping::start(
        slots,
        index,
        mdl,
        range.len,
        *maximum_physical_mapping,
        dir,
        || {
            let bounce = bounce.get(index as usize).ok_or(Error::InvalidParameter)?;
            // SAFETY: the MDL's memory, decoded (and checked to be kernel
            // memory) by `mdl_view`, stays valid until Complete (NDIS's
            // rule, the miniport's promise); the register's bounce memory
            // and the file's device reference live as long as the file
            // that holds this mapping (type invariant).
            unsafe { map_buffer(adapter, device, range, dir, policy, bounce) }
        },
    );
    let pieces = match result {
        Ok(pieces) => pieces,
        Err(why) => {
            drop(guard);
            adapter.reject(CALL, why.reason());
            return None;
        }
    };
    for (i, piece) in pieces.iter().enumerate() {
        out(i, piece.device_address(), piece.len() as u32);
    }
    Some(pieces.len() as u32)
}

/// `NdisMCompleteBufferPhysicalMapping`. Never sleeps.
///
/// `mdl` is the address the miniport passed: only compared.
pub(crate) fn complete(registers: &MapRegisters, adapter: &AdapterCore, mdl: usize, index: u32) {
    const CALL: &str = "NdisMCompleteBufferPhysicalMapping";
    // Finished and unmapped under the lock: a bounced buffer is copied back
    // from the register's memory, which `free` drops only after taking the
    // whole file out under this lock.
    let mut guard = registers.file.lock();
    let result = match (*guard).as_mut() {
        Some(file) => physical_mapping::complete(&mut file.slots, index, mdl),
        None => Err(Rejection::NoMapRegisters),
    };
    match result {
        Ok(mut active) => {
            if active.dir == Direction::FromDevice {
                for piece in active.mapping.iter_mut() {
                    piece.finish_for_cpu();
                }
            }
            drop(active);
        }
        Err(why) => {
            drop(guard);
            adapter.reject(CALL, why.reason());
        }
    }
}
