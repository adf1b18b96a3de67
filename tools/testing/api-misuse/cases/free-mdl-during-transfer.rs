// SPDX-License-Identifier: GPL-2.0
//! Must not compile: dropping (NdisFreeMdl) the MDL, and with it its memory, during a transfer.
// expect: E0505

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
    let mdl = Mdl::new(adapter, KVec::<u8>::new())?;
    let transfer = channel.setup(&mdl, 0, 64, Direction::FromDevice)?;
    drop(mdl);
    transfer.complete()
}
