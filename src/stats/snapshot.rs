//! What a view (dashboard, progress line, summary) is given each tick.

use super::by_step::{ScenarioHistograms, SessionFigures, StepFigures};
use super::by_target::TargetFigures;
use super::latency::LatencySummary;
use super::series::EndOfRun;
use super::window::{Counts, Histograms, TickSummary};
use crate::engine::steer::Gauges;
use crate::process::probe::fd::FdUsage;
use std::sync::Arc;
use std::time::Duration;

/// The state of the run at one moment; views read it and nothing else.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub elapsed: Duration,
    pub counts: Counts,
    /// The tick that just closed.
    pub last_tick: TickSummary,
    /// Its histograms (shared, not copied), for the HDR log and exact merges.
    pub last_tick_histograms: Option<Arc<Histograms>>,
    /// The whole run's histograms so far (shared), for the control API's exact merges.
    pub run_histograms: Option<Arc<Histograms>>,
    /// Recent ticks, oldest first, for charts.
    pub recent: Vec<TickSummary>,
    /// Latency over the run so far, from when each request was due.
    pub cumulative: LatencySummary,
    /// Service time over the run so far, from each actual send.
    pub cumulative_service: LatencySummary,
    /// Time to first byte over the run so far, from each send to the head.
    pub cumulative_ttfb: LatencySummary,
    /// Opening connections over the run so far, one a connection.
    pub cumulative_connect: LatencySummary,
    /// The generator's gauges at the tick.
    pub gauges: Gauges,
    pub open_files: FdUsage,
    pub peak_open_files: u64,
    /// Each URL's figures, in URL order (with `--urls-from-file`; else empty).
    pub targets: Vec<TargetFigures>,
    /// `--scenario`: each step's figures, in step order (else empty).
    pub steps: Vec<StepFigures>,
    /// `--scenario`: the sessions (else None).
    pub sessions: Option<SessionFigures>,
    /// `--scenario`: the steps' and sessions' histograms so far (shared), for exact merges
    /// of the summary, `/status` and the fleet (else None).
    pub scenario_histograms: Option<Arc<ScenarioHistograms>>,
    /// In the last snapshot only: the whole run's histograms and series.
    pub end_of_run: Option<Arc<EndOfRun>>,
}

impl Snapshot {
    /// Responses a second over the run so far: failures are not throughput.
    pub fn average_rps(&self) -> f64 {
        crate::units::per_second(self.counts.ok, self.elapsed.as_secs_f64())
    }
}
