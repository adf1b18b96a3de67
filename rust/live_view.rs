// SPDX-License-Identifier: GPL-2.0

//! `/sys/kernel/debug/ndis_shim/view/`: what the shim holds right now, like
//! Windows' `!ndiskd` (`tools/ndiskd` prints it as one tree).
//!
//! One file per kind of object, one line per object: the kind, the name of
//! what it belongs to (a driver's own name, an adapter's PCI name), then
//! `key=value` fields (Documentation/debugging.rst lists them):
//!
//! - `drivers`: each loaded miniport module, its NDIS version and the
//!   handlers it registered;
//! - `adapters`: each adapter, its state, whether it is a bus master, its
//!   DMA reach and its transfer and rejection counters;
//! - `channels`: each system-DMA channel and the transfer in flight on it;
//! - `sg`: each scatter-gather DMA registration and its lists outstanding;
//! - `shared_memory`: each adapter's shared-memory blocks;
//! - `map_registers`: NDIS 5 map registers allocated and in use;
//! - `interrupts`: each interrupt, interrupts claimed and DPCs queued;
//! - `net_devices`: the net_device bound to an adapter.
//!
//! No kernel address appears: objects are named by their handles (kind,
//! generation and slot, never a pointer), an MDL by a keyed hash of its
//! address ([`mdl_id`]); bus addresses are the device's, not the kernel's.
//!
//! Reading takes what the entry points take and nothing new on their path:
//! each object is looked up by its handle (the RCU section its teardown
//! waits for), a channel is claimed as `NdisMReadDmaCounter` claims it, and
//! the adapters' mutexes and IRQ-safe locks are held only to copy a few
//! numbers; the text is written after every lock is dropped.

use core::fmt;
use kernel::{debugfs, prelude::*, sync::Arc};

use crate::{
    adapter::{self, Adapter, ObjectHandles},
    channel::{ChannelState, Direction},
    dma,
    driver::{self, Characteristics, DriverView, ShortName},
    handle::Handle,
    interrupt, nic, registry, sg_dma, system_dma,
};

extern "C" {
    fn ndis_shim_view_id(address: usize) -> u32;
}

/// Blocks of one adapter's shared memory listed (the rest are counted).
const MAX_BLOCKS: usize = 64;

/// An MDL as the view names it: a keyed hash of its address (a random key
/// chosen once per boot), the same for the same MDL, never the address.
fn mdl_id(mdl: usize) -> u32 {
    // SAFETY: computes a hash; no requirement.
    unsafe { ndis_shim_view_id(mdl) }
}

/// A handle as the view prints it.
struct H(Handle);

impl fmt::Display for H {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0.into_raw())
    }
}

/// An adapter the view lists.
struct Listed {
    handle: Handle,
    adapter: Arc<Adapter>,
    pci: ShortName,
    driver: ShortName,
}

/// Every registered adapter, with its names copied while its handle still
/// named it (the driver's name lives in the miniport module, which may go
/// once the adapter has). PASSIVE.
fn adapters() -> KVec<Listed> {
    let mut out = KVec::new();
    for (handle, adapter) in adapter::list() {
        let names = registry::find::<Adapter>(handle).map(|a| {
            (
                ShortName::new(a.device().name().to_str().unwrap_or("?")),
                ShortName::new(a.driver.name()),
            )
        });
        let Some((pci, driver)) = names else {
            continue;
        };
        let listed = Listed {
            handle,
            adapter,
            pci,
            driver,
        };
        if out.push(listed, GFP_KERNEL).is_err() {
            break;
        }
    }
    out
}

/// Each named handler of a characteristics structure: whether it is
/// present, and its field name.
macro_rules! handlers {
    ($c:expr; $($field:ident),* $(,)?) => {
        [$(($c.$field.is_some(), stringify!($field))),*]
    };
}

/// The names of the handlers present, comma-separated (`none`).
fn write_present(f: &mut fmt::Formatter<'_>, handlers: &[(bool, &str)]) -> fmt::Result {
    let mut any = false;
    for (_, name) in handlers.iter().filter(|(present, _)| *present) {
        write!(f, "{}{}", if any { "," } else { "" }, name)?;
        any = true;
    }
    if !any {
        write!(f, "none")?;
    }
    Ok(())
}

fn write_driver(f: &mut fmt::Formatter<'_>, d: &DriverView) -> fmt::Result {
    write!(f, "driver {} handle={}", d.name, H(d.handle))?;
    match d.registration.map(|r| r.characteristics) {
        None => write!(f, " ndis=none characteristics=none")?,
        Some(Characteristics::Ndis6(c)) => {
            write!(
                f,
                " ndis={}.{} driver_version={}.{} characteristics=",
                c.MajorNdisVersion, c.MinorNdisVersion, c.MajorDriverVersion, c.MinorDriverVersion
            )?;
            write_present(
                f,
                &handlers!(c; SetOptionsHandler, InitializeHandlerEx, HaltHandlerEx,
                    UnloadHandler, PauseHandler, RestartHandler, OidRequestHandler,
                    SendNetBufferListsHandler, ReturnNetBufferListsHandler, CancelSendHandler,
                    CheckForHangHandlerEx, ResetHandlerEx, DevicePnPEventNotifyHandler,
                    ShutdownHandlerEx, CancelOidRequestHandler, DirectOidRequestHandler,
                    CancelDirectOidRequestHandler),
            )?;
        }
        Some(Characteristics::Ndis5(c)) => {
            write!(
                f,
                " ndis={}.{} characteristics=",
                c.MajorNdisVersion, c.MinorNdisVersion
            )?;
            write_present(
                f,
                &handlers!(c; CheckForHangHandler, DisableInterruptHandler,
                    EnableInterruptHandler, HaltHandler, HandleInterruptHandler,
                    InitializeHandler, ISRHandler, QueryInformationHandler, ReconfigureHandler,
                    ResetHandler, SendHandler, SetInformationHandler, TransferDataHandler,
                    ReturnPacketHandler, SendPacketsHandler, AllocateCompleteHandler,
                    CancelSendPacketsHandler, PnPEventNotifyHandler, AdapterShutdownHandler),
            )?;
        }
    }
    writeln!(f)
}

fn drivers(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let Ok(list) = driver::view() else {
        return writeln!(f, "# out of memory");
    };
    for d in list.iter() {
        write_driver(f, d)?;
    }
    Ok(())
}

fn adapters_file(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for l in adapters() {
        let a = &l.adapter;
        let (mapped, bounced) = a.transfer_totals();
        let reach = a.dma_adapter_limit();
        write!(
            f,
            "adapter {} handle={} driver={} state={} fenced={} bus_master={} dma_mask={:#x} dma_adapter_reach=",
            l.pci,
            H(l.handle),
            l.driver,
            a.stage().name(),
            u8::from(a.is_fenced()),
            u8::from(a.is_bus_master()),
            dma::dma_limit(a.device()),
        )?;
        match reach {
            Some(reach) => write!(f, "{:#x}", reach)?,
            None => write!(f, "none")?,
        }
        writeln!(
            f,
            " mapped={} bounced={} rejected={}",
            mapped,
            bounced,
            a.rejected_calls()
        )?;
    }
    Ok(())
}

fn state_name(state: ChannelState) -> &'static str {
    match state {
        ChannelState::Idle => "idle",
        ChannelState::InProgress => "in_progress",
        ChannelState::Draining => "draining",
    }
}

fn dir_name(dir: Direction) -> &'static str {
    match dir {
        Direction::ToDevice => "to_device",
        Direction::FromDevice => "from_device",
    }
}

/// Writes, with `write`, each object `pick` names on every adapter.
fn each_object(
    f: &mut fmt::Formatter<'_>,
    pick: impl Fn(&ObjectHandles) -> &[Handle],
    mut write: impl FnMut(&mut fmt::Formatter<'_>, &Listed, Handle) -> fmt::Result,
) -> fmt::Result {
    for l in adapters() {
        let Ok(handles) = l.adapter.object_handles() else {
            writeln!(f, "# {}: out of memory", l.pci)?;
            continue;
        };
        for &handle in pick(&handles) {
            write(f, &l, handle)?;
        }
    }
    Ok(())
}

fn channels(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    each_object(
        f,
        |h| &h.channels,
        |f, l, handle| {
            // Copied under the channel's claim, written after.
            let Some(c) = system_dma::view(handle) else {
                return Ok(());
            };
            write!(
                f,
                "channel {} handle={} number={} maximum_length={} state={}",
                l.pci,
                H(handle),
                c.number,
                c.maximum_length,
                state_name(c.state)
            )?;
            if let Some(t) = c.transfer {
                write!(
                    f,
                    " mdl=mdl-{:08x} offset={} length={} dir={}",
                    mdl_id(t.mdl),
                    t.offset,
                    t.length,
                    dir_name(t.dir)
                )?;
            }
            if let Some((bus_address, bounced)) = c.mapping {
                write!(
                    f,
                    " bus_address={:#x} bounced={}",
                    bus_address,
                    u8::from(bounced)
                )?;
            }
            writeln!(
                f,
                " residue={} setups={} completes={} refused={} transfers_mapped={} transfers_bounced={}",
                c.residue,
                c.counters.setups,
                c.counters.completes,
                c.counters.rejected,
                c.transfers.0,
                c.transfers.1
            )
        },
    )
}

fn sg(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    each_object(
        f,
        |h| h.sg_dma.as_slice(),
        |f, l, handle| {
            let Some(s) = sg_dma::view(handle) else {
                return Ok(());
            };
            writeln!(
            f,
            "sg {} handle={} reach={:#x} maximum_physical_mapping={} lists_outstanding={} lists_off_pool={} bounce_slots={} bounce_slots_in_use={}",
            l.pci,
            H(handle),
            s.limit,
            s.maximum_physical_mapping,
            s.outstanding,
            s.overflow,
            s.bounce_slots,
            s.bounce_in_use
        )
        },
    )
}

fn shared_memory(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for l in adapters() {
        let (live, pending_frees, _) = l.adapter.shared.counts();
        let Ok((blocks, requests)) = l.adapter.shared.blocks(MAX_BLOCKS) else {
            writeln!(f, "# {}: out of memory", l.pci)?;
            continue;
        };
        writeln!(
            f,
            "shared_memory {} blocks={} bytes={} frees_pending={} async_pending={}",
            l.pci,
            live,
            blocks.iter().map(|b| u64::from(b.len)).sum::<u64>(),
            pending_frees,
            requests
        )?;
        for b in blocks.iter() {
            writeln!(
                f,
                "block {} bus_address={:#x} length={} cached={}",
                l.pci,
                b.bus_address,
                b.len,
                u8::from(b.cached)
            )?;
        }
    }
    Ok(())
}

fn map_registers(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for l in adapters() {
        if let Some((allocated, in_use)) = l.adapter.map_registers.usage() {
            writeln!(
                f,
                "map_registers {} allocated={} in_use={}",
                l.pci, allocated, in_use
            )?;
        }
    }
    Ok(())
}

fn interrupts(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    each_object(
        f,
        |h| &h.interrupts,
        |f, l, handle| {
            let Some(i) = interrupt::view(handle) else {
                return Ok(());
            };
            writeln!(
                f,
                "interrupt {} handle={} irq={} claimed={} dpcs_queued={}",
                l.pci,
                H(handle),
                i.irq,
                i.claimed,
                i.dpcs_queued
            )
        },
    )
}

fn phase_name(phase: u32) -> &'static str {
    match phase {
        nic::PAUSED => "paused",
        nic::RESTARTING => "restarting",
        nic::RUNNING => "running",
        nic::PAUSING => "pausing",
        _ => "?",
    }
}

fn net_devices(_: &(), f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for l in adapters() {
        let Some(n) = l.adapter.nic.view() else {
            continue;
        };
        let len = n.name.iter().position(|&b| b == 0).unwrap_or(n.name.len());
        writeln!(
            f,
            "net_device {} name={} carrier={} data_path={} nbls_outstanding={}",
            l.pci,
            core::str::from_utf8(&n.name[..len]).unwrap_or("?"),
            u8::from(n.carrier),
            phase_name(n.phase),
            n.outstanding
        )?;
    }
    Ok(())
}

/// A view file.
type ViewFile = Pin<KBox<debugfs::File<()>>>;

/// The `view/` directory and its files; removed on drop.
pub(crate) struct ViewFiles {
    _files: KVec<ViewFile>,
    _dir: debugfs::Dir,
}

impl ViewFiles {
    /// `view/` under `parent`, root-only (mode 0400, as every file the
    /// kernel crate's debugfs makes read-only).
    pub(crate) fn new(parent: &debugfs::Dir) -> Result<Self> {
        let dir = parent.subdir(c"view");
        let mut files = KVec::with_capacity(8, GFP_KERNEL)?;
        // Each a function item, as `read_callback_file` requires.
        files.push(file(&dir, c"drivers", &drivers)?, GFP_KERNEL)?;
        files.push(file(&dir, c"adapters", &adapters_file)?, GFP_KERNEL)?;
        files.push(file(&dir, c"channels", &channels)?, GFP_KERNEL)?;
        files.push(file(&dir, c"sg", &sg)?, GFP_KERNEL)?;
        files.push(file(&dir, c"shared_memory", &shared_memory)?, GFP_KERNEL)?;
        files.push(file(&dir, c"map_registers", &map_registers)?, GFP_KERNEL)?;
        files.push(file(&dir, c"interrupts", &interrupts)?, GFP_KERNEL)?;
        files.push(file(&dir, c"net_devices", &net_devices)?, GFP_KERNEL)?;
        Ok(Self {
            _files: files,
            _dir: dir,
        })
    }
}

fn file<F>(dir: &debugfs::Dir, name: &CStr, contents: &'static F) -> Result<ViewFile>
where
    F: Fn(&(), &mut fmt::Formatter<'_>) -> fmt::Result + Send + Sync,
{
    KBox::pin_init(dir.read_callback_file(name, (), contents), GFP_KERNEL)
}
