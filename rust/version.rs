// SPDX-License-Identifier: GPL-2.0

//! Versions: the shim's own and the NDIS version it implements.

/// The shim's release, from `Cargo`-free single source: bump on release.
pub(crate) const SHIM_VERSION: &str = "0.1.0";

/// NDIS major version of the entry points the shim provides.
pub(crate) const NDIS_MAJOR: u32 = 6;

/// NDIS minor version (6.30: Windows 8's NDIS, the newest the header models).
pub(crate) const NDIS_MINOR: u32 = 30;

/// `NdisGetVersion`'s encoding: major in the high word, minor in the low.
pub(crate) const fn ndis_version() -> u32 {
    (NDIS_MAJOR << 16) | NDIS_MINOR
}

#[kernel::macros::kunit_tests(ndis_shim_version)]
mod tests {
    use super::*;

    #[test]
    fn version_encoding() {
        assert_eq!(ndis_version(), 0x0006_001e);
    }
}
