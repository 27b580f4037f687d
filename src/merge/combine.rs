//! Adding summaries up: counts add, histograms add exactly (so percentiles are those of all
//! the responses together), the run spans from the first start to the last end.

use super::series;
use crate::report::hdr::{self, EncodedHistograms};
use crate::report::latency::{self, LatencyMs};
use crate::report::summary::{Summary, Worker};
use crate::stats::window::{LatencySummary, Sums};
use crate::units::add_optional;
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
    add_counts(&mut m, &all[1..]);
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
    m.series = series::align(&all, start);
    m.workers = runs.iter().map(|(file, s)| worker(file, s)).collect();
    // Steering is per worker; bars are judged again by whoever reads the merge.
    (m.timeline, m.until, m.thresholds) = (Vec::new(), None, Vec::new());
    m.shard = None;
    Ok(m)
}

/// Adds the other runs' counts into `m` (which holds the first run's).
fn add_counts(m: &mut Summary, others: &[&Summary]) {
    let add_map = |into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>| {
        from.iter()
            .for_each(|(k, n)| *into.entry(k.clone()).or_default() += n);
    };
    for s in others {
        m.requests.total += s.requests.total;
        m.requests.ok += s.requests.ok;
        m.requests.failed += s.requests.failed;
        m.requests.aborted += s.requests.aborted;
        m.bytes_received += s.bytes_received;
        m.body_bytes_received += s.body_bytes_received;
        add_map(&mut m.status_codes, &s.status_codes);
        add_map(&mut m.status_classes, &s.status_classes);
        add_map(&mut m.errors, &s.errors);
        m.rate.initial = add_optional(m.rate.initial, s.rate.initial);
        m.rate.last = add_optional(m.rate.last, s.rate.last);
        m.rate.achieved += s.rate.achieved;
        m.rate.late_starts += s.rate.late_starts;
        m.rate.max_lag_ms = m.rate.max_lag_ms.max(s.rate.max_lag_ms);
        m.concurrency.initial += s.concurrency.initial;
        m.concurrency.last += s.concurrency.last;
        m.concurrency.peak_in_flight += s.concurrency.peak_in_flight;
        m.open_files.peak = m.open_files.peak.max(s.open_files.peak);
        m.memory.peak_rss_kib = m.memory.peak_rss_kib.max(s.memory.peak_rss_kib);
        for hint in &s.hints {
            if !m.hints.contains(hint) {
                m.hints.push(hint.clone());
            }
        }
    }
}

/// Every run's latency and service-time histograms, each set added into one.
fn merged_histograms(
    runs: &[(String, Summary)],
) -> Result<(Histogram<u64>, Histogram<u64>), String> {
    let mut latency = crate::stats::window::new_histogram();
    let mut service = crate::stats::window::new_histogram();
    for (file, s) in runs {
        let encoded = s
            .histograms
            .as_ref()
            .ok_or(format!("merge: '{file}' has no histograms"))?;
        let bad = |e: String| format!("merge: '{file}': its histograms: {e}");
        latency
            .add(hdr::decode(&encoded.latency).map_err(bad)?)
            .map_err(|e| bad(format!("{e:?}")))?;
        service
            .add(hdr::decode(&encoded.service).map_err(bad)?)
            .map_err(|e| bad(format!("{e:?}")))?;
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
