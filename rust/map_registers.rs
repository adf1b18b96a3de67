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
//!
//! Start and Complete are a NIC's send path (one per frame), so they take
//! no lock and allocate nothing: the register file is published once and
//! read inside the call's dispatch section, which is an RCU read-side
//! section (Free takes it out and waits for a grace period before
//! unmapping what is left and freeing it), and each
//! register is claimed on its own (see [`crate::claim`]), so mapping,
//! the bounce copy and unmapping run with interrupts on and two registers
//! used on two CPUs share nothing. The list of a buffer's pieces is
//! allocated with the register, for the longest buffer it can map.

use core::ptr;
use kernel::{
    device, new_mutex,
    page::PAGE_SIZE,
    prelude::*,
    sync::{
        aref::ARef,
        atomic::{Acquire, Atomic, Relaxed, Release},
        rcu, Mutex,
    },
};

use crate::{
    adapter_core::{AdapterCore, TransferCounts},
    channel::{Direction, Mapping},
    claim::{Claim, Claimable, Dispatch},
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

/// The phases of an unclaimed register's [`Claimable`]: whether it maps a
/// buffer, for debugfs to count without claiming it.
const UNMAPPED: u32 = 1;
const MAPPED: u32 = 2;

/// One map register: what it maps, and the piece list it maps into.
///
/// Aligned to a cache line: registers used on different CPUs (a send path
/// on each) write nothing the other reads.
#[repr(align(64))]
struct Register {
    /// Claimed by Start and Complete.
    state: Claimable<RegisterState>,
    /// Buffers mapped under this register (in place, bounced).
    transfers: TransferCounts,
}

struct RegisterState {
    /// The buffer mapped now, if any.
    active: Option<ActiveMapping<PhysicalMapping>>,
    /// An empty piece list with room for the longest buffer, while
    /// nothing is mapped: Start fills it without allocating.
    spare: PhysicalMapping,
}

/// An adapter's map registers.
///
/// # Invariants
///
/// `bounce[i]` is map register `i`'s bounce memory, inside the policy's
/// limit; a bounced mapping in `registers[i]` points into it, and a mapping
/// in place was made for `device`. `registers` is declared first so it is
/// dropped (unmapped) before the memory it may point into and the device
/// it was mapped for.
pub(crate) struct MapRegisterFile {
    registers: KVec<Register>,
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
    /// Registers mapping a buffer now. Exact once no Start or Complete can
    /// run (the file is unpublished and a grace period has passed); a
    /// snapshot otherwise.
    fn in_use(&mut self) -> usize {
        self.registers
            .iter_mut()
            .map(|r| r.state.get_mut().active.is_some())
            .filter(|&mapped| mapped)
            .count()
    }
}

/// An adapter's map registers, once `NdisMAllocateMapRegisters` made them.
///
/// # Invariants
///
/// `file` is NULL or [`KBox::into_raw`] of the adapter's file, published
/// under `update`; whoever takes it out (under `update`) waits for an RCU
/// grace period before freeing it, so a reader inside an RCU read-side
/// section (a [`Dispatch`] is one) may use what it loaded until the
/// section ends.
#[pin_data(PinnedDrop)]
pub(crate) struct MapRegisters {
    file: Atomic<*mut MapRegisterFile>,
    /// Serialises Allocate and Free (and the adapter's release).
    #[pin]
    update: Mutex<()>,
}

// SAFETY: the file is reached through the atomic pointer only, inside an
// RCU read-side section (readers) or after taking it out under `update`; its
// registers are claimed one caller at a time, its other fields never
// change after it is published.
unsafe impl Sync for MapRegisters {}
// SAFETY: owning the pointer is owning the file, which is `Send`.
unsafe impl Send for MapRegisters {}

impl MapRegisters {
    /// None yet.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(MapRegisters {
            file: Atomic::new(ptr::null_mut()),
            update <- new_mutex!(()),
        })
    }

    /// Takes the file out and frees it once no Start or Complete can be
    /// using it. PASSIVE: waits for a grace period.
    fn take(&self) -> Option<KBox<MapRegisterFile>> {
        let guard = self.update.lock();
        let old = self.file.xchg(ptr::null_mut(), Relaxed);
        drop(guard);
        if old.is_null() {
            return None;
        }
        // Every reader that could have loaded `old` is in an RCU read-side
        // section that began before the exchange.
        rcu::synchronize_rcu();
        // SAFETY: `old` came from `KBox::into_raw` (type invariant), was
        // taken out above so no one else will free it, and no reader holds
        // it any more (the grace period).
        Some(unsafe { KBox::from_raw(old) })
    }

    /// The file, if there is one, for as long as the caller's dispatch
    /// section (an RCU read-side section) lives. Never sleeps.
    fn file_at<'a>(&'a self, _at: &'a Dispatch) -> Option<&'a MapRegisterFile> {
        let file = self.file.load(Acquire);
        // SAFETY: NULL, or a published file that is freed only after a
        // grace period (type invariant), which `_at`, entered before the
        // load, holds back.
        unsafe { file.as_ref() }
    }

    /// Runs `f` on the file, if there is one. Never sleeps.
    fn with_file<R>(&self, f: impl FnOnce(&MapRegisterFile) -> R) -> Option<R> {
        let dispatch = Dispatch::enter();
        self.file_at(&dispatch).map(f)
    }

    /// Frees what the miniport left; whether there were any. PASSIVE,
    /// after halt: the device no longer runs.
    pub(crate) fn release(&self, adapter: &AdapterCore) -> bool {
        self.take().map(|file| retire(file, adapter)).is_some()
    }

    /// The highest bus address the map registers' DMA adapter reaches
    /// (the device's and `DmaSize`'s), while they are allocated: an NDIS 5
    /// bus master's DMA adapter, which its shared memory is allocated for.
    /// Never sleeps.
    pub(crate) fn limit(&self) -> Option<u64> {
        self.with_file(|file| file.policy.limit())
    }

    /// (map registers allocated, in use by a physical mapping), if the
    /// adapter has allocated them (debugfs). Never sleeps.
    pub(crate) fn usage(&self) -> Option<(usize, usize)> {
        self.with_file(|file| {
            // A register claimed this moment counts as in use.
            let in_use = file
                .registers
                .iter()
                .filter(|r| r.state.phase() != UNMAPPED)
                .count();
            (file.registers.len(), in_use)
        })
    }

    /// Buffers mapped (in place, bounced) under the registers allocated
    /// now. Never sleeps.
    pub(crate) fn transfers(&self) -> (u64, u64) {
        self.with_file(|file| {
            file.registers.iter().fold((0, 0), |(m, b), r| {
                let (rm, rb) = r.transfers.get();
                (m + rm, b + rb)
            })
        })
        .unwrap_or((0, 0))
    }
}

#[pinned_drop]
impl PinnedDrop for MapRegisters {
    fn drop(self: Pin<&mut Self>) {
        // The adapter's release took the file out already, unless it never
        // ran (a failed initialization): no reader can exist then.
        let file = self.file.load(Relaxed);
        if !file.is_null() {
            // SAFETY: from `KBox::into_raw` (type invariant); `self` is
            // going away, so nothing else can reach it.
            drop(unsafe { KBox::from_raw(file) });
        }
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
    let update = registers.update.lock();
    if !registers.file.load(Relaxed).is_null() {
        return Err(Error::Resources);
    }
    // DmaSize can only narrow what the device reaches.
    let limit = dma::dma_limit(adapter.device()).min(arg_limit);
    // The most pieces a buffer maps into: one per page it spans.
    let most_pieces = (maximum_physical_mapping as usize).div_ceil(PAGE_SIZE) + 1;
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
        slots.push(
            Register {
                state: Claimable::new(
                    RegisterState {
                        active: None,
                        spare: KVec::with_capacity(most_pieces, GFP_KERNEL)?,
                    },
                    UNMAPPED,
                ),
                transfers: TransferCounts::new(),
            },
            GFP_KERNEL,
        )?;
    }
    let file = KBox::new(
        MapRegisterFile {
            registers: slots,
            bounce,
            policy: MapPolicy::new(adapter.device(), limit),
            maximum_physical_mapping,
            device: adapter.device().into(),
        },
        GFP_KERNEL,
    )?;
    // INVARIANT: published under `update`.
    registers.file.store(KBox::into_raw(file), Release);
    drop(update);
    Ok(())
}

/// `NdisMFreeMapRegisters`. PASSIVE: frees the bounce memory.
pub(crate) fn free(registers: &MapRegisters, adapter: &AdapterCore) {
    // Not a bus master, or never allocated: nothing to free, as on Windows.
    let Some(mut file) = registers.take() else {
        return;
    };
    if file.in_use() > 0 {
        adapter.reject(
            "NdisMFreeMapRegisters",
            "physical mappings not completed; unmapped",
        );
    }
    retire(file, adapter);
}

/// Frees a file taken out, its counts handed to the adapter. PASSIVE.
fn retire(file: KBox<MapRegisterFile>, adapter: &AdapterCore) {
    for register in file.registers.iter() {
        adapter.transfers.absorb(&register.transfers);
    }
    // Unmaps what is still mapped, then frees the bounce memory.
    drop(file);
}

/// Maps all of `range` in place into `pieces` (empty, with room for a
/// piece per page): as one piece, or page by page. On failure `pieces` is
/// left empty (what was mapped is unmapped).
///
/// # Safety
///
/// `range` must be kernel memory as an MDL's decoding accepts it (see
/// [`StreamingMapping::new`]) that stays allocated until the mapping is
/// dropped; `device` must outlive the mapping.
unsafe fn map_in_place(
    pieces: &mut PhysicalMapping,
    device: &device::Device,
    range: VaRange,
    dir: Direction,
    policy: &MapPolicy,
) -> core::result::Result<(), MapError> {
    // SAFETY: `range` and `device` by this function's safety requirement.
    match unsafe { StreamingMapping::new(device, range, dir, policy) } {
        Ok(m) => {
            // Within the capacity allocated with the register: no allocation.
            return pieces
                .push(TransferMapping::Direct(m), GFP_ATOMIC)
                .map_err(|_| MapError::Failed);
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
        let mapped =
            unsafe { StreamingMapping::new_in_page(device, piece, dir, policy) }.and_then(|m| {
                pieces
                    .push(TransferMapping::Direct(m), GFP_ATOMIC)
                    .map_err(|_| MapError::Failed)
            });
        if let Err(e) = mapped {
            pieces.clear();
            return Err(e);
        }
    }
    Ok(())
}

/// Maps `range` for the device into `pieces` (empty, with room for a piece
/// per page): in place where it can reach it, else staged in `bounce`.
/// Returns whether it was bounced; on failure `pieces` is left empty.
///
/// # Safety
///
/// `range` must be kernel memory as an MDL's decoding accepts it (see
/// [`StreamingMapping::new`]) that stays allocated until the mapping is
/// dropped; `device` and `bounce` must outlive the mapping.
unsafe fn map_buffer(
    pieces: &mut PhysicalMapping,
    device: &device::Device,
    range: VaRange,
    dir: Direction,
    policy: &MapPolicy,
    bounce: &BounceMemory,
) -> NdisResult<bool> {
    // A device-to-host buffer sharing cache lines with other memory is
    // bounced, as for system DMA.
    if dir == Direction::ToDevice || !policy.shares_cache_line(range) {
        // SAFETY: by this function's safety requirement.
        match unsafe { map_in_place(pieces, device, range, dir, policy) } {
            Ok(()) => return Ok(false),
            Err(MapError::Failed) => return Err(Error::Resources),
            Err(MapError::NeedsBounce) => {}
        }
    }
    // SAFETY: by this function's safety requirement.
    let stage = unsafe { BounceStage::new(bounce, range, dir) }.map_err(|_| Error::Resources)?;
    pieces.push(TransferMapping::Bounce(stage), GFP_ATOMIC)?;
    Ok(true)
}

/// Claims register `index` of `file` in the section `at`: `Err(BadIndex)`
/// if there is no such register, `Ok(None)` in hard-IRQ context while
/// another call holds it.
fn claim<'a>(
    file: &'a MapRegisterFile,
    index: u32,
    at: &'a Dispatch,
) -> core::result::Result<Option<(&'a Register, Claim<'a, RegisterState>)>, Rejection> {
    let register = file
        .registers
        .get(index as usize)
        .ok_or(Rejection::BadIndex)?;
    Ok(register.state.claim_at(at, |_| true).map(|c| (register, c)))
}

/// The phase a register is left in.
fn phase_of(state: &RegisterState) -> u32 {
    if state.active.is_some() {
        MAPPED
    } else {
        UNMAPPED
    }
}

/// Why a claim was not had, as a rejection to log.
const CLAIM_REFUSED: &str = "called in hard-IRQ context while another call holds the map register";

/// `NdisMStartBufferPhysicalMapping`: maps the buffer and reports each
/// piece through `out` (index, bus address, length), at most one per page
/// of the buffer's span. Returns the number of pieces. Never sleeps; takes
/// no lock and allocates nothing.
///
/// `buffer` is the MDL's address and contents (`None` for NULL); its memory
/// is the miniport's to keep valid until the mapping is completed. `out` is
/// `None` for a NULL `PhysicalAddressArray`. `at` is the caller's dispatch
/// section, in which it found the adapter.
pub(crate) fn start(
    registers: &MapRegisters,
    adapter: &AdapterCore,
    buffer: Option<(usize, mdl::MdlView)>,
    index: u32,
    dir: Direction,
    out: Option<impl FnMut(usize, u64, u32)>,
    at: &Dispatch,
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
    let result = registers.file_at(at).map(|file| {
        let (register, mut claim) = match claim(file, index, at) {
            Ok(Some(claimed)) => claimed,
            Ok(None) => return Err(CLAIM_REFUSED),
            Err(why) => return Err(why.reason()),
        };
        let RegisterState { active, spare } = &mut *claim;
        let mapped = physical_mapping::start(
            active,
            mdl,
            range.len,
            file.maximum_physical_mapping,
            dir,
            || {
                let bounce = file
                    .bounce
                    .get(index as usize)
                    .ok_or(Error::InvalidParameter)?;
                let mut pieces = core::mem::take(spare);
                // SAFETY: the MDL's memory, decoded (and checked to be kernel
                // memory) by `mdl_view`, stays valid until Complete (NDIS's
                // rule, the miniport's promise); the register's bounce memory
                // and the file's device reference live as long as the file
                // that holds this mapping (type invariant).
                match unsafe {
                    map_buffer(&mut pieces, &file.device, range, dir, &file.policy, bounce)
                } {
                    Ok(bounced) => {
                        register.transfers.count(bounced);
                        Ok(pieces)
                    }
                    Err(e) => {
                        *spare = pieces;
                        Err(e)
                    }
                }
            },
        );
        let result = match mapped {
            Ok(pieces) => {
                for (i, piece) in pieces.iter().enumerate() {
                    out(i, piece.device_address(), piece.len() as u32);
                }
                Ok(pieces.len() as u32)
            }
            Err(why) => Err(why.reason()),
        };
        let phase = phase_of(&claim);
        claim.release(phase);
        result
    });
    match result.unwrap_or(Err(Rejection::NoMapRegisters.reason())) {
        Ok(pieces) => Some(pieces),
        Err(why) => {
            adapter.reject(CALL, why);
            None
        }
    }
}

/// `NdisMCompleteBufferPhysicalMapping`. Never sleeps; takes no lock.
///
/// `mdl` is the address the miniport passed: only compared. `at` is the
/// caller's dispatch section, in which it found the adapter.
pub(crate) fn complete(
    registers: &MapRegisters,
    adapter: &AdapterCore,
    mdl: usize,
    index: u32,
    at: &Dispatch,
) {
    const CALL: &str = "NdisMCompleteBufferPhysicalMapping";
    // Finished and unmapped under the register's claim: a bounced buffer is
    // copied back from the register's memory, which `free` drops only after
    // taking the file out and waiting for this call's RCU section.
    let result = registers.file_at(at).map(|file| {
        let (_, mut claim) = match claim(file, index, at) {
            Ok(Some(claimed)) => claimed,
            Ok(None) => return Err(CLAIM_REFUSED),
            Err(why) => return Err(why.reason()),
        };
        let state = &mut *claim;
        let result = match physical_mapping::complete(&mut state.active, mdl) {
            Ok(active) => {
                let ActiveMapping {
                    dir,
                    mapping: mut pieces,
                    ..
                } = active;
                if dir == Direction::FromDevice {
                    for piece in pieces.iter_mut() {
                        piece.finish_for_cpu();
                    }
                }
                // Unmaps; the emptied list is the register's again.
                pieces.clear();
                state.spare = pieces;
                Ok(())
            }
            Err(why) => Err(why.reason()),
        };
        let phase = phase_of(&claim);
        claim.release(phase);
        result
    });
    if let Err(why) = result.unwrap_or(Err(Rejection::NoMapRegisters.reason())) {
        adapter.reject(CALL, why);
    }
}
