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

/// The bindgen items the API uses.
pub mod bindings {
    use crate::ffi::{c_char, c_int, c_void};

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

    #[repr(C)]
    pub struct pci_driver {
        pub name: *const c_char,
        pub id_table: *const pci_device_id,
        pub probe: Option<unsafe extern "C" fn(*mut pci_dev, *const pci_device_id) -> c_int>,
        pub remove: Option<unsafe extern "C" fn(*mut pci_dev)>,
    }

    extern "C" {
        pub fn dev_name(dev: *const device) -> *const c_char;
        pub fn pci_set_master(dev: *mut pci_dev);
        pub fn pci_clear_master(dev: *mut pci_dev);
        pub fn __pci_register_driver(
            arg1: *mut pci_driver,
            arg2: *mut module,
            mod_name: *const c_char,
        ) -> c_int;
        pub fn pci_unregister_driver(dev: *mut pci_driver);
        pub fn readl(addr: *const c_void) -> u32;
        pub fn writel(value: u32, addr: *mut c_void);
    }
}

/// `kernel::error`.
pub mod error {
    /// A negative errno.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub struct Error(i32);

    /// `kernel::error::Result`.
    pub type Result<T = (), E = Error> = core::result::Result<T, E>;

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
    pub use crate::str::{CStr, CStrExt};
    pub use crate::{pr_err, pr_warn};
    pub use core::pin::Pin;
}
