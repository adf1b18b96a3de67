// SPDX-License-Identifier: GPL-2.0
//! Must not compile: passing a BOOLEAN (WriteToDevice) where a Direction is expected.
// expect: E0308

#![no_std]
// Snippets are type-checked only, never called.
#![allow(dead_code)]

#[path = "../../../../rust/api/mod.rs"]
mod ndis;

use kernel::prelude::*;
use ndis::{
    adapter::Adapter,
    dma::{DmaAddresses, DmaChannel, DmaWidth},
    mdl::Mdl,
    Status,
};

fn channel(adapter: &Adapter) -> Result<DmaChannel<'_>, Status> {
    DmaChannel::register(adapter, 0, DmaAddresses::Bits32, DmaWidth::Bits32, 4096)
}

fn misuse(adapter: &Adapter) -> Result<(), Status> {
    let mut channel = channel(adapter)?;
    let mdl = Mdl::new(adapter, KVec::<u8>::new())?;
    channel.setup(&mdl, 0, 64, true)?.complete()
}
