// SPDX-License-Identifier: GPL-2.0
//! Must not compile: a DMA channel outliving the adapter it was registered on.
// expect: E0597

#![no_std]
// Snippets are type-checked only, never called.
#![allow(dead_code)]

#[path = "../../../../rust/api/mod.rs"]
mod ndis;

use kernel::prelude::*;
use ndis::{
    adapter::Adapter,
    dma::{DmaAddresses, DmaChannel, DmaWidth},
    Status,
};

fn channel(adapter: &Adapter) -> Result<DmaChannel<'_>, Status> {
    DmaChannel::register(adapter, 0, DmaAddresses::Bits32, DmaWidth::Bits32, 4096)
}

fn misuse() -> Result<(), Status> {
    let channel;
    {
        // SAFETY: never run (type-checked only); a stand-in for the adapter
        // the API hands out, to end its lifetime here.
        let adapter: Adapter = unsafe { core::mem::zeroed() };
        channel = self::channel(&adapter)?;
    }
    drop(channel);
    Ok(())
}
