// SPDX-License-Identifier: GPL-2.0

//! [`Status`]: `NDIS_STATUS` as a type, with `Result` conversions.

use core::fmt;

use super::ffi;

/// An `NDIS_STATUS` value.
///
/// Success is [`Status::SUCCESS`]; the API returns failures as
/// `Err(Status)` and success as `Ok(..)` (see [`Status::to_result`]). The
/// values are `include/ndis.h`'s, through the generated bindings.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(transparent)]
pub(crate) struct Status(pub(crate) ffi::NDIS_STATUS);

// bindgen types each `#define` by its value: the positive (success and
// informational) codes come out `u32`, the failures `i32`; both are the
// bits of an `NDIS_STATUS`.
#[allow(
    dead_code,
    reason = "the status values a miniport may return or test for; each uses some"
)]
impl Status {
    /// `NDIS_STATUS_SUCCESS`.
    pub(crate) const SUCCESS: Self = Self(ffi::NDIS_STATUS_SUCCESS as ffi::NDIS_STATUS);
    /// `NDIS_STATUS_PENDING`.
    pub(crate) const PENDING: Self = Self(ffi::NDIS_STATUS_PENDING as ffi::NDIS_STATUS);
    /// `NDIS_STATUS_FAILURE`.
    pub(crate) const FAILURE: Self = Self(ffi::NDIS_STATUS_FAILURE);
    /// `NDIS_STATUS_INVALID_PARAMETER`.
    pub(crate) const INVALID_PARAMETER: Self = Self(ffi::NDIS_STATUS_INVALID_PARAMETER);
    /// `NDIS_STATUS_INVALID_DEVICE_REQUEST`.
    pub(crate) const INVALID_DEVICE_REQUEST: Self = Self(ffi::NDIS_STATUS_INVALID_DEVICE_REQUEST);
    /// `NDIS_STATUS_RESOURCES`.
    pub(crate) const RESOURCES: Self = Self(ffi::NDIS_STATUS_RESOURCES);
    /// `NDIS_STATUS_NOT_SUPPORTED`.
    pub(crate) const NOT_SUPPORTED: Self = Self(ffi::NDIS_STATUS_NOT_SUPPORTED);
    /// `NDIS_STATUS_INVALID_STATE`.
    pub(crate) const INVALID_STATE: Self = Self(ffi::NDIS_STATUS_INVALID_STATE);
    /// `NDIS_STATUS_BAD_CHARACTERISTICS`.
    pub(crate) const BAD_CHARACTERISTICS: Self = Self(ffi::NDIS_STATUS_BAD_CHARACTERISTICS);
    /// `NDIS_STATUS_ADAPTER_NOT_FOUND`.
    pub(crate) const ADAPTER_NOT_FOUND: Self = Self(ffi::NDIS_STATUS_ADAPTER_NOT_FOUND);
    /// `NDIS_STATUS_REQUEST_ABORTED`.
    pub(crate) const REQUEST_ABORTED: Self = Self(ffi::NDIS_STATUS_REQUEST_ABORTED);
    /// `NDIS_STATUS_INVALID_LENGTH`.
    pub(crate) const INVALID_LENGTH: Self = Self(ffi::NDIS_STATUS_INVALID_LENGTH);
    /// `NDIS_STATUS_INVALID_DATA`.
    pub(crate) const INVALID_DATA: Self = Self(ffi::NDIS_STATUS_INVALID_DATA);
    /// `NDIS_STATUS_RESOURCE_CONFLICT`.
    pub(crate) const RESOURCE_CONFLICT: Self = Self(ffi::NDIS_STATUS_RESOURCE_CONFLICT);
}

impl Status {
    /// The raw value, as C sees it.
    pub(crate) const fn raw(self) -> ffi::NDIS_STATUS {
        self.0
    }

    /// Whether this is `NDIS_STATUS_SUCCESS` (`NDIS_SUCCESS()`).
    pub(crate) const fn is_success(self) -> bool {
        self.0 == Self::SUCCESS.0
    }

    /// `Ok(())` for success, `Err(self)` otherwise.
    pub(crate) fn to_result(self) -> Result<(), Status> {
        if self.is_success() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// The status a `Result` stands for.
    pub(crate) fn from_result(result: Result<(), Status>) -> Self {
        match result {
            Ok(()) => Self::SUCCESS,
            Err(s) => s,
        }
    }
}

impl From<Status> for kernel::error::Error {
    fn from(s: Status) -> Self {
        match s {
            Status::RESOURCES => kernel::error::code::ENOMEM,
            Status::INVALID_PARAMETER | Status::INVALID_LENGTH => kernel::error::code::EINVAL,
            Status::NOT_SUPPORTED => kernel::error::code::EOPNOTSUPP,
            _ => kernel::error::code::EIO,
        }
    }
}

impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#010x}", self.0 as u32)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
