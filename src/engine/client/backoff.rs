//! Waiting before trying again: after connect failures (shared by all requests, so a dead
//! target is not hammered in a tight loop) and after running out of descriptors (per request).

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::time::Duration;

/// The first wait after a connect failure; it doubles with each further failure in a row.
const CONNECT_BASE: Duration = Duration::from_millis(10);
/// The longest wait after connect failures: traffic resumes within this of the target's return.
const CONNECT_MAX: Duration = Duration::from_secs(1);
/// The first and longest waits before retrying a request that hit EMFILE/ENFILE.
const FILES_BASE: Duration = Duration::from_millis(5);
const FILES_MAX: Duration = Duration::from_millis(200);

/// `base` doubled `n - 1` times, at most `max`.
fn doubled(base: Duration, n: u32, max: Duration) -> Duration {
    base.saturating_mul(1u32 << n.saturating_sub(1).min(16))
        .min(max)
}

/// Connect failures in a row (and connections that broke HTTP/1.1 at once), across all
/// requests; an answer resets it.
#[derive(Debug, Default)]
pub struct ConnectBackoff {
    failures: AtomicU32,
}

impl ConnectBackoff {
    /// Counts a failure; returns how long the failed request should hold its slot.
    pub fn failed(&self) -> Duration {
        let n = self.failures.fetch_add(1, Relaxed).saturating_add(1);
        doubled(CONNECT_BASE, n, CONNECT_MAX)
    }

    /// An answer came: the target is reachable, and speaks HTTP, again.
    pub fn succeeded(&self) {
        if self.failures.load(Relaxed) != 0 {
            self.failures.store(0, Relaxed);
        }
    }
}

/// How long to wait before opening an HTTP/2 connection after `in_a_row` connections died
/// without answering: as after connect failures.
pub fn dead_connection(in_a_row: u32) -> Duration {
    doubled(CONNECT_BASE, in_a_row, CONNECT_MAX)
}

/// How long to wait before the `attempt`-th retry (from 1) after EMFILE/ENFILE.
pub fn out_of_files(attempt: u32) -> Duration {
    doubled(FILES_BASE, attempt, FILES_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_waits_double_up_to_a_second_and_reset_on_success() {
        let b = ConnectBackoff::default();
        let waits: Vec<_> = (0..9).map(|_| b.failed().as_millis()).collect();
        assert_eq!(waits, vec![10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        b.succeeded();
        assert_eq!(b.failed(), CONNECT_BASE);
    }

    #[test]
    fn out_of_files_waits_are_short_and_capped() {
        assert_eq!(out_of_files(1), Duration::from_millis(5));
        assert_eq!(out_of_files(3), Duration::from_millis(20));
        assert_eq!(out_of_files(40), FILES_MAX);
    }
}
