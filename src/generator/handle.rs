//! Steering a running generator (limit, pause, resume, stop) and reading its gauges, from
//! any thread or runtime.

use super::gate::Gate;
use super::limit_policy::LimitPolicy;
use super::plan::Plan;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// What the generator is doing, as the operator sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    Running,
    Paused,
    /// Stop was asked (or the duration ran out): in-flight requests are being aborted.
    Stopping,
    /// Every request has ended; no more will start.
    Done,
}

impl RunState {
    /// Lower-case word for progress lines and the dashboard.
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Paused => "paused",
            RunState::Stopping => "stopping",
            RunState::Done => "done",
        }
    }
}

/// The generator's gauges at one moment: what the snapshot records each tick and the
/// dashboard reads each frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gauges {
    pub state: RunState,
    /// The operator's limit in force (kept while paused).
    pub limit: usize,
    /// The highest limit the open-file budget allows.
    pub cap: usize,
    /// The cap, when the limit last asked for was above it.
    pub capped: Option<usize>,
    pub in_flight: usize,
    pub peak_in_flight: usize,
}

impl Default for Gauges {
    fn default() -> Self {
        Gauges {
            state: RunState::Running,
            limit: 0,
            cap: 0,
            capped: None,
            in_flight: 0,
            peak_in_flight: 0,
        }
    }
}

/// Steers a running generator; cheap to clone, usable from any thread or runtime.
#[derive(Clone)]
pub struct Handle {
    pub(super) shared: Arc<Shared>,
}

/// What the handle and the request tasks share.
pub(super) struct Shared {
    /// The gate requests pass: the operator's limit, or 0 while paused; closed on stop.
    pub(super) gate: Arc<Gate>,
    /// The operator's limit (after the policy), kept while the gate is at 0 for a pause.
    pub(super) operator_limit: AtomicUsize,
    pub(super) policy: LimitPolicy,
    /// The limit last asked for, which may be above the cap.
    asked: AtomicUsize,
    pub(super) state: watch::Sender<RunState>,
    pub(super) stop: CancellationToken,
    pub(super) started: AtomicU64,
}

impl Shared {
    /// The shared state of a run that starts at `initial_limit` under `policy`.
    pub(super) fn new(initial_limit: usize, policy: LimitPolicy) -> Shared {
        let applied = policy.applied(initial_limit);
        Shared {
            gate: Gate::new(applied),
            operator_limit: AtomicUsize::new(applied),
            policy,
            asked: AtomicUsize::new(LimitPolicy::asked(initial_limit)),
            state: watch::Sender::new(RunState::Running),
            stop: CancellationToken::new(),
            started: AtomicU64::new(0),
        }
    }

    /// Counts one more request started, if the plan allows it; returns its number.
    pub(super) fn claim(&self, plan: &Plan) -> Option<u64> {
        self.started
            .fetch_update(Relaxed, Relaxed, |s| plan.may_start(s).then_some(s + 1))
            .ok()
            .map(|s| s + 1)
    }

    /// Ends the run: no new request starts, and the generator aborts what is in flight.
    fn halt(&self) {
        self.state.send_if_modified(|s| {
            replace_if(s, RunState::Running, RunState::Stopping)
                || replace_if(s, RunState::Paused, RunState::Stopping)
        });
        self.gate.close();
        self.stop.cancel();
    }
}

impl Handle {
    /// Whether the run was stopped (or has ended): then nothing steers it any more.
    fn ended(&self) -> bool {
        matches!(self.state(), RunState::Stopping | RunState::Done)
    }

    /// Sets the concurrency limit as the `LimitPolicy` allows; returns the limit applied.
    /// After a stop nothing changes: the limit the run stopped at stands.
    pub fn set_limit(&self, n: usize) -> usize {
        if self.ended() {
            return self.limit();
        }
        let policy = self.shared.policy;
        self.shared.asked.store(LimitPolicy::asked(n), Relaxed);
        let applied = policy.applied(n);
        self.shared.operator_limit.store(applied, Relaxed);
        if self.state() != RunState::Paused {
            self.shared.gate.set(applied);
        }
        applied
    }

    /// The highest limit allowed (by the open-file budget).
    pub fn cap(&self) -> usize {
        self.shared.policy.cap()
    }

    /// The cap, when the limit last asked for was above it.
    pub fn capped(&self) -> Option<usize> {
        self.shared.policy.capped(self.shared.asked.load(Relaxed))
    }

    /// The concurrency limit in force (kept while paused).
    pub fn limit(&self) -> usize {
        self.shared.operator_limit.load(Relaxed)
    }

    /// Requests in flight now.
    pub fn in_flight(&self) -> usize {
        self.shared.gate.in_flight()
    }

    /// The most requests that were ever in flight at once.
    pub fn peak_in_flight(&self) -> usize {
        self.shared.gate.peak_in_flight()
    }

    /// Requests started so far.
    pub fn started(&self) -> u64 {
        self.shared.started.load(Relaxed)
    }

    /// Every gauge at once.
    pub fn gauges(&self) -> Gauges {
        Gauges {
            state: self.state(),
            limit: self.limit(),
            cap: self.cap(),
            capped: self.capped(),
            in_flight: self.in_flight(),
            peak_in_flight: self.peak_in_flight(),
        }
    }

    /// Stops starting requests (the gate goes to 0); those in flight finish normally.
    pub fn pause(&self) {
        let paused = self
            .shared
            .state
            .send_if_modified(|s| replace_if(s, RunState::Running, RunState::Paused));
        if paused {
            self.shared.gate.set(0);
        }
    }

    /// Starts requests again after `pause`, at the limit in force.
    pub fn resume(&self) {
        let resumed = self
            .shared
            .state
            .send_if_modified(|s| replace_if(s, RunState::Paused, RunState::Running));
        if resumed {
            self.shared.gate.set(self.limit());
        }
    }

    /// Ends the run: nothing new starts, requests in flight are aborted.
    pub fn stop(&self) {
        self.shared.halt();
    }

    /// The current state.
    pub fn state(&self) -> RunState {
        *self.shared.state.borrow()
    }

    /// Resolves when every request has ended and the generator has exited.
    pub async fn finished(&self) {
        let mut rx = self.shared.state.subscribe();
        let _ = rx.wait_for(|s| *s == RunState::Done).await;
    }
}

/// Sets `state` to `to` if it is `from`; returns whether it did.
fn replace_if(state: &mut RunState, from: RunState, to: RunState) -> bool {
    let hit = *state == from;
    if hit {
        *state = to;
    }
    hit
}
