// SPDX-License-Identifier: GPL-2.0

//! The three adapter handlers an NDIS 5.1 miniport adds to its
//! characteristics (`NDIS51_MINIPORT_CHARACTERISTICS`), outside the send
//! path (`MiniportCancelSendPackets` is [`crate::ndis5_nic::cancel_sends`]):
//!
//! - `PnPEventNotifyHandler` (`MiniportPnPEventNotify`, PASSIVE):
//!   `NdisDevicePnPEventPowerProfileChanged` with a ULONG
//!   `NdisPowerProfileAcOnline` once initialization is complete (the shim
//!   knows no battery), and `NdisDevicePnPEventSurpriseRemoved` (no
//!   buffer) when the PCI function is removed after it vanished
//!   (`pci_device_is_present` false: pciehp, AER or DPC marked it
//!   disconnected, or its config space no longer answers), before the
//!   net_device goes and `MiniportHalt` runs.
//! - `AdapterShutdownHandler` (`MiniportShutdown`) with the
//!   `MiniportAdapterContext`, from the PCI driver's shutdown callback, in
//!   place of a handler registered with
//!   `NdisMRegisterAdapterShutdownHandler`: one `MiniportShutdown` per
//!   adapter.
//!
//! A 5.0 miniport (`MinorNdisVersion` 0) has none of the three: its
//! characteristics end before them, whatever `CharacteristicsLength` says.

use core::sync::atomic::{AtomicU32, Ordering::Relaxed};
use kernel::{bindings, prelude::*};

use crate::{
    abi,
    adapter::Adapter,
    driver::{Characteristics, Registration},
};

/// The 5.1 handlers of a registration (all `None` for NDIS 6 or 5.0).
#[derive(Clone, Copy, Default)]
pub(crate) struct Ndis51Handlers {
    pub(crate) cancel_send_packets: abi::W_CANCEL_SEND_PACKETS_HANDLER,
    pub(crate) pnp_event_notify: abi::W_PNP_EVENT_NOTIFY_HANDLER,
    pub(crate) shutdown: abi::W_MINIPORT_SHUTDOWN_HANDLER,
}

/// The 5.1 handlers of an NDIS 5 miniport's characteristics `c`.
pub(crate) fn of_characteristics(c: &abi::NDIS51_MINIPORT_CHARACTERISTICS) -> Ndis51Handlers {
    if c.MajorNdisVersion != 5 || c.MinorNdisVersion < 1 {
        return Ndis51Handlers::default();
    }
    Ndis51Handlers {
        cancel_send_packets: c.CancelSendPacketsHandler,
        pnp_event_notify: c.PnPEventNotifyHandler,
        shutdown: c.AdapterShutdownHandler,
    }
}

/// The 5.1 handlers of `adapter`'s driver.
fn of_adapter(adapter: &Adapter) -> Ndis51Handlers {
    match adapter.driver.registration() {
        Some(Registration {
            characteristics: Characteristics::Ndis5(c),
            ..
        }) => of_characteristics(&c),
        _ => Ndis51Handlers::default(),
    }
}

/// The last byte `NdisGeneratePartialCancelId` gave.
static PARTIAL_CANCEL_ID: AtomicU32 = AtomicU32::new(0);

/// `NdisGeneratePartialCancelId`: 1, 2, ... 255, 0, 1, ... in call order.
pub(crate) fn generate_partial_cancel_id() -> u8 {
    (PARTIAL_CANCEL_ID.fetch_add(1, Relaxed).wrapping_add(1) & 0xff) as u8
}

/// Calls `MiniportPnPEventNotify` with `event` and `info`, if the
/// miniport has one. PASSIVE.
fn notify(adapter: &Adapter, event: abi::NDIS_DEVICE_PNP_EVENT, info: Option<&mut u32>) {
    let Some(pnp) = of_adapter(adapter).pnp_event_notify else {
        return;
    };
    let (buf, len) = match info {
        Some(v) => (
            core::ptr::from_mut(v).cast(),
            core::mem::size_of::<u32>() as u32,
        ),
        None => (core::ptr::null_mut(), 0),
    };
    // SAFETY: the miniport's MiniportPnPEventNotify with its own context,
    // at PASSIVE_LEVEL, between MiniportInitialize and MiniportHalt; the
    // buffer (if any) lives across the call.
    unsafe { pnp(adapter.context(), event, buf, len) };
}

/// After a successful `MiniportInitialize` (and the net_device): "NDIS
/// calls ... NdisDevicePnPEventPowerProfileChanged after ... driver
/// initialization is complete" (`MiniportDevicePnPEventNotify`; the same
/// event and buffer as `MiniportPnPEventNotify`, NDIS 5.1). PASSIVE.
pub(crate) fn initialized(adapter: &Adapter) {
    let mut profile: u32 = abi::NdisPowerProfileAcOnline;
    notify(
        adapter,
        abi::NdisDevicePnPEventPowerProfileChanged,
        Some(&mut profile),
    );
}

/// At the PCI driver's remove, before the net_device goes and the halt:
/// `NdisDevicePnPEventSurpriseRemoved` if the function is no longer there
/// (an orderly removal, the device still answering, has none: NDIS 5.1
/// sends the miniport no other PnP event). PASSIVE.
pub(crate) fn removing(adapter: &Adapter) {
    if of_adapter(adapter).pnp_event_notify.is_none() {
        return;
    }
    // SAFETY: the device being removed, still bound; config space reads
    // tolerate a vanished device.
    let present = unsafe { bindings::pci_device_is_present(adapter.pci_dev()) };
    if present {
        return;
    }
    dev_info!(
        adapter.device(),
        "{}: surprise removal: MiniportPnPEventNotify(NdisDevicePnPEventSurpriseRemoved)\n",
        adapter.driver.name()
    );
    notify(adapter, abi::NdisDevicePnPEventSurpriseRemoved, None);
}

/// The `MiniportShutdown` for `adapter` and its argument: a 5.1
/// miniport's `AdapterShutdownHandler` with the adapter context, else the
/// handler `NdisMRegisterAdapterShutdownHandler` recorded with its
/// `ShutdownContext`. ("NDIS 5.1 miniport drivers ... must register a
/// MiniportShutdown function by calling NdisMRegisterMiniport":
/// `NdisMRegisterAdapterShutdownHandler`; one shutdown per adapter.)
pub(crate) fn shutdown_handler(
    adapter: &Adapter,
) -> Option<(unsafe extern "C" fn(abi::PVOID), abi::PVOID)> {
    if let Some(h) = of_adapter(adapter).shutdown {
        return Some((h, adapter.context()));
    }
    adapter
        .shutdown_handler()
        .map(|(h, context)| (h, context as abi::PVOID))
}
