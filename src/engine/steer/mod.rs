//! One vocabulary for steering a run. The dashboard's keys, the schedules (stages, replay),
//! the control API and the fleet all say what they want as a `Change` of a `Knob`, made by
//! a `Source`, through one port, `Steer`; the bounds are checked in `bounds`.

use serde::{Deserialize, Serialize};

mod bounds;
mod gauges;

pub use bounds::{MAX_LIMIT, MAX_RATE, MIN_RATE, check_limit, check_rate, check_rate_or_zero};
pub use gauges::{Gauges, RunState, ScheduleState};

/// The port every hand steers a run through: a run's generator, or a fleet of workers.
pub trait Steer {
    /// The gauges now, read every frame.
    fn gauges(&self) -> Gauges;
    /// Makes `change`, as made by `source` (the last hand to touch a knob holds it).
    fn steer(&self, change: Change, source: Source);
}

/// A change the operator (or a schedule) can make.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// The concurrency limit.
    Limit(usize),
    /// The rate in requests a second; None switches rate mode off (closed loop).
    Rate(Option<f64>),
    Pause,
    Resume,
    /// Ends the run: nothing new starts, what is in flight is aborted. Never in a timeline.
    Stop,
}

/// The two knobs an operator (or a schedule) steers; named in JSON as "limit" and "rate".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Knob {
    /// The concurrency limit.
    Limit,
    /// The rate, in requests a second.
    Rate,
}

impl Knob {
    /// The knob a run steers by default: the rate in rate mode, else the limit.
    pub fn steered(rate: Option<f64>) -> Knob {
        match rate {
            Some(_) => Knob::Rate,
            None => Knob::Limit,
        }
    }

    /// The other knob (Tab on the dashboard).
    pub fn other(self) -> Knob {
        match self {
            Knob::Limit => Knob::Rate,
            Knob::Rate => Knob::Limit,
        }
    }

    /// The change that sets this knob to `value`, held within the knob's bounds (a limit is
    /// whole, 1 to `MAX_LIMIT`; a rate 0 to `MAX_RATE`).
    pub fn change(self, value: f64) -> Change {
        match self {
            Knob::Limit => Change::Limit(value.round().clamp(1.0, MAX_LIMIT as f64) as usize),
            Knob::Rate => Change::Rate(Some(value.clamp(0.0, MAX_RATE))),
        }
    }

    /// The word in the JSON summary and on the dashboard.
    pub fn as_str(self) -> &'static str {
        match self {
            Knob::Limit => "limit",
            Knob::Rate => "rate",
        }
    }
}

/// What made a change; named in JSON by its lower-case word ("start", "key", ...). The
/// last hand to move a knob holds the knobs (`Gauges::hand`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The values the run started with.
    Start,
    /// A `--stages` schedule.
    Stage,
    /// A key on the dashboard.
    Key,
    /// A `--replay` of another run's timeline.
    Replay,
    /// The control API (`--control`), or `sluice fleet` through it.
    Api,
    /// The autopilot (`--hold`, the `a` key, `POST /hold`): it moves the steered knob to
    /// the most load within the conditions.
    Auto,
}

impl Source {
    /// The word in the JSON timeline.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Start => "start",
            Source::Stage => "stage",
            Source::Key => "key",
            Source::Replay => "replay",
            Source::Api => "api",
            Source::Auto => "auto",
        }
    }
}

impl std::fmt::Display for Knob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
