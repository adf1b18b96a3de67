// SPDX-License-Identifier: GPL-2.0

//! `/sys/kernel/debug/ndis_shim/`: what tests read.
//!
//! - `rejected_calls`: calls that return nothing and were rejected (bad or
//!   stale handle, bad arguments), over all adapters;
//! - `adapters`: one line per adapter: PCI name, driver, rejected calls,
//!   transfers mapped in place and transfers bounced.

use core::fmt;
use kernel::{debugfs, prelude::*};

use crate::adapter;

/// The shim's debugfs directory and files; removed on drop.
pub(crate) struct ShimDebugfs {
    _rejected_calls: Pin<KBox<debugfs::File<()>>>,
    _adapters: Pin<KBox<debugfs::File<()>>>,
    _dir: debugfs::Dir,
}

fn write_rejected(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    writeln!(f, "{}", adapter::rejected_calls_total())
}

fn write_adapters(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for (handle, a) in adapter::list() {
        let (mapped, bounced) = a.transfers();
        writeln!(
            f,
            "{} driver={} handle={:#x} rejected_calls={} mapped={} bounced={}",
            a.device().name().to_str().unwrap_or("?"),
            a.driver.name(),
            handle.into_raw(),
            a.rejected_calls(),
            mapped,
            bounced
        )?;
    }
    Ok(())
}

impl ShimDebugfs {
    pub(crate) fn new() -> Result<Self> {
        let dir = debugfs::Dir::new(c"ndis_shim");
        Ok(Self {
            _rejected_calls: KBox::pin_init(
                dir.read_callback_file(c"rejected_calls", (), &write_rejected),
                GFP_KERNEL,
            )?,
            _adapters: KBox::pin_init(
                dir.read_callback_file(c"adapters", (), &write_adapters),
                GFP_KERNEL,
            )?,
            _dir: dir,
        })
    }
}
