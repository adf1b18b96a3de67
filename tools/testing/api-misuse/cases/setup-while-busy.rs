// SPDX-License-Identifier: GPL-2.0
//! Must not compile: a second setup on a channel while a Transfer is alive.
// expect: E0499

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
    let a = Mdl::new(adapter, KVec::<u8>::new())?;
    let b = Mdl::new(adapter, KVec::<u8>::new())?;
    let first = channel.setup(&a, 0, 64, Direction::ToDevice)?;
    let second = channel.setup(&b, 0, 64, Direction::ToDevice)?;
    first.complete()?;
    second.complete()
}
