//! Every change of the knobs, when and by what: the summary's timeline, and what `--replay`
//! plays back.

use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// A change the operator (or a schedule) can make.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// The concurrency limit.
    Limit(usize),
    /// The rate in requests a second; None switches rate mode off (closed loop).
    Rate(Option<f64>),
    Pause,
    Resume,
}

/// The two knobs an operator (or a schedule) steers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Knob {
    /// The concurrency limit.
    Limit,
    /// The rate, in requests a second.
    Rate,
}

impl Knob {
    /// The knob a run steers by default: the rate in rate mode, else the limit.
    pub fn steered(rate: Option<f64>) -> Knob {
        match rate {
            Some(_) => Knob::Rate,
            None => Knob::Limit,
        }
    }

    /// The other knob (Tab on the dashboard).
    pub fn other(self) -> Knob {
        match self {
            Knob::Limit => Knob::Rate,
            Knob::Rate => Knob::Limit,
        }
    }

    /// The change that sets this knob to `value` (a limit is whole and at least 1).
    pub fn change(self, value: f64) -> Change {
        match self {
            Knob::Limit => Change::Limit(value.round().max(1.0) as usize),
            Knob::Rate => Change::Rate(Some(value.max(0.0))),
        }
    }

    /// The word in the JSON summary and on the dashboard.
    pub fn as_str(self) -> &'static str {
        match self {
            Knob::Limit => "limit",
            Knob::Rate => "rate",
        }
    }
}

/// What made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The values the run started with.
    Start,
    /// A `--stages` schedule.
    Stage,
    /// A key on the dashboard.
    Key,
    /// A `--replay` of another run's timeline.
    Replay,
    /// The control API (`--control`), or `sluice fleet` through it.
    Api,
}

impl Source {
    /// The word in the JSON timeline.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Start => "start",
            Source::Stage => "stage",
            Source::Key => "key",
            Source::Replay => "replay",
            Source::Api => "api",
        }
    }

    /// The source a JSON word names.
    pub fn parse(word: &str) -> Option<Source> {
        [
            Source::Start,
            Source::Stage,
            Source::Key,
            Source::Replay,
            Source::Api,
        ]
        .into_iter()
        .find(|s| s.as_str() == word)
    }
}

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
