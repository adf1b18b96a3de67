// SPDX-License-Identifier: GPL-2.0
//! Must not compile: CPU writes to a NET_BUFFER's memory while its
//! scatter-gather list is out.
// expect: E0499

#![no_std]
// Snippets are type-checked only, never called.
#![allow(dead_code)]

#[path = "../../../../rust/api/mod.rs"]
mod ndis;

use ndis::{
    dma::Direction,
    sg::{NetBuffer, SgDma},
    Status,
};

fn misuse<'a>(
    sg: &SgDma<'a>,
    nb: &mut NetBuffer<'a, kernel::prelude::KVec<u8>>,
) -> Result<(), Status> {
    let list = sg.allocate(nb, Direction::FromDevice)?;
    nb.mdls_mut()[0].as_mut_slice()[0] = 1;
    drop(list);
    Ok(())
}
