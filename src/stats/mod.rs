//! From outcomes to numbers: the pure window, the aggregating task, the snapshot it publishes.

pub mod aggregator;
pub mod snapshot;
pub mod summary;
pub mod window;
