//! The task that drains outcomes into the window and publishes a snapshot every tick.

use super::snapshot::Snapshot;
use super::window::Window;
use crate::generator::outbox::Batch;
use crate::generator::{Handle, RunState};
use crate::probe::fd::FdUsage;
use std::time::Duration;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, MissedTickBehavior};

/// Tick summaries kept for charts.
pub const RING_TICKS: usize = 300;
/// How often the channel is drained. Polling on a timer, rather than awaiting each batch,
/// spares the generator a cross-thread wake-up per batch.
const DRAIN_MS: u64 = 5;
/// The most batches taken in one drain, so ticks are never starved.
const DRAIN_MAX: usize = 1024;

/// Counts outcomes until the channel closes; returns the final snapshot.
pub async fn run(
    mut outcomes: mpsc::Receiver<Batch>,
    generator: Handle,
    tick: Duration,
    started: Instant,
    publish: watch::Sender<Snapshot>,
) -> Snapshot {
    let mut agg = Aggregator::new(generator);
    let mut ticks = tokio::time::interval_at(started + tick, tick);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut drains = tokio::time::interval(Duration::from_millis(DRAIN_MS));
    drains.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            _ = ticks.tick() => {
                publish.send_replace(agg.snapshot(started.elapsed()));
                if crate::panics::injected("aggregator") {
                    panic!("injected panic in the aggregator");
                }
            }
            _ = drains.tick() => {
                if agg.drain(&mut outcomes) == Drained::Closed {
                    break;
                }
            }
        }
    }
    let mut last = agg.snapshot(started.elapsed());
    last.state = RunState::Done;
    publish.send_replace(last.clone());
    last
}

/// The window plus the gauges read at each tick.
struct Aggregator {
    window: Window,
    generator: Handle,
    peak_open_files: u64,
}

/// Whether the channel may still bring outcomes.
#[derive(PartialEq, Eq)]
enum Drained {
    Open,
    Closed,
}

impl Aggregator {
    /// Records what is waiting in the channel, without waiting for more.
    fn drain(&mut self, outcomes: &mut mpsc::Receiver<Batch>) -> Drained {
        for _ in 0..DRAIN_MAX {
            match outcomes.try_recv() {
                Ok(batch) => batch.iter().for_each(|o| self.window.record(o)),
                Err(TryRecvError::Empty) => return Drained::Open,
                Err(TryRecvError::Disconnected) => return Drained::Closed,
            }
        }
        Drained::Open
    }

    fn new(generator: Handle) -> Aggregator {
        Aggregator {
            window: Window::new(RING_TICKS),
            generator,
            peak_open_files: 0,
        }
    }

    /// Closes the tick at `elapsed` and gathers everything a view needs.
    fn snapshot(&mut self, elapsed: Duration) -> Snapshot {
        let last_tick = self.window.rotate(elapsed);
        let open_files = FdUsage::read();
        self.peak_open_files = self.peak_open_files.max(open_files.open);
        Snapshot {
            elapsed,
            state: self.generator.state(),
            counts: self.window.counts().clone(),
            last_tick,
            recent: self.window.recent().iter().copied().collect(),
            cumulative: self.window.cumulative(),
            limit: self.generator.limit(),
            capped: self.generator.capped(),
            in_flight: self.generator.in_flight(),
            peak_in_flight: self.generator.peak_in_flight(),
            open_files,
            peak_open_files: self.peak_open_files,
        }
    }
}
