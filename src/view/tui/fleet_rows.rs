//! What the dashboard shows of a fleet's workers: a row each, fed by `sluice fleet` beside
//! the merged snapshot (a single run has none). Not the engine's: its snapshot knows no
//! workers.

use crate::engine::steer::RunState;

/// Where one worker stands, as its row shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerState {
    /// Answering, its run in this state.
    Run(RunState),
    /// Not answering its polls any more.
    Down,
    /// Its answers were not a worker's (absurd numbers, a bad histogram): left out.
    LeftOut,
}

impl WorkerState {
    /// The word in its row and on progress lines.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkerState::Run(state) => state.as_str(),
            WorkerState::Down => "down",
            WorkerState::LeftOut => "left out",
        }
    }

    /// Whether its figures count (it answers and is not left out).
    pub fn is_up(self) -> bool {
        matches!(self, WorkerState::Run(_))
    }
}

/// One worker of a fleet, as its row on the dashboard shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerRow {
    /// Its control address as given, escaped.
    pub name: String,
    pub state: WorkerState,
    /// Responses a second in its last tick.
    pub rps: f64,
    pub in_flight: usize,
    pub limit: usize,
    pub failed: u64,
}
