// SPDX-License-Identifier: GPL-2.0

//! The miniport driver ([`Miniport`]) and its Linux glue: the Rust
//! counterpart of the C macro `NDIS_LINUX_PCI_MINIPORT` ([`Glue`],
//! [`ndis_glue!`](crate::ndis_glue), [`PciDriver`], [`Registration`]).
//!
//! The glue is a `kernel::pci::Driver` ([`PciDriver`]): its probe hands the
//! device to the shim (`NdisLinuxPciProbe`, which runs
//! `MiniportInitializeEx`), its unbind takes it back (`NdisLinuxPciRemove`,
//! which runs `MiniportHaltEx`). The device's drvdata is the kernel crate's
//! (it holds the driver's [`Binding`]); the shim writes none. Inside
//! `MiniportInitializeEx` the API finds the adapter's device with
//! `NdisLinuxGetPciDevice`.

use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::marker::PhantomData;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use kernel::{bindings, device::Core, pci, prelude::*, sync::Arc, ThisModule};

use super::{
    adapter::{Adapter, ResourceList},
    dma::{DmaEngine, EngineOf},
    ffi, Status,
};

/// Most adapters of one miniport module that can be in `MiniportInitializeEx`
/// at the same time (probes of different devices may run concurrently).
pub(crate) const MAX_PROBES: usize = 16;

/// A Rust NDIS miniport.
///
/// Per adapter the API calls [`Miniport::start_adapter`], then
/// [`Miniport::initialize`] (together: `MiniportInitializeEx`), and at
/// removal [`Miniport::halt`] (`MiniportHaltEx`). What they return borrows
/// the [`Adapter`], so no handle outlives it.
///
/// The [`Linux`] half (PCI IDs, DMA reach) is what
/// [`ndis_glue!`](crate::ndis_glue) declares.
pub(crate) trait Miniport: Linux + 'static {
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
}

/// The Linux side of a miniport: implemented by
/// [`ndis_glue!`](crate::ndis_glue).
pub(crate) trait Linux {
    /// The PCI IDs the driver binds (`pci_device_table!`, so modpost sees
    /// them).
    const PCI_IDS: pci::IdTable<()>;
    /// The module's [`Glue`].
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
/// adapter (`NdisLinuxPciProbe` failed or `NdisLinuxPciRemove` returned).
struct Slot {
    adapter: Adapter,
    engine: AtomicPtr<c_void>,
    context: AtomicPtr<c_void>,
}

/// A slot on its way from `MiniportInitializeEx` to the probe that called
/// it, for the device `pdev`.
struct Handoff {
    pdev: AtomicPtr<bindings::pci_dev>,
    slot: AtomicPtr<Slot>,
}

/// A miniport module's Linux glue: its `NDIS_LINUX_MINIPORT` and the
/// hand-off of new adapters to their probes. A `static`, made by
/// [`ndis_glue!`](crate::ndis_glue).
///
/// # Invariants
///
/// `miniport` is written only by [`Registration::new`], before it is
/// registered with the shim; afterwards only the shim uses it. An entry of
/// `handoff` with a non-NULL `slot` holds a `KBox::into_raw` of a [`Slot`]
/// made by [`initialize`] for that entry's device, which only the probe of
/// that device takes out.
pub(crate) struct Glue {
    miniport: UnsafeCell<ffi::NDIS_LINUX_MINIPORT>,
    driver_handle: AtomicPtr<c_void>,
    handoff: [Handoff; MAX_PROBES],
}

// SAFETY: the C object is written before registration only (type
// invariant); the rest is atomic.
unsafe impl Sync for Glue {}

impl Glue {
    /// The glue for miniport `M`: a `static` initialiser
    /// ([`ndis_glue!`](crate::ndis_glue)).
    pub(crate) const fn new<M: Miniport>(
        dma_address_bits: u8,
        controller: &'static ffi::NDIS_LINUX_DMA_CONTROLLER,
    ) -> Self {
        Self {
            miniport: UnsafeCell::new(ffi::NDIS_LINUX_MINIPORT {
                Name: kernel::str::as_char_ptr_in_const_context(M::NAME).cast(),
                Owner: core::ptr::null_mut(),
                DriverEntry: Some(driver_entry::<M>),
                DmaAddressBits: dma_address_bits,
                DmaController: controller,
                DriverObject: ffi::DRIVER_OBJECT {
                    NdisLinuxReserved: [core::ptr::null_mut(); 2],
                },
            }),
            driver_handle: AtomicPtr::new(core::ptr::null_mut()),
            handoff: [const {
                Handoff {
                    pdev: AtomicPtr::new(core::ptr::null_mut()),
                    slot: AtomicPtr::new(core::ptr::null_mut()),
                }
            }; MAX_PROBES],
        }
    }

    fn miniport(&self) -> *mut ffi::NDIS_LINUX_MINIPORT {
        self.miniport.get()
    }

    /// Leaves `slot` for the probe of `pdev`; false if too many probes run.
    fn hand_off(&self, pdev: *mut bindings::pci_dev, slot: *mut Slot) -> bool {
        for e in &self.handoff {
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

    /// Takes the slot [`initialize`] left for `pdev`, if any.
    fn take(&self, pdev: *mut bindings::pci_dev) -> *mut Slot {
        for e in &self.handoff {
            if e.pdev.load(Ordering::Acquire) == pdev {
                let slot = e.slot.swap(core::ptr::null_mut(), Ordering::AcqRel);
                e.pdev.store(core::ptr::null_mut(), Ordering::Release);
                return slot;
            }
        }
        core::ptr::null_mut()
    }
}

/// Frees a slot.
///
/// # Safety
///
/// `slot` must be NULL or a `KBox::into_raw` of a [`Slot`] the shim is done
/// with (its adapter failed to initialise or was removed), not yet freed.
unsafe fn free_slot(slot: *mut Slot) {
    if !slot.is_null() {
        // SAFETY: by the safety requirement; its engine and context were
        // released by Halt or by the failed Initialize (`Slot` invariant).
        drop(unsafe { KBox::from_raw(slot) });
    }
}

/// Resolves `AdapterContext` (a [`Slot`]) to `M`'s engine.
pub(super) struct SlotEngine<M>(PhantomData<M>);

// SAFETY: the slot's engine pointer is set before the miniport can register
// a channel and cleared (then released) only after its context, which owns
// the channels, is dropped in Halt; the slot outlives the shim's use of the
// adapter (`Slot` invariant).
unsafe impl<M: Miniport> EngineOf<M::Engine<'static>> for SlotEngine<M> {
    unsafe fn engine(context: ffi::NDIS_HANDLE) -> Option<*const M::Engine<'static>> {
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
pub(crate) const fn controller_ops<M: Miniport>() -> ffi::NDIS_LINUX_DMA_CONTROLLER {
    super::dma::Controller::<M::Engine<'static>, SlotEngine<M>>::OPS
}

/// `DriverEntry`: registers the miniport driver with the shim.
///
/// # Safety
///
/// Called by the shim only (from `NdisLinuxDriverLoad`): `driver_object` and
/// `registry_path` must be the ones it passes, valid for the call.
unsafe extern "C" fn driver_entry<M: Miniport>(
    driver_object: ffi::PDRIVER_OBJECT,
    registry_path: ffi::PUNICODE_STRING,
) -> ffi::NTSTATUS {
    let mut chars = ffi::NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
        Header: ffi::NDIS_OBJECT_HEADER {
            Type: ffi::NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS as u8,
            Revision: ffi::NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 as u8,
            Size: ffi::NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 as u16,
        },
        MajorNdisVersion: 6,
        MinorNdisVersion: 30,
        MajorDriverVersion: M::DRIVER_VERSION.0,
        MinorDriverVersion: M::DRIVER_VERSION.1,
        InitializeHandlerEx: Some(initialize::<M>),
        HaltHandlerEx: Some(halt::<M>),
        UnloadHandler: Some(unload::<M>),
        ..Default::default()
    };
    let mut handle = core::ptr::null_mut();
    // SAFETY: the shim's driver object and registry path, a complete
    // revision-2 characteristics structure and a valid out pointer.
    let status = Status(unsafe {
        ffi::NdisMRegisterMiniportDriver(
            driver_object,
            registry_path,
            core::ptr::null_mut(),
            &mut chars,
            &mut handle,
        )
    });
    if status.is_success() {
        M::glue().driver_handle.store(handle, Ordering::Release);
    } else {
        pr_err!(
            "{}: NdisMRegisterMiniportDriver: {:#010x}\n",
            M::NAME,
            status.raw() as u32
        );
    }
    status.raw()
}

/// `MiniportDriverUnload`: deregisters the miniport driver.
///
/// # Safety
///
/// Called by the shim only (from `NdisLinuxDriverUnload`), after every
/// adapter of the driver has been halted; the argument is unused.
unsafe extern "C" fn unload<M: Miniport>(_driver_object: ffi::PDRIVER_OBJECT) {
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
/// Called by the shim only, from the `NdisLinuxPciProbe` of a
/// [`PciDriver::probe`]: `handle` must be the adapter handle it made for
/// that device and `params` NULL or valid for the call.
unsafe extern "C" fn initialize<M: Miniport>(
    handle: ffi::NDIS_HANDLE,
    _driver_context: ffi::NDIS_HANDLE,
    params: ffi::PNDIS_MINIPORT_INIT_PARAMETERS,
) -> ffi::NDIS_STATUS {
    if params.is_null() {
        return Status::FAILURE.raw();
    }
    // SAFETY: the handle the shim passes to Initialize names an adapter.
    let pdev = unsafe { ffi::NdisLinuxGetPciDevice(handle) };
    if pdev.is_null() {
        return Status::FAILURE.raw();
    }
    // SAFETY: the shim's adapter handle and the device it was probed with,
    // both valid until Halt returns; the adapter lives in the slot, freed
    // after the shim is done with it (`Slot` invariant).
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
    let glue = M::glue();
    if !glue.hand_off(pdev, slot) {
        // SAFETY: just made, not shared.
        drop(unsafe { KBox::from_raw(slot) });
        return Status::RESOURCES.raw();
    }
    // From here the probe owns the slot and frees it once the shim is done.
    // SAFETY: live until then.
    let slot = unsafe { &*slot };
    let adapter = &slot.adapter;
    let context = core::ptr::from_ref(slot).cast_mut().cast();
    // SAFETY: the slot outlives the shim's use of the context (`Slot`).
    if let Err(s) = unsafe { adapter.set_registration_attributes(context, M::BUS_MASTER) } {
        return s.raw();
    }
    // SAFETY: `AllocatedResources` is valid during Initialize.
    let resources = unsafe { ResourceList::new((*params).AllocatedResources) };
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
            // SAFETY: this slot, no concurrent use (the probe waits for us).
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
unsafe extern "C" fn halt<M: Miniport>(context: ffi::NDIS_HANDLE, _action: ffi::NDIS_HALT_ACTION) {
    if context.is_null() {
        return;
    }
    // SAFETY: the context registered in `initialize`: a live slot of `M`;
    // the shim calls Halt once.
    unsafe { release::<M>(&*context.cast::<Slot>()) };
}

/// The `struct pci_dev` behind a [`pci::Device`], for the shim.
///
/// In 7.3 the kernel crate keeps `pci::Device::as_raw` private, so this is
/// a pointer cast rather than a C helper (which would add a C object to
/// every Rust miniport for one line): `pci::Device<Ctx>` is
/// `#[repr(transparent)]` over `Opaque<bindings::pci_dev>` (plus a
/// zero-sized marker), and `Opaque<T>` is `#[repr(transparent)]` over
/// `UnsafeCell<MaybeUninit<T>>`, so the address of the `pci::Device` is
/// the address of its `struct pci_dev`: the kernel crate's own probe
/// callback casts the other way. The `UnsafeCell` makes it sound for C to
/// write the object through the pointer while Rust holds `&pci::Device`.
fn raw_pci_dev<Ctx: kernel::device::DeviceContext>(
    pdev: &pci::Device<Ctx>,
) -> *mut bindings::pci_dev {
    core::ptr::from_ref(pdev).cast_mut().cast()
}

/// The per-device data of a bound [`PciDriver`]: the adapter's slot.
///
/// # Invariants
///
/// `pdev` is the bound device, for which `NdisLinuxPciProbe` succeeded;
/// `removed` says whether `NdisLinuxPciRemove` has run for it since. `slot`
/// is what [`initialize`] handed off for this adapter (a `KBox::into_raw`
/// of a [`Slot`]), freed only after `NdisLinuxPciRemove`.
pub(crate) struct Binding<M: Miniport> {
    pdev: *mut bindings::pci_dev,
    slot: *mut Slot,
    removed: AtomicBool,
    _m: PhantomData<M>,
}

// SAFETY: the pointers are only passed to the shim (thread-safe) and freed
// once, in `drop`; the slot's contents are `Send` + `Sync` (atomics and an
// `Adapter`).
unsafe impl<M: Miniport> Send for Binding<M> {}

impl<M: Miniport> Binding<M> {
    /// `NdisLinuxPciRemove`, once: `MiniportHaltEx` and the shim's teardown.
    fn remove(&self) {
        if !self.removed.swap(true, Ordering::AcqRel) {
            // SAFETY: the registered glue object and the device it probed
            // successfully (type invariant), not yet removed.
            unsafe { ffi::NdisLinuxPciRemove(M::glue().miniport(), self.pdev) };
        }
    }
}

impl<M: Miniport> Drop for Binding<M> {
    fn drop(&mut self) {
        // Normally done by `unbind` already.
        self.remove();
        // SAFETY: the shim is done with the adapter (removed above); the
        // slot is this binding's (type invariant), freed once, here.
        unsafe { free_slot(self.slot) };
    }
}

/// Miniport `M`'s PCI driver: each probe is `NdisLinuxPciProbe`
/// (`MiniportInitializeEx`), each unbind `NdisLinuxPciRemove`
/// (`MiniportHaltEx`).
pub(crate) struct PciDriver<M>(PhantomData<M>);

impl<M: Miniport> pci::Driver for PciDriver<M> {
    type IdInfo = ();
    type Data<'bound> = Binding<M>;
    const ID_TABLE: pci::IdTable<()> = M::PCI_IDS;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _id_info: Option<&'bound ()>,
    ) -> impl PinInit<Binding<M>, Error> + 'bound {
        let glue = M::glue();
        let raw = raw_pci_dev(pdev);
        // SAFETY: the registered glue object and the device being probed
        // (`raw_pci_dev`); the shim calls `initialize` for it before it
        // returns.
        let ret = unsafe { ffi::NdisLinuxPciProbe(glue.miniport(), raw) };
        let slot = glue.take(raw);
        if let Err(e) = kernel::error::to_result(ret) {
            // SAFETY: the shim is done with the failed adapter; the slot (if
            // Initialize got as far) was handed off to us.
            unsafe { free_slot(slot) };
            return Err(e);
        }
        // INVARIANT: probed successfully; the slot is this adapter's.
        Ok(Binding {
            pdev: raw,
            slot,
            removed: AtomicBool::new(false),
            _m: PhantomData,
        })
    }

    /// Halts the adapter while the device is still bound: the PCI core
    /// frees the device's IRQ routing right after this returns, before the
    /// binding is dropped.
    fn unbind<'bound>(_pdev: &'bound pci::Device<Core<'_>>, this: Pin<&Binding<M>>) {
        this.remove();
    }
}

/// `NdisLinuxDriverLoad` of miniport `M`; `NdisLinuxDriverUnload` on drop.
struct Loaded<M: Miniport>(PhantomData<M>);

impl<M: Miniport> Loaded<M> {
    fn new(module: &'static ThisModule) -> Result<Self> {
        let glue = M::glue();
        // SAFETY: nothing is registered yet, so nobody else reads the glue
        // (`Glue` invariant); module init runs once.
        unsafe { (*glue.miniport()).Owner = module.as_ptr() };
        // SAFETY: the module's own, static glue object.
        kernel::error::to_result(unsafe { ffi::NdisLinuxDriverLoad(glue.miniport()) })?;
        Ok(Self(PhantomData))
    }
}

impl<M: Miniport> Drop for Loaded<M> {
    fn drop(&mut self) {
        // SAFETY: loaded in `new`; every adapter is gone.
        unsafe { ffi::NdisLinuxDriverUnload(M::glue().miniport()) };
    }
}

/// The module's registration with the shim and the PCI core: load runs
/// `DriverEntry` (`NdisLinuxDriverLoad`) before the PCI driver is
/// registered; drop unregisters the PCI driver (halting every adapter)
/// before `NdisLinuxDriverUnload`.
pub(crate) struct Registration<M: Miniport> {
    // Dropped in this order.
    _pci: Pin<KBox<kernel::driver::Registration<pci::Adapter<PciDriver<M>>>>>,
    _ndis: Loaded<M>,
}

impl<M: Miniport> Registration<M> {
    /// Loads the miniport and registers its PCI driver.
    pub(crate) fn new(module: &'static ThisModule) -> Result<Self> {
        let ndis = Loaded::<M>::new(module)?;
        let pci = KBox::pin_init(
            kernel::driver::Registration::new(M::NAME, module),
            GFP_KERNEL,
        )?;
        Ok(Self {
            _pci: pci,
            _ndis: ndis,
        })
    }
}

/// The [`pci::DeviceId`] of `vendor:device` (`PCI_DEVICE()`), for any vendor
/// ID (`pci::Vendor` has constants for the PCI-SIG list only, and its
/// `from_raw` is private in 7.3).
pub(crate) const fn pci_id(vendor: u16, device: u32) -> pci::DeviceId {
    // SAFETY: `pci::Vendor` is `#[repr(transparent)]` over the 16-bit
    // vendor ID, and every 16-bit value is a vendor ID a device can report
    // (what `Vendor::from_raw` would make of it).
    let vendor = unsafe { core::mem::transmute::<u16, pci::Vendor>(vendor) };
    pci::DeviceId::from_id(vendor, device)
}

/// Declares a miniport's Linux glue (the Rust `NDIS_LINUX_PCI_MINIPORT`):
/// its PCI ID table, its [`Glue`] and [`Linux`] for it.
///
/// ```ignore
/// #[path = "../../rust/api/mod.rs"]
/// mod ndis;
///
/// ndis_glue!(ndis, EduMiniport, ids: [(0x1234, 0x11e8)], dma_address_bits: 28);
/// ```
///
/// The first argument is the path of the module the API was included as,
/// from where the macro is invoked (`ndis`, `crate::api`, ...). Invoke it
/// in the crate root, so modpost sees the ID table under the module's name.
#[macro_export]
macro_rules! ndis_glue {
    (
        $($api:ident)::+, $miniport:ty,
        ids: [$(($v:expr, $d:expr)),+ $(,)?],
        dma_address_bits: $bits:expr $(,)?
    ) => {
        const _: () = {
            use $($api)::+ as __ndis_api;
            ::kernel::pci_device_table!(
                IDS,
                (),
                [$((__ndis_api::driver::pci_id($v, $d), ()),)+]
            );
            static OPS: __ndis_api::ffi::NDIS_LINUX_DMA_CONTROLLER =
                __ndis_api::driver::controller_ops::<$miniport>();
            static GLUE: __ndis_api::driver::Glue =
                __ndis_api::driver::Glue::new::<$miniport>($bits, &OPS);
            impl __ndis_api::driver::Linux for $miniport {
                const PCI_IDS: ::kernel::pci::IdTable<()> = &IDS;
                fn glue() -> &'static __ndis_api::driver::Glue {
                    &GLUE
                }
            }
        };
    };
}
