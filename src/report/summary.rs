//! The end-of-run summary; its JSON field names are a contract that scripts read.

use crate::outcome::ErrorKind;
use crate::stats::snapshot::Snapshot;
use crate::stats::window::LatencySummary;
use serde::Serialize;
use std::collections::BTreeMap;

/// Everything the run measured, as written to stdout or `-o FILE`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub target: String,
    pub duration_s: f64,
    pub requests: Requests,
    pub throughput_rps: f64,
    pub bytes_received: u64,
    /// None (JSON null) when no response arrived: no responses, no latency.
    pub latency_ms: Option<LatencyMs>,
    pub status_codes: BTreeMap<String, u64>,
    pub errors: BTreeMap<String, u64>,
    pub concurrency: Concurrency,
    pub open_files: OpenFiles,
    pub memory: Memory,
    /// One-line hints for failures whose cause is on this side (ports, descriptors).
    pub hints: Vec<String>,
}

/// `total = ok + failed`; `ok` means an HTTP response arrived; aborted ones are apart.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Requests {
    pub total: u64,
    pub ok: u64,
    pub failed: u64,
    pub aborted: u64,
}

/// Latency of the responses, in milliseconds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LatencyMs {
    pub min: f64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p99_9: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Concurrency {
    pub initial: usize,
    #[serde(rename = "final")]
    pub last: usize,
    pub peak_in_flight: usize,
    /// The open-file cap, when a limit above it was asked for (else null).
    pub capped_by_open_files: Option<usize>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct OpenFiles {
    pub peak: u64,
    pub soft_limit: u64,
    pub hard_limit: u64,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Memory {
    /// Peak resident set size of the whole process, in KiB (0 where it cannot be read).
    pub peak_rss_kib: u64,
}

impl Summary {
    /// Builds the summary from the final snapshot and the process's peak RSS.
    pub fn new(
        target: String,
        initial_limit: usize,
        last: &Snapshot,
        peak_rss_kib: u64,
    ) -> Summary {
        let c = &last.counts;
        let secs = last.elapsed.as_secs_f64();
        Summary {
            target,
            duration_s: secs,
            requests: Requests {
                total: c.total(),
                ok: c.ok,
                failed: c.failed,
                aborted: c.aborted,
            },
            throughput_rps: last.average_rps(),
            bytes_received: c.bytes,
            latency_ms: (last.cumulative.count > 0).then(|| LatencyMs::from(&last.cumulative)),
            status_codes: c
                .status_codes()
                .into_iter()
                .map(|(code, n)| (code.to_string(), n))
                .collect(),
            errors: ErrorKind::ALL
                .iter()
                .map(|k| (k.as_str().to_string(), c.errors_of(*k)))
                .collect(),
            concurrency: Concurrency {
                initial: initial_limit,
                last: last.gauges.limit,
                peak_in_flight: last.gauges.peak_in_flight,
                capped_by_open_files: last.gauges.capped,
            },
            open_files: OpenFiles {
                peak: last.peak_open_files,
                soft_limit: last.open_files.soft_limit,
                hard_limit: last.open_files.hard_limit,
            },
            memory: Memory { peak_rss_kib },
            hints: c.hints().map(String::from).collect(),
        }
    }
}

impl From<&LatencySummary> for LatencyMs {
    fn from(l: &LatencySummary) -> Self {
        let ms = |us: u64| us as f64 / 1000.0;
        LatencyMs {
            min: ms(l.min_us),
            mean: l.mean_us / 1000.0,
            p50: ms(l.p50_us),
            p90: ms(l.p90_us),
            p99: ms(l.p99_us),
            p99_9: ms(l.p99_9_us),
            max: ms(l.max_us),
        }
    }
}
