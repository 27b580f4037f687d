//! The load generator: take a permit, then spawn one request; repeat until the plan says stop.
//!
//! It runs on its own current-thread runtime in its own thread, so the dashboard and the
//! aggregator never steal time from the hot path; the `Handle` steers it from anywhere.

pub mod backoff;
pub mod connect;
pub mod limit;
pub mod outcome;
pub mod plan;
pub mod pool;
pub mod request;

use limit::Limit;
use outcome::Outcome;
use plan::Plan;
use request::Client;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

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

/// Steers a running generator; cheap to clone, usable from any thread or runtime.
#[derive(Clone)]
pub struct Handle {
    shared: Arc<Shared>,
}

struct Shared {
    limit: Arc<Limit>,
    /// The highest limit the open-file budget allows.
    cap: usize,
    /// The limit last asked for, which may be above `cap`.
    requested: AtomicUsize,
    state: watch::Sender<RunState>,
    stop: CancellationToken,
    started: AtomicU64,
}

impl Handle {
    /// Sets the concurrency limit: at least 1, at most the cap; returns the limit applied.
    pub fn set_limit(&self, n: usize) -> usize {
        let wanted = n.max(1);
        self.shared.requested.store(wanted, Relaxed);
        let applied = wanted.min(self.shared.cap);
        self.shared.limit.set(applied);
        applied
    }

    /// The highest limit allowed (by the open-file budget).
    pub fn cap(&self) -> usize {
        self.shared.cap
    }

    /// The cap, when the limit last asked for was above it.
    pub fn capped(&self) -> Option<usize> {
        (self.shared.requested.load(Relaxed) > self.shared.cap).then_some(self.shared.cap)
    }

    /// The concurrency limit in force.
    pub fn limit(&self) -> usize {
        self.shared.limit.get()
    }

    /// Requests in flight now.
    pub fn in_flight(&self) -> usize {
        self.shared.limit.in_flight()
    }

    /// The most requests that were ever in flight at once.
    pub fn peak_in_flight(&self) -> usize {
        self.shared.limit.peak_in_flight()
    }

    /// Requests started so far.
    pub fn started(&self) -> u64 {
        self.shared.started.load(Relaxed)
    }

    /// Stops starting requests; those in flight finish normally.
    pub fn pause(&self) {
        self.shared
            .state
            .send_if_modified(|s| replace_if(s, RunState::Running, RunState::Paused));
    }

    /// Starts requests again after `pause`.
    pub fn resume(&self) {
        self.shared
            .state
            .send_if_modified(|s| replace_if(s, RunState::Paused, RunState::Running));
    }

    /// Ends the run: nothing new starts, requests in flight are aborted.
    pub fn stop(&self) {
        self.shared.state.send_if_modified(|s| {
            replace_if(s, RunState::Running, RunState::Stopping)
                || replace_if(s, RunState::Paused, RunState::Stopping)
        });
        self.shared.stop.cancel();
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

fn replace_if(state: &mut RunState, from: RunState, to: RunState) -> bool {
    let hit = *state == from;
    if hit {
        *state = to;
    }
    hit
}

/// Starts the generator on its own thread; outcomes go to `outcomes`, one per request.
/// The limit starts at `initial_limit` and can never be set above `cap` (at least 1).
///
/// The channel closes when the run is over and every outcome has been sent.
pub fn start(
    client: Client,
    plan: Plan,
    initial_limit: usize,
    cap: usize,
    outcomes: mpsc::Sender<Outcome>,
) -> io::Result<Handle> {
    let cap = cap.max(1);
    let initial_limit = initial_limit.max(1);
    let shared = Arc::new(Shared {
        limit: Limit::new(initial_limit.min(cap)),
        cap,
        requested: AtomicUsize::new(initial_limit),
        state: watch::Sender::new(RunState::Running),
        stop: CancellationToken::new(),
        started: AtomicU64::new(0),
    });
    let handle = Handle {
        shared: Arc::clone(&shared),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("sluice-generator".into())
        .spawn(move || {
            let run = || runtime.block_on(drive(&shared, Arc::new(client), plan, outcomes));
            // Even if the loop panics, the run must be seen to end.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run));
            shared.state.send_replace(RunState::Done);
        })?;
    Ok(handle)
}

/// The spawn loop: permit first, then the request task that owns it.
async fn drive(shared: &Shared, client: Arc<Client>, plan: Plan, outcomes: mpsc::Sender<Outcome>) {
    let tracker = TaskTracker::new();
    let deadline = plan.deadline(Instant::now());
    // A `Sleep` may be polled again after it fired, unlike an `async fn`'s future.
    let expired = tokio::time::sleep_until(deadline.unwrap_or_else(far_future));
    tokio::pin!(expired);
    let mut state = shared.state.subscribe();
    // Test hooks (SLUICE_INJECT_PANIC): the 100th request task, or this loop, panics.
    let panic_in_request = crate::panics::injected("request").then_some(100);
    let panic_in_loop = crate::panics::injected("generator").then_some(100);
    loop {
        let n = shared.started.load(Relaxed) + 1;
        if panic_in_loop == Some(n) {
            panic!("injected panic in the generator loop");
        }
        if !plan.may_start(shared.started.load(Relaxed)) {
            break;
        }
        if *state.borrow_and_update() == RunState::Paused {
            tokio::select! {
                biased;
                _ = shared.stop.cancelled() => break,
                _ = &mut expired => break,
                _ = state.changed() => continue,
            }
        }
        let permit = tokio::select! {
            biased;
            _ = shared.stop.cancelled() => break,
            _ = &mut expired => break,
            _ = state.changed() => continue,
            p = shared.limit.acquire() => p,
        };
        shared.started.fetch_add(1, Relaxed);
        let client = Arc::clone(&client);
        let outcomes = outcomes.clone();
        let cancel = shared.stop.clone();
        let limit = Arc::clone(&shared.limit);
        let inject = panic_in_request == Some(n);
        tracker.spawn(async move {
            if inject {
                panic!("injected panic in a request task");
            }
            let outcome = client.send_one(&cancel, &limit).await;
            // The permit is held until the event is handed over, so a slow consumer slows us
            // down instead of piling up tasks.
            let _ = outcomes.send(outcome).await;
            drop(permit);
        });
    }
    tracker.close();
    let all_ended = tokio::select! {
        _ = tracker.wait() => true,
        _ = &mut expired => false,
        _ = shared.stop.cancelled() => false,
    };
    if !all_ended {
        // Duration over, or stop: whatever is still in flight is aborted.
        shared.state.send_if_modified(|s| {
            replace_if(s, RunState::Running, RunState::Stopping)
                || replace_if(s, RunState::Paused, RunState::Stopping)
        });
        shared.stop.cancel();
        tracker.wait().await;
    }
}

/// A deadline for runs without one: about thirty years out, as tokio itself uses.
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86_400 * 365 * 30)
}
