//! Every change of the knobs, when and by what: the summary's timeline, and what `--replay`
//! plays back.

use crate::engine::steer::{Change, Source};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// One change, at run time `at`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    pub at: Duration,
    pub change: Change,
    pub source: Source,
}

/// The changes of one run, in order.
#[derive(Debug)]
pub struct Timeline {
    started: Instant,
    entries: Mutex<Vec<Entry>>,
}

impl Timeline {
    /// An empty timeline for a run that started at `started`.
    pub fn new(started: Instant) -> Timeline {
        Timeline {
            started,
            entries: Mutex::new(Vec::new()),
        }
    }

    /// Records `change` by `source`, now.
    pub fn record(&self, change: Change, source: Source) {
        let at = self.started.elapsed();
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Entry { at, change, source });
    }

    /// Every change so far.
    pub fn entries(&self) -> Vec<Entry> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
