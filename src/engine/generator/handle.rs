//! Steering a running generator (limit, pause, resume, stop) and reading its gauges, from
//! any thread or runtime.

use super::limit_policy::LimitPolicy;
use super::plan::Plan;
use super::shards::Shards;
use super::timeline::{Entry, Timeline};
use crate::engine::steer::{Change, Gauges, RunState, ScheduleState, Source, Steer};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Steers a running generator; cheap to clone, usable from any thread or runtime.
#[derive(Clone)]
pub struct Handle {
    pub(super) shared: Arc<Shared>,
}

/// What the handle and the request tasks share.
pub(super) struct Shared {
    /// Each generator thread's gate and pacer: between them the operator's limit (0 while
    /// paused; closed on stop) and rate.
    pub(super) shards: Shards,
    /// The operator's limit (after the policy), kept while the gates are at 0 for a pause.
    pub(super) operator_limit: AtomicUsize,
    pub(super) policy: LimitPolicy,
    timeline: Timeline,
    schedule: std::sync::Mutex<ScheduleState>,
    /// The hand that moved a knob last (`Gauges::hand`).
    hand: std::sync::Mutex<Source>,
    /// The limit last asked for, which may be above the cap.
    asked: AtomicUsize,
    pub(super) state: watch::Sender<RunState>,
    pub(super) stop: CancellationToken,
    pub(super) started: AtomicU64,
}

impl Shared {
    /// The shared state of a run on `threads` shards that starts at `initial_limit` under
    /// `policy`, and at `rate` requests a second if given.
    pub(super) fn new(
        threads: usize,
        initial_limit: usize,
        policy: LimitPolicy,
        rate: Option<f64>,
    ) -> Shared {
        let applied = policy.applied(initial_limit);
        let started = Instant::now();
        let timeline = Timeline::new(started);
        timeline.record(Change::Limit(applied), Source::Start);
        if let Some(rate) = rate {
            timeline.record(Change::Rate(Some(rate)), Source::Start);
        }
        Shared {
            shards: Shards::new(threads, applied, rate, started),
            operator_limit: AtomicUsize::new(applied),
            policy,
            timeline,
            schedule: std::sync::Mutex::new(ScheduleState::None),
            hand: std::sync::Mutex::new(Source::Start),
            asked: AtomicUsize::new(LimitPolicy::asked(initial_limit)),
            state: watch::Sender::new(RunState::Running),
            stop: CancellationToken::new(),
            started: AtomicU64::new(0),
        }
    }

    /// Counts one more request started, if the plan allows it; returns its number. Once
    /// the plan is used up, every gate closes, so no shard waits for a permit it will never
    /// need (another shard may have started the last request).
    pub(super) fn claim(&self, plan: &Plan) -> Option<u64> {
        let claimed = self
            .started
            .fetch_update(Relaxed, Relaxed, |s| plan.may_start(s).then_some(s + 1))
            .ok()
            .map(|s| s + 1);
        if claimed.is_none_or(|n| !plan.may_start(n)) {
            self.shards.close();
        }
        claimed
    }

    /// The request just claimed found nothing to send (its data rows are used up): it is not
    /// counted as started, and no shard starts another.
    pub(super) fn used_up(&self) {
        self.started.fetch_sub(1, Relaxed);
        self.shards.close();
    }

    /// Ends the run: no new request starts, and the generator aborts what is in flight.
    fn halt(&self) {
        self.wind_down();
        self.stop.cancel();
    }

    /// Ends the run gently: no new request starts, and what is in flight finishes.
    fn wind_down(&self) {
        self.state.send_if_modified(|s| {
            replace_if(s, RunState::Running, RunState::Stopping)
                || replace_if(s, RunState::Paused, RunState::Stopping)
        });
        self.shards.close();
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
            self.shared.shards.set_limit(applied);
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
        self.shared.shards.in_flight()
    }

    /// The most requests that were ever in flight at once.
    pub fn peak_in_flight(&self) -> usize {
        self.shared.shards.peak_in_flight()
    }

    /// Requests started so far.
    pub fn started(&self) -> u64 {
        self.shared.started.load(Relaxed)
    }

    /// Requests that have started late so far (rate mode), in every shard.
    pub fn late_starts(&self) -> u64 {
        self.shared.shards.late_starts()
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
            rate: self.rate(),
            lag: self.shared.shards.lag(Instant::now()),
            started: self.started(),
            schedule: self.schedule(),
            hand: self.hand(),
        }
    }

    /// The hand that moved a knob last.
    pub fn hand(&self) -> Source {
        *self.shared.hand.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Where the schedule stands.
    pub fn schedule(&self) -> ScheduleState {
        *self
            .shared
            .schedule
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Notes where the schedule stands; once a key has taken over, it stays `Manual`.
    pub fn note_schedule(&self, state: ScheduleState) {
        let mut current = self
            .shared
            .schedule
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if *current != ScheduleState::Manual {
            *current = state;
        }
    }

    /// Sets the rate in requests a second (rate mode, open loop), or None for concurrency
    /// mode (closed loop); after a stop nothing changes.
    pub fn set_rate(&self, rate: Option<f64>) {
        if !self.ended() {
            self.shared.shards.set_rate(rate, Instant::now());
        }
    }

    /// The target rate; None in concurrency mode.
    pub fn rate(&self) -> Option<f64> {
        self.shared.shards.rate()
    }

    /// Stops starting requests (the gate goes to 0); those in flight finish normally.
    /// Returns whether the run was running (and is now paused).
    pub fn pause(&self) -> bool {
        let paused = self
            .shared
            .state
            .send_if_modified(|s| replace_if(s, RunState::Running, RunState::Paused));
        if paused {
            self.shared.shards.pause(Instant::now());
        }
        paused
    }

    /// Starts requests again after `pause`, at the limit (and rate) in force. Returns
    /// whether the run was paused.
    pub fn resume(&self) -> bool {
        let resumed = self
            .shared
            .state
            .send_if_modified(|s| replace_if(s, RunState::Paused, RunState::Running));
        if resumed {
            self.shared.shards.resume(Instant::now(), self.limit());
        }
        resumed
    }

    /// Makes `change` and, when `record` names a source, enters it in the timeline (a
    /// schedule's small steps between entries pass None); a change that changes nothing (a
    /// limit pressed at the cap, a rate set again) is not entered. After a stop nothing
    /// changes.
    pub fn apply(&self, change: Change, record: Option<Source>) {
        // A stop also cuts short what `finish_in_flight` is waiting for.
        if change == Change::Stop {
            return self.stop();
        }
        if self.ended() {
            return;
        }
        let entry = match change {
            Change::Stop => return self.stop(),
            Change::Limit(n) => {
                let before = self.limit();
                let applied = self.set_limit(n);
                (applied != before).then_some(Change::Limit(applied))
            }
            Change::Rate(rate) => {
                let before = self.rate();
                self.set_rate(rate);
                let after = self.rate();
                (after != before).then_some(Change::Rate(after))
            }
            Change::Pause => self.pause().then_some(change),
            Change::Resume => self.resume().then_some(change),
        };
        if let (Some(entry), Some(source)) = (entry, record) {
            self.shared.timeline.record(entry, source);
        }
        let knob = matches!(change, Change::Limit(_) | Change::Rate(_));
        if let (true, Some(source)) = (knob, record) {
            *self.shared.hand.lock().unwrap_or_else(|e| e.into_inner()) = source;
        }
        // A key, the API or the autopilot moving a knob while a schedule plays takes over.
        if knob && matches!(record, Some(Source::Key | Source::Api | Source::Auto)) {
            let mut schedule = self
                .shared
                .schedule
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if matches!(*schedule, ScheduleState::Playing { .. }) {
                *schedule = ScheduleState::Manual;
            }
        }
    }

    /// Every recorded change so far, the start values first.
    pub fn timeline(&self) -> Vec<Entry> {
        self.shared.timeline.entries()
    }

    /// Ends the run: nothing new starts, requests in flight are aborted.
    pub fn stop(&self) {
        self.shared.halt();
    }

    /// Ends the run as `-w` ends `-z`: nothing new starts, and what is in flight finishes
    /// (each within its own `-t`) and is counted as usual; a `stop` meanwhile aborts it.
    pub fn finish_in_flight(&self) {
        self.shared.wind_down();
    }

    /// Whether what is in flight is being aborted (a stop), not left to finish.
    pub fn aborting(&self) -> bool {
        self.shared.stop.is_cancelled()
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

impl Steer for Handle {
    fn gauges(&self) -> Gauges {
        Handle::gauges(self)
    }

    /// Every change but a stop goes into the run's timeline, as made by `source`.
    fn steer(&self, change: Change, source: Source) {
        self.apply(change, Some(source));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_that_changes_nothing_is_not_recorded() {
        let shared = Shared::new(1, 10, LimitPolicy::new(20), Some(5.0));
        let handle = Handle {
            shared: Arc::new(shared),
        };
        // `]` pressed again and again at the open-file cap (20): one entry, at the cap.
        for _ in 0..3 {
            handle.steer(Change::Limit(40), Source::Key);
        }
        handle.steer(Change::Limit(20), Source::Api);
        handle.steer(Change::Rate(Some(5.0)), Source::Api);
        handle.steer(Change::Rate(Some(7.0)), Source::Api);
        handle.steer(Change::Rate(Some(7.0)), Source::Key);
        handle.steer(Change::Pause, Source::Key);
        handle.steer(Change::Pause, Source::Key);
        let entries: Vec<(Change, Source)> = handle
            .timeline()
            .iter()
            .map(|e| (e.change, e.source))
            .collect();
        assert_eq!(
            entries,
            [
                (Change::Limit(10), Source::Start),
                (Change::Rate(Some(5.0)), Source::Start),
                (Change::Limit(20), Source::Key),
                (Change::Rate(Some(7.0)), Source::Api),
                (Change::Pause, Source::Key),
            ]
        );
        assert_eq!(handle.limit(), 20);
    }

    #[test]
    fn the_last_hand_to_move_a_knob_holds_it_and_a_schedule_yields_to_the_autopilot() {
        let shared = Shared::new(1, 10, LimitPolicy::new(100), None);
        let handle = Handle {
            shared: Arc::new(shared),
        };
        assert_eq!(handle.hand(), Source::Start);
        handle.note_schedule(ScheduleState::Playing { step: 1, of: 2 });
        handle.apply(Change::Limit(12), None);
        assert_eq!(
            handle.hand(),
            Source::Start,
            "a stage's unrecorded step is no hand"
        );
        handle.steer(Change::Limit(13), Source::Stage);
        assert_eq!(handle.schedule(), ScheduleState::Playing { step: 1, of: 2 });
        handle.steer(Change::Limit(13), Source::Auto);
        assert_eq!(
            handle.hand(),
            Source::Auto,
            "a move to where it stands takes it too"
        );
        assert_eq!(handle.schedule(), ScheduleState::Manual, "the stages yield");
        handle.steer(Change::Pause, Source::Key);
        assert_eq!(handle.hand(), Source::Auto, "a pause moves no knob");
        handle.steer(Change::Limit(30), Source::Key);
        assert_eq!(handle.gauges().hand, Source::Key);
    }
}
