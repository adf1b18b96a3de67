// SPDX-License-Identifier: GPL-2.0
//! Must not compile: passing a BOOLEAN (Dma32BitAddresses) where DmaAddresses is expected.
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
    Status,
};

fn channel(adapter: &Adapter) -> Result<DmaChannel<'_>, Status> {
    DmaChannel::register(adapter, 0, DmaAddresses::Bits32, DmaWidth::Bits32, 4096)
}

fn misuse(adapter: &Adapter) -> Result<(), Status> {
    let _channel = DmaChannel::register(adapter, 0, true, DmaWidth::Bits32, 4096)?;
    Ok(())
}
