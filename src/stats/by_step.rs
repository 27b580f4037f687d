//! With `--scenario`: each step's counts, checks and latencies, and the sessions' counts and
//! durations, so that the summary can break the run down by step. A run without scenarios
//! keeps none.

use super::checks::{self, CheckTally};
use super::latency::{LatencySummary, MAX_LATENCY_US, Sums};
use crate::engine::outcome::{
    ErrorKind, Outcome, SESSION_COMPLETED, SESSION_FAILED, SESSION_STARTED, Verdict,
};
use hdrhistogram::Histogram;
use std::collections::BTreeMap;
use std::ops::Range;

/// Two significant figures (1%), as a URL's: a step's three histograms are ~60 KB.
const SIGFIGS: u8 = 2;

/// What the stats need to know of a step before the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepSpec {
    /// As the report names it.
    pub name: String,
    /// Its checks' canonical texts, in order (bit i of an outcome's `checks_failed`).
    pub checks: Vec<String>,
    /// The steps skipped when a session fails at this one: its flow's later request steps.
    pub later: Range<u16>,
}

/// One ladder's histogram and exact sums.
struct Ladder {
    histogram: Histogram<u64>,
    sums: Sums,
}

impl Ladder {
    fn new() -> Ladder {
        Ladder {
            histogram: Histogram::new_with_bounds(1, MAX_LATENCY_US, SIGFIGS)
                .expect("static histogram bounds"),
            sums: Sums::default(),
        }
    }

    fn record(&mut self, us: u64) {
        let us = us.clamp(1, MAX_LATENCY_US);
        self.histogram.saturating_record(us);
        self.sums.add(us);
    }

    fn summary(&self) -> LatencySummary {
        LatencySummary::of(&self.histogram, self.sums)
    }
}

/// A step's latency, service time and time to first byte: made at its first response.
struct Ladders {
    latency: Ladder,
    service: Ladder,
    ttfb: Ladder,
}

/// One step's running totals.
struct Tally {
    ok: u64,
    failed: u64,
    skipped: u64,
    status: BTreeMap<u16, u64>,
    errors: [u64; ErrorKind::ALL.len()],
    checks: Vec<CheckTally>,
    ladders: Option<Box<Ladders>>,
}

/// What one step did, as views show it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepFigures {
    pub name: String,
    pub ok: u64,
    pub failed: u64,
    /// Times it was not sent: its session had failed at an earlier step.
    pub skipped: u64,
    pub status_codes: BTreeMap<u16, u64>,
    /// Failures by kind, only kinds that were seen.
    pub errors: BTreeMap<&'static str, u64>,
    pub checks: Vec<CheckTally>,
    pub latency: LatencySummary,
    pub service: LatencySummary,
    pub ttfb: LatencySummary,
}

/// The sessions of a run: how many started, walked every step, failed; how long they took.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionFigures {
    pub started: u64,
    pub completed: u64,
    pub failed: u64,
    /// From when each session started (was due, in rate mode) to its last step's end.
    pub duration: LatencySummary,
}

/// Every step's tallies, by step number, and the sessions'.
#[derive(Default)]
pub struct BySteps {
    specs: Vec<StepSpec>,
    tallies: Vec<Tally>,
    sessions: SessionFigures,
    durations: Option<Ladder>,
}

impl BySteps {
    /// Tallies for `specs` (none: a run without scenarios, which keeps nothing).
    pub fn new(specs: Vec<StepSpec>) -> BySteps {
        let tallies = specs
            .iter()
            .map(|s| Tally {
                ok: 0,
                failed: 0,
                skipped: 0,
                status: BTreeMap::new(),
                errors: [0; ErrorKind::ALL.len()],
                checks: s.checks.iter().map(|c| CheckTally::new(c)).collect(),
                ladders: None,
            })
            .collect();
        BySteps {
            durations: (!specs.is_empty()).then(Ladder::new),
            specs,
            tallies,
            sessions: SessionFigures::default(),
        }
    }

    /// Whether steps are kept (a scenario run).
    pub fn is_kept(&self) -> bool {
        !self.specs.is_empty()
    }

    /// Counts `o` for its step, and what it says of its session.
    pub fn record(&mut self, o: &Outcome) {
        let i = usize::from(o.step);
        let Some(t) = self.tallies.get_mut(i) else {
            return;
        };
        match o.verdict {
            Verdict::Status(code) => {
                t.ok += 1;
                *t.status.entry(code).or_default() += 1;
                let ladders = t.ladders.get_or_insert_with(|| {
                    Box::new(Ladders {
                        latency: Ladder::new(),
                        service: Ladder::new(),
                        ttfb: Ladder::new(),
                    })
                });
                ladders.latency.record(o.latency_us);
                ladders.service.record(o.service_us());
                ladders.ttfb.record(u64::from(o.ttfb_us));
                if !t.checks.is_empty() {
                    checks::record(&mut t.checks, o.checks_failed);
                }
            }
            Verdict::Error(kind) => {
                t.failed += 1;
                t.errors[kind.index()] += 1;
            }
            Verdict::Aborted => {}
        }
        self.session(o, i);
    }

    /// The session's side of `o`, step `i`'s outcome.
    fn session(&mut self, o: &Outcome, i: usize) {
        let s = &mut self.sessions;
        s.started += u64::from(o.session & SESSION_STARTED != 0);
        if o.session & (SESSION_COMPLETED | SESSION_FAILED) != 0
            && let Some(d) = &mut self.durations
        {
            d.record(u64::from(o.session_us));
        }
        if o.session & SESSION_COMPLETED != 0 {
            s.completed += 1;
        }
        if o.session & SESSION_FAILED != 0 {
            s.failed += 1;
            let later = self.specs[i].later.clone();
            for j in later {
                if let Some(t) = self.tallies.get_mut(usize::from(j)) {
                    t.skipped += 1;
                }
            }
        }
    }

    /// Each step's figures so far, in step order; empty without scenarios.
    pub fn figures(&self) -> Vec<StepFigures> {
        self.specs
            .iter()
            .zip(&self.tallies)
            .map(|(spec, t)| {
                let ladder = |pick: fn(&Ladders) -> &Ladder| {
                    t.ladders
                        .as_ref()
                        .map(|l| pick(l).summary())
                        .unwrap_or_default()
                };
                StepFigures {
                    name: spec.name.clone(),
                    ok: t.ok,
                    failed: t.failed,
                    skipped: t.skipped,
                    status_codes: t.status.clone(),
                    errors: super::by_target::seen_errors(&t.errors),
                    checks: t.checks.clone(),
                    latency: ladder(|l| &l.latency),
                    service: ladder(|l| &l.service),
                    ttfb: ladder(|l| &l.ttfb),
                }
            })
            .collect()
    }

    /// The sessions so far; None without scenarios.
    pub fn sessions(&self) -> Option<SessionFigures> {
        let durations = self.durations.as_ref()?;
        Some(SessionFigures {
            duration: durations.summary(),
            ..self.sessions.clone()
        })
    }
}

// Exact merges (issue 26, steps across processes): the histograms behind the ladders.

/// One step's histograms (µs, two significant figures), for exact merges elsewhere.
#[derive(Debug, Clone, PartialEq)]
pub struct StepHistograms {
    pub latency: Histogram<u64>,
    pub service: Histogram<u64>,
    pub ttfb: Histogram<u64>,
}

impl StepHistograms {
    /// Three empty ones, with the bounds a step's have.
    pub fn empty() -> StepHistograms {
        StepHistograms {
            latency: new_step_histogram(),
            service: new_step_histogram(),
            ttfb: new_step_histogram(),
        }
    }
}

/// Every step's histograms in step order (None: no response yet), and the durations of the
/// sessions that ended (None: none did).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScenarioHistograms {
    pub steps: Vec<Option<StepHistograms>>,
    pub durations: Option<Histogram<u64>>,
}

/// An empty histogram with a step's (and a session's) bounds and precision.
pub fn new_step_histogram() -> Histogram<u64> {
    Ladder::new().histogram
}

impl BySteps {
    /// The run's step and session histograms so far; None without scenarios.
    pub fn histograms(&self) -> Option<ScenarioHistograms> {
        let durations = self.durations.as_ref()?;
        let steps = self.tallies.iter().map(|t| {
            t.ladders.as_ref().map(|l| StepHistograms {
                latency: l.latency.histogram.clone(),
                service: l.service.histogram.clone(),
                ttfb: l.ttfb.histogram.clone(),
            })
        });
        Some(ScenarioHistograms {
            steps: steps.collect(),
            durations: (!durations.histogram.is_empty()).then(|| durations.histogram.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, later: Range<u16>) -> StepSpec {
        StepSpec {
            name: name.into(),
            checks: vec!["status == 200".into()],
            later,
        }
    }

    fn step(step: u16, verdict: Verdict, session: u8) -> Outcome {
        Outcome {
            step,
            verdict,
            session,
            latency_us: 2_000,
            session_us: 5_000,
            ..Outcome::aborted()
        }
    }

    #[test]
    fn steps_and_sessions_are_counted_and_a_failure_skips_the_rest() {
        let mut by = BySteps::new(vec![spec("login", 1..3), spec("a", 2..3), spec("b", 3..3)]);
        by.record(&step(0, Verdict::Status(200), SESSION_STARTED));
        by.record(&step(1, Verdict::Status(500), 0));
        by.record(&Outcome {
            checks_failed: 1,
            ..step(2, Verdict::Status(200), SESSION_COMPLETED)
        });
        let missing = Verdict::Error(ErrorKind::CaptureMissing);
        by.record(&step(0, missing, SESSION_STARTED | SESSION_FAILED));
        let f = by.figures();
        assert_eq!((f[0].ok, f[0].failed, f[0].skipped), (1, 1, 0));
        assert_eq!(f[0].errors, BTreeMap::from([("capture_missing", 1)]));
        assert_eq!((f[1].skipped, f[2].skipped), (1, 1));
        assert_eq!(f[1].status_codes, BTreeMap::from([(500, 1)]));
        assert_eq!((f[2].checks[0].passed, f[2].checks[0].failed), (0, 1));
        let p50 = f[0].latency.p50_us;
        assert!((1_980..=2_020).contains(&p50), "p50 {p50}");
        let s = by.sessions().expect("kept");
        assert_eq!((s.started, s.completed, s.failed), (2, 1, 1));
        assert_eq!(s.duration.count, 2);
        assert!(BySteps::new(Vec::new()).sessions().is_none());
    }
}
