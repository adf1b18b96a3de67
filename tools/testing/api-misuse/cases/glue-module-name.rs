// SPDX-License-Identifier: GPL-2.0
//! Control: the Linux glue of a miniport that includes the API under a
//! name other than `ndis` (`ndis_glue!` takes the module path), with its
//! `pci::Driver`.
// expect: pass

#![no_std]
// Snippets are type-checked only, never called.
#![allow(dead_code)]

#[path = "../../../../rust/api/mod.rs"]
mod miniport_api;

use core::pin::Pin;
use kernel::{prelude::*, sync::Arc};
use miniport_api::{
    adapter::{Adapter, ResourceList},
    dma::{Direction, DmaEngine, EngineState},
    driver::{Miniport, PciDriver, Registration},
    Status,
};

struct Engine;

impl DmaEngine for Engine {
    fn start(&self, _ch: u32, _address: u64, _len: u32, _dir: Direction) -> Result<(), Status> {
        Err(Status::NOT_SUPPORTED)
    }
    fn stop(&self, _ch: u32) -> EngineState {
        EngineState::Idle
    }
    fn is_busy(&self, _ch: u32) -> bool {
        false
    }
    fn residue(&self, _ch: u32) -> u32 {
        0
    }
}

struct Sample;

ndis_glue!(crate::miniport_api, Sample, ids: [(0x1234, 0x11e8), (0x1234, 0x11e9)], dma_address_bits: 32);

impl Miniport for Sample {
    const NAME: &'static CStr = c"sample";
    type Engine<'a> = Engine;
    type Context<'a> = ();

    fn start_adapter<'a>(
        _adapter: &'a Adapter,
        _resources: &ResourceList<'_>,
    ) -> Result<Arc<Engine>, Status> {
        Arc::new(Engine, GFP_KERNEL).map_err(|_| Status::RESOURCES)
    }

    fn initialize<'a>(
        _adapter: &'a Adapter,
        _engine: &Arc<Engine>,
    ) -> Result<Pin<KBox<()>>, Status> {
        KBox::pin((), GFP_KERNEL).map_err(|_| Status::RESOURCES)
    }
}

/// What the module holds; the PCI driver is the API's `kernel::pci::Driver`.
fn register(module: &'static kernel::ThisModule) -> Result<Registration<Sample>> {
    fn is_pci_driver<T: kernel::pci::Driver>() {}
    is_pci_driver::<PciDriver<Sample>>();
    Registration::new(module)
}
