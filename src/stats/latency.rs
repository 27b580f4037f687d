//! The base figures of latency that every count of the stats is made of: the ladder of
//! percentiles, the exact sums behind a mean and a deviation, and the histogram's bounds.

use hdrhistogram::Histogram;

/// Latencies above this (one hour) are recorded as this.
pub const MAX_LATENCY_US: u64 = 3_600_000_000;
/// Percentiles of a set of latencies, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LatencySummary {
    pub count: u64,
    pub min_us: u64,
    pub mean_us: f64,
    /// The population standard deviation, from exact sums (not read off buckets).
    pub stdev_us: f64,
    pub p50_us: u64,
    pub p75_us: u64,
    pub p90_us: u64,
    pub p95_us: u64,
    pub p99_us: u64,
    pub p99_9_us: u64,
    pub p99_99_us: u64,
    pub max_us: u64,
}

/// Exact sums of what a histogram holds, for its mean and standard deviation
/// (`Histogram::mean` and `stdev` scan every bucket, most of a snapshot's cost).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sums {
    pub us: u64,
    pub squares_us2: u128,
}

impl Sums {
    /// The sums of `count` values with this mean and population deviation (another
    /// process's figures, put back together to add them up).
    pub fn of_moments(count: u64, mean_us: f64, stdev_us: f64) -> Sums {
        let n = count as f64;
        Sums {
            us: (n * mean_us).round() as u64,
            squares_us2: (n * (stdev_us * stdev_us + mean_us * mean_us)).round() as u128,
        }
    }

    /// Both sums of two sets together.
    pub fn plus(self, other: Sums) -> Sums {
        Sums {
            us: self.us + other.us,
            squares_us2: self.squares_us2 + other.squares_us2,
        }
    }

    pub fn add(&mut self, us: u64) {
        self.us += us;
        self.squares_us2 += u128::from(us) * u128::from(us);
    }
}

impl LatencySummary {
    /// Reads the percentiles off a histogram (all zero when it is empty); the mean and the
    /// standard deviation come from `sums`, exact sums of what was recorded.
    pub fn of(h: &Histogram<u64>, sums: Sums) -> LatencySummary {
        if h.is_empty() {
            return LatencySummary::default();
        }
        let n = h.len() as f64;
        let mean_us = sums.us as f64 / n;
        let variance = sums.squares_us2 as f64 / n - mean_us * mean_us;
        LatencySummary {
            count: h.len(),
            min_us: h.min(),
            mean_us,
            stdev_us: variance.max(0.0).sqrt(),
            p50_us: h.value_at_quantile(0.50),
            p75_us: h.value_at_quantile(0.75),
            p90_us: h.value_at_quantile(0.90),
            p95_us: h.value_at_quantile(0.95),
            p99_us: h.value_at_quantile(0.99),
            p99_9_us: h.value_at_quantile(0.999),
            p99_99_us: h.value_at_quantile(0.9999),
            max_us: h.max(),
        }
    }

    /// The rung of the ladder nearest quantile `q` (0.5 … 0.9999), in microseconds.
    pub fn at_quantile(&self, q: f64) -> u64 {
        let rungs = [
            (0.5, self.p50_us),
            (0.75, self.p75_us),
            (0.9, self.p90_us),
            (0.95, self.p95_us),
            (0.99, self.p99_us),
            (0.999, self.p99_9_us),
            (0.9999, self.p99_99_us),
        ];
        let distance = |rung: &(f64, u64)| (rung.0 - q).abs();
        rungs
            .iter()
            .min_by(|a, b| distance(a).total_cmp(&distance(b)))
            .map_or(0, |rung| rung.1)
    }
}

/// An empty latency histogram: microseconds, 1 µs to an hour, 3 significant digits.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).expect("static histogram bounds")
}
