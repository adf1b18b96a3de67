// SPDX-License-Identifier: GPL-2.0
/*
 * Export table of the ABI edge: every entry point in rust/abi/exports.h,
 * defined in Rust (rust/exports.rs), exported to miniport modules. That
 * each Rust definition has its prototype's type is checked on the Rust
 * side (rust/abi/prototypes.rs), not here: this file sees only the names.
 */
#include <linux/export.h>
#include <ndis.h>
#include <ndis_linux.h>

#include "abi/exports.h"

#define NDIS_SHIM_EXPORT(name) EXPORT_SYMBOL_GPL(name);
NDIS_SHIM_EXPORTS(NDIS_SHIM_EXPORT)
