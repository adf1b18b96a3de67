// SPDX-License-Identifier: GPL-2.0

//! Thin wrappers over the Linux DMA-mapping API: a streaming mapping that
//! unmaps on `Drop`, and the channel's bounce memory (Windows' map
//! registers: coherent memory inside the device's reach).
//!
//! All policy (when to bounce, what a failure means) lives in
//! [`crate::system_dma`] and the host-tested [`crate::channel`].

use core::{
    ffi::{c_int, c_void},
    ptr::NonNull,
};
use kernel::{
    bindings, device,
    dma::Coherent,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        MutexGuard,
    },
};

use crate::{
    channel::{Direction, Mapping},
    mdl::VaRange,
};

extern "C" {
    fn ndis_shim_dma_map(
        dev: *mut c_void,
        va: *mut c_void,
        len: usize,
        dir: bindings::dma_data_direction,
        limit: u64,
        reach_all: bool,
        addr: *mut bindings::dma_addr_t,
    ) -> c_int;
    fn ndis_shim_dma_map_in_page(
        dev: *mut c_void,
        va: *mut c_void,
        len: usize,
        dir: bindings::dma_data_direction,
        limit: u64,
        reach_all: bool,
        addr: *mut bindings::dma_addr_t,
    ) -> c_int;
    fn ndis_shim_dma_reach_all(dev: *mut c_void, limit: u64) -> bool;
    fn ndis_shim_dma_unmap(
        dev: *mut c_void,
        addr: bindings::dma_addr_t,
        len: usize,
        dir: bindings::dma_data_direction,
    );
    fn ndis_shim_dma_sync_for_cpu(
        dev: *mut c_void,
        addr: bindings::dma_addr_t,
        len: usize,
        dir: bindings::dma_data_direction,
    );
    fn ndis_shim_dma_limit(dev: *mut c_void) -> u64;
    fn ndis_shim_dma_cacheline() -> u32;
}

/// What mapping for one device within one limit must check, decided once
/// (when a channel is registered) rather than on every transfer: none of
/// it changes while the device is bound.
#[derive(Clone, Copy)]
pub(crate) struct MapPolicy {
    /// The highest bus address a transfer may use.
    limit: u64,
    /// Every buffer is within reach (an IOMMU, or all of RAM below
    /// `limit` with no forced bouncing): no per-buffer reach check.
    reach_all: bool,
    /// The line size DMA-API debug tracks device-to-host mappings in (and
    /// the CPU's cache line).
    cache_line: usize,
}

impl MapPolicy {
    /// The policy for `dev` within `limit`.
    pub(crate) fn new(dev: &device::Device, limit: u64) -> Self {
        Self {
            limit,
            // SAFETY: `raw_device` gives a valid device for the call.
            reach_all: unsafe { ndis_shim_dma_reach_all(raw_device(dev), limit) },
            // SAFETY: a constant query.
            cache_line: unsafe { ndis_shim_dma_cacheline() } as usize,
        }
    }

    /// The highest bus address a transfer may use.
    pub(crate) fn limit(&self) -> u64 {
        self.limit
    }

    /// Whether every buffer is within reach, so no per-buffer reach check
    /// is needed (`ndis_shim_dma_reach_all`).
    pub(crate) fn reach_all(&self) -> bool {
        self.reach_all
    }

    /// Whether a device-to-host transfer of `range` must be bounced because
    /// it shares a cache line with other memory: where DMA is not
    /// cache-coherent the CPU could write that line back over the device's
    /// data (and DMA-API debug reports two such mappings side by side as
    /// overlapping there).
    pub(crate) fn shares_cache_line(&self, range: VaRange) -> bool {
        let (head, _, tail) = crate::mdl::cache_line_split(range, self.cache_line);
        head.is_some() || tail.is_some()
    }
}

/// The raw `struct device *` behind a [`device::Device`].
pub(crate) fn raw_device<Ctx: device::DeviceContext>(dev: &device::Device<Ctx>) -> *mut c_void {
    // CAST: `device::Device` is `#[repr(transparent)]` over `Opaque<bindings::device>`,
    // which is `#[repr(transparent)]` over the C struct: the addresses are the same.
    core::ptr::from_ref(dev).cast_mut().cast()
}

pub(crate) fn c_direction(dir: Direction) -> bindings::dma_data_direction {
    match dir {
        Direction::ToDevice => bindings::dma_data_direction::DMA_TO_DEVICE,
        Direction::FromDevice => bindings::dma_data_direction::DMA_FROM_DEVICE,
    }
}

/// The highest bus address `dev` can reach with streaming DMA.
pub(crate) fn dma_limit(dev: &device::Device) -> u64 {
    // SAFETY: `raw_device` gives a valid `struct device` for as long as `dev` lives.
    unsafe { ndis_shim_dma_limit(raw_device(dev)) }
}

/// Fault injection: the next this-many streaming mappings fail as if the
/// IOMMU or the swiotlb pool were out of space (debugfs
/// `ndis_shim/fail_maps`), so tests can show every mapping site fails
/// cleanly.
pub(crate) static FAIL_MAPS: Atomic<u32> = Atomic::new(0);

/// Takes one injected mapping failure, if any are armed.
pub(crate) fn injected_map_failure() -> bool {
    take_injected(&FAIL_MAPS)
}

/// Takes one failure from a fault-injection counter (debugfs), if any are
/// armed: counts it down and answers true.
pub(crate) fn take_injected(counter: &Atomic<u32>) -> bool {
    let mut armed = counter.load(Relaxed);
    while armed > 0 {
        match counter.cmpxchg(armed, armed - 1, Relaxed) {
            Ok(_) => return true,
            Err(now) => armed = now,
        }
    }
    false
}

/// Why a range could not be mapped for streaming DMA.
pub(crate) enum MapError {
    /// Not one physically contiguous range, or not reachable by the device:
    /// the data has to go through bounce memory.
    NeedsBounce,
    /// The mapping itself failed (no IOVA space, no swiotlb slot).
    Failed,
}

/// A streaming DMA mapping of a kernel-virtual range.
///
/// # Invariants
///
/// `addr`, `len` and `dir` describe a live mapping of `dev` made by
/// `ndis_shim_dma_map` or `ndis_shim_dma_map_in_page` (checked with
/// `dma_mapping_error`; both map "single" mappings); it is unmapped
/// exactly once, in `Drop`. `dev` is valid until then.
///
/// The device is borrowed, not referenced: a reference per mapping would
/// be a `get_device`/`put_device` pair on every Setup and Complete, and the
/// adapter that maps already keeps its device alive for longer than any of
/// its mappings (it drops them while the device is bound).
pub(crate) struct StreamingMapping {
    dev: NonNull<device::Device>,
    addr: bindings::dma_addr_t,
    len: usize,
    dir: Direction,
}

// SAFETY: a `struct device` may be used from any thread, and DMA-API calls
// on a mapping are not tied to the context that made it.
unsafe impl Send for StreamingMapping {}

impl StreamingMapping {
    /// Maps `range` for a transfer in `dir`, within `policy` (made for `dev`).
    /// The unmap in `Drop` does not touch the memory.
    ///
    /// Never sleeps.
    ///
    /// # Safety
    /// `range`: kernel memory as `net_buffer::mdl_view` accepts it, allocated while the device
    /// may access it and until the last [`Self::sync_for_cpu`]; `dev` outlives the mapping.
    pub(crate) unsafe fn new(
        dev: &device::Device,
        range: VaRange,
        dir: Direction,
        policy: &MapPolicy,
    ) -> core::result::Result<Self, MapError> {
        // SAFETY: forwarded from this function's safety requirement.
        unsafe { Self::map_with(ndis_shim_dma_map, dev, range, dir, policy) }
    }

    /// Like [`Self::new`], for a range inside one page that need not be in
    /// the linear map (a page of a vmalloc buffer).
    ///
    /// # Safety
    /// `range`: kernel memory inside one page, allocated while the device may access it and
    /// until the last [`Self::sync_for_cpu`]; `dev` outlives the mapping.
    pub(crate) unsafe fn new_in_page(
        dev: &device::Device,
        range: VaRange,
        dir: Direction,
        policy: &MapPolicy,
    ) -> core::result::Result<Self, MapError> {
        // SAFETY: forwarded from this function's safety requirement.
        unsafe { Self::map_with(ndis_shim_dma_map_in_page, dev, range, dir, policy) }
    }

    // Always inlined: `map` is then a direct call on the Setup hot path,
    // not an indirect one through a retpoline.
    #[inline(always)]
    /// Maps `range` with `map`, one of the shim's C map helpers
    /// (`ndis_shim_dma_map`: all in the linear map or all in vmalloc space;
    /// `ndis_shim_dma_map_in_page`: inside one page).
    ///
    /// # Safety
    /// `range`: kernel memory `map` accepts, allocated while the device may access it and until
    /// the last [`Self::sync_for_cpu`]; `dev` outlives the mapping.
    unsafe fn map_with(
        map: unsafe extern "C" fn(
            *mut c_void,
            *mut c_void,
            usize,
            bindings::dma_data_direction,
            u64,
            bool,
            *mut bindings::dma_addr_t,
        ) -> c_int,
        dev: &device::Device,
        range: VaRange,
        dir: Direction,
        policy: &MapPolicy,
    ) -> core::result::Result<Self, MapError> {
        if injected_map_failure() {
            return Err(MapError::Failed);
        }
        let mut addr: bindings::dma_addr_t = 0;
        // SAFETY: `dev` is a valid device; `range` is kernel memory by this
        // function's safety requirement; `addr` is a valid out pointer.
        let ret = unsafe {
            map(
                raw_device(dev),
                range.start as *mut c_void,
                range.len,
                c_direction(dir),
                policy.limit,
                policy.reach_all,
                &mut addr,
            )
        };
        match -ret {
            // INVARIANT: mapped and checked by the helper; `dev` outlives
            // the mapping by this function's safety requirement.
            0 => Ok(Self {
                dev: NonNull::from(dev),
                addr,
                len: range.len,
                dir,
            }),
            e if e == bindings::EFAULT as c_int || e == bindings::ERANGE as c_int => {
                Err(MapError::NeedsBounce)
            }
            _ => Err(MapError::Failed),
        }
    }

    pub(crate) fn device_address(&self) -> u64 {
        self.addr
    }

    fn raw_device(&self) -> *mut c_void {
        self.dev.as_ptr().cast()
    }

    /// Hands the memory back to the CPU after a device-to-host transfer.
    pub(crate) fn sync_for_cpu(&self) {
        // SAFETY: by the type invariant the mapping and its device are live.
        unsafe {
            ndis_shim_dma_sync_for_cpu(
                self.raw_device(),
                self.addr,
                self.len,
                c_direction(self.dir),
            )
        }
    }
}

impl Drop for StreamingMapping {
    /// Unmaps without a sync for the CPU: a coherent completion synced
    /// first ([`Self::sync_for_cpu`]); memory released incoherent is the
    /// miniport's again, and a swiotlb slot copied back now would write
    /// over whatever it put there since.
    fn drop(&mut self) {
        // SAFETY: by the type invariant the mapping and its device are live,
        // and this is the only place that unmaps it.
        unsafe {
            ndis_shim_dma_unmap(
                self.raw_device(),
                self.addr,
                self.len,
                c_direction(self.dir),
            )
        }
    }
}

/// Runs `alloc`, a coherent allocation for `dev`, with the device's
/// coherent mask narrowed to `limit` (an all-ones mask) when that is
/// narrower: 24-bit NDIS DMA then gets `ZONE_DMA` memory (or a low IOVA;
/// under `swiotlb=force` a streaming map of low memory would bounce above
/// 16 MiB, so only a coherent allocation serves). `serialized` is the
/// device's coherent-allocation lock (`AdapterCore::coherent_allocation`),
/// held across the narrowing and the restore, so no other allocation of
/// the shim sees the narrow mask or restores it under this one; streaming
/// maps use the streaming mask, which is never changed. PASSIVE only.
pub(crate) fn within_coherent_limit<T>(
    dev: &device::Device<device::Bound>,
    limit: u64,
    serialized: &MutexGuard<'_, ()>,
    alloc: impl FnOnce() -> T,
) -> Result<T> {
    let _ = serialized;
    let raw = raw_device(dev).cast::<bindings::device>();
    // SAFETY: `raw` is the bound device; reading its mask is a plain load.
    let old = unsafe { (*raw).coherent_dma_mask };
    if limit >= old {
        return Ok(alloc());
    }
    // SAFETY: `raw` is a valid device; `limit` is a narrower mask.
    kernel::error::to_result(unsafe { bindings::dma_set_coherent_mask(raw, limit) })?;
    let mem = alloc();
    // SAFETY: restores the mask read above, which the device supported.
    unsafe { bindings::dma_set_coherent_mask(raw, old) };
    Ok(mem)
}

/// A channel's bounce memory: coherent memory inside the device's reach,
/// used when a transfer's range is not one device-contiguous, reachable
/// region.
pub(crate) struct BounceMemory {
    mem: Coherent<[u8]>,
}

impl BounceMemory {
    /// Allocates `len` bytes the device can reach. PASSIVE only: may sleep.
    pub(crate) fn new(dev: &device::Device<device::Bound>, len: usize) -> Result<Self> {
        Ok(Self {
            mem: Coherent::zeroed_slice(dev, len, GFP_KERNEL)?,
        })
    }

    /// Allocates `len` bytes at bus addresses up to `limit` (an all-ones
    /// mask): see [`within_coherent_limit`]. PASSIVE only.
    pub(crate) fn new_within(
        dev: &device::Device<device::Bound>,
        len: usize,
        limit: u64,
        serialized: &MutexGuard<'_, ()>,
    ) -> Result<Self> {
        within_coherent_limit(dev, limit, serialized, || Self::new(dev, len))?
    }

    pub(crate) fn device_address(&self) -> u64 {
        self.mem.dma_address()
    }

    pub(crate) fn len(&self) -> usize {
        self.mem.size()
    }

    pub(crate) fn cpu_ptr(&self) -> *mut u8 {
        self.mem.as_mut_ptr().cast()
    }
}

/// A transfer in flight: either mapped in place or staged in bounce memory.
pub(crate) enum TransferMapping {
    /// The caller's memory, mapped for streaming DMA.
    Direct(StreamingMapping),
    /// Staged through the channel's bounce memory.
    Bounce(BounceStage),
}

/// A transfer staged through bounce memory.
///
/// # Invariants
///
/// `bounce` points at the channel's [`BounceMemory`] of at least
/// `range.len` bytes, which outlives this value (the channel owns both and
/// drops its transfer state first); `range` is the caller's kernel memory.
pub(crate) struct BounceStage {
    bounce: *mut u8,
    bounce_dma: u64,
    range: VaRange,
    dir: Direction,
}

// SAFETY: the pointers refer to memory owned by the channel (or the map
// registers), which is used only by whoever holds the channel's claim (or
// the map registers' lock).
unsafe impl Send for BounceStage {}

impl BounceStage {
    /// Stages `range` in `bounce`; for host-to-device transfers the data is
    /// copied in now.
    ///
    /// # Safety
    /// `range` must be readable and writable kernel memory for as long as the stage lives, and
    /// `bounce` must outlive the stage.
    pub(crate) unsafe fn new(
        bounce: &BounceMemory,
        range: VaRange,
        dir: Direction,
    ) -> Result<Self> {
        if range.len > bounce.len() {
            return Err(ENOMEM);
        }
        if dir == Direction::ToDevice {
            // SAFETY: `range` is readable kernel memory (safety requirement),
            // the bounce memory holds at least `range.len` bytes, and the two
            // cannot overlap (one is the channel's own allocation).
            unsafe {
                core::ptr::copy_nonoverlapping(
                    range.start as *const u8,
                    bounce.cpu_ptr(),
                    range.len,
                )
            };
        }
        Ok(Self {
            bounce: bounce.cpu_ptr(),
            bounce_dma: bounce.device_address(),
            range,
            dir,
        })
    }
}

impl Mapping for TransferMapping {
    fn device_address(&self) -> u64 {
        match self {
            Self::Direct(m) => m.device_address(),
            Self::Bounce(b) => b.bounce_dma,
        }
    }

    fn len(&self) -> usize {
        match self {
            Self::Direct(m) => m.len,
            Self::Bounce(b) => b.range.len,
        }
    }

    fn finish_for_cpu(&mut self) {
        match self {
            Self::Direct(m) => m.sync_for_cpu(),
            Self::Bounce(b) if b.dir == Direction::FromDevice => {
                // SAFETY: by the type invariant both regions are valid for
                // `range.len` bytes; the engine is idle (the channel only
                // finishes a transfer the controller reported stopped).
                unsafe {
                    core::ptr::copy_nonoverlapping(b.bounce, b.range.start as *mut u8, b.range.len)
                };
            }
            Self::Bounce(_) => {}
        }
    }
}
