//! The load generator: take a permit, then spawn one request; repeat until the plan says stop.
//!
//! It runs as one or more shards, each a current-thread runtime on a thread of its own with
//! its own connections, gate and pacer, so the hot path never wakes another thread and the
//! dashboard and the aggregator never steal its time; the `Handle` steers them all.

mod gate;
mod handle;
pub mod limit_policy;
pub mod outbox;
pub mod pacer;
pub mod plan;
mod shards;
mod task;
pub mod timeline;

pub use handle::Handle;
pub use limit_policy::LimitPolicy;

use crate::engine::client::Client;
use crate::engine::steer::RunState;
use gate::Permit;
use handle::Shared;
use outbox::{Batch, Outbox};
use plan::Plan;
use shards::Shard;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use task::Task;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How a run starts: how long it goes on, its two knobs, and the open-file cap.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    pub plan: Plan,
    /// The concurrency limit to start at (kept within the `LimitPolicy`).
    pub limit: usize,
    /// The highest limit the open-file budget allows.
    pub cap: usize,
    /// Requests a second to start at (rate mode); None for concurrency mode.
    pub rate: Option<f64>,
    /// Generator threads (shards), at least 1.
    pub threads: usize,
}

/// The stack of a generator thread. A shard polls its request futures on it; under load
/// (HTTP/1, h2c, TLS with HTTP/1 and with h2, a handshake per request) a release build
/// touched 48 KiB of it and overflowed 32 KiB; a debug build touched 136 KiB, overflowed
/// 128 KiB, and printed a panic's backtrace within 128 KiB. Rust's default, 2 MiB, made
/// `--threads 1024` reserve 2 GiB of address space for stacks.
const GENERATOR_STACK: usize = 512 * 1024;

/// Starts the generator's shards, each on its own thread; outcomes go to `outcomes` in
/// batches, one outcome per request. Every thread and runtime is made before any shard
/// starts: if one cannot be (an address-space limit), none runs and the error says how many
/// threads could start.
///
/// The channel closes when the run is over and every outcome has been sent.
pub fn start(client: Client, setup: Setup, outcomes: mpsc::Sender<Batch>) -> io::Result<Handle> {
    let policy = LimitPolicy::new(setup.cap);
    let threads = setup.threads.max(1);
    let shared = Arc::new(Shared::new(threads, setup.limit, policy, setup.rate));
    let running = Arc::new(AtomicUsize::new(threads));
    let mut clients = vec![client];
    while clients.len() < threads {
        clients.push(clients[0].for_another_shard());
    }
    let mut ready = Vec::with_capacity(threads);
    for (shard, client) in clients.into_iter().enumerate() {
        let task = Task {
            client: Arc::new(client),
            shared: Arc::clone(&shared),
            plan: setup.plan,
            outbox: Arc::new(Outbox::new(outcomes.clone())),
            shard,
            panic_at: None,
        };
        match room_for_a_thread().and_then(|()| Ready::spawn(task, Arc::clone(&running))) {
            Ok(thread) => ready.push(thread),
            Err(e) => return Err(not_started(threads, ready, &e)),
        }
    }
    // The run itself needs room too, beyond the threads.
    if let Err(e) = room_for_a_thread() {
        return Err(not_started(threads, ready, &e));
    }
    ready.into_iter().for_each(Ready::go);
    Ok(Handle { shared })
}

/// Memory that must be free before a thread starts. A new thread's first allocation (std's,
/// before any code of ours runs) takes a fresh mimalloc segment of 32 MiB, and when there is
/// none to take the process aborts; this much asked for (and given back) first turns a
/// memory or address-space limit (`ulimit -v`) into an error instead.
const THREAD_ROOM: usize = 64 * 1024 * 1024;

/// Whether `THREAD_ROOM` can be had now.
fn room_for_a_thread() -> io::Result<()> {
    Vec::<u8>::new()
        .try_reserve_exact(THREAD_ROOM)
        .map_err(|_| io::Error::other("no memory left for another thread (ulimit -v?)"))
}

/// A shard's thread with its runtime built, waiting for the word to start (or to leave).
struct Ready {
    go: std::sync::mpsc::SyncSender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Ready {
    /// Starts `task`'s thread and builds its runtime there (a runtime is dropped on its own
    /// thread, never inside the caller's async context); returns once it is built.
    fn spawn(task: Task, running: Arc<AtomicUsize>) -> io::Result<Ready> {
        let (built_tx, built) = std::sync::mpsc::sync_channel(1);
        let (go, start) = std::sync::mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name(format!("sluice-generator-{}", task.shard))
            .stack_size(GENERATOR_STACK)
            .spawn(move || {
                let runtime = match crate::process::runtime::current_thread() {
                    Ok(runtime) => runtime,
                    Err(e) => return drop(built_tx.send(Err(e))),
                };
                let _ = built_tx.send(Ok(()));
                if start.recv().is_ok() {
                    run_shard(runtime, task, &running);
                }
            })?;
        let built = built.recv().unwrap_or_else(|_| {
            Err(io::Error::other(
                "its thread ended before its runtime was built",
            ))
        });
        match built {
            Ok(()) => Ok(Ready { go, thread }),
            Err(e) => {
                let _ = thread.join();
                Err(e)
            }
        }
    }

    fn go(self) {
        let _ = self.go.send(());
    }
}

/// The error when only `ready.len()` of `threads` could start: those leave without running
/// (their stacks given back) and the error suggests a count that leaves room.
fn not_started(threads: usize, ready: Vec<Ready>, e: &io::Error) -> io::Error {
    let started = ready.len();
    for Ready { go, thread } in ready {
        drop(go);
        let _ = thread.join();
    }
    let plural = if threads == 1 { "" } else { "s" };
    // The last thread that started took the room the next one needed.
    let hint = match started.saturating_sub(1).max(1) {
        k if k < threads => format!("; try --threads {k}"),
        _ => String::new(),
    };
    io::Error::other(format!(
        "cannot start {threads} generator thread{plural}: {e}{hint}"
    ))
}

/// One shard's thread: the spawn loop until the run ends, then the last batch; the last
/// shard to finish marks the run done.
fn run_shard(runtime: tokio::runtime::Runtime, task: Task, running: &AtomicUsize) {
    let (shared, outbox) = (Arc::clone(&task.shared), Arc::clone(&task.outbox));
    let gate = Arc::clone(&shared.shards.get(task.shard).gate);
    let run = || runtime.block_on(drive(task));
    // Even if the loop panics, what is in flight is counted and the shard ends.
    let in_flight = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .unwrap_or_else(|_| gate.in_flight());
    // The tasks still in flight never run again: they are dropped with the runtime (which
    // closes their connections) and counted as aborted in the last batch.
    drop(runtime);
    outbox.finish(in_flight);
    drop(outbox);
    if running.fetch_sub(1, Relaxed) == 1 {
        shared.state.send_replace(RunState::Done);
    }
}

/// Test hook: waits until `n` requests have started (or the run stops), then panics.
async fn panic_once_started(shared: &Shared, n: u64) -> ! {
    let mut every = tokio::time::interval(std::time::Duration::from_millis(1));
    while shared.started.load(Relaxed) < n && !shared.stop.is_cancelled() {
        every.tick().await;
    }
    panic!("injected panic in the generator loop");
}

/// What the spawn loop does next.
enum Next {
    /// Start a request under this permit (due then, in rate mode).
    Go(Permit, Option<Instant>),
    /// The mode changed: look again.
    Again,
    Stop,
}

/// Concurrency mode: the next free permit.
async fn gated_permit(shard: &Shard) -> Next {
    match shard.gate.acquire().await {
        // The rate was switched on while waiting: this permit was not paced.
        Some(_) if shard.pacer.is_open() => Next::Again,
        Some(permit) => Next::Go(permit, None),
        None => Next::Stop,
    }
}

/// Rate mode: waits until the next request is due, claims it, then takes a permit (late,
/// if the gate is full: its latency still counts from when it was due).
async fn paced_permit(shared: &Shared, shard: &Shard) -> Next {
    let changed = shard.pacer.changed();
    tokio::pin!(changed);
    changed.as_mut().enable();
    if !shard.pacer.is_open() {
        return Next::Again;
    }
    let now = Instant::now();
    let Some(slot) = shard.pacer.claim_due(now) else {
        let next = shard.pacer.next_due();
        tokio::select! {
            _ = tokio::time::sleep_until(next.unwrap_or(now + PACER_IDLE)) => {}
            _ = changed => {}
            _ = shared.stop.cancelled() => return Next::Stop,
        }
        return Next::Again;
    };
    match shard.gate.acquire().await {
        Some(permit) => Next::Go(permit, Some(shard.pacer.due_of(slot))),
        None => Next::Stop,
    }
}

/// How long the spawn loop sleeps when nothing is due (rate 0, paused) before looking again;
/// a change wakes it sooner.
const PACER_IDLE: std::time::Duration = std::time::Duration::from_secs(1);

/// One shard's spawn loop: permit first, then the request task that owns it. Returns how
/// many requests are still in flight when it ends (none when all finished; some after a stop).
async fn drive(task: Task) -> usize {
    tokio::spawn({
        let outbox = Arc::clone(&task.outbox);
        async move { outbox.flush_often().await }
    });
    // Test hooks (fault injection): the 100th request panics, or the first shard's loop does
    // once 100 requests have started.
    let panic_in_loop = crate::process::fault::injected("generator") && task.shard == 0;
    let task = Arc::new(Task {
        panic_at: crate::process::fault::injected("request").then_some(100),
        ..task
    });
    let (shared, plan) = (&task.shared, task.plan);
    let shard = shared.shards.get(task.shard);
    loop {
        if panic_in_loop && shared.started.load(Relaxed) > 0 {
            panic_once_started(shared, 100).await;
        }
        if !plan.may_start(shared.started.load(Relaxed)) || shard.gate.is_closed() {
            break;
        }
        // Stop, pause and the deadline all act on the gate (and the pacer).
        let next = match shard.pacer.is_open() {
            true => paced_permit(shared, shard).await,
            false => gated_permit(shard).await,
        };
        let (permit, due) = match next {
            Next::Go(permit, due) => (permit, due),
            Next::Again => continue,
            Next::Stop => break,
        };
        let Some(n) = shared.claim(&plan) else {
            break;
        };
        // Boxed: spawning then moves a pointer, not the whole request future (kilobytes).
        let task = Arc::clone(&task);
        match task.client.walks_sessions() {
            true => tokio::spawn(Box::pin(task::walk_while_permitted(permit, task, n, due))),
            false => tokio::spawn(Box::pin(task::send_while_permitted(permit, task, n, due))),
        };
    }
    // Every request has started: wait for them, unless the run is stopped first.
    tokio::select! {
        _ = shard.gate.drained() => {}
        _ = shared.stop.cancelled() => {}
    }
    shard.gate.in_flight()
}
