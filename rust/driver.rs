// SPDX-License-Identifier: GPL-2.0

//! Miniport drivers: `NdisMRegisterMiniportDriver` (NDIS 6),
//! `NdisMInitializeWrapper` / `NdisMRegisterMiniport` (NDIS 5.x) and the
//! module glue (`NDIS_LINUX_PCI_MINIPORT`) that loads and unloads them.

use core::{fmt, ptr::NonNull};
use kernel::{
    new_mutex,
    prelude::*,
    sync::{global_lock, Arc, Mutex},
};

use crate::{
    abi,
    characteristics::{self, CharacteristicsView},
    handle::Handle,
    net_buffer_pool,
    registry::{self, Registered},
    status::{Error, Result as NdisResult},
};

/// The characteristics a miniport registered, by NDIS generation.
#[derive(Clone, Copy)]
pub(crate) enum Characteristics {
    /// `NdisMRegisterMiniportDriver`: what the caller's revision holds,
    /// the rest NULL.
    Ndis6(abi::NDIS_MINIPORT_DRIVER_CHARACTERISTICS),
    /// `NdisMRegisterMiniport`: what `CharacteristicsLength` holds of the
    /// 5.1 layout, the rest NULL.
    Ndis5(abi::NDIS51_MINIPORT_CHARACTERISTICS),
}

/// What `NdisMRegisterMiniportDriver` or `NdisMRegisterMiniport` recorded.
#[derive(Clone, Copy)]
pub(crate) struct Registration {
    pub(crate) characteristics: Characteristics,
    pub(crate) driver_context: usize,
}

impl Registration {
    /// The NDIS 4.0-5.1 `AllocateCompleteHandler`, where
    /// `NdisMAllocateSharedMemoryAsync` reports; `None` for an NDIS 6
    /// miniport (whose handler is in its `NDIS_SG_DMA_DESCRIPTION`) or one
    /// that gave none.
    pub(crate) fn allocate_complete_handler(
        &self,
    ) -> abi::MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE_HANDLER {
        match self.characteristics {
            Characteristics::Ndis5(c) => c.AllocateCompleteHandler,
            Characteristics::Ndis6(_) => None,
        }
    }
}

// SAFETY: the characteristics are a copy of handler addresses and numbers
// (their reserved pointer slots are never followed); the handlers are the
// miniport's, callable from any thread as NDIS calls them.
unsafe impl Send for Registration {}

/// A miniport module's `NDIS_LINUX_MINIPORT` (`NDIS_LINUX_PCI_MINIPORT`).
///
/// # Invariants
///
/// Points at the module's static glue object, which lives as long as the
/// module and is not written after `NdisLinuxDriverLoad` (but for its
/// `DriverObject`, which only NDIS calls made by the module itself pass
/// back): the module's exit calls `NdisLinuxDriverUnload` first.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Glue(NonNull<abi::NDIS_LINUX_MINIPORT>);

// SAFETY: the glue object is immutable while shared (type invariant).
unsafe impl Send for Glue {}
// SAFETY: `&Glue` only reads the glue object, which nothing writes while it
// is shared (type invariant), so reads from several CPUs at once are sound.
unsafe impl Sync for Glue {}

impl Glue {
    /// The glue object at `glue`, or `None` for NULL.
    ///
    /// # Safety
    ///
    /// `glue` must be NULL or the calling module's `NDIS_LINUX_MINIPORT`,
    /// as the module glue in `ndis_linux.h` passes it.
    pub(crate) unsafe fn new(glue: *mut abi::NDIS_LINUX_MINIPORT) -> Option<Self> {
        // INVARIANT: by the safety requirement.
        NonNull::new(glue).map(Self)
    }

    fn get(&self) -> &abi::NDIS_LINUX_MINIPORT {
        // SAFETY: live and not written while shared (type invariant).
        unsafe { self.0.as_ref() }
    }

    /// `Name`, a string literal in the module.
    fn c_name(&self) -> &CStr {
        let name = self.get().Name;
        if name.is_null() {
            return c"?";
        }
        // SAFETY: the glue's name is a string literal in the module, which
        // lives as long as the glue (type invariant).
        unsafe { CStr::from_char_ptr(name.cast()) }
    }

    /// `DmaAddressBits`.
    pub(crate) fn dma_address_bits(&self) -> u8 {
        self.get().DmaAddressBits
    }

    /// `DmaController`, if the module has one.
    pub(crate) fn dma_controller(&self) -> Option<&abi::NDIS_LINUX_DMA_CONTROLLER> {
        let ops = self.get().DmaController;
        // SAFETY: the controller is a static object in the miniport module,
        // which outlives its adapters.
        (!ops.is_null()).then(|| unsafe { &*ops })
    }

    /// The `DRIVER_OBJECT` the shim hands to `DriverEntry`.
    fn driver_object(&self) -> *mut abi::DRIVER_OBJECT {
        // SAFETY: live (type invariant); only the field's address is taken.
        unsafe { &raw mut (*self.0.as_ptr()).DriverObject }
    }
}

/// A miniport module, from `NdisLinuxDriverLoad` until `NdisLinuxDriverUnload`.
#[pin_data]
pub(crate) struct MiniportDriver {
    glue: Glue,
    /// The glue's `Name`, copied: readers such as debugfs hold the driver
    /// past the module's unload, when the glue's string is gone.
    short_name: ShortName,
    #[pin]
    registration: Mutex<Option<Registration>>,
}

impl MiniportDriver {
    /// The module's glue object.
    pub(crate) fn glue(&self) -> &Glue {
        &self.glue
    }

    /// The `DRIVER_OBJECT` the shim handed to `DriverEntry`.
    fn driver_object(&self) -> *mut abi::DRIVER_OBJECT {
        self.glue.driver_object()
    }

    pub(crate) fn registration(&self) -> Option<Registration> {
        *self.registration.lock()
    }

    /// The module's driver name, for the kernel (IRQ names): in the
    /// module, so only while the module is loaded.
    pub(crate) fn c_name(&self) -> &CStr {
        self.glue.c_name()
    }

    /// The module's driver name (at most 31 bytes), for log lines and
    /// debugfs; valid for as long as the driver object, unlike
    /// [`Self::c_name`].
    pub(crate) fn name(&self) -> &str {
        self.short_name.as_str()
    }
}

global_lock! {
    // SAFETY: `init` runs in module init, before any entry point is callable.
    unsafe(uninit) static DRIVERS: Mutex<KVec<Registered<MiniportDriver>>> = KVec::new();
}

/// Initializes the driver list's lock. Called once, from module init.
pub(crate) fn init() {
    // SAFETY: called once, from module init, before any other use.
    unsafe { DRIVERS.init() };
}

/// Frees the driver list's memory, at module exit: no miniport module is
/// loaded any more (each holds a reference to this one), so it is empty.
pub(crate) fn exit() {
    let drivers = core::mem::take(&mut *DRIVERS.lock());
    drop(drivers);
}

/// The loaded driver `pred` picks.
fn find(pred: impl Fn(&MiniportDriver) -> bool) -> Option<(Handle, Arc<MiniportDriver>)> {
    DRIVERS
        .lock()
        .iter()
        .find(|r| pred(r.object()))
        .map(|r| (r.handle(), r.object().clone()))
}

/// Finds the driver whose glue is `glue`.
pub(crate) fn find_by_glue(glue: Glue) -> Option<(Handle, Arc<MiniportDriver>)> {
    find(|d| d.glue == glue)
}

extern "C" {
    fn ndis_shim_module_contains(module: *mut core::ffi::c_void, addr: usize) -> bool;
}

/// The loaded driver whose module holds `addr` (a function of the
/// miniport's: `NdisInitializeTimer` names no owner but its function).
pub(crate) fn find_by_address(addr: usize) -> Option<Handle> {
    find(|d| {
        let module = d.glue.get().Owner;
        // SAFETY: the module is loaded while its driver is registered
        // (it unregisters in its exit); only its ranges are read.
        !module.is_null() && unsafe { ndis_shim_module_contains(module.cast(), addr) }
    })
    .map(|(h, _)| h)
}

/// `NdisLinuxDriverLoad`: registers the module, then runs its `DriverEntry`.
pub(crate) fn load(glue: Glue) -> kernel::error::Result {
    let entry = glue.get().DriverEntry.ok_or(EINVAL)?;
    if find_by_glue(glue).is_some() {
        return Err(EBUSY);
    }

    let driver = Arc::pin_init(
        try_pin_init!(MiniportDriver {
            glue,
            short_name: ShortName::new(glue.c_name().to_str().unwrap_or("?")),
            registration <- new_mutex!(None),
        }),
        GFP_KERNEL,
    )?;
    let registered = Registered::new(driver.clone()).map_err(|_| ENOSPC)?;
    let handle = registered.handle();
    DRIVERS.lock().push(registered, GFP_KERNEL)?;

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

/// Forgets the driver `handle` names, with the timer objects and the
/// NBL/NET_BUFFER pools made with its handle (as an adapter's go with it, `Adapter::release`),
/// logging what it left.
fn remove(handle: Handle) {
    let removed = {
        let mut drivers = DRIVERS.lock();
        let i = drivers.iter().position(|r| r.handle() == handle);
        i.and_then(|i| drivers.remove(i).ok())
    };
    if let Some(driver) = &removed {
        let name = driver.object().name();
        let timers = crate::timer::release_owned(handle);
        if timers.unfreed > 0 {
            pr_warn!(
                "{}: {} timer object(s) not freed; cancelled and freed\n",
                name,
                timers.unfreed
            );
        }
        if timers.armed_ndis5 > 0 {
            pr_warn!(
                "{}: {} NDIS 5 timer(s) still set at unload; cancelled\n",
                name,
                timers.armed_ndis5
            );
        }
        net_buffer_pool::release_owned(handle).report(|line| pr_warn!("{}: {}\n", name, line));
    }
    // Unlocked: the handle's entry goes, then the driver.
    drop(removed);
}

/// `NdisLinuxDriverUnload`: runs the miniport's unload handler (which calls
/// `NdisMDeregisterMiniportDriver`), then forgets the module. The PCI driver
/// is already unregistered, so every adapter has been halted.
pub(crate) fn unload(glue: Glue) {
    let Some((handle, driver)) = find_by_glue(glue) else {
        pr_warn!("NdisLinuxDriverUnload: unknown miniport\n");
        return;
    };
    let registration = driver.registration();
    if let Some(Characteristics::Ndis6(c)) = registration.map(|r| r.characteristics) {
        if let Some(unload) = c.UnloadHandler {
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

/// `NdisMRegisterMiniportDriver`: `header` is the characteristics'
/// `Header`, `c` what its revision holds (the rest NULL).
pub(crate) fn register(
    driver_object: usize,
    driver_context: usize,
    header: abi::NDIS_OBJECT_HEADER,
    c: abi::NDIS_MINIPORT_DRIVER_CHARACTERISTICS,
) -> NdisResult<Handle> {
    let (handle, driver) = find_by_driver_object(driver_object).ok_or(Error::InvalidParameter)?;
    let optional = [
        c.SetOptionsHandler.is_some(),
        c.PauseHandler.is_some(),
        c.RestartHandler.is_some(),
        c.OidRequestHandler.is_some(),
        c.SendNetBufferListsHandler.is_some(),
        c.ReturnNetBufferListsHandler.is_some(),
        c.CancelSendHandler.is_some(),
        c.CheckForHangHandlerEx.is_some(),
        c.ResetHandlerEx.is_some(),
        c.DevicePnPEventNotifyHandler.is_some(),
        c.ShutdownHandlerEx.is_some(),
        c.CancelOidRequestHandler.is_some(),
        c.DirectOidRequestHandler.is_some(),
        c.CancelDirectOidRequestHandler.is_some(),
    ];
    let view = CharacteristicsView {
        header_type: header.Type,
        header_revision: header.Revision,
        header_size: header.Size,
        major: c.MajorNdisVersion,
        minor: c.MinorNdisVersion,
        has_initialize: c.InitializeHandlerEx.is_some(),
        has_halt: c.HaltHandlerEx.is_some(),
        optional_handlers: optional
            .iter()
            .enumerate()
            .filter(|(_, present)| **present)
            .fold(0, |m, (i, _)| m | (1 << i)),
    };
    let version = characteristics::validate(&view)?;
    // Pause, Restart, OidRequest, SendNetBufferLists and
    // ReturnNetBufferLists (bits 1 to 5 of `optional`): the net_device
    // bridge calls them (`crate::net_device`); CheckForHangEx and ResetEx
    // (bits 7 and 8), `crate::reset`.
    const CALLED: u32 = 0b1_1011_1110;
    let uncalled = view.optional_handlers & !CALLED;
    pr_info!(
        "{}: NDIS {}.{} miniport registered; {} handler(s) the shim does not call yet (mask {:#x})\n",
        driver.name(),
        version.major,
        version.minor,
        uncalled.count_ones(),
        uncalled
    );
    *driver.registration.lock() = Some(Registration {
        characteristics: Characteristics::Ndis6(c),
        driver_context,
    });
    Ok(handle)
}

/// `NdisMDeregisterMiniportDriver`.
pub(crate) fn deregister(handle: Handle) -> NdisResult {
    let driver = registry::lookup::<MiniportDriver>(handle).ok_or(Error::InvalidParameter)?;
    let taken = driver.registration.lock().take();
    taken.map(|_| ()).ok_or(Error::InvalidParameter)
}

/// The driver whose `DRIVER_OBJECT` is at `driver_object`.
fn find_by_driver_object(driver_object: usize) -> Option<(Handle, Arc<MiniportDriver>)> {
    find(|d| d.driver_object() as usize == driver_object)
}

/// `NdisMInitializeWrapper`: the wrapper handle is the driver's handle.
pub(crate) fn initialize_wrapper(driver_object: usize) -> Option<Handle> {
    find_by_driver_object(driver_object).map(|(h, _)| h)
}

/// `NdisMRegisterMiniport`: `c` is what `length` (`CharacteristicsLength`)
/// bytes hold of the 5.1 layout, the rest NULL.
pub(crate) fn register_ndis5(
    wrapper: Handle,
    c: abi::NDIS51_MINIPORT_CHARACTERISTICS,
    length: u32,
) -> NdisResult {
    let driver = registry::lookup::<MiniportDriver>(wrapper).ok_or(Error::InvalidParameter)?;
    let view = characteristics::Ndis5CharacteristicsView {
        major: c.MajorNdisVersion,
        minor: c.MinorNdisVersion,
        length,
        has_initialize: c.InitializeHandler.is_some(),
        has_halt: c.HaltHandler.is_some(),
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
    // How it does DMA (map registers or per-packet SG lists) is decided
    // later, by the calls its MiniportInitialize makes.
    pr_info!(
        "{}: NDIS {}.{} miniport registered\n",
        driver.name(),
        version.major,
        version.minor
    );
    Ok(())
}

/// `NdisTerminateWrapper`: forgets the registration, if any.
pub(crate) fn terminate_wrapper(wrapper: Handle) {
    match registry::lookup::<MiniportDriver>(wrapper) {
        Some(driver) => drop(driver.registration.lock().take()),
        None => crate::reject::reject_global("NdisTerminateWrapper", "unknown wrapper handle"),
    }
}

// SAFETY: `KIND` `Driver` is implemented by `MiniportDriver` only.
unsafe impl crate::registry::InRegistry for MiniportDriver {
    const KIND: crate::handle::HandleKind = crate::handle::HandleKind::Driver;
}

/// A name copied out of memory the view may not keep a reference to.
pub(crate) struct ShortName([u8; 32]);

impl ShortName {
    /// `s`, cut at 31 bytes (at a character boundary).
    pub(crate) fn new(s: &str) -> Self {
        let mut len = s.len().min(31);
        while !s.is_char_boundary(len) {
            len -= 1;
        }
        let mut name = [0u8; 32];
        name[..len].copy_from_slice(&s.as_bytes()[..len]);
        Self(name)
    }

    pub(crate) fn as_str(&self) -> &str {
        let len = self.0.iter().position(|&b| b == 0).unwrap_or(self.0.len());
        core::str::from_utf8(&self.0[..len]).unwrap_or("?")
    }
}

impl fmt::Display for ShortName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A miniport driver as debugfs's view shows it.
pub(crate) struct DriverView {
    pub(crate) handle: Handle,
    pub(crate) name: ShortName,
    pub(crate) registration: Option<Registration>,
}

/// Every loaded miniport module, its name copied under the driver list's
/// lock (which its unload takes before the module can go: the name lives
/// in it). PASSIVE.
pub(crate) fn view() -> Result<KVec<DriverView>> {
    let drivers: KVec<_> = {
        let list = DRIVERS.lock();
        let mut out = KVec::with_capacity(list.len(), GFP_KERNEL)?;
        for r in list.iter() {
            let name = ShortName::new(r.object().name());
            out.push((r.handle(), name, r.object().clone()), GFP_KERNEL)?;
        }
        out
    };
    let mut out = KVec::with_capacity(drivers.len(), GFP_KERNEL)?;
    for (handle, name, driver) in drivers {
        let registration = driver.registration();
        out.push(
            DriverView {
                handle,
                name,
                registration,
            },
            GFP_KERNEL,
        )?;
    }
    Ok(out)
}
