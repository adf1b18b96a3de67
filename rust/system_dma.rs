// SPDX-License-Identifier: GPL-2.0

//! System DMA channels: the kernel half of `NdisMRegisterDmaChannel` and
//! friends. The state machine is [`crate::channel::Channel`] (host tested);
//! this module gives it a Linux mapper (streaming DMA, or the channel's
//! bounce memory) and the miniport glue's controller. Setup, Complete and
//! ReadDmaCounter claim the channel (see [`crate::claim`]), one at a time,
//! from any context up to DISPATCH.

use kernel::{prelude::*, sync::Arc};

use crate::{
    abi,
    adapter_core::{AdapterCore, TransferCounts},
    channel::{
        Channel, ChannelState as TransferState, Completion, Controller, Counters, Direction,
        EngineState, Flush, Mapper, Mapping, SetupRefusal, ShutdownProgress, TransferRecord,
    },
    claim::{Claim, Claimable, Dispatch},
    dma::{
        self, BounceMemory, BounceStage, MapError, MapPolicy, StreamingMapping, TransferMapping,
    },
    handle::{Handle, HandleKind},
    mdl::{transfer_range, MdlView, VaRange},
    registry::{self, InRegistry},
    status::{Error, NdisStatus, Result as NdisResult},
};

/// The longest Deregister waits for an engine that does not go idle.
const IDLE_WAIT_MS: u32 = 2000;
/// Poll period of that wait.
const IDLE_POLL_MS: u32 = 10;
/// The most bounce memory (Windows' map registers) a channel gets: 64 KiB,
/// an 8237 channel's longest transfer. A `MaximumLength` above it (`-1`
/// means no limit) keeps its transfers legal; those longer than this that
/// cannot be mapped in place fail Setup with `NDIS_STATUS_RESOURCES` ("not
/// all Length bytes could be mapped").
const MAX_BOUNCE_BYTES: u32 = 64 * 1024;

/// The glue's controller for one channel of one adapter.
struct GlueController<'a> {
    ops: &'a abi::NDIS_LINUX_DMA_CONTROLLER,
    context: abi::NDIS_HANDLE,
    channel: u32,
    /// The shim turned the function's bus mastering off: nothing starts.
    fenced: bool,
}

impl Controller for GlueController<'_> {
    fn start(&mut self, device_address: u64, len: u32, dir: Direction) -> NdisResult {
        if self.fenced {
            return Err(Error::Resources);
        }
        let start = self.ops.Start.ok_or(Error::Resources)?;
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
        let Some(stop) = self.ops.Stop else {
            return EngineState::Busy;
        };
        // SAFETY: the glue's own controller, called as ndis_linux.h documents:
        // with the miniport's context, under this channel's claim (one call
        // at a time per channel).
        if unsafe { stop(self.context, self.channel) } != 0 {
            EngineState::Idle
        } else {
            EngineState::Busy
        }
    }

    fn residue(&self) -> u32 {
        // SAFETY: the glue's own controller, called as ndis_linux.h documents:
        // with the miniport's context, under this channel's claim (one call
        // at a time per channel).
        self.ops
            .ReadResidue
            .map_or(0, |f| unsafe { f(self.context, self.channel) })
    }

    fn state(&self) -> EngineState {
        let Some(is_busy) = self.ops.IsBusy else {
            return EngineState::Busy;
        };
        // SAFETY: the glue's own controller, called as ndis_linux.h documents:
        // with the miniport's context, under this channel's claim (one call
        // at a time per channel).
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
    adapter: &'a AdapterCore,
    policy: &'a MapPolicy,
    bounce: &'a BounceMemory,
    counts: &'a TransferCounts,
}

impl LinuxMapper<'_> {
    fn bounce(&self, range: VaRange, dir: Direction) -> NdisResult<TransferMapping> {
        // SAFETY: the MDL describes kernel memory (its decoding, `mdl_view`,
        // checked all of it) that the miniport keeps until Complete, as NDIS
        // requires; the bounce memory belongs to the
        // channel, which drops its transfer state first.
        let stage = unsafe { BounceStage::new(self.bounce, range, dir) }
            .map(TransferMapping::Bounce)
            .map_err(|_| Error::Resources)?;
        self.counts.count(true);
        Ok(stage)
    }
}

impl Mapper for LinuxMapper<'_> {
    type Mapping = TransferMapping;

    fn map(&mut self, range: VaRange, dir: Direction) -> NdisResult<TransferMapping> {
        if dir == Direction::FromDevice && self.policy.shares_cache_line(range) {
            return self.bounce(range, dir);
        }
        // SAFETY: the MDL's kernel memory (checked by `mdl_view`) is the
        // miniport's to keep while its device may access it, as NDIS
        // requires; the shim touches it through the mapping only at a
        // Complete that found the engine idle (the unmap does not touch
        // it). The channel drops or leaks the mapping at Deregister at the
        // latest, while its adapter's device is bound.
        match unsafe { StreamingMapping::new(self.adapter.device(), range, dir, self.policy) } {
            Ok(m) => {
                self.counts.count(false);
                Ok(TransferMapping::Direct(m))
            }
            Err(MapError::NeedsBounce) => self.bounce(range, dir),
            Err(MapError::Failed) => Err(Error::Resources),
        }
    }
}

/// A registered system-DMA channel, owned by its adapter.
pub(crate) struct DmaChannel {
    pub(crate) adapter: Arc<AdapterCore>,
    /// The owning adapter's handle.
    owner: Handle,
    number: u32,
    /// How transfers are mapped: the channel's reach and what it implies.
    policy: MapPolicy,
    /// `MaximumLength`, for checking a refused Setup's arguments without
    /// claiming the channel.
    maximum_length: u32,
    /// This channel's transfers; the adapter takes them over when it goes.
    pub(crate) transfers: TransferCounts,
    /// Claimed by each Setup and Complete in turn (see [`crate::claim`]).
    state: Claimable<ChannelState>,
}

/// The phases of a channel's [`Claimable`] state besides `claim::BUSY`.
const IDLE: u32 = 1;
const IN_PROGRESS: u32 = 2;
const DRAINING: u32 = 3;

/// The phase a channel's state is left in.
fn phase_of(transfer: &Channel<TransferMapping>) -> u32 {
    match transfer.state() {
        TransferState::Idle => IDLE,
        TransferState::InProgress => IN_PROGRESS,
        TransferState::Draining => DRAINING,
    }
}

/// What a claim on a channel gives.
struct ChannelState {
    transfer: Channel<TransferMapping>,
    /// The channel's map registers. Taken out and freed by Deregister, at
    /// PASSIVE_LEVEL: a lookup racing with Deregister may hold the last
    /// reference to the channel and drop it in atomic context, where
    /// `dma_free_coherent` must not run.
    bounce: Option<BounceMemory>,
}

impl DmaChannel {
    /// The handle of the adapter that owns the channel.
    pub(crate) fn owner(&self) -> Handle {
        self.owner
    }

    /// The highest bus address the channel reaches (24 or 32 bits, and the
    /// device's): what a subordinate adapter's shared memory must lie below.
    pub(crate) fn limit(&self) -> u64 {
        self.policy.limit()
    }

    fn controller(&self) -> Option<GlueController<'_>> {
        Some(GlueController {
            ops: self.adapter.dma_controller()?,
            context: self.adapter.context(),
            channel: self.number,
            fenced: self.adapter.is_fenced(),
        })
    }
}

/// The channel a registration names: NdisMRegisterDmaChannel ignores its
/// `DmaChannel` argument ("set the DMA channel, if any, at DmaDescription").
pub(crate) fn channel_number(description: &abi::NDIS_DMA_DESCRIPTION) -> u32 {
    if description.DmaChannelSpecified != 0 {
        description.DmaChannel
    } else {
        0
    }
}

/// Hands the description to the glue's optional `Configure`. PASSIVE.
fn configure(
    adapter: &AdapterCore,
    ops: &abi::NDIS_LINUX_DMA_CONTROLLER,
    number: u32,
    description: &abi::NDIS_DMA_DESCRIPTION,
) -> NdisResult {
    let Some(configure) = ops.Configure else {
        return Ok(());
    };
    // SAFETY: the glue's own controller, called as ndis_linux.h documents
    // (PASSIVE, the description valid for the call).
    let status = unsafe { configure(adapter.context(), number, description) };
    match NdisStatus(status) {
        s if s.is_success() => Ok(()),
        NdisStatus::RESOURCE_CONFLICT => Err(Error::ResourceConflict),
        NdisStatus::RESOURCES => Err(Error::Resources),
        s => {
            dev_err!(
                adapter.device(),
                "DMA channel {}: the glue's Configure failed: {:#010x}\n",
                number,
                s.0 as u32
            );
            Err(Error::Failure)
        }
    }
}

/// `NdisMRegisterDmaChannel` for the adapter `owner` names: the channel,
/// for the adapter to own. PASSIVE: allocates the bounce memory.
///
/// Fails only with the statuses the page documents: RESOURCE_CONFLICT (the
/// glue's engine has no such channel or mode), RESOURCES (no controller,
/// `MaximumLength` 0, no memory in reach) or FAILURE.
pub(crate) fn register(
    adapter: &Arc<AdapterCore>,
    owner: Handle,
    description: &abi::NDIS_DMA_DESCRIPTION,
    dma32: bool,
    maximum_length: u32,
) -> NdisResult<Arc<DmaChannel>> {
    let number = channel_number(description);
    let Some(ops) = adapter.dma_controller() else {
        dev_err!(
            adapter.device(),
            "{}: no DMA controller in the miniport's glue\n",
            adapter.driver.name()
        );
        return Err(Error::Resources);
    };
    if maximum_length == 0 {
        // Windows sizes map registers from MaximumLength - 2: 0 wraps to
        // an impossible 4 GiB. Nothing could be transferred anyway.
        dev_err!(
            adapter.device(),
            "DMA channel {}: MaximumLength 0\n",
            number
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
    // The channel's map registers: enough bounce memory for MaximumLength
    // (at most `MAX_BOUNCE_BYTES`), below the channel's limit (24-bit
    // addressing gets low memory).
    let bounce_len = maximum_length.min(MAX_BOUNCE_BYTES) as usize;
    let bounce = {
        let guard = adapter.coherent_allocation();
        BounceMemory::new_within(adapter.bound_device(), bounce_len, limit, &guard)
    }
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
    // After the bounce memory, so the glue's refusal is what Register
    // reports (the memory is freed again when it refuses).
    configure(adapter, ops, number, description)?;
    Arc::new(
        DmaChannel {
            adapter: adapter.clone(),
            owner,
            number,
            policy: MapPolicy::new(adapter.device(), limit),
            maximum_length,
            transfers: TransferCounts::new(),
            state: Claimable::new(
                ChannelState {
                    transfer: Channel::new(maximum_length),
                    bounce: Some(bounce),
                },
                IDLE,
            ),
        },
        GFP_KERNEL,
    )
    .map_err(|_| Error::Resources)
}

/// The arguments of `NdisMSetupDmaTransfer` and `NdisMCompleteDmaTransfer`.
#[derive(Clone, Copy)]
pub(crate) struct TransferArgs {
    /// `Buffer`'s address: Complete must name the MDL Setup did.
    pub(crate) mdl: usize,
    /// `Offset`.
    pub(crate) offset: u32,
    /// `Length`.
    pub(crate) length: u32,
    /// `WriteToDevice`.
    pub(crate) dir: Direction,
}

impl TransferArgs {
    fn record(self) -> TransferRecord {
        TransferRecord {
            mdl: self.mdl,
            offset: self.offset,
            length: self.length,
            dir: self.dir,
        }
    }
}

/// `NdisSetupDmaTransfer`. Never sleeps; runs at DISPATCH_LEVEL, with
/// interrupts on.
///
/// `view` is the MDL `args.mdl` names (`None` for NULL); the memory it
/// describes is the miniport's to keep valid until Complete, as NDIS requires.
/// Every refusal of a valid channel is [`Error::Resources`], as Windows
/// documents, including a channel with a transfer in progress ("currently
/// in use"); invalid `Offset`/`Length` is also counted as a rejected call
/// and logged (rate-limited) with its cause. A Setup or Complete under way
/// on another CPU is waited for. With `mapping` given (the trace event is
/// on), it receives the bus address handed to the controller and whether
/// it is the channel's bounce memory.
pub(crate) fn setup(
    handle: Handle,
    view: Option<MdlView>,
    args: TransferArgs,
    mapping: Option<&mut (u64, bool)>,
) -> NdisResult {
    // One section for the lookup and the claim (see `Dispatch`).
    let dispatch = Dispatch::enter();
    let channel =
        registry::find_at::<DmaChannel>(handle, &dispatch).ok_or(Error::InvalidParameter)?;
    let view = view.ok_or(Error::InvalidParameter)?;
    let mut controller = channel.controller().ok_or(Error::Resources)?;
    let req = args.record();
    let Some(mut claim) = channel
        .state
        .claim_at(&dispatch, |phase| phase != IN_PROGRESS)
    else {
        // In use: a transfer is in progress (or, in hard-IRQ context, another
        // call is under way). Malformed arguments are still the miniport's
        // bug to hear about.
        if let Err(e) = transfer_range(&view, req.offset, req.length, channel.maximum_length) {
            channel
                .adapter
                .reject("NdisMSetupDmaTransfer", refusal_of(e).describe());
        }
        return Err(Error::Resources);
    };
    let state = &mut *claim;
    // Deregistered under us: the handle was valid a moment ago.
    let Some(bounce) = state.bounce.as_ref() else {
        return Err(Error::InvalidParameter);
    };
    let mut mapper = LinuxMapper {
        adapter: &channel.adapter,
        policy: &channel.policy,
        bounce,
        counts: &channel.transfers,
    };
    let result = state
        .transfer
        .setup(&mut mapper, &mut controller, &view, req);
    if let (Some(out), Some(m)) = (mapping, state.transfer.mapping()) {
        *out = (m.device_address(), matches!(m, TransferMapping::Bounce(_)));
    }
    let phase = phase_of(&state.transfer);
    claim.release(phase);
    result.map_err(|why| {
        if why.is_invalid_argument() {
            channel
                .adapter
                .reject("NdisMSetupDmaTransfer", why.describe());
        }
        why.error()
    })
}

/// Which refusal an argument error of [`transfer_range`] is.
fn refusal_of(e: Error) -> SetupRefusal {
    if e == Error::InvalidLength {
        SetupRefusal::InvalidLength
    } else {
        SetupRefusal::InvalidRange
    }
}

/// `NdisCompleteDmaTransfer`. Never sleeps; runs at DISPATCH_LEVEL, with
/// interrupts on.
///
/// Completes the transfer in progress whatever the arguments say (Windows
/// flushes with the arguments given and never leaves the channel in
/// progress); a mismatch, or a Complete with nothing in progress, is counted
/// as a rejected call and logged (rate-limited). A Setup or Complete under
/// way on another CPU (the DPC's Complete racing the Setup that started the
/// engine) is waited for. Only a Complete from hard-IRQ context, where
/// Windows allows none, that finds the channel busy is refused the same
/// way and reports [`Completion::MaybeIncoherent`]: it completed nothing.
pub(crate) fn complete(handle: Handle, args: TransferArgs) -> NdisResult<Completion> {
    let dispatch = Dispatch::enter();
    let channel =
        registry::find_at::<DmaChannel>(handle, &dispatch).ok_or(Error::InvalidParameter)?;
    // A registered channel always has a controller (Register checks).
    let mut controller = channel.controller().ok_or(Error::Resources)?;
    let req = args.record();
    let Some(mut claim) = channel.state.claim_at(&dispatch, |_| true) else {
        channel.adapter.reject(
            "NdisMCompleteDmaTransfer",
            "called in hard-IRQ context while a Setup or Complete of this channel is under way",
        );
        return Ok(Completion::MaybeIncoherent);
    };
    let done = claim.transfer.complete(&mut controller, &req);
    let phase = phase_of(&claim.transfer);
    claim.release(phase);
    match done.flush {
        Flush::Matched => {}
        Flush::Mismatched => channel.adapter.reject(
            "NdisMCompleteDmaTransfer",
            "Buffer/Offset/Length/WriteToDevice differ from Setup's; the transfer set up was completed",
        ),
        Flush::NothingInProgress => channel
            .adapter
            .reject("NdisMCompleteDmaTransfer", "no transfer in progress"),
    }
    if done.completion == Completion::MaybeIncoherent && done.flush != Flush::NothingInProgress {
        dev_warn!(
            channel.adapter.device(),
            "DMA engine not confirmed idle at Complete; memory stays mapped until it is\n"
        );
    }
    Ok(done.completion)
}

/// `NdisMReadDmaCounter`: the controller's residue while a transfer is in
/// progress, else what it reported at the last Complete (until the next
/// Setup). Claims the channel like Setup and Complete, so the glue's
/// ReadResidue never runs alongside its Start or Stop; `None` for a forged
/// handle, or in hard-IRQ context while another call holds the channel.
pub(crate) fn read_counter(handle: Handle) -> Option<u32> {
    let dispatch = Dispatch::enter();
    let channel = registry::find_at::<DmaChannel>(handle, &dispatch)?;
    let controller = channel.controller()?;
    let claim = channel.state.claim_at(&dispatch, |_| true)?;
    Some(claim.transfer.read_counter(&controller))
}

/// A channel as debugfs's view shows it.
pub(crate) struct ChannelView {
    /// The channel number (`DmaChannel` of the description).
    pub(crate) number: u32,
    pub(crate) maximum_length: u32,
    pub(crate) state: TransferState,
    /// The transfer in progress, as Setup gave it.
    pub(crate) transfer: Option<TransferRecord>,
    /// The bus address the device was given, and whether the transfer is
    /// staged in bounce memory, while a mapping is held.
    pub(crate) mapping: Option<(u64, bool)>,
    /// What `NdisMReadDmaCounter` would return now.
    pub(crate) residue: u32,
    pub(crate) counters: Counters,
    /// (mapped in place, bounced) by this channel.
    pub(crate) transfers: (u64, u64),
}

/// What the channel `handle` names shows, if it is registered: claimed
/// like [`read_counter`], copied, and let go unchanged. Never sleeps.
pub(crate) fn view(handle: Handle) -> Option<ChannelView> {
    let channel = registry::find::<DmaChannel>(handle)?;
    let controller = channel.controller()?;
    let claim = channel.state.claim(|_| true)?;
    let transfer = &claim.transfer;
    let view = ChannelView {
        number: channel.number,
        maximum_length: channel.maximum_length,
        state: transfer.state(),
        transfer: transfer.record().copied(),
        mapping: transfer
            .mapping()
            .map(|m| (m.device_address(), matches!(m, TransferMapping::Bounce(_)))),
        residue: transfer.read_counter(&controller),
        counters: transfer.counters(),
        transfers: channel.transfers.get(),
    };
    // Dropped unreleased: the phase it was claimed from is restored.
    drop(claim);
    Some(view)
}

/// Claims the channel's state for teardown. Once the handle is gone no
/// Setup or Complete is under way (each runs inside the lookup's RCU
/// section, which `Registered` waited for), so this does not wait. PASSIVE.
fn claim_for_teardown(channel: &DmaChannel) -> Claim<'_, ChannelState> {
    loop {
        // Refused only in hard-IRQ context, never here; retried rather
        // than assumed.
        if let Some(claim) = channel.state.claim(|_| true) {
            return claim;
        }
        kernel::time::delay::fsleep(kernel::time::Delta::from_millis(1));
    }
}

/// Stops the channel and waits (bounded) until nothing of it can be
/// touched by the device. PASSIVE: sleeps.
fn shut_down(channel: &DmaChannel) {
    let Some(mut controller) = channel.controller() else {
        return;
    };
    let mut waited = 0;
    while {
        let mut claim = claim_for_teardown(channel);
        let progress = claim.transfer.shutdown(&mut controller);
        let phase = phase_of(&claim.transfer);
        claim.release(phase);
        progress == ShutdownProgress::WaitForIdle
    } {
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
    let mut state = claim_for_teardown(channel);
    let max = state.transfer.maximum_length();
    let old = core::mem::replace(&mut state.transfer, Channel::new(max));
    let bounce = if fence.holds() {
        None
    } else {
        state.bounce.take()
    };
    let phase = phase_of(&state.transfer);
    state.release(phase);
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

// SAFETY: `KIND` `DmaChannel` is implemented by `DmaChannel` only.
unsafe impl InRegistry for DmaChannel {
    const KIND: HandleKind = HandleKind::DmaChannel;

    /// Stops the engine (waiting for it, or fencing the function) and frees
    /// the bounce memory. PASSIVE.
    fn release(&self) {
        shut_down(self);
        let bounce = claim_for_teardown(self).bounce.take();
        drop(bounce);
        // No transfer is set up any more (the handle names nothing).
        self.adapter.transfers.absorb(&self.transfers);
    }
}
