//! Latency as the summary gives it: the percentile ladder in milliseconds, and a compact
//! histogram in log-spaced buckets read off the whole run's HDR histogram.

use crate::stats::latency::LatencySummary;
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Buckets in the summary's latency histogram.
pub const BUCKETS: usize = 10;

/// Latency of the responses, in milliseconds: the ladder, the mean and its deviation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencyMs {
    pub min: f64,
    pub mean: f64,
    /// Population standard deviation.
    pub stdev: f64,
    pub p50: f64,
    pub p75: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub p99_9: f64,
    pub p99_99: f64,
    pub max: f64,
}

impl From<&LatencySummary> for LatencyMs {
    fn from(l: &LatencySummary) -> Self {
        let ms = |us: u64| us as f64 / 1000.0;
        LatencyMs {
            min: ms(l.min_us),
            mean: l.mean_us / 1000.0,
            stdev: l.stdev_us / 1000.0,
            p50: ms(l.p50_us),
            p75: ms(l.p75_us),
            p90: ms(l.p90_us),
            p95: ms(l.p95_us),
            p99: ms(l.p99_us),
            p99_9: ms(l.p99_9_us),
            p99_99: ms(l.p99_99_us),
            max: ms(l.max_us),
        }
    }
}

/// One bar of the histogram: the responses whose latency fell in `(from_ms, to_ms]` (the
/// first bucket includes `from_ms`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub from_ms: f64,
    pub to_ms: f64,
    pub count: u64,
}

/// `BUCKETS` buckets spaced evenly on a log scale from the fastest response to the slowest
/// (one bucket when they are equal); empty for an empty histogram.
pub fn buckets(h: &Histogram<u64>) -> Vec<Bucket> {
    if h.is_empty() {
        return Vec::new();
    }
    let (low, high) = (h.min().max(1) as f64, h.max().max(1) as f64);
    let n = if high > low { BUCKETS } else { 1 };
    let ratio = (high / low).powf(1.0 / n as f64);
    let edge = |i: usize| match i {
        i if i == n => high,
        i => low * ratio.powi(i as i32),
    };
    let mut out: Vec<Bucket> = (0..n)
        .map(|i| Bucket {
            from_ms: edge(i) / 1000.0,
            to_ms: edge(i + 1) / 1000.0,
            count: 0,
        })
        .collect();
    for v in h.iter_recorded() {
        // The bucket's own value (its lowest equivalent) keeps min and max in their bars.
        let us = h.lowest_equivalent(v.value_iterated_to()).max(1) as f64;
        let i = match high > low {
            true => ((us / low).ln() / ratio.ln()).floor().max(0.0) as usize,
            false => 0,
        };
        out[i.min(n - 1)].count += v.count_at_value();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::latency::{Sums, new_histogram};

    /// 1 ms to 1000 ms, one each: the ladder reads them back within HDR's precision.
    #[test]
    fn every_rung_of_the_ladder_for_known_latencies() {
        let mut h = new_histogram();
        let mut sums = Sums::default();
        for ms in 1..=1000u64 {
            h.record(ms * 1000).expect("record");
            sums.add(ms * 1000);
        }
        let l = LatencyMs::from(&LatencySummary::of(&h, sums));
        let near = |got: f64, want: f64| (got - want).abs() <= want * 0.002;
        let rungs = [
            ("min", l.min, 1.0),
            ("p50", l.p50, 500.0),
            ("p75", l.p75, 750.0),
            ("p90", l.p90, 900.0),
            ("p95", l.p95, 950.0),
            ("p99", l.p99, 990.0),
            ("p99.9", l.p99_9, 999.0),
            ("p99.99", l.p99_99, 1000.0),
            ("max", l.max, 1000.0),
        ];
        for (name, got, want) in rungs {
            assert!(near(got, want), "{name}: {got} ms, want {want}");
        }
        assert_eq!(l.mean, 500.5, "the mean is exact");
        // The population deviation of 1..=1000 is sqrt((1000² - 1) / 12).
        let want = ((1000.0f64 * 1000.0 - 1.0) / 12.0).sqrt();
        assert!(
            (l.stdev - want).abs() < 1e-6,
            "stdev {} want {want}",
            l.stdev
        );
    }

    #[test]
    fn the_histogram_splits_known_latencies_into_log_spaced_bars() {
        let mut h = new_histogram();
        // 1 ms to 1024 ms: ten doublings, so each bar is one doubling wide.
        for (ms, n) in [(1u64, 5u64), (3, 7), (100, 2), (1024, 1)] {
            h.record_n(ms * 1000, n).expect("record");
        }
        let bars = buckets(&h);
        assert_eq!(bars.len(), BUCKETS);
        assert_eq!(bars.iter().map(|b| b.count).sum::<u64>(), 15);
        assert!((bars[0].from_ms - 1.0).abs() < 1e-9);
        assert!((bars[9].to_ms - 1024.0).abs() < 1.0);
        for (i, b) in bars.iter().enumerate() {
            let ratio = b.to_ms / b.from_ms;
            assert!((ratio - 2.0).abs() < 0.01, "bar {i} spans x{ratio}");
        }
        let counts: Vec<u64> = bars.iter().map(|b| b.count).collect();
        assert_eq!(counts, [5, 7, 0, 0, 0, 0, 2, 0, 0, 1]);
    }

    #[test]
    fn one_value_is_one_bar_and_none_is_none() {
        let mut h = new_histogram();
        assert!(buckets(&h).is_empty());
        h.record_n(2_000, 4).expect("record");
        let bars = buckets(&h);
        assert_eq!(bars.len(), 1);
        assert_eq!(bars[0].count, 4);
    }
}
