// SPDX-License-Identifier: GPL-2.0

//! NDIS 6 timer objects: `NdisAllocateTimerObject`, `NdisSetTimerObject`,
//! `NdisCancelTimerObject`, `NdisFreeTimerObject`.
//!
//! A timer object is a soft-mode hrtimer behind a thin C wrapper
//! (`rust/helpers.c` says why not the kernel crate's `HrTimer`): its
//! function runs in softirq context, DISPATCH_LEVEL as on Windows, called
//! as `NDIS_TIMER_FUNCTION` is declared, `(NULL, FunctionContext, NULL,
//! NULL)`. Each object is owned by the adapter or miniport driver whose
//! handle it was allocated with ([`release_owned`]: at the adapter's
//! release, right after `MiniportHaltEx`, or at the driver's unload) and
//! kept in one table here, named by a [`HandleKind::Timer`] handle.
//!
//! `NdisSetTimerObject` and `NdisCancelTimerObject` are DISPATCH_LEVEL
//! calls: they find the object with [`registry::find`] (no lock, no
//! reference) and take only the timer's own IRQ-safe spin lock. A free at
//! DISPATCH_LEVEL (the page allows it) disarms the timer and marks the
//! object freed; letting it go waits for an RCU grace period and for a
//! running timer function, so that happens at the next PASSIVE_LEVEL
//! timer call or at the owner's release.

use core::{ffi::c_void, ptr::NonNull};
use kernel::{
    bindings,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        global_lock, Arc,
    },
};

use crate::{
    abi,
    handle::{Handle, HandleKind},
    memory,
    registry::{self, InRegistry, Registered},
    status::{Error, Result as NdisResult},
};

/// `NDIS_TIMER_FUNCTION`, present.
pub(crate) type TimerFunction =
    unsafe extern "C" fn(abi::PVOID, abi::PVOID, abi::PVOID, abi::PVOID);

// The helper's function type must be the header's.
const _: abi::PNDIS_TIMER_FUNCTION = None::<TimerFunction>;

#[repr(C)]
struct RawTimer {
    _opaque: [u8; 0],
}

extern "C" {
    fn ndis_shim_timer_new(function: TimerFunction, gfp: bindings::gfp_t) -> *mut RawTimer;
    fn ndis_shim_timer_set(
        timer: *mut RawTimer,
        delay_ns: u64,
        period_ns: u64,
        context: *mut c_void,
    ) -> bool;
    fn ndis_shim_timer_cancel(timer: *mut RawTimer, wait: bool) -> bool;
    fn ndis_shim_timer_free(timer: *mut RawTimer);
    fn ndis_shim_system_time() -> i64;
}

/// `NDIS_TIMER_CHARACTERISTICS`, decoded and validated.
pub(crate) struct TimerCharacteristics {
    pub(crate) function: TimerFunction,
    /// The default `FunctionContext`.
    pub(crate) context: *mut c_void,
}

/// Validates `NDIS_TIMER_CHARACTERISTICS` (`Header`: type, revision, size;
/// `TimerFunction`): else `NDIS_STATUS_BAD_CHARACTERISTICS`, "the
/// information in the NDIS_TIMER_CHARACTERISTICS structure is invalid"
/// (learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisallocatetimerobject).
pub(crate) fn characteristics(
    (header_type, revision, size): (u8, u8, u16),
    function: abi::PNDIS_TIMER_FUNCTION,
    context: *mut c_void,
) -> NdisResult<TimerCharacteristics> {
    if u32::from(header_type) != abi::NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS
        || u32::from(revision) < abi::NDIS_TIMER_CHARACTERISTICS_REVISION_1
        || usize::from(size) < abi::NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 as usize
    {
        return Err(Error::BadCharacteristics);
    }
    let function = function.ok_or(Error::BadCharacteristics)?;
    Ok(TimerCharacteristics { function, context })
}

/// A timer object.
///
/// # Invariants
///
/// `raw` was returned by `ndis_shim_timer_new` and is freed once, in `Drop`.
pub(crate) struct TimerObject {
    /// The adapter or miniport driver that owns it.
    owner: Handle,
    raw: NonNull<RawTimer>,
    /// `FunctionContext` of the characteristics: a Set's NULL context.
    default_context: *mut c_void,
    /// `NdisFreeTimerObject` was called: no call may use it any more.
    freed: Atomic<bool>,
    /// An NDIS 5 timer (`NDIS_MINIPORT_TIMER`, `NDIS_TIMER`): there is no
    /// call to free one, so its owner's release is its end.
    ndis5: bool,
}

// SAFETY: `KIND` `Timer` is implemented by `TimerObject` only.
unsafe impl InRegistry for TimerObject {
    const KIND: HandleKind = HandleKind::Timer;

    /// Disarms the timer and waits for a running timer function: no call
    /// can arm it again (its handle names nothing and the calls that found
    /// it before are done), so its function never runs after this.
    fn release(&self) {
        // SAFETY: live (type invariant); owners let go in process context,
        // never in the timer's own callback.
        unsafe { ndis_shim_timer_cancel(self.raw.as_ptr(), true) };
    }
}

// SAFETY: the C object serialises its own state under its spin lock; the
// context pointer is only handed back to the miniport.
unsafe impl Send for TimerObject {}
// SAFETY: the C calls `&TimerObject` allows on `raw` (set, cancel) take the
// object's spin lock, so CPUs may make them at once; `freed` is atomic and
// the rest is never written after allocation.
unsafe impl Sync for TimerObject {}

impl Drop for TimerObject {
    fn drop(&mut self) {
        // SAFETY: by the type invariant, allocated and not yet freed. The
        // last reference goes in process context (`Registered`'s drop
        // waits for a grace period first), never in the timer's callback,
        // so waiting for the callback cannot wait for itself.
        unsafe { ndis_shim_timer_free(self.raw.as_ptr()) };
    }
}

global_lock! {
    // SAFETY: `init` runs in module init, before any entry point is callable.
    unsafe(uninit) static TIMERS: SpinLockIrq<KVec<Registered<TimerObject>>> = KVec::new();
}

/// Initializes the table's lock. Called once, from module init.
pub(crate) fn init() {
    // SAFETY: called once, from module init, before any other use.
    unsafe { TIMERS.init() };
}

/// Lets go of the table's memory at module unload (every owner is gone,
/// so it holds no timer): statics are never dropped.
pub(crate) fn exit() {
    let timers = core::mem::take(&mut *TIMERS.lock());
    // Unlocked: a timer left would wait for a grace period.
    drop(timers);
}

/// `NdisAllocateTimerObject` for the adapter or driver `owner` names (the
/// caller has checked it names one: this module knows neither).
/// `NDIS_STATUS_RESOURCES` without memory or handles. `<= DISPATCH_LEVEL`.
pub(crate) fn allocate(owner: Handle, c: TimerCharacteristics) -> NdisResult<Handle> {
    allocate_kind(owner, c, false)
}

/// `NdisMInitializeTimer` / `NdisInitializeTimer`: a timer object for
/// `owner` (an adapter or miniport driver) whose function runs with
/// `c.context` (NDIS 5 sets carry no context). PASSIVE.
pub(crate) fn allocate_ndis5(owner: Handle, c: TimerCharacteristics) -> NdisResult<Handle> {
    allocate_kind(owner, c, true)
}

fn allocate_kind(owner: Handle, c: TimerCharacteristics, ndis5: bool) -> NdisResult<Handle> {
    if memory::may_sleep() {
        reap();
    }
    // SAFETY: `function` is the miniport's, loaded until its owner is
    // released, which frees the timer first.
    let raw = unsafe { ndis_shim_timer_new(c.function, memory::gfp()) };
    // INVARIANT: just allocated.
    let object = TimerObject {
        owner,
        raw: NonNull::new(raw).ok_or(Error::Resources)?,
        default_context: c.context,
        freed: Atomic::new(false),
        ndis5,
    };
    let object = Arc::new(object, memory::alloc_flags()).map_err(|_| Error::Resources)?;
    let mut timers = TIMERS.lock();
    // Atomic: the lock turns interrupts off.
    timers.reserve(1, GFP_ATOMIC | __GFP_NOWARN)?;
    // Never dropped here once made: its drop sleeps.
    let registered = Registered::new(object)?;
    let handle = registered.handle();
    // Cannot fail: reserved above, under the same lock.
    if let Err(r) = timers.push_within_capacity(registered) {
        drop(timers);
        drop(r);
        return Err(Error::Resources);
    }
    Ok(handle)
}

/// Nanoseconds from now to `due`: negative is relative in 100 ns units,
/// otherwise an absolute system time (100 ns since 1601), already past
/// meaning now (`NdisSetTimerObject`'s `DueTime`).
fn delay_ns(due: i64) -> u64 {
    let ticks = if due < 0 {
        due.unsigned_abs()
    } else {
        // SAFETY: reads the clock; no requirement.
        let now = unsafe { ndis_shim_system_time() };
        due.saturating_sub(now).max(0) as u64
    };
    ticks.saturating_mul(100)
}

/// `NdisSetTimerObject`: `Ok(true)` if the timer was "already in the system
/// timer queue"
/// (learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndissettimerobject).
/// A NULL `context` uses the characteristics' `FunctionContext`, as the
/// page says. `InvalidParameter` (to be counted) for an unknown or freed
/// timer or a negative period. `<= DISPATCH_LEVEL`; never sleeps.
pub(crate) fn set(h: Handle, due: i64, period_ms: i32, context: *mut c_void) -> NdisResult<bool> {
    let period_ns = u64::try_from(period_ms).map_err(|_| Error::InvalidParameter)? * 1_000_000;
    let timer = registry::find::<TimerObject>(h).ok_or(Error::InvalidParameter)?;
    if timer.freed.load(Relaxed) {
        return Err(Error::InvalidParameter);
    }
    let context = if context.is_null() {
        timer.default_context
    } else {
        context
    };
    // SAFETY: `raw` is live while the object is (type invariant), and the
    // lookup keeps the object alive.
    Ok(unsafe { ndis_shim_timer_set(timer.raw.as_ptr(), delay_ns(due), period_ns, context) })
}

/// `NdisCancelTimerObject`: `Ok(true)` if the timer "is in the system
/// timer queue", now dequeued: its function will not run for that setting
/// (learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndiscanceltimerobject).
/// At PASSIVE_LEVEL it also waits for a running timer function, which the
/// page requires for a periodic timer (there it flushes the DPCs); at
/// DISPATCH_LEVEL it never waits. `InvalidParameter` for an unknown or
/// freed timer.
pub(crate) fn cancel(h: Handle) -> NdisResult<bool> {
    if memory::may_sleep() {
        // A reference of our own: the wait happens outside the lookup.
        let timer = registry::lookup::<TimerObject>(h).ok_or(Error::InvalidParameter)?;
        if timer.freed.load(Relaxed) {
            return Err(Error::InvalidParameter);
        }
        // SAFETY: live (type invariant; we hold a reference); process
        // context, so not the timer's own callback.
        return Ok(unsafe { ndis_shim_timer_cancel(timer.raw.as_ptr(), true) });
    }
    let timer = registry::find::<TimerObject>(h).ok_or(Error::InvalidParameter)?;
    if timer.freed.load(Relaxed) {
        return Err(Error::InvalidParameter);
    }
    // SAFETY: live (type invariant; the lookup keeps it alive).
    Ok(unsafe { ndis_shim_timer_cancel(timer.raw.as_ptr(), false) })
}

/// `NdisFreeTimerObject`: disarms the timer; at PASSIVE_LEVEL lets it go at
/// once (waiting for a running timer function), at DISPATCH_LEVEL (the
/// page's IRQL is `<= DISPATCH_LEVEL`,
/// learn.microsoft.com/windows-hardware/drivers/ddi/ndis/nf-ndis-ndisfreetimerobject)
/// marks it freed, to be let go at the next PASSIVE_LEVEL timer call or
/// its owner's release. `InvalidParameter` for an unknown or already
/// freed timer.
pub(crate) fn free(h: Handle) -> NdisResult {
    let passive = memory::may_sleep();
    {
        let timer = registry::find::<TimerObject>(h).ok_or(Error::InvalidParameter)?;
        if timer.freed.xchg(true, Relaxed) {
            return Err(Error::InvalidParameter);
        }
        // SAFETY: live (type invariant; the lookup keeps it alive). No wait:
        // this may be the timer's own function.
        unsafe { ndis_shim_timer_cancel(timer.raw.as_ptr(), false) };
    }
    if passive {
        reap();
    }
    Ok(())
}

/// Frees the NDIS 5 timer `h` names if `owner` owns it: a second
/// `NdisMInitializeTimer` / `NdisInitializeTimer` on the same structure
/// replaces the timer it held (which never runs again). Anything else `h`
/// may be (a stale or garbage value) is left alone. PASSIVE.
pub(crate) fn replace_ndis5(h: Handle, owner: Handle) {
    let mine = registry::find::<TimerObject>(h).is_some_and(|t| t.ndis5 && t.owner == owner);
    if mine {
        // Cannot fail but by a racing free, which is as good.
        let _ = free(h);
    }
}

/// Takes the first entry `pick` chooses out of the table.
fn take(pick: impl Fn(&TimerObject) -> bool) -> Option<Registered<TimerObject>> {
    let mut timers = TIMERS.lock();
    let i = timers.iter().position(|r| pick(r.object()))?;
    timers.remove(i).ok()
}

/// Lets go of every timer freed at DISPATCH_LEVEL. PASSIVE.
fn reap() {
    while let Some(r) = take(|t| t.freed.load(Relaxed)) {
        // Unlocked: the handle goes, a grace period, the timer waited for.
        drop(r);
    }
}

/// What [`release_owned`] found.
pub(crate) struct Released {
    /// NDIS 6 timer objects the miniport had not freed.
    pub(crate) unfreed: usize,
    /// NDIS 5 timers still armed (the miniport had not cancelled them).
    pub(crate) armed_ndis5: usize,
}

/// Lets go of every timer `owner` (an adapter or miniport driver) holds:
/// disarmed and waited for, so no timer function of the owner runs once
/// this returns. PASSIVE.
pub(crate) fn release_owned(owner: Handle) -> Released {
    let mut released = Released {
        unfreed: 0,
        armed_ndis5: 0,
    };
    while let Some(r) = take(|t| t.owner == owner) {
        let t = r.object();
        if t.ndis5 {
            // SAFETY: live (type invariant); process context, not the
            // timer's own callback.
            if unsafe { ndis_shim_timer_cancel(t.raw.as_ptr(), true) } {
                released.armed_ndis5 += 1;
            }
        } else if !t.freed.load(Relaxed) {
            released.unfreed += 1;
        }
        drop(r);
    }
    released
}
