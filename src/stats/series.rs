//! The run tick by tick, for the summary's `series`: one small point a tick, so it grows
//! with the run's duration (about 100 bytes a second), never with its request count.

use super::window::{Histograms, TickSummary};
use crate::engine::steer::Gauges;
use std::time::Duration;

/// One tick of the run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeriesPoint {
    /// Run time at the end of the tick.
    pub end: Duration,
    /// Responses (any status) in the tick.
    pub ok: u64,
    pub failed: u64,
    /// Responses a second over the tick.
    pub rps: f64,
    /// None when no response arrived in the tick.
    pub p50_us: Option<u64>,
    pub p99_us: Option<u64>,
    /// Gauges read as the tick closed.
    pub in_flight: usize,
    pub limit: usize,
    /// The target rate (rate mode); None in concurrency mode.
    pub rate_target: Option<f64>,
}

impl SeriesPoint {
    /// The point for a tick that just closed, with the gauges read as it did.
    pub fn of(tick: &TickSummary, gauges: &Gauges) -> SeriesPoint {
        let measured = |us: u64| (tick.latency.count > 0).then_some(us);
        SeriesPoint {
            end: tick.end,
            ok: tick.ok,
            failed: tick.failed,
            rps: tick.rps,
            p50_us: measured(tick.latency.p50_us),
            p99_us: measured(tick.latency.p99_us),
            in_flight: gauges.in_flight,
            limit: gauges.limit,
            rate_target: gauges.rate,
        }
    }
}

/// What only the end of a run has: the whole run's histograms and its series.
#[derive(Debug, Clone)]
pub struct EndOfRun {
    pub histograms: Histograms,
    pub series: Vec<SeriesPoint>,
}
