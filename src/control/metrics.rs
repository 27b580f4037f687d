//! `GET /metrics`: the latest snapshot in the Prometheus (OpenMetrics) text format, encoded
//! by prometheus-client at scrape time from what the aggregator already published, so a
//! scrape adds nothing to the run's hot path.

use super::Latest;
use crate::engine::outcome::ErrorKind;
use crate::engine::steer::Gauges;
use crate::report::summary::status_classes;
use crate::stats::snapshot::Snapshot;
use hdrhistogram::Histogram;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::{Registry, Unit};

/// The latency histogram's bucket bounds, in seconds (Prometheus's defaults, widened).
const BUCKETS_S: [f64; 16] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    60.0,
];

/// The text for a scrape: every metric, from the latest snapshot and the gauges now.
pub fn render(latest: &Latest, gauges: &Gauges) -> String {
    let mut registry = Registry::with_prefix("sluice");
    let scrape = Scrape(latest.clone(), *gauges);
    registry.register_collector(Box::new(scrape));
    let mut text = String::new();
    // Writing to a String does not fail.
    let _ = prometheus_client::encoding::text::encode(&mut text, &registry);
    text
}

/// One scrape's view of the run: the last snapshot and the gauges now.
#[derive(Debug)]
struct Scrape(Latest, Gauges);

impl Collector for Scrape {
    fn encode(&self, mut e: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let s = &self.0.snapshot;
        requests(&mut e, s)?;
        checks(&mut e, s)?;
        scenario(&mut e, s)?;
        let aborted = ConstCounter::new(s.counts.aborted);
        aborted.encode(e.encode_descriptor(
            "aborted_requests",
            "Requests cut off in flight at the end of the run.",
            None,
            MetricType::Counter,
        )?)?;
        let g = &self.1;
        gauge(
            &mut e,
            "in_flight",
            "Requests in flight.",
            g.in_flight as f64,
        )?;
        gauge(
            &mut e,
            "limit",
            "The concurrency limit in force.",
            g.limit as f64,
        )?;
        if let Some(rate) = g.rate {
            gauge(
                &mut e,
                "rate_target",
                "The target rate, requests a second.",
                rate,
            )?;
        }
        gauge(
            &mut e,
            "open_files",
            "File descriptors open.",
            s.open_files.open as f64,
        )?;
        let soft = s.open_files.soft_limit as f64;
        gauge(
            &mut e,
            "open_files_limit",
            "The soft limit on open files.",
            soft,
        )?;
        let bytes = ConstCounter::new(s.counts.bytes + s.counts.head_bytes);
        bytes.encode(e.encode_descriptor(
            "received",
            "Bytes of responses received, heads and bodies.",
            Some(&Unit::Bytes),
            MetricType::Counter,
        )?)?;
        latency(&mut e, &self.0)
    }
}

/// `sluice_requests_total`: responses by status class, failures by error kind
/// (`class="error"`); together they add up to the summary's `requests.total`.
fn requests(e: &mut DescriptorEncoder, s: &Snapshot) -> Result<(), std::fmt::Error> {
    let mut m = e.encode_descriptor(
        "requests",
        "Requests ended: responses by status class, failures (class=\"error\") by kind.",
        None,
        MetricType::Counter,
    )?;
    let classes = status_classes(&s.counts.status_codes());
    for (class, n) in &classes {
        let labels = [("class", class.as_str())];
        ConstCounter::new(*n).encode(m.encode_family(&labels)?)?;
    }
    for kind in ErrorKind::ALL {
        let labels = [("class", "error"), ("error", kind.as_str())];
        ConstCounter::new(s.counts.errors_of(kind)).encode(m.encode_family(&labels)?)?;
    }
    Ok(())
}

/// `sluice_checks_total`: each `--check`'s evaluations by result (`passed`, `failed`);
/// none without `--check`.
fn checks(e: &mut DescriptorEncoder, s: &Snapshot) -> Result<(), std::fmt::Error> {
    if s.counts.checks.is_empty() {
        return Ok(());
    }
    let help = "Responses judged by each --check, by result (passed, failed).";
    let mut m = e.encode_descriptor("checks", help, None, MetricType::Counter)?;
    for c in &s.counts.checks {
        for (result, n) in [("passed", c.passed), ("failed", c.failed)] {
            let labels = [("check", c.check.as_str()), ("result", result)];
            ConstCounter::new(n).encode(m.encode_family(&labels)?)?;
        }
    }
    Ok(())
}

// Scenarios (issue 26): per-step series with a `step` label, and the sessions.

/// The most characters of a step's name a `step` label takes (the rest is cut).
const STEP_LABEL_CHARS: usize = 120;

/// With `--scenario`: `sluice_step_requests_total{step, outcome}` (ok: a response, failed:
/// an error), `sluice_step_latency_seconds{step}` and the sessions' counters; nothing
/// without.
fn scenario(e: &mut DescriptorEncoder, s: &Snapshot) -> Result<(), std::fmt::Error> {
    let Some(sessions) = &s.sessions else {
        return Ok(());
    };
    let labels = step_labels(s.steps.iter().map(|f| f.name.as_str()));
    let help =
        "Requests of each scenario step ended, by outcome (ok: a response, failed: an error).";
    let mut m = e.encode_descriptor("step_requests", help, None, MetricType::Counter)?;
    for (f, step) in s.steps.iter().zip(&labels) {
        for (outcome, n) in [("ok", f.ok), ("failed", f.failed)] {
            let labels = [("step", step.as_str()), ("outcome", outcome)];
            ConstCounter::new(n).encode(m.encode_family(&labels)?)?;
        }
    }
    step_latency(e, s, &labels)?;
    for (name, help, n) in [
        (
            "sessions_started",
            "Sessions whose first step ended.",
            sessions.started,
        ),
        (
            "sessions_completed",
            "Sessions that walked every step.",
            sessions.completed,
        ),
        (
            "sessions_failed",
            "Sessions stopped at a step that failed.",
            sessions.failed,
        ),
    ] {
        ConstCounter::new(n).encode(e.encode_descriptor(
            name,
            help,
            None,
            MetricType::Counter,
        )?)?;
    }
    Ok(())
}

/// `sluice_step_latency_seconds{step}`: each step's latency so far, in the buckets of
/// `sluice_latency_seconds`.
fn step_latency(
    e: &mut DescriptorEncoder,
    s: &Snapshot,
    labels: &[String],
) -> Result<(), std::fmt::Error> {
    let help = "Each scenario step's response latency, from when it was due.";
    let mut m = e.encode_descriptor(
        "step_latency",
        help,
        Some(&Unit::Seconds),
        MetricType::Histogram,
    )?;
    let none = crate::stats::by_step::new_step_histogram();
    for (i, (f, step)) in s.steps.iter().zip(labels).enumerate() {
        let h = s
            .scenario_histograms
            .as_deref()
            .and_then(|h| h.steps.get(i))
            .and_then(Option::as_ref)
            .map_or(&none, |h| &h.latency);
        let buckets = bucket_counts(h);
        let sum_s = f.latency.mean_us * f.latency.count as f64 / 1e6;
        let family = [("step", step.as_str())];
        m.encode_family(&family)?
            .encode_histogram::<prometheus_client::encoding::NoLabelSet>(
                sum_s,
                h.len(),
                &buckets,
                None,
            )?;
    }
    Ok(())
}

/// Each step's `step` label: its name with control characters escaped, cut to
/// `STEP_LABEL_CHARS`, and made unique (a cut name that another took gets ` #N`, N its
/// place) so that no two steps share a series.
fn step_labels<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    let mut labels: Vec<String> = Vec::new();
    for (i, name) in names.enumerate() {
        let escaped = crate::process::untrusted::escaped(name);
        let mut label: String = escaped.chars().take(STEP_LABEL_CHARS).collect();
        if escaped.chars().count() > STEP_LABEL_CHARS {
            label.push('…');
        }
        if !taken.insert(label.clone()) {
            label = format!("{label} #{}", i + 1);
            taken.insert(label.clone());
        }
        labels.push(label);
    }
    labels
}

/// A gauge with one value.
fn gauge(
    e: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: f64,
) -> Result<(), std::fmt::Error> {
    ConstGauge::new(value).encode(e.encode_descriptor(name, help, None, MetricType::Gauge)?)
}

/// `sluice_latency_seconds`: the run's latency so far (from when each request was due),
/// in cumulative buckets read off its HDR histogram.
fn latency(e: &mut DescriptorEncoder, latest: &Latest) -> Result<(), std::fmt::Error> {
    let s = &latest.snapshot;
    let sum_s = s.cumulative.mean_us * s.cumulative.count as f64 / 1e6;
    let buckets = latest.latency_buckets();
    let count = buckets.iter().map(|(_, n)| n).sum();
    let mut m = e.encode_descriptor(
        "latency",
        "Response latency, from when each request was due (its start, in concurrency mode).",
        Some(&Unit::Seconds),
        MetricType::Histogram,
    )?;
    m.encode_histogram::<prometheus_client::encoding::NoLabelSet>(sum_s, count, buckets, None)
}

/// The run's latency so far in buckets (`bucket_counts`); none before the first tick.
pub(super) fn latency_buckets(s: &Snapshot) -> Vec<(f64, u64)> {
    match &s.run_histograms {
        Some(h) => bucket_counts(&h.latency),
        None => bucket_counts(&crate::stats::latency::new_histogram()),
    }
}

/// (upper bound in seconds, responses in the bucket up to it), read off the histogram's
/// recorded values, ending with +Inf; prometheus-client's encoder makes them cumulative.
fn bucket_counts(h: &Histogram<u64>) -> Vec<(f64, u64)> {
    let mut counts = [0u64; BUCKETS_S.len()];
    for v in h.iter_recorded() {
        let value_s = h.highest_equivalent(v.value_iterated_to()) as f64 / 1e6;
        if let Some(i) = BUCKETS_S.iter().position(|&bound| value_s <= bound) {
            counts[i] += v.count_at_value();
        }
    }
    let bounded: u64 = counts.iter().sum();
    let mut buckets: Vec<(f64, u64)> = BUCKETS_S.iter().copied().zip(counts).collect();
    buckets.push((f64::INFINITY, h.len() - bounded));
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn each_response_falls_in_the_first_bucket_at_or_over_it() {
        let mut h = crate::stats::latency::new_histogram();
        for us in [300, 900, 1_000, 4_000, 70_000_000] {
            h.record(us).unwrap();
        }
        let b = bucket_counts(&h);
        let at = |bound: f64| b.iter().find(|(s, _)| *s == bound).unwrap().1;
        assert_eq!(at(0.0005), 1);
        assert_eq!(at(0.001), 2, "1 ms is in the 1 ms bucket");
        assert_eq!(at(0.005), 1);
        assert_eq!(at(60.0), 0);
        assert_eq!(at(f64::INFINITY), 1, "70 s only under +Inf");
        assert_eq!(b.iter().map(|(_, n)| n).sum::<u64>(), 5);
    }

    #[test]
    fn step_labels_are_escaped_cut_and_unique() {
        let long = "x".repeat(300);
        let names = ["login", "a\u{1b}[2J\nb", long.as_str(), long.as_str()];
        let labels = step_labels(names.into_iter());
        assert_eq!(labels[0], "login");
        assert!(
            !labels[1].contains('\u{1b}') && !labels[1].contains('\n'),
            "{}",
            labels[1]
        );
        assert_eq!(labels[2].chars().count(), STEP_LABEL_CHARS + 1);
        assert_eq!(labels[3], format!("{} #4", labels[2]));
    }

    #[test]
    fn the_scrape_parses_as_cumulative_buckets() {
        let texts = [
            "status == 200".to_string(),
            "body contains \"ok\"".to_string(),
        ];
        let mut w = crate::stats::window::Window::new(2).with_checks(&texts);
        for ms in [1, 2, 3, 40, 900] {
            w.record(&crate::engine::outcome::Outcome {
                latency_us: ms * 1000,
                verdict: crate::engine::outcome::Verdict::Status(200),
                checks_failed: u32::from(ms == 40) << 1,
                ..crate::engine::outcome::Outcome::aborted()
            });
        }
        let snapshot = Snapshot {
            counts: w.counts().clone(),
            run_histograms: Some(Arc::new(w.run_histograms())),
            cumulative: w.cumulative(),
            ..Snapshot::default()
        };
        let latest = Latest::new(1, Arc::new(snapshot));
        let text = render(&latest, &Gauges::default());
        for line in [
            "sluice_latency_seconds_count 5",
            "sluice_latency_seconds_bucket{le=\"0.001\"} 1",
            "sluice_latency_seconds_bucket{le=\"0.05\"} 4",
            "sluice_latency_seconds_bucket{le=\"+Inf\"} 5",
            "sluice_requests_total{class=\"2xx\"} 5",
            "sluice_checks_total{check=\"status == 200\",result=\"passed\"} 5",
            "sluice_checks_total{check=\"body contains \\\"ok\\\"\",result=\"failed\"} 1",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
    }
}
