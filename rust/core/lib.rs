//! Kernel-independent core of `ndis-shim`.
//!
//! Everything here is plain `core` Rust: the same files are compiled on the
//! host as this crate (for unit tests, clippy and fuzz-like sequence tests)
//! and inside the kernel module, which includes each file with
//! `#[path = "core/xyz.rs"] mod xyz;` at its crate root. Modules therefore
//! refer to each other as `crate::status::...`, which resolves the same way
//! in both builds.
//!
//! - [`status`]: `NDIS_STATUS` values and the single error-to-status mapping.
//! - [`handle`]: generational handle table for handles given to C.
//! - [`mdl`]: MDL range arithmetic (bounds, page and cache-line splits).
//! - [`channel`]: the system-DMA channel state machine.
//! - [`characteristics`]: validation of miniport characteristics.
//! - [`config`]: the `config` module parameter's entries, read as the
//!   registry is (keywords, integers, network addresses).
//! - [`physical_mapping`]: NDIS 5 map registers and physical mapping.
//! - [`shared`]: shared-memory bookkeeping (which allocation a free names).
//! - [`sg`]: NDIS 6 scatter-gather arithmetic (NET_BUFFER data, segments).
//! - [`nbl`]: NBL/NB pool layout, retreat/advance and
//!   `NdisGetDataBuffer` arithmetic.
//! - [`packet`]: NDIS 5 packet-pool layout, descriptor bitmap and
//!   `NdisCopyFromPacketToPacket` arithmetic.
//! - [`strings`]: the NDIS 5 string calls' conversions and comparison.

#![no_std]
#![forbid(unsafe_code)]
// Mirror the stricter lints the kernel build applies to Rust code, so the
// host build catches what the kernel build would warn about.
#![warn(
    missing_docs,
    rust_2018_idioms,
    clippy::cast_lossless,
    clippy::as_underscore,
    clippy::needless_bitwise_bool,
    clippy::needless_continue,
    clippy::dbg_macro
)]

#[cfg(test)]
extern crate std;

/// `ndis.h`'s constants and status values, generated (`tools/gen-abi.sh`).
#[allow(missing_docs, non_upper_case_globals, dead_code, clippy::all)]
pub mod abi {
    include!("../abi/consts.rs");
}
pub mod channel;
pub mod characteristics;
pub mod config;
pub mod handle;
pub mod mdl;
pub mod nbl;
pub mod packet;
pub mod physical_mapping;
pub mod sg;
pub mod shared;
pub mod status;
pub mod strings;
