//! Schedules that steer a run the operator could steer by hand: `--stages` ramps a knob,
//! `--replay` plays another run's timeline, `--until` stops at a condition and names the
//! knee, `--hold` (the autopilot) keeps the most load within conditions. A key that moves a
//! knob takes over from a schedule and from the autopilot.

pub mod autopilot;
pub mod driver;
pub mod replay;
pub mod stages;
pub mod until;

pub use crate::engine::steer::Knob;

use crate::engine::steer::Change;
use std::time::Duration;

/// What a schedule does at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Played {
    /// Changes now due, each with whether it goes into the timeline.
    pub changes: Vec<(Change, bool)>,
    /// The step playing (from 1), of how many.
    pub step: u16,
    pub of: u16,
}

/// A schedule: what to change by run time `t`; None once it has ended.
pub trait Script: Send + 'static {
    fn at(&mut self, t: Duration) -> Option<Played>;
}
