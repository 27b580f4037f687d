//! The task that drains outcomes into the window and publishes a snapshot every tick.

use super::by_step::StepSpec;
use super::series::{EndOfRun, SeriesPoint};
use super::snapshot::Snapshot;
use super::window::Window;
use crate::engine::generator::outbox::Batch;
use crate::engine::steer::{Gauges, RunState};
use crate::process::probe::fd::FdUsage;
use std::sync::Arc;
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

/// When snapshots are taken.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub tick: Duration,
    /// The run's start; ticks fall on whole multiples of `tick` after it.
    pub started: Instant,
    /// A run with `-z` ticks only before its end, so its last tick is never a partial
    /// second racing the end of the run.
    pub ends_by: Option<Duration>,
}

impl Schedule {
    /// Whether a tick at run time `at` is taken.
    fn ticks_at(&self, at: Duration) -> bool {
        self.ends_by.is_none_or(|end| at < end)
    }
}

/// Where the aggregator reads what it records beside the outcomes each tick, so stats
/// itself does no I/O and holds no generator handle.
pub trait Readings: Send + 'static {
    /// The generator's gauges now.
    fn gauges(&self) -> Gauges;
    /// The process's open files now.
    fn open_files(&self) -> FdUsage;
    /// Requests that have started late so far (rate mode).
    fn late_starts(&self) -> u64;
    /// Whether a stopping generator is aborting what is in flight (a stop), rather than
    /// letting it finish (`-w` at the end of `-z`, which bounds the wait itself).
    fn aborting(&self) -> bool;
}

/// Once stopping, how long the generator gets to hand in its last outcomes; after that,
/// what is still in flight is counted aborted and the run ends without it.
pub const STOP_GRACE: Duration = Duration::from_millis(200);

/// Counts outcomes until the channel closes (or the generator overstays `STOP_GRACE` once
/// stopping), each `--check` of `checks` (their texts) among them; publishes a snapshot
/// every tick, on `publish` and on each of `every` (which misses none); returns the final
/// snapshot.
pub async fn run(
    mut outcomes: mpsc::Receiver<Batch>,
    readings: impl Readings,
    (schedule, checks, steps): (Schedule, Vec<String>, Vec<StepSpec>),
    publish: watch::Sender<Snapshot>,
    every: Vec<mpsc::UnboundedSender<Snapshot>>,
) -> Snapshot {
    let started = schedule.started;
    let send = |snapshot: Snapshot| {
        for each in &every {
            let _ = each.send(snapshot.clone());
        }
        publish.send_replace(snapshot);
    };
    let mut agg = Aggregator::new(readings, &checks, steps);
    let mut ticks = tokio::time::interval_at(started + schedule.tick, schedule.tick);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut next_tick = schedule.tick;
    let mut drains = tokio::time::interval(Duration::from_millis(DRAIN_MS));
    drains.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut stopping_since = None;
    loop {
        tokio::select! {
            biased;
            _ = ticks.tick(), if schedule.ticks_at(next_tick) => {
                send(agg.snapshot(started.elapsed()));
                next_tick += schedule.tick;
                if crate::process::fault::injected("aggregator") {
                    panic!("injected panic in the aggregator");
                }
            }
            _ = drains.tick() => {
                if agg.drain(&mut outcomes) == Drained::Closed {
                    break;
                }
                if agg.overstayed(&mut stopping_since) {
                    break;
                }
            }
        }
    }
    let mut last = agg.snapshot(started.elapsed());
    last.gauges.state = RunState::Done;
    last.end_of_run = Some(Arc::new(agg.end_of_run()));
    send(last.clone());
    last
}

/// The window plus the gauges read at each tick.
struct Aggregator<R> {
    window: Window,
    readings: R,
    peak_open_files: u64,
    series: Vec<SeriesPoint>,
}

/// Whether the channel may still bring outcomes.
#[derive(PartialEq, Eq)]
enum Drained {
    Open,
    Closed,
}

impl<R: Readings> Aggregator<R> {
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

    /// Whether the generator has been aborting for longer than `STOP_GRACE`; if so, what it
    /// still has in flight is counted aborted.
    fn overstayed(&mut self, stopping_since: &mut Option<Instant>) -> bool {
        let gauges = self.readings.gauges();
        if gauges.state != RunState::Stopping || !self.readings.aborting() {
            return false;
        }
        let since = *stopping_since.get_or_insert_with(Instant::now);
        if since.elapsed() < STOP_GRACE {
            return false;
        }
        self.window.add_aborted(gauges.in_flight as u64);
        true
    }

    fn new(readings: R, checks: &[String], steps: Vec<StepSpec>) -> Aggregator<R> {
        Aggregator {
            window: Window::new(RING_TICKS)
                .with_checks(checks)
                .with_steps(steps),
            readings,
            peak_open_files: 0,
            series: Vec::new(),
        }
    }

    /// Closes the tick at `elapsed` and gathers everything a view needs.
    fn snapshot(&mut self, elapsed: Duration) -> Snapshot {
        let gauges = self.readings.gauges();
        self.window.note_target_rate(gauges.rate);
        self.window.note_late_starts(self.readings.late_starts());
        let last_tick = self.window.rotate(elapsed);
        let open_files = self.readings.open_files();
        self.peak_open_files = self.peak_open_files.max(open_files.open);
        self.series.push(SeriesPoint::of(&last_tick, &gauges));
        Snapshot {
            elapsed,
            counts: self.window.counts().clone(),
            last_tick,
            last_tick_histograms: Some(self.window.last_tick_histograms()),
            run_histograms: Some(Arc::new(self.window.run_histograms())),
            recent: self.window.recent().iter().cloned().collect(),
            cumulative: self.window.cumulative(),
            cumulative_service: self.window.cumulative_service(),
            cumulative_ttfb: self.window.cumulative_ttfb(),
            cumulative_connect: self.window.cumulative_connect(),
            gauges,
            open_files,
            peak_open_files: self.peak_open_files,
            targets: self.window.targets(),
            steps: self.window.steps(),
            sessions: self.window.sessions(),
            scenario_histograms: self.window.scenario_histograms().map(Arc::new),
            end_of_run: None,
        }
    }

    /// The whole run's histograms and series, for the last snapshot.
    fn end_of_run(&mut self) -> EndOfRun {
        EndOfRun {
            histograms: self.window.run_histograms(),
            series: std::mem::take(&mut self.series),
        }
    }
}
