// SPDX-License-Identifier: GPL-2.0

//! Miniport drivers: `NdisMRegisterMiniportDriver` (NDIS 6),
//! `NdisMInitializeWrapper` / `NdisMRegisterMiniport` (NDIS 5.x) and the
//! module glue (`NDIS_LINUX_PCI_MINIPORT`) that loads and unloads them.

use core::ffi::c_void;
use kernel::{
    new_mutex,
    prelude::*,
    sync::{Arc, Mutex},
};

use crate::{
    characteristics::{self, CharacteristicsView},
    ffi,
    handle::{Handle, HandleKind},
    registry::REGISTRY,
    status::{Error, Result as NdisResult},
};

/// The characteristics a miniport registered, by NDIS generation.
#[derive(Clone, Copy)]
pub(crate) enum Characteristics {
    /// `NdisMRegisterMiniportDriver`.
    Ndis6(ffi::DriverCharacteristics),
    /// `NdisMRegisterMiniport`.
    Ndis5(ffi::Ndis5Characteristics),
}

/// What `NdisMRegisterMiniportDriver` or `NdisMRegisterMiniport` recorded.
#[derive(Clone, Copy)]
pub(crate) struct Registration {
    pub(crate) characteristics: Characteristics,
    pub(crate) driver_context: usize,
}

/// A miniport module, from `NdisLinuxDriverLoad` until `NdisLinuxDriverUnload`.
///
/// # Invariants
///
/// `glue` is the address of the module's `NDIS_LINUX_MINIPORT`, which lives
/// as long as the module, and so longer than this object: the module's exit
/// calls `NdisLinuxDriverUnload`, which removes it.
#[pin_data]
pub(crate) struct MiniportDriver {
    glue: usize,
    #[pin]
    registration: Mutex<Option<Registration>>,
}

// SAFETY: `glue` is only an address; the object it names is immutable after
// module load. Everything mutable is behind the mutex.
unsafe impl Send for MiniportDriver {}
// SAFETY: as above.
unsafe impl Sync for MiniportDriver {}

impl MiniportDriver {
    /// The module's glue object.
    pub(crate) fn glue(&self) -> &ffi::LinuxMiniport {
        // SAFETY: by the type invariant `glue` points at a live, immutable
        // (after load) `NDIS_LINUX_MINIPORT`.
        unsafe { &*(self.glue as *const ffi::LinuxMiniport) }
    }

    /// The `DRIVER_OBJECT` the shim handed to `DriverEntry`.
    fn driver_object(&self) -> *mut ffi::DriverObject {
        let glue = self.glue as *mut ffi::LinuxMiniport;
        // SAFETY: `glue` is live (type invariant); only the field's address is taken.
        unsafe { &raw mut (*glue).driver_object }
    }

    pub(crate) fn registration(&self) -> Option<Registration> {
        *self.registration.lock()
    }

    /// The module's driver name, for the kernel (IRQ names).
    pub(crate) fn c_name(&self) -> &CStr {
        let name = self.glue().name;
        if name.is_null() {
            return c"?";
        }
        // SAFETY: the glue's name is a string literal in the module.
        unsafe { CStr::from_char_ptr(name.cast()) }
    }

    /// The module's driver name, for log lines.
    pub(crate) fn name(&self) -> &str {
        self.c_name().to_str().unwrap_or("?")
    }
}

/// Finds the driver whose glue is at `glue`.
pub(crate) fn find_by_glue(glue: usize) -> Option<(Handle, Arc<MiniportDriver>)> {
    REGISTRY
        .lock()
        .drivers
        .iter()
        .find(|(_, d)| d.glue == glue)
        .map(|(h, d)| (h, d.clone()))
}

/// `NdisLinuxDriverLoad`: registers the module, then runs its `DriverEntry`.
pub(crate) fn load(glue: *mut ffi::LinuxMiniport) -> kernel::error::Result {
    if glue.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: `glue` is the module's static glue object (non-NULL checked).
    let entry = unsafe { (*glue).driver_entry }.ok_or(EINVAL)?;
    let addr = glue as usize;
    if find_by_glue(addr).is_some() {
        return Err(EBUSY);
    }

    let driver = Arc::pin_init(
        try_pin_init!(MiniportDriver {
            glue: addr,
            registration <- new_mutex!(None),
        }),
        GFP_KERNEL,
    )?;
    let handle = REGISTRY
        .lock()
        .drivers
        .insert(HandleKind::Driver, driver.clone())
        .map_err(|_| ENOSPC)?;

    // SAFETY: `DriverEntry` is the miniport's, called as Windows calls it,
    // with the driver object and a NULL registry path (no registry here).
    let status = unsafe { entry(driver.driver_object(), core::ptr::null_mut()) };
    let registered = driver.registration().is_some();
    if status != 0 || !registered {
        pr_err!(
            "{}: DriverEntry failed (status {:#x}{})\n",
            driver.name(),
            status as u32,
            if registered {
                ""
            } else {
                ", no NdisMRegisterMiniportDriver"
            }
        );
        remove(handle);
        return Err(ENODEV);
    }
    Ok(())
}

fn remove(handle: Handle) {
    // Dropped once unlocked.
    let removed = REGISTRY.lock().drivers.remove(HandleKind::Driver, handle);
    drop(removed);
}

/// `NdisLinuxDriverUnload`: runs the miniport's unload handler (which calls
/// `NdisMDeregisterMiniportDriver`), then forgets the module. The PCI driver
/// is already unregistered, so every adapter has been halted.
pub(crate) fn unload(glue: *mut ffi::LinuxMiniport) {
    let Some((handle, driver)) = find_by_glue(glue as usize) else {
        pr_warn!("NdisLinuxDriverUnload: unknown miniport\n");
        return;
    };
    let registration = driver.registration();
    if let Some(Characteristics::Ndis6(c)) = registration.map(|r| r.characteristics) {
        if let Some(unload) = c.unload {
            // SAFETY: the miniport's own unload handler, with its driver object.
            unsafe { unload(driver.driver_object()) };
        }
    }
    // An NDIS 5 wrapper simply ends with its module.
    let left = driver.registration.lock().take();
    if let Some(Characteristics::Ndis6(_)) = left.map(|r| r.characteristics) {
        pr_info!(
            "{}: unloaded without NdisMDeregisterMiniportDriver; deregistered\n",
            driver.name()
        );
    }
    remove(handle);
}

/// `NdisMRegisterMiniportDriver`.
///
/// # Safety
///
/// `chars`, if not NULL, must point at readable memory of at least its
/// header's `Size` bytes (as on Windows).
pub(crate) unsafe fn register(
    driver_object: *mut c_void,
    driver_context: usize,
    chars: *const ffi::DriverCharacteristics,
) -> NdisResult<Handle> {
    if driver_object.is_null() || chars.is_null() {
        return Err(Error::InvalidParameter);
    }
    let (handle, driver) = find_by_driver_object(driver_object).ok_or(Error::InvalidParameter)?;

    // SAFETY: `chars` is non-NULL and readable for its header (safety requirement).
    let header = unsafe { chars.cast::<ffi::NdisObjectHeader>().read_unaligned() };
    // Read only the bytes the caller's revision declares; the rest stays NULL.
    let mut copy = core::mem::MaybeUninit::<ffi::DriverCharacteristics>::zeroed();
    let len = usize::from(header.size).min(core::mem::size_of::<ffi::DriverCharacteristics>());
    // SAFETY: the caller's structure is readable for `header.size` bytes;
    // `copy` is large enough for `len` bytes.
    unsafe {
        core::ptr::copy_nonoverlapping(chars.cast::<u8>(), copy.as_mut_ptr().cast::<u8>(), len)
    };
    // SAFETY: all-zero is valid for every field (integers and `Option<fn>`).
    let c = unsafe { copy.assume_init() };

    let optional = [
        c.set_options,
        c.pause,
        c.restart,
        c.oid_request,
        c.send_net_buffer_lists,
        c.return_net_buffer_lists,
        c.cancel_send,
        c.check_for_hang,
        c.reset,
        c.device_pnp_event_notify,
        c.shutdown,
        c.cancel_oid_request,
        c.direct_oid_request,
        c.cancel_direct_oid_request,
        c.synchronous_oid_request,
    ];
    let view = CharacteristicsView {
        header_type: header.type_,
        header_revision: header.revision,
        header_size: header.size,
        major: c.major_ndis_version,
        minor: c.minor_ndis_version,
        has_initialize: c.initialize.is_some(),
        has_halt: c.halt.is_some(),
        optional_handlers: optional
            .iter()
            .enumerate()
            .filter(|(_, h)| h.is_some())
            .fold(0, |m, (i, _)| m | (1 << i)),
    };
    let version = characteristics::validate(&view)?;
    pr_info!(
        "{}: NDIS {}.{} miniport registered; {} handler(s) the shim does not call yet (mask {:#x})\n",
        driver.name(),
        version.major,
        version.minor,
        view.optional_handlers.count_ones(),
        view.optional_handlers
    );
    *driver.registration.lock() = Some(Registration {
        characteristics: Characteristics::Ndis6(c),
        driver_context,
    });
    Ok(handle)
}

/// `NdisMDeregisterMiniportDriver`.
pub(crate) fn deregister(handle: u64) -> NdisResult {
    let driver = crate::registry::driver(handle).ok_or(Error::InvalidParameter)?;
    let taken = driver.registration.lock().take();
    taken.map(|_| ()).ok_or(Error::InvalidParameter)
}

/// The driver whose `DRIVER_OBJECT` is at `driver_object`.
fn find_by_driver_object(driver_object: *mut c_void) -> Option<(Handle, Arc<MiniportDriver>)> {
    REGISTRY
        .lock()
        .drivers
        .iter()
        .find(|(_, d)| d.driver_object().cast::<c_void>() == driver_object)
        .map(|(h, d)| (h, d.clone()))
}

/// `NdisMInitializeWrapper`: the wrapper handle is the driver's handle.
pub(crate) fn initialize_wrapper(driver_object: *mut c_void) -> Option<Handle> {
    find_by_driver_object(driver_object).map(|(h, _)| h)
}

/// `NdisMRegisterMiniport`.
///
/// # Safety
///
/// `chars`, if not NULL, must be readable for `length` bytes.
pub(crate) unsafe fn register_ndis5(
    wrapper: u64,
    chars: *const ffi::Ndis5Characteristics,
    length: u32,
) -> NdisResult {
    let driver = crate::registry::driver(wrapper).ok_or(Error::InvalidParameter)?;
    if chars.is_null() {
        return Err(Error::InvalidParameter);
    }
    let mut copy = core::mem::MaybeUninit::<ffi::Ndis5Characteristics>::zeroed();
    let len = (length as usize).min(core::mem::size_of::<ffi::Ndis5Characteristics>());
    // SAFETY: the caller's structure is readable for `length` bytes (safety
    // requirement); `copy` is large enough for `len <= length` bytes.
    unsafe {
        core::ptr::copy_nonoverlapping(chars.cast::<u8>(), copy.as_mut_ptr().cast::<u8>(), len)
    };
    // SAFETY: all-zero is valid for every field (integers and `Option<fn>`).
    let c = unsafe { copy.assume_init() };
    let view = characteristics::Ndis5CharacteristicsView {
        major: c.major_ndis_version,
        minor: c.minor_ndis_version,
        length,
        has_initialize: c.initialize.is_some(),
        has_halt: c.halt.is_some(),
    };
    let version = characteristics::validate_ndis5(&view)?;
    let mut registration = driver.registration.lock();
    if registration.is_some() {
        return Err(Error::Failure);
    }
    *registration = Some(Registration {
        characteristics: Characteristics::Ndis5(c),
        driver_context: 0,
    });
    drop(registration);
    pr_info!(
        "{}: NDIS {}.{} miniport registered (map registers and physical mapping)\n",
        driver.name(),
        version.major,
        version.minor
    );
    Ok(())
}

/// `NdisTerminateWrapper`: forgets the registration, if any.
pub(crate) fn terminate_wrapper(wrapper: u64) {
    match crate::registry::driver(wrapper) {
        Some(driver) => drop(driver.registration.lock().take()),
        None => crate::adapter::reject_global("NdisTerminateWrapper", "unknown wrapper handle"),
    }
}
