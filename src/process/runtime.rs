//! The one way sluice builds a tokio runtime: single-threaded with I/O and timers, for the
//! generator's thread, the run's main thread and the standalone demo target.

use std::io;
use tokio::runtime::{Builder, Runtime};

/// A current-thread runtime with I/O and timers enabled.
pub fn current_thread() -> io::Result<Runtime> {
    Builder::new_current_thread().enable_all().build()
}
