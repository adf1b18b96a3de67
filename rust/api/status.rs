// SPDX-License-Identifier: GPL-2.0

//! [`Status`]: `NDIS_STATUS` as a type, with `Result` conversions.

use core::fmt;

use super::ffi::NdisStatusRaw;

/// An `NDIS_STATUS` value.
///
/// Success is [`Status::SUCCESS`]; the API returns failures as
/// `Err(Status)` and success as `Ok(..)` (see [`Status::to_result`]).
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(transparent)]
pub(crate) struct Status(pub(crate) NdisStatusRaw);

impl Status {
    /// `NDIS_STATUS_SUCCESS`.
    pub(crate) const SUCCESS: Self = Self(0);
    /// `NDIS_STATUS_PENDING`.
    pub(crate) const PENDING: Self = Self(0x0000_0103);
    /// `NDIS_STATUS_FAILURE`.
    pub(crate) const FAILURE: Self = Self(0xC000_0001_u32 as i32);
    /// `NDIS_STATUS_INVALID_PARAMETER`.
    pub(crate) const INVALID_PARAMETER: Self = Self(0xC000_000D_u32 as i32);
    /// `NDIS_STATUS_INVALID_DEVICE_REQUEST`.
    pub(crate) const INVALID_DEVICE_REQUEST: Self = Self(0xC000_0010_u32 as i32);
    /// `NDIS_STATUS_RESOURCES`.
    pub(crate) const RESOURCES: Self = Self(0xC000_009A_u32 as i32);
    /// `NDIS_STATUS_NOT_SUPPORTED`.
    pub(crate) const NOT_SUPPORTED: Self = Self(0xC000_00BB_u32 as i32);
    /// `NDIS_STATUS_INVALID_STATE`.
    pub(crate) const INVALID_STATE: Self = Self(0xC000_0184_u32 as i32);
    /// `NDIS_STATUS_BAD_CHARACTERISTICS`.
    pub(crate) const BAD_CHARACTERISTICS: Self = Self(0xC001_0005_u32 as i32);
    /// `NDIS_STATUS_ADAPTER_NOT_FOUND`.
    pub(crate) const ADAPTER_NOT_FOUND: Self = Self(0xC001_0006_u32 as i32);
    /// `NDIS_STATUS_REQUEST_ABORTED`.
    pub(crate) const REQUEST_ABORTED: Self = Self(0xC001_000C_u32 as i32);
    /// `NDIS_STATUS_INVALID_LENGTH`.
    pub(crate) const INVALID_LENGTH: Self = Self(0xC001_0014_u32 as i32);
    /// `NDIS_STATUS_INVALID_DATA`.
    pub(crate) const INVALID_DATA: Self = Self(0xC001_0015_u32 as i32);
    /// `NDIS_STATUS_RESOURCE_CONFLICT`.
    pub(crate) const RESOURCE_CONFLICT: Self = Self(0xC001_001E_u32 as i32);

    /// The raw value, as C sees it.
    pub(crate) const fn raw(self) -> NdisStatusRaw {
        self.0
    }

    /// Whether this is `NDIS_STATUS_SUCCESS` (`NDIS_SUCCESS()`).
    pub(crate) const fn is_success(self) -> bool {
        self.0 == 0
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
