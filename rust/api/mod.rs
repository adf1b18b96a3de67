// SPDX-License-Identifier: GPL-2.0

//! Safe Rust API for NDIS miniports built against ndis-shim.
//!
//! Kbuild cannot link a Rust library crate across out-of-tree modules, so
//! this API is *source*: a Rust miniport includes it with
//!
//! ```ignore
//! #[path = "../../rust/api/mod.rs"]
//! mod ndis;
//! ```
//!
//! (under any module name: [`ndis_glue!`](crate::ndis_glue) takes it as an
//! argument)
//! and reaches the shim only through the C symbols it exports (declared in
//! [`ffi`], generated from `include/ndis.h` like the shim's own view of the
//! ABI, resolved through the shim's `Module.symvers`), exactly like a C
//! miniport. Both doors thus exercise one implementation.
//!
//! What misuse the types rule out:
//!
//! - [`dma::DmaChannel::setup`] borrows the channel mutably and returns a
//!   [`dma::Transfer`] that [`dma::Transfer::complete`] consumes: Complete
//!   without Setup, Complete twice, Complete with other arguments than
//!   Setup's, and Setup while the channel is busy cannot be written.
//! - Handles ([`dma::DmaChannel`], [`io::IoSpace`], [`interrupt::Interrupt`],
//!   [`mdl::Mdl`]) borrow the [`adapter::Adapter`] they were made from and
//!   release themselves on `Drop`, so none outlives its adapter or leaks its
//!   NDIS object on an error path.
//! - An [`mdl::Mdl`] owns the memory it describes; a transfer borrows the
//!   MDL, so the memory cannot be freed or written by the CPU while the
//!   device may access it (and an MDL whose transfer was leaked with
//!   `mem::forget` leaks its memory rather than freeing it under the device).
//! - [`dma::Direction`] and [`dma::DmaAddresses`] are enums, not `BOOLEAN`s.
//! - [`shared::SharedMemory`] frees itself on drop with the allocation's own
//!   parameters: a mismatched or double `NdisMFreeSharedMemory` cannot be
//!   written, and the CPU reaches the memory only by copying.
//! - A [`sg::NetBuffer`] owns the MDLs of its chain; an [`sg::SgList`]
//!   borrows the NET_BUFFER mutably and frees itself on `Drop`, so the data
//!   cannot be touched by the CPU while mapped and no list is freed twice.
//!
//! The Linux glue (the counterpart of the C `NDIS_LINUX_PCI_MINIPORT` macro)
//! is [`driver::Registration`] plus the [`ndis_glue!`](crate::ndis_glue) macro; the
//! PCI driver behind it is a `kernel::pci::Driver` ([`driver::PciDriver`]).
//!
//! A miniport uses a subset of the API: what a given miniport leaves
//! unused is marked where it is defined (`#[allow(dead_code, reason = ..)]`),
//! item by item.

pub(crate) mod adapter;
pub(crate) mod dma;
pub(crate) mod driver;
pub(crate) mod ffi;
pub(crate) mod interrupt;
pub(crate) mod io;
pub(crate) mod mdl;
pub(crate) mod sg;
pub(crate) mod shared;
pub(crate) mod status;

pub(crate) use status::Status;
