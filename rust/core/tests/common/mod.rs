//! Mock kernel pieces shared by the integration tests.
//!
//! The mapper, its mappings and the controller share one [`Shared`] record so
//! that a mapping dropped (unmapped) while the engine is busy is detected, and
//! leaked or double-held mappings show up in `live`.

#![allow(dead_code)]

use core::cell::Cell;
use ndis_core::channel::{Controller, Direction, EngineState, Mapper, Mapping};
use ndis_core::mdl::VaRange;
use ndis_core::status::{Error, Result};
use std::rc::Rc;

/// State shared by the mocks.
#[derive(Default)]
pub struct Shared {
    /// Mappings currently alive (mapped and not yet dropped).
    pub live: Cell<i32>,
    /// Total successful maps.
    pub maps: Cell<u32>,
    /// Calls to `finish_for_cpu`.
    pub finished: Cell<u32>,
    /// Whether the engine may be accessing memory.
    pub busy: Cell<bool>,
    /// Mappings dropped while `busy`: must stay 0.
    pub unmapped_while_busy: Cell<u32>,
}

pub struct MockMapping {
    shared: Rc<Shared>,
    addr: u64,
    len: usize,
    pub dir: Direction,
}

impl Mapping for MockMapping {
    fn device_address(&self) -> u64 {
        self.addr
    }
    fn len(&self) -> usize {
        self.len
    }
    fn finish_for_cpu(&mut self) {
        assert!(!self.shared.busy.get(), "finish_for_cpu while engine busy");
        self.shared.finished.set(self.shared.finished.get() + 1);
    }
}

impl Drop for MockMapping {
    fn drop(&mut self) {
        if self.shared.busy.get() {
            self.shared
                .unmapped_while_busy
                .set(self.shared.unmapped_while_busy.get() + 1);
        }
        self.shared.live.set(self.shared.live.get() - 1);
    }
}

pub struct MockMapper {
    pub shared: Rc<Shared>,
    /// Make the next maps fail.
    pub fail: bool,
    /// Map one byte less than asked (partial mapping).
    pub short: bool,
    pub last: Option<(VaRange, Direction)>,
}

impl Mapper for MockMapper {
    type Mapping = MockMapping;
    fn map(&mut self, range: VaRange, dir: Direction) -> Result<MockMapping> {
        if self.fail {
            return Err(Error::Resources);
        }
        self.last = Some((range, dir));
        self.shared.live.set(self.shared.live.get() + 1);
        self.shared.maps.set(self.shared.maps.get() + 1);
        Ok(MockMapping {
            shared: self.shared.clone(),
            addr: 0x8000_0000 + range.start as u64,
            len: if self.short { range.len - 1 } else { range.len },
            dir,
        })
    }
}

pub struct MockController {
    pub shared: Rc<Shared>,
    /// `stop` cannot stop the engine while set.
    pub stay_busy: bool,
    /// `start` fails while set.
    pub start_fails: bool,
    pub len: u32,
    /// Bytes the engine leaves unmoved (a receive shorter than the buffer):
    /// the residue once it stopped.
    pub short: u32,
    pub starts: u32,
    pub stops: u32,
    pub last_start: Option<(u64, u32, Direction)>,
}

impl MockController {
    /// The engine finishes its transfer by itself (unless stuck).
    pub fn finish(&mut self) {
        if !self.stay_busy {
            self.shared.busy.set(false);
        }
    }
}

impl Controller for MockController {
    fn start(&mut self, device_address: u64, len: u32, dir: Direction) -> Result {
        assert!(!self.shared.busy.get(), "start while engine busy");
        if self.start_fails {
            return Err(Error::Failure);
        }
        self.starts += 1;
        self.len = len;
        self.last_start = Some((device_address, len, dir));
        self.shared.busy.set(true);
        Ok(())
    }
    fn stop(&mut self) -> EngineState {
        self.stops += 1;
        if !self.stay_busy {
            self.shared.busy.set(false);
        }
        self.state()
    }
    fn residue(&self) -> u32 {
        // Like the edu device: the count does not go down while running.
        if self.shared.busy.get() {
            self.len
        } else {
            self.short
        }
    }
    fn state(&self) -> EngineState {
        if self.shared.busy.get() {
            EngineState::Busy
        } else {
            EngineState::Idle
        }
    }
}

/// A fresh mapper and controller sharing one record.
pub fn mocks() -> (Rc<Shared>, MockMapper, MockController) {
    let shared = Rc::new(Shared::default());
    let mapper = MockMapper {
        shared: shared.clone(),
        fail: false,
        short: false,
        last: None,
    };
    let ctl = MockController {
        shared: shared.clone(),
        stay_busy: false,
        start_fails: false,
        len: 0,
        short: 0,
        starts: 0,
        stops: 0,
        last_start: None,
    };
    (shared, mapper, ctl)
}
