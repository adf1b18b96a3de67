// SPDX-License-Identifier: GPL-2.0

//! ndis-shim: Windows NDIS DMA entry points on the Linux DMA-mapping API.
//!
//! A miniport ported from Windows calls the NDIS names declared in
//! `include/ndis.h`. Those resolve to the `extern "C"` entry points in
//! [`exports`], the only code that handles C types: it decodes raw
//! arguments, looks handles up and turns a [`status::Error`] into an
//! `NDIS_STATUS`. The Rust view of those types is generated from the
//! header ([`abi`]). Behind the edge no function takes a pointer from a
//! miniport; `unsafe` remains where the shim calls C (the miniport's
//! handlers, kernel functions the kernel crate does not wrap) or turns a
//! registry entry back into a reference, each with its `SAFETY` argument;
//! validation and state machines are safe. The kernel-independent parts
//! live in `rust/core/` and are unit tested on the host as well.
//! Documentation: `Documentation/design.rst`.

use kernel::prelude::*;

// Kernel-independent logic, shared with the host crate in rust/core/.
#[path = "core/channel.rs"]
#[allow(dead_code, unreachable_pub)]
mod channel;
#[path = "core/characteristics.rs"]
#[allow(dead_code, unreachable_pub)]
mod characteristics;
#[path = "core/config.rs"]
#[allow(dead_code, unreachable_pub)]
mod config;
#[path = "core/handle.rs"]
#[allow(dead_code, unreachable_pub)]
mod handle;
#[path = "core/mdl.rs"]
#[allow(dead_code, unreachable_pub)]
mod mdl;
#[path = "core/nbl.rs"]
#[allow(dead_code, unreachable_pub)]
mod nbl;
#[path = "core/packet.rs"]
#[allow(dead_code, unreachable_pub)]
mod packet;
#[path = "core/physical_mapping.rs"]
#[allow(dead_code, unreachable_pub)]
mod physical_mapping;
#[path = "core/sg.rs"]
#[allow(dead_code, unreachable_pub)]
mod sg;
#[path = "core/shared.rs"]
#[allow(dead_code, unreachable_pub)]
mod shared;
#[path = "core/status.rs"]
#[allow(dead_code, unreachable_pub)]
mod status;
#[path = "core/strings.rs"]
#[allow(dead_code, unreachable_pub)]
mod strings;

mod abi;
mod adapter;
mod adapter_core;
mod attributes;
mod claim;
mod configuration;
mod debugfs;
mod dma;
mod driver;
mod exports;
mod fence;
mod interrupt;
mod io_work_item;
mod kunit;
mod live_view;
mod map_registers;
mod memory;
mod ndis5_nic;
mod ndis5_pnp;
mod ndis5_support;
mod net_buffer;
mod net_buffer_pool;
mod net_device;
mod net_stats;
mod netdev_io;
mod nic;
mod packet_pool;
mod pci_device;
mod port_io;
mod probe;
mod registry;
mod reject;
mod reset;
mod resources;
mod sg_dma;
mod sg_map;
mod shared_memory;
mod system_dma;
mod timer;
mod trace;
mod version;
mod work_sync;

module! {
    type: NdisShim,
    name: "ndis_shim",
    authors: ["ndis-shim developers"],
    description: "Windows NDIS DMA entry points on the Linux DMA API",
    license: "GPL",
}

struct NdisShim {
    _debugfs: debugfs::ShimDebugfs,
}

impl kernel::Module for NdisShim {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // The one allocation besides debugfs, first: nothing to undo if it
        // fails.
        ndis5_support::init()?;
        registry::init();
        driver::init();
        probe::init();
        net_buffer_pool::init();
        packet_pool::init();
        timer::init();
        pr_info!(
            "ndis-shim {} loaded: NDIS {}.{} DMA entry points\n",
            version::SHIM_VERSION,
            version::NDIS_MAJOR,
            version::NDIS_MINOR
        );
        let debugfs = debugfs::ShimDebugfs::new().inspect_err(|_| ndis5_support::exit())?;
        Ok(NdisShim { _debugfs: debugfs })
    }
}

impl Drop for NdisShim {
    fn drop(&mut self) {
        // Statics are never dropped: their memory is given back here.
        probe::exit();
        ndis5_support::exit();
        driver::exit();
        net_buffer_pool::exit();
        packet_pool::exit();
        timer::exit();
        pr_info!("ndis-shim unloaded\n");
    }
}
