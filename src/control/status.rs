//! `GET /status`: the live snapshot as JSON, with the last tick's and the run's histograms
//! encoded, so a reader (`sluice fleet`) can add several workers' up exactly.

use crate::engine::generator::plan::Plan;
use crate::engine::shard::Shard;
use crate::engine::steer::{Gauges, RunState};
use crate::report::hdr::EncodedHistograms;
use crate::report::latency::LatencyMs;
use crate::report::steps::{SessionsSummary, StepSummary};
use crate::report::summary::{CheckSummary, Connects, Requests};
use crate::schedule::autopilot::Holding;
use crate::stats::latency::LatencySummary;
use crate::stats::snapshot::Snapshot;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One worker's state at its last tick; the field names are a contract, like the summary's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// The target as shown (a password never is).
    pub target: String,
    pub shard: Option<Shard>,
    /// Drawn when the API starts, the same in every answer: one worker reached under two
    /// addresses answers both with it.
    #[serde(default)]
    pub run_id: String,
    /// How long the run goes on (its -z and -n: with --shard, its share).
    #[serde(default)]
    pub plan: PlanStatus,
    /// Snapshots taken so far (one a second); `GET /status?after=N` waits for a later one.
    pub tick: u64,
    pub elapsed_s: f64,
    /// running, paused, stopping or done.
    pub state: RunState,
    pub limit: usize,
    pub cap: usize,
    pub in_flight: usize,
    pub peak_in_flight: usize,
    /// The target rate, requests a second; null in concurrency mode.
    pub rate: Option<f64>,
    pub lag_ms: f64,
    // The autopilot (issue 27).
    /// What the autopilot holds, as the summary's `hold` so far, with whether it holds the
    /// knob now; null when it never held one. Not read back: a fleet holds its own.
    #[serde(default, skip_deserializing)]
    pub hold: Option<Holding>,
    pub requests: Requests,
    pub late_starts: u64,
    pub status_codes: BTreeMap<String, u64>,
    pub errors: BTreeMap<String, u64>,
    pub bytes_received: u64,
    pub body_bytes_received: u64,
    pub open_files: OpenFiles,
    pub last_tick: Tick,
    /// The run so far, from when each request was due; null before any response.
    pub latency_ms: Option<LatencyMs>,
    pub service_ms: Option<LatencyMs>,
    /// From each send to the response's head, connecting excluded.
    pub ttfb_ms: Option<LatencyMs>,
    /// The connections opened so far and the time each took to open.
    pub connects: Connects,
    /// Encoded histograms (HdrHistogram V2, base64, µs) of the last tick and of the run so far.
    pub histograms: StatusHistograms,
    /// Each `--check` so far, in the order given (empty without; absent from older workers).
    #[serde(default)]
    pub checks: Vec<CheckSummary>,
    /// `-r`: redirects followed so far.
    #[serde(default)]
    pub redirects_followed: u64,
    // Scenarios (issue 26): steps across processes.
    /// With `--scenario`: each step over the run so far, as the summary's `steps` (its
    /// histograms encoded, for a fleet's exact merge); absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepSummary>,
    /// With `--scenario`: the sessions so far, as the summary's; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<SessionsSummary>,
}

/// A run's -z and -n; both null: until stopped.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PlanStatus {
    pub duration_s: Option<f64>,
    pub max_requests: Option<u64>,
}

impl From<Plan> for PlanStatus {
    fn from(p: Plan) -> PlanStatus {
        PlanStatus {
            duration_s: p.duration.map(|d| d.as_secs_f64()),
            max_requests: p.max_requests,
        }
    }
}

/// What every status says of the run beside its figures.
#[derive(Debug, Clone, Default)]
pub struct About {
    /// The target as shown (a password never is).
    pub target: String,
    pub shard: Option<Shard>,
    pub plan: Plan,
    pub run_id: String,
}

/// 64 random bits from the OS as 16 hex digits (a clock's nanoseconds where it has none):
/// unique enough to tell two runs apart.
pub fn draw_run_id() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        bytes = (nanos as u64).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Open files against the process limit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OpenFiles {
    pub open: u64,
    pub soft_limit: u64,
    pub hard_limit: u64,
    pub peak: u64,
}

/// The tick that closed last.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tick {
    pub end_s: f64,
    pub ok: u64,
    pub failed: u64,
    pub non2xx: u64,
    pub rps: f64,
    pub target_rps: Option<f64>,
    pub latency_ms: Option<LatencyMs>,
    pub service_ms: Option<LatencyMs>,
    pub ttfb_ms: Option<LatencyMs>,
    /// `--check` evaluations in the tick that passed and that failed.
    #[serde(default)]
    pub checks_passed: u64,
    #[serde(default)]
    pub checks_failed: u64,
}

/// The last tick's histograms and the run's so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusHistograms {
    pub last_tick: Option<EncodedHistograms>,
    pub run: Option<EncodedHistograms>,
}

impl StatusHistograms {
    /// The snapshot's histograms, encoded.
    pub fn of(s: &Snapshot) -> StatusHistograms {
        StatusHistograms {
            last_tick: s.last_tick_histograms.as_deref().map(Into::into),
            run: s.run_histograms.as_deref().map(Into::into),
        }
    }
}

/// The ladder, or None when nothing was measured.
fn ladder(l: &LatencySummary) -> Option<LatencyMs> {
    (l.count > 0).then(|| LatencyMs::from(l))
}

impl Tick {
    /// The last tick's figures, as the status shows them.
    fn of(t: &crate::stats::window::TickSummary) -> Tick {
        Tick {
            end_s: t.end.as_secs_f64(),
            ok: t.ok,
            failed: t.failed,
            non2xx: t.non2xx,
            rps: t.rps,
            target_rps: t.target_rps,
            latency_ms: ladder(&t.latency),
            service_ms: ladder(&t.service),
            ttfb_ms: ladder(&t.ttfb),
            checks_passed: t.checks_passed,
            checks_failed: t.checks_failed,
        }
    }
}

impl Status {
    /// The status at snapshot `tick` (counted from 1) of the run `about` names, with the
    /// gauges `g` (read now, so a change shows before the next tick) and the snapshot's
    /// `histograms` (encoded once per tick: `Latest::encoded_histograms`).
    pub fn of(
        s: &Snapshot,
        g: &Gauges,
        tick: u64,
        histograms: StatusHistograms,
        about: &About,
    ) -> Status {
        let c = &s.counts;
        Status {
            target: about.target.clone(),
            shard: about.shard,
            run_id: about.run_id.clone(),
            plan: about.plan.into(),
            tick,
            elapsed_s: s.elapsed.as_secs_f64(),
            state: g.state,
            limit: g.limit,
            cap: g.cap,
            in_flight: g.in_flight,
            peak_in_flight: g.peak_in_flight,
            rate: g.rate,
            lag_ms: g.lag.as_secs_f64() * 1000.0,
            hold: None,
            requests: Requests {
                total: c.total(),
                ok: c.ok,
                failed: c.failed,
                aborted: c.aborted,
            },
            late_starts: c.late_starts,
            status_codes: c
                .status_codes()
                .into_iter()
                .map(|(code, n)| (code.to_string(), n))
                .collect(),
            errors: c.errors().map(|(k, n)| (k.as_str().into(), n)).collect(),
            bytes_received: c.bytes + c.head_bytes,
            body_bytes_received: c.bytes,
            open_files: OpenFiles {
                open: s.open_files.open,
                soft_limit: s.open_files.soft_limit,
                hard_limit: s.open_files.hard_limit,
                peak: s.peak_open_files,
            },
            last_tick: Tick::of(&s.last_tick),
            latency_ms: ladder(&s.cumulative),
            service_ms: ladder(&s.cumulative_service),
            ttfb_ms: ladder(&s.cumulative_ttfb),
            connects: Connects::of(s),
            histograms,
            checks: c.checks.iter().map(CheckSummary::from).collect(),
            redirects_followed: c.redirects_followed,
            // Without their histograms: the server puts in the tick's encoded ones
            // (`Latest::encoded_steps`), made once however many read them.
            steps: s.steps.iter().map(StepSummary::from).collect(),
            sessions: s.sessions.as_ref().map(SessionsSummary::from),
        }
    }
}
