//! sluicegate: a live HTTP load tester. `run::run` wires the pieces:
//! engine (permits → requests through the client) → outcomes channel → stats (HDR windows)
//! → snapshots → a view (dashboard or progress lines) → the report.
//!
//! The folders, from the bottom up (each imports only those before it):
//! `units` the numbers people type and their bounds; `process` the process's own concerns
//! (errors and exit codes, signals, panics, runtimes, probes, untrusted input); `engine` the
//! load itself (client, generator, outcomes); `stats` what the outcomes add up to; `report`
//! summaries and their files (text, JSON, CSV, HDR log, plot, merge); `schedule` hands on the
//! knobs over time; `view` the dashboard and the progress lines; `control` the control API;
//! `fleet` the many-workers view; `run` the command line, its checks and the wiring of a run.

/// `eprintln!` that never panics: a closed stderr loses the line, not the exit code.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::process::say(format_args!($($arg)*))
    };
}

pub(crate) mod units;

pub mod process;

pub mod engine;

pub mod stats;

pub mod report;

pub mod schedule;

pub mod view;

pub mod control;

pub mod fleet;

pub mod run;

pub use run::demo::run_demo;
pub use run::run;
