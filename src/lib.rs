//! sluicegate: a live HTTP load tester. `run::run` wires the pieces:
//! generator (permits → requests) → outcomes channel → aggregator (HDR) → snapshots → a view.

pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod generator;
pub mod headless;
pub mod output;
pub mod panics;
pub mod probe;
pub mod report;
pub mod run;
pub mod signals;
pub mod stats;
pub mod target;
pub mod tui;
pub mod units;

pub use demo::run_demo;
pub use run::run;
