// SPDX-License-Identifier: GPL-2.0

//! A Rust NDIS miniport for QEMU's `edu` device (PCI 1234:11e8).
//!
//! The NDIS side uses only the safe API in `rust/api`: it maps BAR0, checks
//! the ID, registers the interrupt and a system-DMA channel, and moves data
//! through edu's 4 KiB buffer with Setup/Complete and the DMA-complete
//! interrupt; as a bus master it also programs the engine itself with the
//! device address of a descriptor in shared memory. The Linux side is the
//! edu engine as the shim's DMA controller ([`EduEngine`]) and a root-only
//! debugfs test interface at `/sys/kernel/debug/edu_dma/<pci-name>/{cmd,result}`.

use core::fmt::Write;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, Ordering};
use kernel::{
    debugfs::{Dir, Scope},
    new_mutex,
    prelude::*,
    sync::{Arc, Mutex},
    uaccess::UserSliceReader,
};

#[path = "../../rust/api/mod.rs"]
mod ndis;

use ndis::{
    adapter::{Adapter, ResourceList},
    dma::{Direction, DmaAddresses, DmaChannel, DmaEngine, DmaWidth, EngineState},
    driver::{Glue, Miniport, Registration},
    interrupt::{Interrupt, InterruptHandler, IsrResult},
    io::IoSpace,
    mdl::{DmaBuffer, Mdl},
    sg::{NetBuffer, SgAddresses, SgDma},
    shared::{self, Caching, SharedMemory},
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
    _debugfs: Option<Pin<KBox<Scope<TestPort>>>>,
    _adapter: Pin<KBox<EduAdapter<'a>>>,
}

/// A transmit descriptor as a NIC reads it from shared memory: payload
/// device address (8 bytes), length, flags, sequence, byte sum (4 each).
const DESCRIPTOR_SIZE: u32 = 24;
/// Set in a descriptor's flags: the device owns it.
const DESCRIPTOR_OWNED: u32 = 0x8000_0000;

fn pattern(i: usize, seed: u32) -> u8 {
    (i as u32).wrapping_mul(7).wrapping_add(seed) as u8 ^ 0x5a
}

impl EduAdapter<'_> {
    fn wait_done(&self) -> bool {
        for _ in 0..TRANSFER_TIMEOUT_MS {
            if self.engine.done.load(Ordering::Acquire) {
                return true;
            }
            kernel::time::delay::fsleep(kernel::time::Delta::from_millis(1));
        }
        false
    }

    /// One transfer through edu's buffer at `dev_off`, completed after its
    /// interrupt.
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

    fn roundtrip<B: DmaBuffer + Sync>(
        &self,
        out: B,
        back: B,
        off: u32,
        len: u32,
        mdl_off: u32,
    ) -> Result<bool, Status> {
        let seed = off ^ len.rotate_left(8) ^ mdl_off.rotate_left(16);
        let mut src = Mdl::new(self.adapter, out)?;
        for (i, b) in src.as_mut_slice().iter_mut().enumerate() {
            *b = pattern(i, seed);
        }
        let dst = Mdl::new(self.adapter, back)?;
        self.transfer(&src, mdl_off, off, len, Direction::ToDevice)?;
        self.transfer(&dst, mdl_off, off, len, Direction::FromDevice)?;
        let range = mdl_off as usize..(mdl_off + len) as usize;
        Ok(src.as_slice()[range.clone()] == dst.as_slice()[range])
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

    /// A descriptor and `len` payload bytes written into shared memory, read
    /// by edu at the block's device address into its buffer at `off`, and
    /// written back into a second block at `rx_off`: true if every byte
    /// came back and nothing else in the second block changed.
    fn shared_roundtrip(&self, off: u32, len: u32, rx_off: u32) -> Result<bool, Status> {
        let copy = DESCRIPTOR_SIZE
            .checked_add(len)
            .ok_or(Status::INVALID_LENGTH)?;
        let rx_len = rx_off.checked_add(copy).ok_or(Status::INVALID_LENGTH)?;
        let tx = SharedMemory::new(self.adapter, copy, Caching::Uncached)?;
        let rx = SharedMemory::new(self.adapter, rx_len, Caching::Cached)?;
        let mut frame = buffer_k(copy as usize)?;
        let (desc, payload) = frame.split_at_mut(DESCRIPTOR_SIZE as usize);
        for (i, b) in payload.iter_mut().enumerate() {
            *b = pattern(i, off ^ len);
        }
        let sum = payload.iter().fold(0u32, |s, &b| s.wrapping_add(b.into()));
        let buffer_address = tx.device_address() + u64::from(DESCRIPTOR_SIZE);
        desc[0..8].copy_from_slice(&buffer_address.to_le_bytes());
        desc[8..12].copy_from_slice(&len.to_le_bytes());
        desc[12..16].copy_from_slice(&DESCRIPTOR_OWNED.to_le_bytes());
        desc[16..20].copy_from_slice(&(off ^ 0x5ec0).to_le_bytes());
        desc[20..24].copy_from_slice(&sum.to_le_bytes());
        tx.write(0, &frame)?;
        let moved = self
            .bus_master_copy(tx.device_address(), off, copy, Direction::ToDevice)
            .and_then(|()| {
                self.bus_master_copy(
                    rx.device_address() + u64::from(rx_off),
                    off,
                    copy,
                    Direction::FromDevice,
                )
            });
        if let Err(s) = moved {
            if s == Status::REQUEST_ABORTED {
                // The engine may still reach the blocks: the shim frees
                // them at halt, after the engine is fenced.
                core::mem::forget(tx);
                core::mem::forget(rx);
            }
            return Err(s);
        }
        let mut back = buffer_k(rx_len as usize)?;
        rx.read(0, &mut back)?;
        let (before, copied) = back.split_at(rx_off as usize);
        Ok(before.iter().all(|&b| b == 0) && copied == &frame[..])
    }

    fn counter(&self, len: u32) -> Result<(u32, u32), Status> {
        let mut buf = KVec::new();
        buf.resize(len as usize, 0u8, GFP_KERNEL)
            .map_err(|_| Status::RESOURCES)?;
        let mdl = Mdl::new(self.adapter, buf)?;
        let mut channel = self.channel.lock();
        self.engine.device_offset.store(0, Ordering::Release);
        let transfer = channel.setup(&mdl, 0, len, Direction::ToDevice)?;
        let busy = transfer.read_counter();
        let done = self.wait_done();
        transfer.complete()?;
        if !done {
            return Err(Status::FAILURE);
        }
        Ok((busy, channel.read_counter()))
    }
}

/// The debugfs test interface's state.
impl<'a> EduAdapter<'a> {
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
        for e in list.elements() {
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

    /// NET_BUFFERs of `parts` MDLs of `size` bytes each, data `len` bytes
    /// from `skip`: host to device, back into a second one, compared.
    fn sg_roundtrip<B: DmaBuffer>(
        &self,
        alloc: impl Fn(usize) -> Result<B, Status>,
        parts: u32,
        size: u32,
        skip: u32,
        len: u32,
    ) -> Result<(usize, usize, bool), Status> {
        let build = || -> Result<NetBuffer<'a, B>, Status> {
            let mut mdls = KVec::new();
            for _ in 0..parts {
                let mdl = Mdl::new(self.adapter, alloc(size as usize)?)?;
                mdls.push(mdl, GFP_KERNEL).map_err(|_| Status::RESOURCES)?;
            }
            NetBuffer::new(mdls, skip, len)
        };
        let seed = len ^ skip.rotate_left(12) ^ parts.rotate_left(24);
        let data = skip as usize..(skip + len) as usize;
        let mut src = build()?;
        let mut at = 0;
        for m in src.mdls_mut() {
            for b in m.as_mut_slice() {
                if data.contains(&at) {
                    *b = pattern(at, seed);
                }
                at += 1;
            }
        }
        let mut dst = build()?;
        let moved = self
            .sg_transfer(&mut src, Direction::ToDevice)
            .and_then(|(to, _)| Ok((to, self.sg_transfer(&mut dst, Direction::FromDevice)?.0)));
        let (to, from) = match moved {
            Ok(n) => n,
            Err(s) => {
                if s == Status::REQUEST_ABORTED {
                    // Still mapped for an engine that did not stop: leak.
                    core::mem::forget(src);
                    core::mem::forget(dst);
                }
                return Err(s);
            }
        };
        let mut at = 0;
        let mut same = true;
        for m in dst.mdls() {
            for b in m.as_slice() {
                let want = if data.contains(&at) {
                    pattern(at, seed)
                } else {
                    0
                };
                same &= *b == want;
                at += 1;
            }
        }
        Ok((to, from, same))
    }
}

#[pin_data]
struct TestPort {
    adapter: AtomicPtr<EduAdapter<'static>>,
    #[pin]
    result: Mutex<KVec<u8>>,
}

fn buffer_k(n: usize) -> Result<KVec<u8>, Status> {
    let mut v = KVec::new();
    v.resize(n, 0u8, GFP_KERNEL)
        .map_err(|_| Status::RESOURCES)?;
    Ok(v)
}

fn buffer_v(n: usize) -> Result<VVec<u8>, Status> {
    let mut v = VVec::new();
    v.resize(n, 0u8, GFP_KERNEL)
        .map_err(|_| Status::RESOURCES)?;
    Ok(v)
}

/// A small `fmt::Write` into a `KVec`.
struct Out<'a>(&'a mut KVec<u8>);

impl Write for Out<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0
            .extend_from_slice(s.as_bytes(), GFP_KERNEL)
            .map_err(|_| core::fmt::Error)
    }
}

fn arg(cmd: &str, key: &str) -> Option<u32> {
    cmd.split_whitespace()
        .filter_map(|w| w.split_once('='))
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| v.parse().ok())
}

impl TestPort {
    fn run(&self, cmd: &str, out: &mut Out<'_>) -> core::fmt::Result {
        let p = self.adapter.load(Ordering::Acquire);
        if p.is_null() {
            return writeln!(out, "error no adapter");
        }
        // SAFETY: set once the adapter is boxed; the debugfs scope holding
        // `self` is dropped (draining running writes) before the adapter.
        let adapter = unsafe { &*p };
        let verb = cmd.split_whitespace().next().unwrap_or("");
        match verb {
            "roundtrip" => {
                let off = arg(cmd, "off").unwrap_or(0);
                let len = arg(cmd, "len").unwrap_or(64);
                let mdl_off = arg(cmd, "mdl_off").unwrap_or(0);
                let vmalloc = cmd.split_whitespace().any(|w| w == "buf=vmalloc");
                let kind = if vmalloc { "vmalloc" } else { "kmalloc" };
                let n = mdl_off as usize + len as usize;
                let r = if vmalloc {
                    buffer_v(n).and_then(|a| {
                        buffer_v(n).and_then(|b| adapter.roundtrip(a, b, off, len, mdl_off))
                    })
                } else {
                    buffer_k(n).and_then(|a| {
                        buffer_k(n).and_then(|b| adapter.roundtrip(a, b, off, len, mdl_off))
                    })
                };
                match r {
                    Ok(v) => writeln!(
                        out,
                        "{} roundtrip off={} len={} mdl_off={} buf={} verified={}",
                        if v { "ok" } else { "fail" },
                        off,
                        len,
                        mdl_off,
                        kind,
                        u8::from(v)
                    ),
                    Err(s) => writeln!(
                        out,
                        "error roundtrip off={} len={} mdl_off={} buf={} status={:#010x}",
                        off,
                        len,
                        mdl_off,
                        kind,
                        s.raw() as u32
                    ),
                }
            }
            "shm" => {
                let off = arg(cmd, "off").unwrap_or(0);
                let len = arg(cmd, "len").unwrap_or(64);
                let rx_off = arg(cmd, "rx_off").unwrap_or(0);
                let align = shared::dma_alignment(adapter.adapter);
                let data_align = shared::shared_data_alignment();
                match adapter.shared_roundtrip(off, len, rx_off) {
                    Ok(v) => writeln!(
                        out,
                        "{} shm off={} len={} rx_off={} verified={} dma_alignment={} shared_data_alignment={}",
                        if v { "ok" } else { "fail" },
                        off,
                        len,
                        rx_off,
                        u8::from(v),
                        align,
                        data_align
                    ),
                    Err(s) => writeln!(
                        out,
                        "error shm off={} len={} rx_off={} status={:#010x}",
                        off,
                        len,
                        rx_off,
                        s.raw() as u32
                    ),
                }
            }
            "sg-roundtrip" => {
                let parts = arg(cmd, "parts").unwrap_or(1).clamp(1, 8);
                let size = arg(cmd, "size").unwrap_or(4096);
                let skip = arg(cmd, "skip").unwrap_or(0);
                let len = arg(cmd, "len").unwrap_or(64);
                let vmalloc = cmd.split_whitespace().any(|w| w == "buf=vmalloc");
                let r = if vmalloc {
                    adapter.sg_roundtrip(buffer_v, parts, size, skip, len)
                } else {
                    adapter.sg_roundtrip(buffer_k, parts, size, skip, len)
                };
                match r {
                    Ok((to, from, v)) => writeln!(
                        out,
                        "{} sg-roundtrip to_elements={} from_elements={} verified={}",
                        if v { "ok" } else { "fail" },
                        to,
                        from,
                        u8::from(v)
                    ),
                    Err(s) => writeln!(out, "error sg-roundtrip status={:#010x}", s.raw() as u32),
                }
            }
            "counter" => match adapter.counter(arg(cmd, "len").unwrap_or(64)) {
                Ok((busy, idle)) => writeln!(out, "counter busy={} idle={}", busy, idle),
                Err(s) => writeln!(out, "error counter status={:#010x}", s.raw() as u32),
            },
            _ => writeln!(out, "error unknown command"),
        }
    }
}

fn cmd_write(port: &TestPort, reader: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 128];
    let n = reader.len().min(buf.len());
    reader.read_slice(&mut buf[..n])?;
    let cmd = core::str::from_utf8(&buf[..n]).map_err(|_| EINVAL)?;
    let mut result = KVec::new();
    port.run(cmd.trim(), &mut Out(&mut result))
        .map_err(|_| ENOMEM)?;
    *port.result.lock() = result;
    Ok(())
}

fn result_read(port: &TestPort, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
    let result = port.result.lock();
    f.write_str(core::str::from_utf8(&result).unwrap_or("?\n"))
}

/// The module's debugfs root, `edu_dma/`.
static ROOT: AtomicPtr<Dir> = AtomicPtr::new(core::ptr::null_mut());

struct EduMiniport;

ndis_glue!(EDU_GLUE, EduMiniport, ids: [(0x1234, 0x11e8)], dma_address_bits: 28);

impl Miniport for EduMiniport {
    const NAME: &'static CStr = c"edu_dma";
    // The engine is programmed with the device addresses of shared memory
    // and of SG list elements too.
    const BUS_MASTER: bool = true;
    type Engine<'a> = EduEngine<'a>;
    type Context<'a> = EduContext<'a>;

    fn glue() -> &'static Glue {
        &EDU_GLUE
    }

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
        let edu_ptr = core::ptr::from_ref::<EduAdapter<'a>>(&*edu)
            .cast_mut()
            .cast::<EduAdapter<'static>>();
        let root = ROOT.load(Ordering::Acquire);
        let debugfs = if root.is_null() {
            None
        } else {
            // SAFETY: the root lives from module init until after the PCI
            // driver (and so every adapter) is gone.
            let root = unsafe { &*root };
            let port = try_pin_init!(TestPort {
                adapter: AtomicPtr::new(edu_ptr),
                result <- new_mutex!(KVec::new()),
            }? Error);
            let scope = root.scope(port, adapter.pci_name(), |port, dir| {
                dir.write_only_callback_file(c"cmd", port, &cmd_write);
                dir.read_callback_file(c"result", port, &result_read);
            });
            Some(KBox::pin_init(scope, GFP_KERNEL).map_err(|_| Status::RESOURCES)?)
        };
        KBox::pin(
            EduContext {
                _debugfs: debugfs,
                _adapter: edu,
            },
            GFP_KERNEL,
        )
        .map_err(|_| Status::RESOURCES)
    }
}

// SAFETY: the adapter pointer is only dereferenced as a shared reference
// to a `Sync`-usable object (`EduAdapter` is used through a mutex and
// atomics); the result is under a mutex.
unsafe impl Send for TestPort {}
// SAFETY: as above.
unsafe impl Sync for TestPort {}

struct EduModule {
    _registration: Registration<EduMiniport>,
    root: KBox<Dir>,
}

impl kernel::Module for EduModule {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let mut root = KBox::new(Dir::new(c"edu_dma"), GFP_KERNEL)?;
        ROOT.store(&mut *root, Ordering::Release);
        match Registration::new(module) {
            Ok(r) => Ok(Self {
                _registration: r,
                root,
            }),
            Err(e) => {
                ROOT.store(core::ptr::null_mut(), Ordering::Release);
                Err(e)
            }
        }
    }
}

impl Drop for EduModule {
    fn drop(&mut self) {
        // `_registration` (dropped after this) halts every adapter first;
        // the root goes last.
        let _ = &self.root;
    }
}
