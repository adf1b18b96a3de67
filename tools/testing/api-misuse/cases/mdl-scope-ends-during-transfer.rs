// SPDX-License-Identifier: GPL-2.0
//! Must not compile: an MDL going out of scope (freed) while its transfer is still set up.
// expect: E0597

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
    let transfer;
    {
        let mdl = Mdl::new(adapter, KVec::<u8>::new())?;
        transfer = channel.setup(&mdl, 0, 64, Direction::FromDevice)?;
    }
    transfer.complete()
}
