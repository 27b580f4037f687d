//! One panel a file; each has one `render(frame, area, &App)` and draws nothing else.

pub mod header;
pub mod help;
pub mod in_flight;
pub mod key_bar;
pub mod latency;
pub mod open_files;
pub mod responses;
pub mod throughput;
pub mod trend;
