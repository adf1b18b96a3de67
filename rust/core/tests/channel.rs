//! Channel state machine against mock mapper and controller: every bad-input
//! row of the Setup/Complete/ReadCounter/Deregister tables.

mod common;

use common::{mocks, MockMapping};
use ndis_core::channel::{
    Channel, ChannelState, Completed, Completion, Counters, Direction, Flush, Mapping,
    SetupRefusal, ShutdownProgress, TransferRecord,
};
use ndis_core::mdl::{MdlView, VaRange};
use ndis_core::status::{to_status, NdisStatus};

const MAX: u32 = 4096;
const VIEW: MdlView = MdlView {
    start_va: 0x7000,
    byte_offset: 0x100,
    byte_count: 8192,
};
const RX: TransferRecord = TransferRecord {
    mdl: 0xdead_0000,
    offset: 16,
    length: 1500,
    dir: Direction::FromDevice,
};

fn chan() -> Channel<MockMapping> {
    Channel::new(MAX)
}

const fn matched(completion: Completion) -> Completed {
    Completed {
        completion,
        flush: Flush::Matched,
    }
}

/// Setup's status as NDIS reports it.
fn setup_status(r: Result<(), SetupRefusal>) -> NdisStatus {
    to_status(r.map_err(SetupRefusal::error))
}

#[test]
fn setup_complete_coherent_rx() {
    let (sh, mut p, mut c) = mocks();
    let mut ch = chan();
    assert_eq!(ch.setup(&mut p, &mut c, &VIEW, RX), Ok(()));
    assert!(ch.is_busy());
    assert_eq!(ch.record(), Some(&RX));
    assert_eq!(
        p.last,
        Some((
            VaRange {
                start: 0x7000 + 0x100 + 16,
                len: 1500
            },
            Direction::FromDevice
        ))
    );
    assert_eq!(
        c.last_start,
        Some((0x8000_0000 + 0x7110, 1500, Direction::FromDevice))
    );
    assert_eq!(sh.live.get(), 1);
    c.finish();
    let done = ch.complete(&mut c, &RX);
    assert_eq!(done, matched(Completion::Coherent));
    assert_eq!(done.completion.status(), NdisStatus::SUCCESS);
    assert_eq!(sh.finished.get(), 1, "device-to-host data synced for CPU");
    assert_eq!(sh.live.get(), 0);
    assert_eq!(ch.state(), ChannelState::Idle);
    assert_eq!(
        ch.counters(),
        Counters {
            setups: 1,
            completes: 1,
            rejected: 0,
            invalid_length: 0,
            mismatched: 0,
            incoherent: 0
        }
    );
}

#[test]
fn tx_complete_does_not_sync_for_cpu() {
    let (sh, mut p, mut c) = mocks();
    let mut ch = chan();
    let tx = TransferRecord {
        dir: Direction::ToDevice,
        ..RX
    };
    ch.setup(&mut p, &mut c, &VIEW, tx).unwrap();
    // Complete stops the engine even if it had not finished.
    assert_eq!(ch.complete(&mut c, &tx), matched(Completion::Coherent));
    assert_eq!(sh.finished.get(), 0);
    assert_eq!(sh.live.get(), 0);
}

#[test]
fn setup_argument_errors_do_not_touch_state() {
    let (sh, mut p, mut c) = mocks();
    let mut ch = chan();
    let cases = [
        (
            TransferRecord { length: 0, ..RX },
            SetupRefusal::InvalidLength,
        ),
        (
            TransferRecord {
                length: MAX + 1,
                ..RX
            },
            SetupRefusal::InvalidLength,
        ),
        (
            TransferRecord {
                offset: u32::MAX - 10,
                length: 100,
                ..RX
            },
            SetupRefusal::InvalidRange,
        ),
        (
            TransferRecord {
                offset: 8192 - 10,
                length: 11,
                ..RX
            },
            SetupRefusal::InvalidRange,
        ),
    ];
    for (req, why) in cases {
        let got = ch.setup(&mut p, &mut c, &VIEW, req);
        assert_eq!(got, Err(why), "{req:?}");
        // NdisMSetupDmaTransfer: "... or because the given Length is
        // invalid" -> NDIS_STATUS_RESOURCES.
        assert_eq!(setup_status(got), NdisStatus::RESOURCES);
        assert_eq!(ch.state(), ChannelState::Idle);
        assert_eq!(sh.maps.get(), 0);
        assert_eq!(c.starts, 0);
    }
    // Address overflow in StartVa + ByteOffset + Offset.
    let high = MdlView {
        start_va: usize::MAX - 0xfff,
        byte_offset: 0xff0,
        byte_count: 0x100,
    };
    let req = TransferRecord {
        offset: 0x20,
        length: 1,
        ..RX
    };
    assert_eq!(
        ch.setup(&mut p, &mut c, &high, req),
        Err(SetupRefusal::InvalidRange)
    );
    assert_eq!(ch.counters().rejected, 5);
    assert_eq!(ch.counters().invalid_length, 5);

    // Argument errors are counted as such on a busy channel too, and leave
    // the transfer alone.
    ch.setup(&mut p, &mut c, &VIEW, RX).unwrap();
    let bad = TransferRecord { length: 0, ..RX };
    assert_eq!(
        ch.setup(&mut p, &mut c, &VIEW, bad),
        Err(SetupRefusal::InvalidLength)
    );
    assert_eq!(ch.counters().invalid_length, 6);
    assert_eq!(ch.record(), Some(&RX));
    assert_eq!(sh.live.get(), 1);
}

#[test]
fn setup_while_busy_is_resources() {
    let (sh, mut p, mut c) = mocks();
    let mut ch = chan();
    ch.setup(&mut p, &mut c, &VIEW, RX).unwrap();
    let other = TransferRecord { mdl: 1, ..RX };
    let got = ch.setup(&mut p, &mut c, &VIEW, other);
    assert_eq!(got, Err(SetupRefusal::InProgress));
    // NdisMSetupDmaTransfer: "the channel ... is currently in use".
    assert_eq!(setup_status(got), NdisStatus::RESOURCES);
    assert_eq!(ch.record(), Some(&RX));
    assert_eq!(sh.live.get(), 1);
    assert_eq!(c.starts, 1);
}

#[test]
fn map_failure_partial_map_and_start_failure_are_resources() {
    let (sh, mut p, mut c) = mocks();
    let mut ch = chan();
    p.fail = true;
    assert_eq!(
        ch.setup(&mut p, &mut c, &VIEW, RX),
        Err(SetupRefusal::MapFailed)
    );
    p.fail = false;
    p.short = true;
    assert_eq!(
        ch.setup(&mut p, &mut c, &VIEW, RX),
        Err(SetupRefusal::MapFailed)
    );
    assert_eq!(c.starts, 0, "engine never started on a partial mapping");
    p.short = false;
    c.start_fails = true;
    let got = ch.setup(&mut p, &mut c, &VIEW, RX);
    assert_eq!(got, Err(SetupRefusal::StartRefused));
    assert_eq!(setup_status(got), NdisStatus::RESOURCES);
    assert_eq!(sh.live.get(), 0);
    assert_eq!(ch.state(), ChannelState::Idle);
    c.start_fails = false;
    assert_eq!(ch.setup(&mut p, &mut c, &VIEW, RX), Ok(()));
    assert_eq!(ch.counters().rejected, 3);
    assert_eq!(ch.counters().invalid_length, 0);
}

#[test]
fn complete_without_setup_and_twice() {
    let (sh, mut p, mut c) = mocks();
    let mut ch = chan();
    // NdisMCompleteDmaTransfer: Windows flushes what it is given; with
    // nothing in progress there is nothing to flush: SUCCESS. Counted.
    let none = Completed {
        completion: Completion::Coherent,
        flush: Flush::NothingInProgress,
    };
    assert_eq!(ch.complete(&mut c, &RX), none);
    assert_eq!(c.stops, 0);
    ch.setup(&mut p, &mut c, &VIEW, RX).unwrap();
    assert_eq!(ch.complete(&mut c, &RX), matched(Completion::Coherent));
    assert_eq!(ch.complete(&mut c, &RX), none);
    assert_eq!(none.completion.status(), NdisStatus::SUCCESS);
    assert_eq!(sh.live.get(), 0);
    assert_eq!(c.stops, 1);
    assert_eq!(ch.counters().rejected, 2);
    assert_eq!(ch.counters().completes, 1);
}

#[test]
fn complete_mismatch_completes_the_recorded_transfer() {
    let wrong = [
        TransferRecord {
            mdl: RX.mdl + 1,
            ..RX
        },
        TransferRecord { offset: 17, ..RX },
        TransferRecord { length: 1499, ..RX },
        TransferRecord {
            dir: Direction::ToDevice,
            ..RX
        },
    ];
    for (i, w) in wrong.into_iter().enumerate() {
        let (sh, mut p, mut c) = mocks();
        let mut ch = chan();
        ch.setup(&mut p, &mut c, &VIEW, RX).unwrap();
        c.finish();
        let done = ch.complete(&mut c, &w);
        assert_eq!(
            done,
            Completed {
                completion: Completion::Coherent,
                flush: Flush::Mismatched
            },
            "{w:?}"
        );
        // NdisMCompleteDmaTransfer: the flush succeeded -> SUCCESS.
        assert_eq!(done.completion.status(), NdisStatus::SUCCESS);
        assert_eq!(ch.state(), ChannelState::Idle, "channel not wedged");
        assert_eq!(sh.live.get(), 0);
        // The recorded direction, not the one given: device-to-host data
        // is synced for the CPU even when Complete said "to device".
        assert_eq!(sh.finished.get(), 1, "{i}");
        assert_eq!(ch.counters().mismatched, 1);
        assert_eq!(ch.counters().rejected, 0);
        // The next transfer is accepted.
        assert_eq!(ch.setup(&mut p, &mut c, &VIEW, RX), Ok(()));
    }
}

#[test]
fn complete_mismatch_while_busy_drains() {
    let (sh, mut p, mut c) = mocks();
    let mut ch = chan();
    ch.setup(&mut p, &mut c, &VIEW, RX).unwrap();
    c.stay_busy = true;
    let done = ch.complete(&mut c, &TransferRecord { offset: 0, ..RX });
    assert_eq!(done.completion, Completion::MaybeIncoherent);
    assert_eq!(done.flush, Flush::Mismatched);
    assert_eq!(ch.state(), ChannelState::Draining);
    assert_eq!(sh.live.get(), 1);
    c.stay_busy = false;
    c.finish();
    assert_eq!(ch.setup(&mut p, &mut c, &VIEW, RX), Ok(()));
    assert_eq!(sh.unmapped_while_busy.get(), 0);
}

#[test]
fn complete_while_engine_busy_drains_until_idle() {
    let (sh, mut p, mut c) = mocks();
    let mut ch = chan();
    ch.setup(&mut p, &mut c, &VIEW, RX).unwrap();
    c.stay_busy = true;
    let done = ch.complete(&mut c, &RX);
    assert_eq!(done, matched(Completion::MaybeIncoherent));
    assert_eq!(done.completion.status(), NdisStatus::RESOURCES);
    assert!(!ch.is_busy(), "channel released");
    assert_eq!(ch.state(), ChannelState::Draining);
    assert_eq!(sh.live.get(), 1, "mapping kept while the device may write");
    assert_eq!(sh.finished.get(), 0);
    // The residue at Complete: the engine had moved nothing.
    assert_eq!(ch.read_counter(&c), 1500);
    // A second Complete flushes nothing new: still possibly incoherent.
    assert_eq!(
        ch.complete(&mut c, &RX).completion,
        Completion::MaybeIncoherent
    );
    assert!(!ch.reap(&c));
    assert_eq!(sh.live.get(), 1);
    c.stay_busy = false;
    c.finish();
    assert!(ch.reap(&c));
    assert_eq!(sh.live.get(), 0);
    assert_eq!(sh.unmapped_while_busy.get(), 0);
    assert!(ch.reap(&c), "reap on idle is a no-op");
    assert_eq!(ch.counters().incoherent, 1);
    assert_eq!(ch.counters().completes, 1);
}

#[test]
fn setup_while_draining() {
    let (sh, mut p, mut c) = mocks();
    let mut ch = chan();
    ch.setup(&mut p, &mut c, &VIEW, RX).unwrap();
    c.stay_busy = true;
    ch.complete(&mut c, &RX);
    assert_eq!(
        ch.setup(&mut p, &mut c, &VIEW, RX),
        Err(SetupRefusal::Draining)
    );
    assert_eq!(ch.state(), ChannelState::Draining);
    assert_eq!(sh.live.get(), 1);
    // Engine goes idle: the next setup reaps and proceeds.
    c.stay_busy = false;
    c.finish();
    assert_eq!(ch.setup(&mut p, &mut c, &VIEW, RX), Ok(()));
    assert_eq!(sh.live.get(), 1);
    assert_eq!(sh.maps.get(), 2);
    assert_eq!(sh.unmapped_while_busy.get(), 0);
}

#[test]
fn read_counter_mid_transfer_and_after() {
    let (_sh, mut p, mut c) = mocks();
    let mut ch = chan();
    assert_eq!(ch.read_counter(&c), 0);
    ch.setup(&mut p, &mut c, &VIEW, RX).unwrap();
    assert_eq!(ch.read_counter(&c), 1500);
    c.finish();
    assert_eq!(ch.read_counter(&c), 0);
    ch.complete(&mut c, &RX);
    assert_eq!(ch.read_counter(&c), 0);
}

/// NdisMReadDmaCounter after Complete: a subordinate receive path learns
/// how much arrived (`EndOfData = Offset + Length - Counter`).
#[test]
fn read_counter_after_complete_keeps_the_residue_until_setup() {
    let (_sh, mut p, mut c) = mocks();
    let mut ch = chan();
    c.short = 1000;
    ch.setup(&mut p, &mut c, &VIEW, RX).unwrap();
    c.finish();
    assert_eq!(ch.complete(&mut c, &RX), matched(Completion::Coherent));
    let counter = ch.read_counter(&c);
    assert_eq!(counter, 1000);
    assert_eq!(RX.offset + RX.length - counter, 16 + 500);
    // Stays until the next Setup (a refused one changes nothing)...
    assert_eq!(ch.read_counter(&c), 1000);
    let bad = TransferRecord { length: 0, ..RX };
    assert!(ch.setup(&mut p, &mut c, &VIEW, bad).is_err());
    assert_eq!(ch.read_counter(&c), 1000);
    // ... which reads the new transfer's counter.
    c.short = 0;
    ch.setup(&mut p, &mut c, &VIEW, RX).unwrap();
    assert_eq!(ch.read_counter(&c), 1500);
    c.finish();
    ch.complete(&mut c, &RX);
    assert_eq!(ch.read_counter(&c), 0);
}

#[test]
fn shutdown_idle_inflight_and_busy() {
    let (sh, mut p, mut c) = mocks();
    let mut ch = chan();
    assert_eq!(ch.shutdown(&mut c), ShutdownProgress::Done);

    ch.setup(&mut p, &mut c, &VIEW, RX).unwrap();
    assert_eq!(ch.shutdown(&mut c), ShutdownProgress::Done);
    assert_eq!(sh.live.get(), 0);

    ch.setup(&mut p, &mut c, &VIEW, RX).unwrap();
    c.stay_busy = true;
    for _ in 0..3 {
        assert_eq!(ch.shutdown(&mut c), ShutdownProgress::WaitForIdle);
        assert_eq!(ch.state(), ChannelState::Draining);
        assert_eq!(sh.live.get(), 1);
    }
    c.stay_busy = false;
    assert_eq!(ch.shutdown(&mut c), ShutdownProgress::Done);
    assert_eq!(sh.live.get(), 0);
    assert_eq!(sh.unmapped_while_busy.get(), 0);
    assert_eq!(sh.finished.get(), 0, "an abandoned transfer is not synced");
}

#[test]
fn abandon_hands_back_the_mapping() {
    let (sh, mut p, mut c) = mocks();
    let mut ch = chan();
    ch.setup(&mut p, &mut c, &VIEW, RX).unwrap();
    c.stay_busy = true;
    assert_eq!(ch.shutdown(&mut c), ShutdownProgress::WaitForIdle);
    let m = ch.abandon().expect("mapping still held");
    assert_eq!(m.dir, Direction::FromDevice);
    assert_eq!(sh.live.get(), 1);
    // The kernel side leaks it deliberately.
    core::mem::forget(m);
    assert_eq!(chan().abandon().map(|_| ()), None);
}

#[test]
fn dropping_a_channel_never_unmaps_under_the_device() {
    let (sh, mut p, mut c) = mocks();
    let mut ch = chan();
    ch.setup(&mut p, &mut c, &VIEW, RX).unwrap();
    drop(ch);
    assert_eq!(sh.unmapped_while_busy.get(), 0);
    assert_eq!(sh.live.get(), 1, "leaked, not unmapped");
}

/// What debugfs's view shows: the mapping the device was given, while the
/// channel holds it (in progress, then draining), and nothing once idle.
#[test]
fn mapping_is_shown_while_held() {
    let (_sh, mut p, mut c) = mocks();
    let mut ch = chan();
    assert!(ch.mapping().is_none());
    ch.setup(&mut p, &mut c, &VIEW, RX).unwrap();
    let (started_at, len, _) = c.last_start.unwrap();
    let m = ch.mapping().expect("in progress: mapped");
    assert_eq!(m.device_address(), started_at);
    assert_eq!(m.len(), len as usize);
    c.stay_busy = true;
    ch.complete(&mut c, &RX);
    assert_eq!(ch.state(), ChannelState::Draining);
    assert_eq!(ch.record(), None);
    assert_eq!(ch.mapping().map(|m| m.device_address()), Some(started_at));
    c.stay_busy = false;
    c.finish();
    assert!(ch.reap(&c));
    assert!(ch.mapping().is_none());
}
