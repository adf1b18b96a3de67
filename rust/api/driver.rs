// SPDX-License-Identifier: GPL-2.0

//! The miniport driver ([`Miniport`]) and its Linux glue: the Rust
//! counterpart of the C macro `NDIS_LINUX_PCI_MINIPORT` ([`Glue`],
//! [`ndis_glue!`](crate::ndis_glue), [`Registration`]).
//!
//! The glue is a raw `struct pci_driver` built from bindings, not the kernel
//! crate's `pci::Driver`: the shim's `NdisLinuxPciProbe` owns the device's
//! drvdata (it stores its adapter handle there and `NdisLinuxPciRemove`
//! looks it up), while `pci::Driver` stores its own per-device data in the
//! same drvdata after probe, which would overwrite the shim's. The module
//! itself uses the kernel crate's `module!` and holds a [`Registration`].

use core::cell::UnsafeCell;
use core::ffi::{c_int, c_void};
use core::pin::Pin;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::{bindings, prelude::*, sync::Arc, ThisModule};

use super::{
    adapter::{Adapter, ResourceList},
    dma::{DmaEngine, EngineOf},
    ffi, Status,
};

/// Most adapters one miniport module drives at a time.
pub(crate) const MAX_ADAPTERS: usize = 16;

/// A Rust NDIS miniport.
///
/// Per adapter the API calls [`Miniport::start_adapter`], then
/// [`Miniport::initialize`] (together: `MiniportInitializeEx`), and at
/// removal [`Miniport::halt`] (`MiniportHaltEx`). What they return borrows
/// the [`Adapter`], so no handle outlives it.
pub(crate) trait Miniport: 'static {
    /// Driver name (PCI driver and logs).
    const NAME: &'static CStr;
    /// `MajorDriverVersion`, `MinorDriverVersion`.
    const DRIVER_VERSION: (u8, u8) = (1, 0);
    /// Whether the adapter masters the bus itself
    /// (`NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER`): required for
    /// [`super::shared::SharedMemory`] and [`super::sg::SgDma`].
    const BUS_MASTER: bool = false;

    /// The adapter's DMA engine as the shim's controller sees it (Linux
    /// glue). Reached by the controller callbacks through the adapter's
    /// `MiniportAdapterContext` from [`Miniport::start_adapter`] until
    /// after [`Miniport::halt`].
    type Engine<'a>: DmaEngine + 'a;
    /// Everything else the adapter owns (channels, interrupt, ...).
    type Context<'a>: 'a;

    /// First half of `MiniportInitializeEx`: map registers, build the engine.
    fn start_adapter<'a>(
        adapter: &'a Adapter,
        resources: &ResourceList<'_>,
    ) -> Result<Arc<Self::Engine<'a>>, Status>;

    /// Second half: interrupt, DMA channels, ...
    fn initialize<'a>(
        adapter: &'a Adapter,
        engine: &Arc<Self::Engine<'a>>,
    ) -> Result<Pin<KBox<Self::Context<'a>>>, Status>;

    /// `MiniportHaltEx`: by default, dropping the context releases it all.
    fn halt(context: Pin<KBox<Self::Context<'_>>>) {
        drop(context);
    }

    /// The module's [`Glue`] (see [`ndis_glue!`](crate::ndis_glue)).
    fn glue() -> &'static Glue;
}

/// Per-adapter state of the API; its address is `MiniportAdapterContext`.
///
/// # Invariants
///
/// `engine` is NULL or `Arc::into_raw` of the miniport's `Engine`; `context`
/// is NULL or `KBox::into_raw` of its pinned `Context`. Both borrow
/// `adapter`, and both are released (in Halt, or on a failed Initialize)
/// before the slot is freed, which happens after the shim is done with the
/// adapter.
struct Slot {
    adapter: Adapter,
    engine: AtomicPtr<c_void>,
    context: AtomicPtr<c_void>,
}

/// The glue's PCI device, adapter slot pair.
struct SlotEntry {
    pdev: AtomicPtr<bindings::pci_dev>,
    slot: AtomicPtr<Slot>,
}

/// A miniport module's Linux glue: its `NDIS_LINUX_MINIPORT`, PCI driver
/// and adapter slots. A `static`, made by [`ndis_glue!`](crate::ndis_glue).
///
/// # Invariants
///
/// `miniport` and `pci` are written only by [`Registration::new`], before
/// they are registered; afterwards only the shim and the PCI core use them.
pub(crate) struct Glue {
    miniport: UnsafeCell<ffi::LinuxMiniport>,
    pci: UnsafeCell<bindings::pci_driver>,
    driver_handle: AtomicPtr<c_void>,
    probing: AtomicPtr<bindings::pci_dev>,
    slots: [SlotEntry; MAX_ADAPTERS],
}

// SAFETY: the C objects are written before registration only (type
// invariant); the rest is atomic.
unsafe impl Sync for Glue {}

impl Glue {
    /// The glue for miniport `M`: a `static` initialiser.
    pub(crate) const fn new<M: Miniport>(
        ids: &'static [bindings::pci_device_id],
        dma_address_bits: u8,
        controller: &'static ffi::DmaControllerOps,
    ) -> Self {
        let name = kernel::str::as_char_ptr_in_const_context(M::NAME);
        // SAFETY: all-zero is a valid `pci_driver` (NULL pointers, no
        // callbacks); the fields the kernel needs are set below.
        let mut pci: bindings::pci_driver = unsafe { core::mem::zeroed() };
        pci.name = name;
        pci.id_table = ids.as_ptr();
        pci.probe = Some(pci_probe::<M>);
        pci.remove = Some(pci_remove::<M>);
        Self {
            miniport: UnsafeCell::new(ffi::LinuxMiniport {
                name,
                owner: core::ptr::null_mut(),
                driver_entry: Some(driver_entry::<M>),
                dma_address_bits,
                dma_controller: controller,
                driver_object: ffi::DriverObject {
                    ndis_linux_reserved: [core::ptr::null_mut(); 2],
                },
            }),
            pci: UnsafeCell::new(pci),
            driver_handle: AtomicPtr::new(core::ptr::null_mut()),
            probing: AtomicPtr::new(core::ptr::null_mut()),
            slots: [const {
                SlotEntry {
                    pdev: AtomicPtr::new(core::ptr::null_mut()),
                    slot: AtomicPtr::new(core::ptr::null_mut()),
                }
            }; MAX_ADAPTERS],
        }
    }

    fn miniport(&self) -> *mut ffi::LinuxMiniport {
        self.miniport.get()
    }

    fn add_slot(&self, pdev: *mut bindings::pci_dev, slot: *mut Slot) -> bool {
        for e in &self.slots {
            if e.pdev
                .compare_exchange(
                    core::ptr::null_mut(),
                    pdev,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
            {
                e.slot.store(slot, Ordering::Release);
                return true;
            }
        }
        false
    }

    /// Frees `pdev`'s slot, once the shim is done with the adapter.
    fn free_slot(&self, pdev: *mut bindings::pci_dev) {
        for e in &self.slots {
            if e.pdev.load(Ordering::Acquire) == pdev {
                let slot = e.slot.swap(core::ptr::null_mut(), Ordering::AcqRel);
                e.pdev.store(core::ptr::null_mut(), Ordering::Release);
                if !slot.is_null() {
                    // SAFETY: from `KBox::into_raw` in `initialize`; the shim
                    // has released the adapter, so nothing refers to it; its
                    // engine and context were released by Halt or by the
                    // failed Initialize (`Slot` invariant).
                    drop(unsafe { KBox::from_raw(slot) });
                }
                return;
            }
        }
    }
}

/// Resolves `AdapterContext` (a [`Slot`]) to `M`'s engine.
pub(super) struct SlotEngine<M>(core::marker::PhantomData<M>);

// SAFETY: the slot's engine pointer is set before the miniport can register
// a channel and cleared (then released) only after its context, which owns
// the channels, is dropped in Halt; the slot outlives the shim's use of the
// adapter (`Slot` invariant).
unsafe impl<M: Miniport> EngineOf<M::Engine<'static>> for SlotEngine<M> {
    unsafe fn engine(context: ffi::NdisHandle) -> Option<*const M::Engine<'static>> {
        if context.is_null() {
            return None;
        }
        // SAFETY: `context` is a live `Slot` (the caller's requirement).
        let p = unsafe { &*context.cast::<Slot>() }
            .engine
            .load(Ordering::Acquire);
        (!p.is_null()).then_some(p.cast())
    }
}

/// The `NDIS_LINUX_DMA_CONTROLLER` of miniport `M`.
pub(crate) const fn controller_ops<M: Miniport>() -> ffi::DmaControllerOps {
    super::dma::Controller::<M::Engine<'static>, SlotEngine<M>>::OPS
}

/// `DriverEntry`: registers the miniport driver with the shim.
///
/// # Safety
///
/// Called by the shim only (from `NdisLinuxDriverLoad`): `driver_object` and
/// `registry_path` must be the ones it passes, valid for the call.
unsafe extern "C" fn driver_entry<M: Miniport>(
    driver_object: *mut ffi::DriverObject,
    registry_path: *mut c_void,
) -> i32 {
    let mut chars = ffi::DriverCharacteristics {
        header: ffi::NdisObjectHeader {
            type_: ffi::OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS,
            revision: ffi::MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2,
            size: core::mem::size_of::<ffi::DriverCharacteristics>() as u16,
        },
        major_ndis_version: 6,
        minor_ndis_version: 30,
        major_driver_version: M::DRIVER_VERSION.0,
        minor_driver_version: M::DRIVER_VERSION.1,
        flags: 0,
        set_options: None,
        initialize: Some(initialize::<M>),
        halt: Some(halt::<M>),
        unload: Some(unload::<M>),
        pause: None,
        restart: None,
        oid_request: None,
        send_net_buffer_lists: None,
        return_net_buffer_lists: None,
        cancel_send: None,
        check_for_hang: None,
        reset: None,
        device_pnp_event_notify: None,
        shutdown: None,
        cancel_oid_request: None,
        direct_oid_request: None,
        cancel_direct_oid_request: None,
    };
    let mut handle = core::ptr::null_mut();
    // SAFETY: the shim's driver object and registry path, a complete
    // revision-2 characteristics structure and a valid out pointer.
    let status = unsafe {
        ffi::NdisMRegisterMiniportDriver(
            driver_object,
            registry_path,
            core::ptr::null_mut(),
            &mut chars,
            &mut handle,
        )
    };
    if status == 0 {
        M::glue().driver_handle.store(handle, Ordering::Release);
    } else {
        pr_err!(
            "{}: NdisMRegisterMiniportDriver: {:#010x}\n",
            M::NAME,
            status as u32
        );
    }
    status
}

/// `MiniportDriverUnload`: deregisters the miniport driver.
///
/// # Safety
///
/// Called by the shim only (from `NdisLinuxDriverUnload`), after every
/// adapter of the driver has been halted; the argument is unused.
unsafe extern "C" fn unload<M: Miniport>(_driver_object: *mut ffi::DriverObject) {
    let handle = M::glue()
        .driver_handle
        .swap(core::ptr::null_mut(), Ordering::AcqRel);
    if !handle.is_null() {
        // SAFETY: the handle `NdisMRegisterMiniportDriver` returned, once.
        unsafe { ffi::NdisMDeregisterMiniportDriver(handle) };
    }
}

/// Releases a slot's context, then its engine.
///
/// # Safety
///
/// `slot` must be a live [`Slot`] of miniport `M`, with no concurrent call.
unsafe fn release<M: Miniport>(slot: &Slot) {
    let ctx = slot.context.swap(core::ptr::null_mut(), Ordering::AcqRel);
    if !ctx.is_null() {
        // SAFETY: from `KBox::into_raw` of a pinned `M::Context` (`Slot`
        // invariant); re-pinned as it was.
        let ctx = unsafe { Pin::new_unchecked(KBox::from_raw(ctx.cast::<M::Context<'_>>())) };
        M::halt(ctx);
    }
    // The channels are gone: now the engine may go.
    let engine = slot.engine.swap(core::ptr::null_mut(), Ordering::AcqRel);
    if !engine.is_null() {
        // SAFETY: from `Arc::into_raw` of `M::Engine` (`Slot` invariant).
        drop(unsafe { Arc::from_raw(engine.cast::<M::Engine<'_>>()) });
    }
}

/// `MiniportInitializeEx`: builds the adapter's [`Slot`], engine and context.
///
/// # Safety
///
/// Called by the shim only, from [`pci_probe`]'s `NdisLinuxPciProbe` of the
/// device in `Glue::probing`: `handle` must be its adapter handle for that
/// device and `params` NULL or valid for the call.
unsafe extern "C" fn initialize<M: Miniport>(
    handle: ffi::NdisHandle,
    _driver_context: ffi::NdisHandle,
    params: *mut ffi::InitParameters,
) -> ffi::NdisStatusRaw {
    let glue = M::glue();
    let pdev = glue.probing.load(Ordering::Acquire);
    if pdev.is_null() || params.is_null() {
        return Status::FAILURE.raw();
    }
    // SAFETY: the shim's adapter handle for `pdev`, the device being probed;
    // the adapter lives in the slot, freed after the shim released it.
    let adapter = unsafe { Adapter::new(handle, pdev) };
    let slot = match KBox::new(
        Slot {
            adapter,
            engine: AtomicPtr::new(core::ptr::null_mut()),
            context: AtomicPtr::new(core::ptr::null_mut()),
        },
        GFP_KERNEL,
    ) {
        Ok(s) => KBox::into_raw(s),
        Err(_) => return Status::RESOURCES.raw(),
    };
    if !glue.add_slot(pdev, slot) {
        // SAFETY: just made, not shared.
        drop(unsafe { KBox::from_raw(slot) });
        return Status::RESOURCES.raw();
    }
    // From here the probe wrapper frees the slot (after the shim is done).
    // SAFETY: live until then.
    let slot = unsafe { &*slot };
    let adapter = &slot.adapter;
    let context = core::ptr::from_ref(slot).cast_mut().cast();
    // SAFETY: the slot outlives the shim's use of the context (`Slot`).
    if let Err(s) = unsafe { adapter.set_registration_attributes(context, M::BUS_MASTER) } {
        return s.raw();
    }
    // SAFETY: `AllocatedResources` is valid during Initialize.
    let resources = unsafe { ResourceList::new((*params).allocated_resources) };
    let engine = match M::start_adapter(adapter, &resources) {
        Ok(e) => e,
        Err(s) => return s.raw(),
    };
    slot.engine.store(
        Arc::into_raw(engine.clone()).cast_mut().cast(),
        Ordering::Release,
    );
    match M::initialize(adapter, &engine) {
        Ok(ctx) => {
            // SAFETY: kept pinned: only `release` takes it back, re-pinned.
            let ctx = KBox::into_raw(unsafe { Pin::into_inner_unchecked(ctx) });
            slot.context.store(ctx.cast(), Ordering::Release);
            Status::SUCCESS.raw()
        }
        Err(s) => {
            drop(engine);
            // SAFETY: this slot, no concurrent use (probe is serialised).
            unsafe { release::<M>(slot) };
            s.raw()
        }
    }
}

/// `MiniportHaltEx`: releases the adapter's context and engine.
///
/// # Safety
///
/// Called by the shim only, once per adapter initialised successfully:
/// `context` must be NULL or the `MiniportAdapterContext` registered by
/// [`initialize`] (a live [`Slot`] of `M`).
unsafe extern "C" fn halt<M: Miniport>(context: ffi::NdisHandle, _action: u32) {
    if context.is_null() {
        return;
    }
    // SAFETY: the context registered in `initialize`: a live slot of `M`;
    // the shim calls Halt once.
    unsafe { release::<M>(&*context.cast::<Slot>()) };
}

/// `pci_driver.probe`: initialises an adapter through the shim.
///
/// # Safety
///
/// Called by the PCI core only, with a valid `pdev` of the glue's
/// registered PCI driver; `_id` is unused.
unsafe extern "C" fn pci_probe<M: Miniport>(
    pdev: *mut bindings::pci_dev,
    _id: *const bindings::pci_device_id,
) -> c_int {
    let glue = M::glue();
    // One Initialize at a time finds its device here.
    while glue
        .probing
        .compare_exchange(
            core::ptr::null_mut(),
            pdev,
            Ordering::AcqRel,
            Ordering::Acquire,
        )
        .is_err()
    {
        kernel::time::delay::fsleep(kernel::time::Delta::from_millis(1));
    }
    // SAFETY: the registered glue object and the device being probed.
    let ret = unsafe { ffi::NdisLinuxPciProbe(glue.miniport(), pdev.cast()) };
    glue.probing.store(core::ptr::null_mut(), Ordering::Release);
    if ret != 0 {
        glue.free_slot(pdev);
    }
    ret
}

/// `pci_driver.remove`: halts the adapter through the shim, frees its slot.
///
/// # Safety
///
/// Called by the PCI core only, with a `pdev` [`pci_probe`] bound.
unsafe extern "C" fn pci_remove<M: Miniport>(pdev: *mut bindings::pci_dev) {
    let glue = M::glue();
    // SAFETY: the registered glue object and the device being removed.
    unsafe { ffi::NdisLinuxPciRemove(glue.miniport(), pdev.cast()) };
    glue.free_slot(pdev);
}

/// The module's registration with the shim and the PCI core: load runs
/// `DriverEntry` (`NdisLinuxDriverLoad`) before the PCI driver is
/// registered; drop unregisters the PCI driver (halting every adapter)
/// before `NdisLinuxDriverUnload`.
pub(crate) struct Registration<M: Miniport> {
    _m: core::marker::PhantomData<M>,
}

impl<M: Miniport> Registration<M> {
    /// Loads the miniport and registers its PCI driver.
    pub(crate) fn new(module: &'static ThisModule) -> Result<Self> {
        let glue = M::glue();
        // SAFETY: nothing is registered yet, so nobody else reads the glue
        // (`Glue` invariant); module init runs once.
        unsafe { (*glue.miniport()).owner = module.as_ptr().cast() };
        // SAFETY: the module's own, static glue object.
        kernel::error::to_result(unsafe { ffi::NdisLinuxDriverLoad(glue.miniport()) })?;
        // SAFETY: a fully initialised static `pci_driver`, registered once.
        let ret = unsafe {
            bindings::__pci_register_driver(
                glue.pci.get(),
                module.as_ptr(),
                kernel::str::as_char_ptr_in_const_context(M::NAME),
            )
        };
        if let Err(e) = kernel::error::to_result(ret) {
            // SAFETY: loaded above.
            unsafe { ffi::NdisLinuxDriverUnload(glue.miniport()) };
            return Err(e);
        }
        Ok(Self {
            _m: core::marker::PhantomData,
        })
    }
}

impl<M: Miniport> Drop for Registration<M> {
    fn drop(&mut self) {
        let glue = M::glue();
        // SAFETY: registered in `new`; this halts every adapter.
        unsafe { bindings::pci_unregister_driver(glue.pci.get()) };
        // SAFETY: loaded in `new`.
        unsafe { ffi::NdisLinuxDriverUnload(glue.miniport()) };
    }
}

/// A `struct pci_device_id` matching `vendor:device` (`PCI_DEVICE()`).
pub(crate) const fn pci_device(vendor: u32, device: u32) -> bindings::pci_device_id {
    bindings::pci_device_id {
        vendor,
        device,
        subvendor: !0,
        subdevice: !0,
        class: 0,
        class_mask: 0,
        driver_data: 0,
        override_only: 0,
    }
}

/// The terminating entry of a PCI ID table.
pub(crate) const PCI_DEVICE_END: bindings::pci_device_id = pci_device(0, 0);

/// Declares a miniport's [`Glue`] static (the Rust `NDIS_LINUX_PCI_MINIPORT`):
///
/// ```ignore
/// ndis_glue!(EDU_GLUE, EduMiniport, ids: [(0x1234, 0x11e8)], dma_address_bits: 28);
/// ```
///
/// and `fn glue() -> &'static Glue { &EDU_GLUE }` in the [`Miniport`] impl.
#[macro_export]
macro_rules! ndis_glue {
    ($glue:ident, $miniport:ty, ids: [$(($v:expr, $d:expr)),+ $(,)?], dma_address_bits: $bits:expr) => {
        static $glue: $crate::ndis::driver::Glue = {
            static IDS: [::kernel::bindings::pci_device_id; [$($v),+].len() + 1] = [
                $($crate::ndis::driver::pci_device($v, $d),)+
                $crate::ndis::driver::PCI_DEVICE_END,
            ];
            static OPS: $crate::ndis::ffi::DmaControllerOps =
                $crate::ndis::driver::controller_ops::<$miniport>();
            $crate::ndis::driver::Glue::new::<$miniport>(&IDS, $bits, &OPS)
        };
    };
}
