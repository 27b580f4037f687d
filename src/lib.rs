//! sluicegate: a live HTTP load tester. `run::run` wires the pieces:
//! generator (permits → requests through the client) → outcomes channel → aggregator (HDR)
//! → snapshots → a view (dashboard or progress lines) → the report.
//!
//! The engine (`generator`, `client`, `stats`, `outcome`) knows nothing of the views, the
//! panic hook or the signals; `run` hands it what it needs.

/// `eprintln!` that never panics: a closed stderr loses the line, not the exit code.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::say(format_args!($($arg)*))
    };
}

// The engine.
pub mod client;
pub mod generator;
pub mod outcome;
pub mod stats;

// Input, output and the wiring of a run.
pub mod cli;
pub mod condition;
pub mod config;
pub mod connect_to;
pub mod control;
pub mod error;
pub mod fleet;
pub mod merge;
pub mod output;
pub mod plot;
pub mod report;
pub mod run;
pub mod schedule;
pub mod shard;
pub(crate) mod target;
pub(crate) mod units;
pub mod untrusted;

// The views.
pub(crate) mod headless;
pub mod tui;

// The process: its resources, its signals and panics, its runtime, the demo target.
pub mod demo;
pub(crate) mod fault;
pub(crate) mod panics;
pub mod probe;
pub(crate) mod runtime;
pub(crate) mod signals;

pub use demo::run_demo;
pub use run::run;
