// SPDX-License-Identifier: GPL-2.0

//! A Rust NDIS miniport for QEMU's `edu` device (PCI 1234:11e8).
//!
//! The NDIS side uses only the safe API in `rust/api`: it maps BAR0, checks
//! the ID, registers the interrupt, a system-DMA channel and
//! scatter-gather DMA, and moves data through edu's 4 KiB buffer with
//! Setup/Complete and the DMA-complete interrupt; as a bus master it also
//! programs the engine itself with the device address of shared memory or
//! of a scatter-gather element. The Linux side is the edu engine as the
//! shim's DMA controller ([`EduEngine`]), the PCI IDs and DMA reach
//! ([`ndis_glue!`]) and the module.
//!
//! The debugfs test interface the selftests drive
//! (`/sys/kernel/debug/edu_dma/<pci-name>/{cmd,result}`) is test support,
//! not port: `tools/testing/edu-rust-test/test_cmd.rs`, included below.

use core::pin::Pin;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use kernel::{
    new_mutex,
    prelude::*,
    sync::{Arc, Mutex},
};

#[path = "../../rust/api/mod.rs"]
mod ndis;

#[path = "../../tools/testing/edu-rust-test/test_cmd.rs"]
mod test_cmd;

use ndis::{
    adapter::{Adapter, ResourceList},
    dma::{Direction, DmaAddresses, DmaChannel, DmaEngine, DmaWidth, EngineState},
    driver::{Miniport, Registration},
    interrupt::{Interrupt, InterruptHandler, IsrResult},
    io::IoSpace,
    mdl::{DmaBuffer, Mdl},
    sg::{NetBuffer, SgAddresses, SgDma},
    Status,
};

module! {
    type: EduModule,
    name: "edu_dma",
    authors: ["ndis-shim developers"],
    description: "Rust NDIS miniport for QEMU edu on ndis-shim",
    license: "GPL",
}

const REG_ID: usize = 0x00;
const REG_INTR_STATUS: usize = 0x24;
const REG_INTR_ACK: usize = 0x64;
const REG_DMA_SRC: usize = 0x80;
const REG_DMA_DST: usize = 0x88;
const REG_DMA_CNT: usize = 0x90;
const REG_DMA_CMD: usize = 0x98;
const ID_VALUE: u32 = 0x0100_00ED;
const CMD_RUN: u32 = 0x1;
const CMD_FROM_DEVICE: u32 = 0x2;
const CMD_IRQ: u32 = 0x4;
const INTR_DMA: u32 = 0x100;
const BUFFER_DEVICE_ADDRESS: u64 = 0x40000;
const BUFFER_SIZE: u32 = 4096;
/// The engine takes ~100 ms of virtual time; generous under TCG.
const TRANSFER_TIMEOUT_MS: u32 = 5000;

/// edu's DMA engine and interrupt: the Linux glue's controller.
struct EduEngine<'a> {
    adapter: &'a Adapter,
    regs: IoSpace<'a>,
    /// Offset in edu's buffer of the next transfer (set before Setup).
    device_offset: AtomicU32,
    /// Bus mastering cleared to fence a busy engine.
    fenced: AtomicBool,
    /// Set by the DPC when a DMA-complete interrupt arrived.
    done: AtomicBool,
    dma_interrupts: AtomicU32,
}

impl EduEngine<'_> {
    fn busy(&self) -> bool {
        self.regs.read32(REG_DMA_CMD) & CMD_RUN != 0
    }

    /// Waits (sleeping) until the engine is idle; false on a timeout.
    fn wait_idle(&self) -> bool {
        for _ in 0..TRANSFER_TIMEOUT_MS {
            if !self.busy() {
                return true;
            }
            kernel::time::delay::fsleep(kernel::time::Delta::from_millis(1));
        }
        false
    }

    /// One scatter-gather element through the engine, polled (no
    /// interrupt): as a bus master's driver programs a descriptor.
    fn move_element(
        &self,
        address: u64,
        len: u32,
        dev_off: u32,
        dir: Direction,
    ) -> Result<(), Status> {
        if len == 0 || dev_off.checked_add(len).is_none_or(|end| end > BUFFER_SIZE) {
            return Err(Status::INVALID_LENGTH);
        }
        let address = u32::try_from(address).map_err(|_| Status::RESOURCES)?;
        if !self.wait_idle() {
            return Err(Status::REQUEST_ABORTED);
        }
        if self.fenced.swap(false, Ordering::AcqRel) {
            self.adapter.set_bus_master(true);
        }
        let device = (BUFFER_DEVICE_ADDRESS + u64::from(dev_off)) as u32;
        let (src, dst, cmd) = match dir {
            Direction::ToDevice => (address, device, CMD_RUN),
            Direction::FromDevice => (device, address, CMD_RUN | CMD_FROM_DEVICE),
        };
        self.regs.write32(REG_DMA_SRC, src);
        self.regs.write32(REG_DMA_DST, dst);
        self.regs.write32(REG_DMA_CNT, len);
        self.regs.write32(REG_DMA_CMD, cmd);
        if self.wait_idle() {
            Ok(())
        } else {
            Err(Status::REQUEST_ABORTED)
        }
    }

    /// Starts a copy of `len` bytes between `address` and edu's buffer at
    /// `off`, raising the DMA interrupt at the end if `irq`.
    fn program(
        &self,
        address: u64,
        off: u32,
        len: u32,
        dir: Direction,
        irq: bool,
    ) -> Result<(), Status> {
        // Never let the engine leave edu's 4 KiB window.
        if len == 0 || off.checked_add(len).is_none_or(|end| end > BUFFER_SIZE) {
            return Err(Status::INVALID_LENGTH);
        }
        let address = u32::try_from(address).map_err(|_| Status::RESOURCES)?;
        if self.busy() {
            return Err(Status::RESOURCES);
        }
        if self.fenced.swap(false, Ordering::AcqRel) {
            self.adapter.set_bus_master(true);
        }
        self.done.store(false, Ordering::Release);
        let device = (BUFFER_DEVICE_ADDRESS + u64::from(off)) as u32;
        let irq = if irq { CMD_IRQ } else { 0 };
        let (src, dst, cmd) = match dir {
            Direction::ToDevice => (address, device, CMD_RUN | irq),
            Direction::FromDevice => (device, address, CMD_RUN | CMD_FROM_DEVICE | irq),
        };
        // 4-byte writes zero-extend the 64-bit registers.
        self.regs.write32(REG_DMA_SRC, src);
        self.regs.write32(REG_DMA_DST, dst);
        self.regs.write32(REG_DMA_CNT, len);
        self.regs.write32(REG_DMA_CMD, cmd);
        Ok(())
    }
}

impl DmaEngine for EduEngine<'_> {
    fn start(&self, _ch: u32, address: u64, len: u32, dir: Direction) -> Result<(), Status> {
        let off = self.device_offset.load(Ordering::Acquire);
        self.program(address, off, len, dir, true)
    }

    fn stop(&self, _ch: u32) -> EngineState {
        if !self.busy() {
            return EngineState::Idle;
        }
        // edu cannot be told to stop: cut it off the bus until it is idle.
        self.adapter.set_bus_master(false);
        self.fenced.store(true, Ordering::Release);
        EngineState::Busy
    }

    fn is_busy(&self, _ch: u32) -> bool {
        self.busy()
    }

    fn residue(&self, _ch: u32) -> u32 {
        if self.busy() {
            self.regs.read32(REG_DMA_CNT)
        } else {
            0
        }
    }
}

impl InterruptHandler for EduEngine<'_> {
    fn isr(&self) -> IsrResult {
        let status = self.regs.read32(REG_INTR_STATUS);
        if status == 0 || status == u32::MAX {
            return IsrResult::NotRecognized;
        }
        self.regs.write32(REG_INTR_ACK, status);
        if status & INTR_DMA != 0 {
            IsrResult::QueueDpc
        } else {
            IsrResult::Handled
        }
    }

    fn dpc(&self) {
        self.dma_interrupts.fetch_add(1, Ordering::Relaxed);
        self.done.store(true, Ordering::Release);
    }
}

/// The adapter's handles.
struct EduAdapter<'a> {
    sg: SgDma<'a>,
    channel: Pin<KBox<Mutex<DmaChannel<'a>>>>,
    _interrupt: Interrupt<'a, EduEngine<'a>>,
    engine: Arc<EduEngine<'a>>,
    adapter: &'a Adapter,
}

/// What `initialize` returns: the test interface is dropped (and drained)
/// before the adapter's handles.
struct EduContext<'a> {
    _test: Option<test_cmd::Port>,
    _adapter: Pin<KBox<EduAdapter<'a>>>,
}

impl<'a> EduAdapter<'a> {
    fn wait_done(&self) -> bool {
        for _ in 0..TRANSFER_TIMEOUT_MS {
            if self.engine.done.load(Ordering::Acquire) {
                return true;
            }
            kernel::time::delay::fsleep(kernel::time::Delta::from_millis(1));
        }
        false
    }

    /// One system-DMA transfer through edu's buffer at `dev_off`, completed
    /// after its interrupt.
    fn transfer<B: DmaBuffer + Sync>(
        &self,
        mdl: &Mdl<'_, B>,
        mdl_off: u32,
        dev_off: u32,
        len: u32,
        dir: Direction,
    ) -> Result<(), Status> {
        let mut channel = self.channel.lock();
        self.engine.device_offset.store(dev_off, Ordering::Release);
        let transfer = channel.setup(mdl, mdl_off, len, dir)?;
        let done = self.wait_done();
        transfer.complete()?;
        if done {
            Ok(())
        } else {
            Err(Status::FAILURE)
        }
    }

    /// Bus-master DMA: the miniport programs the engine with a device
    /// address itself, outside the system-DMA channel (whose lock keeps
    /// channel transfers off the engine meanwhile), and polls it.
    fn bus_master_copy(
        &self,
        address: u64,
        off: u32,
        len: u32,
        dir: Direction,
    ) -> Result<(), Status> {
        let _channel = self.channel.lock();
        self.engine.program(address, off, len, dir, false)?;
        for _ in 0..TRANSFER_TIMEOUT_MS {
            if !self.engine.busy() {
                return Ok(());
            }
            kernel::time::delay::fsleep(kernel::time::Delta::from_millis(1));
        }
        Err(Status::REQUEST_ABORTED)
    }

    /// Moves `nb` to (or from) edu's buffer element by element, at
    /// consecutive offsets; returns (elements, list in the shim's memory).
    fn sg_transfer<B: DmaBuffer>(
        &self,
        nb: &mut NetBuffer<'a, B>,
        dir: Direction,
    ) -> Result<(usize, bool), Status> {
        // The engine is shared with the system-DMA channel.
        let _channel = self.channel.lock();
        let list = self.sg.allocate(nb, dir)?;
        let mut dev_off = 0;
        let mut n = 0;
        let mut result = Ok(());
        // The list starts at CurrentMdl; the data CurrentMdlOffset into it.
        for e in list.data_elements() {
            result = self.engine.move_element(e.address, e.length, dev_off, dir);
            if result.is_err() {
                break;
            }
            dev_off += e.length;
            n += 1;
        }
        let own = list.in_own_memory();
        if result == Err(Status::REQUEST_ABORTED) {
            // The engine may still reach the memory: keep it mapped (and
            // so allocated) rather than free it under the device.
            core::mem::forget(list);
        }
        result.map(|()| (n, own))
    }
}

struct EduMiniport;

ndis_glue!(ndis, EduMiniport, ids: [(0x1234, 0x11e8)], dma_address_bits: 28);

impl Miniport for EduMiniport {
    const NAME: &'static CStr = c"edu_dma";
    // The engine is programmed with the device addresses of shared memory
    // and of SG list elements too.
    const BUS_MASTER: bool = true;
    type Engine<'a> = EduEngine<'a>;
    type Context<'a> = EduContext<'a>;

    fn start_adapter<'a>(
        adapter: &'a Adapter,
        resources: &ResourceList<'_>,
    ) -> Result<Arc<EduEngine<'a>>, Status> {
        let bar0 = resources.memory().next().ok_or(Status::RESOURCE_CONFLICT)?;
        let regs = IoSpace::map(adapter, bar0.start, bar0.length)?;
        let id = regs.read32(REG_ID);
        if id != ID_VALUE {
            pr_err!("edu_dma: unexpected ID {:#010x}\n", id);
            return Err(Status::ADAPTER_NOT_FOUND);
        }
        // Nothing left over may reach our DPC.
        regs.write32(REG_INTR_ACK, u32::MAX);
        Arc::new(
            EduEngine {
                adapter,
                regs,
                device_offset: AtomicU32::new(0),
                fenced: AtomicBool::new(false),
                done: AtomicBool::new(false),
                dma_interrupts: AtomicU32::new(0),
            },
            GFP_KERNEL,
        )
        .map_err(|_| Status::RESOURCES)
    }

    fn initialize<'a>(
        adapter: &'a Adapter,
        engine: &Arc<EduEngine<'a>>,
    ) -> Result<Pin<KBox<EduContext<'a>>>, Status> {
        let interrupt = Interrupt::register(adapter, engine.clone())?;
        let channel = DmaChannel::register(
            adapter,
            0,
            DmaAddresses::Bits32,
            DmaWidth::Bits32,
            BUFFER_SIZE,
        )?;
        let channel =
            KBox::pin_init(new_mutex!(channel), GFP_KERNEL).map_err(|_| Status::RESOURCES)?;
        // A NET_BUFFER of at most edu's buffer, as one SG list.
        let sg = SgDma::register(adapter, SgAddresses::Bits32, BUFFER_SIZE)?;
        let edu = KBox::pin(
            EduAdapter {
                sg,
                channel,
                _interrupt: interrupt,
                engine: engine.clone(),
                adapter,
            },
            GFP_KERNEL,
        )
        .map_err(|_| Status::RESOURCES)?;
        // SAFETY: the port is the first field of the context, so it is
        // dropped (its commands drained) before the adapter it refers to.
        let test = unsafe { test_cmd::Port::new(&edu)? };
        KBox::pin(
            EduContext {
                _test: test,
                _adapter: edu,
            },
            GFP_KERNEL,
        )
        .map_err(|_| Status::RESOURCES)
    }
}

struct EduModule {
    // Dropped in this order: every adapter is halted before the test
    // interface's debugfs root goes.
    _registration: Registration<EduMiniport>,
    _test: test_cmd::Root,
}

impl kernel::Module for EduModule {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let test = test_cmd::Root::new()?;
        Ok(Self {
            _registration: Registration::new(module)?,
            _test: test,
        })
    }
}
