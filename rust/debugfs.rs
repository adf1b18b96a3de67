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
//!   I/O work items, OID requests of the shim's own that failed
//!   (`oid_failures`), resets (`MiniportResetEx` calls);
//! - `view/`: the live view of drivers, adapters, channels and the rest
//!   ([`crate::live_view`]);
//! - `fenced`: channels whose engine never went idle, released behind a
//!   bus-master fence / leaked because the fence did not hold;
//! - fault injection (read/write: how many still to fail; write N to arm):
//!   - `fail_maps`: streaming mappings ([`crate::dma::FAIL_MAPS`]), so
//!     `NdisMAllocateNetBufferSGList` and the other mapping calls fail;
//!   - `fail_rx_skbs`: receive skb allocations
//!     ([`crate::netdev_io::FAIL_RX_SKBS`]): the indicated frame is
//!     dropped and counted as `rx_dropped`, the NBL returned as usual;
//!   - `fail_oids`: OID requests the shim issues from `ndo_set_rx_mode`
//!     ([`crate::net_device::FAIL_OIDS`]): not issued, logged, counted in
//!     `oid_failures`; the next rx-mode change tries again.

use core::fmt;
use kernel::{
    debugfs::{self, Reader},
    prelude::*,
    sync::atomic::{Acquire, Atomic, Relaxed},
    uaccess::UserSliceReader,
};

use crate::{
    adapter, dma::FAIL_MAPS, live_view, net_device::FAIL_OIDS, netdev_io::FAIL_RX_SKBS, reject,
};

/// A fault-injection counter's file.
type ArmedFile = Pin<KBox<debugfs::File<&'static Atomic<u32>>>>;

/// The shim's debugfs directory and files; removed on drop.
pub(crate) struct ShimDebugfs {
    _rejected_calls: Pin<KBox<debugfs::File<()>>>,
    _adapters: Pin<KBox<debugfs::File<()>>>,
    _fail_maps: ArmedFile,
    _fail_rx_skbs: ArmedFile,
    _fail_oids: ArmedFile,
    _fenced: Pin<KBox<debugfs::File<()>>>,
    _view: live_view::ViewFiles,
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
            "{} driver={} handle={:#x} rejected_calls={} mapped={} bounced={} sg_dma={} shared_blocks={} shared_free_pending={} shared_deferred_frees={} fenced={} configurations={} error_log_entries={} io_work_items={} oid_failures={} resets={}",
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
            a.nic.oid_failures.load(Relaxed),
            // Pairs with the count's Release: its log line is out first.
            a.nic.resets.load(Acquire)
        )?;
    }
    Ok(())
}

fn read_armed(counter: &&'static Atomic<u32>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    writeln!(f, "{}", counter.load(Relaxed))
}

fn write_armed(counter: &&'static Atomic<u32>, reader: &mut UserSliceReader) -> Result {
    let value = Atomic::new(0u32);
    value.read_from_slice(reader)?;
    counter.store(value.load(Relaxed), Relaxed);
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
                dir.read_write_callback_file(c"fail_maps", &FAIL_MAPS, &read_armed, &write_armed),
                GFP_KERNEL,
            )?,
            _fail_rx_skbs: KBox::pin_init(
                dir.read_write_callback_file(
                    c"fail_rx_skbs",
                    &FAIL_RX_SKBS,
                    &read_armed,
                    &write_armed,
                ),
                GFP_KERNEL,
            )?,
            _fail_oids: KBox::pin_init(
                dir.read_write_callback_file(c"fail_oids", &FAIL_OIDS, &read_armed, &write_armed),
                GFP_KERNEL,
            )?,
            _fenced: KBox::pin_init(
                dir.read_callback_file(c"fenced", (), &write_fenced),
                GFP_KERNEL,
            )?,
            _view: live_view::ViewFiles::new(&dir)?,
            _dir: dir,
        })
    }
}
