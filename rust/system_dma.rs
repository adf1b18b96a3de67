// SPDX-License-Identifier: GPL-2.0

//! System DMA channels: the kernel half of `NdisMRegisterDmaChannel` and
//! friends. The state machine is [`crate::channel::Channel`] (host tested);
//! this module gives it a Linux mapper (streaming DMA, or the channel's
//! bounce memory) and the miniport glue's controller, under an IRQ-safe
//! spin lock so Setup and Complete work from any context up to DISPATCH.

use kernel::{
    new_spinlock_irq,
    prelude::*,
    sync::{Arc, SpinLockIrq},
};

use crate::{
    adapter::Adapter,
    channel::{
        Channel, Completion, Controller, Direction, EngineState, Mapper, ShutdownProgress,
        TransferRecord,
    },
    dma::{self, BounceMemory, BounceStage, MapError, StreamingMapping, TransferMapping},
    ffi,
    handle::{Handle, HandleKind},
    mdl::{MdlView, VaRange},
    registry::{self, REGISTRY},
    status::{Error, Result as NdisResult},
};

/// The longest Deregister waits for an engine that does not go idle.
const IDLE_WAIT_MS: u32 = 2000;
/// Poll period of that wait.
const IDLE_POLL_MS: u32 = 10;

/// The glue's controller for one channel of one adapter.
struct GlueController<'a> {
    ops: &'a ffi::DmaControllerOps,
    context: ffi::NdisHandle,
    channel: u32,
    /// The shim turned the function's bus mastering off: nothing starts.
    fenced: bool,
}

impl Controller for GlueController<'_> {
    fn start(&mut self, device_address: u64, len: u32, dir: Direction) -> NdisResult {
        if self.fenced {
            return Err(Error::Resources);
        }
        let start = self.ops.start.ok_or(Error::Resources)?;
        // SAFETY: the glue's own controller, called as documented in ndis_linux.h.
        let status = unsafe {
            start(
                self.context,
                self.channel,
                device_address,
                len,
                u8::from(dir == Direction::ToDevice),
            )
        };
        if status == 0 {
            Ok(())
        } else {
            Err(Error::Resources)
        }
    }

    fn stop(&mut self) -> EngineState {
        // Without a stop operation nothing confirms the engine stopped.
        let Some(stop) = self.ops.stop else {
            return EngineState::Busy;
        };
        // SAFETY: as in `start`.
        if unsafe { stop(self.context, self.channel) } != 0 {
            EngineState::Idle
        } else {
            EngineState::Busy
        }
    }

    fn residue(&self) -> u32 {
        // SAFETY: as in `start`.
        self.ops
            .read_residue
            .map_or(0, |f| unsafe { f(self.context, self.channel) })
    }

    fn state(&self) -> EngineState {
        let Some(is_busy) = self.ops.is_busy else {
            return EngineState::Busy;
        };
        // SAFETY: as in `start`.
        if unsafe { is_busy(self.context, self.channel) } != 0 {
            EngineState::Busy
        } else {
            EngineState::Idle
        }
    }
}

/// Maps a transfer in place when the device can reach it as one region,
/// otherwise stages it in the channel's bounce memory.
struct LinuxMapper<'a> {
    adapter: &'a Adapter,
    limit: u64,
    bounce: &'a BounceMemory,
}

impl LinuxMapper<'_> {
    fn bounce(&self, range: VaRange, dir: Direction) -> NdisResult<TransferMapping> {
        // SAFETY: the MDL describes kernel memory that the miniport keeps
        // until Complete, as NDIS requires; the bounce memory belongs to the
        // channel, which drops its transfer state first.
        let stage = unsafe { BounceStage::new(self.bounce, range, dir) }
            .map(TransferMapping::Bounce)
            .map_err(|_| Error::Resources)?;
        self.adapter.count_transfer(true);
        Ok(stage)
    }
}

impl Mapper for LinuxMapper<'_> {
    type Mapping = TransferMapping;

    fn map(&mut self, range: VaRange, dir: Direction) -> NdisResult<TransferMapping> {
        if dir == Direction::FromDevice && dma::shares_cache_line(range) {
            return self.bounce(range, dir);
        }
        // SAFETY: as in `bounce`; the channel holds the mapping no longer
        // than the transfer (or, if the engine is still busy at Complete,
        // until the engine is idle).
        match unsafe { StreamingMapping::new(self.adapter.device(), range, dir, self.limit) } {
            Ok(m) => {
                self.adapter.count_transfer(false);
                Ok(TransferMapping::Direct(m))
            }
            Err(MapError::NeedsBounce) => self.bounce(range, dir),
            Err(MapError::Failed) => Err(Error::Resources),
        }
    }
}

/// A registered system-DMA channel.
#[pin_data]
pub(crate) struct DmaChannel {
    pub(crate) adapter: Arc<Adapter>,
    number: u32,
    limit: u64,
    #[pin]
    state: SpinLockIrq<ChannelState>,
}

/// What a channel's lock protects.
struct ChannelState {
    transfer: Channel<TransferMapping>,
    /// The channel's map registers. Taken out and freed by Deregister, at
    /// PASSIVE_LEVEL: a lookup racing with Deregister may hold the last
    /// reference to the channel and drop it in atomic context, where
    /// `dma_free_coherent` must not run.
    bounce: Option<BounceMemory>,
}

impl DmaChannel {
    fn controller(&self) -> Option<GlueController<'_>> {
        Some(GlueController {
            ops: self.adapter.dma_controller()?,
            context: self.adapter.context(),
            channel: self.number,
            fenced: self.adapter.is_fenced(),
        })
    }
}

/// `NdisMRegisterDmaChannel`. PASSIVE: allocates the bounce memory.
pub(crate) fn register(
    adapter_handle: u64,
    number: u32,
    dma32: bool,
    description: Option<&ffi::NdisDmaDescription>,
    maximum_length: u32,
) -> NdisResult<Handle> {
    let adapter = registry::adapter(adapter_handle).ok_or(Error::InvalidParameter)?;
    if description.is_none() || maximum_length == 0 {
        return Err(Error::InvalidParameter);
    }
    if adapter.dma_controller().is_none() {
        dev_err!(
            adapter.device(),
            "{}: no DMA controller in the miniport's glue\n",
            adapter.driver.name()
        );
        return Err(Error::Resources);
    }
    // The NDIS argument can only narrow what the device reaches.
    let arg_limit: u64 = if dma32 {
        u32::MAX.into()
    } else {
        (1 << 24) - 1
    };
    let limit = dma::dma_limit(adapter.device()).min(arg_limit);
    // The channel's map registers: enough bounce memory for MaximumLength.
    let bounce = BounceMemory::new(adapter.bound_device(), maximum_length as usize)
        .map_err(|_| Error::Resources)?;
    if bounce.device_address() + bounce.len() as u64 - 1 > limit {
        dev_err!(
            adapter.device(),
            "bounce memory at {:#x} is beyond the channel's reach {:#x}\n",
            bounce.device_address(),
            limit
        );
        return Err(Error::Resources);
    }
    let channel = Arc::pin_init(
        try_pin_init!(DmaChannel {
            adapter: adapter.clone(),
            number,
            limit,
            state <- new_spinlock_irq!(ChannelState {
                transfer: Channel::new(maximum_length),
                bounce: Some(bounce),
            }),
        }),
        GFP_KERNEL,
    )
    .map_err(|_| Error::Resources)?;
    REGISTRY
        .lock()
        .channels
        .insert(HandleKind::DmaChannel, channel)
}

fn record(mdl: *const ffi::Mdl, offset: u32, length: u32, write_to_device: u8) -> TransferRecord {
    TransferRecord {
        mdl: mdl as usize,
        offset,
        length,
        dir: Direction::from_write_to_device(write_to_device),
    }
}

/// `NdisSetupDmaTransfer`. Never sleeps.
///
/// # Safety
///
/// `mdl`, if not NULL, must point at a readable MDL describing kernel memory
/// that stays valid until the transfer is completed.
pub(crate) unsafe fn setup(
    handle: u64,
    mdl: *const ffi::Mdl,
    offset: u32,
    length: u32,
    write_to_device: u8,
) -> NdisResult {
    let channel = registry::channel(handle).ok_or(Error::InvalidParameter)?;
    if mdl.is_null() {
        return Err(Error::InvalidParameter);
    }
    // SAFETY: readable MDL (safety requirement).
    let m = unsafe { &*mdl };
    let view = MdlView {
        start_va: m.start_va as usize,
        byte_offset: m.byte_offset,
        byte_count: m.byte_count,
    };
    let mut controller = channel.controller().ok_or(Error::Resources)?;
    let req = record(mdl, offset, length, write_to_device);
    let mut guard = channel.state.lock();
    let state = &mut *guard;
    // Deregistered under us: the handle was valid a moment ago.
    let bounce = state.bounce.as_ref().ok_or(Error::InvalidParameter)?;
    let mut mapper = LinuxMapper {
        adapter: &channel.adapter,
        limit: channel.limit,
        bounce,
    };
    state
        .transfer
        .setup(&mut mapper, &mut controller, &view, req)
}

/// `NdisCompleteDmaTransfer`. Never sleeps.
pub(crate) fn complete(
    handle: u64,
    mdl: *const ffi::Mdl,
    offset: u32,
    length: u32,
    write_to_device: u8,
) -> NdisResult<Completion> {
    let channel = registry::channel(handle).ok_or(Error::InvalidParameter)?;
    let mut controller = channel.controller().ok_or(Error::Failure)?;
    let req = record(mdl, offset, length, write_to_device);
    let completion = channel
        .state
        .lock()
        .transfer
        .complete(&mut controller, &req)?;
    if completion == Completion::MaybeIncoherent {
        dev_warn!(
            channel.adapter.device(),
            "DMA engine not confirmed idle at Complete; memory stays mapped until it is\n"
        );
    }
    Ok(completion)
}

/// `NdisMReadDmaCounter`.
pub(crate) fn read_counter(handle: u64) -> Option<u32> {
    let channel = registry::channel(handle)?;
    let controller = channel.controller()?;
    let residue = channel.state.lock().transfer.read_counter(&controller);
    Some(residue)
}

/// Stops the channel and waits (bounded) until nothing of it can be
/// touched by the device. PASSIVE: sleeps.
fn shut_down(channel: &DmaChannel) {
    let Some(mut controller) = channel.controller() else {
        return;
    };
    let mut waited = 0;
    while channel.state.lock().transfer.shutdown(&mut controller) == ShutdownProgress::WaitForIdle {
        if waited >= IDLE_WAIT_MS {
            give_up(channel);
            return;
        }
        kernel::time::delay::fsleep(kernel::time::Delta::from_millis(IDLE_POLL_MS.into()));
        waited += IDLE_POLL_MS;
    }
}

/// The engine never went idle (hung, or the device vanished): fence the
/// function and release the mapping behind the fence, or leak it if the
/// fence does not hold. Never unmaps or frees memory a device may still
/// write. PASSIVE.
fn give_up(channel: &DmaChannel) {
    let fence = crate::fence::bus_master_off(&channel.adapter);
    let mut state = channel.state.lock();
    let max = state.transfer.maximum_length();
    let old = core::mem::replace(&mut state.transfer, Channel::new(max));
    let bounce = if fence.holds() {
        None
    } else {
        state.bounce.take()
    };
    drop(state);
    let mapping = old.abandon();
    crate::fence::count(fence.holds());
    if fence.holds() {
        dev_err!(
            channel.adapter.device(),
            "DMA engine still busy after {} ms: {}; mapping released, adapter starts no more DMA\n",
            IDLE_WAIT_MS,
            fence.describe()
        );
        // Unmapped here without a sync for the CPU: the transfer was
        // abandoned. The bounce memory is freed by `release`.
        drop(mapping);
    } else {
        dev_err!(
            channel.adapter.device(),
            "DMA engine still busy after {} ms and {}: leaking its mapping rather than freeing memory under it\n",
            IDLE_WAIT_MS,
            fence.describe()
        );
        core::mem::forget(mapping);
        core::mem::forget(bounce);
    }
}

/// `NdisMDeregisterDmaChannel`. PASSIVE: may wait for the engine.
pub(crate) fn deregister(handle: u64) -> NdisResult {
    let removed = REGISTRY
        .lock()
        .channels
        .remove(HandleKind::DmaChannel, Handle::from_raw(handle));
    let channel = removed.ok_or(Error::InvalidParameter)?;
    shut_down(&channel);
    release(channel);
    Ok(())
}

/// Frees the bounce memory of a channel that is shut down. PASSIVE.
fn release(channel: Arc<DmaChannel>) {
    let bounce = channel.state.lock().bounce.take();
    drop(bounce);
}

/// Deregisters the channels `adapter`'s miniport left behind; returns how many.
pub(crate) fn release_adapter(adapter: &Arc<Adapter>) -> usize {
    let mut n = 0;
    loop {
        let removed = {
            let mut reg = REGISTRY.lock();
            let found = reg
                .channels
                .iter()
                .find(|(_, c)| Arc::ptr_eq(&c.adapter, adapter))
                .map(|(h, _)| h);
            found.and_then(|h| reg.channels.remove(HandleKind::DmaChannel, h))
        };
        let Some(channel) = removed else {
            return n;
        };
        shut_down(&channel);
        release(channel);
        n += 1;
    }
}
