//! `--scenario` in the summary: each request step's counts, checks and latency ladders,
//! and the sessions' counts and durations.

use super::latency::LatencyMs;
use crate::stats::by_step::{SessionFigures, StepFigures};
use crate::stats::latency::LatencySummary;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One request step of a scenario over the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionsSummary {
    pub started: u64,
    /// Walked every step.
    pub completed: u64,
    /// Stopped at a step that failed (a request error or a capture that found nothing).
    pub failed: u64,
    /// From each session's start (when it was due, in rate mode) to its last step's end;
    /// None (null) when none ended.
    pub duration_ms: Option<LatencyMs>,
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
        }
    }
}
