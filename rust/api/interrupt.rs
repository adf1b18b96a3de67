// SPDX-License-Identifier: GPL-2.0

//! [`Interrupt`]: `NdisMRegisterInterruptEx` with a [`InterruptHandler`].

use core::ffi::c_void;
use kernel::sync::Arc;

use super::{adapter::Adapter, ffi, Status};

/// What an ISR found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum IsrResult {
    /// Not this device's interrupt (the line may be shared).
    NotRecognized,
    /// Handled; no DPC needed.
    Handled,
    /// Handled; run [`InterruptHandler::dpc`].
    QueueDpc,
}

/// A miniport's interrupt handlers.
pub(crate) trait InterruptHandler: Send + Sync {
    /// `MiniportInterrupt`: hard-IRQ context; must not sleep or allocate.
    fn isr(&self) -> IsrResult;
    /// `MiniportInterruptDPC`: DISPATCH_LEVEL (softirq); must not sleep.
    fn dpc(&self);
}

/// A connected interrupt; disconnected (`NdisMDeregisterInterruptEx`, which
/// waits for a running ISR and DPC) on drop.
///
/// # Invariants
///
/// `raw` is the interrupt handle the shim returned for `adapter`, not yet
/// deregistered; its interrupt context is `Arc::as_ptr(&handler)`, which
/// stays alive (held here) until it is deregistered.
pub(crate) struct Interrupt<'a, H: InterruptHandler> {
    adapter: &'a Adapter,
    raw: ffi::NDIS_HANDLE,
    handler: Arc<H>,
}

// SAFETY: the handle is only passed to thread-safe NDIS calls; `H` is Sync.
unsafe impl<H: InterruptHandler> Send for Interrupt<'_, H> {}
// SAFETY: `&Interrupt` only reads the handle, which never changes,
// and hands out `&Arc<H>`, which is Sync as `H` is Send + Sync.
unsafe impl<H: InterruptHandler> Sync for Interrupt<'_, H> {}

/// `MiniportInterrupt` trampoline: [`InterruptHandler::isr`].
///
/// # Safety
///
/// `context` must be the interrupt context registered with this trampoline
/// (the payload of the [`Interrupt`]'s `Arc<H>`), and the interrupt not yet
/// deregistered; `queue_dpc` and `target_processors` must be valid for
/// writes.
unsafe extern "C" fn isr<H: InterruptHandler>(
    context: ffi::NDIS_HANDLE,
    queue_dpc: ffi::PBOOLEAN,
    target_processors: ffi::PULONG,
) -> ffi::BOOLEAN {
    // SAFETY: `context` is the `Arc<H>` payload registered with this
    // trampoline; it lives until deregistration (type invariant of
    // `Interrupt`), which waits for running handlers.
    let handler = unsafe { &*context.cast::<H>() };
    let result = handler.isr();
    // SAFETY: the shim passes valid out pointers.
    unsafe {
        *queue_dpc = u8::from(result == IsrResult::QueueDpc);
        *target_processors = 0;
    }
    u8::from(result != IsrResult::NotRecognized)
}

/// `MiniportInterruptDPC` trampoline: [`InterruptHandler::dpc`].
///
/// # Safety
///
/// `context` must be the interrupt context registered with this trampoline
/// (the payload of the [`Interrupt`]'s `Arc<H>`), and the interrupt not yet
/// deregistered; the other arguments are unused.
unsafe extern "C" fn dpc<H: InterruptHandler>(
    context: ffi::NDIS_HANDLE,
    _dpc_context: *mut c_void,
    _reserved1: *mut c_void,
    _reserved2: *mut c_void,
) {
    // SAFETY: `context` is the `Arc<H>` payload registered with this
    // trampoline; it lives until deregistration (type invariant of
    // `Interrupt`), which waits for a running DPC.
    let handler = unsafe { &*context.cast::<H>() };
    handler.dpc();
}

impl<'a, H: InterruptHandler + 'a> Interrupt<'a, H> {
    /// `NdisMRegisterInterruptEx`: connects the adapter's interrupt to
    /// `handler` (line-based or MSI, as the shim chooses). PASSIVE_LEVEL.
    pub(crate) fn register(adapter: &'a Adapter, handler: Arc<H>) -> Result<Self, Status> {
        let mut chars = ffi::NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
            Header: ffi::NDIS_OBJECT_HEADER {
                Type: ffi::NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT as u8,
                Revision: ffi::NDIS_MINIPORT_INTERRUPT_REVISION_1 as u8,
                Size: ffi::NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1 as u16,
            },
            InterruptHandler: Some(isr::<H>),
            InterruptDpcHandler: Some(dpc::<H>),
            ..Default::default()
        };
        let mut raw = core::ptr::null_mut();
        // SAFETY: a live adapter; `chars` is a complete revision-1 structure;
        // the context is `handler`'s payload, kept alive by `Self` until
        // deregistration.
        let status = unsafe {
            ffi::NdisMRegisterInterruptEx(
                adapter.handle(),
                Arc::as_ptr(&handler).cast_mut().cast(),
                &mut chars,
                &mut raw,
            )
        };
        Status(status).to_result()?;
        // INVARIANT: registered just now with `handler` as context.
        Ok(Self {
            adapter,
            raw,
            handler,
        })
    }

    /// The handler the interrupt calls.
    #[allow(dead_code, reason = "API accessor; not every miniport uses it")]
    pub(crate) fn handler(&self) -> &Arc<H> {
        &self.handler
    }
}

impl<H: InterruptHandler> Drop for Interrupt<'_, H> {
    fn drop(&mut self) {
        // SAFETY: registered and not yet deregistered (type invariant). The
        // call waits for a running ISR and DPC, so `handler` may be dropped
        // after it.
        unsafe { ffi::NdisMDeregisterInterruptEx(self.raw) };
        let _ = self.adapter;
    }
}
