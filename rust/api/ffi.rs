// SPDX-License-Identifier: GPL-2.0

//! The C ABI of ndis-shim as a Rust miniport sees it: the structures,
//! constants, status values and exported functions of `include/ndis.h` and
//! `include/ndis_linux.h`, as `tools/gen-abi.sh` generates them (bindgen)
//! into `rust/abi/` for the shim too. Nothing here is written by hand; the
//! functions resolve through the shim's `Module.symvers`, as for a C
//! miniport. Nothing here is used outside the API.

// Generated code: C names, and every definition whether a miniport uses it
// or not (the same files as the shim's `rust/abi/mod.rs`; the type
// aliases bindgen writes as `pub use` count as imports; the kernel types
// behind `pci_dev` and `module` are only ever handled by pointer).
#![allow(
    clippy::all,
    clippy::pedantic,
    dead_code,
    missing_docs,
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    unreachable_pub,
    unused_imports,
    improper_ctypes,
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks
)]

// The kernel objects ndis_linux.h names, as the kernel crate binds them.
use kernel::bindings::{module, pci_dev};

include!("../abi/consts.rs");
include!("../abi/types.rs");
