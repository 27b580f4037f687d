//! From outcomes to numbers: the pure window, the aggregating task, the snapshot it publishes;
//! no I/O: the gauges and open files come in through `aggregator::Readings`.

pub(crate) mod aggregator;
pub mod by_step;
pub mod by_target;
pub mod checks;
pub mod condition;
pub mod latency;
pub mod series;
pub mod snapshot;
pub mod step_ticks;
pub mod window;
