//! The load itself: the client that sends requests (connections, TLS, protocols), the
//! generator that keeps them within the limit and the rate, and the outcome of each.
//! It knows nothing of the views, the reports or the control API.

pub mod checks;
pub mod client;
pub mod data;
pub mod generator;
pub mod outcome;
pub mod shard;
pub mod steer;
