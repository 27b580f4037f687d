//! The load generator: take a permit, then spawn one request; repeat until the plan says stop.
//!
//! It runs on its own current-thread runtime in its own thread, so the dashboard and the
//! aggregator never steal time from the hot path; the `Handle` steers it from anywhere.

pub mod alarm;
pub mod backoff;
pub mod connect;
pub mod limit;
pub mod outbox;
pub mod outcome;
pub mod plan;
pub mod pool;
pub mod request;

use limit::{Limit, Permit};
use outbox::{Batch, Outbox};
use plan::Plan;
use request::Client;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
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

/// Steers a running generator; cheap to clone, usable from any thread or runtime.
#[derive(Clone)]
pub struct Handle {
    shared: Arc<Shared>,
}

struct Shared {
    /// The gate requests pass: the operator's limit, or 0 while paused; closed on stop.
    gate: Arc<Limit>,
    /// The operator's limit (after the cap), kept while the gate is at 0 for a pause.
    limit: AtomicUsize,
    /// The highest limit the open-file budget allows.
    cap: usize,
    /// The limit last asked for, which may be above `cap`.
    requested: AtomicUsize,
    state: watch::Sender<RunState>,
    stop: CancellationToken,
    started: AtomicU64,
}

impl Shared {
    /// Counts one more request started, if the plan allows it; returns its number.
    fn claim(&self, plan: &Plan) -> Option<u64> {
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

    /// Sets the concurrency limit: at least 1, at most the cap; returns the limit applied.
    /// After a stop nothing changes: the limit the run stopped at stands.
    pub fn set_limit(&self, n: usize) -> usize {
        if self.ended() {
            return self.limit();
        }
        let wanted = n.max(1);
        self.shared.requested.store(wanted, Relaxed);
        let applied = wanted.min(self.shared.cap);
        self.shared.limit.store(applied, Relaxed);
        if self.state() != RunState::Paused {
            self.shared.gate.set(applied);
        }
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

    /// The concurrency limit in force (kept while paused).
    pub fn limit(&self) -> usize {
        self.shared.limit.load(Relaxed)
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

fn replace_if(state: &mut RunState, from: RunState, to: RunState) -> bool {
    let hit = *state == from;
    if hit {
        *state = to;
    }
    hit
}

/// Starts the generator on its own thread; outcomes go to `outcomes` in batches, one
/// outcome per request.
/// The limit starts at `initial_limit` and can never be set above `cap` (at least 1).
///
/// The channel closes when the run is over and every outcome has been sent.
pub fn start(
    client: Client,
    plan: Plan,
    initial_limit: usize,
    cap: usize,
    outcomes: mpsc::Sender<Batch>,
) -> io::Result<Handle> {
    let cap = cap.max(1);
    let initial_limit = initial_limit.max(1);
    let shared = Arc::new(Shared {
        gate: Limit::new(initial_limit.min(cap)),
        limit: AtomicUsize::new(initial_limit.min(cap)),
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
            let client = Arc::new(client);
            let outbox = Arc::new(Outbox::new(outcomes));
            let run = || runtime.block_on(drive(&shared, client, plan, Arc::clone(&outbox)));
            // Even if the loop panics, what is in flight is counted and the run ends.
            let in_flight = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
                .unwrap_or_else(|_| shared.gate.in_flight());
            // The tasks still in flight never run again: they are dropped with the runtime
            // (which closes their connections) and counted as aborted in the last batch.
            drop(runtime);
            outbox.finish(in_flight);
            drop(outbox);
            shared.state.send_replace(RunState::Done);
        })?;
    Ok(handle)
}

/// One request task: sends request `first` under `permit`, then, while the gate owes nothing
/// and is open, carries further requests on the same permit and the same connection: a task
/// per connection for as long as the limit stands, with no spawn and no pool round trip per
/// request. Each outcome is handed over before the next request starts, so a slow consumer
/// slows the generator instead of piling up tasks.
/// `panic_at` is a test hook.
async fn carry(
    permit: Permit,
    client: Arc<Client>,
    shared: Arc<Shared>,
    plan: Plan,
    outbox: Arc<Outbox>,
    first: u64,
    panic_at: Option<u64>,
) {
    let mut session = client.session(Instant::now());
    let mut n = first;
    loop {
        if panic_at == Some(n) {
            panic!("injected panic in a request task");
        }
        let outcome = client
            .send_one(&mut session, shared.limit.load(Relaxed))
            .await;
        outbox.post(outcome).await;
        if !shared.gate.may_keep() {
            break;
        }
        match shared.claim(&plan) {
            Some(next) => n = next,
            None => break,
        }
    }
    client.end(session, shared.limit.load(Relaxed));
    drop(permit);
}

/// Test hook: waits until `n` requests have started (or the run stops), then panics.
async fn panic_once_started(shared: &Shared, n: u64) -> ! {
    let mut every = tokio::time::interval(std::time::Duration::from_millis(1));
    while shared.started.load(Relaxed) < n && !shared.stop.is_cancelled() {
        every.tick().await;
    }
    panic!("injected panic in the generator loop");
}

/// The spawn loop: permit first, then the request task that owns it. Returns how many
/// requests are still in flight when it ends (none when all finished; some after a stop).
async fn drive(
    shared: &Arc<Shared>,
    client: Arc<Client>,
    plan: Plan,
    outbox: Arc<Outbox>,
) -> usize {
    tokio::spawn({
        let outbox = Arc::clone(&outbox);
        async move { outbox.flush_often().await }
    });
    // Test hooks (SLUICE_INJECT_PANIC): the 100th request panics, or this loop does once
    // 100 requests have started.
    let panic_in_request = crate::panics::injected("request").then_some(100);
    let panic_in_loop = crate::panics::injected("generator");
    loop {
        if panic_in_loop && shared.started.load(Relaxed) > 0 {
            panic_once_started(shared, 100).await;
        }
        if !plan.may_start(shared.started.load(Relaxed)) {
            break;
        }
        // Stop, pause and the deadline all act on the gate, so this is the only wait.
        let Some(permit) = shared.gate.acquire().await else {
            break;
        };
        let Some(n) = shared.claim(&plan) else {
            break;
        };
        // Boxed: spawning then moves a pointer, not the whole request future (kilobytes).
        tokio::spawn(Box::pin(carry(
            permit,
            Arc::clone(&client),
            Arc::clone(shared),
            plan,
            Arc::clone(&outbox),
            n,
            panic_in_request,
        )));
    }
    // Every request has started: wait for them, unless the run is stopped first.
    let shared = &**shared;
    tokio::select! {
        _ = shared.gate.drained() => {}
        _ = shared.stop.cancelled() => {}
    }
    shared.gate.in_flight()
}
