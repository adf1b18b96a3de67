//! Deterministic randomized call sequences against the channel, checked
//! against a simple model. A failure message names the seed and step; rerun
//! that seed alone by editing `SEEDS`.

mod common;

use common::{mocks, MockMapping};
use ndis_core::channel::{
    Channel, ChannelState, Completed, Completion, Counters, Direction, Flush, SetupRefusal,
    ShutdownProgress, TransferRecord,
};
use ndis_core::mdl::MdlView;

/// xorshift64: tiny, deterministic, good enough to pick calls.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

const SEEDS: [u64; 16] = [
    1,
    2,
    3,
    42,
    0xdead_beef,
    0x1234_5678_9abc_def0,
    7,
    99,
    1000,
    31337,
    0xffff_ffff,
    0x8000_0000_0000_0000,
    5,
    11,
    0xcafe,
    0x5eed,
];
const STEPS: usize = 5000;
const MAX: u32 = 256;
const MDLS: [MdlView; 2] = [
    MdlView {
        start_va: 0x1000,
        byte_offset: 0x10,
        byte_count: 300,
    },
    MdlView {
        start_va: 0x9000,
        byte_offset: 0,
        byte_count: 100,
    },
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Model {
    Idle,
    InProgress(TransferRecord),
    Draining,
}

/// Picks a request: mostly small valid-ish values, sometimes extreme ones.
fn random_req(rng: &mut XorShift) -> (usize, TransferRecord) {
    let which = rng.below(2) as usize;
    let offset = match rng.below(8) {
        0 => u32::MAX - rng.below(4) as u32,
        _ => rng.below(320) as u32,
    };
    let length = match rng.below(8) {
        0 => 0,
        1 => MAX + rng.below(4) as u32,
        2 => u32::MAX,
        _ => rng.below(MAX as u64) as u32 + 1,
    };
    let dir = if rng.chance(2) {
        Direction::ToDevice
    } else {
        Direction::FromDevice
    };
    (
        which,
        TransferRecord {
            mdl: which,
            offset,
            length,
            dir,
        },
    )
}

/// The argument check as documented, written independently of `mdl.rs`.
fn expected_arg_error(view: &MdlView, r: &TransferRecord) -> Option<SetupRefusal> {
    if r.length == 0 || r.length > MAX {
        return Some(SetupRefusal::InvalidLength);
    }
    match r.offset.checked_add(r.length) {
        Some(end) if end <= view.byte_count => None,
        _ => Some(SetupRefusal::InvalidRange),
    }
}

fn run(seed: u64) -> Counters {
    let mut rng = XorShift(seed);
    let (sh, mut p, mut c) = mocks();
    let mut ch: Channel<MockMapping> = Channel::new(MAX);
    let mut model = Model::Idle;
    let mut last_ok: Option<TransferRecord> = None;
    // What the counter reads once a transfer was completed.
    let mut last_residue = 0;
    for step in 0..STEPS {
        let ctx = format!("seed {seed:#x} step {step} model {model:?}");
        match rng.below(10) {
            0 | 1 => {
                let (which, req) = random_req(&mut rng);
                // Sample before the call: a successful setup starts the engine.
                let busy_before = sh.busy.get();
                let got = ch.setup(&mut p, &mut c, &MDLS[which], req);
                let want = if let Some(e) = expected_arg_error(&MDLS[which], &req) {
                    Err(e)
                } else {
                    match model {
                        Model::InProgress(_) => Err(SetupRefusal::InProgress),
                        Model::Draining if busy_before => Err(SetupRefusal::Draining),
                        _ => {
                            if matches!(model, Model::Draining) {
                                model = Model::Idle; // reaped
                            }
                            if p.fail {
                                Err(SetupRefusal::MapFailed)
                            } else if c.start_fails {
                                Err(SetupRefusal::StartRefused)
                            } else {
                                model = Model::InProgress(req);
                                last_ok = Some(req);
                                Ok(())
                            }
                        }
                    }
                };
                assert_eq!(got, want, "setup {req:?}: {ctx}");
            }
            2 | 3 => {
                // The exact record most of the time, else a perturbed one.
                let req = match (last_ok, rng.below(3)) {
                    (Some(r), 0) => TransferRecord {
                        length: r.length ^ 1,
                        ..r
                    },
                    (Some(r), _) => r,
                    (None, _) => random_req(&mut rng).1,
                };
                // The engine stays busy only if it was running and cannot stop.
                let stuck = sh.busy.get() && c.stay_busy;
                let got = ch.complete(&mut c, &req);
                let want = match model {
                    // Whatever the arguments, the recorded transfer completes.
                    Model::InProgress(r) => {
                        let flush = if r == req {
                            Flush::Matched
                        } else {
                            Flush::Mismatched
                        };
                        let completion = if stuck {
                            model = Model::Draining;
                            last_residue = r.length;
                            Completion::MaybeIncoherent
                        } else {
                            model = Model::Idle;
                            last_residue = 0;
                            Completion::Coherent
                        };
                        Completed { completion, flush }
                    }
                    Model::Draining if sh.busy.get() => Completed {
                        completion: Completion::MaybeIncoherent,
                        flush: Flush::NothingInProgress,
                    },
                    Model::Draining | Model::Idle => {
                        model = Model::Idle;
                        Completed {
                            completion: Completion::Coherent,
                            flush: Flush::NothingInProgress,
                        }
                    }
                };
                assert_eq!(got, want, "complete {req:?}: {ctx}");
            }
            4 => {
                let want = match model {
                    Model::InProgress(r) if sh.busy.get() => r.length,
                    Model::InProgress(_) => 0,
                    _ => last_residue,
                };
                assert_eq!(ch.read_counter(&c), want, "read_counter: {ctx}");
            }
            5 => {
                if model == Model::Draining && !sh.busy.get() {
                    model = Model::Idle;
                }
                assert_eq!(ch.reap(&c), model == Model::Idle, "reap: {ctx}");
            }
            6 => c.stay_busy = rng.chance(2),
            7 => c.finish(),
            8 => {
                if rng.chance(2) {
                    p.fail = rng.chance(4);
                } else {
                    c.start_fails = rng.chance(4);
                }
            }
            _ => {
                if rng.chance(4) {
                    let stuck = sh.busy.get() && c.stay_busy;
                    let got = ch.shutdown(&mut c);
                    let want = match model {
                        Model::Idle => ShutdownProgress::Done,
                        _ if stuck => {
                            model = Model::Draining;
                            ShutdownProgress::WaitForIdle
                        }
                        _ => {
                            model = Model::Idle;
                            ShutdownProgress::Done
                        }
                    };
                    assert_eq!(got, want, "shutdown: {ctx}");
                }
            }
        }
        let ctx = format!("after: seed {seed:#x} step {step} model {model:?}");
        let want_state = match model {
            Model::Idle => ChannelState::Idle,
            Model::InProgress(_) => ChannelState::InProgress,
            Model::Draining => ChannelState::Draining,
        };
        assert_eq!(ch.state(), want_state, "{ctx}");
        let live = sh.live.get();
        assert!((0..=1).contains(&live), "live mappings {live}: {ctx}");
        assert_eq!(live == 0, model == Model::Idle, "live {live}: {ctx}");
        assert_eq!(sh.unmapped_while_busy.get(), 0, "unmapped under DMA: {ctx}");
        if let Model::InProgress(r) = model {
            assert_eq!(ch.record(), Some(&r), "{ctx}");
        }
    }
    // Wind down: the engine eventually stops and nothing is left mapped.
    c.stay_busy = false;
    assert_eq!(
        ch.shutdown(&mut c),
        ShutdownProgress::Done,
        "seed {seed:#x}"
    );
    assert_eq!(sh.live.get(), 0, "seed {seed:#x}");
    let k = ch.counters();
    assert!(k.incoherent <= k.completes, "seed {seed:#x}");
    k
}

#[test]
fn random_sequences_match_model() {
    let mut total = Counters::default();
    for seed in SEEDS {
        let k = run(seed);
        total.setups += k.setups;
        total.completes += k.completes;
        total.rejected += k.rejected;
        total.invalid_length += k.invalid_length;
        total.mismatched += k.mismatched;
        total.incoherent += k.incoherent;
    }
    // The sequences must actually reach every interesting path.
    assert!(total.setups > 100, "{total:?}");
    assert!(total.completes > 100, "{total:?}");
    assert!(total.incoherent > 10, "{total:?}");
    assert!(total.rejected > 100, "{total:?}");
    assert!(total.invalid_length > 100, "{total:?}");
    assert!(total.mismatched > 10, "{total:?}");
}
