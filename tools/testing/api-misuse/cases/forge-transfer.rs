// SPDX-License-Identifier: GPL-2.0
//! Must not compile: completing without a setup by forging a Transfer (its fields are private).
// expect: E0451

#![no_std]
// Snippets are type-checked only, never called.
#![allow(dead_code)]

#[path = "../../../../rust/api/mod.rs"]
mod ndis;

use kernel::prelude::*;
use ndis::{
    adapter::Adapter,
    dma::{Direction, DmaAddresses, DmaChannel, DmaWidth},
    Status,
};

fn channel(adapter: &Adapter) -> Result<DmaChannel<'_>, Status> {
    DmaChannel::register(adapter, 0, DmaAddresses::Bits32, DmaWidth::Bits32, 4096)
}
use ndis::dma::Transfer;

fn misuse<'c, 'a>(
    channel: &'c mut DmaChannel<'a>,
    in_flight: &'c core::sync::atomic::AtomicU32,
) -> Result<(), Status> {
    let transfer = Transfer {
        channel,
        mdl: core::ptr::null_mut(),
        in_flight,
        offset: 0,
        len: 64,
        dir: Direction::ToDevice,
    };
    transfer.complete()
}
