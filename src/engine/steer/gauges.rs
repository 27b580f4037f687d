//! What a hand on the knobs sees of a run: its state, its schedule's, and the gauges read
//! each frame and each tick.

use super::Source;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What the generator is doing, as the operator sees it; named in JSON by `as_str`'s word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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

/// Where a schedule (`--stages`, `--replay`) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScheduleState {
    /// No schedule: the operator steers.
    #[default]
    None,
    /// Step `step` (from 1) of `of` is playing.
    Playing { step: u16, of: u16 },
    /// A key changed a knob: the schedule stopped, the operator steers.
    Manual,
    /// The schedule played to its end.
    Ended,
}

/// The generator's gauges at one moment: what the snapshot records each tick and the
/// dashboard reads each frame.
#[derive(Debug, Clone, Copy, PartialEq)]
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
    /// The target rate, requests a second; None in concurrency mode (closed loop).
    pub rate: Option<f64>,
    /// How long the oldest request not yet started has been due (rate mode; else zero).
    pub lag: Duration,
    /// Requests started so far.
    pub started: u64,
    pub schedule: ScheduleState,
    /// The hand that moved a knob last (the start values until one does): a schedule or
    /// the autopilot steers only while it holds them.
    pub hand: Source,
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
            rate: None,
            lag: Duration::ZERO,
            started: 0,
            schedule: ScheduleState::None,
            hand: Source::Start,
        }
    }
}

impl std::fmt::Display for RunState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
