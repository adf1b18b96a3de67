// SPDX-License-Identifier: GPL-2.0

//! The last resort for a DMA engine that never reports idle (a device that
//! hung or vanished): the shim turns the PCI function's bus mastering off
//! and reads the command register back. A function whose Bus Master Enable
//! reads 0 cannot write memory any more, and the read's completion cannot
//! overtake the function's earlier posted writes; a function that answers
//! with all ones is gone. Either way the memory its engine was given can be
//! unmapped and freed. Only if the bit still reads 1 from a function that
//! answers is the memory leaked, on purpose.

use kernel::{
    bindings,
    sync::atomic::{Atomic, Relaxed},
};

use crate::adapter_core::AdapterCore;

/// What the command register said after bus mastering was turned off.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fence {
    /// Bus Master Enable reads 0.
    Off,
    /// The function does not answer (config reads return all ones).
    Gone,
    /// Bus Master Enable still reads 1.
    StillOn,
}

impl Fence {
    /// Whether the function can no longer reach memory.
    pub(crate) fn holds(self) -> bool {
        self != Self::StillOn
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Off => "bus mastering turned off",
            Self::Gone => "device not answering",
            Self::StillOn => "bus mastering still on",
        }
    }
}

/// Channels released behind a fence, and mappings leaked because the fence
/// did not hold (debugfs `ndis_shim/fenced`).
static RELEASED: Atomic<u64> = Atomic::new(0);
static LEAKED: Atomic<u64> = Atomic::new(0);

/// Turns bus mastering of `adapter`'s function off and says whether it is
/// off. The adapter starts no further transfer until it is probed again.
/// PASSIVE.
pub(crate) fn bus_master_off(adapter: &AdapterCore) -> Fence {
    adapter.mark_fenced();
    let pdev = adapter.pci_dev();
    let mut cmd: u16 = 0;
    // SAFETY: the adapter's device is bound (type invariant of `Adapter`);
    // config space accessors do not sleep and tolerate a vanished device.
    let ret = unsafe {
        bindings::pci_clear_master(pdev);
        bindings::pci_read_config_word(pdev, bindings::PCI_COMMAND as i32, &mut cmd)
    };
    if ret != 0 || cmd == u16::MAX {
        Fence::Gone
    } else if u32::from(cmd) & bindings::PCI_COMMAND_MASTER != 0 {
        Fence::StillOn
    } else {
        Fence::Off
    }
}

/// Counts one channel whose memory was released (`true`) or leaked.
pub(crate) fn count(released: bool) {
    if released {
        RELEASED.fetch_add(1, Relaxed);
    } else {
        LEAKED.fetch_add(1, Relaxed);
    }
}

/// (released behind a fence, leaked) so far.
pub(crate) fn counts() -> (u64, u64) {
    (RELEASED.load(Relaxed), LEAKED.load(Relaxed))
}
