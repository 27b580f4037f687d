//! Adding summaries up: counts add, histograms add exactly (so percentiles are those of all
//! the responses together), the run spans from the first start to the last end.

use super::series;
use super::steps::StepsSum;
use super::sums::{add, overflow};
use crate::process::untrusted::escaped;
use crate::report::hdr::{self, EncodedHistograms};
use crate::report::latency::{self, LatencyMs};
use crate::report::steps::{SessionsSummary, StepSummary};
use crate::report::summary::{CheckSummary, Summary, Worker};
use crate::stats::latency::{LatencySummary, Sums};
use crate::stats::window::Histograms;
use crate::units::{MAX_DURATION, add_optional};
use hdrhistogram::Histogram;
use std::collections::BTreeMap;

/// The runs as one summary, with a `workers` entry each (file, times, totals, timeline).
pub fn combine(runs: &[(String, Summary)]) -> Result<Summary, String> {
    let all: Vec<&Summary> = runs.iter().map(|(_, s)| s).collect();
    let mut m = all[0].clone();
    let start = all
        .iter()
        .map(|s| s.started_at_unix_s)
        .fold(f64::MAX, f64::min);
    let end = all.iter().map(|s| s.started_at_unix_s + s.duration_s);
    m.started_at_unix_s = start;
    m.duration_s = end.fold(start, f64::max) - start;
    if !(0.0..=MAX_DURATION.as_secs_f64()).contains(&m.duration_s) {
        return Err(format!(
            "merge: the runs span {:.0} s from the first start to the last end, more than the \
             longest run sluice takes (1y): they are not one test",
            m.duration_s
        ));
    }
    for (file, s) in &runs[1..] {
        add_counts(&mut m, s).map_err(|what| overflow(file, &what))?;
    }
    m.throughput_rps = crate::units::per_second(m.requests.ok, m.duration_s);
    m.transfer_bytes_per_s = crate::units::per_second(m.bytes_received, m.duration_s);
    let h = merged_histograms(runs)?;
    m.latency_ms = ladder(
        &h.latency,
        all.iter().map(|s| (s.requests.ok, s.latency_ms)),
    );
    m.service_ms = ladder(
        &h.service,
        all.iter().map(|s| (s.requests.ok, s.service_ms)),
    );
    m.ttfb_ms = ladder(&h.ttfb, all.iter().map(|s| (s.requests.ok, s.ttfb_ms)));
    let connects = all
        .iter()
        .map(|s| (s.connects.opened, s.connects.connect_ms));
    m.connects.connect_ms = ladder(&h.connect, connects);
    m.latency_buckets = latency::buckets(&h.latency);
    m.service_buckets = latency::buckets(&h.service);
    m.histograms = Some(EncodedHistograms::from(&h));
    m.series = series::align(runs, start)?;
    m.workers = runs.iter().map(|(file, s)| worker(file, s)).collect();
    // Steering is per worker; bars are judged again by whoever reads the merge.
    (m.timeline, m.until, m.thresholds) = (Vec::new(), None, Vec::new());
    // Each run's autopilot held its own share; a fleet puts back the hold it made itself.
    m.hold = None;
    m.shard = None;
    (m.steps, m.sessions) = merged_steps(runs)?;
    Ok(m)
}

/// Scenarios: the runs' steps by name and their sessions, histograms added exactly.
fn merged_steps(
    runs: &[(String, Summary)],
) -> Result<(Vec<StepSummary>, Option<SessionsSummary>), String> {
    let mut sum = StepsSum::default();
    for (file, s) in runs {
        sum.add(&s.steps, s.sessions.as_ref())
            .map_err(|e| format!("merge: '{}': {e}", escaped(file)))?;
    }
    Ok(sum.summaries())
}

/// Adds a map of counts (status codes, errors) into another.
fn add_map(
    into: &mut BTreeMap<String, u64>,
    from: &BTreeMap<String, u64>,
    what: &str,
) -> Result<(), String> {
    from.iter()
        .try_for_each(|(k, n)| add(into.entry(k.clone()).or_default(), *n, what))
}

/// Adds one run's checks into another's by their text; a check only one run had is added
/// at the end, in its order.
fn add_checks(into: &mut Vec<CheckSummary>, from: &[CheckSummary]) -> Result<(), String> {
    for c in from {
        let at = match into.iter().position(|m| m.check == c.check) {
            Some(i) => i,
            None => {
                into.push(CheckSummary {
                    check: c.check.clone(),
                    passed: 0,
                    failed: 0,
                });
                into.len() - 1
            }
        };
        add(&mut into[at].passed, c.passed, "checks")?;
        add(&mut into[at].failed, c.failed, "checks")?;
    }
    Ok(())
}

/// Adds one run's counts into `m`, every sum checked; Err names what overflowed.
fn add_counts(m: &mut Summary, s: &Summary) -> Result<(), String> {
    add(&mut m.requests.total, s.requests.total, "requests.total")?;
    add(&mut m.requests.ok, s.requests.ok, "requests.ok")?;
    add(&mut m.requests.failed, s.requests.failed, "requests.failed")?;
    add(
        &mut m.requests.aborted,
        s.requests.aborted,
        "requests.aborted",
    )?;
    add(&mut m.bytes_received, s.bytes_received, "bytes_received")?;
    let opened = s.connects.opened;
    add(&mut m.connects.opened, opened, "connects.opened")?;
    let body = s.body_bytes_received;
    add(&mut m.body_bytes_received, body, "body_bytes_received")?;
    add_map(&mut m.status_codes, &s.status_codes, "status_codes")?;
    add_map(&mut m.status_classes, &s.status_classes, "status_classes")?;
    add_map(&mut m.errors, &s.errors, "errors")?;
    add_checks(&mut m.checks, &s.checks)?;
    let r = &s.redirects;
    add(&mut m.redirects.followed, r.followed, "redirects.followed")?;
    add(&mut m.redirects.offsite, r.offsite, "redirects.offsite")?;
    m.rate.initial = add_optional(m.rate.initial, s.rate.initial);
    m.rate.last = add_optional(m.rate.last, s.rate.last);
    add(&mut m.rate.achieved, s.rate.achieved, "rate")?;
    add(
        &mut m.rate.late_starts,
        s.rate.late_starts,
        "rate.late_starts",
    )?;
    m.rate.max_lag_ms = m.rate.max_lag_ms.max(s.rate.max_lag_ms);
    let c = &s.concurrency;
    add(&mut m.concurrency.initial, c.initial, "concurrency.initial")?;
    add(&mut m.concurrency.last, c.last, "concurrency.final")?;
    add(
        &mut m.concurrency.peak_in_flight,
        c.peak_in_flight,
        "peak_in_flight",
    )?;
    let rates = [m.rate.initial, m.rate.last].into_iter().flatten();
    if rates.into_iter().any(|r| !r.is_finite()) {
        return Err("rate".into());
    }
    m.open_files.peak = m.open_files.peak.max(s.open_files.peak);
    m.memory.peak_rss_kib = m.memory.peak_rss_kib.max(s.memory.peak_rss_kib);
    for hint in &s.hints {
        if !m.hints.contains(hint) {
            m.hints.push(hint.clone());
        }
    }
    Ok(())
}

/// Every run's histograms (latency, service time, time to first byte, connecting), each
/// kind added into one; a run whose histograms do not hold as many responses (or
/// connections) as it counted is refused (its percentiles and its mean would disagree).
fn merged_histograms(runs: &[(String, Summary)]) -> Result<Histograms, String> {
    let mut all = Histograms::empty();
    for (file, s) in runs {
        let bad = |e: String| format!("merge: '{}': its histograms: {e}", escaped(file));
        let encoded = s
            .histograms
            .as_ref()
            .ok_or_else(|| bad("none (its run did not reach its end)".into()))?;
        let (ok, opened) = (s.requests.ok, s.connects.opened);
        for (into, text, count, counted) in [
            (&mut all.latency, &encoded.latency, ok, "responses"),
            (&mut all.service, &encoded.service, ok, "responses"),
            (&mut all.ttfb, &encoded.ttfb, ok, "responses"),
            (&mut all.connect, &encoded.connect, opened, "connects"),
        ] {
            let h = hdr::decode(text).map_err(bad)?;
            if h.len() != count {
                let says = match counted {
                    "responses" => "requests.ok",
                    _ => "connects.opened",
                };
                return Err(bad(format!(
                    "they hold {} {counted}, but {says} says {count}",
                    h.len()
                )));
            }
            into.add(h).map_err(|e| bad(format!("{e:?}")))?;
        }
    }
    Ok(all)
}

/// The ladder of the merged histogram; the mean and deviation from the runs' own (exact
/// sums, put back together from each run's count, mean and deviation).
fn ladder(
    h: &Histogram<u64>,
    runs: impl Iterator<Item = (u64, Option<LatencyMs>)>,
) -> Option<LatencyMs> {
    let (mut sum_us, mut squares_us2) = (0.0, 0.0);
    for (n, l) in runs {
        if let Some(l) = l {
            let (mean, stdev) = (l.mean * 1000.0, l.stdev * 1000.0);
            sum_us += n as f64 * mean;
            squares_us2 += n as f64 * (stdev * stdev + mean * mean);
        }
    }
    let sums = Sums {
        us: sum_us.round() as u64,
        squares_us2: squares_us2.round() as u128,
    };
    (!h.is_empty()).then(|| LatencyMs::from(&LatencySummary::of(h, sums)))
}

/// A run's line in `workers`.
fn worker(file: &str, s: &Summary) -> Worker {
    Worker {
        file: file.to_string(),
        target: s.target.clone(),
        started_at_unix_s: s.started_at_unix_s,
        duration_s: s.duration_s,
        requests: s.requests,
        throughput_rps: s.throughput_rps,
        timeline: s.timeline.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(started: f64, checks: &[(&str, u64, u64)], followed: u64) -> (String, Summary) {
        let mut s: Summary =
            serde_json::from_str(crate::report::merge::tests::SUMMARY).expect("summary");
        s.started_at_unix_s = started;
        s.checks = checks
            .iter()
            .map(|(check, passed, failed)| CheckSummary::new(check, *passed, *failed))
            .collect();
        s.redirects.followed = followed;
        (format!("{started}.json"), s)
    }

    #[test]
    fn checks_add_up_by_their_text_and_redirects_add_up() {
        let a = run(
            1.0,
            &[("status == 200", 190, 10), ("body contains \"ok\"", 200, 0)],
            4,
        );
        let b = run(
            2.0,
            &[
                ("body contains \"ok\"", 150, 50),
                ("json /id exists", 1, 199),
            ],
            6,
        );
        let merged = combine(&[a, b]).expect("merged");
        let got: Vec<_> = merged
            .checks
            .iter()
            .map(|c| (c.check.as_str(), c.passed, c.failed))
            .collect();
        assert_eq!(
            got,
            [
                ("status == 200", 190, 10),
                ("body contains \"ok\"", 350, 50),
                ("json /id exists", 1, 199)
            ]
        );
        assert_eq!(merged.redirects.followed, 10);
        let none = combine(&[run(1.0, &[], 0), run(2.0, &[], 0)]).expect("merged");
        assert!(none.checks.is_empty());
    }
}
