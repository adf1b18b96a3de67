// SPDX-License-Identifier: GPL-2.0
//! Must not compile: a DMA channel escaping the adapter borrow it was made from (kept beyond MiniportHaltEx).
// expect: E0521

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

/// Somewhere that outlives every adapter (a global, another thread, ...).
fn keep_forever(channel: DmaChannel<'static>) {
    core::mem::forget(channel);
}

fn misuse(adapter: &Adapter) -> Result<(), Status> {
    keep_forever(channel(adapter)?);
    Ok(())
}
