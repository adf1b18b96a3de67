// SPDX-License-Identifier: GPL-2.0

//! The `struct pci_dev` of a [`pci::Device`], and back: what the shim needs
//! where the kernel crate's PCI abstraction does not reach (the handover
//! from the glue's probe, C helpers, resource flags).

use kernel::{bindings, device, pci};

/// The `struct pci_dev` behind `pci`.
///
/// `pci::Device::as_raw` is private to the kernel crate in 7.3, so the
/// address is taken through the type's layout: `pci::Device` is
/// `#[repr(transparent)]` over `Opaque<bindings::pci_dev>`, which is
/// `#[repr(transparent)]` over the C structure.
pub(crate) fn raw_pci_dev<Ctx: device::DeviceContext>(
    pci: &pci::Device<Ctx>,
) -> *mut bindings::pci_dev {
    core::ptr::from_ref(pci).cast_mut().cast()
}

/// The PCI function the glue's probe or remove was called for.
///
/// # Safety
///
/// `pdev` must be the device the PCI core is probing or removing for the
/// calling module's driver, or one otherwise known to be bound to it, for
/// the duration of `'a`.
pub(crate) unsafe fn bound_pci_device<'a>(
    pdev: *mut bindings::pci_dev,
) -> &'a pci::Device<device::Bound> {
    // SAFETY: `pci::Device` is `#[repr(transparent)]` over the C structure
    // (see `raw_pci_dev`); valid and bound for `'a` (safety requirement).
    unsafe { &*pdev.cast::<pci::Device<device::Bound>>() }
}
