//! `--scenario` in the summary: each request step's counts, checks and latency ladders,
//! and the sessions' counts and durations.

use super::hdr::encode;
use super::latency::LatencyMs;
use crate::engine::outcome::ErrorKind;
use crate::stats::by_step::{ScenarioHistograms, SessionFigures, StepFigures};
use crate::stats::checks::CheckTally;
use crate::stats::latency::{LatencySummary, Sums};
use crate::stats::snapshot::Snapshot;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One request step of a scenario over the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepSummary {
    pub name: String,
    /// Sent or tried: `ok` + `failed`.
    pub requests: u64,
    /// Responses (any status).
    pub ok: u64,
    pub failed: u64,
    /// Not sent: the session had failed at an earlier step.
    pub skipped: u64,
    pub status_codes: BTreeMap<String, u64>,
    /// Failures by kind, only kinds that were seen.
    pub errors: BTreeMap<String, u64>,
    /// The step's own checks, in the file's order.
    pub checks: Vec<StepCheck>,
    /// None (null) when the step had no response.
    pub latency_ms: Option<LatencyMs>,
    pub service_ms: Option<LatencyMs>,
    pub ttfb_ms: Option<LatencyMs>,
    /// The step's histograms, encoded as the top-level `histograms` are, so a merge's
    /// ladders are exact; None (null) when the step had no response.
    #[serde(default)]
    pub histograms: Option<EncodedStep>,
}

/// A step's histograms, HdrHistogram V2 compressed, base64 (µs, two significant figures).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncodedStep {
    pub latency: String,
    pub service: String,
    pub ttfb: String,
}

/// One check of a step: the responses that passed it and that failed it (the shape of the
/// top-level `checks`' entries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepCheck {
    pub check: String,
    pub passed: u64,
    pub failed: u64,
}

/// The sessions of a scenario run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionsSummary {
    pub started: u64,
    /// Walked every step.
    pub completed: u64,
    /// Stopped at a step that failed (a request error or a capture that found nothing).
    pub failed: u64,
    /// From each session's start (when it was due, in rate mode) to its last step's end;
    /// None (null) when none ended.
    pub duration_ms: Option<LatencyMs>,
    /// The durations' histogram, encoded; None (null) when none ended.
    #[serde(default)]
    pub histograms: Option<EncodedSessions>,
}

/// The sessions' durations, HdrHistogram V2 compressed, base64 (µs, two significant figures).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncodedSessions {
    pub duration: String,
}

/// `l` in milliseconds; None when it holds nothing.
fn ms(l: &LatencySummary) -> Option<LatencyMs> {
    (l.count > 0).then(|| LatencyMs::from(l))
}

impl From<&StepFigures> for StepSummary {
    fn from(f: &StepFigures) -> StepSummary {
        StepSummary {
            name: f.name.clone(),
            requests: f.ok + f.failed,
            ok: f.ok,
            failed: f.failed,
            skipped: f.skipped,
            status_codes: f
                .status_codes
                .iter()
                .map(|(code, n)| (code.to_string(), *n))
                .collect(),
            errors: f
                .errors
                .iter()
                .map(|(kind, n)| (kind.to_string(), *n))
                .collect(),
            checks: f
                .checks
                .iter()
                .map(|t| StepCheck {
                    check: t.check.clone(),
                    passed: t.passed,
                    failed: t.failed,
                })
                .collect(),
            latency_ms: ms(&f.latency),
            service_ms: ms(&f.service),
            ttfb_ms: ms(&f.ttfb),
            histograms: None,
        }
    }
}

impl From<&SessionFigures> for SessionsSummary {
    fn from(f: &SessionFigures) -> SessionsSummary {
        SessionsSummary {
            started: f.started,
            completed: f.completed,
            failed: f.failed,
            duration_ms: ms(&f.duration),
            histograms: None,
        }
    }
}

// Exact merges (issue 26, steps across processes): the histograms travel encoded.

/// Each step's summary with its histograms encoded (`h`: the run's, None without), in
/// step order; the sessions' likewise.
pub fn of_run(
    steps: &[StepFigures],
    sessions: Option<&SessionFigures>,
    h: Option<&ScenarioHistograms>,
) -> (Vec<StepSummary>, Option<SessionsSummary>) {
    let step_h = |i: usize| h.and_then(|h| h.steps.get(i)).and_then(Option::as_ref);
    let steps = steps.iter().enumerate().map(|(i, f)| StepSummary {
        histograms: step_h(i).filter(|_| f.ok > 0).map(|h| EncodedStep {
            latency: encode(&h.latency),
            service: encode(&h.service),
            ttfb: encode(&h.ttfb),
        }),
        ..StepSummary::from(f)
    });
    let durations = h.and_then(|h| h.durations.as_ref());
    let sessions = sessions.map(|f| SessionsSummary {
        histograms: durations
            .filter(|d| !d.is_empty())
            .map(|d| EncodedSessions {
                duration: encode(d),
            }),
        ..SessionsSummary::from(f)
    });
    (steps.collect(), sessions)
}

/// A snapshot's steps and sessions, their histograms encoded (the summary's).
pub fn of_snapshot(last: &Snapshot) -> (Vec<StepSummary>, Option<SessionsSummary>) {
    let h = last.scenario_histograms.as_deref();
    of_run(&last.steps, last.sessions.as_ref(), h)
}

/// The exact sums behind a ladder of `n` values (zero when there is none).
pub fn sums_of(n: u64, l: Option<&LatencyMs>) -> Sums {
    l.map_or(Sums::default(), |l| {
        Sums::of_moments(n, l.mean * 1000.0, l.stdev * 1000.0)
    })
}

/// A step's counts back from its summary (its ladders left empty): what a fleet's views
/// are given, the ladders read off the added histograms beside.
pub fn counts_of(s: &StepSummary) -> StepFigures {
    StepFigures {
        name: s.name.clone(),
        ok: s.ok,
        failed: s.failed,
        skipped: s.skipped,
        status_codes: s
            .status_codes
            .iter()
            .filter_map(|(code, n)| Some((code.parse().ok()?, *n)))
            .collect(),
        errors: s.errors.iter().fold(BTreeMap::new(), |mut all, (kind, n)| {
            let kind = ErrorKind::parse(kind).unwrap_or(ErrorKind::Other);
            let at: &mut u64 = all.entry(kind.as_str()).or_default();
            *at = at.saturating_add(*n);
            all
        }),
        checks: s
            .checks
            .iter()
            .map(|c| CheckTally {
                passed: c.passed,
                failed: c.failed,
                ..CheckTally::new(&c.check)
            })
            .collect(),
        ..StepFigures::default()
    }
}
