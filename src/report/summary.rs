//! The end-of-run summary; its JSON field names are a contract that scripts read.

use super::hdr::EncodedHistograms;
use super::latency::{self, Bucket, LatencyMs};
use super::series::SeriesEntry;
use super::steps::{SessionsSummary, StepSummary};
use super::thresholds::{self, Threshold};
use crate::engine::generator::timeline::Entry;
use crate::engine::outcome::ErrorKind;
use crate::engine::shard::Shard;
use crate::engine::steer::{Change, Knob, Source};
use crate::stats::by_target::TargetFigures;
use crate::stats::checks::CheckTally;
use crate::stats::condition::{Condition, Measured};
use crate::stats::latency::LatencySummary;
use crate::stats::snapshot::Snapshot;
use crate::stats::window::Counts;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// Everything the run measured, as written to stdout or `-o FILE`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub target: String,
    /// When the run started, in seconds since the Unix epoch (for lining runs up).
    pub started_at_unix_s: f64,
    /// With `--shard`: this run's place in the split run (its figures are its share);
    /// None (null) otherwise and in a merge.
    #[serde(default)]
    pub shard: Option<Shard>,
    pub duration_s: f64,
    pub requests: Requests,
    pub throughput_rps: f64,
    /// Bytes of the responses: status lines and headers (counted as HTTP/1.1 text) and
    /// bodies, as wrk counts them.
    pub bytes_received: u64,
    /// Bytes of the response bodies alone, as oha counts them.
    pub body_bytes_received: u64,
    /// `bytes_received` over the run's duration.
    pub transfer_bytes_per_s: f64,
    /// "concurrency" or "rate": the mode at the end of the run.
    pub mode: Mode,
    pub rate: Rate,
    /// From when each request was due (rate mode) or sent (concurrency mode) to its last
    /// byte; None (JSON null) when no response arrived.
    pub latency_ms: Option<LatencyMs>,
    /// From each actual send to its last byte: the server's part. The same as `latency_ms`
    /// when every request started on time.
    pub service_ms: Option<LatencyMs>,
    /// Time to first byte: from each send to the response's head, connecting excluded;
    /// None (null) when no response arrived.
    pub ttfb_ms: Option<LatencyMs>,
    /// The connections opened, and how long opening each took.
    pub connects: Connects,
    pub status_codes: BTreeMap<String, u64>,
    /// Responses by class: "2xx", "3xx", "4xx" and "5xx" always, "other" when any status
    /// fell outside them.
    pub status_classes: BTreeMap<String, u64>,
    pub errors: BTreeMap<String, u64>,
    pub concurrency: Concurrency,
    pub open_files: OpenFiles,
    pub memory: Memory,
    /// One-line hints for failures whose cause is on this side (ports, descriptors).
    pub hints: Vec<String>,
    /// Every change of the knobs, the start values first.
    pub timeline: Vec<TimelineEntry>,
    /// The `--until` condition and where it was met; None (null) without one.
    pub until: Option<Until>,
    /// The autopilot's conditions, where it settled and how well they held; None (null)
    /// when it never held the knob (and in a merge, but for a fleet's own).
    #[serde(default)]
    pub hold: Option<Hold>,
    /// Each `--fail-if` condition, what was measured and whether it passed (empty without).
    pub thresholds: Vec<Threshold>,
    /// Each `--check`, in the order given, with its passes and failures (empty without).
    #[serde(default)]
    pub checks: Vec<CheckSummary>,
    /// `-r`: redirects followed, and those to another origin refused.
    #[serde(default)]
    pub redirects: Redirects,
    /// With `--urls-from-file`: each URL's share, in the file's order (absent otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<UrlSummary>,
    // Scenarios (issue 26).
    /// With `--scenario`: each request step, in the file's order (absent otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepSummary>,
    /// With `--scenario`: the sessions (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<SessionsSummary>,
    /// The whole run's histograms, encoded, for exact merges; None (null) if the run's
    /// end was not reached (the aggregator failed).
    pub histograms: Option<EncodedHistograms>,
    /// One entry per tick (a second), oldest first.
    pub series: Vec<SeriesEntry>,
    /// `sluice merge`: each run merged, in the order given (absent in a single run's summary).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workers: Vec<Worker>,
    /// The latency histogram's bars, for the text summary.
    #[serde(skip)]
    pub latency_buckets: Vec<Bucket>,
    /// The service-time histogram's bars.
    #[serde(skip)]
    pub service_buckets: Vec<Bucket>,
}

/// One run of a merge: where it came from, when it ran, what it did, how it was steered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Worker {
    /// The summary's file, as given to `sluice merge`.
    pub file: String,
    pub target: String,
    pub started_at_unix_s: f64,
    pub duration_s: f64,
    pub requests: Requests,
    pub throughput_rps: f64,
    pub timeline: Vec<TimelineEntry>,
}

/// One URL of several: its requests, responses, failures and latency.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UrlSummary {
    pub url: String,
    pub requests: u64,
    pub ok: u64,
    pub failed: u64,
    pub status_codes: BTreeMap<String, u64>,
    /// Failures by kind, only kinds that were seen.
    pub errors: BTreeMap<String, u64>,
    /// p50 and p99 to two significant figures; None (null) when no response arrived.
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// Each URL's line, the figures matched to the URLs by position.
fn by_url(urls: &[String], figures: &[TargetFigures]) -> Vec<UrlSummary> {
    let none = TargetFigures::default();
    urls.iter()
        .enumerate()
        .map(|(i, url)| {
            let f = figures.get(i).unwrap_or(&none);
            let ms = |us: u64| (f.latency.count > 0).then_some(us as f64 / 1000.0);
            UrlSummary {
                url: url.clone(),
                requests: f.ok + f.failed,
                ok: f.ok,
                failed: f.failed,
                status_codes: f
                    .status_codes
                    .iter()
                    .map(|(code, n)| (code.to_string(), *n))
                    .collect(),
                errors: f.errors.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
                p50_ms: ms(f.latency.p50_us),
                p99_ms: ms(f.latency.p99_us),
            }
        })
        .collect()
}

/// New connections: how many, and the time each took to open (TCP and TLS handshakes, a
/// proxy's CONNECT).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Connects {
    pub opened: u64,
    /// None (null) when none was opened.
    pub connect_ms: Option<LatencyMs>,
}

impl Connects {
    /// The run's connections, from its last snapshot.
    pub fn of(last: &Snapshot) -> Connects {
        let c = &last.cumulative_connect;
        Connects {
            opened: last.counts.connects_opened,
            connect_ms: (c.count > 0).then(|| LatencyMs::from(c)),
        }
    }
}

/// One `--check` over the run: responses that passed it and that failed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSummary {
    /// The check's canonical text (one spacing; the name a merge adds them up by).
    pub check: String,
    pub passed: u64,
    pub failed: u64,
}

impl CheckSummary {
    /// A check's figures as given (a worker's, a merged run's, a test's).
    pub fn new(check: &str, passed: u64, failed: u64) -> CheckSummary {
        CheckSummary {
            check: check.to_string(),
            passed,
            failed,
        }
    }
}

impl From<&CheckTally> for CheckSummary {
    fn from(t: &CheckTally) -> CheckSummary {
        CheckSummary {
            check: t.check.clone(),
            passed: t.passed,
            failed: t.failed,
        }
    }
}

/// `-r`: hops followed (over all requests), and redirects to another origin, not followed
/// (each also counted as the error `redirect_offsite`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redirects {
    pub followed: u64,
    pub offsite: u64,
}

impl Redirects {
    /// The run's redirects, from its counts.
    fn of(c: &Counts) -> Redirects {
        Redirects {
            followed: c.redirects_followed,
            offsite: c.errors_of(ErrorKind::RedirectOffsite),
        }
    }
}

/// The rate asked for and what came of it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Rate {
    /// Requests a second at the start; None (null) in concurrency mode.
    pub initial: Option<f64>,
    /// At the end; None (null) in concurrency mode.
    #[serde(rename = "final")]
    pub last: Option<f64>,
    /// Requests started a second over the run.
    pub achieved: f64,
    /// Requests that started later than they were due (past the timer's 2 ms slack).
    pub late_starts: u64,
    /// The latest a request started after it was due.
    pub max_lag_ms: f64,
}

/// One change of a knob, as the JSON timeline lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub t_s: f64,
    /// "limit", "rate", "pause" or "resume".
    pub knob: Moved,
    /// The new value; null for pause, resume and a rate switched off.
    pub value: Option<f64>,
    /// "start", "stage", "key", "replay", "api" or "auto".
    pub source: Source,
}

/// The mode of a run: a closed loop under the limit, or requests due at a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Concurrency,
    Rate,
}

/// What a timeline entry moved: a knob, or the run's pause and resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Moved {
    Limit,
    Rate,
    Pause,
    Resume,
}

impl std::fmt::Display for Moved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Moved {
    /// The knob it moved, if it moved one.
    pub fn knob(self) -> Option<Knob> {
        match self {
            Moved::Limit => Some(Knob::Limit),
            Moved::Rate => Some(Knob::Rate),
            Moved::Pause | Moved::Resume => None,
        }
    }

    /// Its word, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Moved::Limit => "limit",
            Moved::Rate => "rate",
            Moved::Pause => "pause",
            Moved::Resume => "resume",
        }
    }
}

impl From<&Entry> for TimelineEntry {
    fn from(e: &Entry) -> Self {
        let (knob, value) = match e.change {
            Change::Limit(n) => (Moved::Limit, Some(n as f64)),
            Change::Rate(rate) => (Moved::Rate, rate),
            Change::Pause => (Moved::Pause, None),
            // A stop is never recorded; were it, it would read as the pause it ends in.
            Change::Resume => (Moved::Resume, None),
            Change::Stop => (Moved::Pause, None),
        };
        TimelineEntry {
            t_s: e.at.as_secs_f64(),
            knob,
            value,
            source: e.source,
        }
    }
}

/// Where an `--until` condition was met, and the knee: the last knob value at which it
/// did not hold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Until {
    pub condition: String,
    /// Run time of the tick at which it held; None (null) when it never did.
    pub met_at_s: Option<f64>,
    pub knee: Option<Knee>,
}

/// A knob and its value.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Knee {
    /// "limit" or "rate".
    pub knob: Knob,
    pub value: f64,
}

/// What the autopilot held (`--hold`, the `a` key, `POST /hold`) and how it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hold {
    /// The conditions it kept, as typed (the last ones asked for).
    pub conditions: Vec<String>,
    /// Where the knob settled; None (null) when it never did, or only where the
    /// conditions failed (a service that misses the bar even at the least load).
    pub settled: Option<Settled>,
    /// The share of the seconds it held the knob, from when it settled (all of them when
    /// it never did), in which every condition held: 0 to 1.
    pub held_share: f64,
}

/// Where the autopilot settled the knob.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settled {
    /// "limit" or "rate".
    pub knob: Knob,
    /// The median of the knob over the last 30 seconds it held it.
    pub value: f64,
    /// The run time from which the knob stayed within 10% of that value (5 s at least).
    pub at_s: f64,
}

/// What the run was asked to do and how it was steered, beside what it measured.
#[derive(Debug, Clone)]
pub struct RunFacts {
    /// The target as shown (a password never is).
    pub target: String,
    pub initial_limit: usize,
    pub initial_rate: Option<f64>,
    pub timeline: Vec<Entry>,
    pub until: Option<Until>,
    /// What the autopilot held, if it ever held the knob.
    pub hold: Option<Hold>,
    /// Peak resident set size of the process, in KiB (0 where it cannot be read).
    pub peak_rss_kib: u64,
    /// With `--urls-from-file`, every URL as shown, in order; else empty.
    pub urls: Vec<String>,
    /// The `--fail-if` conditions.
    pub fail_if: Vec<Condition>,
    /// The wall-clock time the run started.
    pub started_at: SystemTime,
    /// `--shard`, if given.
    pub shard: Option<Shard>,
}

/// `total = ok + failed`; `ok` means an HTTP response arrived; aborted ones are apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requests {
    pub total: u64,
    pub ok: u64,
    pub failed: u64,
    pub aborted: u64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Concurrency {
    pub initial: usize,
    #[serde(rename = "final")]
    pub last: usize,
    pub peak_in_flight: usize,
    /// The open-file cap, when a limit above it was asked for (else null).
    pub capped_by_open_files: Option<usize>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct OpenFiles {
    pub peak: u64,
    pub soft_limit: u64,
    pub hard_limit: u64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Memory {
    /// Peak resident set size of the whole process, in KiB (0 where it cannot be read).
    pub peak_rss_kib: u64,
}

/// Every kind of failure by its name, with its count (0 for kinds not seen).
fn errors_by_name(c: &crate::stats::window::Counts) -> BTreeMap<String, u64> {
    ErrorKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), c.errors_of(*k)))
        .collect()
}

impl Summary {
    /// Builds the summary from the run's facts and its final snapshot.
    pub fn new(facts: RunFacts, last: &Snapshot) -> Summary {
        let c = &last.counts;
        let secs = last.elapsed.as_secs_f64();
        let latency = |l: &LatencySummary| (l.count > 0).then(|| LatencyMs::from(l));
        let end = last.end_of_run.as_deref();
        let bytes = c.bytes + c.head_bytes;
        let codes = c.status_codes();
        let (steps, sessions) = super::steps::of_snapshot(last);
        let mut summary = Summary {
            started_at_unix_s: unix_seconds(facts.started_at),
            shard: facts.shard,
            duration_s: secs,
            mode: match last.gauges.rate {
                Some(_) => Mode::Rate,
                None => Mode::Concurrency,
            },
            rate: Rate::of(facts.initial_rate, last),
            requests: Requests::of(last),
            throughput_rps: last.average_rps(),
            bytes_received: bytes,
            body_bytes_received: c.bytes,
            transfer_bytes_per_s: crate::units::per_second(bytes, secs),
            latency_ms: latency(&last.cumulative),
            service_ms: latency(&last.cumulative_service),
            ttfb_ms: latency(&last.cumulative_ttfb),
            connects: Connects::of(last),
            status_codes: codes
                .iter()
                .map(|(code, n)| (code.to_string(), *n))
                .collect(),
            status_classes: status_classes(&codes),
            errors: errors_by_name(c),
            concurrency: Concurrency::of(facts.initial_limit, last),
            open_files: OpenFiles::of(last),
            memory: Memory {
                peak_rss_kib: facts.peak_rss_kib,
            },
            hints: c.hints().map(String::from).collect(),
            timeline: facts.timeline.iter().map(TimelineEntry::from).collect(),
            thresholds: Vec::new(),
            checks: c.checks.iter().map(CheckSummary::from).collect(),
            redirects: Redirects::of(c),
            urls: by_url(&facts.urls, &last.targets),
            steps,
            sessions,
            histograms: end.map(|e| EncodedHistograms::from(&e.histograms)),
            series: end.map_or_else(Vec::new, |e| {
                e.series.iter().map(SeriesEntry::from).collect()
            }),
            latency_buckets: end.map_or_else(Vec::new, |e| latency::buckets(&e.histograms.latency)),
            service_buckets: end.map_or_else(Vec::new, |e| latency::buckets(&e.histograms.service)),
            target: facts.target,
            until: facts.until,
            hold: facts.hold,
            workers: Vec::new(),
        };
        let judged = thresholds::judge_each(&facts.fail_if, |c| summary.measured_for(c, last));
        summary.thresholds = judged;
        summary
    }

    /// The whole run as a condition sees it.
    fn measured<'a>(&self, last: &'a Snapshot) -> Measured<'a> {
        let non2xx = self
            .status_classes
            .iter()
            .filter(|(class, _)| **class != "2xx");
        let checks = self.checks.iter();
        Measured {
            latency: &last.cumulative,
            ok: self.requests.ok,
            failed: self.requests.failed,
            non2xx_responses: non2xx.map(|(_, n)| n).sum(),
            rps: self.throughput_rps,
            checks_passed: checks
                .clone()
                .map(|c| c.passed)
                .fold(0, u64::saturating_add),
            checks_failed: checks.map(|c| c.failed).fold(0, u64::saturating_add),
        }
    }

    /// What `c` judges of the run: its step's part (`p99[login]>200ms`), or the whole run,
    /// whose checks in a scenario run are its steps' (`--check` is not taken with one).
    fn measured_for<'a>(&self, c: &Condition, last: &'a Snapshot) -> Option<Measured<'a>> {
        let whole = self.measured(last);
        match c.step_index() {
            Some(i) => last
                .steps
                .get(i)
                .map(|s| Measured::of_step(s, self.duration_s)),
            None if !last.steps.is_empty() => {
                let checks = last
                    .steps
                    .iter()
                    .map(|s| crate::stats::checks::totals(&s.checks));
                let (passed, failed) = checks.fold((0, 0), |(p, f), (sp, sf)| {
                    (u64::saturating_add(p, sp), u64::saturating_add(f, sf))
                });
                Some(Measured {
                    checks_passed: passed,
                    checks_failed: failed,
                    ..whole
                })
            }
            None => Some(whole),
        }
    }

    /// Whether a `--fail-if` condition held: the run worked, the service missed its bar.
    pub fn failed_a_threshold(&self) -> bool {
        thresholds::any_failed(&self.thresholds)
    }
}

impl Requests {
    fn of(last: &Snapshot) -> Requests {
        let c = &last.counts;
        Requests {
            total: c.total(),
            ok: c.ok,
            failed: c.failed,
            aborted: c.aborted,
        }
    }
}

impl Concurrency {
    fn of(initial: usize, last: &Snapshot) -> Concurrency {
        Concurrency {
            initial,
            last: last.gauges.limit,
            peak_in_flight: last.gauges.peak_in_flight,
            capped_by_open_files: last.gauges.capped,
        }
    }
}

impl OpenFiles {
    fn of(last: &Snapshot) -> OpenFiles {
        OpenFiles {
            peak: last.peak_open_files,
            soft_limit: last.open_files.soft_limit,
            hard_limit: last.open_files.hard_limit,
        }
    }
}

impl Rate {
    fn of(initial: Option<f64>, last: &Snapshot) -> Rate {
        let c = &last.counts;
        Rate {
            initial,
            last: last.gauges.rate,
            achieved: crate::units::per_second(last.gauges.started, last.elapsed.as_secs_f64()),
            late_starts: c.late_starts,
            max_lag_ms: c.max_late_us as f64 / 1000.0,
        }
    }
}

/// Responses by class, the four usual ones always present.
pub fn status_classes(codes: &BTreeMap<u16, u64>) -> BTreeMap<String, u64> {
    let mut classes: BTreeMap<String, u64> = ["2xx", "3xx", "4xx", "5xx"]
        .into_iter()
        .map(|c| (c.to_string(), 0))
        .collect();
    for (code, n) in codes {
        let class = match code / 100 {
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            5 => "5xx",
            _ => "other",
        };
        *classes.entry(class.to_string()).or_default() += n;
    }
    classes
}

/// Seconds since the Unix epoch, to the millisecond.
fn unix_seconds(t: SystemTime) -> f64 {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    (secs * 1000.0).round() / 1000.0
}
