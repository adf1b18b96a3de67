// SPDX-License-Identifier: GPL-2.0

//! The debugfs test interface of the edu_dma sample (Rust), test support
//! rather than port: `samples/edu_dma/edu_dma.rs` includes it as its
//! `test_cmd` module.
//!
//! Per adapter, `/sys/kernel/debug/edu_dma/<pci-name>/cmd` takes one
//! command and `result` reads its one-line outcome; the selftests
//! (`tools/testing/selftests/ndis/edu_rust_lib.sh`, `tests/3*-edu-rust-*`)
//! drive it. The commands run the miniport's own operations
//! ([`EduAdapter::transfer`], [`EduAdapter::bus_master_copy`],
//! [`EduAdapter::sg_transfer`]) on buffers made here:
//!
//! ```text
//! roundtrip [off=N] [len=N] [mdl_off=N] [buf=vmalloc]
//! shm [off=N] [len=N] [rx_off=N]
//! sg-roundtrip [parts=N] [size=N] [skip=N] [len=N] [buf=vmalloc]
//! counter [len=N]
//! ```

use core::fmt::Write;
use core::pin::Pin;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::{
    debugfs::{Dir, Scope},
    new_mutex,
    prelude::*,
    sync::Mutex,
    uaccess::UserSliceReader,
};

use super::{
    ndis::{
        dma::Direction,
        mdl::{DmaBuffer, Mdl},
        sg::NetBuffer,
        shared::{self, Caching, SharedMemory},
        Status,
    },
    EduAdapter,
};

/// A transmit descriptor as a NIC reads it from shared memory: payload
/// device address (8 bytes), length, flags, sequence, byte sum (4 each).
const DESCRIPTOR_SIZE: u32 = 24;
/// Set in a descriptor's flags: the device owns it.
const DESCRIPTOR_OWNED: u32 = 0x8000_0000;

fn pattern(i: usize, seed: u32) -> u8 {
    (i as u32).wrapping_mul(7).wrapping_add(seed) as u8 ^ 0x5a
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

/// The test operations, on the miniport's adapter.
impl<'a> EduAdapter<'a> {
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
        let buf = buffer_k(len as usize)?;
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

/// The debugfs state of one adapter's interface.
#[pin_data]
struct TestPort {
    adapter: AtomicPtr<EduAdapter<'static>>,
    #[pin]
    result: Mutex<KVec<u8>>,
}

// SAFETY: the adapter pointer is only dereferenced as a shared reference
// to a `Sync`-usable object (`EduAdapter` is used through a mutex and
// atomics); the result is under a mutex.
unsafe impl Send for TestPort {}
// SAFETY: as above.
unsafe impl Sync for TestPort {}

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
        // SAFETY: set when the port is made, for a boxed adapter that
        // outlives the port (`Port::new`); the debugfs scope holding `self`
        // is dropped (draining running writes) before the adapter.
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

/// The module's debugfs root, `edu_dma/`, while a [`Root`] holds it.
static ROOT: AtomicPtr<Dir> = AtomicPtr::new(core::ptr::null_mut());

/// The test interface's debugfs root: made before the PCI driver is
/// registered, dropped after it is unregistered (every [`Port`] gone).
pub(crate) struct Root {
    _dir: KBox<Dir>,
}

impl Root {
    pub(crate) fn new() -> Result<Self> {
        let mut root = KBox::new(Dir::new(c"edu_dma"), GFP_KERNEL)?;
        ROOT.store(&mut *root, Ordering::Release);
        Ok(Self { _dir: root })
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        ROOT.store(core::ptr::null_mut(), Ordering::Release);
    }
}

/// One adapter's `cmd` and `result` files; removed (running commands
/// drained) on drop.
pub(crate) struct Port {
    _scope: Pin<KBox<Scope<TestPort>>>,
}

impl Port {
    /// The files for `edu`, named after its PCI device; `None` without a
    /// debugfs root.
    ///
    /// # Safety
    ///
    /// The port must be dropped before `edu`.
    pub(crate) unsafe fn new(edu: &Pin<KBox<EduAdapter<'_>>>) -> Result<Option<Self>, Status> {
        let root = ROOT.load(Ordering::Acquire);
        if root.is_null() {
            return Ok(None);
        }
        // SAFETY: the root lives from module init until after the PCI
        // driver (and so every adapter and port) is gone (`Root`).
        let root = unsafe { &*root };
        // The lifetime is erased: the caller drops the port, and with it
        // every use of the pointer, before the adapter.
        let edu_ptr = core::ptr::from_ref::<EduAdapter<'_>>(edu)
            .cast_mut()
            .cast::<EduAdapter<'static>>();
        let port = try_pin_init!(TestPort {
            adapter: AtomicPtr::new(edu_ptr),
            result <- new_mutex!(KVec::new()),
        }? Error);
        let scope = root.scope(port, edu.adapter.pci_name(), |port, dir| {
            dir.write_only_callback_file(c"cmd", port, &cmd_write);
            dir.read_callback_file(c"result", port, &result_read);
        });
        let scope = KBox::pin_init(scope, GFP_KERNEL).map_err(|_| Status::RESOURCES)?;
        Ok(Some(Self { _scope: scope }))
    }
}
