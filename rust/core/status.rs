//! `NDIS_STATUS` values and the crate's error type.
//!
//! [`Error`] is what the core returns; [`NdisStatus`] is what crosses the C
//! boundary. The `From<Error> for NdisStatus` impl below is the one place an
//! error becomes an `NDIS_STATUS`, so every entry point reports the same value
//! for the same failure.

use crate::abi;

/// A 32-bit `NDIS_STATUS` as seen by C code (`int` in `ndis.h`).
///
/// The values are `ndis.h`'s, through the generated [`crate::abi`].
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NdisStatus(pub i32);

// bindgen types a status macro by its value: `u32` for SUCCESS and PENDING,
// `i32` for the failures; `as i32` reads every one as C's `int`.
#[allow(clippy::unnecessary_cast)]
impl NdisStatus {
    /// `NDIS_STATUS_SUCCESS`.
    pub const SUCCESS: Self = Self(abi::NDIS_STATUS_SUCCESS as i32);
    /// `NDIS_STATUS_PENDING`.
    pub const PENDING: Self = Self(abi::NDIS_STATUS_PENDING as i32);
    /// `NDIS_STATUS_FAILURE`.
    pub const FAILURE: Self = Self(abi::NDIS_STATUS_FAILURE as i32);
    /// `NDIS_STATUS_INVALID_PARAMETER`.
    pub const INVALID_PARAMETER: Self = Self(abi::NDIS_STATUS_INVALID_PARAMETER as i32);
    /// `NDIS_STATUS_RESOURCES`.
    pub const RESOURCES: Self = Self(abi::NDIS_STATUS_RESOURCES as i32);
    /// `NDIS_STATUS_NOT_SUPPORTED`.
    pub const NOT_SUPPORTED: Self = Self(abi::NDIS_STATUS_NOT_SUPPORTED as i32);
    /// `NDIS_STATUS_BAD_VERSION`.
    pub const BAD_VERSION: Self = Self(abi::NDIS_STATUS_BAD_VERSION as i32);
    /// `NDIS_STATUS_BAD_CHARACTERISTICS`.
    pub const BAD_CHARACTERISTICS: Self = Self(abi::NDIS_STATUS_BAD_CHARACTERISTICS as i32);
    /// `NDIS_STATUS_ADAPTER_NOT_FOUND`.
    pub const ADAPTER_NOT_FOUND: Self = Self(abi::NDIS_STATUS_ADAPTER_NOT_FOUND as i32);
    /// `NDIS_STATUS_INVALID_LENGTH`.
    pub const INVALID_LENGTH: Self = Self(abi::NDIS_STATUS_INVALID_LENGTH as i32);
    /// `NDIS_STATUS_BUFFER_TOO_SHORT`.
    pub const BUFFER_TOO_SHORT: Self = Self(abi::NDIS_STATUS_BUFFER_TOO_SHORT as i32);
    /// `NDIS_STATUS_UNSUPPORTED_MEDIA`.
    pub const UNSUPPORTED_MEDIA: Self = Self(abi::NDIS_STATUS_UNSUPPORTED_MEDIA as i32);
    /// `NDIS_STATUS_RESOURCE_CONFLICT`.
    pub const RESOURCE_CONFLICT: Self = Self(abi::NDIS_STATUS_RESOURCE_CONFLICT as i32);

    /// Whether this is `NDIS_STATUS_SUCCESS`.
    pub const fn is_success(self) -> bool {
        self.0 == Self::SUCCESS.0
    }
}

/// Why a core operation failed.
///
/// Each variant maps to exactly one [`NdisStatus`] (see the `From` impl).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error {
    /// A caller-supplied value is out of range or inconsistent
    /// (`NDIS_STATUS_INVALID_PARAMETER`).
    InvalidParameter,
    /// A length is zero or exceeds a limit (`NDIS_STATUS_INVALID_LENGTH`).
    InvalidLength,
    /// Out of resources, or the resource is in use (`NDIS_STATUS_RESOURCES`).
    Resources,
    /// Unspecified failure (`NDIS_STATUS_FAILURE`).
    Failure,
    /// Not implemented by the shim (`NDIS_STATUS_NOT_SUPPORTED`).
    NotSupported,
    /// Unsupported NDIS version (`NDIS_STATUS_BAD_VERSION`).
    BadVersion,
    /// Malformed characteristics structure (`NDIS_STATUS_BAD_CHARACTERISTICS`).
    BadCharacteristics,
    /// A caller's buffer is too small (`NDIS_STATUS_BUFFER_TOO_SHORT`).
    BufferTooShort,
    /// No such adapter (`NDIS_STATUS_ADAPTER_NOT_FOUND`).
    AdapterNotFound,
    /// A resource is not the caller's to use (`NDIS_STATUS_RESOURCE_CONFLICT`).
    ResourceConflict,
}

impl From<Error> for NdisStatus {
    fn from(e: Error) -> Self {
        match e {
            Error::InvalidParameter => Self::INVALID_PARAMETER,
            Error::InvalidLength => Self::INVALID_LENGTH,
            Error::Resources => Self::RESOURCES,
            Error::Failure => Self::FAILURE,
            Error::NotSupported => Self::NOT_SUPPORTED,
            Error::BadVersion => Self::BAD_VERSION,
            Error::BadCharacteristics => Self::BAD_CHARACTERISTICS,
            Error::BufferTooShort => Self::BUFFER_TOO_SHORT,
            Error::AdapterNotFound => Self::ADAPTER_NOT_FOUND,
            Error::ResourceConflict => Self::RESOURCE_CONFLICT,
        }
    }
}

/// Result type of the core; the error defaults to [`Error`] and the value to `()`.
pub type Result<T = ()> = core::result::Result<T, Error>;

/// Converts a unit result into the `NDIS_STATUS` returned to C.
pub fn to_status(r: Result) -> NdisStatus {
    match r {
        Ok(()) => NdisStatus::SUCCESS,
        Err(e) => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The values Microsoft documents for each status (ntstatus.h / ndis.h).
    const ALL: [(Error, u32); 10] = [
        (Error::InvalidParameter, 0xC000_000D),
        (Error::InvalidLength, 0xC001_0014),
        (Error::Resources, 0xC000_009A),
        (Error::Failure, 0xC000_0001),
        (Error::NotSupported, 0xC000_00BB),
        (Error::BadVersion, 0xC001_0004),
        (Error::BadCharacteristics, 0xC001_0005),
        (Error::BufferTooShort, 0xC001_0016),
        (Error::ResourceConflict, 0xC001_001E),
        (Error::AdapterNotFound, 0xC001_0006),
    ];

    #[test]
    fn every_error_maps_to_documented_value() {
        for (e, v) in ALL {
            assert_eq!(NdisStatus::from(e).0 as u32, v, "{e:?}");
            assert_eq!(to_status(Err(e)), NdisStatus::from(e));
            assert!(!NdisStatus::from(e).is_success());
        }
    }

    #[test]
    fn mapping_is_injective() {
        for (i, (a, _)) in ALL.iter().enumerate() {
            for (b, _) in &ALL[i + 1..] {
                assert_ne!(NdisStatus::from(*a), NdisStatus::from(*b));
            }
        }
    }

    #[test]
    fn success_and_other_constants() {
        assert_eq!(to_status(Ok(())), NdisStatus::SUCCESS);
        assert!(NdisStatus::SUCCESS.is_success());
        assert_eq!(NdisStatus::PENDING.0, 0x103);
        assert_eq!(NdisStatus::RESOURCE_CONFLICT.0 as u32, 0xC001_001E);
        assert_eq!(core::mem::size_of::<NdisStatus>(), 4);
    }
}
