// SPDX-License-Identifier: GPL-2.0

//! `NdisMRegisterInterruptEx` / `NdisMDeregisterInterruptEx`.
//!
//! The connection itself is a thin C wrapper (`rust/helpers.c`): the ISR
//! runs in hard-IRQ context, the DPC on the BH workqueue. The kernel crate's
//! `irq::Registration` ties a registration to a borrowed device lifetime,
//! which a handle held by C across calls cannot express.

use core::ffi::c_void;
use kernel::{prelude::*, sync::Arc};

use crate::{
    abi,
    adapter_core::AdapterCore,
    characteristics::{validate_interrupt_characteristics, InterruptCharacteristicsView},
    handle::{Handle, HandleKind},
    registry::{self, InRegistry},
    status::{Error, Result as NdisResult},
};

#[repr(C)]
struct RawIrq {
    _opaque: [u8; 0],
}

/// `MINIPORT_ISR`, present.
pub(crate) type Isr = unsafe extern "C" fn(abi::NDIS_HANDLE, abi::PBOOLEAN, abi::PULONG) -> u8;
/// `MINIPORT_INTERRUPT_DPC`, present.
pub(crate) type Dpc = unsafe extern "C" fn(abi::NDIS_HANDLE, abi::PVOID, abi::PVOID, abi::PVOID);

// The helpers' types must be the header's handler types.
const _: abi::MINIPORT_ISR_HANDLER = None::<Isr>;
const _: abi::MINIPORT_INTERRUPT_DPC_HANDLER = None::<Dpc>;

extern "C" {
    fn ndis_shim_irq_connect(
        pdev: *mut c_void,
        isr: Isr,
        dpc: Dpc,
        ctx: *mut c_void,
        name: *const u8,
        message_based: *mut bool,
    ) -> *mut RawIrq;
    fn ndis_shim_irq_disconnect(irq: *mut RawIrq);
    fn ndis_shim_irq_counts(irq: *mut RawIrq, number: *mut i32, claimed: *mut u64, dpcs: *mut u64);
    fn ndis_shim_irq_synchronize(
        irq: *mut RawIrq,
        function: SynchronizeFunction,
        context: *mut c_void,
    ) -> u8;
}

/// `MINIPORT_SYNCHRONIZE_INTERRUPT`, present.
pub(crate) type SynchronizeFunction = unsafe extern "C" fn(abi::NDIS_HANDLE) -> u8;

const _: abi::MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER = None::<SynchronizeFunction>;

/// What `NdisMRegisterInterruptEx` is given, decoded.
pub(crate) struct InterruptRequest {
    /// The characteristics' header and which handlers it has.
    pub(crate) view: InterruptCharacteristicsView,
    pub(crate) isr: Option<Isr>,
    pub(crate) dpc: Option<Dpc>,
    /// `MiniportInterruptContext`.
    pub(crate) context: *mut c_void,
}

/// How an interrupt was connected (`InterruptType`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum InterruptType {
    /// INTx (`NDIS_CONNECT_LINE_BASED`).
    LineBased,
    /// MSI (`NDIS_CONNECT_MESSAGE_BASED`).
    MessageBased,
}

/// A connected interrupt, owned by its adapter.
///
/// # Invariants
///
/// `raw` was returned by `ndis_shim_irq_connect` and is disconnected once,
/// in `Drop`.
pub(crate) struct Interrupt {
    /// The owning adapter's handle.
    owner: Handle,
    raw: *mut RawIrq,
}

// SAFETY: `KIND` `Interrupt` is implemented by `Interrupt` only.
unsafe impl InRegistry for Interrupt {
    const KIND: HandleKind = HandleKind::Interrupt;
}

impl Interrupt {
    /// The handle of the adapter that owns the interrupt.
    pub(crate) fn owner(&self) -> Handle {
        self.owner
    }

    /// The C connection (`struct ndis_shim_irq`), for the net_device's
    /// NAPI poll; valid while `self` is.
    pub(crate) fn raw(&self) -> *mut c_void {
        self.raw.cast()
    }

    /// `NdisMSynchronizeWithInterruptEx`: runs `function(context)` with the
    /// ISR held off and returns what it returns ("returns the Boolean value
    /// that MiniportSynchronizeInterrupt returns",
    /// learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndismsynchronizewithinterruptex).
    /// It holds the ISR wrapper's spin lock with local interrupts off, as
    /// Windows holds the interrupt spin lock at DIRQL; from the ISR itself
    /// it runs the function directly. The shim connects one vector, so
    /// every `MessageId` names it. Any context (`<= DIRQL`).
    ///
    /// # Safety
    ///
    /// `function` must be safe to call with `context` with interrupts off.
    pub(crate) unsafe fn synchronize(
        &self,
        function: SynchronizeFunction,
        context: *mut c_void,
    ) -> u8 {
        // SAFETY: connected while `self` lives (type invariant); the
        // function is the caller's to vouch for (safety requirement).
        unsafe { ndis_shim_irq_synchronize(self.raw, function, context) }
    }
}

// SAFETY: the C object may be used from any CPU: it is connected and
// disconnected once, and what else touches it (the synchronize call, the
// NAPI poll switch) takes its own locks.
unsafe impl Send for Interrupt {}
// SAFETY: as for `Send`: every use through `&self` is serialised in C
// (`isr_lock`, `dpc_lock` in rust/helpers.c).
unsafe impl Sync for Interrupt {}

impl Drop for Interrupt {
    fn drop(&mut self) {
        // SAFETY: by the type invariant, connected and not yet disconnected.
        unsafe { ndis_shim_irq_disconnect(self.raw) };
    }
}

/// `NdisMRegisterInterruptEx` for the adapter `owner` names: the
/// connected interrupt, for the adapter to own, and how it was connected.
/// PASSIVE.
pub(crate) fn register(
    adapter: &AdapterCore,
    owner: Handle,
    request: InterruptRequest,
) -> NdisResult<(Arc<Interrupt>, InterruptType)> {
    validate_interrupt_characteristics(&request.view)?;
    let (Some(isr), Some(dpc)) = (request.isr, request.dpc) else {
        return Err(Error::BadCharacteristics);
    };
    let mut message_based = false;
    // SAFETY: the adapter's device is bound; the handlers are the miniport's
    // and stay loaded while the interrupt is connected (disconnected at the
    // latest in the adapter's teardown).
    let raw = unsafe {
        ndis_shim_irq_connect(
            adapter.pci_dev().cast(),
            isr,
            dpc,
            request.context,
            adapter.driver.c_name().as_char_ptr(),
            &mut message_based,
        )
    };
    if raw.is_null() || (raw as isize) < 0 && (raw as isize) >= -4095 {
        return Err(Error::Resources);
    }
    // INVARIANT: `raw` was just connected.
    let irq = Interrupt { owner, raw };
    // On failure from here on, `irq` disconnects as it is dropped (PASSIVE).
    let irq = Arc::new(irq, GFP_KERNEL).map_err(|_| Error::Resources)?;
    let kind = if message_based {
        InterruptType::MessageBased
    } else {
        InterruptType::LineBased
    };
    Ok((irq, kind))
}

/// An interrupt as debugfs's view shows it.
pub(crate) struct InterruptView {
    /// The Linux IRQ number.
    pub(crate) irq: i32,
    /// Interrupts the ISR claimed.
    pub(crate) claimed: u64,
    /// DPCs the ISR queued.
    pub(crate) dpcs_queued: u64,
}

/// What the interrupt `handle` names shows, if it is still connected.
/// Any context.
pub(crate) fn view(handle: Handle) -> Option<InterruptView> {
    let irq = registry::find::<Interrupt>(handle)?;
    let mut view = InterruptView {
        irq: 0,
        claimed: 0,
        dpcs_queued: 0,
    };
    // SAFETY: connected while its handle names it (the lookup's section).
    unsafe {
        ndis_shim_irq_counts(
            irq.raw,
            &mut view.irq,
            &mut view.claimed,
            &mut view.dpcs_queued,
        )
    };
    Some(view)
}
