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
    adapter::Adapter,
    characteristics::{validate_interrupt_characteristics, InterruptCharacteristicsView},
    ffi,
    handle::{Handle, HandleKind},
    registry::{self, REGISTRY},
    status::{Error, Result as NdisResult},
};

#[repr(C)]
struct RawIrq {
    _opaque: [u8; 0],
}

extern "C" {
    fn ndis_shim_irq_connect(
        pdev: *mut c_void,
        isr: ffi::IsrHandler,
        dpc: ffi::DpcHandler,
        ctx: *mut c_void,
        name: *const u8,
        message_based: *mut bool,
    ) -> *mut RawIrq;
    fn ndis_shim_irq_disconnect(irq: *mut RawIrq);
}

/// A connected interrupt.
///
/// # Invariants
///
/// `raw` was returned by `ndis_shim_irq_connect` and is disconnected once,
/// in `Drop`.
pub(crate) struct Interrupt {
    adapter: Arc<Adapter>,
    raw: *mut RawIrq,
}

// SAFETY: the C object is only touched by connect and disconnect.
unsafe impl Send for Interrupt {}
// SAFETY: as above.
unsafe impl Sync for Interrupt {}

impl Drop for Interrupt {
    fn drop(&mut self) {
        // SAFETY: by the type invariant, connected and not yet disconnected.
        unsafe { ndis_shim_irq_disconnect(self.raw) };
    }
}

/// `NdisMRegisterInterruptEx`. PASSIVE.
///
/// # Safety
///
/// `chars`, if not NULL, must be readable for its header's `Size` bytes and
/// writable for the output fields of revision 1.
pub(crate) unsafe fn register(
    adapter_handle: u64,
    context: *mut c_void,
    chars: *mut ffi::InterruptCharacteristics,
) -> NdisResult<Handle> {
    let adapter = registry::adapter(adapter_handle).ok_or(Error::InvalidParameter)?;
    if chars.is_null() {
        return Err(Error::InvalidParameter);
    }
    // SAFETY: readable for its header (safety requirement).
    let header = unsafe { (*chars).header };
    let view = InterruptCharacteristicsView {
        header_type: header.type_,
        header_revision: header.revision,
        header_size: header.size,
        // SAFETY: the header says revision 1 is there (checked by validate
        // before the handlers are used).
        has_isr: usize::from(header.size) >= core::mem::size_of::<ffi::InterruptCharacteristics>()
            && unsafe { (*chars).interrupt_handler.is_some() },
        // SAFETY: as above.
        has_dpc: usize::from(header.size) >= core::mem::size_of::<ffi::InterruptCharacteristics>()
            && unsafe { (*chars).interrupt_dpc_handler.is_some() },
    };
    validate_interrupt_characteristics(&view)?;
    // SAFETY: validated: revision 1, both handlers present.
    let (isr, dpc) = unsafe { ((*chars).interrupt_handler, (*chars).interrupt_dpc_handler) };
    let (Some(isr), Some(dpc)) = (isr, dpc) else {
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
            context,
            adapter.driver.c_name().as_char_ptr(),
            &mut message_based,
        )
    };
    if raw.is_null() || (raw as isize) < 0 && (raw as isize) >= -4095 {
        return Err(Error::Resources);
    }
    // SAFETY: revision 1 is writable (safety requirement).
    unsafe {
        (*chars).interrupt_type = if message_based {
            ffi::NDIS_CONNECT_MESSAGE_BASED
        } else {
            ffi::NDIS_CONNECT_LINE_BASED
        }
    };
    // INVARIANT: `raw` was just connected.
    let irq = Arc::new(Interrupt { adapter, raw }, GFP_KERNEL).map_err(|_| Error::Resources)?;
    REGISTRY
        .lock()
        .interrupts
        .insert(HandleKind::Interrupt, irq)
}

/// `NdisMDeregisterInterruptEx`. PASSIVE: waits for a running ISR and DPC.
pub(crate) fn deregister(handle: u64) -> NdisResult {
    let removed = REGISTRY
        .lock()
        .interrupts
        .remove(HandleKind::Interrupt, Handle::from_raw(handle));
    removed.map(drop).ok_or(Error::InvalidParameter)
}

/// Disconnects the interrupts `adapter`'s miniport left behind.
pub(crate) fn release_adapter(adapter: &Arc<Adapter>) -> usize {
    let mut n = 0;
    loop {
        let removed = {
            let mut reg = REGISTRY.lock();
            let found = reg
                .interrupts
                .iter()
                .find(|(_, i)| Arc::ptr_eq(&i.adapter, adapter))
                .map(|(h, _)| h);
            found.and_then(|h| reg.interrupts.remove(HandleKind::Interrupt, h))
        };
        match removed {
            Some(irq) => {
                drop(irq);
                n += 1;
            }
            None => return n,
        }
    }
}
