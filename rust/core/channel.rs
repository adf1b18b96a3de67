//! The system-DMA channel state machine (`NdisMSetupDmaTransfer` and friends).
//!
//! Generic over the kernel pieces ([`Mapper`], [`Mapping`], [`Controller`]) so
//! that the exact Windows semantics, and the Linux rule that memory a device
//! may still write is never unmapped, are tested on the host with mocks.
//!
//! ```text
//!            setup ok                      complete, engine stopped
//!   Idle ---------------> InProgress ------------------------------> Idle
//!    ^                        |
//!    |                        | complete (or shutdown), engine still busy
//!    |   reap/setup/shutdown  v
//!    +---- engine idle ---- Draining
//! ```

use crate::mdl::{transfer_range, MdlView, VaRange};
use crate::status::{Error, NdisStatus, Result};

/// Transfer direction, from the `WriteToDevice` BOOLEAN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Host memory to device (`WriteToDevice == TRUE`).
    ToDevice,
    /// Device to host memory (`WriteToDevice == FALSE`).
    FromDevice,
}

impl Direction {
    /// Converts a C `BOOLEAN`: any non-zero value is TRUE.
    pub const fn from_write_to_device(write_to_device: u8) -> Self {
        if write_to_device != 0 {
            Self::ToDevice
        } else {
            Self::FromDevice
        }
    }
}

/// A buffer mapped for DMA. Unmapping happens in the implementor's `Drop`.
pub trait Mapping {
    /// Bus address the device uses.
    fn device_address(&self) -> u64;
    /// Number of bytes mapped contiguously at [`Self::device_address`].
    fn len(&self) -> usize;
    /// Whether nothing is mapped.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Makes device-written data visible to the CPU (DMA sync for CPU, or
    /// copying a bounce buffer back). Called only once the engine is stopped.
    fn finish_for_cpu(&mut self);
}

/// Maps buffers for DMA (kernel: `dma_map_*` or a bounce buffer).
pub trait Mapper {
    /// The mapping produced.
    type Mapping: Mapping;
    /// Maps `range` for `dir`; must not sleep (Setup runs at DISPATCH_LEVEL)
    /// and must either map all of `range` or fail leaving nothing mapped.
    fn map(&mut self, range: VaRange, dir: Direction) -> Result<Self::Mapping>;
}

/// State of the DMA engine as reported by its [`Controller`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EngineState {
    /// Not accessing memory.
    Idle,
    /// May still access memory.
    Busy,
}

/// The engine that moves the data (the "system DMA controller").
pub trait Controller {
    /// Starts a transfer of `len` bytes at `device_address`. On error the
    /// engine must not have been started.
    fn start(&mut self, device_address: u64, len: u32, dir: Direction) -> Result;
    /// Stops the engine (best effort, must not sleep) and reports whether it
    /// is now confirmed idle.
    fn stop(&mut self) -> EngineState;
    /// Bytes of the current (or, once stopped, the last) transfer the
    /// engine did not move.
    fn residue(&self) -> u32;
    /// Current engine state, without trying to change it.
    fn state(&self) -> EngineState;
}

/// What a transfer was set up with; Complete should name the same transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransferRecord {
    /// Identity of the MDL (its address); compared, never dereferenced.
    pub mdl: usize,
    /// Offset from the MDL's virtual address.
    pub offset: u32,
    /// Length in bytes.
    pub length: u32,
    /// Direction.
    pub dir: Direction,
}

/// Outcome of a successful [`Channel::complete`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Completion {
    /// Engine stopped, data visible to the CPU: `NDIS_STATUS_SUCCESS`.
    Coherent,
    /// The channel was released but the engine could not be confirmed
    /// stopped, so the data may be incoherent: `NDIS_STATUS_RESOURCES`.
    MaybeIncoherent,
}

impl Completion {
    /// The status `NdisMCompleteDmaTransfer` reports for this outcome.
    pub const fn status(self) -> NdisStatus {
        match self {
            Self::Coherent => NdisStatus::SUCCESS,
            Self::MaybeIncoherent => NdisStatus::RESOURCES,
        }
    }
}

/// Which transfer a [`Channel::complete`] call flushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flush {
    /// The arguments named the transfer in progress.
    Matched,
    /// The arguments differed from Setup's: the transfer in progress was
    /// completed with its own mapping and direction.
    Mismatched,
    /// No transfer was in progress (Complete without Setup, or twice):
    /// nothing to flush but a mapping still draining.
    NothingInProgress,
}

/// What [`Channel::complete`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Completed {
    /// The status-bearing outcome.
    pub completion: Completion,
    /// Which transfer it applied to.
    pub flush: Flush,
}

/// Why [`Channel::setup`] refused a transfer.
///
/// Windows reports every cause as `NDIS_STATUS_RESOURCES`
/// (NdisMSetupDmaTransfer: "the channel ... is currently in use ... or ...
/// the given Length is invalid"); the cause is for the log and counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetupRefusal {
    /// `Length` is zero or above `MaximumLength`.
    InvalidLength,
    /// `Offset + Length` overflows or lies outside the MDL.
    InvalidRange,
    /// A transfer is in progress ("channel in use").
    InProgress,
    /// The previous transfer's engine is still not idle.
    Draining,
    /// The buffer could not be mapped, or not all `Length` bytes.
    MapFailed,
    /// The controller refused to start.
    StartRefused,
}

impl SetupRefusal {
    /// The error Setup reports: always [`Error::Resources`].
    pub const fn error(self) -> Error {
        Error::Resources
    }

    /// Whether the arguments were malformed (the caller's bug, not a
    /// transient condition).
    pub const fn is_invalid_argument(self) -> bool {
        matches!(self, Self::InvalidLength | Self::InvalidRange)
    }

    /// A short description for the log.
    pub const fn describe(self) -> &'static str {
        match self {
            Self::InvalidLength => "Length is zero or above MaximumLength",
            Self::InvalidRange => "Offset + Length overflows or lies outside the MDL",
            Self::InProgress => "a transfer is in progress",
            Self::Draining => "the previous transfer's engine is still busy",
            Self::MapFailed => "the buffer could not be mapped",
            Self::StartRefused => "the controller refused to start",
        }
    }
}

/// Progress of [`Channel::shutdown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShutdownProgress {
    /// Nothing is held any more; the channel can be freed.
    Done,
    /// The engine is still busy and a mapping is still held: sleep, then call
    /// [`Channel::shutdown`] again (the caller bounds the wait).
    WaitForIdle,
}

/// Observable state of a [`Channel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelState {
    /// No transfer, nothing mapped.
    Idle,
    /// A transfer is set up (Windows' `InProgress`).
    InProgress,
    /// Completed, but the engine was not confirmed stopped: the mapping is
    /// kept until it is.
    Draining,
}

/// Statistics of a channel; all counts wrap rather than overflow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Successful setups.
    pub setups: u64,
    /// Successful completes (coherent or not).
    pub completes: u64,
    /// Setups refused, for any cause, and Completes with no transfer in
    /// progress.
    pub rejected: u64,
    /// Setups refused because `Offset`/`Length` were invalid (also in
    /// `rejected`).
    pub invalid_length: u64,
    /// Completes whose arguments differed from Setup's (the transfer in
    /// progress was completed anyway).
    pub mismatched: u64,
    /// Completes that returned [`Completion::MaybeIncoherent`].
    pub incoherent: u64,
}

enum State<M> {
    Idle,
    InProgress { record: TransferRecord, mapping: M },
    Draining { mapping: M },
}

/// One system-DMA channel (what `MiniportDmaHandle` designates).
///
/// # Invariants
///
/// - At most one mapping is held, and only in `InProgress` or `Draining`.
/// - A held mapping is dropped (unmapped) only after the [`Controller`] has
///   reported [`EngineState::Idle`]; until then it stays in `Draining`.
/// - Dropping a `Channel` that still holds a mapping leaks the mapping
///   (`core::mem::forget`): without a controller the engine cannot be proven
///   idle. Call [`Channel::shutdown`] until `Done`, or [`Channel::abandon`].
pub struct Channel<M: Mapping> {
    maximum_length: u32,
    state: State<M>,
    /// The residue the controller reported when the last transfer was
    /// completed: `NdisMReadDmaCounter` after Complete.
    last_residue: u32,
    counters: Counters,
}

impl<M: Mapping> Channel<M> {
    /// A new idle channel for transfers of at most `maximum_length` bytes
    /// (`MaximumLength` of `NdisMRegisterDmaChannel`).
    pub const fn new(maximum_length: u32) -> Self {
        Self {
            maximum_length,
            state: State::Idle,
            last_residue: 0,
            counters: Counters {
                setups: 0,
                completes: 0,
                rejected: 0,
                invalid_length: 0,
                mismatched: 0,
                incoherent: 0,
            },
        }
    }

    /// `MaximumLength` given at registration.
    pub const fn maximum_length(&self) -> u32 {
        self.maximum_length
    }

    /// Whether a transfer is in progress (Windows' `InProgress` flag).
    pub const fn is_busy(&self) -> bool {
        matches!(self.state, State::InProgress { .. })
    }

    /// Whether a mapping is held (in progress or draining).
    pub const fn holds_mapping(&self) -> bool {
        !matches!(self.state, State::Idle)
    }

    /// The current state.
    pub const fn state(&self) -> ChannelState {
        match self.state {
            State::Idle => ChannelState::Idle,
            State::InProgress { .. } => ChannelState::InProgress,
            State::Draining { .. } => ChannelState::Draining,
        }
    }

    /// The transfer in progress, if any.
    pub const fn record(&self) -> Option<&TransferRecord> {
        match &self.state {
            State::InProgress { record, .. } => Some(record),
            _ => None,
        }
    }

    /// The mapping held (a transfer in progress, or draining), if any.
    pub const fn mapping(&self) -> Option<&M> {
        match &self.state {
            State::InProgress { mapping, .. } | State::Draining { mapping } => Some(mapping),
            State::Idle => None,
        }
    }

    /// Statistics.
    pub const fn counters(&self) -> Counters {
        self.counters
    }

    fn refuse(&mut self, why: SetupRefusal) -> core::result::Result<(), SetupRefusal> {
        self.counters.rejected = self.counters.rejected.wrapping_add(1);
        if why.is_invalid_argument() {
            self.counters.invalid_length = self.counters.invalid_length.wrapping_add(1);
        }
        Err(why)
    }

    /// `NdisMSetupDmaTransfer`: maps `req.length` bytes at `req.offset` in the
    /// buffer described by `view` and starts the engine.
    ///
    /// Every refusal is `NDIS_STATUS_RESOURCES` on Windows
    /// ([`SetupRefusal::error`]); the order of checks only decides which
    /// cause is counted and logged:
    /// 1. Arguments (via [`transfer_range`] against `maximum_length`):
    ///    [`SetupRefusal::InvalidLength`] / [`SetupRefusal::InvalidRange`],
    ///    before the in-progress check so that a malformed call never
    ///    touches the channel.
    /// 2. A transfer in progress: [`SetupRefusal::InProgress`].
    /// 3. Draining: reap if the engine is now idle, else
    ///    [`SetupRefusal::Draining`].
    /// 4. Mapping fails or maps fewer than `length` bytes:
    ///    [`SetupRefusal::MapFailed`], nothing held.
    /// 5. The engine does not start: [`SetupRefusal::StartRefused`],
    ///    mapping dropped.
    ///
    /// Never sleeps as long as the mapper and controller do not.
    pub fn setup<P, C>(
        &mut self,
        mapper: &mut P,
        controller: &mut C,
        view: &MdlView,
        req: TransferRecord,
    ) -> core::result::Result<(), SetupRefusal>
    where
        P: Mapper<Mapping = M>,
        C: Controller,
    {
        let range = match transfer_range(view, req.offset, req.length, self.maximum_length) {
            Ok(r) => r,
            Err(Error::InvalidLength) => return self.refuse(SetupRefusal::InvalidLength),
            Err(_) => return self.refuse(SetupRefusal::InvalidRange),
        };
        match self.state {
            State::Idle => {}
            State::InProgress { .. } => return self.refuse(SetupRefusal::InProgress),
            State::Draining { .. } => {
                if !self.reap(controller) {
                    return self.refuse(SetupRefusal::Draining);
                }
            }
        }
        let Ok(mapping) = mapper.map(range, req.dir) else {
            return self.refuse(SetupRefusal::MapFailed);
        };
        // Windows: "if not all Length bytes could be mapped: undo". The
        // mapping is dropped (unmapped) here, before the engine ever saw it.
        if mapping.len() != range.len {
            return self.refuse(SetupRefusal::MapFailed);
        }
        if controller
            .start(mapping.device_address(), req.length, req.dir)
            .is_err()
        {
            // Contract: a failed start did not start the engine, so the
            // mapping can be dropped now.
            drop(mapping);
            return self.refuse(SetupRefusal::StartRefused);
        }
        self.state = State::InProgress {
            record: req,
            mapping,
        };
        self.counters.setups = self.counters.setups.wrapping_add(1);
        Ok(())
    }

    /// `NdisMCompleteDmaTransfer`: stops the engine and releases the channel.
    ///
    /// Windows flushes with the arguments it is given and never leaves the
    /// channel in progress, so no call is refused:
    /// - A transfer in progress is completed whatever `req` says, with its
    ///   own mapping and direction (the safe choice: the device was given
    ///   that mapping); [`Flush::Mismatched`] when `req` differs (MDL,
    ///   offset, length or direction).
    /// - Engine stopped: for [`Direction::FromDevice`] the data is made
    ///   visible to the CPU, the mapping is dropped: [`Completion::Coherent`].
    /// - Engine still busy: the channel is released but the mapping is kept
    ///   in `Draining` until the engine is idle:
    ///   [`Completion::MaybeIncoherent`].
    /// - Nothing in progress ([`Flush::NothingInProgress`], counted as
    ///   rejected): a draining mapping is dropped if the engine is now idle;
    ///   `Coherent` unless one still drains.
    ///
    /// The controller's residue after the stop is kept for
    /// [`Channel::read_counter`] until the next Setup.
    pub fn complete<C: Controller>(
        &mut self,
        controller: &mut C,
        req: &TransferRecord,
    ) -> Completed {
        let (record, mut mapping) = match core::mem::replace(&mut self.state, State::Idle) {
            State::InProgress { record, mapping } => (record, mapping),
            other => {
                self.state = other;
                self.counters.rejected = self.counters.rejected.wrapping_add(1);
                let completion = if self.reap(controller) {
                    Completion::Coherent
                } else {
                    Completion::MaybeIncoherent
                };
                return Completed {
                    completion,
                    flush: Flush::NothingInProgress,
                };
            }
        };
        let flush = if record == *req {
            Flush::Matched
        } else {
            self.counters.mismatched = self.counters.mismatched.wrapping_add(1);
            Flush::Mismatched
        };
        let engine = controller.stop();
        self.last_residue = controller.residue();
        self.counters.completes = self.counters.completes.wrapping_add(1);
        let completion = match engine {
            EngineState::Idle => {
                if record.dir == Direction::FromDevice {
                    mapping.finish_for_cpu();
                }
                drop(mapping);
                Completion::Coherent
            }
            EngineState::Busy => {
                self.state = State::Draining { mapping };
                self.counters.incoherent = self.counters.incoherent.wrapping_add(1);
                Completion::MaybeIncoherent
            }
        };
        Completed { completion, flush }
    }

    /// `NdisMReadDmaCounter`: bytes of the transfer in progress not yet
    /// moved; after Complete, what the controller reported then (until the
    /// next Setup), so a receive path can compute
    /// `EndOfData = Offset + Length - Counter`.
    pub fn read_counter<C: Controller>(&self, controller: &C) -> u32 {
        if self.is_busy() {
            controller.residue()
        } else {
            self.last_residue
        }
    }

    /// Drops a draining mapping once the engine reports idle. Returns `true`
    /// when nothing is held any more (the channel is idle).
    pub fn reap<C: Controller>(&mut self, controller: &C) -> bool {
        if matches!(self.state, State::Draining { .. }) && controller.state() == EngineState::Idle {
            // Dropping the old state unmaps.
            self.state = State::Idle;
        }
        matches!(self.state, State::Idle)
    }

    /// For `NdisMDeregisterDmaChannel`: stops an in-flight transfer and drops
    /// the mapping once the engine is idle.
    ///
    /// Returns [`ShutdownProgress::WaitForIdle`] while the engine reports busy
    /// (the mapping is kept, in `Draining`); the caller sleeps and calls again,
    /// bounding the wait itself (see [`Channel::abandon`]).
    pub fn shutdown<C: Controller>(&mut self, controller: &mut C) -> ShutdownProgress {
        if matches!(self.state, State::Idle) {
            return ShutdownProgress::Done;
        }
        // Insist on stopping: the channel is going away.
        match controller.stop() {
            EngineState::Idle => {
                // The transfer was abandoned by the miniport: no sync for the
                // CPU, just unmap.
                self.state = State::Idle;
                ShutdownProgress::Done
            }
            EngineState::Busy => {
                let old = core::mem::replace(&mut self.state, State::Idle);
                self.state = match old {
                    State::InProgress { mapping, .. } | State::Draining { mapping } => {
                        State::Draining { mapping }
                    }
                    State::Idle => State::Idle,
                };
                ShutdownProgress::WaitForIdle
            }
        }
    }

    /// Consumes the channel, handing back a mapping it still holds so the
    /// caller can decide its fate (the kernel side leaks it deliberately
    /// rather than unmap memory under a live device).
    #[must_use = "dropping the returned mapping unmaps it"]
    pub fn abandon(mut self) -> Option<M> {
        match core::mem::replace(&mut self.state, State::Idle) {
            State::Idle => None,
            State::InProgress { mapping, .. } | State::Draining { mapping } => Some(mapping),
        }
    }
}

impl<M: Mapping> Drop for Channel<M> {
    fn drop(&mut self) {
        // See the type invariants: leak rather than unmap under a device
        // that may still be writing.
        match core::mem::replace(&mut self.state, State::Idle) {
            State::Idle => {}
            State::InProgress { mapping, .. } | State::Draining { mapping } => {
                core::mem::forget(mapping)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::Cell;
    use std::rc::Rc;

    struct M {
        live: Rc<Cell<i32>>,
        len: usize,
    }
    impl Mapping for M {
        fn device_address(&self) -> u64 {
            0x1000
        }
        fn len(&self) -> usize {
            self.len
        }
        fn finish_for_cpu(&mut self) {}
    }
    impl Drop for M {
        fn drop(&mut self) {
            self.live.set(self.live.get() - 1);
        }
    }
    struct P {
        live: Rc<Cell<i32>>,
        short: bool,
    }
    impl Mapper for P {
        type Mapping = M;
        fn map(&mut self, r: VaRange, _: Direction) -> Result<M> {
            self.live.set(self.live.get() + 1);
            Ok(M {
                live: self.live.clone(),
                len: if self.short { r.len - 1 } else { r.len },
            })
        }
    }
    struct E(EngineState);
    impl Controller for E {
        fn start(&mut self, _: u64, _: u32, _: Direction) -> Result {
            self.0 = EngineState::Busy;
            Ok(())
        }
        fn stop(&mut self) -> EngineState {
            self.0
        }
        fn residue(&self) -> u32 {
            5
        }
        fn state(&self) -> EngineState {
            self.0
        }
    }

    const VIEW: MdlView = MdlView {
        start_va: 0x4000,
        byte_offset: 0,
        byte_count: 100,
    };
    const REQ: TransferRecord = TransferRecord {
        mdl: 1,
        offset: 0,
        length: 10,
        dir: Direction::FromDevice,
    };

    #[test]
    fn roundtrip_and_short_mapping() {
        let live = Rc::new(Cell::new(0));
        let mut p = P {
            live: live.clone(),
            short: false,
        };
        let mut e = E(EngineState::Idle);
        let mut ch: Channel<M> = Channel::new(64);
        ch.setup(&mut p, &mut e, &VIEW, REQ).unwrap();
        assert_eq!(live.get(), 1);
        assert_eq!(ch.read_counter(&e), 5);
        e.0 = EngineState::Idle;
        assert_eq!(
            ch.complete(&mut e, &REQ),
            Completed {
                completion: Completion::Coherent,
                flush: Flush::Matched
            }
        );
        assert_eq!(live.get(), 0);
        // The residue the controller reported at Complete stays readable.
        assert_eq!(ch.read_counter(&e), 5);
        p.short = true;
        assert_eq!(
            ch.setup(&mut p, &mut e, &VIEW, REQ),
            Err(SetupRefusal::MapFailed)
        );
        assert_eq!(SetupRefusal::MapFailed.error(), Error::Resources);
        assert_eq!(live.get(), 0);
        assert_eq!(ch.state(), ChannelState::Idle);
    }

    #[test]
    fn drop_while_held_leaks_instead_of_unmapping() {
        let live = Rc::new(Cell::new(0));
        let mut p = P {
            live: live.clone(),
            short: false,
        };
        let mut e = E(EngineState::Idle);
        let mut ch: Channel<M> = Channel::new(64);
        ch.setup(&mut p, &mut e, &VIEW, REQ).unwrap();
        drop(ch);
        assert_eq!(live.get(), 1);
    }

    #[test]
    fn direction_from_boolean() {
        assert_eq!(Direction::from_write_to_device(1), Direction::ToDevice);
        assert_eq!(Direction::from_write_to_device(0xff), Direction::ToDevice);
        assert_eq!(Direction::from_write_to_device(0), Direction::FromDevice);
        assert_eq!(Completion::Coherent.status(), NdisStatus::SUCCESS);
        assert_eq!(Completion::MaybeIncoherent.status(), NdisStatus::RESOURCES);
    }
}
