// SPDX-License-Identifier: GPL-2.0

//! `/sys/kernel/debug/ndis_shim/`: what tests read.
//!
//! - `rejected_calls`: calls that return nothing and were rejected (bad or
//!   stale handle, bad arguments), over all adapters;
//! - `adapters`: one line per adapter: PCI name, driver, rejected calls,
//!   transfers mapped in place and transfers bounced (system-DMA transfers
//!   and SG lists), whether it has a scatter-gather DMA registration, live
//!   shared-memory blocks, frees waiting for process context and frees done
//!   there, whether the shim fenced its bus mastering, configurations open
//!   (`NdisOpenConfigurationEx`), `NdisWriteErrorLogEntry` entries, live
//!   I/O work items, resets (`MiniportResetEx` calls);
//! - `fenced`: channels whose engine never went idle, released behind a
//!   bus-master fence / leaked because the fence did not hold;
//! - `fail_maps` (read/write): fault injection, the number of streaming
//!   mappings still to fail ([`crate::dma::FAIL_MAPS`]).

use core::fmt;
use kernel::{
    debugfs::{self, Reader},
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
    uaccess::UserSliceReader,
};

use crate::{adapter, dma::FAIL_MAPS, reject};

/// The shim's debugfs directory and files; removed on drop.
pub(crate) struct ShimDebugfs {
    _rejected_calls: Pin<KBox<debugfs::File<()>>>,
    _adapters: Pin<KBox<debugfs::File<()>>>,
    _fail_maps: Pin<KBox<debugfs::File<()>>>,
    _fenced: Pin<KBox<debugfs::File<()>>>,
    _dir: debugfs::Dir,
}

fn write_rejected(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    writeln!(f, "{}", reject::rejected_calls_total())
}

fn write_adapters(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for (handle, a) in adapter::list() {
        let (mapped, bounced) = a.transfer_totals();
        let (shared, shared_pending, deferred) = a.shared.counts();
        writeln!(
            f,
            "{} driver={} handle={:#x} rejected_calls={} mapped={} bounced={} sg_dma={} shared_blocks={} shared_free_pending={} shared_deferred_frees={} fenced={} configurations={} error_log_entries={} io_work_items={} resets={}",
            a.device().name().to_str().unwrap_or("?"),
            a.driver.name(),
            handle.into_raw(),
            a.rejected_calls(),
            mapped,
            bounced,
            u8::from(a.sg_dma_registered()),
            shared,
            shared_pending,
            deferred,
            u32::from(a.is_fenced()),
            a.open_configurations(),
            a.error_log_entries(),
            a.io_work_items.count(),
            a.nic.resets.load(Relaxed)
        )?;
    }
    Ok(())
}

fn read_fail_maps(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    writeln!(f, "{}", FAIL_MAPS.load(Relaxed))
}

fn write_fail_maps(_: &(), reader: &mut UserSliceReader) -> Result {
    let value = Atomic::new(0u32);
    value.read_from_slice(reader)?;
    FAIL_MAPS.store(value.load(Relaxed), Relaxed);
    Ok(())
}

fn write_fenced(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let (released, leaked) = crate::fence::counts();
    writeln!(f, "released={} leaked={}", released, leaked)
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
            _fail_maps: KBox::pin_init(
                dir.read_write_callback_file(c"fail_maps", (), &read_fail_maps, &write_fail_maps),
                GFP_KERNEL,
            )?,
            _fenced: KBox::pin_init(
                dir.read_callback_file(c"fenced", (), &write_fenced),
                GFP_KERNEL,
            )?,
            _dir: dir,
        })
    }
}
