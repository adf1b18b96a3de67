// SPDX-License-Identifier: GPL-2.0

//! A host stand-in for the items of the kernel crate that `rust/api` uses,
//! so that `rustc` can type-check the real API source on the host.
//!
//! Only the *types and signatures* matter: the crate is built with
//! `--emit=metadata` and never linked or run. Signatures follow the kernel
//! crate and bindgen output of the pinned kernel; bodies are placeholders.

#![no_std]
// Placeholder fields and C-style names, as in bindgen output.
#![allow(dead_code, non_camel_case_types, clippy::missing_safety_doc)]

extern crate alloc as std_alloc;

/// `kernel::ffi`.
pub mod ffi {
    pub use core::ffi::{c_int, c_void};
    /// The kernel's `char` is unsigned.
    pub type c_char = u8;
}

/// The bindgen items the API uses (`rust/abi/types.rs` names `pci_dev` and
/// `module`).
pub mod bindings {
    use crate::ffi::c_void;

    #[repr(C)]
    pub struct device {
        _opaque: [u8; 0],
    }

    #[repr(C)]
    pub struct pci_dev {
        pub dev: device,
    }

    #[repr(C)]
    pub struct module {
        _opaque: [u8; 0],
    }

    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct pci_device_id {
        pub vendor: u32,
        pub device: u32,
        pub subvendor: u32,
        pub subdevice: u32,
        pub class: u32,
        pub class_mask: u32,
        pub driver_data: u64,
        pub override_only: u32,
    }

    extern "C" {
        pub fn pci_set_master(dev: *mut pci_dev);
        pub fn pci_clear_master(dev: *mut pci_dev);
        pub fn readl(addr: *const c_void) -> u32;
        pub fn writel(value: u32, addr: *mut c_void);
    }
}

/// `pin_init`'s traits, as far as the API names them.
pub mod init {
    /// An in-place initialiser of a pinned `T` (here: only its type).
    pub trait PinInit<T, E> {}

    impl<T, E> PinInit<T, E> for Result<T, E> {}
}

/// `kernel::device`.
pub mod device {
    use core::marker::PhantomData;

    use crate::str::CStr;

    /// The device context markers.
    pub trait DeviceContext {}
    /// `device::Normal`.
    pub struct Normal;
    /// `device::Core<'a>`.
    pub struct Core<'a>(PhantomData<&'a ()>);
    impl DeviceContext for Normal {}
    impl DeviceContext for Core<'_> {}

    /// `kernel::device::Device`.
    #[repr(transparent)]
    pub struct Device<Ctx: DeviceContext = Normal>(
        core::cell::UnsafeCell<crate::bindings::device>,
        PhantomData<Ctx>,
    );

    impl<Ctx: DeviceContext> Device<Ctx> {
        pub fn name(&self) -> &CStr {
            c""
        }
    }
}

/// `kernel::pci`.
pub mod pci {
    use core::marker::PhantomData;

    use crate::{bindings, device, error::Error, init::PinInit};

    /// `pci::Vendor`.
    #[derive(Clone, Copy, PartialEq, Eq)]
    #[repr(transparent)]
    pub struct Vendor(u16);

    impl Vendor {
        pub const fn as_raw(self) -> u16 {
            self.0
        }
    }

    /// `pci::DeviceId`.
    #[repr(transparent)]
    #[derive(Clone, Copy)]
    pub struct DeviceId(bindings::pci_device_id);

    impl DeviceId {
        pub const fn from_id(vendor: Vendor, device: u32) -> Self {
            Self(bindings::pci_device_id {
                vendor: vendor.as_raw() as u32,
                device,
                subvendor: !0,
                subdevice: !0,
                class: 0,
                class_mask: 0,
                driver_data: 0,
                override_only: 0,
            })
        }
    }

    /// `kernel::device_id::IdTable`, for PCI.
    pub trait IdTableOf<U> {}
    /// `pci::IdTable`.
    pub type IdTable<U> = &'static dyn IdTableOf<U>;

    /// `kernel::device_id::IdArray`, for PCI (what `pci_device_table!`
    /// declares).
    pub struct IdArray<U: 'static>(&'static [DeviceId], PhantomData<&'static U>);

    impl<U: 'static> IdArray<U> {
        pub const fn new(ids: &'static [DeviceId]) -> Self {
            Self(ids, PhantomData)
        }
    }

    impl<U: 'static> IdTableOf<U> for IdArray<U> {}

    // SAFETY: a stub; the IDs are plain data.
    unsafe impl<U: 'static> Sync for IdArray<U> {}

    /// `pci::Device`.
    #[repr(transparent)]
    pub struct Device<Ctx: device::DeviceContext = device::Normal>(
        core::cell::UnsafeCell<bindings::pci_dev>,
        PhantomData<Ctx>,
    );

    impl<Ctx: device::DeviceContext> AsRef<device::Device<Ctx>> for Device<Ctx> {
        fn as_ref(&self) -> &device::Device<Ctx> {
            // SAFETY: a stub; `Device` is transparent over `pci_dev`, whose
            // first field is its `device`.
            unsafe { &*self.0.get().cast() }
        }
    }

    /// `pci::Driver`.
    pub trait Driver {
        type IdInfo: 'static;
        type Data<'bound>: Send + 'bound;
        const ID_TABLE: IdTable<Self::IdInfo>;

        fn probe<'bound>(
            dev: &'bound Device<device::Core<'_>>,
            id_info: Option<&'bound Self::IdInfo>,
        ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound;

        fn unbind<'bound>(
            dev: &'bound Device<device::Core<'_>>,
            this: core::pin::Pin<&Self::Data<'bound>>,
        ) {
            let _ = (dev, this);
        }
    }

    /// `pci::Adapter`: the registration ops of a PCI driver.
    pub struct Adapter<T: Driver>(PhantomData<T>);
}

/// `kernel::driver`.
pub mod driver {
    use core::marker::PhantomData;

    use crate::{error::Error, init::PinInit, str::CStr, ThisModule};

    /// `driver::Registration`.
    pub struct Registration<T>(PhantomData<T>);

    impl<T> Registration<T> {
        pub fn new(_name: &'static CStr, _module: &'static ThisModule) -> impl PinInit<Self, Error>
        where
            T: 'static,
        {
            Ok::<Self, Error>(Self(PhantomData))
        }
    }
}

/// `kernel::error`.
pub mod error {
    /// A negative errno.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub struct Error(i32);

    /// `kernel::error::Result`.
    pub type Result<T = (), E = Error> = core::result::Result<T, E>;

    impl From<crate::alloc::AllocError> for Error {
        fn from(_: crate::alloc::AllocError) -> Self {
            code::ENOMEM
        }
    }

    pub mod code {
        use super::Error;
        pub const EINVAL: Error = Error(-22);
        pub const ENOMEM: Error = Error(-12);
        pub const EIO: Error = Error(-5);
        pub const EOPNOTSUPP: Error = Error(-95);
    }

    pub fn to_result(err: crate::ffi::c_int) -> Result {
        if err < 0 {
            Err(Error(err))
        } else {
            Ok(())
        }
    }
}

/// `kernel::str`.
pub mod str {
    pub use core::ffi::CStr;

    use crate::ffi::c_char;

    pub trait CStrExt {
        /// # Safety
        ///
        /// As in the kernel crate.
        unsafe fn from_char_ptr<'a>(ptr: *const c_char) -> &'a Self;
    }

    impl CStrExt for CStr {
        unsafe fn from_char_ptr<'a>(ptr: *const c_char) -> &'a Self {
            // SAFETY: the caller's.
            unsafe { CStr::from_ptr(ptr.cast()) }
        }
    }

    pub const fn as_char_ptr_in_const_context(c_str: &CStr) -> *const c_char {
        c_str.as_ptr().cast()
    }
}

/// `kernel::alloc`.
pub mod alloc {
    use core::marker::PhantomData;
    use core::ops::{Deref, DerefMut};

    #[derive(Debug)]
    pub struct AllocError;

    #[derive(Clone, Copy)]
    pub struct Flags(u32);

    pub mod flags {
        pub const GFP_KERNEL: super::Flags = super::Flags(0);
        pub const GFP_ATOMIC: super::Flags = super::Flags(1);
    }

    /// # Safety
    ///
    /// As in the kernel crate.
    pub unsafe trait Allocator {}

    pub struct Kmalloc;
    pub struct Vmalloc;
    // SAFETY: a stub.
    unsafe impl Allocator for Kmalloc {}
    // SAFETY: a stub.
    unsafe impl Allocator for Vmalloc {}

    /// `kernel::alloc::Vec`.
    pub struct Vec<T, A: Allocator>(std_alloc::vec::Vec<T>, PhantomData<A>);

    impl<T, A: Allocator> Vec<T, A> {
        pub const fn new() -> Self {
            Self(std_alloc::vec::Vec::new(), PhantomData)
        }
        pub fn len(&self) -> usize {
            self.0.len()
        }
        pub fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
        pub fn as_mut_slice(&mut self) -> &mut [T] {
            &mut self.0
        }
    }

    impl<T: Clone, A: Allocator> Vec<T, A> {
        pub fn resize(&mut self, n: usize, v: T, _f: Flags) -> Result<(), AllocError> {
            self.0.resize(n, v);
            Ok(())
        }
        pub fn extend_with(&mut self, n: usize, v: T, _f: Flags) -> Result<(), AllocError> {
            self.0.extend(core::iter::repeat_n(v, n));
            Ok(())
        }
    }

    impl<T, A: Allocator> Deref for Vec<T, A> {
        type Target = [T];
        fn deref(&self) -> &[T] {
            &self.0
        }
    }

    impl<T, A: Allocator> DerefMut for Vec<T, A> {
        fn deref_mut(&mut self) -> &mut [T] {
            &mut self.0
        }
    }

    // SAFETY: a stub, like the kernel's `Vec`.
    unsafe impl<T: Send, A: Allocator> Send for Vec<T, A> {}
    // SAFETY: as above.
    unsafe impl<T: Sync, A: Allocator> Sync for Vec<T, A> {}

    /// `kernel::alloc::Box`.
    pub struct Box<T: ?Sized, A: Allocator>(std_alloc::boxed::Box<T>, PhantomData<A>);

    impl<T, A: Allocator> Box<T, A> {
        pub fn new(x: T, _f: Flags) -> Result<Self, AllocError> {
            Ok(Self(std_alloc::boxed::Box::new(x), PhantomData))
        }
        pub fn pin(x: T, f: Flags) -> Result<core::pin::Pin<Self>, AllocError> {
            // SAFETY: a heap allocation does not move.
            Self::new(x, f).map(|b| unsafe { core::pin::Pin::new_unchecked(b) })
        }
        pub fn pin_init<E: From<AllocError>>(
            _init: impl crate::init::PinInit<T, E>,
            _f: Flags,
        ) -> Result<core::pin::Pin<Self>, E> {
            Err(AllocError.into())
        }
    }

    impl<T: ?Sized, A: Allocator> Box<T, A> {
        pub fn into_raw(b: Self) -> *mut T {
            std_alloc::boxed::Box::into_raw(b.0)
        }
        /// # Safety
        ///
        /// As in the kernel crate.
        pub unsafe fn from_raw(raw: *mut T) -> Self {
            // SAFETY: the caller's.
            Self(unsafe { std_alloc::boxed::Box::from_raw(raw) }, PhantomData)
        }
    }

    impl<T: ?Sized, A: Allocator> Deref for Box<T, A> {
        type Target = T;
        fn deref(&self) -> &T {
            &self.0
        }
    }

    impl<T: ?Sized, A: Allocator> DerefMut for Box<T, A> {
        fn deref_mut(&mut self) -> &mut T {
            &mut self.0
        }
    }

    pub type KBox<T> = Box<T, Kmalloc>;
    pub type KVec<T> = Vec<T, Kmalloc>;
    pub type VVec<T> = Vec<T, Vmalloc>;
}

/// `kernel::sync`.
pub mod sync {
    use crate::alloc::{AllocError, Flags};
    use core::ops::Deref;

    /// `kernel::sync::Arc`.
    pub struct Arc<T: ?Sized>(std_alloc::sync::Arc<T>);

    impl<T> Arc<T> {
        pub fn new(x: T, _f: Flags) -> Result<Self, AllocError> {
            Ok(Self(std_alloc::sync::Arc::new(x)))
        }
    }

    impl<T: ?Sized> Arc<T> {
        pub fn into_raw(a: Self) -> *const T {
            std_alloc::sync::Arc::into_raw(a.0)
        }
        /// # Safety
        ///
        /// As in the kernel crate.
        pub unsafe fn from_raw(p: *const T) -> Self {
            // SAFETY: the caller's.
            Self(unsafe { std_alloc::sync::Arc::from_raw(p) })
        }
        pub fn as_ptr(a: &Self) -> *const T {
            std_alloc::sync::Arc::as_ptr(&a.0)
        }
    }

    impl<T: ?Sized> Clone for Arc<T> {
        fn clone(&self) -> Self {
            Self(self.0.clone())
        }
    }

    impl<T: ?Sized> Deref for Arc<T> {
        type Target = T;
        fn deref(&self) -> &T {
            &self.0
        }
    }
}

/// `kernel::time`.
pub mod time {
    pub struct Delta(i64);

    impl Delta {
        pub const fn from_millis(ms: i64) -> Self {
            Self(ms * 1_000_000)
        }
    }

    pub mod delay {
        pub fn fsleep(_d: super::Delta) {}
    }
}

/// `kernel::ThisModule`.
pub struct ThisModule(*mut bindings::module);

impl ThisModule {
    pub const fn as_ptr(&self) -> *mut bindings::module {
        self.0
    }
}

/// `kernel::pci_device_table!`: the table, without its modpost alias.
#[macro_export]
macro_rules! pci_device_table {
    ($name:ident, $info:ty, [$(($id:expr, $i:expr $(,)?)),* $(,)?]) => {
        static $name: $crate::pci::IdArray<$info> = $crate::pci::IdArray::new(&[$($id),*]);
    };
}

// The kernel's printing macros format through `kernel::fmt` (which, unlike
// `core::fmt`, displays a `CStr`); the stubs print nothing.
#[macro_export]
macro_rules! pr_err {
    ($($arg:tt)*) => {{}};
}

#[macro_export]
macro_rules! pr_warn {
    ($($arg:tt)*) => {{}};
}

/// `kernel::prelude`.
pub mod prelude {
    pub use crate::alloc::{
        flags::{GFP_ATOMIC, GFP_KERNEL},
        KBox, KVec, VVec,
    };
    pub use crate::error::{Error, Result};
    pub use crate::init::PinInit;
    pub use crate::str::{CStr, CStrExt};
    pub use crate::{pr_err, pr_warn};
    pub use core::pin::Pin;
}
