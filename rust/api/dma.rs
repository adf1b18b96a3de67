// SPDX-License-Identifier: GPL-2.0

//! System (subordinate) DMA: [`DmaChannel`] and [`Transfer`] for the
//! miniport, [`DmaEngine`] for its Linux glue (`NDIS_LINUX_DMA_CONTROLLER`).

use core::sync::atomic::{AtomicU32, Ordering};

use super::{
    adapter::Adapter,
    ffi,
    mdl::{DmaBuffer, Mdl},
    Status,
};

/// Which way a transfer moves data.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Direction {
    /// Memory to device (`WriteToDevice` TRUE).
    ToDevice,
    /// Device to memory (`WriteToDevice` FALSE).
    FromDevice,
}

impl Direction {
    fn write_to_device(self) -> ffi::BOOLEAN {
        u8::from(self == Direction::ToDevice)
    }

    fn from_write_to_device(w: ffi::BOOLEAN) -> Self {
        if w != 0 {
            Direction::ToDevice
        } else {
            Direction::FromDevice
        }
    }
}

/// `Dma32BitAddresses` of `NdisMRegisterDmaChannel`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DmaAddresses {
    /// FALSE: 24-bit (ISA) addresses.
    #[allow(
        dead_code,
        reason = "ISA-style channels; a PCI miniport registers 32-bit ones"
    )]
    Bits24,
    /// TRUE: 32-bit addresses (the glue's `DmaAddressBits` may narrow it).
    Bits32,
}

/// `DMA_WIDTH` of the channel's description.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[allow(
    dead_code,
    reason = "the widths a channel description may carry; each miniport names one"
)]
pub(crate) enum DmaWidth {
    /// `Width8Bits`.
    Bits8,
    /// `Width16Bits`.
    Bits16,
    /// `Width32Bits`.
    Bits32,
    /// `Width64Bits`.
    Bits64,
}

impl DmaWidth {
    fn raw(self) -> ffi::DMA_WIDTH {
        match self {
            DmaWidth::Bits8 => ffi::Width8Bits,
            DmaWidth::Bits16 => ffi::Width16Bits,
            DmaWidth::Bits32 => ffi::Width32Bits,
            DmaWidth::Bits64 => ffi::Width64Bits,
        }
    }
}

/// A system-DMA channel (`NdisMRegisterDmaChannel`); deregistered on drop
/// (which stops the engine and waits until it can no longer touch memory).
///
/// # Invariants
///
/// `raw` is the DMA handle the shim returned for `adapter`, not yet
/// deregistered. While a [`Transfer`] exists it borrows `self` mutably, so
/// the channel has at most one transfer set up through this API.
pub(crate) struct DmaChannel<'a> {
    adapter: &'a Adapter,
    raw: ffi::NDIS_HANDLE,
    number: u32,
    maximum_length: u32,
}

// SAFETY: the handle is only passed to the shim's thread-safe DMA calls.
unsafe impl Send for DmaChannel<'_> {}
// SAFETY: `&self` methods only read the counter, which is thread-safe.
unsafe impl Sync for DmaChannel<'_> {}

impl<'a> DmaChannel<'a> {
    /// `NdisMRegisterDmaChannel`. PASSIVE_LEVEL.
    pub(crate) fn register(
        adapter: &'a Adapter,
        number: u32,
        addresses: DmaAddresses,
        width: DmaWidth,
        maximum_length: u32,
    ) -> Result<Self, Status> {
        let mut description = ffi::NDIS_DMA_DESCRIPTION {
            DemandMode: 0,
            AutoInitialize: 0,
            // NdisMRegisterDmaChannel: the `DmaChannel` argument is
            // ignored; the channel is the description's.
            DmaChannelSpecified: 1,
            DmaWidth: width.raw(),
            DmaSpeed: ffi::Compatible,
            DmaPort: 0,
            DmaChannel: number,
        };
        let mut raw = core::ptr::null_mut();
        // SAFETY: a live adapter handle; valid out pointer and description.
        let status = unsafe {
            ffi::NdisMRegisterDmaChannel(
                &mut raw,
                adapter.handle(),
                number,
                u8::from(addresses == DmaAddresses::Bits32),
                &mut description,
                maximum_length,
            )
        };
        Status(status).to_result()?;
        // INVARIANT: registered just now.
        Ok(Self {
            adapter,
            raw,
            number,
            maximum_length,
        })
    }

    /// The channel number given at registration.
    #[allow(dead_code, reason = "API accessor; not every miniport uses it")]
    pub(crate) fn number(&self) -> u32 {
        self.number
    }

    /// `MaximumLength` given at registration.
    #[allow(dead_code, reason = "API accessor; not every miniport uses it")]
    pub(crate) fn maximum_length(&self) -> u32 {
        self.maximum_length
    }

    /// `NdisMSetupDmaTransfer`: maps `len` bytes of `mdl` from `offset` and
    /// starts the engine (through the glue's [`DmaEngine::start`]). Never
    /// sleeps.
    ///
    /// The returned [`Transfer`] borrows the channel and the MDL until it is
    /// completed, so neither can be reused or freed meanwhile.
    pub(crate) fn setup<'c, B: DmaBuffer>(
        &'c mut self,
        mdl: &'c Mdl<'_, B>,
        offset: u32,
        len: u32,
        dir: Direction,
    ) -> Result<Transfer<'c, 'a>, Status> {
        let in_range = offset.checked_add(len).is_some_and(|end| end <= mdl.len());
        if len == 0 || !in_range {
            return Err(Status::INVALID_LENGTH);
        }
        let mut status = Status::FAILURE.raw();
        // SAFETY: a live channel handle (type invariant); `mdl`'s memory stays
        // borrowed by the returned `Transfer` until Complete (a forgotten `Mdl` leaks it).
        unsafe {
            ffi::NdisSetupDmaTransfer(
                &mut status,
                self.raw,
                mdl.raw(),
                offset,
                len,
                dir.write_to_device(),
            )
        };
        Status(status).to_result()?;
        mdl.in_flight().fetch_add(1, Ordering::AcqRel);
        // INVARIANT: Setup succeeded with exactly these arguments.
        Ok(Transfer {
            channel: self,
            mdl: mdl.raw(),
            in_flight: mdl.in_flight(),
            offset,
            len,
            dir,
        })
    }

    /// `NdisMReadDmaCounter`: bytes of the current transfer not yet moved
    /// (0 when idle).
    pub(crate) fn read_counter(&self) -> u32 {
        // SAFETY: a live channel handle (type invariant).
        unsafe { ffi::NdisMReadDmaCounter(self.raw) }
    }
}

impl Drop for DmaChannel<'_> {
    fn drop(&mut self) {
        // SAFETY: registered and not yet deregistered (type invariant); no
        // `Transfer` exists (it would borrow `self`).
        unsafe { ffi::NdisMDeregisterDmaChannel(self.raw) };
        let _ = self.adapter;
    }
}

/// A transfer set up on a [`DmaChannel`]; [`Transfer::complete`] consumes it.
///
/// Completing it is the only way to end it (dropping it completes it too,
/// ignoring the status), and it carries Setup's own arguments, so Complete
/// cannot be called twice, without Setup, or with other arguments.
///
/// # Invariants
///
/// `NdisSetupDmaTransfer` succeeded on `channel` with `mdl`, `offset`,
/// `len` and `dir`, and the transfer has not been completed; `in_flight` is
/// the MDL's counter, incremented for this transfer.
pub(crate) struct Transfer<'c, 'a> {
    channel: &'c mut DmaChannel<'a>,
    mdl: ffi::PMDL,
    in_flight: &'c AtomicU32,
    offset: u32,
    len: u32,
    dir: Direction,
}

// SAFETY: the MDL pointer is only passed to the shim's thread-safe Complete.
unsafe impl Send for Transfer<'_, '_> {}

impl Transfer<'_, '_> {
    /// Bytes the transfer moves.
    #[allow(dead_code, reason = "API accessor; not every miniport uses it")]
    pub(crate) fn len(&self) -> u32 {
        self.len
    }

    /// Its direction.
    #[allow(dead_code, reason = "API accessor; not every miniport uses it")]
    pub(crate) fn direction(&self) -> Direction {
        self.dir
    }

    /// `NdisMReadDmaCounter` while the transfer is set up.
    pub(crate) fn read_counter(&self) -> u32 {
        self.channel.read_counter()
    }

    fn finish(&mut self) -> Result<(), Status> {
        let mut status = Status::FAILURE.raw();
        // SAFETY: a live channel; Setup's own arguments (type invariant). The
        // shim stops the engine if it is still busy and reports failure when
        // it cannot confirm the engine idle (then keeping the memory mapped).
        unsafe {
            ffi::NdisCompleteDmaTransfer(
                &mut status,
                self.channel.raw,
                self.mdl,
                self.offset,
                self.len,
                self.dir.write_to_device(),
            )
        };
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
        Status(status).to_result()
    }

    /// `NdisMCompleteDmaTransfer`: ends the transfer (flushing, or copying
    /// back from bounce memory, for [`Direction::FromDevice`]). Call it
    /// once the engine is done (its completion interrupt); earlier, the
    /// shim stops the engine first. Never sleeps.
    pub(crate) fn complete(self) -> Result<(), Status> {
        let mut this = core::mem::ManuallyDrop::new(self);
        this.finish()
    }
}

impl Drop for Transfer<'_, '_> {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// The engine state a [`DmaEngine::stop`] leaves.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum EngineState {
    /// Idle: the engine will not touch memory again.
    Idle,
    /// Not confirmed idle (the shim keeps the memory mapped until
    /// [`DmaEngine::is_busy`] says otherwise).
    Busy,
}

/// The device's DMA engine as the shim drives it: the Linux glue's
/// `NDIS_LINUX_DMA_CONTROLLER`. Called with the channel's lock held, from
/// any context up to DISPATCH_LEVEL: no method may sleep.
pub(crate) trait DmaEngine: Send + Sync {
    /// Programs and starts a transfer of `len` bytes at bus address
    /// `device_address`. An error means nothing started.
    fn start(
        &self,
        channel: u32,
        device_address: u64,
        len: u32,
        dir: Direction,
    ) -> Result<(), Status>;
    /// Stops the current transfer.
    fn stop(&self, channel: u32) -> EngineState;
    /// Whether the engine may still access memory.
    fn is_busy(&self, channel: u32) -> bool;
    /// Bytes of the current transfer not yet moved.
    fn residue(&self, channel: u32) -> u32;
}

/// The controller operations for engine type `E`, reached through `lookup`.
pub(super) struct Controller<E, L>(core::marker::PhantomData<(E, L)>);

/// Resolves an `AdapterContext` to the engine, for the trampolines.
///
/// # Safety
///
/// Implementations must return a pointer to an `E` that stays alive until
/// the shim has released every channel of the adapter (or `None`).
pub(super) unsafe trait EngineOf<E> {
    /// The engine behind `context`.
    ///
    /// # Safety
    ///
    /// `context` must be the `AdapterContext` the API registered.
    unsafe fn engine(context: ffi::NDIS_HANDLE) -> Option<*const E>;
}

impl<E: DmaEngine, L: EngineOf<E>> Controller<E, L> {
    /// The `NDIS_LINUX_DMA_CONTROLLER` table.
    pub(super) const OPS: ffi::NDIS_LINUX_DMA_CONTROLLER = ffi::NDIS_LINUX_DMA_CONTROLLER {
        Start: Some(Self::start),
        Stop: Some(Self::stop),
        IsBusy: Some(Self::is_busy),
        ReadResidue: Some(Self::residue),
        // No engine behind this API has modes to configure.
        Configure: None,
    };

    /// `NDIS_LINUX_DMA_CONTROLLER.Start`: [`DmaEngine::start`].
    ///
    /// # Safety
    ///
    /// `context` must be the `AdapterContext` the API registered (as
    /// [`EngineOf::engine`] requires), passed by the shim while it may use
    /// the adapter's channels.
    unsafe extern "C" fn start(
        context: ffi::NDIS_HANDLE,
        channel: u32,
        device_address: u64,
        len: u32,
        write_to_device: ffi::BOOLEAN,
    ) -> ffi::NDIS_STATUS {
        // SAFETY: the shim passes the registered `AdapterContext`; the engine
        // is alive while the shim may call (`EngineOf` contract).
        match unsafe { L::engine(context) } {
            Some(e) => Status::from_result(
                // SAFETY: `e` is the registered engine, alive until the shim has
                // released every channel (`EngineOf` contract); only `&` is taken.
                unsafe { &*e }.start(
                    channel,
                    device_address,
                    len,
                    Direction::from_write_to_device(write_to_device),
                ),
            )
            .raw(),
            None => Status::RESOURCES.raw(),
        }
    }

    /// `NDIS_LINUX_DMA_CONTROLLER.Stop`: [`DmaEngine::stop`].
    ///
    /// # Safety
    ///
    /// `context` must be the `AdapterContext` the API registered (as
    /// [`EngineOf::engine`] requires), passed by the shim while it may use
    /// the adapter's channels.
    unsafe extern "C" fn stop(context: ffi::NDIS_HANDLE, channel: u32) -> ffi::BOOLEAN {
        // SAFETY: the shim passes the registered `AdapterContext` (safety
        // requirement), which is what `engine` asks for.
        match unsafe { L::engine(context) } {
            // SAFETY: `e` is the registered engine, alive until the shim has
            // released every channel (`EngineOf` contract); only `&` is taken.
            Some(e) => u8::from(unsafe { &*e }.stop(channel) == EngineState::Idle),
            // No engine: nothing confirms it idle.
            None => 0,
        }
    }

    /// `NDIS_LINUX_DMA_CONTROLLER.IsBusy`: [`DmaEngine::is_busy`].
    ///
    /// # Safety
    ///
    /// `context` must be the `AdapterContext` the API registered (as
    /// [`EngineOf::engine`] requires), passed by the shim while it may use
    /// the adapter's channels.
    unsafe extern "C" fn is_busy(context: ffi::NDIS_HANDLE, channel: u32) -> ffi::BOOLEAN {
        // SAFETY: the shim passes the registered `AdapterContext` (safety
        // requirement), which is what `engine` asks for.
        match unsafe { L::engine(context) } {
            // SAFETY: `e` is the registered engine, alive until the shim has
            // released every channel (`EngineOf` contract); only `&` is taken.
            Some(e) => u8::from(unsafe { &*e }.is_busy(channel)),
            None => 1,
        }
    }

    /// `NDIS_LINUX_DMA_CONTROLLER.ReadResidue`: [`DmaEngine::residue`].
    ///
    /// # Safety
    ///
    /// `context` must be the `AdapterContext` the API registered (as
    /// [`EngineOf::engine`] requires), passed by the shim while it may use
    /// the adapter's channels.
    unsafe extern "C" fn residue(context: ffi::NDIS_HANDLE, channel: u32) -> u32 {
        // SAFETY: the shim passes the registered `AdapterContext` (safety
        // requirement), which is what `engine` asks for.
        match unsafe { L::engine(context) } {
            // SAFETY: `e` is the registered engine, alive until the shim has
            // released every channel (`EngineOf` contract); only `&` is taken.
            Some(e) => unsafe { &*e }.residue(channel),
            None => 0,
        }
    }
}
