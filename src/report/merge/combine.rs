//! Adding summaries up: counts add, histograms add exactly (so percentiles are those of all
//! the responses together), the run spans from the first start to the last end.

use super::series;
use super::sums::{add, overflow};
use crate::process::untrusted::escaped;
use crate::report::hdr::{self, EncodedHistograms};
use crate::report::latency::{self, LatencyMs};
use crate::report::summary::{Summary, Worker};
use crate::stats::latency::{LatencySummary, Sums};
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
    let (latency, service) = merged_histograms(runs)?;
    m.latency_ms = ladder(&latency, all.iter().map(|s| (s.requests.ok, s.latency_ms)));
    m.service_ms = ladder(&service, all.iter().map(|s| (s.requests.ok, s.service_ms)));
    m.latency_buckets = latency::buckets(&latency);
    m.service_buckets = latency::buckets(&service);
    m.histograms = Some(EncodedHistograms {
        latency: hdr::encode(&latency),
        service: hdr::encode(&service),
    });
    m.series = series::align(runs, start)?;
    m.workers = runs.iter().map(|(file, s)| worker(file, s)).collect();
    // Steering is per worker; bars are judged again by whoever reads the merge.
    (m.timeline, m.until, m.thresholds) = (Vec::new(), None, Vec::new());
    // Each run's autopilot held its own share; a fleet puts back the hold it made itself.
    m.hold = None;
    m.shard = None;
    Ok(m)
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
    let body = s.body_bytes_received;
    add(&mut m.body_bytes_received, body, "body_bytes_received")?;
    add_map(&mut m.status_codes, &s.status_codes, "status_codes")?;
    add_map(&mut m.status_classes, &s.status_classes, "status_classes")?;
    add_map(&mut m.errors, &s.errors, "errors")?;
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

/// Every run's latency and service-time histograms, each set added into one; a run whose
/// histograms do not hold as many responses as it counted is refused (its percentiles and
/// its mean would disagree).
fn merged_histograms(
    runs: &[(String, Summary)],
) -> Result<(Histogram<u64>, Histogram<u64>), String> {
    let mut latency = crate::stats::latency::new_histogram();
    let mut service = crate::stats::latency::new_histogram();
    for (file, s) in runs {
        let bad = |e: String| format!("merge: '{}': its histograms: {e}", escaped(file));
        let encoded = s
            .histograms
            .as_ref()
            .ok_or_else(|| bad("none (its run did not reach its end)".into()))?;
        for (into, text) in [
            (&mut latency, &encoded.latency),
            (&mut service, &encoded.service),
        ] {
            let h = hdr::decode(text).map_err(bad)?;
            if h.len() != s.requests.ok {
                return Err(bad(format!(
                    "they hold {} responses, but requests.ok says {}",
                    h.len(),
                    s.requests.ok
                )));
            }
            into.add(h).map_err(|e| bad(format!("{e:?}")))?;
        }
    }
    Ok((latency, service))
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
