// SPDX-License-Identifier: GPL-2.0

//! The NDIS 5 support calls that are functions on the shim
//! (`include/ndis.h`, "NDIS 5.x support calls"): the string conversions
//! and comparison, `NdisScheduleWorkItem`, `NdisQueryPendingIOCount`,
//! `NdisGetSystemUpTime`, `NdisSystemProcessorCount` and
//! `NdisGetCurrentProcessorCpuUsage`. The calls on an adapter's resources
//! and PCI slot are `rust/exports.rs`'s, over [`crate::resources`].
//!
//! `NdisScheduleWorkItem` names no owner (its `NDIS_WORK_ITEM` is the
//! miniport's memory), so a queued routine belongs to no adapter: each
//! schedule allocates its own queue entry, counted in [`PENDING`], and a
//! miniport module's unload ([`drain`]) waits until no routine is queued
//! or running, since one may be the unloading module's code. The count is
//! every miniport's: a routine that reschedules itself without end keeps
//! every other miniport's unload waiting too (logged every 10 s). The
//! entries run on the shim's own workqueue ([`init`], [`exit`]), so the
//! shim's unload can wait for the last one to leave the shim's code.

use core::ffi::c_void;
use kernel::{
    bindings, new_work,
    prelude::*,
    sync::{
        atomic::{Acquire, Atomic, Relaxed, Release},
        Arc,
    },
    workqueue::{self, impl_has_work, Work, WorkItem},
};

use crate::{
    abi,
    adapter::Adapter,
    memory,
    status::{Error, Result as NdisResult},
    strings,
};

/// Work items scheduled and not yet returned from their routine.
static PENDING: Atomic<u32> = Atomic::new(0);

/// The workqueue the entries run on, the shim's own (the kernel crate
/// wraps only the system queues, which a module may not flush):
/// `destroy_workqueue` at [`exit`] returns once every entry's `run` has
/// returned into the workqueue core, which [`PENDING`], decremented in the
/// shim's code, cannot show.
///
/// # Invariants
///
/// Between [`init`] and [`exit`], a workqueue allocated by [`init`].
static QUEUE: Atomic<*mut bindings::workqueue_struct> = Atomic::new(core::ptr::null_mut());

/// Allocates [`QUEUE`]: at the shim's load, before any miniport can call.
pub(crate) fn init() -> Result {
    // SAFETY: a NUL-terminated name without conversions for the format;
    // unbound, as Windows' system worker threads are to a processor, and
    // the default concurrency.
    let queue = unsafe {
        bindings::alloc_workqueue_noprof(
            c"ndis_shim_work".as_char_ptr(),
            bindings::wq_flags_WQ_UNBOUND,
            0,
        )
    };
    if queue.is_null() {
        return Err(ENOMEM);
    }
    QUEUE.store(queue, Release);
    Ok(())
}

/// Waits for every scheduled routine and frees [`QUEUE`]: at the shim's
/// unload, when no miniport module is left to schedule more.
pub(crate) fn exit() {
    drain();
    let queue = QUEUE.xchg(core::ptr::null_mut(), Acquire);
    if !queue.is_null() {
        // SAFETY: allocated by `init` and no longer reachable through
        // `QUEUE`; its drain waits for entries still running.
        unsafe { bindings::destroy_workqueue(queue) };
    }
}

/// One `NdisScheduleWorkItem`: the routine and its arguments, read at the
/// call.
///
/// # Invariants
///
/// `item` and `context` are the miniport's, passed back untouched.
#[pin_data]
struct Scheduled {
    #[pin]
    work: Work<Scheduled>,
    routine: unsafe extern "C" fn(*mut abi::NDIS_WORK_ITEM, abi::PVOID),
    item: *mut abi::NDIS_WORK_ITEM,
    context: *mut c_void,
}

// SAFETY: the two pointers are the miniport's, handed back on another CPU
// as Windows' worker threads do; the shim never dereferences them.
unsafe impl Send for Scheduled {}
// SAFETY: `&Scheduled` gives only the pointers' values, which the shim never
// dereferences, and the `Work`, which is Sync.
unsafe impl Sync for Scheduled {}

impl_has_work! {
    impl HasWork<Self> for Scheduled { self.work }
}

impl WorkItem for Scheduled {
    type Pointer = Arc<Scheduled>;

    fn run(this: Arc<Scheduled>) {
        let (routine, item, context) = (this.routine, this.item, this.context);
        drop(this);
        // SAFETY: the routine and arguments the miniport scheduled; a
        // kernel worker is PASSIVE_LEVEL, where Windows runs it. Its module
        // is still loaded: its unload waits for `PENDING` to drop ([`drain`]).
        unsafe { routine(item, context) };
        PENDING.fetch_sub(1, Release);
    }
}

/// `NdisScheduleWorkItem`: `routine(item, context)` later, at PASSIVE_LEVEL.
/// Any IRQL up to DISPATCH_LEVEL.
pub(crate) fn schedule(
    routine: unsafe extern "C" fn(*mut abi::NDIS_WORK_ITEM, abi::PVOID),
    item: *mut abi::NDIS_WORK_ITEM,
    context: *mut c_void,
) -> NdisResult<()> {
    let scheduled = Arc::pin_init(
        pin_init!(Scheduled {
            work <- new_work!("ndis5_support::Scheduled"),
            routine,
            item,
            context,
        }),
        memory::alloc_flags(),
    )
    .map_err(|_| Error::Resources)?;
    let queue = QUEUE.load(Acquire);
    if queue.is_null() {
        return Err(Error::Resources);
    }
    // SAFETY: by `QUEUE`'s invariant a live workqueue, destroyed only at
    // the shim's unload, after every miniport module that could call here.
    let queue = unsafe { workqueue::Queue::from_raw(queue) };
    PENDING.fetch_add(1, Relaxed);
    // A new entry is never queued already.
    if queue.enqueue(scheduled).is_err() {
        PENDING.fetch_sub(1, Relaxed);
        return Err(Error::Resources);
    }
    Ok(())
}

/// Waits until no scheduled routine is queued or running. PASSIVE; called
/// before a miniport module's unload and at the shim's exit.
pub(crate) fn drain() {
    let mut waited_ms = 0u32;
    // Acquire: what the routines wrote is seen by the unload that follows.
    while PENDING.load(Acquire) != 0 {
        kernel::time::delay::fsleep(kernel::time::Delta::from_millis(1));
        waited_ms = waited_ms.wrapping_add(1);
        if waited_ms % 10_000 == 0 {
            pr_warn!(
                "waiting {} s for {} NDIS work item(s) to finish\n",
                waited_ms / 1000,
                PENDING.load(Relaxed)
            );
        }
    }
}

/// `NdisQueryPendingIOCount`: the sends the adapter's miniport holds and
/// its Query/Set (or OID) request, if one is out.
pub(crate) fn pending_io(adapter: &Adapter) -> u32 {
    let nic = &adapter.nic;
    let request = u32::from(nic.oid_pending.load(Relaxed) != 0);
    nic.outstanding.load(Relaxed).saturating_add(request)
}

/// `NdisGetSystemUpTime`: milliseconds since boot (wrapping at 2^32, as a
/// ULONG tick count does).
pub(crate) fn uptime_ms() -> u32 {
    // SAFETY: callable in any context but NMI.
    let ns: u64 = unsafe { bindings::ktime_get_boot_fast_ns() };
    (ns / 1_000_000) as u32
}

extern "C" {
    fn ndis_shim_cpu_usage() -> u32;
    fn ndis_shim_online_cpus() -> u32;
}

/// `NdisSystemProcessorCount`: the processors online (a CCHAR: at most
/// 127).
pub(crate) fn processor_count() -> i8 {
    // SAFETY: a read of the online mask's weight, any context.
    let n = unsafe { ndis_shim_online_cpus() };
    i8::try_from(n).unwrap_or(i8::MAX)
}

/// `NdisGetCurrentProcessorCpuUsage`: the current processor's busy share of
/// its time since boot, in percent.
pub(crate) fn cpu_usage() -> u32 {
    // SAFETY: reads the current CPU's idle time, any context.
    unsafe { ndis_shim_cpu_usage() }
}

/// A counted string's units: `Length` bytes of `Buffer`, or `None` for a
/// NULL string, or a NULL or odd buffer with a length (a `&[u16]` must be
/// aligned; WDK strings always are, so an odd one is refused, not copied).
///
/// # Safety
///
/// `s` NULL or readable; its `Buffer` readable for `Length` bytes when
/// not NULL, and not written while the slice lives.
pub(crate) unsafe fn unicode<'a>(s: *const abi::UNICODE_STRING) -> Option<&'a [u16]> {
    if s.is_null() {
        return None;
    }
    // SAFETY: non-NULL, so readable (safety requirement).
    let s = unsafe { s.read() };
    let n = usize::from(s.Length) / 2;
    if n == 0 {
        return Some(&[]);
    }
    if s.Buffer.is_null() || !s.Buffer.is_aligned() {
        return None;
    }
    // SAFETY: `Buffer` aligned and readable for `Length` bytes (safety
    // requirement).
    Some(unsafe { core::slice::from_raw_parts(s.Buffer, n) })
}

/// `RtlEqualUnicodeString`.
pub(crate) fn equal(a: &[u16], b: &[u16], case_insensitive: bool) -> bool {
    strings::equal_unicode(a, b, case_insensitive)
}

/// Why a string conversion failed.
pub(crate) enum StringError {
    /// A NULL string, or a NULL buffer with a length (refused).
    Bad,
    /// The destination is too short (`NDIS_STATUS_BUFFER_OVERFLOW`).
    Overflow,
}

impl StringError {
    /// The call's status.
    pub(crate) fn status(&self) -> abi::NDIS_STATUS {
        match self {
            Self::Bad => abi::NDIS_STATUS_FAILURE as abi::NDIS_STATUS,
            Self::Overflow => abi::NDIS_STATUS_BUFFER_OVERFLOW as abi::NDIS_STATUS,
        }
    }
}

/// `NdisAnsiStringToUnicodeString` into `dst`, whose `Length` becomes the
/// converted string's on success.
///
/// # Safety
///
/// `dst` and `src` readable and `dst` writable; `src.Buffer` readable for
/// `src.Length` bytes and `dst.Buffer` writable for `dst.MaximumLength`
/// bytes, each unless NULL; the two buffers do not overlap.
pub(crate) unsafe fn ansi_to_unicode(
    dst: *mut abi::UNICODE_STRING,
    src: *const abi::STRING,
) -> Result<(), StringError> {
    if dst.is_null() || src.is_null() {
        return Err(StringError::Bad);
    }
    // SAFETY: non-NULL, so readable (safety requirement).
    let (d, s) = unsafe { (dst.read(), src.read()) };
    let from: &[u8] = match (s.Length, s.Buffer.is_null()) {
        (0, _) => &[],
        (_, true) => return Err(StringError::Bad),
        // SAFETY: readable for `Length` bytes (safety requirement).
        (n, false) => unsafe { core::slice::from_raw_parts(s.Buffer.cast::<u8>(), n.into()) },
    };
    let room = usize::from(d.MaximumLength) / 2;
    if (d.Buffer.is_null() || !d.Buffer.is_aligned()) && room != 0 {
        return Err(StringError::Bad);
    }
    let to: &mut [u16] = if room == 0 {
        &mut []
    } else {
        // SAFETY: aligned, and writable for `MaximumLength` bytes apart
        // from `from` (safety requirement).
        unsafe { core::slice::from_raw_parts_mut(d.Buffer, room) }
    };
    let n = strings::ansi_to_unicode(from, to).map_err(|_| StringError::Overflow)?;
    // SAFETY: writable (safety requirement); `n < room <= 0x7FFF`.
    unsafe { (*dst).Length = (n * 2) as u16 };
    Ok(())
}

/// `NdisUnicodeStringToAnsiString` into `dst`, whose `Length` becomes the
/// bytes converted (all, or as many as fit with a terminator).
///
/// # Safety
///
/// As [`ansi_to_unicode`], the other way.
pub(crate) unsafe fn unicode_to_ansi(
    dst: *mut abi::STRING,
    src: *const abi::UNICODE_STRING,
) -> Result<(), StringError> {
    if dst.is_null() {
        return Err(StringError::Bad);
    }
    // SAFETY: NULL or readable with its buffer (safety requirement).
    let Some(from) = (unsafe { unicode(src) }) else {
        return Err(StringError::Bad);
    };
    // SAFETY: non-NULL, so readable (safety requirement).
    let d = unsafe { dst.read() };
    let room = usize::from(d.MaximumLength);
    if d.Buffer.is_null() && room != 0 {
        return Err(StringError::Bad);
    }
    let to: &mut [u8] = if room == 0 {
        &mut []
    } else {
        // SAFETY: writable for `MaximumLength` bytes, apart from `from`
        // (safety requirement).
        unsafe { core::slice::from_raw_parts_mut(d.Buffer.cast::<u8>(), room) }
    };
    let (n, result) = match strings::unicode_to_ansi(from, to) {
        Ok(n) => (n, Ok(())),
        Err((_, n)) => (n, Err(StringError::Overflow)),
    };
    // SAFETY: writable (safety requirement); `n < room <= 0xFFFF`.
    unsafe { (*dst).Length = n as u16 };
    result
}
