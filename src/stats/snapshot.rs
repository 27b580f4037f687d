//! What a view (dashboard, progress line, summary) is given each tick.

use super::window::{Counts, LatencySummary, TickSummary};
use crate::generator::RunState;
use crate::probe::fd::FdUsage;
use std::time::Duration;

/// The state of the run at one moment; views read it and nothing else.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub elapsed: Duration,
    pub state: RunState,
    pub counts: Counts,
    /// The tick that just closed.
    pub last_tick: TickSummary,
    /// Recent ticks, oldest first, for charts.
    pub recent: Vec<TickSummary>,
    pub cumulative: LatencySummary,
    pub limit: usize,
    /// The open-file cap, when the limit asked for was above it.
    pub capped: Option<usize>,
    pub in_flight: usize,
    pub peak_in_flight: usize,
    pub open_files: FdUsage,
    pub peak_open_files: u64,
}

impl Snapshot {
    /// Responses a second over the run so far: failures are not throughput.
    pub fn average_rps(&self) -> f64 {
        crate::units::per_second(self.counts.ok, self.elapsed.as_secs_f64())
    }
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot {
            elapsed: Duration::ZERO,
            state: RunState::Running,
            counts: Counts::default(),
            last_tick: TickSummary::default(),
            recent: Vec::new(),
            cumulative: LatencySummary::default(),
            limit: 0,
            capped: None,
            in_flight: 0,
            peak_in_flight: 0,
            open_files: FdUsage::default(),
            peak_open_files: 0,
        }
    }
}
