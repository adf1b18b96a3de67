// SPDX-License-Identifier: GPL-2.0
//! Must not compile: a scatter-gather list freed twice.
// expect: E0382

#![no_std]
// Snippets are type-checked only, never called.
#![allow(dead_code)]

#[path = "../../../../rust/api/mod.rs"]
mod ndis;

use kernel::prelude::*;
use ndis::{
    adapter::Adapter,
    dma::Direction,
    mdl::Mdl,
    sg::{NetBuffer, SgAddresses, SgDma},
    Status,
};

fn misuse(adapter: &Adapter) -> Result<(), Status> {
    let sg = SgDma::register(adapter, SgAddresses::Bits32, 4096)?;
    let mdls: KVec<Mdl<'_, KVec<u8>>> = KVec::new();
    let mut nb = NetBuffer::new(mdls, 0, 64)?;
    let list = sg.allocate(&mut nb, Direction::ToDevice)?;
    drop(list);
    drop(list);
    Ok(())
}
