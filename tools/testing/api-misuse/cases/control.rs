// SPDX-License-Identifier: GPL-2.0
//! Control: correct use of the API type-checks.
// expect: pass

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

pub(crate) fn roundtrip(adapter: &Adapter) -> Result<bool, Status> {
    let mut channel =
        DmaChannel::register(adapter, 0, DmaAddresses::Bits32, DmaWidth::Bits32, 4096)?;
    let mut src = Mdl::new(adapter, KVec::<u8>::new())?;
    let dst = Mdl::new(adapter, KVec::<u8>::new())?;
    src.as_mut_slice().fill(0x5a);
    let transfer = channel.setup(&src, 0, 64, Direction::ToDevice)?;
    let _ = transfer.read_counter();
    transfer.complete()?;
    // The channel is free again once the transfer is completed...
    let transfer = channel.setup(&dst, 0, 64, Direction::FromDevice)?;
    transfer.complete()?;
    // ...and the MDLs are the CPU's again.
    src.as_mut_slice()[0] = 0;
    let same = src.as_slice()[1..64] == dst.as_slice()[1..64];
    // Dropping a transfer completes it.
    drop(channel.setup(&src, 0, 64, Direction::ToDevice)?);
    drop(src);
    drop(channel);
    Ok(same)
}
