// SPDX-License-Identifier: GPL-2.0
//! Must not compile: CPU writes to the memory of an MDL while the device may access it.
// expect: E0502

#![no_std]
// Snippets are type-checked only, never called.
#![allow(dead_code)]

#[path = "../../../../rust/api/mod.rs"]
mod ndis;

use kernel::prelude::*;
use ndis::{
    adapter::Adapter,
    dma::{Direction, DmaAddresses, DmaChannel, DmaWidth},
    mdl::Mdl,
    Status,
};

fn channel(adapter: &Adapter) -> Result<DmaChannel<'_>, Status> {
    DmaChannel::register(adapter, 0, DmaAddresses::Bits32, DmaWidth::Bits32, 4096)
}

fn misuse(adapter: &Adapter) -> Result<(), Status> {
    let mut channel = channel(adapter)?;
    let mut mdl = Mdl::new(adapter, KVec::<u8>::new())?;
    let transfer = channel.setup(&mdl, 0, 64, Direction::ToDevice)?;
    mdl.as_mut_slice()[0] = 1;
    transfer.complete()
}
