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
    /// An NDIS 5 connection's handlers, which the trampolines `raw` calls
    /// are given; dropped after `raw` is disconnected (fields drop after
    /// `Drop::drop`).
    _ndis5: Option<KBox<Ndis5Handlers>>,
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
// SAFETY: `&Interrupt` is used from several CPUs at once only through C
// calls that serialise themselves (`isr_lock`, `dpc_lock` in rust/helpers.c).
unsafe impl Sync for Interrupt {}

impl Drop for Interrupt {
    fn drop(&mut self) {
        // SAFETY: by the type invariant, connected and not yet disconnected.
        unsafe { ndis_shim_irq_disconnect(self.raw) };
    }
}

/// Connects `isr` and `dpc` with `context` for `adapter`: the C object,
/// or `Resources`. PASSIVE.
fn connect(
    adapter: &AdapterCore,
    isr: Isr,
    dpc: Dpc,
    context: *mut c_void,
) -> NdisResult<(*mut RawIrq, InterruptType)> {
    let mut message_based = false;
    // SAFETY: the adapter's device is bound; the handlers are the miniport's
    // (or the NDIS 5 trampolines, whose context the caller keeps alive
    // while connected) and stay loaded while the interrupt is connected
    // (disconnected at the latest in the adapter's teardown).
    let raw = unsafe {
        ndis_shim_irq_connect(
            adapter.pci_dev().cast(),
            isr,
            dpc,
            context,
            adapter.driver.c_name().as_char_ptr(),
            &mut message_based,
        )
    };
    if raw.is_null() || (raw as isize) < 0 && (raw as isize) >= -4095 {
        return Err(Error::Resources);
    }
    let kind = if message_based {
        InterruptType::MessageBased
    } else {
        InterruptType::LineBased
    };
    Ok((raw, kind))
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
    let (raw, kind) = connect(adapter, isr, dpc, request.context)?;
    // INVARIANT: `raw` was just connected.
    let irq = Interrupt {
        owner,
        raw,
        _ndis5: None,
    };
    // On failure from here on, `irq` disconnects as it is dropped (PASSIVE).
    let irq = Arc::new(irq, GFP_KERNEL).map_err(|_| Error::Resources)?;
    Ok((irq, kind))
}

/// `MiniportISR` (`W_ISR_HANDLER`), present.
pub(crate) type Ndis5Isr = unsafe extern "C" fn(abi::PBOOLEAN, abi::PBOOLEAN, abi::NDIS_HANDLE);
/// `MiniportHandleInterrupt`, `MiniportEnableInterrupt`,
/// `MiniportDisableInterrupt`: each takes the adapter context.
pub(crate) type Ndis5Handler = unsafe extern "C" fn(abi::NDIS_HANDLE);

const _: abi::W_ISR_HANDLER = None::<Ndis5Isr>;
const _: abi::W_HANDLE_INTERRUPT_HANDLER = None::<Ndis5Handler>;
const _: abi::W_ENABLE_INTERRUPT_HANDLER = None::<Ndis5Handler>;
const _: abi::W_DISABLE_INTERRUPT_HANDLER = None::<Ndis5Handler>;

/// What an NDIS 5 miniport's characteristics give its interrupt, with
/// `NdisMRegisterInterrupt`'s `RequestIsr`.
pub(crate) struct Ndis5Handlers {
    /// `ISRHandler`, called when `request_isr`.
    pub(crate) isr: Option<Ndis5Isr>,
    /// `HandleInterruptHandler` (the DPC).
    pub(crate) handle_interrupt: Option<Ndis5Handler>,
    /// `EnableInterruptHandler` / `DisableInterruptHandler`, called around
    /// the DPC instead of the ISR when not `request_isr`.
    pub(crate) enable: Option<Ndis5Handler>,
    pub(crate) disable: Option<Ndis5Handler>,
    /// `MiniportAdapterContext`.
    pub(crate) context: *mut c_void,
    pub(crate) request_isr: bool,
    /// The adapter's NDIS 5 serialization: the DPC runs as one of the
    /// serialized miniport's calls. The adapter outlives its interrupt
    /// connections (disconnected by `NdisMDeregisterInterrupt` or when
    /// the adapter is released).
    pub(crate) serial: *const crate::nic::Ndis5State,
}

/// The ISR an NDIS 5 connection runs (hard IRQ): the miniport's
/// `MiniportISR` when it asked for it, otherwise NDIS's own: the interrupt
/// is the adapter's (not shared), `MiniportDisableInterrupt` quiets it and
/// the DPC is queued ("NDIS disables further interrupts by calling the
/// miniport driver's MiniportDisableInterrupt function and then queues the
/// miniport driver's MiniportHandleInterrupt", Choosing Interrupt Support
/// Handlers, NDIS 5.1, learn.microsoft.com/previous-versions/windows/hardware/network/ff563319).
///
/// # Safety
///
/// `context` is a live [`Ndis5Handlers`]; `queue_dpc` writable.
unsafe extern "C" fn ndis5_isr(
    context: abi::NDIS_HANDLE,
    queue_dpc: abi::PBOOLEAN,
    _target: abi::PULONG,
) -> u8 {
    // SAFETY: by this function's safety requirement.
    let h = unsafe { &*context.cast::<Ndis5Handlers>() };
    let (recognized, queue) = match (h.request_isr, h.isr, h.disable) {
        (true, Some(isr), _) => {
            let (mut recognized, mut queue) = (0u8, 0u8);
            // SAFETY: the miniport's ISR with its adapter context.
            unsafe { isr(&mut recognized, &mut queue, h.context) };
            (recognized, queue)
        }
        (false, _, disable) => {
            if let Some(disable) = disable {
                // SAFETY: the miniport's handler with its adapter context.
                unsafe { disable(h.context) };
            }
            (1, 1)
        }
        // Refused at registration.
        (true, None, _) => (0, 0),
    };
    // SAFETY: writable (safety requirement).
    unsafe { *queue_dpc = queue };
    recognized
}

/// The DPC an NDIS 5 connection runs (softirq, DISPATCH_LEVEL):
/// `MiniportHandleInterrupt`, then `MiniportEnableInterrupt` when NDIS
/// disabled the interrupt in its stead.
///
/// # Safety
///
/// `context` is a live [`Ndis5Handlers`].
unsafe extern "C" fn ndis5_dpc(
    context: abi::NDIS_HANDLE,
    _dpc_context: abi::PVOID,
    _r1: abi::PVOID,
    _r2: abi::PVOID,
) {
    // SAFETY: by this function's safety requirement.
    let h = unsafe { &*context.cast::<Ndis5Handlers>() };
    let run = || {
        if let Some(dpc) = h.handle_interrupt {
            // SAFETY: the miniport's handler with its adapter context.
            unsafe { dpc(h.context) };
        }
        if !h.request_isr {
            if let Some(enable) = h.enable {
                // SAFETY: the miniport's handler with its adapter context.
                unsafe { enable(h.context) };
            }
        }
    };
    // SAFETY: the adapter's state, which outlives the connection (the
    // field's documentation).
    unsafe { (*h.serial).serialized(run) };
}

/// `NdisMRegisterInterrupt` for the adapter `owner` names, on the same
/// connection machinery as `NdisMRegisterInterruptEx`. `Failure` when the
/// characteristics lack what the call needs (`HandleInterruptHandler`;
/// `ISRHandler` with `RequestIsr`; `DisableInterruptHandler` and
/// `EnableInterruptHandler` without it) or a shared interrupt is asked for
/// without `RequestIsr` (the page: "If the NIC can share an interrupt
/// with other devices on the I/O bus, this parameter must be set to
/// TRUE"). PASSIVE.
pub(crate) fn register_ndis5(
    adapter: &AdapterCore,
    owner: Handle,
    handlers: Ndis5Handlers,
    shared: bool,
) -> NdisResult<(Arc<Interrupt>, InterruptType)> {
    let complete = handlers.handle_interrupt.is_some()
        && if handlers.request_isr {
            handlers.isr.is_some()
        } else {
            !shared && handlers.enable.is_some() && handlers.disable.is_some()
        };
    if !complete {
        return Err(Error::Failure);
    }
    let handlers = KBox::new(handlers, GFP_KERNEL).map_err(|_| Error::Resources)?;
    let context = (&raw const *handlers).cast_mut().cast();
    let (raw, kind) = connect(adapter, ndis5_isr, ndis5_dpc, context)?;
    // INVARIANT: `raw` was just connected; `handlers` outlives it.
    let irq = Interrupt {
        owner,
        raw,
        _ndis5: Some(handlers),
    };
    let irq = Arc::new(irq, GFP_KERNEL).map_err(|_| Error::Resources)?;
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
