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
//! roundtrip [off=N] [len=N] [mdl_off=N] [buf=kmalloc|vmalloc]
//! shm [off=N] [len=N] [rx_off=N]
//! sg-roundtrip [parts=N] [size=N] [skip=N] [len=N] [buf=kmalloc|vmalloc]
//! counter [len=N]
//! ```
//!
//! Every argument is checked before a command runs (see [`parse`]): a
//! refused command leaves `error <why>` in `result` and fails the write
//! with EINVAL, ERANGE or E2BIG.

use core::fmt::Write;
use core::num::IntErrorKind;
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
        let range = mdl_off as usize..mdl_off as usize + len as usize;
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
        let data = skip as usize..skip as usize + len as usize;
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

impl Out<'_> {
    /// One result line; ENOMEM if it could not be stored.
    fn line(&mut self, args: core::fmt::Arguments<'_>) -> Result {
        writeln!(self, "{}", args).map_err(|_| ENOMEM)
    }

    /// A command refused before it ran: the line `error <why>`, and `err`
    /// for the write.
    fn refuse<T>(&mut self, err: Error, why: core::fmt::Arguments<'_>) -> Result<T> {
        self.line(format_args!("error {}", why))?;
        Err(err)
    }
}

/// The longest command a write may carry, newline included.
const CMD_MAX: usize = 128;
/// The largest offset, length or size any command takes: far beyond edu's
/// 4 KiB window (the sample's engine refuses what does not fit, and the
/// tests check that refusal), small enough that no sum of two overflows a
/// `u32` and every buffer is a modest allocation.
const MAX_BYTES: u32 = 64 * 1024;
/// The most MDLs an `sg-roundtrip` chain has.
const MAX_PARTS: u32 = 8;

/// A number a verb takes: `key=N`, decimal, `min..=max`, else `default`.
struct Num {
    key: &'static str,
    default: u32,
    min: u32,
    max: u32,
}

const fn num(key: &'static str, default: u32, min: u32, max: u32) -> Num {
    Num {
        key,
        default,
        min,
        max,
    }
}

const ROUNDTRIP: [Num; 3] = [
    num("off", 0, 0, MAX_BYTES),
    num("len", 64, 1, MAX_BYTES),
    num("mdl_off", 0, 0, MAX_BYTES),
];
const SHM: [Num; 3] = [
    num("off", 0, 0, MAX_BYTES),
    num("len", 64, 0, MAX_BYTES),
    num("rx_off", 0, 0, MAX_BYTES),
];
const SG_ROUNDTRIP: [Num; 4] = [
    num("parts", 1, 1, MAX_PARTS),
    num("size", 4096, 1, MAX_BYTES),
    num("skip", 0, 0, MAX_BYTES),
    num("len", 64, 1, MAX_BYTES),
];
const COUNTER: [Num; 1] = [num("len", 64, 1, MAX_BYTES)];

/// A command's arguments: its numbers in the order of the verb's table,
/// and `buf=vmalloc` (`buf=kmalloc` is the default).
struct Args<const N: usize> {
    n: [u32; N],
    vmalloc: bool,
}

/// Parses `words` (`key=value`, each key at most once) against the verb's
/// numbers, with `buf=` if `takes_buf`. Every value is checked before any
/// command uses it. A refusal writes its result line and gives the write's
/// errno: EINVAL for a malformed word, an unknown or repeated key or not a
/// decimal number (`-1` included); ERANGE for a number out of range
/// (`2^32` and above included).
fn parse<const N: usize>(
    words: core::str::SplitWhitespace<'_>,
    nums: &[Num; N],
    takes_buf: bool,
    out: &mut Out<'_>,
) -> Result<Args<N>> {
    let mut args = Args {
        n: core::array::from_fn(|i| nums[i].default),
        vmalloc: false,
    };
    let mut seen = [false; N];
    let mut buf_seen = false;
    for word in words {
        let Some((key, value)) = word.split_once('=') else {
            return out.refuse(EINVAL, format_args!("{}: not key=value", word));
        };
        if key == "buf" && takes_buf {
            if core::mem::replace(&mut buf_seen, true) {
                return out.refuse(EINVAL, format_args!("{}: given twice", word));
            }
            args.vmalloc = match value {
                "kmalloc" => false,
                "vmalloc" => true,
                _ => return out.refuse(EINVAL, format_args!("{}: kmalloc or vmalloc", word)),
            };
            continue;
        }
        let Some(i) = nums.iter().position(|d| d.key == key) else {
            return out.refuse(EINVAL, format_args!("{}: unknown key", word));
        };
        if seen[i] {
            return out.refuse(EINVAL, format_args!("{}: given twice", word));
        }
        seen[i] = true;
        let d = &nums[i];
        let in_range = match value.parse::<u32>() {
            Ok(v) => (d.min..=d.max).contains(&v).then_some(v),
            Err(e) if *e.kind() == IntErrorKind::PosOverflow => None,
            Err(_) => return out.refuse(EINVAL, format_args!("{}: not a decimal number", word)),
        };
        let Some(v) = in_range else {
            return out.refuse(
                ERANGE,
                format_args!("{}: out of range {}..={}", word, d.min, d.max),
            );
        };
        args.n[i] = v;
    }
    Ok(args)
}

impl TestPort {
    fn run(&self, cmd: &str, out: &mut Out<'_>) -> Result {
        let p = self.adapter.load(Ordering::Acquire);
        if p.is_null() {
            return out.refuse(ENODEV, format_args!("no adapter"));
        }
        // SAFETY: set when the port is made, for a boxed adapter that
        // outlives the port (`Port::new`); the debugfs scope holding `self`
        // is dropped (draining running writes) before the adapter.
        let adapter = unsafe { &*p };
        let mut words = cmd.split_whitespace();
        let verb = words.next().unwrap_or("");
        match verb {
            "roundtrip" => {
                let a = parse(words, &ROUNDTRIP, true, out)?;
                let [off, len, mdl_off] = a.n;
                let kind = if a.vmalloc { "vmalloc" } else { "kmalloc" };
                // Bounded by MAX_BYTES each: no overflow.
                let n = mdl_off as usize + len as usize;
                let r = if a.vmalloc {
                    buffer_v(n).and_then(|a| {
                        buffer_v(n).and_then(|b| adapter.roundtrip(a, b, off, len, mdl_off))
                    })
                } else {
                    buffer_k(n).and_then(|a| {
                        buffer_k(n).and_then(|b| adapter.roundtrip(a, b, off, len, mdl_off))
                    })
                };
                match r {
                    Ok(v) => out.line(format_args!(
                        "{} roundtrip off={} len={} mdl_off={} buf={} verified={}",
                        if v { "ok" } else { "fail" },
                        off,
                        len,
                        mdl_off,
                        kind,
                        u8::from(v)
                    )),
                    Err(s) => out.line(format_args!(
                        "error roundtrip off={} len={} mdl_off={} buf={} status={:#010x}",
                        off,
                        len,
                        mdl_off,
                        kind,
                        s.raw() as u32
                    )),
                }
            }
            "shm" => {
                let [off, len, rx_off] = parse(words, &SHM, false, out)?.n;
                let align = shared::dma_alignment(adapter.adapter);
                let data_align = shared::shared_data_alignment();
                match adapter.shared_roundtrip(off, len, rx_off) {
                    Ok(v) => out.line(format_args!(
                        "{} shm off={} len={} rx_off={} verified={} dma_alignment={} shared_data_alignment={}",
                        if v { "ok" } else { "fail" },
                        off,
                        len,
                        rx_off,
                        u8::from(v),
                        align,
                        data_align
                    )),
                    Err(s) => out.line(format_args!(
                        "error shm off={} len={} rx_off={} status={:#010x}",
                        off,
                        len,
                        rx_off,
                        s.raw() as u32
                    )),
                }
            }
            "sg-roundtrip" => {
                let a = parse(words, &SG_ROUNDTRIP, true, out)?;
                let [parts, size, skip, len] = a.n;
                let r = if a.vmalloc {
                    adapter.sg_roundtrip(buffer_v, parts, size, skip, len)
                } else {
                    adapter.sg_roundtrip(buffer_k, parts, size, skip, len)
                };
                match r {
                    Ok((to, from, v)) => out.line(format_args!(
                        "{} sg-roundtrip to_elements={} from_elements={} verified={}",
                        if v { "ok" } else { "fail" },
                        to,
                        from,
                        u8::from(v)
                    )),
                    Err(s) => out.line(format_args!(
                        "error sg-roundtrip status={:#010x}",
                        s.raw() as u32
                    )),
                }
            }
            "counter" => {
                let [len] = parse(words, &COUNTER, false, out)?.n;
                match adapter.counter(len) {
                    Ok((busy, idle)) => {
                        out.line(format_args!("counter busy={} idle={}", busy, idle))
                    }
                    Err(s) => out.line(format_args!(
                        "error counter status={:#010x}",
                        s.raw() as u32
                    )),
                }
            }
            _ => out.refuse(EINVAL, format_args!("unknown command {}", verb)),
        }
    }
}

fn cmd_write(port: &TestPort, reader: &mut UserSliceReader) -> Result {
    let mut result = KVec::new();
    let mut out = Out(&mut result);
    let mut buf = [0u8; CMD_MAX];
    let n = reader.len();
    let ran = if n > CMD_MAX {
        out.refuse(E2BIG, format_args!("command longer than {} bytes", CMD_MAX))
    } else {
        reader.read_slice(&mut buf[..n])?;
        match core::str::from_utf8(&buf[..n]) {
            Ok(cmd) => port.run(cmd.trim(), &mut out),
            Err(_) => out.refuse(EINVAL, format_args!("command not UTF-8")),
        }
    };
    *port.result.lock() = result;
    ran
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
            dir.read_callback_file(c"result", port, &result_read);
            // Last: a script waits for `cmd` to appear, then reads `result`.
            dir.write_only_callback_file(c"cmd", port, &cmd_write);
        });
        let scope = KBox::pin_init(scope, GFP_KERNEL).map_err(|_| Status::RESOURCES)?;
        Ok(Some(Self { _scope: scope }))
    }
}
